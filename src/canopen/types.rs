//! CANopen data types (CiA 301 §7.1, the codes an EDS names in `DataType=`): their sizes, how a
//! value's bytes (little-endian, as SDO and PDO carry them) are read as numbers and text, and how
//! text — an EDS `DefaultValue`, a value typed in a shell — becomes bytes. The dictionary keeps
//! values as bytes ([`super::od`]); this module is the one place that knows what they mean.

use std::fmt;

/// A CANopen basic data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataType {
    Boolean,
    Integer8,
    Integer16,
    Integer24,
    Integer32,
    Integer40,
    Integer48,
    Integer56,
    Integer64,
    Unsigned8,
    Unsigned16,
    Unsigned24,
    Unsigned32,
    Unsigned40,
    Unsigned48,
    Unsigned56,
    Unsigned64,
    Real32,
    Real64,
    VisibleString,
    OctetString,
    UnicodeString,
    TimeOfDay,
    TimeDifference,
    Domain,
}

/// A number a value holds, wide enough for every integer type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i128),
    Real(f64),
}

impl Number {
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Real(r) => r,
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.partial_cmp(b),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Real(r) => write!(f, "{r}"),
        }
    }
}

impl DataType {
    /// The type a code names (`DataType=0x0007`), if it is a basic type.
    pub fn from_code(code: u16) -> Option<DataType> {
        use DataType::*;
        Some(match code {
            0x01 => Boolean,
            0x02 => Integer8,
            0x03 => Integer16,
            0x04 => Integer32,
            0x05 => Unsigned8,
            0x06 => Unsigned16,
            0x07 => Unsigned32,
            0x08 => Real32,
            0x09 => VisibleString,
            0x0A => OctetString,
            0x0B => UnicodeString,
            0x0C => TimeOfDay,
            0x0D => TimeDifference,
            0x0F => Domain,
            0x10 => Integer24,
            0x11 => Real64,
            0x12 => Integer40,
            0x13 => Integer48,
            0x14 => Integer56,
            0x15 => Integer64,
            0x16 => Unsigned24,
            0x18 => Unsigned40,
            0x19 => Unsigned48,
            0x1A => Unsigned56,
            0x1B => Unsigned64,
            _ => return None,
        })
    }

    /// The type's code, as an EDS writes it.
    pub fn code(self) -> u16 {
        use DataType::*;
        match self {
            Boolean => 0x01,
            Integer8 => 0x02,
            Integer16 => 0x03,
            Integer32 => 0x04,
            Unsigned8 => 0x05,
            Unsigned16 => 0x06,
            Unsigned32 => 0x07,
            Real32 => 0x08,
            VisibleString => 0x09,
            OctetString => 0x0A,
            UnicodeString => 0x0B,
            TimeOfDay => 0x0C,
            TimeDifference => 0x0D,
            Domain => 0x0F,
            Integer24 => 0x10,
            Real64 => 0x11,
            Integer40 => 0x12,
            Integer48 => 0x13,
            Integer56 => 0x14,
            Integer64 => 0x15,
            Unsigned24 => 0x16,
            Unsigned40 => 0x18,
            Unsigned48 => 0x19,
            Unsigned56 => 0x1A,
            Unsigned64 => 0x1B,
        }
    }

    /// CiA 301's name, `UNSIGNED32`.
    pub fn name(self) -> &'static str {
        use DataType::*;
        match self {
            Boolean => "BOOLEAN",
            Integer8 => "INTEGER8",
            Integer16 => "INTEGER16",
            Integer24 => "INTEGER24",
            Integer32 => "INTEGER32",
            Integer40 => "INTEGER40",
            Integer48 => "INTEGER48",
            Integer56 => "INTEGER56",
            Integer64 => "INTEGER64",
            Unsigned8 => "UNSIGNED8",
            Unsigned16 => "UNSIGNED16",
            Unsigned24 => "UNSIGNED24",
            Unsigned32 => "UNSIGNED32",
            Unsigned40 => "UNSIGNED40",
            Unsigned48 => "UNSIGNED48",
            Unsigned56 => "UNSIGNED56",
            Unsigned64 => "UNSIGNED64",
            Real32 => "REAL32",
            Real64 => "REAL64",
            VisibleString => "VISIBLE_STRING",
            OctetString => "OCTET_STRING",
            UnicodeString => "UNICODE_STRING",
            TimeOfDay => "TIME_OF_DAY",
            TimeDifference => "TIME_DIFFERENCE",
            Domain => "DOMAIN",
        }
    }

    /// CiA 309-3's short name (`u32`, `vs`, `d`), which the ASCII gateway and `--type` take.
    pub fn short_name(self) -> &'static str {
        use DataType::*;
        match self {
            Boolean => "b",
            Integer8 => "i8",
            Integer16 => "i16",
            Integer24 => "i24",
            Integer32 => "i32",
            Integer40 => "i40",
            Integer48 => "i48",
            Integer56 => "i56",
            Integer64 => "i64",
            Unsigned8 => "u8",
            Unsigned16 => "u16",
            Unsigned24 => "u24",
            Unsigned32 => "u32",
            Unsigned40 => "u40",
            Unsigned48 => "u48",
            Unsigned56 => "u56",
            Unsigned64 => "u64",
            Real32 => "r32",
            Real64 => "r64",
            VisibleString => "vs",
            OctetString => "os",
            UnicodeString => "us",
            TimeOfDay => "t",
            TimeDifference => "td",
            Domain => "d",
        }
    }

    /// The type a CiA 309-3 short name or a CiA 301 name means.
    pub fn from_name(name: &str) -> Option<DataType> {
        let lower = name.to_ascii_lowercase();
        ALL.iter().copied().find(|t| t.short_name() == lower || t.name().eq_ignore_ascii_case(name))
    }

    /// Bytes a value of this type takes; `None` for strings and domains, whose length varies.
    pub fn size(self) -> Option<usize> {
        use DataType::*;
        Some(match self {
            Boolean | Integer8 | Unsigned8 => 1,
            Integer16 | Unsigned16 => 2,
            Integer24 | Unsigned24 => 3,
            Integer32 | Unsigned32 | Real32 => 4,
            Integer40 | Unsigned40 => 5,
            Integer48 | Unsigned48 | TimeOfDay | TimeDifference => 6,
            Integer56 | Unsigned56 => 7,
            Integer64 | Unsigned64 | Real64 => 8,
            VisibleString | OctetString | UnicodeString | Domain => return None,
        })
    }

    /// Bits the type takes in a PDO (a BOOLEAN maps as 1 bit in CiA 301, but every stack maps
    /// it as 8; so do we).
    pub fn bits(self) -> Option<u32> {
        self.size().map(|s| s as u32 * 8)
    }

    pub fn is_signed(self) -> bool {
        use DataType::*;
        matches!(
            self,
            Integer8 | Integer16 | Integer24 | Integer32 | Integer40 | Integer48 | Integer56 | Integer64
        )
    }

    pub fn is_unsigned(self) -> bool {
        use DataType::*;
        matches!(
            self,
            Boolean
                | Unsigned8
                | Unsigned16
                | Unsigned24
                | Unsigned32
                | Unsigned40
                | Unsigned48
                | Unsigned56
                | Unsigned64
        )
    }

    pub fn is_real(self) -> bool {
        matches!(self, DataType::Real32 | DataType::Real64)
    }

    /// Integers and reals: the types with limits and numeric values.
    pub fn is_numeric(self) -> bool {
        self.is_signed() || self.is_unsigned() || self.is_real()
    }

    /// The number `bytes` hold (little-endian), for numeric types with the right length.
    pub fn number(self, bytes: &[u8]) -> Option<Number> {
        let size = self.size()?;
        if bytes.len() != size || !self.is_numeric() {
            return None;
        }
        let mut raw = [0u8; 8];
        raw[..size].copy_from_slice(bytes);
        let unsigned = u64::from_le_bytes(raw);
        Some(match self {
            DataType::Real32 => Number::Real(f64::from(f32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]))),
            DataType::Real64 => Number::Real(f64::from_le_bytes(raw)),
            t if t.is_signed() => {
                let shift = 64 - 8 * size as u32;
                Number::Int(i128::from(((unsigned << shift) as i64) >> shift))
            }
            _ => Number::Int(i128::from(unsigned)),
        })
    }

    /// The smallest and largest number the type holds.
    pub fn range(self) -> Option<(Number, Number)> {
        let size = self.size()? as u32;
        if self.is_real() {
            return Some((Number::Real(f64::MIN), Number::Real(f64::MAX)));
        }
        if self == DataType::Boolean {
            return Some((Number::Int(0), Number::Int(1)));
        }
        if self.is_signed() {
            let half = 1i128 << (8 * size - 1);
            Some((Number::Int(-half), Number::Int(half - 1)))
        } else if self.is_unsigned() {
            Some((Number::Int(0), Number::Int((1i128 << (8 * size)) - 1)))
        } else {
            None
        }
    }

    /// The bytes of a number, if the type holds it.
    pub fn encode_number(self, n: Number) -> Result<Vec<u8>, String> {
        let size = self.size().ok_or_else(|| format!("{} is not a number", self.name()))?;
        match (self, n) {
            (DataType::Real32, n) => Ok((n.as_f64() as f32).to_le_bytes().to_vec()),
            (DataType::Real64, n) => Ok(n.as_f64().to_le_bytes().to_vec()),
            (t, Number::Int(i)) if t.is_numeric() => {
                let (low, high) = t.range().expect("numeric types have ranges");
                // A hexadecimal bit pattern of a signed type (0xFFFF for an INTEGER16) is accepted
                // as the bytes it spells, as every EDS editor writes negative defaults that way.
                let i = if t.is_signed() && i > 0 && i < (1i128 << (8 * size)) && Number::Int(i) > high {
                    i - (1i128 << (8 * size))
                } else {
                    i
                };
                if Number::Int(i) < low || Number::Int(i) > high {
                    return Err(format!("{i} is out of range for {} ({low}..={high})", t.name()));
                }
                Ok((i as i64).to_le_bytes()[..size].to_vec())
            }
            (t, Number::Real(r)) if t.is_numeric() => {
                if r.fract() != 0.0 || !r.is_finite() {
                    return Err(format!("{r} is not an integer, and {} holds integers", t.name()));
                }
                t.encode_number(Number::Int(r as i128))
            }
            (t, _) => Err(format!("{} is not a number", t.name())),
        }
    }

    /// Read text into the type's bytes: numbers in decimal, `0x` hex, `0b` binary or octal with a
    /// leading 0 (as CiA 306 and python's `int(x, 0)` allow; reals in any float syntax); visible
    /// and unicode strings as written; octet strings and domains as hex digits (`01 A2 ff`, as
    /// python `canopen` reads an EDS). `node_id` resolves `$NODEID` (`$NODEID+0x180`,
    /// `0x180+$NODEID`).
    pub fn parse(self, text: &str, node_id: u8) -> Result<Vec<u8>, String> {
        match self {
            DataType::VisibleString => Ok(text.as_bytes().to_vec()),
            DataType::UnicodeString => Ok(text.encode_utf16().flat_map(u16::to_le_bytes).collect()),
            DataType::OctetString | DataType::Domain => parse_hex_bytes(text),
            DataType::Boolean if text.eq_ignore_ascii_case("true") => Ok(vec![1]),
            DataType::Boolean if text.eq_ignore_ascii_case("false") => Ok(vec![0]),
            // TIME_OF_DAY and TIME_DIFFERENCE are 6-byte structures (ms since midnight, days
            // since 1984), not numbers: they read as six hex bytes,
            // or as one integer that fills the 48 bits (EDS editors write `DefaultValue=0`);
            // [`DataType::format`] writes the integer.
            DataType::TimeOfDay | DataType::TimeDifference => {
                if let Ok(n) = parse_integer(text, node_id) {
                    if (0..1i128 << 48).contains(&n) {
                        return Ok((n as u64).to_le_bytes()[..6].to_vec());
                    }
                    return Err(format!("{n} does not fit the 48 bits of {}", self.name()));
                }
                match parse_hex_bytes(text) {
                    Ok(bytes) if bytes.len() == 6 => Ok(bytes),
                    _ => Err(format!("{text:?} is not a {} (6 hex bytes or an integer)", self.name())),
                }
            }
            t => {
                let n = parse_number(text, node_id, t.is_real())?;
                t.encode_number(n)
            }
        }
    }

    /// The value `bytes` hold, written as [`DataType::parse`] reads it back.
    pub fn format(self, bytes: &[u8]) -> String {
        match self {
            DataType::VisibleString => String::from_utf8_lossy(bytes).into_owned(),
            DataType::UnicodeString => {
                let units: Vec<u16> =
                    bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
                String::from_utf16_lossy(&units)
            }
            DataType::OctetString | DataType::Domain => hex(bytes),
            DataType::TimeOfDay | DataType::TimeDifference if bytes.len() == 6 => {
                let mut raw = [0u8; 8];
                raw[..6].copy_from_slice(bytes);
                u64::from_le_bytes(raw).to_string()
            }
            t => match t.number(bytes) {
                Some(n) => n.to_string(),
                None => hex(bytes),
            },
        }
    }

    /// The value as JSON: numbers as numbers (64-bit integers too; JSON readers that cannot hold
    /// them see them rounded), strings as strings, octet strings and domains as hex strings.
    pub fn to_json(self, bytes: &[u8]) -> serde_json::Value {
        match self.number(bytes) {
            Some(Number::Int(i)) => {
                if let Ok(v) = i64::try_from(i) {
                    serde_json::Value::from(v)
                } else {
                    serde_json::Value::from(i as u64)
                }
            }
            Some(Number::Real(r)) => serde_json::Number::from_f64(r)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(r.to_string())),
            None => serde_json::Value::String(self.format(bytes)),
        }
    }
}

/// Every basic type, for lookups by name.
pub const ALL: [DataType; 25] = {
    use DataType::*;
    [
        Boolean,
        Integer8,
        Integer16,
        Integer24,
        Integer32,
        Integer40,
        Integer48,
        Integer56,
        Integer64,
        Unsigned8,
        Unsigned16,
        Unsigned24,
        Unsigned32,
        Unsigned40,
        Unsigned48,
        Unsigned56,
        Unsigned64,
        Real32,
        Real64,
        VisibleString,
        OctetString,
        UnicodeString,
        TimeOfDay,
        TimeDifference,
        Domain,
    ]
};

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lower-case hex digits separated by spaces: `01 a2 ff`.
/// Up to 8 bytes read as one little-endian unsigned number (CANopen's byte order).
pub fn le_unsigned(bytes: &[u8]) -> u64 {
    let mut raw = [0u8; 8];
    let n = bytes.len().min(8);
    raw[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(raw)
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Hex digits, with or without spaces, into bytes.
pub fn parse_hex_bytes(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let digits = digits.strip_prefix(b"0x").unwrap_or(&digits);
    if digits.len() % 2 != 0 {
        return Err(format!("{text:?}: an odd number of hex digits"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("{text:?} is not hex bytes"))
        })
        .collect()
}

/// An integer as CiA 306 writes it: decimal, `0x` hex, `0b` binary, octal with a leading 0, a
/// sign; `$NODEID` added where it appears (either side of a `+`).
pub fn parse_integer(text: &str, node_id: u8) -> Result<i128, String> {
    match parse_number(text, node_id, false)? {
        Number::Int(i) => Ok(i),
        Number::Real(r) => Err(format!("{r} is not an integer")),
    }
}

fn parse_number(text: &str, node_id: u8, real: bool) -> Result<Number, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("no value".into());
    }
    let upper = trimmed.to_ascii_uppercase();
    if let Some(at) = upper.find("$NODEID") {
        let rest = format!("{}{}", &trimmed[..at], &trimmed[at + "$NODEID".len()..]);
        let rest = rest.trim().trim_matches('+').trim();
        let base = if rest.is_empty() { 0 } else { parse_plain_integer(rest)? };
        return Ok(Number::Int(base + i128::from(node_id)));
    }
    if real {
        if let Ok(i) = parse_plain_integer(trimmed) {
            return Ok(Number::Real(i as f64));
        }
        return trimmed.parse::<f64>().map(Number::Real).map_err(|_| format!("{trimmed:?} is not a number"));
    }
    parse_plain_integer(trimmed).map(Number::Int)
}

fn parse_plain_integer(text: &str) -> Result<i128, String> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = digits.to_ascii_lowercase();
    let parsed = if let Some(h) = lower.strip_prefix("0x") {
        i128::from_str_radix(h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        i128::from_str_radix(b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        i128::from_str_radix(o, 8)
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit()) {
        i128::from_str_radix(&lower[1..], 8)
    } else {
        lower.parse::<i128>()
    };
    let value = parsed.map_err(|_| format!("{text:?} is not an integer"))?;
    if value > i128::from(u64::MAX) {
        return Err(format!("{text:?} is larger than 64 bits"));
    }
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_sizes_match_the_spec() {
        for t in ALL {
            assert_eq!(DataType::from_code(t.code()), Some(t));
            assert_eq!(DataType::from_name(t.short_name()), Some(t));
            assert_eq!(DataType::from_name(t.name()), Some(t));
        }
        assert_eq!(DataType::Integer24.size(), Some(3));
        assert_eq!(DataType::Unsigned56.size(), Some(7));
        assert_eq!(DataType::from_code(0x17), None);
    }

    #[test]
    fn numbers_are_read_in_every_spelling() {
        assert_eq!(DataType::Unsigned32.parse("0x1A2", 0).unwrap(), vec![0xA2, 1, 0, 0]);
        assert_eq!(DataType::Unsigned8.parse("010", 0).unwrap(), vec![8]);
        assert_eq!(DataType::Unsigned32.parse("$NODEID+0x180", 5).unwrap(), vec![0x85, 1, 0, 0]);
        assert_eq!(DataType::Unsigned32.parse("0x180 + $NODEID", 5).unwrap(), vec![0x85, 1, 0, 0]);
        assert_eq!(DataType::Unsigned32.parse("$nodeid+0xC0000180", 5).unwrap(), vec![0x85, 1, 0, 0xC0]);
        assert_eq!(DataType::Integer16.parse("-2", 0).unwrap(), vec![0xFE, 0xFF]);
        assert_eq!(DataType::Integer16.parse("0xFFFE", 0).unwrap(), vec![0xFE, 0xFF]);
        assert_eq!(DataType::Integer24.parse("-1", 0).unwrap(), vec![0xFF; 3]);
        assert_eq!(DataType::Real32.parse("1.5", 0).unwrap(), 1.5f32.to_le_bytes().to_vec());
        assert_eq!(DataType::Boolean.parse("true", 0).unwrap(), vec![1]);
        assert!(DataType::Unsigned8.parse("256", 0).is_err());
        assert!(DataType::Integer8.parse("-129", 0).is_err());
        assert!(DataType::Unsigned8.parse("", 0).is_err());
        assert!(DataType::Unsigned8.parse("zz", 0).is_err());
        assert!(DataType::Unsigned64.parse("0xFFFFFFFFFFFFFFFFFF", 0).is_err());
    }

    #[test]
    fn values_format_as_they_parse() {
        for (t, text) in [
            (DataType::Integer56, "-12345678901"),
            (DataType::Unsigned40, "1099511627775"),
            (DataType::Real64, "2.25"),
            (DataType::VisibleString, "hello world"),
            (DataType::UnicodeString, "grüß"),
            (DataType::OctetString, "01 a2 ff"),
            (DataType::TimeOfDay, "281474976710655"),
        ] {
            let bytes = t.parse(text, 0).unwrap();
            assert_eq!(t.format(&bytes), text, "{t}");
        }
        assert_eq!(DataType::Integer8.number(&[0x80]), Some(Number::Int(-128)));
        assert_eq!(DataType::TimeDifference.parse("0x0102", 0).unwrap(), vec![2, 1, 0, 0, 0, 0]);
        assert!(DataType::TimeOfDay.parse("01 02", 0).is_err());
        assert_eq!(DataType::Unsigned64.to_json(&[0xFF; 8]), serde_json::json!(u64::MAX));
    }
}
