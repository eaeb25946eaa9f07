//! Shared libraries (dll.rst): `uv_dlopen`, `uv_dlclose`, `uv_dlsym`, `uv_dlerror`.
//! Failures return -1 and leave a message for `uv_dlerror` in `lib->errmsg`, a copy from the
//! parent module's allocator that `uv_dlclose` (or the next failure) frees. `dlerror()`'s
//! state is per thread, so each call clears it before the operation it reports on.

use core::ffi::{c_char, c_int, c_void};
use core::ptr;

use super::{cbytes, dup};
use crate::abi::alloc;
use crate::abi::*;

/// Replaces `lib->errmsg` with a copy of `dlerror()`: -1 when there was an error, else 0
/// (and no message).
///
/// # Safety
/// `lib` is a valid `uv_lib_t` whose `errmsg` is NULL or ours.
unsafe fn take_dlerror(lib: *mut uv_lib_t) -> c_int {
    // SAFETY: `errmsg` is NULL or from `dup` (caller); dlerror's result is NULL or a C
    // string, copied before any other dl* call.
    unsafe {
        alloc::free((*lib).errmsg.cast());
        let msg = libc::dlerror();
        if msg.is_null() {
            (*lib).errmsg = ptr::null_mut();
            0
        } else {
            (*lib).errmsg = dup(cbytes(msg));
            -1
        }
    }
}

/// `uv_dlopen`: opens a shared library (`dlopen(filename, RTLD_LAZY)`); 0, or -1 with a
/// message for `uv_dlerror`. Call `uv_dlclose` either way.
///
/// # Safety
/// `filename` is NULL (the main program) or NUL-terminated; `lib` is NULL or writable.
pub(crate) unsafe fn dlopen(filename: *const c_char, lib: *mut uv_lib_t) -> c_int {
    if lib.is_null() {
        return -1;
    }
    // SAFETY: `lib` is writable (caller); `filename` is NULL or a C string; dlerror() first
    // clears any stale error of this thread.
    unsafe {
        libc::dlerror();
        (*lib).errmsg = ptr::null_mut();
        (*lib).handle = libc::dlopen(filename, libc::RTLD_LAZY);
        if (*lib).handle.is_null() {
            take_dlerror(lib)
        } else {
            0
        }
    }
}

/// `uv_dlclose`: closes the library (if open) and frees the error message.
///
/// # Safety
/// `lib` is NULL or was passed to `uv_dlopen`.
pub(crate) unsafe fn dlclose(lib: *mut uv_lib_t) {
    // SAFETY: `lib` came from `uv_dlopen` (caller): `errmsg` is NULL or ours, `handle` is
    // NULL or a dlopen handle. dlclose errors are ignored, as in libuv.
    unsafe {
        alloc::free((*lib).errmsg.cast());
        (*lib).errmsg = ptr::null_mut();
        if !(*lib).handle.is_null() {
            libc::dlclose((*lib).handle);
            (*lib).handle = ptr::null_mut();
        }
    }
}

/// `uv_dlsym`: the address of `name` in the library; 0, or -1 with a message for
/// `uv_dlerror`.
///
/// # Safety
/// `lib` was passed to `uv_dlopen`; `name` is NUL-terminated; `ptr_out` is writable.
pub(crate) unsafe fn dlsym(
    lib: *mut uv_lib_t,
    name: *const c_char,
    ptr: *mut *mut c_void,
) -> c_int {
    if lib.is_null() || name.is_null() || ptr.is_null() {
        return -1;
    }
    // SAFETY: see the contract above; dlerror() clears a stale error first, so a NULL
    // symbol without an error (legal) is told apart from a missing one.
    unsafe {
        libc::dlerror();
        *ptr = libc::dlsym((*lib).handle, name);
        if (*ptr).is_null() {
            take_dlerror(lib)
        } else {
            0
        }
    }
}

/// `uv_dlerror`: the last error of `uv_dlopen`/`uv_dlsym` on `lib`, or "no error".
///
/// # Safety
/// `lib` is NULL or a `uv_lib_t` whose `errmsg` is NULL or a C string.
pub(crate) unsafe fn dlerror(lib: *const uv_lib_t) -> *const c_char {
    // SAFETY: readable (caller).
    if lib.is_null() || unsafe { (*lib).errmsg }.is_null() {
        return c"no error".as_ptr();
    }
    // SAFETY: as above.
    unsafe { (*lib).errmsg }
}
