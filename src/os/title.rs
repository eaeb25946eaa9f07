//! The process title (misc.rst: `uv_setup_args`, `uv_set_process_title`,
//! `uv_get_process_title`): the original argument strings become the title's storage,
//! the program gets a copy of `argv`. Any thread; one lock guards the state.

use crate::abi::errno::{UV_EINVAL, UV_ENOBUFS};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::size_of;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, PoisonError};

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

/// Stores the program arguments and returns
/// a copy of `argv` (one `malloc`ed block holding the pointer table and the strings) that
/// the program must use from then on: the original strings become the process title's
/// storage. If memory runs out, returns `argv` unchanged.
///
/// # Safety
/// `argc > 0`; `argv` holds `argc` readable NUL-terminated strings followed by a NULL, as
/// `main` receives them, and nothing else uses the original strings afterwards.
pub(crate) unsafe fn setup_args(argc: usize, argv: *mut *mut c_char) -> *mut *mut c_char {
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

/// Sets the process title, truncated to
/// the room the original arguments took. `UV_ENOBUFS` before `uv_setup_args`.
///
/// `None` (a NULL title) is `UV_EINVAL`, once `uv_setup_args` has run.
pub(crate) fn set_process_title(title: Option<&CStr>) -> c_int {
    let mut guard = TITLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(state) = guard.as_mut() else {
        return UV_ENOBUFS;
    };
    let Some(title) = title else {
        return UV_EINVAL;
    };
    let bytes = title.to_bytes();
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

/// Copies the title and a NUL into `buffer`: `UV_ENOBUFS` when it cannot hold
/// the title and its NUL, or before `uv_setup_args`.
///
pub(crate) fn get_process_title(buffer: &mut [u8]) -> c_int {
    let guard = TITLE.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(state) = guard.as_ref() else {
        return UV_ENOBUFS;
    };
    let len = state.title.len();
    if buffer.len() <= len {
        return UV_ENOBUFS;
    }
    buffer[..len].copy_from_slice(&state.title);
    buffer[len] = 0;
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title() {
        // A contiguous, kernel-like argument area: "prog\0arg1\0".
        let mut area = *b"prog\0arg1\0";
        let base = area.as_mut_ptr().cast::<c_char>();
        // SAFETY: `base + 5` is within `area`.
        let mut argv = [base, unsafe { base.add(5) }, core::ptr::null_mut()];
        let mut buf = [0u8; 64];
        // SAFETY: `argv` is a valid argument vector over `area`, which outlives the test's
        // use of the title state (and the state is process-global: this is the only test
        // that touches it); `buf` is writable for its length.
        unsafe {
            let copy = setup_args(2, argv.as_mut_ptr());
            assert!(copy != argv.as_mut_ptr());
            assert_eq!(CStr::from_ptr(*copy.add(1)), c"arg1");
            assert!((*copy.add(2)).is_null());
            assert_eq!(get_process_title(&mut buf), 0);
            assert_eq!(CStr::from_bytes_until_nul(&buf).unwrap(), c"prog");
            assert_eq!(get_process_title(&mut buf[..4]), UV_ENOBUFS);
            assert_eq!(set_process_title(Some(c"new title!")), 0);
            assert_eq!(get_process_title(&mut buf), 0);
            assert_eq!(CStr::from_bytes_until_nul(&buf).unwrap(), c"new title");
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
