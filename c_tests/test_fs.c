/* test_fs.c - the uv_fs_* requests as a libuv user sees them.
 *
 * Every test runs twice: synchronously (no callback, NULL loop: the call returns the
 * result) and asynchronously (a callback: the call returns 0, the thread pool runs the
 * operation, the callback runs on the loop thread during uv_run). Covers: open/read/write
 * round trips (offsets and the file position, vectored I/O, more buffers than IOV_MAX,
 * 8 MiB transfers, the caller's buffer array not needed after the call), open flags,
 * stat/fstat/lstat fields, mkdir/rmdir, scandir + scandir_next, opendir/readdir/closedir,
 * rename/unlink/link/symlink/readlink/realpath, copyfile (EXCL, FICLONE, onto itself,
 * truncation), sendfile (file and pipe), chmod/fchmod/access, chown/fchown/lchown,
 * utime/futime/lutime, ftruncate/fsync/fdatasync, mkdtemp/mkstemp, statfs, uv_cancel,
 * accessors, error paths (ENOENT, EBADF, EISDIR, NULL arguments) and uv_fs_req_cleanup.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -I/usr/include c_tests/test_fs.c -o /tmp/tfs -luv -lpthread
 *
 * Works in a temporary directory it creates and removes. Each test runs in a forked child
 * with an alarm (RSUV_TEST_ALARM seconds, default 30); RSUV_TEST_NOFORK=1 runs them in
 * this process (for valgrind or a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#define _GNU_SOURCE /* nftw */
#include "uv.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

#define ASSERT_STR_EQ(a, b)                                                            \
  do {                                                                                 \
    const char *a_ = (a), *b_ = (b);                                                   \
    if (strcmp(a_, b_) != 0) {                                                         \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Running a request in either mode                                                         */

static uv_loop_t* loop;
static int async_mode;
static int done_count;
static pthread_t loop_thread;

static void on_done(uv_fs_t* req) {
  ASSERT(pthread_equal(pthread_self(), loop_thread));
  ASSERT_EQ(req->type, UV_FS);
  ASSERT(req->cb == on_done);
  done_count++;
}

/* Completes a request started by FS(): in async mode the call must have returned 0 and
 * the callback must run exactly once in uv_run; in sync mode the call returns the result.
 */
static ssize_t finish(uv_fs_t* req, int r) {
  if (async_mode) {
    int before = done_count;
    ASSERT_EQ(r, 0);
    ASSERT_EQ(done_count, before);
    ASSERT(uv_loop_alive(loop));
    ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(done_count, before + 1);
  } else {
    ASSERT_EQ(r, (int) req->result);
  }
  ASSERT_EQ(uv_fs_get_result(req), req->result);
  return req->result;
}

#define LP (async_mode ? loop : NULL)
#define CB (async_mode ? on_done : NULL)
#define FS(fn, req, ...) finish((req), fn(LP, (req), __VA_ARGS__, CB))

/* ---------------------------------------------------------------------------------------- */
/* Plain POSIX helpers, independent of the library under test                               */

static void put_file(const char* name, const void* data, size_t len) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, data, len), (ssize_t) len);
  ASSERT_EQ(close(fd), 0);
}

static ssize_t get_file(const char* name, void* buf, size_t cap) {
  int fd = open(name, O_RDONLY);
  ssize_t n, total = 0;
  ASSERT(fd >= 0);
  while ((n = read(fd, (char*) buf + total, cap - total)) > 0)
    total += n;
  ASSERT(n == 0 || (size_t) total == cap);
  ASSERT_EQ(close(fd), 0);
  return total;
}

static int exists(const char* name) {
  struct stat st;
  return lstat(name, &st) == 0;
}

static int fs_open(const char* name, int flags, int mode) {
  uv_fs_t req;
  ssize_t fd = FS(uv_fs_open, &req, name, flags, mode);
  ASSERT_EQ(req.fs_type, UV_FS_OPEN);
  uv_fs_req_cleanup(&req);
  return (int) fd;
}

static void fs_close(int fd) {
  uv_fs_t req;
  ASSERT_EQ(FS(uv_fs_close, &req, fd), 0);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Read and write                                                                           */

static void test_read_write(void) {
  uv_fs_t req;
  char buf[64];
  uv_buf_t b;
  int fd;

  fd = fs_open("f", UV_FS_O_CREAT | UV_FS_O_RDWR | UV_FS_O_TRUNC, 0644);
  ASSERT(fd >= 0);

  /* Write at the position (-1), twice: the position advances. */
  b = uv_buf_init("hello ", 6);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, &b, 1, -1), 6);
  ASSERT_EQ(req.fs_type, UV_FS_WRITE);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
  b = uv_buf_init("world", 5);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, &b, 1, -1), 5);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 11);

  /* A positioned write does not move the position. */
  b = uv_buf_init("W", 1);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, &b, 1, 6), 1);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 11);

  /* Positioned reads. */
  memset(buf, 0, sizeof(buf));
  b = uv_buf_init(buf, sizeof(buf));
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, 0), 11);
  ASSERT_EQ(req.fs_type, UV_FS_READ);
  uv_fs_req_cleanup(&req);
  ASSERT_STR_EQ(buf, "hello World");
  memset(buf, 0, sizeof(buf));
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, 6), 5);
  uv_fs_req_cleanup(&req);
  ASSERT_STR_EQ(buf, "World");
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 11);

  /* Reads at the position: at the end, 0; after a seek, from there, advancing it. */
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, -1), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lseek(fd, 2, SEEK_SET), 2);
  memset(buf, 0, sizeof(buf));
  b = uv_buf_init(buf, 3);
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, -1), 3);
  uv_fs_req_cleanup(&req);
  ASSERT_STR_EQ(buf, "llo");
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 5);

  /* A positioned read past the end: 0. */
  b = uv_buf_init(buf, sizeof(buf));
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, 1000), 0);
  uv_fs_req_cleanup(&req);

  fs_close(fd);
}

static void test_vectored(void) {
  uv_fs_t req;
  char a[4], b2[3], c[16], big[7][2];
  uv_buf_t bufs[7];
  char out[64];
  int fd, i;

  fd = fs_open("v", UV_FS_O_CREAT | UV_FS_O_RDWR | UV_FS_O_TRUNC, 0600);
  ASSERT(fd >= 0);

  /* Three buffers at the position; the caller's array is scribbled over right after the
   * call, before the operation ran (async): the request keeps its own copy. */
  bufs[0] = uv_buf_init("abc", 3);
  bufs[1] = uv_buf_init("", 0);
  bufs[2] = uv_buf_init("defgh", 5);
  {
    int r = uv_fs_write(LP, &req, fd, bufs, 3, -1, CB);
    memset(bufs, 0, sizeof(bufs));
    ASSERT_EQ(finish(&req, r), 8);
  }
  uv_fs_req_cleanup(&req);

  /* Seven buffers (more than the four kept inline), positioned. */
  for (i = 0; i < 7; i++) {
    big[i][0] = (char) ('0' + i);
    big[i][1] = (char) ('A' + i);
    bufs[i] = uv_buf_init(big[i], 2);
  }
  {
    int r = uv_fs_write(LP, &req, fd, bufs, 7, 8, CB);
    memset(bufs, 0, sizeof(bufs));
    ASSERT_EQ(finish(&req, r), 14);
  }
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("v", out, sizeof(out)), 22);
  ASSERT(memcmp(out, "abcdefgh0A1B2C3D4E5F6G", 22) == 0);

  /* Vectored positioned read across buffer boundaries. */
  memset(a, 0, sizeof(a));
  memset(b2, 0, sizeof(b2));
  memset(c, 0, sizeof(c));
  bufs[0] = uv_buf_init(a, 4);
  bufs[1] = uv_buf_init(b2, 3);
  bufs[2] = uv_buf_init(c, sizeof(c));
  ASSERT_EQ(FS(uv_fs_read, &req, fd, bufs, 3, 1), 21);
  uv_fs_req_cleanup(&req);
  ASSERT(memcmp(a, "bcde", 4) == 0);
  ASSERT(memcmp(b2, "fgh", 3) == 0);
  ASSERT(memcmp(c, "0A1B2C3D4E5F6G", 14) == 0);

  /* Vectored read at the position. */
  ASSERT_EQ(lseek(fd, 20, SEEK_SET), 20);
  memset(a, 0, sizeof(a));
  bufs[0] = uv_buf_init(a, 1);
  bufs[1] = uv_buf_init(b2, 3);
  ASSERT_EQ(FS(uv_fs_read, &req, fd, bufs, 2, -1), 2);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(a[0], '6');
  ASSERT_EQ(b2[0], 'G');
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), 22);

  fs_close(fd);
}

#define BIG (8u << 20)
#define NBUFS 2048u /* more than IOV_MAX (1024) */

static void test_large(void) {
  uv_fs_t req;
  unsigned char* data = malloc(BIG);
  unsigned char* back = malloc(BIG);
  uv_buf_t* bufs = malloc(NBUFS * sizeof(*bufs));
  size_t chunk = BIG / NBUFS;
  ssize_t n;
  size_t i;
  int fd;

  ASSERT(data && back && bufs);
  for (i = 0; i < BIG; i++)
    data[i] = (unsigned char) (i * 7 + (i >> 13));

  /* One 8 MiB buffer, written and read back in one request each. */
  fd = fs_open("big", UV_FS_O_CREAT | UV_FS_O_RDWR | UV_FS_O_TRUNC, 0644);
  ASSERT(fd >= 0);
  bufs[0] = uv_buf_init((char*) data, BIG);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, bufs, 1, 0), BIG);
  uv_fs_req_cleanup(&req);
  memset(back, 0, BIG);
  bufs[0] = uv_buf_init((char*) back, BIG);
  ASSERT_EQ(FS(uv_fs_read, &req, fd, bufs, 1, 0), BIG);
  uv_fs_req_cleanup(&req);
  ASSERT(memcmp(data, back, BIG) == 0);

  /* 2048 buffers of 4 KiB: a write takes them all (in IOV_MAX-sized steps). */
  ASSERT_EQ(ftruncate(fd, 0), 0);
  for (i = 0; i < NBUFS; i++)
    bufs[i] = uv_buf_init((char*) data + i * chunk, chunk);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, bufs, NBUFS, -1), BIG);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lseek(fd, 0, SEEK_CUR), BIG);

  /* ... and a read fills what one system call fills (at most IOV_MAX buffers). */
  memset(back, 0, BIG);
  for (i = 0; i < NBUFS; i++)
    bufs[i] = uv_buf_init((char*) back + i * chunk, chunk);
  n = FS(uv_fs_read, &req, fd, bufs, NBUFS, 0);
  uv_fs_req_cleanup(&req);
  ASSERT(n > 0 && (size_t) n <= BIG);
  ASSERT(memcmp(data, back, n) == 0);

  fs_close(fd);
  free(bufs);
  free(back);
  free(data);
}

static void test_open_flags(void) {
  uv_fs_t req;
  uv_buf_t b;
  char buf[32];
  int fd;

  put_file("of", "12345", 5);
  ASSERT_EQ(symlink("of", "of.link"), 0);

  /* O_APPEND: writes at the position go to the end. */
  fd = fs_open("of", UV_FS_O_WRONLY | UV_FS_O_APPEND, 0);
  ASSERT(fd >= 0);
  b = uv_buf_init("ab", 2);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, &b, 1, -1), 2);
  uv_fs_req_cleanup(&req);
  fs_close(fd);
  ASSERT_EQ(get_file("of", buf, sizeof(buf)), 7);
  ASSERT(memcmp(buf, "12345ab", 7) == 0);

  /* O_CREAT | O_EXCL on an existing file. */
  ASSERT_EQ(fs_open("of", UV_FS_O_CREAT | UV_FS_O_EXCL | UV_FS_O_WRONLY, 0644), UV_EEXIST);
  /* O_DIRECTORY on a file, O_NOFOLLOW on a link. */
  ASSERT_EQ(fs_open("of", UV_FS_O_RDONLY | UV_FS_O_DIRECTORY, 0), UV_ENOTDIR);
  ASSERT_EQ(fs_open("of.link", UV_FS_O_RDONLY | UV_FS_O_NOFOLLOW, 0), UV_ELOOP);
  /* O_TRUNC. */
  fd = fs_open("of", UV_FS_O_WRONLY | UV_FS_O_TRUNC, 0);
  ASSERT(fd >= 0);
  fs_close(fd);
  ASSERT_EQ(get_file("of", buf, sizeof(buf)), 0);
  /* O_CREAT applies the mode (under the umask). */
  fd = fs_open("of.new", UV_FS_O_CREAT | UV_FS_O_WRONLY, 0640);
  ASSERT(fd >= 0);
  {
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0640);
    /* The descriptor is close-on-exec. */
    ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  }
  fs_close(fd);
  /* A read-only descriptor cannot be written. */
  fd = fs_open("of", UV_FS_O_RDONLY, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_write, &req, fd, &b, 1, -1), UV_EBADF);
  uv_fs_req_cleanup(&req);
  fs_close(fd);
}

/* ---------------------------------------------------------------------------------------- */
/* Stat                                                                                     */

static void check_stat(const uv_stat_t* s, const struct stat* st) {
  ASSERT_EQ(s->st_dev, st->st_dev);
  ASSERT_EQ(s->st_ino, st->st_ino);
  ASSERT_EQ(s->st_mode, st->st_mode);
  ASSERT_EQ(s->st_nlink, st->st_nlink);
  ASSERT_EQ(s->st_uid, st->st_uid);
  ASSERT_EQ(s->st_gid, st->st_gid);
  ASSERT_EQ(s->st_rdev, st->st_rdev);
  ASSERT_EQ(s->st_size, st->st_size);
  ASSERT_EQ(s->st_blksize, st->st_blksize);
  ASSERT_EQ(s->st_blocks, st->st_blocks);
  ASSERT_EQ(s->st_atim.tv_sec, st->st_atim.tv_sec);
  ASSERT_EQ(s->st_atim.tv_nsec, st->st_atim.tv_nsec);
  ASSERT_EQ(s->st_mtim.tv_sec, st->st_mtim.tv_sec);
  ASSERT_EQ(s->st_mtim.tv_nsec, st->st_mtim.tv_nsec);
  ASSERT_EQ(s->st_ctim.tv_sec, st->st_ctim.tv_sec);
  ASSERT_EQ(s->st_ctim.tv_nsec, st->st_ctim.tv_nsec);
  ASSERT_EQ(s->st_flags, 0);
  ASSERT_EQ(s->st_gen, 0);
  /* The birth time, when the file system records one, is no later than the change. */
  ASSERT(s->st_birthtim.tv_sec <= s->st_ctim.tv_sec);
}

static void test_stat(void) {
  uv_fs_t req;
  struct stat st;
  char data[123];
  int fd;

  memset(data, 'x', sizeof(data));
  put_file("s", data, sizeof(data));
  ASSERT_EQ(chmod("s", 0640), 0);
  ASSERT_EQ(symlink("s", "s.link"), 0);
  ASSERT_EQ(mkdir("s.dir", 0755), 0);

  ASSERT_EQ(FS(uv_fs_stat, &req, "s"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_STAT);
  ASSERT(req.ptr == &req.statbuf);
  ASSERT(uv_fs_get_ptr(&req) == &req.statbuf);
  ASSERT(uv_fs_get_statbuf(&req) == &req.statbuf);
  ASSERT_EQ(stat("s", &st), 0);
  check_stat(&req.statbuf, &st);
  ASSERT_EQ(req.statbuf.st_size, 123);
  ASSERT(S_ISREG(req.statbuf.st_mode));
  ASSERT_EQ(req.statbuf.st_mode & 0777, 0640);
  ASSERT_EQ(req.statbuf.st_uid, getuid());
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);

  /* stat follows the link, lstat does not. */
  ASSERT_EQ(FS(uv_fs_stat, &req, "s.link"), 0);
  check_stat(&req.statbuf, &st);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_lstat, &req, "s.link"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_LSTAT);
  ASSERT(req.ptr == &req.statbuf);
  ASSERT_EQ(lstat("s.link", &st), 0);
  check_stat(&req.statbuf, &st);
  ASSERT(S_ISLNK(req.statbuf.st_mode));
  ASSERT_EQ(req.statbuf.st_size, 1);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_stat, &req, "s.dir"), 0);
  ASSERT(S_ISDIR(req.statbuf.st_mode));
  uv_fs_req_cleanup(&req);

  fd = open("s", O_RDONLY);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_fstat, &req, fd), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FSTAT);
  ASSERT(req.ptr == &req.statbuf);
  ASSERT_EQ(fstat(fd, &st), 0);
  check_stat(&req.statbuf, &st);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);

  /* Errors leave ptr NULL. */
  ASSERT_EQ(FS(uv_fs_stat, &req, "nope"), UV_ENOENT);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_lstat, &req, "nope/nope"), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_stat, &req, "s/x"), UV_ENOTDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_fstat, &req, -1), UV_EBADF);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
}

static void test_statfs(void) {
  uv_fs_t req;
  uv_statfs_t* s;

  ASSERT_EQ(FS(uv_fs_statfs, &req, "."), 0);
  ASSERT_EQ(req.fs_type, UV_FS_STATFS);
  s = req.ptr;
  ASSERT(s != NULL);
  ASSERT(s->f_bsize > 0);
  ASSERT(s->f_blocks > 0);
  ASSERT(s->f_bfree <= s->f_blocks);
  ASSERT(s->f_bavail <= s->f_blocks);
  ASSERT(s->f_ffree <= s->f_files);
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);

  ASSERT_EQ(FS(uv_fs_statfs, &req, "nope"), UV_ENOENT);
  ASSERT(req.ptr == NULL);
  ASSERT_EQ(uv_fs_get_system_error(&req), ENOENT);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Directories                                                                              */

static void test_mkdir_rmdir(void) {
  uv_fs_t req;
  struct stat st;

  ASSERT_EQ(FS(uv_fs_mkdir, &req, "d", 0750), 0);
  ASSERT_EQ(req.fs_type, UV_FS_MKDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("d", &st), 0);
  ASSERT(S_ISDIR(st.st_mode));
  ASSERT_EQ(st.st_mode & 0777, 0750);
  ASSERT_EQ(FS(uv_fs_mkdir, &req, "d", 0755), UV_EEXIST);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_mkdir, &req, "nope/d", 0755), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  put_file("d/f", "", 0);
  ASSERT_EQ(FS(uv_fs_rmdir, &req, "d"), UV_ENOTEMPTY);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_rmdir, &req, "d/f"), UV_ENOTDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(unlink("d/f"), 0);
  ASSERT_EQ(FS(uv_fs_rmdir, &req, "d"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_RMDIR);
  uv_fs_req_cleanup(&req);
  ASSERT(!exists("d"));
  ASSERT_EQ(FS(uv_fs_rmdir, &req, "d"), UV_ENOENT);
  uv_fs_req_cleanup(&req);
}

static void make_tree(void) {
  ASSERT_EQ(mkdir("t", 0755), 0);
  put_file("t/b", "b", 1);
  put_file("t/a", "a", 1);
  put_file("t/c", "c", 1);
  ASSERT_EQ(mkdir("t/d", 0755), 0);
  ASSERT_EQ(symlink("a", "t/e"), 0);
  ASSERT_EQ(mkdir("empty", 0755), 0);
}

static void test_scandir(void) {
  static const char* names[] = {"a", "b", "c", "d", "e"};
  static const int types[] = {UV_DIRENT_FILE, UV_DIRENT_FILE, UV_DIRENT_FILE, UV_DIRENT_DIR,
                              UV_DIRENT_LINK};
  uv_fs_t req;
  uv_dirent_t ent;
  int i;

  make_tree();
  ASSERT_EQ(FS(uv_fs_scandir, &req, "t", 0), 5);
  ASSERT_EQ(req.fs_type, UV_FS_SCANDIR);
  ASSERT(req.ptr != NULL);
  for (i = 0; i < 5; i++) {
    ASSERT_EQ(uv_fs_scandir_next(&req, &ent), 0);
    ASSERT_STR_EQ(ent.name, names[i]);
    /* tmpfs and ext4 fill d_type; others may say "unknown". */
    ASSERT((int) ent.type == types[i] || ent.type == UV_DIRENT_UNKNOWN);
  }
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), UV_EOF);
  ASSERT(req.ptr == NULL);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), UV_EOF);
  uv_fs_req_cleanup(&req);
  uv_fs_req_cleanup(&req);

  /* Cleanup halfway through frees the rest. */
  ASSERT_EQ(FS(uv_fs_scandir, &req, "t", 0), 5);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), 0);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), 0);
  ASSERT_STR_EQ(ent.name, "b");
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);

  /* Cleanup without reading any entry. */
  ASSERT_EQ(FS(uv_fs_scandir, &req, "t", 0), 5);
  uv_fs_req_cleanup(&req);

  /* An empty directory: 0 entries, EOF at once. */
  ASSERT_EQ(FS(uv_fs_scandir, &req, "empty", 0), 0);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), UV_EOF);
  uv_fs_req_cleanup(&req);

  /* Errors: scandir_next repeats the request's error. */
  ASSERT_EQ(FS(uv_fs_scandir, &req, "nope", 0), UV_ENOENT);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_scandir, &req, "t/a", 0), UV_ENOTDIR);
  ASSERT_EQ(uv_fs_scandir_next(&req, &ent), UV_ENOTDIR);
  uv_fs_req_cleanup(&req);
}

static void test_opendir_readdir(void) {
  uv_fs_t req;
  uv_dir_t* dir;
  uv_dirent_t ents[2];
  int seen = 0, n, i, total = 0;

  make_tree();
  ASSERT_EQ(FS(uv_fs_opendir, &req, "t"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_OPENDIR);
  dir = req.ptr;
  ASSERT(dir != NULL);
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);

  dir->dirents = ents;
  dir->nentries = 2;
  for (;;) {
    n = (int) FS(uv_fs_readdir, &req, dir);
    ASSERT_EQ(req.fs_type, UV_FS_READDIR);
    ASSERT(n >= 0 && n <= 2);
    if (n == 0) {
      uv_fs_req_cleanup(&req);
      break;
    }
    for (i = 0; i < n; i++) {
      const char* nm = ents[i].name;
      ASSERT(nm != NULL);
      ASSERT(strlen(nm) == 1 && nm[0] >= 'a' && nm[0] <= 'e');
      ASSERT(!(seen & (1 << (nm[0] - 'a'))));
      seen |= 1 << (nm[0] - 'a');
      if (ents[i].type != UV_DIRENT_UNKNOWN) {
        int want = nm[0] == 'd' ? UV_DIRENT_DIR : nm[0] == 'e' ? UV_DIRENT_LINK : UV_DIRENT_FILE;
        ASSERT_EQ(ents[i].type, want);
      }
    }
    total += n;
    uv_fs_req_cleanup(&req);
    ASSERT(ents[0].name == NULL);
  }
  ASSERT_EQ(total, 5);
  ASSERT_EQ(seen, 0x1f);
  /* Once at the end, it stays there. */
  ASSERT_EQ(FS(uv_fs_readdir, &req, dir), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_closedir, &req, dir), 0);
  ASSERT_EQ(req.fs_type, UV_FS_CLOSEDIR);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);

  /* An empty directory. */
  ASSERT_EQ(FS(uv_fs_opendir, &req, "empty"), 0);
  dir = req.ptr;
  uv_fs_req_cleanup(&req);
  dir->dirents = ents;
  dir->nentries = 2;
  ASSERT_EQ(FS(uv_fs_readdir, &req, dir), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_closedir, &req, dir), 0);
  uv_fs_req_cleanup(&req);

  /* Errors. */
  ASSERT_EQ(FS(uv_fs_opendir, &req, "nope"), UV_ENOENT);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_opendir, &req, "t/a"), UV_ENOTDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_readdir(LP, &req, NULL, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_closedir(LP, &req, NULL, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  {
    /* A dir with no entry buffer. */
    ASSERT_EQ(FS(uv_fs_opendir, &req, "t"), 0);
    dir = req.ptr;
    uv_fs_req_cleanup(&req);
    dir->dirents = NULL;
    dir->nentries = 0;
    ASSERT_EQ(uv_fs_readdir(LP, &req, dir, CB), UV_EINVAL);
    uv_fs_req_cleanup(&req);
    ASSERT_EQ(FS(uv_fs_closedir, &req, dir), 0);
    uv_fs_req_cleanup(&req);
  }
  ASSERT(!uv_loop_alive(loop));
}

/* ---------------------------------------------------------------------------------------- */
/* Names and links                                                                          */

static void test_rename_unlink(void) {
  uv_fs_t req;
  char buf[8];

  put_file("r1", "one", 3);
  put_file("r2", "two", 3);
  ASSERT_EQ(FS(uv_fs_rename, &req, "r1", "r3"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_RENAME);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
  ASSERT(req.path == NULL);
  ASSERT(!exists("r1"));
  /* Onto an existing file: replaced. */
  ASSERT_EQ(FS(uv_fs_rename, &req, "r3", "r2"), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("r2", buf, sizeof(buf)), 3);
  ASSERT(memcmp(buf, "one", 3) == 0);
  ASSERT_EQ(FS(uv_fs_rename, &req, "r1", "r4"), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_unlink, &req, "r2"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_UNLINK);
  uv_fs_req_cleanup(&req);
  ASSERT(!exists("r2"));
  ASSERT_EQ(FS(uv_fs_unlink, &req, "r2"), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(mkdir("rd", 0755), 0);
  ASSERT_EQ(FS(uv_fs_unlink, &req, "rd"), UV_EISDIR);
  uv_fs_req_cleanup(&req);
}

static void test_links(void) {
  uv_fs_t req;
  struct stat st;
  char cwd[PATH_MAX], want[PATH_MAX + 8];

  put_file("target", "data", 4);
  ASSERT_EQ(FS(uv_fs_link, &req, "target", "hard"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_LINK);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("target", &st), 0);
  ASSERT_EQ(st.st_nlink, 2);
  ASSERT_EQ(FS(uv_fs_link, &req, "target", "hard"), UV_EEXIST);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_link, &req, "nope", "hard2"), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_symlink, &req, "target", "soft", 0), 0);
  ASSERT_EQ(req.fs_type, UV_FS_SYMLINK);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lstat("soft", &st), 0);
  ASSERT(S_ISLNK(st.st_mode));
  /* The flags are for Windows; dangling links are fine. */
  ASSERT_EQ(FS(uv_fs_symlink, &req, "nowhere", "dangling", UV_FS_SYMLINK_DIR), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_symlink, &req, "target", "soft", 0), UV_EEXIST);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_readlink, &req, "soft"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_READLINK);
  ASSERT_STR_EQ(req.ptr, "target");
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);
  ASSERT_EQ(FS(uv_fs_readlink, &req, "dangling"), 0);
  ASSERT_STR_EQ(req.ptr, "nowhere");
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_readlink, &req, "target"), UV_EINVAL);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_readlink, &req, "nope"), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  ASSERT(getcwd(cwd, sizeof(cwd)) != NULL);
  snprintf(want, sizeof(want), "%s/target", cwd);
  ASSERT_EQ(FS(uv_fs_realpath, &req, "soft"), 0);
  ASSERT_EQ(req.fs_type, UV_FS_REALPATH);
  ASSERT_STR_EQ(req.ptr, want);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_realpath, &req, "./x/../target"), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(mkdir("x", 0755), 0);
  ASSERT_EQ(FS(uv_fs_realpath, &req, "./x/../soft"), 0);
  ASSERT_STR_EQ(req.ptr, want);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_realpath, &req, "dangling"), UV_ENOENT);
  ASSERT(req.ptr == NULL);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Copying                                                                                  */

static void test_copyfile(void) {
  uv_fs_t req;
  struct stat st;
  char buf[64];
  int r;

  put_file("src", "source data", 11);
  ASSERT_EQ(chmod("src", 0604), 0);

  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "dst", 0), 0);
  ASSERT_EQ(req.fs_type, UV_FS_COPYFILE);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("dst", buf, sizeof(buf)), 11);
  ASSERT(memcmp(buf, "source data", 11) == 0);
  ASSERT_EQ(stat("dst", &st), 0);
  ASSERT_EQ(st.st_mode & 0777, 0604);

  /* EXCL refuses an existing destination and leaves it alone. */
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "dst", UV_FS_COPYFILE_EXCL), UV_EEXIST);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("dst", buf, sizeof(buf)), 11);

  /* A longer existing destination is truncated, and its mode replaced. */
  put_file("dst2", "a much longer destination file", 30);
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "dst2", 0), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("dst2", buf, sizeof(buf)), 11);
  ASSERT(memcmp(buf, "source data", 11) == 0);
  ASSERT_EQ(stat("dst2", &st), 0);
  ASSERT_EQ(st.st_mode & 0777, 0604);

  /* Onto itself: success, content intact. */
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "src", 0), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("src", buf, sizeof(buf)), 11);

  /* FICLONE falls back to a copy; FICLONE_FORCE clones or fails without a leftover. */
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "dst3", UV_FS_COPYFILE_FICLONE), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("dst3", buf, sizeof(buf)), 11);
  r = (int) FS(uv_fs_copyfile, &req, "src", "dst4", UV_FS_COPYFILE_FICLONE_FORCE);
  uv_fs_req_cleanup(&req);
  if (r == 0)
    ASSERT_EQ(get_file("dst4", buf, sizeof(buf)), 11);
  else
    ASSERT(!exists("dst4"));

  /* An empty source. */
  put_file("empty", "", 0);
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "empty", "dst5", 0), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("dst5", buf, sizeof(buf)), 0);

  /* Errors. */
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "nope", "dst6", 0), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT(!exists("dst6"));
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "nodir/dst", 0), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_copyfile(LP, &req, "src", "dst7", 0x100, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT(!exists("dst7"));
  ASSERT_EQ(mkdir("adir", 0755), 0);
  ASSERT_EQ(FS(uv_fs_copyfile, &req, "src", "adir", 0), UV_EISDIR);
  uv_fs_req_cleanup(&req);

  /* A big file. */
  {
    size_t len = 3u << 20, i;
    char* big = malloc(len);
    char* back = malloc(len);
    ASSERT(big && back);
    for (i = 0; i < len; i++)
      big[i] = (char) (i % 251);
    put_file("bigsrc", big, len);
    ASSERT_EQ(FS(uv_fs_copyfile, &req, "bigsrc", "bigdst", 0), 0);
    uv_fs_req_cleanup(&req);
    ASSERT_EQ(get_file("bigdst", back, len), (ssize_t) len);
    ASSERT(memcmp(big, back, len) == 0);
    free(big);
    free(back);
  }
}

static void test_sendfile(void) {
  uv_fs_t req;
  char buf[64];
  int in, out, p[2];

  put_file("sf.in", "0123456789abcdef", 16);
  in = open("sf.in", O_RDONLY);
  out = open("sf.out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT(in >= 0 && out >= 0);

  /* File to file, from an offset; the source position is not used or moved. */
  ASSERT_EQ(FS(uv_fs_sendfile, &req, out, in, 4, 6), 6);
  ASSERT_EQ(req.fs_type, UV_FS_SENDFILE);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(lseek(in, 0, SEEK_CUR), 0);
  ASSERT_EQ(lseek(out, 0, SEEK_CUR), 6);
  /* More than there is: the rest. */
  ASSERT_EQ(FS(uv_fs_sendfile, &req, out, in, 12, 100), 4);
  uv_fs_req_cleanup(&req);
  /* At the end: 0. */
  ASSERT_EQ(FS(uv_fs_sendfile, &req, out, in, 16, 100), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("sf.out", buf, sizeof(buf)), 10);
  ASSERT(memcmp(buf, "456789cdef", 10) == 0);

  /* File to pipe. */
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(FS(uv_fs_sendfile, &req, p[1], in, 0, 16), 16);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(read(p[0], buf, sizeof(buf)), 16);
  ASSERT(memcmp(buf, "0123456789abcdef", 16) == 0);

  /* Pipe to file. */
  ASSERT_EQ(write(p[1], "piped", 5), 5);
  ASSERT_EQ(FS(uv_fs_sendfile, &req, out, p[0], 0, 5), 5);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(get_file("sf.out", buf, sizeof(buf)), 15);
  ASSERT(memcmp(buf + 10, "piped", 5) == 0);

  /* Errors. */
  ASSERT_EQ(FS(uv_fs_sendfile, &req, out, -1, 0, 5), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_sendfile, &req, -1, in, 0, 5), UV_EBADF);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(close(p[0]), 0);
  ASSERT_EQ(close(p[1]), 0);
  ASSERT_EQ(close(in), 0);
  ASSERT_EQ(close(out), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Permissions, ownership, times                                                            */

static void test_chmod_access(void) {
  uv_fs_t req;
  struct stat st;
  int fd;

  put_file("p", "x", 1);
  ASSERT_EQ(FS(uv_fs_chmod, &req, "p", 0400), 0);
  ASSERT_EQ(req.fs_type, UV_FS_CHMOD);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("p", &st), 0);
  ASSERT_EQ(st.st_mode & 07777, 0400);

  ASSERT_EQ(FS(uv_fs_access, &req, "p", F_OK), 0);
  ASSERT_EQ(req.fs_type, UV_FS_ACCESS);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_access, &req, "p", R_OK), 0);
  uv_fs_req_cleanup(&req);
  if (geteuid() != 0) {
    ASSERT_EQ(FS(uv_fs_access, &req, "p", W_OK), UV_EACCES);
    uv_fs_req_cleanup(&req);
  }
  ASSERT_EQ(FS(uv_fs_access, &req, "p", X_OK), UV_EACCES);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_access, &req, "nope", F_OK), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  fd = open("p", O_RDONLY);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_fchmod, &req, fd, 04751), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FCHMOD);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("p", &st), 0);
  ASSERT_EQ(st.st_mode & 07777, 04751);
  ASSERT_EQ(FS(uv_fs_access, &req, "p", X_OK), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(FS(uv_fs_fchmod, &req, -1, 0644), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_chmod, &req, "nope", 0644), UV_ENOENT);
  uv_fs_req_cleanup(&req);
}

static void test_chown(void) {
  uv_fs_t req;
  int fd;

  put_file("o", "x", 1);
  ASSERT_EQ(symlink("o", "o.link"), 0);
  ASSERT_EQ(FS(uv_fs_chown, &req, "o", getuid(), getgid()), 0);
  ASSERT_EQ(req.fs_type, UV_FS_CHOWN);
  uv_fs_req_cleanup(&req);
  /* -1 leaves the id as it is. */
  ASSERT_EQ(FS(uv_fs_chown, &req, "o", (uv_uid_t) -1, (uv_gid_t) -1), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_lchown, &req, "o.link", getuid(), getgid()), 0);
  ASSERT_EQ(req.fs_type, UV_FS_LCHOWN);
  uv_fs_req_cleanup(&req);
  fd = open("o", O_RDONLY);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_fchown, &req, fd, getuid(), getgid()), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FCHOWN);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(FS(uv_fs_chown, &req, "nope", getuid(), getgid()), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_fchown, &req, -1, getuid(), getgid()), UV_EBADF);
  uv_fs_req_cleanup(&req);
}

static void check_times(const char* name, int follow, double atime, double mtime) {
  struct stat st;
  ASSERT_EQ(follow ? stat(name, &st) : lstat(name, &st), 0);
  ASSERT_EQ(st.st_atim.tv_sec + st.st_atim.tv_nsec / 1e9, atime);
  ASSERT_EQ(st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9, mtime);
  ASSERT(st.st_atim.tv_sec + st.st_atim.tv_nsec / 1e9 == atime);
  ASSERT(st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9 == mtime);
}

static void test_utime(void) {
  uv_fs_t req;
  struct stat st;
  int fd;

  put_file("u", "x", 1);
  ASSERT_EQ(symlink("u", "u.link"), 0);

  ASSERT_EQ(FS(uv_fs_utime, &req, "u", 400497753.25, 400497754.5), 0);
  ASSERT_EQ(req.fs_type, UV_FS_UTIME);
  uv_fs_req_cleanup(&req);
  check_times("u", 1, 400497753.25, 400497754.5);
  /* Times before the epoch (-0.25 s becomes -1 s + 750 ms). */
  ASSERT_EQ(FS(uv_fs_utime, &req, "u", -14245440.25, -14245440.25), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("u", &st), 0);
  ASSERT_EQ(st.st_mtim.tv_sec, -14245441);
  ASSERT_EQ(st.st_mtim.tv_nsec, 750000000);
  /* Nanosecond precision, as libuv 1.53 converts (1.44 dropped what is below 1 us). */
  ASSERT_EQ(FS(uv_fs_utime, &req, "u", 1.0, 2.0000015), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("u", &st), 0);
  ASSERT_EQ(st.st_mtim.tv_sec, 2);
  ASSERT(st.st_mtim.tv_nsec >= 1499 && st.st_mtim.tv_nsec <= 1500);
#ifdef UV_FS_UTIME_OMIT
  /* UV_FS_UTIME_OMIT leaves a time alone; UV_FS_UTIME_NOW sets it to now (1.51+). */
  ASSERT_EQ(FS(uv_fs_utime, &req, "u", UV_FS_UTIME_OMIT, 5000.0), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("u", &st), 0);
  ASSERT_EQ(st.st_atim.tv_sec, 1);
  ASSERT_EQ(st.st_mtim.tv_sec, 5000);
  ASSERT_EQ(FS(uv_fs_utime, &req, "u", UV_FS_UTIME_NOW, UV_FS_UTIME_OMIT), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(stat("u", &st), 0);
  ASSERT(st.st_atim.tv_sec >= time(NULL) - 5);
  ASSERT_EQ(st.st_mtim.tv_sec, 5000);
#endif

  /* Through the link, utime changes the target. */
  ASSERT_EQ(FS(uv_fs_utime, &req, "u.link", 1000.5, 2000.5), 0);
  uv_fs_req_cleanup(&req);
  check_times("u", 1, 1000.5, 2000.5);

  /* lutime changes the link, not the target. */
  ASSERT_EQ(FS(uv_fs_lutime, &req, "u.link", 3000.5, 4000.5), 0);
  ASSERT_EQ(req.fs_type, UV_FS_LUTIME);
  uv_fs_req_cleanup(&req);
  check_times("u.link", 0, 3000.5, 4000.5);
  check_times("u", 1, 1000.5, 2000.5);

  fd = open("u", O_RDWR);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_futime, &req, fd, 5000.75, 6000.125), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FUTIME);
  uv_fs_req_cleanup(&req);
  check_times("u", 1, 5000.75, 6000.125);
  ASSERT_EQ(close(fd), 0);

  ASSERT_EQ(FS(uv_fs_utime, &req, "nope", 1, 1), UV_ENOENT);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_futime, &req, -1, 1, 1), UV_EBADF);
  uv_fs_req_cleanup(&req);
}

static void test_truncate_fsync(void) {
  uv_fs_t req;
  struct stat st;
  int fd;

  put_file("ts", "0123456789abcdef", 16);
  fd = open("ts", O_RDWR);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_ftruncate, &req, fd, 10), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FTRUNCATE);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(fstat(fd, &st), 0);
  ASSERT_EQ(st.st_size, 10);
  ASSERT_EQ(FS(uv_fs_ftruncate, &req, fd, 1 << 20), 0);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(fstat(fd, &st), 0);
  ASSERT_EQ(st.st_size, 1 << 20);
  ASSERT_EQ(FS(uv_fs_ftruncate, &req, fd, -1), UV_EINVAL);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_fsync, &req, fd), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FSYNC);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_fdatasync, &req, fd), 0);
  ASSERT_EQ(req.fs_type, UV_FS_FDATASYNC);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);

  ASSERT_EQ(FS(uv_fs_ftruncate, &req, -1, 0), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_fsync, &req, -1), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_fdatasync, &req, -1), UV_EBADF);
  uv_fs_req_cleanup(&req);
  /* A read-only descriptor cannot be truncated. */
  fd = open("ts", O_RDONLY);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_ftruncate, &req, fd, 0), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Temporary names                                                                          */

static void test_mkdtemp_mkstemp(void) {
  uv_fs_t req, req2;
  struct stat st;
  char tpl[] = "tmpXXXXXX";
  int fd;

  ASSERT_EQ(FS(uv_fs_mkdtemp, &req, tpl), 0);
  ASSERT_EQ(req.fs_type, UV_FS_MKDTEMP);
  ASSERT(req.path != NULL && req.path != tpl);
  ASSERT_STR_EQ(tpl, "tmpXXXXXX"); /* the caller's template is not touched */
  ASSERT_EQ(strlen(req.path), 9);
  ASSERT(strncmp(req.path, "tmp", 3) == 0);
  ASSERT(strcmp(req.path + 3, "XXXXXX") != 0);
  ASSERT_STR_EQ(uv_fs_get_path(&req), req.path);
  ASSERT_EQ(stat(req.path, &st), 0);
  ASSERT(S_ISDIR(st.st_mode));
  ASSERT_EQ(st.st_mode & 0777, 0700);

  /* A second one gets another name. */
  ASSERT_EQ(FS(uv_fs_mkdtemp, &req2, tpl), 0);
  ASSERT(strcmp(req.path, req2.path) != 0);
  uv_fs_req_cleanup(&req2);
  uv_fs_req_cleanup(&req);
  ASSERT(req.path == NULL);

  ASSERT_EQ(FS(uv_fs_mkdtemp, &req, "bad"), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_mkdtemp, &req, "nodir/tmpXXXXXX"), UV_ENOENT);
  uv_fs_req_cleanup(&req);

  fd = (int) FS(uv_fs_mkstemp, &req, tpl);
  ASSERT(fd >= 0);
  ASSERT_EQ(req.fs_type, UV_FS_MKSTEMP);
  ASSERT(req.path != NULL && req.path != tpl);
  ASSERT(strcmp(req.path + 3, "XXXXXX") != 0);
  ASSERT_EQ(stat(req.path, &st), 0);
  ASSERT(S_ISREG(st.st_mode));
  ASSERT_EQ(st.st_size, 0);
  ASSERT_EQ(st.st_mode & 0777, 0600);
  ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  ASSERT_EQ(close(fd), 0);
  uv_fs_req_cleanup(&req);

  /* A template not ending in XXXXXX: EINVAL, and the name is cleared. */
  ASSERT_EQ(FS(uv_fs_mkstemp, &req, "tmpXXXXXXa"), UV_EINVAL);
  ASSERT(req.path != NULL);
  ASSERT_EQ(req.path[0], '\0');
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_mkstemp, &req, "nodir/tmpXXXXXX"), UV_ENOENT);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Errors, cleanup and accessors                                                            */

static void never_cb(uv_fs_t* req) {
  (void) req;
  ASSERT(!"this callback must not run");
}

static void test_errors(void) {
  uv_fs_t req;
  uv_buf_t b;
  char buf[16];
  int fd;

  /* ENOENT, EBADF. */
  ASSERT_EQ(fs_open("nope", UV_FS_O_RDONLY, 0), UV_ENOENT);
  b = uv_buf_init(buf, sizeof(buf));
  ASSERT_EQ(FS(uv_fs_read, &req, -1, &b, 1, -1), UV_EBADF);
  ASSERT_EQ(uv_fs_get_system_error(&req), EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_read, &req, -1, &b, 1, 0), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_write, &req, -1, &b, 1, -1), UV_EBADF);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_close, &req, -1), UV_EBADF);
  uv_fs_req_cleanup(&req);

  /* EISDIR reading a directory. */
  fd = open(".", O_RDONLY | O_DIRECTORY);
  ASSERT(fd >= 0);
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, -1), UV_EISDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(FS(uv_fs_read, &req, fd, &b, 1, 0), UV_EISDIR);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(fs_open(".", UV_FS_O_WRONLY, 0), UV_EISDIR);

  /* Bad arguments: UV_EINVAL at once, nothing queued, no callback, fields reset. */
  memset(&req, 0xff, sizeof(req));
  ASSERT_EQ(uv_fs_read(loop, &req, 0, NULL, 0, -1, never_cb), UV_EINVAL);
  ASSERT(req.path == NULL && req.ptr == NULL && req.new_path == NULL && req.bufs == NULL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_read(NULL, &req, 0, NULL, 0, -1, NULL), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_read(LP, &req, 0, &b, 0, -1, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_write(LP, &req, 0, NULL, 1, -1, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_write(LP, &req, 0, &b, 0, -1, CB), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT(!uv_loop_alive(loop));
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);

  /* A NULL request. */
  ASSERT_EQ(uv_fs_open(LP, NULL, "x", 0, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_close(LP, NULL, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_read(LP, NULL, 0, &b, 1, -1, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_write(LP, NULL, 0, &b, 1, -1, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_stat(LP, NULL, ".", CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_fstat(LP, NULL, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_scandir(LP, NULL, ".", 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_copyfile(LP, NULL, "a", "b", 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_sendfile(LP, NULL, 0, 0, 0, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_mkdtemp(LP, NULL, "tmpXXXXXX", CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_statfs(LP, NULL, ".", CB), UV_EINVAL);
  ASSERT(!uv_loop_alive(loop));
}

/* Where rsuv is stricter than libuv (which asserts or reads garbage), so this is not run
 * against it: NULL paths are UV_EINVAL; uv_cancel of a request that completed
 * synchronously is UV_EBUSY. */
static void test_rsuv_extras(void) {
  uv_fs_t req;
  memset(&req, 0xab, sizeof(req));
  ASSERT_EQ(uv_fs_stat(NULL, &req, ".", NULL), 0);
  ASSERT_EQ(uv_cancel((uv_req_t*) &req), UV_EBUSY);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_open(LP, &req, NULL, 0, 0, CB), UV_EINVAL);
  ASSERT(req.path == NULL);
  ASSERT_EQ(uv_fs_stat(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_lstat(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_unlink(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_mkdir(LP, &req, NULL, 0755, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_rmdir(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_scandir(LP, &req, NULL, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_opendir(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_rename(LP, &req, NULL, "x", CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_rename(LP, &req, "x", NULL, CB), UV_EINVAL);
  ASSERT(req.path == NULL);
  ASSERT_EQ(uv_fs_link(LP, &req, "x", NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_symlink(LP, &req, NULL, "x", 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_copyfile(LP, &req, "x", NULL, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_readlink(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_realpath(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_access(LP, &req, NULL, F_OK, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_chmod(LP, &req, NULL, 0644, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_chown(LP, &req, NULL, 0, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_lchown(LP, &req, NULL, 0, 0, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_utime(LP, &req, NULL, 1, 1, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_lutime(LP, &req, NULL, 1, 1, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_mkdtemp(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_mkstemp(LP, &req, NULL, CB), UV_EINVAL);
  ASSERT_EQ(uv_fs_statfs(LP, &req, NULL, CB), UV_EINVAL);
  /* A callback with no loop. */
  ASSERT_EQ(uv_fs_stat(NULL, &req, ".", on_done), UV_EINVAL);
  uv_fs_req_cleanup(&req);
  ASSERT_EQ(uv_fs_scandir_next(NULL, NULL), UV_EINVAL);
  uv_fs_req_cleanup(NULL);
  ASSERT(!uv_loop_alive(loop));
}

static void test_cleanup_and_accessors(void) {
  uv_fs_t req;
  const char* name = "acc";

  /* A zeroed request, twice. */
  memset(&req, 0, sizeof(req));
  uv_fs_req_cleanup(&req);
  uv_fs_req_cleanup(&req);

  put_file(name, "abc", 3);
  ASSERT_EQ(FS(uv_fs_stat, &req, name), 0);
  ASSERT_EQ(uv_fs_get_type(&req), UV_FS_STAT);
  ASSERT_EQ(uv_fs_get_result(&req), 0);
  ASSERT_EQ(uv_fs_get_system_error(&req), 0);
  ASSERT_STR_EQ(uv_fs_get_path(&req), name);
  /* Synchronous requests use the caller's string; asynchronous ones a copy. */
  if (async_mode)
    ASSERT(uv_fs_get_path(&req) != name);
  else
    ASSERT(uv_fs_get_path(&req) == name);
  ASSERT(uv_fs_get_ptr(&req) == &req.statbuf);
  ASSERT_EQ(uv_fs_get_statbuf(&req)->st_size, 3);
  ASSERT(req.loop == LP);
  uv_fs_req_cleanup(&req);
  ASSERT(req.path == NULL && req.ptr == NULL);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_rename, &req, name, "acc2"), 0);
  ASSERT_STR_EQ(req.path, name);
  ASSERT_STR_EQ(req.new_path, "acc2");
  uv_fs_req_cleanup(&req);
  ASSERT(req.path == NULL && req.new_path == NULL);
  uv_fs_req_cleanup(&req);

  ASSERT_EQ(FS(uv_fs_readlink, &req, "nope"), UV_ENOENT);
  ASSERT_EQ(uv_fs_get_system_error(&req), ENOENT);
  uv_fs_req_cleanup(&req);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */
/* Cancellation (async only)                                                                */

static sem_t block_sem;
static int cancelled_count;

static void block_work(uv_work_t* w) {
  (void) w;
  while (sem_wait(&block_sem) != 0) {
  }
}

static void block_after(uv_work_t* w, int status) {
  (void) w;
  ASSERT_EQ(status, 0);
}

static void cancelled_cb(uv_fs_t* req) {
  uv_dirent_t ent;
  ASSERT_EQ(req->result, UV_ECANCELED);
  if (req->fs_type == UV_FS_SCANDIR)
    ASSERT_EQ(uv_fs_scandir_next(req, &ent), UV_ECANCELED);
  uv_fs_req_cleanup(req);
  cancelled_count++;
}

static void test_cancel(void) {
  enum { NBLOCK = 128 };
  static uv_work_t blockers[NBLOCK];
  uv_fs_t reqs[4];
  uv_buf_t bufs[6];
  char buf[6];
  int i;

  if (!async_mode)
    return;
  /* Occupy every pool thread (the default pool has 4; queue plenty). */
  ASSERT_EQ(sem_init(&block_sem, 0, 0), 0);
  for (i = 0; i < NBLOCK; i++)
    ASSERT_EQ(uv_queue_work(loop, &blockers[i], block_work, block_after), 0);

  for (i = 0; i < 6; i++)
    bufs[i] = uv_buf_init(buf + i, 1);
  ASSERT_EQ(uv_fs_stat(loop, &reqs[0], ".", cancelled_cb), 0);
  ASSERT_EQ(uv_fs_scandir(loop, &reqs[1], ".", 0, cancelled_cb), 0);
  ASSERT_EQ(uv_fs_read(loop, &reqs[2], 0, bufs, 6, 0, cancelled_cb), 0);
  ASSERT_EQ(uv_fs_mkdtemp(loop, &reqs[3], "tmpXXXXXX", cancelled_cb), 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_cancel((uv_req_t*) &reqs[i]), 0);
  for (i = 0; i < NBLOCK; i++)
    ASSERT_EQ(sem_post(&block_sem), 0);
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(cancelled_count, 4);
  ASSERT_EQ(sem_destroy(&block_sem), 0);
}

/* Many requests in flight at once, completing in any order. */
static int many_done;

static void many_cb(uv_fs_t* req) {
  ASSERT_EQ(req->result, 0);
  ASSERT_EQ(req->statbuf.st_size, (uint64_t) (uintptr_t) req->data);
  uv_fs_req_cleanup(req);
  many_done++;
}

static void test_many_in_flight(void) {
  enum { N = 64 };
  static uv_fs_t reqs[N];
  char name[32];
  int i;

  for (i = 0; i < N; i++) {
    char data[N];
    memset(data, 'z', sizeof(data));
    snprintf(name, sizeof(name), "m%d", i);
    put_file(name, data, (size_t) i);
  }
  if (!async_mode)
    return;
  for (i = 0; i < N; i++) {
    snprintf(name, sizeof(name), "m%d", i);
    reqs[i].data = (void*) (uintptr_t) i;
    /* The name buffer is reused at once: the request copied it. */
    ASSERT_EQ(uv_fs_stat(loop, &reqs[i], name, many_cb), 0);
  }
  memset(name, 0, sizeof(name));
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(many_done, N);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

struct test_entry {
  const char* name;
  void (*fn)(void);
  int async;
  int rsuv_only;
};

#define TEST2(n) {#n "_sync", test_##n, 0, 0}, {#n "_async", test_##n, 1, 0}

static const struct test_entry tests[] = {
    TEST2(read_write),
    TEST2(vectored),
    TEST2(large),
    TEST2(open_flags),
    TEST2(stat),
    TEST2(statfs),
    TEST2(mkdir_rmdir),
    TEST2(scandir),
    TEST2(opendir_readdir),
    TEST2(rename_unlink),
    TEST2(links),
    TEST2(copyfile),
    TEST2(sendfile),
    TEST2(chmod_access),
    TEST2(chown),
    TEST2(utime),
    TEST2(truncate_fsync),
    TEST2(mkdtemp_mkstemp),
    TEST2(errors),
    {"rsuv_extras_sync", test_rsuv_extras, 0, 1},
    {"rsuv_extras_async", test_rsuv_extras, 1, 1},
    TEST2(cleanup_and_accessors),
    {"cancel", test_cancel, 1, 0},
    {"many_in_flight", test_many_in_flight, 1, 0},
};

static char root[PATH_MAX];

/* Runs one test in a fresh directory under the root, with a fresh loop. */
static void run_one(const struct test_entry* t) {
  uv_loop_t l;
  char dir[PATH_MAX + 64];

  snprintf(dir, sizeof(dir), "%s/%s", root, t->name);
  ASSERT_EQ(mkdir(dir, 0755), 0);
  ASSERT_EQ(chdir(dir), 0);
  umask(022);
  async_mode = t->async;
  done_count = 0;
  loop_thread = pthread_self();
  ASSERT_EQ(uv_loop_init(&l), 0);
  loop = &l;
  t->fn();
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
  loop = NULL;
  ASSERT_EQ(chdir(root), 0);
}

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw) {
  (void) st;
  (void) ftw;
  if (flag == FTW_DP)
    return rmdir(path);
  return unlink(path);
}

static const char* describe_status(int status, char* buf, size_t len) {
  if (WIFEXITED(status))
    snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    snprintf(buf, len, "timed out");
  else if (WIFSIGNALED(status))
    snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
  else
    snprintf(buf, len, "status 0x%x", status);
  return buf;
}

int main(int argc, char** argv) {
  const char* only = argc > 1 ? argv[1] : NULL;
  const char* alarm_env = getenv("RSUV_TEST_ALARM");
  unsigned alarm_s = alarm_env ? (unsigned) atoi(alarm_env) : 30;
  int nofork = getenv("RSUV_TEST_NOFORK") != NULL;
  /* libuv asserts on NULL paths where rsuv returns UV_EINVAL: set RSUV_TEST_REAL_LIBUV=1
   * to skip those tests when running against the real libuv. */
  int rsuv = getenv("RSUV_TEST_REAL_LIBUV") == NULL;
  int passed = 0, failed = 0, ran = 0;
  size_t i;
  char buf[128];
  const char* tmp = getenv("TMPDIR");

  setvbuf(stdout, NULL, _IOLBF, 0);
  snprintf(root, sizeof(root), "%s/rsuv_test_fs.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  ASSERT(mkdtemp(root) != NULL);
  for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
    const struct test_entry* t = &tests[i];
    uint64_t t0;
    int status;
    pid_t pid;

    if (only && strcmp(only, t->name) != 0)
      continue;
    if (t->rsuv_only && !rsuv)
      continue;
    ran++;
    t0 = uv_hrtime();
    if (nofork) {
      run_one(t);
      status = 0;
    } else {
      fflush(stdout);
      fflush(stderr);
      pid = fork();
      ASSERT(pid >= 0);
      if (pid == 0) {
        alarm(alarm_s);
        run_one(t);
        fflush(stdout);
        exit(0);
      }
      while (waitpid(pid, &status, 0) < 0) {
      }
    }
    if (status == 0) {
      passed++;
      printf("ok   %-32s %6.1f ms\n", t->name, (double) (uv_hrtime() - t0) / 1e6);
    } else {
      failed++;
      printf("FAIL %-32s %s\n", t->name, describe_status(status, buf, sizeof(buf)));
    }
  }
  ASSERT_EQ(chdir("/"), 0);
  ASSERT_EQ(nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
  if (only && ran == 0) {
    fprintf(stderr, "no test named %s\n", only);
    return 2;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
