/* test_os.c - system information and the process environment as a libuv user sees them.
 *
 * Covers: uv_cwd / uv_chdir, uv_exepath, uv_os_homedir, uv_os_tmpdir, uv_os_get_passwd /
 * uv_os_free_passwd, uv_os_environ / uv_os_free_environ, uv_os_getenv / uv_os_setenv /
 * uv_os_unsetenv, uv_os_gethostname, uv_os_uname, uv_os_getpriority / uv_os_setpriority,
 * uv_cpu_info / uv_free_cpu_info, uv_interface_addresses / uv_free_interface_addresses,
 * uv_loadavg, uv_uptime, uv_getrusage, uv_resident_set_memory, uv_get_free_memory,
 * uv_get_total_memory, uv_get_constrained_memory, uv_dlopen / uv_dlsym / uv_dlerror /
 * uv_dlclose, uv_guess_handle, uv_disable_stdio_inheritance.
 *
 * The string functions share libuv's buffer protocol: NULL buffer or size, or *size == 0,
 * is UV_EINVAL; too small a buffer is UV_ENOBUFS with *size set to the length plus one
 * (room for the NUL); success sets *size to the length without the NUL.
 *
 * Only behaviour that libuv 1.44 itself defines is checked (no NULL arguments where libuv
 * would crash), so the same file passes against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_os.c -o /tmp/tos -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others, and environment, working directory
 * and priority changes stay in the child. RSUV_TEST_NOFORK=1 runs them in this process (for
 * a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define ASSERT(expr)                                                                   \
  do {                                                                                 \
    if (!(expr)) {                                                                     \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s\n", __FILE__, __LINE__,      \
              __func__, #expr);                                                        \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_EQ(a, b)                                                                \
  do {                                                                                 \
    long long a_ = (long long) (a), b_ = (long long) (b);                              \
    if (a_ != b_) {                                                                    \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (%lld != %lld)\n",     \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

#define ASSERT_STR_EQ(a, b)                                                            \
  do {                                                                                 \
    const char *a_ = (a), *b_ = (b);                                                   \
    if (strcmp(a_, b_) != 0) {                                                         \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_, b_);                           \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

typedef int (*strfn)(char* buffer, size_t* size);

/* The buffer protocol of `fn`, whose full answer is `expect`: EINVAL for bad arguments,
 * ENOBUFS (nothing written, *size = len + 1) for every short buffer, success with exactly
 * len + 1 bytes and with more. */
static void check_protocol(strfn fn, const char* expect) {
  char buf[PATH_MAX + 8];
  size_t len = strlen(expect);
  size_t size;

  size = sizeof(buf);
  ASSERT_EQ(fn(NULL, &size), UV_EINVAL);
  ASSERT_EQ(fn(buf, NULL), UV_EINVAL);
  size = 0;
  ASSERT_EQ(fn(buf, &size), UV_EINVAL);

  for (size = 1; size <= len; size = size < 4 ? size + 1 : size * 2) {
    size_t s = size;
    memset(buf, 'Z', sizeof(buf));
    ASSERT_EQ(fn(buf, &s), UV_ENOBUFS);
    ASSERT_EQ(s, len + 1);
    ASSERT_EQ(buf[0], 'Z');
  }
  size = len;
  if (size > 0) {
    ASSERT_EQ(fn(buf, &size), UV_ENOBUFS);
    ASSERT_EQ(size, len + 1);
  }

  memset(buf, 'Z', sizeof(buf));
  size = len + 1;
  ASSERT_EQ(fn(buf, &size), 0);
  ASSERT_EQ(size, len);
  ASSERT_EQ(buf[len], '\0');
  ASSERT_STR_EQ(buf, expect);

  size = sizeof(buf);
  ASSERT_EQ(fn(buf, &size), 0);
  ASSERT_EQ(size, len);
  ASSERT_STR_EQ(buf, expect);
}

/* The current value of `fn` in a static buffer. */
static const char* get_str(strfn fn) {
  static char buf[PATH_MAX + 8];
  size_t size = sizeof(buf);
  ASSERT_EQ(fn(buf, &size), 0);
  ASSERT_EQ(size, strlen(buf));
  return buf;
}

static int cloexec(int fd) {
  int flags = fcntl(fd, F_GETFD);
  ASSERT(flags >= 0);
  return (flags & FD_CLOEXEC) != 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Directories and the executable                                                           */

static void test_cwd_chdir(void) {
  char sys[PATH_MAX];
  char tmp_real[PATH_MAX];
  const char* cwd;

  ASSERT(getcwd(sys, sizeof(sys)) != NULL);
  check_protocol(uv_cwd, sys);

  ASSERT(realpath("/tmp", tmp_real) != NULL);
  ASSERT_EQ(uv_chdir("/tmp"), 0);
  ASSERT_STR_EQ(get_str(uv_cwd), tmp_real);

  /* The root has its one slash. */
  ASSERT_EQ(uv_chdir("/"), 0);
  cwd = get_str(uv_cwd);
  ASSERT_STR_EQ(cwd, "/");

  ASSERT_EQ(uv_chdir("/nonexistent-rsuv-dir/x"), UV_ENOENT);
  ASSERT_EQ(uv_chdir("/etc/passwd"), UV_ENOTDIR);
  ASSERT_STR_EQ(get_str(uv_cwd), "/");

  ASSERT_EQ(uv_chdir(sys), 0);
  ASSERT_STR_EQ(get_str(uv_cwd), sys);
}

static void test_exepath(void) {
  char sys[PATH_MAX];
  char buf[PATH_MAX];
  ssize_t n;
  size_t size;

  n = readlink("/proc/self/exe", sys, sizeof(sys) - 1);
  ASSERT(n > 0);
  sys[n] = '\0';

  size = sizeof(buf);
  ASSERT_EQ(uv_exepath(buf, &size), 0);
  ASSERT_EQ(size, (size_t) n);
  ASSERT_STR_EQ(buf, sys);

  size = sizeof(buf);
  ASSERT_EQ(uv_exepath(NULL, &size), UV_EINVAL);
  ASSERT_EQ(uv_exepath(buf, NULL), UV_EINVAL);
  size = 0;
  ASSERT_EQ(uv_exepath(buf, &size), UV_EINVAL);

  /* libuv truncates instead of failing. */
  memset(buf, 'Z', sizeof(buf));
  size = 1;
  ASSERT_EQ(uv_exepath(buf, &size), 0);
  ASSERT_EQ(size, 0);
  ASSERT_EQ(buf[0], '\0');

  memset(buf, 'Z', sizeof(buf));
  size = 4;
  ASSERT_EQ(uv_exepath(buf, &size), 0);
  ASSERT_EQ(size, 3);
  ASSERT_EQ(strlen(buf), 3);
  ASSERT(memcmp(buf, sys, 3) == 0);
}

static void test_homedir(void) {
  struct passwd* pw;
  const char* home;

  ASSERT_EQ(uv_os_setenv("HOME", "/home/rsuv-test"), 0);
  check_protocol(uv_os_homedir, "/home/rsuv-test");

  /* Without HOME: the password entry. */
  ASSERT_EQ(uv_os_unsetenv("HOME"), 0);
  pw = getpwuid(geteuid());
  if (pw != NULL) {
    home = get_str(uv_os_homedir);
    ASSERT_STR_EQ(home, pw->pw_dir);
    check_protocol(uv_os_homedir, pw->pw_dir);
  }
}

static void test_tmpdir(void) {
  ASSERT_EQ(uv_os_unsetenv("TMPDIR"), 0);
  ASSERT_EQ(uv_os_unsetenv("TMP"), 0);
  ASSERT_EQ(uv_os_unsetenv("TEMP"), 0);
  ASSERT_EQ(uv_os_unsetenv("TEMPDIR"), 0);
  check_protocol(uv_os_tmpdir, "/tmp");

  ASSERT_EQ(uv_os_setenv("TEMPDIR", "/d"), 0);
  ASSERT_STR_EQ(get_str(uv_os_tmpdir), "/d");
  ASSERT_EQ(uv_os_setenv("TEMP", "/c"), 0);
  ASSERT_STR_EQ(get_str(uv_os_tmpdir), "/c");
  ASSERT_EQ(uv_os_setenv("TMP", "/b"), 0);
  ASSERT_STR_EQ(get_str(uv_os_tmpdir), "/b");
  /* One trailing slash goes; "/" stays. */
  ASSERT_EQ(uv_os_setenv("TMPDIR", "/var/tmp/rsuv/"), 0);
  ASSERT_STR_EQ(get_str(uv_os_tmpdir), "/var/tmp/rsuv");
  ASSERT_EQ(uv_os_setenv("TMPDIR", "/"), 0);
  ASSERT_STR_EQ(get_str(uv_os_tmpdir), "/");
  ASSERT_EQ(uv_os_setenv("TMPDIR", "/var/tmp/rsuv-longer-name"), 0);
  check_protocol(uv_os_tmpdir, "/var/tmp/rsuv-longer-name");
}

/* ---------------------------------------------------------------------------------------- */
/* Password entry and environment                                                           */

static void test_passwd(void) {
  uv_passwd_t pwd;
  struct passwd* pw;

  memset(&pwd, 0xAA, sizeof(pwd));
  ASSERT_EQ(uv_os_get_passwd(&pwd), 0);
  ASSERT_EQ(pwd.uid, geteuid());
  if (getuid() == geteuid())
    ASSERT_EQ(pwd.uid, getuid());
  ASSERT(pwd.username != NULL && strlen(pwd.username) > 0);
  ASSERT(pwd.homedir != NULL && strlen(pwd.homedir) > 0);
  ASSERT(pwd.shell != NULL);

  pw = getpwuid(geteuid());
  ASSERT(pw != NULL);
  ASSERT_STR_EQ(pwd.username, pw->pw_name);
  ASSERT_STR_EQ(pwd.homedir, pw->pw_dir);
  ASSERT_STR_EQ(pwd.shell, pw->pw_shell);
  ASSERT_EQ(pwd.gid, pw->pw_gid);

  uv_os_free_passwd(&pwd);
  ASSERT(pwd.username == NULL);
  ASSERT(pwd.homedir == NULL);
  ASSERT(pwd.shell == NULL);
  uv_os_free_passwd(&pwd); /* a second free is harmless */
  uv_os_free_passwd(NULL);

  ASSERT_EQ(uv_os_get_passwd(NULL), UV_EINVAL);
}

static void test_env(void) {
  const char* name = "RSUV_TEST_OS_VAR";
  char buf[32];
  size_t size;

  ASSERT_EQ(uv_os_setenv(NULL, "x"), UV_EINVAL);
  ASSERT_EQ(uv_os_setenv(name, NULL), UV_EINVAL);
  ASSERT_EQ(uv_os_unsetenv(NULL), UV_EINVAL);
  size = sizeof(buf);
  ASSERT_EQ(uv_os_getenv(NULL, buf, &size), UV_EINVAL);
  ASSERT_EQ(uv_os_getenv(name, NULL, &size), UV_EINVAL);
  ASSERT_EQ(uv_os_getenv(name, buf, NULL), UV_EINVAL);
  size = 0;
  ASSERT_EQ(uv_os_getenv(name, buf, &size), UV_EINVAL);

  /* Names with '=' and empty names are the C library's EINVAL. */
  ASSERT_EQ(uv_os_setenv("A=B", "x"), UV_EINVAL);
  ASSERT_EQ(uv_os_setenv("", "x"), UV_EINVAL);

  ASSERT_EQ(uv_os_unsetenv(name), 0);
  size = sizeof(buf);
  ASSERT_EQ(uv_os_getenv(name, buf, &size), UV_ENOENT);
  ASSERT_EQ(size, sizeof(buf));

  ASSERT_EQ(uv_os_setenv(name, "hello world"), 0);
  ASSERT_STR_EQ(getenv(name), "hello world");
  size = sizeof(buf);
  ASSERT_EQ(uv_os_getenv(name, buf, &size), 0);
  ASSERT_EQ(size, 11);
  ASSERT_STR_EQ(buf, "hello world");

  size = 11;
  buf[0] = 'Z';
  ASSERT_EQ(uv_os_getenv(name, buf, &size), UV_ENOBUFS);
  ASSERT_EQ(size, 12);
  ASSERT_EQ(buf[0], 'Z');
  size = 12;
  ASSERT_EQ(uv_os_getenv(name, buf, &size), 0);
  ASSERT_EQ(size, 11);

  /* Overwrite, then the empty value (still set). */
  ASSERT_EQ(uv_os_setenv(name, "2"), 0);
  size = sizeof(buf);
  ASSERT_EQ(uv_os_getenv(name, buf, &size), 0);
  ASSERT_STR_EQ(buf, "2");
  ASSERT_EQ(uv_os_setenv(name, ""), 0);
  size = 1;
  ASSERT_EQ(uv_os_getenv(name, buf, &size), 0);
  ASSERT_EQ(size, 0);
  ASSERT_STR_EQ(buf, "");

  ASSERT_EQ(uv_os_unsetenv(name), 0);
  ASSERT(getenv(name) == NULL);
  size = sizeof(buf);
  ASSERT_EQ(uv_os_getenv(name, buf, &size), UV_ENOENT);
  ASSERT_EQ(uv_os_unsetenv(name), 0); /* unsetting an unset name is fine */
}

static void test_environ(void) {
  uv_env_item_t* items;
  int count, i, found = 0, found_eq = 0, found_empty = 0;
  int n_sys = 0;
  extern char** environ;

  ASSERT_EQ(uv_os_setenv("RSUV_TEST_ENVIRON", "v1"), 0);
  ASSERT_EQ(uv_os_setenv("RSUV_TEST_ENVIRON_EQ", "a=b=c"), 0);
  ASSERT_EQ(uv_os_setenv("RSUV_TEST_ENVIRON_EMPTY", ""), 0);
  for (i = 0; environ[i] != NULL; i++)
    n_sys++;

  items = NULL;
  count = -1;
  ASSERT_EQ(uv_os_environ(&items, &count), 0);
  ASSERT(items != NULL);
  ASSERT_EQ(count, n_sys);
  for (i = 0; i < count; i++) {
    ASSERT(items[i].name != NULL && items[i].value != NULL);
    ASSERT(strchr(items[i].name, '=') == NULL);
    ASSERT_STR_EQ(getenv(items[i].name), items[i].value);
    if (strcmp(items[i].name, "RSUV_TEST_ENVIRON") == 0) {
      found++;
      ASSERT_STR_EQ(items[i].value, "v1");
    } else if (strcmp(items[i].name, "RSUV_TEST_ENVIRON_EQ") == 0) {
      found_eq++;
      ASSERT_STR_EQ(items[i].value, "a=b=c");
    } else if (strcmp(items[i].name, "RSUV_TEST_ENVIRON_EMPTY") == 0) {
      found_empty++;
      ASSERT_STR_EQ(items[i].value, "");
    }
  }
  ASSERT_EQ(found, 1);
  ASSERT_EQ(found_eq, 1);
  ASSERT_EQ(found_empty, 1);
  uv_os_free_environ(items, count);

  /* The copy is a copy: later changes do not show in it. */
  ASSERT_EQ(uv_os_environ(&items, &count), 0);
  ASSERT_EQ(uv_os_unsetenv("RSUV_TEST_ENVIRON"), 0);
  found = 0;
  for (i = 0; i < count; i++)
    if (strcmp(items[i].name, "RSUV_TEST_ENVIRON") == 0)
      found++;
  ASSERT_EQ(found, 1);
  uv_os_free_environ(items, count);
}

/* ---------------------------------------------------------------------------------------- */
/* Host, kernel, priority                                                                   */

static void test_gethostname(void) {
  char sys[256];
  char buf[UV_MAXHOSTNAMESIZE];
  size_t size;

  ASSERT_EQ(gethostname(sys, sizeof(sys)), 0);
  sys[sizeof(sys) - 1] = '\0';
  check_protocol(uv_os_gethostname, sys);
  size = sizeof(buf);
  ASSERT_EQ(uv_os_gethostname(buf, &size), 0);
  ASSERT_STR_EQ(buf, sys);
}

static void test_uname(void) {
  uv_utsname_t u;
  struct utsname sys;

  ASSERT_EQ(uv_os_uname(NULL), UV_EINVAL);
  memset(&u, 'Z', sizeof(u));
  ASSERT_EQ(uv_os_uname(&u), 0);
  ASSERT_EQ(uname(&sys), 0);
  ASSERT_STR_EQ(u.sysname, sys.sysname);
  ASSERT_STR_EQ(u.sysname, "Linux");
  ASSERT_STR_EQ(u.release, sys.release);
  ASSERT_STR_EQ(u.version, sys.version);
  ASSERT_STR_EQ(u.machine, sys.machine);
}

static void test_priority(void) {
  int prio, orig, r;

  ASSERT_EQ(uv_os_getpriority(0, NULL), UV_EINVAL);
  ASSERT_EQ(uv_os_getpriority(0, &orig), 0);
  errno = 0;
  ASSERT_EQ(orig, getpriority(PRIO_PROCESS, 0));
  ASSERT_EQ(uv_os_getpriority(uv_os_getpid(), &prio), 0);
  ASSERT_EQ(prio, orig);

  ASSERT_EQ(uv_os_setpriority(0, UV_PRIORITY_HIGHEST - 1), UV_EINVAL);
  ASSERT_EQ(uv_os_setpriority(0, UV_PRIORITY_LOW + 1), UV_EINVAL);

  /* Lowering our own priority is always allowed (we run in a child). */
  if (orig < UV_PRIORITY_LOW) {
    ASSERT_EQ(uv_os_setpriority(0, orig + 1), 0);
    ASSERT_EQ(uv_os_getpriority(0, &prio), 0);
    ASSERT_EQ(prio, orig + 1);
    ASSERT_EQ(getpriority(PRIO_PROCESS, 0), orig + 1);
  }
  ASSERT_EQ(uv_os_setpriority(0, UV_PRIORITY_LOW), 0);
  ASSERT_EQ(uv_os_getpriority(0, &prio), 0);
  ASSERT_EQ(prio, UV_PRIORITY_LOW);

  /* Raising it needs privileges: either it works or it is refused. */
  r = uv_os_setpriority(0, UV_PRIORITY_HIGHEST);
  ASSERT(r == 0 || r == UV_EACCES || r == UV_EPERM);

  /* A process that does not exist (pid_max is at most 2^22). */
  ASSERT_EQ(uv_os_getpriority(0x7FFFFFF0, &prio), UV_ESRCH);
  ASSERT_EQ(uv_os_setpriority(0x7FFFFFF0, 0), UV_ESRCH);
}

/* ---------------------------------------------------------------------------------------- */
/* CPUs and interfaces                                                                      */

static void test_cpu_info(void) {
  uv_cpu_info_t* cpus;
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  int count, i;
  uint64_t total = 0;

  cpus = NULL;
  count = -1;
  ASSERT_EQ(uv_cpu_info(&cpus, &count), 0);
  ASSERT(cpus != NULL);
  ASSERT(count >= 1);
  if (online > 0)
    ASSERT_EQ(count, online);
  for (i = 0; i < count; i++) {
    ASSERT(cpus[i].model != NULL);
    ASSERT(strlen(cpus[i].model) > 0);
    ASSERT(cpus[i].speed >= 0);
    total += cpus[i].cpu_times.user + cpus[i].cpu_times.nice + cpus[i].cpu_times.sys +
             cpus[i].cpu_times.idle + cpus[i].cpu_times.irq;
  }
  ASSERT(total > 0);
  uv_free_cpu_info(cpus, count);

  /* Times only grow. */
  {
    uv_cpu_info_t* again;
    int n2;
    uint64_t idle1, idle2;
    ASSERT_EQ(uv_cpu_info(&cpus, &count), 0);
    idle1 = cpus[0].cpu_times.idle;
    ASSERT_EQ(uv_cpu_info(&again, &n2), 0);
    idle2 = again[0].cpu_times.idle;
    ASSERT(idle2 >= idle1);
    uv_free_cpu_info(cpus, count);
    uv_free_cpu_info(again, n2);
  }
}

static void test_interface_addresses(void) {
  uv_interface_address_t* ifs;
  char name[64];
  int count, i, lo4 = 0;

  ifs = NULL;
  count = -1;
  ASSERT_EQ(uv_interface_addresses(&ifs, &count), 0);
  ASSERT(count >= 1);
  ASSERT(ifs != NULL);
  for (i = 0; i < count; i++) {
    const uv_interface_address_t* a = &ifs[i];
    ASSERT(a->name != NULL && strlen(a->name) > 0);
    ASSERT(a->address.address4.sin_family == AF_INET ||
           a->address.address4.sin_family == AF_INET6);
    if (a->address.address4.sin_family == AF_INET) {
      ASSERT_EQ(uv_ip4_name(&a->address.address4, name, sizeof(name)), 0);
      if (strcmp(name, "127.0.0.1") == 0) {
        lo4++;
        ASSERT_EQ(a->is_internal, 1);
        ASSERT_EQ(a->netmask.netmask4.sin_family, AF_INET);
        ASSERT_EQ(uv_ip4_name(&a->netmask.netmask4, name, sizeof(name)), 0);
        ASSERT_STR_EQ(name, "255.0.0.0");
        /* Loopback's link-layer address is all zero. */
        ASSERT(memcmp(a->phys_addr, "\0\0\0\0\0\0", 6) == 0);
      }
    } else {
      ASSERT_EQ(a->netmask.netmask6.sin6_family, AF_INET6);
      ASSERT_EQ(uv_ip6_name(&a->address.address6, name, sizeof(name)), 0);
      if (strcmp(name, "::1") == 0)
        ASSERT_EQ(a->is_internal, 1);
    }
  }
  ASSERT_EQ(lo4, 1);
  uv_free_interface_addresses(ifs, count);
}

/* ---------------------------------------------------------------------------------------- */
/* Load, uptime, resources, memory                                                          */

static void test_loadavg_uptime(void) {
  double avg[3] = {-1, -1, -1};
  double up1 = 0, up2 = 0;

  uv_loadavg(avg);
  ASSERT(avg[0] >= 0 && avg[1] >= 0 && avg[2] >= 0);

  ASSERT_EQ(uv_uptime(&up1), 0);
  ASSERT(up1 > 0);
  ASSERT_EQ(uv_uptime(&up2), 0);
  ASSERT(up2 >= up1);
}

static void test_rusage_rss(void) {
  uv_rusage_t ru;
  size_t rss = 0;
  struct rusage sys;
  volatile char* p;
  size_t i;

  /* Burn a little CPU and memory so that the figures move. */
  p = malloc(1 << 20);
  ASSERT(p != NULL);
  for (i = 0; i < (1 << 20); i += 64)
    p[i] = (char) i;

  memset(&ru, 0xAA, sizeof(ru));
  ASSERT_EQ(uv_getrusage(&ru), 0);
  ASSERT_EQ(getrusage(RUSAGE_SELF, &sys), 0);
  ASSERT(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
  ASSERT(ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
  ASSERT(ru.ru_maxrss > 0);
  ASSERT(ru.ru_maxrss <= (uint64_t) sys.ru_maxrss);
  ASSERT(ru.ru_minflt > 0);
  ASSERT(ru.ru_utime.tv_sec <= sys.ru_utime.tv_sec);

  ASSERT_EQ(uv_resident_set_memory(&rss), 0);
  ASSERT(rss > (1 << 20));
  ASSERT(rss < uv_get_total_memory());
  free((void*) p);
}

static void test_memory(void) {
  uint64_t total = uv_get_total_memory();
  uint64_t avail = uv_get_free_memory();
  uint64_t constrained = uv_get_constrained_memory();
  long pages = sysconf(_SC_PHYS_PAGES);
  long psize = sysconf(_SC_PAGESIZE);

  ASSERT(total > 0);
  ASSERT(avail > 0);
  ASSERT(total > avail);
  if (pages > 0 && psize > 0) {
    /* MemTotal and sysconf agree to within a page. */
    uint64_t sys = (uint64_t) pages * (uint64_t) psize;
    ASSERT(total + (uint64_t) psize >= sys && total <= sys + (uint64_t) psize);
  }
  /* 0 means no known limit; libuv 1.44 may also pass the cgroup's "unlimited" through. */
  printf("  constrained memory: %llu\n", (unsigned long long) constrained);
}

/* ---------------------------------------------------------------------------------------- */
/* Shared libraries                                                                         */

static void test_dl(void) {
  uv_lib_t lib;
  void* sym;
  int (*snprintf_fn)(char*, size_t, const char*, ...);
  char buf[16];
  const char* msg;

  memset(&lib, 0, sizeof(lib));
  ASSERT_STR_EQ(uv_dlerror(&lib), "no error");

  ASSERT_EQ(uv_dlopen("libc.so.6", &lib), 0);
  ASSERT(lib.handle != NULL);
  ASSERT_STR_EQ(uv_dlerror(&lib), "no error");

  sym = NULL;
  ASSERT_EQ(uv_dlsym(&lib, "printf", &sym), 0);
  ASSERT(sym != NULL);
  ASSERT_EQ(uv_dlsym(&lib, "snprintf", &sym), 0);
  snprintf_fn = (int (*)(char*, size_t, const char*, ...)) (uintptr_t) sym;
  ASSERT_EQ(snprintf_fn(buf, sizeof(buf), "%d-%s", 42, "ok"), 5);
  ASSERT_STR_EQ(buf, "42-ok");

  sym = (void*) &lib;
  ASSERT_EQ(uv_dlsym(&lib, "rsuv_no_such_symbol", &sym), -1);
  ASSERT(sym == NULL);
  msg = uv_dlerror(&lib);
  ASSERT(strstr(msg, "rsuv_no_such_symbol") != NULL);
  ASSERT(strstr(msg, "no error") == NULL);

  /* A later success leaves the message alone; a later failure replaces it. */
  ASSERT_EQ(uv_dlsym(&lib, "printf", &sym), 0);
  ASSERT_EQ(uv_dlsym(&lib, "rsuv_other_missing", &sym), -1);
  ASSERT(strstr(uv_dlerror(&lib), "rsuv_other_missing") != NULL);

  uv_dlclose(&lib);
  ASSERT(lib.handle == NULL);
  ASSERT(lib.errmsg == NULL);
  ASSERT_STR_EQ(uv_dlerror(&lib), "no error");
  uv_dlclose(&lib); /* closing twice is harmless */
}

static void test_dl_missing(void) {
  uv_lib_t lib;
  const char* msg;

  ASSERT_EQ(uv_dlopen("librsuv-does-not-exist.so.7", &lib), -1);
  ASSERT(lib.handle == NULL);
  msg = uv_dlerror(&lib);
  ASSERT(msg != NULL);
  ASSERT(strstr(msg, "librsuv-does-not-exist.so.7") != NULL);
  ASSERT(strstr(msg, "no error") == NULL);
  /* The same message twice in a row. */
  ASSERT_STR_EQ(uv_dlerror(&lib), msg);
  uv_dlclose(&lib);
  ASSERT_STR_EQ(uv_dlerror(&lib), "no error");

  /* Not a shared object. */
  ASSERT_EQ(uv_dlopen("/etc/passwd", &lib), -1);
  ASSERT(strstr(uv_dlerror(&lib), "/etc/passwd") != NULL);
  uv_dlclose(&lib);
}

/* ---------------------------------------------------------------------------------------- */
/* Descriptors                                                                              */

static void test_guess_handle(void) {
  int fds[2];
  int fd;
  char path[] = "/tmp/rsuv-test-os-XXXXXX";

  ASSERT_EQ(uv_guess_handle(-1), UV_UNKNOWN_HANDLE);

  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(uv_guess_handle(fds[0]), UV_NAMED_PIPE);
  ASSERT_EQ(uv_guess_handle(fds[1]), UV_NAMED_PIPE);
  close(fds[0]);
  close(fds[1]);
  /* A closed descriptor. */
  ASSERT_EQ(uv_guess_handle(fds[0]), UV_UNKNOWN_HANDLE);

  fd = mkstemp(path);
  ASSERT(fd >= 0);
  unlink(path);
  ASSERT_EQ(uv_guess_handle(fd), UV_FILE);
  close(fd);

  fd = open("/dev/null", O_RDWR);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_guess_handle(fd), UV_FILE);
  close(fd);

  fd = open("/", O_RDONLY | O_DIRECTORY);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_guess_handle(fd), UV_UNKNOWN_HANDLE);
  close(fd);

  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ASSERT_EQ(uv_guess_handle(fds[0]), UV_NAMED_PIPE);
  close(fds[0]);
  close(fds[1]);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM, 0, fds), 0);
  ASSERT_EQ(uv_guess_handle(fds[0]), UV_UNKNOWN_HANDLE);
  close(fds[0]);
  close(fds[1]);

  fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_guess_handle(fd), UV_TCP);
  close(fd);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT(fd >= 0);
  ASSERT_EQ(uv_guess_handle(fd), UV_UDP);
  close(fd);
  fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd >= 0) {
    ASSERT_EQ(uv_guess_handle(fd), UV_TCP);
    close(fd);
  }
  fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd >= 0) {
    ASSERT_EQ(uv_guess_handle(fd), UV_UDP);
    close(fd);
  }

  /* A pseudo-terminal, where the system offers one. */
  fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
  if (fd >= 0) {
    ASSERT_EQ(uv_guess_handle(fd), UV_TTY);
    close(fd);
  }
}

static void test_disable_stdio_inheritance(void) {
  int fd, high, i;

  fd = dup(2);
  ASSERT(fd > 2);
  high = dup2(fd, 40);
  ASSERT_EQ(high, 40);
  ASSERT(!cloexec(fd));
  ASSERT(!cloexec(high));

  uv_disable_stdio_inheritance();

  for (i = 0; i <= 2; i++)
    ASSERT(cloexec(i));
  ASSERT(cloexec(fd));
  /* Past the first 16, libuv stops at the first descriptor that is not open. */
  ASSERT(!cloexec(high));
  close(fd);
  close(high);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(cwd_chdir),
    TEST(exepath),
    TEST(homedir),
    TEST(tmpdir),
    TEST(passwd),
    TEST(env),
    TEST(environ),
    TEST(gethostname),
    TEST(uname),
    TEST(priority),
    TEST(cpu_info),
    TEST(interface_addresses),
    TEST(loadavg_uptime),
    TEST(rusage_rss),
    TEST(memory),
    TEST(dl),
    TEST(dl_missing),
    TEST(guess_handle),
    TEST(disable_stdio_inheritance),
};

RSUV_TEST_MAIN(tests)
