//! Miscellaneous utilities (docs: misc.rst): the library version, the clocks,
//! sleeping, `uv_buf_t` construction, wall-clock time, process ids and the process title.
//!
//! None of these runs loop callbacks; all may be called from any thread (the process-title
//! functions take an internal lock, as libuv's do since 1.18.1).
//!
//! Process title, as on libuv's Linux build: `uv_setup_args` copies `argv` into memory of
//! its own and returns the copy, keeping the original argument strings as the title's
//! storage; `uv_set_process_title` writes the title there (truncated to the room the
//! original arguments took, which is what `ps` shows) and names the thread with
//! `prctl(PR_SET_NAME)`. Without a prior `uv_setup_args` both title functions answer
//! `UV_ENOBUFS`, as libuv's documentation says.

use core::ffi::{CStr, c_char, c_int, c_uint};

use crate::abi::errno::{UV_EFAULT, UV_EINVAL, last_error};
use crate::abi::{ClockIdArg, uv_buf_t, uv_pid_t, uv_timespec64_t, uv_timeval64_t};

/// `unsigned int uv_version(void)`: `UV_VERSION_HEX` of the libuv version rsuv implements.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_version() -> c_uint {
    crate::abi::VERSION_HEX as c_uint
}

/// `const char* uv_version_string(void)`: "MAJOR.MINOR.PATCH".
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_version_string() -> *const c_char {
    crate::abi::VERSION_STRING.as_ptr()
}

/// `uint64_t uv_hrtime(void)`: nanoseconds on the monotonic clock, from an arbitrary
/// origin.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_hrtime() -> u64 {
    crate::sys::hrtime_ns()
}

/// `void uv_sleep(unsigned int msec)`: blocks the calling thread for `msec` milliseconds,
/// resuming the sleep when a signal interrupts it.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_sleep(msec: c_uint) {
    let mut ts = libc::timespec {
        tv_sec: (msec / 1000) as libc::time_t,
        tv_nsec: ((msec % 1000) * 1_000_000) as libc::c_long,
    };
    loop {
        let req = ts;
        // SAFETY: both timespecs are live; the kernel writes the remainder into `ts`.
        let rc = unsafe { libc::nanosleep(&req, &mut ts) };
        if rc == 0 || last_error() != -libc::EINTR {
            return;
        }
    }
}

/// `uv_buf_t uv_buf_init(char* base, unsigned int len)`.
///
/// # Safety
/// None: it only builds a value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_buf_init(base: *mut c_char, len: c_uint) -> uv_buf_t {
    uv_buf_t {
        base,
        len: len as usize,
    }
}

/// `int uv_gettimeofday(uv_timeval64_t* tv)`: the wall-clock time; `UV_EINVAL` for NULL.
///
/// # Safety
/// `tv` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_gettimeofday(tv: *mut uv_timeval64_t) -> c_int {
    if tv.is_null() {
        return UV_EINVAL;
    }
    let mut now = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: `now` is a live, writable timeval; no timezone is asked for.
    if unsafe { libc::gettimeofday(&mut now, core::ptr::null_mut()) } != 0 {
        return last_error();
    }
    // SAFETY: `tv` is writable (caller's contract, checked non-NULL).
    unsafe {
        tv.write(uv_timeval64_t {
            tv_sec: now.tv_sec,
            tv_usec: now.tv_usec as i32,
        });
    }
    0
}

/// `int uv_clock_gettime(uv_clock_id clock_id, uv_timespec64_t* ts)` (libuv 1.45+): the
/// time on `UV_CLOCK_MONOTONIC` or `UV_CLOCK_REALTIME`. A NULL `ts` is `UV_EFAULT` (checked
/// first, as libuv 1.53 does and its clock_gettime test expects); any other clock id is
/// `UV_EINVAL`.
///
/// # Safety
/// `ts` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_clock_gettime(clock_id: ClockIdArg, ts: *mut uv_timespec64_t) -> c_int {
    if ts.is_null() {
        return UV_EFAULT;
    }
    match crate::os::time::clock_gettime(clock_id) {
        Ok(t) => {
            // SAFETY: writable (checked, caller).
            unsafe { ts.write(t) };
            0
        }
        Err(e) => e,
    }
}

/// `uv_pid_t uv_os_getpid(void)`.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getpid() -> uv_pid_t {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() }
}

/// `uv_pid_t uv_os_getppid(void)`.
///
/// # Safety
/// None beyond the crate's convention for C entry points.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_os_getppid() -> uv_pid_t {
    // SAFETY: getppid has no preconditions.
    unsafe { libc::getppid() }
}

// ---------------------------------------------------------------------------------------
// Process title: [`crate::os::title`].

/// `char** uv_setup_args(int argc, char** argv)`: stores the program arguments and returns
/// a copy of `argv` that the program must use from then on (see [`crate::os::title`]).
/// For `argc <= 0` or a NULL `argv`, returns `argv` unchanged.
///
/// # Safety
/// `argv` holds `argc` readable NUL-terminated strings followed by a NULL, as `main`
/// receives them, and nothing else uses the original strings afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_setup_args(argc: c_int, argv: *mut *mut c_char) -> *mut *mut c_char {
    if argc <= 0 || argv.is_null() {
        return argv;
    }
    // SAFETY: `argc > 0`, non-NULL `argv`; the rest is the caller's contract.
    unsafe { crate::os::title::setup_args(argc as usize, argv) }
}

/// `int uv_set_process_title(const char* title)`: sets the process title, truncated to
/// the room the original arguments took. `UV_ENOBUFS` before `uv_setup_args`.
///
/// # Safety
/// `title` is NULL or a readable NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_set_process_title(title: *const c_char) -> c_int {
    if title.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: a non-NULL `title` is a readable C string (the function's contract).
    crate::os::title::set_process_title(Some(unsafe { CStr::from_ptr(title) }))
}

/// `int uv_get_process_title(char* buffer, size_t size)`: copies the title and a NUL into
/// `buffer`. `UV_EINVAL` for a NULL buffer or size 0; `UV_ENOBUFS` when `size` cannot hold
/// the title and its NUL, or before `uv_setup_args`.
///
/// # Safety
/// `buffer` is NULL or writable for `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_process_title(buffer: *mut c_char, size: usize) -> c_int {
    if buffer.is_null() || size == 0 {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL and writable for `size > 0` bytes (caller's contract).
    crate::os::title::get_process_title(unsafe {
        core::slice::from_raw_parts_mut(buffer.cast(), size)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version() {
        // SAFETY: no preconditions.
        unsafe {
            assert_eq!(CStr::from_ptr(uv_version_string()), c"1.53.0");
            assert_eq!(uv_version(), 0x01_35_00);
        }
    }

    #[test]
    fn clocks() {
        // SAFETY: no preconditions; `tv` is writable.
        unsafe {
            let a = uv_hrtime();
            uv_sleep(5);
            let b = uv_hrtime();
            assert!(b - a >= 5_000_000);
            let mut tv = uv_timeval64_t::default();
            assert_eq!(uv_gettimeofday(&mut tv), 0);
            assert!(tv.tv_sec > 1_600_000_000 && (0..1_000_000).contains(&tv.tv_usec));
            assert_eq!(uv_gettimeofday(core::ptr::null_mut()), UV_EINVAL);
            let mut ts = uv_timespec64_t::default();
            assert_eq!(uv_clock_gettime(1337, &mut ts), UV_EINVAL);
            assert_eq!(uv_clock_gettime(1337, core::ptr::null_mut()), UV_EFAULT);
            assert_eq!(uv_clock_gettime(0, core::ptr::null_mut()), UV_EFAULT);
            assert_eq!(uv_clock_gettime(1, &mut ts), 0);
            assert!(ts.tv_sec > 1_682_500_000);
            assert_eq!(uv_os_getpid(), std::process::id() as uv_pid_t);
            assert!(uv_os_getppid() > 0);
        }
    }
}
