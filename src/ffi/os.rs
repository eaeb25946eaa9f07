//! C entry points for system information and the process environment (docs: misc.rst and
//! dll.rst): the working directory, the executable's path, home and temporary directories,
//! the password and group entries, environment variables, host name, `uname`, scheduling
//! priority, CPUs, network interfaces, load, uptime, resource usage and memory figures
//! (submodule `info`); shared libraries (`dl`); `uv_guess_handle` and
//! `uv_disable_stdio_inheritance`. Each checks its pointers and calls [`crate::os`], which
//! holds the conventions.
//!
//! None of these runs callbacks, so no loop phase applies. All may be called from any
//! thread.

mod dl;
mod info;

use super::check;
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::os;
use core::ffi::{c_char, c_int};

// ---------------------------------------------------------------------------------------
// Helpers.

// ---------------------------------------------------------------------------------------
// Directories and the executable.

/// `uv_cwd`: the working directory, without a trailing slash (unless it is `/`).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cwd(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dirs::cwd(buffer, size) }
}

/// `uv_chdir`: changes the working directory.
///
/// # Safety
/// `dir` is NULL or a NUL-terminated path.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_chdir(dir: *const c_char) -> c_int {
    if dir.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dirs::chdir(dir) }
}

/// `uv_exepath`: the executable's path from `/proc/self/exe`, truncated to `*size - 1`
/// bytes when longer (libuv's behaviour: no `UV_ENOBUFS`).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_exepath(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dirs::exepath(buffer, size) }
}

/// `uv_os_homedir`: `HOME` when set, else the home directory of the password entry.
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_homedir(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dirs::homedir(buffer, size) }
}

/// `uv_os_tmpdir`: `TMPDIR`, `TMP`, `TEMP` or `TEMPDIR`, else `/tmp`, without a trailing
/// slash.
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_tmpdir(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dirs::tmpdir(buffer, size) }
}

// ---------------------------------------------------------------------------------------
// The password entry.

/// `uv_os_get_passwd`: the effective user's name, uid, gid, shell and home directory. The
/// strings share one allocation, freed by `uv_os_free_passwd`.
///
/// # Safety
/// `pwd` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_get_passwd(pwd: *mut uv_passwd_t) -> c_int {
    if pwd.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::passwd::get_passwd(pwd, None) }
}

/// `uv_os_get_passwd2` (libuv 1.45+): as `uv_os_get_passwd`, for user `uid`; `UV_ENOENT`
/// when there is no such user.
///
/// # Safety
/// `pwd` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_get_passwd2(pwd: *mut uv_passwd_t, uid: uv_uid_t) -> c_int {
    if pwd.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::passwd::get_passwd(pwd, Some(uid)) }
}

/// `uv_os_free_passwd`: frees what `uv_os_get_passwd` allocated and NULLs the pointers (so
/// a second call is harmless).
///
/// # Safety
/// `pwd` is NULL or filled by `uv_os_get_passwd` (or already freed by this function).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_free_passwd(pwd: *mut uv_passwd_t) {
    if pwd.is_null() {
        return;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::passwd::free_passwd(pwd) }
}

/// `uv_os_get_group` (libuv 1.45+): the name, gid and NULL-terminated member list of group
/// `gid` (libuv declares the parameter `uv_uid_t`), in one allocation that
/// `uv_os_free_group` frees; `UV_ENOENT` when there is no such group.
///
/// # Safety
/// `grp` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_get_group(grp: *mut uv_group_t, gid: uv_uid_t) -> c_int {
    if grp.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::passwd::get_group(grp, gid) }
}

/// `uv_os_free_group` (libuv 1.45+): frees what `uv_os_get_group` allocated and NULLs the
/// pointers (so a second call is harmless).
///
/// # Safety
/// `grp` is NULL or filled by `uv_os_get_group` (or already freed by this function).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_free_group(grp: *mut uv_group_t) {
    if grp.is_null() {
        return;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::passwd::free_group(grp) }
}

// ---------------------------------------------------------------------------------------
// Environment.

/// `uv_os_environ`: a copy of every `NAME=value` entry of the environment (entries without
/// `=` are skipped). Free it with `uv_os_free_environ(*envitems, *count)`.
///
/// # Safety
/// `envitems` and `count` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_environ(
    envitems: *mut *mut uv_env_item_t,
    count: *mut c_int,
) -> c_int {
    if envitems.is_null() || count.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::env::copy_environ(envitems, count) }
}

/// `uv_os_free_environ`: frees what `uv_os_environ` returned.
///
/// # Safety
/// `envitems`/`count` are what `uv_os_environ` returned (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_free_environ(envitems: *mut uv_env_item_t, count: c_int) {
    if envitems.is_null() {
        return;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::env::free_environ(envitems, count) }
}

/// `uv_os_getenv`: the value of `name` (buffer protocol); `UV_ENOENT` when unset.
///
/// # Safety
/// `name` is NULL or NUL-terminated; buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getenv(
    name: *const c_char,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if name.is_null() || !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::env::getenv(name, buffer, size) }
}

/// `uv_os_setenv`: sets `name` to `value`, replacing any value.
///
/// # Safety
/// `name` and `value` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_setenv(name: *const c_char, value: *const c_char) -> c_int {
    if name.is_null() || value.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::env::setenv(name, value) }
}

/// `uv_os_unsetenv`: removes `name` (0 when it was not set).
///
/// # Safety
/// `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_unsetenv(name: *const c_char) -> c_int {
    if name.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::env::unsetenv(name) }
}

// ---------------------------------------------------------------------------------------
// Host, kernel, priority.

/// `uv_os_gethostname`: the host name (buffer protocol).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_gethostname(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { check::out_buf(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::uname::gethostname(buffer, size) }
}

/// `uv_os_uname`: `uname(2)`'s sysname, release, version and machine.
///
/// # Safety
/// `buffer` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_uname(buffer: *mut uv_utsname_t) -> c_int {
    if buffer.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::uname::uname(buffer) }
}

/// `uv_os_getpriority`: the nice value of process `pid` (0: this process).
///
/// # Safety
/// `priority` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getpriority(pid: uv_pid_t, priority: *mut c_int) -> c_int {
    if priority.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::priority::getpriority(pid, priority) }
}

/// `uv_os_setpriority`: sets the nice value of process `pid` (0: this process);
/// `UV_EINVAL` outside `UV_PRIORITY_HIGHEST..=UV_PRIORITY_LOW`.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_setpriority(pid: uv_pid_t, priority: c_int) -> c_int {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::priority::setpriority(pid, priority) }
}

// ---------------------------------------------------------------------------------------
// Descriptors.

/// `uv_guess_handle`: what kind of handle suits descriptor `file`: `UV_TTY` for a
/// terminal, `UV_FILE` for a regular file or other character device, `UV_NAMED_PIPE` for
/// a FIFO or Unix-domain stream socket, `UV_TCP`/`UV_UDP` for IPv4/IPv6 stream/datagram
/// sockets, `UV_UNKNOWN_HANDLE` otherwise (also for a closed or negative descriptor).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_guess_handle(file: uv_file) -> HandleTypeArg {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::fd::guess_handle(file) }
}

/// `uv_disable_stdio_inheritance`: marks descriptors close-on-exec so that children do not
/// inherit them: the first 16 unconditionally, then onwards until the first one that fails
/// (libuv's rule).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_disable_stdio_inheritance() {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::fd::disable_stdio_inheritance() }
}

// ---------------------------------------------------------------------------------------
// One-liners on Unix.

/// The number of CPUs this process may use; at least 1.
#[unsafe(no_mangle)]
pub extern "C" fn uv_available_parallelism() -> core::ffi::c_uint {
    std::thread::available_parallelism().map_or(1, |n| {
        core::ffi::c_uint::try_from(n.get()).unwrap_or(core::ffi::c_uint::MAX)
    })
}

/// On Unix the OS handle of a descriptor is the descriptor itself, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_get_osfhandle(fd: c_int) -> uv_os_fd_t {
    fd
}

/// On Unix the descriptor of an OS handle is the handle itself, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_open_osfhandle(os_fd: uv_os_fd_t) -> c_int {
    os_fd
}
