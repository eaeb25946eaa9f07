/* test_allocator.c - uv_replace_allocator: what a loop, its handles and its requests
 * allocate goes through the program's functions, and all of it comes back.
 *
 * A counting allocator (malloc/realloc/calloc/free over libc's, with counters) is installed
 * before any other libuv call. Then one loop runs timers, a TCP echo whose writes queue
 * (more data than the socket buffers take, in more buffers than uv_write_t keeps inline),
 * an IPC pipe passing two handles with uv_write2 (the second waits in the queue of
 * received descriptors), a UDP send of many buffers, fs requests (open, write, scandir,
 * mkdtemp), uv_queue_work, uv_getaddrinfo, uv_fs_poll, a signal and a spawned child. The
 * counters must rise at the points where libuv allocates (uv_loop_init, a write of more
 * than four buffers, uv_fs_poll_start, a UDP send of many buffers), and after uv_loop_close
 * and uv_library_shutdown (last, in its own child process as the runner forks) no block
 * may be outstanding. Two more tests: all four functions are needed, and uv_loop_init
 * with an allocator that runs out fails with UV_ENOMEM, leaking nothing, instead of
 * aborting.
 *
 * Builds against the real libuv too:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_allocator.c -o /tmp/ta -luv -lpthread
 */
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- The counting allocator. ---- */

static atomic_long n_alloc;  /* blocks handed out (malloc, calloc, realloc of NULL) */
static atomic_long n_live;   /* blocks handed out and not freed */

static void* c_malloc(size_t n) {
  void* p = malloc(n);
  if (p != NULL) {
    atomic_fetch_add(&n_alloc, 1);
    atomic_fetch_add(&n_live, 1);
  }
  return p;
}

static void* c_calloc(size_t n, size_t size) {
  void* p = calloc(n, size);
  if (p != NULL) {
    atomic_fetch_add(&n_alloc, 1);
    atomic_fetch_add(&n_live, 1);
  }
  return p;
}

static void* c_realloc(void* old, size_t n) {
  void* p = realloc(old, n);
  if (old == NULL && p != NULL) {
    atomic_fetch_add(&n_alloc, 1);
    atomic_fetch_add(&n_live, 1);
  } else if (old != NULL && n == 0 && p == NULL) {
    atomic_fetch_sub(&n_live, 1);
  }
  return p;
}

static void c_free(void* p) {
  if (p != NULL)
    atomic_fetch_sub(&n_live, 1);
  free(p);
}

static long allocs(void) { return atomic_load(&n_alloc); }
static long live(void) { return atomic_load(&n_live); }

/* ---- The loop's work. ---- */

#define CHUNK (1024 * 1024)
#define NCHUNKS 8 /* 8 MiB: far more than loopback socket buffers hold unread */

static uv_loop_t loop;
static int timer_fired;

static void on_close_free(uv_handle_t* h) { free(h); }
static void on_close_noop(uv_handle_t* h) { (void) h; }

static void timer_cb(uv_timer_t* t) {
  timer_fired++;
  uv_close((uv_handle_t*) t, on_close_free);
}

/* TCP echo: the client writes NCHUNKS buffers at once, the server writes back what it
 * reads, the client counts what comes back. */
static uv_tcp_t server, client;
static uv_tcp_t* accepted;
static uv_connect_t connect_req;
static uv_write_t client_write;
static uv_buf_t client_bufs[NCHUNKS];
static size_t echoed_back;
static int client_write_status = 1;
static size_t queued_after_write;
static long allocs_for_write;

static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  buf->base = malloc(suggested);
  buf->len = suggested;
}

static void echo_write_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  free(req->data);
  free(req);
}

static void server_read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  if (n > 0) {
    uv_write_t* req = malloc(sizeof(*req));
    uv_buf_t b = uv_buf_init(buf->base, (unsigned) n);
    req->data = buf->base;
    ASSERT_EQ(uv_write(req, s, &b, 1, echo_write_cb), 0);
    return;
  }
  free(buf->base);
  if (n < 0)
    uv_close((uv_handle_t*) s, on_close_free);
}

static void on_connection(uv_stream_t* srv, int status) {
  ASSERT_EQ(status, 0);
  accepted = malloc(sizeof(*accepted));
  ASSERT_EQ(uv_tcp_init(srv->loop, accepted), 0);
  ASSERT_EQ(uv_accept(srv, (uv_stream_t*) accepted), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) accepted, alloc_cb, server_read_cb), 0);
}

static void client_write_cb(uv_write_t* req, int status) {
  (void) req;
  client_write_status = status;
}

static void client_read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  free(buf->base);
  ASSERT(n >= 0 || n == UV_EOF);
  if (n > 0)
    echoed_back += (size_t) n;
  if (echoed_back == (size_t) CHUNK * NCHUNKS) {
    uv_close((uv_handle_t*) s, on_close_noop);
    uv_close((uv_handle_t*) &server, on_close_noop);
  }
}

static void on_connect(uv_connect_t* req, int status) {
  long before;
  int i;

  ASSERT_EQ(status, 0);
  for (i = 0; i < NCHUNKS; i++) {
    client_bufs[i].base = malloc(CHUNK);
    memset(client_bufs[i].base, 'a' + i, CHUNK);
    client_bufs[i].len = CHUNK;
  }
  before = allocs();
  ASSERT_EQ(uv_write(&client_write, req->handle, client_bufs, NCHUNKS, client_write_cb), 0);
  allocs_for_write = allocs() - before;
  queued_after_write = req->handle->write_queue_size;
  ASSERT_EQ(uv_read_start(req->handle, alloc_cb, client_read_cb), 0);
}

/* IPC: two handles sent before the receiver accepts either. */
static uv_pipe_t ipc_send, ipc_recv;
static uv_tcp_t passed;
static uv_write_t ipc_w1, ipc_w2;
static int ipc_accepted;

static void ipc_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
}

static void ipc_read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  free(buf->base);
  if (n < 0) {
    uv_close((uv_handle_t*) s, on_close_noop);
    return;
  }
  /* Accept only once both descriptors are here: the second one waits in the queue. */
  if (uv_pipe_pending_count((uv_pipe_t*) s) < 2)
    return;
  while (uv_pipe_pending_count((uv_pipe_t*) s) > 0) {
    uv_tcp_t* t = malloc(sizeof(*t));
    ASSERT_EQ(uv_pipe_pending_type((uv_pipe_t*) s), UV_TCP);
    ASSERT_EQ(uv_tcp_init(s->loop, t), 0);
    ASSERT_EQ(uv_accept(s, (uv_stream_t*) t), 0);
    uv_close((uv_handle_t*) t, on_close_free);
    ipc_accepted++;
  }
  if (ipc_accepted == 2) {
    uv_close((uv_handle_t*) s, on_close_noop);
    uv_close((uv_handle_t*) &ipc_send, on_close_noop);
    uv_close((uv_handle_t*) &passed, on_close_noop);
  }
}

/* UDP: one datagram of many buffers. */
static uv_udp_t udp_rx, udp_tx;
static uv_udp_send_t udp_req;
static int udp_received, udp_sent = 1;
static long allocs_for_udp;

static void udp_send_cb(uv_udp_send_t* req, int status) {
  (void) req;
  udp_sent = status;
  uv_close((uv_handle_t*) &udp_tx, on_close_noop);
}

static void udp_recv_cb(uv_udp_t* h, ssize_t n, const uv_buf_t* buf,
                        const struct sockaddr* addr, unsigned flags) {
  (void) flags;
  free(buf->base);
  if (n == 0 && addr == NULL)
    return;
  ASSERT_EQ(n, 8);
  udp_received++;
  uv_close((uv_handle_t*) h, on_close_noop);
}

/* Thread pool, DNS. */
static int work_done;
static void work_cb(uv_work_t* req) { (void) req; }
static void after_work_cb(uv_work_t* req, int status) {
  ASSERT_EQ(status, 0);
  free(req);
  work_done++;
}

static int dns_done;
static void getaddrinfo_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  ASSERT_EQ(status, 0);
  ASSERT(res != NULL);
  uv_freeaddrinfo(res);
  free(req);
  dns_done++;
}

/* fs: a temporary directory, a file written and listed. */
static char tmpdir[256];
static char file_path[300];
static int fs_steps;

static void scandir_cb(uv_fs_t* req) {
  uv_dirent_t ent;
  int seen = 0;
  ASSERT_EQ(req->result, 1);
  while (uv_fs_scandir_next(req, &ent) != UV_EOF) {
    ASSERT_EQ(strcmp(ent.name, "f"), 0);
    seen++;
  }
  ASSERT_EQ(seen, 1);
  uv_fs_req_cleanup(req);
  free(req);
  fs_steps++;
}

static void write_cb(uv_fs_t* req) {
  uv_fs_t close_req;
  uv_fs_t* scan = malloc(sizeof(*scan));
  ASSERT_EQ(req->result, 5);
  ASSERT_EQ(uv_fs_close(req->loop, &close_req, (uv_file) (intptr_t) req->data, NULL), 0);
  uv_fs_req_cleanup(&close_req);
  ASSERT_EQ(uv_fs_scandir(req->loop, scan, tmpdir, 0, scandir_cb), 0);
  uv_fs_req_cleanup(req);
  free(req);
  fs_steps++;
}

static char hello[] = "hello";

static void open_cb(uv_fs_t* req) {
  uv_fs_t* w = malloc(sizeof(*w));
  uv_buf_t b = uv_buf_init(hello, 5);
  ASSERT(req->result >= 0);
  w->data = (void*) (intptr_t) req->result;
  ASSERT_EQ(uv_fs_write(req->loop, w, (uv_file) req->result, &b, 1, 0, write_cb), 0);
  uv_fs_req_cleanup(req);
  free(req);
  fs_steps++;
}

/* fs_poll: started on the file, stopped at once (the start is what allocates). */
static uv_fs_poll_t poller;
static void poll_cb(uv_fs_poll_t* h, int status, const uv_stat_t* prev, const uv_stat_t* curr) {
  (void) h, (void) status, (void) prev, (void) curr;
}

/* Signal and spawn. */
static uv_signal_t sig;
static int sig_seen;
static void signal_cb(uv_signal_t* h, int signum) {
  ASSERT_EQ(signum, SIGUSR1);
  sig_seen++;
  uv_close((uv_handle_t*) h, on_close_noop);
}

static uv_process_t child;
static int child_exited = -1;
static void exit_cb(uv_process_t* p, int64_t status, int term_signal) {
  ASSERT_EQ(term_signal, 0);
  child_exited = (int) status;
  uv_close((uv_handle_t*) p, on_close_noop);
}

static int bound_port(uv_tcp_t* t) {
  struct sockaddr_storage ss;
  int len = sizeof(ss);
  ASSERT_EQ(uv_tcp_getsockname(t, (struct sockaddr*) &ss, &len), 0);
  return ntohs(((struct sockaddr_in*) &ss)->sin_port);
}

static void install_counting_allocator(void) {
  ASSERT_EQ(uv_replace_allocator(c_malloc, c_realloc, c_calloc, c_free), 0);
}

static void test_everything_goes_through_it_and_comes_back(void) {
  struct sockaddr_in addr;
  uv_loop_t other;
  long before, live_before;
  int i;

  install_counting_allocator();

  /* A loop's own state comes from the allocator, and goes back on close. */
  live_before = live();
  before = allocs();
  ASSERT_EQ(uv_loop_init(&other), 0);
  ASSERT(allocs() - before >= 1);
  ASSERT(live() > live_before);
  ASSERT_EQ(uv_loop_close(&other), 0);
  ASSERT_EQ(live(), live_before);

  ASSERT_EQ(uv_loop_init(&loop), 0);

  for (i = 0; i < 5; i++) {
    uv_timer_t* t = malloc(sizeof(*t));
    ASSERT_EQ(uv_timer_init(&loop, t), 0);
    ASSERT_EQ(uv_timer_start(t, timer_cb, (uint64_t) i, 0), 0);
  }

  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
  ASSERT_EQ(uv_tcp_init(&loop, &server), 0);
  ASSERT_EQ(uv_tcp_bind(&server, (const struct sockaddr*) &addr, 0), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &server, 8, on_connection), 0);
  addr.sin_port = htons((uint16_t) bound_port(&server));
  ASSERT_EQ(uv_tcp_init(&loop, &client), 0);
  ASSERT_EQ(uv_tcp_connect(&connect_req, &client, (const struct sockaddr*) &addr, on_connect), 0);

  {
    int fds[2];
    uv_buf_t b = uv_buf_init(hello, 1);
    struct sockaddr_in any;
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ASSERT_EQ(uv_pipe_init(&loop, &ipc_send, 1), 0);
    ASSERT_EQ(uv_pipe_init(&loop, &ipc_recv, 1), 0);
    ASSERT_EQ(uv_pipe_open(&ipc_send, fds[0]), 0);
    ASSERT_EQ(uv_pipe_open(&ipc_recv, fds[1]), 0);
    ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &any), 0);
    ASSERT_EQ(uv_tcp_init(&loop, &passed), 0);
    ASSERT_EQ(uv_tcp_bind(&passed, (const struct sockaddr*) &any, 0), 0);
    ASSERT_EQ(uv_write2(&ipc_w1, (uv_stream_t*) &ipc_send, &b, 1, (uv_stream_t*) &passed, ipc_write_cb), 0);
    ASSERT_EQ(uv_write2(&ipc_w2, (uv_stream_t*) &ipc_send, &b, 1, (uv_stream_t*) &passed, ipc_write_cb), 0);
    ASSERT_EQ(uv_read_start((uv_stream_t*) &ipc_recv, alloc_cb, ipc_read_cb), 0);
  }

  {
    struct sockaddr_in rx;
    uv_buf_t bufs[8];
    int len = sizeof(rx);
    ASSERT_EQ(uv_ip4_addr("127.0.0.1", 0, &rx), 0);
    ASSERT_EQ(uv_udp_init(&loop, &udp_rx), 0);
    ASSERT_EQ(uv_udp_bind(&udp_rx, (const struct sockaddr*) &rx, 0), 0);
    ASSERT_EQ(uv_udp_getsockname(&udp_rx, (struct sockaddr*) &rx, &len), 0);
    ASSERT_EQ(uv_udp_recv_start(&udp_rx, alloc_cb, udp_recv_cb), 0);
    ASSERT_EQ(uv_udp_init(&loop, &udp_tx), 0);
    for (i = 0; i < 8; i++)
      bufs[i] = uv_buf_init(hello + (i % 5), 1);
    before = allocs();
    ASSERT_EQ(uv_udp_send(&udp_req, &udp_tx, bufs, 8, (const struct sockaddr*) &rx, udp_send_cb), 0);
    allocs_for_udp = allocs() - before;
  }

  for (i = 0; i < 8; i++) {
    uv_work_t* w = malloc(sizeof(*w));
    ASSERT_EQ(uv_queue_work(&loop, w, work_cb, after_work_cb), 0);
  }

  {
    uv_getaddrinfo_t* g = malloc(sizeof(*g));
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    ASSERT_EQ(uv_getaddrinfo(&loop, g, getaddrinfo_cb, "localhost", "80", &hints), 0);
  }

  {
    uv_fs_t req;
    uv_fs_t* open_req = malloc(sizeof(*open_req));
    const char* tmp = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/rsuv-alloc-XXXXXX", tmp ? tmp : "/tmp");
    ASSERT_EQ(uv_fs_mkdtemp(&loop, &req, tmpdir, NULL), 0);
    snprintf(tmpdir, sizeof(tmpdir), "%s", req.path);
    uv_fs_req_cleanup(&req);
    snprintf(file_path, sizeof(file_path), "%s/f", tmpdir);
    ASSERT_EQ(uv_fs_open(&loop, open_req, file_path, O_CREAT | O_WRONLY, 0600, open_cb), 0);
  }

  ASSERT_EQ(uv_fs_poll_init(&loop, &poller), 0);
  before = allocs();
  ASSERT_EQ(uv_fs_poll_start(&poller, poll_cb, tmpdir, 1000), 0);
  ASSERT(allocs() - before >= 1);
  ASSERT_EQ(uv_fs_poll_stop(&poller), 0);
  uv_close((uv_handle_t*) &poller, on_close_noop);

  ASSERT_EQ(uv_signal_init(&loop, &sig), 0);
  ASSERT_EQ(uv_signal_start(&sig, signal_cb, SIGUSR1), 0);
  ASSERT_EQ(raise(SIGUSR1), 0);

  {
    char* args[] = {"/bin/sh", "-c", "exit 3", NULL};
    uv_process_options_t opts;
    memset(&opts, 0, sizeof(opts));
    opts.file = args[0];
    opts.args = args;
    opts.exit_cb = exit_cb;
    ASSERT_EQ(uv_spawn(&loop, &child, &opts), 0);
  }

  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  ASSERT_EQ(timer_fired, 5);
  ASSERT_EQ(client_write_status, 0);
  ASSERT(allocs_for_write >= 1); /* the copy of the buffer list */
  ASSERT(queued_after_write > 0);  /* and the write did queue */
  ASSERT_EQ(echoed_back, (size_t) CHUNK * NCHUNKS);
  ASSERT_EQ(ipc_accepted, 2);
  ASSERT_EQ(udp_sent, 0);
  ASSERT_EQ(udp_received, 1);
  ASSERT(allocs_for_udp >= 1);
  ASSERT_EQ(work_done, 8);
  ASSERT_EQ(dns_done, 1);
  ASSERT_EQ(fs_steps, 3);
  ASSERT_EQ(sig_seen, 1);
  ASSERT_EQ(child_exited, 3);
  for (i = 0; i < NCHUNKS; i++)
    free(client_bufs[i].base);

  {
    uv_fs_t req;
    ASSERT_EQ(uv_fs_unlink(&loop, &req, file_path, NULL), 0);
    uv_fs_req_cleanup(&req);
    ASSERT_EQ(uv_fs_rmdir(&loop, &req, tmpdir, NULL), 0);
    uv_fs_req_cleanup(&req);
  }

  ASSERT_EQ(uv_loop_close(&loop), 0);
  uv_library_shutdown();
  fprintf(stderr, "allocations through the replaced malloc: %ld, outstanding: %ld\n", allocs(),
          live());
  ASSERT(allocs() >= 20);
  ASSERT_EQ(live(), 0);
}

/* All four functions are needed; a refused call changes nothing. */
static void test_all_four_functions_are_required(void) {
  uv_loop_t l;
  long before;

  ASSERT_EQ(uv_replace_allocator(NULL, c_realloc, c_calloc, c_free), UV_EINVAL);
  ASSERT_EQ(uv_replace_allocator(c_malloc, NULL, c_calloc, c_free), UV_EINVAL);
  ASSERT_EQ(uv_replace_allocator(c_malloc, c_realloc, NULL, c_free), UV_EINVAL);
  ASSERT_EQ(uv_replace_allocator(c_malloc, c_realloc, c_calloc, NULL), UV_EINVAL);
  ASSERT_EQ(uv_loop_init(&l), 0);
  ASSERT_EQ(uv_loop_close(&l), 0);
  ASSERT_EQ(allocs(), 0);

  install_counting_allocator();
  before = allocs();
  ASSERT_EQ(uv_loop_init(&l), 0);
  ASSERT(allocs() > before);
  ASSERT_EQ(uv_loop_close(&l), 0);
  ASSERT_EQ(live(), 0);
}

/* An allocator that runs out: uv_loop_init says UV_ENOMEM (never aborts) until the budget
 * suffices, and a failed init gives back what it took. */
static long budget;

static void* budget_malloc(size_t n) {
  if (atomic_load(&n_alloc) >= budget)
    return NULL;
  return c_malloc(n);
}

static void* budget_calloc(size_t n, size_t size) {
  if (atomic_load(&n_alloc) >= budget)
    return NULL;
  return c_calloc(n, size);
}

static void* budget_realloc(void* p, size_t n) {
  if (atomic_load(&n_alloc) >= budget)
    return NULL;
  return c_realloc(p, n);
}

static void test_loop_init_out_of_memory_is_an_error(void) {
  uv_loop_t l;
  int err, failures = 0;

  ASSERT_EQ(uv_replace_allocator(budget_malloc, budget_realloc, budget_calloc, c_free), 0);
  for (budget = 0;; budget++) {
    atomic_store(&n_alloc, 0);
    err = uv_loop_init(&l);
    if (err == 0)
      break;
    ASSERT_EQ(err, UV_ENOMEM);
    ASSERT_EQ(live(), 0);
    failures++;
  }
  ASSERT(failures >= 1);
  ASSERT_EQ(uv_loop_close(&l), 0);
  ASSERT_EQ(live(), 0);
}

static const struct test_entry tests[] = {
    TEST(loop_init_out_of_memory_is_an_error),
    TEST(everything_goes_through_it_and_comes_back),
    TEST(all_four_functions_are_required),
};

RSUV_TEST_MAIN(tests)
