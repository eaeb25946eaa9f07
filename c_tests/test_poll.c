/* test_poll.c - poll handles (uv_poll_t) as a libuv user sees them.
 *
 * Covers: uv_poll_init on sockets, pipes, eventfd-like descriptors and a nested epoll;
 * refusal of regular files and directories (UV_EPERM) and bad descriptors; the descriptor
 * made non-blocking; UV_EEXIST for a descriptor another handle polls (init and start);
 * UV_READABLE / UV_WRITABLE / UV_DISCONNECT / UV_PRIORITIZED (TCP urgent data on
 * loopback) readiness, level-triggered; changing the mask by restarting; events always a
 * subset of the mask; stop and close from the callback; no callback after stop; a lone
 * hang-up reporting the requested events; an error condition (pipe without readers)
 * reported once as UV_EBADF with the handle stopped; uv_fileno; ref/unref and liveness;
 * uv_close of many handles at once; bad arguments (rsuv only: libuv asserts).
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include c_tests/test_poll.c -luv -lpthread
 *   RSUV_TEST_REAL_LIBUV=1 ./a.out
 * (RSUV_TEST_REAL_LIBUV=1 skips the checks where libuv asserts and rsuv returns an error.)
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30);
 * RSUV_TEST_NOFORK=1 runs them in this process (for valgrind or a debugger); a test name as
 * argv[1] runs only that test. Last line: "N passed, M failed"; exit 0 only when M == 0.
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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

static int rsuv; /* 0 when RSUV_TEST_REAL_LIBUV is set */

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static uv_loop_t loop;

static void loop_setup(void) {
  ASSERT_EQ(uv_loop_init(&loop), 0);
}

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

/* Closes whatever is left, runs the loop dry and closes it. */
static void loop_teardown(void) {
  uv_walk(&loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void make_socketpair(int sv[2]) {
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

/* A connected TCP pair on 127.0.0.1 (accepted end in fds[0], client in fds[1]). */
static void make_tcp_pair(int fds[2]) {
  struct sockaddr_in addr;
  socklen_t len = sizeof(addr);
  int lfd, cfd, one = 1;

  lfd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(lfd >= 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(lfd, (struct sockaddr*) &addr, sizeof(addr)), 0);
  ASSERT_EQ(listen(lfd, 1), 0);
  ASSERT_EQ(getsockname(lfd, (struct sockaddr*) &addr, &len), 0);
  cfd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(cfd >= 0);
  ASSERT_EQ(connect(cfd, (struct sockaddr*) &addr, sizeof(addr)), 0);
  fds[0] = accept(lfd, NULL, NULL);
  ASSERT(fds[0] >= 0);
  fds[1] = cfd;
  ASSERT_EQ(setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
  close(lfd);
}

static int close_cb_called;
static void close_cb(uv_handle_t* h) {
  ASSERT(h != NULL);
  close_cb_called++;
}

/* Callback log: every call appends (status, events). */
#define MAX_CALLS 64
static struct {
  int status;
  int events;
} calls[MAX_CALLS];
static int ncalls;
static int expect_mask; /* events must be a non-empty subset of this */

static void log_reset(int mask) {
  ncalls = 0;
  expect_mask = mask;
  close_cb_called = 0;
}

static void record(uv_poll_t* h, int status, int events) {
  (void) h;
  ASSERT(ncalls < MAX_CALLS);
  calls[ncalls].status = status;
  calls[ncalls].events = events;
  ncalls++;
  if (status == 0) {
    ASSERT(events != 0);
    ASSERT_EQ(events & ~expect_mask, 0);
  }
}

/* Records the call and stops the handle. */
static void stop_cb(uv_poll_t* h, int status, int events) {
  record(h, status, events);
  ASSERT_EQ(uv_poll_stop(h), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
}

/* Records the call and closes the handle. */
static void close_in_cb(uv_poll_t* h, int status, int events) {
  record(h, status, events);
  uv_close((uv_handle_t*) h, close_cb);
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */

static void test_init_bad_fds(void) {
  uv_poll_t h;
  char path[] = "/tmp/rsuv_test_poll.XXXXXX";
  int fd;

  loop_setup();
  /* A regular file cannot be polled by epoll. */
  fd = mkstemp(path);
  ASSERT(fd >= 0);
  unlink(path);
  ASSERT_EQ(uv_poll_init(&loop, &h, fd), UV_EPERM);
  close(fd);
  /* Nor a directory. */
  fd = open(".", O_RDONLY);
  ASSERT(fd >= 0);
  ASSERT(uv_poll_init(&loop, &h, fd) != 0);
  close(fd);
  /* A descriptor that is not open. */
  fd = open("/dev/null", O_RDONLY);
  ASSERT(fd >= 0);
  close(fd);
  ASSERT_EQ(uv_poll_init(&loop, &h, fd), UV_EBADF);
  loop_teardown();
}

static void test_init_sets_nonblocking(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  ASSERT_EQ(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(uv_poll_init_socket(&loop, &h, sv[0]), 0);
  ASSERT(fcntl(sv[0], F_GETFL) & O_NONBLOCK);
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &h), UV_POLL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static void test_fileno(void) {
  uv_poll_t h;
  int sv[2];
  uv_os_fd_t fd = -1;

  loop_setup();
  make_socketpair(sv);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[1]), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &h, &fd), 0);
  ASSERT_EQ(fd, sv[1]);
  uv_close((uv_handle_t*) &h, NULL);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &h, &fd), UV_EBADF);
  loop_teardown();
  /* Closing the handle does not close the descriptor. */
  ASSERT(fcntl(sv[1], F_GETFD) >= 0);
  close(sv[0]);
  close(sv[1]);
}

static void test_readable(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_READABLE);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 1);
  /* Nothing to read yet: the loop waits; a NOWAIT run calls nothing. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(ncalls, 0);
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].status, 0);
  ASSERT_EQ(calls[0].events, UV_READABLE);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static int level_count;
static void level_cb(uv_poll_t* h, int status, int events) {
  record(h, status, events);
  /* Data left unread: level-triggered, so the callback comes again. */
  if (++level_count == 3)
    ASSERT_EQ(uv_poll_stop(h), 0);
}

static void test_level_triggered(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_READABLE);
  level_count = 0;
  ASSERT_EQ(write(sv[1], "abc", 3), 3);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, level_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(level_count, 3);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static void test_writable(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].events, UV_WRITABLE);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static void test_readable_writable_subset(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_READABLE | UV_WRITABLE);
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE | UV_WRITABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].events, UV_READABLE | UV_WRITABLE);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

/* Restarting with another mask replaces the old one. */
static void test_change_mask(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  ASSERT_EQ(write(sv[1], "x", 1), 1);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), 0);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].events, UV_WRITABLE);
  /* And back; events 0 stops the handle. */
  log_reset(UV_READABLE);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), 0);
  ASSERT_EQ(uv_poll_start(&h, 0, stop_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].events, UV_READABLE);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

/* The peer shuts down its writing side: UV_DISCONNECT, along with the readable EOF. */
static int disc_seen;
static void disconnect_cb(uv_poll_t* h, int status, int events) {
  char buf[16];
  int fd = (int) (intptr_t) h->data;

  record(h, status, events);
  ASSERT_EQ(status, 0);
  if (events & UV_READABLE) {
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
  }
  if (events & UV_DISCONNECT) {
    disc_seen++;
    ASSERT_EQ(uv_poll_stop(h), 0);
  }
}

static void test_disconnect(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_READABLE | UV_DISCONNECT);
  disc_seen = 0;
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  h.data = (void*) (intptr_t) sv[0];
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE | UV_DISCONNECT, disconnect_cb), 0);
  ASSERT_EQ(write(sv[1], "hi", 2), 2);
  ASSERT_EQ(shutdown(sv[1], SHUT_WR), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(disc_seen, 1);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

/* UV_DISCONNECT alone (not with UV_READABLE). */
static void test_disconnect_only(void) {
  uv_poll_t h;
  int sv[2];
  const char* backend = getenv("RSUV_BACKEND");

  /* rsuv's portable backend (the polling crate) cannot ask the kernel for EPOLLRDHUP
   * alone; it reports a hang-up only with UV_READABLE. */
  if (backend != NULL && strcmp(backend, "polling") == 0)
    return;
  loop_setup();
  make_socketpair(sv);
  log_reset(UV_DISCONNECT);
  disc_seen = 0;
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  h.data = (void*) (intptr_t) sv[0];
  ASSERT_EQ(uv_poll_start(&h, UV_DISCONNECT, disconnect_cb), 0);
  ASSERT_EQ(write(sv[1], "hi", 2), 2);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(ncalls, 0);
  ASSERT_EQ(shutdown(sv[1], SHUT_WR), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(disc_seen, 1);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].events, UV_DISCONNECT);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

/* A socket never connected reports a hang-up, which wakes the events asked for. */
static void test_hangup_reports_mask(void) {
  uv_poll_t h;
  int fd;

  loop_setup();
  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(fd >= 0);
  log_reset(UV_READABLE);
  ASSERT_EQ(uv_poll_init_socket(&loop, &h, fd), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].status, 0);
  ASSERT_EQ(calls[0].events, UV_READABLE);
  loop_teardown();
  close(fd);
}

/* A pipe whose reader is gone is in error: one UV_EBADF callback, the handle stopped. */
static void ebadf_cb(uv_poll_t* h, int status, int events) {
  record(h, status, events);
  ASSERT_EQ(status, UV_EBADF);
  ASSERT_EQ(events, 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) h), 0);
}

static void test_error_is_ebadf(void) {
  uv_poll_t h;
  int p[2];

  signal(SIGPIPE, SIG_IGN);
  loop_setup();
  ASSERT_EQ(pipe(p), 0);
  close(p[0]);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &h, p[1]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, ebadf_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(calls[0].status, UV_EBADF);
  /* It can be started again (and fails again). */
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, ebadf_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 2);
  loop_teardown();
  close(p[1]);
}

/* TCP urgent data on loopback: UV_PRIORITIZED. */
static int prio_seen;
static void prio_cb(uv_poll_t* h, int status, int events) {
  char c;
  int fd = (int) (intptr_t) h->data;

  record(h, status, events);
  ASSERT_EQ(status, 0);
  if (events & UV_PRIORITIZED) {
    ASSERT_EQ(recv(fd, &c, 1, MSG_OOB), 1);
    ASSERT_EQ(c, '!');
    prio_seen++;
    ASSERT_EQ(uv_poll_stop(h), 0);
  }
}

static void test_prioritized(void) {
  uv_poll_t h;
  int fds[2];

  loop_setup();
  make_tcp_pair(fds);
  log_reset(UV_PRIORITIZED);
  prio_seen = 0;
  ASSERT_EQ(uv_poll_init_socket(&loop, &h, fds[1]), 0);
  h.data = (void*) (intptr_t) fds[1];
  ASSERT_EQ(uv_poll_start(&h, UV_PRIORITIZED, prio_cb), 0);
  ASSERT_EQ(send(fds[0], "!", 1, MSG_OOB), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(prio_seen, 1);
  loop_teardown();
  close(fds[0]);
  close(fds[1]);
}

/* One descriptor, one polling handle at a time. */
static void test_eexist(void) {
  uv_poll_t a, b, c;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &a, sv[0]), 0);
  ASSERT_EQ(uv_poll_init(&loop, &b, sv[0]), 0); /* not polling yet: fine */
  ASSERT_EQ(uv_poll_start(&a, UV_READABLE, stop_cb), 0);
  ASSERT_EQ(uv_poll_start(&b, UV_READABLE, stop_cb), UV_EEXIST);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &b), 0);
  ASSERT_EQ(uv_poll_init(&loop, &c, sv[0]), UV_EEXIST);
  /* Restarting the polling handle itself is not a conflict. */
  ASSERT_EQ(uv_poll_start(&a, UV_WRITABLE, stop_cb), 0);
  ASSERT_EQ(uv_poll_stop(&a), 0);
  ASSERT_EQ(uv_poll_start(&b, UV_WRITABLE, stop_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  /* Another loop may poll the same descriptor. */
  {
    uv_loop_t other;
    uv_poll_t d;
    ASSERT_EQ(uv_loop_init(&other), 0);
    ASSERT_EQ(uv_poll_start(&b, UV_WRITABLE, stop_cb), 0);
    ASSERT_EQ(uv_poll_init(&other, &d, sv[0]), 0);
    ASSERT_EQ(uv_poll_start(&d, UV_WRITABLE, stop_cb), 0);
    ASSERT_EQ(uv_run(&other, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(ncalls, 2);
    uv_close((uv_handle_t*) &d, NULL);
    ASSERT_EQ(uv_run(&other, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(uv_loop_close(&other), 0);
  }
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static void test_close_in_cb(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, close_in_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  ASSERT_EQ(close_cb_called, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(sv[0]);
  close(sv[1]);
}

/* Two handles ready in the same iteration; the first to run stops the other, which must
 * not be called. */
static uv_poll_t pair[2];
static void stop_other_cb(uv_poll_t* h, int status, int events) {
  record(h, status, events);
  ASSERT_EQ(uv_poll_stop(&pair[0]), 0);
  ASSERT_EQ(uv_poll_stop(&pair[1]), 0);
}

static void test_stop_other_in_cb(void) {
  int sv1[2], sv2[2];

  loop_setup();
  make_socketpair(sv1);
  make_socketpair(sv2);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &pair[0], sv1[0]), 0);
  ASSERT_EQ(uv_poll_init(&loop, &pair[1], sv2[0]), 0);
  ASSERT_EQ(uv_poll_start(&pair[0], UV_WRITABLE, stop_other_cb), 0);
  ASSERT_EQ(uv_poll_start(&pair[1], UV_WRITABLE, stop_other_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  loop_teardown();
  close(sv1[0]);
  close(sv1[1]);
  close(sv2[0]);
  close(sv2[1]);
}

/* libuv's poll_close: many started handles (without callbacks) closed at once. */
#define NUM_SOCKETS 64
static void test_close_many(void) {
  int socks[NUM_SOCKETS];
  uv_poll_t handles[NUM_SOCKETS];
  int i;

  loop_setup();
  log_reset(0);
  for (i = 0; i < NUM_SOCKETS; i++) {
    socks[i] = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(socks[i] >= 0);
    ASSERT_EQ(uv_poll_init_socket(&loop, &handles[i], socks[i]), 0);
    ASSERT_EQ(uv_poll_start(&handles[i], UV_READABLE | UV_WRITABLE, NULL), 0);
  }
  for (i = 0; i < NUM_SOCKETS; i++)
    uv_close((uv_handle_t*) &handles[i], close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_called, NUM_SOCKETS);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  for (i = 0; i < NUM_SOCKETS; i++)
    close(socks[i]);
}

static void test_ref_unref(void) {
  uv_poll_t h;
  int sv[2];

  loop_setup();
  make_socketpair(sv);
  log_reset(UV_WRITABLE);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_WRITABLE, stop_cb), 0);
  uv_unref((uv_handle_t*) &h);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  uv_ref((uv_handle_t*) &h);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ncalls, 1);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

static void abort_cb(uv_poll_t* h, int status, int events) {
  (void) h;
  (void) status;
  (void) events;
  ASSERT(0 && "must not be called");
}

/* libuv's poll_nested_epoll: an idle epoll descriptor is pollable and not readable. */
static void test_nested_epoll(void) {
  uv_poll_t h;
  int fd;

  loop_setup();
  fd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_poll_init(&loop, &h, fd), 0);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, abort_cb), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  uv_close((uv_handle_t*) &h, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(fd);
}

/* Echo over a TCP pair driven by poll handles on both ends. */
#define ECHO_BYTES (256 * 1024)
struct echo_end {
  uv_poll_t h;
  int fd;
  size_t sent, received;
  int events;
};
static struct echo_end ends[2];
static char echo_buf[4096];

static void echo_cb(uv_poll_t* h, int status, int events);

static void echo_update(struct echo_end* e) {
  int want = 0;
  if (e->sent < ECHO_BYTES)
    want |= UV_WRITABLE;
  if (e->received < ECHO_BYTES)
    want |= UV_READABLE;
  if (want != e->events) {
    e->events = want;
    ASSERT_EQ(uv_poll_start(&e->h, want, echo_cb), 0);
    if (want == 0)
      uv_close((uv_handle_t*) &e->h, close_cb);
  }
}

static void echo_cb(uv_poll_t* h, int status, int events) {
  struct echo_end* e = h->data;
  ssize_t n;

  ASSERT_EQ(status, 0);
  ASSERT(events != 0);
  ASSERT_EQ(events & ~e->events, 0);
  if (events & UV_READABLE) {
    n = read(e->fd, echo_buf, sizeof(echo_buf));
    ASSERT(n > 0 || (n < 0 && errno == EAGAIN));
    if (n > 0)
      e->received += (size_t) n;
  }
  if (events & UV_WRITABLE) {
    size_t left = ECHO_BYTES - e->sent;
    n = write(e->fd, echo_buf, left < sizeof(echo_buf) ? left : sizeof(echo_buf));
    ASSERT(n > 0 || (n < 0 && errno == EAGAIN));
    if (n > 0)
      e->sent += (size_t) n;
  }
  echo_update(e);
}

static int echo_started_cb;
static void echo_start_cb(uv_poll_t* h, int status, int events) {
  echo_started_cb++;
  echo_cb(h, status, events);
}

static void test_tcp_transfer(void) {
  int fds[2], i;

  loop_setup();
  make_tcp_pair(fds);
  log_reset(0);
  memset(echo_buf, 'e', sizeof(echo_buf));
  for (i = 0; i < 2; i++) {
    ends[i].fd = fds[i];
    ends[i].sent = ends[i].received = 0;
    ends[i].events = UV_READABLE | UV_WRITABLE;
    ASSERT_EQ(uv_poll_init_socket(&loop, &ends[i].h, fds[i]), 0);
    ends[i].h.data = &ends[i];
    ASSERT_EQ(uv_poll_start(&ends[i].h, UV_READABLE | UV_WRITABLE, echo_start_cb), 0);
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  for (i = 0; i < 2; i++) {
    ASSERT_EQ(ends[i].sent, ECHO_BYTES);
    ASSERT_EQ(ends[i].received, ECHO_BYTES);
  }
  ASSERT_EQ(close_cb_called, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(fds[0]);
  close(fds[1]);
}

/* rsuv returns errors where libuv asserts. */
static void test_bad_args(void) {
  uv_poll_t h;
  int sv[2];

  ASSERT_EQ(uv_poll_init(NULL, &h, 0), UV_EINVAL);
  loop_setup();
  ASSERT_EQ(uv_poll_init(&loop, NULL, 0), UV_EINVAL);
  ASSERT_EQ(uv_poll_init(&loop, &h, -1), UV_EBADF);
  make_socketpair(sv);
  ASSERT_EQ(uv_poll_init(&loop, &h, sv[0]), 0);
  ASSERT_EQ(uv_poll_start(&h, 16, stop_cb), UV_EINVAL);
  ASSERT_EQ(uv_poll_start(&h, -1, stop_cb), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  ASSERT_EQ(uv_poll_start(NULL, UV_READABLE, stop_cb), UV_EINVAL);
  ASSERT_EQ(uv_poll_stop(NULL), UV_EINVAL);
  {
    uv_timer_t t;
    ASSERT_EQ(uv_timer_init(&loop, &t), 0);
    ASSERT_EQ(uv_poll_start((uv_poll_t*) &t, UV_READABLE, stop_cb), UV_EINVAL);
  }
  uv_close((uv_handle_t*) &h, NULL);
  ASSERT_EQ(uv_poll_start(&h, UV_READABLE, stop_cb), UV_EINVAL);
  loop_teardown();
  close(sv[0]);
  close(sv[1]);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(init_bad_fds),
    TEST(init_sets_nonblocking),
    TEST(fileno),
    TEST(readable),
    TEST(level_triggered),
    TEST(writable),
    TEST(readable_writable_subset),
    TEST(change_mask),
    TEST(disconnect),
    TEST(disconnect_only),
    TEST(hangup_reports_mask),
    TEST(error_is_ebadf),
    TEST(prioritized),
    TEST(eexist),
    TEST(close_in_cb),
    TEST(stop_other_in_cb),
    TEST(close_many),
    TEST(ref_unref),
    TEST(nested_epoll),
    TEST(tcp_transfer),
    TEST_RSUV(bad_args),
};

int main(int argc, char** argv) {
  rsuv = getenv("RSUV_TEST_REAL_LIBUV") == NULL;
  return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
