//! Not implemented yet: poll. Each stub fails as libuv documents a failure.

#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

#[allow(unused_imports)]
use super::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    fd: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init_socket(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    socket: uv_os_sock_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_start(
    handle: *mut uv_poll_t,
    events: c_int,
    cb: uv_poll_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_stop(handle: *mut uv_poll_t) -> c_int {
    ENOSYS
}
