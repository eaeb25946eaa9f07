/* test_fs_attr.c - permissions, ownership, times and temporary names through uv_fs_*.
 *
 * Covers: chmod/fchmod/access, chown/fchown/lchown, utime/futime/lutime,
 * ftruncate/fsync/fdatasync, mkdtemp/mkstemp. Each test sync and async; how they run:
 * fs_common.h.
 */
#define _GNU_SOURCE /* nftw */
#include "runner.h"
#include "fs_common.h"

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

static const struct test_entry tests[] = {
    TEST2(chmod_access),
    TEST2(chown),
    TEST2(utime),
    TEST2(truncate_fsync),
    TEST2(mkdtemp_mkstemp),
};

int main(int argc, char** argv) {
  return fs_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
