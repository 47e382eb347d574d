//! python-can's remote protocol (`can.interfaces.remote`): a TCP stream of events, each one byte
//! of event id and a body whose size the id determines, big-endian. Notes:
//! `specs/python-can-remote.md`, part A.
//!
//! python-can 2.0.0a2, the release the seed documents, speaks protocol version 4: a cyclic
//! transmission is a connection of its own whose first event is `PeriodicMessageStart` (period
//! as f64 seconds), changed by `PeriodicMessageUpdate` (event 9). The develop branch's version 5
//! (never released) carries the period and a duration in milliseconds and marks extended-id
//! filters with bit 31. Both are read; which layout event 7 has depends on the version the
//! stream declared ([`Decoder::set_version`]; 4 until told).

use std::time::Duration;

use crate::frame::{Frame, Timestamp};

/// The protocol version python-can 2.0.0a2 speaks (and cankit's client sends).
pub const VERSION: u8 = 4;
/// The develop branch's later version, also accepted.
pub const VERSION_5: u8 = 5;
/// Its default TCP port.
pub const DEFAULT_PORT: u16 = 54701;

pub const BUS_REQUEST: u8 = 1;
pub const BUS_RESPONSE: u8 = 2;
pub const CAN_MESSAGE: u8 = 3;
pub const TRANSMIT_SUCCESS: u8 = 4;
pub const TRANSMIT_FAIL: u8 = 5;
pub const REMOTE_EXCEPTION: u8 = 6;
pub const PERIODIC_START: u8 = 7;
pub const PERIODIC_STOP: u8 = 8;
pub const PERIODIC_UPDATE: u8 = 9;
pub const FILTER_CONFIG: u8 = 10;

/// One event of the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    BusRequest {
        version: u8,
        bitrate: i32,
    },
    BusResponse(String),
    Message(Frame),
    TransmitSuccess,
    TransmitFail,
    RemoteException(String),
    /// Start (or change) a cyclic transmission keyed by the arbitration id; `duration` only in
    /// version 5 (`None`: until stopped).
    PeriodicStart {
        period: Duration,
        duration: Option<Duration>,
        frame: Frame,
    },
    PeriodicStop {
        id: u32,
    },
    /// Version 4: new data for the running cyclic transmission.
    PeriodicUpdate(Frame),
    /// python-can filter dicts: `can_id`, `can_mask` and, when bit 31 of the mask is set, an
    /// `extended` flag carried in bit 31 of the id.
    FilterConfig(Vec<RemoteFilter>),
}

/// One python-can filter as FilterConfig carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteFilter {
    pub can_id: u32,
    pub can_mask: u32,
    pub extended: Option<bool>,
}

impl RemoteFilter {
    /// python-can's `BusABC._matches_filters` for one filter.
    pub fn matches(&self, frame: &Frame) -> bool {
        if let Some(ext) = self.extended {
            if ext != frame.is_extended() {
                return false;
            }
        }
        (frame.id() ^ self.can_id) & self.can_mask == 0
    }
}

/// Why a stream cannot be read on: the id is unknown, so the stream cannot be resynchronised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown event id {0} at offset {1}")]
    UnknownEvent(u8, u64),
    #[error("invalid {what} at offset {offset}: {reason}")]
    Invalid { what: &'static str, offset: u64, reason: String },
}

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn be_f64(b: &[u8]) -> f64 {
    f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// Reads events from a byte stream; keeps at most one event's bytes (under 2,100) buffered.
pub struct Decoder {
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`, for error messages.
    offset: u64,
    version: u8,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder { buf: Vec::new(), offset: 0, version: VERSION }
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// The protocol version the stream declared in its BusRequest (4 or 5).
    pub fn set_version(&mut self, version: u8) {
        self.version = version;
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered that do not make a whole event yet.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The next whole event, `Ok(None)` when more bytes are needed.
    pub fn next_event(&mut self) -> Result<Option<Event>, DecodeError> {
        let Some((event, used)) = decode(&self.buf, self.offset, self.version)? else {
            return Ok(None);
        };
        self.buf.drain(..used);
        self.offset += used as u64;
        Ok(Some(event))
    }
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// Decode one event from the front of `buf`: the event and the bytes it took, or `None` when the
/// buffer ends inside it. `offset` is the stream offset of `buf[0]`, for messages; `version` the
/// protocol version of the stream (event 7's layout).
pub fn decode(buf: &[u8], offset: u64, version: u8) -> Result<Option<(Event, usize)>, DecodeError> {
    let Some((&id, body)) = buf.split_first() else { return Ok(None) };
    let need = |n: usize| body.len() >= n;
    let invalid = |what, reason: String| DecodeError::Invalid { what, offset, reason };
    let event = match id {
        BUS_REQUEST => {
            if !need(5) {
                return Ok(None);
            }
            (Event::BusRequest { version: body[0], bitrate: be_i32(&body[1..5]) }, 6)
        }
        BUS_RESPONSE | REMOTE_EXCEPTION => {
            let Some(&n) = body.first() else { return Ok(None) };
            let n = usize::from(n);
            if !need(1 + n) {
                return Ok(None);
            }
            let s = text(&body[1..1 + n]);
            (if id == BUS_RESPONSE { Event::BusResponse(s) } else { Event::RemoteException(s) }, 2 + n)
        }
        CAN_MESSAGE | PERIODIC_UPDATE => {
            if !need(22) {
                return Ok(None);
            }
            let ts = be_f64(&body[0..8]);
            let arb = be_u32(&body[8..12]);
            let dlc = body[12];
            let flags = body[13];
            let frame = message_frame(ts, arb, dlc, flags, &body[14..22])
                .map_err(|reason| invalid("CanMessage", reason))?;
            (if id == CAN_MESSAGE { Event::Message(frame) } else { Event::PeriodicUpdate(frame) }, 23)
        }
        TRANSMIT_SUCCESS => (Event::TransmitSuccess, 1),
        TRANSMIT_FAIL => (Event::TransmitFail, 1),
        PERIODIC_START => {
            if !need(22) {
                return Ok(None);
            }
            let (period, duration) = if version >= VERSION_5 {
                let ms = |v: i32| Duration::from_millis(u64::try_from(v).unwrap_or(0));
                let duration = be_i32(&body[4..8]);
                (ms(be_i32(&body[0..4])), (duration > 0).then(|| ms(duration)))
            } else {
                let secs = be_f64(&body[0..8]);
                let secs = if secs.is_finite() { secs.clamp(0.0, 1e6) } else { 0.0 };
                (Duration::from_secs_f64(secs), None)
            };
            if period.is_zero() {
                return Err(invalid("PeriodicMessageStart", "a period of zero".into()));
            }
            let arb = be_u32(&body[8..12]);
            let dlc = body[12];
            let ext = body[13] != 0;
            let frame = message_frame(0.0, arb, dlc, u8::from(ext), &body[14..22])
                .map_err(|reason| invalid("PeriodicMessageStart", reason))?;
            (Event::PeriodicStart { period, duration, frame }, 23)
        }
        PERIODIC_STOP => {
            if !need(4) {
                return Ok(None);
            }
            (Event::PeriodicStop { id: be_u32(&body[0..4]) }, 5)
        }
        FILTER_CONFIG => {
            let Some(&n) = body.first() else { return Ok(None) };
            let n = usize::from(n);
            if !need(1 + 8 * n) {
                return Ok(None);
            }
            let filters = body[1..1 + 8 * n]
                .chunks_exact(8)
                .map(|c| {
                    let id = be_u32(&c[0..4]);
                    let mask = be_u32(&c[4..8]);
                    RemoteFilter {
                        can_id: id & 0x1FFF_FFFF,
                        can_mask: mask & 0x1FFF_FFFF,
                        extended: (mask & 0x8000_0000 != 0).then_some(id & 0x8000_0000 != 0),
                    }
                })
                .collect();
            (Event::FilterConfig(filters), 2 + 8 * n)
        }
        other => return Err(DecodeError::UnknownEvent(other, offset)),
    };
    Ok(Some(event))
}

fn message_frame(ts: f64, arb: u32, dlc: u8, flags: u8, data: &[u8]) -> Result<Frame, String> {
    let extended = flags & 1 != 0;
    let remote = flags & 2 != 0;
    let error = flags & 4 != 0;
    if dlc > 8 {
        return Err(format!("DLC {dlc} above 8"));
    }
    let frame = if error {
        let mut d = [0u8; 8];
        d.copy_from_slice(&data[..8]);
        Frame::new_error(arb & 0x1FFF_FFFF, d)
    } else if remote {
        Frame::new_remote(arb, extended, dlc)
    } else {
        Frame::new_data(arb, extended, &data[..usize::from(dlc)])
    }
    .map_err(|e| e.to_string())?;
    let ts = if ts.is_finite() && ts.abs() < 1e12 { Timestamp::from_secs_f64(ts) } else { Timestamp::ZERO };
    Ok(frame.with_timestamp(ts))
}

/// Append one event's bytes, event 7 in `version`'s layout. Texts longer than 255 bytes are cut
/// (python-can's sender raises). CAN FD frames have no place in this protocol: callers check
/// [`Frame::is_fd`] first (a frame with more than 8 bytes is cut to 8 here).
pub fn encode(out: &mut Vec<u8>, event: &Event, version: u8) {
    let push_text = |out: &mut Vec<u8>, id: u8, s: &str| {
        let mut end = s.len().min(255);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        out.push(id);
        out.push(end as u8);
        out.extend_from_slice(&s.as_bytes()[..end]);
    };
    match event {
        Event::BusRequest { version, bitrate } => {
            out.push(BUS_REQUEST);
            out.push(*version);
            out.extend_from_slice(&bitrate.to_be_bytes());
        }
        Event::BusResponse(s) => push_text(out, BUS_RESPONSE, s),
        Event::RemoteException(s) => push_text(out, REMOTE_EXCEPTION, s),
        Event::Message(f) | Event::PeriodicUpdate(f) => {
            out.push(if matches!(event, Event::Message(_)) { CAN_MESSAGE } else { PERIODIC_UPDATE });
            out.extend_from_slice(&f.timestamp.as_secs_f64().to_be_bytes());
            out.extend_from_slice(&f.id().to_be_bytes());
            let (dlc, bytes) = frame_bytes(f);
            out.push(dlc);
            let flags =
                u8::from(f.is_extended()) | (u8::from(f.is_remote()) << 1) | (u8::from(f.is_error()) << 2);
            out.push(flags);
            out.extend_from_slice(&bytes);
        }
        Event::TransmitSuccess => out.push(TRANSMIT_SUCCESS),
        Event::TransmitFail => out.push(TRANSMIT_FAIL),
        Event::PeriodicStart { period, duration, frame } => {
            out.push(PERIODIC_START);
            if version >= VERSION_5 {
                let ms = |d: &Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
                out.extend_from_slice(&ms(period).to_be_bytes());
                out.extend_from_slice(&duration.as_ref().map_or(0, ms).to_be_bytes());
            } else {
                out.extend_from_slice(&period.as_secs_f64().to_be_bytes());
            }
            out.extend_from_slice(&frame.id().to_be_bytes());
            let (dlc, bytes) = frame_bytes(frame);
            out.push(dlc);
            out.push(u8::from(frame.is_extended()));
            out.extend_from_slice(&bytes);
        }
        Event::PeriodicStop { id } => {
            out.push(PERIODIC_STOP);
            out.extend_from_slice(&id.to_be_bytes());
        }
        Event::FilterConfig(filters) => {
            out.push(FILTER_CONFIG);
            let n = filters.len().min(255);
            out.push(n as u8);
            for f in &filters[..n] {
                let (mut id, mut mask) = (f.can_id & 0x1FFF_FFFF, f.can_mask & 0x1FFF_FFFF);
                if let Some(ext) = f.extended {
                    mask |= 0x8000_0000;
                    if ext {
                        id |= 0x8000_0000;
                    }
                }
                out.extend_from_slice(&id.to_be_bytes());
                out.extend_from_slice(&mask.to_be_bytes());
            }
        }
    }
}

/// The DLC and 8 zero-padded data bytes of a classic frame.
fn frame_bytes(f: &Frame) -> (u8, [u8; 8]) {
    let mut bytes = [0u8; 8];
    let n = f.data().len().min(8);
    bytes[..n].copy_from_slice(&f.data()[..n]);
    let dlc = if f.is_remote() { f.len() as u8 } else { n as u8 };
    (dlc, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_example_encodes_byte_for_byte_and_decodes_back() {
        let f = Frame::new_data(0x1ABCDEF0, true, &[0x11, 0x22]).unwrap();
        let mut out = Vec::new();
        encode(&mut out, &Event::Message(f), VERSION);
        let want = [3, 0, 0, 0, 0, 0, 0, 0, 0, 0x1A, 0xBC, 0xDE, 0xF0, 2, 1, 0x11, 0x22, 0, 0, 0, 0, 0, 0];
        assert_eq!(out, want);
        let mut d = Decoder::new();
        d.push(&out[..10]);
        assert_eq!(d.next_event().unwrap(), None);
        d.push(&out[10..]);
        assert_eq!(d.next_event().unwrap(), Some(Event::Message(f)));
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn every_event_round_trips_and_unknown_ids_are_an_error_with_the_offset() {
        let events = vec![
            Event::BusRequest { version: 5, bitrate: 500_000 },
            Event::FilterConfig(vec![
                RemoteFilter { can_id: 0x123, can_mask: 0x7FF, extended: Some(false) },
                RemoteFilter { can_id: 0x1000, can_mask: 0x1F00_0000, extended: Some(true) },
                RemoteFilter { can_id: 0x5, can_mask: 0xF, extended: None },
            ]),
            Event::BusResponse("Virtual bus channel 0".into()),
            Event::RemoteException("no such bus".into()),
            Event::TransmitSuccess,
            Event::TransmitFail,
            Event::Message(Frame::new_remote(0x7FF, false, 8).unwrap()),
            Event::Message(Frame::new_error(0x40, [0, 0, 0, 0, 0, 0, 0, 0]).unwrap()),
            Event::PeriodicStart {
                period: Duration::from_millis(100),
                duration: None,
                frame: Frame::new_data(0x10, false, &[1, 2]).unwrap(),
            },
            Event::PeriodicUpdate(Frame::new_data(0x10, false, &[3]).unwrap()),
            Event::PeriodicStop { id: 0x10 },
        ];
        let mut out = Vec::new();
        for e in &events {
            encode(&mut out, e, VERSION);
        }
        out.push(99);
        let mut d = Decoder::new();
        d.push(&out);
        for e in &events {
            assert_eq!(d.next_event().unwrap().as_ref(), Some(e));
        }
        let end = out.len() as u64 - 1;
        assert_eq!(d.next_event(), Err(DecodeError::UnknownEvent(99, end)));
        // Version 5's periodic layout: milliseconds and a duration.
        let v5 = Event::PeriodicStart {
            period: Duration::from_millis(20),
            duration: Some(Duration::from_secs(3)),
            frame: Frame::new_data(0x10, true, &[1]).unwrap(),
        };
        let mut out = Vec::new();
        encode(&mut out, &v5, VERSION_5);
        assert_eq!(&out[1..9], &[0, 0, 0, 20, 0, 0, 0x0B, 0xB8]);
        let mut d = Decoder::new();
        d.set_version(VERSION_5);
        d.push(&out);
        assert_eq!(d.next_event().unwrap(), Some(v5));
        let f = RemoteFilter { can_id: 0x123, can_mask: 0x7FF, extended: Some(false) };
        assert!(f.matches(&Frame::new_data(0x123, false, &[]).unwrap()));
        assert!(!f.matches(&Frame::new_data(0x123, true, &[]).unwrap()));
    }

    #[test]
    fn a_dlc_above_8_is_refused_with_the_offset() {
        let mut d = Decoder::new();
        let mut bad = vec![3u8; 1];
        bad.extend_from_slice(&[0; 12]);
        bad.push(9);
        bad.extend_from_slice(&[0; 9]);
        d.push(&bad);
        assert!(matches!(d.next_event(), Err(DecodeError::Invalid { offset: 0, .. })));
    }
}
