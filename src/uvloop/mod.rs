//! The event loop: its state, its phases and its liveness.
//!
//! `uv_run` follows libuv 1.53's order: in `UV_RUN_DEFAULT` due timers first; then each
//! iteration runs pending callbacks, idle, prepare, polls for I/O, pending callbacks again
//! (at most 8 rounds), check, closing handles, and last updates the time and runs due
//! timers.
//!
//! State lives in two places. [`LoopInner`], behind `uv_loop_t.internal_fields`, belongs to
//! the loop thread alone. [`Shared`], behind `uv_loop_t.shared`, is what other threads
//! touch: the wake-up eventfd and two lock-free stacks, one of sent async handles and one
//! of finished pool work (the pool's [`Completions`], which the pool reaches through
//! `uv_loop_t.shared` without naming this module). Pushing onto an empty stack writes the
//! eventfd once; the loop drains the eventfd, then takes each whole stack with one swap.
//! So a burst of sends or completions costs one wake-up, and dispatch touches only what
//! was pushed. The wake-up eventfd is watched like any other descriptor ([`io`]). Both
//! stacks skip even that one wake-up while the loop is awake: it looks at them after
//! every poll, and asks for a wake-up only before it blocks or leaves `uv_run`
//! ([`before_block`]).
//!
//! The pending queue (deferred I/O callbacks) is intrusive, as libuv's: each entry is a
//! [`Pending`] embedded in its owner's private bytes, so queueing and removing one (a
//! handle closing with a callback queued) is O(1).
//!
//! No `&mut LoopInner` is ever held across a user callback: callbacks re-enter the loop.

pub(crate) mod handle;
pub(crate) mod inflight;
pub(crate) mod io;
pub(crate) mod queue;

use crate::abi::flags;
use crate::abi::*;
use crate::abi::{
    UV_LOOP_BLOCK_SIGNAL, UV_LOOP_USE_IO_URING_SQPOLL, UV_METRICS_IDLE_TIME, UV_RUN_DEFAULT,
    UV_RUN_NOWAIT, UV_RUN_ONCE,
};

use crate::abi::alloc::{UvBox, UvVec};
use crate::pool::Completions;
use crate::sys::{self, Backend, Event, Waker};
use core::ffi::{c_int, c_void};
use core::ptr;
use queue::Node;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

/// A deferred I/O callback, run in the pending phase with its entry.
pub(crate) type PendingFn = unsafe fn(l: *mut uv_loop_t, p: *mut Pending);

/// An entry of the pending queue, embedded in its owner (libuv's
/// `uv__io_t.pending_queue`): the link first, so a `*mut Pending` is its node. An entry is
/// queued at most once; its owner finds itself from the entry's address.
#[repr(C)]
pub(crate) struct Pending {
    link: Node,
    cb: Option<PendingFn>,
}

/// The part of the loop that other threads touch. Only shared references are ever made.
#[repr(C)]
pub(crate) struct Shared {
    /// Finished pool work and the wake-up eventfd. First, so that the pool finds it at
    /// `uv_loop_t.shared` (see [`Completions`]).
    done: Completions,
    /// Sent async handles, linked through `uv_async_t.queue[0]`.
    async_head: AtomicPtr<uv_async_t>,
    /// `UV_METRICS_IDLE_TIME`: nanoseconds spent waiting in the backend.
    idle_time_ns: AtomicU64,
    /// `uv_metrics_info`: iterations, events dispatched, and of those the events already
    /// waiting when the loop polled (counted with `UV_METRICS_IDLE_TIME` only, as libuv).
    loop_count: AtomicU64,
    events: AtomicU64,
    events_waiting: AtomicU64,
}

const _: () = assert!(core::mem::offset_of!(Shared, done) == 0);

/// The loop thread's own state.
pub(crate) struct LoopInner {
    backend: UvBox<dyn Backend>,
    events: UvVec<Event>,
    /// The I/O watchers, one per descriptor.
    io: io::Table,
    pub(crate) timers: crate::timer::Heap,
    pub(crate) timer_counter: u64,
    pub(crate) idle_head: Node,
    pub(crate) prepare_head: Node,
    pub(crate) check_head: Node,
    closing: *mut uv_handle_t,
    /// The pending queue: [`Pending`] entries, oldest first.
    pending: Node,
    /// The pending batch being run (entries leave it one by one as they run).
    running: Node,
    /// Async handles taken off the shared stack, not yet dispatched (linked through
    /// `uv_async_t.queue`).
    async_ready: Node,
    /// The initialisation number the next async handle gets, and a reused buffer for
    /// sorting a batch of sent handles by it.
    async_seq: usize,
    async_batch: UvVec<*mut uv_async_t>,
    /// `UV_LOOP_BLOCK_SIGNAL`: block SIGPROF while waiting.
    block_sigprof: bool,
    metrics: bool,
    /// The timeout of the wait in progress (0: a look that does not block).
    poll_timeout: c_int,
    /// Inside `uv_run` (work queued now is entered in one batch before the next poll).
    in_run: bool,
    /// Waits that skip the spin for pool completions and sends (see [`before_block`]),
    /// and how many spins in a row found nothing.
    spin_skip: u32,
    spin_misses: u32,
    /// The last poll dispatched sent async handles: a sender may be about to send again.
    async_seen: bool,
    /// Per-loop state of the handle types that need some (each module owns its type).
    pub(crate) signal: crate::signal::LoopState,
    pub(crate) process: crate::process::LoopState,
    pub(crate) fs_event: crate::fs_event::LoopState,
    #[cfg(target_os = "linux")]
    pub(crate) uring: crate::fs::uring::LoopState,
    /// Requests (and spawned process handles) accepted and not yet handed back.
    pub(crate) inflight: inflight::Set,
}

/// The loop thread's state of `l`.
///
/// # Safety
/// `l` is an initialised loop; the result is used on the loop thread only.
#[inline(always)]
pub(crate) unsafe fn inner(l: *mut uv_loop_t) -> *mut LoopInner {
    // SAFETY: caller guarantees `l` is initialised.
    unsafe { (*l).internal_fields.cast() }
}

/// The thread-shared state of `l`.
///
/// # Safety
/// `l` is an initialised loop.
#[inline(always)]
pub(crate) unsafe fn shared<'a>(l: *const uv_loop_t) -> &'a Shared {
    // SAFETY: `shared` is written once by init and freed only by close, which first waits
    // for pool workers still inside `push_done` (`pushers`); async senders are waited for
    // by the handle's own close. Shared is only ever borrowed shared.
    unsafe { &*((*l).shared as *const Shared) }
}

/// `uv_loop_init`.
///
/// # Safety
/// `l` points to writable memory of `sizeof(uv_loop_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t) -> c_int {
    let backend = match sys::new_backend() {
        Ok(b) => b,
        Err(e) => return crate::abi::errno::from_io(&e),
    };
    let waker = match Waker::new() {
        Ok(w) => w,
        Err(e) => return crate::abi::errno::from_io(&e),
    };
    let wake_fd = waker.fd();
    let backend_fd = backend.fd();
    let Some(events) = UvVec::try_with_capacity(1024) else {
        return crate::abi::errno::UV_ENOMEM;
    };
    let Some(inner) = UvBox::try_new(LoopInner {
        backend,
        events,
        io: io::Table::default(),
        timers: crate::timer::Heap::default(),
        timer_counter: 0,
        idle_head: [ptr::null_mut(); 2],
        prepare_head: [ptr::null_mut(); 2],
        check_head: [ptr::null_mut(); 2],
        closing: ptr::null_mut(),
        pending: [ptr::null_mut(); 2],
        running: [ptr::null_mut(); 2],
        async_ready: [ptr::null_mut(); 2],
        async_seq: 0,
        async_batch: UvVec::new(),
        block_sigprof: false,
        metrics: false,
        poll_timeout: 0,
        in_run: false,
        spin_skip: 0,
        spin_misses: 0,
        async_seen: false,
        signal: Default::default(),
        process: Default::default(),
        fs_event: Default::default(),
        #[cfg(target_os = "linux")]
        uring: Default::default(),
        inflight: Default::default(),
    }) else {
        return crate::abi::errno::UV_ENOMEM;
    };
    let Some(shared) = UvBox::try_new(Shared {
        done: Completions::new(waker),
        async_head: AtomicPtr::new(ptr::null_mut()),
        idle_time_ns: AtomicU64::new(0),
        loop_count: AtomicU64::new(0),
        events: AtomicU64::new(0),
        events_waiting: AtomicU64::new(0),
    }) else {
        return crate::abi::errno::UV_ENOMEM;
    };
    // SAFETY: caller guarantees `l` is writable; libuv keeps `data` across init, so do we.
    // The list heads are initialised after the box has its final address.
    unsafe {
        let data = (*l).data;
        ptr::write_bytes(l, 0, 1);
        (*l).data = data;
        queue::init(handle::loop_queue(l));
        (*l).backend_fd = backend_fd;
        let inner = UvBox::into_raw(inner);
        queue::init(&raw mut (*inner).idle_head);
        queue::init(&raw mut (*inner).prepare_head);
        queue::init(&raw mut (*inner).check_head);
        queue::init(&raw mut (*inner).async_ready);
        queue::init(&raw mut (*inner).pending);
        queue::init(&raw mut (*inner).running);
        (*l).internal_fields = inner.cast();
        (*l).shared = UvBox::into_raw(shared).cast();
        let r = io::start(l, wake_fd, sys::READABLE, on_wake, ptr::null_mut());
        if r != 0 {
            drop(UvBox::from_raw(inner));
            drop(UvBox::from_raw((*l).shared as *mut Shared));
            (*l).internal_fields = ptr::null_mut();
            (*l).shared = ptr::null_mut();
            return r;
        }
        update_time(l);
    }
    0
}

/// `uv_loop_close`: `UV_EBUSY` while requests are active or any handle is not yet closed.
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn close(l: *mut uv_loop_t) -> c_int {
    // SAFETY: caller guarantees `l` is initialised; we free the boxes made by init once
    // and clear the pointers.
    unsafe {
        if (*l).active_reqs.count > 0 {
            return crate::abi::errno::UV_EBUSY;
        }
        let head = handle::loop_queue(l);
        let mut q = queue::next(head);
        while q != head {
            let h = handle::from_queue_node(q);
            if handle::flags(h) & flags::INTERNAL == 0 {
                return crate::abi::errno::UV_EBUSY;
            }
            q = queue::next(q);
        }
        // A pool worker may still be between publishing its last item and its wake-up.
        shared(l).done.wait_quiet();
        // Modules with per-loop resources (descriptors, internal handles) release them.
        crate::signal::loop_close(l);
        crate::process::loop_close(l);
        crate::fs_event::loop_close(l);
        #[cfg(target_os = "linux")]
        crate::fs::uring::loop_close(l);
        drop(UvBox::from_raw(inner(l)));
        drop(UvBox::from_raw((*l).shared as *mut Shared));
        (*l).internal_fields = ptr::null_mut();
        (*l).shared = ptr::null_mut();
        (*l).backend_fd = -1;
    }
    0
}

/// Is `l` an initialised, not closed loop? Entry points that hand work to other threads
/// check it, so that a closed loop gets `UV_EINVAL` instead of a crash on a pool thread.
///
/// # Safety
/// `l` is NULL or points to loop memory.
pub(crate) unsafe fn is_open(l: *const uv_loop_t) -> bool {
    // SAFETY: non-NULL `l` is readable (caller).
    !l.is_null() && unsafe { !(*l).internal_fields.is_null() && !(*l).shared.is_null() }
}

/// Refreshes the cached loop time (`uv_update_time`).
///
/// # Safety
/// `l` is an initialised loop.
#[inline]
pub(crate) unsafe fn update_time(l: *mut uv_loop_t) {
    // SAFETY: caller guarantees `l` is live.
    unsafe { (*l).time = sys::loop_clock_ms() };
}

/// # Safety
/// `l` is an initialised loop.
#[inline]
pub(crate) unsafe fn alive(l: *mut uv_loop_t) -> bool {
    // SAFETY: caller guarantees `l` is initialised.
    unsafe {
        let i = &*inner(l);
        (*l).active_handles > 0
            || (*l).active_reqs.count > 0
            || !queue::is_empty(&i.pending)
            || !queue::is_empty(&i.running)
            || !i.closing.is_null()
    }
}

/// Is `uv_run` running `l` now (work queued now has a poll coming to batch it with)?
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn in_run(l: *mut uv_loop_t) -> bool {
    // SAFETY: caller guarantees `l` is initialised.
    unsafe { (*inner(l)).in_run }
}

/// `uv_backend_timeout`: how long the next poll may block, in ms (-1: no limit).
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn backend_timeout(l: *mut uv_loop_t) -> c_int {
    // SAFETY: caller guarantees `l` is initialised.
    unsafe {
        let i = &*inner(l);
        if (*l).stop_flag == 0
            && ((*l).active_handles > 0 || (*l).active_reqs.count > 0)
            && queue::is_empty(&i.pending)
            && queue::is_empty(&i.idle_head)
            && i.closing.is_null()
        {
            crate::timer::next_timeout(l)
        } else {
            0
        }
    }
}

/// `uv_run`: `UV_EINVAL` on a closed loop.
///
/// # Safety
/// `l` is loop memory (initialised or closed), run on its own thread, not re-entered from
/// a callback.
#[inline]
pub(crate) unsafe fn run(l: *mut uv_loop_t, mode: c_int) -> c_int {
    // SAFETY: `l` is loop memory owned by this thread (caller). `init` and `close` set and
    // clear `internal_fields` and `shared` together, so a non-NULL `internal_fields` is an
    // open loop: the one pointer stands for `is_open` on this path, where every load
    // counts (a program polling an empty loop with UV_RUN_NOWAIT pays only this).
    unsafe {
        if (*l).internal_fields.is_null() {
            return crate::abi::errno::UV_EINVAL;
        }
        if !alive(l) {
            // Nothing to run: the time is refreshed and a stop request consumed, as libuv
            // does, and nothing else is looked at (no request is pending, so none waits
            // for the ring either). A loop polled with UV_RUN_NOWAIT while empty pays
            // only this.
            update_time(l);
            (*l).stop_flag = 0;
            return 0;
        }
        run_alive(l, mode)
    }
}

/// [`run`] on a loop that was alive when it was called.
///
/// # Safety
/// As [`run`].
#[inline(never)]
unsafe fn run_alive(l: *mut uv_loop_t, mode: c_int) -> c_int {
    // SAFETY: caller guarantees `l` is initialised and owned by this thread; every phase
    // below borrows the loop state only between callbacks.
    unsafe {
        let mut r = true;
        let outer = core::mem::replace(&mut (*inner(l)).in_run, true);
        // Finished pool work is looked for in the poll phase from here on; workers need not
        // write the eventfd until the loop is about to block.
        shared(l).done.awake();
        // libuv 1.53's order: due timers run once before the first iteration in
        // UV_RUN_DEFAULT only, then at the end of every iteration (after the closing
        // handles), so a timer never runs twice in one UV_RUN_ONCE or UV_RUN_NOWAIT.
        if mode == UV_RUN_DEFAULT && r && (*l).stop_flag == 0 {
            update_time(l);
            crate::timer::run(l);
        }
        while r && (*l).stop_flag == 0 {
            let can_sleep = {
                let i = &*inner(l);
                queue::is_empty(&i.pending) && queue::is_empty(&i.idle_head)
            };
            run_pending(l);
            crate::watcher::run(l, crate::abi::UV_IDLE);
            crate::watcher::run(l, crate::abi::UV_PREPARE);
            let timeout = if (mode == UV_RUN_ONCE && can_sleep) || mode == UV_RUN_DEFAULT {
                backend_timeout(l)
            } else {
                0
            };
            bump(&shared(l).loop_count, 1);
            io_poll(l, timeout);
            for _ in 0..8 {
                if queue::is_empty(&(*inner(l)).pending) {
                    break;
                }
                run_pending(l);
            }
            crate::watcher::run(l, crate::abi::UV_CHECK);
            run_closing(l);
            update_time(l);
            crate::timer::run(l);
            r = alive(l);
            if mode == UV_RUN_ONCE || mode == UV_RUN_NOWAIT {
                break;
            }
        }
        if (*l).stop_flag != 0 {
            (*l).stop_flag = 0;
        }
        // File requests queued by callbacks after this iteration's poll go to the kernel
        // now: a program that waits on `uv_backend_fd` itself before the next `uv_run`
        // (an embedder) must see them complete.
        #[cfg(target_os = "linux")]
        crate::fs::uring::flush(l);
        // Outside `uv_run` only the eventfd tells of finished work and sent handles: a
        // program that waits on `uv_backend_fd` must find it readable for what came
        // while the loop ran.
        if want_wake(l) {
            shared(l).done.waker().wake();
        }
        (*inner(l)).in_run = outer;
        r as c_int
    }
}

/// Makes `p` an entry queued nowhere (before its first [`defer`]; an all-zero entry is
/// one too).
///
/// # Safety
/// `p` is writable.
pub(crate) unsafe fn pending_init(p: *mut Pending) {
    // SAFETY: caller guarantees `p` is writable.
    unsafe {
        queue::init(&raw mut (*p).link);
        (*p).cb = None;
    }
}

/// Is `p` queued for the pending phase?
///
/// # Safety
/// `p` is an initialised (or all-zero) entry.
pub(crate) unsafe fn is_deferred(p: *const Pending) -> bool {
    // SAFETY: caller guarantees `p` is readable.
    let next = unsafe { (*p).link[0] };
    !next.is_null() && next.cast_const() != p.cast()
}

/// Queues `cb(l, p)` for the pending phase, unless `p` is queued already (libuv's
/// `uv__io_feed`). O(1).
///
/// # Safety
/// `l` is an initialised loop; `p` an initialised entry that stays valid until its
/// callback runs or [`undefer`] removes it.
pub(crate) unsafe fn defer(l: *mut uv_loop_t, p: *mut Pending, cb: PendingFn) {
    // SAFETY: loop thread only; no callback runs while we hold the borrow.
    unsafe {
        if is_deferred(p) {
            return;
        }
        (*p).cb = Some(cb);
        queue::insert_tail(&raw mut (*inner(l)).pending, &raw mut (*p).link);
    }
}

/// Takes `p` off the pending queue (or the batch being run), if it is on it. O(1).
///
/// # Safety
/// `p` is an initialised (or all-zero) entry; loop thread only.
pub(crate) unsafe fn undefer(p: *mut Pending) {
    // SAFETY: a queued entry is on one of the loop's two lists, whose nodes are live.
    unsafe {
        if is_deferred(p) {
            queue::remove(&raw mut (*p).link);
        }
    }
}

/// Runs the callbacks that were pending when the phase began.
unsafe fn run_pending(l: *mut uv_loop_t) {
    // SAFETY: loop thread. The batch moves to `running` before any callback runs, so
    // callbacks may defer more work (it runs in the next round) or undefer entries of this
    // batch; each entry is unlinked before its callback runs, so it may queue itself again.
    unsafe {
        let i = inner(l);
        let pending = &raw mut (*i).pending;
        let running = &raw mut (*i).running;
        if queue::is_empty(pending) {
            return;
        }
        queue::move_all(pending, running);
        while !queue::is_empty(running) {
            let q = queue::next(running);
            queue::remove(q);
            let p: *mut Pending = q.cast();
            if let Some(cb) = (*p).cb {
                cb(l, p);
            }
        }
    }
}

/// Pushes `h` onto the closing list; the closing phase runs it most-recent first.
///
/// # Safety
/// `h` is a live handle of the initialised loop it names.
pub(crate) unsafe fn make_close_pending(h: *mut uv_handle_t) {
    // SAFETY: loop thread; `h` is live until its close callback.
    unsafe {
        let i = &mut *inner((*h).r#loop);
        (*h).next_closing = i.closing;
        i.closing = h;
    }
}

unsafe fn run_closing(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the list is detached before any close callback runs, so a
    // callback closing more handles starts a new list for the next iteration.
    unsafe {
        let mut p = core::mem::replace(&mut (*inner(l)).closing, ptr::null_mut());
        while !p.is_null() {
            let next = (*p).next_closing;
            handle::finish_close(p);
            p = next;
        }
    }
}

/// `uv_loop_configure`.
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn configure(l: *mut uv_loop_t, option: c_int, arg: c_int) -> c_int {
    // SAFETY: loop thread; short borrow.
    let i = unsafe { &mut *inner(l) };
    match option {
        UV_LOOP_BLOCK_SIGNAL => {
            // libuv supports SIGPROF only.
            if arg != libc::SIGPROF {
                return crate::abi::errno::UV_EINVAL;
            }
            i.block_sigprof = true;
            0
        }
        UV_METRICS_IDLE_TIME => {
            i.metrics = true;
            0
        }
        // As libuv 1.53: the loop's file I/O ring (made later) uses SQPOLL when
        // `UV_USE_IO_URING` is also a positive number; without it, this changes nothing.
        UV_LOOP_USE_IO_URING_SQPOLL => {
            #[cfg(target_os = "linux")]
            // SAFETY: loop thread (caller).
            unsafe {
                crate::fs::uring::configure_sqpoll(l)
            };
            0
        }
        _ => crate::abi::errno::UV_ENOSYS,
    }
}

/// The pool item of a request that runs on the pool (the registry's [`inflight::Kind::Pool`]
/// entries: work, fs, getaddrinfo, getnameinfo and random requests, each with its own
/// `work_req`).
///
/// None if the program overwrote the type of a request in flight (it is then left to the
/// parent, as libuv would).
///
/// # Safety
/// `req` is a pending pool request: its `type` was set when it was submitted.
unsafe fn work_of(req: *mut uv_req_t) -> Option<*mut uv__work> {
    // SAFETY: `type` is initialised (caller) and names the request's C type, so the cast
    // is to the type the memory holds.
    unsafe {
        Some(match (*req).r#type {
            UV_WORK => &raw mut (*req.cast::<uv_work_t>()).work_req,
            UV_FS => &raw mut (*req.cast::<uv_fs_t>()).work_req,
            UV_GETADDRINFO => &raw mut (*req.cast::<uv_getaddrinfo_t>()).work_req,
            UV_GETNAMEINFO => &raw mut (*req.cast::<uv_getnameinfo_t>()).work_req,
            UV_RANDOM => &raw mut (*req.cast::<uv_random_t>()).work_req,
            _ => return None,
        })
    }
}

/// `uv_loop_fork`: in the child of a `fork`, a new kernel backend and a new wake-up eventfd
/// (the parent's would be shared), with every watcher that wants events registered again.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn fork(l: *mut uv_loop_t) -> c_int {
    // SAFETY: loop thread; short borrows, no callback runs.
    unsafe {
        let mut backend = match sys::new_backend() {
            Ok(b) => b,
            Err(e) => return crate::abi::errno::from_io(&e),
        };
        // The parent's pool threads are not in the child (see `reset_after_fork`).
        shared(l).done.reset_after_fork();
        // What they had queued or were running never comes back: handed back cancelled.
        let lost: Vec<*mut uv__work> = (*inner(l))
            .inflight
            .pool_requests()
            .filter_map(|a| work_of(a as *mut uv_req_t))
            .collect();
        if !lost.is_empty() {
            crate::pool::abandon_after_fork(l, &lost);
        }
        // The same for the requests the parent's io_uring had.
        #[cfg(target_os = "linux")]
        crate::fs::uring::loop_fork(l, &lost);
        // The parent's registrations stay with the parent's backend: never touch it.
        let waker = shared(l).done.waker();
        io::forget(l, waker.fd());
        let r = io::fork(l, &mut *backend);
        if r != 0 {
            return r;
        }
        (*l).backend_fd = backend.fd();
        let mut old = core::mem::replace(&mut (*inner(l)).backend, backend);
        old.abandon();
        drop(old);
        let wake_fd = match waker.renew() {
            Ok(fd) => fd,
            Err(e) => return crate::abi::errno::from_io(&e),
        };
        let r = io::start(l, wake_fd, sys::READABLE, on_wake, ptr::null_mut());
        if r != 0 {
            return r;
        }
        // Anything already pushed before the fork still needs its turn.
        if !shared(l).async_head.load(Ordering::Acquire).is_null() || shared(l).done.has_work() {
            waker.wake();
        }
        // Modules with their own kernel objects re-create them for the child.
        let r = crate::fs_event::loop_fork(l);
        if r != 0 {
            return r;
        }
        // Senders in other threads of the parent do not exist here.
        let head = handle::loop_queue(l);
        let mut q = queue::next(head);
        while q != head {
            let h = handle::from_queue_node(q);
            if (*h).r#type == crate::abi::UV_ASYNC {
                crate::async_handle::reset_after_fork(h.cast());
            }
            q = queue::next(q);
        }
    }
    0
}

/// `uv_metrics_info`: the loop's counters (iterations, events, events waiting).
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn metrics(l: *const uv_loop_t) -> [u64; 3] {
    // SAFETY: caller guarantees `l` is initialised.
    let sh = unsafe { shared(l) };
    [
        sh.loop_count.load(Ordering::Relaxed),
        sh.events.load(Ordering::Relaxed),
        sh.events_waiting.load(Ordering::Relaxed),
    ]
}

/// `uv_metrics_idle_time`; callable from any thread.
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn idle_time(l: *const uv_loop_t) -> u64 {
    // SAFETY: caller guarantees `l` is initialised.
    unsafe { shared(l) }.idle_time_ns.load(Ordering::Relaxed)
}

/// Waits for I/O up to `timeout` ms and dispatches what is ready.
unsafe fn io_poll(l: *mut uv_loop_t, timeout: c_int) {
    // SAFETY: loop thread. The event buffer is taken out of the loop state while callbacks
    // run and put back after, so no borrow of the state spans a callback.
    unsafe {
        let mut events = core::mem::take(&mut (*inner(l)).events);
        let mut timeout = timeout;
        // With UV_METRICS_IDLE_TIME, a first look that does not wait tells the events that
        // were already waiting from those the wait brought (uv_metrics_t.events_waiting).
        let mut first_look = (*inner(l)).metrics && timeout != 0;
        loop {
            events.clear();
            // What changed since the last wait reaches the kernel now, in one go: file
            // requests queued for the ring, then the watchers' changes.
            #[cfg(target_os = "linux")]
            crate::fs::uring::flush(l);
            io::flush(l);
            let base = (*l).time;
            let t = if first_look { 0 } else { timeout };
            let t = if t != 0 { before_block(l, t) } else { 0 };
            (*inner(l)).poll_timeout = t;
            let interrupted = wait_once(l, &mut events, t);
            let sh = shared(l);
            sh.done.awake();
            let mut n = io::dispatch(l, &events);
            // Work that finished and handles sent while the loop was awake came without a
            // wake-up (each batch counts as the event its wake-up would have been).
            if sh.done.has_work() {
                n += crate::pool::run_completions(l);
            }
            if asyncs_sent(sh) {
                n += 1;
                run_sent_asyncs(l);
            }
            bump(&sh.events, n);
            if first_look {
                first_look = false;
                bump(&sh.events_waiting, n);
                if n == 0 {
                    continue;
                }
            }
            let dispatched = n != 0;
            // Done when something ran, when the poll was not to block, or when the time is
            // up. Otherwise (an interrupted wait, or only parked registrations reported,
            // which `dispatch` dropped) wait again for what is left of the timeout, as
            // libuv does: UV_RUN_ONCE must not return having run nothing.
            if dispatched || timeout == 0 || (events.is_empty() && !interrupted) {
                break;
            }
            if timeout > 0 {
                let spent = (*l).time.saturating_sub(base).min(c_int::MAX as u64) as c_int;
                if spent >= timeout {
                    break;
                }
                timeout -= spent;
            }
        }
        (*inner(l)).events = events;
    }
}

/// Longest a loop spins for pool completions or a send before it blocks (see
/// [`before_block`]).
const SPIN_NS: u64 = 20_000;
/// After this many spins in a row that found nothing, the loop skips the spin for
/// 2^this - 1 blocking waits at most: a loop whose pool work is slow (DNS, a large
/// write, user work) spins at most once in 64 waits.
const SPIN_MAX_BACKOFF: u32 = 6;

/// Before a wait that would block for `timeout` ms: with more than one CPU, and pool work
/// of this loop in flight or sent async handles just dispatched, spins up to [`SPIN_NS`]
/// for the next completion or send, then asks for a wake-up. Returns the timeout to wait
/// with: 0 when something is already there.
///
/// The spin is what makes a short request (a cached `stat`, an `open`) cost what it
/// takes: the worker that finishes it pushes it and sees the loop awake, so neither
/// writes nor reads the eventfd, and the loop never sleeps and wakes; the same holds for
/// a thread that sends again right after its callback ran. Spins that find nothing back
/// off exponentially, and a spin that finds work resets the back-off.
///
/// # Safety
/// `l` is an initialised loop; its thread.
unsafe fn before_block(l: *mut uv_loop_t, timeout: c_int) -> c_int {
    // SAFETY: loop thread; the borrow of the loop state ends before this returns.
    unsafe {
        let sh = shared(l);
        let done = &sh.done;
        let i = &mut *inner(l);
        let async_seen = core::mem::take(&mut i.async_seen);
        if (done.in_flight() > 0 || async_seen) && sys::several_cpus() {
            let ready = || done.has_work() || asyncs_sent(sh);
            if i.spin_skip > 0 {
                i.spin_skip -= 1;
            } else if spin_until(SPIN_NS, ready) {
                i.spin_misses = 0;
                return 0;
            } else {
                i.spin_misses = (i.spin_misses + 1).min(SPIN_MAX_BACKOFF);
                i.spin_skip = (1 << i.spin_misses) - 1;
            }
        }
        if want_wake(l) { 0 } else { timeout }
    }
}

/// Spins until `ready` or until `budget_ns` have passed; true when `ready`.
///
/// No yield: a yielding loop thread may wait behind busy workers for a whole time
/// slice, and its I/O with it.
fn spin_until(budget_ns: u64, ready: impl Fn() -> bool) -> bool {
    let end = sys::hrtime_ns().saturating_add(budget_ns);
    loop {
        for _ in 0..64 {
            if ready() {
                return true;
            }
            core::hint::spin_loop();
        }
        if sys::hrtime_ns() >= end {
            return ready();
        }
    }
}

/// The loop is about to block or to leave `uv_run`: asks for wake-ups, and says whether
/// finished pool work or a sent async handle is already waiting (which no wake-up will
/// announce).
///
/// # Safety
/// `l` is an initialised loop; its thread.
unsafe fn want_wake(l: *mut uv_loop_t) -> bool {
    // SAFETY: `shared` is live while the loop is.
    let sh = unsafe { shared(l) };
    // The fence in `want_wake` comes before this look at the async stack too: either it
    // sees a handle, or that handle's `push_async` sees the request.
    let pool = sh.done.want_wake();
    pool || asyncs_sent(sh)
}

/// Is a sent async handle waiting on the stack? (A look only: the loop takes them with
/// [`take_sent_asyncs`].)
fn asyncs_sent(sh: &Shared) -> bool {
    !sh.async_head.load(Ordering::Relaxed).is_null()
}

/// One wait in the backend; updates the loop time and the idle-time metric. True when the
/// wait was interrupted by a signal.
unsafe fn wait_once(l: *mut uv_loop_t, events: &mut UvVec<Event>, timeout: c_int) -> bool {
    // SAFETY: loop thread; the borrow of the loop state ends before this returns and no
    // callback runs meanwhile.
    unsafe {
        let i = &mut *inner(l);
        let metrics = i.metrics && timeout != 0;
        let entry = if metrics { sys::hrtime_ns() } else { 0 };
        // The mask while waiting: the thread's own, as it is now, plus SIGPROF.
        let mask = if i.block_sigprof {
            let mut cur: libc::sigset_t = core::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_SETMASK, ptr::null(), &mut cur);
            libc::sigaddset(&mut cur, libc::SIGPROF);
            Some(cur)
        } else {
            None
        };
        let res = i.backend.wait(events, timeout, mask.as_ref());
        if metrics {
            let spent = sys::hrtime_ns().saturating_sub(entry);
            bump(&shared(l).idle_time_ns, spent);
        }
        update_time(l);
        matches!(res, Err(e) if e.raw_os_error() == Some(libc::EINTR))
    }
}

/// The wake-up eventfd's watcher: run finished pool work, then sent async handles.
unsafe fn on_wake(l: *mut uv_loop_t, _data: *mut c_void, _ready: u32) {
    // SAFETY: loop thread; `shared` is live while the loop is.
    unsafe {
        let sh = shared(l);
        sh.done.waker().drain();
        // Each finished work item counts as an event, the wake-up itself already counted
        // once (uv_metrics_t, as libuv counts its pool's completions).
        let n = crate::pool::run_completions(l);
        if n > 1 {
            count_events(l, n - 1);
        }
        run_sent_asyncs(l);
    }
}

/// Dispatches the async handles sent since the last look.
///
/// # Safety
/// `l` is an initialised loop; its thread.
unsafe fn run_sent_asyncs(l: *mut uv_loop_t) {
    // SAFETY: loop thread (caller).
    unsafe {
        take_sent_asyncs(l);
        while let Some(h) = pop_ready_async(l) {
            (*inner(l)).async_seen = true;
            crate::async_handle::dispatch(h);
        }
    }
}

/// Adds `n` to a metrics counter. Only the loop's thread writes these counters (other
/// threads may read them), so a load and a store do: no locked read-modify-write (about
/// 20 cycles) on every loop iteration.
#[inline(always)]
fn bump(c: &AtomicU64, n: u64) {
    c.store(c.load(Ordering::Relaxed).wrapping_add(n), Ordering::Relaxed);
}

/// Counts `n` more events for `uv_metrics_info` (completions beyond the one wake-up the
/// backend reported), as waiting ones too when the poll did not block.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn count_events(l: *mut uv_loop_t, n: u64) {
    // SAFETY: loop thread; `shared` is live while the loop is.
    unsafe {
        let sh = shared(l);
        bump(&sh.events, n);
        if (*inner(l)).poll_timeout == 0 {
            bump(&sh.events_waiting, n);
        }
    }
}

/// Takes the whole stack of sent async handles onto the tail of the loop-local ready
/// list, in the order the handles were initialised (libuv's dispatch order). Only the
/// handles that were sent are touched: O(k log k) for k of them.
///
/// # Safety
/// `l` is an initialised loop; loop thread only.
pub(crate) unsafe fn take_sent_asyncs(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the swap takes exclusive ownership of the detached list, whose
    // nodes are live handles (a handle is closed only after being removed from it). Each
    // node's link is read before the node is re-linked into the ready list; the batch
    // buffer is taken out of the loop state while it is in use.
    unsafe {
        let mut p = shared(l)
            .async_head
            .swap(ptr::null_mut(), Ordering::Acquire);
        if p.is_null() {
            return;
        }
        let mut batch = core::mem::take(&mut (*inner(l)).async_batch);
        while !p.is_null() {
            batch.push(p);
            p = (*p).queue[0].cast();
        }
        // libuv's order: the order the handles were initialised in.
        batch.sort_unstable_by_key(|&h| crate::async_handle::seq(h));
        let head = &raw mut (*inner(l)).async_ready;
        for &h in &batch {
            queue::insert_tail(head, (&raw mut (*h).queue).cast());
        }
        batch.clear();
        (*inner(l)).async_batch = batch;
    }
}

/// The initialisation number of a new async handle of `l` (see `async_handle`).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn next_async_seq(l: *mut uv_loop_t) -> usize {
    // SAFETY: loop thread; a short borrow.
    let i = unsafe { &mut *inner(l) };
    i.async_seq += 1;
    i.async_seq
}

/// The next async handle to dispatch, unlinked from the ready list.
unsafe fn pop_ready_async(l: *mut uv_loop_t) -> Option<*mut uv_async_t> {
    // SAFETY: loop thread; the ready list holds live handles linked through `queue`.
    unsafe {
        let head = &raw mut (*inner(l)).async_ready;
        if queue::is_empty(head) {
            return None;
        }
        let q = queue::next(head);
        queue::remove(q);
        Some(
            q.cast::<u8>()
                .sub(core::mem::offset_of!(uv_async_t, queue))
                .cast(),
        )
    }
}

/// Unlinks a closing async handle that was sent: everything sent is first moved onto the
/// ready list, from which the handle is then removed in O(1).
///
/// # Safety
/// `h` is a live async handle of `l` whose sent state the caller just claimed.
pub(crate) unsafe fn forget_sent_async(l: *mut uv_loop_t, h: *mut uv_async_t) {
    // SAFETY: loop thread; after take_sent_asyncs a claimed handle is on the ready list.
    unsafe {
        take_sent_asyncs(l);
        queue::remove((&raw mut (*h).queue).cast());
    }
}

/// Pushes a sent async handle; wakes the loop if the stack was empty and the loop asked
/// for wake-ups.
/// Thread-safe and async-signal-safe.
///
/// # Safety
/// `h` is an initialised async handle whose `pending` this caller set from 0.
pub(crate) unsafe fn push_async(h: *mut uv_async_t) {
    // SAFETY: the loop outlives its handles; the handle is exclusively ours to link until
    // the loop pops it (pending != 0 keeps other senders out).
    unsafe {
        let sh = shared((*h).r#loop);
        let mut head = sh.async_head.load(Ordering::Relaxed);
        loop {
            (*h).queue[0] = head.cast();
            match sh
                .async_head
                .compare_exchange_weak(head, h, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(cur) => head = cur,
            }
        }
        // Only the push that makes the stack non-empty wakes the loop, and only if the
        // loop asked for wake-ups: an awake loop looks at the stack after every poll.
        // The fence pairs with the one in the loop's `want_wake` (see the pool's
        // completion stack, whose handshake this shares).
        if head.is_null() {
            core::sync::atomic::fence(Ordering::SeqCst);
            if sh.done.wake_wanted() {
                sh.done.waker().wake();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    thread_local! {
        static ORDER: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    }

    #[repr(C)]
    struct Owner {
        entry: Pending,
        id: usize,
    }

    unsafe fn record(_l: *mut uv_loop_t, p: *mut Pending) {
        // SAFETY: every entry queued here is the first field of a live `Owner`.
        let id = unsafe { (*p.cast::<Owner>()).id };
        ORDER.with(|o| o.borrow_mut().push(id));
    }

    #[test]
    fn pending_entries_run_in_order_and_leave_in_o1() {
        // SAFETY: a zeroed loop is initialised by init; the owners outlive the run; loop
        // thread throughout.
        unsafe {
            let mut l: Box<uv_loop_t> = Box::new(core::mem::zeroed());
            let l: *mut uv_loop_t = &mut *l;
            assert_eq!(init(l), 0);
            let mut owners: Vec<Owner> = (0..4)
                .map(|id| Owner {
                    entry: core::mem::zeroed(),
                    id,
                })
                .collect();
            for o in owners.iter_mut() {
                assert!(!is_deferred(&o.entry));
                defer(l, &mut o.entry, record);
                // Queued once only.
                defer(l, &mut o.entry, record);
                assert!(is_deferred(&o.entry));
            }
            assert!(alive(l));
            undefer(&mut owners[1].entry);
            assert!(!is_deferred(&owners[1].entry));
            run_pending(l);
            ORDER.with(|o| assert_eq!(*o.borrow(), [0, 2, 3]));
            assert!(owners.iter().all(|o| !is_deferred(&o.entry)));
            assert!(!alive(l));
            assert_eq!(close(l), 0);
        }
    }
}
