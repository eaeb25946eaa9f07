//! Network interfaces: `uv_interface_addresses` (and its `uv_free_*`), from a walk of
//! `getifaddrs(3)`.

use core::ffi::{c_char, c_int};
use core::mem::size_of;
use core::ptr;

use super::{alloc_zeroed, cbytes, dup};
use crate::abi::alloc;
use crate::abi::errno::{UV_ENOMEM, last_error};
use crate::abi::*;

/// Does `uv_interface_addresses` report this `getifaddrs` entry (as an address when
/// `packet` is false, as a link-layer address when true)? Interfaces must be up and
/// running and the entry must have an address.
///
/// # Safety
/// `ent` is an entry of a live `getifaddrs` list.
unsafe fn ifaddr_included(ent: &libc::ifaddrs, packet: bool) -> bool {
    let up = (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_uint;
    if ent.ifa_flags & up != up || ent.ifa_addr.is_null() {
        return false;
    }
    // SAFETY: a non-NULL `ifa_addr` is a readable sockaddr (caller).
    let family = c_int::from(unsafe { (*ent.ifa_addr).sa_family });
    (family == libc::AF_PACKET) == packet
}

/// Copies the sockaddr at `sa` the way libuv does: a `sockaddr_in6` for `AF_INET6`, else a
/// `sockaddr_in`; the rest stays zero.
///
/// # Safety
/// `sa` is a readable sockaddr of its family's size.
unsafe fn read_sockaddr(sa: *const libc::sockaddr, out: *mut u8) {
    // SAFETY: `sa` is readable (caller); `out` is a 28-byte union (both callers).
    unsafe {
        let n = if c_int::from((*sa).sa_family) == libc::AF_INET6 {
            size_of::<libc::sockaddr_in6>()
        } else {
            size_of::<libc::sockaddr_in>()
        };
        ptr::copy_nonoverlapping(sa.cast::<u8>(), out, n);
    }
}

/// `uv_interface_addresses`: every address of every interface that is up and running, with
/// its netmask, whether it is a loopback and the interface's MAC (zero when it has none).
/// Free with `free_interface_addresses(*addresses, *count)`.
///
/// # Safety
/// `addresses` and `count` are writable.
pub(crate) unsafe fn interface_addresses(
    addresses: *mut *mut uv_interface_address_t,
    count: *mut c_int,
) -> c_int {
    // SAFETY: both are writable (caller).
    unsafe {
        *addresses = ptr::null_mut();
        *count = 0;
    }
    let mut list: *mut libc::ifaddrs = ptr::null_mut();
    // SAFETY: `list` is writable; freed below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return last_error();
    }
    let mut ents: Vec<&libc::ifaddrs> = Vec::new();
    let mut p = list;
    while !p.is_null() {
        // SAFETY: a node of the live list, valid until freeifaddrs below.
        let ent = unsafe { &*p };
        ents.push(ent);
        p = ent.ifa_next;
    }
    // SAFETY: `ents` are the nodes of `list`, freed only below; the outputs are writable
    // (caller).
    let r = unsafe { fill_interfaces(&ents, addresses, count) };
    drop(ents);
    // SAFETY: the list from getifaddrs, no longer referenced.
    unsafe { libc::freeifaddrs(list) };
    r
}

/// The body of [`uv_interface_addresses`] over the entries of a live `getifaddrs` list.
///
/// # Safety
/// `ents` are the nodes of a list that stays live for the call; `addresses` and `count`
/// are writable.
unsafe fn fill_interfaces(
    ents: &[&libc::ifaddrs],
    addresses: *mut *mut uv_interface_address_t,
    count: *mut c_int,
) -> c_int {
    // SAFETY: entries of a live list.
    let addr_ents: Vec<&libc::ifaddrs> = ents
        .iter()
        .copied()
        .filter(|e| unsafe { ifaddr_included(e, false) })
        .collect();
    if addr_ents.is_empty() {
        return 0;
    }
    let Ok(n) = c_int::try_from(addr_ents.len()) else {
        return UV_ENOMEM;
    };
    let arr = alloc_zeroed::<uv_interface_address_t>(addr_ents.len());
    if arr.is_null() {
        return UV_ENOMEM;
    }
    for (i, ent) in addr_ents.iter().enumerate() {
        // SAFETY: `ifa_name` is a C string of the live list.
        let name = dup(unsafe { cbytes(ent.ifa_name) });
        // SAFETY: `i < n`, inside the zeroed array; `ifa_addr` is non-NULL (filter) and
        // `ifa_netmask` is NULL or a readable sockaddr; both unions are 28 bytes.
        unsafe {
            let a = &mut *arr.add(i);
            a.name = name;
            read_sockaddr(ent.ifa_addr, (&raw mut a.address).cast());
            if !ent.ifa_netmask.is_null() {
                read_sockaddr(ent.ifa_netmask, (&raw mut a.netmask).cast());
            }
            a.is_internal = c_int::from(ent.ifa_flags & libc::IFF_LOOPBACK as libc::c_uint != 0);
        }
        if name.is_null() {
            // SAFETY: entries after `i` are zeroed (NULL names).
            unsafe { free_interface_addresses(arr, n) };
            return UV_ENOMEM;
        }
    }
    // Link-layer addresses: an AF_PACKET entry gives its MAC to every address of that
    // interface and of its aliases ("eth0:1").
    // SAFETY: entries of a live list.
    for ent in ents.iter().filter(|e| unsafe { ifaddr_included(e, true) }) {
        // SAFETY: a C string of the live list.
        let ifname = unsafe { cbytes(ent.ifa_name) };
        // SAFETY: an AF_PACKET address is a `sockaddr_ll`.
        let sll = unsafe { ptr::read_unaligned(ent.ifa_addr.cast::<libc::sockaddr_ll>()) };
        for i in 0..addr_ents.len() {
            // SAFETY: `i < n`; names were all set above (non-NULL).
            let a = unsafe { &mut *arr.add(i) };
            // SAFETY: a C string we allocated.
            let name = unsafe { cbytes(a.name) };
            if name.starts_with(ifname)
                && (name.len() == ifname.len() || name[ifname.len()] == b':')
            {
                for (d, s) in a.phys_addr.iter_mut().zip(sll.sll_addr) {
                    *d = s as c_char;
                }
            }
        }
    }
    // SAFETY: both are writable (caller).
    unsafe {
        *addresses = arr;
        *count = n;
    }
    0
}

/// `uv_free_interface_addresses`: frees what `uv_interface_addresses` returned.
///
/// # Safety
/// `addresses`/`count` are what `uv_interface_addresses` returned.
pub(crate) unsafe fn free_interface_addresses(
    addresses: *mut uv_interface_address_t,
    count: c_int,
) {
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` of the array from `uv_interface_addresses`.
        unsafe { alloc::free((*addresses.add(i)).name.cast()) };
    }
    // SAFETY: the array from `uv_interface_addresses`.
    unsafe { alloc::free(addresses.cast()) };
}
