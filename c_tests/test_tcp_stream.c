/* test_tcp_stream.c - the stream API over TCP as a libuv user sees it.
 *
 * Covers: write order and the write queue size, partial writes, many buffers in one request,
 * close cancelling pending writes, reads (UV_ENOBUFS, uv_read_stop in the callback), reset
 * by the peer, writing to a peer that went away. Helpers and how to build against the real
 * libuv: tcp_common.h.
 */
#include "runner.h"
#include "tcp_common.h"

/* Writes: order, queue size, partial writes                                                */

#define BIG_WRITES 32
#define BIG_SIZE (256 * 1024)
static int order_next;
static size_t order_received;
static unsigned char* big_bufs[BIG_WRITES];
static uv_write_t big_reqs[BIG_WRITES];
static uv_tcp_t wq_server, wq_client, wq_conn;
static int wq_done;

static void order_write_cb(uv_write_t* req, int status) {
  int i = (int) (req - big_reqs);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(i, order_next);
  order_next++;
  /* The queue holds exactly what the later requests have not written. */
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) <=
         (size_t) (BIG_WRITES - order_next) * BIG_SIZE);
  if (order_next == BIG_WRITES)
    ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client), 0);
}

static void order_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ssize_t i;
  if (nread <= 0) {
    ASSERT(nread == 0 || nread == UV_EOF);
    if (nread == UV_EOF) {
      wq_done = 1;
      uv_close((uv_handle_t*) s, NULL);
    }
    return;
  }
  for (i = 0; i < nread; i++) {
    size_t pos = order_received + (size_t) i;
    unsigned char want = (unsigned char) ((pos / BIG_SIZE) * 7 + pos % 251);
    if ((unsigned char) buf->base[i] != want) {
      fprintf(stderr, "byte %zu: got %u want %u\n", pos, (unsigned char) buf->base[i], want);
      ASSERT(0);
    }
  }
  order_received += (size_t) nread;
}

static void order_shutdown_cb(uv_shutdown_t* req, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(order_next, BIG_WRITES);
  uv_close((uv_handle_t*) req->handle, NULL);
}

static void test_write_order_and_queue_size(void) {
  uv_loop_t loop;
  uv_shutdown_t sh;
  size_t expect_queue = 0;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &wq_server, &wq_client, &wq_conn);
  for (i = 0; i < BIG_WRITES; i++) {
    size_t j;
    uv_buf_t b[3];
    size_t before = uv_stream_get_write_queue_size((uv_stream_t*) &wq_client);
    big_bufs[i] = malloc(BIG_SIZE);
    ASSERT(big_bufs[i] != NULL);
    for (j = 0; j < BIG_SIZE; j++)
      big_bufs[i][j] = (unsigned char) (i * 7 + ((size_t) i * BIG_SIZE + j) % 251);
    /* Three buffers per request, one of them empty. */
    b[0] = uv_buf_init((char*) big_bufs[i], 1000);
    b[1] = uv_buf_init((char*) big_bufs[i] + 1000, 0);
    b[2] = uv_buf_init((char*) big_bufs[i] + 1000, BIG_SIZE - 1000);
    ASSERT_EQ(uv_write(&big_reqs[i], (uv_stream_t*) &wq_client, b, 3, order_write_cb), 0);
    /* The queue grew by what this request could not write at once. */
    ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) >= before);
    ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) <= before + BIG_SIZE);
    if (i > 0) {
      /* Anything queued behind a partial write stays whole. */
      ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &wq_client) - before == BIG_SIZE ||
             before == 0);
    }
    expect_queue = uv_stream_get_write_queue_size((uv_stream_t*) &wq_client);
  }
  /* The peer does not read yet: something is queued, and try_write must wait. */
  ASSERT(expect_queue > 0);
  {
    uv_buf_t b = uv_buf_init("x", 1);
    ASSERT_EQ(uv_try_write((uv_stream_t*) &wq_client, &b, 1), UV_EAGAIN);
  }
  ASSERT_EQ(order_next, 0);
  ASSERT_EQ(uv_shutdown(&sh, (uv_stream_t*) &wq_client, order_shutdown_cb), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &wq_conn, alloc_slab, order_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(order_next, BIG_WRITES);
  ASSERT_EQ(order_received, (size_t) BIG_WRITES * BIG_SIZE);
  ASSERT_EQ(wq_done, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  for (i = 0; i < BIG_WRITES; i++)
    free(big_bufs[i]);
}

/* Many small buffers in one request (more than fit in the request itself). */
static int many_cb_called;
static size_t many_received;
static void many_write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  many_cb_called++;
  uv_close((uv_handle_t*) req->handle, NULL);
}
static void many_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ssize_t i;
  if (nread == UV_EOF) {
    uv_close((uv_handle_t*) s, NULL);
    return;
  }
  ASSERT(nread >= 0);
  for (i = 0; i < nread; i++)
    ASSERT_EQ((unsigned char) buf->base[i], (unsigned char) ((many_received + (size_t) i) % 200));
  many_received += (size_t) nread;
}

static void test_many_buffers(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_write_t w;
  static char data[2000];
  uv_buf_t bufs[2000];
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  for (i = 0; i < 2000; i++) {
    data[i] = (char) (i % 200);
    bufs[i] = uv_buf_init(data + i, 1);
  }
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &client, bufs, 2000, many_write_cb), 0);
  /* The buffer array itself may go away after uv_write returns. */
  memset(bufs, 0, sizeof(bufs));
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, alloc_slab, many_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(many_cb_called, 1);
  ASSERT_EQ(many_received, 2000);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Closing with writes the peer never took: each write callback gets UV_ECANCELED
 * (or 0 for a write that did complete) before the close callback. */
static int fill_cbs, fill_cancelled, fill_closed;
static void fill_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT(status == 0 || status == UV_ECANCELED);
  ASSERT_EQ(fill_closed, 0);
  fill_cbs++;
  if (status == UV_ECANCELED)
    fill_cancelled++;
}
static void fill_close_cb(uv_handle_t* h) {
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) h), 0);
  fill_closed = 1;
}

static void test_close_cancels_writes(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  static uv_write_t reqs[64];
  static char chunk[1 << 20];
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  for (i = 0; i < 64; i++) {
    uv_buf_t b = uv_buf_init(chunk, sizeof(chunk));
    ASSERT_EQ(uv_write(&reqs[i], (uv_stream_t*) &client, &b, 1, fill_write_cb), 0);
  }
  ASSERT(uv_stream_get_write_queue_size((uv_stream_t*) &client) > 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 1);
  uv_close((uv_handle_t*) &client, fill_close_cb);
  uv_close((uv_handle_t*) &conn, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(fill_cbs, 64);
  ASSERT(fill_cancelled > 0);
  ASSERT_EQ(fill_closed, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Reads                                                                                     */

static int nobufs_called;
static void empty_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  (void) h;
  ASSERT(size > 0);
  buf->base = NULL;
  buf->len = 0;
}
static void nobufs_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  ASSERT_EQ(nread, UV_ENOBUFS);
  ASSERT(buf->base == NULL);
  ASSERT_EQ(buf->len, 0);
  nobufs_called++;
  uv_read_stop(s);
}

static void test_read_enobufs(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_buf_t b = uv_buf_init("data", 4);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &client, &b, 1), 4);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, empty_alloc, nobufs_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(nobufs_called, 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &conn), 0);
  finish_loop(&loop);
}

/* uv_read_stop from the read callback: no more callbacks, even with data waiting. */
static int stop_reads;
static void stop_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char small[2];
  (void) h;
  (void) size;
  buf->base = small;
  buf->len = sizeof(small);
}
static void stop_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  ASSERT_EQ(nread, 2);
  stop_reads++;
  ASSERT_EQ(uv_read_stop(s), 0);
  ASSERT_EQ(uv_read_stop(s), 0);
}

static void test_read_stop_in_callback(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_buf_t b = uv_buf_init("abcdefgh", 8);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &client, &b, 1), 8);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, stop_alloc, stop_read), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &conn), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stop_reads, 1);
  /* Reading again picks up where it stopped. */
  ASSERT_EQ(uv_read_start((uv_stream_t*) &conn, stop_alloc, stop_read), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(stop_reads, 2);
  finish_loop(&loop);
}

/* The peer resets: the reader gets an error (not EOF), and stops being readable/writable;
 * writes then fail through their callback. */
static int rst_read_err, rst_write_err;
static void rst_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread == 0)
    return;
  ASSERT(nread < 0);
  rst_read_err = (int) nread;
  if (nread != UV_EOF) {
    ASSERT_EQ(uv_is_readable(s), 0);
    ASSERT_EQ(uv_is_writable(s), 0);
  }
}
static void rst_write_cb(uv_write_t* req, int status) {
  (void) req;
  rst_write_err = status;
}

static void test_reset_by_peer(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  uv_write_t w;
  uv_buf_t b = uv_buf_init("ping", 4);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &client, alloc_slab, rst_read), 0);
  ASSERT_EQ(uv_tcp_close_reset(&conn, NULL), 0);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &conn), 1);
  ASSERT(uv_tcp_close_reset(&conn, NULL) < 0);
  while (rst_read_err == 0 && uv_run(&loop, UV_RUN_ONCE) != 0) {
  }
  ASSERT_EQ(rst_read_err, UV_ECONNRESET);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &client, &b, 1, rst_write_cb), UV_EPIPE);
  finish_loop(&loop);
}

/* Writing to a peer that went away: the failure comes through the write callback. */
static void test_write_to_closed_peer(void) {
  uv_loop_t loop;
  uv_tcp_t server, client, conn;
  static uv_write_t w[100];
  uv_buf_t b = uv_buf_init("0123456789", 10);
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  make_pair(&loop, &server, &client, &conn);
  ASSERT_EQ(uv_tcp_close_reset(&conn, NULL), 0);
  uv_run(&loop, UV_RUN_NOWAIT);
  rst_write_err = 0;
  for (i = 0; i < 100 && rst_write_err == 0; i++) {
    int r = uv_write(&w[i], (uv_stream_t*) &client, &b, 1, rst_write_cb);
    if (r != 0)
      break;
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  while (rst_write_err == 0 && uv_run(&loop, UV_RUN_ONCE) != 0) {
  }
  ASSERT(rst_write_err == UV_EPIPE || rst_write_err == UV_ECONNRESET);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(write_order_and_queue_size),
    TEST(many_buffers),
    TEST(close_cancels_writes),
    TEST(read_enobufs),
    TEST(read_stop_in_callback),
    TEST(reset_by_peer),
    TEST(write_to_closed_peer),
};

RSUV_TEST_MAIN(tests)
