//! Not implemented yet: signals. Each stub fails as libuv documents a failure.

#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

#[allow(unused_imports)]
use super::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_init(r#loop: *mut uv_loop_t, handle: *mut uv_signal_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start_oneshot(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_stop(handle: *mut uv_signal_t) -> c_int {
    ENOSYS
}
