//! Not implemented yet: processes. Each stub fails as libuv documents a failure.

#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

#[allow(unused_imports)]
use super::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_spawn(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_process_t,
    options: *const uv_process_options_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_kill(handle: *mut uv_process_t, signum: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_kill(pid: c_int, signum: c_int) -> c_int {
    ENOSYS
}

/// The child's process id (`pid`); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_get_pid(handle: *const uv_process_t) -> uv_pid_t {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialized process handle (libuv's
    // contract); it is not NULL, and only a plain field is read.
    unsafe { (*handle).pid }
}
