//! The SDO server (CiA 301 §7.2.4): expedited, segmented and block upload and download, as a
//! state machine without I/O. A request's eight bytes and the time go in ([`SdoServer::handle`]),
//! response frames come out; [`SdoServer::poll`] aborts a transfer the client left hanging
//! (abort 0x05040000 after [`SdoServer::timeout`]) and acknowledges a block download whose
//! sub-block stopped short. What the transfers read and write is the caller's
//! ([`SdoTarget`]: the node, which checks access and applies what a write means).
//!
//! Block transfers follow CiA 301 and CANopenNode's server: the server offers 127 segments per
//! sub-block, acknowledges the last segment in sequence and lets the client resend the rest when
//! one is missing or out of order; sequence number 0 or above the block size, a CRC mismatch and
//! a block size outside 1..=127 are aborted with their codes. CRC-16/XMODEM is used when both
//! sides ask for it.

use std::time::{Duration, Instant};

use super::abort::Abort;
use super::od::MAX_VALUE_SIZE;

/// The CRC block transfers carry: CRC-16/XMODEM (polynomial 0x1021, initial 0, no reflection).
pub const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);

/// Segments per sub-block the server asks for in a block download.
pub const BLOCK_SIZE: u8 = 127;

/// How long the server waits for the client's next request in a transfer before it aborts.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// What SDO transfers read and write.
pub trait SdoTarget {
    /// The value at `index:sub` for a client reading it.
    fn upload(&mut self, index: u16, sub: u8) -> Result<Vec<u8>, Abort>;
    /// May a client write `index:sub` (with `size` bytes, when the client said)? Checked at the
    /// start of a download, so a transfer that cannot succeed is refused before its data.
    fn check_download(&mut self, index: u16, sub: u8, size: Option<usize>) -> Result<(), Abort>;
    /// A client wrote `data` to `index:sub`.
    fn download(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort>;
}

/// A finished transfer, for the node's log and statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Uploaded {
        index: u16,
        sub: u8,
        bytes: usize,
    },
    Downloaded {
        index: u16,
        sub: u8,
        bytes: usize,
    },
    /// The server aborted (`by_client` false) or the client did.
    Aborted {
        index: u16,
        sub: u8,
        abort: Abort,
        by_client: bool,
    },
}

#[derive(Debug)]
enum State {
    Idle,
    /// Segmented download: the client sends segments, the server acknowledges each.
    Download {
        index: u16,
        sub: u8,
        size: Option<usize>,
        data: Vec<u8>,
        toggle: bool,
    },
    /// Segmented upload: the client asks for each segment.
    Upload {
        index: u16,
        sub: u8,
        data: Vec<u8>,
        offset: usize,
        toggle: bool,
    },
    /// Block download, receiving a sub-block.
    BlockDownload {
        index: u16,
        sub: u8,
        size: Option<usize>,
        data: Vec<u8>,
        crc: bool,
        /// Segments in the current sub-block.
        block_size: u8,
        /// The last segment received in sequence in this sub-block (0: none yet).
        sequence: u8,
        /// The last segment (bit 7) has arrived; the end request comes next.
        last: bool,
    },
    /// Block upload, initiate answered; waiting for the client's start (0xA3).
    BlockUploadStart {
        index: u16,
        sub: u8,
        data: Vec<u8>,
        crc: bool,
        block_size: u8,
    },
    /// Block upload, a sub-block sent from `offset`; waiting for its acknowledgement.
    BlockUpload {
        index: u16,
        sub: u8,
        data: Vec<u8>,
        crc: bool,
        offset: usize,
        sent: u8,
    },
    /// Block upload, end sent; waiting for the client's end response (0xA1).
    BlockUploadEnd {
        index: u16,
        sub: u8,
        bytes: usize,
    },
}

/// One SDO server channel (one 0x1200–0x127F object).
#[derive(Debug)]
pub struct SdoServer {
    state: State,
    /// When the current transfer is aborted if the client says nothing.
    deadline: Option<Instant>,
    /// When a block download's stalled sub-block is acknowledged as far as it got.
    block_stall: Option<Instant>,
    pub timeout: Duration,
}

impl Default for SdoServer {
    fn default() -> Self {
        SdoServer::new()
    }
}

/// An SDO frame with a command byte, index, sub-index and four data bytes (both directions).
pub(crate) fn response(command: u8, index: u16, sub: u8, payload: [u8; 4]) -> [u8; 8] {
    let [lo, hi] = index.to_le_bytes();
    [command, lo, hi, sub, payload[0], payload[1], payload[2], payload[3]]
}

/// The abort frame for `index:sub`.
pub fn abort_frame(index: u16, sub: u8, abort: Abort) -> [u8; 8] {
    response(0x80, index, sub, abort.0.to_le_bytes())
}

impl SdoServer {
    pub fn new() -> SdoServer {
        SdoServer { state: State::Idle, deadline: None, block_stall: None, timeout: DEFAULT_TIMEOUT }
    }

    /// Is a transfer in progress?
    pub fn busy(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// When [`SdoServer::poll`] has something to do.
    pub fn deadline(&self) -> Option<Instant> {
        match (self.deadline, self.block_stall) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Forget any transfer (NMT reset communication), without a word to the client.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.deadline = None;
        self.block_stall = None;
    }

    /// Time has passed: abort a transfer the client abandoned, acknowledge a stalled sub-block.
    pub fn poll(&mut self, now: Instant, out: &mut Vec<[u8; 8]>) -> Option<Outcome> {
        if self.block_stall.is_some_and(|t| now >= t) {
            self.block_stall = None;
            if let State::BlockDownload { sequence, block_size, last, .. } = &mut self.state {
                if !*last {
                    // Acknowledge what arrived; the client resends from there.
                    out.push(response(0xA2, 0, 0, [0; 4]));
                    let n = out.len() - 1;
                    out[n][1] = *sequence;
                    out[n][2] = BLOCK_SIZE;
                    *block_size = BLOCK_SIZE;
                    *sequence = 0;
                }
            }
        }
        if self.deadline.is_some_and(|t| now >= t) {
            let (index, sub) = self.transfer().unwrap_or((0, 0));
            self.reset();
            out.push(abort_frame(index, sub, Abort::TIMEOUT));
            return Some(Outcome::Aborted { index, sub, abort: Abort::TIMEOUT, by_client: false });
        }
        None
    }

    fn transfer(&self) -> Option<(u16, u8)> {
        match &self.state {
            State::Idle => None,
            State::Download { index, sub, .. }
            | State::Upload { index, sub, .. }
            | State::BlockDownload { index, sub, .. }
            | State::BlockUploadStart { index, sub, .. }
            | State::BlockUpload { index, sub, .. }
            | State::BlockUploadEnd { index, sub, .. } => Some((*index, *sub)),
        }
    }

    fn fail(&mut self, index: u16, sub: u8, abort: Abort, out: &mut Vec<[u8; 8]>) -> Option<Outcome> {
        self.reset();
        out.push(abort_frame(index, sub, abort));
        Some(Outcome::Aborted { index, sub, abort, by_client: false })
    }

    /// A request from the client: the responses go to `out` (several for a block upload's
    /// sub-block), a finished transfer is returned.
    pub fn handle(
        &mut self,
        request: &[u8],
        target: &mut dyn SdoTarget,
        now: Instant,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        let outcome = self.respond(request, target, now, out);
        self.deadline = self.busy().then(|| now + self.timeout);
        outcome
    }

    fn respond(
        &mut self,
        request: &[u8],
        target: &mut dyn SdoTarget,
        now: Instant,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        // Segments of a block download carry data in all 7 bytes and a sequence number in the
        // first: any first byte is valid there, so they are taken before the command is read.
        if let State::BlockDownload { .. } = self.state {
            return self.block_download_segment(request, target, now, out);
        }
        let &command = request.first()?;
        let (index, sub) = match request {
            [_, lo, hi, sub, ..] => (u16::from_le_bytes([*lo, *hi]), *sub),
            _ => self.transfer().unwrap_or((0, 0)),
        };
        if request.len() != 8 {
            // CiA 301: every SDO frame has 8 bytes; a shorter one is not a request this server
            // can read.
            let (index, sub) = self.transfer().unwrap_or((index, sub));
            return self.fail(index, sub, Abort::COMMAND, out);
        }
        let mut payload = [0u8; 4];
        payload.copy_from_slice(&request[4..8]);
        match command >> 5 {
            4 => {
                // The client aborts: drop the transfer, answer nothing.
                let (index, sub) = self.transfer().unwrap_or((index, sub));
                self.reset();
                let abort = Abort(u32::from_le_bytes(payload));
                return Some(Outcome::Aborted { index, sub, abort, by_client: true });
            }
            1 => return self.initiate_download(command, index, sub, payload, target, out),
            2 => return self.initiate_upload(index, sub, target, out),
            6 if matches!(self.state, State::Idle | State::Download { .. } | State::Upload { .. }) => {
                return self.initiate_block_download(command, index, sub, payload, target, out)
            }
            5 if command & 0x03 == 0
                && matches!(self.state, State::Idle | State::Download { .. } | State::Upload { .. }) =>
            {
                return self.initiate_block_upload(command, index, sub, request, target, out);
            }
            _ => {}
        }
        let state = std::mem::replace(&mut self.state, State::Idle);
        match state {
            State::Download { index, sub, size, mut data, toggle } if command >> 5 == 0 => {
                if (command & 0x10 != 0) != toggle {
                    return self.fail(index, sub, Abort::TOGGLE_BIT, out);
                }
                let unused = usize::from((command >> 1) & 0x07);
                data.extend_from_slice(&request[1..8 - unused]);
                if size.is_some_and(|s| data.len() > s) {
                    return self.fail(index, sub, Abort::LENGTH_TOO_HIGH, out);
                }
                if data.len() > MAX_VALUE_SIZE {
                    return self.fail(index, sub, Abort::OUT_OF_MEMORY, out);
                }
                if command & 0x01 == 0 {
                    out.push(response(0x20 | (command & 0x10), 0, 0, [0; 4]));
                    self.state = State::Download { index, sub, size, data, toggle: !toggle };
                    return None;
                }
                if size.is_some_and(|s| data.len() < s) {
                    return self.fail(index, sub, Abort::LENGTH_TOO_LOW, out);
                }
                if let Err(abort) = target.download(index, sub, &data) {
                    return self.fail(index, sub, abort, out);
                }
                self.reset();
                out.push(response(0x20 | (command & 0x10), 0, 0, [0; 4]));
                Some(Outcome::Downloaded { index, sub, bytes: data.len() })
            }
            State::Upload { index, sub, data, offset, toggle } if command & 0xEF == 0x60 => {
                if (command & 0x10 != 0) != toggle {
                    return self.fail(index, sub, Abort::TOGGLE_BIT, out);
                }
                let chunk = &data[offset..(offset + 7).min(data.len())];
                let last = offset + chunk.len() >= data.len();
                let mut frame = [0u8; 8];
                frame[0] = (command & 0x10) | (((7 - chunk.len()) as u8) << 1) | u8::from(last);
                frame[1..1 + chunk.len()].copy_from_slice(chunk);
                out.push(frame);
                if last {
                    self.reset();
                    return Some(Outcome::Uploaded { index, sub, bytes: data.len() });
                }
                let offset = offset + chunk.len();
                self.state = State::Upload { index, sub, data, offset, toggle: !toggle };
                None
            }
            State::BlockUploadStart { index, sub, data, crc, block_size } if command == 0xA3 => {
                self.state = State::BlockUpload { index, sub, data, crc, offset: 0, sent: 0 };
                self.send_sub_block(block_size, out);
                None
            }
            State::BlockUpload { index, sub, data, crc, offset, sent } if command == 0xA2 => {
                let acknowledged = request[1];
                let block_size = request[2];
                if acknowledged > sent {
                    return self.fail(index, sub, Abort::SEQUENCE, out);
                }
                if !(1..=127).contains(&block_size) {
                    return self.fail(index, sub, Abort::BLOCK_SIZE, out);
                }
                let offset = (offset + 7 * usize::from(acknowledged)).min(data.len());
                if acknowledged == sent && offset >= data.len() {
                    // Everything arrived: the end, with the bytes the last segment did not use.
                    let unused = (7 * data.len().div_ceil(7).max(1) - data.len()) as u8;
                    let checksum = if crc { CRC.checksum(&data) } else { 0 };
                    let [lo, hi] = checksum.to_le_bytes();
                    out.push([0xC1 | (unused << 2), lo, hi, 0, 0, 0, 0, 0]);
                    self.state = State::BlockUploadEnd { index, sub, bytes: data.len() };
                    return None;
                }
                self.state = State::BlockUpload { index, sub, data, crc, offset, sent: 0 };
                self.send_sub_block(block_size, out);
                None
            }
            State::BlockUploadEnd { index, sub, bytes } if command == 0xA1 => {
                self.reset();
                Some(Outcome::Uploaded { index, sub, bytes })
            }
            state => {
                let (index, sub) = match &state {
                    State::Idle => (index, sub),
                    _ => {
                        self.state = state;
                        self.transfer().unwrap_or((index, sub))
                    }
                };
                self.fail(index, sub, Abort::COMMAND, out)
            }
        }
    }

    fn initiate_download(
        &mut self,
        command: u8,
        index: u16,
        sub: u8,
        payload: [u8; 4],
        target: &mut dyn SdoTarget,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        self.reset();
        let expedited = command & 0x02 != 0;
        let size_indicated = command & 0x01 != 0;
        if expedited {
            let len = if size_indicated { 4 - usize::from((command >> 2) & 0x03) } else { 4 };
            let mut data = &payload[..len];
            if !size_indicated {
                // No size: the object's own size decides how much of the 4 bytes is the value.
                if let Ok(current) = target.upload(index, sub) {
                    if (1..4).contains(&current.len()) {
                        data = &payload[..current.len()];
                    }
                }
            }
            if let Err(abort) = target.check_download(index, sub, Some(data.len())) {
                return self.fail(index, sub, abort, out);
            }
            if let Err(abort) = target.download(index, sub, data) {
                return self.fail(index, sub, abort, out);
            }
            self.reset();
            out.push(response(0x60, index, sub, [0; 4]));
            return Some(Outcome::Downloaded { index, sub, bytes: data.len() });
        }
        let size = size_indicated.then(|| u32::from_le_bytes(payload) as usize);
        if size.is_some_and(|s| s > MAX_VALUE_SIZE) {
            return self.fail(index, sub, Abort::OUT_OF_MEMORY, out);
        }
        if let Err(abort) = target.check_download(index, sub, size) {
            return self.fail(index, sub, abort, out);
        }
        out.push(response(0x60, index, sub, [0; 4]));
        let data = Vec::with_capacity(size.unwrap_or(0).min(1 << 16));
        self.state = State::Download { index, sub, size, data, toggle: false };
        None
    }

    fn initiate_upload(
        &mut self,
        index: u16,
        sub: u8,
        target: &mut dyn SdoTarget,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        self.reset();
        let data = match target.upload(index, sub) {
            Ok(data) => data,
            Err(abort) => return self.fail(index, sub, abort, out),
        };
        if (1..=4).contains(&data.len()) {
            let mut payload = [0u8; 4];
            payload[..data.len()].copy_from_slice(&data);
            out.push(response(0x43 | (((4 - data.len()) as u8) << 2), index, sub, payload));
            self.reset();
            return Some(Outcome::Uploaded { index, sub, bytes: data.len() });
        }
        out.push(response(0x41, index, sub, (data.len() as u32).to_le_bytes()));
        self.state = State::Upload { index, sub, data, offset: 0, toggle: false };
        None
    }

    fn initiate_block_download(
        &mut self,
        command: u8,
        index: u16,
        sub: u8,
        payload: [u8; 4],
        target: &mut dyn SdoTarget,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        self.reset();
        if command & 0x01 != 0 {
            // Bit 0 set is the end request (0xC1 | n << 2) with no transfer open.
            return self.fail(index, sub, Abort::COMMAND, out);
        }
        let crc = command & 0x04 != 0;
        let size = (command & 0x02 != 0).then(|| u32::from_le_bytes(payload) as usize);
        if size.is_some_and(|s| s > MAX_VALUE_SIZE) {
            return self.fail(index, sub, Abort::OUT_OF_MEMORY, out);
        }
        if let Err(abort) = target.check_download(index, sub, size) {
            return self.fail(index, sub, abort, out);
        }
        out.push(response(0xA4, index, sub, [BLOCK_SIZE, 0, 0, 0]));
        let data = Vec::with_capacity(size.unwrap_or(0).min(1 << 16));
        self.state = State::BlockDownload {
            index,
            sub,
            size,
            data,
            crc,
            block_size: BLOCK_SIZE,
            sequence: 0,
            last: false,
        };
        None
    }

    fn block_download_segment(
        &mut self,
        request: &[u8],
        target: &mut dyn SdoTarget,
        now: Instant,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        let State::BlockDownload { index, sub, size, data, crc, block_size, sequence, last } =
            &mut self.state
        else {
            return None;
        };
        let (index, sub) = (*index, *sub);
        if *last {
            // The end request: `110 nnn 01`, CRC in bytes 1–2.
            let command = request.first().copied().unwrap_or(0);
            if command & 0xE3 != 0xC1 || request.len() < 3 {
                if command == 0x80 {
                    self.reset();
                    let abort = request.get(4..8).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                    return Some(Outcome::Aborted { index, sub, abort: Abort(abort), by_client: true });
                }
                return self.fail(index, sub, Abort::COMMAND, out);
            }
            let unused = usize::from((command >> 2) & 0x07);
            let mut data = std::mem::take(data);
            // The last segment carried 7 bytes, `unused` of them padding.
            if unused > data.len() || data.is_empty() && unused != 0 {
                return self.fail(index, sub, Abort::COMMAND, out);
            }
            data.truncate(data.len() - unused);
            if let Some(s) = size {
                if data.len() != *s {
                    let abort = if data.len() > *s { Abort::LENGTH_TOO_HIGH } else { Abort::LENGTH_TOO_LOW };
                    return self.fail(index, sub, abort, out);
                }
            }
            if *crc && CRC.checksum(&data) != u16::from_le_bytes([request[1], request[2]]) {
                return self.fail(index, sub, Abort::CRC, out);
            }
            if let Err(abort) = target.download(index, sub, &data) {
                return self.fail(index, sub, abort, out);
            }
            self.reset();
            out.push([0xA1, 0, 0, 0, 0, 0, 0, 0]);
            return Some(Outcome::Downloaded { index, sub, bytes: data.len() });
        }
        let &first = request.first()?;
        let number = first & 0x7F;
        if number == 0 || number > *block_size {
            return self.fail(index, sub, Abort::SEQUENCE, out);
        }
        if number == *sequence + 1 {
            *sequence = number;
            let mut chunk = [0u8; 7];
            let n = request.len().saturating_sub(1).min(7);
            chunk[..n].copy_from_slice(&request[1..1 + n]);
            data.extend_from_slice(&chunk);
            if data.len() > MAX_VALUE_SIZE + 7 || size.is_some_and(|s| data.len() > s + 7) {
                return self.fail(index, sub, Abort::LENGTH_TOO_HIGH, out);
            }
            let end = first & 0x80 != 0;
            if end || number == *block_size {
                out.push([0xA2, number, BLOCK_SIZE, 0, 0, 0, 0, 0]);
                *block_size = BLOCK_SIZE;
                *sequence = 0;
                *last = end;
                self.block_stall = None;
            } else {
                self.block_stall = Some(now + self.timeout / 2);
            }
        } else if number != *sequence && *sequence != 0 {
            // A segment was lost: acknowledge the last good one; the client resends the rest.
            out.push([0xA2, *sequence, BLOCK_SIZE, 0, 0, 0, 0, 0]);
            *block_size = BLOCK_SIZE;
            *sequence = 0;
            self.block_stall = None;
        }
        None
    }

    fn initiate_block_upload(
        &mut self,
        command: u8,
        index: u16,
        sub: u8,
        request: &[u8],
        target: &mut dyn SdoTarget,
        out: &mut Vec<[u8; 8]>,
    ) -> Option<Outcome> {
        self.reset();
        let block_size = request[4];
        let threshold = usize::from(request[5]);
        let data = match target.upload(index, sub) {
            Ok(data) => data,
            Err(abort) => return self.fail(index, sub, abort, out),
        };
        if !(1..=127).contains(&block_size) {
            return self.fail(index, sub, Abort::BLOCK_SIZE, out);
        }
        if threshold > 0 && data.len() <= threshold {
            // Protocol switch: small enough for a normal upload, which the client takes.
            return self.initiate_upload(index, sub, target, out);
        }
        let crc = command & 0x04 != 0;
        out.push(response(0xC6, index, sub, (data.len() as u32).to_le_bytes()));
        self.state = State::BlockUploadStart { index, sub, data, crc, block_size };
        None
    }

    fn send_sub_block(&mut self, block_size: u8, out: &mut Vec<[u8; 8]>) {
        let State::BlockUpload { data, offset, sent, .. } = &mut self.state else {
            return;
        };
        let mut at = *offset;
        *sent = 0;
        for number in 1..=block_size {
            let chunk = &data[at.min(data.len())..(at + 7).min(data.len())];
            let last = at + 7 >= data.len();
            let mut frame = [0u8; 8];
            frame[0] = number | if last { 0x80 } else { 0 };
            frame[1..1 + chunk.len()].copy_from_slice(chunk);
            out.push(frame);
            *sent = number;
            at += 7;
            if last {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canopen::od::{Access, Entry, Object, ObjectDictionary};
    use crate::canopen::types::DataType;

    /// A dictionary as the target, with remote access checks.
    struct Target(ObjectDictionary);

    impl SdoTarget for Target {
        fn upload(&mut self, index: u16, sub: u8) -> Result<Vec<u8>, Abort> {
            self.0.read(index, sub).map(<[u8]>::to_vec)
        }
        fn check_download(&mut self, index: u16, sub: u8, size: Option<usize>) -> Result<(), Abort> {
            let entry = self.0.entry(index, sub)?;
            if !entry.access.writable() {
                return Err(Abort::READ_ONLY);
            }
            match (entry.data_type.size(), size) {
                (Some(fixed), Some(s)) if s > fixed => Err(Abort::LENGTH_TOO_HIGH),
                (Some(fixed), Some(s)) if s < fixed => Err(Abort::LENGTH_TOO_LOW),
                _ => Ok(()),
            }
        }
        fn download(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
            self.0.check_write(index, sub, data)?;
            self.0.store(index, sub, data).map(|_| ())
        }
    }

    fn target() -> Target {
        let mut od = ObjectDictionary::new();
        let vendor =
            Entry::new("Vendor-ID", DataType::Unsigned32, Access::ReadOnly).with_value(vec![0xA2, 1, 0, 0]);
        od.insert(
            0x1018,
            Object::compound("Identity", crate::canopen::ObjectKind::Record, vec![(1, vendor)]),
        );
        od.insert(
            0x1017,
            Object::var(Entry::new("Producer heartbeat time", DataType::Unsigned16, Access::ReadWrite)),
        );
        od.insert(0x2000, Object::var(Entry::new("Text", DataType::VisibleString, Access::ReadWrite)));
        od.insert(0x2001, Object::var(Entry::new("Blob", DataType::Domain, Access::ReadWrite)));
        Target(od)
    }

    fn exchange(server: &mut SdoServer, t: &mut Target, request: [u8; 8]) -> Vec<[u8; 8]> {
        let mut out = Vec::new();
        server.handle(&request, t, Instant::now(), &mut out);
        out
    }

    #[test]
    fn the_worked_examples_of_the_notes() {
        let (mut s, mut t) = (SdoServer::new(), target());
        assert_eq!(
            exchange(&mut s, &mut t, [0x40, 0x18, 0x10, 1, 0, 0, 0, 0]),
            [[0x43, 0x18, 0x10, 1, 0xA2, 1, 0, 0]]
        );
        assert_eq!(
            exchange(&mut s, &mut t, [0x2B, 0x17, 0x10, 0, 0xE8, 3, 0, 0]),
            [[0x60, 0x17, 0x10, 0, 0, 0, 0, 0]]
        );
        assert_eq!(t.0.u64(0x1017, 0), Some(1000));
        assert_eq!(
            exchange(&mut s, &mut t, [0x21, 0, 0x20, 0, 11, 0, 0, 0]),
            [[0x60, 0, 0x20, 0, 0, 0, 0, 0]]
        );
        assert_eq!(
            exchange(&mut s, &mut t, [0x00, b'H', b'E', b'L', b'L', b'O', b' ', b'W']),
            [[0x20, 0, 0, 0, 0, 0, 0, 0]]
        );
        assert_eq!(
            exchange(&mut s, &mut t, [0x17, b'O', b'R', b'L', b'D', 0, 0, 0]),
            [[0x30, 0, 0, 0, 0, 0, 0, 0]]
        );
        assert_eq!(t.0.entry(0x2000, 0).unwrap().value, b"HELLO WORLD");
        assert_eq!(
            exchange(&mut s, &mut t, [0x40, 0, 0x30, 0, 0, 0, 0, 0]),
            [[0x80, 0, 0x30, 0, 0, 0, 2, 6]]
        );
        assert!(!s.busy());
    }

    #[test]
    fn toggle_errors_timeouts_and_bad_commands_abort() {
        let (mut s, mut t) = (SdoServer::new(), target());
        exchange(&mut s, &mut t, [0x21, 0, 0x20, 0, 11, 0, 0, 0]);
        assert_eq!(
            exchange(&mut s, &mut t, [0x10, 1, 2, 3, 4, 5, 6, 7]),
            [abort_frame(0x2000, 0, Abort::TOGGLE_BIT)]
        );
        exchange(&mut s, &mut t, [0x21, 0, 0x20, 0, 11, 0, 0, 0]);
        let mut out = Vec::new();
        let later = Instant::now() + Duration::from_secs(2);
        assert!(s.poll(later, &mut out).is_some());
        assert_eq!(out, [abort_frame(0x2000, 0, Abort::TIMEOUT)]);
        assert_eq!(
            exchange(&mut s, &mut t, [0xE0, 0, 0x20, 0, 0, 0, 0, 0]),
            [abort_frame(0x2000, 0, Abort::COMMAND)]
        );
        let mut out = Vec::new();
        s.handle(&[0x40, 0x18], &mut t, Instant::now(), &mut out);
        assert_eq!(out[0][0], 0x80);
        assert_eq!(
            exchange(&mut s, &mut t, [0x23, 0x18, 0x10, 1, 0, 0, 0, 0]),
            [abort_frame(0x1018, 1, Abort::READ_ONLY)]
        );
        assert_eq!(
            exchange(&mut s, &mut t, [0x23, 0x17, 0x10, 0, 0, 0, 0, 0]),
            [abort_frame(0x1017, 0, Abort::LENGTH_TOO_HIGH)]
        );
    }

    fn block_download(s: &mut SdoServer, t: &mut Target, data: &[u8], crc: u16) -> Vec<[u8; 8]> {
        let size = (data.len() as u32).to_le_bytes();
        let reply = exchange(s, t, [0xC6, 1, 0x20, 0, size[0], size[1], size[2], size[3]]);
        assert_eq!(reply, [[0xA4, 1, 0x20, 0, 127, 0, 0, 0]]);
        let mut out = Vec::new();
        let segments: Vec<&[u8]> = data.chunks(7).collect();
        for (i, chunk) in segments.iter().enumerate() {
            let mut frame = [0u8; 8];
            frame[0] = ((i % 127) as u8 + 1) | if i + 1 == segments.len() { 0x80 } else { 0 };
            frame[1..1 + chunk.len()].copy_from_slice(chunk);
            s.handle(&frame, t, Instant::now(), &mut out);
        }
        let unused = (7 - data.len() % 7) % 7;
        let [lo, hi] = crc.to_le_bytes();
        s.handle(&[0xC1 | (unused as u8) << 2, lo, hi, 0, 0, 0, 0, 0], t, Instant::now(), &mut out);
        out
    }

    #[test]
    fn block_download_checks_the_crc_and_acknowledges_each_sub_block() {
        let (mut s, mut t) = (SdoServer::new(), target());
        let data: Vec<u8> = (0..2000u32).map(|i| (i * 7) as u8).collect();
        let out = block_download(&mut s, &mut t, &data, CRC.checksum(&data));
        assert_eq!(out.iter().filter(|f| f[0] == 0xA2).count(), 3);
        assert_eq!(out.last(), Some(&[0xA1, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(t.0.entry(0x2001, 0).unwrap().value, data);
        let out = block_download(&mut s, &mut t, b"short", 0x1234);
        assert_eq!(out.last(), Some(&abort_frame(0x2001, 0, Abort::CRC)));
    }

    #[test]
    fn block_download_resends_after_a_lost_segment_and_refuses_sequence_zero() {
        let (mut s, mut t) = (SdoServer::new(), target());
        exchange(&mut s, &mut t, [0xC6, 1, 0x20, 0, 21, 0, 0, 0]);
        assert!(exchange(&mut s, &mut t, [1, 1, 2, 3, 4, 5, 6, 7]).is_empty());
        // Segment 2 is lost; 3 arrives: the server acknowledges 1.
        assert_eq!(exchange(&mut s, &mut t, [0x83, 0, 0, 0, 0, 0, 0, 0]), [[0xA2, 1, 127, 0, 0, 0, 0, 0]]);
        assert!(exchange(&mut s, &mut t, [1, 8, 9, 10, 11, 12, 13, 14]).is_empty());
        assert_eq!(
            exchange(&mut s, &mut t, [0x82, 15, 16, 17, 18, 19, 20, 21]),
            [[0xA2, 2, 127, 0, 0, 0, 0, 0]]
        );
        let data: Vec<u8> = (1..=21).collect();
        let [lo, hi] = CRC.checksum(&data).to_le_bytes();
        assert_eq!(exchange(&mut s, &mut t, [0xC1, lo, hi, 0, 0, 0, 0, 0]), [[0xA1, 0, 0, 0, 0, 0, 0, 0]]);
        assert_eq!(t.0.entry(0x2001, 0).unwrap().value, data);
        exchange(&mut s, &mut t, [0xC6, 1, 0x20, 0, 21, 0, 0, 0]);
        assert_eq!(
            exchange(&mut s, &mut t, [0, 1, 2, 3, 4, 5, 6, 7]),
            [abort_frame(0x2001, 0, Abort::SEQUENCE)]
        );
    }

    #[test]
    fn block_upload_sends_sub_blocks_resends_and_ends_with_the_crc() {
        let (mut s, mut t) = (SdoServer::new(), target());
        let data: Vec<u8> = (0..100u8).collect();
        t.0.store(0x2001, 0, &data).unwrap();
        assert_eq!(
            exchange(&mut s, &mut t, [0xA4, 1, 0x20, 0, 10, 0, 0, 0]),
            [[0xC6, 1, 0x20, 0, 100, 0, 0, 0]]
        );
        let first = exchange(&mut s, &mut t, [0xA3, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(first.len(), 10);
        // Only 8 arrived: the server resends from segment 9's data.
        let again = exchange(&mut s, &mut t, [0xA2, 8, 10, 0, 0, 0, 0, 0]);
        assert_eq!(again[0][1], 56);
        assert_eq!(again.last().unwrap()[0], 0x87);
        let end = exchange(&mut s, &mut t, [0xA2, 7, 10, 0, 0, 0, 0, 0]);
        let [lo, hi] = CRC.checksum(&data).to_le_bytes();
        assert_eq!(end, [[0xC1 | 5 << 2, lo, hi, 0, 0, 0, 0, 0]]);
        assert!(exchange(&mut s, &mut t, [0xA1, 0, 0, 0, 0, 0, 0, 0]).is_empty());
        assert!(!s.busy());
        // A protocol switch: 4 bytes under a threshold of 8 come as an expedited upload.
        assert_eq!(
            exchange(&mut s, &mut t, [0xA4, 0x18, 0x10, 1, 10, 8, 0, 0]),
            [[0x43, 0x18, 0x10, 1, 0xA2, 1, 0, 0]]
        );
        assert_eq!(
            exchange(&mut s, &mut t, [0xA4, 1, 0x20, 0, 0, 0, 0, 0]),
            [abort_frame(0x2001, 0, Abort::BLOCK_SIZE)]
        );
    }
}
