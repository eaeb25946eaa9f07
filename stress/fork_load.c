/* fork_load: fork N times (default 1000) from a loop under pool and signal load.
 *
 * The parent keeps WORK_INFLIGHT uv_queue_work requests and FS_INFLIGHT uv_fs_stat
 * requests in flight at all times (each resubmits itself from its callback), watches
 * SIGUSR1 with a uv_signal_t while a helper thread sends SIGUSR1 to the process
 * continuously, and forks once per loop iteration (from an idle callback) until it has
 * forked N times. So forks land while pool workers run, queue and hand back work, and
 * while signals are being delivered.
 *
 * Each child (the forking thread only) calls uv_loop_fork on the parent's loop, then runs
 * a short loop: a timer, one uv_queue_work job, one SIGUSR1 it raises itself (through the
 * inherited uv_signal_t). The parent's requests still in flight come back in the child
 * cancelled (or finished); the child closes every handle, uv_loop_close must return 0,
 * and it exits 0 (another status names what went wrong, see CHILD_*).
 *
 * The parent waits for each child up to CHILD_TIMEOUT_MS (a hang: killed and counted),
 * and counts children that exited non-zero or died of a signal (failures). Figures: forks,
 * failures, hangs, seconds, signals and pool jobs the parent saw meanwhile, and how many
 * of the parent's requests the children got back cancelled.
 *
 * Usage: fork_load [N]   (env FORK_LOAD_N) */
#include "stress_common.h"

#include <pthread.h>
#include <sys/wait.h>

#define WORK_INFLIGHT 8
#define FS_INFLIGHT 4
#define CHILD_TIMEOUT_MS 10000

enum {
  CHILD_OK = 0,
  CHILD_LOOP_FORK = 10,   /* uv_loop_fork failed */
  CHILD_SETUP = 11,       /* a timer/work/kill call failed in the child */
  CHILD_RUN = 12,         /* uv_run returned non-zero */
  CHILD_MISSED = 13,      /* timer, job or signal did not arrive */
  CHILD_LOOP_CLOSE = 14,  /* uv_loop_close did not return 0 */
  CHILD_BAD_STATUS = 15,  /* a parent's request came back with an unexpected status */
};

static uv_loop_t loop;
static uv_signal_t sig;
static uv_idle_t forker;
static uv_work_t works[WORK_INFLIGHT];
static uv_fs_t stats[FS_INFLIGHT];
static volatile sig_atomic_t in_child;
static int stopping;
static long forks_target, forks, failures, hangs;
static long parent_signals, parent_jobs, parent_stats;
static volatile int helper_stop;
/* Each child writes how many of the parent's requests came back to it cancelled. */
static int report_pipe[2];
static long children_cancelled;

/* Child state. */
static uv_timer_t child_timer;
static uv_work_t child_work;
static int child_timer_fired, child_job_done, child_signals, child_bad;
static long child_cancelled;

static void work_cb(uv_work_t* req) {
  volatile unsigned x = 0;
  unsigned i;
  (void) req;
  for (i = 0; i < 20000; i++)
    x += i;
}

static void after_work_cb(uv_work_t* req, int status) {
  if (in_child) {
    if (req == &child_work) {
      if (status != 0)
        child_bad = 1;
      child_job_done = 1;
    } else if (status == UV_ECANCELED) {
      child_cancelled++;
    } else if (status != 0) {
      child_bad = 1;
    }
    return;
  }
  if (status != 0)
    stress_fail("parent work status %d", status);
  parent_jobs++;
  if (!stopping)
    STRESS_CHECK(uv_queue_work(&loop, req, work_cb, after_work_cb));
}

static void stat_cb(uv_fs_t* req) {
  ssize_t r = req->result;
  uv_fs_req_cleanup(req);
  if (in_child) {
    if (r == UV_ECANCELED)
      child_cancelled++;
    else if (r != 0)
      child_bad = 1;
    return;
  }
  if (r != 0)
    stress_fail("parent stat result %zd", r);
  parent_stats++;
  if (!stopping)
    STRESS_CHECK(uv_fs_stat(&loop, req, ".", stat_cb));
}

static void signal_cb(uv_signal_t* h, int signum) {
  (void) h;
  (void) signum;
  if (in_child)
    child_signals++;
  else
    parent_signals++;
}

static void child_timer_cb(uv_timer_t* t) {
  (void) t;
  child_timer_fired = 1;
}

static void close_cb_noop(uv_handle_t* h) { (void) h; }

static void child_close_walk(uv_handle_t* h, void* arg) {
  (void) arg;
  if (!uv_is_closing(h))
    uv_close(h, close_cb_noop);
}

/* In the child: until the timer, the job and a signal have arrived (the loop stops being
 * alive only when everything is closed, so poll with UV_RUN_ONCE). */
static void child_main(void) {
  uint64_t deadline;
  in_child = 1;
  if (uv_loop_fork(&loop) != 0)
    _exit(CHILD_LOOP_FORK);
  if (uv_idle_stop(&forker) != 0 || uv_timer_init(&loop, &child_timer) != 0 ||
      uv_timer_start(&child_timer, child_timer_cb, 1, 0) != 0 ||
      uv_queue_work(&loop, &child_work, work_cb, after_work_cb) != 0 ||
      kill(getpid(), SIGUSR1) != 0)
    _exit(CHILD_SETUP);
  deadline = uv_hrtime() + (uint64_t) 5000 * 1000000;
  while (!(child_timer_fired && child_job_done && child_signals > 0) && uv_hrtime() < deadline)
    uv_run(&loop, UV_RUN_ONCE);
  if (!(child_timer_fired && child_job_done && child_signals > 0))
    _exit(CHILD_MISSED);
  uv_walk(&loop, child_close_walk, NULL);
  if (uv_run(&loop, UV_RUN_DEFAULT) != 0)
    _exit(CHILD_RUN);
  if (child_bad)
    _exit(CHILD_BAD_STATUS);
  if (uv_loop_close(&loop) != 0)
    _exit(CHILD_LOOP_CLOSE);
  if (write(report_pipe[1], &child_cancelled, sizeof(child_cancelled)) < 0)
    _exit(CHILD_SETUP);
  _exit(CHILD_OK);
}

static void reap(pid_t pid) {
  int status = 0;
  uint64_t deadline = uv_hrtime() + (uint64_t) CHILD_TIMEOUT_MS * 1000000;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      break;
    if (r < 0 && errno != EINTR) {
      stress_fail("waitpid: %s", strerror(errno));
      failures++;
      return;
    }
    if (uv_hrtime() > deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      hangs++;
      stress_fail("child %ld (fork %ld) hung: killed after %d ms", (long) pid, forks,
                  CHILD_TIMEOUT_MS);
      return;
    }
    usleep(100);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    long n;
    if (read(report_pipe[0], &n, sizeof(n)) == (ssize_t) sizeof(n))
      children_cancelled += n;
    return;
  }
  failures++;
  if (WIFEXITED(status))
    stress_fail("child (fork %ld) exited with status %d", forks, WEXITSTATUS(status));
  else
    stress_fail("child (fork %ld) died of signal %d", forks, WTERMSIG(status));
}

static pthread_t helper_thread;
static uv_timer_t closer;

/* The helper has stopped: any SIGUSR1 it sent has been handled by now; the watcher may go
 * (without a watcher SIGUSR1 would kill the process). */
static void closer_cb(uv_timer_t* t) {
  uv_close((uv_handle_t*) t, NULL);
  uv_close((uv_handle_t*) &sig, NULL);
}

static void idle_cb(uv_idle_t* h) {
  pid_t pid;
  if (forks >= forks_target) {
    stopping = 1;
    uv_close((uv_handle_t*) h, NULL);
    helper_stop = 1;
    pthread_join(helper_thread, NULL);
    STRESS_CHECK(uv_timer_init(&loop, &closer));
    STRESS_CHECK(uv_timer_start(&closer, closer_cb, 50, 0));
    return;
  }
  pid = fork();
  if (pid < 0) {
    stress_fail("fork: %s", strerror(errno));
    failures++;
    forks++;
    return;
  }
  if (pid == 0)
    child_main();
  forks++;
  reap(pid);
}

static void* helper(void* arg) {
  pid_t self = *(pid_t*) arg;
  while (!helper_stop) {
    kill(self, SIGUSR1);
    usleep(50);
  }
  return NULL;
}

int main(int argc, char** argv) {
  pid_t self = getpid();
  double t0, secs;
  int i;

  forks_target = stress_arg(argc, argv, 1, "FORK_LOAD_N", 1000);
  if (pipe(report_pipe) != 0) {
    stress_fail("pipe: %s", strerror(errno));
    return stress_finish();
  }
  stress_watchdog(600);
  STRESS_CHECK(uv_loop_init(&loop));
  STRESS_CHECK(uv_signal_init(&loop, &sig));
  STRESS_CHECK(uv_signal_start(&sig, signal_cb, SIGUSR1));
  STRESS_CHECK(uv_idle_init(&loop, &forker));
  STRESS_CHECK(uv_idle_start(&forker, idle_cb));
  for (i = 0; i < WORK_INFLIGHT; i++)
    STRESS_CHECK(uv_queue_work(&loop, &works[i], work_cb, after_work_cb));
  for (i = 0; i < FS_INFLIGHT; i++)
    STRESS_CHECK(uv_fs_stat(&loop, &stats[i], ".", stat_cb));
  if (pthread_create(&helper_thread, NULL, helper, &self) != 0) {
    stress_fail("pthread_create");
    return stress_finish();
  }
  t0 = stress_now();
  STRESS_CHECK(uv_run(&loop, UV_RUN_DEFAULT));
  secs = stress_now() - t0;
  if (uv_loop_close(&loop) != 0)
    stress_fail("parent: uv_loop_close did not return 0");
  stress_fig("forks", "%ld", forks);
  stress_fig("failures", "%ld", failures);
  stress_fig("hangs", "%ld", hangs);
  stress_fig("seconds", "%.2f", secs);
  stress_fig("parent_signals", "%ld", parent_signals);
  stress_fig("parent_pool_jobs", "%ld", parent_jobs + parent_stats);
  /* The parent's requests in flight at a fork that came back to the child cancelled
   * (queued or running in the parent's pool threads, which the child does not have). */
  stress_fig("child_cancelled_reqs", "%ld", children_cancelled);
  if (forks != forks_target)
    stress_fail("forked %ld times, wanted %ld", forks, forks_target);
  return stress_finish();
}
