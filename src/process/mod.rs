//! Processes: `uv_spawn` starts a child (see [`spawn`]), the handle stays active until the
//! child exits, and then `exit_cb(process, exit_status, term_signal)` runs.
//!
//! Exits are noticed through `SIGCHLD`: each loop that spawned a child has an internal
//! signal handle (flag `INTERNAL`, unreferenced, so `uv_walk` and `uv_loop_close` ignore it
//! and it keeps nothing alive) watching `SIGCHLD` through [`crate::signal`]. Its callback,
//! in the poll phase, calls `waitpid(pid, WNOHANG)` for each live child of the loop, as
//! libuv does, then runs the exit callbacks of those that ended. The raw wait status is
//! kept in `uv_process_t.status` (offset 128) and the pid in `pid` (offset 104), with
//! libuv's meaning.
//!
//! The loop's live children are linked through `uv_process_t.queue`, from a list head in
//! this module's [`LoopState`]. Closing a process handle does not kill the child; it only
//! stops watching it (libuv semantics). Loop thread only.

mod child;
mod spawn;

pub(crate) use spawn::spawn;

use crate::abi::alloc::UvBox;
use crate::abi::flags;
use crate::abi::*;
use crate::uvloop;
use crate::uvloop::handle;
use crate::uvloop::queue::{self, Node};
use core::ffi::c_int;
use core::ptr;

/// Per-loop state of this module, kept in the loop's `LoopInner`.
pub(crate) struct LoopState {
    /// Live children, linked through `uv_process_t.queue`; initialised on first use (the
    /// loop state has its final address by then).
    head: Node,
    /// The internal `SIGCHLD` handle, created by the first `uv_spawn`.
    watcher: *mut uv_signal_t,
}

impl Default for LoopState {
    fn default() -> Self {
        LoopState {
            head: [ptr::null_mut(); 2],
            watcher: ptr::null_mut(),
        }
    }
}

/// The loop's list of live children.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn list(l: *mut uv_loop_t) -> *mut Node {
    // SAFETY: the loop state lives in a box that does not move while the loop is open.
    unsafe {
        let h = &raw mut (*uvloop::inner(l)).process.head;
        if (*h)[0].is_null() {
            queue::init(h);
        }
        h
    }
}

fn from_node(q: *mut Node) -> *mut uv_process_t {
    q.cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(uv_process_t, queue))
        .cast()
}

/// The internal `SIGCHLD` callback.
unsafe extern "C" fn on_sigchld(h: *mut uv_signal_t, _signum: c_int) {
    // SAFETY: the internal handle belongs to a live loop.
    unsafe { wait_children((*h).r#loop) }
}

/// Makes sure the loop's internal `SIGCHLD` handle exists and is started.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(super) unsafe fn watch_children(l: *mut uv_loop_t) -> c_int {
    // SAFETY: loop thread; the handle is boxed, so its address is stable until
    // `loop_close` frees it; a zeroed `uv_signal_t` is a valid value (null pointers, None).
    unsafe {
        let st = &raw mut (*uvloop::inner(l)).process;
        if (*st).watcher.is_null() {
            let Some(w) = UvBox::<uv_signal_t>::try_new(core::mem::zeroed()) else {
                return crate::abi::errno::UV_ENOMEM;
            };
            let w = UvBox::into_raw(w);
            let r = crate::signal::init(l, w);
            if r != 0 {
                drop(UvBox::from_raw(w));
                return r;
            }
            (*w).flags |= flags::INTERNAL;
            handle::unref(handle::base(w));
            (*st).watcher = w;
        }
        crate::signal::start((*st).watcher, Some(on_sigchld), libc::SIGCHLD, false)
    }
}

/// Adds a freshly spawned child to the loop's live list and activates its handle.
///
/// # Safety
/// `p` is an initialised process handle of `l`, on no list.
pub(super) unsafe fn add_child(l: *mut uv_loop_t, p: *mut uv_process_t) {
    // SAFETY: forwarded caller guarantees.
    unsafe {
        queue::insert_tail(list(l), (&raw mut (*p).queue).cast());
        handle::start(handle::base(p));
        // A running child: `uv_spawn` on its handle again gets `UV_EBUSY` until it exits
        // or the handle is closed.
        uvloop::inflight::enter(l, p.cast(), uvloop::inflight::Kind::Plain);
    }
}

/// Reaps every child of the loop that has ended and runs its exit callback.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn wait_children(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the live list holds live handles. Ended children are moved to a
    // local list first, so a callback closing another ended child unlinks it from there
    // (and it gets no callback), as in libuv.
    unsafe {
        let head = list(l);
        let mut ended: Node = [ptr::null_mut(); 2];
        let ended_p: *mut Node = &mut ended;
        queue::init(ended_p);
        let mut q = queue::next(head);
        while q != head {
            let next = queue::next(q);
            let p = from_node(q);
            let mut status: c_int = 0;
            let r = loop {
                let r = libc::waitpid((*p).pid, &mut status, libc::WNOHANG);
                if r == -1 && *libc::__errno_location() == libc::EINTR {
                    continue;
                }
                break r;
            };
            // 0: still running; -1: reaped by someone else (ECHILD), nothing to report.
            if r > 0 {
                (*p).status = status;
                queue::remove(q);
                queue::insert_tail(ended_p, q);
            }
            q = next;
        }
        while !queue::is_empty(ended_p) {
            let q = queue::next(ended_p);
            queue::remove(q);
            let p = from_node(q);
            handle::stop(handle::base(p));
            uvloop::inflight::leave(l, p.cast());
            let Some(cb) = (*p).exit_cb else { continue };
            let status = (*p).status;
            let exit_status = if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status) as i64
            } else {
                0
            };
            let term_signal = if libc::WIFSIGNALED(status) {
                libc::WTERMSIG(status)
            } else {
                0
            };
            cb(p, exit_status, term_signal);
        }
    }
}

/// `uv_kill`.
pub(crate) fn kill(pid: c_int, signum: c_int) -> c_int {
    // SAFETY: plain syscall.
    if unsafe { libc::kill(pid, signum) } != 0 {
        return crate::abi::errno::last_error();
    }
    0
}

/// Releases the per-loop state when the loop closes: the internal `SIGCHLD` handle (the
/// signal module has stopped it already) leaves the handle list and is freed.
///
/// # Safety
/// `l` is an initialised loop being closed; loop thread.
pub(crate) unsafe fn loop_close(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the watcher came from Box::into_raw in `watch_children`.
    unsafe {
        let st = &raw mut (*uvloop::inner(l)).process;
        let w = (*st).watcher;
        if w.is_null() {
            return;
        }
        crate::signal::stop(w);
        queue::remove((&raw mut (*w).handle_queue).cast());
        drop(UvBox::from_raw(w));
        (*st).watcher = ptr::null_mut();
    }
}

/// Stops the handle for `uv_close`: the child is no longer watched (not killed). When no
/// child of the loop is watched any more, the internal `SIGCHLD` handle stops too.
///
/// # Safety
/// `h` is a live handle of this type, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    // SAFETY: a process handle's queue node is on the live list, on a local list of ended
    // children, or points at itself (uv_spawn initialises it).
    unsafe {
        let p: *mut uv_process_t = h.cast();
        queue::remove((&raw mut (*p).queue).cast());
        handle::stop(h);
        let l = (*h).r#loop;
        uvloop::inflight::leave(l, p.cast());
        let w = (*uvloop::inner(l)).process.watcher;
        if !w.is_null() && queue::is_empty(list(l)) {
            crate::signal::stop(w);
        }
    }
}
