//! File system events: not implemented yet (the exports are ENOSYS stubs in src/ffi/stubs/).

#![allow(dead_code)]

use crate::ffi::types::*;

/// Per-loop state of this module, kept in the loop's `LoopInner`.
#[derive(Default)]
pub(crate) struct LoopState {}

/// Releases the per-loop state when the loop closes.
///
/// # Safety
/// `l` is an initialised loop being closed; loop thread.
pub(crate) unsafe fn loop_close(_l: *mut uv_loop_t) {}

/// Stops the handle for `uv_close`.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: forwarded caller guarantee.
    unsafe { crate::handle::stop(h) }
}
