//! C entry points of UDP handles (`uv_udp_*`). Each checks its pointers, the handle's type
//! tag and that it is not closing (`UV_EINVAL` otherwise), reads the C arguments (socket
//! addresses, buffer lists, strings) and calls [`crate::udp`].
//!
//! Callbacks run on the loop thread: receive callbacks in the poll phase, send callbacks in
//! the pending phase or the poll phase (see `crate::udp`). Every function here must be
//! called on the loop's thread.
//!
//! Where rsuv differs from libuv 1.44 (on purpose, all in what libuv leaves undefined or
//! gets wrong): NULL pointers, an empty buffer list and a closing handle get `UV_EINVAL`
//! instead of a crash or a call on a closed descriptor; a send to an `AF_UNIX` address from
//! a handle without a socket gets `UV_EINVAL` instead of an abort; `uv_udp_getsockname` and
//! `uv_udp_getpeername` on a handle without a socket (or closing) give `UV_EBADF`, as
//! `uv_fileno` does; `uv_udp_open` says `UV_EEXIST` for a descriptor any live handle of the
//! loop holds (libuv: any descriptor the loop watches).

use super::check::{self, tri};
use crate::abi::errno::{UV_EBADF, UV_EDESTADDRREQ, UV_EINVAL, UV_EISCONN, UV_ENOTCONN};
use crate::abi::flags;
use crate::abi::*;
use crate::udp::{self, SockAddr, options, recv, send};
use core::ffi::{CStr, c_char, c_int, c_uint};

/// Reads a C socket address of a family `uv_udp_*` accepts (`allow_unix`: `AF_UNIX` too).
///
/// # Safety
/// `addr` is non-NULL and readable for the size its family implies.
unsafe fn read_addr(addr: *const libc::sockaddr, allow_unix: bool) -> Option<SockAddr> {
    // SAFETY: `addr` is readable (caller): first the family, then the family's size.
    unsafe {
        let family = c_int::from((*addr).sa_family);
        let len = SockAddr::len_of(family, allow_unix)?;
        let bytes = core::slice::from_raw_parts(addr.cast::<u8>(), len);
        Some(SockAddr::from_bytes(bytes))
    }
}

/// A C string argument, `None` for NULL.
///
/// # Safety
/// `p` is NULL or NUL-terminated and outlives the result.
unsafe fn cstr<'a>(p: *const c_char) -> Option<&'a CStr> {
    // SAFETY: non-NULL `p` is NUL-terminated (caller).
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) })
}

/// libuv's `uv__udp_check_before_send` plus rsuv's pointer checks: the destination (if
/// any) as read from C, or an error code.
///
/// # Safety
/// `handle` is NULL or handle memory; `bufs` NULL or readable for `nbufs` buffers; `addr`
/// NULL or a readable socket address.
unsafe fn check_send<'a>(
    handle: *mut uv_udp_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    addr: *const libc::sockaddr,
) -> Result<(&'a [uv_buf_t], Option<SockAddr>), c_int> {
    // SAFETY: pointers checked before use; readable as the caller guarantees.
    unsafe {
        if check::live(handle).is_err() {
            return Err(UV_EINVAL);
        }
        let connected = (*handle).flags & flags::UDP_CONNECTED != 0;
        if !addr.is_null() && connected {
            return Err(UV_EISCONN);
        }
        if addr.is_null() && !connected {
            return Err(UV_EDESTADDRREQ);
        }
        let dest = if addr.is_null() {
            None
        } else {
            Some(read_addr(addr, true).ok_or(UV_EINVAL)?)
        };
        Ok((check::bufs(bufs, nbufs)?, dest))
    }
}

/// `uv_udp_init`: a UDP handle with no socket yet.
///
/// # Safety
/// `loop_` is NULL or an initialised loop; `handle` NULL or writable `uv_udp_t` memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_init(r#loop: *mut uv_loop_t, handle: *mut uv_udp_t) -> c_int {
    // SAFETY: forwarded caller guarantee.
    unsafe { uv_udp_init_ex(r#loop, handle, libc::AF_UNSPEC as c_uint) }
}

/// `uv_udp_init_ex`: the low byte of `flags` is the domain (`AF_UNSPEC`: no socket yet;
/// `AF_INET`/`AF_INET6`: the socket is created now); the other bits may hold
/// `UV_UDP_RECVMMSG`.
///
/// # Safety
/// As [`uv_udp_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_init_ex(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_udp_t,
    flags: c_uint,
) -> c_int {
    if r#loop.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    let domain = (flags & 0xFF) as c_int;
    if domain != libc::AF_INET && domain != libc::AF_INET6 && domain != libc::AF_UNSPEC {
        return UV_EINVAL;
    }
    let extra = flags & !0xFF;
    if extra & !UV_UDP_RECVMMSG != 0 {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { udp::init(r#loop, handle, domain, extra) }
}

/// `uv_udp_open`: adopts an existing datagram socket.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_open(handle: *mut uv_udp_t, sock: uv_os_sock_t) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        udp::open(handle, sock)
    }
}

/// `uv_udp_open_ex` (libuv 1.52): `uv_udp_open` with `UV_UDP_REUSEADDR` and/or
/// `UV_UDP_REUSEPORT` in `flags` choosing the reuse options (`UV_EINVAL` for others).
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_open_ex(
    handle: *mut uv_udp_t,
    sock: uv_os_sock_t,
    flags: c_uint,
) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        udp::open_ex(handle, sock, Some(flags))
    }
}

/// `uv_udp_bind`: `flags` may hold `UV_UDP_IPV6ONLY`, `UV_UDP_REUSEADDR`,
/// `UV_UDP_LINUX_RECVERR`.
///
/// # Safety
/// `handle` is NULL or an initialised handle; `addr` NULL or a readable socket address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_bind(
    handle: *mut uv_udp_t,
    addr: *const libc::sockaddr,
    flags: c_uint,
) -> c_int {
    // SAFETY: type-checked live handle; `addr` checked non-NULL.
    unsafe {
        if check::live(handle).is_err() || addr.is_null() {
            return UV_EINVAL;
        }
        match read_addr(addr, false) {
            Some(a) => udp::bind(handle, &a, flags),
            None => UV_EINVAL,
        }
    }
}

/// `uv_udp_connect`: sets the default peer, or with a NULL `addr` drops it.
///
/// # Safety
/// `handle` is NULL or an initialised handle; `addr` NULL or a readable socket address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_connect(
    handle: *mut uv_udp_t,
    addr: *const libc::sockaddr,
) -> c_int {
    // SAFETY: type-checked live handle; `addr` checked non-NULL before reading.
    unsafe {
        let handle = tri!(check::live(handle));
        let connected = (*handle).flags & flags::UDP_CONNECTED != 0;
        if addr.is_null() {
            if !connected {
                return UV_ENOTCONN;
            }
            return udp::disconnect(handle);
        }
        let Some(a) = read_addr(addr, false) else {
            return UV_EINVAL;
        };
        if connected {
            return UV_EISCONN;
        }
        udp::connect(handle, &a)
    }
}

/// Shared body of the two name getters.
///
/// # Safety
/// As [`uv_udp_getsockname`].
unsafe fn sock_name(
    handle: *const uv_udp_t,
    peer: bool,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: pointers checked; `name` writable for `*namelen` bytes (caller).
    unsafe {
        if name.is_null() || namelen.is_null() {
            return UV_EINVAL;
        }
        let handle = tri!(check::live_else(handle, UV_EBADF));
        if udp::fd(handle) < 0 {
            return UV_EBADF;
        }
        udp::sock_name(handle, peer, name, &mut *namelen)
    }
}

/// `uv_udp_getpeername`: the connected peer (`UV_ENOTCONN` if none).
///
/// # Safety
/// `handle` is NULL or an initialised handle; `name` NULL or writable for `*namelen`
/// bytes; `namelen` NULL or a readable and writable int.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_getpeername(
    handle: *const uv_udp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: forwarded caller guarantee.
    unsafe { sock_name(handle, true, name, namelen) }
}

/// `uv_udp_getsockname`: the local address.
///
/// # Safety
/// As [`uv_udp_getpeername`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_getsockname(
    handle: *const uv_udp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: forwarded caller guarantee.
    unsafe { sock_name(handle, false, name, namelen) }
}

/// `uv_udp_set_membership`: joins or leaves an any-source multicast group.
///
/// # Safety
/// `handle` is NULL or an initialised handle; the strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_membership(
    handle: *mut uv_udp_t,
    multicast_addr: *const c_char,
    interface_addr: *const c_char,
    membership: MembershipArg,
) -> c_int {
    // SAFETY: type-checked live handle; strings NULL or NUL-terminated (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        let Some(group) = cstr(multicast_addr) else {
            return UV_EINVAL;
        };
        options::set_membership(handle, group, cstr(interface_addr), membership)
    }
}

/// `uv_udp_set_source_membership`: joins or leaves a source-specific multicast group.
///
/// # Safety
/// As [`uv_udp_set_membership`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_source_membership(
    handle: *mut uv_udp_t,
    multicast_addr: *const c_char,
    interface_addr: *const c_char,
    source_addr: *const c_char,
    membership: MembershipArg,
) -> c_int {
    // SAFETY: type-checked live handle; strings NULL or NUL-terminated (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        let (Some(group), Some(source)) = (cstr(multicast_addr), cstr(source_addr)) else {
            return UV_EINVAL;
        };
        options::set_source_membership(handle, group, cstr(interface_addr), source, membership)
    }
}

/// `uv_udp_set_multicast_loop`.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_loop(handle: *mut uv_udp_t, on: c_int) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        options::set_multicast_loop(handle, on)
    }
}

/// `uv_udp_set_multicast_ttl`: 0 to 255.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        options::set_multicast_ttl(handle, ttl)
    }
}

/// `uv_udp_set_multicast_interface`.
///
/// # Safety
/// `handle` is NULL or an initialised handle; `interface_addr` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_interface(
    handle: *mut uv_udp_t,
    interface_addr: *const c_char,
) -> c_int {
    // SAFETY: type-checked live handle; string NULL or NUL-terminated (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        options::set_multicast_interface(handle, cstr(interface_addr))
    }
}

/// `uv_udp_set_broadcast`.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_broadcast(handle: *mut uv_udp_t, on: c_int) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        options::set_broadcast(handle, on)
    }
}

/// `uv_udp_set_ttl`: 1 to 255.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        let handle = tri!(check::live(handle));
        options::set_ttl(handle, ttl)
    }
}

/// `uv_udp_send`: queues one datagram made of `bufs` for `addr` (NULL on a connected
/// handle). The buffers' memory must stay valid until `send_cb` runs.
///
/// # Safety
/// `req` is NULL or writable request memory that stays valid until its callback;
/// `handle` NULL or an initialised handle; `bufs` NULL or readable for `nbufs` buffers;
/// `addr` NULL or a readable socket address.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_send(
    req: *mut uv_udp_send_t,
    handle: *mut uv_udp_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    addr: *const libc::sockaddr,
    send_cb: uv_udp_send_cb,
) -> c_int {
    // SAFETY: arguments checked by check_send; `req` checked non-NULL.
    unsafe {
        let (bufs, dest) = match check_send(handle, bufs, nbufs, addr) {
            Ok(v) => v,
            Err(e) => return e,
        };
        if req.is_null() {
            return UV_EINVAL;
        }
        send::send(req, handle, bufs, dest.as_ref(), send_cb)
    }
}

/// `uv_udp_try_send`: sends now or fails (`UV_EAGAIN` while sends are queued or the
/// socket would block); returns the number of bytes sent.
///
/// # Safety
/// As [`uv_udp_send`], without a request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_try_send(
    handle: *mut uv_udp_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    addr: *const libc::sockaddr,
) -> c_int {
    // SAFETY: arguments checked by check_send.
    unsafe {
        match check_send(handle, bufs, nbufs, addr) {
            Ok((bufs, dest)) => send::try_send(handle, bufs, dest.as_ref()),
            Err(e) => e,
        }
    }
}

/// `uv_udp_try_send2` (libuv 1.50): `count` datagrams, the i-th made of `nbufs[i]` buffers
/// at `bufs[i]` sent to `addrs[i]` (NULL on a connected handle), with `sendmmsg`. Returns
/// how many were sent, or the first one's error; `flags` must be 0.
///
/// # Safety
/// `handle` is NULL or an initialised handle; `bufs`, `nbufs` and `addrs` NULL or arrays of
/// `count` entries, each buffer list readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_try_send2(
    handle: *mut uv_udp_t,
    count: c_uint,
    bufs: *mut *mut uv_buf_t,
    nbufs: *mut c_uint,
    addrs: *mut *mut libc::sockaddr,
    flags: c_uint,
) -> c_int {
    if count < 1 || flags != 0 || bufs.is_null() || nbufs.is_null() || addrs.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the three arrays hold `count` entries (caller); each entry is checked as a
    // uv_udp_try_send's would be before anything is sent.
    unsafe {
        let mut msgs = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            match check_send(handle, *bufs.add(i), *nbufs.add(i), *addrs.add(i)) {
                Ok(m) => msgs.push(m),
                Err(e) => return e,
            }
        }
        send::try_send2(handle, &msgs)
    }
}

/// `uv_udp_recv_start`: binds to `0.0.0.0:0` first if the handle has no socket.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_recv_start(
    handle: *mut uv_udp_t,
    alloc_cb: uv_alloc_cb,
    recv_cb: uv_udp_recv_cb,
) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        if check::live(handle).is_err() || alloc_cb.is_none() || recv_cb.is_none() {
            return UV_EINVAL;
        }
        recv::start(handle, alloc_cb, recv_cb)
    }
}

/// `uv_udp_using_recvmmsg`: 1 if the handle was created with `UV_UDP_RECVMMSG`.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_using_recvmmsg(handle: *const uv_udp_t) -> c_int {
    // SAFETY: non-NULL `handle` is readable handle memory (caller).
    unsafe {
        if check::typed(handle).is_err() {
            return 0;
        }
        c_int::from(recv::using_recvmmsg(handle))
    }
}

/// `uv_udp_recv_stop`.
///
/// # Safety
/// `handle` is NULL or an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_recv_stop(handle: *mut uv_udp_t) -> c_int {
    // SAFETY: type-checked live handle (a closing one is already stopped).
    unsafe {
        let handle = tri!(check::typed(handle));
        recv::stop(handle)
    }
}

/// The number of bytes queued for sending (`send_queue_size`); 0 for NULL.
///
/// # Safety
/// `handle` is NULL or an initialised UDP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_get_send_queue_size(handle: *const uv_udp_t) -> usize {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: non-NULL initialised handle (caller); a plain field is read.
    unsafe { (*handle).send_queue_size }
}

/// The number of queued send requests (`send_queue_count`); 0 for NULL.
///
/// # Safety
/// `handle` is NULL or an initialised UDP handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_get_send_queue_count(handle: *const uv_udp_t) -> usize {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: as in `uv_udp_get_send_queue_size`.
    unsafe { (*handle).send_queue_count }
}
