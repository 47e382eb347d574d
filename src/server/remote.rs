//! One client of the remote port: python-can 2.0's binary event protocol
//! ([`crate::net::remote`]) or python-can-remote's WebSocket protocol
//! ([`crate::net::ws_remote`]), told apart by the connection's first byte (`G` of an HTTP
//! `GET` starts a WebSocket handshake; a binary client starts with event 1 or 7).
//!
//! Both serve the first bus the server offers, or for WebSocket clients the bus their
//! `bus_request` names as `channel`; the bit rate is the server's. Filters a binary client sends
//! apply to what it receives (python-can's filter semantics). CAN FD frames cannot be carried by
//! the binary protocol and are skipped for its clients (counted in the disconnect line).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

use super::{lost, Outbox, ServedBus, Shared};
use crate::bus::hub::Subscription;
use crate::bus::{BusError, BusEvent};
use crate::frame::{Frame, CAN_EFF_FLAG};
use crate::net::remote::{self as proto, Decoder, Event, RemoteFilter};
use crate::net::ws_remote::{self as ws, WsEvent};

/// Cyclic transmissions one client may run at once (the kernel's BCM has no more useful ids).
pub(crate) const MAX_JOBS: usize = 2048;

/// A cyclic transmission a client started.
struct Cyclic {
    frame: Frame,
    period: Duration,
    next: Instant,
    until: Option<Instant>,
}

fn key(frame: &Frame) -> u32 {
    frame.id() | if frame.is_extended() { CAN_EFF_FLAG } else { 0 }
}

/// The jobs due now: send them, advance their timers, drop finished ones.
fn due(jobs: &mut HashMap<u32, Cyclic>, now: Instant) -> Vec<Frame> {
    jobs.retain(|_, j| j.until.is_none_or(|u| u > now));
    jobs.values_mut()
        .filter(|j| j.next <= now)
        .map(|j| {
            j.next += j.period;
            if j.next <= now {
                j.next = now + j.period;
            }
            j.frame
        })
        .collect()
}

fn next_due(jobs: &HashMap<u32, Cyclic>) -> Option<Instant> {
    jobs.values().map(|j| j.until.map_or(j.next, |u| j.next.min(u))).min()
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

fn channel_info(bus: &ServedBus, shared: &Shared) -> String {
    let rate = shared.options.bitrate.map(|b| format!(", {b} bit/s")).unwrap_or_default();
    format!("canserver {}: {}{rate}", bus.names.first().map(String::as_str).unwrap_or(""), bus.hub.describe())
}

pub(crate) async fn session(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, refuse: bool) {
    let mut first = [0u8; 1];
    let peeked = tokio::select! {
        _ = shared.shutdown.triggered() => return,
        r = tokio::time::timeout(shared.options.handshake_timeout, stream.peek(&mut first)) => r,
    };
    match peeked {
        Ok(Ok(1)) if first[0] == b'G' => websocket(shared, stream, peer, refuse).await,
        Ok(Ok(1)) => binary(shared, stream, peer, refuse).await,
        Ok(Ok(_)) => shared.log(format!("{peer}: closed the connection before saying anything")),
        Ok(Err(e)) => shared.log(format!("{peer}: connection failed: {e}")),
        Err(_) => shared.log(format!(
            "{peer}: said nothing within {} s (handshake timeout); disconnected",
            shared.options.handshake_timeout.as_secs_f64()
        )),
    }
}

/// What ends a session, for its log line.
type End = Option<String>;

async fn binary(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, refuse: bool) {
    let mut outbox = Outbox::new(shared.options.queue);
    let mut out = Vec::with_capacity(64);
    let mut push = |outbox: &mut Outbox, event: &Event, version: u8| -> bool {
        out.clear();
        proto::encode(&mut out, event, version);
        outbox.push(&out)
    };
    if refuse {
        let text = format!("too many clients, at most {}", shared.options.max_clients);
        push(&mut outbox, &Event::RemoteException(text), proto::VERSION);
        outbox.drain(&stream, Duration::from_secs(1)).await;
        return;
    }
    let mut decoder = Decoder::new();
    let mut buf = vec![0u8; 4096];
    let mut end: End = None;
    let mut version = proto::VERSION;
    let mut filters: Vec<RemoteFilter> = Vec::new();
    let mut sub: Option<Subscription> = None;
    let mut periodic_only = false;
    let mut jobs: HashMap<u32, Cyclic> = HashMap::new();
    let mut fd_skipped = 0u64;
    let mut told_read_only = false;
    let mut slow_logged = false;
    let mut queue_drops = 0u64;
    let handshake_deadline = Instant::now() + shared.options.handshake_timeout;
    let mut awaiting_filters = false;
    let mut last_heard = Instant::now();
    let bus = shared.buses[0].clone();
    shared.log(format!("{peer}: python-can remote client connected"));
    // One shutdown future for the session's life (see the socketcand session).
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);

    while end.is_none() {
        let handshaking = sub.is_none() && !periodic_only;
        let mut timer = next_due(&jobs);
        if handshaking {
            timer = Some(timer.map_or(handshake_deadline, |t| t.min(handshake_deadline)));
        }
        let idle_deadline = shared.options.idle_timeout.map(|d| last_heard + d);
        if let Some(d) = idle_deadline {
            timer = Some(timer.map_or(d, |t| t.min(d)));
        }
        tokio::select! {
            biased;
            _ = &mut stop => end = Some("server shutting down".into()),
            r = stream.readable() => {
                if r.is_err() { end = Some("connection failed".into()); continue; }
                match stream.try_read(&mut buf) {
                    Ok(0) => { end = Some("client closed the connection".into()); continue; }
                    Ok(n) => { last_heard = Instant::now(); decoder.push(&buf[..n]); }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => { end = Some(format!("connection failed: {e}")); continue; }
                }
                loop {
                    let event = match decoder.next_event() {
                        Ok(Some(e)) => e,
                        Ok(None) => break,
                        Err(e) => { end = Some(format!("protocol error: {e}")); break; }
                    };
                    match event {
                        Event::BusRequest { version: v, bitrate } if sub.is_none() && !awaiting_filters && !periodic_only => {
                            if v != proto::VERSION && v != proto::VERSION_5 {
                                let text = format!("protocol version {v} is not supported (4 or 5)");
                                push(&mut outbox, &Event::RemoteException(text.clone()), proto::VERSION);
                                end = Some(text);
                                break;
                            }
                            version = v;
                            decoder.set_version(v);
                            awaiting_filters = true;
                            if let Some(forced) = shared.options.bitrate {
                                if i64::from(bitrate) != i64::from(forced) {
                                    shared.log(format!("{peer}: asked for {bitrate} bit/s; the bus runs at {forced} bit/s"));
                                }
                            }
                        }
                        Event::FilterConfig(f) if awaiting_filters => {
                            awaiting_filters = false;
                            filters = f;
                            sub = Some(shared.subscribe(&bus));
                            push(&mut outbox, &Event::BusResponse(channel_info(&bus, &shared)), version);
                        }
                        Event::FilterConfig(f) if sub.is_some() => filters = f,
                        Event::PeriodicStart { period, duration, frame } if sub.is_some() || !awaiting_filters => {
                            if sub.is_none() {
                                periodic_only = true;
                            }
                            if shared.options.read_only {
                                tell_read_only(&shared, &peer, &mut told_read_only, &mut outbox, &mut push, version);
                                continue;
                            }
                            if jobs.len() >= MAX_JOBS && !jobs.contains_key(&key(&frame)) {
                                shared.log(format!("{peer}: refused a cyclic transmission: {MAX_JOBS} already run"));
                                continue;
                            }
                            let now = Instant::now();
                            jobs.insert(key(&frame), Cyclic { frame, period, next: now, until: duration.map(|d| now + d) });
                        }
                        Event::PeriodicStop { id } => {
                            // Version 4 keys by the arbitration id alone.
                            jobs.retain(|k, _| k & !CAN_EFF_FLAG != id & 0x1FFF_FFFF);
                        }
                        Event::PeriodicUpdate(frame) => {
                            for job in jobs.values_mut().filter(|j| j.frame.id() == frame.id()) {
                                let data = frame.data();
                                if let Ok(f) = Frame::new_data(job.frame.id(), job.frame.is_extended(), data) {
                                    job.frame = f;
                                }
                            }
                        }
                        Event::Message(frame) if sub.is_some() => {
                            if shared.options.read_only {
                                tell_read_only(&shared, &peer, &mut told_read_only, &mut outbox, &mut push, version);
                                push(&mut outbox, &Event::TransmitFail, version);
                                continue;
                            }
                            if let Some(s) = &sub {
                                if let Err(e) = s.send(&frame).await {
                                    push(&mut outbox, &Event::TransmitFail, version);
                                    if !matches!(e, BusError::Unsupported { .. }) {
                                        end = Some(format!("the bus failed: {e}"));
                                    }
                                }
                            }
                        }
                        other => {
                            end = Some(format!("protocol error: unexpected {other:?} {}", if sub.is_some() { "" } else { "during the handshake" }));
                            break;
                        }
                    }
                }
            }
            r = stream.writable(), if !outbox.is_empty() => {
                if r.is_err() { end = Some("connection failed".into()); }
            }
            event = next_event(&mut sub) => {
                let mut batch = vec![event];
                if let Some(s) = sub.as_mut() {
                    while batch.len() < 256 {
                        match s.try_recv() {
                            Ok(Some(e)) => batch.push(Ok(e)),
                            Ok(None) => break,
                            Err(e) => { batch.push(Err(e)); break; }
                        }
                    }
                }
                let mut written = 0u32;
                for event in batch {
                    let frame = match event {
                        Ok(BusEvent::Frame(f)) => f,
                        Ok(_) => continue,
                        Err(e) => {
                            push(&mut outbox, &Event::RemoteException(e.to_string()), version);
                            end = Some(e.to_string());
                            break;
                        }
                    };
                    if frame.is_fd() {
                        fd_skipped += 1;
                        continue;
                    }
                    if !filters.is_empty() && !filters.iter().any(|f| f.matches(&frame)) {
                        continue;
                    }
                    if push(&mut outbox, &Event::Message(frame), version) {
                        super::fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                    }
                    written += 1;
                    if written % 32 == 0 {
                        if let Err(e) = outbox.write_to(&stream) {
                            end.get_or_insert(format!("connection failed: {e}"));
                            break;
                        }
                    }
                }
                if let Some(s) = sub.as_ref() {
                    if s.dropped() > queue_drops {
                        queue_drops = s.dropped();
                        super::fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                    }
                }
            }
            _ = sleep_until(timer), if timer.is_some() => {
                let now = Instant::now();
                if handshaking && now >= handshake_deadline {
                    end = Some(format!("no bus request within {} s (handshake timeout)", shared.options.handshake_timeout.as_secs_f64()));
                } else if idle_deadline.is_some_and(|d| now >= d) {
                    end = Some("idle timeout".into());
                } else {
                    for frame in due(&mut jobs, now) {
                        let sent = match &sub {
                            Some(s) => s.send(&frame).await,
                            None => bus.hub.send(&frame).await,
                        };
                        if let Err(e) = sent {
                            end = Some(format!("the bus refused a cyclic frame: {e}"));
                        }
                    }
                }
            }
        }
        if let Err(e) = outbox.write_to(&stream) {
            end.get_or_insert(format!("connection failed: {e}"));
        }
    }
    outbox.drain(&stream, Duration::from_millis(500)).await;
    let queue_dropped = sub.as_ref().map_or(0, Subscription::dropped);
    let fd = if fd_skipped > 0 {
        format!(", {fd_skipped} CAN FD frames not carried by this protocol")
    } else {
        String::new()
    };
    shared.log(format!(
        "{peer}: python-can remote client disconnected ({}){}{fd}",
        end.unwrap_or_default(),
        lost(outbox.dropped, queue_dropped)
    ));
}

fn tell_read_only(
    shared: &Shared,
    peer: &SocketAddr,
    told: &mut bool,
    outbox: &mut Outbox,
    push: &mut impl FnMut(&mut Outbox, &Event, u8) -> bool,
    version: u8,
) {
    if !*told {
        *told = true;
        shared.log(format!("{peer}: tried to send on a read-only server"));
        push(outbox, &Event::RemoteException("read-only server: frames sent are dropped".into()), version);
    }
}

async fn next_event(sub: &mut Option<Subscription>) -> Result<BusEvent, BusError> {
    match sub {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

/// The outgoing side of a WebSocket client: a bounded queue that loses its oldest messages, and
/// the task writing it.
struct WsOut {
    queue: Mutex<(VecDeque<Message>, u64, Option<CloseFrame>)>,
    capacity: usize,
    wake: Notify,
}

impl WsOut {
    /// Queue a message; true when an older one was dropped for it.
    fn push(&self, message: Message) -> bool {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.0.push_back(message);
        let dropped = q.0.len() > self.capacity;
        if dropped {
            q.0.pop_front();
            q.1 += 1;
        }
        drop(q);
        self.wake.notify_one();
        dropped
    }

    fn close(&self, code: CloseCode, reason: &str) {
        let mut q = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.2 = Some(CloseFrame { code, reason: reason.to_string().into() });
        drop(q);
        self.wake.notify_one();
    }

    fn dropped(&self) -> u64 {
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).1
    }
}

/// Messages of this protocol are small (a CAN message, a bus request): a client may not make the
/// server buffer megabytes of one unfinished message (tungstenite's defaults are 16/64 MiB).
fn ws_limits() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(64 * 1024))
        .max_frame_size(Some(64 * 1024))
}

/// Describe the first few protocol errors of a client, then only count them.
fn complain(shared: &Shared, peer: &SocketAddr, count: &mut u64, what: &str) {
    *count += 1;
    if *count <= 5 {
        shared.log(format!("{peer}: {what}"));
    }
    if *count == 5 {
        shared.log(format!("{peer}: further errors of this client are not shown"));
    }
}

async fn websocket(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, refuse: bool) {
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
    let mut chosen: Option<&'static str> = None;
    let pick = |request: &Request, mut response: Response| {
        let offered: Vec<String> = request
            .headers()
            .get_all("Sec-WebSocket-Protocol")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(',').map(|p| p.trim().to_string()).collect::<Vec<_>>())
            .collect();
        let protocol = if offered.iter().any(|p| p == ws::BINARY_JSON) {
            Some(ws::BINARY_JSON)
        } else if offered.iter().any(|p| p == ws::JSON) {
            Some(ws::JSON)
        } else {
            None
        };
        if let Some(p) = protocol {
            response.headers_mut().insert("Sec-WebSocket-Protocol", p.parse().expect("a valid header value"));
        }
        chosen = protocol;
        Ok(response)
    };
    let accepted = tokio::time::timeout(
        shared.options.handshake_timeout,
        tokio_tungstenite::accept_hdr_async_with_config(stream, pick, Some(ws_limits())),
    )
    .await;
    let socket = match accepted {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            shared.log(format!("{peer}: not a WebSocket handshake: {e}"));
            return;
        }
        Err(_) => {
            shared.log(format!("{peer}: WebSocket handshake not finished in time; disconnected"));
            return;
        }
    };
    let binary = chosen == Some(ws::BINARY_JSON);
    let (mut sink, mut source) = socket.split();
    if refuse {
        let reason = format!("too many clients, at most {}", shared.options.max_clients);
        let _ = sink
            .send(Message::Close(Some(CloseFrame { code: CloseCode::Again, reason: reason.into() })))
            .await;
        return;
    }
    shared.log(format!(
        "{peer}: python-can-remote client connected ({})",
        chosen.unwrap_or("no subprotocol: can.json.v1")
    ));
    let out = Arc::new(WsOut {
        queue: Mutex::new((VecDeque::new(), 0, None)),
        capacity: shared.options.queue.max(2),
        wake: Notify::new(),
    });
    let writer = {
        let out = Arc::clone(&out);
        tokio::spawn(async move {
            loop {
                out.wake.notified().await;
                loop {
                    let (batch, close) = {
                        let mut q = out.queue.lock().unwrap_or_else(|e| e.into_inner());
                        (q.0.drain(..).collect::<Vec<_>>(), q.2.take())
                    };
                    if batch.is_empty() && close.is_none() {
                        break;
                    }
                    for m in batch {
                        if sink.feed(m).await.is_err() {
                            return;
                        }
                    }
                    if sink.flush().await.is_err() {
                        return;
                    }
                    if let Some(frame) = close {
                        let _ = sink.send(Message::Close(Some(frame))).await;
                        let _ = sink.close().await;
                        return;
                    }
                }
            }
        })
    };

    let mut end: End = None;
    let mut sub: Option<Subscription> = None;
    let mut jobs: HashMap<u32, Cyclic> = HashMap::new();
    let mut told_read_only = false;
    let mut slow_logged = false;
    let mut queue_drops = 0u64;
    let mut complaints = 0u64;
    let mut close_code = CloseCode::Normal;
    let handshake_deadline = Instant::now() + shared.options.handshake_timeout;
    let mut buf = Vec::with_capacity(80);
    let send_event = |event: &WsEvent| out.push(Message::Text(ws::event_json(event).into()));
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);
    while end.is_none() {
        let mut timer = next_due(&jobs);
        if sub.is_none() {
            timer = Some(timer.map_or(handshake_deadline, |t| t.min(handshake_deadline)));
        }
        tokio::select! {
            biased;
            _ = &mut stop => {
                close_code = CloseCode::Away;
                end = Some("server shutting down".into());
            }
            message = source.next() => {
                let text = match message {
                    None => { end = Some("client closed the connection".into()); continue; }
                    Some(Err(e)) => { end = Some(format!("connection failed: {e}")); continue; }
                    Some(Ok(Message::Close(_))) => { end = Some("client closed the connection".into()); continue; }
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => {
                        match ws::decode_binary(&b) {
                            Ok(Some(frame)) if sub.is_some() => {
                                send_frame(&shared, &peer, &sub, frame, &mut told_read_only, &send_event, &mut end).await;
                            }
                            Ok(_) => {}
                            Err(e) => { send_event(&WsEvent::Error(e.clone())); complain(&shared, &peer, &mut complaints, &e); }
                        }
                        continue;
                    }
                    Some(Ok(_)) => continue, // ping/pong: tungstenite answers pings itself
                };
                match ws::parse_event(&text) {
                    Ok(WsEvent::BusRequest(config)) if sub.is_none() => {
                        let wanted = config.get("channel").and_then(|c| c.as_str().map(str::to_string).or_else(|| Some(c.to_string())));
                        let bus = match &wanted {
                            Some(name) => shared.bus(name).cloned(),
                            None => Some(shared.buses[0].clone()),
                        };
                        let Some(bus) = bus else {
                            let reason = format!("no bus '{}' here; offered: {}", wanted.unwrap_or_default(), shared.names().join(", "));
                            close_code = CloseCode::Error;
                            end = Some(reason);
                            continue;
                        };
                        sub = Some(shared.subscribe(&bus));
                        send_event(&WsEvent::BusResponse(channel_info(&bus, &shared)));
                    }
                    Ok(WsEvent::Message(frame)) if sub.is_some() => {
                        send_frame(&shared, &peer, &sub, frame, &mut told_read_only, &send_event, &mut end).await;
                    }
                    Ok(WsEvent::PeriodicStart { period, duration, frame }) if sub.is_some() => {
                        if shared.options.read_only {
                            tell_ws_read_only(&shared, &peer, &mut told_read_only, &send_event);
                            continue;
                        }
                        if jobs.len() >= MAX_JOBS && !jobs.contains_key(&key(&frame)) {
                            complain(&shared, &peer, &mut complaints, &format!("refused a cyclic transmission: {MAX_JOBS} already run"));
                            continue;
                        }
                        let now = Instant::now();
                        let until = duration.map(|d| now + Duration::from_secs_f64(d.min(1e6)));
                        jobs.insert(key(&frame), Cyclic { frame, period: Duration::from_secs_f64(period), next: now, until });
                    }
                    Ok(WsEvent::PeriodicStop(id)) => {
                        jobs.retain(|k, _| k & !CAN_EFF_FLAG != id);
                    }
                    Ok(WsEvent::Error(text)) => complain(&shared, &peer, &mut complaints, &format!("client reports an error: {text}")),
                    Ok(other) => {
                        let text = format!("unexpected event {other:?}");
                        send_event(&WsEvent::Error(text.clone()));
                        complain(&shared, &peer, &mut complaints, &text);
                    }
                    Err(e) => {
                        send_event(&WsEvent::Error(e.clone()));
                        complain(&shared, &peer, &mut complaints, &e);
                    }
                }
            }
            event = next_event(&mut sub) => {
                let mut batch = vec![event];
                if let Some(s) = sub.as_mut() {
                    while batch.len() < 256 {
                        match s.try_recv() {
                            Ok(Some(e)) => batch.push(Ok(e)),
                            Ok(None) => break,
                            Err(e) => { batch.push(Err(e)); break; }
                        }
                    }
                }
                for event in batch {
                    let frame = match event {
                        Ok(BusEvent::Frame(f)) => f,
                        Ok(_) => continue,
                        Err(e) => { close_code = CloseCode::Error; end = Some(e.to_string()); break; }
                    };
                    let message = if binary {
                        buf.clear();
                        ws::encode_binary(&mut buf, &frame);
                        Message::Binary(buf.clone().into())
                    } else {
                        Message::Text(ws::event_json(&WsEvent::Message(frame)).into())
                    };
                    if out.push(message) {
                        super::fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                    }
                }
                if let Some(s) = sub.as_ref() {
                    if s.dropped() > queue_drops {
                        queue_drops = s.dropped();
                        super::fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                    }
                }
            }
            _ = sleep_until(timer), if timer.is_some() => {
                let now = Instant::now();
                if sub.is_none() && now >= handshake_deadline {
                    close_code = CloseCode::Policy;
                    end = Some(format!("no bus_request within {} s (handshake timeout)", shared.options.handshake_timeout.as_secs_f64()));
                } else if let Some(s) = &sub {
                    for frame in due(&mut jobs, now) {
                        if let Err(e) = s.send(&frame).await {
                            end = Some(format!("the bus refused a cyclic frame: {e}"));
                        }
                    }
                }
            }
        }
    }
    let why = end.unwrap_or_default();
    let reason = if close_code == CloseCode::Normal || close_code == CloseCode::Away {
        String::new()
    } else {
        why.clone()
    };
    out.close(close_code, &reason);
    // A writer stuck on a client that does not read must not keep the connection alive.
    let abort = writer.abort_handle();
    if tokio::time::timeout(Duration::from_secs(1), writer).await.is_err() {
        abort.abort();
    }
    let queue_dropped = sub.as_ref().map_or(0, Subscription::dropped);
    shared.log(format!(
        "{peer}: python-can-remote client disconnected ({why}){}",
        lost(out.dropped(), queue_dropped)
    ));
}

fn tell_ws_read_only(
    shared: &Shared,
    peer: &SocketAddr,
    told: &mut bool,
    send_event: &impl Fn(&WsEvent) -> bool,
) {
    if !*told {
        *told = true;
        shared.log(format!("{peer}: tried to send on a read-only server"));
        send_event(&WsEvent::Error("read-only server: frames sent are dropped".into()));
    }
}

async fn send_frame(
    shared: &Shared,
    peer: &SocketAddr,
    sub: &Option<Subscription>,
    frame: Frame,
    told: &mut bool,
    send_event: &impl Fn(&WsEvent) -> bool,
    end: &mut End,
) {
    if shared.options.read_only {
        tell_ws_read_only(shared, peer, told, send_event);
        return;
    }
    if let Some(s) = sub {
        if let Err(e) = s.send(&frame).await {
            send_event(&WsEvent::Error(format!("frame not sent: {e}")));
            if !matches!(e, BusError::Unsupported { .. }) {
                *end = Some(format!("the bus failed: {e}"));
            }
        }
    }
}
