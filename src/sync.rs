//! The synchronisation primitives of rsuv's lock-free protocols, and their `loom` twins.
//!
//! Each protocol's state machine lives in a small file of its own that takes its atomics
//! from `super::sync` (never from `std` directly):
//!
//! - `pool/ticket/slab.rs`: the pool's ticket hand-off (free stack with an ABA tag, growth);
//! - `pool/stack.rs`: the completion stack pool workers push finished work onto;
//! - `async_handle/proto.rs`: `uv_async_send`'s pending/busy handshake with dispatch and
//!   close;
//! - `signal/gate.rs`: the signal handler's use of a loop's eventfd against its release.
//!
//! In the library their parent module binds `sync` to this module (`use crate::sync;`), so
//! they run on `std`'s atomics. Under `--cfg loom`, `crate::loom_models` compiles the very
//! same files a second time inside modules that bind `sync` to [`model`] (loom's atomics),
//! and explores their interleavings with `loom::model` (`scripts/loom.sh`). This keeps the
//! library itself unchanged under `cfg(loom)` (its statics and the atomics it views in C
//! structs cannot be loom objects) while the models check the code that ships.

pub(crate) use core::hint::spin_loop;
pub(crate) use std::sync::Mutex;
pub(crate) use std::sync::atomic::{
    AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
pub(crate) use std::thread::yield_now;

/// `const fn` on `std`, a plain `fn` under loom (whose constructors are not `const`): for
/// constructors that statics of the library use.
macro_rules! const_fn {
    ($(#[$m:meta])* $v:vis fn $($rest:tt)*) => { $(#[$m])* $v const fn $($rest)* };
}
pub(crate) use const_fn;

/// `[value; N]` of a non-`Copy` value (an atomic), in a `const` context on `std`.
macro_rules! array_of {
    ($e:expr; $n:expr) => {
        [const { $e }; $n]
    };
}
pub(crate) use array_of;

/// The same names, from loom, for the models (loom is a dev-dependency under `cfg(loom)`).
#[cfg(all(test, loom))]
pub(crate) mod model {
    pub(crate) use loom::hint::spin_loop;
    pub(crate) use loom::sync::Mutex;
    pub(crate) use loom::sync::atomic::{
        AtomicBool, AtomicI32, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
    };
    pub(crate) use loom::thread::yield_now;

    macro_rules! const_fn {
        ($(#[$m:meta])* $v:vis fn $($rest:tt)*) => { $(#[$m])* $v fn $($rest)* };
    }
    pub(crate) use const_fn;

    macro_rules! array_of {
        ($e:expr; $n:expr) => {
            core::array::from_fn(|_| $e)
        };
    }
    pub(crate) use array_of;
}
