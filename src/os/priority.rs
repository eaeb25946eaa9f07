//! Scheduling priority: `uv_os_getpriority`, `uv_os_setpriority`.

use core::ffi::c_int;

use crate::abi::errno::{UV_EINVAL, last_error};
use crate::abi::*;

/// `uv_os_getpriority`: the nice value of process `pid` (0: this process).
///
/// # Safety
/// `priority` is writable.
pub(crate) unsafe fn getpriority(pid: uv_pid_t, priority: *mut c_int) -> c_int {
    // SAFETY: errno is this thread's; -1 is a valid priority, so errno tells failure.
    let r = unsafe {
        *libc::__errno_location() = 0;
        libc::getpriority(libc::PRIO_PROCESS, pid as libc::id_t)
    };
    // SAFETY: this thread's errno.
    if r == -1 && unsafe { *libc::__errno_location() } != 0 {
        return last_error();
    }
    // SAFETY: writable (caller).
    unsafe { *priority = r };
    0
}

/// `uv_os_setpriority`: sets the nice value of process `pid` (0: this process);
/// `UV_EINVAL` outside `UV_PRIORITY_HIGHEST..=UV_PRIORITY_LOW`.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn setpriority(pid: uv_pid_t, priority: c_int) -> c_int {
    if !(UV_PRIORITY_HIGHEST..=UV_PRIORITY_LOW).contains(&priority) {
        return UV_EINVAL;
    }
    // SAFETY: plain system call.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, pid as libc::id_t, priority) } != 0 {
        return last_error();
    }
    0
}
