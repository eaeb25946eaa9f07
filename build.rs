//! Build script: generates `include/uv.h` from the Rust declarations with cbindgen, and
//! `include/uv/version.h` and `include/uv/errno.h` from the crate's version and its error
//! table (`src/abi/errno_table.rs`),
//! gives the shared library its SONAME (`libuv.so.1`) and leaves a `libuv.so.1` link
//! beside `libuv.so` so that programs linked with `-luv` load rsuv.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=include/uv-fragments");

    // SONAME, as libuv 1.x has it.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libuv.so.1");
    // The library's calls to its own exported functions bind inside the library: another
    // `libuv` loaded into the process cannot interpose them through the GOT.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-Bsymbolic-functions");

    static_unwinder();
    generate_version_h(&crate_dir);
    generate_errno_h(&crate_dir);
    generate_header(&crate_dir);
    link_soname(&crate_dir);
}

/// Links the unwinder (`_Unwind_*`, which the Rust standard library refers to for
/// backtraces) statically from GCC's `libgcc_eh.a` instead of loading `libgcc_s.so.1`.
///
/// Every process that loads rsuv pays for each shared library it brings: the loader maps
/// it, and `libgcc_s`'s constructor (`__cpu_indicator_init`) runs a series of `cpuid`
/// instructions, each a trap to the hypervisor on a virtual machine. For a short-lived
/// child (libuv's `spawn` benchmark spawns itself 1,000 times), that was most of the
/// difference to libuv 1.53's process start. The archive's symbols stay hidden: the
/// version script of the cdylib exports only the `uv_*` API.
///
/// Linked only where the C compiler has the archive (GCC on Linux with glibc); elsewhere
/// the default stays.
fn static_unwinder() {
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !linux_gnu {
        return;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let Ok(out) = std::process::Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
    else {
        return;
    };
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    // GCC prints the bare name back when it has no such file.
    if !out.status.success() || !path.is_absolute() || !path.is_file() {
        return;
    }
    if let Some(dir) = path.parent() {
        println!("cargo:rustc-link-search=native={}", dir.display());
        // `-bundle`: the archive is named on the final link line, before the standard
        // library's `-lgcc_s`, which `--as-needed` then drops.
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
}

fn generate_header(crate_dir: &std::path::Path) {
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let frag = |name: &str| {
        std::fs::read_to_string(crate_dir.join("include/uv-fragments").join(name))
            .unwrap_or_else(|e| panic!("include/uv-fragments/{name}: {e}"))
    };
    let mut config = config;
    config.after_includes = Some(frag("prologue.h"));
    config.trailer = Some(frag("epilogue.h"));
    match cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            bindings.write_to_file(crate_dir.join("include/uv.h"));
        }
        Err(e) => panic!("cbindgen failed to generate include/uv.h: {e}"),
    }
}

/// Writes `path` only when its content changes, so that an unchanged header keeps its
/// timestamp (and CI's drift check sees only real changes).
fn write_if_changed(path: &std::path::Path, text: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// `include/uv/version.h`: the libuv version rsuv implements is the crate's version.
fn generate_version_h(crate_dir: &std::path::Path) {
    let v = |k: &str| std::env::var(k).unwrap_or_else(|e| panic!("{k}: {e}"));
    let text = format!(
        "/* rsuv: the libuv version implemented, from Cargo.toml by build.rs. Do not edit. */\n\
         #ifndef UV_VERSION_H\n\
         #define UV_VERSION_H\n\n\
         #define UV_VERSION_MAJOR {}\n\
         #define UV_VERSION_MINOR {}\n\
         #define UV_VERSION_PATCH {}\n\
         #define UV_VERSION_IS_RELEASE 1\n\
         #define UV_VERSION_SUFFIX \"\"\n\n\
         #define UV_VERSION_HEX  ((UV_VERSION_MAJOR << 16) | \\\n\
         \x20                        (UV_VERSION_MINOR <<  8) | \\\n\
         \x20                        (UV_VERSION_PATCH))\n\n\
         #endif /* UV_VERSION_H */\n",
        v("CARGO_PKG_VERSION_MAJOR"),
        v("CARGO_PKG_VERSION_MINOR"),
        v("CARGO_PKG_VERSION_PATCH"),
    );
    write_if_changed(&crate_dir.join("include/uv/version.h"), &text);
}

/// `include/uv/errno.h`: each error's `UV__E*` code (the negated errno from `<errno.h>`,
/// or libuv's own number) and the `UV_ERRNO_MAP` X-macro, in the table's order. The
/// table's entries read `NAME => UV_NAME = VALUE, c"message";`.
fn generate_errno_h(crate_dir: &std::path::Path) {
    let path = crate_dir.join("src/abi/errno_table.rs");
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = src
        .split_once("error_table! {")
        .and_then(|(_, rest)| rest.rsplit_once('}'))
        .map(|(body, _)| body)
        .expect("src/abi/errno_table.rs holds one error_table! { ... }");
    let mut codes = String::new();
    let mut map = String::from("#define UV_ERRNO_MAP(XX) \\\n");
    for entry in body.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let entry = entry.split_whitespace().collect::<Vec<_>>().join(" ");
        let parse = || -> Option<(&str, &str, &str)> {
            let (name, rest) = entry.split_once(" => ")?;
            let (_, rest) = rest.split_once(" = ")?;
            let (value, msg) = rest.split_once(", c\"")?;
            Some((name, value, msg.strip_suffix('"')?))
        };
        let (name, value, msg) =
            parse().unwrap_or_else(|| panic!("errno_table.rs: cannot read entry `{entry}`"));
        let value = match value.strip_prefix("-libc::") {
            Some(errno) => format!("(-{errno})"),
            None => format!("({value})"),
        };
        codes.push_str(&format!("#define UV__{name} {value}\n"));
        map.push_str(&format!("  XX({name}, \"{msg}\") \\\n"));
    }
    let text = format!(
        "/* rsuv: libuv's error codes, from src/abi/errno_table.rs by build.rs. Do not edit. */\n\
         #ifndef UV_ERRNO_H_\n\
         #define UV_ERRNO_H_\n\n\
         #include <errno.h>\n\n\
         {codes}\n\
         /* Every error: XX(name without the UV_ prefix, message), in libuv's order. */\n\
         {map}\n\
         #endif /* UV_ERRNO_H_ */\n"
    );
    write_if_changed(&crate_dir.join("include/uv/errno.h"), &text);
}

/// `-luv` resolves to `libuv.so`, whose SONAME is `libuv.so.1`: the dynamic loader then
/// looks for `libuv.so.1`, so one must sit beside it or a system libuv would be loaded.
fn link_soname(_crate_dir: &std::path::Path) {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR = target/<profile>/build/uv-<hash>/out
    let Some(profile_dir) = out.ancestors().nth(3) else {
        return;
    };
    let link = profile_dir.join("libuv.so.1");
    if std::fs::symlink_metadata(&link).is_err() {
        let _ = std::os::unix::fs::symlink("libuv.so", &link);
    }
}
