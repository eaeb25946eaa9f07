//! C entry points of signal handles (`uv_signal_*`). Each checks its pointers and the
//! handle's type tag, then calls [`crate::signal`]. Signal callbacks run in the poll phase;
//! these functions must be called on the loop's thread.

use super::check::{self, tri};
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::signal;
use core::ffi::c_int;

/// `uv_signal_init`: a stopped signal handle on `loop`.
///
/// # Safety
/// `loop_` is an initialised loop; `handle` is writable memory of `sizeof(uv_signal_t)`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_init(loop_: *mut uv_loop_t, handle: *mut uv_signal_t) -> c_int {
    if loop_.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { signal::init(loop_, handle) }
}

/// `uv_signal_start`: `signal_cb` runs for every `signum` delivered to the process.
///
/// # Safety
/// `handle` is an initialised signal handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        if signal_cb.is_none() || check::live(handle).is_err() {
            return UV_EINVAL;
        }
        signal::start(handle, signal_cb, signum, false)
    }
}

/// `uv_signal_start_oneshot`: like `uv_signal_start`, stopped after the first delivery.
///
/// # Safety
/// `handle` is an initialised signal handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start_oneshot(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    // SAFETY: type-checked live handle.
    unsafe {
        if signal_cb.is_none() || check::live(handle).is_err() {
            return UV_EINVAL;
        }
        signal::start(handle, signal_cb, signum, true)
    }
}

/// `uv_signal_stop`: a no-op on a stopped (or closing, hence stopped) handle.
///
/// # Safety
/// `handle` is an initialised signal handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_stop(handle: *mut uv_signal_t) -> c_int {
    // SAFETY: type-checked live handle (a closing one is already stopped).
    unsafe {
        let handle = tri!(check::typed(handle));
        signal::stop(handle);
    }
    0
}
