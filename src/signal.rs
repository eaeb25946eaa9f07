//! Signal handles: `uv_signal_start` watches a signal number for a loop; its callback runs
//! in that loop's poll phase, once per delivered signal.
//!
//! # How a signal reaches a loop
//! There is one process-wide `sigaction` handler per signal number in use. It touches only
//! lock-free data: a global, append-only list of per-loop [`Node`]s (leaked, reused by later
//! loops). A node holds, per signal number, how many handles of its loop watch it
//! (`interest`) and how many times it was caught for that loop (`caught`), and the loop's
//! eventfd. The handler bumps `caught` for each interested loop and writes the eventfd
//! (`write(2)` is async-signal-safe). The loop has the eventfd registered with
//! `uvloop::io::start`; when it is readable, the loop drains it and delivers each occurrence
//! `k` (1-based, per signal) not yet dispatched to every handle watching that signal that was
//! started before the occurrence was caught (`mark < k`, the handle's `caught` count at
//! start, kept in `uv_signal_t.reserved[0]`).
//!
//! A node's eventfd is closed only when its loop closes: the loop first stops every handle
//! (interest drops to zero), then clears the node's `fd` and waits until no handler is
//! inside the node (`busy`), so a handler never writes to a closed (or reused) descriptor.
//! In the child of a `fork`, a `pthread_atfork` hook gives every node a fresh eventfd under
//! the same descriptor number (the parent's would be shared), which `uv_loop_fork`
//! re-registers with the child's new backend.
//!
//! # Dispositions
//! A process-wide table (under a small spin lock, never taken by the handler) counts the
//! regular and one-shot handles of every loop per signal: the handler is installed when the
//! first handle starts, with `SA_RESETHAND` while only one-shot handles watch the signal (as
//! libuv does), and the default disposition is restored when the last one stops. `SIGKILL`
//! and `SIGSTOP` make `sigaction` fail with `EINVAL`, which `uv_signal_start` returns.
//!
//! A closing handle is stopped at once, so a signal caught while it closes never calls it.
//! Only the loop thread calls into this module (except the handler itself).

use crate::abi::alloc::UvVec;
use crate::abi::flags;
use crate::abi::*;
use crate::sync;
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::{c_int, c_void};
use core::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};

mod gate;

/// Signal numbers are `1..NSIG` on Linux.
pub(crate) const NSIG: usize = 65;

/// One loop's slot in the process-wide list the signal handler walks.
struct Node {
    next: AtomicPtr<Node>,
    /// Claimed by a live loop.
    owned: AtomicBool,
    /// The loop's eventfd (-1 while released) and the handlers using it.
    gate: gate::Gate,
    /// Started handles of the loop, per signal number.
    interest: [AtomicU32; NSIG],
    /// Occurrences caught for the loop, per signal number (only while interested).
    caught: [AtomicU64; NSIG],
}

/// Head of the append-only node list.
static NODES: AtomicPtr<Node> = AtomicPtr::new(ptr::null_mut());

/// Per-loop state of this module, kept in the loop's `LoopInner`.
pub(crate) struct LoopState {
    /// This loop's node; null until the first `uv_signal_init`.
    node: *const Node,
    /// Started handles per signal number, in start order.
    watchers: UvVec<UvVec<*mut uv_signal_t>>,
    /// The watchers of the signal being delivered, copied (callbacks may change the list).
    scratch: UvVec<*mut uv_signal_t>,
    /// Occurrences already dispatched, per signal number.
    dispatched: [u64; NSIG],
}

impl Default for LoopState {
    fn default() -> Self {
        LoopState {
            node: ptr::null(),
            watchers: UvVec::new(),
            scratch: UvVec::new(),
            dispatched: [0; NSIG],
        }
    }
}

// ---------------------------------------------------------------------------------------
// The handler and the node list.

/// The `sigaction` handler: async-signal-safe (atomics, `write`, `errno`).
extern "C" fn on_signal(signum: c_int) {
    // SAFETY: errno is thread-local; the node list only grows and nodes are never freed, so
    // every pointer read from it stays valid; `write` is async-signal-safe.
    unsafe {
        let saved = *libc::__errno_location();
        let s = signum as usize;
        if s < NSIG {
            let mut p = NODES.load(Ordering::Acquire);
            while !p.is_null() {
                let n = &*p;
                n.gate.visit(|fd| {
                    if n.interest[s].load(Ordering::SeqCst) > 0 {
                        n.caught[s].fetch_add(1, Ordering::SeqCst);
                        let one: u64 = 1;
                        libc::write(fd, (&raw const one).cast(), 8);
                    }
                });
                p = n.next.load(Ordering::Acquire);
            }
        }
        *libc::__errno_location() = saved;
    }
}

/// In the child of `fork`: a fresh eventfd for every claimed node, under the same number.
extern "C" fn after_fork_child() {
    // Disposition bookkeeping may have been locked by a thread that does not exist here.
    DISP_LOCK.store(false, Ordering::Release);
    // SAFETY: only async-signal-safe calls (eventfd, dup3, close) on descriptors this module
    // owns; nodes are never freed.
    unsafe {
        let mut p = NODES.load(Ordering::Acquire);
        while !p.is_null() {
            let n = &*p;
            let fd = n.gate.fd();
            if n.owned.load(Ordering::SeqCst) && fd >= 0 {
                let fresh = libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK);
                if fresh >= 0 {
                    libc::dup3(fresh, fd, libc::O_CLOEXEC);
                    libc::close(fresh);
                }
            }
            p = n.next.load(Ordering::Acquire);
        }
    }
}

/// Claims a released node or appends a new one, with a fresh eventfd.
fn claim_node() -> Result<&'static Node, c_int> {
    static ATFORK: std::sync::Once = std::sync::Once::new();
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only uses async-signal-safe calls.
        unsafe { libc::pthread_atfork(None, None, Some(after_fork_child)) };
    });
    // SAFETY: plain syscall.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    if fd < 0 {
        return Err(crate::abi::errno::last_error());
    }
    let mut p = NODES.load(Ordering::Acquire);
    while !p.is_null() {
        // SAFETY: nodes are leaked, never freed.
        let n: &'static Node = unsafe { &*p };
        if n.owned
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            n.gate.open(fd);
            return Ok(n);
        }
        p = n.next.load(Ordering::Acquire);
    }
    let n: &'static Node = Box::leak(Box::new(Node {
        next: AtomicPtr::new(ptr::null_mut()),
        owned: AtomicBool::new(true),
        gate: gate::Gate::new(fd),
        interest: [const { AtomicU32::new(0) }; NSIG],
        caught: [const { AtomicU64::new(0) }; NSIG],
    }));
    let np = n as *const Node as *mut Node;
    let mut head = NODES.load(Ordering::Acquire);
    loop {
        n.next.store(head, Ordering::Relaxed);
        match NODES.compare_exchange_weak(head, np, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Ok(n),
            Err(cur) => head = cur,
        }
    }
}

/// Gives a node back: no handler will touch its eventfd once this returns.
fn release_node(n: &Node) {
    let fd = n.gate.release();
    if fd >= 0 {
        // SAFETY: our own eventfd, no longer reachable by any handler.
        unsafe { libc::close(fd) };
    }
    n.owned.store(false, Ordering::Release);
}

// ---------------------------------------------------------------------------------------
// Dispositions.

/// Process-wide handle counts per signal and what is installed.
struct Disp {
    regular: [u32; NSIG],
    oneshot: [u32; NSIG],
    /// 0: default; 1: handler with `SA_RESETHAND`; 2: handler.
    installed: [u8; NSIG],
}

struct DispCell(core::cell::UnsafeCell<Disp>);
// SAFETY: accessed only under DISP_LOCK.
unsafe impl Sync for DispCell {}

static DISP: DispCell = DispCell(core::cell::UnsafeCell::new(Disp {
    regular: [0; NSIG],
    oneshot: [0; NSIG],
    installed: [0; NSIG],
}));
static DISP_LOCK: AtomicBool = AtomicBool::new(false);

/// Runs `f` with the disposition table locked (a spin lock, so that the child of a fork can
/// reset it).
fn with_disp<R>(f: impl FnOnce(&mut Disp) -> R) -> R {
    while DISP_LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        std::thread::yield_now();
    }
    // SAFETY: the lock is held; the table is not reachable otherwise.
    let r = f(unsafe { &mut *DISP.0.get() });
    DISP_LOCK.store(false, Ordering::Release);
    r
}

/// Installs disposition `mode` (see [`Disp::installed`]) for `signum`.
fn install(signum: c_int, mode: u8) -> Result<(), c_int> {
    // SAFETY: a zeroed sigaction is a valid value; the handler only does async-signal-safe
    // work; every pointer passed is live.
    unsafe {
        let mut sa: libc::sigaction = core::mem::zeroed();
        if mode == 0 {
            sa.sa_sigaction = libc::SIG_DFL;
        } else {
            sa.sa_sigaction = on_signal as extern "C" fn(c_int) as usize;
            libc::sigfillset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_RESTART;
            if mode == 1 {
                sa.sa_flags |= libc::SA_RESETHAND;
            }
        }
        if libc::sigaction(signum, &sa, ptr::null_mut()) != 0 {
            return Err(crate::abi::errno::last_error());
        }
    }
    Ok(())
}

fn desired(d: &Disp, s: usize) -> u8 {
    if d.regular[s] > 0 {
        2
    } else if d.oneshot[s] > 0 {
        1
    } else {
        0
    }
}

// ---------------------------------------------------------------------------------------
// Handles.

/// The loop's signal state.
///
/// # Safety
/// `l` is an initialised loop; loop thread; no other borrow of the state is live.
unsafe fn state<'a>(l: *mut uv_loop_t) -> &'a mut LoopState {
    // SAFETY: caller guarantees the loop is live and the borrow is short.
    unsafe { &mut (*uvloop::inner(l)).signal }
}

#[inline]
unsafe fn mark(h: *mut uv_signal_t) -> u64 {
    // SAFETY: caller passes a live handle; reserved[0] is our slot.
    unsafe { (*h).reserved[0] as u64 }
}

/// Makes sure the loop has its node and its eventfd registered.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn loop_init(l: *mut uv_loop_t) -> c_int {
    // SAFETY: loop thread; short borrows, no callback runs.
    unsafe {
        if !state(l).node.is_null() {
            return 0;
        }
        let n = match claim_node() {
            Ok(n) => n,
            Err(e) => return e,
        };
        let fd = n.gate.fd();
        let r = uvloop::io::start(l, fd, crate::sys::READABLE, on_ready, ptr::null_mut());
        if r != 0 {
            release_node(n);
            return r;
        }
        let st = state(l);
        st.node = n;
        st.watchers = UvVec::with_capacity(NSIG);
        st.watchers.resize_with(NSIG, UvVec::new);
        for (s, d) in st.dispatched.iter_mut().enumerate() {
            *d = n.caught[s].load(Ordering::SeqCst);
        }
    }
    0
}

/// `uv_signal_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable memory of `sizeof(uv_signal_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_signal_t) -> c_int {
    // SAFETY: caller guarantees both; loop thread.
    unsafe {
        let r = loop_init(l);
        if r != 0 {
            return r;
        }
        handle::init(l, handle::base(h), crate::abi::UV_SIGNAL);
        (*h).signal_cb = None;
        (*h).signum = 0;
        (*h).reserved = [ptr::null_mut(); 5];
    }
    0
}

/// `uv_signal_start` / `uv_signal_start_oneshot`; the caller has checked the handle.
///
/// # Safety
/// `h` is an initialised signal handle, not closing; loop thread.
pub(crate) unsafe fn start(
    h: *mut uv_signal_t,
    cb: uv_signal_cb,
    signum: c_int,
    oneshot: bool,
) -> c_int {
    if signum <= 0 || signum as usize >= NSIG {
        return crate::abi::errno::UV_EINVAL;
    }
    // SAFETY: caller guarantees `h` is live; loop thread; borrows of the loop state end
    // before anything else runs.
    unsafe {
        // Already watching this signal: only the callback changes (no window in which a
        // signal could be lost).
        if (*h).signum == signum {
            (*h).signal_cb = cb;
            return 0;
        }
        if (*h).signum != 0 {
            stop(h);
        }
        let s = signum as usize;
        let l = (*h).r#loop;
        let st = state(l);
        let n = &*st.node;
        // Mark, then count this loop's interest, then install the handler: a signal caught
        // in between is either handled by the old disposition or counted after the mark,
        // never dropped by a handler that sees no interest yet.
        (*h).reserved[0] = n.caught[s].load(Ordering::SeqCst) as usize as *mut c_void;
        n.interest[s].fetch_add(1, Ordering::SeqCst);
        let r = with_disp(|d| {
            if oneshot {
                d.oneshot[s] += 1;
            } else {
                d.regular[s] += 1;
            }
            let want = desired(d, s);
            if want != d.installed[s] {
                if let Err(e) = install(signum, want) {
                    if oneshot {
                        d.oneshot[s] -= 1;
                    } else {
                        d.regular[s] -= 1;
                    }
                    return e;
                }
                d.installed[s] = want;
            }
            0
        });
        if r != 0 {
            n.interest[s].fetch_sub(1, Ordering::SeqCst);
            return r;
        }
        st.watchers[s].push(h);
        (*h).signum = signum;
        if oneshot {
            (*h).flags |= flags::SIGNAL_ONE_SHOT;
        } else {
            (*h).flags &= !flags::SIGNAL_ONE_SHOT;
        }
        (*h).signal_cb = cb;
        handle::start(handle::base(h));
    }
    0
}

/// `uv_signal_stop`; a no-op on a stopped handle.
///
/// # Safety
/// `h` is an initialised signal handle; loop thread.
pub(crate) unsafe fn stop(h: *mut uv_signal_t) {
    // SAFETY: caller guarantees `h` is live; a started handle is on its loop's list.
    unsafe {
        let signum = (*h).signum;
        if signum == 0 {
            return;
        }
        let s = signum as usize;
        let oneshot = (*h).flags & flags::SIGNAL_ONE_SHOT != 0;
        let st = state((*h).r#loop);
        let list = &mut st.watchers[s];
        if let Some(i) = list.iter().position(|&x| x == h) {
            list.remove(i);
        }
        (*st.node).interest[s].fetch_sub(1, Ordering::SeqCst);
        with_disp(|d| {
            if oneshot {
                d.oneshot[s] -= 1;
            } else {
                d.regular[s] -= 1;
            }
            let want = desired(d, s);
            // Stopping never needs a stronger handler than the one installed; a failure
            // here (it cannot happen for a signal that was installed) keeps the old state.
            if want < d.installed[s] && install(signum, want).is_ok() {
                d.installed[s] = want;
            }
        });
        (*h).signum = 0;
        (*h).flags &= !flags::SIGNAL_ONE_SHOT;
        handle::stop(handle::base(h));
    }
}

/// Stops the handle for `uv_close`: from now on no signal reaches it.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: forwarded caller guarantee.
    unsafe { stop(h.cast()) }
}

/// Releases the per-loop state when the loop closes: stops any handle still started
/// (rsuv's internal ones), unregisters and releases the node.
///
/// # Safety
/// `l` is an initialised loop being closed; loop thread.
pub(crate) unsafe fn loop_close(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the handles on the lists are live (internal handles are freed
    // only after this hook).
    unsafe {
        if state(l).node.is_null() {
            return;
        }
        for s in 1..NSIG {
            while let Some(&h) = state(l).watchers[s].last() {
                stop(h);
            }
        }
        let n = &*state(l).node;
        uvloop::io::close(l, n.gate.fd());
        release_node(n);
        state(l).node = ptr::null();
    }
}

/// The eventfd is readable: drain it and deliver what was caught.
unsafe fn on_ready(l: *mut uv_loop_t, _data: *mut c_void, _ready: u32) {
    // SAFETY: loop thread; the node is live while the loop is; loop-state borrows are short
    // and never span a callback; handles stay valid until their close callback, which runs
    // after the poll phase.
    unsafe {
        let n = &*state(l).node;
        let mut buf: u64 = 0;
        libc::read(n.gate.fd(), (&raw mut buf).cast(), 8);
        for s in 1..NSIG {
            let total = n.caught[s].load(Ordering::SeqCst);
            loop {
                let st = state(l);
                if st.node.is_null() || st.dispatched[s] >= total {
                    break;
                }
                st.dispatched[s] += 1;
                let k = st.dispatched[s];
                if st.watchers[s].is_empty() {
                    st.dispatched[s] = total;
                    break;
                }
                let mut snapshot = core::mem::take(&mut st.scratch);
                snapshot.clear();
                snapshot.extend(st.watchers[s].iter().copied());
                for &h in snapshot.iter() {
                    // Stopped, closed or restarted since the occurrence: not for it.
                    if (*h).signum as usize != s || mark(h) >= k {
                        continue;
                    }
                    if let Some(cb) = (*h).signal_cb {
                        cb(h, s as c_int);
                    }
                    if (*h).signum as usize == s && (*h).flags & flags::SIGNAL_ONE_SHOT != 0 {
                        stop(h);
                    }
                }
                state(l).scratch = snapshot;
            }
        }
    }
}
