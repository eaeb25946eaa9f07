//! The ground floor: libuv's ABI, and nothing else. Depends on `libc` only; every other
//! module of the crate builds on it, and it imports none of them.
//!
//! - [`base`], [`io`], [`req`]: every `#[repr(C)]` type C sees, with libuv 1.44's (and
//!   1.53's: they agree) sizes and public field offsets on Linux x86_64, pinned by `const`
//!   assertions beside each group. cbindgen reads these to write `include/uv.h`.
//! - [`consts`]: the type tags, modes and flags as plain `c_int`s, derived from the enums,
//!   and libuv's private handle flags. No other module defines an ABI number.
//! - [`errno`]: the one table of `UV_E*` codes, names and messages.
//! - [`alloc`]: the allocator of `uv_replace_allocator`.
//!
//! # Ownership rules
//! - The caller allocates every handle and request; rsuv never allocates one. A handle stays
//!   valid from its `uv_*_init` until its close callback has run; a request from its
//!   submission until its completion callback has run. rsuv keeps raw pointers to them only
//!   within those windows.
//! - Handles cannot move while open, so rsuv keeps per-handle state *inline*, in the private
//!   fields of libuv's own layout (intrusive list links, heap index, flags). Only the loop
//!   has boxed state: `uv_loop_t.internal_fields` points to the loop's private state,
//!   created by `uv_loop_init` and freed by `uv_loop_close`.
//! - Only `uv_async_send`, the thread primitives and the pool's internals may run on a thread
//!   other than the loop's.

pub mod base;
pub mod io;
pub mod req;

pub(crate) mod alloc;
pub(crate) mod consts;
pub(crate) mod errno;

pub use base::*;
pub(crate) use consts::*;
pub use io::*;
pub use req::*;
