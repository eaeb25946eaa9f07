//! The I/O watcher: one per descriptor the loop polls, in the spirit of libuv's `uv__io_t`.
//!
//! Every descriptor the loop watches (a stream's, a UDP socket, a poll handle's, the signal
//! eventfd, the inotify instance, the loop's own wake-up eventfd) has exactly one
//! [`Watcher`] in the loop's table, indexed by descriptor number (libuv's
//! `loop->watchers[fd]`; the watcher lives in the loop rather than in the handle because
//! the handles' private bytes are spoken for). A watcher holds the callback, the events its
//! owner wants (`wanted`, libuv's `pevents`) and the events the kernel registration has
//! now (`kernel`, libuv's `events`; 0: not registered).
//!
//! # When the kernel hears of it
//! - A descriptor the kernel has never accepted is registered at once by [`start`], so
//!   that its error (`EPERM` for a regular file, `EBADF`) reaches the caller, as rsuv
//!   always did (libuv 1.44 registers in the poll and aborts on such an error). One that
//!   was accepted before and left the kernel since (parked, then reported) waits for
//!   [`flush`] like any other change: a UDP sender whose queue fills and drains within
//!   one iteration then costs no `epoll_ctl` at all, as in libuv.
//! - Every other change only updates `wanted` and puts the watcher on the loop's change
//!   list; [`flush`], run just before each wait, issues one `epoll_ctl(MOD)` per watcher
//!   whose `wanted` differs from `kernel`, and none when they agree. So a `uv_read_stop`
//!   followed by `uv_read_start` in one callback, or 10,000 `uv_poll_start` with unchanged
//!   events, cost no system call.
//! - A watcher that wants nothing stays registered ("parked") with its last mask: the
//!   common next step (reading again, another write) then costs nothing. If the kernel
//!   reports a parked descriptor, [`dispatch`] removes it from the kernel and runs nothing.
//! - [`close`] (the descriptor is about to be closed, or a poll handle stops) removes the
//!   registration at once, before the number can be reused.
//!
//! # Stale events
//! Each registration carries a generation in the high half of its token; removing a
//! watcher or its registration bumps the generation of that descriptor number. An event
//! collected before a callback closed (and perhaps reused) a descriptor therefore matches
//! no watcher and is dropped; events for a watcher that stopped wanting them are masked by
//! its current `wanted`.
//!
//! Loop thread only.

use super::inner;
use crate::abi::alloc::UvVec;
use crate::abi::uv_loop_t;
use crate::sys::{self, Backend, Event};
use core::ffi::{c_int, c_void};

/// A watcher's callback: `(loop, data, ready bits)`.
pub(crate) type IoFn = unsafe fn(l: *mut uv_loop_t, data: *mut c_void, ready: u32);

/// One descriptor's watcher.
#[derive(Clone, Copy)]
pub(crate) struct Watcher {
    cb: IoFn,
    data: *mut c_void,
    /// The events the owner wants (`sys` bits); 0: none (parked or unregistered).
    wanted: u32,
    /// The events the kernel registration has; 0: not registered.
    kernel: u32,
    /// The generation of the registration, carried in its token's high half.
    generation: u32,
    /// On the change list.
    queued: bool,
    /// The kernel has accepted this descriptor once (since the watcher was made): a later
    /// registration can wait for [`flush`] like any other change.
    accepted: bool,
}

/// The loop's watchers, and the descriptors whose `wanted` changed since the last flush.
#[derive(Default)]
pub(crate) struct Table {
    watchers: UvVec<Option<Watcher>>,
    /// Per descriptor number: the generation its next registration gets.
    generation: UvVec<u32>,
    changes: UvVec<c_int>,
}

fn token(fd: c_int, generation: u32) -> u64 {
    (u64::from(generation) << 32) | fd as u32 as u64
}

impl Table {
    fn get(&self, fd: c_int) -> Option<&Watcher> {
        if fd < 0 {
            return None;
        }
        self.watchers.get(fd as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, fd: c_int) -> Option<&mut Watcher> {
        if fd < 0 {
            return None;
        }
        self.watchers.get_mut(fd as usize).and_then(Option::as_mut)
    }

    /// Puts `fd` on the change list unless it is on it already.
    fn queue(&mut self, fd: c_int) {
        if let Some(w) = self.get_mut(fd)
            && !w.queued
        {
            w.queued = true;
            self.changes.push(fd);
        }
    }

    /// The next generation of `fd` (after a registration went away).
    fn bump(&mut self, fd: c_int) -> u32 {
        let g = &mut self.generation[fd as usize];
        *g = g.wrapping_add(1);
        *g
    }
}

/// Makes `fd`'s watcher want `events` in addition to what it wants (`uv__io_start`), with
/// callback `cb(l, data, ready)`. `exact`: want exactly `events` instead.
///
/// # Safety
/// `l` is an initialised loop; `data` stays valid until [`close`] (or until the owner
/// stops wanting events and the loop is closed).
unsafe fn update(
    l: *mut uv_loop_t,
    fd: c_int,
    events: u32,
    exact: bool,
    cb: IoFn,
    data: *mut c_void,
) -> c_int {
    if fd < 0 {
        return crate::abi::errno::UV_EBADF;
    }
    // SAFETY: loop thread; a short borrow, no callback runs.
    let i = unsafe { &mut *inner(l) };
    let t = &mut i.io;
    let idx = fd as usize;
    if t.watchers.len() <= idx {
        // Room first, so that running out of memory is UV_ENOMEM, not an abort; the
        // change list never holds more entries than there are watchers.
        let grow = idx + 1 - t.watchers.len();
        if t.watchers.try_reserve(grow).is_err()
            || t.generation.try_reserve(grow).is_err()
            || t.changes.try_reserve(idx + 1 - t.changes.len()).is_err()
        {
            return crate::abi::errno::UV_ENOMEM;
        }
        t.watchers.resize_with(idx + 1, || None);
        t.generation.resize_with(idx + 1, || 0);
    }
    let fresh = t.watchers[idx].is_none();
    let generation = t.generation[idx];
    let w = t.watchers[idx].get_or_insert(Watcher {
        cb,
        data,
        wanted: 0,
        kernel: 0,
        generation,
        queued: false,
        accepted: false,
    });
    w.cb = cb;
    w.data = data;
    let wanted = if exact { events } else { w.wanted | events };
    if w.kernel == 0 && wanted != 0 && !w.accepted {
        // Never registered: register now, so that an error reaches the caller.
        if let Err(e) = i.backend.register(fd, token(fd, w.generation), wanted) {
            if fresh {
                t.watchers[idx] = None;
            }
            return crate::abi::errno::from_io(&e);
        }
        w.kernel = wanted;
        w.accepted = true;
    }
    let changed = wanted != w.kernel;
    w.wanted = wanted;
    if changed {
        t.queue(fd);
    }
    0
}

/// `uv__io_start`: `fd`'s watcher wants `events` too; `cb(l, data, ready)` is its callback.
///
/// # Safety
/// `l` is an initialised loop; `data` stays valid while `fd` is watched (until [`close`]).
pub(crate) unsafe fn start(
    l: *mut uv_loop_t,
    fd: c_int,
    events: u32,
    cb: IoFn,
    data: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { update(l, fd, events, false, cb, data) }
}

/// Makes `fd`'s watcher want exactly `events` (0: nothing, parked).
///
/// # Safety
/// As [`start`].
pub(crate) unsafe fn set(
    l: *mut uv_loop_t,
    fd: c_int,
    events: u32,
    cb: IoFn,
    data: *mut c_void,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { update(l, fd, events, true, cb, data) }
}

/// `uv__io_stop`: `fd`'s watcher no longer wants `events`. Costs no system call; the
/// kernel learns of it at the next [`flush`] (see the module docs for what a watcher that
/// wants nothing does).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn stop(l: *mut uv_loop_t, fd: c_int, events: u32) {
    // SAFETY: loop thread; a short borrow, no callback runs.
    let t = unsafe { &mut (*inner(l)).io };
    if let Some(w) = t.get_mut(fd) {
        let wanted = w.wanted & !events;
        if wanted != w.wanted {
            w.wanted = wanted;
            if wanted != w.kernel {
                t.queue(fd);
            }
        }
    }
}

/// `uv__io_close`: forgets `fd`'s watcher and removes its kernel registration now (the
/// descriptor is about to be closed or handed back). Events already collected for it are
/// dropped.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn close(l: *mut uv_loop_t, fd: c_int) {
    // SAFETY: loop thread; a short borrow, no callback runs.
    let i = unsafe { &mut *inner(l) };
    if let Some(w) = i.io.get(fd).copied() {
        i.io.watchers[fd as usize] = None;
        i.io.bump(fd);
        if w.kernel != 0 {
            let _ = i.backend.deregister(fd);
        }
    }
}

/// Forgets `fd`'s watcher without telling the kernel: the registration was on a backend
/// that is gone (`uv_loop_fork`).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn forget(l: *mut uv_loop_t, fd: c_int) {
    // SAFETY: loop thread; a short borrow, no callback runs.
    let t = unsafe { &mut (*inner(l)).io };
    if t.get(fd).is_some() {
        t.watchers[fd as usize] = None;
        t.bump(fd);
    }
}

/// The events `fd`'s watcher wants, when its callback data is `data`; 0 otherwise.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn wanted(l: *mut uv_loop_t, fd: c_int, data: *mut c_void) -> u32 {
    // SAFETY: loop thread; a short shared borrow.
    let t = unsafe { &(*inner(l)).io };
    t.get(fd).filter(|w| w.data == data).map_or(0, |w| w.wanted)
}

/// Is the loop polling `fd` (libuv's `uv__fd_exists`): does its watcher want events? A
/// parked watcher (one that wants nothing now) does not count, as in libuv, where a
/// stopped watcher leaves the loop's table. O(1).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
/// The callback data of `fd`'s watcher, if it has one.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn polled(l: *mut uv_loop_t, fd: c_int) -> bool {
    // SAFETY: loop thread; a short shared borrow.
    let t = unsafe { &(*inner(l)).io };
    t.get(fd).is_some_and(|w| w.wanted != 0)
}

/// The data of `fd`'s watcher, if it has one (wanting events or parked).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn owner(l: *mut uv_loop_t, fd: c_int) -> Option<*mut c_void> {
    // SAFETY: loop thread; a short shared borrow.
    let t = unsafe { &(*inner(l)).io };
    t.get(fd).map(|w| w.data)
}

/// Applies the recorded changes to the kernel, just before the loop waits: one
/// `epoll_ctl` per watcher whose wanted events differ from its registration's; none for a
/// watcher that wants nothing (parked, see the module docs).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(super) unsafe fn flush(l: *mut uv_loop_t) {
    // SAFETY: loop thread; a short borrow, no callback runs.
    let i = unsafe { &mut *inner(l) };
    if i.io.changes.is_empty() {
        return;
    }
    let mut changes = core::mem::take(&mut i.io.changes);
    for &fd in &changes {
        let Some(w) = i.io.get_mut(fd) else { continue };
        if !w.queued {
            continue;
        }
        w.queued = false;
        if w.wanted == 0 || w.wanted == w.kernel {
            continue;
        }
        let tok = token(fd, w.generation);
        let r = if w.kernel == 0 {
            i.backend.register(fd, tok, w.wanted)
        } else {
            match i.backend.modify(fd, tok, w.wanted) {
                // The descriptor left the kernel behind our back (closed and reopened):
                // register it again.
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                    i.backend.register(fd, tok, w.wanted)
                }
                r => r,
            }
        };
        // A descriptor that cannot be watched (closed under us) stays unregistered; its
        // owner learns of it from its next read or write.
        w.kernel = if r.is_ok() { w.wanted } else { 0 };
        w.accepted |= r.is_ok();
    }
    changes.clear();
    i.io.changes = changes;
}

/// Runs the callbacks of the collected events; returns how many ran.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(super) unsafe fn dispatch(l: *mut uv_loop_t, events: &[Event]) -> u64 {
    let mut ran = 0;
    for ev in events {
        let fd = (ev.token & 0xffff_ffff) as c_int;
        // SAFETY: loop thread; the watcher is copied out under a short borrow, so none
        // spans its callback; it is checked against the current registration, so a
        // callback that closes or reuses a descriptor cannot make a later event reach the
        // wrong owner.
        unsafe {
            let w = {
                let i = &mut *inner(l);
                let Some(w) = i.io.get_mut(fd) else { continue };
                if w.generation != (ev.token >> 32) as u32 || w.kernel == 0 {
                    continue;
                }
                if w.wanted == 0 {
                    // Parked and reported: remove it from the kernel now.
                    w.kernel = 0;
                    let _ = i.backend.deregister(fd);
                    let g = i.io.bump(fd);
                    if let Some(w) = i.io.get_mut(fd) {
                        w.generation = g;
                    }
                    continue;
                }
                *w
            };
            let ready = ev.ready & (w.wanted | sys::ERROR);
            if ready != 0 {
                (w.cb)(l, w.data, ready);
                ran += 1;
            }
        }
    }
    ran
}

/// `uv_loop_fork`: registers every watcher that wants events with the child's new
/// `backend`; parked registrations are dropped (they stayed with the parent's backend).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(super) unsafe fn fork(l: *mut uv_loop_t, backend: &mut dyn Backend) -> c_int {
    // SAFETY: loop thread; a short borrow, no callback runs.
    let t = unsafe { &mut (*inner(l)).io };
    t.changes.clear();
    for (fd, w) in t.watchers.iter_mut().enumerate() {
        let Some(w) = w else { continue };
        w.queued = false;
        w.kernel = 0;
        if w.wanted != 0 {
            if let Err(e) =
                backend.register(fd as c_int, token(fd as c_int, w.generation), w.wanted)
            {
                return crate::abi::errno::from_io(&e);
            }
            w.kernel = w.wanted;
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::alloc::UvBox;
    use crate::sys::Event;
    use std::cell::Cell;
    use std::io;
    use std::os::fd::RawFd;
    use std::rc::Rc;

    /// Counts the kernel calls the loop makes (register, modify, deregister) and passes
    /// them on to the real backend.
    struct Counting {
        real: UvBox<dyn Backend>,
        calls: Rc<Cell<[usize; 3]>>,
    }

    impl Counting {
        fn count(&self, i: usize) {
            let mut c = self.calls.get();
            c[i] += 1;
            self.calls.set(c);
        }
    }

    impl Backend for Counting {
        fn register(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
            self.count(0);
            self.real.register(fd, token, interest)
        }
        fn modify(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
            self.count(1);
            self.real.modify(fd, token, interest)
        }
        fn deregister(&mut self, fd: RawFd) -> io::Result<()> {
            self.count(2);
            self.real.deregister(fd)
        }
        fn wait(
            &mut self,
            events: &mut crate::abi::alloc::UvVec<Event>,
            timeout_ms: i32,
            sigmask: Option<&libc::sigset_t>,
        ) -> io::Result<()> {
            self.real.wait(events, timeout_ms, sigmask)
        }
        fn fd(&self) -> RawFd {
            self.real.fd()
        }
    }

    struct TestLoop {
        l: Box<uv_loop_t>,
        calls: Rc<Cell<[usize; 3]>>,
        fds: [c_int; 2],
    }

    impl TestLoop {
        fn new() -> TestLoop {
            // SAFETY: a zeroed uv_loop_t is writable loop memory; init initialises it. The
            // backend is swapped for a counting wrapper of itself, with no callback running.
            unsafe {
                let mut l: Box<uv_loop_t> = Box::new(core::mem::zeroed());
                assert_eq!(crate::uvloop::init(&mut *l), 0);
                let i = &mut *inner(&mut *l);
                let calls = Rc::new(Cell::new([0; 3]));
                let real = core::mem::replace(&mut i.backend, sys::new_backend().unwrap());
                i.backend = UvBox::unsize(
                    UvBox::new(Counting {
                        real,
                        calls: calls.clone(),
                    }),
                    |p| p as *mut dyn Backend,
                );
                let mut fds = [0; 2];
                assert_eq!(
                    libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()),
                    0
                );
                TestLoop { l, calls, fds }
            }
        }

        fn lp(&mut self) -> *mut uv_loop_t {
            &mut *self.l
        }

        /// Kernel calls since the last look: (register, modify, deregister).
        fn take(&self) -> [usize; 3] {
            self.calls.replace([0; 3])
        }
    }

    impl Drop for TestLoop {
        fn drop(&mut self) {
            // SAFETY: the loop is initialised and has no handles; the descriptors are ours.
            unsafe {
                crate::uvloop::close(&mut *self.l);
                libc::close(self.fds[0]);
                libc::close(self.fds[1]);
            }
        }
    }

    thread_local! {
        static RAN: Cell<u32> = const { Cell::new(0) };
    }

    unsafe fn note(_l: *mut uv_loop_t, _data: *mut c_void, ready: u32) {
        RAN.with(|r| r.set(r.get() | ready | 0x100));
    }

    fn ran() -> u32 {
        RAN.with(|r| r.replace(0))
    }

    #[test]
    fn unchanged_starts_and_stop_start_pairs_cost_nothing() {
        let mut t = TestLoop::new();
        let l = t.lp();
        let fd = t.fds[0];
        // SAFETY: loop thread; the descriptor stays open while watched.
        unsafe {
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            assert_eq!(t.take(), [1, 0, 0]);
            for _ in 0..10_000 {
                assert_eq!(set(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            }
            stop(l, fd, sys::READABLE);
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            flush(l);
            assert_eq!(t.take(), [0, 0, 0]);
            // A real change is one modify, at the flush.
            assert_eq!(start(l, fd, sys::WRITABLE, note, ptr_of(1)), 0);
            stop(l, fd, sys::READABLE);
            assert_eq!(t.take(), [0, 0, 0]);
            flush(l);
            assert_eq!(t.take(), [0, 1, 0]);
            assert_eq!(wanted(l, fd, ptr_of(1)), sys::WRITABLE);
            assert_eq!(wanted(l, fd, ptr_of(2)), 0);
            // Closing removes it from the kernel at once.
            close(l, fd);
            assert_eq!(t.take(), [0, 0, 1]);
            assert_eq!(owner(l, fd), None);
        }
    }

    #[test]
    fn parked_watcher_reported_is_removed_and_runs_nothing() {
        let mut t = TestLoop::new();
        let l = t.lp();
        let fd = t.fds[0];
        // SAFETY: loop thread; the descriptors stay open while watched; `one` is live.
        unsafe {
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            let one = 1u8;
            assert_eq!(libc::write(t.fds[1], (&raw const one).cast(), 1), 1);
            stop(l, fd, sys::READABLE);
            flush(l);
            t.take();
            let w = (*inner(l)).io.get(fd).copied().unwrap();
            let ev = [Event {
                token: token(fd, w.generation),
                ready: sys::READABLE,
            }];
            ran();
            assert_eq!(dispatch(l, &ev), 0);
            assert_eq!(ran(), 0);
            assert_eq!(t.take(), [0, 0, 1]);
            // Wanted and unwanted again before the next wait (a UDP sender whose queue
            // fills and drains in one iteration): no kernel call at all.
            assert_eq!(start(l, fd, sys::WRITABLE, note, ptr_of(1)), 0);
            stop(l, fd, sys::WRITABLE);
            flush(l);
            assert_eq!(t.take(), [0, 0, 0]);
            // Wanting it again registers it again, at the flush (the kernel accepted this
            // descriptor before, so there is no error to hand the caller at once).
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            assert_eq!(t.take(), [0, 0, 0]);
            flush(l);
            assert_eq!(t.take(), [1, 0, 0]);
            let w = (*inner(l)).io.get(fd).copied().unwrap();
            let ev = [Event {
                token: token(fd, w.generation),
                ready: sys::READABLE | sys::WRITABLE,
            }];
            assert_eq!(dispatch(l, &ev), 1);
            assert_eq!(ran(), 0x100 | sys::READABLE);
            close(l, fd);
        }
    }

    #[test]
    fn stale_events_of_a_closed_and_reused_descriptor_are_dropped() {
        let mut t = TestLoop::new();
        let l = t.lp();
        let fd = t.fds[0];
        // SAFETY: loop thread; the descriptor stays open while watched.
        unsafe {
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(1)), 0);
            let old = (*inner(l)).io.get(fd).copied().unwrap().generation;
            close(l, fd);
            t.take();
            // A new watcher on the number is registered at once again (its descriptor
            // may be one the kernel refuses, and the caller must hear of it).
            assert_eq!(start(l, fd, sys::READABLE, note, ptr_of(2)), 0);
            assert_eq!(t.take(), [1, 0, 0]);
            let ev = [Event {
                token: token(fd, old),
                ready: sys::READABLE,
            }];
            ran();
            assert_eq!(dispatch(l, &ev), 0);
            assert_eq!(ran(), 0);
            close(l, fd);
        }
    }

    fn ptr_of(n: usize) -> *mut c_void {
        n as *mut c_void
    }
}
