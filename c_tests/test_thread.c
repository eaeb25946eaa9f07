/* test_thread.c - libuv's thread primitives as a libuv user sees them.
 *
 * Covers: uv_thread_create/_ex (stack size rounding and minimum), uv_thread_self/equal/join,
 * mutexes (contention, trylock -> UV_EBUSY, recursive), rwlocks (shared readers, exclusive
 * writer, try variants), semaphores (trywait -> UV_EAGAIN, producer/consumer), condition
 * variables (signal, broadcast, timedwait timeout -> UV_ETIMEDOUT), barriers (exactly one
 * serial thread per round), uv_once from many threads, uv_key per-thread values.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_thread.c -o /tmp/tt -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE /* pthread_getattr_np, to check the stack size a thread got */
#include "uv.h"
#include "runner.h"

#include <pthread.h>
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

#define NTHREADS 8

/* ---------------------------------------------------------------------------------------- */
/* Threads                                                                                  */

struct thread_arg {
  uv_thread_t self;
  int value;
};

static void thread_set(void* p) {
  struct thread_arg* a = p;
  a->self = uv_thread_self();
  a->value = 42;
}

static void test_thread_create_join(void) {
  struct thread_arg args[NTHREADS];
  uv_thread_t tids[NTHREADS];
  uv_thread_t me = uv_thread_self();
  uv_thread_t me2 = uv_thread_self();
  int i;

  ASSERT(uv_thread_equal(&me, &me2));
  memset(args, 0, sizeof(args));
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], thread_set, &args[i]), 0);
  for (i = 0; i < NTHREADS; i++) {
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
    ASSERT_EQ(args[i].value, 42);
    ASSERT(uv_thread_equal(&tids[i], &args[i].self));
    ASSERT(!uv_thread_equal(&me, &args[i].self));
  }
}

static size_t page_size(void) {
  return (size_t) sysconf(_SC_PAGESIZE);
}

struct stack_arg {
  size_t stack_size;
  int touched;
};

static void thread_stack(void* p) {
  struct stack_arg* a = p;
  pthread_attr_t attr;
  volatile char big[256 * 1024];

  /* Use a good part of the stack: the thread must have been given enough. */
  memset((char*) big, 1, sizeof(big));
  a->touched = big[sizeof(big) - 1];
  ASSERT_EQ(pthread_getattr_np(pthread_self(), &attr), 0);
  ASSERT_EQ(pthread_attr_getstacksize(&attr, &a->stack_size), 0);
  pthread_attr_destroy(&attr);
}

static void thread_small(void* p) {
  struct stack_arg* a = p;
  pthread_attr_t attr;
  ASSERT_EQ(pthread_getattr_np(pthread_self(), &attr), 0);
  ASSERT_EQ(pthread_attr_getstacksize(&attr, &a->stack_size), 0);
  pthread_attr_destroy(&attr);
  a->touched = 1;
}

static void test_thread_create_ex_stack(void) {
  uv_thread_options_t opts;
  struct stack_arg a;
  uv_thread_t tid;
  size_t page = page_size();
  size_t want = 1024 * 1024 + 1; /* not a page multiple: rounded up */

  memset(&opts, 0, sizeof(opts));
  opts.flags = UV_THREAD_HAS_STACK_SIZE;
  opts.stack_size = want;
  memset(&a, 0, sizeof(a));
  ASSERT_EQ(uv_thread_create_ex(&tid, &opts, thread_stack, &a), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(a.touched, 1);
  ASSERT(a.stack_size >= want);
  ASSERT_EQ(a.stack_size % page, 0);
  ASSERT(a.stack_size < want + page + 65536);

  /* A tiny request is raised to the platform minimum; the thread still runs. */
  opts.stack_size = 1;
  memset(&a, 0, sizeof(a));
  ASSERT_EQ(uv_thread_create_ex(&tid, &opts, thread_small, &a), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(a.touched, 1);
  ASSERT(a.stack_size >= (size_t) PTHREAD_STACK_MIN);
  ASSERT(a.stack_size >= 8192);

  /* Without the flag (or with size 0) the default stack is used: big enough. */
  opts.flags = UV_THREAD_NO_FLAGS;
  opts.stack_size = 1;
  memset(&a, 0, sizeof(a));
  ASSERT_EQ(uv_thread_create_ex(&tid, &opts, thread_stack, &a), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(a.touched, 1);
  ASSERT(a.stack_size >= 1024 * 1024);

  opts.flags = UV_THREAD_HAS_STACK_SIZE;
  opts.stack_size = 0;
  memset(&a, 0, sizeof(a));
  ASSERT_EQ(uv_thread_create_ex(&tid, &opts, thread_stack, &a), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT(a.stack_size >= 1024 * 1024);
}

/* ---------------------------------------------------------------------------------------- */
/* Mutexes                                                                                  */

static uv_mutex_t g_mutex;
static long g_counter;
#define INCREMENTS 20000

static void mutex_worker(void* p) {
  int i;
  (void) p;
  for (i = 0; i < INCREMENTS; i++) {
    uv_mutex_lock(&g_mutex);
    g_counter++;
    uv_mutex_unlock(&g_mutex);
  }
}

static void trylock_worker(void* p) {
  int* result = p;
  *result = uv_mutex_trylock(&g_mutex);
  if (*result == 0)
    uv_mutex_unlock(&g_mutex);
}

static void test_mutex(void) {
  uv_thread_t tids[NTHREADS];
  uv_thread_t tid;
  int result;
  int i;

  ASSERT_EQ(uv_mutex_init(&g_mutex), 0);
  g_counter = 0;
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], mutex_worker, NULL), 0);
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  ASSERT_EQ(g_counter, (long) NTHREADS * INCREMENTS);

  /* Held here: another thread's trylock is refused with UV_EBUSY. */
  uv_mutex_lock(&g_mutex);
  result = 1;
  ASSERT_EQ(uv_thread_create(&tid, trylock_worker, &result), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(result, UV_EBUSY);
  uv_mutex_unlock(&g_mutex);

  /* Free: it succeeds. */
  result = 1;
  ASSERT_EQ(uv_thread_create(&tid, trylock_worker, &result), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(result, 0);

  ASSERT_EQ(uv_mutex_trylock(&g_mutex), 0);
  uv_mutex_unlock(&g_mutex);
  uv_mutex_destroy(&g_mutex);
}

static void test_mutex_recursive(void) {
  uv_thread_t tid;
  int result;

  ASSERT_EQ(uv_mutex_init_recursive(&g_mutex), 0);
  uv_mutex_lock(&g_mutex);
  uv_mutex_lock(&g_mutex);
  ASSERT_EQ(uv_mutex_trylock(&g_mutex), 0);

  result = 1;
  ASSERT_EQ(uv_thread_create(&tid, trylock_worker, &result), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(result, UV_EBUSY);

  uv_mutex_unlock(&g_mutex);
  uv_mutex_unlock(&g_mutex);
  /* Still held once. */
  result = 1;
  ASSERT_EQ(uv_thread_create(&tid, trylock_worker, &result), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(result, UV_EBUSY);

  uv_mutex_unlock(&g_mutex);
  result = 1;
  ASSERT_EQ(uv_thread_create(&tid, trylock_worker, &result), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(result, 0);
  uv_mutex_destroy(&g_mutex);
}

/* ---------------------------------------------------------------------------------------- */
/* Read-write locks                                                                         */

static uv_rwlock_t g_rwlock;

struct rw_probe {
  int rd;
  int wr;
};

static void rw_probe_worker(void* p) {
  struct rw_probe* r = p;
  r->rd = uv_rwlock_tryrdlock(&g_rwlock);
  if (r->rd == 0)
    uv_rwlock_rdunlock(&g_rwlock);
  r->wr = uv_rwlock_trywrlock(&g_rwlock);
  if (r->wr == 0)
    uv_rwlock_wrunlock(&g_rwlock);
}

static long g_shared;

static void rw_writer(void* p) {
  int i;
  (void) p;
  for (i = 0; i < 5000; i++) {
    uv_rwlock_wrlock(&g_rwlock);
    g_shared++;
    g_shared++;
    uv_rwlock_wrunlock(&g_rwlock);
  }
}

static void rw_reader(void* p) {
  int i;
  int* bad = p;
  for (i = 0; i < 5000; i++) {
    uv_rwlock_rdlock(&g_rwlock);
    if (g_shared % 2 != 0)
      (*bad)++;
    uv_rwlock_rdunlock(&g_rwlock);
  }
}

static void test_rwlock(void) {
  struct rw_probe probe;
  uv_thread_t tid;
  uv_thread_t tids[NTHREADS];
  int bad[NTHREADS];
  int i;

  ASSERT_EQ(uv_rwlock_init(&g_rwlock), 0);

  /* Read-held: other readers get in, writers do not. */
  uv_rwlock_rdlock(&g_rwlock);
  ASSERT_EQ(uv_rwlock_tryrdlock(&g_rwlock), 0);
  uv_rwlock_rdunlock(&g_rwlock);
  ASSERT_EQ(uv_thread_create(&tid, rw_probe_worker, &probe), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(probe.rd, 0);
  ASSERT_EQ(probe.wr, UV_EBUSY);
  uv_rwlock_rdunlock(&g_rwlock);

  /* Write-held: nobody else gets in. */
  uv_rwlock_wrlock(&g_rwlock);
  ASSERT_EQ(uv_thread_create(&tid, rw_probe_worker, &probe), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(probe.rd, UV_EBUSY);
  ASSERT_EQ(probe.wr, UV_EBUSY);
  uv_rwlock_wrunlock(&g_rwlock);

  /* Free. */
  ASSERT_EQ(uv_thread_create(&tid, rw_probe_worker, &probe), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(probe.rd, 0);
  ASSERT_EQ(probe.wr, 0);
  ASSERT_EQ(uv_rwlock_trywrlock(&g_rwlock), 0);
  uv_rwlock_wrunlock(&g_rwlock);

  /* Readers never see a half-done write. */
  g_shared = 0;
  for (i = 0; i < NTHREADS; i++) {
    bad[i] = 0;
    if (i % 2 == 0)
      ASSERT_EQ(uv_thread_create(&tids[i], rw_writer, NULL), 0);
    else
      ASSERT_EQ(uv_thread_create(&tids[i], rw_reader, &bad[i]), 0);
  }
  for (i = 0; i < NTHREADS; i++) {
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
    ASSERT_EQ(bad[i], 0);
  }
  ASSERT_EQ(g_shared, (long) (NTHREADS / 2) * 5000 * 2);
  uv_rwlock_destroy(&g_rwlock);
}

/* ---------------------------------------------------------------------------------------- */
/* Semaphores                                                                               */

static uv_sem_t g_sem_items;
static uv_sem_t g_sem_done;
static atomic_int g_consumed;

static void sem_consumer(void* p) {
  int i;
  (void) p;
  for (i = 0; i < 1000; i++) {
    uv_sem_wait(&g_sem_items);
    atomic_fetch_add(&g_consumed, 1);
  }
  uv_sem_post(&g_sem_done);
}

static void test_sem(void) {
  uv_thread_t tids[4];
  int i;

  ASSERT_EQ(uv_sem_init(&g_sem_items, 0), 0);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), UV_EAGAIN);
  uv_sem_post(&g_sem_items);
  uv_sem_post(&g_sem_items);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), 0);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), 0);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), UV_EAGAIN);

  ASSERT_EQ(uv_sem_init(&g_sem_done, 0), 0);
  atomic_store(&g_consumed, 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], sem_consumer, NULL), 0);
  for (i = 0; i < 4000; i++)
    uv_sem_post(&g_sem_items);
  for (i = 0; i < 4; i++)
    uv_sem_wait(&g_sem_done);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  ASSERT_EQ(atomic_load(&g_consumed), 4000);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), UV_EAGAIN);
  uv_sem_destroy(&g_sem_items);
  uv_sem_destroy(&g_sem_done);

  /* A semaphore may start with a count. */
  ASSERT_EQ(uv_sem_init(&g_sem_items, 3), 0);
  uv_sem_wait(&g_sem_items);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), 0);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), 0);
  ASSERT_EQ(uv_sem_trywait(&g_sem_items), UV_EAGAIN);
  uv_sem_destroy(&g_sem_items);
}

/* ---------------------------------------------------------------------------------------- */
/* Condition variables                                                                      */

static uv_cond_t g_cond;
static int g_ready;
static int g_woken;

static void cond_signaller(void* p) {
  (void) p;
  uv_sleep(20);
  uv_mutex_lock(&g_mutex);
  g_ready = 1;
  uv_cond_signal(&g_cond);
  uv_mutex_unlock(&g_mutex);
}

static void cond_waiter(void* p) {
  (void) p;
  uv_mutex_lock(&g_mutex);
  while (!g_ready)
    uv_cond_wait(&g_cond, &g_mutex);
  g_woken++;
  uv_mutex_unlock(&g_mutex);
}

static void test_cond_signal_broadcast(void) {
  uv_thread_t tid;
  uv_thread_t tids[NTHREADS];
  int i;

  ASSERT_EQ(uv_mutex_init(&g_mutex), 0);
  ASSERT_EQ(uv_cond_init(&g_cond), 0);

  g_ready = 0;
  ASSERT_EQ(uv_thread_create(&tid, cond_signaller, NULL), 0);
  uv_mutex_lock(&g_mutex);
  while (!g_ready)
    uv_cond_wait(&g_cond, &g_mutex);
  uv_mutex_unlock(&g_mutex);
  ASSERT_EQ(uv_thread_join(&tid), 0);

  /* A timed wait that is signalled in time returns 0 (or wakes spuriously: loop). */
  g_ready = 0;
  ASSERT_EQ(uv_thread_create(&tid, cond_signaller, NULL), 0);
  uv_mutex_lock(&g_mutex);
  while (!g_ready)
    ASSERT_EQ(uv_cond_timedwait(&g_cond, &g_mutex, (uint64_t) 10 * 1000 * 1000 * 1000), 0);
  uv_mutex_unlock(&g_mutex);
  ASSERT_EQ(uv_thread_join(&tid), 0);

  /* Broadcast wakes every waiter. */
  g_ready = 0;
  g_woken = 0;
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], cond_waiter, NULL), 0);
  uv_sleep(20);
  uv_mutex_lock(&g_mutex);
  g_ready = 1;
  uv_cond_broadcast(&g_cond);
  uv_mutex_unlock(&g_mutex);
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  ASSERT_EQ(g_woken, NTHREADS);

  uv_cond_destroy(&g_cond);
  uv_mutex_destroy(&g_mutex);
}

static void test_cond_timedwait_timeout(void) {
  uint64_t t0, elapsed;
  int r;

  ASSERT_EQ(uv_mutex_init(&g_mutex), 0);
  ASSERT_EQ(uv_cond_init(&g_cond), 0);
  uv_mutex_lock(&g_mutex);
  t0 = uv_hrtime();
  do
    r = uv_cond_timedwait(&g_cond, &g_mutex, 50 * 1000 * 1000); /* 50 ms */
  while (r == 0 && uv_hrtime() - t0 < 50 * 1000 * 1000);        /* spurious wake-up */
  elapsed = uv_hrtime() - t0;
  ASSERT_EQ(r, UV_ETIMEDOUT);
  ASSERT(elapsed >= 50 * 1000 * 1000);
  ASSERT(elapsed < 5ULL * 1000 * 1000 * 1000);

  /* A zero timeout times out at once. */
  ASSERT_EQ(uv_cond_timedwait(&g_cond, &g_mutex, 0), UV_ETIMEDOUT);
  uv_mutex_unlock(&g_mutex);
  uv_cond_destroy(&g_cond);
  uv_mutex_destroy(&g_mutex);
}

/* ---------------------------------------------------------------------------------------- */
/* Barriers                                                                                 */

#define ROUNDS 50
static uv_barrier_t g_barrier;
static atomic_int g_serial;
static atomic_int g_arrived[ROUNDS];

static void barrier_worker(void* p) {
  int i, r;
  int* bad = p;
  for (i = 0; i < ROUNDS; i++) {
    atomic_fetch_add(&g_arrived[i], 1);
    r = uv_barrier_wait(&g_barrier);
    ASSERT(r >= 0);
    if (r > 0)
      atomic_fetch_add(&g_serial, 1);
    /* Nobody passes round i before all have arrived. */
    if (atomic_load(&g_arrived[i]) != NTHREADS)
      (*bad)++;
  }
}

static void test_barrier(void) {
  uv_thread_t tids[NTHREADS - 1];
  int bad[NTHREADS];
  int i;

  ASSERT_EQ(uv_barrier_init(&g_barrier, NTHREADS), 0);
  atomic_store(&g_serial, 0);
  for (i = 0; i < ROUNDS; i++)
    atomic_store(&g_arrived[i], 0);
  for (i = 0; i < NTHREADS; i++)
    bad[i] = 0;
  for (i = 0; i < NTHREADS - 1; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], barrier_worker, &bad[i]), 0);
  barrier_worker(&bad[NTHREADS - 1]);
  for (i = 0; i < NTHREADS - 1; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(bad[i], 0);
  /* Exactly one serial thread per round. */
  ASSERT_EQ(atomic_load(&g_serial), ROUNDS);
  uv_barrier_destroy(&g_barrier);

  /* A barrier of one: every wait is the serial one. */
  ASSERT_EQ(uv_barrier_init(&g_barrier, 1), 0);
  ASSERT(uv_barrier_wait(&g_barrier) > 0);
  ASSERT(uv_barrier_wait(&g_barrier) > 0);
  uv_barrier_destroy(&g_barrier);
}

/* ---------------------------------------------------------------------------------------- */
/* Once and keys                                                                            */

static uv_once_t g_once = UV_ONCE_INIT;
static atomic_int g_once_calls;
static uv_barrier_t g_once_start;

static void once_cb(void) {
  uv_sleep(10); /* give the other threads time to pile up behind the guard */
  atomic_fetch_add(&g_once_calls, 1);
}

static void once_worker(void* p) {
  (void) p;
  uv_barrier_wait(&g_once_start);
  uv_once(&g_once, once_cb);
  /* Every caller returns only after the callback ran. */
  ASSERT_EQ(atomic_load(&g_once_calls), 1);
}

static void test_once(void) {
  uv_thread_t tids[16];
  int i;

  atomic_store(&g_once_calls, 0);
  ASSERT_EQ(uv_barrier_init(&g_once_start, 16), 0);
  for (i = 0; i < 16; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], once_worker, NULL), 0);
  for (i = 0; i < 16; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  uv_once(&g_once, once_cb);
  ASSERT_EQ(atomic_load(&g_once_calls), 1);
  uv_barrier_destroy(&g_once_start);
}

static uv_key_t g_key;

static void key_worker(void* p) {
  int i;
  ASSERT(uv_key_get(&g_key) == NULL);
  uv_key_set(&g_key, p);
  for (i = 0; i < 100; i++) {
    ASSERT(uv_key_get(&g_key) == p);
    uv_sleep(0);
  }
}

static void test_key(void) {
  uv_thread_t tids[NTHREADS];
  int slots[NTHREADS];
  int mine;
  int i;

  ASSERT_EQ(uv_key_create(&g_key), 0);
  ASSERT(uv_key_get(&g_key) == NULL);
  uv_key_set(&g_key, &mine);
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_create(&tids[i], key_worker, &slots[i]), 0);
  for (i = 0; i < NTHREADS; i++)
    ASSERT_EQ(uv_thread_join(&tids[i]), 0);
  ASSERT(uv_key_get(&g_key) == &mine);
  uv_key_set(&g_key, NULL);
  ASSERT(uv_key_get(&g_key) == NULL);
  uv_key_delete(&g_key);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(thread_create_join),
    TEST(thread_create_ex_stack),
    TEST(mutex),
    TEST(mutex_recursive),
    TEST(rwlock),
    TEST(sem),
    TEST(cond_signal_broadcast),
    TEST(cond_timedwait_timeout),
    TEST(barrier),
    TEST(once),
    TEST(key),
};

RSUV_TEST_MAIN(tests)
