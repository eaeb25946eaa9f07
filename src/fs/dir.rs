//! Directories: `scandir`'s whole sorted listing, and the streaming
//! `opendir`/`readdir`/`closedir`.
//!
//! Both skip `.` and `..`. Entry types come from `d_type` (`UV_DIRENT_UNKNOWN` when the
//! file system does not fill it). `scandir` sorts by byte order of the names (`strcmp`), as
//! libuv's use of `scandir(3)` with a `strcmp` comparator does.

use super::Res;
use crate::abi::uv_dirent_type_t;
use core::ffi::{CStr, c_int};
use std::ffi::CString;

/// One directory entry: its name and `uv_dirent_type_t`.
pub(crate) struct Entry {
    pub(crate) name: CString,
    pub(crate) kind: c_int,
}

/// The result of `uv_fs_scandir`, handed out one entry at a time by `uv_fs_scandir_next`.
pub(crate) struct ScanDir {
    entries: Vec<Entry>,
    next: usize,
}

impl ScanDir {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The next entry, or `None` at the end. Earlier entries stay valid.
    pub(crate) fn next_entry(&mut self) -> Option<&Entry> {
        let e = self.entries.get(self.next)?;
        self.next += 1;
        Some(e)
    }
}

/// `d_type` to `uv_dirent_type_t`.
pub(crate) fn dirent_type(d_type: u8) -> c_int {
    use uv_dirent_type_t::*;
    (match d_type {
        libc::DT_DIR => UV_DIRENT_DIR,
        libc::DT_REG => UV_DIRENT_FILE,
        libc::DT_LNK => UV_DIRENT_LINK,
        libc::DT_FIFO => UV_DIRENT_FIFO,
        libc::DT_SOCK => UV_DIRENT_SOCKET,
        libc::DT_CHR => UV_DIRENT_CHAR,
        libc::DT_BLK => UV_DIRENT_BLOCK,
        _ => UV_DIRENT_UNKNOWN,
    }) as c_int
}

/// Opens a directory stream (close-on-exec).
pub(crate) fn opendir(path: &CStr) -> Res<*mut libc::DIR> {
    // SAFETY: NUL-terminated path.
    let d = unsafe { libc::opendir(path.as_ptr()) };
    if d.is_null() {
        Err(crate::abi::errno::last_error())
    } else {
        Ok(d)
    }
}

/// Closes a stream from [`opendir`].
///
/// # Safety
/// `dir` is an open stream, not used afterwards.
pub(crate) unsafe fn closedir(dir: *mut libc::DIR) {
    // SAFETY: open stream (caller).
    unsafe { libc::closedir(dir) };
}

/// Reads up to `max` entries other than `.` and `..` (fewer at the end of the directory).
///
/// # Safety
/// `dir` is an open stream that no other thread uses meanwhile.
pub(crate) unsafe fn readdir(dir: *mut libc::DIR, max: usize) -> Res<Vec<Entry>> {
    let mut out = Vec::new();
    while out.len() < max {
        // readdir returns NULL both at the end and on error; errno tells them apart.
        // SAFETY: errno is this thread's; `dir` is an open stream (caller).
        let d = unsafe {
            *libc::__errno_location() = 0;
            libc::readdir(dir)
        };
        if d.is_null() {
            // SAFETY: errno is this thread's.
            let e = unsafe { *libc::__errno_location() };
            return if e != 0 { Err(-e) } else { Ok(out) };
        }
        // SAFETY: readdir returned a live entry with a NUL-terminated name; it stays
        // valid until the next readdir on `dir`.
        let (name, kind) = unsafe { (CStr::from_ptr((*d).d_name.as_ptr()), (*d).d_type) };
        let b = name.to_bytes();
        if b == b"." || b == b".." {
            continue;
        }
        out.push(Entry {
            name: name.to_owned(),
            kind: dirent_type(kind),
        });
    }
    Ok(out)
}

/// The whole directory, sorted by name.
pub(crate) fn scandir(path: &CStr) -> Res<ScanDir> {
    let d = opendir(path)?;
    // SAFETY: `d` is ours until the closedir below.
    let r = unsafe { readdir(d, usize::MAX) };
    // SAFETY: opened above, not used again.
    unsafe { closedir(d) };
    let mut entries = r?;
    entries.sort_unstable_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok(ScanDir { entries, next: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scandir_lists_sorted_without_dots() {
        let s = scandir(c"/").unwrap();
        let names: Vec<_> = s.entries.iter().map(|e| e.name.as_bytes()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(!names.contains(&&b"."[..]) && !names.contains(&&b".."[..]));
        assert_eq!(
            scandir(c"/nonexistent").err(),
            Some(crate::abi::errno::UV_ENOENT)
        );
        assert_eq!(
            scandir(c"/proc/self/exe").err(),
            Some(crate::abi::errno::UV_ENOTDIR)
        );
    }
}
