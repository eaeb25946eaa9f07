//! C entry points of the thread pool: `uv_queue_work`, `uv_cancel` and `uv_random`.
//!
//! `uv_queue_work` runs `work_cb` on a pool thread and then `after_work_cb` on the loop
//! thread (from the poll phase, when the loop drains finished work). `uv_random` with a
//! callback does the same with the kernel's random bytes; without one it fills the buffer
//! on the calling thread. `uv_cancel` takes back a pool request (work, filesystem, DNS,
//! random) that has not started: its callback then gets `UV_ECANCELED` (`UV_EAI_CANCELED`
//! for DNS, `req->result` for filesystem requests, which their own `done` functions set).
//!
//! All three are called on the loop's thread (the synchronous `uv_random` on any thread);
//! `work_cb` runs on a pool thread.

use crate::abi::errno::{UV_E2BIG, UV_EINVAL, UV_EIO, UV_ENOSYS};
use crate::abi::*;
use crate::pool::{self, WorkKind};
use core::ffi::{c_int, c_uint, c_void};
use core::mem::offset_of;

// ---------------------------------------------------------------------------------------
// uv_queue_work.

/// The `uv_work_t` around its `work_req`.
///
/// # Safety
/// `w` is the `work_req` of a `uv_work_t`.
unsafe fn work_req_of(w: *mut uv__work) -> *mut uv_work_t {
    // SAFETY: `w` sits `offset_of!(uv_work_t, work_req)` bytes into its request.
    unsafe { w.byte_sub(offset_of!(uv_work_t, work_req)).cast() }
}

unsafe extern "C" fn queue_work_run(w: *mut uv__work) {
    // SAFETY: submitted by uv_queue_work, which checked `work_cb`; the request is live
    // until its after-work callback has run.
    unsafe {
        let req = work_req_of(w);
        if let Some(cb) = (*req).work_cb {
            cb(req);
        }
    }
}

unsafe extern "C" fn queue_work_done(w: *mut uv__work, status: c_int) {
    // SAFETY: as above; this is the loop thread and the pool is done with `w`.
    unsafe {
        let req = work_req_of(w);
        if let Some(cb) = (*req).after_work_cb {
            cb(req, status);
        }
    }
}

/// `int uv_queue_work(uv_loop_t* loop, uv_work_t* req, uv_work_cb work_cb,
/// uv_after_work_cb after_work_cb)`: runs `work_cb(req)` on the thread pool, then
/// `after_work_cb(req, status)` (if not NULL) on the loop thread. `UV_EINVAL` when
/// `work_cb` is NULL.
///
/// # Safety
/// `loop_` is an initialised loop run by this thread; `req` stays valid until
/// `after_work_cb` has run (or, without one, until the loop has finished it).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_queue_work(
    loop_: *mut uv_loop_t,
    req: *mut uv_work_t,
    work_cb: uv_work_cb,
    after_work_cb: uv_after_work_cb,
) -> c_int {
    // SAFETY: a non-NULL loop pointer points to loop memory (caller contract).
    if work_cb.is_none() || req.is_null() || !unsafe { crate::uvloop::is_open(loop_) } {
        return UV_EINVAL;
    }
    // SAFETY: caller guarantees `loop_` and `req` are valid.
    unsafe {
        (*req).r#type = uv_req_type::UV_WORK as c_int;
        (*req).r#loop = loop_;
        (*req).work_cb = work_cb;
        (*req).after_work_cb = after_work_cb;
        pool::submit(
            loop_,
            &raw mut (*req).work_req,
            WorkKind::Cpu,
            queue_work_run,
            queue_work_done,
        );
    }
    0
}

// ---------------------------------------------------------------------------------------
// uv_cancel.

/// `int uv_cancel(uv_req_t* req)`: takes back a queued pool request that has not started.
/// 0 on success (its callback runs later with a cancellation status), `UV_EBUSY` if it
/// is running or done, `UV_EINVAL` for a request type the pool does not run.
///
/// # Safety
/// `req` is NULL or a request of the type its `type` field says, submitted on a loop run
/// by this thread (or never submitted, zeroed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cancel(req: *mut uv_req_t) -> c_int {
    if req.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: caller guarantees `req` is a request of its `type`; each arm reads the
    // embedded work item of that request type.
    unsafe {
        let w: *mut uv__work = match (*req).r#type {
            t if t == uv_req_type::UV_FS as c_int => &raw mut (*req.cast::<uv_fs_t>()).work_req,
            t if t == uv_req_type::UV_GETADDRINFO as c_int => {
                &raw mut (*req.cast::<uv_getaddrinfo_t>()).work_req
            }
            t if t == uv_req_type::UV_GETNAMEINFO as c_int => {
                &raw mut (*req.cast::<uv_getnameinfo_t>()).work_req
            }
            t if t == uv_req_type::UV_RANDOM as c_int => {
                &raw mut (*req.cast::<uv_random_t>()).work_req
            }
            t if t == uv_req_type::UV_WORK as c_int => &raw mut (*req.cast::<uv_work_t>()).work_req,
            _ => return UV_EINVAL,
        };
        pool::cancel(w)
    }
}

// ---------------------------------------------------------------------------------------
// uv_random.

/// Fills `buf` from the kernel's random source: `getrandom(2)` in reads of at most 256
/// bytes (which the kernel does not interrupt), `/dev/urandom` if the system call is
/// missing.
fn fill_random(buf: &mut [u8]) -> c_int {
    match getrandom(buf) {
        UV_ENOSYS => dev_urandom(buf),
        rc => rc,
    }
}

fn getrandom(buf: &mut [u8]) -> c_int {
    let mut pos = 0;
    while pos < buf.len() {
        let chunk = (buf.len() - pos).min(256);
        // SAFETY: `buf[pos..pos + chunk]` is writable.
        let n = unsafe { libc::getrandom(buf.as_mut_ptr().add(pos).cast(), chunk, 0) };
        if n < 0 {
            let err = crate::abi::errno::last_error();
            if err == -libc::EINTR {
                continue;
            }
            return err;
        }
        if n == 0 {
            return UV_EIO;
        }
        pos += n as usize;
    }
    0
}

fn dev_urandom(buf: &mut [u8]) -> c_int {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let mut f = match std::fs::File::open("/dev/urandom") {
        Ok(f) => f,
        Err(e) => return crate::abi::errno::from_io(&e),
    };
    // Only a character device is a random source (libuv checks the same).
    match f.metadata() {
        Ok(m) if m.file_type().is_char_device() => {}
        Ok(_) => return UV_EIO,
        Err(e) => return crate::abi::errno::from_io(&e),
    }
    // read_exact retries EINTR and short reads; end of file is an I/O error.
    match f.read_exact(buf) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => UV_EIO,
        Err(e) => crate::abi::errno::from_io(&e),
    }
}

/// The `uv_random_t` around its `work_req`.
///
/// # Safety
/// `w` is the `work_req` of a `uv_random_t`.
unsafe fn random_req_of(w: *mut uv__work) -> *mut uv_random_t {
    // SAFETY: `w` sits `offset_of!(uv_random_t, work_req)` bytes into its request.
    unsafe { w.byte_sub(offset_of!(uv_random_t, work_req)).cast() }
}

/// # Safety
/// `buf` is writable for `len` bytes (or `len` is 0).
unsafe fn random_slice<'a>(buf: *mut c_void, len: usize) -> &'a mut [u8] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: caller guarantees `buf` is writable for `len` bytes.
    unsafe { core::slice::from_raw_parts_mut(buf.cast(), len) }
}

unsafe extern "C" fn random_run(w: *mut uv__work) {
    // SAFETY: submitted by uv_random; the request and its buffer are live until its
    // callback has run, and only this worker touches them meanwhile.
    unsafe {
        let req = random_req_of(w);
        (*req).status = fill_random(random_slice((*req).buf, (*req).buflen));
    }
}

unsafe extern "C" fn random_done(w: *mut uv__work, status: c_int) {
    // SAFETY: as above; this is the loop thread and the pool is done with `w`.
    unsafe {
        let req = random_req_of(w);
        let status = if status == 0 { (*req).status } else { status };
        if let Some(cb) = (*req).cb {
            cb(req, status, (*req).buf, (*req).buflen);
        }
    }
}

/// `int uv_random(uv_loop_t* loop, uv_random_t* req, void* buf, size_t buflen,
/// unsigned int flags, uv_random_cb cb)`: fills `buf` with cryptographically strong
/// random bytes. `UV_E2BIG` above 2^31-1 bytes, `UV_EINVAL` for non-zero `flags`. With a
/// NULL `cb` it runs synchronously (`loop` and `req` are not used); else on the thread
/// pool, then `cb(req, status, buf, buflen)` on the loop thread.
///
/// # Safety
/// `buf` is writable for `buflen` bytes until the callback (or the call) returns; with a
/// callback, `loop` is an initialised loop run by this thread and `req` stays valid until
/// the callback has run.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_random(
    loop_: *mut uv_loop_t,
    req: *mut uv_random_t,
    buf: *mut c_void,
    buflen: usize,
    flags: c_uint,
    cb: uv_random_cb,
) -> c_int {
    if buflen > 0x7FFF_FFFF {
        return UV_E2BIG;
    }
    if flags != 0 {
        return UV_EINVAL;
    }
    if buf.is_null() && buflen > 0 {
        return UV_EINVAL;
    }
    if cb.is_none() {
        // SAFETY: caller guarantees `buf` is writable for `buflen` bytes.
        return fill_random(unsafe { random_slice(buf, buflen) });
    }
    // SAFETY: a non-NULL loop pointer points to loop memory (caller contract).
    if req.is_null() || !unsafe { crate::uvloop::is_open(loop_) } {
        return UV_EINVAL;
    }
    // SAFETY: caller guarantees `loop_` and `req` are valid.
    unsafe {
        (*req).r#type = uv_req_type::UV_RANDOM as c_int;
        (*req).r#loop = loop_;
        (*req).status = 0;
        (*req).cb = cb;
        (*req).buf = buf;
        (*req).buflen = buflen;
        pool::submit(
            loop_,
            &raw mut (*req).work_req,
            WorkKind::FastIo,
            random_run,
            random_done,
        );
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_fills_and_checks_arguments() {
        let mut a = [0u8; 1000];
        let mut b = [0u8; 1000];
        assert_eq!(fill_random(&mut a), 0);
        assert_eq!(dev_urandom(&mut b), 0);
        assert!(a.iter().any(|&x| x != 0));
        assert!(b.iter().any(|&x| x != 0));
        assert_ne!(a, b);
        // SAFETY: sizes match the buffers; no callback, so loop and req are unused.
        unsafe {
            let p = a.as_mut_ptr().cast();
            assert_eq!(
                uv_random(core::ptr::null_mut(), core::ptr::null_mut(), p, 10, 1, None),
                UV_EINVAL
            );
            assert_eq!(
                uv_random(
                    core::ptr::null_mut(),
                    core::ptr::null_mut(),
                    p,
                    usize::MAX,
                    0,
                    None
                ),
                UV_E2BIG
            );
            assert_eq!(
                uv_random(core::ptr::null_mut(), core::ptr::null_mut(), p, 0, 0, None),
                0
            );
        }
    }
}
