//! `canlogger convert IN OUT`: any log format to any other, streaming, with filters, a channel
//! selection and a time window ([`crate::pipe::run_files`] with a log writer at the end); a
//! progress bar on a terminal; a summary of what was written, skipped and could not be
//! represented.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use crate::cli::{describe_counts, exit, parse_format, usage, FilterArgs, ReadArgs, Stderr, WindowArgs};
use crate::log::{self, Format, WriteOptions};
use crate::pipe::{run_files, Select};
use crate::shutdown::Shutdown;

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
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Keep only frames of this channel (name such as can0, or number as in ASC/BLF); repeatable
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channel: Vec<String>,
    #[command(flatten)]
    pub window: WindowArgs,
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

pub fn run(args: ConvertArgs, shutdown: &Shutdown) -> anyhow::Result<u8> {
    let mut select = Select::new()
        .filter(args.filter.parse()?)
        .channels(args.channel.clone())
        .window(args.window.start, args.window.end);
    // Refuse to overwrite the input: the reader would see a truncated file.
    if args.input != Path::new("-") && args.input == args.output {
        return Err(usage("IN and OUT are the same file"));
    }
    let mut input = args.read.open(&args.input)?;
    let options = WriteOptions {
        compression_level: args.level,
        trc_version: args.trc_version.clone(),
        tz: args.read.time_zone(),
        append: false,
    };
    let mut writer = log::create_writer(&args.output, args.to, &options)?;
    let mut report = Stderr::new("canlogger").with_progress(true);
    let began = Instant::now();
    let passed = run_files(&mut input, &mut select, &mut writer, shutdown, &mut report);
    report.finish();
    let passed = passed?;
    if passed.interrupted {
        eprintln!(
            "canlogger: interrupted; {} holds the {} frames converted so far",
            args.output.display(),
            passed.frames
        );
        return Ok(130);
    }
    if !args.quiet {
        let secs = began.elapsed().as_secs_f64();
        let mut line = format!(
            "canlogger: {} frames{} written to {} in {secs:.2} s ({:.0} frames/s)",
            passed.frames,
            if passed.events > 0 { format!(" and {} events", passed.events) } else { String::new() },
            log::display_name(&args.output, "<stdout>"),
            passed.frames as f64 / secs.max(1e-9)
        );
        if select.dropped() > 0 {
            line.push_str(&format!("; {} frames filtered out", select.dropped()));
        }
        eprintln!("{line}");
        if input.malformed > 0 {
            eprintln!("canlogger: {} malformed records skipped", input.malformed);
        }
        if !input.skipped().is_empty() {
            eprintln!("canlogger: skipped records: {}", describe_counts(input.skipped()));
        }
        if !input.repaired().is_empty() {
            eprintln!("canlogger: repaired and kept: {}", describe_counts(input.repaired()));
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
