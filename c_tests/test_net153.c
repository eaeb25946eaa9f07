/* test_net153.c - the TCP and UDP additions of libuv 1.49-1.52 as a C program sees them:
 * uv_tcp_keepalive_ex (UV_EINVAL for a zero delay, interval or count, and for values the
 * kernel refuses; on success TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT hold what was
 * asked; off ignores them), UV_TCP_REUSEPORT and UV_UDP_REUSEPORT (two sockets bind and
 * listen on one port; without the flag the second gets UV_EADDRINUSE), uv_udp_open_ex
 * (its flags become socket options; unknown flags UV_EINVAL, a second open UV_EBUSY) and
 * uv_udp_try_send2 (several datagrams of several buffers to several addresses, all
 * received intact; a failing datagram stops the batch with the count sent before it, or
 * the error when it is the first; argument errors).
 *
 * Checked against the real libuv 1.53:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude -Ic_tests c_tests/test_net153.c -luv
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#if UV_VERSION_HEX >= 0x013400

static int sockopt(uv_os_fd_t fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof(v);
  ASSERT_EQ(getsockopt(fd, level, name, &v, &len), 0);
  return v;
}

static int handle_fd(void* h) {
  uv_os_fd_t fd;
  ASSERT_EQ(uv_fileno((uv_handle_t*) h, &fd), 0);
  return fd;
}

static struct sockaddr_in lo(int port) {
  struct sockaddr_in a;
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", port, &a), 0);
  return a;
}

static int port_of(void* h, int tcp) {
  struct sockaddr_in a;
  int len = sizeof(a);
  if (tcp)
    ASSERT_EQ(uv_tcp_getsockname((uv_tcp_t*) h, (struct sockaddr*) &a, &len), 0);
  else
    ASSERT_EQ(uv_udp_getsockname((uv_udp_t*) h, (struct sockaddr*) &a, &len), 0);
  return ntohs(a.sin_port);
}

static void close_cb_walk(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void close_all(uv_loop_t* loop) {
  uv_walk(loop, close_cb_walk, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

/* ---- TCP ------------------------------------------------------------------------------ */

static void test_keepalive_ex(void) {
  uv_loop_t loop;
  uv_tcp_t t;
  struct sockaddr_in a = lo(0);
  int fd;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &t), 0);
  ASSERT_EQ(uv_tcp_bind(&t, (struct sockaddr*) &a, 0), 0);
  fd = handle_fd(&t);

  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 0, 5, 3), UV_EINVAL);
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 30, 0, 3), UV_EINVAL);
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 30, 5, 0), UV_EINVAL);
  /* Out of the kernel's range (TCP_KEEPIDLE/INTVL up to 32767 s, TCP_KEEPCNT up to 127). */
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 40000, 5, 3), UV_EINVAL);
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 30, 40000, 3), UV_EINVAL);
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 30, 5, 200), UV_EINVAL);

  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 31, 7, 4), 0);
  ASSERT_EQ(sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 31);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 7);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 4);
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 1, 1, 1, 1), 0);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 1);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 1);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 1);

  /* Off: the three values do not matter, and stay as they were. */
  ASSERT_EQ(uv_tcp_keepalive_ex(&t, 0, 0, 0, 0), 0);
  ASSERT_EQ(sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 1);

  /* uv_tcp_keepalive is keepalive_ex(idle, 1, 10). */
  ASSERT_EQ(uv_tcp_keepalive(&t, 1, 45), 0);
  ASSERT_EQ(sockopt(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE), 45);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL), 1);
  ASSERT_EQ(sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT), 10);
  close_all(&loop);
}

static void on_conn(uv_stream_t* s, int status) {
  (void) s;
  (void) status;
}

static void test_tcp_reuseport(void) {
  uv_loop_t loop;
  uv_tcp_t a, b, c;
  struct sockaddr_in addr = lo(0);
  int port;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &a), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &b), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &c), 0);
  ASSERT_EQ(uv_tcp_bind(&a, (struct sockaddr*) &addr, UV_TCP_REUSEPORT), 0);
  ASSERT_EQ(sockopt(handle_fd(&a), SOL_SOCKET, SO_REUSEPORT), 1);
  port = port_of(&a, 1);
  addr = lo(port);
  ASSERT_EQ(uv_tcp_bind(&b, (struct sockaddr*) &addr, UV_TCP_REUSEPORT), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &a, 8, on_conn), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &b, 8, on_conn), 0);
  ASSERT_EQ(port_of(&b, 1), port);
  /* Without the flag the port is taken (libuv reports it at bind or at listen). */
  {
    int r = uv_tcp_bind(&c, (struct sockaddr*) &addr, 0);
    if (r == 0)
      r = uv_listen((uv_stream_t*) &c, 8, on_conn);
    ASSERT_EQ(r, UV_EADDRINUSE);
  }
  close_all(&loop);
}

/* ---- UDP ------------------------------------------------------------------------------ */

static void test_udp_reuseport(void) {
  uv_loop_t loop;
  uv_udp_t a, b, c;
  struct sockaddr_in addr = lo(0);
  int port;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &a), 0);
  ASSERT_EQ(uv_udp_init(&loop, &b), 0);
  ASSERT_EQ(uv_udp_init(&loop, &c), 0);
  ASSERT_EQ(uv_udp_bind(&a, (struct sockaddr*) &addr, UV_UDP_REUSEPORT), 0);
  ASSERT_EQ(sockopt(handle_fd(&a), SOL_SOCKET, SO_REUSEPORT), 1);
  port = port_of(&a, 0);
  addr = lo(port);
  ASSERT_EQ(uv_udp_bind(&b, (struct sockaddr*) &addr, UV_UDP_REUSEPORT), 0);
  ASSERT_EQ(port_of(&b, 0), port);
  ASSERT_EQ(uv_udp_bind(&c, (struct sockaddr*) &addr, 0), UV_EADDRINUSE);
  close_all(&loop);
}

static void test_udp_open_ex(void) {
  uv_loop_t loop;
  uv_udp_t u;
  int s1 = socket(AF_INET, SOCK_DGRAM, 0);
  int s2 = socket(AF_INET, SOCK_DGRAM, 0);
  int s3 = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT(s1 >= 0 && s2 >= 0 && s3 >= 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);

  ASSERT_EQ(uv_udp_init(&loop, &u), 0);
  /* Only REUSEADDR and REUSEPORT. */
  ASSERT_EQ(uv_udp_open_ex(&u, s1, UV_UDP_IPV6ONLY), UV_EINVAL);
  ASSERT_EQ(uv_udp_open_ex(&u, s1, UV_UDP_LINUX_RECVERR), UV_EINVAL);
  /* No flags: no option set (uv_udp_open always sets SO_REUSEADDR). */
  ASSERT_EQ(uv_udp_open_ex(&u, s1, 0), 0);
  ASSERT_EQ(sockopt(s1, SOL_SOCKET, SO_REUSEADDR), 0);
  ASSERT_EQ(sockopt(s1, SOL_SOCKET, SO_REUSEPORT), 0);
  ASSERT(fcntl(s1, F_GETFL) & O_NONBLOCK);
  ASSERT_EQ(uv_udp_open_ex(&u, s2, 0), UV_EBUSY);
  uv_close((uv_handle_t*) &u, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  ASSERT_EQ(uv_udp_init(&loop, &u), 0);
  ASSERT_EQ(uv_udp_open_ex(&u, s2, UV_UDP_REUSEADDR | UV_UDP_REUSEPORT), 0);
  ASSERT_EQ(sockopt(s2, SOL_SOCKET, SO_REUSEADDR), 1);
  ASSERT_EQ(sockopt(s2, SOL_SOCKET, SO_REUSEPORT), 1);
  uv_close((uv_handle_t*) &u, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  ASSERT_EQ(uv_udp_init(&loop, &u), 0);
  ASSERT_EQ(uv_udp_open(&u, s3), 0);
  ASSERT_EQ(sockopt(s3, SOL_SOCKET, SO_REUSEADDR), 1);
  close_all(&loop);
}

/* Three receivers, raw sockets on 127.0.0.1. */
static int receiver(struct sockaddr_in* a) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  socklen_t len = sizeof(*a);
  *a = lo(0);
  ASSERT(s >= 0);
  ASSERT_EQ(bind(s, (struct sockaddr*) a, sizeof(*a)), 0);
  ASSERT_EQ(getsockname(s, (struct sockaddr*) a, &len), 0);
  return s;
}

static void expect_datagram(int s, const char* want) {
  char buf[256];
  ssize_t n = recv(s, buf, sizeof(buf), 0);
  ASSERT_EQ(n, (ssize_t) strlen(want));
  ASSERT_MEM_EQ(buf, want, (size_t) n);
}

static void expect_nothing(int s) {
  char buf[16];
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), -1);
  ASSERT(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void test_try_send2(void) {
  uv_loop_t loop;
  uv_udp_t u;
  struct sockaddr_in ra[3], from = lo(0);
  int rs[3], i;
  /* Six datagrams, round robin over the receivers; some of several buffers. */
  uv_buf_t d0[] = {uv_buf_init("zero", 4)};
  uv_buf_t d1[] = {uv_buf_init("o", 1), uv_buf_init("ne", 2)};
  uv_buf_t d2[] = {uv_buf_init("t", 1), uv_buf_init("w", 1), uv_buf_init("o", 1)};
  uv_buf_t d3[] = {uv_buf_init("three", 5)};
  uv_buf_t d4[] = {uv_buf_init("fo", 2), uv_buf_init("ur", 2)};
  uv_buf_t d5[] = {uv_buf_init("five", 4)};
  uv_buf_t* bufs[6] = {d0, d1, d2, d3, d4, d5};
  unsigned nbufs[6] = {1, 2, 3, 1, 2, 1};
  struct sockaddr* addrs[6];

  for (i = 0; i < 3; i++)
    rs[i] = receiver(&ra[i]);
  for (i = 0; i < 6; i++)
    addrs[i] = (struct sockaddr*) &ra[i % 3];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &u), 0);
  ASSERT_EQ(uv_udp_bind(&u, (struct sockaddr*) &from, 0), 0);

  /* Argument errors, nothing sent. */
  ASSERT_EQ(uv_udp_try_send2(&u, 0, bufs, nbufs, addrs, 0), UV_EINVAL);
  ASSERT_EQ(uv_udp_try_send2(&u, 6, bufs, nbufs, addrs, 1), UV_EINVAL);
  {
    struct sockaddr* no_addr[2] = {addrs[0], NULL};
    ASSERT_EQ(uv_udp_try_send2(&u, 2, bufs, nbufs, no_addr, 0), UV_EDESTADDRREQ);
  }
  for (i = 0; i < 3; i++)
    expect_nothing(rs[i]);

  ASSERT_EQ(uv_udp_try_send2(&u, 6, bufs, nbufs, addrs, 0), 6);
  expect_datagram(rs[0], "zero");
  expect_datagram(rs[0], "three");
  expect_datagram(rs[1], "one");
  expect_datagram(rs[1], "four");
  expect_datagram(rs[2], "two");
  expect_datagram(rs[2], "five");
  for (i = 0; i < 3; i++)
    expect_nothing(rs[i]);

  /* The third datagram is too big for UDP: the batch stops there, two were sent. */
  {
    static char big[70000];
    uv_buf_t dbig[] = {uv_buf_init(big, sizeof(big))};
    uv_buf_t* b2[4] = {d0, d1, dbig, d3};
    unsigned n2[4] = {1, 2, 1, 1};
    ASSERT_EQ(uv_udp_try_send2(&u, 4, b2, n2, addrs, 0), 2);
    expect_datagram(rs[0], "zero");
    expect_datagram(rs[1], "one");
    for (i = 0; i < 3; i++)
      expect_nothing(rs[i]);
    /* When it is the first, the error itself. */
    b2[0] = dbig;
    n2[0] = 1;
    ASSERT_EQ(uv_udp_try_send2(&u, 2, b2, n2, addrs, 0), UV_EMSGSIZE);
    for (i = 0; i < 3; i++)
      expect_nothing(rs[i]);
  }
  for (i = 0; i < 3; i++)
    close(rs[i]);
  close_all(&loop);
}

/* Connected: no addresses; an address is UV_EISCONN. */
static void test_try_send2_connected(void) {
  uv_loop_t loop;
  uv_udp_t u;
  struct sockaddr_in ra;
  int rs = receiver(&ra);
  uv_buf_t d0[] = {uv_buf_init("a", 1)};
  uv_buf_t d1[] = {uv_buf_init("bc", 2)};
  uv_buf_t* bufs[2] = {d0, d1};
  unsigned nbufs[2] = {1, 1};
  struct sockaddr* none[2] = {NULL, NULL};
  struct sockaddr* some[2] = {(struct sockaddr*) &ra, NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &u), 0);
  ASSERT_EQ(uv_udp_connect(&u, (struct sockaddr*) &ra), 0);
  ASSERT_EQ(uv_udp_try_send2(&u, 2, bufs, nbufs, some, 0), UV_EISCONN);
  expect_nothing(rs);
  ASSERT_EQ(uv_udp_try_send2(&u, 2, bufs, nbufs, none, 0), 2);
  expect_datagram(rs, "a");
  expect_datagram(rs, "bc");
  close(rs);
  close_all(&loop);
}

static const struct test_entry tests[] = {
    TEST(keepalive_ex),
    TEST(tcp_reuseport),
    TEST(udp_reuseport),
    TEST(udp_open_ex),
    TEST(try_send2),
    TEST(try_send2_connected),
};

#else
static void test_not_in_this_libuv(void) {}
static const struct test_entry tests[] = {TEST(not_in_this_libuv)};
#endif

RSUV_TEST_MAIN(tests)
