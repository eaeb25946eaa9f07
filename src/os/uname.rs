//! The host and kernel: `uv_os_gethostname`, `uv_os_uname`.

use core::ffi::{c_char, c_int};
use core::mem::MaybeUninit;

use super::copy_out;
use crate::abi::errno::{UV_E2BIG, last_error};
use crate::abi::*;

/// `uv_os_gethostname`: the host name (buffer protocol).
///
/// # Safety
/// Buffer protocol (module docs).
pub(crate) unsafe fn gethostname(buffer: *mut c_char, size: *mut usize) -> c_int {
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
/// `buffer` is writable.
pub(crate) unsafe fn uname(buffer: *mut uv_utsname_t) -> c_int {
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
