//! UDP handles: datagram sockets with a queue of send requests and a receive callback.
//!
//! A handle's socket lives in `u.fd` (-1 until one exists). `uv_udp_init` creates none;
//! `uv_udp_init_ex` with `AF_INET`/`AF_INET6` creates it at once; otherwise the first
//! `uv_udp_bind`, `uv_udp_connect`, send to an address, `uv_udp_recv_start` or multicast
//! membership binds it to the wildcard address of the family it needs (libuv's deferred
//! bind).
//!
//! Private state, in the handle's `io_watcher` bytes ([`State`]): the write queue (send
//! requests not written yet, in submission order), the completed queue (written or failed,
//! callback not run yet) and the handle's entry in the loop's pending queue. The readiness
//! wanted is the socket's watcher's ([`uvloop::io`]), not kept here. The 32 `reserved` bytes are unused. Flags keep libuv's values
//! (`flags::BOUND`, `IPV6`, `UDP_PROCESSING`, `UDP_CONNECTED`, `UV_UDP_RECVMMSG`). A send
//! request keeps its destination, buffer list and status in its private bytes
//! ([`send::SendState`]).
//!
//! Callbacks: receive callbacks run in the poll phase, when the socket is readable. Send
//! callbacks run either in the pending phase (a send written at once queues a flush with
//! `uvloop::defer`, as libuv's `uv__io_feed`) or in the poll phase (a send that had to
//! wait for the socket to become writable). Closing a handle fails its unwritten sends
//! with `UV_ECANCELED`; every send callback runs before the close callback.
//!
//! Everything here runs on the loop's thread.

pub(crate) mod options;
pub(crate) mod recv;
pub(crate) mod send;

use crate::abi::errno::{self, UV_EINVAL};
use crate::abi::flags;
use crate::abi::*;
use crate::sys;
use crate::uvloop;
use crate::uvloop::handle;
use crate::uvloop::queue::{self, Node};
use core::ffi::{c_int, c_uint, c_void};
use core::mem::{size_of, zeroed};

/// libuv's `UV__UDP_DGRAM_MAXSIZE`: the size suggested to the allocation callback, and the
/// slot size of one datagram in a `recvmmsg` buffer.
pub(crate) const DGRAM_MAXSIZE: usize = 64 * 1024;

/// The private state of a UDP handle, kept in its `io_watcher` bytes.
#[repr(C)]
pub(crate) struct State {
    /// Send requests not written yet, linked through `SendState::queue`.
    pub(crate) write_queue: Node,
    /// Written or failed send requests whose callbacks have not run yet.
    pub(crate) completed: Node,
    /// The handle's entry in the loop's pending queue: a flush is queued (libuv's
    /// `uv__io_feed`).
    pub(crate) pending: uvloop::Pending,
}

const _: () = assert!(size_of::<State>() <= size_of::<uv__io_s>());
const _: () = assert!(align_of::<State>() <= align_of::<uv__io_s>());

/// The private state of `h`.
#[inline(always)]
pub(crate) fn state(h: *mut uv_udp_t) -> *mut State {
    // SAFETY: projection of a field address; no read.
    unsafe { (&raw mut (*h).io_watcher).cast() }
}

#[inline(always)]
pub(crate) fn base(h: *mut uv_udp_t) -> *mut uv_handle_t {
    h.cast()
}

/// The socket of `h`, -1 when none.
///
/// # Safety
/// `h` is a live UDP handle.
#[inline(always)]
pub(crate) unsafe fn fd(h: *const uv_udp_t) -> c_int {
    // SAFETY: caller guarantees `h` is live; UDP handles keep their socket in `u.fd`.
    unsafe { (*h).u.fd }
}

/// A socket address of any family rsuv sends to: `AF_INET`, `AF_INET6` or `AF_UNIX`.
#[derive(Clone, Copy)]
pub(crate) struct SockAddr {
    pub(crate) storage: libc::sockaddr_storage,
    pub(crate) len: libc::socklen_t,
}

impl SockAddr {
    /// The address length `uv_udp_*` uses for `family` (`allow_unix`: `AF_UNIX` too, as
    /// `uv_udp_send` allows), else `None`.
    pub(crate) fn len_of(family: c_int, allow_unix: bool) -> Option<usize> {
        match family {
            libc::AF_INET => Some(size_of::<libc::sockaddr_in>()),
            libc::AF_INET6 => Some(size_of::<libc::sockaddr_in6>()),
            libc::AF_UNIX if allow_unix => Some(size_of::<libc::sockaddr_un>()),
            _ => None,
        }
    }

    /// An address from its first `bytes.len()` bytes (at most `sockaddr_storage`).
    pub(crate) fn from_bytes(bytes: &[u8]) -> SockAddr {
        // SAFETY: an all-zero sockaddr_storage is valid.
        let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
        let n = bytes.len().min(size_of::<libc::sockaddr_storage>());
        // SAFETY: `storage` is plain data of at least `n` bytes; the regions are distinct.
        unsafe {
            core::ptr::copy_nonoverlapping(bytes.as_ptr(), (&raw mut storage).cast::<u8>(), n)
        };
        SockAddr {
            storage,
            len: n as libc::socklen_t,
        }
    }

    /// The wildcard address of `domain` (port 0), for the deferred bind.
    pub(crate) fn any(domain: c_int) -> Option<SockAddr> {
        // SAFETY: an all-zero sockaddr_storage is valid.
        let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
        storage.ss_family = domain as libc::sa_family_t;
        // All-zero is INADDR_ANY / in6addr_any.
        let len = match domain {
            libc::AF_INET => size_of::<libc::sockaddr_in>(),
            libc::AF_INET6 => size_of::<libc::sockaddr_in6>(),
            _ => return None,
        };
        Some(SockAddr {
            storage,
            len: len as libc::socklen_t,
        })
    }

    pub(crate) fn family(&self) -> c_int {
        c_int::from(self.storage.ss_family)
    }

    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }
}

/// The errno of the last failed call as a libuv error code.
fn last_err() -> c_int {
    errno::last_error()
}

/// `setsockopt(fd, level, name, &val, sizeof val)`.
pub(crate) fn setsockopt<T>(fd: c_int, level: c_int, name: c_int, val: &T) -> c_int {
    // SAFETY: `val` is a live value of `size_of::<T>()` bytes; the kernel validates `fd`.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (val as *const T).cast::<c_void>(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if r == 0 { 0 } else { last_err() }
}

/// A new non-blocking, close-on-exec datagram socket of `domain`.
fn new_socket(domain: c_int) -> Result<c_int, c_int> {
    // SAFETY: socket(2) takes no pointers.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 { Err(last_err()) } else { Ok(fd) }
}

// ---------------------------------------------------------------------------------------
// Initialisation, open, bind, connect.

/// `uv_udp_init_ex`: `domain` is `AF_UNSPEC` (no socket yet), `AF_INET` or `AF_INET6`;
/// `flags` the checked extra flags (`UV_UDP_RECVMMSG` or 0).
///
/// # Safety
/// `l` is an initialised loop; `h` is writable memory of `sizeof(uv_udp_t)`.
pub(crate) unsafe fn init(
    l: *mut uv_loop_t,
    h: *mut uv_udp_t,
    domain: c_int,
    flags: c_uint,
) -> c_int {
    let sock = if domain == libc::AF_UNSPEC {
        -1
    } else {
        match new_socket(domain) {
            Ok(fd) => fd,
            Err(e) => return e,
        }
    };
    // SAFETY: caller guarantees `h` is writable and `l` initialised; the state is
    // initialised before the handle is used.
    unsafe {
        handle::init(l, base(h), crate::abi::UV_UDP);
        (*h).u.fd = sock;
        (*h).send_queue_size = 0;
        (*h).send_queue_count = 0;
        (*h).alloc_cb = None;
        (*h).recv_cb = None;
        (*h).reserved = [core::ptr::null_mut(); 4];
        let s = state(h);
        queue::init(&raw mut (*s).write_queue);
        queue::init(&raw mut (*s).completed);
        uvloop::pending_init(&raw mut (*s).pending);
        if flags & UV_UDP_RECVMMSG != 0 {
            (*h).flags |= flags::UDP_RECVMMSG;
        }
        if domain == libc::AF_INET6 {
            (*h).flags |= flags::IPV6;
        }
    }
    0
}

/// `UV_UDP_REUSEADDR` and `UV_UDP_REUSEPORT` of `flags` as socket options on `fd`.
fn set_reuse_flags(fd: c_int, flags: c_uint) -> c_int {
    if flags & UV_UDP_REUSEADDR != 0 {
        let r = set_reuse(fd);
        if r != 0 {
            return r;
        }
    }
    if flags & UV_UDP_REUSEPORT != 0 {
        // libuv 1.49+: on Linux, sockets bound with SO_REUSEPORT share the datagrams.
        return setsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEPORT, &1 as &c_int);
    }
    0
}

/// `SO_REUSEADDR` on `fd` (libuv's `uv__set_reuse` on Linux).
fn set_reuse(fd: c_int) -> c_int {
    setsockopt(fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, &1 as &c_int)
}

/// `uv_udp_open`: adopts an existing socket (made non-blocking and address-reusable).
///
/// # Safety
/// `h` is a live UDP handle, not closing; loop thread.
pub(crate) unsafe fn open(h: *mut uv_udp_t, sock: c_int) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { open_ex(h, sock, None) }
}

/// `uv_udp_open_ex` (libuv 1.52): as [`open`], with the reuse options of `flags`
/// (`UV_UDP_REUSEADDR`, `UV_UDP_REUSEPORT`) instead of always `SO_REUSEADDR`.
///
/// # Safety
/// As [`open`].
pub(crate) unsafe fn open_ex(h: *mut uv_udp_t, sock: c_int, flags: Option<c_uint>) -> c_int {
    if let Some(f) = flags
        && f & !(UV_UDP_REUSEADDR | UV_UDP_REUSEPORT) != 0
    {
        return UV_EINVAL;
    }
    // SAFETY: caller guarantees `h` is live.
    unsafe {
        if fd(h) != -1 {
            return errno::UV_EBUSY;
        }
        if sock < 0 {
            return errno::UV_EBADF;
        }
        if crate::uvloop::io::polled((*h).r#loop, sock) {
            return errno::UV_EEXIST;
        }
        let mut on: c_int = 1;
        if libc::ioctl(sock, libc::FIONBIO, &mut on) != 0 {
            return last_err();
        }
        let r = match flags {
            None => set_reuse(sock),
            Some(f) => set_reuse_flags(sock, f),
        };
        if r != 0 {
            return r;
        }
        (*h).u.fd = sock;
        // Connected already? Then sends go without an address.
        let mut peer: libc::sockaddr_storage = zeroed();
        let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getpeername(sock, (&raw mut peer).cast(), &mut len) == 0 && len > 0 {
            (*h).flags |= flags::UDP_CONNECTED;
        }
        // The socket options of the right protocol level need the family.
        let mut domain: c_int = 0;
        let mut dlen = size_of::<c_int>() as libc::socklen_t;
        if libc::getsockopt(
            sock,
            libc::SOL_SOCKET,
            libc::SO_DOMAIN,
            (&raw mut domain).cast(),
            &mut dlen,
        ) == 0
            && domain == libc::AF_INET6
        {
            (*h).flags |= flags::IPV6;
        }
    }
    0
}

/// `uv_udp_bind` with checked `flags`, for an `AF_INET`/`AF_INET6` address.
///
/// # Safety
/// `h` is a live UDP handle, not closing; loop thread.
pub(crate) unsafe fn bind(h: *mut uv_udp_t, addr: &SockAddr, flags: c_uint) -> c_int {
    if flags & !(UV_UDP_IPV6ONLY | UV_UDP_REUSEADDR | UV_UDP_REUSEPORT | UV_UDP_LINUX_RECVERR) != 0
    {
        return UV_EINVAL;
    }
    let family = addr.family();
    if flags & UV_UDP_IPV6ONLY != 0 && family != libc::AF_INET6 {
        return UV_EINVAL;
    }
    // SAFETY: caller guarantees `h` is live.
    unsafe {
        let mut sock = fd(h);
        if sock == -1 {
            match new_socket(family) {
                Ok(s) => sock = s,
                Err(e) => return e,
            }
            (*h).u.fd = sock;
        }
        if flags & UV_UDP_LINUX_RECVERR != 0 {
            let r = match family {
                libc::AF_INET => setsockopt(sock, libc::IPPROTO_IP, libc::IP_RECVERR, &1),
                libc::AF_INET6 => setsockopt(sock, libc::IPPROTO_IPV6, libc::IPV6_RECVERR, &1),
                _ => 0,
            };
            if r != 0 {
                return r;
            }
        }
        let r = set_reuse_flags(sock, flags);
        if r != 0 {
            return r;
        }
        if flags & UV_UDP_IPV6ONLY != 0 {
            let r = setsockopt(sock, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, &1 as &c_int);
            if r != 0 {
                return r;
            }
        }
        if libc::bind(sock, addr.as_ptr(), addr.len) != 0 {
            let e = last_err();
            // A socket of the other family: the BSDs say EAFNOSUPPORT, libuv says EINVAL.
            return if e == errno::UV_EAFNOSUPPORT {
                UV_EINVAL
            } else {
                e
            };
        }
        if family == libc::AF_INET6 {
            (*h).flags |= flags::IPV6;
        }
        (*h).flags |= flags::BOUND;
    }
    0
}

/// Binds `h` to the wildcard address of `domain` if it has no socket yet.
///
/// # Safety
/// `h` is a live UDP handle, not closing; loop thread.
pub(crate) unsafe fn maybe_deferred_bind(h: *mut uv_udp_t, domain: c_int, flags: c_uint) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    if unsafe { fd(h) } != -1 {
        return 0;
    }
    match SockAddr::any(domain) {
        // SAFETY: forwarded caller guarantee.
        Some(a) => unsafe { bind(h, &a, flags) },
        // A socket of another family (AF_UNIX) is never made implicitly.
        None => UV_EINVAL,
    }
}

/// `uv_udp_connect` with an address: the caller checked family and connected state.
///
/// # Safety
/// `h` is a live UDP handle, not closing; loop thread.
pub(crate) unsafe fn connect(h: *mut uv_udp_t, addr: &SockAddr) -> c_int {
    // SAFETY: caller guarantees `h` is live; `addr` is a valid address of `len` bytes.
    unsafe {
        let r = maybe_deferred_bind(h, addr.family(), 0);
        if r != 0 {
            return r;
        }
        loop {
            if libc::connect(fd(h), addr.as_ptr(), addr.len) == 0 {
                break;
            }
            let e = last_err();
            if e != errno::UV_EINTR {
                return e;
            }
        }
        (*h).flags |= flags::UDP_CONNECTED;
    }
    0
}

/// `uv_udp_connect(h, NULL)`: drops the default peer (connect to `AF_UNSPEC`).
///
/// # Safety
/// `h` is a live, connected UDP handle; loop thread.
pub(crate) unsafe fn disconnect(h: *mut uv_udp_t) -> c_int {
    // SAFETY: caller guarantees `h` is live; an all-zero sockaddr is AF_UNSPEC.
    unsafe {
        let addr: libc::sockaddr = zeroed();
        loop {
            if libc::connect(fd(h), &addr, size_of::<libc::sockaddr>() as libc::socklen_t) == 0 {
                break;
            }
            let e = last_err();
            if e != errno::UV_EINTR {
                return e;
            }
        }
        (*h).flags &= !flags::UDP_CONNECTED;
    }
    0
}

/// `getsockname` (`peer` false) or `getpeername` into `name` of `*namelen` bytes.
///
/// # Safety
/// `h` is a live UDP handle with a socket; `name` is writable for `*namelen` bytes.
pub(crate) unsafe fn sock_name(
    h: *const uv_udp_t,
    peer: bool,
    name: *mut libc::sockaddr,
    namelen: &mut c_int,
) -> c_int {
    let mut len = (*namelen).max(0) as libc::socklen_t;
    // SAFETY: `name` is writable for `len` bytes (caller); the kernel writes at most that.
    let r = unsafe {
        if peer {
            libc::getpeername(fd(h), name, &mut len)
        } else {
            libc::getsockname(fd(h), name, &mut len)
        }
    };
    if r != 0 {
        return last_err();
    }
    *namelen = len as c_int;
    0
}

// ---------------------------------------------------------------------------------------
// The loop's view: readiness, the pending flush, interest, closing.

/// Makes `h`'s socket watcher want `bits` too (`uv__io_start`). No-op without a socket.
///
/// # Safety
/// `h` is a live UDP handle; loop thread.
pub(crate) unsafe fn want(h: *mut uv_udp_t, bits: u32) -> c_int {
    // SAFETY: caller guarantees `h` is live; `h` stays valid while watched (closing
    // removes the watcher).
    unsafe {
        let sock = fd(h);
        if sock == -1 {
            return 0;
        }
        uvloop::io::start((*h).r#loop, sock, bits, on_io, h.cast())
    }
}

/// Drops `bits` from what `h`'s socket watcher wants (`uv__io_stop`; no system call).
///
/// # Safety
/// `h` is a live UDP handle; loop thread.
pub(crate) unsafe fn unwant(h: *mut uv_udp_t, bits: u32) {
    // SAFETY: caller guarantees `h` is live.
    unsafe { uvloop::io::stop((*h).r#loop, fd(h), bits) }
}

/// What `h`'s socket watcher wants now (`sys` bits; 0 without a socket).
///
/// # Safety
/// `h` is a live UDP handle; loop thread.
pub(crate) unsafe fn wanted(h: *mut uv_udp_t) -> u32 {
    // SAFETY: caller guarantees `h` is live.
    unsafe { uvloop::io::wanted((*h).r#loop, fd(h), h.cast()) }
}

/// The socket is ready (`ready`: `sys` bits). An error condition alone counts as ready for
/// what is wanted, so that the failing call reports it (libuv does the same).
unsafe fn on_io(_l: *mut uv_loop_t, data: *mut c_void, ready: u32) {
    let h: *mut uv_udp_t = data.cast();
    // SAFETY: `data` is the live handle registered with this callback; nothing is borrowed
    // across the callbacks the helpers run.
    unsafe {
        let mut ready = ready;
        if ready & sys::ERROR != 0 {
            ready |= wanted(h) & (sys::READABLE | sys::WRITABLE);
        }
        if ready & sys::READABLE != 0 {
            recv::on_readable(h);
        }
        // An error condition stays reported until the error queue is read.
        if ready & sys::ERROR != 0 && fd(h) != -1 {
            recv::on_error_queue(h);
        }
        // A receive callback may have closed the handle.
        if ready & sys::WRITABLE != 0 && fd(h) != -1 {
            send::flush(h);
            send::run_completed(h);
        }
    }
}

/// Queues a pending-phase flush of `h` once (libuv's `uv__io_feed`).
///
/// # Safety
/// `h` is a live, not closing UDP handle; loop thread.
pub(crate) unsafe fn feed(h: *mut uv_udp_t) {
    // SAFETY: caller guarantees `h` is live; closing undefers it.
    unsafe { uvloop::defer((*h).r#loop, &raw mut (*state(h)).pending, on_pending) }
}

/// The pending phase: write what can be written, then run the send callbacks.
unsafe fn on_pending(_l: *mut uv_loop_t, entry: *mut uvloop::Pending) {
    let h: *mut uv_udp_t = entry
        .cast::<u8>()
        .wrapping_sub(
            core::mem::offset_of!(uv_udp_t, io_watcher) + core::mem::offset_of!(State, pending),
        )
        .cast();
    // SAFETY: the entry is the `pending` field of a live handle's state (only `feed`
    // queues it); a closing handle removes it.
    unsafe {
        send::flush(h);
        send::run_completed(h);
    }
}

/// `uv_close` on a UDP handle: stops watching, drops the queued flush, closes the socket.
///
/// # Safety
/// `h` is a live UDP handle, being closed; loop thread.
pub(crate) unsafe fn close(h: *mut uv_handle_t) {
    let h: *mut uv_udp_t = h.cast();
    // SAFETY: caller guarantees `h` is a live UDP handle.
    unsafe {
        let sock = fd(h);
        uvloop::undefer(&raw mut (*state(h)).pending);
        handle::stop(base(h));
        if sock != -1 {
            // Out of the kernel before the socket is closed (and its number reused).
            uvloop::io::close((*h).r#loop, sock);
            libc::close(sock);
            (*h).u.fd = -1;
        }
    }
}

/// Last words before the close callback: unwritten sends fail with `UV_ECANCELED`, then
/// every send callback runs.
///
/// # Safety
/// `h` is a closed UDP handle; loop thread.
pub(crate) unsafe fn finish_close(h: *mut uv_handle_t) {
    let h: *mut uv_udp_t = h.cast();
    // SAFETY: caller guarantees `h` is live until its close callback.
    unsafe {
        send::cancel_all(h);
        send::run_completed(h);
        debug_assert!((*h).send_queue_count == 0);
        (*h).recv_cb = None;
        (*h).alloc_cb = None;
    }
}
