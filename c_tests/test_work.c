/* test_work.c - the thread pool as a libuv user sees it: uv_queue_work, uv_cancel,
 * uv_random, UV_THREADPOOL_SIZE and uv_library_shutdown.
 *
 * Covers: many work items (each work_cb once, off the loop thread; each after_work_cb
 * once, on the loop thread, status 0), NULL work_cb -> UV_EINVAL, NULL after_work_cb, the
 * loop staying alive (and uv_loop_close -> UV_EBUSY) while work is outstanding, uv_cancel
 * (queued work, uv_random -> UV_ECANCELED, delivered while the pool is still saturated;
 * running or finished work -> UV_EBUSY; other request types -> UV_EINVAL), the pool size
 * from UV_THREADPOOL_SIZE (default 4, 0 -> 1) measured as the most work callbacks running
 * at once, many loops on many threads sharing the pool, uv_random (sync and async, bad
 * flags -> UV_EINVAL, too long -> UV_E2BIG, empty buffer), uv_library_shutdown
 * finishing queued work and joining the workers, a forked child getting a pool, and an
 * embedder that waits on uv_backend_fd itself and runs the loop with UV_RUN_NOWAIT: every
 * finished item makes the backend fd readable, whether it finished while the loop was
 * running or while the embedder waited; and a done callback that queues work and waits
 * for it, on one CPU (a wake-up held back would hang it).
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_work.c -o /tmp/tw -luv -lpthread
 *
 * Runs on c_tests/runner.h: each test in a forked child with an alarm, so one failing or
 * hanging test does not hide the others, and so each child starts its own pool with the
 * UV_THREADPOOL_SIZE it sets. RSUV_TEST_NOFORK=1 runs them in this process (for a debugger;
 * the pool-size tests are then skipped); test names as arguments run those tests alone.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include "uv.h"
#include "runner.h"

#include <dirent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) ((type*) ((char*) (ptr) - offsetof(type, member)))

/* The pool size most tests use: not the default, so that a pool ignoring the variable
 * shows up in the tests that count workers. */
#define POOL 3

static int g_nofork;

/* Sets UV_THREADPOOL_SIZE for this child's pool (which starts on first use). */
static void use_pool_size(const char* n) {
  if (n)
    ASSERT_EQ(setenv("UV_THREADPOOL_SIZE", n, 1), 0);
  else
    ASSERT_EQ(unsetenv("UV_THREADPOOL_SIZE"), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Many work items                                                                          */

#define MANY 10000

struct many {
  uv_thread_t loop_thread;
  atomic_int work_calls;
  atomic_int work_on_loop_thread;
  int after_calls;
  int after_bad;
};

struct many_req {
  uv_work_t req;
  struct many* m;
  atomic_int worked;
  int aftered;
};

static void many_work(uv_work_t* req) {
  struct many_req* r = container_of(req, struct many_req, req);
  uv_thread_t self = uv_thread_self();
  atomic_fetch_add(&r->worked, 1);
  atomic_fetch_add(&r->m->work_calls, 1);
  if (uv_thread_equal(&self, &r->m->loop_thread))
    atomic_fetch_add(&r->m->work_on_loop_thread, 1);
}

static void many_after(uv_work_t* req, int status) {
  struct many_req* r = container_of(req, struct many_req, req);
  uv_thread_t self = uv_thread_self();
  r->aftered++;
  r->m->after_calls++;
  if (status != 0 || !uv_thread_equal(&self, &r->m->loop_thread) ||
      atomic_load(&r->worked) != 1 || req->data != r || req->type != UV_WORK)
    r->m->after_bad++;
}

static void test_queue_work_many(void) {
  struct many m;
  struct many_req* reqs;
  uv_loop_t loop;
  int i;

  use_pool_size("3");
  memset(&m, 0, sizeof(m));
  m.loop_thread = uv_thread_self();
  reqs = calloc(MANY, sizeof(*reqs));
  ASSERT(reqs != NULL);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < MANY; i++) {
    reqs[i].m = &m;
    reqs[i].req.data = &reqs[i];
    ASSERT_EQ(uv_queue_work(&loop, &reqs[i].req, many_work, many_after), 0);
    ASSERT(reqs[i].req.loop == &loop);
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(atomic_load(&m.work_calls), MANY);
  ASSERT_EQ(atomic_load(&m.work_on_loop_thread), 0);
  ASSERT_EQ(m.after_calls, MANY);
  ASSERT_EQ(m.after_bad, 0);
  for (i = 0; i < MANY; i++) {
    ASSERT_EQ(atomic_load(&reqs[i].worked), 1);
    ASSERT_EQ(reqs[i].aftered, 1);
  }
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  free(reqs);
}

/* ---------------------------------------------------------------------------------------- */
/* Arguments                                                                                */

static int simple_after_calls;
static atomic_int simple_work_calls;

static void simple_work(uv_work_t* req) {
  (void) req;
  atomic_fetch_add(&simple_work_calls, 1);
}

static void simple_after(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  simple_after_calls++;
}

static void test_queue_work_einval_and_null_after(void) {
  uv_loop_t loop;
  uv_work_t req;

  use_pool_size("3");
  simple_after_calls = 0;
  atomic_store(&simple_work_calls, 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_queue_work(&loop, &req, NULL, simple_after), UV_EINVAL);
  ASSERT_EQ(uv_queue_work(&loop, &req, NULL, NULL), UV_EINVAL);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(simple_after_calls, 0);
  ASSERT_EQ(atomic_load(&simple_work_calls), 0);

  /* No after-work callback: the work still runs and the loop still finishes it. */
  ASSERT_EQ(uv_queue_work(&loop, &req, simple_work, NULL), 0);
  ASSERT(uv_loop_alive(&loop));
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(atomic_load(&simple_work_calls), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  /* The same request may be queued again once finished. */
  ASSERT_EQ(uv_queue_work(&loop, &req, simple_work, simple_after), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(atomic_load(&simple_work_calls), 2);
  ASSERT_EQ(simple_after_calls, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Liveness                                                                                 */

static uv_sem_t alive_sem;
static int alive_after_calls;

static void alive_work(uv_work_t* req) {
  (void) req;
  uv_sem_wait(&alive_sem);
}

static void alive_after(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  alive_after_calls++;
}

static void test_loop_alive_while_work_outstanding(void) {
  uv_loop_t loop;
  uv_work_t req;

  use_pool_size("3");
  ASSERT_EQ(uv_sem_init(&alive_sem, 0), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_queue_work(&loop, &req, alive_work, alive_after), 0);
  ASSERT(uv_loop_alive(&loop));
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(alive_after_calls, 0);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  uv_sem_post(&alive_sem);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(alive_after_calls, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  uv_sem_destroy(&alive_sem);
}

/* ---------------------------------------------------------------------------------------- */
/* Cancellation                                                                             */

static uv_work_t block_reqs[POOL];
static uv_sem_t block_sems[POOL];
static atomic_int block_arrived;
static int block_after_calls;

static void block_work(uv_work_t* req) {
  atomic_fetch_add(&block_arrived, 1);
  uv_sem_wait(&block_sems[req - block_reqs]);
}

static void block_after(uv_work_t* req, int status) {
  ASSERT_EQ(status, 0);
  uv_sem_destroy(&block_sems[req - block_reqs]);
  block_after_calls++;
}

/* Occupies every worker of a pool of POOL threads until unblock_pool(). */
static void saturate_pool(uv_loop_t* loop) {
  int i;
  uint64_t t0 = uv_hrtime();

  atomic_store(&block_arrived, 0);
  block_after_calls = 0;
  for (i = 0; i < POOL; i++) {
    ASSERT_EQ(uv_sem_init(&block_sems[i], 0), 0);
    ASSERT_EQ(uv_queue_work(loop, &block_reqs[i], block_work, block_after), 0);
  }
  while (atomic_load(&block_arrived) < POOL) {
    ASSERT(uv_hrtime() - t0 < 10 * (uint64_t) 1000000000);
    uv_sleep(1);
  }
}

static void unblock_pool(void) {
  int i;
  for (i = 0; i < POOL; i++)
    uv_sem_post(&block_sems[i]);
}

static int cancelled_calls;

static void must_not_run(uv_work_t* req) {
  (void) req;
  fprintf(stderr, "cancelled work ran\n");
  abort();
}

static void cancelled_after(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
  cancelled_calls++;
}

struct random_info {
  uv_random_t req;
  char buf[7];
};

static int random_cancelled_calls;

static void random_cancelled_cb(uv_random_t* req, int status, void* buf, size_t buflen) {
  struct random_info* ri = container_of(req, struct random_info, req);
  ASSERT_EQ(status, UV_ECANCELED);
  ASSERT(buf == (void*) ri->buf);
  ASSERT_EQ(buflen, sizeof(ri->buf));
  random_cancelled_calls++;
}

static void test_cancel(void) {
  uv_work_t reqs[16];
  struct random_info ri;
  uv_write_t not_pool;
  uv_loop_t loop;
  uint64_t t0;
  size_t i;

  use_pool_size("3");
  cancelled_calls = 0;
  random_cancelled_calls = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  saturate_pool(&loop);

  for (i = 0; i < ARRAY_SIZE(reqs); i++)
    ASSERT_EQ(uv_queue_work(&loop, &reqs[i], must_not_run, cancelled_after), 0);
  ASSERT_EQ(uv_random(&loop, &ri.req, ri.buf, sizeof(ri.buf), 0, random_cancelled_cb), 0);
  for (i = 0; i < ARRAY_SIZE(reqs); i++)
    ASSERT_EQ(uv_cancel((uv_req_t*) &reqs[i]), 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &ri.req), 0);
  /* Nothing is called back from inside uv_cancel. */
  ASSERT_EQ(cancelled_calls, 0);
  ASSERT_EQ(random_cancelled_calls, 0);

  /* Running work cannot be cancelled. */
  for (i = 0; i < POOL; i++)
    ASSERT_EQ(uv_cancel((uv_req_t*) &block_reqs[i]), UV_EBUSY);

  /* Only pool requests (and, since libuv 1.53, writes) can be cancelled at all. */
  memset(&not_pool, 0, sizeof(not_pool));
  not_pool.type = UV_SHUTDOWN;
  ASSERT_EQ(uv_cancel((uv_req_t*) &not_pool), UV_EINVAL);
#if UV_VERSION_HEX >= 0x013500
  /* A write request that was never submitted has no stream to be taken off. */
  not_pool.type = UV_WRITE;
  ASSERT_EQ(uv_cancel((uv_req_t*) &not_pool), UV_EINVAL);
#endif

  /* The cancelled callbacks come while every worker is still blocked. */
  t0 = uv_hrtime();
  while (cancelled_calls < (int) ARRAY_SIZE(reqs) || random_cancelled_calls < 1) {
    ASSERT(uv_hrtime() - t0 < 10 * (uint64_t) 1000000000);
    ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  }
  ASSERT_EQ(cancelled_calls, (int) ARRAY_SIZE(reqs));
  ASSERT_EQ(random_cancelled_calls, 1);
  ASSERT_EQ(block_after_calls, 0);
  ASSERT(uv_loop_alive(&loop));
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);

  unblock_pool();
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(block_after_calls, POOL);
  ASSERT_EQ(cancelled_calls, (int) ARRAY_SIZE(reqs));
  /* Finished work cannot be cancelled either. */
  for (i = 0; i < POOL; i++)
    ASSERT_EQ(uv_cancel((uv_req_t*) &block_reqs[i]), UV_EBUSY);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Cancelled requests may be freed in their callback and their memory reused at once,
 * while the pool is still saturated. */
struct heap_req {
  uv_work_t req;
  int* calls;
};

static void heap_after(uv_work_t* req, int status) {
  struct heap_req* h = container_of(req, struct heap_req, req);
  ASSERT_EQ(status, UV_ECANCELED);
  (*h->calls)++;
  memset(h, 0xAB, sizeof(*h));
  free(h);
}

static void test_cancel_then_free(void) {
  uv_loop_t loop;
  int calls = 0;
  int i;

  use_pool_size("3");
  ASSERT_EQ(uv_loop_init(&loop), 0);
  saturate_pool(&loop);
  for (i = 0; i < 200; i++) {
    struct heap_req* h = malloc(sizeof(*h));
    ASSERT(h != NULL);
    h->calls = &calls;
    ASSERT_EQ(uv_queue_work(&loop, &h->req, must_not_run, heap_after), 0);
    ASSERT_EQ(uv_cancel((uv_req_t*) &h->req), 0);
    if (i % 10 == 9)
      ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  }
  while (calls < 200)
    ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  unblock_pool();
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(calls, 200);
  ASSERT_EQ(block_after_calls, POOL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Pool size                                                                                */

static atomic_int conc_running;
static atomic_int conc_max;
static int conc_expected;

static void conc_work(uv_work_t* req) {
  int now = atomic_fetch_add(&conc_running, 1) + 1;
  int max = atomic_load(&conc_max);
  uint64_t t0 = uv_hrtime();
  (void) req;
  while (now > max && !atomic_compare_exchange_weak(&conc_max, &max, now)) {
  }
  /* Wait until the expected number of workers run at once (or give up), then stay a
   * while longer, so that one more worker, if the pool had it, would show up. */
  while (atomic_load(&conc_max) < conc_expected && uv_hrtime() - t0 < 5000000000ull)
    uv_sleep(1);
  uv_sleep(40);
  atomic_fetch_sub(&conc_running, 1);
}

/* The most work callbacks that ran at once, for a pool expected to have `expected`. */
static int measure_pool(int expected) {
  uv_work_t reqs[2 * 8 + 2];
  uv_loop_t loop;
  int n = 2 * expected + 2;
  int i;

  ASSERT(n <= (int) ARRAY_SIZE(reqs));
  conc_expected = expected;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < n; i++)
    ASSERT_EQ(uv_queue_work(&loop, &reqs[i], conc_work, NULL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  return atomic_load(&conc_max);
}

static void test_pool_size_from_env(void) {
  if (g_nofork)
    return;
  use_pool_size("2");
  ASSERT_EQ(measure_pool(2), 2);
}

static void test_pool_size_default(void) {
  if (g_nofork)
    return;
  use_pool_size(NULL);
  ASSERT_EQ(measure_pool(4), 4);
}

static void test_pool_size_zero_means_one(void) {
  if (g_nofork)
    return;
  use_pool_size("0");
  ASSERT_EQ(measure_pool(1), 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Many loops on many threads                                                               */

#define LOOP_THREADS 8
#define PER_THREAD 400

struct loop_thread {
  uv_thread_t tid;
  uv_thread_t self;
  uv_loop_t loop;
  uv_work_t reqs[PER_THREAD];
  uv_random_t rreqs[8];
  unsigned char rbufs[8][32];
  atomic_int worked;
  int after_calls;
  int random_calls;
  int bad;
};

static void lt_work(uv_work_t* req) {
  struct loop_thread* t = req->data;
  uv_thread_t self = uv_thread_self();
  if (uv_thread_equal(&self, &t->self))
    t->bad++; /* only read after the loop ran; not racy in a passing run */
  atomic_fetch_add(&t->worked, 1);
}

static void lt_after(uv_work_t* req, int status) {
  struct loop_thread* t = req->data;
  uv_thread_t self = uv_thread_self();
  if (status != 0 || !uv_thread_equal(&self, &t->self) || req->loop != &t->loop)
    t->bad++;
  t->after_calls++;
}

static void lt_random(uv_random_t* req, int status, void* buf, size_t buflen) {
  struct loop_thread* t = req->data;
  uv_thread_t self = uv_thread_self();
  static const unsigned char zero[32];
  if (status != 0 || !uv_thread_equal(&self, &t->self) || buflen != 32 ||
      memcmp(buf, zero, 32) == 0)
    t->bad++;
  t->random_calls++;
}

static void loop_thread_main(void* arg) {
  struct loop_thread* t = arg;
  int i;

  t->self = uv_thread_self();
  ASSERT_EQ(uv_loop_init(&t->loop), 0);
  for (i = 0; i < PER_THREAD; i++) {
    t->reqs[i].data = t;
    ASSERT_EQ(uv_queue_work(&t->loop, &t->reqs[i], lt_work, lt_after), 0);
    if (i % 50 == 0)
      uv_run(&t->loop, UV_RUN_NOWAIT);
  }
  for (i = 0; i < 8; i++) {
    t->rreqs[i].data = t;
    ASSERT_EQ(uv_random(&t->loop, &t->rreqs[i], t->rbufs[i], 32, 0, lt_random), 0);
  }
  ASSERT_EQ(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&t->loop), 0);
}

static void test_many_loops_many_threads(void) {
  struct loop_thread* ts;
  int i;

  use_pool_size("3");
  ts = calloc(LOOP_THREADS, sizeof(*ts));
  ASSERT(ts != NULL);
  for (i = 0; i < LOOP_THREADS; i++)
    ASSERT_EQ(uv_thread_create(&ts[i].tid, loop_thread_main, &ts[i]), 0);
  for (i = 0; i < LOOP_THREADS; i++) {
    ASSERT_EQ(uv_thread_join(&ts[i].tid), 0);
    ASSERT_EQ(atomic_load(&ts[i].worked), PER_THREAD);
    ASSERT_EQ(ts[i].after_calls, PER_THREAD);
    ASSERT_EQ(ts[i].random_calls, 8);
    ASSERT_EQ(ts[i].bad, 0);
  }
  free(ts);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_random                                                                                */

static void test_random_sync(void) {
  unsigned char buf[256], buf2[256], zero[256];

  memset(zero, 0, sizeof(zero));
  ASSERT_EQ(uv_random(NULL, NULL, buf, sizeof(buf), 1, NULL), UV_EINVAL);
  ASSERT_EQ(uv_random(NULL, NULL, buf, sizeof(buf), (unsigned) -1, NULL), UV_EINVAL);
  ASSERT_EQ(uv_random(NULL, NULL, buf, (size_t) -1, 0, NULL), UV_E2BIG);
  ASSERT_EQ(uv_random(NULL, NULL, buf, 0x80000000u, 0, NULL), UV_E2BIG);
  ASSERT_EQ(uv_random(NULL, NULL, buf, 0, 0, NULL), 0);

  memset(buf, 0, sizeof(buf));
  memset(buf2, 0, sizeof(buf2));
  ASSERT_EQ(uv_random(NULL, NULL, buf, sizeof(buf), 0, NULL), 0);
  ASSERT_EQ(uv_random(NULL, NULL, buf2, sizeof(buf2), 0, NULL), 0);
  ASSERT(memcmp(buf, zero, sizeof(buf)) != 0);
  ASSERT(memcmp(buf, buf2, sizeof(buf)) != 0);

  /* More than one 256-byte getrandom() chunk. */
  {
    size_t n = 100000, i, zeros = 0;
    unsigned char* big = calloc(1, n);
    ASSERT(big != NULL);
    ASSERT_EQ(uv_random(NULL, NULL, big, n, 0, NULL), 0);
    for (i = n - 1024; i < n; i++)
      zeros += big[i] == 0;
    ASSERT(zeros < 64); /* about 4 expected */
    free(big);
  }
}

static unsigned char rnd_buf[256];
static int rnd_calls;
static uv_thread_t rnd_loop_thread;

static void rnd_cb(uv_random_t* req, int status, void* buf, size_t buflen) {
  static const unsigned char zero[256];
  uv_thread_t self = uv_thread_self();

  ASSERT(uv_thread_equal(&self, &rnd_loop_thread));
  ASSERT_EQ(status, 0);
  ASSERT(buf == (void*) rnd_buf);
  ASSERT_EQ(req->type, UV_RANDOM);
  if (rnd_calls == 0) {
    ASSERT_EQ(buflen, 0);
    ASSERT(memcmp(rnd_buf, zero, sizeof(zero)) == 0);
  } else {
    ASSERT_EQ(buflen, sizeof(rnd_buf));
    ASSERT(memcmp(rnd_buf, zero, sizeof(zero)) != 0);
  }
  rnd_calls++;
}

static void test_random_async(void) {
  uv_random_t req;
  uv_loop_t loop;

  use_pool_size("3");
  rnd_calls = 0;
  memset(rnd_buf, 0, sizeof(rnd_buf));
  rnd_loop_thread = uv_thread_self();
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_random(&loop, &req, rnd_buf, sizeof(rnd_buf), 1, rnd_cb), UV_EINVAL);
  ASSERT_EQ(uv_random(&loop, &req, rnd_buf, (size_t) -1, 0, rnd_cb), UV_E2BIG);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  ASSERT_EQ(uv_random(&loop, &req, rnd_buf, 0, 0, rnd_cb), 0);
  ASSERT_EQ(rnd_calls, 0);
  ASSERT(req.loop == &loop);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(rnd_calls, 1);

  ASSERT_EQ(uv_random(&loop, &req, rnd_buf, sizeof(rnd_buf), 0, rnd_cb), 0);
  ASSERT_EQ(rnd_calls, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(rnd_calls, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_library_shutdown                                                                      */

static int count_threads(void) {
  DIR* d = opendir("/proc/self/task");
  struct dirent* e;
  int n = 0;
  ASSERT(d != NULL);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

static atomic_int sd_worked;
static int sd_after;

static void sd_work(uv_work_t* req) {
  (void) req;
  uv_sleep(1);
  atomic_fetch_add(&sd_worked, 1);
}

static void sd_after_cb(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  sd_after++;
}

static void test_library_shutdown(void) {
  uv_work_t reqs[30];
  uv_loop_t loop;
  int before;
  size_t i;

  if (g_nofork)
    return; /* counts the threads of a pool that starts here */
  use_pool_size("3");
  before = count_threads();
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < ARRAY_SIZE(reqs); i++)
    ASSERT_EQ(uv_queue_work(&loop, &reqs[i], sd_work, sd_after_cb), 0);
  ASSERT_EQ(count_threads(), before + POOL);
  /* Queued work is finished before the workers exit; the loop then reports it. */
  uv_library_shutdown();
  ASSERT_EQ(atomic_load(&sd_worked), (int) ARRAY_SIZE(reqs));
  /* A joined thread may linger in /proc for a moment. */
  for (i = 0; i < 1000 && count_threads() != before; i++)
    uv_sleep(1);
  ASSERT_EQ(count_threads(), before);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(sd_after, (int) ARRAY_SIZE(reqs));
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* fork                                                                                     */

static void test_fork_child_gets_a_pool(void) {
  uv_loop_t loop;
  uv_work_t req;
  pid_t pid;
  int status;

  use_pool_size("3");
  simple_after_calls = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_queue_work(&loop, &req, simple_work, simple_after), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  ASSERT_EQ(simple_after_calls, 1);

  fflush(stdout);
  fflush(stderr);
  pid = fork();
  ASSERT(pid >= 0);
  if (pid == 0) {
    /* None of the parent's workers exist here: the child must get its own. */
    alarm(10);
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ASSERT_EQ(uv_queue_work(&loop, &req, simple_work, simple_after), 0);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(simple_after_calls, 2);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    uv_library_shutdown();
    exit(0);
  }
  while (waitpid(pid, &status, 0) < 0) {
  }
  ASSERT_EQ(status, 0);

  /* The parent's pool still works. */
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_queue_work(&loop, &req, simple_work, simple_after), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(simple_after_calls, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------- */
/* An embedder that waits on the backend fd itself                                         */

enum { EMBED_ITEMS = 3000, EMBED_INFLIGHT = 4 };

static int embed_started, embed_after;
static uv_work_t embed_reqs[EMBED_INFLIGHT];

static void embed_work(uv_work_t* req) {
  /* Some items finish at once (often while the loop still runs), some after a while
   * (while the embedder waits in poll). */
  int i = (int) (intptr_t) req->data;
  if (i % 7 == 0)
    usleep(50 + (i % 5) * 40);
}

static void embed_after_cb(uv_work_t* req, int status) {
  ASSERT_EQ(status, 0);
  embed_after++;
  if (embed_started < EMBED_ITEMS) {
    req->data = (void*) (intptr_t) embed_started++;
    ASSERT_EQ(uv_queue_work(req->loop, req, embed_work, embed_after_cb), 0);
  }
}

static void test_embedder_waits_on_backend_fd(void) {
  uv_loop_t loop;
  struct pollfd pfd;
  int i, r, timeout, waits = 0;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  embed_started = embed_after = 0;
  for (i = 0; i < EMBED_INFLIGHT; i++) {
    embed_reqs[i].data = (void*) (intptr_t) embed_started++;
    ASSERT_EQ(uv_queue_work(&loop, &embed_reqs[i], embed_work, embed_after_cb), 0);
  }
  while (uv_loop_alive(&loop)) {
    /* Only requests keep the loop alive: uv_backend_timeout says wait without limit
     * (or not at all, when the loop has more to do at once). A finished item the backend
     * fd does not announce would hang here until the runner's alarm. */
    pfd.fd = uv_backend_fd(&loop);
    pfd.events = POLLIN;
    pfd.revents = 0;
    timeout = uv_backend_timeout(&loop);
    ASSERT(timeout == -1 || timeout == 0);
    r = poll(&pfd, 1, timeout);
    ASSERT(r == 1 || (r == 0 && timeout == 0));
    waits += r;
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  ASSERT_EQ(embed_after, EMBED_ITEMS);
  ASSERT(waits > 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* A done callback that waits for work it just queued, on one CPU                            */

/* libuv wakes a worker for every submission while one is idle, so a done callback may
 * queue work and block until a worker has run it. On one CPU a pool is tempted to hold
 * such wake-ups until the loop has finished its batch of callbacks (the workers cannot run
 * beside it anyway); with every worker asleep, that would hang here. */
#define WAIT_ROUNDS 200

static uv_sem_t wait_sem;
static uv_work_t wait_first[WAIT_ROUNDS], wait_second[WAIT_ROUNDS];
static int wait_round, wait_second_done;

static void wait_post_work(uv_work_t* req) {
  (void) req;
  uv_sem_post(&wait_sem);
}

static void wait_noop_work(uv_work_t* req) {
  (void) req;
}

static void wait_second_after(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  wait_second_done++;
}

static void wait_first_after(uv_work_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_queue_work(req->loop, &wait_second[wait_round], wait_post_work,
                          wait_second_after),
            0);
  uv_sem_wait(&wait_sem);
  if (++wait_round < WAIT_ROUNDS)
    ASSERT_EQ(uv_queue_work(req->loop, &wait_first[wait_round], wait_noop_work,
                            wait_first_after),
              0);
}

static void test_after_cb_waits_for_new_work_one_cpu(void) {
  uv_loop_t loop;
  cpu_set_t one;
  int cpu = sched_getcpu();

  /* Before the pool's first use, which reads the CPUs this process may use. */
  CPU_ZERO(&one);
  CPU_SET(cpu >= 0 ? cpu : 0, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  ASSERT_EQ(uv_sem_init(&wait_sem, 0), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  wait_round = wait_second_done = 0;
  ASSERT_EQ(uv_queue_work(&loop, &wait_first[0], wait_noop_work, wait_first_after), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(wait_round, WAIT_ROUNDS);
  ASSERT_EQ(wait_second_done, WAIT_ROUNDS);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  uv_sem_destroy(&wait_sem);
}

static const struct test_entry tests[] = {
    TEST(queue_work_many),
    TEST_AS("queue_work_einval_null_after", test_queue_work_einval_and_null_after),
    TEST_AS("loop_alive_while_work", test_loop_alive_while_work_outstanding),
    TEST(cancel),
    TEST(cancel_then_free),
    TEST(pool_size_from_env),
    TEST(pool_size_default),
    TEST(pool_size_zero_means_one),
    TEST(many_loops_many_threads),
    TEST(random_sync),
    TEST(random_async),
    TEST(library_shutdown),
    TEST(fork_child_gets_a_pool),
    TEST_AS("embedder_waits_on_backend_fd", test_embedder_waits_on_backend_fd),
    TEST_AS("after_cb_waits_for_new_work_one_cpu", test_after_cb_waits_for_new_work_one_cpu),
};

/* The runner's wrap: each forked child joins the pool's threads before it exits, so that
 * it leaves nothing behind (in-process, the pool is shut down once, at the end). */
static void run_and_shut_down(const struct test_entry* t) {
  t->fn();
  if (!g_nofork)
    uv_library_shutdown();
}

int main(int argc, char** argv) {
  int r;

  g_nofork = getenv("RSUV_TEST_NOFORK") != NULL;
  rsuv_test_wrap = run_and_shut_down;
  r = run_tests(tests, ARRAY_SIZE(tests), argc, argv);
  if (g_nofork)
    uv_library_shutdown();
  return r;
}
