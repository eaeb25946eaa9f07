/* test_pipe2.c - libuv 1.46's uv_pipe_bind2 / uv_pipe_connect2 as a C program sees them:
 * flag and name checks (UV_EINVAL for unknown flags, an empty name to connect to, a NUL
 * inside a path), names longer than sun_path (UV_EINVAL with UV_PIPE_NO_TRUNCATE, cut to
 * sun_path without it, as docs/src/pipe.rst says), Linux abstract names with an explicit
 * length (NULs inside, bytes after the length ignored), namelen 0 to bind (Linux autobind,
 * as libuv 1.53 does it), uv_pipe_getsockname/getpeername reporting abstract names with
 * their length and UV_ENOBUFS, and a real connect plus echo through each kind of name.
 *
 * Checked against the real libuv 1.53:
 *   cc -std=gnu11 -Wall -Wextra -Werror -Iinclude -Ic_tests c_tests/test_pipe2.c -luv
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#if UV_VERSION_HEX >= 0x012e00

#define SUN_LEN_MAX sizeof(((struct sockaddr_un*) 0)->sun_path)

/* ---- an echo server and a client that sends "ping" and expects it back ---------------- */

static uv_pipe_t server, client, accepted;
static uv_connect_t conn;
static uv_write_t cw;
static char echo_buf[64];
static size_t echo_got;
static int connect_status = 1;
static char peer_name[256];
static size_t peer_name_len;

static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[64];
  (void) h;
  (void) size;
  *buf = uv_buf_init(slab, sizeof(slab));
}

static void close_all(void) {
  uv_close((uv_handle_t*) &server, NULL);
  uv_close((uv_handle_t*) &client, NULL);
  uv_close((uv_handle_t*) &accepted, NULL);
}

static void server_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    uv_buf_t out = uv_buf_init(buf->base, (unsigned) nread);
    ASSERT_EQ(uv_try_write(s, &out, 1), nread);
  }
}

static void client_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) s;
  if (nread <= 0)
    return;
  ASSERT(echo_got + (size_t) nread <= sizeof(echo_buf));
  memcpy(echo_buf + echo_got, buf->base, (size_t) nread);
  echo_got += (size_t) nread;
  if (echo_got == 4)
    close_all();
}

static void on_connection(uv_stream_t* s, int status) {
  ASSERT_EQ(status, 0);
  ASSERT_EQ(uv_pipe_init(s->loop, &accepted, 0), 0);
  ASSERT_EQ(uv_accept(s, (uv_stream_t*) &accepted), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &accepted, alloc_cb, server_read), 0);
}

static void on_connect(uv_connect_t* req, int status) {
  uv_buf_t b = uv_buf_init("ping", 4);
  connect_status = status;
  if (status != 0) {
    uv_close((uv_handle_t*) &server, NULL);
    uv_close((uv_handle_t*) req->handle, NULL);
    return;
  }
  peer_name_len = sizeof(peer_name);
  ASSERT_EQ(uv_pipe_getpeername(&client, peer_name, &peer_name_len), 0);
  ASSERT_EQ(uv_write(&cw, req->handle, &b, 1, NULL), 0);
  ASSERT_EQ(uv_read_start(req->handle, alloc_cb, client_read), 0);
}

/* Binds `bind_name`/`bind_len`, connects to `conn_name`/`conn_len` and echoes "ping";
 * returns the connect status (0, or the error, then nothing was echoed). */
static int echo_through(const char* bind_name, size_t bind_len, unsigned bind_flags,
                        const char* conn_name, size_t conn_len, unsigned conn_flags) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  echo_got = 0;
  connect_status = 1;
  memset(echo_buf, 0, sizeof(echo_buf));
  ASSERT_EQ(uv_pipe_init(&loop, &server, 0), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &client, 0), 0);
  ASSERT_EQ(uv_pipe_bind2(&server, bind_name, bind_len, bind_flags), 0);
  ASSERT_EQ(uv_listen((uv_stream_t*) &server, 8, on_connection), 0);
  ASSERT_EQ(uv_pipe_connect2(&conn, &client, conn_name, conn_len, conn_flags, on_connect), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  if (connect_status == 0) {
    ASSERT_EQ(echo_got, 4);
    ASSERT_MEM_EQ(echo_buf, "ping", 4);
  }
  return connect_status;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_bad_flags_and_names(void) {
  uv_loop_t loop;
  uv_pipe_t p;
  uv_connect_t req;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  ASSERT_EQ(uv_pipe_bind2(&p, "/tmp/rsuv-pipe2-x", 17, 2), UV_EINVAL);
  ASSERT_EQ(uv_pipe_bind2(&p, "/tmp/rsuv-pipe2-x", 17, ~0u), UV_EINVAL);
  ASSERT_EQ(uv_pipe_connect2(&req, &p, "/tmp/rsuv-pipe2-x", 17, 2, NULL), UV_EINVAL);
  ASSERT_EQ(uv_pipe_connect2(&req, &p, "/tmp/rsuv-pipe2-x", 17, UV_PIPE_NO_TRUNCATE | 4, NULL),
            UV_EINVAL);
  /* Nothing to connect to. */
  ASSERT_EQ(uv_pipe_connect2(&req, &p, "", 0, 0, NULL), UV_EINVAL);
  ASSERT_EQ(uv_pipe_connect2(&req, &p, "/tmp/x", 0, 0, NULL), UV_EINVAL);
  /* A NUL inside a path (not an abstract name). */
  ASSERT_EQ(uv_pipe_bind2(&p, "/tmp/a\0b", 8, 0), UV_EINVAL);
  ASSERT_EQ(uv_pipe_connect2(&req, &p, "/tmp/a\0b", 8, 0, NULL), UV_EINVAL);
  /* None of that bound or connected anything. */
  {
    uv_os_fd_t fd;
    ASSERT_EQ(uv_fileno((uv_handle_t*) &p, &fd), UV_EBADF);
  }
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A path of `len` bytes under /tmp, unique to this process. */
static void long_path(char* out, size_t len) {
  int n = snprintf(out, len + 1, "/tmp/rsuv-pipe2-%d-", (int) getpid());
  memset(out + n, 'L', len - (size_t) n);
  out[len] = '\0';
}

static void test_long_name_no_truncate(void) {
  uv_loop_t loop;
  uv_pipe_t p;
  uv_connect_t req;
  char name[160];
  long_path(name, SUN_LEN_MAX + 10);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  ASSERT_EQ(uv_pipe_bind2(&p, name, strlen(name), UV_PIPE_NO_TRUNCATE), UV_EINVAL);
  ASSERT_EQ(uv_pipe_connect2(&req, &p, name, strlen(name), UV_PIPE_NO_TRUNCATE, NULL),
            UV_EINVAL);
  /* One byte over is already too long; exactly sun_path fits (no terminator needed). */
  ASSERT_EQ(uv_pipe_bind2(&p, name, SUN_LEN_MAX + 1, UV_PIPE_NO_TRUNCATE), UV_EINVAL);
  {
    char cut[SUN_LEN_MAX + 1];
    struct stat st;
    memcpy(cut, name, SUN_LEN_MAX);
    cut[SUN_LEN_MAX] = '\0';
    unlink(cut);
    ASSERT_EQ(uv_pipe_bind2(&p, name, SUN_LEN_MAX, UV_PIPE_NO_TRUNCATE), 0);
    ASSERT_EQ(stat(cut, &st), 0);
    ASSERT(S_ISSOCK(st.st_mode));
  }
  uv_close((uv_handle_t*) &p, NULL); /* unlinks the socket file */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_long_name_truncated(void) {
  char name[160], cut[SUN_LEN_MAX + 1];
  struct stat st;
  long_path(name, SUN_LEN_MAX + 20);
  memcpy(cut, name, SUN_LEN_MAX);
  cut[SUN_LEN_MAX] = '\0';
  unlink(cut);
  /* Both ends cut the name to sun_path: they meet at the cut path. */
  ASSERT_EQ(echo_through(name, strlen(name), 0, name, strlen(name), 0), 0);
  /* The file was the cut path (and it is gone again: closing the server unlinks it). */
  ASSERT(stat(cut, &st) != 0);
  ASSERT_EQ(peer_name_len, SUN_LEN_MAX);
  ASSERT_MEM_EQ(peer_name, cut, SUN_LEN_MAX + 1);
  /* uv_pipe_bind (no length) truncates the same way. */
  {
    uv_loop_t loop;
    uv_pipe_t p;
    char got[256];
    size_t len = sizeof(got);
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
    ASSERT_EQ(uv_pipe_bind(&p, name), 0);
    ASSERT_EQ(stat(cut, &st), 0);
    ASSERT_EQ(uv_pipe_getsockname(&p, got, &len), 0);
    ASSERT_EQ(len, SUN_LEN_MAX);
    ASSERT_MEM_EQ(got, cut, SUN_LEN_MAX + 1);
    uv_close((uv_handle_t*) &p, NULL);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(uv_loop_close(&loop), 0);
  }
}

static void test_path_echo(void) {
  char name[64];
  int n = snprintf(name, sizeof(name), "/tmp/rsuv-pipe2-%d.sock", (int) getpid());
  unlink(name);
  /* The length counts, not the terminator: a longer buffer with a shorter length. */
  ASSERT_EQ(echo_through(name, (size_t) n, UV_PIPE_NO_TRUNCATE, name, (size_t) n,
                         UV_PIPE_NO_TRUNCATE),
            0);
  ASSERT_EQ(peer_name_len, (size_t) n);
  ASSERT_EQ(strcmp(peer_name, name), 0);
}

/* An abstract name: a leading NUL, NULs inside, and only `namelen` bytes count. */
static void test_abstract_echo(void) {
  char name[64];
  size_t len;
  int n = snprintf(name, sizeof(name), "#rsuv-abs#%d#tail", (int) getpid());
  name[0] = '\0';
  name[9] = '\0'; /* a NUL inside: no special meaning in an abstract name */
  len = (size_t) n - 5; /* "#tail" is not part of the name */
  ASSERT_EQ(echo_through(name, len, 0, name, len, UV_PIPE_NO_TRUNCATE), 0);
  ASSERT_EQ(peer_name_len, len);
  ASSERT_MEM_EQ(peer_name, name, len);
}

/* The bytes after namelen are not part of the name: connecting with them fails. */
static void test_abstract_length_counts(void) {
  char name[64];
  size_t len;
  int n = snprintf(name, sizeof(name), "#rsuv-abs2-%d", (int) getpid());
  name[0] = '\0';
  len = (size_t) n;
  ASSERT_EQ(echo_through(name, len - 1, 0, name, len, 0), UV_ECONNREFUSED);
  ASSERT_EQ(echo_through(name, len, 0, name, len - 1, 0), UV_ECONNREFUSED);
}

static void test_abstract_getsockname(void) {
  uv_loop_t loop;
  uv_pipe_t p;
  char name[64], got[64];
  size_t len, n;
  n = (size_t) snprintf(name, sizeof(name), "#rsuv-abs3-%d", (int) getpid());
  name[0] = '\0';
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  ASSERT_EQ(uv_pipe_bind2(&p, name, n, 0), 0);
  /* Exactly the name's length is enough: no terminator is added to an abstract name. */
  memset(got, 'z', sizeof(got));
  len = n;
  ASSERT_EQ(uv_pipe_getsockname(&p, got, &len), 0);
  ASSERT_EQ(len, n);
  ASSERT_MEM_EQ(got, name, n);
  ASSERT_EQ(got[n], 'z');
  /* One byte less: UV_ENOBUFS and the size needed. */
  len = n - 1;
  ASSERT_EQ(uv_pipe_getsockname(&p, got, &len), UV_ENOBUFS);
  ASSERT_EQ(len, n);
  /* Not connected: no peer. */
  len = sizeof(got);
  ASSERT_EQ(uv_pipe_getpeername(&p, got, &len), UV_ENOTCONN);
  /* Bound already. */
  ASSERT_EQ(uv_pipe_bind2(&p, name, n, 0), UV_EINVAL);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* namelen 0 binds to a name the kernel picks in the abstract namespace (Linux autobind,
 * as libuv 1.53 does); a client reaches it through the name getsockname reports. */
static void test_autobind(void) {
  uv_loop_t loop;
  uv_pipe_t p;
  char got[64];
  size_t len = sizeof(got);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_pipe_init(&loop, &p, 0), 0);
  ASSERT_EQ(uv_pipe_bind2(&p, "", 0, 0), 0);
  ASSERT_EQ(uv_pipe_getsockname(&p, got, &len), 0);
  /* The kernel's autobind name: a NUL and five hex digits. */
  ASSERT_EQ(len, 6);
  ASSERT_EQ(got[0], '\0');
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static const struct test_entry tests[] = {
    TEST(bad_flags_and_names),
    TEST(long_name_no_truncate),
    TEST(long_name_truncated),
    TEST(path_echo),
    TEST(abstract_echo),
    TEST(abstract_length_counts),
    TEST(abstract_getsockname),
    TEST(autobind),
};

#else
static void test_not_in_this_libuv(void) {}
static const struct test_entry tests[] = {TEST(not_in_this_libuv)};
#endif

RSUV_TEST_MAIN(tests)
