/* test_fs_uring.c - asynchronous file requests on the loop's io_uring (Linux), and the
 * thread pool behind it.
 *
 * Whether a request went to the ring is told as libuv tells it: `work_req.done` is NULL
 * after submission (the pool sets it). Each test first asks the kernel whether it allows a
 * ring at all (io_uring_setup on a tiny one): where it does not (seccomp, sysctl), the same
 * tests check that everything went to the pool instead, with the same results.
 *
 * Covers: results and stat buffers from the ring; RSUV_IO_URING=0 and UV_USE_IO_URING=0;
 * uv_cancel before submission (the kernel gets a no-op, no byte is consumed) and after
 * (synchronous cancellation); a write longer than a pipe holds (continued after short
 * writes, every byte delivered); more requests than the completion queue holds; the
 * credentials a request runs with after setuid (the SQPOLL CVE, which a plain ring does
 * not have); uv_loop_fork with a ring; the SQPOLL loop option. Each runs in its own
 * process (runner.h), so environment settings apply from the first request.
 *
 * By default rsuv sends reads, opens and closes to the ring (the kernel completes them in
 * the submitting thread when it can) and the rest to the pool; RSUV_IO_URING=all sends
 * every supported operation to the ring, which most tests here set so that they cover
 * every path. */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__

/* Does the kernel let this process make a ring? */
static int kernel_has_ring(void) {
  unsigned char params[120];
  long fd;
  const char* pre = getenv("LD_PRELOAD");

  if (pre != NULL && strstr(pre, "vgpreload") != NULL)
    return 0; /* rsuv keeps the ring off under valgrind. */
  memset(params, 0, sizeof(params));
  fd = syscall(__NR_io_uring_setup, 2, params);
  if (fd < 0)
    return 0;
  close((int) fd);
  return 1;
}

static int on_ring(const uv_fs_t* req) {
  return req->work_req.done == NULL;
}

static const char payload[] = "ring payload\n";

static void write_file(const char* name, mode_t mode) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, payload, sizeof(payload) - 1), sizeof(payload) - 1);
  ASSERT_EQ(close(fd), 0);
}

static int stat_calls;

static void stat_cb(uv_fs_t* req) {
  ASSERT_EQ(req->result, 0);
  ASSERT(req->ptr == &req->statbuf);
  ASSERT_EQ(req->statbuf.st_size, sizeof(payload) - 1);
  ASSERT((req->statbuf.st_mode & S_IFMT) == S_IFREG);
  uv_fs_req_cleanup(req);
  stat_calls++;
}

/* One stat, one open/read/close chain: on the ring where the kernel allows it. */
static int chain_step;
static char chain_buf[64];
static uv_buf_t chain_iov;

static void chain_cb(uv_fs_t* req) {
  uv_loop_t* loop = req->loop;
  int fd;

  switch (chain_step++) {
    case 0: /* open */
      ASSERT(req->result >= 0);
      fd = (int) req->result;
      uv_fs_req_cleanup(req);
      chain_iov = uv_buf_init(chain_buf, sizeof(chain_buf));
      ASSERT_EQ(uv_fs_read(loop, req, fd, &chain_iov, 1, -1, chain_cb), 0);
      req->data = (void*) (intptr_t) fd;
      break;
    case 1: /* read */
      ASSERT_EQ(req->result, sizeof(payload) - 1);
      ASSERT_MEM_EQ(chain_buf, payload, sizeof(payload) - 1);
      fd = (int) (intptr_t) req->data;
      uv_fs_req_cleanup(req);
      ASSERT_EQ(uv_fs_close(loop, req, fd, chain_cb), 0);
      break;
    case 2: /* close */
      ASSERT_EQ(req->result, 0);
      uv_fs_req_cleanup(req);
      break;
  }
}

static void all_on_ring(void) {
  setenv("RSUV_IO_URING", "all", 1);
}

static void check_path(int want_ring, int want_stat_ring) {
  uv_loop_t loop;
  uv_fs_t st, io;

  write_file("ring_file", 0644);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_fs_stat(&loop, &st, "ring_file", stat_cb), 0);
  ASSERT_EQ(on_ring(&st), want_stat_ring);
  ASSERT_EQ(uv_fs_open(&loop, &io, "ring_file", UV_FS_O_RDONLY, 0, chain_cb), 0);
  ASSERT_EQ(on_ring(&io), want_ring);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stat_calls, 1);
  ASSERT_EQ(chain_step, 3);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink("ring_file");
}

/* Default: open, read, close on the ring; stat on the pool. */
static void test_results(void) {
  check_path(kernel_has_ring(), 0);
}

static void test_results_all(void) {
  all_on_ring();
  check_path(kernel_has_ring(), kernel_has_ring());
}

static void test_rsuv_off(void) {
  setenv("RSUV_IO_URING", "0", 1);
  check_path(0, 0);
}

static void test_uv_use_io_uring_off(void) {
  setenv("UV_USE_IO_URING", "0", 1);
  check_path(0, 0);
}

/* uv_cancel ---------------------------------------------------------------------------- */

static int cancel_calls;

static void cancelled_cb(uv_fs_t* req) {
  ASSERT_EQ(req->result, UV_ECANCELED);
  uv_fs_req_cleanup(req);
  cancel_calls++;
}

static int pipefd[2];
static uv_fs_t read_req;
static char read_byte;
static uv_buf_t read_iov;

/* Queued in a callback, cancelled before the loop polls: never reaches the kernel. */
static void queue_then_cancel(uv_timer_t* t) {
  read_iov = uv_buf_init(&read_byte, 1);
  ASSERT_EQ(uv_fs_read(t->loop, &read_req, pipefd[0], &read_iov, 1, -1, cancelled_cb), 0);
  ASSERT(on_ring(&read_req));
  ASSERT_EQ(uv_cancel((uv_req_t*) &read_req), 0);
  /* A second cancel of the same request finds nothing left to take back. */
  ASSERT_EQ(uv_cancel((uv_req_t*) &read_req), UV_EBUSY);
  uv_close((uv_handle_t*) t, NULL);
}

static void test_cancel_queued(void) {
  uv_loop_t loop;
  uv_timer_t t;
  char c;

  if (!kernel_has_ring())
    return; /* On the pool, a worker may take the request first: nothing to check. */
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_EQ(write(pipefd[1], "x", 1), 1);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, queue_then_cancel, 0, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_calls, 1);
  /* The byte is still in the pipe: the cancelled read did not run. */
  ASSERT_EQ(read(pipefd[0], &c, 1), 1);
  ASSERT_EQ(c, 'x');
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

static void cancel_later(uv_timer_t* t) {
  ASSERT_EQ(uv_cancel((uv_req_t*) &read_req), 0);
  uv_close((uv_handle_t*) t, NULL);
}

/* A read the kernel has, waiting on an empty pipe: cancelled synchronously. */
static void test_cancel_submitted(void) {
  uv_loop_t loop;
  uv_timer_t t;

  if (!kernel_has_ring())
    return;
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  read_iov = uv_buf_init(&read_byte, 1);
  ASSERT_EQ(uv_fs_read(&loop, &read_req, pipefd[0], &read_iov, 1, -1, cancelled_cb), 0);
  ASSERT(on_ring(&read_req));
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, cancel_later, 20, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_calls, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

/* A long write ----------------------------------------------------------------------- */

enum { BIG = 4 << 20 };
static unsigned char* big;

static unsigned char pattern(size_t i) {
  return (unsigned char) (i * 2654435761u >> 13);
}

static void* drain(void* arg) {
  static unsigned char buf[65536];
  size_t got = 0;
  (void) arg;
  for (;;) {
    ssize_t n = read(pipefd[0], buf, sizeof(buf));
    if (n <= 0)
      break;
    for (ssize_t i = 0; i < n; i++)
      ASSERT_EQ(buf[i], pattern(got + i));
    got += (size_t) n;
  }
  return (void*) got;
}

static int write_calls;

static void big_write_cb(uv_fs_t* req) {
  ASSERT_EQ(req->result, BIG);
  uv_fs_req_cleanup(req);
  write_calls++;
}

/* More than a pipe holds, in three buffers: every byte arrives, in order, once. */
static void test_long_write(void) {
  uv_loop_t loop;
  uv_fs_t req;
  uv_buf_t bufs[3];
  pthread_t reader;
  void* got;
  size_t i;

  all_on_ring();
  big = malloc(BIG);
  ASSERT(big != NULL);
  for (i = 0; i < BIG; i++)
    big[i] = pattern(i);
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_EQ(pthread_create(&reader, NULL, drain, NULL), 0);
  bufs[0] = uv_buf_init((char*) big, 1000);
  bufs[1] = uv_buf_init((char*) big + 1000, BIG / 2);
  bufs[2] = uv_buf_init((char*) big + 1000 + BIG / 2, BIG - 1000 - BIG / 2);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_fs_write(&loop, &req, pipefd[1], bufs, 3, -1, big_write_cb), 0);
  ASSERT_EQ(on_ring(&req), kernel_has_ring());
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(write_calls, 1);
  close(pipefd[1]);
  ASSERT_EQ(pthread_join(reader, &got), 0);
  ASSERT_EQ((size_t) got, BIG);
  close(pipefd[0]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  free(big);
}

/* More requests than the completion queue holds ------------------------------------- */

enum { MANY = 3000 };

static void test_many(void) {
  static uv_fs_t reqs[MANY];
  uv_loop_t loop;
  int i;

  all_on_ring();
  write_file("ring_many", 0644);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < MANY; i++)
    ASSERT_EQ(uv_fs_stat(&loop, &reqs[i], "ring_many", stat_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stat_calls, MANY);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink("ring_many");
}

/* Credentials ---------------------------------------------------------------------------- */

static int open_calls;
static ssize_t open_result;

static void open_cb(uv_fs_t* req) {
  open_result = req->result;
  if (req->result >= 0)
    close((int) req->result);
  uv_fs_req_cleanup(req);
  open_calls++;
}

/* CVE-2024-22017's scenario: root makes the ring, drops to another user, then asks for a
 * root-only file. With SQPOLL the kernel thread would still be root; rsuv's plain ring runs
 * the open as the user the process is now. */
static void test_credentials_after_setuid(void) {
  uv_loop_t loop;
  uv_fs_t req;

  if (geteuid() != 0) {
    fprintf(stderr, "not root: nothing to drop, the scenario does not apply\n");
    return;
  }
  write_file("/tmp/rsuv-root-only", 0600);
  ASSERT_EQ(chown("/tmp/rsuv-root-only", 0, 0), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* As root: the ring is made, and the open succeeds. */
  ASSERT_EQ(uv_fs_open(&loop, &req, "/tmp/rsuv-root-only", UV_FS_O_RDONLY, 0, open_cb), 0);
  ASSERT_EQ(on_ring(&req), kernel_has_ring());
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(open_calls, 1);
  ASSERT(open_result >= 0);
  /* Now nobody, for good. */
  ASSERT_EQ(setgroups(0, NULL), 0);
  ASSERT_EQ(setgid(65534), 0);
  ASSERT_EQ(setuid(65534), 0);
  ASSERT_EQ(uv_fs_open(&loop, &req, "/tmp/rsuv-root-only", UV_FS_O_RDONLY, 0, open_cb), 0);
  ASSERT_EQ(on_ring(&req), kernel_has_ring());
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(open_calls, 2);
  ASSERT_EQ(open_result, UV_EACCES);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  /* The file stays behind for root to remove (this process can no longer). */
}

/* uv_loop_fork ------------------------------------------------------------------------ */

static void test_fork(void) {
  uv_loop_t loop;
  uv_fs_t req;
  pid_t pid;
  int status;

  all_on_ring();
  write_file("ring_fork", 0644);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_fs_stat(&loop, &req, "ring_fork", stat_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stat_calls, 1);
  pid = fork();
  ASSERT(pid >= 0);
  if (pid == 0) {
    ASSERT_EQ(uv_loop_fork(&loop), 0);
    ASSERT_EQ(uv_fs_stat(&loop, &req, "ring_fork", stat_cb), 0);
    ASSERT_EQ(on_ring(&req), kernel_has_ring());
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(stat_calls, 2);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* The parent's ring is untouched by the child. */
  ASSERT_EQ(uv_fs_stat(&loop, &req, "ring_fork", stat_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stat_calls, 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink("ring_fork");
}

/* An embedder --------------------------------------------------------------------------- */

static uv_fs_t embed_req;

static void embed_open(uv_timer_t* t) {
  ASSERT_EQ(uv_fs_open(t->loop, &embed_req, "ring_embed", UV_FS_O_RDONLY, 0, open_cb), 0);
  uv_close((uv_handle_t*) t, NULL);
}

/* A program that waits on uv_backend_fd itself between uv_run(UV_RUN_NOWAIT) calls: a
 * request made by a callback that ran after the poll (a timer, in 1.53's order) must be in
 * the kernel when uv_run returns, so that the backend descriptor wakes for it. */
static void test_embedder_wakes(void) {
  uv_loop_t loop;
  uv_timer_t t;
  struct pollfd pfd;
  int rounds;

  write_file("ring_embed", 0644);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, embed_open, 0, 0), 0);
  uv_update_time(&loop);
  for (rounds = 0; open_calls == 0 && rounds < 10; rounds++) {
    uv_run(&loop, UV_RUN_NOWAIT);
    if (open_calls != 0)
      break;
    pfd.fd = uv_backend_fd(&loop);
    pfd.events = POLLIN;
    pfd.revents = 0;
    /* The open is pending, so the backend descriptor must become readable; a request
     * left in rsuv's queue until the next uv_run would leave this poll to time out. */
    ASSERT_EQ(poll(&pfd, 1, 5000), 1);
  }
  ASSERT_EQ(open_calls, 1);
  ASSERT(open_result >= 0);
  ASSERT(rounds <= 3);
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink("ring_embed");
}

/* A read the parent's ring has when the process forks: in the child it comes back
 * cancelled (the parent's ring will never tell the child), so the child's loop finishes
 * and closes; in the parent it completes when data arrives. */
static int fork_read_calls;
static ssize_t fork_read_result;

static void fork_read_cb(uv_fs_t* req) {
  fork_read_result = req->result;
  uv_fs_req_cleanup(req);
  fork_read_calls++;
}

static void test_fork_with_read_in_flight(void) {
  uv_loop_t loop;
  pid_t pid;
  int status;

  if (!kernel_has_ring())
    return; /* On the pool, uv_loop_fork's own hand-back covers it (test_loop.c). */
  ASSERT_EQ(pipe(pipefd), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  read_iov = uv_buf_init(&read_byte, 1);
  ASSERT_EQ(uv_fs_read(&loop, &read_req, pipefd[0], &read_iov, 1, -1, fork_read_cb), 0);
  ASSERT(on_ring(&read_req));
  /* In the kernel now (outside uv_run a request goes in at once), waiting for data. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  pid = fork();
  ASSERT(pid >= 0);
  if (pid == 0) {
    ASSERT_EQ(uv_loop_fork(&loop), 0);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(fork_read_calls, 1);
    ASSERT_EQ(fork_read_result, UV_ECANCELED);
    ASSERT_EQ(uv_loop_close(&loop), 0);
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(write(pipefd[1], "y", 1), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fork_read_calls, 1);
  ASSERT_EQ(fork_read_result, 1);
  ASSERT_EQ(read_byte, 'y');
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

/* libuv's opt-in: SQPOLL with UV_USE_IO_URING=1 and the loop option. */
static void test_sqpoll_option(void) {
  setenv("UV_USE_IO_URING", "1", 1);
  uv_loop_t loop;
  uv_fs_t st;

  write_file("ring_sq", 0644);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_loop_configure(&loop, UV_LOOP_USE_IO_URING_SQPOLL), 0);
  ASSERT_EQ(uv_fs_stat(&loop, &st, "ring_sq", stat_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stat_calls, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink("ring_sq");
}

static const struct test_entry tests[] = {
    TEST_RSUV(results),
    TEST_RSUV(results_all),
    TEST_RSUV(rsuv_off),
    TEST_RSUV(uv_use_io_uring_off),
    TEST_RSUV(cancel_queued),
    TEST_RSUV(cancel_submitted),
    TEST(long_write),
    TEST(many),
    TEST_RSUV(credentials_after_setuid),
    TEST(fork),
    TEST(embedder_wakes),
    TEST_RSUV(fork_with_read_in_flight),
    TEST(sqpoll_option),
};

#else
static void test_not_linux(void) {}
static const struct test_entry tests[] = {TEST(not_linux)};
#endif

RSUV_TEST_MAIN(tests)
