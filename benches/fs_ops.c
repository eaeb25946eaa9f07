/* fs_ops.c - asynchronous file operations per second, BENCH_FS_INFLIGHT (default 64)
 * requests in flight, BENCH_FS_OPS (default 100,000) operations per figure:
 *
 *   fs_open_close     open + close of one file (a pair counts once)
 *   fs_fstat          fstat of one open descriptor
 *   fs_write_4k       4 KiB writes at offset 0, one file per request slot
 *   fs_mkdir_rmdir    mkdir + rmdir of one directory per slot (a pair counts once)
 *
 * Files live in BENCH_FS_DIR (default /tmp/rsuv-bench-fs.PID), removed at the end. With
 * BENCH_SQPOLL=1 the loop is configured with UV_LOOP_USE_IO_URING_SQPOLL (libuv >= 1.49:
 * its io_uring path, with UV_USE_IO_URING=1 in the environment). */
#include "bench.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAXSLOTS = 256 };
enum mode { OPEN_CLOSE, FSTAT, WRITE_4K, MKDIR_RMDIR, NMODES };
static const char* const labels[NMODES] = {"fs_open_close", "fs_fstat", "fs_write_4k",
                                           "fs_mkdir_rmdir"};

static uv_loop_t loop;
static uv_fs_t reqs[MAXSLOTS];
static int fds[MAXSLOTS];
static char names[MAXSLOTS][256];
static char file[256];
static char wbuf[4096];
static long total, submitted, done;
static enum mode mode;

static void op_cb(uv_fs_t* req);

static void next(uv_fs_t* req) {
  int i = (int) (req - reqs);
  uv_buf_t b = uv_buf_init(wbuf, sizeof(wbuf));
  if (submitted >= total)
    return;
  submitted++;
  switch (mode) {
    case OPEN_CLOSE:
      BENCH_CHECK(uv_fs_open(&loop, req, file, O_RDONLY, 0, op_cb));
      break;
    case FSTAT:
      BENCH_CHECK(uv_fs_fstat(&loop, req, fds[0], op_cb));
      break;
    case WRITE_4K:
      BENCH_CHECK(uv_fs_write(&loop, req, fds[i], &b, 1, 0, op_cb));
      break;
    case MKDIR_RMDIR:
      BENCH_CHECK(uv_fs_mkdir(&loop, req, names[i], 0755, op_cb));
      break;
    default:
      break;
  }
}

static void op_cb(uv_fs_t* req) {
  int i = (int) (req - reqs);
  uv_fs_type type = req->fs_type;
  ssize_t r = req->result;
  BENCH_CHECK((int) (r < 0 ? r : 0));
  uv_fs_req_cleanup(req);
  if (type == UV_FS_OPEN) {
    BENCH_CHECK(uv_fs_close(&loop, req, (uv_file) r, op_cb));
    return;
  }
  if (type == UV_FS_MKDIR) {
    BENCH_CHECK(uv_fs_rmdir(&loop, req, names[i], op_cb));
    return;
  }
  done++;
  next(req);
}

int main(void) {
  char dir[200];
  const char* d = getenv("BENCH_FS_DIR");
  int inflight = (int) bench_env("BENCH_FS_INFLIGHT", 64);
  int i;

  if (inflight < 1 || inflight > MAXSLOTS)
    inflight = 64;
  total = bench_env("BENCH_FS_OPS", 100000);
  if (d != NULL)
    snprintf(dir, sizeof(dir), "%s", d);
  else
    snprintf(dir, sizeof(dir), "/tmp/rsuv-bench-fs.%d", (int) getpid());
  BENCH_ASSERT(mkdir(dir, 0755) == 0 || d != NULL);
  snprintf(file, sizeof(file), "%s/f", dir);
  for (i = 0; i < inflight; i++) {
    snprintf(names[i], sizeof(names[i]), "%s/d%d", dir, i);
    fds[i] = -1;
  }
  memset(wbuf, 'w', sizeof(wbuf));

  BENCH_CHECK(uv_loop_init(&loop));
#if UV_VERSION_HEX >= 0x013100
  if (bench_env("BENCH_SQPOLL", 0))
    BENCH_CHECK(uv_loop_configure(&loop, UV_LOOP_USE_IO_URING_SQPOLL));
#endif
  for (mode = 0; mode < NMODES; mode++) {
    uint64_t t0, t1;
    for (i = 0; i < inflight; i++) {
      char n[280];
      snprintf(n, sizeof(n), "%s/w%d", dir, i);
      if (mode == FSTAT || mode == WRITE_4K || mode == OPEN_CLOSE) {
        fds[i] = open(i == 0 ? file : n, O_RDWR | O_CREAT, 0644);
        BENCH_ASSERT(fds[i] >= 0);
      }
    }
    submitted = done = 0;
    t0 = bench_ns();
    for (i = 0; i < inflight; i++)
      next(&reqs[i]);
    BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
    t1 = bench_ns();
    BENCH_ASSERT(done == total);
    bench_report(labels[mode], (double) done / ((double) (t1 - t0) / 1e9), "ops/s");
    for (i = 0; i < inflight; i++) {
      char n[280];
      snprintf(n, sizeof(n), "%s/w%d", dir, i);
      if (fds[i] >= 0)
        close(fds[i]);
      fds[i] = -1;
      unlink(n);
    }
  }
  unlink(file);
  rmdir(dir);
  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
