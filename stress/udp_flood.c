/* udp_flood [datagrams=1000000] [window=64] [credit=256]
 * (or STRESS_DATAGRAMS / STRESS_WINDOW / STRESS_CREDIT)
 *
 * One loop, two UDP sockets on 127.0.0.1. The sender keeps at most
 * `window` uv_udp_send requests in flight and sends the next datagram from
 * each send callback. Send callbacks alone do not pace a loopback sender
 * (a send completes at once, so the callback chain can run far ahead of
 * the receiver and overflow its queue), so there is also backpressure: a
 * send callback parks its request while more than `credit` datagrams are
 * ahead of the highest sequence number received; the receive callback
 * resumes parked requests, and a 10 ms timer resumes them if reception
 * stalls (the datagrams in between were dropped). credit=0 turns the
 * backpressure off (pure callback pacing). Every 64-byte
 * datagram carries a 32-bit sequence number and 60 bytes derived from it.
 * The receiver checks the payload and counts received, duplicates and
 * reordered datagrams; lost = sent - distinct received.
 *
 * Loopback UDP may drop datagrams when the receive queue is full, so loss
 * is reported, not asserted. Failures: a corrupted or wrong-size datagram,
 * a sequence number that was never sent, a duplicate (the kernel does not
 * duplicate on loopback, so that would be the library delivering a
 * datagram twice), more datagrams received than sent, a receive error.
 */
#include "stress_common.h"

#define PAYLOAD 64

struct sreq {
  uv_udp_send_t req;
  unsigned char buf[PAYLOAD];
};

static uv_loop_t *loop;
static uv_udp_t tx, rx;
static uv_timer_t drain, stall;
static uint32_t credit;
static struct sreq **parked;
static uint32_t nparked;
static int64_t stall_seen = -2;
static uint64_t stall_resumes, parks;
static struct sockaddr_in rx_addr;
static uint32_t total, window;
static uint32_t next_seq, in_flight;
static uint64_t sent_ok, send_errors, completed;
static uint64_t received, duplicates, reordered, bad;
static int64_t max_seen = -1;
static unsigned char *seen;
static unsigned char rbuf[65536];
static double t0, t_sent, t_end;
static uint64_t last_received;
static int idle_ticks;

static void fill(unsigned char *b, uint32_t seq) {
  memcpy(b, &seq, 4);
  stress_pattern(seq, 0, b + 4, PAYLOAD - 4);
}

static void send_cb(uv_udp_send_t *req, int status);
static void send_one(struct sreq *r);

static int over_credit(void) {
  return credit != 0 && (int64_t)next_seq - 1 - max_seen > (int64_t)credit;
}

static void resume_parked(void) {
  while (nparked > 0 && next_seq < total) send_one(parked[--nparked]);
}

static void stall_cb(uv_timer_t *t) {
  (void)t;
  if (nparked > 0 && max_seen == stall_seen) {
    stall_resumes++;
    resume_parked();
  }
  stall_seen = max_seen;
}

static void send_one(struct sreq *r) {
  uint32_t seq = next_seq++;
  fill(r->buf, seq);
  uv_buf_t b = uv_buf_init((char *)r->buf, PAYLOAD);
  in_flight++;
  int e = uv_udp_send(&r->req, &tx, &b, 1, (const struct sockaddr *)&rx_addr,
                      send_cb);
  if (e != 0) {
    stress_fail("uv_udp_send: %s", uv_strerror(e));
    exit(stress_finish());
  }
}

static void drain_cb(uv_timer_t *t) {
  (void)t;
  /* Stop once everything sent has arrived, or nothing new arrived in
   * 500 ms (the rest was dropped). */
  if (received + 0 >= sent_ok || received == last_received) {
    if (received >= sent_ok || ++idle_ticks >= 5) {
      t_end = stress_now();
      uv_close((uv_handle_t *)&tx, NULL);
      uv_close((uv_handle_t *)&rx, NULL);
      uv_close((uv_handle_t *)&drain, NULL);
      uv_close((uv_handle_t *)&stall, NULL);
      return;
    }
  } else {
    idle_ticks = 0;
  }
  last_received = received;
}

static void send_cb(uv_udp_send_t *req, int status) {
  struct sreq *r = (struct sreq *)req;
  in_flight--;
  completed++;
  if (status == 0) sent_ok++;
  else send_errors++;
  if (next_seq < total && over_credit()) {
    parked[nparked++] = r;
    parks++;
  } else if (next_seq < total) {
    send_one(r);
  } else {
    free(r);
    if (in_flight == 0) {
      t_sent = stress_now();
      last_received = received;
      STRESS_CHECK(uv_timer_start(&drain, drain_cb, 100, 100));
    }
  }
}

static void rx_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  (void)h;
  (void)hint;
  buf->base = (char *)rbuf;
  buf->len = sizeof rbuf;
}

static void rx_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                  const struct sockaddr *addr, unsigned flags) {
  (void)h;
  (void)flags;
  if (nread == 0 && addr == NULL) return;
  if (nread < 0) {
    stress_fail("receive: %s", uv_strerror((int)nread));
    return;
  }
  uint32_t seq;
  if (nread != PAYLOAD) {
    bad++;
    stress_fail("datagram of %zd bytes, expected %d", nread, PAYLOAD);
    return;
  }
  memcpy(&seq, buf->base, 4);
  if (seq >= total || seq >= next_seq) {
    bad++;
    stress_fail("sequence number %u was never sent", seq);
    return;
  }
  if (stress_pattern_check(seq, 0, (unsigned char *)buf->base + 4,
                           PAYLOAD - 4) >= 0) {
    bad++;
    stress_fail("datagram %u has a corrupted payload", seq);
    return;
  }
  if (seen[seq >> 3] & (1u << (seq & 7))) {
    duplicates++;
    return;
  }
  seen[seq >> 3] |= (unsigned char)(1u << (seq & 7));
  received++;
  if ((int64_t)seq < max_seen) reordered++;
  else max_seen = seq;
  if (nparked > 0 && !over_credit()) resume_parked();
}

int main(int argc, char **argv) {
  stress_watchdog(900);
  total = (uint32_t)stress_arg(argc, argv, 1, "STRESS_DATAGRAMS", 1000000);
  window = (uint32_t)stress_arg(argc, argv, 2, "STRESS_WINDOW", 64);
  credit = (uint32_t)stress_arg(argc, argv, 3, "STRESS_CREDIT", 256);
  if (argc > 3 && strcmp(argv[3], "0") == 0) credit = 0;
  seen = calloc(total / 8 + 1, 1);
  parked = calloc(window, sizeof *parked);
  loop = uv_default_loop();
  int fds_start = stress_fd_count();

  struct sockaddr_in a;
  int alen = sizeof rx_addr;
  STRESS_CHECK(uv_ip4_addr("127.0.0.1", 0, &a));
  STRESS_CHECK(uv_udp_init(loop, &rx));
  STRESS_CHECK(uv_udp_bind(&rx, (const struct sockaddr *)&a, 0));
  STRESS_CHECK(uv_udp_getsockname(&rx, (struct sockaddr *)&rx_addr, &alen));
  int rcvbuf = 4 << 20;
  if (uv_recv_buffer_size((uv_handle_t *)&rx, &rcvbuf) == 0) {
    rcvbuf = 0;
    uv_recv_buffer_size((uv_handle_t *)&rx, &rcvbuf);
  }
  STRESS_CHECK(uv_udp_recv_start(&rx, rx_alloc, rx_cb));
  STRESS_CHECK(uv_udp_init(loop, &tx));
  STRESS_CHECK(uv_udp_bind(&tx, (const struct sockaddr *)&a, 0));
  STRESS_CHECK(uv_timer_init(loop, &drain));
  STRESS_CHECK(uv_timer_init(loop, &stall));
  if (credit) STRESS_CHECK(uv_timer_start(&stall, stall_cb, 10, 10));

  t0 = stress_now();
  for (uint32_t i = 0; i < window && next_seq < total; i++)
    send_one(malloc(sizeof(struct sreq)));
  STRESS_CHECK(uv_run(loop, UV_RUN_DEFAULT) < 0);

  uint64_t lost = sent_ok > received ? sent_ok - received : 0;
  stress_fig("datagrams", "%u", total);
  stress_fig("window_credit", "%u/%u", window, credit);
  stress_fig("parks_stall_resumes", "%llu/%llu", (unsigned long long)parks,
             (unsigned long long)stall_resumes);
  stress_fig("sent", "%llu", (unsigned long long)sent_ok);
  stress_fig("send_errors", "%llu", (unsigned long long)send_errors);
  stress_fig("received", "%llu", (unsigned long long)received);
  stress_fig("lost", "%llu", (unsigned long long)lost);
  stress_fig("lost_pct", "%.2f", sent_ok ? 100.0 * lost / sent_ok : 0.0);
  stress_fig("reordered", "%llu", (unsigned long long)reordered);
  stress_fig("duplicates", "%llu", (unsigned long long)duplicates);
  stress_fig("rcvbuf_bytes", "%d", rcvbuf);
  stress_fig("send_s", "%.2f", t_sent - t0);
  stress_fig("sent_per_s", "%.0f", t_sent > t0 ? sent_ok / (t_sent - t0) : 0);
  stress_fig("max_rss_MiB", "%.1f", stress_maxrss_kib() / 1024.0);

  if (completed != total)
    stress_fail("%llu of %u sends completed", (unsigned long long)completed,
                total);
  if (duplicates)
    stress_fail("%llu datagrams delivered twice",
                (unsigned long long)duplicates);
  if (received > sent_ok)
    stress_fail("received %llu distinct datagrams but only %llu were sent",
                (unsigned long long)received, (unsigned long long)sent_ok);
  if (sent_ok == 0) stress_fail("nothing was sent");
  (void)t_end;
  uv_loop_close(loop);
  int fds_end = stress_fd_count();
  stress_fig("fds_start_end", "%d/%d", fds_start, fds_end);
  if (fds_end > fds_start)
    stress_fail("%d descriptors leaked", fds_end - fds_start);
  free(seen);
  free(parked);
  return stress_finish();
}
