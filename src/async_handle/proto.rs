//! The async handle's handshake (see the parent module): `pending` (0/1) says the handle
//! is sent and not yet dispatched, `busy` counts senders between their claim and the end of
//! their push. Atomics come from `super::sync`, so that `crate::loom_models` can run this
//! same file under loom; the handle's fields are viewed as these atomics by the caller.

use super::sync::{AtomicI32, Ordering, fence, spin_loop, yield_now};

/// `uv_async_send`: calls `push` (link the handle for the loop) when this send is the one
/// that flips `pending` from 0 to 1.
pub(crate) fn send(pending: &AtomicI32, busy: &AtomicI32, push: impl FnOnce()) {
    // A cheap read first: a handle already sent needs nothing more. The fence orders the
    // caller's earlier writes before this read, so that if the read sees 1, the loop's
    // later reset to 0 (and the callback after it) sees those writes.
    fence(Ordering::SeqCst);
    if pending.load(Ordering::Relaxed) != 0 {
        return;
    }
    busy.fetch_add(1, Ordering::SeqCst);
    if pending.swap(1, Ordering::SeqCst) == 0 {
        push();
    }
    busy.fetch_sub(1, Ordering::SeqCst);
}

/// The loop took the handle off its stack: should its callback run? (Sends from here on
/// schedule another callback.)
pub(crate) fn claim(pending: &AtomicI32) -> bool {
    pending.swap(0, Ordering::SeqCst) != 0
}

/// `uv_close`: no send can start a push once this returns, and every push that started
/// has finished. Returns whether the handle was sent (so it may be on the loop's lists).
pub(crate) fn close(pending: &AtomicI32, busy: &AtomicI32) -> bool {
    // Claim `pending` first: from here no sender can win the 0 -> 1 flip, so none will
    // start a push; one that already won is counted in `busy`, so wait for it to finish.
    // A send after close stays a no-op, as `pending` stays 1.
    let was_sent = pending.swap(1, Ordering::SeqCst) == 1;
    let mut spins = 0u32;
    while busy.load(Ordering::SeqCst) != 0 {
        spins += 1;
        if spins.is_multiple_of(1000) {
            yield_now();
        } else {
            spin_loop();
        }
    }
    was_sent
}
