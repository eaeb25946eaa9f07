//! Timers: a binary min-heap of timer handles ordered by (due time, start order).
//!
//! Each timer keeps its heap index in its private `heap_node[0]` slot, so stopping is
//! O(log n) with no search. `uv_timer_t.timeout` is the absolute due time on the loop clock,
//! as in libuv. Timer callbacks run in the timers phase; a repeating timer is re-armed from
//! the loop time before its callback runs. Equal due times run in start order.

use crate::abi::*;
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::{c_int, c_void};

/// The heap: timer pointers, min at index 0.
#[derive(Default)]
pub(crate) struct Heap {
    v: Vec<*mut uv_timer_t>,
}

/// Index slot value for "not in the heap".
const NOT_IN_HEAP: usize = usize::MAX;

#[inline(always)]
unsafe fn key(t: *mut uv_timer_t) -> (u64, u64) {
    // SAFETY: caller passes a live timer.
    unsafe { ((*t).timeout, (*t).start_id) }
}

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
    #[inline]
    pub(crate) fn min(&self) -> Option<*mut uv_timer_t> {
        self.v.first().copied()
    }

    /// # Safety
    /// `t` is a live timer not in any heap.
    unsafe fn push(&mut self, t: *mut uv_timer_t) {
        self.v.push(t);
        // SAFETY: `t` is live (caller), and so is every timer already in the heap.
        unsafe { self.sift_up(self.v.len() - 1) };
    }

    /// # Safety
    /// `t` is a live timer in this heap.
    unsafe fn remove(&mut self, t: *mut uv_timer_t) {
        // SAFETY: every element is a live timer whose slot holds its index.
        unsafe {
            let i = index(t);
            debug_assert!(self.v[i] == t);
            let last = self.v.pop().expect("timer heap is not empty");
            set_index(t, NOT_IN_HEAP);
            if i < self.v.len() {
                self.v[i] = last;
                set_index(last, i);
                self.sift_down(i);
                self.sift_up(index(last));
            }
        }
    }

    unsafe fn sift_up(&mut self, mut i: usize) {
        // SAFETY: every element is a live timer.
        unsafe {
            let t = self.v[i];
            let k = key(t);
            while i > 0 {
                let p = (i - 1) / 2;
                if key(self.v[p]) <= k {
                    break;
                }
                self.v[i] = self.v[p];
                set_index(self.v[i], i);
                i = p;
            }
            self.v[i] = t;
            set_index(t, i);
        }
    }

    unsafe fn sift_down(&mut self, mut i: usize) {
        // SAFETY: every element is a live timer.
        unsafe {
            let n = self.v.len();
            let t = self.v[i];
            let k = key(t);
            loop {
                let l = 2 * i + 1;
                if l >= n {
                    break;
                }
                let r = l + 1;
                let c = if r < n && key(self.v[r]) < key(self.v[l]) {
                    r
                } else {
                    l
                };
                if k <= key(self.v[c]) {
                    break;
                }
                self.v[i] = self.v[c];
                set_index(self.v[i], i);
                i = c;
            }
            self.v[i] = t;
            set_index(t, i);
        }
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
        (*uvloop::inner((*t).r#loop)).timers.remove(t);
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
        match (*uvloop::inner(l)).timers.min() {
            None => -1,
            Some(t) => {
                let due = (*t).timeout;
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

/// The timers phase: runs every timer due at the cached loop time.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn run(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the heap is borrowed only to read its min, never across the
    // callback, which may start, stop or close any timer.
    unsafe {
        loop {
            let Some(t) = (*uvloop::inner(l)).timers.min() else {
                return;
            };
            if (*t).timeout > (*l).time {
                return;
            }
            stop(t);
            again(t);
            if let Some(cb) = (*t).timer_cb {
                cb(t);
            }
        }
    }
}
