//! `waveshare`: a Waveshare 2-CH-CAN-TO-ETH gateway (or a clone speaking its 13-byte records,
//! or `caneth simulate`) as a bus, over TCP with the device as the server.
//!
//! Configured as the `can-waveshare` python-can backend is (`interface = waveshare` in
//! `~/.canrc` works unchanged): the channel is `HOST:PORT`, `tcp://HOST:PORT` or
//! `[IPv6]:PORT`, or `can1`/`can0` (port 20001) and `can2` (20002) with the host given as the
//! `host` option; `host` and `port` options override the channel's. Other options: `echo_window`
//! (seconds, default 0.1, 0 = off: a received frame identical to one sent that recently is the
//! device echoing it and is dropped, as `can-waveshare` does, unless `receive_own_messages`);
//! `connect_timeout` (seconds, default 10: how long opening keeps trying); `reconnect_initial`
//! (0.5 s), `reconnect_max` (10 s; 0 = keep the delay growing up to `reconnect_cap`, 60 s):
//! the `caneth` client's back-off; `tcp_nodelay`/`tcp_tune` and `keepalive` are accepted (both
//! are always on).
//!
//! Opening connects (retrying for `connect_timeout`); after that a connection that drops is
//! re-established for as long as the bus is open, with the back-off, and the bus reports each
//! loss, retry and reconnect as [`BusEvent::Notice`]: recording and watching go on across it.
//! Sending resolves when the record is written to the socket; while the link is down, sends wait
//! (with up to [`SEND_QUEUE`] records queued) and go out once it is back. Records whose write
//! failed are written again on the next connection (a drop can repeat a frame); a record written
//! just before the device dropped the connection may never have been read by it, which TCP does
//! not tell. What the format cannot carry (CAN
//! FD, error frames) is refused by `send` with an error, and counted. Records that are not
//! frames are reported as [`BusEvent::Invalid`] with their byte offset and skipped.

use std::collections::VecDeque;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusStats};
use crate::frame::{Frame, Timestamp};
use crate::net::waveshare::{self as proto, Decoder, RECORD};

pub const ENTRY: BackendEntry = BackendEntry {
    name: "waveshare",
    aliases: &[],
    open: |config| Ok(Box::new(WaveshareBus::open(config)?)),
};

const INTERFACE: &str = "waveshare";
/// Frames queued for sending while the link is down (or busy) before `send` waits.
pub const SEND_QUEUE: usize = 1024;
/// Events decoded and not yet received before the connection stops reading (TCP then holds
/// back the device).
const EVENT_QUEUE: usize = 8192;
/// One connection attempt gives up after this long.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `caneth` client's reconnect back-off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay; zero: grow up to `cap`.
    pub max: Duration,
    /// The longest delay when `max` is zero.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(10),
            cap: Duration::from_secs(60),
        }
    }
}

impl Backoff {
    /// The delay after `current`: doubling up to four times the initial delay, then one second
    /// more each time, never above the limit (the `caneth` client's rule).
    pub fn next(&self, current: Duration) -> Duration {
        let grown = if current < self.initial * 4 { current * 2 } else { current + Duration::from_secs(1) };
        let limit = if self.max.is_zero() { self.cap } else { self.max };
        grown.min(limit)
    }
}

/// Where the gateway is and how to stay connected to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub backoff: Backoff,
    /// How long opening keeps trying before it fails.
    pub connect_timeout: Duration,
    /// Received frames identical to one sent within this window are the device's echo
    /// (zero: off).
    pub echo_window: Duration,
    pub receive_own: bool,
}

impl Settings {
    /// `host:port` as users write it (`[v6]:port` for IPv6).
    pub fn peer(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    pub fn from_config(config: &BusConfig) -> Result<Settings, BusError> {
        let invalid = |message: String| BusError::InvalidConfig { interface: INTERFACE.into(), message };
        let (mut host, mut port) = match config.channel.as_deref() {
            Some(c) => parse_channel(c).map_err(invalid)?,
            None => (None, None),
        };
        if let Some(h) = config.option(&["host"]) {
            host = Some(h.trim_start_matches('[').trim_end_matches(']').to_string());
        }
        if let Some(p) = config.option(&["port"]) {
            port = Some(p.trim().parse().map_err(|_| invalid(format!("port '{p}' is not a TCP port")))?);
        }
        let (Some(host), Some(port)) = (host, port) else {
            return Err(invalid(
                "no gateway given: use -c HOST:PORT (e.g. -c 192.168.0.7:20001), or -c can1|can2 with \
                 --bus-option host=ADDRESS"
                    .into(),
            ));
        };
        let seconds = |names: &[&str], default: Duration| -> Result<Duration, BusError> {
            match config.option(names) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| invalid(format!("{}: '{v}' is not a number of seconds", names[0]))),
            }
        };
        for name in ["tcp_nodelay", "tcp_tune", "keepalive"] {
            if let Some(v) = config.option(&[name]) {
                crate::config::parse_bool(v).map_err(|m| invalid(format!("{name}: {m}")))?;
            }
        }
        let defaults = Backoff::default();
        let backoff = Backoff {
            initial: seconds(&["reconnect_initial"], defaults.initial)?.max(Duration::from_millis(10)),
            max: seconds(&["reconnect_max"], defaults.max)?,
            cap: seconds(&["reconnect_cap"], defaults.cap)?.max(Duration::from_millis(10)),
        };
        Ok(Settings {
            host,
            port,
            backoff,
            connect_timeout: seconds(&["connect_timeout", "timeout"], Duration::from_secs(10))?,
            echo_window: seconds(&["echo_window"], Duration::from_millis(100))?,
            receive_own: config.receive_own_messages,
        })
    }
}

/// `can-waveshare`'s channel forms: `host:port`, `tcp://host:port`, `[v6]:port`, and the
/// aliases `can0`/`can1` (port 20001) and `can2` (20002), which leave the host to the options.
pub fn parse_channel(channel: &str) -> Result<(Option<String>, Option<u16>), String> {
    let s = channel.trim();
    let s = s.strip_prefix("tcp://").unwrap_or(s);
    match s.to_ascii_lowercase().as_str() {
        "can0" | "can1" => return Ok((None, Some(proto::PORTS[0]))),
        "can2" => return Ok((None, Some(proto::PORTS[1]))),
        _ => {}
    }
    let bad = || format!("channel '{channel}' is not HOST:PORT, tcp://HOST:PORT, [IPv6]:PORT, can1 or can2");
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (host, port) = rest.split_once("]:").ok_or_else(bad)?;
        (host, port)
    } else {
        s.rsplit_once(':').filter(|(h, _)| !h.contains(':')).ok_or_else(bad)?
    };
    if host.is_empty() {
        return Err(bad());
    }
    let port: u16 = port.parse().map_err(|_| format!("channel '{channel}': '{port}' is not a TCP port"))?;
    Ok((Some(host.to_string()), Some(port)))
}

/// Resolve and connect, each address in turn; the last error names the peer.
async fn connect(settings: &Settings) -> Result<TcpStream, String> {
    let peer = settings.peer();
    let (host, port) = (settings.host.clone(), settings.port);
    let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || (host.as_str(), port).to_socket_addrs())
        .await
        .map_err(|e| format!("cannot resolve {peer}: {e}"))?
        .map_err(|e| format!("cannot resolve {peer}: {e}"))?
        .collect();
    let mut last = format!("{peer} has no address");
    for addr in addrs {
        match tokio::time::timeout(ATTEMPT_TIMEOUT, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(
                    &socket2::TcpKeepalive::new()
                        .with_time(Duration::from_secs(30))
                        .with_interval(Duration::from_secs(10))
                        .with_retries(3),
                );
                return Ok(stream);
            }
            Ok(Err(e)) => last = format!("cannot connect to {peer} ({addr}): {e}"),
            Err(_) => {
                last = format!(
                    "cannot connect to {peer} ({addr}): no answer within {} s",
                    ATTEMPT_TIMEOUT.as_secs()
                )
            }
        }
    }
    Err(last)
}

struct Counters {
    received: AtomicU64,
    sent: AtomicU64,
    invalid: AtomicU64,
}

/// A Waveshare gateway as a bus. See the module docs.
pub struct WaveshareBus {
    settings: Settings,
    events: tokio::sync::Mutex<mpsc::Receiver<BusEvent>>,
    outgoing: mpsc::Sender<[u8; RECORD]>,
    /// Records queued so far; a send's ticket is its record's number. Taken together with the
    /// queueing, under this lock, so tickets follow the queue's order.
    queued: Mutex<u64>,
    /// Records written to the socket so far: a send resolves when its ticket is written.
    written: tokio::sync::watch::Receiver<u64>,
    /// Whether the link is up now.
    connected: tokio::sync::watch::Receiver<bool>,
    own: super::OwnFrames,
    /// Frames sent lately, with when: received copies are the device's echo.
    recent: Mutex<VecDeque<(Instant, Frame)>>,
    counters: Arc<Counters>,
    refused: AtomicU64,
    link: tokio::task::JoinHandle<()>,
}

impl Drop for WaveshareBus {
    fn drop(&mut self) {
        self.link.abort();
    }
}

impl WaveshareBus {
    /// Connect (blocking the calling thread for up to the connect timeout). Must be called
    /// inside a tokio runtime: the link runs as a task on it.
    pub fn open(config: &BusConfig) -> Result<WaveshareBus, BusError> {
        WaveshareBus::open_with(Settings::from_config(config)?)
    }

    /// [`WaveshareBus::open`] with settings made by other means.
    pub fn open_with(settings: Settings) -> Result<WaveshareBus, BusError> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| {
            BusError::io(
                format!("{INTERFACE} {}: opening the bus", settings.peer()),
                std::io::Error::other("must be called inside a tokio runtime"),
            )
        })?;
        // The first connection, retried with the back-off until the connect timeout.
        let first = {
            let settings = settings.clone();
            let connecting = async move {
                let started = Instant::now();
                let mut delay = settings.backoff.initial;
                loop {
                    match connect(&settings).await {
                        Ok(stream) => return Ok(stream),
                        Err(why) => {
                            let left = settings.connect_timeout.saturating_sub(started.elapsed());
                            if left.is_zero() {
                                return Err(why);
                            }
                            tokio::time::sleep(delay.min(left)).await;
                            delay = settings.backoff.next(delay);
                        }
                    }
                }
            };
            match tokio::runtime::Handle::try_current() {
                Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                    tokio::task::block_in_place(|| h.block_on(connecting))
                }
                // A current-thread runtime cannot block on itself: connect on a helper thread
                // with a runtime of its own, then move the socket over.
                _ => std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    rt.block_on(async {
                        connecting.await.and_then(|s| s.into_std().map_err(|e| e.to_string()))
                    })
                })
                .join()
                .unwrap_or_else(|_| Err("the connecting thread failed".into()))
                .and_then(|s| {
                    let _guard = handle.enter();
                    TcpStream::from_std(s).map_err(|e| e.to_string())
                }),
            }
        };
        let stream = first.map_err(|why| {
            BusError::io(
                format!("{INTERFACE}: gave up after {} s", settings.connect_timeout.as_secs_f64()),
                std::io::Error::other(why),
            )
        })?;
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        let (outgoing_tx, outgoing_rx) = mpsc::channel(SEND_QUEUE);
        let (written_tx, written_rx) = tokio::sync::watch::channel(0u64);
        let (connected_tx, connected_rx) = tokio::sync::watch::channel(true);
        let counters = Arc::new(Counters {
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
        });
        let link = handle.spawn(run_link(
            settings.clone(),
            stream,
            events_tx,
            outgoing_rx,
            written_tx,
            connected_tx,
            Arc::clone(&counters),
        ));
        Ok(WaveshareBus {
            own: super::OwnFrames::new(settings.receive_own),
            settings,
            events: tokio::sync::Mutex::new(events_rx),
            outgoing: outgoing_tx,
            queued: Mutex::new(0),
            written: written_rx,
            connected: connected_rx,
            recent: Mutex::new(VecDeque::new()),
            counters,
            refused: AtomicU64::new(0),
            link,
        })
    }

    /// Follows whether the link is up (true from a successful open until a loss, and again once
    /// reconnected).
    pub fn link(&self) -> tokio::sync::watch::Receiver<bool> {
        self.connected.clone()
    }

    /// Where the gateway is.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    async fn send_frame(&self, frame: &Frame) -> Result<(), BusError> {
        let mut record = [0u8; RECORD];
        if let Err(e) = proto::encode(frame, &mut record) {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(BusError::Unsupported {
                interface: format!("{INTERFACE} {}", self.settings.peer()),
                message: e.to_string(),
            });
        }
        // Queue it (waiting while the queue is full), then wait until it is written: sending
        // resolves when the frame is on its way, and waits while the link is down.
        let permit = self.outgoing.reserve().await.map_err(|_| BusError::Closed)?;
        let ticket = {
            let mut queued = self.queued.lock().unwrap_or_else(|e| e.into_inner());
            *queued += 1;
            permit.send(record);
            *queued
        };
        let mut written = self.written.clone();
        written.wait_for(|n| *n >= ticket).await.map_err(|_| BusError::Closed)?;
        if !self.settings.echo_window.is_zero() && !self.settings.receive_own {
            let now = Instant::now();
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            while recent.front().is_some_and(|(t, _)| now.duration_since(*t) > self.settings.echo_window) {
                recent.pop_front();
            }
            if recent.len() < 256 {
                recent.push_back((now, frame.with_timestamp(Timestamp::ZERO)));
            }
        }
        self.own.sent(frame);
        Ok(())
    }

    /// Whether `event` is the device echoing a frame sent within the echo window (removed from
    /// the window: one echo per send).
    fn is_echo(&self, event: &BusEvent) -> bool {
        let BusEvent::Frame(f) = event else { return false };
        if self.settings.echo_window.is_zero() || self.settings.receive_own {
            return false;
        }
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while recent.front().is_some_and(|(t, _)| now.duration_since(*t) > self.settings.echo_window) {
            recent.pop_front();
        }
        let bare = f.with_timestamp(Timestamp::ZERO);
        match recent.iter().position(|(_, sent)| *sent == bare) {
            Some(i) => {
                recent.remove(i);
                true
            }
            None => false,
        }
    }

    async fn recv_event(&self) -> Result<BusEvent, BusError> {
        let mut events = self.events.lock().await;
        loop {
            if let Some(e) = self.own.next() {
                return Ok(e);
            }
            let event = tokio::select! {
                e = events.recv() => e.ok_or(BusError::Closed)?,
                _ = self.own.ready() => continue,
            };
            if !self.is_echo(&event) {
                return Ok(event);
            }
        }
    }
}

/// The link: reads records into events, writes queued records, and reconnects with the back-off
/// whenever the connection ends, until the bus is dropped.
async fn run_link(
    settings: Settings,
    first: TcpStream,
    events: mpsc::Sender<BusEvent>,
    mut outgoing: mpsc::Receiver<[u8; RECORD]>,
    written: tokio::sync::watch::Sender<u64>,
    connected: tokio::sync::watch::Sender<bool>,
    counters: Arc<Counters>,
) {
    let peer = settings.peer();
    let notice = |message: String| BusEvent::Notice { source: peer.clone(), message };
    let mut stream = Some(first);
    // Records taken for writing and not yet written (kept across a reconnect).
    let mut unsent: Vec<u8> = Vec::new();
    loop {
        let Some(connection) = stream.take() else { return };
        let lost_at = Instant::now();
        let why =
            serve_connection(connection, &peer, &events, &mut outgoing, &mut unsent, &written, &counters)
                .await;
        let Some(why) = why else { return }; // the bus is gone
        connected.send_replace(false);
        if events.send(notice(why)).await.is_err() {
            return;
        }
        let mut delay = settings.backoff.initial;
        let mut attempts = 0u64;
        loop {
            if events.send(notice(format!("reconnecting in {:.1} s", delay.as_secs_f64()))).await.is_err() {
                return;
            }
            tokio::time::sleep(delay).await;
            attempts += 1;
            match connect(&settings).await {
                Ok(s) => {
                    let back = format!(
                        "reconnected after {:.1} s ({attempts} attempt{})",
                        lost_at.elapsed().as_secs_f64(),
                        if attempts == 1 { "" } else { "s" }
                    );
                    connected.send_replace(true);
                    if events.send(notice(back)).await.is_err() {
                        return;
                    }
                    stream = Some(s);
                    break;
                }
                Err(why) => {
                    if events.send(notice(why)).await.is_err() {
                        return;
                    }
                    delay = settings.backoff.next(delay);
                }
            }
        }
    }
}

/// Run one connection until it ends: `Some(why)` when it was lost, `None` when the bus is gone.
async fn serve_connection(
    stream: TcpStream,
    peer: &str,
    events: &mpsc::Sender<BusEvent>,
    outgoing: &mut mpsc::Receiver<[u8; RECORD]>,
    unsent: &mut Vec<u8>,
    written: &tokio::sync::watch::Sender<u64>,
    counters: &Counters,
) -> Option<String> {
    let (mut read, mut write) = stream.into_split();
    let mut decoder = Decoder::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut decoded = Vec::new();
    loop {
        if !unsent.is_empty() {
            if let Err(e) = write.write_all(unsent).await {
                return Some(format!("connection to {peer} lost while sending: {e}"));
            }
            let records = (unsent.len() / RECORD) as u64;
            counters.sent.fetch_add(records, Ordering::Relaxed);
            written.send_modify(|n| *n += records);
            unsent.clear();
        }
        tokio::select! {
            r = read.read(&mut buf) => {
                let n = match r {
                    Ok(0) => {
                        let cut = match decoder.pending() {
                            0 => String::new(),
                            k => format!(" in the middle of a record ({k} of 13 bytes)"),
                        };
                        return Some(format!("{peer} closed the connection{cut}"));
                    }
                    Ok(n) => n,
                    Err(e) => return Some(format!("connection to {peer} lost: {e}")),
                };
                decoder.push(&buf[..n], Timestamp::now(), &mut decoded);
                for result in decoded.drain(..) {
                    let event = match result {
                        Ok(f) => {
                            counters.received.fetch_add(1, Ordering::Relaxed);
                            BusEvent::Frame(f)
                        }
                        Err(e) => {
                            counters.invalid.fetch_add(1, Ordering::Relaxed);
                            BusEvent::Invalid { source: peer.to_string(), reason: e.to_string() }
                        }
                    };
                    if events.send(event).await.is_err() {
                        return None;
                    }
                }
            }
            record = outgoing.recv() => {
                let record = record?;
                unsent.extend_from_slice(&record);
                // Whatever else is queued goes out in the same write.
                while unsent.len() < 64 * RECORD {
                    match outgoing.try_recv() {
                        Ok(r) => unsent.extend_from_slice(&r),
                        Err(_) => break,
                    }
                }
            }
        }
    }
}

impl Backend for WaveshareBus {
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
        let Ok(mut events) = self.events.try_lock() else { return Ok(None) };
        loop {
            match events.try_recv() {
                Ok(e) if self.is_echo(&e) => continue,
                Ok(e) => return Ok(Some(e)),
                Err(mpsc::error::TryRecvError::Empty) => return Ok(None),
                Err(mpsc::error::TryRecvError::Disconnected) => return Err(BusError::Closed),
            }
        }
    }

    fn stats(&self) -> BusStats {
        BusStats {
            received: self.counters.received.load(Ordering::Relaxed),
            sent: self.counters.sent.load(Ordering::Relaxed),
            dropped: 0,
            invalid: self.counters.invalid.load(Ordering::Relaxed) + self.refused.load(Ordering::Relaxed),
        }
    }

    fn describe(&self) -> String {
        format!("waveshare gateway {} (13-byte records over TCP, classic CAN only)", self.settings.peer())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_as_can_waveshare_takes_them() {
        let p = |c: &str| parse_channel(c);
        assert_eq!(p("192.0.2.7:20001"), Ok((Some("192.0.2.7".into()), Some(20001))));
        assert_eq!(p("tcp://gw.local:20002"), Ok((Some("gw.local".into()), Some(20002))));
        assert_eq!(p("[2001:db8::1]:20001"), Ok((Some("2001:db8::1".into()), Some(20001))));
        assert_eq!(p("can1"), Ok((None, Some(20001))));
        assert_eq!(p("CAN0"), Ok((None, Some(20001))));
        assert_eq!(p("can2"), Ok((None, Some(20002))));
        for bad in ["gw.local", "2001:db8::1", "host:99999", ":20001", "[::1]"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        let mut cfg = BusConfig::new("waveshare", Some("can2"));
        assert!(Settings::from_config(&cfg).unwrap_err().to_string().contains("host=ADDRESS"));
        cfg.options.insert("host".into(), "192.0.2.9".into());
        let s = Settings::from_config(&cfg).unwrap();
        assert_eq!(s.peer(), "192.0.2.9:20002");
        cfg.options.insert("reconnect_initial".into(), "soon".into());
        assert!(Settings::from_config(&cfg).unwrap_err().to_string().contains("reconnect_initial"));
    }

    #[test]
    fn backoff_doubles_then_grows_by_a_second_up_to_the_limit() {
        let b = Backoff::default();
        let mut d = b.initial;
        let mut seen = vec![d];
        for _ in 0..14 {
            d = b.next(d);
            seen.push(d);
        }
        let secs: Vec<f64> = seen.iter().map(Duration::as_secs_f64).collect();
        assert_eq!(&secs[..7], &[0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(*secs.last().unwrap(), 10.0);
        let forever = Backoff { max: Duration::ZERO, ..b };
        let mut d = forever.initial;
        for _ in 0..100 {
            d = forever.next(d);
        }
        assert_eq!(d, forever.cap);
    }
}
