//! `loom` models of rsuv's lock-free protocols (`scripts/loom.sh`; only under `--cfg loom`).
//!
//! Each protocol's file is compiled here a second time with `sync` bound to loom's
//! primitives (see `crate::sync`), so the models run the code the library ships. Each
//! model states the property it checks; loom explores the interleavings (bounded by
//! `LOOM_MAX_PREEMPTIONS`) and fails on an assertion, a deadlock or a leaked object.

// The protocol files are compiled twice on purpose (here and in the library); parts of
// them that only the library calls are unused here.
#![allow(dead_code, clippy::duplicate_mod)]

use crate::sync::model as sync;

#[path = "async_handle/proto.rs"]
mod async_proto;
#[path = "signal/gate.rs"]
mod gate;
#[path = "pool/ticket/slab.rs"]
mod slab;
#[path = "pool/stack.rs"]
mod stack;

use crate::abi::uv__work;
use core::ptr;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use loom::thread;

/// A pointer that may cross threads in a model (the models own what it points to).
struct Shared<T>(*mut T);
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}
// SAFETY: the models hand each pointee to one thread at a time by the protocol under test
// (a violation is what the model's assertions report).
unsafe impl<T> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for Shared<T> {}

// ---------------------------------------------------------------------------------------
// The pool's ticket hand-off.

/// Tickets: every ticket is held by one taker at a time (its `item` slot is swapped from
/// NULL to the holder's mark and back), including across the slab's growth and the ABA
/// window of the free stack; once everybody gave theirs back, every ticket is free again
/// (none lost, none twice on the free stack).
#[test]
fn loom_tickets_are_held_by_one_taker_and_all_come_back() {
    loom::model(|| {
        // Chunks of 2, then 4: two takers of two tickets each make the slab grow twice.
        let slab = Arc::new(slab::Slab::<1>::new());
        let takers: Vec<_> = (0..2usize)
            .map(|i| {
                let slab = slab.clone();
                thread::spawn(move || {
                    let mark = ptr::without_provenance_mut::<uv__work>(i + 1);
                    let a = slab.take();
                    assert!(
                        a.item.swap(mark, Ordering::AcqRel).is_null(),
                        "shared ticket"
                    );
                    let b = slab.take();
                    assert!(
                        b.item.swap(mark, Ordering::AcqRel).is_null(),
                        "shared ticket"
                    );
                    a.item.store(ptr::null_mut(), Ordering::Release);
                    slab.give_back(a);
                    // Take again: the ticket just given back may be another taker's next.
                    let c = slab.take();
                    assert!(
                        c.item.swap(mark, Ordering::AcqRel).is_null(),
                        "shared ticket"
                    );
                    b.item.store(ptr::null_mut(), Ordering::Release);
                    slab.give_back(b);
                    c.item.store(ptr::null_mut(), Ordering::Release);
                    slab.give_back(c);
                })
            })
            .collect();
        for t in takers {
            t.join().unwrap();
        }
        let mut slab = Arc::try_unwrap(slab).ok().expect("takers are done");
        let free = slab.free_count();
        let total = slab.free_chunks();
        assert_eq!(free, total, "tickets lost or doubled on the free stack");
    });
}

/// A loop's spare tickets: a ticket whose item a worker claimed goes back with the item
/// to the loop, which keeps it and takes it for its next submission without touching the
/// free stack, while another thread takes and gives back through the free stack. The kept
/// ticket is free (its `item` NULL) when the loop takes it again, nobody else holds it,
/// and releasing the spares leaves every ticket free once.
#[test]
fn loom_a_loops_spare_ticket_comes_back_with_its_item() {
    use loom::sync::atomic::AtomicPtr;
    loom::model(|| {
        let slab = Arc::new(slab::Slab::<1>::new());
        // The queue entry and the completion, reduced to one slot each.
        let queued: Arc<AtomicPtr<slab::Ticket>> = Arc::new(AtomicPtr::new(ptr::null_mut()));
        let done = Arc::new(AtomicBool::new(false));
        let mark = ptr::without_provenance_mut::<uv__work>(7);
        let worker = {
            let (queued, done) = (queued.clone(), done.clone());
            thread::spawn(move || {
                let t = loop {
                    let t = queued.load(Ordering::Acquire);
                    if !t.is_null() {
                        break t;
                    }
                    thread::yield_now();
                };
                // SAFETY: the ticket lives in the slab, which outlives this thread.
                let t = unsafe { &*t };
                assert_eq!(t.item.swap(ptr::null_mut(), Ordering::Acquire), mark);
                done.store(true, Ordering::Release);
            })
        };
        let other = {
            let slab = slab.clone();
            thread::spawn(move || {
                let o = slab.take();
                let m = ptr::without_provenance_mut::<uv__work>(9);
                assert!(o.item.swap(m, Ordering::AcqRel).is_null(), "shared ticket");
                o.item.store(ptr::null_mut(), Ordering::Release);
                slab.give_back(o);
            })
        };
        let spare = slab::Spare::new();
        let t = slab.take_spare(&spare);
        assert!(
            t.item.swap(mark, Ordering::AcqRel).is_null(),
            "shared ticket"
        );
        queued.store(ptr::from_ref(t).cast_mut(), Ordering::Release);
        while !done.load(Ordering::Acquire) {
            thread::yield_now();
        }
        slab.keep(&spare, t);
        let again = slab.take_spare(&spare);
        assert!(ptr::eq(again, t), "the spare ticket is taken first");
        assert!(
            again.item.swap(mark, Ordering::AcqRel).is_null(),
            "shared ticket"
        );
        again.item.store(ptr::null_mut(), Ordering::Release);
        slab.keep(&spare, again);
        slab.release(&spare);
        worker.join().unwrap();
        other.join().unwrap();
        drop(queued);
        let mut slab = Arc::try_unwrap(slab).ok().expect("threads are done");
        let free = slab.free_count();
        let total = slab.free_chunks();
        assert_eq!(free, total, "tickets lost or doubled on the free stack");
    });
}

// ---------------------------------------------------------------------------------------
// The pool's completion stack.

/// Completions: each finished item reaches the loop exactly once with what the worker
/// wrote before pushing it; a pushed item is never left without a wake-up the loop has not
/// consumed (no lost wake-up: the loop drains its wake-ups, then takes the stack); and no
/// pusher is left counted once the workers are done.
#[test]
fn loom_completions_arrive_once_with_their_data_and_a_wake_up() {
    loom::model(|| {
        const N: usize = 2;
        let st = Arc::new(stack::Stack::new());
        let wakes = Arc::new(AtomicUsize::new(0));
        let payload: Arc<[AtomicUsize; N]> =
            Arc::new(core::array::from_fn(|_| AtomicUsize::new(0)));
        // SAFETY: a zeroed uv__work is a valid value (null pointers, None callbacks).
        let items: Vec<Shared<uv__work>> = (0..N)
            .map(|_| Shared(Box::into_raw(Box::new(unsafe { core::mem::zeroed() }))))
            .collect();
        let workers: Vec<_> = (0..N)
            .map(|i| {
                let (st, wakes, payload, w) =
                    (st.clone(), wakes.clone(), payload.clone(), items[i]);
                thread::spawn(move || {
                    let w = w;
                    payload[i].store(i + 100, Ordering::Relaxed);
                    // SAFETY: the item is this worker's until the loop takes it.
                    unsafe {
                        st.push(w.0, || {
                            wakes.fetch_add(1, Ordering::Release);
                        })
                    };
                })
            })
            .collect();
        let seen = core::cell::RefCell::new([0usize; N]);
        let round = || {
            wakes.swap(0, Ordering::Acquire);
            // SAFETY: this thread is the one taker; the items outlive the model.
            let mut p = unsafe { st.take_all() };
            while !p.is_null() {
                let i = items
                    .iter()
                    .position(|w| w.0 == p)
                    .expect("an item of ours");
                assert_eq!(
                    payload[i].load(Ordering::Relaxed),
                    i + 100,
                    "stale completion"
                );
                seen.borrow_mut()[i] += 1;
                // SAFETY: taken items are ours; the link was written before the push.
                p = unsafe { (*p).wq[0].cast() };
            }
        };
        round();
        for t in workers {
            t.join().unwrap();
        }
        if st.has_work() {
            assert!(wakes.load(Ordering::Acquire) > 0, "lost wake-up");
        }
        round();
        st.wait_quiet();
        assert_eq!(*seen.borrow(), [1; N], "a completion lost or run twice");
        for w in items {
            // SAFETY: allocated above, no longer referenced.
            drop(unsafe { Box::from_raw(w.0) });
        }
    });
}

/// The wake-up handshake: a loop that runs an iteration withdraws its request for
/// wake-ups, and asks again before it blocks. A worker pushes meanwhile. Whatever the
/// interleaving, the loop either finds the item when it asks (and does not block) or gets
/// the wake-up (never sleeps on a pushed item), and the item is taken exactly once.
#[test]
fn loom_a_loop_about_to_block_finds_the_item_or_is_woken() {
    loom::model(|| {
        let st = Arc::new(stack::Stack::new());
        let wakes = Arc::new(AtomicUsize::new(0));
        // SAFETY: a zeroed uv__work is a valid value (null pointers, None callbacks).
        let item = Shared(Box::into_raw(Box::new(unsafe {
            core::mem::zeroed::<uv__work>()
        })));
        st.awake();
        let worker = {
            let (st, wakes) = (st.clone(), wakes.clone());
            thread::spawn(move || {
                let w = item;
                // SAFETY: the item is this worker's until the loop takes it.
                unsafe {
                    st.push(w.0, || {
                        wakes.fetch_add(1, Ordering::Release);
                    })
                };
            })
        };
        // The loop's poll phase, about to block.
        let found = st.want_wake();
        worker.join().unwrap();
        if !found {
            assert_eq!(wakes.load(Ordering::Acquire), 1, "slept on a pushed item");
        }
        // SAFETY: this thread is the one taker; the item outlives the model.
        let p = unsafe { st.take_all() };
        assert_eq!(p, item.0, "the item, taken once");
        // SAFETY: taken items are ours; the link was written before the push.
        assert!(unsafe { (*p).wq[0] }.is_null(), "one item only");
        // SAFETY: allocated above, no longer referenced.
        drop(unsafe { Box::from_raw(item.0) });
    });
}

// ---------------------------------------------------------------------------------------
// The async handle.

/// `uv_async_send` from two threads while the loop dispatches: the handle is never linked
/// twice (which would corrupt the intrusive list), every send is followed by a callback,
/// and once the loop has run after the senders the handle is idle again (`pending` 0, not
/// linked), so later sends are not swallowed.
#[test]
fn loom_async_sends_coalesce_without_loss_or_double_link() {
    loom::model(|| {
        let pending = Arc::new(AtomicI32::new(0));
        let busy = Arc::new(AtomicI32::new(0));
        let linked = Arc::new(AtomicBool::new(false));
        let callbacks = Arc::new(AtomicUsize::new(0));
        let senders: Vec<_> = (0..2)
            .map(|_| {
                let (pending, busy, linked) = (pending.clone(), busy.clone(), linked.clone());
                thread::spawn(move || {
                    async_proto::send(&pending, &busy, || {
                        assert!(!linked.swap(true, Ordering::AcqRel), "linked twice");
                    });
                })
            })
            .collect();
        let round = || {
            if linked.swap(false, Ordering::AcqRel) && async_proto::claim(&pending) {
                callbacks.fetch_add(1, Ordering::Relaxed);
            }
        };
        round();
        for t in senders {
            t.join().unwrap();
        }
        round();
        assert!(
            callbacks.load(Ordering::Relaxed) >= 1,
            "a send without a callback"
        );
        assert_eq!(
            pending.load(Ordering::SeqCst),
            0,
            "pending left set: sends swallowed"
        );
        assert!(!linked.load(Ordering::SeqCst));
        assert_eq!(busy.load(Ordering::SeqCst), 0);
    });
}

/// `uv_close` on an async handle while another thread sends: once `close` returns no push
/// is in progress or can start (the loop may unlink and the program free the handle), and
/// `close` reports a send whose push happened.
#[test]
fn loom_async_close_waits_out_a_send() {
    loom::model(|| {
        let pending = Arc::new(AtomicI32::new(0));
        let busy = Arc::new(AtomicI32::new(0));
        let closed = Arc::new(AtomicBool::new(false));
        let pushed = Arc::new(AtomicBool::new(false));
        let sender = {
            let (pending, busy, closed, pushed) = (
                pending.clone(),
                busy.clone(),
                closed.clone(),
                pushed.clone(),
            );
            thread::spawn(move || {
                async_proto::send(&pending, &busy, || {
                    assert!(!closed.load(Ordering::SeqCst), "pushed after close");
                    pushed.store(true, Ordering::SeqCst);
                });
            })
        };
        let was_sent = async_proto::close(&pending, &busy);
        closed.store(true, Ordering::SeqCst);
        assert_eq!(
            was_sent,
            pushed.load(Ordering::SeqCst),
            "close missed a push"
        );
        sender.join().unwrap();
        // A send after close is a no-op.
        async_proto::send(&pending, &busy, || panic!("pushed after close"));
    });
}

// ---------------------------------------------------------------------------------------
// The signal records.

/// The signal handler and a loop releasing its record: once `release` returns (and the
/// loop closes the descriptor) no handler writes to it; a handler that ran before the
/// release used the descriptor the record had.
#[test]
fn loom_signal_gate_never_lets_a_handler_use_a_released_fd() {
    loom::model(|| {
        let g = Arc::new(gate::Gate::new(7));
        let closed = Arc::new(AtomicBool::new(false));
        let handler = {
            let (g, closed) = (g.clone(), closed.clone());
            thread::spawn(move || {
                g.visit(|fd| {
                    assert_eq!(fd, 7);
                    assert!(
                        !closed.load(Ordering::SeqCst),
                        "wrote to a closed descriptor"
                    );
                });
            })
        };
        assert_eq!(g.release(), 7);
        closed.store(true, Ordering::SeqCst);
        handler.join().unwrap();
        assert_eq!(g.fd(), -1);
        g.visit(|_| panic!("a released gate handed out its descriptor"));
    });
}
