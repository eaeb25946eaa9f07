/* spawn_big.c - uv_spawn from a small parent and from a large one.
 *
 *   spawn_small       spawns/s of /bin/true from this process as it starts
 *   spawn_2gib        spawns/s of /bin/true after the parent has touched BENCH_SPAWN_MIB
 *                     (default 2048) MiB of memory
 *
 * BENCH_SPAWNS (default 200) spawns each, one at a time (spawn, wait for its exit, close).
 * A parent that forks pays for copying its page tables on every spawn, so its rate falls
 * with its size; one that spawns with vfork semantics (clone(CLONE_VM|CLONE_VFORK) or
 * posix_spawn) does not. */
#include "bench.h"

#include <string.h>

static uv_loop_t loop;
static int exited;

static void exit_cb(uv_process_t* p, int64_t status, int sig) {
  (void) status;
  (void) sig;
  exited++;
  uv_close((uv_handle_t*) p, NULL);
}

static double spawn_rate(long n) {
  char* args[] = {(char*) "/bin/true", NULL};
  uv_process_options_t o;
  uv_process_t p;
  uint64_t t0;
  long i;

  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_cb;
  t0 = bench_ns();
  for (i = 0; i < n; i++) {
    BENCH_CHECK(uv_spawn(&loop, &p, &o));
    BENCH_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  }
  return (double) n / ((double) (bench_ns() - t0) / 1e9);
}

int main(void) {
  long n = bench_env("BENCH_SPAWNS", 200);
  long mib = bench_env("BENCH_SPAWN_MIB", 2048);
  size_t size = (size_t) mib << 20;
  char* big;
  size_t off;

  BENCH_CHECK(uv_loop_init(&loop));
  bench_report("spawn_small", spawn_rate(n), "spawns/s");
  big = malloc(size);
  BENCH_ASSERT(big != NULL);
  for (off = 0; off < size; off += 4096)
    big[off] = (char) off;
  bench_report("spawn_2gib", spawn_rate(n), "spawns/s");
  BENCH_ASSERT(exited == 2 * n);
  free(big);
  BENCH_CHECK(uv_loop_close(&loop));
  return 0;
}
