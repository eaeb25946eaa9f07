/* fs_stat.c - asynchronous uv_fs_stat throughput through the thread pool:
 * BENCH_STATS (default 100,000) stats of one path, 64 requests in flight.
 *
 *   fs_stat_async   stats per second, submission to callback
 *   fs_stat_sync    the same with a NULL callback (run on the calling thread)
 */
#include "bench.h"

#define INFLIGHT 64

static uv_fs_t reqs[INFLIGHT];
static long total, submitted, done;
static const char* path;

static void stat_cb(uv_fs_t* req) {
  BENCH_CHECK((int) req->result);
  uv_fs_req_cleanup(req);
  done++;
  if (submitted < total) {
    submitted++;
    BENCH_CHECK(uv_fs_stat(req->loop, req, path, stat_cb));
  }
}

int main(int argc, char** argv) {
  uv_loop_t loop;
  uv_fs_t sreq;
  uint64_t t0, t1;
  long i, n;

  (void) argc;
  path = argv[0];
  total = bench_env("BENCH_STATS", 100000);
  BENCH_CHECK(uv_loop_init(&loop));
#if UV_VERSION_HEX >= 0x013100
  /* libuv >= 1.49's io_uring opt-in (with UV_USE_IO_URING=1): benches/run.sh --ref. */
  if (bench_env("BENCH_SQPOLL", 0))
    BENCH_CHECK(uv_loop_configure(&loop, UV_LOOP_USE_IO_URING_SQPOLL));
#endif

  t0 = bench_ns();
  for (i = 0; i < INFLIGHT && submitted < total; i++) {
    submitted++;
    BENCH_CHECK(uv_fs_stat(&loop, &reqs[i], path, stat_cb));
  }
  BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  t1 = bench_ns();
  BENCH_ASSERT(done == total);
  bench_report("fs_stat_async", (double) total / ((double) (t1 - t0) / 1e9), "stats/s");

  n = total;
  t0 = bench_ns();
  for (i = 0; i < n; i++) {
    BENCH_CHECK(uv_fs_stat(&loop, &sreq, path, NULL));
    uv_fs_req_cleanup(&sreq);
  }
  t1 = bench_ns();
  bench_report("fs_stat_sync", (double) n / ((double) (t1 - t0) / 1e9), "stats/s");

  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
