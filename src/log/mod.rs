//! Log files: one streaming reader and one writer per format, chosen by file extension or by
//! name, with `.gz` on top of every text format and `-` for stdin/stdout.
//!
//! A reader is an iterator of [`Record`]s (frames and events: markers, comments, bus-state
//! changes). A malformed record yields a recoverable [`LogError::Malformed`] naming the file and
//! the line or byte offset; the caller decides whether to skip it (the default, counted in the
//! summary) or stop (`--strict`). Lines and objects that are not frames but are expected in real
//! files (chip status, statistics, LIN objects, ...) are skipped silently and counted in
//! [`LogReader::skipped`]. A writer takes the same records; what its format cannot hold is
//! counted in [`LogWriter::losses`] and reported once per conversion, never dropped silently.
//!
//! Everything here is synchronous and streaming: memory stays constant whatever the file size.
//! Readers reuse their buffers; `Frame` is a fixed-size value.

pub mod asc;
pub mod blf;
pub mod candump;
pub mod csv;
mod health;
mod pool;
pub mod savvycan;
pub mod sqlite;
mod text_io;
pub mod time;
pub mod trc;

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::bus::BusState;
use crate::frame::{Channel, Frame, Timestamp};

pub use time::TimeZone;

/// A log file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Vector ASCII log (`.asc`).
    Asc,
    /// Vector binary logging format (`.blf`).
    Blf,
    /// candump `-l`/`-L` log (`.log`).
    Candump,
    /// PEAK trace (`.trc`).
    Trc,
    /// python-can CSV (`.csv`); reading also takes SavvyCAN's CSV, told by its header.
    Csv,
    /// SavvyCAN's (GVRET) CSV, `.csv` too: written only when asked for by name.
    SavvyCan,
    /// python-can SQLite (`.db`, `.sqlite`).
    Sqlite,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["asc", "blf", "log", "trc", "csv", "savvycan", "db"];

    /// By name as given to `--from`/`--to` (the usual extension).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim_start_matches('.').to_ascii_lowercase().as_str() {
            "asc" => Some(Format::Asc),
            "blf" => Some(Format::Blf),
            "log" | "candump" => Some(Format::Candump),
            "trc" => Some(Format::Trc),
            "csv" => Some(Format::Csv),
            "savvycan" | "gvret" => Some(Format::SavvyCan),
            "db" | "sqlite" | "sqlite3" => Some(Format::Sqlite),
            _ => None,
        }
    }

    /// By file extension; `gz` is true for `name.asc.gz` and the like.
    pub fn from_path(path: &Path) -> Option<(Format, bool)> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let (stem, gz) = match name.strip_suffix(".gz") {
            Some(stem) => (stem.to_string(), true),
            None => (name, false),
        };
        let ext = Path::new(&stem).extension()?.to_str()?;
        let format = Format::from_name(ext)?;
        Some((format, gz))
    }

    /// Text formats can be gzip-compressed; BLF compresses itself and SQLite is a database.
    pub fn is_text(self) -> bool {
        !matches!(self, Format::Blf | Format::Sqlite)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Asc => "asc",
            Format::Blf => "blf",
            Format::Candump => "log",
            Format::Trc => "trc",
            Format::Csv => "csv",
            Format::SavvyCan => "savvycan",
            Format::Sqlite => "db",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something in a log that is not a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub timestamp: Timestamp,
    pub channel: Channel,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A user marker (BLF GLOBAL_MARKER, ASC/TRC marker lines).
    Marker(String),
    /// Free text (ASC `//` comments after the header, BLF APP_TEXT).
    Comment(String),
    /// The controller changed state.
    BusState(BusState),
    /// Frames lost before they were logged (receive overflow), with their count.
    Dropped(u64),
}

/// What a reader yields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Frame(Frame),
    Event(Event),
}

/// Where in an input a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// 1-based line number of a text file.
    Line(u64),
    /// Byte offset in a binary file (of the uncompressed stream for compressed containers, with
    /// the container's file offset in the message).
    Offset(u64),
    /// 1-based row of a database table.
    Row(u64),
    /// The file as a whole (header, end).
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Offset(n) => write!(f, "offset {n}"),
            Location::Row(n) => write!(f, "row {n}"),
            Location::File => f.write_str("file"),
        }
    }
}

/// Errors of readers and writers. `Malformed` is recoverable: the reader has skipped the bad
/// record and can go on.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{path}:{location}: {message}")]
    Malformed { path: String, location: Location, message: String },
    #[error("{path}: {context}: {source}")]
    Io {
        path: String,
        context: String,
        #[source]
        source: io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl LogError {
    /// True when the reader skipped one record and may be asked for the next.
    pub fn is_recoverable(&self) -> bool {
        matches!(self, LogError::Malformed { .. })
    }

    pub fn io(path: &str, context: impl Into<String>, source: io::Error) -> LogError {
        LogError::Io { path: path.to_string(), context: context.into(), source }
    }

    pub fn malformed(path: &str, location: Location, message: impl Into<String>) -> LogError {
        LogError::Malformed { path: path.to_string(), location, message: message.into() }
    }
}

/// Counts by reason: records skipped by readers ("chip status lines": 3) or lost by writers
/// ("CAN FD frames (TRC 1.1 cannot hold them)": 10).
pub type Counts = BTreeMap<String, u64>;

/// Add one to a count by reason.
pub fn count(counts: &mut Counts, reason: &str) {
    match counts.get_mut(reason) {
        Some(n) => *n += 1,
        None => {
            counts.insert(reason.to_string(), 1);
        }
    }
}

/// Count an event a frames-only format (candump log, CSV, SQLite) cannot keep, by kind:
/// `"markers (python-can CSV holds only frames)"`.
pub(crate) fn count_unkept_event(losses: &mut Counts, kind: &EventKind, format: &str) {
    let what = match kind {
        EventKind::Marker(_) => "markers",
        EventKind::Comment(_) => "comments",
        EventKind::BusState(_) => "bus-state events",
        EventKind::Dropped(_) => "drop reports",
    };
    count(losses, &format!("{what} ({format} only frames)"));
}

/// Counts with nothing in them, for readers that never repair.
static NO_COUNTS: Counts = Counts::new();

/// Why a frame was kept as a 29-bit frame although the file marks it 11-bit (a flag, or an id
/// written with the digits of an 11-bit id): its id does not fit 11 bits, and only a 29-bit
/// frame can carry it (Vector's binlog library and misconfigured loggers write such frames). The reason every reader counts in [`LogReader::repaired`].
pub const REPAIR_LONG_STANDARD_ID: &str = "frames marked 11-bit whose id needs 29 bits (kept as 29-bit)";

/// The rule every reader applies to a frame's id and its 11/29-bit flag: an id above 0x7FF can
/// only travel as a 29-bit id, so a frame marked 11-bit with such an id is kept as 29-bit
/// (`Some(reason)` says it was mended; count it in [`LogReader::repaired`] once the frame is
/// made). Ids above 29 bits become 29-bit too, so that the frame constructor refuses them with
/// the message that fits.
pub fn mend_extended(id: u32, extended: bool) -> (bool, Option<&'static str>) {
    if !extended && id > crate::frame::MAX_STANDARD_ID {
        (true, Some(REPAIR_LONG_STANDARD_ID))
    } else {
        (extended, None)
    }
}

/// A streaming log reader.
pub trait LogReader: Iterator<Item = Result<Record, LogError>> {
    /// Lines or objects skipped on purpose (not frames, not errors), by reason.
    fn skipped(&self) -> &Counts;
    /// Frames kept after mending a contradiction in the file (an 11-bit frame whose id needs 29
    /// bits, a CAN FD line whose flags say classic but whose length only FD can have), by
    /// reason. Never dropped, never silent: the summary reports them once per file.
    fn repaired(&self) -> &Counts {
        &NO_COUNTS
    }
    /// Absolute start of the recording if the file says (ASC date, BLF start time, TRC
    /// `$STARTTIME`); frame timestamps are already absolute when this is known.
    fn start_time(&self) -> Option<Timestamp> {
        None
    }
}

/// A log writer. Call [`finish`](LogWriter::finish) at the end: it completes headers, counts
/// and trailers; a writer dropped without it still leaves a file the readers accept, as far as
/// the format allows.
pub trait LogWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError>;
    /// Make everything written so far durable and readable (text: flush; BLF: close the current
    /// container; SQLite: commit).
    fn flush(&mut self) -> Result<(), LogError>;
    /// Complete the file. Calling it twice is harmless.
    fn finish(&mut self) -> Result<(), LogError>;
    /// What the format could not hold, by reason, with counts.
    fn losses(&self) -> &Counts;
}

/// Options for readers.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// How to read naive dates (ASC `date`, TRC `$STARTTIME` without zone): local time unless
    /// told otherwise.
    pub tz: TimeZone,
    /// Incremented with every byte read from the file (before decompression), for progress
    /// display.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// Counts bytes as they are read, for progress bars.
struct Counting<R> {
    inner: R,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Options for writers.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// zlib level for BLF containers and `.gz` files (0–9; default 6 as zlib's).
    pub compression_level: u32,
    /// TRC version to write: "2.1" (default) or "1.1".
    pub trc_version: String,
    /// Time zone for the dates written into headers (ASC `date`, TRC `$STARTTIME`).
    pub tz: TimeZone,
    /// Add to an existing file instead of replacing it: candump logs and CSV (no second header;
    /// `.gz` files get a new gzip member, which readers take as one stream). SQLite files are always appended to, as python-can
    /// does; ASC, TRC and BLF cannot be appended to ([`create_writer`] refuses).
    pub append: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions { compression_level: 6, trc_version: "2.1".into(), tz: TimeZone::Local, append: false }
    }
}

/// A name for messages: the path, or `<stdin>`/`<stdout>` for `-`.
pub fn display_name(path: &Path, stdio: &str) -> String {
    if path == Path::new("-") {
        stdio.to_string()
    } else {
        path.display().to_string()
    }
}

/// Resolve the format of `path` (or take `explicit`), and whether it is gzip-compressed.
pub fn format_of(path: &Path, explicit: Option<Format>) -> Result<(Format, bool), LogError> {
    let detected = Format::from_path(path);
    match (explicit, detected) {
        (Some(f), Some((_, gz))) => Ok((f, gz)),
        (Some(f), None) => Ok((f, false)),
        (None, Some(d)) => Ok(d),
        (None, None) => Err(LogError::Invalid {
            path: display_name(path, "-"),
            message: format!(
                "cannot tell the format from the file name; name it with --from/--to ({})",
                Format::NAMES.join(", ")
            ),
        }),
    }
}

/// Open a byte stream for reading: a file, stdin for `-`, gunzipped when `gz`; bytes read are
/// added to `progress` when given.
pub fn open_input(
    path: &Path,
    gz: bool,
    progress: Option<&std::sync::Arc<std::sync::atomic::AtomicU64>>,
) -> Result<Box<dyn BufRead + Send>, LogError> {
    let name = display_name(path, "<stdin>");
    let mut raw: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| LogError::io(&name, "cannot open", e))?)
    };
    if let Some(counter) = progress {
        raw = Box::new(Counting { inner: raw, counter: counter.clone() });
    }
    const BUFFER: usize = 1 << 18;
    if gz {
        Ok(Box::new(BufReader::with_capacity(BUFFER, flate2::read::MultiGzDecoder::new(raw))))
    } else {
        Ok(Box::new(BufReader::with_capacity(BUFFER, raw)))
    }
}

/// Open a byte stream for writing: a file (created or truncated), stdout for `-`, gzipped when
/// `gz`.
pub fn open_output(path: &Path, gz: bool, level: u32) -> Result<Box<dyn Write + Send>, LogError> {
    open_output_with(path, gz, level, false)
}

/// [`open_output`], adding to the end of an existing file when `append`.
pub fn open_output_with(
    path: &Path,
    gz: bool,
    level: u32,
    append: bool,
) -> Result<Box<dyn Write + Send>, LogError> {
    let name = display_name(path, "<stdout>");
    let raw: Box<dyn Write + Send> = if path == Path::new("-") {
        Box::new(io::stdout())
    } else if append {
        let file = std::fs::OpenOptions::new().append(true).create(true).open(path);
        Box::new(file.map_err(|e| LogError::io(&name, "cannot open for appending", e))?)
    } else {
        Box::new(File::create(path).map_err(|e| LogError::io(&name, "cannot create", e))?)
    };
    const BUFFER: usize = 1 << 18;
    if gz {
        let encoder = flate2::write::GzEncoder::new(raw, flate2::Compression::new(level.min(9)));
        Ok(Box::new(BufWriter::with_capacity(BUFFER, encoder)))
    } else {
        Ok(Box::new(BufWriter::with_capacity(BUFFER, raw)))
    }
}

/// Open a reader for `path` (`-` = stdin), format by extension unless `format` says.
pub fn open_reader(
    path: &Path,
    format: Option<Format>,
    options: &ReadOptions,
) -> Result<Box<dyn LogReader + Send>, LogError> {
    let (format, gz) = format_of(path, format)?;
    let name = display_name(path, "<stdin>");
    let progress = options.progress.as_ref();
    Ok(match format {
        Format::Asc => Box::new(asc::AscReader::new(open_input(path, gz, progress)?, &name, options)),
        Format::Candump => Box::new(candump::CandumpReader::new(open_input(path, gz, progress)?, &name)),
        Format::Trc => Box::new(trc::TrcReader::new(open_input(path, gz, progress)?, &name, options)),
        // Either CSV layout, by its header.
        Format::Csv | Format::SavvyCan => {
            Box::new(csv::CsvReader::open(open_input(path, gz, progress)?, &name)?)
        }
        Format::Blf => Box::new(
            blf::BlfReader::new(open_input(path, false, progress)?, &name)?.with_time_zone(options.tz),
        ),
        Format::Sqlite => Box::new(sqlite::SqliteReader::open(path_required(path, "SQLite")?, &name)?),
    })
}

/// Create a writer for `path` (`-` = stdout), format by extension unless `format` says.
pub fn create_writer(
    path: &Path,
    format: Option<Format>,
    options: &WriteOptions,
) -> Result<Box<dyn LogWriter + Send>, LogError> {
    let (format, gz) = format_of(path, format)?;
    let name = display_name(path, "<stdout>");
    let level = options.compression_level;
    if options.append && matches!(format, Format::Asc | Format::Trc | Format::Blf) {
        return Err(LogError::Invalid {
            path: name,
            message: format!(
                "cannot append to a {} file (its header describes the whole file)",
                format.name()
            ),
        });
    }
    Ok(match format {
        Format::Asc => Box::new(asc::AscWriter::new(open_output(path, gz, level)?, &name, options)),
        Format::Candump => {
            Box::new(candump::CandumpWriter::new(open_output_with(path, gz, level, options.append)?, &name))
        }
        Format::Trc => Box::new(trc::TrcWriter::new(open_output(path, gz, level)?, &name, options)?),
        // Appending to a file that has rows already: no second header.
        Format::Csv if options.append && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) => {
            Box::new(csv::CsvWriter::appending(open_output_with(path, gz, level, true)?, &name))
        }
        Format::Csv => {
            Box::new(csv::CsvWriter::new(open_output_with(path, gz, level, options.append)?, &name))
        }
        Format::SavvyCan if options.append && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) => {
            Box::new(csv::CsvWriter::savvycan_appending(open_output_with(path, gz, level, true)?, &name))
        }
        Format::SavvyCan => {
            Box::new(csv::CsvWriter::savvycan(open_output_with(path, gz, level, options.append)?, &name))
        }
        Format::Blf => Box::new(blf::BlfWriter::create(path_required(path, "BLF")?, &name, options)?),
        Format::Sqlite => Box::new(sqlite::SqliteWriter::create(path_required(path, "SQLite")?, &name)?),
    })
}

fn path_required<'a>(path: &'a Path, what: &str) -> Result<&'a Path, LogError> {
    if path == Path::new("-") {
        Err(LogError::Invalid {
            path: "-".into(),
            message: format!("{what} needs a real file, not standard input/output"),
        })
    } else {
        Ok(path)
    }
}
