//! libuv's thread primitives (docs: threading.rst): threads (creation with a stack size,
//! join, detach, affinity, the current CPU, names, scheduling priority), mutexes,
//! read-write locks, semaphores, condition variables, barriers, once-guards and
//! thread-local keys.
//!
//! Each is a thin layer over the pthreads object that libuv's Unix build uses, with the
//! same C type (`uv_mutex_t` is a `pthread_mutex_t`, ...; see `crate::abi`). They run no
//! loop callbacks, so no loop phase applies, and all may be called from any thread.
//!
//! As in libuv, a pthreads failure that only a programming error can cause (unlocking an
//! unlocked mutex, destroying a busy one, ...) aborts the process ([`fatal`]); failures a
//! caller can meet (out of resources, a busy lock on a `try` call, a timeout) come back as
//! `UV_E*` codes. The C entry points have already refused NULL object pointers, so every
//! function here takes pointers that are not NULL.
//!
//! Linux specifics, as libuv 1.53 on Linux:
//! - affinity masks are `CPU_SETSIZE` (1024) bytes, one per CPU, non-zero meaning "may
//!   run there" ([`CPUMASK_SIZE`]);
//! - thread names hold at most 15 bytes and a NUL: longer names are truncated, and
//!   [`getname`] truncates to the caller's buffer (it never answers `UV_ENOBUFS`);
//! - priorities: under `SCHED_OTHER` (the default) the calling thread's priority is its
//!   nice value, and `UV_THREAD_PRIORITY_*` p maps to nice `-2 * p`; another thread, or
//!   another policy, is mapped onto the policy's `sched_priority` range (which is 0..=0 for
//!   `SCHED_OTHER`, so setting another `SCHED_OTHER` thread's priority changes nothing).

use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::MaybeUninit;
use core::ptr;

use crate::abi::errno::last_error;
use crate::abi::errno::{UV_EAGAIN, UV_EBUSY, UV_EINVAL, UV_ENOMEM, UV_ETIMEDOUT, from_errno};
use crate::abi::{
    uv_barrier_t, uv_cond_t, uv_key_t, uv_mutex_t, uv_once_t, uv_rwlock_t, uv_sem_t, uv_thread_t,
};

/// Aborts the process: libuv's answer to a pthreads failure that means a broken program.
#[cold]
pub(crate) fn fatal(what: &str, err: c_int) -> ! {
    eprintln!(
        "rsuv: {what} failed: {}",
        std::io::Error::from_raw_os_error(err)
    );
    std::process::abort()
}

/// The calling thread's errno as a positive number.
fn errno() -> c_int {
    -last_error()
}

// ---------------------------------------------------------------------------------------
// Thread creation.

/// What a new thread runs: the caller's entry and argument, boxed by the creating thread
/// and freed by the new one.
struct Start {
    entry: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
}

/// The new thread's start routine. The box is freed before `entry` runs, so this frame
/// owns nothing with a destructor while C code runs: an entry that ends its thread with
/// `pthread_exit` (a forced unwind) crosses only plain frames.
extern "C" fn thread_start(start: *mut c_void) -> *mut c_void {
    // SAFETY: `start` is the `Box<Start>` leaked by `create` for this thread alone; it is
    // reclaimed exactly once, here.
    let Start { entry, arg } = *unsafe { Box::from_raw(start.cast::<Start>()) };
    // SAFETY: the caller of `create` promised `entry` may be called with `arg` on a new
    // thread.
    unsafe { entry(arg) };
    ptr::null_mut()
}

fn page_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

/// The smallest stack rsuv gives a thread: 8 KiB or the platform's minimum if larger.
fn min_stack_size() -> usize {
    // SAFETY: sysconf has no memory-safety preconditions.
    let dynamic = unsafe { libc::sysconf(libc::_SC_THREAD_STACK_MIN) };
    let dynamic = if dynamic > 0 { dynamic as usize } else { 0 };
    8192.max(libc::PTHREAD_STACK_MIN).max(dynamic)
}

/// The stack size of a thread created without one: `RLIMIT_STACK` rounded down to a page
/// when it is finite and at least the minimum, else glibc's default of 2 MiB (libuv's rule).
fn default_stack_size() -> usize {
    const GLIBC_DEFAULT: usize = 2 << 20;
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a live, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } != 0
        || lim.rlim_cur == libc::RLIM_INFINITY
    {
        return GLIBC_DEFAULT;
    }
    let page = page_size() as libc::rlim_t;
    let cur = lim.rlim_cur - lim.rlim_cur % page;
    if cur >= min_stack_size() as libc::rlim_t {
        usize::try_from(cur).unwrap_or(GLIBC_DEFAULT)
    } else {
        GLIBC_DEFAULT
    }
}

/// The stack size for a requested one (0: the default): rounded up to a page, at least
/// the minimum.
fn stack_size_for(requested: usize) -> usize {
    if requested == 0 {
        return default_stack_size();
    }
    let page = page_size();
    let rounded = requested
        .checked_add(page - 1)
        .map(|n| n & !(page - 1))
        .unwrap_or(usize::MAX & !(page - 1));
    rounded.max(min_stack_size())
}

/// Starts a thread running `entry(arg)` with a stack of `stack_size` bytes (0: the
/// default; else rounded up to a page and at least the minimum) and stores its id in
/// `*tid`.
///
/// # Safety
/// `tid` is valid for writes; `entry` may be called with `arg` on another thread.
pub(crate) unsafe fn create(
    tid: *mut uv_thread_t,
    stack_size: usize,
    entry: unsafe extern "C" fn(*mut c_void),
    arg: *mut c_void,
) -> c_int {
    let stack_size = stack_size_for(stack_size);
    let mut attr = MaybeUninit::<libc::pthread_attr_t>::zeroed();
    // SAFETY: `attr` is live, writable storage.
    if unsafe { libc::pthread_attr_init(attr.as_mut_ptr()) } != 0 {
        return UV_ENOMEM;
    }
    // SAFETY: `attr` was initialised above.
    let err = unsafe { libc::pthread_attr_setstacksize(attr.as_mut_ptr(), stack_size) };
    if err != 0 {
        // SAFETY: `attr` was initialised above and is destroyed once.
        unsafe { libc::pthread_attr_destroy(attr.as_mut_ptr()) };
        return from_errno(err);
    }
    let start = Box::into_raw(Box::new(Start { entry, arg }));
    // SAFETY: `tid` is writable (caller), `attr` is initialised, and `thread_start` takes
    // ownership of `start` only if the thread is created.
    let err = unsafe { libc::pthread_create(tid, attr.as_ptr(), thread_start, start.cast()) };
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_attr_destroy(attr.as_mut_ptr()) };
    if err != 0 {
        // SAFETY: no thread was created, so `start` is still ours alone.
        drop(unsafe { Box::from_raw(start) });
        return from_errno(err);
    }
    0
}

/// The calling thread's id.
pub(crate) fn current() -> uv_thread_t {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() }
}

/// Do the two ids name the same thread?
pub(crate) fn equal(a: uv_thread_t, b: uv_thread_t) -> bool {
    // SAFETY: pthread_equal only compares.
    unsafe { libc::pthread_equal(a, b) != 0 }
}

/// Waits for thread `tid` to end.
///
/// # Safety
/// `tid` names a joinable thread that nobody else joins or detaches.
pub(crate) unsafe fn join(tid: uv_thread_t) -> c_int {
    // SAFETY: the caller's contract.
    from_errno(unsafe { libc::pthread_join(tid, ptr::null_mut()) })
}

/// Detaches thread `tid`: it releases its resources itself when it ends.
///
/// # Safety
/// `tid` names a joinable thread that nobody joins or detaches.
pub(crate) unsafe fn detach(tid: uv_thread_t) -> c_int {
    // SAFETY: the caller's contract.
    from_errno(unsafe { libc::pthread_detach(tid) })
}

// ---------------------------------------------------------------------------------------
// Affinity and the current CPU.

/// `uv_cpumask_size`: bytes in an affinity mask, one per CPU `cpu_set_t` can name.
pub(crate) const CPUMASK_SIZE: usize = libc::CPU_SETSIZE as usize;

/// The affinity of thread `tid` as a `cpu_set_t`.
///
/// # Safety
/// `tid` names a live thread.
unsafe fn affinity_set(tid: uv_thread_t) -> Result<libc::cpu_set_t, c_int> {
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    // SAFETY: `set` is writable and its size is passed; `tid` is live (caller).
    let r = unsafe { libc::pthread_getaffinity_np(tid, size_of::<libc::cpu_set_t>(), &mut set) };
    if r != 0 {
        return Err(from_errno(r));
    }
    Ok(set)
}

/// `uv_thread_getaffinity`: writes 1 or 0 into each of the first [`CPUMASK_SIZE`] bytes
/// of `cpumask` for the CPUs thread `tid` may (not) run on. `UV_EINVAL` when `mask_size`
/// is smaller than that.
///
/// # Safety
/// `tid` names a live thread; `cpumask` is writable for `mask_size` bytes.
pub(crate) unsafe fn getaffinity(
    tid: uv_thread_t,
    cpumask: *mut c_char,
    mask_size: usize,
) -> c_int {
    if mask_size < CPUMASK_SIZE {
        return UV_EINVAL;
    }
    // SAFETY: the caller's contract.
    let set = match unsafe { affinity_set(tid) } {
        Ok(s) => s,
        Err(e) => return e,
    };
    for i in 0..CPUMASK_SIZE {
        // SAFETY: `i < CPUMASK_SIZE <= mask_size` bytes are writable (caller).
        unsafe { *cpumask.add(i) = c_char::from(libc::CPU_ISSET(i, &set)) };
    }
    0
}

/// `uv_thread_setaffinity`: lets thread `tid` run on the CPUs whose bytes in the first
/// [`CPUMASK_SIZE`] of `cpumask` are non-zero, first storing the old mask in `oldmask`
/// (when not NULL) as [`getaffinity`] does. `UV_EINVAL` when `mask_size` is too small.
/// As in libuv, `oldmask` is written before `cpumask` is read, so they may be one buffer.
///
/// # Safety
/// `tid` names a live thread; `cpumask` is readable for `mask_size` bytes; `oldmask` is
/// NULL or writable for `mask_size` bytes.
pub(crate) unsafe fn setaffinity(
    tid: uv_thread_t,
    cpumask: *const c_char,
    oldmask: *mut c_char,
    mask_size: usize,
) -> c_int {
    if mask_size < CPUMASK_SIZE {
        return UV_EINVAL;
    }
    if !oldmask.is_null() {
        // SAFETY: the caller's contract.
        let r = unsafe { getaffinity(tid, oldmask, mask_size) };
        if r != 0 {
            return r;
        }
    }
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
    for i in 0..CPUMASK_SIZE {
        // SAFETY: `i < CPUMASK_SIZE <= mask_size` bytes are readable (caller).
        if unsafe { *cpumask.add(i) } != 0 {
            // SAFETY: `i < CPU_SETSIZE`, inside `set`.
            unsafe { libc::CPU_SET(i, &mut set) };
        }
    }
    // SAFETY: `set` is a live cpu_set_t of the stated size; `tid` is live (caller).
    from_errno(unsafe { libc::pthread_setaffinity_np(tid, size_of::<libc::cpu_set_t>(), &set) })
}

/// `uv_thread_getcpu`: the CPU the calling thread runs on, or a negative error code.
pub(crate) fn getcpu() -> c_int {
    // SAFETY: sched_getcpu has no preconditions.
    let cpu = unsafe { libc::sched_getcpu() };
    if cpu < 0 {
        return last_error();
    }
    cpu
}

// ---------------------------------------------------------------------------------------
// Names.

/// Linux's limit on a thread name, its NUL included (`UV_PTHREAD_MAX_NAMELEN_NP`).
pub(crate) const MAX_NAMELEN: usize = 16;

/// `uv_thread_setname`: names the calling thread `name`, truncated to 15 bytes.
pub(crate) fn setname(name: &CStr) -> c_int {
    let bytes = name.to_bytes();
    let mut buf = [0 as c_char; MAX_NAMELEN];
    for (d, &s) in buf
        .iter_mut()
        .zip(&bytes[..bytes.len().min(MAX_NAMELEN - 1)])
    {
        *d = s as c_char;
    }
    // SAFETY: `buf` is NUL-terminated (its last byte stays 0); this thread is live.
    from_errno(unsafe { libc::pthread_setname_np(libc::pthread_self(), buf.as_ptr()) })
}

/// `uv_thread_getname`: the name of thread `tid` with a NUL, truncated to fit `name`
/// (which is not empty).
///
/// # Safety
/// `tid` names a live thread.
pub(crate) unsafe fn getname(tid: uv_thread_t, name: &mut [c_char]) -> c_int {
    let mut buf = [0 as c_char; MAX_NAMELEN];
    // SAFETY: `buf` is writable for its length; `tid` is live (caller).
    let r = unsafe { libc::pthread_getname_np(tid, buf.as_mut_ptr(), buf.len()) };
    if r != 0 {
        return from_errno(r);
    }
    buf[MAX_NAMELEN - 1] = 0;
    let len = buf.iter().position(|&c| c == 0).unwrap_or(0);
    let n = len.min(name.len() - 1);
    name[..n].copy_from_slice(&buf[..n]);
    name[n] = 0;
    0
}

// ---------------------------------------------------------------------------------------
// Scheduling priority.

/// `UV_THREAD_PRIORITY_LOWEST..=UV_THREAD_PRIORITY_HIGHEST`.
const PRIORITIES: core::ops::RangeInclusive<c_int> = -2..=2;

/// Thread `tid`'s policy and `sched_priority`.
///
/// # Safety
/// `tid` names a live thread.
unsafe fn sched_param(tid: uv_thread_t) -> Result<(c_int, libc::sched_param), c_int> {
    let mut policy: c_int = 0;
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: both outputs are writable; `tid` is live (caller).
    let r = unsafe { libc::pthread_getschedparam(tid, &mut policy, &mut param) };
    if r != 0 {
        return Err(from_errno(r));
    }
    Ok((policy, param))
}

/// The calling thread's kernel id, which `getpriority`/`setpriority` take for one thread.
fn gettid() -> libc::id_t {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as libc::id_t }
}

/// `uv_thread_getpriority`: the calling thread's nice value under `SCHED_OTHER`, else the
/// thread's `sched_priority`.
///
/// # Safety
/// `tid` names a live thread.
pub(crate) unsafe fn getpriority(tid: uv_thread_t) -> Result<c_int, c_int> {
    // SAFETY: the caller's contract.
    let (policy, param) = unsafe { sched_param(tid)? };
    if policy == libc::SCHED_OTHER && equal(tid, current()) {
        // SAFETY: errno is this thread's; -1 is a valid nice value, so errno tells failure.
        let r = unsafe {
            *libc::__errno_location() = 0;
            libc::getpriority(libc::PRIO_PROCESS, gettid())
        };
        if r == -1 && errno() != 0 {
            return Err(last_error());
        }
        return Ok(r);
    }
    Ok(param.sched_priority)
}

/// `uv_thread_setpriority` (module docs for the mapping). `UV_EINVAL` outside
/// `UV_THREAD_PRIORITY_LOWEST..=UV_THREAD_PRIORITY_HIGHEST`.
///
/// # Safety
/// `tid` names a live thread.
pub(crate) unsafe fn setpriority(tid: uv_thread_t, priority: c_int) -> c_int {
    if !PRIORITIES.contains(&priority) {
        return UV_EINVAL;
    }
    // SAFETY: the caller's contract.
    let (policy, mut param) = match unsafe { sched_param(tid) } {
        Ok(p) => p,
        Err(e) => return e,
    };
    if policy == libc::SCHED_OTHER && equal(tid, current()) {
        // SAFETY: plain system call on this thread.
        if unsafe { libc::setpriority(libc::PRIO_PROCESS, gettid(), -2 * priority) } != 0 {
            return last_error();
        }
        return 0;
    }
    // SAFETY: plain system calls.
    let (min, max) = unsafe {
        (
            libc::sched_get_priority_min(policy),
            libc::sched_get_priority_max(policy),
        )
    };
    if min == -1 || max == -1 {
        return last_error();
    }
    let prio = priority_in_range(priority, min, max);
    if param.sched_priority != prio {
        param.sched_priority = prio;
        // SAFETY: `param` is live; `tid` is live (caller).
        let r = unsafe { libc::pthread_setschedparam(tid, policy, &param) };
        if r != 0 {
            return from_errno(r);
        }
    }
    0
}

/// A `UV_THREAD_PRIORITY_*` value placed in a policy's `min..=max` range: lowest at `min`,
/// below normal a quarter up, normal half-way, above normal three quarters, highest at
/// `max` (libuv's mapping).
fn priority_in_range(priority: c_int, min: c_int, max: c_int) -> c_int {
    let range = max - min;
    match priority {
        2 => max,
        1 => min + range * 3 / 4,
        0 => min + range / 2,
        -1 => min + range / 4,
        _ => min,
    }
}

// ---------------------------------------------------------------------------------------
// Mutexes.

/// `uv_mutex_init`: a normal (non-recursive) mutex.
///
/// # Safety
/// `mutex` is writable storage for a `uv_mutex_t` not currently initialised.
pub(crate) unsafe fn mutex_init(mutex: *mut uv_mutex_t) -> c_int {
    // SAFETY: the caller's contract; default attributes.
    from_errno(unsafe { libc::pthread_mutex_init(mutex, ptr::null()) })
}

/// `uv_mutex_init_recursive`: a mutex its owner may lock again.
///
/// # Safety
/// As [`mutex_init`].
pub(crate) unsafe fn mutex_init_recursive(mutex: *mut uv_mutex_t) -> c_int {
    let mut attr = MaybeUninit::<libc::pthread_mutexattr_t>::zeroed();
    // SAFETY: `attr` is live, writable storage.
    if unsafe { libc::pthread_mutexattr_init(attr.as_mut_ptr()) } != 0 {
        fatal("pthread_mutexattr_init", libc::ENOMEM);
    }
    // SAFETY: `attr` was initialised above.
    let err = unsafe {
        libc::pthread_mutexattr_settype(attr.as_mut_ptr(), libc::PTHREAD_MUTEX_RECURSIVE)
    };
    if err != 0 {
        fatal("pthread_mutexattr_settype", err);
    }
    // SAFETY: `mutex` is writable storage (caller); `attr` is initialised.
    let err = unsafe { libc::pthread_mutex_init(mutex, attr.as_ptr()) };
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_mutexattr_destroy(attr.as_mut_ptr()) };
    from_errno(err)
}

/// Runs a pthreads call that only a broken program can make fail; aborts if it does.
fn must(what: &str, err: c_int) {
    if err != 0 {
        fatal(what, err);
    }
}

/// `uv_mutex_destroy`.
///
/// # Safety
/// `mutex` was initialised and is not locked.
pub(crate) unsafe fn mutex_destroy(mutex: *mut uv_mutex_t) {
    // SAFETY: the caller's contract.
    must("pthread_mutex_destroy", unsafe {
        libc::pthread_mutex_destroy(mutex)
    });
}

/// `uv_mutex_lock`.
///
/// # Safety
/// `mutex` was initialised.
pub(crate) unsafe fn mutex_lock(mutex: *mut uv_mutex_t) {
    // SAFETY: the caller's contract.
    must("pthread_mutex_lock", unsafe {
        libc::pthread_mutex_lock(mutex)
    });
}

/// Maps a `try` call's answer: 0, `UV_EBUSY` for a busy lock, abort for anything else.
fn try_result(what: &str, err: c_int) -> c_int {
    match err {
        0 => 0,
        libc::EBUSY | libc::EAGAIN => UV_EBUSY,
        err => fatal(what, err),
    }
}

/// `uv_mutex_trylock`: 0 when locked, `UV_EBUSY` when another thread holds it.
///
/// # Safety
/// `mutex` was initialised.
pub(crate) unsafe fn mutex_trylock(mutex: *mut uv_mutex_t) -> c_int {
    // SAFETY: the caller's contract.
    try_result("pthread_mutex_trylock", unsafe {
        libc::pthread_mutex_trylock(mutex)
    })
}

/// `uv_mutex_unlock`.
///
/// # Safety
/// `mutex` was initialised and is held by the calling thread.
pub(crate) unsafe fn mutex_unlock(mutex: *mut uv_mutex_t) {
    // SAFETY: the caller's contract.
    must("pthread_mutex_unlock", unsafe {
        libc::pthread_mutex_unlock(mutex)
    });
}

// ---------------------------------------------------------------------------------------
// Read-write locks.

/// `uv_rwlock_init`.
///
/// # Safety
/// `rwlock` is writable storage for a `uv_rwlock_t` not currently initialised.
pub(crate) unsafe fn rwlock_init(rwlock: *mut uv_rwlock_t) -> c_int {
    // SAFETY: the caller's contract; default attributes.
    from_errno(unsafe { libc::pthread_rwlock_init(rwlock, ptr::null()) })
}

/// `uv_rwlock_destroy`.
///
/// # Safety
/// `rwlock` was initialised and is not held.
pub(crate) unsafe fn rwlock_destroy(rwlock: *mut uv_rwlock_t) {
    // SAFETY: the caller's contract.
    must("pthread_rwlock_destroy", unsafe {
        libc::pthread_rwlock_destroy(rwlock)
    });
}

/// `uv_rwlock_rdlock`.
///
/// # Safety
/// `rwlock` was initialised.
pub(crate) unsafe fn rwlock_rdlock(rwlock: *mut uv_rwlock_t) {
    // SAFETY: the caller's contract.
    must("pthread_rwlock_rdlock", unsafe {
        libc::pthread_rwlock_rdlock(rwlock)
    });
}

/// `uv_rwlock_tryrdlock`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` was initialised.
pub(crate) unsafe fn rwlock_tryrdlock(rwlock: *mut uv_rwlock_t) -> c_int {
    // SAFETY: the caller's contract.
    try_result("pthread_rwlock_tryrdlock", unsafe {
        libc::pthread_rwlock_tryrdlock(rwlock)
    })
}

/// `uv_rwlock_wrlock`.
///
/// # Safety
/// `rwlock` was initialised.
pub(crate) unsafe fn rwlock_wrlock(rwlock: *mut uv_rwlock_t) {
    // SAFETY: the caller's contract.
    must("pthread_rwlock_wrlock", unsafe {
        libc::pthread_rwlock_wrlock(rwlock)
    });
}

/// `uv_rwlock_trywrlock`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` was initialised.
pub(crate) unsafe fn rwlock_trywrlock(rwlock: *mut uv_rwlock_t) -> c_int {
    // SAFETY: the caller's contract.
    try_result("pthread_rwlock_trywrlock", unsafe {
        libc::pthread_rwlock_trywrlock(rwlock)
    })
}

/// `uv_rwlock_rdunlock` and `uv_rwlock_wrunlock`.
///
/// # Safety
/// `rwlock` was initialised and is held by the calling thread.
pub(crate) unsafe fn rwlock_unlock(rwlock: *mut uv_rwlock_t) {
    // SAFETY: the caller's contract.
    must("pthread_rwlock_unlock", unsafe {
        libc::pthread_rwlock_unlock(rwlock)
    });
}

// ---------------------------------------------------------------------------------------
// Semaphores (POSIX unnamed semaphores: glibc 2.21 and later have no sem_post bug, so
// libuv's mutex-and-condvar fallback for older glibc is not needed).

/// `uv_sem_init`.
///
/// # Safety
/// `sem` is writable storage for a `uv_sem_t` not currently initialised.
pub(crate) unsafe fn sem_init(sem: *mut uv_sem_t, value: u32) -> c_int {
    // SAFETY: the caller's contract; a process-private semaphore.
    if unsafe { libc::sem_init(sem, 0, value) } != 0 {
        return last_error();
    }
    0
}

/// `uv_sem_destroy`.
///
/// # Safety
/// `sem` was initialised and nobody waits on it.
pub(crate) unsafe fn sem_destroy(sem: *mut uv_sem_t) {
    // SAFETY: the caller's contract.
    if unsafe { libc::sem_destroy(sem) } != 0 {
        fatal("sem_destroy", errno());
    }
}

/// `uv_sem_post`.
///
/// # Safety
/// `sem` was initialised.
pub(crate) unsafe fn sem_post(sem: *mut uv_sem_t) {
    // SAFETY: the caller's contract.
    if unsafe { libc::sem_post(sem) } != 0 {
        fatal("sem_post", errno());
    }
}

/// `uv_sem_wait`: waits for a post, retrying when a signal interrupts.
///
/// # Safety
/// `sem` was initialised.
pub(crate) unsafe fn sem_wait(sem: *mut uv_sem_t) {
    loop {
        // SAFETY: the caller's contract.
        if unsafe { libc::sem_wait(sem) } == 0 {
            return;
        }
        let err = errno();
        if err != libc::EINTR {
            fatal("sem_wait", err);
        }
    }
}

/// `uv_sem_trywait`: 0 when a post was taken, `UV_EAGAIN` when none.
///
/// # Safety
/// `sem` was initialised.
pub(crate) unsafe fn sem_trywait(sem: *mut uv_sem_t) -> c_int {
    loop {
        // SAFETY: the caller's contract.
        if unsafe { libc::sem_trywait(sem) } == 0 {
            return 0;
        }
        match errno() {
            libc::EINTR => continue,
            libc::EAGAIN => return UV_EAGAIN,
            err => fatal("sem_trywait", err),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Condition variables (on CLOCK_MONOTONIC, so timed waits ignore wall-clock changes).

/// `uv_cond_init`.
///
/// # Safety
/// `cond` is writable storage for a `uv_cond_t` not currently initialised.
pub(crate) unsafe fn cond_init(cond: *mut uv_cond_t) -> c_int {
    let mut attr = MaybeUninit::<libc::pthread_condattr_t>::zeroed();
    // SAFETY: `attr` is live, writable storage.
    let err = unsafe { libc::pthread_condattr_init(attr.as_mut_ptr()) };
    if err != 0 {
        return from_errno(err);
    }
    // SAFETY: `attr` was initialised above.
    let mut err =
        unsafe { libc::pthread_condattr_setclock(attr.as_mut_ptr(), libc::CLOCK_MONOTONIC) };
    if err == 0 {
        // SAFETY: `cond` is writable storage (caller); `attr` is initialised.
        err = unsafe { libc::pthread_cond_init(cond, attr.as_ptr()) };
    }
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_condattr_destroy(attr.as_mut_ptr()) };
    from_errno(err)
}

/// `uv_cond_destroy`.
///
/// # Safety
/// `cond` was initialised and nobody waits on it.
pub(crate) unsafe fn cond_destroy(cond: *mut uv_cond_t) {
    // SAFETY: the caller's contract.
    must("pthread_cond_destroy", unsafe {
        libc::pthread_cond_destroy(cond)
    });
}

/// `uv_cond_signal`: wakes one waiter.
///
/// # Safety
/// `cond` was initialised.
pub(crate) unsafe fn cond_signal(cond: *mut uv_cond_t) {
    // SAFETY: the caller's contract.
    must("pthread_cond_signal", unsafe {
        libc::pthread_cond_signal(cond)
    });
}

/// `uv_cond_broadcast`: wakes every waiter.
///
/// # Safety
/// `cond` was initialised.
pub(crate) unsafe fn cond_broadcast(cond: *mut uv_cond_t) {
    // SAFETY: the caller's contract.
    must("pthread_cond_broadcast", unsafe {
        libc::pthread_cond_broadcast(cond)
    });
}

/// `uv_cond_wait`: releases `mutex`, waits for a signal, takes `mutex` again.
///
/// # Safety
/// Both were initialised; the calling thread holds `mutex`.
pub(crate) unsafe fn cond_wait(cond: *mut uv_cond_t, mutex: *mut uv_mutex_t) {
    // SAFETY: the caller's contract.
    must("pthread_cond_wait", unsafe {
        libc::pthread_cond_wait(cond, mutex)
    });
}

/// `uv_cond_timedwait`: as [`cond_wait`], giving up after `timeout` nanoseconds with
/// `UV_ETIMEDOUT`.
///
/// # Safety
/// As [`cond_wait`].
pub(crate) unsafe fn cond_timedwait(
    cond: *mut uv_cond_t,
    mutex: *mut uv_mutex_t,
    timeout: u64,
) -> c_int {
    const NANOSEC: u64 = 1_000_000_000;
    let deadline = crate::sys::hrtime_ns().saturating_add(timeout);
    let secs = (deadline / NANOSEC).min(libc::time_t::MAX as u64);
    let ts = libc::timespec {
        tv_sec: secs as libc::time_t,
        tv_nsec: (deadline % NANOSEC) as libc::c_long,
    };
    // SAFETY: the caller's contract; `ts` is an absolute time on the condition's clock
    // (CLOCK_MONOTONIC, see `cond_init`).
    match unsafe { libc::pthread_cond_timedwait(cond, mutex, &ts) } {
        0 => 0,
        libc::ETIMEDOUT => UV_ETIMEDOUT,
        err => fatal("pthread_cond_timedwait", err),
    }
}

// ---------------------------------------------------------------------------------------
// Barriers.

/// `uv_barrier_init`: a barrier for `count` threads (`UV_EINVAL` for 0).
///
/// # Safety
/// `barrier` is writable storage for a `uv_barrier_t` not currently initialised.
pub(crate) unsafe fn barrier_init(barrier: *mut uv_barrier_t, count: u32) -> c_int {
    if count == 0 {
        return UV_EINVAL;
    }
    // SAFETY: the caller's contract; default attributes.
    from_errno(unsafe { libc::pthread_barrier_init(barrier, ptr::null(), count) })
}

/// `uv_barrier_destroy`.
///
/// # Safety
/// `barrier` was initialised and nobody waits on it.
pub(crate) unsafe fn barrier_destroy(barrier: *mut uv_barrier_t) {
    // SAFETY: the caller's contract.
    must("pthread_barrier_destroy", unsafe {
        libc::pthread_barrier_destroy(barrier)
    });
}

/// `uv_barrier_wait`: waits until `count` threads have arrived; 1 in exactly one of them
/// and 0 in the others.
///
/// # Safety
/// `barrier` was initialised.
pub(crate) unsafe fn barrier_wait(barrier: *mut uv_barrier_t) -> c_int {
    // SAFETY: the caller's contract.
    match unsafe { libc::pthread_barrier_wait(barrier) } {
        0 => 0,
        libc::PTHREAD_BARRIER_SERIAL_THREAD => 1,
        err => fatal("pthread_barrier_wait", err),
    }
}

// ---------------------------------------------------------------------------------------
// Once and thread-local keys.

/// `uv_once`: runs `callback` exactly once per guard, however many threads call this;
/// every caller returns after it has run.
///
/// # Safety
/// `guard` is a `uv_once_t` initialised with `UV_ONCE_INIT`; `callback` may be called.
pub(crate) unsafe fn once(guard: *mut uv_once_t, callback: unsafe extern "C" fn()) {
    // SAFETY: `unsafe extern "C" fn()` and `extern "C" fn()` have the same ABI and
    // representation; the caller promised `callback` may be called.
    let callback: extern "C" fn() = unsafe { core::mem::transmute(callback) };
    // SAFETY: `guard` is a valid once-control (caller).
    must("pthread_once", unsafe {
        libc::pthread_once(guard, callback)
    });
}

/// `uv_key_create`: a thread-local slot, NULL in every thread (no destructor, as libuv).
///
/// # Safety
/// `key` is writable.
pub(crate) unsafe fn key_create(key: *mut uv_key_t) -> c_int {
    // SAFETY: the caller's contract.
    from_errno(unsafe { libc::pthread_key_create(key, None) })
}

/// `uv_key_delete`.
///
/// # Safety
/// `key` was created by [`key_create`] and not yet deleted.
pub(crate) unsafe fn key_delete(key: *mut uv_key_t) {
    // SAFETY: `key` is readable (caller).
    must("pthread_key_delete", unsafe {
        libc::pthread_key_delete(*key)
    });
}

/// `uv_key_get`: the calling thread's value (NULL until set).
///
/// # Safety
/// `key` was created by [`key_create`].
pub(crate) unsafe fn key_get(key: *mut uv_key_t) -> *mut c_void {
    // SAFETY: `key` is readable (caller); an invalid key yields NULL.
    unsafe { libc::pthread_getspecific(*key) }
}

/// `uv_key_set`: sets the calling thread's value.
///
/// # Safety
/// `key` was created by [`key_create`].
pub(crate) unsafe fn key_set(key: *mut uv_key_t, value: *mut c_void) {
    // SAFETY: `key` is readable (caller).
    must("pthread_setspecific", unsafe {
        libc::pthread_setspecific(*key, value)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_sizes() {
        let page = page_size();
        assert_eq!(stack_size_for(1), min_stack_size());
        let big = 3 * 1024 * 1024 + 1;
        let s = stack_size_for(big);
        assert!(s >= big && s.is_multiple_of(page) && s - big < page);
        let d = stack_size_for(0);
        assert!(d >= min_stack_size() && d.is_multiple_of(page));
        assert!(stack_size_for(usize::MAX).is_multiple_of(page));
    }

    #[test]
    fn priority_mapping() {
        // SCHED_FIFO/RR on Linux: 1..=99.
        assert_eq!(priority_in_range(2, 1, 99), 99);
        assert_eq!(priority_in_range(1, 1, 99), 1 + 98 * 3 / 4);
        assert_eq!(priority_in_range(0, 1, 99), 50);
        assert_eq!(priority_in_range(-1, 1, 99), 1 + 98 / 4);
        assert_eq!(priority_in_range(-2, 1, 99), 1);
        // SCHED_OTHER: 0..=0.
        for p in PRIORITIES {
            assert_eq!(priority_in_range(p, 0, 0), 0);
        }
    }

    #[test]
    fn names_truncate() {
        let me = current();
        let mut out = [0 as c_char; 32];
        assert_eq!(setname(c"abcdefghijklmnopqrstuvwxyz"), 0);
        // SAFETY: this thread is live.
        assert_eq!(unsafe { getname(me, &mut out) }, 0);
        // SAFETY: `getname` NUL-terminates.
        let got = unsafe { CStr::from_ptr(out.as_ptr()) };
        assert_eq!(got.to_bytes(), b"abcdefghijklmno");
        let mut small = [0 as c_char; 3];
        // SAFETY: as above.
        assert_eq!(unsafe { getname(me, &mut small) }, 0);
        assert_eq!(small, [b'a' as c_char, b'b' as c_char, 0]);
    }

    #[test]
    fn affinity_round_trip() {
        let me = current();
        let mut mask = vec![0 as c_char; CPUMASK_SIZE];
        // SAFETY: this thread is live; `mask` has CPUMASK_SIZE bytes.
        unsafe {
            assert_eq!(
                getaffinity(me, mask.as_mut_ptr(), CPUMASK_SIZE - 1),
                UV_EINVAL
            );
            assert_eq!(getaffinity(me, mask.as_mut_ptr(), CPUMASK_SIZE), 0);
            assert!(mask.contains(&1));
            let mut old = vec![0 as c_char; CPUMASK_SIZE];
            assert_eq!(
                setaffinity(me, mask.as_ptr(), old.as_mut_ptr(), CPUMASK_SIZE),
                0
            );
            assert_eq!(old, mask);
        }
        assert!(getcpu() >= 0);
    }
}
