//! Not implemented yet: tty. Each stub fails as libuv documents a failure.

#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

#[allow(unused_imports)]
use super::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_init(
    r#loop: *mut uv_loop_t,
    tty: *mut uv_tty_t,
    fd: uv_file,
    readable: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_set_mode(tty: *mut uv_tty_t, mode: TtyModeArg) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_reset_mode() -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_winsize(
    tty: *mut uv_tty_t,
    width: *mut c_int,
    height: *mut c_int,
) -> c_int {
    ENOSYS
}

/// A no-op on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_set_vterm_state(state: TtyVtermstateArg) {}

/// `UV_ENOTSUP` on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_vterm_state(state: *mut TtyVtermstateArg) -> c_int {
    ENOTSUP
}
