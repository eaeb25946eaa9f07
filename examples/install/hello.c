/* A libuv program, unchanged from what it would be for libuv, used by
 * scripts/install-check.sh to prove that an installed rsuv is found by pkg-config and by
 * CMake, shared and static: a loop, a repeating timer, a uv_fs_stat on the thread pool.
 *
 *   hello shared   also checks that uv_version came from a libuv.so that is rsuv's
 *   hello static   also checks that uv_version is inside this executable (linked libuv.a)
 * Exit status 0 only if every check held. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

static int failures;
static int ticks;
static int stat_result = 1;

static void check(int cond, const char *what) {
  printf("  %s  %s\n", cond ? "ok  " : "FAIL", what);
  if (!cond) failures++;
}

static void on_tick(uv_timer_t *t) {
  if (++ticks == 3) uv_timer_stop(t);
}

static void on_stat(uv_fs_t *req) {
  stat_result = (int) req->result;
  uv_fs_req_cleanup(req);
}

/* rsuv's library holds the name of its own environment variable; no C libuv does. */
static int file_is_rsuv(const char *path) {
  static const char mark[] = "RSUV_BACKEND";
  char buf[65536 + sizeof mark];
  size_t have = 0, n;
  int found = 0;
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  while (!found && (n = fread(buf + have, 1, sizeof buf - have, f)) > 0) {
    have += n;
    if (memmem(buf, have, mark, sizeof mark - 1) != NULL) found = 1;
    /* keep the tail, in case the mark straddles two reads */
    if (have > sizeof mark) {
      memmove(buf, buf + have - (sizeof mark - 1), sizeof mark - 1);
      have = sizeof mark - 1;
    }
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "shared";
  uv_loop_t loop;
  uv_timer_t timer;
  uv_fs_t req;
  Dl_info info;
  char exe[4096];
  ssize_t n;

  printf("libuv %s, header %d.%d.%d (%s)\n", uv_version_string(), UV_VERSION_MAJOR,
         UV_VERSION_MINOR, UV_VERSION_PATCH, mode);
  check(uv_version() == UV_VERSION_HEX, "uv_version() matches the header");
  check(uv_loop_init(&loop) == 0, "uv_loop_init");
  uv_timer_init(&loop, &timer);
  uv_timer_start(&timer, on_tick, 1, 1);
  check(uv_fs_stat(&loop, &req, argv[0], on_stat) == 0, "uv_fs_stat queued");
  check(uv_run(&loop, UV_RUN_DEFAULT) == 0, "uv_run ran to the end");
  check(ticks == 3, "timer ticked 3 times");
  check(stat_result == 0, "uv_fs_stat on the thread pool succeeded");
  uv_close((uv_handle_t *) &timer, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  check(uv_loop_close(&loop) == 0, "uv_loop_close");

  check(dladdr((void *) uv_version, &info) != 0 && info.dli_fname != NULL,
        "dladdr(uv_version)");
  printf("  uv_version is in %s\n", info.dli_fname ? info.dli_fname : "?");
  if (strcmp(mode, "static") == 0) {
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = '\0';
    check(strstr(info.dli_fname, "libuv.so") == NULL, "not from a shared libuv");
    check(file_is_rsuv(exe), "this executable holds rsuv's libuv.a");
  } else {
    check(strstr(info.dli_fname, "libuv.so") != NULL, "from a shared libuv");
    check(file_is_rsuv(info.dli_fname), "that libuv.so is rsuv's");
  }
  printf("%s\n", failures ? "FAILED" : "all checks passed");
  return failures != 0;
}
