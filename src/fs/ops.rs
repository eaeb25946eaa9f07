//! The plain file operations: descriptors (open, close, read, write, sync, truncate),
//! names (unlink, mkdir, rmdir, rename, link, symlink, readlink, realpath, temporary names),
//! permissions and ownership, and times.
//!
//! Each returns the system call's value or a libuv error code; see the module docs of
//! [`crate::fs`] for threads and retries.

use super::{Res, cvt, cvt_r};
use crate::abi::errno::{UV_EINTR, UV_EINVAL};
use crate::abi::uv_buf_t;
use core::ffi::{CStr, c_int, c_uint};
use std::ffi::CString;

/// Linux's `IOV_MAX`: the most buffers one `readv`/`writev` takes.
pub(crate) const IOV_MAX: usize = 1024;

/// `open(path, flags | O_CLOEXEC, mode)`. Every `UV_FS_O_*` flag is the Linux `O_*` value,
/// so `flags` passes through unchanged.
pub(crate) fn open(path: &CStr, flags: c_int, mode: c_int) -> Res<c_int> {
    // SAFETY: `path` is a NUL-terminated string; the mode is read only with O_CREAT/O_TMPFILE.
    cvt_r(|| unsafe { libc::open(path.as_ptr(), flags | libc::O_CLOEXEC, mode as c_uint) })
}

/// `close(fd)`. An interrupted close has still released the descriptor (Linux), so `EINTR`
/// and `EINPROGRESS` count as success and are never retried.
pub(crate) fn close(fd: c_int) -> Res<()> {
    // SAFETY: closing a descriptor number touches no memory.
    match cvt(unsafe { libc::close(fd) }) {
        Ok(_) => Ok(()),
        Err(e) if e == UV_EINTR || e == -libc::EINPROGRESS => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reads into `bufs` (at most [`IOV_MAX`] of them): at the file position when `off < 0`,
/// else at `off` without moving the position. One system call, not retried: a short read
/// is returned as it is, and 0 means end of file.
///
/// # Safety
/// Each buffer's `base` is writable memory of its `len` bytes.
pub(crate) unsafe fn read(fd: c_int, bufs: &[uv_buf_t], off: i64) -> Res<usize> {
    let n = bufs.len().min(IOV_MAX);
    if n == 0 {
        return Err(UV_EINVAL);
    }
    // `uv_buf_t` is `struct iovec` on Unix (base, then len).
    let iov = bufs.as_ptr().cast::<libc::iovec>();
    // SAFETY: the buffers are writable (caller); `iov` points to `n` iovec-shaped entries.
    let r = unsafe {
        match (off < 0, n == 1) {
            (true, true) => libc::read(fd, bufs[0].base.cast(), bufs[0].len),
            (true, false) => libc::readv(fd, iov, n as c_int),
            (false, true) => libc::pread(fd, bufs[0].base.cast(), bufs[0].len, off),
            (false, false) => libc::preadv(fd, iov, n as c_int, off),
        }
    };
    cvt(r).map(|n| n as usize)
}

/// One `write`/`writev`/`pwrite`/`pwritev` of at most [`IOV_MAX`] buffers.
///
/// # Safety
/// Each buffer's `base` is readable memory of its `len` bytes.
unsafe fn write_once(fd: c_int, bufs: &[uv_buf_t], off: i64) -> isize {
    let n = bufs.len().min(IOV_MAX);
    let iov = bufs.as_ptr().cast::<libc::iovec>();
    // SAFETY: the buffers are readable (caller); `iov` points to `n` iovec-shaped entries.
    unsafe {
        match (off < 0, n == 1) {
            (true, true) => libc::write(fd, bufs[0].base.cast(), bufs[0].len),
            (true, false) => libc::writev(fd, iov, n as c_int),
            (false, true) => libc::pwrite(fd, bufs[0].base.cast(), bufs[0].len, off),
            (false, false) => libc::pwritev(fd, iov, n as c_int, off),
        }
    }
}

/// Writes all of `bufs`: at the file position when `off < 0`, else at `off` (advancing
/// past each chunk written). Short writes continue where they stopped, `IOV_MAX` buffers
/// at a time, and `EINTR` is retried. An error after some bytes were written ends the
/// loop and returns the count (the bytes are out); an error before any is returned.
/// `bufs` is consumed: entries are advanced past what was written.
///
/// # Safety
/// Each buffer's `base` is readable memory of its `len` bytes.
pub(crate) unsafe fn write(fd: c_int, bufs: &mut [uv_buf_t], mut off: i64) -> Res<usize> {
    if bufs.is_empty() {
        return Err(UV_EINVAL);
    }
    let mut total = 0usize;
    let mut rest = bufs;
    while !rest.is_empty() {
        // SAFETY: readable buffers (caller).
        let written = match cvt_r(|| unsafe { write_once(fd, rest, off) }) {
            Ok(0) => break,
            Ok(w) => w as usize,
            Err(e) if total == 0 => return Err(e),
            Err(_) => break,
        };
        if off >= 0 {
            off += written as i64;
        }
        total += written;
        // Drop the buffers written in full, trim a partly written one.
        let mut left = written;
        let mut i = 0;
        while left > 0 && i < rest.len() && rest[i].len <= left {
            left -= rest[i].len;
            i += 1;
        }
        let tail = core::mem::take(&mut rest);
        rest = &mut tail[i..];
        if left > 0 && !rest.is_empty() {
            // SAFETY: `left < rest[0].len`, so the new base stays inside the buffer.
            rest[0].base = unsafe { rest[0].base.add(left) };
            rest[0].len -= left;
        }
    }
    Ok(total)
}

/// Runs a path operation returning 0 or -1, retrying `EINTR`.
fn unit(f: impl FnMut() -> c_int) -> Res<()> {
    cvt_r(f).map(drop)
}

pub(crate) fn unlink(path: &CStr) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::unlink(path.as_ptr()) })
}

pub(crate) fn rmdir(path: &CStr) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::rmdir(path.as_ptr()) })
}

pub(crate) fn mkdir(path: &CStr, mode: libc::mode_t) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::mkdir(path.as_ptr(), mode) })
}

pub(crate) fn rename(from: &CStr, to: &CStr) -> Res<()> {
    // SAFETY: NUL-terminated paths.
    unit(|| unsafe { libc::rename(from.as_ptr(), to.as_ptr()) })
}

pub(crate) fn link(from: &CStr, to: &CStr) -> Res<()> {
    // SAFETY: NUL-terminated paths.
    unit(|| unsafe { libc::link(from.as_ptr(), to.as_ptr()) })
}

/// `symlink(target, path)`. libuv's `UV_FS_SYMLINK_*` flags matter on Windows only.
pub(crate) fn symlink(target: &CStr, path: &CStr) -> Res<()> {
    // SAFETY: NUL-terminated paths.
    unit(|| unsafe { libc::symlink(target.as_ptr(), path.as_ptr()) })
}

pub(crate) fn access(path: &CStr, mode: c_int) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::access(path.as_ptr(), mode) })
}

pub(crate) fn chmod(path: &CStr, mode: libc::mode_t) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::chmod(path.as_ptr(), mode) })
}

pub(crate) fn fchmod(fd: c_int, mode: libc::mode_t) -> Res<()> {
    // SAFETY: no memory involved.
    unit(|| unsafe { libc::fchmod(fd, mode) })
}

pub(crate) fn chown(path: &CStr, uid: libc::uid_t, gid: libc::gid_t) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::chown(path.as_ptr(), uid, gid) })
}

pub(crate) fn lchown(path: &CStr, uid: libc::uid_t, gid: libc::gid_t) -> Res<()> {
    // SAFETY: NUL-terminated path.
    unit(|| unsafe { libc::lchown(path.as_ptr(), uid, gid) })
}

pub(crate) fn fchown(fd: c_int, uid: libc::uid_t, gid: libc::gid_t) -> Res<()> {
    // SAFETY: no memory involved.
    unit(|| unsafe { libc::fchown(fd, uid, gid) })
}

pub(crate) fn fsync(fd: c_int) -> Res<()> {
    // SAFETY: no memory involved.
    unit(|| unsafe { libc::fsync(fd) })
}

pub(crate) fn fdatasync(fd: c_int) -> Res<()> {
    // SAFETY: no memory involved.
    unit(|| unsafe { libc::fdatasync(fd) })
}

pub(crate) fn ftruncate(fd: c_int, len: i64) -> Res<()> {
    // SAFETY: no memory involved.
    unit(|| unsafe { libc::ftruncate(fd, len) })
}

/// Seconds as a double to a `timespec`, as libuv 1.53 converts them: `UV_FS_UTIME_NOW`
/// (infinity) is the current time, `UV_FS_UTIME_OMIT` (NaN) leaves the time as it is;
/// otherwise whole seconds toward zero and the fraction in nanoseconds, a negative fraction
/// borrowed from the seconds (-0.25 s is -1 s + 750000000 ns). (libuv 1.44 also rounded
/// the fraction down to whole microseconds.)
pub(crate) fn to_timespec(t: f64) -> libc::timespec {
    let special = |v| libc::timespec {
        tv_sec: 0,
        tv_nsec: v,
    };
    if t.is_infinite() {
        return special(libc::UTIME_NOW);
    }
    if t.is_nan() {
        return special(libc::UTIME_OMIT);
    }
    let mut sec = t as i64;
    let mut nsec = ((t - sec as f64) * 1e9) as i64;
    if nsec < 0 {
        nsec += 1_000_000_000;
        sec -= 1;
    }
    libc::timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

fn utimens_at(path: &CStr, atime: f64, mtime: f64, flags: c_int) -> Res<()> {
    let ts = [to_timespec(atime), to_timespec(mtime)];
    // SAFETY: NUL-terminated path; `ts` holds the two timespecs utimensat reads.
    unit(|| unsafe { libc::utimensat(libc::AT_FDCWD, path.as_ptr(), ts.as_ptr(), flags) })
}

/// Sets access and modification times (seconds since the epoch), following symlinks.
pub(crate) fn utime(path: &CStr, atime: f64, mtime: f64) -> Res<()> {
    utimens_at(path, atime, mtime, 0)
}

/// Like [`utime`] on the link itself.
pub(crate) fn lutime(path: &CStr, atime: f64, mtime: f64) -> Res<()> {
    utimens_at(path, atime, mtime, libc::AT_SYMLINK_NOFOLLOW)
}

pub(crate) fn futime(fd: c_int, atime: f64, mtime: f64) -> Res<()> {
    let ts = [to_timespec(atime), to_timespec(mtime)];
    // SAFETY: `ts` holds the two timespecs futimens reads.
    unit(|| unsafe { libc::futimens(fd, ts.as_ptr()) })
}

/// The target of the symbolic link `path`, however long.
pub(crate) fn readlink(path: &CStr) -> Res<CString> {
    let mut cap = libc::PATH_MAX as usize;
    loop {
        let mut buf = vec![0u8; cap];
        // SAFETY: `buf` is writable for `cap` bytes.
        let n = cvt_r(|| unsafe { libc::readlink(path.as_ptr(), buf.as_mut_ptr().cast(), cap) })?;
        let n = n as usize;
        if n < cap {
            buf.truncate(n);
            // A link target never holds a NUL byte.
            return CString::new(buf).map_err(|_| UV_EINVAL);
        }
        cap *= 2;
    }
}

/// The canonical absolute name of `path` (symlinks, `.` and `..` resolved).
pub(crate) fn realpath(path: &CStr) -> Res<CString> {
    // SAFETY: NUL-terminated path; a NULL buffer asks realpath to allocate one.
    let p = unsafe { libc::realpath(path.as_ptr(), core::ptr::null_mut()) };
    if p.is_null() {
        return Err(crate::abi::errno::last_error());
    }
    // SAFETY: realpath returned a NUL-terminated string allocated with malloc.
    unsafe {
        let s = CStr::from_ptr(p).to_owned();
        libc::free(p.cast());
        Ok(s)
    }
}

/// Does the template (with its NUL) end in `XXXXXX`?
fn has_x6(tpl: &[u8]) -> bool {
    let s = tpl.strip_suffix(b"\0").unwrap_or(tpl);
    s.ends_with(b"XXXXXX")
}

/// `mkdtemp` in place: `tpl` is a NUL-terminated template ending in `XXXXXX`, which the
/// directory's generated name replaces.
pub(crate) fn mkdtemp(tpl: &mut [u8]) -> Res<()> {
    if tpl.last() != Some(&0) {
        return Err(UV_EINVAL);
    }
    // SAFETY: `tpl` is a writable NUL-terminated string.
    let p = unsafe { libc::mkdtemp(tpl.as_mut_ptr().cast()) };
    if p.is_null() {
        Err(crate::abi::errno::last_error())
    } else {
        Ok(())
    }
}

/// `mkstemp` in place, with close-on-exec: creates and opens a new file named from the
/// template, returns its descriptor. On failure the name is cleared (`tpl[0] = 0`), as
/// libuv does.
pub(crate) fn mkstemp(tpl: &mut [u8]) -> Res<c_int> {
    let r = if tpl.last() != Some(&0) || !has_x6(tpl) {
        Err(UV_EINVAL)
    } else {
        // SAFETY: `tpl` is a writable NUL-terminated string.
        cvt_r(|| unsafe { libc::mkostemp(tpl.as_mut_ptr().cast(), libc::O_CLOEXEC) })
    };
    if r.is_err()
        && let Some(b) = tpl.first_mut()
    {
        *b = 0;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespec_conversion() {
        let t = to_timespec(-14245440.25);
        assert_eq!((t.tv_sec, t.tv_nsec), (-14245441, 750_000_000));
        // Nanoseconds are kept (libuv 1.44 rounded them down to microseconds).
        let t = to_timespec(1.5e-7);
        assert_eq!((t.tv_sec, t.tv_nsec), (0, 150));
        assert_eq!(to_timespec(f64::INFINITY).tv_nsec, libc::UTIME_NOW);
        assert_eq!(to_timespec(f64::NAN).tv_nsec, libc::UTIME_OMIT);
        let t = to_timespec(400497753.25);
        assert_eq!((t.tv_sec, t.tv_nsec), (400497753, 250_000_000));
    }

    #[test]
    fn mkstemp_checks_template() {
        let mut t = *b"/tmp/abc\0";
        assert_eq!(mkstemp(&mut t), Err(UV_EINVAL));
        assert_eq!(t[0], 0);
    }

    #[test]
    fn bad_fd_is_ebadf() {
        let mut b = [0u8; 4];
        let bufs = [uv_buf_t {
            base: b.as_mut_ptr().cast(),
            len: 4,
        }];
        // SAFETY: `b` is writable for 4 bytes.
        let r = unsafe { read(-1, &bufs, -1) };
        assert_eq!(r, Err(crate::abi::errno::UV_EBADF));
        assert_eq!(close(-1), Err(crate::abi::errno::UV_EBADF));
    }
}
