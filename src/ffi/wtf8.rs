//! C entry points of the WTF-8 / UTF-16 conversions (libuv 1.47+), on [`crate::wtf8`].
//! Any thread. Where libuv asserts (a NULL pointer, a malformed string handed to
//! `uv_wtf8_to_utf16`), rsuv returns an error or does nothing.

use crate::abi::alloc;
use crate::abi::errno::{UV_EINVAL, UV_ENOBUFS, UV_ENOMEM};
use crate::wtf8;
use core::ffi::{CStr, c_char, c_int};

/// The units of a UTF-16 argument: `len` of them, or up to the first NUL when `len` is
/// negative (libuv's -1).
///
/// # Safety
/// `units` is non-NULL and valid for `len` units, or NUL-terminated when `len < 0`.
unsafe fn units<'a>(units: *const u16, len: libc::ssize_t) -> &'a [u16] {
    let n = match usize::try_from(len) {
        Ok(n) => n,
        Err(_) => {
            let mut n = 0;
            // SAFETY: a negative length promises a NUL-terminated array: every unit up
            // to and including the NUL is readable.
            while unsafe { *units.add(n) } != 0 {
                n += 1;
            }
            n
        }
    };
    // SAFETY: `n` units are readable (a positive length is the caller's count; a
    // negative one was measured above).
    unsafe { core::slice::from_raw_parts(units, n) }
}

/// `size_t uv_utf16_length_as_wtf8(const uint16_t* utf16, ssize_t utf16_len)`: 0 for NULL.
///
/// # Safety
/// `utf16` is NULL, valid for `utf16_len` units, or NUL-terminated when `utf16_len < 0`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_utf16_length_as_wtf8(
    utf16: *const u16,
    utf16_len: libc::ssize_t,
) -> usize {
    if utf16.is_null() {
        return 0;
    }
    // SAFETY: non-NULL and valid as documented above.
    wtf8::utf16_length_as_wtf8(unsafe { units(utf16, utf16_len) })
}

/// `int uv_utf16_to_wtf8(const uint16_t* utf16, ssize_t utf16_len, char** wtf8_ptr,
/// size_t* wtf8_len_ptr)`. With `wtf8_ptr` NULL only the length is stored; with
/// `*wtf8_ptr` NULL a buffer of the right size is allocated (with `uv_replace_allocator`'s
/// malloc, the caller frees it); otherwise `*wtf8_len_ptr` is the size of `*wtf8_ptr`, not
/// counting the room for the NUL it must also have. `UV_ENOBUFS` when it is too small,
/// with the size needed in `*wtf8_len_ptr`.
///
/// # Safety
/// `utf16` as in [`uv_utf16_length_as_wtf8`]; `wtf8_ptr` and `wtf8_len_ptr` NULL or
/// valid; a caller's `*wtf8_ptr` writable for `*wtf8_len_ptr + 1` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_utf16_to_wtf8(
    utf16: *const u16,
    utf16_len: libc::ssize_t,
    wtf8_ptr: *mut *mut c_char,
    wtf8_len_ptr: *mut usize,
) -> c_int {
    if utf16.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL and valid as documented above.
    let src = unsafe { units(utf16, utf16_len) };
    let given = if wtf8_ptr.is_null() {
        core::ptr::null_mut()
    } else {
        // SAFETY: non-NULL, a readable `char**` (caller).
        unsafe { *wtf8_ptr }
    };
    let (buf, cap) = if given.is_null() {
        let len = wtf8::utf16_length_as_wtf8(src);
        if !wtf8_len_ptr.is_null() {
            // SAFETY: non-NULL, a writable `size_t` (caller).
            unsafe { *wtf8_len_ptr = len };
        }
        if wtf8_ptr.is_null() {
            return 0;
        }
        let p = alloc::malloc(len + 1).cast::<u8>();
        if p.is_null() {
            return UV_ENOMEM;
        }
        // SAFETY: `wtf8_ptr` is non-NULL (checked above) and writable (caller).
        unsafe { *wtf8_ptr = p.cast() };
        (p, len)
    } else {
        if wtf8_len_ptr.is_null() {
            return UV_EINVAL;
        }
        // SAFETY: non-NULL, the size of the caller's buffer.
        (given.cast::<u8>(), unsafe { *wtf8_len_ptr })
    };
    // SAFETY: `buf` holds `cap + 1` writable bytes: our allocation of that size, or the
    // caller's buffer, documented to have room for the NUL beyond `*wtf8_len_ptr`.
    let out = unsafe { core::slice::from_raw_parts_mut(buf, cap + 1) };
    let (written, r) = match wtf8::utf16_to_wtf8(src, &mut out[..cap]) {
        Ok(n) => (n, 0),
        Err((n, needed)) => {
            if !wtf8_len_ptr.is_null() {
                // SAFETY: non-NULL, writable (caller).
                unsafe { *wtf8_len_ptr = needed };
            }
            (n, UV_ENOBUFS)
        }
    };
    if r == 0 && !wtf8_len_ptr.is_null() {
        // SAFETY: non-NULL, writable (caller).
        unsafe { *wtf8_len_ptr = written };
    }
    out[written] = 0;
    r
}

/// `ssize_t uv_wtf8_length_as_utf16(const char* wtf8)`: the UTF-16 length of a C string,
/// NUL included; `UV_EINVAL` for NULL or a malformed string.
///
/// # Safety
/// `wtf8` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_wtf8_length_as_utf16(wtf8: *const c_char) -> libc::ssize_t {
    if wtf8.is_null() {
        return UV_EINVAL as libc::ssize_t;
    }
    // SAFETY: a NUL-terminated string (caller).
    let bytes = unsafe { CStr::from_ptr(wtf8) }.to_bytes();
    wtf8::wtf8_length_as_utf16(bytes).map_or(UV_EINVAL as libc::ssize_t, |n| n as libc::ssize_t)
}

/// `void uv_wtf8_to_utf16(const char* wtf8, uint16_t* utf16, size_t utf16_len)`:
/// `utf16_len` counts the NUL. It never writes more than `utf16_len` units; a malformed
/// string is converted up to where it goes wrong.
///
/// # Safety
/// `wtf8` is NULL or a NUL-terminated string; `utf16` NULL or writable for `utf16_len`
/// units.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_wtf8_to_utf16(wtf8: *const c_char, utf16: *mut u16, utf16_len: usize) {
    if wtf8.is_null() || utf16.is_null() {
        return;
    }
    // SAFETY: a NUL-terminated string (caller).
    let bytes = unsafe { CStr::from_ptr(wtf8) }.to_bytes();
    // SAFETY: `utf16` is writable for `utf16_len` units (caller).
    let out = unsafe { core::slice::from_raw_parts_mut(utf16, utf16_len) };
    wtf8::wtf8_to_utf16(bytes, out);
}
