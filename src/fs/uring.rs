//! io_uring for asynchronous file-system requests (Linux), with the thread pool behind it.
//!
//! libuv 1.45 to 1.53 use io_uring for files only with an SQPOLL ring, which they put behind
//! an opt-in (`UV_LOOP_USE_IO_URING_SQPOLL` and `UV_USE_IO_URING=1`): SQPOLL's kernel thread
//! spins, behaves differently across kernels, and keeps its creator's credentials after a
//! `setuid` (CVE-2024-22017). rsuv uses a plain ring instead, on by default:
//!
//! - **One ring per loop, made lazily** by the loop's first eligible request, without
//!   SQPOLL: the kernel runs each operation in the context (and with the credentials) of
//!   the thread that submits it, which is the loop's thread at the time of submission.
//! - **Batched submission.** An eligible request is appended to the loop's queue
//!   ([`queue`]); [`flush`], run just before the loop polls, turns the whole queue into
//!   submission entries and enters the kernel once (`io_uring_enter`) for the batch. A
//!   request made outside `uv_run` is entered at once (no poll is coming to batch it).
//! - **Completions on the loop's thread.** The ring's descriptor is watched by the loop's
//!   backend like any other (it reads as readable while completions wait), so a finished
//!   operation wakes the poll; [`on_ring`] reaps the completion queue and runs the
//!   callbacks in the poll phase, where libuv runs its pool's.
//! - **Which operations.** By default those the kernel completes in the submitting thread
//!   when it can: reads (from the page cache), opens, closes ([`INLINE_OPS`]; the others the
//!   kernel hands to its own worker threads, where rsuv's pool measured faster).
//!   `RSUV_IO_URING=all`, or the loop option `UV_LOOP_USE_IO_URING_SQPOLL`, sends every
//!   operation the ring supports: read and write (vectored), fsync, fdatasync, statx-based
//!   stat/lstat/fstat, ftruncate, open, close, rename, unlink, rmdir, mkdir, link, symlink.
//! - **Fallback, nothing lost.** No ring (`io_uring_setup` refused by the kernel,
//!   `/proc/sys/kernel/io_uring_disabled`, a seccomp filter, `RSUV_IO_URING=0`,
//!   `UV_USE_IO_URING=0`), an operation the running kernel's ring does not support
//!   (probed once per ring), or one the kernel then answers `EOPNOTSUPP`: the request goes
//!   to the thread pool exactly as before. Synchronous calls (no callback) never use the
//!   ring.
//! - **Semantics unchanged.** Results, `req->ptr`/`statbuf`, `uv_fs_req_cleanup` are as on
//!   the pool; a write continues after a short write, as the pool's does. `uv_cancel` on a
//!   request still in the queue always succeeds (the kernel then gets a no-op in its place
//!   and the callback `UV_ECANCELED`); on a submitted one it asks the kernel for a
//!   synchronous cancellation (`IORING_REGISTER_SYNC_CANCEL`, Linux 6.0) and reports
//!   `UV_EBUSY` when the operation is past cancelling, as libuv does.
//! - With `UV_LOOP_USE_IO_URING_SQPOLL` and `UV_USE_IO_URING` > 0, the ring is made with
//!   SQPOLL, as libuv makes it.
//!
//! A request on the ring is recognised as libuv recognises it: `work_req.done` is NULL
//! (libuv's own test of the ring, `threadpool_cancel_fs_iouring_sync_cancel`, looks at
//! it). Its `work_req.wq[0]` links the queue and `wq[1]` holds its state ([`QUEUED`],
//! [`CANCELLED`], [`SUBMITTED`]).
//!
//! The io-uring crate provides the ring: its setup, memory maps, queue indices and entry
//! encodings are a well-tested translation of the kernel's interface, which rsuv would
//! otherwise have to write and keep in step with the kernel by hand.

use super::req;
use crate::abi::alloc;
use crate::abi::errno::UV_ECANCELED;
use crate::abi::*;
use core::ffi::{c_char, c_int, c_void};
use core::ptr;
use io_uring::{IoUring, Probe, cqueue, opcode, squeue, types};
use std::sync::atomic::{AtomicU8, Ordering};

/// `work_req.wq[1]` of a request waiting in the loop's queue.
const QUEUED: usize = 0x51;
/// ... of a queued request that `uv_cancel` took back: a no-op goes in its place.
const CANCELLED: usize = 0x52;
/// ... of a request the kernel has.
const SUBMITTED: usize = 0x53;

/// Submission entries per ring; the completion queue has twice as many, and no more
/// requests than that are in the kernel at once (the rest wait in the queue), so the
/// completion queue never overflows.
const ENTRIES: u32 = 256;

/// `STATX_BASIC_STATS | STATX_BTIME`, as the pool's `stat`.
const STATX_MASK: u32 = 0xfff;

/// `IOV_MAX`: a longer buffer list goes to the pool, which handles it in pieces.
const IOV_MAX: u32 = 1024;

/// The ring of a loop, once tried.
#[derive(Default)]
enum State {
    #[default]
    Untried,
    /// No ring for this loop (see the module docs); everything goes to the pool.
    Off,
    On(alloc::UvBox<Ring>),
}

/// A loop's ring.
struct Ring {
    ring: IoUring,
    /// The `fs_type`s the running kernel's ring can do, one bit each.
    ops: u64,
    /// Requests the kernel has (submitted, completion not yet reaped).
    in_flight: u32,
    /// The most requests the kernel may have at once: the completion queue's size.
    cap: u32,
}

/// The per-loop state (`LoopInner.uring`).
pub(crate) struct LoopState {
    state: State,
    /// The queue of requests not yet submitted, oldest first, linked through
    /// `work_req.wq[0]`.
    head: *mut uv_fs_t,
    tail: *mut uv_fs_t,
    /// `UV_LOOP_USE_IO_URING_SQPOLL` was configured.
    sqpoll: bool,
}

impl Default for LoopState {
    fn default() -> LoopState {
        LoopState {
            state: State::Untried,
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
            sqpoll: false,
        }
    }
}

/// `uv_loop_configure(UV_LOOP_USE_IO_URING_SQPOLL)`: a ring made from now on takes every
/// operation it supports, and uses SQPOLL if `UV_USE_IO_URING` is a positive number
/// (libuv's rule for SQPOLL).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn configure_sqpoll(l: *mut uv_loop_t) {
    // SAFETY: loop thread; a short borrow.
    unsafe { (*crate::uvloop::inner(l)).uring.sqpoll = true };
}

/// What the environment allows (read once per process).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// No ring.
    Off = 1,
    /// The operations the kernel completes in the submitting thread (see [`INLINE_OPS`]).
    Inline = 2,
    /// Every operation the ring supports.
    All = 3,
}

static POLICY: AtomicU8 = AtomicU8::new(0);

/// `RSUV_IO_URING=0` or `UV_USE_IO_URING=0` turn the ring off, and so does running under
/// valgrind (its preload library is in `LD_PRELOAD`): memcheck cannot see what the kernel
/// writes through a ring, and would report every byte read that way as uninitialised.
/// `RSUV_IO_URING=all` sends every supported operation to the ring.
fn policy() -> Policy {
    match POLICY.load(Ordering::Relaxed) {
        1 => Policy::Off,
        2 => Policy::Inline,
        3 => Policy::All,
        _ => {
            let var = |name: &str| std::env::var(name).map(|v| v.trim().to_owned());
            let off = |name: &str| var(name).is_ok_and(|v| v == "0");
            let valgrind = std::env::var("LD_PRELOAD").is_ok_and(|v| v.contains("vgpreload"));
            let p = if off("RSUV_IO_URING") || off("UV_USE_IO_URING") || valgrind {
                Policy::Off
            } else if var("RSUV_IO_URING").is_ok_and(|v| v.eq_ignore_ascii_case("all")) {
                Policy::All
            } else {
                Policy::Inline
            };
            POLICY.store(p as u8, Ordering::Relaxed);
            p
        }
    }
}

/// The operations that go to the ring by default: those the kernel completes in the
/// submitting thread when it can (a read from the page cache, an open whose path is in
/// the dentry cache, a close). The others (statx, fsync, ftruncate, the path operations,
/// and buffered writes on filesystems without asynchronous buffered writes, ext4 among
/// them) the kernel always hands to its own worker threads (io-wq), and there rsuv's pool
/// measured faster (benches/fs_ops.c: fstat 1.49 M/s on the pool against 0.89 M/s on
/// the ring, 4 KiB writes 1.05 M/s against 0.47 M/s, mkdir+rmdir 9.4 k/s against 7.0
/// k/s). `RSUV_IO_URING=all`, or libuv's SQPOLL opt-in, sends them to the ring too.
const INLINE_OPS: u64 = (1 << UV_FS_READ) | (1 << UV_FS_OPEN) | (1 << UV_FS_CLOSE);

/// `UV_USE_IO_URING` is a positive number (libuv's condition for SQPOLL).
fn sqpoll_wanted_by_env() -> bool {
    std::env::var("UV_USE_IO_URING")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .is_some_and(|n| n > 0)
}

/// The running kernel's version as `(major << 16) | (minor << 8) | patch`.
fn kernel_version() -> u32 {
    // SAFETY: `utsname` is plain data, filled by the kernel.
    let mut u: libc::utsname = unsafe { core::mem::zeroed() };
    // SAFETY: `u` is writable.
    if unsafe { libc::uname(&mut u) } != 0 {
        return 0;
    }
    // SAFETY: the kernel NUL-terminates `release`.
    let rel = unsafe { core::ffi::CStr::from_ptr(u.release.as_ptr()) };
    let mut parts = rel.to_bytes().split(|&b| b == b'.' || b == b'-').map(|p| {
        p.iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'))
    });
    let mut next = || parts.next().unwrap_or(0).min(255);
    (next() << 16) | (next() << 8) | next()
}

/// The `fs_type`s to try on a ring, with the opcode each needs.
fn wanted_ops() -> [(c_int, u8); 16] {
    [
        (UV_FS_OPEN, opcode::OpenAt::CODE),
        (UV_FS_CLOSE, opcode::Close::CODE),
        (UV_FS_READ, opcode::Readv::CODE),
        (UV_FS_WRITE, opcode::Writev::CODE),
        (UV_FS_FSYNC, opcode::Fsync::CODE),
        (UV_FS_FDATASYNC, opcode::Fsync::CODE),
        (UV_FS_STAT, opcode::Statx::CODE),
        (UV_FS_LSTAT, opcode::Statx::CODE),
        (UV_FS_FSTAT, opcode::Statx::CODE),
        (UV_FS_FTRUNCATE, opcode::Ftruncate::CODE),
        (UV_FS_RENAME, opcode::RenameAt::CODE),
        (UV_FS_UNLINK, opcode::UnlinkAt::CODE),
        (UV_FS_RMDIR, opcode::UnlinkAt::CODE),
        (UV_FS_MKDIR, opcode::MkDirAt::CODE),
        (UV_FS_LINK, opcode::LinkAt::CODE),
        (UV_FS_SYMLINK, opcode::SymlinkAt::CODE),
    ]
}

/// Makes the loop's ring, or says why not (`None`: use the pool).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn make_ring(l: *mut uv_loop_t, sqpoll: bool) -> Option<alloc::UvBox<Ring>> {
    let policy = policy();
    if policy == Policy::Off {
        return None;
    }
    let mut b = IoUring::builder();
    // The child of a plain fork() must not see the parent's rings (uv_loop_fork makes a
    // new one).
    b.dontfork();
    if sqpoll && sqpoll_wanted_by_env() {
        b.setup_sqpoll(10);
    }
    // EPERM (io_uring_disabled, seccomp), ENOSYS, ENOMEM (locked-memory limit) all land
    // here: the pool serves.
    let ring = b.build(ENTRIES).ok()?;
    let p = ring.params();
    // Offset -1 ("the file position") and no lost completions are needed (Linux 5.6).
    if !p.is_feature_nodrop() || !p.is_feature_rw_cur_pos() {
        return None;
    }
    let mut probe = Probe::new();
    ring.submitter().register_probe(&mut probe).ok()?;
    let mut ops = 0u64;
    for (ty, code) in wanted_ops() {
        if probe.is_supported(code) {
            ops |= 1 << ty;
        }
    }
    // libuv's finding: before 5.15.90, and from 5.16 to 6.1, closing through the ring can
    // leave an executable busy (ETXTBSY) for a later execve; the pool closes there.
    let kv = kernel_version();
    if kv < 0x050F5A || (0x051000..0x060100).contains(&kv) {
        ops &= !(1 << UV_FS_CLOSE);
    }
    if policy == Policy::Inline && !sqpoll {
        ops &= INLINE_OPS;
    }
    if ops == 0 {
        return None;
    }
    let cap = p.cq_entries();
    let fd = ring.as_raw_fd();
    // SAFETY: loop thread; the watcher finds the ring through the loop, so it needs no
    // data, and `loop_close`/`loop_fork` remove it before the ring goes.
    let rc =
        unsafe { crate::uvloop::io::start(l, fd, crate::sys::READABLE, on_ring, ptr::null_mut()) };
    if rc != 0 {
        return None;
    }
    // Through uv_replace_allocator's functions, as the loop's other state (the crate's
    // own small parts of the ring stay on Rust's allocator).
    let r = alloc::UvBox::try_new(Ring {
        ring,
        ops,
        in_flight: 0,
        cap,
    });
    if r.is_none() {
        // SAFETY: loop thread; the watcher just started.
        unsafe { crate::uvloop::io::close(l, fd) };
    }
    r
}

/// The loop's ring, made on first use; `None` when the pool is to serve.
///
/// # Safety
/// `l` is an initialised loop; loop thread; no other borrow of the loop state is live.
unsafe fn ring_of<'a>(l: *mut uv_loop_t) -> Option<&'a mut Ring> {
    // SAFETY: loop thread; the borrow ends before any callback runs (callers).
    let st = unsafe { &mut (*crate::uvloop::inner(l)).uring };
    if let State::Untried = st.state {
        // SAFETY: forwarded.
        st.state = match unsafe { make_ring(l, st.sqpoll) } {
            Some(r) => State::On(r),
            None => State::Off,
        };
    }
    match &mut st.state {
        State::On(r) => Some(&mut **r),
        _ => None,
    }
}

/// Takes an asynchronous request, filled by `req::start`, onto the loop's ring: true if it
/// is queued there (its callback will come from [`on_ring`]), false if the pool is to run
/// it.
///
/// # Safety
/// `l` is an initialised loop, this is its thread; `req` is a request `req::start` filled
/// for a callback, valid until its callback.
pub(crate) unsafe fn queue(l: *mut uv_loop_t, req: *mut uv_fs_t) -> bool {
    // SAFETY: loop thread; `req` is ours until its callback (caller).
    unsafe {
        let ty = (*req).fs_type;
        if !(0..64).contains(&ty) {
            return false;
        }
        let Some(r) = ring_of(l) else { return false };
        if r.ops & (1 << ty) == 0 {
            return false;
        }
        match ty {
            UV_FS_READ | UV_FS_WRITE if (*req).nbufs > IOV_MAX => return false,
            UV_FS_STAT | UV_FS_LSTAT | UV_FS_FSTAT => {
                // The kernel's statx goes into a buffer of ours, converted on completion.
                let buf = alloc::malloc(size_of::<libc::statx>());
                if buf.is_null() {
                    return false;
                }
                // Fields the kernel leaves out (a mask it does not fill) read as 0.
                ptr::write_bytes(buf.cast::<u8>(), 0, size_of::<libc::statx>());
                (*req).ptr = buf;
            }
            _ => {}
        }
        (*l).active_reqs.count += 1;
        let w = &raw mut (*req).work_req;
        (*w).r#loop = l;
        (*w).work = None;
        (*w).done = None;
        (*w).wq = [ptr::null_mut(), QUEUED as *mut c_void];
        append(l, req);
        // Outside `uv_run` no poll is coming soon to batch it with: the kernel gets it now,
        // so it runs while the program does other things, as on the pool.
        if !crate::uvloop::in_run(l) {
            flush(l);
        }
    }
    true
}

/// Appends `req` to the loop's queue.
///
/// # Safety
/// `l` is an initialised loop; loop thread; `req` is a live request not in the queue.
unsafe fn append(l: *mut uv_loop_t, req: *mut uv_fs_t) {
    // SAFETY: loop thread, a short borrow; the queue's links are ours while queued.
    unsafe {
        let r = &mut (*crate::uvloop::inner(l)).uring;
        (*req).work_req.wq[0] = ptr::null_mut();
        if r.tail.is_null() {
            r.head = req;
        } else {
            (*r.tail).work_req.wq[0] = req.cast();
        }
        r.tail = req;
    }
}

/// The state word of a ring request.
///
/// # Safety
/// `req` is a live request.
unsafe fn state(req: *mut uv_fs_t) -> usize {
    // SAFETY: live request (caller).
    unsafe { (*req).work_req.wq[1] as usize }
}

/// # Safety
/// `req` is a live request.
unsafe fn set_state(req: *mut uv_fs_t, s: usize) {
    // SAFETY: live request (caller).
    unsafe { (*req).work_req.wq[1] = s as *mut c_void };
}

/// The submission entry for a queued request.
///
/// # Safety
/// `req` is a request [`queue`] accepted: its strings, buffer list, statx buffer and the
/// caller's buffers stay valid until its completion is reaped.
unsafe fn entry(req: *mut uv_fs_t) -> squeue::Entry {
    const CWD: types::Fd = types::Fd(libc::AT_FDCWD);
    // SAFETY: the request's fields are what `req::start` stored for its operation.
    unsafe {
        if state(req) == CANCELLED {
            return opcode::Nop::new().build().user_data(req as u64);
        }
        let fd = types::Fd((*req).file);
        let path: *const c_char = (*req).path;
        let new_path: *const c_char = (*req).new_path;
        let e = match (*req).fs_type {
            UV_FS_OPEN => opcode::OpenAt::new(CWD, path)
                .flags((*req).flags | libc::O_CLOEXEC)
                .mode((*req).mode)
                .build(),
            UV_FS_CLOSE => opcode::Close::new(fd).build(),
            UV_FS_READ => opcode::Readv::new(fd, (*req).bufs.cast(), (*req).nbufs)
                .offset((*req).off as u64)
                .build(),
            UV_FS_WRITE => opcode::Writev::new(fd, (*req).bufs.cast(), (*req).nbufs)
                .offset((*req).off as u64)
                .build(),
            UV_FS_FSYNC => opcode::Fsync::new(fd).build(),
            UV_FS_FDATASYNC => opcode::Fsync::new(fd)
                .flags(types::FsyncFlags::DATASYNC)
                .build(),
            UV_FS_FTRUNCATE => opcode::Ftruncate::new(fd, (*req).off as u64).build(),
            ty @ (UV_FS_STAT | UV_FS_LSTAT | UV_FS_FSTAT) => {
                let buf = (*req).ptr.cast::<types::statx>();
                let (dirfd, p, flags) = match ty {
                    UV_FS_STAT => (libc::AT_FDCWD, path, 0),
                    UV_FS_LSTAT => (libc::AT_FDCWD, path, libc::AT_SYMLINK_NOFOLLOW),
                    _ => ((*req).file, c"".as_ptr(), libc::AT_EMPTY_PATH),
                };
                opcode::Statx::new(types::Fd(dirfd), p, buf)
                    .flags(flags)
                    .mask(STATX_MASK)
                    .build()
            }
            UV_FS_RENAME => opcode::RenameAt::new(CWD, path, CWD, new_path).build(),
            UV_FS_UNLINK => opcode::UnlinkAt::new(CWD, path).build(),
            UV_FS_RMDIR => opcode::UnlinkAt::new(CWD, path)
                .flags(libc::AT_REMOVEDIR)
                .build(),
            UV_FS_MKDIR => opcode::MkDirAt::new(CWD, path).mode((*req).mode).build(),
            UV_FS_LINK => opcode::LinkAt::new(CWD, path, CWD, new_path).build(),
            // `uv_fs_symlink(path, new_path)`: `new_path` becomes a link to `path`.
            UV_FS_SYMLINK => opcode::SymlinkAt::new(CWD, path, new_path).build(),
            // `queue` accepts only the types above.
            _ => opcode::Nop::new().build(),
        };
        e.user_data(req as u64)
    }
}

/// Submits the loop's queue, in one `io_uring_enter` (more only if the submission ring
/// fills), just before the loop polls. Requests beyond what the completion queue can
/// hold wait in the queue for the next poll.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn flush(l: *mut uv_loop_t) {
    // SAFETY: loop thread; no callback runs here.
    unsafe {
        let st = &mut (*crate::uvloop::inner(l)).uring;
        if st.head.is_null() {
            return;
        }
        let State::On(r) = &mut st.state else {
            // After a fork, before the child has its ring (or it cannot have one).
            if ring_of(l).is_none() {
                to_pool(l);
                return;
            }
            return flush(l);
        };
        let mut pushed = 0u32;
        while !st.head.is_null() && r.in_flight < r.cap {
            let req = st.head;
            let e = entry(req);
            // SAFETY: every address in `e` stays valid until the completion is reaped
            // (`entry`'s contract), and the request is not touched until then.
            if r.ring.submission().push(&e).is_err() {
                // The submission ring is full: hand it to the kernel and go on.
                if submit(r).is_err() {
                    break;
                }
                if r.ring.submission().push(&e).is_err() {
                    break;
                }
            }
            st.head = (*req).work_req.wq[0].cast();
            if st.head.is_null() {
                st.tail = ptr::null_mut();
            }
            if state(req) == QUEUED {
                set_state(req, SUBMITTED);
            }
            r.in_flight += 1;
            pushed += 1;
        }
        if pushed > 0 {
            // On failure the entries stay in the submission ring for the next flush.
            let _ = submit(r);
        }
    }
}

/// `io_uring_enter` for what is in the submission ring, retrying `EINTR`.
fn submit(r: &mut Ring) -> std::io::Result<usize> {
    loop {
        match r.ring.submit() {
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            res => return res,
        }
    }
}

/// The ring descriptor's watcher: reaps the completions and runs their callbacks.
unsafe fn on_ring(l: *mut uv_loop_t, _data: *mut c_void, _ready: u32) {
    // Only what is there now: callbacks queue new requests, which go in at the next
    // flush, so this ends.
    // SAFETY: loop thread; each borrow of the ring ends before the request's callback.
    let n = unsafe { ring_now(l) }.map_or(0, |r| r.ring.completion().len());
    let mut done = 0u64;
    for _ in 0..n {
        // SAFETY: as above.
        let Some(c) = (unsafe { ring_now(l) }).and_then(|r| {
            let c = r.ring.completion().next()?;
            r.in_flight -= 1;
            Some(c)
        }) else {
            break;
        };
        // SAFETY: loop thread; the request is the one whose address went into the entry.
        unsafe { complete(l, &c) };
        done += 1;
    }
    if done > 1 {
        // SAFETY: loop thread.
        unsafe { crate::uvloop::count_events(l, done - 1) };
    }
}

/// The loop's ring if it has one (made or not, nothing is tried here).
///
/// # Safety
/// `l` is an initialised loop; loop thread; the borrow ends before any callback.
unsafe fn ring_now<'a>(l: *mut uv_loop_t) -> Option<&'a mut Ring> {
    // SAFETY: forwarded.
    match unsafe { &mut (*crate::uvloop::inner(l)).uring.state } {
        State::On(r) => Some(&mut **r),
        _ => None,
    }
}

/// A reaped completion: the request's outcome into its fields, then its callback (or its
/// continuation: the rest of a short write, the pool for an unsupported operation).
///
/// # Safety
/// Loop thread; `c` is the completion of a request of this loop's ring.
unsafe fn complete(l: *mut uv_loop_t, c: &cqueue::Entry) {
    let req = c.user_data() as *mut uv_fs_t;
    let res = c.result();
    // SAFETY: the request is live until its callback (the caller's contract for every
    // asynchronous request); the kernel is done with it.
    unsafe {
        let ty = (*req).fs_type;
        let cancelled = state(req) == CANCELLED;
        if !cancelled && res == -libc::EOPNOTSUPP {
            // This kernel's ring takes the opcode but not this use of it: the pool runs it.
            hand_to_pool(l, req);
            return;
        }
        if !cancelled && ty == UV_FS_WRITE && res > 0 && continue_write(req, res as usize) {
            set_state(req, QUEUED);
            append(l, req);
            return;
        }
        (*req).result = if cancelled {
            UV_ECANCELED as isize
        } else if ty == UV_FS_WRITE && res >= 0 {
            (*req).result + res as isize
        } else if ty == UV_FS_WRITE && (*req).result > 0 {
            // An error after some bytes went out: the count is what the caller needs.
            (*req).result
        } else {
            res as isize
        };
        match ty {
            UV_FS_STAT | UV_FS_LSTAT | UV_FS_FSTAT => {
                let buf = (*req).ptr.cast::<libc::statx>();
                if (*req).result == 0 {
                    (*req).statbuf = super::stat::from_statx(&*buf);
                    (*req).ptr = (&raw mut (*req).statbuf).cast();
                } else {
                    (*req).ptr = ptr::null_mut();
                }
                alloc::free(buf.cast());
            }
            UV_FS_READ | UV_FS_WRITE => req::free_bufs(req),
            _ => {}
        }
        set_state(req, 0);
        (*l).active_reqs.count -= 1;
        crate::uvloop::inflight::leave(l, req.cast());
        if let Some(cb) = (*req).cb {
            cb(req);
        }
    }
}

/// Moves a request off the ring onto the pool (which counts it as active again).
///
/// # Safety
/// Loop thread; `req` is a live request from [`queue`], in no queue and not in the kernel.
unsafe fn hand_to_pool(l: *mut uv_loop_t, req: *mut uv_fs_t) {
    // SAFETY: forwarded; the request is ours until its callback.
    unsafe {
        free_statx(req);
        (*l).active_reqs.count -= 1;
        set_state(req, 0);
        req::submit_to_pool(l, req);
    }
}

/// Hands every queued request to the pool (a forked child that cannot make a ring).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
unsafe fn to_pool(l: *mut uv_loop_t) {
    // SAFETY: loop thread; the queued requests are live and ours until their callbacks.
    unsafe {
        let st = &mut (*crate::uvloop::inner(l)).uring;
        let mut req = core::mem::replace(&mut st.head, ptr::null_mut());
        st.tail = ptr::null_mut();
        while !req.is_null() {
            let next = (*req).work_req.wq[0].cast::<uv_fs_t>();
            let cancelled = state(req) == CANCELLED;
            hand_to_pool(l, req);
            if cancelled {
                // Taken back at once, so that its callback says UV_ECANCELED (should a
                // worker win the race, the operation runs and reports its own result).
                let _ = crate::pool::cancel(&raw mut (*req).work_req);
            }
            req = next;
        }
    }
}

/// After `n` more bytes of a write went out: true if some are left, with the request's
/// buffer list, offset and running count (`result`) moved past those `n`.
///
/// # Safety
/// `req` is a write request from [`queue`].
unsafe fn continue_write(req: *mut uv_fs_t, n: usize) -> bool {
    // SAFETY: the buffer list is the request's own copy (`req::set_bufs`).
    unsafe {
        let bufs = core::slice::from_raw_parts_mut((*req).bufs, (*req).nbufs as usize);
        let mut left = n;
        let mut i = 0;
        while i < bufs.len() && bufs[i].len <= left {
            left -= bufs[i].len;
            i += 1;
        }
        // Empty buffers at the end count as written.
        while i < bufs.len() && bufs[i].len == 0 {
            i += 1;
        }
        if i == bufs.len() {
            return false;
        }
        (*req).result += n as isize;
        if (*req).off >= 0 {
            (*req).off += n as i64;
        }
        bufs[i].base = bufs[i].base.add(left);
        bufs[i].len -= left;
        // The rest moves to the front: the list's own address is what cleanup frees.
        bufs.copy_within(i.., 0);
        (*req).nbufs -= i as u32;
        true
    }
}

/// Frees the statx buffer of a stat request that leaves the ring without one.
///
/// # Safety
/// `req` is a live request from [`queue`].
unsafe fn free_statx(req: *mut uv_fs_t) {
    // SAFETY: a stat request's `ptr` is the buffer `queue` allocated.
    unsafe {
        if matches!((*req).fs_type, UV_FS_STAT | UV_FS_LSTAT | UV_FS_FSTAT) {
            alloc::free((*req).ptr);
            (*req).ptr = ptr::null_mut();
        }
    }
}

/// `uv_cancel` of a request whose `work_req.done` is NULL (on a ring, or never queued):
/// 0 if it will complete with `UV_ECANCELED`, else `UV_EBUSY`.
///
/// # Safety
/// `req` is a live `uv_fs_t` initialised by `req::start` (or zeroed); loop thread.
pub(crate) unsafe fn cancel(req: *mut uv_fs_t) -> c_int {
    use crate::abi::errno::UV_EBUSY;
    // SAFETY: live request (caller); the ring belongs to the request's loop.
    unsafe {
        let l = (*req).work_req.r#loop;
        if l.is_null() || !crate::uvloop::is_open(l) {
            return UV_EBUSY;
        }
        match state(req) {
            // The rest of a write that has already put bytes out: past cancelling, so
            // that its callback reports the count, not a cancellation.
            QUEUED if (*req).fs_type == UV_FS_WRITE && (*req).result > 0 => UV_EBUSY,
            QUEUED => {
                set_state(req, CANCELLED);
                0
            }
            SUBMITTED => {
                let State::On(r) = &(*crate::uvloop::inner(l)).uring.state else {
                    return UV_EBUSY;
                };
                let which = types::CancelBuilder::user_data(req as u64);
                match r.ring.submitter().register_sync_cancel(None, which) {
                    // The completion, with -ECANCELED, is in the queue now.
                    Ok(()) => 0,
                    Err(_) => UV_EBUSY,
                }
            }
            _ => UV_EBUSY,
        }
    }
}

/// `uv_loop_fork`: the parent's ring stays the parent's. Its watcher is forgotten (it was
/// on the parent's backend) and the child's copy closed; requests still queued go to the
/// child's own ring, made at the next flush. Those the parent's ring had (`in_flight`,
/// the loop's in-flight work items) complete in the child with `UV_ECANCELED`: they are
/// queued again as cancelled, so the child's ring hands them back as no-ops, and the
/// child's loop can finish and close.
///
/// # Safety
/// `l` is an initialised loop; loop thread; before the backend is re-created; each item
/// of `in_flight` is the live work item of a request of `l` not yet handed back.
pub(crate) unsafe fn loop_fork(l: *mut uv_loop_t, in_flight: &[*mut uv__work]) {
    // SAFETY: loop thread; short borrows, no callback runs; the items are live (caller).
    unsafe {
        let st = &mut (*crate::uvloop::inner(l)).uring;
        if let State::On(r) = core::mem::take(&mut st.state) {
            crate::uvloop::io::forget(l, r.ring.as_raw_fd());
            drop(r);
        }
        for &w in in_flight {
            // Only the ring's requests: the pool's have a `done`.
            if (*w).done.is_some() {
                continue;
            }
            let req = req::req_of(w);
            if state(req) == SUBMITTED {
                set_state(req, CANCELLED);
                append(l, req);
            }
        }
    }
}

/// `uv_loop_close`: the ring goes (no request is active by now).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
pub(crate) unsafe fn loop_close(l: *mut uv_loop_t) {
    // SAFETY: loop thread; short borrows, no callback runs.
    unsafe {
        let st = &mut (*crate::uvloop::inner(l)).uring;
        if let State::On(r) = core::mem::take(&mut st.state) {
            crate::uvloop::io::close(l, r.ring.as_raw_fd());
            drop(r);
        }
    }
}

use std::os::fd::AsRawFd;

#[cfg(test)]
mod tests {
    use super::*;

    /// A zeroed write request over three buffers (lengths 4, 0, 6) at offset 100.
    fn write_req(bufs: &mut [uv_buf_t; 3], data: &mut [u8; 10]) -> uv_fs_t {
        // SAFETY: `uv_fs_t` is plain C data; all-zero is a valid (unset) request.
        let mut req: uv_fs_t = unsafe { core::mem::zeroed() };
        let base = data.as_mut_ptr().cast::<c_char>();
        // SAFETY: the offsets stay inside `data`.
        *bufs = unsafe {
            [
                uv_buf_t { base, len: 4 },
                uv_buf_t {
                    base: base.add(4),
                    len: 0,
                },
                uv_buf_t {
                    base: base.add(4),
                    len: 6,
                },
            ]
        };
        req.fs_type = UV_FS_WRITE;
        req.bufs = bufs.as_mut_ptr();
        req.nbufs = 3;
        req.off = 100;
        req
    }

    #[test]
    fn a_short_write_continues_where_it_stopped() {
        let (mut bufs, mut data) = (
            [uv_buf_t {
                base: ptr::null_mut(),
                len: 0,
            }; 3],
            [0u8; 10],
        );
        let mut req = write_req(&mut bufs, &mut data);
        let base = data.as_mut_ptr().cast::<c_char>();
        // SAFETY: `req` is a write request over live buffers.
        unsafe {
            // 6 of 10 bytes: the first buffer, the empty one, 2 bytes of the third.
            assert!(continue_write(&mut req, 6));
            assert_eq!(req.result, 6);
            assert_eq!(req.off, 106);
            assert_eq!(req.nbufs, 1);
            assert_eq!(req.bufs, bufs.as_mut_ptr(), "the list keeps its address");
            assert_eq!(bufs[0].base, base.add(6));
            assert_eq!(bufs[0].len, 4);
            // The other 4: nothing left.
            assert!(!continue_write(&mut req, 4));
        }
    }

    #[test]
    fn a_write_at_the_file_position_keeps_offset_minus_one() {
        let (mut bufs, mut data) = (
            [uv_buf_t {
                base: ptr::null_mut(),
                len: 0,
            }; 3],
            [0u8; 10],
        );
        let mut req = write_req(&mut bufs, &mut data);
        req.off = -1;
        // SAFETY: as above.
        unsafe {
            assert!(continue_write(&mut req, 3));
            assert_eq!(req.off, -1);
            assert_eq!(
                req.nbufs, 3,
                "1 byte of the first buffer left, then the others"
            );
            assert_eq!(bufs[0].len, 1);
            assert_eq!(bufs[2].len, 6);
        }
    }

    #[test]
    fn kernel_version_parses_the_release() {
        let v = kernel_version();
        assert!(v >= 0x020600, "running on Linux 2.6 or later: {v:#x}");
    }
}
