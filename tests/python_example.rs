//! Runs `examples/python/rsuv_demo.py` (Python ctypes driving the library) against the cdylib
//! this `cargo test` built. Skipped, with a notice, when python3 is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The cdylib: `cargo test` leaves it in `target/<profile>/deps/` (copied up to
/// `target/<profile>/` only by `cargo build`); take the newer of the two.
fn cdylib() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    [profile.join("deps/libuv.so"), profile.join("libuv.so")]
        .into_iter()
        .filter_map(|c| Some((std::fs::metadata(&c).ok()?.modified().ok()?, c)))
        .max_by_key(|(m, _)| *m)
        .map(|(_, c)| c)
        .expect("libuv.so not built")
}

#[test]
fn python_ctypes_demo() {
    if Command::new("python3").arg("--version").output().is_err() {
        println!("NOTICE: python3 not found; skipping examples/python/rsuv_demo.py");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python/rsuv_demo.py");
    let lib = cdylib();
    let out = Command::new("python3")
        .arg(&script)
        .env("RSUV_LIB", &lib)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(
        out.status.success(),
        "rsuv_demo.py failed ({}) against {}",
        out.status,
        lib.display()
    );
}
