/* loop_common.h - helpers of the loop-core tests (test_loop.c, test_timer.c, test_async.c).
 *
 * Those programs check the loop core as a libuv user sees it, written against libuv 1.44's
 * documented behaviour and checked against the real libuv, e.g.
 *   cc -std=gnu11 -Wall -Wextra -Werror -Ic_tests c_tests/test_timer.c -o /tmp/tt -luv -lpthread
 * They run on c_tests/runner.h (a forked child per test, RSUV_TEST_ALARM, RSUV_TEST_NOFORK,
 * test names as arguments; see there).
 */
#ifndef RSUV_C_TESTS_LOOP_COMMON_H
#define RSUV_C_TESTS_LOOP_COMMON_H

/* Each program that includes this uses only some of the helpers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

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

#pragma GCC diagnostic pop

#endif /* RSUV_C_TESTS_LOOP_COMMON_H */
