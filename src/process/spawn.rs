//! `uv_spawn`: everything the parent does.
//!
//! 1. The handle is initialised first, so that it can always be closed, even when spawning
//!    fails (libuv's contract: a failed `uv_spawn` still leaves a handle to `uv_close`).
//! 2. The stdio containers become one descriptor per child fd: `UV_IGNORE` → none (fds 0-2
//!    get `/dev/null` in the child), `UV_INHERIT_FD` → the given fd, `UV_INHERIT_STREAM` →
//!    the stream's fd (`u.fd`), `UV_CREATE_PIPE` → a close-on-exec socketpair whose child
//!    end is passed.
//! 3. Everything the child needs is computed and allocated here, before the child exists:
//!    the argv and envp arrays and the PATH candidates for a file without a slash
//!    (`execvp` semantics, with the PATH of `options.env` when one is given). The child
//!    then runs only async-signal-safe calls ([`super::child`]).
//! 4. The child is made with `clone(CLONE_VM | CLONE_VFORK)` on a small stack of its own,
//!    as glibc's `posix_spawn` does: it shares the parent's memory and the parent waits
//!    until it has called `execve` (or failed), so no page table is copied and spawning
//!    costs the same from a parent of any size (`fork` copies them, and can fail with
//!    ENOMEM under strict overcommit). Every `uv_process_options_t` feature is kept, since
//!    the child runs the same plan a forked child would.
//! 5. An `O_CLOEXEC` pipe carries an exec failure (`errno`) from the child: end-of-file
//!    means `execve` succeeded; a value means it failed, and the child (which `_exit`s at
//!    once) is reaped here, and `uv_spawn` returns that error.
//! 6. The parent ends of the created pipes are opened into the user's `uv_pipe_t` with the
//!    exported `uv_pipe_open` (even when exec failed, as libuv does) and flagged readable /
//!    writable from the child's point of view (`UV_WRITABLE_PIPE`: the child writes, so the
//!    parent reads).
//!
//! All signals except the synchronous ones are blocked across `clone` (so that no handler
//! runs in the child, on the parent's memory, before it resets the dispositions); the
//! child execs with an empty mask.

use super::child::Plan;
use crate::abi::errno::UV_EINVAL;
use crate::abi::flags;
use crate::abi::*;
use crate::abi::{
    UV_CREATE_PIPE, UV_IGNORE, UV_INHERIT_FD, UV_INHERIT_STREAM, UV_READABLE_PIPE, UV_WRITABLE_PIPE,
};
use crate::uvloop::handle;
use crate::uvloop::queue;
use core::ffi::{CStr, c_char, c_int, c_uint};
use core::ptr;
use std::ffi::CString;

unsafe extern "C" {
    /// The process environment (`environ(7)`).
    static environ: *const *const c_char;
}

pub(super) const PROCESS_SETUID: c_uint = 1 << 0;
pub(super) const PROCESS_SETGID: c_uint = 1 << 1;
pub(super) const PROCESS_DETACHED: c_uint = 1 << 3;
/// Every `uv_process_flags` bit (the `WINDOWS_*` ones are accepted and ignored).
const PROCESS_ALL_FLAGS: c_uint = 0x7f;

/// glibc's `execvp` default search path, used when the environment has no `PATH`.
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// One child fd: the descriptor passed to the child, and whether rsuv created it (a
/// socketpair, whose parent end is `parent`).
#[derive(Clone, Copy)]
struct Slot {
    child: c_int,
    parent: c_int,
    created: bool,
}

const NO_SLOT: Slot = Slot {
    child: -1,
    parent: -1,
    created: false,
};

/// Closes every descriptor rsuv created for `slots`.
fn close_created(slots: &mut [Slot]) {
    for s in slots.iter_mut().filter(|s| s.created) {
        for fd in [&mut s.child, &mut s.parent] {
            if *fd >= 0 {
                // SAFETY: our own socketpair end.
                unsafe { libc::close(*fd) };
                *fd = -1;
            }
        }
    }
}

/// The descriptors of one stdio container.
///
/// # Safety
/// `c` is a readable container; its stream, if used, is a live handle.
unsafe fn init_stdio(c: &uv_stdio_container_t) -> Result<Slot, c_int> {
    // SAFETY: the union member read is the one the flags select; streams are live.
    unsafe {
        match c.flags & (UV_CREATE_PIPE | UV_INHERIT_FD | UV_INHERIT_STREAM) {
            UV_IGNORE => Ok(NO_SLOT),
            UV_CREATE_PIPE => {
                let s = c.data.stream;
                if s.is_null() || (*s).r#type != crate::abi::UV_NAMED_PIPE {
                    return Err(UV_EINVAL);
                }
                let mut fds = [-1; 2];
                if libc::socketpair(
                    libc::AF_UNIX,
                    libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
                    0,
                    fds.as_mut_ptr(),
                ) != 0
                {
                    return Err(crate::abi::errno::last_error());
                }
                Ok(Slot {
                    child: fds[1],
                    parent: fds[0],
                    created: true,
                })
            }
            UV_INHERIT_FD | UV_INHERIT_STREAM => {
                let fd = if c.flags & UV_INHERIT_FD != 0 {
                    c.data.fd
                } else {
                    let s = c.data.stream;
                    if s.is_null() {
                        return Err(UV_EINVAL);
                    }
                    (*s.cast::<uv_handle_t>()).u.fd
                };
                if fd < 0 {
                    return Err(UV_EINVAL);
                }
                Ok(Slot {
                    child: fd,
                    parent: -1,
                    created: false,
                })
            }
            _ => Err(UV_EINVAL),
        }
    }
}

/// The value of `PATH` in a NULL-terminated `NAME=value` array.
///
/// # Safety
/// `env` is a NULL-terminated array of C strings.
unsafe fn path_in(env: *const *const c_char) -> Option<Vec<u8>> {
    // SAFETY: caller guarantees the array shape.
    unsafe {
        let mut e = env;
        while !(*e).is_null() {
            let entry = CStr::from_ptr(*e).to_bytes();
            if let Some(v) = entry.strip_prefix(b"PATH=") {
                return Some(v.to_vec());
            }
            e = e.add(1);
        }
    }
    None
}

/// The paths `execvp` would try for `file`, in order.
fn candidates(file: &[u8], path: Option<Vec<u8>>) -> Vec<CString> {
    let to_c = |v: Vec<u8>| CString::new(v).unwrap_or_default();
    if file.is_empty() || file.contains(&b'/') {
        return vec![to_c(file.to_vec())];
    }
    let path = path.unwrap_or_else(|| DEFAULT_PATH.to_vec());
    path.split(|&b| b == b':')
        .map(|dir| {
            let mut v = Vec::with_capacity(dir.len() + 1 + file.len());
            v.extend_from_slice(dir);
            if !dir.is_empty() {
                v.push(b'/');
            }
            v.extend_from_slice(file);
            to_c(v)
        })
        .collect()
}

/// `uv_spawn`; the caller has checked the three pointers.
///
/// # Safety
/// `l` is an initialised loop; `p` is writable memory of `sizeof(uv_process_t)`; `o` is a
/// readable options struct whose pointers are valid as libuv documents.
pub(crate) unsafe fn spawn(
    l: *mut uv_loop_t,
    p: *mut uv_process_t,
    o: *const uv_process_options_t,
) -> c_int {
    // SAFETY: caller guarantees the pointers; every array read below is bounded by the
    // counts and terminators the options promise.
    unsafe {
        // A running child's handle: refused before anything is written to it (libuv
        // would link the handle into the loop's queues twice). The loop's registry knows
        // its running children; nothing of `p` is read.
        if crate::uvloop::inflight::busy(l, p.cast()) {
            return crate::abi::errno::UV_EBUSY;
        }
        handle::init(l, handle::base(p), crate::abi::UV_PROCESS);
        queue::init((&raw mut (*p).queue).cast());
        (*p).exit_cb = None;
        (*p).pid = 0;
        (*p).status = 0;
        let o = &*o;
        if o.file.is_null()
            || o.flags & !PROCESS_ALL_FLAGS != 0
            || (o.stdio_count > 0 && o.stdio.is_null())
        {
            return UV_EINVAL;
        }
        let user_count = o.stdio_count.max(0) as usize;
        let mut slots = vec![NO_SLOT; user_count.max(3)];
        for i in 0..user_count {
            match init_stdio(&*o.stdio.add(i)) {
                Ok(s) => slots[i] = s,
                Err(e) => {
                    close_created(&mut slots);
                    return e;
                }
            }
        }
        let r = super::watch_children(l);
        if r != 0 {
            close_created(&mut slots);
            return r;
        }

        let file = CStr::from_ptr(o.file);
        let envp: *const *const c_char = if o.env.is_null() {
            environ
        } else {
            o.env.cast_const().cast()
        };
        let path = if o.env.is_null() {
            std::env::var_os("PATH").map(std::os::unix::ffi::OsStringExt::into_vec)
        } else {
            path_in(envp)
        };
        let paths = candidates(file.to_bytes(), path);
        // argv: the caller's, or just the file when there is none.
        let own_argv = [file.as_ptr(), ptr::null()];
        let argv: *const *const c_char = if o.args.is_null() {
            own_argv.as_ptr()
        } else {
            o.args.cast_const().cast()
        };
        let path_ptrs: Vec<*const c_char> = paths.iter().map(|c| c.as_ptr()).collect();

        let mut errpipe = [-1; 2];
        if libc::pipe2(errpipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            let e = crate::abi::errno::last_error();
            close_created(&mut slots);
            return e;
        }
        let mut fds: Vec<c_int> = slots.iter().map(|s| s.child).collect();
        let mut plan = Plan {
            fds: &mut fds,
            detached: o.flags & PROCESS_DETACHED != 0,
            cwd: o.cwd,
            setuid: (o.flags & PROCESS_SETUID != 0).then_some(o.uid),
            setgid: (o.flags & PROCESS_SETGID != 0).then_some(o.gid),
            paths: &path_ptrs,
            argv,
            envp,
            error_fd: errpipe[1],
        };

        let (pid, exec_err) = clone_and_exec(&mut plan, errpipe);
        if exec_err == 0 {
            (*p).pid = pid;
            (*p).exit_cb = o.exit_cb;
            super::add_child(l, p);
        }

        // Parent ends of the created pipes into the user's pipe handles; child ends closed.
        for (i, s) in slots.iter_mut().enumerate() {
            if s.created && s.child >= 0 {
                libc::close(s.child);
                s.child = -1;
            }
            if i >= user_count || !s.created {
                continue;
            }
            let c = &*o.stdio.add(i);
            let r = open_stream(c, s.parent);
            s.parent = -1; // owned by the pipe handle, or closed by open_stream
            if r != 0 {
                close_created(&mut slots);
                return r;
            }
        }
        exec_err
    }
}

/// The child's stack: `child::run` needs a few hundred bytes of it; the rest is margin.
const CHILD_STACK: usize = 64 * 1024;

/// The child's entry point: `arg` is the `Plan`.
extern "C" fn child_main(arg: *mut core::ffi::c_void) -> c_int {
    // SAFETY: `arg` is the `&mut Plan` that `clone_and_exec` passed, alive in the parent,
    // which is suspended (CLONE_VFORK) until this child execs or exits.
    unsafe { super::child::run(&mut *arg.cast::<Plan>()) }
}

/// Starts the child; it follows `plan` and never returns. Returns the pid and 0, or the
/// clone or exec error (the failed child already reaped).
///
/// # Safety
/// `plan` holds valid pointers; `errpipe` is a fresh close-on-exec pipe, both of whose ends
/// this function closes.
unsafe fn clone_and_exec(plan: &mut Plan, errpipe: [c_int; 2]) -> (c_int, c_int) {
    let mut stack = vec![0u128; CHILD_STACK / 16];
    // SAFETY: the signal sets are initialised before use; the child runs only
    // async-signal-safe code (see child.rs) on its own stack, which outlives it (the parent
    // waits, CLONE_VFORK, until the child has exec'd or exited) and never returns.
    unsafe {
        let mut block: libc::sigset_t = core::mem::zeroed();
        let mut saved: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&mut block);
        for s in [
            libc::SIGKILL,
            libc::SIGSTOP,
            libc::SIGTRAP,
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGSYS,
            libc::SIGABRT,
        ] {
            libc::sigdelset(&mut block, s);
        }
        libc::sigemptyset(&mut saved);
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut saved);
        // The stack grows down from its end, which `u128` elements keep 16-byte aligned.
        let top = stack
            .as_mut_ptr()
            .add(stack.len())
            .cast::<core::ffi::c_void>();
        let pid = libc::clone(
            child_main,
            top,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            (plan as *mut Plan).cast(),
        );
        let fork_err = if pid < 0 {
            crate::abi::errno::last_error()
        } else {
            0
        };
        libc::pthread_sigmask(libc::SIG_SETMASK, &saved, ptr::null_mut());
        libc::close(errpipe[1]);
        if pid < 0 {
            libc::close(errpipe[0]);
            return (0, fork_err);
        }
        let mut code: c_int = 0;
        let r = loop {
            let r = libc::read(errpipe[0], (&raw mut code).cast(), 4);
            if r == -1 && *libc::__errno_location() == libc::EINTR {
                continue;
            }
            break r;
        };
        libc::close(errpipe[0]);
        if r == 0 {
            return (pid, 0);
        }
        // The child failed before exec (and exits with 127): reap it now.
        let mut status = 0;
        while libc::waitpid(pid, &mut status, 0) == -1 && *libc::__errno_location() == libc::EINTR {
        }
        let err = if r == 4 {
            crate::abi::errno::from_errno(code)
        } else {
            crate::abi::errno::UV_EPIPE
        };
        (pid, err)
    }
}

/// Opens the parent end `fd` of a created pipe into the container's pipe handle and sets
/// its readable/writable flags; closes `fd` on failure.
///
/// # Safety
/// `c` is a `UV_CREATE_PIPE` container whose stream is a live pipe handle.
unsafe fn open_stream(c: &uv_stdio_container_t, fd: c_int) -> c_int {
    // SAFETY: the stream was type-checked in init_stdio; `fd` is ours.
    unsafe {
        let pipe: *mut uv_pipe_t = c.data.stream.cast();
        let fl = libc::fcntl(fd, libc::F_GETFL);
        if fl != -1 {
            libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
        }
        let r = crate::pipe::open(pipe, fd);
        if r != 0 {
            libc::close(fd);
            return r;
        }
        let mut flags = (*pipe).flags & !(flags::READABLE | flags::WRITABLE);
        if c.flags & UV_WRITABLE_PIPE != 0 {
            flags |= flags::READABLE;
        }
        if c.flags & UV_READABLE_PIPE != 0 {
            flags |= flags::WRITABLE;
        }
        (*pipe).flags = flags;
    }
    0
}
