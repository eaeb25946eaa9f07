//! C entry points of processes: `uv_spawn`, `uv_process_kill`, `uv_kill`,
//! `uv_process_get_pid`. Each checks its pointers (and the handle's type tag), then calls
//! [`crate::process`]. Exit callbacks run in the poll phase (they are driven by `SIGCHLD`);
//! `uv_spawn` and `uv_process_kill` must be called on the loop's thread, `uv_kill` and
//! `uv_process_get_pid` from anywhere.

use super::check::{self, tri};
use crate::abi::UV_PROCESS;
use crate::abi::errno::{UV_EINVAL, UV_ESRCH};
use crate::abi::*;
use crate::process;
use crate::uvloop::handle;
use core::ffi::c_int;

/// `uv_spawn`: starts `options.file` as a child process. The handle is initialised even
/// when spawning fails, and must then be closed with `uv_close` like any other.
///
/// # Safety
/// `loop_` is an initialised loop; `handle` is writable memory of `sizeof(uv_process_t)`;
/// `options` points to options whose strings, arrays and stdio containers are valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_spawn(
    loop_: *mut uv_loop_t,
    handle: *mut uv_process_t,
    options: *const uv_process_options_t,
) -> c_int {
    if loop_.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    if options.is_null() {
        // Still leave a handle that can be closed.
        // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
        unsafe {
            handle::init(loop_, handle::base(handle), UV_PROCESS);
            crate::uvloop::queue::init((&raw mut (*handle).queue).cast());
            (*handle).pid = 0;
            (*handle).status = 0;
            (*handle).exit_cb = None;
        }
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; the rest is the caller's contract.
    unsafe { process::spawn(loop_, handle, options) }
}

/// `uv_process_kill`: sends `signum` to the child.
///
/// # Safety
/// `handle` is NULL or an initialised process handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_kill(handle: *mut uv_process_t, signum: c_int) -> c_int {
    // SAFETY: non-NULL handle memory is readable (caller).
    unsafe {
        let handle = tri!(check::live(handle));
        // Never spawned: pid 0 would signal the whole process group.
        if (*handle).pid <= 0 {
            return UV_ESRCH;
        }
        process::kill((*handle).pid, signum)
    }
}

/// `uv_kill`: `kill(2)`, with its error as a libuv code.
#[unsafe(no_mangle)]
pub extern "C" fn uv_kill(pid: c_int, signum: c_int) -> c_int {
    process::kill(pid, signum)
}

/// The child's process id (`pid`); 0 for NULL.
///
/// # Safety
/// `handle` is NULL or an initialised process handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_get_pid(handle: *const uv_process_t) -> uv_pid_t {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialised process handle; only a plain
    // field is read.
    unsafe { (*handle).pid }
}
