//! Numbers written as ASCII into byte buffers, for every printer and log writer: hex of a fixed
//! or minimal width, hex bytes, and decimals zero-padded or space-aligned. One copy, no `format!`
//! and no allocation beyond growing the buffer (the hot path of every text output). Decimal
//! digits come from `itoa`; only fixed-width fractions ([`Cursor::decimal_fixed`]) are written
//! here, which `itoa` does not do as fast.

pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Uppercase hex, exactly `digits` digits (at most 8; higher bits of `value` are not shown).
/// Formatted on the stack and appended at once: one capacity check, not one a digit.
#[inline]
pub(crate) fn push_hex(out: &mut Vec<u8>, value: u32, digits: u32) {
    let n = digits.min(8) as usize;
    let mut text = [0u8; 8];
    for (i, c) in text[..n].iter_mut().enumerate() {
        *c = HEX_UPPER[(value >> ((n - 1 - i) * 4)) as usize & 0xF];
    }
    out.extend_from_slice(&text[..n]);
}

/// Hex without leading zeros (at least one digit), upper or lower case.
pub(crate) fn push_hex_min(out: &mut Vec<u8>, value: u32, lower: bool) {
    let table = if lower { HEX_LOWER } else { HEX_UPPER };
    let digits = (32 - value.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        out.push(table[(value >> (i * 4)) as usize & 0xF]);
    }
}

/// Every byte's two uppercase hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX_UPPER[i >> 4], HEX_UPPER[i & 0xF]];
        i += 1;
    }
    t
};

/// One byte as two uppercase hex digits.
pub(crate) fn push_hex_byte(out: &mut Vec<u8>, byte: u8) {
    out.extend_from_slice(&HEX_PAIRS[byte as usize]);
}

/// `data` as uppercase hex pairs into `out`, which is exactly twice as long.
#[inline]
pub(crate) fn hex_into(out: &mut [u8], data: &[u8]) {
    debug_assert_eq!(out.len(), 2 * data.len());
    for (o, &b) in out.chunks_exact_mut(2).zip(data) {
        o.copy_from_slice(&HEX_PAIRS[b as usize]);
    }
}

/// Bytes as uppercase hex pairs, separated by `separator` when given.
pub(crate) fn push_hex_bytes(out: &mut Vec<u8>, data: &[u8], separator: Option<u8>) {
    let Some(sep) = separator else {
        let start = out.len();
        out.resize(start + 2 * data.len(), 0);
        hex_into(&mut out[start..], data);
        return;
    };
    let Some((first, rest)) = data.split_first() else { return };
    let start = out.len();
    out.resize(start + 2 + 3 * rest.len(), sep);
    out[start..start + 2].copy_from_slice(&HEX_PAIRS[*first as usize]);
    for (o, &b) in out[start + 2..].chunks_exact_mut(3).zip(rest) {
        o[1..].copy_from_slice(&HEX_PAIRS[b as usize]);
    }
}

/// Decimal, zero-padded to at least `width` digits.
// Small and on every writer's hot path: inlined whatever the codegen units.
#[inline]
pub(crate) fn push_decimal_zero(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut text = itoa::Buffer::new();
    let digits = text.format(value).as_bytes();
    out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits);
}

/// Decimal, right-aligned with spaces in `width` columns.
// Small and on every writer's hot path: inlined whatever the codegen units.
#[inline]
pub(crate) fn push_decimal_right(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut text = itoa::Buffer::new();
    let digits = text.format(value).as_bytes();
    out.resize(out.len() + width.saturating_sub(digits.len()), b' ');
    out.extend_from_slice(digits);
}

/// Decimal, left-aligned with spaces in `width` columns.
// Small and on every writer's hot path: inlined whatever the codegen units.
#[inline]
pub(crate) fn push_decimal_left(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut text = itoa::Buffer::new();
    let digits = text.format(value).as_bytes();
    out.extend_from_slice(digits);
    out.resize(out.len() + width.saturating_sub(digits.len()), b' ');
}

/// "00" to "99", two bytes each.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849\
    5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// A line written straight into room reserved at the end of an output buffer, for writers whose
/// lines have a known longest length: one capacity check a line instead of one a field.
pub(crate) struct Cursor<'a> {
    buf: &'a mut [u8],
    at: usize,
}

impl Cursor<'_> {
    #[inline]
    pub(crate) fn push(&mut self, c: u8) {
        self.buf[self.at] = c;
        self.at += 1;
    }

    #[inline]
    pub(crate) fn extend(&mut self, s: &[u8]) {
        self.buf[self.at..self.at + s.len()].copy_from_slice(s);
        self.at += s.len();
    }

    /// `value` in exactly `width` (at most 20) decimal digits: zero-padded, higher digits are not
    /// shown. Written from the right, four digits per division (two table look-ups each), straight
    /// into the line: `itoa` plus padding copies a variable-length run, which made the CSV
    /// writer's rows take 11% more instructions (measured).
    #[inline]
    pub(crate) fn decimal_fixed(&mut self, mut value: u64, width: usize) {
        let digits = &mut self.buf[self.at..self.at + width];
        let mut end = width;
        while end >= 4 {
            let four = (value % 10_000) as usize;
            value /= 10_000;
            let (high, low) = (four / 100 * 2, four % 100 * 2);
            digits[end - 4..end - 2].copy_from_slice(&DIGIT_PAIRS[high..high + 2]);
            digits[end - 2..end].copy_from_slice(&DIGIT_PAIRS[low..low + 2]);
            end -= 4;
        }
        if end >= 2 {
            let pair = (value % 100) as usize * 2;
            value /= 100;
            digits[end - 2..end].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
            end -= 2;
        }
        if end == 1 {
            digits[0] = b'0' + (value % 10) as u8;
        }
        self.at += width;
    }

    /// `value` in decimal without leading zeros.
    #[inline]
    pub(crate) fn decimal(&mut self, value: u64) {
        self.extend(itoa::Buffer::new().format(value).as_bytes());
    }

    /// `value` in lower-case hex without leading zeros (at least one digit).
    #[inline]
    pub(crate) fn hex_min_lower(&mut self, value: u32) {
        let digits = (32 - value.leading_zeros()).div_ceil(4).max(1) as usize;
        for (i, out) in self.buf[self.at..self.at + digits].iter_mut().enumerate() {
            *out = HEX_LOWER[(value >> (4 * (digits - 1 - i))) as usize & 0xF];
        }
        self.at += digits;
    }

    /// The bytes written so far.
    pub(crate) fn written(&self) -> &[u8] {
        &self.buf[..self.at]
    }

    /// Forgets the last `n` bytes written.
    pub(crate) fn unwrite(&mut self, n: usize) {
        self.at -= n.min(self.at);
    }
}

/// Appends one line of at most `max` bytes to `out`, written by `write` through a [`Cursor`].
/// Writing more than `max` bytes is a bug in the caller and panics.
#[inline]
pub(crate) fn append_line(out: &mut Vec<u8>, max: usize, write: impl FnOnce(&mut Cursor<'_>)) {
    let start = out.len();
    out.resize(start + max, 0);
    let mut cursor = Cursor { buf: &mut out[start..], at: 0 };
    write(&mut cursor);
    let len = cursor.at;
    out.truncate(start + len);
}

// ---------------------------------------------------------------------------------------------
// Reading: the hot paths of the text log readers
// ---------------------------------------------------------------------------------------------

/// The value of every hex digit, 0xFF for other bytes.
pub(crate) const HEX_VALUE: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// `out.len()` bytes written as two hex digits each with one space between them (`1E 7E 48`),
/// the way every text log writes data bytes, from the start of `text`; false (and `out` left
/// in any state) if `text` does not start that way. What follows the last byte is not looked at.
/// Branch-free over the bytes: the digits' values are or-ed together and checked once.
#[inline]
pub(crate) fn spaced_hex(text: &[u8], out: &mut [u8]) -> bool {
    let Some((last, body)) = out.split_last_mut() else { return true };
    let n = body.len();
    let Some(text) = text.get(..3 * n + 2) else { return false };
    let mut bad = 0u8;
    for (o, t) in body.iter_mut().zip(text.chunks_exact(3)) {
        let (h, l) = (HEX_VALUE[t[0] as usize], HEX_VALUE[t[1] as usize]);
        bad |= h | l | if t[2] == b' ' { 0 } else { 0xF0 };
        *o = h << 4 | l;
    }
    let (h, l) = (HEX_VALUE[text[3 * n] as usize], HEX_VALUE[text[3 * n + 1] as usize]);
    bad |= h | l;
    *last = h << 4 | l;
    bad & 0xF0 == 0
}

/// 1 to 8 hex digits as a number; `None` if `d` is empty, longer or holds anything else.
#[inline]
pub(crate) fn hex_value(d: &[u8]) -> Option<u32> {
    if d.is_empty() || d.len() > 8 {
        return None;
    }
    let mut v = 0u32;
    let mut bad = 0u8;
    for &c in d {
        let x = HEX_VALUE[c as usize];
        bad |= x;
        v = v << 4 | (x & 0xF) as u32;
    }
    (bad & 0xF0 == 0).then_some(v)
}

/// Pairs of hex digits (`DEADBEEF`) into `out`; the byte count, `None` for an odd count, a byte
/// that is not a hex digit or more bytes than `out` holds.
#[inline]
pub(crate) fn hex_pairs(text: &[u8], out: &mut [u8]) -> Option<usize> {
    let n = text.len() / 2;
    if text.len() % 2 != 0 || n > out.len() {
        return None;
    }
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let (high, low) = (HEX_VALUE[pair[0] as usize], HEX_VALUE[pair[1] as usize]);
        bad |= high | low;
        *byte = high << 4 | (low & 0xF);
    }
    (bad & 0xF0 == 0).then_some(n)
}

const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The value of eight ASCII digits in a little-endian word (first digit in the lowest byte);
/// `None` if a byte is not a digit.
#[inline]
fn swar_digits(word: u64) -> Option<u64> {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // Every byte in '0'..='9': high nibble 3, and adding 6 does not carry into it.
    if word & HIGH_NIBBLES != ZEROS || (word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES) != ZEROS {
        return None;
    }
    let v = word - ZEROS;
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((v * 10_000 + (v >> 32)) & 0xFFFF_FFFF)
}

/// Length of the run of ASCII digits at `b[start..]`, eight bytes at a time.
#[inline]
pub(crate) fn digit_run(b: &[u8], start: usize) -> usize {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let mut i = start;
    while let Some(eight) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
        // Non-zero bytes: high nibble not 3, or 6 more carries out of the low nibble. A carry
        // out of a byte of 0xFA or more can only disturb the bytes after the first non-digit.
        let other =
            (word & HIGH_NIBBLES) ^ ZEROS | (word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES) ^ ZEROS;
        if other != 0 {
            return i - start + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i - start + b.get(i..).unwrap_or(&[]).iter().take_while(|c| c.is_ascii_digit()).count()
}

/// The low `n` bytes (0..=8) of a word set.
#[inline]
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// The value of the 1 to 8 ASCII digits `b[end - n..end]`; `None` if any is not a digit. Reads
/// the eight bytes before `end` at once when there are eight.
#[inline]
pub(crate) fn decimal_before(b: &[u8], end: usize, n: usize) -> Option<u64> {
    if n == 0 || n > 8 || n > end || end > b.len() {
        return None;
    }
    let word = match b.get(end.wrapping_sub(8)..end) {
        Some(eight) if end >= 8 => {
            // Keep the last n bytes; the ones before become '0'.
            let raw = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
            let padding = low_bytes(8 - n);
            (raw & !padding) | (ZEROS & padding)
        }
        _ => {
            // Shift the digits in from the top; the '0's below them stay as padding.
            let mut word = ZEROS;
            for &c in &b[end - n..end] {
                word = word >> 8 | (c as u64) << 56;
            }
            word
        }
    };
    swar_digits(word)
}

/// The 1 to 8 ASCII digits `b[start..start + n]` as the first digits of an 8-digit number
/// (`"25"` is 25000000); `None` if any is not a digit. Reads eight bytes at once when there are.
#[inline]
pub(crate) fn decimal_leading(b: &[u8], start: usize, n: usize) -> Option<u64> {
    if n == 0 || n > 8 || start.checked_add(n)? > b.len() {
        return None;
    }
    let keep = low_bytes(n);
    let raw = match b.get(start..start + 8) {
        Some(eight) => u64::from_le_bytes(eight.try_into().expect("8 bytes")),
        None => {
            let mut bytes = [0u8; 8];
            for (k, &c) in b[start..start + n].iter().enumerate() {
                bytes[k] = c;
            }
            u64::from_le_bytes(bytes)
        }
    };
    swar_digits((raw & keep) | (ZEROS & !keep))
}

#[cfg(test)]
mod tests {

    #[test]
    fn hex_bytes_are_written_with_and_without_separators() {
        let mut out = b"x".to_vec();
        push_hex_bytes(&mut out, &[0x00, 0xA5, 0xFF], Some(b' '));
        push_hex_bytes(&mut out, &[0x1E, 0x7E], None);
        push_hex_bytes(&mut out, &[], Some(b' '));
        push_hex_bytes(&mut out, &[0x0F], Some(b','));
        assert_eq!(out, b"x00 A5 FF1E7E0F");
        for b in 0..=255u8 {
            let mut one = Vec::new();
            push_hex_byte(&mut one, b);
            assert_eq!(one, format!("{b:02X}").as_bytes());
        }
    }

    #[test]
    fn spaced_hex_takes_exactly_the_written_layout() {
        let mut out = [0u8; 3];
        assert!(spaced_hex(b"1E 7e FF", &mut out) && out == [0x1E, 0x7E, 0xFF]);
        assert!(spaced_hex(b"1E 7E FF 00 trailing", &mut out) && out == [0x1E, 0x7E, 0xFF]);
        for bad in ["1E 7E F", "1E  7E FF", "1E\t7E FF", "1G 7E FF", "", " 1E 7E FF", "1E,7E FF"] {
            assert!(!spaced_hex(bad.as_bytes(), &mut out), "{bad:?}");
        }
        assert!(spaced_hex(b"", &mut []));
        let mut one = [0u8; 1];
        assert!(spaced_hex(b"a5", &mut one) && one == [0xA5]);
        assert!(!spaced_hex(b"a", &mut one));
    }

    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn hex_in_fixed_and_minimal_width() {
        assert_eq!(text(|b| push_hex(b, 0x123, 3)), "123");
        assert_eq!(text(|b| push_hex(b, 0x5, 8)), "00000005");
        assert_eq!(text(|b| push_hex_min(b, 0, false)), "0");
        assert_eq!(text(|b| push_hex_min(b, 0x1FFFFFFF, false)), "1FFFFFFF");
        assert_eq!(text(|b| push_hex_min(b, 0xABC, true)), "abc");
        assert_eq!(text(|b| push_hex_bytes(b, &[0xDE, 0xAD], Some(b' '))), "DE AD");
        assert_eq!(text(|b| push_hex_bytes(b, &[0xDE, 0xAD], None)), "DEAD");
    }

    #[test]
    fn decimals_padded_and_aligned() {
        assert_eq!(text(|b| push_decimal_zero(b, 42, 6)), "000042");
        assert_eq!(text(|b| push_decimal_zero(b, 1234567, 3)), "1234567");
        assert_eq!(text(|b| push_decimal_zero(b, 0, 1)), "0");
        assert_eq!(text(|b| push_decimal_right(b, 7, 3)), "  7");
        assert_eq!(text(|b| push_decimal_left(b, 7, 3)), "7  ");
        assert_eq!(text(|b| push_decimal_right(b, u64::MAX, 3)), "18446744073709551615");
    }

    #[test]
    fn cursor_writes_decimals_and_hex_like_format() {
        let samples = (0..64).map(|k| 1u64 << k).chain((1..20).map(|k| 10u64.pow(k) - 1));
        for value in samples.chain([0u64, 7, 10, 99, 100, 12345, 43699, 1_700_000_000, u64::MAX]) {
            let mut out = b"x".to_vec();
            append_line(&mut out, 64, |c| {
                c.decimal(value);
                c.push(b' ');
                c.decimal_fixed(value % 1_000_000_000, 9);
                c.push(b' ');
                c.hex_min_lower(value as u32);
            });
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("x{value} {:09} {:x}", value % 1_000_000_000, value as u32)
            );
        }
        for value in (0..100_000_000u64).step_by(9973).chain([99_999_999, 100_000_000, 43_699, 10_000]) {
            let mut out = Vec::new();
            append_line(&mut out, 8, |c| c.decimal_fixed(value, 8));
            assert_eq!(String::from_utf8(out).unwrap(), format!("{:08}", value % 100_000_000));
        }
        let mut out = Vec::new();
        append_line(&mut out, 8, |c| {
            c.extend(b"abc0");
            c.unwrite(1);
            assert_eq!(c.written(), b"abc");
        });
        assert_eq!(out, b"abc");
    }

    #[test]
    fn hex_and_decimal_reading_agree_with_the_standard_library() {
        for text in ["0", "7", "f", "F", "7ff", "1FFFFFFF", "ffffffff", "g", "", "123456789", "1 2", "-1"] {
            let want = if text.len() <= 8 { u32::from_str_radix(text, 16).ok() } else { None };
            let want = want.filter(|_| !text.starts_with(['-', '+']));
            assert_eq!(hex_value(text.as_bytes()), want, "{text:?}");
        }
        for text in ["0", "9", "12345678", "123456789", "9:", "1/", "", "+1", "1 2"] {
            let want = if (1..=8).contains(&text.len()) { text.parse().ok() } else { None };
            let want = want.filter(|_| !text.starts_with('+'));
            let d = text.as_bytes();
            assert_eq!(decimal_before(d, d.len(), d.len()), want, "{text:?}");
            let scaled = want.map(|v| v * 10u64.pow(8 - d.len() as u32));
            assert_eq!(decimal_leading(d, 0, d.len()), scaled, "{text:?}");
        }
        for (text, start) in [("", 0), ("12a", 0), ("x1234567890123456789y", 1), ("12345678", 0), ("1:", 0)] {
            let want = text.as_bytes()[start..].iter().take_while(|c| c.is_ascii_digit()).count();
            assert_eq!(digit_run(text.as_bytes(), start), want, "{text:?}");
        }
        for len in 0..20 {
            for at in 0..len {
                for other in [b'/', b':', b'@', b'\xFA', b'\xFF', b' '] {
                    let mut text = vec![b'7'; len];
                    text[at] = other;
                    assert_eq!(digit_run(&text, 0), at);
                }
            }
            assert_eq!(digit_run(&vec![b'0'; len], 0), len);
        }
        let line = b"(1700000000.25) x";
        assert_eq!(decimal_before(line, 11, 10), None);
        assert_eq!(decimal_before(line, 11, 8), Some(700000000 % 100_000_000));
        assert_eq!(decimal_before(line, 3, 2), Some(17));
        assert_eq!(decimal_before(line, 12, 1), None);
        assert_eq!(decimal_leading(line, 12, 2), Some(25_000_000));
        assert_eq!(decimal_leading(line, 12, 3), None);
        assert_eq!(decimal_leading(b"12", 0, 2), Some(12_000_000));
        assert_eq!(decimal_leading(b"12", 1, 2), None);
        let mut out = [0u8; 4];
        assert_eq!(hex_pairs(b"DEadBEef", &mut out), Some(4));
        assert_eq!(out, [0xDE, 0xAD, 0xBE, 0xEF]);
        assert_eq!(hex_pairs(b"", &mut out), Some(0));
        assert_eq!(hex_pairs(b"ABC", &mut out), None);
        assert_eq!(hex_pairs(b"AG", &mut out), None);
        assert_eq!(hex_pairs(b"0102030405", &mut out), None);
    }
}
