/* test_pipe.c - pipe handles as a libuv user sees them.
 *
 * Covers: uv_pipe_init, bind (EINVAL when bound, EADDRINUSE, EACCES for a missing
 * directory, the path unlinked on close), listen (EINVAL without bind or on an IPC pipe),
 * connect (always through the callback, never synchronously, even on error: ENOENT,
 * ENOTSOCK/ECONNREFUSED), accept and echo, getsockname/getpeername (ENOBUFS and the size
 * needed, EBADF, ENOTCONN, abstract names), uv_pipe_chmod, uv_pipe (flags, EOF when the
 * write end closes), uv_pipe_open on pipe(2) and socketpair ends (readable/writable from
 * the access mode, the 0x4000 readable flag a program may set), UV_EPIPE through the write
 * callback, handle passing over IPC pipes (uv_write2 with a TCP or pipe handle,
 * pending_count/pending_type, uv_accept of the received handle, several handles in a row,
 * EINVAL on a non-IPC pipe), uv_pipe_pending_instances, write_queue_size on a full pipe.
 *
 * Paths under /tmp with the process id; nothing outside. Written against libuv 1.44's
 * documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include c_tests/test_pipe.c -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

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

static char pipe_path[64];
static const char* sock_path(const char* tag) {
  snprintf(pipe_path, sizeof(pipe_path), "/tmp/rsuv-pipe-%d-%s", (int) getpid(), tag);
  unlink(pipe_path);
  return pipe_path;
}

static char slab[65536];
static void alloc_slab(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  (void) size;
  buf->base = slab;
  buf->len = sizeof(slab);
}

static int path_exists(const char* p) {
  struct stat st;
  return stat(p, &st) == 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Bind, listen, connect, names                                                             */

static void test_bind_rules(void) {
  uv_loop_t loop;
  uv_pipe_t a, b, c;
  char name[128];
  const char* path = sock_path("bind");

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &a, 0), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &a, 4, NULL), UV_EINVAL); /* not bound */
  ASSERT_EQ(uv_pipe_bind(&a, path), 0);
  ASSERT(path_exists(path));
  ASSERT_EQ(uv_pipe_bind(&a, path), UV_EINVAL); /* bound already */
  ASSERT_EQ(uv_pipe_init(&loop, &b, 0), 0);
  ASSERT_EQ(uv_pipe_bind(&b, path), UV_EADDRINUSE);
  ASSERT_EQ(uv_pipe_init(&loop, &c, 0), 0);
  ASSERT_EQ(uv_pipe_bind(&c, "/tmp/rsuv-no-such-dir/x/y"), UV_EACCES);
  {
    size_t len = sizeof(name);
    ASSERT_EQ(uv_pipe_getsockname(&a, name, &len), 0);
    ASSERT_EQ(len, strlen(path));
    ASSERT(strcmp(name, path) == 0);
    /* Too small: ENOBUFS and the size needed, with the terminating NUL. */
    len = 4;
    ASSERT_EQ(uv_pipe_getsockname(&a, name, &len), UV_ENOBUFS);
    ASSERT_EQ(len, strlen(path) + 1);
    len = sizeof(name);
    ASSERT_EQ(uv_pipe_getpeername(&a, name, &len), UV_ENOTCONN);
    len = sizeof(name);
    ASSERT_EQ(uv_pipe_getsockname(&b, name, &len), UV_EBADF);
  }
  ASSERT_EQ(uv_pipe_chmod(&a, UV_READABLE | UV_WRITABLE), 0);
  {
    struct stat st;
    ASSERT_EQ(stat(path, &st), 0);
    ASSERT_EQ(st.st_mode & 0666, 0666);
  }
  ASSERT_EQ(uv_pipe_chmod(&a, 0), UV_EINVAL);
  ASSERT_EQ(uv_pipe_chmod(&a, 8), UV_EINVAL);
  ASSERT_EQ(uv_pipe_chmod(&b, UV_READABLE), UV_EBADF);
  uv_pipe_pending_instances(&a, 4);
  ASSERT_EQ(uv_listen((uv_stream_t*) &a, 4, NULL), 0);
  uv_close((uv_handle_t*) &a, NULL);
  /* Closing the handle removes the socket file it made. */
  ASSERT(!path_exists(path));
  finish_loop(&loop);
}

static void test_abstract_name(void) {
  uv_loop_t loop;
  uv_pipe_t a;
  char name[64];
  size_t len = sizeof(name);
  char abstract[32];

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &a, 0), 0);
  /* An abstract-namespace socket, bound outside libuv and opened. */
  {
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int n = snprintf(abstract, sizeof(abstract), "rsuv-abs-%d", (int) getpid());
    ASSERT(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path + 1, abstract, (size_t) n);
    socklen_t salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + (size_t) n);
    ASSERT_EQ(bind(fd, (struct sockaddr*) &sa, salen), 0);
    ASSERT_EQ(uv_pipe_open(&a, fd), 0);
    ASSERT_EQ(uv_pipe_getsockname(&a, name, &len), 0);
    ASSERT_EQ(len, (size_t) n + 1);
    ASSERT_EQ(name[0], 0);
    ASSERT(memcmp(name + 1, abstract, (size_t) n) == 0);
  }
  finish_loop(&loop);
}

static int async_connect_status = 1;
static void async_connect_cb(uv_connect_t* req, int status) {
  async_connect_status = status;
  uv_close((uv_handle_t*) req->handle, NULL);
}

/* Connect reports even immediate failures through the callback, later. */
static void test_connect_errors_async(void) {
  uv_loop_t loop;
  uv_pipe_t p, q;
  uv_connect_t req, req2;
  const char* file = sock_path("notasocket");
  int fd = open(file, O_CREAT | O_WRONLY, 0600);

  ASSERT(fd >= 0);
  close(fd);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  uv_pipe_connect(&req, &p, "/tmp/rsuv-no-such-dir/sock", async_connect_cb);
  ASSERT_EQ(async_connect_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(async_connect_status, UV_ENOENT);

  async_connect_status = 1;
  ASSERT_EQ(uv_pipe_init(&loop, &q, 0), 0);
  uv_pipe_connect(&req2, &q, file, async_connect_cb);
  ASSERT_EQ(async_connect_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT(async_connect_status == UV_ECONNREFUSED || async_connect_status == UV_ENOTSOCK);
  unlink(file);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static uv_pipe_t echo_server, echo_client, echo_conn;
static int echo_connected, echo_got_eof, echo_written;
static char echo_buf[64];
static size_t echo_len;

static void echo_server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) nread);
    ASSERT_EQ(uv_try_write(s, &b, 1), nread);
  } else if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    uv_close((uv_handle_t*) &echo_server, NULL);
  }
}

static void echo_connection(uv_stream_t* server, int status) {
  char name[128];
  size_t len = sizeof(name);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_pipe_init(server->loop, &echo_conn, 0), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &echo_conn), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_pipe_getsockname(&echo_conn, name, &len), 0);
  ASSERT(strcmp(name, pipe_path) == 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &echo_conn, alloc_slab, echo_server_read), 0);
}

static void echo_client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    memcpy(echo_buf + echo_len, buf->base, (size_t) nread);
    echo_len += (size_t) nread;
  } else if (nread == UV_EOF) {
    echo_got_eof = 1;
    uv_close((uv_handle_t*) s, NULL);
  }
}

static void echo_shutdown_cb(uv_shutdown_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  ASSERT_EQ(echo_written, 1);
}

static void echo_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  echo_written = 1;
}

static void echo_connect_cb(uv_connect_t* req, int status) {
  static uv_write_t w;
  static uv_shutdown_t sh;
  uv_buf_t b[2];
  char name[128];
  size_t len = sizeof(name);
  ASSERT_EQ(status, 0);
  echo_connected = 1;
  ASSERT_EQ(uv_pipe_getpeername((uv_pipe_t*) req->handle, name, &len), 0);
  ASSERT(strcmp(name, pipe_path) == 0);
  b[0] = uv_buf_init("over ", 5);
  b[1] = uv_buf_init("the pipe", 8);
  ASSERT_EQ(uv_write(&w, req->handle, b, 2, echo_write_cb), 0);
  ASSERT_EQ(echo_written, 0);
  ASSERT_EQ(uv_shutdown(&sh, req->handle, echo_shutdown_cb), 0);
  ASSERT_EQ(uv_read_start(req->handle, alloc_slab, echo_client_read), 0);
}

static void test_echo(void) {
  uv_loop_t loop;
  uv_connect_t req;
  const char* path = sock_path("echo");

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &echo_server, 0), 0);
  ASSERT_EQ(uv_pipe_bind(&echo_server, path), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &echo_server, 4, echo_connection), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &echo_client, 0), 0);
  uv_pipe_connect(&req, &echo_client, path, echo_connect_cb);
  ASSERT_EQ(echo_connected, 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(echo_connected, 1);
  ASSERT_EQ(echo_got_eof, 1);
  ASSERT_EQ(echo_len, 13);
  ASSERT(memcmp(echo_buf, "over the pipe", 13) == 0);
  ASSERT(!path_exists(path));
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_pipe, uv_pipe_open                                                                     */

static int pp_reads, pp_eof;
static void pp_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT_EQ(nread, 5);
    ASSERT(memcmp(buf->base, "hello", 5) == 0);
    pp_reads++;
  } else if (nread == UV_EOF) {
    pp_eof++;
    uv_close((uv_handle_t*) s, NULL);
  }
}

static void test_uv_pipe_and_open(void) {
  uv_loop_t loop;
  uv_pipe_t r, w;
  uv_file fds[2];
  uv_buf_t b = uv_buf_init("hello", 5);
  int fl;

  ASSERT_EQ(uv_pipe(fds, 0, 0), 0);
  ASSERT(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
  close(fds[0]);
  close(fds[1]);
  ASSERT_EQ(uv_pipe(fds, UV_NONBLOCK_PIPE, 0), 0);
  ASSERT(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
  ASSERT_EQ(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &r, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &w, 0), 0);
  ASSERT_EQ(uv_pipe_open(&r, fds[0]), 0);
  ASSERT_EQ(uv_pipe_open(&w, fds[1]), 0);
  fl = fcntl(fds[1], F_GETFL);
  ASSERT(fl & O_NONBLOCK); /* uv_pipe_open makes it non-blocking */
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &r), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &r), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &w), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &w), 1);
  {
    uv_os_fd_t fd;
    ASSERT_EQ(uv_fileno((uv_handle_t*) &w, &fd), 0);
    ASSERT_EQ(fd, fds[1]);
  }
  ASSERT_EQ(uv_read_start((uv_stream_t*) &w, alloc_slab, pp_read), UV_ENOTCONN);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &r, &b, 1), UV_EPIPE);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &w, &b, 1), 5);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &r, alloc_slab, pp_read), 0);
  uv_close((uv_handle_t*) &w, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(pp_reads, 1);
  ASSERT_EQ(pp_eof, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);

  /* A bad descriptor. */
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &r, 0), 0);
  ASSERT_EQ(uv_pipe_open(&r, 1000), UV_EBADF);
  finish_loop(&loop);
}

/* UV_RUN_ONCE after uv_read_stop with unread data left: the descriptor's registration is
 * kept (to spare system calls) and reports readiness again; the loop must not count that
 * as progress. libuv blocks for the timer and runs it; so must we. */
static int once_reads, once_fired;
static void once_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread > 0) once_reads++;
  uv_read_stop(s);
}
static void once_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char small[4];
  (void) h;
  (void) size;
  buf->base = small;
  buf->len = sizeof(small);
}
static void once_timer_cb(uv_timer_t* t) {
  (void) t;
  once_fired++;
}

static void test_run_once_after_read_stop(void) {
  uv_loop_t loop;
  uv_pipe_t r;
  uv_timer_t t;
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(write(sv[1], "0123456789", 10), 10); /* more than one read's worth */
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &r, 0), 0);
  ASSERT_EQ(uv_pipe_open(&r, sv[0]), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &r, once_alloc, once_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0); /* reads once, stops reading */
  ASSERT_EQ(once_reads, 1);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, once_timer_cb, 20, 0), 0);
  /* Data is still unread, but nobody wants it: this must wait for the timer. */
  uv_run(&loop, UV_RUN_ONCE);
  ASSERT_EQ(once_fired, 1);
  ASSERT_EQ(once_reads, 1);
  close(sv[1]);
  finish_loop(&loop);
}

/* Programs set flag 0x4000 ("readable") on a write-only pipe to read from it anyway. */
static void test_readable_flag(void) {
  uv_loop_t loop;
  uv_pipe_t p;
  int sv[2];

  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(fcntl(sv[0], F_SETFL, O_WRONLY), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  ASSERT_EQ(uv_pipe_open(&p, sv[0]), 0);
  ASSERT(p.flags & 0x4000);
  ASSERT(p.flags & 0x8000);
  p.flags &= ~0x4000u;
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &p), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &p, alloc_slab, pp_read), UV_ENOTCONN);
  p.flags |= 0x4000;
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &p), 1);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &p, alloc_slab, pp_read), 0);
  close(sv[1]);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(pp_eof, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Writing into a pipe nobody reads: UV_EPIPE through the callback; the queue is exact. */
static int epipe_status = 1;
static void epipe_write_cb(uv_write_t* req, int status) {
  epipe_status = status;
  ASSERT_EQ(uv_stream_get_write_queue_size(req->handle), 0);
}

static void test_epipe_through_callback(void) {
  uv_loop_t loop;
  uv_pipe_t w;
  uv_write_t req;
  uv_file fds[2];
  uv_buf_t b = uv_buf_init("data", 4);

  signal(SIGPIPE, SIG_IGN);
  ASSERT_EQ(uv_pipe(fds, 0, 0), 0);
  close(fds[0]);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &w, 0), 0);
  ASSERT_EQ(uv_pipe_open(&w, fds[1]), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &w, &b, 1, epipe_write_cb), 0);
  ASSERT_EQ(epipe_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(epipe_status, UV_EPIPE);
  finish_loop(&loop);
}

/* A full pipe: writes queue, write_queue_size counts them, reading drains them in order. */
static size_t full_read_total;
static int full_cbs;
static void full_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  full_cbs++;
  if (full_cbs == 8)
    uv_close((uv_handle_t*) req->handle, NULL);
}
static void full_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ssize_t i;
  if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    return;
  }
  ASSERT(nread >= 0);
  for (i = 0; i < nread; i++)
    ASSERT_EQ((unsigned char) buf->base[i], (unsigned char) ((full_read_total + (size_t) i) / 100000));
  full_read_total += (size_t) nread;
}

static void test_full_pipe(void) {
  uv_loop_t loop;
  uv_pipe_t r, w;
  uv_file fds[2];
  static uv_write_t reqs[8];
  static char data[8][100000];
  int i;

  ASSERT_EQ(uv_pipe(fds, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &r, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &w, 0), 0);
  ASSERT_EQ(uv_pipe_open(&r, fds[0]), 0);
  ASSERT_EQ(uv_pipe_open(&w, fds[1]), 0);
  for (i = 0; i < 8; i++) {
    uv_buf_t b;
    memset(data[i], i, sizeof(data[i]));
    b = uv_buf_init(data[i], sizeof(data[i]));
    ASSERT_EQ(uv_write(&reqs[i], (uv_stream_t*) &w, &b, 1, full_write_cb), 0);
  }
  /* A pipe holds 64 KiB: most of the 800 000 bytes wait. */
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &w) >= (size_t) (800000 - 65536 * 4));
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &w) > 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &r, alloc_slab, full_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(full_cbs, 8);
  ASSERT_EQ(full_read_total, 800000);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* IPC: passing handles                                                                      */

static uv_pipe_t ipc_a, ipc_b;
static uv_tcp_t ipc_tcp, ipc_tcp_got;
static uv_pipe_t ipc_pipe_got;
static int ipc_received, ipc_writes;
static int ipc_tcp_port;

static void ipc_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  ipc_writes++;
}

static void ipc_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  uv_pipe_t* p = (uv_pipe_t*) s;
  if (nread <= 0) {
    ASSERT(nread == 0 || nread == UV_EOF);
    if (nread == UV_EOF)
      uv_close((uv_handle_t*) s, NULL);
    return;
  }
  (void) buf;
  while (uv_pipe_pending_count(p) > 0) {
    uv_handle_type t = uv_pipe_pending_type(p);
    if (t == UV_TCP) {
      struct sockaddr_storage ss;
      int len = sizeof(ss);
      ASSERT_EQ(uv_tcp_init(s->loop, &ipc_tcp_got), 0);
      ASSERT_EQ(uv_accept(s, (uv_stream_t*) &ipc_tcp_got), 0);
      ASSERT_EQ(uv_tcp_getsockname(&ipc_tcp_got, (struct sockaddr*) &ss, &len), 0);
      ASSERT_EQ(ntohs(((struct sockaddr_in*) &ss)->sin_port), ipc_tcp_port);
    } else {
      ASSERT_EQ(t, UV_NAMED_PIPE);
      ASSERT_EQ(uv_pipe_init(s->loop, &ipc_pipe_got, 0), 0);
      ASSERT_EQ(uv_accept(s, (uv_stream_t*) &ipc_pipe_got), 0);
    }
    ipc_received++;
  }
  ASSERT_EQ(uv_pipe_pending_type(p), UV_UNKNOWN_HANDLE);
  ASSERT_EQ(uv_accept(s, (uv_stream_t*) &ipc_tcp_got), UV_EAGAIN);
  if (ipc_received == 2) {
    uv_close((uv_handle_t*) &ipc_a, NULL);
    uv_close((uv_handle_t*) s, NULL);
  }
}

static void test_ipc_send_handles(void) {
  uv_loop_t loop;
  uv_write_t w1, w2, w3;
  uv_os_sock_t sv[2];
  uv_pipe_t plain, extra;
  uv_file fds[2];
  uv_buf_t b = uv_buf_init("H", 1);
  struct sockaddr_in a;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, sv, 0, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &ipc_a, 1), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &ipc_b, 1), 0);
  ASSERT_EQ(ipc_a.ipc, 1);
  ASSERT_EQ(uv_pipe_open(&ipc_a, sv[0]), 0);
  ASSERT_EQ(uv_pipe_open(&ipc_b, sv[1]), 0);
  ASSERT_EQ(uv_pipe_pending_count(&ipc_b), 0);
  ASSERT_EQ(uv_pipe_pending_type(&ipc_b), UV_UNKNOWN_HANDLE);
  /* An IPC pipe cannot listen. */
  ASSERT_EQ(uv_listen((uv_stream_t*) &ipc_a, 1, NULL), UV_EINVAL);

  /* A bound TCP handle... */
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &ipc_tcp), 0);
  ASSERT_EQ(uv_tcp_bind(&ipc_tcp, (const struct sockaddr*) &a, 0), 0);
  {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    ASSERT_EQ(uv_tcp_getsockname(&ipc_tcp, (struct sockaddr*) &ss, &len), 0);
    ipc_tcp_port = ntohs(((struct sockaddr_in*) &ss)->sin_port);
  }
  ASSERT_EQ(uv_write2(&w1, (uv_stream_t*) &ipc_a, &b, 1, (uv_stream_t*) &ipc_tcp, ipc_write_cb), 0);
  /* ...and a pipe handle. */
  ASSERT_EQ(uv_pipe(fds, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &extra, 0), 0);
  ASSERT_EQ(uv_pipe_open(&extra, fds[1]), 0);
  close(fds[0]);
  ASSERT_EQ(uv_write2(&w2, (uv_stream_t*) &ipc_a, &b, 1, (uv_stream_t*) &extra, ipc_write_cb), 0);

  /* Sending over a pipe that is not IPC is invalid. */
  ASSERT_EQ(uv_pipe_init(&loop, &plain, 0), 0);
  {
    uv_os_sock_t sv2[2];
    ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, sv2, 0, 0), 0);
    ASSERT_EQ(uv_pipe_open(&plain, sv2[0]), 0);
    close(sv2[1]);
  }
  ASSERT_EQ(uv_write2(&w3, (uv_stream_t*) &plain, &b, 1, (uv_stream_t*) &ipc_tcp, ipc_write_cb),
            UV_EINVAL);
  uv_close((uv_handle_t*) &plain, NULL);

  ASSERT_EQ(uv_read_start((uv_stream_t*) &ipc_b, alloc_slab, ipc_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ipc_received, 2);
  ASSERT_EQ(ipc_writes, 2);
  finish_loop(&loop);
}

/* Descriptors nobody accepts are closed with the pipe (no leak, no crash). */
static int unaccepted_reads;
static void unaccepted_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread > 0) {
    unaccepted_reads++;
    ASSERT(uv_pipe_pending_count((uv_pipe_t*) s) >= 1);
    if (uv_pipe_pending_count((uv_pipe_t*) s) == 3)
      uv_close((uv_handle_t*) s, NULL);
  }
}

static void test_ipc_unaccepted(void) {
  uv_loop_t loop;
  uv_pipe_t a, b;
  uv_tcp_t t[3];
  uv_write_t w[3];
  uv_os_sock_t sv[2];
  uv_buf_t buf = uv_buf_init("x", 1);
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, sv, 0, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &a, 1), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &b, 1), 0);
  ASSERT_EQ(uv_pipe_open(&a, sv[0]), 0);
  ASSERT_EQ(uv_pipe_open(&b, sv[1]), 0);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(uv_tcp_init_ex(&loop, &t[i], AF_INET), 0);
    ASSERT_EQ(uv_write2(&w[i], (uv_stream_t*) &a, &buf, 1, (uv_stream_t*) &t[i], NULL), 0);
  }
  ASSERT_EQ(uv_read_start((uv_stream_t*) &b, alloc_slab, unaccepted_read), 0);
  while (!uv_is_closing((uv_handle_t*) &b) && uv_run(&loop, UV_RUN_ONCE) != 0) {
  }
  ASSERT(uv_is_closing((uv_handle_t*) &b));
  ASSERT_EQ(unaccepted_reads, 3);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                    */

static const struct test_entry tests[] = {
    TEST(bind_rules),
    TEST(abstract_name),
    TEST(connect_errors_async),
    TEST(echo),
    TEST(uv_pipe_and_open),
    TEST(run_once_after_read_stop),
    TEST(readable_flag),
    TEST(epipe_through_callback),
    TEST(full_pipe),
    TEST(ipc_send_handles),
    TEST(ipc_unaccepted),
};

RSUV_TEST_MAIN(tests)
