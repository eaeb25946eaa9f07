//! Tickets: the pool's own queue entries, one per queued work item.
//!
//! The queues hold a ticket, not the `uv__work` itself, because a queue entry cannot be
//! taken out of a `crossbeam_deque::Injector`: after `uv_cancel` wins, the request's
//! callback runs at once and the program may free or reuse the request, while its entry
//! is still queued. So the entry points at pool-owned memory that outlives the request:
//! a ticket whose `item` is the work item until either a worker or `cancel` claims it
//! with one atomic swap (whoever gets the non-NULL pointer owns the item; the other sees
//! NULL). A ticket is in a queue at most once at a time and recycled exactly once per
//! use: by the worker that pops it when its item was cancelled, else by the item's loop
//! once the item is finished, into that loop's [`Spare`] tickets (its next submissions
//! take from there first).
//!
//! Tickets live in chunks that are never freed (chunk `k` holds `1024 << k` tickets, so
//! the slab grows to the largest number of items ever queued at once, by doubling), which
//! is what makes a stale ticket pointer safe to read: `cancel` may look at a ticket that
//! already carries another item, and its compare-exchange simply fails. Free tickets form
//! a lock-free stack of indices whose head carries a generation tag against ABA. Taking or
//! returning a ticket is one compare-exchange; only growing the slab takes a lock.

use crate::sync;

mod slab;

pub(crate) use slab::{Spare, Ticket};

/// log2 of the first chunk's size.
const FIRST_SHIFT: u32 = 10;

/// The process's tickets; never freed (see the module docs).
static SLAB: slab::Slab<FIRST_SHIFT> = slab::Slab::new();

/// Takes a free ticket (its `item` is NULL), growing the slab when none is free.
#[cfg(test)]
pub(crate) fn take() -> &'static Ticket {
    SLAB.take()
}

/// Takes a ticket from `spare`, or a free one when it has none.
#[inline]
pub(crate) fn take_spare(spare: &Spare) -> &'static Ticket {
    SLAB.take_spare(spare)
}

/// Keeps `t` in `spare` (its queue entry has been popped; its `item` is NULL).
#[inline]
pub(crate) fn keep(spare: &Spare, t: &'static Ticket) {
    SLAB.keep(spare, t)
}

/// Returns the tickets of `spare` to the free stack.
pub(crate) fn release(spare: &Spare) {
    SLAB.release(spare)
}

/// Returns `t` to the free stack. Its queue entry has been popped; its `item` is NULL.
pub(crate) fn give_back(t: &'static Ticket) {
    SLAB.give_back(t)
}

/// Is `p` the address of a ticket? (`cancel` checks a request's `wq[1]` with it, so that
/// a request that was never submitted is refused instead of followed.)
pub(crate) fn is_ticket(p: *const Ticket) -> bool {
    SLAB.is_ticket(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::uv__work;
    use core::ptr;
    use std::sync::atomic::Ordering;

    #[test]
    fn index_math_round_trips() {
        for i in [0u32, 1, 1023, 1024, 3071, 3072, 7167, 7168, 100_000] {
            let v = u64::from(i) + 1024;
            let k = 63 - v.leading_zeros() - FIRST_SHIFT;
            let off = v - (1024u64 << k);
            assert_eq!(FIRST_SHIFT, 10);
            let base = (1024u64 << k) - 1024;
            assert_eq!(base + off, u64::from(i));
            assert!(off < 1024u64 << k);
        }
    }

    #[test]
    fn only_tickets_are_tickets() {
        let t = take();
        let p = ptr::from_ref(t);
        assert!(is_ticket(p));
        assert!(!is_ticket(p.cast::<u8>().wrapping_add(4).cast()));
        assert!(!is_ticket(ptr::null()));
        assert!(!is_ticket(ptr::from_ref(&FIRST_SHIFT).cast()));
        give_back(t);
    }

    #[test]
    fn take_and_give_back_from_many_threads() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..20_000 {
                        let held: Vec<_> = (0..5).map(|_| take()).collect();
                        for t in &held {
                            // A ticket is never handed to two holders at once.
                            let me = ptr::from_ref::<Ticket>(t).cast_mut().cast::<uv__work>();
                            assert!(t.item.swap(me, Ordering::AcqRel).is_null());
                        }
                        for t in held {
                            t.item.store(ptr::null_mut(), Ordering::Release);
                            give_back(t);
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
