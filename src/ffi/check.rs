//! The one argument checker of the C surface. Every entry point that takes a handle runs
//! it through [`live`] (usable: not NULL, a type tag the pointee's Rust type accepts, not
//! closing or closed) or [`typed`] (the same without the closing test, for the calls libuv
//! allows on a closing handle: the stops, the getters), and gets back a validated pointer
//! or the code to return, `UV_EINVAL` unless the caller chose another one for a closing
//! handle ([`live_else`]).
//!
//! Which tags a Rust type accepts is [`Handle::accepts`]: one tag for each concrete handle
//! type, TCP/pipe/TTY for `uv_stream_t`, any valid tag for `uv_handle_t`.

use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::uvloop::handle;
use core::ffi::c_int;

/// A handle struct: starts with libuv's handle base fields, so its type tag (`type`) and
/// flags can be read through `*const uv_handle_t`.
///
/// # Safety
/// Implement only for `#[repr(C)]` structs whose leading fields are `uv_handle_t`'s.
pub(crate) unsafe trait Handle {
    /// May a handle with type tag `tag` be viewed as `Self`?
    fn accepts(tag: c_int) -> bool;
}

macro_rules! one_tag {
    ($($t:ty => $tag:expr),* $(,)?) => {$(
        // SAFETY: a libuv handle struct (crate::abi), base fields first.
        unsafe impl Handle for $t {
            #[inline(always)]
            fn accepts(tag: c_int) -> bool {
                tag == $tag
            }
        }
    )*};
}

one_tag!(
    uv_tcp_t => UV_TCP,
    uv_pipe_t => UV_NAMED_PIPE,
    uv_tty_t => UV_TTY,
    uv_udp_t => UV_UDP,
    uv_poll_t => UV_POLL,
    uv_signal_t => UV_SIGNAL,
    uv_timer_t => UV_TIMER,
    uv_idle_t => UV_IDLE,
    uv_prepare_t => UV_PREPARE,
    uv_check_t => UV_CHECK,
    uv_async_t => UV_ASYNC,
    uv_process_t => UV_PROCESS,
    uv_fs_event_t => UV_FS_EVENT,
    uv_fs_poll_t => UV_FS_POLL,
);

// SAFETY: the stream struct starts with the handle base fields (crate::abi::io).
unsafe impl Handle for uv_stream_t {
    #[inline(always)]
    fn accepts(tag: c_int) -> bool {
        matches!(tag, UV_TCP | UV_NAMED_PIPE | UV_TTY)
    }
}

// SAFETY: the base itself.
unsafe impl Handle for uv_handle_t {
    #[inline(always)]
    fn accepts(tag: c_int) -> bool {
        tag > UV_UNKNOWN_HANDLE && tag < UV_HANDLE_TYPE_MAX
    }
}

/// `p`, if it is not NULL and its type tag suits `T` (closing or not); else `UV_EINVAL`.
///
/// # Safety
/// `p` is NULL or points to readable memory of at least `uv_handle_t`'s size.
#[inline(always)]
pub(crate) unsafe fn typed<T: Handle>(p: *const T) -> Result<*mut T, c_int> {
    let b: *const uv_handle_t = p.cast();
    // SAFETY: non-NULL `p` is readable handle memory (caller); `T: Handle` puts the type
    // tag where `uv_handle_t` has it.
    if b.is_null() || !T::accepts(unsafe { (*b).r#type }) {
        return Err(UV_EINVAL);
    }
    Ok(p.cast_mut())
}

/// `p`, if [`typed`] and not closing or closed; `closing` is the code for a closing one.
///
/// # Safety
/// As [`typed`].
#[inline(always)]
pub(crate) unsafe fn live_else<T: Handle>(p: *const T, closing: c_int) -> Result<*mut T, c_int> {
    // SAFETY: forwarded caller guarantee.
    let p = unsafe { typed(p)? };
    // SAFETY: `typed` found a handle of a known type, so its flags are initialised.
    if unsafe { handle::is_closing(p.cast()) } {
        return Err(closing);
    }
    Ok(p)
}

/// `p`, if [`typed`] and not closing or closed; else `UV_EINVAL`. The check every entry
/// point that starts or changes a handle makes.
///
/// # Safety
/// As [`typed`].
#[inline(always)]
pub(crate) unsafe fn live<T: Handle>(p: *const T) -> Result<*mut T, c_int> {
    // SAFETY: forwarded caller guarantee.
    unsafe { live_else(p, UV_EINVAL) }
}

/// Unwraps a checker's `Result`, returning its error code from the entry point.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => return code,
        }
    };
}
pub(crate) use tri;

/// Is (`buffer`, `size`) a usable pair of libuv's buffer protocol (see [`crate::os`]):
/// neither NULL, and `*size` not 0?
///
/// # Safety
/// `size` is NULL or readable.
#[inline]
pub(crate) unsafe fn out_buf(buffer: *mut core::ffi::c_char, size: *const usize) -> bool {
    // SAFETY: non-NULL `size` is readable (caller).
    !buffer.is_null() && !size.is_null() && unsafe { *size } != 0
}

/// A request struct: starts with libuv's request base fields, so its type tag can be read
/// through `*const uv_req_t`.
///
/// # Safety
/// Implement only for `#[repr(C)]` structs whose leading fields are `uv_req_t`'s.
pub(crate) unsafe trait Request {
    /// The type tag a request of this struct carries once submitted.
    const TAG: c_int;
}

macro_rules! req_tag {
    ($($t:ty => $tag:expr),* $(,)?) => {$(
        // SAFETY: a libuv request struct (crate::abi), base fields first.
        unsafe impl Request for $t {
            const TAG: c_int = $tag;
        }
    )*};
}

req_tag!(
    uv_fs_t => UV_FS,
    uv_write_t => UV_WRITE,
    uv_connect_t => UV_CONNECT,
    uv_shutdown_t => UV_SHUTDOWN,
    uv_udp_send_t => UV_UDP_SEND,
    uv_work_t => UV_WORK,
    uv_getaddrinfo_t => UV_GETADDRINFO,
    uv_getnameinfo_t => UV_GETNAMEINFO,
    uv_random_t => UV_RANDOM,
);

/// `p`, if it is not NULL and carries its struct's type tag (it was submitted at least
/// once); else `UV_EINVAL`. For the calls that read a request back: its getters, cleanup.
///
/// # Safety
/// `p` is NULL or points to readable memory of at least `uv_req_t`'s size.
#[inline(always)]
pub(crate) unsafe fn request<T: Request>(p: *const T) -> Result<*mut T, c_int> {
    let b: *const uv_req_t = p.cast();
    // SAFETY: non-NULL `p` is readable request memory (caller); `T: Request` puts the type
    // tag where `uv_req_t` has it.
    if b.is_null() || unsafe { (*b).r#type } != T::TAG {
        return Err(UV_EINVAL);
    }
    Ok(p.cast_mut())
}

/// The buffer list of a write or send (libuv 1.53's rules): `bufs` not NULL, `nbufs` from
/// 1 to [`MAX_BUFS`], at most [`IO_MAX_BYTES`] bytes in all; else `UV_EINVAL`.
///
/// # Safety
/// `bufs` is NULL or readable for `nbufs` buffers (checked against [`MAX_BUFS`] first).
pub(crate) unsafe fn bufs<'a>(
    bufs: *const uv_buf_t,
    nbufs: core::ffi::c_uint,
) -> Result<&'a [uv_buf_t], c_int> {
    let n = nbufs as usize;
    if bufs.is_null() || n == 0 || n > MAX_BUFS {
        return Err(UV_EINVAL);
    }
    // SAFETY: `n` buffers are readable (caller).
    let list = unsafe { core::slice::from_raw_parts(bufs, n) };
    let mut total = 0usize;
    for b in list {
        total = total.saturating_add(b.len);
        if total > IO_MAX_BYTES {
            return Err(UV_EINVAL);
        }
    }
    Ok(list)
}

/// A request about to be submitted to `l` must not be pending there already (submitted,
/// its callback not yet called): `UV_EBUSY`, and the first submission goes on untouched.
/// Asks the loop's in-flight registry; reads nothing of `req`, which may be
/// uninitialised memory on its first submission.
///
/// # Safety
/// `l` is an open loop run by this thread.
#[inline]
pub(crate) unsafe fn not_pending<T>(l: *mut uv_loop_t, req: *const T) -> Result<(), c_int> {
    // SAFETY: forwarded caller guarantee.
    if unsafe { crate::uvloop::inflight::busy(l, req.cast()) } {
        return Err(crate::abi::errno::UV_EBUSY);
    }
    Ok(())
}
