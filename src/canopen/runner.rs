//! A [`Node`] on a bus: one hub subscription feeds it frames, its timers run on tokio, what it
//! sends goes back through the hub. [`NodeHandle`] is the application's side while it runs:
//! read and write the dictionary ([`NodeHandle::set`] sends mapped TPDOs at once), produce
//! EMCYs, and follow every change through [`NodeHandle::events`].
//!
//! The node takes all its traffic through one subscription rather than one per service: CiA 301
//! orders them (an RPDO received before a SYNC is applied at that SYNC, an NMT stop before a
//! SYNC suppresses its TPDOs), and one queue keeps the bus's order. Other users of the same hub
//! (a recorder, a server, a master in the same process) are subscribers next to it.
//!
//! ```
//! use cankit::bus::hub::Hub;
//! use cankit::canopen::{node::{Node, NodeOptions}, runner::{self, NodeHandle}};
//! use cankit::canopen::{Access, DataType, Entry, Object, ObjectDictionary};
//! use cankit::shutdown::Shutdown;
//! use cankit::{Bus, BusConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut od = ObjectDictionary::new();
//! od.insert(0x1000, Object::var(Entry::new("Device type", DataType::Unsigned32, Access::ReadOnly)));
//! od.insert(0x1017, Object::var(Entry::new("Producer heartbeat time", DataType::Unsigned16, Access::ReadWrite)));
//! let node = NodeHandle::new(Node::new(5, od, NodeOptions::default()));
//! let hub = Hub::new(Bus::open(&BusConfig::new("virtual", Some("doc-node"))).await?);
//! let shutdown = Shutdown::new();
//! let mut events = node.events();
//! let running = tokio::spawn({
//!     let (node, shutdown) = (node.clone(), shutdown.clone());
//!     async move { runner::run(&node, &hub, &shutdown).await }
//! });
//! node.set(0x1017, 0, &1000u16.to_le_bytes())?; // heartbeat every second from now on
//! // The first events: the boot (Initialising → Pre-operational), then the write.
//! while !matches!(events.recv().await?, cankit::canopen::node::Event::Written { .. }) {}
//! shutdown.trigger();
//! running.await??;
//! # Ok(())
//! # }
//! ```

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, Notify};

use super::abort::Abort;
use super::node::{Event, NmtState, Node};
use crate::bus::hub::{Hub, SubscribeOptions};
use crate::bus::{BusError, BusEvent};
use crate::shutdown::Shutdown;

/// Events kept for a listener that falls behind; beyond, it is told how many it missed.
const EVENT_CAPACITY: usize = 4096;

/// Frames taken from the subscription per lock of the node.
const BATCH: usize = 64;

struct Shared {
    node: Mutex<Node>,
    /// Wakes the runner after the application changed something (a TPDO to send, a timer).
    wake: Notify,
    events: broadcast::Sender<Event>,
}

/// The application's handle on a running node; cheap to clone.
#[derive(Clone)]
pub struct NodeHandle {
    shared: Arc<Shared>,
}

impl NodeHandle {
    pub fn new(node: Node) -> NodeHandle {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        NodeHandle { shared: Arc::new(Shared { node: Mutex::new(node), wake: Notify::new(), events }) }
    }

    fn lock(&self) -> MutexGuard<'_, Node> {
        // The node's methods do not panic on any input; a poisoned lock still holds a usable node.
        self.shared.node.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Work on the node directly (read the dictionary, produce an EMCY); the runner sends what
    /// it queued.
    pub fn with<R>(&self, f: impl FnOnce(&mut Node) -> R) -> R {
        let result = f(&mut self.lock());
        self.shared.wake.notify_one();
        result
    }

    /// Look at the node (its dictionary, its state) without waking the runner: nothing changes.
    pub fn read<R>(&self, f: impl FnOnce(&Node) -> R) -> R {
        f(&self.lock())
    }

    /// A value of the dictionary.
    pub fn get(&self, index: u16, sub: u8) -> Result<Vec<u8>, Abort> {
        self.lock().get(index, sub).map(<[u8]>::to_vec)
    }

    /// Write a value as the application (see [`Node::set`]).
    pub fn set(&self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
        self.with(|node| node.set(index, sub, data))
    }

    /// Produce an EMCY (code 0: error reset).
    pub fn emergency(&self, code: u16, info: [u8; 5]) {
        self.with(|node| node.emergency(code, info, Instant::now()));
    }

    pub fn state(&self) -> NmtState {
        self.lock().state()
    }

    pub fn node_id(&self) -> u8 {
        self.lock().node_id()
    }

    /// Everything that happens from now on.
    pub fn events(&self) -> broadcast::Receiver<Event> {
        self.shared.events.subscribe()
    }

    /// Send what the node queued and publish its events.
    async fn flush(&self, sub: &crate::bus::hub::Subscription) -> Result<(), BusError> {
        let (frames, events) = {
            let mut node = self.lock();
            (node.take_frames(), node.take_events())
        };
        for event in events {
            // No listener is fine: the events are for whoever wants them.
            let _ = self.shared.events.send(event);
        }
        for frame in &frames {
            sub.send(frame).await?;
        }
        Ok(())
    }
}

/// Boot the node on `hub` and run it until `shutdown`; fails when the bus does. On shutdown the
/// node sends nothing more.
pub async fn run(node: &NodeHandle, hub: &Hub, shutdown: &Shutdown) -> Result<(), BusError> {
    let mut sub = hub.subscribe(SubscribeOptions { capacity: 8192, hear_sent: true, ..Default::default() });
    node.with(|n| n.start(Instant::now()));
    node.flush(&sub).await?;
    // One timer, moved when the node's next deadline moves (not a new one per event).
    let far = || tokio::time::Instant::now() + Duration::from_secs(3600);
    let mut armed = node.lock().deadline();
    let sleep = tokio::time::sleep_until(armed.map_or_else(far, tokio::time::Instant::from_std));
    tokio::pin!(sleep);
    loop {
        let deadline = node.lock().deadline();
        if deadline != armed {
            armed = deadline;
            sleep.as_mut().reset(deadline.map_or_else(far, tokio::time::Instant::from_std));
        }
        tokio::select! {
            biased;
            _ = shutdown.triggered() => break,
            event = sub.recv() => {
                let event = event?;
                // One clock reading for the batch: frames that were queued together arrived
                // together, and a reading is a system call where there is no vDSO.
                let now = Instant::now();
                let mut n = node.lock();
                let mut next = Some(event);
                let mut taken = 0;
                while let Some(event) = next.take() {
                    match event {
                        BusEvent::Frame(frame) => n.process(&frame, now),
                        BusEvent::Dropped { count } => {
                            // CAN overrun: frames were lost before the node saw them.
                            let [a, b, c, d] = u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes();
                            n.emergency(0x8110, [a, b, c, d, 0], now);
                        }
                        _ => {}
                    }
                    taken += 1;
                    if taken < BATCH {
                        next = sub.try_recv()?;
                    }
                }
                // Timers that came due while frames were handled run now, not a loop later.
                if n.deadline().is_some_and(|d| d <= now) {
                    n.poll(now);
                }
            }
            _ = &mut sleep => {
                node.lock().poll(Instant::now());
                // Fired: re-armed at the next deadline on the next turn.
                armed = None;
                sleep.as_mut().reset(far());
            }
            _ = node.shared.wake.notified() => {}
        }
        node.flush(&sub).await?;
    }
    node.lock().shut_down();
    let events = node.lock().take_events();
    for event in events {
        let _ = node.shared.events.send(event);
    }
    Ok(())
}

/// [`run`] on a runtime of its own, for programs without one: blocks until `shutdown`.
pub fn run_blocking(
    node: &NodeHandle,
    config: &crate::BusConfig,
    shutdown: &Shutdown,
) -> Result<(), BusError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| BusError::io("starting the node's runtime", e))?;
    runtime.block_on(async {
        let hub = Hub::new(crate::Bus::open(config).await?);
        run(node, &hub, shutdown).await
    })
}
