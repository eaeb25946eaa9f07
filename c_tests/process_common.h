/* process_common.h - the helper side and the helpers of the process tests
 * (test_process.c, test_process_stdio.c).
 *
 * Those programs check uv_spawn and uv_process_kill as a libuv user sees them, written
 * against libuv 1.44's documented behaviour and checked against the real libuv, e.g.
 *   cc -std=gnu11 -Wall -Wextra -Werror -Ic_tests c_tests/test_process.c -o /tmp/tp -luv -lpthread
 * Each program is its own helper: run as `PROGRAM --helper NAME ARGS...` it does one of the
 * helper jobs below (the spawned side) instead of running tests. They run on
 * c_tests/runner.h (a forked child per test, RSUV_TEST_ALARM, RSUV_TEST_NOFORK, test names
 * as arguments; see there).
 */
#ifndef RSUV_C_TESTS_PROCESS_COMMON_H
#define RSUV_C_TESTS_PROCESS_COMMON_H

/* Each program that includes this uses only some of the helpers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

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
/* Helpers                                                                                  */

/* ---------------------------------------------------------------------------------------- */
/* The helper side                                                                          */

static int helper_main(int argc, char** argv) {
  const char* name = argv[2];
  if (strcmp(name, "exit") == 0) {
    return atoi(argv[3]);
  }
  if (strcmp(name, "sleep") == 0) {
    for (;;)
      pause();
  }
  if (strcmp(name, "cwd") == 0) {
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) == NULL)
      return 1;
    printf("%s", buf);
    return 0;
  }
  if (strcmp(name, "env") == 0) {
    const char* v = getenv(argv[3]);
    printf("%s", v ? v : "(unset)");
    return 0;
  }
  if (strcmp(name, "env_count") == 0) {
    int n = 0;
    while (environ[n] != NULL)
      n++;
    printf("%d", n);
    return 0;
  }
  if (strcmp(name, "args") == 0) {
    int i;
    for (i = 3; i < argc; i++)
      printf("[%s]", argv[i]);
    return 0;
  }
  if (strcmp(name, "devnull") == 0) {
    struct stat null_st, st;
    int fd;
    if (stat("/dev/null", &null_st) != 0)
      return 2;
    for (fd = 0; fd < 3; fd++) {
      if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || st.st_rdev != null_st.st_rdev)
        return 10 + fd;
    }
    /* stdin is read-only, stdout and stderr are read-write */
    if ((fcntl(0, F_GETFL) & O_ACCMODE) != O_RDONLY)
      return 20;
    if ((fcntl(1, F_GETFL) & O_ACCMODE) != O_RDWR)
      return 21;
    return 0;
  }
  if (strcmp(name, "write") == 0) {
    int fd = atoi(argv[3]);
    size_t len = strlen(argv[4]);
    return write(fd, argv[4], len) == (ssize_t) len ? 0 : 1;
  }
  if (strcmp(name, "echo") == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
      if (write(1, buf, (size_t) n) != n)
        return 1;
    }
    return n == 0 ? 0 : 2;
  }
  if (strcmp(name, "sid") == 0) {
    return getsid(0) == getpid() ? 0 : 1;
  }
  if (strcmp(name, "signals") == 0) {
    sigset_t set;
    struct sigaction sa;
    int n;
    if (sigprocmask(SIG_SETMASK, NULL, &set) != 0)
      return 2;
    for (n = 1; n < 32; n++)
      if (sigismember(&set, n))
        return 100 + n;
    for (n = 1; n < 32; n++) {
      if (n == SIGKILL || n == SIGSTOP)
        continue;
      if (sigaction(n, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
        return 200 + n;
    }
    return 0;
  }
  if (strcmp(name, "blocking") == 0) {
    int fd;
    for (fd = 0; fd < 3; fd++)
      if (fcntl(fd, F_GETFL) & O_NONBLOCK)
        return 10 + fd;
    return 0;
  }
  fprintf(stderr, "unknown helper %s\n", name);
  return 99;
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char exe[4096];

static void get_exe(void) {
  size_t size = sizeof(exe);
  ASSERT_EQ(uv_exepath(exe, &size), 0);
  exe[size] = '\0';
}

static char* helper_args[16];

/* Options to run our own helper NAME with up to 4 extra arguments (NULL-terminated). */
static void helper_options(uv_process_options_t* o, uv_exit_cb cb, const char* name,
                           const char* a1, const char* a2) {
  get_exe();
  memset(o, 0, sizeof(*o));
  helper_args[0] = exe;
  helper_args[1] = (char*) "--helper";
  helper_args[2] = (char*) name;
  helper_args[3] = (char*) a1;
  helper_args[4] = a1 ? (char*) a2 : NULL;
  helper_args[5] = NULL;
  o->file = exe;
  o->args = helper_args;
  o->exit_cb = cb;
}

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

static int exit_calls;
static int64_t last_exit_status;
static int last_term_signal;
static int close_calls;

static void reset_counts(void) {
  exit_calls = 0;
  last_exit_status = -1;
  last_term_signal = -1;
  close_calls = 0;
}

static void count_close_cb(uv_handle_t* h) {
  (void) h;
  close_calls++;
}

static void exit_close_cb(uv_process_t* p, int64_t exit_status, int term_signal) {
  exit_calls++;
  last_exit_status = exit_status;
  last_term_signal = term_signal;
  ASSERT_EQ(uv_is_active((uv_handle_t*) p), 0);
  uv_close((uv_handle_t*) p, count_close_cb);
}

static void never_exit_cb(uv_process_t* p, int64_t exit_status, int term_signal) {
  (void) p;
  (void) exit_status;
  (void) term_signal;
  ASSERT(!"this exit callback must not run");
}

/* Reads everything from fd (until EOF) into buf, NUL-terminated. */
static void read_all(int fd, char* buf, size_t size) {
  size_t used = 0;
  ssize_t n;
  for (;;) {
    ASSERT(used + 1 < size);
    n = read(fd, buf + used, size - used - 1);
    if (n < 0 && errno == EINTR)
      continue;
    ASSERT(n >= 0);
    if (n == 0)
      break;
    used += (size_t) n;
  }
  buf[used] = '\0';
}

/* Runs helper NAME with stdout to a pipe; returns its exit status, output in out. */
static int64_t run_capture(uv_loop_t* loop, uv_process_options_t* o, char* out, size_t size) {
  uv_process_t p;
  uv_stdio_container_t stdio[3];
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = fds[1];
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  o->stdio = stdio;
  o->stdio_count = 3;
  o->exit_cb = exit_close_cb;
  reset_counts();
  ASSERT_EQ(uv_spawn(loop, &p, o), 0);
  ASSERT_EQ(close(fds[1]), 0);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(close_calls, 1);
  ASSERT_EQ(last_term_signal, 0);
  read_all(fds[0], out, size);
  ASSERT_EQ(close(fds[0]), 0);
  return last_exit_status;
}

#pragma GCC diagnostic pop

#endif /* RSUV_C_TESTS_PROCESS_COMMON_H */
