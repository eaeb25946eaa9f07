/* test_fs_req.c - uv_fs_t requests themselves: errors, cleanup, accessors, cancellation.
 *
 * Covers: error paths (ENOENT, EBADF, EISDIR, NULL arguments), where rsuv is stricter than
 * libuv, uv_fs_req_cleanup and the request accessors, uv_cancel, many requests in flight
 * completing in any order. How they run: fs_common.h.
 */
#define _GNU_SOURCE /* nftw */
#include "runner.h"
#include "fs_common.h"

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
  /* This is the pool's cancellation: keep the requests off rsuv's io_uring, where they
   * would be in the kernel (and likely done) before uv_cancel; test_fs_uring.c has the
   * ring's. Set before this process's first request, which is when rsuv reads it. */
  setenv("RSUV_IO_URING", "0", 1);
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

/* A write refused for its size (more than libuv 1.53's IO_MAX_BYTES in all) is refused
 * after the request is initialised, as libuv does: uv_fs_req_cleanup then reads set
 * memory (libuv 1.53's io_64_safe under valgrind). The request starts as garbage. */
static void test_refused_write_is_initialised(void) {
  uv_fs_t req;
  uv_buf_t big[2];
  memset(&req, 0xA5, sizeof(req));
  big[0] = uv_buf_init(NULL, 0x40000001u);
  big[1] = uv_buf_init(NULL, 0x40000001u);
  ASSERT_EQ(uv_fs_write(NULL, &req, 1, big, 2, 0, NULL), UV_EINVAL);
  ASSERT_EQ(req.type, UV_FS);
  ASSERT_EQ(req.fs_type, UV_FS_WRITE);
  uv_fs_req_cleanup(&req);
  memset(&req, 0xA5, sizeof(req));
  ASSERT_EQ(uv_fs_sendfile(NULL, &req, 1, 0, 0, (size_t) 1 << 40, NULL), UV_EINVAL);
  ASSERT_EQ(req.fs_type, UV_FS_SENDFILE);
  uv_fs_req_cleanup(&req);
}

static const struct test_entry tests[] = {
    TEST_RSUV(refused_write_is_initialised),
    TEST2(errors),
    TEST_ARG_RSUV("rsuv_extras_sync", test_rsuv_extras, 0),
    TEST_ARG_RSUV("rsuv_extras_async", test_rsuv_extras, 1),
    TEST2(cleanup_and_accessors),
    TEST_ARG("cancel", test_cancel, 1),
    TEST_ARG("many_in_flight", test_many_in_flight, 1),
};

int main(int argc, char** argv) {
  return fs_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
