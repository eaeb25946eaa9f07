/* benches/syscalls.c - one libuv operation, N times, for benches/syscalls.sh to count the
 * system calls of under strace.
 *
 * Usage: syscalls SCENARIO N. Each scenario sets up, does its operation N times, tears down.
 * syscalls.sh runs it with N and 2N and takes the difference, so set-up and tear-down drop
 * out. No timing: the loop thread and the helper threads hand over with spinning atomics
 * (no futex), so that the count does not depend on who runs first.
 *
 *   tcp_pingpong     a 1-byte ping and its echo over loopback TCP, one loop   (per round trip)
 *   poll_restart     uv_poll_start with unchanged events on one fd, no uv_run between
 *                    (per call; syscalls.sh reports it per 10,000)
 *   read_restart     uv_read_stop + uv_read_start inside the read callback of a
 *                    socketpair stream; the callback writes the next byte (per callback)
 *   timer            a 0 ms timer re-started from its own callback           (per fire)
 *   async            uv_async_send from another thread, which waits for the callback
 *                    before the next send                                    (per wake-up)
 *   fs_stat          uv_fs_stat on the thread pool, the next started from the callback
 *                                                                            (per request)
 *   queued_writes    16-byte uv_writes queued behind a full socketpair stream, which an
 *                    idle callback on the same loop drains                   (per request)
 *   udp_burst        8 uv_udp_sends over loopback from a check callback, once the last
 *                    burst has arrived: the first goes out at once, the others queue and
 *                    leave in the next pending phase, and the sender wants nothing when
 *                    the loop polls                                          (per burst)
 * Only uv.h and libc: it builds against rsuv's include/ and Debian's libuv alike. */
#include <uv.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK(expr)                                                      \
  do {                                                                   \
    if (!(expr)) {                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #expr); \
      abort();                                                           \
    }                                                                    \
  } while (0)

static long n_ops;
static long done;
static uv_loop_t loop;
static char rbuf[64];

static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  (void) size;
  *buf = uv_buf_init(rbuf, sizeof(rbuf));
}

/* ---- tcp_pingpong ---------------------------------------------------------------------- */

static uv_tcp_t server, client, accepted;
static uv_connect_t connect_req;
static uv_write_t ping_req, pong_req;
static char ping = 'p';

static void send_ping(void) {
  uv_buf_t b = uv_buf_init(&ping, 1);
  CHECK(uv_write(&ping_req, (uv_stream_t*) &client, &b, 1, NULL) == 0);
}

static void client_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void) buf;
  if (n <= 0)
    return;
  if (++done == n_ops) {
    uv_close((uv_handle_t*) s, NULL);
    uv_close((uv_handle_t*) &accepted, NULL);
    uv_close((uv_handle_t*) &server, NULL);
    return;
  }
  send_ping();
}

static void server_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  uv_buf_t b;
  if (n <= 0)
    return;
  b = uv_buf_init(buf->base, (unsigned) n);
  CHECK(uv_write(&pong_req, s, &b, 1, NULL) == 0);
}

static void on_connection(uv_stream_t* s, int status) {
  CHECK(status == 0);
  CHECK(uv_tcp_init(&loop, &accepted) == 0);
  CHECK(uv_accept(s, (uv_stream_t*) &accepted) == 0);
  CHECK(uv_read_start((uv_stream_t*) &accepted, alloc_cb, server_read) == 0);
}

static void on_connect(uv_connect_t* req, int status) {
  CHECK(status == 0);
  CHECK(uv_read_start(req->handle, alloc_cb, client_read) == 0);
  send_ping();
}

static void tcp_pingpong(void) {
  struct sockaddr_in addr;
  int len = sizeof(addr);
  CHECK(uv_ip4_addr("127.0.0.1", 0, &addr) == 0);
  CHECK(uv_tcp_init(&loop, &server) == 0);
  CHECK(uv_tcp_bind(&server, (const struct sockaddr*) &addr, 0) == 0);
  CHECK(uv_listen((uv_stream_t*) &server, 8, on_connection) == 0);
  CHECK(uv_tcp_getsockname(&server, (struct sockaddr*) &addr, &len) == 0);
  CHECK(uv_tcp_init(&loop, &client) == 0);
  CHECK(uv_tcp_nodelay(&client, 1) == 0);
  CHECK(uv_tcp_connect(&connect_req, &client, (const struct sockaddr*) &addr, on_connect) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
}

/* ---- poll_restart ---------------------------------------------------------------------- */

static void poll_cb(uv_poll_t* h, int status, int events) {
  (void) h;
  (void) status;
  (void) events;
}

static void poll_restart(void) {
  uv_poll_t p;
  int fds[2];
  long i;
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  CHECK(uv_poll_init(&loop, &p, fds[0]) == 0);
  CHECK(uv_poll_start(&p, UV_READABLE, poll_cb) == 0);
  CHECK(uv_run(&loop, UV_RUN_NOWAIT) == 1);
  for (i = 0; i < n_ops; i++)
    CHECK(uv_poll_start(&p, UV_READABLE, poll_cb) == 0);
  CHECK(uv_run(&loop, UV_RUN_NOWAIT) == 1);
  uv_close((uv_handle_t*) &p, NULL);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  close(fds[0]);
  close(fds[1]);
}

/* ---- read_restart ---------------------------------------------------------------------- */

static uv_pipe_t rpipe;
static int peer_fd;

static void restart_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void) buf;
  if (n <= 0)
    return;
  CHECK(uv_read_stop(s) == 0);
  if (++done == n_ops) {
    uv_close((uv_handle_t*) s, NULL);
    return;
  }
  CHECK(uv_read_start(s, alloc_cb, restart_read) == 0);
  CHECK(write(peer_fd, "x", 1) == 1);
}

static void read_restart(void) {
  int fds[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  peer_fd = fds[1];
  CHECK(uv_pipe_init(&loop, &rpipe, 0) == 0);
  CHECK(uv_pipe_open(&rpipe, fds[0]) == 0);
  CHECK(uv_read_start((uv_stream_t*) &rpipe, alloc_cb, restart_read) == 0);
  CHECK(write(peer_fd, "x", 1) == 1);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  close(peer_fd);
}

/* ---- timer ----------------------------------------------------------------------------- */

static void timer_cb(uv_timer_t* t) {
  if (++done < n_ops)
    CHECK(uv_timer_start(t, timer_cb, 1, 0) == 0);
}

static void timer(void) {
  uv_timer_t t;
  CHECK(uv_timer_init(&loop, &t) == 0);
  CHECK(uv_timer_start(&t, timer_cb, 1, 0) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  uv_close((uv_handle_t*) &t, NULL);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
}

/* ---- async ----------------------------------------------------------------------------- */

static uv_async_t async_h;
static atomic_long async_seen;

static void async_cb(uv_async_t* h) {
  atomic_store(&async_seen, ++done);
  if (done == n_ops)
    uv_close((uv_handle_t*) h, NULL);
}

static void* sender(void* arg) {
  long i;
  (void) arg;
  for (i = 1; i <= n_ops; i++) {
    CHECK(uv_async_send(&async_h) == 0);
    while (atomic_load(&async_seen) < i) {
    }
  }
  return NULL;
}

static void async(void) {
  pthread_t th;
  CHECK(uv_async_init(&loop, &async_h, async_cb) == 0);
  CHECK(pthread_create(&th, NULL, sender, NULL) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  CHECK(pthread_join(th, NULL) == 0);
}

/* ---- fs_stat --------------------------------------------------------------------------- */

static uv_fs_t stat_req;

static void stat_cb(uv_fs_t* req) {
  CHECK(req->result == 0);
  uv_fs_req_cleanup(req);
  if (++done < n_ops)
    CHECK(uv_fs_stat(&loop, &stat_req, "/", stat_cb) == 0);
}

static void fs_stat(void) {
  CHECK(uv_fs_stat(&loop, &stat_req, "/", stat_cb) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
}

/* ---- queued_writes --------------------------------------------------------------------- */

static uv_pipe_t wpipe;
static uv_idle_t drainer;
static uv_write_t* wreqs;
static char wdata[16] = "0123456789abcdef";

static void drain_idle(uv_idle_t* h) {
  static char sink[1 << 16];
  (void) h;
  while (read(peer_fd, sink, sizeof(sink)) > 0) {
  }
}

static void queued_write_cb(uv_write_t* req, int status) {
  (void) req;
  CHECK(status == 0);
  if (++done == n_ops) {
    uv_close((uv_handle_t*) &wpipe, NULL);
    uv_close((uv_handle_t*) &drainer, NULL);
  }
}

static void queued_writes(void) {
  int fds[2], small = 4096;
  long i;
  uv_buf_t b = uv_buf_init(wdata, sizeof(wdata));
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) == 0);
  CHECK(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  peer_fd = fds[1];
  CHECK(uv_pipe_init(&loop, &wpipe, 0) == 0);
  CHECK(uv_pipe_open(&wpipe, fds[0]) == 0);
  /* Full first, so that every request queues. */
  while (uv_try_write((uv_stream_t*) &wpipe, &b, 1) > 0) {
  }
  wreqs = calloc((size_t) n_ops, sizeof(*wreqs));
  CHECK(wreqs != NULL);
  for (i = 0; i < n_ops; i++)
    CHECK(uv_write(&wreqs[i], (uv_stream_t*) &wpipe, &b, 1, queued_write_cb) == 0);
  CHECK(uv_idle_init(&loop, &drainer) == 0);
  CHECK(uv_idle_start(&drainer, drain_idle) == 0);
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
  close(peer_fd);
  free(wreqs);
}

/* ---- udp_burst ------------------------------------------------------------------------- */

#define BURST 8

static uv_udp_t utx, urx;
static uv_udp_send_t usend[BURST];
static struct sockaddr_in urx_addr;
static long ureceived;

static void udp_send_burst(void) {
  static char d = 'd';
  uv_buf_t b = uv_buf_init(&d, 1);
  int i;
  for (i = 0; i < BURST; i++)
    CHECK(uv_udp_send(&usend[i], &utx, &b, 1, (const struct sockaddr*) &urx_addr, NULL) == 0);
}

static void udp_recv_cb(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* a,
                        unsigned flags) {
  (void) h;
  (void) buf;
  (void) a;
  (void) flags;
  if (n <= 0)
    return;
  ureceived++;
}

static uv_check_t ucheck;

static void udp_check_cb(uv_check_t* c) {
  (void) c;
  if (ureceived < (done + 1) * BURST)
    return;
  if (++done == n_ops) {
    uv_close((uv_handle_t*) &utx, NULL);
    uv_close((uv_handle_t*) &urx, NULL);
    uv_close((uv_handle_t*) &ucheck, NULL);
    return;
  }
  udp_send_burst();
}

static void udp_burst(void) {
  struct sockaddr_in addr;
  int len = sizeof(urx_addr);
  CHECK(uv_ip4_addr("127.0.0.1", 0, &addr) == 0);
  CHECK(uv_udp_init(&loop, &urx) == 0);
  CHECK(uv_udp_bind(&urx, (const struct sockaddr*) &addr, 0) == 0);
  CHECK(uv_udp_getsockname(&urx, (struct sockaddr*) &urx_addr, &len) == 0);
  CHECK(uv_udp_recv_start(&urx, alloc_cb, udp_recv_cb) == 0);
  CHECK(uv_udp_init(&loop, &utx) == 0);
  CHECK(uv_check_init(&loop, &ucheck) == 0);
  CHECK(uv_check_start(&ucheck, udp_check_cb) == 0);
  udp_send_burst();
  CHECK(uv_run(&loop, UV_RUN_DEFAULT) == 0);
}

/* ---------------------------------------------------------------------------------------- */

static const struct {
  const char* name;
  void (*fn)(void);
} scenarios[] = {
    {"tcp_pingpong", tcp_pingpong}, {"poll_restart", poll_restart},
    {"read_restart", read_restart}, {"timer", timer},
    {"async", async},               {"fs_stat", fs_stat},
    {"queued_writes", queued_writes}, {"udp_burst", udp_burst},
};

int main(int argc, char** argv) {
  size_t i;
  if (argc != 3) {
    fprintf(stderr, "usage: %s SCENARIO N\n", argv[0]);
    return 2;
  }
  n_ops = atol(argv[2]);
  CHECK(n_ops > 0);
  for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
    if (strcmp(argv[1], scenarios[i].name) != 0)
      continue;
    CHECK(uv_loop_init(&loop) == 0);
    scenarios[i].fn();
    CHECK(uv_loop_close(&loop) == 0);
    /* Join the thread pool's workers (if any) before exit. */
    uv_library_shutdown();
    return 0;
  }
  fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
