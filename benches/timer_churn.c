/* timer_churn.c - timer start/fire and start/stop throughput.
 *
 *   timer_churn       BENCH_TIMERS (default 1,000,000) timers started and fired: 1,000
 *                     handles, each restarting itself with timeout 0 from its callback.
 *   timer_start_stop  the same number of uv_timer_start + uv_timer_stop pairs on 10,000
 *                     pending timers with spread-out due times (the timer heap's cost).
 */
#include "bench.h"

#define HANDLES 1000
#define PENDING 10000

static long total, started, fired;

static void churn_cb(uv_timer_t* t) {
  fired++;
  if (started < total) {
    started++;
    BENCH_CHECK(uv_timer_start(t, churn_cb, 0, 0));
  }
}

static void noop_cb(uv_timer_t* t) {
  (void) t;
}

static void close_walk(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

int main(void) {
  static uv_timer_t handles[HANDLES];
  static uv_timer_t pending[PENDING];
  uv_loop_t loop;
  uint64_t t0, t1;
  long i, n;

  total = bench_env("BENCH_TIMERS", 1000000);
  BENCH_CHECK(uv_loop_init(&loop));

  for (i = 0; i < HANDLES; i++)
    BENCH_CHECK(uv_timer_init(&loop, &handles[i]));
  t0 = bench_ns();
  for (i = 0; i < HANDLES && started < total; i++) {
    started++;
    BENCH_CHECK(uv_timer_start(&handles[i], churn_cb, 0, 0));
  }
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  t1 = bench_ns();
  BENCH_ASSERT(fired == total);
  bench_report("timer_churn", (double) total / ((double) (t1 - t0) / 1e9), "timers/s");

  for (i = 0; i < PENDING; i++)
    BENCH_CHECK(uv_timer_init(&loop, &pending[i]));
  n = 0;
  t0 = bench_ns();
  while (n < total) {
    for (i = 0; i < PENDING && n < total; i++, n++)
      BENCH_CHECK(uv_timer_start(&pending[i], noop_cb, 1000000 + (uint64_t) ((i * 7919) % PENDING), 0));
    for (i = 0; i < PENDING; i++)
      BENCH_CHECK(uv_timer_stop(&pending[i]));
  }
  t1 = bench_ns();
  bench_report("timer_start_stop", (double) total / ((double) (t1 - t0) / 1e9), "pairs/s");

  uv_walk(&loop, close_walk, NULL);
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
