//! The process-wide thread pool (contract; the implementation is being written).
//!
//! `submit` queues a `uv__work` embedded in a request; a pool thread runs `work(w)`, then
//! hands `w` back to its loop with `uvloop::push_done`; the loop thread calls `finish(w)`,
//! which calls `done(w, status)` (0, or `UV_ECANCELED` after a successful `cancel`).
//! The pool keeps `loop->active_reqs.count` (one per submitted item until `done` runs).

use crate::ffi::types::{uv__work, uv_loop_t};
use core::ffi::c_int;

/// What a work item does, for scheduling: slow I/O (DNS) may hold at most half the
/// threads, so it never starves the rest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[allow(dead_code)]
pub(crate) enum WorkKind {
    Cpu,
    FastIo,
    SlowIo,
}

/// Queues `w` to run `work` on a pool thread, then `done` on `l`'s thread.
///
/// # Safety
/// `l` is an initialised loop; `w` stays valid until `done` has returned.
#[allow(dead_code)]
pub(crate) unsafe fn submit(
    l: *mut uv_loop_t,
    w: *mut uv__work,
    kind: WorkKind,
    work: unsafe extern "C" fn(*mut uv__work),
    done: unsafe extern "C" fn(*mut uv__work, c_int),
) {
    let _ = (l, w, kind, work, done);
    unimplemented!("pool::submit")
}

/// Takes back `w` if it has not started: 0 (its `done` will get `UV_ECANCELED`), else
/// `UV_EBUSY`.
///
/// # Safety
/// `w` was submitted and its `done` has not run.
#[allow(dead_code)]
pub(crate) unsafe fn cancel(w: *mut uv__work) -> c_int {
    let _ = w;
    crate::error::UV_EBUSY
}

/// Runs the `done` callback of a finished or cancelled work item on its loop's thread.
///
/// # Safety
/// `w` is a work item handed back through `uvloop::push_done`.
pub(crate) unsafe fn finish(w: *mut uv__work) {
    // SAFETY: `w` is live until its done callback returns.
    unsafe {
        if let Some(done) = (*w).done {
            done(w, 0);
        }
    }
}

/// Stops the pool's threads (`uv_library_shutdown`).
pub(crate) fn shutdown() {}
