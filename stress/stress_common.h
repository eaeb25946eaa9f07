/* Shared helpers for the rsuv load and soak programs (stress/).
 *
 * Every program prints its figures as lines of the form
 *     FIG <name> <value>
 * problems as
 *     FAIL <reason>
 * and a closing line
 *     RESULT pass|fail
 * scripts/stress.sh collects the FIG and RESULT lines into one table.
 *
 * Only the public uv.h API is used, so the programs build against rsuv
 * and against any libuv >= 1.44. Figures are reported, never asserted
 * against a clock: a program exits non-zero only on a real failure
 * (data mismatch, lost stream bytes, crash, leak growth, fd leak).
 */
#ifndef RSUV_STRESS_COMMON_H
#define RSUV_STRESS_COMMON_H

#define _GNU_SOURCE
#include <uv.h>

#pragma GCC diagnostic ignored "-Wunused-function"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

static int stress_failures;

static void stress_fig(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void stress_fig(const char *name, const char *fmt, ...) {
  va_list ap;
  printf("FIG %s ", name);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
}

static void stress_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void stress_fail(const char *fmt, ...) {
  va_list ap;
  /* Keep the output bounded if something fails in a hot loop. */
  if (stress_failures++ >= 20) return;
  printf("FAIL ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
}

static int stress_finish(void) {
  printf("RESULT %s\n", stress_failures ? "fail" : "pass");
  fflush(stdout);
  return stress_failures ? 1 : 0;
}

#define STRESS_CHECK(call)                                                  \
  do {                                                                      \
    int r_ = (call);                                                        \
    if (r_ != 0) {                                                          \
      stress_fail("%s:%d %s -> %s", __FILE__, __LINE__, #call,              \
                  uv_strerror(r_));                                         \
      printf("RESULT fail\n");                                              \
      fflush(stdout);                                                       \
      exit(1);                                                              \
    }                                                                       \
  } while (0)

/* A size from argv[idx], else from the environment, else the default. */
static long long stress_arg(int argc, char **argv, int idx, const char *env,
                            long long def) {
  const char *s = NULL;
  if (idx < argc) s = argv[idx];
  if (s == NULL && env != NULL) s = getenv(env);
  if (s == NULL || *s == '\0') return def;
  char *end;
  long long v = strtoll(s, &end, 0);
  if (*end == 'k' || *end == 'K') v <<= 10;
  else if (*end == 'm' || *end == 'M') v <<= 20;
  if (v <= 0) {
    fprintf(stderr, "bad size '%s'\n", s);
    exit(2);
  }
  return v;
}

static double stress_now(void) { return (double)uv_hrtime() / 1e9; }

/* Current resident set size in KiB (from /proc/self/statm). */
static long stress_rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, rss = 0;
  if (f == NULL) return -1;
  if (fscanf(f, "%ld %ld", &size, &rss) != 2) rss = -1;
  fclose(f);
  return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Peak resident set size in KiB. */
static long stress_maxrss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* CPU time (user + system) used by this process, in seconds. */
static double stress_cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Open descriptors of this process (the directory's own fd excluded). */
static int stress_fd_count(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  struct dirent *e;
  if (d == NULL) return -1;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1;
}

/* Make sure RLIMIT_NOFILE allows `need` descriptors. Returns 0 or fails
 * with a clear message (the hard limit cannot be raised without
 * privileges). */
static int stress_need_nofile(rlim_t need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return -1;
  if (rl.rlim_cur >= need) return 0;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
    struct rlimit want = {need, need};
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) return 0;
    stress_fail("need RLIMIT_NOFILE >= %llu descriptors but the hard limit is "
                "%llu and cannot be raised (%s); run with fewer connections "
                "or raise the limit (ulimit -Hn)",
                (unsigned long long)need, (unsigned long long)rl.rlim_max,
                strerror(errno));
    return -1;
  }
  rl.rlim_cur = need;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    stress_fail("setrlimit(RLIMIT_NOFILE, %llu): %s",
                (unsigned long long)need, strerror(errno));
    return -1;
  }
  return 0;
}

/* Hard wall-clock bound: the default SIGALRM action ends the process, so
 * a hang shows up as a failure (killed by a signal) instead of blocking
 * CI. STRESS_TIMEOUT (seconds) overrides the default. */
static void stress_watchdog(unsigned def_seconds) {
  const char *s = getenv("STRESS_TIMEOUT");
  unsigned t = def_seconds;
  if (s != NULL && atoi(s) > 0) t = (unsigned)atoi(s);
  signal(SIGPIPE, SIG_IGN);
  alarm(t);
}

/* Deterministic pseudo-random stream: byte `off` of stream `id`. Data is
 * generated eight bytes at a time from a 64-bit mix of (id, off / 8). */
static inline uint64_t stress_mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

static void stress_pattern(uint64_t id, uint64_t off, unsigned char *buf,
                           size_t len) {
  uint64_t seed = stress_mix64(id + 0x9e3779b97f4a7c15ULL);
  while (len > 0) {
    uint64_t word = stress_mix64(seed ^ (off >> 3));
    unsigned shift = (unsigned)(off & 7);
    size_t n = 8 - shift;
    if (n > len) n = len;
    for (size_t i = 0; i < n; i++)
      buf[i] = (unsigned char)(word >> (8 * (shift + i)));
    buf += n;
    off += n;
    len -= n;
  }
}

/* Returns the index of the first mismatching byte, or -1. */
static long stress_pattern_check(uint64_t id, uint64_t off,
                                 const unsigned char *buf, size_t len) {
  unsigned char tmp[4096];
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < sizeof tmp ? len - done : sizeof tmp;
    stress_pattern(id, off + done, tmp, n);
    if (memcmp(tmp, buf + done, n) != 0) {
      for (size_t i = 0; i < n; i++)
        if (tmp[i] != buf[done + i]) return (long)(done + i);
    }
    done += n;
  }
  return -1;
}

#endif
