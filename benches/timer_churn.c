/* timer_churn.c - timer start/fire and start/stop throughput.
 *
 *   timer_churn       BENCH_TIMERS (default 1,000,000) timers started and fired: 1,000
 *                     handles, each restarting itself with timeout 0 from its callback.
 *   timer_start_stop  the same number of uv_timer_start + uv_timer_stop pairs on 10,000
 *                     pending timers with spread-out due times (the timer heap's cost).
 *   million_timers_cpu  libuv's million_timers workload (BENCH_MT timers, default
 *                     2,000,000, a thousand per millisecond of timeout, all pending at
 *                     once; init, start, fire, close) in timers per second of CPU time
 *                     (user + system, getrusage). libuv's own benchmark reports the wall
 *                     time, which the timeouts fix at BENCH_MT / 1,000 ms for any
 *                     implementation; the CPU spent is what the implementation decides.
 */
#include "bench.h"

#include <stdlib.h>
#include <sys/resource.h>

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

static double cpu_seconds(void) {
  struct rusage ru;
  BENCH_ASSERT(getrusage(RUSAGE_SELF, &ru) == 0);
  return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
         (double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
}

static long mt_fired, mt_closed;
static void mt_cb(uv_timer_t* t) {
  (void) t;
  mt_fired++;
}
static void mt_close_cb(uv_handle_t* h) {
  (void) h;
  mt_closed++;
}

static void million_timers_cpu(void) {
  long n = bench_env("BENCH_MT", 2000000), i;
  uint64_t timeout = 0;
  uv_loop_t loop;
  uv_timer_t* timers = malloc((size_t) n * sizeof(*timers));
  double c0, c1;
  BENCH_ASSERT(timers != NULL);
  BENCH_CHECK(uv_loop_init(&loop));
  c0 = cpu_seconds();
  for (i = 0; i < n; i++) {
    if (i % 1000 == 0)
      timeout++;
    BENCH_CHECK(uv_timer_init(&loop, &timers[i]));
    BENCH_CHECK(uv_timer_start(&timers[i], mt_cb, timeout, 0));
  }
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  for (i = 0; i < n; i++)
    uv_close((uv_handle_t*) &timers[i], mt_close_cb);
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  c1 = cpu_seconds();
  BENCH_ASSERT(mt_fired == n && mt_closed == n);
  bench_report("million_timers_cpu", (double) n / (c1 - c0), "timers/cpu-s");
  BENCH_CHECK(uv_loop_close(&loop));
  free(timers);
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

  million_timers_cpu();
  return 0;
}
