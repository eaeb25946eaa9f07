//! C entry points of TTY handles. Each checks its pointers and the handle's type tag
//! (`UV_TTY`), then calls [`crate::tty`]. Loop thread only, except `uv_tty_reset_mode`
//! (any thread, and async-signal-safe).

use super::check::{self, tri};
use crate::abi::errno::{UV_EINVAL, UV_ENOTSUP};
use crate::abi::*;
use crate::tty;
use core::ffi::c_int;

/// `unused`: libuv's deprecated `readable` argument, ignored (the descriptor's access
/// mode decides).
///
/// # Safety
/// `loop_` is an initialised loop; `tty` writable memory of `sizeof(uv_tty_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_init(
    r#loop: *mut uv_loop_t,
    tty: *mut uv_tty_t,
    fd: uv_file,
    readable: c_int,
) -> c_int {
    let _ = readable;
    if r#loop.is_null() || tty.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, initialised loop and writable handle (caller).
    unsafe { tty::init(r#loop, tty, fd) }
}

/// # Safety
/// `tty` is an initialised TTY handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_set_mode(tty: *mut uv_tty_t, mode: TtyModeArg) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let tty = tri!(check::live(tty));
        tty::set_mode(tty, mode)
    }
}

/// Restores the terminal attributes saved by the first `uv_tty_set_mode` away from normal
/// mode. Async-signal-safe; `UV_EBUSY` if it interrupted `uv_tty_set_mode`.
#[unsafe(no_mangle)]
pub extern "C" fn uv_tty_reset_mode() -> c_int {
    tty::reset_mode()
}

/// # Safety
/// `tty` is an initialised TTY handle; `width` and `height` are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_winsize(
    tty: *mut uv_tty_t,
    width: *mut c_int,
    height: *mut c_int,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let tty = tri!(check::typed(tty));
        if width.is_null() || height.is_null() {
            return UV_EINVAL;
        }
        tty::get_winsize(tty, width, height)
    }
}

/// A no-op on Unix, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_tty_set_vterm_state(state: TtyVtermstateArg) {
    let _ = state;
}

/// `UV_ENOTSUP` on Unix, as in libuv.
///
/// # Safety
/// Any argument.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_vterm_state(state: *mut TtyVtermstateArg) -> c_int {
    let _ = state;
    UV_ENOTSUP
}
