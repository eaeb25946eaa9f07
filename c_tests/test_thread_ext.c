/* test_thread_ext.c - the thread functions of libuv 1.45-1.53 as a libuv user sees them.
 *
 * Covers: uv_thread_detach, uv_cpumask_size, uv_thread_getaffinity / uv_thread_setaffinity
 * (mask size rule, old mask, an empty mask, another thread), uv_thread_getcpu,
 * uv_thread_setname / uv_thread_getname (Linux's 16-byte limit: long names are truncated,
 * and so is the answer to a short buffer), uv_thread_getpriority / uv_thread_setpriority
 * (nice values for the calling thread under SCHED_OTHER, the policy's range for another
 * thread or another policy, the UV_THREAD_PRIORITY_* bounds).
 *
 * Tests marked TEST_RSUV check rsuv's UV_EINVAL where libuv 1.53 would dereference NULL;
 * the rest pass against the real libuv 1.53 too:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude c_tests/test_thread_ext.c -luv -lpthread
 *   RSUV_TEST_REAL_LIBUV=1 ./a.out
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30);
 * RSUV_TEST_NOFORK=1 runs them in this process; a test name as argv[1] runs only that one.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE /* sched_getcpu, gettid, pthread_setname_np */
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

#define ASSERT_STR_EQ(a, b)                                                            \
  do {                                                                                 \
    const char *a_ = (a), *b_ = (b);                                                   \
    if (strcmp(a_, b_) != 0) {                                                         \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* A helper thread that does what it is told, then waits on `go` until the test lets it
 * end. */
struct helper {
  uv_thread_t tid;
  uv_sem_t ready;
  uv_sem_t go;
  const char* name; /* set by the helper itself when not NULL */
  atomic_int done;
};

static void helper_main(void* arg) {
  struct helper* h = arg;
  if (h->name != NULL)
    ASSERT_EQ(uv_thread_setname(h->name), 0);
  uv_sem_post(&h->ready);
  uv_sem_wait(&h->go);
  atomic_store(&h->done, 1);
}

static void helper_start(struct helper* h, const char* name) {
  memset(h, 0, sizeof(*h));
  h->name = name;
  ASSERT_EQ(uv_sem_init(&h->ready, 0), 0);
  ASSERT_EQ(uv_sem_init(&h->go, 0), 0);
  ASSERT_EQ(uv_thread_create(&h->tid, helper_main, h), 0);
  uv_sem_wait(&h->ready);
}

static void helper_stop(struct helper* h) {
  uv_sem_post(&h->go);
  ASSERT_EQ(uv_thread_join(&h->tid), 0);
  uv_sem_destroy(&h->ready);
  uv_sem_destroy(&h->go);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_thread_detach                                                                         */

static uv_sem_t detach_go;
static uv_sem_t detach_done;
static atomic_int detach_ran;

static void detached_main(void* arg) {
  (void) arg;
  uv_sem_wait(&detach_go); /* runs on after the creator detached it */
  atomic_fetch_add(&detach_ran, 1);
  uv_sem_post(&detach_done);
}

static void test_thread_detach(void) {
  uv_thread_t tid;
  int i;

  /* The semaphores stay alive: a detached thread may still be leaving uv_sem_post. */
  ASSERT_EQ(uv_sem_init(&detach_go, 0), 0);
  ASSERT_EQ(uv_sem_init(&detach_done, 0), 0);
  for (i = 1; i <= 4; i++) {
    ASSERT_EQ(uv_thread_create(&tid, detached_main, NULL), 0);
    ASSERT_EQ(uv_thread_detach(&tid), 0);
    uv_sem_post(&detach_go);
    uv_sem_wait(&detach_done);
    ASSERT_EQ(atomic_load(&detach_ran), i);
  }
  uv_sleep(10); /* let the last one end before the process does */
}

static void test_thread_detach_null(void) {
  ASSERT_EQ(uv_thread_detach(NULL), UV_EINVAL);
}

/* ---------------------------------------------------------------------------------------- */
/* Affinity and the current CPU                                                             */

static void test_cpumask_size(void) {
  ASSERT_EQ(uv_cpumask_size(), CPU_SETSIZE);
  ASSERT_EQ(uv_cpumask_size(), 1024);
}

/* The CPUs this thread may run on, as a mask of uv_cpumask_size() bytes (0 or 1 each). */
static char* current_mask(uv_thread_t* tid, int* count) {
  int size = uv_cpumask_size();
  char* mask = malloc((size_t) size);
  int i;
  ASSERT(mask != NULL);
  memset(mask, 'Z', (size_t) size);
  ASSERT_EQ(uv_thread_getaffinity(tid, mask, (size_t) size), 0);
  *count = 0;
  for (i = 0; i < size; i++) {
    ASSERT(mask[i] == 0 || mask[i] == 1);
    *count += mask[i];
  }
  ASSERT(*count >= 1);
  return mask;
}

static void test_affinity_get_set(void) {
  uv_thread_t self = uv_thread_self();
  int size = uv_cpumask_size();
  char* orig;
  char* mask = calloc((size_t) size * 2, 1);
  char* old = calloc((size_t) size * 2, 1);
  cpu_set_t set;
  int count, n, i, first = -1;

  ASSERT(mask != NULL && old != NULL);
  orig = current_mask(&self, &count);
  /* The mask agrees with sched_getaffinity. */
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  ASSERT_EQ(CPU_COUNT(&set), count);
  for (i = 0; i < size; i++) {
    ASSERT_EQ(orig[i], CPU_ISSET(i, &set) ? 1 : 0);
    if (orig[i] && first < 0)
      first = i;
  }

  /* Too small a mask is UV_EINVAL, for both; nothing is written. */
  memset(mask, 'Z', (size_t) size);
  ASSERT_EQ(uv_thread_getaffinity(&self, mask, (size_t) size - 1), UV_EINVAL);
  ASSERT_EQ(mask[0], 'Z');
  ASSERT_EQ(uv_thread_getaffinity(&self, mask, 0), UV_EINVAL);
  ASSERT_EQ(uv_thread_setaffinity(&self, orig, NULL, (size_t) size - 1), UV_EINVAL);
  ASSERT_EQ(uv_thread_setaffinity(&self, orig, old, 0), UV_EINVAL);

  /* A larger mask is fine: only the first uv_cpumask_size() bytes count. */
  memset(mask, 'Z', (size_t) size * 2);
  ASSERT_EQ(uv_thread_getaffinity(&self, mask, (size_t) size * 2), 0);
  ASSERT_EQ(memcmp(mask, orig, (size_t) size), 0);
  ASSERT_EQ(mask[size], 'Z');

  /* Pin to one CPU; the old mask comes back; getcpu follows; any non-zero byte counts. */
  memset(mask, 0, (size_t) size * 2);
  mask[first] = 7;
  mask[size + 1] = 1; /* beyond the mask: ignored */
  memset(old, 'Z', (size_t) size);
  ASSERT_EQ(uv_thread_setaffinity(&self, mask, old, (size_t) size * 2), 0);
  ASSERT_EQ(memcmp(old, orig, (size_t) size), 0);
  free(current_mask(&self, &n));
  ASSERT_EQ(n, 1);
  ASSERT_EQ(uv_thread_getcpu(), first);
  ASSERT_EQ(sched_getcpu(), first);

  /* An empty mask is refused by the kernel: UV_EINVAL, and nothing changes. */
  memset(mask, 0, (size_t) size);
  ASSERT_EQ(uv_thread_setaffinity(&self, mask, old, (size_t) size), UV_EINVAL);
  ASSERT_EQ(old[first], 1);
  free(current_mask(&self, &n));
  ASSERT_EQ(n, 1);

  /* Back to the original mask. */
  ASSERT_EQ(uv_thread_setaffinity(&self, orig, NULL, (size_t) size), 0);
  free(current_mask(&self, &n));
  ASSERT_EQ(n, count);

  free(orig);
  free(mask);
  free(old);
}

/* Another thread's affinity, set and read from this one. */
static void test_affinity_other_thread(void) {
  uv_thread_t self = uv_thread_self();
  int size = uv_cpumask_size();
  struct helper h;
  char* orig;
  char* mask;
  int count, n, i, last = -1;

  orig = current_mask(&self, &count);
  for (i = 0; i < size; i++)
    if (orig[i])
      last = i;
  helper_start(&h, NULL);
  mask = current_mask(&h.tid, &n);
  ASSERT_EQ(n, count); /* inherited */
  memset(mask, 0, (size_t) size);
  mask[last] = 1;
  ASSERT_EQ(uv_thread_setaffinity(&h.tid, mask, NULL, (size_t) size), 0);
  free(mask);
  mask = current_mask(&h.tid, &n);
  ASSERT_EQ(n, 1);
  ASSERT_EQ(mask[last], 1);
  free(mask);
  /* This thread is unchanged. */
  free(current_mask(&self, &n));
  ASSERT_EQ(n, count);
  helper_stop(&h);
  free(orig);
}

static void test_affinity_null(void) {
  uv_thread_t self = uv_thread_self();
  int size = uv_cpumask_size();
  char* mask = calloc((size_t) size, 1);
  ASSERT(mask != NULL);
  ASSERT_EQ(uv_thread_getaffinity(NULL, mask, (size_t) size), UV_EINVAL);
  ASSERT_EQ(uv_thread_getaffinity(&self, NULL, (size_t) size), UV_EINVAL);
  ASSERT_EQ(uv_thread_setaffinity(NULL, mask, NULL, (size_t) size), UV_EINVAL);
  ASSERT_EQ(uv_thread_setaffinity(&self, NULL, mask, (size_t) size), UV_EINVAL);
  free(mask);
}

static void test_getcpu(void) {
  uv_thread_t self = uv_thread_self();
  int count;
  char* mask = current_mask(&self, &count);
  int cpu = uv_thread_getcpu();
  ASSERT(cpu >= 0 && cpu < uv_cpumask_size());
  ASSERT_EQ(mask[cpu], 1);
  free(mask);
}

/* ---------------------------------------------------------------------------------------- */
/* Names                                                                                    */

static void test_thread_name(void) {
  uv_thread_t self = uv_thread_self();
  char name[64];
  char small[4];

  /* A name that fits: 15 bytes. */
  ASSERT_EQ(uv_thread_setname("0123456789abcde"), 0);
  memset(name, 'Z', sizeof(name));
  ASSERT_EQ(uv_thread_getname(&self, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "0123456789abcde");

  /* Longer names are truncated to 15 bytes, as pthread_getname_np sees them. */
  ASSERT_EQ(uv_thread_setname("0123456789abcdefghijklmnop"), 0);
  ASSERT_EQ(uv_thread_getname(&self, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "0123456789abcde");
  memset(name, 0, sizeof(name));
  ASSERT_EQ(pthread_getname_np(pthread_self(), name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "0123456789abcde");

  /* A short buffer gets the start of the name and a NUL; exactly 16 holds all of it. */
  memset(small, 'Z', sizeof(small));
  ASSERT_EQ(uv_thread_getname(&self, small, 3), 0);
  ASSERT_STR_EQ(small, "01");
  ASSERT_EQ(small[3], 'Z');
  ASSERT_EQ(uv_thread_getname(&self, small, 1), 0);
  ASSERT_EQ(small[0], '\0');
  ASSERT_EQ(uv_thread_getname(&self, name, 16), 0);
  ASSERT_STR_EQ(name, "0123456789abcde");
  ASSERT_EQ(uv_thread_getname(&self, name, 15), 0);
  ASSERT_STR_EQ(name, "0123456789abcd");

  /* UTF-8 and the empty name. */
  ASSERT_EQ(uv_thread_setname("~\xc2\xbd\xc2\xac{\xc2\xbd"), 0);
  ASSERT_EQ(uv_thread_getname(&self, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "~\xc2\xbd\xc2\xac{\xc2\xbd");
  ASSERT_EQ(uv_thread_setname(""), 0);
  ASSERT_EQ(uv_thread_getname(&self, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "");

  /* The argument rules libuv itself checks. */
  ASSERT_EQ(uv_thread_setname(NULL), UV_EINVAL);
  ASSERT_EQ(uv_thread_getname(&self, NULL, 16), UV_EINVAL);
  ASSERT_EQ(uv_thread_getname(&self, name, 0), UV_EINVAL);
}

static void test_thread_name_other_thread(void) {
  uv_thread_t self = uv_thread_self();
  struct helper h;
  char name[16];

  ASSERT_EQ(uv_thread_setname("main-thread"), 0);
  helper_start(&h, "helper-thread-with-a-long-name");
  ASSERT_EQ(uv_thread_getname(&h.tid, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "helper-thread-w");
  ASSERT_EQ(uv_thread_getname(&self, name, sizeof(name)), 0);
  ASSERT_STR_EQ(name, "main-thread");
  helper_stop(&h);
}

static void test_thread_name_null(void) {
  char name[16];
  ASSERT_EQ(uv_thread_getname(NULL, name, sizeof(name)), UV_EINVAL);
}

/* ---------------------------------------------------------------------------------------- */
/* Priority                                                                                 */

static int my_nice(void) {
  int r;
  errno = 0;
  r = getpriority(PRIO_PROCESS, (id_t) gettid());
  ASSERT(!(r == -1 && errno != 0));
  return r;
}

static void test_priority_self(void) {
  uv_thread_t self = uv_thread_self();
  int prio = 99;
  int start = my_nice();

  ASSERT_EQ(uv_thread_getpriority(self, &prio), 0);
  ASSERT_EQ(prio, start);

  /* Out of range: UV_EINVAL, nothing changes. */
  ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_HIGHEST + 1), UV_EINVAL);
  ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_LOWEST - 1), UV_EINVAL);
  ASSERT_EQ(uv_thread_setpriority(self, 1000), UV_EINVAL);
  ASSERT_EQ(my_nice(), start);

  /* Lowering is always allowed: nice = -2 * priority, for this thread only. */
  ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_BELOW_NORMAL), 0);
  ASSERT_EQ(my_nice(), 2);
  ASSERT_EQ(uv_thread_getpriority(self, &prio), 0);
  ASSERT_EQ(prio, 2);
  ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_LOWEST), 0);
  ASSERT_EQ(uv_thread_getpriority(self, &prio), 0);
  ASSERT_EQ(prio, 4);

  /* Raising needs privileges (or RLIMIT_NICE). */
  {
    int r = uv_thread_setpriority(self, UV_THREAD_PRIORITY_HIGHEST);
    ASSERT(r == 0 || r == UV_EACCES || r == UV_EPERM);
    if (r == 0) {
      ASSERT_EQ(uv_thread_getpriority(self, &prio), 0);
      ASSERT_EQ(prio, -4);
      ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_ABOVE_NORMAL), 0);
      ASSERT_EQ(my_nice(), -2);
      ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_NORMAL), 0);
      ASSERT_EQ(my_nice(), 0);
    }
  }

  ASSERT_EQ(uv_thread_getpriority(self, NULL), UV_EINVAL);
  ASSERT_EQ(uv_thread_getpriority(0, NULL), UV_EINVAL);
}

static void nice_main(void* arg) {
  int* out = arg;
  uv_thread_t self = uv_thread_self();
  ASSERT_EQ(uv_thread_setpriority(self, UV_THREAD_PRIORITY_LOWEST), 0);
  *out = my_nice();
}

static void test_priority_other_thread(void) {
  uv_thread_t self = uv_thread_self();
  struct helper h;
  int prio = 99, child_nice = 99;
  uv_thread_t tid;

  /* Another SCHED_OTHER thread: its sched_priority (always 0), and setting maps onto the
   * 0..0 range, which changes nothing. */
  helper_start(&h, NULL);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, 0);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_LOWEST), 0);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_HIGHEST), 0);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, 0);
  ASSERT_EQ(uv_thread_setpriority(h.tid, 3), UV_EINVAL);
  helper_stop(&h);

  /* A thread's own nice value is its own: this thread keeps its nice value. */
  ASSERT_EQ(uv_thread_create(&tid, nice_main, &child_nice), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT_EQ(child_nice, 4);
  ASSERT_EQ(uv_thread_getpriority(self, &prio), 0);
  ASSERT_EQ(prio, my_nice());
}

/* A real-time thread (needs CAP_SYS_NICE: skipped without it): the UV_THREAD_PRIORITY_*
 * values spread over SCHED_FIFO's 1..99. */
static void test_priority_fifo(void) {
  struct helper h;
  struct sched_param param;
  int policy, prio, min, max, range;

  helper_start(&h, NULL);
  param.sched_priority = 1;
  if (pthread_setschedparam(h.tid, SCHED_FIFO, &param) != 0) {
    printf("  SCHED_FIFO not permitted: skipped\n");
    helper_stop(&h);
    return;
  }
  min = sched_get_priority_min(SCHED_FIFO);
  max = sched_get_priority_max(SCHED_FIFO);
  range = max - min;
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, 1);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_HIGHEST), 0);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, max);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_ABOVE_NORMAL), 0);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, min + range * 3 / 4);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_NORMAL), 0);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, min + range / 2);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_BELOW_NORMAL), 0);
  ASSERT_EQ(uv_thread_getpriority(h.tid, &prio), 0);
  ASSERT_EQ(prio, min + range / 4);
  ASSERT_EQ(uv_thread_setpriority(h.tid, UV_THREAD_PRIORITY_LOWEST), 0);
  ASSERT_EQ(pthread_getschedparam(h.tid, &policy, &param), 0);
  ASSERT_EQ(policy, SCHED_FIFO);
  ASSERT_EQ(param.sched_priority, min);
  helper_stop(&h);
}

static const struct test_entry tests[] = {
    TEST(thread_detach),
    TEST_RSUV(thread_detach_null),
    TEST(cpumask_size),
    TEST(affinity_get_set),
    TEST(affinity_other_thread),
    TEST_RSUV(affinity_null),
    TEST(getcpu),
    TEST(thread_name),
    TEST(thread_name_other_thread),
    TEST_RSUV(thread_name_null),
    TEST(priority_self),
    TEST(priority_other_thread),
    TEST(priority_fifo),
};

RSUV_TEST_MAIN(tests)
