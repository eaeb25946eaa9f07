/* soak <test> [cycles]   (cycles also from STRESS_CYCLES)
 *
 * Tests (default cycle counts):
 *   timer  1,000,000 timer start/stop cycles (some timers fire, and every
 *          100th cycle also initialises and closes a fresh timer)
 *   tcp      100,000 loopback TCP connect/close cycles (8 in parallel;
 *          the server closes first, the client reads EOF and closes)
 *   fs       100,000 async uv_fs_open/read/close cycles on a 4 KiB file,
 *          content checked (4 in parallel)
 *   spawn     10,000 uv_spawn("/bin/true"), wait for exit_cb, close
 *          (4 in parallel; exit status checked)
 *   dns      100,000 uv_getaddrinfo("localhost"), 16 in flight, result
 *          checked for a loopback address
 *
 * A warm-up of 1% of the cycles (at least 10) runs first so lazily created
 * state (threadpool, signal pipe, resolver files) exists before the first
 * measurement. RSS (/proc/self/statm) and the open descriptor count
 * (/proc/self/fd) are taken at start (after warm-up), middle and end.
 * Failures: RSS growth of more than 8 MiB (STRESS_RSS_MARGIN_KIB) from
 * middle to end, a different descriptor count at the end than at the
 * start, any operation that fails or returns wrong data.
 */
#include "stress_common.h"

#include <fcntl.h>
#include <netinet/in.h>

static uv_loop_t *loop;
static long total;     /* measured cycles */
static long warmup;    /* unmeasured cycles before them */
static long started;   /* cycles begun (warm-up included) */
static long finished;  /* cycles finished (warm-up included) */
static long errors;
static long rss_start, rss_mid, rss_end;
static int fd_start, fd_mid, fd_end;
static double t_start, t_end;

static uv_timer_t kicker;
static void (*kick)(void); /* restarts the parallel chains after warm-up */

static void kick_cb(uv_timer_t *t) {
  uv_close((uv_handle_t *)t, NULL);
  if (kick) kick();
}

/* Called after every finished cycle; takes the three samples. The start
 * and end samples are taken when no cycle is in flight (the warm-up is
 * drained first), so descriptor counts compare like with like; the middle
 * one is taken with cycles in flight. */
static void cycle_done(void) {
  finished++;
  if (finished == warmup) {
    rss_start = stress_rss_kib();
    fd_start = stress_fd_count();
    t_start = stress_now();
    uv_timer_init(loop, &kicker);
    uv_timer_start(&kicker, kick_cb, 0, 0);
  } else if (finished == warmup + total / 2) {
    rss_mid = stress_rss_kib();
    fd_mid = stress_fd_count();
  } else if (finished == warmup + total) {
    t_end = stress_now();
    rss_end = stress_rss_kib();
    fd_end = stress_fd_count();
  }
}

static long want_more(void) {
  if (started >= warmup + total) return 0;
  if (started >= warmup && finished < warmup) return 0; /* draining */
  started++;
  return 1;
}

static void op_error(const char *what, int err) {
  errors++;
  stress_fail("%s: %s", what, uv_strerror(err));
}

/* ---------------- timer ---------------- */

#define NTIMERS 64
static uv_timer_t timers[NTIMERS];
static uv_idle_t idler;
static long timer_fires;

static void timer_fire(uv_timer_t *t) {
  (void)t;
  timer_fires++;
}

static void idle_cb(uv_idle_t *h) {
  /* 1000 cycles per loop iteration, so the loop also runs timers. */
  for (int i = 0; i < 1000; i++) {
    if (!want_more()) {
      if (started < warmup + total) return; /* draining the warm-up */
      uv_idle_stop(h);
      uv_close((uv_handle_t *)h, NULL);
      for (int j = 0; j < NTIMERS; j++)
        uv_close((uv_handle_t *)&timers[j], NULL);
      return;
    }
    long n = started;
    uv_timer_t *t = &timers[n % NTIMERS];
    /* Start with a spread of timeouts; every 8th timer is left running
     * (a 0 ms one fires on the next iteration), the rest are stopped. */
    int r = uv_timer_start(t, timer_fire, (uint64_t)(n % 8 == 0 ? 0 : n % 50),
                           (n % 3 == 0) ? 5 : 0);
    if (r != 0) op_error("uv_timer_start", r);
    if (n % 8 != 0) {
      r = uv_timer_stop(t);
      if (r != 0) op_error("uv_timer_stop", r);
    }
    if (n % 100 == 0) {
      uv_timer_t *f = malloc(sizeof *f);
      uv_timer_init(loop, f);
      uv_timer_start(f, timer_fire, 1000, 0);
      uv_close((uv_handle_t *)f, (uv_close_cb)free);
    }
    cycle_done();
  }
}

static void run_timer(void) {
  for (int i = 0; i < NTIMERS; i++) STRESS_CHECK(uv_timer_init(loop, &timers[i]));
  STRESS_CHECK(uv_idle_init(loop, &idler));
  STRESS_CHECK(uv_idle_start(&idler, idle_cb));
}

/* ---------------- tcp ---------------- */

#define TCP_PAR 8
static uv_tcp_t tcp_server;
static struct sockaddr_in tcp_addr;
static long tcp_active;

struct tcp_client {
  uv_tcp_t h;
  uv_connect_t req;
};

static void tcp_next(void);

static void srv_conn_close(uv_handle_t *h) { free(h); }

static void on_tcp_connection(uv_stream_t *s, int status) {
  if (status != 0) {
    op_error("connection callback", status);
    return;
  }
  uv_tcp_t *c = malloc(sizeof *c);
  uv_tcp_init(loop, c);
  int r = uv_accept(s, (uv_stream_t *)c);
  if (r != 0) op_error("uv_accept", r);
  uv_close((uv_handle_t *)c, srv_conn_close); /* server closes first */
}

static void tcp_client_closed(uv_handle_t *h) {
  free(h->data);
  tcp_active--;
  cycle_done();
  tcp_next();
}

static void tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  static char b[64];
  (void)h;
  (void)hint;
  buf->base = b;
  buf->len = sizeof b;
}

static void tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  if (nread == 0) return;
  if (nread > 0) {
    errors++;
    stress_fail("unexpected data from the server");
  } else if (nread != UV_EOF && nread != UV_ECONNRESET) {
    op_error("client read", (int)nread);
  }
  uv_close((uv_handle_t *)s, tcp_client_closed);
}

static void tcp_connected(uv_connect_t *req, int status) {
  struct tcp_client *c = req->data;
  if (status != 0) {
    op_error("connect", status);
    uv_close((uv_handle_t *)&c->h, tcp_client_closed);
    return;
  }
  int r = uv_read_start((uv_stream_t *)&c->h, tcp_alloc, tcp_read);
  if (r != 0) {
    op_error("uv_read_start", r);
    uv_close((uv_handle_t *)&c->h, tcp_client_closed);
  }
}

static void tcp_next(void) {
  while (tcp_active < TCP_PAR && want_more()) {
    struct tcp_client *c = malloc(sizeof *c);
    STRESS_CHECK(uv_tcp_init(loop, &c->h));
    c->h.data = c;
    c->req.data = c;
    tcp_active++;
    int r = uv_tcp_connect(&c->req, &c->h, (const struct sockaddr *)&tcp_addr,
                           tcp_connected);
    if (r != 0) {
      op_error("uv_tcp_connect", r);
      uv_close((uv_handle_t *)&c->h, tcp_client_closed);
    }
  }
  if (tcp_active == 0 && started >= warmup + total &&
      !uv_is_closing((uv_handle_t *)&tcp_server))
    uv_close((uv_handle_t *)&tcp_server, NULL);
}

static void run_tcp(void) {
  int len = sizeof tcp_addr;
  STRESS_CHECK(uv_ip4_addr("127.0.0.1", 0, &tcp_addr));
  STRESS_CHECK(uv_tcp_init(loop, &tcp_server));
  STRESS_CHECK(uv_tcp_bind(&tcp_server, (const struct sockaddr *)&tcp_addr, 0));
  STRESS_CHECK(uv_tcp_getsockname(&tcp_server, (struct sockaddr *)&tcp_addr, &len));
  STRESS_CHECK(uv_listen((uv_stream_t *)&tcp_server, 256, on_tcp_connection));
  tcp_next();
}

/* ---------------- fs ---------------- */

#define FS_PAR 4
#define FS_SIZE 4096
static char fs_path[256];
static unsigned char fs_expect[FS_SIZE];

struct fs_chain {
  uv_fs_t req;
  uv_file fd;
  unsigned char buf[FS_SIZE];
};

static void fs_start(struct fs_chain *c);

static void fs_closed(uv_fs_t *req) {
  struct fs_chain *c = req->data;
  if (req->result < 0) op_error("uv_fs_close", (int)req->result);
  uv_fs_req_cleanup(req);
  cycle_done();
  fs_start(c);
}

static void fs_read_done(uv_fs_t *req) {
  struct fs_chain *c = req->data;
  if (req->result < 0) {
    op_error("uv_fs_read", (int)req->result);
  } else if (req->result != FS_SIZE || memcmp(c->buf, fs_expect, FS_SIZE)) {
    errors++;
    stress_fail("uv_fs_read returned %ld bytes / wrong content",
                (long)req->result);
  }
  uv_fs_req_cleanup(req);
  STRESS_CHECK(uv_fs_close(loop, &c->req, c->fd, fs_closed));
}

static void fs_opened(uv_fs_t *req) {
  struct fs_chain *c = req->data;
  if (req->result < 0) {
    op_error("uv_fs_open", (int)req->result);
    uv_fs_req_cleanup(req);
    cycle_done();
    fs_start(c);
    return;
  }
  c->fd = (uv_file)req->result;
  uv_fs_req_cleanup(req);
  memset(c->buf, 0, FS_SIZE);
  uv_buf_t b = uv_buf_init((char *)c->buf, FS_SIZE);
  STRESS_CHECK(uv_fs_read(loop, &c->req, c->fd, &b, 1, 0, fs_read_done));
}

static long fs_active;

static void fs_start(struct fs_chain *c) {
  if (!want_more()) {
    fs_active--;
    free(c);
    return;
  }
  c->req.data = c;
  STRESS_CHECK(uv_fs_open(loop, &c->req, fs_path, O_RDONLY, 0, fs_opened));
}

static void kick_fs(void) {
  while (fs_active < FS_PAR && started < warmup + total) {
    fs_active++;
    fs_start(calloc(1, sizeof(struct fs_chain)));
  }
}

static void run_fs(void) {
  uv_fs_t req;
  snprintf(fs_path, sizeof fs_path, "/tmp/rsuv-soak-fs-%d", (int)getpid());
  stress_pattern(42, 0, fs_expect, FS_SIZE);
  int fd = uv_fs_open(NULL, &req, fs_path, O_WRONLY | O_CREAT | O_TRUNC, 0600,
                      NULL);
  uv_fs_req_cleanup(&req);
  if (fd < 0) STRESS_CHECK(fd);
  uv_buf_t b = uv_buf_init((char *)fs_expect, FS_SIZE);
  if (uv_fs_write(NULL, &req, fd, &b, 1, 0, NULL) != FS_SIZE)
    STRESS_CHECK(UV_EIO);
  uv_fs_req_cleanup(&req);
  uv_fs_close(NULL, &req, fd, NULL);
  uv_fs_req_cleanup(&req);
  kick_fs();
}

/* ---------------- spawn ---------------- */

#define SPAWN_PAR 4
static long spawn_active;
static void spawn_next(void);

static void proc_closed(uv_handle_t *h) {
  free(h);
  spawn_active--;
  cycle_done();
  spawn_next();
}

static void proc_exit(uv_process_t *p, int64_t status, int sig) {
  if (status != 0 || sig != 0) {
    errors++;
    stress_fail("/bin/true exited with %lld (signal %d)", (long long)status,
                sig);
  }
  uv_close((uv_handle_t *)p, proc_closed);
}

static void spawn_next(void) {
  while (spawn_active < SPAWN_PAR && want_more()) {
    static char *args[] = {"/bin/true", NULL};
    uv_process_options_t opt;
    memset(&opt, 0, sizeof opt);
    opt.file = "/bin/true";
    opt.args = args;
    opt.exit_cb = proc_exit;
    uv_process_t *p = malloc(sizeof *p);
    spawn_active++;
    int r = uv_spawn(loop, p, &opt);
    if (r != 0) {
      op_error("uv_spawn", r);
      uv_close((uv_handle_t *)p, proc_closed);
    }
  }
}

static void run_spawn(void) { spawn_next(); }

/* ---------------- dns ---------------- */

#define DNS_PAR 16
static long dns_active;
static void dns_next(void);

static void dns_done(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  free(req);
  dns_active--;
  if (status != 0) {
    op_error("uv_getaddrinfo(localhost)", status);
  } else {
    int loopback = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
      if (a->ai_family == AF_INET &&
          ((struct sockaddr_in *)a->ai_addr)->sin_addr.s_addr ==
              htonl(INADDR_LOOPBACK))
        loopback = 1;
      if (a->ai_family == AF_INET6 &&
          memcmp(&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr,
                 &in6addr_loopback, sizeof(struct in6_addr)) == 0)
        loopback = 1;
    }
    if (!loopback) {
      errors++;
      stress_fail("localhost did not resolve to a loopback address");
    }
  }
  uv_freeaddrinfo(res);
  cycle_done();
  dns_next();
}

static void dns_next(void) {
  while (dns_active < DNS_PAR && want_more()) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    uv_getaddrinfo_t *req = malloc(sizeof *req);
    dns_active++;
    int r = uv_getaddrinfo(loop, req, dns_done, "localhost", NULL, &hints);
    if (r != 0) {
      op_error("uv_getaddrinfo", r);
      free(req);
      dns_active--;
      cycle_done();
    }
  }
}

static void run_dns(void) { dns_next(); }

/* ---------------- main ---------------- */

static const struct {
  const char *name;
  long cycles;
  void (*run)(void);
  void (*kick)(void);
} tests[] = {
    {"timer", 1000000, run_timer, NULL}, {"tcp", 100000, run_tcp, tcp_next},
    {"fs", 100000, run_fs, kick_fs},     {"spawn", 10000, run_spawn, spawn_next},
    {"dns", 100000, run_dns, dns_next},
};

int main(int argc, char **argv) {
  int t = -1;
  for (size_t i = 0; argc > 1 && i < sizeof tests / sizeof tests[0]; i++)
    if (strcmp(argv[1], tests[i].name) == 0) t = (int)i;
  if (t < 0) {
    fprintf(stderr, "usage: soak timer|tcp|fs|spawn|dns [cycles]\n");
    return 2;
  }
  stress_watchdog(1800);
  total = (long)stress_arg(argc, argv, 2, "STRESS_CYCLES", tests[t].cycles);
  warmup = total / 100 < 10 ? 10 : total / 100;
  long margin_kib = (long)stress_arg(0, NULL, 0, "STRESS_RSS_MARGIN_KIB", 8192);
  loop = uv_default_loop();

  kick = tests[t].kick;
  tests[t].run();
  STRESS_CHECK(uv_run(loop, UV_RUN_DEFAULT) < 0);
  if (fs_path[0]) unlink(fs_path);

  long measured = finished - warmup;
  stress_fig("test", "%s", tests[t].name);
  stress_fig("cycles", "%ld", measured);
  stress_fig("seconds", "%.2f", t_end - t_start);
  stress_fig("cycles_per_s", "%.0f",
             t_end > t_start ? measured / (t_end - t_start) : 0.0);
  stress_fig("rss_KiB_start_mid_end", "%ld/%ld/%ld", rss_start, rss_mid,
             rss_end);
  stress_fig("fds_start_mid_end", "%d/%d/%d", fd_start, fd_mid, fd_end);
  stress_fig("errors", "%ld", errors);
  if (t == 0) stress_fig("timer_fires", "%ld", timer_fires);

  if (measured != total)
    stress_fail("%ld of %ld cycles finished", measured, total);
  if (rss_end - rss_mid > margin_kib)
    stress_fail("RSS grew by %ld KiB between the middle and the end "
                "(margin %ld KiB)", rss_end - rss_mid, margin_kib);
  if (fd_end != fd_start)
    stress_fail("%d descriptors open at the end, %d at the start", fd_end,
                fd_start);
  if (uv_loop_close(loop) != 0) stress_fail("uv_loop_close: handles left open");
  return stress_finish();
}
