//! `uv_cpu_info`, `uv_interface_addresses` (and their `uv_free_*`), `uv_loadavg`,
//! `uv_uptime`, `uv_getrusage`, `uv_resident_set_memory` and the memory figures. Parsing is
//! in [`crate::os`]; conventions (allocation, NULL checks) are the parent module's.

use core::ffi::{c_char, c_int};
use core::mem::{MaybeUninit, size_of};
use core::ptr;

use super::{alloc_zeroed, cbytes, dup, sysconf, sysinfo};
use crate::abi::alloc;
use crate::abi::errno::{UV_EINVAL, UV_ENOMEM, last_error};
use crate::abi::*;
use crate::os;

/// `uv_cpu_info`: one entry per online CPU (model, speed in MHz, times in ms). Free with
/// `uv_free_cpu_info(*cpu_infos, *count)`.
///
/// # Safety
/// `cpu_infos` and `count` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cpu_info(
    cpu_infos: *mut *mut uv_cpu_info_t,
    count: *mut c_int,
) -> c_int {
    if cpu_infos.is_null() || count.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: both are writable (caller).
    unsafe {
        *cpu_infos = ptr::null_mut();
        *count = 0;
    }
    let cpus = match os::cpu_info(sysconf(libc::_SC_CLK_TCK).unwrap_or(100)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let Ok(n) = c_int::try_from(cpus.len()) else {
        return UV_ENOMEM;
    };
    let arr = alloc_zeroed::<uv_cpu_info_t>(cpus.len());
    if arr.is_null() {
        return UV_ENOMEM;
    }
    for (i, c) in cpus.iter().enumerate() {
        let model = dup(&c.model);
        // SAFETY: `i < cpus.len()`, inside the zeroed array.
        unsafe {
            arr.add(i).write(uv_cpu_info_t {
                model,
                speed: c.speed,
                cpu_times: uv_cpu_times_s {
                    user: c.user,
                    nice: c.nice,
                    sys: c.sys,
                    idle: c.idle,
                    irq: c.irq,
                },
            });
        }
        if model.is_null() {
            // SAFETY: entries after `i` are zeroed (NULL models).
            unsafe { uv_free_cpu_info(arr, n) };
            return UV_ENOMEM;
        }
    }
    // SAFETY: both are writable (caller).
    unsafe {
        *cpu_infos = arr;
        *count = n;
    }
    0
}

/// `uv_free_cpu_info`: frees what `uv_cpu_info` returned.
///
/// # Safety
/// `cpu_infos`/`count` are what `uv_cpu_info` returned (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_free_cpu_info(cpu_infos: *mut uv_cpu_info_t, count: c_int) {
    if cpu_infos.is_null() {
        return;
    }
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` of the array from `uv_cpu_info`.
        unsafe { alloc::free((*cpu_infos.add(i)).model.cast_mut().cast()) };
    }
    // SAFETY: the array from `uv_cpu_info`.
    unsafe { alloc::free(cpu_infos.cast()) };
}

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
/// Free with `uv_free_interface_addresses(*addresses, *count)`.
///
/// # Safety
/// `addresses` and `count` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_interface_addresses(
    addresses: *mut *mut uv_interface_address_t,
    count: *mut c_int,
) -> c_int {
    if addresses.is_null() || count.is_null() {
        return UV_EINVAL;
    }
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
            unsafe { uv_free_interface_addresses(arr, n) };
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
/// `addresses`/`count` are what `uv_interface_addresses` returned (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_free_interface_addresses(
    addresses: *mut uv_interface_address_t,
    count: c_int,
) {
    if addresses.is_null() {
        return;
    }
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` of the array from `uv_interface_addresses`.
        unsafe { alloc::free((*addresses.add(i)).name.cast()) };
    }
    // SAFETY: the array from `uv_interface_addresses`.
    unsafe { alloc::free(addresses.cast()) };
}

// ---------------------------------------------------------------------------------------
// Load, uptime, resources, memory.

/// `uv_loadavg`: the 1, 5 and 15 minute load averages (`/proc/loadavg`, else `sysinfo`);
/// `avg` is left alone when neither works.
///
/// # Safety
/// `avg` is NULL or `double[3]`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loadavg(avg: *mut f64) {
    if avg.is_null() {
        return;
    }
    let v = os::loadavg().or_else(|| sysinfo().map(|i| i.loads.map(|l| l as f64 / 65536.0)));
    if let Some(v) = v {
        // SAFETY: `avg` is `double[3]` (caller).
        unsafe { avg.cast::<[f64; 3]>().write_unaligned(v) };
    }
}

/// `uv_uptime`: seconds since boot (`/proc/uptime`, else `CLOCK_BOOTTIME`).
///
/// # Safety
/// `uptime` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_uptime(uptime: *mut f64) -> c_int {
    if uptime.is_null() {
        return UV_EINVAL;
    }
    let v = match os::uptime() {
        Some(v) => v,
        None => {
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: `ts` is writable.
            let mut r = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
            if r != 0 && last_error() == UV_EINVAL {
                // SAFETY: as above; kernels before 2.6.39 have no CLOCK_BOOTTIME.
                r = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
            }
            if r != 0 {
                return last_error();
            }
            ts.tv_sec as f64
        }
    };
    // SAFETY: writable (caller).
    unsafe { *uptime = v };
    0
}

/// `uv_getrusage`: `getrusage(RUSAGE_SELF)`.
///
/// # Safety
/// `rusage` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_getrusage(rusage: *mut uv_rusage_t) -> c_int {
    if rusage.is_null() {
        return UV_EINVAL;
    }
    let mut u = MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `u` is writable `struct rusage` memory.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr()) } != 0 {
        return last_error();
    }
    // SAFETY: zeroed, then filled by the kernel.
    let u = unsafe { u.assume_init() };
    let tv = |t: libc::timeval| uv_timeval_t {
        tv_sec: t.tv_sec,
        tv_usec: t.tv_usec,
    };
    // SAFETY: writable (caller).
    unsafe {
        rusage.write(uv_rusage_t {
            ru_utime: tv(u.ru_utime),
            ru_stime: tv(u.ru_stime),
            ru_maxrss: u.ru_maxrss as u64,
            ru_ixrss: u.ru_ixrss as u64,
            ru_idrss: u.ru_idrss as u64,
            ru_isrss: u.ru_isrss as u64,
            ru_minflt: u.ru_minflt as u64,
            ru_majflt: u.ru_majflt as u64,
            ru_nswap: u.ru_nswap as u64,
            ru_inblock: u.ru_inblock as u64,
            ru_oublock: u.ru_oublock as u64,
            ru_msgsnd: u.ru_msgsnd as u64,
            ru_msgrcv: u.ru_msgrcv as u64,
            ru_nsignals: u.ru_nsignals as u64,
            ru_nvcsw: u.ru_nvcsw as u64,
            ru_nivcsw: u.ru_nivcsw as u64,
        });
    }
    0
}

/// `uv_resident_set_memory`: this process's resident set, in bytes.
///
/// # Safety
/// `rss` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_resident_set_memory(rss: *mut usize) -> c_int {
    if rss.is_null() {
        return UV_EINVAL;
    }
    match os::resident_set_memory(sysconf(libc::_SC_PAGESIZE).unwrap_or(4096)) {
        Ok(v) => {
            // SAFETY: writable (caller).
            unsafe { *rss = usize::try_from(v).unwrap_or(usize::MAX) };
            0
        }
        Err(e) => e,
    }
}

/// `sysinfo`'s `units * mem_unit` in bytes.
#[allow(clippy::unnecessary_cast)] // `c_ulong` is `u64` only on 64-bit targets.
fn mem_bytes(units: libc::c_ulong, mem_unit: u32) -> u64 {
    (units as u64).saturating_mul(u64::from(mem_unit))
}

/// `uv_get_free_memory`: available memory in bytes (`MemAvailable`, else `sysinfo`'s free
/// RAM); 0 when unknown.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_free_memory() -> u64 {
    os::meminfo("MemAvailable:")
        .filter(|&v| v != 0)
        .or_else(|| sysinfo().map(|i| mem_bytes(i.freeram, i.mem_unit)))
        .unwrap_or(0)
}

/// `uv_get_total_memory`: total memory in bytes (`MemTotal`, else `sysinfo`); 0 when
/// unknown.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_total_memory() -> u64 {
    os::meminfo("MemTotal:")
        .filter(|&v| v != 0)
        .or_else(|| sysinfo().map(|i| mem_bytes(i.totalram, i.mem_unit)))
        .unwrap_or(0)
}

/// `uv_get_constrained_memory`: the cgroup memory limit in bytes; 0 when there is none.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_constrained_memory() -> u64 {
    os::constrained_memory()
}
