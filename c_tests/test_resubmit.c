/* test_resubmit.c - a request submitted again while it is still pending gets UV_EBUSY,
 * and its first submission completes intact, exactly once; the request may be submitted
 * again from its own callback. (libuv links such a request into its queues twice: it
 * asserts, hangs or corrupts memory.) One case per request kind; rsuv only. Every request
 * here is fresh, uninitialised stack memory on its first submission: rsuv must tell
 * "pending" without reading it (valgrind runs these). */
#include "asserts.h"
#include "runner.h"

#include <fcntl.h>
#include <sys/socket.h>

static uv_loop_t loop;

static void loop_start(void) { ASSERT_EQ(uv_loop_init(&loop), 0); }

static void walk_close(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void loop_finish(void) {
  uv_walk(&loop, walk_close, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A connected pair of pipe handles over a socketpair. */
static void stream_pair(uv_pipe_t* a, uv_pipe_t* b) {
  uv_os_sock_t fds[2];
  ASSERT_EQ(uv_socketpair(SOCK_STREAM, 0, fds, 0, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, a, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, b, 0), 0);
  ASSERT_EQ(uv_pipe_open(a, fds[0]), 0);
  ASSERT_EQ(uv_pipe_open(b, fds[1]), 0);
}

static char rbuf[256];
static size_t rlen;

static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  (void) size;
  *buf = uv_buf_init(rbuf + rlen, (unsigned) (sizeof(rbuf) - rlen));
}

static void read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  (void) buf;
  if (n > 0)
    rlen += (size_t) n;
  else if (n < 0)
    uv_close((uv_handle_t*) s, NULL);
}

/* ---- uv_write / uv_write2 ------------------------------------------------------------- */

static uv_pipe_t wa, wb;
static int write_cbs;

static void write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  write_cbs++;
  if (write_cbs == 1) {
    uv_buf_t b = uv_buf_init("world", 5);
    ASSERT_EQ(uv_write(req, (uv_stream_t*) &wa, &b, 1, write_cb), 0); /* from its callback */
    ASSERT_EQ(uv_write(req, (uv_stream_t*) &wa, &b, 1, write_cb), UV_EBUSY);
  } else {
    uv_close((uv_handle_t*) &wa, NULL);
  }
}

static void test_write(void) {
  uv_write_t req;
  uv_buf_t b = uv_buf_init("hello", 5);
  uv_buf_t x = uv_buf_init("XXXXX", 5);

  loop_start();
  write_cbs = 0;
  rlen = 0;
  stream_pair(&wa, &wb);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &wb, alloc_cb, read_cb), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &wa, &b, 1, write_cb), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &wa, &x, 1, write_cb), UV_EBUSY);
  ASSERT_EQ(uv_write2(&req, (uv_stream_t*) &wa, &x, 1, NULL, write_cb), UV_EBUSY);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &wb, &x, 1, write_cb), UV_EBUSY); /* other stream */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(write_cbs, 2);
  ASSERT_EQ(rlen, 10);
  ASSERT_MEM_EQ(rbuf, "helloworld", 10);
  loop_finish();
}

/* A write cancelled by closing its stream is handed back too: reusable from its callback. */
static int cancel_write_cbs;

static void cancelled_write_cb(uv_write_t* req, int status) {
  cancel_write_cbs++;
  if (cancel_write_cbs == 1) {
    uv_buf_t b = uv_buf_init("after", 5);
    ASSERT_EQ(status, UV_ECANCELED);
    ASSERT_EQ(uv_write(req, (uv_stream_t*) &wb, &b, 1, cancelled_write_cb), 0);
  } else {
    ASSERT_EQ(status, 0);
    uv_close((uv_handle_t*) &wb, NULL);
  }
}

static void connect_cancelled_cb(uv_connect_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, UV_ECANCELED);
}

static void test_write_cancelled_by_close(void) {
  uv_tcp_t server, client;
  uv_connect_t creq;
  uv_write_t req;
  struct sockaddr_in addr;
  int len = sizeof(addr);
  uv_buf_t b = uv_buf_init("queued", 6);

  loop_start();
  cancel_write_cbs = 0;
  rlen = 0;
  stream_pair(&wa, &wb);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &wa, alloc_cb, read_cb), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &server), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
  ASSERT_EQ(uv_tcp_bind(&server, (const struct sockaddr*) &addr, 0), 0);
  ASSERT_EQ(uv_tcp_getsockname(&server, (struct sockaddr*) &addr, &len), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &client), 0);
  ASSERT_EQ(uv_tcp_connect(&creq, &client, (const struct sockaddr*) &addr, connect_cancelled_cb), 0);
  /* Queued behind the connect; the close cancels both. */
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &client, &b, 1, cancelled_write_cb), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &client, &b, 1, cancelled_write_cb), UV_EBUSY);
  uv_close((uv_handle_t*) &client, NULL);
  uv_close((uv_handle_t*) &server, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancel_write_cbs, 2);
  ASSERT_EQ(rlen, 5);
  ASSERT_MEM_EQ(rbuf, "after", 5);
  loop_finish();
}

/* ---- uv_shutdown ----------------------------------------------------------------------- */

static int shutdown_cbs;

static void shutdown_cb(uv_shutdown_t* req, int status) {
  ASSERT_EQ(status, 0);
  shutdown_cbs++;
  if (shutdown_cbs == 1) {
    ASSERT(req->handle == (uv_stream_t*) &wa);
    ASSERT_EQ(uv_shutdown(req, (uv_stream_t*) &wb, shutdown_cb), 0); /* other end, same req */
  } else {
    ASSERT(req->handle == (uv_stream_t*) &wb);
  }
}

static void test_shutdown(void) {
  uv_shutdown_t req;

  loop_start();
  shutdown_cbs = 0;
  stream_pair(&wa, &wb);
  ASSERT_EQ(uv_shutdown(&req, (uv_stream_t*) &wa, shutdown_cb), 0);
  ASSERT_EQ(uv_shutdown(&req, (uv_stream_t*) &wa, shutdown_cb), UV_ENOTCONN); /* as libuv */
  ASSERT_EQ(uv_shutdown(&req, (uv_stream_t*) &wb, shutdown_cb), UV_EBUSY);
  ASSERT(req.handle == (uv_stream_t*) &wa);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(shutdown_cbs, 2);
  loop_finish();
}

/* ---- uv_tcp_connect -------------------------------------------------------------------- */

static uv_tcp_t tserver, tc1, tc2, taccepted[2];
static int tcp_connects, tcp_accepts;
static struct sockaddr_in taddr;

static void tcp_connection_cb(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(tcp_accepts < 2);
  ASSERT_EQ(uv_tcp_init(&loop, &taccepted[tcp_accepts]), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &taccepted[tcp_accepts]), 0);
  tcp_accepts++;
}

static void tcp_connect_cb(uv_connect_t* req, int status) {
  ASSERT_EQ(status, 0);
  tcp_connects++;
  if (tcp_connects == 1) {
    ASSERT(req->handle == (uv_stream_t*) &tc1);
    ASSERT_EQ(uv_tcp_connect(req, &tc2, (const struct sockaddr*) &taddr, tcp_connect_cb), 0);
  } else {
    ASSERT(req->handle == (uv_stream_t*) &tc2);
  }
}

static void close_all_timer_cb(uv_timer_t* t) {
  uv_walk(t->loop, walk_close, NULL);
}

static void test_tcp_connect(void) {
  uv_connect_t req;
  uv_timer_t t;
  int len = sizeof(taddr);

  loop_start();
  tcp_connects = tcp_accepts = 0;
  ASSERT_EQ(uv_tcp_init(&loop, &tserver), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &taddr), 0);
  ASSERT_EQ(uv_tcp_bind(&tserver, (const struct sockaddr*) &taddr, 0), 0);
  ASSERT_EQ(uv_tcp_getsockname(&tserver, (struct sockaddr*) &taddr, &len), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &tserver, 8, tcp_connection_cb), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &tc1), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &tc2), 0);
  ASSERT_EQ(uv_tcp_connect(&req, &tc1, (const struct sockaddr*) &taddr, tcp_connect_cb), 0);
  /* On its own handle libuv's answer comes first: a connect is in progress. */
  ASSERT_EQ(uv_tcp_connect(&req, &tc1, (const struct sockaddr*) &taddr, tcp_connect_cb),
            UV_EALREADY);
  ASSERT_EQ(uv_tcp_connect(&req, &tc2, (const struct sockaddr*) &taddr, tcp_connect_cb), UV_EBUSY);
  ASSERT(req.handle == (uv_stream_t*) &tc1);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, close_all_timer_cb, 300, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(tcp_connects, 2);
  ASSERT_EQ(tcp_accepts, 2);
  loop_finish();
}

/* ---- uv_pipe_connect / uv_pipe_connect2 ------------------------------------------------ */

static uv_pipe_t pserver, pc1, pc2, paccepted[2];
static int pipe_connects, pipe_accepts;
static char pipe_name[64];

static void pipe_connection_cb(uv_stream_t* server, int status) {
  ASSERT_EQ(status, 0);
  ASSERT(pipe_accepts < 2);
  ASSERT_EQ(uv_pipe_init(&loop, &paccepted[pipe_accepts], 0), 0);
  ASSERT_EQ(uv_accept(server, (uv_stream_t*) &paccepted[pipe_accepts]), 0);
  pipe_accepts++;
}

static void pipe_connect_cb(uv_connect_t* req, int status) {
  ASSERT_EQ(status, 0);
  pipe_connects++;
  if (pipe_connects == 1) {
    ASSERT(req->handle == (uv_stream_t*) &pc1);
    uv_pipe_connect(req, &pc2, pipe_name, pipe_connect_cb);
  } else {
    ASSERT(req->handle == (uv_stream_t*) &pc2);
  }
}

static void test_pipe_connect(void) {
  uv_connect_t req;
  uv_timer_t t;

  loop_start();
  pipe_connects = pipe_accepts = 0;
  snprintf(pipe_name, sizeof(pipe_name), "/tmp/rsuv-resubmit-%d.sock", (int) getpid());
  unlink(pipe_name);
  ASSERT_EQ(uv_pipe_init(&loop, &pserver, 0), 0);
  ASSERT_EQ(uv_pipe_bind(&pserver, pipe_name), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &pserver, 8, pipe_connection_cb), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &pc1, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &pc2, 0), 0);
  ASSERT_EQ(uv_pipe_connect2(&req, &pc1, pipe_name, strlen(pipe_name), 0, pipe_connect_cb), 0);
  ASSERT_EQ(uv_pipe_connect2(&req, &pc1, pipe_name, strlen(pipe_name), 0, pipe_connect_cb),
            UV_EALREADY);
  ASSERT_EQ(uv_pipe_connect2(&req, &pc2, pipe_name, strlen(pipe_name), 0, pipe_connect_cb),
            UV_EBUSY);
  uv_pipe_connect(&req, &pc2, pipe_name, pipe_connect_cb); /* no return value: ignored */
  ASSERT(req.handle == (uv_stream_t*) &pc1);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, close_all_timer_cb, 300, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(pipe_connects, 2);
  ASSERT_EQ(pipe_accepts, 2);
  loop_finish();
  unlink(pipe_name);
}

/* ---- uv_udp_send ----------------------------------------------------------------------- */

static uv_udp_t userver, uclient;
static int udp_sends, udp_recvs;
static struct sockaddr_in uaddr;
static char udp_got[2][8];

static void udp_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[64];
  (void) h;
  (void) size;
  *buf = uv_buf_init(slab, sizeof(slab));
}

static void udp_recv_cb(uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const struct sockaddr* from,
                        unsigned flags) {
  (void) flags;
  if (n == 0 && from == NULL)
    return;
  ASSERT_EQ(n, 3);
  ASSERT(udp_recvs < 2);
  memcpy(udp_got[udp_recvs], buf->base, 3);
  udp_recvs++;
  if (udp_recvs == 2)
    uv_close((uv_handle_t*) h, NULL);
}

static void udp_send_cb(uv_udp_send_t* req, int status) {
  uv_buf_t b = uv_buf_init("two", 3);
  ASSERT_EQ(status, 0);
  udp_sends++;
  if (udp_sends == 1)
    ASSERT_EQ(uv_udp_send(req, &uclient, &b, 1, (const struct sockaddr*) &uaddr, udp_send_cb), 0);
  else
    uv_close((uv_handle_t*) &uclient, NULL);
}

static void test_udp_send(void) {
  uv_udp_send_t req;
  uv_buf_t b = uv_buf_init("one", 3);
  uv_buf_t x = uv_buf_init("XXX", 3);
  int len = sizeof(uaddr);

  loop_start();
  udp_sends = udp_recvs = 0;
  ASSERT_EQ(uv_udp_init(&loop, &userver), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &uaddr), 0);
  ASSERT_EQ(uv_udp_bind(&userver, (const struct sockaddr*) &uaddr, 0), 0);
  ASSERT_EQ(uv_udp_getsockname(&userver, (struct sockaddr*) &uaddr, &len), 0);
  ASSERT_EQ(uv_udp_recv_start(&userver, udp_alloc, udp_recv_cb), 0);
  ASSERT_EQ(uv_udp_init(&loop, &uclient), 0);
  ASSERT_EQ(uv_udp_send(&req, &uclient, &b, 1, (const struct sockaddr*) &uaddr, udp_send_cb), 0);
  ASSERT_EQ(uv_udp_send(&req, &uclient, &x, 1, (const struct sockaddr*) &uaddr, udp_send_cb),
            UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(udp_sends, 2);
  ASSERT_EQ(udp_recvs, 2);
  ASSERT_MEM_EQ(udp_got[0], "one", 3);
  ASSERT_MEM_EQ(udp_got[1], "two", 3);
  loop_finish();
}

/* ---- uv_fs_* (asynchronous) ------------------------------------------------------------- */

static int fs_cbs;
static char fs_dir[64];
static uv_file fs_fd = -1;
static char fs_data[6];

static void fs_again_cb(uv_fs_t* req) {
  ASSERT(req->result >= 0);
  fs_cbs++;
  uv_fs_req_cleanup(req);
}

/* The first callback checks its result and resubmits (another operation) from inside. */
static void fs_first_cb(uv_fs_t* req) {
  fs_cbs++;
  switch (req->fs_type) {
  case UV_FS_MKDTEMP:
    ASSERT_EQ(req->result, 0);
    snprintf(fs_dir, sizeof(fs_dir), "%s", req->path);
    uv_fs_req_cleanup(req);
    ASSERT_EQ(uv_fs_stat(&loop, req, fs_dir, fs_again_cb), 0);
    break;
  case UV_FS_OPEN:
    ASSERT(req->result >= 0);
    fs_fd = (uv_file) req->result;
    uv_fs_req_cleanup(req);
    ASSERT_EQ(uv_fs_fstat(&loop, req, fs_fd, fs_again_cb), 0);
    break;
  case UV_FS_WRITE:
    ASSERT_EQ(req->result, 6);
    uv_fs_req_cleanup(req);
    ASSERT_EQ(uv_fs_fsync(&loop, req, fs_fd, fs_again_cb), 0);
    break;
  case UV_FS_READ:
    ASSERT_EQ(req->result, 6);
    ASSERT_MEM_EQ(fs_data, "abcdef", 6);
    uv_fs_req_cleanup(req);
    ASSERT_EQ(uv_fs_close(&loop, req, fs_fd, fs_again_cb), 0);
    break;
  default:
    ASSERT(0);
  }
}

static void test_fs(void) {
  uv_fs_t req, tmp;
  char path[128], tmpl[64];
  uv_buf_t w = uv_buf_init("abcdef", 6), r = uv_buf_init(fs_data, 6);
  uv_buf_t x = uv_buf_init("XXXXXX", 6);

  loop_start();
  fs_cbs = 0;
  snprintf(tmpl, sizeof(tmpl), "/tmp/rsuv-resubmit-XXXXXX");
  ASSERT_EQ(uv_fs_mkdtemp(&loop, &req, tmpl, fs_first_cb), 0);
  ASSERT_EQ(uv_fs_mkdtemp(&loop, &req, tmpl, fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_fs_stat(&loop, &req, "/", fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fs_cbs, 2);

  snprintf(path, sizeof(path), "%s/f", fs_dir);
  ASSERT_EQ(uv_fs_open(&loop, &req, path, O_RDWR | O_CREAT, 0600, fs_first_cb), 0);
  ASSERT_EQ(uv_fs_open(&loop, &req, path, O_RDONLY, 0, fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fs_cbs, 4);

  ASSERT_EQ(uv_fs_write(&loop, &req, fs_fd, &w, 1, 0, fs_first_cb), 0);
  ASSERT_EQ(uv_fs_write(&loop, &req, fs_fd, &x, 1, 0, fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fs_cbs, 6);

  ASSERT_EQ(uv_fs_read(&loop, &req, fs_fd, &r, 1, 0, fs_first_cb), 0);
  ASSERT_EQ(uv_fs_read(&loop, &req, fs_fd, &r, 1, 0, fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_fs_unlink(&loop, &req, path, fs_first_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fs_cbs, 8);

  /* A synchronous call on another request meanwhile is unaffected. */
  ASSERT_EQ(uv_fs_unlink(NULL, &tmp, path, NULL), 0);
  uv_fs_req_cleanup(&tmp);
  ASSERT_EQ(uv_fs_rmdir(NULL, &tmp, fs_dir, NULL), 0);
  uv_fs_req_cleanup(&tmp);
  loop_finish();
}

/* ---- uv_queue_work, with uv_cancel ------------------------------------------------------ */

static int work_runs, after_runs, after_cancelled;
static uv_sem_t work_gate;

static void work_cb(uv_work_t* req) {
  (void) req;
  __atomic_fetch_add(&work_runs, 1, __ATOMIC_SEQ_CST);
}

static void after_cb(uv_work_t* req, int status) {
  ASSERT_EQ(status, 0);
  after_runs++;
  if (after_runs == 1)
    ASSERT_EQ(uv_queue_work(req->loop, req, work_cb, after_cb), 0);
}

static void blocked_work_cb(uv_work_t* req) {
  (void) req;
  uv_sem_wait(&work_gate);
}

static void blocked_after_cb(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
}

static void cancelled_after_cb(uv_work_t* req, int status) {
  after_cancelled++;
  if (after_cancelled == 1) {
    ASSERT_EQ(status, UV_ECANCELED);
    /* Handed back: the pool may have it again (the gate is open by now). */
    ASSERT_EQ(uv_queue_work(req->loop, req, work_cb, cancelled_after_cb), 0);
  } else {
    ASSERT_EQ(status, 0);
  }
}

static void test_queue_work(void) {
  uv_work_t req, blockers[4], victim;
  int i;

  loop_start();
  work_runs = after_runs = after_cancelled = 0;
  ASSERT_EQ(uv_queue_work(&loop, &req, work_cb, after_cb), 0);
  ASSERT_EQ(uv_queue_work(&loop, &req, work_cb, after_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(work_runs, 2);
  ASSERT_EQ(after_runs, 2);

  /* Cancelled: the request is handed back before its callback. */
  ASSERT_EQ(uv_sem_init(&work_gate, 0), 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_queue_work(&loop, &blockers[i], blocked_work_cb, blocked_after_cb), 0);
  ASSERT_EQ(uv_queue_work(&loop, &victim, work_cb, cancelled_after_cb), 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &victim), 0);
  ASSERT_EQ(uv_queue_work(&loop, &victim, work_cb, cancelled_after_cb), UV_EBUSY);
  for (i = 0; i < 4; i++)
    uv_sem_post(&work_gate);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(after_cancelled, 2);
  ASSERT_EQ(work_runs, 3);
  uv_sem_destroy(&work_gate);
  loop_finish();
}

/* ---- uv_getaddrinfo / uv_getnameinfo ---------------------------------------------------- */

static int gai_cbs, gni_cbs;

static void gai_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  ASSERT_EQ(status, 0);
  ASSERT(res != NULL);
  uv_freeaddrinfo(res);
  gai_cbs++;
  if (gai_cbs == 1)
    ASSERT_EQ(uv_getaddrinfo(req->loop, req, gai_cb, "localhost", NULL, NULL), 0);
}

static void gni_cb(uv_getnameinfo_t* req, int status, const char* host, const char* service) {
  struct sockaddr_in a;
  ASSERT_EQ(status, 0);
  ASSERT(host != NULL && service != NULL);
  gni_cbs++;
  if (gni_cbs == 1) {
    ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a), 0);
    ASSERT_EQ(uv_getnameinfo(req->loop, req, gni_cb, (const struct sockaddr*) &a, 0), 0);
  }
}

static void test_getaddrinfo(void) {
  uv_getaddrinfo_t req;

  loop_start();
  gai_cbs = 0;
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, gai_cb, "localhost", NULL, NULL), 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, gai_cb, "localhost", NULL, NULL), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(gai_cbs, 2);
  loop_finish();
}

static void test_getnameinfo(void) {
  uv_getnameinfo_t req;
  struct sockaddr_in a;

  loop_start();
  gni_cbs = 0;
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a), 0);
  ASSERT_EQ(uv_getnameinfo(&loop, &req, gni_cb, (const struct sockaddr*) &a, 0), 0);
  ASSERT_EQ(uv_getnameinfo(&loop, &req, gni_cb, (const struct sockaddr*) &a, 0), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(gni_cbs, 2);
  loop_finish();
}

/* ---- uv_random (asynchronous) ----------------------------------------------------------- */

static int random_cbs;
static unsigned char rnd[2][32];

static void random_cb(uv_random_t* req, int status, void* buf, size_t len) {
  ASSERT_EQ(status, 0);
  ASSERT(buf == rnd[random_cbs]);
  ASSERT_EQ(len, 32);
  random_cbs++;
  if (random_cbs == 1)
    ASSERT_EQ(uv_random(req->loop, req, rnd[1], 32, 0, random_cb), 0);
}

static void test_random(void) {
  uv_random_t req;

  loop_start();
  random_cbs = 0;
  ASSERT_EQ(uv_random(&loop, &req, rnd[0], 32, 0, random_cb), 0);
  ASSERT_EQ(uv_random(&loop, &req, rnd[1], 32, 0, random_cb), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(random_cbs, 2);
  ASSERT(memcmp(rnd[0], rnd[1], 32) != 0);
  loop_finish();
}

/* ---- uv_spawn on a running child's handle ----------------------------------------------- */

static int exit_cbs;
static int64_t exit_status;

static void exit_cb(uv_process_t* p, int64_t status, int sig) {
  ASSERT_EQ(sig, 0);
  exit_status = status;
  exit_cbs++;
  uv_close((uv_handle_t*) p, NULL);
}

static void test_spawn_running(void) {
  uv_process_t p;
  uv_process_options_t o;
  char* args[] = {"/bin/sh", "-c", "sleep 0.2; exit 7", NULL};
  char* args2[] = {"/bin/sh", "-c", "exit 9", NULL};
  int pid;

  loop_start();
  exit_cbs = 0;
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  pid = p.pid;
  ASSERT(pid > 0);
  o.args = args2;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EBUSY);
  ASSERT_EQ(p.pid, pid); /* untouched */
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_cbs, 1);
  ASSERT_EQ(exit_status, 7);
  /* Closed: the handle's memory may hold a new child. */
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_cbs, 2);
  ASSERT_EQ(exit_status, 9);
  loop_finish();
}

static const struct test_entry tests[] = {
    TEST_RSUV(write),
    TEST_RSUV(write_cancelled_by_close),
    TEST_RSUV(shutdown),
    TEST_RSUV(tcp_connect),
    TEST_RSUV(pipe_connect),
    TEST_RSUV(udp_send),
    TEST_RSUV(fs),
    TEST_RSUV(queue_work),
    TEST_RSUV(getaddrinfo),
    TEST_RSUV(getnameinfo),
    TEST_RSUV(random),
    TEST_RSUV(spawn_running),
};

RSUV_TEST_MAIN(tests)
