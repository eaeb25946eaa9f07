/* test_misc_basic.c - the small utilities of misc.rst that need no loop.
 *
 * Covers: uv_version / uv_version_string, uv_hrtime (monotonic, nanoseconds), uv_sleep,
 * uv_buf_init, uv_gettimeofday (and UV_EINVAL for NULL), uv_os_getpid / uv_os_getppid,
 * uv_setup_args (returns a usable copy of argv) and uv_get_process_title /
 * uv_set_process_title (UV_EINVAL for a NULL or empty buffer, UV_ENOBUFS when too small,
 * truncation to the room the original arguments took, thread name via prctl).
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_misc_basic.c -o /tmp/tm -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
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

/* Set by main from uv_setup_args. */
static char** g_argv;
static int g_argc;
static size_t g_args_room; /* bytes the original argument strings took */

static void test_version(void) {
  ASSERT_EQ(uv_version(), 0x013500);
  ASSERT(strcmp(uv_version_string(), "1.53.0") == 0);
}

static void test_hrtime_sleep(void) {
  uint64_t a, b;
  int i;

  for (i = 0; i < 5; i++) {
    a = uv_hrtime();
    uv_sleep(20);
    b = uv_hrtime();
    ASSERT(b - a >= 20 * 1000 * 1000);
    ASSERT(b - a < 2000ULL * 1000 * 1000);
  }
  a = uv_hrtime();
  uv_sleep(0);
  b = uv_hrtime();
  ASSERT(b >= a);
}

static void on_usr1(int sig) {
  (void) sig;
}

static void interrupter(void* arg) {
  uv_sleep(20);
  pthread_kill(*(pthread_t*) arg, SIGUSR1);
}

static void test_sleep_restarts_on_signal(void) {
  struct sigaction sa;
  pthread_t me = pthread_self();
  uv_thread_t tid;
  uint64_t a, b;

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1; /* no SA_RESTART: nanosleep returns EINTR */
  ASSERT_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
  ASSERT_EQ(uv_thread_create(&tid, interrupter, &me), 0);
  a = uv_hrtime();
  uv_sleep(100);
  b = uv_hrtime();
  ASSERT_EQ(uv_thread_join(&tid), 0);
  ASSERT(b - a >= 100 * 1000 * 1000);
}

static void test_buf_init(void) {
  char data[8];
  uv_buf_t b = uv_buf_init(data, sizeof(data));
  ASSERT(b.base == data);
  ASSERT_EQ(b.len, 8);
  b = uv_buf_init(NULL, 0);
  ASSERT(b.base == NULL);
  ASSERT_EQ(b.len, 0);
  b = uv_buf_init(data, 0xffffffffu);
  ASSERT_EQ(b.len, 0xffffffffu);
}

static void test_gettimeofday(void) {
  uv_timeval64_t tv;
  struct timeval now;

  tv.tv_sec = 0;
  ASSERT_EQ(uv_gettimeofday(&tv), 0);
  ASSERT_EQ(gettimeofday(&now, NULL), 0);
  ASSERT(tv.tv_sec != 0);
  ASSERT(tv.tv_sec <= now.tv_sec && now.tv_sec - tv.tv_sec <= 1);
  ASSERT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
  ASSERT_EQ(uv_gettimeofday(NULL), UV_EINVAL);
}

static void test_pids(void) {
  ASSERT_EQ(uv_os_getpid(), getpid());
  ASSERT_EQ(uv_os_getppid(), getppid());
}

static void test_setup_args_copy(void) {
  int i;
  ASSERT(g_argv != NULL);
  ASSERT(g_argv[g_argc] == NULL);
  for (i = 0; i < g_argc; i++)
    ASSERT(g_argv[i] != NULL);
  ASSERT(strstr(g_argv[0], "test_misc_basic") != NULL || strlen(g_argv[0]) > 0);
}

static void test_process_title(void) {
  char buf[512];
  char name[32];
  FILE* f;
  const char* fmt = "%s%s%s%s%s%s%s%s%s";

  ASSERT_EQ(uv_get_process_title(NULL, 100), UV_EINVAL);
  ASSERT_EQ(uv_get_process_title(buf, 0), UV_EINVAL);
  ASSERT_EQ(uv_get_process_title(buf, 1), UV_ENOBUFS);

  /* Initially the program name. */
  ASSERT_EQ(uv_get_process_title(buf, sizeof(buf)), 0);
  ASSERT(strcmp(buf, g_argv[0]) == 0);

  /* Format strings are copied, not interpreted. */
  ASSERT_EQ(uv_set_process_title(fmt), 0);
  ASSERT_EQ(uv_get_process_title(buf, sizeof(buf)), 0);
  if (strlen(fmt) < g_args_room)
    ASSERT(strcmp(buf, fmt) == 0);

  ASSERT_EQ(uv_set_process_title("rsuv-title"), 0);
  ASSERT_EQ(uv_get_process_title(buf, sizeof(buf)), 0);
  ASSERT(strcmp(buf, "rsuv-title") == 0);
  /* Exactly the title and its NUL fit; one byte less does not. */
  ASSERT_EQ(uv_get_process_title(buf, 11), 0);
  ASSERT_EQ(uv_get_process_title(buf, 10), UV_ENOBUFS);

  /* The kernel's thread name (first 15 bytes). */
  f = fopen("/proc/self/comm", "r");
  if (f != NULL) {
    ASSERT(fgets(name, sizeof(name), f) != NULL);
    fclose(f);
    ASSERT(strncmp(name, "rsuv-title", 10) == 0);
  }

  /* A title longer than the room the arguments took is truncated to fit. */
  memset(buf, 'y', sizeof(buf) - 1);
  buf[sizeof(buf) - 1] = '\0';
  ASSERT_EQ(uv_set_process_title(buf), 0);
  ASSERT_EQ(uv_get_process_title(buf, sizeof(buf)), 0);
  ASSERT(strlen(buf) > 0);
  ASSERT(strlen(buf) < g_args_room);
  ASSERT(strspn(buf, "y") == strlen(buf));

  /* The copy returned by uv_setup_args is untouched. */
  ASSERT(strcmp(g_argv[0], buf) != 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(version),
    TEST(hrtime_sleep),
    TEST(sleep_restarts_on_signal),
    TEST(buf_init),
    TEST(gettimeofday),
    TEST(pids),
    TEST(setup_args_copy),
    TEST(process_title),
};

int main(int argc, char** argv) {
  /* The room the kernel-laid-out argument strings take, before they become the title. */
  g_args_room = (size_t) (argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
  g_argc = argc;
  g_argv = uv_setup_args(argc, argv);
  return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, g_argv);
}
