/* test_write_cancel.c - libuv 1.53's uv_cancel on write requests and uv_write_nwritten,
 * as docs/src/stream.rst and request.rst describe them: a write the peer is not reading
 * reports the bytes it did put out; cancelling it (even half written) and the writes
 * queued behind it gives UV_ECANCELED to their callbacks with what each wrote; the writes
 * that were not cancelled still complete; and the reader gets exactly the bytes the
 * callbacks account for, in order, none lost or doubled. Also: a completed write reports
 * its whole length, cancelling a write that already completed changes nothing, and one
 * on a closing stream is UV_EBUSY (its callback still says UV_ECANCELED, once).
 *
 * The writer is a uv_pipe_t over one end of a socketpair; the test reads the other end.
 * Checked against the real libuv 1.53:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude -Ic_tests c_tests/test_write_cancel.c -luv
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#if UV_VERSION_HEX >= 0x013500

#define NREQ 4
static const size_t sizes[NREQ] = {4 << 20, 256 << 10, 64 << 10, 1000};
static unsigned char* data[NREQ];
static uv_write_t reqs[NREQ];
static int status_of[NREQ];
static size_t written_of[NREQ];
static int called[NREQ];
static int ncalled;
static uv_pipe_t writer;

/* Each request's bytes say which request and which offset they are (never 0). */
static unsigned char byte_at(int r, size_t i) {
  return (unsigned char) (1 + ((size_t) r * 61 + i * 7) % 251);
}

static void write_cb(uv_write_t* req, int status) {
  int r = (int) (req - reqs);
  ASSERT(r >= 0 && r < NREQ);
  ASSERT_EQ(called[r], 0);
  called[r] = 1;
  status_of[r] = status;
  written_of[r] = uv_write_nwritten(req);
  if (++ncalled == NREQ)
    uv_close((uv_handle_t*) &writer, NULL);
}

struct sink {
  int fd;
  unsigned char* buf;
  size_t len;
  size_t cap;
};

static void drain(void* arg) {
  struct sink* s = arg;
  for (;;) {
    ssize_t n;
    if (s->len == s->cap) {
      s->cap = s->cap ? s->cap * 2 : 1 << 20;
      s->buf = realloc(s->buf, s->cap);
      ASSERT(s->buf != NULL);
    }
    n = read(s->fd, s->buf + s->len, s->cap - s->len);
    if (n < 0 && errno == EINTR)
      continue;
    ASSERT(n >= 0);
    if (n == 0)
      return;
    s->len += (size_t) n;
  }
}

static void setup(uv_loop_t* loop, int fds[2]) {
  int small = 16 << 10;
  int r;
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(uv_loop_init(loop), 0);
  ASSERT_EQ(uv_pipe_init(loop, &writer, 0), 0);
  ASSERT_EQ(uv_pipe_open(&writer, fds[0]), 0);
  ncalled = 0;
  for (r = 0; r < NREQ; r++) {
    size_t i;
    called[r] = 0;
    status_of[r] = 1;
    written_of[r] = (size_t) -1;
    data[r] = malloc(sizes[r]);
    ASSERT(data[r] != NULL);
    for (i = 0; i < sizes[r]; i++)
      data[r][i] = byte_at(r, i);
  }
}

/* The reader got, in order, what each callback says its request wrote. */
static void check_stream(const struct sink* s) {
  size_t off = 0;
  int r;
  for (r = 0; r < NREQ; r++) {
    ASSERT(written_of[r] <= sizes[r]);
    ASSERT(off + written_of[r] <= s->len);
    ASSERT_MEM_EQ(s->buf + off, data[r], written_of[r]);
    off += written_of[r];
  }
  ASSERT_EQ(s->len, off);
}

static void teardown(uv_loop_t* loop) {
  int r;
  ASSERT_EQ(uv_loop_close(loop), 0);
  for (r = 0; r < NREQ; r++)
    free(data[r]);
}

/* Cancel the half-written head and the next one; the two behind them complete. */
static void test_cancel_partial_and_queued(void) {
  uv_loop_t loop;
  uv_thread_t tid;
  struct sink sink = {0, NULL, 0, 0};
  int fds[2], r;
  uv_buf_t b;

  setup(&loop, fds);
  for (r = 0; r < NREQ; r++) {
    b = uv_buf_init((char*) data[r], (unsigned) sizes[r]);
    ASSERT_EQ(uv_write(&reqs[r], (uv_stream_t*) &writer, &b, 1, write_cb), 0);
  }
  /* Nobody reads: the first write stops part way, the rest wait behind it. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(ncalled, 0);
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &writer) > 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &reqs[0]), 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &reqs[1]), 0);

  sink.fd = fds[1];
  ASSERT_EQ(uv_thread_create(&tid, drain, &sink), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0); /* closing the writer ended the reader's stream */

  ASSERT_EQ(ncalled, NREQ);
  ASSERT_EQ(status_of[0], UV_ECANCELED);
  ASSERT(written_of[0] > 0);            /* the socket took some of it ... */
  ASSERT(written_of[0] < sizes[0]);     /* ... but far from 4 MiB */
  ASSERT_EQ(status_of[1], UV_ECANCELED);
  ASSERT_EQ(written_of[1], 0);          /* never started */
  ASSERT_EQ(status_of[2], 0);
  ASSERT_EQ(written_of[2], sizes[2]);
  ASSERT_EQ(status_of[3], 0);
  ASSERT_EQ(written_of[3], sizes[3]);
  check_stream(&sink);
  close(fds[1]);
  free(sink.buf);
  teardown(&loop);
}

/* Nothing cancelled: every write completes with its whole length; cancelling one whose
 * bytes are all out, before its callback ran, changes nothing. */
static void test_completed_writes(void) {
  uv_loop_t loop;
  uv_thread_t tid;
  struct sink sink = {0, NULL, 0, 0};
  int fds[2], r;
  uv_buf_t b;

  setup(&loop, fds);
  sink.fd = fds[1];
  ASSERT_EQ(uv_thread_create(&tid, drain, &sink), 0);
  for (r = 0; r < NREQ; r++) {
    b = uv_buf_init((char*) data[r], (unsigned) sizes[r]);
    ASSERT_EQ(uv_write(&reqs[r], (uv_stream_t*) &writer, &b, 1, write_cb), 0);
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);
  for (r = 0; r < NREQ; r++) {
    ASSERT_EQ(status_of[r], 0);
    ASSERT_EQ(written_of[r], sizes[r]);
  }
  check_stream(&sink);
  close(fds[1]);
  free(sink.buf);
  teardown(&loop);
}

/* A write that went out whole inside uv_write, cancelled before its callback: the
 * callback still says 0 and the whole length. */
static int done_status = 1;
static size_t done_written;
static void done_cb(uv_write_t* req, int status) {
  done_status = status;
  done_written = uv_write_nwritten(req);
  uv_close((uv_handle_t*) req->handle, NULL);
}

static void test_cancel_after_done(void) {
  uv_loop_t loop;
  uv_write_t w;
  int fds[2];
  char got[16];
  uv_buf_t b = uv_buf_init("0123456789", 10);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &writer, 0), 0);
  ASSERT_EQ(uv_pipe_open(&writer, fds[0]), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &writer, &b, 1, done_cb), 0);
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &writer), 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &w), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(done_status, 0);
  ASSERT_EQ(done_written, 10);
  ASSERT_EQ(read(fds[1], got, sizeof(got)), 10);
  ASSERT_MEM_EQ(got, "0123456789", 10);
  close(fds[1]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* After uv_close the queued writes end with UV_ECANCELED anyway: uv_cancel says
 * UV_EBUSY and each callback still runs once. */
static int ac_calls;
static int ac_status[2];
static void ac_cb(uv_write_t* req, int status) {
  ASSERT(ac_calls < 2);
  ac_status[ac_calls++] = status;
  (void) req;
}

static void test_cancel_after_close(void) {
  uv_loop_t loop;
  uv_write_t w[2];
  int fds[2], small = 4096, i;
  static char big[1 << 20];
  uv_buf_t b = uv_buf_init(big, sizeof(big));
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &writer, 0), 0);
  ASSERT_EQ(uv_pipe_open(&writer, fds[0]), 0);
  for (i = 0; i < 2; i++)
    ASSERT_EQ(uv_write(&w[i], (uv_stream_t*) &writer, &b, 1, ac_cb), 0);
  uv_close((uv_handle_t*) &writer, NULL);
  ASSERT_EQ(uv_cancel((uv_req_t*) &w[0]), UV_EBUSY);
  ASSERT_EQ(uv_cancel((uv_req_t*) &w[1]), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ac_calls, 2);
  ASSERT_EQ(ac_status[0], UV_ECANCELED);
  ASSERT_EQ(ac_status[1], UV_ECANCELED);
  close(fds[1]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Many small writes queued behind a full socket, of every shape: one to five buffers,
 * empty buffers, an empty request, and now and then one of 300 buffers (more than one
 * system call gathers). One far back in the queue is cancelled before anything moves:
 * its callback comes first (cancelling completes it), with UV_ECANCELED and 0. The rest
 * come in order, each with its request's whole length, and the reader gets every byte of
 * them, in order. */
#define NSMALL 3000
#define BIGBUFS 300
#define SMALL_CANCELLED 2222
static uv_write_t small_reqs[NSMALL];
static size_t small_len[NSMALL];
static int small_next;
static int small_calls;
static int small_status[NSMALL];
static size_t small_written[NSMALL];

static void small_cb(uv_write_t* req, int status) {
  int k = (int) (req - small_reqs);
  ASSERT(k >= 0 && k < NSMALL);
  if (status != UV_ECANCELED) {
    ASSERT_EQ(k, small_next); /* oldest first */
    small_next++;
    if (small_next == SMALL_CANCELLED)
      small_next++;
  }
  small_status[k] = status;
  small_written[k] = uv_write_nwritten(req);
  if (++small_calls == NSMALL)
    uv_close((uv_handle_t*) &writer, NULL);
}

static void head_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(small_next, 0); /* before every small one but the cancelled */
  (void) req;
}

static void test_many_small_queued_writes(void) {
  uv_loop_t loop;
  uv_thread_t tid;
  uv_write_t head;
  struct sink sink = {0, NULL, 0, 0};
  static unsigned char pool[NSMALL * 8 + BIGBUFS];
  static uv_buf_t bufs[BIGBUFS];
  unsigned char* expect;
  size_t used = 0, off = 0, total = 0;
  int fds[2], k, j;
  uv_buf_t b;

  setup(&loop, fds);
  for (j = 0; j < (int) sizeof(pool); j++)
    pool[j] = (unsigned char) (j * 13 + 5);
  expect = malloc(sizes[0] + sizeof(pool));
  ASSERT(expect != NULL);
  memcpy(expect, data[0], sizes[0]);
  total = sizes[0];
  small_next = 0;
  small_calls = 0;
  /* 4 MiB first: the socket fills and everything after it queues. */
  b = uv_buf_init((char*) data[0], (unsigned) sizes[0]);
  ASSERT_EQ(uv_write(&head, (uv_stream_t*) &writer, &b, 1, head_cb), 0);
  for (k = 0; k < NSMALL; k++) {
    int n = k % 500 == 250 ? BIGBUFS : 1 + k % 5;
    size_t start = used;
    for (j = 0; j < n; j++) {
      size_t len = k == 77 ? 0 : (size_t) ((k + j) % 4); /* 0 to 3 bytes; 77: all empty */
      if (n == BIGBUFS)
        len = 1;
      bufs[j] = uv_buf_init((char*) pool + used, (unsigned) len);
      used += len;
    }
    ASSERT(used <= sizeof(pool));
    small_len[k] = used - start;
    if (k != SMALL_CANCELLED) {
      memcpy(expect + total, pool + start, small_len[k]);
      total += small_len[k];
    }
    ASSERT_EQ(uv_write(&small_reqs[k], (uv_stream_t*) &writer, bufs, (unsigned) n, small_cb), 0);
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  ASSERT_EQ(small_next, 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &small_reqs[SMALL_CANCELLED]), 0);

  sink.fd = fds[1];
  ASSERT_EQ(uv_thread_create(&tid, drain, &sink), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_thread_join(&tid), 0);

  ASSERT_EQ(small_calls, NSMALL);
  ASSERT_EQ(small_next, NSMALL);
  for (k = 0; k < NSMALL; k++) {
    if (k == SMALL_CANCELLED) {
      ASSERT_EQ(small_status[k], UV_ECANCELED);
      ASSERT_EQ(small_written[k], 0);
    } else {
      ASSERT_EQ(small_status[k], 0);
      ASSERT_EQ(small_written[k], small_len[k]);
    }
    off += small_written[k];
  }
  ASSERT_EQ(sink.len, total);
  ASSERT_EQ(sizes[0] + off, total);
  ASSERT_MEM_EQ(sink.buf, expect, total);
  close(fds[1]);
  free(sink.buf);
  free(expect);
  teardown(&loop);
}

static const struct test_entry tests[] = {
    TEST(cancel_partial_and_queued),
    TEST(completed_writes),
    TEST(cancel_after_done),
    TEST(cancel_after_close),
    TEST(many_small_queued_writes),
};

#else
static void test_not_in_this_libuv(void) {}
static const struct test_entry tests[] = {TEST(not_in_this_libuv)};
#endif

RSUV_TEST_MAIN(tests)
