//! The process environment (misc.rst: `uv_os_environ`, `uv_os_getenv`, `uv_os_setenv`,
//! `uv_os_unsetenv`). As thread-safe as the C library's `getenv`/`setenv`: not at all
//! against each other.

use core::ffi::{c_char, c_int};
use core::ptr;

use super::{alloc_zeroed, cbytes, copy_out, dup};
use crate::abi::alloc;
use crate::abi::errno::{UV_ENOENT, UV_ENOMEM, last_error};
use crate::abi::*;

unsafe extern "C" {
    /// The C library's environment (`extern char** environ`).
    static mut environ: *const *const c_char;
}

/// `getenv(name)` as bytes (for [`super::proc::tmpdir`]).
pub(crate) fn getenv_bytes(name: &str) -> Option<Vec<u8>> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: `name` is NUL-terminated; the result is NULL or a C string, copied at once.
    unsafe {
        let v = libc::getenv(name.as_ptr());
        (!v.is_null()).then(|| cbytes(v).to_vec())
    }
}

/// `uv_os_environ`: a copy of every `NAME=value` entry of the environment (entries without
/// `=` are skipped). Free it with `free_environ(*envitems, *count)`.
///
/// # Safety
/// `envitems` and `count` are writable.
pub(crate) unsafe fn copy_environ(envitems: *mut *mut uv_env_item_t, count: *mut c_int) -> c_int {
    // SAFETY: both are writable (caller).
    unsafe {
        *envitems = ptr::null_mut();
        *count = 0;
    }
    // SAFETY: `environ` is the C library's NULL-terminated array of C strings; read it
    // through a raw pointer (it changes under `setenv`).
    let env = unsafe { ptr::read_volatile(&raw const environ) };
    let mut total = 0usize;
    // SAFETY: as above: entries up to the NULL are readable.
    while !env.is_null() && !unsafe { *env.add(total) }.is_null() {
        total += 1;
    }
    let items = alloc_zeroed::<uv_env_item_t>(total);
    if items.is_null() {
        return UV_ENOMEM;
    }
    let mut n = 0usize;
    for i in 0..total {
        // SAFETY: `i < total`, a readable non-NULL entry.
        let entry = unsafe { cbytes(*env.add(i)) };
        let Some(eq) = entry.iter().position(|&b| b == b'=') else {
            continue;
        };
        let name = dup(entry);
        if name.is_null() {
            // SAFETY: `items` holds `n` filled entries from this call.
            unsafe { free_environ(items, n as c_int) };
            return UV_ENOMEM;
        }
        // SAFETY: `name` is a copy of `entry` (`eq < len`); `n <= i < total` is in `items`.
        unsafe {
            *name.add(eq) = 0;
            items.add(n).write(uv_env_item_t {
                name,
                value: name.add(eq + 1),
            });
        }
        n += 1;
    }
    let Ok(c) = c_int::try_from(n) else {
        // SAFETY: `items` holds `n` filled entries.
        unsafe { free_environ(items, n as c_int) };
        return UV_ENOMEM;
    };
    // SAFETY: both are writable (caller).
    unsafe {
        *envitems = items;
        *count = c;
    }
    0
}

/// `uv_os_free_environ`: frees what `uv_os_environ` returned.
///
/// # Safety
/// `envitems`/`count` are what `uv_os_environ` returned.
pub(crate) unsafe fn free_environ(envitems: *mut uv_env_item_t, count: c_int) {
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` was filled by `uv_os_environ`; its name owns the copy.
        unsafe { alloc::free((*envitems.add(i)).name.cast()) };
    }
    // SAFETY: the array from `uv_os_environ`.
    unsafe { alloc::free(envitems.cast()) };
}

/// `uv_os_getenv`: the value of `name` (buffer protocol); `UV_ENOENT` when unset.
///
/// # Safety
/// `name` is NUL-terminated; buffer protocol (module docs).
pub(crate) unsafe fn getenv(name: *const c_char, buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `name` is NUL-terminated (caller).
    let v = unsafe { libc::getenv(name) };
    if v.is_null() {
        return UV_ENOENT;
    }
    // SAFETY: getenv's result is a C string; buffer protocol (caller).
    unsafe { copy_out(cbytes(v), buffer, size) }
}

/// `uv_os_setenv`: sets `name` to `value`, replacing any value.
///
/// # Safety
/// `name` and `value` are NUL-terminated.
pub(crate) unsafe fn setenv(name: *const c_char, value: *const c_char) -> c_int {
    // SAFETY: both are NUL-terminated (caller).
    if unsafe { libc::setenv(name, value, 1) } != 0 {
        return last_error();
    }
    0
}

/// `uv_os_unsetenv`: removes `name` (0 when it was not set).
///
/// # Safety
/// `name` is NUL-terminated.
pub(crate) unsafe fn unsetenv(name: *const c_char) -> c_int {
    // SAFETY: `name` is NUL-terminated (caller).
    if unsafe { libc::unsetenv(name) } != 0 {
        return last_error();
    }
    0
}
