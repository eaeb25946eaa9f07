/* work_latency.c - latency of one uv_queue_work round trip on an otherwise idle pool:
 * submission to after-work callback, one at a time, BENCH_LATENCY_ROUNDS (default 10,000).
 *
 *   work_latency_median   median, microseconds (lower is better)
 *   work_latency_p99      99th percentile, microseconds
 */
#include "bench.h"

#include <string.h>

static uint64_t* samples;
static long rounds, done;
static uint64_t started;
static uv_work_t req;

static void work_cb(uv_work_t* r) {
  (void) r;
}

static void after_cb(uv_work_t* r, int status) {
  BENCH_CHECK(status);
  samples[done++] = bench_ns() - started;
  if (done < rounds) {
    started = bench_ns();
    BENCH_CHECK(uv_queue_work(r->loop, r, work_cb, after_cb));
  }
}

static int cmp_u64(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*) a, y = *(const uint64_t*) b;
  return x < y ? -1 : x > y;
}

int main(void) {
  uv_loop_t loop;
  long warm;

  rounds = bench_env("BENCH_LATENCY_ROUNDS", 10000);
  samples = calloc((size_t) rounds, sizeof(*samples));
  BENCH_ASSERT(samples != NULL);
  BENCH_CHECK(uv_loop_init(&loop));

  /* Warm up the pool (thread start-up is not what is measured). */
  warm = rounds;
  rounds = warm < 100 ? warm : 100;
  started = bench_ns();
  BENCH_CHECK(uv_queue_work(&loop, &req, work_cb, after_cb));
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  rounds = warm;
  done = 0;

  started = bench_ns();
  BENCH_CHECK(uv_queue_work(&loop, &req, work_cb, after_cb));
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  BENCH_ASSERT(done == rounds);

  qsort(samples, (size_t) rounds, sizeof(*samples), cmp_u64);
  bench_report("work_latency_median", (double) samples[rounds / 2] / 1e3, "us");
  bench_report("work_latency_p99", (double) samples[rounds * 99 / 100] / 1e3, "us");
  BENCH_CHECK(uv_loop_close(&loop));
  free(samples);
  return 0;
}
