/* test_signal.c - signal handles as a libuv user sees them.
 *
 * Covers: uv_signal_init/start/start_oneshot/stop, delivery in the poll phase, several
 * handles per signal and several signals, one-shot handles, bad signal numbers (0, -1, 65,
 * 4096, SIGKILL, SIGSTOP), the default disposition restored when the last handle stops,
 * restarting with the same or another signal, a signal caught before a handle started (not
 * delivered to it), stop/close with a caught signal pending (callback never runs), unref'd
 * signal handles, two loops on one thread, two loops on two threads, signals sent from
 * another thread, uv_kill errors.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_signal.c -o /tmp/ts -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

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

/* The handler currently installed for `signum`. */
static void* current_handler(int signum) {
  struct sigaction sa;
  ASSERT_EQ(sigaction(signum, NULL, &sa), 0);
  return (void*) sa.sa_handler;
}

struct sig_ctx {
  uv_signal_t handle;
  int calls;
  int last_signum;
  int stop_after;  /* stop the handle after this many calls (0: never) */
  int close_after; /* close the handle after this many calls (0: never) */
  char tag;
};

static char event_log[256];
static size_t event_len;

static void log_event(char c) {
  ASSERT(event_len + 1 < sizeof(event_log));
  event_log[event_len++] = c;
}

static void sig_cb(uv_signal_t* h, int signum) {
  struct sig_ctx* c = (struct sig_ctx*) h->data;
  ASSERT(c != NULL);
  ASSERT_EQ(signum, h->signum);
  c->calls++;
  c->last_signum = signum;
  if (c->tag)
    log_event(c->tag);
  if (c->stop_after && c->calls == c->stop_after)
    ASSERT_EQ(uv_signal_stop(h), 0);
  if (c->close_after && c->calls == c->close_after)
    uv_close((uv_handle_t*) h, NULL);
}

static void never_cb(uv_signal_t* h, int signum) {
  (void) h;
  (void) signum;
  ASSERT(!"this signal callback must not run");
}

static void ctx_init(uv_loop_t* loop, struct sig_ctx* c) {
  memset(c, 0, sizeof(*c));
  ASSERT_EQ(uv_signal_init(loop, &c->handle), 0);
  c->handle.data = c;
}

/* A timer that raises a signal on each tick, a fixed number of times. */
struct raiser {
  uv_timer_t timer;
  int signum;
  int left;
};

static void raiser_cb(uv_timer_t* t) {
  struct raiser* r = (struct raiser*) t->data;
  ASSERT_EQ(raise(r->signum), 0);
  if (--r->left == 0)
    uv_close((uv_handle_t*) t, NULL);
}

static void raiser_start(uv_loop_t* loop, struct raiser* r, int signum, int count) {
  r->signum = signum;
  r->left = count;
  ASSERT_EQ(uv_timer_init(loop, &r->timer), 0);
  r->timer.data = r;
  ASSERT_EQ(uv_timer_start(&r->timer, raiser_cb, 1, 1), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */

static void test_init_state(void) {
  uv_loop_t loop;
  uv_signal_t h;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(h.type, UV_SIGNAL);
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &h), UV_SIGNAL);
  ASSERT(h.loop == &loop);
  ASSERT_EQ(h.signum, 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  /* An initialised, stopped signal handle does not keep the loop alive. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_signal_stop(&h), 0); /* stopping a stopped handle is fine */
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGUSR1), 0);
  ASSERT_EQ(h.signum, SIGUSR1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_signal_stop(&h), 0);
  ASSERT_EQ(h.signum, 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  finish_loop(&loop);
}

static void test_bad_signum(void) {
  uv_loop_t loop;
  uv_signal_t h;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(uv_signal_start(&h, never_cb, 0), UV_EINVAL);
  ASSERT_EQ(uv_signal_start(&h, never_cb, -1), UV_EINVAL);
  ASSERT_EQ(uv_signal_start(&h, never_cb, 65), UV_EINVAL);
  ASSERT_EQ(uv_signal_start(&h, never_cb, 4096), UV_EINVAL);
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGKILL), UV_EINVAL);
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGSTOP), UV_EINVAL);
  ASSERT_EQ(uv_signal_start_oneshot(&h, never_cb, 0), UV_EINVAL);
  ASSERT_EQ(uv_signal_start_oneshot(&h, never_cb, SIGKILL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  ASSERT_EQ(h.signum, 0);
  /* The handle still works afterwards. */
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGUSR2), 0);
  ASSERT_EQ(uv_signal_stop(&h), 0);
  finish_loop(&loop);
}

static void test_deliver_in_poll(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  struct raiser r;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  c.close_after = 5;
  ASSERT_EQ(uv_signal_start(&c.handle, sig_cb, SIGUSR1), 0);
  raiser_start(&loop, &r, SIGUSR1, 5);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(c.calls, 5);
  ASSERT_EQ(c.last_signum, SIGUSR1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  /* The last handle is gone: the default disposition is back. */
  ASSERT(current_handler(SIGUSR1) == (void*) SIG_DFL);
}

static void test_raise_many_before_run(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  int i;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  ASSERT_EQ(uv_signal_start(&c.handle, sig_cb, SIGUSR1), 0);
  /* raise() delivers synchronously: every one is caught, none is merged. */
  for (i = 0; i < 10; i++)
    ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(c.calls, 0); /* nothing runs outside the loop */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(c.calls, 10);
  finish_loop(&loop);
}

static void test_several_handles_and_signals(void) {
  uv_loop_t loop;
  struct sig_ctx c[4];
  struct raiser r1, r2;
  int i;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < 4; i++) {
    ctx_init(&loop, &c[i]);
    c[i].close_after = 3;
    ASSERT_EQ(uv_signal_start(&c[i].handle, sig_cb, i < 2 ? SIGUSR1 : SIGUSR2), 0);
  }
  raiser_start(&loop, &r1, SIGUSR1, 3);
  raiser_start(&loop, &r2, SIGUSR2, 3);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  for (i = 0; i < 4; i++) {
    ASSERT_EQ(c[i].calls, 3);
    ASSERT_EQ(c[i].last_signum, i < 2 ? SIGUSR1 : SIGUSR2);
  }
  ASSERT_EQ(uv_loop_close(&loop), 0);
  ASSERT(current_handler(SIGUSR1) == (void*) SIG_DFL);
  ASSERT(current_handler(SIGUSR2) == (void*) SIG_DFL);
}

static void test_oneshot(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  struct raiser r;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  /* SIGWINCH is ignored by default, so signals after the one-shot are harmless. */
  ASSERT_EQ(uv_signal_start_oneshot(&c.handle, sig_cb, SIGWINCH), 0);
  ASSERT_EQ(c.handle.signum, SIGWINCH);
  raiser_start(&loop, &r, SIGWINCH, 5);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(c.calls, 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &c.handle), 0);
  ASSERT_EQ(c.handle.signum, 0);
  ASSERT(current_handler(SIGWINCH) == (void*) SIG_DFL);
  /* Restarted, it fires once more. */
  ASSERT_EQ(uv_signal_start_oneshot(&c.handle, sig_cb, SIGWINCH), 0);
  raiser_start(&loop, &r, SIGWINCH, 3);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(c.calls, 2);
  finish_loop(&loop);
}

static void test_oneshot_and_regular(void) {
  uv_loop_t loop;
  struct sig_ctx once1, once2, reg;
  struct raiser r;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &once1);
  ctx_init(&loop, &once2);
  ctx_init(&loop, &reg);
  reg.close_after = 4;
  ASSERT_EQ(uv_signal_start_oneshot(&once1.handle, sig_cb, SIGWINCH), 0);
  ASSERT_EQ(uv_signal_start(&reg.handle, sig_cb, SIGWINCH), 0);
  ASSERT_EQ(uv_signal_start_oneshot(&once2.handle, sig_cb, SIGWINCH), 0);
  raiser_start(&loop, &r, SIGWINCH, 4);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(once1.calls, 1);
  ASSERT_EQ(once2.calls, 1);
  ASSERT_EQ(reg.calls, 4);
  finish_loop(&loop);
}

static void test_restart_same_and_other(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  ASSERT_EQ(uv_signal_start(&c.handle, never_cb, SIGUSR1), 0);
  /* Same signal: only the callback changes. */
  ASSERT_EQ(uv_signal_start(&c.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(c.calls, 1);
  /* Another signal: the first one is no longer watched (and back to its default). */
  ASSERT_EQ(uv_signal_start(&c.handle, sig_cb, SIGUSR2), 0);
  ASSERT_EQ(c.handle.signum, SIGUSR2);
  ASSERT(current_handler(SIGUSR1) == (void*) SIG_DFL);
  ASSERT(current_handler(SIGUSR2) != (void*) SIG_DFL);
  ASSERT_EQ(raise(SIGUSR2), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(c.calls, 2);
  ASSERT_EQ(c.last_signum, SIGUSR2);
  finish_loop(&loop);
  ASSERT(current_handler(SIGUSR2) == (void*) SIG_DFL);
}

static void test_started_after_catch(void) {
  uv_loop_t loop;
  struct sig_ctx early, late;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &early);
  ctx_init(&loop, &late);
  ASSERT_EQ(uv_signal_start(&early.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  /* Caught before `late` started: only `early` gets it. */
  ASSERT_EQ(uv_signal_start(&late.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(early.calls, 1);
  ASSERT_EQ(late.calls, 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(early.calls, 2);
  ASSERT_EQ(late.calls, 1);
  finish_loop(&loop);
}

static int close_cb_calls;
static void count_close_cb(uv_handle_t* h) {
  (void) h;
  close_cb_calls++;
}

static void test_close_with_pending_signal(void) {
  uv_loop_t loop;
  uv_signal_t h, keep;
  struct sig_ctx other;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(uv_signal_init(&loop, &keep), 0);
  ctx_init(&loop, &other);
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_signal_start(&keep, never_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_signal_start(&other.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  /* Caught, not yet dispatched: closing (or stopping) means it never runs. */
  close_cb_calls = 0;
  uv_close((uv_handle_t*) &h, count_close_cb);
  ASSERT_EQ(uv_signal_stop(&keep), 0);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &h), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(other.calls, 1);
  ASSERT_EQ(close_cb_calls, 1);
  finish_loop(&loop);
}

static void test_close_only_handle_pending(void) {
  uv_loop_t loop;
  uv_signal_t h;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGUSR2), 0);
  ASSERT_EQ(raise(SIGUSR2), 0);
  close_cb_calls = 0;
  uv_close((uv_handle_t*) &h, count_close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_calls, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  ASSERT(current_handler(SIGUSR2) == (void*) SIG_DFL);
}

static void stop_loop_cb(uv_signal_t* h, int signum) {
  ASSERT_EQ(signum, SIGUSR1);
  uv_stop(h->loop);
}

static void test_unref(void) {
  uv_loop_t loop;
  uv_signal_t h;
  struct raiser r;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(uv_signal_start(&h, stop_loop_cb, SIGUSR1), 0);
  uv_unref((uv_handle_t*) &h);
  /* Not referenced: the loop is not alive on its account. */
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  /* Still delivered while something else keeps the loop running. */
  raiser_start(&loop, &r, SIGUSR1, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  finish_loop(&loop);
}

static void test_two_loops_one_thread(void) {
  uv_loop_t a, b;
  struct sig_ctx ca, cb;
  ASSERT_EQ(uv_loop_init(&a), 0);
  ASSERT_EQ(uv_loop_init(&b), 0);
  ctx_init(&a, &ca);
  ctx_init(&b, &cb);
  ASSERT_EQ(uv_signal_start(&ca.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_signal_start(&cb.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(uv_run(&a, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(ca.calls, 1);
  ASSERT_EQ(cb.calls, 0);
  ASSERT_EQ(uv_run(&b, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(cb.calls, 1);
  /* Closing one loop's handle leaves the other loop's handler installed. */
  uv_close((uv_handle_t*) &ca.handle, NULL);
  ASSERT_EQ(uv_run(&a, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&a), 0);
  ASSERT(current_handler(SIGUSR1) != (void*) SIG_DFL);
  ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(uv_run(&b, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(cb.calls, 2);
  finish_loop(&b);
  ASSERT(current_handler(SIGUSR1) == (void*) SIG_DFL);
}

/* Two loops on two threads; the main thread signals the process once both are ready. */
struct thread_loop {
  uv_loop_t loop;
  struct sig_ctx ctx;
};

static void thread_loop_main(void* arg) {
  struct thread_loop* t = (struct thread_loop*) arg;
  ASSERT_EQ(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
}

static void test_two_loops_two_threads(void) {
  struct thread_loop t[2];
  uv_thread_t tid[2];
  int i, round;
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(uv_loop_init(&t[i].loop), 0);
    ctx_init(&t[i].loop, &t[i].ctx);
    t[i].ctx.close_after = 1;
  }
  for (round = 0; round < 3; round++) {
    for (i = 0; i < 2; i++) {
      t[i].ctx.calls = 0;
      if (round > 0)
        ASSERT_EQ(uv_signal_init(&t[i].loop, &t[i].ctx.handle), 0);
      t[i].ctx.handle.data = &t[i].ctx;
      ASSERT_EQ(uv_signal_start(&t[i].ctx.handle, sig_cb, SIGUSR2), 0);
      ASSERT_EQ(uv_thread_create(&tid[i], thread_loop_main, &t[i]), 0);
    }
    /* Both handles are started: a process-directed signal reaches both loops, whichever
     * thread runs the handler. */
    ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
    for (i = 0; i < 2; i++) {
      ASSERT_EQ(uv_thread_join(&tid[i]), 0);
      ASSERT_EQ(t[i].ctx.calls, 1);
    }
  }
  for (i = 0; i < 2; i++)
    ASSERT_EQ(uv_loop_close(&t[i].loop), 0);
}

static void sender_thread(void* arg) {
  int n = *(int*) arg;
  int i;
  for (i = 0; i < n; i++)
    ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
}

static void stop_at_least_cb(uv_signal_t* h, int signum) {
  struct sig_ctx* c = (struct sig_ctx*) h->data;
  (void) signum;
  c->calls++;
  uv_close((uv_handle_t*) h, NULL);
}

static void test_signal_from_other_thread(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  uv_thread_t tid;
  int n = 1;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  ASSERT_EQ(uv_signal_start(&c.handle, stop_at_least_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_thread_create(&tid, sender_thread, &n), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(c.calls, 1);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_loop_close_busy(void) {
  uv_loop_t loop;
  uv_signal_t h;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &h), 0);
  ASSERT_EQ(uv_signal_start(&h, never_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  uv_close((uv_handle_t*) &h, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  ASSERT(current_handler(SIGUSR1) == (void*) SIG_DFL);
}

static void test_stop_in_callback_order(void) {
  uv_loop_t loop;
  struct sig_ctx c1, c2;
  int i;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c1);
  ctx_init(&loop, &c2);
  c1.stop_after = 2;
  ASSERT_EQ(uv_signal_start(&c1.handle, sig_cb, SIGUSR1), 0);
  ASSERT_EQ(uv_signal_start(&c2.handle, sig_cb, SIGUSR1), 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(raise(SIGUSR1), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  /* c1 stopped itself after its second signal and saw no more. */
  ASSERT_EQ(c1.calls, 2);
  ASSERT_EQ(c2.calls, 4);
  finish_loop(&loop);
}

static void test_uv_kill(void) {
  ASSERT_EQ(uv_kill(uv_os_getpid(), 0), 0);
  ASSERT_EQ(uv_kill(uv_os_getpid(), -1), UV_EINVAL);
  ASSERT_EQ(uv_kill(uv_os_getpid(), 4096), UV_EINVAL);
  /* A pid that cannot exist (above pid_max). */
  ASSERT_EQ(uv_kill(0x7ffffff0, 0), UV_ESRCH);
}

static void test_kill_self_delivered(void) {
  uv_loop_t loop;
  struct sig_ctx c;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ctx_init(&loop, &c);
  c.close_after = 1;
  ASSERT_EQ(uv_signal_start(&c.handle, sig_cb, SIGHUP), 0);
  ASSERT_EQ(uv_kill(uv_os_getpid(), SIGHUP), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(c.calls, 1);
  ASSERT_EQ(c.last_signum, SIGHUP);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(init_state),
    TEST(bad_signum),
    TEST(deliver_in_poll),
    TEST(raise_many_before_run),
    TEST(several_handles_and_signals),
    TEST(oneshot),
    TEST(oneshot_and_regular),
    TEST(restart_same_and_other),
    TEST(started_after_catch),
    TEST(close_with_pending_signal),
    TEST(close_only_handle_pending),
    TEST(unref),
    TEST(two_loops_one_thread),
    TEST(two_loops_two_threads),
    TEST(signal_from_other_thread),
    TEST(loop_close_busy),
    TEST(stop_in_callback_order),
    TEST(uv_kill),
    TEST(kill_self_delivered),
};

RSUV_TEST_MAIN(tests)
