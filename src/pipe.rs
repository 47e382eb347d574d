//! The pipe every tool is made of: a source of records, stages that select and bound them, and a
//! sink that takes them.
//!
//! * Sources: a bus or a hub subscription ([`EventSource`], async), or log files
//!   ([`LogInput`], a synchronous reader with the malformed-record policy).
//! * Stages: [`Select`] (candump filters, channels, a time window, error frames) for records
//!   from files, where the bus cannot filter for us; [`Limits`] (count, idle time, duration) for
//!   live sources; the replay schedule ([`crate::replay`]) for frames going back onto a bus.
//! * Sinks: a log writer ([`Sink`] for any [`LogWriter`], or [`crate::record`] with rotation and
//!   crash safety on its own thread), a [`Printer`] on a stream ([`print_events`]), buses
//!   ([`crate::replay`]), or anything implementing [`Sink`] (`canlogger info`'s summary is one).
//!
//! `canlogger convert` is [`run_files`] with a log writer at the end and `canlogger info` the same
//! with a summary; `watch` and `wait` are [`print_events`]; recording and replay are
//! [`crate::record::record`] and [`crate::replay::replay`], built from the same pieces.
//! What happens along the way (a malformed record skipped, a bus state change, frames the kernel
//! dropped) is told to an [`Observer`], so a command-line tool prints it and a server logs it,
//! each in one place. Every loop stops when its [`Shutdown`] is triggered and finishes its sink.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::bus::hub::Subscription;
use crate::bus::{Bus, BusError, BusEvent, BusStats};
use crate::filter::FilterSet;
use crate::frame::{Channel, Frame, Timestamp};
use crate::log::{self, Counts, Format, LogError, LogReader, LogWriter, ReadOptions, Record, TimeZone};
use crate::print::Printer;
use crate::shutdown::Shutdown;

/// What can stop a pipe before its source ends.
#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error(transparent)]
    Log(#[from] LogError),
    /// A malformed record with [`LogInput::strict`] set.
    #[error("{0} (stopped: --strict)")]
    Strict(LogError),
    /// A bus refused a frame for a reason other than the frame itself.
    #[error("sending to {bus}: {source}")]
    Send {
        bus: String,
        #[source]
        source: BusError,
    },
    /// Options that contradict each other or what the output can do.
    #[error("{0}")]
    Invalid(String),
    /// Writing somewhere that is not a log file (standard output, a thread that would not start).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// Told what happens along a pipe that is not a record: the place for messages. Every method
/// does nothing by default.
pub trait Observer: Send {
    /// A bus event that is not a frame: frames the receive buffer dropped, a state change, a
    /// datagram that was not a frame.
    fn bus_event(&mut self, _event: &BusEvent) {}
    /// A malformed record that was skipped (not with [`LogInput::strict`]).
    fn malformed(&mut self, _error: &LogError) {}
    /// Something worth telling a person: a channel no mapping names, a bus that failed while a
    /// file is being finished, a frame a bus cannot carry.
    fn notice(&mut self, _message: &str) {}
    /// Reading a file has reached byte `done` of `total` (called every few thousand records).
    fn progress(&mut self, _done: u64, _total: u64) {}
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {}

/// Live events: a bus, or a subscription to a shared one.
pub trait EventSource: Send {
    /// The next event.
    fn recv(&mut self) -> impl std::future::Future<Output = Result<BusEvent, BusError>> + Send;
    /// The next event if one is ready now. Sources that cannot tell without waiting say `None`
    /// and the pipe waits in [`EventSource::recv`].
    fn try_recv(&mut self) -> Result<Option<BusEvent>, BusError> {
        Ok(None)
    }
    /// The source's counters, for summaries (the bus's own, for a subscription).
    fn stats(&self) -> BusStats;
}

impl EventSource for Bus {
    fn recv(&mut self) -> impl std::future::Future<Output = Result<BusEvent, BusError>> + Send {
        Bus::recv(self)
    }
    fn try_recv(&mut self) -> Result<Option<BusEvent>, BusError> {
        Bus::try_recv(self)
    }
    fn stats(&self) -> BusStats {
        Bus::stats(self)
    }
}

impl EventSource for Subscription {
    fn recv(&mut self) -> impl std::future::Future<Output = Result<BusEvent, BusError>> + Send {
        Subscription::recv(self)
    }
    fn try_recv(&mut self) -> Result<Option<BusEvent>, BusError> {
        Subscription::try_recv(self)
    }
    fn stats(&self) -> BusStats {
        Subscription::stats(self)
    }
}

/// A point in time given by a user: absolute, or an offset from the first frame seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBound {
    Absolute(Timestamp),
    AfterFirst(Duration),
}

impl TimeBound {
    /// UNIX seconds (`1700000000.5`), a date (`2024-03-01T12:00:00`, UTC) or an offset from the
    /// first frame (`10s`, `1m30s`).
    pub fn parse(s: &str) -> Result<TimeBound, String> {
        let t = s.trim();
        if let Ok(secs) = t.parse::<f64>() {
            if secs.is_finite() {
                return Ok(TimeBound::Absolute(Timestamp::from_secs_f64(secs)));
            }
        }
        if let Ok(d) = humantime::parse_duration(t) {
            return Ok(TimeBound::AfterFirst(d));
        }
        if let Ok(at) = humantime::parse_rfc3339_weak(t) {
            return Ok(TimeBound::Absolute(Timestamp::from_system_time(at)));
        }
        Err(format!(
            "'{s}' is not a time: give UNIX seconds, a date like 2024-03-01T12:00:00, or an offset like 10s"
        ))
    }

    fn resolve(self, first: Timestamp) -> Timestamp {
        match self {
            TimeBound::Absolute(t) => t,
            TimeBound::AfterFirst(d) => {
                Timestamp(first.0.saturating_add(d.as_nanos().min(i64::MAX as u128) as i64))
            }
        }
    }
}

/// Which frames from files go on: the selection stage of convert and replay. Everything passes
/// by default; each builder method adds a condition.
#[derive(Clone, Debug, Default)]
pub struct Select {
    /// candump filters; pass-all by default.
    filter: FilterSet,
    /// Channels to keep; all when empty.
    channels: Vec<String>,
    start: Option<TimeBound>,
    end: Option<TimeBound>,
    drop_error_frames: bool,
    /// The window resolved at the first frame.
    window: Option<(Option<Timestamp>, Option<Timestamp>)>,
    /// Frames this stage dropped.
    dropped: u64,
}

impl Select {
    /// Everything passes.
    pub fn new() -> Select {
        Select::default()
    }

    /// Keep only frames these candump filters pass.
    pub fn filter(mut self, filter: FilterSet) -> Select {
        self.filter = filter;
        self
    }

    /// Keep only frames of these channels (names as written, or ASC/BLF numbers, where 1 is also
    /// `can0`); all when empty.
    pub fn channels(mut self, channels: Vec<String>) -> Select {
        self.channels = channels;
        self
    }

    /// Drop frames before `start` and after `end`; offsets count from the first frame seen.
    pub fn window(mut self, start: Option<TimeBound>, end: Option<TimeBound>) -> Select {
        (self.start, self.end) = (start, end);
        self
    }

    /// Drop error frames (a replay sends them only when asked, as python-can's player does).
    pub fn drop_error_frames(mut self, drop: bool) -> Select {
        self.drop_error_frames = drop;
        self
    }

    /// Frames this stage dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Whether a frame goes on; counts those that do not.
    pub fn admit(&mut self, frame: &Frame) -> bool {
        let (start, end) = (self.start, self.end);
        let (lo, hi) = *self.window.get_or_insert_with(|| {
            (start.map(|b| b.resolve(frame.timestamp)), end.map(|b| b.resolve(frame.timestamp)))
        });
        let keep = lo.is_none_or(|lo| frame.timestamp >= lo)
            && hi.is_none_or(|hi| frame.timestamp <= hi)
            && !(self.drop_error_frames && frame.is_error())
            && (self.channels.is_empty() || channel_matches(&self.channels, &frame.channel))
            && self.filter.matches(frame);
        if !keep {
            self.dropped += 1;
        }
        keep
    }
}

/// Whether `channel` is one of `wanted`: names compare as written; a numbered channel (ASC/BLF,
/// counted from 1) matches its number or the name candump lines give it (`can0` is number 1).
pub fn channel_matches(wanted: &[String], channel: &Channel) -> bool {
    wanted.iter().any(|w| match (channel.as_name(), channel.as_number()) {
        (Some(name), _) => name == w,
        (None, Some(n)) => {
            w.parse::<u32>().ok() == Some(n)
                || w.strip_prefix("can").and_then(|d| d.parse::<u32>().ok()).and_then(|d| d.checked_add(1))
                    == Some(n)
        }
        (None, None) => false,
    })
}

/// How often (in records) a file source reports its progress.
const PROGRESS_EVERY: u64 = 8192;

/// A log file as a source, with cankit's error policy: a malformed record is told to the
/// observer, counted and skipped, or ends the pipe with [`PipeError::Strict`].
pub struct LogInput {
    reader: Box<dyn LogReader + Send>,
    /// Stop at the first malformed record instead of skipping it.
    pub strict: bool,
    /// Malformed records skipped.
    pub malformed: u64,
    /// Bytes of the file read so far (the reader counts), and the file's size (0 for a stream).
    read: Arc<AtomicU64>,
    size: u64,
    records: u64,
}

impl LogInput {
    /// Open a log file (`-` = standard input); the format comes from `format` or the extension.
    pub fn open(path: &Path, format: Option<Format>, tz: TimeZone) -> Result<LogInput, LogError> {
        let read = Arc::new(AtomicU64::new(0));
        let options = ReadOptions { tz, progress: Some(read.clone()) };
        let reader = log::open_reader(path, format, &options)?;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        Ok(LogInput { reader, strict: false, malformed: 0, read, size, records: 0 })
    }

    /// With `strict`, the first malformed record ends the pipe.
    pub fn strict(mut self, strict: bool) -> LogInput {
        self.strict = strict;
        self
    }

    /// The next record, or `None` at the end.
    pub fn next_record(&mut self, observer: &mut dyn Observer) -> Result<Option<Record>, PipeError> {
        loop {
            self.records += 1;
            if self.records % PROGRESS_EVERY == 0 && self.size > 0 {
                observer.progress(self.read.load(Ordering::Relaxed).min(self.size), self.size);
            }
            match self.reader.next() {
                None => return Ok(None),
                Some(Ok(r)) => return Ok(Some(r)),
                Some(Err(e)) if e.is_recoverable() => {
                    if self.strict {
                        return Err(PipeError::Strict(e));
                    }
                    self.malformed += 1;
                    observer.malformed(&e);
                }
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    /// Records the reader skipped on purpose (not malformed), by reason.
    pub fn skipped(&self) -> &Counts {
        self.reader.skipped()
    }

    /// Frames the reader kept after mending a contradiction in the file, by reason.
    pub fn repaired(&self) -> &Counts {
        self.reader.repaired()
    }
}

/// The end of a pipe over records.
pub trait Sink {
    fn put(&mut self, record: &Record) -> Result<(), PipeError>;
    /// Finish the output (trailer, header counts, commit); called once, also after an error, so
    /// what was put so far stays readable.
    fn finish(&mut self) -> Result<(), PipeError> {
        Ok(())
    }
}

impl Sink for Box<dyn LogWriter + Send> {
    fn put(&mut self, record: &Record) -> Result<(), PipeError> {
        Ok(self.write(record)?)
    }
    fn finish(&mut self) -> Result<(), PipeError> {
        Ok(LogWriter::finish(self.as_mut())?)
    }
}

/// What [`run_files`] passed on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Passed {
    pub frames: u64,
    pub events: u64,
    /// Whether the shutdown stopped it before the end of its input.
    pub interrupted: bool,
}

/// Records from a file, through the selection, into the sink, until the file ends or the
/// shutdown is triggered; the sink is finished in every case. An error while reading or writing
/// is returned after the sink is finished (the counts so far are lost with it: the output says).
pub fn run_files(
    input: &mut LogInput,
    select: &mut Select,
    sink: &mut dyn Sink,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<Passed, PipeError> {
    let mut passed = Passed::default();
    let mut run = || -> Result<(), PipeError> {
        while let Some(record) = input.next_record(observer)? {
            // One atomic load per record, also for records the selection drops: a conversion
            // that keeps nothing still stops on Ctrl-C.
            if shutdown.is_triggered() {
                passed.interrupted = true;
                return Ok(());
            }
            if let Record::Frame(f) = &record {
                if !select.admit(f) {
                    continue;
                }
                passed.frames += 1;
            } else {
                passed.events += 1;
            }
            sink.put(&record)?;
        }
        Ok(())
    };
    let result = run();
    let finished = sink.finish();
    result?;
    finished?;
    Ok(passed)
}

/// When a live pipe ends, besides its source failing or the shutdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// After this many frames.
    pub count: Option<u64>,
    /// When no frame arrived for this long.
    pub idle: Option<Duration>,
    /// This long after the start, whatever arrives.
    pub duration: Option<Duration>,
}

/// Why a live pipe ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// [`Limits::count`] frames passed.
    Count,
    /// [`Limits::idle`] or [`Limits::duration`] passed.
    Timeout,
    /// The shutdown was triggered.
    Shutdown,
    /// The output was closed (`| head`): a normal end.
    OutputClosed,
}

/// Bytes of printed frames gathered before they are written out.
const PRINT_BATCH: usize = 60_000;

/// Print a live source's frames (and its events, where the printer shows them) until a limit,
/// the shutdown, or a closed output; events that are not frames also go to the observer. Returns
/// the frames printed and why it stopped. Events ready at once are printed in large batches
/// without going back to the reactor.
pub async fn print_events<S: EventSource, W: Write>(
    source: &mut S,
    printer: &Printer,
    out: &mut W,
    limits: Limits,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<(u64, StopReason), PipeError> {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut frames = 0u64;
    let start = tokio::time::Instant::now();
    let mut last_frame = start;
    let mut handle = |event: BusEvent, buf: &mut Vec<u8>| -> bool {
        if let BusEvent::Frame(f) = &event {
            printer.frame(buf, f);
            return true;
        }
        observer.bus_event(&event);
        printer.event(buf, &event);
        false
    };
    let reason = 'outer: loop {
        loop {
            if limits.count.is_some_and(|c| frames >= c) {
                break 'outer StopReason::Count;
            }
            let Some(event) = source.try_recv()? else { break };
            if handle(event, &mut buf) {
                frames += 1;
                last_frame = tokio::time::Instant::now();
            }
            if buf.len() >= PRINT_BATCH && !write_out(out, &mut buf)? {
                break 'outer StopReason::OutputClosed;
            }
        }
        if !write_out(out, &mut buf)? {
            break StopReason::OutputClosed;
        }
        let idle_end = limits.idle.map(|d| last_frame + d);
        let hard_end = limits.duration.map(|d| start + d);
        let end = match (idle_end, hard_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tokio::select! {
            biased;
            _ = shutdown.triggered() => break StopReason::Shutdown,
            _ = sleep_until(end) => break StopReason::Timeout,
            event = source.recv() => {
                if handle(event?, &mut buf) {
                    frames += 1;
                    last_frame = tokio::time::Instant::now();
                }
            }
        }
    };
    if !write_out(out, &mut buf)? {
        return Ok((frames, StopReason::OutputClosed));
    }
    Ok((frames, reason))
}

/// Sleep until `end`, or forever without one (for `select!` arms that may not apply).
pub(crate) async fn sleep_until(end: Option<tokio::time::Instant>) {
    match end {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// Write a batch out. A closed pipe (`| head`) is a normal end, reported as `Ok(false)`.
pub fn write_out(out: &mut impl Write, buf: &mut Vec<u8>) -> Result<bool, PipeError> {
    if buf.is_empty() {
        return Ok(true);
    }
    let result = out.write_all(buf).and_then(|_| out.flush());
    buf.clear();
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(PipeError::Io { context: "writing to standard output".into(), source: e }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::BusConfig;

    fn frame_at(id: u32, ms: i64, channel: Channel) -> Frame {
        Frame::new_data(id, false, &[1])
            .unwrap()
            .with_timestamp(Timestamp(ms * 1_000_000))
            .with_channel(channel)
    }

    #[test]
    fn select_applies_window_channels_filter_and_error_rule_once_each() {
        let mut select = Select::new()
            .filter(FilterSet::parse(&["100:700"]).unwrap())
            .channels(vec!["can0".into()])
            .window(
                Some(TimeBound::AfterFirst(Duration::from_millis(10))),
                Some(TimeBound::AfterFirst(Duration::from_millis(30))),
            )
            .drop_error_frames(true);
        let one = Channel::number(1);
        let kept: Vec<bool> = [
            frame_at(0x100, 0, one),                 // before the window (resolved at this frame)
            frame_at(0x100, 10, one),                // at its start
            frame_at(0x200, 20, one),                // filtered
            frame_at(0x101, 20, Channel::number(2)), // another channel
            frame_at(0x1FF, 30, Channel::name("can0")),
            frame_at(0x100, 31, one), // after the end
        ]
        .iter()
        .map(|f| select.admit(f))
        .collect();
        assert_eq!(kept, [false, true, false, false, true, false]);
        let error = Frame::new_error(0x40, [0; 8]).unwrap().with_timestamp(Timestamp(15_000_000));
        assert!(!select.admit(&error));
        assert_eq!(select.dropped(), 5);
        assert!(TimeBound::parse("yesterday-ish").unwrap_err().contains("not a time"));
        assert_eq!(TimeBound::parse("1.5").unwrap(), TimeBound::Absolute(Timestamp(1_500_000_000)));
    }

    #[tokio::test]
    async fn print_events_stops_at_the_count_the_idle_time_and_the_shutdown() {
        let cfg = BusConfig::new("virtual", Some("pipe-print"));
        let tx = Bus::open(&cfg).await.unwrap();
        let mut rx = Bus::open(&cfg).await.unwrap();
        for id in 1..=3 {
            tx.send(&Frame::new_data(id, false, &[]).unwrap()).await.unwrap();
        }
        let printer = Printer::new(crate::print::Format::Log);
        let shutdown = Shutdown::new();
        let mut out = Vec::new();
        let limits = Limits { count: Some(2), ..Limits::default() };
        let (n, why) =
            print_events(&mut rx, &printer, &mut out, limits, &shutdown, &mut Quiet).await.unwrap();
        assert_eq!((n, why), (2, StopReason::Count));
        let idle = Limits { idle: Some(Duration::from_millis(50)), ..Limits::default() };
        let (n, why) = print_events(&mut rx, &printer, &mut out, idle, &shutdown, &mut Quiet).await.unwrap();
        assert_eq!((n, why), (1, StopReason::Timeout));
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
        shutdown.trigger();
        let (n, why) =
            print_events(&mut rx, &printer, &mut Vec::new(), Limits::default(), &shutdown, &mut Quiet)
                .await
                .unwrap();
        assert_eq!((n, why), (0, StopReason::Shutdown));
    }
}
