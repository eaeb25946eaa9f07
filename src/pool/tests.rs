//! Pool tests against real loops. Tests that saturate the pool hold [`SERIAL`], so two of
//! them never wait for each other's blockers. Tests that need a pool of their own (size
//! from the environment, shutdown and restart) re-run this test binary as a child.

use super::*;
use crate::abi::errno::{UV_EBUSY, UV_ECANCELED};
use crate::abi::{UV_RUN_DEFAULT, UV_RUN_NOWAIT, UV_RUN_ONCE};
use crate::uvloop::{close as uv_loop_close, init as uv_loop_init, run as uv_run};
use core::mem::MaybeUninit;
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicUsize};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

struct TestLoop(Box<MaybeUninit<uv_loop_t>>);

impl TestLoop {
    fn new() -> Self {
        let mut b = Box::new_uninit();
        // SAFETY: writable memory of the loop's size.
        assert_eq!(unsafe { uv_loop_init(b.as_mut_ptr()) }, 0);
        TestLoop(b)
    }
    fn ptr(&mut self) -> *mut uv_loop_t {
        self.0.as_mut_ptr()
    }
    fn run(&mut self, mode: c_int) -> c_int {
        // SAFETY: initialised loop, run on this thread.
        unsafe { uv_run(self.ptr(), mode) }
    }
    fn active_reqs(&mut self) -> u32 {
        // SAFETY: initialised loop.
        unsafe { (*self.ptr()).active_reqs.count }
    }
    fn close(mut self) -> c_int {
        // SAFETY: initialised loop.
        let r = unsafe { uv_loop_close(self.ptr()) };
        assert_eq!(r, 0, "loop close");
        r
    }
}

/// What a test item does on the pool.
type Job = dyn Fn() + Send + Sync;

/// A test request: the work item first, so `*mut uv__work` is `*mut Item`.
#[repr(C)]
struct Item {
    w: uv__work,
    job: Option<Arc<Job>>,
    runs: AtomicU32,
    dones: AtomicU32,
    status: AtomicI32,
    done_thread: Option<std::thread::ThreadId>,
    done_order: Option<Arc<AtomicUsize>>,
    done_seq: usize,
}

impl Item {
    fn dones(&self) -> u32 {
        self.dones.load(Ordering::SeqCst)
    }
    fn status(&self) -> c_int {
        self.status.load(Ordering::SeqCst)
    }
    fn new(job: Option<Arc<Job>>) -> Box<Item> {
        Box::new(Item {
            // SAFETY: all-zero is a valid uv__work (NULL pointers, None callbacks).
            w: unsafe { core::mem::zeroed() },
            job,
            runs: AtomicU32::new(0),
            dones: AtomicU32::new(0),
            status: AtomicI32::new(12345),
            done_thread: None,
            done_order: None,
            done_seq: 0,
        })
    }
}

unsafe extern "C" fn item_work(w: *mut uv__work) {
    // SAFETY: `w` is the first field of a live Item; `runs` is atomic, `job` read-only.
    let it = unsafe { &*w.cast::<Item>() };
    it.runs.fetch_add(1, Ordering::SeqCst);
    if let Some(j) = &it.job {
        j();
    }
}

unsafe extern "C" fn item_done(w: *mut uv__work, status: c_int) {
    // SAFETY: loop thread; the pool is done with the Item.
    let it = unsafe { &mut *w.cast::<Item>() };
    it.dones.fetch_add(1, Ordering::SeqCst);
    it.status.store(status, Ordering::SeqCst);
    it.done_thread = Some(std::thread::current().id());
    if let Some(o) = &it.done_order {
        it.done_seq = o.fetch_add(1, Ordering::SeqCst);
    }
}

fn submit_item(l: &mut TestLoop, it: &mut Item, kind: WorkKind) {
    // SAFETY: the loop is live on this thread; the Box outlives the done callback.
    unsafe { submit(l.ptr(), &raw mut it.w, kind, item_work, item_done) }
}

fn cancel_item(it: &mut Item) -> c_int {
    // SAFETY: `it` was submitted on this thread's loop and is live.
    unsafe { cancel(&raw mut it.w) }
}

/// A gate blockers wait on, and a count of blockers that reached it.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    cv: Condvar,
    arrived: AtomicUsize,
}

impl Gate {
    fn wait(&self) {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let mut g = self.open.lock().unwrap();
        while !*g {
            g = self.cv.wait(g).unwrap();
        }
    }
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.cv.notify_all();
    }
    fn wait_arrived(&self, n: usize) {
        let t0 = Instant::now();
        while self.arrived.load(Ordering::SeqCst) < n {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "blockers never started"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Makes sure the pool runs and returns its size.
fn pool_size() -> usize {
    let mut l = TestLoop::new();
    let mut it = Item::new(None);
    submit_item(&mut l, &mut it, WorkKind::Cpu);
    l.run(UV_RUN_DEFAULT);
    assert_eq!(it.dones(), 1);
    l.close();
    threads()
}

#[test]
fn many_items_from_many_threads_each_done_once_on_its_loop() {
    const LOOPS: usize = 4;
    const ITEMS: usize = 3000;
    let handles: Vec<_> = (0..LOOPS)
        .map(|t| {
            std::thread::spawn(move || {
                let me = std::thread::current().id();
                let mut l = TestLoop::new();
                let mut items: Vec<Box<Item>> = (0..ITEMS).map(|_| Item::new(None)).collect();
                for (i, it) in items.iter_mut().enumerate() {
                    let kind = match (i + t) % 3 {
                        0 => WorkKind::Cpu,
                        1 => WorkKind::FastIo,
                        _ => WorkKind::SlowIo,
                    };
                    submit_item(&mut l, it, kind);
                }
                assert_eq!(l.active_reqs() as usize, ITEMS);
                assert_eq!(l.run(UV_RUN_DEFAULT), 0);
                for it in &items {
                    assert_eq!(it.runs.load(Ordering::SeqCst), 1);
                    assert_eq!(it.dones(), 1);
                    assert_eq!(it.status(), 0);
                    assert_eq!(it.done_thread, Some(me));
                    assert_eq!(it.w.wq[1] as usize, FINISHED);
                }
                assert_eq!(l.active_reqs(), 0);
                l.close();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn done_may_resubmit_the_same_item() {
    unsafe extern "C" fn again(w: *mut uv__work, status: c_int) {
        // SAFETY: loop thread; the Item is live and the pool is done with it.
        unsafe {
            item_done(w, status);
            let it = &mut *w.cast::<Item>();
            if it.dones() < 100 {
                submit(it.w.r#loop, w, WorkKind::Cpu, item_work, again);
            }
        }
    }
    let mut l = TestLoop::new();
    let mut it = Item::new(None);
    // SAFETY: as submit_item.
    unsafe { submit(l.ptr(), &raw mut it.w, WorkKind::Cpu, item_work, again) };
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert_eq!(it.dones(), 100);
    assert_eq!(it.runs.load(Ordering::SeqCst), 100);
    l.close();
}

#[test]
fn loop_stays_alive_while_work_is_outstanding() {
    let gate = Arc::new(Gate::default());
    let g2 = gate.clone();
    let mut l = TestLoop::new();
    let mut it = Item::new(Some(Arc::new(move || g2.wait())));
    submit_item(&mut l, &mut it, WorkKind::Cpu);
    assert_ne!(l.run(UV_RUN_NOWAIT), 0);
    // SAFETY: initialised loop.
    assert_eq!(unsafe { uv_loop_close(l.ptr()) }, UV_EBUSY);
    gate.wait_arrived(1);
    gate.open();
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert_eq!((it.dones(), it.status()), (1, 0));
    l.close();
}

#[test]
fn cancel_wins_only_before_start_and_reports_at_once() {
    let _s = serial();
    let n = pool_size();
    let gate = Arc::new(Gate::default());
    let mut l = TestLoop::new();
    let mut blockers: Vec<Box<Item>> = (0..n)
        .map(|_| {
            let g = gate.clone();
            Item::new(Some(Arc::new(move || g.wait())))
        })
        .collect();
    for b in blockers.iter_mut() {
        submit_item(&mut l, b, WorkKind::Cpu);
    }
    gate.wait_arrived(n);

    // Every worker is blocked: these cannot start.
    let mut queued: Vec<Box<Item>> = (0..30).map(|_| Item::new(None)).collect();
    for (i, it) in queued.iter_mut().enumerate() {
        let kind = [WorkKind::Cpu, WorkKind::FastIo, WorkKind::SlowIo][i % 3];
        submit_item(&mut l, it, kind);
    }
    // Cancel every other one; a second cancel of the same item is refused.
    for it in queued.iter_mut().step_by(2) {
        assert_eq!(cancel_item(it), 0);
        assert_eq!(cancel_item(it), UV_EBUSY);
    }
    // Running items cannot be cancelled.
    for b in blockers.iter_mut() {
        assert_eq!(cancel_item(b), UV_EBUSY);
    }
    // The cancelled items' done callbacks come while the pool is still blocked.
    let t0 = Instant::now();
    while queued.iter().step_by(2).any(|it| it.dones() == 0) {
        assert!(t0.elapsed() < Duration::from_secs(10));
        l.run(UV_RUN_ONCE);
    }
    for it in queued.iter().step_by(2) {
        assert_eq!((it.dones(), it.status()), (1, UV_ECANCELED));
    }
    assert_eq!(l.active_reqs() as usize, n + 15);

    gate.open();
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    for (i, it) in queued.iter_mut().enumerate() {
        let ran = if i % 2 == 0 { 0 } else { 1 };
        let status = if i % 2 == 0 { UV_ECANCELED } else { 0 };
        assert_eq!(it.runs.load(Ordering::SeqCst), ran);
        assert_eq!((it.dones(), it.status()), (1, status));
        // Done: too late to cancel.
        assert_eq!(cancel_item(it), UV_EBUSY);
    }
    for b in &blockers {
        assert_eq!((b.dones(), b.status()), (1, 0));
    }
    l.close();
}

#[test]
fn work_starts_in_submission_order_whatever_its_kind() {
    // libuv's threadpool_cancel_getaddrinfo relies on this: blockers queued first take
    // every worker, so the DNS queued after them is still cancellable.
    let _s = serial();
    let n = pool_size();
    let gate = Arc::new(Gate::default());
    let mut l = TestLoop::new();
    let mut blockers: Vec<Box<Item>> = (0..n)
        .map(|_| {
            let g = gate.clone();
            Item::new(Some(Arc::new(move || g.wait())))
        })
        .collect();
    for b in blockers.iter_mut() {
        submit_item(&mut l, b, WorkKind::Cpu);
    }
    let mut later: Vec<Box<Item>> = (0..2 * n).map(|_| Item::new(None)).collect();
    for it in later.iter_mut() {
        submit_item(&mut l, it, WorkKind::SlowIo);
    }
    gate.wait_arrived(n);
    for it in later.iter_mut() {
        assert_eq!(it.runs.load(Ordering::SeqCst), 0);
        assert_eq!(cancel_item(it), 0);
    }
    gate.open();
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert!(later.iter().all(|it| it.status() == UV_ECANCELED));
    assert!(blockers.iter().all(|it| it.status() == 0));
    l.close();
}

#[test]
fn cancelled_items_may_be_freed_and_reused_at_once() {
    let _s = serial();
    let n = pool_size();
    let gate = Arc::new(Gate::default());
    let mut l = TestLoop::new();
    let mut blockers: Vec<Box<Item>> = (0..n)
        .map(|_| {
            let g = gate.clone();
            Item::new(Some(Arc::new(move || g.wait())))
        })
        .collect();
    for b in blockers.iter_mut() {
        submit_item(&mut l, b, WorkKind::Cpu);
    }
    gate.wait_arrived(n);
    // Submit, cancel, finish and free in a loop: the stale queue entries must never
    // reach the freed items (run under Miri or valgrind to see it), and the last
    // submission of a reused item runs exactly once.
    let mut reused = Item::new(None);
    for _ in 0..50 {
        let mut it = Item::new(None);
        submit_item(&mut l, &mut it, WorkKind::Cpu);
        submit_item(&mut l, &mut reused, WorkKind::SlowIo);
        assert_eq!(cancel_item(&mut it), 0);
        assert_eq!(cancel_item(&mut reused), 0);
        while it.dones() == 0 || reused.dones() == 0 {
            l.run(UV_RUN_ONCE);
        }
        assert_eq!(it.status(), UV_ECANCELED);
        reused.dones.store(0, Ordering::SeqCst);
        drop(it);
    }
    submit_item(&mut l, &mut reused, WorkKind::SlowIo);
    gate.open();
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert_eq!((reused.dones(), reused.status()), (1, 0));
    assert_eq!(reused.runs.load(Ordering::SeqCst), 1);
    l.close();
}

#[test]
fn slow_io_holds_at_most_half_the_workers_and_never_starves_the_rest() {
    let _s = serial();
    let n = pool_size();
    let limit = (n / 2).max(1);
    let running = Arc::new(AtomicUsize::new(0));
    let max = Arc::new(AtomicUsize::new(0));
    let order = Arc::new(AtomicUsize::new(0));
    let mut l = TestLoop::new();
    let slow_job: Arc<Job> = {
        let (running, max) = (running.clone(), max.clone());
        Arc::new(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(15));
            running.fetch_sub(1, Ordering::SeqCst);
        })
    };
    let nslow = 4 * n + 4;
    let mut slow: Vec<Box<Item>> = (0..nslow)
        .map(|_| Item::new(Some(slow_job.clone())))
        .collect();
    for it in slow.iter_mut() {
        it.done_order = Some(order.clone());
        submit_item(&mut l, it, WorkKind::SlowIo);
    }
    // Cancel a few in the middle of the slow queue: they must not hold a slot. (They
    // have not started unless this thread stalled for a whole item's time.)
    for it in slow.iter_mut().skip(n + 1).step_by(5) {
        let _ = cancel_item(it);
    }
    let mut fast = Item::new(None);
    fast.done_order = Some(order.clone());
    submit_item(&mut l, &mut fast, WorkKind::FastIo);
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert_eq!(max.load(Ordering::SeqCst), limit, "pool of {n}");
    for it in &slow {
        assert_eq!(it.dones(), 1);
        assert!(it.status() == 0 || it.status() == UV_ECANCELED);
        assert_eq!(it.runs.load(Ordering::SeqCst), u32::from(it.status() == 0));
    }
    if n >= 2 {
        // The fast item ran on a free worker, long before the slow queue drained.
        let last_slow = slow.iter().map(|it| it.done_seq).max().unwrap();
        assert!(fast.done_seq < last_slow, "fast work waited for slow work");
    }
    l.close();
}

#[test]
fn parked_workers_wake_for_each_item() {
    // Items submitted one at a time, each after the pool went idle: a lost wake-up
    // would hang here.
    let mut l = TestLoop::new();
    for i in 0..300 {
        let mut it = Item::new(None);
        let kind = if i % 4 == 0 {
            WorkKind::SlowIo
        } else {
            WorkKind::Cpu
        };
        submit_item(&mut l, &mut it, kind);
        if i % 7 == 0 {
            std::thread::sleep(Duration::from_micros(200));
        }
        assert_eq!(l.run(UV_RUN_DEFAULT), 0);
        assert_eq!(it.dones(), 1);
    }
    l.close();
}

#[test]
fn cancel_refuses_items_never_submitted() {
    let mut it = Item::new(None);
    assert_eq!(cancel_item(&mut it), UV_EBUSY); // zeroed
    let junk = [0u64; 4];
    it.w.wq[1] = junk.as_ptr().cast_mut().cast();
    assert_eq!(cancel_item(&mut it), UV_EBUSY); // not a ticket
    it.w.wq[1] = 0xABAB_ABAB_ABAB_ABABusize as *mut c_void;
    assert_eq!(cancel_item(&mut it), UV_EBUSY);
}

#[test]
fn atoi_reads_like_c() {
    assert_eq!(atoi(b"4"), 4);
    assert_eq!(atoi(b"  12abc"), 12);
    assert_eq!(atoi(b"-3"), -3);
    assert_eq!(atoi(b"+7"), 7);
    assert_eq!(atoi(b"x"), 0);
    assert_eq!(atoi(b""), 0);
    assert_eq!(atoi(b"99999999999999999999999"), i64::MAX);
}

/// Runs the ignored test `name` in a child process with `env`; true if it passed.
fn run_child(name: &str, env: &[(&str, &str)]) -> bool {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = std::process::Command::new(exe);
    cmd.args([
        "--exact",
        name,
        "--ignored",
        "--test-threads=1",
        "--nocapture",
    ])
    .env("RSUV_POOL_CHILD", "1")
    .env_remove("UV_THREADPOOL_SIZE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.success() && stdout.contains("1 passed")
}

fn is_child() -> bool {
    std::env::var_os("RSUV_POOL_CHILD").is_some()
}

#[test]
#[ignore = "run by threadpool_size_comes_from_the_environment in a child"]
fn child_pool_size() {
    if !is_child() {
        return;
    }
    let want: usize = std::env::var("RSUV_WANT").unwrap().parse().unwrap();
    assert_eq!(pool_size(), want);
}

#[test]
fn threadpool_size_comes_from_the_environment() {
    let name = "pool::tests::child_pool_size";
    assert!(run_child(name, &[("RSUV_WANT", "4")]));
    assert!(run_child(
        name,
        &[("UV_THREADPOOL_SIZE", "3"), ("RSUV_WANT", "3")]
    ));
    assert!(run_child(
        name,
        &[("UV_THREADPOOL_SIZE", "0"), ("RSUV_WANT", "1")]
    ));
    assert!(run_child(
        name,
        // libuv reads it into an unsigned int: -5 wraps and is clamped to the maximum.
        &[("UV_THREADPOOL_SIZE", "-5"), ("RSUV_WANT", "1024")]
    ));
    assert!(run_child(
        name,
        &[("UV_THREADPOOL_SIZE", "7x"), ("RSUV_WANT", "7")]
    ));
    // And the child fails when it should: the check can fail.
    assert!(!run_child(
        name,
        &[("UV_THREADPOOL_SIZE", "2"), ("RSUV_WANT", "3")]
    ));
}

#[test]
#[ignore = "run by shutdown_joins_and_a_later_submit_restarts in a child"]
fn child_shutdown_restart() {
    if !is_child() {
        return;
    }
    shutdown(); // before the pool ever ran: nothing to do
    assert_eq!(pool_size(), 2);
    shutdown();
    assert_eq!(threads(), 0);
    shutdown(); // idempotent
    let ran = Arc::new(AtomicI32::new(0));
    let r2 = ran.clone();
    let mut l = TestLoop::new();
    let mut it = Item::new(Some(Arc::new(move || {
        r2.fetch_add(1, Ordering::SeqCst);
    })));
    submit_item(&mut l, &mut it, WorkKind::Cpu);
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert_eq!((it.dones(), ran.load(Ordering::SeqCst)), (1, 1));
    assert_eq!(threads(), 2);
    // Queued work is finished before the workers exit.
    let mut items: Vec<Box<Item>> = (0..100).map(|_| Item::new(None)).collect();
    for it in items.iter_mut() {
        submit_item(&mut l, it, WorkKind::Cpu);
    }
    shutdown();
    assert!(items.iter().all(|it| it.runs.load(Ordering::SeqCst) == 1));
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    assert!(items.iter().all(|it| it.dones() == 1));
    l.close();
}

#[test]
fn shutdown_joins_and_a_later_submit_restarts() {
    assert!(run_child(
        "pool::tests::child_shutdown_restart",
        &[("UV_THREADPOOL_SIZE", "2")]
    ));
}

/// Submit-to-done throughput, printed (`cargo test --release -- --nocapture bench`).
#[test]
#[ignore = "benchmark"]
fn bench_throughput() {
    let mut l = TestLoop::new();
    const N: usize = 1_000_000;
    let mut items: Vec<Box<Item>> = (0..N).map(|_| Item::new(None)).collect();
    pool_size();
    let t0 = Instant::now();
    for it in items.iter_mut() {
        submit_item(&mut l, it, WorkKind::Cpu);
    }
    let t1 = Instant::now();
    assert_eq!(l.run(UV_RUN_DEFAULT), 0);
    let t2 = Instant::now();
    println!(
        "{N} items: submit {:?} ({:.0} ns/item), total {:?} ({:.0} ns/item)",
        t1 - t0,
        (t1 - t0).as_nanos() as f64 / N as f64,
        t2 - t0,
        (t2 - t0).as_nanos() as f64 / N as f64
    );
    l.close();
}
