//! The gate between the signal handler and a loop's eventfd (see the parent module):
//! handlers count themselves in `busy` while they may use the descriptor; releasing the
//! node clears `fd` first, then waits for `busy` to drain, so that once `release` returns
//! no handler can still write to the descriptor, which the caller then closes (and the
//! kernel may reuse). Each side writes one variable and then reads the other's (the
//! store-buffering shape), so a `SeqCst` fence sits between the write and the read on both
//! sides: of the two fences, whichever comes first in their total order makes the other
//! side see its write, so either the handler sees -1 or the release sees the handler
//! counted. (`SeqCst` on the accesses alone gives the same in C++'s model, but loom checks
//! only fences for it.) Atomics come from `super::sync`, so that `crate::loom_models` can run this
//! same file under loom.

use super::sync::{AtomicI32, AtomicU32, Ordering, fence, yield_now};
use core::ffi::c_int;

pub(crate) struct Gate {
    /// Handlers currently inside the gate.
    busy: AtomicU32,
    /// The loop's eventfd; -1 while released.
    fd: AtomicI32,
}

impl Gate {
    pub(crate) fn new(fd: c_int) -> Gate {
        Gate {
            busy: AtomicU32::new(0),
            fd: AtomicI32::new(fd),
        }
    }

    /// The descriptor (-1 while released), for the loop thread.
    pub(crate) fn fd(&self) -> c_int {
        self.fd.load(Ordering::SeqCst)
    }

    /// Gives a released gate a new descriptor (the loop that claims the node).
    pub(crate) fn open(&self, fd: c_int) {
        self.fd.store(fd, Ordering::SeqCst);
    }

    /// In a handler: runs `f` with the descriptor unless the gate is released; the
    /// descriptor stays open until `f` returns. Async-signal-safe.
    pub(crate) fn visit(&self, f: impl FnOnce(c_int)) {
        self.busy.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let fd = self.fd.load(Ordering::SeqCst);
        if fd >= 0 {
            f(fd);
        }
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }

    /// Releases the gate: returns the descriptor (-1 if it had none), which no handler
    /// uses any more.
    pub(crate) fn release(&self) -> c_int {
        let fd = self.fd.swap(-1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        while self.busy.load(Ordering::SeqCst) != 0 {
            yield_now();
        }
        fd
    }
}
