//! Users and groups (misc.rst): the password entry of the effective user or of any uid
//! (`uv_os_get_passwd`, `uv_os_get_passwd2`, `uv_os_free_passwd`; also the home directory
//! fallback of `uv_os_homedir`) and the group entry of a gid (`uv_os_get_group`,
//! `uv_os_free_group`).
//!
//! As in libuv, each result is one block from the `uv_replace_allocator` allocator: a
//! password entry's block starts at `username` (then the home directory, then the shell);
//! a group's starts at `members` (the NULL-terminated pointer array, then the member
//! names, then the group name). The `uv_os_free_*` functions free that one pointer.

use core::ffi::{c_char, c_int};
use core::mem::MaybeUninit;
use core::ptr;

use super::cbytes;
use crate::abi::alloc;
use crate::abi::errno::{UV_ENOENT, UV_ENOMEM, from_errno};
use crate::abi::*;
use core::mem::size_of;

/// The fields of a password entry that libuv reports.
pub(crate) struct Passwd {
    pub(crate) name: Vec<u8>,
    pub(crate) dir: Vec<u8>,
    pub(crate) shell: Vec<u8>,
    pub(crate) uid: libc::uid_t,
    pub(crate) gid: libc::gid_t,
}

/// The password entry of the effective user.
pub(crate) fn getpwuid() -> Result<Passwd, c_int> {
    // SAFETY: geteuid cannot fail.
    getpwuid_of(unsafe { libc::geteuid() })
}

/// Runs a `get*_r` lookup with a scratch buffer that starts at 2000 bytes (libuv's size)
/// and doubles on `ERANGE`; retries on `EINTR`. `f(buf)` makes the call and, while `buf`
/// is alive, copies out what it found: `Err(errno)`, `Ok(None)` for no entry
/// (`UV_ENOENT`), or `Ok(Some(entry))`.
fn lookup<T>(mut f: impl FnMut(&mut [u8]) -> Result<Option<T>, c_int>) -> Result<T, c_int> {
    let mut buf: Vec<u8> = vec![0; 2000];
    loop {
        match f(&mut buf) {
            Err(libc::EINTR) => continue,
            Err(libc::ERANGE) if buf.len() < 1 << 26 => buf.resize(buf.len() * 2, 0),
            Err(e) => return Err(from_errno(e)),
            Ok(None) => return Err(UV_ENOENT),
            Ok(Some(v)) => return Ok(v),
        }
    }
}

/// The bytes of C string `p` inside a lookup's buffer (empty for NULL, which glibc never
/// leaves, but be safe about it).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string alive for the call.
unsafe fn field(p: *const c_char) -> Vec<u8> {
    if p.is_null() {
        Vec::new()
    } else {
        // SAFETY: as the caller promises.
        unsafe { cbytes(p) }.to_vec()
    }
}

/// The password entry of `uid` (`getpwuid_r`). `UV_ENOENT` when there is none.
pub(crate) fn getpwuid_of(uid: libc::uid_t) -> Result<Passwd, c_int> {
    lookup(|buf| {
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
        if r != 0 {
            return Err(r);
        }
        if result.is_null() {
            return Ok(None);
        }
        // SAFETY: getpwuid_r filled `pw`, whose strings point into `buf` (alive here).
        let pw = unsafe { pw.assume_init() };
        // SAFETY: as above.
        Ok(Some(unsafe {
            Passwd {
                name: field(pw.pw_name),
                dir: field(pw.pw_dir),
                shell: field(pw.pw_shell),
                uid: pw.pw_uid,
                gid: pw.pw_gid,
            }
        }))
    })
}

/// The fields of a group entry that libuv reports.
pub(crate) struct Group {
    pub(crate) name: Vec<u8>,
    pub(crate) gid: libc::gid_t,
    pub(crate) members: Vec<Vec<u8>>,
}

/// The group entry of `gid` (`getgrgid_r`). `UV_ENOENT` when there is none.
pub(crate) fn getgrgid(gid: libc::gid_t) -> Result<Group, c_int> {
    lookup(|buf| {
        let mut gr = MaybeUninit::<libc::group>::zeroed();
        let mut result: *mut libc::group = ptr::null_mut();
        // SAFETY: every pointer is to live, writable memory of the stated size.
        let r = unsafe {
            libc::getgrgid_r(
                gid,
                gr.as_mut_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if r != 0 {
            return Err(r);
        }
        if result.is_null() {
            return Ok(None);
        }
        // SAFETY: getgrgid_r filled `gr`; its strings and its NULL-terminated member array
        // point into `buf` (alive here).
        let gr = unsafe { gr.assume_init() };
        let mut members = Vec::new();
        let mut m = gr.gr_mem;
        // SAFETY: as above: walk the array up to its NULL.
        while !m.is_null() && !unsafe { *m }.is_null() {
            // SAFETY: as above.
            unsafe {
                members.push(field(*m));
                m = m.add(1);
            }
        }
        Ok(Some(Group {
            // SAFETY: as above.
            name: unsafe { field(gr.gr_name) },
            gid: gr.gr_gid,
            members,
        }))
    })
}

/// `uv_os_get_passwd` (`uid` None: the effective user) and `uv_os_get_passwd2`: the
/// user's name, uid, gid, shell and home directory. The strings share one allocation,
/// freed by `uv_os_free_passwd`.
///
/// # Safety
/// `pwd` is writable.
pub(crate) unsafe fn get_passwd(pwd: *mut uv_passwd_t, uid: Option<uv_uid_t>) -> c_int {
    let pw = match uid.map_or_else(getpwuid, getpwuid_of) {
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

/// `uv_os_get_group`: the name, gid and members of group `gid`, in one allocation (module
/// docs) that `uv_os_free_group` frees. `UV_ENOENT` when there is no such group.
///
/// # Safety
/// `grp` is writable.
pub(crate) unsafe fn get_group(grp: *mut uv_group_t, gid: uv_gid_t) -> c_int {
    let gr = match getgrgid(gid) {
        Ok(g) => g,
        Err(e) => return e,
    };
    let slots = gr.members.len() + 1;
    let strings: usize = gr.members.iter().map(|m| m.len() + 1).sum();
    let ptrs = slots * size_of::<*mut c_char>();
    let Some(total) = ptrs
        .checked_add(strings)
        .and_then(|n| n.checked_add(gr.name.len() + 1))
    else {
        return UV_ENOMEM;
    };
    let block = alloc::malloc(total).cast::<u8>();
    if block.is_null() {
        return UV_ENOMEM;
    }
    let array = block.cast::<*mut c_char>();
    // SAFETY: `block` holds `total` bytes, malloc-aligned for pointers: the pointer array
    // (`slots` entries), each member and its NUL, then the name and its NUL fit exactly;
    // `grp` is writable (caller).
    unsafe {
        let mut at = block.add(ptrs);
        for (i, m) in gr.members.iter().enumerate() {
            ptr::copy_nonoverlapping(m.as_ptr(), at, m.len());
            *at.add(m.len()) = 0;
            *array.add(i) = at.cast();
            at = at.add(m.len() + 1);
        }
        *array.add(gr.members.len()) = ptr::null_mut();
        ptr::copy_nonoverlapping(gr.name.as_ptr(), at, gr.name.len());
        *at.add(gr.name.len()) = 0;
        grp.write(uv_group_t {
            groupname: at.cast(),
            gid: gr.gid.into(),
            members: array,
        });
    }
    0
}

/// `uv_os_free_group`: frees what `uv_os_get_group` allocated and NULLs the pointers (so a
/// second call is harmless).
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
