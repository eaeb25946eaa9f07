/* test_loop_basics.c - the loop core as a libuv user sees it.
 *
 * Covers: uv_loop_init/close, uv_default_loop, uv_run modes on an empty loop, uv_now /
 * uv_update_time / uv_hrtime, timers (order of equal timeouts, repeat, uv_timer_again,
 * uv_timer_get_due_in, never early), idle/prepare/check phase order, ref/unref and liveness,
 * uv_close order and close callbacks, uv_stop, uv_walk, uv_loop_close with open handles,
 * bad input, uv_async_send from other threads, uv_loop_alive, uv_backend_fd,
 * uv_backend_timeout.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_loop_basics.c -o /tmp/tlb -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ASSERT(expr)                                                                   \
  do {                                                                                 \
    if (!(expr)) {                                                                     \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s\n", __FILE__, __LINE__,      \
              __func__, #expr);                                                        \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_EQ(a, b)                                                                \
  do {                                                                                 \
    long long a_ = (long long) (a), b_ = (long long) (b);                              \
    if (a_ != b_) {                                                                    \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (%lld != %lld)\n",     \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_STR_EQ(a, b)                                                            \
  do {                                                                                 \
    const char *a_ = (a), *b_ = (b);                                                   \
    if (strcmp(a_, b_) != 0) {                                                         \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static void sleep_ms(unsigned ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long) (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) != 0) {
  }
}

/* A log of single-character events, to check callback order. */
static char event_log[256];
static size_t event_len;

static void log_reset(void) {
  memset(event_log, 0, sizeof(event_log));
  event_len = 0;
}

static void log_event(char c) {
  ASSERT(event_len + 1 < sizeof(event_log));
  event_log[event_len++] = c;
}

static void close_and_run(uv_loop_t* loop, uv_handle_t* h) {
  if (!uv_is_closing(h))
    uv_close(h, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
}

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

/* Close every handle, run the loop until they are gone and close the loop. */
static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

static void never_cb_timer(uv_timer_t* h) {
  (void) h;
  ASSERT(!"this timer must not fire");
}

static void never_cb_idle(uv_idle_t* h) {
  (void) h;
  ASSERT(!"this idle callback must not run");
}

static void never_cb_check(uv_check_t* h) {
  (void) h;
  ASSERT(!"this check callback must not run");
}

static void noop_check(uv_check_t* h) {
  (void) h;
}

static void noop_async(uv_async_t* h) {
  (void) h;
}

/* ---------------------------------------------------------------------------------------- */
/* Loop lifetime                                                                            */

static void test_loop_init_close(void) {
  uv_loop_t loop;
  uv_loop_t loops[16];
  int fds[16];
  int i, j;

  ASSERT_EQ(uv_loop_size(), sizeof(uv_loop_t));
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT(uv_backend_fd(&loop) >= 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);

  /* An empty loop: every mode returns 0 at once. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  /* The user data pointer belongs to the user. */
  uv_loop_set_data(&loop, &loop);
  ASSERT(uv_loop_get_data(&loop) == &loop);
  ASSERT(loop.data == &loop);

  ASSERT_EQ(uv_loop_close(&loop), 0);

  /* A closed loop can be initialised again. */
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);

  /* Several loops at once, each with its own backend fd. */
  for (i = 0; i < 16; i++) {
    ASSERT_EQ(uv_loop_init(&loops[i]), 0);
    fds[i] = uv_backend_fd(&loops[i]);
    ASSERT(fds[i] >= 0);
    for (j = 0; j < i; j++)
      ASSERT(fds[i] != fds[j]);
  }
  for (i = 0; i < 16; i++)
    ASSERT_EQ(uv_loop_close(&loops[i]), 0);
}

static void test_default_loop(void) {
  uv_loop_t* a = uv_default_loop();
  ASSERT(a != NULL);
  ASSERT(uv_default_loop() == a);
  ASSERT_EQ(uv_run(a, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(a), 0);
  /* After closing it, uv_default_loop() hands out a fresh, working default loop. */
  a = uv_default_loop();
  ASSERT(a != NULL);
  ASSERT_EQ(uv_loop_alive(a), 0);
  ASSERT_EQ(uv_run(a, UV_RUN_NOWAIT), 0);
  ASSERT_EQ(uv_loop_close(a), 0);
}

static void test_now_and_hrtime(void) {
  uv_loop_t loop;
  uint64_t n0, n1, h0, h1;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  uv_update_time(&loop);
  n0 = uv_now(&loop);
  h0 = uv_hrtime();
  sleep_ms(30);
  /* uv_now is cached: it does not move until the loop time is updated. */
  ASSERT_EQ(uv_now(&loop), n0);
  h1 = uv_hrtime();
  ASSERT(h1 - h0 >= 30 * 1000000ULL);
  uv_update_time(&loop);
  n1 = uv_now(&loop);
  /* Milliseconds; the loop clock may be a coarse one (libuv uses CLOCK_MONOTONIC_COARSE). */
  ASSERT(n1 >= n0 + 28);
  ASSERT(n1 < n0 + 10000);
  /* Monotonic. */
  ASSERT(uv_hrtime() >= h1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Timers                                                                                   */

static void log_id_timer_cb(uv_timer_t* h) {
  log_event(*(const char*) h->data);
}

static void test_timer_order(void) {
  static const char ids[] = "0123456789";
  uv_loop_t loop;
  uv_timer_t t[5];
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);

  /* Equal timeouts fire in start order. */
  log_reset();
  for (i = 0; i < 5; i++) {
    ASSERT_EQ(uv_timer_init(&loop, &t[i]), 0);
    t[i].data = (void*) &ids[i];
  }
  for (i = 0; i < 5; i++)
    ASSERT_EQ(uv_timer_start(&t[i], log_id_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "01234");

  /* Same again, started in reverse. */
  log_reset();
  for (i = 4; i >= 0; i--)
    ASSERT_EQ(uv_timer_start(&t[i], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "43210");

  /* Different timeouts fire by due time, whatever the start order. */
  log_reset();
  ASSERT_EQ(uv_timer_start(&t[0], log_id_timer_cb, 30, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[1], log_id_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[2], log_id_timer_cb, 20, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[3], log_id_timer_cb, 0, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "3120");

  /* Restarting a timer puts it behind timers with the same due time. */
  log_reset();
  uv_update_time(&loop);
  ASSERT_EQ(uv_timer_start(&t[0], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[1], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[2], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[0], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "120");

  /* A stopped timer does not fire; stopping it twice is fine. */
  log_reset();
  ASSERT_EQ(uv_timer_start(&t[0], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_start(&t[1], log_id_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_stop(&t[0]), 0);
  ASSERT_EQ(uv_timer_stop(&t[0]), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "1");

  finish_loop(&loop);
}

/* A timer callback that stops another timer due at the same time: the other never fires. */
static uv_timer_t* victim_timer;
static void stopper_timer_cb(uv_timer_t* h) {
  log_event('s');
  ASSERT_EQ(uv_timer_stop(victim_timer), 0);
  (void) h;
}

static void test_timer_stop_other_in_cb(void) {
  uv_loop_t loop;
  uv_timer_t a, b;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &a), 0);
  ASSERT_EQ(uv_timer_init(&loop, &b), 0);
  victim_timer = &b;
  log_reset();
  ASSERT_EQ(uv_timer_start(&a, stopper_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_timer_start(&b, never_cb_timer, 5, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "s");
  ASSERT_EQ(uv_is_active((uv_handle_t*) &b), 0);
  finish_loop(&loop);
}

/* Timers never fire before their due time. */
struct early_check {
  uv_timer_t timer;
  uint64_t timeout;
  uint64_t start_now;
  uint64_t start_hr;
  int fired;
};

static void early_check_cb(uv_timer_t* h) {
  struct early_check* c = (struct early_check*) h;
  uint64_t now = uv_now(h->loop);
  uint64_t elapsed_ns = uv_hrtime() - c->start_hr;
  ASSERT(now >= c->start_now + c->timeout);
  /* The loop clock is in whole milliseconds and may be a coarse clock (1 tick behind): allow
   * 2 ms of slack against the precise clock. */
  if (c->timeout >= 2)
    ASSERT(elapsed_ns + 2000000ULL >= c->timeout * 1000000ULL);
  /* A one-shot timer is no longer active inside its own callback. */
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
  c->fired++;
}

static void test_timer_never_early(void) {
  static const uint64_t timeouts[] = {0, 1, 2, 3, 5, 7, 10, 15, 25, 50, 80};
  enum { N = sizeof(timeouts) / sizeof(timeouts[0]) };
  struct early_check c[N];
  uv_loop_t loop;
  int i, round;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < N; i++)
    ASSERT_EQ(uv_timer_init(&loop, &c[i].timer), 0);
  for (round = 0; round < 3; round++) {
    /* Due times count from the cached loop time, so the precise clock is read just before
     * the loop time is updated. */
    uint64_t hr = uv_hrtime();
    uv_update_time(&loop);
    for (i = 0; i < N; i++) {
      c[i].timeout = timeouts[i];
      c[i].start_now = uv_now(&loop);
      c[i].start_hr = hr;
      c[i].fired = 0;
      ASSERT_EQ(uv_timer_start(&c[i].timer, early_check_cb, timeouts[i], 0), 0);
    }
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    for (i = 0; i < N; i++)
      ASSERT_EQ(c[i].fired, 1);
  }
  finish_loop(&loop);
}

/* Repeating timers. */
static int repeat_count;
static uint64_t repeat_last_now;

static void repeat_cb(uv_timer_t* h) {
  uint64_t now = uv_now(h->loop);
  repeat_count++;
  /* A repeating timer is re-armed before its callback runs. */
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 1);
  ASSERT_EQ(uv_timer_get_repeat(h), 5);
  if (repeat_count > 1)
    ASSERT(now >= repeat_last_now + 5);
  repeat_last_now = now;
  if (repeat_count == 5)
    ASSERT_EQ(uv_timer_stop(h), 0);
}

static int repeat_change_count;
static void repeat_change_cb(uv_timer_t* h) {
  repeat_change_count++;
  /* Setting the repeat to 0 inside the callback: the timer was already re-armed with the old
   * repeat, so it fires once more and then stops. */
  if (repeat_change_count == 2)
    uv_timer_set_repeat(h, 0);
}

static int restart_count;
static void restart_self_cb(uv_timer_t* h) {
  restart_count++;
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
  if (restart_count < 3)
    ASSERT_EQ(uv_timer_start(h, restart_self_cb, 1, 0), 0);
}

static void test_timer_repeat(void) {
  uv_loop_t loop;
  uv_timer_t t;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_get_repeat(&t), 0);

  repeat_count = 0;
  ASSERT_EQ(uv_timer_start(&t, repeat_cb, 5, 5), 0);
  ASSERT_EQ(uv_timer_get_repeat(&t), 5);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(repeat_count, 5);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);

  repeat_change_count = 0;
  ASSERT_EQ(uv_timer_start(&t, repeat_change_cb, 1, 2), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(repeat_change_count, 3);

  restart_count = 0;
  ASSERT_EQ(uv_timer_start(&t, restart_self_cb, 1, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(restart_count, 3);

  /* uv_timer_set_repeat on an idle timer only stores the value. */
  uv_timer_set_repeat(&t, 42);
  ASSERT_EQ(uv_timer_get_repeat(&t), 42);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);

  finish_loop(&loop);
}

static int again_count;
static uint64_t again_start_hr;
static void again_cb(uv_timer_t* h) {
  again_count++;
  /* uv_timer_again re-armed it with the 25 ms repeat, not the 10 s timeout. */
  ASSERT(uv_hrtime() - again_start_hr < 5000ULL * 1000000ULL);
  ASSERT_EQ(uv_timer_stop(h), 0);
}

static void test_timer_again(void) {
  uv_loop_t loop;
  uv_timer_t t;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);

  /* Never started: no callback to re-arm with. */
  ASSERT_EQ(uv_timer_again(&t), UV_EINVAL);

  again_count = 0;
  again_start_hr = uv_hrtime();
  ASSERT_EQ(uv_timer_start(&t, again_cb, 10000, 25), 0);
  ASSERT_EQ(uv_timer_get_due_in(&t), 10000);
  ASSERT_EQ(uv_timer_again(&t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_timer_get_due_in(&t), 25);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(again_count, 1);

  /* A stopped timer with a repeat: uv_timer_again starts it again. */
  uv_timer_set_repeat(&t, 10);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_timer_again(&t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_timer_get_due_in(&t), 10);
  again_start_hr = uv_hrtime();
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(again_count, 2);

  /* Repeat 0: uv_timer_again leaves an active timer as it is. */
  ASSERT_EQ(uv_timer_start(&t, never_cb_timer, 50, 0), 0);
  ASSERT_EQ(uv_timer_again(&t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_timer_get_due_in(&t), 50);
  ASSERT_EQ(uv_timer_stop(&t), 0);

  finish_loop(&loop);
}

static void noop_timer_cb(uv_timer_t* h) {
  (void) h;
}

static void test_timer_due_in(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uint64_t due;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_get_due_in(&t), 0);

  uv_update_time(&loop);
  ASSERT_EQ(uv_timer_start(&t, noop_timer_cb, 100, 0), 0);
  ASSERT_EQ(uv_timer_get_due_in(&t), 100);
  /* Programs read the absolute due time from the (private) timeout field. */
  ASSERT(t.timeout == uv_now(&loop) + 100);

  /* Relative to uv_now: it shrinks only when the loop time is updated. */
  sleep_ms(30);
  ASSERT_EQ(uv_timer_get_due_in(&t), 100);
  uv_update_time(&loop);
  due = uv_timer_get_due_in(&t);
  ASSERT(due > 0);
  ASSERT(due <= 72);

  /* The due time saturates instead of wrapping. */
  ASSERT_EQ(uv_timer_start(&t, noop_timer_cb, UINT64_MAX, 0), 0);
  ASSERT(uv_timer_get_due_in(&t) == UINT64_MAX - uv_now(&loop));
  ASSERT_EQ(uv_timer_start(&t, noop_timer_cb, UINT64_MAX - 1, 0), 0);
  ASSERT(uv_timer_get_due_in(&t) == UINT64_MAX - uv_now(&loop));

  /* Expired: 0. */
  ASSERT_EQ(uv_timer_start(&t, noop_timer_cb, 0, 0), 0);
  ASSERT_EQ(uv_timer_get_due_in(&t), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_timer_get_due_in(&t), 0);

  finish_loop(&loop);
}

static int once_fired;
static void once_cb(uv_timer_t* h) {
  (void) h;
  once_fired++;
}

static void test_run_once_waits_for_timer(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uint64_t h0;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  once_fired = 0;
  uv_update_time(&loop);
  h0 = uv_hrtime();
  ASSERT_EQ(uv_timer_start(&t, once_cb, 20, 0), 0);
  /* NOWAIT does not block: the timer is not due yet and the loop stays alive. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(once_fired, 0);
  /* ONCE blocks until the timer is due and runs it before returning. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(once_fired, 1);
  ASSERT(uv_hrtime() - h0 + 2000000ULL >= 20ULL * 1000000ULL);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Phases                                                                                   */

static uv_idle_t* phase_extra;
static int phase_iter;

static void extra_close_cb(uv_handle_t* h) {
  (void) h;
  log_event('X');
}

static void phase_timer_cb(uv_timer_t* h) {
  (void) h;
  log_event('T');
}

static void phase_idle_cb(uv_idle_t* h) {
  (void) h;
  log_event('I');
}

static void phase_prepare_cb(uv_prepare_t* h) {
  (void) h;
  log_event('P');
}

static void phase_check_cb(uv_check_t* h) {
  (void) h;
  log_event('C');
  if (phase_iter++ == 0)
    uv_close((uv_handle_t*) phase_extra, extra_close_cb);
}

static void test_phase_order(void) {
  uv_loop_t loop;
  uv_timer_t timer;
  uv_idle_t idle, extra;
  uv_prepare_t prepare;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_init(&loop, &extra), 0);
  ASSERT_EQ(uv_prepare_init(&loop, &prepare), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  phase_extra = &extra;
  phase_iter = 0;
  log_reset();

  /* Started in the "wrong" order on purpose. */
  ASSERT_EQ(uv_check_start(&check, phase_check_cb), 0);
  ASSERT_EQ(uv_prepare_start(&prepare, phase_prepare_cb), 0);
  ASSERT_EQ(uv_idle_start(&idle, phase_idle_cb), 0);
  ASSERT_EQ(uv_timer_start(&timer, phase_timer_cb, 0, 0), 0);

  /* One iteration: timers, idle, prepare, (poll), check, close callbacks. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "TIPCX");
  /* Next iteration: no timer, nothing closing. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "TIPCXIPC");

  /* Stopped watchers do not run; a stopped watcher can be stopped again. */
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_prepare_stop(&prepare), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0); /* check still active */
  ASSERT_STR_EQ(event_log, "TIPCXIPCC");
  ASSERT_EQ(uv_check_stop(&check), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  ASSERT_STR_EQ(event_log, "TIPCXIPCC");

  finish_loop(&loop);
}

static int idle_runs;
static void count_idle_cb(uv_idle_t* h) {
  (void) h;
  idle_runs++;
}

static void test_watcher_start_twice(void) {
  uv_loop_t loop;
  uv_idle_t idle;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  /* Starting an active watcher again is a no-op: it still runs once per iteration. */
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);
  idle_runs = 0;
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(idle_runs, 1);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Ref / unref / liveness                                                                   */

static int ref_timer_fired;
static void ref_timer_cb(uv_timer_t* h) {
  (void) h;
  ref_timer_fired++;
}

static int close_cb_count;
static void count_close_cb(uv_handle_t* h) {
  (void) h;
  close_cb_count++;
}

static void test_ref_unref(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  /* Initialised handles are referenced but inactive: not enough to keep the loop alive. */
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  ref_timer_fired = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 1);

  /* An unreferenced active handle does not keep the loop alive. */
  uv_unref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 0);

  /* ref/unref are flags, not counters. */
  uv_unref((uv_handle_t*) &t);
  uv_unref((uv_handle_t*) &t);
  uv_ref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 1);
  uv_ref((uv_handle_t*) &t);
  uv_ref((uv_handle_t*) &t);
  uv_unref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 0);
  uv_ref((uv_handle_t*) &t);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 1);

  /* Unreferenced handles still run while something else keeps the loop going. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  uv_unref((uv_handle_t*) &idle);
  idle_runs = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 20, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 2);
  ASSERT(idle_runs >= 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);

  /* A loop with only an unreferenced handle runs no iteration at all. */
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_check_start(&check, never_cb_check), 0);
  uv_unref((uv_handle_t*) &check);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);

  /* A closing handle keeps the loop alive until its close callback has run, referenced or
   * not. */
  close_cb_count = 0;
  uv_close((uv_handle_t*) &check, count_close_cb);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_count, 1);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Close                                                                                    */

static uv_timer_t* close_d;
static void close_log_cb(uv_handle_t* h) {
  char id = *(const char*) h->data;
  log_event(id);
  /* Closing from a close callback: runs after the current batch. */
  if (id == 'A')
    uv_close((uv_handle_t*) close_d, close_log_cb);
}

static void self_close_timer_cb(uv_timer_t* h) {
  log_event('t');
  uv_close((uv_handle_t*) h, close_log_cb);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) h), 1);
}

static void log_check_cb(uv_check_t* h) {
  (void) h;
  log_event('C');
}

static void test_close_order(void) {
  uv_loop_t loop;
  uv_timer_t a, b, c, d, e;
  uv_idle_t idle;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &a), 0);
  ASSERT_EQ(uv_timer_init(&loop, &b), 0);
  ASSERT_EQ(uv_timer_init(&loop, &c), 0);
  ASSERT_EQ(uv_timer_init(&loop, &d), 0);
  a.data = "A";
  b.data = "B";
  c.data = "C";
  d.data = "D";
  close_d = &d;
  log_reset();

  /* Close callbacks run most-recently-closed first; a handle closed from a close callback
   * is closed after them. */
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &a), 0);
  uv_close((uv_handle_t*) &a, close_log_cb);
  uv_close((uv_handle_t*) &b, close_log_cb);
  uv_close((uv_handle_t*) &c, close_log_cb);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &a), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_STR_EQ(event_log, ""); /* never synchronously */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "CBAD");

  /* A NULL close callback is allowed. */
  ASSERT_EQ(uv_timer_init(&loop, &e), 0);
  uv_close((uv_handle_t*) &e, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  /* Closing an active handle stops it: the idle callback never runs. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, never_cb_idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);
  uv_close((uv_handle_t*) &idle, NULL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  /* A handle closed in a callback gets its close callback in the same iteration, after the
   * check phase. */
  log_reset();
  ASSERT_EQ(uv_timer_init(&loop, &a), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  a.data = "x";
  ASSERT_EQ(uv_timer_start(&a, self_close_timer_cb, 0, 0), 0);
  ASSERT_EQ(uv_check_start(&check, log_check_cb), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "tCx");
  close_and_run(&loop, (uv_handle_t*) &check);

  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_stop                                                                                  */

static int stop_idle_count;
static int stop_check_count;
static void stop_idle_cb(uv_idle_t* h) {
  stop_idle_count++;
  if (stop_idle_count % 3 == 0)
    uv_stop(h->loop);
}

static void stop_check_cb(uv_check_t* h) {
  (void) h;
  stop_check_count++;
}

static void stop_timer_cb(uv_timer_t* h) {
  uv_stop(h->loop);
}

static void test_stop(void) {
  uv_loop_t loop;
  uv_idle_t idle;
  uv_check_t check;
  uv_timer_t t1, t2;
  uint64_t h0;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_idle_start(&idle, stop_idle_cb), 0);
  ASSERT_EQ(uv_check_start(&check, stop_check_cb), 0);
  stop_idle_count = stop_check_count = 0;

  /* uv_stop ends the loop after the current iteration, which finishes (check runs). */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 3);
  ASSERT_EQ(stop_check_count, 3);

  /* The stop flag was cleared: the loop runs again. */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 6);
  ASSERT_EQ(stop_check_count, 6);

  /* uv_stop before uv_run: uv_run returns at once, without running callbacks... */
  uv_stop(&loop);
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 6);
  /* ...and clears the flag. */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 9);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_check_stop(&check), 0);

  /* uv_stop from a timer while a far timer is pending: uv_run does not block for it. */
  ASSERT_EQ(uv_timer_init(&loop, &t1), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t2), 0);
  ASSERT_EQ(uv_timer_start(&t1, stop_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_timer_start(&t2, never_cb_timer, 10000, 0), 0);
  h0 = uv_hrtime();
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT(uv_hrtime() - h0 < 5000ULL * 1000000ULL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t2), 1);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_walk                                                                                  */

struct walk_seen {
  uv_handle_t* expect[8];
  int seen[8];
  int n_expect;
  int total;
  int closing;
};

static void walk_cb(uv_handle_t* h, void* arg) {
  struct walk_seen* w = arg;
  int i, found = 0;
  w->total++;
  if (uv_is_closing(h))
    w->closing++;
  for (i = 0; i < w->n_expect; i++) {
    if (w->expect[i] == h) {
      w->seen[i]++;
      found = 1;
    }
  }
  ASSERT(found);
}

static void walk_reset(struct walk_seen* w) {
  memset(w->seen, 0, sizeof(w->seen));
  w->total = 0;
  w->closing = 0;
}

static void test_walk(void) {
  uv_loop_t loop;
  uv_timer_t timer;
  uv_idle_t idle;
  uv_check_t check;
  uv_async_t async;
  struct walk_seen w;
  int i;

  memset(&w, 0, sizeof(w));
  ASSERT_EQ(uv_loop_init(&loop), 0);

  /* A fresh loop shows no handles: internal ones stay hidden. */
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 0);

  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_async_init(&loop, &async, noop_async), 0);
  w.expect[0] = (uv_handle_t*) &timer;
  w.expect[1] = (uv_handle_t*) &idle;
  w.expect[2] = (uv_handle_t*) &check;
  w.expect[3] = (uv_handle_t*) &async;
  w.n_expect = 4;

  /* Active or not, every open handle is walked once. */
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 4);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(w.seen[i], 1);

  /* The usual shutdown idiom: close everything from a walk. Closing handles are still
   * walked until their close callback has run. */
  uv_walk(&loop, close_walk_cb, NULL);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 4);
  ASSERT_EQ(w.closing, 4);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 0);

  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_loop_close with open handles                                                          */

static void test_loop_close_busy(void) {
  uv_loop_t loop;
  uv_timer_t t;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  /* Even an inactive handle makes the loop busy. */
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);

  /* The loop is still usable. */
  ref_timer_fired = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 1);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);

  /* Closing but not yet closed: still busy. */
  close_cb_count = 0;
  uv_close((uv_handle_t*) &t, count_close_cb);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_count, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Bad input                                                                                */

static void test_bad_input(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  uv_prepare_t prepare;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_prepare_init(&loop, &prepare), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);

  ASSERT_EQ(uv_timer_start(&t, NULL, 10, 0), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_idle_start(&idle, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_prepare_start(&prepare, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &prepare), 0);
  ASSERT_EQ(uv_check_start(&check, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &check), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  /* Stopping what never started is fine. */
  ASSERT_EQ(uv_timer_stop(&t), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_prepare_stop(&prepare), 0);
  ASSERT_EQ(uv_check_stop(&check), 0);

  /* A closing timer cannot be started. */
  uv_close((uv_handle_t*) &t, NULL);
  ASSERT_EQ(uv_timer_start(&t, never_cb_timer, 0, 0), UV_EINVAL);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Handle accessors                                                                         */

static void test_handle_accessors(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  int x;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_handle_size(UV_TIMER), sizeof(uv_timer_t));
  ASSERT_EQ(uv_handle_size(UV_IDLE), sizeof(uv_idle_t));
  ASSERT_EQ(uv_handle_size(UV_ASYNC), sizeof(uv_async_t));
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &t), UV_TIMER);
  ASSERT_EQ(t.type, UV_TIMER);
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &idle), UV_IDLE);
  ASSERT_STR_EQ(uv_handle_type_name(UV_TIMER), "timer");
  ASSERT_STR_EQ(uv_handle_type_name(UV_IDLE), "idle");
  ASSERT_STR_EQ(uv_handle_type_name(UV_CHECK), "check");
  ASSERT_STR_EQ(uv_handle_type_name(UV_PREPARE), "prepare");
  ASSERT_STR_EQ(uv_handle_type_name(UV_ASYNC), "async");
  ASSERT(uv_handle_get_loop((uv_handle_t*) &t) == &loop);
  ASSERT(t.loop == &loop);
  uv_handle_set_data((uv_handle_t*) &t, &x);
  ASSERT(uv_handle_get_data((uv_handle_t*) &t) == &x);
  ASSERT(t.data == &x);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_backend_timeout                                                                       */

static void test_backend_timeout(void) {
  uv_loop_t loop;
  uv_check_t check;
  uv_idle_t idle;
  uv_timer_t t;
  int to;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0); /* nothing to wait for */

  /* An active handle and no timers: block indefinitely. (One NOWAIT iteration first, as
   * libuv returns 0 while it has backend registrations to flush.) */
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_check_start(&check, noop_check), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(uv_backend_timeout(&loop), -1);

  /* The nearest timer bounds it. */
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, never_cb_timer, 1000, 0), 0);
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  /* An active idle handle: do not block. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  /* Stop requested: do not block. */
  uv_stop(&loop);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0); /* clears the stop flag */
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_async_send                                                                            */

static int async_local_count;
static void async_local_cb(uv_async_t* h) {
  (void) h;
  async_local_count++;
}

static void test_async_coalesce_same_thread(void) {
  uv_loop_t loop;
  uv_async_t a;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_async_init(&loop, &a, async_local_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &a), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  async_local_count = 0;
  /* No send, no callback. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 0);
  /* Sends before the loop runs coalesce into one callback. */
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 1);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 1);
  /* A NULL callback is allowed. */
  {
    uv_async_t b;
    ASSERT_EQ(uv_async_init(&loop, &b, NULL), 0);
    ASSERT_EQ(uv_async_send(&b), 0);
    ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
    uv_close((uv_handle_t*) &b, NULL);
    ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  }
  finish_loop(&loop);
}

#define ASYNC_THREADS 4
#define ASYNC_SENDS 10000

static uv_async_t mt_async;
static uv_timer_t mt_watchdog;
static uv_thread_t mt_threads[ASYNC_THREADS];
static atomic_int mt_done;
static long mt_callbacks;
static int mt_joined;

static void mt_sender(void* arg) {
  int i;
  (void) arg;
  for (i = 0; i < ASYNC_SENDS; i++)
    ASSERT_EQ(uv_async_send(&mt_async), 0);
  atomic_fetch_add(&mt_done, 1);
  /* The final send happens after the done count: some callback must observe it. */
  ASSERT_EQ(uv_async_send(&mt_async), 0);
}

static void mt_async_cb(uv_async_t* h) {
  int i;
  ASSERT(h == &mt_async);
  mt_callbacks++;
  if (atomic_load(&mt_done) == ASYNC_THREADS) {
    for (i = 0; i < ASYNC_THREADS; i++)
      ASSERT_EQ(uv_thread_join(&mt_threads[i]), 0);
    mt_joined = 1;
    uv_close((uv_handle_t*) &mt_async, NULL);
    uv_close((uv_handle_t*) &mt_watchdog, NULL);
  }
}

static void mt_watchdog_cb(uv_timer_t* h) {
  (void) h;
  fprintf(stderr, "async: lost wake-up: %d/%d threads done, %ld callbacks, no final callback\n",
          atomic_load(&mt_done), ASYNC_THREADS, mt_callbacks);
  ASSERT(!"lost wake-up");
}

static void test_async_threads(void) {
  uv_loop_t loop;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_async_init(&loop, &mt_async, mt_async_cb), 0);
  ASSERT_EQ(uv_timer_init(&loop, &mt_watchdog), 0);
  ASSERT_EQ(uv_timer_start(&mt_watchdog, mt_watchdog_cb, 20000, 0), 0);
  uv_unref((uv_handle_t*) &mt_watchdog);
  atomic_store(&mt_done, 0);
  mt_callbacks = 0;
  mt_joined = 0;
  for (i = 0; i < ASYNC_THREADS; i++)
    ASSERT_EQ(uv_thread_create(&mt_threads[i], mt_sender, NULL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(mt_joined, 1);
  ASSERT(mt_callbacks >= 1);
  ASSERT(mt_callbacks <= (long) ASYNC_THREADS * (ASYNC_SENDS + 1));
  printf("    async_threads: %d sends from %d threads -> %ld callbacks\n",
         ASYNC_THREADS * (ASYNC_SENDS + 1), ASYNC_THREADS, mt_callbacks);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Ping-pong: every send waits for its callback, so no send may be lost or merged. */
#define PINGPONG_ROUNDS 2000
static uv_async_t pp_async;
static sem_t pp_sem;
static int pp_callbacks;

static void pp_thread(void* arg) {
  int i;
  (void) arg;
  for (i = 0; i < PINGPONG_ROUNDS; i++) {
    ASSERT_EQ(uv_async_send(&pp_async), 0);
    while (sem_wait(&pp_sem) != 0) {
    }
  }
}

static void pp_cb(uv_async_t* h) {
  pp_callbacks++;
  if (pp_callbacks == PINGPONG_ROUNDS)
    uv_close((uv_handle_t*) h, NULL);
  ASSERT_EQ(sem_post(&pp_sem), 0);
}

static void test_async_pingpong(void) {
  uv_loop_t loop;
  uv_thread_t th;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(sem_init(&pp_sem, 0, 0), 0);
  ASSERT_EQ(uv_async_init(&loop, &pp_async, pp_cb), 0);
  pp_callbacks = 0;
  ASSERT_EQ(uv_thread_create(&th, pp_thread, NULL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_thread_join(&th), 0);
  ASSERT_EQ(pp_callbacks, PINGPONG_ROUNDS);
  ASSERT_EQ(sem_destroy(&pp_sem), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(loop_init_close),
    TEST(default_loop),
    TEST(now_and_hrtime),
    TEST(timer_order),
    TEST(timer_stop_other_in_cb),
    TEST(timer_never_early),
    TEST(timer_repeat),
    TEST(timer_again),
    TEST(timer_due_in),
    TEST(run_once_waits_for_timer),
    TEST(phase_order),
    TEST(watcher_start_twice),
    TEST(ref_unref),
    TEST(close_order),
    TEST(stop),
    TEST(walk),
    TEST(loop_close_busy),
    TEST(bad_input),
    TEST(handle_accessors),
    TEST(backend_timeout),
    TEST(async_coalesce_same_thread),
    TEST(async_threads),
    TEST(async_pingpong),
};

RSUV_TEST_MAIN(tests)
