//! CPUs, load, uptime, resource usage and memory figures: `uv_cpu_info` (and
//! `uv_free_cpu_info`), `uv_loadavg`, `uv_uptime`, `uv_getrusage`,
//! `uv_getrusage_thread`, `uv_resident_set_memory`,
//! `uv_get_{free,total,constrained,available}_memory`. Parsing of `/proc`
//! and `/sys` is in [`super::proc`].

use core::ffi::c_int;
use core::mem::MaybeUninit;
use core::ptr;

use super::{alloc_zeroed, dup, sysconf, sysinfo};
use crate::abi::alloc;
use crate::abi::errno::{UV_EINVAL, UV_ENOMEM, last_error};
use crate::abi::*;

/// `uv_cpu_info`: one entry per online CPU (model, speed in MHz, times in ms). Free with
/// `free_cpu_info(*cpu_infos, *count)`.
///
/// # Safety
/// `cpu_infos` and `count` are writable.
pub(crate) unsafe fn cpu_info(cpu_infos: *mut *mut uv_cpu_info_t, count: *mut c_int) -> c_int {
    // SAFETY: both are writable (caller).
    unsafe {
        *cpu_infos = ptr::null_mut();
        *count = 0;
    }
    let cpus = match super::proc::cpu_info(sysconf(libc::_SC_CLK_TCK).unwrap_or(100)) {
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
            unsafe { free_cpu_info(arr, n) };
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
/// `cpu_infos`/`count` are what `uv_cpu_info` returned.
pub(crate) unsafe fn free_cpu_info(cpu_infos: *mut uv_cpu_info_t, count: c_int) {
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` of the array from `uv_cpu_info`.
        unsafe { alloc::free((*cpu_infos.add(i)).model.cast_mut().cast()) };
    }
    // SAFETY: the array from `uv_cpu_info`.
    unsafe { alloc::free(cpu_infos.cast()) };
}

/// `uv_loadavg`: the 1, 5 and 15 minute load averages (`/proc/loadavg`, else `sysinfo`);
/// `avg` is left alone when neither works.
///
/// # Safety
/// `avg` is `double[3]`.
pub(crate) unsafe fn loadavg(avg: *mut f64) {
    let v =
        super::proc::loadavg().or_else(|| sysinfo().map(|i| i.loads.map(|l| l as f64 / 65536.0)));
    if let Some(v) = v {
        // SAFETY: `avg` is `double[3]` (caller).
        unsafe { avg.cast::<[f64; 3]>().write_unaligned(v) };
    }
}

/// `uv_uptime`: seconds since boot (`/proc/uptime`, else `CLOCK_BOOTTIME`).
///
/// # Safety
/// `uptime` is writable.
pub(crate) unsafe fn uptime(uptime: *mut f64) -> c_int {
    let v = match super::proc::uptime() {
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

/// `uv_getrusage` (`thread` false: `getrusage(RUSAGE_SELF)`) and `uv_getrusage_thread`
/// (`thread` true: `RUSAGE_THREAD`, the calling thread alone).
///
/// # Safety
/// `rusage` is writable.
pub(crate) unsafe fn getrusage(rusage: *mut uv_rusage_t, thread: bool) -> c_int {
    let who = if thread {
        libc::RUSAGE_THREAD
    } else {
        libc::RUSAGE_SELF
    };
    let mut u = MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `u` is writable `struct rusage` memory.
    if unsafe { libc::getrusage(who, u.as_mut_ptr()) } != 0 {
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
/// `rss` is writable.
pub(crate) unsafe fn resident_set_memory(rss: *mut usize) -> c_int {
    match super::proc::resident_set_memory(sysconf(libc::_SC_PAGESIZE).unwrap_or(4096)) {
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
pub(crate) unsafe fn get_free_memory() -> u64 {
    super::proc::meminfo("MemAvailable:")
        .filter(|&v| v != 0)
        .or_else(|| sysinfo().map(|i| mem_bytes(i.freeram, i.mem_unit)))
        .unwrap_or(0)
}

/// `uv_get_total_memory`: total memory in bytes (`MemTotal`, else `sysinfo`); 0 when
/// unknown.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn get_total_memory() -> u64 {
    super::proc::meminfo("MemTotal:")
        .filter(|&v| v != 0)
        .or_else(|| sysinfo().map(|i| mem_bytes(i.totalram, i.mem_unit)))
        .unwrap_or(0)
}

/// The smaller of the soft limits on the address space and the data segment
/// (`RLIMIT_AS`, `RLIMIT_DATA`); 0 when neither is set (libuv's `uv__get_rlimit_max_memory`).
fn rlimit_max_memory() -> u64 {
    [libc::RLIMIT_AS, libc::RLIMIT_DATA]
        .into_iter()
        .filter_map(|res| {
            let mut rl = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: `rl` is a live, writable rlimit.
            let ok = unsafe { libc::getrlimit(res, &mut rl) } == 0;
            (ok && rl.rlim_cur != libc::RLIM_INFINITY).then_some(rl.rlim_cur)
        })
        .min()
        .unwrap_or(0)
}

/// `uv_get_constrained_memory` (libuv 1.53's definition): the smaller of the cgroup's
/// memory limit (`u64::MAX` when the cgroup sets none, see [`super::proc::CgroupMemory`])
/// and the `RLIMIT_AS`/`RLIMIT_DATA` limits; 0 when none of them is known.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn get_constrained_memory() -> u64 {
    let page = sysconf(libc::_SC_PAGESIZE).unwrap_or(4096);
    let cgroup = super::proc::CgroupMemory::read().map_or(0, |c| c.limit(page));
    match (cgroup, rlimit_max_memory()) {
        (0, r) => r,
        (c, 0) => c,
        (c, r) => c.min(r),
    }
}

/// `uv_get_available_memory` (libuv 1.45+): what the cgroup still lets this process use
/// (its limit less its usage, 0 when usage is over the limit), or `uv_get_free_memory`
/// when the cgroup sets no limit below the total memory or the limit is unknown; 0 when
/// `/proc/self/cgroup` cannot be read (libuv's rules, rlimits not included).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
pub(crate) unsafe fn get_available_memory() -> u64 {
    let Some(cgroup) = super::proc::CgroupMemory::read() else {
        return 0;
    };
    let limit = cgroup.limit(sysconf(libc::_SC_PAGESIZE).unwrap_or(4096));
    // SAFETY: no preconditions.
    if limit == 0 || limit > unsafe { get_total_memory() } {
        // SAFETY: no preconditions.
        return unsafe { get_free_memory() };
    }
    limit.saturating_sub(cgroup.current())
}
