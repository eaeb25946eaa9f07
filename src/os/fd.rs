//! Descriptors: `uv_guess_handle`'s classifier (also used by the pipe and TTY cores)
//! and `uv_disable_stdio_inheritance`.

use core::ffi::c_int;
use core::mem::{MaybeUninit, size_of};

use crate::abi::*;

/// `uv_guess_handle`'s answer for files and character devices (no handle has this tag).
const UV_FILE: c_int = uv_handle_type::UV_FILE as c_int;

/// `uv_guess_handle`: what kind of handle suits descriptor `file`: `UV_TTY` for a
/// terminal, `UV_FILE` for a regular file or other character device, `UV_NAMED_PIPE` for
/// a FIFO or Unix-domain stream socket, `UV_TCP`/`UV_UDP` for IPv4/IPv6 stream/datagram
/// sockets, `UV_UNKNOWN_HANDLE` otherwise (also for a closed or negative descriptor).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn guess_handle(file: uv_file) -> HandleTypeArg {
    if file < 0 {
        return UV_UNKNOWN_HANDLE;
    }
    // SAFETY: plain system calls on a descriptor number, into local memory.
    unsafe {
        if libc::isatty(file) != 0 {
            return UV_TTY;
        }
        let mut st = MaybeUninit::<libc::stat>::zeroed();
        if libc::fstat(file, st.as_mut_ptr()) != 0 {
            return UV_UNKNOWN_HANDLE;
        }
        let mode = st.assume_init().st_mode & libc::S_IFMT;
        match mode {
            libc::S_IFREG | libc::S_IFCHR => return UV_FILE,
            libc::S_IFIFO => return UV_NAMED_PIPE,
            libc::S_IFSOCK => {}
            _ => return UV_UNKNOWN_HANDLE,
        }
        let mut ss = MaybeUninit::<libc::sockaddr_storage>::zeroed();
        let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getsockname(file, ss.as_mut_ptr().cast(), &mut len) != 0 {
            return UV_UNKNOWN_HANDLE;
        }
        let family = c_int::from(ss.assume_init().ss_family);
        let mut ty: c_int = 0;
        let mut tlen = size_of::<c_int>() as libc::socklen_t;
        if libc::getsockopt(
            file,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut tlen,
        ) != 0
        {
            return UV_UNKNOWN_HANDLE;
        }
        let inet = family == libc::AF_INET || family == libc::AF_INET6;
        match ty {
            libc::SOCK_DGRAM if inet => UV_UDP,
            libc::SOCK_STREAM if inet => UV_TCP,
            libc::SOCK_STREAM if family == libc::AF_UNIX => UV_NAMED_PIPE,
            _ => UV_UNKNOWN_HANDLE,
        }
    }
}

/// `uv_disable_stdio_inheritance`: marks descriptors close-on-exec so that children do not
/// inherit them: the first 16 unconditionally, then onwards until the first one that fails
/// (libuv's rule).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn disable_stdio_inheritance() {
    let mut fd: c_int = 0;
    loop {
        // SAFETY: FIOCLEX only sets a descriptor flag; a closed descriptor fails with EBADF.
        let r = unsafe { libc::ioctl(fd, libc::FIOCLEX) };
        if r != 0 && fd > 15 {
            break;
        }
        fd += 1;
    }
}
