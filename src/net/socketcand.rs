//! The socketcand protocol's text: elements (`< word arg … >`), the commands a client sends and
//! the frames a server sends, parsed and printed exactly as the daemon (linux-can/socketcand) and
//! python-can's `socketcand` interface write them. Used by [`crate::server`] (the server side) and
//! by the `socketcand` bus backend (the client side). Notes: `specs/socketcand.md`.
//!
//! Numbers follow the daemon: ids are hex and an id token of exactly 8 characters is an extended
//! id; lengths are decimal (hex digits A–F are accepted too, as python-can writes the DLC in hex);
//! data bytes are 1–2 hex digits each. Frames go out as `%03X`/`%08X` ids, `sec.usec` times and
//! uppercase hex.

use std::fmt::Write as _;

use crate::frame::{fd_len_to_dlc, Frame, Timestamp, CAN_ERR_FLAG};

/// The daemon's receive buffer (`MAXLEN`): an element that grows past this without a `>` is
/// garbage, thrown away.
pub const MAX_ELEMENT: usize = 2 * 4095 + 100;

/// Splits a byte stream into elements as the daemon's `receive_command` does: bytes before the
/// first `<` are thrown away, an element runs to the first `>` after it. A buffer that holds no
/// `<` is discarded, and an unfinished element longer than [`MAX_ELEMENT`] is discarded and
/// counted, so memory stays bounded whatever a peer sends.
#[derive(Default)]
pub struct Splitter {
    buf: Vec<u8>,
    /// Bytes thrown away (outside elements, or oversized elements), for the peer's log line.
    pub discarded: u64,
    /// Oversized elements thrown away.
    pub oversized: u64,
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter::default()
    }

    /// Append received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete element (with its `<` and `>`), if one is buffered.
    pub fn next_element(&mut self) -> Option<String> {
        loop {
            let Some(start) = memchr::memchr(b'<', &self.buf) else {
                self.discarded += self.buf.len() as u64;
                self.buf.clear();
                return None;
            };
            if start > 0 {
                self.discarded += start as u64;
                self.buf.drain(..start);
            }
            match memchr::memchr(b'>', &self.buf) {
                Some(end) if end >= MAX_ELEMENT => {
                    // Longer than the daemon's buffer: garbage, whatever follows.
                    self.discarded += end as u64 + 1;
                    self.oversized += 1;
                    self.buf.drain(..=end);
                }
                Some(end) => {
                    let element = String::from_utf8_lossy(&self.buf[..=end]).into_owned();
                    self.buf.drain(..=end);
                    return Some(element);
                }
                None => {
                    if self.buf.len() > MAX_ELEMENT {
                        self.discarded += self.buf.len() as u64;
                        self.oversized += 1;
                        self.buf.clear();
                    }
                    return None;
                }
            }
        }
    }

    /// Bytes of an unfinished element waiting for its `>`.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

/// An element shortened for a log line.
pub fn shorten(element: &str) -> String {
    let trimmed = element.trim();
    match trimmed.char_indices().nth(80) {
        Some((at, _)) => format!("{}…", &trimmed[..at]),
        None => trimmed.to_string(),
    }
}

/// The words of an element: what lies between `<` and `>`, split on whitespace.
pub fn words(element: &str) -> Vec<&str> {
    let inner = element.strip_prefix('<').unwrap_or(element);
    let inner = inner.strip_suffix('>').unwrap_or(inner);
    inner.split_whitespace().collect()
}

/// Why a command's arguments were refused (the daemon logs these and answers nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn syntax(message: impl Into<String>) -> SyntaxError {
    SyntaxError(message.into())
}

/// An id token: hex, extended iff exactly 8 characters (the daemon's `element_length(...) == 8`);
/// a standard id above 0x7FF is masked to 11 bits, as the kernel does with the daemon's frame.
pub fn parse_id(token: &str) -> Result<(u32, bool), SyntaxError> {
    let value =
        u32::from_str_radix(token, 16).map_err(|_| syntax(format!("'{token}' is not a hex CAN id")))?;
    if token.len() == 8 {
        Ok((value & 0x1FFF_FFFF, true))
    } else {
        Ok((value & 0x7FF, false))
    }
}

/// A length token: decimal as the daemon reads it; python-can writes it in hex (`A`..`F` for
/// 10..15 only matter for FD), so a token with hex letters is read as hex.
pub fn parse_len(token: &str) -> Result<usize, SyntaxError> {
    let bad = || syntax(format!("'{token}' is not a length"));
    if token.is_empty() || token.len() > 3 {
        return Err(bad());
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        token.parse().map_err(|_| bad())
    } else {
        usize::from_str_radix(token, 16).map_err(|_| bad())
    }
}

/// Data byte tokens, 1 or 2 hex digits each; their number must be `len`.
pub fn parse_bytes(tokens: &[&str], len: usize) -> Result<Vec<u8>, SyntaxError> {
    if tokens.len() != len {
        return Err(syntax(format!("{} data bytes where the length says {len}", tokens.len())));
    }
    tokens
        .iter()
        .map(|t| {
            if t.is_empty() || t.len() > 2 {
                return Err(syntax(format!("'{t}' is not a data byte")));
            }
            u8::from_str_radix(t, 16).map_err(|_| syntax(format!("'{t}' is not a data byte")))
        })
        .collect()
}

/// Seconds and microseconds of a BCM interval.
pub fn parse_interval(sec: &str, usec: &str) -> Result<std::time::Duration, SyntaxError> {
    let s: u64 = sec.parse().map_err(|_| syntax(format!("'{sec}' is not a number of seconds")))?;
    let u: u64 = usec.parse().map_err(|_| syntax(format!("'{usec}' is not a number of microseconds")))?;
    // Bounded so that adding it to an Instant cannot overflow (a year is plenty for a cycle).
    let total =
        std::time::Duration::from_secs(s.min(365 * 86400)) + std::time::Duration::from_micros(u.min(1 << 40));
    Ok(total)
}

/// A frame from `< send id len b… >` (also PR #72's FD form: a length above 8 that is a CAN FD
/// length makes an FD frame).
pub fn parse_send(args: &[&str]) -> Result<Frame, SyntaxError> {
    let [id, len, bytes @ ..] = args else {
        return Err(syntax("send needs an id and a length"));
    };
    let (id, extended) = parse_id(id)?;
    let len = parse_len(len)?;
    let data = parse_bytes(bytes, len)?;
    if len <= 8 {
        Frame::new_data(id, extended, &data).map_err(|e| syntax(e.to_string()))
    } else if fd_len_to_dlc(len).is_some() {
        Frame::new_fd(id, extended, &data, false, false).map_err(|e| syntax(e.to_string()))
    } else {
        Err(syntax(format!("length {len} is above 8 and not a CAN FD length")))
    }
}

/// A CAN FD frame from the `rawmode-canfd` branch's `< sendfd id len b… >` (flags: none, so
/// with the bit-rate switch as the branch sends) or PR #33's `< fdsend id flags len b… >`.
pub fn parse_sendfd(args: &[&str], with_flags: bool) -> Result<Frame, SyntaxError> {
    let (flags, rest) = if with_flags {
        let [id, flags, rest @ ..] = args else {
            return Err(syntax("fdsend needs an id, flags and a length"));
        };
        let flags =
            u8::from_str_radix(flags, 16).map_err(|_| syntax(format!("'{flags}' is not hex flags")))?;
        let mut v = vec![*id];
        v.extend_from_slice(rest);
        (flags, v)
    } else {
        (0x01, args.to_vec()) // CANFD_BRS
    };
    let [id, len, bytes @ ..] = rest.as_slice() else {
        return Err(syntax("sendfd needs an id and a length"));
    };
    let (id, extended) = parse_id(id)?;
    let len = parse_len(len)?;
    if fd_len_to_dlc(len).is_none() {
        return Err(syntax(format!("{len} is not a CAN FD length (0-8, 12, 16, 20, 24, 32, 48, 64)")));
    }
    let data = parse_bytes(bytes, len)?;
    Frame::new_fd(id, extended, &data, flags & 0x01 != 0, flags & 0x02 != 0)
        .map_err(|e| syntax(e.to_string()))
}

fn push_id(out: &mut String, id: u32, extended: bool) {
    if extended {
        let _ = write!(out, "{:08X}", id & 0x1FFF_FFFF);
    } else {
        let _ = write!(out, "{:03X}", id & 0x7FF);
    }
}

fn push_time(out: &mut String, t: Timestamp) {
    let _ = write!(out, "{}.{:06}", t.secs(), t.subsec_nanos() / 1000);
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_hex(out: &mut String, data: &[u8]) {
    for b in data {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

/// Append a frame as RAW mode sends it: `< frame 123 1700000000.000001 DEADBEEF >`,
/// `< fdframe … >` for CAN FD (the `rawmode-canfd` branch), `< error 004 1700000000.000001 >`
/// for error frames. Remote frames are not forwarded by the daemon (returns false).
pub fn push_raw_frame(out: &mut String, frame: &Frame) -> bool {
    if frame.is_remote() {
        return false;
    }
    if frame.is_error() {
        out.push_str("< error ");
        let _ = write!(out, "{:03X}", frame.id() & 0x1FFF_FFFF);
        out.push(' ');
        push_time(out, frame.timestamp);
        out.push_str(" >");
        return true;
    }
    out.push_str(if frame.is_fd() { "< fdframe " } else { "< frame " });
    push_id(out, frame.id(), frame.is_extended());
    out.push(' ');
    push_time(out, frame.timestamp);
    out.push(' ');
    push_hex(out, frame.data());
    out.push_str(" >");
    true
}

/// Append a frame as BCM mode sends it: bytes each followed by a space, so two spaces before
/// `>` (`< frame 123 1700000000.000001 DE AD  >`); error frames with the error flag in the id and
/// their 8 bytes.
pub fn push_bcm_frame(out: &mut String, frame: &Frame) {
    if frame.is_error() {
        out.push_str("< error ");
        let _ = write!(out, "{:03X}", frame.id() | CAN_ERR_FLAG);
    } else {
        out.push_str("< frame ");
        push_id(out, frame.id(), frame.is_extended());
    }
    out.push(' ');
    push_time(out, frame.timestamp);
    out.push(' ');
    for b in frame.data() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
        out.push(' ');
    }
    out.push_str(" >");
}

/// Append the command that sends `frame` (client side): `< send id len b… >` for classic frames
/// with python-can's spelling of the bytes (two hex digits here), `< sendfd … >` for CAN FD (the
/// `rawmode-canfd` extension). Remote and error frames cannot be sent over this protocol.
pub fn push_send(out: &mut String, frame: &Frame) -> Result<(), &'static str> {
    if frame.is_remote() {
        return Err("the socketcand protocol has no remote frames");
    }
    if frame.is_error() {
        return Err("the socketcand protocol cannot send error frames");
    }
    out.push_str(if frame.is_fd() { "< sendfd " } else { "< send " });
    push_id(out, frame.id(), frame.is_extended());
    let _ = write!(out, " {}", frame.len());
    for b in frame.data() {
        out.push(' ');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out.push_str(" >");
    Ok(())
}

/// A frame the server sent (client side): `frame` and `fdframe` elements in RAW form
/// (concatenated hex) or BCM form (spaced bytes), and `error` elements. `None` for other
/// elements (`ok`, `echo`, `stat`, free-text errors).
pub fn parse_server_frame(element: &str) -> Option<Result<Frame, SyntaxError>> {
    let w = words(element);
    let (&kind, args) = w.split_first()?;
    match kind {
        "frame" | "fdframe" => Some(parse_frame_words(args, kind == "fdframe")),
        "error" => {
            // `< error 004 1700000000.000000 >`; free text (`< error unknown command >`) is not a frame.
            let [class, time, ..] = args else { return None };
            let class = u32::from_str_radix(class, 16).ok()?;
            let t = parse_time(time).ok()?;
            let mut data = [0u8; 8];
            for (slot, tok) in data.iter_mut().zip(args.iter().skip(2)) {
                *slot = u8::from_str_radix(tok, 16).unwrap_or(0);
            }
            Some(
                Frame::new_error(class & 0x1FFF_FFFF, data)
                    .map(|f| f.with_timestamp(t))
                    .map_err(|e| syntax(e.to_string())),
            )
        }
        _ => None,
    }
}

fn parse_time(token: &str) -> Result<Timestamp, SyntaxError> {
    let bad = || syntax(format!("'{token}' is not a sec.usec timestamp"));
    let (s, u) = token.split_once('.').unwrap_or((token, "0"));
    let secs: i64 = s.parse().map_err(|_| bad())?;
    if u.is_empty() || u.len() > 9 || !u.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let frac: u32 = u.parse().map_err(|_| bad())?;
    let nanos = frac * 10u32.pow(9 - u.len() as u32);
    Ok(Timestamp::from_parts(secs, nanos))
}

fn parse_frame_words(args: &[&str], fd: bool) -> Result<Frame, SyntaxError> {
    let [id, time, data @ ..] = args else {
        return Err(syntax("a frame needs an id and a time"));
    };
    let (id, extended) = parse_id(id)?;
    let t = parse_time(time)?;
    let mut bytes = Vec::with_capacity(64);
    for tok in data {
        if tok.len() % 2 != 0 {
            return Err(syntax(format!("'{tok}' is not hex bytes")));
        }
        for pair in tok.as_bytes().chunks(2) {
            let text = std::str::from_utf8(pair).map_err(|_| syntax("not hex"))?;
            bytes
                .push(u8::from_str_radix(text, 16).map_err(|_| syntax(format!("'{tok}' is not hex bytes")))?);
        }
    }
    let frame = if fd || bytes.len() > 8 {
        let len = bytes.len();
        if fd_len_to_dlc(len).is_none() {
            return Err(syntax(format!("{len} bytes is not a CAN FD length")));
        }
        Frame::new_fd(id, extended, &bytes, fd, false)
    } else {
        Frame::new_data(id, extended, &bytes)
    };
    frame.map(|f| f.with_timestamp(t)).map_err(|e| syntax(e.to_string()))
}

/// The discovery beacon exactly as the daemon writes it (`beacon.c`).
pub fn beacon(host: &str, description: &str, url_host: &str, port: u16, buses: &[String]) -> String {
    let name: String = host.chars().take(32).collect();
    let mut out = format!(
        "<CANBeacon name=\"{name}\" type=\"SocketCAN\" description=\"{description}\">\n<URL>can://{url_host}:{port}</URL>"
    );
    for bus in buses {
        let _ = write!(out, "<Bus name=\"{bus}\"/>");
    }
    out.push_str("</CANBeacon>");
    out
}

/// What a beacon offers: the server's host and port from its URL and the bus names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BeaconInfo {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub buses: Vec<String>,
}

/// Read a beacon datagram (python-can's `detect_beacon` accepts the same: a `CANBeacon` root, a
/// `can://host:port` URL, `Bus` children).
pub fn parse_beacon(text: &str) -> Option<BeaconInfo> {
    let text = text.trim();
    if !text.starts_with("<CANBeacon") {
        return None;
    }
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_string())
    };
    let head_end = text.find('>')?;
    let name = attr(&text[..head_end], "name").unwrap_or_default();
    let url_start = text.find("<URL>")? + 5;
    let url_end = text[url_start..].find("</URL>")? + url_start;
    let url = text[url_start..url_end].trim();
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let port = port.parse().ok()?;
    let mut buses = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("<Bus") {
        let tag_start = from + at;
        let tag_end = text[tag_start..].find('>').map(|e| tag_start + e)?;
        if let Some(bus) = attr(&text[tag_start..tag_end], "name") {
            buses.push(bus);
        }
        from = tag_end;
    }
    Some(BeaconInfo { name, host, port, buses })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_split_as_the_daemon_splits_them() {
        let mut s = Splitter::new();
        s.push(b"junk< open can0 >between< rawmode ><send 1");
        assert_eq!(s.next_element().as_deref(), Some("< open can0 >"));
        assert_eq!(s.next_element().as_deref(), Some("< rawmode >"));
        assert_eq!(s.next_element(), None);
        s.push(b"23 0 >");
        assert_eq!(s.next_element().as_deref(), Some("<send 123 0 >"));
        assert_eq!(s.discarded, 11);
        s.push(b"no element here");
        assert_eq!(s.next_element(), None);
        assert_eq!(s.pending(), 0);
        s.push(b"<");
        s.push(&vec![b'x'; MAX_ELEMENT + 1]);
        assert_eq!(s.next_element(), None);
        assert_eq!((s.oversized, s.pending()), (1, 0));
        // An oversized element that does end is thrown away too; the next one is read.
        s.push(b"<");
        s.push(&vec![b'y'; MAX_ELEMENT]);
        s.push(b">< echo >");
        assert_eq!(s.next_element().as_deref(), Some("< echo >"));
        assert_eq!(s.oversized, 2);
    }

    #[test]
    fn sends_parse_like_the_daemon_and_python_can_writes_them() {
        let f = parse_send(&words("< send 1AAAAAAA 2 1 f1 >")[1..]).unwrap();
        assert_eq!((f.id(), f.is_extended(), f.data()), (0x1AAAAAAA, true, &[1, 0xf1][..]));
        let f = parse_send(&words("< send 123 0  >")[1..]).unwrap();
        assert_eq!((f.id(), f.is_extended(), f.len()), (0x123, false, 0));
        // 5 hex digits is a standard id, masked as the kernel does.
        assert_eq!(parse_send(&["12345", "0"]).unwrap().id(), 0x345);
        assert!(parse_send(&words("< send 7FF 8  >")[1..]).is_err(), "python-can's remote frame");
        assert!(parse_send(&["123", "2", "1"]).is_err());
        assert!(parse_send(&["xyz", "0"]).is_err());
        assert!(parse_send(&["123", "1", "100"]).is_err());
        let fd =
            parse_send(&["123", "12", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]).unwrap();
        assert!(fd.is_fd() && fd.len() == 12);
        let fd =
            parse_sendfd(&["123", "12", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1"], false)
                .unwrap();
        assert!(fd.is_fd() && fd.brs() && fd.data()[11] == 1);
        let fd = parse_sendfd(&["123", "02", "2", "a", "b"], true).unwrap();
        assert!(fd.is_fd() && !fd.brs() && fd.esi());
        assert!(parse_sendfd(&["123", "9", "0", "0", "0", "0", "0", "0", "0", "0", "0"], false).is_err());
    }

    #[test]
    fn frames_print_as_the_daemon_prints_them_and_read_back() {
        let t = Timestamp::from_parts(1_700_000_000, 1_000);
        let f = Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap().with_timestamp(t);
        let mut out = String::new();
        push_raw_frame(&mut out, &f);
        assert_eq!(out, "< frame 123 1700000000.000001 DEADBEEF >");
        out.clear();
        push_bcm_frame(&mut out, &f);
        assert_eq!(out, "< frame 123 1700000000.000001 DE AD BE EF  >");
        out.clear();
        let e = Frame::new_data(0x1ABCDEF0, true, &[]).unwrap().with_timestamp(t);
        push_raw_frame(&mut out, &e);
        assert_eq!(out, "< frame 1ABCDEF0 1700000000.000001  >");
        assert_eq!(parse_server_frame(&out).unwrap().unwrap(), e);
        out.clear();
        let err = Frame::new_error(0x40, [0; 8]).unwrap().with_timestamp(t);
        push_raw_frame(&mut out, &err);
        assert_eq!(out, "< error 040 1700000000.000001 >");
        assert_eq!(parse_server_frame(&out).unwrap().unwrap().id(), 0x40);
        out.clear();
        push_bcm_frame(&mut out, &err);
        assert_eq!(out, "< error 20000040 1700000000.000001 00 00 00 00 00 00 00 00  >");
        assert!(parse_server_frame("< error unknown command >").is_none());
        assert!(parse_server_frame("< ok >").is_none());
        let bcm = parse_server_frame("< frame 123 1700000000.000001 DE AD BE EF  >").unwrap().unwrap();
        assert_eq!(bcm, f);
        out.clear();
        assert!(!push_raw_frame(&mut out, &Frame::new_remote(0x12, false, 2).unwrap()));
        let fd = Frame::new_fd(0x10, false, &[7; 12], true, false).unwrap().with_timestamp(t);
        push_raw_frame(&mut out, &fd);
        assert_eq!(out, format!("< fdframe 010 1700000000.000001 {} >", "07".repeat(12)));
        assert_eq!(parse_server_frame(&out).unwrap().unwrap(), fd);
        out.clear();
        push_send(&mut out, &fd).unwrap();
        assert!(out.starts_with("< sendfd 010 12 07 07 "), "{out}");
    }

    #[test]
    fn beacons_are_the_daemons_bytes_and_read_back() {
        let b = beacon("pi", "socketcand", "127.0.0.1", 29536, &["can0".into(), "vcan1".into()]);
        assert_eq!(
            b,
            "<CANBeacon name=\"pi\" type=\"SocketCAN\" description=\"socketcand\">\n<URL>can://127.0.0.1:29536</URL><Bus name=\"can0\"/><Bus name=\"vcan1\"/></CANBeacon>"
        );
        let info = parse_beacon(&b).unwrap();
        assert_eq!(info.host, "127.0.0.1");
        assert_eq!(info.port, 29536);
        assert_eq!(info.buses, vec!["can0", "vcan1"]);
        assert!(parse_beacon("<other/>").is_none());
    }
}
