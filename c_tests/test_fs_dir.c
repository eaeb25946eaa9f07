/* test_fs_dir.c - directories, names, links and copies through uv_fs_*.
 *
 * Covers: mkdir/rmdir, scandir + scandir_next, opendir/readdir/closedir,
 * rename/unlink/link/symlink/readlink/realpath, copyfile (EXCL, FICLONE, onto itself,
 * truncation), sendfile (file and pipe). Each test sync and async; how they run:
 * fs_common.h.
 */
#define _GNU_SOURCE /* nftw */
#include "runner.h"
#include "fs_common.h"

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

static const struct test_entry tests[] = {
    TEST2(mkdir_rmdir),
    TEST2(scandir),
    TEST2(opendir_readdir),
    TEST2(rename_unlink),
    TEST2(links),
    TEST2(copyfile),
    TEST2(sendfile),
};

int main(int argc, char** argv) {
  return fs_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
