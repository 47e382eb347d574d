//! The bus layer: one async interface over every way cankit reaches a CAN bus.
//!
//! [`Bus::open`] takes a resolved [`BusConfig`] (see [`crate::config`] for where the settings come
//! from) and returns a bus that can [`send`](Bus::send) frames and [`recv`](Bus::recv) a stream of
//! [`BusEvent`]s: timestamped frames, bus-state changes, receive overflows and garbage that arrived
//! where frames were expected. Backends live one per file, each implementing [`backend::Backend`];
//! the registry in [`backend`] knows them by name, so a new backend is one file and one line.
//! [`hub::Hub`] shares one opened bus between many subscribers and senders.
//!
//! Filtering: [`Bus::set_filter`] hands the filter to the backend, which applies what it can in the
//! kernel (SocketCAN); the bus then applies the whole filter in user space as well, so every
//! backend gives the same results.
//!
//! This module leaves printing, recording and configuration resolution to others.

pub mod backend;
pub mod hub;
pub mod msgpack;
pub mod remote;
pub(crate) mod socket_io;
pub mod socketcan;
pub mod socketcand;
pub mod udp_multicast;
pub mod virtual_bus;
pub mod waveshare;

use std::collections::BTreeMap;
use std::fmt;

use crate::filter::FilterSet;
use crate::frame::Frame;

pub use backend::{interfaces, register, Backend, BackendEntry, BusFuture};

/// Everything needed to open a bus, after command line, environment and config files have been
/// merged (see [`crate::config::resolve`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusConfig {
    /// Backend name: `udp_multicast`, `socketcan` or `virtual`.
    pub interface: String,
    /// Backend-specific channel: the multicast group, the network interface (`vcan0`), the name of
    /// an in-process virtual bus. `None` = the backend's default.
    pub channel: Option<String>,
    /// Nominal (arbitration) bit rate in bit/s; informative for backends that cannot set it.
    pub bitrate: Option<u32>,
    /// Open the bus for CAN FD frames.
    pub fd: bool,
    /// CAN FD data-phase bit rate in bit/s.
    pub data_bitrate: Option<u32>,
    /// Deliver this process's own sent frames back to it (python-can's `receive_own_messages`).
    pub receive_own_messages: bool,
    /// Backend options by python-can keyword (`port`, `hop_limit`/`ttl`, `multicast_interface`, ...).
    pub options: BTreeMap<String, String>,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            interface: "udp_multicast".into(),
            channel: None,
            bitrate: None,
            fd: true,
            data_bitrate: None,
            receive_own_messages: false,
            options: BTreeMap::new(),
        }
    }
}

impl BusConfig {
    /// Convenience: a config for `interface` on `channel` with everything else default.
    pub fn new(interface: &str, channel: Option<&str>) -> BusConfig {
        BusConfig {
            interface: interface.to_string(),
            channel: channel.map(str::to_string),
            ..BusConfig::default()
        }
    }

    /// A backend option, by any of its accepted names.
    pub fn option(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.options.get(*n).map(String::as_str))
    }
}

/// Controller state as CAN defines it, plus the states SocketCAN reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BusState {
    ErrorActive,
    ErrorWarning,
    ErrorPassive,
    BusOff,
}

impl fmt::Display for BusState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BusState::ErrorActive => "error-active",
            BusState::ErrorWarning => "error-warning",
            BusState::ErrorPassive => "error-passive",
            BusState::BusOff => "bus-off",
        })
    }
}

/// Something that happened on the bus.
#[derive(Clone, Debug, PartialEq)]
pub enum BusEvent {
    /// A frame (data, remote, FD or error frame) with its receive timestamp.
    Frame(Frame),
    /// The controller changed state (derived from error frames where the backend has no other way).
    State(BusState),
    /// Frames were lost before this process could read them (socket buffer overflow, a lagging
    /// in-process receiver). `count` is the number newly lost since the last report.
    Dropped { count: u64 },
    /// Something arrived that is not a frame (a garbage datagram); counted and skipped.
    Invalid { source: String, reason: String },
    /// What a backend says about its link to `source` (a gateway's connection lost, a retry, the
    /// connection back): shown to the user, nothing to count.
    Notice { source: String, message: String },
}

/// Counters a bus keeps for its whole life; shown in summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BusStats {
    pub received: u64,
    pub sent: u64,
    pub dropped: u64,
    pub invalid: u64,
}

/// Errors from opening or using a bus. Messages name the interface or peer.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("unknown interface '{0}'; known interfaces: {known}", known = interfaces().join(", "))]
    UnknownInterface(String),
    #[error("no CAN interface '{0}'; see `ip link`")]
    NoSuchInterface(String),
    #[error("CAN interface '{0}' is down; bring it up with `ip link set {0} up`")]
    InterfaceDown(String),
    #[error("invalid setting for {interface}: {message}")]
    InvalidConfig { interface: String, message: String },
    #[error("{interface} cannot send this frame: {message}")]
    Unsupported { interface: String, message: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("bus closed")]
    Closed,
    /// The hub sharing the bus stopped reading it, for this reason (the bus's failure).
    #[error("bus stopped: {0}")]
    Stopped(String),
}

impl BusError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> BusError {
        BusError::Io { context: context.into(), source }
    }
}

/// Frames this process sent, given back as received (`receive_own_messages`) by the backends
/// whose transport does not echo them (clients of network servers). A receiver waiting on its
/// socket is woken by [`OwnFrames::ready`], so an own frame on a quiet bus is not held back.
pub(crate) struct OwnFrames {
    enabled: bool,
    queue: std::sync::Mutex<std::collections::VecDeque<Frame>>,
    ready: tokio::sync::Notify,
}

impl OwnFrames {
    pub(crate) fn new(enabled: bool) -> OwnFrames {
        OwnFrames { enabled, queue: Default::default(), ready: tokio::sync::Notify::new() }
    }

    /// `frame` was sent: keep it to be received, stamped now, when own frames are wanted.
    pub(crate) fn sent(&self, frame: &Frame) {
        if self.enabled {
            let own = frame
                .with_direction(crate::frame::Direction::Tx)
                .with_timestamp(crate::frame::Timestamp::now());
            self.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back(own);
            self.ready.notify_one();
        }
    }

    /// The next own frame, if one waits.
    pub(crate) fn next(&self) -> Option<BusEvent> {
        if !self.enabled {
            return None;
        }
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front().map(BusEvent::Frame)
    }

    /// Resolves when an own frame may be waiting (never, when own frames are not wanted).
    pub(crate) async fn ready(&self) {
        if self.enabled {
            self.ready.notified().await
        } else {
            std::future::pending().await
        }
    }
}

/// An open bus. `send` and `recv` take `&self`, so one task may send while another receives
/// (share the bus in an `Arc`).
pub struct Bus {
    backend: Box<dyn Backend>,
    /// Applied in user space to every received frame, after whatever the backend did in the kernel.
    filter: Option<FilterSet>,
    /// Controller state last seen in a state event or an error frame (any backend), as
    /// [`BusState`] discriminant; error-active until something says otherwise.
    state: std::sync::atomic::AtomicU8,
}

impl Bus {
    /// Open the bus the configuration names. Must be called inside a tokio runtime.
    pub async fn open(config: &BusConfig) -> Result<Bus, BusError> {
        Ok(Bus::with_backend(backend::open(config)?))
    }

    /// A bus over a backend opened by other means.
    pub fn with_backend(backend: Box<dyn Backend>) -> Bus {
        Bus { backend, filter: None, state: std::sync::atomic::AtomicU8::new(BusState::ErrorActive as u8) }
    }

    /// Receive only frames the filter passes. Backends that can filter in the kernel do so too.
    pub fn set_filter(&mut self, filter: FilterSet) -> Result<(), BusError> {
        self.backend.set_kernel_filter(&filter)?;
        self.filter = (!filter.is_pass_all()).then_some(filter);
        Ok(())
    }

    /// Only send on this bus from now: nothing more is received (see [`Backend::stop_receiving`]).
    pub fn stop_receiving(&mut self) -> Result<(), BusError> {
        self.backend.stop_receiving()
    }

    /// Send one frame. Resolves when the frame has been handed to the backend.
    pub async fn send(&self, frame: &Frame) -> Result<(), BusError> {
        self.backend.send(frame).await
    }

    /// The next event. Frames the filter rejects are skipped.
    pub async fn recv(&self) -> Result<BusEvent, BusError> {
        loop {
            let event = self.backend.recv().await?;
            if self.passes(&event) {
                return Ok(event);
            }
        }
    }

    /// The next event if one is ready now, without waiting (always `None` from backends that
    /// cannot tell without waiting: see [`Backend::try_recv`]).
    pub fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        loop {
            let event = self.backend.try_recv()?;
            match event {
                None => return Ok(None),
                Some(e) if self.passes(&e) => return Ok(Some(e)),
                Some(_) => {}
            }
        }
    }

    fn passes(&self, event: &BusEvent) -> bool {
        let seen = match event {
            BusEvent::State(s) => Some(*s),
            BusEvent::Frame(f) if f.is_error() => crate::error_frame::bus_state(f),
            _ => None,
        };
        if let Some(s) = seen {
            self.state.store(s as u8, std::sync::atomic::Ordering::Relaxed);
        }
        match (event, &self.filter) {
            (BusEvent::Frame(f), Some(filter)) => filter.matches(f),
            _ => true,
        }
    }

    /// The controller state as last reported by the backend or implied by an error frame received
    /// (error-active until then). Frames lost to overflows are in [`Bus::stats`].
    pub fn state(&self) -> BusState {
        match self.state.load(std::sync::atomic::Ordering::Relaxed) {
            x if x == BusState::ErrorWarning as u8 => BusState::ErrorWarning,
            x if x == BusState::ErrorPassive as u8 => BusState::ErrorPassive,
            x if x == BusState::BusOff as u8 => BusState::BusOff,
            _ => BusState::ErrorActive,
        }
    }

    /// Close the bus: sockets are closed and the in-process registration dropped. (Dropping the
    /// bus does the same; this makes the intent visible.)
    pub fn close(self) {
        drop(self);
    }

    pub fn stats(&self) -> BusStats {
        self.backend.stats()
    }

    /// One line saying what was opened, e.g. `udp_multicast 239.74.163.2:43113 (interface 127.0.0.1, ttl 0)`.
    pub fn describe(&self) -> String {
        self.backend.describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bus_state_follows_error_frames_on_any_backend_and_filters_apply() {
        let cfg = BusConfig::new("virtual", Some("state-test"));
        let tx = Bus::open(&cfg).await.unwrap();
        let mut rx = Bus::open(&cfg).await.unwrap();
        rx.set_filter(FilterSet::parse(&["100:7FF,#FFFFFFFF"]).unwrap()).unwrap();
        assert_eq!(rx.state(), BusState::ErrorActive);
        tx.send(&Frame::new_data(0x200, false, &[1]).unwrap()).await.unwrap();
        tx.send(&Frame::new_error(0x40, [0; 8]).unwrap()).await.unwrap();
        tx.send(&Frame::new_data(0x100, false, &[2]).unwrap()).await.unwrap();
        let first = rx.recv().await.unwrap();
        assert!(matches!(first, BusEvent::Frame(f) if f.is_error()), "0x200 is filtered out: {first:?}");
        assert_eq!(rx.state(), BusState::BusOff);
        assert!(matches!(rx.recv().await.unwrap(), BusEvent::Frame(f) if f.id() == 0x100));
        rx.close();
    }
}
