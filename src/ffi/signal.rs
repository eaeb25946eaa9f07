//! C entry points of signal handles (`uv_signal_*`). Each checks its pointers and the
//! handle's type tag, then calls [`crate::signal`]. Signal callbacks run in the poll phase;
//! these functions must be called on the loop's thread.

use crate::abi::UV_SIGNAL;
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::signal;
use crate::uvloop::handle;
use core::ffi::c_int;

/// Is `h` a live signal handle, not closing?
///
/// # Safety
/// `h` is NULL or points to readable handle memory.
#[inline]
unsafe fn check(h: *mut uv_signal_t) -> bool {
    // SAFETY: non-NULL `h` is readable handle memory (caller).
    !h.is_null() && unsafe { (*h).r#type == UV_SIGNAL && !handle::is_closing(handle::base(h)) }
}

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
        if signal_cb.is_none() || !check(handle) {
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
        if signal_cb.is_none() || !check(handle) {
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
        if handle.is_null() || (*handle).r#type != UV_SIGNAL {
            return UV_EINVAL;
        }
        signal::stop(handle);
    }
    0
}
