//! Streams (TCP, pipes, TTYs): not implemented yet (the exports are ENOSYS stubs in src/ffi/stubs/).

#![allow(dead_code)]

use crate::ffi::types::*;

/// Stops the handle for `uv_close`.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: forwarded caller guarantee.
    unsafe { crate::handle::stop(h) }
}

/// Last words before the close callback.
///
/// # Safety
/// `h` is a closed handle of this type; loop thread.
pub(crate) unsafe fn finish_close(_h: *mut uv_handle_t) {}
