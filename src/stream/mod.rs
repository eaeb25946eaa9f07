//! Streams: what TCP, pipe and TTY handles share. A stream is a non-blocking descriptor
//! with a read side (`uv_read_start`: one read(2) per readiness into the user's buffer,
//! up to 32 per wake-up while they fill it), a write queue (`uv_write`: `writev` straight
//! away when the queue is empty, the rest when the descriptor is writable), a shutdown
//! request, and for listening sockets an accept side (`uv_listen` / `uv_accept`).
//!
//! # Phases
//! Reads, accepts and connection results run in the poll phase, from the descriptor's
//! readiness. Completed writes and shutdowns report in the *pending* phase, as libuv's
//! do: a write that finished inside `uv_write` calls back on the next pending round, never
//! from within `uv_write`. Immediate connect errors (`ECONNREFUSED`, a failed pipe connect,
//! an address-in-use kept from `uv_tcp_bind`) report in the pending phase too. Closing a
//! stream cancels what is left, before its close callback: the connect request, then the
//! unwritten writes (`UV_ECANCELED`; writes that were written but not yet reported get
//! status 0), then the shutdown request. Everything here runs on the loop thread.
//!
//! # Where the state lives
//! Inline, in the handle. The descriptor is in `u.fd` (`uv_fileno` reads it) and mirrored
//! where libuv keeps it (`io_watcher.fd`, 48 bytes into `io_watcher`). The private bytes
//! libuv gives a stream, `io_watcher` and `reserved` (112 contiguous bytes at offset 136),
//! hold a [`Priv`]: the write queue and the queue of written requests not yet reported
//! (intrusive lists through `uv_write_t.queue`), the connection callback, descriptors
//! received over an IPC pipe and not yet accepted, an error deferred to the next connect
//! or listen, a few private bits, and the stream's entry in the loop's pending queue. The
//! readiness the stream wants is its descriptor's watcher's ([`uvloop::io`]), not kept
//! here.
//! Handle flags keep libuv's values (`READING`, `READABLE` 0x4000, `WRITABLE` 0x8000,
//! `SHUTTING`, `BLOCKING_WRITES` 0x100000 ...), since programs read some of them.
//!
//! Submodules: [`read`] (reads, EOF, descriptors received over IPC), [`write`] (the write
//! queue, `uv_try_write`, shutdown), [`server`] (listen, accept, the EMFILE reserve).

pub(crate) mod read;
pub(crate) mod server;
pub(crate) mod write;

use crate::abi::errno::{UV_EBUSY, UV_ECANCELED};
use crate::abi::flags;
use crate::abi::flags::{READABLE, READING, WRITABLE};
use crate::abi::*;
use crate::sys;
use crate::uvloop;
use crate::uvloop::handle;
use crate::uvloop::queue::{self, Node};
use core::ffi::{c_int, c_void};
use core::mem::offset_of;
use core::ptr;

/// A stream's private state, overlaid on `io_watcher` + `reserved`.
#[repr(C)]
pub(crate) struct Priv {
    /// Write requests not yet fully written, oldest first (through `uv_write_t.queue`).
    pub(crate) write_queue: Node,
    /// Write requests done (written or failed), waiting for their callback.
    pub(crate) completed: Node,
    /// `uv_listen`'s callback.
    pub(crate) connection_cb: uv_connection_cb,
    /// Descriptors received over an IPC pipe beyond `accepted_fd`, oldest first.
    pub(crate) queued_fds: *mut crate::abi::alloc::UvVec<c_int>,
    /// The descriptor again, where libuv's `io_watcher.fd` is.
    pub(crate) io_fd: c_int,
    /// An error to report at the next connect (through its callback) or listen.
    pub(crate) delayed_error: c_int,
    /// An accepted (or received) descriptor waiting for `uv_accept`, -1: none.
    pub(crate) accepted_fd: c_int,
    /// Private bits: [`SOCKET`], [`LISTEN`].
    pub(crate) state: u32,
    /// The stream's entry in the loop's pending queue (see [`feed`]).
    pub(crate) pending: uvloop::Pending,
}

/// The descriptor is a socket: writes use `send`/`sendmsg` with `MSG_NOSIGNAL`.
pub(crate) const SOCKET: u32 = 2;
/// The stream listens: readiness means connections to accept.
pub(crate) const LISTEN: u32 = 4;

const PRIV_OFFSET: usize = offset_of!(uv_stream_t, io_watcher);

const _: () = {
    use core::mem::{align_of, size_of};
    // `io_watcher` (56 bytes) and `reserved` (56 bytes) are contiguous.
    assert!(offset_of!(uv_stream_t, reserved) == PRIV_OFFSET + 56);
    assert!(size_of::<uv_stream_t>() == offset_of!(uv_stream_t, reserved) + 56);
    assert!(size_of::<Priv>() <= 112);
    assert!(align_of::<Priv>() <= 8);
    assert!(PRIV_OFFSET.is_multiple_of(8));
    // libuv's `io_watcher.fd`.
    assert!(offset_of!(Priv, io_fd) == 48);
    assert!(offset_of!(Priv, pending) == 64);
};

/// The private state of stream `s` (a pointer computation only).
#[inline(always)]
pub(crate) fn priv_of(s: *mut uv_stream_t) -> *mut Priv {
    s.cast::<u8>().wrapping_add(PRIV_OFFSET).cast()
}

/// Views a TCP, pipe or TTY handle as a stream.
#[inline(always)]
pub(crate) fn stream<T>(h: *mut T) -> *mut uv_stream_t {
    h.cast()
}

/// The stream's descriptor, -1 when none.
///
/// # Safety
/// `s` is an initialised stream.
#[inline(always)]
pub(crate) unsafe fn fd(s: *const uv_stream_t) -> c_int {
    // SAFETY: caller guarantees `s` is live; `u.fd` is the descriptor slot.
    unsafe { (*s).u.fd }
}

/// Records the stream's descriptor in `u.fd` and in libuv's `io_watcher.fd`.
///
/// # Safety
/// `s` is an initialised stream.
#[inline]
pub(crate) unsafe fn set_fd(s: *mut uv_stream_t, fd: c_int) {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        (*s).u.fd = fd;
        (*priv_of(s)).io_fd = fd;
    }
}

/// Is the stream a pipe handle opened with `ipc`?
///
/// # Safety
/// `s` is an initialised stream.
#[inline]
pub(crate) unsafe fn is_ipc(s: *const uv_stream_t) -> bool {
    // SAFETY: a stream of type UV_NAMED_PIPE is a uv_pipe_t.
    unsafe { (*s).r#type == crate::abi::UV_NAMED_PIPE && (*s.cast::<uv_pipe_t>()).ipc != 0 }
}

/// Counts `req` as active on the loop (`uv__req_register`) and records it in flight, so
/// that submitting it again before its callback gets `UV_EBUSY` ([`busy`]).
///
/// # Safety
/// `l` is an initialised loop; loop thread; `req` was not [`busy`].
#[inline]
pub(crate) unsafe fn req_register<T>(l: *mut uv_loop_t, req: *const T) {
    // SAFETY: caller guarantees `l` is live; loop thread.
    unsafe {
        (*l).active_reqs.count += 1;
        crate::uvloop::inflight::enter(l, req.cast(), crate::uvloop::inflight::Kind::Plain);
    }
}

/// Hands `req` back: called just before its callback runs, so the callback may submit it
/// again.
///
/// # Safety
/// `l` is an initialised loop with `req` registered by [`req_register`].
#[inline]
pub(crate) unsafe fn req_unregister<T>(l: *mut uv_loop_t, req: *const T) {
    // SAFETY: caller guarantees `l` is live; loop thread.
    unsafe {
        (*l).active_reqs.count -= 1;
        crate::uvloop::inflight::leave(l, req.cast());
    }
}

/// Is `req` pending on `s`'s loop (submitted, its callback not yet called)? Reads nothing
/// of `req`.
///
/// # Safety
/// `s` is a live stream; loop thread.
#[inline]
pub(crate) unsafe fn busy<T>(s: *const uv_stream_t, req: *const T) -> bool {
    // SAFETY: a live stream's loop is initialised (caller).
    unsafe { crate::uvloop::inflight::busy((*s).r#loop, req.cast()) }
}

/// The common part of `uv_tcp_init`, `uv_pipe_init` and `uv_tty_init`.
///
/// # Safety
/// `l` is an initialised loop; `s` is writable memory of the handle type's size.
pub(crate) unsafe fn init(l: *mut uv_loop_t, s: *mut uv_stream_t, ty: c_int) {
    // SAFETY: caller guarantees `s` is writable; the private area is inside the handle.
    unsafe {
        handle::init(l, s.cast(), ty);
        (*s).write_queue_size = 0;
        (*s).alloc_cb = None;
        (*s).read_cb = None;
        (*s).connect_req = ptr::null_mut();
        (*s).shutdown_req = ptr::null_mut();
        let p = priv_of(s);
        ptr::write_bytes(p.cast::<u8>(), 0, 112);
        queue::init(&raw mut (*p).write_queue);
        queue::init(&raw mut (*p).completed);
        uvloop::pending_init(&raw mut (*p).pending);
        (*p).io_fd = -1;
        (*p).accepted_fd = -1;
    }
    server::ensure_reserve_fd();
}

/// Gives the stream its descriptor (`uv__stream_open`): `UV_EBUSY` if it has another.
/// `flags` are handle flags to add (`READABLE`, `WRITABLE`, `BLOCKING_WRITES`); `socket`
/// says whether `fd` is a socket (see [`is_socket`] when the caller does not know).
///
/// # Safety
/// `s` is an initialised stream; `fd` is an open descriptor the stream now owns.
pub(crate) unsafe fn open(s: *mut uv_stream_t, fd: c_int, flags: u32, socket: bool) -> c_int {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        let cur = self::fd(s);
        if cur != -1 && cur != fd {
            return UV_EBUSY;
        }
        (*s).flags |= flags;
        if (*s).r#type == crate::abi::UV_TCP {
            if (*s).flags & flags::TCP_NODELAY != 0 {
                let r = crate::tcp::set_nodelay(fd, true);
                if r != 0 {
                    return r;
                }
            }
            if (*s).flags & flags::TCP_KEEPALIVE != 0 {
                let r = crate::tcp::set_keepalive(fd, true, 60, 1, 10);
                if r != 0 {
                    return r;
                }
            }
        }
        let p = priv_of(s);
        if socket {
            (*p).state |= SOCKET;
        } else {
            (*p).state &= !SOCKET;
        }
        set_fd(s, fd);
    }
    0
}

/// Is `fd` a socket?
pub(crate) fn is_socket(fd: c_int) -> bool {
    // SAFETY: fstat writes into a live, zeroed stat buffer.
    unsafe {
        let mut st: libc::stat = core::mem::zeroed();
        libc::fstat(fd, &mut st) == 0 && st.st_mode & libc::S_IFMT == libc::S_IFSOCK
    }
}

/// Makes the stream's watcher want `bits` too (`uv__io_start`).
///
/// # Safety
/// `s` is an initialised stream with a descriptor.
pub(crate) unsafe fn want(s: *mut uv_stream_t, bits: u32) -> c_int {
    // SAFETY: caller guarantees `s` is live; `s` stays valid while watched (close removes
    // the watcher before the handle can go away).
    unsafe { uvloop::io::start((*s).r#loop, fd(s), bits, stream_io, s.cast()) }
}

/// Drops `bits` from what the stream's watcher wants (`uv__io_stop`). Costs no system
/// call: the loop applies the change before it next waits, and one that wants nothing
/// stays registered, parked, for the common next step (`uv_read_start` again, another
/// write); see [`uvloop::io`].
///
/// # Safety
/// `s` is an initialised stream.
pub(crate) unsafe fn unwant(s: *mut uv_stream_t, bits: u32) {
    // SAFETY: caller guarantees `s` is live.
    unsafe { uvloop::io::stop((*s).r#loop, fd(s), bits) }
}

/// Queues one run of the stream's write side for the pending phase (libuv's
/// `uv__io_feed`): write callbacks, a deferred shutdown, a deferred connect error.
///
/// # Safety
/// `s` is an initialised stream, not closed.
pub(crate) unsafe fn feed(s: *mut uv_stream_t) {
    // SAFETY: caller guarantees `s` is live; `close` removes the queued run.
    unsafe { uvloop::defer((*s).r#loop, &raw mut (*priv_of(s)).pending, on_feed) }
}

/// The pending-phase run queued by [`feed`].
unsafe fn on_feed(_l: *mut uv_loop_t, entry: *mut uvloop::Pending) {
    let s: *mut uv_stream_t = entry
        .cast::<u8>()
        .wrapping_sub(PRIV_OFFSET + offset_of!(Priv, pending))
        .cast();
    // SAFETY: the entry is the `pending` field of a live stream's private state (only
    // `feed` queues it); a queued run is removed when the stream closes. The handle is live
    // until its close callback.
    unsafe {
        if handle::is_closing(s.cast()) {
            return;
        }
        if !(*s).connect_req.is_null() {
            // Only a deferred error completes a connect from here; otherwise writability does.
            if (*priv_of(s)).delayed_error != 0 {
                connect_io(s);
            }
            return;
        }
        write::write_io(s);
    }
}

/// The loop's readiness callback for every stream.
unsafe fn stream_io(_l: *mut uv_loop_t, data: *mut c_void, ready: u32) {
    let s: *mut uv_stream_t = data.cast();
    // SAFETY: registered streams are live (close deregisters); every step re-checks the
    // handle after user callbacks, which may close it.
    unsafe {
        if handle::is_closing(s.cast()) {
            return;
        }
        let p = priv_of(s);
        if (*p).state & LISTEN != 0 {
            server::server_io(s);
            return;
        }
        if !(*s).connect_req.is_null() {
            connect_io(s);
            return;
        }
        if ready & (sys::READABLE | sys::ERROR) != 0 {
            read::read(s);
            if handle::is_closing(s.cast()) {
                return;
            }
        }
        // A pty that hangs up may still hold data: one more read, as libuv 1.53 does.
        if ready & sys::ERROR != 0
            && ready & sys::READABLE == 0
            && (*s).r#type == crate::abi::UV_TTY
            && (*s).flags & (READING | flags::READ_EOF) == READING
        {
            read::read(s);
            if handle::is_closing(s.cast()) {
                return;
            }
        }
        // A hang-up after a short read: there is nothing more to read on a socket. Not
        // so on a pty, whose short reads leave data behind: its next readiness reads on.
        if ready & sys::ERROR != 0
            && (*s).r#type != crate::abi::UV_TTY
            && (*s).flags & (READING | flags::READ_PARTIAL | flags::READ_EOF)
                == READING | flags::READ_PARTIAL
        {
            let buf = uv_buf_t {
                base: ptr::null_mut(),
                len: 0,
            };
            read::eof(s, &buf);
            if handle::is_closing(s.cast()) {
                return;
            }
        }
        if ready & (sys::WRITABLE | sys::ERROR) != 0 {
            write::write_io(s);
        }
    }
}

/// A pending connect has news: a deferred error, or the socket became writable (or failed).
unsafe fn connect_io(s: *mut uv_stream_t) {
    // SAFETY: `s` is a live stream with a connect request; no borrow spans the callback.
    unsafe {
        let req = (*s).connect_req;
        let p = priv_of(s);
        let error = if (*p).delayed_error != 0 {
            core::mem::replace(&mut (*p).delayed_error, 0)
        } else {
            let mut err: c_int = 0;
            let mut len = core::mem::size_of::<c_int>() as libc::socklen_t;
            if libc::getsockopt(
                fd(s),
                libc::SOL_SOCKET,
                libc::SO_ERROR,
                (&raw mut err).cast(),
                &mut len,
            ) != 0
            {
                err = crate::abi::errno::last_error().abs();
            }
            -err
        };
        if error == -libc::EINPROGRESS {
            return;
        }
        (*s).connect_req = ptr::null_mut();
        req_unregister((*s).r#loop, req);
        if error < 0 || queue::is_empty(&raw const (*p).write_queue) {
            unwant(s, sys::WRITABLE);
        }
        if let Some(cb) = (*req).cb {
            cb(req, error);
        }
        if handle::is_closing(s.cast()) {
            return;
        }
        if error < 0 {
            write::flush_write_queue(s, UV_ECANCELED);
            write::write_callbacks(s);
        } else if (*s).flags & flags::SHUTTING != 0
            && queue::is_empty(&raw const (*priv_of(s)).write_queue)
        {
            // A shutdown asked for while connecting, with nothing to write first.
            feed(s);
        }
    }
}

/// `uv_read_start` after the checks (`READABLE`, not reading, callbacks given).
///
/// # Safety
/// `s` is an initialised stream with a descriptor, not closing.
pub(crate) unsafe fn read_start(
    s: *mut uv_stream_t,
    alloc_cb: uv_alloc_cb,
    read_cb: uv_read_cb,
) -> c_int {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        if fd(s) < 0 {
            return crate::abi::errno::UV_EINVAL;
        }
        (*s).alloc_cb = alloc_cb;
        (*s).read_cb = read_cb;
        let r = want(s, sys::READABLE);
        if r != 0 {
            return r;
        }
        (*s).flags |= READING;
        (*s).flags &= !flags::READ_EOF;
        handle::start(s.cast());
    }
    0
}

/// `uv_read_stop`.
///
/// # Safety
/// `s` is an initialised stream.
pub(crate) unsafe fn read_stop(s: *mut uv_stream_t) {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        if (*s).flags & READING == 0 {
            return;
        }
        (*s).flags &= !READING;
        unwant(s, sys::READABLE);
        handle::stop(s.cast());
        (*s).read_cb = None;
        (*s).alloc_cb = None;
    }
}

/// The `close` hook: stops everything and releases the descriptors, at `uv_close` time.
///
/// # Safety
/// `h` is a live TCP, pipe or TTY handle being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    let s: *mut uv_stream_t = h.cast();
    // SAFETY: caller guarantees `s` is a live stream; loop thread.
    unsafe {
        if (*h).r#type == crate::abi::UV_NAMED_PIPE {
            crate::pipe::close(s.cast());
        }
        let p = priv_of(s);
        let f = fd(s);
        if f != -1 {
            // Out of the kernel before the descriptor is closed (and its number reused).
            uvloop::io::close((*s).r#loop, f);
        }
        uvloop::undefer(&raw mut (*p).pending);
        (*p).state &= !LISTEN;
        (*s).flags &= !READING;
        (*s).read_cb = None;
        (*s).alloc_cb = None;
        handle::stop(h);
        (*s).flags &= !(READABLE | WRITABLE);
        let f = fd(s);
        if f != -1 {
            // Never close the standard descriptors, as libuv.
            if f > libc::STDERR_FILENO {
                libc::close(f);
            }
            set_fd(s, -1);
        }
        read::drop_received_fds(s);
    }
}

/// The `finish_close` hook, in the closing phase before the close callback: cancels the
/// connect request, reports the writes, cancels the shutdown.
///
/// # Safety
/// `h` is a closed TCP, pipe or TTY handle; loop thread.
pub(crate) unsafe fn finish_close(h: *mut uv_handle_t) {
    let s: *mut uv_stream_t = h.cast();
    // SAFETY: caller guarantees `s` is live until its close callback; no borrow spans the
    // request callbacks.
    unsafe {
        let req = (*s).connect_req;
        if !req.is_null() {
            (*s).connect_req = ptr::null_mut();
            req_unregister((*s).r#loop, req);
            if let Some(cb) = (*req).cb {
                cb(req, UV_ECANCELED);
            }
        }
        write::flush_write_queue(s, UV_ECANCELED);
        write::write_callbacks(s);
        write::drain(s);
    }
}
