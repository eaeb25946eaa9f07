//! libuv's error functions and the header's `uv_errno_t` enum, all answered from the one
//! table in [`crate::error`]. Every function here may be called from any thread.
//!
//! `uv_strerror` and `uv_err_name` return static strings for known codes. For an unknown
//! code libuv returns a freshly `malloc`ed "Unknown system error N" that it never frees;
//! rsuv interns one such string per distinct code instead, so repeated calls do not leak.

use core::ffi::{CStr, c_char, c_int};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::sync::{Mutex, PoisonError};

use crate::abi::errno;

/// libuv's error codes (`UV_E*`), as C sees them. The values are the negated Linux errno
/// values and libuv's own codes; the const checks below pin each one to
/// [`crate::error`]'s table.
#[repr(C)]
pub enum uv_errno_t {
    UV_E2BIG = -7,
    UV_EACCES = -13,
    UV_EADDRINUSE = -98,
    UV_EADDRNOTAVAIL = -99,
    UV_EAFNOSUPPORT = -97,
    UV_EAGAIN = -11,
    UV_EAI_ADDRFAMILY = -3000,
    UV_EAI_AGAIN = -3001,
    UV_EAI_BADFLAGS = -3002,
    UV_EAI_BADHINTS = -3013,
    UV_EAI_CANCELED = -3003,
    UV_EAI_FAIL = -3004,
    UV_EAI_FAMILY = -3005,
    UV_EAI_MEMORY = -3006,
    UV_EAI_NODATA = -3007,
    UV_EAI_NONAME = -3008,
    UV_EAI_OVERFLOW = -3009,
    UV_EAI_PROTOCOL = -3014,
    UV_EAI_SERVICE = -3010,
    UV_EAI_SOCKTYPE = -3011,
    UV_EALREADY = -114,
    UV_EBADF = -9,
    UV_EBUSY = -16,
    UV_ECANCELED = -125,
    UV_ECHARSET = -4080,
    UV_ECONNABORTED = -103,
    UV_ECONNREFUSED = -111,
    UV_ECONNRESET = -104,
    UV_EDESTADDRREQ = -89,
    UV_EEXIST = -17,
    UV_EFAULT = -14,
    UV_EFBIG = -27,
    UV_EHOSTUNREACH = -113,
    UV_EINTR = -4,
    UV_EINVAL = -22,
    UV_EIO = -5,
    UV_EISCONN = -106,
    UV_EISDIR = -21,
    UV_ELOOP = -40,
    UV_EMFILE = -24,
    UV_EMSGSIZE = -90,
    UV_ENAMETOOLONG = -36,
    UV_ENETDOWN = -100,
    UV_ENETUNREACH = -101,
    UV_ENFILE = -23,
    UV_ENOBUFS = -105,
    UV_ENODEV = -19,
    UV_ENOENT = -2,
    UV_ENOMEM = -12,
    UV_ENONET = -64,
    UV_ENOPROTOOPT = -92,
    UV_ENOSPC = -28,
    UV_ENOSYS = -38,
    UV_ENOTCONN = -107,
    UV_ENOTDIR = -20,
    UV_ENOTEMPTY = -39,
    UV_ENOTSOCK = -88,
    UV_ENOTSUP = -95,
    UV_EOVERFLOW = -75,
    UV_EPERM = -1,
    UV_EPIPE = -32,
    UV_EPROTO = -71,
    UV_EPROTONOSUPPORT = -93,
    UV_EPROTOTYPE = -91,
    UV_ERANGE = -34,
    UV_EROFS = -30,
    UV_ESHUTDOWN = -108,
    UV_ESPIPE = -29,
    UV_ESRCH = -3,
    UV_ETIMEDOUT = -110,
    UV_ETXTBSY = -26,
    UV_EXDEV = -18,
    UV_UNKNOWN = -4094,
    UV_EOF = -4095,
    UV_ENXIO = -6,
    UV_EMLINK = -31,
    UV_EHOSTDOWN = -112,
    UV_EREMOTEIO = -121,
    UV_ENOTTY = -25,
    UV_EFTYPE = -4028,
    UV_EILSEQ = -84,
    UV_ESOCKTNOSUPPORT = -94,
    UV_ERRNO_MAX = -4096,
}

macro_rules! check_enum_against_table {
    ($($id:ident),* $(,)?) => {
        const _: () = {
            $(assert!(uv_errno_t::$id as c_int == errno::$id);)*
            assert!(uv_errno_t::UV_ERRNO_MAX as c_int == errno::UV_ERRNO_MAX);
        };

        /// The enum's variants in declaration order (`UV_ERRNO_MAP`'s order).
        #[cfg(test)]
        const ENUM_ORDER: &[c_int] = &[$(uv_errno_t::$id as c_int),*];
    };
}

check_enum_against_table! {
    UV_E2BIG, UV_EACCES, UV_EADDRINUSE, UV_EADDRNOTAVAIL, UV_EAFNOSUPPORT, UV_EAGAIN,
    UV_EAI_ADDRFAMILY, UV_EAI_AGAIN, UV_EAI_BADFLAGS, UV_EAI_BADHINTS, UV_EAI_CANCELED,
    UV_EAI_FAIL, UV_EAI_FAMILY, UV_EAI_MEMORY, UV_EAI_NODATA, UV_EAI_NONAME, UV_EAI_OVERFLOW,
    UV_EAI_PROTOCOL, UV_EAI_SERVICE, UV_EAI_SOCKTYPE, UV_EALREADY, UV_EBADF, UV_EBUSY,
    UV_ECANCELED, UV_ECHARSET, UV_ECONNABORTED, UV_ECONNREFUSED, UV_ECONNRESET,
    UV_EDESTADDRREQ, UV_EEXIST, UV_EFAULT, UV_EFBIG, UV_EHOSTUNREACH, UV_EINTR, UV_EINVAL,
    UV_EIO, UV_EISCONN, UV_EISDIR, UV_ELOOP, UV_EMFILE, UV_EMSGSIZE, UV_ENAMETOOLONG,
    UV_ENETDOWN, UV_ENETUNREACH, UV_ENFILE, UV_ENOBUFS, UV_ENODEV, UV_ENOENT, UV_ENOMEM,
    UV_ENONET, UV_ENOPROTOOPT, UV_ENOSPC, UV_ENOSYS, UV_ENOTCONN, UV_ENOTDIR, UV_ENOTEMPTY,
    UV_ENOTSOCK, UV_ENOTSUP, UV_EOVERFLOW, UV_EPERM, UV_EPIPE, UV_EPROTO, UV_EPROTONOSUPPORT,
    UV_EPROTOTYPE, UV_ERANGE, UV_EROFS, UV_ESHUTDOWN, UV_ESPIPE, UV_ESRCH, UV_ETIMEDOUT,
    UV_ETXTBSY, UV_EXDEV, UV_UNKNOWN, UV_EOF, UV_ENXIO, UV_EMLINK, UV_EHOSTDOWN, UV_EREMOTEIO,
    UV_ENOTTY, UV_EFTYPE, UV_EILSEQ, UV_ESOCKTNOSUPPORT,
}

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
    fn enum_order_is_table_order() {
        let table: Vec<c_int> = errno::ERRORS.iter().map(|e| e.code).collect();
        assert_eq!(ENUM_ORDER, &table[..]);
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
