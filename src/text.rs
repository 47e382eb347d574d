//! The can-utils text syntax, parsed and printed by one piece of code for every tool and format:
//! compact frames (`123#DEADBEEF`, `123##1..`, `123#R7`, `20000080#...`), candump `-L` log lines
//! (`(1700000000.123456) vcan0 123#DEADBEEF`) and permissive byte lists typed by humans
//! (`"12 34 56"`, `"0x12,0xFF"`).
//!
//! Printing follows `candump -L` byte for byte (uppercase hex, no `.` separators, the FDF bit set
//! in the CAN FD flag nibble) and allocates nothing: a frame is encoded into a stack buffer and
//! copied out once. Parsing follows can-utils' `parse_canframe`, but stricter where cansend is
//! silently lossy (bytes past the 8th, standard ids over 0x7FF, trailing junk): every error names
//! what was expected and the byte offset where it was not found.
//!
//! Reading whole log files (comments, `DROPCOUNT` lines, channel mapping) is left to the log
//! readers; this module handles one line at a time.

use std::fmt;

use crate::frame::{Channel, Direction, Frame, FrameKind, Timestamp};
use crate::frame::{CAN_ERR_FLAG, MAX_CLASSIC_DATA, MAX_DATA, MAX_EXTENDED_ID, MAX_STANDARD_ID};

/// Malformed frame text: what was expected and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The text that was parsed.
    pub input: String,
    /// Byte offset of the offending character in `input`.
    pub pos: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {} of '{}'", self.message, self.pos + 1, self.input)
    }
}

impl std::error::Error for ParseError {}

/// A parse failure before it is attached to its input: positions are relative to the text the
/// inner parser saw, so a frame parsed out of a log line can be shifted to the line's offsets.
struct Fail {
    pos: usize,
    message: String,
}

impl Fail {
    fn shifted(self, offset: usize) -> Fail {
        Fail { pos: self.pos + offset, message: self.message }
    }

    fn into_error(self, input: &str) -> ParseError {
        ParseError { input: input.to_string(), pos: self.pos, message: self.message }
    }
}

fn fail<T>(pos: usize, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail { pos, message: message.into() })
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Compact frame syntax: parsing
// ---------------------------------------------------------------------------------------------

/// Parse the compact syntax of `cansend` (can-utils `lib.h`):
///
/// * `123#DEADBEEF` standard id (3 hex digits, at most 0x7FF), `12345678#..` extended id
///   (8 digits, may be small: `00000123#11`), 0–8 data bytes, an optional `.` before any byte;
/// * `1F334455#1122334455667788_B`: raw DLC 9–F after exactly 8 bytes;
/// * `123#R`, `123#R3`, `333#R8_E`: remote frames with an optional length digit 0–8;
/// * `123##1112233`: CAN FD with a mandatory flag digit (bit 0 BRS, bit 1 ESI, bit 2 FDF is
///   ignored) and 0–64 bytes; a length between valid FD lengths is padded with zeros;
/// * `20000080#0000000000000000`: an 8-digit id with 0x20000000 set is an error frame (class =
///   the low 29 bits, data padded to 8 bytes).
///
/// CAN XL (`45123#81:00:...`) is recognised and refused. Hex digits may be lowercase.
pub fn parse_frame(s: &str) -> Result<Frame, ParseError> {
    parse_frame_text(s, LongStandardIds::Refuse).map(|(frame, _)| frame).map_err(|e| e.into_error(s))
}

/// What a 3-digit identifier above 0x7FF (`FFF#00`) means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LongStandardIds {
    /// A mistake: what a user types is refused with the 8-digit form to use instead.
    Refuse,
    /// In a log file (cansend sends such ids, python-can reads them): the 29-bit id it can
    /// only be, said to the caller.
    Mend,
}

/// The frame parser proper; positions relative to `s`. The flag: a long 3-digit id was mended.
fn parse_frame_text(s: &str, long_ids: LongStandardIds) -> Result<(Frame, bool), Fail> {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if digits > 8 {
        return fail(8, "identifier too long: expected 3 hex digits (standard) or 8 (extended) before '#'");
    }
    match b.get(digits) {
        Some(b'#') => {}
        None if digits == 0 => return fail(0, "empty frame: expected an identifier such as 123#DEADBEEF"),
        None => return fail(digits, "expected '#' after the identifier"),
        Some(_) if digits == 0 => return fail(0, "expected a hex identifier (3 or 8 digits)"),
        Some(_) => return fail(digits, "expected a hex digit or '#' in the identifier"),
    }
    // At most 8 hex digits: fits in a u32.
    let value = b[..digits].iter().filter_map(|&c| hex_value(c)).fold(0u32, |v, d| v << 4 | d as u32);
    let (id, extended, error) = match digits {
        0 => return fail(0, "empty identifier: expected 3 hex digits (standard) or 8 (extended) before '#'"),
        3 if value > MAX_STANDARD_ID && long_ids == LongStandardIds::Mend => (value, true, false),
        3 if value > MAX_STANDARD_ID => {
            return fail(
                0,
                format!(
                    "standard identifier 0x{value:03X} is over 0x7FF; \
                     write 8 digits (0000{value:04X}) for an extended identifier"
                ),
            )
        }
        3 => (value, false, false),
        5 => return fail(0, "CAN XL is not supported (a 5-digit identifier is a CAN XL VCID and priority)"),
        8 if value > (MAX_EXTENDED_ID | CAN_ERR_FLAG) => {
            return fail(
                0,
                format!(
                    "identifier 0x{value:08X} is over 0x1FFFFFFF \
                     (only 0x20000000, the error frame flag, may be added)"
                ),
            )
        }
        8 if value & CAN_ERR_FLAG != 0 => (value & MAX_EXTENDED_ID, true, true),
        8 => (value, true, false),
        n => {
            return fail(n, format!("expected 3 hex digits (standard) or 8 (extended) before '#', found {n}"))
        }
    };

    // Only a mended id is 29-bit with 3 digits.
    let mended = digits == 3 && extended;
    let body = digits + 1;
    let frame_error = |e: crate::frame::FrameError| Fail { pos: 0, message: e.to_string() };
    let frame = match b.get(body) {
        Some(b'R' | b'r') => {
            if error {
                return fail(body, "an error frame cannot be a remote frame");
            }
            let mut i = body + 1;
            let mut len = 0;
            if let Some(v) = b.get(i).and_then(|&c| hex_value(c)) {
                if v as usize > MAX_CLASSIC_DATA {
                    return fail(i, "remote frame length must be 0-8");
                }
                len = v;
                i += 1;
            }
            let mut raw_dlc = 0;
            if len == 8 && b.get(i) == Some(&b'_') {
                raw_dlc = parse_raw_dlc(b, i)?;
                i += 2;
            }
            match b.get(i) {
                None => {}
                Some(b'_') => return fail(i, "raw DLC suffix '_X' needs remote length 8 (R8_X)"),
                Some(_) => return fail(i, "unexpected character after the remote frame"),
            }
            Ok(Frame::new_remote(id, extended, len).map_err(frame_error)?.with_len8_dlc(raw_dlc))
        }
        Some(b'#') => {
            if error {
                return fail(body, "an error frame cannot be a CAN FD frame");
            }
            let Some(flags) = b.get(body + 1).and_then(|&c| hex_value(c)) else {
                return fail(body + 1, "expected a CAN FD flags digit 0-F after '##'");
            };
            let (data, len, end) = parse_data(b, body + 2, MAX_DATA)?;
            if end < b.len() {
                return fail(end, "raw DLC suffix '_X' is only for classic frames");
            }
            let (brs, esi) = (flags & 0x1 != 0, flags & 0x2 != 0);
            Frame::new_fd_padded(id, extended, &data[..len], brs, esi).map_err(frame_error)
        }
        _ => {
            let (data, len, end) = parse_data(b, body, MAX_CLASSIC_DATA)?;
            let mut raw_dlc = 0;
            if end < b.len() {
                // parse_data stops early only at '_'.
                if error {
                    return fail(end, "an error frame has no raw DLC suffix");
                }
                if len != MAX_CLASSIC_DATA {
                    return fail(end, "raw DLC suffix '_X' needs exactly 8 data bytes");
                }
                raw_dlc = parse_raw_dlc(b, end)?;
                if end + 2 < b.len() {
                    return fail(end + 2, "unexpected character after the raw DLC");
                }
            }
            if error {
                let mut detail = [0u8; 8];
                detail[..len].copy_from_slice(&data[..len]);
                Frame::new_error(id, detail).map_err(frame_error)
            } else {
                Ok(Frame::new_data(id, extended, &data[..len]).map_err(frame_error)?.with_len8_dlc(raw_dlc))
            }
        }
    }?;
    Ok((frame, mended))
}

/// `_X` at `b[at]`: the raw DLC digit 9..F.
fn parse_raw_dlc(b: &[u8], at: usize) -> Result<u8, Fail> {
    match b.get(at + 1).and_then(|&c| hex_value(c)) {
        Some(v @ 9..=15) => Ok(v),
        Some(_) => fail(at + 1, "raw DLC after '_' must be 9-F"),
        None => fail(at + 1, "expected a raw DLC digit 9-F after '_'"),
    }
}

/// Data bytes from `b[start..]`: two hex digits each, an optional `.` before any byte, at most
/// `max`. Stops at the end or at a `_` right after a byte; returns the bytes, their count and
/// where it stopped.
fn parse_data(b: &[u8], start: usize, max: usize) -> Result<([u8; MAX_DATA], usize, usize), Fail> {
    let mut data = [0u8; MAX_DATA];
    let mut len = 0;
    let mut i = start;
    loop {
        let dotted = b.get(i) == Some(&b'.');
        if dotted {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        if c == b'_' && !dotted {
            break;
        }
        let Some(high) = hex_value(c) else {
            return fail(i, "expected a hex digit (data bytes are two hex digits each)");
        };
        if len == max {
            return fail(
                i,
                if max == MAX_CLASSIC_DATA {
                    "oversized data: a classic CAN frame carries at most 8 bytes (use ## for CAN FD)"
                } else {
                    "oversized data: a CAN FD frame carries at most 64 bytes"
                },
            );
        }
        let low = match b.get(i + 1) {
            None => return fail(i, "incomplete byte: expected two hex digits per byte"),
            Some(&c) => match hex_value(c) {
                Some(v) => v,
                None => {
                    return fail(i + 1, "expected a second hex digit (data bytes are two hex digits each)")
                }
            },
        };
        data[len] = high << 4 | low;
        len += 1;
        i += 2;
    }
    Ok((data, len, i))
}

// ---------------------------------------------------------------------------------------------
// Compact frame syntax: printing
// ---------------------------------------------------------------------------------------------

use crate::digits::HEX_UPPER;

/// Longest compact frame text: 8 id digits, `##`, flag digit, 64 bytes as 128 digits = 139.
const FRAME_TEXT_MAX: usize = 144;

/// One frame's compact text being written into a buffer of [`FRAME_TEXT_MAX`] bytes.
struct FrameText<'a> {
    bytes: &'a mut [u8; FRAME_TEXT_MAX],
    len: usize,
}

impl FrameText<'_> {
    // Indexing cannot go out of bounds: `Frame` keeps len ≤ 64, so no frame text exceeds 139 bytes.
    fn push(&mut self, c: u8) {
        self.bytes[self.len] = c;
        self.len += 1;
    }

    fn push_hex(&mut self, value: u32, digits: u32) {
        for shift in (0..digits).rev() {
            self.push(HEX_UPPER[(value >> (shift * 4)) as usize & 0xF]);
        }
    }

    fn push_data(&mut self, data: &[u8]) {
        let end = self.len + 2 * data.len();
        crate::digits::hex_into(&mut self.bytes[self.len..end], data);
        self.len = end;
    }

    /// Writes the frame's text at the start of `bytes`; its length.
    fn encode(frame: &Frame, bytes: &mut [u8; FRAME_TEXT_MAX]) -> usize {
        let mut t = FrameText { bytes, len: 0 };
        match frame.kind() {
            FrameKind::Error => t.push_hex(frame.id() | CAN_ERR_FLAG, 8),
            _ if frame.is_extended() => t.push_hex(frame.id(), 8),
            _ => t.push_hex(frame.id(), 3),
        }
        t.push(b'#');
        match frame.kind() {
            FrameKind::Data | FrameKind::Error => t.push_data(frame.data()),
            FrameKind::Remote => {
                t.push(b'R');
                if !frame.is_empty() {
                    t.push(HEX_UPPER[frame.len() & 0xF]);
                }
            }
            FrameKind::Fd => {
                // candump ≥ 2024-02 sets FDF (0x4) on every FD frame it prints.
                let flags = 0x4 | frame.brs() as usize | (frame.esi() as usize) << 1;
                t.push(b'#');
                t.push(HEX_UPPER[flags]);
                t.push_data(frame.data());
            }
        }
        if let Some(dlc) = frame.len8_dlc() {
            t.push(b'_');
            t.push(HEX_UPPER[dlc as usize & 0xF]);
        }
        t.len
    }
}

/// Append a frame in the compact syntax exactly as `candump -L` prints it: `123#DEADBEEF`,
/// `12345678#R3`, `333#R8_E`, `123##5AABB` (FD flags with FDF set), `20000004#0004000000000000`.
/// Allocates nothing beyond growing `out`.
pub fn push_frame(out: &mut Vec<u8>, frame: &Frame) {
    let start = out.len();
    out.resize(start + FRAME_TEXT_MAX, 0);
    let room: &mut [u8; FRAME_TEXT_MAX] = (&mut out[start..]).try_into().expect("resized to fit");
    let len = FrameText::encode(frame, room);
    out.truncate(start + len);
}

/// Write a frame in the compact syntax exactly as `candump -L` prints it (same text as
/// [`push_frame`]).
pub fn write_frame<W: fmt::Write>(out: &mut W, frame: &Frame) -> fmt::Result {
    let mut bytes = [0u8; FRAME_TEXT_MAX];
    let len = FrameText::encode(frame, &mut bytes);
    // The encoder writes only ASCII.
    out.write_str(std::str::from_utf8(&bytes[..len]).map_err(|_| fmt::Error)?)
}

// ---------------------------------------------------------------------------------------------
// candump -L log lines
// ---------------------------------------------------------------------------------------------

/// Append one `candump -L` log line: `(1700000000.123456) vcan0 123#DEADBEEF\n`.
///
/// Seconds are zero-padded to 10 digits, the fraction has 6 digits (microseconds, truncated) or
/// 9 with `nanos` (candump `-N`). A numbered channel is a 1-based bus number (as ASC, BLF and TRC
/// count) and prints as `can<n-1>`, the pairing python-can uses (bus 1 = can0); no channel prints
/// as `vcan0`, as python-can's log writer does (so a log of the default bus replays onto vcan0
/// with canplayer). Whitespace inside a channel name (never in Linux interface names) becomes `_`
/// so the line stays readable. No direction suffix, as `candump -L` prints none. Timestamps
/// before 1970 print as 0.
pub fn push_log_line(out: &mut Vec<u8>, frame: &Frame, nanos: bool) {
    let t = frame.timestamp;
    let (secs, subsec) = if t.as_nanos() < 0 { (0, 0) } else { (t.secs() as u64, t.subsec_nanos()) };
    out.push(b'(');
    crate::digits::push_decimal_zero(out, secs, 10);
    out.push(b'.');
    if nanos {
        crate::digits::push_decimal_zero(out, subsec as u64, 9);
    } else {
        crate::digits::push_decimal_zero(out, (subsec / 1000) as u64, 6);
    }
    out.extend_from_slice(b") ");
    if let Some(name) = frame.channel.as_name() {
        out.extend(name.bytes().map(|c| if c.is_ascii_whitespace() { b'_' } else { c }));
    } else if let Some(n) = frame.channel.as_number() {
        out.extend_from_slice(b"can");
        crate::digits::push_decimal_zero(out, n.saturating_sub(1) as u64, 1);
    } else {
        out.extend_from_slice(b"vcan0");
    }
    out.push(b' ');
    push_frame(out, frame);
    out.push(b'\n');
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// Parse one candump `-L` log line, permissively (candump, python-can and hand-written lines):
/// `(` seconds (any number of digits) `.` 1–9 fraction digits `)`, runs of whitespace, the
/// channel (kept as a [`Channel::name`]), the frame ([`parse_frame`]), and an optional direction
/// `T`/`R` (either case; `candump -x`, python-can). A trailing `\r\n` or `\n` is ignored.
///
/// Comment lines (`DROPCOUNT: ...`, anything not starting with `(`) are errors here; skipping them
/// is the log reader's business.
pub fn parse_log_line(line: &str) -> Result<Frame, ParseError> {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let body = body.strip_suffix('\r').unwrap_or(body);
    if let Some((frame, channel)) = parse_log_line_fast(body.as_bytes()) {
        // The fast path's channel is printable ASCII.
        let channel = std::str::from_utf8(channel).map_or(Channel::NONE, Channel::name);
        return Ok(frame.with_channel(channel));
    }
    parse_log_line_text(body, LongStandardIds::Refuse).map(|(frame, _)| frame).map_err(|e| e.into_error(body))
}

/// The general log line parser for log files, for callers that tried [`parse_log_line_fast`]
/// already: a 3-digit id above 0x7FF (`FFF#00`, which cansend sends and python-can reads) is the
/// 29-bit id it can only be, and the flag says it was mended.
pub(crate) fn parse_log_line_mending(line: &str) -> Result<(Frame, bool), ParseError> {
    parse_log_line_text(line, LongStandardIds::Mend).map_err(|e| e.into_error(line))
}

/// The usual shape of a log line, parsed straight from bytes: `(` 1–10 digits `.` 1–9 digits `)`,
/// one space, a channel of printable ASCII, one space, a frame with a 3- or 8-digit id (classic
/// data as hex pairs, or CAN FD `##` with its flags digit), and an optional ` T`/` R`. Returns
/// the frame without its channel and the channel's text; `None` for any other line, which
/// [`parse_log_line`]'s general parser then reads (and reports, if it is malformed). Every line
/// it accepts gives exactly the frame the general parser gives.
pub(crate) fn parse_log_line_fast(b: &[u8]) -> Option<(Frame, &[u8])> {
    use crate::digits::{decimal_before, decimal_leading, digit_run, hex_pairs, hex_value};
    if b.first() != Some(&b'(') {
        return None;
    }
    // Timestamp: 1-10 digits of seconds (the general parser's range check is for more), 1-9 of
    // fraction.
    let dot = 1 + digit_run(b, 1);
    let close = dot + 1 + digit_run(b, dot + 1);
    if b.get(dot) != Some(&b'.') || b.get(close) != Some(&b')') || b.get(close + 1) != Some(&b' ') {
        return None;
    }
    let secs = match dot - 1 {
        n @ 1..=8 => decimal_before(b, dot, n)?,
        n @ 9..=10 => decimal_before(b, dot - 8, n - 8)? * 100_000_000 + decimal_before(b, dot, 8)?,
        _ => return None,
    };
    if secs > (i64::MAX / 1_000_000_000) as u64 {
        return None;
    }
    let nanos = match close - dot - 1 {
        n @ 1..=8 => decimal_leading(b, dot + 1, n)? * 10,
        9 => decimal_leading(b, dot + 1, 8)? * 10 + (b[dot + 9] - b'0') as u64,
        _ => return None,
    };
    let timestamp = Timestamp::from_parts(secs as i64, nanos as u32);

    // Channel: printable ASCII up to the next space.
    let channel_start = close + 2;
    let channel_len = b[channel_start..].iter().position(|&c| !c.is_ascii_graphic())?;
    let frame_start = channel_start + channel_len;
    if channel_len == 0 || b[frame_start] != b' ' {
        return None;
    }
    let channel = &b[channel_start..frame_start];

    // Frame, then nothing or a direction.
    let frame_start = frame_start + 1;
    let rest = &b[frame_start..];
    let (frame_text, direction) = match rest.len().checked_sub(2).map(|at| (&rest[..at], &rest[at..])) {
        Some((text, b" T" | b" t")) => (text, Direction::Tx),
        Some((text, b" R" | b" r")) => (text, Direction::Rx),
        _ => (rest, Direction::Rx),
    };
    let (id_len, extended) = match frame_text.get(3) {
        Some(b'#') => (3, false),
        _ if frame_text.get(8) == Some(&b'#') => (8, true),
        _ => return None,
    };
    let id = hex_value(&frame_text[..id_len])?;
    if id > if extended { MAX_EXTENDED_ID } else { MAX_STANDARD_ID } {
        // Over the id range, or an error frame: the general parser knows what to do.
        return None;
    }
    let body = &frame_text[id_len + 1..];
    let mut data = [0u8; MAX_DATA];
    let frame = if body.first() == Some(&b'#') {
        let flags = hex_value(body.get(1..2)?)?;
        let len = hex_pairs(&body[2..], &mut data)?;
        Frame::new_fd_padded(id, extended, &data[..len], flags & 1 != 0, flags & 2 != 0).ok()?
    } else {
        let len = hex_pairs(body, &mut data[..MAX_CLASSIC_DATA])?;
        Frame::new_data(id, extended, &data[..len]).ok()?
    };
    Some((frame.with_timestamp(timestamp).with_direction(direction), channel))
}

fn parse_log_line_text(line: &str, long_ids: LongStandardIds) -> Result<(Frame, bool), Fail> {
    let b = line.as_bytes();
    let mut i = skip_whitespace(b, 0);
    if b.get(i) != Some(&b'(') {
        return fail(i, "expected '(' and a timestamp at the start of a log line");
    }
    i += 1;

    let secs_start = i;
    let mut secs: i64 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        secs = match secs.checked_mul(10).and_then(|s| s.checked_add((d - b'0') as i64)) {
            Some(s) if s <= i64::MAX / 1_000_000_000 => s,
            _ => return fail(secs_start, "timestamp out of range"),
        };
        i += 1;
    }
    if i == secs_start {
        return fail(i, "expected the timestamp's seconds (digits)");
    }
    if b.get(i) != Some(&b'.') {
        return fail(i, "expected '.' and the fraction of the timestamp");
    }
    i += 1;
    let frac_start = i;
    let mut nanos: u32 = 0;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i - frac_start == 9 {
            return fail(i, "timestamp fraction has more than 9 digits");
        }
        nanos = nanos * 10 + (d - b'0') as u32;
        i += 1;
    }
    let frac_digits = i - frac_start;
    if frac_digits == 0 {
        return fail(i, "expected the fraction digits of the timestamp");
    }
    nanos *= 10u32.pow(9 - frac_digits as u32);
    if b.get(i) != Some(&b')') {
        return fail(i, "expected ')' closing the timestamp");
    }
    i += 1;
    let timestamp = Timestamp::from_parts(secs, nanos);

    let j = skip_whitespace(b, i);
    if j == i {
        return fail(i, "expected a space and the interface name after the timestamp");
    }
    let channel_start = j;
    i = j;
    while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
        i += 1;
    }
    if i == channel_start {
        return fail(i, "expected the interface name after the timestamp");
    }
    // Token bounds are ASCII whitespace or the ends of the line: char boundaries.
    let channel = Channel::name(&line[channel_start..i]);

    let j = skip_whitespace(b, i);
    if j == i || j == b.len() {
        return fail(j, "expected a space and a frame after the interface name");
    }
    let frame_start = j;
    i = j;
    while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
        i += 1;
    }
    let (frame, mended) =
        parse_frame_text(&line[frame_start..i], long_ids).map_err(|e| e.shifted(frame_start))?;

    let mut direction = Direction::Rx;
    i = skip_whitespace(b, i);
    if let Some(&c) = b.get(i) {
        let token_ends = b.get(i + 1).is_none_or(u8::is_ascii_whitespace);
        direction = match c {
            b'T' | b't' if token_ends => Direction::Tx,
            b'R' | b'r' if token_ends => Direction::Rx,
            _ => return fail(i, "expected 'T' or 'R' (direction) or the end of the line after the frame"),
        };
        i = skip_whitespace(b, i + 1);
        if i < b.len() {
            return fail(i, "unexpected text after the direction");
        }
    }
    Ok((frame.with_timestamp(timestamp).with_channel(channel).with_direction(direction), mended))
}

// ---------------------------------------------------------------------------------------------
// Byte lists typed by humans
// ---------------------------------------------------------------------------------------------

fn is_byte_separator(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b',' | b'-' | b'.' | b':' | b';')
}

/// Parse data bytes as people type them: `"12 34 56"`, `"0x12,0xFF"`, `"12-34-56"`, `"123456"`,
/// `"DE.AD.BE.EF"`, `"de:ad"`, `"0x1 0x2"`. Separators are whitespace, `,`, `-`, `.`, `:` and
/// `;`. A token with a `0x` prefix (1–2 digits) or of 1–2 digits is one byte; a longer run is
/// read two digits per byte and must have an even length. At most 64 bytes.
pub fn parse_data_bytes(s: &str) -> Result<([u8; MAX_DATA], usize), ParseError> {
    parse_data_bytes_text(s).map_err(|e| e.into_error(s))
}

fn parse_data_bytes_text(s: &str) -> Result<([u8; MAX_DATA], usize), Fail> {
    let b = s.as_bytes();
    let mut data = [0u8; MAX_DATA];
    let mut len = 0;
    let mut i = 0;
    loop {
        while b.get(i).is_some_and(|&c| is_byte_separator(c)) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let token_start = i;
        let prefixed = b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
        let digits_start = if prefixed { i + 2 } else { i };
        i = digits_start;
        while b.get(i).is_some_and(u8::is_ascii_hexdigit) {
            i += 1;
        }
        if let Some(&c) = b.get(i) {
            if !is_byte_separator(c) {
                return fail(i, "expected a hex digit or a separator (space , - . : ;)");
            }
        }
        let digits = &b[digits_start..i];
        if len == MAX_DATA {
            return fail(token_start, "too many bytes: at most 64");
        }
        match digits.len() {
            0 => return fail(i, "expected hex digits after '0x'"),
            1 | 2 => {
                data[len] = digits.iter().filter_map(|&c| hex_value(c)).fold(0, |v, d| v << 4 | d);
                len += 1;
            }
            _ if prefixed => return fail(digits_start + 2, "a '0x' byte has at most 2 hex digits"),
            n if n % 2 == 1 => {
                return fail(
                    token_start,
                    format!("odd number of hex digits ({n}): write each byte as two digits"),
                )
            }
            _ => {
                for (k, pair) in digits.chunks_exact(2).enumerate() {
                    if len == MAX_DATA {
                        return fail(digits_start + 2 * k, "too many bytes: at most 64");
                    }
                    let high = hex_value(pair[0]).unwrap_or(0);
                    let low = hex_value(pair[1]).unwrap_or(0);
                    data[len] = high << 4 | low;
                    len += 1;
                }
            }
        }
    }
    Ok((data, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Frame {
        match parse_frame(s) {
            Ok(f) => f,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn print(f: &Frame) -> String {
        let mut out = Vec::new();
        push_frame(&mut out, f);
        String::from_utf8(out).expect("frame text is ASCII")
    }

    /// Parse `s`, expecting an error at `pos` whose message contains `word`.
    fn parse_err(s: &str, pos: usize, word: &str) {
        match parse_frame(s) {
            Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
            Err(e) => {
                assert_eq!(e.pos, pos, "{s:?}: {e}");
                assert!(e.message.contains(word), "{s:?}: message {:?} lacks {word:?}", e.message);
                assert_eq!(e.input, s);
            }
        }
    }

    fn data(id: u32, extended: bool, bytes: &[u8]) -> Frame {
        Frame::new_data(id, extended, bytes).unwrap()
    }

    // --- cansend help examples (spec §3), each parsed and printed as candump -L would ---

    #[test]
    fn cansend_example_with_dots_parses_to_eight_bytes() {
        let f = parse("5A1#11.2233.44556677.88");
        assert_eq!(f, data(0x5A1, false, &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]));
        assert_eq!(print(&f), "5A1#1122334455667788");
    }

    #[test]
    fn cansend_example_deadbeef() {
        let f = parse("123#DEADBEEF");
        assert_eq!(f, data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]));
        assert_eq!(print(&f), "123#DEADBEEF");
    }

    #[test]
    fn cansend_example_empty_data_frame() {
        let f = parse("5AA#");
        assert_eq!(f, data(0x5AA, false, &[]));
        assert_eq!(print(&f), "5AA#");
    }

    #[test]
    fn cansend_example_fd_brs_without_data_prints_with_fdf() {
        let f = parse("123##1");
        assert_eq!(f, Frame::new_fd(0x123, false, &[], true, false).unwrap());
        assert_eq!(print(&f), "123##5");
    }

    #[test]
    fn cansend_example_fd_brs_esi_with_data() {
        let f = parse("213##311223344");
        assert_eq!(f, Frame::new_fd(0x213, false, &[0x11, 0x22, 0x33, 0x44], true, true).unwrap());
        assert_eq!(print(&f), "213##711223344");
    }

    #[test]
    fn cansend_example_extended_with_raw_dlc() {
        let f = parse("1F334455#1122334455667788_B");
        assert!(f.is_extended());
        assert_eq!(f.id(), 0x1F334455);
        assert_eq!(f.len8_dlc(), Some(0xB));
        assert_eq!(f.dlc(), 0xB);
        assert_eq!(print(&f), "1F334455#1122334455667788_B");
    }

    #[test]
    fn cansend_example_remote_without_length() {
        let f = parse("123#R");
        assert_eq!(f, Frame::new_remote(0x123, false, 0).unwrap());
        assert_eq!(print(&f), "123#R");
    }

    #[test]
    fn cansend_example_extended_remote_with_length() {
        let f = parse("00000123#R3");
        assert_eq!(f, Frame::new_remote(0x123, true, 3).unwrap());
        assert_eq!(print(&f), "00000123#R3");
    }

    #[test]
    fn cansend_example_remote_with_raw_dlc() {
        let f = parse("333#R8_E");
        assert!(f.is_remote());
        assert_eq!(f.len(), 8);
        assert_eq!(f.len8_dlc(), Some(0xE));
        assert_eq!(print(&f), "333#R8_E");
    }

    #[test]
    fn cansend_can_xl_examples_are_refused_clearly() {
        parse_err("45123#81:00:12345678#11223344.556677", 0, "CAN XL is not supported");
        parse_err("00242#81:07:40000123#112233", 0, "CAN XL is not supported");
    }

    // --- other syntax cases ---

    #[test]
    fn extended_id_may_be_numerically_small() {
        let f = parse("00000123#11");
        assert!(f.is_extended());
        assert_eq!(f.id(), 0x123);
        assert_eq!(print(&f), "00000123#11");
    }

    #[test]
    fn lowercase_hex_is_accepted_and_printed_uppercase() {
        let f = parse("1ab#deadbeef");
        assert_eq!(f, data(0x1AB, false, &[0xDE, 0xAD, 0xBE, 0xEF]));
        assert_eq!(print(&f), "1AB#DEADBEEF");
        assert_eq!(parse("1f334455#1122334455667788_b").len8_dlc(), Some(0xB));
        assert_eq!(parse("123#r3"), Frame::new_remote(0x123, false, 3).unwrap());
        assert_eq!(parse("123##a"), Frame::new_fd(0x123, false, &[], false, true).unwrap());
    }

    #[test]
    fn dot_may_precede_any_byte_and_end_the_data() {
        assert_eq!(parse("123#.11.22"), data(0x123, false, &[0x11, 0x22]));
        assert_eq!(parse("123#11.22."), data(0x123, false, &[0x11, 0x22]));
        assert_eq!(parse("123#."), data(0x123, false, &[]));
        assert_eq!(parse("123##0.11.22"), Frame::new_fd(0x123, false, &[0x11, 0x22], false, false).unwrap());
    }

    #[test]
    fn remote_length_zero_is_the_same_as_none() {
        assert_eq!(parse("123#R0"), parse("123#R"));
        assert_eq!(print(&parse("123#R0")), "123#R");
        assert_eq!(print(&parse("123#R8")), "123#R8");
    }

    #[test]
    fn fd_flag_nibble_is_a_bit_field_and_fdf_is_ignored() {
        for (text, brs, esi) in [
            ("123##0", false, false),
            ("123##1", true, false),
            ("123##2", false, true),
            ("123##3", true, true),
            ("123##4", false, false),
            ("123##5", true, false),
            ("123##6", false, true),
            ("123##7", true, true),
            ("123##F", true, true),
        ] {
            assert_eq!(parse(text), Frame::new_fd(0x123, false, &[], brs, esi).unwrap(), "{text}");
        }
        assert_eq!(print(&parse("123##0")), "123##4");
        assert_eq!(print(&parse("123##2")), "123##6");
        assert_eq!(print(&parse("123##3")), "123##7");
    }

    #[test]
    fn fd_frame_without_flags_carries_data() {
        let f = parse("123##0112233");
        assert_eq!(f, Frame::new_fd(0x123, false, &[0x11, 0x22, 0x33], false, false).unwrap());
        assert_eq!(print(&f), "123##4112233");
    }

    #[test]
    fn fd_length_between_valid_lengths_is_padded_with_zeros() {
        let f = parse("123##1112233445566778899");
        assert_eq!(f.len(), 12);
        assert_eq!(&f.data()[..9], &[0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99]);
        assert_eq!(&f.data()[9..], &[0, 0, 0]);
        assert_eq!(print(&f), "123##5112233445566778899000000");
    }

    #[test]
    fn fd_frame_takes_64_bytes() {
        let text = format!("12345678##1{}", "AB".repeat(64));
        let f = parse(&text);
        assert!(f.is_fd() && f.is_extended() && f.brs());
        assert_eq!(f.data(), &[0xAB; 64]);
        assert_eq!(print(&f), format!("12345678##5{}", "AB".repeat(64)));
    }

    #[test]
    fn error_frame_id_gives_class_and_data_is_padded_to_eight_bytes() {
        let f = parse("20000080#0000000000000000");
        assert!(f.is_error());
        assert_eq!(f.id(), 0x80);
        assert_eq!(f, Frame::new_error(0x80, [0; 8]).unwrap());
        assert_eq!(print(&f), "20000080#0000000000000000");

        let short = parse("20000004#0004");
        assert_eq!(short, Frame::new_error(0x4, [0, 4, 0, 0, 0, 0, 0, 0]).unwrap());
        assert_eq!(print(&short), "20000004#0004000000000000");
        assert_eq!(parse("20000040#"), Frame::new_error(0x40, [0; 8]).unwrap());
    }

    #[test]
    fn largest_ids_parse() {
        assert_eq!(parse("7FF#").id(), 0x7FF);
        assert_eq!(parse("1FFFFFFF#").id(), 0x1FFFFFFF);
        assert_eq!(parse("3FFFFFFF#").id(), 0x1FFFFFFF);
        assert!(parse("3FFFFFFF#").is_error());
    }

    #[test]
    fn write_frame_gives_the_same_text_as_push_frame() {
        for text in ["123#DEADBEEF", "333#R8_E", "123##5AABB", "20000004#0004000000000000"] {
            let f = parse(text);
            let mut s = String::new();
            write_frame(&mut s, &f).unwrap();
            assert_eq!(s, text);
            assert_eq!(print(&f), text);
        }
    }

    #[test]
    fn push_frame_appends_to_existing_output() {
        let mut out = b"x ".to_vec();
        push_frame(&mut out, &parse("123#01"));
        assert_eq!(out, b"x 123#01");
    }

    // --- errors point at the offending character ---

    #[test]
    fn standard_id_over_7ff_is_rejected() {
        parse_err("800#11", 0, "over 0x7FF");
        parse_err("FFF#", 0, "00000FFF");
    }

    #[test]
    fn extended_id_with_flag_bits_other_than_error_is_rejected() {
        parse_err("40000123#", 0, "over 0x1FFFFFFF");
        parse_err("80000123#", 0, "over 0x1FFFFFFF");
    }

    #[test]
    fn identifier_of_wrong_length_is_rejected_at_the_hash() {
        parse_err("12#11", 2, "3 hex digits");
        parse_err("1234#11", 4, "3 hex digits");
        parse_err("1234567#11", 7, "found 7");
        parse_err("123456789#11", 8, "too long");
    }

    #[test]
    fn empty_input_and_empty_identifier_are_rejected() {
        parse_err("", 0, "empty frame");
        parse_err("#11", 0, "empty identifier");
        parse_err("G23#11", 0, "hex identifier");
    }

    #[test]
    fn identifier_without_hash_or_with_bad_digit_is_rejected() {
        parse_err("123", 3, "expected '#'");
        parse_err("12G#11", 2, "hex digit or '#'");
        parse_err("123 #11", 3, "hex digit or '#'");
    }

    #[test]
    fn odd_number_of_data_digits_is_rejected_at_the_lone_digit() {
        parse_err("123#ABC", 6, "two hex digits");
        parse_err("123##1ABC", 8, "two hex digits");
    }

    #[test]
    fn bad_hex_in_data_is_rejected_at_the_character() {
        parse_err("123#AG", 5, "second hex digit");
        parse_err("123#GA", 4, "hex digit");
        parse_err("123#11..22", 7, "hex digit");
        parse_err("123#ü1", 4, "hex digit");
    }

    #[test]
    fn trailing_junk_is_rejected() {
        parse_err("123#11 ", 6, "hex digit");
        parse_err("123#R3x", 6, "after the remote frame");
        parse_err("1F334455#1122334455667788_BB", 27, "after the raw DLC");
    }

    #[test]
    fn classic_data_over_eight_bytes_is_oversized() {
        parse_err("123#112233445566778899", 20, "oversized data");
        parse_err("123#11.22.33.44.55.66.77.88.99", 28, "oversized data");
        parse_err("20000080#000000000000000000", 25, "oversized data");
    }

    #[test]
    fn fd_data_over_64_bytes_is_oversized() {
        let text = format!("123##0{}", "00".repeat(65));
        parse_err(&text, 6 + 128, "at most 64");
    }

    #[test]
    fn raw_dlc_needs_eight_bytes_and_a_digit_9_to_f() {
        parse_err("123#11223344556677_9", 18, "exactly 8 data bytes");
        parse_err("123#1122334455667788_8", 21, "9-F");
        parse_err("123#1122334455667788_", 21, "9-F");
        parse_err("123#1122334455667788_G", 21, "9-F");
        parse_err("123#1122334455667788._9", 21, "hex digit");
        parse_err("123##01122334455667788_9", 22, "only for classic");
        parse_err("123#R7_9", 6, "remote length 8");
        parse_err("123#R8_1", 7, "9-F");
        parse_err("20000080#0000000000000000_9", 25, "error frame");
    }

    #[test]
    fn remote_length_over_eight_is_rejected() {
        parse_err("123#R9", 5, "0-8");
        parse_err("123#RF", 5, "0-8");
    }

    #[test]
    fn fd_flags_digit_is_mandatory() {
        parse_err("123##", 5, "flags digit");
        parse_err("123##G1", 5, "flags digit");
        parse_err("123##.11", 5, "flags digit");
    }

    #[test]
    fn error_frames_cannot_be_remote_or_fd() {
        parse_err("20000080#R", 9, "remote");
        parse_err("20000080##0", 9, "CAN FD");
    }

    #[test]
    fn parse_error_display_names_message_position_and_input() {
        let e = parse_frame("123#AG").unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a second hex digit (data bytes are two hex digits each) at character 6 of '123#AG'"
        );
    }

    // --- log lines ---

    fn log_line(f: &Frame, nanos: bool) -> String {
        let mut out = Vec::new();
        push_log_line(&mut out, f, nanos);
        String::from_utf8(out).expect("log line is UTF-8")
    }

    fn log_err(s: &str, pos: usize, word: &str) {
        match parse_log_line(s) {
            Ok(f) => panic!("{s:?} should not parse, got {f:?}"),
            Err(e) => {
                assert_eq!(e.pos, pos, "{s:?}: {e}");
                assert!(e.message.contains(word), "{s:?}: message {:?} lacks {word:?}", e.message);
            }
        }
    }

    #[test]
    fn log_line_is_printed_like_candump_l() {
        let f = data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF])
            .with_timestamp(Timestamp::from_parts(1700000000, 123_456_789))
            .with_channel(Channel::name("vcan0"))
            .with_direction(Direction::Tx);
        assert_eq!(log_line(&f, false), "(1700000000.123456) vcan0 123#DEADBEEF\n");
        assert_eq!(log_line(&f, true), "(1700000000.123456789) vcan0 123#DEADBEEF\n");
    }

    #[test]
    fn log_line_seconds_are_zero_padded_to_ten_digits() {
        let f = Frame::new_remote(0x12345678, true, 0)
            .unwrap()
            .with_timestamp(Timestamp::from_parts(12, 100_000))
            .with_channel(Channel::name("can1"));
        assert_eq!(log_line(&f, false), "(0000000012.000100) can1 12345678#R\n");
    }

    #[test]
    fn log_line_bus_number_n_prints_as_can_n_minus_1_and_none_as_vcan0() {
        let f = data(0x1, false, &[]);
        assert_eq!(log_line(&f.with_channel(Channel::number(3)), false), "(0000000000.000000) can2 001#\n");
        assert_eq!(log_line(&f, false), "(0000000000.000000) vcan0 001#\n");
    }

    #[test]
    fn log_line_negative_timestamp_prints_as_zero() {
        let f = data(0x1, false, &[]).with_timestamp(Timestamp(-1_500_000_000));
        assert_eq!(log_line(&f, true), "(0000000000.000000000) vcan0 001#\n");
    }

    #[test]
    fn log_line_channel_whitespace_is_replaced() {
        let f = data(0x1, false, &[]).with_channel(Channel::name("my bus"));
        assert_eq!(log_line(&f, false), "(0000000000.000000) my_bus 001#\n");
    }

    #[test]
    fn log_line_fd_frame_prints_fdf_nibble() {
        let f = Frame::new_fd(0x456, false, &(0..12).collect::<Vec<u8>>(), true, false)
            .unwrap()
            .with_timestamp(Timestamp::from_parts(1700000000, 500_000_000))
            .with_channel(Channel::name("can0"));
        assert_eq!(log_line(&f, false), "(1700000000.500000) can0 456##5000102030405060708090A0B\n");
    }

    #[test]
    fn spec_log_lines_parse() {
        let f = parse_log_line("(1436509052.249713) vcan0 123#DEADBEEF").unwrap();
        assert_eq!(f.timestamp, Timestamp::from_parts(1436509052, 249_713_000));
        assert_eq!(f.channel, Channel::name("vcan0"));
        assert_eq!(f.data(), &[0xDE, 0xAD, 0xBE, 0xEF]);
        assert_eq!(f.direction, Direction::Rx);

        let f = parse_log_line("(0000000012.000100) can1 12345678#R\n").unwrap();
        assert_eq!(f.timestamp, Timestamp::from_parts(12, 100_000));
        assert!(f.is_remote() && f.is_extended());

        let f = parse_log_line("(1700000000.500000) can0 456##5000102030405060708090A0B R").unwrap();
        assert!(f.is_fd() && f.brs() && !f.esi());
        assert_eq!(f.len(), 12);
        assert_eq!(f.direction, Direction::Rx);
    }

    #[test]
    fn log_line_direction_suffix_is_read_in_either_case() {
        let tx = parse_log_line("(1.000000) can0 123# T").unwrap();
        assert_eq!(tx.direction, Direction::Tx);
        assert_eq!(parse_log_line("(1.000000) can0 123# t\r\n").unwrap().direction, Direction::Tx);
        assert_eq!(parse_log_line("(1.000000) can0 123# r").unwrap().direction, Direction::Rx);
    }

    #[test]
    fn log_line_accepts_python_can_and_short_fractions_and_nanoseconds() {
        let f = parse_log_line("(12.000100) vcan0 123#11 R").unwrap();
        assert_eq!(f.timestamp, Timestamp::from_parts(12, 100_000));
        assert_eq!(
            parse_log_line("(1.5) can0 123#").unwrap().timestamp,
            Timestamp::from_parts(1, 500_000_000)
        );
        let ns = parse_log_line("(1700000000.123456789) can0 123#").unwrap();
        assert_eq!(ns.timestamp, Timestamp::from_parts(1700000000, 123_456_789));
    }

    #[test]
    fn log_line_fields_may_be_separated_by_whitespace_runs() {
        // candump right-aligns interface names to the longest one given.
        let f = parse_log_line("(1700000000.000001)  can0\t 123#01   T  \r\n").unwrap();
        assert_eq!(f.channel, Channel::name("can0"));
        assert_eq!(f.direction, Direction::Tx);
        assert_eq!(f.data(), &[1]);
    }

    #[test]
    fn log_line_frame_errors_point_into_the_line() {
        let e = parse_log_line("(1.000000) vcan0 123#AG\n").unwrap_err();
        assert_eq!(e.pos, 22);
        assert_eq!(e.input, "(1.000000) vcan0 123#AG");
    }

    #[test]
    fn malformed_log_lines_are_rejected_at_the_character() {
        log_err("DROPCOUNT: 3", 0, "'('");
        log_err("", 0, "'('");
        log_err("(x.1) can0 123#", 1, "seconds");
        log_err("(12) can0 123#", 3, "'.'");
        log_err("(12.) can0 123#", 4, "fraction");
        log_err("(12.1234567890) can0 123#", 13, "more than 9");
        log_err("(12.5 can0 123#", 5, "')'");
        log_err("(12.5)can0 123#", 6, "space");
        log_err("(12.5) ", 7, "interface");
        log_err("(12.5) can0", 11, "frame");
        log_err("(12.5) can0 ", 12, "frame");
        log_err("(12.5) can0 123# X", 17, "'T' or 'R'");
        log_err("(12.5) can0 123# Tx", 17, "'T' or 'R'");
        log_err("(12.5) can0 123# T junk", 19, "after the direction");
        log_err("(99999999999999999999.5) can0 123#", 1, "out of range");
    }

    // --- byte lists ---

    fn bytes(s: &str) -> Vec<u8> {
        match parse_data_bytes(s) {
            Ok((data, len)) => data[..len].to_vec(),
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn bytes_err(s: &str, pos: usize, word: &str) {
        match parse_data_bytes(s) {
            Ok((data, len)) => panic!("{s:?} should not parse, got {:?}", &data[..len]),
            Err(e) => {
                assert_eq!(e.pos, pos, "{s:?}: {e}");
                assert!(e.message.contains(word), "{s:?}: message {:?} lacks {word:?}", e.message);
            }
        }
    }

    #[test]
    fn byte_lists_in_every_human_spelling_parse() {
        assert_eq!(bytes("12 34 56"), [0x12, 0x34, 0x56]);
        assert_eq!(bytes("0x12,0xFF"), [0x12, 0xFF]);
        assert_eq!(bytes("12-34-56"), [0x12, 0x34, 0x56]);
        assert_eq!(bytes("123456"), [0x12, 0x34, 0x56]);
        assert_eq!(bytes("DE.AD.BE.EF"), [0xDE, 0xAD, 0xBE, 0xEF]);
        assert_eq!(bytes("de:ad"), [0xDE, 0xAD]);
        assert_eq!(bytes("0x1 0x2"), [1, 2]);
        assert_eq!(bytes("1 2 a"), [1, 2, 0xA]);
        assert_eq!(bytes(" 0X0a, 0b ;  1122 "), [0x0A, 0x0B, 0x11, 0x22]);
        assert_eq!(bytes(""), Vec::<u8>::new());
        assert_eq!(bytes(&"00".repeat(64)), vec![0; 64]);
    }

    #[test]
    fn malformed_byte_lists_are_rejected_at_the_character() {
        bytes_err("123", 0, "odd number");
        bytes_err("12 345", 3, "odd number");
        bytes_err("12 3G", 4, "hex digit or a separator");
        bytes_err("0x", 2, "after '0x'");
        bytes_err("0x123", 4, "at most 2");
        bytes_err("12/34", 2, "separator");
        bytes_err(&"00".repeat(65), 128, "at most 64");
        bytes_err(&"0 ".repeat(65), 128, "at most 64");
    }

    // --- the fast path of log lines against the general parser ---

    use proptest::prelude::*;

    fn log_line_pieces() -> impl Strategy<Value = String> {
        let secs = prop_oneof!["[0-9]{1,11}", Just("1700000000".to_string()), Just("9223372036".to_string())];
        let frac = "[0-9]{0,10}";
        let open = prop_oneof![4 => Just("("), 1 => Just(" ("), 1 => Just("[")];
        let close = prop_oneof![6 => Just(") "), 1 => Just(")  "), 1 => Just(")\t"), 1 => Just(")")];
        let channel = prop_oneof![
            4 => Just("can0".to_string()),
            1 => "[a-z0-9_.-]{0,6}",
            1 => Just("v\u{e9}".to_string()),
            1 => Just("a\u{1}b".to_string()),
        ];
        let sep = prop_oneof![6 => Just(" "), 1 => Just("  "), 1 => Just("\t")];
        let id = prop_oneof![
            "[0-9A-Fa-f]{3}",
            "[0-9A-Fa-f]{8}",
            Just("7FF".to_string()),
            Just("800".to_string()),
            Just("1FFFFFFF".to_string()),
            Just("20000080".to_string()),
            "[0-9A-Gx]{1,9}",
        ];
        let body = prop_oneof![
            4 => "([0-9A-Fa-f]{2}){0,8}",
            1 => "[0-9A-Fa-f.]{0,19}",
            1 => "#[0-9A-Fa-f]([0-9A-Fa-f]{2}){0,64}",
            1 => "#[0-9A-Fa-g]{0,9}",
            1 => "R[0-9]?",
            1 => "([0-9A-F]{2}){8}_[0-9A-F]",
        ];
        let tail = prop_oneof![6 => Just(""), 1 => Just(" T"), 1 => Just(" r"), 1 => Just(" X"), 1 => Just(" T "), 1 => Just(" "), 1 => Just(" Tx")];
        (open, secs, frac, close, channel, sep, id, body, tail).prop_map(
            |(open, secs, frac, close, channel, sep, id, body, tail)| {
                format!("{open}{secs}.{frac}{close}{channel}{sep}{id}#{body}{tail}")
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_log_lines_give_what_the_general_parser_gives(line in log_line_pieces()) {
            let general =
                parse_log_line_text(&line, LongStandardIds::Refuse).map(|(f, _)| f).map_err(|e| e.into_error(&line));
            if let Some((frame, channel)) = parse_log_line_fast(line.as_bytes()) {
                let channel = Channel::name(std::str::from_utf8(channel).unwrap());
                prop_assert_eq!(Ok(frame.with_channel(channel)), general.clone(), "{}", line);
            }
            prop_assert_eq!(parse_log_line(&line), general);
        }
    }

    #[test]
    fn long_three_digit_ids_are_refused_when_typed_and_mended_in_logs() {
        assert!(parse_frame("FFF#00").unwrap_err().to_string().contains("write 8 digits"));
        let (frame, mended) = parse_log_line_mending("(1.5) can0 FFF#00 T").unwrap();
        assert!(mended && frame.is_extended() && frame.id() == 0xFFF && frame.direction == Direction::Tx);
        let (frame, mended) = parse_log_line_mending("(1.5) can0 7FF#00").unwrap();
        assert!(!mended && !frame.is_extended());
        assert!(parse_log_line_mending("(1.5) can0 00000FFF#00").is_ok_and(|(_, mended)| !mended));
    }

    #[test]
    fn usual_log_lines_take_the_fast_path() {
        for line in [
            "(1700000000.000029) can0 1E574C5A#B85A4C57",
            "(1700000000.001071) vcan0 67D#",
            "(1.5) can1 123#1122334455667788 T",
            "(0000000012.000100000) can0 456##5000102030405060708090A0B r",
            "(1436509052.249713) vcan0 123#deadbeef",
        ] {
            let (frame, channel) = parse_log_line_fast(line.as_bytes()).expect(line);
            let frame = frame.with_channel(Channel::name(std::str::from_utf8(channel).unwrap()));
            let general = parse_log_line_text(line, LongStandardIds::Refuse).map(|(f, _)| f);
            assert_eq!(Ok(frame), general.map_err(|e| e.message), "{line}");
        }
        for line in ["(1.5) can0 123#R", "(1.5) can0 20000080#", "(1.5) can0 123#11.22", "(1.5)  can0 123#"] {
            assert!(parse_log_line_fast(line.as_bytes()).is_none(), "{line}");
        }
    }
}
