//! Serving buses over the network: the socketcand protocol ([`socketcand`]) and python-can's
//! remote protocols ([`remote`]: python-can 2.0's binary events and python-can-remote's
//! WebSocket protocol on one port), for any number of clients on each bus; the CAN-to-HTTP
//! adaptor; and CAN-to-UDP bridges to one peer each ([`udp`]).
//!
//! Every served bus is one [`Hub`]: each client is a subscription with its own filters and its
//! own bounded queue, and what a client sends goes to the bus and to every other client, as on a
//! real bus. A client that does not keep up loses its oldest frames, counted and logged (or is
//! disconnected, [`SlowClient::Disconnect`]); neither the bus nor the other clients ever wait for
//! it. Connections beyond [`ServerOptions::max_clients`] are refused with the protocol's own
//! error; clients that do not finish their handshake in time are dropped; [`Shutdown`] closes
//! every connection.
//!
//! ```no_run
//! use std::sync::Arc;
//! use cankit::bus::hub::Hub;
//! use cankit::server::{serve, ServedBus, ServerOptions};
//! use cankit::{shutdown::Shutdown, Bus, BusConfig};
//!
//! # #[tokio::main] async fn main() -> anyhow::Result<()> {
//! let hub = Arc::new(Hub::new(Bus::open(&BusConfig::new("socketcan", Some("can0"))).await?));
//! let buses = vec![ServedBus::new(vec!["can0".into()], hub)];
//! let log = Arc::new(|line: &str| eprintln!("canserver: {line}"));
//! serve(buses, ServerOptions::default(), Shutdown::new(), log).await?;
//! # Ok(()) }
//! ```

pub mod beacon;
mod http;
mod outbox;
pub mod remote;
pub mod socketcand;
pub mod udp;
pub mod waveshare;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::bus::hub::{Hub, Overflow, SubscribeOptions, Subscription};
use crate::bus::BusEvent;
use crate::shutdown::Shutdown;

pub use outbox::Outbox;
pub use udp::{UdpBridge, UdpFormat};
pub use waveshare::WaveshareChannel;

/// The least a client's hub queue holds (see [`Shared::subscribe`]).
const HUB_QUEUE: usize = 4096;

/// Where server notices go (connects, refusals, drops, protocol errors), one line each, already
/// naming the peer.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// What to do with a client whose queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SlowClient {
    /// Drop its oldest frames, count them, keep it connected.
    #[default]
    DropOldest,
    /// Disconnect it.
    Disconnect,
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// Addresses to listen on (each with every protocol's port).
    pub listen: Vec<IpAddr>,
    /// socketcand protocol port (`None`: off).
    pub socketcand_port: Option<u16>,
    /// python-can remote protocols' port (`None`: off).
    pub remote_port: Option<u16>,
    /// The CAN-to-HTTP adaptor's port (`None`: off).
    pub http_port: Option<u16>,
    /// Send the socketcand discovery beacon.
    pub beacon: bool,
    /// The beacon's description attribute.
    pub description: String,
    /// Connections served at once (over every protocol); more are refused.
    pub max_clients: usize,
    /// Clients receive; nothing they send reaches the bus (they are told).
    pub read_only: bool,
    /// Frames a client's queue holds before its oldest are dropped.
    pub queue: usize,
    pub slow_client: SlowClient,
    /// Time a client has to open a bus (socketcand) or send its bus request (remote).
    pub handshake_timeout: Duration,
    /// Disconnect a client after this long without a byte from it (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// socketcand: error classes (`CAN_ERR_*` bits) forwarded as `< error … >` in RAW mode, as the
    /// daemon's `-e` mask (0: none).
    pub error_mask: u32,
    /// The bit rate the server's buses run at, reported to remote clients (forced on them).
    pub bitrate: Option<u32>,
    /// CAN-to-UDP bridges: the first bridges the first served bus, the second the second, ….
    pub udp: Vec<UdpBridge>,
    /// Waveshare gateway channels (13-byte records over TCP), each bridging one served bus.
    pub waveshare: Vec<WaveshareChannel>,
    /// Close every Waveshare client's connection this long after it was made (for testing
    /// clients' reconnects; `None`: never).
    pub drop_every: Option<Duration>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            listen: vec![IpAddr::V4(Ipv4Addr::LOCALHOST)],
            socketcand_port: Some(29536),
            remote_port: Some(crate::net::remote::DEFAULT_PORT),
            http_port: Some(8080),
            beacon: true,
            description: "socketcand".into(),
            max_clients: 256,
            read_only: false,
            queue: 4096,
            slow_client: SlowClient::DropOldest,
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: None,
            error_mask: 0,
            bitrate: None,
            udp: Vec::new(),
            waveshare: Vec::new(),
            drop_every: None,
        }
    }
}

/// Frame and byte counters of one served bus (the socketcand CONTROL mode's statistics).
#[derive(Default, Debug)]
pub struct Counters {
    pub rx_packets: AtomicU64,
    pub rx_bytes: AtomicU64,
    pub tx_packets: AtomicU64,
    pub tx_bytes: AtomicU64,
}

/// One bus the server offers, under one or more names.
#[derive(Clone)]
pub struct ServedBus {
    pub names: Vec<String>,
    pub hub: Arc<Hub>,
    pub counters: Arc<Counters>,
}

impl ServedBus {
    pub fn new(names: Vec<String>, hub: Arc<Hub>) -> ServedBus {
        ServedBus { names, hub, counters: Arc::new(Counters::default()) }
    }
}

/// What a finished server did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServeReport {
    pub connections: u64,
    pub refused: u64,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("nothing to serve: {0}")]
    Nothing(String),
    #[error("every bus failed: {0}")]
    BusFailed(String),
}

/// What every session shares.
pub(crate) struct Shared {
    pub buses: Vec<ServedBus>,
    pub options: ServerOptions,
    pub log: Log,
    pub shutdown: Shutdown,
    clients: AtomicUsize,
    connections: AtomicU64,
    refused: AtomicU64,
}

impl Shared {
    /// The bus offered under `name`.
    pub fn bus(&self, name: &str) -> Option<&ServedBus> {
        self.buses.iter().find(|b| b.names.iter().any(|n| n == name))
    }

    /// Every name offered, in order (`< list >`, the beacon).
    pub fn names(&self) -> Vec<String> {
        self.buses.iter().flat_map(|b| b.names.iter().cloned()).collect()
    }

    pub fn log(&self, line: impl AsRef<str>) {
        (self.log)(line.as_ref());
    }

    /// A subscription for a client: its own bounded queue, and the frames other clients send.
    /// The session takes frames from it at once into its outbox (where `--queue` applies and the
    /// oldest go first), so this queue only absorbs bursts while the session waits for a CPU.
    pub fn subscribe(&self, bus: &ServedBus) -> Subscription {
        bus.hub.subscribe(SubscribeOptions {
            capacity: self.options.queue.max(HUB_QUEUE),
            hear_sent: true,
            overflow: Overflow::DropOldest,
            ..Default::default()
        })
    }
}

/// A connection counted against `max_clients` until dropped.
pub(crate) struct ClientSlot {
    shared: Arc<Shared>,
}

impl ClientSlot {
    /// A slot if fewer than `max_clients` are taken.
    pub(crate) fn take(shared: &Arc<Shared>) -> Option<ClientSlot> {
        let n = shared.clients.fetch_add(1, Ordering::AcqRel);
        let slot = ClientSlot { shared: Arc::clone(shared) };
        (n < shared.options.max_clients).then_some(slot)
    }
}

impl ClientSlot {
    /// A slot whatever the count (a UDP bridge is configured, not connecting).
    pub(crate) fn hold(shared: &Arc<Shared>) -> ClientSlot {
        shared.clients.fetch_add(1, Ordering::AcqRel);
        ClientSlot { shared: Arc::clone(shared) }
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        self.shared.clients.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serve `buses` until `shutdown` is triggered; every connection is then closed.
pub async fn serve(
    buses: Vec<ServedBus>,
    options: ServerOptions,
    shutdown: Shutdown,
    log: Log,
) -> Result<ServeReport, ServerError> {
    if buses.is_empty() {
        return Err(ServerError::Nothing("no bus".into()));
    }
    if options.socketcand_port.is_none()
        && options.remote_port.is_none()
        && options.http_port.is_none()
        && options.udp.is_empty()
        && options.waveshare.is_empty()
    {
        return Err(ServerError::Nothing("every protocol is switched off and there is no UDP bridge".into()));
    }
    if options.udp.len() > buses.len() {
        return Err(ServerError::Nothing(format!(
            "{} UDP bridges but {} buses served (one bridge per bus, in order)",
            options.udp.len(),
            buses.len()
        )));
    }
    if let Some(c) = options.waveshare.iter().find(|c| c.bus >= buses.len()) {
        return Err(ServerError::Nothing(format!(
            "the Waveshare channel on {} bridges bus {}, but {} buses are served",
            c.listen,
            c.bus,
            buses.len()
        )));
    }
    let mut bridges = Vec::new();
    for bridge in &options.udp {
        let addr = bridge.listen.unwrap_or_else(|| SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));
        bridges.push(
            udp::BoundBridge::bind(bridge.clone()).map_err(|source| ServerError::Listen { addr, source })?,
        );
    }
    let shared = Arc::new(Shared {
        buses,
        options,
        log,
        shutdown: shutdown.clone(),
        clients: AtomicUsize::new(0),
        connections: AtomicU64::new(0),
        refused: AtomicU64::new(0),
    });
    let mut tasks = tokio::task::JoinSet::new();
    let mut counting = tokio::task::JoinSet::new();
    for bus in &shared.buses {
        counting.spawn(count(Arc::clone(&shared), bus.clone()));
    }
    let mut listeners = Vec::new();
    for ip in shared.options.listen.clone() {
        for (port, protocol) in [
            (shared.options.socketcand_port, Protocol::Socketcand),
            (shared.options.remote_port, Protocol::Remote),
            (shared.options.http_port, Protocol::Http),
        ] {
            let Some(port) = port else { continue };
            let addr = SocketAddr::new(ip, port);
            let listener = bind(addr).map_err(|source| ServerError::Listen { addr, source })?;
            let local = listener.local_addr().unwrap_or(addr);
            shared.log(format!("{} protocol on {local}", protocol.name()));
            listeners.push((listener, protocol));
        }
    }
    for channel in shared.options.waveshare.clone() {
        let listener =
            bind(channel.listen).map_err(|source| ServerError::Listen { addr: channel.listen, source })?;
        let local = listener.local_addr().unwrap_or(channel.listen);
        let names = shared.buses[channel.bus].names.join(", ");
        shared.log(format!("Waveshare gateway protocol (13-byte records) on {local} for bus {names}"));
        listeners.push((listener, Protocol::Waveshare(channel.bus)));
    }
    for (bound, bus) in bridges.into_iter().zip(shared.buses.clone()) {
        shared.log(format!("{} for bus {}", bound.describe(), bus.names.join(", ")));
        tasks.spawn(udp::run(Arc::clone(&shared), bus, bound));
    }
    for (listener, protocol) in listeners {
        match protocol {
            Protocol::Http => tasks.spawn(http::serve(Arc::clone(&shared), listener)),
            _ => tasks.spawn(accept(Arc::clone(&shared), listener, protocol)),
        };
    }
    if shared.options.beacon {
        if let Some(port) = shared.options.socketcand_port {
            let beacon = beacon::Beacon::new(
                &shared.options.listen,
                port,
                &shared.options.description,
                shared.names(),
            );
            match beacon {
                Ok(b) => {
                    tasks.spawn(b.run(shutdown.clone()));
                }
                Err(e) => shared.log(format!("no discovery beacon: {e}")),
            }
        }
    }
    // Until stopped, or until every bus has failed (a server with nothing to serve exits, so a
    // service manager can restart it).
    let mut failures = Vec::new();
    let failed = loop {
        tokio::select! {
            _ = shutdown.triggered() => break None,
            done = counting.join_next() => match done {
                Some(Ok(Some(why))) => failures.push(why),
                Some(_) => {}
                // The counters also end when the shutdown comes; that is no failure.
                None if failures.is_empty() && shutdown.is_triggered() => break None,
                None => break Some(failures.join("; ")),
            },
        }
    };
    if failed.is_some() {
        shutdown.trigger();
    }
    // Sessions see the shutdown themselves and close their connections; give them a moment.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while shared.clients.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tasks.abort_all();
    counting.abort_all();
    if let Some(why) = failed {
        return Err(ServerError::BusFailed(why));
    }
    Ok(ServeReport {
        connections: shared.connections.load(Ordering::Relaxed),
        refused: shared.refused.load(Ordering::Relaxed),
    })
}

/// A listening socket with `SO_REUSEADDR` (a restarted server binds at once) and, for IPv6,
/// IPv6 only (so `--listen ::` and `--listen 0.0.0.0` can be given together).
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    TcpListener::from_std(socket.into())
}

#[derive(Clone, Copy)]
enum Protocol {
    Socketcand,
    Remote,
    Http,
    /// A Waveshare channel of the served bus with this index.
    Waveshare(usize),
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::Socketcand => "socketcand",
            Protocol::Remote => "python-can remote (binary and WebSocket)",
            Protocol::Http => "HTTP (server-sent events at /, frames sent by GET /?id=…)",
            Protocol::Waveshare(_) => "Waveshare gateway",
        }
    }
}

async fn accept(shared: Arc<Shared>, listener: TcpListener, protocol: Protocol) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = shared.shutdown.triggered() => return,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and the like: say so, wait a moment, go on.
                    shared.log(format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let sock = socket2::SockRef::from(&stream);
        let _ = sock.set_tcp_keepalive(
            &socket2::TcpKeepalive::new()
                .with_time(Duration::from_secs(60))
                .with_interval(Duration::from_secs(10)),
        );
        shared.connections.fetch_add(1, Ordering::Relaxed);
        let n = shared.clients.fetch_add(1, Ordering::AcqRel);
        let slot = ClientSlot { shared: Arc::clone(&shared) };
        let over = n >= shared.options.max_clients;
        if over {
            shared.refused.fetch_add(1, Ordering::Relaxed);
            shared.log(format!("{peer}: refused, {} clients already connected (--max-clients)", n));
        }
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _slot = slot;
            match protocol {
                Protocol::Socketcand => socketcand::session(shared, stream, peer, over).await,
                Protocol::Remote => remote::session(shared, stream, peer, over).await,
                Protocol::Waveshare(bus) => {
                    let bus = shared.buses[bus].clone();
                    waveshare::session(shared, stream, peer, over, bus).await
                }
                Protocol::Http => {}
            }
        });
    }
}

/// Keep a served bus's counters: every frame received and every frame a client sent. Returns
/// why the bus stopped, if it failed.
async fn count(shared: Arc<Shared>, bus: ServedBus) -> Option<String> {
    let mut sub =
        bus.hub.subscribe(SubscribeOptions { capacity: 65536, hear_sent: true, ..Default::default() });
    let mut own_drops = 0u64;
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);
    loop {
        let event = tokio::select! {
            _ = &mut stop => return None,
            e = sub.recv() => e,
        };
        match event {
            Ok(BusEvent::Frame(f)) => {
                let (packets, bytes) = if f.direction == crate::frame::Direction::Tx {
                    (&bus.counters.tx_packets, &bus.counters.tx_bytes)
                } else {
                    (&bus.counters.rx_packets, &bus.counters.rx_bytes)
                };
                packets.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(f.len() as u64, Ordering::Relaxed);
            }
            Ok(BusEvent::Dropped { count }) => {
                // The bus's own losses (a receive buffer overflow), not this counter's lag.
                if sub.dropped() == own_drops {
                    shared.log(format!(
                        "{}: {count} frames lost before canserver could read them",
                        bus.names.join(", ")
                    ));
                }
                own_drops = sub.dropped();
            }
            Ok(_) => {}
            Err(e) => {
                shared.log(format!("{}: {e}", bus.names.join(", ")));
                return Some(e.to_string());
            }
        }
    }
}

/// A client fell behind (its queue overflowed): disconnect it or say so once, by the policy.
pub(crate) fn fell_behind(shared: &Shared, peer: &SocketAddr, logged: &mut bool, end: &mut Option<String>) {
    match shared.options.slow_client {
        SlowClient::Disconnect => {
            end.get_or_insert_with(|| "it did not keep up (--slow-client disconnect)".into());
        }
        SlowClient::DropOldest => {
            if !*logged {
                *logged = true;
                shared.log(format!(
                    "{peer}: not keeping up; its oldest frames are dropped (queue of {})",
                    shared.options.queue
                ));
            }
        }
    }
}

/// How much a client lost, for its disconnect line.
pub(crate) fn lost(outbox_dropped: u64, queue_dropped: u64) -> String {
    let n = outbox_dropped + queue_dropped;
    if n == 0 {
        String::new()
    } else {
        format!(", {n} frames dropped because it did not keep up")
    }
}
