//! The write side of a stream: the write queue, `uv_try_write`, and shutdown.
//!
//! `uv_write` copies the buffer list into the request (`bufsml` for up to four buffers, as
//! libuv; a heap copy beyond) and queues it. When the queue was empty it writes at once
//! with one `writev` (`sendmsg` with `MSG_NOSIGNAL` on sockets, so a closed peer is an
//! `UV_EPIPE` through the callback rather than a SIGPIPE); what is left waits for the
//! descriptor to become writable. Written (or failed) requests move to the completed
//! queue and their callbacks run in the pending phase, oldest first. `write_queue_size`
//! is the number of bytes queued and not yet written; a failed request's remainder is
//! subtracted just before its callback, as libuv does. A shutdown waits for the queue to
//! drain, then `shutdown(SHUT_WR)` and its callback.

use super::{SOCKET, fd, feed, is_ipc, priv_of, req_register, req_unregister, unwant, want};
use crate::abi::alloc::UvBox;
use crate::abi::errno::{
    UV_EAGAIN, UV_EBADF, UV_EBUSY, UV_ECANCELED, UV_EINVAL, UV_ENOTCONN, UV_EPIPE,
};
use crate::abi::flags::{BLOCKING_WRITES, SHUT, SHUTTING, WRITABLE};
use crate::abi::*;
use crate::abi::{UV_SHUTDOWN, UV_WRITE};
use crate::sys;
use crate::uvloop::handle;
use crate::uvloop::queue::{self, Node};
use core::ffi::{c_int, c_uint};
use core::mem::offset_of;
use core::ptr;

/// `UV_WRITE` and `UV_SHUTDOWN` (`uv_req_type`).
/// At most this many buffers go to one `writev` (Linux's IOV_MAX).
const IOV_MAX: usize = 1024;

fn node(req: *mut uv_write_t) -> *mut Node {
    req.cast::<u8>()
        .wrapping_add(offset_of!(uv_write_t, queue))
        .cast()
}

fn req_of(q: *mut Node) -> *mut uv_write_t {
    q.cast::<u8>()
        .wrapping_sub(offset_of!(uv_write_t, queue))
        .cast()
}

fn total(bufs: &[uv_buf_t]) -> usize {
    bufs.iter().map(|b| b.len).sum()
}

/// The descriptor a handle can send over IPC (TCP, pipe, UDP), -1 for anything else.
///
/// # Safety
/// `h` is a live handle.
unsafe fn sendable_fd(h: *const uv_handle_t) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    unsafe {
        match (*h).r#type {
            crate::abi::UV_TCP | crate::abi::UV_NAMED_PIPE | crate::abi::UV_UDP => (*h).u.fd,
            _ => -1,
        }
    }
}

/// libuv's `uv__check_before_write`.
///
/// # Safety
/// `s` is a live stream; `send_handle` is NULL or a live handle.
unsafe fn check(s: *mut uv_stream_t, send_handle: *mut uv_stream_t) -> c_int {
    // SAFETY: caller guarantees both are live.
    unsafe {
        if fd(s) < 0 {
            return UV_EBADF;
        }
        if (*s).flags & WRITABLE == 0 {
            return UV_EPIPE;
        }
        if !send_handle.is_null() {
            if !is_ipc(s) {
                return UV_EINVAL;
            }
            if handle::is_closing(send_handle.cast()) || sendable_fd(send_handle.cast()) < 0 {
                return UV_EBADF;
            }
        }
    }
    0
}

/// `uv_write2` after the argument checks: queues `bufs` (and `send_handle`'s descriptor).
///
/// # Safety
/// `req` is writable request memory; `s` a live stream; `bufs` holds `nbufs > 0` buffers;
/// `send_handle` is NULL or a live handle.
pub(crate) unsafe fn write2(
    req: *mut uv_write_t,
    s: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
    cb: uv_write_cb,
) -> c_int {
    // SAFETY: caller guarantees the pointers; the request is ours until its callback.
    unsafe {
        // Still pending: refused before anything is written to it (libuv would link it
        // into the write queue twice).
        if super::busy(s, req) {
            return UV_EBUSY;
        }
        let r = check(s, send_handle);
        if r != 0 {
            return r;
        }
        // A non-zero size with an empty queue means failed requests are still waiting for
        // their callbacks: do not try the descriptor now (libuv's rule).
        let empty = (*s).write_queue_size == 0;
        // More than `bufsml` holds: a copy on the uv allocator, made before anything changes
        // so that running out of memory leaves the stream as it was.
        let src = core::slice::from_raw_parts(bufs, nbufs as usize);
        let mut copy = None;
        if src.len() > 4 {
            copy = UvBox::try_copy_of(src);
            if copy.is_none() {
                return crate::abi::errno::UV_ENOMEM;
            }
        }
        let l = (*s).r#loop;
        (*req).r#type = UV_WRITE;
        req_register(l, req);
        (*req).cb = cb;
        (*req).handle = s;
        (*req).error = 0;
        (*req).write_extra.nwritten = 0;
        (*req).send_handle = send_handle;
        (*req).bufs = if src.len() <= 4 {
            let dst = (&raw mut (*req).bufsml).cast::<uv_buf_t>();
            ptr::copy_nonoverlapping(bufs, dst, src.len());
            dst
        } else {
            UvBox::into_raw(copy.take().expect("made above")).cast()
        };
        (*req).nbufs = nbufs;
        (*req).write_index = 0;
        (*s).write_queue_size += total(src);
        queue::insert_tail(&raw mut (*priv_of(s)).write_queue, node(req));
        if !(*s).connect_req.is_null() {
            // Written once connected.
        } else if empty {
            do_write(s);
        } else {
            let r = want(s, sys::WRITABLE);
            if r != 0 {
                fail_head(s, r);
            }
        }
    }
    0
}

/// `uv_try_write2` after the argument checks.
///
/// # Safety
/// `s` is a live stream; `bufs` holds `nbufs > 0` buffers; `send_handle` NULL or live.
pub(crate) unsafe fn try_write2(
    s: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
) -> c_int {
    // SAFETY: caller guarantees the pointers.
    unsafe {
        if !(*s).connect_req.is_null() || (*s).write_queue_size != 0 {
            return UV_EAGAIN;
        }
        let r = check(s, send_handle);
        if r != 0 {
            return r;
        }
        let n = raw_write(s, bufs, nbufs as usize, send_handle);
        n.min(c_int::MAX as isize) as c_int
    }
}

/// One `writev`/`sendmsg` of up to [`IOV_MAX`] buffers: bytes written, or a libuv error
/// (`UV_EAGAIN` when the descriptor is full).
unsafe fn raw_write(
    s: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: usize,
    send_handle: *mut uv_stream_t,
) -> isize {
    let n = nbufs.min(IOV_MAX);
    // uv_buf_t has iovec's layout on Unix (base, len).
    let iov: *mut libc::iovec = bufs.cast_mut().cast();
    // SAFETY: `bufs` holds `nbufs` buffers the user keeps valid until the callback; the
    // control buffer is a live, aligned local.
    unsafe {
        let fd = fd(s);
        let socket = (*priv_of(s)).state & SOCKET != 0;
        if !send_handle.is_null() && handle::is_closing(send_handle.cast()) {
            return UV_EBADF as isize;
        }
        let r = loop {
            let r = if !send_handle.is_null() {
                let mut ctl = [0u64; 4];
                let mut msg: libc::msghdr = core::mem::zeroed();
                msg.msg_iov = iov;
                msg.msg_iovlen = n;
                msg.msg_control = ctl.as_mut_ptr().cast();
                msg.msg_controllen =
                    libc::CMSG_SPACE(core::mem::size_of::<c_int>() as u32) as usize;
                let c = libc::CMSG_FIRSTHDR(&msg);
                (*c).cmsg_level = libc::SOL_SOCKET;
                (*c).cmsg_type = libc::SCM_RIGHTS;
                (*c).cmsg_len = libc::CMSG_LEN(core::mem::size_of::<c_int>() as u32) as usize;
                libc::CMSG_DATA(c)
                    .cast::<c_int>()
                    .write_unaligned(sendable_fd(send_handle.cast()));
                libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL)
            } else if socket {
                if n == 1 {
                    libc::send(fd, (*iov).iov_base, (*iov).iov_len, libc::MSG_NOSIGNAL)
                } else {
                    let mut msg: libc::msghdr = core::mem::zeroed();
                    msg.msg_iov = iov;
                    msg.msg_iovlen = n;
                    libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL)
                }
            } else if n == 1 {
                libc::write(fd, (*iov).iov_base, (*iov).iov_len)
            } else {
                libc::writev(fd, iov, n as c_int)
            };
            if r < 0 && errno() == libc::EINTR {
                continue;
            }
            break r;
        };
        if r >= 0 {
            return r;
        }
        match errno() {
            e if e == libc::EAGAIN || e == libc::EWOULDBLOCK || e == libc::ENOBUFS => {
                UV_EAGAIN as isize
            }
            e => -e as isize,
        }
    }
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Takes up to `*n` written bytes off `req`, leaving in `*n` those beyond its end (they
/// belong to the requests queued after it); true when the request is fully written.
unsafe fn advance(s: *mut uv_stream_t, req: *mut uv_write_t, n: &mut usize) -> bool {
    // SAFETY: `req` is a queued request of `s` whose `bufs` holds `nbufs` buffers.
    unsafe {
        let offered = *n;
        let mut i = (*req).write_index as usize;
        let nbufs = (*req).nbufs as usize;
        while i < nbufs {
            let b = &mut *(*req).bufs.add(i);
            if *n >= b.len {
                *n -= b.len;
                b.base = b.base.wrapping_add(b.len);
                b.len = 0;
                i += 1;
            } else {
                b.base = b.base.add(*n);
                b.len -= *n;
                *n = 0;
                break;
            }
        }
        let taken = offered - *n;
        (*s).write_queue_size -= taken;
        (*req).write_extra.nwritten += taken;
        (*req).write_index = i as c_uint;
        i == nbufs
    }
}

/// The bytes `req` has not written yet.
unsafe fn remaining(req: *mut uv_write_t) -> usize {
    // SAFETY: `req.bufs` holds `nbufs` buffers.
    unsafe {
        let i = (*req).write_index as usize;
        let n = (*req).nbufs as usize;
        total(core::slice::from_raw_parts((*req).bufs.add(i), n - i))
    }
}

/// Frees a heap copy of the buffer list.
unsafe fn free_bufs(req: *mut uv_write_t) {
    // SAFETY: `bufs` is either `bufsml` or the boxed slice of `nbufs` made by write2.
    unsafe {
        let small = (&raw mut (*req).bufsml).cast::<uv_buf_t>();
        if !(*req).bufs.is_null() && (*req).bufs != small {
            drop(UvBox::from_raw(ptr::slice_from_raw_parts_mut(
                (*req).bufs,
                (*req).nbufs as usize,
            )));
        }
        (*req).bufs = ptr::null_mut();
    }
}

/// Moves a finished request to the completed queue and schedules the callbacks.
unsafe fn finish(s: *mut uv_stream_t, req: *mut uv_write_t) {
    // SAFETY: `req` is on `s`'s write queue.
    unsafe {
        queue::remove(node(req));
        if (*req).error == 0 {
            free_bufs(req);
        }
        queue::insert_tail(&raw mut (*priv_of(s)).completed, node(req));
        feed(s);
    }
}

/// Fails the oldest queued request with `err`.
unsafe fn fail_head(s: *mut uv_stream_t, err: c_int) {
    // SAFETY: `s` is live; its queue holds live requests.
    unsafe {
        let head = &raw mut (*priv_of(s)).write_queue;
        if queue::is_empty(head) {
            return;
        }
        let req = req_of(queue::next(head));
        (*req).error = err;
        finish(s, req);
    }
}

/// At most this many buffers of several queued requests go to one `writev` (see
/// [`do_write`]); 4 KiB of stack.
const GATHER: usize = 256;

/// Collects the unwritten buffers of the queued requests from the head on into `iov`:
/// whole requests while they fit, stopping before one that sends a handle (its descriptor
/// must go with its own first bytes) and at the end of the queue. Returns the number of
/// buffers and of requests they cover (the last possibly in part).
///
/// # Safety
/// `head` is the live write queue of a stream; its requests' `bufs` hold `nbufs` buffers.
unsafe fn gather(head: *mut Node, iov: &mut [core::mem::MaybeUninit<uv_buf_t>]) -> (usize, usize) {
    // SAFETY: the queue links live requests (caller); each copy stays inside `iov`.
    unsafe {
        let (mut n, mut reqs) = (0, 0);
        let mut q = queue::next(head);
        while q != head && n < iov.len() {
            let req = req_of(q);
            if reqs > 0 && !(*req).send_handle.is_null() {
                break;
            }
            let i = (*req).write_index as usize;
            let take = ((*req).nbufs as usize - i).min(iov.len() - n);
            ptr::copy_nonoverlapping((*req).bufs.add(i), iov[n..].as_mut_ptr().cast(), take);
            n += take;
            reqs += 1;
            q = queue::next(q);
        }
        (n, reqs)
    }
}

/// Writes as much of the queue as the descriptor takes (libuv's `uv__write`, continuing
/// with the next request when one completes).
///
/// Where libuv makes one system call per request, several small requests queued behind
/// each other go out in one `writev` ([`gather`]): a million 13-byte writes queued at
/// once (`tcp_write_batch`) cost a few thousand calls instead of a million. The bytes on
/// the wire are the same, in the same order; each request is still completed, counted
/// (`uv_write_nwritten`) and called back on its own.
///
/// # Safety
/// `s` is a live stream with a descriptor; loop thread.
pub(crate) unsafe fn do_write(s: *mut uv_stream_t) {
    // SAFETY: caller guarantees `s` is live; no user callback runs here; `iov` is a local
    // array and only its first `nbufs` entries, written by `gather`, are read.
    unsafe {
        let head = &raw mut (*priv_of(s)).write_queue;
        let mut iov = [core::mem::MaybeUninit::<uv_buf_t>::uninit(); GATHER];
        loop {
            if queue::is_empty(head) {
                return;
            }
            let req = req_of(queue::next(head));
            let i = (*req).write_index as usize;
            let own = (*req).nbufs as usize - i;
            // One request alone, or one whose own buffers fill a call: written from its
            // own list. Otherwise the queue's next requests join it.
            let single = own >= GATHER || queue::next(node(req)) == head;
            let (n, reqs) = if single {
                let n = raw_write(s, (*req).bufs.add(i), own, (*req).send_handle);
                (n, 1)
            } else {
                let (nbufs, reqs) = gather(head, &mut iov);
                let n = raw_write(s, iov.as_ptr().cast(), nbufs, (*req).send_handle);
                (n, reqs)
            };
            if n >= 0 {
                // The descriptor went with the first bytes.
                (*req).send_handle = ptr::null_mut();
                if complete(s, n as usize, reqs) {
                    continue;
                }
            } else if n != UV_EAGAIN as isize {
                (*req).error = n as c_int;
                finish(s, req);
                continue;
            }
            if (*s).flags & BLOCKING_WRITES != 0 {
                continue;
            }
            let r = want(s, sys::WRITABLE);
            if r != 0 {
                let req = req_of(queue::next(head));
                (*req).error = r;
                finish(s, req);
                continue;
            }
            return;
        }
    }
}

/// Spreads `n` written bytes over the first `reqs` queued requests, in order, finishing
/// each one fully written. True when all `reqs` were finished (the descriptor took
/// everything offered), false when one is left partly written.
///
/// # Safety
/// `s` is a live stream with at least `reqs` queued requests; `n` is at most their
/// unwritten bytes.
unsafe fn complete(s: *mut uv_stream_t, mut n: usize, reqs: usize) -> bool {
    // SAFETY: the queue holds live requests (caller); `finish` unlinks the head only.
    unsafe {
        let head = &raw mut (*priv_of(s)).write_queue;
        for _ in 0..reqs {
            let req = req_of(queue::next(head));
            if !advance(s, req, &mut n) {
                return false;
            }
            finish(s, req);
        }
        true
    }
}

/// The write side's turn: write, report, and shut down once drained.
///
/// # Safety
/// `s` is a live, not closing stream; loop thread.
pub(crate) unsafe fn write_io(s: *mut uv_stream_t) {
    // SAFETY: caller guarantees `s` is live; callbacks may close it, which is re-checked.
    unsafe {
        if fd(s) >= 0 {
            do_write(s);
        }
        write_callbacks(s);
        if handle::is_closing(s.cast()) {
            return;
        }
        if queue::is_empty(&raw const (*priv_of(s)).write_queue) {
            drain(s);
        }
    }
}

/// Moves every unwritten request to the completed queue with `err`.
///
/// # Safety
/// `s` is a live stream.
pub(crate) unsafe fn flush_write_queue(s: *mut uv_stream_t, err: c_int) {
    // SAFETY: `s` is live; both queues hold its live requests.
    unsafe {
        let p = priv_of(s);
        let head = &raw mut (*p).write_queue;
        while !queue::is_empty(head) {
            let q = queue::next(head);
            queue::remove(q);
            (*req_of(q)).error = err;
            queue::insert_tail(&raw mut (*p).completed, q);
        }
    }
}

/// `uv_cancel` of a write request (libuv 1.53): a write still on its stream's queue, even
/// one partly written, is taken off it and its callback gets `UV_ECANCELED` in the pending
/// phase (`uv_write_nwritten` tells how much went out); the rest of its bytes are never
/// written. A write already completed, or whose callback is due, is left alone: 0 either
/// way, as libuv answers; on a closing stream `UV_EBUSY`.
///
/// # Safety
/// `req` is a write request that was submitted (its `handle` set) and whose callback has
/// not returned, or one that completed on a stream still open; loop thread.
pub(crate) unsafe fn cancel(req: *mut uv_write_t) -> c_int {
    // SAFETY: caller guarantees `req` and its stream; the queue holds live requests and is
    // only walked, unlinking `req` alone.
    unsafe {
        let s = (*req).handle;
        if s.is_null() {
            // Never submitted: nothing to cancel (libuv would dereference NULL).
            return UV_EINVAL;
        }
        if handle::is_closing(s.cast()) {
            // Closing fails every queued write with UV_ECANCELED already (libuv 1.53).
            return UV_EBUSY;
        }
        let head = &raw mut (*priv_of(s)).write_queue;
        let mut q = queue::next(head);
        while q != head {
            if q == node(req) {
                (*req).error = UV_ECANCELED;
                finish(s, req);
                return 0;
            }
            q = queue::next(q);
        }
        0
    }
}

/// Runs the callbacks of completed writes, oldest first.
///
/// # Safety
/// `s` is a live stream; loop thread.
pub(crate) unsafe fn write_callbacks(s: *mut uv_stream_t) {
    // SAFETY: `s` is live until its close callback, which cannot run in here; the local
    // list head lives on this frame and is only used through `local`.
    unsafe {
        let p = priv_of(s);
        if queue::is_empty(&raw const (*p).completed) {
            return;
        }
        let mut list: Node = [ptr::null_mut(); 2];
        let local: *mut Node = &mut list;
        queue::move_all(&raw mut (*p).completed, local);
        while !queue::is_empty(local) {
            let q = queue::next(local);
            queue::remove(q);
            let req = req_of(q);
            req_unregister((*s).r#loop, req);
            if !(*req).bufs.is_null() {
                (*s).write_queue_size -= remaining(req);
                free_bufs(req);
            }
            if let Some(cb) = (*req).cb {
                cb(req, (*req).error);
            }
        }
    }
}

/// The write queue is empty: stop watching writability and run a waiting shutdown
/// (libuv's `uv__drain`). A closing stream's shutdown is cancelled.
///
/// # Safety
/// `s` is a live stream; loop thread.
pub(crate) unsafe fn drain(s: *mut uv_stream_t) {
    // SAFETY: `s` is live; the shutdown request is live until its callback.
    unsafe {
        let closing = handle::is_closing(s.cast());
        if !closing {
            unwant(s, sys::WRITABLE);
        }
        if (*s).flags & SHUTTING == 0 {
            return;
        }
        let req = (*s).shutdown_req;
        if closing || (*s).flags & SHUT == 0 {
            (*s).shutdown_req = ptr::null_mut();
            (*s).flags &= !SHUTTING;
            req_unregister((*s).r#loop, req);
            let err = if closing {
                UV_ECANCELED
            } else if libc::shutdown(fd(s), libc::SHUT_WR) != 0 {
                crate::abi::errno::last_error()
            } else {
                (*s).flags |= SHUT;
                0
            };
            if let Some(cb) = (*req).cb {
                cb(req, err);
            }
        }
    }
}

/// `uv_shutdown` after the argument checks.
///
/// # Safety
/// `req` is writable request memory; `s` a live stream.
pub(crate) unsafe fn shutdown(
    req: *mut uv_shutdown_t,
    s: *mut uv_stream_t,
    cb: uv_shutdown_cb,
) -> c_int {
    // SAFETY: caller guarantees both; the request is ours until its callback.
    unsafe {
        if (*s).flags & WRITABLE == 0
            || (*s).flags & (SHUT | SHUTTING) != 0
            || handle::is_closing(s.cast())
            || fd(s) < 0
        {
            return UV_ENOTCONN;
        }
        // Still pending on another stream: refused before anything is written to it.
        if super::busy(s, req) {
            return UV_EBUSY;
        }
        (*req).r#type = UV_SHUTDOWN;
        req_register((*s).r#loop, req);
        (*req).handle = s;
        (*req).cb = cb;
        (*s).shutdown_req = req;
        (*s).flags |= SHUTTING;
        (*s).flags &= !WRITABLE;
        if queue::is_empty(&raw const (*priv_of(s)).write_queue) {
            feed(s);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(p: &mut [u8]) -> uv_buf_t {
        uv_buf_t {
            base: p.as_mut_ptr().cast(),
            len: p.len(),
        }
    }

    /// Partial writes advance through the buffers, skipping empty ones, and keep
    /// `write_queue_size` exact.
    #[test]
    fn advance_partial_writes() {
        let mut a = [0u8; 10];
        let mut b = [0u8; 0];
        let mut c = [0u8; 5];
        // SAFETY: zeroed handle and request structs are plain data (null pointers, zeros);
        // `bufs` points at the request's own inline array, as write2 sets it up.
        unsafe {
            let mut s: uv_stream_t = core::mem::zeroed();
            let mut req: uv_write_t = core::mem::zeroed();
            req.bufsml[0] = buf(&mut a);
            req.bufsml[1] = buf(&mut b);
            req.bufsml[2] = buf(&mut c);
            req.bufs = req.bufsml.as_mut_ptr();
            req.nbufs = 3;
            s.write_queue_size = 15;
            let sp: *mut uv_stream_t = &mut s;
            let rp: *mut uv_write_t = &mut req;
            assert_eq!(remaining(rp), 15);
            assert!(!advance(sp, rp, &mut 4));
            assert_eq!((*rp).write_index, 0);
            assert_eq!(remaining(rp), 11);
            assert_eq!((*sp).write_queue_size, 11);
            // The rest of the first buffer: the empty one is skipped too.
            assert!(!advance(sp, rp, &mut 6));
            assert_eq!((*rp).write_index, 2);
            assert_eq!(remaining(rp), 5);
            assert!(advance(sp, rp, &mut 5));
            assert_eq!((*rp).write_index, 3);
            assert_eq!((*sp).write_queue_size, 0);
        }
    }

    /// A request of empty buffers only completes with a zero-byte write.
    #[test]
    fn advance_empty_request() {
        let mut e = [0u8; 0];
        // SAFETY: as above.
        unsafe {
            let mut s: uv_stream_t = core::mem::zeroed();
            let mut req: uv_write_t = core::mem::zeroed();
            req.bufsml[0] = buf(&mut e);
            req.bufsml[1] = buf(&mut e);
            req.bufs = req.bufsml.as_mut_ptr();
            req.nbufs = 2;
            assert!(advance(&mut s, &mut req, &mut 0));
        }
    }
}
