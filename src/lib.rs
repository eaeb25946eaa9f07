//! rsuv: libuv 1.44 rebuilt in Rust, delivered as `libuv.so.1` with a generated `uv.h`.
//!
//! Layers, top to bottom (see ../shared/DESIGN.md):
//! - [`ffi`]: the C surface. `#[repr(C)]` layouts that cbindgen turns into `include/uv.h`,
//!   every exported `uv_*` function, argument checks, errno mapping.
//! - the core, one module per libuv concept: [`uvloop`] (phases, handle list, pending and
//!   closing queues), [`handle`], [`timer`], [`watcher`] (idle/prepare/check), [`async_handle`].
//! - [`pool`]: the process-wide thread pool.
//! - [`sys`]: the OS: readiness backends (native epoll, `polling`), the wake-up eventfd, clocks.

pub mod ffi;

pub(crate) mod async_handle;
pub(crate) mod dns;
pub(crate) mod error;
pub(crate) mod fs;
pub(crate) mod fs_event;
pub(crate) mod fs_poll;
pub(crate) mod handle;
pub(crate) mod os;
pub(crate) mod pipe;
pub(crate) mod poll;
pub(crate) mod pool;
pub(crate) mod process;
pub(crate) mod queue;
pub(crate) mod signal;
pub(crate) mod stream;
pub(crate) mod sys;
pub(crate) mod tcp;
pub(crate) mod timer;
pub(crate) mod tty;
pub(crate) mod udp;
pub(crate) mod uvloop;
pub(crate) mod watcher;
