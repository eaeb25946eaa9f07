//! Shared libraries (dll.rst): `uv_dlopen`, `uv_dlclose`, `uv_dlsym`, `uv_dlerror`; the
//! work is in [`crate::os::dl`].

use crate::abi::*;
use crate::os;
use core::ffi::{c_char, c_int, c_void};

/// `uv_dlopen`: opens a shared library (`dlopen(filename, RTLD_LAZY)`); 0, or -1 with a
/// message for `uv_dlerror`. Call `uv_dlclose` either way.
///
/// # Safety
/// `filename` is NULL (the main program) or NUL-terminated; `lib` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_dlopen(filename: *const c_char, lib: *mut uv_lib_t) -> c_int {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dl::dlopen(filename, lib) }
}

/// `uv_dlclose`: closes the library (if open) and frees the error message.
///
/// # Safety
/// `lib` is NULL or was passed to `uv_dlopen`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_dlclose(lib: *mut uv_lib_t) {
    if lib.is_null() {
        return;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dl::dlclose(lib) }
}

/// `uv_dlsym`: the address of `name` in the library; 0, or -1 with a message for
/// `uv_dlerror`.
///
/// # Safety
/// `lib` was passed to `uv_dlopen`; `name` is NUL-terminated; `ptr_out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_dlsym(
    lib: *mut uv_lib_t,
    name: *const c_char,
    ptr: *mut *mut c_void,
) -> c_int {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dl::dlsym(lib, name, ptr) }
}

/// `uv_dlerror`: the last error of `uv_dlopen`/`uv_dlsym` on `lib`, or "no error".
///
/// # Safety
/// `lib` is NULL or a `uv_lib_t` whose `errmsg` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_dlerror(lib: *const uv_lib_t) -> *const c_char {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::dl::dlerror(lib) }
}
