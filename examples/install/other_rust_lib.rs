//! Another Rust static library, as a program that links rsuv's libuv.a may also link: it
//! carries its own copy of Rust's standard library (rust_eh_personality, __rust_alloc, ...).
//! Built by scripts/install-check.sh with `rustc --crate-type staticlib`.

/// Sums `n` numbers through a heap-allocated, formatted string, so that the standard
/// library's allocator, formatting and panic machinery are all linked in.
#[unsafe(no_mangle)]
pub extern "C" fn other_rust_sum(n: u32) -> u64 {
    let text: String = (1..=n as u64).map(|i| format!("{i} ")).collect();
    let sum = text
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap())
        .sum();
    std::hint::black_box(sum)
}
