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

use super::check::{self, tri};
use crate::abi::errno::{UV_E2BIG, UV_EINVAL};
use crate::abi::*;
use crate::os::random;
use core::ffi::{c_int, c_uint, c_void};

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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe {
        tri!(check::not_pending(loop_, req));
        crate::work::queue(loop_, req, work_cb, after_work_cb)
    };
    0
}

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
    // SAFETY: non-NULL; the rest is the caller's contract.
    unsafe { crate::work::cancel(req) }
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
        return random::fill(unsafe { random::slice(buf, buflen) });
    }
    // SAFETY: a non-NULL loop pointer points to loop memory (caller contract).
    if req.is_null() || !unsafe { crate::uvloop::is_open(loop_) } {
        return UV_EINVAL;
    }
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe {
        tri!(check::not_pending(loop_, req));
        random::submit(loop_, req, buf, buflen, cb)
    };
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_checks_arguments() {
        let mut a = [0u8; 16];
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
