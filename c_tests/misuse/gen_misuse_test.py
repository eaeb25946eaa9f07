#!/usr/bin/env python3
"""Generate c_tests/test_misuse.c: every exported function given NULL.

For each `UV_EXTERN` function of include/uv.h that takes at least one pointer, the
generated test calls it with NULL for every pointer (callbacks included) and 0 for every
number, (-1 for every descriptor, so that a missing check can touch no real file) in a forked
child of the shared runner, and checks that it neither crashes nor
hangs and that it answers as documented: `UV_EINVAL` for an `int` result, the neutral
value (0, NULL, nothing done) for functions with no error channel, and the answers listed
in EXPECT below where libuv documents another one. A second pass gives the handle and
request functions a zeroed struct instead of NULL: a handle that was never initialised
(type tag 0) must be refused too, not used.

Functions with no pointer parameter cannot be given NULL and are listed, not called.

Usage: gen_misuse_test.py [UV_H [OUTPUT]]   (defaults: ../../include/uv.h, ../test_misuse.c)
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Results other than the default for the return type, each with libuv's reason.
EXPECT = {
    # Predicates: "no" for no handle.
    "uv_is_active": "0", "uv_is_closing": "0", "uv_has_ref": "0", "uv_is_readable": "0",
    "uv_is_writable": "0", "uv_loop_alive": "0", "uv_udp_using_recvmmsg": "0",
    "uv_thread_equal": "0",
    # Type getters: the "unknown" tag.
    "uv_handle_get_type": "UV_UNKNOWN_HANDLE", "uv_req_get_type": "UV_UNKNOWN_REQ",
    "uv_fs_get_type": "UV_FS_UNKNOWN",
    # No loop: no descriptor, and nothing to wait for.
    "uv_backend_fd": "-1", "uv_backend_timeout": "0",
    # uv_dlopen/uv_dlsym report failure as -1 (and uv_dlerror), not as an error code.
    "uv_dlopen": "-1", "uv_dlsym": "-1",
    # uv_wtf8_length_as_utf16 returns a length or a negative error code.
    "uv_wtf8_length_as_utf16": "UV_EINVAL",
    # uv_fs_get_result of no request: an error, as for a failed request; and its
    # system error is the positive errno, as uv_fs_get_system_error reports errors.
    "uv_fs_get_result": "UV_EINVAL", "uv_fs_get_system_error": "EINVAL",
    # libuv answers UV_EBADF for NULL (its test-pipe-set-fchmod.c asserts it).
    "uv_pipe_chmod": "UV_EBADF",
    # libuv answers UV_EFAULT for a NULL timespec (its test-hrtime.c asserts it).
    "uv_clock_gettime": "UV_EFAULT",
    # A count: none.
    "uv_pipe_pending_count": "0",
    # Synchronous (no callback) with an empty buffer: nothing to do, as in libuv, which
    # needs neither loop nor request then.
    "uv_random": "0",
    # The family is checked first, as libuv does: family 0 is not supported.
    "uv_inet_ntop": "UV_EAFNOSUPPORT",
    # libuv has no virtual-terminal state to report on Unix, whatever the argument.
    "uv_tty_get_vterm_state": "UV_ENOTSUP",
}

# Called for their side effect only, whatever they return with NULL.
ANY_RESULT = {
    # Returns its argument (the argv copy), which is NULL here.
    "uv_setup_args",
    # Returns the buffer it was given (NULL); the message goes nowhere.
    "uv_err_name_r", "uv_strerror_r",
    # Returns a uv_buf_t by value: the NULL base is simply stored.
    "uv_buf_init",
    # Always a message (libuv: the last error of the library, or "no error").
    "uv_dlerror",
}

# Functions whose NULL call must not be made in the test process: none today. A name here
# needs a reason.
SKIP = {}

HANDLE_TYPES = {
    "uv_handle_t", "uv_stream_t", "uv_tcp_t", "uv_udp_t", "uv_pipe_t", "uv_tty_t",
    "uv_poll_t", "uv_timer_t", "uv_prepare_t", "uv_check_t", "uv_idle_t", "uv_async_t",
    "uv_process_t", "uv_fs_event_t", "uv_fs_poll_t", "uv_signal_t",
}
REQ_TYPES = {
    "uv_req_t", "uv_getaddrinfo_t", "uv_getnameinfo_t", "uv_shutdown_t", "uv_write_t",
    "uv_connect_t", "uv_udp_send_t", "uv_fs_t", "uv_work_t", "uv_random_t",
}


def parse(path):
    text = open(path).read()
    funcs = []
    for m in re.finditer(r"^UV_EXTERN\s+(.+?)\b(uv_\w+)\s*\(([^)]*)\);", text, re.M):
        ret = m.group(1).strip()
        name = m.group(2)
        params = [p.strip() for p in m.group(3).split(",")]
        if params == ["void"]:
            params = []
        funcs.append((ret, name, params))
    return funcs


def is_pointer(param):
    return "*" in param or "[" in param or re.search(r"\buv_\w+_(cb|func)\b", param)


def param_type(param):
    """The type of a parameter declaration, without its name."""
    p = re.sub(r"\[[^\]]*\]", "*", param)
    m = re.match(r"^(.*?)(\w+)\s*$", p)
    return m.group(1).strip() if m else p


def default_expect(ret):
    if ret == "void":
        return None
    if ret.endswith("*"):
        return "NULL"
    if ret == "int":
        return "UV_EINVAL"
    return "0"


def takes_initialised(name, base):
    """Is a `base *` parameter of `name` an initialised handle or request (as opposed to
    one the function initialises: `uv_*_init`, `uv_spawn`, the request of a submission)?"""
    if base in HANDLE_TYPES:
        return not (re.search(r"_init(_ex)?$", name) or name == "uv_spawn")
    if base in REQ_TYPES:
        return bool(re.match(r"uv_(req_|fs_get_|fs_req_cleanup|cancel|write_nwritten)", name))
    return False


def arg_expr(param, zeroed, name):
    if param == "...":
        return None
    t = param_type(param)
    if is_pointer(param):
        base = t.replace("const", "").replace("*", "").strip()
        if zeroed and t.count("*") == 1 and takes_initialised(name, base):
            return "(%s) zero" % t
        return "NULL"
    if t in ("double", "float"):
        return "0.0"
    if t == "uv_buf_t":
        return "uv_buf_init(NULL, 0)"
    # Never a real descriptor: with a check missing, fd 0 (the runner's stdin, often
    # /dev/null) would be closed, chmod'ed or written to.
    if t in ("uv_file", "uv_os_fd_t", "uv_os_sock_t") or re.search(r"\bfd\b|\bfile\b", param):
        return "(%s) -1" % t
    return "(%s) 0" % t


def generate(uv_h, out):
    funcs = parse(uv_h)
    w = []
    w.append("/* test_misuse.c - every exported function given NULL (and a zeroed handle).")
    w.append(" *")
    w.append(" * GENERATED by c_tests/misuse/gen_misuse_test.py from include/uv.h: do not edit;")
    w.append(" * change the script (its EXPECT table documents every answer other than")
    w.append(" * UV_EINVAL / 0 / NULL) and regenerate. Each test runs in a forked child: a crash")
    w.append(" * or hang fails it. rsuv's answers: skipped against a real libuv, which asserts. */")
    w.append('#include "uv.h"')
    w.append('#include "runner.h"')
    w.append("")
    w.append("#include <errno.h>")
    w.append("#include <stdio.h>")
    w.append("#include <stdlib.h>")
    w.append("")
    w.append("/* Zeroed memory larger than any handle or request: never initialised. */")
    w.append("static union { long double align; char bytes[2048]; } zero_mem;")
    w.append("#define zero ((void*) &zero_mem)")
    w.append("")
    w.append("static void expect(const char* what, long long got, long long want) {")
    w.append("  if (got != want) {")
    w.append('    fprintf(stderr, "%s: got %lld, want %lld\\n", what, got, want);')
    w.append("    abort();")
    w.append("  }")
    w.append("}")
    w.append("")
    tests = []
    no_pointer = []
    for ret, name, params in funcs:
        if name in SKIP:
            continue
        if not any(is_pointer(p) for p in params if p != "..."):
            no_pointer.append(name)
            continue
        passes = [False]
        if any(takes_initialised(name, param_type(p).replace("const", "").replace("*", "").strip())
               for p in params if param_type(p).count("*") == 1):
            passes.append(True)
        for zeroed in passes:
            args = [a for a in (arg_expr(p, zeroed, name) for p in params) if a is not None]
            call = "%s(%s)" % (name, ", ".join(args))
            want = EXPECT.get(name, default_expect(ret))
            tname = ("zeroed_" if zeroed else "null_") + name[3:]
            w.append("static void test_%s(void) {" % tname)
            if want is None or name in ANY_RESULT:
                w.append("  %s;" % call)
            elif ret.endswith("*"):
                w.append('  expect("%s", (long long) (%s == NULL), 1);' % (call, call))
            else:
                w.append('  expect("%s", (long long) %s, (long long) (%s));' % (call, call, want))
            w.append("}")
            w.append("")
            tests.append(tname)
    w.append("/* No pointer parameter, so nothing to give NULL: %d functions." % len(no_pointer))
    for i in range(0, len(no_pointer), 4):
        w.append(" *   " + ", ".join(no_pointer[i:i + 4]))
    w.append(" */")
    w.append("")
    w.append("static const struct test_entry tests[] = {")
    for t in tests:
        w.append("    TEST_RSUV(%s)," % t)
    w.append("};")
    w.append("")
    w.append("RSUV_TEST_MAIN(tests)")
    with open(out, "w") as f:
        f.write("\n".join(w) + "\n")
    print("%s: %d tests, %d functions without a pointer parameter" % (out, len(tests),
                                                                        len(no_pointer)))


def main():
    uv_h = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "include", "uv.h")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "test_misuse.c")
    generate(os.path.normpath(uv_h), os.path.normpath(out))


if __name__ == "__main__":
    main()
