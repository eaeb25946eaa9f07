//! The `uv_fs_t` request lifecycle: libuv's `INIT`/`PATH`/`POST` ([`start`],
//! [`set_path`], [`set_path2`], [`set_bufs`]), the dispatcher that runs an operation from
//! the request's fields and stores its outcome ([`run`]), the pool's work and done
//! functions, and what reads or frees a finished request ([`cleanup`], [`scandir_next`]).
//! [`path_op`], [`fd_op`] and [`stat`] are the set-ups of the one-argument operations.
//!
//! Memory, as in libuv (and freed by [`cleanup`], which is safe to call twice or on a
//! zeroed request):
//! - `path`/`new_path`: the caller's strings for synchronous calls; for asynchronous ones a
//!   copy (one allocation holding both). `mkdtemp`/`mkstemp` always copy the template,
//!   which becomes the generated name.
//! - `bufs`: the caller's `uv_buf_t` array is copied (into `bufsml` for up to 4, else an
//!   allocation), so it need not outlive the call; read and write free it when done.
//! - `ptr`: `&req->statbuf` after a stat; a `uv_malloc`'d string (readlink, realpath),
//!   `uv_statfs_t` (statfs) or `uv_dir_t` (opendir, freed by closedir); rsuv's own listing
//!   for scandir (walked by [`scandir_next`], freed at `UV_EOF` or by cleanup).
//! - readdir's `dirents[i].name`: `uv_malloc`'d copies, freed by cleanup.
//!
//! # Safety (the request functions)
//! `req` is NULL or a writable `uv_fs_t` that stays valid until the callback has run
//! (asynchronous) or the call returned (synchronous); strings are NULL or NUL-terminated;
//! `bufs` holds `nbufs` buffers of valid memory that stays valid until completion; `loop`
//! is an initialised loop when a callback is given.

use super::dir::ScanDir;
use super::{Res, copy, dir, ops, stat};
use crate::abi::UV_FS;
use crate::abi::alloc::{self, UvBox};
use crate::abi::errno::{UV_ECANCELED, UV_EINVAL, UV_ENOMEM, UV_EOF};
use crate::abi::*;
use core::ffi::{CStr, c_char, c_int, c_uint};
use core::mem::{offset_of, size_of};
use core::ptr;

// ---------------------------------------------------------------------------------------
// Request set-up, dispatch and completion.

/// The request a pool work item is embedded in.
///
/// # Safety
/// `w` is the `work_req` field of a `uv_fs_t`.
pub(super) unsafe fn req_of(w: *mut uv__work) -> *mut uv_fs_t {
    // SAFETY: `w` lies `offset_of!(work_req)` bytes into its request (caller).
    unsafe { w.byte_sub(offset_of!(uv_fs_s, work_req)).cast() }
}

/// `bufsml`'s address, to tell it from an allocated `bufs`.
///
/// # Safety
/// `req` is a live request.
unsafe fn bufsml(req: *mut uv_fs_t) -> *mut uv_buf_t {
    // SAFETY: live request (caller); no reference is made.
    unsafe { (&raw mut (*req).bufsml).cast() }
}

/// A `uv_malloc`'d copy of `bytes` (which carry their own NUL when a string is copied).
pub(crate) fn dup(bytes: &[u8]) -> Res<*mut c_char> {
    let p = alloc::malloc(bytes.len().max(1)).cast::<u8>();
    if p.is_null() {
        return Err(UV_ENOMEM);
    }
    // SAFETY: `p` is a fresh allocation of at least `bytes.len()` bytes.
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len()) };
    Ok(p.cast())
}

/// libuv's `INIT`, then the checks and the operation's arguments (`setup`), then `POST`:
/// run now (no callback) or queue on the pool.
///
/// # Safety
/// See the module docs.
pub(crate) unsafe fn start(
    l: *mut uv_loop_t,
    req: *mut uv_fs_t,
    cb: uv_fs_cb,
    fs_type: c_int,
    setup: impl FnOnce(*mut uv_fs_t) -> Res<()>,
) -> c_int {
    if req.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `req` is writable (caller); `l` is checked before use.
    unsafe {
        // Still pending on its loop: refused before anything is written to it.
        if cb.is_some() && crate::uvloop::inflight::pending_on(l, req.cast()) {
            return crate::abi::errno::UV_EBUSY;
        }
        (*req).r#type = UV_FS;
        (*req).fs_type = fs_type;
        (*req).result = 0;
        (*req).ptr = ptr::null_mut();
        (*req).r#loop = l;
        (*req).path = ptr::null();
        (*req).new_path = ptr::null();
        (*req).bufs = ptr::null_mut();
        (*req).cb = cb;
        // A clean work item: `uv_cancel` on a request that never went to the pool (a
        // synchronous one) then sees "not queued" (`UV_EBUSY`) instead of stale state.
        (&raw mut (*req).work_req).write(uv__work {
            work: None,
            done: None,
            r#loop: ptr::null_mut(),
            wq: [ptr::null_mut(); 2],
        });
        if cb.is_some() && (l.is_null() || (*l).internal_fields.is_null()) {
            return UV_EINVAL;
        }
        if let Err(e) = setup(req) {
            return e;
        }
        if cb.is_some() {
            crate::uvloop::inflight::enter(l, req.cast(), crate::uvloop::inflight::Kind::Pool);
            #[cfg(target_os = "linux")]
            if super::uring::queue(l, req) {
                return 0;
            }
            submit_to_pool(l, req);
            0
        } else {
            run(req);
            (*req).result as c_int
        }
    }
}

/// Queues an asynchronous request, filled by [`start`], on the thread pool.
///
/// # Safety
/// `l` is an initialised loop, this is its thread; `req` is valid until its callback.
pub(super) unsafe fn submit_to_pool(l: *mut uv_loop_t, req: *mut uv_fs_t) {
    // SAFETY: forwarded contract; the work item is embedded in the request.
    unsafe {
        crate::pool::submit(
            l,
            &raw mut (*req).work_req,
            crate::pool::WorkKind::FastIo,
            fs_work,
            fs_done,
        )
    }
}

/// libuv's `PATH`: the caller's string (synchronous) or a copy (asynchronous).
///
/// # Safety
/// `req` is initialised by [`start`]; `path` is NULL or NUL-terminated.
pub(crate) unsafe fn set_path(req: *mut uv_fs_t, path: *const c_char) -> Res<()> {
    if path.is_null() {
        return Err(UV_EINVAL);
    }
    // SAFETY: live request; `path` is NUL-terminated (caller).
    unsafe {
        (*req).path = if (*req).cb.is_none() {
            path
        } else {
            dup(CStr::from_ptr(path).to_bytes_with_nul())?
        };
    }
    Ok(())
}

/// libuv's `PATH2`: both strings, copied into one allocation when asynchronous.
///
/// # Safety
/// As [`set_path`].
pub(crate) unsafe fn set_path2(
    req: *mut uv_fs_t,
    path: *const c_char,
    new_path: *const c_char,
) -> Res<()> {
    if path.is_null() || new_path.is_null() {
        return Err(UV_EINVAL);
    }
    // SAFETY: live request; NUL-terminated strings (caller).
    unsafe {
        if (*req).cb.is_none() {
            (*req).path = path;
            (*req).new_path = new_path;
        } else {
            let a = CStr::from_ptr(path).to_bytes_with_nul();
            let b = CStr::from_ptr(new_path).to_bytes_with_nul();
            let p = dup(&[a, b].concat())?;
            (*req).path = p;
            (*req).new_path = p.add(a.len());
        }
    }
    Ok(())
}

/// Copies the caller's buffer array into the request.
///
/// # Safety
/// `req` is initialised by [`start`]; `bufs` is NULL or holds `nbufs` entries.
pub(crate) unsafe fn set_bufs(req: *mut uv_fs_t, bufs: *const uv_buf_t, nbufs: c_uint) -> Res<()> {
    if bufs.is_null() || nbufs == 0 {
        return Err(UV_EINVAL);
    }
    let n = nbufs as usize;
    // SAFETY: live request; `bufs` holds `n` entries (caller); `dst` has room for `n`.
    unsafe {
        let dst = if n <= 4 {
            bufsml(req)
        } else {
            let p = alloc::malloc(n * size_of::<uv_buf_t>()).cast::<uv_buf_t>();
            if p.is_null() {
                return Err(UV_ENOMEM);
            }
            p
        };
        ptr::copy_nonoverlapping(bufs, dst, n);
        (*req).bufs = dst;
        (*req).nbufs = nbufs;
    }
    Ok(())
}

/// Frees a copied buffer array (unless it is `bufsml`).
///
/// # Safety
/// `req` is a live request whose `bufs` is NULL, `bufsml` or from [`set_bufs`].
pub(super) unsafe fn free_bufs(req: *mut uv_fs_t) {
    // SAFETY: live request (caller).
    unsafe {
        if (*req).bufs != bufsml(req) {
            alloc::free((*req).bufs.cast());
        }
        (*req).bufs = ptr::null_mut();
        (*req).nbufs = 0;
    }
}

/// The pool side: runs the operation.
unsafe extern "C" fn fs_work(w: *mut uv__work) {
    // SAFETY: the pool hands back the `work_req` we submitted; the request is ours until
    // its callback.
    unsafe { run(req_of(w)) }
}

/// The loop side: reports cancellation and calls the callback.
unsafe extern "C" fn fs_done(w: *mut uv__work, status: c_int) {
    // SAFETY: as `fs_work`; this is the request's last use before its callback.
    unsafe {
        let req = req_of(w);
        if status == UV_ECANCELED {
            (*req).result = UV_ECANCELED as isize;
        }
        crate::uvloop::inflight::leave((*req).r#loop, req.cast());
        if let Some(cb) = (*req).cb {
            cb(req);
        }
    }
}

/// Runs the request's operation and stores the outcome in `req->result` (and `ptr`,
/// `statbuf`, `path`, as the operation defines).
///
/// # Safety
/// `req` was filled by [`start`] and is not touched by anyone else meanwhile.
unsafe fn run(req: *mut uv_fs_t) {
    // SAFETY: the request's fields are what `start` stored: valid strings, buffers and
    // pointers for the operation at hand (module docs).
    unsafe {
        let path = move || CStr::from_ptr((*req).path);
        let new_path = move || CStr::from_ptr((*req).new_path);
        let (fd, flags, mode) = ((*req).file, (*req).flags, (*req).mode);
        let (uid, gid, atime, mtime) = ((*req).uid, (*req).gid, (*req).atime, (*req).mtime);
        let unit = |r: Res<()>| r.map(|()| 0isize);
        let r: Res<isize> = match (*req).fs_type {
            UV_FS_ACCESS => unit(ops::access(path(), flags)),
            UV_FS_CHMOD => unit(ops::chmod(path(), mode)),
            UV_FS_CHOWN => unit(ops::chown(path(), uid, gid)),
            UV_FS_CLOSE => unit(ops::close(fd)),
            UV_FS_COPYFILE => unit(copy::copyfile(path(), new_path(), flags)),
            UV_FS_FCHMOD => unit(ops::fchmod(fd, mode)),
            UV_FS_FCHOWN => unit(ops::fchown(fd, uid, gid)),
            UV_FS_LCHOWN => unit(ops::lchown(path(), uid, gid)),
            UV_FS_FDATASYNC => unit(ops::fdatasync(fd)),
            UV_FS_FSYNC => unit(ops::fsync(fd)),
            UV_FS_FTRUNCATE => unit(ops::ftruncate(fd, (*req).off)),
            UV_FS_FUTIME => unit(ops::futime(fd, atime, mtime)),
            UV_FS_UTIME => unit(ops::utime(path(), atime, mtime)),
            UV_FS_LUTIME => unit(ops::lutime(path(), atime, mtime)),
            UV_FS_STAT | UV_FS_LSTAT | UV_FS_FSTAT => {
                let st = match (*req).fs_type {
                    UV_FS_STAT => stat::stat(path()),
                    UV_FS_LSTAT => stat::lstat(path()),
                    _ => stat::fstat(fd),
                };
                st.map(|st| {
                    (*req).statbuf = st;
                    (*req).ptr = (&raw mut (*req).statbuf).cast();
                    0
                })
            }
            UV_FS_LINK => unit(ops::link(path(), new_path())),
            UV_FS_SYMLINK => unit(ops::symlink(path(), new_path())),
            UV_FS_RENAME => unit(ops::rename(path(), new_path())),
            UV_FS_MKDIR => unit(ops::mkdir(path(), mode)),
            UV_FS_RMDIR => unit(ops::rmdir(path())),
            UV_FS_UNLINK => unit(ops::unlink(path())),
            UV_FS_MKDTEMP => unit(ops::mkdtemp(template(req))),
            UV_FS_MKSTEMP => ops::mkstemp(template(req)).map(|fd| fd as isize),
            UV_FS_OPEN => ops::open(path(), flags, mode as c_int).map(|fd| fd as isize),
            UV_FS_READ | UV_FS_WRITE => {
                let bufs = core::slice::from_raw_parts_mut((*req).bufs, (*req).nbufs as usize);
                let r = if (*req).fs_type == UV_FS_READ {
                    ops::read(fd, bufs, (*req).off)
                } else {
                    ops::write(fd, bufs, (*req).off)
                };
                free_bufs(req);
                r.map(|n| n as isize)
            }
            UV_FS_SENDFILE => {
                // libuv keeps the input descriptor in `flags` and the length in `bufsml[0]`.
                copy::sendfile(fd, flags, (*req).off, (*req).bufsml[0].len).map(|(n, off)| {
                    (*req).off = off;
                    n as isize
                })
            }
            UV_FS_SCANDIR => {
                (*req).nbufs = 0;
                dir::scandir(path()).map(|s| {
                    let n = s.len() as isize;
                    if n > 0 {
                        (*req).ptr = UvBox::into_raw(UvBox::new(s)).cast();
                    }
                    n
                })
            }
            UV_FS_OPENDIR => opendir(req, path()),
            UV_FS_READDIR => readdir(req),
            UV_FS_CLOSEDIR => closedir(req),
            UV_FS_READLINK | UV_FS_REALPATH => {
                let s = if (*req).fs_type == UV_FS_READLINK {
                    ops::readlink(path())
                } else {
                    ops::realpath(path())
                };
                s.and_then(|s| dup(s.as_bytes_with_nul())).map(|p| {
                    (*req).ptr = p.cast();
                    0
                })
            }
            UV_FS_STATFS => stat::statfs(path()).and_then(|s| {
                let p = alloc::malloc(size_of::<uv_statfs_t>()).cast::<uv_statfs_t>();
                if p.is_null() {
                    return Err(UV_ENOMEM);
                }
                p.write(s);
                (*req).ptr = p.cast();
                Ok(0)
            }),
            _ => Err(UV_EINVAL),
        };
        (*req).result = match r {
            Ok(v) => v,
            Err(e) => e as isize,
        };
    }
}

/// The request's own copy of a `mkdtemp`/`mkstemp` template, with its NUL.
///
/// # Safety
/// `req->path` is the request's writable `uv_malloc`'d string.
unsafe fn template<'a>(req: *mut uv_fs_t) -> &'a mut [u8] {
    // SAFETY: the template copy is owned by the request and NUL-terminated (caller).
    unsafe {
        let p = (*req).path.cast_mut();
        let len = CStr::from_ptr(p).to_bytes_with_nul().len();
        core::slice::from_raw_parts_mut(p.cast(), len)
    }
}

/// `uv_fs_opendir`'s work: a `uv_malloc`'d `uv_dir_t` in `req->ptr`.
///
/// # Safety
/// `req` is a live request.
unsafe fn opendir(req: *mut uv_fs_t, path: &CStr) -> Res<isize> {
    let d = dir::opendir(path)?;
    let p = alloc::malloc(size_of::<uv_dir_t>()).cast::<uv_dir_t>();
    // SAFETY: `d` is a fresh stream; `p` is NULL or a fresh allocation of a uv_dir_t.
    unsafe {
        if p.is_null() {
            dir::closedir(d);
            return Err(UV_ENOMEM);
        }
        p.write(uv_dir_t {
            dirents: ptr::null_mut(),
            nentries: 0,
            reserved: [ptr::null_mut(); 4],
            dir: d,
        });
        (*req).ptr = p.cast();
    }
    Ok(0)
}

/// `uv_fs_readdir`'s work: up to `nentries` entries into the caller's `dirents`.
///
/// # Safety
/// `req->ptr` is an open `uv_dir_t` whose `dirents` holds `nentries` entries.
unsafe fn readdir(req: *mut uv_fs_t) -> Res<isize> {
    // SAFETY: checked by uv_fs_readdir and the caller's contract.
    unsafe {
        let d = (*req).ptr.cast::<uv_dir_t>();
        let entries = dir::readdir((*d).dir, (*d).nentries)?;
        for (i, e) in entries.iter().enumerate() {
            let name = match dup(e.name.as_bytes_with_nul()) {
                Ok(n) => n,
                Err(err) => {
                    for j in 0..i {
                        let ent = (*d).dirents.add(j);
                        alloc::free((*ent).name.cast_mut().cast());
                        (*ent).name = ptr::null();
                    }
                    return Err(err);
                }
            };
            (*d).dirents.add(i).write(uv_dirent_t {
                name,
                r#type: e.kind,
            });
        }
        Ok(entries.len() as isize)
    }
}

/// `uv_fs_closedir`'s work: closes the stream and frees the `uv_dir_t`.
///
/// # Safety
/// `req->ptr` is a `uv_dir_t` from `uv_fs_opendir`.
unsafe fn closedir(req: *mut uv_fs_t) -> Res<isize> {
    // SAFETY: `ptr` came from `opendir` (caller) and is not used after this.
    unsafe {
        let d = (*req).ptr.cast::<uv_dir_t>();
        if !(*d).dir.is_null() {
            dir::closedir((*d).dir);
            (*d).dir = ptr::null_mut();
        }
        alloc::free(d.cast());
        (*req).ptr = ptr::null_mut();
    }
    Ok(0)
}

// ---------------------------------------------------------------------------------------
// Cleanup and accessors.

/// Frees what the request holds (see the module docs). Safe on a zeroed request and when
/// called twice.
///
/// # Safety
/// `req` is a request not in flight.
pub(crate) unsafe fn cleanup(req: *mut uv_fs_t) {
    // SAFETY: a completed (or zeroed) request: every pointer in it is NULL or ours to free.
    unsafe {
        let ty = (*req).fs_type;
        if !(*req).path.is_null()
            && ((*req).cb.is_some() || ty == UV_FS_MKDTEMP || ty == UV_FS_MKSTEMP)
        {
            // One allocation holds `path` and `new_path`.
            alloc::free((*req).path.cast_mut().cast());
        }
        (*req).path = ptr::null();
        (*req).new_path = ptr::null();
        if ty == UV_FS_READDIR && !(*req).ptr.is_null() {
            let d = (*req).ptr.cast::<uv_dir_t>();
            (*req).ptr = ptr::null_mut();
            if !(*d).dirents.is_null() {
                for i in 0..(*req).result.max(0) as usize {
                    let ent = (*d).dirents.add(i);
                    alloc::free((*ent).name.cast_mut().cast());
                    (*ent).name = ptr::null();
                }
            }
        }
        if ty == UV_FS_SCANDIR && !(*req).ptr.is_null() {
            drop(UvBox::from_raw((*req).ptr.cast::<ScanDir>()));
            (*req).ptr = ptr::null_mut();
        }
        free_bufs(req);
        if ty != UV_FS_OPENDIR && (*req).ptr != (&raw mut (*req).statbuf).cast() {
            alloc::free((*req).ptr);
        }
        (*req).ptr = ptr::null_mut();
    }
}

/// The next entry of a `uv_fs_scandir` result: 0, `UV_EOF` after the last one (the listing
/// is then freed), or the request's error. `ent->name` stays valid until cleanup.
///
/// # Safety
/// `req` is a completed request; `ent` is writable.
pub(crate) unsafe fn scandir_next(req: *mut uv_fs_t, ent: *mut uv_dirent_t) -> c_int {
    // SAFETY: a completed request; a non-NULL `ptr` of a scandir request is our listing.
    unsafe {
        if (*req).result < 0 {
            return (*req).result as c_int;
        }
        if (*req).ptr.is_null() {
            return UV_EOF;
        }
        if (*req).fs_type != UV_FS_SCANDIR {
            return UV_EINVAL;
        }
        let s = (*req).ptr.cast::<ScanDir>();
        match (*s).next_entry() {
            Some(e) => {
                (*ent).name = e.name.as_ptr();
                (*ent).r#type = e.kind;
                0
            }
            None => {
                drop(UvBox::from_raw(s));
                (*req).ptr = ptr::null_mut();
                UV_EOF
            }
        }
    }
}

/// An operation whose only argument is a path.
///
/// # Safety
/// See the module docs.
pub(crate) unsafe fn path_op(
    l: *mut uv_loop_t,
    req: *mut uv_fs_t,
    cb: uv_fs_cb,
    fs_type: c_int,
    path: *const c_char,
) -> c_int {
    // SAFETY: forwarded contract; `set_path` checks `path`.
    unsafe { start(l, req, cb, fs_type, |r| set_path(r, path)) }
}

/// An operation whose only argument is a descriptor.
///
/// # Safety
/// See the module docs.
pub(crate) unsafe fn fd_op(
    l: *mut uv_loop_t,
    req: *mut uv_fs_t,
    cb: uv_fs_cb,
    fs_type: c_int,
    file: uv_file,
) -> c_int {
    // SAFETY: forwarded contract; `r` is the request `start` initialised.
    unsafe {
        start(l, req, cb, fs_type, |r| {
            (*r).file = file;
            Ok(())
        })
    }
}

/// `stat(path)` into `req->statbuf`, as `uv_fs_stat`: the entry of the core's own users
/// (`fs_poll`).
///
/// # Safety
/// See the module docs.
pub(crate) unsafe fn stat_path(
    l: *mut uv_loop_t,
    req: *mut uv_fs_t,
    path: *const c_char,
    cb: uv_fs_cb,
) -> c_int {
    // SAFETY: forwarded contract.
    unsafe { path_op(l, req, cb, UV_FS_STAT, path) }
}
