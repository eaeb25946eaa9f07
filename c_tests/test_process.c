/* test_process.c - processes as a libuv user sees them.
 *
 * Covers: uv_spawn (exit codes, death by signal, ENOENT/EACCES reported synchronously,
 * PATH search with the caller's or the given environment, args, env, cwd, detached,
 * setuid/setgid, stdio: ignored -> /dev/null, inherited fds, more than 3 fds, swapped low
 * fds, created pipes read and written through uv_pipe_t), exit callbacks driven by SIGCHLD
 * for many children at once, uv_process_kill / uv_kill, closing a process handle before
 * its child exits, ref/unref, the internal SIGCHLD handle (invisible to uv_walk, gone at
 * uv_loop_close), a user SIGCHLD handle alongside it, dispositions and signal mask reset in
 * the child, and bad stdio containers.
 *
 * The program is its own helper: run as `test_process --helper NAME ARGS...` it does one
 * small job (exit with a code, print its cwd or an env var, copy stdin to stdout...).
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_process.c -o /tmp/tp -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
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

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */

static void test_exit_code(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "exit", "42", NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT(p.pid > 0);
  ASSERT_EQ(uv_process_get_pid(&p), p.pid);
  ASSERT_EQ(p.type, UV_PROCESS);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(close_calls, 1);
  ASSERT_EQ(last_exit_status, 42);
  ASSERT_EQ(last_term_signal, 0);
  /* The raw wait status is kept (libuv's private `status`, read by some programs). */
  ASSERT(WIFEXITED(p.status));
  ASSERT_EQ(WEXITSTATUS(p.status), 42);
  /* The child was reaped. */
  ASSERT_EQ(waitpid(p.pid, NULL, WNOHANG), -1);
  ASSERT_EQ(errno, ECHILD);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_enoent(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[2] = {(char*) "no-such-program-rsuv", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  /* An absolute path that does not exist. */
  args[0] = (char*) "/nonexistent-dir-rsuv/prog";
  o.file = args[0];
  {
    uv_process_t p2;
    ASSERT_EQ(uv_spawn(&loop, &p2, &o), UV_ENOENT);
    uv_close((uv_handle_t*) &p2, NULL);
  }
  reset_counts();
  uv_close((uv_handle_t*) &p, count_close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_calls, 1);
  /* No zombie left behind. */
  ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
  ASSERT_EQ(errno, ECHILD);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_eacces(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char path[] = "/tmp/rsuv-noexec-XXXXXX";
  char* args[2];
  int fd;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  fd = mkstemp(path);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(chmod(path, 0644), 0);
  args[0] = path;
  args[1] = NULL;
  memset(&o, 0, sizeof(o));
  o.file = path;
  o.args = args;
  o.exit_cb = never_exit_cb;
  if (getuid() != 0) {
    /* root may execute it anyway only if some x bit is set: none is. */
  }
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EACCES);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(unlink(path), 0);
  finish_loop(&loop);
}

static void test_path_search(void) {
  uv_loop_t loop;
  uv_process_options_t o;
  uv_process_t p;
  char out[256];
  char* args[4] = {(char*) "sh", (char*) "-c", (char*) "exit 7", NULL};
  char* env_path[] = {(char*) "PATH=/nonexistent-rsuv:/bin:/usr/bin", NULL};
  char* env_nopath[] = {(char*) "FOO=1", NULL};
  char* env_badpath[] = {(char*) "PATH=/nonexistent-rsuv", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  (void) out;
  /* The caller's PATH. */
  memset(&o, 0, sizeof(o));
  o.file = "sh";
  o.args = args;
  o.exit_cb = exit_close_cb;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* The given environment's PATH. */
  o.env = env_path;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* An environment without PATH: the default search path. */
  o.env = env_nopath;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* A PATH where sh is not. */
  o.env = env_badpath;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

static void test_args_env_cwd(void) {
  uv_loop_t loop;
  uv_process_options_t o;
  char out[4096];
  char* env[] = {(char*) "RSUV_FOO=bar baz", (char*) "OTHER=1", NULL};
  char* empty_env[] = {NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);

  helper_options(&o, exit_close_cb, "args", "a b", "");
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "[a b][]");

  helper_options(&o, exit_close_cb, "env", "RSUV_FOO", NULL);
  o.env = env;
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "bar baz");

  /* Without options.env the child gets the parent's environment. */
  ASSERT_EQ(setenv("RSUV_PARENT_VAR", "inherited", 1), 0);
  helper_options(&o, exit_close_cb, "env", "RSUV_PARENT_VAR", NULL);
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "inherited");
  o.env = env;
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "(unset)");

  helper_options(&o, exit_close_cb, "env_count", NULL, NULL);
  o.env = empty_env;
  if (getenv("LD_LIBRARY_PATH") == NULL) {
    ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "0");
  }

  helper_options(&o, exit_close_cb, "cwd", NULL, NULL);
  o.cwd = "/";
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "/");
  finish_loop(&loop);
}

static void test_bad_cwd(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, never_exit_cb, "exit", "0", NULL);
  o.cwd = "/nonexistent-dir-rsuv";
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  finish_loop(&loop);
}

static void test_relative_file_with_cwd(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char dir[4096];
  char* slash;
  char rel[4096];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "exit", "3", NULL);
  /* ./name, resolved in the child's working directory. */
  strcpy(dir, exe);
  slash = strrchr(dir, '/');
  ASSERT(slash != NULL);
  snprintf(rel, sizeof(rel), "./%s", slash + 1);
  *slash = '\0';
  o.cwd = dir;
  o.file = rel;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 3);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_term_signal(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[] = {(char*) "/bin/sh", (char*) "-c", (char*) "kill -9 $$", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_close_cb;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(last_term_signal, SIGKILL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_kill(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  sigset_t set;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sleep", NULL, NULL);
  /* The child must not inherit an ignored or blocked SIGTERM. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
  ASSERT(signal(SIGTERM, SIG_IGN) != SIG_ERR);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
  ASSERT(signal(SIGTERM, SIG_DFL) != SIG_ERR);
  ASSERT_EQ(uv_kill(p.pid, 0), 0);
  ASSERT_EQ(uv_process_kill(&p, 0), 0);
  ASSERT_EQ(uv_process_kill(&p, SIGTERM), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(last_term_signal, SIGTERM);
  /* Gone and reaped. */
  ASSERT_EQ(uv_kill(p.pid, 0), UV_ESRCH);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_child_signal_state(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_signal_t sig;
  sigset_t set;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* A uv_signal handler, an ignored signal and blocked signals in the parent... */
  ASSERT_EQ(uv_signal_init(&loop, &sig), 0);
  ASSERT_EQ(uv_signal_start(&sig, (uv_signal_cb) abort, SIGUSR1), 0);
  ASSERT(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGINT);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
  /* ...are all back to default, and unblocked, in the child. */
  helper_options(&o, exit_close_cb, "signals", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
  uv_unref((uv_handle_t*) &sig);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  finish_loop(&loop);
}

static void test_ignored_stdio(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* No containers at all: 0, 1 and 2 are /dev/null. */
  helper_options(&o, exit_close_cb, "devnull", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* Two explicit UV_IGNORE: the third is /dev/null too. */
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_IGNORE;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_fd3(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[5];
  int fds[2];
  char out[256];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(pipe(fds), 0);
  helper_options(&o, exit_close_cb, "write", "4", "fifth fd!");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_IGNORE;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  stdio[3].flags = UV_IGNORE;
  stdio[4].flags = UV_INHERIT_FD;
  stdio[4].data.fd = fds[1];
  o.stdio = stdio;
  o.stdio_count = 5;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(close(fds[1]), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  read_all(fds[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "fifth fd!");
  ASSERT_EQ(close(fds[0]), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_swap(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[3];
  int a[2], b[2];
  int saved1, saved2;
  char out[256];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* Our fd 1 -> pipe a, fd 2 -> pipe b; the child gets them swapped. */
  ASSERT_EQ(pipe(a), 0);
  ASSERT_EQ(pipe(b), 0);
  fflush(stdout);
  fflush(stderr);
  saved1 = dup(1);
  saved2 = dup(2);
  ASSERT(saved1 >= 0 && saved2 >= 0);
  ASSERT_EQ(dup2(a[1], 1), 1);
  ASSERT_EQ(dup2(b[1], 2), 2);
  helper_options(&o, exit_close_cb, "write", "1", "to-fd-1");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = 2;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 1;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(dup2(saved1, 1), 1);
  ASSERT_EQ(dup2(saved2, 2), 2);
  ASSERT_EQ(close(saved1), 0);
  ASSERT_EQ(close(saved2), 0);
  ASSERT_EQ(close(a[1]), 0);
  ASSERT_EQ(close(b[1]), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* The child's fd 1 was our fd 2: pipe b. */
  read_all(b[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "to-fd-1");
  read_all(a[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "");
  close(a[0]);
  close(b[0]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_blocking(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[3];
  int fds[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* A non-blocking descriptor becomes blocking as the child's stdio. */
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  helper_options(&o, exit_close_cb, "blocking", NULL, NULL);
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = fds[1];
  stdio[2].flags = UV_IGNORE;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  close(fds[0]);
  close(fds[1]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_bad_stdio(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[2];
  uv_timer_t not_a_pipe;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &not_a_pipe), 0);
  helper_options(&o, never_exit_cb, "exit", "0", NULL);
  o.stdio = stdio;
  o.stdio_count = 2;
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = -1;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &not_a_pipe;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EINVAL);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

static void test_detached(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sid", NULL, NULL);
  o.flags = UV_PROCESS_DETACHED;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* Without the flag the child stays in our session. */
  o.flags = 0;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_setuid(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[] = {(char*) "/bin/sh", (char*) "-c",
                  (char*) "test \"$(id -u)\" = 65534 && test \"$(id -g)\" = 65534", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_close_cb;
  o.flags = UV_PROCESS_SETUID | UV_PROCESS_SETGID | UV_PROCESS_WINDOWS_HIDE;
  o.uid = 65534;
  o.gid = 65534;
  reset_counts();
  if (getuid() == 0) {
    ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(exit_calls, 1);
    ASSERT_EQ(last_exit_status, 0);
    /* Drop to nobody ourselves: now setting uid 0 must fail. */
    ASSERT_EQ(setgid(65534), 0);
    ASSERT_EQ(setuid(65534), 0);
  }
  o.flags = UV_PROCESS_SETUID;
  o.uid = 0;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EPERM);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  o.flags = UV_PROCESS_SETGID;
  o.gid = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EPERM);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

#define MANY 20
static int many_seen[MANY];

static void many_exit_cb(uv_process_t* p, int64_t exit_status, int term_signal) {
  ASSERT_EQ(term_signal, 0);
  ASSERT(exit_status >= 0 && exit_status < MANY);
  ASSERT_EQ(many_seen[exit_status], 0);
  ASSERT_EQ((intptr_t) p->data, exit_status);
  many_seen[exit_status] = 1;
  exit_calls++;
  uv_close((uv_handle_t*) p, NULL);
}

static void test_many_children(void) {
  uv_loop_t loop;
  uv_process_t p[MANY];
  uv_process_options_t o;
  char code[MANY][8];
  char* args[MANY][4];
  int i;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  reset_counts();
  memset(many_seen, 0, sizeof(many_seen));
  for (i = 0; i < MANY; i++) {
    snprintf(code[i], sizeof(code[i]), "exit %d", i);
    args[i][0] = (char*) "sh";
    args[i][1] = (char*) "-c";
    args[i][2] = code[i];
    args[i][3] = NULL;
    memset(&o, 0, sizeof(o));
    o.file = "sh";
    o.args = args[i];
    o.exit_cb = many_exit_cb;
    ASSERT_EQ(uv_spawn(&loop, &p[i], &o), 0);
    p[i].data = (void*) (intptr_t) i;
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, MANY);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_close_before_exit(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  int status;
  pid_t pid;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, never_exit_cb, "sleep", NULL, NULL);
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  pid = p.pid;
  reset_counts();
  uv_close((uv_handle_t*) &p, count_close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_calls, 1);
  /* Closing does not kill: the child is still there, and still ours to reap. */
  ASSERT_EQ(kill(pid, 0), 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT(WIFSIGNALED(status));
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_unref(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sleep", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  uv_unref((uv_handle_t*) &p);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 0);
  uv_ref((uv_handle_t*) &p);
  ASSERT_EQ(uv_process_kill(&p, SIGKILL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_term_signal, SIGKILL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int walk_count;
static void count_walk_cb(uv_handle_t* h, void* arg) {
  (void) h;
  (void) arg;
  walk_count++;
}

static int user_sigchld_calls;
static void user_sigchld_cb(uv_signal_t* h, int signum) {
  ASSERT_EQ(signum, SIGCHLD);
  user_sigchld_calls++;
  uv_close((uv_handle_t*) h, NULL);
}

static void test_internal_handle_and_user_sigchld(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_signal_t sig;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &sig), 0);
  ASSERT_EQ(uv_signal_start(&sig, user_sigchld_cb, SIGCHLD), 0);
  helper_options(&o, exit_close_cb, "exit", "5", NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  walk_count = 0;
  uv_walk(&loop, count_walk_cb, NULL);
  ASSERT_EQ(walk_count, 2); /* the signal and the process, nothing internal */
  user_sigchld_calls = 0;
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 5);
  ASSERT_EQ(user_sigchld_calls, 1);
  walk_count = 0;
  uv_walk(&loop, count_walk_cb, NULL);
  ASSERT_EQ(walk_count, 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_two_loops(void) {
  uv_loop_t a, b;
  uv_process_t pa, pb;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&a), 0);
  ASSERT_EQ(uv_loop_init(&b), 0);
  reset_counts();
  helper_options(&o, exit_close_cb, "exit", "1", NULL);
  ASSERT_EQ(uv_spawn(&a, &pa, &o), 0);
  helper_options(&o, exit_close_cb, "exit", "2", NULL);
  ASSERT_EQ(uv_spawn(&b, &pb, &o), 0);
  ASSERT_EQ(uv_run(&b, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 2);
  ASSERT_EQ(uv_run(&a, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 2);
  ASSERT_EQ(last_exit_status, 1);
  ASSERT_EQ(uv_loop_close(&a), 0);
  ASSERT_EQ(uv_loop_close(&b), 0);
}

/* Pipes through uv_pipe_t (needs the streams implementation). */
static char pipe_out[4096];
static size_t pipe_used;
static int pipe_eof;

static void pipe_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  (void) suggested;
  buf->base = pipe_out + pipe_used;
  buf->len = sizeof(pipe_out) - pipe_used - 1;
}

static void pipe_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread > 0) {
    pipe_used += (size_t) nread;
    pipe_out[pipe_used] = '\0';
  } else if (nread < 0) {
    ASSERT_EQ(nread, UV_EOF);
    pipe_eof = 1;
    uv_close((uv_handle_t*) s, count_close_cb);
  }
}

static void test_pipe_stdout(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t out;
  uv_stdio_container_t stdio[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  helper_options(&o, exit_close_cb, "write", "1", "hello from the child");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT(uv_fileno((uv_handle_t*) &out, &(uv_os_fd_t){0}) == 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &out), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &out), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(pipe_eof, 1);
  ASSERT_EQ(close_calls, 2);
  ASSERT_STR_EQ(pipe_out, "hello from the child");
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void write_done_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  /* Closing stdin's pipe gives the child EOF. */
  uv_close((uv_handle_t*) req->handle, count_close_cb);
}

static void test_pipe_stdin_stdout(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t in, out;
  uv_stdio_container_t stdio[3];
  uv_write_t req;
  uv_buf_t buf = uv_buf_init((char*) "echo this back", 14);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &in, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  helper_options(&o, exit_close_cb, "echo", NULL, NULL);
  stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
  stdio[0].data.stream = (uv_stream_t*) &in;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &in), 1);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &in), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &in, &buf, 1, write_done_cb), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(close_calls, 3);
  ASSERT_STR_EQ(pipe_out, "echo this back");
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_exec_error_with_pipe(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t out;
  uv_stdio_container_t stdio[2];
  char* args[2] = {(char*) "/nonexistent-rsuv/prog", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = never_exit_cb;
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  /* As in libuv, the pipe is opened anyway: it reads end-of-file. */
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(pipe_eof, 1);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(exit_code),
    TEST(enoent),
    TEST(eacces),
    TEST(path_search),
    TEST(args_env_cwd),
    TEST(bad_cwd),
    TEST(relative_file_with_cwd),
    TEST(term_signal),
    TEST(kill),
    TEST(child_signal_state),
    TEST(ignored_stdio),
    TEST(stdio_fd3),
    TEST(stdio_swap),
    TEST(stdio_blocking),
    TEST(bad_stdio),
    TEST(detached),
    TEST(setuid),
    TEST(many_children),
    TEST(close_before_exit),
    TEST(unref),
    TEST(internal_handle_and_user_sigchld),
    TEST(two_loops),
    TEST(pipe_stdout),
    TEST(pipe_stdin_stdout),
    TEST(exec_error_with_pipe),
};

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "--helper") == 0)
    return helper_main(argc, argv);
  return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
