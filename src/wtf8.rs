//! WTF-8 and UTF-16: the conversions of libuv 1.47's `uv_utf16_*` / `uv_wtf8_*`.
//!
//! WTF-8 is UTF-8 that may also encode lone surrogates (U+D800..U+DFFF), so that any
//! sequence of 16-bit units, well-formed UTF-16 or not, survives the round trip. A
//! surrogate pair becomes one four-byte sequence; a lone surrogate becomes three bytes.
//!
//! Decoding accepts exactly what libuv accepts: a lead byte 0xC2..=0xF4 followed by the
//! right number of continuation bytes, and a code point of at most U+10FFFF. Like libuv it
//! does not reject overlong three- and four-byte forms. Pure functions on slices; any
//! thread.

/// The code point at the start of `s` and its length in bytes, or `None` when `s` does not
/// start with a well-formed WTF-8 sequence (an empty `s` included).
fn decode(s: &[u8]) -> Option<(u32, usize)> {
    let lead = *s.first()?;
    if lead < 0x80 {
        return Some((u32::from(lead), 1));
    }
    // A continuation byte cannot lead, and 0xC0/0xC1 would only encode ASCII overlong.
    let (len, bits) = match lead {
        0xC2..=0xDF => (2, u32::from(lead & 0x1F)),
        0xE0..=0xEF => (3, u32::from(lead & 0x0F)),
        0xF0..=0xF4 => (4, u32::from(lead & 0x07)),
        _ => return None,
    };
    let mut cp = bits;
    for i in 1..len {
        let b = *s.get(i)?;
        if b & 0xC0 != 0x80 {
            return None;
        }
        cp = (cp << 6) | u32::from(b & 0x3F);
    }
    (cp <= 0x10FFFF).then_some((cp, len))
}

/// The code point at the start of `units`: a surrogate pair joined, anything else (a lone
/// surrogate too) as it is, with the number of units it takes. `units` is not empty.
fn next_unit(units: &[u16]) -> (u32, usize) {
    let u = u32::from(units[0]);
    if (0xD800..=0xDBFF).contains(&u)
        && let Some(&next) = units.get(1)
        && (0xDC00..=0xDFFF).contains(&next)
    {
        return (
            0x10000 + ((u - 0xD800) << 10) + (u32::from(next) - 0xDC00),
            2,
        );
    }
    (u, 1)
}

/// `cp` in WTF-8: the bytes and how many of them are used.
fn encode(cp: u32) -> ([u8; 4], usize) {
    // Each arm keeps the bits it encodes; the casts take the low byte on purpose.
    match cp {
        0..=0x7F => ([cp as u8, 0, 0, 0], 1),
        0x80..=0x7FF => ([0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8, 0, 0], 2),
        0x800..=0xFFFF => (
            [
                0xE0 | (cp >> 12) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
                0,
            ],
            3,
        ),
        _ => (
            [
                0xF0 | (cp >> 18) as u8,
                0x80 | ((cp >> 12) & 0x3F) as u8,
                0x80 | ((cp >> 6) & 0x3F) as u8,
                0x80 | (cp & 0x3F) as u8,
            ],
            4,
        ),
    }
}

/// `uv_utf16_length_as_wtf8`: the WTF-8 length of `units`, in bytes, without a NUL.
pub(crate) fn utf16_length_as_wtf8(mut units: &[u16]) -> usize {
    let mut n = 0;
    while !units.is_empty() {
        let (cp, used) = next_unit(units);
        n += encode(cp).1;
        units = &units[used..];
    }
    n
}

/// `uv_utf16_to_wtf8` into a caller's buffer: converts `units` into `out` (which has no
/// room reserved for the NUL; the caller adds it). `Ok(written)` when everything fit.
/// Otherwise `Err((written, needed))`: as libuv does, the buffer is filled up to its end,
/// the last code point possibly cut short, and `needed` is the length the whole result
/// takes (the complete code points written plus all that did not fit).
pub(crate) fn utf16_to_wtf8(mut units: &[u16], out: &mut [u8]) -> Result<usize, (usize, usize)> {
    let mut at = 0;
    while !units.is_empty() {
        let (cp, used) = next_unit(units);
        let (bytes, len) = encode(cp);
        let room = out.len() - at;
        if len > room {
            out[at..].copy_from_slice(&bytes[..room]);
            return Err((out.len(), at + utf16_length_as_wtf8(units)));
        }
        out[at..at + len].copy_from_slice(&bytes[..len]);
        at += len;
        units = &units[used..];
    }
    Ok(at)
}

/// `uv_wtf8_length_as_utf16`: the UTF-16 length of `bytes` (a C string without its NUL),
/// counting one unit for the NUL, or `None` when `bytes` is not well-formed WTF-8.
pub(crate) fn wtf8_length_as_utf16(mut bytes: &[u8]) -> Option<usize> {
    let mut n = 1;
    while !bytes.is_empty() {
        let (cp, len) = decode(bytes)?;
        n += if cp > 0xFFFF { 2 } else { 1 };
        bytes = &bytes[len..];
    }
    Some(n)
}

/// `uv_wtf8_to_utf16`: converts `bytes` (a C string without its NUL) into `out`, NUL
/// included. It stops, still NUL-terminating `out` when it has room, at the first
/// malformed sequence or where `out` is full, so that it never writes past `out` (libuv
/// asserts the caller sized it with [`wtf8_length_as_utf16`]). Returns the units written,
/// NUL included.
pub(crate) fn wtf8_to_utf16(mut bytes: &[u8], out: &mut [u16]) -> usize {
    let mut at = 0;
    while let Some((cp, len)) = decode(bytes) {
        let need = if cp > 0xFFFF { 2 } else { 1 };
        // Keep one unit for the NUL.
        if at + need >= out.len() {
            break;
        }
        if need == 2 {
            let v = cp - 0x10000;
            // Both halves fit in 16 bits: v < 0x100000.
            out[at] = 0xD800 + (v >> 10) as u16;
            out[at + 1] = 0xDC00 + (v & 0x3FF) as u16;
        } else {
            out[at] = cp as u16;
        }
        at += need;
        bytes = &bytes[len..];
    }
    if at < out.len() {
        out[at] = 0;
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_wtf8(units: &[u16]) -> Vec<u8> {
        let mut out = vec![0; utf16_length_as_wtf8(units)];
        assert_eq!(utf16_to_wtf8(units, &mut out), Ok(out.len()));
        out
    }

    #[test]
    fn well_formed_text_matches_std() {
        let s = "a\u{e9}\u{20ac}\u{1f600}z";
        let units: Vec<u16> = s.encode_utf16().collect();
        assert_eq!(to_wtf8(&units), s.as_bytes());
        assert_eq!(wtf8_length_as_utf16(s.as_bytes()), Some(units.len() + 1));
        let mut back = vec![0xFFFF; units.len() + 1];
        assert_eq!(wtf8_to_utf16(s.as_bytes(), &mut back), units.len() + 1);
        assert_eq!(&back[..units.len()], &units[..]);
        assert_eq!(back[units.len()], 0);
    }

    #[test]
    fn lone_surrogates_round_trip() {
        let units = [0xD800, 0x41, 0xDC00, 0xDBFF];
        let bytes = to_wtf8(&units);
        assert_eq!(
            bytes,
            [0xED, 0xA0, 0x80, 0x41, 0xED, 0xB0, 0x80, 0xED, 0xAF, 0xBF]
        );
        let mut back = [0; 5];
        assert_eq!(wtf8_to_utf16(&bytes, &mut back), 5);
        assert_eq!(back, [0xD800, 0x41, 0xDC00, 0xDBFF, 0]);
    }

    #[test]
    fn malformed_wtf8_is_rejected() {
        for bad in [
            &[0x80][..],
            &[0xC1, 0x81],
            &[0xC3],
            &[0xE2, 0x82],
            &[0xF5, 0x80, 0x80, 0x80],
        ] {
            assert_eq!(wtf8_length_as_utf16(bad), None, "{bad:x?}");
        }
        // U+110000 is past the last code point.
        assert_eq!(wtf8_length_as_utf16(&[0xF4, 0x90, 0x80, 0x80]), None);
        assert_eq!(wtf8_length_as_utf16(b""), Some(1));
    }

    #[test]
    fn short_buffer_reports_the_length_needed() {
        let units: Vec<u16> = "ab\u{e9}c".encode_utf16().collect();
        let mut out = [0u8; 3];
        // 'a', 'b', then the first byte of U+00E9: 5 bytes are needed in all.
        assert_eq!(utf16_to_wtf8(&units, &mut out), Err((3, 5)));
        assert_eq!(out, [b'a', b'b', 0xC3]);
        let mut out = [0u8; 0];
        assert_eq!(utf16_to_wtf8(&units, &mut out), Err((0, 5)));
    }

    #[test]
    fn to_utf16_never_overruns() {
        let mut out = [7u16; 2];
        assert_eq!(wtf8_to_utf16(b"abc", &mut out), 2);
        assert_eq!(out, [b'a' as u16, 0]);
        let mut none: [u16; 0] = [];
        assert_eq!(wtf8_to_utf16(b"abc", &mut none), 0);
        // A surrogate pair needs two units and the NUL a third.
        let mut out = [7u16; 2];
        assert_eq!(wtf8_to_utf16("\u{1f600}".as_bytes(), &mut out), 1);
        assert_eq!(out, [0, 7]);
    }
}
