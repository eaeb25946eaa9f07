//! C entry points for system information and the process environment (docs: misc.rst and
//! dll.rst): the working directory, the executable's path, home and temporary directories,
//! the password entry, environment variables, host name, `uname`, scheduling priority,
//! CPUs, network interfaces, load, uptime, resource usage and memory figures; shared
//! libraries (`uv_dlopen` & co.); `uv_guess_handle` and `uv_disable_stdio_inheritance`.
//! Parsing of `/proc` and `/sys` lives in [`crate::os`]; the system calls and the memory
//! handed to C are here and in the submodules `info` (CPUs, interfaces, load, memory) and
//! `dl` (shared libraries).
//!
//! None of these runs callbacks, so no loop phase applies. All may be called from any
//! thread; as in libuv, the environment functions are as thread-safe as the C library's
//! `getenv`/`setenv` (not at all against each other), and `uv_dlerror`'s message belongs
//! to the `uv_lib_t`.
//!
//! # Conventions, as libuv 1.44 on Linux
//! - String results use libuv's buffer protocol: NULL `buffer` or `size`, or `*size == 0`,
//!   is `UV_EINVAL`; a result of `len` bytes needs `*size > len`, else the call returns
//!   `UV_ENOBUFS` with `*size = len + 1` (room for the NUL) and writes nothing; on success
//!   the result is NUL-terminated and `*size = len`. `uv_exepath` is libuv's exception: it
//!   truncates to `*size - 1` bytes instead of failing.
//! - Memory that a `uv_free_*` function releases (`uv_cpu_info`, `uv_interface_addresses`,
//!   `uv_os_environ`, `uv_os_get_passwd`) and `uv_lib_t.errmsg` come from the allocator of
//!   `uv_replace_allocator` (libc's `malloc` by default), like libuv's `uv__malloc`, and the
//!   matching `uv_free_*` / `uv_dlclose` gives it back there. Each `uv_passwd_t` holds one
//!   block that `username` points to, as in libuv.
//!
//! Where rsuv differs from libuv 1.44 (on purpose, all in what libuv leaves undefined or
//! where libuv's documentation and code disagree): NULL output pointers get `UV_EINVAL` (or
//! -1 for the `uv_dl*` functions) instead of a crash; `uv_os_tmpdir` strips the trailing
//! slash before comparing with `*size`; `uv_get_constrained_memory` answers 0 when the
//! cgroup has no limit (see [`crate::os`]); `uv_cpu_info` reports "unknown" models instead
//! of failing when `/proc/cpuinfo` cannot be read.

mod dl;
mod info;

use core::ffi::{CStr, c_char, c_int};
use core::mem::{MaybeUninit, size_of};
use core::ptr;

use crate::abi::alloc;
use crate::abi::errno::{
    UV_E2BIG, UV_EINVAL, UV_ENOBUFS, UV_ENOENT, UV_ENOMEM, from_errno, last_error,
};
use crate::abi::*;
use crate::os;

// `uv_handle_type` values that `uv_guess_handle` answers, as the C int it returns.
const UV_UNKNOWN_HANDLE: HandleTypeArg = uv_handle_type::UV_UNKNOWN_HANDLE as HandleTypeArg;
const UV_FILE: HandleTypeArg = uv_handle_type::UV_FILE as HandleTypeArg;
const UV_NAMED_PIPE: HandleTypeArg = uv_handle_type::UV_NAMED_PIPE as HandleTypeArg;
const UV_TCP: HandleTypeArg = uv_handle_type::UV_TCP as HandleTypeArg;
const UV_TTY: HandleTypeArg = uv_handle_type::UV_TTY as HandleTypeArg;
const UV_UDP: HandleTypeArg = uv_handle_type::UV_UDP as HandleTypeArg;

// ---------------------------------------------------------------------------------------
// Helpers.

/// Is this a usable (`buffer`, `size`) pair of the buffer protocol?
///
/// # Safety
/// `size` is NULL or readable.
unsafe fn buf_ok(buffer: *mut c_char, size: *const usize) -> bool {
    // SAFETY: non-NULL `size` is readable (caller).
    !buffer.is_null() && !size.is_null() && unsafe { *size } != 0
}

/// Hands `src` out by the buffer protocol (module docs): `UV_ENOBUFS` and the needed size
/// when it does not fit, else the bytes, a NUL and the length.
///
/// # Safety
/// `buffer` is writable for `*size` bytes; `size` is readable and writable.
unsafe fn copy_out(src: &[u8], buffer: *mut c_char, size: *mut usize) -> c_int {
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
fn dup(bytes: &[u8]) -> *mut c_char {
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
fn alloc_zeroed<T>(n: usize) -> *mut T {
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
unsafe fn cbytes<'a>(p: *const c_char) -> &'a [u8] {
    // SAFETY: as the caller promises.
    unsafe { CStr::from_ptr(p) }.to_bytes()
}

/// `sysinfo(2)`, if it works.
fn sysinfo() -> Option<libc::sysinfo> {
    let mut info = MaybeUninit::<libc::sysinfo>::zeroed();
    // SAFETY: `info` is writable `struct sysinfo` memory.
    if unsafe { libc::sysinfo(info.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: zero-initialized and filled by the kernel.
    Some(unsafe { info.assume_init() })
}

/// `sysconf(name)`, or `None` when unknown.
fn sysconf(name: c_int) -> Option<u64> {
    // SAFETY: sysconf only reads its argument.
    let v = unsafe { libc::sysconf(name) };
    u64::try_from(v).ok().filter(|&v| v > 0)
}

// ---------------------------------------------------------------------------------------
// Directories and the executable.

/// `uv_cwd`: the working directory, without a trailing slash (unless it is `/`).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_cwd(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { buf_ok(buffer, size) } {
        return UV_EINVAL;
    }
    let mut scratch = vec![0u8; libc::PATH_MAX as usize + 1];
    loop {
        // SAFETY: `scratch` is writable for its length.
        let p = unsafe { libc::getcwd(scratch.as_mut_ptr().cast(), scratch.len()) };
        if !p.is_null() {
            break;
        }
        let e = last_error();
        if e != -libc::ERANGE || scratch.len() >= 1 << 20 {
            return e;
        }
        scratch.resize(scratch.len() * 2, 0);
    }
    let mut len = scratch
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(scratch.len());
    if len > 1 && scratch[len - 1] == b'/' {
        len -= 1;
    }
    // SAFETY: buffer protocol (caller).
    unsafe { copy_out(&scratch[..len], buffer, size) }
}

/// `uv_chdir`: changes the working directory.
///
/// # Safety
/// `dir` is NULL or a NUL-terminated path.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_chdir(dir: *const c_char) -> c_int {
    if dir.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `dir` is a NUL-terminated path (caller).
    if unsafe { libc::chdir(dir) } != 0 {
        return last_error();
    }
    0
}

/// `uv_exepath`: the executable's path from `/proc/self/exe`, truncated to `*size - 1`
/// bytes when longer (libuv's behaviour: no `UV_ENOBUFS`).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_exepath(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { buf_ok(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: `size` is valid (checked and caller).
    let room = unsafe { *size } - 1;
    let mut n: isize = 0;
    if room > 0 {
        // SAFETY: `buffer` is writable for `room + 1` bytes (caller).
        n = unsafe { libc::readlink(c"/proc/self/exe".as_ptr(), buffer, room) };
        if n < 0 {
            return last_error();
        }
    }
    // SAFETY: `n <= room < *size`, inside the caller's buffer.
    unsafe {
        *buffer.add(n as usize) = 0;
        *size = n as usize;
    }
    0
}

/// `uv_os_homedir`: `HOME` when set, else the home directory of the password entry.
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_homedir(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: buffer protocol (caller); the name is a C string literal.
    let r = unsafe { uv_os_getenv(c"HOME".as_ptr(), buffer, size) };
    if r != UV_ENOENT {
        return r;
    }
    match getpwuid() {
        // SAFETY: buffer protocol (caller; `uv_os_getenv` checked the arguments).
        Ok(pw) => unsafe { copy_out(&pw.dir, buffer, size) },
        Err(e) => e,
    }
}

/// `uv_os_tmpdir`: `TMPDIR`, `TMP`, `TEMP` or `TEMPDIR`, else `/tmp`, without a trailing
/// slash.
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_tmpdir(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { buf_ok(buffer, size) } {
        return UV_EINVAL;
    }
    let dir = os::tmpdir(getenv_bytes);
    // SAFETY: buffer protocol (caller).
    unsafe { copy_out(&dir, buffer, size) }
}

// ---------------------------------------------------------------------------------------
// The password entry.

/// The fields of a password entry that libuv reports.
struct Passwd {
    name: Vec<u8>,
    dir: Vec<u8>,
    shell: Vec<u8>,
    uid: libc::uid_t,
    gid: libc::gid_t,
}

/// The password entry of the effective user (`getpwuid_r`, growing the buffer on `ERANGE`).
/// `UV_ENOENT` when there is none.
fn getpwuid() -> Result<Passwd, c_int> {
    // SAFETY: geteuid cannot fail.
    let uid = unsafe { libc::geteuid() };
    let mut buf: Vec<u8> = vec![0; 2000];
    loop {
        let mut pw = MaybeUninit::<libc::passwd>::zeroed();
        let mut result: *mut libc::passwd = ptr::null_mut();
        // SAFETY: every pointer is to live, writable memory of the stated size.
        let r = unsafe {
            libc::getpwuid_r(
                uid,
                pw.as_mut_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        match r {
            libc::EINTR => continue,
            libc::ERANGE if buf.len() < 1 << 26 => {
                buf.resize(buf.len() * 2, 0);
                continue;
            }
            0 => {}
            e => return Err(from_errno(e)),
        }
        if result.is_null() {
            return Err(UV_ENOENT);
        }
        // SAFETY: getpwuid_r filled `pw`, whose strings point into `buf` (alive here);
        // glibc never leaves them NULL, but be safe about it.
        let pw = unsafe { pw.assume_init() };
        let s = |p: *mut c_char| {
            if p.is_null() {
                Vec::new()
            } else {
                // SAFETY: a C string inside `buf`, which is alive here.
                unsafe { cbytes(p) }.to_vec()
            }
        };
        return Ok(Passwd {
            name: s(pw.pw_name),
            dir: s(pw.pw_dir),
            shell: s(pw.pw_shell),
            uid: pw.pw_uid,
            gid: pw.pw_gid,
        });
    }
}

/// `uv_os_get_passwd`: the effective user's name, uid, gid, shell and home directory. The
/// strings share one allocation, freed by `uv_os_free_passwd`.
///
/// # Safety
/// `pwd` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_get_passwd(pwd: *mut uv_passwd_t) -> c_int {
    if pwd.is_null() {
        return UV_EINVAL;
    }
    let pw = match getpwuid() {
        Ok(pw) => pw,
        Err(e) => return e,
    };
    let (n, d, s) = (pw.name.len() + 1, pw.dir.len() + 1, pw.shell.len() + 1);
    let block = alloc::malloc(n + d + s).cast::<u8>();
    if block.is_null() {
        return UV_ENOMEM;
    }
    // SAFETY: `block` holds `n + d + s` bytes: three NUL-terminated strings fit exactly;
    // `pwd` is writable (caller).
    unsafe {
        for (off, src) in [(0, &pw.name), (n, &pw.dir), (n + d, &pw.shell)] {
            ptr::copy_nonoverlapping(src.as_ptr(), block.add(off), src.len());
            *block.add(off + src.len()) = 0;
        }
        pwd.write(uv_passwd_t {
            username: block.cast(),
            uid: pw.uid.into(),
            gid: pw.gid.into(),
            shell: block.add(n + d).cast(),
            homedir: block.add(n).cast(),
        });
    }
    0
}

/// `uv_os_free_passwd`: frees what `uv_os_get_passwd` allocated and NULLs the pointers (so
/// a second call is harmless).
///
/// # Safety
/// `pwd` is NULL or filled by `uv_os_get_passwd` (or already freed by this function).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_free_passwd(pwd: *mut uv_passwd_t) {
    if pwd.is_null() {
        return;
    }
    // SAFETY: `username` is NULL or the block from `uv_os_get_passwd` (caller).
    unsafe {
        alloc::free((*pwd).username.cast());
        (*pwd).username = ptr::null_mut();
        (*pwd).shell = ptr::null_mut();
        (*pwd).homedir = ptr::null_mut();
    }
}

// ---------------------------------------------------------------------------------------
// Environment.

unsafe extern "C" {
    /// The C library's environment (`extern char** environ`).
    static mut environ: *const *const c_char;
}

/// `getenv(name)` as bytes (for [`os::tmpdir`]).
fn getenv_bytes(name: &str) -> Option<Vec<u8>> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: `name` is NUL-terminated; the result is NULL or a C string, copied at once.
    unsafe {
        let v = libc::getenv(name.as_ptr());
        (!v.is_null()).then(|| cbytes(v).to_vec())
    }
}

/// `uv_os_environ`: a copy of every `NAME=value` entry of the environment (entries without
/// `=` are skipped). Free it with `uv_os_free_environ(*envitems, *count)`.
///
/// # Safety
/// `envitems` and `count` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_environ(
    envitems: *mut *mut uv_env_item_t,
    count: *mut c_int,
) -> c_int {
    if envitems.is_null() || count.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: both are writable (caller).
    unsafe {
        *envitems = ptr::null_mut();
        *count = 0;
    }
    // SAFETY: `environ` is the C library's NULL-terminated array of C strings; read it
    // through a raw pointer (it changes under `setenv`).
    let env = unsafe { ptr::read_volatile(&raw const environ) };
    let mut total = 0usize;
    // SAFETY: as above: entries up to the NULL are readable.
    while !env.is_null() && !unsafe { *env.add(total) }.is_null() {
        total += 1;
    }
    let items = alloc_zeroed::<uv_env_item_t>(total);
    if items.is_null() {
        return UV_ENOMEM;
    }
    let mut n = 0usize;
    for i in 0..total {
        // SAFETY: `i < total`, a readable non-NULL entry.
        let entry = unsafe { cbytes(*env.add(i)) };
        let Some(eq) = entry.iter().position(|&b| b == b'=') else {
            continue;
        };
        let name = dup(entry);
        if name.is_null() {
            // SAFETY: `items` holds `n` filled entries from this call.
            unsafe { uv_os_free_environ(items, n as c_int) };
            return UV_ENOMEM;
        }
        // SAFETY: `name` is a copy of `entry` (`eq < len`); `n <= i < total` is in `items`.
        unsafe {
            *name.add(eq) = 0;
            items.add(n).write(uv_env_item_t {
                name,
                value: name.add(eq + 1),
            });
        }
        n += 1;
    }
    let Ok(c) = c_int::try_from(n) else {
        // SAFETY: `items` holds `n` filled entries.
        unsafe { uv_os_free_environ(items, n as c_int) };
        return UV_ENOMEM;
    };
    // SAFETY: both are writable (caller).
    unsafe {
        *envitems = items;
        *count = c;
    }
    0
}

/// `uv_os_free_environ`: frees what `uv_os_environ` returned.
///
/// # Safety
/// `envitems`/`count` are what `uv_os_environ` returned (or NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_free_environ(envitems: *mut uv_env_item_t, count: c_int) {
    if envitems.is_null() {
        return;
    }
    for i in 0..count.max(0) as usize {
        // SAFETY: entry `i < count` was filled by `uv_os_environ`; its name owns the copy.
        unsafe { alloc::free((*envitems.add(i)).name.cast()) };
    }
    // SAFETY: the array from `uv_os_environ`.
    unsafe { alloc::free(envitems.cast()) };
}

/// `uv_os_getenv`: the value of `name` (buffer protocol); `UV_ENOENT` when unset.
///
/// # Safety
/// `name` is NULL or NUL-terminated; buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getenv(
    name: *const c_char,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if name.is_null() || !unsafe { buf_ok(buffer, size) } {
        return UV_EINVAL;
    }
    // SAFETY: `name` is NUL-terminated (caller).
    let v = unsafe { libc::getenv(name) };
    if v.is_null() {
        return UV_ENOENT;
    }
    // SAFETY: getenv's result is a C string; buffer protocol (caller).
    unsafe { copy_out(cbytes(v), buffer, size) }
}

/// `uv_os_setenv`: sets `name` to `value`, replacing any value.
///
/// # Safety
/// `name` and `value` are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_setenv(name: *const c_char, value: *const c_char) -> c_int {
    if name.is_null() || value.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: both are NUL-terminated (caller).
    if unsafe { libc::setenv(name, value, 1) } != 0 {
        return last_error();
    }
    0
}

/// `uv_os_unsetenv`: removes `name` (0 when it was not set).
///
/// # Safety
/// `name` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_unsetenv(name: *const c_char) -> c_int {
    if name.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `name` is NUL-terminated (caller).
    if unsafe { libc::unsetenv(name) } != 0 {
        return last_error();
    }
    0
}

// ---------------------------------------------------------------------------------------
// Host, kernel, priority.

/// `uv_os_gethostname`: the host name (buffer protocol).
///
/// # Safety
/// Buffer protocol (module docs).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_gethostname(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: `size` is NULL or valid (caller).
    if !unsafe { buf_ok(buffer, size) } {
        return UV_EINVAL;
    }
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its length.
    if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } != 0 {
        return last_error();
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len() - 1);
    // SAFETY: buffer protocol (caller).
    unsafe { copy_out(&buf[..len], buffer, size) }
}

/// `uv_os_uname`: `uname(2)`'s sysname, release, version and machine.
///
/// # Safety
/// `buffer` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_uname(buffer: *mut uv_utsname_t) -> c_int {
    if buffer.is_null() {
        return UV_EINVAL;
    }
    let mut u = MaybeUninit::<libc::utsname>::zeroed();
    // SAFETY: `u` is writable `struct utsname` memory.
    let r = if unsafe { libc::uname(u.as_mut_ptr()) } == 0 {
        // SAFETY: zeroed, then filled by the kernel.
        let u = unsafe { u.assume_init() };
        // SAFETY: `buffer` is writable (caller).
        let b = unsafe { &mut *buffer };
        strscpy(&mut b.sysname, &u.sysname)
            .and_then(|_| strscpy(&mut b.release, &u.release))
            .and_then(|_| strscpy(&mut b.version, &u.version))
            .and_then(|_| strscpy(&mut b.machine, &u.machine))
    } else {
        Err(last_error())
    };
    match r {
        Ok(()) => 0,
        Err(e) => {
            // SAFETY: `buffer` is writable (caller).
            let b = unsafe { &mut *buffer };
            b.sysname[0] = 0;
            b.release[0] = 0;
            b.version[0] = 0;
            b.machine[0] = 0;
            e
        }
    }
}

/// Copies the C string in `src` into `dst` with a NUL; `UV_E2BIG` when it does not fit.
fn strscpy(dst: &mut [c_char], src: &[c_char]) -> Result<(), c_int> {
    let len = src.iter().position(|&c| c == 0).unwrap_or(src.len());
    if len >= dst.len() {
        return Err(UV_E2BIG);
    }
    dst[..len].copy_from_slice(&src[..len]);
    dst[len] = 0;
    Ok(())
}

/// `uv_os_getpriority`: the nice value of process `pid` (0: this process).
///
/// # Safety
/// `priority` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getpriority(pid: uv_pid_t, priority: *mut c_int) -> c_int {
    if priority.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: errno is this thread's; -1 is a valid priority, so errno tells failure.
    let r = unsafe {
        *libc::__errno_location() = 0;
        libc::getpriority(libc::PRIO_PROCESS, pid as libc::id_t)
    };
    // SAFETY: this thread's errno.
    if r == -1 && unsafe { *libc::__errno_location() } != 0 {
        return last_error();
    }
    // SAFETY: writable (caller).
    unsafe { *priority = r };
    0
}

/// `uv_os_setpriority`: sets the nice value of process `pid` (0: this process);
/// `UV_EINVAL` outside `UV_PRIORITY_HIGHEST..=UV_PRIORITY_LOW`.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_setpriority(pid: uv_pid_t, priority: c_int) -> c_int {
    if !(UV_PRIORITY_HIGHEST..=UV_PRIORITY_LOW).contains(&priority) {
        return UV_EINVAL;
    }
    // SAFETY: plain system call.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, pid as libc::id_t, priority) } != 0 {
        return last_error();
    }
    0
}

// ---------------------------------------------------------------------------------------
// Descriptors.

/// `uv_guess_handle`: what kind of handle suits descriptor `file`: `UV_TTY` for a
/// terminal, `UV_FILE` for a regular file or other character device, `UV_NAMED_PIPE` for
/// a FIFO or Unix-domain stream socket, `UV_TCP`/`UV_UDP` for IPv4/IPv6 stream/datagram
/// sockets, `UV_UNKNOWN_HANDLE` otherwise (also for a closed or negative descriptor).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_guess_handle(file: uv_file) -> HandleTypeArg {
    if file < 0 {
        return UV_UNKNOWN_HANDLE;
    }
    // SAFETY: plain system calls on a descriptor number, into local memory.
    unsafe {
        if libc::isatty(file) != 0 {
            return UV_TTY;
        }
        let mut st = MaybeUninit::<libc::stat>::zeroed();
        if libc::fstat(file, st.as_mut_ptr()) != 0 {
            return UV_UNKNOWN_HANDLE;
        }
        let mode = st.assume_init().st_mode & libc::S_IFMT;
        match mode {
            libc::S_IFREG | libc::S_IFCHR => return UV_FILE,
            libc::S_IFIFO => return UV_NAMED_PIPE,
            libc::S_IFSOCK => {}
            _ => return UV_UNKNOWN_HANDLE,
        }
        let mut ss = MaybeUninit::<libc::sockaddr_storage>::zeroed();
        let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        if libc::getsockname(file, ss.as_mut_ptr().cast(), &mut len) != 0 {
            return UV_UNKNOWN_HANDLE;
        }
        let family = c_int::from(ss.assume_init().ss_family);
        let mut ty: c_int = 0;
        let mut tlen = size_of::<c_int>() as libc::socklen_t;
        if libc::getsockopt(
            file,
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut tlen,
        ) != 0
        {
            return UV_UNKNOWN_HANDLE;
        }
        let inet = family == libc::AF_INET || family == libc::AF_INET6;
        match ty {
            libc::SOCK_DGRAM if inet => UV_UDP,
            libc::SOCK_STREAM if inet => UV_TCP,
            libc::SOCK_STREAM if family == libc::AF_UNIX => UV_NAMED_PIPE,
            _ => UV_UNKNOWN_HANDLE,
        }
    }
}

/// `uv_disable_stdio_inheritance`: marks descriptors close-on-exec so that children do not
/// inherit them: the first 16 unconditionally, then onwards until the first one that fails
/// (libuv's rule).
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_disable_stdio_inheritance() {
    let mut fd: c_int = 0;
    loop {
        // SAFETY: FIOCLEX only sets a descriptor flag; a closed descriptor fails with EBADF.
        let r = unsafe { libc::ioctl(fd, libc::FIOCLEX) };
        if r != 0 && fd > 15 {
            break;
        }
        fd += 1;
    }
}

// ---------------------------------------------------------------------------------------
// One-liners on Unix.

/// The number of CPUs this process may use; at least 1.
#[unsafe(no_mangle)]
pub extern "C" fn uv_available_parallelism() -> core::ffi::c_uint {
    std::thread::available_parallelism().map_or(1, |n| {
        core::ffi::c_uint::try_from(n.get()).unwrap_or(core::ffi::c_uint::MAX)
    })
}

/// On Unix the OS handle of a descriptor is the descriptor itself, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_get_osfhandle(fd: c_int) -> uv_os_fd_t {
    fd
}

/// On Unix the descriptor of an OS handle is the handle itself, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_open_osfhandle(os_fd: uv_os_fd_t) -> c_int {
    os_fd
}
