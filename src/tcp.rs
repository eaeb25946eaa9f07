//! TCP handles: a stream over a TCP socket (see [`crate::stream`] for reading, writing and
//! accepting). The socket is created lazily, by the first bind, connect or listen (or by
//! `uv_tcp_init_ex` when given a family), non-blocking and close-on-exec.
//!
//! As in libuv, `uv_tcp_bind` keeps an `EADDRINUSE` for later: `uv_listen` returns it and
//! `uv_tcp_connect` reports it through the connect callback; so is `ECONNREFUSED` from an
//! immediate connect, in the pending phase. A connect in progress completes in the poll
//! phase when the socket becomes writable. Loop thread only.

use crate::abi::UV_CONNECT;
use crate::abi::errno::{UV_EALREADY, UV_EINVAL, last_error};
use crate::abi::flags;
use crate::abi::flags::{BOUND, IPV6, READABLE, SHUTTING, WRITABLE};
use crate::abi::*;
use crate::stream::{self, fd, priv_of, req_register};
use crate::sys;
use crate::uvloop::handle;
use core::ffi::{c_int, c_uint};
use core::ptr;

/// A non-blocking, close-on-exec socket: its descriptor or a libuv error.
pub(crate) fn socket(domain: c_int, ty: c_int, protocol: c_int) -> c_int {
    // SAFETY: no pointers.
    let fd = unsafe {
        libc::socket(
            domain,
            ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            protocol,
        )
    };
    if fd < 0 { last_error() } else { fd }
}

fn setsockopt_int(fd: c_int, level: c_int, name: c_int, value: c_int) -> c_int {
    // SAFETY: passes a live int of the stated size.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            core::mem::size_of::<c_int>() as libc::socklen_t,
        )
    };
    if r != 0 { last_error() } else { 0 }
}

/// TCP_NODELAY on `fd`.
pub(crate) fn set_nodelay(fd: c_int, on: bool) -> c_int {
    setsockopt_int(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, on as c_int)
}

/// SO_KEEPALIVE on `fd`: the first probe after `idle` seconds, then one every `intvl`
/// seconds, `cnt` of them (`uv_tcp_keepalive` uses libuv's 1 s and 10).
pub(crate) fn set_keepalive(
    fd: c_int,
    on: bool,
    idle: c_uint,
    intvl: c_uint,
    cnt: c_uint,
) -> c_int {
    let r = setsockopt_int(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, on as c_int);
    if r != 0 || !on {
        return r;
    }
    // libuv 1.52+: every value at least 1 (after SO_KEEPALIVE is set, as libuv orders it).
    if idle < 1 || intvl < 1 || cnt < 1 {
        return UV_EINVAL;
    }
    for (opt, v) in [
        (libc::TCP_KEEPIDLE, idle),
        (libc::TCP_KEEPINTVL, intvl),
        (libc::TCP_KEEPCNT, cnt),
    ] {
        let r = setsockopt_int(
            fd,
            libc::IPPROTO_TCP,
            opt,
            v.min(c_int::MAX as c_uint) as c_int,
        );
        if r != 0 {
            return r;
        }
    }
    0
}

/// Is `a` in fe80::/10?
fn is_link_local(a: &libc::sockaddr_in6) -> bool {
    let b = a.sin6_addr.s6_addr;
    b[0] == 0xfe && b[1] & 0xc0 == 0x80
}

/// The scope id of the first interface with a link-local IPv6 address; 0 when none.
fn link_local_scope_id() -> u32 {
    let mut list: *mut libc::ifaddrs = core::ptr::null_mut();
    // SAFETY: getifaddrs fills `list`, walked until its NULL end and freed once; each
    // address is read as a sockaddr_in6 only after its family says it is one.
    unsafe {
        if libc::getifaddrs(&mut list) != 0 {
            return 0;
        }
        let mut id = 0;
        let mut p = list;
        while !p.is_null() {
            let a = (*p).ifa_addr;
            if !a.is_null() && (*a).sa_family as c_int == libc::AF_INET6 {
                let a6 = &*a.cast::<libc::sockaddr_in6>();
                if is_link_local(a6) {
                    id = a6.sin6_scope_id;
                    break;
                }
            }
            p = (*p).ifa_next;
        }
        libc::freeifaddrs(list);
        id
    }
}

/// The address length for a family, or None for anything but IPv4/IPv6.
pub(crate) fn addr_len(family: c_int) -> Option<libc::socklen_t> {
    match family {
        libc::AF_INET => Some(core::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t),
        libc::AF_INET6 => Some(core::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t),
        _ => None,
    }
}

/// Creates the handle's socket in `domain` (libuv's `new_socket`); with `BOUND` in
/// `flags` it is bound to an arbitrary port.
unsafe fn new_socket(t: *mut uv_tcp_t, domain: c_int, flags: u32) -> c_int {
    let sfd = socket(domain, libc::SOCK_STREAM, 0);
    if sfd < 0 {
        return sfd;
    }
    // SAFETY: `t` is a live TCP handle; `sfd` is ours until the handle owns it.
    unsafe {
        let r = stream::open(stream::stream(t), sfd, flags, true);
        if r != 0 {
            libc::close(sfd);
            return r;
        }
        if flags & BOUND != 0 {
            let r = bind_any(sfd);
            if r != 0 {
                return r;
            }
        }
    }
    0
}

/// Binds `fd` to the wildcard address of its family, any port.
fn bind_any(fd: c_int) -> c_int {
    // SAFETY: a zeroed sockaddr_storage filled in by getsockname.
    unsafe {
        let mut ss: libc::sockaddr_storage = core::mem::zeroed();
        let mut len = core::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getsockname(fd, (&raw mut ss).cast(), &mut len) != 0 {
            return last_error();
        }
        if libc::bind(fd, (&raw const ss).cast(), len) != 0 {
            return last_error();
        }
    }
    0
}

/// Makes sure the handle has a socket (libuv's `maybe_new_socket`), adding `flags`.
unsafe fn maybe_new_socket(t: *mut uv_tcp_t, domain: c_int, flags: u32) -> c_int {
    // SAFETY: `t` is a live TCP handle.
    unsafe {
        if domain == libc::AF_UNSPEC {
            (*t).flags |= flags;
            return 0;
        }
        let sfd = fd(stream::stream(t));
        if sfd == -1 {
            return new_socket(t, domain, flags);
        }
        if flags & BOUND != 0 && (*t).flags & BOUND == 0 {
            let mut ss: libc::sockaddr_storage = core::mem::zeroed();
            let mut len = core::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            if libc::getsockname(sfd, (&raw mut ss).cast(), &mut len) != 0 {
                return last_error();
            }
            let port = match ss.ss_family as c_int {
                libc::AF_INET => (*(&raw const ss).cast::<libc::sockaddr_in>()).sin_port,
                libc::AF_INET6 => (*(&raw const ss).cast::<libc::sockaddr_in6>()).sin6_port,
                _ => 0,
            };
            if port == 0 && libc::bind(sfd, (&raw const ss).cast(), len) != 0 {
                return last_error();
            }
        }
        (*t).flags |= flags;
    }
    0
}

/// `uv_tcp_init_ex` after the checks: `domain` is AF_UNSPEC, AF_INET or AF_INET6.
///
/// # Safety
/// `l` is an initialised loop; `t` writable memory of `sizeof(uv_tcp_t)`.
pub(crate) unsafe fn init(l: *mut uv_loop_t, t: *mut uv_tcp_t, domain: c_int) -> c_int {
    // SAFETY: caller guarantees both.
    unsafe {
        stream::init(l, stream::stream(t), crate::abi::UV_TCP);
        if domain != libc::AF_UNSPEC {
            let r = maybe_new_socket(t, domain, 0);
            if r != 0 {
                crate::uvloop::queue::remove((&raw mut (*t).handle_queue).cast());
                return r;
            }
        }
    }
    0
}

/// `uv_tcp_bind` after the checks: `addr` is IPv4 or IPv6 of `len` bytes.
///
/// # Safety
/// `t` is a live TCP handle; `addr` points to `len` readable bytes.
pub(crate) unsafe fn bind(
    t: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    len: libc::socklen_t,
    flags: c_uint,
) -> c_int {
    // SAFETY: caller guarantees both.
    unsafe {
        let family = (*addr).sa_family as c_int;
        if flags & UV_TCP_IPV6ONLY != 0 && family != libc::AF_INET6 {
            return UV_EINVAL;
        }
        let r = maybe_new_socket(t, family, 0);
        if r != 0 {
            return r;
        }
        let sfd = fd(stream::stream(t));
        let r = setsockopt_int(sfd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1);
        if r != 0 {
            return r;
        }
        // libuv 1.49+: listeners bound with SO_REUSEPORT share the port (the kernel
        // spreads the connections).
        if flags & UV_TCP_REUSEPORT != 0 {
            let r = setsockopt_int(sfd, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1);
            if r != 0 {
                return r;
            }
        }
        if family == libc::AF_INET6 {
            let r = setsockopt_int(
                sfd,
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                (flags & UV_TCP_IPV6ONLY != 0) as c_int,
            );
            if r != 0 {
                return r;
            }
        }
        let p = priv_of(stream::stream(t));
        if libc::bind(sfd, addr, len) != 0 {
            let e = last_error();
            if e == -libc::EAFNOSUPPORT {
                return UV_EINVAL;
            }
            if e != -libc::EADDRINUSE {
                return e;
            }
            (*p).delayed_error = e;
        } else {
            (*p).delayed_error = 0;
        }
        (*t).flags |= BOUND;
        if family == libc::AF_INET6 {
            (*t).flags |= IPV6;
        }
    }
    0
}

/// `uv_tcp_connect` after the checks.
///
/// # Safety
/// `req` is writable request memory; `t` a live TCP handle; `addr` `len` readable bytes.
pub(crate) unsafe fn connect(
    req: *mut uv_connect_t,
    t: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    len: libc::socklen_t,
    cb: uv_connect_cb,
) -> c_int {
    let s = stream::stream(t);
    // SAFETY: caller guarantees the pointers; the request is ours until its callback.
    unsafe {
        if !(*s).connect_req.is_null() {
            return UV_EALREADY;
        }
        // Still pending on another handle: refused before it is written to (on this
        // handle it is the connect in progress: UV_EALREADY above, as libuv).
        if stream::busy(s, req) {
            return crate::abi::errno::UV_EBUSY;
        }
        let p = priv_of(s);
        if (*p).delayed_error == 0 {
            let r = maybe_new_socket(t, (*addr).sa_family as c_int, READABLE | WRITABLE);
            if r != 0 {
                return r;
            }
            // A link-local IPv6 address without a scope gets the first interface that has
            // one, as libuv does (the kernel refuses it otherwise).
            let mut scoped: libc::sockaddr_in6;
            let addr = if (*addr).sa_family as c_int == libc::AF_INET6 {
                scoped = *addr.cast::<libc::sockaddr_in6>();
                if is_link_local(&scoped) && scoped.sin6_scope_id == 0 {
                    scoped.sin6_scope_id = link_local_scope_id();
                }
                (&raw const scoped).cast::<libc::sockaddr>()
            } else {
                addr
            };
            loop {
                if libc::connect(fd(s), addr, len) == 0 {
                    break;
                }
                let e = last_error();
                if e == -libc::EINTR {
                    continue;
                }
                if e == -libc::EINPROGRESS {
                    break;
                }
                if e == -libc::ECONNREFUSED {
                    (*p).delayed_error = e;
                    break;
                }
                return e;
            }
        }
        (*req).r#type = UV_CONNECT;
        req_register((*s).r#loop, req);
        (*req).cb = cb;
        (*req).handle = s;
        (*req).queue = [ptr::null_mut(); 2];
        (*s).connect_req = req;
        if (*p).delayed_error != 0 {
            stream::feed(s);
        } else {
            let r = stream::want(s, sys::WRITABLE);
            if r != 0 {
                // Reported through the callback, like any connect failure.
                (*p).delayed_error = r;
                stream::feed(s);
            }
        }
    }
    0
}

/// `uv_listen` on a TCP handle.
///
/// # Safety
/// `t` is a live, not closing TCP handle.
pub(crate) unsafe fn listen(t: *mut uv_tcp_t, backlog: c_int, cb: uv_connection_cb) -> c_int {
    let s = stream::stream(t);
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        let p = priv_of(s);
        if (*p).delayed_error != 0 {
            return (*p).delayed_error;
        }
        if single_accept_from_env() {
            (*t).flags |= flags::TCP_SINGLE_ACCEPT;
        }
        let r = maybe_new_socket(t, libc::AF_INET, 0);
        if r != 0 {
            return r;
        }
        if libc::listen(fd(s), backlog) != 0 {
            return last_error();
        }
        (*t).flags |= BOUND;
        crate::stream::server::start_listening(s, cb)
    }
}

/// `UV_TCP_SINGLE_ACCEPT=1` in the environment: listening sockets accept one connection
/// per wake-up (read once, as libuv).
fn single_accept_from_env() -> bool {
    static CACHED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CACHED.get_or_init(|| {
        std::env::var("UV_TCP_SINGLE_ACCEPT")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .is_some_and(|v| v != 0)
    })
}

/// `uv_tcp_open` after the checks.
///
/// # Safety
/// `t` is a live TCP handle; `sock` a socket the handle takes over.
pub(crate) unsafe fn open(t: *mut uv_tcp_t, sock: c_int) -> c_int {
    let s = stream::stream(t);
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        if crate::uvloop::io::polled((*t).r#loop, sock) {
            return crate::abi::errno::UV_EEXIST;
        }
        let r = set_nonblock(sock, true);
        if r != 0 {
            return r;
        }
        stream::open(s, sock, READABLE | WRITABLE, true)
    }
}

/// O_NONBLOCK on or off.
pub(crate) fn set_nonblock(fd: c_int, on: bool) -> c_int {
    let mut v: c_int = on as c_int;
    // SAFETY: FIONBIO takes a pointer to a live int.
    let r = unsafe { libc::ioctl(fd, libc::FIONBIO, &mut v) };
    if r != 0 { last_error() } else { 0 }
}

/// `uv_tcp_getsockname` / `uv_tcp_getpeername` after the checks.
///
/// # Safety
/// `t` is a live TCP handle; `name` has `*namelen` writable bytes.
pub(crate) unsafe fn sock_peer_name(
    t: *const uv_tcp_t,
    peer: bool,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    // SAFETY: caller guarantees the pointers.
    unsafe {
        let s = t.cast_mut().cast::<uv_stream_t>();
        let p = priv_of(s);
        if (*p).delayed_error != 0 {
            return (*p).delayed_error;
        }
        let sfd = fd(s);
        if sfd < 0 || handle::is_closing(s.cast()) {
            return crate::abi::errno::UV_EBADF;
        }
        let mut len = *namelen as libc::socklen_t;
        let r = if peer {
            libc::getpeername(sfd, name, &mut len)
        } else {
            libc::getsockname(sfd, name, &mut len)
        };
        if r != 0 {
            return last_error();
        }
        *namelen = len as c_int;
    }
    0
}

/// `uv_tcp_nodelay`: applied now if there is a socket, remembered for one created later.
///
/// # Safety
/// `t` is a live TCP handle.
pub(crate) unsafe fn nodelay(t: *mut uv_tcp_t, on: bool) -> c_int {
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        let sfd = fd(stream::stream(t));
        if sfd != -1 {
            let r = set_nodelay(sfd, on);
            if r != 0 {
                return r;
            }
        }
        if on {
            (*t).flags |= flags::TCP_NODELAY;
        } else {
            (*t).flags &= !flags::TCP_NODELAY;
        }
    }
    0
}

/// `uv_tcp_keepalive_ex` (and `uv_tcp_keepalive`, with 1 s and 10 probes): as [`nodelay`];
/// a later socket gets libuv's 60 s delay.
///
/// # Safety
/// `t` is a live TCP handle.
pub(crate) unsafe fn keepalive(
    t: *mut uv_tcp_t,
    on: bool,
    idle: c_uint,
    intvl: c_uint,
    cnt: c_uint,
) -> c_int {
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        let sfd = fd(stream::stream(t));
        if sfd != -1 {
            let r = set_keepalive(sfd, on, idle, intvl, cnt);
            if r != 0 {
                return r;
            }
        }
        if on {
            (*t).flags |= flags::TCP_KEEPALIVE;
        } else {
            (*t).flags &= !flags::TCP_KEEPALIVE;
        }
    }
    0
}

/// `uv_tcp_close_reset`: SO_LINGER {on, 0} so that closing sends a RST, then `uv_close`.
///
/// # Safety
/// `t` is a live, not closing TCP handle.
pub(crate) unsafe fn close_reset(t: *mut uv_tcp_t, cb: uv_close_cb) -> c_int {
    // SAFETY: caller guarantees `t` is live.
    unsafe {
        if (*t).flags & SHUTTING != 0 {
            return UV_EINVAL;
        }
        let sfd = fd(stream::stream(t));
        let l = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        if libc::setsockopt(
            sfd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const l).cast(),
            core::mem::size_of::<libc::linger>() as libc::socklen_t,
        ) != 0
        {
            let e = last_error();
            // EINVAL may mean the socket was shut down already (POSIX).
            if e != -libc::EINVAL {
                return e;
            }
        }
        handle::close(t.cast(), cb);
    }
    0
}

/// `uv_socketpair`.
///
/// # Safety
/// `fds` has room for two descriptors.
pub(crate) unsafe fn socketpair(
    ty: c_int,
    protocol: c_int,
    fds: *mut c_int,
    nonblock0: bool,
    nonblock1: bool,
) -> c_int {
    let mut t = [-1; 2];
    let mut flags = ty | libc::SOCK_CLOEXEC;
    if nonblock0 && nonblock1 {
        flags |= libc::SOCK_NONBLOCK;
    }
    // SAFETY: `t` has room for two descriptors; `fds` too (caller).
    unsafe {
        if libc::socketpair(libc::AF_UNIX, flags, protocol, t.as_mut_ptr()) != 0 {
            return last_error();
        }
        if !(nonblock0 && nonblock1) {
            for (fd, nb) in [(t[0], nonblock0), (t[1], nonblock1)] {
                if nb {
                    let r = set_nonblock(fd, true);
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
