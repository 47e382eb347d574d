//! The bytes of BLF: the file header, object headers and the bodies of the objects cankit reads
//! and writes, as pure functions on byte slices. Layouts and their sources are in
//! `shared/specs/vector-blf.md`; section numbers below refer to it. Nothing here does I/O.

use crate::error_frame::{
    CAN_ERR_ACK, CAN_ERR_BUSERROR, CAN_ERR_PROT, CAN_ERR_PROT_BIT, CAN_ERR_PROT_FORM,
    CAN_ERR_PROT_LOC_ACK_DEL, CAN_ERR_PROT_LOC_CRC_SEQ, CAN_ERR_PROT_STUFF, CAN_ERR_PROT_TX,
    CAN_ERR_PROT_UNSPEC,
};
use crate::frame::{dlc_to_len, fd_len_to_dlc, Channel, Direction, Frame, FrameError, Timestamp};
use crate::log::time::{self, Civil, TimeZone};
use crate::log::{Event, EventKind, Record};

/// Size of the file header ("file statistics") cankit writes and expects at least.
pub const FILE_HEADER_SIZE: usize = 144;
/// Size of the base object header every object starts with (§3.1).
pub const BASE_HEADER_SIZE: usize = 16;
/// Size of base + version 1 header (§3.2).
pub const HEADER_V1_SIZE: usize = 32;
/// Size of base + version 2 header (§3.3).
pub const HEADER_V2_SIZE: usize = 40;
/// Size of a LOG_CONTAINER's headers before its payload (§4).
pub const CONTAINER_HEADER_SIZE: usize = 32;

pub const FILE_SIGNATURE: &[u8; 4] = b"LOGG";
pub const OBJECT_SIGNATURE: &[u8; 4] = b"LOBJ";

// Object types (§5).
pub const CAN_MESSAGE: u32 = 1;
pub const CAN_ERROR: u32 = 2;
pub const LOG_CONTAINER: u32 = 10;
pub const APP_TEXT: u32 = 65;
pub const CAN_ERROR_EXT: u32 = 73;
pub const CAN_MESSAGE2: u32 = 86;
pub const GLOBAL_MARKER: u32 = 96;
pub const CAN_FD_MESSAGE: u32 = 100;
pub const CAN_FD_MESSAGE_64: u32 = 101;
pub const CAN_FD_ERROR_64: u32 = 104;
pub const RESTORE_POINT: u32 = 115;

/// LOG_CONTAINER compression methods (§4).
pub const METHOD_NONE: u16 = 0;
pub const METHOD_ZLIB: u16 = 2;

/// objectFlags of header v1/v2: timestamp units.
pub const TIME_TEN_MICS: u32 = 1;
pub const TIME_ONE_NANS: u32 = 2;

/// The `id` field's extended-frame bit.
const ID_EXTENDED: u32 = 0x8000_0000;
/// CAN_MESSAGE/CAN_MESSAGE2/CAN_FD_MESSAGE flags byte.
const MSG_TX: u8 = 0x01;
const MSG_RTR: u8 = 0x80;
/// CAN_FD_MESSAGE canFdFlags.
const FD_EDL: u8 = 0x1;
const FD_BRS: u8 = 0x2;
const FD_ESI: u8 = 0x4;
/// CAN_FD_MESSAGE_64 flags.
const FD64_REMOTE: u32 = 0x10;
const FD64_EDL: u32 = 0x1000;
const FD64_BRS: u32 = 0x2000;
const FD64_ESI: u32 = 0x4000;
/// CAN_ERROR_EXT flags: the ECC byte is valid.
const ERROR_ECC_VALID: u32 = 0x1;
/// CAN_ERROR_EXT flagsExt bits 12–13: extended direction (0 RX NAK, 1 TX NAK, 2 RX, 3 TX).
const ERROR_EXT_DIR_SHIFT: u16 = 12;

/// Body sizes cankit writes.
pub const CAN_MESSAGE2_SIZE: usize = HEADER_V1_SIZE + 24;
pub const CAN_ERROR_EXT_SIZE: usize = HEADER_V1_SIZE + 32;
pub const CAN_FD_MESSAGE_64_FIXED: usize = 40;
const GLOBAL_MARKER_FIXED: usize = 40;
const APP_TEXT_FIXED: usize = 16;

#[inline]
pub fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[inline]
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
pub fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(v)
}

/// Padding after an object: `objectSize % 4` bytes (§3.4; not "round up to 4").
#[inline]
pub fn padding(object_size: u64) -> u64 {
    object_size % 4
}

/// The 16-byte base header of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseHeader {
    pub header_size: u16,
    pub header_version: u16,
    pub object_size: u32,
    pub object_type: u32,
}

impl BaseHeader {
    /// Parse 16 bytes; `None` unless they start with `LOBJ`.
    pub fn parse(b: &[u8]) -> Option<BaseHeader> {
        if b.len() < BASE_HEADER_SIZE || &b[..4] != OBJECT_SIGNATURE {
            return None;
        }
        Some(BaseHeader {
            header_size: u16_at(b, 4),
            header_version: u16_at(b, 6),
            object_size: u32_at(b, 8),
            object_type: u32_at(b, 12),
        })
    }
}

/// Why an object is skipped, by type: static labels so counting allocates nothing.
pub fn skip_reason(object_type: u32) -> &'static str {
    match object_type {
        11..=21 | 42 | 43 | 54 | 57..=64 | 75 | 87..=89 => "LIN objects",
        22..=25 | 32..=39 | 67..=70 | 76..=85 | 95 => "MOST objects",
        29 | 30 | 40 | 41 | 45 | 47..=50 | 66 => "FlexRay objects",
        71 | 102 | 103 | 114 | 120..=123 => "Ethernet objects",
        3 | 4 | 31 | 44 | 74 | 129 => "CAN statistics, overload and driver objects",
        5..=9 | 72 => "environment/system variables and triggers",
        RESTORE_POINT => "restore points",
        LOG_CONTAINER => "containers nested in containers",
        _ => "other object types",
    }
}

/// The object header fields a decoder needs (v1 and v2 share the timestamp's place).
#[derive(Clone, Copy, Debug)]
pub struct ObjectTime {
    pub flags: u32,
    pub timestamp: u64,
}

impl ObjectTime {
    /// From an object with a v1 or v2 header (`obj` at least 32 bytes).
    pub fn parse(obj: &[u8]) -> ObjectTime {
        ObjectTime { flags: u32_at(obj, 16), timestamp: u64_at(obj, 24) }
    }

    /// Nanoseconds since the measurement start. `objectFlags` 1 means 10 µs units, anything else
    /// nanoseconds (python-can's rule: `1e-5 if flags == 1 else 1e-9`).
    pub fn nanos(self) -> i64 {
        let units =
            if self.flags == TIME_TEN_MICS { self.timestamp.saturating_mul(10_000) } else { self.timestamp };
        units.min(i64::MAX as u64) as i64
    }
}

/// SYSTEMTIME (§2): 8 × u16 year, month, day of week, day, hour, minute, second, milliseconds.
pub fn systemtime_to_unix(b: &[u8], tz: TimeZone) -> Option<i64> {
    let f = |i: usize| u16_at(b, i * 2) as u32;
    if f(0) == 0 {
        return None;
    }
    let civil = Civil {
        year: f(0) as i32,
        month: f(1),
        day: f(3),
        hour: f(4),
        minute: f(5),
        second: f(6),
        nanos: f(7).checked_mul(1_000_000).filter(|n| *n < 1_000_000_000)?,
        weekday: f(2),
    };
    time::to_unix(&civil, tz)
}

/// SYSTEMTIME of a UNIX time (truncated to milliseconds); all zero for `None`.
pub fn unix_to_systemtime(nanos: Option<i64>, tz: TimeZone) -> [u8; 16] {
    let mut out = [0u8; 16];
    let Some(nanos) = nanos else { return out };
    let c = time::from_unix(nanos, tz);
    if !(1601..=30827).contains(&c.year) {
        return out;
    }
    let fields = [c.year as u32, c.month, c.weekday, c.day, c.hour, c.minute, c.second, c.nanos / 1_000_000];
    for (i, v) in fields.iter().enumerate() {
        out[i * 2..i * 2 + 2].copy_from_slice(&(*v as u16).to_le_bytes());
    }
    out
}

/// What the file header says, as far as a reader cares.
#[derive(Clone, Copy, Debug)]
pub struct FileHeader {
    /// `statisticsSize`: where the first object starts.
    pub header_size: u32,
    pub start: [u8; 16],
    /// python-can wrote the file, so `start` is UTC (§2; Vector's tools write local time).
    pub python_can: bool,
}

/// Bytes 9–15 of every header python-can writes: application major/minor/build 0, then its
/// "binlog" version 2.6.8.1 (§2). Byte 8 is python-can's application id, 5 unless changed. No
/// Vector header looks like this: there bytes 8–11 are an API number of at least 1,000,000.
const PYTHON_CAN_VERSION_BYTES: [u8; 7] = [0, 0, 0, 2, 6, 8, 1];

impl FileHeader {
    pub fn parse(b: &[u8; FILE_HEADER_SIZE]) -> Option<FileHeader> {
        if &b[..4] != FILE_SIGNATURE {
            return None;
        }
        let mut start = [0u8; 16];
        start.copy_from_slice(&b[40..56]);
        let python_can = b[9..16] == PYTHON_CAN_VERSION_BYTES;
        Some(FileHeader { header_size: u32_at(b, 4), start, python_can })
    }
}

/// Everything the writer puts into the 144-byte header.
pub struct HeaderFields {
    pub compression_level: u8,
    pub file_size: u64,
    pub uncompressed_size: u64,
    pub object_count: u32,
    pub start: [u8; 16],
    pub last: [u8; 16],
}

/// BL API number written at offset 8 (4.7.1.0, as Vector's own test files).
const API_NUMBER: u32 = 4_070_100;
/// applicationId 0: "unknown"; cankit is none of Vector's listed applications.
const APPLICATION_ID: u8 = 0;

/// The file header with Vector's layout of bytes 8–15 (§2).
pub fn encode_file_header(h: &HeaderFields) -> [u8; FILE_HEADER_SIZE] {
    let mut b = [0u8; FILE_HEADER_SIZE];
    b[..4].copy_from_slice(FILE_SIGNATURE);
    b[4..8].copy_from_slice(&(FILE_HEADER_SIZE as u32).to_le_bytes());
    b[8..12].copy_from_slice(&API_NUMBER.to_le_bytes());
    b[12] = APPLICATION_ID;
    b[13] = h.compression_level;
    let (major, minor) = crate_version();
    b[14] = major;
    b[15] = minor;
    b[16..24].copy_from_slice(&h.file_size.to_le_bytes());
    b[24..32].copy_from_slice(&h.uncompressed_size.to_le_bytes());
    b[32..36].copy_from_slice(&h.object_count.to_le_bytes());
    b[40..56].copy_from_slice(&h.start);
    b[56..72].copy_from_slice(&h.last);
    b
}

fn crate_version() -> (u8, u8) {
    let major = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap_or(0);
    let minor = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap_or(0);
    (major, minor)
}

/// A v1 object header: 32 bytes, timestamp in nanoseconds.
#[inline]
fn put_header_v1(out: &mut [u8], object_size: usize, object_type: u32, nanos: u64) {
    out[..4].copy_from_slice(OBJECT_SIGNATURE);
    out[4..6].copy_from_slice(&(HEADER_V1_SIZE as u16).to_le_bytes());
    out[6..8].copy_from_slice(&1u16.to_le_bytes());
    out[8..12].copy_from_slice(&(object_size as u32).to_le_bytes());
    out[12..16].copy_from_slice(&object_type.to_le_bytes());
    out[16..20].copy_from_slice(&TIME_ONE_NANS.to_le_bytes());
    // clientIndex and objectVersion stay 0.
    out[24..32].copy_from_slice(&nanos.to_le_bytes());
}

fn raw_id(f: &Frame) -> u32 {
    if f.is_extended() {
        f.id() | ID_EXTENDED
    } else {
        f.id()
    }
}

/// CAN_MESSAGE2 (§6.2) with 8 data bytes, for classic data and remote frames. Returns the bytes
/// including padding (none: 56 is a multiple of 4).
#[inline]
pub fn encode_can_message2(out: &mut Vec<u8>, f: &Frame, channel: u16, nanos: u64) {
    let mut b = [0u8; CAN_MESSAGE2_SIZE];
    put_header_v1(&mut b, CAN_MESSAGE2_SIZE, CAN_MESSAGE2, nanos);
    let body = &mut b[HEADER_V1_SIZE..];
    body[..2].copy_from_slice(&channel.to_le_bytes());
    let mut flags = 0;
    if f.direction == Direction::Tx {
        flags |= MSG_TX;
    }
    if f.is_remote() {
        flags |= MSG_RTR;
    }
    body[2] = flags;
    body[3] = f.dlc();
    body[4..8].copy_from_slice(&raw_id(f).to_le_bytes());
    let data = f.data();
    body[8..8 + data.len()].copy_from_slice(data);
    // frameLength, bitCount and the reserved bytes stay 0: cankit does not know them.
    out.extend_from_slice(&b);
}

/// CAN_FD_MESSAGE_64 (§6.6) without extension data. `channel` is a u8 in this object.
#[inline]
pub fn encode_can_fd_message_64(out: &mut Vec<u8>, f: &Frame, channel: u8, nanos: u64) {
    let data = f.data();
    let size = HEADER_V1_SIZE + CAN_FD_MESSAGE_64_FIXED + data.len();
    let mut b = [0u8; HEADER_V1_SIZE + CAN_FD_MESSAGE_64_FIXED];
    put_header_v1(&mut b, size, CAN_FD_MESSAGE_64, nanos);
    let body = &mut b[HEADER_V1_SIZE..];
    body[0] = channel;
    body[1] = f.dlc();
    body[2] = data.len() as u8;
    body[4..8].copy_from_slice(&raw_id(f).to_le_bytes());
    let mut flags = FD64_EDL;
    if f.brs() {
        flags |= FD64_BRS;
    }
    if f.esi() {
        flags |= FD64_ESI;
    }
    body[12..16].copy_from_slice(&flags.to_le_bytes());
    body[34] = (f.direction == Direction::Tx) as u8;
    out.extend_from_slice(&b);
    out.extend_from_slice(data);
    out.resize(out.len() + padding(size as u64) as usize, 0);
}

/// CAN_ERROR_EXT (§6.4) carrying a SocketCAN error frame the way python-can does: the error
/// class in `id`, the 8 detail bytes as data, ECC and CAN-Core fields marked invalid.
#[inline]
pub fn encode_can_error_ext(out: &mut Vec<u8>, f: &Frame, channel: u16, nanos: u64) {
    let mut b = [0u8; CAN_ERROR_EXT_SIZE];
    put_header_v1(&mut b, CAN_ERROR_EXT_SIZE, CAN_ERROR_EXT, nanos);
    let body = &mut b[HEADER_V1_SIZE..];
    body[..2].copy_from_slice(&channel.to_le_bytes());
    body[10] = 8;
    body[16..20].copy_from_slice(&f.id().to_le_bytes());
    if f.direction == Direction::Tx {
        body[20..22].copy_from_slice(&(3u16 << ERROR_EXT_DIR_SHIFT).to_le_bytes());
    }
    body[24..32].copy_from_slice(f.data());
    out.extend_from_slice(&b);
}

/// GLOBAL_MARKER (§6.8) with the text as marker name; colours as python-can writes them.
pub fn encode_global_marker(out: &mut Vec<u8>, text: &[u8], nanos: u64) {
    let size = HEADER_V1_SIZE + GLOBAL_MARKER_FIXED + text.len();
    let mut b = [0u8; HEADER_V1_SIZE + GLOBAL_MARKER_FIXED];
    put_header_v1(&mut b, size, GLOBAL_MARKER, nanos);
    let body = &mut b[HEADER_V1_SIZE..];
    body[4..8].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    body[8..12].copy_from_slice(&0x00FF_3300u32.to_le_bytes());
    body[20..24].copy_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(&b);
    out.extend_from_slice(text);
    out.resize(out.len() + padding(size as u64) as usize, 0);
}

/// APP_TEXT (§6.9), source 0 (measurement comment).
pub fn encode_app_text(out: &mut Vec<u8>, text: &[u8], nanos: u64) {
    let size = HEADER_V1_SIZE + APP_TEXT_FIXED + text.len();
    let mut b = [0u8; HEADER_V1_SIZE + APP_TEXT_FIXED];
    put_header_v1(&mut b, size, APP_TEXT, nanos);
    b[HEADER_V1_SIZE + 8..HEADER_V1_SIZE + 12].copy_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(&b);
    out.extend_from_slice(text);
    out.resize(out.len() + padding(size as u64) as usize, 0);
}

/// Why an object of a known type could not be decoded.
#[derive(Debug)]
pub enum DecodeError {
    /// The object is smaller than its fixed fields.
    TooShort { needed: usize },
    /// The fields do not make a valid frame.
    Frame(FrameError),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TooShort { needed } => {
                write!(f, "object too short for its fields ({needed} bytes needed)")
            }
            DecodeError::Frame(e) => e.fmt(f),
        }
    }
}

impl From<FrameError> for DecodeError {
    fn from(e: FrameError) -> DecodeError {
        DecodeError::Frame(e)
    }
}

/// True for the object types [`decode`] understands.
pub fn is_decoded(object_type: u32) -> bool {
    matches!(
        object_type,
        CAN_MESSAGE
            | CAN_ERROR
            | CAN_MESSAGE2
            | CAN_ERROR_EXT
            | CAN_FD_MESSAGE
            | CAN_FD_MESSAGE_64
            | CAN_FD_ERROR_64
            | GLOBAL_MARKER
            | APP_TEXT
    )
}

fn need(body: &[u8], n: usize) -> Result<(), DecodeError> {
    if body.len() < n {
        Err(DecodeError::TooShort { needed: n })
    } else {
        Ok(())
    }
}

/// Split a raw `id` into (identifier, extended). An id above 0x7FF whose extended bit is clear
/// (Vector's binlog library writes such test patterns) can only be a 29-bit id: it is kept as
/// one, and [`id_marked_standard`] tells the reader to count it.
#[inline]
fn split_id(raw: u32) -> (u32, bool) {
    let id = raw & 0x1FFF_FFFF;
    (id, raw & ID_EXTENDED != 0 || id > crate::frame::MAX_STANDARD_ID)
}

/// Whether the CAN frame object `obj` (of a type [`decode`] turned into a frame) has its
/// extended bit clear: for a decoded 29-bit frame with an id above 0x7FF, that means
/// [`split_id`] mended it. Every CAN frame object keeps its raw id at body offset 4.
pub fn id_marked_standard(obj: &[u8], object_type: u32, header_size: usize) -> bool {
    matches!(object_type, CAN_MESSAGE | CAN_MESSAGE2 | CAN_FD_MESSAGE | CAN_FD_MESSAGE_64)
        && obj.get(header_size..).is_some_and(|body| body.len() >= 8 && u32_at(body, 4) & ID_EXTENDED == 0)
}

/// A classic frame from raw fields: RTR, DLC 0–15 (more than 8 means 8 bytes, kept as
/// `len8_dlc`), data padded with zeros if the object holds fewer bytes.
#[inline(always)]
fn classic(raw_id: u32, dlc: u8, remote: bool, data: &[u8]) -> Result<Frame, FrameError> {
    let (id, extended) = split_id(raw_id);
    let len = dlc_to_len(dlc.min(15), false);
    let f = if remote {
        Frame::new_remote(id, extended, len as u8)?
    } else if let Some(bytes) = data.get(..len) {
        Frame::new_data(id, extended, bytes)?
    } else {
        let mut buf = [0u8; 8];
        buf[..data.len()].copy_from_slice(data);
        Frame::new_data(id, extended, &buf[..len])?
    };
    Ok(if dlc > 8 { f.with_len8_dlc(dlc) } else { f })
}

/// A CAN FD frame; the length is `valid` if it is an FD length, else what the DLC says. Bytes
/// missing from the object are zeros (python-can issue 1905, as CANoe does).
#[inline]
fn fd(raw_id: u32, dlc: u8, valid: u8, brs: bool, esi: bool, data: &[u8]) -> Result<Frame, FrameError> {
    let (id, extended) = split_id(raw_id);
    let len =
        if fd_len_to_dlc(valid as usize).is_some() { valid as usize } else { dlc_to_len(dlc & 0xF, true) };
    let mut buf = [0u8; 64];
    let have = data.len().min(len);
    buf[..have].copy_from_slice(&data[..have]);
    Frame::new_fd(id, extended, &buf[..len], brs, esi)
}

/// Vector's error code (ECC bits 0–5 / flagsExt bits 6–11) as a SocketCAN error frame:
/// protocol-violation type and location.
fn vector_error(ecc: u8, tx: bool) -> Result<Frame, FrameError> {
    let mut data = [0u8; 8];
    let mut class = CAN_ERR_PROT | CAN_ERR_BUSERROR;
    match ecc & 0x3F {
        0 => data[2] = CAN_ERR_PROT_BIT,
        1 => data[2] = CAN_ERR_PROT_FORM,
        2 => data[2] = CAN_ERR_PROT_STUFF,
        4 => data[3] = CAN_ERR_PROT_LOC_CRC_SEQ,
        5 => {
            class |= CAN_ERR_ACK;
            data[3] = CAN_ERR_PROT_LOC_ACK_DEL;
        }
        _ => data[2] = CAN_ERR_PROT_UNSPEC,
    }
    if tx {
        data[2] |= CAN_ERR_PROT_TX;
    }
    Frame::new_error(class, data)
}

/// Decode the object `obj` (its full `objectSize` bytes, headers included) of `object_type` whose
/// body starts at `header_size`. `start` is the measurement start (0 when the file has none).
#[inline(always)]
pub fn decode(obj: &[u8], object_type: u32, header_size: usize, start: i64) -> Result<Record, DecodeError> {
    // Classic frames are nearly every object in a CAN log: keep their path short.
    if object_type == CAN_MESSAGE2 || object_type == CAN_MESSAGE {
        decode_can_message(obj, object_type, header_size, start)
    } else {
        decode_other(obj, object_type, header_size, start)
    }
}

/// The absolute time of an object.
#[inline(always)]
fn object_timestamp(obj: &[u8], start: i64) -> Timestamp {
    Timestamp(start.saturating_add(ObjectTime::parse(obj).nanos()))
}

/// A decoded frame with its time, channel and direction.
#[inline(always)]
fn frame_record(mut f: Frame, timestamp: Timestamp, channel: u32, tx: bool) -> Record {
    f.timestamp = timestamp;
    f.channel = Channel::number(channel);
    f.direction = if tx { Direction::Tx } else { Direction::Rx };
    Record::Frame(f)
}

/// CAN_MESSAGE (§6.1) and CAN_MESSAGE2 (§6.2).
#[inline(always)]
fn decode_can_message(
    obj: &[u8],
    object_type: u32,
    header_size: usize,
    start: i64,
) -> Result<Record, DecodeError> {
    let body = &obj[header_size..];
    need(body, 8)?;
    // CAN_MESSAGE2 holds objectSize − 48 data bytes followed by 8 bytes of frame length and bit
    // count; CAN_MESSAGE always 8.
    let end =
        if object_type == CAN_MESSAGE2 { body.len().saturating_sub(8).max(8) } else { body.len().min(16) };
    let f = classic(u32_at(body, 4), body[3], body[2] & MSG_RTR != 0, &body[8..end])?;
    Ok(frame_record(f, object_timestamp(obj, start), u16_at(body, 0) as u32, body[2] & MSG_TX != 0))
}

/// Every other object type [`decode`] understands.
#[inline(never)]
fn decode_other(obj: &[u8], object_type: u32, header_size: usize, start: i64) -> Result<Record, DecodeError> {
    let timestamp = object_timestamp(obj, start);
    let body = &obj[header_size..];
    let frame = |f: Frame, channel: u32, tx: bool| frame_record(f, timestamp, channel, tx);
    match object_type {
        CAN_ERROR => {
            need(body, 2)?;
            let f = Frame::new_error(CAN_ERR_PROT | CAN_ERR_BUSERROR, [0; 8])?;
            Ok(frame(f, u16_at(body, 0) as u32, false))
        }
        CAN_ERROR_EXT => {
            need(body, 24)?;
            let flags = u32_at(body, 4);
            let ext_dir = (u16_at(body, 20) >> ERROR_EXT_DIR_SHIFT) & 3;
            let tx = ext_dir == 1 || ext_dir == 3;
            let f = if flags & ERROR_ECC_VALID != 0 {
                vector_error(body[8], tx)?
            } else {
                // python-can's and cankit's own layout: SocketCAN class in id, details as data.
                let mut data = [0u8; 8];
                let have = body.len().saturating_sub(24).min(8);
                data[..have].copy_from_slice(&body[24..24 + have]);
                Frame::new_error(u32_at(body, 16) & 0x1FFF_FFFF, data)?
            };
            Ok(frame(f, u16_at(body, 0) as u32, tx))
        }
        CAN_FD_MESSAGE => {
            need(body, 20)?;
            let flags = body[2];
            let fd_flags = body[13];
            let data = &body[20..body.len().min(84)];
            let f = if fd_flags & FD_EDL != 0 {
                fd(u32_at(body, 4), body[3], body[14], fd_flags & FD_BRS != 0, fd_flags & FD_ESI != 0, data)?
            } else {
                classic(u32_at(body, 4), body[3], flags & MSG_RTR != 0, data)?
            };
            Ok(frame(f, u16_at(body, 0) as u32, flags & MSG_TX != 0))
        }
        CAN_FD_MESSAGE_64 => {
            need(body, CAN_FD_MESSAGE_64_FIXED)?;
            let flags = u32_at(body, 12);
            let ext = body[35] as usize;
            let end =
                if ext >= header_size + CAN_FD_MESSAGE_64_FIXED { ext.min(obj.len()) } else { obj.len() };
            let data = &obj[header_size + CAN_FD_MESSAGE_64_FIXED..end];
            let f = if flags & FD64_EDL != 0 {
                fd(u32_at(body, 4), body[1], body[2], flags & FD64_BRS != 0, flags & FD64_ESI != 0, data)?
            } else {
                classic(u32_at(body, 4), body[1], flags & FD64_REMOTE != 0, data)?
            };
            Ok(frame(f, body[0] as u32, body[34] != 0))
        }
        CAN_FD_ERROR_64 => {
            need(body, 44)?;
            let ext_dir = (u16_at(body, 6) >> ERROR_EXT_DIR_SHIFT) & 3;
            let tx = ext_dir == 1 || ext_dir == 3;
            Ok(frame(vector_error(body[3], tx)?, body[0] as u32, tx))
        }
        GLOBAL_MARKER => {
            need(body, GLOBAL_MARKER_FIXED)?;
            let mut rest = &body[GLOBAL_MARKER_FIXED..];
            let mut parts: [&[u8]; 3] = [&[]; 3];
            for (i, at) in [16, 20, 24].into_iter().enumerate() {
                let n = (u32_at(body, at) as usize).min(rest.len());
                parts[i] = &rest[..n];
                rest = &rest[n..];
            }
            // cankit writes the marker name only; python-can writes its text as the group name
            // with a fixed marker name and description. Keep every part that is there.
            let text: Vec<String> = parts.iter().map(|p| text_of(p)).filter(|t| !t.is_empty()).collect();
            let kind = EventKind::Marker(text.join(" / "));
            Ok(Record::Event(Event { timestamp, channel: Channel::NONE, kind }))
        }
        APP_TEXT => {
            need(body, APP_TEXT_FIXED)?;
            let n = (u32_at(body, 8) as usize).min(body.len() - APP_TEXT_FIXED);
            let text = text_of(&body[APP_TEXT_FIXED..APP_TEXT_FIXED + n]);
            let text = match u32_at(body, 0) {
                0 => text,
                1 => format!("database channel info: {text}"),
                2 => format!("metadata: {text}"),
                other => format!("text (source {other}): {text}"),
            };
            let kind = crate::log::health::parse(&text).unwrap_or(EventKind::Comment(text));
            Ok(Record::Event(Event { timestamp, channel: Channel::NONE, kind }))
        }
        _ => Err(DecodeError::TooShort { needed: 0 }),
    }
}

/// Text of a Windows multi-byte string: UTF-8 where valid, without trailing NULs.
fn text_of(b: &[u8]) -> String {
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    String::from_utf8_lossy(&b[..end]).into_owned()
}
