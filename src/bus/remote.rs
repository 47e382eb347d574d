//! `remote`: a bus served over python-can's remote protocols, as python-can names the interface.
//!
//! * `-c HOST[:PORT]` (port 54701 by default): python-can 2.0's binary protocol, as its
//!   `RemoteBus` speaks it (version 4: BusRequest with the bit rate, an empty FilterConfig, then
//!   CanMessage events both ways); the server's `RemoteException` is an error quoting it, its
//!   `TransmitFail` an invalid-event report.
//! * `-c ws://HOST:PORT/`: python-can-remote's WebSocket protocol (`can.binary+json.v1`
//!   preferred, `can.json.v1` understood); the `bus_request` carries the bit rate, FD settings,
//!   `receive_own_messages` and every `--bus-option` (so `--bus-option channel=can1` picks a bus
//!   on a `canserver`). `wss://` (TLS) is not supported.
//!
//! Opening blocks for the connection and handshake (5 s for the server's answer, as the python
//! clients wait). CAN FD frames cannot be sent over the binary protocol and are refused.

use std::net::{TcpStream as StdStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusStats};
use crate::frame::{Direction, Frame};
use crate::net::remote::{self as proto, Decoder, Event};
use crate::net::ws_remote::{self as ws, WsEvent};

pub const ENTRY: BackendEntry =
    BackendEntry { name: "remote", aliases: &[], open: |config| Ok(Box::new(RemoteBus::open(config)?)) };

/// How long the python clients wait for the server's answer to their bus request.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

enum Link {
    Binary {
        reader: tokio::sync::Mutex<(OwnedReadHalf, Decoder)>,
        writer: tokio::sync::Mutex<OwnedWriteHalf>,
    },
    /// Served by the connection's own thread ([`ws_connection`]).
    WebSocket {
        events: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Result<BusEvent, BusError>>>,
        /// Taken on drop, so that the thread sends what is queued, closes and ends.
        frames: std::sync::Mutex<Option<tokio::sync::mpsc::Sender<Frame>>>,
        /// Disconnects when the thread has ended.
        done: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    },
}

pub struct RemoteBus {
    server: String,
    /// How frames travel, for `describe`: "" (binary events), " WebSocket binary+json", " WebSocket json".
    protocol: &'static str,
    info: String,
    link: Link,
    own: super::OwnFrames,
    received: AtomicU64,
    sent: AtomicU64,
    invalid: AtomicU64,
}

fn invalid(message: String) -> BusError {
    BusError::InvalidConfig { interface: "remote".into(), message }
}

fn io_error(server: &str, what: &str, e: impl Into<std::io::Error>) -> BusError {
    BusError::io(format!("remote server {server}: {what}"), e.into())
}

impl RemoteBus {
    pub fn open(config: &BusConfig) -> Result<RemoteBus, BusError> {
        let channel = config.channel.clone().ok_or_else(|| {
            invalid("give the server as the channel: -c HOST[:PORT] (python-can 2.0) or -c ws://HOST:PORT/ (python-can-remote)".into())
        })?;
        if channel.starts_with("wss://") {
            return Err(invalid("wss:// (TLS) is not supported; use ws://".into()));
        }
        if channel.starts_with("ws://") {
            Self::open_ws(config, &channel)
        } else {
            Self::open_binary(config, &channel)
        }
    }

    fn connect(server: &str, default_port: u16) -> Result<(StdStream, String), BusError> {
        let hostport = if server.rsplit_once(':').is_some_and(|(h, p)| {
            !h.ends_with(':') && p.parse::<u16>().is_ok() && (!h.contains(':') || h.ends_with(']'))
        }) {
            server.to_string()
        } else if server.contains(':') && !server.starts_with('[') {
            format!("[{server}]:{default_port}")
        } else {
            format!("{server}:{default_port}")
        };
        let addrs: Vec<_> = hostport
            .to_socket_addrs()
            .map_err(|e| io_error(&hostport, "cannot resolve the host", e))?
            .collect();
        let mut last = None;
        for a in &addrs {
            match StdStream::connect_timeout(a, Duration::from_secs(5)) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok((s, hostport));
                }
                Err(e) => last = Some(e),
            }
        }
        Err(io_error(
            &hostport,
            "cannot connect",
            last.unwrap_or_else(|| std::io::Error::other("the host has no address")),
        ))
    }

    fn open_binary(config: &BusConfig, channel: &str) -> Result<RemoteBus, BusError> {
        let (mut stream, server) = Self::connect(channel, proto::DEFAULT_PORT)?;
        let bitrate = i32::try_from(config.bitrate.unwrap_or(500_000)).unwrap_or(i32::MAX);
        let mut hello = Vec::new();
        proto::encode(&mut hello, &Event::BusRequest { version: proto::VERSION, bitrate }, proto::VERSION);
        proto::encode(&mut hello, &Event::FilterConfig(Vec::new()), proto::VERSION);
        use std::io::{Read, Write};
        stream.write_all(&hello).map_err(|e| io_error(&server, "handshake failed", e))?;
        stream.set_read_timeout(Some(ANSWER_TIMEOUT)).map_err(|e| io_error(&server, "socket", e))?;
        let mut decoder = Decoder::new();
        let mut buf = [0u8; 512];
        let info = loop {
            match decoder.next_event() {
                Ok(Some(Event::BusResponse(info))) => break info,
                Ok(Some(Event::RemoteException(text))) => {
                    return Err(BusError::Stopped(format!("remote server {server} refused the bus: {text}")))
                }
                Ok(Some(other)) => {
                    return Err(io_error(
                        &server,
                        "handshake failed",
                        std::io::Error::other(format!("unexpected {other:?}")),
                    ))
                }
                Ok(None) => {}
                Err(e) => {
                    return Err(io_error(&server, "handshake failed", std::io::Error::other(e.to_string())))
                }
            }
            match stream.read(&mut buf) {
                Ok(0) => {
                    return Err(io_error(
                        &server,
                        "closed the connection during the handshake (a protocol version it does not speak?)",
                        std::io::ErrorKind::UnexpectedEof,
                    ))
                }
                Ok(n) => decoder.push(&buf[..n]),
                Err(e) => return Err(io_error(&server, "no answer to the bus request within 5 s", e)),
            }
        };
        stream.set_read_timeout(None).map_err(|e| io_error(&server, "socket", e))?;
        stream.set_nonblocking(true).map_err(|e| io_error(&server, "socket", e))?;
        let stream = TcpStream::from_std(stream).map_err(|e| io_error(&server, "socket", e))?;
        let (r, w) = stream.into_split();
        Ok(RemoteBus::new(
            server,
            info,
            Link::Binary {
                reader: tokio::sync::Mutex::new((r, decoder)),
                writer: tokio::sync::Mutex::new(w),
            },
            config,
        ))
    }

    fn open_ws(config: &BusConfig, url: &str) -> Result<RemoteBus, BusError> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let rest = &url["ws://".len()..];
        let hostport = rest.split('/').next().unwrap_or(rest);
        let (std_stream, server) = Self::connect(hostport, proto::DEFAULT_PORT)?;
        let mut request = url.into_client_request().map_err(|e| invalid(format!("'{url}': {e}")))?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            format!("{},{}", ws::BINARY_JSON, ws::JSON).parse().expect("a valid header value"),
        );
        let mut request_config = Map::new();
        if let Some(b) = config.bitrate {
            request_config.insert("bitrate".into(), Value::from(b));
        }
        if let Some(b) = config.data_bitrate {
            request_config.insert("data_bitrate".into(), Value::from(b));
        }
        // Own frames are given back here (OwnFrames), not by the server: asking it too would
        // deliver them twice.
        for (k, v) in &config.options {
            let value = v.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(v.clone()));
            request_config.insert(k.clone(), value);
        }
        std_stream.set_nonblocking(true).map_err(|e| io_error(&server, "socket", e))?;
        // The connection lives on a thread with a runtime of its own, so that opening works from
        // any runtime (a current-thread runtime cannot wait for a handshake it would have to
        // drive itself); frames cross in bounded channels.
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (events_tx, events_rx) = tokio::sync::mpsc::channel::<Result<BusEvent, BusError>>(4096);
        let (frames_tx, frames_rx) = tokio::sync::mpsc::channel::<Frame>(1024);
        let thread_server = server.clone();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("cankit-ws-client".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready_tx.send(Err(io_error(&thread_server, "runtime", e)));
                        return;
                    }
                };
                runtime.block_on(ws_connection(
                    thread_server,
                    std_stream,
                    request,
                    request_config,
                    ready_tx,
                    events_tx,
                    frames_rx,
                ));
                drop(done_tx);
            })
            .map_err(|e| io_error(&server, "cannot start its thread", e))?;
        let (info, binary) = ready_rx.recv().map_err(|_| {
            io_error(&server, "handshake failed", std::io::Error::other("the connection thread ended"))
        })??;
        let mut bus = RemoteBus::new(
            server,
            info,
            Link::WebSocket {
                events: tokio::sync::Mutex::new(events_rx),
                frames: std::sync::Mutex::new(Some(frames_tx)),
                done: std::sync::Mutex::new(done_rx),
            },
            config,
        );
        bus.protocol = if binary { " WebSocket can.binary+json.v1" } else { " WebSocket can.json.v1" };
        Ok(bus)
    }

    fn new(server: String, info: String, link: Link, config: &BusConfig) -> RemoteBus {
        RemoteBus {
            server,
            protocol: "",
            info,
            link,
            own: super::OwnFrames::new(config.receive_own_messages),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
        }
    }

    fn frame_event(&self, frame: Frame) -> BusEvent {
        self.received.fetch_add(1, Ordering::Relaxed);
        BusEvent::Frame(frame.with_direction(Direction::Rx))
    }

    fn invalid_event(&self, reason: String) -> BusEvent {
        self.invalid.fetch_add(1, Ordering::Relaxed);
        BusEvent::Invalid { source: self.server.clone(), reason }
    }

    async fn recv_event(&self) -> Result<BusEvent, BusError> {
        if let Some(e) = self.own.next() {
            return Ok(e);
        }
        match &self.link {
            Link::Binary { reader, .. } => {
                let mut guard = reader.lock().await;
                let (half, decoder) = &mut *guard;
                let mut buf = [0u8; 4096];
                loop {
                    match decoder.next_event() {
                        Ok(Some(Event::Message(f))) => return Ok(self.frame_event(f)),
                        Ok(Some(Event::RemoteException(text))) => {
                            return Err(BusError::Stopped(format!("remote server {}: {text}", self.server)))
                        }
                        Ok(Some(Event::TransmitFail)) => {
                            return Ok(
                                self.invalid_event("the server could not send a frame (TransmitFail)".into())
                            )
                        }
                        Ok(Some(_)) => continue,
                        Ok(None) => {}
                        Err(e) => {
                            return Err(io_error(
                                &self.server,
                                "protocol error",
                                std::io::Error::other(e.to_string()),
                            ))
                        }
                    }
                    let n = tokio::select! {
                        r = half.read(&mut buf) => r.map_err(|e| io_error(&self.server, "connection lost", e))?,
                        _ = self.own.ready() => match self.own.next() {
                            Some(e) => return Ok(e),
                            None => continue,
                        },
                    };
                    if n == 0 {
                        return Err(io_error(
                            &self.server,
                            "closed the connection",
                            std::io::ErrorKind::UnexpectedEof,
                        ));
                    }
                    decoder.push(&buf[..n]);
                }
            }
            Link::WebSocket { events, .. } => {
                let mut events = events.lock().await;
                let event = loop {
                    tokio::select! {
                        e = events.recv() => break e.unwrap_or_else(|| {
                            Err(io_error(&self.server, "connection ended", std::io::ErrorKind::UnexpectedEof))
                        })?,
                        _ = self.own.ready() => if let Some(e) = self.own.next() {
                            return Ok(e);
                        },
                    }
                };
                if let BusEvent::Frame(_) = &event {
                    self.received.fetch_add(1, Ordering::Relaxed);
                } else if let BusEvent::Invalid { .. } = &event {
                    self.invalid.fetch_add(1, Ordering::Relaxed);
                }
                Ok(event)
            }
        }
    }

    async fn send_frame(&self, frame: &Frame) -> Result<(), BusError> {
        match &self.link {
            Link::Binary { writer, .. } => {
                if frame.is_fd() {
                    return Err(BusError::Unsupported {
                        interface: "remote".into(),
                        message: "python-can 2.0's remote protocol has no CAN FD frames".into(),
                    });
                }
                let mut out = Vec::with_capacity(23);
                proto::encode(&mut out, &Event::Message(*frame), proto::VERSION);
                writer
                    .lock()
                    .await
                    .write_all(&out)
                    .await
                    .map_err(|e| io_error(&self.server, "connection lost", e))?;
            }
            Link::WebSocket { frames, .. } => {
                let sender = frames.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let lost = || io_error(&self.server, "connection lost", std::io::ErrorKind::BrokenPipe);
                sender.ok_or_else(lost)?.send(*frame).await.map_err(|_| lost())?;
            }
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.own.sent(frame);
        Ok(())
    }
}

/// The WebSocket connection: handshake, bus request, then frames both ways until the bus is
/// dropped (a close frame is sent) or the server goes.
async fn ws_connection(
    server: String,
    stream: StdStream,
    request: tokio_tungstenite::tungstenite::handshake::client::Request,
    config: Map<String, Value>,
    ready: std::sync::mpsc::Sender<Result<(String, bool), BusError>>,
    events: tokio::sync::mpsc::Sender<Result<BusEvent, BusError>>,
    mut frames: tokio::sync::mpsc::Receiver<Frame>,
) {
    let fail = |what: &str, e: String| io_error(&server, what, std::io::Error::other(e));
    let handshake = async {
        let stream = TcpStream::from_std(stream).map_err(|e| io_error(&server, "socket", e))?;
        let (mut socket, response) =
            tokio::time::timeout(ANSWER_TIMEOUT, tokio_tungstenite::client_async(request, stream))
                .await
                .map_err(|_| {
                    io_error(&server, "no WebSocket handshake within 5 s", std::io::ErrorKind::TimedOut)
                })?
                .map_err(|e| fail("WebSocket handshake failed", e.to_string()))?;
        let binary = response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim() == ws::BINARY_JSON);
        let hello = ws::event_json(&WsEvent::BusRequest(config));
        socket
            .send(Message::Text(hello.into()))
            .await
            .map_err(|e| fail("handshake failed", e.to_string()))?;
        let info = tokio::time::timeout(ANSWER_TIMEOUT, async {
            loop {
                match socket.next().await {
                    Some(Ok(Message::Text(t))) => match ws::parse_event(&t) {
                        Ok(WsEvent::BusResponse(info)) => return Ok(info),
                        Ok(WsEvent::Error(e)) => {
                            return Err(BusError::Stopped(format!(
                                "remote server {server} refused the bus: {e}"
                            )))
                        }
                        _ => {}
                    },
                    Some(Ok(Message::Close(frame))) => {
                        let why =
                            frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)).unwrap_or_default();
                        return Err(BusError::Stopped(format!(
                            "remote server {server} closed the connection: {why}"
                        )));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(fail("handshake failed", e.to_string())),
                    None => {
                        return Err(io_error(
                            &server,
                            "closed the connection",
                            std::io::ErrorKind::UnexpectedEof,
                        ))
                    }
                }
            }
        })
        .await
        .map_err(|_| io_error(&server, "no bus_response within 5 s", std::io::ErrorKind::TimedOut))??;
        Ok::<_, BusError>((socket, binary, info))
    };
    let (socket, binary, info) = match handshake.await {
        Ok(x) => x,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok((info, binary)));
    let (mut sink, mut source) = socket.split();
    let invalid = |reason: String| Ok(BusEvent::Invalid { source: server.clone(), reason });
    let mut unread = 0u64;
    loop {
        tokio::select! {
            frame = frames.recv() => {
                let Some(frame) = frame else {
                    // The bus was dropped: close politely.
                    let _ = sink.send(Message::Close(None)).await;
                    return;
                };
                let message = if binary {
                    let mut out = Vec::with_capacity(80);
                    ws::encode_binary(&mut out, &frame);
                    Message::Binary(out.into())
                } else {
                    Message::Text(ws::event_json(&WsEvent::Message(frame)).into())
                };
                if let Err(e) = sink.send(message).await {
                    let _ = events.send(Err(fail("connection lost", e.to_string()))).await;
                    return;
                }
            }
            message = source.next() => {
                let event = match message {
                    None => Err(io_error(&server, "closed the connection", std::io::ErrorKind::UnexpectedEof)),
                    Some(Err(e)) => Err(fail("connection lost", e.to_string())),
                    Some(Ok(Message::Binary(b))) => match ws::decode_binary(&b) {
                        Ok(Some(f)) => Ok(BusEvent::Frame(f.with_direction(Direction::Rx))),
                        Ok(None) => continue,
                        Err(e) => invalid(e),
                    },
                    Some(Ok(Message::Text(t))) => match ws::parse_event(&t) {
                        Ok(WsEvent::Message(f)) => Ok(BusEvent::Frame(f.with_direction(Direction::Rx))),
                        Ok(WsEvent::Error(e)) => invalid(format!("the server says: {e}")),
                        Ok(_) => continue,
                        Err(e) => invalid(e),
                    },
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map(|f| format!("{} {}", u16::from(f.code), f.reason)).unwrap_or_default();
                        Err(BusError::Stopped(format!("remote server {server} closed the connection: {why}")))
                    }
                    Some(Ok(_)) => continue,
                };
                let fatal = event.is_err();
                if fatal {
                    let _ = events.send(event).await;
                    return;
                }
                // A program that only sends never reads: what it does not take is dropped and
                // counted here, so that sending never waits on receiving.
                if unread > 0 {
                    match events.try_send(Ok(BusEvent::Dropped { count: unread })) {
                        Ok(()) => unread = 0,
                        Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                            unread += 1;
                            continue;
                        }
                        Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
                    }
                }
                match events.try_send(event) {
                    Ok(()) => {}
                    Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => unread += 1,
                    Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
        }
    }
}

impl Drop for RemoteBus {
    fn drop(&mut self) {
        if let Link::WebSocket { frames, done, .. } = &self.link {
            // Frames handed to send() are on their way: let the thread write them and close
            // (bounded, for a server that stopped reading).
            frames.lock().unwrap_or_else(|e| e.into_inner()).take();
            let _ = done.lock().unwrap_or_else(|e| e.into_inner()).recv_timeout(Duration::from_secs(2));
        }
    }
}

impl Backend for RemoteBus {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(self.send_frame(frame))
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(self.recv_event())
    }

    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        Ok(self.own.next())
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
        format!("remote {}{} ({})", self.server, self.protocol, self.info)
    }
}
