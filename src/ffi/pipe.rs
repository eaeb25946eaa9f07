//! C entry points of pipe handles and `uv_pipe`. Each checks its pointers, the handle's
//! type tag (`UV_NAMED_PIPE`) and that it is not closing, then calls [`crate::pipe`].
//! Loop thread only (`uv_pipe` from any thread).

use super::check::{self, tri};
use crate::abi::errno::{UV_EBADF, UV_EINVAL};
use crate::abi::*;
use crate::pipe;
use core::ffi::{CStr, c_char, c_int, c_uint};

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
    if name.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a non-NULL `name` is a C string (caller); the rest as uv_pipe_bind2.
    unsafe { uv_pipe_bind2(handle, name, CStr::from_ptr(name).to_bytes().len(), 0) }
}

/// The name argument of `uv_pipe_bind2` / `uv_pipe_connect2` (libuv 1.53's rules): not
/// NULL; flags 0 or `UV_PIPE_NO_TRUNCATE`, which refuses a name longer than `sun_path`
/// instead of cutting it; no NUL inside a path (an abstract name, which starts with NUL,
/// may hold any byte); empty only where `empty_ok` (bind: the kernel picks a name).
///
/// # Safety
/// `name` is NULL or readable for `namelen` bytes.
unsafe fn pipe_name<'a>(
    name: *const c_char,
    namelen: usize,
    flags: c_uint,
    empty_ok: bool,
) -> Result<&'a [u8], c_int> {
    if flags & !UV_PIPE_NO_TRUNCATE != 0 || name.is_null() {
        return Err(UV_EINVAL);
    }
    if namelen == 0 && !empty_ok {
        return Err(UV_EINVAL);
    }
    // SAFETY: `namelen` readable bytes (caller).
    let bytes = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), namelen) };
    if bytes.first().is_some_and(|&b| b != 0) && bytes.contains(&0) {
        return Err(UV_EINVAL);
    }
    if flags & UV_PIPE_NO_TRUNCATE != 0 && namelen > pipe::NAME_MAX {
        return Err(UV_EINVAL);
    }
    Ok(bytes)
}

/// `uv_pipe_bind2` (libuv 1.46): binds to `namelen` bytes of `name`, which may be a Linux
/// abstract name (a leading NUL) or empty (the kernel picks an abstract name).
///
/// # Safety
/// `handle` is NULL or an initialised pipe handle; `name` NULL or `namelen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_bind2(
    handle: *mut uv_pipe_t,
    name: *const c_char,
    namelen: usize,
    flags: c_uint,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let name = tri!(pipe_name(name, namelen, flags, true));
        let handle = tri!(check::live(handle));
        pipe::bind(handle, name)
    }
}

/// `uv_pipe_connect2` (libuv 1.46): as `uv_pipe_connect` to `namelen` bytes of `name`
/// (abstract names too); a bad argument is returned, not reported through `cb`.
///
/// # Safety
/// `req` is writable request memory; `handle` an initialised pipe handle; `name` NULL or
/// `namelen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_connect2(
    req: *mut uv_connect_t,
    handle: *mut uv_pipe_t,
    name: *const c_char,
    namelen: usize,
    flags: c_uint,
    cb: uv_connect_cb,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let name = tri!(pipe_name(name, namelen, flags, false));
        if req.is_null() {
            return UV_EINVAL;
        }
        let handle = tri!(check::live(handle));
        if !(*handle).connect_req.is_null() {
            return crate::abi::errno::UV_EALREADY;
        }
        if crate::stream::busy(handle.cast(), req) {
            return crate::abi::errno::UV_EBUSY;
        }
        pipe::connect(req, handle, name, cb);
    }
    0
}

/// Reports only through `cb`, in a later loop phase, even on immediate failure (a NULL
/// name: `UV_EINVAL`; a connect already in progress: `UV_EALREADY`). With a NULL request,
/// a NULL, closed or closing handle, or a request still pending, nothing can be reported
/// and nothing happens.
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
        // Still pending: nothing can be reported (its callback belongs to the first
        // submission), and nothing happens.
        if crate::stream::busy(handle.cast(), req) {
            return;
        }
        if name.is_null() {
            pipe::fail_later(req, handle, UV_EINVAL, cb);
        } else if !(*handle).connect_req.is_null() {
            pipe::fail_later(req, handle, crate::abi::errno::UV_EALREADY, cb);
        } else {
            pipe::connect(req, handle, CStr::from_ptr(name).to_bytes(), cb)
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
        // libuv 1.53: no buffer, no size or a size of 0 is refused before anything else.
        if !check::out_buf(buffer, size) || check::typed(handle).is_err() {
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
        if !check::out_buf(buffer, size) || check::typed(handle).is_err() {
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
