//! The hub: one opened [`Bus`] shared by any number of subscribers and senders — what a server
//! with a hundred clients, a CANopen node with several protocol tasks and a repl stand on.
//!
//! One task reads the bus and offers every event to every [`Subscription`]. Each subscription
//! has its own filter and its own bounded queue: a subscriber that stops reading loses events,
//! counted exactly — the newest, which do not fit (the default: what was queued stays
//! complete), or the oldest ([`Overflow::DropOldest`]: a live view or a network client gets
//! the latest) — and is told how many with one [`BusEvent::Dropped`] where they were lost; the
//! bus and the other subscribers never wait for it, and memory stays bounded by the queues'
//! capacities. Frames sent through the hub (by [`Hub::send`] or a
//! subscription's [`Subscription::send`]) go to the bus and, as transmitted frames, to the
//! subscriptions that asked to hear them ([`SubscribeOptions::hear_sent`]); a subscription never
//! hears its own.
//!
//! When the bus fails, the reading task ends, every subscription's [`Subscription::recv`] returns
//! the failure (naming the bus) once its queue is empty, and sending fails with the same message.
//! Dropping the [`Hub`] stops the reading task.
//!
//! ```
//! use cankit::bus::hub::{Hub, SubscribeOptions};
//! use cankit::{filter::FilterSet, frame::Frame, Bus, BusConfig, BusEvent};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), cankit::BusError> {
//! let hub = Hub::new(Bus::open(&BusConfig::new("virtual", Some("doc-hub"))).await?);
//! let mut engine = hub.subscribe(SubscribeOptions {
//!     filter: FilterSet::parse(&["100:700"]).expect("a candump filter"),
//!     hear_sent: true, // also the frames other tasks send through this hub
//!     ..Default::default()
//! });
//! let console = hub.subscribe(SubscribeOptions::default());
//! console.send(&Frame::new_data(0x123, false, &[1, 2]).expect("a frame")).await?;
//! let BusEvent::Frame(f) = engine.recv().await? else { panic!("a frame comes first") };
//! assert_eq!((f.id(), f.data()), (0x123, &[1, 2][..]));
//! # Ok(())
//! # }
//! ```

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use std::collections::VecDeque;

use tokio::sync::Notify;

use super::{Bus, BusError, BusEvent, BusStats};
use crate::filter::FilterSet;
use crate::frame::{Direction, Frame, Timestamp};

/// Events the reading task takes from the bus at most before handing them on.
const BATCH: usize = 64;

/// Events a subscription's queue holds unless told otherwise: about 100 ms of a fully loaded
/// 1 Mbit/s classic bus, for a subscriber that is busy for a moment.
pub const DEFAULT_CAPACITY: usize = 1024;

/// How a subscription wants its events.
#[derive(Clone, Debug)]
pub struct SubscribeOptions {
    /// Frames the subscriber wants; events that are not frames (state changes, drops) always
    /// come. Pass-all by default.
    pub filter: FilterSet,
    /// Events the queue holds before further ones are dropped and counted (at least 2: one for
    /// the drop report, one for the event after it).
    pub capacity: usize,
    /// Also receive the frames other users of this hub send, as transmitted frames
    /// ([`Direction::Tx`]), as a second program on the same bus would see them.
    pub hear_sent: bool,
    /// Which events a full queue gives up.
    pub overflow: Overflow,
}

/// What a full subscription queue gives up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// The events that do not fit: what is queued stays a complete stretch of the bus, and the
    /// drop report comes after it, where the gap is (recording, analysis).
    #[default]
    DropNewest,
    /// The oldest queued events, to make room: the subscriber gets the latest traffic, and the
    /// drop report comes first (live views, network clients).
    DropOldest,
}

impl Default for SubscribeOptions {
    fn default() -> Self {
        SubscribeOptions {
            filter: FilterSet::default(),
            capacity: DEFAULT_CAPACITY,
            hear_sent: false,
            overflow: Overflow::DropNewest,
        }
    }
}

/// A subscription's bounded queue, shared by the hub (pushing) and the subscriber (popping).
struct Queue {
    state: Mutex<QueueState>,
    /// Wakes the subscriber; a push while it is not waiting leaves a permit, so none is missed.
    ready: Notify,
}

struct QueueState {
    events: VecDeque<BusEvent>,
    capacity: usize,
    overflow: Overflow,
    /// Events dropped and not yet reported to the subscriber.
    unreported: u64,
    /// The hub will push nothing more (its bus failed, or the hub was dropped).
    closed: bool,
}

impl Queue {
    fn new(capacity: usize, overflow: Overflow) -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                events: VecDeque::new(),
                capacity,
                overflow,
                unreported: 0,
                closed: false,
            }),
            ready: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // Nothing panics while holding it; a poisoned lock still holds a whole queue.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queue `events`; returns how many events were dropped for them (or of them).
    fn push_all<'a>(&self, events: impl Iterator<Item = &'a BusEvent>) -> u64 {
        let mut q = self.lock();
        let mut dropped = 0;
        let mut pushed = false;
        for event in events {
            pushed = true;
            match q.overflow {
                Overflow::DropNewest => {
                    // The report of earlier drops goes first, where the gap is; when even that
                    // does not fit, this event is dropped too.
                    let report = usize::from(q.unreported > 0);
                    if q.events.len() + report + 1 > q.capacity {
                        q.unreported += 1;
                        dropped += 1;
                    } else {
                        if report == 1 {
                            let count = std::mem::take(&mut q.unreported);
                            q.events.push_back(BusEvent::Dropped { count });
                        }
                        q.events.push_back(event.clone());
                    }
                }
                Overflow::DropOldest => {
                    if q.events.len() >= q.capacity {
                        q.events.pop_front();
                        q.unreported += 1;
                        dropped += 1;
                    }
                    q.events.push_back(event.clone());
                }
            }
        }
        drop(q);
        if pushed {
            self.ready.notify_one();
        }
        dropped
    }

    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_one();
    }

    /// The next event, `Err(())` when the queue is closed and empty, `Ok(None)` when empty.
    fn pop(&self) -> Result<Option<BusEvent>, ()> {
        let mut q = self.lock();
        if q.overflow == Overflow::DropOldest && q.unreported > 0 {
            let count = std::mem::take(&mut q.unreported);
            return Ok(Some(BusEvent::Dropped { count }));
        }
        match q.events.pop_front() {
            Some(e) => Ok(Some(e)),
            None if q.closed => Err(()),
            None => Ok(None),
        }
    }
}

/// One open bus, shared. Create it inside a tokio runtime: it spawns its reading task there.
pub struct Hub {
    shared: Arc<Shared>,
    reader: tokio::task::JoinHandle<()>,
}

/// What the hub, its reading task and its subscriptions share.
struct Shared {
    bus: Bus,
    /// Where events go, by subscription; locked for one delivery at a time (a few `try_send`s).
    subscribers: Mutex<Vec<Slot>>,
    next_id: AtomicU64,
    /// Why the reading task ended, once it has.
    failure: Mutex<Option<String>>,
}

/// One subscription's end of the queue and its drop accounting.
struct Slot {
    id: u64,
    filter: Option<FilterSet>,
    hear_sent: bool,
    queue: Arc<Queue>,
    /// Every event dropped for this subscriber, for [`Subscription::dropped`].
    dropped: Arc<AtomicU64>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        // The hub lets go of this subscription: it sees the end once it has read what is queued.
        self.queue.close();
    }
}

impl Slot {
    fn wants(&self, event: &BusEvent) -> bool {
        match (event, &self.filter) {
            (BusEvent::Frame(f), Some(filter)) => filter.matches(f),
            _ => true,
        }
    }

    /// Queue `event`, or count what its queue had to drop.
    fn offer(&mut self, event: &BusEvent) {
        if self.wants(event) {
            self.offer_all(std::slice::from_ref(event));
        }
    }

    /// Queue the events this subscription wants, under one lock and with one wake-up.
    fn offer_all(&mut self, events: &[BusEvent]) {
        let dropped = self.queue.push_all(events.iter().filter(|e| self.wants(e)));
        if dropped > 0 {
            self.dropped.fetch_add(dropped, Ordering::Relaxed);
        }
    }
}

impl Shared {
    fn slots(&self) -> MutexGuard<'_, Vec<Slot>> {
        // Deliveries never panic while holding the lock; a poisoned lock still holds whole slots.
        self.subscribers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Offer an event read from the bus to every subscription.
    fn deliver(&self, events: &[BusEvent]) {
        for slot in self.slots().iter_mut() {
            slot.offer_all(events);
        }
    }

    /// Offer a frame sent through the hub (by subscription `from`, if any) to those who hear it.
    fn echo(&self, frame: &Frame, from: Option<u64>) {
        let mut slots = self.slots();
        let mut listeners = slots.iter_mut().filter(|s| s.hear_sent && Some(s.id) != from).peekable();
        if listeners.peek().is_none() {
            // Nobody hears it: no clock reading (a system call where there is no vDSO).
            return;
        }
        let mut sent = *frame;
        sent.direction = Direction::Tx;
        // When it went on the bus, whatever time the sender wrote on it (a replayed log's).
        sent.timestamp = Timestamp::now();
        let event = BusEvent::Frame(sent);
        for slot in listeners {
            slot.offer(&event);
        }
    }

    async fn send(&self, frame: &Frame, from: Option<u64>) -> Result<(), BusError> {
        if let Some(reason) = self.failure() {
            return Err(BusError::Stopped(reason));
        }
        self.bus.send(frame).await?;
        self.echo(frame, from);
        Ok(())
    }

    fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Hub {
    /// Share `bus`: its events go to the subscriptions from now on (apply a bus-wide filter to the
    /// bus before, for the kernel to drop what nobody wants).
    pub fn new(bus: Bus) -> Hub {
        let shared = Arc::new(Shared {
            bus,
            subscribers: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            failure: Mutex::new(None),
        });
        let reading = Arc::clone(&shared);
        let reader = tokio::spawn(async move {
            // Events are handed on in batches of what the bus has ready: under load each queue is
            // locked and its subscriber woken once per batch rather than once per event.
            let mut batch = Vec::with_capacity(BATCH);
            let failure = loop {
                match reading.bus.recv().await {
                    Ok(event) => batch.push(event),
                    Err(e) => break format!("{}: {e}", reading.bus.describe()),
                }
                // An error here comes again from the next recv, which reports it.
                while batch.len() < BATCH {
                    match reading.bus.try_recv() {
                        Ok(Some(event)) => batch.push(event),
                        Ok(None) | Err(_) => break,
                    }
                }
                reading.deliver(&batch);
                batch.clear();
            };
            // Under the slots' lock, so that a subscription made meanwhile either sees the failure
            // or is closed here. Closing the queues: every subscriber sees the end once it has
            // read what is queued.
            let mut slots = reading.slots();
            *reading.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
            slots.clear();
        });
        Hub { shared, reader }
    }

    /// A new subscription; it receives what the bus delivers from now on.
    pub fn subscribe(&self, options: SubscribeOptions) -> Subscription {
        let queue = Arc::new(Queue::new(options.capacity.max(2), options.overflow));
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let dropped = Arc::new(AtomicU64::new(0));
        let slot = Slot {
            id,
            filter: (!options.filter.is_pass_all()).then_some(options.filter),
            hear_sent: options.hear_sent,
            queue: Arc::clone(&queue),
            dropped: Arc::clone(&dropped),
        };
        // A hub whose bus has failed takes no subscribers: the queue closes at once and the
        // subscription reports the failure.
        let mut slots = self.shared.slots();
        if self.shared.failure().is_none() {
            slots.push(slot);
        } else {
            drop(slots);
            drop(slot);
        }
        Subscription { id, events: queue, dropped, shared: Arc::clone(&self.shared) }
    }

    /// Send a frame on the bus; subscriptions that hear sent frames receive it too.
    pub async fn send(&self, frame: &Frame) -> Result<(), BusError> {
        self.shared.send(frame, None).await
    }

    /// The controller state last seen on the bus (see [`Bus::state`]).
    pub fn state(&self) -> crate::bus::BusState {
        self.shared.bus.state()
    }

    /// How many subscriptions are open.
    pub fn subscribers(&self) -> usize {
        self.shared.slots().len()
    }

    pub fn stats(&self) -> BusStats {
        self.shared.bus.stats()
    }

    /// What was opened (see [`Bus::describe`]).
    pub fn describe(&self) -> String {
        self.shared.bus.describe()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.reader.abort();
        // Subscriptions that outlive the hub see their end instead of waiting forever.
        let mut failure = self.shared.failure.lock().unwrap_or_else(|e| e.into_inner());
        failure.get_or_insert_with(|| "the hub was closed".into());
        drop(failure);
        self.shared.slots().clear();
    }
}

/// One subscriber's view of the hub. Dropping it unsubscribes.
pub struct Subscription {
    id: u64,
    events: Arc<Queue>,
    dropped: Arc<AtomicU64>,
    shared: Arc<Shared>,
}

impl Subscription {
    /// The next event this subscription wants; the bus's failure once the hub has stopped and the
    /// queue is empty.
    pub async fn recv(&mut self) -> Result<BusEvent, BusError> {
        loop {
            if let Some(event) = self.try_recv()? {
                return Ok(event);
            }
            self.events.ready.notified().await;
        }
    }

    /// The next event if one is queued now, without waiting.
    pub fn try_recv(&mut self) -> Result<Option<BusEvent>, BusError> {
        self.events.pop().map_err(|()| {
            BusError::Stopped(self.shared.failure().unwrap_or_else(|| "the hub stopped".into()))
        })
    }

    /// Send a frame on the bus; the other subscriptions that hear sent frames receive it.
    pub async fn send(&self, frame: &Frame) -> Result<(), BusError> {
        self.shared.send(frame, Some(self.id)).await
    }

    /// The shared bus's counters.
    pub fn stats(&self) -> BusStats {
        self.shared.bus.stats()
    }

    /// What the shared bus is (see [`Bus::describe`]).
    pub fn describe(&self) -> String {
        self.shared.bus.describe()
    }

    /// Events dropped for this subscription because its queue was full, since it was made.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.shared.slots().retain(|s| s.id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::BusConfig;
    use std::time::Duration;

    fn data(id: u32, n: u32) -> Frame {
        Frame::new_data(id, false, &n.to_le_bytes()).unwrap()
    }

    /// Frames until `want` of them arrived (other events are returned too), within a generous time.
    async fn frames(sub: &mut Subscription, want: usize) -> Vec<BusEvent> {
        let mut out = Vec::new();
        let mut frames = 0;
        while frames < want {
            let event = tokio::time::timeout(Duration::from_secs(20), sub.recv())
                .await
                .expect("events within 20 s")
                .expect("hub running");
            frames += matches!(event, BusEvent::Frame(_)) as usize;
            out.push(event);
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn subscribers_get_what_they_filter_and_a_laggard_loses_an_exact_count() {
        let config = BusConfig::new("virtual", Some("hub-fan-out"));
        let producer = Bus::open(&config).await.unwrap();
        let hub = Hub::new(Bus::open(&config).await.unwrap());
        // The readers' queues hold every frame of the test, so no scheduling on a loaded machine
        // can make them lose one; only the laggard's queue is small.
        let reading = |filter: &str| SubscribeOptions {
            filter: FilterSet::parse(&[filter]).unwrap(),
            capacity: 4096,
            ..Default::default()
        };
        let mut everything = hub.subscribe(SubscribeOptions { capacity: 4096, ..Default::default() });
        let mut a = hub.subscribe(reading("100:7FF"));
        let mut b = hub.subscribe(reading("200:7FF"));
        let mut laggard = hub.subscribe(SubscribeOptions { capacity: 8, ..Default::default() });
        assert_eq!(hub.subscribers(), 4);

        const N: u32 = 2000;
        let readers = tokio::spawn(async move {
            let (got_a, got_b) = tokio::join!(frames(&mut a, N as usize / 2), frames(&mut b, N as usize / 2));
            (got_a, got_b)
        });
        for n in 0..N {
            producer.send(&data(if n % 2 == 0 { 0x100 } else { 0x200 }, n)).await.unwrap();
            if n % 64 == 0 {
                tokio::task::yield_now().await;
            }
        }
        let all = frames(&mut everything, N as usize).await;
        let (got_a, got_b) = readers.await.unwrap();
        let ids = |events: &[BusEvent]| -> Vec<(u32, Vec<u8>)> {
            events
                .iter()
                .map(|e| match e {
                    BusEvent::Frame(f) => (f.id(), f.data().to_vec()),
                    other => panic!("a reading subscriber lost nothing: {other:?}"),
                })
                .collect()
        };
        let want = |id: u32| -> Vec<(u32, Vec<u8>)> {
            (0..N).filter(|n| (n % 2 == 0) == (id == 0x100)).map(|n| (id, n.to_le_bytes().to_vec())).collect()
        };
        assert_eq!(ids(&got_a), want(0x100));
        assert_eq!(ids(&got_b), want(0x200));
        assert_eq!(ids(&all).len(), N as usize);

        // The laggard kept its first 8 frames and lost the rest, counted exactly ...
        assert_eq!(laggard.dropped(), N as u64 - 8);
        let kept = frames(&mut laggard, 8).await;
        assert_eq!(
            ids(&kept),
            (0..8)
                .map(|n: u32| (if n % 2 == 0 { 0x100 } else { 0x200 }, n.to_le_bytes().to_vec()))
                .collect::<Vec<_>>()
        );
        // ... and is told so before the next frame it can take.
        producer.send(&data(0x300, 9999)).await.unwrap();
        let next = frames(&mut laggard, 1).await;
        assert_eq!(next[0], BusEvent::Dropped { count: N as u64 - 8 });
        assert!(matches!(&next[1], BusEvent::Frame(f) if f.id() == 0x300));
        assert_eq!(laggard.dropped(), N as u64 - 8);
        assert_eq!(everything.dropped(), 0);
    }

    #[tokio::test]
    async fn a_drop_oldest_laggard_keeps_the_latest_events_and_hears_of_the_loss_first() {
        let config = BusConfig::new("virtual", Some("hub-drop-oldest"));
        let producer = Bus::open(&config).await.unwrap();
        let hub = Hub::new(Bus::open(&config).await.unwrap());
        let mut everything = hub.subscribe(SubscribeOptions { capacity: 4096, ..Default::default() });
        let mut laggard = hub.subscribe(SubscribeOptions {
            capacity: 8,
            overflow: Overflow::DropOldest,
            ..Default::default()
        });
        const N: u32 = 100;
        for n in 0..N {
            producer.send(&data(0x100, n)).await.unwrap();
        }
        // Once the hub has delivered all of them, the laggard holds the last 8.
        frames(&mut everything, N as usize).await;
        assert_eq!(laggard.dropped(), u64::from(N) - 8);
        assert_eq!(laggard.try_recv().unwrap(), Some(BusEvent::Dropped { count: u64::from(N) - 8 }));
        let kept = frames(&mut laggard, 8).await;
        let numbers: Vec<u32> = kept
            .iter()
            .map(|e| match e {
                BusEvent::Frame(f) => u32::from_le_bytes(f.data().try_into().unwrap()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(numbers, (N - 8..N).collect::<Vec<_>>());
        assert_eq!(laggard.try_recv().unwrap(), None);
    }

    #[tokio::test]
    async fn sent_frames_reach_the_bus_and_the_subscribers_that_hear_them_but_never_the_sender() {
        let config = BusConfig::new("virtual", Some("hub-send"));
        let mut other_program = Bus::open(&config).await.unwrap();
        other_program.set_filter(FilterSet::default()).unwrap();
        let hub = Hub::new(Bus::open(&config).await.unwrap());
        let mut hears = hub.subscribe(SubscribeOptions { hear_sent: true, ..Default::default() });
        let mut deaf = hub.subscribe(SubscribeOptions::default());
        let mut sender = hub.subscribe(SubscribeOptions { hear_sent: true, ..Default::default() });

        sender.send(&data(0x123, 1)).await.unwrap();
        hub.send(&data(0x124, 2)).await.unwrap();
        let heard = frames(&mut hears, 2).await;
        let ids: Vec<(u32, Direction)> = heard
            .iter()
            .map(|e| match e {
                BusEvent::Frame(f) => (f.id(), f.direction),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(ids, vec![(0x123, Direction::Tx), (0x124, Direction::Tx)]);
        // The sender hears the hub's frame but not its own.
        let own = frames(&mut sender, 1).await;
        assert!(matches!(&own[0], BusEvent::Frame(f) if f.id() == 0x124));
        // Another program on the bus receives both.
        for id in [0x123, 0x124] {
            let got =
                tokio::time::timeout(Duration::from_secs(20), other_program.recv()).await.unwrap().unwrap();
            assert!(matches!(got, BusEvent::Frame(f) if f.id() == id && f.direction == Direction::Rx));
        }
        // A subscriber that does not hear sent frames got nothing.
        assert!(tokio::time::timeout(Duration::from_millis(50), deaf.recv()).await.is_err());
    }

    /// A bus that fails when told to, as a SocketCAN interface going down does.
    struct Failing {
        fail: Arc<tokio::sync::Notify>,
    }

    impl crate::bus::Backend for Failing {
        fn send<'a>(&'a self, _frame: &'a Frame) -> crate::bus::BusFuture<'a, ()> {
            Box::pin(async { Ok(()) })
        }
        fn recv(&self) -> crate::bus::BusFuture<'_, BusEvent> {
            Box::pin(async {
                self.fail.notified().await;
                Err(BusError::InterfaceDown("vcan9".into()))
            })
        }
        fn stats(&self) -> BusStats {
            BusStats::default()
        }
        fn describe(&self) -> String {
            "socketcan vcan9".into()
        }
    }

    #[tokio::test]
    async fn dropping_a_subscription_unsubscribes_and_a_failed_bus_ends_every_subscription_with_why() {
        let fail = Arc::new(tokio::sync::Notify::new());
        let hub = Hub::new(Bus::with_backend(Box::new(Failing { fail: Arc::clone(&fail) })));
        let first = hub.subscribe(SubscribeOptions::default());
        let mut second = hub.subscribe(SubscribeOptions::default());
        assert_eq!(hub.subscribers(), 2);
        drop(first);
        assert_eq!(hub.subscribers(), 1);

        // The bus fails: the subscriber's queue ends with the bus named, and sending fails too.
        fail.notify_one();
        let e = tokio::time::timeout(Duration::from_secs(20), second.recv()).await.unwrap().unwrap_err();
        let want = "bus stopped: socketcan vcan9: CAN interface 'vcan9' is down; bring it up with `ip link set vcan9 up`";
        assert_eq!(e.to_string(), want);
        assert_eq!(hub.send(&data(1, 1)).await.unwrap_err().to_string(), want);
        assert_eq!(hub.subscribers(), 0);
        // A subscription made afterwards learns the same at once.
        let mut late = hub.subscribe(SubscribeOptions::default());
        assert_eq!(late.recv().await.unwrap_err().to_string(), want);
    }
}
