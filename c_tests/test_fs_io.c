/* test_fs_io.c - reading, writing and stat through uv_fs_*, as a libuv user sees them.
 *
 * Covers: open/read/write round trips (offsets and the file position, vectored I/O, more
 * buffers than IOV_MAX, 8 MiB transfers, the caller's buffer array not needed after the
 * call), open flags, stat/fstat/lstat fields, statfs (and 1.53's f_frsize). Each test sync and async; how they
 * run: fs_common.h.
 */
#define _GNU_SOURCE /* nftw */
#include "runner.h"
#include "fs_common.h"

#include <sys/statvfs.h>

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
#if UV_VERSION_HEX >= 0x013500
  /* 1.53's f_frsize (the first slot of 1.44's f_spare): the fragment size statvfs gives. */
  {
    struct statvfs v;
    ASSERT_EQ(statvfs(".", &v), 0);
    ASSERT(s->f_frsize > 0);
    ASSERT_EQ(s->f_frsize, v.f_frsize);
    ASSERT_EQ(s->f_bsize, v.f_bsize);
    ASSERT_EQ(s->f_spare[0], 0);
  }
#endif
  uv_fs_req_cleanup(&req);
  ASSERT(req.ptr == NULL);

  ASSERT_EQ(FS(uv_fs_statfs, &req, "nope"), UV_ENOENT);
  ASSERT(req.ptr == NULL);
  ASSERT_EQ(uv_fs_get_system_error(&req), ENOENT);
  uv_fs_req_cleanup(&req);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST2(read_write),
    TEST2(vectored),
    TEST2(large),
    TEST2(open_flags),
    TEST2(stat),
    TEST2(statfs),
};

int main(int argc, char** argv) {
  return fs_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
