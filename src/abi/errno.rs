//! libuv's error codes: one table, the only place that knows every `UV_E*` code, its name
//! and its message.
//!
//! On Unix a libuv error code is the negated `errno` value (`UV_EINVAL == -EINVAL`); the
//! codes with no `errno` counterpart (`UV_EOF`, `UV_UNKNOWN`, `UV_ECHARSET`, `UV_EFTYPE`) and
//! the `getaddrinfo` codes (`UV_EAI_*`, -3000 and below) are libuv's own. Every exported error
//! function (`uv_strerror`, `uv_err_name`, `uv_translate_sys_error`, in `src/ffi/error.rs`),
//! the `uv_errno_t` enum of the header and the `UV_ERRNO_MAP` X-macro agree with [`ERRORS`];
//! tests here and in `c_tests/test_errors.c` check that they do.
//!
//! Core code works with `std::io::Error` or plain `c_int` codes and converts once at the
//! ffi boundary with [`from_io`], [`from_errno`], [`last_error`] or [`from_eai`].
//! Everything here may be used from any thread.

use core::ffi::{CStr, c_int};

/// One libuv error: its code, its name without the `UV_` prefix and its message, both as
/// NUL-terminated strings so that the C functions can hand them out directly.
pub(crate) struct ErrorInfo {
    pub(crate) code: c_int,
    pub(crate) name: &'static CStr,
    pub(crate) message: &'static CStr,
}

/// `concat!`-built `"NAME\0"` to `&'static CStr`, at compile time.
const fn cstr(bytes: &'static [u8]) -> &'static CStr {
    match CStr::from_bytes_with_nul(bytes) {
        Ok(s) => s,
        Err(_) => panic!("error name is not a C string"),
    }
}

macro_rules! error_table {
    ($($name:ident => $uv:ident = $code:expr, $msg:literal;)*) => {
        $(
            pub(crate) const $uv: c_int = $code;
        )*

        /// Every libuv error, in `UV_ERRNO_MAP`'s order.
        pub(crate) static ERRORS: &[ErrorInfo] = &[
            $(ErrorInfo {
                code: $uv,
                name: cstr(concat!(stringify!($name), "\0").as_bytes()),
                message: $msg,
            },)*
        ];
    };
}

include!("errno_table.rs");

/// `UV_ERRNO_MAX`: one below the lowest code (`UV_EOF - 1`); the header's enum says it.
#[cfg(test)]
pub(crate) const UV_ERRNO_MAX: c_int = UV_EOF - 1;

/// The table entry for `code`, if libuv knows the code.
pub(crate) fn lookup(code: c_int) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|e| e.code == code)
}

/// `code`'s name (`"EINVAL"`), if libuv knows the code.
pub(crate) fn name(code: c_int) -> Option<&'static CStr> {
    lookup(code).map(|e| e.name)
}

/// `code`'s message (`"invalid argument"`), if libuv knows the code.
pub(crate) fn message(code: c_int) -> Option<&'static CStr> {
    lookup(code).map(|e| e.message)
}

/// A system `errno` value as a libuv code: `uv_translate_sys_error` on Unix. Positive
/// values are negated; zero and negative values (already libuv codes) pass through.
pub(crate) fn from_errno(errno: c_int) -> c_int {
    if errno <= 0 { errno } else { -errno }
}

/// The calling thread's current `errno` as a libuv code (`UV_EIO` if errno is 0, which
/// a caller that just saw a failure should never observe).
pub(crate) fn last_error() -> c_int {
    match std::io::Error::last_os_error().raw_os_error() {
        Some(e) if e > 0 => -e,
        _ => UV_EIO,
    }
}

/// A `std::io::Error` as a libuv code: its OS error if it has one, else the closest libuv
/// code for its kind.
pub(crate) fn from_io(e: &std::io::Error) -> c_int {
    use std::io::ErrorKind as K;
    if let Some(errno) = e.raw_os_error() {
        return from_errno(errno);
    }
    match e.kind() {
        K::NotFound => UV_ENOENT,
        K::PermissionDenied => UV_EACCES,
        K::ConnectionRefused => UV_ECONNREFUSED,
        K::ConnectionReset => UV_ECONNRESET,
        K::HostUnreachable => UV_EHOSTUNREACH,
        K::NetworkUnreachable => UV_ENETUNREACH,
        K::ConnectionAborted => UV_ECONNABORTED,
        K::NotConnected => UV_ENOTCONN,
        K::AddrInUse => UV_EADDRINUSE,
        K::AddrNotAvailable => UV_EADDRNOTAVAIL,
        K::NetworkDown => UV_ENETDOWN,
        K::BrokenPipe => UV_EPIPE,
        K::AlreadyExists => UV_EEXIST,
        K::WouldBlock => UV_EAGAIN,
        K::NotADirectory => UV_ENOTDIR,
        K::IsADirectory => UV_EISDIR,
        K::DirectoryNotEmpty => UV_ENOTEMPTY,
        K::ReadOnlyFilesystem => UV_EROFS,
        K::StaleNetworkFileHandle => UV_EIO,
        K::InvalidInput => UV_EINVAL,
        K::InvalidData => UV_EINVAL,
        K::TimedOut => UV_ETIMEDOUT,
        K::WriteZero => UV_EIO,
        K::StorageFull => UV_ENOSPC,
        K::NotSeekable => UV_ESPIPE,
        K::QuotaExceeded => UV_ENOSPC,
        K::FileTooLarge => UV_EFBIG,
        K::ResourceBusy => UV_EBUSY,
        K::ExecutableFileBusy => UV_ETXTBSY,
        K::Deadlock => UV_EIO,
        K::CrossesDevices => UV_EXDEV,
        K::TooManyLinks => UV_EMLINK,
        K::InvalidFilename => UV_ENAMETOOLONG,
        K::ArgumentListTooLong => UV_E2BIG,
        K::Interrupted => UV_EINTR,
        K::Unsupported => UV_ENOSYS,
        K::UnexpectedEof => UV_EOF,
        K::OutOfMemory => UV_ENOMEM,
        _ => UV_UNKNOWN,
    }
}

// glibc's GNU-only getaddrinfo codes, which the libc crate does not carry.
const EAI_ADDRFAMILY: c_int = -9;
const EAI_CANCELED: c_int = -101;

/// A `getaddrinfo`/`getnameinfo` return value as a libuv code (libuv's
/// `uv__getaddrinfo_translate_error`). `EAI_SYSTEM` reads `errno`, so call this on the
/// thread that made the failed call, before anything else can change `errno`. libuv
/// aborts on a code it does not know; rsuv answers `UV_UNKNOWN` instead.
pub(crate) fn from_eai(code: c_int) -> c_int {
    match code {
        0 => 0,
        EAI_ADDRFAMILY => UV_EAI_ADDRFAMILY,
        libc::EAI_AGAIN => UV_EAI_AGAIN,
        libc::EAI_BADFLAGS => UV_EAI_BADFLAGS,
        EAI_CANCELED => UV_EAI_CANCELED,
        libc::EAI_FAIL => UV_EAI_FAIL,
        libc::EAI_FAMILY => UV_EAI_FAMILY,
        libc::EAI_MEMORY => UV_EAI_MEMORY,
        libc::EAI_NODATA => UV_EAI_NODATA,
        libc::EAI_NONAME => UV_EAI_NONAME,
        libc::EAI_OVERFLOW => UV_EAI_OVERFLOW,
        libc::EAI_SERVICE => UV_EAI_SERVICE,
        libc::EAI_SOCKTYPE => UV_EAI_SOCKTYPE,
        libc::EAI_SYSTEM => last_error(),
        _ => UV_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_unique() {
        // libuv 1.53's UV_ERRNO_MAP has 85 entries (1.44 had 82).
        assert_eq!(ERRORS.len(), 85);
        for (i, a) in ERRORS.iter().enumerate() {
            assert!(a.code < 0 && a.code > UV_ERRNO_MAX, "{:?}", a.name);
            assert!(!a.message.is_empty());
            for b in &ERRORS[i + 1..] {
                assert_ne!(a.code, b.code, "{:?} and {:?}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
        }
        assert_eq!(ERRORS.first().unwrap().name, c"E2BIG");
        assert_eq!(ERRORS.last().unwrap().name, c"ENOEXEC");
    }

    #[test]
    fn codes_match_libuv_abi() {
        // Values from c_tests/abi/layout-1.44-linux-x86_64.txt and 1.53's.
        let expected: &[(&CStr, c_int)] = &[
            (c"E2BIG", -7),
            (c"EAGAIN", -11),
            (c"EAI_ADDRFAMILY", -3000),
            (c"EAI_BADHINTS", -3013),
            (c"EAI_PROTOCOL", -3014),
            (c"EAI_SOCKTYPE", -3011),
            (c"EALREADY", -114),
            (c"ECANCELED", -125),
            (c"ECHARSET", -4080),
            (c"EINVAL", -22),
            (c"ENONET", -64),
            (c"ENOTSUP", -95),
            (c"UNKNOWN", -4094),
            (c"EOF", -4095),
            (c"EREMOTEIO", -121),
            (c"EFTYPE", -4028),
            (c"EILSEQ", -84),
            (c"ESOCKTNOSUPPORT", -94),
            // Added in libuv 1.45-1.48 (layout-1.53-linux-x86_64.txt).
            (c"ENODATA", -61),
            (c"EUNATCH", -49),
            (c"ENOEXEC", -8),
        ];
        for (n, code) in expected {
            let e = lookup(*code).unwrap();
            assert_eq!(e.name, *n);
        }
        assert_eq!(UV_ERRNO_MAX, -4096);
    }

    #[test]
    fn messages() {
        assert_eq!(message(UV_EINVAL).unwrap(), c"invalid argument");
        assert_eq!(message(UV_EOF).unwrap(), c"end of file");
        assert_eq!(message(UV_EIO).unwrap(), c"i/o error");
        assert_eq!(
            message(UV_ESHUTDOWN).unwrap(),
            c"cannot send after transport endpoint shutdown"
        );
        assert_eq!(
            message(UV_EAI_ADDRFAMILY).unwrap(),
            c"address family not supported"
        );
        assert_eq!(name(UV_ETIMEDOUT).unwrap(), c"ETIMEDOUT");
        assert!(lookup(0).is_none());
        assert!(lookup(-9999).is_none());
        assert!(lookup(1).is_none());
    }

    #[test]
    fn errno_round_trips() {
        for e in ERRORS.iter().filter(|e| e.code > -3000) {
            assert_eq!(from_errno(-e.code), e.code);
            let io = std::io::Error::from_raw_os_error(-e.code);
            assert_eq!(from_io(&io), e.code);
        }
        assert_eq!(from_errno(0), 0);
        assert_eq!(from_errno(UV_EOF), UV_EOF);
        assert_eq!(from_errno(libc::EINVAL), UV_EINVAL);
    }

    #[test]
    fn io_kinds_map_to_codes() {
        let eof = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
        assert_eq!(from_io(&eof), UV_EOF);
        let wb = std::io::Error::from(std::io::ErrorKind::WouldBlock);
        assert_eq!(from_io(&wb), UV_EAGAIN);
        assert_eq!(from_io(&std::io::Error::other("x")), UV_UNKNOWN);
    }

    #[test]
    fn last_error_reads_errno() {
        // SAFETY: closing an fd that is certainly not open only sets errno to EBADF.
        let r = unsafe { libc::close(-1) };
        assert_eq!(r, -1);
        assert_eq!(last_error(), UV_EBADF);
    }

    #[test]
    fn eai() {
        assert_eq!(from_eai(0), 0);
        assert_eq!(from_eai(libc::EAI_NONAME), UV_EAI_NONAME);
        assert_eq!(from_eai(libc::EAI_AGAIN), UV_EAI_AGAIN);
        assert_eq!(from_eai(libc::EAI_NODATA), UV_EAI_NODATA);
        assert_eq!(from_eai(EAI_ADDRFAMILY), UV_EAI_ADDRFAMILY);
        assert_eq!(from_eai(EAI_CANCELED), UV_EAI_CANCELED);
        assert_eq!(from_eai(libc::EAI_MEMORY), UV_EAI_MEMORY);
        assert_eq!(from_eai(-12345), UV_UNKNOWN);
    }
}
