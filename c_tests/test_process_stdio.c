/* test_process_stdio.c - a spawned process's stdio as a libuv user sees it.
 *
 * Covers: ignored stdio, passing fd 3, swapped descriptors, blocking stdio, bad stdio
 * options, stdout and stdin through uv_pipe_t, an exec error with pipes set up. Helpers,
 * the helper side and how to build against the real libuv: process_common.h.
 */
#include "runner.h"
#include "process_common.h"

static void test_ignored_stdio(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* No containers at all: 0, 1 and 2 are /dev/null. */
  helper_options(&o, exit_close_cb, "devnull", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* Two explicit UV_IGNORE: the third is /dev/null too. */
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_IGNORE;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_fd3(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[5];
  int fds[2];
  char out[256];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(pipe(fds), 0);
  helper_options(&o, exit_close_cb, "write", "4", "fifth fd!");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_IGNORE;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  stdio[3].flags = UV_IGNORE;
  stdio[4].flags = UV_INHERIT_FD;
  stdio[4].data.fd = fds[1];
  o.stdio = stdio;
  o.stdio_count = 5;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(close(fds[1]), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  read_all(fds[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "fifth fd!");
  ASSERT_EQ(close(fds[0]), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_swap(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[3];
  int a[2], b[2];
  int saved1, saved2;
  char out[256];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* Our fd 1 -> pipe a, fd 2 -> pipe b; the child gets them swapped. */
  ASSERT_EQ(pipe(a), 0);
  ASSERT_EQ(pipe(b), 0);
  fflush(stdout);
  fflush(stderr);
  saved1 = dup(1);
  saved2 = dup(2);
  ASSERT(saved1 >= 0 && saved2 >= 0);
  ASSERT_EQ(dup2(a[1], 1), 1);
  ASSERT_EQ(dup2(b[1], 2), 2);
  helper_options(&o, exit_close_cb, "write", "1", "to-fd-1");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = 2;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 1;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(dup2(saved1, 1), 1);
  ASSERT_EQ(dup2(saved2, 2), 2);
  ASSERT_EQ(close(saved1), 0);
  ASSERT_EQ(close(saved2), 0);
  ASSERT_EQ(close(a[1]), 0);
  ASSERT_EQ(close(b[1]), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* The child's fd 1 was our fd 2: pipe b. */
  read_all(b[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "to-fd-1");
  read_all(a[0], out, sizeof(out));
  ASSERT_STR_EQ(out, "");
  close(a[0]);
  close(b[0]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_stdio_blocking(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[3];
  int fds[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* A non-blocking descriptor becomes blocking as the child's stdio. */
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  helper_options(&o, exit_close_cb, "blocking", NULL, NULL);
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = fds[1];
  stdio[2].flags = UV_IGNORE;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  close(fds[0]);
  close(fds[1]);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_bad_stdio(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_stdio_container_t stdio[2];
  uv_timer_t not_a_pipe;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &not_a_pipe), 0);
  helper_options(&o, never_exit_cb, "exit", "0", NULL);
  o.stdio = stdio;
  o.stdio_count = 2;
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = -1;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &not_a_pipe;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EINVAL);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}
/* Pipes through uv_pipe_t (needs the streams implementation). */
static char pipe_out[4096];
static size_t pipe_used;
static int pipe_eof;

static void pipe_alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void) h;
  (void) suggested;
  buf->base = pipe_out + pipe_used;
  buf->len = sizeof(pipe_out) - pipe_used - 1;
}

static void pipe_read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread > 0) {
    pipe_used += (size_t) nread;
    pipe_out[pipe_used] = '\0';
  } else if (nread < 0) {
    ASSERT_EQ(nread, UV_EOF);
    pipe_eof = 1;
    uv_close((uv_handle_t*) s, count_close_cb);
  }
}

static void test_pipe_stdout(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t out;
  uv_stdio_container_t stdio[2];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  helper_options(&o, exit_close_cb, "write", "1", "hello from the child");
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT(uv_fileno((uv_handle_t*) &out, &(uv_os_fd_t){0}) == 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &out), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &out), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(pipe_eof, 1);
  ASSERT_EQ(close_calls, 2);
  ASSERT_STR_EQ(pipe_out, "hello from the child");
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void write_done_cb(uv_write_t* req, int status) {
  ASSERT_EQ(status, 0);
  /* Closing stdin's pipe gives the child EOF. */
  uv_close((uv_handle_t*) req->handle, count_close_cb);
}

static void test_pipe_stdin_stdout(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t in, out;
  uv_stdio_container_t stdio[3];
  uv_write_t req;
  uv_buf_t buf = uv_buf_init((char*) "echo this back", 14);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &in, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  helper_options(&o, exit_close_cb, "echo", NULL, NULL);
  stdio[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
  stdio[0].data.stream = (uv_stream_t*) &in;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = 2;
  o.stdio = stdio;
  o.stdio_count = 3;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &in), 1);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &in), 0);
  ASSERT_EQ(uv_write(&req, (uv_stream_t*) &in, &buf, 1, write_done_cb), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(close_calls, 3);
  ASSERT_STR_EQ(pipe_out, "echo this back");
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_exec_error_with_pipe(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_pipe_t out;
  uv_stdio_container_t stdio[2];
  char* args[2] = {(char*) "/nonexistent-rsuv/prog", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &out, 0), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = never_exit_cb;
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
  stdio[1].data.stream = (uv_stream_t*) &out;
  o.stdio = stdio;
  o.stdio_count = 2;
  reset_counts();
  pipe_used = 0;
  pipe_eof = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  /* As in libuv, the pipe is opened anyway: it reads end-of-file. */
  ASSERT_EQ(uv_read_start((uv_stream_t*) &out, pipe_alloc_cb, pipe_read_cb), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(pipe_eof, 1);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(ignored_stdio),
    TEST(stdio_fd3),
    TEST(stdio_swap),
    TEST(stdio_blocking),
    TEST(bad_stdio),
    TEST(pipe_stdout),
    TEST(pipe_stdin_stdout),
    TEST(exec_error_with_pipe),
};

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "--helper") == 0)
    return helper_main(argc, argv);
  return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
