//! The datagram formats of `canserver`'s CAN-to-UDP bridges ([`crate::server`]): the wire bytes
//! alone, no sockets.
//!
//! * **SocketCAN** (the seed's CAN-to-UDP adaptor, "uses SocketCAN message structure"): every
//!   datagram is one Linux `struct can_frame` (16 bytes) or `struct canfd_frame` (72 bytes), the
//!   kernel's layout: `can_id` (u32 with `CAN_EFF_FLAG` 0x80000000, `CAN_RTR_FLAG` 0x40000000,
//!   `CAN_ERR_FLAG` 0x20000000), `len`, then `__pad`/`__res0`/`len8_dlc` for a classic frame or
//!   `flags` (`CANFD_BRS` 0x01, `CANFD_ESI` 0x02, `CANFD_FDF` 0x04)/`__res0`/`__res1` for CAN FD,
//!   then 8 or 64 data bytes. **`can_id` is little-endian on the wire**: the seed's Python adaptor
//!   sent the struct's memory as it was on a Raspberry Pi (little-endian ARM), as `struct.pack("<IB3x8s", …)`
//!   does. The size tells the two structs apart.
//! * **cannelloni** (the usual Linux CAN-over-UDP tunnel, protocol version 2): a data packet is a
//!   5-byte header — version 2, op code 0 (DATA), a sequence number (u8, +1 per packet), the frame
//!   count (u16 big-endian) — then the frames back to back: `can_id` **big-endian** with the same
//!   flag bits, a length byte (`| 0x80` for a CAN FD frame, which is then followed by the kernel's
//!   `canfd_frame.flags` byte), and the data bytes (none for a remote frame, whose length byte is
//!   the requested length). As in cannelloni's `parser.cpp`; a classic frame's raw DLC 9–15
//!   (`len8_dlc`) has no place there and is lost.
//!
//! Decoders never panic and reject anything a peer of either format would not send, with an error
//! that says what was wrong (a byte-order mistake shows up as an impossible identifier). Which
//! frames to send, batching and sequence tracking are the bridge's business.

use crate::frame::{
    round_up_fd_len, Frame, CAN_EFF_FLAG, CAN_ERR_FLAG, CAN_RTR_FLAG, MAX_EXTENDED_ID, MAX_STANDARD_ID,
};

/// Size of a Linux `struct can_frame`.
pub const CAN_FRAME_SIZE: usize = 16;
/// Size of a Linux `struct canfd_frame`.
pub const CANFD_FRAME_SIZE: usize = 72;
/// `canfd_frame.flags`: bit-rate switch.
pub const CANFD_BRS: u8 = 0x01;
/// `canfd_frame.flags`: error state indicator.
pub const CANFD_ESI: u8 = 0x02;
/// `canfd_frame.flags`: this is a CAN FD frame (set by Linux 6.x on every FD frame).
pub const CANFD_FDF: u8 = 0x04;

/// cannelloni's protocol version (`CANNELLONI_FRAME_VERSION`).
pub const CANNELLONI_VERSION: u8 = 2;
/// cannelloni's data packet header: version, op code, sequence number, count (u16).
pub const CANNELLONI_HEADER: usize = 5;
/// cannelloni's op code of a data packet.
pub const CANNELLONI_DATA: u8 = 0;
/// cannelloni's mark of a CAN FD frame in the length byte.
pub const CANNELLONI_FD: u8 = 0x80;
/// cannelloni's payload for its default link MTU of 1500 bytes over IPv4 (minus IPv4 and UDP
/// headers); 1452 over IPv6.
pub const CANNELLONI_PAYLOAD_V4: usize = 1500 - 20 - 8;
pub const CANNELLONI_PAYLOAD_V6: usize = 1500 - 40 - 8;

/// Why a datagram is not a frame (or a packet of frames).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UdpFrameError {
    #[error("{0} bytes is neither a struct can_frame (16) nor a struct canfd_frame (72)")]
    SocketcanSize(usize),
    #[error("can_id 0x{can_id:08X}: {why}")]
    Identifier { can_id: u32, why: &'static str },
    #[error("length {len} is more than a {kind} frame carries")]
    Length { len: usize, kind: &'static str },
    #[error("cannelloni packet of {0} bytes is shorter than its 5-byte header")]
    ShortHeader(usize),
    #[error("cannelloni version {0}, expected 2")]
    Version(u8),
    #[error("cannelloni op code {0} is not DATA (0)")]
    OpCode(u8),
    #[error("cannelloni frame {index} of {count} is cut off at byte {offset}")]
    Truncated { index: usize, count: usize, offset: usize },
    #[error("cannelloni frame {index}: {source}")]
    InPacket {
        index: usize,
        #[source]
        source: Box<UdpFrameError>,
    },
    #[error("{0} bytes after the last of the packet's frames")]
    Trailing(usize),
}

fn id_error(can_id: u32, why: &'static str) -> UdpFrameError {
    UdpFrameError::Identifier { can_id, why }
}

/// Build a frame from a `can_id` with its flags, the length field, the CAN FD flags (`None`:
/// classic) and the data bytes present (at least `len`, except for remote frames).
fn frame_from_parts(
    can_id: u32,
    len: usize,
    fd_flags: Option<u8>,
    data: &[u8],
) -> Result<Frame, UdpFrameError> {
    let extended = can_id & CAN_EFF_FLAG != 0;
    let id = can_id & MAX_EXTENDED_ID;
    if can_id & CAN_ERR_FLAG != 0 {
        if fd_flags.is_some() || can_id & (CAN_RTR_FLAG | CAN_EFF_FLAG) != 0 {
            return Err(id_error(can_id, "an error frame is classic, without EFF or RTR"));
        }
        let mut detail = [0u8; 8];
        let n = len.min(8).min(data.len());
        detail[..n].copy_from_slice(&data[..n]);
        return Frame::new_error(id, detail).map_err(|_| id_error(can_id, "error class too large"));
    }
    if !extended && id > MAX_STANDARD_ID {
        return Err(id_error(can_id, "a standard id above 0x7FF (wrong byte order?)"));
    }
    match fd_flags {
        Some(flags) => {
            if can_id & CAN_RTR_FLAG != 0 {
                return Err(id_error(can_id, "CAN FD has no remote frames"));
            }
            if len > 64 {
                return Err(UdpFrameError::Length { len, kind: "CAN FD" });
            }
            let padded = round_up_fd_len(len);
            let mut buf = [0u8; 64];
            let n = padded.min(data.len());
            buf[..n].copy_from_slice(&data[..n]);
            Frame::new_fd(id, extended, &buf[..padded], flags & CANFD_BRS != 0, flags & CANFD_ESI != 0)
                .map_err(|_| UdpFrameError::Length { len, kind: "CAN FD" })
        }
        None => {
            if len > 8 {
                return Err(UdpFrameError::Length { len, kind: "classic CAN" });
            }
            if can_id & CAN_RTR_FLAG != 0 {
                Frame::new_remote(id, extended, len as u8)
            } else {
                Frame::new_data(id, extended, &data[..len])
            }
            .map_err(|_| UdpFrameError::Length { len, kind: "classic CAN" })
        }
    }
}

/// The `canfd_frame.flags` byte of an FD frame.
fn fd_flags(frame: &Frame) -> u8 {
    CANFD_FDF | if frame.brs() { CANFD_BRS } else { 0 } | if frame.esi() { CANFD_ESI } else { 0 }
}

/// Encode `frame` as a `struct can_frame` or `struct canfd_frame` (little-endian `can_id`) into
/// `out`; the datagram's length (16 or 72).
pub fn encode_socketcan(frame: &Frame, out: &mut [u8; CANFD_FRAME_SIZE]) -> usize {
    *out = [0; CANFD_FRAME_SIZE];
    out[..4].copy_from_slice(&frame.socketcan_id().to_le_bytes());
    out[4] = frame.len() as u8;
    let data = frame.data();
    out[8..8 + data.len()].copy_from_slice(data);
    if frame.is_fd() {
        out[5] = fd_flags(frame);
        CANFD_FRAME_SIZE
    } else {
        out[7] = frame.len8_dlc().unwrap_or(0);
        CAN_FRAME_SIZE
    }
}

/// Decode one `struct can_frame` (16 bytes) or `struct canfd_frame` (72 bytes) datagram.
pub fn decode_socketcan(datagram: &[u8]) -> Result<Frame, UdpFrameError> {
    let fd = match datagram.len() {
        CAN_FRAME_SIZE => false,
        CANFD_FRAME_SIZE => true,
        n => return Err(UdpFrameError::SocketcanSize(n)),
    };
    // The length was checked: at least 16 bytes.
    let can_id = u32::from_le_bytes([datagram[0], datagram[1], datagram[2], datagram[3]]);
    let len = datagram[4] as usize;
    let frame = frame_from_parts(can_id, len, fd.then_some(datagram[5]), &datagram[8..])?;
    Ok(if fd { frame } else { frame.with_len8_dlc(datagram[7]) })
}

/// The bytes `frame` takes in a cannelloni packet.
pub fn cannelloni_frame_size(frame: &Frame) -> usize {
    5 + usize::from(frame.is_fd()) + if frame.is_remote() { 0 } else { frame.len() }
}

/// Builds cannelloni data packets: frames are pushed until the packet is full, then the packet
/// is taken and the next one begins with the next sequence number. One buffer, reused.
pub struct CannelloniWriter {
    buf: Box<[u8]>,
    len: usize,
    count: u16,
    sequence: u8,
}

impl CannelloniWriter {
    /// A writer of packets of at most `payload` bytes (see [`CANNELLONI_PAYLOAD_V4`]); at least
    /// room for the header and one CAN FD frame of 64 bytes.
    pub fn new(payload: usize) -> CannelloniWriter {
        let payload = payload.max(CANNELLONI_HEADER + 6 + 64);
        CannelloniWriter {
            buf: vec![0; payload].into_boxed_slice(),
            len: CANNELLONI_HEADER,
            count: 0,
            sequence: 0,
        }
    }

    /// Append `frame`; false (and nothing written) when it does not fit in this packet.
    pub fn push(&mut self, frame: &Frame) -> bool {
        let size = cannelloni_frame_size(frame);
        if self.len + size > self.buf.len() || self.count == u16::MAX {
            return false;
        }
        let out = &mut self.buf[self.len..self.len + size];
        out[..4].copy_from_slice(&frame.socketcan_id().to_be_bytes());
        let mut at = 5;
        if frame.is_fd() {
            out[4] = frame.len() as u8 | CANNELLONI_FD;
            out[5] = fd_flags(frame);
            at = 6;
        } else {
            out[4] = frame.len() as u8;
        }
        let data = frame.data();
        out[at..at + data.len()].copy_from_slice(data);
        self.len += size;
        self.count += 1;
        true
    }

    /// Frames in the packet being built.
    pub fn count(&self) -> usize {
        self.count as usize
    }

    /// The finished packet (header written); the next push starts a new packet with the next
    /// sequence number.
    pub fn take(&mut self) -> &[u8] {
        let len = self.len;
        self.buf[0] = CANNELLONI_VERSION;
        self.buf[1] = CANNELLONI_DATA;
        self.buf[2] = self.sequence;
        self.buf[3..5].copy_from_slice(&self.count.to_be_bytes());
        self.sequence = self.sequence.wrapping_add(1);
        self.len = CANNELLONI_HEADER;
        self.count = 0;
        &self.buf[..len]
    }
}

/// Decode a cannelloni data packet into `frames` (cleared first; on an error it holds nothing, so
/// a corrupt packet delivers no frame at all). Returns the packet's sequence number.
pub fn decode_cannelloni(packet: &[u8], frames: &mut Vec<Frame>) -> Result<u8, UdpFrameError> {
    frames.clear();
    let result = decode_cannelloni_into(packet, frames);
    if result.is_err() {
        frames.clear();
    }
    result
}

fn decode_cannelloni_into(packet: &[u8], frames: &mut Vec<Frame>) -> Result<u8, UdpFrameError> {
    if packet.len() < CANNELLONI_HEADER {
        return Err(UdpFrameError::ShortHeader(packet.len()));
    }
    if packet[0] != CANNELLONI_VERSION {
        return Err(UdpFrameError::Version(packet[0]));
    }
    if packet[1] != CANNELLONI_DATA {
        return Err(UdpFrameError::OpCode(packet[1]));
    }
    let sequence = packet[2];
    let count = u16::from_be_bytes([packet[3], packet[4]]) as usize;
    let mut at = CANNELLONI_HEADER;
    for index in 0..count {
        let truncated = UdpFrameError::Truncated { index, count, offset: at };
        let head = packet.get(at..at + 5).ok_or(truncated.clone())?;
        let can_id = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let fd = head[4] & CANNELLONI_FD != 0;
        let len = (head[4] & !CANNELLONI_FD) as usize;
        at += 5;
        let flags = if fd {
            let f = *packet.get(at).ok_or(truncated.clone())?;
            at += 1;
            Some(f)
        } else {
            None
        };
        let in_packet = |e: UdpFrameError| UdpFrameError::InPacket { index, source: Box::new(e) };
        let data_len = if can_id & CAN_RTR_FLAG != 0 { 0 } else { len };
        if len > 64 || (!fd && len > 8) {
            let kind = if fd { "CAN FD" } else { "classic CAN" };
            return Err(in_packet(UdpFrameError::Length { len, kind }));
        }
        let data = packet.get(at..at + data_len).ok_or(truncated)?;
        at += data_len;
        frames.push(frame_from_parts(can_id, len, flags, data).map_err(in_packet)?);
    }
    if at != packet.len() {
        return Err(UdpFrameError::Trailing(packet.len() - at));
    }
    Ok(sequence)
}

/// Every frame kind the formats carry, for the tests here and in the fuzz target.
#[doc(hidden)]
pub fn sample_frames() -> Vec<Frame> {
    let fd_data: Vec<u8> = (0..64).collect();
    vec![
        Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap(),
        Frame::new_data(0x1FFF_FFFF, true, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap().with_len8_dlc(13),
        Frame::new_data(0, false, &[]).unwrap(),
        Frame::new_remote(0x7FF, false, 3).unwrap(),
        Frame::new_remote(0x1234_5678, true, 8).unwrap(),
        Frame::new_error(0x004, [0, 4, 0, 0, 0, 0, 0, 0]).unwrap(),
        Frame::new_fd(0x456, false, &fd_data[..12], true, false).unwrap(),
        Frame::new_fd(0x1ABC_DEF0, true, &fd_data, false, true).unwrap(),
        Frame::new_fd(0x10, false, &[9, 9, 9], false, false).unwrap(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn classic_frame_is_the_kernels_struct_with_a_little_endian_can_id() {
        let f = Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap();
        let mut buf = [0u8; CANFD_FRAME_SIZE];
        let n = encode_socketcan(&f, &mut buf);
        assert_eq!(buf[..n], hex("2301000004000000deadbeef00000000"));
        let ext = Frame::new_remote(0x1234_5678, true, 2).unwrap();
        let n = encode_socketcan(&ext, &mut buf);
        // 0x12345678 | EFF | RTR = 0xD2345678, little-endian.
        assert_eq!(buf[..n], hex("785634d2020000000000000000000000"));
    }

    #[test]
    fn fd_frame_is_72_bytes_with_brs_esi_and_fdf_flags() {
        let f = Frame::new_fd(0x456, false, &[1; 12], true, true).unwrap();
        let mut buf = [0u8; CANFD_FRAME_SIZE];
        assert_eq!(encode_socketcan(&f, &mut buf), 72);
        assert_eq!(buf[..8], hex("560400000c070000"));
        assert_eq!(buf[8..20], [1; 12]);
        assert!(buf[20..].iter().all(|&b| b == 0));
    }

    #[test]
    fn every_kind_round_trips_through_both_formats() {
        let mut buf = [0u8; CANFD_FRAME_SIZE];
        let mut writer = CannelloniWriter::new(CANNELLONI_PAYLOAD_V4);
        for f in sample_frames() {
            let n = encode_socketcan(&f, &mut buf);
            assert_eq!(decode_socketcan(&buf[..n]), Ok(f), "{f:?}");
            assert!(writer.push(&f));
        }
        let packet = writer.take().to_vec();
        let mut frames = Vec::new();
        assert_eq!(decode_cannelloni(&packet, &mut frames), Ok(0));
        // cannelloni has no room for a classic frame's raw DLC 9-15 (len8_dlc).
        let without_len8_dlc: Vec<Frame> = sample_frames().into_iter().map(|f| f.with_len8_dlc(0)).collect();
        assert_eq!(frames, without_len8_dlc);
        assert_eq!(writer.take()[2], 1, "the next packet has the next sequence number");
    }

    #[test]
    fn cannelloni_packet_is_byte_exact_like_its_parser() {
        let mut w = CannelloniWriter::new(CANNELLONI_PAYLOAD_V4);
        assert!(w.push(&Frame::new_data(0x123, false, &[0xAA, 0xBB]).unwrap()));
        assert!(w.push(&Frame::new_remote(0x1234_5678, true, 4).unwrap()));
        assert!(w.push(&Frame::new_fd(0x7FF, false, &[7; 12], true, false).unwrap()));
        let want =
            ["02 00 00 0003", "00000123 02 aabb", "d2345678 04", "000007ff 8c 05 070707070707070707070707"]
                .concat()
                .replace(' ', "");
        assert_eq!(w.take(), hex(&want));
    }

    #[test]
    fn a_full_packet_refuses_the_next_frame() {
        let mut w = CannelloniWriter::new(100);
        let big = Frame::new_fd(1, false, &[0; 64], false, false).unwrap();
        assert!(w.push(&big));
        assert!(!w.push(&big));
        assert_eq!(w.count(), 1);
        assert_eq!(w.take().len(), 5 + 6 + 64);
        assert!(w.push(&big));
    }

    #[test]
    fn socketcan_garbage_is_a_typed_error() {
        assert_eq!(decode_socketcan(b"hello"), Err(UdpFrameError::SocketcanSize(5)));
        // A big-endian can_id 0x456 read little-endian: a standard id far above 0x7FF.
        let be = hex("0000045602000000aabb000000000000");
        assert!(matches!(decode_socketcan(&be), Err(UdpFrameError::Identifier { can_id: 0x5604_0000, .. })));
        let long = hex("2301000009000000aabb000000000000");
        assert_eq!(decode_socketcan(&long), Err(UdpFrameError::Length { len: 9, kind: "classic CAN" }));
        let mut fd = [0u8; 72];
        fd[4] = 65;
        assert_eq!(decode_socketcan(&fd), Err(UdpFrameError::Length { len: 65, kind: "CAN FD" }));
        fd[4] = 1;
        fd[3] = 0x40; // RTR on CAN FD
        assert!(matches!(decode_socketcan(&fd), Err(UdpFrameError::Identifier { .. })));
    }

    #[test]
    fn fd_lengths_that_are_not_fd_lengths_take_the_padding_bytes() {
        let mut fd = [0u8; 72];
        fd[0] = 0x10;
        fd[4] = 9;
        fd[8..20].copy_from_slice(&[5; 12]);
        let f = decode_socketcan(&fd).unwrap();
        assert_eq!(f.data(), &[5; 12]);
    }

    #[test]
    fn cannelloni_garbage_is_a_typed_error_and_yields_no_frame() {
        let mut frames = vec![Frame::new_data(1, false, &[]).unwrap()];
        assert_eq!(decode_cannelloni(b"\x02\x00", &mut frames), Err(UdpFrameError::ShortHeader(2)));
        assert!(frames.is_empty());
        assert_eq!(decode_cannelloni(&hex("0100000000"), &mut frames), Err(UdpFrameError::Version(1)));
        assert_eq!(decode_cannelloni(&hex("0201000000"), &mut frames), Err(UdpFrameError::OpCode(1)));
        // Two frames announced, one and a half present.
        let cut = hex("02000700020000012301aa00000124");
        assert_eq!(
            decode_cannelloni(&cut, &mut frames),
            Err(UdpFrameError::Truncated { index: 1, count: 2, offset: 11 })
        );
        assert!(frames.is_empty(), "a corrupt packet delivers nothing");
        let classic_too_long = hex("020000000100000123090102030405060708 09".replace(' ', "").as_str());
        assert!(matches!(
            decode_cannelloni(&classic_too_long, &mut frames),
            Err(UdpFrameError::InPacket { index: 0, .. })
        ));
        let fd_too_long = hex("02000000010000012bc100");
        assert!(matches!(decode_cannelloni(&fd_too_long, &mut frames), Err(UdpFrameError::InPacket { .. })));
        let trailing = hex("0200000001000001230100ff");
        assert_eq!(decode_cannelloni(&trailing, &mut frames), Err(UdpFrameError::Trailing(1)));
        assert_eq!(decode_cannelloni(&hex("0200090000"), &mut frames), Ok(9), "an empty packet is fine");
    }
}
