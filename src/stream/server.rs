//! The accept side of a stream. A listening stream (`uv_listen`) accepts connections as
//! they become readable, one at a time: each accepted descriptor waits in `accepted_fd`
//! for the connection callback to call `uv_accept`; if it does not, accepting pauses
//! until it does. The same `uv_accept` takes descriptors received over an IPC pipe. A TCP
//! server with `uv_tcp_simultaneous_accepts(h, 0)` (or `UV_TCP_SINGLE_ACCEPT=1` in the
//! environment) yields for a nanosecond after each connection, so that other processes
//! sharing the socket get their turn (libuv's behaviour).
//!
//! When the process runs out of descriptors (`EMFILE`), the server closes a reserve
//! descriptor kept for the purpose, accepts and closes every pending connection (so that
//! clients see them closed instead of hanging), and opens the reserve again: libuv's
//! "EMFILE trick". The reserve is process-wide (one descriptor, opened close-on-exec with
//! the first stream). Runs in the poll phase.

use super::read::pop_queued_fd;
use super::{LISTEN, fd, open, priv_of, want};
use crate::abi::errno::{UV_EAGAIN, UV_EINVAL, UV_EMFILE};
use crate::abi::flags;
use crate::abi::flags::{BOUND, READABLE, WRITABLE};
use crate::abi::*;
use crate::sys;
use crate::uvloop::handle;
use core::ffi::c_int;
use std::sync::atomic::{AtomicI32, Ordering};

/// The reserve descriptor for the EMFILE trick, -1 when none.
static RESERVE_FD: AtomicI32 = AtomicI32::new(-1);

fn open_reserve() -> c_int {
    // SAFETY: open with constant NUL-terminated paths.
    unsafe {
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd >= 0 {
            return fd;
        }
        libc::open(c"/".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC)
    }
}

/// Opens the reserve descriptor if there is none.
pub(crate) fn ensure_reserve_fd() {
    if RESERVE_FD.load(Ordering::Relaxed) != -1 {
        return;
    }
    let fd = open_reserve();
    if fd < 0 {
        return;
    }
    if RESERVE_FD
        .compare_exchange(-1, fd, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        // SAFETY: `fd` is ours and nobody else saw it.
        unsafe { libc::close(fd) };
    }
}

/// Frees the reserve, rejects every pending connection, takes the reserve back.
/// Returns the error that ended the accepting (`UV_EAGAIN` when the backlog is empty).
fn emfile_trick(listen_fd: c_int) -> c_int {
    let reserve = RESERVE_FD.swap(-1, Ordering::AcqRel);
    if reserve == -1 {
        return UV_EMFILE;
    }
    // SAFETY: the reserve is ours; accepted descriptors are closed at once.
    let err = unsafe {
        libc::close(reserve);
        loop {
            let fd = accept(listen_fd);
            if fd >= 0 {
                libc::close(fd);
            } else if fd != -libc::EINTR {
                break fd;
            }
        }
    };
    ensure_reserve_fd();
    err
}

/// One `accept4`, non-blocking and close-on-exec: a descriptor or a libuv error.
fn accept(listen_fd: c_int) -> c_int {
    loop {
        // SAFETY: no address is asked for.
        let fd = unsafe {
            libc::accept4(
                listen_fd,
                core::ptr::null_mut(),
                core::ptr::null_mut(),
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        if fd >= 0 {
            return fd;
        }
        let e = crate::abi::errno::last_error();
        if e != -libc::EINTR {
            return e;
        }
    }
}

/// Starts accepting: the stream has a listening descriptor.
///
/// # Safety
/// `s` is a live stream whose descriptor listens.
pub(crate) unsafe fn start_listening(s: *mut uv_stream_t, cb: uv_connection_cb) -> c_int {
    // SAFETY: caller guarantees `s` is live.
    unsafe {
        let p = priv_of(s);
        (*p).connection_cb = cb;
        (*p).state |= LISTEN;
        if (*p).accepted_fd == -1 {
            let r = want(s, sys::READABLE);
            if r != 0 {
                (*p).state &= !LISTEN;
                return r;
            }
        }
        handle::start(s.cast());
    }
    0
}

/// The listening descriptor is readable: accept until it would block, the user leaves a
/// connection unaccepted, or the server closes.
///
/// # Safety
/// `s` is a live listening stream; loop thread.
pub(crate) unsafe fn server_io(s: *mut uv_stream_t) {
    // SAFETY: `s` is live until its close callback; re-checked after every callback.
    unsafe {
        let p = priv_of(s);
        while fd(s) != -1 && !handle::is_closing(s.cast()) {
            if (*p).accepted_fd != -1 {
                super::unwant(s, sys::READABLE);
                return;
            }
            let r = accept(fd(s));
            if r < 0 {
                let mut err = r;
                if err == UV_EAGAIN || err == -libc::EWOULDBLOCK {
                    return;
                }
                if err == -libc::ECONNABORTED {
                    continue;
                }
                if err == UV_EMFILE || err == -libc::ENFILE {
                    err = emfile_trick(fd(s));
                    if err == UV_EAGAIN || err == -libc::EWOULDBLOCK {
                        return;
                    }
                }
                if let Some(cb) = (*p).connection_cb {
                    cb(s, err);
                }
                // A lasting error is reported once per readiness, not in a tight loop.
                return;
            }
            (*p).accepted_fd = r;
            match (*p).connection_cb {
                Some(cb) => cb(s, 0),
                None => {
                    libc::close(r);
                    (*p).accepted_fd = -1;
                }
            }
            if handle::is_closing(s.cast()) {
                return;
            }
            if (*p).accepted_fd != -1 {
                // Not accepted: wait for uv_accept before taking more.
                super::unwant(s, sys::READABLE);
                return;
            }
            if (*s).r#type == crate::abi::UV_TCP && (*s).flags & flags::TCP_SINGLE_ACCEPT != 0 {
                // Give other processes listening on the socket a chance (libuv's way).
                let ts = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 1,
                };
                libc::nanosleep(&ts, core::ptr::null_mut());
            }
        }
    }
}

/// `uv_accept` after the argument checks: gives `client` the waiting descriptor.
///
/// # Safety
/// `server` and `client` are live handles of one loop, not closing.
pub(crate) unsafe fn accept_into(server: *mut uv_stream_t, client: *mut uv_stream_t) -> c_int {
    // SAFETY: caller guarantees both are live.
    unsafe {
        let p = priv_of(server);
        let fd = (*p).accepted_fd;
        if fd == -1 {
            return UV_EAGAIN;
        }
        let err = match (*client).r#type {
            crate::abi::UV_TCP | crate::abi::UV_NAMED_PIPE => {
                // Accepted connections are sockets; a descriptor received over IPC
                // may be anything.
                let socket = (*p).state & LISTEN != 0 || super::is_socket(fd);
                let r = open(client, fd, READABLE | WRITABLE, socket);
                if r == 0 {
                    (*client).flags |= BOUND;
                }
                r
            }
            crate::abi::UV_UDP => {
                let r = crate::udp::open(client.cast(), fd);
                if r == 0 {
                    (*client).flags |= BOUND;
                }
                r
            }
            _ => return UV_EINVAL,
        };
        if err != 0 {
            libc::close(fd);
        }
        match pop_queued_fd(server) {
            Some(next) => (*p).accepted_fd = next,
            None => {
                (*p).accepted_fd = -1;
                if (*p).state & LISTEN != 0 {
                    // Accepting resumes. Cannot fail: the descriptor was registered before.
                    let _ = want(server, sys::READABLE);
                }
            }
        }
        err
    }
}
