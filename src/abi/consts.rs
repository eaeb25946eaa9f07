//! The ABI's numbers as plain `c_int`s, for Rust code to compare and store.
//!
//! The header's enums (in [`super::base`] and [`super::io`]) are the one place that spells
//! each value; the constants here are derived from them, so a number is written once. The
//! handle flags are libuv's private bits of `uv_handle_t.flags` (offset 88): programs read
//! and set some of them (0x4000, "readable", on a write-only pipe), so they keep libuv's
//! values too and live here rather than with the code that uses them.

use core::ffi::{CStr, c_int};
use core::mem::size_of;

use super::base::*;
use super::io::*;
use super::req::*;

macro_rules! tags {
    ($enum:ident: $($name:ident),* $(,)?) => {
        $(pub(crate) const $name: c_int = $enum::$name as c_int;)*
    };
}

// Handle type tags (`uv_handle_type`), as stored in `uv_handle_t.type`.
tags!(uv_handle_type: UV_UNKNOWN_HANDLE, UV_ASYNC, UV_CHECK, UV_FS_EVENT, UV_FS_POLL,
    UV_HANDLE, UV_IDLE, UV_NAMED_PIPE, UV_POLL, UV_PREPARE, UV_PROCESS, UV_STREAM, UV_TCP,
    UV_TIMER, UV_TTY, UV_UDP, UV_SIGNAL, UV_HANDLE_TYPE_MAX);

// Request type tags (`uv_req_type`), as stored in `uv_req_t.type`.
tags!(uv_req_type: UV_UNKNOWN_REQ, UV_REQ, UV_CONNECT, UV_WRITE, UV_SHUTDOWN, UV_UDP_SEND,
    UV_FS, UV_WORK, UV_GETADDRINFO, UV_GETNAMEINFO, UV_RANDOM, UV_REQ_TYPE_MAX);

/// Flag words taken as `unsigned int` (bit sets): the same values as `c_uint`s.
macro_rules! bits {
    ($enum:ident: $($name:ident),* $(,)?) => {
        $(pub(crate) const $name: core::ffi::c_uint = $enum::$name as core::ffi::c_uint;)*
    };
}

// `uv_tcp_init_ex` / `uv_tcp_bind` flags.
bits!(uv_tcp_flags: UV_TCP_IPV6ONLY, UV_TCP_REUSEPORT);

// `uv_udp_init_ex` / `uv_udp_bind` / receive-callback flags.
bits!(uv_udp_flags: UV_UDP_IPV6ONLY, UV_UDP_PARTIAL, UV_UDP_REUSEADDR, UV_UDP_MMSG_CHUNK,
    UV_UDP_MMSG_FREE, UV_UDP_LINUX_RECVERR, UV_UDP_REUSEPORT, UV_UDP_RECVMMSG);

// `uv_pipe_bind2` / `uv_pipe_connect2` flags.
bits!(uv_pipe_flags: UV_PIPE_NO_TRUNCATE);

// `uv_thread_options_t.flags`.
bits!(uv_thread_create_flags: UV_THREAD_HAS_STACK_SIZE);

// `uv_clock_gettime` clocks.
tags!(uv_clock_id: UV_CLOCK_MONOTONIC, UV_CLOCK_REALTIME);

// `uv_run` modes.
tags!(uv_run_mode: UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT);

// `uv_loop_configure` options.
tags!(uv_loop_option: UV_LOOP_BLOCK_SIGNAL, UV_METRICS_IDLE_TIME, UV_LOOP_USE_IO_URING_SQPOLL);

// `uv_udp_set_membership` and `uv_udp_set_source_membership`.
tags!(uv_membership: UV_LEAVE_GROUP, UV_JOIN_GROUP);

// `uv_stdio_container_t.flags`.
tags!(uv_stdio_flags: UV_IGNORE, UV_CREATE_PIPE, UV_INHERIT_FD, UV_INHERIT_STREAM,
    UV_READABLE_PIPE, UV_WRITABLE_PIPE, UV_NONBLOCK_PIPE);

// The events of a `uv_fs_event_cb`.
tags!(uv_fs_event: UV_RENAME, UV_CHANGE);

// `uv_fs_t.fs_type`.
tags!(uv_fs_type: UV_FS_UNKNOWN, UV_FS_OPEN, UV_FS_CLOSE, UV_FS_READ, UV_FS_WRITE, UV_FS_SENDFILE, UV_FS_STAT, UV_FS_LSTAT, UV_FS_FSTAT, UV_FS_FTRUNCATE, UV_FS_UTIME, UV_FS_FUTIME, UV_FS_ACCESS, UV_FS_CHMOD, UV_FS_FCHMOD, UV_FS_FSYNC, UV_FS_FDATASYNC, UV_FS_UNLINK, UV_FS_RMDIR, UV_FS_MKDIR, UV_FS_MKDTEMP, UV_FS_RENAME, UV_FS_SCANDIR, UV_FS_LINK, UV_FS_SYMLINK, UV_FS_READLINK, UV_FS_CHOWN, UV_FS_FCHOWN, UV_FS_REALPATH, UV_FS_COPYFILE, UV_FS_LCHOWN, UV_FS_OPENDIR, UV_FS_READDIR, UV_FS_CLOSEDIR, UV_FS_STATFS, UV_FS_MKSTEMP, UV_FS_LUTIME);

/// libuv's lower-case handle names, indexed by type tag (`uv_handle_type_name`).
pub(crate) const HANDLE_TYPE_NAMES: [&CStr; UV_HANDLE_TYPE_MAX as usize] = [
    c"unknown",
    c"async",
    c"check",
    c"fs_event",
    c"fs_poll",
    c"handle",
    c"idle",
    c"pipe",
    c"poll",
    c"prepare",
    c"process",
    c"stream",
    c"tcp",
    c"timer",
    c"tty",
    c"udp",
    c"signal",
    c"file",
];

/// libuv's lower-case request names, indexed by type tag (`uv_req_type_name`).
pub(crate) const REQ_TYPE_NAMES: [&CStr; UV_REQ_TYPE_MAX as usize] = [
    c"unknown",
    c"req",
    c"connect",
    c"write",
    c"shutdown",
    c"udp_send",
    c"fs",
    c"work",
    c"getaddrinfo",
    c"getnameinfo",
    c"random",
];

/// `sizeof` of each handle type (`uv_handle_size`); `None` for a tag that names none.
pub(crate) fn handle_size(t: c_int) -> Option<usize> {
    Some(match t {
        UV_ASYNC => size_of::<uv_async_t>(),
        UV_CHECK => size_of::<uv_check_t>(),
        UV_IDLE => size_of::<uv_idle_t>(),
        UV_PREPARE => size_of::<uv_prepare_t>(),
        UV_FS_EVENT => size_of::<uv_fs_event_t>(),
        UV_FS_POLL => size_of::<uv_fs_poll_t>(),
        UV_HANDLE => size_of::<uv_handle_t>(),
        UV_NAMED_PIPE => size_of::<uv_pipe_t>(),
        UV_POLL => size_of::<uv_poll_t>(),
        UV_PROCESS => size_of::<uv_process_t>(),
        UV_STREAM => size_of::<uv_stream_t>(),
        UV_TCP => size_of::<uv_tcp_t>(),
        UV_TIMER => size_of::<uv_timer_t>(),
        UV_TTY => size_of::<uv_tty_t>(),
        UV_UDP => size_of::<uv_udp_t>(),
        UV_SIGNAL => size_of::<uv_signal_t>(),
        _ => return None,
    })
}

/// `sizeof` of each request type (`uv_req_size`); `None` for a tag that names none.
pub(crate) fn req_size(t: c_int) -> Option<usize> {
    Some(match t {
        UV_REQ => size_of::<uv_req_t>(),
        UV_CONNECT => size_of::<uv_connect_t>(),
        UV_WRITE => size_of::<uv_write_t>(),
        UV_SHUTDOWN => size_of::<uv_shutdown_t>(),
        UV_UDP_SEND => size_of::<uv_udp_send_t>(),
        UV_FS => size_of::<uv_fs_t>(),
        UV_WORK => size_of::<uv_work_t>(),
        UV_GETADDRINFO => size_of::<uv_getaddrinfo_t>(),
        UV_GETNAMEINFO => size_of::<uv_getnameinfo_t>(),
        UV_RANDOM => size_of::<uv_random_t>(),
        _ => return None,
    })
}

/// libuv's private bits of `uv_handle_t.flags`, with libuv's values. Some bits mean
/// different things on different handle types, as in libuv.
pub(crate) mod flags {
    pub(crate) const CLOSING: u32 = 0x0000_0001;
    pub(crate) const CLOSED: u32 = 0x0000_0002;
    pub(crate) const ACTIVE: u32 = 0x0000_0004;
    pub(crate) const REF: u32 = 0x0000_0008;
    pub(crate) const INTERNAL: u32 = 0x0000_0010;
    /// `UV_HANDLE_SHUTTING`: a stream has a shutdown request queued.
    pub(crate) const SHUTTING: u32 = 0x0000_0100;
    /// `UV_HANDLE_SHUT`: a stream's write side was shut down.
    pub(crate) const SHUT: u32 = 0x0000_0200;
    /// `UV_HANDLE_READ_PARTIAL`: a stream's last read did not fill the buffer.
    pub(crate) const READ_PARTIAL: u32 = 0x0000_0400;
    /// `UV_HANDLE_READ_EOF`: a stream read end-of-file.
    pub(crate) const READ_EOF: u32 = 0x0000_0800;
    /// `UV_HANDLE_READING`: `uv_read_start` is in force on a stream.
    pub(crate) const READING: u32 = 0x0000_1000;
    /// `UV_HANDLE_BOUND`: a socket handle was bound (UDP, TCP).
    pub(crate) const BOUND: u32 = 0x0000_2000;
    /// `UV_HANDLE_READABLE`: a stream can be read (programs set it on write-only pipes).
    pub(crate) const READABLE: u32 = 0x0000_4000;
    /// `UV_HANDLE_WRITABLE`: a stream can be written.
    pub(crate) const WRITABLE: u32 = 0x0000_8000;
    /// `UV_HANDLE_BLOCKING_WRITES`: a stream writes synchronously (a TTY not reopened).
    pub(crate) const BLOCKING_WRITES: u32 = 0x0010_0000;
    /// `UV_HANDLE_IPV6`: the socket is AF_INET6 (UDP, TCP).
    pub(crate) const IPV6: u32 = 0x0040_0000;
    /// `UV_HANDLE_TCP_NODELAY`: apply TCP_NODELAY when the socket is created.
    pub(crate) const TCP_NODELAY: u32 = 0x0100_0000;
    /// `UV_HANDLE_TCP_KEEPALIVE`: apply SO_KEEPALIVE when the socket is created.
    pub(crate) const TCP_KEEPALIVE: u32 = 0x0200_0000;
    /// `UV_HANDLE_TCP_SINGLE_ACCEPT`: `uv_tcp_simultaneous_accepts(h, 0)`.
    pub(crate) const TCP_SINGLE_ACCEPT: u32 = 0x0400_0000;
    /// `UV_HANDLE_UDP_PROCESSING`: a UDP handle is running its send callbacks.
    pub(crate) const UDP_PROCESSING: u32 = 0x0100_0000;
    /// `UV_HANDLE_UDP_CONNECTED`: a UDP handle has a default peer (`uv_udp_connect`).
    pub(crate) const UDP_CONNECTED: u32 = 0x0200_0000;
    /// `UV_HANDLE_UDP_RECVMMSG`: `uv_udp_init_ex` was given `UV_UDP_RECVMMSG`.
    pub(crate) const UDP_RECVMMSG: u32 = 0x0400_0000;
    /// `UV_SIGNAL_ONE_SHOT`: a signal handle started with `uv_signal_start_oneshot`.
    pub(crate) const SIGNAL_ONE_SHOT: u32 = 0x0200_0000;
}

/// The libuv version rsuv implements: the crate's own version (Cargo.toml), from which
/// build.rs also writes `include/uv/version.h`.
pub(crate) const VERSION_MAJOR: u32 = parse_u32(env!("CARGO_PKG_VERSION_MAJOR"));
pub(crate) const VERSION_MINOR: u32 = parse_u32(env!("CARGO_PKG_VERSION_MINOR"));
pub(crate) const VERSION_PATCH: u32 = parse_u32(env!("CARGO_PKG_VERSION_PATCH"));
/// `UV_VERSION_HEX`.
pub(crate) const VERSION_HEX: u32 = (VERSION_MAJOR << 16) | (VERSION_MINOR << 8) | VERSION_PATCH;
/// `uv_version_string()`: "MAJOR.MINOR.PATCH" (rsuv builds only releases: no suffix).
pub(crate) const VERSION_STRING: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(s) => s,
        Err(_) => panic!("the crate version is a C string"),
    };

/// A decimal number at compile time (the version components Cargo hands over as text).
const fn parse_u32(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        assert!(
            b[i].is_ascii_digit(),
            "a version component is a decimal number"
        );
        n = n * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    n
}

/// libuv's largest single transfer (`UV__IO_MAX_BYTES`, 2 GiB less a page): writes and
/// sends above it are refused with `UV_EINVAL` (libuv 1.53), reads are cut to it.
pub(crate) const IO_MAX_BYTES: usize = 0x7fff_f000;

/// The most buffers one write or send may name (libuv 1.53: a count past it is a negative
/// number converted to unsigned).
pub(crate) const MAX_BUFS: usize = 1024 * 1024;
