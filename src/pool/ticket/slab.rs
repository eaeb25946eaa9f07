//! The ticket slab's protocol (see the parent module for why tickets exist): chunks that
//! are never freed while the slab lives, a lock-free free stack of indices whose head
//! carries a generation tag against ABA, and growth under a lock. Atomics come from
//! `super::sync`, so that `crate::loom_models` can run this same file under loom.

use super::sync::{AtomicPtr, AtomicU32, AtomicU64, Mutex, Ordering};
use crate::abi::uv__work;
use core::ptr;

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

/// One thread's own spare tickets, off the shared free stack: a chain through
/// `next_free` that only that thread reads or writes (the atomics are for `Sync` only;
/// every access is `Relaxed`). Tickets move into it from [`Slab::keep`] and out through
/// [`Slab::take_spare`] without a read-modify-write, and back to the free stack with
/// [`Slab::release`].
pub(crate) struct Spare {
    head: AtomicU32,
}

impl Spare {
    super::sync::const_fn! {
        pub(crate) fn new() -> Self {
            Spare {
                head: AtomicU32::new(NIL),
            }
        }
    }
}
/// Enough chunks for `u32::MAX` tickets.
const MAX_CHUNKS: usize = 22;

/// The tickets: chunk `k` starts at index `(B << k) - B` and holds `B << k` tickets, where
/// `B = 1 << FIRST_SHIFT`.
pub(crate) struct Slab<const FIRST_SHIFT: u32> {
    chunks: [AtomicPtr<Ticket>; MAX_CHUNKS],
    /// The free stack's head: generation tag in the high 32 bits, index in the low 32.
    free: AtomicU64,
    /// Number of chunks allocated; held while growing.
    grow: Mutex<usize>,
}

impl<const FIRST_SHIFT: u32> Slab<FIRST_SHIFT> {
    super::sync::const_fn! {
        /// An empty slab (it grows on the first `take`).
        pub(crate) fn new() -> Self {
            Slab {
                chunks: super::sync::array_of![AtomicPtr::new(ptr::null_mut()); MAX_CHUNKS],
                free: AtomicU64::new(NIL as u64),
                grow: Mutex::new(0),
            }
        }
    }

    /// The ticket with index `i`, which has been handed out by the free stack.
    fn at(&self, i: u32) -> &Ticket {
        let v = u64::from(i) + (1 << FIRST_SHIFT);
        let k = (63 - v.leading_zeros() - FIRST_SHIFT) as usize;
        let off = (v - ((1u64 << FIRST_SHIFT) << k)) as usize;
        let chunk = self.chunks[k].load(Ordering::Acquire);
        debug_assert!(!chunk.is_null());
        // SAFETY: index `i` came from the free stack, so chunk `k` was published (Release)
        // before `i` was pushed, and `off < B << k` by construction. Chunks live as long as
        // the slab.
        unsafe { &*chunk.add(off) }
    }

    /// Takes a free ticket (its `item` is NULL), growing the slab when none is free.
    pub(crate) fn take(&self) -> &Ticket {
        loop {
            let head = self.free.load(Ordering::Acquire);
            let i = head as u32;
            if i == NIL {
                self.grow();
                continue;
            }
            // `t` may be taken and returned by others meanwhile: then `next` is stale, but
            // the tag has moved on and the exchange fails.
            let t = self.at(i);
            let next = t.next_free.load(Ordering::Relaxed);
            let new = (((head >> 32) + 1) << 32) | u64::from(next);
            if self
                .free
                .compare_exchange_weak(head, new, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return t;
            }
        }
    }

    /// Takes a ticket from `spare` if it holds one, else from the free stack.
    #[inline]
    pub(crate) fn take_spare(&self, spare: &Spare) -> &Ticket {
        let i = spare.head.load(Ordering::Relaxed);
        if i == NIL {
            return self.take();
        }
        let t = self.at(i);
        spare
            .head
            .store(t.next_free.load(Ordering::Relaxed), Ordering::Relaxed);
        t
    }

    /// Keeps `t` in `spare`. Its queue entry has been popped; its `item` is NULL.
    #[inline]
    pub(crate) fn keep(&self, spare: &Spare, t: &Ticket) {
        t.next_free
            .store(spare.head.load(Ordering::Relaxed), Ordering::Relaxed);
        spare.head.store(t.index, Ordering::Relaxed);
    }

    /// Returns every ticket of `spare` to the free stack.
    pub(crate) fn release(&self, spare: &Spare) {
        let first = spare.head.swap(NIL, Ordering::Relaxed);
        if first == NIL {
            return;
        }
        let mut last = self.at(first);
        loop {
            let next = last.next_free.load(Ordering::Relaxed);
            if next == NIL {
                break;
            }
            last = self.at(next);
        }
        self.push_chain(self.at(first), last);
    }

    /// Returns `t` to the free stack. Its queue entry has been popped; its `item` is NULL.
    pub(crate) fn give_back(&self, t: &Ticket) {
        self.push_chain(t, t);
    }

    /// Pushes the chain `first ..= last` (linked through `next_free`) onto the free stack.
    fn push_chain(&self, first: &Ticket, last: &Ticket) {
        let mut head = self.free.load(Ordering::Relaxed);
        loop {
            last.next_free.store(head as u32, Ordering::Relaxed);
            let new = (((head >> 32) + 1) << 32) | u64::from(first.index);
            match self
                .free
                .compare_exchange_weak(head, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(cur) => head = cur,
            }
        }
    }

    /// Is `p` the address of a ticket? (`cancel` checks a request's `wq[1]` with it, so
    /// that a request that was never submitted is refused instead of followed.)
    pub(crate) fn is_ticket(&self, p: *const Ticket) -> bool {
        let p = p as usize;
        for (k, c) in self.chunks.iter().enumerate() {
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
    fn grow(&self) {
        let mut n = self.grow.lock().unwrap_or_else(|e| e.into_inner());
        if self.free.load(Ordering::Acquire) as u32 != NIL {
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
        let chunk: &[Ticket] = Box::leak(chunk);
        self.chunks[k].store(chunk.as_ptr().cast_mut(), Ordering::Release);
        *n = k + 1;
        self.push_chain(&chunk[0], &chunk[len - 1]);
    }

    /// Frees the chunks. For a slab that is not `static` (the models): every ticket has
    /// been given back and no thread uses the slab any more.
    #[allow(dead_code)] // for the loom models (crate::loom_models) only
    pub(crate) fn free_chunks(&mut self) -> usize {
        let mut total = 0;
        for (k, c) in self.chunks.iter().enumerate() {
            let base = c.load(Ordering::Acquire);
            if base.is_null() {
                break;
            }
            let len = 1usize << (FIRST_SHIFT as usize + k);
            total += len;
            // SAFETY: `base` is the chunk of `len` tickets leaked by `grow`, which nothing
            // references any more (`&mut self`).
            drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(base, len)) });
        }
        total
    }

    /// The number of tickets on the free stack (for the models; quiescent slab only).
    #[allow(dead_code)] // for the loom models (crate::loom_models) only
    pub(crate) fn free_count(&self) -> usize {
        let mut n = 0;
        let mut i = self.free.load(Ordering::Acquire) as u32;
        while i != NIL {
            n += 1;
            i = self.at(i).next_free.load(Ordering::Relaxed);
        }
        n
    }
}
