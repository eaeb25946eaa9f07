//! What every handle shares: initialisation onto its loop's handle list, the
//! active/referenced accounting that decides the loop's liveness, and closing.
//!
//! Flags keep libuv's bit values (`uv_handle_t.flags`, offset 88), because programs read
//! and set some of them (0x4000, "readable", on a write-only pipe).
//!
//! Close callbacks run in the loop's closing phase, most recently closed first.

use crate::ffi::types::*;
use crate::queue;
use core::ffi::c_int;

pub(crate) const CLOSING: u32 = 0x0000_0001;
pub(crate) const CLOSED: u32 = 0x0000_0002;
pub(crate) const ACTIVE: u32 = 0x0000_0004;
pub(crate) const REF: u32 = 0x0000_0008;
pub(crate) const INTERNAL: u32 = 0x0000_0010;
#[allow(dead_code)]
pub(crate) const READABLE: u32 = 0x0000_4000;
#[allow(dead_code)]
pub(crate) const WRITABLE: u32 = 0x0000_8000;
/// `UV_SIGNAL_ONE_SHOT`: a signal handle started with `uv_signal_start_oneshot`.
pub(crate) const SIGNAL_ONE_SHOT: u32 = 0x0200_0000;
/// `UV_HANDLE_BOUND`: a socket handle was bound (UDP, TCP).
#[allow(dead_code)]
pub(crate) const BOUND: u32 = 0x0000_2000;
/// `UV_HANDLE_IPV6`: the socket is AF_INET6 (UDP, TCP).
#[allow(dead_code)]
pub(crate) const IPV6: u32 = 0x0040_0000;
/// `UV_HANDLE_UDP_PROCESSING`: a UDP handle is running its send callbacks.
pub(crate) const UDP_PROCESSING: u32 = 0x0100_0000;
/// `UV_HANDLE_UDP_CONNECTED`: a UDP handle has a default peer (`uv_udp_connect`).
pub(crate) const UDP_CONNECTED: u32 = 0x0200_0000;
/// `UV_HANDLE_UDP_RECVMMSG`: `uv_udp_init_ex` was given `UV_UDP_RECVMMSG`.
pub(crate) const UDP_RECVMMSG: u32 = 0x0400_0000;
/// `UV_HANDLE_SHUTTING`: a stream has a shutdown request queued.
pub(crate) const SHUTTING: u32 = 0x0000_0100;
/// `UV_HANDLE_SHUT`: a stream's write side was shut down.
pub(crate) const SHUT: u32 = 0x0000_0200;
/// `UV_HANDLE_READ_PARTIAL`: a stream's last read did not fill the buffer.
pub(crate) const READ_PARTIAL: u32 = 0x0000_0400;
/// `UV_HANDLE_READ_EOF`: a stream read end-of-file.
pub(crate) const READ_EOF: u32 = 0x0000_0800;
/// `UV_HANDLE_READING`: `uv_read_start` is in force on a stream.
pub(crate) const READING: u32 = 0x0000_1000;
/// `UV_HANDLE_BLOCKING_WRITES`: a stream writes synchronously (a TTY that was not reopened).
pub(crate) const BLOCKING_WRITES: u32 = 0x0010_0000;
/// `UV_HANDLE_TCP_NODELAY`: apply TCP_NODELAY when the socket is created.
pub(crate) const TCP_NODELAY: u32 = 0x0100_0000;
/// `UV_HANDLE_TCP_KEEPALIVE`: apply SO_KEEPALIVE when the socket is created.
pub(crate) const TCP_KEEPALIVE: u32 = 0x0200_0000;
/// `UV_HANDLE_TCP_SINGLE_ACCEPT`: `uv_tcp_simultaneous_accepts(h, 0)`.
pub(crate) const TCP_SINGLE_ACCEPT: u32 = 0x0400_0000;

// Handle type tags (uv_handle_type), as plain ints.
pub(crate) const UV_UNKNOWN_HANDLE: c_int = 0;
pub(crate) const UV_ASYNC: c_int = 1;
pub(crate) const UV_CHECK: c_int = 2;
pub(crate) const UV_FS_EVENT: c_int = 3;
pub(crate) const UV_FS_POLL: c_int = 4;
pub(crate) const UV_HANDLE: c_int = 5;
pub(crate) const UV_IDLE: c_int = 6;
pub(crate) const UV_NAMED_PIPE: c_int = 7;
pub(crate) const UV_POLL: c_int = 8;
pub(crate) const UV_PREPARE: c_int = 9;
pub(crate) const UV_PROCESS: c_int = 10;
pub(crate) const UV_STREAM: c_int = 11;
pub(crate) const UV_TCP: c_int = 12;
pub(crate) const UV_TIMER: c_int = 13;
pub(crate) const UV_TTY: c_int = 14;
pub(crate) const UV_UDP: c_int = 15;
pub(crate) const UV_SIGNAL: c_int = 16;
pub(crate) const UV_HANDLE_TYPE_MAX: c_int = 18;

/// libuv's lower-case names, indexed by type tag (`uv_handle_type_name`).
pub(crate) const TYPE_NAMES: [&core::ffi::CStr; 18] = [
    c"unknown",
    c"async",
    c"check",
    c"fs_event",
    c"fs_poll",
    c"handle",
    c"idle",
    c"pipe",
    c"poll",
    c"prepare",
    c"process",
    c"stream",
    c"tcp",
    c"timer",
    c"tty",
    c"udp",
    c"signal",
    c"file",
];

/// `sizeof` of each handle type, indexed by type tag (`uv_handle_size`).
pub(crate) fn size_of_type(t: c_int) -> Option<usize> {
    Some(match t {
        UV_ASYNC => 128,
        UV_CHECK | UV_IDLE | UV_PREPARE => 120,
        UV_FS_EVENT => 136,
        UV_FS_POLL => 104,
        UV_HANDLE => 96,
        UV_NAMED_PIPE => 264,
        UV_POLL => 160,
        UV_PROCESS => 136,
        UV_STREAM | UV_TCP => 248,
        UV_TIMER => 152,
        UV_TTY => 312,
        UV_UDP => 216,
        UV_SIGNAL => 152,
        _ => return None,
    })
}

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
