//! `virtual`: in-process buses by name, for library users and tests. Every bus opened with the
//! same channel name in one process shares the traffic; a bus does not receive its own frames
//! unless `receive_own_messages` is set (as python-can's `virtual` interface). Nothing leaves the
//! process: use `udp_multicast` to share a bus between processes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::sync::broadcast;

use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusStats};
use crate::frame::{Channel, Direction, Frame, Timestamp};

/// How many frames a slow receiver may fall behind before it loses the oldest (reported as
/// [`BusEvent::Dropped`]).
const CAPACITY: usize = 16_384;
const DEFAULT_CHANNEL: &str = "vcan0";

type Shared = broadcast::Sender<(u64, Frame)>;

fn registry() -> &'static Mutex<HashMap<String, Shared>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Shared>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

pub struct VirtualBus {
    name: String,
    /// Distinguishes this bus's own frames on the shared channel.
    id: u64,
    receive_own: bool,
    sender: Shared,
    receiver: tokio::sync::Mutex<broadcast::Receiver<(u64, Frame)>>,
    received: AtomicU64,
    sent: AtomicU64,
    dropped: AtomicU64,
}

impl VirtualBus {
    pub fn open(config: &BusConfig) -> Result<Self, BusError> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let name = config.channel.clone().unwrap_or_else(|| DEFAULT_CHANNEL.to_string());
        // The registry only holds senders; a poisoned lock means another thread panicked while
        // inserting, and the map itself is still consistent.
        let mut map = registry().lock().unwrap_or_else(|e| e.into_inner());
        let sender = map.entry(name.clone()).or_insert_with(|| broadcast::channel(CAPACITY).0).clone();
        let receiver = sender.subscribe();
        Ok(VirtualBus {
            name,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            receive_own: config.receive_own_messages,
            sender,
            receiver: tokio::sync::Mutex::new(receiver),
            received: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        })
    }

    pub fn send(&self, frame: &Frame) -> Result<(), BusError> {
        let mut f = *frame;
        f.timestamp = Timestamp::now();
        if f.channel.is_none() {
            f.channel = Channel::name(&self.name);
        }
        // No receivers is not an error: a real bus with nobody listening accepts frames too.
        let _ = self.sender.send((self.id, f));
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn accept(&self, item: Result<(u64, Frame), broadcast::error::RecvError>) -> Option<BusEvent> {
        match item {
            Ok((from, frame)) => {
                if from == self.id && !self.receive_own {
                    return None;
                }
                self.received.fetch_add(1, Ordering::Relaxed);
                let direction = if from == self.id { Direction::Tx } else { Direction::Rx };
                Some(BusEvent::Frame(frame.with_direction(direction)))
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                self.dropped.fetch_add(n, Ordering::Relaxed);
                Some(BusEvent::Dropped { count: n })
            }
            // We hold a sender ourselves, so the channel cannot close while we exist.
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    pub async fn recv(&self) -> Result<BusEvent, BusError> {
        let mut rx = self.receiver.lock().await;
        loop {
            if let Some(e) = self.accept(rx.recv().await) {
                return Ok(e);
            }
        }
    }

    pub fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        let Ok(mut rx) = self.receiver.try_lock() else {
            return Ok(None);
        };
        loop {
            let item = match rx.try_recv() {
                Ok(v) => Ok(v),
                Err(broadcast::error::TryRecvError::Lagged(n)) => Err(broadcast::error::RecvError::Lagged(n)),
                Err(_) => return Ok(None),
            };
            if let Some(e) = self.accept(item) {
                return Ok(Some(e));
            }
        }
    }

    pub fn stats(&self) -> BusStats {
        BusStats {
            received: self.received.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            invalid: 0,
        }
    }

    pub fn describe(&self) -> String {
        format!("virtual '{}' (in-process)", self.name)
    }
}

/// This backend in the registry ([`super::backend::BUILTIN`]).
pub const ENTRY: BackendEntry =
    BackendEntry { name: "virtual", aliases: &[], open: |config| Ok(Box::new(VirtualBus::open(config)?)) };

impl Backend for VirtualBus {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(async move { VirtualBus::send(self, frame) })
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(VirtualBus::recv(self))
    }

    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        VirtualBus::try_recv(self)
    }

    fn stats(&self) -> BusStats {
        VirtualBus::stats(self)
    }

    fn describe(&self) -> String {
        VirtualBus::describe(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn two_virtual_buses_with_one_name_share_frames_but_not_echoes() {
        let cfg = BusConfig::new("virtual", Some("test-share"));
        let a = VirtualBus::open(&cfg).unwrap();
        let b = VirtualBus::open(&cfg).unwrap();
        let f = Frame::new_data(0x123, false, &[1, 2]).unwrap();
        a.send(&f).unwrap();
        match b.recv().await.unwrap() {
            BusEvent::Frame(got) => {
                assert_eq!(got.id(), 0x123);
                assert_eq!(got.data(), &[1, 2]);
                assert_eq!(got.channel.as_name(), Some("test-share"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(a.try_recv().unwrap(), None);
    }
}
