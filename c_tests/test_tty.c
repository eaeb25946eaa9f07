/* test_tty.c - TTY handles as a libuv user sees them, on a pseudo-terminal.
 *
 * Covers: uv_guess_handle (pty, file, character device, pipe, socket, bad descriptors),
 * uv_tty_init (EINVAL on files and character devices; a pty slave is reopened and
 * non-blocking, a pty master keeps blocking writes, flag 0x100000), readable/writable from
 * the access mode, uv_tty_get_winsize (and ENOTTY on a pipe), uv_tty_set_mode (raw, io,
 * normal; the saved attributes; 1.50's raw VT mode, which is raw on Unix),
 * uv_tty_reset_mode, writing through the slave and reading it on the master, reading
 * through the slave what the master writes, the vterm state functions, a master's short
 * reads going back to the loop, and every byte a slave writes before closing reaching the
 * master's reader.
 *
 * No /dev/tty needed: the pty comes from posix_openpt/grantpt/unlockpt/ptsname (libc).
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include c_tests/test_tty.c -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define ASSERT(expr)                                                                   \
  do {                                                                                 \
    if (!(expr)) {                                                                     \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s\n", __FILE__, __LINE__,      \
              __func__, #expr);                                                        \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_EQ(a, b)                                                                \
  do {                                                                                 \
    long long a_ = (long long) (a), b_ = (long long) (b);                              \
    if (a_ != b_) {                                                                    \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (%lld != %lld)\n",     \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static void close_walk_cb(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, NULL);
}

static void finish_loop(uv_loop_t* loop) {
  uv_walk(loop, close_walk_cb, NULL);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

/* A pty pair; returns 0, or -1 when the system has none (the test then passes vacuously). */
static int open_pty(int* master, int* slave) {
  char* name;
  *master = posix_openpt(O_RDWR | O_NOCTTY);
  if (*master < 0)
    return -1;
  if (grantpt(*master) != 0 || unlockpt(*master) != 0 || (name = ptsname(*master)) == NULL) {
    close(*master);
    return -1;
  }
  *slave = open(name, O_RDWR | O_NOCTTY);
  if (*slave < 0) {
    close(*master);
    return -1;
  }
  return 0;
}

/* Read what arrives on `fd` within a second. */
static size_t read_some(int fd, char* buf, size_t len) {
  struct pollfd p;
  ssize_t n;
  p.fd = fd;
  p.events = POLLIN;
  if (poll(&p, 1, 5000) != 1)
    return 0;
  n = read(fd, buf, len);
  return n > 0 ? (size_t) n : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Tests                                                                                    */

static void test_guess_handle(void) {
  int m, s, fds[2], sv[2];
  char path[] = "/tmp/rsuv-tty-XXXXXX";
  int f = mkstemp(path);
  int null = open("/dev/null", O_RDONLY);

  ASSERT(f >= 0);
  ASSERT_EQ(uv_guess_handle(f), UV_FILE);
  ASSERT_EQ(uv_guess_handle(null), UV_FILE);
  ASSERT_EQ(uv_guess_handle(-1), UV_UNKNOWN_HANDLE);
  ASSERT_EQ(uv_guess_handle(1000), UV_UNKNOWN_HANDLE);
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(uv_guess_handle(fds[0]), UV_NAMED_PIPE);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ASSERT_EQ(uv_guess_handle(sv[0]), UV_NAMED_PIPE);
  if (open_pty(&m, &s) == 0) {
    ASSERT_EQ(uv_guess_handle(s), UV_TTY);
    ASSERT_EQ(uv_guess_handle(m), UV_TTY);
  }
  unlink(path);
}

static void test_init_errors(void) {
  uv_loop_t loop;
  uv_tty_t tty;
  char path[] = "/tmp/rsuv-tty-XXXXXX";
  int f = mkstemp(path);
  int null = open("/dev/null", O_RDWR);

  ASSERT(f >= 0 && null >= 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tty, f, 0), UV_EINVAL);
  ASSERT_EQ(uv_tty_init(&loop, &tty, null, 0), UV_EINVAL);
  ASSERT_EQ(uv_tty_init(&loop, &tty, -1, 0), UV_EINVAL);
  ASSERT_EQ(uv_tty_init(&loop, &tty, 1000, 0), UV_EINVAL);
  /* Nothing was added to the loop. */
  ASSERT_EQ(uv_loop_close(&loop), 0);
  unlink(path);
  {
    uv_tty_vtermstate_t st;
    ASSERT_EQ(uv_tty_get_vterm_state(&st), UV_ENOTSUP);
    uv_tty_set_vterm_state(UV_TTY_SUPPORTED);
  }
  /* Nothing was ever changed: nothing to restore. */
  ASSERT_EQ(uv_tty_reset_mode(), 0);
}

static void test_pty_init(void) {
  uv_loop_t loop;
  uv_tty_t st, mt;
  int m, s, w, h;
  uv_os_fd_t fd;
  struct winsize ws;

  if (open_pty(&m, &s) != 0)
    return;
  ws.ws_row = 25;
  ws.ws_col = 80;
  ws.ws_xpixel = ws.ws_ypixel = 0;
  ASSERT_EQ(ioctl(m, TIOCSWINSZ, &ws), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &st, s, 0), 0);
  ASSERT_EQ(uv_tty_init(&loop, &mt, m, 0), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &st), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &st), 1);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &mt), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &mt), 1);
  /* The slave was reopened (non-blocking, asynchronous writes); the master was not. */
  ASSERT_EQ(st.flags & 0x100000, 0);
  ASSERT(mt.flags & 0x100000);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &st, &fd), 0);
  ASSERT(fcntl(fd, F_GETFL) & O_NONBLOCK);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &mt, &fd), 0);
  ASSERT_EQ(fd, m);
  ASSERT_EQ(fcntl(m, F_GETFL) & O_NONBLOCK, 0);
  ASSERT_EQ(uv_tty_get_winsize(&st, &w, &h), 0);
  ASSERT_EQ(w, 80);
  ASSERT_EQ(h, 25);
  ASSERT_EQ(close(s), 0);
  uv_close((uv_handle_t*) &st, NULL);
  ASSERT_EQ(close(m), 0);
  uv_close((uv_handle_t*) &mt, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A read-only or write-only descriptor makes a read-only or write-only handle. */
static void test_access_modes(void) {
  uv_loop_t loop;
  uv_tty_t ro, wo;
  int m, s, r, w;
  char* name;

  if (open_pty(&m, &s) != 0)
    return;
  name = ptsname(m);
  r = open(name, O_RDONLY | O_NOCTTY);
  w = open(name, O_WRONLY | O_NOCTTY);
  ASSERT(r >= 0 && w >= 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &ro, r, 1), 0);
  ASSERT_EQ(uv_tty_init(&loop, &wo, w, 0), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &ro), 1);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &ro), 0);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &wo), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &wo), 1);
  uv_close((uv_handle_t*) &ro, NULL);
  uv_close((uv_handle_t*) &wo, NULL);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &ro), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &wo), 0);
  finish_loop(&loop);
}

static void test_modes(void) {
  uv_loop_t loop;
  uv_tty_t tty;
  int m, s;
  uv_os_fd_t fd;
  struct termios orig, t;

  if (open_pty(&m, &s) != 0)
    return;
  ASSERT_EQ(tcgetattr(s, &orig), 0);
  ASSERT(orig.c_lflag & ICANON);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tty, s, 0), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &tty, &fd), 0);

  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_RAW), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
  ASSERT_EQ(t.c_iflag & (ICRNL | IXON), 0);
  ASSERT_EQ(t.c_cc[VMIN], 1);
  ASSERT_EQ(t.c_cc[VTIME], 0);
  ASSERT(t.c_oflag & OPOST); /* raw keeps output processing */

  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_IO), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_oflag & OPOST, 0);
  ASSERT_EQ(t.c_lflag & ICANON, 0);

  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_NORMAL), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_lflag, orig.c_lflag);
  ASSERT_EQ(t.c_iflag, orig.c_iflag);
  ASSERT_EQ(t.c_oflag, orig.c_oflag);

  /* reset_mode restores what the first change saved. */
  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_RAW), 0);
  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_RAW), 0);
  ASSERT_EQ(uv_tty_reset_mode(), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_lflag, orig.c_lflag);
  finish_loop(&loop);
  close(s);
  close(m);
}

/* libuv 1.50's UV_TTY_MODE_RAW_VT is UV_TTY_MODE_RAW on Unix; other values are refused. */
static void test_raw_vt(void) {
  uv_loop_t loop;
  uv_tty_t tty;
  int m, s;
  uv_os_fd_t fd;
  struct termios orig, t;

  if (open_pty(&m, &s) != 0)
    return;
  ASSERT_EQ(tcgetattr(s, &orig), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tty, s, 0), 0);
  ASSERT_EQ(uv_fileno((uv_handle_t*) &tty, &fd), 0);
  ASSERT_EQ(uv_tty_set_mode(&tty, (uv_tty_mode_t) 4), UV_EINVAL);
  ASSERT_EQ(uv_tty_set_mode(&tty, (uv_tty_mode_t) -1), UV_EINVAL);
  ASSERT_EQ(uv_tty_set_mode(&tty, (uv_tty_mode_t) 3 /* UV_TTY_MODE_RAW_VT */), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
  ASSERT_EQ(t.c_iflag & (ICRNL | IXON), 0);
  ASSERT_EQ(t.c_cc[VMIN], 1);
  ASSERT(t.c_oflag & OPOST); /* raw, not io */
  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_NORMAL), 0);
  ASSERT_EQ(tcgetattr(fd, &t), 0);
  ASSERT_EQ(t.c_lflag, orig.c_lflag);
  finish_loop(&loop);
  close(s);
  close(m);
}

/* Writing through the slave handle arrives on the master. */
static int tw_cb_called;
static void tw_write_cb(uv_write_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  tw_cb_called++;
}

static void test_write(void) {
  uv_loop_t loop;
  uv_tty_t tty;
  uv_write_t w;
  int m, s;
  char buf[64];
  size_t n;
  uv_buf_t b = uv_buf_init("to the terminal", 15);

  if (open_pty(&m, &s) != 0)
    return;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tty, s, 0), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &tty, &b, 1, tw_write_cb), 0);
  ASSERT_EQ(tw_cb_called, 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(tw_cb_called, 1);
  n = read_some(m, buf, sizeof(buf));
  ASSERT_EQ(n, 15);
  ASSERT(memcmp(buf, "to the terminal", 15) == 0);
  ASSERT_EQ(uv_try_write((uv_stream_t*) &tty, &b, 1), 15);
  n = read_some(m, buf, sizeof(buf));
  ASSERT_EQ(n, 15);
  finish_loop(&loop);
}

/* The master handle writes synchronously (blocking); the slave reads it. */
static int tr_got;
static char tr_buf[64];
static uv_tty_t tr_master;
static void alloc_cb(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[256];
  (void) h;
  (void) size;
  buf->base = slab;
  buf->len = sizeof(slab);
}
static void tr_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    memcpy(tr_buf + tr_got, buf->base, (size_t) nread);
    tr_got += (int) nread;
    if (tr_got >= 5) {
      uv_close((uv_handle_t*) s, NULL);
      uv_close((uv_handle_t*) &tr_master, NULL);
    }
  }
}

static void test_read(void) {
  uv_loop_t loop;
  uv_tty_t st;
  uv_write_t w;
  int m, s;
  uv_buf_t b = uv_buf_init("line\n", 5);

  if (open_pty(&m, &s) != 0)
    return;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &st, s, 0), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tr_master, m, 0), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &st, alloc_cb, tr_read), 0);
  ASSERT_EQ(uv_write(&w, (uv_stream_t*) &tr_master, &b, 1, NULL), 0);
  /* Blocking writes are done when uv_write returns (the callback still comes later). */
  ASSERT_EQ(uv_stream_get_write_queue_size((uv_stream_t*) &tr_master), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(tr_got, 5);
  ASSERT(memcmp(tr_buf, "line\n", 5) == 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* A pty master (blocking: it cannot be reopened) that has read a short piece goes back to
 * the loop: it must not wait in read(2) for more, or a timer would never run. The slave
 * stays open and quiet after 100 bytes. */
static int mq_got, mq_ticks;
static uv_tty_t mq_master;
static void mq_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[4096];
  (void) h;
  (void) size;
  *buf = uv_buf_init(slab, sizeof(slab));
}
static void mq_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) s;
  (void) buf;
  ASSERT(nread >= 0);
  mq_got += (int) nread;
}
static void mq_timer(uv_timer_t* t) {
  mq_ticks++;
  if (mq_got < 100 && mq_ticks < 100)
    return; /* the bytes are not there yet: wait (at most a second) */
  uv_close((uv_handle_t*) t, NULL);
  uv_close((uv_handle_t*) &mq_master, NULL);
}

static void test_master_short_read_returns(void) {
  uv_loop_t loop;
  uv_timer_t timer;
  char data[100];
  int m, s;

  if (open_pty(&m, &s) != 0)
    return;
  memset(data, 'q', sizeof(data));
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &mq_master, m, 0), 0);
  ASSERT_EQ(uv_read_start((uv_stream_t*) &mq_master, mq_alloc, mq_read), 0);
  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  ASSERT_EQ(uv_timer_start(&timer, mq_timer, 10, 10), 0);
  ASSERT_EQ(write(s, data, sizeof(data)), (ssize_t) sizeof(data));
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(mq_got, 100);
  ASSERT(mq_ticks >= 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  close(s);
}

/* Every byte a slave writes before it closes reaches the master's reader, then UV_EIO
 * (libuv 1.53's tty_pty_partial, with more rounds): a pty returns its data in pieces, and
 * reading again at once after a short piece could meet EIO while bytes were still queued. */
static size_t pa_got;
static ssize_t pa_last;
static void pa_alloc(uv_handle_t* h, size_t size, uv_buf_t* buf) {
  static char slab[1 << 16];
  (void) h;
  (void) size;
  *buf = uv_buf_init(slab, sizeof(slab));
}
static void pa_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  (void) buf;
  if (nread > 0) {
    pa_got += (size_t) nread;
    return;
  }
  pa_last = nread;
  uv_close((uv_handle_t*) s, NULL);
}
static void pa_feed(void* arg) {
  static char data[1 << 13];
  int fd = *(int*) arg;
  int i;
  ssize_t n, r;
  memset(data, 'x', sizeof(data));
  for (i = 0; i < 8; i++)
    for (n = 0; n < (ssize_t) sizeof(data); n += r) {
      do
        r = write(fd, data + n, sizeof(data) - (size_t) n);
      while (r < 0 && errno == EINTR);
      ASSERT(r > 0);
    }
  ASSERT_EQ(close(fd), 0);
}

static void test_master_reads_all(void) {
  int round;
  for (round = 0; round < 300; round++) {
    uv_loop_t loop;
    uv_tty_t tty;
    uv_thread_t tid;
    int m, s;
    if (open_pty(&m, &s) != 0)
      return;
    pa_got = 0;
    pa_last = 1;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ASSERT_EQ(uv_tty_init(&loop, &tty, m, 0), 0);
    ASSERT_EQ(uv_read_start((uv_stream_t*) &tty, pa_alloc, pa_read), 0);
    ASSERT_EQ(uv_thread_create(&tid, pa_feed, &s), 0);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(uv_thread_join(&tid), 0);
    ASSERT_EQ(pa_got, 65536);
    ASSERT_EQ(pa_last, UV_EIO);
    ASSERT_EQ(uv_loop_close(&loop), 0);
  }
}

/* A TTY handle over a pipe is allowed; it just has no window size. */
static void test_on_a_pipe(void) {
  uv_loop_t loop;
  uv_tty_t tty;
  int fds[2], w, h;

  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_tty_init(&loop, &tty, fds[1], 0), 0);
  ASSERT_EQ(uv_is_writable((uv_stream_t*) &tty), 1);
  ASSERT_EQ(uv_is_readable((uv_stream_t*) &tty), 0);
  ASSERT_EQ(uv_tty_get_winsize(&tty, &w, &h), UV_ENOTTY);
  ASSERT_EQ(uv_tty_set_mode(&tty, UV_TTY_MODE_RAW), UV_ENOTTY);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                    */

static const struct test_entry tests[] = {
    TEST(guess_handle),
    TEST(init_errors),
    TEST(pty_init),
    TEST(access_modes),
    TEST(modes),
    TEST(raw_vt),
    TEST(write),
    TEST(read),
    TEST(on_a_pipe),
    TEST(master_short_read_returns),
    TEST(master_reads_all),
};

RSUV_TEST_MAIN(tests)
