//! Numbers written as ASCII into byte buffers, for every printer and log writer: hex of a fixed
//! or minimal width, hex bytes, and decimals zero-padded or space-aligned. One copy, no `format!`
//! and no allocation beyond growing the buffer (the hot path of every text output).

pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Uppercase hex, exactly `digits` digits (higher bits of `value` are not shown).
pub(crate) fn push_hex(out: &mut Vec<u8>, value: u32, digits: u32) {
    for i in (0..digits).rev() {
        out.push(HEX_UPPER[(value >> (i * 4)) as usize & 0xF]);
    }
}

/// Hex without leading zeros (at least one digit), upper or lower case.
pub(crate) fn push_hex_min(out: &mut Vec<u8>, value: u32, lower: bool) {
    let table = if lower { HEX_LOWER } else { HEX_UPPER };
    let digits = (32 - value.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        out.push(table[(value >> (i * 4)) as usize & 0xF]);
    }
}

/// One byte as two uppercase hex digits.
pub(crate) fn push_hex_byte(out: &mut Vec<u8>, byte: u8) {
    out.extend_from_slice(&[HEX_UPPER[(byte >> 4) as usize], HEX_UPPER[(byte & 0xF) as usize]]);
}

/// Bytes as uppercase hex pairs, separated by `separator` when given.
pub(crate) fn push_hex_bytes(out: &mut Vec<u8>, data: &[u8], separator: Option<u8>) {
    for (i, &byte) in data.iter().enumerate() {
        if i > 0 {
            if let Some(sep) = separator {
                out.push(sep);
            }
        }
        push_hex_byte(out, byte);
    }
}

/// The decimal digits of `value` at the end of `scratch`.
fn decimal(value: u64, scratch: &mut [u8; 20]) -> &[u8] {
    let mut at = scratch.len();
    let mut v = value;
    loop {
        at -= 1;
        scratch[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &scratch[at..]
}

/// Decimal, zero-padded to at least `width` digits.
pub(crate) fn push_decimal_zero(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut scratch = [0u8; 20];
    let digits = decimal(value, &mut scratch);
    out.resize(out.len() + width.saturating_sub(digits.len()), b'0');
    out.extend_from_slice(digits);
}

/// Decimal, right-aligned with spaces in `width` columns.
pub(crate) fn push_decimal_right(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut scratch = [0u8; 20];
    let digits = decimal(value, &mut scratch);
    out.resize(out.len() + width.saturating_sub(digits.len()), b' ');
    out.extend_from_slice(digits);
}

/// Decimal, left-aligned with spaces in `width` columns.
pub(crate) fn push_decimal_left(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut scratch = [0u8; 20];
    let digits = decimal(value, &mut scratch);
    out.extend_from_slice(digits);
    out.resize(out.len() + width.saturating_sub(digits.len()), b' ');
}

#[cfg(test)]
mod tests {
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
}
