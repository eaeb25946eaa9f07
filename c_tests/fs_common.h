/* fs_common.h - how the uv_fs_* tests run (test_fs_io.c, test_fs_dir.c, test_fs_attr.c,
 * test_fs_req.c), and their helpers.
 *
 * Most tests run twice: synchronously (no callback, NULL loop: the call returns the result)
 * and asynchronously (a callback: the call returns 0, the thread pool runs the operation,
 * the callback runs on the loop thread during uv_run). TEST2(name) lists both, as
 * name_sync and name_async; the test entry's `arg` is the mode. FS() starts a request in
 * the test's mode and completes it.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv, e.g.
 *   cc -std=gnu11 -Wall -Wextra -Ic_tests c_tests/test_fs_io.c -o /tmp/tfs -luv -lpthread
 * (RSUV_TEST_REAL_LIBUV=1 then skips the rsuv-only tests).
 *
 * The programs run on c_tests/runner.h (a forked child per test, RSUV_TEST_ALARM,
 * RSUV_TEST_NOFORK, test names as arguments; see there). fs_main() makes a temporary
 * directory and removes it at the end; each test runs in a fresh directory under it
 * (named after the test), with a fresh loop. Needs _GNU_SOURCE (nftw), defined before any
 * include.
 */
#ifndef RSUV_C_TESTS_FS_COMMON_H
#define RSUV_C_TESTS_FS_COMMON_H

/* Each program that includes this uses only some of the helpers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

#include "runner.h"

#include "uv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
/* Running a request in either mode                                                         */

static uv_loop_t* loop;
static int async_mode;
static int done_count;
static pthread_t loop_thread;

static void on_done(uv_fs_t* req) {
  ASSERT(pthread_equal(pthread_self(), loop_thread));
  ASSERT_EQ(req->type, UV_FS);
  ASSERT(req->cb == on_done);
  done_count++;
}

/* Completes a request started by FS(): in async mode the call must have returned 0 and
 * the callback must run exactly once in uv_run; in sync mode the call returns the result.
 */
static ssize_t finish(uv_fs_t* req, int r) {
  if (async_mode) {
    int before = done_count;
    ASSERT_EQ(r, 0);
    ASSERT_EQ(done_count, before);
    ASSERT(uv_loop_alive(loop));
    ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(done_count, before + 1);
  } else {
    ASSERT_EQ(r, (int) req->result);
  }
  ASSERT_EQ(uv_fs_get_result(req), req->result);
  return req->result;
}

#define LP (async_mode ? loop : NULL)
#define CB (async_mode ? on_done : NULL)
#define FS(fn, req, ...) finish((req), fn(LP, (req), __VA_ARGS__, CB))

/* ---------------------------------------------------------------------------------------- */
/* Plain POSIX helpers, independent of the library under test                               */

static void put_file(const char* name, const void* data, size_t len) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, data, len), (ssize_t) len);
  ASSERT_EQ(close(fd), 0);
}

static ssize_t get_file(const char* name, void* buf, size_t cap) {
  int fd = open(name, O_RDONLY);
  ssize_t n, total = 0;
  ASSERT(fd >= 0);
  while ((n = read(fd, (char*) buf + total, cap - total)) > 0)
    total += n;
  ASSERT(n == 0 || (size_t) total == cap);
  ASSERT_EQ(close(fd), 0);
  return total;
}

static int exists(const char* name) {
  struct stat st;
  return lstat(name, &st) == 0;
}

static int fs_open(const char* name, int flags, int mode) {
  uv_fs_t req;
  ssize_t fd = FS(uv_fs_open, &req, name, flags, mode);
  ASSERT_EQ(req.fs_type, UV_FS_OPEN);
  uv_fs_req_cleanup(&req);
  return (int) fd;
}

static void fs_close(int fd) {
  uv_fs_t req;
  ASSERT_EQ(FS(uv_fs_close, &req, fd), 0);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Running a test                                                                           */

#define TEST2(n) TEST_ARG(#n "_sync", test_##n, 0), TEST_ARG(#n "_async", test_##n, 1)

static char root[PATH_MAX];

/* The runner's wrap: runs one test in a fresh directory under the root, with a fresh loop,
 * in the mode the entry's arg says (1: async). */
static void run_one(const struct test_entry* t) {
  uv_loop_t l;
  char dir[PATH_MAX + 64];

  snprintf(dir, sizeof(dir), "%s/%s", root, t->name);
  ASSERT_EQ(mkdir(dir, 0755), 0);
  ASSERT_EQ(chdir(dir), 0);
  umask(022);
  async_mode = t->arg;
  done_count = 0;
  loop_thread = pthread_self();
  ASSERT_EQ(uv_loop_init(&l), 0);
  loop = &l;
  t->fn();
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
  loop = NULL;
  ASSERT_EQ(chdir(root), 0);
}

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void) st;
  (void) ftw;
  if (flag == FTW_DP)
    return rmdir(path);
  return unlink(path);
}

/* A program's main: the tests in a temporary directory, removed afterwards. */
static int fs_main(const struct test_entry* tests, size_t n, int argc, char** argv) {
  const char* tmp = getenv("TMPDIR");
  int r;

  snprintf(root, sizeof(root), "%s/rsuv_test_fs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  ASSERT(mkdtemp(root) != NULL);
  rsuv_test_wrap = run_one;
  r = run_tests(tests, n, argc, argv);
  ASSERT_EQ(chdir("/"), 0);
  ASSERT_EQ(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
  return r;
}

#pragma GCC diagnostic pop

#endif /* RSUV_C_TESTS_FS_COMMON_H */
