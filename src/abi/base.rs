//! The core C layouts: the loop, the handle and request bases, the handles that need no
//! sockets (timer, idle, prepare, check, async), the thread-pool work item and the small
//! value types. Every struct here is `#[repr(C)]` with libuv 1.44's size and public field
//! offsets on Linux x86_64; `const` assertions at the bottom pin them.
//!
//! Handle structs repeat the base fields (`data`, `loop`, `type`, ...) instead of embedding
//! a `uv_handle_t`, because C code names them directly (`timer.data`). Rust code views any
//! handle through its base with [`crate::uvloop::handle::base`].

use core::ffi::{c_char, c_int, c_uint, c_void};

// ---------------------------------------------------------------------------------------
// Type aliases C sees by libuv's names. The `*_t` struct aliases are excluded from
// cbindgen's output: include/uv-fragments/prologue.h forward-declares them as libuv does.

pub type uv_loop_t = uv_loop_s;
pub type uv_handle_t = uv_handle_s;
pub type uv_timer_t = uv_timer_s;
pub type uv_prepare_t = uv_prepare_s;
pub type uv_check_t = uv_check_s;
pub type uv_idle_t = uv_idle_s;
pub type uv_async_t = uv_async_s;
pub type uv_req_t = uv_req_s;
pub type uv_metrics_t = uv_metrics_s;

pub type uv_file = c_int;
pub type uv_os_sock_t = c_int;
pub type uv_os_fd_t = c_int;
pub type uv_pid_t = libc::pid_t;
pub type uv_uid_t = libc::uid_t;
pub type uv_gid_t = libc::gid_t;

pub type uv_mutex_t = libc::pthread_mutex_t;
pub type uv_rwlock_t = libc::pthread_rwlock_t;
pub type uv_sem_t = libc::sem_t;
pub type uv_cond_t = libc::pthread_cond_t;
pub type uv_key_t = libc::pthread_key_t;
pub type uv_barrier_t = libc::pthread_barrier_t;
pub type uv_once_t = libc::pthread_once_t;
pub type uv_thread_t = libc::pthread_t;

// Rust-side views of enum-typed C arguments and fields. C sees the enum type (cbindgen
// renames these); Rust reads a plain int, so an out-of-range value from C is just a number
// to reject, never an invalid Rust enum.
pub type HandleTypeArg = c_int;
pub type ReqTypeArg = c_int;
pub type RunModeArg = c_int;
pub type LoopOptionArg = c_int;
pub type ClockIdArg = c_int;

// ---------------------------------------------------------------------------------------
// Enums. Rust code uses the `c_int` constants in `crate::uvloop::handle` / `crate::req`; these enum
// declarations exist so that uv.h carries libuv's enum types and values.

#[repr(C)]
pub enum uv_handle_type {
    UV_UNKNOWN_HANDLE = 0,
    UV_ASYNC,
    UV_CHECK,
    UV_FS_EVENT,
    UV_FS_POLL,
    UV_HANDLE,
    UV_IDLE,
    UV_NAMED_PIPE,
    UV_POLL,
    UV_PREPARE,
    UV_PROCESS,
    UV_STREAM,
    UV_TCP,
    UV_TIMER,
    UV_TTY,
    UV_UDP,
    UV_SIGNAL,
    UV_FILE,
    UV_HANDLE_TYPE_MAX,
}

#[repr(C)]
pub enum uv_req_type {
    UV_UNKNOWN_REQ = 0,
    UV_REQ,
    UV_CONNECT,
    UV_WRITE,
    UV_SHUTDOWN,
    UV_UDP_SEND,
    UV_FS,
    UV_WORK,
    UV_GETADDRINFO,
    UV_GETNAMEINFO,
    UV_RANDOM,
    UV_REQ_TYPE_MAX,
}

#[repr(C)]
pub enum uv_run_mode {
    UV_RUN_DEFAULT = 0,
    UV_RUN_ONCE,
    UV_RUN_NOWAIT,
}

#[repr(C)]
pub enum uv_loop_option {
    UV_LOOP_BLOCK_SIGNAL = 0,
    UV_METRICS_IDLE_TIME,
    /// libuv 1.45+: use io_uring with a submission-queue polling thread for file I/O.
    UV_LOOP_USE_IO_URING_SQPOLL,
}

/// The clocks of `uv_clock_gettime` (libuv 1.45+).
#[repr(C)]
pub enum uv_clock_id {
    UV_CLOCK_MONOTONIC = 0,
    UV_CLOCK_REALTIME,
}

// ---------------------------------------------------------------------------------------
// Callbacks.

pub type uv_close_cb = Option<unsafe extern "C" fn(handle: *mut uv_handle_t)>;
pub type uv_walk_cb = Option<unsafe extern "C" fn(handle: *mut uv_handle_t, arg: *mut c_void)>;
pub type uv_timer_cb = Option<unsafe extern "C" fn(handle: *mut uv_timer_t)>;
pub type uv_async_cb = Option<unsafe extern "C" fn(handle: *mut uv_async_t)>;
pub type uv_prepare_cb = Option<unsafe extern "C" fn(handle: *mut uv_prepare_t)>;
pub type uv_check_cb = Option<unsafe extern "C" fn(handle: *mut uv_check_t)>;
pub type uv_idle_cb = Option<unsafe extern "C" fn(handle: *mut uv_idle_t)>;
pub type uv_thread_cb = Option<unsafe extern "C" fn(arg: *mut c_void)>;
pub type uv_malloc_func = Option<unsafe extern "C" fn(size: usize) -> *mut c_void>;
pub type uv_realloc_func =
    Option<unsafe extern "C" fn(ptr: *mut c_void, size: usize) -> *mut c_void>;
pub type uv_calloc_func = Option<unsafe extern "C" fn(count: usize, size: usize) -> *mut c_void>;
pub type uv_free_func = Option<unsafe extern "C" fn(ptr: *mut c_void)>;

// ---------------------------------------------------------------------------------------
// Small value types.

/// libuv's buffer: `base` and `len`, in that order on Unix.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_buf_t {
    pub base: *mut c_char,
    pub len: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct uv_timespec_t {
    pub tv_sec: libc::c_long,
    pub tv_nsec: libc::c_long,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_timeval_t {
    pub tv_sec: libc::c_long,
    pub tv_usec: libc::c_long,
}

/// `uv_timespec64_t` (libuv 1.45+), filled by `uv_clock_gettime`.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct uv_timespec64_t {
    pub tv_sec: i64,
    pub tv_nsec: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_timeval64_t {
    pub tv_sec: i64,
    pub tv_usec: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct uv_stat_t {
    pub st_dev: u64,
    pub st_mode: u64,
    pub st_nlink: u64,
    pub st_uid: u64,
    pub st_gid: u64,
    pub st_rdev: u64,
    pub st_ino: u64,
    pub st_size: u64,
    pub st_blksize: u64,
    pub st_blocks: u64,
    pub st_flags: u64,
    pub st_gen: u64,
    pub st_atim: uv_timespec_t,
    pub st_mtim: uv_timespec_t,
    pub st_ctim: uv_timespec_t,
    pub st_birthtim: uv_timespec_t,
}

#[repr(C)]
pub struct uv_lib_t {
    pub handle: *mut c_void,
    pub errmsg: *mut c_char,
}

/// A thread-pool work item, embedded in every request that runs on the pool
/// (`struct uv__work` in libuv's `uv/threadpool.h`; same size, our own use of the fields).
/// `wq[0]` links the item into a loop's completion stack; `wq[1]` holds its state.
#[repr(C)]
pub struct uv__work {
    pub work: Option<unsafe extern "C" fn(w: *mut uv__work)>,
    pub done: Option<unsafe extern "C" fn(w: *mut uv__work, status: c_int)>,
    pub r#loop: *mut uv_loop_s,
    pub wq: [*mut c_void; 2],
}

/// libuv's intrusive queue link (`struct uv__queue`): the `handle_queue` of the loop and of
/// every handle. rsuv's own queue code ([`crate::uvloop::queue`]) links these nodes.
#[repr(C)]
pub struct uv__queue {
    pub next: *mut uv__queue,
    pub prev: *mut uv__queue,
}

/// `uv__io_t`'s size (56 bytes) for the private watcher slot of stream-like handles.
#[repr(C)]
pub struct uv__io_s {
    pub reserved: [*mut c_void; 7],
}

// ---------------------------------------------------------------------------------------
// The loop.

/// `uv_metrics_t`, 128 bytes (libuv 1.45+), filled by `uv_metrics_info`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_metrics_s {
    pub loop_count: u64,
    pub events: u64,
    pub events_waiting: u64,
    pub reserved: [*mut u64; 13],
}

#[repr(C)]
pub union uv_loop_active_reqs {
    pub unused: *mut c_void,
    pub count: c_uint,
}

/// `uv_loop_t`, 848 bytes. The public head and the fields that real programs and libuv's
/// tests touch (`active_handles`, `active_reqs.count`, `stop_flag`, `backend_fd`, `time`)
/// keep libuv's offsets and meaning; everything else of ours lives behind
/// `internal_fields` (a `Box<crate::uvloop::LoopInner>`).
#[repr(C)]
pub struct uv_loop_s {
    pub data: *mut c_void,
    pub active_handles: c_uint,
    pub handle_queue: uv__queue,
    pub active_reqs: uv_loop_active_reqs,
    pub internal_fields: *mut c_void,
    pub stop_flag: c_uint,
    pub flags: libc::c_ulong,
    pub backend_fd: c_int,
    /// rsuv: the loop's thread-shared state (`*const crate::uvloop::Shared`, whose first
    /// field is the pool's `Completions`, so the pool reaches it without naming the loop),
    /// written once by `uv_loop_init`, read by other threads (`uv_async_send`, the pool).
    pub shared: *mut c_void,
    pub reserved0: [*mut c_void; 58],
    pub time: u64,
    pub reserved1: [*mut c_void; 37],
}

// ---------------------------------------------------------------------------------------
// Handles.

#[repr(C)]
pub union uv_handle_u {
    pub fd: c_int,
    pub reserved: [*mut c_void; 4],
}

/// The base of every handle, 96 bytes.
#[repr(C)]
pub struct uv_handle_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
}

/// `uv_timer_t`, 152 bytes. `heap_node[0]` holds the timer's index in the loop's heap;
/// `timeout` is the absolute due time on the loop clock, as in libuv.
#[repr(C)]
pub struct uv_timer_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub timer_cb: uv_timer_cb,
    pub heap_node: [*mut c_void; 3],
    pub timeout: u64,
    pub repeat: u64,
    pub start_id: u64,
}

/// `uv_prepare_t`, 120 bytes; `queue` links it into the loop's prepare list.
#[repr(C)]
pub struct uv_prepare_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub prepare_cb: uv_prepare_cb,
    pub queue: [*mut c_void; 2],
}

/// `uv_check_t`, 120 bytes.
#[repr(C)]
pub struct uv_check_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub check_cb: uv_check_cb,
    pub queue: [*mut c_void; 2],
}

/// `uv_idle_t`, 120 bytes.
#[repr(C)]
pub struct uv_idle_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub idle_cb: uv_idle_cb,
    pub queue: [*mut c_void; 2],
}

/// `uv_async_t`, 128 bytes. `queue[0]` links the handle into its loop's lock-free stack of
/// sent handles; `pending` is 1 from a send until the callback is dispatched.
#[repr(C)]
pub struct uv_async_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub async_cb: uv_async_cb,
    pub queue: [*mut c_void; 2],
    pub pending: c_int,
}

// ---------------------------------------------------------------------------------------
// Requests.

/// The base of every request, 64 bytes.
#[repr(C)]
pub struct uv_req_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
}

/// The last private word of every request (libuv 1.53: a union of `reserved2[1]` and this):
/// a write request keeps the byte count of `uv_write_nwritten` here.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv__req_write_extra_s {
    pub nwritten: usize,
}

// ---------------------------------------------------------------------------------------
// Layout checks against ../shared/abi/layout-1.44-linux-x86_64.txt.

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<uv_loop_t>() == 848);
    assert!(offset_of!(uv_loop_t, active_handles) == 8);
    assert!(offset_of!(uv_loop_t, handle_queue) == 16);
    assert!(offset_of!(uv_loop_t, active_reqs) == 32);
    assert!(offset_of!(uv_loop_t, internal_fields) == 40);
    assert!(offset_of!(uv_loop_t, stop_flag) == 48);
    assert!(offset_of!(uv_loop_t, flags) == 56);
    assert!(offset_of!(uv_loop_t, backend_fd) == 64);
    assert!(offset_of!(uv_loop_t, time) == 544);
    assert!(size_of::<uv_handle_t>() == 96);
    assert!(offset_of!(uv_handle_t, close_cb) == 24);
    assert!(offset_of!(uv_handle_t, u) == 48);
    assert!(offset_of!(uv_handle_t, next_closing) == 80);
    assert!(offset_of!(uv_handle_t, flags) == 88);
    assert!(size_of::<uv_timer_t>() == 152);
    assert!(offset_of!(uv_timer_t, timer_cb) == 96);
    assert!(offset_of!(uv_timer_t, timeout) == 128);
    assert!(offset_of!(uv_timer_t, repeat) == 136);
    assert!(size_of::<uv_prepare_t>() == 120);
    assert!(size_of::<uv_check_t>() == 120);
    assert!(size_of::<uv_idle_t>() == 120);
    assert!(size_of::<uv_async_t>() == 128);
    assert!(offset_of!(uv_async_t, pending) == 120);
    assert!(size_of::<uv_req_t>() == 64);
    assert!(offset_of!(uv_req_t, reserved) == 16);
    assert!(size_of::<uv__work>() == 40);
    assert!(size_of::<uv_metrics_t>() == 128);
    assert!(offset_of!(uv_metrics_t, events) == 8);
    assert!(offset_of!(uv_metrics_t, events_waiting) == 16);
    assert!(size_of::<uv_timespec64_t>() == 16);
    assert!(offset_of!(uv_timespec64_t, tv_nsec) == 8);
    assert!(offset_of!(uv_req_t, write_extra) == 56);
    assert!(size_of::<uv__io_s>() == 56);
    assert!(size_of::<uv_stat_t>() == 160);
    assert!(size_of::<uv_buf_t>() == 16);
    assert!(size_of::<uv_mutex_t>() == 40);
    assert!(size_of::<uv_rwlock_t>() == 56);
    assert!(size_of::<uv_cond_t>() == 48);
    assert!(size_of::<uv_sem_t>() == 32);
    assert!(size_of::<uv_barrier_t>() == 32);
    assert!(size_of::<uv_once_t>() == 4);
    assert!(size_of::<uv_key_t>() == 4);
};
