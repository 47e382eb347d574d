//! `socketcand`: a bus served by a socketcand daemon (or `canserver`) over TCP, as python-can's
//! `socketcand` interface reaches it: `-i socketcand -c can0 --bus-option host=H --bus-option
//! port=P` (python-can's keywords `host`, `port`, `channel`, `tcp_tune`; port 29536 by default).
//!
//! Opening connects (retrying for 10 s, as python-can does), reads `< hi >`, opens the channel
//! and switches to RAW mode, each reply checked; a refusal is an error quoting the server.
//! Without a host, the first discovery beacon (UDP 42000, within python-can's 3.1 s) that
//! offers the channel names the server. Frames are sent as `< send … >` (CAN FD as the
//! `rawmode-canfd` extension's `< sendfd … >`, which the daemon's master does not know); remote
//! and error frames cannot be sent over this protocol and are refused. Opening blocks the
//! calling thread for the connection and handshake.

use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream as StdStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusStats};
use crate::frame::Frame;
use crate::net::socketcand::{self as proto, BeaconInfo, Splitter};

/// The daemon's default port.
pub const DEFAULT_PORT: u16 = 29536;
/// How long python-can keeps retrying to connect.
pub const CONNECT_RETRY: Duration = Duration::from_secs(10);
/// python-can's beacon window.
pub const DISCOVERY_WINDOW: Duration = Duration::from_millis(3100);

pub const ENTRY: BackendEntry = BackendEntry {
    name: "socketcand",
    aliases: &[],
    open: |config| Ok(Box::new(SocketcandBus::open(config)?)),
};

struct Reader {
    half: OwnedReadHalf,
    splitter: Splitter,
    pending: VecDeque<BusEvent>,
}

pub struct SocketcandBus {
    server: String,
    channel: String,
    reader: tokio::sync::Mutex<Reader>,
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    own: super::OwnFrames,
    received: AtomicU64,
    sent: AtomicU64,
    invalid: AtomicU64,
}

fn io_error(server: &str, what: &str, e: std::io::Error) -> BusError {
    BusError::io(format!("socketcand server {server}: {what}"), e)
}

/// Listen for discovery beacons for `window` and return every server that answered (once each).
/// `until` stops early at the first beacon it accepts.
pub fn discover(window: Duration, until: impl Fn(&BeaconInfo) -> bool) -> std::io::Result<Vec<BeaconInfo>> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_broadcast(true)?;
    let addr: SocketAddr = ([0, 0, 0, 0], crate::server::beacon::PORT).into();
    socket.bind(&addr.into())?;
    let socket: UdpSocket = socket.into();
    let deadline = Instant::now() + window;
    let mut found: Vec<BeaconInfo> = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(found);
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                if let Some(info) = proto::parse_beacon(&String::from_utf8_lossy(&buf[..n])) {
                    let stop = until(&info);
                    if !found.contains(&info) {
                        found.push(info);
                    }
                    if stop {
                        return Ok(found);
                    }
                }
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Ok(found)
            }
            Err(e) => return Err(e),
        }
    }
}

/// Read elements until one arrives (blocking, within the stream's read timeout).
fn next_element(stream: &mut StdStream, splitter: &mut Splitter, server: &str) -> Result<String, BusError> {
    let mut buf = [0u8; 512];
    loop {
        if let Some(e) = splitter.next_element() {
            return Ok(e);
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(io_error(
                    server,
                    "closed the connection during the handshake",
                    std::io::ErrorKind::UnexpectedEof.into(),
                ))
            }
            Ok(n) => splitter.push(&buf[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return Err(io_error(server, "no answer within 10 s during the handshake", e))
            }
            Err(e) => return Err(io_error(server, "handshake failed", e)),
        }
    }
}

fn expect(
    stream: &mut StdStream,
    splitter: &mut Splitter,
    server: &str,
    want: &str,
    after: &str,
) -> Result<(), BusError> {
    let got = next_element(stream, splitter, server)?;
    if proto::words(&got) == proto::words(want) {
        Ok(())
    } else {
        Err(BusError::InvalidConfig {
            interface: "socketcand".into(),
            message: format!("server {server} answered {after} with '{got}' instead of '{want}'"),
        })
    }
}

impl SocketcandBus {
    pub fn open(config: &BusConfig) -> Result<SocketcandBus, BusError> {
        let invalid = |message: String| BusError::InvalidConfig { interface: "socketcand".into(), message };
        let channel = config.channel.clone().unwrap_or_else(|| "can0".into());
        let port = match config.option(&["port"]) {
            Some(p) => p.parse::<u16>().map_err(|_| invalid(format!("port '{p}' is not a TCP port")))?,
            None => DEFAULT_PORT,
        };
        if let Some(v) = config.option(&["tcp_tune"]) {
            crate::config::parse_bool(v).map_err(|m| invalid(format!("tcp_tune: {m}")))?;
        }
        let (host, port) = match config.option(&["host"]) {
            Some(h) => (h.trim_start_matches('[').trim_end_matches(']').to_string(), port),
            None => {
                let found = discover(DISCOVERY_WINDOW, |b| b.buses.iter().any(|n| n == &channel))
                    .map_err(|e| BusError::io("socketcand discovery on UDP port 42000", e))?;
                let server =
                    found.into_iter().find(|b| b.buses.iter().any(|n| n == &channel)).ok_or_else(|| {
                        invalid(format!(
                            "no host given and no socketcand beacon offering '{channel}' within {} s; \
                         give one with --bus-option host=ADDRESS",
                            DISCOVERY_WINDOW.as_secs_f64()
                        ))
                    })?;
                (server.host, server.port)
            }
        };
        let server = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        let addrs: Vec<SocketAddr> = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| io_error(&server, "cannot resolve the host", e))?
            .collect();
        let started = Instant::now();
        let mut stream = loop {
            let mut error = None;
            let mut connected = None;
            for a in &addrs {
                match StdStream::connect_timeout(a, Duration::from_secs(2)) {
                    Ok(s) => {
                        connected = Some(s);
                        break;
                    }
                    Err(e) => error = Some(e),
                }
            }
            if let Some(s) = connected {
                break s;
            }
            if started.elapsed() >= CONNECT_RETRY {
                let e = error.unwrap_or_else(|| std::io::Error::other("the host has no address"));
                return Err(io_error(&server, "cannot connect (tried for 10 s)", e));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let _ = stream.set_nodelay(true);
        stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| io_error(&server, "socket", e))?;
        let mut splitter = Splitter::new();
        expect(&mut stream, &mut splitter, &server, "< hi >", "the connection")?;
        stream
            .write_all(format!("< open {channel} >").as_bytes())
            .map_err(|e| io_error(&server, "handshake failed", e))?;
        expect(&mut stream, &mut splitter, &server, "< ok >", &format!("'< open {channel} >'"))?;
        stream.write_all(b"< rawmode >").map_err(|e| io_error(&server, "handshake failed", e))?;
        expect(&mut stream, &mut splitter, &server, "< ok >", "'< rawmode >'")?;
        stream.set_read_timeout(None).map_err(|e| io_error(&server, "socket", e))?;
        stream.set_nonblocking(true).map_err(|e| io_error(&server, "socket", e))?;
        let stream = tokio::net::TcpStream::from_std(stream).map_err(|e| io_error(&server, "socket", e))?;
        let (read, write) = stream.into_split();
        Ok(SocketcandBus {
            server,
            channel,
            reader: tokio::sync::Mutex::new(Reader { half: read, splitter, pending: VecDeque::new() }),
            writer: tokio::sync::Mutex::new(write),
            own: super::OwnFrames::new(config.receive_own_messages),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
        })
    }

    /// Turn buffered elements into events.
    fn parse_buffered(&self, reader: &mut Reader) {
        while let Some(element) = reader.splitter.next_element() {
            match proto::parse_server_frame(&element) {
                Some(Ok(frame)) => {
                    self.received.fetch_add(1, Ordering::Relaxed);
                    reader.pending.push_back(BusEvent::Frame(frame));
                }
                Some(Err(e)) => {
                    self.invalid.fetch_add(1, Ordering::Relaxed);
                    reader.pending.push_back(BusEvent::Invalid {
                        source: self.server.clone(),
                        reason: format!("'{element}': {e}"),
                    });
                }
                None => {
                    let w = proto::words(&element);
                    if matches!(w.first(), Some(&"error")) {
                        self.invalid.fetch_add(1, Ordering::Relaxed);
                        reader.pending.push_back(BusEvent::Invalid {
                            source: self.server.clone(),
                            reason: format!("the server says {element}"),
                        });
                    }
                }
            }
        }
    }

    async fn recv_event(&self) -> Result<BusEvent, BusError> {
        let mut reader = self.reader.lock().await;
        let mut buf = [0u8; 8192];
        loop {
            if let Some(e) = self.own.next() {
                return Ok(e);
            }
            if let Some(e) = reader.pending.pop_front() {
                return Ok(e);
            }
            let n = tokio::select! {
                r = reader.half.read(&mut buf) => r.map_err(|e| io_error(&self.server, "connection lost", e))?,
                _ = self.own.ready() => continue,
            };
            if n == 0 {
                return Err(io_error(
                    &self.server,
                    "closed the connection",
                    std::io::ErrorKind::UnexpectedEof.into(),
                ));
            }
            reader.splitter.push(&buf[..n]);
            if reader.splitter.oversized > 0 {
                reader.splitter.oversized = 0;
                reader.pending.push_back(BusEvent::Invalid {
                    source: self.server.clone(),
                    reason: format!("an element longer than {} bytes", proto::MAX_ELEMENT),
                });
            }
            self.parse_buffered(&mut reader);
        }
    }

    async fn send_frame(&self, frame: &Frame) -> Result<(), BusError> {
        let mut text = String::with_capacity(48);
        proto::push_send(&mut text, frame)
            .map_err(|m| BusError::Unsupported { interface: "socketcand".into(), message: m.into() })?;
        let mut writer = self.writer.lock().await;
        writer.write_all(text.as_bytes()).await.map_err(|e| io_error(&self.server, "connection lost", e))?;
        drop(writer);
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.own.sent(frame);
        Ok(())
    }
}

impl Backend for SocketcandBus {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(self.send_frame(frame))
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(self.recv_event())
    }

    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        if let Some(e) = self.own.next() {
            return Ok(Some(e));
        }
        let Ok(mut reader) = self.reader.try_lock() else { return Ok(None) };
        Ok(reader.pending.pop_front())
    }

    fn stats(&self) -> BusStats {
        BusStats {
            received: self.received.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            dropped: 0,
            invalid: self.invalid.load(Ordering::Relaxed),
        }
    }

    fn describe(&self) -> String {
        format!("socketcand {} on {}", self.channel, self.server)
    }
}
