//! Recording: a live source (a bus or a hub subscription) into log files of any format, with
//! rotation, crash safety and a report. `canlogger`'s default action is this with options.
//!
//! Two threads share the work so that writing never holds up receiving: the receive loop (an
//! async task) gathers frames and bus events into batches; a writer thread formats them into the
//! current file, flushes every [`RecordOptions::flush_interval`], rotates and deletes old files.
//! A third thread `fsync`s each flushed file, so a slow disk delays durability, not the
//! recording. The batch queue is bounded: if the disk cannot keep up, the receive loop waits and
//! the kernel's receive buffer fills, and any frames lost there are reported (and logged) as
//! drops.
//!
//! Crash safety: every flush interval the writer hands everything received to the file
//! ([`LogWriter::flush`]: text flushed, BLF container closed and header updated, SQLite committed)
//! and the syncer makes it durable. After a SIGKILL everything received more than one flush
//! interval before is in the file, which the readers accept; after a power cut, everything more
//! than one flush interval plus one `fsync` before.
//!
//! Rotated files are named by [`rotation`]: after their UTC start time unless the name holds
//! `{time}` or `{n}`.

pub mod rotation;

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::time::Instant as TokioInstant;

use self::rotation::Namer;
use crate::bus::BusEvent;
use crate::frame::{Channel, Timestamp};
use crate::log::{self, Counts, Event, EventKind, Format, LogError, LogWriter, Record, WriteOptions};
use crate::pipe::{sleep_until, EventSource, Limits, Observer, PipeError};
use crate::shutdown::Shutdown;

/// What to record into and when to stop.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    /// The file; its format comes from the extension (asc, blf, log, trc, csv, db, `.gz` on text
    /// formats). With rotation, a name pattern (see [`rotation`]).
    pub path: PathBuf,
    /// Compression level, appending, TRC version, time zone of headers.
    pub write: WriteOptions,
    /// Start a new file when the current one reaches this many bytes.
    pub rotate_size: Option<u64>,
    /// Start a new file when the current one is this old.
    pub rotate_interval: Option<Duration>,
    /// With rotation: keep only the newest N files of this name, deleting older ones.
    pub keep: Option<u64>,
    /// Hand everything received to the file and the disk this often (zero: after every batch).
    pub flush_interval: Duration,
    /// Stop after a count of frames or a duration (the idle limit does not apply).
    pub limits: Limits,
}

impl RecordOptions {
    /// Record into `path` until the shutdown, flushing every second, no rotation.
    pub fn new(path: impl Into<PathBuf>) -> RecordOptions {
        RecordOptions {
            path: path.into(),
            write: WriteOptions::default(),
            rotate_size: None,
            rotate_interval: None,
            keep: None,
            flush_interval: Duration::from_secs(1),
            limits: Limits::default(),
        }
    }

    fn rotating(&self) -> bool {
        self.rotate_size.is_some() || self.rotate_interval.is_some()
    }

    /// Options that contradict each other or the format.
    fn check(&self) -> Result<Format, PipeError> {
        if self.keep.is_some() && !self.rotating() {
            return Err(PipeError::Invalid("--keep needs --rotate-size or --rotate-interval".into()));
        }
        if self.write.append && self.rotating() {
            return Err(PipeError::Invalid("--append cannot be used with rotation".into()));
        }
        if self.path == std::path::Path::new("-") {
            return Err(PipeError::Invalid(
                "-f -: to print frames on stdout leave out -f (--format log prints candump log lines)".into(),
            ));
        }
        let (format, _) = log::format_of(&self.path, None)?;
        if self.write.append && matches!(format, Format::Asc | Format::Trc | Format::Blf) {
            return Err(PipeError::Invalid(format!(
                "--append: cankit cannot append to {} files (their header describes the whole file); \
                 use a new file or rotation",
                format.name().to_ascii_uppercase()
            )));
        }
        Ok(format)
    }
}

/// What a recording did. Returned also when it failed part-way (see [`RecordReport::error`]):
/// the files made until then are finished and listed.
#[derive(Debug, Default)]
pub struct RecordReport {
    /// Frames written, of which error frames.
    pub frames: u64,
    pub error_frames: u64,
    /// Bus events written (drops, state changes).
    pub events: u64,
    pub state_changes: u64,
    /// Datagrams that were not frames (told to the observer, not written).
    pub invalid: u64,
    /// Every file made, in order, with its size when closed.
    pub files: Vec<(PathBuf, u64)>,
    /// Old files deleted to honour [`RecordOptions::keep`].
    pub deleted: u64,
    /// What the format could not hold, by reason.
    pub losses: Counts,
    /// What went wrong without stopping the recording (an old file that could not be deleted).
    pub notices: Vec<String>,
    /// Why the recording stopped early: the bus failed or a file could not be written.
    pub error: Option<PipeError>,
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

/// Record `source` as `options` say until a limit, the shutdown, or a failure. Setup errors
/// (contradicting options, a file that cannot be created, a thread that cannot start) come back
/// as `Err` before anything is received; a failure after that ends the recording with every file
/// finished, and is in the report.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use cankit::record::{record, RecordOptions};
/// use cankit::{pipe::Quiet, shutdown::Shutdown, Bus, BusConfig};
///
/// let mut bus = Bus::open(&BusConfig::new("socketcan", Some("can0"))).await?;
/// let mut options = RecordOptions::new("can0_{time}.blf");
/// options.rotate_interval = Some(std::time::Duration::from_secs(3600));
/// options.keep = Some(24);
/// let shutdown = Shutdown::new();
/// shutdown.on_signals()?; // until Ctrl-C
/// let report = record(&mut bus, options, &shutdown, &mut Quiet).await?;
/// println!("{} frames in {} files", report.frames, report.files.len());
/// # Ok(())
/// # }
/// ```
pub async fn record<S: EventSource>(
    source: &mut S,
    options: RecordOptions,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
) -> Result<RecordReport, PipeError> {
    options.check()?;
    let rotating = options.rotating();
    let mut plan = Plan {
        namer: Namer::new(&options.path, rotating),
        options: options.write.clone(),
        rotate_size: options.rotate_size,
        rotate_interval: options.rotate_interval,
        keep: options.keep,
        flush_interval: options.flush_interval,
    };
    // The first file is opened here so an unwritable path fails before anything is received.
    let first = Output::open(plan.namer.next(Timestamp::now()), &plan.options)?;
    let (tx, rx) = mpsc::sync_channel::<Vec<Record>>(QUEUE);
    // Closed when the writer thread ends, so a failed write stops the recording at once even
    // when no frame arrives.
    let (writer_alive, writer_gone) = tokio::sync::oneshot::channel::<()>();
    let writer = std::thread::Builder::new()
        .name("cankit-record".into())
        .spawn(move || {
            let _alive = writer_alive;
            write_loop(plan, first, rx)
        })
        .map_err(|e| PipeError::Io { context: "starting the writer thread".into(), source: e })?;

    let mut received = Received::default();
    let bus_error =
        receive_loop(source, shutdown, observer, &tx, writer_gone, options.limits, &mut received).await;
    drop(tx);
    let (mut report, write_error) = writer.join().unwrap_or_else(|_| {
        let panic = std::io::Error::other("panic");
        (
            RecordReport::default(),
            Some(PipeError::Io { context: "the writer thread failed".into(), source: panic }),
        )
    });
    report.error_frames = received.error_frames;
    report.state_changes = received.state_changes;
    report.invalid = received.invalid;
    report.error = write_error.or(bus_error);
    Ok(report)
}

/// What the receive loop saw.
#[derive(Default, Debug)]
struct Received {
    frames: u64,
    error_frames: u64,
    state_changes: u64,
    invalid: u64,
}

/// Receive until a stop condition, handing records to the writer in batches. Returns the bus's
/// failure, if that is what ended it.
async fn receive_loop<S: EventSource>(
    source: &mut S,
    shutdown: &Shutdown,
    observer: &mut dyn Observer,
    tx: &SyncSender<Vec<Record>>,
    mut writer_gone: tokio::sync::oneshot::Receiver<()>,
    limits: Limits,
    counts: &mut Received,
) -> Option<PipeError> {
    let mut batch: Vec<Record> = Vec::with_capacity(BATCH);
    let deadline = limits.duration.map(|d| TokioInstant::now() + d);
    // Hands the batch over; false when the writer has stopped (it reports why).
    let send = |batch: &mut Vec<Record>| -> bool {
        if batch.is_empty() {
            return true;
        }
        tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH))).is_ok()
    };
    let failed = |e: crate::bus::BusError, observer: &mut dyn Observer| {
        observer.notice(&format!("the bus failed: {e}; finishing the file"));
        Some(PipeError::Bus(e))
    };
    let mut batch_started = TokioInstant::now();
    let mut error = None;
    'outer: loop {
        loop {
            if limits.count.is_some_and(|c| counts.frames >= c) {
                break 'outer;
            }
            match source.try_recv() {
                Ok(Some(ev)) => {
                    if batch.is_empty() {
                        batch_started = TokioInstant::now();
                    }
                    counts.take(ev, &mut batch, observer);
                    if batch.len() >= BATCH && !send(&mut batch) {
                        break 'outer;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    error = failed(e, observer);
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
            _ = shutdown.triggered() => break,
            _ = sleep_until(deadline) => break,
            _ = &mut writer_gone => break,
            _ = sleep_until(batch_due) => {
                if !send(&mut batch) {
                    break;
                }
            }
            ev = source.recv() => match ev {
                Ok(ev) => {
                    if batch.is_empty() {
                        batch_started = TokioInstant::now();
                    }
                    counts.take(ev, &mut batch, observer)
                }
                Err(e) => {
                    error = failed(e, observer);
                    break;
                }
            }
        }
    }
    send(&mut batch);
    error
}

impl Received {
    fn take(&mut self, event: BusEvent, batch: &mut Vec<Record>, observer: &mut dyn Observer) {
        match event {
            BusEvent::Frame(f) => {
                self.frames += 1;
                if f.is_error() {
                    self.error_frames += 1;
                }
                batch.push(Record::Frame(f));
                return;
            }
            BusEvent::Dropped { count } => batch.push(event_record(EventKind::Dropped(count))),
            BusEvent::State(s) => {
                self.state_changes += 1;
                batch.push(event_record(EventKind::BusState(s)));
            }
            BusEvent::Invalid { .. } => self.invalid += 1,
            // Shown (a gateway's link going down and up), not recorded.
            BusEvent::Notice { .. } => {}
        }
        observer.bus_event(&event);
    }
}

fn event_record(kind: EventKind) -> Record {
    Record::Event(Event { timestamp: Timestamp::now(), channel: Channel::NONE, kind })
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
    fn flush(&mut self, syncer: &Syncer) -> Result<(), PipeError> {
        self.writer.flush().map_err(PipeError::Log)?;
        self.flushed_records = self.records;
        self.flushed_bytes = self.size();
        syncer.request(self);
        match syncer.failure() {
            Some(why) => Err(PipeError::Io {
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
            .name("cankit-fsync".into())
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
fn write_loop(mut plan: Plan, first: Output, rx: Receiver<Vec<Record>>) -> (RecordReport, Option<PipeError>) {
    let mut totals = RecordReport::default();
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
    totals: &mut RecordReport,
) -> Result<(), PipeError> {
    let mut next_flush = Instant::now() + plan.flush_interval;
    // A file that reached --size is closed when the next record comes, so the last file of a
    // recording that ends right at the limit is not an empty one.
    let mut full = false;
    loop {
        let mut wake = next_flush;
        if let Some(interval) = plan.rotate_interval {
            wake = wake.min(output.opened + interval);
        }
        let ended = match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
            Ok(batch) => {
                for record in &batch {
                    if full {
                        rotate(plan, output, totals)?;
                        full = false;
                    }
                    output.writer.write(record).map_err(PipeError::Log)?;
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
                        full = true;
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
        full |= plan.rotate_size.is_some_and(|limit| output.estimated_size() >= limit);
        let too_old = plan.rotate_interval.is_some_and(|interval| now >= output.opened + interval);
        if too_old {
            rotate(plan, output, totals)?;
            full = false;
        }
    }
}

/// Close the current file and start the next; then delete files beyond `--keep`.
fn rotate(plan: &mut Plan, output: &mut Output, totals: &mut RecordReport) -> Result<(), PipeError> {
    let path = plan.namer.next(Timestamp::now());
    let next = Output::open(path, &plan.options).map_err(PipeError::Log)?;
    let old = std::mem::replace(output, next);
    close(old, totals)?;
    if let Some(keep) = plan.keep {
        let existing = plan.namer.existing();
        let excess = existing.len().saturating_sub(keep as usize);
        for old in existing.iter().filter(|p| **p != output.path).take(excess) {
            match std::fs::remove_file(old) {
                Ok(()) => totals.deleted += 1,
                Err(e) => totals.notices.push(format!("cannot delete {} (--keep): {e}", old.display())),
            }
        }
    }
    Ok(())
}

/// Finish a file (trailer, header counts, commit) and make it durable.
fn close(mut output: Output, totals: &mut RecordReport) -> Result<(), PipeError> {
    let finished = output.writer.finish().map_err(PipeError::Log);
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
