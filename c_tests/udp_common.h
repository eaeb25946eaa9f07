/* udp_common.h - helpers of the UDP tests (test_udp.c, test_udp_send.c).
 *
 * Those programs check UDP handles as a libuv user sees them, written against libuv 1.44's
 * documented behaviour and checked against the real libuv, e.g.
 *   cc -std=gnu11 -Wall -Wextra -Werror -Ic_tests c_tests/test_udp.c -o /tmp/tu -luv -lpthread
 * They run on c_tests/runner.h (a forked child per test, RSUV_TEST_ALARM, RSUV_TEST_NOFORK,
 * test names as arguments; see there).
 */
#ifndef RSUV_C_TESTS_UDP_COMMON_H
#define RSUV_C_TESTS_UDP_COMMON_H

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

/* Close every handle, run the loop until they are gone and close the loop. */
static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

/* Bind `h` to 127.0.0.1 on a port the system picks; return that address. */
static struct sockaddr_in bind_lo4(uv_udp_t* h) {
  struct sockaddr_in a;
  int len = sizeof(a);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a), 0);
  ASSERT_EQ(uv_udp_bind(h, (const struct sockaddr*) &a, 0), 0);
  ASSERT_EQ(uv_udp_getsockname(h, (struct sockaddr*) &a, &len), 0);
  ASSERT_EQ(len, sizeof(a));
  ASSERT_EQ(a.sin_family, AF_INET);
  ASSERT(a.sin_port != 0);
  return a;
}

static void heap_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  buf->base = malloc(suggested);
  ASSERT(buf->base != NULL);
  buf->len = suggested;
}

static char small_slab[4];
static void small_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  (void) suggested;
  buf->base = small_slab;
  buf->len = sizeof(small_slab);
}

/* A receiver that records datagrams (up to 512 of up to 64 bytes). */
struct recv_log {
  int count;
  int empty_calls; /* nread 0 and addr NULL: nothing more for now */
  int lens[512];
  char data[512][64];
  unsigned flags[512];
  int expect; /* stop the loop after this many datagrams */
};
static struct recv_log rlog;

static void log_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                        const struct sockaddr* addr, unsigned flags) {
  if (nread < 0) {
    fprintf(stderr, "recv error %s\n", uv_strerror((int) nread));
    ASSERT(0);
  }
  if (addr == NULL) {
    ASSERT_EQ(nread, 0);
    rlog.empty_calls++;
  } else {
    ASSERT(rlog.count < 512);
    rlog.lens[rlog.count] = (int) nread;
    memcpy(rlog.data[rlog.count], buf->base, nread < 64 ? (size_t) nread : 64);
    rlog.flags[rlog.count] = flags;
    rlog.count++;
  }
  free(buf->base);
  if (rlog.expect > 0 && rlog.count == rlog.expect)
    uv_stop(h->loop);
}

/* Send callbacks append their request's index here. */
static int send_order[1024];
static int send_status[1024];
static int send_count;

static void log_send_cb(uv_udp_send_t* req, int status) {
  ASSERT(send_count < 1024);
  send_order[send_count] = (int) (intptr_t) req->data;
  send_status[send_count] = status;
  send_count++;
}

#pragma GCC diagnostic pop

#endif /* RSUV_C_TESTS_UDP_COMMON_H */
