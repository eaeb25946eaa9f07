//! C entry points of poll handles (`uv_poll_*`). Each checks its pointers, the handle's
//! type tag and closing state, and the event mask, then calls into [`crate::poll`].
//! Loop thread only.

use super::check::{self, tri};
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use core::ffi::c_int;

/// Initialises a poll handle on descriptor `fd`, which becomes non-blocking.
/// `UV_EEXIST` if the loop already watches `fd`; `UV_EPERM` for a descriptor epoll cannot
/// watch (a regular file, a directory); `UV_EBADF` for a bad descriptor.
///
/// # Safety
/// `loop_` is an initialised loop; `handle` is writable `uv_poll_t` memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    fd: c_int,
) -> c_int {
    if r#loop.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { crate::poll::init(r#loop, handle, fd) }
}

/// `uv_poll_init` for a socket; on Unix the same thing.
///
/// # Safety
/// As [`uv_poll_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init_socket(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    socket: uv_os_sock_t,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { uv_poll_init(r#loop, handle, socket) }
}

/// Starts (or changes the events of) a poll handle. `events` is a mask of `UV_READABLE`,
/// `UV_WRITABLE`, `UV_DISCONNECT` and `UV_PRIORITIZED` (anything else: `UV_EINVAL`); 0
/// stops the handle. `UV_EEXIST` while another handle polls the same descriptor.
///
/// # Safety
/// `handle` is an initialised poll handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_start(
    handle: *mut uv_poll_t,
    events: c_int,
    cb: uv_poll_cb,
) -> c_int {
    // SAFETY: type-checked live poll handle.
    unsafe {
        if check::live(handle).is_err() || events & !crate::poll::ALL_EVENTS != 0 {
            return UV_EINVAL;
        }
        crate::poll::start(handle, events, cb)
    }
}

/// Stops a poll handle; its callback is not called again until it is restarted.
///
/// # Safety
/// `handle` is an initialised poll handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_stop(handle: *mut uv_poll_t) -> c_int {
    // SAFETY: type-checked live poll handle.
    unsafe {
        let handle = tri!(check::live(handle));
        crate::poll::stop(handle);
    }
    0
}
