//! C entry points of the file system watchers: `uv_fs_event_*` ([`crate::fs_event`],
//! inotify) and `uv_fs_poll_*` ([`crate::fs_poll`], periodic stat). Each checks its
//! pointers and the handle's type tag (and closing state where a closing handle must not
//! start). Loop thread only.

use super::check::{self, tri};
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use core::ffi::{CStr, c_char, c_int, c_uint};

// ---------------------------------------------------------------------------------------
// fs_event.

/// # Safety
/// `loop_` is an initialised loop; `handle` is writable `uv_fs_event_t` memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_fs_event_t,
) -> c_int {
    if r#loop.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { crate::fs_event::init(r#loop, handle) };
    0
}

/// Starts watching `path` (a file or a directory, not recursively: `flags` are ignored on
/// Linux, as by libuv). `UV_EINVAL` if the handle is already started.
///
/// # Safety
/// `handle` is an initialised fs_event handle; `path` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_start(
    handle: *mut uv_fs_event_t,
    cb: uv_fs_event_cb,
    path: *const c_char,
    flags: c_uint,
) -> c_int {
    let _ = flags;
    // SAFETY: type-checked live handle; non-NULL `path` is a C string (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        if path.is_null() {
            return UV_EINVAL;
        }
        crate::fs_event::start(handle, cb, CStr::from_ptr(path))
    }
}

/// # Safety
/// `handle` is an initialised fs_event handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_stop(handle: *mut uv_fs_event_t) -> c_int {
    // SAFETY: type-checked live handle (a closing one is already stopped).
    unsafe {
        let handle = tri!(check::typed(handle));
        crate::fs_event::stop(handle);
    }
    0
}

/// The watched path: `UV_EINVAL` (and `*size` 0) when not started, `UV_ENOBUFS` (and
/// `*size` the length plus one) when `buffer` is too small, else 0 with `*size` the length.
///
/// # Safety
/// `handle` is an initialised fs_event handle; `buffer` has `*size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_getpath(
    handle: *mut uv_fs_event_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: type-checked handle; `size` checked non-NULL, `buffer` holds `*size` bytes.
    unsafe {
        let handle = tri!(check::typed(handle));
        if size.is_null() || (buffer.is_null() && *size > 0) {
            return UV_EINVAL;
        }
        crate::fs_event::getpath(handle, buffer, size)
    }
}

// ---------------------------------------------------------------------------------------
// fs_poll.

/// # Safety
/// `loop_` is an initialised loop; `handle` is writable `uv_fs_poll_t` memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_fs_poll_t,
) -> c_int {
    if r#loop.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { crate::fs_poll::init(r#loop, handle) };
    0
}

/// Starts polling `path` every `interval` ms (0 means 1). A no-op on a started handle.
///
/// # Safety
/// `handle` is an initialised fs_poll handle; `path` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_start(
    handle: *mut uv_fs_poll_t,
    poll_cb: uv_fs_poll_cb,
    path: *const c_char,
    interval: c_uint,
) -> c_int {
    // SAFETY: type-checked live handle; non-NULL `path` is a C string (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        if path.is_null() {
            return UV_EINVAL;
        }
        crate::fs_poll::start(handle, poll_cb, CStr::from_ptr(path), interval)
    }
}

/// # Safety
/// `handle` is an initialised fs_poll handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_stop(handle: *mut uv_fs_poll_t) -> c_int {
    // SAFETY: type-checked live handle (a closing one is already stopped).
    unsafe {
        let handle = tri!(check::typed(handle));
        crate::fs_poll::stop(handle);
    }
    0
}

/// The polled path, with the protocol of [`uv_fs_event_getpath`].
///
/// # Safety
/// `handle` is an initialised fs_poll handle; `buffer` has `*size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_getpath(
    handle: *mut uv_fs_poll_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: type-checked handle; `size` checked non-NULL, `buffer` holds `*size` bytes.
    unsafe {
        let handle = tri!(check::typed(handle));
        if size.is_null() || (buffer.is_null() && *size > 0) {
            return UV_EINVAL;
        }
        crate::fs_poll::getpath(handle, buffer, size)
    }
}
