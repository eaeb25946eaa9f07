//! Tickets: the pool's own queue entries, one per queued work item.
//!
//! The queues hold a ticket, not the `uv__work` itself, because a queue entry cannot be
//! taken out of a `crossbeam_deque::Injector`: after `uv_cancel` wins, the request's
//! callback runs at once and the program may free or reuse the request, while its entry
//! is still queued. So the entry points at pool-owned memory that outlives the request:
//! a ticket whose `item` is the work item until either a worker or `cancel` claims it
//! with one atomic swap (whoever gets the non-NULL pointer owns the item; the other sees
//! NULL). The worker that pops a ticket recycles it, so a ticket is in a queue at most
//! once at a time and is recycled exactly once per use.
//!
//! Tickets live in chunks that are never freed (chunk `k` holds `1024 << k` tickets, so
//! the slab grows to the largest number of items ever queued at once, by doubling), which
//! is what makes a stale ticket pointer safe to read: `cancel` may look at a ticket that
//! already carries another item, and its compare-exchange simply fails. Free tickets form
//! a lock-free stack of indices whose head carries a generation tag against ABA. Taking or
//! returning a ticket is one compare-exchange; only growing the slab takes a lock.

use crate::abi::uv__work;
use core::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};

/// One queue entry.
pub(crate) struct Ticket {
    /// The queued item; NULL once claimed (by a worker, or by `cancel`).
    pub(crate) item: AtomicPtr<uv__work>,
    /// Free-stack link: the index of the next free ticket.
    next_free: AtomicU32,
    /// This ticket's index in the slab.
    index: u32,
}

/// The end of the free stack.
const NIL: u32 = u32::MAX;
/// log2 of the first chunk's size.
const FIRST_SHIFT: u32 = 10;
/// Enough chunks for `u32::MAX` tickets.
const MAX_CHUNKS: usize = 22;

/// Chunk `k` starts at index `(1024 << k) - 1024` and holds `1024 << k` tickets.
static CHUNKS: [AtomicPtr<Ticket>; MAX_CHUNKS] =
    [const { AtomicPtr::new(ptr::null_mut()) }; MAX_CHUNKS];
/// The free stack's head: generation tag in the high 32 bits, index in the low 32.
static FREE: AtomicU64 = AtomicU64::new(NIL as u64);
/// Number of chunks allocated; held while growing.
static GROW: Mutex<usize> = Mutex::new(0);

/// The ticket with index `i`, which has been handed out by the free stack.
fn at(i: u32) -> &'static Ticket {
    let v = u64::from(i) + (1 << FIRST_SHIFT);
    let k = (63 - v.leading_zeros() - FIRST_SHIFT) as usize;
    let off = (v - ((1u64 << FIRST_SHIFT) << k)) as usize;
    let chunk = CHUNKS[k].load(Ordering::Acquire);
    debug_assert!(!chunk.is_null());
    // SAFETY: index `i` came from the free stack, so chunk `k` was published (Release)
    // before `i` was pushed, and `off < 1024 << k` by construction. Chunks are never freed.
    unsafe { &*chunk.add(off) }
}

/// Takes a free ticket (its `item` is NULL), growing the slab when none is free.
pub(crate) fn take() -> &'static Ticket {
    loop {
        let head = FREE.load(Ordering::Acquire);
        let i = head as u32;
        if i == NIL {
            grow();
            continue;
        }
        // `t` may be taken and returned by others meanwhile: then `next` is stale, but the
        // tag has moved on and the exchange fails.
        let t = at(i);
        let next = t.next_free.load(Ordering::Relaxed);
        let new = (((head >> 32) + 1) << 32) | u64::from(next);
        if FREE
            .compare_exchange_weak(head, new, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return t;
        }
    }
}

/// Returns `t` to the free stack. Its queue entry has been popped; its `item` is NULL.
pub(crate) fn give_back(t: &'static Ticket) {
    push_chain(t, t);
}

/// Pushes the chain `first ..= last` (linked through `next_free`) onto the free stack.
fn push_chain(first: &Ticket, last: &Ticket) {
    let mut head = FREE.load(Ordering::Relaxed);
    loop {
        last.next_free.store(head as u32, Ordering::Relaxed);
        let new = (((head >> 32) + 1) << 32) | u64::from(first.index);
        match FREE.compare_exchange_weak(head, new, Ordering::Release, Ordering::Relaxed) {
            Ok(_) => return,
            Err(cur) => head = cur,
        }
    }
}

/// Is `p` the address of a ticket? (`cancel` checks a request's `wq[1]` with it, so that
/// a request that was never submitted is refused instead of followed.)
pub(crate) fn is_ticket(p: *const Ticket) -> bool {
    let p = p as usize;
    for (k, c) in CHUNKS.iter().enumerate() {
        let base = c.load(Ordering::Acquire) as usize;
        if base == 0 {
            break;
        }
        let bytes = (1usize << (FIRST_SHIFT as usize + k)) * size_of::<Ticket>();
        if p >= base && p < base + bytes {
            return (p - base).is_multiple_of(size_of::<Ticket>());
        }
    }
    false
}

/// Adds a chunk of tickets to the free stack, unless another thread just did.
#[cold]
fn grow() {
    let mut n = GROW.lock().unwrap_or_else(|e| e.into_inner());
    if FREE.load(Ordering::Acquire) as u32 != NIL {
        return;
    }
    let k = *n;
    assert!(k < MAX_CHUNKS, "rsuv: too many queued thread-pool items");
    let len = 1usize << (FIRST_SHIFT as usize + k);
    let base = ((1u64 << FIRST_SHIFT) << k) - (1 << FIRST_SHIFT);
    let chunk: Box<[Ticket]> = (0..len)
        .map(|j| Ticket {
            item: AtomicPtr::new(ptr::null_mut()),
            next_free: AtomicU32::new(if j + 1 < len {
                (base + j as u64 + 1) as u32
            } else {
                NIL
            }),
            index: (base + j as u64) as u32,
        })
        .collect();
    let chunk: &'static [Ticket] = Box::leak(chunk);
    CHUNKS[k].store(chunk.as_ptr().cast_mut(), Ordering::Release);
    *n = k + 1;
    push_chain(&chunk[0], &chunk[len - 1]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_math_round_trips() {
        for i in [0u32, 1, 1023, 1024, 3071, 3072, 7167, 7168, 100_000] {
            let v = u64::from(i) + 1024;
            let k = 63 - v.leading_zeros() - FIRST_SHIFT;
            let off = v - (1024u64 << k);
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
        assert!(!is_ticket(ptr::from_ref(&NIL).cast()));
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
