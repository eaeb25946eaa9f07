//! Build script: generates `include/uv.h` from the Rust declarations with cbindgen,
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

    generate_header(&crate_dir);
    link_soname(&crate_dir);
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
