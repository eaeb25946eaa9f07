//! Copying between descriptors and files: `sendfile` and `copyfile`.
//!
//! [`sendfile`] copies in the kernel when it can: `copy_file_range(2)` first (file to file,
//! possibly a server-side or reflink copy), then `sendfile(2)`, and a user-space
//! read/write loop when neither applies (pipes, a non-seekable source, EXDEV, ...), with
//! libuv's fallback rules.
//!
//! [`copyfile`] follows libuv 1.44: open the source; create or open the destination with
//! the source's mode (`O_EXCL` with `UV_FS_COPYFILE_EXCL`); copying a file onto itself is
//! a successful no-op; otherwise truncate the destination, give it the source's mode,
//! clone it with `FICLONE` when asked (and fail if `FICLONE_FORCE` cannot), else copy with
//! [`sendfile`]. Any failure after the destination was opened removes it.

use super::{Res, cvt, cvt_r, ops};
use crate::abi::errno::{UV_EINVAL, UV_EIO, UV_ENOSYS, UV_EPERM};
use crate::abi::{UV_FS_COPYFILE_EXCL, UV_FS_COPYFILE_FICLONE, UV_FS_COPYFILE_FICLONE_FORCE};
use core::ffi::{CStr, c_int};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the kernel said it has no `copy_file_range`.
static NO_COPY_FILE_RANGE: AtomicBool = AtomicBool::new(false);

/// `statfs` magic numbers.
const CEPH_MAGIC: i64 = 0xC36400;
const SMB_MAGIC: u32 = 0x0000517B;
const SMB2_MAGIC: u32 = 0xFE534D42;
const CIFS_MAGIC: u32 = 0xFF534D42;

fn fs_type(fd: c_int) -> Option<i64> {
    // SAFETY: plain-data struct, filled by the kernel.
    let mut s: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: `s` is a writable statfs.
    (unsafe { libc::fstatfs(fd, &mut s) } == 0).then_some(s.f_type)
}

fn is_cifs_or_smb(fd: c_int) -> bool {
    matches!(fs_type(fd), Some(t) if matches!(t as u32, SMB_MAGIC | SMB2_MAGIC | CIFS_MAGIC))
}

/// Kernels before 4.20 misuse CephFS's copy-from in `copy_file_range`.
fn is_buggy_cephfs(fd: c_int) -> bool {
    if fs_type(fd) != Some(CEPH_MAGIC) {
        return false;
    }
    // SAFETY: plain-data struct, filled by uname.
    let mut u: libc::utsname = unsafe { core::mem::zeroed() };
    // SAFETY: `u` is a writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return false;
    }
    // SAFETY: uname NUL-terminates `release`.
    let rel = unsafe { CStr::from_ptr(u.release.as_ptr()) }.to_string_lossy();
    let mut it = rel
        .split(|c: char| !c.is_ascii_digit())
        .map(|s| s.parse::<u32>());
    match (it.next(), it.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) < (4, 20),
        _ => false,
    }
}

/// `copy_file_range(in_fd, &off, out_fd, NULL, len)`. `Err(UV_ENOSYS)` means "use another
/// way": the call is missing, or the file systems cannot do it.
fn try_copy_file_range(in_fd: c_int, off: &mut i64, out_fd: c_int, len: usize) -> Res<usize> {
    if NO_COPY_FILE_RANGE.load(Ordering::Relaxed) {
        return Err(UV_ENOSYS);
    }
    // SAFETY: `off` is a live i64; a NULL output offset uses the file position.
    let r = cvt_r(|| unsafe {
        libc::copy_file_range(in_fd, off, out_fd, core::ptr::null_mut(), len, 0)
    });
    match r {
        Ok(n) => Ok(n as usize),
        Err(e) if e == -libc::EACCES && is_buggy_cephfs(in_fd) => Err(UV_ENOSYS),
        Err(e) if e == UV_ENOSYS => {
            NO_COPY_FILE_RANGE.store(true, Ordering::Relaxed);
            Err(UV_ENOSYS)
        }
        Err(e) if e == UV_EPERM && is_cifs_or_smb(out_fd) => Err(UV_ENOSYS),
        Err(e) if e == -libc::ENOTSUP || e == -libc::EXDEV => Err(UV_ENOSYS),
        Err(e) => Err(e),
    }
}

/// Copies up to `len` bytes from `in_fd` at `off` (the source position is not used or
/// moved) to `out_fd` at its position. Returns the count and the offset after the last
/// byte copied. A count short of `len` is a normal result (end of file, a full pipe).
pub(crate) fn sendfile(out_fd: c_int, in_fd: c_int, off: i64, len: usize) -> Res<(usize, i64)> {
    let mut o = off;
    let r = match try_copy_file_range(in_fd, &mut o, out_fd, len) {
        Err(UV_ENOSYS) => {
            // SAFETY: `o` is a live off_t.
            cvt_r(|| unsafe { libc::sendfile(out_fd, in_fd, &mut o, len) }).map(|n| n as usize)
        }
        r => r,
    };
    match r {
        Ok(_) => Ok(((o - off) as usize, o)),
        Err(_) if o > off => Ok(((o - off) as usize, o)),
        Err(e) if e == UV_EINVAL || e == UV_EIO || e == -libc::ENOTSOCK || e == -libc::EXDEV => {
            sendfile_emul(out_fd, in_fd, off, len)
        }
        Err(e) => Err(e),
    }
}

/// The user-space copy: read (positioned when the source allows it, else from its
/// position), then write all of it, waiting with `poll` when a non-blocking output is
/// full. A read error is reported only when nothing was sent (else the count is); a
/// write error always is.
fn sendfile_emul(out_fd: c_int, in_fd: c_int, off: i64, len: usize) -> Res<(usize, i64)> {
    let mut buf = [0u8; 8192];
    let mut use_pread = true;
    let mut offset = off;
    let mut nsent = 0usize;
    while nsent < len {
        let want = (len - nsent).min(buf.len());
        // SAFETY: `buf` is writable for `want` bytes.
        let nread = cvt_r(|| unsafe {
            if use_pread {
                libc::pread(in_fd, buf.as_mut_ptr().cast(), want, offset)
            } else {
                libc::read(in_fd, buf.as_mut_ptr().cast(), want)
            }
        });
        let nread = match nread {
            Ok(0) => break,
            Ok(n) => n as usize,
            Err(e) if use_pread && nsent == 0 && (e == UV_EIO || e == -libc::ESPIPE) => {
                use_pread = false;
                continue;
            }
            Err(e) if nsent == 0 => return Err(e),
            Err(_) => break,
        };
        let mut nwritten = 0;
        while nwritten < nread {
            // SAFETY: `buf[nwritten..nread]` is initialised, readable memory.
            let n = cvt_r(|| unsafe {
                libc::write(out_fd, buf[nwritten..].as_ptr().cast(), nread - nwritten)
            });
            match n {
                Ok(n) => nwritten += n as usize,
                Err(e) if e == -libc::EAGAIN || e == -libc::EWOULDBLOCK => wait_writable(out_fd)?,
                Err(e) => return Err(e),
            }
        }
        offset += nread as i64;
        nsent += nread;
    }
    Ok((nsent, offset))
}

/// Blocks until `fd` is writable; a hang-up or error is `UV_EIO`.
fn wait_writable(fd: c_int) -> Res<()> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one live pollfd.
    match cvt_r(|| unsafe { libc::poll(&mut pfd, 1, -1) }) {
        Ok(_) if pfd.revents & !libc::POLLOUT == 0 => Ok(()),
        _ => Err(UV_EIO),
    }
}

/// Copies the file `src` to `dst`; see the module docs. `flags` is a set of
/// `UV_FS_COPYFILE_*` bits (others are `UV_EINVAL`).
pub(crate) fn copyfile(src: &CStr, dst: &CStr, flags: c_int) -> Res<()> {
    if flags & !(UV_FS_COPYFILE_EXCL | UV_FS_COPYFILE_FICLONE | UV_FS_COPYFILE_FICLONE_FORCE) != 0 {
        return Err(UV_EINVAL);
    }
    let srcfd = ops::open(src, libc::O_RDONLY, 0)?;
    let mut dstfd = -1;
    let mut result = copy_open(srcfd, dst, flags, &mut dstfd);
    let closed = ops::close(srcfd);
    if result.is_ok() {
        result = closed;
    }
    if dstfd >= 0 {
        let closed = ops::close(dstfd);
        if result.is_ok() {
            result = closed;
        }
        if result.is_err() {
            let _ = ops::unlink(dst);
        }
    }
    result
}

/// The part of [`copyfile`] after the source is open; sets `*dstfd` once the destination
/// is open, so the caller closes (and on failure removes) it.
fn copy_open(srcfd: c_int, dst: &CStr, flags: c_int, dstfd: &mut c_int) -> Res<()> {
    // SAFETY: plain-data structs, filled by the kernel.
    let (mut ss, mut ds): (libc::stat, libc::stat) = unsafe { core::mem::zeroed() };
    // SAFETY: `ss` is a writable stat.
    cvt(unsafe { libc::fstat(srcfd, &mut ss) })?;
    let mut dflags = libc::O_WRONLY | libc::O_CREAT;
    if flags & UV_FS_COPYFILE_EXCL != 0 {
        dflags |= libc::O_EXCL;
    }
    *dstfd = ops::open(dst, dflags, ss.st_mode as c_int)?;
    let out = *dstfd;
    if flags & UV_FS_COPYFILE_EXCL == 0 {
        // SAFETY: `ds` is a writable stat.
        cvt(unsafe { libc::fstat(out, &mut ds) })?;
        if ss.st_dev == ds.st_dev && ss.st_ino == ds.st_ino {
            return Ok(());
        }
        ops::ftruncate(out, 0)?;
    }
    match ops::fchmod(out, ss.st_mode) {
        // fchmod on CIFS fails with EPERM unless mounted "noperm"; it means nothing there.
        Err(e) if !(e == UV_EPERM && is_cifs_or_smb(out)) => return Err(e),
        _ => {}
    }
    if flags & (UV_FS_COPYFILE_FICLONE | UV_FS_COPYFILE_FICLONE_FORCE) != 0 {
        // SAFETY: FICLONE takes the source descriptor as its argument.
        match cvt(unsafe { libc::ioctl(out, libc::FICLONE, srcfd) }) {
            Ok(_) => return Ok(()),
            Err(e) if flags & UV_FS_COPYFILE_FICLONE_FORCE != 0 => return Err(e),
            Err(_) => {}
        }
    }
    let mut left = ss.st_size.max(0) as u64;
    let mut off = 0i64;
    while left > 0 {
        let chunk = left.min(isize::MAX as u64) as usize;
        let (n, _) = sendfile(out, srcfd, off, chunk)?;
        if n == 0 {
            // The source shrank while we copied it.
            break;
        }
        left -= n as u64;
        off += n as i64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendfile_through_a_pipe_uses_the_fallbacks() {
        let mut p = [0; 2];
        // SAFETY: `p` holds two descriptors.
        assert_eq!(unsafe { libc::pipe(p.as_mut_ptr()) }, 0);
        let src = ops::open(c"/proc/self/exe", libc::O_RDONLY, 0).unwrap();
        let (n, off) = sendfile(p[1], src, 10, 100).unwrap();
        assert_eq!((n, off), (100, 110));
        let mut b = [0u8; 100];
        // SAFETY: `b` is writable.
        assert_eq!(unsafe { libc::read(p[0], b.as_mut_ptr().cast(), 100) }, 100);
        for fd in [src, p[0], p[1]] {
            ops::close(fd).unwrap();
        }
        assert_eq!(
            sendfile(-1, -1, 0, 1).unwrap_err(),
            crate::abi::errno::UV_EBADF
        );
    }
}
