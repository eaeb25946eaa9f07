/* test_errors.c - libuv's error codes, names and messages, and the header's maps.
 *
 * Covers: every code of UV_ERRNO_MAP through uv_err_name / uv_strerror and their _r
 * variants, the uv_errno_t values (errno-based and libuv's own), unknown codes, truncation
 * by the _r variants, uv_translate_sys_error, UV_HANDLE_TYPE_MAP / UV_REQ_TYPE_MAP against
 * the enums, and the version macros against uv_version / uv_version_string.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_errors.c -o /tmp/te -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    const char* a_ = (a);                                                              \
    const char* b_ = (b);                                                              \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                             \
      fprintf(stderr, "%s:%d: in %s: assertion failed: %s == %s (\"%s\" != \"%s\")\n", \
              __FILE__, __LINE__, __func__, #a, #b, a_ ? a_ : "(null)",                \
              b_ ? b_ : "(null)");                                                     \
      fflush(stderr);                                                                  \
      abort();                                                                         \
    }                                                                                  \
  } while (0)

/* ---------------------------------------------------------------------------------------- */
/* Every code of the map                                                                    */

struct err_entry {
  int code;
  const char* name;
  const char* msg;
};

#define XX(name, msg) {UV_##name, #name, msg},
static const struct err_entry all_errors[] = {UV_ERRNO_MAP(XX)};
#undef XX
#define NERRORS ((int) (sizeof(all_errors) / sizeof(all_errors[0])))

static void test_map_names_and_messages(void) {
  char buf[128];
  int i, j;

  ASSERT_EQ(NERRORS, 85); /* libuv 1.53: 1.44's 82 plus ENODATA, EUNATCH, ENOEXEC */
  for (i = 0; i < NERRORS; i++) {
    const struct err_entry* e = &all_errors[i];
    ASSERT(e->code < 0);
    ASSERT(e->code > UV_ERRNO_MAX);
    ASSERT_STR_EQ(uv_err_name(e->code), e->name);
    ASSERT_STR_EQ(uv_strerror(e->code), e->msg);
    memset(buf, 'x', sizeof(buf));
    ASSERT(uv_err_name_r(e->code, buf, sizeof(buf)) == buf);
    ASSERT_STR_EQ(buf, e->name);
    memset(buf, 'x', sizeof(buf));
    ASSERT(uv_strerror_r(e->code, buf, sizeof(buf)) == buf);
    ASSERT_STR_EQ(buf, e->msg);
    /* Known codes answer static strings: the same pointer every time. */
    ASSERT(uv_err_name(e->code) == uv_err_name(e->code));
    ASSERT(uv_strerror(e->code) == uv_strerror(e->code));
    for (j = i + 1; j < NERRORS; j++)
      ASSERT(all_errors[j].code != e->code);
  }
}

static void test_enum_values(void) {
  /* errno-based codes are negated errno values on Unix. */
  ASSERT_EQ(UV_E2BIG, -E2BIG);
  ASSERT_EQ(UV_EACCES, -EACCES);
  ASSERT_EQ(UV_EAGAIN, -EAGAIN);
  ASSERT_EQ(UV_EBADF, -EBADF);
  ASSERT_EQ(UV_EBUSY, -EBUSY);
  ASSERT_EQ(UV_ECANCELED, -ECANCELED);
  ASSERT_EQ(UV_ECONNREFUSED, -ECONNREFUSED);
  ASSERT_EQ(UV_EEXIST, -EEXIST);
  ASSERT_EQ(UV_EINVAL, -EINVAL);
  ASSERT_EQ(UV_EIO, -EIO);
  ASSERT_EQ(UV_ENOENT, -ENOENT);
  ASSERT_EQ(UV_ENOMEM, -ENOMEM);
  ASSERT_EQ(UV_ENOSYS, -ENOSYS);
  ASSERT_EQ(UV_ENOTSUP, -ENOTSUP);
  ASSERT_EQ(UV_EPIPE, -EPIPE);
  ASSERT_EQ(UV_ETIMEDOUT, -ETIMEDOUT);
  ASSERT_EQ(UV_EREMOTEIO, -EREMOTEIO);
  ASSERT_EQ(UV_EILSEQ, -EILSEQ);
  ASSERT_EQ(UV_ESOCKTNOSUPPORT, -ESOCKTNOSUPPORT);
  /* libuv's own codes. */
  ASSERT_EQ(UV_EOF, -4095);
  ASSERT_EQ(UV_UNKNOWN, -4094);
  ASSERT_EQ(UV_ECHARSET, -4080);
  ASSERT_EQ(UV_EFTYPE, -4028);
  ASSERT_EQ(UV_ERRNO_MAX, -4096);
  ASSERT_EQ(UV_ERRNO_MAX, UV_EOF - 1);
  ASSERT_EQ(UV_EAI_ADDRFAMILY, -3000);
  ASSERT_EQ(UV_EAI_AGAIN, -3001);
  ASSERT_EQ(UV_EAI_BADFLAGS, -3002);
  ASSERT_EQ(UV_EAI_CANCELED, -3003);
  ASSERT_EQ(UV_EAI_FAIL, -3004);
  ASSERT_EQ(UV_EAI_FAMILY, -3005);
  ASSERT_EQ(UV_EAI_MEMORY, -3006);
  ASSERT_EQ(UV_EAI_NODATA, -3007);
  ASSERT_EQ(UV_EAI_NONAME, -3008);
  ASSERT_EQ(UV_EAI_OVERFLOW, -3009);
  ASSERT_EQ(UV_EAI_SERVICE, -3010);
  ASSERT_EQ(UV_EAI_SOCKTYPE, -3011);
  ASSERT_EQ(UV_EAI_BADHINTS, -3013);
  ASSERT_EQ(UV_EAI_PROTOCOL, -3014);
  ASSERT_EQ(sizeof(uv_errno_t), 4);
}

/* ---------------------------------------------------------------------------------------- */
/* Unknown codes, truncation, translation                                                   */

static void test_unknown_codes(void) {
  char buf[64];
  const char* a;

  ASSERT_STR_EQ(uv_strerror(1234), "Unknown system error 1234");
  ASSERT_STR_EQ(uv_err_name(1234), "Unknown system error 1234");
  ASSERT_STR_EQ(uv_strerror(-9999), "Unknown system error -9999");
  ASSERT_STR_EQ(uv_err_name(0), "Unknown system error 0");
  ASSERT_STR_EQ(uv_err_name(UV_ERRNO_MAX), "Unknown system error -4096");
  ASSERT_STR_EQ(uv_strerror_r(1234, buf, sizeof(buf)), "Unknown system error 1234");
  ASSERT_STR_EQ(uv_err_name_r(-77, buf, sizeof(buf)), "Unknown system error -77");

  /* The answer stays valid: a later call for another code does not clobber it. */
  a = uv_strerror(5555);
  (void) uv_strerror(6666);
  ASSERT_STR_EQ(a, "Unknown system error 5555");
}

static void test_r_truncation(void) {
  char buf[16];

  memset(buf, 'x', sizeof(buf));
  ASSERT(uv_err_name_r(UV_EINVAL, buf, 4) == buf);
  ASSERT_STR_EQ(buf, "EIN");
  ASSERT_EQ(buf[4], 'x');

  memset(buf, 'x', sizeof(buf));
  ASSERT(uv_strerror_r(UV_EINVAL, buf, 8) == buf);
  ASSERT_STR_EQ(buf, "invalid");
  ASSERT_EQ(buf[8], 'x');

  /* Exactly fitting. */
  memset(buf, 'x', sizeof(buf));
  uv_err_name_r(UV_EINVAL, buf, 7);
  ASSERT_STR_EQ(buf, "EINVAL");

  /* One byte: just the terminator. */
  memset(buf, 'x', sizeof(buf));
  uv_strerror_r(UV_EOF, buf, 1);
  ASSERT_EQ(buf[0], '\0');
  ASSERT_EQ(buf[1], 'x');

  /* Zero bytes: nothing written. */
  memset(buf, 'x', sizeof(buf));
  uv_strerror_r(UV_EOF, buf, 0);
  uv_err_name_r(UV_EOF, buf, 0);
  ASSERT_EQ(buf[0], 'x');

  /* Unknown codes truncate too. */
  memset(buf, 'x', sizeof(buf));
  uv_strerror_r(1234, buf, 8);
  ASSERT_STR_EQ(buf, "Unknown");
  memset(buf, 'x', sizeof(buf));
  uv_err_name_r(1234, buf, sizeof(buf));
  ASSERT_STR_EQ(buf, "Unknown system ");
}

static void test_translate_sys_error(void) {
  int i;

  ASSERT_EQ(uv_translate_sys_error(0), 0);
  ASSERT_EQ(uv_translate_sys_error(EINVAL), UV_EINVAL);
  ASSERT_EQ(uv_translate_sys_error(ENOENT), UV_ENOENT);
  ASSERT_EQ(uv_translate_sys_error(EAGAIN), UV_EAGAIN);
  ASSERT_EQ(uv_translate_sys_error(EWOULDBLOCK), UV_EAGAIN);
  ASSERT_EQ(uv_translate_sys_error(ECONNRESET), UV_ECONNRESET);
  /* Already-libuv codes pass through. */
  ASSERT_EQ(uv_translate_sys_error(UV_EINVAL), UV_EINVAL);
  ASSERT_EQ(uv_translate_sys_error(UV_EOF), UV_EOF);
  ASSERT_EQ(uv_translate_sys_error(UV_EAI_NONAME), UV_EAI_NONAME);
  /* Every errno-based code round-trips. */
  for (i = 0; i < NERRORS; i++) {
    int code = all_errors[i].code;
    if (code > -3000)
      ASSERT_EQ(uv_translate_sys_error(-code), code);
  }
  /* An errno libuv has no name for still maps to its negation. */
  ASSERT_EQ(uv_translate_sys_error(EDOM), -EDOM);
  ASSERT_STR_EQ(uv_err_name(uv_translate_sys_error(EDOM)), "Unknown system error -33");
}

/* ---------------------------------------------------------------------------------------- */
/* Other maps and macros                                                                    */

static void test_handle_and_req_maps(void) {
  int n;

  ASSERT_EQ(UV_UNKNOWN_HANDLE, 0);
  n = 0;
#define XX(uc, lc) ASSERT_EQ(UV_##uc, ++n);
  UV_HANDLE_TYPE_MAP(XX)
#undef XX
  ASSERT_EQ(n, 16);
  ASSERT_EQ(UV_FILE, n + 1);
  ASSERT_EQ(UV_HANDLE_TYPE_MAX, n + 2);

  ASSERT_EQ(UV_UNKNOWN_REQ, 0);
  n = 0;
#define XX(uc, lc) ASSERT_EQ(UV_##uc, ++n);
  UV_REQ_TYPE_MAP(XX)
#undef XX
  ASSERT_EQ(n, 10);
  ASSERT_EQ(UV_REQ_TYPE_MAX, n + 1);

  /* The lower-case names are the type names: they paste into uv_<name>_t. */
  {
    const char* names[] = {
#define XX(uc, lc) #lc,
        UV_HANDLE_TYPE_MAP(XX) UV_REQ_TYPE_MAP(XX)
#undef XX
    };
    ASSERT_STR_EQ(names[0], "async");
    ASSERT_STR_EQ(names[6], "pipe");
    ASSERT_STR_EQ(names[15], "signal");
    ASSERT_STR_EQ(names[16], "req");
    ASSERT_STR_EQ(names[25], "random");
  }
}

static void test_version(void) {
  char want[32];

  ASSERT_EQ(UV_VERSION_MAJOR, 1);
  ASSERT_EQ(UV_VERSION_MINOR, 53);
  ASSERT_EQ(UV_VERSION_PATCH, 0);
  ASSERT_EQ(UV_VERSION_IS_RELEASE, 1);
  ASSERT_STR_EQ(UV_VERSION_SUFFIX, "");
  ASSERT_EQ(UV_VERSION_HEX, 0x013500);
  ASSERT_EQ(uv_version(), UV_VERSION_HEX);
  snprintf(want, sizeof(want), "%d.%d.%d", UV_VERSION_MAJOR, UV_VERSION_MINOR,
           UV_VERSION_PATCH);
  ASSERT_STR_EQ(uv_version_string(), want);
}

static uv_once_t g_once = UV_ONCE_INIT;
static int g_once_calls;
static void once_cb(void) {
  g_once_calls++;
}

static void test_once_init_macro(void) {
  uv_once(&g_once, once_cb);
  uv_once(&g_once, once_cb);
  ASSERT_EQ(g_once_calls, 1);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(map_names_and_messages),
    TEST(enum_values),
    TEST(unknown_codes),
    TEST(r_truncation),
    TEST(translate_sys_error),
    TEST(handle_and_req_maps),
    TEST(version),
    TEST(once_init_macro),
};

RSUV_TEST_MAIN(tests)
