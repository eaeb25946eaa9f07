//! `uv_cpu_info`, `uv_interface_addresses` (and their `uv_free_*`), `uv_loadavg`,
//! `uv_uptime`, `uv_getrusage` (and `_thread`), `uv_resident_set_memory` and the memory
//! figures: checks, then [`crate::os::info`] and [`crate::os::interfaces`].

use crate::abi::errno::UV_EINVAL;
use crate::abi::*;
use crate::os;
use core::ffi::c_int;

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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::cpu_info(cpu_infos, count) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::free_cpu_info(cpu_infos, count) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::interfaces::interface_addresses(addresses, count) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::interfaces::free_interface_addresses(addresses, count) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::loadavg(avg) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::uptime(uptime) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::getrusage(rusage, false) }
}

/// `uv_getrusage_thread` (libuv 1.50+): `getrusage(RUSAGE_THREAD)`, the calling thread's
/// resource usage.
///
/// # Safety
/// `rusage` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_getrusage_thread(rusage: *mut uv_rusage_t) -> c_int {
    if rusage.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::getrusage(rusage, true) }
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
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::resident_set_memory(rss) }
}

/// `uv_get_free_memory`: available memory in bytes (`MemAvailable`, else `sysinfo`'s free
/// RAM); 0 when unknown.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_free_memory() -> u64 {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::get_free_memory() }
}

/// `uv_get_total_memory`: total memory in bytes (`MemTotal`, else `sysinfo`); 0 when
/// unknown.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_total_memory() -> u64 {
    // SAFETY: the arguments checked above; the rest is the caller's contract.
    unsafe { os::info::get_total_memory() }
}

/// `uv_get_constrained_memory`: the memory limit on this process in bytes: the smaller of
/// the cgroup's limit (`UINT64_MAX` when its controller sets none) and `RLIMIT_AS`/
/// `RLIMIT_DATA`; 0 when there is no known constraint (libuv 1.53's rules).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_constrained_memory() -> u64 {
    // SAFETY: no arguments; no preconditions.
    unsafe { os::info::get_constrained_memory() }
}

/// `uv_get_available_memory` (libuv 1.45+): the memory this process may still use: the
/// cgroup's limit less its usage, else `uv_get_free_memory`'s answer.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_available_memory() -> u64 {
    // SAFETY: no arguments; no preconditions.
    unsafe { os::info::get_available_memory() }
}
