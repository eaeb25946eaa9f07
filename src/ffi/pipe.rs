//! C entry points of pipe handles and `uv_pipe`. Each checks its pointers, the handle's
//! type tag (`UV_NAMED_PIPE`) and that it is not closing, then calls [`crate::pipe`].
//! Loop thread only (`uv_pipe` from any thread).

use super::check::{self, tri};
use crate::abi::errno::{UV_EBADF, UV_EINVAL};
use crate::abi::*;
use crate::pipe;
use core::ffi::{c_char, c_int};

/// A pipe(2) pair in `fds` (read end first), close-on-exec; `UV_NONBLOCK_PIPE` in a
/// flags argument makes that end non-blocking.
///
/// # Safety
/// `fds` has room for two descriptors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe(
    fds: *mut uv_file,
    read_flags: c_int,
    write_flags: c_int,
) -> c_int {
    if fds.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, room for two (caller).
    unsafe {
        pipe::pipe(
            fds,
            read_flags & UV_NONBLOCK_PIPE != 0,
            write_flags & UV_NONBLOCK_PIPE != 0,
        )
    }
}

/// `ipc != 0`: the pipe passes handles (`uv_write2`, `uv_accept`).
///
/// # Safety
/// `loop_` is an initialised loop; `handle` writable memory of `sizeof(uv_pipe_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_init(
    loop_: *mut uv_loop_t,
    handle: *mut uv_pipe_t,
    ipc: c_int,
) -> c_int {
    if loop_.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, initialised loop and writable handle (caller).
    unsafe { pipe::init(loop_, handle, ipc) };
    0
}

/// # Safety
/// `handle` is an initialised pipe handle; `file` a descriptor it takes over.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_open(handle: *mut uv_pipe_t, file: uv_file) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        if file < 0 {
            return UV_EBADF;
        }
        pipe::open(handle, file)
    }
}

/// # Safety
/// `handle` is an initialised pipe handle; `name` a NUL-terminated path.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_bind(handle: *mut uv_pipe_t, name: *const c_char) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::live(handle).is_err() || name.is_null() {
            return UV_EINVAL;
        }
        pipe::bind(handle, name)
    }
}

/// Reports only through `cb`, in a later loop phase, even on immediate failure (a NULL
/// name: `UV_EINVAL`; a connect already in progress: `UV_EALREADY`). With a NULL request
/// or a NULL, closed or closing handle nothing can be reported and nothing happens.
///
/// # Safety
/// `req` is writable request memory; `handle` an initialised pipe handle; `name` a
/// NUL-terminated path.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_connect(
    req: *mut uv_connect_t,
    handle: *mut uv_pipe_t,
    name: *const c_char,
    cb: uv_connect_cb,
) {
    // SAFETY: checked before use.
    unsafe {
        if req.is_null() || check::live(handle).is_err() {
            return;
        }
        if name.is_null() {
            pipe::fail_later(req, handle, UV_EINVAL, cb);
        } else if !(*handle).connect_req.is_null() {
            pipe::fail_later(req, handle, crate::abi::errno::UV_EALREADY, cb);
        } else {
            pipe::connect(req, handle, name, cb)
        }
    }
}

/// # Safety
/// `handle` is an initialised pipe handle; `buffer` has `*size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getsockname(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() || size.is_null() {
            return UV_EINVAL;
        }
        if buffer.is_null() && *size != 0 {
            return UV_EINVAL;
        }
        pipe::sock_peer_name(handle, false, buffer, size)
    }
}

/// # Safety
/// As [`uv_pipe_getsockname`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getpeername(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() || size.is_null() {
            return UV_EINVAL;
        }
        if buffer.is_null() && *size != 0 {
            return UV_EINVAL;
        }
        pipe::sock_peer_name(handle, true, buffer, size)
    }
}

/// A no-op on Unix, as in libuv.
///
/// # Safety
/// Any arguments.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_instances(handle: *mut uv_pipe_t, count: c_int) {
    let _ = (handle, count);
}

/// How many received handles wait for `uv_accept` (0 unless an IPC pipe).
///
/// # Safety
/// `handle` is NULL or an initialised pipe handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_count(handle: *mut uv_pipe_t) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() {
            return 0;
        }
        pipe::pending_count(handle)
    }
}

/// The type of the next handle `uv_accept` would give (`UV_UNKNOWN_HANDLE`: none).
///
/// # Safety
/// `handle` is NULL or an initialised pipe handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_type(handle: *mut uv_pipe_t) -> HandleTypeArg {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() {
            return crate::abi::UV_UNKNOWN_HANDLE;
        }
        pipe::pending_type(handle)
    }
}

/// Makes the bound socket file readable and/or writable by everyone (`UV_READABLE`,
/// `UV_WRITABLE`).
///
/// # Safety
/// `handle` is NULL or an initialised pipe handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_chmod(handle: *mut uv_pipe_t, flags: c_int) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        // libuv answers UV_EBADF for NULL, and its own test asserts it.
        if check::typed(handle).is_err() {
            return UV_EBADF;
        }
        if crate::stream::fd(handle.cast()) == -1 {
            return UV_EBADF;
        }
        if flags != 1 && flags != 2 && flags != 3 {
            return UV_EINVAL;
        }
        pipe::chmod(handle, flags)
    }
}
