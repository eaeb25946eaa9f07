/* test_tcp.c - TCP handles and the stream API as a libuv user sees them.
 *
 * Covers: uv_tcp_init/init_ex (bad flags, early socket), bind (port 0, IPv6-only rules,
 * address in use reported by listen and through the connect callback), listen/accept
 * (UV_EAGAIN with nothing to accept), connect (async completion, ECONNREFUSED through the
 * callback, UV_ECANCELED on close), getsockname/getpeername, reads (UV_EOF, UV_ENOBUFS
 * from an empty buffer, read_stop from the read callback), writes (order, partial writes
 * and an exact write_queue_size, callbacks never from inside uv_write, many buffers,
 * UV_ECANCELED on close, errors through the callback after a reset), uv_try_write
 * (UV_EAGAIN while writes are queued), shutdown (after the queued writes; ENOTCONN rules),
 * uv_tcp_close_reset, uv_tcp_open, nodelay/keepalive, socket buffer sizes, IPv6 on ::1,
 * the readable/writable flags, entry points on closed handles, bad input.
 *
 * Loopback addresses and ephemeral ports only. Written against libuv 1.44's documented
 * behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include c_tests/test_tcp.c -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

/* Close every handle, run the loop until they are gone and close the loop. */
static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

static struct sockaddr_in ip4(int port) {
  struct sockaddr_in a;
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", port, &a), 0);
  return a;
}

static int port_of(const uv_tcp_t* t) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  ASSERT_EQ(uv_tcp_getsockname(t, (struct sockaddr*) &ss, &len), 0);
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6*) &ss)->sin6_port);
  return ntohs(((struct sockaddr_in*) &ss)->sin_port);
}

/* A listening server on 127.0.0.1, any port; returns the port. */
static int listen_any(uv_loop_t* loop, uv_tcp_t* server, uv_connection_cb cb) {
  struct sockaddr_in a = ip4(0);
  ASSERT_EQ(uv_tcp_init(loop, server), 0);
  ASSERT_EQ(uv_tcp_bind(server, (const struct sockaddr*) &a, 0), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) server, 16, cb), 0);
  return port_of(server);
}

/* A port nobody listens on: bound then released. */
static int free_port(void) {
  struct sockaddr_in a = ip4(0);
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(bind(fd, (struct sockaddr*) &a, sizeof(a)), 0);
  ASSERT_EQ(getsockname(fd, (struct sockaddr*) &a, &len), 0);
  close(fd);
  return ntohs(a.sin_port);
}

static char slab[65536];
static void alloc_slab(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  (void) size;
  buf->base = slab;
  buf->len = sizeof(slab);
}

/* One connected pair through a listening server: `client` connected to `accepted`. */
static uv_tcp_t* pair_accepted;
static int pair_connected;

static void pair_connection_cb(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(pair_accepted != NULL);
  ASSERT_EQ(uv_tcp_init(server->loop, pair_accepted), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) pair_accepted), 0);
  /* Nothing more is waiting. */
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) pair_accepted), UV_EAGAIN);
}

static void pair_connect_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  pair_connected = 1;
}

static void make_pair(uv_loop_t* loop, uv_tcp_t* server, uv_tcp_t* client, uv_tcp_t* accepted) {
  uv_connect_t req;
  struct sockaddr_in a;
  int port = listen_any(loop, server, pair_connection_cb);
  a = ip4(port);
  pair_accepted = accepted;
  pair_connected = 0;
  accepted->type = UV_UNKNOWN_HANDLE;
  ASSERT_EQ(uv_tcp_init(loop, client), 0);
  ASSERT_EQ(uv_tcp_connect(&req, client, (const struct sockaddr*) &a, pair_connect_cb), 0);
  while (!pair_connected || accepted->type != UV_TCP)
    ASSERT(uv_run(loop, UV_RUN_ONCE) != 0 || (pair_connected && accepted->type == UV_TCP));
  /* The pair is all the test needs. */
  uv_close((uv_handle_t*) server, NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* Init, bind, listen                                                                       */

static void test_init_and_fileno(void) {
  uv_loop_t loop;
  uv_tcp_t t, t4, t6;
  uv_os_fd_t fd;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t, &fd), UV_EBADF);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &t), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &t), 0);

  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_UNIX), UV_EINVAL);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_INET | 0x100), UV_EINVAL);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t4, AF_INET), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t4, &fd), 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_tcp_init_ex(&loop, &t6, AF_INET6), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &t6, &fd), 0);

  /* A handle with a socket refuses another one. */
  {
    int other = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT(other >= 0);
    ASSERT_EQ(uv_tcp_open(&t4, other), UV_EBUSY);
    close(other);
  }
  ASSERT_EQ(uv_tcp_nodelay(&t, 1), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t, 1, 60), 0);
  ASSERT_EQ(uv_tcp_nodelay(&t4, 1), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t4, 1, 30), 0);
  ASSERT_EQ(uv_tcp_keepalive(&t4, 0, 0), 0);
  ASSERT_EQ(uv_tcp_simultaneous_accepts(&t4, 0), 0);
  ASSERT_EQ(uv_tcp_simultaneous_accepts(&t4, 1), 0);
  finish_loop(&loop);
}

static void test_bind_rules(void) {
  uv_loop_t loop;
  uv_tcp_t a, b, c;
  struct sockaddr_in any = ip4(0);
  struct sockaddr_in6 a6;
  struct sockaddr bad;
  int port;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &a), 0);
  /* IPv6-only makes no sense for IPv4; unknown families are invalid. */
  ASSERT_EQ(uv_tcp_bind(&a, (const struct sockaddr*) &any, UV_TCP_IPV6ONLY), UV_EINVAL);
  memset(&bad, 0, sizeof(bad));
  bad.sa_family = AF_UNIX;
  ASSERT_EQ(uv_tcp_bind(&a, &bad, 0), UV_EINVAL);
  ASSERT_EQ(uv_tcp_bind(&a, (const struct sockaddr*) &any, 0), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &a, 8, NULL), 0);
  port = port_of(&a);
  ASSERT(port > 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &a), 1);

  /* The same port again: bind defers EADDRINUSE to listen... */
  {
    struct sockaddr_in same = ip4(port);
    ASSERT_EQ(uv_tcp_init(&loop, &b), 0);
    ASSERT_EQ(uv_tcp_bind(&b, (const struct sockaddr*) &same, 0), 0);
    ASSERT_EQ(uv_listen((uv_stream_t*) &b, 8, NULL), UV_EADDRINUSE);
    {
      struct sockaddr_storage ss;
      int len = sizeof(ss);
      ASSERT_EQ(uv_tcp_getsockname(&b, (struct sockaddr*) &ss, &len), UV_EADDRINUSE);
    }
  }
  /* IPv6 on ::1, if the machine has it. */
  ASSERT_EQ(uv_ip6_addr("::1", 0, &a6), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &c), 0);
  {
    int r = uv_tcp_bind(&c, (const struct sockaddr*) &a6, UV_TCP_IPV6ONLY);
    ASSERT(r == 0 || r == UV_EADDRNOTAVAIL || r == UV_EAFNOSUPPORT);
  }
  finish_loop(&loop);
}

/* The server is neither readable nor writable; stream operations say so. */
static void test_server_not_a_stream(void) {
  uv_loop_t loop;
  uv_tcp_t server;
  uv_write_t w;
  uv_shutdown_t sh;
  uv_buf_t buf = uv_buf_init("x", 1);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  listen_any(&loop, &server, NULL);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &server), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &server), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &server, &buf, 1, NULL), UV_EPIPE);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &server, &buf, 1), UV_EPIPE);
  ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &server, NULL), UV_ENOTCONN);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &server, alloc_slab, NULL), UV_EINVAL);
  ASSERT_EQ(uv_accept((uv_stream_t*) &server, (uv_stream_t*) &server), UV_EAGAIN);
  /* A handle without a socket. */
  {
    uv_tcp_t none;
    ASSERT_EQ(uv_tcp_init(&loop, &none), 0);
    ASSERT_EQ(uv_write(&w, (uv_stream_t*) &none, &buf, 1, NULL), UV_EBADF);
    ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &none, NULL), UV_ENOTCONN);
  }
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect, accept, echo                                                                    */

static int echo_connects, echo_reads, echo_eof, echo_shutdown, echo_writes;
static char echo_got[64];
static size_t echo_len;
static uv_tcp_t echo_server, echo_client, echo_conn;
static uv_write_t echo_wreq, echo_reply;
static uv_shutdown_t echo_sreq;

static void echo_server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) nread);
    /* Echo back synchronously if the socket takes it. */
    ASSERT_EQ(uv_try_write(s, &b, 1), nread);
  } else if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    uv_close((uv_handle_t*) &echo_server, NULL);
  } else {
    ASSERT_EQ(nread, 0);
  }
}

static void echo_connection(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_tcp_init(server->loop, &echo_conn), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &echo_conn), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &echo_conn), 1);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &echo_conn, alloc_slab, echo_server_read), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &echo_conn, alloc_slab, echo_server_read), UV_EALREADY);
}

static void echo_client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT(echo_len + (size_t) nread <= sizeof(echo_got));
    memcpy(echo_got + echo_len, buf->base, (size_t) nread);
    echo_len += (size_t) nread;
    echo_reads++;
  } else if (nread == UV_EOF) {
    echo_eof++;
    ASSERT_EQ(uv_is_active((uv_handle_t*) s), 0);
    uv_close((uv_handle_t*) s, NULL);
  } else {
    ASSERT_EQ(nread, 0);
  }
}

static void echo_shutdown_cb(uv_shutdown_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(req == &echo_sreq);
  ASSERT_EQ(echo_writes, 1); /* after the write it follows */
  echo_shutdown++;
}

static void echo_write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(req == &echo_wreq);
  ASSERT(req->handle == (uv_stream_t*) &echo_client);
  echo_writes++;
}

static void echo_connect_cb(uv_connect_t* req, int status) {
  uv_buf_t b = uv_buf_init("hello, world", 12);
  ASSERT_EQ(status, 0);
  ASSERT(req->handle == (uv_stream_t*) &echo_client);
  echo_connects++;
  ASSERT_EQ(uv_is_readable(req->handle), 1);
  ASSERT_EQ(uv_is_writable(req->handle), 1);
  ASSERT_EQ(uv_write(&echo_wreq, req->handle, &b, 1, echo_write_cb), 0);
  /* Write callbacks never run from inside uv_write. */
  ASSERT_EQ(echo_writes, 0);
  ASSERT_EQ(uv_shutdown(&echo_sreq, req->handle, echo_shutdown_cb), 0);
  ASSERT_EQ(uv_is_writable(req->handle), 0);
  ASSERT_EQ(uv_shutdown(&echo_sreq, req->handle, echo_shutdown_cb), UV_ENOTCONN);
  ASSERT_EQ(uv_read_start(req->handle, alloc_slab, echo_client_read), 0);
  {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    ASSERT_EQ(uv_tcp_getpeername(&echo_client, (struct sockaddr*) &ss, &len), 0);
    ASSERT_EQ(ntohs(((struct sockaddr_in*) &ss)->sin_port), port_of(&echo_server));
  }
}

static void test_echo(void) {
  uv_loop_t loop;
  uv_connect_t req;
  struct sockaddr_in a;
  int port;

  (void) echo_reply;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  port = listen_any(&loop, &echo_server, echo_connection);
  a = ip4(port);
  ASSERT_EQ(uv_tcp_init(&loop, &echo_client), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &echo_client, (const struct sockaddr*) &a, echo_connect_cb), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &echo_client, (const struct sockaddr*) &a, echo_connect_cb),
            UV_EALREADY);
  ASSERT_EQ(echo_connects, 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(echo_connects, 1);
  ASSERT_EQ(echo_writes, 1);
  ASSERT_EQ(echo_shutdown, 1);
  ASSERT_EQ(echo_eof, 1);
  ASSERT_EQ(echo_len, 12);
  ASSERT(memcmp(echo_got, "hello, world", 12) == 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Connect failures                                                                         */

static int refused_status = 1;
static void refused_cb(uv_connect_t* req, int status) {
  refused_status = status;
  uv_close((uv_handle_t*) req->handle, NULL);
}

static void test_connect_refused(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_connect_t req;
  struct sockaddr_in a = ip4(free_port());

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, refused_cb), 0);
  ASSERT_EQ(refused_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(refused_status, UV_ECONNREFUSED);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int cancel_order[4];
static int cancel_n;
static void cancel_connect_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
  cancel_order[cancel_n++] = 'c';
}
static void cancel_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
  cancel_order[cancel_n++] = 'w';
}
static void cancel_close_cb(uv_handle_t* h) {
  (void) h;
  cancel_order[cancel_n++] = 'x';
}

/* Closing while connecting cancels the connect and the writes queued behind it. */
static void test_close_while_connecting(void) {
  uv_loop_t loop;
  uv_tcp_t server, t;
  uv_connect_t req;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("abc", 3);
  struct sockaddr_in a;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, NULL));
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, cancel_connect_cb), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &t, &b, 1, cancel_write_cb), 0);
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &t), 3);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &t, &b, 1), UV_EAGAIN);
  uv_close((uv_handle_t*) &t, cancel_close_cb);
  uv_close((uv_handle_t*) &server, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_n, 3);
  ASSERT_EQ(cancel_order[0], 'c');
  ASSERT_EQ(cancel_order[1], 'w');
  ASSERT_EQ(cancel_order[2], 'x');
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int inuse_status = 1;
static void inuse_cb(uv_connect_t* req, int status) {
  inuse_status = status;
  uv_close((uv_handle_t*) req->handle, NULL);
}

/* A bind error kept for later is reported through the connect callback. */
static void test_bind_error_through_connect(void) {
  uv_loop_t loop;
  uv_tcp_t server, t;
  uv_connect_t req;
  struct sockaddr_in a, same;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, NULL));
  same = a;
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &same, 0), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, inuse_cb), 0);
  ASSERT_EQ(inuse_status, 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 1);
  ASSERT_EQ(inuse_status, UV_EADDRINUSE);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Writes: order, queue size, partial writes                                                */

#define BIG_WRITES 32
#define BIG_SIZE (256 * 1024)
static int order_next;
static size_t order_received;
static unsigned char* big_bufs[BIG_WRITES];
static uv_write_t big_reqs[BIG_WRITES];
static uv_tcp_t wq_server, wq_client, wq_conn;
static int wq_done;

static void order_write_cb(uv_write_t* req, int status) {
  int i = (int) (req - big_reqs);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(i, order_next);
  order_next++;
  /* The queue holds exactly what the later requests have not written. */
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) <=
         (size_t) (BIG_WRITES - order_next) * BIG_SIZE);
  if (order_next == BIG_WRITES)
    ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client), 0);
}

static void order_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ssize_t i;
  if (nread <= 0) {
    ASSERT(nread == 0 || nread == UV_EOF);
    if (nread == UV_EOF) {
      wq_done = 1;
      uv_close((uv_handle_t*) s, NULL);
    }
    return;
  }
  for (i = 0; i < nread; i++) {
    size_t pos = order_received + (size_t) i;
    unsigned char want = (unsigned char) ((pos / BIG_SIZE) * 7 + pos % 251);
    if ((unsigned char) buf->base[i] != want) {
      fprintf(stderr, "byte %zu: got %u want %u\n", pos, (unsigned char) buf->base[i], want);
      ASSERT(0);
    }
  }
  order_received += (size_t) nread;
}

static void order_shutdown_cb(uv_shutdown_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(order_next, BIG_WRITES);
  uv_close((uv_handle_t*) req->handle, NULL);
}

static void test_write_order_and_queue_size(void) {
  uv_loop_t loop;
  uv_shutdown_t sh;
  size_t expect_queue = 0;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &wq_server, &wq_client, &wq_conn);
  for (i = 0; i < BIG_WRITES; i++) {
    size_t j;
    uv_buf_t b[3];
    size_t before = uv_stream_get_write_queue_size((uv_stream_t*) &wq_client);
    big_bufs[i] = malloc(BIG_SIZE);
    ASSERT(big_bufs[i] != NULL);
    for (j = 0; j < BIG_SIZE; j++)
      big_bufs[i][j] = (unsigned char) (i * 7 + ((size_t) i * BIG_SIZE + j) % 251);
    /* Three buffers per request, one of them empty. */
    b[0] = uv_buf_init((char*) big_bufs[i], 1000);
    b[1] = uv_buf_init((char*) big_bufs[i] + 1000, 0);
    b[2] = uv_buf_init((char*) big_bufs[i] + 1000, BIG_SIZE - 1000);
    ASSERT_EQ(uv_write(&big_reqs[i], (uv_stream_t*) &wq_client, b, 3, order_write_cb), 0);
    /* The queue grew by what this request could not write at once. */
    ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) >= before);
    ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) <= before + BIG_SIZE);
    if (i > 0) {
      /* Anything queued behind a partial write stays whole. */
      ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) - before == BIG_SIZE ||
             before == 0);
    }
    expect_queue = uv_stream_get_write_queue_size((uv_stream_t*) &wq_client);
  }
  /* The peer does not read yet: something is queued, and try_write must wait. */
  ASSERT(expect_queue > 0);
  {
    uv_buf_t b = uv_buf_init("x", 1);
    ASSERT_EQ(uv_try_write((uv_stream_t*) &wq_client, &b, 1), UV_EAGAIN);
  }
  ASSERT_EQ(order_next, 0);
  ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &wq_client, order_shutdown_cb), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &wq_conn, alloc_slab, order_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(order_next, BIG_WRITES);
  ASSERT_EQ(order_received, (size_t) BIG_WRITES * BIG_SIZE);
  ASSERT_EQ(wq_done, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  for (i = 0; i < BIG_WRITES; i++)
    free(big_bufs[i]);
}

/* Many small buffers in one request (more than fit in the request itself). */
static int many_cb_called;
static size_t many_received;
static void many_write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  many_cb_called++;
  uv_close((uv_handle_t*) req->handle, NULL);
}
static void many_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ssize_t i;
  if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    return;
  }
  ASSERT(nread >= 0);
  for (i = 0; i < nread; i++)
    ASSERT_EQ((unsigned char) buf->base[i], (unsigned char) ((many_received + (size_t) i) % 200));
  many_received += (size_t) nread;
}

static void test_many_buffers(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_write_t w;
  static char data[2000];
  uv_buf_t bufs[2000];
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  for (i = 0; i < 2000; i++) {
    data[i] = (char) (i % 200);
    bufs[i] = uv_buf_init(data + i, 1);
  }
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &client, bufs, 2000, many_write_cb), 0);
  /* The buffer array itself may go away after uv_write returns. */
  memset(bufs, 0, sizeof(bufs));
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, alloc_slab, many_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(many_cb_called, 1);
  ASSERT_EQ(many_received, 2000);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Closing with writes the peer never took: each write callback gets UV_ECANCELED
 * (or 0 for a write that did complete) before the close callback. */
static int fill_cbs, fill_cancelled, fill_closed;
static void fill_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT(status == 0 || status == UV_ECANCELED);
  ASSERT_EQ(fill_closed, 0);
  fill_cbs++;
  if (status == UV_ECANCELED)
    fill_cancelled++;
}
static void fill_close_cb(uv_handle_t* h) {
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) h), 0);
  fill_closed = 1;
}

static void test_close_cancels_writes(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  static uv_write_t reqs[64];
  static char chunk[1 << 20];
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  for (i = 0; i < 64; i++) {
    uv_buf_t b = uv_buf_init(chunk, sizeof(chunk));
    ASSERT_EQ(uv_write(&reqs[i], (uv_stream_t*) &client, &b, 1, fill_write_cb), 0);
  }
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &client) > 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  uv_close((uv_handle_t*) &client, fill_close_cb);
  uv_close((uv_handle_t*) &conn, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fill_cbs, 64);
  ASSERT(fill_cancelled > 0);
  ASSERT_EQ(fill_closed, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Reads                                                                                     */

static int nobufs_called;
static void empty_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  ASSERT(size > 0);
  buf->base = NULL;
  buf->len = 0;
}
static void nobufs_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ASSERT_EQ(nread, UV_ENOBUFS);
  ASSERT(buf->base == NULL);
  ASSERT_EQ(buf->len, 0);
  nobufs_called++;
  uv_read_stop(s);
}

static void test_read_enobufs(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_buf_t b = uv_buf_init("data", 4);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &client, &b, 1), 4);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, empty_alloc, nobufs_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(nobufs_called, 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &conn), 0);
  finish_loop(&loop);
}

/* uv_read_stop from the read callback: no more callbacks, even with data waiting. */
static int stop_reads;
static void stop_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char small[2];
  (void) h;
  (void) size;
  buf->base = small;
  buf->len = sizeof(small);
}
static void stop_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  ASSERT_EQ(nread, 2);
  stop_reads++;
  ASSERT_EQ(uv_read_stop(s), 0);
  ASSERT_EQ(uv_read_stop(s), 0);
}

static void test_read_stop_in_callback(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_buf_t b = uv_buf_init("abcdefgh", 8);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &client, &b, 1), 8);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, stop_alloc, stop_read), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &conn), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stop_reads, 1);
  /* Reading again picks up where it stopped. */
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, stop_alloc, stop_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stop_reads, 2);
  finish_loop(&loop);
}

/* The peer resets: the reader gets an error (not EOF), and stops being readable/writable;
 * writes then fail through their callback. */
static int rst_read_err, rst_write_err;
static void rst_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread == 0)
    return;
  ASSERT(nread < 0);
  rst_read_err = (int) nread;
  if (nread != UV_EOF) {
    ASSERT_EQ(uv_is_readable(s), 0);
    ASSERT_EQ(uv_is_writable(s), 0);
  }
}
static void rst_write_cb(uv_write_t* req, int status) {
  (void) req;
  rst_write_err = status;
}

static void test_reset_by_peer(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("ping", 4);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &client, alloc_slab, rst_read), 0);
  ASSERT_EQ(uv_tcp_close_reset(&conn, NULL), 0);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &conn), 1);
  ASSERT(uv_tcp_close_reset(&conn, NULL) < 0);
  while (rst_read_err == 0 && uv_run(&loop, UV_RUN_ONCE) != 0) {
  }
  ASSERT_EQ(rst_read_err, UV_ECONNRESET);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &client, &b, 1, rst_write_cb), UV_EPIPE);
  finish_loop(&loop);
}

/* Writing to a peer that went away: the failure comes through the write callback. */
static void test_write_to_closed_peer(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  static uv_write_t w[100];
  uv_buf_t b = uv_buf_init("0123456789", 10);
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_tcp_close_reset(&conn, NULL), 0);
  uv_run(&loop, UV_RUN_NOWAIT);
  rst_write_err = 0;
  for (i = 0; i < 100 && rst_write_err == 0; i++) {
    int r = uv_write(&w[i], (uv_stream_t*) &client, &b, 1, rst_write_cb);
    if (r != 0)
      break;
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  while (rst_write_err == 0 && uv_run(&loop, UV_RUN_ONCE) != 0) {
  }
  ASSERT(rst_write_err == UV_EPIPE || rst_write_err == UV_ECONNRESET);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Open, options, misc                                                                       */

static int open_connected;
static uv_tcp_t open_server;
static void open_connect_cb(uv_connect_t* req, int status) {
  ASSERT_EQ(status, 0);
  open_connected = 1;
  uv_close((uv_handle_t*) req->handle, NULL);
  uv_close((uv_handle_t*) &open_server, NULL);
}
static void ignore_connection(uv_stream_t* server, int status) {
  (void) server;
  ASSERT_EQ(status, 0);
}

static void test_tcp_open(void) {
  uv_loop_t loop;
  uv_tcp_t t, t2;
  uv_connect_t req;
  struct sockaddr_in a;
  int fd;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &open_server, ignore_connection));
  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_open(&t, fd), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &t), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &t), 1);
  ASSERT_EQ(uv_tcp_connect(&req, &t, (const struct sockaddr*) &a, open_connect_cb), 0);
  /* The descriptor is in use by a handle of this loop. */
  ASSERT_EQ(uv_tcp_init(&loop, &t2), 0);
  ASSERT_EQ(uv_tcp_open(&t2, fd), UV_EEXIST);
  uv_close((uv_handle_t*) &t2, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(open_connected, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  /* Closing the handle closed the descriptor. */
  ASSERT_EQ(close(fd), -1);
}

static void test_buffer_sizes(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_timer_t timer;
  int v;
  struct sockaddr_in a = ip4(0);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), 0);
  v = 0;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v > 0);
  v = 16384;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  v = 0;
  ASSERT_EQ(uv_recv_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v == 16384 || v == 32768); /* Linux doubles it */
  v = 0;
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &t, &v), 0);
  ASSERT(v > 0);
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &t, NULL), UV_EINVAL);
  ASSERT_EQ(uv_send_buffer_size(NULL, &v), UV_EINVAL);
  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  v = 0;
  ASSERT_EQ(uv_send_buffer_size((uv_handle_t*) &timer, &v), UV_ENOTSUP);
  finish_loop(&loop);
}

static int ip6_pong;
static uv_tcp_t ip6_conn;
static void ip6_server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) nread);
    ASSERT_EQ(uv_try_write(s, &b, 1), nread);
  } else if (nread < 0) {
    uv_close((uv_handle_t*) s, NULL);
  }
}
static void ip6_connection(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_tcp_init(server->loop, &ip6_conn), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &ip6_conn), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &ip6_conn, alloc_slab, ip6_server_read), 0);
  uv_close((uv_handle_t*) server, NULL);
}
static void ip6_client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT_EQ(nread, 4);
    ASSERT(memcmp(buf->base, "pong", 4) == 0);
    ip6_pong++;
    uv_close((uv_handle_t*) s, NULL);
  }
}
static void ip6_connect_cb(uv_connect_t* req, int status) {
  uv_buf_t b = uv_buf_init("pong", 4);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_try_write(req->handle, &b, 1), 4);
  ASSERT_EQ(uv_read_start(req->handle, alloc_slab, ip6_client_read), 0);
}

static void test_ipv6(void) {
  uv_loop_t loop;
  uv_tcp_t server, client;
  uv_connect_t req;
  struct sockaddr_in6 a;
  int r;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_ip6_addr("::1", 0, &a), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &server), 0);
  r = uv_tcp_bind(&server, (const struct sockaddr*) &a, UV_TCP_IPV6ONLY);
  if (r != 0) {
    /* No IPv6 loopback here. */
    finish_loop(&loop);
    return;
  }
  ASSERT_EQ(uv_listen((uv_stream_t*) &server, 4, ip6_connection), 0);
  a.sin6_port = htons((uint16_t) port_of(&server));
  ASSERT_EQ(uv_tcp_init(&loop, &client), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &client, (const struct sockaddr*) &a, ip6_connect_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ip6_pong, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Connections wait in the backlog when the connection callback does not accept; a later
 * uv_accept takes them. */
static int delayed_conns;
static uv_tcp_t delayed_clients[3], delayed_accepted[3];
static void delayed_connection(uv_stream_t* server, int status) {
  (void) server;
  ASSERT_EQ(status, 0);
  delayed_conns++;
}
static int delayed_connected;
static void delayed_connect_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  delayed_connected++;
}

static void test_delayed_accept(void) {
  uv_loop_t loop;
  uv_tcp_t server;
  uv_connect_t reqs[3];
  struct sockaddr_in a;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  a = ip4(listen_any(&loop, &server, delayed_connection));
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(uv_tcp_init(&loop, &delayed_clients[i]), 0);
    ASSERT_EQ(uv_tcp_connect(&reqs[i], &delayed_clients[i], (const struct sockaddr*) &a,
                             delayed_connect_cb),
              0);
  }
  while (delayed_connected < 3 || delayed_conns < 1)
    ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  /* Only one connection callback until it is accepted. */
  uv_run(&loop, UV_RUN_NOWAIT);
  ASSERT_EQ(delayed_conns, 1);
  for (i = 0; i < 3; i++) {
    ASSERT_EQ(uv_tcp_init(&loop, &delayed_accepted[i]), 0);
    ASSERT_EQ(uv_accept((uv_stream_t*) &server, (uv_stream_t*) &delayed_accepted[i]), 0);
    while (delayed_conns < i + 2 && i < 2)
      ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  }
  ASSERT_EQ(delayed_conns, 3);
  finish_loop(&loop);
}

/* Entry points on closed handles, and bad input. */
static void test_closed_and_bad_input(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("x", 1);
  struct sockaddr_in a = ip4(0);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &t, alloc_slab, NULL), UV_EINVAL);
  uv_close((uv_handle_t*) &t, NULL);
  ASSERT_EQ(uv_tcp_bind(&t, (const struct sockaddr*) &a, 0), UV_EINVAL);
  ASSERT_EQ(uv_listen((uv_stream_t*) &t, 5, NULL), UV_EINVAL);
  ASSERT(uv_write(&w, (uv_stream_t*) &t, &b, 1, NULL) < 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &t, alloc_slab, echo_client_read), UV_EINVAL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int sp_reads;
static void sp_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    ASSERT(memcmp(buf->base, "sp", 2) == 0);
    sp_reads++;
    uv_close((uv_handle_t*) s, NULL);
  }
}

/* uv_socketpair gives two connected Unix sockets (used through pipe handles). */
static void test_socketpair(void) {
  uv_loop_t loop;
  uv_pipe_t a, b;
  uv_os_sock_t fds[2];
  uv_buf_t buf = uv_buf_init("sp", 2);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, fds, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &a, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &b, 0), 0);
  ASSERT_EQ(uv_pipe_open(&a, fds[0]), 0);
  ASSERT_EQ(uv_pipe_open(&b, fds[1]), 0);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &a, &buf, 1), 2);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &b, alloc_slab, sp_read), 0);
  uv_close((uv_handle_t*) &a, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(sp_reads, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                    */

static const struct test_entry tests[] = {
    TEST(init_and_fileno),
    TEST(bind_rules),
    TEST(server_not_a_stream),
    TEST(echo),
    TEST(connect_refused),
    TEST(close_while_connecting),
    TEST(bind_error_through_connect),
    TEST(write_order_and_queue_size),
    TEST(many_buffers),
    TEST(close_cancels_writes),
    TEST(read_enobufs),
    TEST(read_stop_in_callback),
    TEST(reset_by_peer),
    TEST(write_to_closed_peer),
    TEST(tcp_open),
    TEST(buffer_sizes),
    TEST(ipv6),
    TEST(delayed_accept),
    TEST(closed_and_bad_input),
    TEST(socketpair),
};

RSUV_TEST_MAIN(tests)
