//! DNS: name resolution on the thread pool (`uv_getaddrinfo`, `uv_getnameinfo`) and the
//! address utilities of libuv's "miscellaneous" page (`uv_ip4_addr`, `uv_inet_pton`, ...).
//!
//! - Lookups run the C library's `getaddrinfo(3)` / `getnameinfo(3)`. With a callback they
//!   run on the pool as slow I/O (at most half the workers) and the callback runs on the
//!   loop thread when the loop takes finished pool work (right after polling for I/O); a
//!   cancelled lookup reports `UV_EAI_CANCELED`. Without a callback they run at once, on the
//!   calling thread, and the status is the return value.
//! - Host names go through IDNA 2008 "ToASCII" first, as in libuv 1.44: every label that
//!   holds a non-ASCII character becomes `xn--` + Punycode (RFC 3492); ASCII labels pass
//!   through unchanged (no case folding, no mapping, no validation beyond UTF-8), and the
//!   ideographic full stops U+3002, U+FF0E, U+FF61 separate labels like `.`. The result is
//!   at most 255 bytes, else `UV_EINVAL`. [`idna_to_ascii`] is written from RFC 3492.
//! - The text <-> binary address conversions are rsuv's own: [`pton4`], [`pton6`],
//!   [`ntop4`], [`ntop6`]. They follow libuv's grammar (which is BIND's `inet_pton`):
//!   dotted quads need all four parts, no leading zeros, each at most 255; IPv6 groups have
//!   1-4 hex digits, one `::`, and an optional trailing dotted quad; output uses the
//!   longest run (first on a tie) of two or more zero groups for `::` and writes IPv4
//!   compatible (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) addresses with a dotted
//!   quad. Errors are libuv codes: `UV_EINVAL` for bad text, `UV_ENOSPC` for a short buffer.
//!
//! Everything here except the request machinery may be called from any thread; the
//! requests are started on their loop's thread.

use crate::abi::alloc;
use crate::abi::errno::{UV_E2BIG, UV_EAI_CANCELED, UV_ECANCELED, UV_EINVAL, UV_ENOMEM, from_eai};
use crate::abi::{uv__work, uv_loop_t, uv_req_type};
use crate::abi::{uv_getaddrinfo_cb, uv_getaddrinfo_t, uv_getnameinfo_cb, uv_getnameinfo_t};
use crate::pool::{self, WorkKind};
use core::ffi::{CStr, c_char, c_int, c_void};
use core::mem::{offset_of, size_of};
use core::ptr;
use std::borrow::Cow;

// ---------------------------------------------------------------------------------------
// IDNA.

/// The longest host name `uv_getaddrinfo` passes on, without its NUL (libuv's buffer is 256
/// bytes with the NUL).
pub(crate) const HOSTNAME_MAX: usize = 255;

/// Punycode's parameters (RFC 3492, section 5).
const BASE: u32 = 36;
const TMIN: u32 = 1;
const TMAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// Punycode digit `d` (0..36): `a`-`z` then `0`-`9`.
fn punycode_digit(d: u32) -> u8 {
    debug_assert!(d < BASE);
    if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    }
}

/// RFC 3492 section 6.1.
fn adapt(delta: u32, numpoints: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / numpoints;
    let mut k = 0;
    while delta > ((BASE - TMIN) * TMAX) / 2 {
        delta /= BASE - TMIN;
        k += BASE;
    }
    k + (BASE - TMIN + 1) * delta / (delta + SKEW)
}

/// Appends one label: unchanged if all ASCII, else `xn--` + its Punycode encoding.
/// `UV_E2BIG` if the encoder's arithmetic would overflow (absurdly long labels).
fn encode_label(label: &[char], out: &mut Vec<u8>) -> Result<(), c_int> {
    let basic = label.iter().filter(|c| c.is_ascii()).count();
    if basic == label.len() {
        out.extend(label.iter().map(|&c| c as u8));
        return Ok(());
    }
    out.extend_from_slice(b"xn--");
    out.extend(label.iter().filter(|c| c.is_ascii()).map(|&c| c as u8));
    if basic > 0 {
        out.push(b'-');
    }
    let overflow = |_| UV_E2BIG;
    let total = u32::try_from(label.len()).map_err(overflow)?;
    let mut handled = basic as u32;
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    while handled < total {
        // The smallest code point not yet handled.
        let m = label
            .iter()
            .map(|&c| c as u32)
            .filter(|&c| c >= n)
            .min()
            .unwrap_or(n);
        delta = (m - n)
            .checked_mul(handled + 1)
            .and_then(|d| delta.checked_add(d))
            .ok_or(UV_E2BIG)?;
        n = m;
        for &c in label {
            let c = c as u32;
            if c < n {
                delta = delta.checked_add(1).ok_or(UV_E2BIG)?;
            }
            if c != n {
                continue;
            }
            let mut q = delta;
            let mut k = BASE;
            loop {
                let t = if k <= bias {
                    TMIN
                } else if k >= bias + TMAX {
                    TMAX
                } else {
                    k - bias
                };
                if q < t {
                    break;
                }
                out.push(punycode_digit(t + (q - t) % (BASE - t)));
                q = (q - t) / (BASE - t);
                k += BASE;
            }
            out.push(punycode_digit(q));
            bias = adapt(delta, handled + 1, handled == basic as u32);
            delta = 0;
            handled += 1;
        }
        delta = delta.checked_add(1).ok_or(UV_E2BIG)?;
        n += 1;
    }
    Ok(())
}

/// Is `c` a label separator: `.` or one of the three ideographic full stops?
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// IDNA 2008 ToASCII of a UTF-8 host name, as libuv 1.44 does it before `getaddrinfo`:
/// labels with non-ASCII characters become `xn--` Punycode, separators become `.`.
/// `UV_EINVAL` for an empty name, bad UTF-8, or a result longer than [`HOSTNAME_MAX`].
pub(crate) fn idna_to_ascii(name: &[u8]) -> Result<Cow<'_, [u8]>, c_int> {
    if name.is_empty() {
        return Err(UV_EINVAL);
    }
    let s = core::str::from_utf8(name).map_err(|_| UV_EINVAL)?;
    if s.is_ascii() {
        // Fast path: nothing to encode, only the length to check.
        return if s.len() > HOSTNAME_MAX {
            Err(UV_EINVAL)
        } else {
            Ok(Cow::Borrowed(name))
        };
    }
    let mut out = Vec::with_capacity(HOSTNAME_MAX + 1);
    let mut label: Vec<char> = Vec::new();
    for c in s.chars() {
        if is_dot(c) {
            encode_label(&label, &mut out)?;
            out.push(b'.');
            label.clear();
        } else {
            label.push(c);
        }
    }
    encode_label(&label, &mut out)?;
    if out.len() > HOSTNAME_MAX {
        return Err(UV_EINVAL);
    }
    Ok(Cow::Owned(out))
}

// ---------------------------------------------------------------------------------------
// Address text <-> binary.

/// The longest IPv6 text with its NUL (`INET6_ADDRSTRLEN`).
pub(crate) const INET6_ADDRSTRLEN: usize = 46;

/// A dotted quad: exactly four decimal parts, each 0-255 without leading zeros.
pub(crate) fn pton4(s: &[u8]) -> Result<[u8; 4], c_int> {
    let mut out = [0u8; 4];
    let mut parts = s.split(|&c| c == b'.');
    for byte in &mut out {
        let part = parts.next().ok_or(UV_EINVAL)?;
        let well_formed = !part.is_empty()
            && part.len() <= 3
            && part.iter().all(u8::is_ascii_digit)
            && (part.len() == 1 || part[0] != b'0');
        if !well_formed {
            return Err(UV_EINVAL);
        }
        let v = part.iter().fold(0u32, |v, &d| v * 10 + u32::from(d - b'0'));
        *byte = u8::try_from(v).map_err(|_| UV_EINVAL)?;
    }
    if parts.next().is_some() {
        return Err(UV_EINVAL);
    }
    Ok(out)
}

/// IPv6 text: groups of 1-4 hex digits separated by `:`, at most one `::` standing for one
/// or more zero groups, optionally ending in a dotted quad. No scope (see [`pton6_scoped`]).
pub(crate) fn pton6(s: &[u8]) -> Result<[u8; 16], c_int> {
    let mut out = [0u8; 16];
    let mut len = 0usize; // bytes written to `out`
    let mut gap: Option<usize> = None; // where `::` stands, as an offset in `out`
    let mut i = 0;
    // A leading colon must start a `::`; skip the first of the two.
    if s.first() == Some(&b':') {
        if s.get(1) != Some(&b':') {
            return Err(UV_EINVAL);
        }
        i = 1;
    }
    let mut token = i; // start of the current group
    let mut digits = 0;
    let mut val: u32 = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if let Some(d) = char::from(c).to_digit(16) {
            digits += 1;
            if digits > 4 {
                return Err(UV_EINVAL);
            }
            val = (val << 4) | d;
            continue;
        }
        match c {
            b':' => {
                token = i;
                if digits == 0 {
                    // The second colon of `::`.
                    if gap.is_some() {
                        return Err(UV_EINVAL);
                    }
                    gap = Some(len);
                    continue;
                }
                // A group ends; a single trailing colon is not allowed.
                if i == s.len() || len + 2 > out.len() {
                    return Err(UV_EINVAL);
                }
                out[len..len + 2].copy_from_slice(&(val as u16).to_be_bytes());
                len += 2;
                digits = 0;
                val = 0;
            }
            b'.' if len + 4 <= out.len() => {
                // The current group is the start of a dotted quad that runs to the end.
                let quad = pton4(&s[token..])?;
                out[len..len + 4].copy_from_slice(&quad);
                len += 4;
                digits = 0;
                break;
            }
            _ => return Err(UV_EINVAL),
        }
    }
    if digits > 0 {
        if len + 2 > out.len() {
            return Err(UV_EINVAL);
        }
        out[len..len + 2].copy_from_slice(&(val as u16).to_be_bytes());
        len += 2;
    }
    if let Some(g) = gap {
        // `::` stands for at least one group: move what follows it to the end.
        if len == out.len() {
            return Err(UV_EINVAL);
        }
        let tail = len - g;
        let end = out.len();
        out.copy_within(g..len, end - tail);
        out[g..end - tail].fill(0);
        len = end;
    }
    if len != out.len() {
        return Err(UV_EINVAL);
    }
    Ok(out)
}

/// `uv_inet_pton(AF_INET6, ...)`: IPv6 text with an optional `%zone` suffix, which is
/// ignored (the part before it may be at most 45 characters).
pub(crate) fn pton6_scoped(s: &[u8]) -> Result<[u8; 16], c_int> {
    match s.iter().position(|&c| c == b'%') {
        Some(p) if p > INET6_ADDRSTRLEN - 1 => Err(UV_EINVAL),
        Some(p) => pton6(&s[..p]),
        None => pton6(s),
    }
}

/// A dotted quad, `a.b.c.d`.
pub(crate) fn ntop4(a: &[u8; 4]) -> String {
    format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
}

/// IPv6 text: lowercase hex groups without leading zeros, the longest run (the first of
/// equal ones) of two or more zero groups as `::`, and a trailing dotted quad for IPv4
/// compatible (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
pub(crate) fn ntop6(a: &[u8; 16]) -> String {
    use core::fmt::Write;
    let words: [u16; 8] = core::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    // Longest run of zero words: (start, length).
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < words.len() {
        if words[i] != 0 {
            i += 1;
            continue;
        }
        let start = i;
        while i < words.len() && words[i] == 0 {
            i += 1;
        }
        if best.is_none_or(|(_, l)| i - start > l) {
            best = Some((start, i - start));
        }
    }
    let best = best.filter(|&(_, l)| l >= 2);
    let quad = [a[12], a[13], a[14], a[15]];
    let embeds_v4 = match best {
        Some((0, 6)) => true,               // ::a.b.c.d (words[6] != 0)
        Some((0, 5)) => words[5] == 0xffff, // ::ffff:a.b.c.d
        _ => false,
    };
    let in_best = |w: usize| best.is_some_and(|(start, l)| w >= start && w < start + l);
    let mut s = String::with_capacity(INET6_ADDRSTRLEN);
    for (w, &word) in words.iter().enumerate() {
        if in_best(w) {
            // One colon where the run starts; the group after it adds the second.
            if best.is_some_and(|(start, _)| start == w) {
                s.push(':');
            }
            continue;
        }
        if w != 0 {
            s.push(':');
        }
        if w == 6 && embeds_v4 {
            s.push_str(&ntop4(&quad));
            return s;
        }
        let _ = write!(s, "{word:x}");
    }
    if in_best(words.len() - 1) {
        // A run at the end needs its second colon too.
        s.push(':');
    }
    s
}

/// Copies `text` and a NUL into `dst`: `UV_ENOSPC` (and `dst` untouched) if it does not fit.
pub(crate) fn copy_out(text: &str, dst: &mut [u8]) -> Result<(), c_int> {
    if text.len() >= dst.len() {
        return Err(crate::abi::errno::UV_ENOSPC);
    }
    dst[..text.len()].copy_from_slice(text.as_bytes());
    dst[text.len()] = 0;
    Ok(())
}

/// The scope id of an IPv6 zone (`"eth0"` or `"2"`): the interface of that name, else the
/// zone read as a decimal number, else 0 (libuv ignores an unknown zone too).
pub(crate) fn scope_id(zone: &CStr) -> u32 {
    // SAFETY: `zone` is a valid NUL-terminated string.
    let idx = unsafe { libc::if_nametoindex(zone.as_ptr()) };
    if idx != 0 {
        return idx;
    }
    let b = zone.to_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return core::str::from_utf8(b)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
    }
    0
}

/// The name of interface `index`, or a libuv error code (`UV_ENXIO` for no such interface).
pub(crate) fn if_indextoname(index: u32) -> Result<Vec<u8>, c_int> {
    let mut buf = [0 as c_char; libc::IF_NAMESIZE];
    // SAFETY: `buf` has IF_NAMESIZE bytes, as if_indextoname(3) requires.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr()) };
    if p.is_null() {
        return Err(crate::abi::errno::last_error());
    }
    // SAFETY: on success `buf` holds a NUL-terminated name.
    Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes().to_vec())
}

// ---------------------------------------------------------------------------------------
// uv_getaddrinfo.

/// Recovers the request that embeds work item `w` at `offset`.
///
/// # Safety
/// `w` is the `work_req` field, at `offset`, of a live `T`.
unsafe fn container<T>(w: *mut uv__work, offset: usize) -> *mut T {
    // SAFETY: `w` lies `offset` bytes into a `T` (caller).
    unsafe { w.byte_sub(offset).cast() }
}

/// Starts `uv_getaddrinfo` for already checked arguments. `node` is the host name after
/// IDNA; at least one of `node` and `service` is given. Copies the arguments into one
/// allocation from libuv's allocator, laid out as hints, service, host name (each present
/// one in turn), so the first non-NULL of `req.hints`, `req.service`, `req.hostname` is the
/// block to free.
///
/// # Safety
/// `req` is writable; with a callback `l` is an initialised loop and this is its thread;
/// `hints` is NULL or readable.
pub(crate) unsafe fn getaddrinfo(
    l: *mut uv_loop_t,
    req: *mut uv_getaddrinfo_t,
    cb: uv_getaddrinfo_cb,
    node: Option<&[u8]>,
    service: Option<&[u8]>,
    hints: *const libc::addrinfo,
) -> c_int {
    let hints_len = if hints.is_null() {
        0
    } else {
        size_of::<libc::addrinfo>()
    };
    let service_len = service.map_or(0, |s| s.len() + 1);
    let node_len = node.map_or(0, |s| s.len() + 1);
    let block: *mut u8 = alloc::malloc(hints_len + service_len + node_len).cast();
    if block.is_null() {
        return UV_ENOMEM;
    }
    // SAFETY: `block` has room for the three parts; malloc's alignment suits an addrinfo at
    // its start; `req` is writable and `hints` readable (caller).
    unsafe {
        (*req).r#type = uv_req_type::UV_GETADDRINFO as c_int;
        (*req).r#loop = l;
        (*req).cb = cb;
        (*req).addrinfo = ptr::null_mut();
        (*req).retcode = 0;
        (*req).hints = ptr::null_mut();
        (*req).service = ptr::null_mut();
        (*req).hostname = ptr::null_mut();
        let mut at = block;
        if !hints.is_null() {
            let h: *mut libc::addrinfo = at.cast();
            ptr::copy_nonoverlapping(hints, h, 1);
            (*req).hints = h;
            at = at.add(hints_len);
        }
        for (src, field) in [
            (service, &raw mut (*req).service),
            (node, &raw mut (*req).hostname),
        ] {
            if let Some(src) = src {
                ptr::copy_nonoverlapping(src.as_ptr(), at, src.len());
                *at.add(src.len()) = 0;
                *field = at.cast();
                at = at.add(src.len() + 1);
            }
        }
        let w = &raw mut (*req).work_req;
        if cb.is_some() {
            crate::uvloop::inflight::enter(l, req.cast(), crate::uvloop::inflight::Kind::Pool);
            pool::submit(l, w, WorkKind::SlowIo, getaddrinfo_work, getaddrinfo_done);
            0
        } else {
            getaddrinfo_work(w);
            getaddrinfo_done(w, 0);
            (*req).retcode
        }
    }
}

/// Pool thread: the lookup itself.
unsafe extern "C" fn getaddrinfo_work(w: *mut uv__work) {
    // SAFETY: `w` is the work item of a live uv_getaddrinfo_t whose argument fields point
    // to its own NUL-terminated copies (or are NULL); only this thread touches it now.
    unsafe {
        let req: *mut uv_getaddrinfo_t = container(w, offset_of!(uv_getaddrinfo_t, work_req));
        let mut res: *mut libc::addrinfo = ptr::null_mut();
        let rc = libc::getaddrinfo((*req).hostname, (*req).service, (*req).hints, &mut res);
        // from_eai reads errno for EAI_SYSTEM: right after the call, on this thread.
        (*req).retcode = from_eai(rc);
        (*req).addrinfo = if rc == 0 { res } else { ptr::null_mut() };
    }
}

/// Loop thread: frees the argument copies and runs the callback.
unsafe extern "C" fn getaddrinfo_done(w: *mut uv__work, status: c_int) {
    // SAFETY: `w` is the work item of a live uv_getaddrinfo_t, back on the loop thread;
    // its argument block came from uv_malloc in `getaddrinfo`.
    unsafe {
        let req: *mut uv_getaddrinfo_t = container(w, offset_of!(uv_getaddrinfo_t, work_req));
        let block: *mut c_void = if !(*req).hints.is_null() {
            (*req).hints.cast()
        } else if !(*req).service.is_null() {
            (*req).service.cast()
        } else {
            (*req).hostname.cast()
        };
        alloc::free(block);
        (*req).hints = ptr::null_mut();
        (*req).service = ptr::null_mut();
        (*req).hostname = ptr::null_mut();
        if status == UV_ECANCELED {
            (*req).retcode = UV_EAI_CANCELED;
        }
        if let Some(cb) = (*req).cb {
            // Asynchronous (a synchronous call has no callback): handed back now.
            crate::uvloop::inflight::leave((*req).r#loop, req.cast());
            cb(req, (*req).retcode, (*req).addrinfo);
        }
    }
}

// ---------------------------------------------------------------------------------------
// uv_getnameinfo.

/// The address length of an `AF_INET` or `AF_INET6` socket address, else `None`.
pub(crate) fn sockaddr_len(family: c_int) -> Option<usize> {
    match family {
        libc::AF_INET => Some(size_of::<libc::sockaddr_in>()),
        libc::AF_INET6 => Some(size_of::<libc::sockaddr_in6>()),
        _ => None,
    }
}

/// Starts `uv_getnameinfo` for a checked address of `addr_len` bytes (see
/// [`sockaddr_len`]).
///
/// # Safety
/// `req` is writable; `addr` is readable for `addr_len` bytes; with a callback `l` is an
/// initialised loop and this is its thread.
pub(crate) unsafe fn getnameinfo(
    l: *mut uv_loop_t,
    req: *mut uv_getnameinfo_t,
    cb: uv_getnameinfo_cb,
    addr: *const libc::sockaddr,
    addr_len: usize,
    flags: c_int,
) -> c_int {
    // SAFETY: `req` writable, `addr` readable for `addr_len` <= sizeof(storage) (caller).
    unsafe {
        ptr::copy_nonoverlapping(
            addr.cast::<u8>(),
            (&raw mut (*req).storage).cast::<u8>(),
            addr_len,
        );
        (*req).r#type = uv_req_type::UV_GETNAMEINFO as c_int;
        (*req).r#loop = l;
        (*req).getnameinfo_cb = cb;
        (*req).flags = flags;
        (*req).retcode = 0;
        let w = &raw mut (*req).work_req;
        if cb.is_some() {
            crate::uvloop::inflight::enter(l, req.cast(), crate::uvloop::inflight::Kind::Pool);
            pool::submit(l, w, WorkKind::SlowIo, getnameinfo_work, getnameinfo_done);
            0
        } else {
            getnameinfo_work(w);
            getnameinfo_done(w, 0);
            (*req).retcode
        }
    }
}

/// Pool thread: the reverse lookup, into the request's own `host` and `service`.
unsafe extern "C" fn getnameinfo_work(w: *mut uv__work) {
    // SAFETY: `w` is the work item of a live uv_getnameinfo_t whose storage holds an
    // AF_INET or AF_INET6 address; only this thread touches it now.
    unsafe {
        let req: *mut uv_getnameinfo_t = container(w, offset_of!(uv_getnameinfo_t, work_req));
        let len = sockaddr_len(c_int::from((*req).storage.ss_family))
            .unwrap_or(size_of::<libc::sockaddr_in6>());
        let rc = libc::getnameinfo(
            (&raw const (*req).storage).cast(),
            len as libc::socklen_t,
            (*req).host.as_mut_ptr(),
            (*req).host.len() as libc::socklen_t,
            (*req).service.as_mut_ptr(),
            (*req).service.len() as libc::socklen_t,
            (*req).flags,
        );
        (*req).retcode = from_eai(rc);
    }
}

/// Loop thread: the callback, with the names on success and NULLs otherwise.
unsafe extern "C" fn getnameinfo_done(w: *mut uv__work, status: c_int) {
    // SAFETY: `w` is the work item of a live uv_getnameinfo_t, back on the loop thread.
    unsafe {
        let req: *mut uv_getnameinfo_t = container(w, offset_of!(uv_getnameinfo_t, work_req));
        if status == UV_ECANCELED {
            (*req).retcode = UV_EAI_CANCELED;
        }
        let (host, service): (*const c_char, *const c_char) = if (*req).retcode == 0 {
            ((*req).host.as_ptr(), (*req).service.as_ptr())
        } else {
            (ptr::null(), ptr::null())
        };
        if let Some(cb) = (*req).getnameinfo_cb {
            // Asynchronous (a synchronous call has no callback): handed back now.
            crate::uvloop::inflight::leave((*req).r#loop, req.cast());
            cb(req, (*req).retcode, host, service);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SAFETY: glibc's inet_ntop(3), with its C prototype.
    unsafe extern "C" {
        fn inet_ntop(
            af: c_int,
            src: *const c_void,
            dst: *mut c_char,
            size: libc::socklen_t,
        ) -> *const c_char;
    }

    fn idna(s: &str) -> Result<String, c_int> {
        idna_to_ascii(s.as_bytes()).map(|v| String::from_utf8(v.into_owned()).unwrap())
    }

    #[test]
    fn idna_rejects() {
        for bad in [
            &b""[..],
            b"\xC0\x80\xC1\x80",
            b"\xC0\x80\xC1\x80.com",
            b"\xed\xa0\x80.com", // a surrogate
            &[b'a'; 256],
        ] {
            assert_eq!(idna_to_ascii(bad).map(|_| ()), Err(UV_EINVAL));
        }
        assert!(idna_to_ascii(&[b'a'; 255]).is_ok());
        let long = format!("ü{}", "a".repeat(248));
        assert_eq!(idna(&long), Err(UV_EINVAL));
        let fits = format!("ü{}", "a".repeat(247));
        assert_eq!(idna(&fits).map(|s| s.len()), Ok(255));
    }

    #[test]
    fn idna_vectors() {
        // RFC 3492's samples and others (the cases libuv's test-idna.c uses too).
        let cases = [
            (".", "."),
            (".com", ".com"),
            ("example", "example"),
            ("example-", "example-"),
            ("straße.de", "xn--strae-oqa.de"),
            ("foo.bar", "foo.bar"),
            ("mañana.com", "xn--maana-pta.com"),
            ("example.com.", "example.com."),
            ("bücher.com", "xn--bcher-kva.com"),
            ("café.com", "xn--caf-dma.com"),
            ("café.café.com", "xn--caf-dma.xn--caf-dma.com"),
            ("☃-⌘.com", "xn----dqo34k.com"),
            ("퐀☃-⌘.com", "xn----dqo34kn65z.com"),
            ("💩.la", "xn--ls8h.la"),
            ("mañana。com", "xn--maana-pta.com"),
            ("mañana．com", "xn--maana-pta.com"),
            ("mañana｡com", "xn--maana-pta.com"),
            ("ü", "xn--tda"),
            (".ü", ".xn--tda"),
            ("ü.ü", "xn--tda.xn--tda"),
            ("ü.ü.", "xn--tda.xn--tda."),
            ("üëäö♥", "xn--4can8av2009b"),
            (
                "Willst du die Blüthe des frühen, die Früchte des späteren Jahres",
                "xn--Willst du die Blthe des frhen, die Frchte des spteren Jahres-x9e96lkal",
            ),
            ("ليهمابتكلموشعربي؟", "xn--egbpdaj6bu4bxfgehfvwxn"),
            ("他们为什么不说中文", "xn--ihqwcrb4cv8a8dqg056pqjye"),
            ("他們爲什麽不說中文", "xn--ihqwctvzc91f659drss3x8bo0yb"),
            (
                "Pročprostěnemluvíčesky",
                "xn--Proprostnemluvesky-uyb24dma41a",
            ),
            ("למההםפשוטלאמדבריםעברית", "xn--4dbcagdahymbxekheh6e0a7fei0b"),
            (
                "यहलोगहिन्दीक्योंनहींबोलसकतेहैं",
                "xn--i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd",
            ),
            (
                "なぜみんな日本語を話してくれないのか",
                "xn--n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa",
            ),
            (
                "세계의모든사람들이한국어를이해한다면얼마나좋을까",
                "xn--989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c",
            ),
            (
                "почемужеонинеговорятпорусски",
                "xn--b1abfaaepdrnnbgefbadotcwatmq2g4l",
            ),
            (
                "PorquénopuedensimplementehablarenEspañol",
                "xn--PorqunopuedensimplementehablarenEspaol-fmd56a",
            ),
            (
                "TạisaohọkhôngthểchỉnóitiếngViệt",
                "xn--TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g",
            ),
            ("3年B組金八先生", "xn--3B-ww4c5e180e575a65lsy2b"),
            (
                "安室奈美恵-with-SUPER-MONKEYS",
                "xn---with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n",
            ),
            (
                "Hello-Another-Way-それぞれの場所",
                "xn--Hello-Another-Way--fc4qua05auwb3674vfr0b",
            ),
            ("ひとつ屋根の下2", "xn--2-u9tlzr9756bt3uc0v"),
            ("MajiでKoiする5秒前", "xn--MajiKoi5-783gue6qz075azm5e"),
            ("パフィーdeルンバ", "xn--de-jg4avhby1noc0d"),
            ("そのスピードで", "xn--d9juau41awczczp"),
            ("-> $1.00 <-", "-> $1.00 <-"),
            ("faß.de", "xn--fa-hia.de"),
            ("βόλος.com", "xn--nxasmm1c.com"),
            ("ශ්‍රී.com", "xn--10cl1a0b660p.com"),
            ("نامه‌ای.com", "xn--mgba3gch31f060k.com"),
        ];
        for (input, want) in cases {
            assert_eq!(idna(input).as_deref(), Ok(want), "{input}");
            // Encoding twice changes nothing.
            assert_eq!(idna(want).as_deref(), Ok(want), "{want}");
        }
    }

    #[test]
    fn ipv4_text() {
        assert_eq!(pton4(b"127.0.0.1"), Ok([127, 0, 0, 1]));
        assert_eq!(pton4(b"255.255.255.255"), Ok([255; 4]));
        assert_eq!(pton4(b"0.0.0.0"), Ok([0; 4]));
        for bad in [
            &b"255.255.255*000"[..],
            b"255.255.255.256",
            b"2555.0.0.0",
            b"255",
            b"",
            b"1.2.3",
            b"1.2.3.4.",
            b"1.2.3.4.5",
            b".1.2.3",
            b"1..2.3",
            b"01.2.3.4",
            b"1.2.3.00",
            b" 1.2.3.4",
            b"1.2.3.4 ",
            b"0x1.2.3.4",
            b"1.2.3.-4",
        ] {
            assert_eq!(
                pton4(bad),
                Err(UV_EINVAL),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(ntop4(&[255; 4]), "255.255.255.255");
        assert_eq!(ntop4(&[10, 0, 20, 3]), "10.0.20.3");
    }

    fn v6(s: &str) -> [u8; 16] {
        pton6(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn ipv6_text_good() {
        for s in [
            "::",
            "::1",
            "fe80::1",
            "fe80::",
            "fe80::2acf:daff:fedd:342a",
            "fe80:0:0:0:2acf:daff:fedd:342a",
            "fe80:0:0:0:2acf:daff:1.2.3.4",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6::8",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "ABCD:ef01::",
        ] {
            // Agrees with std's parser on everything both accept.
            let std: std::net::Ipv6Addr = s.parse().unwrap();
            assert_eq!(v6(s), std.octets(), "{s}");
        }
        assert_eq!(v6("::1")[15], 1);
        assert_eq!(pton6_scoped(b"fe80::1%eth0"), Ok(v6("fe80::1")));
        assert_eq!(pton6_scoped(b"fe80::1%%%%"), Ok(v6("fe80::1")));
        assert_eq!(pton6_scoped(b"fe80::1%en1:1.2.3.4"), Ok(v6("fe80::1")));
    }

    #[test]
    fn ipv6_text_bad() {
        for s in [
            ":::1",
            "abcde::1",
            "fe80:0:0:0:2acf:daff:fedd:342a:5678",
            "fe80:0:0:0:2acf:daff:abcd:1.2.3.4",
            "fe80:0:0:2acf:daff:1.2.3.4.5",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.255",
            "",
            ":",
            ":1",
            "1:",
            "1::2:",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "1::2::3",
            "g::1",
            "::1.2.3",
            "::01.2.3.4",
            "1.2.3.4",
            " ::1",
            "::1 ",
        ] {
            assert_eq!(pton6(s.as_bytes()), Err(UV_EINVAL), "{s}");
        }
        let long = format!("{}%eth0", "0:".repeat(23));
        assert_eq!(pton6_scoped(long.as_bytes()), Err(UV_EINVAL));
    }

    #[test]
    fn ipv6_format() {
        let cases = [
            ("::", "::"),
            ("::1", "::1"),
            ("::2", "::2"),
            ("1::", "1::"),
            ("fe80::2acf:daff:fedd:342a", "fe80::2acf:daff:fedd:342a"),
            (
                "fe80:0:0:0:2acf:daff:fedd:342a",
                "fe80::2acf:daff:fedd:342a",
            ),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::ffff:102:304", "::ffff:1.2.3.4"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::1:0:0", "::1:0:0"),
            ("::fffe:1.2.3.4", "::fffe:102:304"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("ABCD:ef01::", "abcd:ef01::"),
            ("0:0:1::", "0:0:1::"),
            (
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(ntop6(&v6(input)), want, "{input}");
        }
        // Agrees with the C library on a spread of addresses.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20000 {
            let mut a = [0u8; 16];
            for b in a.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly zeros, so that runs and the IPv4 forms are exercised.
                *b = if x.is_multiple_of(3) {
                    (x >> 8) as u8
                } else {
                    0
                };
                if x.is_multiple_of(97) {
                    *b = 0xff;
                }
            }
            if x.is_multiple_of(5) {
                a[..10].fill(0);
                a[10] = 0xff;
                a[11] = 0xff;
            }
            let mut buf = [0 as c_char; INET6_ADDRSTRLEN];
            // SAFETY: `a` is 16 bytes, `buf` INET6_ADDRSTRLEN bytes.
            let p = unsafe {
                inet_ntop(
                    libc::AF_INET6,
                    a.as_ptr().cast(),
                    buf.as_mut_ptr(),
                    buf.len() as libc::socklen_t,
                )
            };
            assert!(!p.is_null());
            // SAFETY: inet_ntop wrote a NUL-terminated string.
            let libc_text = unsafe { CStr::from_ptr(p) }.to_str().unwrap();
            assert_eq!(ntop6(&a), libc_text, "{a:?}");
            assert_eq!(pton6(libc_text.as_bytes()), Ok(a));
        }
    }

    #[test]
    fn copy_out_sizes() {
        let mut b = [0xAAu8; 16];
        assert_eq!(copy_out("255.255.255.255", &mut b), Ok(()));
        assert_eq!(&b[..16], b"255.255.255.255\0");
        let mut b = [0xAAu8; 15];
        assert_eq!(
            copy_out("255.255.255.255", &mut b),
            Err(crate::abi::errno::UV_ENOSPC)
        );
        assert_eq!(b, [0xAA; 15]);
        assert_eq!(copy_out("", &mut []), Err(crate::abi::errno::UV_ENOSPC));
    }

    #[test]
    fn interfaces() {
        assert_eq!(if_indextoname(1).as_deref(), Ok(&b"lo"[..]));
        assert!(if_indextoname(u32::MAX).is_err());
        assert_eq!(scope_id(c"lo"), 1);
        assert_eq!(scope_id(c"7"), 7);
        assert_eq!(scope_id(c"no-such-if"), 0);
        assert_eq!(scope_id(c""), 0);
    }
}
