//! `canlogger convert IN OUT`: any log format to any other, streaming, with filters, a channel
//! selection and a time window; a progress bar on a terminal; a summary of what was written,
//! skipped and could not be represented. Also the reading loop `info` shares ([`Source`]).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;

use crate::cli::{catch_interrupts, exit, interrupted, CliError};
use crate::filter::FilterSet;
use crate::frame::{Channel, Timestamp};
use crate::log::{self, Counts, Format, LogError, LogReader, ReadOptions, Record, TimeZone, WriteOptions};

const AFTER_HELP: &str = "\
Formats by extension: .asc (Vector ASCII), .blf (Vector binary), .log (candump), .trc (PEAK;
CANHacker traces are recognised by their header), .csv (python-can; SavvyCAN/GVRET files are
recognised by their header, and --to savvycan writes them), .db/.sqlite (python-can SQLite); .gz
on any text format. Use - for standard input or output, with --from/--to.

Frames a file contradicts itself about are kept and reported as repaired, never dropped: an id
above 0x7FF in a frame marked 11-bit is kept as 29-bit; a CANFD line whose flags say classic but
which carries more than 8 bytes is kept as CAN FD.

Naive dates in ASC and TRC headers and the BLF start time are local time (as Vector's tools write
them) unless --utc or --tz says otherwise; BLF files written by python-can hold UTC and are read so.
Malformed records are reported (file and line or byte offset), skipped and counted; --strict
stops at the first one with exit code 1. What the output format cannot hold is reported once,
with a count.

Examples:
  canlogger convert trace.asc trace.blf
  canlogger convert capture.log.gz capture.asc --filter 100:700 --start 10s --end 1m
  canlogger convert --from blf - out.csv < trace.blf
  canlogger convert trace.blf - --to log | canplayer -I /dev/stdin";

/// Convert a log file to another format.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct ConvertArgs {
    /// Input file (- = standard input)
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// Output file (- = standard output)
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Output format when OUT's extension does not say: asc, blf, log, trc, csv, savvycan, db
    #[arg(long = "to", value_name = "FORMAT", value_parser = parse_format)]
    pub to: Option<Format>,
    /// Keep only frames passing these candump filters (e.g. 123:7FF,#FF)
    #[arg(long = "filter", short = 'f', value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Keep only frames of this channel (name such as can0, or number as in ASC/BLF); repeatable
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channel: Vec<String>,
    /// Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an
    /// offset from the first frame (10s, 1m30s)
    #[arg(long = "start", value_name = "TIME")]
    pub start: Option<String>,
    /// Drop frames after this time (same forms as --start)
    #[arg(long = "end", value_name = "TIME")]
    pub end: Option<String>,
    /// zlib level for BLF and .gz output (0-9)
    #[arg(long = "level", value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(0..=9))]
    pub level: u32,
    /// TRC version to write: 2.1 or 1.1
    #[arg(long = "trc-version", value_name = "V", default_value = "2.1")]
    pub trc_version: String,
    /// No summary on stderr
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

/// Reading options shared by `convert` and `info`.
#[derive(Args, Debug, Clone)]
pub struct ReadArgs {
    /// Input format when IN's extension does not say: asc, blf, log, trc, csv, db (CSV layouts
    /// and TRC dialects are told apart by their headers)
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format)]
    pub from: Option<Format>,
    /// Stop at the first malformed record (exit code 1) instead of skipping it
    #[arg(long = "strict")]
    pub strict: bool,
    /// Time zone of naive dates in headers: local (default), utc, +02:00
    #[arg(long = "tz", value_name = "ZONE", value_parser = TimeZone::parse, conflicts_with = "utc")]
    pub tz: Option<TimeZone>,
    /// Naive dates in headers are UTC (same as --tz utc)
    #[arg(long = "utc")]
    pub utc: bool,
}

impl ReadArgs {
    pub fn time_zone(&self) -> TimeZone {
        if self.utc {
            TimeZone::Utc
        } else {
            self.tz.unwrap_or_default()
        }
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s).ok_or_else(|| format!("unknown format '{s}' (known: {})", Format::NAMES.join(", ")))
}

/// How many malformed records to describe individually before only counting them.
const SHOW_MALFORMED: u64 = 10;

/// A log reader with cankit's error policy: malformed records are reported on stderr (the first
/// few) and counted, or end the run with `--strict`.
pub(crate) struct Source {
    reader: Box<dyn LogReader + Send>,
    strict: bool,
    pub malformed: u64,
    tool: &'static str,
    progress: Option<Progress>,
}

impl Source {
    pub fn open(
        path: &Path,
        args: &ReadArgs,
        tool: &'static str,
        show_progress: bool,
    ) -> Result<Source, CliError> {
        let counter = Arc::new(AtomicU64::new(0));
        let options = ReadOptions { tz: args.time_zone(), progress: Some(counter.clone()) };
        let reader = log::open_reader(path, args.from, &options)?;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let progress = (show_progress && size >= 8 << 20 && std::io::stderr().is_terminal())
            .then(|| Progress { counter, total: size, last: Instant::now(), shown: false });
        Ok(Source { reader, strict: args.strict, malformed: 0, tool, progress })
    }

    /// The next record, or `None` at the end. Malformed records are handled here.
    pub fn next_record(&mut self) -> Result<Option<Record>, CliError> {
        loop {
            if let Some(p) = self.progress.as_mut() {
                p.tick();
            }
            match self.reader.next() {
                None => return Ok(None),
                Some(Ok(r)) => return Ok(Some(r)),
                Some(Err(e)) if e.is_recoverable() => {
                    if self.strict {
                        return Err(CliError::Strict(e));
                    }
                    self.malformed += 1;
                    if self.malformed <= SHOW_MALFORMED {
                        self.clear_progress();
                        eprintln!("{}: skipped: {e}", self.tool);
                    }
                    if self.malformed == SHOW_MALFORMED {
                        eprintln!("{}: further malformed records are counted, not shown", self.tool);
                    }
                }
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    pub fn skipped(&self) -> &Counts {
        self.reader.skipped()
    }

    /// Frames the reader kept after mending a contradiction in the file, by reason.
    pub fn repaired(&self) -> &Counts {
        self.reader.repaired()
    }

    pub fn clear_progress(&mut self) {
        if let Some(p) = self.progress.as_mut() {
            p.clear();
        }
    }
}

/// A one-line progress bar on stderr, redrawn at most 5 times a second.
struct Progress {
    counter: Arc<AtomicU64>,
    total: u64,
    last: Instant,
    shown: bool,
}

impl Progress {
    fn tick(&mut self) {
        if self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let done = self.counter.load(Ordering::Relaxed).min(self.total);
        let pct = done as f64 * 100.0 / self.total.max(1) as f64;
        let filled = (pct / 2.5) as usize;
        eprint!(
            "\r[{}{}] {pct:5.1}%  {} / {} MB",
            "#".repeat(filled),
            " ".repeat(40 - filled.min(40)),
            done >> 20,
            self.total >> 20
        );
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(70));
            self.shown = false;
        }
    }
}

/// A point in time given on the command line, absolute or relative to the first frame.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TimeBound {
    Absolute(Timestamp),
    AfterFirst(Duration),
}

pub(crate) fn parse_time_bound(s: &str) -> Result<TimeBound, CliError> {
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
    Err(CliError::Usage(format!(
        "'{s}' is not a time: give UNIX seconds, a date like 2024-03-01T12:00:00, or an offset like 10s"
    )))
}

pub(crate) fn resolve_bound(bound: Option<TimeBound>, first: Timestamp) -> Option<Timestamp> {
    bound.map(|b| match b {
        TimeBound::Absolute(t) => t,
        TimeBound::AfterFirst(d) => {
            Timestamp(first.0.saturating_add(d.as_nanos().min(i64::MAX as u128) as i64))
        }
    })
}

/// Whether `channel` is one of `wanted`: names compare as written; a numbered channel (ASC/BLF,
/// counted from 1) matches its number or the name candump lines give it (`can0` is number 1).
pub(crate) fn channel_matches(wanted: &[String], channel: &Channel) -> bool {
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

/// Print counts by reason as `N reason` items.
pub(crate) fn describe_counts(counts: &Counts) -> String {
    counts.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
}

pub fn run(args: ConvertArgs) -> Result<u8, CliError> {
    let filter = FilterSet::parse(&args.filter)?;
    let start = args.start.as_deref().map(parse_time_bound).transpose()?;
    let end = args.end.as_deref().map(parse_time_bound).transpose()?;
    // Refuse to overwrite the input: the reader would see a truncated file.
    if args.input != Path::new("-") && args.input == args.output {
        return Err(CliError::Usage("IN and OUT are the same file".into()));
    }
    let mut source = Source::open(&args.input, &args.read, "canlogger", true)?;
    let options = WriteOptions {
        compression_level: args.level,
        trc_version: args.trc_version.clone(),
        tz: args.read.time_zone(),
        append: false,
    };
    let mut writer = log::create_writer(&args.output, args.to, &options)?;
    catch_interrupts();
    let (mut frames, mut events, mut filtered) = (0u64, 0u64, 0u64);
    let mut window: Option<(Option<Timestamp>, Option<Timestamp>)> = None;
    let began = Instant::now();
    let result = (|| -> Result<(), CliError> {
        while let Some(record) = source.next_record()? {
            if let Record::Frame(f) = &record {
                let (lo, hi) = *window.get_or_insert_with(|| {
                    (resolve_bound(start, f.timestamp), resolve_bound(end, f.timestamp))
                });
                let keep = lo.is_none_or(|lo| f.timestamp >= lo)
                    && hi.is_none_or(|hi| f.timestamp <= hi)
                    && (args.channel.is_empty() || channel_matches(&args.channel, &f.channel))
                    && filter.matches(f);
                if !keep {
                    filtered += 1;
                    continue;
                }
                frames += 1;
            } else {
                events += 1;
            }
            writer.write(&record)?;
            if frames % 4096 == 0 && interrupted() {
                return Err(CliError::Interrupted);
            }
        }
        Ok(())
    })();
    source.clear_progress();
    // Whatever happened, finish the output so it is a valid file with everything written so far.
    let finished = writer.finish();
    match (&result, finished) {
        (Err(CliError::Interrupted), Ok(())) => {
            eprintln!(
                "canlogger: interrupted; {} holds the {frames} frames converted so far",
                args.output.display()
            );
            return Ok(130);
        }
        (_, Err(e)) if result.is_ok() => return Err(e.into()),
        _ => {}
    }
    result?;
    if !args.quiet {
        let secs = began.elapsed().as_secs_f64();
        let mut line = format!(
            "canlogger: {frames} frames{} written to {} in {secs:.2} s ({:.0} frames/s)",
            if events > 0 { format!(" and {events} events") } else { String::new() },
            log::display_name(&args.output, "<stdout>"),
            frames as f64 / secs.max(1e-9)
        );
        if filtered > 0 {
            line.push_str(&format!("; {filtered} frames filtered out"));
        }
        eprintln!("{line}");
        if source.malformed > 0 {
            eprintln!("canlogger: {} malformed records skipped", source.malformed);
        }
        if !source.skipped().is_empty() {
            eprintln!("canlogger: skipped records: {}", describe_counts(source.skipped()));
        }
        if !source.repaired().is_empty() {
            eprintln!("canlogger: repaired and kept: {}", describe_counts(source.repaired()));
        }
        if !writer.losses().is_empty() {
            eprintln!(
                "canlogger: warning: not representable in the output format: {}",
                describe_counts(writer.losses())
            );
        }
    }
    Ok(exit::OK)
}

/// Map a reader/writer error for `CliError`.
impl From<LogError> for CliError {
    fn from(e: LogError) -> CliError {
        CliError::Log(e)
    }
}
