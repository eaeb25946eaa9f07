//! Password and group entries (misc.rst: `uv_os_get_passwd`, `uv_os_get_passwd2`,
//! `uv_os_free_passwd`, `uv_os_get_group`, `uv_os_free_group`); also the home directory
//! fallback of `uv_os_homedir`.

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

/// The password entry of the effective user. `UV_ENOENT` when there is none.
pub(crate) fn getpwuid() -> Result<Passwd, c_int> {
    // SAFETY: geteuid cannot fail.
    getpwuid_of(unsafe { libc::geteuid() })
}

/// The password entry of `uid` (`getpwuid_r`, growing the buffer on `ERANGE`).
/// `UV_ENOENT` when there is none.
pub(crate) fn getpwuid_of(uid: libc::uid_t) -> Result<Passwd, c_int> {
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
    // SAFETY: geteuid cannot fail; `pwd` as the caller guarantees.
    unsafe { get_passwd_of(pwd, libc::geteuid()) }
}

/// `uv_os_get_passwd2` (libuv 1.45): as [`get_passwd`] for any `uid`.
///
/// # Safety
/// `pwd` is writable.
pub(crate) unsafe fn get_passwd_of(pwd: *mut uv_passwd_t, uid: libc::uid_t) -> c_int {
    let pw = match getpwuid_of(uid) {
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

/// `uv_os_get_group` (libuv 1.45): the group `gid`'s name and members. The name, the
/// NULL-terminated member array and the member names share one allocation (the array
/// first, so it is aligned), freed by `uv_os_free_group`. `UV_ENOENT` when there is none.
///
/// # Safety
/// `grp` is writable.
pub(crate) unsafe fn get_group(grp: *mut uv_group_t, gid: libc::gid_t) -> c_int {
    let mut buf: Vec<u8> = vec![0; 2000];
    let (name, members) = loop {
        let mut g = MaybeUninit::<libc::group>::zeroed();
        let mut result: *mut libc::group = ptr::null_mut();
        // SAFETY: every pointer is to live, writable memory of the stated size.
        let r = unsafe {
            libc::getgrgid_r(
                gid,
                g.as_mut_ptr(),
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
            e => return from_errno(e),
        }
        if result.is_null() {
            return UV_ENOENT;
        }
        // SAFETY: getgrgid_r filled `g`, whose strings and member array point into `buf`
        // (alive here); the member array is NULL-terminated.
        unsafe {
            let g = g.assume_init();
            let name = if g.gr_name.is_null() {
                Vec::new()
            } else {
                cbytes(g.gr_name).to_vec()
            };
            let mut members = Vec::new();
            let mut m = g.gr_mem;
            while !m.is_null() && !(*m).is_null() {
                members.push(cbytes(*m).to_vec());
                m = m.add(1);
            }
            break (name, members);
        }
    };
    let array = (members.len() + 1) * core::mem::size_of::<*mut c_char>();
    let strings: usize = members.iter().map(|m| m.len() + 1).sum::<usize>() + name.len() + 1;
    let block = alloc::malloc(array + strings).cast::<u8>();
    if block.is_null() {
        return UV_ENOMEM;
    }
    // SAFETY: `block` holds the pointer array (malloc aligns it for pointers) followed by
    // every string with its NUL: the offsets below stay inside it. `grp` is writable.
    unsafe {
        let ptrs = block.cast::<*mut c_char>();
        let mut at = array;
        let mut put = |bytes: &[u8]| {
            let p = block.add(at);
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
            at += bytes.len() + 1;
            p.cast::<c_char>()
        };
        for (i, m) in members.iter().enumerate() {
            *ptrs.add(i) = put(m);
        }
        *ptrs.add(members.len()) = ptr::null_mut();
        let groupname = put(&name);
        grp.write(uv_group_t {
            groupname,
            gid: gid.into(),
            members: ptrs,
        });
    }
    0
}

/// `uv_os_free_group`: frees what `uv_os_get_group` allocated and NULLs the pointers.
///
/// # Safety
/// `grp` is filled by `uv_os_get_group` (or already freed by this function).
pub(crate) unsafe fn free_group(grp: *mut uv_group_t) {
    // SAFETY: `members` is NULL or the block from `uv_os_get_group` (caller).
    unsafe {
        alloc::free((*grp).members.cast());
        (*grp).members = ptr::null_mut();
        (*grp).groupname = ptr::null_mut();
    }
}
