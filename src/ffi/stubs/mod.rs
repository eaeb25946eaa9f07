//! Exported functions that are **not implemented yet**, one file per area: every libuv 1.44
//! symbol that no other module of rsuv defines yet, with libuv's exact C prototype, so that `libuv.so.1`
//! exports the whole ABI and programs link. Each stub fails the way libuv documents a
//! failure: `UV_ENOSYS` for functions returning an error code, `NULL` / 0 / "unknown" for
//! the others, and does nothing else. A stub never calls a callback (so a stubbed
//! `uv_pipe_connect`, which reports only through its callback, never completes).
//!
//! A few functions of these areas whose libuv implementation on Unix is a one-liner are
//! real here already (and still counted as stubs until their area lands):
//! `uv_tcp_simultaneous_accepts` (0 on Unix),
//! `uv_pipe_pending_instances` and `uv_tty_set_vterm_state` (no-ops on Unix),
//! `uv_tty_get_vterm_state` (`UV_ENOTSUP` on Unix), and the field readers
//! `uv_stream_get_write_queue_size`, `uv_process_get_pid`.
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
//! - signals: `uv_signal_init`, `uv_signal_start`, `uv_signal_start_oneshot`,
//!   `uv_signal_stop`;
//! - processes: `uv_spawn`, `uv_process_kill`, `uv_kill`.
//!
//! None of these runs callbacks, so no loop phase applies; all may be called from any
//! thread (they touch no loop state).

#[allow(unused_imports)]
pub(crate) use core::ffi::{c_char, c_int, c_uint, c_void};

pub(crate) use super::types::*;
pub(crate) use super::types_io::*;
#[allow(unused_imports)]
pub(crate) use super::types_req::*;

/// `UV_ENOSYS`: function not implemented.
pub(crate) const ENOSYS: c_int = -38;
/// `UV_ENOTSUP`: operation not supported.
pub(crate) const ENOTSUP: c_int = -95;
/// `UV_UNKNOWN_HANDLE`, as the `c_int` that C reads as `uv_handle_type`.
pub(crate) const UNKNOWN_HANDLE: HandleTypeArg = 0;

mod pipe;
mod process;
mod signal;
mod stream;
mod tcp;
mod tty;
