//! Timers: a 4-ary min-heap ordered by (due time, start order).
//!
//! The heap array holds each timer's key beside its pointer, so ordering the heap reads
//! only the array: a comparison touches no timer struct, and the four children of a node
//! share one or two cache lines. A timer keeps its heap index in its private
//! `heap_node[0]` slot, so stopping is O(log n) with no search. `uv_timer_t.timeout` is the
//! absolute due time on the loop clock, as in libuv (programs read it).
//!
//! The timers phase works as in libuv 1.53: it first takes every timer due at the cached
//! loop time out of the heap, then runs them in (due time, start order). A repeating timer
//! is re-armed from the loop time before its callback runs; a timer stopped (or restarted)
//! by an earlier callback of the same round does not run. Timer callbacks run on the loop
//! thread only.

use crate::abi::alloc::UvVec;
use crate::abi::*;
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::{c_int, c_void};

/// The arity of the heap: four children make a node's children one contiguous run of
/// 96 bytes, and the tree half as deep as a binary heap.
const ARITY: usize = 4;

/// One heap slot: the ordering key, inline, and the timer it belongs to.
#[derive(Clone, Copy)]
struct Entry {
    due: u64,
    seq: u64,
    timer: *mut uv_timer_t,
}

impl Entry {
    #[inline(always)]
    fn before(&self, other: &Entry) -> bool {
        (self.due, self.seq) < (other.due, other.seq)
    }
}

/// The loop's timers: the heap, and the round of due timers the timers phase is running.
#[derive(Default)]
pub(crate) struct Heap {
    v: UvVec<Entry>,
    /// The due timers of the running round; reused from round to round.
    ready: UvVec<*mut uv_timer_t>,
}

/// Index slot value for "not in the heap".
const NOT_IN_HEAP: usize = usize::MAX;
/// Index slot value for "taken out of the heap to run in this round".
const READY: usize = usize::MAX - 1;

#[inline(always)]
unsafe fn set_index(t: *mut uv_timer_t, i: usize) {
    // SAFETY: caller passes a live timer; heap_node[0] is our private slot.
    unsafe { (*t).heap_node[0] = i as *mut c_void };
}

#[inline(always)]
unsafe fn index(t: *mut uv_timer_t) -> usize {
    // SAFETY: caller passes a live timer.
    unsafe { (*t).heap_node[0] as usize }
}

impl Heap {
    /// The earliest due time, if any timer is in the heap.
    #[inline]
    pub(crate) fn next_due(&self) -> Option<u64> {
        self.v.first().map(|e| e.due)
    }

    /// # Safety
    /// `t` is a live timer not in any heap; its `timeout` and `start_id` are set.
    unsafe fn push(&mut self, t: *mut uv_timer_t) {
        // SAFETY: `t` is live (caller).
        let e = unsafe {
            Entry {
                due: (*t).timeout,
                seq: (*t).start_id,
                timer: t,
            }
        };
        self.v.push(e);
        // SAFETY: every timer in the heap is live.
        unsafe { self.sift_up(self.v.len() - 1, e) };
    }

    /// Takes the entry at `i` out of the heap.
    ///
    /// # Safety
    /// `i` is in bounds; every timer in the heap is live.
    unsafe fn remove_at(&mut self, i: usize) -> *mut uv_timer_t {
        let t = self.v[i].timer;
        let last = self.v.pop().expect("timer heap is not empty");
        if i < self.v.len() {
            // SAFETY: the timers in the heap are live (caller).
            unsafe {
                if i > 0 && last.before(&self.v[(i - 1) / ARITY]) {
                    self.sift_up(i, last);
                } else {
                    self.sift_down(i, last);
                }
            }
        }
        t
    }

    /// Moves `e` up from the hole at `i` to its place.
    ///
    /// # Safety
    /// Every timer in the heap, and `e.timer`, is live.
    unsafe fn sift_up(&mut self, mut i: usize, e: Entry) {
        while i > 0 {
            let p = (i - 1) / ARITY;
            if !e.before(&self.v[p]) {
                break;
            }
            self.v[i] = self.v[p];
            // SAFETY: the moved timer is live (caller).
            unsafe { set_index(self.v[i].timer, i) };
            i = p;
        }
        self.v[i] = e;
        // SAFETY: `e.timer` is live (caller).
        unsafe { set_index(e.timer, i) };
    }

    /// Moves `e` down from the hole at `i` to its place.
    ///
    /// # Safety
    /// Every timer in the heap, and `e.timer`, is live.
    unsafe fn sift_down(&mut self, mut i: usize, e: Entry) {
        let n = self.v.len();
        loop {
            let first = i * ARITY + 1;
            if first >= n {
                break;
            }
            let mut c = first;
            for j in first + 1..(first + ARITY).min(n) {
                if self.v[j].before(&self.v[c]) {
                    c = j;
                }
            }
            if !self.v[c].before(&e) {
                break;
            }
            self.v[i] = self.v[c];
            // SAFETY: the moved timer is live (caller).
            unsafe { set_index(self.v[i].timer, i) };
            i = c;
        }
        self.v[i] = e;
        // SAFETY: `e.timer` is live (caller).
        unsafe { set_index(e.timer, i) };
    }
}

/// `uv_timer_init`.
///
/// # Safety
/// `l` is an initialised loop; `t` is writable timer memory.
pub(crate) unsafe fn init(l: *mut uv_loop_t, t: *mut uv_timer_t) {
    // SAFETY: caller guarantees both.
    unsafe {
        handle::init(l, handle::base(t), crate::abi::UV_TIMER);
        (*t).timer_cb = None;
        (*t).heap_node = [core::ptr::null_mut(); 3];
        set_index(t, NOT_IN_HEAP);
        (*t).timeout = 0;
        (*t).repeat = 0;
        (*t).start_id = 0;
    }
}

/// `uv_timer_start`; the caller has checked the handle and the callback.
///
/// # Safety
/// `t` is an initialised, not closing timer.
pub(crate) unsafe fn start(t: *mut uv_timer_t, cb: uv_timer_cb, timeout: u64, repeat: u64) {
    // SAFETY: caller guarantees `t` is live; loop thread.
    unsafe {
        if handle::is_active(handle::base(t)) {
            stop(t);
        }
        let l = (*t).r#loop;
        (*t).timer_cb = cb;
        (*t).timeout = (*l).time.saturating_add(timeout);
        (*t).repeat = repeat;
        let i = &mut *uvloop::inner(l);
        (*t).start_id = i.timer_counter;
        i.timer_counter += 1;
        i.timers.push(t);
        handle::start(handle::base(t));
    }
}

/// `uv_timer_stop`.
///
/// # Safety
/// `t` is an initialised timer.
pub(crate) unsafe fn stop(t: *mut uv_timer_t) {
    // SAFETY: caller guarantees `t` is live; an active timer is in its loop's heap.
    unsafe {
        if !handle::is_active(handle::base(t)) {
            return;
        }
        let i = index(t);
        if i != READY {
            (*uvloop::inner((*t).r#loop)).timers.remove_at(i);
        }
        set_index(t, NOT_IN_HEAP);
        handle::stop(handle::base(t));
    }
}

/// `uv_timer_again`: restarts a repeating timer from now; `UV_EINVAL` if never started.
///
/// # Safety
/// `t` is an initialised timer.
pub(crate) unsafe fn again(t: *mut uv_timer_t) -> c_int {
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        if (*t).timer_cb.is_none() {
            return crate::abi::errno::UV_EINVAL;
        }
        if (*t).repeat != 0 {
            stop(t);
            start(t, (*t).timer_cb, (*t).repeat, (*t).repeat);
        }
    }
    0
}

/// Time in ms until the earliest timer is due: 0 if one is due, -1 if none.
///
/// # Safety
/// `l` is an initialised loop.
pub(crate) unsafe fn next_timeout(l: *mut uv_loop_t) -> c_int {
    // SAFETY: loop thread; the heap holds live timers.
    unsafe {
        match (*uvloop::inner(l)).timers.next_due() {
            None => -1,
            Some(due) => {
                let now = (*l).time;
                if due <= now {
                    0
                } else {
                    (due - now).min(c_int::MAX as u64) as c_int
                }
            }
        }
    }
}

/// The timers phase: takes every timer due at the cached loop time out of the heap, then
/// runs them in order. A timer of the round that an earlier callback stopped, restarted or
/// closed has left the `READY` state and is skipped.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn run(l: *mut uv_loop_t) {
    // SAFETY: loop thread. The heap is borrowed only between callbacks, which may start,
    // stop or close any timer; a timer's memory stays valid at least until its close
    // callback, which runs in a later closing phase, so the round's pointers stay valid.
    unsafe {
        let now = (*l).time;
        // Nothing due (most iterations of a busy loop): no round to set up.
        if (*uvloop::inner(l))
            .timers
            .next_due()
            .is_none_or(|due| due > now)
        {
            return;
        }
        let mut ready = {
            let heap = &mut (*uvloop::inner(l)).timers;
            let mut ready = core::mem::take(&mut heap.ready);
            while heap.next_due().is_some_and(|due| due <= now) {
                let t = heap.remove_at(0);
                set_index(t, READY);
                ready.push(t);
            }
            ready
        };
        for &t in &ready {
            if index(t) != READY {
                continue;
            }
            stop(t);
            again(t);
            if let Some(cb) = (*t).timer_cb {
                cb(t);
            }
        }
        ready.clear();
        (*uvloop::inner(l)).timers.ready = ready;
    }
}
