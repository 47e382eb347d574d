//! Recording, `canlogger`'s default action: the options of [`crate::record`] and its summary;
//! without `-f` it prints like `watch`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::cli::{parse_duration, BusArgs, FilterArgs, FormatArgs, Stderr};
use crate::pipe::{self, Limits};
use crate::record::rotation::parse_size;
use crate::record::{record, RecordOptions, RecordReport};
use crate::shutdown::Shutdown;

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
    #[command(flatten)]
    pub filter: FilterArgs,
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
            || !self.filter.filter.is_empty()
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

pub async fn run(bus_args: &BusArgs, args: RecordArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let filter = args.filter.parse()?;
    let limits = Limits { count: args.count, idle: None, duration: args.duration };
    let mut report = Stderr::new("canlogger");
    let Some(path) = args.file.clone() else {
        if args.rotate_size.is_some() || args.rotate_interval.is_some() || args.append || args.keep.is_some()
        {
            return Err(crate::cli::usage("rotation, --keep and --append need a file (-f FILE)"));
        }
        let mut bus = bus_args.open("canlogger").await?;
        bus.set_filter(filter)?;
        let printer = args.format.printer();
        let mut out = std::io::stdout().lock();
        let (frames, _) =
            pipe::print_events(&mut bus, &printer, &mut out, limits, &shutdown, &mut report).await?;
        report.finish();
        let stats = bus.stats();
        if !args.quiet && (bus_args.verbose || stats.dropped > 0) {
            eprintln!("canlogger: {frames} frames shown, {} dropped by the receive buffer", stats.dropped);
        }
        return Ok(crate::cli::exit::OK);
    };
    let mut options = RecordOptions::new(path);
    options.write.compression_level = args.level;
    options.write.append = args.append;
    options.rotate_size = args.rotate_size;
    options.rotate_interval = args.rotate_interval;
    options.keep = args.keep;
    options.flush_interval = args.flush_interval;
    options.limits = limits;
    let mut bus = bus_args.open("canlogger").await?;
    bus.set_filter(filter)?;
    let mut recorded = record(&mut bus, options, &shutdown, &mut report).await?;
    report.finish();
    if !args.quiet {
        print_summary(&recorded, bus.stats().dropped);
    }
    match recorded.error.take() {
        Some(e) => Err(e).context("recording stopped; the files are finished"),
        None => Ok(crate::cli::exit::OK),
    }
}

fn print_summary(report: &RecordReport, dropped: u64) {
    let bytes: u64 = report.files.iter().map(|(_, s)| s).sum();
    let files = match report.files.as_slice() {
        [(p, _)] => p.display().to_string(),
        all => format!("{} files", all.len()),
    };
    eprintln!(
        "canlogger: recorded {} frames ({} error frames) into {files}, {}; {dropped} dropped, \
         {} bus state changes{}",
        report.frames,
        report.error_frames,
        human_bytes(bytes),
        report.state_changes,
        if report.invalid > 0 { format!(", {} invalid datagrams", report.invalid) } else { String::new() },
    );
    if report.files.len() > 1 {
        for (p, s) in &report.files {
            let gone = if p.exists() { "" } else { ", deleted (--keep)" };
            eprintln!("  {} ({}{gone})", p.display(), human_bytes(*s));
        }
    }
    for notice in &report.notices {
        eprintln!("canlogger: {notice}");
    }
    if report.deleted > 0 {
        eprintln!("canlogger: {} old files deleted (--keep)", report.deleted);
    }
    if !report.losses.is_empty() {
        eprintln!(
            "canlogger: not kept (the format cannot hold them): {}",
            crate::cli::describe_counts(&report.losses)
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
