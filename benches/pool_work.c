/* pool_work.c - thread-pool throughput with tiny work items (uv_queue_work).
 *
 *   pool_work_1loop   BENCH_WORK_ITEMS (default 1,000,000) items from one loop, 256 in flight:
 *                     each completion submits the next one
 *   pool_work_4loops  the same total split over 4 loops on 4 threads at once
 * Items per second, submission to after-work callback. The pool has UV_THREADPOOL_SIZE
 * threads (default 4).
 */
#include "bench.h"

#define WINDOW 256
#define LOOPS 4

struct runner {
  uv_loop_t loop;
  uv_work_t reqs[WINDOW];
  long target, submitted, done;
  uv_thread_t thread;
};

static void work_cb(uv_work_t* req) {
  /* A tiny bit of work that the compiler cannot drop. */
  volatile long* p = (volatile long*) &req->data;
  (void) *p;
}

static void after_cb(uv_work_t* req, int status) {
  struct runner* r = req->loop->data;
  BENCH_CHECK(status);
  r->done++;
  if (r->submitted < r->target) {
    r->submitted++;
    BENCH_CHECK(uv_queue_work(&r->loop, req, work_cb, after_cb));
  }
}

static void run_runner(void* arg) {
  struct runner* r = arg;
  int i;
  for (i = 0; i < WINDOW && r->submitted < r->target; i++) {
    r->submitted++;
    BENCH_CHECK(uv_queue_work(&r->loop, &r->reqs[i], work_cb, after_cb));
  }
  BENCH_CHECK(uv_run(&r->loop, UV_RUN_DEFAULT));
  BENCH_ASSERT(r->done == r->target);
}

static struct runner runners[LOOPS];

int main(void) {
  uint64_t t0, t1;
  long n = bench_env("BENCH_WORK_ITEMS", 1000000);
  int i;

  /* Warm up: the pool starts its threads on first use. */
  runners[0].target = WINDOW;
  BENCH_CHECK(uv_loop_init(&runners[0].loop));
  runners[0].loop.data = &runners[0];
  run_runner(&runners[0]);
  BENCH_CHECK(uv_loop_close(&runners[0].loop));

  runners[0].target = n;
  runners[0].submitted = runners[0].done = 0;
  BENCH_CHECK(uv_loop_init(&runners[0].loop));
  runners[0].loop.data = &runners[0];
  t0 = bench_ns();
  run_runner(&runners[0]);
  t1 = bench_ns();
  bench_report("pool_work_1loop", (double) n / ((double) (t1 - t0) / 1e9), "items/s");
  BENCH_CHECK(uv_loop_close(&runners[0].loop));

  for (i = 0; i < LOOPS; i++) {
    runners[i].target = n / LOOPS;
    runners[i].submitted = runners[i].done = 0;
    BENCH_CHECK(uv_loop_init(&runners[i].loop));
    runners[i].loop.data = &runners[i];
  }
  t0 = bench_ns();
  for (i = 0; i < LOOPS; i++)
    BENCH_CHECK(uv_thread_create(&runners[i].thread, run_runner, &runners[i]));
  for (i = 0; i < LOOPS; i++)
    BENCH_CHECK(uv_thread_join(&runners[i].thread));
  t1 = bench_ns();
  bench_report("pool_work_4loops", (double) (n / LOOPS * LOOPS) / ((double) (t1 - t0) / 1e9), "items/s");
  for (i = 0; i < LOOPS; i++)
    BENCH_CHECK(uv_loop_close(&runners[i].loop));
  return 0;
}
