/* bench.h - helpers shared by rsuv's benchmark programs (the .c files in benches/).
 *
 * Every program is compiled twice by benches/run.sh: against rsuv (include/ +
 * target/release/libuv.so) and against Debian's libuv (/usr/include + libuv.so.1), and prints
 * one line per figure:   BENCH <name> <value> <unit>
 * Units ending in "/s" are better when higher; others (us, ms, s) when lower.
 * Sizes come from environment variables (see each program) so CI can run them small.
 */
#ifndef RSUV_BENCH_H
#define RSUV_BENCH_H

#include "uv.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t bench_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static inline long bench_env(const char* name, long def) {
  const char* v = getenv(name);
  long n;
  if (v == NULL || *v == '\0')
    return def;
  n = strtol(v, NULL, 10);
  return n > 0 ? n : def;
}

static inline void bench_report(const char* name, double value, const char* unit) {
  printf("BENCH %s %.1f %s\n", name, value, unit);
  fflush(stdout);
}

/* A libuv call that must succeed; on failure (e.g. UV_ENOSYS from a library that does not
 * implement it yet) report and exit, so run.sh shows the figure as an error. */
#define BENCH_CHECK(call)                                                              \
  do {                                                                                 \
    int r_ = (call);                                                                   \
    if (r_ < 0) {                                                                      \
      fprintf(stderr, "BENCH-ERROR %s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #call,    \
              uv_strerror(r_), uv_err_name(r_));                                       \
      exit(3);                                                                         \
    }                                                                                  \
  } while (0)

#define BENCH_ASSERT(expr)                                                             \
  do {                                                                                 \
    if (!(expr)) {                                                                     \
      fprintf(stderr, "BENCH-ERROR %s:%d: assertion failed: %s\n", __FILE__, __LINE__,  \
              #expr);                                                                  \
      exit(4);                                                                         \
    }                                                                                  \
  } while (0)

#endif
