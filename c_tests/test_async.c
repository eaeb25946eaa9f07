/* test_async.c - uv_async_send as a libuv user sees it.
 *
 * Covers: sends coalescing on one thread, sends from other threads, a ping-pong in which no
 * send may be lost or merged. Helpers and how to build against the real libuv:
 * loop_common.h.
 */
#include "runner.h"
#include "loop_common.h"

/* uv_async_send                                                                            */

static int async_local_count;
static void async_local_cb(uv_async_t* h) {
  (void) h;
  async_local_count++;
}

static void test_async_coalesce_same_thread(void) {
  uv_loop_t loop;
  uv_async_t a;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_async_init(&loop, &a, async_local_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &a), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  async_local_count = 0;
  /* No send, no callback. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 0);
  /* Sends before the loop runs coalesce into one callback. */
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT_EQ(uv_async_send(&a), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 1);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(async_local_count, 1);
  /* A NULL callback is allowed. */
  {
    uv_async_t b;
    ASSERT_EQ(uv_async_init(&loop, &b, NULL), 0);
    ASSERT_EQ(uv_async_send(&b), 0);
    ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
    uv_close((uv_handle_t*) &b, NULL);
    ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  }
  finish_loop(&loop);
}

#define ASYNC_THREADS 4
#define ASYNC_SENDS 10000

static uv_async_t mt_async;
static uv_timer_t mt_watchdog;
static uv_thread_t mt_threads[ASYNC_THREADS];
static atomic_int mt_done;
static long mt_callbacks;
static int mt_joined;

static void mt_sender(void* arg) {
  int i;
  (void) arg;
  for (i = 0; i < ASYNC_SENDS; i++)
    ASSERT_EQ(uv_async_send(&mt_async), 0);
  atomic_fetch_add(&mt_done, 1);
  /* The final send happens after the done count: some callback must observe it. */
  ASSERT_EQ(uv_async_send(&mt_async), 0);
}

static void mt_async_cb(uv_async_t* h) {
  int i;
  ASSERT(h == &mt_async);
  mt_callbacks++;
  if (atomic_load(&mt_done) == ASYNC_THREADS) {
    for (i = 0; i < ASYNC_THREADS; i++)
      ASSERT_EQ(uv_thread_join(&mt_threads[i]), 0);
    mt_joined = 1;
    uv_close((uv_handle_t*) &mt_async, NULL);
    uv_close((uv_handle_t*) &mt_watchdog, NULL);
  }
}

static void mt_watchdog_cb(uv_timer_t* h) {
  (void) h;
  fprintf(stderr, "async: lost wake-up: %d/%d threads done, %ld callbacks, no final callback\n",
          atomic_load(&mt_done), ASYNC_THREADS, mt_callbacks);
  ASSERT(!"lost wake-up");
}

static void test_async_threads(void) {
  uv_loop_t loop;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_async_init(&loop, &mt_async, mt_async_cb), 0);
  ASSERT_EQ(uv_timer_init(&loop, &mt_watchdog), 0);
  ASSERT_EQ(uv_timer_start(&mt_watchdog, mt_watchdog_cb, 20000, 0), 0);
  uv_unref((uv_handle_t*) &mt_watchdog);
  atomic_store(&mt_done, 0);
  mt_callbacks = 0;
  mt_joined = 0;
  for (i = 0; i < ASYNC_THREADS; i++)
    ASSERT_EQ(uv_thread_create(&mt_threads[i], mt_sender, NULL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(mt_joined, 1);
  ASSERT(mt_callbacks >= 1);
  ASSERT(mt_callbacks <= (long) ASYNC_THREADS * (ASYNC_SENDS + 1));
  printf("    async_threads: %d sends from %d threads -> %ld callbacks\n",
         ASYNC_THREADS * (ASYNC_SENDS + 1), ASYNC_THREADS, mt_callbacks);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Ping-pong: every send waits for its callback, so no send may be lost or merged. */
#define PINGPONG_ROUNDS 2000
static uv_async_t pp_async;
static sem_t pp_sem;
static int pp_callbacks;

static void pp_thread(void* arg) {
  int i;
  (void) arg;
  for (i = 0; i < PINGPONG_ROUNDS; i++) {
    ASSERT_EQ(uv_async_send(&pp_async), 0);
    while (sem_wait(&pp_sem) != 0) {
    }
  }
}

static void pp_cb(uv_async_t* h) {
  pp_callbacks++;
  if (pp_callbacks == PINGPONG_ROUNDS)
    uv_close((uv_handle_t*) h, NULL);
  ASSERT_EQ(sem_post(&pp_sem), 0);
}

static void test_async_pingpong(void) {
  uv_loop_t loop;
  uv_thread_t th;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(sem_init(&pp_sem, 0, 0), 0);
  ASSERT_EQ(uv_async_init(&loop, &pp_async, pp_cb), 0);
  pp_callbacks = 0;
  ASSERT_EQ(uv_thread_create(&th, pp_thread, NULL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_thread_join(&th), 0);
  ASSERT_EQ(pp_callbacks, PINGPONG_ROUNDS);
  ASSERT_EQ(sem_destroy(&pp_sem), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* Several handles pending in one iteration run in the order they were initialised, as
 * libuv runs them, whatever order they were sent in; closing one of them on the way drops
 * its callback. */
static uv_async_t order_h[5];

static void order_cb(uv_async_t* h) {
  log_event((char) ('a' + (h - order_h)));
  if (h == &order_h[1])
    uv_close((uv_handle_t*) &order_h[3], NULL);
}

static void test_async_init_order(void) {
  uv_loop_t loop;
  int i;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  for (i = 0; i < 5; i++)
    ASSERT_EQ(uv_async_init(&loop, &order_h[i], order_cb), 0);
  log_reset();
  ASSERT_EQ(uv_async_send(&order_h[4]), 0);
  ASSERT_EQ(uv_async_send(&order_h[3]), 0);
  ASSERT_EQ(uv_async_send(&order_h[0]), 0);
  ASSERT_EQ(uv_async_send(&order_h[1]), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "abe");
  for (i = 0; i < 5; i++)
    if (i != 3)
      uv_close((uv_handle_t*) &order_h[i], NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(async_coalesce_same_thread),
    TEST(async_threads),
    TEST(async_pingpong),
    TEST(async_init_order),
};

RSUV_TEST_MAIN(tests)
