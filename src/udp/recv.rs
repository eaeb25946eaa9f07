//! Receiving: `uv_udp_recv_start`/`uv_udp_recv_stop` and the read loop that runs when the
//! socket is readable.
//!
//! Each round asks the allocation callback for a buffer (suggesting 64 KiB), reads one
//! datagram into it and hands it to the receive callback: `nread` > 0 with the sender's
//! address; 0 with an address for an empty datagram; 0 with a NULL address when nothing is
//! left (the buffer goes back to the program); a negative error; `UV_ENOBUFS` when the
//! allocation callback gave no buffer. `UV_UDP_PARTIAL` marks a datagram cut to fit.
//!
//! With `UV_UDP_RECVMMSG`, one `recvmmsg` fills up to 20 64 KiB slots of the buffer: each
//! datagram comes as a `UV_UDP_MMSG_CHUNK` callback pointing into the buffer, then one
//! `UV_UDP_MMSG_FREE` callback hands the whole buffer back. A buffer smaller than one slot
//! gets `UV_EINVAL` (libuv 1.53's rule).
//!
//! An error condition on the socket (an ICMP error, with `UV_UDP_LINUX_RECVERR`) is read
//! from the socket's error queue and reported with that flag and the offending address, so
//! that the queue empties and the loop does not wake for it again and again.
//!
//! At most 32 datagrams are read per readiness report, so a flood cannot starve the loop.
//! Callbacks may stop receiving or close the handle; the loop checks after each one.

use super::{
    DGRAM_MAXSIZE, UV_UDP_MMSG_CHUNK, UV_UDP_MMSG_FREE, UV_UDP_PARTIAL, base, fd,
    maybe_deferred_bind, unwant, want, wanted,
};
use crate::abi::errno::{self, UV_EAGAIN, UV_EALREADY};
use crate::abi::flags;
use crate::abi::*;
use crate::sys;
use crate::uvloop::handle;
use core::ffi::{c_int, c_uint};
use core::mem::{size_of, zeroed};
use core::ptr;

/// How many slots one `recvmmsg` fills at most (libuv's `UV__MMSG_MAXWIDTH`).
const MMSG_MAXWIDTH: usize = 20;

/// Datagrams read per readiness report at most.
const READS_PER_WAKEUP: isize = 32;

/// `uv_udp_recv_start`: the caller checked the callbacks.
///
/// # Safety
/// `h` is a live, not closing UDP handle; loop thread.
pub(crate) unsafe fn start(
    h: *mut uv_udp_t,
    alloc_cb: uv_alloc_cb,
    recv_cb: uv_udp_recv_cb,
) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    unsafe {
        if wanted(h) & sys::READABLE != 0 {
            // libuv's code (its FIXME says it should have been UV_EBUSY).
            return UV_EALREADY;
        }
        let r = maybe_deferred_bind(h, libc::AF_INET, 0);
        if r != 0 {
            return r;
        }
        let r = want(h, sys::READABLE);
        if r != 0 {
            return r;
        }
        (*h).alloc_cb = alloc_cb;
        (*h).recv_cb = recv_cb;
        handle::start(base(h));
    }
    0
}

/// `uv_udp_recv_stop`: the handle stays active while sends are queued.
///
/// # Safety
/// `h` is a live UDP handle; loop thread.
pub(crate) unsafe fn stop(h: *mut uv_udp_t) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    unsafe {
        unwant(h, sys::READABLE);
        if wanted(h) & sys::WRITABLE == 0 {
            handle::stop(base(h));
        }
        (*h).alloc_cb = None;
        (*h).recv_cb = None;
    }
    0
}

/// `uv_udp_using_recvmmsg`.
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn using_recvmmsg(h: *const uv_udp_t) -> bool {
    // SAFETY: caller guarantees `h` is live. Linux always has recvmmsg.
    unsafe { (*h).flags & flags::UDP_RECVMMSG != 0 }
}

/// Is `h` still receiving with a socket? (A callback may have stopped or closed it.)
unsafe fn receiving(h: *mut uv_udp_t) -> bool {
    // SAFETY: caller passes a live handle.
    unsafe { fd(h) != -1 && (*h).recv_cb.is_some() && wanted(h) & sys::READABLE != 0 }
}

/// Calls the receive callback, if there still is one.
unsafe fn deliver(
    h: *mut uv_udp_t,
    nread: isize,
    buf: *const uv_buf_t,
    addr: *const libc::sockaddr,
    flags: c_uint,
) {
    // SAFETY: caller passes a live handle; the callback is read fresh each time.
    unsafe {
        if let Some(cb) = (*h).recv_cb {
            cb(h, nread, buf, addr, flags);
        }
    }
}

/// The socket is readable: read datagrams until it would block, the callbacks stop
/// receiving, or the per-wakeup budget is spent.
///
/// # Safety
/// `h` is a live UDP handle; loop thread. Runs user callbacks.
pub(crate) unsafe fn on_readable(h: *mut uv_udp_t) {
    // SAFETY: caller guarantees `h` is live until its close callback, which cannot run
    // during this call; every field is read fresh after each callback.
    unsafe {
        let mut budget = READS_PER_WAKEUP;
        while budget > 0 && receiving(h) {
            let Some(alloc) = (*h).alloc_cb else { return };
            let mut buf = uv_buf_t {
                base: ptr::null_mut(),
                len: 0,
            };
            alloc(base(h), DGRAM_MAXSIZE, &mut buf);
            if buf.base.is_null() || buf.len == 0 {
                deliver(h, errno::UV_ENOBUFS as isize, &buf, ptr::null(), 0);
                return;
            }
            if !receiving(h) {
                // Stopped or closed by the allocation callback: read nothing (it would be
                // lost) and hand the buffer back if a receive callback is still there.
                deliver(h, 0, &buf, ptr::null(), 0);
                return;
            }
            if using_recvmmsg(h) && buf.len < DGRAM_MAXSIZE {
                // libuv 1.53: a recvmmsg handle's buffers hold whole 64 KiB slots; a
                // smaller one is the program's mistake, reported in the callback.
                deliver(h, errno::UV_EINVAL as isize, &buf, ptr::null(), 0);
                return;
            }
            let more = if using_recvmmsg(h) {
                match recv_mmsg(h, &buf) {
                    Some(n) => {
                        budget -= n as isize;
                        true
                    }
                    None => false,
                }
            } else {
                budget -= 1;
                recv_one(h, &buf)
            };
            if !more {
                return;
            }
        }
    }
}

/// One `recvmsg` into `buf`; false when nothing more is to be read now.
unsafe fn recv_one(h: *mut uv_udp_t, buf: &uv_buf_t) -> bool {
    // SAFETY: caller passes a live handle and a buffer the allocation callback gave; the
    // header points at locals and at that buffer for the duration of the call.
    unsafe {
        let mut peer: libc::sockaddr_storage = zeroed();
        let mut m: libc::msghdr = zeroed();
        m.msg_name = (&raw mut peer).cast();
        m.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        m.msg_iov = (buf as *const uv_buf_t).cast_mut().cast();
        m.msg_iovlen = 1;
        let n = loop {
            let n = libc::recvmsg(fd(h), &mut m, 0);
            if n >= 0 {
                break Ok(n);
            }
            let e = errno::last_error();
            if e != errno::UV_EINTR {
                break Err(e);
            }
        };
        match n {
            Ok(n) => {
                let flags = if m.msg_flags & libc::MSG_TRUNC != 0 {
                    UV_UDP_PARTIAL
                } else {
                    0
                };
                deliver(h, n, buf, (&raw const peer).cast(), flags);
                true
            }
            Err(e) => {
                let nread = if e == UV_EAGAIN { 0 } else { e as isize };
                deliver(h, nread, buf, ptr::null(), 0);
                false
            }
        }
    }
}

/// One `recvmmsg` into the 64 KiB slots of `buf`: `Some(datagrams)` when some were read,
/// `None` when nothing more is to be read now.
unsafe fn recv_mmsg(h: *mut uv_udp_t, buf: &uv_buf_t) -> Option<usize> {
    // SAFETY: caller passes a live handle and a buffer of `buf.len` bytes; the headers
    // point at locals and into that buffer for the duration of the call; each chunk
    // callback gets a view into the buffer, which stays the program's until MMSG_FREE.
    unsafe {
        let chunks = (buf.len / DGRAM_MAXSIZE).min(MMSG_MAXWIDTH);
        let mut peers: [libc::sockaddr_storage; MMSG_MAXWIDTH] = zeroed();
        let mut iov: [libc::iovec; MMSG_MAXWIDTH] = zeroed();
        let mut msgs: [libc::mmsghdr; MMSG_MAXWIDTH] = zeroed();
        for k in 0..chunks {
            iov[k].iov_base = buf.base.add(k * DGRAM_MAXSIZE).cast();
            iov[k].iov_len = DGRAM_MAXSIZE;
            let m = &mut msgs[k].msg_hdr;
            m.msg_iov = &raw mut iov[k];
            m.msg_iovlen = 1;
            m.msg_name = (&raw mut peers[k]).cast();
            m.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        }
        let n = loop {
            let n = libc::recvmmsg(
                fd(h),
                msgs.as_mut_ptr(),
                chunks as c_uint,
                0,
                ptr::null_mut(),
            );
            if n >= 0 {
                break Ok(n as usize);
            }
            let e = errno::last_error();
            if e != errno::UV_EINTR {
                break Err(e);
            }
        };
        let n = match n {
            Ok(0) => {
                deliver(h, 0, buf, ptr::null(), 0);
                return None;
            }
            Ok(n) => n,
            Err(e) => {
                let nread = if e == UV_EAGAIN { 0 } else { e as isize };
                deliver(h, nread, buf, ptr::null(), 0);
                return None;
            }
        };
        for k in 0..n {
            if (*h).recv_cb.is_none() {
                break;
            }
            let mut flags = UV_UDP_MMSG_CHUNK;
            if msgs[k].msg_hdr.msg_flags & libc::MSG_TRUNC != 0 {
                flags |= UV_UDP_PARTIAL;
            }
            let chunk = uv_buf_t {
                base: iov[k].iov_base.cast(),
                len: iov[k].iov_len,
            };
            deliver(
                h,
                msgs[k].msg_len as isize,
                &chunk,
                (&raw const peers[k]).cast(),
                flags,
            );
        }
        // One last callback so that the program frees the buffer.
        deliver(h, 0, buf, ptr::null(), UV_UDP_MMSG_FREE);
        Some(n)
    }
}

/// The socket reported an error condition: after the ordinary read (which returns a
/// pending socket error), reads the error queue (`MSG_ERRQUEUE`) until it is empty, as
/// libuv does. An ICMP
/// error queued by `IP_RECVERR`/`IPV6_RECVERR` reaches the receive callback as its negated
/// errno, the address of the node that reported it and `UV_UDP_LINUX_RECVERR`; nothing
/// queued gives the usual "nothing left" callback.
///
/// # Safety
/// `h` is a live UDP handle; loop thread. Runs user callbacks.
pub(crate) unsafe fn on_error_queue(h: *mut uv_udp_t) {
    // SAFETY: caller guarantees `h` is live; the header points at locals and at the
    // allocation callback's buffer for the duration of the call; the control messages are
    // walked with the kernel's own bounds (CMSG_* macros) inside `control`.
    unsafe {
        let mut budget = READS_PER_WAKEUP;
        while budget > 0 && receiving(h) {
            budget -= 1;
            if !read_error_queue_once(h) {
                return;
            }
        }
    }
}

/// One error-queue read of [`on_error_queue`]; false when nothing more is to be read now.
///
/// # Safety
/// As [`on_error_queue`].
unsafe fn read_error_queue_once(h: *mut uv_udp_t) -> bool {
    // SAFETY: as in `on_error_queue`.
    unsafe {
        let Some(alloc) = (*h).alloc_cb else {
            return false;
        };
        let mut buf = uv_buf_t {
            base: ptr::null_mut(),
            len: 0,
        };
        alloc(base(h), DGRAM_MAXSIZE, &mut buf);
        if buf.base.is_null() || buf.len == 0 {
            deliver(h, errno::UV_ENOBUFS as isize, &buf, ptr::null(), 0);
            return false;
        }
        let mut peer: libc::sockaddr_storage = zeroed();
        let mut control = [0u64; 32];
        let mut m: libc::msghdr = zeroed();
        m.msg_name = (&raw mut peer).cast();
        m.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        m.msg_iov = (&raw mut buf).cast();
        m.msg_iovlen = 1;
        m.msg_control = control.as_mut_ptr().cast();
        m.msg_controllen = size_of::<[u64; 32]>();
        let n = loop {
            let n = libc::recvmsg(fd(h), &mut m, libc::MSG_ERRQUEUE);
            if n >= 0 || errno::last_error() != errno::UV_EINTR {
                break n;
            }
        };
        if n < 0 {
            let e = errno::last_error();
            let nread = if e == UV_EAGAIN { 0 } else { e as isize };
            deliver(h, nread, &buf, ptr::null(), 0);
            return false;
        }
        if m.msg_flags & libc::MSG_ERRQUEUE != 0 {
            let mut c = libc::CMSG_FIRSTHDR(&m);
            while !c.is_null() {
                let ours = ((*c).cmsg_level == libc::SOL_IP && (*c).cmsg_type == libc::IP_RECVERR)
                    || ((*c).cmsg_level == libc::SOL_IPV6 && (*c).cmsg_type == libc::IPV6_RECVERR);
                if ours {
                    let serr = libc::CMSG_DATA(c).cast::<libc::sock_extended_err>();
                    // SO_EE_OFFENDER: the address follows the extended error.
                    let offender = serr.add(1).cast::<libc::sockaddr>();
                    let err = -((*serr).ee_errno as isize);
                    deliver(h, err, &buf, offender, UV_UDP_LINUX_RECVERR);
                    return true;
                }
                c = libc::CMSG_NXTHDR(&m, c);
            }
        }
        deliver(h, n, &buf, (&raw const peer).cast(), 0);
        true
    }
}
