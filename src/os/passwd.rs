//! The password entry of the effective user (misc.rst: `uv_os_get_passwd`,
//! `uv_os_free_passwd`); also the home directory fallback of `uv_os_homedir`.

use core::ffi::{c_char, c_int};
use core::mem::MaybeUninit;
use core::ptr;

use super::cbytes;
use crate::abi::alloc;
use crate::abi::errno::{UV_ENOENT, UV_ENOMEM, from_errno};
use crate::abi::*;

/// The fields of a password entry that libuv reports.
pub(crate) struct Passwd {
    pub(crate) name: Vec<u8>,
    pub(crate) dir: Vec<u8>,
    pub(crate) shell: Vec<u8>,
    pub(crate) uid: libc::uid_t,
    pub(crate) gid: libc::gid_t,
}

/// The password entry of the effective user (`getpwuid_r`, growing the buffer on `ERANGE`).
/// `UV_ENOENT` when there is none.
pub(crate) fn getpwuid() -> Result<Passwd, c_int> {
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
/// `pwd` is writable.
pub(crate) unsafe fn get_passwd(pwd: *mut uv_passwd_t) -> c_int {
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
/// `pwd` is filled by `uv_os_get_passwd` (or already freed by this function).
pub(crate) unsafe fn free_passwd(pwd: *mut uv_passwd_t) {
    // SAFETY: `username` is NULL or the block from `uv_os_get_passwd` (caller).
    unsafe {
        alloc::free((*pwd).username.cast());
        (*pwd).username = ptr::null_mut();
        (*pwd).shell = ptr::null_mut();
        (*pwd).homedir = ptr::null_mut();
    }
}
