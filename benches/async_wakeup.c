/* async_wakeup.c - cross-thread wake-ups with uv_async_send.
 *
 *   async_roundtrip      a thread sends, the loop's callback posts a semaphore, the thread waits
 *                        for it and sends again: BENCH_ASYNC_ROUNDS (default 100,000) round trips
 *   async_pummel_cbs     4 threads send as fast as they can for BENCH_PUMMEL_MS (default 1000):
 *   async_pummel_sends   callbacks per second on the loop, and uv_async_send calls per second
 */
#include "bench.h"

#include <semaphore.h>
#include <stdatomic.h>

#define PUMMEL_THREADS 4

static uv_async_t rt_async;
static sem_t rt_sem;
static long rt_rounds, rt_callbacks;

static void rt_thread(void* arg) {
  long i;
  (void) arg;
  for (i = 0; i < rt_rounds; i++) {
    BENCH_CHECK(uv_async_send(&rt_async));
    while (sem_wait(&rt_sem) != 0) {
    }
  }
}

static void rt_cb(uv_async_t* h) {
  rt_callbacks++;
  if (rt_callbacks == rt_rounds)
    uv_close((uv_handle_t*) h, NULL);
  sem_post(&rt_sem);
}

static uv_async_t pm_async;
static uv_timer_t pm_timer;
static atomic_int pm_stop;
static long pm_callbacks;
static long pm_sends[PUMMEL_THREADS];
static uv_thread_t pm_threads[PUMMEL_THREADS];

static void pm_thread(void* arg) {
  long* sends = arg;
  long n = 0;
  while (!atomic_load_explicit(&pm_stop, memory_order_relaxed)) {
    BENCH_CHECK(uv_async_send(&pm_async));
    n++;
  }
  *sends = n;
}

static void pm_cb(uv_async_t* h) {
  (void) h;
  pm_callbacks++;
}

static void pm_timer_cb(uv_timer_t* t) {
  int i;
  atomic_store(&pm_stop, 1);
  for (i = 0; i < PUMMEL_THREADS; i++)
    BENCH_CHECK(uv_thread_join(&pm_threads[i]));
  uv_close((uv_handle_t*) &pm_async, NULL);
  uv_close((uv_handle_t*) t, NULL);
}

int main(void) {
  uv_loop_t loop;
  uv_thread_t th;
  uint64_t t0, t1;
  long ms, sends = 0;
  double secs;
  int i;

  BENCH_CHECK(uv_loop_init(&loop));

  rt_rounds = bench_env("BENCH_ASYNC_ROUNDS", 100000);
  BENCH_ASSERT(sem_init(&rt_sem, 0, 0) == 0);
  BENCH_CHECK(uv_async_init(&loop, &rt_async, rt_cb));
  t0 = bench_ns();
  BENCH_CHECK(uv_thread_create(&th, rt_thread, NULL));
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  t1 = bench_ns();
  BENCH_CHECK(uv_thread_join(&th));
  BENCH_ASSERT(rt_callbacks == rt_rounds);
  bench_report("async_roundtrip", (double) rt_rounds / ((double) (t1 - t0) / 1e9), "roundtrips/s");

  ms = bench_env("BENCH_PUMMEL_MS", 1000);
  BENCH_CHECK(uv_async_init(&loop, &pm_async, pm_cb));
  BENCH_CHECK(uv_timer_init(&loop, &pm_timer));
  BENCH_CHECK(uv_timer_start(&pm_timer, pm_timer_cb, (uint64_t) ms, 0));
  t0 = bench_ns();
  for (i = 0; i < PUMMEL_THREADS; i++)
    BENCH_CHECK(uv_thread_create(&pm_threads[i], pm_thread, &pm_sends[i]));
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  t1 = bench_ns();
  for (i = 0; i < PUMMEL_THREADS; i++)
    sends += pm_sends[i];
  secs = (double) (t1 - t0) / 1e9;
  bench_report("async_pummel_cbs", (double) pm_callbacks / secs, "callbacks/s");
  bench_report("async_pummel_sends", (double) sends / secs, "sends/s");

  BENCH_CHECK(uv_loop_close(&loop));
  sem_destroy(&rt_sem);
  return 0;
}
