//! CSV logs (`.csv`): the reader tells the layout by the first line, python-can's (below), SavvyCAN's
//! (`Time Stamp,ID,Extended,…`, parsed in [`super::savvycan`]) or no header at all (python-can
//! rows); a header of any other layout is refused at once, naming the file and the header, rather
//! than read as frames guessed from the wrong columns.
//!
//! python-can's CSV log, in the exact layout of its `CSVWriter`: the header
//! `timestamp,arbitration_id,extended,remote,error,dlc,data`, then one row per frame with the time
//! in decimal seconds, the id as `0x…` lower-case hex, three `0`/`1` flags, the DLC and the data
//! in base64.
//!
//! That layout has no place for CAN FD, BRS, ESI, the channel or the direction, and python-can's
//! `CSVReader` tolerates neither extra columns (it unpacks `line.split(",")` into exactly seven
//! names) nor text after unpadded base64. What it does tolerate is any value other than `1` in a
//! flag column: it only asks `== "1"`. So cankit writes those properties as `;`-separated tags
//! after the `0` of a flag column that is false by construction: `error` for every frame that is
//! not an error frame, `remote` for error frames (which are never remote). Tags are `fd`, `brs`,
//! `esi`, `tx` and `ch=NAME` (`ch=2` for a numbered channel), for example
//! `1700000000.5,0x123,0,0,0;fd;brs;ch=1,12,AAECAwQFBgcICQoL`. python-can reads such a row exactly
//! as it reads its own rows of that frame; cankit reads the tags back from either column, and
//! reads python-can's files (no tags; FD frames recognised by more than 8 data bytes).
//!
//! Timestamps: python-can writes `repr(float)`. cankit writes the exact decimal of its nanosecond
//! timestamp with trailing zeros removed (at least `.0`), which is the same text for every time on
//! a microsecond grid below 2^32 s, and otherwise text that python-can's `float()` reads to the
//! same value while cankit keeps the nanoseconds. Reading takes decimals exactly and falls back
//! to floating point for exponent forms (`1e-05`).

use std::io::{BufRead, Write};

use super::text_io::{LineOutcome, LineParser, TextReader, TextSink};
use super::trc::{decimal_u32, hex_u32, scaled_decimal};
use super::{count, Counts, LogError, LogReader, LogWriter, Record};
use crate::digits::{append_line, Cursor};
use crate::digits::{decimal_before, decimal_leading, digit_run};
use crate::frame::{Channel, Direction, Frame, FrameKind, Timestamp, MAX_DATA, MAX_EXTENDED_ID};

/// The header line python-can writes and expects.
pub const HEADER: &str = "timestamp,arbitration_id,extended,remote,error,dlc,data";

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const BASE64_VALUE: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 64 {
        t[BASE64[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Base64 with `=` padding, as Python's `b64encode`. Hand-written, like [`base64_decode`]: for
/// the at most 64 bytes of a row the `base64` crate's setup costs more than the work (12-14% more
/// instructions per row read or written, measured), and python-can's CSV is a hot path.
fn push_base64(b: &mut Cursor<'_>, data: &[u8]) {
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let v = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        b.extend(&[
            BASE64[(v >> 18) as usize & 63],
            BASE64[(v >> 12) as usize & 63],
            BASE64[(v >> 6) as usize & 63],
            BASE64[v as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let v = (a as u32) << 16;
            b.extend(&[BASE64[(v >> 18) as usize & 63], BASE64[(v >> 12) as usize & 63], b'=', b'=']);
        }
        [a, c] => {
            let v = (a as u32) << 16 | (c as u32) << 8;
            b.extend(&[
                BASE64[(v >> 18) as usize & 63],
                BASE64[(v >> 12) as usize & 63],
                BASE64[(v >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

/// Base64 (padding optional) into `out`; the byte count.
fn base64_decode(text: &[u8], out: &mut [u8; MAX_DATA]) -> Result<usize, String> {
    let end = text.iter().position(|&c| c == b'=').unwrap_or(text.len());
    if text[end..].iter().any(|&c| c != b'=') || text.len() - end > 2 {
        return Err("base64 data has text after its padding".into());
    }
    let body = &text[..end];
    if body.len() % 4 == 1 {
        return Err("base64 data is cut short".into());
    }
    let bytes = body.len() * 3 / 4;
    if bytes > MAX_DATA {
        return Err(format!("{bytes} data bytes do not fit in a CAN frame (max {MAX_DATA})"));
    }
    let mut n = 0;
    let mut groups = body.chunks_exact(4);
    for group in groups.by_ref() {
        let mut v = 0u32;
        for &c in group {
            let d = BASE64_VALUE[c as usize];
            if d == 0xFF {
                return Err(format!("'{}' is not a base64 character", c.escape_ascii()));
            }
            v = v << 6 | d as u32;
        }
        // Whole groups never pass the byte count checked above.
        out[n] = (v >> 16) as u8;
        out[n + 1] = (v >> 8) as u8;
        out[n + 2] = v as u8;
        n += 3;
    }
    let tail = groups.remainder();
    if !tail.is_empty() {
        let mut v = 0u32;
        for &c in tail {
            let d = BASE64_VALUE[c as usize];
            if d == 0xFF {
                return Err(format!("'{}' is not a base64 character", c.escape_ascii()));
            }
            v = v << 6 | d as u32;
        }
        v <<= 6 * (4 - tail.len() as u32);
        out[n] = (v >> 16) as u8;
        n += 1;
        if tail.len() == 3 {
            out[n] = (v >> 8) as u8;
            n += 1;
        }
    }
    Ok(n)
}

/// Seconds with up to 9 decimals as nanoseconds; exponent forms through floating point.
fn parse_seconds(field: &[u8]) -> Option<i64> {
    parse_seconds_fast(field).or_else(|| parse_seconds_slow(field))
}

/// The common case, `1700000000.123456`, eight digits at a time; `None` for anything else.
fn parse_seconds_fast(field: &[u8]) -> Option<i64> {
    let dot = digit_run(field, 0);
    let frac_len = field.len().checked_sub(dot + 1)?;
    if field[dot] != b'.' || !(1..=16).contains(&dot) || !(1..=9).contains(&frac_len) {
        return None;
    }
    let secs = if dot > 8 {
        decimal_before(field, dot - 8, dot - 8)? * 100_000_000 + decimal_before(field, dot, 8)?
    } else {
        decimal_before(field, dot, dot)?
    };
    let head = frac_len.min(8);
    let mut nanos = decimal_leading(field, dot + 1, head)? * 10;
    if frac_len == 9 {
        nanos += (field[dot + 9] as char).to_digit(10)? as u64;
    }
    i64::try_from(secs).ok()?.checked_mul(1_000_000_000)?.checked_add(nanos as i64)
}

fn parse_seconds_slow(field: &[u8]) -> Option<i64> {
    let field = field.trim_ascii();
    if let Some(ns) = scaled_decimal(field, 9) {
        return Some(ns);
    }
    if field.len() > 40 {
        return None;
    }
    let value: f64 = std::str::from_utf8(field).ok()?.parse().ok()?;
    (value.is_finite() && value.abs() < 9.2e9).then(|| Timestamp::from_secs_f64(value).0)
}

/// Decimal seconds with trailing zeros removed, at least one decimal (`1700000000.5`, `3.0`).
fn push_seconds(b: &mut Cursor<'_>, ns: i64) {
    if ns < 0 {
        b.push(b'-');
    }
    let magnitude = ns.unsigned_abs();
    b.decimal(magnitude / 1_000_000_000);
    b.push(b'.');
    b.decimal_fixed(magnitude % 1_000_000_000, 9);
    // Nine digits of fraction less their trailing zeros, but at least one.
    let zeros = b.written().iter().rev().take(8).take_while(|&&c| c == b'0').count();
    b.unwrite(zeros);
}

/// What the tags of a row say.
#[derive(Default)]
struct Tags {
    fd: bool,
    brs: bool,
    esi: bool,
    tx: bool,
    channel: Channel,
}

/// A python-can flag column: true only for `1` (as python-can reads it), tags after `;`.
fn flag(field: &[u8], tags: &mut Tags) -> bool {
    if field.len() == 1 {
        return field[0] == b'1';
    }
    let (value, mut rest) = match memchr::memchr(b';', field) {
        Some(i) => (&field[..i], &field[i + 1..]),
        None => (field, &b""[..]),
    };
    while !rest.is_empty() {
        let (tag, after) = match memchr::memchr(b';', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &b""[..]),
        };
        rest = after;
        match tag.trim_ascii() {
            b"fd" => tags.fd = true,
            b"brs" => tags.brs = true,
            b"esi" => tags.esi = true,
            b"tx" => tags.tx = true,
            b"rx" => tags.tx = false,
            tag => {
                if let Some(name) = tag.strip_prefix(b"ch=") {
                    tags.channel = match decimal_u32(name) {
                        Some(n) => Channel::number(n),
                        None => std::str::from_utf8(name).map(Channel::name).unwrap_or(Channel::NONE),
                    };
                }
                // Unknown tags are left for newer writers.
            }
        }
    }
    value.trim_ascii() == b"1"
}

/// The first seven comma-separated fields of a row (columns after `data`, from other writers,
/// are ignored); `Err(n)` when the row has only `n`.
fn split_row(line: &[u8]) -> Result<[&[u8]; 7], usize> {
    // Where each field ends: the first seven commas, or the end of the line for the last field.
    let mut ends = [line.len(); 7];
    let mut found = 0;
    let mut words = line.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let mut commas = zero_bytes(word ^ 0x2C2C_2C2C_2C2C_2C2C);
        while commas != 0 && found < 7 {
            ends[found] = at + (commas.trailing_zeros() / 8) as usize;
            found += 1;
            commas &= commas - 1;
        }
        if found == 7 {
            break;
        }
        at += 8;
    }
    if found < 7 {
        for (i, &c) in words.remainder().iter().enumerate() {
            if c == b',' && found < 7 {
                ends[found] = at + i;
                found += 1;
            }
        }
    }
    if found < 6 {
        return Err(found + 1);
    }
    let mut fields: [&[u8]; 7] = [b""; 7];
    let mut start = 0;
    for (field, &end) in fields.iter_mut().zip(&ends) {
        *field = &line[start..end];
        start = end + 1;
    }
    Ok(fields)
}

/// The high bit of every zero byte of `word`, exactly (no false hits after a zero byte).
fn zero_bytes(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// A python-can row as a frame; the second value says the frame was kept as 29-bit although the
/// row marks it 11-bit.
fn parse_row(line: &[u8]) -> Result<(Frame, Option<&'static str>), String> {
    let [time, id, extended, remote, error, dlc, data] =
        split_row(line).map_err(|n| format!("expected 7 comma-separated fields ({HEADER}), found {n}"))?;
    let timestamp =
        parse_seconds(time).ok_or_else(|| format!("'{}' is not a time in seconds", time.escape_ascii()))?;
    let id_text = id.trim_ascii();
    let id_digits = id_text.strip_prefix(b"0x").or_else(|| id_text.strip_prefix(b"0X")).unwrap_or(id_text);
    let id = hex_u32(id_digits).ok_or_else(|| format!("'{}' is not a hex CAN id", id_text.escape_ascii()))?;
    let mut tags = Tags::default();
    let extended = flag(extended, &mut tags);
    let remote = flag(remote, &mut tags);
    let error = flag(error, &mut tags);
    // An error frame's id is its class; any other id above 0x7FF is a 29-bit id.
    let (extended, repair) = if error { (extended, None) } else { super::mend_extended(id, extended) };
    let dlc_text = dlc.trim_ascii();
    let dlc = decimal_u32(dlc_text)
        .filter(|&d| d <= MAX_DATA as u32)
        .ok_or_else(|| format!("'{}' is not a data length (0-64)", dlc_text.escape_ascii()))?;
    let mut bytes = [0u8; MAX_DATA];
    let len = base64_decode(data.trim_ascii(), &mut bytes)?;
    let data = &bytes[..len];
    let frame = if error {
        if id > MAX_EXTENDED_ID {
            return Err(format!("error class 0x{id:x} does not fit in 29 bits"));
        }
        if len > 8 {
            return Err(format!("an error frame has 8 data bytes, this one {len}"));
        }
        let mut detail = [0u8; 8];
        detail[..len].copy_from_slice(data);
        Frame::new_error(id, detail)
    } else if remote {
        if dlc > 15 {
            return Err(format!("remote frame length {dlc} is out of range (0-15)"));
        }
        Frame::new_remote(id, extended, dlc.min(8) as u8).map(|f| f.with_len8_dlc(dlc as u8))
    } else if tags.fd || len > 8 {
        Frame::new_fd_padded(id, extended, data, tags.brs, tags.esi)
    } else {
        Frame::new_data(id, extended, data).map(|f| f.with_len8_dlc(dlc as u8))
    }
    .map_err(|e| e.to_string())?;
    let direction = if tags.tx { Direction::Tx } else { Direction::Rx };
    let frame =
        frame.with_timestamp(Timestamp(timestamp)).with_channel(tags.channel).with_direction(direction);
    Ok((frame, repair))
}

/// Streaming CSV reader, byte-level parsing, for python-can's layout and SavvyCAN's (told apart
/// by the header, see the module documentation). By default lines are parsed in blocks by helper
/// threads while the caller takes the records (see [`CsvReader::sequential`] for one thread).
///
/// Not the `csv` crate: python-can's rows have no quoting to undo, and its byte-at-a-time field
/// splitter alone took more instructions than all of this reader's line finding and splitting
/// (reading the bench's 1M rows took 31% more instructions with its `ByteRecord` reader, and
/// writing them 139% more with its `Writer`; measured).
pub struct CsvReader {
    text: TextReader<CsvLines>,
    /// A first line that is no header cankit knows: reported as the only item.
    rejected: Option<LogError>,
}

impl CsvReader {
    /// Parses ahead on one helper thread per core once the input is longer than two blocks.
    pub fn new(input: Box<dyn BufRead + Send>, name: &str) -> CsvReader {
        CsvReader::build(input, name, |input, lines| TextReader::new(input, name, lines))
    }

    /// [`CsvReader::new`], failing at once (naming the file and the header found) when the first
    /// line is a header of no layout cankit knows.
    pub fn open(input: Box<dyn BufRead + Send>, name: &str) -> Result<CsvReader, LogError> {
        let mut reader = CsvReader::new(input, name);
        match reader.rejected.take() {
            Some(e) => Err(e),
            None => Ok(reader),
        }
    }

    /// Reads line by line on the calling thread: no helper threads, no read-ahead.
    pub fn sequential(input: Box<dyn BufRead + Send>, name: &str) -> CsvReader {
        CsvReader::build(input, name, |input, lines| TextReader::sequential(input, name, lines))
    }

    /// Parses blocks of lines on `workers` helper threads (0: on the calling thread).
    pub fn with_threads(input: Box<dyn BufRead + Send>, name: &str, workers: usize) -> CsvReader {
        CsvReader::build(input, name, |input, lines| TextReader::with_threads(input, name, lines, workers))
    }

    fn build(
        input: Box<dyn BufRead + Send>,
        name: &str,
        text: impl FnOnce(Box<dyn BufRead + Send>, CsvLines) -> TextReader<CsvLines>,
    ) -> CsvReader {
        let (input, first) = first_line(input);
        match Layout::of_first_line(&first) {
            Some(layout) => CsvReader { text: text(input, CsvLines { layout }), rejected: None },
            None => {
                let header = String::from_utf8_lossy(first.trim_ascii()).into_owned();
                let rejected = LogError::Invalid {
                    path: name.to_string(),
                    message: format!(
                        "line 1: the header '{header}' matches no CSV layout cankit reads \
                         (python-can's '{HEADER}', SavvyCAN's '{}')",
                        super::savvycan::HEADER
                    ),
                };
                let empty: Box<dyn BufRead + Send> = Box::new(std::io::empty());
                CsvReader {
                    text: text(empty, CsvLines { layout: Layout::PythonCan }),
                    rejected: Some(rejected),
                }
            }
        }
    }
}

/// The first line of `input` (without its line break), and an input that still yields it. Most
/// inputs hold the whole line in their buffer already; otherwise it is read (at most
/// [`super::text_io::MAX_LINE`] bytes) and put back in front. A read error here leaves the
/// input as it is, to fail again, and be reported, on the first read.
fn first_line(mut input: Box<dyn BufRead + Send>) -> (Box<dyn BufRead + Send>, Vec<u8>) {
    match input.fill_buf() {
        Ok([]) => return (input, Vec::new()),
        Ok(buffered) => {
            if let Some(end) = memchr::memchr(b'\n', buffered) {
                let line = buffered[..end].to_vec();
                return (input, line);
            }
        }
        Err(_) => return (input, Vec::new()),
    }
    let mut line = Vec::new();
    // What a failing read did take is put back too; the error comes again on the next read.
    let _ = std::io::Read::take(&mut input, super::text_io::MAX_LINE as u64).read_until(b'\n', &mut line);
    let head = std::io::Cursor::new(line.clone());
    let rest: Box<dyn BufRead + Send> = Box::new(std::io::BufReader::new(std::io::Read::chain(head, input)));
    let end = memchr::memchr(b'\n', &line).unwrap_or(line.len());
    line.truncate(end);
    (rest, line)
}

/// The CSV layouts cankit reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// python-can's `timestamp,arbitration_id,extended,remote,error,dlc,data` (with cankit's tags).
    PythonCan,
    /// SavvyCAN's `Time Stamp,ID,Extended,[Dir,]Bus,LEN,D1,…`.
    SavvyCan(super::savvycan::Columns),
}

impl Layout {
    /// The layout a file's first line announces: python-can's header, SavvyCAN's, or no header
    /// at all (a first line that is not text: python-can rows, as python-can's own files
    /// appended to by other tools look); `None` for a header of any other layout, which must
    /// not be read as if its columns were python-can's.
    fn of_first_line(line: &[u8]) -> Option<Layout> {
        let line = without_bom(line).trim_ascii();
        if line.is_empty() || !line[0].is_ascii_alphabetic() {
            return Some(Layout::PythonCan);
        }
        let mut names = line.split(|&c| c == b',').map(<[u8]>::trim_ascii);
        let python_can = HEADER
            .split(',')
            .all(|want| names.next().is_some_and(|n| n.eq_ignore_ascii_case(want.as_bytes())))
            && names.next().is_none();
        if python_can {
            return Some(Layout::PythonCan);
        }
        super::savvycan::Columns::from_header(line).map(Layout::SavvyCan)
    }
}

/// The line without the UTF-8 byte order mark that spreadsheet programs put in front.
fn without_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

/// One CSV row at a time, in the layout of the file's header.
#[derive(Clone, Copy)]
pub(crate) struct CsvLines {
    layout: Layout,
}

impl LineParser for CsvLines {
    fn parse_line(&mut self, line: &[u8], line_no: u64) -> LineOutcome {
        let line = if line_no == 1 { without_bom(line) } else { line }.trim_ascii();
        // The header; a file without one keeps its first frame here.
        if line.is_empty() || (line_no == 1 && line[0].is_ascii_alphabetic()) {
            return LineOutcome::Nothing;
        }
        let parsed = match &self.layout {
            Layout::PythonCan => parse_row(line),
            Layout::SavvyCan(columns) => super::savvycan::parse_row(line, columns),
        };
        match parsed {
            Ok((frame, None)) => LineOutcome::Record(Record::Frame(frame)),
            Ok((frame, Some(reason))) => LineOutcome::Repaired(Record::Frame(frame), reason),
            Err(message) => LineOutcome::Malformed(message),
        }
    }
}

impl Iterator for CsvReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(rejected) = self.rejected.take() {
            return Some(Err(rejected));
        }
        self.text.next_record()
    }
}

impl LogReader for CsvReader {
    fn skipped(&self) -> &Counts {
        self.text.skipped()
    }

    fn repaired(&self) -> &Counts {
        self.text.repaired()
    }
}

/// CSV writer in python-can's layout (see the module documentation for the tags).
pub struct CsvWriter {
    sink: TextSink,
    losses: Counts,
    /// Rows in SavvyCAN's layout instead of python-can's.
    savvycan: bool,
}

impl CsvWriter {
    /// The header goes out with the first flush, so even an empty log is a valid python-can CSV.
    pub fn new(out: Box<dyn Write + Send>, name: &str) -> CsvWriter {
        CsvWriter {
            sink: TextSink::with_header(out, name, Some(HEADER)),
            losses: Counts::new(),
            savvycan: false,
        }
    }

    /// A CSV in SavvyCAN's layout ([`super::savvycan`]), header first.
    pub fn savvycan(out: Box<dyn Write + Send>, name: &str) -> CsvWriter {
        let sink = TextSink::with_header(out, name, Some(super::savvycan::HEADER));
        CsvWriter { sink, losses: Counts::new(), savvycan: true }
    }

    /// SavvyCAN rows added to the end of an existing log: no second header.
    pub fn savvycan_appending(out: Box<dyn Write + Send>, name: &str) -> CsvWriter {
        CsvWriter { sink: TextSink::with_header(out, name, None), losses: Counts::new(), savvycan: true }
    }

    /// Rows added to the end of an existing log: no second header (python-can's reader takes
    /// the first line of a file as the header, so a header in the middle would be a bad row).
    pub fn appending(out: Box<dyn Write + Send>, name: &str) -> CsvWriter {
        CsvWriter { sink: TextSink::with_header(out, name, None), losses: Counts::new(), savvycan: false }
    }

    fn push_row(&mut self, f: &Frame) {
        let name = f.channel.as_name();
        let name_ok = name.is_none_or(|n| !n.bytes().any(|c| matches!(c, b',' | b';' | b'\r' | b'\n')));
        if !name_ok {
            count(&mut self.losses, "channel names containing ',', ';' or line breaks (not written)");
        }
        append_line(self.sink.buf_mut(), ROW_MAX, |b| {
            push_seconds(b, f.timestamp.0);
            b.extend(b",0x");
            b.hex_min_lower(f.id());
            b.extend(if f.is_extended() { b",1," } else { b",0," });
            b.push(if f.is_remote() { b'1' } else { b'0' });
            if f.is_error() {
                push_tags(b, f, name_ok);
                b.extend(b",1");
            } else {
                b.extend(b",0");
                push_tags(b, f, name_ok);
            }
            b.push(b',');
            // python-can's dlc is the byte count for CAN FD; classic frames keep a raw DLC 9-15.
            let dlc = match f.kind() {
                FrameKind::Fd | FrameKind::Error => f.len() as u8,
                FrameKind::Data | FrameKind::Remote => f.dlc(),
            };
            b.decimal(dlc as u64);
            b.push(b',');
            push_base64(b, f.data());
            b.push(b'\n');
        });
    }
}

/// Longest row: 21 bytes of seconds, `,0x` and 8 hex digits, two flags with their commas, the
/// tags (`;fd;brs;esi;tx;ch=` and a channel name of at most 30 bytes), the error flag, the DLC,
/// 88 bytes of base64 for 64 data bytes, commas and the line break; with room to spare.
const ROW_MAX: usize = 256;

/// The tags after a flag column (see the module documentation); the channel's name only when it
/// can be written (`name_ok`).
fn push_tags(b: &mut Cursor<'_>, f: &Frame, name_ok: bool) {
    if f.is_fd() {
        b.extend(b";fd");
        if f.brs() {
            b.extend(b";brs");
        }
        if f.esi() {
            b.extend(b";esi");
        }
    }
    if f.direction == Direction::Tx {
        b.extend(b";tx");
    }
    if let Some(n) = f.channel.as_number() {
        b.extend(b";ch=");
        b.decimal(n as u64);
    } else if let Some(name) = f.channel.as_name().filter(|_| name_ok) {
        b.extend(b";ch=");
        b.extend(name.as_bytes());
    }
}

impl LogWriter for CsvWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        match record {
            Record::Frame(f) if self.savvycan => {
                super::savvycan::push_row(self.sink.buf_mut(), &mut self.losses, f)
            }
            Record::Frame(f) => self.push_row(f),
            Record::Event(e) => {
                let format = if self.savvycan { "SavvyCAN CSV holds" } else { "python-can CSV holds" };
                crate::log::count_unkept_event(&mut self.losses, &e.kind, format);
            }
        }
        self.sink.drain_if_full()
    }

    fn flush(&mut self) -> Result<(), LogError> {
        self.sink.flush()
    }

    fn finish(&mut self) -> Result<(), LogError> {
        self.sink.finish()
    }

    fn losses(&self) -> &Counts {
        &self.losses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_frame::{CAN_ERR_BUSOFF, CAN_ERR_CRTL};
    use crate::log::{Event, EventKind};
    use std::io::Cursor;

    fn read_all(text: &str) -> (Vec<Result<Record, LogError>>, Counts) {
        let mut r = CsvReader::new(Box::new(Cursor::new(text.as_bytes().to_vec())), "t.csv");
        let items: Vec<_> = r.by_ref().collect();
        (items, r.skipped().clone())
    }

    fn frames(text: &str) -> Vec<Frame> {
        read_all(text)
            .0
            .into_iter()
            .map(|r| match r.unwrap() {
                Record::Frame(f) => f,
                e => panic!("{e:?}"),
            })
            .collect()
    }

    fn write_all(records: &[Record]) -> (String, Counts) {
        let path = tempfile::NamedTempFile::new().unwrap();
        let mut w = CsvWriter::new(Box::new(std::fs::File::create(path.path()).unwrap()), "out.csv");
        for r in records {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
        let losses = w.losses().clone();
        drop(w);
        (std::fs::read_to_string(path.path()).unwrap(), losses)
    }

    #[test]
    fn base64_matches_python_for_every_length() {
        // Expected values from Python's base64.b64encode(bytes(range(n))).
        let expected = ["", "AA==", "AAE=", "AAEC", "AAECAw==", "AAECAwQ="];
        for (n, want) in expected.iter().enumerate() {
            let data: Vec<u8> = (0..n as u8).collect();
            let mut b = Vec::new();
            append_line(&mut b, 16, |b| push_base64(b, &data));
            assert_eq!(std::str::from_utf8(&b).unwrap(), *want);
            let mut out = [0u8; MAX_DATA];
            assert_eq!(base64_decode(want.as_bytes(), &mut out).unwrap(), n);
            assert_eq!(&out[..n], &data[..]);
            let unpadded = want.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded.as_bytes(), &mut out).unwrap(), n);
        }
        let mut out = [0u8; MAX_DATA];
        let error = |text: &[u8]| base64_decode(text, &mut [0u8; MAX_DATA]).unwrap_err();
        assert_eq!(error(b"AA=A"), "base64 data has text after its padding");
        assert_eq!(error(b"AA==="), "base64 data has text after its padding");
        assert_eq!(error(b"A"), "base64 data is cut short");
        assert_eq!(error(b"A*=="), "'*' is not a base64 character");
        assert_eq!(error(b"AA\nA"), "'\\n' is not a base64 character");
        assert_eq!(error(&[b'A'; 100]), "75 data bytes do not fit in a CAN frame (max 64)");
        // 64 bytes, the most a frame holds, padded and not; bits past the last byte are ignored
        // as Python's b64decode ignores them.
        let full = [b"CAgI".repeat(21), b"CA==".to_vec()].concat();
        assert_eq!(base64_decode(&full, &mut out), Ok(64));
        assert_eq!(base64_decode(&full[..86], &mut out), Ok(64));
        assert_eq!(out, [8u8; 64]);
        assert_eq!(base64_decode(b"AB==", &mut out), Ok(1));
        assert_eq!(out[0], 0);
    }

    #[test]
    fn seconds_are_written_like_python_repr_of_the_float() {
        let text = |ns: i64| {
            let mut b = Vec::new();
            append_line(&mut b, 32, |b| push_seconds(b, ns));
            String::from_utf8(b).unwrap()
        };
        assert_eq!(text(1_700_000_000_123_456_000), "1700000000.123456");
        assert_eq!(text(1_700_000_000_000_000_000), "1700000000.0");
        assert_eq!(text(500_000_000), "0.5");
        assert_eq!(text(-500_000_000), "-0.5");
        assert_eq!(text(1_000_000_001), "1.000000001");
        assert_eq!(text(1_000_000_010), "1.00000001");
        assert_eq!(text(i64::MIN), "-9223372036.854775808");
        assert_eq!(text(-1), "-0.000000001");
        assert_eq!(parse_seconds(b"1700000000.123456"), Some(1_700_000_000_123_456_000));
        assert_eq!(parse_seconds(b"1e-05"), Some(10_000));
        assert_eq!(parse_seconds(b"1.5E+3"), Some(1_500_000_000_000));
        assert_eq!(parse_seconds(b"nan"), None);
        assert_eq!(parse_seconds(b"12.5x"), None);
        assert_eq!(parse_seconds(b"1234567890.123456789"), Some(1_234_567_890_123_456_789));
        assert_eq!(parse_seconds(b"99999999999.5"), None);
        assert_eq!(parse_seconds(b"-1.25"), Some(-1_250_000_000));
        assert_eq!(parse_seconds(b"9223372036.999999999"), None);
        assert_eq!(parse_seconds(b"12.1234567891"), Some(12_123_456_789));
        assert_eq!(parse_seconds(b"7.25"), Some(7_250_000_000));
        assert_eq!(parse_seconds(b"inf"), None);
    }

    #[test]
    fn python_can_rows_read_with_and_without_header() {
        let rows = "1483389946.197,0xdadada,1,0,0,6,WzQyLCA5XQ==\n\
                    1483389946.5,0x123,0,1,0,3,\n\
                    1483389947.0,0x6,1,0,1,8,AAAAAAAAAAA=\r\n\
                    1483389948.25,0x7ff,0,0,0,12,AAECAwQFBgcICQoL\n";
        let with_header = format!("{HEADER}\n{rows}");
        for text in [with_header.as_str(), rows] {
            let f = frames(text);
            assert_eq!(f.len(), 4);
            assert_eq!(f[0].timestamp, Timestamp(1_483_389_946_197_000_000));
            assert_eq!((f[0].id(), f[0].is_extended()), (0xdadada, true));
            assert_eq!(f[0].data(), b"[42, 9]");
            assert!(f[1].is_remote() && f[1].len() == 3 && !f[1].is_extended());
            assert!(f[2].is_error() && f[2].id() == CAN_ERR_CRTL | 2);
            assert!(f[3].is_fd() && f[3].len() == 12 && !f[3].brs(), "more than 8 bytes is CAN FD");
            assert!(f.iter().all(|f| f.channel.is_none() && f.direction == Direction::Rx));
        }
    }

    #[test]
    fn the_header_picks_the_layout_and_an_unknown_one_is_refused() {
        let open = |text: &str| CsvReader::open(Box::new(Cursor::new(text.as_bytes().to_vec())), "t.csv");
        // python-can's header in any case and spacing, a BOM, or no header at all.
        for text in [
            format!("{HEADER}\n1.0,0x1,0,0,0,0,\n"),
            "\u{FEFF}Timestamp, Arbitration_ID,extended,remote,error,dlc,data\r\n1.0,0x1,0,0,0,0,\r\n"
                .to_string(),
            "1.0,0x1,0,0,0,0,\n".to_string(),
        ] {
            let frames: Vec<_> = open(&text).unwrap().map(|r| r.unwrap()).collect();
            assert_eq!(frames.len(), 1, "{text:?}");
        }
        let savvy = "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n1,00000001,false,Rx,0,0,\n";
        assert_eq!(open(savvy).unwrap().count(), 1);
        // A header of another tool: refused at once, naming the file and the header.
        let e = open("Time,Id,Bytes\n1,1,00\n").err().unwrap();
        assert!(
            e.to_string().starts_with("t.csv: line 1: the header 'Time,Id,Bytes' matches no CSV layout"),
            "{e}"
        );
        assert!(!e.is_recoverable());
        // Without open: the same error as the only item.
        let (items, _) = read_all("Time,Id,Bytes\n1,1,00\n");
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().is_err_and(|e| !e.is_recoverable()));
        // A first line longer than the input's buffer is read whole.
        let long_header = format!("{HEADER}{}\n1.0,0x1,0,0,0,0,\n", " ".repeat(100));
        let input = std::io::BufReader::with_capacity(16, Cursor::new(long_header.into_bytes()));
        let frames: Vec<_> = CsvReader::open(Box::new(input), "t.csv").unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(frames.len(), 1);
    }

    #[test]
    fn ids_above_7ff_marked_11_bit_are_kept_as_29_bit_and_counted() {
        let mut r = CsvReader::new(
            Box::new(Cursor::new(format!("{HEADER}\n1.0,0x800,0,0,0,0,\n2.0,0x7ff,0,0,0,0,\n").into_bytes())),
            "t.csv",
        );
        let f: Vec<Frame> = r
            .by_ref()
            .map(|i| match i.unwrap() {
                Record::Frame(f) => f,
                e => panic!("{e:?}"),
            })
            .collect();
        assert!(f[0].is_extended() && f[0].id() == 0x800 && !f[1].is_extended());
        assert_eq!(r.repaired().get(super::super::REPAIR_LONG_STANDARD_ID), Some(&1));
    }

    #[test]
    fn malformed_rows_name_file_and_line_and_reading_goes_on() {
        let (items, _) = read_all(&format!(
            "{HEADER}\n1.0,0x1,0,0,0,0,\n1.0,0x1,0,0\nx,0x1,0,0,0,0,\n1.0,0xZ,0,0,0,0,\n\
             1.0,0x20000000,0,0,0,0,\n1.0,0x1,0,0,0,1,A*==\n2.0,0x2,0,0,0,0,\n"
        ));
        assert_eq!(items.len(), 7);
        assert!(items[0].is_ok() && items[6].is_ok());
        for (i, item) in items[1..6].iter().enumerate() {
            let e = item.as_ref().unwrap_err();
            assert!(e.is_recoverable());
            assert!(e.to_string().starts_with(&format!("t.csv:line {}: ", i + 3)), "{e}");
        }
    }

    fn every_kind() -> Vec<Frame> {
        let t = |us: i64| Timestamp(1_700_000_000_123_456_000 + us * 1000);
        let mut err = [0u8; 8];
        err[1] = 4;
        vec![
            Frame::new_data(0x123, false, &[0xDE, 0xAD]).unwrap().with_timestamp(t(0)),
            Frame::new_data(0x1ABCDEF0, true, &[1, 2, 3, 4, 5, 6, 7, 8])
                .unwrap()
                .with_timestamp(t(1))
                .with_direction(Direction::Tx)
                .with_channel(Channel::number(2)),
            Frame::new_data(0, false, &[]).unwrap().with_channel(Channel::name("vcan0")),
            Frame::new_data(0x5, true, &[9; 8]).unwrap().with_len8_dlc(15).with_timestamp(Timestamp(-5)),
            Frame::new_remote(0x100, false, 3).unwrap().with_timestamp(t(1_000_000)),
            Frame::new_remote(0x100, true, 8).unwrap().with_len8_dlc(9).with_direction(Direction::Tx),
            Frame::new_error(CAN_ERR_CRTL | CAN_ERR_BUSOFF, err)
                .unwrap()
                .with_channel(Channel::number(1))
                .with_direction(Direction::Tx),
            Frame::new_fd(0x10, false, &[7; 12], false, false).unwrap().with_timestamp(t(2_000_000)),
            Frame::new_fd(0x11, true, &[8; 64], true, false).unwrap().with_channel(Channel::name("can1")),
            Frame::new_fd(0x12, false, &[1, 2], false, true).unwrap(),
            Frame::new_fd(0x13, false, &[], true, true).unwrap().with_direction(Direction::Tx),
        ]
    }

    #[test]
    fn writer_round_trips_every_frame_kind_with_tags_python_can_ignores() {
        let records: Vec<Record> = every_kind().into_iter().map(Record::Frame).collect();
        let (text, losses) = write_all(&records);
        assert!(losses.is_empty(), "{losses:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(lines[1], "1700000000.123456,0x123,0,0,0,2,3q0=");
        assert_eq!(lines[2], "1700000000.123457,0x1abcdef0,1,0,0;tx;ch=2,8,AQIDBAUGBwg=");
        assert_eq!(lines[7], "0.0,0x44,1,0;tx;ch=1,1,8,AAQAAAAAAAA=");
        assert_eq!(lines[9], "0.0,0x11,1,0,0;fd;brs;ch=can1,64,".to_string() + &"CAgI".repeat(21) + "CA==");
        for line in &lines[1..] {
            // python-can unpacks exactly seven fields.
            assert_eq!(line.split(',').count(), 7, "{line}");
        }
        assert_eq!(frames(&text), every_kind());
    }

    #[test]
    fn writer_counts_events_and_unwritable_channel_names() {
        let e = Record::Event(Event {
            timestamp: Timestamp(0),
            channel: Channel::NONE,
            kind: EventKind::Marker("m".into()),
        });
        let f = Frame::new_data(1, false, &[]).unwrap().with_channel(Channel::name("a,b"));
        let (text, losses) = write_all(&[e, Record::Frame(f)]);
        assert_eq!(losses.values().sum::<u64>(), 2, "{losses:?}");
        assert_eq!(text, format!("{HEADER}\n0.0,0x1,0,0,0,0,\n"));
    }

    #[test]
    fn empty_log_is_just_the_header() {
        assert_eq!(write_all(&[]).0, format!("{HEADER}\n"));
        assert!(read_all(&format!("{HEADER}\n")).0.is_empty());
    }
}
