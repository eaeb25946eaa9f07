/* test_process.c - processes as a libuv user sees them.
 *
 * Covers: exit codes, ENOENT and EACCES, PATH search, arguments, environment and cwd (bad
 * cwd, a relative file with cwd), termination signals and uv_process_kill, the child's signal
 * state, detached children, setuid/setgid, many children, closing before exit, unref, the
 * internal SIGCHLD handling beside a user's SIGCHLD handler, two loops. Helpers, the helper
 * side and how to build against the real libuv: process_common.h.
 */
#include "runner.h"
#include "process_common.h"

/* Tests                                                                                    */

static void test_exit_code(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "exit", "42", NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT(p.pid > 0);
  ASSERT_EQ(uv_process_get_pid(&p), p.pid);
  ASSERT_EQ(p.type, UV_PROCESS);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 1);
  ASSERT_EQ(uv_loop_alive(&loop), 1);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(close_calls, 1);
  ASSERT_EQ(last_exit_status, 42);
  ASSERT_EQ(last_term_signal, 0);
  /* The raw wait status is kept (libuv's private `status`, read by some programs). */
  ASSERT(WIFEXITED(p.status));
  ASSERT_EQ(WEXITSTATUS(p.status), 42);
  /* The child was reaped. */
  ASSERT_EQ(waitpid(p.pid, NULL, WNOHANG), -1);
  ASSERT_EQ(errno, ECHILD);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_enoent(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[2] = {(char*) "no-such-program-rsuv", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  /* An absolute path that does not exist. */
  args[0] = (char*) "/nonexistent-dir-rsuv/prog";
  o.file = args[0];
  {
    uv_process_t p2;
    ASSERT_EQ(uv_spawn(&loop, &p2, &o), UV_ENOENT);
    uv_close((uv_handle_t*) &p2, NULL);
  }
  reset_counts();
  uv_close((uv_handle_t*) &p, count_close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_calls, 1);
  /* No zombie left behind. */
  ASSERT_EQ(waitpid(-1, NULL, WNOHANG), -1);
  ASSERT_EQ(errno, ECHILD);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_eacces(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char path[] = "/tmp/rsuv-noexec-XXXXXX";
  char* args[2];
  int fd;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  fd = mkstemp(path);
  ASSERT(fd >= 0);
  ASSERT_EQ(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
  ASSERT_EQ(close(fd), 0);
  ASSERT_EQ(chmod(path, 0644), 0);
  args[0] = path;
  args[1] = NULL;
  memset(&o, 0, sizeof(o));
  o.file = path;
  o.args = args;
  o.exit_cb = never_exit_cb;
  if (getuid() != 0) {
    /* root may execute it anyway only if some x bit is set: none is. */
  }
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EACCES);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(unlink(path), 0);
  finish_loop(&loop);
}

static void test_path_search(void) {
  uv_loop_t loop;
  uv_process_options_t o;
  uv_process_t p;
  char out[256];
  char* args[4] = {(char*) "sh", (char*) "-c", (char*) "exit 7", NULL};
  char* env_path[] = {(char*) "PATH=/nonexistent-rsuv:/bin:/usr/bin", NULL};
  char* env_nopath[] = {(char*) "FOO=1", NULL};
  char* env_badpath[] = {(char*) "PATH=/nonexistent-rsuv", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  (void) out;
  /* The caller's PATH. */
  memset(&o, 0, sizeof(o));
  o.file = "sh";
  o.args = args;
  o.exit_cb = exit_close_cb;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* The given environment's PATH. */
  o.env = env_path;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* An environment without PATH: the default search path. */
  o.env = env_nopath;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 7);
  /* A PATH where sh is not. */
  o.env = env_badpath;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

static void test_args_env_cwd(void) {
  uv_loop_t loop;
  uv_process_options_t o;
  char out[4096];
  char* env[] = {(char*) "RSUV_FOO=bar baz", (char*) "OTHER=1", NULL};
  char* empty_env[] = {NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);

  helper_options(&o, exit_close_cb, "args", "a b", "");
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "[a b][]");

  helper_options(&o, exit_close_cb, "env", "RSUV_FOO", NULL);
  o.env = env;
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "bar baz");

  /* Without options.env the child gets the parent's environment. */
  ASSERT_EQ(setenv("RSUV_PARENT_VAR", "inherited", 1), 0);
  helper_options(&o, exit_close_cb, "env", "RSUV_PARENT_VAR", NULL);
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "inherited");
  o.env = env;
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "(unset)");

  helper_options(&o, exit_close_cb, "env_count", NULL, NULL);
  o.env = empty_env;
  if (getenv("LD_LIBRARY_PATH") == NULL) {
    ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
    ASSERT_STR_EQ(out, "0");
  }

  helper_options(&o, exit_close_cb, "cwd", NULL, NULL);
  o.cwd = "/";
  ASSERT_EQ(run_capture(&loop, &o, out, sizeof(out)), 0);
  ASSERT_STR_EQ(out, "/");
  finish_loop(&loop);
}

static void test_bad_cwd(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, never_exit_cb, "exit", "0", NULL);
  o.cwd = "/nonexistent-dir-rsuv";
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_ENOENT);
  ASSERT_EQ(uv_is_active((uv_handle_t*) &p), 0);
  finish_loop(&loop);
}

static void test_relative_file_with_cwd(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char dir[4096];
  char* slash;
  char rel[4096];
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "exit", "3", NULL);
  /* ./name, resolved in the child's working directory. */
  strcpy(dir, exe);
  slash = strrchr(dir, '/');
  ASSERT(slash != NULL);
  snprintf(rel, sizeof(rel), "./%s", slash + 1);
  *slash = '\0';
  o.cwd = dir;
  o.file = rel;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 3);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_term_signal(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[] = {(char*) "/bin/sh", (char*) "-c", (char*) "kill -9 $$", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_close_cb;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(last_term_signal, SIGKILL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_kill(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  sigset_t set;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sleep", NULL, NULL);
  /* The child must not inherit an ignored or blocked SIGTERM. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
  ASSERT(signal(SIGTERM, SIG_IGN) != SIG_ERR);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
  ASSERT(signal(SIGTERM, SIG_DFL) != SIG_ERR);
  ASSERT_EQ(uv_kill(p.pid, 0), 0);
  ASSERT_EQ(uv_process_kill(&p, 0), 0);
  ASSERT_EQ(uv_process_kill(&p, SIGTERM), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  ASSERT_EQ(last_term_signal, SIGTERM);
  /* Gone and reaped. */
  ASSERT_EQ(uv_kill(p.pid, 0), UV_ESRCH);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_child_signal_state(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_signal_t sig;
  sigset_t set;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  /* A uv_signal handler, an ignored signal and blocked signals in the parent... */
  ASSERT_EQ(uv_signal_init(&loop, &sig), 0);
  ASSERT_EQ(uv_signal_start(&sig, (uv_signal_cb) abort, SIGUSR1), 0);
  ASSERT(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGINT);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &set, NULL), 0);
  /* ...are all back to default, and unblocked, in the child. */
  helper_options(&o, exit_close_cb, "signals", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(pthread_sigmask(SIG_UNBLOCK, &set, NULL), 0);
  uv_unref((uv_handle_t*) &sig);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 0);
  finish_loop(&loop);
}
static void test_detached(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sid", NULL, NULL);
  o.flags = UV_PROCESS_DETACHED;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 0);
  /* Without the flag the child stays in our session. */
  o.flags = 0;
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(last_exit_status, 1);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_setuid(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  char* args[] = {(char*) "/bin/sh", (char*) "-c",
                  (char*) "test \"$(id -u)\" = 65534 && test \"$(id -g)\" = 65534", NULL};
  ASSERT_EQ(uv_loop_init(&loop), 0);
  memset(&o, 0, sizeof(o));
  o.file = args[0];
  o.args = args;
  o.exit_cb = exit_close_cb;
  o.flags = UV_PROCESS_SETUID | UV_PROCESS_SETGID | UV_PROCESS_WINDOWS_HIDE;
  o.uid = 65534;
  o.gid = 65534;
  reset_counts();
  if (getuid() == 0) {
    ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
    ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ASSERT_EQ(exit_calls, 1);
    ASSERT_EQ(last_exit_status, 0);
    /* Drop to nobody ourselves: now setting uid 0 must fail. */
    ASSERT_EQ(setgid(65534), 0);
    ASSERT_EQ(setuid(65534), 0);
  }
  o.flags = UV_PROCESS_SETUID;
  o.uid = 0;
  o.exit_cb = never_exit_cb;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EPERM);
  uv_close((uv_handle_t*) &p, NULL);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  o.flags = UV_PROCESS_SETGID;
  o.gid = 0;
  ASSERT_EQ(uv_spawn(&loop, &p, &o), UV_EPERM);
  uv_close((uv_handle_t*) &p, NULL);
  finish_loop(&loop);
}

#define MANY 20
static int many_seen[MANY];

static void many_exit_cb(uv_process_t* p, int64_t exit_status, int term_signal) {
  ASSERT_EQ(term_signal, 0);
  ASSERT(exit_status >= 0 && exit_status < MANY);
  ASSERT_EQ(many_seen[exit_status], 0);
  ASSERT_EQ((intptr_t) p->data, exit_status);
  many_seen[exit_status] = 1;
  exit_calls++;
  uv_close((uv_handle_t*) p, NULL);
}

static void test_many_children(void) {
  uv_loop_t loop;
  uv_process_t p[MANY];
  uv_process_options_t o;
  char code[MANY][8];
  char* args[MANY][4];
  int i;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  reset_counts();
  memset(many_seen, 0, sizeof(many_seen));
  for (i = 0; i < MANY; i++) {
    snprintf(code[i], sizeof(code[i]), "exit %d", i);
    args[i][0] = (char*) "sh";
    args[i][1] = (char*) "-c";
    args[i][2] = code[i];
    args[i][3] = NULL;
    memset(&o, 0, sizeof(o));
    o.file = "sh";
    o.args = args[i];
    o.exit_cb = many_exit_cb;
    ASSERT_EQ(uv_spawn(&loop, &p[i], &o), 0);
    p[i].data = (void*) (intptr_t) i;
  }
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, MANY);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_close_before_exit(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  int status;
  pid_t pid;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, never_exit_cb, "sleep", NULL, NULL);
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  pid = p.pid;
  reset_counts();
  uv_close((uv_handle_t*) &p, count_close_cb);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(close_calls, 1);
  /* Closing does not kill: the child is still there, and still ours to reap. */
  ASSERT_EQ(kill(pid, 0), 0);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT(WIFSIGNALED(status));
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_unref(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  helper_options(&o, exit_close_cb, "sleep", NULL, NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  uv_unref((uv_handle_t*) &p);
  ASSERT_EQ(uv_loop_alive(&loop), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 0);
  uv_ref((uv_handle_t*) &p);
  ASSERT_EQ(uv_process_kill(&p, SIGKILL), 0);
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_term_signal, SIGKILL);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static int walk_count;
static void count_walk_cb(uv_handle_t* h, void* arg) {
  (void) h;
  (void) arg;
  walk_count++;
}

static int user_sigchld_calls;
static void user_sigchld_cb(uv_signal_t* h, int signum) {
  ASSERT_EQ(signum, SIGCHLD);
  user_sigchld_calls++;
  uv_close((uv_handle_t*) h, NULL);
}

static void test_internal_handle_and_user_sigchld(void) {
  uv_loop_t loop;
  uv_process_t p;
  uv_process_options_t o;
  uv_signal_t sig;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  ASSERT_EQ(uv_signal_init(&loop, &sig), 0);
  ASSERT_EQ(uv_signal_start(&sig, user_sigchld_cb, SIGCHLD), 0);
  helper_options(&o, exit_close_cb, "exit", "5", NULL);
  reset_counts();
  ASSERT_EQ(uv_spawn(&loop, &p, &o), 0);
  walk_count = 0;
  uv_walk(&loop, count_walk_cb, NULL);
  ASSERT_EQ(walk_count, 2); /* the signal and the process, nothing internal */
  user_sigchld_calls = 0;
  ASSERT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 5);
  ASSERT_EQ(user_sigchld_calls, 1);
  walk_count = 0;
  uv_walk(&loop, count_walk_cb, NULL);
  ASSERT_EQ(walk_count, 0);
  ASSERT_EQ(uv_loop_close(&loop), 0);
}

static void test_two_loops(void) {
  uv_loop_t a, b;
  uv_process_t pa, pb;
  uv_process_options_t o;
  ASSERT_EQ(uv_loop_init(&a), 0);
  ASSERT_EQ(uv_loop_init(&b), 0);
  reset_counts();
  helper_options(&o, exit_close_cb, "exit", "1", NULL);
  ASSERT_EQ(uv_spawn(&a, &pa, &o), 0);
  helper_options(&o, exit_close_cb, "exit", "2", NULL);
  ASSERT_EQ(uv_spawn(&b, &pb, &o), 0);
  ASSERT_EQ(uv_run(&b, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 1);
  ASSERT_EQ(last_exit_status, 2);
  ASSERT_EQ(uv_run(&a, UV_RUN_DEFAULT), 0);
  ASSERT_EQ(exit_calls, 2);
  ASSERT_EQ(last_exit_status, 1);
  ASSERT_EQ(uv_loop_close(&a), 0);
  ASSERT_EQ(uv_loop_close(&b), 0);
}

/* ---------------------------------------------------------------------------------------- */

static const struct test_entry tests[] = {
    TEST(exit_code),
    TEST(enoent),
    TEST(eacces),
    TEST(path_search),
    TEST(args_env_cwd),
    TEST(bad_cwd),
    TEST(relative_file_with_cwd),
    TEST(term_signal),
    TEST(kill),
    TEST(child_signal_state),
    TEST(detached),
    TEST(setuid),
    TEST(many_children),
    TEST(close_before_exit),
    TEST(unref),
    TEST(internal_handle_and_user_sigchld),
    TEST(two_loops),
};

int main(int argc, char** argv) {
  if (argc >= 3 && strcmp(argv[1], "--helper") == 0)
    return helper_main(argc, argv);
  return run_tests(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
