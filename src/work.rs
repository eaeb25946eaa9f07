//! Work on the thread pool for the program (docs: threadpool.rst): `uv_queue_work`'s
//! run/done pair, and taking back a request that has not started (`uv_cancel`) for every
//! request type the pool runs (work, filesystem, DNS, random). `work_cb` runs on a pool
//! thread, `after_work_cb` on the loop thread (from the poll phase, when the loop drains
//! finished work); the rest runs on the loop's thread.

use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::pool::{self, WorkKind};
use core::ffi::c_int;
use core::mem::offset_of;

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
        crate::uvloop::inflight::leave((*req).r#loop, req.cast());
        if let Some(cb) = (*req).after_work_cb {
            cb(req, status);
        }
    }
}

/// Queues `req` on the pool: `work_cb(req)` on a pool thread, then `after_work_cb(req,
/// status)` (if any) on the loop thread.
///
/// # Safety
/// `loop_` is an open loop run by this thread; `req` is writable and stays valid until
/// `after_work_cb` has run (or, without one, until the loop has finished it); `work_cb`
/// is not `None`.
pub(crate) unsafe fn queue(
    loop_: *mut uv_loop_t,
    req: *mut uv_work_t,
    work_cb: uv_work_cb,
    after_work_cb: uv_after_work_cb,
) {
    // SAFETY: caller guarantees `loop_` and `req` are valid.
    unsafe {
        (*req).r#type = UV_WORK;
        (*req).r#loop = loop_;
        (*req).work_cb = work_cb;
        (*req).after_work_cb = after_work_cb;
        let w = &raw mut (*req).work_req;
        crate::uvloop::inflight::enter(loop_, req.cast(), crate::uvloop::inflight::Kind::Pool);
        pool::submit(loop_, w, WorkKind::Cpu, queue_work_run, queue_work_done);
    }
}

/// Takes back a queued pool request that has not started: 0 on success (its callback
/// runs later with a cancellation status), `UV_EBUSY` if it is running or done,
/// `UV_EINVAL` for a request type the pool does not run.
///
/// # Safety
/// `req` is a request of the type its `type` field says, submitted on a loop run by this
/// thread (or never submitted, zeroed).
pub(crate) unsafe fn cancel(req: *mut uv_req_t) -> c_int {
    // SAFETY: caller guarantees `req` is a request of its `type`; each arm reads the
    // embedded work item of that request type.
    unsafe {
        let w: *mut uv__work = match (*req).r#type {
            UV_FS => {
                let fs = req.cast::<uv_fs_t>();
                // No `done`: on the loop's io_uring (or never queued), as libuv tells.
                #[cfg(target_os = "linux")]
                if (*fs).work_req.done.is_none() {
                    return crate::fs::uring::cancel(fs);
                }
                &raw mut (*fs).work_req
            }
            UV_GETADDRINFO => &raw mut (*req.cast::<uv_getaddrinfo_t>()).work_req,
            UV_GETNAMEINFO => &raw mut (*req.cast::<uv_getnameinfo_t>()).work_req,
            UV_RANDOM => &raw mut (*req.cast::<uv_random_t>()).work_req,
            UV_WORK => &raw mut (*req.cast::<uv_work_t>()).work_req,
            UV_WRITE => return crate::stream::write::cancel(req.cast()),
            _ => return UV_EINVAL,
        };
        pool::cancel(w)
    }
}
