//! Exported functions that are **not implemented yet**: every libuv 1.44 symbol that no
//! other module of rsuv defines yet, with libuv's exact C prototype, so that `libuv.so.1`
//! exports the whole ABI and programs link. Each stub fails the way libuv documents a
//! failure: `UV_ENOSYS` for functions returning an error code, `NULL` / 0 / "unknown" for
//! the others, and does nothing else. A stub never calls a callback (so a stubbed
//! `uv_pipe_connect`, which reports only through its callback, never completes).
//!
//! A few functions whose libuv implementation on Unix is a one-liner are real here already:
//! `uv_os_getpid`, `uv_os_getppid`, `uv_available_parallelism`, `uv_get_osfhandle`,
//! `uv_open_osfhandle`, `uv_tcp_simultaneous_accepts` (0 on Unix),
//! `uv_pipe_pending_instances` and `uv_tty_set_vterm_state` (no-ops on Unix),
//! `uv_tty_get_vterm_state` (`UV_ENOTSUP` on Unix), and the field readers
//! `uv_stream_get_write_queue_size`, `uv_udp_get_send_queue_size`,
//! `uv_udp_get_send_queue_count`, `uv_process_get_pid`.
//!
//! Not implemented yet, by area (each moves to its module when written):
//! - streams: `uv_listen`, `uv_accept`, `uv_read_start`, `uv_read_stop`, `uv_write`,
//!   `uv_write2`, `uv_try_write`, `uv_try_write2`, `uv_shutdown`, `uv_is_readable`,
//!   `uv_is_writable`, `uv_stream_set_blocking`, `uv_send_buffer_size`,
//!   `uv_recv_buffer_size`;
//! - TCP: `uv_tcp_init`, `uv_tcp_init_ex`, `uv_tcp_open`, `uv_tcp_nodelay`,
//!   `uv_tcp_keepalive`, `uv_tcp_bind`, `uv_tcp_getsockname`, `uv_tcp_getpeername`,
//!   `uv_tcp_close_reset`, `uv_tcp_connect`, `uv_socketpair`;
//! - pipes: `uv_pipe`, `uv_pipe_init`, `uv_pipe_open`, `uv_pipe_bind`, `uv_pipe_connect`,
//!   `uv_pipe_getsockname`, `uv_pipe_getpeername`, `uv_pipe_pending_count`,
//!   `uv_pipe_pending_type`, `uv_pipe_chmod`;
//! - TTY: `uv_tty_init`, `uv_tty_set_mode`, `uv_tty_reset_mode`, `uv_tty_get_winsize`;
//! - UDP: every `uv_udp_*` function except the two queue readers;
//! - poll: `uv_poll_init`, `uv_poll_init_socket`, `uv_poll_start`, `uv_poll_stop`;
//! - signals: `uv_signal_init`, `uv_signal_start`, `uv_signal_start_oneshot`,
//!   `uv_signal_stop`;
//! - processes: `uv_spawn`, `uv_process_kill`, `uv_kill`;
//! - filesystem watchers: `uv_fs_event_*`, `uv_fs_poll_*`.
//!
//! None of these runs callbacks, so no loop phase applies; all may be called from any
//! thread (they touch no loop state).

// Stub parameters are unused but keep libuv's names, which cbindgen copies into uv.h.
#![allow(unused_variables)]
// The safety contract of every function here is libuv's documented one for it (valid,
// initialized handles and requests; buffers of the stated size).
#![allow(clippy::missing_safety_doc)]

use core::ffi::{c_char, c_int, c_uint};

use super::types::*;
use super::types_io::*;

/// `UV_ENOSYS`: function not implemented.
const ENOSYS: c_int = -38;
/// `UV_ENOTSUP`: operation not supported.
const ENOTSUP: c_int = -95;
/// `UV_UNKNOWN_HANDLE`, as the `c_int` that C reads as `uv_handle_type`.
const UNKNOWN_HANDLE: HandleTypeArg = 0;

// ---------------------------------------------------------------------------------------
// Streams.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_listen(
    stream: *mut uv_stream_t,
    backlog: c_int,
    cb: uv_connection_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_accept(server: *mut uv_stream_t, client: *mut uv_stream_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_read_start(
    stream: *mut uv_stream_t,
    alloc_cb: uv_alloc_cb,
    read_cb: uv_read_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_read_stop(stream: *mut uv_stream_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_write(
    req: *mut uv_write_t,
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    cb: uv_write_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_write2(
    req: *mut uv_write_t,
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
    cb: uv_write_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_try_write(
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_try_write2(
    handle: *mut uv_stream_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    send_handle: *mut uv_stream_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_shutdown(
    req: *mut uv_shutdown_t,
    handle: *mut uv_stream_t,
    cb: uv_shutdown_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_readable(handle: *const uv_stream_t) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_is_writable(handle: *const uv_stream_t) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_stream_set_blocking(
    handle: *mut uv_stream_t,
    blocking: c_int,
) -> c_int {
    ENOSYS
}

/// The number of bytes queued for writing (`write_queue_size`); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_stream_get_write_queue_size(stream: *const uv_stream_t) -> usize {
    if stream.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialized stream (libuv's contract);
    // it is not NULL, and only a plain field is read.
    unsafe { (*stream).write_queue_size }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_send_buffer_size(handle: *mut uv_handle_t, value: *mut c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_recv_buffer_size(handle: *mut uv_handle_t, value: *mut c_int) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// TCP.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_init(r#loop: *mut uv_loop_t, handle: *mut uv_tcp_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_init_ex(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_tcp_t,
    flags: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_open(handle: *mut uv_tcp_t, sock: uv_os_sock_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_nodelay(handle: *mut uv_tcp_t, enable: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_keepalive(
    handle: *mut uv_tcp_t,
    enable: c_int,
    delay: c_uint,
) -> c_int {
    ENOSYS
}

/// A no-op returning 0 on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_simultaneous_accepts(
    handle: *mut uv_tcp_t,
    enable: c_int,
) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_bind(
    handle: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    flags: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_getsockname(
    handle: *const uv_tcp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_getpeername(
    handle: *const uv_tcp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_close_reset(handle: *mut uv_tcp_t, close_cb: uv_close_cb) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tcp_connect(
    req: *mut uv_connect_t,
    handle: *mut uv_tcp_t,
    addr: *const libc::sockaddr,
    cb: uv_connect_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_socketpair(
    r#type: c_int,
    protocol: c_int,
    socket_vector: *mut uv_os_sock_t,
    flags0: c_int,
    flags1: c_int,
) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// Pipes.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe(
    fds: *mut uv_file,
    read_flags: c_int,
    write_flags: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_pipe_t,
    ipc: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_open(handle: *mut uv_pipe_t, file: uv_file) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_bind(handle: *mut uv_pipe_t, name: *const c_char) -> c_int {
    ENOSYS
}

/// Not implemented: reports only through `cb`, which a stub never calls.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_connect(
    req: *mut uv_connect_t,
    handle: *mut uv_pipe_t,
    name: *const c_char,
    cb: uv_connect_cb,
) {
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getsockname(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_getpeername(
    handle: *const uv_pipe_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

/// A no-op on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_instances(handle: *mut uv_pipe_t, count: c_int) {}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_count(handle: *mut uv_pipe_t) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_pending_type(handle: *mut uv_pipe_t) -> HandleTypeArg {
    UNKNOWN_HANDLE
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_pipe_chmod(handle: *mut uv_pipe_t, flags: c_int) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// TTY.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_init(
    r#loop: *mut uv_loop_t,
    tty: *mut uv_tty_t,
    fd: uv_file,
    readable: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_set_mode(tty: *mut uv_tty_t, mode: TtyModeArg) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_reset_mode() -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_winsize(
    tty: *mut uv_tty_t,
    width: *mut c_int,
    height: *mut c_int,
) -> c_int {
    ENOSYS
}

/// A no-op on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_set_vterm_state(state: TtyVtermstateArg) {}

/// `UV_ENOTSUP` on Unix, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_tty_get_vterm_state(state: *mut TtyVtermstateArg) -> c_int {
    ENOTSUP
}

// ---------------------------------------------------------------------------------------
// UDP.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_init(r#loop: *mut uv_loop_t, handle: *mut uv_udp_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_init_ex(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_udp_t,
    flags: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_open(handle: *mut uv_udp_t, sock: uv_os_sock_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_bind(
    handle: *mut uv_udp_t,
    addr: *const libc::sockaddr,
    flags: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_connect(
    handle: *mut uv_udp_t,
    addr: *const libc::sockaddr,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_getpeername(
    handle: *const uv_udp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_getsockname(
    handle: *const uv_udp_t,
    name: *mut libc::sockaddr,
    namelen: *mut c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_membership(
    handle: *mut uv_udp_t,
    multicast_addr: *const c_char,
    interface_addr: *const c_char,
    membership: MembershipArg,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_source_membership(
    handle: *mut uv_udp_t,
    multicast_addr: *const c_char,
    interface_addr: *const c_char,
    source_addr: *const c_char,
    membership: MembershipArg,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_loop(handle: *mut uv_udp_t, on: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_multicast_interface(
    handle: *mut uv_udp_t,
    interface_addr: *const c_char,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_broadcast(handle: *mut uv_udp_t, on: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_set_ttl(handle: *mut uv_udp_t, ttl: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_send(
    req: *mut uv_udp_send_t,
    handle: *mut uv_udp_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    addr: *const libc::sockaddr,
    send_cb: uv_udp_send_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_try_send(
    handle: *mut uv_udp_t,
    bufs: *const uv_buf_t,
    nbufs: c_uint,
    addr: *const libc::sockaddr,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_recv_start(
    handle: *mut uv_udp_t,
    alloc_cb: uv_alloc_cb,
    recv_cb: uv_udp_recv_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_using_recvmmsg(handle: *const uv_udp_t) -> c_int {
    0
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_recv_stop(handle: *mut uv_udp_t) -> c_int {
    ENOSYS
}

/// The number of bytes queued for sending (`send_queue_size`); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_get_send_queue_size(handle: *const uv_udp_t) -> usize {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialized UDP handle (libuv's contract);
    // it is not NULL, and only a plain field is read.
    unsafe { (*handle).send_queue_size }
}

/// The number of queued send requests (`send_queue_count`); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_udp_get_send_queue_count(handle: *const uv_udp_t) -> usize {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: as in `uv_udp_get_send_queue_size`.
    unsafe { (*handle).send_queue_count }
}

// ---------------------------------------------------------------------------------------
// Poll.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    fd: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_init_socket(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_poll_t,
    socket: uv_os_sock_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_start(
    handle: *mut uv_poll_t,
    events: c_int,
    cb: uv_poll_cb,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_poll_stop(handle: *mut uv_poll_t) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// Signals.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_init(r#loop: *mut uv_loop_t, handle: *mut uv_signal_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_start_oneshot(
    handle: *mut uv_signal_t,
    signal_cb: uv_signal_cb,
    signum: c_int,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_signal_stop(handle: *mut uv_signal_t) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// Processes.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_spawn(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_process_t,
    options: *const uv_process_options_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_kill(handle: *mut uv_process_t, signum: c_int) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_kill(pid: c_int, signum: c_int) -> c_int {
    ENOSYS
}

/// The child's process id (`pid`); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_process_get_pid(handle: *const uv_process_t) -> uv_pid_t {
    if handle.is_null() {
        return 0;
    }
    // SAFETY: the caller passes a pointer to an initialized process handle (libuv's
    // contract); it is not NULL, and only a plain field is read.
    unsafe { (*handle).pid }
}

// ---------------------------------------------------------------------------------------
// Filesystem watchers.

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_fs_event_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_start(
    handle: *mut uv_fs_event_t,
    cb: uv_fs_event_cb,
    path: *const c_char,
    flags: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_stop(handle: *mut uv_fs_event_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_event_getpath(
    handle: *mut uv_fs_event_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_init(
    r#loop: *mut uv_loop_t,
    handle: *mut uv_fs_poll_t,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_start(
    handle: *mut uv_fs_poll_t,
    poll_cb: uv_fs_poll_cb,
    path: *const c_char,
    interval: c_uint,
) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_stop(handle: *mut uv_fs_poll_t) -> c_int {
    ENOSYS
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_fs_poll_getpath(
    handle: *mut uv_fs_poll_t,
    buffer: *mut c_char,
    size: *mut usize,
) -> c_int {
    ENOSYS
}

// ---------------------------------------------------------------------------------------
// System information. The rest of it, and shared libraries: src/ffi/os.rs.

/// The number of CPUs this process may use; at least 1.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_available_parallelism() -> c_uint {
    std::thread::available_parallelism()
        .map_or(1, |n| c_uint::try_from(n.get()).unwrap_or(c_uint::MAX))
}

// uv_os_getpid, uv_os_getppid: src/ffi/misc.rs.

/// On Unix the OS handle of a descriptor is the descriptor itself, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_get_osfhandle(fd: c_int) -> uv_os_fd_t {
    fd
}

/// On Unix the descriptor of an OS handle is the handle itself, as in libuv.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn uv_open_osfhandle(os_fd: uv_os_fd_t) -> c_int {
    os_fd
}
