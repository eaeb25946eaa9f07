/* test_fs_watch.c - the file system watchers, uv_fs_event_t and uv_fs_poll_t, as a libuv
 * user sees them.
 *
 * uv_fs_event: watching a directory (create, modify, delete, rename inside it: the entry's
 * name, UV_RENAME / UV_CHANGE), watching a file (its base name as filename), two handles
 * on one file (both called; closing one keeps the other), stop or close from the callback
 * (no more calls, even for events already read), restart on another path, no callback
 * after close with events pending, start on an active handle (UV_EINVAL), bad paths
 * (UV_ENOENT, handle stays inactive), uv_fs_event_getpath (UV_EINVAL when stopped,
 * UV_ENOBUFS protocol, the path as given), ref/unref, the path field.
 *
 * uv_fs_poll: the full cycle of a missing file (UV_ENOENT once, with zeroed stats), created
 * (prev zeroed), changed (both stats), removed (UV_ENOENT, curr zeroed); an error reported
 * once however many intervals it lasts; start on an active handle is a no-op;
 * uv_fs_poll_getpath; stop and close while a stat is in flight (no callback, the close
 * callback runs, and uv_loop_close succeeds right after it); many start/stop rounds;
 * restart after stop; ref/unref; a NULL callback.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include c_tests/test_fs_watch.c -luv -lpthread
 *   RSUV_TEST_REAL_LIBUV=1 ./a.out
 * (RSUV_TEST_REAL_LIBUV=1 skips the checks where libuv asserts and rsuv returns an error.)
 *
 * Works in a temporary directory it creates and removes. Each test runs in a forked child
 * with an alarm (RSUV_TEST_ALARM seconds, default 30); RSUV_TEST_NOFORK=1 runs them in this
 * process (for valgrind or a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE /* nftw */
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define ASSERT_STR_EQ(a, b)                                                            \
  do {                                                                                 \
    const char *a_ = (a), *b_ = (b);                                                   \
    if (a_ == NULL || strcmp(a_, b_) != 0) {                                           \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_ ? a_ : "(null)", b_);           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

static char root[256];

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static uv_loop_t loop;

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void loop_setup(void) {
  ASSERT_EQ(uv_loop_init(&loop), 0);
}

static void loop_teardown(void) {
  uv_walk(&loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Each test works in its own fresh subdirectory of root, as the current directory. */
static void enter_dir(const char* name) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", root, name);
  ASSERT_EQ(mkdir(path, 0755), 0);
  ASSERT_EQ(chdir(path), 0);
}

static void write_file(const char* path, const char* data) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, data, strlen(data)), (ssize_t) strlen(data));
  ASSERT_EQ(close(fd), 0);
}

static int close_cb_called;
static void close_cb(uv_handle_t* h) {
  ASSERT(h != NULL);
  close_cb_called++;
}

/* A timer that runs a step function after a delay. */
static uv_timer_t step_timer;
static void start_step(void (*fn)(uv_timer_t*), uint64_t ms) {
  ASSERT_EQ(uv_timer_start(&step_timer, fn, ms, 0), 0);
}

/* fs_event callback log. */
#define MAX_EVENTS 128
static struct {
  uv_fs_event_t* handle;
  char name[64];
  int events;
  int status;
} evlog[MAX_EVENTS];
static int nev;

static void ev_record(uv_fs_event_t* h, const char* filename, int events, int status) {
  ASSERT(nev < MAX_EVENTS);
  evlog[nev].handle = h;
  snprintf(evlog[nev].name, sizeof(evlog[nev].name), "%s", filename ? filename : "(null)");
  evlog[nev].events = events;
  evlog[nev].status = status;
  nev++;
  ASSERT_EQ(status, 0);
  ASSERT(events != 0);
  ASSERT_EQ(events & ~(UV_RENAME | UV_CHANGE), 0);
}

/* Index of the first logged event for `name` with `events` bits, or -1. */
static int ev_find(const char* name, int events) {
  int i;
  for (i = 0; i < nev; i++)
    if (strcmp(evlog[i].name, name) == 0 && (evlog[i].events & events))
      return i;
  return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* fs_event                                                                                 */

static uv_fs_event_t fse, fse2;
static int want_events; /* close the watcher once this many callbacks came */

static void count_cb(uv_fs_event_t* h, const char* filename, int events, int status) {
  ev_record(h, filename, events, status);
  if (nev == want_events) {
    uv_close((uv_handle_t*) h, close_cb);
    uv_close((uv_handle_t*) &step_timer, close_cb);
  }
}

static void dir_step_create(uv_timer_t* t) {
  (void) t;
  write_file("watched/file1", "");
}

static void test_fs_event_watch_dir(void) {
  enter_dir("watch_dir");
  ASSERT_EQ(mkdir("watched", 0755), 0);
  loop_setup();
  nev = 0;
  close_cb_called = 0;
  want_events = 1;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, count_cb, "watched", 0), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fse), 1);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  start_step(dir_step_create, 10);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_STR_EQ(evlog[0].name, "file1");
  ASSERT_EQ(evlog[0].events, UV_RENAME);
  ASSERT(evlog[0].handle == &fse);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Several kinds of change inside a watched directory, in one run. */
static int dir_phase;
static void dir_all_cb(uv_fs_event_t* h, const char* filename, int events, int status) {
  ev_record(h, filename, events, status);
}

static void dir_all_step(uv_timer_t* t) {
  switch (dir_phase++) {
    case 0:
      write_file("watched/a", "");
      break;
    case 1:
      write_file("watched/a", "more");
      break;
    case 2:
      ASSERT_EQ(rename("watched/a", "watched/b"), 0);
      break;
    case 3:
      ASSERT_EQ(unlink("watched/b"), 0);
      break;
    default:
      uv_close((uv_handle_t*) &fse, close_cb);
      uv_close((uv_handle_t*) t, close_cb);
      return;
  }
  start_step(dir_all_step, 20);
}

static void test_fs_event_dir_changes(void) {
  enter_dir("dir_changes");
  ASSERT_EQ(mkdir("watched", 0755), 0);
  loop_setup();
  nev = 0;
  dir_phase = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, dir_all_cb, "watched", 0), 0);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  start_step(dir_all_step, 10);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT(ev_find("a", UV_RENAME) >= 0);                               /* created */
  ASSERT(ev_find("a", UV_CHANGE) > ev_find("a", UV_RENAME));          /* written */
  ASSERT(ev_find("b", UV_RENAME) > ev_find("a", UV_CHANGE));          /* moved to */
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void file_step_touch(uv_timer_t* t) {
  (void) t;
  write_file("watch_dir/file2", "x");
}

static void file_cb_stop(uv_fs_event_t* h, const char* filename, int events, int status) {
  ev_record(h, filename, events, status);
  ASSERT_EQ(uv_fs_event_stop(h), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
  uv_close((uv_handle_t*) h, close_cb);
  uv_close((uv_handle_t*) &step_timer, close_cb);
}

static void test_fs_event_watch_file(void) {
  enter_dir("watch_file");
  ASSERT_EQ(mkdir("watch_dir", 0755), 0);
  write_file("watch_dir/file1", "");
  write_file("watch_dir/file2", "");
  loop_setup();
  nev = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, file_cb_stop, "watch_dir/file2", 0), 0);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  start_step(file_step_touch, 10);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(nev, 1);
  ASSERT_STR_EQ(evlog[0].name, "file2");
  ASSERT_EQ(evlog[0].events, UV_CHANGE);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Many events are read at once; stopping in the first callback drops the rest. */
static void test_fs_event_stop_in_cb(void) {
  int i;

  enter_dir("stop_in_cb");
  write_file("f", "");
  loop_setup();
  nev = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, file_cb_stop, "f", 0), 0);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  for (i = 0; i < 10; i++) {
    write_file("f", "x");
    ASSERT_EQ(chmod("f", i % 2 ? 0644 : 0600), 0);
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(nev, 1);
  ASSERT_STR_EQ(evlog[0].name, "f");
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Two handles on one file: both are called for an event. Closing one in its callback
 * does not affect the other. */
static int twice_a, twice_b;
static void twice_cb(uv_fs_event_t* h, const char* filename, int events, int status) {
  ev_record(h, filename, events, status);
  ASSERT_STR_EQ(filename, "shared");
  if (h == &fse) {
    twice_a++;
    if (!uv_is_closing((uv_handle_t*) h))
      uv_close((uv_handle_t*) h, close_cb);
  } else {
    twice_b++;
    if (twice_b == 2) {
      uv_close((uv_handle_t*) h, close_cb);
      uv_close((uv_handle_t*) &step_timer, close_cb);
    }
  }
}

/* Writes until the second handle has seen two events (inotify may merge two identical
 * events it has not handed out yet). */
static int twice_step_n;
static void twice_step(uv_timer_t* t) {
  (void) t;
  write_file("shared", "x");
  twice_step_n++;
  start_step(twice_step, 30);
}

static void test_fs_event_two_handles_one_file(void) {
  char buf[64];
  size_t len = sizeof(buf);

  enter_dir("two_handles");
  write_file("shared", "");
  loop_setup();
  nev = twice_a = twice_b = twice_step_n = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_init(&loop, &fse2), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, twice_cb, "shared", 0), 0);
  ASSERT_EQ(uv_fs_event_start(&fse2, twice_cb, "./shared", 0), 0);
  /* rsuv reports the path each handle was given; libuv on Linux the first handle's path
   * for the same file. */
  ASSERT_EQ(uv_fs_event_getpath(&fse2, buf, &len), 0);
  ASSERT(strcmp(buf, "./shared") == 0 || strcmp(buf, "shared") == 0);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  start_step(twice_step, 10);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(twice_a, 1);
  ASSERT_EQ(twice_b, 2);
  ASSERT_EQ(close_cb_called, 3);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Closed with an event pending: no callback, the close callback runs. */
static void fail_cb(uv_fs_event_t* h, const char* filename, int events, int status) {
  (void) h;
  (void) filename;
  (void) events;
  (void) status;
  ASSERT(0 && "fs_event callback must not run");
}

static void test_fs_event_close_with_pending(void) {
  enter_dir("pending");
  ASSERT_EQ(mkdir("watched", 0755), 0);
  loop_setup();
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "watched", 0), 0);
  write_file("watched/file", "x");
  uv_close((uv_handle_t*) &fse, close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 1);
  /* Same with stop instead of close, and the watch starting again on another path. */
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "watched", 0), 0);
  write_file("watched/file", "y");
  ASSERT_EQ(uv_fs_event_stop(&fse), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop) == 0, 0); /* the handle is still open */
  uv_close((uv_handle_t*) &fse, close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void restart_cb(uv_fs_event_t* h, const char* filename, int events, int status) {
  ev_record(h, filename, events, status);
  if (strcmp(filename, "one") == 0) {
    /* Move the watch to the other directory from the callback. */
    ASSERT_EQ(uv_fs_event_stop(h), 0);
    ASSERT_EQ(uv_fs_event_start(h, restart_cb, "d2", 0), 0);
    write_file("d1/one-again", "");
    write_file("d2/two", "");
  } else {
    ASSERT_STR_EQ(filename, "two");
    uv_close((uv_handle_t*) h, close_cb);
  }
}

static void test_fs_event_restart_in_cb(void) {
  enter_dir("restart");
  ASSERT_EQ(mkdir("d1", 0755), 0);
  ASSERT_EQ(mkdir("d2", 0755), 0);
  loop_setup();
  nev = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, restart_cb, "d1", 0), 0);
  write_file("d1/one", "");
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT(ev_find("one-again", UV_RENAME | UV_CHANGE) < 0);
  ASSERT(ev_find("two", UV_RENAME) >= 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_fs_event_start_errors(void) {
  enter_dir("start_errors");
  ASSERT_EQ(mkdir("d", 0755), 0);
  loop_setup();
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "no/such/path", 0), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "", 0), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "d", 0), 0);
  ASSERT_STR_EQ(fse.path, "d");
  /* Already started. */
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "d", 0), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_stop(&fse), 0);
  ASSERT_EQ(uv_fs_event_stop(&fse), 0);
  ASSERT(fse.path == NULL);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, "d", UV_FS_EVENT_RECURSIVE), 0);
  ASSERT_EQ(uv_fs_event_stop(&fse), 0);
  loop_teardown();
}

static void test_fs_event_getpath(void) {
  static const char* const paths[] = {"watch_dir", "watch_dir/", "watch_dir///",
                                      "watch_dir/sub/..", "./watch_dir"};
  char buf[64];
  size_t len;
  unsigned i;

  enter_dir("getpath");
  ASSERT_EQ(mkdir("watch_dir", 0755), 0);
  ASSERT_EQ(mkdir("watch_dir/sub", 0755), 0);
  loop_setup();
  for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
    ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
    len = sizeof(buf);
    ASSERT_EQ(uv_fs_event_getpath(&fse, buf, &len), UV_EINVAL);
    ASSERT_EQ(len, 0);
    ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, paths[i], 0), 0);
    len = 0;
    ASSERT_EQ(uv_fs_event_getpath(&fse, buf, &len), UV_ENOBUFS);
    ASSERT_EQ(len, strlen(paths[i]) + 1);
    len = strlen(paths[i]); /* exactly the length: still one short for the NUL */
    ASSERT_EQ(uv_fs_event_getpath(&fse, buf, &len), UV_ENOBUFS);
    ASSERT_EQ(len, strlen(paths[i]) + 1);
    ASSERT_EQ(uv_fs_event_getpath(&fse, buf, &len), 0);
    ASSERT_EQ(len, strlen(paths[i]));
    ASSERT_STR_EQ(buf, paths[i]);
    uv_close((uv_handle_t*) &fse, NULL);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  }
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_fs_event_ref(void) {
  enter_dir("ref");
  loop_setup();
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, ".", 0), 0);
  uv_unref((uv_handle_t*) &fse);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  uv_ref((uv_handle_t*) &fse);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  close_cb_called = 0;
  uv_close((uv_handle_t*) &fse, close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Watches in two loops at once are independent. */
static void test_fs_event_two_loops(void) {
  uv_loop_t other;
  uv_fs_event_t h2;

  enter_dir("two_loops");
  ASSERT_EQ(mkdir("d", 0755), 0);
  loop_setup();
  ASSERT_EQ(uv_loop_init(&other), 0);
  nev = 0;
  close_cb_called = 0;
  want_events = 1;
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, count_cb, "d", 0), 0);
  ASSERT_EQ(uv_fs_event_init(&other, &h2), 0);
  ASSERT_EQ(uv_fs_event_start(&h2, fail_cb, "d", 0), 0);
  ASSERT_EQ(uv_fs_event_stop(&h2), 0);
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  write_file("d/x", "");
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_run(&other, UV_RUN_NOWAIT), 0);
  uv_close((uv_handle_t*) &h2, NULL);
  ASSERT_EQ(uv_run(&other, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&other), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_fs_event_bad_args(void) {
  char buf[8];
  size_t len = sizeof(buf);

  ASSERT_EQ(uv_fs_event_init(NULL, &fse), UV_EINVAL);
  loop_setup();
  ASSERT_EQ(uv_fs_event_init(&loop, NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_init(&loop, &fse), 0);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, NULL, 0), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_start(NULL, fail_cb, ".", 0), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_stop(NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_getpath(&fse, buf, NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_event_getpath(NULL, buf, &len), UV_EINVAL);
  uv_close((uv_handle_t*) &fse, NULL);
  ASSERT_EQ(uv_fs_event_start(&fse, fail_cb, ".", 0), UV_EINVAL);
  loop_teardown();
}

/* ---------------------------------------------------------------------------------------- */
/* fs_poll                                                                                  */

static uv_fs_poll_t fsp;
static int poll_calls;
static int is_zero(const uv_stat_t* s) {
  static const uv_stat_t zero;
  return memcmp(s, &zero, sizeof(zero)) == 0;
}

static void poll_cycle_step(uv_timer_t* t);

static void poll_cycle_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                          const uv_stat_t* curr) {
  ASSERT(h == &fsp);
  ASSERT(prev != NULL);
  ASSERT(curr != NULL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 1);
  switch (poll_calls++) {
    case 0: /* missing from the start */
      ASSERT_EQ(status, UV_ENOENT);
      ASSERT(is_zero(prev));
      ASSERT(is_zero(curr));
      write_file("polled", "1");
      break;
    case 1: /* created */
      ASSERT_EQ(status, 0);
      ASSERT(is_zero(prev));
      ASSERT(!is_zero(curr));
      ASSERT_EQ(curr->st_size, 1);
      start_step(poll_cycle_step, 20);
      break;
    case 2: /* grew */
      ASSERT_EQ(status, 0);
      ASSERT_EQ(prev->st_size, 1);
      ASSERT_EQ(curr->st_size, 3);
      ASSERT_EQ(unlink("polled"), 0);
      break;
    case 3: /* removed */
      ASSERT_EQ(status, UV_ENOENT);
      ASSERT_EQ(prev->st_size, 3);
      ASSERT(is_zero(curr));
      uv_close((uv_handle_t*) h, close_cb);
      uv_close((uv_handle_t*) &step_timer, close_cb);
      break;
    default:
      ASSERT(0 && "too many fs_poll callbacks");
  }
}

static void poll_cycle_step(uv_timer_t* t) {
  (void) t;
  write_file("polled", "23");
}

static void test_fs_poll_cycle(void) {
  enter_dir("fs_poll_cycle");
  loop_setup();
  poll_calls = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_cycle_cb, "polled", 5), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &fsp), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(poll_calls, 4);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A lasting error is reported once, not every interval. */
static void stop_poll_step(uv_timer_t* t);

static void count_poll_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                          const uv_stat_t* curr) {
  (void) h;
  (void) prev;
  (void) curr;
  ASSERT_EQ(status, UV_ENOENT);
  /* Watch a good many more intervals (2 ms each) before stopping. */
  if (poll_calls++ == 0)
    start_step(stop_poll_step, 100);
}

static void stop_poll_step(uv_timer_t* t) {
  uv_close((uv_handle_t*) &fsp, close_cb);
  uv_close((uv_handle_t*) t, close_cb);
}

static void test_fs_poll_error_once(void) {
  enter_dir("fs_poll_error_once");
  loop_setup();
  poll_calls = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_timer_init(&loop, &step_timer), 0);
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, count_poll_cb, "missing", 2), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(poll_calls, 1);
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void poll_fail_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                         const uv_stat_t* curr) {
  (void) h;
  (void) status;
  (void) prev;
  (void) curr;
  ASSERT(0 && "fs_poll callback must not run");
}

static void test_fs_poll_getpath(void) {
  char buf[64];
  size_t len;

  enter_dir("fs_poll_getpath");
  loop_setup();
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  len = sizeof(buf);
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, &len), UV_EINVAL);
  ASSERT_EQ(len, 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, "some/file", 100), 0);
  len = sizeof(buf);
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, &len), 0);
  ASSERT_EQ(len, strlen("some/file"));
  ASSERT_STR_EQ(buf, "some/file");
  len = 9;
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, &len), UV_ENOBUFS);
  ASSERT_EQ(len, 10);
  /* Starting an active handle again is a no-op: the path stays. */
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, "other", 100), 0);
  len = sizeof(buf);
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, &len), 0);
  ASSERT_STR_EQ(buf, "some/file");
  ASSERT_EQ(uv_fs_poll_stop(&fsp), 0);
  len = sizeof(buf);
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, &len), UV_EINVAL);
  close_cb_called = 0;
  uv_close((uv_handle_t*) &fsp, close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Closed while the first stat is in flight: no callback, and once the close callback has
 * run the loop holds nothing more. */
static void test_fs_poll_close_in_flight(void) {
  enter_dir("fs_poll_close_in_flight");
  loop_setup();
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, "missing", 100), 0);
  uv_close((uv_handle_t*) &fsp, close_cb);
  while (close_cb_called == 0)
    uv_run(&loop, UV_RUN_ONCE);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_fs_poll_start_stop_rounds(void) {
  int i;

  enter_dir("fs_poll_rounds");
  loop_setup();
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  for (i = 0; i < 10; i++) {
    ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, "missing", 100), 0);
    ASSERT_EQ(uv_fs_poll_stop(&fsp), 0);
    ASSERT_EQ(uv_is_active((uv_handle_t*) &fsp), 0);
  }
  for (i = 0; i < 10; i++) {
    ASSERT_EQ(uv_fs_poll_stop(&fsp), 0);
    ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, "missing", 100), 0);
  }
  uv_close((uv_handle_t*) &fsp, close_cb);
  while (close_cb_called == 0)
    uv_run(&loop, UV_RUN_ONCE);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Stop after the first stat (timer waiting), run, restart: the new round reports. */
static void restart_poll_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                            const uv_stat_t* curr) {
  (void) prev;
  (void) curr;
  ASSERT_EQ(status, UV_ENOENT);
  poll_calls++;
  uv_close((uv_handle_t*) h, close_cb);
}

static void noop_poll_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                         const uv_stat_t* curr) {
  (void) h;
  (void) status;
  (void) prev;
  (void) curr;
}

static void test_fs_poll_stop_restart(void) {
  enter_dir("fs_poll_stop_restart");
  write_file("exists", "");
  loop_setup();
  poll_calls = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, noop_poll_cb, "exists", 100), 0);
  uv_run(&loop, UV_RUN_ONCE); /* the first stat completes; the timer waits */
  ASSERT_EQ(uv_fs_poll_stop(&fsp), 0);
  uv_run(&loop, UV_RUN_ONCE);
  ASSERT_EQ(uv_fs_poll_start(&fsp, restart_poll_cb, "missing", 100), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(poll_calls, 1);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* libuv's fs_poll_ref: an unreferenced handle (with no callback) does not hold the loop. */
static void test_fs_poll_ref(void) {
  enter_dir("fs_poll_ref");
  loop_setup();
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, NULL, ".", 999), 0);
  uv_unref((uv_handle_t*) &fsp);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  close_cb_called = 0;
  uv_close((uv_handle_t*) &fsp, close_cb);
  ASSERT_EQ(close_cb_called, 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Closing from the callback, with the handle restarted first. */
static void close_restart_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev,
                             const uv_stat_t* curr) {
  (void) prev;
  (void) curr;
  ASSERT_EQ(status, UV_ENOENT);
  poll_calls++;
  ASSERT_EQ(uv_fs_poll_stop(h), 0);
  ASSERT_EQ(uv_fs_poll_start(h, poll_fail_cb, "missing", 100), 0);
  uv_close((uv_handle_t*) h, close_cb);
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
}

static void test_fs_poll_close_after_restart_in_cb(void) {
  enter_dir("fs_poll_close_restart");
  loop_setup();
  poll_calls = 0;
  close_cb_called = 0;
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, close_restart_cb, "missing", 1), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(poll_calls, 1);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_fs_poll_bad_args(void) {
  char buf[8];
  size_t len = sizeof(buf);

  ASSERT_EQ(uv_fs_poll_init(NULL, &fsp), UV_EINVAL);
  loop_setup();
  ASSERT_EQ(uv_fs_poll_init(&loop, NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_poll_init(&loop, &fsp), 0);
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, NULL, 10), UV_EINVAL);
  ASSERT_EQ(uv_fs_poll_start(NULL, poll_fail_cb, ".", 10), UV_EINVAL);
  ASSERT_EQ(uv_fs_poll_stop(NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_poll_getpath(&fsp, buf, NULL), UV_EINVAL);
  ASSERT_EQ(uv_fs_poll_getpath(NULL, buf, &len), UV_EINVAL);
  uv_close((uv_handle_t*) &fsp, NULL);
  ASSERT_EQ(uv_fs_poll_start(&fsp, poll_fail_cb, ".", 10), UV_EINVAL);
  loop_teardown();
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(fs_event_watch_dir),
    TEST(fs_event_dir_changes),
    TEST(fs_event_watch_file),
    TEST(fs_event_stop_in_cb),
    TEST(fs_event_two_handles_one_file),
    TEST(fs_event_close_with_pending),
    TEST(fs_event_restart_in_cb),
    TEST(fs_event_start_errors),
    TEST(fs_event_getpath),
    TEST(fs_event_ref),
    TEST(fs_event_two_loops),
    TEST_RSUV(fs_event_bad_args),
    TEST(fs_poll_cycle),
    TEST(fs_poll_error_once),
    TEST(fs_poll_getpath),
    TEST(fs_poll_close_in_flight),
    TEST(fs_poll_start_stop_rounds),
    TEST(fs_poll_stop_restart),
    TEST(fs_poll_ref),
    TEST(fs_poll_close_after_restart_in_cb),
    TEST_RSUV(fs_poll_bad_args),
};

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void) st;
  (void) flag;
  (void) ftw;
  return remove(path);
}

/* Every test starts in the shared scratch directory and leaves it as it found it. */
static void run_in_root(const struct test_entry* t) {
  t->fn();
  ASSERT_EQ(chdir(root), 0);
}

int main(int argc, char** argv) {
  const char* tmp = getenv("TMPDIR");
  int r;

  snprintf(root, sizeof(root), "%s/rsuv_test_fs_watch.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  ASSERT(mkdtemp(root) != NULL);
  rsuv_test_wrap = run_in_root;
  r = run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
  ASSERT_EQ(chdir("/"), 0);
  ASSERT_EQ(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
  return r;
}
