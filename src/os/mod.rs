//! The operating system, as libuv's misc.rst and dll.rst present it: one submodule per
//! concept. None of it runs callbacks, so no loop phase applies; everything may be called
//! from any thread (it touches no loop state).
//!
//! - [`dirs`]: working directory, executable path, home and temporary directories.
//! - [`env`]: environment variables. [`passwd`]: the password and group entries.
//! - [`uname`]: host name and kernel. [`priority`]: scheduling priority.
//! - [`info`]: CPUs, load, uptime, resource usage, memory; [`proc`] parses `/proc` and `/sys`.
//! - [`interfaces`]: network interfaces. [`dl`]: shared libraries. [`fd`]: `uv_guess_handle`.
//! - [`title`]: `uv_setup_args` and the process title. [`random`]: `uv_random`.
//! - [`time`] holds the clocks of `uv_clock_gettime`.
//!
//! # Conventions, as libuv 1.44 on Linux
//! - String results use libuv's buffer protocol: NULL `buffer` or `size`, or `*size == 0`,
//!   is `UV_EINVAL` (checked by the C surface); a result of `len` bytes needs
//!   `*size > len`, else the call returns `UV_ENOBUFS` with `*size = len + 1` (room for the
//!   NUL) and writes nothing; on success the result is NUL-terminated and `*size = len`.
//!   `uv_exepath` is libuv's exception: it truncates to `*size - 1` bytes instead of failing.
//! - Memory that a `uv_free_*` function releases (`uv_cpu_info`, `uv_interface_addresses`,
//!   `uv_os_environ`, `uv_os_get_passwd`, `uv_os_get_group`) and `uv_lib_t.errmsg` come
//!   from the allocator of `uv_replace_allocator` (libc's `malloc` by default), like
//!   libuv's `uv__malloc`, and the matching `uv_free_*` / `uv_dlclose` gives it back there.
//!   Each `uv_passwd_t` holds one block that `username` points to, each `uv_group_t` one
//!   that `members` points to, as in libuv.
//!
//! Where rsuv differs from libuv 1.44 (on purpose, all in what libuv leaves undefined or
//! where libuv's documentation and code disagree): NULL output pointers get `UV_EINVAL` (or
//! -1 for the `uv_dl*` functions) instead of a crash; `uv_os_tmpdir` strips the trailing
//! slash before comparing with `*size`; `uv_cpu_info` reports "unknown" models instead
//! of failing when `/proc/cpuinfo` cannot be read. The memory figures follow libuv 1.53
//! (see [`proc`]): `uv_get_constrained_memory` is `UINT64_MAX` when a cgroup memory
//! controller sets no limit.

pub(crate) mod dirs;
pub(crate) mod dl;
pub(crate) mod env;
pub(crate) mod fd;
pub(crate) mod info;
pub(crate) mod interfaces;
pub(crate) mod passwd;
pub(crate) mod priority;
pub(crate) mod proc;
pub(crate) mod random;
pub(crate) mod time;
pub(crate) mod title;
pub(crate) mod uname;

use core::ffi::{CStr, c_char, c_int};
use core::mem::{MaybeUninit, size_of};
use core::ptr;

use crate::abi::alloc;
use crate::abi::errno::UV_ENOBUFS;

/// Hands `src` out by the buffer protocol (module docs): `UV_ENOBUFS` and the needed size
/// when it does not fit, else the bytes, a NUL and the length.
///
/// # Safety
/// `buffer` is writable for `*size` bytes; `size` is readable and writable.
pub(crate) unsafe fn copy_out(src: &[u8], buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is valid (caller).
    let cap = unsafe { *size };
    if src.len() >= cap {
        // SAFETY: as above.
        unsafe { *size = src.len() + 1 };
        return UV_ENOBUFS;
    }
    // SAFETY: `buffer` has room for `cap > src.len()` bytes (caller); `src` is a separate
    // Rust slice, so the ranges do not overlap.
    unsafe {
        ptr::copy_nonoverlapping(src.as_ptr(), buffer.cast::<u8>(), src.len());
        *buffer.add(src.len()) = 0;
        *size = src.len();
    }
    0
}

/// A NUL-terminated copy of `bytes` from the `uv_replace_allocator` allocator (NULL when
/// out of memory), which [`uv_free`] releases.
pub(crate) fn dup(bytes: &[u8]) -> *mut c_char {
    let p = alloc::malloc(bytes.len() + 1).cast::<u8>();
    if !p.is_null() {
        // SAFETY: `p` is a fresh allocation of `len + 1` bytes.
        unsafe {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
        }
    }
    p.cast()
}

/// A zeroed array of `n` (at least one, so that the pointer is never NULL on success) `T`s
/// from the [`uv_malloc`] allocator; NULL when out of memory. `T` must be valid all-zero.
pub(crate) fn alloc_zeroed<T>(n: usize) -> *mut T {
    let Some(bytes) = n.max(1).checked_mul(size_of::<T>()) else {
        return ptr::null_mut();
    };
    let p = alloc::malloc(bytes);
    if !p.is_null() {
        // SAFETY: a fresh allocation of `bytes` bytes.
        unsafe { ptr::write_bytes(p.cast::<u8>(), 0, bytes) };
    }
    p.cast()
}

/// The bytes of the C string `p` (not NULL).
///
/// # Safety
/// `p` is a NUL-terminated string that outlives the result.
pub(crate) unsafe fn cbytes<'a>(p: *const c_char) -> &'a [u8] {
    // SAFETY: as the caller promises.
    unsafe { CStr::from_ptr(p) }.to_bytes()
}

/// `sysinfo(2)`, if it works.
pub(crate) fn sysinfo() -> Option<libc::sysinfo> {
    let mut info = MaybeUninit::<libc::sysinfo>::zeroed();
    // SAFETY: `info` is writable `struct sysinfo` memory.
    if unsafe { libc::sysinfo(info.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: zero-initialized and filled by the kernel.
    Some(unsafe { info.assume_init() })
}

/// `sysconf(name)`, or `None` when unknown.
pub(crate) fn sysconf(name: c_int) -> Option<u64> {
    // SAFETY: sysconf only reads its argument.
    let v = unsafe { libc::sysconf(name) };
    u64::try_from(v).ok().filter(|&v| v > 0)
}
