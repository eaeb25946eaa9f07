//! libuv's thread primitives (docs: threading.rst): threads, mutexes, read-write locks,
//! semaphores, condition variables, barriers, once-guards and thread-local keys.
//!
//! Each is a thin wrapper over the pthreads object that libuv's Unix build uses, with the
//! same C type (`uv_mutex_t` is a `pthread_mutex_t`, ...; see `types.rs`). They run no loop
//! callbacks and may be called from any thread. As in libuv, a pthreads failure that only
//! a programming error can cause (unlocking an unlocked mutex, destroying a busy one, ...)
//! aborts the process; failures a caller can meet (out of resources, a busy lock on a
//! `try` call, a timeout) come back as `UV_E*` codes. A NULL object pointer, which libuv
//! would dereference, is `UV_EINVAL` where the function returns a code, and an abort where
//! it returns nothing.

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::ptr;

use crate::abi::errno::{UV_EAGAIN, UV_EBUSY, UV_EINVAL, UV_ENOMEM, UV_ETIMEDOUT, from_errno};
use crate::abi::{
    uv_barrier_t, uv_cond_t, uv_key_t, uv_mutex_t, uv_once_t, uv_rwlock_t, uv_sem_t, uv_thread_cb,
    uv_thread_t,
};
use crate::abi::{uv_thread_create_flags, uv_thread_options_t};

/// `UV_THREAD_HAS_STACK_SIZE` of `enum uv_thread_create_flags`.
const UV_THREAD_HAS_STACK_SIZE: c_uint = uv_thread_create_flags::UV_THREAD_HAS_STACK_SIZE as c_uint;

/// Aborts the process: libuv's answer to a pthreads failure that means a broken program.
#[cold]
fn fatal(what: &str, err: c_int) -> ! {
    eprintln!(
        "rsuv: {what} failed: {}",
        std::io::Error::from_raw_os_error(err)
    );
    std::process::abort()
}

// ---------------------------------------------------------------------------------------
// Threads.

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
    // SAFETY: `start` is the `Box<Start>` leaked by `uv_thread_create_ex` for this thread
    // alone; it is reclaimed exactly once, here.
    let Start { entry, arg } = *unsafe { Box::from_raw(start.cast::<Start>()) };
    // SAFETY: the caller of `uv_thread_create_ex` promised `entry` may be called with `arg`
    // on a new thread.
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

/// `int uv_thread_create(uv_thread_t* tid, uv_thread_cb entry, void* arg)`: starts a
/// thread running `entry(arg)` with the default stack size.
///
/// # Safety
/// `tid` is valid for writes; `entry` may be called with `arg` on another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_create(
    tid: *mut uv_thread_t,
    entry: uv_thread_cb,
    arg: *mut c_void,
) -> c_int {
    let options = uv_thread_options_t {
        flags: uv_thread_create_flags::UV_THREAD_NO_FLAGS as c_uint,
        stack_size: 0,
    };
    // SAFETY: forwarded from this function's contract; `options` is live for the call.
    unsafe { uv_thread_create_ex(tid, &options, entry, arg) }
}

/// `int uv_thread_create_ex(uv_thread_t* tid, const uv_thread_options_t* params,
/// uv_thread_cb entry, void* arg)`: as `uv_thread_create`, with a stack size when
/// `params->flags` has `UV_THREAD_HAS_STACK_SIZE` (rounded up to the page size, at least
/// the platform minimum; 0 means the default). A NULL `params` means no options.
///
/// # Safety
/// `tid` is valid for writes; `params` is NULL or points to a `uv_thread_options_t`;
/// `entry` may be called with `arg` on another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_create_ex(
    tid: *mut uv_thread_t,
    params: *const uv_thread_options_t,
    entry: uv_thread_cb,
    arg: *mut c_void,
) -> c_int {
    let Some(entry) = entry else {
        return UV_EINVAL;
    };
    if tid.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the caller passes NULL or a readable uv_thread_options_t.
    let requested = match unsafe { params.as_ref() } {
        Some(p) if p.flags & UV_THREAD_HAS_STACK_SIZE != 0 => p.stack_size,
        _ => 0,
    };
    let stack_size = stack_size_for(requested);

    // SAFETY: a zeroed pthread_attr_t is valid storage for pthread_attr_init.
    let mut attr: libc::pthread_attr_t = unsafe { core::mem::zeroed() };
    // SAFETY: `attr` is live, writable storage.
    if unsafe { libc::pthread_attr_init(&mut attr) } != 0 {
        return UV_ENOMEM;
    }
    // SAFETY: `attr` was initialised above.
    let err = unsafe { libc::pthread_attr_setstacksize(&mut attr, stack_size) };
    if err != 0 {
        // SAFETY: `attr` was initialised above and is destroyed once.
        unsafe { libc::pthread_attr_destroy(&mut attr) };
        return from_errno(err);
    }

    let start = Box::into_raw(Box::new(Start { entry, arg }));
    // SAFETY: `tid` is writable (caller's contract), `attr` is initialised, and
    // `thread_start` takes ownership of `start` only if the thread is created.
    let err = unsafe { libc::pthread_create(tid, &attr, thread_start, start.cast()) };
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_attr_destroy(&mut attr) };
    if err != 0 {
        // SAFETY: no thread was created, so `start` is still ours alone.
        drop(unsafe { Box::from_raw(start) });
        return from_errno(err);
    }
    0
}

/// `uv_thread_t uv_thread_self(void)`: the calling thread's id.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_self() -> uv_thread_t {
    // SAFETY: pthread_self has no preconditions.
    unsafe { libc::pthread_self() }
}

/// `int uv_thread_join(uv_thread_t* tid)`: waits for the thread to end.
///
/// # Safety
/// `tid` points to the id of a joinable thread that nobody else joins.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_join(tid: *mut uv_thread_t) -> c_int {
    if tid.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `tid` is readable and names a joinable thread nobody else joins (caller's
    // contract).
    from_errno(unsafe { libc::pthread_join(*tid, ptr::null_mut()) })
}

/// `int uv_thread_equal(const uv_thread_t* t1, const uv_thread_t* t2)`: non-zero when the
/// two ids name the same thread.
///
/// # Safety
/// Both pointers are readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_equal(t1: *const uv_thread_t, t2: *const uv_thread_t) -> c_int {
    if t1.is_null() || t2.is_null() {
        return 0; // no thread to compare
    }
    // SAFETY: both pointers are readable (caller's contract, checked non-NULL).
    unsafe { libc::pthread_equal(*t1, *t2) }
}

// ---------------------------------------------------------------------------------------
// Mutexes.

/// `int uv_mutex_init(uv_mutex_t* handle)`: a normal (non-recursive) mutex.
///
/// # Safety
/// `mutex` is NULL or writable storage for a `uv_mutex_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_init(mutex: *mut uv_mutex_t) -> c_int {
    if mutex.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `mutex` is writable storage (caller's contract); default attributes.
    from_errno(unsafe { libc::pthread_mutex_init(mutex, ptr::null()) })
}

/// `int uv_mutex_init_recursive(uv_mutex_t* handle)`: a mutex its owner may lock again.
///
/// # Safety
/// As [`uv_mutex_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_init_recursive(mutex: *mut uv_mutex_t) -> c_int {
    if mutex.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a zeroed pthread_mutexattr_t is valid storage for pthread_mutexattr_init.
    let mut attr: libc::pthread_mutexattr_t = unsafe { core::mem::zeroed() };
    // SAFETY: `attr` is live, writable storage.
    if unsafe { libc::pthread_mutexattr_init(&mut attr) } != 0 {
        fatal("pthread_mutexattr_init", libc::ENOMEM);
    }
    // SAFETY: `attr` was initialised above.
    let err = unsafe { libc::pthread_mutexattr_settype(&mut attr, libc::PTHREAD_MUTEX_RECURSIVE) };
    if err != 0 {
        fatal("pthread_mutexattr_settype", err);
    }
    // SAFETY: `mutex` is writable storage (caller's contract); `attr` is initialised.
    let err = unsafe { libc::pthread_mutex_init(mutex, &attr) };
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_mutexattr_destroy(&mut attr) };
    from_errno(err)
}

/// `void uv_mutex_destroy(uv_mutex_t* handle)`.
///
/// # Safety
/// `mutex` was initialised and is not locked.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_destroy(mutex: *mut uv_mutex_t) {
    if mutex.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `mutex` is an initialised mutex (caller's contract).
    let err = unsafe { libc::pthread_mutex_destroy(mutex) };
    if err != 0 {
        fatal("pthread_mutex_destroy", err);
    }
}

/// `void uv_mutex_lock(uv_mutex_t* handle)`.
///
/// # Safety
/// `mutex` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_lock(mutex: *mut uv_mutex_t) {
    if mutex.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `mutex` is an initialised mutex (caller's contract).
    let err = unsafe { libc::pthread_mutex_lock(mutex) };
    if err != 0 {
        fatal("pthread_mutex_lock", err);
    }
}

/// `int uv_mutex_trylock(uv_mutex_t* handle)`: 0 when locked, `UV_EBUSY` when another
/// thread holds it.
///
/// # Safety
/// `mutex` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_trylock(mutex: *mut uv_mutex_t) -> c_int {
    if mutex.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `mutex` is an initialised mutex (caller's contract).
    match unsafe { libc::pthread_mutex_trylock(mutex) } {
        0 => 0,
        libc::EBUSY | libc::EAGAIN => UV_EBUSY,
        err => fatal("pthread_mutex_trylock", err),
    }
}

/// `void uv_mutex_unlock(uv_mutex_t* handle)`.
///
/// # Safety
/// `mutex` was initialised and is held by the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_unlock(mutex: *mut uv_mutex_t) {
    if mutex.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `mutex` is an initialised mutex (caller's contract).
    let err = unsafe { libc::pthread_mutex_unlock(mutex) };
    if err != 0 {
        fatal("pthread_mutex_unlock", err);
    }
}

// ---------------------------------------------------------------------------------------
// Read-write locks.

/// `int uv_rwlock_init(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` is NULL or writable storage for a `uv_rwlock_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_init(rwlock: *mut uv_rwlock_t) -> c_int {
    if rwlock.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `rwlock` is writable storage (caller's contract); default attributes.
    from_errno(unsafe { libc::pthread_rwlock_init(rwlock, ptr::null()) })
}

/// `void uv_rwlock_destroy(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` was initialised and is not held.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_destroy(rwlock: *mut uv_rwlock_t) {
    if rwlock.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    let err = unsafe { libc::pthread_rwlock_destroy(rwlock) };
    if err != 0 {
        fatal("pthread_rwlock_destroy", err);
    }
}

/// `void uv_rwlock_rdlock(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_rdlock(rwlock: *mut uv_rwlock_t) {
    if rwlock.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    let err = unsafe { libc::pthread_rwlock_rdlock(rwlock) };
    if err != 0 {
        fatal("pthread_rwlock_rdlock", err);
    }
}

/// `int uv_rwlock_tryrdlock(uv_rwlock_t* rwlock)`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_tryrdlock(rwlock: *mut uv_rwlock_t) -> c_int {
    if rwlock.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    match unsafe { libc::pthread_rwlock_tryrdlock(rwlock) } {
        0 => 0,
        libc::EBUSY | libc::EAGAIN => UV_EBUSY,
        err => fatal("pthread_rwlock_tryrdlock", err),
    }
}

/// `void uv_rwlock_rdunlock(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` was initialised and is read-held by the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_rdunlock(rwlock: *mut uv_rwlock_t) {
    if rwlock.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    let err = unsafe { libc::pthread_rwlock_unlock(rwlock) };
    if err != 0 {
        fatal("pthread_rwlock_unlock", err);
    }
}

/// `void uv_rwlock_wrlock(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_wrlock(rwlock: *mut uv_rwlock_t) {
    if rwlock.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    let err = unsafe { libc::pthread_rwlock_wrlock(rwlock) };
    if err != 0 {
        fatal("pthread_rwlock_wrlock", err);
    }
}

/// `int uv_rwlock_trywrlock(uv_rwlock_t* rwlock)`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_trywrlock(rwlock: *mut uv_rwlock_t) -> c_int {
    if rwlock.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    match unsafe { libc::pthread_rwlock_trywrlock(rwlock) } {
        0 => 0,
        libc::EBUSY | libc::EAGAIN => UV_EBUSY,
        err => fatal("pthread_rwlock_trywrlock", err),
    }
}

/// `void uv_rwlock_wrunlock(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` was initialised and is write-held by the calling thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_wrunlock(rwlock: *mut uv_rwlock_t) {
    if rwlock.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `rwlock` is an initialised lock (caller's contract).
    let err = unsafe { libc::pthread_rwlock_unlock(rwlock) };
    if err != 0 {
        fatal("pthread_rwlock_unlock", err);
    }
}

// ---------------------------------------------------------------------------------------
// Semaphores (POSIX unnamed semaphores: glibc 2.21 and later have no sem_post bug, so
// libuv's mutex-and-condvar fallback for older glibc is not needed).

/// `int uv_sem_init(uv_sem_t* sem, unsigned int value)`.
///
/// # Safety
/// `sem` is NULL or writable storage for a `uv_sem_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_init(sem: *mut uv_sem_t, value: c_uint) -> c_int {
    if sem.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `sem` is writable storage (caller's contract); process-private semaphore.
    if unsafe { libc::sem_init(sem, 0, value) } != 0 {
        return crate::abi::errno::last_error();
    }
    0
}

/// `void uv_sem_destroy(uv_sem_t* sem)`.
///
/// # Safety
/// `sem` was initialised and nobody waits on it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_destroy(sem: *mut uv_sem_t) {
    if sem.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `sem` is an initialised semaphore (caller's contract).
    if unsafe { libc::sem_destroy(sem) } != 0 {
        fatal("sem_destroy", -crate::abi::errno::last_error());
    }
}

/// `void uv_sem_post(uv_sem_t* sem)`.
///
/// # Safety
/// `sem` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_post(sem: *mut uv_sem_t) {
    if sem.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `sem` is an initialised semaphore (caller's contract).
    if unsafe { libc::sem_post(sem) } != 0 {
        fatal("sem_post", -crate::abi::errno::last_error());
    }
}

/// `void uv_sem_wait(uv_sem_t* sem)`: waits for a post, retrying when a signal interrupts.
///
/// # Safety
/// `sem` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_wait(sem: *mut uv_sem_t) {
    if sem.is_null() {
        return; // nothing to do (libuv would crash)
    }
    loop {
        // SAFETY: `sem` is an initialised semaphore (caller's contract).
        if unsafe { libc::sem_wait(sem) } == 0 {
            return;
        }
        let err = -crate::abi::errno::last_error();
        if err != libc::EINTR {
            fatal("sem_wait", err);
        }
    }
}

/// `int uv_sem_trywait(uv_sem_t* sem)`: 0 when a post was taken, `UV_EAGAIN` when none.
///
/// # Safety
/// `sem` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_trywait(sem: *mut uv_sem_t) -> c_int {
    if sem.is_null() {
        return UV_EINVAL;
    }
    loop {
        // SAFETY: `sem` is an initialised semaphore (caller's contract).
        if unsafe { libc::sem_trywait(sem) } == 0 {
            return 0;
        }
        match -crate::abi::errno::last_error() {
            libc::EINTR => continue,
            libc::EAGAIN => return UV_EAGAIN,
            err => fatal("sem_trywait", err),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Condition variables (on CLOCK_MONOTONIC, so timed waits ignore wall-clock changes).

/// `int uv_cond_init(uv_cond_t* cond)`.
///
/// # Safety
/// `cond` is NULL or writable storage for a `uv_cond_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_init(cond: *mut uv_cond_t) -> c_int {
    if cond.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a zeroed pthread_condattr_t is valid storage for pthread_condattr_init.
    let mut attr: libc::pthread_condattr_t = unsafe { core::mem::zeroed() };
    // SAFETY: `attr` is live, writable storage.
    let err = unsafe { libc::pthread_condattr_init(&mut attr) };
    if err != 0 {
        return from_errno(err);
    }
    // SAFETY: `attr` was initialised above.
    let mut err = unsafe { libc::pthread_condattr_setclock(&mut attr, libc::CLOCK_MONOTONIC) };
    if err == 0 {
        // SAFETY: `cond` is writable storage (caller's contract); `attr` is initialised.
        err = unsafe { libc::pthread_cond_init(cond, &attr) };
    }
    // SAFETY: `attr` was initialised above and is destroyed once.
    unsafe { libc::pthread_condattr_destroy(&mut attr) };
    from_errno(err)
}

/// `void uv_cond_destroy(uv_cond_t* cond)`.
///
/// # Safety
/// `cond` was initialised and nobody waits on it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_destroy(cond: *mut uv_cond_t) {
    if cond.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `cond` is an initialised condition variable (caller's contract).
    let err = unsafe { libc::pthread_cond_destroy(cond) };
    if err != 0 {
        fatal("pthread_cond_destroy", err);
    }
}

/// `void uv_cond_signal(uv_cond_t* cond)`: wakes one waiter.
///
/// # Safety
/// `cond` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_signal(cond: *mut uv_cond_t) {
    if cond.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `cond` is an initialised condition variable (caller's contract).
    let err = unsafe { libc::pthread_cond_signal(cond) };
    if err != 0 {
        fatal("pthread_cond_signal", err);
    }
}

/// `void uv_cond_broadcast(uv_cond_t* cond)`: wakes every waiter.
///
/// # Safety
/// `cond` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_broadcast(cond: *mut uv_cond_t) {
    if cond.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `cond` is an initialised condition variable (caller's contract).
    let err = unsafe { libc::pthread_cond_broadcast(cond) };
    if err != 0 {
        fatal("pthread_cond_broadcast", err);
    }
}

/// `void uv_cond_wait(uv_cond_t* cond, uv_mutex_t* mutex)`: releases `mutex`, waits for a
/// signal, takes `mutex` again. Spurious wake-ups are possible.
///
/// # Safety
/// Both were initialised; the calling thread holds `mutex`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_wait(cond: *mut uv_cond_t, mutex: *mut uv_mutex_t) {
    if cond.is_null() {
        return; // nothing to do (libuv would crash)
    }
    if mutex.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: both are initialised and `mutex` is held (caller's contract).
    let err = unsafe { libc::pthread_cond_wait(cond, mutex) };
    if err != 0 {
        fatal("pthread_cond_wait", err);
    }
}

/// `int uv_cond_timedwait(uv_cond_t* cond, uv_mutex_t* mutex, uint64_t timeout)`: as
/// [`uv_cond_wait`], giving up after `timeout` nanoseconds with `UV_ETIMEDOUT`.
///
/// # Safety
/// As [`uv_cond_wait`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_timedwait(
    cond: *mut uv_cond_t,
    mutex: *mut uv_mutex_t,
    timeout: u64,
) -> c_int {
    if cond.is_null() || mutex.is_null() {
        return UV_EINVAL;
    }
    const NANOSEC: u64 = 1_000_000_000;
    let deadline = crate::sys::hrtime_ns().saturating_add(timeout);
    let secs = (deadline / NANOSEC).min(libc::time_t::MAX as u64);
    let ts = libc::timespec {
        tv_sec: secs as libc::time_t,
        tv_nsec: (deadline % NANOSEC) as libc::c_long,
    };
    // SAFETY: both are initialised and `mutex` is held (caller's contract); `ts` is a
    // valid absolute time on the condition's clock (CLOCK_MONOTONIC, see uv_cond_init).
    match unsafe { libc::pthread_cond_timedwait(cond, mutex, &ts) } {
        0 => 0,
        libc::ETIMEDOUT => UV_ETIMEDOUT,
        err => fatal("pthread_cond_timedwait", err),
    }
}

// ---------------------------------------------------------------------------------------
// Barriers.

/// `int uv_barrier_init(uv_barrier_t* barrier, unsigned int count)`: a barrier for `count`
/// threads (`UV_EINVAL` for 0).
///
/// # Safety
/// `barrier` is NULL or writable storage for a `uv_barrier_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_barrier_init(barrier: *mut uv_barrier_t, count: c_uint) -> c_int {
    if barrier.is_null() || count == 0 {
        return UV_EINVAL;
    }
    // SAFETY: `barrier` is writable storage (caller's contract); default attributes.
    from_errno(unsafe { libc::pthread_barrier_init(barrier, ptr::null(), count) })
}

/// `void uv_barrier_destroy(uv_barrier_t* barrier)`.
///
/// # Safety
/// `barrier` was initialised and nobody waits on it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_barrier_destroy(barrier: *mut uv_barrier_t) {
    if barrier.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `barrier` is an initialised barrier (caller's contract).
    let err = unsafe { libc::pthread_barrier_destroy(barrier) };
    if err != 0 {
        fatal("pthread_barrier_destroy", err);
    }
}

/// `int uv_barrier_wait(uv_barrier_t* barrier)`: waits until `count` threads have arrived;
/// returns a positive value in exactly one of them and 0 in the others.
///
/// # Safety
/// `barrier` was initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_barrier_wait(barrier: *mut uv_barrier_t) -> c_int {
    if barrier.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `barrier` is an initialised barrier (caller's contract).
    match unsafe { libc::pthread_barrier_wait(barrier) } {
        0 => 0,
        libc::PTHREAD_BARRIER_SERIAL_THREAD => 1,
        err => fatal("pthread_barrier_wait", err),
    }
}

// ---------------------------------------------------------------------------------------
// Once and thread-local keys.

/// `void uv_once(uv_once_t* guard, void (*callback)(void))`: runs `callback` exactly once
/// per guard (initialised with `UV_ONCE_INIT`), however many threads call this; every
/// caller returns after it has run.
///
/// # Safety
/// `guard` is a `uv_once_t` initialised with `UV_ONCE_INIT`; `callback` is callable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_once(guard: *mut uv_once_t, callback: Option<unsafe extern "C" fn()>) {
    if guard.is_null() {
        return; // nothing to do (libuv would crash)
    }
    let Some(callback) = callback else {
        fatal("uv_once", libc::EINVAL);
    };
    // SAFETY: `unsafe extern "C" fn()` and `extern "C" fn()` have the same ABI and
    // representation; the caller promised `callback` may be called.
    let callback: extern "C" fn() = unsafe { core::mem::transmute(callback) };
    // SAFETY: `guard` is a valid once-control (caller's contract).
    let err = unsafe { libc::pthread_once(guard, callback) };
    if err != 0 {
        fatal("pthread_once", err);
    }
}

/// `int uv_key_create(uv_key_t* key)`: a thread-local slot, NULL in every thread.
///
/// # Safety
/// `key` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_create(key: *mut uv_key_t) -> c_int {
    if key.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `key` is writable (caller's contract); no destructor, as in libuv.
    from_errno(unsafe { libc::pthread_key_create(key, None) })
}

/// `void uv_key_delete(uv_key_t* key)`.
///
/// # Safety
/// `key` was created by [`uv_key_create`] and not yet deleted.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_delete(key: *mut uv_key_t) {
    if key.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `key` is readable (caller's contract).
    let err = unsafe { libc::pthread_key_delete(*key) };
    if err != 0 {
        fatal("pthread_key_delete", err);
    }
}

/// `void* uv_key_get(uv_key_t* key)`: the calling thread's value (NULL until set).
///
/// # Safety
/// `key` was created by [`uv_key_create`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_get(key: *mut uv_key_t) -> *mut c_void {
    if key.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `key` is readable (caller's contract); an invalid key yields NULL.
    unsafe { libc::pthread_getspecific(*key) }
}

/// `void uv_key_set(uv_key_t* key, void* value)`: sets the calling thread's value.
///
/// # Safety
/// `key` was created by [`uv_key_create`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_set(key: *mut uv_key_t, value: *mut c_void) {
    if key.is_null() {
        return; // nothing to do (libuv would crash)
    }
    // SAFETY: `key` is readable (caller's contract).
    let err = unsafe { libc::pthread_setspecific(*key, value) };
    if err != 0 {
        fatal("pthread_setspecific", err);
    }
}

// ---------------------------------------------------------------------------------------
// libuv 1.45-1.50: detach, names, affinity, CPU, priority ([`crate::thread`]).

/// `uv_thread_detach` (1.50): `UV_EINVAL` for NULL.
///
/// # Safety
/// `tid` is NULL or a readable thread id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_detach(tid: *mut uv_thread_t) -> c_int {
    // SAFETY: a non-NULL `tid` is readable (caller).
    unsafe { tid.as_ref() }.map_or(UV_EINVAL, |&t| crate::thread::detach(t))
}

/// `uv_thread_setname` (1.50): names the calling thread, cut to Linux's 15 bytes.
///
/// # Safety
/// `name` is NULL or a C string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setname(name: *const c_char) -> c_int {
    if name.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a non-NULL `name` is a C string (caller).
    crate::thread::set_name(unsafe { core::ffi::CStr::from_ptr(name) })
}

/// `uv_thread_getname` (1.50): the name of `tid`, with its NUL, cut to `size`.
///
/// # Safety
/// `tid` is NULL or a readable thread id; `name` NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getname(
    tid: *mut uv_thread_t,
    name: *mut c_char,
    size: usize,
) -> c_int {
    if tid.is_null() || name.is_null() || size == 0 {
        return UV_EINVAL;
    }
    // SAFETY: `name` is writable for `size` bytes and `tid` readable (caller).
    unsafe { crate::thread::name(*tid, core::slice::from_raw_parts_mut(name, size)) }
}

/// `uv_cpumask_size` (1.45): the bytes an affinity mask needs.
#[unsafe(no_mangle)]
pub extern "C" fn uv_cpumask_size() -> c_int {
    crate::thread::cpumask_size()
}

/// `uv_thread_setaffinity` (1.45): one byte per CPU in `cpumask`; `mask_size` at least
/// `uv_cpumask_size()`; the previous mask to `oldmask` when not NULL.
///
/// # Safety
/// `tid` is NULL or a readable thread id; the masks NULL or `mask_size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setaffinity(
    tid: *mut uv_thread_t,
    cpumask: *mut c_char,
    oldmask: *mut c_char,
    mask_size: usize,
) -> c_int {
    if tid.is_null() || cpumask.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: the masks hold `mask_size` bytes (caller); `oldmask` only when non-NULL.
    unsafe {
        let old = (!oldmask.is_null()).then(|| core::slice::from_raw_parts_mut(oldmask, mask_size));
        crate::thread::set_affinity(*tid, core::slice::from_raw_parts(cpumask, mask_size), old)
    }
}

/// `uv_thread_getaffinity` (1.45).
///
/// # Safety
/// `tid` is NULL or a readable thread id; `cpumask` NULL or `mask_size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getaffinity(
    tid: *mut uv_thread_t,
    cpumask: *mut c_char,
    mask_size: usize,
) -> c_int {
    if tid.is_null() || cpumask.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `cpumask` holds `mask_size` writable bytes (caller).
    unsafe { crate::thread::affinity(*tid, core::slice::from_raw_parts_mut(cpumask, mask_size)) }
}

/// `uv_thread_getcpu` (1.45): the CPU the calling thread runs on.
#[unsafe(no_mangle)]
pub extern "C" fn uv_thread_getcpu() -> c_int {
    crate::thread::cpu()
}

/// `uv_thread_getpriority` (1.48).
///
/// # Safety
/// `tid` is a live thread; `priority` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getpriority(tid: uv_thread_t, priority: *mut c_int) -> c_int {
    if priority.is_null() {
        return UV_EINVAL;
    }
    match crate::thread::priority(tid) {
        Ok(p) => {
            // SAFETY: non-NULL, writable (caller).
            unsafe { *priority = p };
            0
        }
        Err(e) => e,
    }
}

/// `uv_thread_setpriority` (1.48): one of `UV_THREAD_PRIORITY_*`.
///
/// # Safety
/// `tid` is a live thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setpriority(tid: uv_thread_t, priority: c_int) -> c_int {
    crate::thread::set_priority(tid, priority)
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
}
