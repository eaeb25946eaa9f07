//! File system polling (`uv_fs_poll_t`): `stat` a path every interval and report changes.
//!
//! A started handle owns a poller context ([`Ctx`], boxed, pointed to by
//! `uv_fs_poll_t.poll_ctx`): the path, an internal timer and a `uv_fs_t` stat request on
//! the thread pool. The first stat only records the state; each later one that differs
//! (ctime, mtime, birthtime, size, mode, uid, gid, inode, device, flags, generation)
//! calls back with `(0, prev, curr)`. A failing stat calls back with its error and a zeroed
//! `curr`, once per change of error code. Callbacks run in the poll phase (the stat's
//! completion). The timer is re-armed after each stat, minus the time the stat took.
//!
//! A stat in flight cannot be taken back, so stopping does not free the context at once:
//! a context whose stat is in flight retires when the stat finishes (without calling
//! back), one whose timer is waiting retires by closing that timer. Contexts of earlier
//! start/stop rounds stay chained through `previous` until they retire. Closing the
//! handle likewise waits for every context: its close callback runs (in the closing
//! phase) once the last one is gone, so that after it the loop holds nothing of the
//! handle's. While it waits, the handle is already off the loop's handle list and the
//! user's close callback is parked in `u.reserved[1]`.
//!
//! Everything here runs on the loop thread.

use crate::abi::alloc::UvBox;
use crate::abi::flags;
use crate::abi::*;
use crate::fs::req as fs_req;
use crate::uvloop::handle;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::ptr;

/// One start..stop round of a handle.
#[repr(C)]
struct Ctx {
    handle: *mut uv_fs_poll_t,
    /// 0 before the first stat, 1 after a successful one, else the last error code.
    busy: isize,
    interval: u64,
    start_time: u64,
    cb: uv_fs_poll_cb,
    timer: uv_timer_t,
    req: uv_fs_t,
    statbuf: uv_stat_t,
    /// The context of the previous round, if it has not retired yet.
    previous: *mut Ctx,
    /// The path with its NUL, on the uv allocator.
    path: UvBox<[u8]>,
}

/// The context owning `req`.
fn ctx_of_req(req: *mut uv_fs_t) -> *mut Ctx {
    req.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(Ctx, req))
        .cast()
}

/// The context owning `timer`.
fn ctx_of_timer(t: *mut uv_timer_t) -> *mut Ctx {
    t.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(Ctx, timer))
        .cast()
}

/// `uv_fs_poll_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable `uv_fs_poll_t` memory.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_fs_poll_t) {
    // SAFETY: caller guarantees both.
    unsafe {
        handle::init(l, handle::base(h), crate::abi::UV_FS_POLL);
        (*h).poll_ctx = ptr::null_mut();
    }
}

/// `uv_fs_poll_start`: a no-op on an active handle. A zero interval means 1 ms.
///
/// # Safety
/// `h` is an initialised, not closing fs_poll handle.
pub(crate) unsafe fn start(
    h: *mut uv_fs_poll_t,
    cb: uv_fs_poll_cb,
    path: &CStr,
    interval: c_uint,
) -> c_int {
    // SAFETY: caller guarantees `h` is live; loop thread. The context is boxed, so the
    // timer and request inside it keep their addresses until it is freed.
    unsafe {
        if handle::is_active(handle::base(h)) {
            return 0;
        }
        let l = (*h).r#loop;
        let Some(path) = UvBox::try_copy_of(path.to_bytes_with_nul()) else {
            return crate::abi::errno::UV_ENOMEM;
        };
        let Some(ctx) = UvBox::try_new(Ctx {
            handle: h,
            busy: 0,
            interval: u64::from(interval.max(1)),
            start_time: (*l).time,
            cb,
            timer: core::mem::zeroed(),
            req: core::mem::zeroed(),
            statbuf: uv_stat_t::default(),
            previous: (*h).poll_ctx.cast(),
            path,
        }) else {
            return crate::abi::errno::UV_ENOMEM;
        };
        let ctx = UvBox::into_raw(ctx);
        let err = fs_req::stat_path(
            l,
            &raw mut (*ctx).req,
            (*ctx).path.as_ptr().cast(),
            Some(stat_cb),
        );
        if err < 0 {
            drop(UvBox::from_raw(ctx));
            return err;
        }
        let t = &raw mut (*ctx).timer;
        crate::timer::init(l, t);
        (*t).flags |= flags::INTERNAL;
        handle::unref(handle::base(t));
        (*h).poll_ctx = ctx.cast();
        handle::start(handle::base(h));
    }
    0
}

/// `uv_fs_poll_stop`: a no-op on an inactive handle. A waiting timer is closed now; a stat
/// in flight retires its context when it finishes.
///
/// # Safety
/// `h` is an initialised fs_poll handle.
pub(crate) unsafe fn stop(h: *mut uv_fs_poll_t) {
    // SAFETY: caller guarantees `h` is live; an active handle's `poll_ctx` is its current
    // context, alive until its timer's close callback.
    unsafe {
        if !handle::is_active(handle::base(h)) {
            return;
        }
        let ctx: *mut Ctx = (*h).poll_ctx.cast();
        let t = handle::base(&raw mut (*ctx).timer);
        if handle::is_active(t) {
            handle::close(t, Some(timer_close_cb));
        }
        handle::stop(handle::base(h));
    }
}

/// `uv_fs_poll_getpath`: libuv's protocol (`UV_EINVAL` and size 0 when not active,
/// `UV_ENOBUFS` with the size needed including the NUL, else the length without it).
///
/// # Safety
/// `h` is an initialised fs_poll handle; `buf` has `*size` writable bytes.
pub(crate) unsafe fn getpath(h: *mut uv_fs_poll_t, buf: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: caller guarantees the pointers; an active handle has a current context.
    unsafe {
        if !handle::is_active(handle::base(h)) {
            *size = 0;
            return crate::abi::errno::UV_EINVAL;
        }
        let ctx: *const Ctx = (*h).poll_ctx.cast();
        let with_nul: &UvBox<[u8]> = &(*ctx).path;
        let path = &with_nul[..with_nul.len() - 1];
        if path.len() >= *size {
            *size = path.len() + 1;
            return crate::abi::errno::UV_ENOBUFS;
        }
        ptr::copy_nonoverlapping(path.as_ptr().cast(), buf, path.len());
        *buf.add(path.len()) = 0;
        *size = path.len();
    }
    0
}

/// Stops the handle for `uv_close`.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: forwarded caller guarantee; the type tag says it is an fs_poll handle.
    unsafe { stop(h.cast()) }
}

/// Last words before the close callback: while a context has not retired, the user's
/// close callback is parked and run by the last context's retirement instead.
///
/// # Safety
/// `h` is a closed handle of this type; loop thread.
pub(crate) unsafe fn finish_close(h: *mut uv_handle_t) {
    // SAFETY: caller guarantees `h` is a live fs_poll handle; `u.reserved[1]` is unused
    // by this type (uv_fileno does not read it for fs_poll handles).
    unsafe {
        let p: *mut uv_fs_poll_t = h.cast();
        if !(*p).poll_ctx.is_null() {
            let cb = (*h).close_cb.take();
            (*h).u.reserved[1] = cb.map_or(ptr::null_mut(), |f| f as *mut c_void);
        }
    }
}

/// Is `ctx` its handle's current, running round?
unsafe fn is_current(ctx: *mut Ctx) -> bool {
    // SAFETY: a context's handle stays valid until the context retires (module docs).
    unsafe {
        let h = (*ctx).handle;
        let b = handle::base(h);
        handle::is_active(b) && !handle::is_closing(b) && (*h).poll_ctx == ctx.cast()
    }
}

/// libuv's `statbuf_eq`: the fields a change shows in.
fn same(a: &uv_stat_t, b: &uv_stat_t) -> bool {
    a.st_ctim.tv_sec == b.st_ctim.tv_sec
        && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec
        && a.st_mtim.tv_sec == b.st_mtim.tv_sec
        && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec
        && a.st_birthtim.tv_sec == b.st_birthtim.tv_sec
        && a.st_birthtim.tv_nsec == b.st_birthtim.tv_nsec
        && a.st_size == b.st_size
        && a.st_mode == b.st_mode
        && a.st_uid == b.st_uid
        && a.st_gid == b.st_gid
        && a.st_ino == b.st_ino
        && a.st_dev == b.st_dev
        && a.st_flags == b.st_flags
        && a.st_gen == b.st_gen
}

/// A stat finished: compare, maybe call back, then re-arm the timer or retire.
unsafe extern "C" fn stat_cb(req: *mut uv_fs_t) {
    let ctx = ctx_of_req(req);
    // SAFETY: `req` is the request inside a live context (contexts retire only through
    // their timer's close callback, after this). The user callback may stop, restart or
    // close the handle; the context outlives it, and only raw pointers into it are held.
    unsafe {
        let h = (*ctx).handle;
        if is_current(ctx) {
            let result = (*req).result;
            if result != 0 {
                if (*ctx).busy != result {
                    (*ctx).busy = result;
                    let zero = uv_stat_t::default();
                    if let Some(cb) = (*ctx).cb {
                        cb(h, result as c_int, &raw const (*ctx).statbuf, &zero);
                    }
                }
            } else {
                let curr = &raw const (*req).statbuf;
                let busy = (*ctx).busy;
                if busy != 0
                    && (busy < 0 || !same(&(*ctx).statbuf, &*curr))
                    && let Some(cb) = (*ctx).cb
                {
                    cb(h, 0, &raw const (*ctx).statbuf, curr);
                }
                (*ctx).statbuf = *curr;
                (*ctx).busy = 1;
            }
        }
        fs_req::cleanup(req);
        let t = &raw mut (*ctx).timer;
        if !is_current(ctx) {
            handle::close(handle::base(t), Some(timer_close_cb));
            return;
        }
        // Re-arm, less the time the stat took.
        let l = (*h).r#loop;
        let interval = (*ctx).interval;
        let spent = (*l).time.saturating_sub((*ctx).start_time);
        crate::timer::start(t, Some(timer_cb), interval - spent % interval, 0);
    }
}

/// The interval is over: stat again.
unsafe extern "C" fn timer_cb(t: *mut uv_timer_t) {
    let ctx = ctx_of_timer(t);
    // SAFETY: `t` is the timer inside a live context.
    unsafe {
        let l = (*t).r#loop;
        (*ctx).start_time = (*l).time;
        let err = fs_req::stat_path(
            l,
            &raw mut (*ctx).req,
            (*ctx).path.as_ptr().cast(),
            Some(stat_cb),
        );
        if err < 0 {
            // Cannot happen with a valid request and path; try again next interval.
            crate::timer::start(t, Some(timer_cb), (*ctx).interval, 0);
        }
    }
}

/// A context's timer closed: unlink the context from its handle's chain and free it. If
/// it was the last and the handle waits to close, run the handle's close callback.
unsafe extern "C" fn timer_close_cb(t: *mut uv_handle_t) {
    let ctx = ctx_of_timer(t.cast());
    // SAFETY: `t` is the timer inside a live context, which nothing uses after this; the
    // chain holds live contexts only; the handle is live until its close callback.
    unsafe {
        let h = (*ctx).handle;
        if (*h).poll_ctx == ctx.cast() {
            (*h).poll_ctx = (*ctx).previous.cast();
        } else {
            let mut it: *mut Ctx = (*h).poll_ctx.cast();
            while !it.is_null() && (*it).previous != ctx {
                it = (*it).previous;
            }
            if !it.is_null() {
                (*it).previous = (*ctx).previous;
            }
        }
        drop(UvBox::from_raw(ctx));
        let b = handle::base(h);
        if (*h).poll_ctx.is_null() && handle::flags(b) & flags::CLOSED != 0 {
            // finish_close ran while this context was still alive and parked the callback.
            let parked = core::mem::replace(&mut (*b).u.reserved[1], ptr::null_mut());
            if !parked.is_null() {
                let cb: unsafe extern "C" fn(*mut uv_handle_t) = core::mem::transmute(parked);
                cb(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_compares_the_fields_libuv_compares() {
        let a = uv_stat_t {
            st_size: 3,
            st_ino: 7,
            ..Default::default()
        };
        assert!(same(&a, &a));
        // Access time and link count do not count as a change.
        let mut b = a;
        b.st_atim.tv_sec = 99;
        b.st_nlink = 2;
        assert!(same(&a, &b));
        let mut c = a;
        c.st_mtim.tv_nsec = 1;
        assert!(!same(&a, &c));
        let mut d = a;
        d.st_size = 4;
        assert!(!same(&a, &d));
    }
}
