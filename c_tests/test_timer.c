/* test_timer.c - timers as a libuv user sees them.
 *
 * Covers: the order of equal timeouts, a callback stopping another due timer, never firing
 * early, repeat, uv_timer_again, uv_timer_get_due_in, UV_RUN_ONCE waiting for a timer.
 * Helpers and how to build against the real libuv: loop_common.h.
 */
#include "runner.h"
#include "loop_common.h"

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
  ASSERT_EQ(uv_timer_start(&t, once_cb, 250, 0), 0);
  /* NOWAIT does not block: the timer is not due yet and the loop stays alive. (libuv
   * 1.53 runs due timers at the end of a NOWAIT iteration too, so the timeout leaves room
   * for a slow run, under valgrind say.) */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(once_fired, 0);
  /* ONCE blocks until the timer is due and runs it before returning. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(once_fired, 1);
  ASSERT(uv_hrtime() - h0 + 2000000ULL >= 250ULL * 1000000ULL);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(timer_order),
    TEST(timer_stop_other_in_cb),
    TEST(timer_never_early),
    TEST(timer_repeat),
    TEST(timer_again),
    TEST(timer_due_in),
    TEST(run_once_waits_for_timer),
};

RSUV_TEST_MAIN(tests)
