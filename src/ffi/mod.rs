//! The C surface of rsuv: every type C sees and every exported `uv_*` function.
//!
//! # Ownership rules
//! - The caller allocates every handle and request; rsuv never allocates one. A handle stays
//!   valid from its `uv_*_init` until its close callback has run; a request from its
//!   submission until its completion callback has run. rsuv keeps raw pointers to them only
//!   within those windows.
//! - Handles cannot move while open, so rsuv keeps per-handle state *inline*, in the private
//!   fields of libuv's own layout (intrusive list links, heap index, flags). Only the loop
//!   has boxed state: `uv_loop_t.internal_fields` points to a `Box<LoopInner>` created by
//!   `uv_loop_init` and freed by `uv_loop_close`.
//! - Every entry point checks what it can: NULL pointers, the handle's `type` tag, a closing
//!   or closed handle, and returns `UV_EINVAL` (or the documented code) instead of trusting it.
//! - Only `uv_async_send`, the thread primitives and the pool's internals may run on a thread
//!   other than the loop's.

mod check;
pub mod core;
pub mod dns;
pub mod error;
pub mod fs;
pub mod fs_watch;
pub mod misc;
pub mod os;
pub mod pipe;
pub mod poll;
pub mod process;
pub mod signal;
pub mod stream;
pub mod tcp;
pub mod thread;
pub mod tty;
pub mod udp;
pub mod work;
pub mod wtf8;
