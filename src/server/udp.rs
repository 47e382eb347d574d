//! The CAN-to-UDP bridges: each bridge joins one served bus to one UDP peer, both ways. Frames
//! of the bus (received, and sent by other clients) go to the peer as datagrams; datagrams from
//! the peer go onto the bus through the bridge's own hub subscription, so every other client
//! hears them and the bridge never echoes them back.
//!
//! Bridges map to buses in order: the first `--udp-peer`/`--udp-listen` pair bridges the first
//! served bus, the second pair the second bus, and so on.
//!
//! One socket per bridge, bound to the listen address (or an ephemeral port when none is given),
//! both receives and sends, so a peer that checks where datagrams come from (cannelloni does)
//! sees the address it was told. Datagrams whose sender's IP address is not the peer's are
//! ignored and counted (as cannelloni does, by address; the port is not compared) unless
//! `accept_any`; a bridge without a peer only receives, from anyone. Garbage datagrams and
//! cannelloni sequence gaps are counted and the first few described in the log; nothing a peer
//! sends stops the bridge. The wire formats are [`crate::net::udp_frames`].
//!
//! Batching (cannelloni): whatever frames are queued when the bridge wakes up go out together, in
//! as few packets as the payload size allows, at once; a lone frame is sent alone without
//! waiting, so batching adds no delay and grows with the load.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Arc;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::{ClientSlot, ServedBus, Shared};
use crate::bus::socket_io;
use crate::bus::BusEvent;
use crate::frame::{Frame, Timestamp};
use crate::net::udp_frames::{
    decode_cannelloni, decode_socketcan, encode_socketcan, CannelloniWriter, CANFD_FRAME_SIZE,
    CANNELLONI_PAYLOAD_V4, CANNELLONI_PAYLOAD_V6,
};

/// The datagram format of a bridge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UdpFormat {
    /// One Linux `struct can_frame`/`canfd_frame` per datagram, little-endian `can_id` (the seed's).
    #[default]
    Socketcan,
    /// cannelloni data packets (several frames per datagram, sequence numbers).
    Cannelloni,
}

impl UdpFormat {
    pub fn name(self) -> &'static str {
        match self {
            UdpFormat::Socketcan => "socketcan",
            UdpFormat::Cannelloni => "cannelloni",
        }
    }
}

/// One bridge: where frames go, where datagrams are received, in which format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpBridge {
    /// Where the bus's frames are sent (`None`: receive only, from any sender).
    pub peer: Option<SocketAddr>,
    /// Where datagrams are received (and sent from); `None`: an ephemeral port.
    pub listen: Option<SocketAddr>,
    pub format: UdpFormat,
    /// Take datagrams from any sender, not only the peer's address.
    pub accept_any: bool,
}

/// Datagrams read in one turn before the bridge looks at the bus again.
const DATAGRAMS_PER_TURN: usize = 256;
/// Datagrams of the socketcan format read or sent with one system call at most.
const DATAGRAMS_PER_CALL: usize = 64;
/// A socketcan-format datagram's buffer: a `canfd_frame` fits; anything longer is garbage, and
/// its length is still known (`MSG_TRUNC`).
const SOCKETCAN_BUFFER: usize = 128;
/// Hub events taken in one turn (into one batch of packets).
const FRAMES_PER_TURN: usize = 1024;
/// How many of each kind of trouble are described in the log; more are only counted.
const DESCRIBED: u64 = 5;
/// Receive buffer asked for: bursts from the peer wait here while the bus is busy.
const RECEIVE_BUFFER: i32 = 4 << 20;

/// The bridge's socket, bound; made before the server reports it is up, so a port in use is an
/// error at start.
pub(crate) struct BoundBridge {
    bridge: UdpBridge,
    socket: AsyncFd<Socket>,
    local: SocketAddr,
}

impl BoundBridge {
    pub(crate) fn bind(bridge: UdpBridge) -> io::Result<BoundBridge> {
        let addr = bridge.listen.unwrap_or(match bridge.peer {
            Some(SocketAddr::V6(_)) => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0),
            _ => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0),
        });
        let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
        if addr.is_ipv6() {
            socket.set_only_v6(false)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&addr.into())?;
        let fd = socket.as_raw_fd();
        socket_io::enable_timestamps(fd)?;
        socket_io::request_receive_buffer(fd, RECEIVE_BUFFER);
        let local = socket.local_addr()?.as_socket().unwrap_or(addr);
        // SAFETY: the AsyncFd owns the socket, so the descriptor stays open and unchanged for the
        // AsyncFd's whole life.
        let socket = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }
            .map_err(|e| e.into_parts().1)?;
        Ok(BoundBridge { bridge, socket, local })
    }

    pub(crate) fn describe(&self) -> String {
        let peer = match self.bridge.peer {
            Some(p) => format!("peer {p}"),
            None => "no peer (receive only)".into(),
        };
        let accept = if self.bridge.accept_any || self.bridge.peer.is_none() {
            ", datagrams from any sender"
        } else {
            ""
        };
        format!("UDP bridge ({}) on {}, {peer}{accept}", self.bridge.format.name(), self.local)
    }
}

/// What a bridge counted, for its closing line.
#[derive(Default)]
struct Tally {
    frames_out: u64,
    datagrams_out: u64,
    send_errors: u64,
    receive_errors: u64,
    frames_in: u64,
    garbage: u64,
    foreign: u64,
    lost_packets: u64,
    /// Sequence gaps seen (each of one or more packets).
    gaps: u64,
    out_of_order: u64,
    refused_read_only: u64,
    bus_errors: u64,
}

/// Say `what` if it is among the first [`DESCRIBED`] of its kind (`n` counts them, from 1).
fn describe_first(shared: &Shared, name: &str, n: u64, what: impl FnOnce() -> String) {
    if n <= DESCRIBED {
        let more = if n == DESCRIBED { " (further ones are counted, not described)" } else { "" };
        shared.log(format!("{name}: {}{more}", what()));
    }
}

/// The bridge's side that sends the bus's frames to the peer.
struct Outgoing {
    peer: Option<SockAddr>,
    format: UdpFormat,
    writer: CannelloniWriter,
    /// socketcan-format datagrams waiting for one `sendmmsg`, with their lengths.
    datagrams: Vec<([u8; CANFD_FRAME_SIZE], usize)>,
}

/// Run one bridge between `bus` and its peer until the shutdown.
pub(crate) async fn run(shared: Arc<Shared>, bus: ServedBus, bound: BoundBridge) {
    // The bridge is a client: the server waits for its closing line before it exits.
    let _slot = ClientSlot::hold(&shared);
    let BoundBridge { bridge, socket, local } = bound;
    let name = match bridge.peer {
        Some(p) => format!("UDP bridge {local} <-> {p}"),
        None => format!("UDP bridge {local}"),
    };
    let payload =
        if bridge.peer.is_some_and(|p| p.is_ipv6()) { CANNELLONI_PAYLOAD_V6 } else { CANNELLONI_PAYLOAD_V4 };
    let mut out = Outgoing {
        peer: bridge.peer.map(SockAddr::from),
        format: bridge.format,
        writer: CannelloniWriter::new(payload),
        datagrams: Vec::with_capacity(DATAGRAMS_PER_CALL),
    };
    let mut sub = shared.subscribe(&bus);
    let mut tally = Tally::default();
    // The socketcan format's datagrams are small and come one per frame: many per system call.
    // A cannelloni packet carries many frames already, and may be as large as UDP allows.
    let mut batch = match bridge.format {
        UdpFormat::Socketcan => socket_io::ReceiveBatch::new(DATAGRAMS_PER_CALL, SOCKETCAN_BUFFER),
        UdpFormat::Cannelloni => socket_io::ReceiveBatch::new(1, 65536),
    };
    let mut decoded: Vec<Frame> = Vec::new();
    let mut incoming: Vec<Frame> = Vec::new();
    let mut next_sequence: Option<u8> = None;
    let mut sub_dropped = 0u64;
    // The last turn stopped reading at DATAGRAMS_PER_TURN with datagrams left: read on without
    // waiting for readiness (it was cleared).
    let mut more_to_read = false;
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);
    enum Wake {
        Stop,
        Bus(Result<BusEvent, crate::bus::BusError>),
        Readable,
    }
    loop {
        let wake = tokio::select! {
            biased;
            _ = &mut stop => Wake::Stop,
            e = sub.recv() => Wake::Bus(e),
            _ = std::future::ready(()), if more_to_read => Wake::Readable,
            r = socket.readable() => match r {
                Ok(mut guard) => {
                    // Reads below run until WouldBlock; readiness is re-armed then.
                    guard.clear_ready();
                    Wake::Readable
                }
                Err(e) => {
                    shared.log(format!("{name}: the socket failed: {e}"));
                    Wake::Stop
                }
            },
        };
        match wake {
            Wake::Stop => break,
            Wake::Bus(Err(e)) => {
                shared.log(format!("{name}: the bus stopped: {e}"));
                break;
            }
            Wake::Bus(Ok(first)) => {
                let mut event = Some(first);
                let mut taken = 0;
                while let Some(e) = event.take() {
                    if let BusEvent::Frame(f) = e {
                        out.frame(&socket, &f, &mut tally, &shared, &name).await;
                    }
                    taken += 1;
                    if taken < FRAMES_PER_TURN {
                        event = sub.try_recv().ok().flatten();
                    }
                }
                out.flush(&socket, &mut tally, &shared, &name).await;
                if sub.dropped() > sub_dropped {
                    if sub_dropped == 0 {
                        shared.log(format!(
                            "{name}: the peer's side is not keeping up; frames for it are dropped"
                        ));
                    }
                    sub_dropped = sub.dropped();
                }
            }
            Wake::Readable => {
                incoming.clear();
                more_to_read = true;
                let mut read = 0;
                while read < DATAGRAMS_PER_TURN {
                    let n = match batch.receive(socket.as_raw_fd(), libc::MSG_TRUNC) {
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            more_to_read = false;
                            break;
                        }
                        Err(e) => {
                            // An ICMP error reported on the socket and the like: one-off; say so
                            // and read on next turn.
                            tally.receive_errors += 1;
                            describe_first(&shared, &name, tally.receive_errors, || {
                                format!("receiving: {e}")
                            });
                            break;
                        }
                    };
                    read += n;
                    for i in 0..n {
                        let (datagram, d) = batch.get(i);
                        let source = d.source.map_or_else(|| "an unknown sender".into(), |s| s.to_string());
                        if let Some(peer) = bridge.peer {
                            if !bridge.accept_any
                                && d.source.map(|s| canonical(s.ip())) != Some(canonical(peer.ip()))
                            {
                                tally.foreign += 1;
                                describe_first(&shared, &name, tally.foreign, || {
                                    format!("ignored a datagram from {source}, which is not the peer (--udp-accept-any takes any sender)")
                                });
                                continue;
                            }
                        }
                        let decoded_ok = if d.len > datagram.len() {
                            Err(format!("{} bytes, too large", d.len))
                        } else {
                            match bridge.format {
                                UdpFormat::Socketcan => decode_socketcan(datagram).map(|f| {
                                    decoded.clear();
                                    decoded.push(f);
                                }),
                                UdpFormat::Cannelloni => {
                                    decode_cannelloni(datagram, &mut decoded).map(|sequence| {
                                        check_sequence(
                                            &shared,
                                            &name,
                                            &mut next_sequence,
                                            sequence,
                                            &mut tally,
                                        )
                                    })
                                }
                            }
                            .map_err(|e| e.to_string())
                        };
                        if let Err(why) = decoded_ok {
                            tally.garbage += 1;
                            describe_first(&shared, &name, tally.garbage, || {
                                format!("skipped a garbage datagram from {source} ({} bytes): {why}", d.len)
                            });
                            continue;
                        }
                        let at = d.timestamp.unwrap_or_else(Timestamp::now);
                        incoming.extend(decoded.iter().map(|f| f.with_timestamp(at)));
                    }
                }
                for f in &incoming {
                    if shared.options.read_only {
                        tally.refused_read_only += 1;
                        describe_first(&shared, &name, tally.refused_read_only, || {
                            "read-only server: a frame from the peer was not sent".into()
                        });
                        continue;
                    }
                    match sub.send(f).await {
                        Ok(()) => tally.frames_in += 1,
                        Err(e) => {
                            tally.bus_errors += 1;
                            describe_first(&shared, &name, tally.bus_errors, || {
                                format!("a frame from the peer was not sent on the bus: {e}")
                            });
                        }
                    }
                }
            }
        }
    }
    out.flush(&socket, &mut tally, &shared, &name).await;
    shared.log(format!(
        "{name}: {} frames to the peer in {} datagrams ({} send errors), {} frames from it; \
         {} garbage datagrams skipped, {} datagrams from other senders ignored, {} packets lost \
         (sequence gaps), {} out of order",
        tally.frames_out,
        tally.datagrams_out,
        tally.send_errors,
        tally.frames_in,
        tally.garbage,
        tally.foreign,
        tally.lost_packets,
        tally.out_of_order,
    ));
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is (a dual-stack socket reports those).
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Count a cannelloni sequence gap: packets between the expected number and `sequence` were lost
/// (a jump backwards, or of half the range or more, is a late or repeated packet, or the peer
/// restarted).
fn check_sequence(shared: &Shared, name: &str, next: &mut Option<u8>, sequence: u8, tally: &mut Tally) {
    let Some(expected) = *next else {
        *next = Some(sequence.wrapping_add(1));
        return;
    };
    let gap = sequence.wrapping_sub(expected);
    if gap == 0 {
        *next = Some(sequence.wrapping_add(1));
    } else if gap < 128 {
        tally.lost_packets += u64::from(gap);
        tally.gaps += 1;
        let total = tally.lost_packets;
        describe_first(shared, name, tally.gaps, || {
            format!("{gap} cannelloni packets lost (sequence {sequence}, expected {expected}; {total} lost so far)")
        });
        *next = Some(sequence.wrapping_add(1));
    } else {
        tally.out_of_order += 1;
        describe_first(shared, name, tally.out_of_order, || {
            format!("cannelloni packet {sequence} out of order (expected {expected})")
        });
        *next = Some(sequence.wrapping_add(1));
    }
}

impl Outgoing {
    async fn frame(
        &mut self,
        socket: &AsyncFd<Socket>,
        f: &Frame,
        tally: &mut Tally,
        shared: &Shared,
        name: &str,
    ) {
        if self.peer.is_none() {
            return;
        }
        match self.format {
            UdpFormat::Socketcan => {
                let mut datagram = [0; CANFD_FRAME_SIZE];
                let n = encode_socketcan(f, &mut datagram);
                self.datagrams.push((datagram, n));
                if self.datagrams.len() >= DATAGRAMS_PER_CALL {
                    self.flush(socket, tally, shared, name).await;
                }
            }
            UdpFormat::Cannelloni => {
                if !self.writer.push(f) {
                    self.flush(socket, tally, shared, name).await;
                    // An empty packet has room for any frame (the payload fits a 64-byte FD frame).
                    let pushed = self.writer.push(f);
                    debug_assert!(pushed);
                }
            }
        }
    }

    /// Send what is waiting: cannelloni's packet, or the socketcan-format datagrams with as few
    /// `sendmmsg` calls as they need.
    async fn flush(&mut self, socket: &AsyncFd<Socket>, tally: &mut Tally, shared: &Shared, name: &str) {
        let Some(peer) = self.peer.clone() else {
            self.datagrams.clear();
            return;
        };
        let fd = socket.as_raw_fd();
        let count = self.writer.count() as u64;
        if count > 0 {
            let packet = self.writer.take();
            let result = socket_io::send_when_writable(fd, || socket.get_ref().send_to(packet, &peer)).await;
            account(result.map(|_| 1), count, tally, shared, name);
        }
        let mut start = 0;
        while start < self.datagrams.len() {
            let chunk: Vec<&[u8]> = self.datagrams[start..].iter().map(|(d, n)| &d[..*n]).collect();
            let result =
                socket_io::send_when_writable(fd, || socket_io::send_batch(fd, &chunk, Some(&peer))).await;
            match result {
                Ok(n) => {
                    account(Ok(n), n as u64, tally, shared, name);
                    start += n;
                }
                Err(e) => {
                    // The first datagram failed: count it and go on with the next.
                    account(Err(e), 1, tally, shared, name);
                    start += 1;
                }
            }
        }
        self.datagrams.clear();
    }
}

/// Count `frames` sent in `Ok(datagrams)`, or a failed send.
fn account(result: io::Result<usize>, frames: u64, tally: &mut Tally, shared: &Shared, name: &str) {
    match result {
        Ok(datagrams) => {
            tally.frames_out += frames;
            tally.datagrams_out += datagrams as u64;
        }
        Err(e) => {
            tally.send_errors += 1;
            describe_first(shared, name, tally.send_errors, || format!("sending to the peer: {e}"));
        }
    }
}
