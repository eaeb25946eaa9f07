#!/usr/bin/env python3
"""Drive rsuv's libuv.so from Python with ctypes, as any libuv binding would.

A loop, a repeating timer that stops itself after 5 ticks, and an async handle woken from a
Python thread; then both handles are closed and the loop is closed.

Library: $RSUV_LIB, else the newer of target/release/libuv.so and target/debug/libuv.so.
Also runs against the real libuv:  RSUV_LIB=/usr/lib/x86_64-linux-gnu/libuv.so.1 python3 rsuv_demo.py
Exit status 0 only if every check held.
"""
import ctypes
import os
import sys
import threading
import time

UV_RUN_DEFAULT = 0
UV_ASYNC = 1  # uv_handle_type values (libuv 1.44)
UV_TIMER = 13
TICKS = 5

failures = []


def check(cond, what):
    print(("  ok    " if cond else "  FAIL  ") + what)
    if not cond:
        failures.append(what)


def find_lib():
    env = os.environ.get("RSUV_LIB")
    if env:
        return env
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    found = [os.path.join(root, "target", p, "libuv.so") for p in ("release", "debug")]
    found = [p for p in found if os.path.exists(p)]
    if not found:
        sys.exit("rsuv_demo: no libuv.so in target/release or target/debug (build first, or set RSUV_LIB)")
    return max(found, key=os.path.getmtime)


path = find_lib()
uv = ctypes.CDLL(path)  # CDLL releases the GIL during calls: other Python threads run meanwhile
print(f"library: {path}")

vp = ctypes.c_void_p
TIMER_CB = ctypes.CFUNCTYPE(None, vp)
ASYNC_CB = ctypes.CFUNCTYPE(None, vp)
CLOSE_CB = ctypes.CFUNCTYPE(None, vp)

uv.uv_version_string.restype = ctypes.c_char_p
uv.uv_loop_size.restype = ctypes.c_size_t
uv.uv_handle_size.restype = ctypes.c_size_t
uv.uv_handle_size.argtypes = [ctypes.c_int]
uv.uv_loop_init.argtypes = [vp]
uv.uv_loop_close.argtypes = [vp]
uv.uv_run.argtypes = [vp, ctypes.c_int]
uv.uv_stop.argtypes = [vp]
uv.uv_now.restype = ctypes.c_uint64
uv.uv_now.argtypes = [vp]
uv.uv_timer_init.argtypes = [vp, vp]
uv.uv_timer_start.argtypes = [vp, TIMER_CB, ctypes.c_uint64, ctypes.c_uint64]
uv.uv_timer_stop.argtypes = [vp]
uv.uv_async_init.argtypes = [vp, vp, ASYNC_CB]
uv.uv_async_send.argtypes = [vp]
uv.uv_unref.argtypes = [vp]
uv.uv_close.argtypes = [vp, CLOSE_CB]
uv.uv_is_active.argtypes = [vp]
uv.uv_loop_alive.argtypes = [vp]
uv.uv_strerror.restype = ctypes.c_char_p
uv.uv_strerror.argtypes = [ctypes.c_int]

print(f"libuv version: {uv.uv_version_string().decode()}")

# The caller owns the memory of the loop and every handle.
loop = ctypes.create_string_buffer(uv.uv_loop_size())
timer = ctypes.create_string_buffer(uv.uv_handle_size(UV_TIMER))
async_h = ctypes.create_string_buffer(uv.uv_handle_size(UV_ASYNC))
check(uv.uv_loop_size() > 0 and uv.uv_handle_size(UV_TIMER) > 0, "uv_loop_size/uv_handle_size are non-zero")

state = {"ticks": [], "async": 0, "async_thread": None, "closed": 0}
main_thread = threading.get_ident()


def on_tick(handle):
    state["ticks"].append(uv.uv_now(loop))
    if len(state["ticks"]) == TICKS:
        uv.uv_timer_stop(handle)


def on_async(handle):
    state["async"] += 1
    state["async_thread"] = threading.get_ident()
    # Received: stop keeping the loop alive; it ends once the timer has stopped too.
    uv.uv_unref(handle)


def on_close(handle):
    state["closed"] += 1


# Keep the C callbacks referenced for as long as C may call them.
tick_cb, async_cb, close_cb = TIMER_CB(on_tick), ASYNC_CB(on_async), CLOSE_CB(on_close)

check(uv.uv_loop_init(loop) == 0, "uv_loop_init")
check(uv.uv_timer_init(loop, timer) == 0, "uv_timer_init")
check(uv.uv_async_init(loop, async_h, async_cb) == 0, "uv_async_init")
check(uv.uv_timer_start(timer, tick_cb, 10, 10) == 0, "uv_timer_start(10 ms, repeat 10 ms)")


def sender():
    time.sleep(0.02)
    rc = uv.uv_async_send(async_h)
    if rc != 0:
        failures.append(f"uv_async_send from a thread returned {rc}")


t = threading.Thread(target=sender)
start = time.monotonic()
t.start()
rc = uv.uv_run(loop, UV_RUN_DEFAULT)
elapsed = time.monotonic() - start
t.join()

ticks = state["ticks"]
print(f"timer ticked {len(ticks)} times at loop times {[x - ticks[0] for x in ticks] if ticks else []} ms; "
      f"async callback ran {state['async']} time(s); uv_run returned {rc} after {elapsed * 1000:.0f} ms")
check(rc == 0, "uv_run returned 0 once nothing kept the loop alive")
check(len(ticks) == TICKS, f"timer fired exactly {TICKS} times")
check(all(b - a >= 10 for a, b in zip(ticks, ticks[1:])), "ticks at least 10 ms apart (uv_now)")
check(elapsed >= 0.035, "run lasted about 5 x 10 ms or more")
check(state["async"] == 1, "async callback ran once")
check(state["async_thread"] == main_thread, "async callback ran on the loop's thread")
check(uv.uv_is_active(timer) == 0, "timer inactive after uv_timer_stop")

uv.uv_close(timer, close_cb)
uv.uv_close(async_h, close_cb)
check(uv.uv_loop_alive(loop) != 0, "closing handles keep the loop alive")
check(uv.uv_run(loop, UV_RUN_DEFAULT) == 0, "uv_run after uv_close returned 0")
check(state["closed"] == 2, "both close callbacks ran")
rc = uv.uv_loop_close(loop)
check(rc == 0, f"uv_loop_close returned 0 ({uv.uv_strerror(rc).decode() if rc else 'ok'})")

if failures:
    print(f"rsuv_demo: {len(failures)} check(s) failed: {'; '.join(failures)}")
    sys.exit(1)
print("rsuv_demo: all checks passed")
