/* test_loop.c - the loop itself as a libuv user sees it.
 *
 * Covers: uv_loop_init/close, uv_default_loop, uv_run modes on an empty loop, uv_now /
 * uv_update_time / uv_hrtime, idle/prepare/check phase order, ref/unref and liveness,
 * uv_close order and close callbacks, uv_stop, uv_walk, uv_loop_close with open handles,
 * bad input, handle accessors, uv_loop_alive, uv_backend_fd, uv_backend_timeout.
 * Helpers and how to build against the real libuv: loop_common.h.
 */
#include "runner.h"
#include "loop_common.h"

/* Loop lifetime                                                                            */

static void test_loop_init_close(void) {
  uv_loop_t loop;
  uv_loop_t loops[16];
  int fds[16];
  int i, j;

  ASSERT_EQ(uv_loop_size(), sizeof(uv_loop_t));
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT(uv_backend_fd(&loop) >= 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);

  /* An empty loop: every mode returns 0 at once. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  /* The user data pointer belongs to the user. */
  uv_loop_set_data(&loop, &loop);
  ASSERT(uv_loop_get_data(&loop) == &loop);
  ASSERT(loop.data == &loop);

  /* A mode outside the enum is refused, on an open loop too. */
  ASSERT_EQ(uv_run(&loop, (uv_run_mode) 3), UV_EINVAL);
  ASSERT_EQ(uv_run(&loop, (uv_run_mode) -1), UV_EINVAL);

  ASSERT_EQ(uv_loop_close(&loop), 0);

  /* A closed loop is refused, not run. */
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), UV_EINVAL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), UV_EINVAL);

  /* A closed loop can be initialised again. */
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);

  /* Several loops at once, each with its own backend fd. */
  for (i = 0; i < 16; i++) {
    ASSERT_EQ(uv_loop_init(&loops[i]), 0);
    fds[i] = uv_backend_fd(&loops[i]);
    ASSERT(fds[i] >= 0);
    for (j = 0; j < i; j++)
      ASSERT(fds[i] != fds[j]);
  }
  for (i = 0; i < 16; i++)
    ASSERT_EQ(uv_loop_close(&loops[i]), 0);
}

static void test_default_loop(void) {
  uv_loop_t* a = uv_default_loop();
  ASSERT(a != NULL);
  ASSERT(uv_default_loop() == a);
  ASSERT_EQ(uv_run(a, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_loop_close(a), 0);
  /* After closing it, uv_default_loop() hands out a fresh, working default loop. */
  a = uv_default_loop();
  ASSERT(a != NULL);
  ASSERT_EQ(uv_loop_alive(a), 0);
  ASSERT_EQ(uv_run(a, UV_RUN_NOWAIT), 0);
  ASSERT_EQ(uv_loop_close(a), 0);
}

static void test_now_and_hrtime(void) {
  uv_loop_t loop;
  uint64_t n0, n1, h0, h1;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  uv_update_time(&loop);
  n0 = uv_now(&loop);
  h0 = uv_hrtime();
  sleep_ms(30);
  /* uv_now is cached: it does not move until the loop time is updated. */
  ASSERT_EQ(uv_now(&loop), n0);
  h1 = uv_hrtime();
  ASSERT(h1 - h0 >= 30 * 1000000ULL);
  uv_update_time(&loop);
  n1 = uv_now(&loop);
  /* Milliseconds; the loop clock may be a coarse one (libuv uses CLOCK_MONOTONIC_COARSE). */
  ASSERT(n1 >= n0 + 28);
  ASSERT(n1 < n0 + 10000);
  /* Monotonic. */
  ASSERT(uv_hrtime() >= h1);

  /* uv_run on a loop with nothing alive still refreshes the loop time (libuv's "the
   * time is updated" even when it returns at once), and that time is the monotonic
   * clock's in milliseconds: between uv_hrtime before and after, to the clock's grain. */
  sleep_ms(20);
  h0 = uv_hrtime();
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  h1 = uv_hrtime();
  n0 = uv_now(&loop);
  ASSERT(n0 >= n1 + 18);
  ASSERT(n0 + 5 >= h0 / 1000000);
  ASSERT(n0 <= h1 / 1000000);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Phases                                                                                   */

static uv_idle_t* phase_extra;
static int phase_iter;

static void extra_close_cb(uv_handle_t* h) {
  (void) h;
  log_event('X');
}

static void phase_timer_cb(uv_timer_t* h) {
  (void) h;
  log_event('T');
}

static void phase_idle_cb(uv_idle_t* h) {
  (void) h;
  log_event('I');
}

static void phase_prepare_cb(uv_prepare_t* h) {
  (void) h;
  log_event('P');
}

static void phase_check_cb(uv_check_t* h) {
  (void) h;
  log_event('C');
  if (phase_iter++ == 0)
    uv_close((uv_handle_t*) phase_extra, extra_close_cb);
}

static void test_phase_order(void) {
  uv_loop_t loop;
  uv_timer_t timer;
  uv_idle_t idle, extra;
  uv_prepare_t prepare;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_init(&loop, &extra), 0);
  ASSERT_EQ(uv_prepare_init(&loop, &prepare), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  phase_extra = &extra;
  phase_iter = 0;
  log_reset();

  /* Started in the "wrong" order on purpose. */
  ASSERT_EQ(uv_check_start(&check, phase_check_cb), 0);
  ASSERT_EQ(uv_prepare_start(&prepare, phase_prepare_cb), 0);
  ASSERT_EQ(uv_idle_start(&idle, phase_idle_cb), 0);
  ASSERT_EQ(uv_timer_start(&timer, phase_timer_cb, 0, 0), 0);

  /* One iteration, in libuv 1.53's order: idle, prepare, (poll), check, close
   * callbacks, then due timers (1.44 ran the timers first). */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "IPCXT");
  /* Next iteration: no timer, nothing closing. */
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "IPCXTIPC");

  /* Stopped watchers do not run; a stopped watcher can be stopped again. */
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_prepare_stop(&prepare), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0); /* check still active */
  ASSERT_STR_EQ(event_log, "IPCXTIPCC");
  ASSERT_EQ(uv_check_stop(&check), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);
  ASSERT_STR_EQ(event_log, "IPCXTIPCC");

  finish_loop(&loop);
}

static int idle_runs;
static void count_idle_cb(uv_idle_t* h) {
  (void) h;
  idle_runs++;
}

static void test_watcher_start_twice(void) {
  uv_loop_t loop;
  uv_idle_t idle;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  /* Starting an active watcher again is a no-op: it still runs once per iteration. */
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);
  idle_runs = 0;
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(idle_runs, 1);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Ref / unref / liveness                                                                   */

static int ref_timer_fired;
static void ref_timer_cb(uv_timer_t* h) {
  (void) h;
  ref_timer_fired++;
}

static int close_cb_count;
static void count_close_cb(uv_handle_t* h) {
  (void) h;
  close_cb_count++;
}

static void test_ref_unref(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  /* Initialised handles are referenced but inactive: not enough to keep the loop alive. */
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  ref_timer_fired = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 1);

  /* An unreferenced active handle does not keep the loop alive. */
  uv_unref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 0);

  /* ref/unref are flags, not counters. */
  uv_unref((uv_handle_t*) &t);
  uv_unref((uv_handle_t*) &t);
  uv_ref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 1);
  uv_ref((uv_handle_t*) &t);
  uv_ref((uv_handle_t*) &t);
  uv_unref((uv_handle_t*) &t);
  ASSERT_EQ(uv_has_ref((uv_handle_t*) &t), 0);
  uv_ref((uv_handle_t*) &t);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 1);

  /* Unreferenced handles still run while something else keeps the loop going. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  uv_unref((uv_handle_t*) &idle);
  idle_runs = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 20, 0), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 2);
  ASSERT(idle_runs >= 1);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);

  /* A loop with only an unreferenced handle runs no iteration at all. */
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_check_start(&check, never_cb_check), 0);
  uv_unref((uv_handle_t*) &check);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_ONCE), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_NOWAIT), 0);

  /* A closing handle keeps the loop alive until its close callback has run, referenced or
   * not. */
  close_cb_count = 0;
  uv_close((uv_handle_t*) &check, count_close_cb);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_count, 1);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Close                                                                                    */

static uv_timer_t* close_d;
static void close_log_cb(uv_handle_t* h) {
  char id = *(const char*) h->data;
  log_event(id);
  /* Closing from a close callback: runs after the current batch. */
  if (id == 'A')
    uv_close((uv_handle_t*) close_d, close_log_cb);
}

static void self_close_timer_cb(uv_timer_t* h) {
  log_event('t');
  uv_close((uv_handle_t*) h, close_log_cb);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) h), 1);
}

static void log_check_cb(uv_check_t* h) {
  (void) h;
  log_event('C');
}

static void test_close_order(void) {
  uv_loop_t loop;
  uv_timer_t a, b, c, d, e;
  uv_idle_t idle;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &a), 0);
  ASSERT_EQ(uv_timer_init(&loop, &b), 0);
  ASSERT_EQ(uv_timer_init(&loop, &c), 0);
  ASSERT_EQ(uv_timer_init(&loop, &d), 0);
  a.data = "A";
  b.data = "B";
  c.data = "C";
  d.data = "D";
  close_d = &d;
  log_reset();

  /* Close callbacks run most-recently-closed first; a handle closed from a close callback
   * is closed after them. */
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &a), 0);
  uv_close((uv_handle_t*) &a, close_log_cb);
  uv_close((uv_handle_t*) &b, close_log_cb);
  uv_close((uv_handle_t*) &c, close_log_cb);
  ASSERT_EQ(uv_is_closing((uv_handle_t*) &a), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_STR_EQ(event_log, ""); /* never synchronously */
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_STR_EQ(event_log, "CBAD");

  /* A NULL close callback is allowed. */
  ASSERT_EQ(uv_timer_init(&loop, &e), 0);
  uv_close((uv_handle_t*) &e, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  /* Closing an active handle stops it: the idle callback never runs. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, never_cb_idle), 0);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 1);
  uv_close((uv_handle_t*) &idle, NULL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);

  /* A handle closed in a callback gets its close callback in the next closing phase. In
   * libuv 1.53's order timers run last in an iteration, so a timer closed by its own
   * callback hears of it in the next iteration, after that iteration's check phase. */
  log_reset();
  ASSERT_EQ(uv_timer_init(&loop, &a), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  a.data = "x";
  ASSERT_EQ(uv_timer_start(&a, self_close_timer_cb, 0, 0), 0);
  ASSERT_EQ(uv_check_start(&check, log_check_cb), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "Ct");
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_STR_EQ(event_log, "CtCx");
  close_and_run(&loop, (uv_handle_t*) &check);

  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_stop                                                                                  */

static int stop_idle_count;
static int stop_check_count;
static void stop_idle_cb(uv_idle_t* h) {
  stop_idle_count++;
  if (stop_idle_count % 3 == 0)
    uv_stop(h->loop);
}

static void stop_check_cb(uv_check_t* h) {
  (void) h;
  stop_check_count++;
}

static void stop_timer_cb(uv_timer_t* h) {
  uv_stop(h->loop);
}

static void test_stop(void) {
  uv_loop_t loop;
  uv_idle_t idle;
  uv_check_t check;
  uv_timer_t t1, t2;
  uint64_t h0;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_idle_start(&idle, stop_idle_cb), 0);
  ASSERT_EQ(uv_check_start(&check, stop_check_cb), 0);
  stop_idle_count = stop_check_count = 0;

  /* uv_stop ends the loop after the current iteration, which finishes (check runs). */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 3);
  ASSERT_EQ(stop_check_count, 3);

  /* The stop flag was cleared: the loop runs again. */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 6);
  ASSERT_EQ(stop_check_count, 6);

  /* uv_stop before uv_run: uv_run returns at once, without running callbacks... */
  uv_stop(&loop);
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 6);
  /* ...and clears the flag. */
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT_EQ(stop_idle_count, 9);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_check_stop(&check), 0);

  /* uv_stop from a timer while a far timer is pending: uv_run does not block for it. */
  ASSERT_EQ(uv_timer_init(&loop, &t1), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t2), 0);
  ASSERT_EQ(uv_timer_start(&t1, stop_timer_cb, 10, 0), 0);
  ASSERT_EQ(uv_timer_start(&t2, never_cb_timer, 10000, 0), 0);
  h0 = uv_hrtime();
  ASSERT(uv_run(&loop, UV_RUN_DEFAULT) != 0);
  ASSERT(uv_hrtime() - h0 < 5000ULL * 1000000ULL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t2), 1);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_walk                                                                                  */

struct walk_seen {
  uv_handle_t* expect[8];
  int seen[8];
  int n_expect;
  int total;
  int closing;
};

static void walk_cb(uv_handle_t* h, void* arg) {
  struct walk_seen* w = arg;
  int i, found = 0;
  w->total++;
  if (uv_is_closing(h))
    w->closing++;
  for (i = 0; i < w->n_expect; i++) {
    if (w->expect[i] == h) {
      w->seen[i]++;
      found = 1;
    }
  }
  ASSERT(found);
}

static void walk_reset(struct walk_seen* w) {
  memset(w->seen, 0, sizeof(w->seen));
  w->total = 0;
  w->closing = 0;
}

static void test_walk(void) {
  uv_loop_t loop;
  uv_timer_t timer;
  uv_idle_t idle;
  uv_check_t check;
  uv_async_t async;
  struct walk_seen w;
  int i;

  memset(&w, 0, sizeof(w));
  ASSERT_EQ(uv_loop_init(&loop), 0);

  /* A fresh loop shows no handles: internal ones stay hidden. */
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 0);

  ASSERT_EQ(uv_timer_init(&loop, &timer), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_async_init(&loop, &async, noop_async), 0);
  w.expect[0] = (uv_handle_t*) &timer;
  w.expect[1] = (uv_handle_t*) &idle;
  w.expect[2] = (uv_handle_t*) &check;
  w.expect[3] = (uv_handle_t*) &async;
  w.n_expect = 4;

  /* Active or not, every open handle is walked once. */
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 4);
  for (i = 0; i < 4; i++)
    ASSERT_EQ(w.seen[i], 1);

  /* The usual shutdown idiom: close everything from a walk. Closing handles are still
   * walked until their close callback has run. */
  uv_walk(&loop, close_walk_cb, NULL);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 4);
  ASSERT_EQ(w.closing, 4);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  walk_reset(&w);
  uv_walk(&loop, walk_cb, &w);
  ASSERT_EQ(w.total, 0);

  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_loop_close with open handles                                                          */

static void test_loop_close_busy(void) {
  uv_loop_t loop;
  uv_timer_t t;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  /* Even an inactive handle makes the loop busy. */
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);

  /* The loop is still usable. */
  ref_timer_fired = 0;
  ASSERT_EQ(uv_timer_start(&t, ref_timer_cb, 5, 0), 0);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(ref_timer_fired, 1);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);

  /* Closing but not yet closed: still busy. */
  close_cb_count = 0;
  uv_close((uv_handle_t*) &t, count_close_cb);
  ASSERT_EQ(uv_loop_close(&loop), UV_EBUSY);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_cb_count, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

/* ---------------------------------------------------------------------------------------- */
/* Bad input                                                                                */

static void test_bad_input(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  uv_prepare_t prepare;
  uv_check_t check;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_prepare_init(&loop, &prepare), 0);
  ASSERT_EQ(uv_check_init(&loop, &check), 0);

  ASSERT_EQ(uv_timer_start(&t, NULL, 10, 0), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &t), 0);
  ASSERT_EQ(uv_idle_start(&idle, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &idle), 0);
  ASSERT_EQ(uv_prepare_start(&prepare, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &prepare), 0);
  ASSERT_EQ(uv_check_start(&check, NULL), UV_EINVAL);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &check), 0);
  ASSERT_EQ(uv_loop_alive(&loop), 0);

  /* Stopping what never started is fine. */
  ASSERT_EQ(uv_timer_stop(&t), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  ASSERT_EQ(uv_prepare_stop(&prepare), 0);
  ASSERT_EQ(uv_check_stop(&check), 0);

  /* A closing timer cannot be started. */
  uv_close((uv_handle_t*) &t, NULL);
  ASSERT_EQ(uv_timer_start(&t, never_cb_timer, 0, 0), UV_EINVAL);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* Handle accessors                                                                         */

static void test_handle_accessors(void) {
  uv_loop_t loop;
  uv_timer_t t;
  uv_idle_t idle;
  int x;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_handle_size(UV_TIMER), sizeof(uv_timer_t));
  ASSERT_EQ(uv_handle_size(UV_IDLE), sizeof(uv_idle_t));
  ASSERT_EQ(uv_handle_size(UV_ASYNC), sizeof(uv_async_t));
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &t), UV_TIMER);
  ASSERT_EQ(t.type, UV_TIMER);
  ASSERT_EQ(uv_handle_get_type((uv_handle_t*) &idle), UV_IDLE);
  ASSERT_STR_EQ(uv_handle_type_name(UV_TIMER), "timer");
  ASSERT_STR_EQ(uv_handle_type_name(UV_IDLE), "idle");
  ASSERT_STR_EQ(uv_handle_type_name(UV_CHECK), "check");
  ASSERT_STR_EQ(uv_handle_type_name(UV_PREPARE), "prepare");
  ASSERT_STR_EQ(uv_handle_type_name(UV_ASYNC), "async");
  ASSERT(uv_handle_get_loop((uv_handle_t*) &t) == &loop);
  ASSERT(t.loop == &loop);
  uv_handle_set_data((uv_handle_t*) &t, &x);
  ASSERT(uv_handle_get_data((uv_handle_t*) &t) == &x);
  ASSERT(t.data == &x);
  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */
/* uv_backend_timeout                                                                       */

static void test_backend_timeout(void) {
  uv_loop_t loop;
  uv_check_t check;
  uv_idle_t idle;
  uv_timer_t t;
  int to;

  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0); /* nothing to wait for */

  /* An active handle and no timers: block indefinitely. (One NOWAIT iteration first, as
   * libuv returns 0 while it has backend registrations to flush.) */
  ASSERT_EQ(uv_check_init(&loop, &check), 0);
  ASSERT_EQ(uv_check_start(&check, noop_check), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0);
  ASSERT_EQ(uv_backend_timeout(&loop), -1);

  /* The nearest timer bounds it. */
  ASSERT_EQ(uv_timer_init(&loop, &t), 0);
  ASSERT_EQ(uv_timer_start(&t, never_cb_timer, 1000, 0), 0);
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  /* An active idle handle: do not block. */
  ASSERT_EQ(uv_idle_init(&loop, &idle), 0);
  ASSERT_EQ(uv_idle_start(&idle, count_idle_cb), 0);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);
  ASSERT_EQ(uv_idle_stop(&idle), 0);
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  /* Stop requested: do not block. */
  uv_stop(&loop);
  ASSERT_EQ(uv_backend_timeout(&loop), 0);
  ASSERT(uv_run(&loop, UV_RUN_NOWAIT) != 0); /* clears the stop flag */
  to = uv_backend_timeout(&loop);
  ASSERT(to > 0);
  ASSERT(to <= 1000);

  finish_loop(&loop);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(loop_init_close),
    TEST(default_loop),
    TEST(now_and_hrtime),
    TEST(phase_order),
    TEST(watcher_start_twice),
    TEST(ref_unref),
    TEST(close_order),
    TEST(stop),
    TEST(walk),
    TEST(loop_close_busy),
    TEST(bad_input),
    TEST(handle_accessors),
    TEST(backend_timeout),
};

RSUV_TEST_MAIN(tests)
