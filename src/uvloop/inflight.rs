//! The loop's in-flight registry: the addresses of the requests (and spawned process
//! handles) this loop has accepted and not yet handed back, so that one submitted again
//! while pending is refused with `UV_EBUSY` instead of being linked into a queue twice.
//!
//! The marker is loop-side on purpose: a request's own fields are not initialised before
//! its first submission, so reading them to tell "pending" from "fresh" reads
//! uninitialised memory (valgrind says so, and a stale value could lie). An address is
//! all the registry needs: a submission asks [`busy`] before it writes anything to the
//! request, calls [`enter`] once it has accepted it, and the completion path calls
//! [`leave`] just before the user's callback runs (so a callback may submit its own
//! request again) -- on every path: success, failure, cancellation, a closed handle.
//!
//! The set is open addressing with linear probing over a power-of-two table, at most half
//! full, and deletes by shifting back the entries of its probe run (no tombstones). The
//! slot of an address is the address in 64-byte units (no two requests are closer: the
//! smallest, `uv_req_t`, is 64 bytes) folded once with its own high part. That keeps
//! neighbours neighbours: requests allocated side by side (an array of write requests,
//! a slab) land in adjacent slots, so a burst of them touches the table sequentially and
//! the prefetcher keeps up, where a scattering hash (tried first: a Fibonacci
//! multiplication) cost a cache miss per write with a million writes queued
//! (`tcp_write_batch`: 13 % of its time in that one load). Addresses that differ only
//! above the table's span are told apart by the fold.
//!
//! A slot is one word: the address, with bit 0 set for a pool request (requests are
//! pointer-aligned by their C types, so bit 0 of an address is free). `uv_loop_fork`
//! needs to find what the parent's pool threads will never hand back; it reads each pool
//! request's type to find its `uv__work` ([`Set::pool_requests`]). A word rather than an
//! (address, item) pair halves the table: with a million writes queued that is 16 MiB of
//! table and page faults less. Loop thread only.

use core::ffi::c_void;

/// What an entry is: anything, or a request that runs on the thread pool.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Plain,
    Pool,
}

/// Bit 0 of a slot: the entry is a pool request.
const POOL_BIT: usize = 1;

/// A set of addresses, each marked with its [`Kind`] (see the module docs).
#[derive(Default)]
pub(crate) struct Set {
    /// On the uv allocator, as the rest of the loop's state. 0 is an empty slot (no
    /// request lives at NULL); else an address with [`POOL_BIT`] for a pool request.
    slots: crate::abi::alloc::UvVec<usize>,
    len: usize,
    /// log2 of `slots.len()` (0 while no table is allocated).
    bits: u32,
}

const FIRST_BITS: u32 = 4;

impl Set {
    #[inline(always)]
    fn home(&self, key: usize) -> usize {
        let k = key >> 6;
        (k ^ (k >> self.bits)) & self.mask()
    }

    #[inline(always)]
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot holding `key`, if any.
    #[inline]
    fn find(&self, key: usize) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mut i = self.home(key);
        loop {
            let k = self.slots[i];
            if k & !POOL_BIT == key {
                return Some(i);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Is `key` in the set?
    #[inline]
    pub(crate) fn contains(&self, key: usize) -> bool {
        self.find(key).is_some()
    }

    /// Adds `key` (not in the set, not 0, bit 0 clear) as `kind`.
    pub(crate) fn insert(&mut self, key: usize, kind: Kind) {
        debug_assert!(key != 0 && key & POOL_BIT == 0 && !self.contains(key));
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        self.place(match kind {
            Kind::Plain => key,
            Kind::Pool => key | POOL_BIT,
        });
        self.len += 1;
    }

    fn place(&mut self, slot: usize) {
        let mut i = self.home(slot);
        while self.slots[i] != 0 {
            i = (i + 1) & self.mask();
        }
        self.slots[i] = slot;
    }

    fn grow(&mut self) {
        let bits = if self.bits == 0 {
            FIRST_BITS
        } else {
            self.bits + 1
        };
        let mut table = crate::abi::alloc::UvVec::with_capacity(1 << bits);
        table.resize_with(1 << bits, || 0);
        let old = core::mem::replace(&mut self.slots, table);
        self.bits = bits;
        for &s in old.iter().filter(|&&s| s != 0) {
            self.place(s);
        }
    }

    /// Takes `key` out; false if it was not in the set.
    pub(crate) fn remove(&mut self, key: usize) -> bool {
        let Some(mut hole) = self.find(key) else {
            return false;
        };
        self.len -= 1;
        // Backward shift: an entry after the hole moves into it unless its home lies
        // cyclically in (hole, entry], where it would become unreachable from its home.
        let mask = self.mask();
        let mut i = (hole + 1) & mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                break;
            }
            let home = self.home(s);
            if (i.wrapping_sub(home) & mask) >= (i.wrapping_sub(hole) & mask) {
                self.slots[hole] = s;
                hole = i;
            }
            i = (i + 1) & mask;
        }
        self.slots[hole] = 0;
        true
    }

    /// The number of entries.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every entry with its kind, in table order.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (usize, Kind)> + '_ {
        self.slots.iter().filter(|&&s| s != 0).map(|&s| {
            let kind = if s & POOL_BIT != 0 {
                Kind::Pool
            } else {
                Kind::Plain
            };
            (s & !POOL_BIT, kind)
        })
    }

    /// The addresses of the pool requests.
    pub(crate) fn pool_requests(&self) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .filter(|&&s| s & POOL_BIT != 0)
            .map(|&s| s & !POOL_BIT)
    }
}

/// Key of an object: its address.
#[inline(always)]
fn key(p: *const c_void) -> usize {
    p as usize
}

/// Is `p` (a request, or a spawned process handle) pending on `l`? Reads nothing of `p`.
///
/// # Safety
/// `l` is an initialised loop; loop thread.
#[inline]
pub(crate) unsafe fn busy(l: *mut crate::abi::uv_loop_t, p: *const c_void) -> bool {
    // SAFETY: loop thread (caller); a short shared borrow.
    unsafe { (*super::inner(l)).inflight.contains(key(p)) }
}

/// [`busy`] for an entry point whose loop is not checked yet: false when `l` is NULL or
/// not an open loop (the caller's own check reports that).
///
/// # Safety
/// `l` is NULL or points to loop memory; an open loop is run by this thread.
#[inline]
pub(crate) unsafe fn pending_on(l: *mut crate::abi::uv_loop_t, p: *const c_void) -> bool {
    // SAFETY: forwarded caller guarantees; `busy` only on an open loop.
    unsafe { super::is_open(l) && busy(l, p) }
}

/// Records `p` as accepted by `l` (it was not [`busy`]). A [`Kind::Pool`] entry must be a
/// request with a `work_req` (work, fs, getaddrinfo, getnameinfo, random).
///
/// # Safety
/// `l` is an initialised loop; loop thread; `p` is not NULL and pointer-aligned.
#[inline]
pub(crate) unsafe fn enter(l: *mut crate::abi::uv_loop_t, p: *const c_void, kind: Kind) {
    // SAFETY: loop thread (caller); no callback runs while the borrow lives.
    unsafe { (*super::inner(l)).inflight.insert(key(p), kind) }
}

/// `p` is handed back (its callback is about to run, or the handle is closing).
///
/// # Safety
/// `l` is an initialised loop; loop thread.
#[inline]
pub(crate) unsafe fn leave(l: *mut crate::abi::uv_loop_t, p: *const c_void) {
    // SAFETY: loop thread (caller); no callback runs while the borrow lives.
    unsafe { (*super::inner(l)).inflight.remove(key(p)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_find_remove_against_a_model() {
        let mut s = Set::default();
        let mut model = std::collections::HashMap::new();
        // Addresses as requests have them: aligned, clustered, some far apart.
        let mut x: u64 = 0x1234_5678;
        for round in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = 0x7f00_0000_0000usize + ((x % 4096) as usize) * 64;
            if let std::collections::hash_map::Entry::Vacant(e) = model.entry(k) {
                if round % 3 != 0 {
                    let kind = if round % 2 == 0 {
                        Kind::Pool
                    } else {
                        Kind::Plain
                    };
                    s.insert(k, kind);
                    e.insert(kind);
                }
            } else {
                assert!(s.remove(k));
                model.remove(&k);
            }
            assert_eq!(s.len(), model.len());
        }
        for (&k, &v) in &model {
            assert!(s.contains(k));
            assert!(s.entries().any(|e| e == (k, v)));
        }
        assert_eq!(s.entries().count(), model.len());
        for k in (0..4096usize).map(|i| 0x7f00_0000_0000 + i * 64) {
            assert_eq!(s.contains(k), model.contains_key(&k));
        }
        for k in model.keys() {
            assert!(s.remove(*k));
        }
        assert_eq!(s.len(), 0);
        assert!(!s.remove(0x7f00_0000_0000));
    }

    #[test]
    fn a_table_stays_at_most_half_full() {
        let mut s = Set::default();
        for i in 1..=1000usize {
            s.insert(i * 8, Kind::Plain);
            assert!(s.slots.len() >= 2 * s.len());
        }
        assert_eq!(s.slots.len(), 2048);
    }
}
