/* tcp_common.h - helpers of the TCP tests (test_tcp.c, test_tcp_stream.c).
 *
 * Those programs check TCP handles and the stream API as a libuv user sees them, written
 * against libuv 1.44's documented behaviour and checked against the real libuv, e.g.
 *   cc -std=gnu11 -Wall -Wextra -Werror -Ic_tests c_tests/test_tcp.c -o /tmp/tt -luv -lpthread
 * They run on c_tests/runner.h (a forked child per test, RSUV_TEST_ALARM, RSUV_TEST_NOFORK,
 * test names as arguments; see there).
 */
#ifndef RSUV_C_TESTS_TCP_COMMON_H
#define RSUV_C_TESTS_TCP_COMMON_H

/* Each program that includes this uses only some of the helpers. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

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

#pragma GCC diagnostic pop

#endif /* RSUV_C_TESTS_TCP_COMMON_H */
