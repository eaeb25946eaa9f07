//! C entry points of DNS and the address utilities: `uv_getaddrinfo`, `uv_freeaddrinfo`,
//! `uv_getnameinfo`, `uv_ip4_addr`, `uv_ip6_addr`, `uv_ip4_name`, `uv_ip6_name`,
//! `uv_ip_name`, `uv_inet_ntop`, `uv_inet_pton`, `uv_if_indextoname`, `uv_if_indextoiid`.
//! Each checks its pointers, then calls [`crate::dns`].
//!
//! Lookup callbacks run on the loop thread, when the loop takes finished pool work; a
//! lookup without a callback runs synchronously and returns its status. The conversions
//! and interface-name functions touch no loop and may be called from any thread.
//!
//! Where rsuv differs from libuv 1.44 (on purpose, all in what libuv leaves undefined):
//! NULL pointers get `UV_EINVAL` instead of a crash; a synchronous lookup may pass a NULL
//! loop; `uv_ip6_addr` reads a numeric zone (`"fe80::1%2"`) as an interface index when no
//! interface has that name, and does not cut the address before the `%` at 39 characters.

use super::check::{self, tri};
use crate::abi::errno::{UV_EAFNOSUPPORT, UV_EINVAL, UV_ENOBUFS};
use crate::abi::*;
use crate::dns;
use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use core::ptr;

/// The bytes of a NUL-terminated C string, `None` for NULL.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that outlives the result.
unsafe fn bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: non-NULL `p` is NUL-terminated (caller).
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// `dst` and `size` as a byte slice (NULL `dst` only with `size` 0).
///
/// # Safety
/// `dst` is NULL or writable for `size` bytes.
unsafe fn out_buf<'a>(dst: *mut c_char, size: usize) -> Option<&'a mut [u8]> {
    if dst.is_null() {
        return (size == 0).then_some(&mut []);
    }
    // SAFETY: `dst` is writable for `size` bytes (caller).
    Some(unsafe { core::slice::from_raw_parts_mut(dst.cast::<u8>(), size) })
}

fn status(r: Result<(), c_int>) -> c_int {
    r.err().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Lookups.

/// `uv_getaddrinfo`: resolves `node` and/or `service` (one may be NULL, not both) with
/// `getaddrinfo(3)`. With `getaddrinfo_cb` it runs on the pool and returns 0 (the callback
/// gets the status and the list, which the callback frees with `uv_freeaddrinfo`); without
/// it runs now, returns the status and leaves the list in `req->addrinfo`.
///
/// # Safety
/// `req` is writable request memory that stays valid until the callback; `node` and
/// `service` are NULL or NUL-terminated; `hints` is NULL or readable; `loop_` is an
/// initialised loop (may be NULL without a callback).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_getaddrinfo(
    loop_: *mut uv_loop_t,
    req: *mut uv_getaddrinfo_t,
    getaddrinfo_cb: uv_getaddrinfo_cb,
    node: *const c_char,
    service: *const c_char,
    hints: *const libc::addrinfo,
) -> c_int {
    // SAFETY: NUL-terminated or NULL (caller).
    let (node, service) = unsafe { (bytes(node), bytes(service)) };
    if req.is_null() || (node.is_none() && service.is_none()) {
        return UV_EINVAL;
    }
    // SAFETY: a non-NULL loop pointer points to loop memory (caller contract).
    if getaddrinfo_cb.is_some() && !unsafe { crate::uvloop::is_open(loop_) } {
        return UV_EINVAL;
    }
    let ascii = match node.map(dns::idna_to_ascii).transpose() {
        Ok(a) => a,
        Err(e) => return e,
    };
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe {
        if getaddrinfo_cb.is_some() {
            tri!(check::not_pending(loop_, req));
        }
        dns::getaddrinfo(loop_, req, getaddrinfo_cb, ascii.as_deref(), service, hints)
    }
}

/// `uv_freeaddrinfo`: frees a list from `uv_getaddrinfo`; NULL is fine.
///
/// # Safety
/// `ai` is NULL or a list from `uv_getaddrinfo` not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_freeaddrinfo(ai: *mut libc::addrinfo) {
    if !ai.is_null() {
        // SAFETY: came from getaddrinfo(3) (caller).
        unsafe { libc::freeaddrinfo(ai) };
    }
}

/// `uv_getnameinfo`: the host and service names of an `AF_INET` or `AF_INET6` address
/// (`UV_EINVAL` for other families), with `getnameinfo(3)` and its `NI_*` `flags`. With
/// `getnameinfo_cb` it runs on the pool; without it runs now, returns the status and leaves
/// the names in `req->host` and `req->service`.
///
/// # Safety
/// `req` is writable request memory that stays valid until the callback; `addr` is NULL or
/// a readable socket address of its family's size; `loop_` is an initialised loop (may be
/// NULL without a callback).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_getnameinfo(
    loop_: *mut uv_loop_t,
    req: *mut uv_getnameinfo_t,
    getnameinfo_cb: uv_getnameinfo_cb,
    addr: *const libc::sockaddr,
    flags: c_int,
) -> c_int {
    if req.is_null() || addr.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a non-NULL loop pointer points to loop memory (caller contract).
    if getnameinfo_cb.is_some() && !unsafe { crate::uvloop::is_open(loop_) } {
        return UV_EINVAL;
    }
    // SAFETY: `addr` is readable for at least its family field (caller).
    let family = c_int::from(unsafe { (*addr).sa_family });
    let Some(len) = dns::sockaddr_len(family) else {
        return UV_EINVAL;
    };
    // SAFETY: `addr` is readable for its family's size (caller); the rest is checked.
    unsafe {
        if getnameinfo_cb.is_some() {
            tri!(check::not_pending(loop_, req));
        }
        dns::getnameinfo(loop_, req, getnameinfo_cb, addr, len, flags)
    }
}

// ---------------------------------------------------------------------------------------
// Address conversions.

/// `uv_ip4_addr`: `addr` = `ip`:`port` (`UV_EINVAL` for a malformed `ip`; `addr` is still
/// zeroed with family and port set).
///
/// # Safety
/// `ip` is NULL or NUL-terminated; `addr` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ip4_addr(
    ip: *const c_char,
    port: c_int,
    addr: *mut libc::sockaddr_in,
) -> c_int {
    if addr.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `addr` is writable; an all-zero sockaddr_in is valid.
    unsafe {
        ptr::write_bytes(addr, 0, 1);
        (*addr).sin_family = libc::AF_INET as libc::sa_family_t;
        (*addr).sin_port = (port as u16).to_be();
    }
    // SAFETY: NUL-terminated or NULL (caller).
    let Some(ip) = (unsafe { bytes(ip) }) else {
        return UV_EINVAL;
    };
    match dns::pton4(ip) {
        Ok(a) => {
            // SAFETY: `addr` is writable.
            unsafe { (*addr).sin_addr.s_addr = u32::from_ne_bytes(a) };
            0
        }
        Err(e) => e,
    }
}

/// `uv_ip6_addr`: `addr` = `ip`:`port`; a `%zone` suffix sets `sin6_scope_id` (an interface
/// name, else a decimal index; an unknown zone gives 0).
///
/// # Safety
/// `ip` is NULL or NUL-terminated; `addr` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ip6_addr(
    ip: *const c_char,
    port: c_int,
    addr: *mut libc::sockaddr_in6,
) -> c_int {
    if addr.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `addr` is writable; an all-zero sockaddr_in6 is valid.
    unsafe {
        ptr::write_bytes(addr, 0, 1);
        (*addr).sin6_family = libc::AF_INET6 as libc::sa_family_t;
        (*addr).sin6_port = (port as u16).to_be();
    }
    if ip.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: NUL-terminated (caller).
    let ip = unsafe { CStr::from_ptr(ip) };
    let text = ip.to_bytes();
    let (text, scope) = match text.iter().position(|&c| c == b'%') {
        Some(p) => {
            // The zone runs from after the '%' to the NUL.
            let zone = &ip.to_bytes_with_nul()[p + 1..];
            let zone = CStr::from_bytes_with_nul(zone).unwrap_or(c"");
            (&text[..p], dns::scope_id(zone))
        }
        None => (text, 0),
    };
    match dns::pton6(text) {
        Ok(a) => {
            // SAFETY: `addr` is writable.
            unsafe {
                (*addr).sin6_addr.s6_addr = a;
                (*addr).sin6_scope_id = scope;
            }
            0
        }
        Err(e) => {
            // SAFETY: `addr` is writable. libuv sets the scope before parsing.
            unsafe { (*addr).sin6_scope_id = scope };
            e
        }
    }
}

/// `uv_inet_ntop`: the text of an `AF_INET` (4 bytes) or `AF_INET6` (16 bytes) address at
/// `src` into `dst` of `size` bytes: `UV_ENOSPC` if it does not fit with its NUL,
/// `UV_EAFNOSUPPORT` for other families.
///
/// # Safety
/// `src` is NULL or readable for the family's address size; `dst` is NULL or writable for
/// `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_inet_ntop(
    af: c_int,
    src: *const c_void,
    dst: *mut c_char,
    size: usize,
) -> c_int {
    let text = match af {
        libc::AF_INET if !src.is_null() => {
            // SAFETY: readable for 4 bytes (caller); no alignment needed.
            dns::ntop4(&unsafe { src.cast::<[u8; 4]>().read_unaligned() })
        }
        libc::AF_INET6 if !src.is_null() => {
            // SAFETY: readable for 16 bytes (caller); no alignment needed.
            dns::ntop6(&unsafe { src.cast::<[u8; 16]>().read_unaligned() })
        }
        libc::AF_INET | libc::AF_INET6 => return UV_EINVAL,
        _ => return UV_EAFNOSUPPORT,
    };
    // SAFETY: writable for `size` bytes (caller).
    match unsafe { out_buf(dst, size) } {
        Some(out) => status(dns::copy_out(&text, out)),
        None => UV_EINVAL,
    }
}

/// `uv_inet_pton`: parses `src` as an `AF_INET` or `AF_INET6` address into `dst` (4 or 16
/// bytes, written only on success). IPv6 text may carry a `%zone` suffix, which is ignored.
/// `UV_EINVAL` for malformed text, `UV_EAFNOSUPPORT` for other families.
///
/// # Safety
/// `src` is NULL or NUL-terminated; `dst` is NULL or writable for the family's size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int {
    if src.is_null() || dst.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: NUL-terminated (caller).
    let text = unsafe { CStr::from_ptr(src) }.to_bytes();
    match af {
        libc::AF_INET => match dns::pton4(text) {
            // SAFETY: `dst` is writable for 4 bytes (caller).
            Ok(a) => unsafe { dst.cast::<[u8; 4]>().write_unaligned(a) },
            Err(e) => return e,
        },
        libc::AF_INET6 => match dns::pton6_scoped(text) {
            // SAFETY: `dst` is writable for 16 bytes (caller).
            Ok(a) => unsafe { dst.cast::<[u8; 16]>().write_unaligned(a) },
            Err(e) => return e,
        },
        _ => return UV_EAFNOSUPPORT,
    }
    0
}

/// `uv_ip4_name`: the text of `src`'s address (see `uv_inet_ntop`).
///
/// # Safety
/// `src` is NULL or readable; `dst` is NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ip4_name(
    src: *const libc::sockaddr_in,
    dst: *mut c_char,
    size: usize,
) -> c_int {
    if src.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `src` is readable (caller); `dst` is passed on with the caller's contract.
    unsafe {
        uv_inet_ntop(
            libc::AF_INET,
            (&raw const (*src).sin_addr).cast(),
            dst,
            size,
        )
    }
}

/// `uv_ip6_name`: the text of `src`'s address, without its scope (see `uv_inet_ntop`).
///
/// # Safety
/// `src` is NULL or readable; `dst` is NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ip6_name(
    src: *const libc::sockaddr_in6,
    dst: *mut c_char,
    size: usize,
) -> c_int {
    if src.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `src` is readable (caller); `dst` is passed on with the caller's contract.
    unsafe {
        uv_inet_ntop(
            libc::AF_INET6,
            (&raw const (*src).sin6_addr).cast(),
            dst,
            size,
        )
    }
}

/// `uv_ip_name`: `uv_ip4_name` or `uv_ip6_name` by `src`'s family, `UV_EAFNOSUPPORT` for
/// others.
///
/// # Safety
/// `src` is NULL or a readable socket address of its family's size; `dst` is NULL or
/// writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ip_name(
    src: *const libc::sockaddr,
    dst: *mut c_char,
    size: usize,
) -> c_int {
    if src.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `src` is readable for its family's size (caller).
    unsafe {
        match c_int::from((*src).sa_family) {
            libc::AF_INET => uv_ip4_name(src.cast(), dst, size),
            libc::AF_INET6 => uv_ip6_name(src.cast(), dst, size),
            _ => UV_EAFNOSUPPORT,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Interface names.

/// `uv_if_indextoname`: the name of interface `ifindex` into `buffer` of `*size` bytes.
/// On success `*size` is the name's length (without the NUL); if it does not fit,
/// `UV_ENOBUFS` with `*size` set to the size needed (with the NUL). An unknown index gives
/// `UV_ENXIO`.
///
/// # Safety
/// `size` is NULL or read-writable; `buffer` is NULL or writable for `*size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_if_indextoname(
    ifindex: c_uint,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: non-NULL `size` is read-writable (caller).
    if buffer.is_null() || size.is_null() || unsafe { *size } == 0 {
        return UV_EINVAL;
    }
    let name = match dns::if_indextoname(ifindex) {
        Ok(n) => n,
        Err(e) => return e,
    };
    // SAFETY: `size` is read-writable and `buffer` writable for `*size` bytes (caller).
    unsafe {
        if *size <= name.len() {
            *size = name.len() + 1;
            return UV_ENOBUFS;
        }
        ptr::copy_nonoverlapping(name.as_ptr(), buffer.cast::<u8>(), name.len());
        *buffer.add(name.len()) = 0;
        *size = name.len();
    }
    0
}

/// `uv_if_indextoiid`: on Unix the same as `uv_if_indextoname` (the interface identifier
/// of a scoped IPv6 address is the interface's name).
///
/// # Safety
/// As `uv_if_indextoname`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_if_indextoiid(
    ifindex: c_uint,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: same contract (caller).
    unsafe { uv_if_indextoname(ifindex, buffer, size) }
}
