//! C entry points of the file system requests: every `uv_fs_*` function of libuv 1.44.
//!
//! Each call fills the caller's `uv_fs_t` as libuv's does (type `UV_FS`, `fs_type`, `loop`,
//! `cb`, `result` 0, `ptr`/`path`/`new_path`/`bufs` NULL, then the operation's arguments in
//! libuv's private fields), then:
//! - with no callback, runs the operation on the calling thread and returns `req->result`;
//! - with a callback, queues it on the thread pool ([`crate::pool`], fast-I/O class) and
//!   returns 0; the operation runs on a pool thread and the callback on the loop thread,
//!   from the loop's wake-up in the poll phase, with `req->result` set (`UV_ECANCELED` when
//!   `uv_cancel` took the request back before it started).
//!
//! The memory a request holds, and when `uv_fs_req_cleanup` frees it, is described in
//! [`crate::fs::req`].
//!
//! Bad input (NULL request, NULL path or buffers, a NULL loop with a callback) returns
//! `UV_EINVAL` and runs nothing. The operations themselves are in [`crate::fs`]; the
//! request machinery (set-up, dispatch, completion, cleanup) is in [`crate::fs::req`].
//!
//! Every function here is called on the loop thread (or any thread, without a callback);
//! the accessors read the request only.
//!
//! # Safety (all functions)
//! `req` is NULL or a writable `uv_fs_t` that stays valid until the callback has run
//! (asynchronous) or the call returned (synchronous); strings are NULL or NUL-terminated;
//! `bufs` holds `nbufs` buffers of valid memory that stays valid until completion; `loop`
//! is an initialised loop when a callback is given.

use super::check;
use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::fs::req::*;
use core::ffi::c_void;
use core::ffi::{CStr, c_char, c_int, c_uint};
use core::ptr;

// ---------------------------------------------------------------------------------------
// The operations. Each is libuv's prototype; see the module docs for the common contract.

/// Opens `path` with `UV_FS_O_*` flags (close-on-exec added); result: the descriptor.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_open(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    flags: c_int,
    mode: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_OPEN, |r| {
            set_path(r, path)?;
            (*r).flags = flags;
            (*r).mode = mode as libc::mode_t;
            Ok(())
        })
    }
}

/// Closes `file`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_close(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `fd_op` checks `req`.
    unsafe { fd_op(r#loop, req, cb, UV_FS_CLOSE, file) }
}

/// `uv_fs_read` and `uv_fs_write`: they differ only in their type.
///
/// # Safety
/// See the module docs.
#[allow(clippy::too_many_arguments)]
unsafe fn rw_op(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    cb: uv_fs_cb,
    ty: c_int,
    file: uv_file,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    offset: i64,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, ty, |r| {
            // libuv 1.53: a write of more than IO_MAX_BYTES in all is refused, not cut;
            // after the request's INIT, as libuv, so that cleanup may read it.
            if ty == UV_FS_WRITE && check::bufs(bufs, nbufs).is_err() {
                return Err(UV_EINVAL);
            }
            set_bufs(r, bufs, nbufs)?;
            (*r).file = file;
            (*r).off = offset;
            Ok(())
        })
    }
}

/// Reads into `bufs` at `offset`, or at the file position when `offset < 0`; result: the
/// bytes read (0 at end of file).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_read(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    offset: i64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { rw_op(r#loop, req, cb, UV_FS_READ, file, bufs, nbufs, offset) }
}

/// Writes all of `bufs` at `offset`, or at the file position when `offset < 0`; result:
/// the bytes written.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_write(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    offset: i64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { rw_op(r#loop, req, cb, UV_FS_WRITE, file, bufs, nbufs, offset) }
}

/// Removes the file `path`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_unlink(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_UNLINK, path) }
}

/// Creates the directory `path`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_mkdir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    mode: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_MKDIR, |r| {
            set_path(r, path)?;
            (*r).mode = mode as libc::mode_t;
            Ok(())
        })
    }
}

/// Creates a directory named from `tpl` (ending in `XXXXXX`); `req->path` becomes the name.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_mkdtemp(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    tpl: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_MKDTEMP, |r| {
            if tpl.is_null() {
                return Err(UV_EINVAL);
            }
            (*r).path = dup(CStr::from_ptr(tpl).to_bytes_with_nul())?;
            Ok(())
        })
    }
}

/// Creates and opens a file named from `tpl` (ending in `XXXXXX`); `req->path` becomes the
/// name, the result the descriptor.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_mkstemp(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    tpl: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_MKSTEMP, |r| {
            if tpl.is_null() {
                return Err(UV_EINVAL);
            }
            (*r).path = dup(CStr::from_ptr(tpl).to_bytes_with_nul())?;
            Ok(())
        })
    }
}

/// Removes the empty directory `path`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_rmdir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_RMDIR, path) }
}

/// Lists a directory (sorted, without `.` and `..`); result: the entry count. Walk it with
/// `uv_fs_scandir_next`. `flags` is unused, as in libuv.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_scandir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    flags: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_SCANDIR, |r| {
            set_path(r, path)?;
            (*r).flags = flags;
            Ok(())
        })
    }
}

/// Opens a directory stream; `req->ptr` is the `uv_dir_t`, whose `dirents` and `nentries`
/// the caller sets before `uv_fs_readdir`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_opendir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_OPENDIR, path) }
}

/// Reads up to `dir->nentries` entries into `dir->dirents`; result: the count (0 at the
/// end). The names are freed by `uv_fs_req_cleanup`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_readdir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    dir: *mut uv_dir_t,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_READDIR, |r| {
            if dir.is_null() || (*dir).dir.is_null() || (*dir).dirents.is_null() {
                return Err(UV_EINVAL);
            }
            (*r).ptr = dir.cast();
            Ok(())
        })
    }
}

/// Closes a directory stream and frees `dir`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_closedir(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    dir: *mut uv_dir_t,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_CLOSEDIR, |r| {
            if dir.is_null() {
                return Err(UV_EINVAL);
            }
            (*r).ptr = dir.cast();
            Ok(())
        })
    }
}

/// `stat(path)`; the result in `req->statbuf` (and `req->ptr`).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_stat(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_STAT, path) }
}

/// `fstat(file)`; the result in `req->statbuf` (and `req->ptr`).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_fstat(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `fd_op` checks `req`.
    unsafe { fd_op(r#loop, req, cb, UV_FS_FSTAT, file) }
}

/// `lstat(path)`; the result in `req->statbuf` (and `req->ptr`).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_lstat(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_LSTAT, path) }
}

/// Renames `path` to `new_path`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_rename(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    new_path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_RENAME, |r| {
            set_path2(r, path, new_path)
        })
    }
}

/// Flushes `file`'s data and metadata to storage.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_fsync(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `fd_op` checks `req`.
    unsafe { fd_op(r#loop, req, cb, UV_FS_FSYNC, file) }
}

/// Flushes `file`'s data to storage.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_fdatasync(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `fd_op` checks `req`.
    unsafe { fd_op(r#loop, req, cb, UV_FS_FDATASYNC, file) }
}

/// Sets `file`'s size to `offset`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_ftruncate(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    offset: i64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_FTRUNCATE, |r| {
            (*r).file = file;
            (*r).off = offset;
            Ok(())
        })
    }
}

/// Copies `path` to `new_path` (flags: `UV_FS_COPYFILE_EXCL`, `_FICLONE`, `_FICLONE_FORCE`).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_copyfile(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    new_path: *const c_char,
    flags: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_COPYFILE, |r| {
            if flags
                & !(UV_FS_COPYFILE_EXCL | UV_FS_COPYFILE_FICLONE | UV_FS_COPYFILE_FICLONE_FORCE)
                != 0
            {
                return Err(UV_EINVAL);
            }
            set_path2(r, path, new_path)?;
            (*r).flags = flags;
            Ok(())
        })
    }
}

/// Copies up to `length` bytes from `in_fd` at `in_offset` to `out_fd`; result: the bytes
/// copied.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_sendfile(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    out_fd: uv_file,
    in_fd: uv_file,
    in_offset: i64,
    length: usize,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_SENDFILE, |r| {
            // libuv 1.53: one transfer moves at most IO_MAX_BYTES (checked after INIT).
            if length > crate::abi::IO_MAX_BYTES {
                return Err(UV_EINVAL);
            }
            // libuv keeps the input descriptor in `flags` and the length in `bufsml[0]`.
            (*r).flags = in_fd;
            (*r).file = out_fd;
            (*r).off = in_offset;
            (*r).bufsml[0].len = length;
            Ok(())
        })
    }
}

/// `access(path, mode)`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_access(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    mode: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_ACCESS, |r| {
            set_path(r, path)?;
            (*r).flags = mode;
            Ok(())
        })
    }
}

/// Sets `path`'s permission bits.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_chmod(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    mode: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_CHMOD, |r| {
            set_path(r, path)?;
            (*r).mode = mode as libc::mode_t;
            Ok(())
        })
    }
}

/// Sets the open file's permission bits.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_fchmod(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    mode: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_FCHMOD, |r| {
            (*r).file = file;
            (*r).mode = mode as libc::mode_t;
            Ok(())
        })
    }
}

/// Sets access and modification times, in seconds since the epoch (to the microsecond).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_utime(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    atime: f64,
    mtime: f64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_UTIME, |r| {
            set_path(r, path)?;
            (*r).atime = atime;
            (*r).mtime = mtime;
            Ok(())
        })
    }
}

/// As `uv_fs_utime`, on an open file.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_futime(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    atime: f64,
    mtime: f64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_FUTIME, |r| {
            (*r).file = file;
            (*r).atime = atime;
            (*r).mtime = mtime;
            Ok(())
        })
    }
}

/// As `uv_fs_utime`, on a symbolic link itself.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_lutime(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    atime: f64,
    mtime: f64,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_LUTIME, |r| {
            set_path(r, path)?;
            (*r).atime = atime;
            (*r).mtime = mtime;
            Ok(())
        })
    }
}

/// Creates the hard link `new_path` to `path`.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_link(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    new_path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_LINK, |r| {
            set_path2(r, path, new_path)
        })
    }
}

/// Creates the symbolic link `new_path` pointing to `path`; `flags` matter on Windows only.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_symlink(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    new_path: *const c_char,
    flags: c_int,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_SYMLINK, |r| {
            set_path2(r, path, new_path)?;
            (*r).flags = flags;
            Ok(())
        })
    }
}

/// The link's target, in `req->ptr` (freed by cleanup).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_readlink(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_READLINK, path) }
}

/// The canonical absolute path, in `req->ptr` (freed by cleanup).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_realpath(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_REALPATH, path) }
}

/// Sets `path`'s owner and group (-1 leaves one as it is).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_chown(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    uid: uv_uid_t,
    gid: uv_gid_t,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_CHOWN, |r| {
            set_path(r, path)?;
            (*r).uid = uid;
            (*r).gid = gid;
            Ok(())
        })
    }
}

/// As `uv_fs_chown`, on an open file.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_fchown(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    file: uv_file,
    uid: uv_uid_t,
    gid: uv_gid_t,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_FCHOWN, |r| {
            (*r).file = file;
            (*r).uid = uid;
            (*r).gid = gid;
            Ok(())
        })
    }
}

/// As `uv_fs_chown`, on a symbolic link itself.
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_lchown(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    uid: uv_uid_t,
    gid: uv_gid_t,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `start` checks `req` and `loop`
    // before the set-up, which checks every pointer it dereferences.
    unsafe {
        start(r#loop, req, cb, UV_FS_LCHOWN, |r| {
            set_path(r, path)?;
            (*r).uid = uid;
            (*r).gid = gid;
            Ok(())
        })
    }
}

/// File system statistics, in `req->ptr` (a `uv_statfs_t`, freed by cleanup).
///
/// # Safety
/// See the module docs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_statfs(
    r#loop: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: the caller meets the module contract; `path_op` checks `req` and `path`.
    unsafe { path_op(r#loop, req, cb, UV_FS_STATFS, path) }
}

// ---------------------------------------------------------------------------------------
// Cleanup and accessors.

/// Frees what the request holds (see [`crate::fs::req`]). Safe on a zeroed request and
/// when called twice.
///
/// # Safety
/// `req` is NULL or a request not in flight.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_req_cleanup(req: *mut uv_fs_t) {
    // SAFETY: `request` reads non-NULL request memory only: a request that was never
    // submitted (its type is not UV_FS), zeroed or not, holds nothing to free.
    if let Ok(req) = unsafe { check::request(req) } {
        // SAFETY: a submitted fs request, not in flight (caller).
        unsafe { cleanup(req) }
    }
}

/// The next entry of a `uv_fs_scandir` result: 0, `UV_EOF` after the last one (the listing
/// is then freed), or the request's error. `ent->name` stays valid until cleanup.
///
/// # Safety
/// `req` is NULL or a completed request; `ent` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_scandir_next(req: *mut uv_fs_t, ent: *mut uv_dirent_t) -> c_int {
    if req.is_null() || ent.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, completed request and writable entry (caller).
    unsafe { scandir_next(req, ent) }
}

/// # Safety
/// `req` is NULL or a readable request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_type(req: *const uv_fs_t) -> FsTypeArg {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request.
    unsafe { check::request(req) }.map_or(crate::abi::UV_FS_UNKNOWN, |r| unsafe { (*r).fs_type })
}

/// # Safety
/// `req` is NULL or a readable request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_result(req: *const uv_fs_t) -> libc::ssize_t {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request.
    unsafe { check::request(req) }.map_or(UV_EINVAL as isize, |r| unsafe { (*r).result })
}

/// The error as a positive `errno` value (libuv returns `-req->result`).
///
/// # Safety
/// `req` is NULL or a readable request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_system_error(req: *const uv_fs_t) -> c_int {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request.
    unsafe { check::request(req) }.map_or(libc::EINVAL, |r| unsafe {
        ((*r).result as c_int).wrapping_neg()
    })
}

/// # Safety
/// `req` is NULL or a readable request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_ptr(req: *const uv_fs_t) -> *mut c_void {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request.
    unsafe { check::request(req) }.map_or(ptr::null_mut(), |r| unsafe { (*r).ptr })
}

/// # Safety
/// `req` is NULL or a readable request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_path(req: *const uv_fs_t) -> *const c_char {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request.
    unsafe { check::request(req) }.map_or(ptr::null(), |r| unsafe { (*r).path })
}

/// # Safety
/// `req` is NULL or a live request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_get_statbuf(req: *mut uv_fs_t) -> *mut uv_stat_t {
    // SAFETY: `request` reads non-NULL request memory only; then a checked fs request,
    // of which only a field address is taken.
    unsafe { check::request(req) }.map_or(ptr::null_mut(), |r| unsafe { &raw mut (*r).statbuf })
}
