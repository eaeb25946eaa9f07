//! File status: `stat`, `lstat`, `fstat` as libuv's `uv_stat_t`, and `statfs`.
//!
//! Linux ≥ 4.11 has `statx`, which also reports the birth time; it is tried first, and when
//! it is missing or refused (`ENOSYS`, `EPERM` from a seccomp filter, `EINVAL`,
//! `EOPNOTSUPP`) it is never tried again and `stat(2)` serves, with the birth time taken
//! from the change time (libuv does the same).

use super::{Res, cvt_r};
use crate::abi::uv_statfs_t;
use crate::abi::{uv_stat_t, uv_timespec_t};
use core::ffi::{CStr, c_int};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once `statx` turned out to be unusable.
static NO_STATX: AtomicBool = AtomicBool::new(false);

/// `STATX_BASIC_STATS | STATX_BTIME`.
const STATX_MASK: u32 = 0xfff;

fn ts(sec: i64, nsec: i64) -> uv_timespec_t {
    uv_timespec_t {
        tv_sec: sec,
        tv_nsec: nsec,
    }
}

pub(super) fn from_statx(s: &libc::statx) -> uv_stat_t {
    let st = |t: &libc::statx_timestamp| ts(t.tv_sec, t.tv_nsec as i64);
    uv_stat_t {
        st_dev: libc::makedev(s.stx_dev_major, s.stx_dev_minor),
        st_mode: s.stx_mode as u64,
        st_nlink: s.stx_nlink as u64,
        st_uid: s.stx_uid as u64,
        st_gid: s.stx_gid as u64,
        st_rdev: libc::makedev(s.stx_rdev_major, s.stx_rdev_minor),
        st_ino: s.stx_ino,
        st_size: s.stx_size,
        st_blksize: s.stx_blksize as u64,
        st_blocks: s.stx_blocks,
        st_flags: 0,
        st_gen: 0,
        st_atim: st(&s.stx_atime),
        st_mtim: st(&s.stx_mtime),
        st_ctim: st(&s.stx_ctime),
        st_birthtim: st(&s.stx_btime),
    }
}

fn from_stat(s: &libc::stat) -> uv_stat_t {
    uv_stat_t {
        st_dev: s.st_dev,
        st_mode: s.st_mode as u64,
        st_nlink: s.st_nlink,
        st_uid: s.st_uid as u64,
        st_gid: s.st_gid as u64,
        st_rdev: s.st_rdev,
        st_ino: s.st_ino,
        st_size: s.st_size as u64,
        st_blksize: s.st_blksize as u64,
        st_blocks: s.st_blocks as u64,
        st_flags: 0,
        st_gen: 0,
        st_atim: ts(s.st_atime, s.st_atime_nsec),
        st_mtim: ts(s.st_mtime, s.st_mtime_nsec),
        st_ctim: ts(s.st_ctime, s.st_ctime_nsec),
        st_birthtim: ts(s.st_ctime, s.st_ctime_nsec),
    }
}

/// `statx(dirfd, path, flags)`, or `None` when statx is unavailable.
fn statx(dirfd: c_int, path: &CStr, flags: c_int) -> Option<Res<uv_stat_t>> {
    if NO_STATX.load(Ordering::Relaxed) {
        return None;
    }
    // SAFETY: plain-data struct, filled by the kernel.
    let mut buf: libc::statx = unsafe { core::mem::zeroed() };
    // SAFETY: NUL-terminated path; `buf` is a writable statx.
    let r = cvt_r(|| unsafe { libc::statx(dirfd, path.as_ptr(), flags, STATX_MASK, &mut buf) });
    match r {
        Ok(0) => Some(Ok(from_statx(&buf))),
        Err(e)
            if e != -libc::EINVAL
                && e != -libc::EPERM
                && e != -libc::ENOSYS
                && e != -libc::EOPNOTSUPP =>
        {
            Some(Err(e))
        }
        _ => {
            NO_STATX.store(true, Ordering::Relaxed);
            None
        }
    }
}

fn stat_with(f: impl Fn(*mut libc::stat) -> c_int) -> Res<uv_stat_t> {
    // SAFETY: plain-data struct, filled by the kernel.
    let mut buf: libc::stat = unsafe { core::mem::zeroed() };
    cvt_r(|| f(&mut buf))?;
    Ok(from_stat(&buf))
}

/// `stat(path)`: follows symbolic links.
pub(crate) fn stat(path: &CStr) -> Res<uv_stat_t> {
    if let Some(r) = statx(libc::AT_FDCWD, path, 0) {
        return r;
    }
    // SAFETY: NUL-terminated path; `b` is a writable stat.
    stat_with(|b| unsafe { libc::stat(path.as_ptr(), b) })
}

/// `lstat(path)`: a symbolic link itself.
pub(crate) fn lstat(path: &CStr) -> Res<uv_stat_t> {
    if let Some(r) = statx(libc::AT_FDCWD, path, libc::AT_SYMLINK_NOFOLLOW) {
        return r;
    }
    // SAFETY: NUL-terminated path; `b` is a writable stat.
    stat_with(|b| unsafe { libc::lstat(path.as_ptr(), b) })
}

/// `fstat(fd)`.
pub(crate) fn fstat(fd: c_int) -> Res<uv_stat_t> {
    if let Some(r) = statx(fd, c"", libc::AT_EMPTY_PATH) {
        return r;
    }
    // SAFETY: `b` is a writable stat.
    stat_with(|b| unsafe { libc::fstat(fd, b) })
}

/// `statfs(path)`: the file system's block and inode counts.
pub(crate) fn statfs(path: &CStr) -> Res<uv_statfs_t> {
    // SAFETY: plain-data struct, filled by the kernel.
    let mut b: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: NUL-terminated path; `b` is a writable statfs.
    cvt_r(|| unsafe { libc::statfs(path.as_ptr(), &mut b) })?;
    Ok(uv_statfs_t {
        f_type: b.f_type as u64,
        f_bsize: b.f_bsize as u64,
        f_blocks: b.f_blocks,
        f_bfree: b.f_bfree,
        f_bavail: b.f_bavail,
        f_files: b.f_files,
        f_ffree: b.f_ffree,
        f_frsize: b.f_frsize as u64,
        f_spare: [0; 3],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_fstat_agree() {
        let a = stat(c"/").unwrap();
        assert_eq!(a.st_mode as u32 & libc::S_IFMT, libc::S_IFDIR);
        // SAFETY: opening "/" read-only.
        let fd = unsafe { libc::open(c"/".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
        assert!(fd >= 0);
        let b = fstat(fd).unwrap();
        assert_eq!((a.st_dev, a.st_ino), (b.st_dev, b.st_ino));
        super::super::ops::close(fd).unwrap();
        assert_eq!(fstat(-1).err(), Some(crate::abi::errno::UV_EBADF));
        assert_eq!(
            stat(c"/nonexistent/x").err(),
            Some(crate::abi::errno::UV_ENOENT)
        );
        assert!(statfs(c"/").unwrap().f_bsize > 0);
    }
}
