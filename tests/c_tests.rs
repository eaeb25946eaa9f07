//! The C side of rsuv's tests: every `c_tests/*.c` program is compiled against the generated
//! `include/uv.h`, linked with `-luv` against the cdylib this `cargo test` built, and run.
//! Plus checks of the shared library itself: exported symbols, SONAME, and the count of
//! not-yet-implemented functions in `src/ffi/stubs/`.
//!
//! Environment:
//! - `RSUV_BACKEND`: unset → every program runs twice, on the native epoll backend and with
//!   `RSUV_BACKEND=polling`; set → once, with that value passed through.
//! - `RSUV_VALGRIND=1`: run every program under valgrind (memcheck, definite+indirect leaks
//!   are errors, exit code 99; `c_tests/valgrind.supp` is used if it exists).
//! - `RSUV_C_TEST=SUBSTR`: only the programs whose file name contains SUBSTR.
//! - `RSUV_C_TEST_TIMEOUT=SECS`: per-run timeout (default 60, or 600 under valgrind).
//!
//! Each program's output goes to `target/c_tests/<profile>/<name>.<variant>.log` and is
//! printed in full when the program fails.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: the test binary is `target/<profile>/deps/c_tests-<hash>`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// The cdylib. `cargo test` builds it into `target/<profile>/deps/` (it only copies it up to
/// `target/<profile>/` on `cargo build`), so take whichever of the two is newer.
fn cdylib() -> PathBuf {
    let p = profile_dir();
    let candidates = [p.join("deps/libuv.so"), p.join("libuv.so")];
    candidates
        .iter()
        .filter_map(|c| {
            let m = fs::metadata(c).ok()?.modified().ok()?;
            Some((m, c.clone()))
        })
        .max_by_key(|(m, _)| *m)
        .map(|(_, c)| c)
        .unwrap_or_else(|| {
            panic!(
                "libuv.so not found in {} or its deps/ (crate-type cdylib should put it there)",
                p.display()
            )
        })
}

/// `target/c_tests/<profile>`: compiled programs, logs and `lib/`.
fn work_dir() -> PathBuf {
    let p = profile_dir();
    let profile = p.file_name().expect("profile dir name").to_owned();
    let target = p.parent().expect("target dir");
    target.join("c_tests").join(profile)
}

/// A private library directory holding `libuv.so` and `libuv.so.1`, both pointing at this
/// build's cdylib, so that neither the linker nor the dynamic loader can pick up a system libuv.
fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let lib = cdylib();
        let dir = work_dir().join("lib");
        fs::create_dir_all(&dir).expect("create lib dir");
        // Other `cargo test` runs may share this directory: replace the links atomically.
        for name in ["libuv.so", "libuv.so.1"] {
            let link = dir.join(name);
            if fs::read_link(&link).is_ok_and(|t| t == lib) {
                continue;
            }
            let tmp = dir.join(format!(".{name}.{}", std::process::id()));
            let _ = fs::remove_file(&tmp);
            std::os::unix::fs::symlink(&lib, &tmp)
                .and_then(|()| fs::rename(&tmp, &link))
                .unwrap_or_else(|e| panic!("symlink {}: {e}", link.display()));
        }
        dir
    })
}

fn c_compiler() -> (PathBuf, Vec<std::ffi::OsString>) {
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let tool = cc::Build::new()
        .target(&triple)
        .host(&triple)
        .opt_level(0)
        .debug(true)
        .cargo_metadata(false)
        .warnings(false)
        .get_compiler();
    (tool.path().to_path_buf(), tool.args().to_vec())
}

fn c_sources() -> Vec<PathBuf> {
    let filter = std::env::var("RSUV_C_TEST").ok();
    let mut v: Vec<PathBuf> = fs::read_dir(manifest_dir().join("c_tests"))
        .expect("read c_tests/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .filter(|p| {
            filter
                .as_deref()
                .is_none_or(|f| p.file_name().unwrap().to_string_lossy().contains(f))
        })
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Compiles one program; Err(compiler output) on failure.
fn compile(src: &Path, out: &Path) -> Result<(), String> {
    let (cc, cc_args) = c_compiler();
    let root = manifest_dir();
    let libdir = lib_dir();
    let output = Command::new(&cc)
        .args(&cc_args)
        .args([
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-g",
            "-pthread",
        ])
        .arg(format!("-I{}", root.join("include").display()))
        .arg(format!("-I{}", root.join("c_tests").display()))
        .arg(src)
        .arg("-o")
        .arg(out)
        .arg(format!("-L{}", libdir.display()))
        .args(["-luv", "-lpthread"])
        .arg(format!("-Wl,-rpath,{}", libdir.display()))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cc.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn valgrind() -> bool {
    std::env::var("RSUV_VALGRIND").is_ok_and(|v| v == "1")
}

fn timeout() -> Duration {
    let default = if valgrind() { 600 } else { 60 };
    let secs = std::env::var("RSUV_C_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Duration::from_secs(secs)
}

/// The backend variants: (label, value of RSUV_BACKEND to set, if any).
fn variants() -> Vec<(String, Option<String>)> {
    match std::env::var("RSUV_BACKEND") {
        Ok(v) => vec![(v.clone(), Some(v))],
        Err(_) => vec![
            ("native".to_string(), None),
            ("polling".to_string(), Some("polling".to_string())),
        ],
    }
}

enum Outcome {
    Passed,
    Failed(String),
    TimedOut,
}

/// Runs `exe` in its own process group with output to `log`; kills the group on timeout.
fn run(exe: &Path, backend: Option<&str>, log: &Path) -> (Outcome, Duration) {
    let file = fs::File::create(log).expect("create log");
    let mut cmd = if valgrind() {
        let mut c = Command::new("valgrind");
        c.args([
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "-q",
        ]);
        // Known, understood reports may be suppressed in c_tests/valgrind.supp (say why).
        let supp = manifest_dir().join("c_tests/valgrind.supp");
        if supp.exists() {
            c.arg(format!("--suppressions={}", supp.display()));
        }
        c.arg(exe);
        // Forked test children get more time under valgrind.
        c.env("RSUV_TEST_ALARM", "300");
        c
    } else {
        Command::new(exe)
    };
    cmd.env("LD_LIBRARY_PATH", lib_dir())
        .current_dir(work_dir())
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("dup log"))
        .stderr(file)
        .process_group(0);
    match backend {
        Some(b) => cmd.env("RSUV_BACKEND", b),
        None => cmd.env_remove("RSUV_BACKEND"),
    };
    let start = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return (
                Outcome::Failed(format!("cannot start: {e}")),
                start.elapsed(),
            );
        }
    };
    let limit = timeout();
    let status: ExitStatus = loop {
        match child.try_wait().expect("wait") {
            Some(s) => break s,
            None if start.elapsed() > limit => {
                // SAFETY: kill(2) on the process group we created; no memory is involved.
                unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
                let _ = child.wait();
                return (Outcome::TimedOut, start.elapsed());
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let elapsed = start.elapsed();
    // Reap any leftover forked children of the program.
    // SAFETY: as above.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
    if status.success() {
        (Outcome::Passed, elapsed)
    } else {
        (Outcome::Failed(format!("{status}")), elapsed)
    }
}

/// The dynamic loader must resolve libuv.so.1 to our library, never to a system libuv.
fn check_resolution(exe: &Path) -> Result<(), String> {
    let out = Command::new("ldd")
        .arg(exe)
        .env("LD_LIBRARY_PATH", lib_dir())
        .output()
        .map_err(|e| format!("ldd: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("libuv.so"))
        .ok_or_else(|| format!("ldd shows no libuv.so.1:\n{text}"))?;
    if line.contains(&*lib_dir().to_string_lossy()) {
        Ok(())
    } else {
        Err(format!(
            "libuv resolves outside {}: {line}",
            lib_dir().display()
        ))
    }
}

#[test]
fn c_programs() {
    let sources = c_sources();
    assert!(!sources.is_empty(), "no c_tests/*.c matched");
    let work = work_dir();
    fs::create_dir_all(&work).expect("create target/c_tests");
    println!("library: {}", cdylib().display());
    println!(
        "running {} program(s){}",
        sources.len(),
        if valgrind() { " under valgrind" } else { "" }
    );

    // Compile (in parallel: compilation is independent of timing).
    let compiled: Vec<(PathBuf, Result<PathBuf, String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = sources
            .iter()
            .map(|src| {
                let out = work.join(stem(src));
                s.spawn(move || {
                    let _ = fs::remove_file(&out);
                    (
                        src.clone(),
                        compile(src, &out)
                            .and_then(|()| check_resolution(&out))
                            .map(|()| out),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // Run, one at a time: several programs measure time.
    let mut failures = Vec::new();
    for (src, exe) in &compiled {
        let name = stem(src);
        let exe = match exe {
            Ok(e) => e,
            Err(msg) => {
                println!("FAIL  {name:<28} compile/link error");
                failures.push(format!("{name}: does not compile or link:\n{msg}"));
                continue;
            }
        };
        for (label, backend) in variants() {
            let log = work.join(format!("{name}.{label}.log"));
            let (outcome, took) = run(exe, backend.as_deref(), &log);
            let out = fs::read_to_string(&log).unwrap_or_default();
            let summary = out
                .lines()
                .rev()
                .find(|l| l.contains(" passed, "))
                .unwrap_or("")
                .trim()
                .to_string();
            let secs = took.as_secs_f64();
            match outcome {
                Outcome::Passed => {
                    println!("ok    {name:<28} [{label:<7}] {secs:6.2}s  {summary}")
                }
                Outcome::Failed(why) => {
                    println!("FAIL  {name:<28} [{label:<7}] {secs:6.2}s  {why}  {summary}");
                    failures.push(format!(
                        "{name} [{label}]: {why}\n--- output ({}) ---\n{out}",
                        log.display()
                    ));
                }
                Outcome::TimedOut => {
                    println!("FAIL  {name:<28} [{label:<7}] timed out after {secs:.0}s");
                    failures.push(format!(
                        "{name} [{label}]: timed out after {secs:.0}s\n--- output ({}) ---\n{out}",
                        log.display()
                    ));
                }
            }
        }
    }
    if !failures.is_empty() {
        for f in &failures {
            println!("\n==== {f}");
        }
        panic!(
            "{} C test run(s) failed: {}",
            failures.len(),
            failures
                .iter()
                .map(|f| f.lines().next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
}

fn read_list(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn exports_every_libuv_symbol() {
    let lib = cdylib();
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("run nm");
    assert!(out.status.success(), "nm failed on {}", lib.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let exported: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|s| s.split('@').next().unwrap_or(s))
        .collect();
    let wanted = read_list(&manifest_dir().join("c_tests/abi/exports-1.44.txt"));
    assert!(wanted.len() > 250, "exports list looks truncated");
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|s| !exported.contains(s.as_str()))
        .collect();
    println!(
        "{} of {} libuv 1.44 symbols exported by {}",
        wanted.len() - missing.len(),
        wanted.len(),
        lib.display()
    );
    assert!(
        missing.is_empty(),
        "{} symbol(s) missing: {missing:?}",
        missing.len()
    );
}

#[test]
fn soname_is_libuv_so_1() {
    let lib = cdylib();
    let out = Command::new("readelf")
        .arg("-d")
        .arg(&lib)
        .output()
        .expect("run readelf");
    let text = String::from_utf8_lossy(&out.stdout);
    let soname = text
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .unwrap_or_else(|| panic!("no SONAME in {}:\n{text}", lib.display()));
    assert!(
        soname.contains("[libuv.so.1]"),
        "SONAME is not libuv.so.1: {soname}"
    );
}

/// Names of the `uv_*` functions defined in a Rust source (outside comments).
fn defined_uv_fns(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in src.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("fn uv_") {
            let after = &rest[i + 3..];
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            names.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    names
}

/// The not-yet-implemented exports (`src/ffi/stubs/`) may only go down.
#[test]
fn enosys_stub_count_only_falls() {
    let root = manifest_dir();
    // One file per area under src/ffi/stubs/.
    let mut stubs = String::new();
    let mut files: Vec<_> = fs::read_dir(root.join("src/ffi/stubs"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        stubs.push_str(&fs::read_to_string(f).unwrap_or_default());
    }
    let names = defined_uv_fns(&stubs);
    let limit_file = root.join("c_tests/enosys-count.txt");
    let limit: usize = read_list(&limit_file)
        .first()
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("{}: no count", limit_file.display()));
    println!(
        "{} stubbed (not implemented) functions in src/ffi/stubs/ (ceiling {limit}):",
        names.len()
    );
    for chunk in names.chunks(6) {
        println!("  {}", chunk.join(" "));
    }
    assert!(
        names.len() <= limit,
        "src/ffi/stubs/ has {} stubs, more than the {limit} recorded in {}: \
         the not-implemented count may only fall",
        names.len(),
        limit_file.display()
    );
    if names.len() < limit {
        println!(
            "note: the count fell; lower {} to {}",
            limit_file.display(),
            names.len()
        );
    }
}
