//! The child's side of `uv_spawn`, between `clone` and `execve`.
//!
//! The child shares the parent's memory (`CLONE_VM | CLONE_VFORK`, see
//! [`super::spawn`]) while the parent waits, so only async-signal-safe calls run here
//! (`sigaction`, `setsid`, `fcntl`, `dup2`, `open`, `close`, `chdir`, `sigprocmask`,
//! `execve`, `write`, `_exit`), nothing is allocated, and everything was prepared by the
//! parent in a [`Plan`]. The credential changes are raw system calls, not glibc's
//! `setuid`/`setgid`/`setgroups`: those apply the change to every thread glibc knows of,
//! and in a child that shares the parent's memory those are the parent's threads. Any
//! failure writes the `errno` to the close-on-exec error pipe and exits with status 127; a
//! successful `execve` closes the pipe, which the parent reads as end-of-file.

use core::ffi::{c_char, c_int};
use core::ptr;

/// What the child does, prepared by the parent.
pub(super) struct Plan<'a> {
    /// The descriptor for each child fd (index), -1 for none.
    pub(super) fds: &'a mut [c_int],
    /// `UV_PROCESS_DETACHED`: a new session.
    pub(super) detached: bool,
    /// Working directory, or NULL.
    pub(super) cwd: *const c_char,
    pub(super) setuid: Option<libc::uid_t>,
    pub(super) setgid: Option<libc::gid_t>,
    /// Paths to try, in order (`execvp`'s PATH search done in advance).
    pub(super) paths: &'a [*const c_char],
    pub(super) argv: *const *const c_char,
    pub(super) envp: *const *const c_char,
    pub(super) error_fd: c_int,
}

#[inline(always)]
fn errno() -> c_int {
    // SAFETY: errno is thread-local and always readable.
    unsafe { *libc::__errno_location() }
}

/// Reports `err` (an errno value) to the parent and exits.
fn fail(fd: c_int, err: c_int) -> ! {
    // SAFETY: write and _exit are async-signal-safe; `err` is a live local.
    unsafe {
        while libc::write(fd, (&raw const err).cast(), 4) == -1 && errno() == libc::EINTR {}
        libc::_exit(127)
    }
}

/// Runs the child: never returns.
///
/// # Safety
/// Called in the child of `fork`, with the pointers in `plan` valid.
pub(super) unsafe fn run(plan: &mut Plan) -> ! {
    let efd = plan.error_fd;
    // SAFETY: only async-signal-safe libc calls on values prepared by the parent; all slice
    // accesses are bounds-checked by iteration.
    unsafe {
        // Default dispositions for the classic signals (RT signals belong to the C library;
        // caught ones are reset by execve anyway, ignored ones would survive it).
        let mut dfl: libc::sigaction = core::mem::zeroed();
        dfl.sa_sigaction = libc::SIG_DFL;
        for n in 1..32 {
            if n == libc::SIGKILL || n == libc::SIGSTOP {
                continue;
            }
            if libc::sigaction(n, &dfl, ptr::null_mut()) != 0 {
                fail(efd, errno());
            }
        }

        if plan.detached {
            libc::setsid();
        }

        // Move descriptors that sit below their target out of the way first, so that e.g.
        // swapping stdout and stderr does not clobber one with the other.
        let count = plan.fds.len() as c_int;
        for (fd, use_fd) in plan.fds.iter_mut().enumerate() {
            if *use_fd < 0 || *use_fd >= fd as c_int {
                continue;
            }
            *use_fd = libc::fcntl(*use_fd, libc::F_DUPFD_CLOEXEC, count);
            if *use_fd == -1 {
                fail(efd, errno());
            }
        }

        for (fd, &use_fd) in plan.fds.iter().enumerate() {
            let fd = fd as c_int;
            let mut use_fd = use_fd;
            let mut devnull = -1;
            if use_fd < 0 {
                if fd >= 3 {
                    continue;
                }
                // stdin, stdout and stderr always exist: /dev/null when ignored.
                libc::close(fd);
                let mode = if fd == 0 {
                    libc::O_RDONLY
                } else {
                    libc::O_RDWR
                };
                use_fd = libc::open(c"/dev/null".as_ptr(), mode);
                if use_fd < 0 {
                    fail(efd, errno());
                }
                devnull = use_fd;
            }
            if fd == use_fd {
                if devnull == -1 && libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    fail(efd, errno());
                }
            } else if libc::dup2(use_fd, fd) == -1 {
                fail(efd, errno());
            }
            // The child's stdio is blocking (the flag is shared with the parent's end).
            if fd <= 2 && devnull == -1 {
                let fl = libc::fcntl(fd, libc::F_GETFL);
                if fl != -1 && fl & libc::O_NONBLOCK != 0 {
                    libc::fcntl(fd, libc::F_SETFL, fl & !libc::O_NONBLOCK);
                }
            }
            if devnull >= count {
                libc::close(devnull);
            }
        }

        if !plan.cwd.is_null() && libc::chdir(plan.cwd) != 0 {
            fail(efd, errno());
        }

        // Raw system calls: this task alone changes its credentials (see the module docs).
        if plan.setuid.is_some() || plan.setgid.is_some() {
            // Drop supplementary groups when dropping privileges; fails harmlessly when
            // not root.
            libc::syscall(libc::SYS_setgroups, 0, ptr::null::<libc::gid_t>());
        }
        if let Some(gid) = plan.setgid
            && libc::syscall(libc::SYS_setgid, gid) != 0
        {
            fail(efd, errno());
        }
        if let Some(uid) = plan.setuid
            && libc::syscall(libc::SYS_setuid, uid) != 0
        {
            fail(efd, errno());
        }

        let mut empty: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, ptr::null_mut());

        // The PATH search: try each candidate; keep searching past "not here" errors,
        // remember EACCES, stop at anything else. A file the kernel cannot execute (a
        // script without "#!") is UV_ENOEXEC, as libuv 1.53 (posix_spawn) reports it: no
        // /bin/sh fallback.
        let mut err = libc::ENOENT;
        let mut saw_eacces = false;
        for &path in plan.paths.iter() {
            libc::execve(path, plan.argv, plan.envp);
            err = errno();
            match err {
                libc::EACCES => saw_eacces = true,
                libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
                _ => break,
            }
        }
        if saw_eacces
            && matches!(
                err,
                libc::EACCES | libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV
            )
        {
            err = libc::EACCES;
        }
        fail(efd, err)
    }
}
