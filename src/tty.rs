//! TTY handles: a stream over a terminal descriptor, with terminal modes.
//!
//! `uv_tty_init` reopens a terminal that is a pty *slave* (or a real terminal) through its
//! path, and `dup2`s the new file over the given descriptor, so that making it non-blocking
//! does not change the file other processes share (libuv's behaviour: `node | cat`). When
//! the terminal cannot be reopened (a pty master, for one) the descriptor stays blocking
//! and writes are synchronous (`BLOCKING_WRITES`, flag 0x100000).
//!
//! `uv_tty_set_mode` saves the terminal's attributes before the first change away from
//! `UV_TTY_MODE_NORMAL` (in `orig_termios`), and the first ever saved are kept process-wide
//! for `uv_tty_reset_mode`, which is async-signal-safe: it only ever try-locks (a spin flag)
//! and returns `UV_EBUSY` if `uv_tty_set_mode` holds it. Loop thread, except
//! `uv_tty_reset_mode` (any thread, signal handlers).

use crate::abi::errno::{UV_EBUSY, UV_EINVAL, last_error};
use crate::abi::flags::{BLOCKING_WRITES, READABLE, WRITABLE};
use crate::abi::*;
use crate::stream;
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

pub(crate) const MODE_NORMAL: c_int = 0;
pub(crate) const MODE_RAW: c_int = 1;
pub(crate) const MODE_IO: c_int = 2;
/// `UV_TTY_MODE_RAW_VT` (libuv 1.50): Windows' virtual terminal input; on Unix, raw.
pub(crate) const MODE_RAW_VT: c_int = 3;

/// The attributes `uv_tty_reset_mode` restores, and the descriptor they belong to.
struct Saved(UnsafeCell<core::mem::MaybeUninit<libc::termios>>);
// SAFETY: only touched while holding `LOCK` (a try-lock that never blocks).
unsafe impl Sync for Saved {}
static SAVED: Saved = Saved(UnsafeCell::new(core::mem::MaybeUninit::zeroed()));
static SAVED_FD: AtomicI32 = AtomicI32::new(-1);
static LOCK: AtomicBool = AtomicBool::new(false);

fn try_lock() -> bool {
    LOCK.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

fn lock() {
    while !try_lock() {
        core::hint::spin_loop();
    }
}

fn unlock() {
    LOCK.store(false, Ordering::Release);
}

/// Is `fd` a pty slave (or any terminal that is not a pty master)?
fn is_slave(fd: c_int) -> bool {
    let mut n: c_int = 0;
    // SAFETY: TIOCGPTN writes one int; it fails on anything but a pty master.
    unsafe { libc::ioctl(fd, libc::TIOCGPTN, &mut n) != 0 }
}

/// `uv_tty_init`; `fd` is the terminal (or other stream-like descriptor) to use.
///
/// # Safety
/// `l` is an initialised loop; `tty` writable memory of `sizeof(uv_tty_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t, tty: *mut uv_tty_t, fd: c_int) -> c_int {
    // SAFETY: caller guarantees both; descriptors are checked by the kernel.
    unsafe {
        let ty = crate::os::fd::guess_handle(fd);
        if ty == 17 || ty == crate::abi::UV_UNKNOWN_HANDLE {
            // UV_FILE: files and character devices cannot be polled.
            return UV_EINVAL;
        }
        let saved_flags = loop {
            let f = libc::fcntl(fd, libc::F_GETFL);
            if f == -1 && last_error() == -libc::EINTR {
                continue;
            }
            break f;
        };
        if saved_flags == -1 {
            return last_error();
        }
        let mode = saved_flags & libc::O_ACCMODE;
        let mut flags = 0;
        let mut fd = fd;
        if ty == crate::abi::UV_TTY {
            let mut path = [0 as c_char; 256];
            let reopened =
                if is_slave(fd) && libc::ttyname_r(fd, path.as_mut_ptr(), path.len()) == 0 {
                    libc::open(path.as_ptr(), mode | libc::O_NOCTTY | libc::O_CLOEXEC)
                } else {
                    -1
                };
            if reopened < 0 {
                if mode != libc::O_RDONLY {
                    flags |= BLOCKING_WRITES;
                }
            } else {
                let r = loop {
                    let r = libc::dup3(reopened, fd, libc::O_CLOEXEC);
                    if r == -1 && last_error() == -libc::EINTR {
                        continue;
                    }
                    break r;
                };
                if r < 0 {
                    let e = last_error();
                    // EINVAL: the two are equal (someone closed `fd` meanwhile); go on.
                    if e != UV_EINVAL {
                        libc::close(reopened);
                        return e;
                    }
                }
                fd = reopened;
            }
        }
        let s = stream::stream(tty);
        stream::init(l, s, crate::abi::UV_TTY);
        if flags & BLOCKING_WRITES == 0 {
            crate::tcp::set_nonblock(fd, true);
        }
        if mode != libc::O_WRONLY {
            flags |= READABLE;
        }
        if mode != libc::O_RDONLY {
            flags |= WRITABLE;
        }
        stream::open(s, fd, flags, false);
        (*tty).mode = MODE_NORMAL;
    }
    0
}

fn tcsetattr(fd: c_int, how: c_int, t: &libc::termios) -> c_int {
    loop {
        // SAFETY: `t` is a live termios.
        if unsafe { libc::tcsetattr(fd, how, t) } == 0 {
            return 0;
        }
        let e = last_error();
        if e != -libc::EINTR {
            return e;
        }
    }
}

/// `uv_tty_set_mode` after the checks.
///
/// # Safety
/// `tty` is a live TTY handle.
pub(crate) unsafe fn set_mode(tty: *mut uv_tty_t, mode: c_int) -> c_int {
    // Unix has one raw mode: RAW_VT is RAW (and is remembered as RAW), as in libuv.
    let mode = match mode {
        MODE_RAW_VT => MODE_RAW,
        MODE_NORMAL | MODE_RAW | MODE_IO => mode,
        _ => return UV_EINVAL,
    };
    // SAFETY: caller guarantees `tty` is live; SAVED is touched under the lock.
    unsafe {
        if (*tty).mode == mode {
            return 0;
        }
        let fd = stream::fd(stream::stream(tty));
        if (*tty).mode == MODE_NORMAL {
            loop {
                if libc::tcgetattr(fd, &raw mut (*tty).orig_termios) == 0 {
                    break;
                }
                let e = last_error();
                if e != -libc::EINTR {
                    return e;
                }
            }
            lock();
            if SAVED_FD.load(Ordering::Relaxed) == -1 {
                (*SAVED.0.get()).write((*tty).orig_termios);
                SAVED_FD.store(fd, Ordering::Relaxed);
            }
            unlock();
        }
        let mut t = (*tty).orig_termios;
        match mode {
            MODE_RAW => {
                t.c_iflag &=
                    !(libc::BRKINT | libc::ICRNL | libc::INPCK | libc::ISTRIP | libc::IXON);
                t.c_oflag |= libc::ONLCR;
                t.c_cflag |= libc::CS8;
                t.c_lflag &= !(libc::ECHO | libc::ICANON | libc::IEXTEN | libc::ISIG);
                t.c_cc[libc::VMIN] = 1;
                t.c_cc[libc::VTIME] = 0;
            }
            MODE_IO => libc::cfmakeraw(&mut t),
            _ => {}
        }
        // Applied once pending output is written.
        let r = tcsetattr(fd, libc::TCSADRAIN, &t);
        if r == 0 {
            (*tty).mode = mode;
        }
        r
    }
}

/// `uv_tty_reset_mode`: restores the attributes saved by the first mode change.
pub(crate) fn reset_mode() -> c_int {
    // errno is preserved: this may run in a signal handler.
    // SAFETY: __errno_location is the calling thread's errno.
    let saved_errno = unsafe { *libc::__errno_location() };
    if !try_lock() {
        return UV_EBUSY;
    }
    let fd = SAVED_FD.load(Ordering::Relaxed);
    let r = if fd != -1 {
        // SAFETY: written (initialised) before SAVED_FD was set, under the lock we hold.
        tcsetattr(fd, libc::TCSANOW, unsafe {
            (*SAVED.0.get()).assume_init_ref()
        })
    } else {
        0
    };
    unlock();
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = saved_errno };
    r
}

/// `uv_tty_get_winsize` after the checks.
///
/// # Safety
/// `tty` is a live TTY handle; `width` and `height` are writable.
pub(crate) unsafe fn get_winsize(
    tty: *mut uv_tty_t,
    width: *mut c_int,
    height: *mut c_int,
) -> c_int {
    // SAFETY: caller guarantees the pointers; TIOCGWINSZ fills a live winsize.
    unsafe {
        let mut ws: libc::winsize = core::mem::zeroed();
        loop {
            if libc::ioctl(stream::fd(stream::stream(tty)), libc::TIOCGWINSZ, &mut ws) == 0 {
                break;
            }
            let e = last_error();
            if e != -libc::EINTR {
                return e;
            }
        }
        *width = ws.ws_col as c_int;
        *height = ws.ws_row as c_int;
    }
    0
}
