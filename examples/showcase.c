/* rsuv showcase: the event loop at work.
 *
 * One loop, and on it:
 *   - a repeating timer, the loop's heartbeat, ticking every 20 ms;
 *   - an idle handle counting the loop iterations spent with nothing else to do;
 *   - a worker thread (uv_thread_create) reporting progress through uv_async_send;
 *   - CPU work on the thread pool (uv_queue_work: counting primes) and file reads
 *     (uv_fs_open / uv_fs_read / uv_fs_close, asynchronous, 64 KiB at a time).
 *
 * The heartbeat keeps ticking while the pool crunches and the files are read: the loop
 * thread never blocks. At the end the program prints what happened and the largest gap
 * between two heartbeats, and exits 0 only if every part did its job.
 *
 * Build and run: see README.md (examples/run-showcase.sh). Works unchanged on libuv.
 */
#include "uv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 20
#define PRIME_JOBS 8
#define PRIME_LIMIT 400000
#define READ_SIZE (64 * 1024)

static uv_loop_t* loop;
static uv_timer_t heartbeat;
static uv_idle_t idler;
static uv_async_t progress;
static uv_thread_t worker;
static uv_mutex_t progress_lock;

static uint64_t start_ms;
static uint64_t last_tick_ms;
static uint64_t max_gap_ms;
static unsigned ticks;
static unsigned long idle_iterations;
static unsigned progress_callbacks;
static int worker_step;       /* written by the worker under progress_lock */
static int worker_step_seen;  /* last step the loop reported */

/* ---- thread pool: count primes below PRIME_LIMIT in PRIME_JOBS slices ---- */

typedef struct {
  uv_work_t req;
  int index;
  long lo, hi, primes;
  uv_thread_t ran_on;
} prime_job_t;

static prime_job_t jobs[PRIME_JOBS];
static int jobs_done;
static long primes_total;
static int jobs_off_loop_thread;
static uv_thread_t loop_thread;

static int is_prime(long n) {
  if (n < 2) return 0;
  for (long d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

static void prime_work(uv_work_t* req) {
  prime_job_t* job = (prime_job_t*) req->data;
  job->ran_on = uv_thread_self();
  for (long n = job->lo; n < job->hi; n++)
    job->primes += is_prime(n);
}

static void prime_done(uv_work_t* req, int status) {
  prime_job_t* job = (prime_job_t*) req->data;
  if (status != 0) {
    fprintf(stderr, "job %d failed: %s\n", job->index, uv_strerror(status));
    return;
  }
  jobs_done++;
  primes_total += job->primes;
  if (!uv_thread_equal(&job->ran_on, &loop_thread)) jobs_off_loop_thread++;
  printf("[%5llu ms] pool job %d done: %ld primes in [%ld, %ld)\n",
         (unsigned long long) (uv_now(loop) - start_ms), job->index, job->primes,
         job->lo, job->hi);
}

/* ---- file system: read a file asynchronously, 64 KiB per request ---- */

static uv_fs_t open_req, read_req, close_req;
static char read_buf[READ_SIZE];
static uv_buf_t read_iov;
static int64_t bytes_read;
static int reads;
static int file_done;
static const char* file_path;

static void on_read(uv_fs_t* req);

static void on_close(uv_fs_t* req) {
  uv_fs_req_cleanup(req);
  file_done = 1;
  printf("[%5llu ms] fs: read %lld bytes of %s in %d requests\n",
         (unsigned long long) (uv_now(loop) - start_ms), (long long) bytes_read,
         file_path, reads);
}

static void on_read(uv_fs_t* req) {
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  if (n < 0) {
    fprintf(stderr, "read failed: %s\n", uv_strerror((int) n));
    uv_fs_close(loop, &close_req, (uv_file) open_req.result, on_close);
    return;
  }
  if (n == 0) {
    uv_fs_close(loop, &close_req, (uv_file) open_req.result, on_close);
    return;
  }
  bytes_read += n;
  reads++;
  uv_fs_read(loop, &read_req, (uv_file) open_req.result, &read_iov, 1, -1, on_read);
}

static void on_open(uv_fs_t* req) {
  if (req->result < 0) {
    fprintf(stderr, "open %s failed: %s\n", file_path, uv_strerror((int) req->result));
    uv_fs_req_cleanup(req);
    file_done = -1;
    return;
  }
  read_iov = uv_buf_init(read_buf, sizeof(read_buf));
  uv_fs_read(loop, &read_req, (uv_file) req->result, &read_iov, 1, -1, on_read);
  uv_fs_req_cleanup(req);
}

/* ---- the worker thread and its async progress reports ---- */

static void worker_main(void* arg) {
  (void) arg;
  for (int step = 1; step <= 5; step++) {
    uv_sleep(15);
    uv_mutex_lock(&progress_lock);
    worker_step = step;
    uv_mutex_unlock(&progress_lock);
    uv_async_send(&progress);
  }
}

static void on_progress(uv_async_t* handle) {
  (void) handle;
  uv_mutex_lock(&progress_lock);
  int step = worker_step;
  uv_mutex_unlock(&progress_lock);
  progress_callbacks++;
  if (step != worker_step_seen) {
    printf("[%5llu ms] worker thread: step %d of 5\n",
           (unsigned long long) (uv_now(loop) - start_ms), step);
    worker_step_seen = step;
  }
  if (step == 5) uv_close((uv_handle_t*) &progress, NULL);
}

/* ---- heartbeat and idle ---- */

static void on_idle(uv_idle_t* handle) {
  (void) handle;
  idle_iterations++;
}

static void on_tick(uv_timer_t* handle) {
  uint64_t now = uv_now(loop);
  uint64_t gap = now - last_tick_ms;
  if (gap > max_gap_ms) max_gap_ms = gap;
  last_tick_ms = now;
  ticks++;
  if (ticks % 10 == 0)
    printf("[%5llu ms] heartbeat %u\n", (unsigned long long) (now - start_ms), ticks);
  int all_done = jobs_done == PRIME_JOBS && file_done != 0 && worker_step_seen == 5;
  if (all_done && ticks >= 10) {
    uv_timer_stop(handle);
    uv_idle_stop(&idler);
  }
}

int main(int argc, char** argv) {
  file_path = argc > 1 ? argv[1] : argv[0];
  loop = uv_default_loop();
  loop_thread = uv_thread_self();
  start_ms = last_tick_ms = uv_now(loop);
  printf("rsuv showcase on libuv API %s\n", uv_version_string());

  uv_mutex_init(&progress_lock);
  uv_timer_init(loop, &heartbeat);
  uv_timer_start(&heartbeat, on_tick, TICK_MS, TICK_MS);
  uv_idle_init(loop, &idler);
  uv_idle_start(&idler, on_idle);
  uv_async_init(loop, &progress, on_progress);
  uv_thread_create(&worker, worker_main, NULL);

  long slice = PRIME_LIMIT / PRIME_JOBS;
  for (int i = 0; i < PRIME_JOBS; i++) {
    jobs[i].index = i;
    jobs[i].lo = i * slice;
    jobs[i].hi = (i + 1) * slice;
    jobs[i].req.data = &jobs[i];
    uv_queue_work(loop, &jobs[i].req, prime_work, prime_done);
  }
  uv_fs_open(loop, &open_req, file_path, UV_FS_O_RDONLY, 0, on_open);

  uv_run(loop, UV_RUN_DEFAULT);
  uv_thread_join(&worker);

  uv_close((uv_handle_t*) &heartbeat, NULL);
  uv_close((uv_handle_t*) &idler, NULL);
  uv_run(loop, UV_RUN_DEFAULT);
  int close_rc = uv_loop_close(loop);
  uv_mutex_destroy(&progress_lock);
  uv_library_shutdown();

  printf("\nsummary\n");
  printf("  heartbeats: %u, largest gap %llu ms (interval %d ms)\n", ticks,
         (unsigned long long) max_gap_ms, TICK_MS);
  printf("  idle iterations: %lu\n", idle_iterations);
  printf("  worker progress callbacks: %u (5 sends, coalescing allowed)\n", progress_callbacks);
  printf("  pool jobs: %d of %d, %d ran off the loop thread, %ld primes below %d\n", jobs_done,
         PRIME_JOBS, jobs_off_loop_thread, primes_total, PRIME_LIMIT);
  printf("  file: %lld bytes read\n", (long long) bytes_read);

  int ok = close_rc == 0 && ticks >= 10 && idle_iterations > 0 && worker_step_seen == 5 &&
           progress_callbacks >= 1 && progress_callbacks <= 5 && jobs_done == PRIME_JOBS &&
           jobs_off_loop_thread == PRIME_JOBS && primes_total == 33860 && file_done == 1 &&
           bytes_read > 0;
  printf("%s\n", ok ? "showcase: all parts did their job" : "showcase: FAILED");
  return ok ? 0 : 1;
}
