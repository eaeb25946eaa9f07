//! Pipe handles: a stream over a Unix domain socket (bound to a path or connected to
//! one), or over any pipe-like descriptor given to `uv_pipe_open` (FIFOs, socket pairs,
//! a child's stdio). An `ipc` pipe also carries descriptors: `uv_write2` sends a handle's
//! descriptor with `SCM_RIGHTS`, the reader finds it with `uv_pipe_pending_count` and takes
//! it with `uv_accept`.
//!
//! `pipe_fname` holds a private copy of the bound path; closing the handle unlinks the
//! path (the socket file this handle created) before closing the descriptor, as libuv
//! does. `uv_pipe_connect` always reports through its callback, never synchronously:
//! immediate failures in the pending phase, the connection itself in the poll phase.
//! Loop thread only (`uv_pipe` may be called from any thread).

use crate::abi::UV_CONNECT;
use crate::abi::errno::{UV_EACCES, UV_EBADF, UV_EINVAL, UV_ENOBUFS, UV_ENOENT, last_error};
use crate::abi::flags::{BOUND, READABLE, WRITABLE};
use crate::abi::*;
use crate::stream::{self, fd, priv_of, req_register};
use crate::sys;
use crate::uvloop::handle;
use core::ffi::{c_char, c_int};
use core::ptr;
use std::ffi::CString;

fn s(p: *mut uv_pipe_t) -> *mut uv_stream_t {
    p.cast()
}

/// `uv_pipe_init`.
///
/// # Safety
/// `l` is an initialised loop; `p` writable memory of `sizeof(uv_pipe_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t, p: *mut uv_pipe_t, ipc: c_int) {
    // SAFETY: caller guarantees both.
    unsafe {
        stream::init(l, s(p), crate::abi::UV_NAMED_PIPE);
        (*p).pipe_fname = ptr::null();
        (*p).ipc = ipc;
    }
}

/// The longest name a `sockaddr_un` holds (`sizeof(sun_path)`, with no room left for a
/// NUL: the kernel takes a full-length path unterminated).
pub(crate) const NAME_MAX: usize = 108;

/// A `sockaddr_un` for `name` and its length, as libuv 1.53 builds them: `name` cut to
/// [`NAME_MAX`] bytes; a name starting with NUL is in Linux's abstract namespace and its
/// length counts exactly its bytes; an empty one asks the kernel to pick an abstract name
/// (autobind).
fn sockaddr_un(name: &[u8]) -> (libc::sockaddr_un, libc::socklen_t) {
    // SAFETY: sockaddr_un is plain data; zero is a valid value.
    let mut sa: libc::sockaddr_un = unsafe { core::mem::zeroed() };
    sa.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let n = name.len().min(NAME_MAX);
    for (d, &b) in sa.sun_path.iter_mut().zip(&name[..n]) {
        *d = b as c_char;
    }
    let head = core::mem::offset_of!(libc::sockaddr_un, sun_path);
    let len = if name.first().is_none_or(|&b| b == 0) {
        head + n
    } else {
        core::mem::size_of::<libc::sockaddr_un>()
    };
    (sa, len as libc::socklen_t)
}

/// `uv_pipe_bind2` (and `uv_pipe_bind`) after the checks: `name` is the path, or an
/// abstract name starting with NUL, or empty for one the kernel picks; longer than
/// [`NAME_MAX`] it is cut, as libuv does.
///
/// # Safety
/// `p` is a live, not closing pipe handle.
pub(crate) unsafe fn bind(p: *mut uv_pipe_t, name: &[u8]) -> c_int {
    // SAFETY: caller guarantees `p`.
    unsafe {
        if fd(s(p)) >= 0 {
            return UV_EINVAL;
        }
        let name = &name[..name.len().min(NAME_MAX)];
        let sfd = crate::tcp::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
        if sfd < 0 {
            return sfd;
        }
        let (sa, len) = sockaddr_un(name);
        if libc::bind(sfd, (&raw const sa).cast(), len) != 0 {
            let mut e = last_error();
            // ENOENT is EACCES, for compatibility with Windows (libuv).
            if e == UV_ENOENT {
                e = UV_EACCES;
            }
            libc::close(sfd);
            return e;
        }
        (*p).flags |= BOUND;
        // A path is unlinked at close; an abstract name goes with its socket.
        if name.first().is_some_and(|&b| b != 0)
            && let Ok(path) = CString::new(name)
        {
            (*p).pipe_fname = path.into_raw();
        }
        stream::set_fd(s(p), sfd);
        (*priv_of(s(p))).state |= stream::SOCKET;
    }
    0
}

/// `uv_listen` on a pipe.
///
/// # Safety
/// `p` is a live, not closing pipe handle.
pub(crate) unsafe fn listen(p: *mut uv_pipe_t, backlog: c_int, cb: uv_connection_cb) -> c_int {
    // SAFETY: caller guarantees `p` is live.
    unsafe {
        if fd(s(p)) == -1 || (*p).ipc != 0 {
            return UV_EINVAL;
        }
        if libc::listen(fd(s(p)), backlog) != 0 {
            return last_error();
        }
        stream::server::start_listening(s(p), cb)
    }
}

/// The pipe part of closing: unlink the bound path (before the descriptor is closed, so
/// that a socket someone else bound meanwhile under the same name is not removed).
///
/// # Safety
/// `p` is a live pipe handle being closed.
pub(crate) unsafe fn close(p: *mut uv_pipe_t) {
    // SAFETY: `pipe_fname` is NULL or came from CString::into_raw in bind.
    unsafe {
        let name = (*p).pipe_fname;
        if !name.is_null() {
            libc::unlink(name);
            drop(CString::from_raw(name.cast_mut()));
            (*p).pipe_fname = ptr::null();
        }
    }
}

/// `uv_pipe_open` after the checks.
///
/// # Safety
/// `p` is a live, not closing pipe handle; `file` a descriptor it takes over.
pub(crate) unsafe fn open(p: *mut uv_pipe_t, file: c_int) -> c_int {
    // SAFETY: caller guarantees `p` is live.
    unsafe {
        if crate::uvloop::io::polled((*p).r#loop, file) {
            return crate::abi::errno::UV_EEXIST;
        }
        let mode = loop {
            let m = libc::fcntl(file, libc::F_GETFL);
            if m == -1 && last_error() == -libc::EINTR {
                continue;
            }
            break m;
        };
        if mode == -1 {
            return last_error();
        }
        let r = crate::tcp::set_nonblock(file, true);
        if r != 0 {
            return r;
        }
        let acc = mode & libc::O_ACCMODE;
        let mut flags = 0;
        if acc != libc::O_WRONLY {
            flags |= READABLE;
        }
        if acc != libc::O_RDONLY {
            flags |= WRITABLE;
        }
        stream::open(s(p), file, flags, stream::is_socket(file))
    }
}

/// `uv_pipe_connect2` (and `uv_pipe_connect`) after the checks: every outcome goes through
/// `cb`. `name` as in [`bind`], not empty.
///
/// # Safety
/// `req` is writable request memory; `p` a live, not closing pipe handle.
pub(crate) unsafe fn connect(
    req: *mut uv_connect_t,
    p: *mut uv_pipe_t,
    name: &[u8],
    cb: uv_connect_cb,
) {
    let st = s(p);
    // SAFETY: caller guarantees the pointers; the request is ours until its callback.
    unsafe {
        let new_sock = fd(st) == -1;
        let mut err = 0;
        'out: {
            if new_sock {
                let sfd = crate::tcp::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0);
                if sfd < 0 {
                    err = sfd;
                    break 'out;
                }
                stream::set_fd(st, sfd);
            }
            let (sa, len) = sockaddr_un(name);
            loop {
                let r = libc::connect(fd(st), (&raw const sa).cast(), len);
                if r == 0 {
                    break;
                }
                let e = last_error();
                if e == -libc::EINTR {
                    continue;
                }
                if e != -libc::EINPROGRESS {
                    err = e;
                    break 'out;
                }
                break;
            }
            if new_sock {
                err = stream::open(st, fd(st), READABLE | WRITABLE, true);
            }
            if err == 0 {
                err = stream::want(st, sys::WRITABLE);
            }
        }
        (*priv_of(st)).delayed_error = err;
        (*req).r#type = UV_CONNECT;
        req_register((*p).r#loop, req);
        (*req).cb = cb;
        (*req).handle = st;
        (*req).queue = [ptr::null_mut(); 2];
        (*st).connect_req = req;
        if err != 0 {
            stream::feed(st);
        }
    }
}

/// Reports `err` to a connect request that could not start, in the pending phase.
///
/// The request's entry in the loop's pending queue lives in its `reserved` words (free in
/// every rsuv request), its status in its (otherwise unused) queue link.
///
/// # Safety
/// `req` is writable request memory; `p` a live, not closing pipe handle.
pub(crate) unsafe fn fail_later(
    req: *mut uv_connect_t,
    p: *mut uv_pipe_t,
    err: c_int,
    cb: uv_connect_cb,
) {
    const _: () = assert!(
        core::mem::size_of::<crate::uvloop::Pending>()
            <= core::mem::size_of::<[*mut core::ffi::c_void; 5]>()
    );
    // SAFETY: caller guarantees both; the request is ours until its callback.
    unsafe {
        (*req).r#type = UV_CONNECT;
        req_register((*p).r#loop, req);
        (*req).cb = cb;
        (*req).handle = s(p);
        (*req).queue = [err as isize as *mut core::ffi::c_void, ptr::null_mut()];
        let entry: *mut crate::uvloop::Pending = (&raw mut (*req).reserved).cast();
        crate::uvloop::pending_init(entry);
        crate::uvloop::defer((*p).r#loop, entry, report_failure);
    }
}

unsafe fn report_failure(l: *mut uv_loop_t, entry: *mut crate::uvloop::Pending) {
    let req: *mut uv_connect_t = entry
        .cast::<u8>()
        .wrapping_sub(core::mem::offset_of!(uv_connect_t, reserved))
        .cast();
    // SAFETY: `entry` is the `reserved` words of a request set up by fail_later, live
    // until this callback.
    unsafe {
        stream::req_unregister(l, req);
        let err = (*req).queue[0] as isize as c_int;
        (*req).queue = [ptr::null_mut(); 2];
        (*req).reserved = [ptr::null_mut(); 5];
        if let Some(cb) = (*req).cb {
            cb(req, err);
        }
    }
}

/// `uv_pipe_getsockname` / `uv_pipe_getpeername` after the checks.
///
/// # Safety
/// `p` is a live pipe handle; `buffer` has `*size` writable bytes (or `*size` is 0).
pub(crate) unsafe fn sock_peer_name(
    p: *const uv_pipe_t,
    peer: bool,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: caller guarantees the pointers.
    unsafe {
        let st = p.cast_mut().cast::<uv_stream_t>();
        let sfd = fd(st);
        if sfd < 0 || handle::is_closing(st.cast()) {
            *size = 0;
            return UV_EBADF;
        }
        let mut sa: libc::sockaddr_un = core::mem::zeroed();
        let mut len = core::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
        let r = if peer {
            libc::getpeername(sfd, (&raw mut sa).cast(), &mut len)
        } else {
            libc::getsockname(sfd, (&raw mut sa).cast(), &mut len)
        };
        if r != 0 {
            *size = 0;
            return last_error();
        }
        let path = &sa.sun_path;
        let off = core::mem::offset_of!(libc::sockaddr_un, sun_path);
        // A Linux abstract name is as long as the address says and gets no NUL (libuv
        // 1.53); a path stops at its NUL and needs room for one.
        let (n, nul) = if path[0] == 0 {
            ((len as usize).saturating_sub(off), 0)
        } else {
            (path.iter().position(|&c| c == 0).unwrap_or(path.len()), 1)
        };
        if n + nul > *size {
            *size = n + nul;
            return UV_ENOBUFS;
        }
        ptr::copy_nonoverlapping(path.as_ptr(), buffer, n);
        *size = n;
        if n == 0 || *buffer != 0 {
            *buffer.add(n) = 0;
        }
    }
    0
}

/// `uv_pipe_pending_count`.
///
/// # Safety
/// `p` is a live pipe handle.
pub(crate) unsafe fn pending_count(p: *mut uv_pipe_t) -> c_int {
    // SAFETY: caller guarantees `p` is live.
    unsafe {
        if (*p).ipc == 0 {
            return 0;
        }
        stream::read::pending_count(s(p))
    }
}

/// `uv_pipe_pending_type`: the kind of the next descriptor `uv_accept` would give.
///
/// # Safety
/// `p` is a live pipe handle.
pub(crate) unsafe fn pending_type(p: *mut uv_pipe_t) -> c_int {
    // SAFETY: caller guarantees `p` is live.
    unsafe {
        if (*p).ipc == 0 {
            return crate::abi::UV_UNKNOWN_HANDLE;
        }
        let fd = (*priv_of(s(p))).accepted_fd;
        if fd == -1 {
            return crate::abi::UV_UNKNOWN_HANDLE;
        }
        crate::os::fd::guess_handle(fd)
    }
}

/// `uv_pipe_chmod` after the checks: `mode` is `UV_READABLE`, `UV_WRITABLE` or both.
///
/// # Safety
/// `p` is a live pipe handle.
pub(crate) unsafe fn chmod(p: *mut uv_pipe_t, mode: c_int) -> c_int {
    // SAFETY: caller guarantees `p` is live; buffers are locals.
    unsafe {
        if fd(s(p)) == -1 || handle::is_closing(p.cast()) {
            return UV_EBADF;
        }
        let mut buf = [0 as c_char; 110];
        let mut len = buf.len();
        let r = sock_peer_name(p, false, buf.as_mut_ptr(), &mut len);
        if r != 0 {
            return r;
        }
        if buf[0] == 0 {
            // An abstract socket has no file to change.
            return UV_EINVAL;
        }
        let mut st: libc::stat = core::mem::zeroed();
        if libc::stat(buf.as_ptr(), &mut st) != 0 {
            return last_error();
        }
        let mut want: libc::mode_t = 0;
        if mode & 1 != 0 {
            want |= libc::S_IRUSR | libc::S_IRGRP | libc::S_IROTH;
        }
        if mode & 2 != 0 {
            want |= libc::S_IWUSR | libc::S_IWGRP | libc::S_IWOTH;
        }
        if st.st_mode & want == want {
            return 0;
        }
        if libc::chmod(buf.as_ptr(), st.st_mode | want) != 0 {
            return last_error();
        }
    }
    0
}

/// `uv_pipe`: a pipe(2) pair, close-on-exec, each end non-blocking if asked.
///
/// # Safety
/// `fds` has room for two descriptors.
pub(crate) unsafe fn pipe(fds: *mut c_int, nonblock_read: bool, nonblock_write: bool) -> c_int {
    let mut t = [-1; 2];
    let mut flags = libc::O_CLOEXEC;
    if nonblock_read && nonblock_write {
        flags |= libc::O_NONBLOCK;
    }
    // SAFETY: `t` and `fds` have room for two descriptors.
    unsafe {
        if libc::pipe2(t.as_mut_ptr(), flags) != 0 {
            return last_error();
        }
        if !(nonblock_read && nonblock_write) {
            for (fd, nb) in [(t[0], nonblock_read), (t[1], nonblock_write)] {
                if nb {
                    let r = crate::tcp::set_nonblock(fd, true);
                    if r != 0 {
                        libc::close(t[0]);
                        libc::close(t[1]);
                        return r;
                    }
                }
            }
        }
        *fds = t[0];
        *fds.add(1) = t[1];
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_un_truncates_long_names() {
        let (sa, len) = sockaddr_un(&[b'a'; 200]);
        assert_eq!(sa.sun_family, libc::AF_UNIX as libc::sa_family_t);
        assert_eq!(sa.sun_path[107], b'a' as c_char);
        assert_eq!(len as usize, core::mem::size_of::<libc::sockaddr_un>());
        let (short, _) = sockaddr_un(b"/tmp/x");
        assert_eq!(short.sun_path[5], b'x' as c_char);
        assert_eq!(short.sun_path[6], 0);
        // Abstract names count exactly their bytes, the leading NUL included.
        let head = core::mem::offset_of!(libc::sockaddr_un, sun_path);
        let (abs, len) = sockaddr_un(b"\0abc");
        assert_eq!((abs.sun_path[1], len as usize), (b'a' as c_char, head + 4));
        assert_eq!(sockaddr_un(b"").1 as usize, head);
    }
}
