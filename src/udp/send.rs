//! Sending: the write queue of `uv_udp_send`, `sendmsg`/`sendmmsg`, the completed queue
//! and its callbacks, and `uv_udp_try_send`.
//!
//! `uv_udp_send` on a handle with nothing queued writes at once; a datagram the socket
//! cannot take yet (`EAGAIN`, `ENOBUFS`) waits, with the socket watched for writability.
//! Several queued datagrams go out with one `sendmmsg` (up to 20). A written or failed
//! request moves to the completed queue and a pending-phase flush is queued; its callback
//! gets 0 or the error. `send_queue_size`/`send_queue_count` count every request whose
//! callback has not run yet.

use super::{SockAddr, State, base, fd, feed, maybe_deferred_bind, state, unwant, want, wanted};
use crate::abi::UV_UDP_SEND;
use crate::abi::errno::{self, UV_EAGAIN, UV_ECANCELED, UV_ENOMEM};
use crate::abi::flags;
use crate::abi::*;
use crate::sys;
use crate::uvloop::handle;
use crate::uvloop::inflight;
use crate::uvloop::queue::{self, Node};
use core::ffi::c_int;
use core::mem::{size_of, zeroed};
use core::ptr;

/// How many datagrams one `sendmmsg` takes at most (libuv's `UV__MMSG_MAXWIDTH`).
const MMSG_MAXWIDTH: usize = 20;

/// The private state of a send request, kept in its `reserved_private` bytes.
#[repr(C)]
pub(crate) struct SendState {
    /// The link in the handle's write or completed queue.
    queue: Node,
    /// The destination; `ss_family == AF_UNSPEC` for the connected peer.
    addr: libc::sockaddr_storage,
    addrlen: u32,
    nbufs: u32,
    /// `bufsml`, or a boxed slice of `nbufs` buffers.
    bufs: *mut uv_buf_t,
    /// Bytes written, or a libuv error code.
    status: isize,
    bufsml: [uv_buf_t; 4],
}

const _: () = assert!(size_of::<SendState>() <= size_of::<[*mut core::ffi::c_void; 30]>());
const _: () = assert!(align_of::<SendState>() <= align_of::<*mut core::ffi::c_void>());

fn sstate(req: *mut uv_udp_send_t) -> *mut SendState {
    // SAFETY: projection of a field address; no read.
    unsafe { (&raw mut (*req).reserved_private).cast() }
}

fn from_node(q: *mut Node) -> *mut uv_udp_send_t {
    q.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(uv_udp_send_t, reserved_private))
        .cast()
}

fn count_bufs(bufs: &[uv_buf_t]) -> usize {
    bufs.iter().fold(0usize, |n, b| n.wrapping_add(b.len))
}

/// The buffers of a queued request.
///
/// # Safety
/// `req` is a queued send request; the slice is used before the request completes.
unsafe fn req_bufs<'a>(req: *mut uv_udp_send_t) -> &'a [uv_buf_t] {
    // SAFETY: `bufs` holds `nbufs` buffers while the request is queued (caller).
    unsafe {
        let s = sstate(req);
        core::slice::from_raw_parts((*s).bufs, (*s).nbufs as usize)
    }
}

/// `uv_udp_send`: the caller checked the request, the buffers and that `addr` (given
/// exactly when the handle is not connected) has a family `uv_udp_send` accepts.
///
/// # Safety
/// `h` is a live, not closing UDP handle; `req` is writable request memory that stays
/// valid until its callback; the buffers' memory stays valid until then too. Loop thread.
pub(crate) unsafe fn send(
    req: *mut uv_udp_send_t,
    h: *mut uv_udp_t,
    bufs: &[uv_buf_t],
    addr: Option<&SockAddr>,
    cb: uv_udp_send_cb,
) -> c_int {
    // SAFETY: caller guarantees `h` is live and `req` writable; the request is linked into
    // the handle's queue only after its state is complete.
    unsafe {
        let l = (*h).r#loop;
        // Still pending: refused before anything is written to it (libuv would link it
        // into the send queue twice).
        if inflight::busy(l, req.cast()) {
            return crate::abi::errno::UV_EBUSY;
        }
        if let Some(a) = addr {
            let r = maybe_deferred_bind(h, a.family(), 0);
            if r != 0 {
                return r;
            }
        }
        // Completed requests still count: their callbacks run first.
        let empty_queue = (*h).send_queue_count == 0;

        let heap_bufs = if bufs.len() > 4 {
            let Some(copy) = crate::abi::alloc::UvBox::try_copy_of(bufs) else {
                return UV_ENOMEM;
            };
            Some(crate::abi::alloc::UvBox::into_raw(copy).cast::<uv_buf_t>())
        } else {
            None
        };

        (*req).r#type = UV_UDP_SEND;
        (*req).handle = h;
        (*req).cb = cb;
        let s = sstate(req);
        ptr::write(
            s,
            SendState {
                queue: [ptr::null_mut(); 2],
                addr: match addr {
                    Some(a) => a.storage,
                    None => zeroed(),
                },
                addrlen: addr.map_or(0, |a| a.len),
                nbufs: bufs.len() as u32,
                bufs: ptr::null_mut(),
                status: 0,
                bufsml: [uv_buf_t {
                    base: ptr::null_mut(),
                    len: 0,
                }; 4],
            },
        );
        (*s).bufs = match heap_bufs {
            Some(p) => p,
            None => {
                (&mut (*s).bufsml)[..bufs.len()].copy_from_slice(bufs);
                (&raw mut (*s).bufsml).cast()
            }
        };
        (*l).active_reqs.count += 1;
        inflight::enter(l, req.cast(), inflight::Kind::Plain);
        (*h).send_queue_size = (*h).send_queue_size.wrapping_add(count_bufs(bufs));
        (*h).send_queue_count += 1;
        let st: *mut State = state(h);
        queue::insert_tail(&raw mut (*st).write_queue, &raw mut (*s).queue);
        handle::start(base(h));

        if empty_queue && (*h).flags & flags::UDP_PROCESSING == 0 {
            flush(h);
            if !queue::is_empty(&raw const (*st).write_queue) {
                want_writable(h);
            }
        } else {
            want_writable(h);
        }
    }
    0
}

/// Watches `h` for writability; if that fails, the unwritten requests fail with the error
/// (reported in the pending phase) instead of waiting forever.
unsafe fn want_writable(h: *mut uv_udp_t) {
    // SAFETY: caller passes a live handle; loop thread.
    unsafe {
        let r = want(h, sys::WRITABLE);
        if r != 0 {
            fail_queued(h, r as isize);
            feed(h);
        }
    }
}

/// Moves every unwritten request to the completed queue with status `status`.
unsafe fn fail_queued(h: *mut uv_udp_t, status: isize) {
    // SAFETY: caller passes a live handle; its queues hold live requests.
    unsafe {
        let st = state(h);
        let head = &raw mut (*st).write_queue;
        while !queue::is_empty(head) {
            let q = queue::next(head);
            complete(h, from_node(q), status);
        }
    }
}

/// Closing: unwritten requests fail with `UV_ECANCELED`, after those already completed.
///
/// # Safety
/// `h` is a closed UDP handle; loop thread.
pub(crate) unsafe fn cancel_all(h: *mut uv_udp_t) {
    // SAFETY: forwarded caller guarantee.
    unsafe { fail_queued(h, UV_ECANCELED as isize) }
}

/// Moves `req` from the write queue to the completed queue with `status`.
unsafe fn complete(h: *mut uv_udp_t, req: *mut uv_udp_send_t, status: isize) {
    // SAFETY: caller passes a live handle and one of its queued requests.
    unsafe {
        let s = sstate(req);
        (*s).status = status;
        queue::remove(&raw mut (*s).queue);
        queue::insert_tail(&raw mut (*state(h)).completed, &raw mut (*s).queue);
    }
}

/// One `msghdr` for `req`'s destination and buffers.
unsafe fn msghdr_of(req: *mut uv_udp_send_t) -> libc::msghdr {
    // SAFETY: caller passes a queued request; an all-zero msghdr is valid.
    unsafe {
        let s = sstate(req);
        let mut m: libc::msghdr = zeroed();
        if c_int::from((*s).addr.ss_family) != libc::AF_UNSPEC {
            m.msg_name = (&raw mut (*s).addr).cast();
            m.msg_namelen = (*s).addrlen;
        }
        // uv_buf_t has iovec's layout (base, len).
        m.msg_iov = (*s).bufs.cast();
        m.msg_iovlen = (*s).nbufs as usize;
        m
    }
}

/// Writes queued datagrams until the queue is empty or the socket would block. Each
/// written or failed request moves to the completed queue, and a pending-phase run of the
/// callbacks is queued.
///
/// # Safety
/// `h` is a live UDP handle with a socket; loop thread. Runs no user callback.
pub(crate) unsafe fn flush(h: *mut uv_udp_t) {
    // SAFETY: caller guarantees `h` is live; its write queue holds live requests whose
    // buffers the caller of `uv_udp_send` keeps valid; the headers point into them only
    // for the duration of the system call.
    unsafe {
        let st = state(h);
        let head = &raw mut (*st).write_queue;
        let sock = fd(h);
        let mut completed = false;
        while !queue::is_empty(head) {
            let mut reqs = [ptr::null_mut::<uv_udp_send_t>(); MMSG_MAXWIDTH];
            let mut msgs: [libc::mmsghdr; MMSG_MAXWIDTH] = zeroed();
            let mut n = 0;
            let mut q = queue::next(head);
            while n < MMSG_MAXWIDTH && q != head {
                reqs[n] = from_node(q);
                msgs[n].msg_hdr = msghdr_of(reqs[n]);
                n += 1;
                q = queue::next(q);
            }
            let sent = loop {
                let r = if n == 1 {
                    let r = libc::sendmsg(sock, &msgs[0].msg_hdr, 0);
                    if r >= 0 {
                        msgs[0].msg_len = r as u32;
                        1
                    } else {
                        -1
                    }
                } else {
                    libc::sendmmsg(sock, msgs.as_mut_ptr(), n as u32, 0) as isize
                };
                if r >= 0 {
                    break Ok(r as usize);
                }
                let e = errno::last_error();
                if e != errno::UV_EINTR {
                    break Err(e);
                }
            };
            match sent {
                Ok(0) => break,
                Ok(k) => {
                    for i in 0..k.min(n) {
                        complete(h, reqs[i], msgs[i].msg_len as isize);
                    }
                    completed = true;
                }
                Err(e) if e == UV_EAGAIN || e == errno::UV_ENOBUFS => break,
                Err(e) => {
                    // Only the first datagram failed; the others get their own try.
                    complete(h, reqs[0], e as isize);
                    completed = true;
                }
            }
        }
        if completed && !handle::is_closing(base(h)) {
            feed(h);
        }
    }
}

/// Runs the callbacks of completed requests, in completion order; then, if nothing is
/// left to write, stops watching for writability (and the handle, if not receiving).
///
/// # Safety
/// `h` is a live UDP handle; loop thread. Runs user callbacks.
pub(crate) unsafe fn run_completed(h: *mut uv_udp_t) {
    // SAFETY: caller guarantees `h` is live until its close callback, which cannot run
    // during this call; each request is unlinked and finished before its callback runs,
    // and nothing is borrowed across callbacks.
    unsafe {
        debug_assert!((*h).flags & flags::UDP_PROCESSING == 0);
        (*h).flags |= flags::UDP_PROCESSING;
        let st = state(h);
        let head = &raw mut (*st).completed;
        while !queue::is_empty(head) {
            let q = queue::next(head);
            queue::remove(q);
            let req = from_node(q);
            let s = sstate(req);
            let l = (*h).r#loop;
            (*l).active_reqs.count -= 1;
            inflight::leave(l, req.cast());
            let bytes = count_bufs(req_bufs(req));
            (*h).send_queue_size = (*h).send_queue_size.wrapping_sub(bytes);
            (*h).send_queue_count -= 1;
            if (*s).bufs != (&raw mut (*s).bufsml).cast() {
                let n = (*s).nbufs as usize;
                drop(crate::abi::alloc::UvBox::from_raw(
                    ptr::slice_from_raw_parts_mut((*s).bufs, n),
                ));
            }
            (*s).bufs = ptr::null_mut();
            let status = (*s).status;
            if let Some(cb) = (*req).cb {
                cb(req, if status >= 0 { 0 } else { status as c_int });
            }
        }
        if queue::is_empty(&raw const (*st).write_queue) {
            unwant(h, sys::WRITABLE);
            if wanted(h) & sys::READABLE == 0 {
                handle::stop(base(h));
            }
        }
        (*h).flags &= !flags::UDP_PROCESSING;
    }
}

/// `uv_udp_try_send`: writes one datagram now or fails; `UV_EAGAIN` while sends are
/// queued or when the socket would block. The caller checked the arguments as for
/// [`send`]. Returns the number of bytes written or an error.
///
/// # Safety
/// `h` is a live, not closing UDP handle; loop thread.
pub(crate) unsafe fn try_send(
    h: *mut uv_udp_t,
    bufs: &[uv_buf_t],
    addr: Option<&SockAddr>,
) -> c_int {
    // SAFETY: caller guarantees `h` is live; the header points at the caller's buffers
    // and address for the duration of the system call.
    unsafe {
        if (*h).send_queue_count != 0 {
            return UV_EAGAIN;
        }
        if let Some(a) = addr {
            let r = maybe_deferred_bind(h, a.family(), 0);
            if r != 0 {
                return r;
            }
        }
        let mut m: libc::msghdr = zeroed();
        if let Some(a) = addr {
            m.msg_name = a.as_ptr().cast_mut().cast();
            m.msg_namelen = a.len;
        }
        m.msg_iov = bufs.as_ptr().cast_mut().cast();
        m.msg_iovlen = bufs.len();
        loop {
            let r = libc::sendmsg(fd(h), &m, 0);
            if r >= 0 {
                return r.min(c_int::MAX as isize) as c_int;
            }
            let e = errno::last_error();
            if e == errno::UV_EINTR {
                continue;
            }
            if e == errno::UV_ENOBUFS {
                return UV_EAGAIN;
            }
            return e;
        }
    }
}

/// `uv_udp_try_send2` after the checks (libuv 1.50): sends `msgs` (each a buffer list and
/// an address, or none on a connected handle) with as few `sendmmsg` calls as the kernel
/// allows, now or not at all. Returns how many went (at least 1), or the first one's
/// error: `UV_EAGAIN` when they cannot go now (send queued ones with `uv_udp_send`).
///
/// # Safety
/// `h` is a live, not closing UDP handle with a socket; the buffers are readable; loop
/// thread.
pub(crate) unsafe fn try_send2(
    h: *mut uv_udp_t,
    msgs: &[(&[uv_buf_t], Option<SockAddr>)],
) -> c_int {
    // SAFETY: caller guarantees `h` and the buffers; each header points at the caller's
    // buffers and at `msgs`' addresses, all alive for the duration of the system call.
    unsafe {
        if (*h).send_queue_count != 0 {
            return UV_EAGAIN;
        }
        let sock = fd(h);
        if sock == -1 {
            return errno::UV_EINVAL;
        }
        let mut hdrs: Vec<libc::mmsghdr> = msgs
            .iter()
            .map(|(bufs, addr)| {
                let mut m: libc::mmsghdr = zeroed();
                if let Some(a) = addr {
                    m.msg_hdr.msg_name = a.as_ptr().cast_mut().cast();
                    m.msg_hdr.msg_namelen = a.len;
                }
                m.msg_hdr.msg_iov = bufs.as_ptr().cast_mut().cast();
                m.msg_hdr.msg_iovlen = bufs.len();
                m
            })
            .collect();
        let mut sent = 0usize;
        while sent < hdrs.len() {
            let n = (hdrs.len() - sent).min(u32::MAX as usize) as u32;
            let r = libc::sendmmsg(sock, hdrs.as_mut_ptr().add(sent), n, 0);
            if r > 0 {
                sent += r as usize;
                continue;
            }
            let e = errno::last_error();
            if r < 0 && e == errno::UV_EINTR {
                continue;
            }
            if sent > 0 {
                break;
            }
            return if e == errno::UV_ENOBUFS || e == 0 {
                UV_EAGAIN
            } else {
                e
            };
        }
        sent.min(c_int::MAX as usize) as c_int
    }
}
