//! Vector ASC (ASCII log) files as CANoe/CANalyzer, python-can and can-utils' `log2asc` write
//! them: a `date`/`base` header, optional `Begin Triggerblock` … `End TriggerBlock`, one event
//! per line (see `../shared/specs/vector-asc.md`).
//!
//! Reading is streaming and byte-level: whitespace tokens (never columns), no allocation per
//! frame, blocks of lines parsed on helper threads like the other text formats (the header state
//! travels with the records, the time of the latest event line is settled in order on the
//! reading side; files with relative times are read line by line). Lines are recognised by
//! shape wherever they appear, so header lines in any order or missing (`internal events logged`, `Begin Triggerblock`) never
//! swallow a frame. Accepted dialects: `base hex|dec`, `timestamps absolute|relative`, English
//! and German dates with or without milliseconds or `am`/`pm` (naive: [`ReadOptions::tz`]),
//! 4–9 timestamp decimals, classic lines (`x` suffix, `d`/`r`, remote with or without DLC, hex
//! DLC 9–15 kept with [`Frame::with_len8_dlc`], trailing `Length = … BitCount = … ID = …`),
//! `ErrorFrame` lines, `CANFD` lines with or without a symbolic name and with any number of the
//! trailing duration/bit-count/flags/CRC/bit-timing fields (the CANoe 7 layout stops before the
//! bit-timing words), `CANFD` lines in the layout of CANoe's documentation (the id before the
//! direction, a `d`/`r` type before the DLC, `Length = … BitCount = … ID = …` attributes),
//! `CANFD … ErrorFrame`, CRLF.
//!
//! Lines that contradict themselves keep their frame and are counted in
//! [`LogReader::repaired`]: a `CANFD` line whose flags lack the FD bit (CANoe 9 writes flags 0)
//! but that carries more than 8 bytes is CAN FD (with 8 bytes or fewer it stays the classic frame
//! log2asc means); an id above 0x7FF without the `x` is a 29-bit id.
//!
//! Choices the file format leaves open:
//! * Time: `timestamps absolute` values are offsets from the latest `Begin Triggerblock` date (or
//!   the `date` line when there is none); frame times are that date plus the offset, as UNIX
//!   time. Without any date they are plain offsets from 0.
//! * Error frames: a plain `ErrorFrame` is `CAN_ERR_BUSERROR` (0x80) with 8 zero bytes, as
//!   can-utils' `asc2log` makes it. `ECC: bbbbbbbb` and `Code = 0x..` carry an SJA1000 error code
//!   capture byte, decoded as the Linux sja1000 driver does: `CAN_ERR_PROT | CAN_ERR_BUSERROR`,
//!   the error type (bit/form/stuff) and `CAN_ERR_PROT_TX` in data\[2\], the segment in data\[3\].
//! * Channels: ASC channel `n` (1-based) is [`Channel::number`]`(n)`. The writer writes numbers
//!   as they are, a named channel as its trailing number + 1 (`can0` → 1, `vcan1` → 2, as
//!   `log2asc` and python-can number them; no digits → 1) and counts the name as lost;
//!   [`Channel::NONE`] is 1.
//! * `//` comments after the header are [`EventKind::Comment`] events; `// Marker: text` (how the
//!   writer stores markers, which ASC has no line for) is an [`EventKind::Marker`]. Both take the
//!   time of the event line before them.
//! * Chip status lines that name a state (`CAN 1 Status:chip status error passive`) are
//!   [`EventKind::BusState`] events, and the writer writes bus-state events that way; receive
//!   overflows are written as `// cankit: 12 frames dropped (receive buffer overflow)` and read back
//!   as [`EventKind::Dropped`].
//! * Skipped and counted in [`LogReader::skipped`]: `Start of measurement`, other chip status,
//!   statistics, environment and system variables, trigger lines, `TxRq` lines, `CANXL` lines
//!   and every other event this reader does not turn into frames.
//!
//! The writer produces what CANoe writes: header with the first record's time (milliseconds),
//! `Begin Triggerblock`, 6-decimal offsets from that time, classic and `CANFD` lines, and
//! `End TriggerBlock` at [`LogWriter::finish`] (or on drop).

use std::io::{BufRead, Write};

use super::text_io::{LineOutcome, LineParser, TextReader, TextSink};
use super::time::{self, Civil, TimeZone};
use super::{
    count, Counts, Event, EventKind, LogError, LogReader, LogWriter, ReadOptions, Record, WriteOptions,
};
use crate::bus::BusState;
use crate::digits::{
    push_decimal_left, push_decimal_right, push_decimal_zero, push_hex_min, spaced_hex, HEX_UPPER, HEX_VALUE,
};
use crate::error_frame::{
    CAN_ERR_BUSERROR, CAN_ERR_PROT, CAN_ERR_PROT_BIT, CAN_ERR_PROT_FORM, CAN_ERR_PROT_STUFF, CAN_ERR_PROT_TX,
};
use crate::frame::{fd_len_to_dlc, Channel, Direction, Frame, FrameKind, Timestamp, MAX_DATA};

/// `CANFD` line flags (log2asc.c): the frame is CAN FD (EDL/FDF), and remote (classic frame in
/// CANFD syntax).
const FLAG_FDF: u32 = 0x1000;
const FLAG_RTR: u32 = 0x10;
const FLAG_BRS: u32 = 0x2000;
const FLAG_ESI: u32 = 0x4000;

// Reasons in `skipped()`.
const SKIP_START: &str = "'Start of measurement' lines";
const SKIP_CHIP_STATUS: &str = "chip status lines";
const SKIP_STATISTIC: &str = "bus statistics lines";
const SKIP_ENV_VAR: &str = "environment variable lines";
const SKIP_SYS_VAR: &str = "system variable lines (SV:)";
const SKIP_TRIGGER: &str = "trigger lines";
const SKIP_TXRQ: &str = "transmit requests (TxRq)";
const SKIP_CANXL: &str = "CAN XL frames (not read)";
const SKIP_OTHER_EVENT: &str = "other event lines (J1939, LIN, ...)";
const SKIP_NOT_EVENT: &str = "lines that are not events";

/// A reason in `repaired()`.
const REPAIR_FD_WITHOUT_EDL: &str =
    "CANFD lines whose flags lack the FD bit but which carry more than 8 bytes (kept as CAN FD)";

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/// Streaming ASC reader; see the module documentation for the dialects. Lines are parsed in
/// blocks on helper threads (as the other text formats), except in files whose header says
/// `timestamps relative`, where every time depends on the line before: those are read line by
/// line.
pub struct AscReader {
    text: TextReader<Dialect>,
}

/// What the header lines said so far, and where the clock is.
#[derive(Clone)]
struct Dialect {
    tz: TimeZone,
    /// `base dec` switches classic ids, DLCs and data bytes to decimal.
    dec: bool,
    /// `timestamps relative`: every event time is an offset from the previous event line.
    relative: bool,
    /// UNIX time (ns) of the latest `Begin Triggerblock` or `date`, if any.
    start: Option<i64>,
    /// Offset (ns) of the latest event line from `start`: the base of relative timestamps and
    /// the time of comments. `None` at the start of a block parsed ahead, until its first event
    /// line: comments before it are settled on the reading side (see [`UNSETTLED`]).
    last: Option<i64>,
    /// Past the header: comments become events.
    in_body: bool,
    /// Bumped by every line that changes how later lines parse (see [`LineParser::generation`]).
    generation: u64,
    /// Why the line being parsed is skipped, if it is.
    skip: Option<&'static str>,
    /// What was mended in the frame of the line being parsed, if anything.
    repair: Option<&'static str>,
    /// A relative time was read without the time before it (a block parsed ahead that switched
    /// to relative times): the block is parsed again on the reading side.
    unsure: bool,
}

/// The time of a comment parsed ahead before any event line of its block: the reading side
/// gives it the time of the event line before it.
const UNSETTLED: i64 = i64::MIN;

type LineResult = Result<Option<Record>, String>;

impl AscReader {
    pub fn new(mut input: Box<dyn BufRead + Send>, name: &str, options: &ReadOptions) -> AscReader {
        let dialect = Dialect::new(options);
        // The header is at the top: a file with relative times is read line by line (read in
        // blocks it would be right too, but parsed twice). An error here shows up again on the
        // first read.
        let relative = input.fill_buf().is_ok_and(|head| {
            head.windows(b"timestamps relative".len()).any(|w| w.eq_ignore_ascii_case(b"timestamps relative"))
        });
        let text = if relative {
            TextReader::sequential(input, name, dialect)
        } else {
            TextReader::new(input, name, dialect)
        };
        AscReader { text }
    }

    /// Reads line by line on the calling thread: no helper threads, no read-ahead.
    pub fn sequential(input: Box<dyn BufRead + Send>, name: &str, options: &ReadOptions) -> AscReader {
        AscReader { text: TextReader::sequential(input, name, Dialect::new(options)) }
    }

    /// Parses blocks of lines on `workers` helper threads (0: on the calling thread), whatever
    /// the header says.
    pub fn with_threads(
        input: Box<dyn BufRead + Send>,
        name: &str,
        options: &ReadOptions,
        workers: usize,
    ) -> AscReader {
        AscReader { text: TextReader::with_threads(input, name, Dialect::new(options), workers) }
    }
}

impl Dialect {
    fn new(options: &ReadOptions) -> Dialect {
        Dialect {
            tz: options.tz,
            dec: false,
            relative: false,
            start: None,
            last: Some(0),
            in_body: false,
            generation: 0,
            skip: None,
            repair: None,
            unsure: false,
        }
    }
}

impl Iterator for AscReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.text.next_record()
    }
}

impl LogReader for AscReader {
    fn skipped(&self) -> &Counts {
        self.text.skipped()
    }

    fn repaired(&self) -> &Counts {
        self.text.repaired()
    }

    /// The date of the current trigger block (or the `date` line), once the reader has read it.
    fn start_time(&self) -> Option<Timestamp> {
        self.text.parser().start.map(Timestamp)
    }
}

impl LineParser for Dialect {
    fn parse_line(&mut self, line: &[u8], _line_no: u64) -> LineOutcome {
        self.skip = None;
        self.repair = None;
        match self.parse_line(line) {
            // The guard keeps the usual arm a move in place (a match on the repair after binding
            // the record copies it, 48 instructions a line).
            Ok(Some(record)) if self.repair.is_none() => LineOutcome::Record(record),
            Ok(Some(record)) => LineOutcome::Repaired(record, self.repair.take().unwrap_or_default()),
            Ok(None) => self.skip.take().map_or(LineOutcome::Nothing, LineOutcome::Skipped),
            Err(message) => LineOutcome::Malformed(message),
        }
    }

    fn generation(&self) -> u64 {
        self.generation
    }

    fn for_ahead(&mut self) {
        // The time of the latest event line before the block is not known yet: comments before
        // the block's first event line are settled on the reading side. With relative times
        // every event line is a change of state, so the state handed over is the right one.
        if !self.relative {
            self.last = None;
        }
        self.unsure = false;
    }

    fn unsure(&self) -> bool {
        self.unsure
    }

    fn settle(&mut self, record: &mut Record) {
        if let Record::Event(e) = record {
            if e.timestamp.0 == UNSETTLED {
                e.timestamp = Timestamp(self.start.unwrap_or(0).saturating_add(self.last.unwrap_or(0)));
            }
        }
    }

    fn end_block(&mut self, ended: &Dialect) {
        if ended.last.is_some() {
            self.last = ended.last;
        }
    }

    fn adopt(&mut self, state: Dialect) {
        let carried = self.last;
        *self = state;
        // A change before the block's first event line does not know the time yet.
        if self.last.is_none() {
            self.last = carried;
        }
    }
}

impl Dialect {
    fn parse_line(&mut self, raw: &[u8]) -> LineResult {
        let line = raw.trim_ascii();
        if line.is_empty() {
            return Ok(None);
        }
        if let Some(text) = line.strip_prefix(b"//") {
            return Ok(self.comment(text.trim_ascii()));
        }
        let mut tokens = Tokens::new(line);
        let Some(first) = tokens.next() else { return Ok(None) };
        if first[0].is_ascii_digit() {
            if let Some(offset) = parse_time(first) {
                return self.event(offset, tokens, line);
            }
        }
        if first.eq_ignore_ascii_case(b"date") {
            self.generation += 1;
            self.start = Some(parse_date(tokens.rest(), self.tz)?);
        } else if first.eq_ignore_ascii_case(b"base") {
            self.generation += 1;
            self.base_line(tokens)?;
        } else if first.eq_ignore_ascii_case(b"begin") {
            match tokens.next() {
                Some(t) if t.eq_ignore_ascii_case(b"triggerblock") => {
                    self.generation += 1;
                    self.in_body = true;
                    self.last = Some(0);
                    if !tokens.rest().is_empty() {
                        self.start = Some(parse_date(tokens.rest(), self.tz)?);
                    }
                }
                _ => self.skip = Some(SKIP_NOT_EVENT),
            }
        } else if first.eq_ignore_ascii_case(b"end")
            || first.eq_ignore_ascii_case(b"internal")
            || (first.eq_ignore_ascii_case(b"no")
                && tokens.next().is_some_and(|t| t.eq_ignore_ascii_case(b"internal")))
        {
            // End TriggerBlock, (no) internal events logged: structure, nothing to count.
        } else {
            self.skip = Some(SKIP_NOT_EVENT);
        }
        Ok(None)
    }

    fn base_line(&mut self, mut tokens: Tokens) -> Result<(), String> {
        match tokens.next() {
            Some(b) if b.eq_ignore_ascii_case(b"hex") => self.dec = false,
            Some(b) if b.eq_ignore_ascii_case(b"dec") => self.dec = true,
            other => return Err(format!("expected 'base hex' or 'base dec', found {}", shown(other))),
        }
        if tokens.next().is_some_and(|t| t.eq_ignore_ascii_case(b"timestamps")) {
            match tokens.next() {
                Some(t) if t.eq_ignore_ascii_case(b"absolute") => self.relative = false,
                Some(t) if t.eq_ignore_ascii_case(b"relative") => self.relative = true,
                other => {
                    return Err(format!("expected 'timestamps absolute|relative', found {}", shown(other)))
                }
            }
        }
        Ok(())
    }

    fn comment(&mut self, text: &[u8]) -> Option<Record> {
        if !self.in_body || starts_with_ignore_case(text, b"version") {
            return None;
        }
        let timestamp = match self.last {
            Some(last) => Timestamp(self.start.unwrap_or(0).saturating_add(last)),
            None => Timestamp(UNSETTLED),
        };
        let kind = match text.strip_prefix(b"Marker:") {
            Some(marker) => EventKind::Marker(String::from_utf8_lossy(marker.trim_ascii()).into_owned()),
            None => {
                let text = String::from_utf8_lossy(text);
                match super::health::parse(&text) {
                    Some(kind @ EventKind::Dropped(_)) => kind,
                    _ => EventKind::Comment(text.into_owned()),
                }
            }
        };
        Some(Record::Event(Event { timestamp, channel: Channel::NONE, kind }))
    }

    /// A line that starts with a timestamp.
    fn event(&mut self, offset: i64, mut tokens: Tokens, line: &[u8]) -> LineResult {
        let offset = match (self.relative, self.last) {
            (true, Some(last)) => last.saturating_add(offset),
            (true, None) => {
                self.unsure = true;
                offset
            }
            (false, _) => offset,
        };
        self.last = Some(offset);
        if self.relative || !self.in_body {
            self.generation += 1;
            self.in_body = true;
        }
        let ts = Timestamp(self.start.unwrap_or(0).saturating_add(offset));
        let Some(second) = tokens.next() else {
            self.skip = Some(SKIP_OTHER_EVENT);
            return Ok(None);
        };
        if second == b"CANFD" {
            return self.canfd(ts, tokens);
        }
        if second.iter().all(u8::is_ascii_digit) {
            let channel = parse_channel(second)?;
            let Some(third) = tokens.next() else {
                self.skip = Some(SKIP_OTHER_EVENT);
                return Ok(None);
            };
            if third.eq_ignore_ascii_case(b"ErrorFrame") {
                return Ok(Some(Record::Frame(
                    error_frame(tokens)?.with_timestamp(ts).with_channel(channel),
                )));
            }
            if third.starts_with(b"Statistic") {
                self.skip = Some(SKIP_STATISTIC);
                return Ok(None);
            }
            let direction = match tokens.next() {
                Some(b"Rx") => Direction::Rx,
                Some(b"Tx") => Direction::Tx,
                Some(b"TxRq") => {
                    self.skip = Some(SKIP_TXRQ);
                    return Ok(None);
                }
                _ => {
                    self.skip = Some(SKIP_OTHER_EVENT);
                    return Ok(None);
                }
            };
            let frame = self.classic(third, tokens)?;
            return Ok(Some(Record::Frame(
                frame.with_timestamp(ts).with_channel(channel).with_direction(direction),
            )));
        }
        let reason = if second == b"CANXL" {
            SKIP_CANXL
        } else if second == b"Start" {
            SKIP_START
        } else if second == b"CAN" && contains(line, b"Status:") {
            if let Some(state) = chip_status(line) {
                let channel = tokens.next().map(parse_channel).transpose()?.unwrap_or(Channel::NONE);
                return Ok(Some(Record::Event(Event {
                    timestamp: ts,
                    channel,
                    kind: EventKind::BusState(state),
                })));
            }
            SKIP_CHIP_STATUS
        } else if second == b"SV:" {
            SKIP_SYS_VAR
        } else if contains(line, b":=") {
            SKIP_ENV_VAR
        } else if line.windows(7).any(|w| w.eq_ignore_ascii_case(b"trigger")) {
            SKIP_TRIGGER
        } else {
            SKIP_OTHER_EVENT
        };
        self.skip = Some(reason);
        Ok(None)
    }

    /// `<id>[x] <dir>` already taken; `d <dlc> <bytes…>` or `r [<dlc>]`, then attributes.
    fn classic(&mut self, id_token: &[u8], mut tokens: Tokens) -> Result<Frame, String> {
        let (id, extended) = self.id(id_token, self.dec)?;
        match tokens.next() {
            Some(b"d") | Some(b"D") => {
                let dlc_token = tokens.next();
                let dlc =
                    dlc_token.and_then(|t| parse_number(t, self.dec)).filter(|&d| d <= 15).ok_or_else(
                        || format!("expected the DLC (0-F) after 'd', found {}", shown(dlc_token)),
                    )? as u8;
                let len = dlc.min(8) as usize;
                let mut data = [0u8; 8];
                let fast = !self.dec && tokens.hex_bytes(&mut data[..len]);
                for (i, byte) in data[..len].iter_mut().enumerate().filter(|_| !fast) {
                    let token = tokens.next();
                    *byte = token.and_then(|t| parse_byte(t, self.dec)).ok_or_else(|| {
                        format!(
                            "expected {len} data bytes after DLC {dlc:X}, data byte {} is {}",
                            i + 1,
                            shown(token)
                        )
                    })?;
                }
                let frame = Frame::new_data(id, extended, &data[..len]).map_err(|e| e.to_string())?;
                Ok(frame.with_len8_dlc(dlc))
            }
            Some(b"r") | Some(b"R") => {
                let dlc =
                    tokens.next().and_then(|t| parse_number(t, self.dec)).filter(|&d| d <= 15).unwrap_or(0)
                        as u8;
                let frame = Frame::new_remote(id, extended, dlc.min(8)).map_err(|e| e.to_string())?;
                Ok(frame.with_len8_dlc(dlc))
            }
            other => Err(format!(
                "expected 'd' (data) or 'r' (remote) after the direction, found {}",
                shown(other)
            )),
        }
    }

    /// `123` or `18EBFF00x` by the file's base; an id above 0x7FF without the `x` is kept as a
    /// 29-bit id and counted ([`super::mend_extended`]).
    fn id(&mut self, token: &[u8], dec: bool) -> Result<(u32, bool), String> {
        let (id, extended) = parse_id(token, dec)?;
        let (extended, repair) = super::mend_extended(id, extended);
        if repair.is_some() {
            self.repair = repair;
        }
        Ok((id, extended))
    }

    /// `CANFD <ch> <dir> <id>[x] [<name>] <brs> <esi> <dlc> <len> <bytes…> [<dur> <bits> <flags> …]`
    /// as CANoe writes it, and the layout of CANoe's documentation, `CANFD <ch> <id>[x] <dir> <brs>
    /// <esi> d|r <dlc> [<len> <bytes…>] [Length = … BitCount = … ID = …]`.
    fn canfd(&mut self, ts: Timestamp, mut tokens: Tokens) -> LineResult {
        let channel_token = tokens.next();
        let channel = match channel_token {
            Some(t) if t.iter().all(u8::is_ascii_digit) => parse_channel(t)?,
            other => return Err(format!("expected the channel number after CANFD, found {}", shown(other))),
        };
        // The direction, then the id (as CANoe writes); or the id, then the direction.
        let direction_of = |token: Option<&[u8]>| match token {
            Some(b"Rx") => Ok(Some(Direction::Rx)),
            Some(b"Tx") => Ok(Some(Direction::Tx)),
            Some(b"TxRq") => Ok(None),
            other => Err(format!(
                "expected Rx or Tx after the CANFD channel or identifier, found {}",
                shown(other)
            )),
        };
        let (direction, id_token) = match tokens.next() {
            Some(b"Rx") => (Some(Direction::Rx), tokens.next()),
            Some(b"Tx") => (Some(Direction::Tx), tokens.next()),
            Some(b"TxRq") => (None, None),
            Some(id) => (direction_of(tokens.next())?, Some(id)),
            None => (direction_of(None)?, None),
        };
        let Some(direction) = direction else {
            self.skip = Some(SKIP_TXRQ);
            return Ok(None);
        };
        let id_token = id_token.ok_or("expected the identifier after the CANFD direction")?;
        let with = |f: Frame| {
            Some(Record::Frame(f.with_timestamp(ts).with_channel(channel).with_direction(direction)))
        };
        if id_token.eq_ignore_ascii_case(b"ErrorFrame") {
            return Ok(with(bus_error()));
        }
        let (id, extended) = self.id(id_token, false)?;
        let mut brs_token = tokens.next();
        if brs_token.is_some_and(|t| !t.iter().all(u8::is_ascii_digit)) {
            brs_token = tokens.next(); // a symbolic name from the database
        }
        let esi_token = tokens.next();
        let flag = |t: Option<&[u8]>, what: &str| match t {
            Some(b"0") => Ok(false),
            Some(b"1") => Ok(true),
            other => Err(format!("expected {what} (0 or 1), found {}", shown(other))),
        };
        let brs = flag(brs_token, "BRS")?;
        let esi = flag(esi_token, "ESI")?;
        let mut dlc_token = tokens.next();
        // The documentation's layout names the frame type before the DLC: `r`, or `d` followed
        // by a DLC (CANoe's own `d` is a DLC, and a length of 32 bytes follows it).
        let mut remote = false;
        match dlc_token {
            Some(b"r" | b"R") => {
                remote = true;
                dlc_token = tokens.next();
            }
            Some(b"d" | b"D") if tokens.clone().next().and_then(|t| parse_hex(t, 1)).is_some() => {
                dlc_token = tokens.next();
            }
            _ => {}
        }
        let dlc = dlc_token
            .and_then(|t| parse_number(t, false))
            .filter(|&d| d <= 15)
            .ok_or_else(|| format!("expected the DLC (0-f), found {}", shown(dlc_token)))?
            as u8;
        if remote {
            // CAN FD has no remote frames: a remote frame in CANFD syntax is a classic one.
            let frame = Frame::new_remote(id, extended, dlc.min(8)).map(|f| f.with_len8_dlc(dlc));
            return Ok(with(frame.map_err(|e| e.to_string())?));
        }
        let len_token = tokens.next();
        let len = len_token
            .and_then(|t| parse_number(t, true))
            .filter(|&l| l as usize <= MAX_DATA)
            .ok_or_else(|| format!("expected the data length (0-64), found {}", shown(len_token)))?
            as usize;
        let mut data = [0u8; MAX_DATA];
        let fast = tokens.hex_bytes(&mut data[..len]);
        for (i, byte) in data[..len].iter_mut().enumerate().filter(|_| !fast) {
            let token = tokens.next();
            *byte = token.and_then(|t| parse_byte(t, false)).ok_or_else(|| {
                format!("expected {len} data bytes, data byte {} is {}", i + 1, shown(token))
            })?;
        }
        // Message duration, bit count, then the flags; any of them may be missing (older tools),
        // or the line may end in `Length = … BitCount = …` attributes instead.
        let flags = match tokens.next() {
            Some(t) if t[0].is_ascii_alphabetic() => None,
            _ => {
                let _bits = tokens.next();
                tokens.next().and_then(|t| parse_hex(t, 8))
            }
        };
        let frame = match flags {
            Some(f) if f & FLAG_FDF == 0 && len > 8 => {
                // More bytes than a classic frame holds: CAN FD, whatever the flags say (CANoe 9
                // writes such lines with flags 0).
                self.repair = Some(REPAIR_FD_WITHOUT_EDL);
                Frame::new_fd_padded(id, extended, &data[..len], brs, esi)
            }
            Some(f) if f & FLAG_FDF == 0 => {
                // A classic frame in CANFD syntax (log2asc -f, CANoe remote frames).
                if f & FLAG_RTR != 0 {
                    Frame::new_remote(id, extended, dlc.min(8)).map(|f| f.with_len8_dlc(dlc))
                } else {
                    Frame::new_data(id, extended, &data[..len]).map(|f| f.with_len8_dlc(dlc))
                }
            }
            // Without flags, length 0 with a DLC is a remote frame (as python-can reads it).
            None if len == 0 && dlc > 0 => {
                Frame::new_remote(id, extended, dlc.min(8)).map(|f| f.with_len8_dlc(dlc))
            }
            _ => Frame::new_fd_padded(id, extended, &data[..len], brs, esi),
        };
        Ok(with(frame.map_err(|e| e.to_string())?))
    }
}

/// `ErrorFrame` and what follows it on a classic line.
fn error_frame(mut tokens: Tokens) -> Result<Frame, String> {
    while let Some(t) = tokens.next() {
        if t == b"ECC:" {
            let token = tokens.next();
            let ecc = token
                .filter(|t| t.len() == 8)
                .and_then(|t| {
                    t.iter().try_fold(0u8, |v, &c| matches!(c, b'0' | b'1').then(|| v << 1 | (c - b'0')))
                })
                .ok_or_else(|| format!("expected 8 binary digits after 'ECC:', found {}", shown(token)))?;
            return Ok(error_from_ecc(ecc));
        }
        if t == b"Code" && tokens.next() == Some(b"=") {
            let token = tokens.next();
            let ecc = token
                .and_then(|t| t.strip_prefix(b"0x").or_else(|| t.strip_prefix(b"0X")))
                .and_then(|t| parse_hex(t, 2))
                .ok_or_else(|| format!("expected a hex byte after 'Code =', found {}", shown(token)))?;
            return Ok(error_from_ecc(ecc as u8));
        }
    }
    Ok(bus_error())
}

/// What an error frame line without details means: a bus error (as asc2log reads it).
fn bus_error() -> Frame {
    // The class fits in 29 bits: new_error cannot fail.
    Frame::new_error(CAN_ERR_BUSERROR, [0; 8]).unwrap_or_else(|_| unreachable!())
}

/// An SJA1000 error code capture byte as the Linux sja1000 driver reports it: bits 7–6 error
/// type (bit, form, stuff, other), bit 5 direction (1 = receiving), bits 4–0 the segment, which
/// SocketCAN's `CAN_ERR_PROT_LOC_*` values copy.
fn error_from_ecc(ecc: u8) -> Frame {
    let mut data = [0u8; 8];
    data[2] = match ecc >> 6 {
        0 => CAN_ERR_PROT_BIT,
        1 => CAN_ERR_PROT_FORM,
        2 => CAN_ERR_PROT_STUFF,
        _ => 0,
    };
    if ecc & 0x20 == 0 {
        data[2] |= CAN_ERR_PROT_TX;
    }
    data[3] = ecc & 0x1F;
    // The class fits in 29 bits: new_error cannot fail.
    Frame::new_error(CAN_ERR_PROT | CAN_ERR_BUSERROR, data).unwrap_or_else(|_| unreachable!())
}

/// The ECC byte that [`error_from_ecc`] turns back into exactly this error frame, if there is one.
fn ecc_of(frame: &Frame) -> Option<u8> {
    let d = frame.data();
    if frame.id() != CAN_ERR_PROT | CAN_ERR_BUSERROR || d.len() != 8 || d[3] > 0x1F {
        return None;
    }
    let code = match d[2] & !CAN_ERR_PROT_TX {
        CAN_ERR_PROT_BIT => 0,
        CAN_ERR_PROT_FORM => 1,
        CAN_ERR_PROT_STUFF => 2,
        0 => 3,
        _ => return None,
    };
    let rx = if d[2] & CAN_ERR_PROT_TX == 0 { 0x20 } else { 0 };
    let ecc = code << 6 | rx | d[3];
    (error_from_ecc(ecc).data() == d).then_some(ecc)
}

/// Whitespace-separated tokens of a line, as slices of it.
#[derive(Clone)]
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    fn new(bytes: &'a [u8]) -> Tokens<'a> {
        Tokens { bytes, at: 0 }
    }

    /// What is left after the tokens taken so far, without leading whitespace.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or_default().trim_ascii_start()
    }
}

impl Tokens<'_> {
    /// Fills `out` from the next `out.len()` tokens when they are laid out as every writer lays
    /// out data bytes, `HH HH HH` with single spaces (one branch-free pass); otherwise takes
    /// nothing and says so, and the caller goes token by token (other separators, decimal bytes,
    /// and the message for a bad one).
    fn hex_bytes(&mut self, out: &mut [u8]) -> bool {
        let Some(rest) = self.bytes.get(self.at..) else { return out.is_empty() };
        let Some(start) = rest.iter().position(|&c| !is_separator(c)) else { return out.is_empty() };
        let end = start + (3 * out.len()).saturating_sub(1);
        if spaced_hex(&rest[start..], out) && rest.get(end).is_none_or(|&c| is_separator(c)) {
            self.at += end;
            return true;
        }
        false
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let Some(start) = rest.iter().position(|&c| !is_separator(c)) else {
            self.at = self.bytes.len();
            return None;
        };
        let len = rest[start..].iter().position(|&c| is_separator(c)).unwrap_or(rest.len() - start);
        self.at += start + len;
        Some(&rest[start..start + len])
    }
}

/// Token separators: spaces, tabs, line ends, and (harmlessly) every other control character;
/// one comparison per byte on the hot path.
fn is_separator(c: u8) -> bool {
    c <= b' '
}

/// A token for messages.
fn shown(token: Option<&[u8]>) -> String {
    match token {
        Some(t) => format!("'{}'", String::from_utf8_lossy(t)),
        None => "the end of the line".into(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Seconds with a fraction (`12.345678`; any number of decimals, kept to the nanosecond) as
/// nanoseconds. `None` if the token is not of that shape.
fn parse_time(t: &[u8]) -> Option<i64> {
    let dot = t.iter().position(|&c| c == b'.')?;
    let (whole, frac) = (&t[..dot], &t[dot + 1..]);
    if whole.is_empty() || whole.len() > 12 || frac.is_empty() {
        return None;
    }
    let mut secs: i64 = 0;
    for &c in whole {
        if !c.is_ascii_digit() {
            return None;
        }
        secs = secs * 10 + (c - b'0') as i64;
    }
    let mut nanos: i64 = 0;
    for (i, &c) in frac.iter().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        if i < 9 {
            nanos = nanos * 10 + (c - b'0') as i64;
        }
    }
    for _ in frac.len()..9 {
        nanos *= 10;
    }
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Hex digits (at most `max_digits`) as a number.
fn parse_hex(t: &[u8], max_digits: usize) -> Option<u32> {
    if t.is_empty() || t.len() > max_digits {
        return None;
    }
    let mut v: u32 = 0;
    for &c in t {
        let d = HEX_VALUE[c as usize];
        if d == 0xFF {
            return None;
        }
        v = v << 4 | d as u32;
    }
    Some(v)
}

/// A number in the file's base: hex (at most 8 digits) or decimal (at most 10, fits u32).
fn parse_number(t: &[u8], dec: bool) -> Option<u32> {
    if !dec {
        return parse_hex(t, 8);
    }
    if t.is_empty() || t.len() > 10 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in t {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u64;
    }
    u32::try_from(v).ok()
}

/// One data byte: 1–2 hex digits, or a decimal 0–255 under `base dec`.
fn parse_byte(t: &[u8], dec: bool) -> Option<u8> {
    match (dec, t) {
        (false, &[hi, lo]) => {
            let (h, l) = (HEX_VALUE[hi as usize], HEX_VALUE[lo as usize]);
            (h | l != 0xFF && h != 0xFF && l != 0xFF).then_some(h << 4 | l)
        }
        _ if t.len() <= 3 => parse_number(t, dec).and_then(|v| u8::try_from(v).ok()),
        _ => None,
    }
}

/// `123`, `18EBFF00x` (hex or decimal by the file base; `x` = 29-bit).
fn parse_id(t: &[u8], dec: bool) -> Result<(u32, bool), String> {
    let (digits, extended) = match t.split_last() {
        Some((b'x' | b'X', digits)) => (digits, true),
        _ => (t, false),
    };
    let base = if dec { "decimal" } else { "hex" };
    parse_number(digits, dec).map(|id| (id, extended)).ok_or_else(|| {
        format!("expected a {base} identifier ('x' suffix for 29-bit), found {}", shown(Some(t)))
    })
}

fn parse_channel(t: &[u8]) -> Result<Channel, String> {
    parse_number(t, true)
        .map(Channel::number)
        .ok_or_else(|| format!("channel number {} is out of range", shown(Some(t))))
}

/// `Tue Nov 14 22:13:20.000 2023`, `Sam Sep 30 15:06:13.191 2017`, `Tue May 27 04:09:35.000 pm
/// 2014`, `Tue Nov 14 22:13:20 2023`: weekday (ignored), month name (English or German),
/// day, time with optional fraction, optional am/pm, year; naive, in `tz`.
fn parse_date(text: &[u8], tz: TimeZone) -> Result<i64, String> {
    let bad = || {
        format!(
            "cannot read the date '{}' (expected e.g. 'Tue Nov 14 22:13:20.000 2023')",
            String::from_utf8_lossy(text)
        )
    };
    let (mut month, mut day, mut clock, mut pm, mut year) = (None, None, None, None, None);
    for t in Tokens::new(text) {
        if t.contains(&b':') {
            clock = Some(parse_clock(t).ok_or_else(bad)?);
        } else if t.eq_ignore_ascii_case(b"am") {
            pm = Some(false);
        } else if t.eq_ignore_ascii_case(b"pm") {
            pm = Some(true);
        } else if t.iter().all(u8::is_ascii_digit) {
            let v = parse_number(t, true).ok_or_else(bad)?;
            if clock.is_none() && day.is_none() {
                day = Some(v);
            } else if clock.is_some() && year.is_none() {
                year = Some(v);
            } else {
                return Err(bad());
            }
        } else if month.is_none() {
            // Real files are UTF-8 or Latin-1 (`Mär` as 0xE4): read bytes as Latin-1 if not UTF-8.
            let name = match std::str::from_utf8(t) {
                Ok(s) => s.to_string(),
                Err(_) => t.iter().map(|&b| b as char).collect(),
            };
            month = time::month_from_name(&name); // the weekday is not a month name
        }
    }
    let (Some(month), Some(day), Some((mut hour, minute, second, nanos)), Some(year)) =
        (month, day, clock, year)
    else {
        return Err(bad());
    };
    if let Some(pm) = pm {
        if hour == 0 || hour > 12 {
            return Err(bad());
        }
        hour = match (pm, hour) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    let year = i32::try_from(year).map_err(|_| bad())?;
    let civil = Civil { year, month, day, hour, minute, second, nanos, weekday: 0 };
    time::to_unix(&civil, tz).ok_or_else(bad)
}

/// `HH:MM:SS[.fraction]` as (hour, minute, second, nanoseconds).
fn parse_clock(t: &[u8]) -> Option<(u32, u32, u32, u32)> {
    let mut parts = t.split(|&c| c == b':');
    let hour = parse_number(parts.next()?, true)?;
    let minute = parse_number(parts.next()?, true)?;
    let seconds = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let (second, nanos) = match seconds.iter().position(|&c| c == b'.') {
        Some(_) => {
            let ns = parse_time(seconds)?;
            (u32::try_from(ns / 1_000_000_000).ok()?, (ns % 1_000_000_000) as u32)
        }
        None => (parse_number(seconds, true)?, 0),
    };
    (hour < 100 && minute < 60 && second < 61).then_some((hour, minute, second, nanos))
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/// Writes ASC as CANoe does; see the module documentation.
pub struct AscWriter {
    /// The output; finished once `End TriggerBlock` is written.
    sink: TextSink,
    tz: TimeZone,
    losses: Counts,
    /// UNIX time (ns) of the header dates, the first record's time cut to milliseconds; `None`
    /// until the header is written.
    start: Option<i64>,
    /// Microseconds after `start` of the last frame line written: a reader gives comment and
    /// marker lines (which carry no time) this time.
    last_offset_us: i64,
}

const LOSS_CHANNEL_NAME: &str = "channel names (ASC numbers channels: can0 → 1, can1 → 2, ...)";
const LOSS_ERROR_DETAIL: &str = "error frame details (ASC ErrorFrame lines hold only an SJA1000 error code)";
const LOSS_ERROR_DIRECTION: &str = "direction of error frames (ASC ErrorFrame lines have none)";
const LOSS_EARLY: &str = "frames before the first record's time (written at the start time)";

/// How bus-state changes are written and read: Vector's chip status lines
/// (`CAN 1 Status:chip status error passive`).
fn chip_status_words(state: BusState) -> &'static str {
    match state {
        BusState::ErrorActive => "error active",
        BusState::ErrorWarning => "warning level",
        BusState::ErrorPassive => "error passive",
        BusState::BusOff => "bus off",
    }
}

/// The bus state of a chip status line, if it names one.
fn chip_status(line: &[u8]) -> Option<BusState> {
    let at = line.windows(12).position(|w| w.eq_ignore_ascii_case(b"chip status "))? + 12;
    let rest = String::from_utf8_lossy(&line[at..]).to_ascii_lowercase();
    [BusState::BusOff, BusState::ErrorPassive, BusState::ErrorWarning, BusState::ErrorActive]
        .into_iter()
        .find(|s| rest.starts_with(chip_status_words(*s)))
}

const LOSS_EVENT_TIME: &str =
    "event times (ASC comment lines carry none: read back at the previous frame's time)";

impl AscWriter {
    pub fn new(out: Box<dyn Write + Send>, name: &str, options: &WriteOptions) -> AscWriter {
        AscWriter {
            sink: TextSink::new(out, name),
            tz: options.tz,
            losses: Counts::new(),
            start: None,
            last_offset_us: 0,
        }
    }

    /// The header, dated `first` cut to milliseconds; returns that start time.
    fn header(&mut self, first: Timestamp) -> i64 {
        let start = first.as_nanos().div_euclid(1_000_000) * 1_000_000;
        let civil = time::from_unix(start, self.tz);
        let date = format!(
            "{} {} {:02} {:02}:{:02}:{:02}.{:03} {}",
            time::WEEKDAYS_EN[civil.weekday as usize % 7],
            time::MONTHS_EN[(civil.month as usize).clamp(1, 12) - 1],
            civil.day,
            civil.hour,
            civil.minute,
            civil.second,
            civil.nanos / 1_000_000,
            civil.year
        );
        let header = format!(
            "date {date}\nbase hex  timestamps absolute\ninternal events logged\n// version 9.0.0\n\
             Begin Triggerblock {date}\n   0.000000 Start of measurement\n"
        );
        self.sink.buf_mut().extend_from_slice(header.as_bytes());
        self.start = Some(start);
        start
    }

    /// Timestamp column and the space after it.
    fn push_time(&mut self, t: Timestamp, start: i64) {
        let mut offset = t.as_nanos().saturating_sub(start);
        if offset < 0 {
            count(&mut self.losses, LOSS_EARLY);
            offset = 0;
        }
        let micros = (offset / 1000) as u64;
        let (secs, frac) = (micros / 1_000_000, (micros % 1_000_000) as u32);
        push_decimal_right(self.sink.buf_mut(), secs, 4);
        self.sink.buf_mut().push(b'.');
        push_decimal_zero(self.sink.buf_mut(), frac as u64, 6);
        self.sink.buf_mut().push(b' ');
    }

    fn channel_number(&mut self, channel: &Channel) -> u64 {
        if let Some(n) = channel.as_number() {
            return n as u64;
        }
        let Some(name) = channel.as_name() else { return 1 };
        count(&mut self.losses, LOSS_CHANNEL_NAME);
        let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count().min(9);
        name[name.len() - digits..].parse::<u64>().map(|n| n + 1).unwrap_or(1)
    }

    fn frame(&mut self, f: &Frame, start: i64) {
        let channel = self.channel_number(&f.channel);
        self.push_time(f.timestamp, start);
        let buf = self.sink.buf_mut();
        match f.kind() {
            FrameKind::Data | FrameKind::Remote => {
                push_decimal_left(buf, channel, 2);
                buf.push(b' ');
                let id_at = buf.len();
                push_hex_min(buf, f.id(), false);
                if f.is_extended() {
                    buf.push(b'x');
                }
                pad_to(buf, id_at + 15);
                buf.push(b' ');
                buf.extend_from_slice(if f.direction == Direction::Tx { b"Tx  " } else { b"Rx  " });
                buf.extend_from_slice(if f.is_remote() { b" r " } else { b" d " });
                buf.push(HEX_UPPER[f.dlc() as usize & 0xF]);
                for &b in f.data() {
                    push_byte(buf, b);
                }
            }
            FrameKind::Error => {
                push_decimal_left(buf, channel, 2);
                buf.extend_from_slice(b" ErrorFrame");
                let ecc = ecc_of(f);
                if let Some(ecc) = ecc {
                    buf.extend_from_slice(b" ECC: ");
                    for bit in (0..8).rev() {
                        buf.push(b'0' + (ecc >> bit & 1));
                    }
                }
                if ecc.is_none() && (f.id() != CAN_ERR_BUSERROR || f.data().iter().any(|&b| b != 0)) {
                    count(&mut self.losses, LOSS_ERROR_DETAIL);
                }
                if f.direction == Direction::Tx {
                    count(&mut self.losses, LOSS_ERROR_DIRECTION);
                }
            }
            FrameKind::Fd => {
                buf.extend_from_slice(b"CANFD ");
                push_decimal_right(buf, channel, 3);
                buf.extend_from_slice(if f.direction == Direction::Tx { b" Tx   " } else { b" Rx   " });
                let id_at = buf.len();
                push_hex_min(buf, f.id(), false);
                if f.is_extended() {
                    buf.push(b'x');
                }
                right_align(buf, id_at, 8);
                // An empty symbolic name column, then BRS, ESI, DLC and length.
                buf.extend_from_slice(&[b' '; 35]);
                buf.push(b'0' + f.brs() as u8);
                buf.push(b' ');
                buf.push(b'0' + f.esi() as u8);
                buf.push(b' ');
                push_hex_min(buf, fd_len_to_dlc(f.len()).unwrap_or(15) as u32, true);
                buf.push(b' ');
                push_decimal_right(buf, f.len() as u64, 2);
                for &b in f.data() {
                    push_byte(buf, b);
                }
                let flags =
                    FLAG_FDF | if f.brs() { FLAG_BRS } else { 0 } | if f.esi() { FLAG_ESI } else { 0 };
                buf.extend_from_slice(b"        0    0 ");
                let flags_at = buf.len();
                push_hex_min(buf, flags, false);
                right_align(buf, flags_at, 8);
                buf.extend_from_slice(b"        0        0        0        0        0");
            }
        }
        self.sink.buf_mut().push(b'\n');
    }

    fn comment(&mut self, prefix: &str, text: &str) {
        for line in text.lines() {
            self.sink.buf_mut().extend_from_slice(b"// ");
            self.sink.buf_mut().extend_from_slice(prefix.as_bytes());
            self.sink.buf_mut().extend_from_slice(line.as_bytes());
            self.sink.buf_mut().push(b'\n');
        }
    }
}

/// ` XX`
fn push_byte(buf: &mut Vec<u8>, b: u8) {
    buf.extend_from_slice(&[b' ', HEX_UPPER[(b >> 4) as usize], HEX_UPPER[(b & 0xF) as usize]]);
}

fn pad_to(buf: &mut Vec<u8>, len: usize) {
    while buf.len() < len {
        buf.push(b' ');
    }
}

/// Right-align what was written since `from` in `width` columns.
fn right_align(buf: &mut Vec<u8>, from: usize, width: usize) {
    let written = buf.len() - from;
    if written < width {
        let pad = width - written;
        buf.resize(buf.len() + pad, b' ');
        buf[from..].rotate_right(pad);
    }
}

impl LogWriter for AscWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        if self.sink.is_finished() {
            return Err(LogError::Invalid {
                path: self.sink.name().to_string(),
                message: "cannot write after the end of the trigger block (finish was called)".into(),
            });
        }
        let time = match record {
            Record::Frame(f) => f.timestamp,
            Record::Event(e) => e.timestamp,
        };
        let start = match self.start {
            Some(start) => start,
            None => self.header(time),
        };
        match record {
            Record::Frame(f) => {
                self.last_offset_us = (f.timestamp.0 - start).max(0) / 1000;
                self.frame(f, start)
            }
            Record::Event(e) => match &e.kind {
                EventKind::Comment(text) | EventKind::Marker(text) => {
                    if (e.timestamp.0 - start).div_euclid(1000) != self.last_offset_us {
                        count(&mut self.losses, LOSS_EVENT_TIME);
                    }
                    let prefix = if matches!(e.kind, EventKind::Marker(_)) { "Marker: " } else { "" };
                    self.comment(prefix, text);
                }
                EventKind::BusState(state) => {
                    self.last_offset_us = (e.timestamp.0 - start).max(0) / 1000;
                    let channel = self.channel_number(&e.channel);
                    self.push_time(e.timestamp, start);
                    let buf = self.sink.buf_mut();
                    buf.extend_from_slice(b"CAN ");
                    push_decimal_left(buf, channel, 1);
                    buf.extend_from_slice(b" Status:chip status ");
                    buf.extend_from_slice(chip_status_words(*state).as_bytes());
                    buf.push(b'\n');
                }
                EventKind::Dropped(n) => {
                    if (e.timestamp.0 - start).div_euclid(1000) != self.last_offset_us {
                        count(&mut self.losses, LOSS_EVENT_TIME);
                    }
                    let text = super::health::text(&EventKind::Dropped(*n)).unwrap_or_default();
                    self.comment("", &text);
                }
            },
        }
        self.sink.drain_if_full()
    }

    fn flush(&mut self) -> Result<(), LogError> {
        self.sink.flush()
    }

    fn finish(&mut self) -> Result<(), LogError> {
        if self.sink.is_finished() {
            return Ok(());
        }
        if self.start.is_none() {
            // Nothing was written: still a complete file, dated now.
            self.header(Timestamp::now());
        }
        self.sink.buf_mut().extend_from_slice(b"End TriggerBlock\n");
        self.sink.finish()
    }

    fn losses(&self) -> &Counts {
        &self.losses
    }
}

impl Drop for AscWriter {
    fn drop(&mut self) {
        // An interrupted conversion still ends the trigger block; errors were reported by
        // finish() when it was called.
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_frame::{CAN_ERR_PROT_LOC_ID28_21, CAN_ERR_PROT_LOC_SRTR};
    use std::io::Cursor;
    use std::sync::{Arc, Mutex};

    fn utc() -> ReadOptions {
        ReadOptions { tz: TimeZone::Utc, ..Default::default() }
    }

    /// Every record (errors as text) and the skipped counts.
    fn drain(mut r: AscReader) -> (Vec<Result<Record, String>>, Counts) {
        let items = r.by_ref().map(|i| i.map_err(|e| e.to_string())).collect();
        (items, r.skipped().clone())
    }

    #[test]
    fn data_bytes_read_the_same_however_they_are_spaced() {
        let want =
            read(b"   1.000000 1  123  Rx   d 3 01 A2 FF\n   1.000000 CANFD 1 Rx 123 1 0 3 3 01 A2 FF\n");
        for odd in [
            &b"   1.000000 1  123  Rx   d 3 01  A2\tFF  \n   1.000000 CANFD 1 Rx 123 1 0 3 3 01\tA2  FF\n"[..],
            b"   1.000000 1  123  Rx   d 3 1 a2 ff\n   1.000000 CANFD 1 Rx 123 1 0 3 3 1 a2 FF\n",
        ] {
            let got = read(odd);
            assert_eq!(format!("{:?}", got.items), format!("{:?}", want.items));
        }
        assert_eq!(want.items.len(), 2);
        assert!(want.items.iter().all(|i| matches!(i, Ok(Record::Frame(f)) if f.data() == [1, 0xA2, 0xFF])));
    }

    #[test]
    fn blocks_of_any_size_read_as_line_by_line_with_state_carried_across() {
        // Comments right after a block boundary, after header lines that start a block, after
        // skipped event lines; relative times switched on and off; base and date changes.
        let text = "date Tue Nov 14 10:13:20.000 pm 2023\nbase hex  timestamps absolute\n// version 1\n\
                    // header comment\nBegin Triggerblock Tue Nov 14 22:13:20.000 2023\n// first\n\
                    0.5 Start of measurement\n// after start\n1.0 1 123 Rx d 1 01\nbase dec\n\
                    // after base\n2.0 1 291 Rx d 2 1 255\n2.5 1 Statistic: D 0 R 0\n// after stats\n\
                    date Tue Nov 14 10:13:30.000 pm 2023\n// after date\n// Marker: m\n\
                    base hex timestamps relative\n// rel\n0.25 1 7FF Rx d 0\n// r1\n0.25 2 100 Tx d 1 AA\n\
                    0.5 1 Statistic: D 0\n// r2\n0.1 1 GG Rx d 0\n// r3\nbase hex timestamps absolute\n\
                    9.0 1 1 Rx d 0\n// a1\nBegin Triggerblock Tue Nov 14 22:14:00.000 2023\n// t2\n\
                    1.0 1 2 Rx d 0\nEnd TriggerBlock\n";
        // Then long stretches without header lines (blocks parsed ahead start from the right
        // state), switching to relative times in the middle of one.
        let mut text = text.to_string();
        for round in 0..3 {
            for i in 0..300 {
                text.push_str(&format!("{}.{i:03} 1 {i:X} Rx d 1 {:02X}\n", 10 + round, i % 256));
            }
            text.push_str("// before the switch\nbase hex timestamps relative\n");
            for i in 0..40 {
                text.push_str(&format!("0.00{} 2 {i:X} Rx d 0\n// rel {i}\n", i % 10));
            }
            text.push_str("base hex timestamps absolute\n");
        }
        let text = text.as_str();
        let want =
            drain(AscReader::sequential(Box::new(Cursor::new(text.as_bytes().to_vec())), "t.asc", &utc()));
        let events = want.0.iter().filter(|i| matches!(i, Ok(Record::Event(_)))).count();
        assert_eq!(events, 12 + 3 * 41, "{:?}", want.0);
        for workers in [0, 1, 2] {
            for lines in [1, 2, 3, 5, 64] {
                let r = AscReader {
                    text: TextReader::with_blocks(
                        Box::new(Cursor::new(text.as_bytes().to_vec())),
                        "t.asc",
                        Dialect::new(&utc()),
                        workers,
                        1 << 16,
                        lines,
                    ),
                };
                assert_eq!(drain(r), want, "{workers} workers, {lines} lines a block");
            }
        }
    }

    /// 2023-11-14 22:13:20 UTC.
    const T0: i64 = 1_700_000_000_000_000_000;

    struct Read {
        items: Vec<Result<Record, LogError>>,
        skipped: Counts,
        start: Option<Timestamp>,
    }

    fn read(text: &[u8]) -> Read {
        let mut r = AscReader::new(Box::new(Cursor::new(text.to_vec())), "t.asc", &utc());
        let items: Vec<_> = r.by_ref().collect();
        Read { items, skipped: r.skipped().clone(), start: r.start_time() }
    }

    fn frames(text: &[u8]) -> Vec<Frame> {
        read(text)
            .items
            .into_iter()
            .filter_map(|r| match r {
                Ok(Record::Frame(f)) => Some(f),
                Ok(Record::Event(_)) => None,
                Err(e) => panic!("{e}"),
            })
            .collect()
    }

    fn header(extra: &str) -> String {
        format!(
            "date Tue Nov 14 22:13:20.000 2023\nbase hex  timestamps absolute\ninternal events logged\n\
             // version 9.0.0\nBegin Triggerblock Tue Nov 14 22:13:20.000 2023\n   0.000000 Start of measurement\n{extra}End TriggerBlock\n"
        )
    }

    fn data(id: u32, ext: bool, bytes: &[u8]) -> Frame {
        Frame::new_data(id, ext, bytes).unwrap()
    }

    fn at(f: Frame, micros: i64, ch: u32) -> Frame {
        f.with_timestamp(Timestamp(T0 + micros * 1000)).with_channel(Channel::number(ch))
    }

    #[test]
    fn canoe_classic_lines_with_attributes_are_frames_at_trigger_block_time() {
        let text = header(
            "   0.001234 1  123             Rx   d 4 DE AD BE EF\n\
             \x20  3.098426 1  18EBFF00x       Rx   d 8 01 A0 0F A6 60 3B D1 40  Length = 273910 BitCount = 141 ID = 418119424x\n\
             \x20 17.876708 2  6f9             Tx   d 0  Length = 240015 BitCount = 124 ID = 1785\n",
        );
        let r = read(text.as_bytes());
        assert_eq!(r.start, Some(Timestamp(T0)));
        let got: Vec<Frame> = r
            .items
            .into_iter()
            .map(|i| match i.unwrap() {
                Record::Frame(f) => f,
                _ => panic!(),
            })
            .collect();
        assert_eq!(
            got,
            vec![
                at(data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]), 1234, 1),
                at(data(0x18EBFF00, true, &[1, 0xA0, 0x0F, 0xA6, 0x60, 0x3B, 0xD1, 0x40]), 3_098_426, 1),
                at(data(0x6F9, false, &[]), 17_876_708, 2).with_direction(Direction::Tx),
            ]
        );
        assert_eq!(r.skipped.get(SKIP_START), Some(&1));
    }

    #[test]
    fn remote_frames_with_and_without_dlc_and_txrq_is_skipped() {
        let got = frames(
            header(
                "   2.510001 2 100 Tx r\n   2.584921 4 300 Rx r 8 Length = 1704000 BitCount = 145 ID = 88888888x\n\
                 \x20  2.600000 1 300 TxRq r 8\n",
            )
            .as_bytes(),
        );
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0],
            at(Frame::new_remote(0x100, false, 0).unwrap(), 2_510_001, 2).with_direction(Direction::Tx)
        );
        assert_eq!(got[1], at(Frame::new_remote(0x300, false, 8).unwrap(), 2_584_921, 4));
        let r = read(header("   2.600000 1 300 TxRq r 8\n").as_bytes());
        assert_eq!(r.skipped.get(SKIP_TXRQ), Some(&1));
    }

    #[test]
    fn hex_dlc_above_8_reads_8_bytes_and_keeps_the_raw_dlc() {
        let got = frames(
            header("   1.000000 1  123 Rx d D 01 02 03 04 05 06 07 08\n   1.1 1 7 Rx r F\n").as_bytes(),
        );
        assert_eq!(got[0].data(), &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(got[0].len8_dlc(), Some(13));
        assert!(got[1].is_remote() && got[1].len() == 8 && got[1].len8_dlc() == Some(15));
    }

    #[test]
    fn base_dec_reads_ids_dlcs_and_bytes_as_decimal() {
        let text = "date Tue Nov 14 22:13:20.000 2023\nbase dec  timestamps absolute\n\
                    \x20  0.500000 1  291             Rx   d 3 222 173 0\n   0.6 1 418119424x Rx d 1 255\n";
        let got = frames(text.as_bytes());
        assert_eq!(got[0], at(data(291, false, &[222, 173, 0]), 500_000, 1));
        assert_eq!(got[1].id(), 0x18EBFF00);
        assert!(got[1].is_extended());
    }

    #[test]
    fn relative_timestamps_add_up_from_the_previous_event() {
        let text =
            "date Tue Nov 14 22:13:20.000 2023\nbase hex  timestamps relative\nno internal events logged\n\
                    \x20  0.100000 1  1 Rx d 0\n   0.000000 Start of measurement\n   0.250000 1  2 Rx d 0\n";
        let got = frames(text.as_bytes());
        assert_eq!(got[0].timestamp, Timestamp(T0 + 100_000_000));
        assert_eq!(got[1].timestamp, Timestamp(T0 + 350_000_000));
    }

    #[test]
    fn file_without_internal_events_line_or_trigger_block_loses_no_frame() {
        // python-can swallows the first line after the header when this line is missing.
        let text =
            "date Tue Nov 14 22:13:20 2023\nbase hex  timestamps absolute\n   0.000000 1  123 Rx d 1 11\n\
                    \x20  0.000100 2  12345678x Rx d 2 01 02\n";
        let got = frames(text.as_bytes());
        assert_eq!(
            got,
            vec![at(data(0x123, false, &[0x11]), 0, 1), at(data(0x12345678, true, &[1, 2]), 100, 2)]
        );
        let text = "date Tue Nov 14 22:13:20.000 2023\nbase hex  timestamps absolute\n\
                    begin triggerblock Tue Nov 14 22:13:21.000 2023\n   0.5 1 1 Rx d 0\nend triggerblock\n";
        assert_eq!(frames(text.as_bytes())[0].timestamp, Timestamp(T0 + 1_500_000_000));
    }

    #[test]
    fn a_file_without_date_has_offsets_from_zero() {
        let r = read(b"base hex  timestamps absolute\n   1.5 1 1 Rx d 0\n");
        assert_eq!(r.start, None);
        match &r.items[0] {
            Ok(Record::Frame(f)) => assert_eq!(f.timestamp, Timestamp(1_500_000_000)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn german_english_am_pm_and_millisecond_free_dates_are_read() {
        let start = |date: &str| read(format!("date {date}\n").as_bytes()).start.map(|t| t.as_nanos());
        let utc = |y, mo, d, h, mi, s, ms: u32| {
            time::to_unix(
                &Civil {
                    year: y,
                    month: mo,
                    day: d,
                    hour: h,
                    minute: mi,
                    second: s,
                    nanos: ms * 1_000_000,
                    weekday: 0,
                },
                TimeZone::Utc,
            )
        };
        assert_eq!(start("Sam Sep 30 15:06:13.191 2017"), utc(2017, 9, 30, 15, 6, 13, 191));
        assert_eq!(start("Fr Mär 3 01:02:03.004 2017"), utc(2017, 3, 3, 1, 2, 3, 4));
        // Latin-1 "Mär"
        assert_eq!(
            read(b"date Fr M\xe4r 3 01:02:03 2017\n").start.map(|t| t.as_nanos()),
            utc(2017, 3, 3, 1, 2, 3, 0)
        );
        assert_eq!(start("Mi Okt 11 09:00:00.000 2023"), utc(2023, 10, 11, 9, 0, 0, 0));
        assert_eq!(start("Do Dez 28 23:59:59.999 2023"), utc(2023, 12, 28, 23, 59, 59, 999));
        assert_eq!(start("Di Mai 27 04:09:35.000 pm 2014"), utc(2014, 5, 27, 16, 9, 35, 0));
        assert_eq!(start("Tue May 27 12:09:35.000 am 2014"), utc(2014, 5, 27, 0, 9, 35, 0));
        assert_eq!(start("Tue Nov 14 22:13:20 2023"), Some(T0));
    }

    #[test]
    fn naive_dates_follow_the_time_zone_option() {
        let text = b"date Tue Nov 14 22:13:20.000 2023\n".to_vec();
        let r = AscReader::new(
            Box::new(Cursor::new(text)),
            "t.asc",
            &ReadOptions { tz: TimeZone::Fixed(7200), ..Default::default() },
        );
        let mut r = r;
        assert!(r.next().is_none());
        assert_eq!(r.start_time(), Some(Timestamp(T0 - 7200 * 1_000_000_000)));
    }

    #[test]
    fn four_six_and_nine_decimals_are_read_to_the_nanosecond() {
        let got = frames(
            header("   1.2345 1 1 Rx d 0\n   1.234567 1 1 Rx d 0\n   1.234567891 1 1 Rx d 0\n").as_bytes(),
        );
        let offsets: Vec<i64> = got.iter().map(|f| f.timestamp.as_nanos() - T0).collect();
        assert_eq!(offsets, vec![1_234_500_000, 1_234_567_000, 1_234_567_891]);
    }

    #[test]
    fn error_frames_plain_ecc_and_code_ext_forms() {
        let got = frames(
            header(
                "   2.501000 1 ErrorFrame\n   2.501010 1 ErrorFrame ECC: 10100010\n\
                 \x20  2.501020 2 ErrorFrame Flags = 0xe CodeExt = 0x20a2 Code = 0x82 ID = 0 DLC = 0 Position = 5 Length = 11300\n\
                 \x20 30.806898 CANFD   5 Tx ErrorFrame Not Acknowledge error, dominant error flag fffe c7 31ca Arb. 556 44 0 0 f 64 00 1331984 11 0 46500250 460a0250 20011736 20010205\n",
            )
            .as_bytes(),
        );
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], at(Frame::new_error(CAN_ERR_BUSERROR, [0; 8]).unwrap(), 2_501_000, 1));
        // ECC 101 00010: stuff error while receiving, in ID28..21.
        let stuff_rx = [0, 0, CAN_ERR_PROT_STUFF, CAN_ERR_PROT_LOC_ID28_21, 0, 0, 0, 0];
        assert_eq!(
            got[1],
            at(Frame::new_error(CAN_ERR_PROT | CAN_ERR_BUSERROR, stuff_rx).unwrap(), 2_501_010, 1)
        );
        // Code 0x82 = 100 00010: stuff error while transmitting.
        assert_eq!(got[2].data()[2], CAN_ERR_PROT_STUFF | CAN_ERR_PROT_TX);
        assert_eq!(got[2].channel, Channel::number(2));
        assert!(
            got[3].is_error() && got[3].direction == Direction::Tx && got[3].channel == Channel::number(5)
        );
    }

    #[test]
    fn canfd_lines_with_name_bit_timing_remote_and_old_layout() {
        let got = frames(
            header(
                "  30.005021 CANFD   1 Rx        300                                   1 0 8  8 11 c2 03 04 05 06 07 08   102203  133   303000 e0006659 46500250 4b140250 20011736 2001040d\n\
                 \x20 30.005071 CANFD   3 Rx        30a  Generic_Name_12                  1 1 8  8 01 02 03 04 05 06 07 08   102203  133   303000 e0006659 46500250 4b140250 20011736 2001040d\n\
                 \x20 30.300981 CANFD   3 Tx     50005x                                0 1 5 0 140000 73 200050 7a60 46500250 460a0250 20011736 20010205\n\
                 \x20 30.400000 CANFD   2 Rx 1FFFFFFFx 1 0 f 64 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f 0 0 3000 0\n\
                 \x20 30.500000 CANFD   1 Rx 123 0 0 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B\n\
                 \x20 30.600000 CANFD   1 Rx 7FF 0 0 3 0   130000  130       10 0 0 0 0 0\n\
                 \x20 30.700000 CANFD   1 Rx 123 0 0 4  4 DE AD BE EF   130000  130        0 0 0 0 0 0\n",
            )
            .as_bytes(),
        );
        assert_eq!(got.len(), 7);
        let fd = |id, ext, d: &[u8], brs, esi| Frame::new_fd(id, ext, d, brs, esi).unwrap();
        assert_eq!(got[0], at(fd(0x300, false, &[0x11, 0xC2, 3, 4, 5, 6, 7, 8], true, false), 30_005_021, 1));
        assert_eq!(got[1], at(fd(0x30A, false, &[1, 2, 3, 4, 5, 6, 7, 8], true, true), 30_005_071, 3));
        // Flags 0x200050: no FDF bit, RTR bit: a classic remote frame asking for 5 bytes.
        assert_eq!(
            got[2],
            at(Frame::new_remote(0x50005, true, 5).unwrap(), 30_300_981, 3).with_direction(Direction::Tx)
        );
        let bytes: Vec<u8> = (0..64).collect();
        assert_eq!(got[3], at(fd(0x1FFFFFFF, true, &bytes, true, false), 30_400_000, 2));
        assert_eq!(got[4], at(fd(0x123, false, &bytes[..12], false, false), 30_500_000, 1));
        // log2asc -f: classic frames in CANFD syntax.
        assert_eq!(got[5], at(Frame::new_remote(0x7FF, false, 3).unwrap(), 30_600_000, 1));
        assert_eq!(got[6], at(data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]), 30_700_000, 1));
    }

    #[test]
    fn non_frame_events_are_skipped_and_counted_by_kind() {
        let r = read(
            header(
                "   0.000000 CAN 1 Status:chip status error active\n   0.500000 CAN 2 Status:chip status \
                 other - TxErr: 0\n   1.000000 1  Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%\n\
                 \x20  1.100000 EnvSpeed := 12\n   1.200000 SV: 1 0 1 ::Sys::Var = 3\n   1.300000 log trigger event\n\
                 \x20 17.876976 1  J1939TP FEE3p 6 0 0 - Rx d 23 A0 0F A6 60 3B D1 40\n   2.0 CANXL 1 Rx XLFF 1 2\n   2.1 1 5 Rx d 1 01\n",
            )
            .as_bytes(),
        );
        // The frame, and the chip status that names a state.
        assert_eq!(r.items.len(), 2);
        for reason in [
            SKIP_CHIP_STATUS,
            SKIP_STATISTIC,
            SKIP_ENV_VAR,
            SKIP_SYS_VAR,
            SKIP_TRIGGER,
            SKIP_OTHER_EVENT,
            SKIP_CANXL,
            SKIP_START,
        ] {
            assert_eq!(r.skipped.get(reason), Some(&1), "{reason}: {:?}", r.skipped);
        }
    }

    #[test]
    fn bus_states_and_drops_go_out_and_come_back() {
        let out = Shared::default();
        let mut w = writer(&out);
        let ev = |t: i64, channel, kind| Record::Event(Event { timestamp: Timestamp(T0 + t), channel, kind });
        let records = [
            Record::Frame(
                data(1, false, &[1]).with_timestamp(Timestamp(T0)).with_channel(Channel::number(1)),
            ),
            ev(1_000, Channel::number(2), EventKind::BusState(BusState::ErrorPassive)),
            ev(2_000, Channel::number(1), EventKind::BusState(BusState::BusOff)),
            ev(2_000, Channel::NONE, EventKind::Dropped(12)),
            ev(3_000, Channel::number(1), EventKind::BusState(BusState::ErrorActive)),
            ev(4_000, Channel::number(1), EventKind::BusState(BusState::ErrorWarning)),
        ];
        for r in &records {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
        assert!(w.losses().is_empty(), "{:?}", w.losses());
        let text = out.text();
        assert!(text.contains("   0.000001 CAN 2 Status:chip status error passive\n"), "{text}");
        assert!(text.contains("// cankit: 12 frames dropped (receive buffer overflow)\n"), "{text}");
        let r = read(text.as_bytes());
        let got: Vec<Record> = r.items.into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(got.len(), records.len());
        for (g, want) in got.iter().zip(&records).skip(1) {
            let (Record::Event(g), Record::Event(want)) = (g, want) else { panic!("{g:?}") };
            assert_eq!(g.kind, want.kind);
            if !matches!(want.kind, EventKind::Dropped(_)) {
                assert_eq!((g.channel, g.timestamp), (want.channel, want.timestamp));
            }
        }
    }

    #[test]
    fn crlf_line_ends_are_read() {
        let text = header("   0.001 1 123 Rx d 2 01 02\n").replace('\n', "\r\n");
        assert_eq!(frames(text.as_bytes()), vec![at(data(0x123, false, &[1, 2]), 1000, 1)]);
    }

    #[test]
    fn comments_after_the_header_are_events_and_markers_come_back() {
        let r = read(header("// Measurement note\n   1.5 1 1 Rx d 0\n// Marker: brake test\n").as_bytes());
        let kinds: Vec<EventKind> = r
            .items
            .into_iter()
            .filter_map(|i| match i.unwrap() {
                Record::Event(e) => Some(e.kind),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            vec![EventKind::Comment("Measurement note".into()), EventKind::Marker("brake test".into())]
        );
    }

    #[test]
    fn malformed_lines_name_file_and_line_and_reading_goes_on() {
        let r = read(
            b"base hex  timestamps absolute\n   0.1 1 123 Rx d 4 01 02\n   0.2 1 20000000 Rx d 0\n   0.3 1 12G Rx d 0\n\
              \x20  0.4 CANFD 1 Rx 1 0 0 9 12 00\n   0.5 1 1 Rx d 1 01\n",
        );
        let errors: Vec<String> =
            r.items.iter().filter_map(|i| i.as_ref().err().map(|e| e.to_string())).collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("t.asc:line 2: expected 4 data bytes"), "{}", errors[0]);
        assert!(
            errors[1].starts_with("t.asc:line 3: identifier 0x20000000 does not fit in 29 bits"),
            "{}",
            errors[1]
        );
        assert!(errors[2].starts_with("t.asc:line 4: expected a hex identifier"), "{}", errors[2]);
        assert!(errors[3].starts_with("t.asc:line 5: expected 12 data bytes"), "{}", errors[3]);
        assert!(r.items.iter().all(|i| i.as_ref().map_or_else(|e| e.is_recoverable(), |_| true)));
        assert!(matches!(r.items.last(), Some(Ok(Record::Frame(f))) if f.data() == [1]));
    }

    #[test]
    fn truncated_file_yields_every_complete_line() {
        let text = header(
            "   0.1 1 1 Rx d 2 01 02\n   0.2 1 2 Rx d 2 01 02\n   0.3 1 3 Rx d 8 01 02 03 04 05 06 07 08\n",
        );
        let cut = text.find("05 06").unwrap();
        let r = read(&text.as_bytes()[..cut]);
        let ids: Vec<u32> = r
            .items
            .iter()
            .filter_map(|i| match i {
                Ok(Record::Frame(f)) => Some(f.id()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, vec![1, 2]);
        assert!(matches!(r.items.last(), Some(Err(e)) if e.to_string().contains("line 9")));
    }

    // --- writer ---------------------------------------------------------------------------

    /// A `Write` the test can look into after the writer is gone.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn writer(out: &Shared) -> AscWriter {
        AscWriter::new(
            Box::new(out.clone()),
            "o.asc",
            &WriteOptions { tz: TimeZone::Utc, ..Default::default() },
        )
    }

    #[test]
    fn writer_prints_what_canoe_writes() {
        let out = Shared::default();
        let mut w = writer(&out);
        let t = |us: i64| Timestamp(T0 + 32_000_000 + 400 + us * 1000);
        let fd = Frame::new_fd(0x456, false, &(0..12).collect::<Vec<u8>>(), true, false).unwrap();
        for f in [
            data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF])
                .with_timestamp(t(0))
                .with_channel(Channel::number(1)),
            data(0x1ABCDEF0, true, &[1, 2, 3, 4, 5, 6, 7, 8])
                .with_timestamp(t(500_000))
                .with_channel(Channel::number(2))
                .with_direction(Direction::Tx),
            Frame::new_remote(0x7FF, false, 3).unwrap().with_timestamp(t(1_000_000)),
            fd.with_timestamp(t(1_250_000)).with_channel(Channel::name("can0")),
            Frame::new_error(CAN_ERR_BUSERROR, [0; 8])
                .unwrap()
                .with_timestamp(t(2_000_000))
                .with_channel(Channel::number(1)),
        ] {
            w.write(&Record::Frame(f)).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(
            out.text(),
            "date Tue Nov 14 22:13:20.032 2023\n\
             base hex  timestamps absolute\n\
             internal events logged\n\
             // version 9.0.0\n\
             Begin Triggerblock Tue Nov 14 22:13:20.032 2023\n   0.000000 Start of measurement\n   0.000000 1  123             Rx   d 4 DE AD BE EF\n   0.500000 2  1ABCDEF0x       Tx   d 8 01 02 03 04 05 06 07 08\n   1.000000 1  7FF             Rx   r 3\n   1.250000 CANFD   1 Rx        456                                   1 0 9 12 00 01 02 03 04 05 06 07 08 09 0A 0B        0    0     3000        0        0        0        0        0\n   2.000000 1  ErrorFrame\n\
             End TriggerBlock\n"
        );
        assert_eq!(w.losses().get(LOSS_CHANNEL_NAME), Some(&1));
    }

    #[test]
    fn dropped_writer_still_ends_the_trigger_block() {
        let out = Shared::default();
        {
            let mut w = writer(&out);
            w.write(&Record::Frame(data(1, false, &[]).with_timestamp(Timestamp(T0)))).unwrap();
        }
        assert!(
            out.text().ends_with("   0.000000 1  1               Rx   d 0\nEnd TriggerBlock\n"),
            "{}",
            out.text()
        );
        let empty = Shared::default();
        writer(&empty).finish().unwrap();
        assert_eq!(frames(empty.text().as_bytes()), vec![]);
        assert!(empty.text().ends_with("Start of measurement\nEnd TriggerBlock\n"));
    }

    #[test]
    fn every_frame_kind_round_trips_to_the_microsecond() {
        let base = T0 + 123_456_789;
        let t = |us: i64| Timestamp(base + us * 1000 + 999);
        let ecc_frame = Frame::new_error(
            CAN_ERR_PROT | CAN_ERR_BUSERROR,
            [0, 0, CAN_ERR_PROT_FORM | CAN_ERR_PROT_TX, CAN_ERR_PROT_LOC_SRTR, 0, 0, 0, 0],
        )
        .unwrap();
        let written = vec![
            data(0x123, false, &[1, 2, 3]).with_channel(Channel::number(1)),
            data(0x1FFFFFFF, true, &[0xFF; 8])
                .with_channel(Channel::number(12))
                .with_direction(Direction::Tx),
            data(0, false, &[]).with_channel(Channel::number(3)),
            data(0x7FF, false, &[9; 8]).with_len8_dlc(14).with_channel(Channel::number(1)),
            Frame::new_remote(0x10, true, 0).unwrap().with_channel(Channel::number(2)),
            Frame::new_remote(0x10, false, 8).unwrap().with_len8_dlc(9).with_channel(Channel::number(2)),
            Frame::new_fd(0x1234567, true, &[0xA5; 64], false, true)
                .unwrap()
                .with_channel(Channel::number(4))
                .with_direction(Direction::Tx),
            Frame::new_fd(0x5, false, &[], true, true).unwrap().with_channel(Channel::number(1)),
            Frame::new_fd(
                0x5,
                false,
                &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
                true,
                false,
            )
            .unwrap()
            .with_channel(Channel::number(1)),
            Frame::new_error(CAN_ERR_BUSERROR, [0; 8]).unwrap().with_channel(Channel::number(2)),
            ecc_frame.with_channel(Channel::number(1)),
        ];
        let written: Vec<Frame> =
            written.into_iter().enumerate().map(|(i, f)| f.with_timestamp(t(i as i64 * 1_000_017))).collect();
        let out = Shared::default();
        let mut w = writer(&out);
        for f in &written {
            w.write(&Record::Frame(*f)).unwrap();
        }
        w.write(&Record::Event(Event {
            // At the last frame's time: comment lines carry no time of their own.
            timestamp: written.last().unwrap().timestamp,
            channel: Channel::NONE,
            kind: EventKind::Comment("two\nlines".into()),
        }))
        .unwrap();
        w.finish().unwrap();
        assert!(w.losses().is_empty(), "{:?}", w.losses());
        let r = read(out.text().as_bytes());
        let expected: Vec<Frame> = written
            .iter()
            .map(|f| f.with_timestamp(Timestamp(f.timestamp.as_nanos() / 1000 * 1000)))
            .collect();
        let got: Vec<Frame> = r
            .items
            .iter()
            .filter_map(|i| match i {
                Ok(Record::Frame(f)) => Some(*f),
                _ => None,
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(r.start, Some(Timestamp(base / 1_000_000 * 1_000_000)));
        assert_eq!(r.items.len(), written.len() + 2);
    }

    #[test]
    fn what_asc_cannot_hold_is_counted() {
        let out = Shared::default();
        let mut w = writer(&out);
        let ev = |kind| Record::Event(Event { timestamp: Timestamp(T0), channel: Channel::NONE, kind });
        w.write(&ev(EventKind::BusState(crate::bus::BusState::BusOff))).unwrap();
        w.write(&ev(EventKind::Dropped(3))).unwrap();
        let f = Frame::new_error(0x40, [0; 8])
            .unwrap()
            .with_direction(Direction::Tx)
            .with_channel(Channel::name("vcan7"))
            .with_timestamp(Timestamp(T0));
        w.write(&Record::Frame(f)).unwrap();
        w.write(&Record::Frame(data(1, false, &[]).with_timestamp(Timestamp(T0 - 5)))).unwrap();
        w.finish().unwrap();
        let l = w.losses();
        for reason in [LOSS_ERROR_DETAIL, LOSS_ERROR_DIRECTION, LOSS_CHANNEL_NAME, LOSS_EARLY] {
            assert_eq!(l.get(reason), Some(&1), "{reason}: {l:?}");
        }
        assert!(out.text().contains(" 8  ErrorFrame\n"), "{}", out.text());
        assert!(w.write(&Record::Frame(data(1, false, &[]))).is_err());
    }

    /// Release-mode figures: `cargo test --release --lib log::asc -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn throughput_of_one_million_classic_frames() {
        let n = 1_000_000u64;
        let mut frames = Vec::with_capacity(n as usize);
        let mut seed = 0x1234_5678u32;
        for i in 0..n {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let ext = seed % 4 == 0;
            let id = if ext { seed >> 3 } else { seed >> 21 };
            let len = (seed >> 8) as usize % 9;
            let bytes = seed.to_le_bytes().repeat(2);
            let f = Frame::new_data(id, ext, &bytes[..len]).unwrap();
            frames.push(
                f.with_timestamp(Timestamp(T0 + i as i64 * 1_000_000)).with_channel(Channel::number(1)),
            );
        }
        let out = Shared::default();
        let begin = std::time::Instant::now();
        let mut w = writer(&out);
        for f in &frames {
            w.write(&Record::Frame(*f)).unwrap();
        }
        w.finish().unwrap();
        let write = begin.elapsed();
        let bytes = out.0.lock().unwrap().clone();
        let begin = std::time::Instant::now();
        let r = AscReader::new(Box::new(Cursor::new(bytes)), "bench.asc", &utc());
        let mut got = 0u64;
        for item in r {
            if let Ok(Record::Frame(_)) = item {
                got += 1;
            }
        }
        let read = begin.elapsed();
        assert_eq!(got, n);
        println!(
            "write {:.2} M frames/s, read {:.2} M frames/s",
            n as f64 / write.as_secs_f64() / 1e6,
            n as f64 / read.as_secs_f64() / 1e6
        );
    }
}
