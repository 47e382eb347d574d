//! One socketcand client: the daemon's state machine (NO_BUS, BCM, RAW, CONTROL) over a hub
//! subscription, in one task that reads commands, forwards frames and runs the BCM timers.
//!
//! As the daemon: `< hi >` on connect; `< open bus >` (→ BCM), `< list >` (the daemon's PR #78:
//! `< interfaces a b >`); mode switches answered `< ok >` (the mode already active is an unknown
//! command); BCM `send`, `add`/`update`/`delete` cyclic jobs, `filter` (content changes under a
//! mask, throttled) and `subscribe`/`unsubscribe`; RAW `send` and frames as
//! `< frame ID SEC.USEC HEX >`; CONTROL `statistics`. Syntax errors are silent to the client
//! and logged, as the daemon does. Beyond the daemon: CAN FD as the `rawmode-canfd` branch's
//! `< sendfd >`/`< fdframe >` (PR #33's `< fdsend id flags len … >` and PR #72's `< send >` with
//! an FD length are accepted too), and the handshake replies python-can reads are each written
//! alone, with the first frames after `< rawmode >`'s `< ok >` held back 50 ms so they cannot
//! join it in python-can's one `recv`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{lost, Outbox, ServedBus, Shared};
use crate::bus::hub::Subscription;
use crate::bus::{BusError, BusEvent};
use crate::frame::{Frame, CAN_EFF_FLAG};
use crate::net::socketcand::{self as proto, words, Splitter};

/// How long the first frames after entering RAW mode wait, so that python-can's handshake read
/// sees `< ok >` alone.
const RAW_HOLD: Duration = Duration::from_millis(50);
/// Syntax errors described in the log per client before they are only counted.
const SHOW_ERRORS: u64 = 5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    NoBus,
    Bcm,
    Raw,
    Control,
}

/// A cyclic transmission (`< add >`).
struct TxJob {
    frame: Frame,
    period: Duration,
    next: Instant,
}

/// A BCM receive operation (`< subscribe >` or `< filter >`).
struct RxOp {
    throttle: Duration,
    /// `filter`: only changes of these bits are reported; `subscribe`: every frame.
    mask: Option<[u8; 8]>,
    last: Option<Frame>,
    last_sent: Option<Instant>,
    pending: Option<Frame>,
}

struct State {
    shared: Arc<Shared>,
    peer: SocketAddr,
    mode: Mode,
    bus: Option<ServedBus>,
    bus_name: String,
    outbox: Outbox,
    splitter: Splitter,
    tx_jobs: HashMap<u32, TxJob>,
    rx_ops: HashMap<u32, RxOp>,
    stats_every: Option<Duration>,
    next_stats: Instant,
    hold_until: Option<Instant>,
    told_read_only: bool,
    syntax_errors: u64,
    slow_logged: bool,
    /// Frames the hub dropped for this client, as last seen.
    queue_drops: u64,
    /// Set when the session must end, with the reason for the log.
    end: Option<String>,
    scratch: String,
}

/// Serve one connection until it closes, fails or the server shuts down.
pub(crate) async fn session(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, refuse: bool) {
    let queue = shared.options.queue;
    let mut st = State {
        shared: Arc::clone(&shared),
        peer,
        mode: Mode::NoBus,
        bus: None,
        bus_name: String::new(),
        outbox: Outbox::new(queue),
        splitter: Splitter::new(),
        tx_jobs: HashMap::new(),
        rx_ops: HashMap::new(),
        stats_every: None,
        next_stats: Instant::now(),
        hold_until: None,
        told_read_only: false,
        syntax_errors: 0,
        slow_logged: false,
        queue_drops: 0,
        end: None,
        scratch: String::with_capacity(256),
    };
    if refuse {
        let max = shared.options.max_clients;
        st.outbox.push(format!("< error too many clients, at most {max} >").as_bytes());
        st.outbox.drain(&stream, Duration::from_secs(1)).await;
        return;
    }
    shared.log(format!("{peer}: socketcand client connected"));
    st.reply_alone(&stream, "< hi >").await;
    let mut sub: Option<Subscription> = None;
    let handshake_deadline = Instant::now() + shared.options.handshake_timeout;
    let mut last_heard = Instant::now();
    let mut buf = vec![0u8; 4096];
    // One shutdown future for the session's life: making one per turn of the loop would register
    // and deregister with the shared token (a lock every client contends for) per frame.
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);
    while st.end.is_none() {
        let now = Instant::now();
        let mut timer = st.next_timer();
        if st.mode == Mode::NoBus {
            timer = Some(timer.map_or(handshake_deadline, |t| t.min(handshake_deadline)));
        }
        let idle_deadline = shared.options.idle_timeout.map(|d| last_heard + d);
        if let Some(d) = idle_deadline {
            timer = Some(timer.map_or(d, |t| t.min(d)));
        }
        // Frames are taken from the hub at once, but not written while held back.
        let holding = st.hold_until.is_some_and(|t| t > now);
        tokio::select! {
            biased;
            _ = &mut stop => {
                st.end = Some("server shutting down".into());
            }
            r = stream.readable() => {
                if r.is_err() {
                    st.end = Some("connection failed".into());
                    continue;
                }
                match stream.try_read(&mut buf) {
                    Ok(0) => st.end = Some("client closed the connection".into()),
                    Ok(n) => {
                        last_heard = Instant::now();
                        st.splitter.push(&buf[..n]);
                        st.commands(&stream, &mut sub).await;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => st.end = Some(format!("connection failed: {e}")),
                }
            }
            r = stream.writable(), if !st.outbox.is_empty() && !holding => {
                if r.is_err() {
                    st.end = Some("connection failed".into());
                }
            }
            event = next_event(&mut sub) => {
                st.event(event);
                // Take what else is queued now, so a busy bus is written in few large writes,
                // writing as the outbox fills so that it only overflows when the socket is full.
                for n in 1..=256 {
                    let Some(s) = sub.as_mut() else { break };
                    match s.try_recv() {
                        Ok(Some(e)) => st.event(Ok(e)),
                        Ok(None) => break,
                        Err(e) => { st.event(Err(e)); break }
                    }
                    if n % 32 == 0 && !holding {
                        if let Err(e) = st.outbox.write_to(&stream) {
                            st.end.get_or_insert(format!("connection failed: {e}"));
                            break;
                        }
                    }
                }
                if let Some(s) = sub.as_ref() {
                    st.check_queue(s.dropped());
                }
            }
            _ = sleep_until(timer), if timer.is_some() => {
                let now = Instant::now();
                if st.mode == Mode::NoBus && now >= handshake_deadline {
                    st.end = Some(format!(
                        "no bus opened within {} s (handshake timeout)",
                        shared.options.handshake_timeout.as_secs_f64()
                    ));
                } else if idle_deadline.is_some_and(|d| now >= d) {
                    st.end = Some("idle timeout".into());
                } else {
                    st.timers(now, sub.as_ref()).await;
                }
            }
        }
        if st.hold_until.is_none_or(|t| t <= Instant::now()) {
            if let Err(e) = st.outbox.write_to(&stream) {
                st.end.get_or_insert(format!("connection failed: {e}"));
            }
        }
    }
    st.outbox.drain(&stream, Duration::from_millis(500)).await;
    let queue_dropped = sub.as_ref().map_or(0, Subscription::dropped);
    let why = st.end.take().unwrap_or_default();
    shared.log(format!(
        "{peer}: socketcand client disconnected ({why}){}",
        lost(st.outbox.dropped, queue_dropped)
    ));
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

async fn next_event(sub: &mut Option<Subscription>) -> Result<BusEvent, BusError> {
    match sub {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

fn key(frame: &Frame) -> u32 {
    frame.id() | if frame.is_extended() { CAN_EFF_FLAG } else { 0 }
}

fn key_of(token: &str) -> Result<u32, proto::SyntaxError> {
    let (id, ext) = proto::parse_id(token)?;
    Ok(id | if ext { CAN_EFF_FLAG } else { 0 })
}

impl State {
    /// Write a handshake reply on its own (the outbox is empty during the handshake), so that
    /// a client reading it with one `recv` sees it alone.
    async fn reply_alone(&mut self, stream: &TcpStream, text: &str) {
        self.outbox.push(text.as_bytes());
        self.outbox.drain(stream, Duration::from_secs(5)).await;
    }

    fn reply(&mut self, text: &str) {
        self.outbox.push(text.as_bytes());
    }

    fn syntax_error(&mut self, element: &str, why: impl std::fmt::Display) {
        self.syntax_errors += 1;
        if self.syntax_errors <= SHOW_ERRORS {
            self.shared.log(format!("{}: ignored '{}': {why}", self.peer, proto::shorten(element)));
        }
        if self.syntax_errors == SHOW_ERRORS {
            self.shared.log(format!("{}: further errors of this client are not shown", self.peer));
        }
    }

    async fn commands(&mut self, stream: &TcpStream, sub: &mut Option<Subscription>) {
        let mut handled = 0u32;
        while self.end.is_none() {
            let element = self.splitter.next_element();
            if self.splitter.oversized > 0 {
                let why = format!(
                    "discarded {} element(s) longer than {} bytes",
                    self.splitter.oversized,
                    proto::MAX_ELEMENT
                );
                self.splitter.oversized = 0;
                self.syntax_error("<…>", why);
            }
            let Some(element) = element else { break };
            handled += 1;
            if handled % 32 == 0 {
                // A client sending a burst must not keep the other sessions from running.
                tokio::task::yield_now().await;
            }
            let w = words(&element);
            match self.mode {
                Mode::NoBus => self.no_bus(stream, &element, &w, sub).await,
                _ => self.in_mode(stream, &element, &w, sub).await,
            }
        }
    }

    async fn no_bus(
        &mut self,
        stream: &TcpStream,
        element: &str,
        w: &[&str],
        sub: &mut Option<Subscription>,
    ) {
        match w {
            ["open", rest @ ..] => {
                let name = rest.first().copied().unwrap_or("");
                match self.shared.bus(name).cloned() {
                    Some(bus) => {
                        self.shared.log(format!("{}: opened {name}", self.peer));
                        *sub = Some(self.shared.subscribe(&bus));
                        self.bus = Some(bus);
                        self.bus_name = name.to_string();
                        self.mode = Mode::Bcm;
                        self.reply_alone(stream, "< ok >").await;
                    }
                    None => {
                        self.reply("< error could not open bus >");
                        self.end = Some(format!("asked for bus '{name}', which is not offered"));
                    }
                }
            }
            ["list"] => {
                let text = format!("< interfaces {} >", self.shared.names().join(" "));
                self.reply_alone(stream, &text).await;
            }
            [] => {
                // The daemon's quirk: an unknown command, then `< ok >`.
                self.reply("< error unknown command >");
                self.reply("< ok >");
                self.syntax_error(element, "unknown command");
            }
            [bus, rest @ ..] => {
                // The daemon reads `< bus op … >`: an interface configuration request.
                if self.shared.bus(bus).is_none() {
                    self.reply("< error could not open bus >");
                    self.end = Some(format!("sent '{}' before opening a bus", proto::shorten(element)));
                    return;
                }
                let op = rest.first().and_then(|s| s.chars().next()).unwrap_or('>');
                if op == 'B' || op == 'C' {
                    self.reply(&format!("< error configuring interface {bus} > \n"));
                    self.end = Some(format!(
                        "asked to configure {bus}; canserver does not change interface settings"
                    ));
                } else {
                    self.reply(&format!("< configuration operation not supported {op} > \n"));
                    self.end = Some(format!("configuration operation '{op}' is not supported"));
                }
            }
        }
    }

    async fn in_mode(
        &mut self,
        stream: &TcpStream,
        element: &str,
        w: &[&str],
        sub: &mut Option<Subscription>,
    ) {
        let switch = match w {
            ["rawmode"] => Some(Mode::Raw),
            ["bcmmode"] => Some(Mode::Bcm),
            ["controlmode"] => Some(Mode::Control),
            ["isotpmode"] => {
                self.reply("< error isotpmode is not supported by canserver >");
                self.syntax_error(element, "ISO-TP mode is not supported");
                return;
            }
            _ => None,
        };
        if let Some(mode) = switch {
            if mode == self.mode {
                self.reply("< error unknown command >");
                return;
            }
            if self.mode == Mode::Bcm {
                // The daemon closes the BCM socket: its jobs and subscriptions end.
                self.tx_jobs.clear();
                self.rx_ops.clear();
            }
            // The daemon stops its statistics on every mode switch.
            self.stats_every = None;
            self.mode = mode;
            self.hold_until = (mode == Mode::Raw).then(|| Instant::now() + RAW_HOLD);
            self.reply_alone(stream, "< ok >").await;
            return;
        }
        if w == ["echo"] {
            self.reply("< echo >");
            return;
        }
        let result = match (self.mode, w) {
            (Mode::Raw | Mode::Bcm, ["send", args @ ..]) => self.send(proto::parse_send(args), sub).await,
            (Mode::Raw | Mode::Bcm, ["sendfd", args @ ..]) => {
                self.send(proto::parse_sendfd(args, false), sub).await
            }
            (Mode::Raw | Mode::Bcm, ["fdsend", args @ ..]) => {
                self.send(proto::parse_sendfd(args, true), sub).await
            }
            (Mode::Bcm, ["add", sec, usec, id, len, bytes @ ..]) => self.add(sec, usec, id, len, bytes),
            (Mode::Bcm, ["update", id, len, bytes @ ..]) => self.update(id, len, bytes),
            (Mode::Bcm, ["delete", id]) => key_of(id).map(|k| {
                self.tx_jobs.remove(&k);
            }),
            (Mode::Bcm, ["filter", sec, usec, id, len, bytes @ ..]) => self.filter(sec, usec, id, len, bytes),
            (Mode::Bcm, ["subscribe", sec, usec, id]) => {
                proto::parse_interval(sec, usec).and_then(|throttle| {
                    let k = key_of(id)?;
                    self.rx_ops
                        .insert(k, RxOp { throttle, mask: None, last: None, last_sent: None, pending: None });
                    Ok(())
                })
            }
            (Mode::Bcm, ["unsubscribe", id]) => key_of(id).map(|k| {
                self.rx_ops.remove(&k);
            }),
            (Mode::Bcm, ["muxfilter", ..]) => {
                Err(proto::SyntaxError("muxfilter is not supported by canserver".into()))
            }
            (Mode::Control, ["statistics", ms]) => match ms.parse::<u64>() {
                Ok(0) => {
                    self.stats_every = None;
                    Ok(())
                }
                Ok(ms) => {
                    let every = Duration::from_millis(ms.max(10));
                    self.stats_every = Some(every);
                    self.next_stats = Instant::now() + every;
                    Ok(())
                }
                Err(_) => Err(proto::SyntaxError(format!("'{ms}' is not a number of milliseconds"))),
            },
            (_, [cmd, ..])
                if matches!(
                    *cmd,
                    "send"
                        | "add"
                        | "update"
                        | "delete"
                        | "filter"
                        | "subscribe"
                        | "unsubscribe"
                        | "statistics"
                ) && self.known_here(cmd) =>
            {
                Err(proto::SyntaxError(format!("wrong number of arguments for {cmd}")))
            }
            _ => {
                self.reply("< error unknown command >");
                self.syntax_error(element, "unknown command");
                return;
            }
        };
        if let Err(e) = result {
            self.syntax_error(element, e);
        }
    }

    /// Whether `cmd` is a command of the current mode (so a malformed one is a syntax error,
    /// answered with silence as the daemon does, not an unknown command).
    fn known_here(&self, cmd: &str) -> bool {
        match self.mode {
            Mode::Raw => cmd == "send",
            Mode::Bcm => cmd != "statistics",
            Mode::Control => cmd == "statistics",
            Mode::NoBus => false,
        }
    }

    async fn send(
        &mut self,
        frame: Result<Frame, proto::SyntaxError>,
        sub: &mut Option<Subscription>,
    ) -> Result<(), proto::SyntaxError> {
        let frame = frame?;
        if self.shared.options.read_only {
            self.refuse_read_only();
            return Ok(());
        }
        if let Some(s) = sub.as_ref() {
            if let Err(e) = s.send(&frame).await {
                match e {
                    BusError::Unsupported { .. } | BusError::InvalidConfig { .. } => {
                        return Err(proto::SyntaxError(e.to_string()));
                    }
                    // The daemon closes the connection when the kernel refuses a frame.
                    e => self.end = Some(format!("the bus refused a frame: {e}")),
                }
            }
        }
        Ok(())
    }

    fn refuse_read_only(&mut self) {
        if !self.told_read_only {
            self.told_read_only = true;
            self.reply("< error read-only server: frames sent are dropped >");
            self.shared.log(format!("{}: tried to send on a read-only server", self.peer));
        }
    }

    fn classic(id: &str, len: &str, bytes: &[&str]) -> Result<Frame, proto::SyntaxError> {
        let (id, ext) = proto::parse_id(id)?;
        let len = proto::parse_len(len)?;
        if len > 8 {
            return Err(proto::SyntaxError(format!("length {len} above 8")));
        }
        let data = proto::parse_bytes(bytes, len)?;
        Frame::new_data(id, ext, &data).map_err(|e| proto::SyntaxError(e.to_string()))
    }

    fn add(
        &mut self,
        sec: &str,
        usec: &str,
        id: &str,
        len: &str,
        bytes: &[&str],
    ) -> Result<(), proto::SyntaxError> {
        let period = proto::parse_interval(sec, usec)?;
        let frame = Self::classic(id, len, bytes)?;
        if self.shared.options.read_only {
            self.refuse_read_only();
            return Ok(());
        }
        if period.is_zero() {
            // The kernel sends nothing for a job without interval.
            self.tx_jobs.remove(&key(&frame));
            return Ok(());
        }
        if self.tx_jobs.len() >= super::remote::MAX_JOBS && !self.tx_jobs.contains_key(&key(&frame)) {
            return Err(proto::SyntaxError(format!(
                "refused: {} cyclic jobs already run",
                super::remote::MAX_JOBS
            )));
        }
        // Replaces a job of the same id, as TX_SETUP does; the first frame goes after a period.
        self.tx_jobs.insert(key(&frame), TxJob { frame, period, next: Instant::now() + period });
        Ok(())
    }

    fn update(&mut self, id: &str, len: &str, bytes: &[&str]) -> Result<(), proto::SyntaxError> {
        let frame = Self::classic(id, len, bytes)?;
        if let Some(job) = self.tx_jobs.get_mut(&key(&frame)) {
            job.frame = frame;
        }
        Ok(())
    }

    fn filter(
        &mut self,
        sec: &str,
        usec: &str,
        id: &str,
        len: &str,
        bytes: &[&str],
    ) -> Result<(), proto::SyntaxError> {
        let throttle = proto::parse_interval(sec, usec)?;
        let frame = Self::classic(id, len, bytes)?;
        self.room_for(key(&frame))?;
        let mut mask = [0u8; 8];
        mask[..frame.len()].copy_from_slice(frame.data());
        self.rx_ops.insert(
            key(&frame),
            RxOp { throttle, mask: Some(mask), last: None, last_sent: None, pending: None },
        );
        Ok(())
    }

    /// Whether another receive operation may be set up (one per id; at most MAX_JOBS).
    fn room_for(&self, k: u32) -> Result<(), proto::SyntaxError> {
        if self.rx_ops.len() >= super::remote::MAX_JOBS && !self.rx_ops.contains_key(&k) {
            return Err(proto::SyntaxError(format!(
                "refused: {} subscriptions and filters already set up",
                super::remote::MAX_JOBS
            )));
        }
        Ok(())
    }

    /// One event from the hub, in the current mode's form.
    fn event(&mut self, event: Result<BusEvent, BusError>) {
        let frame = match event {
            Ok(BusEvent::Frame(f)) => f,
            Ok(_) => return,
            Err(e) => {
                self.end = Some(e.to_string());
                return;
            }
        };
        self.scratch.clear();
        match self.mode {
            Mode::Raw => {
                if frame.is_error() && frame.id() & self.shared.options.error_mask == 0 {
                    return;
                }
                if !proto::push_raw_frame(&mut self.scratch, &frame) {
                    return;
                }
            }
            Mode::Bcm => {
                let now = Instant::now();
                let Some(op) = self.rx_ops.get_mut(&key(&frame)) else { return };
                if frame.is_error() || frame.is_fd() || frame.is_remote() {
                    return;
                }
                let changed = match (&op.mask, &op.last) {
                    (None, _) | (_, None) => true,
                    (Some(mask), Some(last)) => {
                        let mut a = [0u8; 8];
                        let mut b = [0u8; 8];
                        a[..frame.len()].copy_from_slice(frame.data());
                        b[..last.len()].copy_from_slice(last.data());
                        a.iter().zip(&b).zip(mask).any(|((x, y), m)| (x & m) != (y & m))
                    }
                };
                op.last = Some(frame);
                if !changed {
                    return;
                }
                if !op.throttle.is_zero() && op.last_sent.is_some_and(|t| now < t + op.throttle) {
                    op.pending = Some(frame);
                    return;
                }
                op.last_sent = Some(now);
                op.pending = None;
                proto::push_bcm_frame(&mut self.scratch, &frame);
            }
            Mode::Control | Mode::NoBus => return,
        }
        let scratch = std::mem::take(&mut self.scratch);
        self.push_frame(scratch.as_bytes());
        self.scratch = scratch;
    }

    /// Frames the hub could not queue for this client (its session did not take them in time:
    /// the machine is overloaded) count as falling behind too.
    fn check_queue(&mut self, dropped: u64) {
        if dropped > self.queue_drops {
            self.queue_drops = dropped;
            self.fell_behind();
        }
    }

    fn push_frame(&mut self, bytes: &[u8]) {
        if self.outbox.push(bytes) {
            self.fell_behind();
        }
    }

    fn fell_behind(&mut self) {
        super::fell_behind(&self.shared, &self.peer, &mut self.slow_logged, &mut self.end);
    }

    /// The earliest timer: a cyclic job, a throttled update, statistics, the end of the hold.
    fn next_timer(&self) -> Option<Instant> {
        let jobs = self.tx_jobs.values().map(|j| j.next);
        let throttled = self
            .rx_ops
            .values()
            .filter(|op| op.pending.is_some())
            .filter_map(|op| op.last_sent.map(|t| t + op.throttle));
        // Statistics only flow in CONTROL mode (a mode switch also stops them).
        let stats = self.stats_every.filter(|_| self.mode == Mode::Control).map(|_| self.next_stats);
        let hold = self.hold_until;
        jobs.chain(throttled).chain(stats).chain(hold).min()
    }

    async fn timers(&mut self, now: Instant, sub: Option<&Subscription>) {
        if self.hold_until.is_some_and(|t| t <= now) {
            self.hold_until = None;
        }
        let due: Vec<Frame> = self
            .tx_jobs
            .values_mut()
            .filter(|j| j.next <= now)
            .map(|j| {
                j.next += j.period;
                if j.next <= now {
                    // Fell behind (a loaded machine): go on from now rather than burst.
                    j.next = now + j.period;
                }
                j.frame
            })
            .collect();
        if let Some(s) = sub {
            for frame in due {
                if let Err(e) = s.send(&frame).await {
                    self.end = Some(format!("the bus refused a cyclic frame: {e}"));
                    return;
                }
            }
        }
        let mut flushed = Vec::new();
        for op in self.rx_ops.values_mut() {
            if op.pending.is_some() && op.last_sent.is_some_and(|t| t + op.throttle <= now) {
                flushed.extend(op.pending.take());
                op.last_sent = Some(now);
            }
        }
        for frame in flushed {
            self.scratch.clear();
            proto::push_bcm_frame(&mut self.scratch, &frame);
            let scratch = std::mem::take(&mut self.scratch);
            self.push_frame(scratch.as_bytes());
            self.scratch = scratch;
        }
        if let Some(every) = self.stats_every.filter(|_| self.mode == Mode::Control) {
            if self.next_stats <= now {
                self.next_stats = now + every;
                if let Some(bus) = &self.bus {
                    let c = &bus.counters;
                    let text = format!(
                        "< stat {} {} {} {} >",
                        c.rx_bytes.load(Ordering::Relaxed),
                        c.rx_packets.load(Ordering::Relaxed),
                        c.tx_bytes.load(Ordering::Relaxed),
                        c.tx_packets.load(Ordering::Relaxed)
                    );
                    self.reply(&text);
                }
            }
        }
    }
}
