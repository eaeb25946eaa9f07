//! Poll handles (`uv_poll_t`): readiness of a descriptor the program owns.
//!
//! A poll handle watches one descriptor (a socket, a pipe, an eventfd, a nested epoll, ...)
//! and calls back in the loop's poll-for-I/O phase with the subset of `UV_READABLE`,
//! `UV_WRITABLE`, `UV_DISCONNECT` and `UV_PRIORITIZED` that is ready. Readiness is
//! level-triggered: the callback runs every iteration for as long as the condition holds.
//! The handle never reads, writes or closes the descriptor.
//!
//! The loop keeps one watcher per descriptor ([`uvloop::io`]), so, as in libuv, two
//! handles may not poll one descriptor at the same time: `uv_poll_init` fails with
//! `UV_EEXIST` when the descriptor is already registered with the loop, `uv_poll_start`
//! when another handle watches it. The events polled for are the watcher's; restarting
//! with the same events costs no system call, a change costs one `epoll_ctl` when the
//! loop next waits. `uv_poll_stop` removes the descriptor from the kernel at once, as
//! libuv does: the program may close it next.
//!
//! Private state, inside libuv's layout: `u.fd` holds the descriptor.
//!
//! Error reporting follows libuv's `uv__poll_io`: an error condition on the descriptor
//! (`POLLERR` without `POLLPRI`) stops the handle and calls back once with `UV_EBADF`; a
//! hang-up alone reports every event the handle asked for. The loop's backends merge
//! `EPOLLERR` and `EPOLLHUP` into one `sys::ERROR` bit (and the portable backend cannot
//! report `EPOLLRDHUP` at all), so when that bit is set, or when a handle that asked for
//! `UV_DISCONNECT` sees its descriptor readable, the exact condition is read back with a
//! zero-timeout `poll(2)` of that one descriptor.
//!
//! Everything here runs on the loop thread.

use crate::abi::*;
use crate::sys;
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::{c_int, c_void};

/// The events a poll handle may ask for (`uv_poll_event`).
pub(crate) const ALL_EVENTS: c_int =
    (sys::READABLE | sys::WRITABLE | sys::DISCONNECT | sys::PRIORITIZED) as c_int;

/// Does `h` watch its descriptor (is it the owner of the descriptor's watcher)?
///
/// # Safety
/// `h` is an initialised poll handle.
unsafe fn watching(h: *mut uv_poll_t) -> bool {
    // SAFETY: caller guarantees `h` is live; loop thread.
    unsafe { uvloop::io::owner((*h).r#loop, (*h).u.fd) == Some(h.cast()) }
}

/// Is `fd` a descriptor the loop's kernel backend can watch, and not watched already?
/// libuv's `uv__io_check_fd`: a trial `EPOLL_CTL_ADD` on the loop's epoll instance, undone
/// at once. `EEXIST` means the loop already watches `fd`.
///
/// # Safety
/// `l` is an initialised loop.
unsafe fn check_fd(l: *mut uv_loop_t, fd: c_int) -> c_int {
    let mut ev = libc::epoll_event {
        events: libc::EPOLLIN as u32,
        u64: u64::MAX,
    };
    // SAFETY: the loop's backend descriptor is a live epoll instance (both backends sit on
    // epoll on Linux); `ev` is a live epoll_event; the trial registration is removed
    // before anything waits on the instance.
    unsafe {
        let epfd = (*l).backend_fd;
        if libc::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, fd, &mut ev) != 0 {
            return crate::abi::errno::last_error();
        }
        libc::epoll_ctl(epfd, libc::EPOLL_CTL_DEL, fd, &mut ev);
    }
    0
}

/// Sets `O_NONBLOCK` on `fd`, as libuv does (`ioctl(FIONBIO)`, `fcntl` when the descriptor
/// does not take ioctls).
fn set_nonblocking(fd: c_int) -> c_int {
    let mut on: c_int = 1;
    // SAFETY: FIONBIO reads one int from a live local.
    if unsafe { libc::ioctl(fd, libc::FIONBIO, &mut on) } == 0 {
        return 0;
    }
    let err = crate::abi::errno::last_error();
    if err != crate::abi::errno::UV_ENOTTY {
        return err;
    }
    // SAFETY: plain fcntl calls on a descriptor number; results checked.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl < 0 {
            return crate::abi::errno::last_error();
        }
        if fl & libc::O_NONBLOCK == 0 && libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK) < 0 {
            return crate::abi::errno::last_error();
        }
    }
    0
}

/// `uv_poll_init`: checks that the loop can watch `fd` and does not already, makes it
/// non-blocking, and initialises the handle.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable memory of `sizeof(uv_poll_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_poll_t, fd: c_int) -> c_int {
    if fd < 0 {
        return crate::abi::errno::UV_EBADF;
    }
    // SAFETY: caller guarantees `l` is initialised.
    let err = unsafe { check_fd(l, fd) };
    if err != 0 {
        return err;
    }
    let err = set_nonblocking(fd);
    if err != 0 {
        return err;
    }
    // SAFETY: caller guarantees `h` is writable and `l` initialised.
    unsafe {
        handle::init(l, handle::base(h), crate::abi::UV_POLL);
        (*h).u.fd = fd;
        (*h).poll_cb = None;
        (*h).io_watcher.reserved = [core::ptr::null_mut(); 7];
    }
    0
}

/// `uv_poll_start`; the caller has checked the handle and that `events` holds only
/// [`ALL_EVENTS`] bits. Events 0 stops the handle.
///
/// # Safety
/// `h` is an initialised, not closing poll handle.
pub(crate) unsafe fn start(h: *mut uv_poll_t, events: c_int, cb: uv_poll_cb) -> c_int {
    // SAFETY: caller guarantees `h` is live; loop thread. No callback runs here.
    unsafe {
        let l = (*h).r#loop;
        let fd = (*h).u.fd;
        if uvloop::io::owner(l, fd).is_some_and(|o| o != h.cast()) {
            // Another handle (or stream) of this loop watches the descriptor.
            return crate::abi::errno::UV_EEXIST;
        }
        if events == 0 {
            stop(h);
            return 0;
        }
        // A descriptor new to the kernel is registered now (its error is ours to return);
        // a change of events reaches the kernel when the loop next waits.
        let err = uvloop::io::set(l, fd, events as u32, on_io, h.cast());
        if err != 0 {
            return err;
        }
        (*h).poll_cb = cb;
        handle::start(handle::base(h));
    }
    0
}

/// `uv_poll_stop` (and the first half of `uv_close`): drops the registration, and with it
/// any readiness already collected for the descriptor in this iteration.
///
/// # Safety
/// `h` is an initialised poll handle.
pub(crate) unsafe fn stop(h: *mut uv_poll_t) {
    // SAFETY: caller guarantees `h` is live; loop thread.
    unsafe {
        if watching(h) {
            uvloop::io::close((*h).r#loop, (*h).u.fd);
        }
        handle::stop(handle::base(h));
    }
}

/// Stops the handle for `uv_close`.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: forwarded caller guarantee; the type tag says it is a poll handle.
    unsafe { stop(h.cast()) }
}

/// The exact condition of `fd` right now, from a zero-timeout `poll(2)`: (event bits,
/// error, hang-up). `None` when nothing is pending any more.
fn read_back(fd: c_int, interest: u32) -> Option<(u32, bool, bool)> {
    let mut want: libc::c_short = 0;
    if interest & sys::READABLE != 0 {
        want |= libc::POLLIN;
    }
    if interest & sys::WRITABLE != 0 {
        want |= libc::POLLOUT;
    }
    if interest & sys::DISCONNECT != 0 {
        want |= libc::POLLRDHUP;
    }
    if interest & sys::PRIORITIZED != 0 {
        want |= libc::POLLPRI;
    }
    let mut pfd = libc::pollfd {
        fd,
        events: want,
        revents: 0,
    };
    // SAFETY: one live pollfd, zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    if n <= 0 || pfd.revents == 0 {
        return None;
    }
    let r = pfd.revents;
    let mut bits = 0;
    if r & libc::POLLIN != 0 {
        bits |= sys::READABLE;
    }
    if r & libc::POLLOUT != 0 {
        bits |= sys::WRITABLE;
    }
    if r & libc::POLLRDHUP != 0 {
        bits |= sys::DISCONNECT;
    }
    if r & libc::POLLPRI != 0 {
        bits |= sys::PRIORITIZED;
    }
    let err = r & (libc::POLLERR | libc::POLLNVAL) != 0;
    let hup = r & libc::POLLHUP != 0;
    Some((bits & interest, err, hup))
}

/// The loop's I/O callback for a poll handle: turns readiness into `uv_poll_event` bits,
/// or into `UV_EBADF` on an error condition, and calls the handle's callback.
unsafe fn on_io(_l: *mut uv_loop_t, data: *mut c_void, ready: u32) {
    let h: *mut uv_poll_t = data.cast();
    // SAFETY: `data` is the live poll handle registered with this descriptor (stopping or
    // closing removes the registration first). Nothing of the handle is borrowed across
    // the callback.
    unsafe {
        let fd = (*h).u.fd;
        let interest = uvloop::io::wanted((*h).r#loop, fd, h.cast());
        if interest == 0 {
            return;
        }
        let unsure = ready & sys::ERROR != 0
            || (interest & sys::DISCONNECT != 0
                && ready & sys::READABLE != 0
                && ready & sys::DISCONNECT == 0);
        let (bits, err, hup) = if unsure {
            match read_back(fd, interest) {
                Some(state) => state,
                None => (ready & interest & !sys::ERROR, false, false),
            }
        } else {
            (ready & interest, false, false)
        };
        let mut events = bits;
        // A lone error or hang-up wakes every event the handle waits for (libuv).
        if events == 0 && err != hup {
            events = interest;
        }
        if err && events & sys::PRIORITIZED == 0 {
            stop(h);
            if let Some(cb) = (*h).poll_cb {
                cb(h, crate::abi::errno::UV_EBADF, 0);
            }
            return;
        }
        if events == 0 {
            return;
        }
        if let Some(cb) = (*h).poll_cb {
            cb(h, 0, events as c_int);
        }
    }
}
