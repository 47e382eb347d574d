//! An SDO client (CiA 301 §7.2.4): read and write a remote node's dictionary over a hub, in
//! expedited, segmented or block transfers. Each client is a hub subscription that hears only
//! its server's responses; one transfer at a time per client, as SDO allows.
//!
//! ```no_run
//! # async fn demo(hub: &cankit::bus::hub::Hub) -> Result<(), cankit::canopen::client::SdoError> {
//! use cankit::canopen::client::SdoClient;
//! let mut node5 = SdoClient::new(hub, 5);
//! let vendor = node5.upload(0x1018, 1).await?; // 4 bytes, little-endian
//! node5.download(0x1017, 0, &1000u16.to_le_bytes()).await?;
//! let blob = node5.upload_block(0x2000, 0).await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use super::abort::Abort;
use super::sdo::CRC;
use crate::bus::hub::{Hub, SubscribeOptions, Subscription};
use crate::bus::{BusError, BusEvent};
use crate::filter::FilterSet;
use crate::frame::Frame;

/// Why a transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum SdoError {
    #[error("node {node}: 0x{index:04X}:{sub:02X}: aborted: {abort}")]
    Aborted { node: u8, index: u16, sub: u8, abort: Abort },
    #[error("node {node}: 0x{index:04X}:{sub:02X}: no answer within {timeout:?}")]
    Timeout { node: u8, index: u16, sub: u8, timeout: Duration },
    /// The server broke the protocol; the client aborted the transfer with `abort`.
    #[error("node {node}: 0x{index:04X}:{sub:02X}: {message}")]
    Protocol { node: u8, index: u16, sub: u8, message: String, abort: Abort },
    #[error(transparent)]
    Bus(#[from] BusError),
}

impl SdoError {
    /// The abort code, when the transfer ended with one (from either side).
    pub fn abort(&self) -> Option<Abort> {
        match self {
            SdoError::Aborted { abort, .. } => Some(*abort),
            SdoError::Timeout { .. } => Some(Abort::TIMEOUT),
            SdoError::Protocol { abort, .. } => Some(*abort),
            SdoError::Bus(_) => None,
        }
    }
}

/// The client of one node's default SDO server (0x600/0x580 + node-ID).
pub struct SdoClient {
    sub: Subscription,
    node: u8,
    request: u32,
    /// How long to wait for each response.
    pub timeout: Duration,
    /// Segments per sub-block the client asks for in a block upload (1..=127).
    pub block_size: u8,
    /// A block upload's protocol switch threshold: the server may answer values of at most this
    /// many bytes with a normal upload (0: never; CANopenNode's client asks 21).
    pub protocol_switch: u8,
}

struct At {
    node: u8,
    index: u16,
    sub: u8,
}

impl At {
    fn protocol(&self, abort: Abort, message: impl Into<String>) -> SdoError {
        SdoError::Protocol {
            node: self.node,
            index: self.index,
            sub: self.sub,
            message: message.into(),
            abort,
        }
    }
}

impl SdoClient {
    pub fn new(hub: &Hub, node: u8) -> SdoClient {
        let response = 0x580 + u32::from(node);
        let filter = FilterSet::parse(&[format!("{response:03X}:7FF")]).expect("a valid id filter");
        let sub =
            hub.subscribe(SubscribeOptions { filter, capacity: 4096, hear_sent: true, ..Default::default() });
        SdoClient {
            sub,
            node,
            request: 0x600 + u32::from(node),
            timeout: Duration::from_secs(1),
            block_size: 127,
            protocol_switch: 0,
        }
    }

    pub fn node(&self) -> u8 {
        self.node
    }

    async fn send(&self, data: [u8; 8]) -> Result<(), SdoError> {
        let frame = Frame::new_data(self.request, false, &data).expect("an 11-bit id and 8 bytes");
        Ok(self.sub.send(&frame).await?)
    }

    /// The next response, or a timeout (after which the server is told with an abort).
    async fn receive(&mut self, at: &At) -> Result<[u8; 8], SdoError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let event = match tokio::time::timeout_at(deadline, self.sub.recv()).await {
                Ok(event) => event?,
                Err(_) => {
                    let _ = self.send(abort_request(at, Abort::TIMEOUT)).await;
                    return Err(SdoError::Timeout {
                        node: at.node,
                        index: at.index,
                        sub: at.sub,
                        timeout: self.timeout,
                    });
                }
            };
            let BusEvent::Frame(frame) = event else { continue };
            if frame.is_remote() || frame.len() < 8 {
                continue;
            }
            let mut data = [0u8; 8];
            data.copy_from_slice(&frame.data()[..8]);
            if data[0] == 0x80 {
                let abort = Abort(u32::from_le_bytes([data[4], data[5], data[6], data[7]]));
                return Err(SdoError::Aborted { node: at.node, index: at.index, sub: at.sub, abort });
            }
            return Ok(data);
        }
    }

    async fn fail<T>(&self, at: &At, abort: Abort, message: &str) -> Result<T, SdoError> {
        let _ = self.send(abort_request(at, abort)).await;
        Err(at.protocol(abort, message))
    }

    /// Read `index:sub` (expedited or segmented, as the server answers).
    pub async fn upload(&mut self, index: u16, sub: u8) -> Result<Vec<u8>, SdoError> {
        let at = At { node: self.node, index, sub };
        self.drain();
        self.send(initiate(0x40, index, sub, [0; 4])).await?;
        let reply = self.receive(&at).await?;
        if reply[0] & 0xE0 != 0x40 {
            return self.fail(&at, Abort::COMMAND, "unexpected response to an upload").await;
        }
        self.finish_upload(&at, reply).await
    }

    /// The rest of a normal upload, from the server's initiate response.
    async fn finish_upload(&mut self, at: &At, reply: [u8; 8]) -> Result<Vec<u8>, SdoError> {
        if reply[0] & 0x02 != 0 {
            let len = if reply[0] & 0x01 != 0 { 4 - usize::from((reply[0] >> 2) & 0x03) } else { 4 };
            return Ok(reply[4..4 + len].to_vec());
        }
        let size = (reply[0] & 0x01 != 0)
            .then(|| u32::from_le_bytes([reply[4], reply[5], reply[6], reply[7]]) as usize);
        let mut data = Vec::with_capacity(size.unwrap_or(0).min(1 << 20));
        let mut toggle = 0u8;
        loop {
            self.send([0x60 | toggle, 0, 0, 0, 0, 0, 0, 0]).await?;
            let segment = self.receive(at).await?;
            if segment[0] & 0xE0 != 0 || segment[0] & 0x10 != toggle {
                return self.fail(at, Abort::TOGGLE_BIT, "segment out of sequence").await;
            }
            let unused = usize::from((segment[0] >> 1) & 0x07);
            data.extend_from_slice(&segment[1..8 - unused]);
            if segment[0] & 0x01 != 0 {
                break;
            }
            toggle ^= 0x10;
        }
        if size.is_some_and(|s| s != data.len()) {
            return Err(at.protocol(
                Abort::TYPE_LENGTH,
                format!("the server announced {} bytes and sent {}", size.unwrap_or(0), data.len()),
            ));
        }
        Ok(data)
    }

    /// Write `data` to `index:sub`: expedited up to 4 bytes, segmented above.
    pub async fn download(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), SdoError> {
        let at = At { node: self.node, index, sub };
        self.drain();
        if (1..=4).contains(&data.len()) {
            let mut payload = [0u8; 4];
            payload[..data.len()].copy_from_slice(data);
            self.send(initiate(0x23 | (((4 - data.len()) as u8) << 2), index, sub, payload)).await?;
            let reply = self.receive(&at).await?;
            return if reply[0] == 0x60 {
                Ok(())
            } else {
                self.fail(&at, Abort::COMMAND, "unexpected response").await
            };
        }
        self.send(initiate(0x21, index, sub, (data.len() as u32).to_le_bytes())).await?;
        if self.receive(&at).await?[0] != 0x60 {
            return self.fail(&at, Abort::COMMAND, "unexpected response to a download").await;
        }
        let mut toggle = 0u8;
        let mut chunks = data.chunks(7).peekable();
        if data.is_empty() {
            // An empty value: one segment with no data.
            self.send([0x0F, 0, 0, 0, 0, 0, 0, 0]).await?;
            self.receive(&at).await?;
            return Ok(());
        }
        while let Some(chunk) = chunks.next() {
            let last = chunks.peek().is_none();
            let mut frame = [0u8; 8];
            frame[0] = toggle | (((7 - chunk.len()) as u8) << 1) | u8::from(last);
            frame[1..1 + chunk.len()].copy_from_slice(chunk);
            self.send(frame).await?;
            let reply = self.receive(&at).await?;
            if reply[0] != 0x20 | toggle {
                return self.fail(&at, Abort::TOGGLE_BIT, "acknowledgement out of sequence").await;
            }
            toggle ^= 0x10;
        }
        Ok(())
    }

    /// Read `index:sub` in a block transfer with CRC (the server may switch to a normal upload
    /// for small values; it is followed).
    pub async fn upload_block(&mut self, index: u16, sub: u8) -> Result<Vec<u8>, SdoError> {
        let at = At { node: self.node, index, sub };
        self.drain();
        let block = self.block_size.clamp(1, 127);
        self.send(initiate(0xA4, index, sub, [block, self.protocol_switch, 0, 0])).await?;
        let reply = self.receive(&at).await?;
        if reply[0] & 0xE0 == 0x40 {
            // The server switched to a normal upload (CiA 301 allows it; python canopen's
            // LocalNode always does).
            return self.finish_upload(&at, reply).await;
        }
        if reply[0] & 0xF9 != 0xC0 {
            return self.fail(&at, Abort::COMMAND, "unexpected response to a block upload").await;
        }
        let crc = reply[0] & 0x04 != 0;
        let size = (reply[0] & 0x02 != 0)
            .then(|| u32::from_le_bytes([reply[4], reply[5], reply[6], reply[7]]) as usize);
        let mut data = Vec::with_capacity(size.unwrap_or(0).min(16 << 20));
        self.send([0xA3, 0, 0, 0, 0, 0, 0, 0]).await?;
        loop {
            // One sub-block: segments in sequence until the block size or the last one.
            let mut sequence = 0u8;
            let last = loop {
                let segment = self.receive(&at).await?;
                let number = segment[0] & 0x7F;
                if number == sequence + 1 {
                    sequence = number;
                    data.extend_from_slice(&segment[1..8]);
                    let last = segment[0] & 0x80 != 0;
                    if last || number == block {
                        break last;
                    }
                } else if number == 0 || number > block {
                    return self.fail(&at, Abort::SEQUENCE, "invalid sequence number").await;
                }
            };
            self.send([0xA2, sequence, block, 0, 0, 0, 0, 0]).await?;
            if last {
                break;
            }
        }
        let end = self.receive(&at).await?;
        if end[0] & 0xE3 != 0xC1 {
            return self.fail(&at, Abort::COMMAND, "expected the end of the block upload").await;
        }
        let unused = usize::from((end[0] >> 2) & 0x07);
        if unused > data.len() {
            return self.fail(&at, Abort::COMMAND, "more unused bytes than data").await;
        }
        data.truncate(data.len() - unused);
        if crc && CRC.checksum(&data) != u16::from_le_bytes([end[1], end[2]]) {
            return self.fail(&at, Abort::CRC, "CRC mismatch").await;
        }
        self.send([0xA1, 0, 0, 0, 0, 0, 0, 0]).await?;
        if size.is_some_and(|s| s != data.len()) {
            return Err(at.protocol(
                Abort::TYPE_LENGTH,
                format!("the server announced {} bytes and sent {}", size.unwrap_or(0), data.len()),
            ));
        }
        Ok(data)
    }

    /// Write `data` to `index:sub` in a block transfer with CRC, resending what the server did
    /// not acknowledge.
    pub async fn download_block(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), SdoError> {
        let at = At { node: self.node, index, sub };
        self.drain();
        self.send(initiate(0xC6, index, sub, (data.len() as u32).to_le_bytes())).await?;
        let reply = self.receive(&at).await?;
        if reply[0] & 0xFB != 0xA0 {
            return self.fail(&at, Abort::COMMAND, "unexpected response to a block download").await;
        }
        let crc = reply[0] & 0x04 != 0;
        let mut block = reply[4];
        let mut offset = 0usize;
        loop {
            if !(1..=127).contains(&block) {
                return self.fail(&at, Abort::BLOCK_SIZE, "invalid block size").await;
            }
            let mut sent = 0u8;
            let mut at_byte = offset;
            for number in 1..=block {
                let chunk = &data[at_byte.min(data.len())..(at_byte + 7).min(data.len())];
                let last = at_byte + 7 >= data.len();
                let mut frame = [0u8; 8];
                frame[0] = number | if last { 0x80 } else { 0 };
                frame[1..1 + chunk.len()].copy_from_slice(chunk);
                self.send(frame).await?;
                sent = number;
                at_byte += 7;
                if last {
                    break;
                }
            }
            let ack = self.receive(&at).await?;
            if ack[0] != 0xA2 || ack[1] > sent {
                return self.fail(&at, Abort::COMMAND, "unexpected block acknowledgement").await;
            }
            offset += 7 * usize::from(ack[1]);
            block = ack[2];
            if ack[1] == sent && offset >= data.len() {
                break;
            }
        }
        let unused = (7 * data.len().div_ceil(7).max(1) - data.len()) as u8;
        let checksum = if crc { CRC.checksum(data) } else { 0 };
        let [lo, hi] = checksum.to_le_bytes();
        self.send([0xC1 | (unused << 2), lo, hi, 0, 0, 0, 0, 0]).await?;
        let end = self.receive(&at).await?;
        if end[0] != 0xA1 {
            return self.fail(&at, Abort::COMMAND, "expected the end of the block download").await;
        }
        Ok(())
    }

    /// Forget responses left from an earlier, abandoned transfer.
    fn drain(&mut self) {
        while let Ok(Some(_)) = self.sub.try_recv() {}
    }
}

/// A request frame: the server's layout ([`super::sdo::response`]) in the other direction.
fn initiate(command: u8, index: u16, sub: u8, payload: [u8; 4]) -> [u8; 8] {
    super::sdo::response(command, index, sub, payload)
}

fn abort_request(at: &At, abort: Abort) -> [u8; 8] {
    initiate(0x80, at.index, at.sub, abort.0.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canopen::eds;
    use crate::canopen::node::{Node, NodeOptions};
    use crate::canopen::runner::{self, NodeHandle};
    use crate::shutdown::Shutdown;
    use crate::{Bus, BusConfig};

    #[tokio::test]
    async fn every_transfer_mode_against_the_node() {
        let text = include_str!("../../tests/fixtures/canopen/device.eds");
        let od = eds::parse(text, "device.eds", Some(5)).unwrap().dictionary;
        let node = NodeHandle::new(Node::new(5, od, NodeOptions::default()));
        let hub = Hub::new(Bus::open(&BusConfig::new("virtual", Some("sdo-client-test"))).await.unwrap());
        let shutdown = Shutdown::new();
        let mut client = SdoClient::new(&hub, 5);
        let running = {
            let (node, shutdown, hub) = (node.clone(), shutdown.clone(), &hub);
            async move { runner::run(&node, hub, &shutdown).await }
        };
        let test = async {
            assert_eq!(client.upload(0x1018, 1).await.unwrap(), [0xA2, 1, 0, 0]);
            client.download(0x2002, 0, b"hello, segmented world").await.unwrap();
            assert_eq!(client.upload(0x2002, 0).await.unwrap(), b"hello, segmented world");
            let blob: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
            client.download_block(0x2000, 0, &blob).await.unwrap();
            assert_eq!(client.upload_block(0x2000, 0).await.unwrap(), blob);
            client.download(0x2000, 0, &blob[..100]).await.unwrap();
            assert_eq!(client.upload(0x2000, 0).await.unwrap(), &blob[..100]);
            let err = client.upload(0x3000, 0).await.unwrap_err();
            assert_eq!(err.abort(), Some(Abort::NO_OBJECT));
            assert!(err.to_string().contains("node 5: 0x3000:00: aborted: 0x06020000"), "{err}");
            shutdown.trigger();
        };
        let (result, ()) = tokio::join!(running, test);
        result.unwrap();
    }
}
