//! Recording, `canlogger`'s default action: capture a bus into log files of any format, with
//! rotation, crash safety and a summary; without `-f` it prints like `watch`.
//!
//! Two threads share the work so that writing never holds up receiving: the receive loop (the
//! async runtime's thread) gathers frames and bus events into batches; a writer thread formats
//! them into the current file, flushes every `--flush-interval`, rotates and deletes old files. A
//! third thread `fsync`s each flushed file, so a slow disk delays durability, not the recording.
//! The batch queue is bounded: if the disk cannot keep up, the receive loop waits and the kernel's
//! receive buffer fills, and any frames lost there are reported (and logged) as drops.
//!
//! Crash safety: every flush interval the writer hands everything received to the file
//! ([`LogWriter::flush`]: text flushed, BLF container closed and header updated, SQLite committed)
//! and the syncer makes it durable. After a SIGKILL everything received more than one flush
//! interval before is in the file, which the readers accept; after a power cut, everything more
//! than one flush interval plus one `fsync` before.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::time::Instant as TokioInstant;

use super::rotation::{parse_size, Namer};
use super::watch::{print_frames, Signals, StopWhen};
use crate::bus::{Bus, BusEvent};
use crate::cli::{exit, parse_duration, BusArgs, CliError, FormatArgs};
use crate::filter::FilterSet;
use crate::frame::{Channel, Timestamp};
use crate::log::{self, Counts, Event, EventKind, Format, LogError, LogWriter, Record, WriteOptions};

pub(crate) const AFTER_HELP: &str = "\
Recording (the default action, when no subcommand is given):
  canlogger -f trace.blf                          # until Ctrl-C; any of asc, blf, log, trc, csv, db
  canlogger -i socketcan -c can0 -f can0.log.gz --duration 10m
  canlogger -f trace.blf --rotate-size 100MB --keep 10
  canlogger -f 'run-{n}.asc' --rotate-interval 1h  # run-001.asc, run-002.asc, ...
  canlogger -n 100 --format log                   # no file: print like `watch`

Rotated files are named after their UTC start time (trace_2026-11-22T023000Z.blf) unless the name \
holds {time} or {n}; each one is complete on its own. Everything received more than one \
--flush-interval before a crash (SIGKILL, power cut) is in the file.";

/// Recording options (the default action: `canlogger [OPTIONS]`).
#[derive(Args, Debug, Clone)]
pub struct RecordArgs {
    /// Record into FILE; the format comes from the extension (asc, blf, log, trc, csv, db, and
    /// .gz on the text formats). Without it, frames are printed on stdout as `watch` does
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Append to FILE instead of replacing it (candump log and CSV; SQLite always appends, as
    /// python-can does)
    #[arg(short = 'a', long = "append", conflicts_with_all = ["rotate_size", "rotate_interval"])]
    pub append: bool,
    /// Start a new file when the current one reaches SIZE, e.g. 100MB, 1GiB, 5000000
    /// (python-can's -s/--file-size, in bytes)
    #[arg(short = 's', long = "rotate-size", visible_alias = "file-size", value_name = "SIZE",
          value_parser = parse_size)]
    pub rotate_size: Option<u64>,
    /// Start a new file when the current one is this old, e.g. 1h, 15m
    #[arg(long = "rotate-interval", value_name = "DURATION", value_parser = parse_positive_duration)]
    pub rotate_interval: Option<Duration>,
    /// With rotation: keep only the newest N files of this name, deleting older ones
    #[arg(long = "keep", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub keep: Option<u64>,
    /// Stop after COUNT frames
    #[arg(short = 'n', long = "count", value_name = "COUNT")]
    pub count: Option<u64>,
    /// Stop after this long, e.g. 10m, 2h
    #[arg(long = "duration", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Hand everything received to the file and the disk this often (0 = after every batch)
    #[arg(long = "flush-interval", value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    pub flush_interval: Duration,
    /// candump filter expression(s), e.g. 123:7FF,400~700,#FF,j
    #[arg(long = "filter", value_name = "FILTER")]
    pub filter: Vec<String>,
    /// zlib level for BLF and .gz files (0-9)
    #[arg(long = "level", value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub level: u32,
    /// No summary on stderr
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

impl RecordArgs {
    /// True when any recording option was given (they make no sense with a subcommand).
    pub fn given(&self) -> bool {
        self.file.is_some()
            || self.append
            || self.rotate_size.is_some()
            || self.rotate_interval.is_some()
            || self.keep.is_some()
            || self.count.is_some()
            || self.duration.is_some()
            || self.flush_interval != Duration::from_secs(1)
            || !self.filter.is_empty()
            || self.level != 6
            || self.quiet
            || self.format.format != "human"
            || self.format.nanos
    }
}

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err("must be longer than 0".into());
    }
    Ok(d)
}

/// Records per batch handed to the writer thread.
const BATCH: usize = 1024;
/// Batches the queue holds before the receive loop waits for the writer: with full batches,
/// over a second of traffic at 100,000 frames/s (about 18 MB), so a commit or a slow disk write
/// is absorbed here rather than by the kernel's receive buffer.
const QUEUE: usize = 128;
/// A batch that is not full goes to the writer after this long (batches are the queue's unit,
/// so they must not be tiny).
const BATCH_AGE: Duration = Duration::from_millis(10);
/// Records written before the first flush of a file that rotates by size, so its bytes per
/// record are known early.
const CALIBRATE_AFTER: u64 = 1000;

pub async fn run(bus_args: &BusArgs, args: RecordArgs) -> Result<u8, CliError> {
    let filter = FilterSet::parse(&args.filter)?;
    let rotating = args.rotate_size.is_some() || args.rotate_interval.is_some();
    if args.keep.is_some() && !rotating {
        return Err(CliError::Usage("--keep needs --rotate-size or --rotate-interval".into()));
    }
    let Some(path) = args.file.clone() else {
        if rotating || args.append {
            return Err(CliError::Usage("rotation and --append need a file (-f FILE)".into()));
        }
        return print_only(bus_args, &args, filter).await;
    };
    if path == std::path::Path::new("-") {
        return Err(CliError::Usage(
            "-f -: to print frames on stdout leave out -f (--format log prints candump log lines)".into(),
        ));
    }
    let (format, _) = log::format_of(&path, None).map_err(CliError::Log)?;
    if args.append && matches!(format, Format::Asc | Format::Trc | Format::Blf) {
        return Err(CliError::Usage(format!(
            "--append: cankit cannot append to {} files (their header describes the whole file); \
             use a new file or rotation",
            format.name().to_ascii_uppercase()
        )));
    }
    let mut signals = Signals::install()?;
    let mut bus = bus_args.open("canlogger").await?;
    bus.set_filter(filter)?;
    let options =
        WriteOptions { compression_level: args.level, append: args.append, ..WriteOptions::default() };
    let mut plan = Plan {
        namer: Namer::new(&path, rotating),
        options,
        rotate_size: args.rotate_size,
        rotate_interval: args.rotate_interval,
        keep: args.keep,
        flush_interval: args.flush_interval,
    };
    // The first file is opened here so an unwritable path fails before anything is received.
    let first = Output::open(plan.namer.next(Timestamp::now()), &plan.options).map_err(CliError::Log)?;
    let (tx, rx) = mpsc::sync_channel::<Vec<Record>>(QUEUE);
    // Closed when the writer thread ends, so a failed write stops the recording at once even
    // when no frame arrives.
    let (writer_alive, writer_gone) = tokio::sync::oneshot::channel::<()>();
    let writer = std::thread::Builder::new()
        .name("canlogger-writer".into())
        .spawn(move || {
            let _alive = writer_alive;
            write_loop(plan, first, rx)
        })
        .map_err(|e| CliError::Io { context: "starting the writer thread".into(), source: e })?;

    let stop = StopWhen { count: args.count, idle: None, deadline: args.duration };
    let received = receive_loop(&bus, &mut signals, &tx, writer_gone, stop).await;
    drop(tx);
    let (totals, write_error) = writer.join().unwrap_or_else(|_| {
        let panic = std::io::Error::other("panic");
        (Totals::default(), Some(CliError::Io { context: "the writer thread failed".into(), source: panic }))
    });
    let stats = bus.stats();
    if !args.quiet {
        print_summary(&received.counts, &totals, stats.dropped);
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    match received.error {
        Some(e) => Err(e),
        None => Ok(exit::OK),
    }
}

/// No file: print like `watch`, stopping after `-n` or `--duration`.
async fn print_only(bus_args: &BusArgs, args: &RecordArgs, filter: FilterSet) -> Result<u8, CliError> {
    let printer = args.format.printer();
    let mut signals = Signals::install()?;
    let mut bus = bus_args.open("canlogger").await?;
    bus.set_filter(filter)?;
    let stop = StopWhen { count: args.count, idle: None, deadline: args.duration };
    let (frames, _) = print_frames(&bus, &mut signals, &printer, stop, "canlogger").await?;
    let stats = bus.stats();
    if !args.quiet && (bus_args.verbose || stats.dropped > 0) {
        eprintln!("canlogger: {frames} frames shown, {} dropped by the receive buffer", stats.dropped);
    }
    Ok(exit::OK)
}

/// What the receive loop saw.
#[derive(Default, Debug)]
struct Received {
    frames: u64,
    error_frames: u64,
    state_changes: u64,
    invalid: u64,
}

struct ReceiveOutcome {
    counts: Received,
    /// The bus failed (the recording so far is kept).
    error: Option<CliError>,
}

/// Receive until a stop condition, handing records to the writer in batches.
async fn receive_loop(
    bus: &Bus,
    signals: &mut Signals,
    tx: &SyncSender<Vec<Record>>,
    mut writer_gone: tokio::sync::oneshot::Receiver<()>,
    stop: StopWhen,
) -> ReceiveOutcome {
    let mut counts = Received::default();
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH);
    let deadline = stop.deadline.map(|d| TokioInstant::now() + d);
    let mut error = None;
    // Hands the batch over; false when the writer has stopped (it reports why).
    let send = |batch: &mut Vec<Record>| -> bool {
        if batch.is_empty() {
            return true;
        }
        tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH))).is_ok()
    };
    let mut batch_started = TokioInstant::now();
    'outer: loop {
        loop {
            if stop.count.is_some_and(|c| counts.frames >= c) {
                break 'outer;
            }
            match bus.try_recv() {
                Ok(Some(ev)) => {
                    if batch.is_empty() {
                        batch_started = TokioInstant::now();
                    }
                    counts.take(ev, &mut batch);
                    if batch.len() >= BATCH && !send(&mut batch) {
                        break 'outer;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    error = Some(bus_failed(e));
                    break 'outer;
                }
            }
        }
        let batch_due = (!batch.is_empty()).then(|| batch_started + BATCH_AGE);
        if batch_due.is_some_and(|due| due <= TokioInstant::now()) {
            if !send(&mut batch) {
                break;
            }
            continue;
        }
        tokio::select! {
            biased;
            _ = signals.interrupt.recv() => break,
            _ = signals.terminate.recv() => break,
            _ = sleep_until(deadline) => break,
            _ = &mut writer_gone => break,
            _ = sleep_until(batch_due) => {
                if !send(&mut batch) {
                    break;
                }
            }
            ev = bus.recv() => match ev {
                Ok(ev) => {
                    if batch.is_empty() {
                        batch_started = TokioInstant::now();
                    }
                    counts.take(ev, &mut batch)
                }
                Err(e) => {
                    error = Some(bus_failed(e));
                    break;
                }
            }
        }
    }
    send(&mut batch);
    ReceiveOutcome { counts, error }
}

fn bus_failed(e: crate::bus::BusError) -> CliError {
    eprintln!("canlogger: the bus failed: {e}; finishing the file");
    CliError::Bus(e)
}

impl Received {
    fn take(&mut self, event: BusEvent, batch: &mut Vec<Record>) {
        match event {
            BusEvent::Frame(f) => {
                self.frames += 1;
                if f.is_error() {
                    self.error_frames += 1;
                }
                batch.push(Record::Frame(f));
            }
            BusEvent::Dropped { count } => {
                eprintln!(
                    "canlogger: {count} frames dropped before they could be read (receive buffer overflow)"
                );
                batch.push(event_record(EventKind::Dropped(count)));
            }
            BusEvent::State(s) => {
                self.state_changes += 1;
                eprintln!("canlogger: bus state is now {s}");
                batch.push(event_record(EventKind::BusState(s)));
            }
            BusEvent::Invalid { source, reason } => {
                self.invalid += 1;
                if self.invalid <= 5 {
                    eprintln!("canlogger: ignored invalid datagram from {source}: {reason}");
                }
            }
        }
    }
}

fn event_record(kind: EventKind) -> Record {
    Record::Event(Event { timestamp: Timestamp::now(), channel: Channel::NONE, kind })
}

async fn sleep_until(end: Option<TokioInstant>) {
    match end {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// How files are made, rotated and kept.
struct Plan {
    namer: Namer,
    options: WriteOptions,
    rotate_size: Option<u64>,
    rotate_interval: Option<Duration>,
    keep: Option<u64>,
    flush_interval: Duration,
}

/// The file being written.
struct Output {
    writer: Box<dyn LogWriter + Send>,
    path: PathBuf,
    name: String,
    /// A second handle on the file, for `fsync` by the syncer thread.
    sync_handle: Option<File>,
    opened: Instant,
    /// Records written, and how many of them (and their bytes on disk) the last flush covered:
    /// the file's size between flushes is estimated from them, as buffers hide it.
    records: u64,
    flushed_records: u64,
    flushed_bytes: u64,
}

impl Output {
    fn open(path: PathBuf, options: &WriteOptions) -> Result<Output, LogError> {
        let writer = log::create_writer(&path, None, options)?;
        let name = path.display().to_string();
        let sync_handle = File::open(&path).ok();
        Ok(Output {
            writer,
            path,
            name,
            sync_handle,
            opened: Instant::now(),
            records: 0,
            flushed_records: 0,
            flushed_bytes: 0,
        })
    }

    fn size(&self) -> u64 {
        std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0)
    }

    /// Hand everything to the file (and the syncer); note the size for estimates.
    fn flush(&mut self, syncer: &Syncer) -> Result<(), CliError> {
        self.writer.flush().map_err(CliError::Log)?;
        self.flushed_records = self.records;
        self.flushed_bytes = self.size();
        syncer.request(self);
        match syncer.failure() {
            Some(why) => Err(CliError::Io {
                context: format!("{}: making the recording durable (fsync)", self.name),
                source: std::io::Error::other(why),
            }),
            None => Ok(()),
        }
    }

    /// The file's size once everything written is flushed: the flushed bytes plus the records
    /// since at the flushed bytes-per-record rate.
    fn estimated_size(&self) -> u64 {
        if self.flushed_records == 0 {
            return self.size();
        }
        let per_record = self.flushed_bytes as f64 / self.flushed_records as f64;
        self.flushed_bytes + ((self.records - self.flushed_records) as f64 * per_record) as u64
    }
}

/// What the writer thread did.
#[derive(Default, Debug)]
struct Totals {
    frames: u64,
    events: u64,
    /// Every file made, in order, with its size when closed.
    files: Vec<(PathBuf, u64)>,
    losses: Counts,
    deleted: u64,
}

/// `fsync`s files handed to it, off the writer's path; remembers the first failure.
struct Syncer {
    tx: Option<SyncSender<File>>,
    failure: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    fn start() -> Syncer {
        let (tx, rx) = mpsc::sync_channel::<File>(4);
        let failure = Arc::new(Mutex::new(None));
        let seen = failure.clone();
        let thread = std::thread::Builder::new()
            .name("canlogger-sync".into())
            .spawn(move || {
                for file in rx {
                    if let Err(e) = file.sync_data() {
                        seen.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e.to_string());
                    }
                }
            })
            .ok();
        Syncer { tx: thread.as_ref().map(|_| tx), failure, thread }
    }

    /// Queue a sync; if the syncer is still busy with earlier ones, skip (the next flush syncs
    /// everything anyway).
    fn request(&self, output: &Output) {
        if let (Some(tx), Some(handle)) = (&self.tx, &output.sync_handle) {
            if let Ok(file) = handle.try_clone() {
                let _ = tx.try_send(file);
            }
        }
    }

    fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The writer thread: write batches, flush on schedule, rotate; finish the file at the end
/// whatever happened.
fn write_loop(mut plan: Plan, first: Output, rx: Receiver<Vec<Record>>) -> (Totals, Option<CliError>) {
    let mut totals = Totals::default();
    let syncer = Syncer::start();
    let mut output = first;
    let result = write_batches(&mut plan, &mut output, &rx, &syncer, &mut totals);
    // Finish the current file even after an error: what was recorded stays readable.
    let finished = close(output, &mut totals);
    drop(syncer);
    match (result, finished) {
        (Err(e), _) | (Ok(()), Err(e)) => (totals, Some(e)),
        (Ok(()), Ok(())) => (totals, None),
    }
}

fn write_batches(
    plan: &mut Plan,
    output: &mut Output,
    rx: &Receiver<Vec<Record>>,
    syncer: &Syncer,
    totals: &mut Totals,
) -> Result<(), CliError> {
    let mut next_flush = Instant::now() + plan.flush_interval;
    loop {
        let mut wake = next_flush;
        if let Some(interval) = plan.rotate_interval {
            wake = wake.min(output.opened + interval);
        }
        let ended = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(batch) => {
                for record in &batch {
                    output.writer.write(record).map_err(CliError::Log)?;
                    output.records += 1;
                    match record {
                        Record::Frame(_) => totals.frames += 1,
                        Record::Event(_) => totals.events += 1,
                    }
                    // Rotate right at the limit, mid-batch, once the file's bytes per record
                    // are known (the first flush of each file tells).
                    if plan
                        .rotate_size
                        .is_some_and(|limit| output.flushed_records > 0 && output.estimated_size() >= limit)
                    {
                        rotate(plan, output, totals)?;
                    }
                }
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        if ended {
            return Ok(());
        }
        let now = Instant::now();
        let calibrate =
            plan.rotate_size.is_some() && output.flushed_records == 0 && output.records >= CALIBRATE_AFTER;
        if now >= next_flush || plan.flush_interval.is_zero() || calibrate {
            output.flush(syncer)?;
            next_flush = now + plan.flush_interval;
        }
        let too_big = plan.rotate_size.is_some_and(|limit| output.estimated_size() >= limit);
        let too_old = plan.rotate_interval.is_some_and(|interval| now >= output.opened + interval);
        if too_big || too_old {
            rotate(plan, output, totals)?;
        }
    }
}

/// Close the current file and start the next; then delete files beyond `--keep`.
fn rotate(plan: &mut Plan, output: &mut Output, totals: &mut Totals) -> Result<(), CliError> {
    let path = plan.namer.next(Timestamp::now());
    let next = Output::open(path, &plan.options).map_err(CliError::Log)?;
    let old = std::mem::replace(output, next);
    close(old, totals)?;
    if let Some(keep) = plan.keep {
        let existing = plan.namer.existing();
        let excess = existing.len().saturating_sub(keep as usize);
        for old in existing.iter().filter(|p| **p != output.path).take(excess) {
            match std::fs::remove_file(old) {
                Ok(()) => totals.deleted += 1,
                Err(e) => eprintln!("canlogger: cannot delete {} (--keep): {e}", old.display()),
            }
        }
    }
    Ok(())
}

/// Finish a file (trailer, header counts, commit) and make it durable.
fn close(mut output: Output, totals: &mut Totals) -> Result<(), CliError> {
    let finished = output.writer.finish().map_err(CliError::Log);
    for (why, n) in output.writer.losses() {
        *totals.losses.entry(why.clone()).or_default() += n;
    }
    drop(output.writer);
    if let Some(handle) = &output.sync_handle {
        let _ = handle.sync_all();
    }
    let size = std::fs::metadata(&output.path).map(|m| m.len()).unwrap_or(0);
    totals.files.push((output.path, size));
    finished
}

fn print_summary(received: &Received, totals: &Totals, dropped: u64) {
    let bytes: u64 = totals.files.iter().map(|(_, s)| s).sum();
    let files = match totals.files.as_slice() {
        [(p, _)] => p.display().to_string(),
        all => format!("{} files", all.len()),
    };
    eprintln!(
        "canlogger: recorded {} frames ({} error frames) into {files}, {}; {dropped} dropped, \
         {} bus state changes{}",
        totals.frames,
        received.error_frames,
        human_bytes(bytes),
        received.state_changes,
        if received.invalid > 0 {
            format!(", {} invalid datagrams", received.invalid)
        } else {
            String::new()
        },
    );
    if totals.files.len() > 1 {
        for (p, s) in &totals.files {
            let gone = if p.exists() { "" } else { ", deleted (--keep)" };
            eprintln!("  {} ({}{gone})", p.display(), human_bytes(*s));
        }
    }
    if totals.deleted > 0 {
        eprintln!("canlogger: {} old files deleted (--keep)", totals.deleted);
    }
    if !totals.losses.is_empty() {
        eprintln!(
            "canlogger: not kept (the format cannot hold them): {}",
            super::convert::describe_counts(&totals.losses)
        );
    }
}

fn human_bytes(b: u64) -> String {
    match b {
        0..=9_999 => format!("{b} bytes"),
        10_000..=9_999_999 => format!("{:.1} kB", b as f64 / 1e3),
        10_000_000..=9_999_999_999 => format!("{:.1} MB", b as f64 / 1e6),
        _ => format!("{:.2} GB", b as f64 / 1e9),
    }
}
