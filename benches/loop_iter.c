/* loop_iter.c - the cost of one loop iteration.
 *
 *   loop_nowait_idle     uv_run(UV_RUN_NOWAIT) calls per second with one active idle handle
 *                        (a full iteration each: timers, idle, prepare, poll(0), check, closing)
 *   loop_nowait_empty    uv_run(UV_RUN_NOWAIT) calls per second on a loop with nothing in it
 *   loop_default_idle    iterations per second inside one uv_run(UV_RUN_DEFAULT), counted by an
 *                        idle callback (libuv's loop_count benchmark)
 * BENCH_ITERS (default 2,000,000) iterations each.
 */
#include "bench.h"

static long idle_count, idle_target;

static void idle_cb(uv_idle_t* h) {
  (void) h;
}

static void counting_idle_cb(uv_idle_t* h) {
  if (++idle_count == idle_target)
    uv_idle_stop(h);
}

int main(void) {
  uv_loop_t loop;
  uv_idle_t idle;
  uint64_t t0, t1;
  long i, n;

  n = bench_env("BENCH_ITERS", 2000000);
  BENCH_CHECK(uv_loop_init(&loop));
  BENCH_CHECK(uv_idle_init(&loop, &idle));

  BENCH_CHECK(uv_idle_start(&idle, idle_cb));
  t0 = bench_ns();
  for (i = 0; i < n; i++)
    uv_run(&loop, UV_RUN_NOWAIT);
  t1 = bench_ns();
  bench_report("loop_nowait_idle", (double) n / ((double) (t1 - t0) / 1e9), "iterations/s");
  BENCH_CHECK(uv_idle_stop(&idle));

  t0 = bench_ns();
  for (i = 0; i < n; i++)
    uv_run(&loop, UV_RUN_NOWAIT);
  t1 = bench_ns();
  bench_report("loop_nowait_empty", (double) n / ((double) (t1 - t0) / 1e9), "calls/s");

  idle_target = n;
  BENCH_CHECK(uv_idle_start(&idle, counting_idle_cb));
  t0 = bench_ns();
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  t1 = bench_ns();
  BENCH_ASSERT(idle_count == n);
  bench_report("loop_default_idle", (double) n / ((double) (t1 - t0) / 1e9), "iterations/s");

  uv_close((uv_handle_t*) &idle, NULL);
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
