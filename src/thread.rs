//! Threads beyond create and join (libuv 1.45-1.50): detach, names, CPU affinity, the CPU
//! a thread runs on, and scheduling priority. Each works on a `pthread_t`; all may be
//! called from any thread. Errors are libuv codes (negated errno).

use crate::abi::errno::{UV_EINVAL, from_errno, last_error};
use crate::abi::uv_thread_priority::{
    UV_THREAD_PRIORITY_ABOVE_NORMAL, UV_THREAD_PRIORITY_BELOW_NORMAL, UV_THREAD_PRIORITY_HIGHEST,
    UV_THREAD_PRIORITY_LOWEST, UV_THREAD_PRIORITY_NORMAL,
};
use core::ffi::{CStr, c_char, c_int};

/// Linux's limit for a thread name, the NUL included (`TASK_COMM_LEN`).
const NAME_MAX: usize = 16;

/// `uv_thread_detach`.
pub(crate) fn detach(t: libc::pthread_t) -> c_int {
    // SAFETY: pthread_detach takes a thread id by value; a stale id is the caller's
    // documented undefined case, which glibc answers with ESRCH where it can.
    from_errno(unsafe { libc::pthread_detach(t) })
}

/// `uv_thread_setname`: names the calling thread, cut to the 15 bytes Linux keeps.
pub(crate) fn set_name(name: &CStr) -> c_int {
    let bytes = name.to_bytes();
    let mut buf = [0 as c_char; NAME_MAX];
    for (d, &b) in buf.iter_mut().zip(&bytes[..bytes.len().min(NAME_MAX - 1)]) {
        *d = b as c_char;
    }
    // SAFETY: `buf` is NUL-terminated (its last byte is never written) and alive for the
    // call; the thread is the caller's own.
    from_errno(unsafe { libc::pthread_setname_np(libc::pthread_self(), buf.as_ptr()) })
}

/// `uv_thread_getname`: `t`'s name into `out`, cut to fit with its NUL.
pub(crate) fn name(t: libc::pthread_t, out: &mut [c_char]) -> c_int {
    if out.is_empty() {
        return UV_EINVAL;
    }
    let mut buf = [0 as c_char; NAME_MAX];
    // SAFETY: `buf` is writable for its length, which is passed.
    let r = unsafe { libc::pthread_getname_np(t, buf.as_mut_ptr(), buf.len()) };
    if r != 0 {
        return from_errno(r);
    }
    let n = buf
        .iter()
        .position(|&c| c == 0)
        .unwrap_or(NAME_MAX)
        .min(out.len() - 1);
    out[..n].copy_from_slice(&buf[..n]);
    out[n] = 0;
    0
}

/// `uv_cpumask_size`: the number of CPUs a mask describes (`CPU_SETSIZE`).
pub(crate) fn cpumask_size() -> c_int {
    (core::mem::size_of::<libc::cpu_set_t>() * 8) as c_int
}

/// `uv_thread_getaffinity`: one byte per CPU in `mask` (1: `t` may run there).
pub(crate) fn affinity(t: libc::pthread_t, mask: &mut [c_char]) -> c_int {
    let n = cpumask_size() as usize;
    if mask.len() < n {
        return UV_EINVAL;
    }
    // SAFETY: cpu_set_t is plain data; zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    // SAFETY: `set` is writable for the size passed.
    let r = unsafe {
        libc::pthread_getaffinity_np(t, core::mem::size_of::<libc::cpu_set_t>(), &mut set)
    };
    if r != 0 {
        return from_errno(r);
    }
    for (i, m) in mask[..n].iter_mut().enumerate() {
        // SAFETY: `i` < CPU_SETSIZE, the set's capacity.
        *m = unsafe { libc::CPU_ISSET(i, &set) } as c_char;
    }
    0
}

/// `uv_thread_setaffinity`: `t` may run on the CPUs whose byte in `mask` is non-zero; the
/// previous mask goes to `old` first when given.
pub(crate) fn set_affinity(
    t: libc::pthread_t,
    mask: &[c_char],
    old: Option<&mut [c_char]>,
) -> c_int {
    let n = cpumask_size() as usize;
    if mask.len() < n {
        return UV_EINVAL;
    }
    if let Some(old) = old {
        let r = affinity(t, old);
        if r != 0 {
            return r;
        }
    }
    // SAFETY: cpu_set_t is plain data; zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    for (i, &m) in mask[..n].iter().enumerate() {
        if m != 0 {
            // SAFETY: `i` < CPU_SETSIZE, the set's capacity.
            unsafe { libc::CPU_SET(i, &mut set) };
        }
    }
    // SAFETY: `set` is readable for the size passed.
    from_errno(unsafe {
        libc::pthread_setaffinity_np(t, core::mem::size_of::<libc::cpu_set_t>(), &set)
    })
}

/// `uv_thread_getcpu`: the CPU the calling thread runs on.
pub(crate) fn cpu() -> c_int {
    // SAFETY: no arguments.
    let c = unsafe { libc::sched_getcpu() };
    if c < 0 { last_error() } else { c }
}

/// The scheduling policy and priority of `t`.
fn sched(t: libc::pthread_t) -> Result<(c_int, libc::sched_param), c_int> {
    let mut policy = 0;
    // SAFETY: sched_param is plain data.
    let mut param: libc::sched_param = unsafe { core::mem::zeroed() };
    // SAFETY: both outputs are writable locals.
    let r = unsafe { libc::pthread_getschedparam(t, &mut policy, &mut param) };
    if r != 0 {
        Err(from_errno(r))
    } else {
        Ok((policy, param))
    }
}

/// Is `t` the calling thread?
fn is_self(t: libc::pthread_t) -> bool {
    // SAFETY: comparing thread ids has no preconditions.
    unsafe { libc::pthread_equal(t, libc::pthread_self()) != 0 }
}

/// The calling thread's kernel id.
fn tid() -> libc::id_t {
    // SAFETY: gettid takes no arguments and cannot fail.
    unsafe { libc::gettid() as libc::id_t }
}

/// `uv_thread_getpriority`: under the default policy (SCHED_OTHER) the calling thread's
/// nice value, as libuv reports it; else the policy's priority.
pub(crate) fn priority(t: libc::pthread_t) -> Result<c_int, c_int> {
    let (policy, param) = sched(t)?;
    if policy == libc::SCHED_OTHER && is_self(t) {
        // getpriority may return -1 as a value: errno tells an error from it.
        // SAFETY: errno is this thread's; getpriority takes plain values.
        unsafe { *libc::__errno_location() = 0 };
        // SAFETY: plain values.
        let r = unsafe { libc::getpriority(libc::PRIO_PROCESS, tid()) };
        // SAFETY: errno is this thread's.
        let e = unsafe { *libc::__errno_location() };
        return if r == -1 && e != 0 {
            Err(from_errno(e))
        } else {
            Ok(r)
        };
    }
    Ok(param.sched_priority)
}

/// `uv_thread_setpriority`: one of `UV_THREAD_PRIORITY_*`. Under SCHED_OTHER for the
/// calling thread, a nice value (twice the level, negated), as libuv sets it; under other
/// policies a point of the policy's range.
pub(crate) fn set_priority(t: libc::pthread_t, level: c_int) -> c_int {
    if level < UV_THREAD_PRIORITY_LOWEST as c_int || level > UV_THREAD_PRIORITY_HIGHEST as c_int {
        return UV_EINVAL;
    }
    let (policy, mut param) = match sched(t) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if policy == libc::SCHED_OTHER && is_self(t) {
        // SAFETY: plain values.
        let r = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid(), -level * 2) };
        return if r != 0 { last_error() } else { 0 };
    }
    // SAFETY: plain values.
    let (min, max) = unsafe {
        (
            libc::sched_get_priority_min(policy),
            libc::sched_get_priority_max(policy),
        )
    };
    if min == -1 || max == -1 {
        return last_error();
    }
    let range = max - min;
    let prio = match level {
        l if l == UV_THREAD_PRIORITY_HIGHEST as c_int => max,
        l if l == UV_THREAD_PRIORITY_ABOVE_NORMAL as c_int => min + range * 3 / 4,
        l if l == UV_THREAD_PRIORITY_NORMAL as c_int => min + range / 2,
        l if l == UV_THREAD_PRIORITY_BELOW_NORMAL as c_int => min + range / 4,
        _ => min,
    };
    if param.sched_priority != prio {
        param.sched_priority = prio;
        // SAFETY: `param` is a readable local.
        let r = unsafe { libc::pthread_setschedparam(t, policy, &param) };
        if r != 0 {
            return from_errno(r);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_to_linux_limit() {
        std::thread::spawn(|| {
            assert_eq!(set_name(c"a-rather-long-thread-name"), 0);
            let mut out = [0 as c_char; 32];
            // SAFETY: no preconditions.
            assert_eq!(name(unsafe { libc::pthread_self() }, &mut out), 0);
            // SAFETY: `name` NUL-terminated `out`.
            let got = unsafe { CStr::from_ptr(out.as_ptr()) };
            assert_eq!(got, c"a-rather-long-t");
            let mut small = [0 as c_char; 4];
            // SAFETY: as above.
            assert_eq!(name(unsafe { libc::pthread_self() }, &mut small), 0);
            // SAFETY: as above.
            assert_eq!(unsafe { CStr::from_ptr(small.as_ptr()) }, c"a-r");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn affinity_round_trips() {
        // SAFETY: no preconditions.
        let me = unsafe { libc::pthread_self() };
        let n = cpumask_size() as usize;
        let mut mask = vec![0 as c_char; n];
        assert_eq!(affinity(me, &mut mask), 0);
        assert!(mask.iter().any(|&m| m != 0));
        let mut old = vec![0 as c_char; n];
        assert_eq!(set_affinity(me, &mask, Some(&mut old)), 0);
        assert_eq!(old, mask);
        assert_eq!(affinity(me, &mut mask[..n - 1]), UV_EINVAL);
        assert!(cpu() >= 0);
    }

    #[test]
    fn priority_levels() {
        // SAFETY: no preconditions.
        let me = unsafe { libc::pthread_self() };
        assert_eq!(set_priority(me, 3), UV_EINVAL);
        assert!(priority(me).is_ok());
    }
}
