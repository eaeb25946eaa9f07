//! Directories and the executable (misc.rst): `uv_cwd`, `uv_chdir`, `uv_exepath`,
//! `uv_os_homedir`, `uv_os_tmpdir`. String results follow the buffer protocol of [`super`].

use core::ffi::{c_char, c_int};

use super::copy_out;
use crate::abi::errno::{UV_ENOENT, last_error};

/// `uv_cwd`: the working directory, without a trailing slash (unless it is `/`).
///
/// # Safety
/// Buffer protocol (module docs).
pub(crate) unsafe fn cwd(buffer: *mut c_char, size: *mut usize) -> c_int {
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
/// `dir` is a NUL-terminated path.
pub(crate) unsafe fn chdir(dir: *const c_char) -> c_int {
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
pub(crate) unsafe fn exepath(buffer: *mut c_char, size: *mut usize) -> c_int {
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
pub(crate) unsafe fn homedir(buffer: *mut c_char, size: *mut usize) -> c_int {
    // SAFETY: buffer protocol (caller); the name is a C string literal.
    let r = unsafe { super::env::getenv(c"HOME".as_ptr(), buffer, size) };
    if r != UV_ENOENT {
        return r;
    }
    match super::passwd::getpwuid() {
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
pub(crate) unsafe fn tmpdir(buffer: *mut c_char, size: *mut usize) -> c_int {
    let dir = super::proc::tmpdir(super::env::getenv_bytes);
    // SAFETY: buffer protocol (caller).
    unsafe { copy_out(&dir, buffer, size) }
}
