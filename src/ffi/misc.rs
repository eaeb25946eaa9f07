//! Miscellaneous utilities (docs: misc.rst): the library version, the monotonic clock,
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

use core::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::abi::errno::{UV_EINVAL, UV_ENOBUFS, last_error};
use crate::abi::{uv_buf_t, uv_pid_t, uv_timeval64_t};

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
// Process title.

/// The process title and its storage, set up by `uv_setup_args`.
struct Title {
    /// The original `argv[0]`: the first byte of the title's storage.
    storage: *mut c_char,
    /// Bytes of storage, terminating NUL included (the span of the contiguous original
    /// argument strings).
    cap: usize,
    /// The current title (at most `cap - 1` bytes).
    title: Vec<u8>,
}

// SAFETY: `storage` points into the process's original argument strings, which live as
// long as the process and are only written under `TITLE`'s lock.
unsafe impl Send for Title {}

static TITLE: Mutex<Option<Title>> = Mutex::new(None);

/// The copy of argv that `uv_setup_args` returned, freed by `uv_library_shutdown`.
static ARGS_MEM: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());

/// Frees the argv copy (`uv_library_shutdown`), as libuv does.
pub(crate) fn free_args() {
    let p = ARGS_MEM.swap(core::ptr::null_mut(), Ordering::AcqRel);
    // SAFETY: `p` is NULL or the block uv_setup_args allocated with malloc; the swap makes
    // this the only free of it.
    unsafe { libc::free(p) };
}

/// `char** uv_setup_args(int argc, char** argv)`: stores the program arguments and returns
/// a copy of `argv` (one `malloc`ed block holding the pointer table and the strings) that
/// the program must use from then on: the original strings become the process title's
/// storage. For `argc <= 0`, or if memory runs out, returns `argv` unchanged.
///
/// # Safety
/// `argv` holds `argc` readable NUL-terminated strings followed by a NULL, as `main`
/// receives them, and nothing else uses the original strings afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_setup_args(argc: c_int, argv: *mut *mut c_char) -> *mut *mut c_char {
    if argc <= 0 || argv.is_null() {
        return argv;
    }
    let argc = argc as usize;
    // SAFETY: `argv` holds `argc` readable, NUL-terminated strings (caller's contract).
    let args: Vec<&[u8]> = (0..argc)
        .map(|i| unsafe { CStr::from_ptr(*argv.add(i)) }.to_bytes_with_nul())
        .collect();

    let table = (argc + 1) * size_of::<*mut c_char>();
    let total = table + args.iter().map(|a| a.len()).sum::<usize>();
    // SAFETY: malloc has no preconditions; the block lives until uv_library_shutdown
    // (the program keeps using the returned argv), as libuv's does.
    let block = unsafe { libc::malloc(total) }.cast::<*mut c_char>();
    if block.is_null() {
        return argv;
    }
    let old = ARGS_MEM.swap(block.cast(), Ordering::AcqRel);
    // SAFETY: a block from an earlier call, which libuv frees too when called again.
    unsafe { libc::free(old) };
    // SAFETY: `block` has room for `argc + 1` pointers followed by every string with its
    // NUL (`total` bytes); the sources are the caller's strings, which do not overlap it.
    unsafe {
        let mut s = block.add(argc + 1).cast::<c_char>();
        for (i, a) in args.iter().enumerate() {
            core::ptr::copy_nonoverlapping(a.as_ptr().cast::<c_char>(), s, a.len());
            *block.add(i) = s;
            s = s.add(a.len());
        }
        *block.add(argc) = core::ptr::null_mut();
    }

    // The title's storage: argv[0] and the argument strings that directly follow it in
    // memory (the kernel lays them out back to back; a hand-made argv may not).
    let mut cap = args[0].len();
    for i in 1..argc {
        // SAFETY: reading pointers 0..argc of `argv` (caller's contract).
        let (prev, cur) = unsafe { (*argv.add(i - 1), *argv.add(i)) };
        if prev.wrapping_add(args[i - 1].len()) != cur {
            break;
        }
        cap += args[i].len();
    }
    let title = args[0][..args[0].len() - 1].to_vec();

    // SAFETY: reading argv[0] (caller's contract).
    let storage = unsafe { *argv };
    let mut guard = TITLE.lock().unwrap_or_else(PoisonError::into_inner);
    *guard = Some(Title {
        storage,
        cap,
        title,
    });
    block
}

/// `int uv_set_process_title(const char* title)`: sets the process title, truncated to
/// the room the original arguments took. `UV_ENOBUFS` before `uv_setup_args`.
///
/// # Safety
/// `title` is NULL or a readable NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_set_process_title(title: *const c_char) -> c_int {
    let mut guard = TITLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(state) = guard.as_mut() else {
        return UV_ENOBUFS;
    };
    if title.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: `title` is a readable C string (caller's contract).
    let bytes = unsafe { CStr::from_ptr(title) }.to_bytes();
    let len = bytes.len().min(state.cap.saturating_sub(1));
    state.title.clear();
    state.title.extend_from_slice(&bytes[..len]);
    // SAFETY: `storage` has `cap` writable bytes (the original argument strings, set up
    // by uv_setup_args) and `len < cap`; we hold the lock, so nothing else writes them.
    unsafe {
        core::ptr::copy_nonoverlapping(state.title.as_ptr().cast::<c_char>(), state.storage, len);
        core::ptr::write_bytes(state.storage.add(len), 0, state.cap - len);
    }
    // Best effort, as libuv: the kernel keeps the first 15 bytes as the thread's name.
    // SAFETY: `storage` now holds a NUL-terminated string.
    unsafe { libc::prctl(libc::PR_SET_NAME, state.storage) };
    0
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
    let guard = TITLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(state) = guard.as_ref() else {
        return UV_ENOBUFS;
    };
    let len = state.title.len();
    if size <= len {
        return UV_ENOBUFS;
    }
    // SAFETY: `buffer` is writable for `size > len` bytes (caller's contract).
    unsafe {
        core::ptr::copy_nonoverlapping(state.title.as_ptr().cast::<c_char>(), buffer, len);
        *buffer.add(len) = 0;
    }
    0
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
            assert_eq!(uv_os_getpid(), std::process::id() as uv_pid_t);
            assert!(uv_os_getppid() > 0);
        }
    }

    #[test]
    fn title() {
        // A contiguous, kernel-like argument area: "prog\0arg1\0".
        let mut area = *b"prog\0arg1\0";
        let base = area.as_mut_ptr().cast::<c_char>();
        // SAFETY: `base + 5` is within `area`.
        let mut argv = [base, unsafe { base.add(5) }, core::ptr::null_mut()];
        let mut buf = [0 as c_char; 64];
        // SAFETY: `argv` is a valid argument vector over `area`, which outlives the test's
        // use of the title state (and the state is process-global: this is the only test
        // that touches it); `buf` is writable for its length.
        unsafe {
            let copy = uv_setup_args(2, argv.as_mut_ptr());
            assert!(copy != argv.as_mut_ptr());
            assert_eq!(CStr::from_ptr(*copy.add(1)), c"arg1");
            assert!((*copy.add(2)).is_null());
            assert_eq!(uv_get_process_title(buf.as_mut_ptr(), buf.len()), 0);
            assert_eq!(CStr::from_ptr(buf.as_ptr()), c"prog");
            assert_eq!(uv_get_process_title(buf.as_mut_ptr(), 4), UV_ENOBUFS);
            assert_eq!(uv_get_process_title(buf.as_mut_ptr(), 0), UV_EINVAL);
            assert_eq!(uv_set_process_title(c"new title!".as_ptr()), 0);
            assert_eq!(uv_get_process_title(buf.as_mut_ptr(), buf.len()), 0);
            assert_eq!(CStr::from_ptr(buf.as_ptr()), c"new title");
            assert_eq!(&area, b"new title\0");
            // The copy is untouched.
            assert_eq!(CStr::from_ptr(*copy), c"prog");
            *TITLE.lock().unwrap() = None;
            // The copy belongs to the library until uv_library_shutdown frees it.
            free_args();
            assert!(ARGS_MEM.load(Ordering::Acquire).is_null());
        }
    }
}
