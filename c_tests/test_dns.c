/* test_dns.c - DNS and the address utilities as a libuv user sees them.
 *
 * Covers: uv_getaddrinfo (sync and async; localhost, numeric IPv4 and IPv6, service only,
 * hints, NULL/NULL, names that cannot resolve, IDNA input errors), uv_freeaddrinfo,
 * uv_getnameinfo (sync and async, numeric and not, bad families), cancelling queued lookups
 * (uv_cancel), uv_ip4_addr / uv_ip6_addr (scope ids), uv_ip4_name / uv_ip6_name /
 * uv_ip_name, uv_inet_ntop / uv_inet_pton edge cases and short buffers, uv_if_indextoname
 * and uv_if_indextoiid.
 *
 * Lookups use "localhost" and numeric addresses only (no network needed); names under
 * ".invalid" never resolve.
 *
 * Written against libuv 1.44's documented behaviour and checked against the real libuv:
 *   cc -std=gnu11 -Wall -Wextra -Werror c_tests/test_dns.c -o /tmp/tdns -luv -lpthread
 *
 * Each test runs in a forked child with an alarm (RSUV_TEST_ALARM seconds, default 30), so
 * one failing or hanging test does not hide the others. RSUV_TEST_NOFORK=1 runs them in this
 * process (for a debugger); a test name as argv[1] runs only that test.
 * Last line: "N passed, M failed"; exit status 0 only when M == 0.
 */
#include "uv.h"
#include "runner.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

static int is_eai(int r) {
  return r <= UV_EAI_ADDRFAMILY && r >= UV_EAI_PROTOCOL;
}

static void hints_init(struct addrinfo* h, int family, int flags) {
  memset(h, 0, sizeof(*h));
  h->ai_family = family;
  h->ai_socktype = SOCK_STREAM;
  h->ai_protocol = IPPROTO_TCP;
  h->ai_flags = flags;
}

/* Does the list hold an IPv4 entry for 127.0.0.1:port? */
static int has_ip4(const struct addrinfo* ai, const char* ip, int port) {
  char buf[64];
  for (; ai != NULL; ai = ai->ai_next) {
    const struct sockaddr_in* sa = (const struct sockaddr_in*) ai->ai_addr;
    if (ai->ai_family != AF_INET)
      continue;
    ASSERT_EQ(ai->ai_addrlen, sizeof(struct sockaddr_in));
    ASSERT_EQ(uv_ip4_name(sa, buf, sizeof(buf)), 0);
    if (strcmp(buf, ip) == 0 && ntohs(sa->sin_port) == port)
      return 1;
  }
  return 0;
}

static int has_ip6(const struct addrinfo* ai, const char* ip, int port) {
  char buf[64];
  for (; ai != NULL; ai = ai->ai_next) {
    const struct sockaddr_in6* sa = (const struct sockaddr_in6*) ai->ai_addr;
    if (ai->ai_family != AF_INET6)
      continue;
    ASSERT_EQ(ai->ai_addrlen, sizeof(struct sockaddr_in6));
    ASSERT_EQ(uv_ip6_name(sa, buf, sizeof(buf)), 0);
    if (strcmp(buf, ip) == 0 && ntohs(sa->sin6_port) == port)
      return 1;
  }
  return 0;
}

static void run_and_close(uv_loop_t* loop) {
  ASSERT_EQ(uv_run(loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(loop->active_reqs.count, 0);
  ASSERT_EQ(uv_loop_close(loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_getaddrinfo, synchronous                                                              */

static void test_getaddrinfo_sync(void) {
  uv_loop_t loop;
  uv_getaddrinfo_t req;
  struct addrinfo hints;

  ASSERT_EQ(uv_loop_init(&loop), 0);

  /* localhost, IPv4 only, with a service. */
  memset(&req, 0xAA, sizeof(req));
  req.data = &req;
  hints_init(&hints, AF_INET, 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "localhost", "80", &hints), 0);
  ASSERT(req.data == &req);
  ASSERT_EQ(req.type, UV_GETADDRINFO);
  ASSERT(req.loop == &loop);
  ASSERT(req.addrinfo != NULL);
  ASSERT(has_ip4(req.addrinfo, "127.0.0.1", 80));
  uv_freeaddrinfo(req.addrinfo);

  /* Numeric IPv4, no service, no hints. */
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "127.0.0.1", NULL, NULL), 0);
  ASSERT(has_ip4(req.addrinfo, "127.0.0.1", 0));
  uv_freeaddrinfo(req.addrinfo);

  /* Numeric IPv6. */
  hints_init(&hints, AF_INET6, AI_NUMERICHOST);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "::1", "443", &hints), 0);
  ASSERT(has_ip6(req.addrinfo, "::1", 443));
  ASSERT(!has_ip4(req.addrinfo, "127.0.0.1", 443));
  uv_freeaddrinfo(req.addrinfo);

  /* A service alone: the wildcard or loopback address with that port. */
  hints_init(&hints, AF_INET, AI_PASSIVE);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, NULL, "8080", &hints), 0);
  ASSERT(has_ip4(req.addrinfo, "0.0.0.0", 8080));
  uv_freeaddrinfo(req.addrinfo);
  hints_init(&hints, AF_INET, 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, NULL, "8080", &hints), 0);
  ASSERT(has_ip4(req.addrinfo, "127.0.0.1", 8080));
  uv_freeaddrinfo(req.addrinfo);

  /* A hint the C library refuses: the EAI code comes back translated. */
  hints_init(&hints, AF_INET, AI_NUMERICHOST);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "localhost", NULL, &hints), UV_EAI_NONAME);
  ASSERT(req.addrinfo == NULL);
  hints_init(&hints, 12345, 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "localhost", NULL, &hints), UV_EAI_FAMILY);
  hints_init(&hints, AF_INET, AI_NUMERICSERV);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "127.0.0.1", "http", &hints), UV_EAI_NONAME);

  /* uv_freeaddrinfo(NULL) is fine. */
  uv_freeaddrinfo(NULL);

  /* No request was left active. */
  ASSERT_EQ(loop.active_reqs.count, 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void never_gai_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  (void) req;
  (void) status;
  (void) res;
  ASSERT(!"this getaddrinfo callback must not run");
}

static void test_getaddrinfo_bad_args(void) {
  uv_loop_t loop;
  uv_getaddrinfo_t req;
  char longname[400];

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, NULL, NULL, NULL), UV_EINVAL);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, never_gai_cb, NULL, NULL, NULL), UV_EINVAL);
  ASSERT_EQ(uv_getaddrinfo(&loop, NULL, never_gai_cb, "localhost", NULL, NULL), UV_EINVAL);
  /* The host name goes through IDNA first: empty, bad UTF-8 or too long is UV_EINVAL. */
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "", "80", NULL), UV_EINVAL);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, never_gai_cb, "", "80", NULL), UV_EINVAL);
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, NULL, "\xC0\x80.invalid", NULL, NULL), UV_EINVAL);
  memset(longname, 'a', sizeof(longname) - 1);
  longname[sizeof(longname) - 1] = '\0';
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, never_gai_cb, longname, NULL, NULL), UV_EINVAL);
  ASSERT_EQ(loop.active_reqs.count, 0);
  run_and_close(&loop);
}

static void test_getaddrinfo_fail_sync(void) {
  uv_loop_t loop;
  uv_getaddrinfo_t req;
  int r;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  r = uv_getaddrinfo(&loop, &req, NULL, "nonexistent.invalid.", NULL, NULL);
  ASSERT(r < 0);
  ASSERT(is_eai(r));
  ASSERT(req.addrinfo == NULL);
  uv_freeaddrinfo(req.addrinfo);
  /* A non-ASCII name is punycoded and then fails like any unknown name. */
  r = uv_getaddrinfo(&loop, &req, NULL, "b\xC3\xBC" "cher.invalid.", NULL, NULL);
  ASSERT(is_eai(r));
  ASSERT(req.addrinfo == NULL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_getaddrinfo, asynchronous                                                             */

struct gai_case {
  uv_getaddrinfo_t req;
  const char* node;
  const char* service;
  int family;
  int flags;
  const char* expect_ip; /* NULL: expect a failure */
  int expect_port;
  int called;
  int status;
};

static uv_loop_t* gai_loop;

static void gai_case_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  struct gai_case* c = (struct gai_case*) req->data;
  ASSERT(c != NULL);
  ASSERT(&c->req == req);
  ASSERT(req->loop == gai_loop);
  ASSERT_EQ(req->type, UV_GETADDRINFO);
  ASSERT_EQ(c->called, 0);
  c->called++;
  c->status = status;
  if (c->expect_ip == NULL) {
    ASSERT(status < 0);
    ASSERT(is_eai(status));
    ASSERT(res == NULL);
  } else {
    ASSERT_EQ(status, 0);
    ASSERT(res != NULL);
    ASSERT(res == req->addrinfo);
    if (c->family == AF_INET6)
      ASSERT(has_ip6(res, c->expect_ip, c->expect_port));
    else
      ASSERT(has_ip4(res, c->expect_ip, c->expect_port));
  }
  uv_freeaddrinfo(res);
}

static void test_getaddrinfo_async(void) {
  static struct gai_case cases[] = {
      {.node = "localhost", .service = "80", .family = AF_INET, .expect_ip = "127.0.0.1",
       .expect_port = 80},
      {.node = "localhost", .service = NULL, .family = AF_UNSPEC, .expect_ip = "127.0.0.1"},
      {.node = "127.0.0.1", .service = "9", .family = AF_INET, .flags = AI_NUMERICHOST,
       .expect_ip = "127.0.0.1", .expect_port = 9},
      {.node = "::1", .service = "7", .family = AF_INET6, .flags = AI_NUMERICHOST,
       .expect_ip = "::1", .expect_port = 7},
      {.node = NULL, .service = "22", .family = AF_INET, .flags = AI_PASSIVE,
       .expect_ip = "0.0.0.0", .expect_port = 22},
      {.node = "nonexistent.invalid.", .service = NULL, .family = AF_UNSPEC},
      {.node = "localhost", .service = NULL, .family = AF_INET, .flags = AI_NUMERICHOST},
  };
  uv_loop_t loop;
  struct addrinfo hints;
  size_t i, n = sizeof(cases) / sizeof(cases[0]);

  ASSERT_EQ(uv_loop_init(&loop), 0);
  gai_loop = &loop;
  for (i = 0; i < n; i++) {
    cases[i].req.data = &cases[i];
    hints_init(&hints, cases[i].family, cases[i].flags);
    ASSERT_EQ(uv_getaddrinfo(&loop, &cases[i].req, gai_case_cb, cases[i].node,
                             cases[i].service, &hints),
              0);
  }
  /* hints were copied: scribbling over ours changes nothing. */
  memset(&hints, 0xFF, sizeof(hints));
  ASSERT_EQ(loop.active_reqs.count, (long long) n);
  ASSERT(uv_loop_alive(&loop));
  for (i = 0; i < n; i++)
    ASSERT_EQ(cases[i].called, 0); /* never synchronously */
  run_and_close(&loop);
  for (i = 0; i < n; i++)
    ASSERT_EQ(cases[i].called, 1);
}

/* Many concurrent lookups, the request freed in its own callback (as libuv's test does). */
static int concurrent_done;

static void free_in_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  ASSERT_EQ(status, 0);
  ASSERT(has_ip4(res, "127.0.0.1", 0));
  uv_freeaddrinfo(res);
  free(req);
  concurrent_done++;
}

static void test_getaddrinfo_concurrent(void) {
  uv_loop_t loop;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < 40; i++) {
    uv_getaddrinfo_t* req = malloc(sizeof(*req));
    ASSERT(req != NULL);
    ASSERT_EQ(uv_getaddrinfo(&loop, req, free_in_cb, i % 2 ? "localhost" : "127.0.0.1", NULL,
                             NULL),
              0);
  }
  run_and_close(&loop);
  ASSERT_EQ(concurrent_done, 40);
}

/* A request may be reused from its own callback. */
static int chain_left;

static void chain_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  ASSERT_EQ(status, 0);
  uv_freeaddrinfo(res);
  if (--chain_left > 0)
    ASSERT_EQ(uv_getaddrinfo(req->loop, req, chain_cb, "localhost", "80", NULL), 0);
}

static void test_getaddrinfo_reuse_in_cb(void) {
  uv_loop_t loop;
  uv_getaddrinfo_t req;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  chain_left = 5;
  ASSERT_EQ(uv_getaddrinfo(&loop, &req, chain_cb, "localhost", "80", NULL), 0);
  run_and_close(&loop);
  ASSERT_EQ(chain_left, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_getnameinfo                                                                           */

static void test_getnameinfo_sync(void) {
  uv_loop_t loop;
  uv_getnameinfo_t req;
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  struct sockaddr_un un;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a4), 0);

  ASSERT_EQ(uv_getnameinfo(&loop, &req, NULL, (const struct sockaddr*) &a4,
                           NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_EQ(req.type, UV_GETNAMEINFO);
  ASSERT(req.loop == &loop);
  ASSERT_STR_EQ(req.host, "127.0.0.1");
  ASSERT_STR_EQ(req.service, "80");

  /* Names: localhost is in /etc/hosts; the service of port 80 is "http" where
   * /etc/services has it, else "80". */
  ASSERT_EQ(uv_getnameinfo(&loop, &req, NULL, (const struct sockaddr*) &a4, 0), 0);
  ASSERT(req.host[0] != '\0');
  ASSERT(strcmp(req.service, "http") == 0 || strcmp(req.service, "80") == 0);

  ASSERT_EQ(uv_ip6_addr("::1", 443, &a6), 0);
  ASSERT_EQ(uv_getnameinfo(&loop, &req, NULL, (const struct sockaddr*) &a6,
                           NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_STR_EQ(req.host, "::1");
  ASSERT_STR_EQ(req.service, "443");

  /* NI_NAMEREQD for an address with no name fails with an EAI code. */
  ASSERT_EQ(uv_ip4_addr("192.0.2.77", 80, &a4), 0);
  {
    int r = uv_getnameinfo(&loop, &req, NULL, (const struct sockaddr*) &a4,
                           NI_NAMEREQD | NI_NUMERICSERV);
    ASSERT(r < 0);
    ASSERT(is_eai(r));
  }

  /* Only AF_INET and AF_INET6. */
  memset(&un, 0, sizeof(un));
  un.sun_family = AF_UNIX;
  ASSERT_EQ(uv_getnameinfo(&loop, &req, NULL, (const struct sockaddr*) &un, 0), UV_EINVAL);
  ASSERT_EQ(uv_getnameinfo(&loop, &req, NULL, NULL, 0), UV_EINVAL);
  ASSERT_EQ(uv_getnameinfo(&loop, NULL, NULL, (const struct sockaddr*) &a4, 0), UV_EINVAL);

  ASSERT_EQ(loop.active_reqs.count, 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int gni_called;

static void gni_cb(uv_getnameinfo_t* req, int status, const char* host, const char* service) {
  ASSERT_EQ(status, 0);
  ASSERT(host == req->host);
  ASSERT(service == req->service);
  ASSERT_EQ(req->type, UV_GETNAMEINFO);
  if (req->data == NULL) {
    ASSERT_STR_EQ(host, "127.0.0.1");
    ASSERT_STR_EQ(service, "80");
  } else {
    ASSERT_STR_EQ(host, "::1");
    ASSERT_STR_EQ(service, "8080");
  }
  gni_called++;
}

static void gni_fail_cb(uv_getnameinfo_t* req, int status, const char* host,
                        const char* service) {
  (void) req;
  ASSERT(is_eai(status));
  ASSERT(host == NULL);
  ASSERT(service == NULL);
  gni_called++;
}

static void test_getnameinfo_async(void) {
  uv_loop_t loop;
  uv_getnameinfo_t r4, r6, rf;
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a4), 0);
  ASSERT_EQ(uv_ip6_addr("::1", 8080, &a6), 0);
  r4.data = NULL;
  r6.data = &r6;
  ASSERT_EQ(uv_getnameinfo(&loop, &r4, gni_cb, (const struct sockaddr*) &a4,
                           NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  ASSERT_EQ(uv_getnameinfo(&loop, &r6, gni_cb, (const struct sockaddr*) &a6,
                           NI_NUMERICHOST | NI_NUMERICSERV),
            0);
  /* The address was copied. */
  memset(&a4, 0, sizeof(a4));
  memset(&a6, 0, sizeof(a6));
  ASSERT_EQ(uv_ip4_addr("192.0.2.77", 80, &a4), 0);
  ASSERT_EQ(uv_getnameinfo(&loop, &rf, gni_fail_cb, (const struct sockaddr*) &a4, NI_NAMEREQD),
            0);
  ASSERT_EQ(loop.active_reqs.count, 3);
  ASSERT_EQ(gni_called, 0);
  run_and_close(&loop);
  ASSERT_EQ(gni_called, 3);
}

/* ---------------------------------------------------------------------------------------- */
/* Cancelling lookups                                                                       */

#define NCANCEL 64

static int cancel_gai_calls[NCANCEL];
static int cancel_gai_cancelled[NCANCEL];
static uv_getaddrinfo_t cancel_gai_reqs[NCANCEL];

static void cancel_gai_cb(uv_getaddrinfo_t* req, int status, struct addrinfo* res) {
  size_t i = (size_t) (req - cancel_gai_reqs);
  ASSERT(i < NCANCEL);
  cancel_gai_calls[i]++;
  if (cancel_gai_cancelled[i]) {
    ASSERT_EQ(status, UV_EAI_CANCELED);
    ASSERT(res == NULL);
  } else {
    /* Either it ran before uv_cancel could take it back, or it was taken back. */
    ASSERT(status == 0 || status == UV_EAI_CANCELED);
    ASSERT((status == 0) == (res != NULL));
  }
  uv_freeaddrinfo(res);
}

static uv_getnameinfo_t cancel_gni_reqs[NCANCEL];
static int cancel_gni_calls[NCANCEL];
static int cancel_gni_cancelled[NCANCEL];

static void cancel_gni_cb(uv_getnameinfo_t* req, int status, const char* host,
                          const char* service) {
  size_t i = (size_t) (req - cancel_gni_reqs);
  ASSERT(i < NCANCEL);
  cancel_gni_calls[i]++;
  if (cancel_gni_cancelled[i])
    ASSERT_EQ(status, UV_EAI_CANCELED);
  else
    ASSERT(status == 0 || status == UV_EAI_CANCELED);
  if (status == 0) {
    ASSERT_STR_EQ(host, "127.0.0.1");
    ASSERT_STR_EQ(service, "80");
  } else {
    ASSERT(host == NULL);
    ASSERT(service == NULL);
  }
}

/* Queue many lookups and cancel them all at once: those no worker has taken yet come back
 * with UV_EAI_CANCELED; the others complete; every callback runs exactly once. */
static void test_cancel_many(void) {
  uv_loop_t loop;
  struct sockaddr_in a4;
  int i, r, cancelled = 0;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a4), 0);
  for (i = 0; i < NCANCEL; i++) {
    ASSERT_EQ(uv_getaddrinfo(&loop, &cancel_gai_reqs[i], cancel_gai_cb, "localhost", NULL,
                             NULL),
              0);
    ASSERT_EQ(uv_getnameinfo(&loop, &cancel_gni_reqs[i], cancel_gni_cb,
                             (const struct sockaddr*) &a4, NI_NUMERICHOST | NI_NUMERICSERV),
              0);
  }
  for (i = 0; i < NCANCEL; i++) {
    r = uv_cancel((uv_req_t*) &cancel_gai_reqs[i]);
    ASSERT(r == 0 || r == UV_EBUSY);
    cancel_gai_cancelled[i] = r == 0;
    cancelled += r == 0;
    r = uv_cancel((uv_req_t*) &cancel_gni_reqs[i]);
    ASSERT(r == 0 || r == UV_EBUSY);
    cancel_gni_cancelled[i] = r == 0;
    cancelled += r == 0;
  }
  /* With a few workers and 128 queued lookups, some were still queued. */
  ASSERT(cancelled > 0);
  ASSERT_EQ(loop.active_reqs.count, 2 * NCANCEL);
  run_and_close(&loop);
  for (i = 0; i < NCANCEL; i++) {
    ASSERT_EQ(cancel_gai_calls[i], 1);
    ASSERT_EQ(cancel_gni_calls[i], 1);
  }
}

/* Deterministic: the pool's workers are all blocked, so the lookups stay queued and every
 * uv_cancel succeeds. */
static sem_t block_sem;
static sem_t started_sem;
static int block_done;

static void block_work(uv_work_t* req) {
  (void) req;
  ASSERT_EQ(sem_post(&started_sem), 0);
  ASSERT_EQ(sem_wait(&block_sem), 0);
}

static void block_after(uv_work_t* req, int status) {
  (void) req;
  ASSERT_EQ(status, 0);
  block_done++;
}

static void test_cancel_saturated(void) {
  uv_loop_t loop;
  uv_work_t blockers[4];
  struct sockaddr_in a4;
  struct addrinfo hints;
  int i;

  /* Four workers (the default, set explicitly): the test blocks all four. */
  setenv("UV_THREADPOOL_SIZE", "4", 1);
  ASSERT_EQ(sem_init(&block_sem, 0, 0), 0);
  ASSERT_EQ(sem_init(&started_sem, 0, 0), 0);
  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_queue_work(&loop, &blockers[i], block_work, block_after), 0);
  /* Wait until every worker holds a blocker (a pool need not start work in FIFO order). */
  for (i = 0; i < 4; i++)
    ASSERT_EQ(sem_wait(&started_sem), 0);

  /* The four shapes of argument copies: node, service, both, node + hints. */
  hints_init(&hints, AF_INET, 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &cancel_gai_reqs[0], cancel_gai_cb, "fail", NULL, NULL), 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &cancel_gai_reqs[1], cancel_gai_cb, NULL, "fail", NULL), 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &cancel_gai_reqs[2], cancel_gai_cb, "fail", "fail", NULL), 0);
  ASSERT_EQ(uv_getaddrinfo(&loop, &cancel_gai_reqs[3], cancel_gai_cb, "fail", NULL, &hints), 0);
  ASSERT_EQ(uv_ip4_addr("127.0.0.1", 80, &a4), 0);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(uv_getnameinfo(&loop, &cancel_gni_reqs[i], cancel_gni_cb,
                             (const struct sockaddr*) &a4, 0),
              0);
  for (i = 0; i < 4; i++) {
    cancel_gai_cancelled[i] = 1;
    cancel_gni_cancelled[i] = 1;
    ASSERT_EQ(uv_cancel((uv_req_t*) &cancel_gai_reqs[i]), 0);
    ASSERT_EQ(uv_cancel((uv_req_t*) &cancel_gni_reqs[i]), 0);
  }
  /* Cancelled lookups report from the loop, not from uv_cancel. */
  for (i = 0; i < 4; i++) {
    ASSERT_EQ(cancel_gai_calls[i], 0);
    ASSERT_EQ(cancel_gni_calls[i], 0);
  }
  for (i = 0; i < 4; i++)
    ASSERT_EQ(sem_post(&block_sem), 0);
  run_and_close(&loop);
  ASSERT_EQ(block_done, 4);
  for (i = 0; i < 4; i++) {
    ASSERT_EQ(cancel_gai_calls[i], 1);
    ASSERT_EQ(cancel_gni_calls[i], 1);
  }
  ASSERT_EQ(sem_destroy(&block_sem), 0);
  ASSERT_EQ(sem_destroy(&started_sem), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_ip4_addr, uv_ip6_addr, uv_ip*_name                                                    */

static void test_ip4_addr(void) {
  static const char* good[] = {"127.0.0.1", "255.255.255.255", "0.0.0.0", "10.0.20.3",
                               "192.168.0.1"};
  static const char* bad[] = {"255.255.255*000", "255.255.255.256", "2555.0.0.0", "255", "",
                              "1.2.3", "1.2.3.4.", "1..2.3", "01.2.3.4", " 1.2.3.4",
                              "1.2.3.4 ", "0x7f.0.0.1", "::1", "localhost"};
  struct sockaddr_in a;
  char buf[INET_ADDRSTRLEN];
  size_t i;

  for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    memset(&a, 0xAA, sizeof(a));
    ASSERT_EQ(uv_ip4_addr(good[i], 4321, &a), 0);
    ASSERT_EQ(a.sin_family, AF_INET);
    ASSERT_EQ(ntohs(a.sin_port), 4321);
    ASSERT_EQ(a.sin_addr.s_addr, inet_addr(good[i]));
    ASSERT_EQ(uv_ip4_name(&a, buf, sizeof(buf)), 0);
    ASSERT_STR_EQ(buf, good[i]);
    ASSERT_EQ(uv_ip_name((const struct sockaddr*) &a, buf, sizeof(buf)), 0);
    ASSERT_STR_EQ(buf, good[i]);
  }
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    memset(&a, 0xAA, sizeof(a));
    ASSERT_EQ(uv_ip4_addr(bad[i], 80, &a), UV_EINVAL);
    /* The address is still zeroed, with family and port set. */
    ASSERT_EQ(a.sin_family, AF_INET);
    ASSERT_EQ(ntohs(a.sin_port), 80);
    ASSERT_EQ(a.sin_addr.s_addr, 0);
  }
  /* The port is truncated to 16 bits, in network order. */
  ASSERT_EQ(uv_ip4_addr("1.2.3.4", 65536 + 258, &a), 0);
  ASSERT_EQ(ntohs(a.sin_port), 258);
  ASSERT_EQ(((unsigned char*) &a.sin_port)[0], 1);

  /* Short buffers. */
  ASSERT_EQ(uv_ip4_addr("255.255.255.255", 0, &a), 0);
  ASSERT_EQ(uv_ip4_name(&a, buf, 16), 0);
  ASSERT_EQ(uv_ip4_name(&a, buf, 15), UV_ENOSPC);
  ASSERT_EQ(uv_ip_name((const struct sockaddr*) &a, buf, 15), UV_ENOSPC);
}

static void test_ip6_addr(void) {
  static const char* good[] = {"::", "::1", "fe80::1", "fe80::", "fe80::2acf:daff:fedd:342a",
                               "2001:db8::ff00:42:8329", "::ffff:1.2.3.4"};
  struct sockaddr_in6 a;
  char buf[INET6_ADDRSTRLEN];
  char scoped[128];
  unsigned char want[16];
  size_t i;

  for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    memset(&a, 0xAA, sizeof(a));
    ASSERT_EQ(uv_ip6_addr(good[i], 8000, &a), 0);
    ASSERT_EQ(a.sin6_family, AF_INET6);
    ASSERT_EQ(ntohs(a.sin6_port), 8000);
    ASSERT_EQ(a.sin6_scope_id, 0);
    ASSERT_EQ(a.sin6_flowinfo, 0);
    ASSERT_EQ(inet_pton(AF_INET6, good[i], want), 1);
    ASSERT(memcmp(&a.sin6_addr, want, 16) == 0);
    ASSERT_EQ(uv_ip6_name(&a, buf, sizeof(buf)), 0);
    ASSERT_STR_EQ(buf, good[i]);
    ASSERT_EQ(uv_ip_name((const struct sockaddr*) &a, buf, sizeof(buf)), 0);
    ASSERT_STR_EQ(buf, good[i]);
  }

  /* A zone names an interface: its index becomes the scope id; the name is not part of
   * the text uv_ip6_name gives back. */
  ASSERT_EQ(uv_ip6_addr("fe80::1%lo", 0, &a), 0);
  ASSERT_EQ(a.sin6_scope_id, if_nametoindex("lo"));
  ASSERT_EQ(a.sin6_scope_id, 1);
  ASSERT_EQ(uv_ip6_name(&a, buf, sizeof(buf)), 0);
  ASSERT_STR_EQ(buf, "fe80::1");
  snprintf(scoped, sizeof(scoped), "fe80::2acf:daff:fedd:342a%%%s", "lo");
  ASSERT_EQ(uv_ip6_addr(scoped, 0, &a), 0);
  ASSERT_EQ(a.sin6_scope_id, 1);
  /* An unknown interface is silently scope 0. */
  ASSERT_EQ(uv_ip6_addr("fe80::1%no-such-if0", 0, &a), 0);
  ASSERT_EQ(a.sin6_scope_id, 0);
  ASSERT_EQ(uv_ip6_addr("fe80::1%", 0, &a), 0);
  ASSERT_EQ(a.sin6_scope_id, 0);

  /* Bad text. */
  ASSERT_EQ(uv_ip6_addr("fe80::1::2", 0, &a), UV_EINVAL);
  ASSERT_EQ(uv_ip6_addr("127.0.0.1", 0, &a), UV_EINVAL);
  ASSERT_EQ(uv_ip6_addr("", 0, &a), UV_EINVAL);
  ASSERT_EQ(uv_ip6_addr("%lo", 0, &a), UV_EINVAL);
  ASSERT_EQ(uv_ip6_addr("fe80::g%lo", 0, &a), UV_EINVAL);
  ASSERT_EQ(a.sin6_family, AF_INET6);

  /* Short buffers: "ffff:...:ffff" is 39 characters. */
  ASSERT_EQ(uv_ip6_addr("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, &a), 0);
  ASSERT_EQ(uv_ip6_name(&a, buf, 40), 0);
  ASSERT_STR_EQ(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  ASSERT_EQ(uv_ip6_name(&a, buf, 39), UV_ENOSPC);
  ASSERT_EQ(uv_ip_name((const struct sockaddr*) &a, buf, 39), UV_ENOSPC);
}

static void test_ip_name_family(void) {
  struct sockaddr_storage ss;
  char buf[INET6_ADDRSTRLEN];

  memset(&ss, 0, sizeof(ss));
  ss.ss_family = AF_UNIX;
  ASSERT_EQ(uv_ip_name((const struct sockaddr*) &ss, buf, sizeof(buf)), UV_EAFNOSUPPORT);
  ss.ss_family = AF_UNSPEC;
  ASSERT_EQ(uv_ip_name((const struct sockaddr*) &ss, buf, sizeof(buf)), UV_EAFNOSUPPORT);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_inet_ntop, uv_inet_pton                                                               */

static void ntop6_is(const char* in, const char* out) {
  unsigned char bin[16];
  char buf[INET6_ADDRSTRLEN];
  char sys[INET6_ADDRSTRLEN];

  ASSERT_EQ(uv_inet_pton(AF_INET6, in, bin), 0);
  memset(buf, 'x', sizeof(buf));
  ASSERT_EQ(uv_inet_ntop(AF_INET6, bin, buf, sizeof(buf)), 0);
  ASSERT_STR_EQ(buf, out);
  /* The C library agrees. */
  ASSERT(inet_ntop(AF_INET6, bin, sys, sizeof(sys)) != NULL);
  ASSERT_STR_EQ(sys, out);
  /* Exactly strlen + 1 bytes is enough; one less is not, and leaves buf alone. */
  ASSERT_EQ(uv_inet_ntop(AF_INET6, bin, buf, strlen(out) + 1), 0);
  ASSERT_STR_EQ(buf, out);
  memset(buf, 'x', sizeof(buf));
  ASSERT_EQ(uv_inet_ntop(AF_INET6, bin, buf, strlen(out)), UV_ENOSPC);
  ASSERT_EQ(buf[0], 'x');
}

static void test_inet_ntop(void) {
  unsigned char v4[4] = {255, 255, 255, 255};
  char buf[64];

  ASSERT_EQ(uv_inet_ntop(AF_INET, "\xFF\xFF\xFF\xFF", buf, 16), 0);
  ASSERT_STR_EQ(buf, "255.255.255.255");
  ASSERT_EQ(uv_inet_ntop(AF_INET, v4, buf, 15), UV_ENOSPC);
  ASSERT_EQ(uv_inet_ntop(AF_INET, "\x01\x02\x03\x04", buf, 8), 0);
  ASSERT_STR_EQ(buf, "1.2.3.4");
  ASSERT_EQ(uv_inet_ntop(AF_INET, "\x01\x02\x03\x04", buf, 7), UV_ENOSPC);
  ASSERT_EQ(uv_inet_ntop(AF_INET, "\x01\x02\x03\x04", buf, 0), UV_ENOSPC);
  ASSERT_EQ(uv_inet_ntop(42, v4, buf, sizeof(buf)), UV_EAFNOSUPPORT);
  ASSERT_EQ(uv_inet_ntop(AF_UNIX, v4, buf, sizeof(buf)), UV_EAFNOSUPPORT);

  ntop6_is("::", "::");
  ntop6_is("::1", "::1");
  ntop6_is("::2", "::2");
  ntop6_is("1::", "1::");
  ntop6_is("0:0:0:0:0:0:0:1", "::1");
  ntop6_is("1:0:0:0:0:0:0:0", "1::");
  ntop6_is("FE80:0000:0000:0000:2ACF:DAFF:FEDD:342A", "fe80::2acf:daff:fedd:342a");
  /* IPv4-mapped and IPv4-compatible addresses end in a dotted quad; others do not. */
  ntop6_is("::ffff:1.2.3.4", "::ffff:1.2.3.4");
  ntop6_is("::ffff:102:304", "::ffff:1.2.3.4");
  ntop6_is("::1.2.3.4", "::1.2.3.4");
  ntop6_is("::fffe:1.2.3.4", "::fffe:102:304");
  ntop6_is("1::ffff:1.2.3.4", "1::ffff:102:304");
  ntop6_is("::ffff:0:1.2.3.4", "::ffff:0:102:304");
  ntop6_is("::1:0:0", "::1:0:0");
  /* The longest zero run is "::"; the first of equal runs; a lone zero stays. */
  ntop6_is("1:0:0:1:0:0:0:1", "1:0:0:1::1");
  ntop6_is("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");
  ntop6_is("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
  ntop6_is("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_inet_pton(void) {
  static const char* good6[] = {"::", "::1", "fe80::1", "fe80::", "fe80::2acf:daff:fedd:342a",
                                "fe80:0:0:0:2acf:daff:fedd:342a",
                                "fe80:0:0:0:2acf:daff:1.2.3.4",
                                "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
                                "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "ABCD::EF"};
  static const char* bad6[] = {":::1", "abcde::1", "fe80:0:0:0:2acf:daff:fedd:342a:5678",
                               "fe80:0:0:0:2acf:daff:abcd:1.2.3.4",
                               "fe80:0:0:2acf:daff:1.2.3.4.5",
                               "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.255", "", ":",
                               ":1", "1:", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::",
                               "::1:2:3:4:5:6:7:8", "1::2::3", "g::1", "::1.2.3",
                               "::01.2.3.4", "1.2.3.4", " ::1"};
  static const char* suffixes[] = {"", "%en1", "%%%%", "%en1:1.2.3.4", "%lo"};
  unsigned char bin[16], want[16];
  char text[128];
  size_t i, j;

  for (i = 0; i < sizeof(good6) / sizeof(good6[0]); i++) {
    ASSERT_EQ(inet_pton(AF_INET6, good6[i], want), 1);
    for (j = 0; j < sizeof(suffixes) / sizeof(suffixes[0]); j++) {
      snprintf(text, sizeof(text), "%s%s", good6[i], suffixes[j]);
      memset(bin, 0xAA, sizeof(bin));
      ASSERT_EQ(uv_inet_pton(AF_INET6, text, bin), 0);
      ASSERT(memcmp(bin, want, 16) == 0);
    }
  }
  for (i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
    for (j = 0; j < sizeof(suffixes) / sizeof(suffixes[0]); j++) {
      snprintf(text, sizeof(text), "%s%s", bad6[i], suffixes[j]);
      memset(bin, 0xAA, sizeof(bin));
      ASSERT_EQ(uv_inet_pton(AF_INET6, text, bin), UV_EINVAL);
      /* Nothing is written on failure. */
      for (size_t k = 0; k < 16; k++)
        ASSERT_EQ(bin[k], 0xAA);
    }
  }
  /* The longest IPv6 text (45 characters) with a zone. */
  ASSERT_EQ(uv_inet_pton(AF_INET6, "0000:0000:0000:0000:0000:ffff:255.255.255.255%lo", bin), 0);
  ASSERT_EQ(uv_inet_pton(AF_INET6, "00000:0000:0000:0000:0000:ffff:255.255.255.255%lo", bin),
            UV_EINVAL);

  /* IPv4. */
  ASSERT_EQ(uv_inet_pton(AF_INET, "127.0.0.1", bin), 0);
  ASSERT(memcmp(bin, "\x7f\0\0\x01", 4) == 0);
  ASSERT_EQ(uv_inet_pton(AF_INET, "255.255.255.255", bin), 0);
  ASSERT(memcmp(bin, "\xff\xff\xff\xff", 4) == 0);
  ASSERT_EQ(uv_inet_pton(AF_INET, "1.2.3.4%lo", bin), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(AF_INET, "256.1.1.1", bin), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(AF_INET, "1.1.1", bin), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(AF_INET, "1.1.1.01", bin), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(AF_INET, "::1", bin), UV_EINVAL);

  /* Families and NULLs. */
  ASSERT_EQ(uv_inet_pton(42, "127.0.0.1", bin), UV_EAFNOSUPPORT);
  ASSERT_EQ(uv_inet_pton(AF_UNIX, "127.0.0.1", bin), UV_EAFNOSUPPORT);
  ASSERT_EQ(uv_inet_pton(AF_INET, NULL, bin), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(AF_INET6, "::1", NULL), UV_EINVAL);
  ASSERT_EQ(uv_inet_pton(42, NULL, bin), UV_EINVAL);
}

/* pton and ntop are inverses on the C library's own text. */
static void test_inet_round_trip(void) {
  unsigned char bin[16], back[16];
  char sys[INET6_ADDRSTRLEN], ours[INET6_ADDRSTRLEN];
  uint32_t x = 2463534242u;
  int n, k;

  for (n = 0; n < 20000; n++) {
    for (k = 0; k < 16; k++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      bin[k] = (x % 3 == 0) ? (unsigned char) (x >> 8) : 0;
    }
    if (n % 7 == 0) {
      memset(bin, 0, 10);
      bin[10] = bin[11] = 0xff;
    }
    ASSERT(inet_ntop(AF_INET6, bin, sys, sizeof(sys)) != NULL);
    ASSERT_EQ(uv_inet_ntop(AF_INET6, bin, ours, sizeof(ours)), 0);
    ASSERT_STR_EQ(ours, sys);
    ASSERT_EQ(uv_inet_pton(AF_INET6, ours, back), 0);
    ASSERT(memcmp(bin, back, 16) == 0);
    ASSERT(inet_ntop(AF_INET, bin, sys, sizeof(sys)) != NULL);
    ASSERT_EQ(uv_inet_ntop(AF_INET, bin, ours, sizeof(ours)), 0);
    ASSERT_STR_EQ(ours, sys);
    ASSERT_EQ(uv_inet_pton(AF_INET, ours, back), 0);
    ASSERT(memcmp(bin, back, 4) == 0);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Interface names                                                                          */

static void test_if_indextoname(void) {
  char buf[UV_IF_NAMESIZE];
  size_t size;

  size = sizeof(buf);
  ASSERT_EQ(uv_if_indextoname(1, buf, &size), 0);
  ASSERT_STR_EQ(buf, "lo");
  ASSERT_EQ(size, 2);

  /* Exactly enough room: length + NUL. */
  size = 3;
  memset(buf, 'x', sizeof(buf));
  ASSERT_EQ(uv_if_indextoname(1, buf, &size), 0);
  ASSERT_STR_EQ(buf, "lo");
  ASSERT_EQ(size, 2);

  /* Too small: UV_ENOBUFS and the size needed, with the NUL. */
  size = 2;
  ASSERT_EQ(uv_if_indextoname(1, buf, &size), UV_ENOBUFS);
  ASSERT_EQ(size, 3);
  size = 1;
  ASSERT_EQ(uv_if_indextoname(1, buf, &size), UV_ENOBUFS);
  ASSERT_EQ(size, 3);

  /* Bad arguments. */
  size = 0;
  ASSERT_EQ(uv_if_indextoname(1, buf, &size), UV_EINVAL);
  size = sizeof(buf);
  ASSERT_EQ(uv_if_indextoname(1, NULL, &size), UV_EINVAL);
  ASSERT_EQ(uv_if_indextoname(1, buf, NULL), UV_EINVAL);

  /* No such interface. */
  size = sizeof(buf);
  ASSERT_EQ(uv_if_indextoname((unsigned int) -1, buf, &size), UV_ENXIO);
  ASSERT_EQ(size, sizeof(buf));
  ASSERT_EQ(uv_if_indextoname(0, buf, &size), UV_ENXIO);

  /* On Unix the interface id is the name. */
  size = sizeof(buf);
  ASSERT_EQ(uv_if_indextoiid(1, buf, &size), 0);
  ASSERT_STR_EQ(buf, "lo");
  ASSERT_EQ(size, 2);
  size = 2;
  ASSERT_EQ(uv_if_indextoiid(1, buf, &size), UV_ENOBUFS);
  ASSERT_EQ(size, 3);
  ASSERT(uv_if_indextoiid((unsigned int) -1, buf, &size) < 0);
}

/* Every interface's name maps back to its index through uv_ip6_addr's zone. */
static void test_if_names_scope(void) {
  struct if_nameindex* list = if_nameindex();
  struct if_nameindex* p;
  struct sockaddr_in6 a;
  char name[UV_IF_NAMESIZE];
  char text[64];
  size_t size;

  ASSERT(list != NULL);
  for (p = list; p->if_index != 0; p++) {
    size = sizeof(name);
    ASSERT_EQ(uv_if_indextoname(p->if_index, name, &size), 0);
    ASSERT_STR_EQ(name, p->if_name);
    ASSERT_EQ(size, strlen(p->if_name));
    snprintf(text, sizeof(text), "fe80::1%%%s", name);
    ASSERT_EQ(uv_ip6_addr(text, 0, &a), 0);
    ASSERT_EQ(a.sin6_scope_id, p->if_index);
  }
  if_freenameindex(list);
}

/* ---------------------------------------------------------------------------------------- */
/* Runner                                                                                   */

static const struct test_entry tests[] = {
    TEST(getaddrinfo_sync),
    TEST(getaddrinfo_bad_args),
    TEST(getaddrinfo_fail_sync),
    TEST(getaddrinfo_async),
    TEST(getaddrinfo_concurrent),
    TEST(getaddrinfo_reuse_in_cb),
    TEST(getnameinfo_sync),
    TEST(getnameinfo_async),
    TEST(cancel_many),
    TEST(cancel_saturated),
    TEST(ip4_addr),
    TEST(ip6_addr),
    TEST(ip_name_family),
    TEST(inet_ntop),
    TEST(inet_pton),
    TEST(inet_round_trip),
    TEST(if_indextoname),
    TEST(if_names_scope),
};

RSUV_TEST_MAIN(tests)
