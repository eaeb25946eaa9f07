//! libuv's error functions, all answered from the one table in [`crate::abi::errno`] (from
//! which build.rs also writes the header's `UV__E*` codes and `UV_ERRNO_MAP`, and so the
//! `uv_errno_t` enum). Every function here may be called from any thread.
//!
//! `uv_strerror` and `uv_err_name` return static strings for known codes. For an unknown
//! code libuv returns a freshly `malloc`ed "Unknown system error N" that it never frees;
//! rsuv interns one such string per distinct code instead, so repeated calls do not leak.

use core::ffi::{CStr, c_char, c_int};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Mutex, PoisonError};

use crate::abi::errno;

/// "Unknown system error N", interned: one string per distinct code, never freed, so the
/// pointer stays valid for the life of the process (libuv's own string is leaked too).
fn unknown_error_string(err: c_int) -> *const c_char {
    static CACHE: Mutex<BTreeMap<c_int, CString>> = Mutex::new(BTreeMap::new());
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    cache
        .entry(err)
        .or_insert_with(|| {
            CString::new(format!("Unknown system error {err}")).expect("no NUL in a number")
        })
        .as_ptr()
}

/// Copies `src` into `buf` as C's `snprintf(buf, buflen, "%s", src)` would: at most
/// `buflen - 1` bytes, always NUL-terminated when `buflen > 0`. Returns `buf`.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buflen` bytes.
unsafe fn copy_truncated(src: &[u8], buf: *mut c_char, buflen: usize) -> *mut c_char {
    if buf.is_null() || buflen == 0 {
        return buf;
    }
    let n = src.len().min(buflen - 1);
    // SAFETY: the caller guarantees `buf` is writable for `buflen` bytes and
    // `n + 1 <= buflen`; `src` is a Rust slice, which cannot overlap a C buffer we write.
    unsafe {
        core::ptr::copy_nonoverlapping(src.as_ptr().cast::<c_char>(), buf, n);
        *buf.add(n) = 0;
    }
    buf
}

/// `int uv_translate_sys_error(int sys_errno)`: a platform error number as a libuv code.
/// On Unix: negated when positive; zero and negative values (libuv codes) pass through.
///
/// # Safety
/// None: it takes and returns plain values (unsafe only by the crate's convention
/// for C entry points).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_translate_sys_error(sys_errno: c_int) -> c_int {
    errno::from_errno(sys_errno)
}

/// `const char* uv_strerror(int err)`: the message for `err`.
///
/// # Safety
/// None: it takes and returns plain values (unsafe only by the crate's convention
/// for C entry points).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_strerror(err: c_int) -> *const c_char {
    match errno::message(err) {
        Some(m) => m.as_ptr(),
        None => unknown_error_string(err),
    }
}

/// `const char* uv_err_name(int err)`: the name of `err` (`"EINVAL"`).
///
/// # Safety
/// None: it takes and returns plain values (unsafe only by the crate's convention
/// for C entry points).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_err_name(err: c_int) -> *const c_char {
    match errno::name(err) {
        Some(n) => n.as_ptr(),
        None => unknown_error_string(err),
    }
}

fn message_or_unknown(known: Option<&'static CStr>, err: c_int) -> std::borrow::Cow<'static, [u8]> {
    match known {
        Some(s) => s.to_bytes().into(),
        None => format!("Unknown system error {err}").into_bytes().into(),
    }
}

/// `char* uv_strerror_r(int err, char* buf, size_t buflen)`: the message for `err`, copied
/// into `buf` and truncated to `buflen - 1` bytes plus a NUL. Returns `buf`.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buflen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_strerror_r(err: c_int, buf: *mut c_char, buflen: usize) -> *mut c_char {
    let text = message_or_unknown(errno::message(err), err);
    // SAFETY: forwarded from this function's contract.
    unsafe { copy_truncated(&text, buf, buflen) }
}

/// `char* uv_err_name_r(int err, char* buf, size_t buflen)`: the name of `err`, copied
/// into `buf` and truncated to `buflen - 1` bytes plus a NUL. Returns `buf`.
///
/// # Safety
/// `buf` is NULL or valid for writes of `buflen` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_err_name_r(err: c_int, buf: *mut c_char, buflen: usize) -> *mut c_char {
    let text = message_or_unknown(errno::name(err), err);
    // SAFETY: forwarded from this function's contract.
    unsafe { copy_truncated(&text, buf, buflen) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: *const c_char) -> &'static str {
        // SAFETY: the functions under test return static or interned NUL-terminated strings.
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    #[test]
    fn strerror_and_name() {
        // SAFETY: these functions take plain ints and return static or interned strings.
        unsafe {
            assert_eq!(s(uv_strerror(errno::UV_EINVAL)), "invalid argument");
            assert_eq!(s(uv_err_name(errno::UV_EINVAL)), "EINVAL");
            assert_eq!(s(uv_err_name(errno::UV_EOF)), "EOF");
            assert_eq!(s(uv_strerror(1234)), "Unknown system error 1234");
            assert_eq!(s(uv_err_name(-1234)), "Unknown system error -1234");
            // Interned: the same pointer twice.
            assert_eq!(uv_strerror(77777), uv_err_name(77777));
            assert_eq!(uv_translate_sys_error(libc::EPERM), errno::UV_EPERM);
            assert_eq!(uv_translate_sys_error(errno::UV_EOF), errno::UV_EOF);
            assert_eq!(uv_translate_sys_error(0), 0);
        }
    }

    #[test]
    fn r_variants_truncate() {
        let mut buf = [0x55 as c_char; 8];
        // SAFETY: buf is 8 writable bytes; we pass smaller lengths.
        unsafe {
            uv_err_name_r(errno::UV_EINVAL, buf.as_mut_ptr(), 4);
            assert_eq!(s(buf.as_ptr()), "EIN");
            uv_strerror_r(errno::UV_EINVAL, buf.as_mut_ptr(), 8);
            assert_eq!(s(buf.as_ptr()), "invalid");
            buf[0] = 0x55;
            uv_strerror_r(errno::UV_EINVAL, buf.as_mut_ptr(), 0);
            assert_eq!(buf[0], 0x55);
            uv_strerror_r(errno::UV_EINVAL, buf.as_mut_ptr(), 1);
            assert_eq!(buf[0], 0);
            assert!(uv_strerror_r(errno::UV_EINVAL, core::ptr::null_mut(), 10).is_null());
        }
    }
}
