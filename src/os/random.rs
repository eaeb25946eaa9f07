//! Random bytes (misc.rst: `uv_random`): from `getrandom(2)`, or `/dev/urandom` where the
//! system call is missing; synchronously ([`fill`]) or on the thread pool ([`submit`],
//! callback on the loop thread from the poll phase).

use crate::abi::errno::{UV_EIO, UV_ENOSYS};
use crate::abi::*;
use crate::pool::{self, WorkKind};
use core::ffi::{c_int, c_void};
use core::mem::offset_of;

/// Fills `buf` from the kernel's random source: `getrandom(2)` in reads of at most 256
/// bytes (which the kernel does not interrupt), `/dev/urandom` if the system call is
/// missing.
pub(crate) fn fill(buf: &mut [u8]) -> c_int {
    match getrandom(buf) {
        UV_ENOSYS => dev_urandom(buf),
        rc => rc,
    }
}

fn getrandom(buf: &mut [u8]) -> c_int {
    let mut pos = 0;
    while pos < buf.len() {
        let chunk = (buf.len() - pos).min(256);
        // SAFETY: `buf[pos..pos + chunk]` is writable.
        let n = unsafe { libc::getrandom(buf.as_mut_ptr().add(pos).cast(), chunk, 0) };
        if n < 0 {
            let err = crate::abi::errno::last_error();
            if err == -libc::EINTR {
                continue;
            }
            return err;
        }
        if n == 0 {
            return UV_EIO;
        }
        pos += n as usize;
    }
    0
}

fn dev_urandom(buf: &mut [u8]) -> c_int {
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;
    let mut f = match std::fs::File::open("/dev/urandom") {
        Ok(f) => f,
        Err(e) => return crate::abi::errno::from_io(&e),
    };
    // Only a character device is a random source (libuv checks the same).
    match f.metadata() {
        Ok(m) if m.file_type().is_char_device() => {}
        Ok(_) => return UV_EIO,
        Err(e) => return crate::abi::errno::from_io(&e),
    }
    // read_exact retries EINTR and short reads; end of file is an I/O error.
    match f.read_exact(buf) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => UV_EIO,
        Err(e) => crate::abi::errno::from_io(&e),
    }
}

/// The `uv_random_t` around its `work_req`.
///
/// # Safety
/// `w` is the `work_req` of a `uv_random_t`.
unsafe fn random_req_of(w: *mut uv__work) -> *mut uv_random_t {
    // SAFETY: `w` sits `offset_of!(uv_random_t, work_req)` bytes into its request.
    unsafe { w.byte_sub(offset_of!(uv_random_t, work_req)).cast() }
}

/// # Safety
/// `buf` is writable for `len` bytes (or `len` is 0).
pub(crate) unsafe fn slice<'a>(buf: *mut c_void, len: usize) -> &'a mut [u8] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: caller guarantees `buf` is writable for `len` bytes.
    unsafe { core::slice::from_raw_parts_mut(buf.cast(), len) }
}

unsafe extern "C" fn random_run(w: *mut uv__work) {
    // SAFETY: submitted by uv_random; the request and its buffer are live until its
    // callback has run, and only this worker touches them meanwhile.
    unsafe {
        let req = random_req_of(w);
        (*req).status = fill(slice((*req).buf, (*req).buflen));
    }
}

unsafe extern "C" fn random_done(w: *mut uv__work, status: c_int) {
    // SAFETY: as above; this is the loop thread and the pool is done with `w`.
    unsafe {
        let req = random_req_of(w);
        let status = if status == 0 { (*req).status } else { status };
        crate::uvloop::inflight::leave((*req).r#loop, req.cast());
        if let Some(cb) = (*req).cb {
            cb(req, status, (*req).buf, (*req).buflen);
        }
    }
}

/// Fills `buf` on the pool, then `cb(req, status, buf, buflen)` on the loop thread.
///
/// # Safety
/// `loop_` is an open loop run by this thread; `req` is writable and stays valid until
/// the callback has run; `buf` is writable for `buflen` bytes until then.
pub(crate) unsafe fn submit(
    loop_: *mut uv_loop_t,
    req: *mut uv_random_t,
    buf: *mut c_void,
    buflen: usize,
    cb: uv_random_cb,
) {
    // SAFETY: caller guarantees `loop_` and `req` are valid.
    unsafe {
        (*req).r#type = UV_RANDOM;
        (*req).r#loop = loop_;
        (*req).status = 0;
        (*req).cb = cb;
        (*req).buf = buf;
        (*req).buflen = buflen;
        let w = &raw mut (*req).work_req;
        crate::uvloop::inflight::enter(loop_, req.cast(), crate::uvloop::inflight::Kind::Pool);
        pool::submit(loop_, w, WorkKind::FastIo, random_run, random_done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills() {
        let mut a = [0u8; 1000];
        let mut b = [0u8; 1000];
        assert_eq!(fill(&mut a), 0);
        assert_eq!(dev_urandom(&mut b), 0);
        assert!(a.iter().any(|&x| x != 0));
        assert!(b.iter().any(|&x| x != 0));
        assert_ne!(a, b);
    }
}
