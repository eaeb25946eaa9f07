//! Not implemented yet: pipes. Each stub fails as libuv documents a failure.

#![allow(unused_variables)]
#![allow(clippy::missing_safety_doc)]

#[allow(unused_imports)]
use super::*;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe(
    fds: *mut uv_file,
    read_flags: c_int,
    write_flags: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_pipe_t,
    ipc: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_open(handle: *mut uv_pipe_t, file: uv_file) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_bind(handle: *mut uv_pipe_t, name: *const c_char) -> c_int {
    ENOSYS
}

/// Not implemented: reports only through `cb`, which a stub never calls.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_connect(
    req: *mut uv_connect_t,
    handle: *mut uv_pipe_t,
    name: *const c_char,
    cb: uv_connect_cb,
) {
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getsockname(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getpeername(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

/// A no-op on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_instances(handle: *mut uv_pipe_t, count: c_int) {}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_count(handle: *mut uv_pipe_t) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_type(handle: *mut uv_pipe_t) -> HandleTypeArg {
    UNKNOWN_HANDLE
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_chmod(handle: *mut uv_pipe_t, flags: c_int) -> c_int {
    ENOSYS
}
