//! C entry points of streams (TCP, pipe and TTY handles seen through `uv_stream_t`):
//! listen/accept, reading, writing, shutdown, and the socket buffer sizes. Each checks
//! its pointers and the handle's type tag, then calls [`crate::stream`]. A closing handle
//! gets `UV_EINVAL`, except the writes, which report `UV_EBADF` as libuv does (the
//! descriptor is gone). Loop thread only.

use super::check::{self, tri};
use crate::abi::errno::{UV_EALREADY, UV_EBADF, UV_EINVAL, UV_ENOTCONN, UV_ENOTSUP};
use crate::abi::flags::{READABLE, READING, WRITABLE};
use crate::abi::*;
use crate::stream;
use crate::uvloop::handle;
use core::ffi::{c_int, c_uint};

/// # Safety
/// `stream` is NULL or an initialised stream handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_listen(
    stream: *mut uv_stream_t,
    backlog: c_int,
    cb: uv_connection_cb,
) -> c_int {
    // SAFETY: a non-NULL stream is initialised (caller); the type decides the cast.
    unsafe {
        let stream = tri!(check::live(stream));
        match (*stream).r#type {
            crate::abi::UV_TCP => crate::tcp::listen(stream.cast(), backlog, cb),
            crate::abi::UV_NAMED_PIPE => crate::pipe::listen(stream.cast(), backlog, cb),
            _ => UV_EINVAL,
        }
    }
}

/// # Safety
/// `server` and `client` are NULL or initialised handles.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_accept(server: *mut uv_stream_t, client: *mut uv_stream_t) -> c_int {
    // SAFETY: non-NULL handles are initialised (caller).
    unsafe {
        let server = tri!(check::live(server));
        if client.is_null() {
            return UV_EINVAL;
        }
        if handle::is_closing(client.cast()) || (*server).r#loop != (*client).r#loop {
            return UV_EINVAL;
        }
        stream::server::accept_into(server, client)
    }
}

/// # Safety
/// `stream` is NULL or an initialised stream handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_read_start(
    stream: *mut uv_stream_t,
    alloc_cb: uv_alloc_cb,
    read_cb: uv_read_cb,
) -> c_int {
    // SAFETY: a non-NULL stream is initialised (caller).
    unsafe {
        if alloc_cb.is_none() || read_cb.is_none() {
            return UV_EINVAL;
        }
        let stream = tri!(check::live(stream));
        if (*stream).flags & READING != 0 {
            return UV_EALREADY;
        }
        if (*stream).flags & READABLE == 0 {
            return UV_ENOTCONN;
        }
        stream::read_start(stream, alloc_cb, read_cb)
    }
}

/// # Safety
/// `stream` is NULL or an initialised stream handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_read_stop(stream: *mut uv_stream_t) -> c_int {
    // SAFETY: a non-NULL stream is initialised (caller).
    unsafe {
        let stream = tri!(check::typed(stream));
        stream::read_stop(stream);
    }
    0
}

/// Checks shared by the writes: stream and buffers (`nbufs > 0`). The send handle is
/// checked by the core (`UV_EBADF` for one without a descriptor to send, as libuv).
unsafe fn write_args(s: *mut uv_stream_t, bufs: *const uv_buf_t, nbufs: c_uint) -> c_int {
    // SAFETY: `s` is NULL or initialised (caller).
    unsafe {
        let s = tri!(check::typed(s));
        tri!(check::bufs(bufs, nbufs));
        tri!(check::live_else(s, UV_EBADF));
    }
    0
}

/// # Safety
/// `req` is writable request memory; `handle` an initialised stream; `bufs` holds `nbufs`
/// buffers whose memory stays valid until the callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_write(
    req: *mut uv_write_t,
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    cb: uv_write_cb,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { uv_write2(req, handle, bufs, nbufs, core::ptr::null_mut(), cb) }
}

/// # Safety
/// As [`uv_write`]; `send_handle` is NULL or an initialised TCP, pipe or UDP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_write2(
    req: *mut uv_write_t,
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
    cb: uv_write_cb,
) -> c_int {
    if req.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments are checked before the core trusts them.
    unsafe {
        let r = write_args(handle, bufs, nbufs);
        if r != 0 {
            return r;
        }
        stream::write::write2(req, handle, bufs, nbufs, send_handle, cb)
    }
}

/// # Safety
/// `handle` is an initialised stream; `bufs` holds `nbufs` buffers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_try_write(
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { uv_try_write2(handle, bufs, nbufs, core::ptr::null_mut()) }
}

/// # Safety
/// As [`uv_try_write`]; `send_handle` is NULL or an initialised TCP, pipe or UDP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_try_write2(
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
) -> c_int {
    // SAFETY: the arguments are checked before the core trusts them.
    unsafe {
        let r = write_args(handle, bufs, nbufs);
        if r != 0 {
            return r;
        }
        stream::write::try_write2(handle, bufs, nbufs, send_handle)
    }
}

/// # Safety
/// `req` is writable request memory; `handle` an initialised stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_shutdown(
    req: *mut uv_shutdown_t,
    handle: *mut uv_stream_t,
    cb: uv_shutdown_cb,
) -> c_int {
    // SAFETY: `handle` is NULL or initialised (caller); checked before use.
    unsafe {
        if req.is_null() {
            return UV_EINVAL;
        }
        let handle = tri!(check::live_else(handle, UV_ENOTCONN));
        stream::write::shutdown(req, handle, cb)
    }
}

/// # Safety
/// `handle` is NULL or an initialised stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_readable(handle: *const uv_stream_t) -> c_int {
    // SAFETY: non-NULL handles are initialised (caller).
    (!handle.is_null() && unsafe { (*handle).flags & READABLE != 0 }) as c_int
}

/// # Safety
/// `handle` is NULL or an initialised stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_writable(handle: *const uv_stream_t) -> c_int {
    // SAFETY: non-NULL handles are initialised (caller).
    (!handle.is_null() && unsafe { (*handle).flags & WRITABLE != 0 }) as c_int
}

/// # Safety
/// `handle` is NULL or an initialised stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_stream_set_blocking(
    handle: *mut uv_stream_t,
    blocking: c_int,
) -> c_int {
    // SAFETY: non-NULL handles are initialised (caller).
    unsafe {
        let handle = tri!(check::typed(handle));
        crate::tcp::set_nonblock(stream::fd(handle), blocking == 0)
    }
}

/// The number of bytes queued for writing (`write_queue_size`); 0 for NULL.
///
/// # Safety
/// `stream` is NULL or an initialised stream.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_stream_get_write_queue_size(stream: *const uv_stream_t) -> usize {
    if stream.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialized stream (libuv's contract);
    // it is not NULL, and only a plain field is read.
    unsafe { (*stream).write_queue_size }
}

/// Gets (`*value == 0`) or sets a socket option of a TCP, pipe or UDP handle.
unsafe fn socket_option(h: *mut uv_handle_t, name: c_int, value: *mut c_int) -> c_int {
    if h.is_null() || value.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL pointers from the caller: an initialised handle, a live int.
    unsafe {
        match (*h).r#type {
            crate::abi::UV_TCP | crate::abi::UV_NAMED_PIPE | crate::abi::UV_UDP => {}
            _ => return UV_ENOTSUP,
        }
        let fd = (*h).u.fd;
        let mut len = core::mem::size_of::<c_int>() as libc::socklen_t;
        let r = if *value == 0 {
            libc::getsockopt(fd, libc::SOL_SOCKET, name, value.cast(), &mut len)
        } else {
            libc::setsockopt(fd, libc::SOL_SOCKET, name, value.cast(), len)
        };
        if r != 0 {
            return crate::abi::errno::last_error();
        }
    }
    0
}

/// Gets or sets SO_SNDBUF. As in libuv 1.44, the value read back is the kernel's, which on
/// Linux is twice the value set.
///
/// # Safety
/// `handle` is NULL or an initialised handle; `value` NULL or a live int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_send_buffer_size(handle: *mut uv_handle_t, value: *mut c_int) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { socket_option(handle, libc::SO_SNDBUF, value) }
}

/// Gets or sets SO_RCVBUF (see [`uv_send_buffer_size`]).
///
/// # Safety
/// `handle` is NULL or an initialised handle; `value` NULL or a live int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_recv_buffer_size(handle: *mut uv_handle_t, value: *mut c_int) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { socket_option(handle, libc::SO_RCVBUF, value) }
}

/// `size_t uv_write_nwritten(const uv_write_t* req)` (libuv 1.53): the bytes a write
/// request has written, meaningful in its callback (after `uv_cancel`, say); 0 for NULL or
/// a request that is not a write.
///
/// # Safety
/// `req` is NULL or readable request memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_write_nwritten(req: *const uv_write_t) -> usize {
    // SAFETY: `request` reads non-NULL request memory only; then a write request's count.
    unsafe { check::request(req) }.map_or(0, |r| unsafe { (*r).write_extra.nwritten })
}
