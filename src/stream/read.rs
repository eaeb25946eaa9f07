//! The read side of a stream: one `read(2)` (an IPC pipe: `recvmsg`) per buffer the
//! user's `alloc_cb` hands out, up to 32 per readiness while each read fills its buffer.
//! `nread > 0` is data, 0 means "nothing now" (the buffer goes back to the user), `UV_EOF`
//! ends reading, any other error also clears `READABLE` and `WRITABLE` (the user should
//! close). An empty buffer from `alloc_cb` is reported as `UV_ENOBUFS`. Descriptors that
//! arrive over an IPC pipe (`SCM_RIGHTS`) wait in `accepted_fd` and then `queued_fds` for
//! `uv_accept`. Runs in the poll phase.

use super::{fd, is_ipc, priv_of, unwant};
use crate::abi::alloc::{UvBox, UvVec};
use crate::abi::errno::{UV_ENOBUFS, UV_EOF};
use crate::abi::flags;
use crate::abi::flags::{READ_EOF, READ_PARTIAL, READING};
use crate::abi::*;
use crate::sys;
use crate::uvloop::handle;
use core::ffi::c_int;
use core::ptr;

/// Reads per readiness before giving other descriptors their turn.
const MAX_READS: u32 = 32;
/// The buffer size suggested to `alloc_cb`.
const SUGGESTED: usize = 64 * 1024;
/// Descriptors one `recvmsg` can take.
const CMSG_FDS: usize = 64;
/// Control buffer for [`CMSG_FDS`] descriptors, 8-byte aligned: CMSG_SPACE(64 * 4) = 272.
type CmsgBuf = [u64; 34];

/// Reads what is there (libuv's `uv__read`).
///
/// # Safety
/// `s` is a live stream with a descriptor; loop thread.
pub(crate) unsafe fn read(s: *mut uv_stream_t) {
    // SAFETY: caller guarantees `s` is live until its close callback, which cannot run
    // during this function; every field is re-read after each user callback.
    unsafe {
        (*s).flags &= !READ_PARTIAL;
        let ipc = is_ipc(s);
        let mut count = MAX_READS;
        while count > 0 && (*s).flags & READING != 0 {
            count -= 1;
            let (Some(alloc_cb), Some(_)) = ((*s).alloc_cb, (*s).read_cb) else {
                return;
            };
            let mut buf = uv_buf_t {
                base: ptr::null_mut(),
                len: 0,
            };
            alloc_cb(s.cast(), SUGGESTED, &mut buf);
            // alloc_cb may have stopped reading or closed the handle.
            let Some(read_cb) = (*s).read_cb else {
                return;
            };
            if (*s).flags & READING == 0 || fd(s) < 0 {
                return;
            }
            if buf.base.is_null() || buf.len == 0 {
                read_cb(s, UV_ENOBUFS as isize, &buf);
                return;
            }
            let nread = if ipc {
                recv_ipc(s, &mut buf)
            } else {
                loop {
                    let n = libc::read(fd(s), buf.base.cast(), buf.len);
                    if n < 0 && errno() == libc::EINTR {
                        continue;
                    }
                    break n;
                }
            };
            if nread < 0 {
                let e = errno();
                if e == libc::EAGAIN || e == libc::EWOULDBLOCK {
                    // Nothing more now: the buffer goes back to the user.
                    read_cb(s, 0, &buf);
                } else {
                    (*s).flags &= !(flags::READABLE | flags::WRITABLE);
                    read_cb(s, -e as isize, &buf);
                    if (*s).flags & READING != 0 {
                        (*s).flags &= !READING;
                        unwant(s, sys::READABLE);
                        handle::stop(s.cast());
                    }
                }
                return;
            }
            if nread == 0 {
                eof(s, &buf);
                return;
            }
            read_cb(s, nread, &buf);
            // A short read drained a socket, so stop here (it saves the read that would
            // say EAGAIN). A pty hands its data out in pieces even when more is there; a
            // TTY stops too and the level-triggered poll brings the rest, as in libuv. It
            // must not read on at once: a pty master stays blocking (see `tty::init`), so
            // a read with nothing there would block the loop, and a read right after a
            // short one can meet a kernel race in which it says EIO (the slave closed)
            // while the last bytes still wait in the tty buffer, which a later read would
            // have returned (tty_pty_partial lost 256 bytes about once in 700 rounds). The
            // poll before the next read lets the kernel's tty buffer work finish first.
            if (nread as usize) < buf.len {
                (*s).flags |= READ_PARTIAL;
                return;
            }
        }
    }
}

/// End of file: reading stops, then `read_cb(UV_EOF)`.
///
/// # Safety
/// `s` is a live stream that is reading.
pub(crate) unsafe fn eof(s: *mut uv_stream_t, buf: *const uv_buf_t) {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        (*s).flags |= READ_EOF;
        (*s).flags &= !READING;
        unwant(s, sys::READABLE);
        handle::stop(s.cast());
        if let Some(cb) = (*s).read_cb {
            cb(s, UV_EOF as isize, buf);
        }
    }
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// One `recvmsg` into `buf` on an IPC pipe; the descriptors that came with the bytes wait
/// for `uv_accept`. Returns what recvmsg returned (errno is left as it set it).
unsafe fn recv_ipc(s: *mut uv_stream_t, buf: *mut uv_buf_t) -> isize {
    let mut cmsg: CmsgBuf = [0; 34];
    // SAFETY: `buf` is the user's buffer (live until read_cb); the control buffer is a
    // live, aligned local of the size given.
    unsafe {
        let mut msg: libc::msghdr = core::mem::zeroed();
        msg.msg_iov = buf.cast();
        msg.msg_iovlen = 1;
        msg.msg_control = cmsg.as_mut_ptr().cast();
        msg.msg_controllen = core::mem::size_of::<CmsgBuf>();
        loop {
            let n = libc::recvmsg(fd(s), &mut msg, libc::MSG_CMSG_CLOEXEC);
            if n < 0 && errno() == libc::EINTR {
                continue;
            }
            if n >= 0 {
                take_fds(s, &msg);
            }
            return n;
        }
    }
}

/// Takes the descriptors of every `SCM_RIGHTS` message in `msg`.
unsafe fn take_fds(s: *mut uv_stream_t, msg: *const libc::msghdr) {
    // SAFETY: `msg` was filled by recvmsg; the CMSG_* walk stays inside msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(c).cast::<c_int>();
                let n =
                    ((*c).cmsg_len - libc::CMSG_LEN(0) as usize) / core::mem::size_of::<c_int>();
                for i in 0..n.min(CMSG_FDS) {
                    push_fd(s, data.add(i).read_unaligned());
                }
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
}

/// Keeps a received descriptor for `uv_accept`.
unsafe fn push_fd(s: *mut uv_stream_t, fd: c_int) {
    // SAFETY: `s` is live; the queue box is owned by the stream.
    unsafe {
        let p = priv_of(s);
        if (*p).accepted_fd == -1 {
            (*p).accepted_fd = fd;
            return;
        }
        if (*p).queued_fds.is_null() {
            (*p).queued_fds = UvBox::into_raw(UvBox::new(UvVec::with_capacity(8)));
        }
        (*(*p).queued_fds).push(fd);
    }
}

/// The next descriptor waiting after `accepted_fd`, if any.
///
/// # Safety
/// `s` is a live stream.
pub(crate) unsafe fn pop_queued_fd(s: *mut uv_stream_t) -> Option<c_int> {
    // SAFETY: `s` is live; the queue box is owned by the stream and freed when empty.
    unsafe {
        let p = priv_of(s);
        if (*p).queued_fds.is_null() {
            return None;
        }
        // Oldest first; the queue is short (descriptors sent ahead of `uv_accept`).
        let q = &mut *(*p).queued_fds;
        let fd = if q.is_empty() {
            None
        } else {
            Some(q.remove(0))
        };
        if q.is_empty() {
            drop(UvBox::from_raw((*p).queued_fds));
            (*p).queued_fds = ptr::null_mut();
        }
        fd
    }
}

/// How many received descriptors wait for `uv_accept` (`uv_pipe_pending_count`).
///
/// # Safety
/// `s` is a live stream.
pub(crate) unsafe fn pending_count(s: *mut uv_stream_t) -> c_int {
    // SAFETY: `s` is live.
    unsafe {
        let p = priv_of(s);
        if (*p).accepted_fd == -1 {
            return 0;
        }
        let queued = if (*p).queued_fds.is_null() {
            0
        } else {
            (&*(*p).queued_fds).len()
        };
        1 + queued as c_int
    }
}

/// Closes every accepted or received descriptor nobody took (the stream is closing).
///
/// # Safety
/// `s` is a live stream.
pub(crate) unsafe fn drop_received_fds(s: *mut uv_stream_t) {
    // SAFETY: `s` is live; the descriptors are the stream's own.
    unsafe {
        let p = priv_of(s);
        if (*p).accepted_fd != -1 {
            libc::close((*p).accepted_fd);
            (*p).accepted_fd = -1;
        }
        while let Some(fd) = pop_queued_fd(s) {
            libc::close(fd);
        }
    }
}
