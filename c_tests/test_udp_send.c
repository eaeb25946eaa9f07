/* test_udp_send.c - queued UDP sends and recvmmsg as a libuv user sees them.
 *
 * Covers: sends that must wait draining in order, close cancelling queued sends, a send
 * queued from a send callback then closed, a send written at once then closed, datagrams too
 * big, recvmmsg chunks. Helpers and how to build against the real libuv: udp_common.h.
 */
#include "runner.h"
#include "udp_common.h"

/* A full AF_UNIX datagram socketpair: sends that must wait, in order, then drain. */
#define UNIX_N 200
#define UNIX_LEN 1000
static uv_udp_send_t unix_reqs[UNIX_N];
static char unix_payload[UNIX_LEN];

static int unix_received;
static void unix_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                         const struct sockaddr* addr, unsigned flags) {
  (void) flags;
  if (nread > 0) {
    (void) addr;
    ASSERT_EQ(nread, UNIX_LEN);
    /* Each datagram carries its index in the first two bytes. */
    ASSERT_EQ(((unsigned char) buf->base[0] << 8) | (unsigned char) buf->base[1],
              unix_received);
    unix_received++;
  } else {
    ASSERT(nread == 0);
  }
  free(buf->base);
  if (unix_received == UNIX_N)
    uv_close((uv_handle_t*) h, NULL);
}

static void unix_pair(uv_loop_t* loop, uv_udp_t* a, uv_udp_t* b) {
  int sv[2];
  int small = 16384;
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
  ASSERT_EQ(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(uv_udp_init(loop, a), 0);
  ASSERT_EQ(uv_udp_init(loop, b), 0);
  ASSERT_EQ(uv_udp_open(a, sv[0]), 0);
  ASSERT_EQ(uv_udp_open(b, sv[1]), 0);
}

static size_t queue_sends(uv_udp_t* a) {
  size_t total = 0;
  int i;
  for (i = 0; i < UNIX_N; i++) {
    static char bufs[UNIX_N][UNIX_LEN];
    uv_buf_t b;
    memcpy(bufs[i], unix_payload, UNIX_LEN);
    bufs[i][0] = (char) (i >> 8);
    bufs[i][1] = (char) (i & 0xff);
    b = uv_buf_init(bufs[i], UNIX_LEN);
    unix_reqs[i].data = (void*) (intptr_t) i;
    /* Connected: no address. */
    ASSERT_EQ(uv_udp_send(&unix_reqs[i], a, &b, 1, NULL, log_send_cb), 0);
    total += UNIX_LEN;
  }
  return total;
}

static void test_queued_sends_drain(void) {
  uv_loop_t loop;
  uv_udp_t a, b;
  uv_buf_t x = uv_buf_init("x", 1);
  int i;

  send_count = 0;
  unix_received = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  unix_pair(&loop, &a, &b);
  ASSERT_EQ(queue_sends(&a), (size_t) UNIX_N * UNIX_LEN);
  ASSERT_EQ(uv_udp_get_send_queue_count(&a), UNIX_N);
  ASSERT_EQ(uv_udp_get_send_queue_size(&a), (size_t) UNIX_N * UNIX_LEN);
  /* Sends are queued: try_send must not jump the queue. */
  ASSERT_EQ(uv_udp_try_send(&a, &x, 1, NULL), UV_EAGAIN);
  ASSERT_EQ(uv_udp_recv_start(&b, heap_alloc_cb, unix_recv_cb), 0);
  while (send_count < UNIX_N)
    ASSERT(uv_run(&loop, UV_RUN_ONCE) != 0);
  for (i = 0; i < UNIX_N; i++) {
    ASSERT_EQ(send_order[i], i);
    ASSERT_EQ(send_status[i], 0);
  }
  ASSERT_EQ(uv_udp_get_send_queue_count(&a), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(&a), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &a), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(unix_received, UNIX_N);
  finish_loop(&loop);
}

static int cancel_close_cb_called;
static void cancel_close_cb(uv_handle_t* h) {
  (void) h;
  /* Every send callback ran before this one. */
  ASSERT_EQ(send_count, UNIX_N);
  cancel_close_cb_called++;
}

static void test_close_cancels_queued(void) {
  uv_loop_t loop;
  uv_udp_t a, b;
  int i, ok = 0, canceled = 0;

  send_count = 0;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  unix_pair(&loop, &a, &b);
  queue_sends(&a);
  uv_close((uv_handle_t*) &a, cancel_close_cb);
  ASSERT_EQ(send_count, 0); /* callbacks never run synchronously */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_close_cb_called, 1);
  ASSERT_EQ(send_count, UNIX_N);
  for (i = 0; i < UNIX_N; i++) {
    ASSERT_EQ(send_order[i], i);
    if (send_status[i] == 0) {
      ASSERT_EQ(canceled, 0); /* the written ones come first */
      ok++;
    } else {
      ASSERT_EQ(send_status[i], UV_ECANCELED);
      canceled++;
    }
  }
  ASSERT(ok > 0);
  ASSERT(canceled > 0);
  ASSERT_EQ(uv_udp_get_send_queue_count(&a), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(&a), 0);
  finish_loop(&loop);
}

/* A send queued from a send callback, then the handle closed: UV_ECANCELED. */
static uv_udp_send_t chain_req2;
static struct sockaddr_in chain_addr;
static int chain_log[4];
static int chain_n;
static void chain_cb2(uv_udp_send_t* req, int status) {
  (void) req;
  chain_log[chain_n++] = status == UV_ECANCELED ? 2 : 100 + status;
}
static void chain_close_cb(uv_handle_t* h) {
  (void) h;
  chain_log[chain_n++] = 3;
}
static void chain_cb1(uv_udp_send_t* req, int status) {
  uv_buf_t b = uv_buf_init("two", 3);
  ASSERT_EQ(status, 0);
  chain_log[chain_n++] = 1;
  ASSERT_EQ(uv_udp_send(&chain_req2, req->handle, &b, 1,
                        (const struct sockaddr*) &chain_addr, chain_cb2), 0);
  uv_close((uv_handle_t*) req->handle, chain_close_cb);
}

static void test_send_from_cb_then_close(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  uv_buf_t b = uv_buf_init("one", 3);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  chain_addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &chain_addr,
                        chain_cb1), 0);
  uv_close((uv_handle_t*) &server, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(chain_n, 3);
  ASSERT_EQ(chain_log[0], 1);
  ASSERT_EQ(chain_log[1], 2);
  ASSERT_EQ(chain_log[2], 3);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A send written at once and the handle closed right away: status 0, before close_cb. */
static int sc_log[4];
static int sc_n;
static void sc_send_cb(uv_udp_send_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  sc_log[sc_n++] = 1;
}
static void sc_close_cb(uv_handle_t* h) {
  (void) h;
  sc_log[sc_n++] = 2;
}

static void test_close_after_send(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  uv_udp_send_t req;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("bye", 3);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &server), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  ASSERT_EQ(uv_udp_send(&req, &client, &b, 1, (const struct sockaddr*) &addr, sc_send_cb), 0);
  uv_close((uv_handle_t*) &client, sc_close_cb);
  uv_close((uv_handle_t*) &server, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(sc_n, 2);
  ASSERT_EQ(sc_log[0], 1);
  ASSERT_EQ(sc_log[1], 2);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int big_status = 1;
static void big_send_cb(uv_udp_send_t* req, int status) {
  (void) req;
  big_status = status;
}

static void test_dgram_too_big(void) {
  uv_loop_t loop;
  uv_udp_t client;
  uv_udp_send_t req;
  struct sockaddr_in addr;
  static char chunk[20000];
  uv_buf_t b[6];
  int i;

  for (i = 0; i < 6; i++)
    b[i] = uv_buf_init(chunk, sizeof(chunk));
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 9, &addr), 0);
  ASSERT_EQ(uv_udp_send(&req, &client, b, 6, (const struct sockaddr*) &addr, big_send_cb), 0);
  ASSERT_EQ(uv_udp_get_send_queue_size(&client), 6 * sizeof(chunk));
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(big_status, UV_EMSGSIZE);
  ASSERT_EQ(uv_udp_get_send_queue_size(&client), 0);
  ASSERT_EQ(uv_udp_try_send(&client, b, 6, (const struct sockaddr*) &addr), UV_EMSGSIZE);
  finish_loop(&loop);
}

/* recvmmsg: chunks flagged UV_UDP_MMSG_CHUNK, then one UV_UDP_MMSG_FREE. */
#define MMSG_N 8
static int mmsg_chunks, mmsg_frees;
static char* mmsg_buf;
static void mmsg_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  ASSERT_EQ(suggested, 65536);
  buf->len = suggested * 4;
  buf->base = malloc(buf->len);
  ASSERT(buf->base != NULL);
}
static void mmsg_recv_cb(uv_udp_t* h, ssize_t nread, const uv_buf_t* buf,
                         const struct sockaddr* addr, unsigned flags) {
  ASSERT(nread >= 0);
  if (flags & UV_UDP_MMSG_CHUNK) {
    ASSERT(addr != NULL);
    ASSERT_EQ(nread, 5);
    ASSERT(memcmp(buf->base, "CHUNK", 5) == 0);
    mmsg_chunks++;
    return;
  }
  if (flags & UV_UDP_MMSG_FREE) {
    ASSERT_EQ(nread, 0);
    ASSERT(addr == NULL);
    mmsg_frees++;
  } else {
    ASSERT_EQ(nread, 0);
    ASSERT(addr == NULL);
  }
  free(buf->base);
  if (mmsg_chunks == MMSG_N)
    uv_close((uv_handle_t*) h, NULL);
}

static void test_recvmmsg(void) {
  uv_loop_t loop;
  uv_udp_t server, client;
  struct sockaddr_in addr;
  uv_buf_t b = uv_buf_init("CHUNK", 5);
  int i;

  (void) mmsg_buf;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_udp_init_ex(&loop, &server, AF_INET | UV_UDP_RECVMMSG), 0);
  ASSERT_EQ(uv_udp_using_recvmmsg(&server), 1);
  ASSERT_EQ(uv_udp_init(&loop, &client), 0);
  addr = bind_lo4(&server);
  for (i = 0; i < MMSG_N; i++)
    ASSERT_EQ(uv_udp_try_send(&client, &b, 1, (const struct sockaddr*) &addr), 5);
  ASSERT_EQ(uv_udp_recv_start(&server, mmsg_alloc_cb, mmsg_recv_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(mmsg_chunks, MMSG_N);
  ASSERT(mmsg_frees >= 2); /* 4 slots per buffer: at least two batches */
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(queued_sends_drain),
    TEST(close_cancels_queued),
    TEST(send_from_cb_then_close),
    TEST(close_after_send),
    TEST(dgram_too_big),
    TEST(recvmmsg),
};

RSUV_TEST_MAIN(tests)
