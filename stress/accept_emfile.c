/* accept_emfile [window_ms=2000] [headroom=32]
 *
 * A TCP listener on 127.0.0.1 whose process runs out of descriptors while
 * clients keep connecting. The clients run in a child process (this same
 * program, started with uv_spawn as "accept_emfile client <port> <s>"):
 * it opens about 200 connections a second, keeps every connection the
 * server accepts open, and reconnects when the server closes one.
 *
 * The server lowers its soft RLIMIT_NOFILE to `headroom` descriptors above
 * what it uses, accepts (and keeps) connections until accept fails with
 * EMFILE, then:
 *   1. measures its own CPU time over `window_ms` of wall time while the
 *      client keeps connecting (getrusage). A listener that spins on a
 *      readable socket it cannot accept from uses ~100% of one core;
 *   2. checks that the listener is still active (uv_is_active) and counts
 *      connection callbacks (libuv reports UV_EMFILE to the callback after
 *      accepting and closing the pending connection with its spare fd);
 *   3. closes all accepted connections and checks that new connections
 *      are accepted again within 5 s.
 *
 * Failures: CPU time > 90% of the window (spinning), listener no longer
 * active, no accept after descriptors were freed, setup errors.
 */
#include "stress_common.h"

/* ---- client (child process) ---- */

static uv_loop_t *loop;
static struct sockaddr_in srv_addr;
static long c_open, c_connects, c_connect_errors, c_dropped;
static long c_max_open = 2000;

static void c_close_cb(uv_handle_t *h) {
  free(h);
  c_open--;
}

static void c_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  static char b[256];
  (void)h;
  (void)hint;
  buf->base = b;
  buf->len = sizeof b;
}

static void c_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  (void)buf;
  if (nread < 0) {
    c_dropped++;
    uv_close((uv_handle_t *)s, c_close_cb);
  }
}

static void c_connect_cb(uv_connect_t *req, int status) {
  uv_stream_t *s = req->handle;
  free(req);
  if (status != 0) {
    c_connect_errors++;
    uv_close((uv_handle_t *)s, c_close_cb);
    return;
  }
  c_connects++;
  if (uv_read_start(s, c_alloc, c_read) != 0)
    uv_close((uv_handle_t *)s, c_close_cb);
}

static void c_tick(uv_timer_t *t) {
  (void)t;
  if (c_open >= c_max_open) return;
  uv_tcp_t *h = malloc(sizeof *h);
  uv_connect_t *req = malloc(sizeof *req);
  uv_tcp_init(loop, h);
  c_open++;
  if (uv_tcp_connect(req, h, (const struct sockaddr *)&srv_addr,
                     c_connect_cb) != 0) {
    free(req);
    c_connect_errors++;
    uv_close((uv_handle_t *)h, c_close_cb);
  }
}

static void c_report(void) {
  /* Connections the server closed include those closed by libuv's
   * spare-descriptor trick while it was out of descriptors. */
  printf("FIG client_connects %ld\nFIG client_connect_errors %ld\n"
         "FIG client_closed_by_server %ld\n",
         c_connects, c_connect_errors, c_dropped);
  fflush(stdout);
}

static void c_stop(uv_signal_t *s, int signum) {
  (void)s;
  (void)signum;
  c_report();
  exit(0);
}

static void c_timeout(uv_timer_t *t) {
  (void)t;
  c_report();
  exit(0);
}

static int client_main(int port, int seconds) {
  uv_timer_t tick, end;
  uv_signal_t sig;
  loop = uv_default_loop();
  stress_need_nofile(c_max_open + 64);
  uv_ip4_addr("127.0.0.1", port, &srv_addr);
  uv_timer_init(loop, &tick);
  uv_timer_start(&tick, c_tick, 5, 5);
  uv_timer_init(loop, &end);
  uv_timer_start(&end, c_timeout, (uint64_t)seconds * 1000, 0);
  uv_signal_init(loop, &sig);
  uv_signal_start(&sig, c_stop, SIGTERM);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}

/* ---- server ---- */

enum phase { FILL, WINDOW, RECOVER, DONE };

static uv_tcp_t server;
static uv_timer_t ticker;
static uv_process_t child;
static int child_alive;
static enum phase phase = FILL;
static uv_tcp_t **conns;
static long nconns, cap_conns;
static long accepted_total, emfile_cbs, other_err_cbs;
static long accepts_in_window, cbs_in_window, accepts_after_free;
static double phase_t0, cpu_t0, window_s;
static double cpu_pct = -1;
static int active_in_window = -1, active_at_end = -1;
static int recovered;
static int window_ms;
static rlim_t limit;
static long last_accepted;
static double last_accept_t;
static int fds_at_saturation;

static void conn_close_cb(uv_handle_t *h) { free(h); }

static void on_connection(uv_stream_t *srv, int status) {
  if (phase == WINDOW) cbs_in_window++;
  if (status != 0) {
    if (status == UV_EMFILE || status == UV_ENFILE) emfile_cbs++;
    else other_err_cbs++;
    return;
  }
  uv_tcp_t *c = malloc(sizeof *c);
  uv_tcp_init(loop, c);
  int r = uv_accept(srv, (uv_stream_t *)c);
  if (r != 0) {
    other_err_cbs++;
    uv_close((uv_handle_t *)c, conn_close_cb);
    return;
  }
  accepted_total++;
  if (phase == WINDOW) accepts_in_window++;
  if (phase == RECOVER) accepts_after_free++;
  if (nconns == cap_conns) {
    cap_conns = cap_conns ? 2 * cap_conns : 256;
    conns = realloc(conns, (size_t)cap_conns * sizeof *conns);
  }
  conns[nconns++] = c;
}

static void child_exit(uv_process_t *p, int64_t status, int sig) {
  (void)status;
  (void)sig;
  child_alive = 0;
  uv_close((uv_handle_t *)p, NULL);
}

static void finish(void) {
  phase = DONE;
  active_at_end = uv_is_active((uv_handle_t *)&server);
  uv_timer_stop(&ticker);
  uv_close((uv_handle_t *)&ticker, NULL);
  uv_close((uv_handle_t *)&server, NULL);
  for (long i = 0; i < nconns; i++)
    uv_close((uv_handle_t *)conns[i], conn_close_cb);
  nconns = 0;
  if (child_alive) uv_process_kill(&child, SIGTERM);
}

static void tick(uv_timer_t *t) {
  (void)t;
  double now = stress_now();
  switch (phase) {
  case FILL:
    /* Saturated once the descriptor table is full (or accept reported
     * EMFILE, or no accept for 500 ms); after 10 s at the latest. libuv
     * itself does not call the connection callback here: it accepts and
     * closes pending connections with its spare descriptor. */
    if (accepted_total != last_accepted) {
      last_accepted = accepted_total;
      last_accept_t = now;
    }
    if (emfile_cbs > 0 || stress_fd_count() < 0 ||
        stress_fd_count() + 1 >= (int)limit ||
        (accepted_total > 0 && now - last_accept_t > 0.5) ||
        now - phase_t0 > 10.0) {
      if (now - phase_t0 > 10.0)
        printf("# not saturated within 10 s (%ld accepted)\n",
               accepted_total);
      fds_at_saturation = stress_fd_count(); /* -1: cannot even open one */
      phase = WINDOW;
      phase_t0 = now;
      cpu_t0 = stress_cpu_s();
    }
    break;
  case WINDOW:
    if (now - phase_t0 >= window_ms / 1000.0) {
      window_s = now - phase_t0;
      cpu_pct = 100.0 * (stress_cpu_s() - cpu_t0) / window_s;
      active_in_window = uv_is_active((uv_handle_t *)&server);
      for (long i = 0; i < nconns; i++)
        uv_close((uv_handle_t *)conns[i], conn_close_cb);
      nconns = 0;
      phase = RECOVER;
      phase_t0 = now;
    }
    break;
  case RECOVER:
    if (accepts_after_free >= 10) recovered = 1;
    if (recovered || now - phase_t0 > 5.0) finish();
    break;
  case DONE:
    break;
  }
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "client") == 0)
    return client_main(atoi(argv[2]), atoi(argv[3]));

  stress_watchdog(120);
  window_ms = (int)stress_arg(argc, argv, 1, "STRESS_WINDOW_MS", 2000);
  int headroom = (int)stress_arg(argc, argv, 2, "STRESS_HEADROOM", 32);
  loop = uv_default_loop();

  struct sockaddr_in a;
  int alen = sizeof a;
  STRESS_CHECK(uv_ip4_addr("127.0.0.1", 0, &a));
  STRESS_CHECK(uv_tcp_init(loop, &server));
  STRESS_CHECK(uv_tcp_bind(&server, (const struct sockaddr *)&a, 0));
  STRESS_CHECK(uv_tcp_getsockname(&server, (struct sockaddr *)&a, &alen));
  STRESS_CHECK(uv_listen((uv_stream_t *)&server, 128, on_connection));
  STRESS_CHECK(uv_timer_init(loop, &ticker));

  /* Start the client before the limit goes down. */
  char exe[4096], port[16], secs[16];
  size_t exelen = sizeof exe;
  STRESS_CHECK(uv_exepath(exe, &exelen));
  snprintf(port, sizeof port, "%d", ntohs(a.sin_port));
  snprintf(secs, sizeof secs, "%d", 30 + window_ms / 1000);
  char *args[] = {exe, "client", port, secs, NULL};
  uv_stdio_container_t stdio[3] = {{UV_IGNORE, {0}},
                                   {UV_INHERIT_FD, {.fd = 1}},
                                   {UV_INHERIT_FD, {.fd = 2}}};
  uv_process_options_t opt;
  memset(&opt, 0, sizeof opt);
  opt.file = exe;
  opt.args = args;
  opt.exit_cb = child_exit;
  opt.stdio = stdio;
  opt.stdio_count = 3;
  STRESS_CHECK(uv_spawn(loop, &child, &opt));
  child_alive = 1;

  struct rlimit old, rl;
  getrlimit(RLIMIT_NOFILE, &old);
  rl = old;
  /* Existing descriptors keep working above the limit; new ones get the
   * lowest free numbers below it, so `headroom` of them remain. */
  rl.rlim_cur = limit = (rlim_t)(stress_fd_count() + headroom);
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    stress_fail("setrlimit: %s", strerror(errno));
    return stress_finish();
  }
  stress_fig("nofile_limit", "%llu", (unsigned long long)rl.rlim_cur);

  phase_t0 = stress_now();
  STRESS_CHECK(uv_timer_start(&ticker, tick, 20, 20));
  STRESS_CHECK(uv_run(loop, UV_RUN_DEFAULT) < 0);
  setrlimit(RLIMIT_NOFILE, &old);

  stress_fig("accepted_before_emfile", "%ld",
             accepted_total - accepts_in_window - accepts_after_free);
  stress_fig("fd_table_full", "%s",
             fds_at_saturation < 0 || fds_at_saturation + 1 >= (int)limit
                 ? "yes" : "no");
  stress_fig("emfile_callbacks", "%ld", emfile_cbs);
  stress_fig("other_error_callbacks", "%ld", other_err_cbs);
  stress_fig("window_s", "%.2f", window_s);
  stress_fig("cpu_pct_in_window", "%.1f", cpu_pct);
  stress_fig("callbacks_in_window", "%ld", cbs_in_window);
  stress_fig("accepts_in_window", "%ld", accepts_in_window);
  stress_fig("listener_active", "%s",
             active_in_window > 0 && active_at_end > 0 ? "yes" : "no");
  stress_fig("accepts_after_free", "%ld", accepts_after_free);
  stress_fig("recovered", "%s", recovered ? "yes" : "no");

  if (cpu_pct < 0) stress_fail("the measurement window never ran");
  if (cpu_pct > 90.0)
    stress_fail("the process used %.0f%% CPU while out of descriptors "
                "(spinning)", cpu_pct);
  if (active_in_window == 0 || active_at_end == 0)
    stress_fail("the listener stopped being active after EMFILE");
  if (!recovered)
    stress_fail("no connection accepted within 5 s after freeing "
                "descriptors (%ld accepted)", accepts_after_free);
  uv_loop_close(loop);
  return stress_finish();
}
