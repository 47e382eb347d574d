//! The 13-byte records of the Waveshare 2-CH-CAN-TO-ETH gateway and its clones (USR-CANET200,
//! Ebyte E810-DTU, ...): a TCP stream of fixed records, no header, no checksum, no sync byte.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | frame info: `0x80` extended, `0x40` remote, `0x30` reserved (0), `0x0F` DLC 0–8 |
//! | 1 | 4 | identifier, big-endian, right-aligned |
//! | 5 | 8 | data, the first DLC bytes meaningful, the rest zero (all padding for a remote frame) |
//!
//! What the format cannot carry (CAN FD, error frames) is refused by [`encode`]. [`Decoder`]
//! reassembles records across TCP segments (a device batches several per segment and may split
//! one); a record with reserved bits set, a DLC above 8 or an identifier too large for its format
//! is reported with its byte offset in the stream and skipped, so the stream stays aligned to
//! 13 bytes (a corrupt stream cannot be re-synchronised otherwise: there is no sync byte).

use crate::frame::{Frame, Timestamp, MAX_CLASSIC_DATA};

/// The size of one record.
pub const RECORD: usize = 13;
/// The TCP ports of the device's channels: CAN1, CAN2.
pub const PORTS: [u16; 2] = [20001, 20002];

const EXTENDED: u8 = 0x80;
const REMOTE: u8 = 0x40;
const RESERVED: u8 = 0x30;
const DLC: u8 = 0x0F;

/// Why a frame cannot be sent as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("a CAN FD frame cannot be carried by the 13-byte Waveshare format (classic frames only)")]
    Fd,
    #[error("an error frame cannot be carried by the 13-byte Waveshare format")]
    ErrorFrame,
}

/// Encode `frame` as one record.
pub fn encode(frame: &Frame, out: &mut [u8; RECORD]) -> Result<(), EncodeError> {
    if frame.is_error() {
        return Err(EncodeError::ErrorFrame);
    }
    if frame.is_fd() {
        return Err(EncodeError::Fd);
    }
    // Frame guarantees a classic frame holds at most 8 bytes and a remote frame asks for 0–8.
    let len = frame.len().min(MAX_CLASSIC_DATA);
    out[0] = (if frame.is_extended() { EXTENDED } else { 0 })
        | (if frame.is_remote() { REMOTE } else { 0 })
        | len as u8;
    out[1..5].copy_from_slice(&frame.id().to_be_bytes());
    out[5..].fill(0);
    if !frame.is_remote() {
        out[5..5 + len].copy_from_slice(&frame.data()[..len]);
    }
    Ok(())
}

/// A record that is not a frame, where it started in the stream and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad record at byte offset {offset}: {reason} (record {hex})")]
pub struct RecordError {
    /// Byte offset of the record's first byte, counted from the start of the connection.
    pub offset: u64,
    pub reason: String,
    /// The record's 13 bytes in hex.
    pub hex: String,
}

/// Decode one record.
pub fn decode(record: &[u8; RECORD]) -> Result<Frame, String> {
    let info = record[0];
    if info & RESERVED != 0 {
        return Err(format!(
            "reserved bits 0x{:02X} set in the frame-info byte 0x{info:02X}",
            info & RESERVED
        ));
    }
    let dlc = info & DLC;
    if dlc as usize > MAX_CLASSIC_DATA {
        return Err(format!("DLC {dlc} is above 8"));
    }
    let id = u32::from_be_bytes([record[1], record[2], record[3], record[4]]);
    let extended = info & EXTENDED != 0;
    let frame = if info & REMOTE != 0 {
        Frame::new_remote(id, extended, dlc)
    } else {
        Frame::new_data(id, extended, &record[5..5 + dlc as usize])
    };
    frame.map_err(|e| e.to_string())
}

/// Reassembles records from the bytes of one connection, as they arrive.
#[derive(Debug, Default)]
pub struct Decoder {
    partial: [u8; RECORD],
    filled: usize,
    /// Bytes taken so far (the offset of the next byte).
    offset: u64,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Take `bytes`; each complete record becomes a frame stamped `at`, or an error, appended to
    /// `out` in stream order.
    pub fn push(&mut self, mut bytes: &[u8], at: Timestamp, out: &mut Vec<Result<Frame, RecordError>>) {
        while !bytes.is_empty() {
            let record: [u8; RECORD] = if self.filled == 0 && bytes.len() >= RECORD {
                let (head, rest) = bytes.split_at(RECORD);
                bytes = rest;
                head.try_into().expect("13 bytes")
            } else {
                let take = (RECORD - self.filled).min(bytes.len());
                self.partial[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
                self.filled += take;
                bytes = &bytes[take..];
                if self.filled < RECORD {
                    return;
                }
                self.filled = 0;
                self.partial
            };
            let offset = self.offset;
            self.offset += RECORD as u64;
            out.push(decode(&record).map(|f| f.with_timestamp(at)).map_err(|reason| RecordError {
                offset,
                reason,
                hex: record.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(" "),
            }));
        }
    }

    /// Bytes of an incomplete record held (a connection that ends with some left was cut
    /// mid-record).
    pub fn pending(&self) -> usize {
        self.filled
    }

    /// Bytes taken since the connection started.
    pub fn offset(&self) -> u64 {
        self.offset + self.filled as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect()
    }

    fn encoded(f: &Frame) -> Vec<u8> {
        let mut out = [0u8; RECORD];
        encode(f, &mut out).unwrap();
        out.to_vec()
    }

    #[test]
    fn the_specs_examples_both_ways() {
        let cases = [
            (Frame::new_data(0x123, false, &[1, 2, 3, 4]).unwrap(), "04 00 00 01 23 01 02 03 04 00 00 00 00"),
            (
                Frame::new_data(0x1234_5678, true, &[0x12, 0x34, 0x56, 0x78, 0]).unwrap(),
                "85 12 34 56 78 12 34 56 78 00 00 00 00",
            ),
            (Frame::new_remote(0x7FF, false, 8).unwrap(), "48 00 00 07 FF 00 00 00 00 00 00 00 00"),
            (Frame::new_remote(0x1FFF_FFFF, true, 0).unwrap(), "C0 1F FF FF FF 00 00 00 00 00 00 00 00"),
            // USR-CANET200's manual: a standard frame 0x678.
            (
                Frame::new_data(0x678, false, &[1, 2, 3, 4, 5]).unwrap(),
                "05 00 00 06 78 01 02 03 04 05 00 00 00",
            ),
        ];
        for (frame, wire) in cases {
            assert_eq!(encoded(&frame), hex(wire), "{frame:?}");
            let record: [u8; RECORD] = hex(wire).try_into().unwrap();
            assert_eq!(decode(&record).unwrap(), frame, "{wire}");
        }
    }

    #[test]
    fn fd_and_error_frames_are_refused() {
        let mut out = [0u8; RECORD];
        let fd = Frame::new_fd(0x10, false, &[0; 12], true, false).unwrap();
        assert_eq!(encode(&fd, &mut out), Err(EncodeError::Fd));
        let err = Frame::new_error(0x40, [0; 8]).unwrap();
        assert_eq!(encode(&err, &mut out), Err(EncodeError::ErrorFrame));
    }

    #[test]
    fn records_split_and_batched_across_segments_reassemble() {
        let frames: Vec<Frame> =
            (0..5u32).map(|i| Frame::new_data(0x100 + i, false, &[i as u8; 3]).unwrap()).collect();
        let stream: Vec<u8> = frames.iter().flat_map(encoded).collect();
        // Every way of cutting the stream in three gives the same frames.
        for a in 0..stream.len() {
            for b in [a, a + 1, a + 7, stream.len()].into_iter().filter(|&b| b >= a && b <= stream.len()) {
                let mut d = Decoder::new();
                let mut out = Vec::new();
                for piece in [&stream[..a], &stream[a..b], &stream[b..]] {
                    d.push(piece, Timestamp::ZERO, &mut out);
                }
                let got: Vec<Frame> = out.into_iter().map(Result::unwrap).collect();
                assert_eq!(got, frames, "cut at {a}, {b}");
                assert_eq!(d.pending(), 0);
            }
        }
    }

    #[test]
    fn bad_records_name_their_offset_and_keep_the_stream_aligned() {
        let good = encoded(&Frame::new_data(0x42, false, &[9]).unwrap());
        let mut stream = good.clone();
        stream.extend(hex("09 00 00 01 23 00 00 00 00 00 00 00 00")); // DLC 9
        stream.extend(hex("14 00 00 01 23 00 00 00 00 00 00 00 00")); // reserved bit
        stream.extend(hex("01 00 00 08 00 00 00 00 00 00 00 00 00")); // 0x800 standard
        stream.extend(&good);
        stream.extend(&good[..4]);
        let mut d = Decoder::new();
        let mut out = Vec::new();
        d.push(&stream, Timestamp::ZERO, &mut out);
        assert_eq!(out.len(), 5);
        assert!(out[0].is_ok() && out[4].is_ok());
        let errors: Vec<RecordError> = out[1..4].iter().map(|r| r.clone().unwrap_err()).collect();
        assert_eq!(errors.iter().map(|e| e.offset).collect::<Vec<_>>(), [13, 26, 39]);
        assert!(errors[0].reason.contains("DLC 9"), "{}", errors[0]);
        assert!(errors[1].reason.contains("reserved"), "{}", errors[1]);
        assert!(errors[2].reason.contains("11 bits"), "{}", errors[2]);
        assert!(errors[0].to_string().contains("byte offset 13"));
        assert_eq!((d.pending(), d.offset()), (4, 69));
    }
}
