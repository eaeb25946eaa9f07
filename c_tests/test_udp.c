/* test_udp.c - UDP handles as a libuv user sees them.
 *
 * Covers: init and bad input, uv_udp_init_ex creating the socket early, bind in use, send
 * and receive, send order, empty datagrams, UV_UDP_PARTIAL, UV_ENOBUFS from the allocator,
 * connect rules, IPv6, ref/unref, uv_udp_open, options and multicast, closing from the
 * receive callback. Helpers and how to build against the real libuv: udp_common.h.
 */
#include "runner.h"
#include "udp_common.h"

/* Tests                                                                                    */

static void test_init_bad_input(void) {
  uv_loop_t loop;
  uv_udp_t h;
  struct sockaddr_in a4;
  struct sockaddr_un un;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init_ex(&loop, &h, 47), UV_EINVAL);
  ASSERT_EQ(uv_udp_init_ex(&loop, &h, 1024), UV_EINVAL);
  ASSERT_EQ(uv_udp_init_ex(&loop, &h, AF_INET | 0x200), UV_EINVAL);

  ASSERT_EQ(uv_udp_init(&loop, &h), 0);
  ASSERT_EQ(uv_udp_using_recvmmsg(&h), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(&h), 0);
  ASSERT_EQ(uv_udp_get_send_queue_count(&h), 0);
  /* No socket yet. */
  {
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    uv_os_fd_t fd;
    ASSERT_EQ(uv_fileno((uv_handle_t*) &h, &fd), UV_EBADF);
    ASSERT_EQ(uv_udp_getsockname(&h, (struct sockaddr*) &ss, &len), UV_EBADF);
    ASSERT_EQ(uv_udp_set_ttl(&h, 1), UV_EBADF);
    ASSERT_EQ(uv_udp_set_broadcast(&h, 1), UV_EBADF);
    ASSERT_EQ(uv_udp_set_multicast_loop(&h, 1), UV_EBADF);
  }
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a4), 0);
  ASSERT_EQ(uv_udp_bind(&h, (const struct sockaddr*) &a4, 0x80), UV_EINVAL);
  ASSERT_EQ(uv_udp_bind(&h, (const struct sockaddr*) &a4, UV_UDP_IPV6ONLY), UV_EINVAL);
  memset(&un, 0, sizeof(un));
  un.sun_family = AF_UNIX;
  ASSERT_EQ(uv_udp_bind(&h, (const struct sockaddr*) &un, 0), UV_EINVAL);
  ASSERT_EQ(uv_udp_connect(&h, (const struct sockaddr*) &un), UV_EINVAL);
  ASSERT_EQ(uv_udp_connect(&h, NULL), UV_ENOTCONN);
  ASSERT_EQ(uv_udp_recv_start(&h, NULL, log_recv_cb), UV_EINVAL);
  ASSERT_EQ(uv_udp_recv_start(&h, heap_alloc_cb, NULL), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_ttl(&h, 0), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_ttl(&h, 256), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_multicast_ttl(&h, 256), UV_EINVAL);
  {
    uv_udp_send_t req;
    uv_buf_t b = uv_buf_init("x", 1);
    ASSERT_EQ(uv_udp_send(&req, &h, &b, 1, NULL, log_send_cb), UV_EDESTADDRREQ);
    ASSERT_EQ(uv_udp_try_send(&h, &b, 1, NULL), UV_EDESTADDRREQ);
  }
  /* Nothing above may have made the handle active. */
  ASSERT_EQ(uv_is_active((uv_handle_t*) &h), 0);
  finish_loop(&loop);
}

static void test_init_ex_early_socket(void) {
  uv_loop_t loop;
  uv_udp_t h4, h6, hm;
  struct sockaddr_storage ss;
  int len;
  uv_os_fd_t fd;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init_ex(&loop, &h4, AF_INET), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &h4, &fd), 0);
  ASSERT(fd >= 0);
  len = sizeof(ss);
  ASSERT_EQ(uv_udp_getsockname(&h4, (struct sockaddr*) &ss, &len), 0);
  ASSERT_EQ(ss.ss_family, AF_INET);
  ASSERT_EQ(uv_udp_set_ttl(&h4, 10), 0);
  ASSERT_EQ(uv_udp_set_broadcast(&h4, 1), 0);

  ASSERT_EQ(uv_udp_init_ex(&loop, &h6, AF_INET6), 0);
  len = sizeof(ss);
  ASSERT_EQ(uv_udp_getsockname(&h6, (struct sockaddr*) &ss, &len), 0);
  ASSERT_EQ(ss.ss_family, AF_INET6);
  {
    /* An IPv4 address on an IPv6 socket. */
    struct sockaddr_in a4;
    ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a4), 0);
    ASSERT_EQ(uv_udp_bind(&h6, (const struct sockaddr*) &a4, 0), UV_EINVAL);
  }

  ASSERT_EQ(uv_udp_init_ex(&loop, &hm, AF_UNSPEC | UV_UDP_RECVMMSG), 0);
  ASSERT_EQ(uv_udp_using_recvmmsg(&hm), 1);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &hm, &fd), UV_EBADF);
  finish_loop(&loop);
}

static void test_bind_in_use(void) {
  uv_loop_t loop;
  uv_udp_t a, b, c, d;
  struct sockaddr_in addr;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &a), 0);
  ASSERT_EQ(uv_udp_init(&loop, &b), 0);
  addr = bind_lo4(&a);
  ASSERT_EQ(uv_udp_bind(&b, (const struct sockaddr*) &addr, 0), UV_EADDRINUSE);
  /* Two handles that both ask for address reuse may share a port. */
  ASSERT_EQ(uv_udp_init(&loop, &c), 0);
  ASSERT_EQ(uv_udp_init(&loop, &d), 0);
  addr.sin_port = 0;
  ASSERT_EQ(uv_udp_bind(&c, (const struct sockaddr*) &addr, UV_UDP_REUSEADDR), 0);
  {
    int len = sizeof(addr);
    ASSERT_EQ(uv_udp_getsockname(&c, (struct sockaddr*) &addr, &len), 0);
  }
  ASSERT_EQ(uv_udp_bind(&d, (const struct sockaddr*) &addr, UV_UDP_REUSEADDR), 0);
  finish_loop(&loop);
}

static int queue_checked;
static void queue_check_send_cb(uv_udp_send_t* req, int status) {
  ASSERT_EQ(status, 0);
  /* The request no longer counts once its callback runs. */
  ASSERT_EQ(uv_udp_get_send_queue_count(req->handle), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(req->handle), 0);
  queue_checked++;
}

static void test_send_recv(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  struct sockaddr_in addr, from;
  uv_buf_t b = uv_buf_init("PING", 4);
  int len;

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = 1;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), UV_EALREADY);
  ASSERT(uv_is_active((uv_handle_t*) &server));

  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &addr,
                        queue_check_send_cb), 0);
  ASSERT_EQ(req.handle, &client);
  /* Counted until its callback has run, even when written at once. */
  ASSERT_EQ(uv_udp_get_send_queue_count(&client), 1);
  ASSERT_EQ(uv_udp_get_send_queue_size(&client), 4);
  ASSERT(uv_is_active((uv_handle_t*) &client));
  /* The client was bound implicitly to 0.0.0.0. */
  len = sizeof(from);
  ASSERT_EQ(uv_udp_getsockname(&client, (struct sockaddr*) &from, &len), 0);
  ASSERT_EQ(from.sin_family, AF_INET);
  ASSERT_EQ(from.sin_addr.s_addr, htonl(INADDR_ANY));
  ASSERT(from.sin_port != 0);

  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 1); /* stopped by the receiver */
  ASSERT_EQ(queue_checked, 1);
  ASSERT_EQ(rlog.count, 1);
  ASSERT_EQ(rlog.lens[0], 4);
  ASSERT(memcmp(rlog.data[0], "PING", 4) == 0);
  ASSERT_EQ(rlog.flags[0], 0);
  /* With no send queued and not receiving, the client is inactive again. */
  ASSERT_EQ(uv_is_active((uv_handle_t*) &client), 0);
  ASSERT_EQ(uv_udp_recv_stop(&server), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &server), 0);
  ASSERT_EQ(uv_udp_recv_stop(&server), 0);
  finish_loop(&loop);
}

#define ORDER_N 100
static void test_send_order(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  static uv_udp_send_t reqs[ORDER_N];
  static char payload[ORDER_N][8];
  struct sockaddr_in addr;
  size_t total = 0;
  int i;

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = ORDER_N;
  send_count = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);
  for (i = 0; i < ORDER_N; i++) {
    uv_buf_t b[2];
    int n = snprintf(payload[i], sizeof(payload[i]), "m%d", i);
    /* Two buffers make one datagram. */
    b[0] = uv_buf_init(payload[i], 1);
    b[1] = uv_buf_init(payload[i] + 1, (unsigned) n - 1);
    reqs[i].data = (void*) (intptr_t) i;
    ASSERT_EQ(uv_udp_send(&reqs[i], &client, b, 2, (const struct sockaddr*) &addr,
                          log_send_cb), 0);
    total += (size_t) n;
  }
  ASSERT_EQ(uv_udp_get_send_queue_count(&client), ORDER_N);
  ASSERT_EQ(uv_udp_get_send_queue_size(&client), total);
  while (rlog.count < ORDER_N || send_count < ORDER_N)
    uv_run(&loop, UV_RUN_ONCE);
  for (i = 0; i < ORDER_N; i++) {
    char want[8];
    int n = snprintf(want, sizeof(want), "m%d", i);
    ASSERT_EQ(send_order[i], i);
    ASSERT_EQ(send_status[i], 0);
    ASSERT_EQ(rlog.lens[i], n);
    ASSERT(memcmp(rlog.data[i], want, (size_t) n) == 0);
  }
  ASSERT_EQ(uv_udp_get_send_queue_count(&client), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(&client), 0);
  finish_loop(&loop);
}

static void test_empty_datagram(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  struct sockaddr_in addr;
  uv_buf_t e = uv_buf_init(NULL, 0);

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = 1;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);
  /* An empty datagram: nread 0 with the sender's address. */
  ASSERT_EQ(uv_udp_try_send(&client, &e, 1, (const struct sockaddr*) &addr), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 1);
  ASSERT_EQ(rlog.count, 1);
  ASSERT_EQ(rlog.lens[0], 0);
  ASSERT_EQ(rlog.flags[0], 0);
  finish_loop(&loop);
}

static int partial_seen;
static void partial_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                            const struct sockaddr* addr, unsigned flags) {
  ASSERT(buf->base == small_slab);
  if (addr == NULL) {
    ASSERT_EQ(nread, 0);
    return;
  }
  ASSERT_EQ(nread, 4);
  ASSERT(flags & UV_UDP_PARTIAL);
  ASSERT(memcmp(buf->base, "0123", 4) == 0);
  partial_seen++;
  uv_close((uv_handle_t*) h, NULL);
}

static void test_partial(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("0123456789", 10);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), 10);
  ASSERT_EQ(uv_udp_recv_start(&server, small_alloc_cb, partial_recv_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0); /* the server closed itself */
  ASSERT_EQ(partial_seen, 1);
  finish_loop(&loop);
}

static int enobufs_seen;
static void empty_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  ASSERT_EQ(suggested, 65536);
  buf->base = NULL;
  buf->len = 0;
}
static void enobufs_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                            const struct sockaddr* addr, unsigned flags) {
  (void) buf;
  ASSERT_EQ(nread, UV_ENOBUFS);
  ASSERT(addr == NULL);
  ASSERT_EQ(flags, 0);
  enobufs_seen++;
  ASSERT_EQ(uv_udp_recv_stop(h), 0);
}

static void test_alloc_enobufs(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("x", 1);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), 1);
  ASSERT_EQ(uv_udp_recv_start(&server, empty_alloc_cb, enobufs_recv_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(enobufs_seen, 1);
  finish_loop(&loop);
}

static void test_connect_rules(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  struct sockaddr_in addr, peer, other;
  uv_buf_t b = uv_buf_init("EXIT", 4);
  int len;

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = 3;
  send_count = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_ip4_addr("127.0.0.2", 9, &other), 0);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);

  len = sizeof(peer);
  ASSERT_EQ(uv_udp_getpeername(&client, (struct sockaddr*) &peer, &len), UV_EBADF);
  ASSERT_EQ(uv_udp_connect(&client, (const struct sockaddr*) &addr), 0);
  ASSERT_EQ(uv_udp_connect(&client, (const struct sockaddr*) &other), UV_EISCONN);
  len = sizeof(peer);
  ASSERT_EQ(uv_udp_getpeername(&client, (struct sockaddr*) &peer, &len), 0);
  ASSERT_EQ(len, sizeof(peer));
  ASSERT_EQ(peer.sin_port, addr.sin_port);
  ASSERT_EQ(peer.sin_addr.s_addr, addr.sin_addr.s_addr);

  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), UV_EISCONN);
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &addr, log_send_cb),
            UV_EISCONN);
  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, NULL), 4);

  ASSERT_EQ(uv_udp_connect(&client, NULL), 0);
  ASSERT_EQ(uv_udp_connect(&client, NULL), UV_ENOTCONN);
  len = sizeof(peer);
  ASSERT_EQ(uv_udp_getpeername(&client, (struct sockaddr*) &peer, &len), UV_ENOTCONN);
  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, NULL), UV_EDESTADDRREQ);
  ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), 4);

  ASSERT_EQ(uv_udp_connect(&client, (const struct sockaddr*) &addr), 0);
  req.data = (void*) (intptr_t) 7;
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, NULL, log_send_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 1);
  ASSERT_EQ(rlog.count, 3);
  ASSERT_EQ(send_count, 1);
  ASSERT_EQ(send_order[0], 7);
  ASSERT_EQ(send_status[0], 0);
  finish_loop(&loop);
}
static void test_ipv6(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  struct sockaddr_in6 addr;
  struct sockaddr_in a4;
  uv_buf_t b = uv_buf_init("six", 3);
  int len = sizeof(addr);
  int r;

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = 1;
  send_count = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  ASSERT_EQ(uv_ip6_addr("::1", 0, &addr), 0);
  r = uv_udp_bind(&server, (const struct sockaddr*) &addr, UV_UDP_IPV6ONLY);
  if (r == UV_EADDRNOTAVAIL || r == UV_EAFNOSUPPORT) {
    printf("  (no IPv6 loopback: skipped)\n");
    finish_loop(&loop);
    return;
  }
  ASSERT_EQ(r, 0);
  ASSERT_EQ(uv_udp_getsockname(&server, (struct sockaddr*) &addr, &len), 0);
  ASSERT_EQ(len, sizeof(addr));
  ASSERT_EQ(addr.sin6_family, AF_INET6);
  ASSERT_EQ(uv_udp_set_ttl(&server, 64), 0);
  ASSERT_EQ(uv_udp_set_multicast_ttl(&server, 3), 0);
  ASSERT_EQ(uv_udp_set_multicast_loop(&server, 1), 0);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);
  /* The client binds implicitly to [::]:0. */
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &addr, log_send_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 1);
  ASSERT_EQ(rlog.count, 1);
  ASSERT_EQ(rlog.lens[0], 3);
  ASSERT(memcmp(rlog.data[0], "six", 3) == 0);
  while (send_count < 1)
    uv_run(&loop, UV_RUN_ONCE);
  ASSERT_EQ(send_status[0], 0);
  /* IPv6-only: an IPv4 sender cannot reach an IPv4-mapped address here; just check the
   * IPv4 address is refused by the bound IPv6 socket. */
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &a4), 0);
  ASSERT_EQ(uv_udp_bind(&server, (const struct sockaddr*) &a4, 0), UV_EINVAL);
  finish_loop(&loop);
}

static void fail_alloc_cb(uv_handle_t* h, size_t s, uv_buf_t* b) {
  (void) h;
  (void) s;
  (void) b;
  ASSERT(!"alloc_cb must not be called");
}
static void fail_recv_cb(uv_udp_t* h, ssize_t n, const uv_buf_t* b, const struct sockaddr* a,
                         unsigned f) {
  (void) h;
  (void) n;
  (void) b;
  (void) a;
  (void) f;
  ASSERT(!"recv_cb must not be called");
}
static int ref_send_called;
static void ref_send_cb(uv_udp_send_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  ref_send_called++;
}

static void test_ref(void) {
  uv_loop_t loop;
  uv_udp_t h, h2;
  uv_udp_send_t req;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("PING", 4);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* A receiving but unreferenced handle does not keep the loop alive. */
  ASSERT_EQ(uv_udp_init(&loop, &h), 0);
  addr = bind_lo4(&h);
  ASSERT_EQ(uv_udp_recv_start(&h, fail_alloc_cb, fail_recv_cb), 0);
  uv_unref((uv_handle_t*) &h);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  /* A send request does, even on an unreferenced handle. */
  ASSERT_EQ(uv_udp_init(&loop, &h2), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 9, &addr), 0);
  ASSERT_EQ(uv_udp_send(&req, &h2, &b, 1, (const struct sockaddr*) &addr, ref_send_cb), 0);
  uv_unref((uv_handle_t*) &h2);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_send_called, 1);
  finish_loop(&loop);
}

static void test_open(void) {
  uv_loop_t loop;
  uv_udp_t a, b;
  int s1, s2;
  struct sockaddr_in addr;
  int len = sizeof(addr);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  s1 = socket(AF_INET, SOCK_DGRAM, 0);
  s2 = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT(s1 >= 0 && s2 >= 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
  ASSERT_EQ(bind(s1, (struct sockaddr*) &addr, sizeof(addr)), 0);
  ASSERT_EQ(uv_udp_init(&loop, &a), 0);
  ASSERT_EQ(uv_udp_open(&a, s1), 0);
  ASSERT_EQ(uv_udp_open(&a, s2), UV_EBUSY);
  ASSERT_EQ(uv_udp_getsockname(&a, (struct sockaddr*) &addr, &len), 0);
  ASSERT(addr.sin_port != 0);
  ASSERT_EQ(uv_udp_recv_start(&a, fail_alloc_cb, fail_recv_cb), 0);
  /* The same descriptor, watched by the loop already. */
  ASSERT_EQ(uv_udp_init(&loop, &b), 0);
  ASSERT_EQ(uv_udp_open(&b, s1), UV_EEXIST);
  close(s2);
  finish_loop(&loop);
}

static void test_options_and_multicast(void) {
  uv_loop_t loop;
  uv_udp_t h;
  struct sockaddr_in addr;
  int i, r;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &h), 0);
  ASSERT_EQ(uv_ip4_addr("0.0.0.0", 0, &addr), 0);
  ASSERT_EQ(uv_udp_bind(&h, (const struct sockaddr*) &addr, 0), 0);
  for (i = 1; i <= 255; i += 50)
    ASSERT_EQ(uv_udp_set_ttl(&h, i), 0);
  ASSERT_EQ(uv_udp_set_ttl(&h, 255), 0);
  ASSERT_EQ(uv_udp_set_ttl(&h, -1), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_multicast_ttl(&h, 0), 0);
  ASSERT_EQ(uv_udp_set_multicast_ttl(&h, 255), 0);
  ASSERT_EQ(uv_udp_set_multicast_ttl(&h, -1), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_multicast_loop(&h, 0), 0);
  ASSERT_EQ(uv_udp_set_multicast_loop(&h, 1), 0);
  ASSERT_EQ(uv_udp_set_broadcast(&h, 1), 0);
  ASSERT_EQ(uv_udp_set_broadcast(&h, 0), 0);
  ASSERT_EQ(uv_udp_set_multicast_interface(&h, "127.0.0.1"), 0);
  ASSERT_EQ(uv_udp_set_multicast_interface(&h, NULL), 0);
  ASSERT_EQ(uv_udp_set_multicast_interface(&h, "not an address"), UV_EINVAL);

  ASSERT_EQ(uv_udp_set_membership(&h, "not an address", NULL, UV_JOIN_GROUP), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_membership(&h, "239.255.0.1", "bad", UV_JOIN_GROUP), UV_EINVAL);
  ASSERT_EQ(uv_udp_set_membership(&h, "239.255.0.1", "127.0.0.1", (uv_membership) 7),
            UV_EINVAL);
  /* Joining on the loopback interface: may be refused by the system (no multicast on lo),
   * but then with a system error, and leaving must mirror joining. */
  r = uv_udp_set_membership(&h, "239.255.0.1", "127.0.0.1", UV_JOIN_GROUP);
  if (r == 0) {
    ASSERT_EQ(uv_udp_set_membership(&h, "239.255.0.1", "127.0.0.1", UV_LEAVE_GROUP), 0);
  } else {
    ASSERT(r == UV_ENODEV || r == UV_EADDRNOTAVAIL || r == UV_ENOBUFS);
  }
  r = uv_udp_set_source_membership(&h, "232.1.1.1", "127.0.0.1", "127.0.0.1", UV_JOIN_GROUP);
  if (r == 0) {
    ASSERT_EQ(uv_udp_set_source_membership(&h, "232.1.1.1", "127.0.0.1", "127.0.0.1",
                                           UV_LEAVE_GROUP), 0);
  } else {
    ASSERT(r == UV_ENODEV || r == UV_EADDRNOTAVAIL || r == UV_ENOBUFS);
  }
  ASSERT_EQ(uv_udp_set_source_membership(&h, "232.1.1.1", NULL, "bad", UV_JOIN_GROUP),
            UV_EINVAL);
  finish_loop(&loop);
}

/* Multicast delivered over the loopback interface, when the system allows it. */
static void test_multicast_loopback(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  struct sockaddr_in addr, group;
  uv_buf_t b = uv_buf_init("MCAST", 5);
  int len = sizeof(addr);
  int r;

  memset(&rlog, 0, sizeof(rlog));
  rlog.expect = 1;
  send_count = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_ip4_addr("0.0.0.0", 0, &addr), 0);
  ASSERT_EQ(uv_udp_bind(&server, (const struct sockaddr*) &addr, UV_UDP_REUSEADDR), 0);
  ASSERT_EQ(uv_udp_getsockname(&server, (struct sockaddr*) &addr, &len), 0);
  r = uv_udp_set_membership(&server, "239.255.0.7", "127.0.0.1", UV_JOIN_GROUP);
  if (r != 0) {
    printf("  (multicast on lo refused: %s; skipped)\n", uv_err_name(r));
    finish_loop(&loop);
    return;
  }
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, log_recv_cb), 0);
  ASSERT_EQ(uv_udp_init_ex(&loop, &client, AF_INET), 0);
  ASSERT_EQ(uv_udp_set_multicast_interface(&client, "127.0.0.1"), 0);
  ASSERT_EQ(uv_udp_set_multicast_loop(&client, 1), 0);
  ASSERT_EQ(uv_ip4_addr("239.255.0.7", ntohs(addr.sin_port), &group), 0);
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &group, log_send_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 1);
  ASSERT_EQ(rlog.count, 1);
  ASSERT(memcmp(rlog.data[0], "MCAST", 5) == 0);
  finish_loop(&loop);
}

/* Closing from the receive callback: no further callbacks. */
static int crc_calls;
static void crc_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                        const struct sockaddr* addr, unsigned flags) {
  (void) flags;
  free(buf->base);
  ASSERT_EQ(crc_calls, 0);
  ASSERT(nread > 0);
  ASSERT(addr != NULL);
  crc_calls++;
  uv_close((uv_handle_t*) h, NULL);
}

static void test_close_in_recv_cb(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("abc", 3);
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  for (i = 0; i < 5; i++)
    ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), 3);
  ASSERT_EQ(uv_udp_recv_start(&server, heap_alloc_cb, crc_recv_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(crc_calls, 1);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(init_bad_input),
    TEST(init_ex_early_socket),
    TEST(bind_in_use),
    TEST(send_recv),
    TEST(send_order),
    TEST(empty_datagram),
    TEST(partial),
    TEST(alloc_enobufs),
    TEST(connect_rules),
    TEST(ipv6),
    TEST(ref),
    TEST(open),
    TEST(options_and_multicast),
    TEST(multicast_loopback),
    TEST(close_in_recv_cb),
};

RSUV_TEST_MAIN(tests)
