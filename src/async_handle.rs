//! Async handles: the one handle another thread (or a signal handler) may poke.
//!
//! `uv_async_send` flips `pending` from 0 to 1 and, if it did, pushes the handle onto its
//! loop's lock-free stack (waking the loop only if the stack was empty). The loop takes the
//! whole stack in one swap and, for each handle, flips `pending` back to 0 before calling
//! back: sends that land before that point coalesce into this callback, sends after it
//! schedule another. Neither side ever waits for the other.
//!
//! A sender counts itself in `u.fd` (a busy counter, as the handle has no descriptor) for
//! the span of its send. `uv_close` first sets `pending` to 1, so no new send can start a
//! push, then waits for the counter to drop to 0, so a send that had started has finished
//! its push; only then does it unlink the handle. That wait is the only spin, and it
//! happens only when closing.
//!
//! When several handles are pending at once their callbacks run in the order the handles
//! were initialised, as libuv (which walks its list of async handles) runs them: programs
//! that open message channels one after another rely on it. Each handle keeps its
//! initialisation number in `u.reserved[1]`; the loop sorts only the handles that were
//! sent, so dispatch still touches nothing else.
//! Callbacks run in the poll phase.

use crate::abi::*;
use crate::sync;
use crate::sync::{AtomicI32, Ordering};
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::c_int;

mod proto;

fn pending<'a>(h: *mut uv_async_t) -> &'a AtomicI32 {
    // SAFETY: `pending` is an aligned c_int inside a live handle, accessed only atomically
    // once the handle is initialised.
    unsafe { AtomicI32::from_ptr(&raw mut (*h).pending) }
}

fn busy<'a>(h: *mut uv_async_t) -> &'a AtomicI32 {
    // SAFETY: `u.fd` is an aligned c_int inside a live handle; for async handles it is the
    // senders' busy counter, accessed only atomically once the handle is initialised.
    unsafe { AtomicI32::from_ptr(&raw mut (*h).u.fd) }
}

/// `uv_async_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable async-handle memory.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_async_t, cb: uv_async_cb) {
    // SAFETY: caller guarantees both; loop thread.
    unsafe {
        handle::init(l, handle::base(h), crate::abi::UV_ASYNC);
        (*h).async_cb = cb;
        crate::uvloop::queue::init((&raw mut (*h).queue).cast());
        (*h).pending = 0;
        (*h).u.fd = 0;
        (*h).u.reserved[1] = crate::uvloop::next_async_seq(l) as *mut core::ffi::c_void;
        handle::start(handle::base(h));
    }
}

/// `uv_async_send`: thread-safe, async-signal-safe, coalescing, wait-free for the sender
/// but for the push.
///
/// # Safety
/// `h` is an initialised async handle that is not closed.
pub(crate) unsafe fn send(h: *mut uv_async_t) -> c_int {
    proto::send(pending(h), busy(h), || {
        // SAFETY: the 0 -> 1 flip gives this sender the link field until the loop pops it.
        unsafe { uvloop::push_async(h) }
    });
    0
}

/// Runs the callback of a handle taken off the sent stack.
///
/// # Safety
/// `h` is a live async handle just unlinked from its loop's ready list; loop thread.
pub(crate) unsafe fn dispatch(h: *mut uv_async_t) {
    // SAFETY: `h` is live (closing unlinks it before its close callback).
    unsafe {
        if handle::is_closing(handle::base(h)) {
            return;
        }
        if !proto::claim(pending(h)) {
            return;
        }
        if let Some(cb) = (*h).async_cb {
            cb(h);
        }
    }
}

/// Closing an async handle: wait out any send in progress, then make sure the loop holds
/// no pointer to it any more.
///
/// # Safety
/// `h` is an initialised async handle being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_async_t) {
    let was_sent = proto::close(pending(h), busy(h));
    if was_sent {
        // SAFETY: loop thread; every push has finished, so it is on the shared stack or on
        // the local ready list.
        unsafe { uvloop::forget_sent_async((*h).r#loop, h) };
    }
    // SAFETY: live handle on its loop.
    unsafe { handle::stop(handle::base(h)) };
}

/// In the child of a `fork`: a sender that was mid-send in another thread of the parent
/// left its count behind; nobody is sending now.
///
/// # Safety
/// `h` is a live async handle; the process has one thread.
pub(crate) unsafe fn reset_after_fork(h: *mut uv_async_t) {
    busy(h).store(0, Ordering::SeqCst);
}

/// The order `h` was initialised in on its loop (see the module docs).
///
/// # Safety
/// `h` is an initialised async handle.
pub(crate) unsafe fn seq(h: *const uv_async_t) -> usize {
    // SAFETY: `u.reserved[1]` holds the number `init` stored (caller).
    unsafe { (*h).u.reserved[1] as usize }
}
