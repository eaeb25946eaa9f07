//! C entry points of the loop core: the loop, handles and requests in general, timers,
//! idle/prepare/check and async. Each checks its pointers and the handle's type tag, then
//! calls into the safe-as-possible core modules (`uvloop`, `handle`, `timer`, `watcher`,
//! `async_handle`).
//!
//! Only `uv_async_send` and `uv_metrics_idle_time` may be called from a thread other than
//! the loop's.

use super::check::{self, tri};
use crate::abi::errno::UV_EINVAL;
use crate::abi::flags;
use crate::abi::*;
use crate::abi::{UV_CHECK, UV_IDLE, UV_PREPARE};
use crate::uvloop::handle;
use crate::{async_handle, timer, uvloop, watcher};
use core::ffi::{c_char, c_int, c_void};
use core::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

// ---------------------------------------------------------------------------------------
// Allocator.

/// `uv_replace_allocator`: rsuv's own state uses Rust's allocator; memory libuv documents
/// as coming from its allocator uses these functions. All four must be given.
#[unsafe(no_mangle)]
pub extern "C" fn uv_replace_allocator(
    malloc_func: uv_malloc_func,
    realloc_func: uv_realloc_func,
    calloc_func: uv_calloc_func,
    free_func: uv_free_func,
) -> c_int {
    if crate::abi::alloc::replace(malloc_func, realloc_func, calloc_func, free_func) {
        0
    } else {
        UV_EINVAL
    }
}

// ---------------------------------------------------------------------------------------
// The loop.

#[unsafe(no_mangle)]
pub extern "C" fn uv_loop_size() -> usize {
    core::mem::size_of::<uv_loop_t>()
}

/// # Safety
/// `loop_` is NULL or writable memory of `uv_loop_size()` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_init(loop_: *mut uv_loop_t) -> c_int {
    if loop_.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL, writable (caller).
    unsafe { uvloop::init(loop_) }
}

/// # Safety
/// `loop_` is NULL or an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_close(loop_: *mut uv_loop_t) -> c_int {
    // SAFETY: a non-NULL loop with internal state is initialised (caller).
    unsafe {
        if loop_.is_null() || (*loop_).internal_fields.is_null() {
            return UV_EINVAL;
        }
        let r = uvloop::close(loop_);
        if r == 0 && loop_ == DEFAULT_LOOP_PTR.load(Ordering::Acquire) {
            DEFAULT_LOOP_PTR.store(ptr::null_mut(), Ordering::Release);
        }
        r
    }
}

/// Storage of the default loop. Accessed only through raw pointers.
struct DefaultLoop(core::cell::UnsafeCell<core::mem::MaybeUninit<uv_loop_t>>);
// SAFETY: libuv's default loop is not thread-safe either: it is created and used by one
// thread at a time; we only hand out its address.
unsafe impl Sync for DefaultLoop {}
static DEFAULT_LOOP: DefaultLoop =
    DefaultLoop(core::cell::UnsafeCell::new(core::mem::MaybeUninit::zeroed()));
static DEFAULT_LOOP_PTR: AtomicPtr<uv_loop_t> = AtomicPtr::new(ptr::null_mut());

#[unsafe(no_mangle)]
pub extern "C" fn uv_default_loop() -> *mut uv_loop_t {
    let p = DEFAULT_LOOP_PTR.load(Ordering::Acquire);
    if !p.is_null() {
        return p;
    }
    let l: *mut uv_loop_t = DEFAULT_LOOP.0.get().cast();
    // SAFETY: static storage of the right size, not in use (the pointer is NULL).
    if unsafe { uvloop::init(l) } != 0 {
        return ptr::null_mut();
    }
    DEFAULT_LOOP_PTR.store(l, Ordering::Release);
    l
}

#[unsafe(no_mangle)]
pub extern "C" fn uv_loop_new() -> *mut uv_loop_t {
    let l: *mut uv_loop_t = crate::abi::alloc::malloc(core::mem::size_of::<uv_loop_t>()).cast();
    if l.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: fresh allocation of the loop's size; `data` must not be garbage.
    unsafe {
        (*l).data = ptr::null_mut();
        if uvloop::init(l) != 0 {
            crate::abi::alloc::free(l.cast());
            return ptr::null_mut();
        }
    }
    l
}

/// # Safety
/// `loop_` is NULL or a loop from `uv_loop_new` or `uv_default_loop`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_delete(loop_: *mut uv_loop_t) {
    if loop_.is_null() {
        return;
    }
    let is_default = loop_ == DEFAULT_LOOP.0.get().cast();
    // SAFETY: initialised loop (caller).
    let r = unsafe { uv_loop_close(loop_) };
    // libuv asserts here; a loop that cannot close is leaked rather than freed under
    // its live handles.
    if r == 0 && !is_default {
        // SAFETY: came from uv_loop_new.
        unsafe { crate::abi::alloc::free(loop_.cast()) };
    }
}

/// `uv_loop_fork`: gives the loop a fresh kernel backend in the child of a `fork`.
///
/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_fork(loop_: *mut uv_loop_t) -> c_int {
    if loop_.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: initialised loop (caller); loop thread.
    unsafe { uvloop::fork(loop_) }
}

/// # Safety
/// `loop_` is an initialised loop, run on its own thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_run(loop_: *mut uv_loop_t, mode: RunModeArg) -> c_int {
    if loop_.is_null() || !(0..=2).contains(&mode) {
        return UV_EINVAL;
    }
    // SAFETY: non-NULL loop memory, whose openness `run` checks first; the caller owns the
    // loop thread.
    unsafe { uvloop::run(loop_, mode) }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_stop(loop_: *mut uv_loop_t) {
    if !loop_.is_null() {
        // SAFETY: live loop (caller).
        unsafe { (*loop_).stop_flag = 1 };
    }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_alive(loop_: *const uv_loop_t) -> c_int {
    // SAFETY: checked open; read-only.
    unsafe { (uvloop::is_open(loop_) && uvloop::alive(loop_.cast_mut())) as c_int }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_now(loop_: *const uv_loop_t) -> u64 {
    if loop_.is_null() {
        return 0;
    }
    // SAFETY: non-NULL loop memory (caller); `time` is plain data even before init.
    unsafe { (*loop_).time }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_update_time(loop_: *mut uv_loop_t) {
    // SAFETY: `is_open` reads non-NULL loop memory only; an open loop may be updated.
    unsafe {
        if uvloop::is_open(loop_) {
            uvloop::update_time(loop_)
        }
    }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_backend_fd(loop_: *const uv_loop_t) -> c_int {
    // SAFETY: `is_open` reads non-NULL loop memory only; an open loop has its descriptor.
    unsafe {
        if !uvloop::is_open(loop_) {
            return -1;
        }
        (*loop_).backend_fd
    }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_backend_timeout(loop_: *const uv_loop_t) -> c_int {
    // SAFETY: checked open.
    unsafe {
        if !uvloop::is_open(loop_) {
            return 0;
        }
        uvloop::backend_timeout(loop_.cast_mut())
    }
}

/// `uv_loop_configure(loop, option, ...)`. C declares it variadic (include/uv-fragments);
/// stable Rust cannot define a variadic function, so this takes the one `int` argument
/// both options use. On x86_64 System V, a variadic call passes that `int` in the same
/// register as a fixed third argument, so every libuv caller is served exactly.
///
/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_configure(
    loop_: *mut uv_loop_t,
    option: LoopOptionArg,
    arg: c_int,
) -> c_int {
    // SAFETY: checked open.
    unsafe {
        if !uvloop::is_open(loop_) {
            return UV_EINVAL;
        }
        uvloop::configure(loop_, option, arg)
    }
}

/// # Safety
/// `loop_` is an initialised loop. Callable from any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_metrics_idle_time(loop_: *mut uv_loop_t) -> u64 {
    // SAFETY: `is_open` reads non-NULL loop memory only; an open loop has its counters.
    unsafe {
        if !uvloop::is_open(loop_) {
            return 0;
        }
        uvloop::idle_time(loop_)
    }
}

/// `uv_metrics_info` (libuv 1.45+): the loop's iteration and event counters.
///
/// # Safety
/// `loop_` is NULL or an initialised loop; `metrics` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_metrics_info(
    loop_: *mut uv_loop_t,
    metrics: *mut uv_metrics_t,
) -> c_int {
    // SAFETY: `is_open` reads non-NULL loop memory only; then an open loop's counters are
    // read, and the caller's `metrics` is written whole.
    unsafe {
        if !uvloop::is_open(loop_) || metrics.is_null() {
            return UV_EINVAL;
        }
        let [loop_count, events, events_waiting] = uvloop::metrics(loop_);
        metrics.write(uv_metrics_t {
            loop_count,
            events,
            events_waiting,
            reserved: [ptr::null_mut(); 13],
        });
    }
    0
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_get_data(loop_: *const uv_loop_t) -> *mut c_void {
    if loop_.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: non-NULL loop memory (caller); `data` is the user's, valid before init too.
    unsafe { (*loop_).data }
}

/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_loop_set_data(loop_: *mut uv_loop_t, data: *mut c_void) {
    if !loop_.is_null() {
        // SAFETY: non-NULL, writable loop memory (caller).
        unsafe { (*loop_).data = data };
    }
}

/// Calls `walk_cb` on every handle of the loop except rsuv's internal ones. The handles
/// are collected first, so the callback may close any of them (closing unlinks a handle
/// only in the closing phase) or create new ones (not visited).
///
/// # Safety
/// `loop_` is an initialised loop.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_walk(loop_: *mut uv_loop_t, walk_cb: uv_walk_cb, arg: *mut c_void) {
    let Some(cb) = walk_cb else { return };
    if loop_.is_null() {
        return;
    }
    // SAFETY: initialised loop (caller); every collected handle stays valid until its
    // close callback, which cannot run during the walk.
    unsafe {
        for h in handles(loop_) {
            if handle::flags(h) & flags::INTERNAL == 0 {
                cb(h, arg);
            }
        }
    }
}

/// The loop's handles in creation order.
unsafe fn handles(l: *mut uv_loop_t) -> Vec<*mut uv_handle_t> {
    let mut v = Vec::new();
    let head = handle::loop_queue(l);
    // SAFETY: the handle list holds live handles (caller passes an initialised loop).
    unsafe {
        let mut q = crate::uvloop::queue::next(head);
        while q != head {
            v.push(handle::from_queue_node(q));
            q = crate::uvloop::queue::next(q);
        }
    }
    v
}

unsafe extern "C" {
    /// The C library's standard error stream.
    static stderr: *mut libc::FILE;
}

unsafe fn print_handles(l: *mut uv_loop_t, stream: *mut libc::FILE, only_active: bool) {
    // SAFETY: initialised loop (caller); `stream` is a live FILE or NULL for stderr.
    unsafe {
        let l = if l.is_null() { uv_default_loop() } else { l };
        let mut out = String::new();
        for h in handles(l) {
            let f = handle::flags(h);
            if only_active && f & flags::ACTIVE == 0 {
                continue;
            }
            let name = crate::abi::HANDLE_TYPE_NAMES
                .get((*h).r#type as usize)
                .map_or("<unknown>", |c| c.to_str().unwrap_or("?"));
            out.push_str(&format!(
                "[{}{}{}] {:<8} {:p}\n",
                if f & flags::REF != 0 { 'R' } else { '-' },
                if f & flags::ACTIVE != 0 { 'A' } else { '-' },
                if f & flags::INTERNAL != 0 { 'I' } else { '-' },
                name,
                h
            ));
        }
        let stream = if stream.is_null() { stderr } else { stream };
        if !stream.is_null() {
            libc::fwrite(out.as_ptr().cast(), 1, out.len(), stream);
            libc::fflush(stream);
        }
    }
}

/// # Safety
/// `loop_` is NULL (default loop) or initialised; `stream` is NULL (stderr) or a `FILE*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_print_all_handles(loop_: *mut uv_loop_t, stream: *mut libc::FILE) {
    // SAFETY: forwarded caller guarantees.
    unsafe { print_handles(loop_, stream, false) }
}

/// # Safety
/// `loop_` is NULL (default loop) or initialised; `stream` is NULL (stderr) or a `FILE*`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_print_active_handles(loop_: *mut uv_loop_t, stream: *mut libc::FILE) {
    // SAFETY: forwarded caller guarantees.
    unsafe { print_handles(loop_, stream, true) }
}

/// Releases global resources: stops the thread pool. Call once, after every loop is done.
/// Runs by itself when the library is unloaded or the process exits, as in libuv.
#[unsafe(no_mangle)]
pub extern "C" fn uv_library_shutdown() {
    crate::pool::shutdown();
    crate::os::title::free_args();
}

extern "C" fn on_unload() {
    uv_library_shutdown();
}

/// libuv marks `uv_library_shutdown` as a destructor; this entry in `.fini_array` does the
/// same, so pool threads are joined at exit even when the program never calls it.
#[used]
#[unsafe(link_section = ".fini_array")]
static ON_UNLOAD: extern "C" fn() = on_unload;

// ---------------------------------------------------------------------------------------
// Handles in general.

#[unsafe(no_mangle)]
pub extern "C" fn uv_handle_size(type_: HandleTypeArg) -> usize {
    crate::abi::handle_size(type_).unwrap_or(usize::MAX)
}

#[unsafe(no_mangle)]
pub extern "C" fn uv_handle_type_name(type_: HandleTypeArg) -> *const c_char {
    if type_ <= crate::abi::UV_UNKNOWN_HANDLE || type_ >= crate::abi::UV_HANDLE_TYPE_MAX {
        return ptr::null();
    }
    crate::abi::HANDLE_TYPE_NAMES[type_ as usize].as_ptr()
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_handle_get_type(handle: *const uv_handle_t) -> HandleTypeArg {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(crate::abi::UV_UNKNOWN_HANDLE, |h| {
        // SAFETY: a checked handle.
        unsafe { (*h).r#type }
    })
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_handle_get_data(handle: *const uv_handle_t) -> *mut c_void {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(ptr::null_mut(), |h| {
        // SAFETY: a checked handle.
        unsafe { (*h).data }
    })
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_handle_set_data(handle: *mut uv_handle_t, data: *mut c_void) {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    if let Ok(h) = unsafe { check::typed(handle) } {
        // SAFETY: a checked, writable handle (caller).
        unsafe { (*h).data = data };
    }
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_handle_get_loop(handle: *const uv_handle_t) -> *mut uv_loop_t {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(ptr::null_mut(), |h| {
        // SAFETY: a checked handle.
        unsafe { (*h).r#loop }
    })
}

/// Closes `handle`; `close_cb` runs in the loop's closing phase. Closing a handle twice is
/// a programming error; rsuv ignores the second call instead of corrupting the loop.
///
/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_close(handle: *mut uv_handle_t, close_cb: uv_close_cb) {
    // SAFETY: `live` reads non-NULL handle memory only (caller): NULL, a handle that was
    // never initialised (type tag 0) and one already closing are ignored.
    if let Ok(h) = unsafe { check::live(handle) } {
        // SAFETY: a checked, open handle.
        unsafe { handle::close(h, close_cb) };
    }
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_ref(handle: *mut uv_handle_t) {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    if let Ok(h) = unsafe { check::typed(handle) } {
        // SAFETY: a checked handle.
        unsafe { handle::set_ref(h) };
    }
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_unref(handle: *mut uv_handle_t) {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    if let Ok(h) = unsafe { check::typed(handle) } {
        // SAFETY: a checked handle.
        unsafe { handle::unref(h) };
    }
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_has_ref(handle: *const uv_handle_t) -> c_int {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(0, |h| {
        // SAFETY: a checked handle.
        unsafe { (handle::flags(h) & flags::REF != 0) as c_int }
    })
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_active(handle: *const uv_handle_t) -> c_int {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(0, |h| {
        // SAFETY: a checked handle.
        unsafe { (handle::is_active(h)) as c_int }
    })
}

/// # Safety
/// `handle` is an initialised handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_closing(handle: *const uv_handle_t) -> c_int {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(0, |h| {
        // SAFETY: a checked handle.
        unsafe { (handle::is_closing(h)) as c_int }
    })
}

/// The descriptor behind a handle: `UV_EINVAL` for handle types without one, `UV_EBADF`
/// when it has none (yet or any more).
///
/// # Safety
/// `handle` is an initialised handle; `fd` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fileno(handle: *const uv_handle_t, fd: *mut c_int) -> c_int {
    if handle.is_null() || fd.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: live handle and writable `fd` (caller).
    unsafe {
        match (*handle).r#type {
            crate::abi::UV_TCP
            | crate::abi::UV_NAMED_PIPE
            | crate::abi::UV_TTY
            | crate::abi::UV_UDP
            | crate::abi::UV_POLL => {}
            _ => return UV_EINVAL,
        }
        let f = (*handle).u.fd;
        if handle::is_closing(handle) || f < 0 {
            return crate::abi::errno::UV_EBADF;
        }
        *fd = f;
    }
    0
}

// ---------------------------------------------------------------------------------------
// Requests in general.

#[unsafe(no_mangle)]
pub extern "C" fn uv_req_size(type_: ReqTypeArg) -> usize {
    crate::abi::req_size(type_).unwrap_or(usize::MAX)
}

#[unsafe(no_mangle)]
pub extern "C" fn uv_req_type_name(type_: ReqTypeArg) -> *const c_char {
    if type_ <= 0 || type_ as usize >= crate::abi::REQ_TYPE_NAMES.len() {
        return ptr::null();
    }
    crate::abi::REQ_TYPE_NAMES[type_ as usize].as_ptr()
}

/// # Safety
/// `req` is an initialised request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_req_get_data(req: *const uv_req_t) -> *mut c_void {
    if req.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: non-NULL request memory (caller); `data` is the user's.
    unsafe { (*req).data }
}

/// # Safety
/// `req` is an initialised request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_req_set_data(req: *mut uv_req_t, data: *mut c_void) {
    if !req.is_null() {
        // SAFETY: non-NULL, writable request memory (caller).
        unsafe { (*req).data = data };
    }
}

/// # Safety
/// `req` is an initialised request.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_req_get_type(req: *const uv_req_t) -> ReqTypeArg {
    if req.is_null() {
        return crate::abi::UV_UNKNOWN_REQ;
    }
    // SAFETY: non-NULL request memory (caller).
    unsafe { (*req).r#type }
}

// ---------------------------------------------------------------------------------------
// Timers.

/// # Safety
/// `loop_` is an initialised loop; `handle` is writable timer memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_init(loop_: *mut uv_loop_t, handle: *mut uv_timer_t) -> c_int {
    if loop_.is_null() || handle.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { timer::init(loop_, handle) };
    0
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_start(
    handle: *mut uv_timer_t,
    cb: uv_timer_cb,
    timeout: u64,
    repeat: u64,
) -> c_int {
    // SAFETY: type-checked live timer.
    unsafe {
        if cb.is_none() {
            return UV_EINVAL;
        }
        let handle = tri!(check::live(handle));
        timer::start(handle, cb, timeout, repeat);
    }
    0
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_stop(handle: *mut uv_timer_t) -> c_int {
    // SAFETY: type-checked live timer (a closing one is already stopped).
    unsafe {
        let handle = tri!(check::typed(handle));
        timer::stop(handle);
    }
    0
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_again(handle: *mut uv_timer_t) -> c_int {
    // SAFETY: type-checked live timer.
    unsafe {
        let handle = tri!(check::live(handle));
        timer::again(handle)
    }
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_set_repeat(handle: *mut uv_timer_t, repeat: u64) {
    if !handle.is_null() {
        // SAFETY: live timer (caller).
        unsafe { (*handle).repeat = repeat };
    }
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_get_repeat(handle: *const uv_timer_t) -> u64 {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    unsafe { check::typed(handle) }.map_or(0, |t| {
        // SAFETY: a checked timer.
        unsafe { (*t).repeat }
    })
}

/// # Safety
/// `handle` is an initialised timer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_timer_get_due_in(handle: *const uv_timer_t) -> u64 {
    // SAFETY: `typed` reads non-NULL handle memory only (caller).
    let Ok(t) = (unsafe { check::typed(handle) }) else {
        return 0;
    };
    // SAFETY: a checked timer, initialised on a loop that outlives it.
    unsafe { (*t).timeout.saturating_sub((*(*t).r#loop).time) }
}

// ---------------------------------------------------------------------------------------
// Idle, prepare, check.

unsafe fn watcher_init(l: *mut uv_loop_t, h: *mut uv_handle_t, ty: c_int) -> c_int {
    if l.is_null() || h.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { watcher::init(l, h, ty) };
    0
}

unsafe fn watcher_start<T: check::Handle>(h: *mut T, cb: uv_idle_cb) -> c_int {
    // SAFETY: type-checked live watcher.
    unsafe {
        if cb.is_none() {
            return UV_EINVAL;
        }
        let h = tri!(check::live(h));
        watcher::start(h.cast(), cb);
    }
    0
}

unsafe fn watcher_stop<T: check::Handle>(h: *mut T) -> c_int {
    // SAFETY: type-checked watcher (a closing one is already stopped).
    unsafe {
        let h = tri!(check::typed(h));
        watcher::stop(h.cast());
    }
    0
}

/// The three callback types differ only in their argument's pointee type.
fn as_idle_cb<T>(cb: Option<unsafe extern "C" fn(*mut T)>) -> uv_idle_cb {
    // SAFETY: same ABI: one pointer argument, no result; the watcher layouts agree.
    cb.map(|f| unsafe {
        core::mem::transmute::<unsafe extern "C" fn(*mut T), unsafe extern "C" fn(*mut uv_idle_t)>(
            f,
        )
    })
}

/// # Safety
/// `loop_` is an initialised loop; `idle` is writable idle-handle memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_idle_init(loop_: *mut uv_loop_t, idle: *mut uv_idle_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_init(loop_, idle.cast(), UV_IDLE) }
}

/// # Safety
/// `idle` is an initialised idle handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_idle_start(idle: *mut uv_idle_t, cb: uv_idle_cb) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_start(idle, cb) }
}

/// # Safety
/// `idle` is an initialised idle handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_idle_stop(idle: *mut uv_idle_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_stop(idle) }
}

/// # Safety
/// `loop_` is an initialised loop; `prepare` is writable prepare-handle memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_prepare_init(
    loop_: *mut uv_loop_t,
    prepare: *mut uv_prepare_t,
) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_init(loop_, prepare.cast(), UV_PREPARE) }
}

/// # Safety
/// `prepare` is an initialised prepare handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_prepare_start(prepare: *mut uv_prepare_t, cb: uv_prepare_cb) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_start(prepare, as_idle_cb(cb)) }
}

/// # Safety
/// `prepare` is an initialised prepare handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_prepare_stop(prepare: *mut uv_prepare_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_stop(prepare) }
}

/// # Safety
/// `loop_` is an initialised loop; `check` is writable check-handle memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_check_init(loop_: *mut uv_loop_t, check: *mut uv_check_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_init(loop_, check.cast(), UV_CHECK) }
}

/// # Safety
/// `check` is an initialised check handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_check_start(check: *mut uv_check_t, cb: uv_check_cb) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_start(check, as_idle_cb(cb)) }
}

/// # Safety
/// `check` is an initialised check handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_check_stop(check: *mut uv_check_t) -> c_int {
    // SAFETY: forwarded caller guarantees.
    unsafe { watcher_stop(check) }
}

// ---------------------------------------------------------------------------------------
// Async.

/// # Safety
/// `loop_` is an initialised loop; `async_` is writable async-handle memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_async_init(
    loop_: *mut uv_loop_t,
    async_: *mut uv_async_t,
    async_cb: uv_async_cb,
) -> c_int {
    if loop_.is_null() || async_.is_null() {
        return UV_EINVAL;
    }
    // SAFETY: checked non-NULL; initialised loop and writable handle (caller).
    unsafe { async_handle::init(loop_, async_, async_cb) };
    0
}

/// Wakes the loop and schedules `async_`'s callback. Thread-safe, async-signal-safe;
/// sends before the callback runs coalesce into one call.
///
/// # Safety
/// `async_` is an initialised async handle that is not closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_async_send(async_: *mut uv_async_t) -> c_int {
    // SAFETY: a live async handle (caller); only atomic fields are touched concurrently.
    unsafe {
        let async_ = tri!(check::typed(async_));
        async_handle::send(async_)
    }
}
