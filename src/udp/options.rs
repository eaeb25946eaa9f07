//! Socket options of UDP handles: multicast membership (any-source and source-specific),
//! multicast loop, TTL and interface, broadcast and the unicast TTL.
//!
//! Options at the IP level use the IPv6 variant on a handle known to be IPv6
//! (`flags::IPV6`, set by an IPv6 bind, `uv_udp_init_ex(AF_INET6)` or opening an IPv6
//! socket). A handle without a socket gets `UV_EBADF`, as in libuv, except that joining a
//! group first binds it to the wildcard address (with `UV_UDP_REUSEADDR`).

use super::{UV_UDP_REUSEADDR, fd, maybe_deferred_bind, setsockopt};
use crate::abi::errno::UV_EINVAL;
use crate::abi::flags;
use crate::abi::*;
use crate::abi::{UV_JOIN_GROUP, UV_LEAVE_GROUP};
use crate::dns;
use core::ffi::{CStr, c_int};
use core::mem::{size_of, zeroed};

/// An IPv4 address in dotted-quad text.
fn ip4(s: &CStr) -> Option<libc::in_addr> {
    dns::pton4(s.to_bytes()).ok().map(|a| libc::in_addr {
        s_addr: u32::from_ne_bytes(a),
    })
}

/// An IPv6 address with an optional `%zone`, as `uv_ip6_addr` reads it: (address, scope).
fn ip6(s: &CStr) -> Option<(libc::in6_addr, u32)> {
    let all = s.to_bytes_with_nul();
    let text = s.to_bytes();
    let (text, scope) = match text.iter().position(|&c| c == b'%') {
        Some(p) => {
            let zone = CStr::from_bytes_with_nul(&all[p + 1..]).unwrap_or(c"");
            (&text[..p], dns::scope_id(zone))
        }
        None => (text, 0),
    };
    let a = dns::pton6(text).ok()?;
    Some((libc::in6_addr { s6_addr: a }, scope))
}

/// Is `h` an IPv6 handle?
///
/// # Safety
/// `h` is a live UDP handle.
unsafe fn is_ipv6(h: *const uv_udp_t) -> bool {
    // SAFETY: caller guarantees `h` is live.
    unsafe { (*h).flags & flags::IPV6 != 0 }
}

/// `setsockopt` at the IPv4 or IPv6 level, by the handle's family.
unsafe fn set_ip_opt(h: *const uv_udp_t, opt4: c_int, opt6: c_int, val: c_int) -> c_int {
    // SAFETY: caller passes a live handle.
    unsafe {
        if is_ipv6(h) {
            setsockopt(fd(h), libc::IPPROTO_IPV6, opt6, &val)
        } else {
            setsockopt(fd(h), libc::IPPROTO_IP, opt4, &val)
        }
    }
}

/// An option that takes a value of 0 to 255 (libuv's `uv__setsockopt_maybe_char`).
unsafe fn set_byte_opt(h: *const uv_udp_t, opt4: c_int, opt6: c_int, val: c_int) -> c_int {
    if !(0..=255).contains(&val) {
        return UV_EINVAL;
    }
    // SAFETY: forwarded caller guarantee.
    unsafe { set_ip_opt(h, opt4, opt6, val) }
}

/// `uv_udp_set_membership`.
///
/// # Safety
/// `h` is a live, not closing UDP handle; loop thread.
pub(crate) unsafe fn set_membership(
    h: *mut uv_udp_t,
    multicast: &CStr,
    interface: Option<&CStr>,
    membership: c_int,
) -> c_int {
    // SAFETY: caller guarantees `h` is live; the option structs are plain data.
    unsafe {
        if let Some(group) = ip4(multicast) {
            let r = maybe_deferred_bind(h, libc::AF_INET, UV_UDP_REUSEADDR);
            if r != 0 {
                return r;
            }
            let mut mreq: libc::ip_mreq = zeroed();
            mreq.imr_interface = match interface {
                Some(i) => match ip4(i) {
                    Some(a) => a,
                    None => return UV_EINVAL,
                },
                None => libc::in_addr {
                    s_addr: libc::INADDR_ANY.to_be(),
                },
            };
            mreq.imr_multiaddr = group;
            let opt = match membership {
                UV_JOIN_GROUP => libc::IP_ADD_MEMBERSHIP,
                UV_LEAVE_GROUP => libc::IP_DROP_MEMBERSHIP,
                _ => return UV_EINVAL,
            };
            setsockopt(fd(h), libc::IPPROTO_IP, opt, &mreq)
        } else if let Some((group, _)) = ip6(multicast) {
            let r = maybe_deferred_bind(h, libc::AF_INET6, UV_UDP_REUSEADDR);
            if r != 0 {
                return r;
            }
            let mut mreq: libc::ipv6_mreq = zeroed();
            mreq.ipv6mr_interface = match interface {
                Some(i) => match ip6(i) {
                    Some((_, scope)) => scope,
                    None => return UV_EINVAL,
                },
                None => 0,
            };
            mreq.ipv6mr_multiaddr = group;
            let opt = match membership {
                UV_JOIN_GROUP => libc::IPV6_ADD_MEMBERSHIP,
                UV_LEAVE_GROUP => libc::IPV6_DROP_MEMBERSHIP,
                _ => return UV_EINVAL,
            };
            setsockopt(fd(h), libc::IPPROTO_IPV6, opt, &mreq)
        } else {
            UV_EINVAL
        }
    }
}

/// `uv_udp_set_source_membership`.
///
/// # Safety
/// `h` is a live, not closing UDP handle; loop thread.
pub(crate) unsafe fn set_source_membership(
    h: *mut uv_udp_t,
    multicast: &CStr,
    interface: Option<&CStr>,
    source: &CStr,
    membership: c_int,
) -> c_int {
    // SAFETY: caller guarantees `h` is live; the option structs are plain data.
    unsafe {
        if let Some(group) = ip4(multicast) {
            let Some(src) = ip4(source) else {
                return UV_EINVAL;
            };
            let r = maybe_deferred_bind(h, libc::AF_INET, UV_UDP_REUSEADDR);
            if r != 0 {
                return r;
            }
            let mut mreq: libc::ip_mreq_source = zeroed();
            mreq.imr_interface = match interface {
                Some(i) => match ip4(i) {
                    Some(a) => a,
                    None => return UV_EINVAL,
                },
                None => libc::in_addr {
                    s_addr: libc::INADDR_ANY.to_be(),
                },
            };
            mreq.imr_multiaddr = group;
            mreq.imr_sourceaddr = src;
            let opt = match membership {
                UV_JOIN_GROUP => libc::IP_ADD_SOURCE_MEMBERSHIP,
                UV_LEAVE_GROUP => libc::IP_DROP_SOURCE_MEMBERSHIP,
                _ => return UV_EINVAL,
            };
            setsockopt(fd(h), libc::IPPROTO_IP, opt, &mreq)
        } else if let Some((group, gscope)) = ip6(multicast) {
            let Some((src, sscope)) = ip6(source) else {
                return UV_EINVAL;
            };
            let r = maybe_deferred_bind(h, libc::AF_INET6, UV_UDP_REUSEADDR);
            if r != 0 {
                return r;
            }
            let mut mreq: libc::group_source_req = zeroed();
            mreq.gsr_interface = match interface {
                Some(i) => match ip6(i) {
                    Some((_, scope)) => scope,
                    None => return UV_EINVAL,
                },
                None => 0,
            };
            let sa6 = |addr: libc::in6_addr, scope: u32| {
                let mut ss: libc::sockaddr_storage = zeroed();
                let p = (&raw mut ss).cast::<libc::sockaddr_in6>();
                (*p).sin6_family = libc::AF_INET6 as libc::sa_family_t;
                (*p).sin6_addr = addr;
                (*p).sin6_scope_id = scope;
                ss
            };
            mreq.gsr_group = sa6(group, gscope);
            mreq.gsr_source = sa6(src, sscope);
            let opt = match membership {
                UV_JOIN_GROUP => libc::MCAST_JOIN_SOURCE_GROUP,
                UV_LEAVE_GROUP => libc::MCAST_LEAVE_SOURCE_GROUP,
                _ => return UV_EINVAL,
            };
            setsockopt(fd(h), libc::IPPROTO_IPV6, opt, &mreq)
        } else {
            UV_EINVAL
        }
    }
}

/// `uv_udp_set_multicast_loop`.
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn set_multicast_loop(h: *mut uv_udp_t, on: c_int) -> c_int {
    // SAFETY: forwarded caller guarantee.
    unsafe { set_byte_opt(h, libc::IP_MULTICAST_LOOP, libc::IPV6_MULTICAST_LOOP, on) }
}

/// `uv_udp_set_multicast_ttl`: 0 to 255.
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn set_multicast_ttl(h: *mut uv_udp_t, ttl: c_int) -> c_int {
    // SAFETY: forwarded caller guarantee.
    unsafe { set_byte_opt(h, libc::IP_MULTICAST_TTL, libc::IPV6_MULTICAST_HOPS, ttl) }
}

/// `uv_udp_set_ttl`: 1 to 255.
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn set_ttl(h: *mut uv_udp_t, ttl: c_int) -> c_int {
    if !(1..=255).contains(&ttl) {
        return UV_EINVAL;
    }
    // SAFETY: forwarded caller guarantee.
    unsafe { set_byte_opt(h, libc::IP_TTL, libc::IPV6_UNICAST_HOPS, ttl) }
}

/// `uv_udp_set_broadcast`.
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn set_broadcast(h: *mut uv_udp_t, on: c_int) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    setsockopt(unsafe { fd(h) }, libc::SOL_SOCKET, libc::SO_BROADCAST, &on)
}

/// `uv_udp_set_multicast_interface`: an IPv4 address, an IPv6 address whose zone names
/// the interface, or none (the default interface of the handle's family).
///
/// # Safety
/// `h` is a live UDP handle.
pub(crate) unsafe fn set_multicast_interface(h: *mut uv_udp_t, interface: Option<&CStr>) -> c_int {
    // SAFETY: caller guarantees `h` is live.
    let sock = unsafe { fd(h) };
    let v4 = |a: libc::in_addr| setsockopt(sock, libc::IPPROTO_IP, libc::IP_MULTICAST_IF, &a);
    let v6 = |scope: u32| setsockopt(sock, libc::IPPROTO_IPV6, libc::IPV6_MULTICAST_IF, &scope);
    match interface {
        // SAFETY: forwarded caller guarantee.
        None if unsafe { is_ipv6(h) } => v6(0),
        None => v4(libc::in_addr {
            s_addr: libc::INADDR_ANY.to_be(),
        }),
        Some(i) => {
            if let Some(a) = ip4(i) {
                v4(a)
            } else if let Some((_, scope)) = ip6(i) {
                v6(scope)
            } else {
                UV_EINVAL
            }
        }
    }
}

const _: () = assert!(size_of::<libc::group_source_req>() == 264);
