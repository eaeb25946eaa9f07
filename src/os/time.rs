//! Clocks (misc.rst): `uv_clock_gettime`'s monotonic and real-time clocks.

use core::ffi::c_int;

use crate::abi::errno::{UV_EINVAL, last_error};
use crate::abi::{ClockIdArg, UV_CLOCK_MONOTONIC, UV_CLOCK_REALTIME, uv_timespec64_t};

/// `uv_clock_gettime`: the time on `UV_CLOCK_MONOTONIC` (`CLOCK_MONOTONIC`) or
/// `UV_CLOCK_REALTIME` (`CLOCK_REALTIME`); `UV_EINVAL` for any other clock id.
pub(crate) fn clock_gettime(clock_id: ClockIdArg) -> Result<uv_timespec64_t, c_int> {
    let clock = match clock_id {
        UV_CLOCK_MONOTONIC => libc::CLOCK_MONOTONIC,
        UV_CLOCK_REALTIME => libc::CLOCK_REALTIME,
        _ => return Err(UV_EINVAL),
    };
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a live, writable timespec.
    if unsafe { libc::clock_gettime(clock, &mut t) } != 0 {
        return Err(last_error());
    }
    Ok(uv_timespec64_t {
        tv_sec: t.tv_sec,
        tv_nsec: t.tv_nsec as i32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks() {
        let m = clock_gettime(UV_CLOCK_MONOTONIC).unwrap();
        let r = clock_gettime(UV_CLOCK_REALTIME).unwrap();
        assert!((0..1_000_000_000).contains(&m.tv_nsec));
        assert!(r.tv_sec > 1_682_500_000);
        assert_eq!(clock_gettime(2), Err(UV_EINVAL));
        assert_eq!(clock_gettime(-1), Err(UV_EINVAL));
        assert_eq!(clock_gettime(1337), Err(UV_EINVAL));
    }
}
