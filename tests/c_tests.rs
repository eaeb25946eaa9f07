//! The C side of rsuv's tests, a `harness = false` test target that reports like libtest:
//! every `c_tests/*.c` program is compiled against the generated `include/uv.h`, linked
//! with `-luv` against the cdylib this `cargo test` built, and run; each of its test cases
//! is one `test <variant>::<program>::<case> ... ok` line. Plus two checks of the shared
//! library itself: its exported symbols and its SONAME.
//!
//! The programs use `c_tests/runner.h`: `--list` prints their case names, test names as
//! arguments run those cases alone, and each case ends with one `ok NAME` / `FAILED NAME
//! (reason)` / `ignored NAME` line, parsed here. A program without the runner
//! (`abi_layout.c`, generated) is one case, `all`.
//!
//! Arguments, as libtest's: a filter (substring of the full name; several are or-ed),
//! `--exact`, `--skip FILTER`, `--list`; other flags are accepted and ignored.
//!
//! Environment:
//! - `RSUV_BACKEND`: unset → every program runs twice, on the native epoll backend
//!   (`native::`) and with `RSUV_BACKEND=polling` (`polling::`); set → once, with that value
//!   passed through (and as the name's first part).
//! - `RSUV_VALGRIND=1`: run every program under valgrind (memcheck, definite+indirect leaks
//!   are errors, exit code 99; `c_tests/valgrind.supp` is used if it exists).
//! - `RSUV_C_TEST=SUBSTR`: only the programs whose file name contains SUBSTR (the others are
//!   not even compiled).
//! - `RSUV_C_TEST_TIMEOUT=SECS`: per-program-run timeout (default 60, or 600 under
//!   valgrind); each case also has the runner's own alarm (`RSUV_TEST_ALARM`).
//!
//! Programs compile two at a time and run one at a time (several measure time). Each run's
//! output goes to `target/c_tests/<profile>/<program>.<variant>.log` and is printed in full
//! when the run has a failure.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A backend variant: (label, value of RSUV_BACKEND to set, if any).
type Variant = (String, Option<String>);

/// The backend variants.
fn variants() -> Vec<Variant> {
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

/// Runs `exe` with `args` in its own process group with output to `log`; kills the group on timeout.
fn run(exe: &Path, args: &[String], backend: Option<&str>, log: &Path) -> (Outcome, Duration) {
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
        c.arg(exe).args(args);
        // Forked test children get more time under valgrind.
        c.env("RSUV_TEST_ALARM", "300");
        c
    } else {
        let mut c = Command::new(exe);
        c.args(args);
        c
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

/// Whether a program uses `c_tests/runner.h` (and so knows `--list` and per-case lines).
fn uses_runner(src: &Path) -> bool {
    fs::read_to_string(src).is_ok_and(|s| s.contains("#include \"runner.h\""))
}

/// The case names of a compiled program, in the order it runs them.
fn list_cases(src: &Path, exe: &Path) -> Result<Vec<String>, String> {
    if !uses_runner(src) {
        return Ok(vec!["all".to_string()]);
    }
    let out = Command::new(exe)
        .arg("--list")
        .env("LD_LIBRARY_PATH", lib_dir())
        .current_dir(work_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {} --list: {e}", exe.display()))?;
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if !out.status.success() || names.is_empty() {
        return Err(format!(
            "{} --list: {}, {} name(s)\n{}",
            exe.display(),
            out.status,
            names.len(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(names)
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

/// Every symbol of libuv 1.44's exports list is a defined dynamic symbol of the cdylib.
fn exports_every_libuv_symbol() -> Result<(), String> {
    let lib = cdylib();
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .map_err(|e| format!("run nm: {e}"))?;
    if !out.status.success() {
        return Err(format!("nm failed on {}", lib.display()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let exported: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|s| s.split('@').next().unwrap_or(s))
        .collect();
    let wanted = read_list(&manifest_dir().join("c_tests/abi/exports-1.53.txt"));
    if wanted.len() <= 250 {
        return Err("exports list looks truncated".to_string());
    }
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|s| !exported.contains(s.as_str()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} libuv 1.44 symbols missing from {}: {missing:?}",
            missing.len(),
            wanted.len(),
            lib.display()
        ))
    }
}

/// The cdylib's SONAME is `libuv.so.1`, as libuv's.
fn soname_is_libuv_so_1() -> Result<(), String> {
    let lib = cdylib();
    let out = Command::new("readelf")
        .arg("-d")
        .arg(&lib)
        .output()
        .map_err(|e| format!("run readelf: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let soname = text
        .lines()
        .find(|l| l.contains("(SONAME)"))
        .ok_or_else(|| format!("no SONAME in {}:\n{text}", lib.display()))?;
    if soname.contains("[libuv.so.1]") {
        Ok(())
    } else {
        Err(format!("SONAME is not libuv.so.1: {soname}"))
    }
}

/// libtest's command line, the part that matters here.
#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
}

impl Args {
    fn parse() -> Args {
        let mut a = Args::default();
        let mut it = std::env::args().skip(1);
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--exact" => a.exact = true,
                "--list" => a.list = true,
                "--skip" => a.skip.extend(it.next()),
                // Flags of libtest's that take a value: skip the value too.
                "--test-threads" | "--color" | "--format" | "--logfile" | "--shuffle-seed"
                | "-Z" => {
                    it.next();
                }
                s if s.starts_with("--skip=") => a.skip.push(s["--skip=".len()..].to_string()),
                s if s.starts_with('-') => {}
                _ => a.filters.push(arg),
            }
        }
        a
    }

    fn selects(&self, name: &str) -> bool {
        let hit = |f: &String| {
            if self.exact {
                name == f
            } else {
                name.contains(f.as_str())
            }
        };
        (self.filters.is_empty() || self.filters.iter().any(hit)) && !self.skip.iter().any(hit)
    }
}

#[derive(Clone)]
enum Verdict {
    Ok,
    Failed(String),
    Ignored,
}

/// The libtest-format lines, and the tallies for the closing line.
#[derive(Default)]
struct Report {
    passed: usize,
    failed: Vec<String>,
    ignored: usize,
    /// Output of the failed runs, printed after the case lines.
    details: Vec<String>,
}

impl Report {
    fn case(&mut self, name: &str, v: &Verdict) {
        match v {
            Verdict::Ok => {
                self.passed += 1;
                println!("test {name} ... ok");
            }
            Verdict::Ignored => {
                self.ignored += 1;
                println!("test {name} ... ignored");
            }
            Verdict::Failed(why) => {
                println!("test {name} ... FAILED ({why})");
                self.failed.push(name.to_string());
            }
        }
        let _ = std::io::stdout().flush();
    }
}

/// Reads a program run's log: the verdict of each case that reported one.
fn parse_log(out: &str, cases: &[String]) -> HashMap<String, Verdict> {
    let mut seen = HashMap::new();
    for line in out.lines() {
        let mut words = line.split_whitespace();
        let (Some(kind), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        if !cases.iter().any(|c| c == name) || seen.contains_key(name) {
            continue;
        }
        let verdict = match kind {
            "ok" => Verdict::Ok,
            "ignored" => Verdict::Ignored,
            "FAILED" => {
                let why = line[line.find(name).unwrap() + name.len()..].trim();
                let why = why.strip_prefix('(').and_then(|w| w.strip_suffix(')'));
                Verdict::Failed(why.unwrap_or("").to_string())
            }
            _ => continue,
        };
        seen.insert(name.to_string(), verdict);
    }
    seen
}

struct Program {
    name: String,
    runner: bool,
    /// The executable and its case names, or why there is none.
    built: Result<(PathBuf, Vec<String>), String>,
}

/// Compiles (and lists) every program, two at a time: the machine has two cores, shared.
fn build_all(sources: &[PathBuf]) -> Vec<Program> {
    let work = work_dir();
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Program>>> = sources.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(src) = sources.get(i) else { break };
                    let out = work.join(stem(src));
                    let _ = fs::remove_file(&out);
                    let built = compile(src, &out)
                        .and_then(|()| check_resolution(&out))
                        .and_then(|()| list_cases(src, &out))
                        .map(|cases| (out, cases));
                    *slots[i].lock().unwrap() = Some(Program {
                        name: stem(src),
                        runner: uses_runner(src),
                        built,
                    });
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap().unwrap())
        .collect()
}

/// Runs one program on one backend variant, for the `selected` of its `cases`.
fn run_program(
    p: &Program,
    exe: &Path,
    cases: &[String],
    selected: &[String],
    (label, backend): &Variant,
    report: &mut Report,
) {
    let log = work_dir().join(format!("{}.{label}.log", p.name));
    // The runner takes case names as arguments; all of them is the same as none.
    let args: Vec<String> = if p.runner && selected.len() < cases.len() {
        selected.to_vec()
    } else {
        Vec::new()
    };
    let (outcome, took) = run(exe, &args, backend.as_deref(), &log);
    let out = fs::read_to_string(&log).unwrap_or_default();
    let program_failure = match outcome {
        Outcome::Passed => None,
        Outcome::Failed(why) => Some(why),
        Outcome::TimedOut => Some(format!("timed out after {:.0}s", took.as_secs_f64())),
    };
    let verdicts = if p.runner {
        parse_log(&out, cases)
    } else {
        let v = match &program_failure {
            None => Verdict::Ok,
            Some(why) => Verdict::Failed(why.clone()),
        };
        HashMap::from([("all".to_string(), v)])
    };
    let mut any_failed = false;
    for case in selected {
        let v = verdicts.get(case).cloned().unwrap_or_else(|| {
            Verdict::Failed(format!(
                "no result: the program {}",
                program_failure.as_deref().unwrap_or("did not report it")
            ))
        });
        any_failed |= matches!(v, Verdict::Failed(_));
        report.case(&format!("{label}::{}::{case}", p.name), &v);
    }
    // A failure no case accounts for (valgrind's leak check of the parent, say).
    if let (Some(why), false) = (&program_failure, any_failed) {
        report.case(
            &format!("{label}::{}", p.name),
            &Verdict::Failed(format!("the program: {why}")),
        );
        any_failed = true;
    }
    if any_failed {
        report.details.push(format!(
            "---- {label}::{} output ({}) ----\n{out}",
            p.name,
            log.display()
        ));
    }
}

fn main() {
    let start = Instant::now();
    let args = Args::parse();
    let sources = c_sources();
    fs::create_dir_all(work_dir()).expect("create target/c_tests");
    let programs = build_all(&sources);
    let variants = variants();

    // Every case by its full name, then the filter.
    type Check = fn() -> Result<(), String>;
    let checks: [(&str, Check); 2] = [
        ("exports_every_libuv_symbol", exports_every_libuv_symbol),
        ("soname_is_libuv_so_1", soname_is_libuv_so_1),
    ];
    let mut total = checks.len();
    let mut selected_total = checks.iter().filter(|(n, _)| args.selects(n)).count();
    let mut plan: Vec<(&Program, &Variant, Vec<String>)> = Vec::new();
    for p in &programs {
        match &p.built {
            Err(_) => {
                total += 1;
                selected_total += usize::from(args.selects(&format!("{}::build", p.name)));
            }
            Ok((_, cases)) => {
                for v in &variants {
                    let sel: Vec<String> = cases
                        .iter()
                        .filter(|c| args.selects(&format!("{}::{}::{c}", v.0, p.name)))
                        .cloned()
                        .collect();
                    total += cases.len();
                    selected_total += sel.len();
                    plan.push((p, v, sel));
                }
            }
        }
    }

    if args.list {
        for (n, _) in &checks {
            if args.selects(n) {
                println!("{n}: test");
            }
        }
        for (p, (label, _), sel) in &plan {
            for c in sel {
                println!("{label}::{}::{c}: test", p.name);
            }
        }
        return;
    }

    println!(
        "\nrunning {selected_total} test{} (library {}{})",
        if selected_total == 1 { "" } else { "s" },
        cdylib().display(),
        if valgrind() { ", under valgrind" } else { "" }
    );
    let mut report = Report::default();
    for (name, check) in &checks {
        if args.selects(name) {
            let v = match check() {
                Ok(()) => Verdict::Ok,
                Err(e) => {
                    report.details.push(format!("---- {name} ----\n{e}"));
                    Verdict::Failed("see below".to_string())
                }
            };
            report.case(name, &v);
        }
    }
    for p in &programs {
        if let Err(msg) = &p.built {
            let name = format!("{}::build", p.name);
            if args.selects(&name) {
                report.details.push(format!("---- {name} ----\n{msg}"));
                report.case(
                    &name,
                    &Verdict::Failed("does not compile, link or list".into()),
                );
            }
        }
    }
    for (p, v, sel) in &plan {
        if let (false, Ok((exe, cases))) = (sel.is_empty(), &p.built) {
            run_program(p, exe, cases, sel, v, &mut report);
        }
    }

    let ok = report.failed.is_empty();
    if !ok {
        println!("\nfailures:\n");
        for d in &report.details {
            println!("{d}");
        }
        println!("\nfailures:");
        for f in &report.failed {
            println!("    {f}");
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; \
         finished in {:.2}s\n",
        if ok { "ok" } else { "FAILED" },
        report.passed,
        report.failed.len(),
        report.ignored,
        total - selected_total,
        start.elapsed().as_secs_f64()
    );
    if !ok {
        std::process::exit(101);
    }
}
