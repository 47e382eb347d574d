//! A CANopen device (CiA 301) around one object dictionary, without I/O: frames and the time go
//! in ([`Node::process`], [`Node::poll`]), frames to send and events for the application come out
//! ([`Node::take_frames`], [`Node::take_events`]). [`Node::deadline`] says when the next timer is
//! due. This is what the seed's `process_msg` was; [`super::runner`] drives it on a hub.
//!
//! The node implements NMT (boot-up, the four states, reset node and reset communication with
//! their effects on the dictionary), the heartbeat producer (0x1017) and consumer (0x1016),
//! node guarding with life guarding (0x100C/0x100D, answered whenever a master guards), the SDO
//! servers (0x1200–0x127F), RPDOs and TPDOs with every transmission type (0x1400–0x1BFF,
//! re-read whenever a master writes them), the SYNC consumer and producer (0x1005/0x1006/0x1019),
//! the EMCY producer (0x1001, 0x1003, 0x1014, 0x1015), the TIME consumer (0x1012) and
//! store/restore (0x1010/0x1011) into a [`Store`] file.
//!
//! Every write (from SDO, an RPDO, or the application through [`Node::set`]) goes through one
//! function that checks it, stores it and applies what it means, so a master reconfiguring a PDO
//! and the application changing a mapped value behave the same whichever way they arrive.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::abort::Abort;
use super::od::ObjectDictionary;
use super::pdo::{self, Direction, Pdo};
use super::sdo::{Outcome, SdoServer, SdoTarget};
use super::store::{Group, Store, Values};
use crate::frame::Frame;

/// "save" as a little-endian u32: written to 0x1010 to store parameters.
pub const SAVE: u32 = 0x6576_6173;
/// "load": written to 0x1011 to restore defaults.
pub const LOAD: u32 = 0x6461_6F6C;

/// NMT states (CiA 301 §7.3.2) with their heartbeat encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NmtState {
    Initialising,
    Stopped,
    Operational,
    PreOperational,
}

impl NmtState {
    /// The byte a heartbeat carries.
    pub fn code(self) -> u8 {
        match self {
            NmtState::Initialising => 0x00,
            NmtState::Stopped => 0x04,
            NmtState::Operational => 0x05,
            NmtState::PreOperational => 0x7F,
        }
    }

    pub fn from_code(code: u8) -> Option<NmtState> {
        match code & 0x7F {
            0x00 => Some(NmtState::Initialising),
            0x04 => Some(NmtState::Stopped),
            0x05 => Some(NmtState::Operational),
            0x7F => Some(NmtState::PreOperational),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NmtState::Initialising => "initialising",
            NmtState::Stopped => "stopped",
            NmtState::Operational => "operational",
            NmtState::PreOperational => "pre-operational",
        }
    }
}

impl std::fmt::Display for NmtState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who changed a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteSource {
    /// A client, through an SDO download.
    Sdo,
    /// A received PDO.
    Rpdo,
    /// The application ([`Node::set`], `canopen-node set`).
    Local,
}

impl WriteSource {
    pub fn as_str(self) -> &'static str {
        match self {
            WriteSource::Sdo => "sdo",
            WriteSource::Rpdo => "rpdo",
            WriteSource::Local => "local",
        }
    }
}

/// What happened in the node, for the application.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A value was written (whether or not it changed: a master writing the same value twice
    /// still wrote it).
    Written { index: u16, sub: u8, value: Vec<u8>, source: WriteSource },
    /// The NMT state changed; `cause` says why ("boot-up", "NMT start", "reset node", ...).
    Nmt { from: NmtState, to: NmtState, cause: &'static str },
    /// An EMCY was produced (sent, or only recorded when EMCY is disabled or the node stopped).
    Emergency { code: u16, register: u8, info: [u8; 5] },
    /// A monitored node's heartbeat did not come in time (0x1016).
    HeartbeatLost { node: u8 },
    /// A monitored node's heartbeat came (first time, after a loss, or with a new state).
    HeartbeatSeen { node: u8, state: Option<NmtState> },
    /// The master stopped guarding within the life time (0x100C × 0x100D).
    LifeGuardLost,
    /// A TIME stamp arrived: milliseconds after midnight and days since 1984-01-01.
    Time { milliseconds: u32, days: u16 },
    /// An SDO transfer ended with an abort.
    SdoAborted { index: u16, sub: u8, abort: Abort, by_client: bool },
    /// Parameters were stored (0x1010) or restored (0x1011) — or could not be.
    Stored { restore: bool, error: Option<String> },
    /// Something the node could not take, with the reason (a short RPDO, a SYNC of the wrong
    /// length): the EMCY, if any, is reported separately.
    Warning(String),
}

/// How the node starts.
#[derive(Clone, Debug)]
pub struct NodeOptions {
    /// Go to Operational after boot-up without waiting for an NMT start (CANopenNode's
    /// `NMT_STARTUP_TO_OPERATIONAL`).
    pub start_operational: bool,
    /// How long an SDO server waits for the client's next request.
    pub sdo_timeout: Duration,
    /// Where 0x1010 stores parameters; `None` refuses to store (abort 0x08000020).
    pub store: Option<Store>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions { start_operational: false, sdo_timeout: super::sdo::DEFAULT_TIMEOUT, store: None }
    }
}

/// One SDO server channel and its COB-IDs.
struct SdoChannel {
    request: u32,
    response: u32,
    server: SdoServer,
}

/// A TPDO's runtime state next to its parameters.
struct Tpdo {
    pdo: Pdo,
    /// SYNCs counted toward the transmission type.
    sync_count: u8,
    /// Waiting for the SYNC counter to equal the start value.
    waiting_for_start: bool,
    /// A mapped value changed (types 0, 254, 255).
    changed: bool,
    /// No transmission before (inhibit time).
    inhibit_until: Option<Instant>,
    /// Next transmission by the event timer.
    event_at: Option<Instant>,
    /// Type 252: data sampled at the last SYNC, sent on RTR.
    sampled: Option<Vec<u8>>,
}

/// An RPDO's runtime state.
struct Rpdo {
    pdo: Pdo,
    /// Synchronous RPDO data waiting for the next SYNC.
    pending: Option<Vec<u8>>,
    /// Deadline monitoring (event timer).
    deadline: Option<Instant>,
    /// An RPDO timeout or length error is reported until a good frame comes.
    in_error: bool,
}

/// A monitored node (0x1016 entry).
struct Consumer {
    node: u8,
    timeout: Duration,
    /// Monitoring starts with the first heartbeat.
    deadline: Option<Instant>,
    state: Option<NmtState>,
    lost: bool,
}

/// A CANopen device. See the module documentation.
pub struct Node {
    node_id: u8,
    od: ObjectDictionary,
    state: NmtState,
    options: NodeOptions,
    /// Values 0x1010 stored, applied over the defaults at every reset.
    stored: Values,
    sdo: Vec<SdoChannel>,
    tpdos: Vec<Tpdo>,
    rpdos: Vec<Rpdo>,
    consumers: Vec<Consumer>,
    heartbeat_at: Option<Instant>,
    /// Node guarding: the toggle bit of the next reply, and when life guarding expires.
    guard_toggle: bool,
    life_guard_at: Option<Instant>,
    life_guard_lost: bool,
    sync_at: Option<Instant>,
    sync_counter: u8,
    /// EMCY frames waiting for the inhibit time, and when the next may go.
    emcy_queue: VecDeque<[u8; 8]>,
    emcy_at: Option<Instant>,
    /// Error codes active now (for the error register and the 0x0000 "reset" EMCY).
    active_errors: Vec<(u16, u8)>,
    frames: Vec<Frame>,
    events: Vec<Event>,
    /// The instant of the last call, for writes made without one ([`Node::set`]).
    now: Instant,
}

fn frame(id: u32, data: &[u8]) -> Frame {
    let extended = id > 0x7FF;
    // Ids come from COB-ID entries masked to 11 or 29 bits and data is at most 8 bytes, so the
    // frame is always valid.
    Frame::new_data(id, extended, &data[..data.len().min(8)]).expect("a masked id and at most 8 bytes")
}

fn cob_can_id(cob: u32) -> u32 {
    if cob & pdo::COB_EXTENDED != 0 {
        cob & 0x1FFF_FFFF
    } else {
        cob & 0x7FF
    }
}

impl Node {
    /// A node `node_id` (1–127) on `od`; it boots with [`Node::start`].
    pub fn new(node_id: u8, od: ObjectDictionary, options: NodeOptions) -> Node {
        Node {
            node_id,
            od,
            state: NmtState::Initialising,
            options,
            stored: Values::new(),
            sdo: Vec::new(),
            tpdos: Vec::new(),
            rpdos: Vec::new(),
            consumers: Vec::new(),
            heartbeat_at: None,
            guard_toggle: false,
            life_guard_at: None,
            life_guard_lost: false,
            sync_at: None,
            sync_counter: 0,
            emcy_queue: VecDeque::new(),
            emcy_at: None,
            active_errors: Vec::new(),
            frames: Vec::new(),
            events: Vec::new(),
            now: Instant::now(),
        }
    }

    pub fn node_id(&self) -> u8 {
        self.node_id
    }

    pub fn state(&self) -> NmtState {
        self.state
    }

    pub fn dictionary(&self) -> &ObjectDictionary {
        &self.od
    }

    /// Frames to send, in order.
    pub fn take_frames(&mut self) -> Vec<Frame> {
        std::mem::take(&mut self.frames)
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Power on: load stored parameters, send the boot-up message, enter Pre-operational (or
    /// Operational when the options say so).
    pub fn start(&mut self, now: Instant) {
        self.now = now;
        if let Some(store) = &self.options.store {
            match store.load() {
                Ok((values, problems)) => {
                    self.stored = values;
                    self.events.extend(problems.into_iter().map(Event::Warning));
                }
                Err(e) => self.events.push(Event::Warning(format!("{}: {e}", store.path.display()))),
            }
        }
        self.reset(0x1000..=0xFFFF, "power-on", now);
    }

    /// Reset the objects in `range` to their defaults and stored values, then boot up.
    fn reset(&mut self, range: std::ops::RangeInclusive<u16>, cause: &'static str, now: Instant) {
        let from = self.state;
        self.state = NmtState::Initialising;
        self.od.reset_values(range.clone());
        for ((index, sub), bytes) in &self.stored {
            if range.contains(index) {
                if let Ok(entry) = self.od.entry_mut(*index, *sub) {
                    if entry.check(bytes).is_ok() {
                        entry.value.clone_from(bytes);
                    }
                }
            }
        }
        self.emcy_queue.clear();
        self.emcy_at = None;
        self.active_errors.clear();
        self.guard_toggle = false;
        self.life_guard_at = None;
        self.life_guard_lost = false;
        self.sync_counter = 0;
        self.configure_all(now);
        let _ = self.od.store(0x1001, 0, &[0]);
        self.frames.push(frame(0x700 + u32::from(self.node_id), &[0]));
        let to =
            if self.options.start_operational { NmtState::Operational } else { NmtState::PreOperational };
        self.enter(to, cause, now);
        if from != NmtState::Initialising || cause == "power-on" {
            // Initialising is left at once; the event says where the node went and why.
        }
    }

    fn enter(&mut self, to: NmtState, cause: &'static str, now: Instant) {
        let from = self.state;
        if from == to {
            return;
        }
        self.state = to;
        self.events.push(Event::Nmt { from, to, cause });
        if from != NmtState::Initialising && self.heartbeat_at.is_some() {
            // The new state goes out at once, as CANopenNode does, and the period restarts.
            self.frames.push(frame(0x700 + u32::from(self.node_id), &[to.code()]));
            self.configure_heartbeat(now);
        }
        if to == NmtState::Operational {
            // Event-driven TPDOs send their current values when the node becomes operational
            // (CANopenNode does), and their timers start.
            for tpdo in &mut self.tpdos {
                tpdo.sync_count = 0;
                tpdo.waiting_for_start = tpdo.pdo.sync_start != 0;
                tpdo.changed = tpdo.pdo.event_driven();
                tpdo.inhibit_until = None;
                tpdo.event_at = (tpdo.pdo.event_timer > 0 && tpdo.pdo.event_driven())
                    .then(|| now + Duration::from_millis(u64::from(tpdo.pdo.event_timer)));
            }
            for rpdo in &mut self.rpdos {
                rpdo.deadline = None;
                rpdo.pending = None;
            }
            self.send_changed_tpdos(now);
        }
    }

    /// Read every communication parameter and rebuild what depends on it.
    fn configure_all(&mut self, now: Instant) {
        self.configure_sdo();
        self.configure_pdos();
        self.configure_consumers();
        self.configure_heartbeat(now);
        self.configure_sync(now);
        self.life_guard_at = None;
    }

    fn configure_sdo(&mut self) {
        let id = u32::from(self.node_id);
        let timeout = self.options.sdo_timeout;
        let mut channels = Vec::new();
        for index in 0x1200..=0x127Fu16 {
            if !self.od.contains(index) {
                continue;
            }
            // The first server's COB-IDs are fixed by CiA 301 (0x600/0x580 + node-ID) even when
            // the EDS leaves them out.
            let (request, response) = if index == 0x1200 {
                (self.od.u32(index, 1).unwrap_or(0x600 + id), self.od.u32(index, 2).unwrap_or(0x580 + id))
            } else {
                match (self.od.u32(index, 1), self.od.u32(index, 2)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => continue,
                }
            };
            if request & pdo::COB_INVALID != 0 || response & pdo::COB_INVALID != 0 {
                continue;
            }
            let old = self.sdo.iter().position(|c| c.request == request && c.response == response);
            let mut server = old.map(|i| self.sdo.swap_remove(i).server).unwrap_or_default();
            server.timeout = timeout;
            channels.push(SdoChannel {
                request: cob_can_id(request),
                response: cob_can_id(response),
                server,
            });
        }
        if !self.od.contains(0x1200) {
            // Every device has the default SDO server, described in the EDS or not.
            let mut server = SdoServer::new();
            server.timeout = timeout;
            channels.insert(0, SdoChannel { request: 0x600 + id, response: 0x580 + id, server });
        }
        self.sdo = channels;
    }

    fn configure_pdos(&mut self) {
        let mut tpdos = Vec::new();
        let mut rpdos = Vec::new();
        for n in 0..512u16 {
            if let Some(pdo) = Pdo::read(&self.od, Direction::Transmit, n) {
                let old = self.tpdos.iter().position(|t| t.pdo.number == n);
                let kept = old.map(|i| self.tpdos.swap_remove(i));
                tpdos.push(match kept {
                    Some(mut t) if t.pdo == pdo => {
                        t.pdo = pdo;
                        t
                    }
                    _ => Tpdo {
                        waiting_for_start: pdo.sync_start != 0,
                        changed: pdo.event_driven(),
                        event_at: (pdo.event_timer > 0
                            && pdo.event_driven()
                            && self.state == NmtState::Operational)
                            .then(|| self.now + Duration::from_millis(u64::from(pdo.event_timer))),
                        pdo,
                        sync_count: 0,
                        inhibit_until: None,
                        sampled: None,
                    },
                });
            }
            if let Some(pdo) = Pdo::read(&self.od, Direction::Receive, n) {
                let old = self.rpdos.iter().position(|r| r.pdo.number == n);
                let kept = old.map(|i| self.rpdos.swap_remove(i));
                rpdos.push(match kept {
                    Some(mut r) if r.pdo == pdo => {
                        r.pdo = pdo;
                        r
                    }
                    _ => Rpdo { pdo, pending: None, deadline: None, in_error: false },
                });
            }
        }
        self.tpdos = tpdos;
        self.rpdos = rpdos;
    }

    fn configure_consumers(&mut self) {
        let count = self.od.u64(0x1016, 0).unwrap_or(0).min(127) as u8;
        let mut consumers = Vec::new();
        for sub in 1..=count {
            let Some(raw) = self.od.u32(0x1016, sub) else { continue };
            let node = (raw >> 16) as u8;
            let timeout = raw & 0xFFFF;
            if node == 0 || node > 127 || timeout == 0 {
                continue;
            }
            let kept =
                self.consumers.iter().position(|c| c.node == node).map(|i| self.consumers.swap_remove(i));
            consumers.push(Consumer {
                node,
                timeout: Duration::from_millis(u64::from(timeout)),
                deadline: kept.as_ref().and_then(|c| c.deadline),
                state: kept.as_ref().and_then(|c| c.state),
                lost: kept.is_some_and(|c| c.lost),
            });
        }
        self.consumers = consumers;
    }

    fn configure_heartbeat(&mut self, now: Instant) {
        let period = self.od.u64(0x1017, 0).unwrap_or(0);
        self.heartbeat_at = (period > 0).then(|| now + Duration::from_millis(period));
    }

    fn configure_sync(&mut self, now: Instant) {
        let cob = self.od.u32(0x1005, 0).unwrap_or(0x80);
        let period = self.od.u64(0x1006, 0).unwrap_or(0);
        let producer = cob & (1 << 30) != 0 && period > 0;
        self.sync_at = producer.then(|| now + Duration::from_micros(period));
    }

    fn sync_cob(&self) -> u32 {
        cob_can_id(self.od.u32(0x1005, 0).unwrap_or(0x80))
    }

    /// When [`Node::poll`] next has something to do.
    pub fn deadline(&self) -> Option<Instant> {
        let mut at: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                at = Some(at.map_or(t, |a| a.min(t)));
            }
        };
        consider(self.heartbeat_at);
        consider(self.sync_at);
        consider(self.life_guard_at);
        consider(if self.emcy_queue.is_empty() { None } else { self.emcy_at });
        for c in &self.sdo {
            consider(c.server.deadline());
        }
        for c in &self.consumers {
            consider(c.deadline);
        }
        if self.state == NmtState::Operational {
            for t in &self.tpdos {
                consider(t.event_at);
                if t.changed {
                    consider(t.inhibit_until);
                }
            }
            for r in &self.rpdos {
                consider(r.deadline);
            }
        }
        at
    }

    /// Timers that are due at `now`: heartbeats, SYNC, event timers, SDO and heartbeat timeouts.
    pub fn poll(&mut self, now: Instant) {
        self.now = now;
        if let Some(at) = self.heartbeat_at {
            if now >= at {
                let period = Duration::from_millis(self.od.u64(0x1017, 0).unwrap_or(0).max(1));
                self.frames.push(frame(0x700 + u32::from(self.node_id), &[self.state.code()]));
                // The next beat is one period after this one was due, not after now: jitter
                // does not accumulate. A node that fell far behind starts afresh.
                let next = at + period;
                self.heartbeat_at = Some(if next <= now { now + period } else { next });
            }
        }
        if let Some(at) = self.sync_at {
            if now >= at {
                let period = Duration::from_micros(self.od.u64(0x1006, 0).unwrap_or(0).max(1));
                let next = at + period;
                self.sync_at = Some(if next <= now { now + period } else { next });
                if self.state != NmtState::Stopped {
                    let overflow = self.od.u64(0x1019, 0).unwrap_or(0) as u8;
                    let data = if (2..=240).contains(&overflow) {
                        self.sync_counter =
                            if self.sync_counter >= overflow { 1 } else { self.sync_counter + 1 };
                        vec![self.sync_counter]
                    } else {
                        Vec::new()
                    };
                    let cob = self.sync_cob();
                    self.frames.push(frame(cob, &data));
                    // The producer is a consumer of its own SYNC.
                    self.on_sync(data.first().copied(), now);
                }
            }
        }
        if self.life_guard_at.is_some_and(|t| now >= t) {
            self.life_guard_at = None;
            self.life_guard_lost = true;
            self.events.push(Event::LifeGuardLost);
            self.emergency(0x8130, [0; 5], now);
        }
        let mut lost = Vec::new();
        for c in &mut self.consumers {
            if c.deadline.is_some_and(|t| now >= t) {
                c.deadline = None;
                c.lost = true;
                lost.push(c.node);
            }
        }
        for node in lost {
            self.events.push(Event::HeartbeatLost { node });
            self.emergency(0x8130, [node, 0, 0, 0, 0], now);
        }
        self.send_emergencies(now);
        for i in 0..self.sdo.len() {
            let mut out = Vec::new();
            let outcome = self.sdo[i].server.poll(now, &mut out);
            let response = self.sdo[i].response;
            self.frames.extend(out.iter().map(|d| frame(response, d)));
            self.sdo_outcome(outcome);
        }
        if self.state == NmtState::Operational {
            let mut due = Vec::new();
            for (i, t) in self.tpdos.iter_mut().enumerate() {
                if t.event_at.is_some_and(|at| now >= at) {
                    let period = Duration::from_millis(u64::from(t.pdo.event_timer.max(1)));
                    t.event_at = Some(now + period);
                    t.changed = true;
                }
                if t.changed && t.pdo.event_driven() && t.inhibit_until.is_none_or(|u| now >= u) {
                    due.push(i);
                }
            }
            for i in due {
                self.transmit_tpdo(i, now);
            }
            let mut timeouts = Vec::new();
            for r in &mut self.rpdos {
                if r.deadline.is_some_and(|t| now >= t) {
                    r.deadline = None;
                    if !r.in_error {
                        r.in_error = true;
                        timeouts.push(r.pdo.number);
                    }
                }
            }
            for n in timeouts {
                self.events
                    .push(Event::Warning(format!("RPDO{} did not come within its event timer", n + 1)));
                self.emergency(0x8250, [n as u8 + 1, 0, 0, 0, 0], now);
            }
        }
    }

    /// A frame from the bus.
    pub fn process(&mut self, frame: &Frame, now: Instant) {
        self.now = now;
        if frame.is_error() || frame.is_fd() {
            return;
        }
        let id = frame.id();
        let node = u32::from(self.node_id);
        if frame.is_remote() {
            if !frame.is_extended() && id == 0x700 + node {
                self.on_guard(now);
            } else if self.state == NmtState::Operational {
                let found = self.tpdos.iter().position(|t| {
                    t.pdo.valid()
                        && t.pdo.rtr_allowed()
                        && t.pdo.can_id() == id
                        && t.pdo.extended() == frame.is_extended()
                });
                if let Some(i) = found {
                    let data = match self.tpdos[i].sampled.take() {
                        Some(data) if self.tpdos[i].pdo.transmission_type == 252 => data,
                        _ => self.tpdos[i].pdo.pack(&self.od),
                    };
                    let pdo = &self.tpdos[i].pdo;
                    self.frames.push(pdo_frame(pdo, &data));
                }
            }
            return;
        }
        if !frame.is_extended() && id == 0 {
            self.on_nmt(frame.data(), now);
            return;
        }
        if self.state == NmtState::Stopped {
            // Stopped: NMT and error control only.
            if !frame.is_extended() && (0x701..=0x77F).contains(&id) {
                self.on_heartbeat((id - 0x700) as u8, frame.data(), now);
            }
            return;
        }
        if !frame.is_extended() {
            if id == self.sync_cob() && self.od.contains(0x1005) || id == 0x80 && !self.od.contains(0x1005) {
                self.on_sync_frame(frame.data(), now);
                return;
            }
            if let Some(cob) = self.od.u32(0x1012, 0) {
                if cob & (1 << 31) != 0 && id == cob & 0x7FF {
                    if let [a, b, c, d, e, f, ..] = *frame.data() {
                        let milliseconds = u32::from_le_bytes([a, b, c, d]) & 0x0FFF_FFFF;
                        let days = u16::from_le_bytes([e, f]);
                        self.events.push(Event::Time { milliseconds, days });
                    }
                    return;
                }
            }
            if (0x701..=0x77F).contains(&id) {
                self.on_heartbeat((id - 0x700) as u8, frame.data(), now);
                return;
            }
        }
        if let Some(i) = self.sdo.iter().position(|c| c.request == id) {
            let mut out = Vec::new();
            let (request, response) = (self.sdo[i].request, self.sdo[i].response);
            let mut server = std::mem::take(&mut self.sdo[i].server);
            let outcome = server.handle(frame.data(), self, now, &mut out);
            // A download may have reconfigured the SDO channels: the server goes back to the
            // channel that still has its COB-IDs, if one does.
            if let Some(c) = self.sdo.iter_mut().find(|c| c.request == request && c.response == response) {
                c.server = server;
            }
            self.frames.extend(out.iter().map(|d| self::frame(response, d)));
            self.sdo_outcome(outcome);
            return;
        }
        if self.state == NmtState::Operational {
            let found = self.rpdos.iter().position(|r| {
                r.pdo.valid() && r.pdo.can_id() == id && r.pdo.extended() == frame.is_extended()
            });
            if let Some(i) = found {
                self.on_rpdo(i, frame.data(), now);
            }
        }
    }

    fn sdo_outcome(&mut self, outcome: Option<Outcome>) {
        if let Some(Outcome::Aborted { index, sub, abort, by_client }) = outcome {
            self.events.push(Event::SdoAborted { index, sub, abort, by_client });
        }
    }

    fn on_nmt(&mut self, data: &[u8], now: Instant) {
        let [command, target] = *data else {
            return;
        };
        if target != 0 && target != self.node_id {
            return;
        }
        match command {
            0x01 if self.state != NmtState::Initialising => {
                self.enter(NmtState::Operational, "NMT start", now)
            }
            0x02 => self.enter(NmtState::Stopped, "NMT stop", now),
            0x80 => self.enter(NmtState::PreOperational, "NMT enter pre-operational", now),
            0x81 => {
                for c in &mut self.sdo {
                    c.server.reset();
                }
                self.reset(0x1000..=0xFFFF, "NMT reset node", now);
            }
            0x82 => {
                for c in &mut self.sdo {
                    c.server.reset();
                }
                self.reset(0x1000..=0x1FFF, "NMT reset communication", now);
            }
            _ => {}
        }
    }

    fn on_guard(&mut self, now: Instant) {
        let toggle = if self.guard_toggle { 0x80 } else { 0 };
        self.guard_toggle = !self.guard_toggle;
        self.frames.push(frame(0x700 + u32::from(self.node_id), &[toggle | self.state.code()]));
        let guard = self.od.u64(0x100C, 0).unwrap_or(0);
        let factor = self.od.u64(0x100D, 0).unwrap_or(0);
        self.life_guard_at = (guard > 0 && factor > 0).then(|| now + Duration::from_millis(guard * factor));
        if self.life_guard_lost {
            self.life_guard_lost = false;
            self.clear_error(0x8130, now);
        }
    }

    fn on_heartbeat(&mut self, node: u8, data: &[u8], now: Instant) {
        let Some(c) = self.consumers.iter_mut().find(|c| c.node == node) else {
            return;
        };
        let Some(&byte) = data.first() else {
            return;
        };
        let state = NmtState::from_code(byte);
        c.deadline = Some(now + c.timeout);
        let was_lost = std::mem::replace(&mut c.lost, false);
        if was_lost || c.state != state {
            c.state = state;
            self.events.push(Event::HeartbeatSeen { node, state });
        }
        if was_lost && !self.consumers.iter().any(|c| c.lost) {
            self.clear_error(0x8130, now);
        }
    }

    fn on_sync_frame(&mut self, data: &[u8], now: Instant) {
        let overflow = self.od.u64(0x1019, 0).unwrap_or(0);
        let expected = if (2..=240).contains(&overflow) { 1 } else { 0 };
        if data.len() != expected {
            self.events.push(Event::Warning(format!(
                "SYNC with {} bytes, {expected} expected (0x1019)",
                data.len()
            )));
            self.emergency(0x8240, [data.len() as u8, 0, 0, 0, 0], now);
            return;
        }
        self.on_sync(data.first().copied(), now);
    }

    fn on_sync(&mut self, counter: Option<u8>, now: Instant) {
        if self.state != NmtState::Operational {
            return;
        }
        // Synchronous RPDOs apply what they received before this SYNC.
        for i in 0..self.rpdos.len() {
            if let Some(data) = self.rpdos[i].pending.take() {
                self.apply_rpdo(i, &data, now);
            }
        }
        let mut due = Vec::new();
        for (i, t) in self.tpdos.iter_mut().enumerate() {
            if !t.pdo.valid() || !t.pdo.synchronous() {
                continue;
            }
            if t.waiting_for_start {
                match counter {
                    Some(c) if c == t.pdo.sync_start => t.waiting_for_start = false,
                    Some(_) => continue,
                    None => t.waiting_for_start = false,
                }
                // The start SYNC counts as the first of the period.
                t.sync_count = t.pdo.transmission_type.saturating_sub(1);
            }
            match t.pdo.transmission_type {
                0 => {
                    if t.changed {
                        due.push(i);
                    }
                }
                252 => t.sampled = None,
                n => {
                    t.sync_count += 1;
                    if t.sync_count >= n {
                        t.sync_count = 0;
                        due.push(i);
                    }
                }
            }
        }
        for i in 0..self.tpdos.len() {
            if self.tpdos[i].pdo.transmission_type == 252 && self.tpdos[i].pdo.valid() {
                let data = self.tpdos[i].pdo.pack(&self.od);
                self.tpdos[i].sampled = Some(data);
            }
        }
        for i in due {
            self.transmit_tpdo(i, now);
        }
    }

    fn on_rpdo(&mut self, i: usize, data: &[u8], now: Instant) {
        let expected = self.rpdos[i].pdo.length();
        let number = self.rpdos[i].pdo.number + 1;
        if data.len() < expected {
            if !self.rpdos[i].in_error {
                self.rpdos[i].in_error = true;
                self.events.push(Event::Warning(format!(
                    "RPDO{number} with {} bytes, its mapping needs {expected}: not processed",
                    data.len()
                )));
                self.emergency(0x8210, [number as u8, data.len() as u8, 0, 0, 0], now);
            }
            return;
        }
        if data.len() > expected && !self.rpdos[i].in_error {
            self.rpdos[i].in_error = true;
            self.events.push(Event::Warning(format!(
                "RPDO{number} with {} bytes, its mapping takes {expected}: the rest is ignored",
                data.len()
            )));
            self.emergency(0x8220, [number as u8, data.len() as u8, 0, 0, 0], now);
        } else if data.len() == expected && self.rpdos[i].in_error {
            self.rpdos[i].in_error = false;
            self.clear_error(0x8210, now);
            self.clear_error(0x8220, now);
            self.clear_error(0x8250, now);
        }
        let timer = self.rpdos[i].pdo.event_timer;
        self.rpdos[i].deadline = (timer > 0).then(|| now + Duration::from_millis(u64::from(timer)));
        if self.rpdos[i].pdo.transmission_type <= 240 {
            self.rpdos[i].pending = Some(data.to_vec());
        } else {
            self.apply_rpdo(i, data, now);
        }
    }

    fn apply_rpdo(&mut self, i: usize, data: &[u8], now: Instant) {
        for (index, sub, value) in self.rpdos[i].pdo.unpack(data) {
            if let Err(abort) = self.write(index, sub, &value, WriteSource::Rpdo, now) {
                let number = self.rpdos[i].pdo.number + 1;
                self.events
                    .push(Event::Warning(format!("RPDO{number}: 0x{index:04X}:{sub:02X} refused: {abort}")));
            }
        }
    }

    fn transmit_tpdo(&mut self, i: usize, now: Instant) {
        let t = &mut self.tpdos[i];
        if !t.pdo.valid() || self.state != NmtState::Operational {
            return;
        }
        t.changed = false;
        if t.pdo.inhibit_time > 0 {
            t.inhibit_until = Some(now + Duration::from_micros(u64::from(t.pdo.inhibit_time) * 100));
        }
        if t.pdo.event_timer > 0 && t.pdo.event_driven() {
            t.event_at = Some(now + Duration::from_millis(u64::from(t.pdo.event_timer)));
        }
        let data = t.pdo.pack(&self.od);
        let f = pdo_frame(&t.pdo, &data);
        self.frames.push(f);
    }

    /// Event-driven TPDOs whose values changed and whose inhibit time has passed go now.
    fn send_changed_tpdos(&mut self, now: Instant) {
        if self.state != NmtState::Operational {
            return;
        }
        let due: Vec<usize> = (0..self.tpdos.len())
            .filter(|&i| {
                let t = &self.tpdos[i];
                t.changed && t.pdo.event_driven() && t.inhibit_until.is_none_or(|u| now >= u)
            })
            .collect();
        for i in due {
            self.transmit_tpdo(i, now);
        }
    }

    /// Produce an EMCY: record it in 0x1003 and the error register, send it when EMCY is valid
    /// (after the inhibit time, 0x1015). Code 0 is "error reset".
    pub fn emergency(&mut self, code: u16, info: [u8; 5], now: Instant) {
        if code != 0 {
            let bit = error_register_bit(code);
            if !self.active_errors.iter().any(|(c, _)| *c == code) {
                self.active_errors.push((code, bit));
            }
            self.push_error_history(code, info);
        } else {
            self.active_errors.clear();
        }
        let register = self.error_register();
        let _ = self.od.store(0x1001, 0, &[register]);
        self.events.push(Event::Emergency { code, register, info });
        let cob = self.od.u32(0x1014, 0).unwrap_or(0x80 + u32::from(self.node_id));
        if cob & pdo::COB_INVALID != 0
            || self.state == NmtState::Stopped
            || self.state == NmtState::Initialising
        {
            return;
        }
        let [c0, c1] = code.to_le_bytes();
        self.emcy_queue.push_back([c0, c1, register, info[0], info[1], info[2], info[3], info[4]]);
        if self.emcy_queue.len() > 16 {
            self.emcy_queue.pop_front();
        }
        self.send_emergencies(now);
    }

    /// An error condition ended: when none is left, the "error reset" EMCY goes out.
    pub fn clear_error(&mut self, code: u16, now: Instant) {
        let before = self.active_errors.len();
        self.active_errors.retain(|(c, _)| *c != code);
        if before != self.active_errors.len() {
            if self.active_errors.is_empty() {
                self.emergency(0, [0; 5], now);
            } else {
                let register = self.error_register();
                let _ = self.od.store(0x1001, 0, &[register]);
            }
        }
    }

    fn error_register(&self) -> u8 {
        let bits = self.active_errors.iter().fold(0u8, |r, (_, b)| r | b);
        if bits != 0 {
            bits | 1
        } else {
            0
        }
    }

    fn push_error_history(&mut self, code: u16, info: [u8; 5]) {
        let Some(object) = self.od.object_mut(0x1003) else { return };
        let capacity = object.entries.keys().copied().filter(|&s| s > 0).max().unwrap_or(0);
        if capacity == 0 {
            return;
        }
        // Newest at sub-index 1; older ones move down.
        for sub in (2..=capacity).rev() {
            let older = object.entries.get(&(sub - 1)).map(|e| e.value.clone());
            if let (Some(v), Some(e)) = (older, object.entries.get_mut(&sub)) {
                e.value = v;
            }
        }
        let value = u32::from(code) | u32::from(u16::from_le_bytes([info[0], info[1]])) << 16;
        if let Some(e) = object.entries.get_mut(&1) {
            e.value = value.to_le_bytes().to_vec();
        }
        if let Some(e) = object.entries.get_mut(&0) {
            let count = e.value.first().copied().unwrap_or(0).saturating_add(1).min(capacity);
            e.value = vec![count];
        }
    }

    fn send_emergencies(&mut self, now: Instant) {
        let inhibit = Duration::from_micros(self.od.u64(0x1015, 0).unwrap_or(0) * 100);
        while self.emcy_at.is_none_or(|t| now >= t) {
            let Some(data) = self.emcy_queue.pop_front() else { break };
            let cob = self.od.u32(0x1014, 0).unwrap_or(0x80 + u32::from(self.node_id));
            self.frames.push(frame(cob_can_id(cob), &data));
            self.emcy_at = (inhibit > Duration::ZERO).then(|| now + inhibit);
        }
    }

    /// Read a value as the application: no access check.
    pub fn get(&self, index: u16, sub: u8) -> Result<&[u8], Abort> {
        self.od.entry(index, sub).map(|e| e.value.as_slice())
    }

    /// Write a value as the application (it may write its read-only inputs): length and range
    /// are checked, TPDOs that map it are triggered, and the write is reported.
    pub fn set(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
        let now = Instant::now().max(self.now);
        self.write(index, sub, data, WriteSource::Local, now)
    }

    /// The one way a value changes. Checks, stores, applies.
    fn write(
        &mut self,
        index: u16,
        sub: u8,
        data: &[u8],
        source: WriteSource,
        now: Instant,
    ) -> Result<(), Abort> {
        if source == WriteSource::Sdo {
            self.od.check_write(index, sub, data)?;
        } else {
            self.od.entry(index, sub)?.check(data)?;
        }
        self.check_meaning(index, sub, data)?;
        self.od.store(index, sub, data)?;
        self.events.push(Event::Written { index, sub, value: data.to_vec(), source });
        self.apply(index, sub, data, now);
        // TPDOs that map the value send it (event-driven) or at the next SYNC (acyclic).
        let mut any = false;
        for t in &mut self.tpdos {
            let maps = t.pdo.valid() && t.pdo.mapping.iter().any(|m| m.index == index && m.sub == sub);
            if maps && (t.pdo.event_driven() || t.pdo.transmission_type == 0) {
                t.changed = true;
                any = true;
            }
        }
        if any {
            self.send_changed_tpdos(now);
        }
        Ok(())
    }

    /// What CiA 301 says about a communication object's new value, before it is stored.
    fn check_meaning(&self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
        let value = || -> u64 {
            let mut raw = [0u8; 8];
            raw[..data.len().min(8)].copy_from_slice(&data[..data.len().min(8)]);
            u64::from_le_bytes(raw)
        };
        match (index, sub) {
            (0x1003, 0) if value() != 0 => Err(Abort::INVALID_VALUE),
            (0x1010 | 0x1011, s) if s >= 1 => {
                let magic = if index == 0x1010 { SAVE } else { LOAD };
                if value() != u64::from(magic) {
                    return Err(Abort::CANNOT_STORE);
                }
                if self.options.store.is_none() {
                    return Err(Abort::LOCAL_CONTROL);
                }
                Group::from_sub(s).map(|_| ()).ok_or(Abort::NO_SUB_INDEX)
            }
            (0x1005, 0) => {
                let v = value() as u32;
                let producing = self.sync_at.is_some();
                if v & pdo::COB_EXTENDED == 0 && v & 0x1FFF_F800 != 0 {
                    return Err(Abort::INVALID_VALUE);
                }
                if producing && v & (1 << 30) != 0 && cob_can_id(v) != self.sync_cob() {
                    return Err(Abort::INVALID_VALUE);
                }
                Ok(())
            }
            (0x1016, s) if s >= 1 => {
                let v = value() as u32;
                let node = (v >> 16) as u8;
                if v >> 24 != 0 {
                    return Err(Abort::INVALID_VALUE);
                }
                let count = self.od.u64(0x1016, 0).unwrap_or(0).min(127) as u8;
                let duplicate = (1..=count).filter(|&other| other != s).any(|other| {
                    self.od.u32(0x1016, other).is_some_and(|o| {
                        (o >> 16) as u8 == node
                            && node != 0
                            && node <= 127
                            && o & 0xFFFF != 0
                            && v & 0xFFFF != 0
                    })
                });
                if duplicate {
                    return Err(Abort::PARAMETER_INCOMPATIBLE);
                }
                Ok(())
            }
            (0x1019, 0) => {
                if self.od.u64(0x1006, 0).unwrap_or(0) != 0 {
                    return Err(Abort::DEVICE_STATE);
                }
                match value() {
                    1 | 241..=255 => Err(Abort::INVALID_VALUE),
                    _ => Ok(()),
                }
            }
            _ => match pdo::pdo_of(index) {
                Some((direction, number, mapping)) => {
                    self.check_pdo_write(direction, number, mapping, sub, value())
                }
                None => Ok(()),
            },
        }
    }

    fn check_pdo_write(
        &self,
        direction: Direction,
        number: u16,
        mapping: bool,
        sub: u8,
        value: u64,
    ) -> Result<(), Abort> {
        let current = Pdo::read(&self.od, direction, number);
        let valid = current.as_ref().is_some_and(Pdo::valid);
        if mapping {
            // CiA 301: the mapping changes only while the PDO is not valid, entries only while
            // the count is 0, and the count last, after every entry is checked.
            if valid {
                return Err(Abort::UNSUPPORTED_ACCESS);
            }
            let count = self.od.u64(direction.mapping(number), 0).unwrap_or(0);
            if sub == 0 {
                return pdo::check_mapping_count(&self.od, direction, number, value.min(255) as u8);
            }
            if count != 0 {
                return Err(Abort::UNSUPPORTED_ACCESS);
            }
            if value != 0 {
                pdo::check_mapping_entry(&self.od, direction, value as u32)?;
            }
            return Ok(());
        }
        match sub {
            1 => {
                let v = value as u32;
                let new_valid = v & pdo::COB_INVALID == 0;
                if v & pdo::COB_EXTENDED == 0 && v & 0x1FFF_F800 != 0 {
                    return Err(Abort::INVALID_VALUE);
                }
                // A valid PDO's CAN-ID cannot change; disable it first.
                if valid && new_valid {
                    if let Some(pdo) = &current {
                        if cob_can_id(v) != pdo.can_id() || (v & pdo::COB_EXTENDED != 0) != pdo.extended() {
                            return Err(Abort::INVALID_VALUE);
                        }
                    }
                }
                if new_valid && !valid {
                    // Becoming valid: the mapping must fit.
                    if let Some(pdo) = &current {
                        if pdo.length() > 8 {
                            return Err(Abort::PDO_LENGTH);
                        }
                    }
                }
                Ok(())
            }
            2 => match (direction, value) {
                (Direction::Receive, 241..=253) => Err(Abort::INVALID_VALUE),
                (Direction::Transmit, 241..=251) => Err(Abort::INVALID_VALUE),
                _ => Ok(()),
            },
            3 | 6 if valid => Err(Abort::INVALID_VALUE),
            _ => Ok(()),
        }
    }

    /// What a stored value means for the running node.
    fn apply(&mut self, index: u16, sub: u8, data: &[u8], now: Instant) {
        match index {
            0x1003 => {
                // Writing 0 to sub 0 clears the history.
                if let Some(object) = self.od.object_mut(0x1003) {
                    for (s, e) in object.entries.iter_mut() {
                        if *s > 0 {
                            e.value.iter_mut().for_each(|b| *b = 0);
                        }
                    }
                }
            }
            0x1005 | 0x1006 => self.configure_sync(now),
            0x1010 => self.store_parameters(sub),
            0x1011 => self.restore_parameters(sub),
            0x1016 => self.configure_consumers(),
            0x1017 => self.configure_heartbeat(now),
            0x1200..=0x127F => self.configure_sdo(),
            0x1400..=0x1BFF => self.configure_pdos(),
            _ => {}
        }
        let _ = data;
    }

    /// Values 0x1010 sub `sub` stores: every writable entry of its group.
    fn store_parameters(&mut self, sub: u8) {
        let (Some(group), Some(store)) = (Group::from_sub(sub), self.options.store.clone()) else { return };
        for (index, object) in self.od.iter() {
            if !group.contains(index) || index == 0x1010 || index == 0x1011 {
                continue;
            }
            for (s, entry) in &object.entries {
                if entry.access.writable() {
                    self.stored.insert((index, *s), entry.value.clone());
                }
            }
        }
        let error = store.save(&self.stored).err().map(|e| format!("{}: {e}", store.path.display()));
        self.events.push(Event::Stored { restore: false, error });
    }

    fn restore_parameters(&mut self, sub: u8) {
        let (Some(group), Some(store)) = (Group::from_sub(sub), self.options.store.clone()) else { return };
        // Defaults come back at the next reset (CiA 301), so only the stored values go.
        self.stored.retain(|(index, _), _| !group.contains(*index));
        let error = store.save(&self.stored).err().map(|e| format!("{}: {e}", store.path.display()));
        self.events.push(Event::Stored { restore: true, error });
    }

    /// Stop: what a node does on SIGTERM — nothing more on the bus.
    pub fn shut_down(&mut self) {
        self.frames.clear();
        self.heartbeat_at = None;
        self.sync_at = None;
    }
}

/// CiA 301's words for an EMCY error code (its class when the code itself is not listed).
pub fn emcy_meaning(code: u16) -> &'static str {
    match code {
        0x0000 => "error reset or no error",
        0x8110 => "CAN overrun (objects lost)",
        0x8120 => "CAN in error passive mode",
        0x8130 => "life guard error or heartbeat error",
        0x8140 => "recovered from bus off",
        0x8150 => "CAN-ID collision",
        0x8210 => "PDO not processed due to length error",
        0x8220 => "PDO length exceeded",
        0x8230 => "DAM MPDO not processed, destination object not available",
        0x8240 => "unexpected SYNC data length",
        0x8250 => "RPDO timeout",
        _ => match code >> 8 {
            0x00 => "error reset or no error",
            0x10 => "generic error",
            0x20..=0x23 => "current",
            0x30..=0x33 => "voltage",
            0x40..=0x42 => "temperature",
            0x50 => "device hardware",
            0x60..=0x63 => "device software",
            0x70 => "additional modules",
            0x80..=0x82 => "monitoring",
            0x90 => "external error",
            0xF0 => "additional functions",
            0xFF => "device specific",
            _ => "unknown error class",
        },
    }
}

/// The error register bit an error code's class sets (CiA 301 §7.5.2.2).
fn error_register_bit(code: u16) -> u8 {
    match code {
        0x2000..=0x2FFF => 0x02,
        0x3000..=0x3FFF => 0x04,
        0x4000..=0x4FFF => 0x08,
        0x8000..=0x8FFF => 0x10,
        0xFF00..=0xFFFF => 0x80,
        // Generic, device hardware and software, additional modules, external, additional
        // functions: the generic bit alone.
        _ => 0x01,
    }
}

fn pdo_frame(pdo: &Pdo, data: &[u8]) -> Frame {
    let mut f = frame(pdo.can_id(), data);
    if pdo.extended() && !f.is_extended() {
        f = Frame::new_data(pdo.can_id(), true, &data[..data.len().min(8)]).expect("a masked id");
    }
    f
}

impl SdoTarget for Node {
    fn upload(&mut self, index: u16, sub: u8) -> Result<Vec<u8>, Abort> {
        self.od.read(index, sub).map(<[u8]>::to_vec)
    }

    fn check_download(&mut self, index: u16, sub: u8, size: Option<usize>) -> Result<(), Abort> {
        let entry = self.od.entry(index, sub)?;
        if !entry.access.writable() {
            return Err(Abort::READ_ONLY);
        }
        match (entry.data_type.size(), size) {
            (Some(fixed), Some(s)) if s > fixed => Err(Abort::LENGTH_TOO_HIGH),
            (Some(fixed), Some(s)) if s < fixed => Err(Abort::LENGTH_TOO_LOW),
            (None, Some(s)) if s > super::od::MAX_VALUE_SIZE => Err(Abort::OUT_OF_MEMORY),
            _ => Ok(()),
        }
    }

    fn download(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
        let now = self.now;
        self.write(index, sub, data, WriteSource::Sdo, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canopen::eds;

    const EDS: &str = include_str!("../../tests/fixtures/canopen/device.eds");

    fn node(start: Instant) -> Node {
        let od = eds::parse(EDS, "device.eds", Some(5)).expect("the fixture loads").dictionary;
        let mut node = Node::new(5, od, NodeOptions::default());
        node.start(start);
        node
    }

    fn data(id: u32, bytes: &[u8]) -> Frame {
        Frame::new_data(id, false, bytes).unwrap()
    }

    fn sent(node: &mut Node) -> Vec<(u32, Vec<u8>)> {
        node.take_frames().into_iter().map(|f| (f.id(), f.data().to_vec())).collect()
    }

    fn sdo_write(node: &mut Node, index: u16, sub: u8, value: &[u8], now: Instant) -> Vec<u8> {
        let [lo, hi] = index.to_le_bytes();
        let mut request = [0x23 | ((4 - value.len() as u8) << 2), lo, hi, sub, 0, 0, 0, 0];
        request[4..4 + value.len()].copy_from_slice(value);
        node.process(&data(0x605, &request), now);
        let replies = sent(node);
        replies.iter().find(|(id, _)| *id == 0x585).map(|(_, d)| d.clone()).expect("an SDO reply")
    }

    #[test]
    fn boot_up_then_heartbeats_at_the_configured_period() {
        let t0 = Instant::now();
        let mut n = node(t0);
        assert_eq!(sent(&mut n), [(0x705, vec![0])]);
        assert_eq!(n.state(), NmtState::PreOperational);
        assert_eq!(sdo_write(&mut n, 0x1017, 0, &100u16.to_le_bytes(), t0)[0], 0x60);
        assert_eq!(n.deadline(), Some(t0 + Duration::from_millis(100)));
        n.poll(t0 + Duration::from_millis(100));
        assert_eq!(sent(&mut n), [(0x705, vec![0x7F])]);
        // A late poll does not make the next beat late too.
        n.poll(t0 + Duration::from_millis(230));
        assert_eq!(n.deadline(), Some(t0 + Duration::from_millis(300)));
    }

    #[test]
    fn nmt_for_another_node_is_ignored_and_reset_node_restores_defaults() {
        let t0 = Instant::now();
        let mut n = node(t0);
        sent(&mut n);
        n.process(&data(0, &[0x01, 6]), t0);
        assert_eq!(n.state(), NmtState::PreOperational);
        n.process(&data(0, &[0x01]), t0);
        assert_eq!(n.state(), NmtState::PreOperational, "a 1-byte NMT command is not one");
        sdo_write(&mut n, 0x2001, 0, &[9, 0, 0, 0], t0);
        n.process(&data(0, &[0x82, 0]), t0);
        assert_eq!(n.dictionary().u64(0x2001, 0), Some(9), "reset communication keeps application values");
        n.process(&data(0, &[0x81, 5]), t0);
        assert_eq!(n.dictionary().u64(0x2001, 0), Some(0x12345678));
        assert_eq!(sent(&mut n), [(0x705, vec![0]), (0x705, vec![0])]);
    }

    #[test]
    fn synchronous_tpdos_go_every_nth_sync_from_the_start_value() {
        let t0 = Instant::now();
        let mut n = node(t0);
        sdo_write(&mut n, 0x1800, 2, &[2], t0);
        n.process(&data(0, &[0x01, 0]), t0);
        sent(&mut n);
        n.set(0x6000, 1, &[0x11]).unwrap();
        assert!(sent(&mut n).is_empty(), "a synchronous TPDO waits for SYNC");
        let tpdos = |n: &mut Node| sent(n).into_iter().filter(|(id, _)| *id == 0x185).count();
        let mut seen = Vec::new();
        for _ in 0..4 {
            n.process(&data(0x80, &[]), t0);
            seen.push(tpdos(&mut n));
        }
        assert_eq!(seen, [0, 1, 0, 1]);
        // With a SYNC counter (0x1019 = 4) and start value 3, the first goes at counter 3.
        n.process(&data(0, &[0x80, 0]), t0);
        sdo_write(&mut n, 0x1019, 0, &[4], t0);
        sdo_write(&mut n, 0x1800, 1, &0xC000_0185u32.to_le_bytes(), t0);
        sdo_write(&mut n, 0x1800, 6, &[3], t0);
        sdo_write(&mut n, 0x1800, 1, &0x4000_0185u32.to_le_bytes(), t0);
        n.process(&data(0, &[0x01, 0]), t0);
        sent(&mut n);
        let mut seen = Vec::new();
        for counter in [1u8, 2, 3, 4, 1, 2] {
            n.process(&data(0x80, &[counter]), t0);
            seen.push(tpdos(&mut n));
        }
        assert_eq!(seen, [0, 0, 1, 0, 1, 0]);
        // A SYNC without the counter the node expects: EMCY 0x8240.
        n.process(&data(0x80, &[]), t0);
        assert!(sent(&mut n).iter().any(|(id, d)| *id == 0x85 && d[..2] == [0x40, 0x82]));
    }

    #[test]
    fn the_sync_producer_counts_and_0x1019_is_locked_while_it_runs() {
        let t0 = Instant::now();
        let mut n = node(t0);
        sent(&mut n);
        sdo_write(&mut n, 0x1019, 0, &[3], t0);
        sdo_write(&mut n, 0x1006, 0, &10_000u32.to_le_bytes(), t0);
        sdo_write(&mut n, 0x1005, 0, &0x4000_0080u32.to_le_bytes(), t0);
        let abort = sdo_write(&mut n, 0x1019, 0, &[5], t0);
        assert_eq!(abort[0], 0x80);
        assert_eq!(u32::from_le_bytes([abort[4], abort[5], abort[6], abort[7]]), Abort::DEVICE_STATE.0);
        let mut counters = Vec::new();
        for ms in [10, 20, 30, 40] {
            n.poll(t0 + Duration::from_millis(ms));
            counters.extend(sent(&mut n).into_iter().filter(|(id, _)| *id == 0x80).map(|(_, d)| d[0]));
        }
        assert_eq!(counters, [1, 2, 3, 1]);
    }

    #[test]
    fn event_driven_tpdos_respect_inhibit_time_and_event_timer() {
        let t0 = Instant::now();
        let mut n = node(t0);
        // TPDO2: type 254, event timer 100 ms, maps 0x2001; add a 50 ms inhibit time.
        sdo_write(&mut n, 0x1801, 1, &0xC000_0285u32.to_le_bytes(), t0);
        sdo_write(&mut n, 0x1801, 3, &500u16.to_le_bytes(), t0);
        sdo_write(&mut n, 0x1801, 1, &0x4000_0285u32.to_le_bytes(), t0);
        n.process(&data(0, &[0x01, 0]), t0);
        let tpdos = |n: &mut Node| {
            sent(n).into_iter().filter(|(id, _)| *id == 0x285).map(|(_, d)| d).collect::<Vec<_>>()
        };
        assert_eq!(tpdos(&mut n).len(), 1, "the current value goes when the node starts");
        n.process(&data(0x605, &[0x23, 0x01, 0x20, 0, 1, 0, 0, 0]), t0 + Duration::from_millis(10));
        n.process(&data(0x605, &[0x23, 0x01, 0x20, 0, 2, 0, 0, 0]), t0 + Duration::from_millis(20));
        assert!(tpdos(&mut n).is_empty(), "inhibited");
        assert_eq!(n.deadline(), Some(t0 + Duration::from_millis(50)));
        n.poll(t0 + Duration::from_millis(50));
        assert_eq!(tpdos(&mut n), [vec![2, 0, 0, 0]], "the latest value once the inhibit time is over");
        n.poll(t0 + Duration::from_millis(150));
        assert_eq!(tpdos(&mut n).len(), 1, "the event timer");
    }

    #[test]
    fn rtr_is_answered_only_when_the_cob_id_allows_it() {
        let t0 = Instant::now();
        let mut n = node(t0);
        n.process(&data(0, &[0x01, 0]), t0);
        sent(&mut n);
        let rtr = Frame::new_remote(0x185, false, 4).unwrap();
        n.process(&rtr, t0);
        assert!(sent(&mut n).is_empty(), "bit 30 of 0x1800:01 is set: no RTR");
        n.process(&data(0, &[0x80, 0]), t0);
        sdo_write(&mut n, 0x1800, 1, &0x0000_0185u32.to_le_bytes(), t0);
        n.process(&data(0, &[0x01, 0]), t0);
        sent(&mut n);
        n.process(&rtr, t0);
        assert_eq!(sent(&mut n).len(), 1);
    }

    #[test]
    fn node_guarding_toggles_and_life_guarding_raises_an_emcy() {
        let t0 = Instant::now();
        let mut n = node(t0);
        sent(&mut n);
        sdo_write(&mut n, 0x100C, 0, &100u16.to_le_bytes(), t0);
        sdo_write(&mut n, 0x100D, 0, &[3], t0);
        let guard = Frame::new_remote(0x705, false, 1).unwrap();
        n.process(&guard, t0);
        n.process(&guard, t0);
        assert_eq!(sent(&mut n), [(0x705, vec![0x7F]), (0x705, vec![0xFF])]);
        n.poll(t0 + Duration::from_millis(300));
        assert_eq!(sent(&mut n), [(0x85, vec![0x30, 0x81, 0x11, 0, 0, 0, 0, 0])]);
        assert!(n.take_events().contains(&Event::LifeGuardLost));
        n.process(&guard, t0 + Duration::from_millis(310));
        let frames = sent(&mut n);
        assert_eq!(frames[1], (0x85, vec![0; 8]), "guarding back: error reset");
    }

    #[test]
    fn time_stamps_and_synchronous_rpdos_reach_the_application() {
        let t0 = Instant::now();
        let mut n = node(t0);
        n.take_events();
        n.process(&data(0x100, &[0x10, 0x27, 0, 0, 0x64, 0x00]), t0);
        assert!(n.take_events().contains(&Event::Time { milliseconds: 10_000, days: 100 }));
        // RPDO1 synchronous: applied at the next SYNC.
        sdo_write(&mut n, 0x1400, 2, &[0], t0);
        n.process(&data(0, &[0x01, 0]), t0);
        n.process(&data(0x205, &[7, 8]), t0);
        assert_eq!(n.dictionary().u64(0x6200, 1), Some(0));
        n.process(&data(0x80, &[]), t0);
        assert_eq!((n.dictionary().u64(0x6200, 1), n.dictionary().u64(0x6200, 2)), (Some(7), Some(8)));
        // Too long: processed, with EMCY 0x8220 once.
        sent(&mut n);
        sdo_write(&mut n, 0x1400, 2, &[255], t0);
        n.process(&data(0x205, &[1, 2, 3]), t0);
        n.process(&data(0x205, &[1, 2, 3]), t0);
        let emcys: Vec<_> = sent(&mut n).into_iter().filter(|(id, _)| *id == 0x85).collect();
        assert_eq!(emcys.len(), 1);
        assert_eq!(emcys[0].1[..2], [0x20, 0x82]);
        assert_eq!(n.dictionary().u64(0x6200, 1), Some(1));
    }

    #[test]
    fn every_sdo_server_the_dictionary_defines_answers_on_its_own_cob_ids() {
        use crate::canopen::{Access, DataType, Entry, Object, ObjectKind};
        let t0 = Instant::now();
        let mut od = eds::parse(EDS, "device.eds", Some(5)).unwrap().dictionary;
        let cob = |v: u32| {
            Entry::new("COB-ID", DataType::Unsigned32, Access::ReadOnly).with_value(v.to_le_bytes().to_vec())
        };
        let count = Entry::new("Highest sub-index supported", DataType::Unsigned8, Access::ReadOnly)
            .with_value(vec![2]);
        od.insert(
            0x1201,
            Object::compound(
                "SDO server parameter 2",
                ObjectKind::Record,
                vec![(0, count), (1, cob(0x640)), (2, cob(0x5C0))],
            ),
        );
        let mut n = Node::new(5, od, NodeOptions::default());
        n.start(t0);
        sent(&mut n);
        n.process(&data(0x640, &[0x40, 0x18, 0x10, 1, 0, 0, 0, 0]), t0);
        n.process(&data(0x605, &[0x40, 0x18, 0x10, 1, 0, 0, 0, 0]), t0);
        assert_eq!(
            sent(&mut n),
            [
                (0x5C0, vec![0x43, 0x18, 0x10, 1, 0xA2, 1, 0, 0]),
                (0x585, vec![0x43, 0x18, 0x10, 1, 0xA2, 1, 0, 0])
            ]
        );
    }

    #[test]
    fn a_stopped_node_answers_only_nmt_and_error_control() {
        let t0 = Instant::now();
        let mut n = node(t0);
        n.process(&data(0, &[0x02, 5]), t0);
        sent(&mut n);
        n.process(&data(0x605, &[0x40, 0x18, 0x10, 1, 0, 0, 0, 0]), t0);
        assert!(sent(&mut n).is_empty());
        n.process(&Frame::new_remote(0x705, false, 1).unwrap(), t0);
        assert_eq!(sent(&mut n), [(0x705, vec![0x04])]);
    }
}
