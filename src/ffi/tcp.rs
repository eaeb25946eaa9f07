//! C entry points of TCP handles and `uv_socketpair`. Each checks its pointers, the
//! handle's type tag (`UV_TCP`) and that it is not closing, then calls [`crate::tcp`].
//! Loop thread only (`uv_socketpair` from any thread).

use super::check::{self, tri};
use crate::abi::errno::UV_EINVAL;
use crate::abi::flags;
use crate::abi::*;
use crate::tcp;
use core::ffi::{c_int, c_uint};

/// # Safety
/// `loop_` is an initialised loop; `handle` writable memory of `sizeof(uv_tcp_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_init(loop_: *mut uv_loop_t, handle: *mut uv_tcp_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { uv_tcp_init_ex(loop_, handle, libc::AF_UNSPEC as c_uint) }
}

/// `flags`: the socket family in the low 8 bits (AF_UNSPEC, AF_INET, AF_INET6); with a
/// family, the socket is created now.
///
/// # Safety
/// As [`uv_tcp_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_init_ex(
    loop_: *mut uv_loop_t,
    handle: *mut uv_tcp_t,
    flags: c_uint,
) -> c_int {
    if loop_.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    let domain = (flags & 0xFF) as c_int;
    if !matches!(domain, libc::AF_INET | libc::AF_INET6 | libc::AF_UNSPEC) || flags & !0xFF != 0 {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, initialised loop and writable handle (caller).
    unsafe { tcp::init(loop_, handle, domain) }
}

/// # Safety
/// `handle` is an initialised TCP handle; `sock` a socket it takes over.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_open(handle: *mut uv_tcp_t, sock: uv_os_sock_t) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::live(handle).is_err() || sock < 0 {
            return UV_EINVAL;
        }
        tcp::open(handle, sock)
    }
}

/// # Safety
/// `handle` is an initialised TCP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_nodelay(handle: *mut uv_tcp_t, enable: c_int) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        tcp::nodelay(handle, enable != 0)
    }
}

/// # Safety
/// `handle` is an initialised TCP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_keepalive(
    handle: *mut uv_tcp_t,
    enable: c_int,
    delay: c_uint,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        tcp::keepalive(handle, enable != 0, delay, 1, 10)
    }
}

/// `uv_tcp_keepalive_ex` (libuv 1.52): keep-alive with its idle time, probe interval and
/// probe count, each at least 1 when enabling (`UV_EINVAL` otherwise).
///
/// # Safety
/// `handle` is NULL or an initialised TCP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_keepalive_ex(
    handle: *mut uv_tcp_t,
    on: c_int,
    idle: c_uint,
    intvl: c_uint,
    cnt: c_uint,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        tcp::keepalive(handle, on != 0, idle, intvl, cnt)
    }
}

/// Accepting one connection per wake-up or as many as there are: a hint only. As in
/// libuv on Unix it sets a flag and returns 0.
///
/// # Safety
/// `handle` is an initialised TCP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_simultaneous_accepts(
    handle: *mut uv_tcp_t,
    enable: c_int,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        if enable != 0 {
            (*handle).flags &= !flags::TCP_SINGLE_ACCEPT;
        } else {
            (*handle).flags |= flags::TCP_SINGLE_ACCEPT;
        }
    }
    0
}

/// # Safety
/// `handle` is an initialised TCP handle; `addr` a `sockaddr_in` or `sockaddr_in6`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_bind(
    handle: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    flags: c_uint,
) -> c_int {
    // SAFETY: checked before use; the family decides how many bytes are read.
    unsafe {
        if check::live(handle).is_err() || addr.is_null() {
            return UV_EINVAL;
        }
        let Some(len) = tcp::addr_len((*addr).sa_family as c_int) else {
            return UV_EINVAL;
        };
        tcp::bind(handle, addr, len, flags)
    }
}

/// # Safety
/// `handle` is an initialised TCP handle; `name` has `*namelen` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_getsockname(
    handle: *const uv_tcp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() || name.is_null() || namelen.is_null() {
            return UV_EINVAL;
        }
        tcp::sock_peer_name(handle, false, name, namelen)
    }
}

/// # Safety
/// As [`uv_tcp_getsockname`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_getpeername(
    handle: *const uv_tcp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        if check::typed(handle).is_err() || name.is_null() || namelen.is_null() {
            return UV_EINVAL;
        }
        tcp::sock_peer_name(handle, true, name, namelen)
    }
}

/// Closes with a TCP reset: `UV_EINVAL` while a shutdown is queued.
///
/// # Safety
/// `handle` is an initialised TCP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_close_reset(handle: *mut uv_tcp_t, close_cb: uv_close_cb) -> c_int {
    // SAFETY: checked before use.
    unsafe {
        let handle = tri!(check::live(handle));
        tcp::close_reset(handle, close_cb)
    }
}

/// # Safety
/// `req` is writable request memory; `handle` an initialised TCP handle; `addr` a
/// `sockaddr_in` or `sockaddr_in6`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_connect(
    req: *mut uv_connect_t,
    handle: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    cb: uv_connect_cb,
) -> c_int {
    // SAFETY: checked before use; the family decides how many bytes are read.
    unsafe {
        if req.is_null() || check::live(handle).is_err() || addr.is_null() {
            return UV_EINVAL;
        }
        let Some(len) = tcp::addr_len((*addr).sa_family as c_int) else {
            return UV_EINVAL;
        };
        tcp::connect(req, handle, addr, len, cb)
    }
}

/// A connected pair of Unix sockets of `type` (`SOCK_STREAM`, ...); `UV_NONBLOCK_PIPE` in
/// `flags0`/`flags1` makes that end non-blocking.
///
/// # Safety
/// `socket_vector` has room for two descriptors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_socketpair(
    r#type: c_int,
    protocol: c_int,
    socket_vector: *mut uv_os_sock_t,
    flags0: c_int,
    flags1: c_int,
) -> c_int {
    if socket_vector.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, room for two (caller).
    unsafe {
        tcp::socketpair(
            r#type,
            protocol,
            socket_vector,
            flags0 & UV_NONBLOCK_PIPE != 0,
            flags1 & UV_NONBLOCK_PIPE != 0,
        )
    }
}
