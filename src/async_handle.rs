//! Async handles: the one handle another thread (or a signal handler) may poke.
//!
//! `uv_async_send` moves `pending` 0 -> 1, pushes the handle onto its loop's lock-free stack
//! (waking the loop only if the stack was empty), then moves `pending` 1 -> 2. The loop
//! takes the whole stack in one swap and, for each handle, moves `pending` 2 -> 0 before
//! calling back: sends that land before that point coalesce into this callback, sends
//! after it schedule another. State 1 is a sender in mid-push; the loop spins the few
//! instructions until it ends, so closing a handle never races a send that already began.
//! Callbacks run in the poll phase.

use crate::ffi::types::*;
use crate::handle;
use crate::uvloop;
use core::ffi::c_int;
use std::sync::atomic::{AtomicI32, Ordering};

const IDLE: i32 = 0;
const PUSHING: i32 = 1;
const SENT: i32 = 2;

fn pending(h: *mut uv_async_t) -> &'static AtomicI32 {
    // SAFETY: `pending` is an aligned c_int inside a live handle, accessed only atomically
    // once the handle is initialised.
    unsafe { AtomicI32::from_ptr(&raw mut (*h).pending) }
}

/// `uv_async_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable async-handle memory.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_async_t, cb: uv_async_cb) {
    // SAFETY: caller guarantees both; loop thread.
    unsafe {
        handle::init(l, handle::base(h), handle::UV_ASYNC);
        (*h).async_cb = cb;
        crate::queue::init((&raw mut (*h).queue).cast());
        (*h).pending = IDLE;
        handle::start(handle::base(h));
    }
}

/// `uv_async_send`: thread-safe, async-signal-safe, coalescing.
///
/// # Safety
/// `h` is an initialised async handle that is not closed.
pub(crate) unsafe fn send(h: *mut uv_async_t) -> c_int {
    let p = pending(h);
    if p.load(Ordering::Relaxed) != IDLE {
        return 0;
    }
    if p.compare_exchange(IDLE, PUSHING, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return 0;
    }
    // SAFETY: we own the link field while in PUSHING state.
    unsafe { uvloop::push_async(h) };
    p.store(SENT, Ordering::Release);
    0
}

/// Waits out a sender in mid-push, then takes the sent state. Returns whether the handle
/// had been sent.
fn claim(h: *mut uv_async_t) -> bool {
    let p = pending(h);
    let mut spins = 0u32;
    loop {
        match p.compare_exchange(SENT, IDLE, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(PUSHING) => {
                spins += 1;
                if spins % 1000 == 0 {
                    std::thread::yield_now();
                } else {
                    core::hint::spin_loop();
                }
            }
            Err(_) => return false,
        }
    }
}

/// Runs the callback of a handle taken off the sent stack.
///
/// # Safety
/// `h` is a live async handle that was on its loop's stack; loop thread.
pub(crate) unsafe fn dispatch(h: *mut uv_async_t) {
    if !claim(h) {
        return;
    }
    // SAFETY: `h` is live (closing removes it from the lists before its close callback).
    unsafe {
        if handle::is_closing(handle::base(h)) {
            return;
        }
        if let Some(cb) = (*h).async_cb {
            cb(h);
        }
    }
}

/// Closing an async handle: wait out any sender in mid-push, then make sure the loop holds
/// no pointer to it any more.
///
/// # Safety
/// `h` is an initialised async handle being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_async_t) {
    // SAFETY: loop thread; the handle is live until its close callback.
    unsafe {
        if claim(h) {
            // It is on the shared stack or already on the local ready list.
            uvloop::forget_sent_async((*h).r#loop, h);
        }
        // A send after close is a caller error; leaving the state at SENT turns it into a
        // no-op instead of a push of a dead handle.
        pending(h).store(SENT, Ordering::Release);
        handle::stop(handle::base(h));
    }
}
