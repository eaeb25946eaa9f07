//! The process-wide thread pool that runs `uv_queue_work`, filesystem, DNS and random
//! requests off the loop thread.
//!
//! # Contract
//! `submit` queues a `uv__work` embedded in a request; a pool thread runs `work(w)`, then
//! hands `w` back to its loop through the loop's [`Completions`] (one interface: push and
//! wake); the loop thread, woken, calls [`run_completions`], which calls `finish(w)`,
//! which calls `done(w, status)`: 0, or `UV_ECANCELED` after a successful `cancel`. The
//! pool keeps `loop->active_reqs.count`: one per submitted item until just before `done`
//! runs, so the loop stays alive (and `uv_loop_close` says `UV_EBUSY`) while work is
//! outstanding. `submit`, `cancel` and `finish` run on the loop's thread; only the pool's
//! workers run elsewhere. `done` callbacks run in the loop's poll phase, when the loop
//! drains its completion stack: after a wake-up, or when it finds work there itself (a
//! loop that is not asleep gets no wake-up, see [`stack`]; one with work in flight spins
//! briefly for it before it sleeps, see `uvloop::before_block`).
//!
//! # Design
//! - One pool per process, started on the first `submit`: `UV_THREADPOOL_SIZE` threads
//!   (default 4, clamped to 1..=1024, read at start). `shutdown` (`uv_library_shutdown`)
//!   lets the workers drain the queues, stops and joins them; a later `submit` starts the
//!   pool again. A forked child starts a fresh pool on its first `submit` (its parent's
//!   workers do not exist there); the parent's queued work is not run in the child.
//! - Work starts in submission order, from one `crossbeam_deque::Injector`. At most
//!   `(threads + 1) / 2` workers (as libuv) run slow I/O (DNS) at once, so it never starves file
//!   I/O: a worker reserves a slow slot (a counter, with a compare-exchange) before it
//!   runs a slow item; when none is free it moves the item to a second queue of deferred
//!   slow work, which workers look at first whenever a slot is free. The worker that frees
//!   a slot looks for work again at once, so no slow item waits while a slot is free.
//! - Queue entries are [`ticket`]s, pool-owned and recycled, because an entry cannot be
//!   removed from an `Injector` but a cancelled request may be freed at once. The item's
//!   state is `w.wq[1]`: the ticket pointer while queued or running, [`CANCELED`] after a
//!   successful `cancel`, [`FINISHED`] once `done` has been called. A ticket whose item
//!   ran goes back with it to its loop, which keeps it for its next `submit` (no shared
//!   atomic on that path); one whose item was cancelled goes back to the shared free stack
//!   from the worker that pops it. Who owns the item is
//!   decided by one atomic swap on the ticket, so `cancel` wins only before the item
//!   starts. `wq[0]` is the link of the loop's completion stack.
//! - Idle workers park on a `Condvar`. `submit` pushes, then (after a `SeqCst` fence)
//!   reads the idle count and, only when a worker is idle, takes and drops the lock and
//!   wakes one. On one CPU a woken worker yields once before it looks for work, so that
//!   the loop thread finishes its batch of submissions first (see `park`).
//!   A worker registers as idle and re-checks the queues under that lock before waiting,
//!   so no wake-up is lost. A busy pool costs `submit` no lock at all; workers never hold
//!   a lock while running work.
//! - A cancelled item goes back to its loop at once (`push_done` from `cancel`); its
//!   ticket stays queued, empty, and the worker that pops it recycles it.
//! - The pool knows a loop only as `uv_loop_t.shared`, whose first field is the loop's
//!   [`Completions`]: a lock-free stack of finished items (linked through `wq[0]`) and the
//!   loop's wake-up. The loop owns and embeds it; the pool names none of the loop's types.

mod stack;
mod ticket;

#[cfg(test)]
mod tests;

use crate::abi::errno::UV_EBUSY;
use crate::abi::{uv__work, uv_loop_t};
use crate::sync;
use crate::sys::Waker;
use core::ffi::{c_int, c_void};
use core::ptr;
use crossbeam_deque::{Injector, Steal};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering, fence};
use std::sync::{Condvar, Mutex, MutexGuard};
use ticket::Ticket;

/// What a work item does, for scheduling: slow I/O (DNS) may hold at most half the
/// threads, so it never starves the rest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum WorkKind {
    Cpu,
    FastIo,
    SlowIo,
}

/// `wq[1]` of an item taken back by `cancel`: its `done` gets `UV_ECANCELED`.
const CANCELED: usize = 1;
/// `wq[1]` of an item whose `done` has been called.
const FINISHED: usize = 2;

/// The default number of threads, as libuv.
const DEFAULT_THREADS: usize = 4;
/// The most threads `UV_THREADPOOL_SIZE` may ask for, as libuv.
const MAX_THREADS: usize = 1024;

/// Rounds a worker out of work looks for more before parking: exponential spinning,
/// then yielding the CPU (see `Pool::linger`). The yields matter where the workers
/// outnumber the cores (4 on this project's 2-core machines): a yield hands the core to
/// the loop thread that is about to submit the next item, while parking early costs that
/// thread a futex wake-up per item. 14 yields rather than 4: `pool_work_1loop` 1.4-1.7M
/// items/s with 4, 2.3-3.0M with 14, and 1.1-1.3M with none.
const LINGER_ROUNDS: u32 = 20;
const LINGER_SPIN_ROUNDS: u32 = 6;

/// A queue entry. Tickets are `'static` and only touched atomically.
#[derive(Clone, Copy)]
struct Entry {
    ticket: &'static Ticket,
    slow: bool,
}

struct Pool {
    /// All work, in submission order.
    queue: Injector<Entry>,
    /// Slow I/O work taken off `queue` while no slow slot was free.
    deferred: Injector<Entry>,
    /// Workers running slow work now.
    slow_running: AtomicUsize,
    /// Most workers that may run slow work at once (0 while stopped).
    slow_limit: AtomicUsize,
    /// Workers parked or about to park (they re-check the queues under `state`).
    idle: AtomicUsize,
    /// Set once the workers run; cleared by `shutdown`.
    running: AtomicBool,
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    /// The workers, made with `pthread_create` (see `spawn_worker`).
    threads: Vec<libc::pthread_t>,
    stop: bool,
}

/// The pool, created on first use and never freed.
static POOL: AtomicPtr<Pool> = AtomicPtr::new(ptr::null_mut());
/// A forked child's view of its parent's pool, kept so that it stays reachable. Only ever
/// stored to: `#[used]`, or the optimiser drops the static and its store, and the pool
/// becomes a definite leak in every forked child (libuv's `fork_threadpool_*` tests under
/// valgrind, release build).
#[used]
static ORPHAN: AtomicPtr<Pool> = AtomicPtr::new(ptr::null_mut());

#[inline]
fn pool() -> &'static Pool {
    let p = POOL.load(Ordering::Acquire);
    if p.is_null() {
        return new_pool();
    }
    // SAFETY: pools are leaked, never freed.
    unsafe { &*p }
}

/// The running pool, if one was made.
fn existing_pool() -> Option<&'static Pool> {
    // SAFETY: as in `pool`.
    unsafe { POOL.load(Ordering::Acquire).as_ref() }
}

#[cold]
fn new_pool() -> &'static Pool {
    static AT_FORK: std::sync::Once = std::sync::Once::new();
    AT_FORK.call_once(|| {
        // SAFETY: registers a handler that only touches atomics.
        unsafe { libc::pthread_atfork(None, None, Some(forget_pool_in_child)) };
    });
    let fresh = Box::into_raw(Box::new(Pool {
        queue: Injector::new(),
        deferred: Injector::new(),
        slow_running: AtomicUsize::new(0),
        slow_limit: AtomicUsize::new(0),
        idle: AtomicUsize::new(0),
        running: AtomicBool::new(false),
        state: Mutex::new(State {
            threads: Vec::new(),
            stop: false,
        }),
        wake: Condvar::new(),
    }));
    match POOL.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: just leaked.
        Ok(_) => unsafe { &*fresh },
        Err(cur) => {
            // SAFETY: `fresh` was never shared; `cur` is a leaked pool.
            unsafe {
                drop(Box::from_raw(fresh));
                &*cur
            }
        }
    }
}

/// `pthread_atfork` child handler: the child has none of the parent's workers, and the
/// pool's lock may have been held by one of them, so the child starts a pool of its own
/// on its next `submit` (as libuv does). The parent's queued work is dropped there.
extern "C" fn forget_pool_in_child() {
    ORPHAN.store(
        POOL.swap(ptr::null_mut(), Ordering::AcqRel),
        Ordering::Release,
    );
}

/// Pops an entry, retrying while other threads race for the same slot.
#[inline]
fn pop(q: &Injector<Entry>) -> Option<Entry> {
    loop {
        match q.steal() {
            Steal::Success(e) => return Some(e),
            Steal::Empty => return None,
            Steal::Retry => core::hint::spin_loop(),
        }
    }
}

/// Takes the item out of a popped ticket. NULL: it was cancelled, and the ticket goes
/// back to the free stack here; otherwise it goes with the item, and the item's loop keeps
/// it for its next submission ([`finish`]).
#[inline]
fn claim(e: Entry) -> *mut uv__work {
    let w = e.ticket.item.swap(ptr::null_mut(), Ordering::Acquire);
    if w.is_null() {
        ticket::give_back(e.ticket);
    }
    w
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts the workers unless they run.
    #[cold]
    fn start(&'static self) {
        let mut st = self.lock();
        if self.running.load(Ordering::Relaxed) {
            return;
        }
        let n = threads_from_env();
        let stack = stack_size();
        for _ in 0..n {
            match spawn_worker(self, stack) {
                Ok(t) => st.threads.push(t),
                Err(err) if st.threads.is_empty() => {
                    // libuv aborts too: work submitted now could never run.
                    eprintln!(
                        "rsuv: cannot start the thread pool: {}",
                        std::io::Error::from_raw_os_error(err)
                    );
                    std::process::abort();
                }
                Err(_) => break,
            }
        }
        st.stop = false;
        self.slow_limit
            .store(st.threads.len().div_ceil(2), Ordering::SeqCst);
        self.running.store(true, Ordering::Release);
    }

    /// Queues `e`, then wakes one idle worker if there is one.
    #[inline]
    fn post(&self, e: Entry) {
        self.queue.push(e);
        // Pairs with the fence in `park`: either we see the idle worker or it sees the
        // entry when it re-checks.
        fence(Ordering::SeqCst);
        if self.idle.load(Ordering::Relaxed) > 0 {
            // Taking the lock once orders this submission after any worker that is
            // between its re-check and its wait (it holds the lock there), so the notify
            // reaches it. The notify comes after the unlock: a woken worker that ran at
            // once (on one CPU it may preempt this thread) would otherwise find the lock
            // held, spin on it and sleep again (pinned fs_stat, 32 in flight: 9 % of the
            // time in the contended lock).
            drop(self.lock());
            self.wake.notify_one();
        }
    }

    /// Reserves a slow-work slot if one is free.
    #[inline]
    fn reserve_slow(&self) -> bool {
        let limit = self.slow_limit.load(Ordering::Relaxed);
        // SeqCst: pairs with the release of a slot, so that a worker looking for a slot
        // never misses one freed while a third party moved work to `deferred`.
        let mut cur = self.slow_running.load(Ordering::SeqCst);
        while cur < limit {
            match self.slow_running.compare_exchange_weak(
                cur,
                cur + 1,
                Ordering::SeqCst,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(c) => cur = c,
            }
        }
        false
    }

    #[inline]
    fn release_slow(&self) {
        self.slow_running.fetch_sub(1, Ordering::SeqCst);
    }

    /// Is there work this worker could take now?
    fn has_work(&self) -> bool {
        !self.queue.is_empty()
            || (!self.deferred.is_empty()
                && self.slow_running.load(Ordering::SeqCst)
                    < self.slow_limit.load(Ordering::Relaxed))
    }

    /// The next item to run and whether it holds a slow slot; None when there is none.
    fn next(&self) -> Option<(*mut uv__work, bool)> {
        loop {
            // Deferred slow work came before anything still queued.
            if !self.deferred.is_empty() && self.reserve_slow() {
                if let Some(e) = pop(&self.deferred) {
                    let w = claim(e);
                    if !w.is_null() {
                        return Some((w, true));
                    }
                    self.release_slow();
                    continue;
                }
                self.release_slow();
            }
            let e = pop(&self.queue)?;
            if !e.slow {
                let w = claim(e);
                if !w.is_null() {
                    return Some((w, false));
                }
            } else if e.ticket.item.load(Ordering::Relaxed).is_null() {
                // Cancelled: just recycle the ticket.
                claim(e);
            } else if self.reserve_slow() {
                let w = claim(e);
                if !w.is_null() {
                    return Some((w, true));
                }
                self.release_slow();
            } else {
                // No slot: wait in line for one (checked again at the top).
                self.deferred.push(e);
            }
        }
    }

    /// Waits for work. False: the pool is stopping and no work is left for this worker.
    #[cold]
    fn park(&self) -> bool {
        let st = self.lock();
        self.idle.fetch_add(1, Ordering::SeqCst);
        // Pairs with the fence in `post`.
        fence(Ordering::SeqCst);
        if self.has_work() {
            self.idle.fetch_sub(1, Ordering::SeqCst);
            return true;
        }
        if st.stop {
            self.idle.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        let st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
        self.idle.fetch_sub(1, Ordering::SeqCst);
        drop(st);
        // On one CPU the woken worker usually runs at once, ahead of the loop thread
        // that woke it, and that thread is often in the middle of a batch of
        // submissions (the done callbacks of the last batch). Yielding lets the loop
        // finish the batch first: the worker then finds several items instead of one,
        // and the next submission finds a worker awake instead of waking another.
        // Nothing waits on the yield: if the loop blocks, the worker runs.
        // fs_stat pinned to one CPU, 32 in flight: 0.63 M/s without, 1.2 M/s with (1.53:
        // 0.87 M/s); 1 in flight: 0.25 M/s without, 0.20 M/s with (1.53: 0.17 M/s).
        if !crate::sys::several_cpus() {
            std::thread::yield_now();
        }
        true
    }

    /// Before parking, watches the queues for a moment: in a burst of submissions the
    /// next item usually comes within microseconds, and finding it here spares both the
    /// worker's sleep and the submitter's wake-up call. True: there is work.
    fn linger(&self) -> bool {
        // On one CPU the worker would only take turns with the other lingering workers
        // (fs_stat, 32 in flight, pinned to one CPU: 0.33 M/s lingering, 0.65 M/s not).
        if !crate::sys::several_cpus() {
            return false;
        }
        for round in 0..LINGER_ROUNDS {
            if self.has_work() {
                return true;
            }
            if round < LINGER_SPIN_ROUNDS {
                for _ in 0..(1u32 << round) {
                    core::hint::spin_loop();
                }
            } else {
                std::thread::yield_now();
            }
        }
        false
    }

    fn worker(&self) {
        loop {
            match self.next() {
                Some((w, slow)) => {
                    // SAFETY: we claimed `w`: it is a live submitted item (its request
                    // stays valid until `done`), nobody else runs or cancels it, and
                    // `work` was set by `submit` before the entry was published.
                    unsafe {
                        if let Some(work) = (*w).work {
                            work(w);
                        }
                        push_done(w);
                    }
                    if slow {
                        self.release_slow();
                    }
                }
                None => {
                    if !self.linger() && !self.park() {
                        return;
                    }
                }
            }
        }
    }
}

/// Starts a worker thread running `p.worker()`.
///
/// Plain `pthread_create`, not `std::thread`: a std thread owns heap blocks (its closure,
/// its thread-local destructors) that only its own stack points to, and in a forked child,
/// where the parent's workers do not exist, leak checkers report them as lost.
fn spawn_worker(p: &'static Pool, stack: usize) -> Result<libc::pthread_t, c_int> {
    extern "C" fn worker_main(arg: *mut c_void) -> *mut c_void {
        // SAFETY: `arg` is the `&'static Pool` given below.
        let p = unsafe { &*arg.cast::<Pool>() };
        // Named as libuv 1.50+ names its workers (tools and tests look for the name).
        // SAFETY: a NUL-terminated name within Linux's 16 bytes, for this very thread.
        unsafe { libc::pthread_setname_np(libc::pthread_self(), c"libuv-worker".as_ptr()) };
        p.worker();
        ptr::null_mut()
    }
    // SAFETY: attr is initialised before use and destroyed after; the thread gets a
    // pointer to a pool that is never freed.
    unsafe {
        let mut attr = core::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
        let err = libc::pthread_attr_init(attr.as_mut_ptr());
        if err != 0 {
            return Err(err);
        }
        // A size the system refuses leaves the default, as for any thread.
        libc::pthread_attr_setstacksize(attr.as_mut_ptr(), stack);
        let mut t: libc::pthread_t = 0;
        let arg = ptr::from_ref(p).cast_mut().cast::<c_void>();
        let err = libc::pthread_create(&mut t, attr.as_ptr(), worker_main, arg);
        libc::pthread_attr_destroy(attr.as_mut_ptr());
        if err != 0 { Err(err) } else { Ok(t) }
    }
}

/// `UV_THREADPOOL_SIZE` as libuv reads it (`atoi`, 0 means 1, at most 1024).
fn threads_from_env() -> usize {
    match std::env::var_os("UV_THREADPOOL_SIZE") {
        None => DEFAULT_THREADS,
        // libuv reads the value into an unsigned int: a negative one wraps to huge and is
        // clamped to the maximum; 0 means 1.
        Some(v) => match atoi(v.as_encoded_bytes()) {
            0 => 1,
            n if n < 0 => MAX_THREADS,
            n => (n as usize).min(MAX_THREADS),
        },
    }
}

/// C's `atoi`: leading blanks, a sign, digits; anything else ends the number.
fn atoi(s: &[u8]) -> i64 {
    let mut it = s
        .iter()
        .copied()
        .skip_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .peekable();
    let neg = match it.peek() {
        Some(b'-') => {
            it.next();
            true
        }
        Some(b'+') => {
            it.next();
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    for c in it.take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg { -n } else { n }
}

/// A worker's stack: `RLIMIT_STACK` rounded down to a page, as libuv gives its threads
/// (8 MiB when unlimited or unreadable; at least 64 KiB).
fn stack_size() -> usize {
    const FALLBACK: usize = 8 << 20;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } != 0
        || lim.rlim_cur == libc::RLIM_INFINITY
    {
        return FALLBACK;
    }
    // SAFETY: sysconf has no preconditions.
    let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        p if p > 0 => p as usize,
        _ => 4096,
    };
    let cur = lim.rlim_cur as usize;
    (cur - cur % page).max(64 << 10)
}

/// Queues `w` to run `work` on a pool thread, then `done` on `l`'s thread.
///
/// # Safety
/// `l` is an initialised loop and this is its thread; `w` stays valid and is not
/// submitted again until `done` has returned.
pub(crate) unsafe fn submit(
    l: *mut uv_loop_t,
    w: *mut uv__work,
    kind: WorkKind,
    work: unsafe extern "C" fn(*mut uv__work),
    done: unsafe extern "C" fn(*mut uv__work, c_int),
) {
    let p = pool();
    if !p.running.load(Ordering::Acquire) {
        p.start();
    }
    // SAFETY: `l` is initialised and this is its thread (caller), the one user of its
    // spare tickets.
    let c = unsafe { completions(l) };
    let t = ticket::take_spare(&c.spare);
    // SAFETY: caller guarantees `l` and `w` are valid; the fields are written before the
    // entry is published (the queue's push releases them to the worker that pops it).
    unsafe {
        (*l).active_reqs.count += 1;
        c.in_flight.store(c.in_flight() + 1, Ordering::Relaxed);
        (*w).r#loop = l;
        (*w).work = Some(work);
        (*w).done = Some(done);
        (*w).wq = [
            ptr::null_mut(),
            ptr::from_ref(t).cast_mut().cast::<c_void>(),
        ];
    }
    t.item.store(w, Ordering::Relaxed);
    p.post(Entry {
        ticket: t,
        slow: kind == WorkKind::SlowIo,
    });
}

/// Takes back `w` if it has not started: 0 (its `done` will get `UV_ECANCELED`, from
/// the loop's next poll phase), else `UV_EBUSY`.
///
/// # Safety
/// `w` was submitted on this thread's loop; it is valid memory.
pub(crate) unsafe fn cancel(w: *mut uv__work) -> c_int {
    // SAFETY: caller guarantees `w` is readable; only this thread writes `wq[1]`.
    let state = unsafe { (*w).wq[1] } as usize;
    if state == 0 || state == CANCELED || state == FINISHED {
        return UV_EBUSY;
    }
    if !ticket::is_ticket(state as *const Ticket) {
        // Never submitted (or not a pool request after all).
        return UV_EBUSY;
    }
    // SAFETY: `state` is a ticket (checked above), and tickets are never freed. If it has
    // moved on to another item, the exchange below fails.
    let t = unsafe { &*(state as *const Ticket) };
    if t.item
        .compare_exchange(w, ptr::null_mut(), Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return UV_EBUSY;
    }
    // SAFETY: we own `w` now: no worker will touch it; hand it back to its loop.
    unsafe {
        (*w).wq[1] = CANCELED as *mut c_void;
        push_done(w);
    }
    0
}

/// In the child of a `fork` (`uv_loop_fork`), for `items`, the work items of `l` that were
/// in flight when the process forked: those the parent's workers had queued, were running
/// or were still handing back are never finished here (the child has none of those
/// threads), so each is handed back now with `UV_ECANCELED`, from the loop's next poll
/// phase, and the loop can finish and close. Items already on the completion stack finish
/// as they are. Returns how many were handed back.
///
/// # Safety
/// `l` is an initialised loop, this is its thread, and the only thread of a forked child;
/// each item is a live work item of `l` whose `done` has not run (items without `done`,
/// not the pool's, are skipped).
pub(crate) unsafe fn abandon_after_fork(l: *mut uv_loop_t, items: &[*mut uv__work]) -> usize {
    // SAFETY: no other thread exists to touch the stack, the tickets or the items; the
    // stack's links are live items (caller).
    unsafe {
        let mut on_stack = std::collections::HashSet::new();
        let mut p = completions(l).done.peek();
        while !p.is_null() {
            on_stack.insert(p as usize);
            p = (*p).wq[0].cast();
        }
        let mut n = 0;
        for &w in items {
            if (*w).done.is_none() {
                continue; // not the pool's: a request on the loop's io_uring
            }
            let state = (*w).wq[1] as usize;
            if state == CANCELED || on_stack.contains(&(w as usize)) {
                continue; // on its way back already
            }
            if state > FINISHED && ticket::is_ticket(state as *const Ticket) {
                // Still queued: no worker of this process will claim the ticket.
                let t = &*(state as *const Ticket);
                let _ = t.item.compare_exchange(
                    w,
                    ptr::null_mut(),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
            }
            (*w).wq[1] = CANCELED as *mut c_void;
            push_done(w);
            n += 1;
        }
        n
    }
}

/// Runs the `done` callback of a finished or cancelled work item on its loop's thread.
///
/// # Safety
/// `w` is a work item handed back through its loop's [`Completions`].
unsafe fn finish(w: *mut uv__work) {
    // SAFETY: `w` is live until its done callback returns; this is its loop's thread.
    unsafe {
        let l = (*w).r#loop;
        (*l).active_reqs.count -= 1;
        let c = completions(l);
        c.in_flight.store(c.in_flight() - 1, Ordering::Relaxed);
        let state = (*w).wq[1] as usize;
        let status = if state == CANCELED {
            crate::abi::errno::UV_ECANCELED
        } else {
            // A worker claimed and ran it: the ticket came back with the item (`claim`)
            // and this loop keeps it for its next submission. `state` is the ticket
            // `submit` stored (only CANCELED, set by `cancel` and `abandon_after_fork`,
            // replaces it before `done`), and tickets are never freed.
            ticket::keep(&c.spare, &*(state as *const Ticket));
            0
        };
        (*w).wq[1] = FINISHED as *mut c_void;
        if let Some(done) = (*w).done {
            done(w, status);
        }
    }
}

/// The completion sink of one loop: finished (or cancelled) work waiting for the loop's
/// thread, and the wake-up that tells the loop. Thread-shared; the loop embeds it as the
/// first field of the state `uv_loop_t.shared` points to (`#[repr(C)]`, checked there).
pub(crate) struct Completions {
    /// Finished work (see [`stack`]). Pool threads inside a push keep the loop from
    /// closing: once a worker has published an item the loop may finish it, run out of
    /// work and be closed before the worker's wake-up write, so `uv_loop_close` waits
    /// ([`Completions::wait_quiet`]) for them before freeing the eventfd.
    done: stack::Stack,
    waker: Waker,
    /// This loop's items submitted and not yet finished. Only the loop's thread writes it
    /// (`submit`, `finish`).
    in_flight: AtomicUsize,
    /// Tickets of this loop's finished items, for its next submissions: the loop's thread
    /// alone touches them, so a busy loop's `submit` takes a ticket without an atomic
    /// read-modify-write on the shared free stack, which the workers would otherwise
    /// fight over with it (`pool_work_1loop`: the compare-exchange and the miss on the
    /// ticket a worker had just returned were two thirds of `submit`).
    spare: ticket::Spare,
}

impl Drop for Completions {
    fn drop(&mut self) {
        ticket::release(&self.spare);
    }
}

impl Completions {
    pub(crate) fn new(waker: Waker) -> Completions {
        Completions {
            done: stack::Stack::new(),
            waker,
            in_flight: AtomicUsize::new(0),
            spare: ticket::Spare::new(),
        }
    }

    /// The loop's wake-up (also used for `uv_async_send`).
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Is finished work waiting?
    pub(crate) fn has_work(&self) -> bool {
        self.done.has_work()
    }

    /// In the child of a `fork` (`uv_loop_fork`): the parent's pool threads do not exist
    /// here, so one that was inside `push` when the process forked never leaves it, and
    /// its count would make `uv_loop_close` wait for ever.
    pub(crate) fn reset_after_fork(&self) {
        self.done.reset_after_fork();
    }

    /// Waits until no pool thread is inside `push_done` for this loop.
    pub(crate) fn wait_quiet(&self) {
        self.done.wait_quiet();
    }

    /// Pushes `w`; wakes the loop if the stack was empty and the loop asked for it.
    /// Thread-safe.
    ///
    /// # Safety
    /// `w` is a live work item; the caller gives up `w.wq[0]`.
    unsafe fn push(&self, w: *mut uv__work) {
        // SAFETY: caller's guarantee, passed on.
        unsafe { self.done.push(w, || self.waker.wake()) }
    }

    /// The loop runs an iteration: it looks at the stack itself before it next waits, so
    /// workers need not write the eventfd (see [`stack`]). Loop thread.
    pub(crate) fn awake(&self) {
        self.done.awake();
    }

    /// The loop is about to block or to leave `uv_run`: from now on a worker that makes
    /// the stack non-empty wakes it. True when finished work is already waiting (the loop
    /// must not block, or, leaving `uv_run`, must make its backend readable). Loop thread.
    pub(crate) fn want_wake(&self) -> bool {
        self.done.want_wake()
    }

    /// Whether the loop asked for wake-ups (see [`stack`]; for the loop's sent async
    /// handles, which share the eventfd).
    pub(crate) fn wake_wanted(&self) -> bool {
        self.done.wake_wanted()
    }

    /// How many of this loop's items are submitted and not finished.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// The completion sink of loop `l`.
///
/// # Safety
/// `l` is an initialised loop: its `shared` points to state that begins with its
/// `Completions` and lives until `uv_loop_close`, which waits for `push` to finish.
unsafe fn completions<'a>(l: *const uv_loop_t) -> &'a Completions {
    // SAFETY: caller guarantees the layout and lifetime (type docs).
    unsafe { &*((*l).shared as *const Completions) }
}

/// Hands finished (or cancelled) `w` back to its loop. Thread-safe.
///
/// # Safety
/// `w` is a live work item whose `loop` is initialised; the caller gives up `w.wq[0]`.
unsafe fn push_done(w: *mut uv__work) {
    // SAFETY: the loop stays alive while the request is active.
    unsafe { completions((*w).r#loop).push(w) }
}

/// Runs the `done` callbacks of `l`'s finished work, in completion order, and returns how
/// many ran; the loop calls it when woken.
///
/// # Safety
/// `l` is an initialised loop; its thread.
pub(crate) unsafe fn run_completions(l: *mut uv_loop_t) -> u64 {
    // SAFETY: loop thread, the one taker; items are live requests until their `done`
    // returns, and each link is read before `done` runs.
    unsafe {
        let mut rev = completions(l).done.take_all();
        let mut n = 0;
        while !rev.is_null() {
            let next: *mut uv__work = (*rev).wq[0].cast();
            finish(rev);
            n += 1;
            rev = next;
        }
        n
    }
}

/// Stops the pool's threads (`uv_library_shutdown`): they finish the queued work, then
/// exit, and are joined. Idempotent; a later `submit` starts the pool again.
pub(crate) fn shutdown() {
    let Some(p) = existing_pool() else { return };
    let threads = {
        let mut st = p.lock();
        if st.threads.is_empty() {
            return;
        }
        st.stop = true;
        p.wake.notify_all();
        std::mem::take(&mut st.threads)
    };
    // SAFETY: pthread_self has no preconditions.
    let me = unsafe { libc::pthread_self() };
    for t in threads {
        // A work callback calling uv_library_shutdown must not join itself.
        // SAFETY: `t` is a worker we started and nobody else joins (they were taken out
        // of the state under the lock); a worker is detached instead of joining itself.
        unsafe {
            if libc::pthread_equal(t, me) != 0 {
                libc::pthread_detach(t);
            } else {
                libc::pthread_join(t, ptr::null_mut());
            }
        }
    }
    let mut st = p.lock();
    st.stop = false;
    p.running.store(false, Ordering::Release);
}

/// The number of worker threads running now (0 before the first `submit`).
#[cfg(test)]
pub(crate) fn threads() -> usize {
    existing_pool().map_or(0, |p| p.lock().threads.len())
}
