//! Keeps the layering of DESIGN.md ("Layers") true:
//! - only `src/ffi/` knows the C surface: no other file names `crate::ffi`/`super::ffi`,
//!   exports a `#[unsafe(no_mangle)]` function, or declares one of the crate's own `uv_*`
//!   functions in an `extern "C"` block (which would call the export instead of the core);
//! - `src/abi/` is the ground floor: its code uses nothing of the crate outside `abi`;
//! - the built library binds its own calls inside itself: no dynamic relocation names a
//!   `uv_*` symbol, so another `libuv` in the process cannot interpose them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `src/...` relative name, for messages and the folder tests.
fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .into_owned()
}

/// The code of a line: what precedes a `//` comment (a crude cut, good enough for paths).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// `uv_*` items declared inside `extern "C" { ... }` blocks: (line number, text).
fn extern_uv_decls(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut depth: Option<i32> = None;
    for (i, line) in text.lines().enumerate() {
        let code = code_of(line);
        match depth {
            None => {
                let t = code.trim_start();
                let t = t.strip_prefix("unsafe ").unwrap_or(t);
                if t.starts_with("extern \"C\" {") || t.starts_with("extern \"C\"{") {
                    depth = Some(0);
                    // Fall through to count this line's braces.
                } else {
                    continue;
                }
            }
            Some(_) => {
                let t = code.trim_start();
                let t = t.strip_prefix("pub ").unwrap_or(t);
                let t = t.strip_prefix("pub(crate) ").unwrap_or(t);
                let t = t.strip_prefix("safe ").unwrap_or(t);
                let t = t.strip_prefix("unsafe ").unwrap_or(t);
                let t = t.strip_prefix("static mut ").unwrap_or(t);
                let t = t
                    .strip_prefix("fn ")
                    .or_else(|| t.strip_prefix("static "))
                    .unwrap_or("");
                if t.starts_with("uv_") {
                    out.push((i + 1, line.trim().to_owned()));
                }
            }
        }
        let d = depth.as_mut().expect("inside a block");
        *d += code.matches('{').count() as i32 - code.matches('}').count() as i32;
        if *d <= 0 {
            depth = None;
        }
    }
    out
}

#[test]
fn only_ffi_knows_the_c_surface() {
    let src = root().join("src");
    let mut bad = Vec::new();
    for f in rust_files(&src) {
        let name = rel(&f);
        let text = fs::read_to_string(&f).expect("readable source");
        let in_ffi = name.starts_with("src/ffi/");
        if !in_ffi {
            for (i, line) in text.lines().enumerate() {
                if line.contains("crate::ffi") || line.contains("super::ffi") {
                    bad.push(format!(
                        "{name}:{}: names the C surface: {}",
                        i + 1,
                        line.trim()
                    ));
                }
                if code_of(line).contains("no_mangle") {
                    bad.push(format!("{name}:{}: an export outside src/ffi/", i + 1));
                }
            }
        }
        for (n, decl) in extern_uv_decls(&text) {
            bad.push(format!(
                "{name}:{n}: declares the crate's own export (call the core instead): {decl}"
            ));
        }
    }
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}

#[test]
fn abi_depends_on_nothing_above_it() {
    let abi = root().join("src/abi");
    let mut bad = Vec::new();
    for f in rust_files(&abi) {
        let name = rel(&f);
        let text = fs::read_to_string(&f).expect("readable source");
        for (i, line) in text.lines().enumerate() {
            let code = code_of(line);
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                let after = &rest[at + "crate::".len()..];
                // `$crate::` in macros and `crate::abi` are the layer itself.
                let dollar = at > 0 && rest.as_bytes()[at - 1] == b'$';
                if !dollar && !after.starts_with("abi") {
                    bad.push(format!("{name}:{}: {}", i + 1, line.trim()));
                    break;
                }
                rest = after;
            }
        }
    }
    assert!(
        bad.is_empty(),
        "src/abi uses the crate above it (only crate::abi, super, libc, core, std):\n{}",
        bad.join("\n")
    );
}

/// `target/<profile>`: this test binary is `target/<profile>/deps/layers-<hash>`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// The cdylib, as tests/c_tests.rs finds it: the newer of `deps/libuv.so` and `libuv.so`.
fn cdylib() -> PathBuf {
    let p = profile_dir();
    [p.join("deps/libuv.so"), p.join("libuv.so")]
        .into_iter()
        .filter_map(|c| Some((fs::metadata(&c).ok()?.modified().ok()?, c)))
        .max_by_key(|(m, _)| *m)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("libuv.so not found in {} or its deps/", p.display()))
}

#[test]
fn own_calls_bind_inside_the_library() {
    let lib = cdylib();
    let out = Command::new("readelf")
        .arg("-rW")
        .arg(&lib)
        .output()
        .expect("readelf runs (binutils)");
    assert!(out.status.success(), "readelf -rW {} failed", lib.display());
    let text = String::from_utf8_lossy(&out.stdout);
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| {
            // Relocation lines: offset, info, type, symbol value, symbol name + addend.
            l.split_whitespace()
                .nth(4)
                .is_some_and(|sym| sym.starts_with("uv_"))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} has relocations against its own uv_* symbols (interposable):\n{}",
        lib.display(),
        bad.join("\n")
    );
}

#[test]
fn the_extern_scan_sees_declarations() {
    let text = "unsafe extern \"C\" {\n    /// doc\n    fn uv_x(a: i32);\n    static environ: *const u8;\n}\npub extern \"C\" fn uv_y() {}\n";
    assert_eq!(
        extern_uv_decls(text),
        vec![(3, "fn uv_x(a: i32);".to_owned())]
    );
}
