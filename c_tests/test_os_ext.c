/* test_os_ext.c - the system functions of libuv 1.45-1.53 as a libuv user sees them.
 *
 * Covers: uv_os_get_passwd2 (by uid; UV_ENOENT for no such user), uv_os_get_group /
 * uv_os_free_group (name, gid, the NULL-terminated member list, one allocation from the
 * uv_replace_allocator functions), uv_getrusage_thread (RUSAGE_THREAD), uv_clock_gettime
 * (UV_EINVAL for a bad clock id, UV_EFAULT for NULL), uv_get_constrained_memory (the cgroup
 * limit, UINT64_MAX for "no limit", combined with RLIMIT_AS/RLIMIT_DATA) and
 * uv_get_available_memory (the cgroup's limit less its usage, else the free memory).
 *
 * Tests marked TEST_RSUV check rsuv's UV_EINVAL where libuv 1.53 would dereference NULL;
 * the rest pass against the real libuv 1.53 too:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude c_tests/test_os_ext.c -luv -lpthread
 *   RSUV_TEST_REAL_LIBUV=1 ./a.out
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30);
 * RSUV_TEST_NOFORK=1 runs them in this process; a test name as argv[1] runs only that one.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
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

#define ASSERT_U64_EQ(a, b)                                                            \
  do {                                                                                 \
    uint64_t a_ = (uint64_t) (a), b_ = (uint64_t) (b);                                 \
    if (a_ != b_) {                                                                    \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (%llu != %llu)\n",     \
              __FILE__, __LINE__, __func__, #a, #b, (unsigned long long) a_,           \
              (unsigned long long) b_);                                                \
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

/* ---------------------------------------------------------------------------------------- */
/* A counting allocator: how many blocks libuv has handed out and not taken back.           */

static long live_blocks;

static void* count_malloc(size_t n) {
  void* p = malloc(n);
  if (p != NULL)
    live_blocks++;
  return p;
}

static void* count_realloc(void* p, size_t n) {
  void* q = realloc(p, n);
  if (p == NULL && q != NULL)
    live_blocks++;
  return q;
}

static void* count_calloc(size_t c, size_t n) {
  void* p = calloc(c, n);
  if (p != NULL)
    live_blocks++;
  return p;
}

static void count_free(void* p) {
  if (p != NULL)
    live_blocks--;
  free(p);
}

static void use_counting_allocator(void) {
  ASSERT_EQ(uv_replace_allocator(count_malloc, count_realloc, count_calloc, count_free), 0);
}

/* A uid/gid that names nobody (the first one from 4000000000 down with no entry). */
static uid_t unused_uid(void) {
  uid_t u;
  for (u = 4000000000u; getpwuid(u) != NULL; u--) {
  }
  return u;
}

static gid_t unused_gid(void) {
  gid_t g;
  for (g = 4000000000u; getgrgid(g) != NULL; g--) {
  }
  return g;
}

/* ---------------------------------------------------------------------------------------- */
/* uv_os_get_passwd2                                                                        */

static void check_passwd(const uv_passwd_t* pwd, uid_t uid) {
  struct passwd* pw = getpwuid(uid);
  ASSERT(pw != NULL);
  ASSERT_STR_EQ(pwd->username, pw->pw_name);
  ASSERT_STR_EQ(pwd->homedir, pw->pw_dir);
  ASSERT_STR_EQ(pwd->shell, pw->pw_shell);
  ASSERT_EQ(pwd->uid, pw->pw_uid);
  ASSERT_EQ(pwd->gid, pw->pw_gid);
}

static void test_passwd2(void) {
  uv_passwd_t me, pwd;

  use_counting_allocator();
  ASSERT_EQ(uv_os_get_passwd(&me), 0);
  ASSERT_EQ(live_blocks, 1);
  ASSERT_EQ(uv_os_get_passwd2(&pwd, (uv_uid_t) me.uid), 0);
  ASSERT_EQ(live_blocks, 2); /* one block per entry */
  check_passwd(&pwd, (uid_t) me.uid);
  ASSERT_EQ(me.uid, geteuid());
  ASSERT_STR_EQ(pwd.username, me.username);
  uv_os_free_passwd(&pwd);
  ASSERT_EQ(live_blocks, 1);
  ASSERT(pwd.username == NULL && pwd.homedir == NULL && pwd.shell == NULL);
  uv_os_free_passwd(&pwd); /* harmless after the first */
  uv_os_free_passwd(NULL);
  ASSERT_EQ(live_blocks, 1);

  ASSERT_EQ(uv_os_get_passwd2(&pwd, 0), 0);
  ASSERT_STR_EQ(pwd.username, "root");
  ASSERT_EQ(pwd.uid, 0);
  ASSERT(strlen(pwd.homedir) > 0 && strlen(pwd.shell) > 0);
  check_passwd(&pwd, 0);
  uv_os_free_passwd(&pwd);

  /* No such user: UV_ENOENT, nothing allocated. */
  ASSERT_EQ(uv_os_get_passwd2(&pwd, (uv_uid_t) unused_uid()), UV_ENOENT);
  ASSERT_EQ(live_blocks, 1);

  ASSERT_EQ(uv_os_get_passwd2(NULL, 0), UV_EINVAL);
  uv_os_free_passwd(&me);
  ASSERT_EQ(live_blocks, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_os_get_group / uv_os_free_group                                                       */

static void check_group(const uv_group_t* grp, gid_t gid) {
  struct group* gr = getgrgid(gid);
  size_t i;
  ASSERT(gr != NULL);
  ASSERT_STR_EQ(grp->groupname, gr->gr_name);
  ASSERT_EQ(grp->gid, gid);
  ASSERT(grp->members != NULL);
  for (i = 0; gr->gr_mem[i] != NULL; i++) {
    ASSERT(grp->members[i] != NULL);
    ASSERT_STR_EQ(grp->members[i], gr->gr_mem[i]);
  }
  ASSERT(grp->members[i] == NULL);
}

static void test_group(void) {
  uv_passwd_t me;
  uv_group_t grp;

  use_counting_allocator();
  ASSERT_EQ(uv_os_get_passwd(&me), 0);
  memset(&grp, 0xAA, sizeof(grp));
  ASSERT_EQ(uv_os_get_group(&grp, (uv_uid_t) me.gid), 0);
  ASSERT_EQ(live_blocks, 2); /* the passwd entry and one block for the group */
  check_group(&grp, (gid_t) me.gid);
  ASSERT(strlen(grp.groupname) > 0);
  uv_os_free_group(&grp);
  ASSERT_EQ(live_blocks, 1);
  ASSERT(grp.members == NULL && grp.groupname == NULL);
  uv_os_free_group(&grp); /* harmless after the first */
  uv_os_free_group(NULL);
  ASSERT_EQ(live_blocks, 1);
  uv_os_free_passwd(&me);

  ASSERT_EQ(uv_os_get_group(&grp, 0), 0);
  ASSERT_STR_EQ(grp.groupname, "root");
  check_group(&grp, 0);
  uv_os_free_group(&grp);

  ASSERT_EQ(uv_os_get_group(&grp, (uv_uid_t) unused_gid()), UV_ENOENT);
  ASSERT_EQ(uv_os_get_group(NULL, 0), UV_EINVAL);
  ASSERT_EQ(live_blocks, 0);
}

/* Every group of the system (so groups with members too, when there are any). */
static void test_group_all(void) {
  struct group* gr;
  gid_t gids[256];
  size_t n = 0, i, with_members = 0;

  setgrent();
  while ((gr = getgrent()) != NULL && n < sizeof(gids) / sizeof(gids[0])) {
    gids[n++] = gr->gr_gid;
    if (gr->gr_mem[0] != NULL)
      with_members++;
  }
  endgrent();
  ASSERT(n > 0);
  use_counting_allocator();
  for (i = 0; i < n; i++) {
    uv_group_t grp;
    ASSERT_EQ(uv_os_get_group(&grp, (uv_uid_t) gids[i]), 0);
    ASSERT_EQ(live_blocks, 1);
    check_group(&grp, gids[i]);
    uv_os_free_group(&grp);
    ASSERT_EQ(live_blocks, 0);
  }
  printf("  %zu groups, %zu with members\n", n, with_members);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_getrusage_thread                                                                      */

static double cpu_seconds(const uv_rusage_t* u) {
  return (double) u->ru_utime.tv_sec + (double) u->ru_utime.tv_usec / 1e6 +
         (double) u->ru_stime.tv_sec + (double) u->ru_stime.tv_usec / 1e6;
}

static void burn(double seconds) {
  uv_rusage_t u;
  volatile unsigned long x = 0;
  do {
    unsigned long i;
    for (i = 0; i < 100000; i++)
      x += i;
    ASSERT_EQ(uv_getrusage_thread(&u), 0);
  } while (cpu_seconds(&u) < seconds);
}

static void burner(void* arg) {
  uv_rusage_t* out = arg;
  burn(0.2);
  ASSERT_EQ(uv_getrusage_thread(out), 0);
}

static void test_getrusage_thread(void) {
  uv_rusage_t before, after, other, proc;
  struct rusage ru;
  uv_thread_t tid;

  ASSERT_EQ(uv_getrusage_thread(&before), 0);
  /* Another thread burns CPU: its figures grow, this thread's do not. */
  ASSERT_EQ(uv_thread_create(&tid, burner, &other), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT(cpu_seconds(&other) >= 0.2);
  ASSERT_EQ(uv_getrusage_thread(&after), 0);
  ASSERT(cpu_seconds(&after) - cpu_seconds(&before) < 0.1);
  ASSERT_EQ(uv_getrusage(&proc), 0);
  ASSERT(cpu_seconds(&proc) >= cpu_seconds(&other));
  ASSERT(after.ru_maxrss > 0); /* kilobytes, the process's on Linux */

  /* The same figures getrusage(RUSAGE_THREAD) gives, give or take the time between. */
  ASSERT_EQ(getrusage(RUSAGE_THREAD, &ru), 0);
  ASSERT_EQ(uv_getrusage_thread(&after), 0);
  ASSERT(after.ru_utime.tv_sec >= ru.ru_utime.tv_sec);
  ASSERT(after.ru_minflt >= (uint64_t) ru.ru_minflt);
  ASSERT(after.ru_nvcsw >= (uint64_t) ru.ru_nvcsw);
}

static void test_getrusage_thread_null(void) {
  ASSERT_EQ(uv_getrusage_thread(NULL), UV_EINVAL);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_clock_gettime                                                                         */

static void test_clock_gettime(void) {
  uv_timespec64_t t, t2;
  struct timeval tv;
  uint64_t h;

  ASSERT_EQ(uv_clock_gettime((uv_clock_id) 1337, &t), UV_EINVAL);
  ASSERT_EQ(uv_clock_gettime((uv_clock_id) 2, &t), UV_EINVAL);
  ASSERT_EQ(uv_clock_gettime((uv_clock_id) -1, &t), UV_EINVAL);
  ASSERT_EQ(uv_clock_gettime((uv_clock_id) 1337, NULL), UV_EFAULT);
  ASSERT_EQ(uv_clock_gettime(UV_CLOCK_MONOTONIC, NULL), UV_EFAULT);
  ASSERT_EQ(uv_clock_gettime(UV_CLOCK_REALTIME, NULL), UV_EFAULT);

  /* Monotonic: uv_hrtime's clock, never going back. */
  ASSERT_EQ(uv_clock_gettime(UV_CLOCK_MONOTONIC, &t), 0);
  h = uv_hrtime();
  ASSERT_EQ(uv_clock_gettime(UV_CLOCK_MONOTONIC, &t2), 0);
  ASSERT(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
  ASSERT((uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec <= h);
  ASSERT(h <= (uint64_t) t2.tv_sec * 1000000000u + (uint64_t) t2.tv_nsec);

  /* Real time: the wall clock. */
  ASSERT_EQ(uv_clock_gettime(UV_CLOCK_REALTIME, &t), 0);
  ASSERT_EQ(gettimeofday(&tv, NULL), 0);
  ASSERT(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
  ASSERT(t.tv_sec > 1682500000); /* 2023-04-26 */
  ASSERT(t.tv_sec <= tv.tv_sec && tv.tv_sec - t.tv_sec <= 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Memory                                                                                   */

/* A cgroup file with one number, as libuv reads it: 0 when unreadable, UINT64_MAX for
 * "max". */
static uint64_t read_num(const char* path) {
  char buf[64];
  FILE* f = fopen(path, "r");
  unsigned long long v;
  size_t n;
  if (f == NULL)
    return 0;
  n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  if (sscanf(buf, "%llu", &v) == 1)
    return v;
  return strcmp(buf, "max\n") == 0 ? UINT64_MAX : 0;
}

/* The cgroup limit and usage libuv 1.53 reports (cgroup v2's unified hierarchy, or v1's
 * memory controller falling back to the mount's root); limit 0 when unknown. */
static void cgroup_memory(uint64_t* limit, uint64_t* usage) {
  char cg[4096], path[4600], dir[4200];
  uint64_t high, max;
  size_t n;
  FILE* f = fopen("/proc/self/cgroup", "r");
  *limit = *usage = 0;
  if (f == NULL)
    return;
  n = fread(cg, 1, sizeof(cg) - 1, f);
  fclose(f);
  cg[n] = '\0';
  if (strncmp(cg, "0::/", 4) == 0) {
    snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%.*s", (int) strcspn(cg + 4, "\n"), cg + 4);
    snprintf(path, sizeof(path), "%s/memory.max", dir);
    max = read_num(path);
    snprintf(path, sizeof(path), "%s/memory.high", dir);
    high = read_num(path);
    snprintf(path, sizeof(path), "%s/memory.current", dir);
    *usage = read_num(path);
  } else {
    char* line = strstr(cg, ":memory:/");
    uint64_t unlimited = (uint64_t) LONG_MAX & ~((uint64_t) sysconf(_SC_PAGESIZE) - 1);
    high = max = 0;
    if (line != NULL) {
      line += strlen(":memory:/");
      snprintf(dir, sizeof(dir), "/sys/fs/cgroup/memory/%.*s", (int) strcspn(line, "\n"), line);
      snprintf(path, sizeof(path), "%s/memory.soft_limit_in_bytes", dir);
      high = read_num(path);
      snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", dir);
      max = read_num(path);
      snprintf(path, sizeof(path), "%s/memory.usage_in_bytes", dir);
      *usage = read_num(path);
    }
    if (high == 0 || max == 0) {
      high = read_num("/sys/fs/cgroup/memory/memory.soft_limit_in_bytes");
      max = read_num("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    }
    if (*usage == 0)
      *usage = read_num("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    if (high == unlimited)
      high = UINT64_MAX;
    if (max == unlimited)
      max = UINT64_MAX;
  }
  if (high != 0 && max != 0)
    *limit = high < max ? high : max;
}

static uint64_t rlimit_memory(void) {
  struct rlimit rl;
  uint64_t r = 0;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    r = rl.rlim_cur;
  if (getrlimit(RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      (r == 0 || rl.rlim_cur < r))
    r = rl.rlim_cur;
  return r;
}

static uint64_t expected_constrained(void) {
  uint64_t cg, usage, rl = rlimit_memory();
  cgroup_memory(&cg, &usage);
  if (cg == 0)
    return rl;
  if (rl == 0)
    return cg;
  return cg < rl ? cg : rl;
}

static void test_constrained_memory(void) {
  uint64_t c = uv_get_constrained_memory();
  struct rlimit rl;
  const uint64_t data_limit = (uint64_t) 1 << 40; /* 1 TiB: harmless for this child */

  printf("  constrained memory: %llu\n", (unsigned long long) c);
  ASSERT_U64_EQ(c, expected_constrained());

  /* An rlimit counts too: the smaller of it and the cgroup's limit. */
  ASSERT_EQ(getrlimit(RLIMIT_DATA, &rl), 0);
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > data_limit) {
    rl.rlim_cur = data_limit;
    ASSERT_EQ(setrlimit(RLIMIT_DATA, &rl), 0);
    ASSERT_U64_EQ(uv_get_constrained_memory(), expected_constrained());
    ASSERT_U64_EQ(uv_get_constrained_memory(), c == 0 || c > data_limit ? data_limit : c);
  }
}

static void test_available_memory(void) {
  uint64_t total = uv_get_total_memory();
  uint64_t avail = uv_get_available_memory();
  uint64_t free_mem = uv_get_free_memory();
  uint64_t limit, usage;

  cgroup_memory(&limit, &usage);
  printf("  available %llu, free %llu, total %llu, cgroup limit %llu, usage %llu\n",
         (unsigned long long) avail, (unsigned long long) free_mem,
         (unsigned long long) total, (unsigned long long) limit,
         (unsigned long long) usage);
  ASSERT(avail > 0);
  ASSERT(avail <= total);
  if (limit == 0 || limit > total) {
    /* No limit below the machine's memory: the free memory (which moves a little). */
    uint64_t diff = avail > free_mem ? avail - free_mem : free_mem - avail;
    ASSERT(diff < (uint64_t) 256 << 20);
  } else {
    ASSERT(avail <= limit);
  }
}

static const struct test_entry tests[] = {
    TEST(passwd2),
    TEST(group),
    TEST(group_all),
    TEST(getrusage_thread),
    TEST_RSUV(getrusage_thread_null),
    TEST(clock_gettime),
    TEST(constrained_memory),
    TEST(available_memory),
};

RSUV_TEST_MAIN(tests)
