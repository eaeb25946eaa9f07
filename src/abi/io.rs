//! C layouts of the I/O handles and their requests: streams (TCP, pipe, TTY), UDP, poll,
//! process, fs_event, fs_poll and signal handles; the shutdown, write, connect and UDP-send
//! requests; the process-spawning option structs; the `uv_any_handle` union; and the
//! callback typedefs and flag enums that go with them.
//!
//! Every struct is `#[repr(C)]` with libuv 1.44's size on Linux x86_64, and keeps libuv's
//! name and offset for every field listed in `c_tests/abi/layout-1.44-linux-x86_64.txt`
//! (public fields and the private ones programs or reimplementations care about, such as
//! `uv_pipe_t.ipc`, `uv_tty_t.orig_termios`, `uv_write_t.bufsml`). The rest of libuv's
//! private space is kept as `reserved*` pointer arrays: the module that implements a handle
//! decides what it stores there. `const` assertions at the bottom pin sizes and offsets.
//!
//! As in `types.rs`, handle structs repeat the eight base fields flat, request structs the
//! three request fields; enum-typed fields and arguments are `c_int` aliases that cbindgen
//! renames to the C enum type.

use core::ffi::{c_char, c_int, c_uint, c_void};
use core::mem::ManuallyDrop;

use super::base::*;

// ---------------------------------------------------------------------------------------
// Type aliases C sees by libuv's names (excluded from cbindgen's output: prologue.h
// forward-declares them).

pub type uv_stream_t = uv_stream_s;
pub type uv_tcp_t = uv_tcp_s;
pub type uv_pipe_t = uv_pipe_s;
pub type uv_tty_t = uv_tty_s;
pub type uv_udp_t = uv_udp_s;
pub type uv_poll_t = uv_poll_s;
pub type uv_process_t = uv_process_s;
pub type uv_fs_event_t = uv_fs_event_s;
pub type uv_fs_poll_t = uv_fs_poll_s;
pub type uv_signal_t = uv_signal_s;
pub type uv_shutdown_t = uv_shutdown_s;
pub type uv_write_t = uv_write_s;
pub type uv_connect_t = uv_connect_s;
pub type uv_udp_send_t = uv_udp_send_s;
pub type uv_stdio_container_t = uv_stdio_container_s;
pub type uv_process_options_t = uv_process_options_s;

// Rust-side views of enum-typed C arguments and fields (see `HandleTypeArg`).
pub type MembershipArg = c_int;
pub type TtyModeArg = c_int;
pub type TtyVtermstateArg = c_int;
pub type StdioFlagsArg = c_int;

// ---------------------------------------------------------------------------------------
// Enums.

#[repr(C)]
pub enum uv_membership {
    UV_LEAVE_GROUP = 0,
    UV_JOIN_GROUP,
}

#[repr(C)]
pub enum uv_tcp_flags {
    UV_TCP_IPV6ONLY = 1,
    /// libuv 1.49+: set SO_REUSEPORT when binding.
    UV_TCP_REUSEPORT = 2,
}

#[repr(C)]
pub enum uv_udp_flags {
    UV_UDP_IPV6ONLY = 1,
    UV_UDP_PARTIAL = 2,
    UV_UDP_REUSEADDR = 4,
    UV_UDP_MMSG_CHUNK = 8,
    UV_UDP_MMSG_FREE = 16,
    UV_UDP_LINUX_RECVERR = 32,
    /// libuv 1.49+: set SO_REUSEPORT when binding (load-balancing on Linux).
    UV_UDP_REUSEPORT = 64,
    UV_UDP_RECVMMSG = 256,
}

#[repr(C)]
pub enum uv_tty_mode_t {
    UV_TTY_MODE_NORMAL = 0,
    UV_TTY_MODE_RAW,
    UV_TTY_MODE_IO,
    /// libuv 1.48+: raw input mode (on Windows, with virtual-terminal input).
    UV_TTY_MODE_RAW_VT,
}

#[repr(C)]
pub enum uv_tty_vtermstate_t {
    UV_TTY_SUPPORTED = 0,
    UV_TTY_UNSUPPORTED,
}

#[repr(C)]
pub enum uv_poll_event {
    UV_READABLE = 1,
    UV_WRITABLE = 2,
    UV_DISCONNECT = 4,
    UV_PRIORITIZED = 8,
}

/// `UV_OVERLAPPED_PIPE`, libuv's old name for `UV_NONBLOCK_PIPE`, has the same value, which
/// a Rust enum cannot repeat: it is the `#define` [`UV_OVERLAPPED_PIPE`] below.
#[repr(C)]
pub enum uv_stdio_flags {
    UV_IGNORE = 0x00,
    UV_CREATE_PIPE = 0x01,
    UV_INHERIT_FD = 0x02,
    UV_INHERIT_STREAM = 0x04,
    UV_READABLE_PIPE = 0x10,
    UV_WRITABLE_PIPE = 0x20,
    UV_NONBLOCK_PIPE = 0x40,
}

/// Old name of `UV_NONBLOCK_PIPE` (a `uv_stdio_flags` value in libuv).
pub const UV_OVERLAPPED_PIPE: c_int = 0x40;

#[repr(C)]
pub enum uv_process_flags {
    UV_PROCESS_SETUID = 1 << 0,
    UV_PROCESS_SETGID = 1 << 1,
    UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS = 1 << 2,
    UV_PROCESS_DETACHED = 1 << 3,
    UV_PROCESS_WINDOWS_HIDE = 1 << 4,
    UV_PROCESS_WINDOWS_HIDE_CONSOLE = 1 << 5,
    UV_PROCESS_WINDOWS_HIDE_GUI = 1 << 6,
    UV_PROCESS_WINDOWS_FILE_PATH_EXACT_NAME = 1 << 7,
}

/// The flags of `uv_pipe_bind2` and `uv_pipe_connect2` (an anonymous enum in libuv 1.46+).
#[repr(C)]
pub enum uv_pipe_flags {
    UV_PIPE_NO_TRUNCATE = 1,
}

#[repr(C)]
pub enum uv_fs_event {
    UV_RENAME = 1,
    UV_CHANGE = 2,
}

#[repr(C)]
pub enum uv_fs_event_flags {
    UV_FS_EVENT_WATCH_ENTRY = 1,
    UV_FS_EVENT_STAT = 2,
    UV_FS_EVENT_RECURSIVE = 4,
}

// ---------------------------------------------------------------------------------------
// Callbacks.

pub type uv_alloc_cb = Option<
    unsafe extern "C" fn(handle: *mut uv_handle_t, suggested_size: usize, buf: *mut uv_buf_t),
>;
pub type uv_read_cb = Option<
    unsafe extern "C" fn(stream: *mut uv_stream_t, nread: libc::ssize_t, buf: *const uv_buf_t),
>;
pub type uv_write_cb = Option<unsafe extern "C" fn(req: *mut uv_write_t, status: c_int)>;
pub type uv_connect_cb = Option<unsafe extern "C" fn(req: *mut uv_connect_t, status: c_int)>;
pub type uv_shutdown_cb = Option<unsafe extern "C" fn(req: *mut uv_shutdown_t, status: c_int)>;
pub type uv_connection_cb = Option<unsafe extern "C" fn(server: *mut uv_stream_t, status: c_int)>;
pub type uv_poll_cb =
    Option<unsafe extern "C" fn(handle: *mut uv_poll_t, status: c_int, events: c_int)>;
pub type uv_exit_cb =
    Option<unsafe extern "C" fn(process: *mut uv_process_t, exit_status: i64, term_signal: c_int)>;
pub type uv_fs_event_cb = Option<
    unsafe extern "C" fn(
        handle: *mut uv_fs_event_t,
        filename: *const c_char,
        events: c_int,
        status: c_int,
    ),
>;
pub type uv_fs_poll_cb = Option<
    unsafe extern "C" fn(
        handle: *mut uv_fs_poll_t,
        status: c_int,
        prev: *const uv_stat_t,
        curr: *const uv_stat_t,
    ),
>;
pub type uv_signal_cb = Option<unsafe extern "C" fn(handle: *mut uv_signal_t, signum: c_int)>;
pub type uv_udp_send_cb = Option<unsafe extern "C" fn(req: *mut uv_udp_send_t, status: c_int)>;
pub type uv_udp_recv_cb = Option<
    unsafe extern "C" fn(
        handle: *mut uv_udp_t,
        nread: libc::ssize_t,
        buf: *const uv_buf_t,
        addr: *const libc::sockaddr,
        flags: c_uint,
    ),
>;

// ---------------------------------------------------------------------------------------
// Stream handles.

/// `uv_stream_t`, 248 bytes: the common head of TCP, pipe and TTY handles.
/// `reserved` (56 bytes at 192) is free for the stream implementation.
#[repr(C)]
pub struct uv_stream_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub write_queue_size: usize,
    pub alloc_cb: uv_alloc_cb,
    pub read_cb: uv_read_cb,
    pub connect_req: *mut uv_connect_t,
    pub shutdown_req: *mut uv_shutdown_t,
    pub io_watcher: uv__io_s,
    pub reserved: [*mut c_void; 7],
}

/// `uv_tcp_t`, 248 bytes: a stream with no fields of its own.
#[repr(C)]
pub struct uv_tcp_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub write_queue_size: usize,
    pub alloc_cb: uv_alloc_cb,
    pub read_cb: uv_read_cb,
    pub connect_req: *mut uv_connect_t,
    pub shutdown_req: *mut uv_shutdown_t,
    pub io_watcher: uv__io_s,
    pub reserved: [*mut c_void; 7],
}

/// `uv_pipe_t`, 264 bytes: a stream, the public `ipc` flag and the bound path.
#[repr(C)]
pub struct uv_pipe_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub write_queue_size: usize,
    pub alloc_cb: uv_alloc_cb,
    pub read_cb: uv_read_cb,
    pub connect_req: *mut uv_connect_t,
    pub shutdown_req: *mut uv_shutdown_t,
    pub io_watcher: uv__io_s,
    pub reserved: [*mut c_void; 7],
    pub ipc: c_int,
    pub pipe_fname: *const c_char,
}

/// `uv_tty_t`, 312 bytes: a stream, the terminal mode saved before the first mode change,
/// and the current mode.
#[repr(C)]
pub struct uv_tty_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub write_queue_size: usize,
    pub alloc_cb: uv_alloc_cb,
    pub read_cb: uv_read_cb,
    pub connect_req: *mut uv_connect_t,
    pub shutdown_req: *mut uv_shutdown_t,
    pub io_watcher: uv__io_s,
    pub reserved: [*mut c_void; 7],
    pub orig_termios: libc::termios,
    pub mode: c_int,
}

// ---------------------------------------------------------------------------------------
// Other handles.

/// `uv_udp_t`, 216 bytes. `reserved` (32 bytes at 184) is free for the UDP implementation.
#[repr(C)]
pub struct uv_udp_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub send_queue_size: usize,
    pub send_queue_count: usize,
    pub alloc_cb: uv_alloc_cb,
    pub recv_cb: uv_udp_recv_cb,
    pub io_watcher: uv__io_s,
    pub reserved: [*mut c_void; 4],
}

/// `uv_poll_t`, 160 bytes.
#[repr(C)]
pub struct uv_poll_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub poll_cb: uv_poll_cb,
    pub io_watcher: uv__io_s,
}

/// `uv_process_t`, 136 bytes: the public `pid`, a private queue link and the wait status.
#[repr(C)]
pub struct uv_process_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub exit_cb: uv_exit_cb,
    pub pid: c_int,
    pub queue: [*mut c_void; 2],
    pub status: c_int,
}

/// `uv_fs_event_t`, 136 bytes: the watched `path` (owned by the handle), the callback and
/// 24 private bytes.
#[repr(C)]
pub struct uv_fs_event_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub path: *mut c_char,
    pub cb: uv_fs_event_cb,
    pub reserved: [*mut c_void; 3],
}

/// `uv_fs_poll_t`, 104 bytes: one private pointer to the poller's state.
#[repr(C)]
pub struct uv_fs_poll_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub poll_ctx: *mut c_void,
}

/// `uv_signal_t`, 152 bytes: the public `signum` and 40 private bytes.
#[repr(C)]
pub struct uv_signal_s {
    pub data: *mut c_void,
    pub r#loop: *mut uv_loop_t,
    pub r#type: HandleTypeArg,
    pub close_cb: uv_close_cb,
    pub handle_queue: uv__queue,
    pub u: uv_handle_u,
    pub next_closing: *mut uv_handle_t,
    pub flags: c_uint,
    pub signal_cb: uv_signal_cb,
    pub signum: c_int,
    pub reserved: [*mut c_void; 5],
}

// ---------------------------------------------------------------------------------------
// Requests.

/// `uv_shutdown_t`, 80 bytes.
#[repr(C)]
pub struct uv_shutdown_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub handle: *mut uv_stream_t,
    pub cb: uv_shutdown_cb,
}

/// `uv_write_t`, 192 bytes. `bufsml` holds up to four buffers inline; `bufs` points at it
/// or at a heap copy of a longer buffer list.
#[repr(C)]
pub struct uv_write_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub cb: uv_write_cb,
    pub send_handle: *mut uv_stream_t,
    pub handle: *mut uv_stream_t,
    pub queue: [*mut c_void; 2],
    pub write_index: c_uint,
    pub bufs: *mut uv_buf_t,
    pub nbufs: c_uint,
    pub error: c_int,
    pub bufsml: [uv_buf_t; 4],
}

/// `uv_connect_t`, 96 bytes: a private queue link after the public head.
#[repr(C)]
pub struct uv_connect_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub cb: uv_connect_cb,
    pub handle: *mut uv_stream_t,
    pub queue: [*mut c_void; 2],
}

/// `uv_udp_send_t`, 320 bytes: 240 private bytes (`reserved_private`) after the public head,
/// room for libuv's queue link, destination `sockaddr_storage`, buffer list and status.
#[repr(C)]
pub struct uv_udp_send_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub handle: *mut uv_udp_t,
    pub cb: uv_udp_send_cb,
    pub reserved_private: [*mut c_void; 30],
}

// ---------------------------------------------------------------------------------------
// Process spawning options.

/// The `data` union of `uv_stdio_container_t` (anonymous in libuv's header).
#[repr(C)]
#[derive(Clone, Copy)]
pub union uv_stdio_container_data {
    pub stream: *mut uv_stream_t,
    pub fd: c_int,
}

/// `uv_stdio_container_t`, 16 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_stdio_container_s {
    pub flags: StdioFlagsArg,
    pub data: uv_stdio_container_data,
}

/// `uv_process_options_t`, 64 bytes.
#[repr(C)]
pub struct uv_process_options_s {
    pub exit_cb: uv_exit_cb,
    pub file: *const c_char,
    pub args: *mut *mut c_char,
    pub env: *mut *mut c_char,
    pub cwd: *const c_char,
    pub flags: c_uint,
    pub stdio_count: c_int,
    pub stdio: *mut uv_stdio_container_t,
    pub uid: uv_uid_t,
    pub gid: uv_gid_t,
}

// ---------------------------------------------------------------------------------------
// `union uv_any_handle`: big enough for any handle (312 bytes, the TTY's). Members name
// the `struct uv_X_s` types, not the `uv_X_t` aliases, so that cbindgen sees the
// dependency and emits every struct before the union.

#[repr(C)]
pub union uv_any_handle {
    pub r#async: ManuallyDrop<uv_async_s>,
    pub check: ManuallyDrop<uv_check_s>,
    pub fs_event: ManuallyDrop<uv_fs_event_s>,
    pub fs_poll: ManuallyDrop<uv_fs_poll_s>,
    pub handle: ManuallyDrop<uv_handle_s>,
    pub idle: ManuallyDrop<uv_idle_s>,
    pub pipe: ManuallyDrop<uv_pipe_s>,
    pub poll: ManuallyDrop<uv_poll_s>,
    pub prepare: ManuallyDrop<uv_prepare_s>,
    pub process: ManuallyDrop<uv_process_s>,
    pub stream: ManuallyDrop<uv_stream_s>,
    pub tcp: ManuallyDrop<uv_tcp_s>,
    pub timer: ManuallyDrop<uv_timer_s>,
    pub tty: ManuallyDrop<uv_tty_s>,
    pub udp: ManuallyDrop<uv_udp_s>,
    pub signal: ManuallyDrop<uv_signal_s>,
}

// ---------------------------------------------------------------------------------------
// Layout checks against c_tests/abi/layout-1.44-linux-x86_64.txt.

/// The eight handle base fields sit where `uv_handle_t` has them.
macro_rules! assert_handle_base {
    ($t:ty) => {
        assert!(core::mem::offset_of!($t, data) == 0);
        assert!(core::mem::offset_of!($t, r#loop) == 8);
        assert!(core::mem::offset_of!($t, r#type) == 16);
        assert!(core::mem::offset_of!($t, close_cb) == 24);
        assert!(core::mem::offset_of!($t, handle_queue) == 32);
        assert!(core::mem::offset_of!($t, u) == 48);
        assert!(core::mem::offset_of!($t, next_closing) == 80);
        assert!(core::mem::offset_of!($t, flags) == 88);
    };
}

/// The stream head sits where `uv_stream_t` has it.
macro_rules! assert_stream_head {
    ($t:ty) => {
        assert_handle_base!($t);
        assert!(core::mem::offset_of!($t, write_queue_size) == 96);
        assert!(core::mem::offset_of!($t, alloc_cb) == 104);
        assert!(core::mem::offset_of!($t, read_cb) == 112);
        assert!(core::mem::offset_of!($t, connect_req) == 120);
        assert!(core::mem::offset_of!($t, shutdown_req) == 128);
        assert!(core::mem::offset_of!($t, io_watcher) == 136);
    };
}

/// The three request fields sit where `uv_req_t` has them.
macro_rules! assert_req_base {
    ($t:ty) => {
        assert!(core::mem::offset_of!($t, data) == 0);
        assert!(core::mem::offset_of!($t, r#type) == 8);
        assert!(core::mem::offset_of!($t, reserved) == 16);
    };
}
pub(crate) use assert_req_base;

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert_stream_head!(uv_stream_t);
    assert!(size_of::<uv_stream_t>() == 248);
    assert_stream_head!(uv_tcp_t);
    assert!(size_of::<uv_tcp_t>() == 248);
    assert_stream_head!(uv_pipe_t);
    assert!(size_of::<uv_pipe_t>() == 264);
    assert!(offset_of!(uv_pipe_t, ipc) == 248);
    assert!(offset_of!(uv_pipe_t, pipe_fname) == 256);
    assert_stream_head!(uv_tty_t);
    assert!(size_of::<uv_tty_t>() == 312);
    assert!(size_of::<libc::termios>() == 60);
    assert!(offset_of!(uv_tty_t, orig_termios) == 248);
    assert!(offset_of!(uv_tty_t, mode) == 308);

    assert_handle_base!(uv_udp_t);
    assert!(size_of::<uv_udp_t>() == 216);
    assert!(offset_of!(uv_udp_t, send_queue_size) == 96);
    assert!(offset_of!(uv_udp_t, send_queue_count) == 104);
    assert!(offset_of!(uv_udp_t, alloc_cb) == 112);
    assert!(offset_of!(uv_udp_t, recv_cb) == 120);
    assert!(offset_of!(uv_udp_t, io_watcher) == 128);
    assert_handle_base!(uv_poll_t);
    assert!(size_of::<uv_poll_t>() == 160);
    assert!(offset_of!(uv_poll_t, poll_cb) == 96);
    assert!(offset_of!(uv_poll_t, io_watcher) == 104);
    assert_handle_base!(uv_process_t);
    assert!(size_of::<uv_process_t>() == 136);
    assert!(offset_of!(uv_process_t, exit_cb) == 96);
    assert!(offset_of!(uv_process_t, pid) == 104);
    assert!(offset_of!(uv_process_t, status) == 128);
    assert_handle_base!(uv_fs_event_t);
    assert!(size_of::<uv_fs_event_t>() == 136);
    assert!(offset_of!(uv_fs_event_t, path) == 96);
    assert!(offset_of!(uv_fs_event_t, cb) == 104);
    assert_handle_base!(uv_fs_poll_t);
    assert!(size_of::<uv_fs_poll_t>() == 104);
    assert!(offset_of!(uv_fs_poll_t, poll_ctx) == 96);
    assert_handle_base!(uv_signal_t);
    assert!(size_of::<uv_signal_t>() == 152);
    assert!(offset_of!(uv_signal_t, signal_cb) == 96);
    assert!(offset_of!(uv_signal_t, signum) == 104);

    assert_req_base!(uv_shutdown_t);
    assert!(size_of::<uv_shutdown_t>() == 80);
    assert!(offset_of!(uv_shutdown_t, handle) == 64);
    assert!(offset_of!(uv_shutdown_t, cb) == 72);
    assert_req_base!(uv_write_t);
    assert!(size_of::<uv_write_t>() == 192);
    assert!(offset_of!(uv_write_t, cb) == 64);
    assert!(offset_of!(uv_write_t, send_handle) == 72);
    assert!(offset_of!(uv_write_t, handle) == 80);
    assert!(offset_of!(uv_write_t, queue) == 88);
    assert!(offset_of!(uv_write_t, write_index) == 104);
    assert!(offset_of!(uv_write_t, bufs) == 112);
    assert!(offset_of!(uv_write_t, nbufs) == 120);
    assert!(offset_of!(uv_write_t, error) == 124);
    assert!(offset_of!(uv_write_t, bufsml) == 128);
    assert_req_base!(uv_connect_t);
    assert!(size_of::<uv_connect_t>() == 96);
    assert!(offset_of!(uv_connect_t, cb) == 64);
    assert!(offset_of!(uv_connect_t, handle) == 72);
    assert_req_base!(uv_udp_send_t);
    assert!(size_of::<uv_udp_send_t>() == 320);
    assert!(offset_of!(uv_udp_send_t, handle) == 64);
    assert!(offset_of!(uv_udp_send_t, cb) == 72);

    assert!(size_of::<uv_stdio_container_t>() == 16);
    assert!(offset_of!(uv_stdio_container_t, flags) == 0);
    assert!(offset_of!(uv_stdio_container_t, data) == 8);
    assert!(size_of::<uv_process_options_t>() == 64);
    assert!(offset_of!(uv_process_options_t, exit_cb) == 0);
    assert!(offset_of!(uv_process_options_t, file) == 8);
    assert!(offset_of!(uv_process_options_t, args) == 16);
    assert!(offset_of!(uv_process_options_t, env) == 24);
    assert!(offset_of!(uv_process_options_t, cwd) == 32);
    assert!(offset_of!(uv_process_options_t, flags) == 40);
    assert!(offset_of!(uv_process_options_t, stdio_count) == 44);
    assert!(offset_of!(uv_process_options_t, stdio) == 48);
    assert!(offset_of!(uv_process_options_t, uid) == 56);
    assert!(offset_of!(uv_process_options_t, gid) == 60);

    assert!(size_of::<uv_any_handle>() == 312);
    assert!(align_of::<uv_any_handle>() == 8);
    assert!(size_of::<uv_membership>() == 4);
    assert!(size_of::<uv_stdio_flags>() == 4);
};
