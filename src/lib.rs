//! rsuv: libuv rebuilt in Rust, delivered as `libuv.so.1` with a generated `uv.h`.
//!
//! Layers, one direction of dependency, top to bottom (see ../shared/DESIGN.md):
//! - [`ffi`]: the C surface, and nothing else: every exported `uv_*` function checks its
//!   arguments and calls the core. No other module imports it.
//! - the core, one module per libuv concept: [`uvloop`] (phases, handle list, pending and
//!   closing queues), [`timer`], [`watcher`] (idle/prepare/check), [`async_handle`],
//!   [`stream`], [`tcp`], [`pipe`], [`tty`], [`udp`], [`poll`], [`signal`], [`process`],
//!   [`fs`], [`fs_event`], [`fs_poll`], [`dns`], [`work`], [`thread`], [`os`].
//! - [`pool`]: the process-wide thread pool.
//! - [`sys`]: the OS: readiness backends (native epoll, `polling`), the wake-up eventfd, clocks.
//! - [`abi`]: the ground floor: the `#[repr(C)]` layouts cbindgen turns into `include/uv.h`,
//!   every ABI constant, the error table and the allocator. Depends on `libc` only.

pub mod abi;
pub mod ffi;

pub(crate) mod async_handle;
pub(crate) mod dns;
pub(crate) mod fs;
pub(crate) mod fs_event;
pub(crate) mod fs_poll;
pub(crate) mod os;
pub(crate) mod pipe;
pub(crate) mod poll;
pub(crate) mod pool;
pub(crate) mod process;
pub(crate) mod signal;
pub(crate) mod stream;
pub(crate) mod sync;
pub(crate) mod sys;
pub(crate) mod tcp;
pub(crate) mod thread;
pub(crate) mod timer;
pub(crate) mod tty;
pub(crate) mod udp;
pub(crate) mod uvloop;
pub(crate) mod watcher;
pub(crate) mod work;
pub(crate) mod wtf8;

#[cfg(all(test, loom))]
mod loom_models;
