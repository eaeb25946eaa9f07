/* test_wtf8.c - libuv 1.47's WTF-8 / UTF-16 conversions as a C program sees them:
 * uv_utf16_length_as_wtf8, uv_utf16_to_wtf8 (the three buffer modes and UV_ENOBUFS),
 * uv_wtf8_length_as_utf16 (UV_EINVAL for malformed input), uv_wtf8_to_utf16. Lone
 * surrogates survive the round trip. Checked against libuv 1.53 as well. */
#include "uv.h"
#include "runner.h"
#include "asserts.h"

#include <stdint.h>

#if UV_VERSION_HEX >= 0x012f00

/* "a", U+00E9, U+20AC, U+1F600 (a surrogate pair), then a lone high surrogate. */
static const uint16_t units[] = {0x61, 0xE9, 0x20AC, 0xD83D, 0xDE00, 0xD800, 0};
static const char bytes[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xED\xA0\x80";

static void test_lengths(void) {
  ASSERT_EQ(uv_utf16_length_as_wtf8(units, -1), sizeof(bytes) - 1);
  ASSERT_EQ(uv_utf16_length_as_wtf8(units, 3), 6);
  /* The NUL counts: 6 units and a terminator. */
  ASSERT_EQ(uv_wtf8_length_as_utf16(bytes), 7);
  ASSERT_EQ(uv_wtf8_length_as_utf16(""), 1);
  ASSERT_EQ(uv_wtf8_length_as_utf16("\x80"), UV_EINVAL);
  ASSERT_EQ(uv_wtf8_length_as_utf16("\xC3"), UV_EINVAL);
  ASSERT_EQ(uv_wtf8_length_as_utf16("\xF4\x90\x80\x80"), UV_EINVAL);
}

static void test_to_wtf8_allocates(void) {
  char* out = NULL;
  size_t len = 0;
  ASSERT_EQ(uv_utf16_to_wtf8(units, -1, &out, &len), 0);
  ASSERT(out != NULL);
  ASSERT_EQ(len, sizeof(bytes) - 1);
  ASSERT_MEM_EQ(out, bytes, sizeof(bytes));
  free(out);
  /* NULL wtf8_ptr: the length only. */
  len = 0;
  ASSERT_EQ(uv_utf16_to_wtf8(units, -1, NULL, &len), 0);
  ASSERT_EQ(len, sizeof(bytes) - 1);
}

static void test_to_wtf8_short_buffer(void) {
  char buf[8];
  char* out = buf;
  size_t len = 4; /* room for 4 bytes and the NUL */
  ASSERT_EQ(uv_utf16_to_wtf8(units, -1, &out, &len), UV_ENOBUFS);
  ASSERT_EQ(len, sizeof(bytes) - 1); /* what the whole result needs */
  ASSERT_MEM_EQ(buf, "a\xC3\xA9\xE2", 4);
  ASSERT_EQ(buf[4], 0);
  len = sizeof(bytes) - 1;
  {
    char big[sizeof(bytes)];
    out = big;
    ASSERT_EQ(uv_utf16_to_wtf8(units, -1, &out, &len), 0);
    ASSERT_MEM_EQ(big, bytes, sizeof(bytes));
  }
}

static void test_to_utf16_round_trip(void) {
  uint16_t back[7];
  memset(back, 0xff, sizeof(back));
  uv_wtf8_to_utf16(bytes, back, 7);
  ASSERT_MEM_EQ(back, units, sizeof(units));
}

static const struct test_entry tests[] = {
    TEST(lengths),
    TEST(to_wtf8_allocates),
    TEST(to_wtf8_short_buffer),
    TEST(to_utf16_round_trip),
};

#else
static void test_not_in_this_libuv(void) {}
static const struct test_entry tests[] = {TEST(not_in_this_libuv)};
#endif

RSUV_TEST_MAIN(tests)
