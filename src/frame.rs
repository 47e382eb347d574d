//! The frame model: one small, fixed-size [`Frame`] value for everything that travels on a bus or
//! sits in a log (classic data, remote, CAN FD and error frames), with its channel, direction and
//! absolute timestamp.
//!
//! A `Frame` owns no heap memory: data (up to 64 bytes) and the channel name live inline, so readers,
//! buses and printers can pass frames around by value without allocating. The can-utils text syntax
//! (`123#DEADBEEF`, candump `-L` lines) lives in [`crate::text`]; decoding error frames into words in
//! [`crate::error_frame`].

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest payload of any frame (CAN FD).
pub const MAX_DATA: usize = 64;
/// Largest payload of a classic CAN frame.
pub const MAX_CLASSIC_DATA: usize = 8;
/// Highest 11-bit identifier.
pub const MAX_STANDARD_ID: u32 = 0x7FF;
/// Highest 29-bit identifier.
pub const MAX_EXTENDED_ID: u32 = 0x1FFF_FFFF;
/// Valid CAN FD payload lengths above 8 bytes, indexed by `dlc - 9`.
const FD_LENGTHS: [u8; 7] = [12, 16, 20, 24, 32, 48, 64];

/// What kind of frame this is. Exactly one kind per frame: CAN FD has no remote frames, and error
/// frames are their own thing (the SocketCAN representation of a controller event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// A classic CAN data frame (0–8 bytes).
    Data,
    /// A classic remote transmission request; `len` is the requested length.
    Remote,
    /// A CAN FD data frame (0–64 bytes), possibly with bit-rate switch and error state indicator.
    Fd,
    /// An error frame: `id` holds the SocketCAN error class bits, `data` the 8 detail bytes.
    Error,
}

/// Whether a frame was received from the bus or transmitted by this host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    #[default]
    Rx,
    Tx,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Rx => "Rx",
            Direction::Tx => "Tx",
        }
    }
}

/// Nanoseconds since the UNIX epoch (or since the start of a recording, for logs that carry no
/// absolute time). Signed so that arithmetic on differences never wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(0);

    pub fn now() -> Timestamp {
        Timestamp::from_system_time(SystemTime::now())
    }

    pub fn from_system_time(t: SystemTime) -> Timestamp {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp(d.as_nanos().min(i64::MAX as u128) as i64),
            Err(e) => Timestamp(-(e.duration().as_nanos().min(i64::MAX as u128) as i64)),
        }
    }

    pub fn from_nanos(nanos: i64) -> Timestamp {
        Timestamp(nanos)
    }

    pub fn from_parts(secs: i64, nanos: u32) -> Timestamp {
        Timestamp(secs.saturating_mul(1_000_000_000).saturating_add(nanos as i64))
    }

    /// From floating-point seconds (python-can's representation), rounded to the nearest
    /// nanosecond the double can express.
    pub fn from_secs_f64(secs: f64) -> Timestamp {
        if !secs.is_finite() {
            return Timestamp::ZERO;
        }
        let whole = secs.floor();
        let frac = ((secs - whole) * 1e9).round() as i64;
        Timestamp((whole as i64).saturating_mul(1_000_000_000).saturating_add(frac))
    }

    pub fn as_nanos(self) -> i64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.secs() as f64 + self.subsec_nanos() as f64 / 1e9
    }

    /// Whole seconds, rounded towards negative infinity.
    pub fn secs(self) -> i64 {
        self.0.div_euclid(1_000_000_000)
    }

    /// Nanoseconds within the second, always `0..1_000_000_000`.
    pub fn subsec_nanos(self) -> u32 {
        self.0.rem_euclid(1_000_000_000) as u32
    }
}

/// Longest channel name kept inline. Linux interface names have at most 15 bytes; python-can
/// channels are arbitrary strings, and longer ones are cut (at a character boundary).
pub const MAX_CHANNEL_NAME: usize = 30;

/// The channel a frame travelled on: an interface name (`vcan0`), a number (ASC/BLF channels are
/// numbered from 1), or nothing. Fixed size, no heap.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Channel {
    repr: ChannelRepr,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
enum ChannelRepr {
    #[default]
    None,
    Number(u32),
    Name {
        len: u8,
        bytes: [u8; MAX_CHANNEL_NAME],
    },
}

impl Channel {
    pub const NONE: Channel = Channel { repr: ChannelRepr::None };

    pub fn number(n: u32) -> Channel {
        Channel { repr: ChannelRepr::Number(n) }
    }

    /// A named channel. Names longer than [`MAX_CHANNEL_NAME`] bytes are cut at a character
    /// boundary; an empty name is no channel.
    pub fn name(name: &str) -> Channel {
        if name.is_empty() {
            return Channel::NONE;
        }
        let mut end = name.len().min(MAX_CHANNEL_NAME);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; MAX_CHANNEL_NAME];
        bytes[..end].copy_from_slice(&name.as_bytes()[..end]);
        Channel { repr: ChannelRepr::Name { len: end as u8, bytes } }
    }

    pub fn is_none(&self) -> bool {
        matches!(self.repr, ChannelRepr::None)
    }

    pub fn as_number(&self) -> Option<u32> {
        match self.repr {
            ChannelRepr::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_name(&self) -> Option<&str> {
        match &self.repr {
            // The bytes were copied from a &str and cut at a char boundary.
            ChannelRepr::Name { len, bytes } => std::str::from_utf8(&bytes[..*len as usize]).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr {
            ChannelRepr::None => Ok(()),
            ChannelRepr::Number(n) => write!(f, "{n}"),
            ChannelRepr::Name { .. } => f.pad(self.as_name().unwrap_or("")),
        }
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.repr {
            ChannelRepr::None => f.write_str("Channel::NONE"),
            ChannelRepr::Number(n) => write!(f, "Channel::number({n})"),
            ChannelRepr::Name { .. } => write!(f, "Channel::name({:?})", self.as_name()),
        }
    }
}

impl From<&str> for Channel {
    fn from(s: &str) -> Channel {
        Channel::name(s)
    }
}

/// Errors building a frame from parts that do not fit the CAN rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error(
        "identifier 0x{0:X} does not fit in 11 bits (max 0x7FF); use an 8-digit id for an extended frame"
    )]
    StandardIdTooLarge(u32),
    #[error("identifier 0x{0:X} does not fit in 29 bits (max 0x1FFFFFFF)")]
    ExtendedIdTooLarge(u32),
    #[error("{len} data bytes do not fit in a classic CAN frame (max 8)")]
    ClassicTooLong { len: usize },
    #[error("{len} data bytes do not fit in a CAN FD frame (max 64)")]
    FdTooLong { len: usize },
    #[error("{len} is not a CAN FD length (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)")]
    FdInvalidLength { len: usize },
    #[error("remote frame length {0} is out of range (max 8)")]
    RemoteTooLong(u8),
    #[error("error class 0x{0:X} does not fit in 29 bits")]
    ErrorClassTooLarge(u32),
}

/// One CAN frame or error frame with its metadata. Fixed size (about 120 bytes), `Copy`.
///
/// Invariants kept by the constructors: `id` fits the id width (11/29 bits; for error frames the
/// 29-bit class mask), `len` is a valid length for the kind (remote: requested length 0–8; error:
/// 8), and data bytes past `len` are zero, so derived equality compares only meaningful bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    /// Absolute receive/transmit time (or relative time for logs without a start time).
    pub timestamp: Timestamp,
    id: u32,
    kind: FrameKind,
    extended: bool,
    /// CAN FD bit-rate switch: the data phase was sent at the data bit rate.
    brs: bool,
    /// CAN FD error state indicator: the transmitter was error-passive.
    esi: bool,
    len: u8,
    /// Raw DLC 9..15 of a classic 8-byte frame (can-utils' `_X` suffix); 0 when unused.
    len8_dlc: u8,
    pub channel: Channel,
    pub direction: Direction,
    data: [u8; MAX_DATA],
}

impl Frame {
    fn blank(id: u32, extended: bool, kind: FrameKind) -> Frame {
        Frame {
            timestamp: Timestamp::ZERO,
            id,
            kind,
            extended,
            brs: false,
            esi: false,
            len: 0,
            len8_dlc: 0,
            channel: Channel::NONE,
            direction: Direction::Rx,
            data: [0; MAX_DATA],
        }
    }

    fn check_id(id: u32, extended: bool) -> Result<(), FrameError> {
        if extended && id > MAX_EXTENDED_ID {
            Err(FrameError::ExtendedIdTooLarge(id))
        } else if !extended && id > MAX_STANDARD_ID {
            Err(FrameError::StandardIdTooLarge(id))
        } else {
            Ok(())
        }
    }

    /// A classic data frame with 0–8 bytes.
    #[inline]
    pub fn new_data(id: u32, extended: bool, data: &[u8]) -> Result<Frame, FrameError> {
        Frame::check_id(id, extended)?;
        if data.len() > MAX_CLASSIC_DATA {
            return Err(FrameError::ClassicTooLong { len: data.len() });
        }
        let mut f = Frame::blank(id, extended, FrameKind::Data);
        f.len = data.len() as u8;
        f.data[..data.len()].copy_from_slice(data);
        Ok(f)
    }

    /// A remote frame requesting `len` bytes (0–8).
    pub fn new_remote(id: u32, extended: bool, len: u8) -> Result<Frame, FrameError> {
        Frame::check_id(id, extended)?;
        if len as usize > MAX_CLASSIC_DATA {
            return Err(FrameError::RemoteTooLong(len));
        }
        let mut f = Frame::blank(id, extended, FrameKind::Remote);
        f.len = len;
        Ok(f)
    }

    /// A CAN FD frame. The length must be a valid FD length (0–8, 12, 16, …, 64); use
    /// [`Frame::new_fd_padded`] to round a payload up to the next valid length.
    pub fn new_fd(id: u32, extended: bool, data: &[u8], brs: bool, esi: bool) -> Result<Frame, FrameError> {
        Frame::check_id(id, extended)?;
        if data.len() > MAX_DATA {
            return Err(FrameError::FdTooLong { len: data.len() });
        }
        if fd_len_to_dlc(data.len()).is_none() {
            return Err(FrameError::FdInvalidLength { len: data.len() });
        }
        let mut f = Frame::blank(id, extended, FrameKind::Fd);
        f.len = data.len() as u8;
        f.data[..data.len()].copy_from_slice(data);
        f.brs = brs;
        f.esi = esi;
        Ok(f)
    }

    /// A CAN FD frame whose payload is padded with zeros up to the next valid FD length, as the
    /// kernel and can-utils do for lengths such as 9 or 13.
    pub fn new_fd_padded(
        id: u32,
        extended: bool,
        data: &[u8],
        brs: bool,
        esi: bool,
    ) -> Result<Frame, FrameError> {
        if data.len() > MAX_DATA {
            return Err(FrameError::FdTooLong { len: data.len() });
        }
        let padded = round_up_fd_len(data.len());
        let mut buf = [0u8; MAX_DATA];
        buf[..data.len()].copy_from_slice(data);
        Frame::new_fd(id, extended, &buf[..padded], brs, esi)
    }

    /// An error frame with the SocketCAN error class bits (`CAN_ERR_*`, without `CAN_ERR_FLAG`)
    /// and the 8 detail bytes.
    pub fn new_error(class: u32, data: [u8; 8]) -> Result<Frame, FrameError> {
        if class > MAX_EXTENDED_ID {
            return Err(FrameError::ErrorClassTooLarge(class));
        }
        let mut f = Frame::blank(class, true, FrameKind::Error);
        f.len = 8;
        f.data[..8].copy_from_slice(&data);
        Ok(f)
    }

    pub fn with_timestamp(mut self, t: Timestamp) -> Frame {
        self.timestamp = t;
        self
    }

    pub fn with_channel(mut self, c: Channel) -> Frame {
        self.channel = c;
        self
    }

    pub fn with_direction(mut self, d: Direction) -> Frame {
        self.direction = d;
        self
    }

    /// Set the raw DLC (9–15) of a classic frame carrying (or, for a remote frame, requesting)
    /// 8 bytes; other values clear it. can-utils writes it as `_X` (`1F334455#1122334455667788_B`,
    /// `333#R8_E`).
    pub fn with_len8_dlc(mut self, dlc: u8) -> Frame {
        let classic = matches!(self.kind, FrameKind::Data | FrameKind::Remote);
        self.len8_dlc = if classic && self.len == 8 && (9..=15).contains(&dlc) { dlc } else { 0 };
        self
    }

    /// The identifier: 11 or 29 bits; for error frames the error class mask.
    pub fn id(&self) -> u32 {
        self.id
    }
    pub fn kind(&self) -> FrameKind {
        self.kind
    }
    /// 29-bit identifier. Error frames count as extended (their id is printed with 8 digits).
    pub fn is_extended(&self) -> bool {
        self.extended
    }
    pub fn is_remote(&self) -> bool {
        self.kind == FrameKind::Remote
    }
    pub fn is_fd(&self) -> bool {
        self.kind == FrameKind::Fd
    }
    pub fn is_error(&self) -> bool {
        self.kind == FrameKind::Error
    }
    pub fn brs(&self) -> bool {
        self.brs
    }
    pub fn esi(&self) -> bool {
        self.esi
    }
    /// Payload length in bytes; for remote frames the requested length.
    pub fn len(&self) -> usize {
        self.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The payload (empty for remote frames).
    pub fn data(&self) -> &[u8] {
        match self.kind {
            FrameKind::Remote => &[],
            _ => &self.data[..self.len as usize],
        }
    }
    /// The raw DLC 9–15 of a classic 8-byte frame, if one was set.
    pub fn len8_dlc(&self) -> Option<u8> {
        (self.len8_dlc != 0).then_some(self.len8_dlc)
    }
    /// The 4-bit DLC code on the wire (FD lengths mapped to 9–15).
    pub fn dlc(&self) -> u8 {
        match self.kind {
            FrameKind::Fd => fd_len_to_dlc(self.len as usize).unwrap_or(15),
            _ if self.len8_dlc != 0 => self.len8_dlc,
            _ => self.len,
        }
    }

    /// The SocketCAN `can_id` of this frame: id plus `CAN_EFF_FLAG`, `CAN_RTR_FLAG` or
    /// `CAN_ERR_FLAG`, the value kernel filters and candump filters match on.
    pub fn socketcan_id(&self) -> u32 {
        let mut v = self.id;
        if self.kind == FrameKind::Error {
            return v | CAN_ERR_FLAG;
        }
        if self.extended {
            v |= CAN_EFF_FLAG;
        }
        if self.kind == FrameKind::Remote {
            v |= CAN_RTR_FLAG;
        }
        v
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        crate::text::write_frame(&mut text, self).map_err(|_| fmt::Error)?;
        write!(
            f,
            "Frame({} {}.{:09} {:?} {})",
            text,
            self.timestamp.secs(),
            self.timestamp.subsec_nanos(),
            self.channel,
            self.direction.as_str()
        )
    }
}

/// SocketCAN flag bits in `can_id`.
pub const CAN_EFF_FLAG: u32 = 0x8000_0000;
pub const CAN_RTR_FLAG: u32 = 0x4000_0000;
pub const CAN_ERR_FLAG: u32 = 0x2000_0000;

/// The DLC code (0–15) for a CAN FD payload length, or `None` if the length is not a valid FD
/// length.
pub fn fd_len_to_dlc(len: usize) -> Option<u8> {
    match len {
        0..=8 => Some(len as u8),
        _ => FD_LENGTHS.iter().position(|&l| l as usize == len).map(|i| 9 + i as u8),
    }
}

/// The payload length for a DLC code (0–15) on CAN FD; classic frames cap at 8.
pub fn dlc_to_len(dlc: u8, fd: bool) -> usize {
    match dlc {
        0..=8 => dlc as usize,
        9..=15 if fd => FD_LENGTHS[(dlc - 9) as usize] as usize,
        _ => 8,
    }
}

/// The smallest valid CAN FD length ≥ `len` (saturating at 64).
pub fn round_up_fd_len(len: usize) -> usize {
    if len <= 8 {
        return len;
    }
    FD_LENGTHS.iter().map(|&l| l as usize).find(|&l| l >= len).unwrap_or(MAX_DATA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_is_small_and_fixed_size() {
        assert!(std::mem::size_of::<Frame>() <= 128, "{}", std::mem::size_of::<Frame>());
    }

    #[test]
    fn fd_lengths_map_to_dlc_codes() {
        assert_eq!(fd_len_to_dlc(12), Some(9));
        assert_eq!(fd_len_to_dlc(64), Some(15));
        assert_eq!(fd_len_to_dlc(13), None);
        assert_eq!(dlc_to_len(13, true), 32);
        assert_eq!(dlc_to_len(13, false), 8);
        assert_eq!(round_up_fd_len(9), 12);
        assert_eq!(round_up_fd_len(49), 64);
    }

    #[test]
    fn standard_id_over_11_bits_is_rejected() {
        assert_eq!(Frame::new_data(0x800, false, &[]), Err(FrameError::StandardIdTooLarge(0x800)));
        assert!(Frame::new_data(0x800, true, &[]).is_ok());
    }

    #[test]
    fn channel_names_are_kept_inline_and_cut_at_char_boundary() {
        assert_eq!(Channel::name("vcan0").as_name(), Some("vcan0"));
        let long = "é".repeat(20);
        let c = Channel::name(&long);
        assert_eq!(c.as_name().unwrap().len(), 30);
        assert!(Channel::name("").is_none());
    }

    #[test]
    fn timestamps_split_into_seconds_and_nanoseconds() {
        let t = Timestamp::from_secs_f64(1700000000.123456);
        assert_eq!(t.secs(), 1700000000);
        assert_eq!(t.subsec_nanos() / 1000, 123456);
        let neg = Timestamp(-1);
        assert_eq!(neg.secs(), -1);
        assert_eq!(neg.subsec_nanos(), 999_999_999);
    }
}
