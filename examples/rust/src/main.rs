//! rsuv from Rust through libuv-sys2: a loop, a repeating timer that stops itself after
//! three ticks, and a check of which libuv this program loaded.
//!
//! The check: `dladdr` on `uv_version` names the file the function was loaded from; that
//! file is rsuv's when it contains the name of rsuv's own environment variable
//! (`RSUV_BACKEND`), which no C libuv has. With `RSUV_EXPECT_LIB=path`, the loaded file must
//! also be that one (after resolving links). Exit status 0 only if every check held.

use std::ffi::{CStr, c_void};
use std::process::ExitCode;

use libuv_sys2 as uv;

const TICKS: u32 = 3;

extern "C" fn on_tick(timer: *mut uv::uv_timer_t) {
    // SAFETY: `data` points at the counter in `main`, which outlives the loop run.
    let count = unsafe { &mut *((*timer).data as *mut u32) };
    *count += 1;
    println!("  tick {count}");
    if *count == TICKS {
        // SAFETY: the timer is initialised and running on this loop's thread.
        unsafe { uv::uv_timer_stop(timer) };
    }
}

/// The file the dynamic loader loaded `uv_version` from.
fn loaded_from() -> Option<String> {
    // SAFETY: dladdr only reads `info`'s out-fields; uv_version is a function address.
    unsafe {
        let mut info: libc::Dl_info = std::mem::zeroed();
        let addr = uv::uv_version as *const c_void;
        if libc::dladdr(addr, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        Some(
            CStr::from_ptr(info.dli_fname)
                .to_string_lossy()
                .into_owned(),
        )
    }
}

fn main() -> ExitCode {
    let mut ok = true;
    let mut check = |cond: bool, what: &str| {
        println!("  {}  {what}", if cond { "ok  " } else { "FAIL" });
        ok &= cond;
    };

    // SAFETY: uv_version_string returns a static C string.
    let version = unsafe { CStr::from_ptr(uv::uv_version_string()) };
    println!("libuv {} (libuv-sys2 bindings)", version.to_string_lossy());

    let mut count: u32 = 0;
    // SAFETY: the loop and timer live on this stack frame until the loop is closed; the
    // timer is closed and the loop run again so its close completes before uv_loop_close.
    let (run_rc, close_rc) = unsafe {
        let mut lp: uv::uv_loop_t = std::mem::zeroed();
        let mut timer: uv::uv_timer_t = std::mem::zeroed();
        assert_eq!(uv::uv_loop_init(&mut lp), 0);
        assert_eq!(uv::uv_timer_init(&mut lp, &mut timer), 0);
        timer.data = &mut count as *mut u32 as *mut c_void;
        assert_eq!(uv::uv_timer_start(&mut timer, Some(on_tick), 5, 5), 0);
        let run_rc = uv::uv_run(&mut lp, uv::uv_run_mode_UV_RUN_DEFAULT);
        uv::uv_close(
            &mut timer as *mut uv::uv_timer_t as *mut uv::uv_handle_t,
            None,
        );
        uv::uv_run(&mut lp, uv::uv_run_mode_UV_RUN_DEFAULT);
        (run_rc, uv::uv_loop_close(&mut lp))
    };
    check(
        run_rc == 0 && count == TICKS,
        "repeating timer ticked 3 times, then the loop ended",
    );
    check(close_rc == 0, "uv_loop_close succeeded");

    match loaded_from() {
        None => check(false, "dladdr found where uv_version came from"),
        Some(path) => {
            println!("  libuv loaded from {path}");
            let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone().into());
            let bytes = std::fs::read(&real).unwrap_or_default();
            let is_rsuv = bytes.windows(12).any(|w| w == b"RSUV_BACKEND");
            check(is_rsuv, "the loaded libuv is rsuv's");
            if let Ok(want) = std::env::var("RSUV_EXPECT_LIB") {
                let want = std::fs::canonicalize(&want).unwrap_or_else(|_| want.clone().into());
                check(real == want, &format!("it is {}", want.display()));
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
