//! File system events (`uv_fs_event_t`) on Linux's inotify.
//!
//! Each loop has at most one inotify instance, created by the first `uv_fs_event_start`
//! and registered with the loop's backend for readability; it does not keep the loop
//! alive (the handles do). Every started handle adds an inotify watch on its path; the
//! kernel hands back the same watch descriptor for the same file, so handles watching one
//! file share a [`Watch`] entry, and the watch is removed with the last of them.
//!
//! Callbacks run in the poll phase, when the instance is readable: for each event, every
//! handle of its watch is called with the file name (the entry's name inside a watched
//! directory; the base name of the watched path when the file itself is watched), and
//! `UV_CHANGE` (attributes or contents) and/or `UV_RENAME` (anything else: create, delete,
//! move). Callbacks may stop, restart or close any handle: the handles are collected
//! before the first callback, and each is called only if it is still in the same start
//! round (`reserved[1]`, a per-loop start counter) when its turn comes; a watch emptied
//! during the walk is removed after it. Events of a removed watch are dropped.
//!
//! Private state, inside libuv's layout: `path` (offset 96) is the handle's own
//! `uv_malloc`'d copy of the path it was started with (NULL when stopped);
//! `reserved[0]` is the watch descriptor; `reserved[1]` the start round, 0 when stopped.
//! Flags (`UV_FS_EVENT_RECURSIVE` and the others) are ignored, as by libuv on Linux.
//!
//! Everything here runs on the loop thread.

use crate::abi::alloc;
use crate::abi::*;
use crate::abi::{UV_CHANGE, UV_RENAME};
use crate::uvloop;
use crate::uvloop::handle;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::ptr;
use std::collections::HashMap;
use std::ffi::CString;

/// What libuv asks inotify for.
const MASK: u32 = libc::IN_ATTRIB
    | libc::IN_CREATE
    | libc::IN_MODIFY
    | libc::IN_DELETE
    | libc::IN_DELETE_SELF
    | libc::IN_MOVE_SELF
    | libc::IN_MOVED_FROM
    | libc::IN_MOVED_TO;

/// The handles watching one file, under one inotify watch descriptor.
struct Watch {
    /// The path of the first handle, for the base name of events without a name.
    path: CString,
    handles: Vec<*mut uv_fs_event_t>,
    /// Callbacks of this watch are running: do not remove it yet.
    iterating: bool,
}

/// Per-loop state of this module, kept in the loop's `LoopInner`.
#[derive(Default)]
pub(crate) struct LoopState {
    /// The inotify instance, once created.
    fd: Option<c_int>,
    watches: HashMap<c_int, Watch>,
    /// Start rounds handed out so far.
    rounds: usize,
}

/// This module's state of loop `l`.
///
/// # Safety
/// `l` is an initialised loop; the borrow ends before any user callback runs.
unsafe fn state<'a>(l: *mut uv_loop_t) -> &'a mut LoopState {
    // SAFETY: caller guarantees `l` is live and no other borrow of the state is held.
    unsafe { &mut (*uvloop::inner(l)).fs_event }
}

/// # Safety
/// `h` is an initialised fs_event handle.
unsafe fn wd_of(h: *const uv_fs_event_t) -> c_int {
    // SAFETY: caller guarantees `h` is live; the word is ours (module docs).
    unsafe { (*h).reserved[0] as isize as c_int }
}

/// # Safety
/// `h` is an initialised fs_event handle.
unsafe fn round_of(h: *const uv_fs_event_t) -> usize {
    // SAFETY: as above.
    unsafe { (*h).reserved[1] as usize }
}

/// `uv_fs_event_init`.
///
/// # Safety
/// `l` is an initialised loop; `h` is writable `uv_fs_event_t` memory.
pub(crate) unsafe fn init(l: *mut uv_loop_t, h: *mut uv_fs_event_t) {
    // SAFETY: caller guarantees both.
    unsafe {
        handle::init(l, handle::base(h), crate::abi::UV_FS_EVENT);
        (*h).path = ptr::null_mut();
        (*h).cb = None;
        (*h).reserved = [ptr::null_mut(); 3];
        (*h).reserved[0] = -1isize as *mut c_void;
    }
}

/// The loop's inotify instance, created and registered on first use.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn instance(l: *mut uv_loop_t) -> Result<c_int, c_int> {
    // SAFETY: loop thread; short borrows of the state, no callback runs.
    unsafe {
        if let Some(fd) = state(l).fd {
            return Ok(fd);
        }
        let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
        if fd < 0 {
            return Err(crate::abi::errno::last_error());
        }
        let err = uvloop::io::start(l, fd, crate::sys::READABLE, on_readable, ptr::null_mut());
        if err != 0 {
            libc::close(fd);
            return Err(err);
        }
        state(l).fd = Some(fd);
        Ok(fd)
    }
}

/// `uv_fs_event_start`: `UV_EINVAL` on an active handle; the `inotify_add_watch` error
/// (`UV_ENOENT`, `UV_EACCES`, `UV_ENOSPC` for too many watches, ...) otherwise.
///
/// # Safety
/// `h` is an initialised, not closing fs_event handle.
pub(crate) unsafe fn start(h: *mut uv_fs_event_t, cb: uv_fs_event_cb, path: &CStr) -> c_int {
    // SAFETY: caller guarantees `h` is live; loop thread; no callback runs here.
    unsafe {
        if handle::is_active(handle::base(h)) {
            return crate::abi::errno::UV_EINVAL;
        }
        let l = (*h).r#loop;
        let fd = match instance(l) {
            Ok(fd) => fd,
            Err(e) => return e,
        };
        let bytes = path.to_bytes_with_nul();
        let copy: *mut c_char = alloc::malloc(bytes.len()).cast();
        if copy.is_null() {
            return crate::abi::errno::UV_ENOMEM;
        }
        ptr::copy_nonoverlapping(bytes.as_ptr().cast(), copy, bytes.len());
        let wd = libc::inotify_add_watch(fd, path.as_ptr(), MASK);
        if wd < 0 {
            let err = crate::abi::errno::last_error();
            alloc::free(copy.cast());
            return err;
        }
        let st = state(l);
        st.watches
            .entry(wd)
            .or_insert_with(|| Watch {
                path: path.to_owned(),
                handles: Vec::new(),
                iterating: false,
            })
            .handles
            .push(h);
        st.rounds += 1;
        (*h).path = copy;
        (*h).cb = cb;
        (*h).reserved[0] = wd as isize as *mut c_void;
        (*h).reserved[1] = st.rounds as *mut c_void;
        handle::start(handle::base(h));
    }
    0
}

/// `uv_fs_event_stop`: a no-op on an inactive handle.
///
/// # Safety
/// `h` is an initialised fs_event handle.
pub(crate) unsafe fn stop(h: *mut uv_fs_event_t) {
    // SAFETY: caller guarantees `h` is live; loop thread; no callback runs here.
    unsafe {
        if !handle::is_active(handle::base(h)) {
            return;
        }
        let l = (*h).r#loop;
        let wd = wd_of(h);
        let st = state(l);
        if let Some(w) = st.watches.get_mut(&wd) {
            w.handles.retain(|&x| x != h);
            if w.handles.is_empty() && !w.iterating {
                st.watches.remove(&wd);
                if let Some(fd) = st.fd {
                    libc::inotify_rm_watch(fd, wd);
                }
            }
        }
        alloc::free((*h).path.cast());
        (*h).path = ptr::null_mut();
        (*h).reserved[0] = -1isize as *mut c_void;
        (*h).reserved[1] = ptr::null_mut();
        handle::stop(handle::base(h));
    }
}

/// `uv_fs_event_getpath`: libuv's protocol (`UV_EINVAL` and size 0 when not active,
/// `UV_ENOBUFS` with the size needed including the NUL, else the length without it).
///
/// # Safety
/// `h` is an initialised fs_event handle; `buf` has `*size` writable bytes.
pub(crate) unsafe fn getpath(h: *mut uv_fs_event_t, buf: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: caller guarantees the pointers; an active handle has its path.
    unsafe {
        if !handle::is_active(handle::base(h)) || (*h).path.is_null() {
            *size = 0;
            return crate::abi::errno::UV_EINVAL;
        }
        let path = CStr::from_ptr((*h).path).to_bytes();
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
    // SAFETY: forwarded caller guarantee; the type tag says it is an fs_event handle.
    unsafe { stop(h.cast()) }
}

/// libuv's `uv__basename_r`: what follows the last `/`.
fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&c| c == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// One decoded inotify event.
struct Event {
    wd: c_int,
    events: c_int,
    name: Option<Vec<u8>>,
}

/// Decodes the events in `buf`.
fn decode(buf: &[u8]) -> Vec<Event> {
    const HEAD: usize = core::mem::size_of::<libc::inotify_event>();
    let mut out = Vec::new();
    let mut off = 0;
    while off + HEAD <= buf.len() {
        // SAFETY: HEAD bytes are in bounds; read_unaligned copies them out.
        let e: libc::inotify_event = unsafe { ptr::read_unaligned(buf.as_ptr().add(off).cast()) };
        let len = e.len as usize;
        let end = (off + HEAD + len).min(buf.len());
        let raw = &buf[off + HEAD..end];
        let name = (len > 0).then(|| {
            let n = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
            raw[..n].to_vec()
        });
        let mut events = 0;
        if e.mask & (libc::IN_ATTRIB | libc::IN_MODIFY) != 0 {
            events |= UV_CHANGE;
        }
        if e.mask & !(libc::IN_ATTRIB | libc::IN_MODIFY) != 0 {
            events |= UV_RENAME;
        }
        out.push(Event {
            wd: e.wd,
            events,
            name,
        });
        off += HEAD + len;
    }
    out
}

/// The inotify instance is readable: read every event and call the handles back.
unsafe fn on_readable(l: *mut uv_loop_t, _data: *mut c_void, _ready: u32) {
    // Large enough for several events with a NAME_MAX name each; aligned for the header.
    let mut buf = [0u64; 512];
    loop {
        // SAFETY: loop thread; a short borrow of the state.
        let Some(fd) = (unsafe { state(l) }).fd else {
            return;
        };
        let cap = core::mem::size_of_val(&buf);
        // SAFETY: `buf` has `cap` writable bytes.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), cap) };
        if n < 0 {
            if crate::abi::errno::last_error() == crate::abi::errno::UV_EINTR {
                continue;
            }
            return;
        }
        if n == 0 {
            return;
        }
        // SAFETY: the kernel wrote `n` bytes of `buf`.
        let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n as usize) };
        for ev in decode(bytes) {
            // SAFETY: loop thread; the watch's handles are live (a handle leaves its
            // watch when stopped, and it is stopped before it is closed).
            unsafe { dispatch(l, ev) };
        }
    }
}

/// Calls back every handle of the event's watch.
unsafe fn dispatch(l: *mut uv_loop_t, ev: Event) {
    // SAFETY: loop thread. The state is borrowed only to collect the handles and to
    // tidy up after; the handles stay valid memory during the walk (their close
    // callbacks run in the closing phase, later), and each is called only if still in
    // the round it was collected in.
    unsafe {
        let (name, handles) = {
            let Some(w) = state(l).watches.get_mut(&ev.wd) else {
                return; // A removed watch: a stale event.
            };
            let name = match ev.name {
                Some(n) => n,
                None => basename(w.path.as_bytes()).to_vec(),
            };
            w.iterating = true;
            let handles: Vec<_> = w.handles.iter().map(|&h| (h, round_of(h))).collect();
            (CString::new(name).unwrap_or_default(), handles)
        };
        for (h, round) in handles {
            if round_of(h) != round || !handle::is_active(handle::base(h)) {
                continue;
            }
            if let Some(cb) = (*h).cb {
                cb(h, name.as_ptr(), ev.events, 0);
            }
        }
        let st = state(l);
        if let Some(w) = st.watches.get_mut(&ev.wd) {
            w.iterating = false;
            if w.handles.is_empty() {
                st.watches.remove(&ev.wd);
                if let Some(fd) = st.fd {
                    libc::inotify_rm_watch(fd, ev.wd);
                }
            }
        }
    }
}

/// Releases the per-loop state when the loop closes: the inotify instance.
///
/// # Safety
/// `l` is an initialised loop being closed; loop thread.
pub(crate) unsafe fn loop_close(l: *mut uv_loop_t) {
    // SAFETY: loop thread; no callback runs.
    unsafe {
        let st = state(l);
        st.watches.clear();
        if let Some(fd) = st.fd.take() {
            uvloop::io::close(l, fd);
            libc::close(fd);
        }
    }
}

/// Stops a handle already taken off its watch (its descriptor may be reused).
///
/// # Safety
/// `h` is a live, active fs_event handle on no watch list.
unsafe fn stop_detached(h: *mut uv_fs_event_t) {
    // SAFETY: forwarded caller guarantee; descriptor -1 is on no watch list.
    unsafe {
        (*h).reserved[0] = -1isize as *mut c_void;
        stop(h);
    }
}

/// `uv_loop_fork` in the child: a new inotify instance (the parent's is shared with the
/// parent), with every watch added again. Must run after the loop has its new backend.
/// Handles whose path cannot be watched any more are stopped; the first such error is
/// returned.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn loop_fork(l: *mut uv_loop_t) -> c_int {
    // SAFETY: loop thread; no callback runs; the watches' handles are live.
    unsafe {
        let Some(old) = state(l).fd.take() else {
            return 0;
        };
        uvloop::io::close(l, old);
        libc::close(old);
        let old_watches = core::mem::take(&mut state(l).watches);
        if old_watches.is_empty() {
            return 0;
        }
        let fd = match instance(l) {
            Ok(fd) => fd,
            Err(e) => {
                for w in old_watches.values() {
                    w.handles.iter().for_each(|&h| stop_detached(h));
                }
                return e;
            }
        };
        let mut first_err = 0;
        for (_, w) in old_watches {
            let wd = libc::inotify_add_watch(fd, w.path.as_ptr(), MASK);
            if wd < 0 {
                if first_err == 0 {
                    first_err = crate::abi::errno::last_error();
                }
                w.handles.iter().for_each(|&h| stop_detached(h));
                continue;
            }
            for &h in &w.handles {
                (*h).reserved[0] = wd as isize as *mut c_void;
            }
            let st = state(l);
            match st.watches.get_mut(&wd) {
                Some(existing) => existing.handles.extend(w.handles),
                None => {
                    st.watches.insert(
                        wd,
                        Watch {
                            path: w.path,
                            handles: w.handles,
                            iterating: false,
                        },
                    );
                }
            }
        }
        first_err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_is_what_follows_the_last_slash() {
        assert_eq!(basename(b"a/b/c"), b"c");
        assert_eq!(basename(b"file"), b"file");
        assert_eq!(basename(b"dir/"), b"");
        assert_eq!(basename(b"/"), b"");
    }

    /// An inotify record: the header, then the name padded with NULs to `padded` bytes.
    fn record(wd: c_int, mask: u32, name: &str, padded: usize) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&wd.to_ne_bytes());
        v.extend_from_slice(&mask.to_ne_bytes());
        v.extend_from_slice(&0u32.to_ne_bytes());
        v.extend_from_slice(&(padded as u32).to_ne_bytes());
        let mut n = name.as_bytes().to_vec();
        n.resize(padded, 0);
        v.extend_from_slice(&n);
        v
    }

    #[test]
    fn decode_maps_masks_and_names() {
        let mut buf = record(3, libc::IN_MODIFY, "file1", 16);
        buf.extend(record(4, libc::IN_CREATE, "x", 16));
        buf.extend(record(5, libc::IN_ATTRIB | libc::IN_MOVED_TO, "", 0));
        buf.extend(record(6, libc::IN_IGNORED, "", 0));
        let ev = decode(&buf);
        assert_eq!(ev.len(), 4);
        assert_eq!((ev[0].wd, ev[0].events), (3, UV_CHANGE));
        assert_eq!(ev[0].name.as_deref(), Some(&b"file1"[..]));
        assert_eq!((ev[1].wd, ev[1].events), (4, UV_RENAME));
        assert_eq!(ev[1].name.as_deref(), Some(&b"x"[..]));
        assert_eq!(ev[2].events, UV_CHANGE | UV_RENAME);
        assert!(ev[2].name.is_none());
        assert_eq!(ev[3].events, UV_RENAME);
    }

    #[test]
    fn decode_stops_at_a_truncated_header() {
        let mut buf = record(1, libc::IN_MODIFY, "", 0);
        buf.extend_from_slice(&[0u8; 7]);
        assert_eq!(decode(&buf).len(), 1);
    }
}
