//! The child's side of `uv_spawn`, between `fork` and `execve`.
//!
//! Only async-signal-safe calls run here (`sigaction`, `setsid`, `fcntl`, `dup2`, `open`,
//! `close`, `chdir`, `setgroups`/`setgid`/`setuid`, `sigprocmask`, `execve`, `write`,
//! `_exit`): the parent may have other threads, whose locks (the allocator's included) are
//! in an unknown state in the child. Nothing is allocated; everything was prepared by the
//! parent in a [`Plan`]. Any failure writes the `errno` to the close-on-exec error pipe and
//! exits with status 127; a successful `execve` closes the pipe, which the parent reads as
//! end-of-file.

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
    /// `["/bin/sh", <script>, args[1..], NULL]`; slot 1 is filled in here.
    pub(super) sh_argv: &'a mut [*const c_char],
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

        if plan.setuid.is_some() || plan.setgid.is_some() {
            // Drop supplementary groups when dropping privileges; fails harmlessly when
            // not root.
            libc::setgroups(0, ptr::null());
        }
        if let Some(gid) = plan.setgid
            && libc::setgid(gid) != 0
        {
            fail(efd, errno());
        }
        if let Some(uid) = plan.setuid
            && libc::setuid(uid) != 0
        {
            fail(efd, errno());
        }

        let mut empty: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&mut empty);
        libc::sigprocmask(libc::SIG_SETMASK, &empty, ptr::null_mut());

        // execvp: try each candidate; keep searching past "not here" errors, remember
        // EACCES, stop at anything else.
        let mut err = libc::ENOENT;
        let mut saw_eacces = false;
        for &path in plan.paths.iter() {
            libc::execve(path, plan.argv, plan.envp);
            err = errno();
            if err == libc::ENOEXEC {
                // A script without "#!": run it with the shell, as execvp does.
                if let Some(slot) = plan.sh_argv.get_mut(1) {
                    *slot = path;
                }
                libc::execve(c"/bin/sh".as_ptr(), plan.sh_argv.as_ptr(), plan.envp);
                err = errno();
                break;
            }
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
