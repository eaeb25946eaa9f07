/* Echo load test shared by tcp_echo.c and pipe_echo.c.
 *
 * One loop runs a server and N clients. Phase 1 connects all N clients
 * (a bounded number of connects in flight) and waits until the server has
 * accepted all of them, so the N connections are open at the same time.
 * Phase 2 has every client send M bytes of its own pseudo-random stream;
 * the server echoes what it reads (it stops reading while too much of its
 * echo is still queued), and each client checks every byte it gets back
 * against the stream it sent. A client closes once it has all M bytes.
 *
 * Failures: a connect/accept/read/write error, a byte that differs, a
 * connection that ends before all M bytes came back, echo totals that do
 * not add up.
 *
 * Include after defining ECHO_PIPE (Unix domain sockets) or not (TCP).
 */
#include "stress_common.h"

#include <sys/stat.h>

union echo_handle {
  uv_tcp_t tcp;
  uv_pipe_t pipe;
  uv_stream_t stream;
  uv_handle_t handle;
};

struct client {
  union echo_handle h;
  uv_connect_t creq;
  uv_write_t wreq;
  uint32_t id;
  uint64_t sent;
  uint64_t recvd;
  unsigned char *wbuf;
  int done;
};

struct sconn {
  union echo_handle h;
  size_t queued; /* echo bytes written but not yet completed */
  int reading;
  int eof;
};

struct echo_write {
  uv_write_t req;
  struct sconn *c;
  char *base;
  size_t len;
};

static uv_loop_t *loop;
static union echo_handle server;
static struct client *clients;
static long nconns;
static uint64_t nbytes;
static size_t chunk;
static long next_connect, connecting, connected, accepted, accept_fails;
static long clients_done, sconns_closed;
static uint64_t total_echoed, total_verified;
static double t_start, t_connected, t_done;
static int phase2_started;
static unsigned char client_rbuf[65536];

#define CONNECT_WINDOW 128
/* Server read buffer and echo queue limit scale with the chunk size so
 * memory stays bounded with many connections. */
#define SERVER_BUF chunk
#define SERVER_QUEUE_LIMIT (2 * chunk)

static int handle_init(union echo_handle *h) {
#ifdef ECHO_PIPE
  return uv_pipe_init(loop, &h->pipe, 0);
#else
  return uv_tcp_init(loop, &h->tcp);
#endif
}

#ifdef ECHO_PIPE
static char pipe_path[256];
#else
static struct sockaddr_in server_addr;
#endif

static void start_phase2(void);
static void client_write_next(struct client *c);

static void maybe_finish(void) {
  if (clients_done == nconns && sconns_closed == nconns &&
      !uv_is_closing(&server.handle)) {
    t_done = stress_now();
    uv_close(&server.handle, NULL);
  }
}

/* ---- server ---- */

static void sconn_close_cb(uv_handle_t *h) {
  free(h->data);
  sconns_closed++;
  maybe_finish();
}

static void sconn_close(struct sconn *c) {
  if (!uv_is_closing(&c->h.handle)) {
    c->h.handle.data = c;
    uv_close(&c->h.handle, sconn_close_cb);
  }
}

static void server_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  buf->base = malloc(SERVER_BUF);
  buf->len = buf->base ? SERVER_BUF : 0;
}

static void server_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void echo_write_cb(uv_write_t *req, int status) {
  struct echo_write *w = (struct echo_write *)req;
  struct sconn *c = w->c;
  c->queued -= w->len;
  if (status == 0) {
    total_echoed += w->len;
  } else if (status != UV_ECANCELED) {
    stress_fail("server write: %s", uv_strerror(status));
  }
  free(w->base);
  free(w);
  if (uv_is_closing(&c->h.handle)) return;
  if (c->eof && c->queued == 0) {
    sconn_close(c);
  } else if (!c->reading && !c->eof && c->queued <= SERVER_QUEUE_LIMIT / 2) {
    STRESS_CHECK(uv_read_start(&c->h.stream, server_alloc, server_read));
    c->reading = 1;
  }
}

static void server_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct sconn *c = s->data;
  if (nread > 0) {
    struct echo_write *w = malloc(sizeof *w);
    uv_buf_t b = uv_buf_init(buf->base, (unsigned)nread);
    w->c = c;
    w->base = buf->base;
    w->len = (size_t)nread;
    c->queued += w->len;
    int r = uv_write(&w->req, s, &b, 1, echo_write_cb);
    if (r != 0) {
      stress_fail("server uv_write: %s", uv_strerror(r));
      c->queued -= w->len;
      free(w->base);
      free(w);
      sconn_close(c);
      return;
    }
    if (c->queued > SERVER_QUEUE_LIMIT) {
      uv_read_stop(s);
      c->reading = 0;
    }
    return;
  }
  free(buf->base);
  if (nread == 0) return;
  if (nread != UV_EOF) stress_fail("server read: %s", uv_strerror((int)nread));
  c->eof = 1;
  uv_read_stop(s);
  c->reading = 0;
  if (c->queued == 0 || nread != UV_EOF) sconn_close(c);
}

static void on_connection(uv_stream_t *srv, int status) {
  if (status != 0) {
    accept_fails++;
    stress_fail("connection callback: %s", uv_strerror(status));
    return;
  }
  struct sconn *c = calloc(1, sizeof *c);
  STRESS_CHECK(handle_init(&c->h));
  c->h.handle.data = c;
  int r = uv_accept(srv, &c->h.stream);
  if (r != 0) {
    accept_fails++;
    stress_fail("uv_accept: %s", uv_strerror(r));
    uv_close(&c->h.handle, (uv_close_cb)free);
    return;
  }
  accepted++;
  STRESS_CHECK(uv_read_start(&c->h.stream, server_alloc, server_read));
  c->reading = 1;
  if (accepted == nconns && connected == nconns) start_phase2();
}

/* ---- clients ---- */

static void client_close_cb(uv_handle_t *h) {
  struct client *c = h->data;
  free(c->wbuf);
  c->wbuf = NULL;
  clients_done++;
  maybe_finish();
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  buf->base = (char *)client_rbuf;
  buf->len = sizeof client_rbuf;
}

static void client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct client *c = s->data;
  if (nread == 0) return;
  if (nread < 0) {
    stress_fail("client %u: read ended (%s) after %llu of %llu bytes", c->id,
                uv_strerror((int)nread), (unsigned long long)c->recvd,
                (unsigned long long)nbytes);
    uv_close(&c->h.handle, client_close_cb);
    return;
  }
  if (c->recvd + (uint64_t)nread > nbytes) {
    stress_fail("client %u: %llu bytes more than it sent", c->id,
                (unsigned long long)(c->recvd + nread - nbytes));
    nread = (ssize_t)(nbytes - c->recvd);
  }
  long bad = stress_pattern_check(c->id, c->recvd,
                                  (const unsigned char *)buf->base,
                                  (size_t)nread);
  if (bad >= 0) {
    stress_fail("client %u: byte %llu differs from what it sent", c->id,
                (unsigned long long)(c->recvd + bad));
    uv_close(&c->h.handle, client_close_cb);
    return;
  }
  c->recvd += (uint64_t)nread;
  total_verified += (uint64_t)nread;
  if (c->recvd == nbytes) {
    c->done = 1;
    uv_close(&c->h.handle, client_close_cb);
  }
}

static void client_write_cb(uv_write_t *req, int status) {
  struct client *c = req->data;
  if (status != 0) {
    if (status != UV_ECANCELED)
      stress_fail("client %u write: %s", c->id, uv_strerror(status));
    return;
  }
  if (!uv_is_closing(&c->h.handle)) client_write_next(c);
}

static void client_write_next(struct client *c) {
  if (c->sent >= nbytes) return;
  size_t n = nbytes - c->sent < chunk ? (size_t)(nbytes - c->sent) : chunk;
  stress_pattern(c->id, c->sent, c->wbuf, n);
  c->sent += n;
  uv_buf_t b = uv_buf_init((char *)c->wbuf, (unsigned)n);
  c->wreq.data = c;
  int r = uv_write(&c->wreq, &c->h.stream, &b, 1, client_write_cb);
  if (r != 0) stress_fail("client %u uv_write: %s", c->id, uv_strerror(r));
}

static void start_connect(void);

static void on_connect(uv_connect_t *req, int status) {
  struct client *c = req->data;
  connecting--;
  if (status != 0) {
    stress_fail("client %u connect: %s", c->id, uv_strerror(status));
    uv_close(&c->h.handle, client_close_cb);
    sconns_closed++; /* no server side will exist for this one */
    return;
  }
  connected++;
  start_connect();
  if (accepted == nconns && connected == nconns) start_phase2();
}

static void start_connect(void) {
  while (connecting < CONNECT_WINDOW && next_connect < nconns) {
    struct client *c = &clients[next_connect++];
    c->id = (uint32_t)(c - clients);
    STRESS_CHECK(handle_init(&c->h));
    c->h.handle.data = c;
    c->creq.data = c;
    connecting++;
#ifdef ECHO_PIPE
    uv_pipe_connect(&c->creq, &c->h.pipe, pipe_path, on_connect);
#else
    int r = uv_tcp_connect(&c->creq, &c->h.tcp,
                           (const struct sockaddr *)&server_addr, on_connect);
    if (r != 0) {
      connecting--;
      stress_fail("uv_tcp_connect: %s", uv_strerror(r));
      uv_close(&c->h.handle, client_close_cb);
      sconns_closed++;
    }
#endif
  }
}

static void start_phase2(void) {
  if (phase2_started) return;
  phase2_started = 1;
  t_connected = stress_now();
  stress_fig("open_fds_at_peak", "%d", stress_fd_count());
  for (long i = 0; i < nconns; i++) {
    struct client *c = &clients[i];
    if (uv_is_closing(&c->h.handle)) continue;
    c->wbuf = malloc(chunk);
    if (c->wbuf == NULL) {
      stress_fail("out of memory");
      exit(1);
    }
    STRESS_CHECK(uv_read_start(&c->h.stream, client_alloc, client_read));
    client_write_next(c);
  }
}

static int echo_main(int argc, char **argv, const char *name,
                     long default_conns) {
  (void)name;
  stress_watchdog(1800);
  nconns = (long)stress_arg(argc, argv, 1, "STRESS_CONNS", default_conns);
  nbytes = (uint64_t)stress_arg(argc, argv, 2, "STRESS_BYTES", 1 << 20);
  chunk = (size_t)((256u << 20) / (uint64_t)nconns);
  if (chunk > 65536) chunk = 65536;
  if (chunk < 4096) chunk = 4096;

  /* Two descriptors per connection plus the loop's own and some slack. */
  if (stress_need_nofile((rlim_t)(2 * nconns + 64)) != 0)
    return stress_finish();

  loop = uv_default_loop();
  clients = calloc((size_t)nconns, sizeof *clients);
  if (clients == NULL) {
    stress_fail("out of memory");
    return stress_finish();
  }
  int fds_start = stress_fd_count();

  STRESS_CHECK(handle_init(&server));
#ifdef ECHO_PIPE
  snprintf(pipe_path, sizeof pipe_path, "/tmp/rsuv-stress-%s-%d.sock", name,
           (int)getpid());
  unlink(pipe_path);
  STRESS_CHECK(uv_pipe_bind(&server.pipe, pipe_path));
#else
  struct sockaddr_in a;
  int alen = sizeof a;
  STRESS_CHECK(uv_ip4_addr("127.0.0.1", 0, &a));
  STRESS_CHECK(uv_tcp_bind(&server.tcp, (const struct sockaddr *)&a, 0));
  STRESS_CHECK(
      uv_tcp_getsockname(&server.tcp, (struct sockaddr *)&server_addr, &alen));
#endif
  STRESS_CHECK(uv_listen(&server.stream, 4096, on_connection));

  t_start = stress_now();
  start_connect();
  STRESS_CHECK(uv_run(loop, UV_RUN_DEFAULT) < 0);
#ifdef ECHO_PIPE
  unlink(pipe_path);
#endif

  double conn_s = t_connected > 0 ? t_connected - t_start : 0;
  double xfer_s = t_done > t_connected ? t_done - t_connected : 0;
  long ok = 0;
  for (long i = 0; i < nconns; i++) ok += clients[i].done;
  stress_fig("connections", "%ld", nconns);
  stress_fig("bytes_per_conn", "%llu", (unsigned long long)nbytes);
  stress_fig("conns_verified", "%ld", ok);
  stress_fig("bytes_verified", "%llu", (unsigned long long)total_verified);
  stress_fig("connect_s", "%.2f", conn_s);
  stress_fig("transfer_s", "%.2f", xfer_s);
  stress_fig("MB_per_s", "%.1f",
             xfer_s > 0 ? (double)total_verified / xfer_s / 1e6 : 0.0);
  stress_fig("max_rss_MiB", "%.1f", stress_maxrss_kib() / 1024.0);

  if (ok != nconns)
    stress_fail("%ld of %ld connections did not get all their bytes back",
                nconns - ok, nconns);
  if (total_verified != (uint64_t)nconns * nbytes)
    stress_fail("verified %llu bytes, expected %llu",
                (unsigned long long)total_verified,
                (unsigned long long)((uint64_t)nconns * nbytes));
  if (total_echoed != total_verified)
    stress_fail("server echoed %llu bytes, clients verified %llu",
                (unsigned long long)total_echoed,
                (unsigned long long)total_verified);
  if (accepted != nconns)
    stress_fail("server accepted %ld of %ld", accepted, nconns);

  uv_loop_close(loop);
  int fds_end = stress_fd_count();
  stress_fig("fds_start_end", "%d/%d", fds_start, fds_end);
  if (fds_end > fds_start)
    stress_fail("%d descriptors leaked", fds_end - fds_start);
  free(clients);
  return stress_finish();
}
