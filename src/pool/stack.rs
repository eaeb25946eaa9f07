//! The completion stack's protocol: pool workers push finished work (a Treiber stack
//! linked through `uv__work.wq[0]`), the loop takes the whole stack with one swap; the
//! pusher that finds the stack empty is the one that must wake the loop, and only when
//! the loop asked for wake-ups; a count of pushers lets `uv_loop_close` wait until no
//! worker still touches the loop's state.
//!
//! The loop asks for wake-ups ([`Stack::want_wake`]) before it blocks or leaves `uv_run`,
//! and withdraws the request ([`Stack::awake`]) while it runs an iteration, in which it
//! looks at the stack itself before it next waits. A busy loop so costs the workers no
//! `write(2)` and itself no wake-up to drain. The handshake is Dekker's: the loop sets its
//! flag and then looks at the stack; a pusher links its item and then reads the flag; a
//! `SeqCst` fence between the two steps on each side makes at least one see the other.
//! Atomics come from `super::sync`, so that `crate::loom_models` can run this same file
//! under loom.

use super::sync::{AtomicBool, AtomicPtr, AtomicUsize, Ordering, fence, spin_loop, yield_now};
use crate::abi::uv__work;
use core::ptr;

pub(crate) struct Stack {
    /// Finished work, newest first, linked through `uv__work.wq[0]`.
    head: AtomicPtr<uv__work>,
    /// Pool threads inside a push (with its wake-up).
    pushers: AtomicUsize,
    /// The loop wants a wake-up for the next item pushed onto the empty stack.
    wake_wanted: AtomicBool,
}

impl Stack {
    pub(crate) fn new() -> Stack {
        Stack {
            head: AtomicPtr::new(ptr::null_mut()),
            pushers: AtomicUsize::new(0),
            wake_wanted: AtomicBool::new(true),
        }
    }

    /// Is finished work waiting?
    pub(crate) fn has_work(&self) -> bool {
        !self.head.load(Ordering::Acquire).is_null()
    }

    /// The loop runs an iteration and will look at the stack before it waits: pushes need
    /// not wake it. Loop thread. Called after every poll, so it writes only when the flag
    /// is set: a store would take the line the pushers use from them each time.
    pub(crate) fn awake(&self) {
        if self.wake_wanted.load(Ordering::Relaxed) {
            self.wake_wanted.store(false, Ordering::Relaxed);
        }
    }

    /// The loop is about to block (or to leave `uv_run`): the next push onto the empty
    /// stack wakes it. True when work is already waiting, which no wake-up will announce.
    /// Loop thread.
    pub(crate) fn want_wake(&self) -> bool {
        self.wake_wanted.store(true, Ordering::Relaxed);
        // Pairs with the fence in `push`: either this look sees the item, or that push
        // sees the flag.
        fence(Ordering::SeqCst);
        self.has_work()
    }

    /// Whether the loop asked for wake-ups: for another stack that shares this one's
    /// wake-up (the loop's sent async handles), read after that stack's push and a
    /// `SeqCst` fence, as `push` does.
    pub(crate) fn wake_wanted(&self) -> bool {
        self.wake_wanted.load(Ordering::Relaxed)
    }

    /// Pushes `w`, then calls `wake` if the stack was empty and the loop wants a wake-up
    /// (it may be asleep and nothing else will wake it). The push counts as in progress
    /// until `wake` returns.
    ///
    /// # Safety
    /// `w` is a live work item; the caller gives up `w.wq[0]` until the loop takes it.
    pub(crate) unsafe fn push(&self, w: *mut uv__work, wake: impl FnOnce()) {
        self.pushers.fetch_add(1, Ordering::SeqCst);
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            // SAFETY: caller guarantees `w` is live and its link ours.
            unsafe { (*w).wq[0] = head.cast() };
            match self
                .head
                .compare_exchange_weak(head, w, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(cur) => head = cur,
            }
        }
        if head.is_null() {
            // Pairs with the fence in `want_wake`.
            fence(Ordering::SeqCst);
            if self.wake_wanted.load(Ordering::Relaxed) {
                wake();
            }
        }
        self.pushers.fetch_sub(1, Ordering::Release);
    }

    /// Detaches every pushed item, in push order (oldest first, linked through `wq[0]`,
    /// NULL-terminated); NULL when there is none.
    ///
    /// # Safety
    /// One taker at a time (the loop thread); every pushed item is live.
    pub(crate) unsafe fn take_all(&self) -> *mut uv__work {
        let mut p = self.head.swap(ptr::null_mut(), Ordering::Acquire);
        let mut rev: *mut uv__work = ptr::null_mut();
        // SAFETY: the swap gave this thread the detached list exclusively; its items are
        // live (caller) and their links were written before they were published.
        unsafe {
            while !p.is_null() {
                let next: *mut uv__work = (*p).wq[0].cast();
                (*p).wq[0] = rev.cast();
                rev = p;
                p = next;
            }
        }
        rev
    }

    /// The newest pushed item (linked to the older ones through `wq[0]`), left in place:
    /// for a look at the stack where no other thread can push or take (a forked child).
    pub(crate) fn peek(&self) -> *mut uv__work {
        self.head.load(Ordering::Acquire)
    }

    /// In the child of a `fork`: a parent thread that was inside `push` does not exist.
    pub(crate) fn reset_after_fork(&self) {
        self.pushers.store(0, Ordering::Release);
    }

    /// Waits until no thread is inside `push`.
    pub(crate) fn wait_quiet(&self) {
        let mut spins = 0u32;
        while self.pushers.load(Ordering::Acquire) != 0 {
            spins += 1;
            if spins.is_multiple_of(100) {
                yield_now();
            } else {
                spin_loop();
            }
        }
    }
}
