//! The allocator of `uv_replace_allocator`.
//!
//! libuv documents that the memory it hands to the caller (`uv_loop_new`, the strings of
//! `uv_fs_t`, `uv_os_*` results, ...) comes from its allocator, which a program may replace
//! once, before any other call. The four functions are kept here as one set; until they are
//! replaced, libc's are used. Any thread may allocate.

use core::ffi::c_void;
use core::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::base::{uv_calloc_func, uv_free_func, uv_malloc_func, uv_realloc_func};

type Malloc = unsafe extern "C" fn(usize) -> *mut c_void;
type Free = unsafe extern "C" fn(*mut c_void);

/// The replaced `malloc` and `free`, NULL while libc's are in force. Each slot holds a function
/// pointer of the type named by its accessor below, stored by [`replace`] only.
static MALLOC: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());
static FREE: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());

/// Installs a caller's allocator. All four functions are required, as in libuv; `false`
/// (nothing changed) when one is missing. rsuv itself only ever needs `malloc` and `free`.
pub(crate) fn replace(
    malloc: uv_malloc_func,
    realloc: uv_realloc_func,
    calloc: uv_calloc_func,
    free: uv_free_func,
) -> bool {
    let (Some(m), Some(_), Some(_), Some(f)) = (malloc, realloc, calloc, free) else {
        return false;
    };
    MALLOC.store(m as *mut c_void, Ordering::Release);
    FREE.store(f as *mut c_void, Ordering::Release);
    true
}

/// Reads one slot: the replaced function, or libc's.
macro_rules! slot {
    ($slot:ident, $ty:ty, $libc:path) => {{
        let p = $slot.load(Ordering::Acquire);
        if p.is_null() {
            $libc as $ty
        } else {
            // SAFETY: `replace` is the only writer of this slot, and it stores a non-NULL
            // function pointer of exactly this type.
            unsafe { core::mem::transmute::<*mut c_void, $ty>(p) }
        }
    }};
}

/// `size` bytes from the allocator (NULL when out of memory).
pub(crate) fn malloc(size: usize) -> *mut c_void {
    let f = slot!(MALLOC, Malloc, libc::malloc);
    // SAFETY: any size may be asked of a malloc; NULL is its answer to failure.
    unsafe { f(size) }
}

/// Frees `p`, which is NULL or came from this allocator.
///
/// # Safety
/// `p` is NULL or a live block from [`malloc`].
pub(crate) unsafe fn free(p: *mut c_void) {
    let f = slot!(FREE, Free, libc::free);
    // SAFETY: `p` is NULL or a live block of this allocator (the contract above).
    unsafe { f(p) }
}
