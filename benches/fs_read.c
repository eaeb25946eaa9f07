/* fs_read.c - sequential file read with uv_fs_read and 64 KiB buffers.
 *
 * The file is /tmp/rsuv-bench-read.dat (BENCH_FS_READ_FILE), BENCH_FS_READ_MB MiB (default
 * 1024), written once with real data and reused while its size matches; one untimed pass
 * warms the page cache.
 *
 *   fs_read_async   MB/s, one uv_fs_read in flight at a time, each callback issues the next
 *   fs_read_sync    MB/s, the same reads with a NULL callback
 */
#include "bench.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFSZ (64 * 1024)

static char buf[BUFSZ];
static uv_fs_t read_req;
static uv_buf_t iov;
static int64_t offset, file_size;
static uv_file fd;

static void read_cb(uv_fs_t* req) {
  ssize_t n = req->result;
  BENCH_CHECK((int) (n < 0 ? n : 0));
  uv_fs_req_cleanup(req);
  if (n == 0)
    return;
  offset += n;
  BENCH_CHECK(uv_fs_read(req->loop, req, fd, &iov, 1, offset, read_cb));
}

static void ensure_file(const char* path, int64_t size) {
  struct stat st;
  int f;
  int64_t left;
  if (stat(path, &st) == 0 && st.st_size == size)
    return;
  f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  BENCH_ASSERT(f >= 0);
  memset(buf, 'x', sizeof(buf));
  for (left = size; left > 0; left -= BUFSZ) {
    size_t chunk = left < BUFSZ ? (size_t) left : BUFSZ;
    BENCH_ASSERT(write(f, buf, chunk) == (ssize_t) chunk);
  }
  BENCH_ASSERT(close(f) == 0);
}

static double read_all(uv_loop_t* loop, int async) {
  uint64_t t0 = bench_ns(), t1;
  uv_fs_t req;
  offset = 0;
  if (async) {
    BENCH_CHECK(uv_fs_read(loop, &read_req, fd, &iov, 1, 0, read_cb));
    BENCH_CHECK(uv_run(loop, UV_RUN_DEFAULT));
  } else {
    for (;;) {
      int r = uv_fs_read(loop, &req, fd, &iov, 1, offset, NULL);
      BENCH_CHECK(r);
      uv_fs_req_cleanup(&req);
      if (r == 0)
        break;
      offset += r;
    }
  }
  t1 = bench_ns();
  BENCH_ASSERT(offset == file_size);
  return (double) file_size / 1e6 / ((double) (t1 - t0) / 1e9);
}

int main(void) {
  const char* path = getenv("BENCH_FS_READ_FILE");
  uv_loop_t loop;
  uv_fs_t req;
  double async_mbs, sync_mbs;

  if (path == NULL)
    path = "/tmp/rsuv-bench-read.dat";
  file_size = (int64_t) bench_env("BENCH_FS_READ_MB", 1024) * 1024 * 1024;
  ensure_file(path, file_size);
  iov = uv_buf_init(buf, BUFSZ);

  BENCH_CHECK(uv_loop_init(&loop));
#if UV_VERSION_HEX >= 0x013100
  /* libuv >= 1.49's io_uring opt-in (with UV_USE_IO_URING=1): benches/run.sh --ref. */
  if (bench_env("BENCH_SQPOLL", 0))
    BENCH_CHECK(uv_loop_configure(&loop, UV_LOOP_USE_IO_URING_SQPOLL));
#endif
  fd = uv_fs_open(&loop, &req, path, O_RDONLY, 0, NULL);
  BENCH_CHECK(fd);
  uv_fs_req_cleanup(&req);

  read_all(&loop, 0); /* page cache warm-up */
  async_mbs = read_all(&loop, 1);
  sync_mbs = read_all(&loop, 0);
  bench_report("fs_read_async", async_mbs, "MB/s");
  bench_report("fs_read_sync", sync_mbs, "MB/s");

  BENCH_CHECK(uv_fs_close(&loop, &req, fd, NULL));
  uv_fs_req_cleanup(&req);
  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
