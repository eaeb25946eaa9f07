/* c_tests/runner.h - the runner the C test programs share.
 *
 * Each program lists its tests in `tests[]` with TEST(name) (for a function
 * `static void test_name(void)`), TEST_RSUV(name) (rsuv-only, see below), TEST_AS("label",
 * fn) or TEST_ARG("label", fn, arg) (one function run under several labels, the wrap hook
 * reading `arg`), and ends with RSUV_TEST_MAIN(tests), or calls run_tests() from its own main.
 *
 * Every test runs in a forked child under an alarm (RSUV_TEST_ALARM seconds, default 30),
 * so one crash or hang fails that test only; RSUV_TEST_NOFORK=1 runs them in-process (for a
 * debugger or valgrind on one process).
 *
 * Arguments: none runs every test; test names run those tests alone; `--list` prints
 * every test's name, one per line, and runs nothing.
 *
 * Output, one machine-readable line per test (tests/c_tests.rs parses them; the test's own
 * output comes before its line):
 *   ok NAME (12.3 ms)
 *   FAILED NAME (reason)
 *   ignored NAME (rsuv only)
 * and the closing line "N passed, M failed"; the exit status is 0 only if every test
 * passed. Only uv.h and the C library: these programs build against Debian's libuv too. */
#ifndef RSUV_C_TESTS_RUNNER_H
#define RSUV_C_TESTS_RUNNER_H

#include "uv.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct test_entry {
  const char* name;
  void (*fn)(void);
  /* Checks rsuv's own answer where libuv asserts or crashes: skipped when the program
   * runs against the real libuv (RSUV_TEST_REAL_LIBUV=1). */
  int rsuv_only;
  /* A per-test parameter for the program's rsuv_test_wrap (sync or async mode, say). */
  int arg;
};

#define TEST(n) {#n, test_##n, 0, 0}
#define TEST_RSUV(n) {#n, test_##n, 1, 0}
#define TEST_AS(label, f) {label, f, 0, 0}
#define TEST_ARG(label, f, a) {label, f, 0, a}
#define TEST_ARG_RSUV(label, f, a) {label, f, 1, a}

/* A program may wrap every test (a fresh directory, say): called instead of t->fn(), in
 * the forked child. */
static void (*rsuv_test_wrap)(const struct test_entry* t);

static void rsuv_test_run(const struct test_entry* t) {
  if (rsuv_test_wrap)
    rsuv_test_wrap(t);
  else
    t->fn();
}

static const char* describe_status(int status, char* buf, size_t len) {
  if (WIFEXITED(status))
    snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    snprintf(buf, len, "timed out");
  else if (WIFSIGNALED(status))
    snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else
    snprintf(buf, len, "status 0x%x", status);
  return buf;
}

/* Whether argv[1..] (test names) selects `name`; no names selects every test. */
static int rsuv_test_selected(const char* name, int argc, char** argv) {
  int i;

  if (argc <= 1)
    return 1;
  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], name) == 0)
      return 1;
  return 0;
}

static int run_tests(const struct test_entry* tests, size_t n, int argc, char** argv) {
  const char* alarm_env = getenv("RSUV_TEST_ALARM");
  unsigned alarm_s = alarm_env ? (unsigned) atoi(alarm_env) : 30;
  int nofork = getenv("RSUV_TEST_NOFORK") != NULL;
  int real_libuv = getenv("RSUV_TEST_REAL_LIBUV") != NULL;
  int passed = 0, failed = 0;
  size_t i;
  int a;
  char buf[128];

  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 2 && strcmp(argv[1], "--list") == 0) {
    for (i = 0; i < n; i++)
      printf("%s\n", tests[i].name);
    return 0;
  }
  for (a = 1; a < argc; a++) {
    for (i = 0; i < n && strcmp(argv[a], tests[i].name) != 0; i++) {
    }
    if (i == n) {
      fprintf(stderr, "no test named %s\n", argv[a]);
      return 2;
    }
  }
  for (i = 0; i < n; i++) {
    const struct test_entry* t = &tests[i];
    uint64_t t0;
    int status;
    pid_t pid;

    if (!rsuv_test_selected(t->name, argc, argv))
      continue;
    if (t->rsuv_only && real_libuv) {
      printf("ignored %s (rsuv only)\n", t->name);
      continue;
    }
    t0 = uv_hrtime();
    if (nofork) {
      rsuv_test_run(t);
      status = 0;
    } else {
      fflush(stdout);
      fflush(stderr);
      pid = fork();
      if (pid < 0) {
        perror("fork");
        abort();
      }
      if (pid == 0) {
        alarm(alarm_s);
        rsuv_test_run(t);
        fflush(stdout);
        exit(0);
      }
      while (waitpid(pid, &status, 0) < 0) {
      }
    }
    if (status == 0) {
      passed++;
      printf("ok %s (%.1f ms)\n", t->name, (double) (uv_hrtime() - t0) / 1e6);
    } else {
      failed++;
      printf("FAILED %s (%s)\n", t->name, describe_status(status, buf, sizeof(buf)));
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

#define RSUV_TEST_MAIN(tests)                                              \
  int main(int argc, char** argv) {                                        \
    return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
  }

#endif /* RSUV_C_TESTS_RUNNER_H */
