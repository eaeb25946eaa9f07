//! File system operations: libuv's `uv_fs_*` requests (docs: fs.rst).
//!
//! This is the core: one function per operation, taking the request's inputs as Rust values
//! (`&CStr` paths, descriptors, flags) and returning `Result<value, c_int>`, where the error
//! is a libuv code (a negated `errno`). [`req`] fills a `uv_fs_t` from the caller's
//! arguments, runs the operation on the calling thread (no callback) or on the thread pool
//! (with a callback), and stores the outcome in the request.
//!
//! - [`ops`]: open/close/read/write, paths (unlink, mkdir, rename, links, temp names),
//!   permissions, ownership, times, sync and truncate.
//! - [`stat`]: `stat`, `lstat`, `fstat` (through `statx` when the kernel has it, which also
//!   gives the birth time), `statfs`.
//! - [`copy`]: `sendfile` (copy_file_range, then sendfile(2), then a read/write loop) and
//!   `copyfile`.
//! - [`dir`]: `scandir`'s sorted listing and `opendir`/`readdir`/`closedir`.
//!
//! Every function here may run on any thread: a pool thread for asynchronous requests, the
//! caller's for synchronous ones. None touches loop state; completion callbacks run on the
//! loop thread, when the pool hands finished work back ([`req`]).
//!
//! Retries: as in libuv, a system call interrupted by a signal (`EINTR`) is retried, except
//! `close` (the descriptor is gone either way) and `read` (libuv reports the interruption).

pub(crate) mod copy;
pub(crate) mod dir;
pub(crate) mod ops;
pub(crate) mod req;
pub(crate) mod stat;
#[cfg(target_os = "linux")]
pub(crate) mod uring;

use core::ffi::c_int;

/// An operation's outcome: a value, or a libuv error code.
pub(crate) type Res<T> = Result<T, c_int>;

/// `-1` → the current `errno` as a libuv code; anything else is the value.
#[inline]
pub(crate) fn cvt<T: Copy + PartialEq + From<i8>>(r: T) -> Res<T> {
    if r == T::from(-1) {
        Err(crate::abi::errno::last_error())
    } else {
        Ok(r)
    }
}

/// Runs `f` until it does not fail with `EINTR`.
#[inline]
pub(crate) fn cvt_r<T: Copy + PartialEq + From<i8>>(mut f: impl FnMut() -> T) -> Res<T> {
    loop {
        match cvt(f()) {
            Err(e) if e == crate::abi::errno::UV_EINTR => continue,
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvt_maps_minus_one_to_errno() {
        // SAFETY: close of an invalid descriptor only sets errno.
        let r = cvt(unsafe { libc::close(-1) });
        assert_eq!(r, Err(crate::abi::errno::UV_EBADF));
        assert_eq!(cvt(3isize), Ok(3));
    }
}
