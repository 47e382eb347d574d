//! `canplayer`'s options and what it prints: the replay itself is [`crate::replay`].
//!
//! Everything that can be checked before the first frame is: arguments, mappings, filters, every
//! input file (opened, format known) and every bus. The summary is printed however the replay
//! ends.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::mapping::{open_outputs, Mapping};
use super::summary;
use crate::cli::{blocking, exit, parse_duration, usage, BusArgs, FilterArgs, ReadArgs, Stderr, WindowArgs};
use crate::log::Format;
use crate::pipe::Select;
use crate::print::{Format as PrintFormat, Printer};
use crate::replay::{replay, Loops, Playlist, PlaylistFile, ReplayEnd, ReplayOptions, Timing};
use crate::shutdown::Shutdown;

/// Replay options (the bus options are shared with every cankit tool).
#[derive(Args, Debug, Clone)]
pub struct ReplayArgs {
    /// Log files to play in sequence (- = standard input); an argument with '=' is a SRC=DST
    /// channel mapping (can-utils style)
    #[arg(value_name = "FILE|SRC=DST")]
    pub inputs: Vec<String>,
    /// Input file (can-utils' -I; python-can's -f); repeatable, played before FILE arguments
    #[arg(short = 'I', long = "input", visible_short_alias = 'f', value_name = "FILE")]
    pub input: Vec<PathBuf>,
    /// Send frames recorded on channel SRC to channel DST of the selected backend, or to
    /// INTERFACE:CHANNEL; repeatable. Frames of unmapped channels are skipped
    #[arg(long = "map", value_name = "SRC=DST")]
    pub map: Vec<String>,
    #[command(flatten)]
    pub read: ReadArgs,
    /// Replay speed factor: 2 plays twice as fast, 0.5 half as fast
    #[arg(long = "speed", value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// Ignore timestamps: send frames back to back (--gap apart)
    #[arg(short = 't', long = "ignore-timestamps")]
    pub ignore_timestamps: bool,
    /// Minimum gap between two frames in milliseconds (can-utils' -g), e.g. 1 or 0.2
    #[arg(short = 'g', long = "gap", value_name = "MS", value_parser = parse_gap_ms)]
    pub gap: Option<Duration>,
    /// Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can's -s)
    #[arg(short = 's', long = "skip", value_name = "SECONDS", value_parser = parse_skip)]
    pub skip: Option<Duration>,
    /// (--start/--end count from the first frame of the first file)
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Play everything N times; i = forever (until Ctrl-C)
    #[arg(short = 'l', long = "loop", value_name = "N|i", default_value = "1", value_parser = parse_loops)]
    pub loops: Loops,
    /// Also send error frames (skipped by default, as python-can's player does)
    #[arg(long = "error-frames")]
    pub error_frames: bool,
    /// Replay with real-time priority (SCHED_FIFO; --realtime=PRIORITY for 1-99, default 50;
    /// needs root or CAP_SYS_NICE) so a busy machine delays frames less
    #[arg(long = "realtime", value_name = "PRIORITY", num_args = 0..=1, require_equals = true,
          default_missing_value = "50",
          value_parser = clap::value_parser!(i32).range(1..=99))]
    pub realtime: Option<i32>,
    /// No summary on stderr
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

fn parse_loops(s: &str) -> Result<Loops, String> {
    match s.trim() {
        "i" | "inf" | "forever" => Ok(Loops::Forever),
        n => match n.parse::<u64>() {
            Ok(n) if n >= 1 => Ok(Loops::Times(n)),
            _ => Err(format!("'{s}' is not a loop count: give a number >= 1, or i for forever")),
        },
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1e9 => Ok(v),
        _ => Err(format!("'{s}' is not a speed factor: give a positive number such as 2 or 0.5")),
    }
}

fn parse_gap_ms(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(ms) if ms.is_finite() && (0.0..=86_400_000.0).contains(&ms) => {
            Ok(Duration::from_secs_f64(ms / 1000.0))
        }
        _ => Err(format!("'{s}' is not a gap in milliseconds (e.g. 1 or 0.2)")),
    }
}

fn parse_skip(s: &str) -> Result<Duration, String> {
    parse_duration(s).and_then(|d| {
        if d.is_zero() {
            Err("--skip must be more than 0 (to send back to back, use --ignore-timestamps)".to_string())
        } else {
            Ok(d)
        }
    })
}

/// Split the positional arguments into files and mappings.
fn inputs_and_mappings(args: &ReplayArgs) -> anyhow::Result<(Vec<PlaylistFile>, Vec<Mapping>)> {
    let mut paths: Vec<PathBuf> = args.input.clone();
    let mut mappings = Vec::new();
    for spec in &args.map {
        mappings.push(Mapping::parse(spec)?);
    }
    for arg in &args.inputs {
        if arg.contains('=') {
            mappings.push(Mapping::parse(arg)?);
        } else {
            paths.push(PathBuf::from(arg));
        }
    }
    if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(usage(
                "no input: give log files, -I FILE, or pipe a candump log into standard input",
            ));
        }
        paths.push(PathBuf::from("-"));
    }
    let stdin_count = paths.iter().filter(|p| p.as_path() == Path::new("-")).count();
    if stdin_count > 1 {
        return Err(usage("standard input (-) can be read only once"));
    }
    if stdin_count == 1 && args.loops != Loops::Times(1) {
        return Err(usage("cannot loop over standard input: it can be read only once"));
    }
    let files = paths
        .into_iter()
        .map(|path| {
            // can-utils' canplayer reads candump logs from standard input and pipes
            // (`-I /dev/stdin`, `<(...)`); a regular file must say its format.
            let mut format = args.read.from;
            if format.is_none() && Format::from_path(&path).is_none() && !is_regular_file(&path) {
                format = Some(Format::Candump);
            }
            PlaylistFile { path, format, tz: args.read.time_zone(), strict: args.read.strict }
        })
        .collect();
    Ok((files, mappings))
}

fn is_regular_file(path: &Path) -> bool {
    path != Path::new("-") && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Replay as the arguments say; prints the summary and returns the exit code.
pub async fn run(bus_args: &BusArgs, args: ReplayArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let (files, mappings) = inputs_and_mappings(&args)?;
    let select = Select::new()
        .filter(args.filter.parse()?)
        .window(args.window.start, args.window.end)
        .drop_error_frames(!args.error_frames);
    let options = ReplayOptions {
        timing: Timing {
            speed: args.speed,
            gap: args.gap.unwrap_or(Duration::ZERO),
            skip: args.skip,
            ignore_timestamps: args.ignore_timestamps,
        },
        loops: args.loops,
        select,
        realtime: args.realtime,
        echo: bus_args.verbose.then(|| {
            (Printer::new(PrintFormat::Log), Box::new(std::io::stdout()) as Box<dyn std::io::Write + Send>)
        }),
    };
    // Every file opens (and has a known format) before any bus opens or any frame is sent.
    let mut playlist = Playlist::open(files)?;
    let mut outputs = open_outputs(bus_args, &mappings).await?;
    let runtime = tokio::runtime::Handle::current();
    let quiet = args.quiet;
    blocking(move || {
        // The buses are dropped on this thread at the end: inside the runtime they belong to.
        let _runtime = runtime.enter();
        let mut report = Stderr::new("canplayer").with_progress(!quiet);
        let played = replay(&mut playlist, &mut outputs, options, &runtime, &shutdown, &mut report);
        report.finish();
        let (tally, end) = played?;
        let interrupted = matches!(end, ReplayEnd::Interrupted);
        let code = match end {
            ReplayEnd::Finished | ReplayEnd::OutputClosed => exit::OK,
            ReplayEnd::Interrupted => 130,
            ReplayEnd::NothingToSend => {
                eprintln!("canplayer: nothing to replay: no frame was sent in a whole pass");
                exit::OK
            }
            ReplayEnd::Failed(e) => {
                let e = anyhow::Error::from(e);
                eprintln!("canplayer: {}", crate::cli::message(&e));
                crate::cli::exit_code(&e)
            }
        };
        if !quiet {
            if interrupted {
                eprintln!("canplayer: interrupted");
            }
            for line in summary::lines(&tally, !args.ignore_timestamps) {
                eprintln!("canplayer: {line}");
            }
        }
        for output in outputs.buses {
            output.bus.close();
        }
        Ok(code)
    })
    .await
}
