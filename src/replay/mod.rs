//! Replay: log files played onto one or many buses with their recorded timing. `canplayer` is
//! this with options.
//!
//! The pipe: a [`Playlist`] (files in sequence, looped) → [`Select`] (window, filters, error
//! frames) → [`Outputs`] (which bus each recorded channel goes to) → the [`schedule`] (when each
//! frame is due) → the [`clock`] (waiting for it) → the bus. The loop runs on a thread of its own
//! (call [`replay`] from `spawn_blocking` or a plain thread): sub-millisecond timing needs a
//! thread that may sleep and spin, which an async task must not. Frames are sent through the
//! runtime's [`Handle`], which drives the buses' sockets.
//!
//! Everything that can be checked before the first frame is, by whoever builds the playlist and
//! the outputs (every file opened, every bus opened). After that, a malformed record is told to
//! the observer and skipped (or ends the replay with [`LogInput::strict`]), a bus failure ends it
//! with the bus named, and the shutdown ends it cleanly; the report is complete in every case.

pub mod clock;
pub mod lateness;
pub mod schedule;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

use self::clock::{make_realtime, tighten_timer_slack, until, Waiter};
pub use self::lateness::Lateness;
use self::schedule::Scheduler;
pub use self::schedule::Timing;
use crate::bus::{Bus, BusError};
use crate::frame::{Channel, Frame, Timestamp};
use crate::log::{Format, LogError, Record, TimeZone};
use crate::pipe::{channel_matches, write_out, LogInput, Observer, PipeError, Select};
use crate::print::Printer;
use crate::shutdown::Shutdown;

/// How many times to play the playlist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loops {
    Times(u64),
    Forever,
}

impl Default for Loops {
    fn default() -> Self {
        Loops::Times(1)
    }
}

/// One file of a playlist and how to read it.
#[derive(Clone, Debug)]
pub struct PlaylistFile {
    pub path: PathBuf,
    /// The format, when the extension does not say.
    pub format: Option<Format>,
    /// Time zone of naive dates in headers.
    pub tz: TimeZone,
    /// Stop at the first malformed record.
    pub strict: bool,
}

impl PlaylistFile {
    pub fn new(path: impl Into<PathBuf>) -> PlaylistFile {
        PlaylistFile { path: path.into(), format: None, tz: TimeZone::default(), strict: false }
    }

    fn open(&self) -> Result<LogInput, LogError> {
        Ok(LogInput::open(&self.path, self.format, self.tz)?.strict(self.strict))
    }
}

/// Files played in order as one sequence; every file is opened when the playlist is made (so a
/// missing file fails before anything is sent), and again for each further loop.
pub struct Playlist {
    files: Vec<PlaylistFile>,
    opened: Vec<Option<LogInput>>,
}

impl Playlist {
    pub fn open(files: Vec<PlaylistFile>) -> Result<Playlist, LogError> {
        let opened = files.iter().map(|f| f.open().map(Some)).collect::<Result<_, _>>()?;
        Ok(Playlist { files, opened })
    }

    fn take(&mut self, index: usize) -> Result<LogInput, LogError> {
        match self.opened[index].take() {
            Some(input) => Ok(input),
            None => self.files[index].open(),
        }
    }
}

/// A destination bus.
pub struct Output {
    pub bus: Bus,
    /// How reports name it.
    pub name: String,
    /// The channel frames are sent with; `None` keeps the recorded one.
    pub channel: Option<Channel>,
    /// Frames sent to it.
    pub sent: u64,
}

/// The destination buses and which recorded channel goes where.
pub struct Outputs {
    pub buses: Vec<Output>,
    /// `(recorded channel, index into buses)`; empty = everything to `buses[0]`.
    routes: Vec<(String, usize)>,
    /// Channels already routed (or found unmapped), so the names are compared once per channel.
    seen: Vec<(Channel, Option<usize>)>,
}

impl Outputs {
    /// Every frame to one bus, with the channel it was recorded on.
    pub fn single(bus: Bus) -> Outputs {
        let name = bus.describe();
        Outputs {
            buses: vec![Output { bus, name, channel: None, sent: 0 }],
            routes: Vec::new(),
            seen: Vec::new(),
        }
    }

    /// No bus yet: add them with [`Outputs::add`] and route channels with [`Outputs::route_channel`].
    pub fn mapped() -> Outputs {
        Outputs { buses: Vec::new(), routes: Vec::new(), seen: Vec::new() }
    }

    /// Add a bus that frames are sent to with `channel`; returns its index.
    pub fn add(&mut self, bus: Bus, name: String, channel: Option<Channel>) -> usize {
        self.buses.push(Output { bus, name, channel, sent: 0 });
        self.buses.len() - 1
    }

    /// Send frames recorded on `source` (a name, or an ASC/BLF number where 1 is also `can0`) to
    /// bus `to`. Once any route exists, frames of channels no route names are not sent.
    pub fn route_channel(&mut self, source: &str, to: usize) -> Result<(), String> {
        if self.routes.iter().any(|(s, _)| s == source) {
            return Err(format!("channel {source} is mapped twice"));
        }
        self.routes.push((source.to_string(), to));
        Ok(())
    }

    /// The bus a frame goes to, `None` when its channel is not routed.
    pub fn route(&mut self, frame: &Frame) -> Option<usize> {
        if self.routes.is_empty() {
            return Some(0);
        }
        if let Some((_, to)) = self.seen.iter().find(|(c, _)| *c == frame.channel) {
            return *to;
        }
        let to = self
            .routes
            .iter()
            .find(|(source, _)| channel_matches(std::slice::from_ref(source), &frame.channel))
            .map(|(_, to)| *to);
        self.seen.push((frame.channel, to));
        to
    }

    /// Frames sent per bus, by name.
    pub fn counts(&self) -> Vec<(String, u64)> {
        self.buses.iter().map(|o| (o.name.clone(), o.sent)).collect()
    }
}

/// How a channel is named in messages.
pub fn channel_label(channel: &Channel) -> String {
    if channel.is_none() {
        "(no channel)".to_string()
    } else if let Some(n) = channel.as_number() {
        format!("{n} (can{})", n.saturating_sub(1))
    } else {
        channel.to_string()
    }
}

/// How to replay.
#[derive(Default)]
pub struct ReplayOptions {
    pub timing: Timing,
    pub loops: Loops,
    /// Which frames are sent (set `drop_error_frames` unless error frames are wanted).
    pub select: Select,
    /// Run the replay thread under `SCHED_FIFO` at this priority (1-99).
    pub realtime: Option<i32>,
    /// Print each frame as sent (with the time it was sent) on this stream.
    pub echo: Option<(Printer, Box<dyn Write + Send>)>,
}

/// Why a replay ended.
#[derive(Debug)]
pub enum ReplayEnd {
    /// Every loop of every file was played.
    Finished,
    /// The shutdown was triggered.
    Interrupted,
    /// The echo stream was closed (`| head`): a normal end.
    OutputClosed,
    /// Looping forever over files that send nothing would spin without end.
    NothingToSend,
    /// A file could not be read, a bus failed, or the echo could not be written.
    Failed(PipeError),
}

/// What a replay did.
#[derive(Debug, Default)]
pub struct ReplayReport {
    pub sent: u64,
    /// Outside the window, rejected by the filters, or error frames not wanted.
    pub filtered: u64,
    /// Frames of channels no route names, by channel label.
    pub unmapped: BTreeMap<String, u64>,
    /// Malformed records skipped (all files).
    pub malformed: u64,
    /// Records that are not frames (markers, comments, bus states), records readers skip on
    /// purpose and frames a bus cannot carry, by reason.
    pub other: BTreeMap<String, u64>,
    /// Frames the readers kept after mending a contradiction in their file, by reason.
    pub repaired: BTreeMap<String, u64>,
    /// Loops completed.
    pub loops_done: u64,
    /// Frames sent per bus.
    pub per_bus: Vec<(String, u64)>,
    /// How late frames were handed to their buses.
    pub lateness: Lateness,
    /// From the first frame's due time to the end.
    pub elapsed: Duration,
}

impl ReplayReport {
    pub fn unmapped_total(&self) -> u64 {
        self.unmapped.values().sum()
    }
}

/// Play `playlist` onto `outputs` until it ends, a failure, or the shutdown. Blocks the calling
/// thread (not an async task: see the module docs); `runtime` is the runtime the buses were
/// opened on. A realtime priority that cannot be had fails before anything is sent.
///
/// ```no_run
/// # fn example(runtime: &tokio::runtime::Runtime) -> Result<(), Box<dyn std::error::Error>> {
/// use cankit::replay::{replay, Outputs, Playlist, PlaylistFile, ReplayOptions};
/// use cankit::{pipe::Quiet, shutdown::Shutdown, Bus, BusConfig};
///
/// let bus = runtime.block_on(Bus::open(&BusConfig::new("socketcan", Some("vcan0"))))?;
/// let mut playlist = Playlist::open(vec![PlaylistFile::new("trace.blf")])?;
/// let mut outputs = Outputs::single(bus);
/// let (report, end) = replay(&mut playlist, &mut outputs, ReplayOptions::default(),
///                            runtime.handle(), &Shutdown::new(), &mut Quiet)?;
/// println!("{} frames sent, {:?}; p99 lateness {:?}", report.sent, end, report.lateness.quantile(0.99));
/// # Ok(())
/// # }
/// ```
pub fn replay(
    playlist: &mut Playlist,
    outputs: &mut Outputs,
    options: ReplayOptions,
    runtime: &Handle,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<(ReplayReport, ReplayEnd), PipeError> {
    tighten_timer_slack();
    if let Some(priority) = options.realtime {
        make_realtime(priority).map_err(|e| PipeError::Io {
            context: format!("--realtime {priority}: cannot use SCHED_FIFO"),
            source: e,
        })?;
    }
    let (echo, echo_out) = match options.echo {
        Some((printer, out)) => (Some(printer), Some(out)),
        None => (None, None),
    };
    let mut player = Player {
        loops: options.loops,
        select: options.select,
        scheduler: Scheduler::new(options.timing),
        outputs,
        runtime,
        shutdown,
        observer,
        report: ReplayReport::default(),
        started: None,
        echo,
        echo_out,
        printed: Vec::with_capacity(1 << 16),
        unsupported_warned: Vec::new(),
        waiter: if options.realtime.is_some() { Waiter::realtime() } else { Waiter::default() },
    };
    let end = player.play(playlist);
    let mut report = std::mem::take(&mut player.report);
    report.elapsed = player.started.map(|s| s.elapsed()).unwrap_or_default();
    report.filtered = player.select.dropped();
    report.per_bus = player.outputs.counts();
    Ok((report, end))
}

/// The state of one replay.
struct Player<'a> {
    loops: Loops,
    select: Select,
    scheduler: Scheduler,
    outputs: &'a mut Outputs,
    runtime: &'a Handle,
    shutdown: &'a Shutdown,
    observer: &'a mut dyn Observer,
    report: ReplayReport,
    /// The monotonic instant offsets count from: when the first frame was due.
    started: Option<Instant>,
    echo: Option<Printer>,
    echo_out: Option<Box<dyn Write + Send>>,
    printed: Vec<u8>,
    /// Reasons a bus refused a frame, each told once.
    unsupported_warned: Vec<String>,
    waiter: Waiter,
}

/// What sending one frame came to.
enum Sent {
    Yes,
    /// Not sent, go on (a frame the bus cannot carry).
    Skipped,
    Stop(ReplayEnd),
}

impl Player<'_> {
    fn play(&mut self, playlist: &mut Playlist) -> ReplayEnd {
        let mut round = 0u64;
        let end = 'outer: loop {
            if let Loops::Times(n) = self.loops {
                if round >= n {
                    break ReplayEnd::Finished;
                }
            }
            for index in 0..playlist.files.len() {
                let input = match playlist.take(index) {
                    Ok(input) => input,
                    Err(e) => break 'outer ReplayEnd::Failed(e.into()),
                };
                self.scheduler.start_segment();
                match self.play_file(input) {
                    ReplayEnd::Finished => {}
                    other => break 'outer other,
                }
            }
            round += 1;
            self.report.loops_done = round;
            if self.report.sent == 0 && self.loops == Loops::Forever {
                break ReplayEnd::NothingToSend;
            }
        };
        match self.flush_printed() {
            ReplayEnd::Finished => end,
            other => other,
        }
    }

    fn play_file(&mut self, mut input: LogInput) -> ReplayEnd {
        let end = loop {
            let record = match input.next_record(self.observer) {
                Ok(Some(record)) => record,
                Ok(None) => break ReplayEnd::Finished,
                Err(e) => break ReplayEnd::Failed(e),
            };
            let frame = match record {
                Record::Frame(frame) => frame,
                Record::Event(_) => {
                    crate::log::count(&mut self.report.other, "log events (markers, comments, states)");
                    continue;
                }
            };
            if !self.select.admit(&frame) {
                continue;
            }
            let Some(to) = self.outputs.route(&frame) else {
                let label = channel_label(&frame.channel);
                if !self.report.unmapped.contains_key(&label) {
                    self.observer.notice(&format!(
                        "channel {label} is not mapped: its frames are skipped (see --map)"
                    ));
                }
                *self.report.unmapped.entry(label).or_insert(0) += 1;
                continue;
            };
            match self.send_on_time(&frame, to) {
                Sent::Yes | Sent::Skipped => {}
                Sent::Stop(end) => break end,
            }
        };
        self.report.malformed += input.malformed;
        for (why, n) in input.skipped() {
            *self.report.other.entry(why.clone()).or_insert(0) += n;
        }
        for (why, n) in input.repaired() {
            *self.report.repaired.entry(why.clone()).or_insert(0) += n;
        }
        end
    }

    /// Wait for the frame's due time and send it.
    fn send_on_time(&mut self, frame: &Frame, to: usize) -> Sent {
        let offset = self.scheduler.next(frame.timestamp);
        let started = *self.started.get_or_insert_with(Instant::now);
        let due = started + offset;
        if !self.printed.is_empty()
            && (self.printed.len() >= 1 << 15 || until(due) > Duration::from_millis(2))
        {
            if let end @ (ReplayEnd::OutputClosed | ReplayEnd::Failed(_)) = self.flush_printed() {
                return Sent::Stop(end);
            }
        }
        if !self.waiter.wait_until(due, self.shutdown) {
            return Sent::Stop(ReplayEnd::Interrupted);
        }
        let output = &mut self.outputs.buses[to];
        let mut outgoing = *frame;
        if let Some(channel) = output.channel {
            outgoing.channel = channel;
        }
        // The runtime drives the bus; a socket with room takes the frame at the first poll.
        let sent = self.runtime.block_on(output.bus.send(&outgoing));
        match sent {
            Ok(()) => {}
            Err(BusError::Unsupported { interface, message }) => {
                let why = format!("not sendable on {}: {message}", output.name);
                crate::log::count(&mut self.report.other, &why);
                if !self.unsupported_warned.contains(&why) {
                    self.unsupported_warned.push(why);
                    self.observer.notice(&format!("{interface}: {message}; such frames are skipped"));
                }
                return Sent::Skipped;
            }
            Err(e) => {
                return Sent::Stop(ReplayEnd::Failed(PipeError::Send {
                    bus: output.bus.describe(),
                    source: e,
                }))
            }
        }
        self.report.lateness.record(Instant::now().saturating_duration_since(due));
        output.sent += 1;
        self.report.sent += 1;
        if let Some(printer) = &self.echo {
            printer.frame(&mut self.printed, &outgoing.with_timestamp(Timestamp::now()));
        }
        Sent::Yes
    }

    fn flush_printed(&mut self) -> ReplayEnd {
        let Some(out) = self.echo_out.as_mut() else { return ReplayEnd::Finished };
        match write_out(out, &mut self.printed) {
            Ok(true) => ReplayEnd::Finished,
            Ok(false) => ReplayEnd::OutputClosed,
            Err(e) => ReplayEnd::Failed(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_route_by_name_or_number_and_unmapped_channels_go_nowhere() {
        let mut outputs = Outputs::mapped();
        let mut ends = Vec::new();
        for name in ["route-a", "route-b"] {
            let bus = Bus::open(&crate::BusConfig::new("virtual", Some(name))).await.unwrap();
            ends.push(outputs.add(bus, name.into(), Some(Channel::name(name))));
        }
        let (a, b) = (ends[0], ends[1]);
        for (source, to) in [("can0", a), ("can1", b), ("vcan7", a)] {
            outputs.route_channel(source, to).unwrap();
        }
        assert!(outputs.route_channel("can0", b).unwrap_err().contains("mapped twice"));
        let frame = |c: Channel| Frame::new_data(1, false, &[]).unwrap().with_channel(c);
        // Number 1 is can0 in candump lines; number 2 is can1.
        assert_eq!(outputs.route(&frame(Channel::number(1))), Some(0));
        assert_eq!(outputs.route(&frame(Channel::number(2))), Some(1));
        assert_eq!(outputs.route(&frame(Channel::name("can1"))), Some(1));
        assert_eq!(outputs.route(&frame(Channel::name("vcan7"))), Some(0));
        assert_eq!(outputs.route(&frame(Channel::name("can2"))), None);
        assert_eq!(outputs.route(&frame(Channel::number(3))), None);
        assert_eq!(outputs.route(&frame(Channel::NONE)), None);
        assert_eq!(outputs.route(&frame(Channel::number(1))), Some(0), "cached answer");
        assert_eq!(channel_label(&Channel::number(3)), "3 (can2)");
    }
}
