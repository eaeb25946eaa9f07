/* test_metrics.c - uv_metrics_info and uv_metrics_idle_time as docs/src/metrics.rst
 * defines them (libuv 1.45; idle time 1.39): loop_count counts loop iterations (none when
 * the loop has nothing to do), events counts the descriptors whose events were handled,
 * events_waiting those already waiting when the event provider was called (counted only
 * with UV_METRICS_IDLE_TIME, as libuv does), and the idle time is the time spent waiting in
 * the provider, from uv_loop_configure(UV_METRICS_IDLE_TIME) on.
 *
 * Checked against the real libuv 1.53:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude -Ic_tests c_tests/test_metrics.c -luv
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <unistd.h>

#if UV_VERSION_HEX >= 0x012d00

static uv_metrics_t info(uv_loop_t* loop) {
  uv_metrics_t m;
  memset(&m, 0xff, sizeof(m));
  ASSERT_EQ(uv_metrics_info(loop, &m), 0);
  return m;
}

static void close_walk(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void finish(uv_loop_t* loop) {
  uv_walk(loop, close_walk, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

static void idle_cb(uv_idle_t* h) {
  (void) h;
}

static void test_loop_count(void) {
  uv_loop_t loop;
  uv_idle_t idle;
  uv_metrics_t m;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  m = info(&loop);
  ASSERT_EQ(m.loop_count, 0);
  ASSERT_EQ(m.events, 0);
  ASSERT_EQ(m.events_waiting, 0);
  /* Nothing alive: uv_run does not iterate. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(info(&loop).loop_count, 0);
  /* One iteration per NOWAIT/ONCE run while something is alive. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, idle_cb), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  m = info(&loop);
  ASSERT_EQ(m.loop_count, 3);
  ASSERT_EQ(m.events, 0);
  finish(&loop);
}

/* Two pipes, each polled for reading. */
static int fds[2][2];
static uv_poll_t polls[2];
static int poll_calls;

static void poll_cb(uv_poll_t* h, int status, int events) {
  int i = (int) (h - polls);
  char c;
  ASSERT_EQ(status, 0);
  ASSERT(events & UV_READABLE);
  ASSERT_EQ(read(fds[i][0], &c, 1), 1);
  poll_calls++;
}

static void setup_polls(uv_loop_t* loop) {
  int i;
  poll_calls = 0;
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(pipe(fds[i]), 0);
    ASSERT_EQ(uv_poll_init(loop, &polls[i], fds[i][0]), 0);
    ASSERT_EQ(uv_poll_start(&polls[i], UV_READABLE, poll_cb), 0);
  }
}

static void close_pipes(void) {
  int i;
  for (i = 0; i < 2; i++) {
    close(fds[i][0]);
    close(fds[i][1]);
  }
}

static void test_events(void) {
  uv_loop_t loop;
  uv_metrics_t m;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  setup_polls(&loop);
  /* Nothing ready: no event. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(info(&loop).events, 0);
  /* One descriptor ready. */
  ASSERT_EQ(write(fds[0][1], "a", 1), 1);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(poll_calls, 1);
  m = info(&loop);
  ASSERT_EQ(m.events, 1);
  /* Both ready: two events in one iteration. */
  ASSERT_EQ(write(fds[0][1], "b", 1), 1);
  ASSERT_EQ(write(fds[1][1], "c", 1), 1);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(poll_calls, 3);
  m = info(&loop);
  ASSERT_EQ(m.events, 3);
  ASSERT_EQ(m.loop_count, 3);
  /* Without UV_METRICS_IDLE_TIME, libuv does not count waiting events. */
  ASSERT_EQ(m.events_waiting, 0);
  finish(&loop);
  close_pipes();
}

static void late_writer(void* arg) {
  (void) arg;
  usleep(50 * 1000);
  ASSERT_EQ(write(fds[1][1], "z", 1), 1);
}

static void test_events_waiting(void) {
  uv_loop_t loop;
  uv_thread_t tid;
  uv_metrics_t m;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_loop_configure(&loop, UV_METRICS_IDLE_TIME), 0);
  setup_polls(&loop);
  /* Both ready before the provider is called: two events, both waiting. */
  ASSERT_EQ(write(fds[0][1], "a", 1), 1);
  ASSERT_EQ(write(fds[1][1], "b", 1), 1);
  ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  ASSERT_EQ(poll_calls, 2);
  m = info(&loop);
  ASSERT_EQ(m.events, 2);
  ASSERT_EQ(m.events_waiting, 2);
  /* One that arrives while the loop waits: an event, not a waiting one. */
  ASSERT_EQ(uv_thread_create(&tid, late_writer, NULL), 0);
  ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(poll_calls, 3);
  m = info(&loop);
  ASSERT_EQ(m.events, 3);
  ASSERT_EQ(m.events_waiting, 2);
  ASSERT_EQ(m.loop_count, 2);
  finish(&loop);
  close_pipes();
}

static void timer_cb(uv_timer_t* t) {
  uv_close((uv_handle_t*) t, NULL);
}

static void test_idle_time(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uint64_t start, elapsed, idle;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* Not configured: no idle time is kept. */
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, timer_cb, 30, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_metrics_idle_time(&loop), 0);

  ASSERT_EQ(uv_loop_configure(&loop, UV_METRICS_IDLE_TIME), 0);
  ASSERT_EQ(uv_metrics_idle_time(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, timer_cb, 100, 0), 0);
  start = uv_hrtime();
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  elapsed = uv_hrtime() - start;
  idle = uv_metrics_idle_time(&loop);
  /* The loop slept about 100 ms waiting for the timer, and never longer than it ran. */
  ASSERT(idle >= 80 * 1000 * 1000);
  ASSERT(idle <= elapsed);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static const struct test_entry tests[] = {
    TEST(loop_count),
    TEST(events),
    TEST(events_waiting),
    TEST(idle_time),
};

#else
static void test_not_in_this_libuv(void) {}
static const struct test_entry tests[] = {TEST(not_in_this_libuv)};
#endif

RSUV_TEST_MAIN(tests)
