//! Idle, prepare and check: one watcher, three names, three phases.
//!
//! The three handle types share a layout (`cb` at 96, `queue` at 104) and differ only in
//! which loop list they join and which phase runs them: idle and prepare before the poll,
//! check after it. An active idle handle also makes the poll non-blocking. Starting puts
//! the handle at the head of its list, as libuv does.

use crate::abi::*;
use crate::uvloop;
use crate::uvloop::handle;
use crate::uvloop::queue::{self, Node};
use core::ffi::c_int;

/// The common layout of `uv_idle_t`, `uv_prepare_t` and `uv_check_t`.
type Watcher = uv_idle_t;

const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(uv_idle_t, idle_cb) == offset_of!(uv_prepare_t, prepare_cb));
    assert!(offset_of!(uv_idle_t, idle_cb) == offset_of!(uv_check_t, check_cb));
    assert!(offset_of!(uv_idle_t, queue) == offset_of!(uv_prepare_t, queue));
    assert!(offset_of!(uv_idle_t, queue) == offset_of!(uv_check_t, queue));
};

/// The loop list for watchers of type `ty`.
unsafe fn head(l: *mut uv_loop_t, ty: c_int) -> *mut Node {
    // SAFETY: projection of a field address of the live loop state.
    unsafe {
        let i = uvloop::inner(l);
        match ty {
            crate::abi::UV_IDLE => &raw mut (*i).idle_head,
            crate::abi::UV_PREPARE => &raw mut (*i).prepare_head,
            _ => &raw mut (*i).check_head,
        }
    }
}

fn from_node(q: *mut Node) -> *mut Watcher {
    q.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(Watcher, queue))
        .cast()
}

/// `uv_{idle,prepare,check}_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable memory of 120 bytes.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_handle_t, ty: c_int) {
    // SAFETY: caller guarantees both; the watcher layout is common to the three types.
    unsafe {
        handle::init(l, h, ty);
        let w: *mut Watcher = h.cast();
        (*w).idle_cb = None;
        queue::init((&raw mut (*w).queue).cast());
    }
}

/// `uv_{idle,prepare,check}_start`; the caller has checked type and callback.
///
/// # Safety
/// `h` is an initialised watcher of type `ty`, not closing.
pub(crate) unsafe fn start(h: *mut uv_handle_t, cb: uv_idle_cb) {
    // SAFETY: caller guarantees `h` is a live watcher; loop thread.
    unsafe {
        if handle::is_active(h) {
            return;
        }
        let w: *mut Watcher = h.cast();
        (*w).idle_cb = cb;
        queue::insert_head(head((*h).r#loop, (*h).r#type), (&raw mut (*w).queue).cast());
        handle::start(h);
    }
}

/// `uv_{idle,prepare,check}_stop`.
///
/// # Safety
/// `h` is an initialised watcher.
pub(crate) unsafe fn stop(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` is a live watcher; an active one is on its list.
    unsafe {
        if !handle::is_active(h) {
            return;
        }
        let w: *mut Watcher = h.cast();
        queue::remove((&raw mut (*w).queue).cast());
        handle::stop(h);
    }
}

/// Runs every watcher of type `ty` once. The list is moved aside first and each handle is
/// put back before its callback runs, so callbacks may start, stop or close any watcher.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn run(l: *mut uv_loop_t, ty: c_int) {
    // SAFETY: loop thread; `local` lives on this stack frame for the whole walk and every
    // node on it is a live, active watcher (stopping one removes it from whichever list).
    unsafe {
        let h = head(l, ty);
        if queue::is_empty(h) {
            return;
        }
        let mut local: Node = [core::ptr::null_mut(); 2];
        let local_p: *mut Node = &mut local;
        queue::move_all(h, local_p);
        while !queue::is_empty(local_p) {
            let q = queue::next(local_p);
            queue::remove(q);
            queue::insert_tail(h, q);
            let w = from_node(q);
            if let Some(cb) = (*w).idle_cb {
                cb(w);
            }
        }
    }
}
