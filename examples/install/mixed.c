/* Links rsuv's libuv.a together with another Rust static library (other_rust_lib.rs): the
 * two must not clash. Runs one loop iteration and calls the other library. */
#include <stdint.h>
#include <stdio.h>
#include <uv.h>

uint64_t other_rust_sum(uint32_t n);

int main(void) {
  uv_loop_t loop;
  uint64_t s = other_rust_sum(100);
  int ok = uv_loop_init(&loop) == 0 && uv_run(&loop, UV_RUN_NOWAIT) == 0 &&
           uv_loop_close(&loop) == 0 && s == 5050;
  printf("libuv %s + other Rust library: sum %llu: %s\n", uv_version_string(),
         (unsigned long long) s, ok ? "ok" : "FAILED");
  return !ok;
}
