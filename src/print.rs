//! Printing frames and bus events for people and scripts: one [`Printer`], three formats.
//!
//! * `human`: aligned columns with local time of day, channel, direction, id, flags, length, data
//!   and, for error frames, what the error means.
//! * `log`: candump `-L` lines, byte-identical to what `candump -L` prints, so can-utils
//!   (`canplayer`, `log2asc`) and python-can read them back.
//! * `json`: one JSON object per line with python-can's field names, for scripts.
//!
//! Printers append to a caller-owned `Vec<u8>` so a watcher can batch many frames into one write.
//! Events that are not frames (drops, state changes) go to stdout only in JSON; the other formats
//! leave them to the caller (stderr), so a `log` stream stays a valid candump log.

use std::io::Write;

use crate::bus::BusEvent;
use crate::digits::push_hex_byte;
use crate::frame::{Frame, FrameKind};
use crate::text;

/// Output format of frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Log,
    Json,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["human", "log", "json"];

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "human" => Some(Format::Human),
            "log" | "candump" => Some(Format::Log),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Formats frames into a byte buffer.
#[derive(Clone, Debug)]
pub struct Printer {
    format: Format,
    /// Print 9 fractional digits in `log` format (can-utils' `-N`).
    nanos: bool,
    /// UTC offset of local time in seconds, looked up once: printing must not consult the time
    /// zone rules per frame.
    utc_offset: i64,
}

impl Printer {
    pub fn new(format: Format) -> Printer {
        Printer { format, nanos: false, utc_offset: local_utc_offset() }
    }

    pub fn with_nanos(mut self, nanos: bool) -> Printer {
        self.nanos = nanos;
        self
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Append one frame, with its line end.
    pub fn frame(&self, out: &mut Vec<u8>, frame: &Frame) {
        match self.format {
            Format::Log => text::push_log_line(out, frame, self.nanos),
            Format::Human => self.human(out, frame),
            Format::Json => json_frame(out, frame),
        }
    }

    /// Append a non-frame event if this format carries events on stdout (JSON only); returns
    /// whether it did.
    pub fn event(&self, out: &mut Vec<u8>, event: &BusEvent) -> bool {
        if self.format != Format::Json {
            return false;
        }
        match event {
            BusEvent::Frame(f) => json_frame(out, f),
            BusEvent::State(s) => {
                let _ = writeln!(out, r#"{{"event":"state","state":"{s}"}}"#);
            }
            BusEvent::Dropped { count } => {
                let _ = writeln!(out, r#"{{"event":"dropped","count":{count}}}"#);
            }
            BusEvent::Invalid { source, reason } => {
                out.extend_from_slice(br#"{"event":"invalid","source":"#);
                json_string(out, source);
                out.extend_from_slice(br#","reason":"#);
                json_string(out, reason);
                out.extend_from_slice(b"}\n");
            }
            BusEvent::Notice { source, message } => {
                out.extend_from_slice(br#"{"event":"notice","source":"#);
                json_string(out, source);
                out.extend_from_slice(br#","message":"#);
                json_string(out, message);
                out.extend_from_slice(b"}\n");
            }
        }
        true
    }

    fn human(&self, out: &mut Vec<u8>, f: &Frame) {
        let local = f.timestamp.secs() + self.utc_offset;
        let day = local.rem_euclid(86_400);
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}.{:06}  {:>8}  {}  ",
            day / 3600,
            day / 60 % 60,
            day % 60,
            f.timestamp.subsec_nanos() / 1000,
            ChannelColumn(f),
            f.direction.as_str()
        );
        if f.is_extended() {
            let _ = write!(out, "{:08X}", f.id());
        } else {
            let _ = write!(out, "     {:03X}", f.id());
        }
        let flags = match f.kind() {
            FrameKind::Data => "    ",
            FrameKind::Remote => "R   ",
            FrameKind::Error => "ERR ",
            FrameKind::Fd => match (f.brs(), f.esi()) {
                (true, true) => "FBE ",
                (true, false) => "FB  ",
                (false, true) => "F E ",
                (false, false) => "F   ",
            },
        };
        let _ = write!(out, "  {flags} [{:>2}]", f.len());
        if f.is_remote() {
            out.extend_from_slice(b"  remote request");
        } else {
            out.push(b' ');
            for b in f.data() {
                out.push(b' ');
                push_hex_byte(out, *b);
            }
        }
        if f.is_error() {
            out.extend_from_slice(b"  ");
            out.extend_from_slice(crate::error_frame::describe(f).join(", ").as_bytes());
        }
        out.push(b'\n');
    }
}

struct ChannelColumn<'a>(&'a Frame);

impl std::fmt::Display for ChannelColumn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.channel.is_none() {
            f.pad("-")
        } else {
            self.0.channel.fmt(f)
        }
    }
}

/// One frame as a JSON object with python-can's `Message` field names.
fn json_frame(out: &mut Vec<u8>, f: &Frame) {
    let ts = f.timestamp;
    let (sign, secs, nanos) = if ts.as_nanos() < 0 {
        let abs = -(ts.as_nanos() as i128);
        ("-", (abs / 1_000_000_000) as i64, (abs % 1_000_000_000) as u32)
    } else {
        ("", ts.secs(), ts.subsec_nanos())
    };
    let _ = write!(out, r#"{{"timestamp":{sign}{secs}.{nanos:09},"channel":"#);
    match (f.channel.as_number(), f.channel.as_name()) {
        (Some(n), _) => {
            let _ = write!(out, "{n}");
        }
        (None, Some(name)) => json_string(out, name),
        (None, None) => out.extend_from_slice(b"null"),
    }
    let _ = write!(
        out,
        r#","arbitration_id":{},"is_extended_id":{},"is_remote_frame":{},"is_error_frame":{},"is_fd":{},"bitrate_switch":{},"error_state_indicator":{},"dlc":{},"data":""#,
        f.id(),
        f.is_extended(),
        f.is_remote(),
        f.is_error(),
        f.is_fd(),
        f.brs(),
        f.esi(),
        f.len(),
    );
    for b in f.data() {
        push_hex_byte(out, *b);
    }
    let _ = write!(
        out,
        r#"","direction":"{}","frame":""#,
        if f.direction.as_str() == "Tx" { "tx" } else { "rx" }
    );
    text::push_frame(out, f);
    out.push(b'"');
    if f.is_error() {
        out.extend_from_slice(br#","error":["#);
        for (i, word) in crate::error_frame::describe(f).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_string(out, word);
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}\n");
}

/// A JSON string literal with the escapes JSON requires.
pub fn json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Seconds east of UTC for local time now.
fn local_utc_offset() -> i64 {
    jiff::tz::TimeZone::system().to_offset(jiff::Timestamp::now()).seconds() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Channel, Timestamp};

    fn sample() -> Frame {
        Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF])
            .unwrap()
            .with_channel(Channel::name("vcan0"))
            .with_timestamp(Timestamp::from_parts(1_700_000_000, 123_456_000))
    }

    #[test]
    fn json_lines_carry_python_can_field_names() {
        let mut out = Vec::new();
        Printer::new(Format::Json).frame(&mut out, &sample());
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "{\"timestamp\":1700000000.123456000,\"channel\":\"vcan0\",\"arbitration_id\":291,\
             \"is_extended_id\":false,\"is_remote_frame\":false,\"is_error_frame\":false,\"is_fd\":false,\
             \"bitrate_switch\":false,\"error_state_indicator\":false,\"dlc\":4,\"data\":\"DEADBEEF\",\
             \"direction\":\"rx\",\"frame\":\"123#DEADBEEF\"}\n"
        );
    }

    #[test]
    fn human_columns_align_standard_and_extended_ids() {
        let p = Printer { format: Format::Human, nanos: false, utc_offset: 0 };
        let mut out = Vec::new();
        p.frame(&mut out, &sample());
        p.frame(
            &mut out,
            &Frame::new_remote(0x1F334455, true, 3).unwrap().with_channel(Channel::name("vcan0")),
        );
        let s = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "22:13:20.123456     vcan0  Rx       123       [ 4]  DE AD BE EF");
        assert_eq!(lines[1], "00:00:00.000000     vcan0  Rx  1F334455  R    [ 3]  remote request");
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        json_string(&mut out, "a\"b\\c\u{1}");
        assert_eq!(out, b"\"a\\\"b\\\\c\\u0001\"");
    }
}
