//! What every handle shares: initialisation onto its loop's handle list, the
//! active/referenced accounting that decides the loop's liveness, and closing.
//!
//! Flags keep libuv's bit values (`uv_handle_t.flags`, offset 88), because programs read
//! and set some of them (0x4000, "readable", on a write-only pipe).
//!
//! Close callbacks run in the loop's closing phase, most recently closed first.

use crate::abi::flags::*;
use crate::abi::*;
use crate::uvloop::queue;
use core::ffi::c_int;

/// Views any handle through its base.
#[inline(always)]
pub(crate) fn base<T>(h: *mut T) -> *mut uv_handle_t {
    h.cast()
}

/// The loop's handle list head.
#[inline(always)]
pub(crate) fn loop_queue(l: *mut uv_loop_t) -> *mut queue::Node {
    // SAFETY: projection of a field address; no read.
    unsafe { (&raw mut (*l).handle_queue).cast() }
}

/// Initialises the base fields and appends the handle to the loop's handle list.
///
/// # Safety
/// `l` is an initialised loop and `h` points to writable memory of the handle's full size.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_handle_t, ty: c_int) {
    // SAFETY: caller guarantees `h` is writable and `l` initialised.
    unsafe {
        (*h).r#loop = l;
        (*h).r#type = ty;
        (*h).flags = REF;
        (*h).close_cb = None;
        (*h).next_closing = core::ptr::null_mut();
        (*h).u.reserved = [core::ptr::null_mut(); 4];
        (*h).u.fd = -1;
        queue::insert_tail(loop_queue(l), (&raw mut (*h).handle_queue).cast());
    }
}

/// # Safety
/// `h` is an initialised handle.
#[inline(always)]
pub(crate) unsafe fn flags(h: *const uv_handle_t) -> u32 {
    // SAFETY: caller guarantees `h` is live.
    unsafe { (*h).flags }
}

/// # Safety
/// `h` is an initialised handle.
#[inline(always)]
pub(crate) unsafe fn is_active(h: *const uv_handle_t) -> bool {
    // SAFETY: as above.
    unsafe { flags(h) & ACTIVE != 0 }
}

/// # Safety
/// `h` is an initialised handle.
#[inline(always)]
pub(crate) unsafe fn is_closing(h: *const uv_handle_t) -> bool {
    // SAFETY: as above.
    unsafe { flags(h) & (CLOSING | CLOSED) != 0 }
}

/// Marks the handle active; a referenced active handle keeps the loop alive.
///
/// # Safety
/// `h` is an initialised handle on an initialised loop.
#[inline]
pub(crate) unsafe fn start(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` and its loop are live.
    unsafe {
        let f = (*h).flags;
        if f & ACTIVE != 0 {
            return;
        }
        (*h).flags = f | ACTIVE;
        if f & REF != 0 {
            (*(*h).r#loop).active_handles += 1;
        }
    }
}

/// # Safety
/// `h` is an initialised handle on an initialised loop.
#[inline]
pub(crate) unsafe fn stop(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` and its loop are live.
    unsafe {
        let f = (*h).flags;
        if f & ACTIVE == 0 {
            return;
        }
        (*h).flags = f & !ACTIVE;
        if f & REF != 0 {
            (*(*h).r#loop).active_handles -= 1;
        }
    }
}

/// # Safety
/// `h` is an initialised handle on an initialised loop.
pub(crate) unsafe fn set_ref(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` and its loop are live.
    unsafe {
        let f = (*h).flags;
        if f & REF != 0 {
            return;
        }
        (*h).flags = f | REF;
        if f & CLOSING == 0 && f & ACTIVE != 0 {
            (*(*h).r#loop).active_handles += 1;
        }
    }
}

/// # Safety
/// `h` is an initialised handle on an initialised loop.
pub(crate) unsafe fn unref(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` and its loop are live.
    unsafe {
        let f = (*h).flags;
        if f & REF == 0 {
            return;
        }
        (*h).flags = f & !REF;
        if f & CLOSING == 0 && f & ACTIVE != 0 {
            (*(*h).r#loop).active_handles -= 1;
        }
    }
}

/// Starts closing `h`: stops it the way its type needs, then queues it for the closing
/// phase. The caller has checked that `h` is not already closing.
///
/// # Safety
/// `h` is an initialised, not closing handle on an initialised loop.
pub(crate) unsafe fn close(h: *mut uv_handle_t, cb: uv_close_cb) {
    // SAFETY: caller guarantees `h` and its loop are live; each per-type close is given
    // the handle's own type.
    unsafe {
        (*h).flags |= CLOSING;
        (*h).close_cb = cb;
        match (*h).r#type {
            UV_TIMER => crate::timer::stop(h.cast()),
            UV_IDLE | UV_PREPARE | UV_CHECK => crate::watcher::stop(h),
            UV_ASYNC => crate::async_handle::close(h.cast()),
            UV_TCP | UV_NAMED_PIPE | UV_TTY => crate::stream::close(h),
            UV_UDP => crate::udp::close(h),
            UV_POLL => crate::poll::close(h),
            UV_SIGNAL => crate::signal::close(h),
            UV_PROCESS => crate::process::close(h),
            UV_FS_EVENT => crate::fs_event::close(h),
            UV_FS_POLL => crate::fs_poll::close(h),
            _ => stop(h),
        }
        crate::uvloop::make_close_pending(h);
    }
}

/// Finishes closing `h` in the closing phase: unlinks it and runs its close callback.
///
/// # Safety
/// `h` is a closing handle taken off its loop's closing list.
pub(crate) unsafe fn finish_close(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` is live until its close callback returns.
    unsafe {
        // Per-type last words before the close callback (a stream fails its queued
        // writes with UV_ECANCELED, as libuv does).
        match (*h).r#type {
            UV_TCP | UV_NAMED_PIPE | UV_TTY => crate::stream::finish_close(h),
            UV_UDP => crate::udp::finish_close(h),
            UV_FS_POLL => crate::fs_poll::finish_close(h),
            _ => {}
        }
        // Closed: no longer active or referenced (uv_has_ref reads 0, as in libuv).
        (*h).flags = ((*h).flags | CLOSED) & !REF;
        queue::remove((&raw mut (*h).handle_queue).cast());
        if let Some(cb) = (*h).close_cb {
            cb(h);
        }
    }
}

/// The handle owning a `handle_queue` node.
#[inline(always)]
pub(crate) fn from_queue_node(q: *mut queue::Node) -> *mut uv_handle_t {
    q.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(uv_handle_t, handle_queue))
        .cast()
}
