//! The C surface of libuv's thread primitives (docs: threading.rst): threads, mutexes,
//! read-write locks, semaphores, condition variables, barriers, once-guards and
//! thread-local keys. Each entry point checks its pointers and calls [`crate::thread`],
//! which holds the logic and its conventions.
//!
//! A NULL object pointer, which libuv would dereference, is `UV_EINVAL` where the function
//! returns a code, and does nothing where it returns nothing (a pthreads failure that only
//! a broken program can cause still aborts, as in libuv).

use core::ffi::{CStr, c_char, c_int, c_uint, c_void};

use crate::abi::errno::UV_EINVAL;
use crate::abi::{UV_THREAD_HAS_STACK_SIZE, uv_thread_options_t};
use crate::abi::{
    uv_barrier_t, uv_cond_t, uv_key_t, uv_mutex_t, uv_once_t, uv_rwlock_t, uv_sem_t, uv_thread_cb,
    uv_thread_t,
};
use crate::thread;

/// Returns `UV_EINVAL` from the entry point when any of the pointers is NULL.
macro_rules! nonnull {
    ($($p:expr),+) => {
        if $($p.is_null())||+ {
            return UV_EINVAL;
        }
    };
}

// ---------------------------------------------------------------------------------------
// Threads.

/// `int uv_thread_create(uv_thread_t* tid, uv_thread_cb entry, void* arg)`: starts a
/// thread running `entry(arg)` with the default stack size.
///
/// # Safety
/// `tid` is NULL or valid for writes; `entry` may be called with `arg` on another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_create(
    tid: *mut uv_thread_t,
    entry: uv_thread_cb,
    arg: *mut c_void,
) -> c_int {
    let Some(entry) = entry else {
        return UV_EINVAL;
    };
    nonnull!(tid);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::create(tid, 0, entry, arg) }
}

/// `int uv_thread_create_ex(uv_thread_t* tid, const uv_thread_options_t* params,
/// uv_thread_cb entry, void* arg)`: as `uv_thread_create`, with a stack size when
/// `params->flags` has `UV_THREAD_HAS_STACK_SIZE` (rounded up to the page size, at least
/// the platform minimum; 0 means the default). A NULL `params` means no options.
///
/// # Safety
/// `tid` is NULL or valid for writes; `params` is NULL or points to a
/// `uv_thread_options_t`; `entry` may be called with `arg` on another thread.
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
    nonnull!(tid);
    // SAFETY: the caller passes NULL or a readable uv_thread_options_t.
    let stack_size = match unsafe { params.as_ref() } {
        Some(p) if p.flags & UV_THREAD_HAS_STACK_SIZE != 0 => p.stack_size,
        _ => 0,
    };
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::create(tid, stack_size, entry, arg) }
}

/// `uv_thread_t uv_thread_self(void)`: the calling thread's id.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_self() -> uv_thread_t {
    thread::current()
}

/// `int uv_thread_join(uv_thread_t* tid)`: waits for the thread to end.
///
/// # Safety
/// `tid` is NULL or points to the id of a joinable thread that nobody else joins.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_join(tid: *mut uv_thread_t) -> c_int {
    nonnull!(tid);
    // SAFETY: `tid` is readable (checked, caller); the rest is the caller's contract.
    unsafe { thread::join(*tid) }
}

/// `int uv_thread_detach(uv_thread_t* tid)` (libuv 1.50+): the thread releases its
/// resources itself when it ends; it must not be joined afterwards.
///
/// # Safety
/// `tid` is NULL or points to the id of a joinable thread that nobody joins or detaches.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_detach(tid: *mut uv_thread_t) -> c_int {
    nonnull!(tid);
    // SAFETY: `tid` is readable (checked, caller); the rest is the caller's contract.
    unsafe { thread::detach(*tid) }
}

/// `int uv_thread_equal(const uv_thread_t* t1, const uv_thread_t* t2)`: non-zero when the
/// two ids name the same thread (two NULLs are equal, NULL and an id are not).
///
/// # Safety
/// Both pointers are NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_equal(t1: *const uv_thread_t, t2: *const uv_thread_t) -> c_int {
    if t1.is_null() || t2.is_null() {
        return 0; // no thread to compare
    }
    // SAFETY: both are readable (checked, caller).
    c_int::from(thread::equal(unsafe { *t1 }, unsafe { *t2 }))
}

/// `int uv_cpumask_size(void)` (libuv 1.45+): the bytes an affinity mask needs
/// (`CPU_SETSIZE`, 1024).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cpumask_size() -> c_int {
    thread::CPUMASK_SIZE as c_int
}

/// `int uv_thread_setaffinity(uv_thread_t* tid, char* cpumask, char* oldmask,
/// size_t mask_size)` (libuv 1.45+): lets the thread run on the CPUs whose bytes in
/// `cpumask` are non-zero, first storing the old mask in `oldmask` unless it is NULL.
/// `UV_EINVAL` when `mask_size < uv_cpumask_size()`.
///
/// # Safety
/// `tid` is NULL or names a live thread; `cpumask` is NULL or readable for `mask_size`
/// bytes; `oldmask` is NULL or writable for `mask_size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setaffinity(
    tid: *mut uv_thread_t,
    cpumask: *mut c_char,
    oldmask: *mut c_char,
    mask_size: usize,
) -> c_int {
    nonnull!(tid, cpumask);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::setaffinity(*tid, cpumask, oldmask, mask_size) }
}

/// `int uv_thread_getaffinity(uv_thread_t* tid, char* cpumask, size_t mask_size)` (libuv
/// 1.45+): 1 in each byte of `cpumask` for a CPU the thread may run on, else 0.
/// `UV_EINVAL` when `mask_size < uv_cpumask_size()`.
///
/// # Safety
/// `tid` is NULL or names a live thread; `cpumask` is NULL or writable for `mask_size`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getaffinity(
    tid: *mut uv_thread_t,
    cpumask: *mut c_char,
    mask_size: usize,
) -> c_int {
    nonnull!(tid, cpumask);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::getaffinity(*tid, cpumask, mask_size) }
}

/// `int uv_thread_getcpu(void)` (libuv 1.45+): the CPU the calling thread runs on.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getcpu() -> c_int {
    thread::getcpu()
}

/// `int uv_thread_setname(const char* name)` (libuv 1.50+): names the calling thread,
/// truncated to Linux's 15 bytes.
///
/// # Safety
/// `name` is NULL or a readable NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setname(name: *const c_char) -> c_int {
    nonnull!(name);
    // SAFETY: a readable C string (checked, caller).
    thread::setname(unsafe { CStr::from_ptr(name) })
}

/// `int uv_thread_getname(uv_thread_t* tid, char* name, size_t size)` (libuv 1.50+): the
/// thread's name and a NUL, truncated to fit `size` bytes. `UV_EINVAL` for a NULL
/// pointer or `size == 0`.
///
/// # Safety
/// `tid` is NULL or names a live thread; `name` is NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getname(
    tid: *mut uv_thread_t,
    name: *mut c_char,
    size: usize,
) -> c_int {
    nonnull!(tid, name);
    if size == 0 {
        return UV_EINVAL;
    }
    // SAFETY: `name` is writable for `size > 0` bytes and `tid` readable (checked,
    // caller); the rest is the caller's contract.
    unsafe { thread::getname(*tid, core::slice::from_raw_parts_mut(name, size)) }
}

/// `int uv_thread_getpriority(uv_thread_t tid, int* priority)` (libuv 1.48+): the calling
/// thread's nice value under `SCHED_OTHER`, else the thread's `sched_priority`.
///
/// # Safety
/// `tid` names a live thread; `priority` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_getpriority(tid: uv_thread_t, priority: *mut c_int) -> c_int {
    nonnull!(priority);
    // SAFETY: the caller's contract.
    match unsafe { thread::getpriority(tid) } {
        Ok(p) => {
            // SAFETY: writable (checked, caller).
            unsafe { *priority = p };
            0
        }
        Err(e) => e,
    }
}

/// `int uv_thread_setpriority(uv_thread_t tid, int priority)` (libuv 1.48+): one of
/// `UV_THREAD_PRIORITY_LOWEST..=UV_THREAD_PRIORITY_HIGHEST` (else `UV_EINVAL`), mapped as
/// [`crate::thread`] describes.
///
/// # Safety
/// `tid` names a live thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_thread_setpriority(tid: uv_thread_t, priority: c_int) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { thread::setpriority(tid, priority) }
}

// ---------------------------------------------------------------------------------------
// Mutexes.

/// `int uv_mutex_init(uv_mutex_t* handle)`: a normal (non-recursive) mutex.
///
/// # Safety
/// `mutex` is NULL or writable storage for a `uv_mutex_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_init(mutex: *mut uv_mutex_t) -> c_int {
    nonnull!(mutex);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_init(mutex) }
}

/// `int uv_mutex_init_recursive(uv_mutex_t* handle)`: a mutex its owner may lock again.
///
/// # Safety
/// As [`uv_mutex_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_init_recursive(mutex: *mut uv_mutex_t) -> c_int {
    nonnull!(mutex);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_init_recursive(mutex) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_destroy(mutex) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_lock(mutex) }
}

/// `int uv_mutex_trylock(uv_mutex_t* handle)`: 0 when locked, `UV_EBUSY` when another
/// thread holds it.
///
/// # Safety
/// `mutex` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_mutex_trylock(mutex: *mut uv_mutex_t) -> c_int {
    nonnull!(mutex);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_trylock(mutex) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::mutex_unlock(mutex) }
}

// ---------------------------------------------------------------------------------------
// Read-write locks.

/// `int uv_rwlock_init(uv_rwlock_t* rwlock)`.
///
/// # Safety
/// `rwlock` is NULL or writable storage for a `uv_rwlock_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_init(rwlock: *mut uv_rwlock_t) -> c_int {
    nonnull!(rwlock);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_init(rwlock) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_destroy(rwlock) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_rdlock(rwlock) }
}

/// `int uv_rwlock_tryrdlock(uv_rwlock_t* rwlock)`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_tryrdlock(rwlock: *mut uv_rwlock_t) -> c_int {
    nonnull!(rwlock);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_tryrdlock(rwlock) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_unlock(rwlock) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_wrlock(rwlock) }
}

/// `int uv_rwlock_trywrlock(uv_rwlock_t* rwlock)`: 0 or `UV_EBUSY`.
///
/// # Safety
/// `rwlock` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_rwlock_trywrlock(rwlock: *mut uv_rwlock_t) -> c_int {
    nonnull!(rwlock);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_trywrlock(rwlock) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::rwlock_unlock(rwlock) }
}

// ---------------------------------------------------------------------------------------
// Semaphores.

/// `int uv_sem_init(uv_sem_t* sem, unsigned int value)`.
///
/// # Safety
/// `sem` is NULL or writable storage for a `uv_sem_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_init(sem: *mut uv_sem_t, value: c_uint) -> c_int {
    nonnull!(sem);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::sem_init(sem, value) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::sem_destroy(sem) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::sem_post(sem) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::sem_wait(sem) }
}

/// `int uv_sem_trywait(uv_sem_t* sem)`: 0 when a post was taken, `UV_EAGAIN` when none.
///
/// # Safety
/// `sem` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sem_trywait(sem: *mut uv_sem_t) -> c_int {
    nonnull!(sem);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::sem_trywait(sem) }
}

// ---------------------------------------------------------------------------------------
// Condition variables.

/// `int uv_cond_init(uv_cond_t* cond)`: on `CLOCK_MONOTONIC`, so timed waits ignore
/// wall-clock changes.
///
/// # Safety
/// `cond` is NULL or writable storage for a `uv_cond_t` not currently initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_init(cond: *mut uv_cond_t) -> c_int {
    nonnull!(cond);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_init(cond) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_destroy(cond) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_signal(cond) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_broadcast(cond) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_wait(cond, mutex) }
}

/// `int uv_cond_timedwait(uv_cond_t* cond, uv_mutex_t* mutex, uint64_t timeout)`: as
/// [`uv_cond_wait`], giving up after `timeout` nanoseconds with `UV_ETIMEDOUT`.
///
/// # Safety
/// Both are NULL or initialised; the calling thread holds `mutex`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cond_timedwait(
    cond: *mut uv_cond_t,
    mutex: *mut uv_mutex_t,
    timeout: u64,
) -> c_int {
    nonnull!(cond, mutex);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::cond_timedwait(cond, mutex, timeout) }
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
    nonnull!(barrier);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::barrier_init(barrier, count) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::barrier_destroy(barrier) }
}

/// `int uv_barrier_wait(uv_barrier_t* barrier)`: waits until `count` threads have arrived;
/// returns a positive value in exactly one of them and 0 in the others.
///
/// # Safety
/// `barrier` is NULL or initialised.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_barrier_wait(barrier: *mut uv_barrier_t) -> c_int {
    nonnull!(barrier);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::barrier_wait(barrier) }
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
        thread::fatal("uv_once", libc::EINVAL);
    };
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::once(guard, callback) }
}

/// `int uv_key_create(uv_key_t* key)`: a thread-local slot, NULL in every thread.
///
/// # Safety
/// `key` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_create(key: *mut uv_key_t) -> c_int {
    nonnull!(key);
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::key_create(key) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::key_delete(key) }
}

/// `void* uv_key_get(uv_key_t* key)`: the calling thread's value (NULL until set, and for
/// a NULL `key`).
///
/// # Safety
/// `key` is NULL or was created by [`uv_key_create`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_key_get(key: *mut uv_key_t) -> *mut c_void {
    if key.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::key_get(key) }
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
    // SAFETY: checked above; the rest is the caller's contract.
    unsafe { thread::key_set(key, value) }
}
