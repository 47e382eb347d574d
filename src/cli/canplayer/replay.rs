//! The replay loop: read the files in sequence (and loop), drop what the window, the filters and
//! the mappings exclude, wait for each frame's due time and send it to its bus; then the summary.
//!
//! Everything that can be checked before the first frame is: arguments, mappings, filters, every
//! input file (opened, format known) and every bus. After that, a malformed record is reported
//! and skipped (or ends the replay with `--strict`), a bus failure ends it with the bus named, and
//! Ctrl-C/SIGTERM end it cleanly; the summary is printed in every case.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use super::clock::{make_realtime, tighten_timer_slack, until, Waiter};
use super::mapping::{channel_label, Mapping, Outputs};
use super::schedule::{Scheduler, Timing};
use super::summary::{self, Lateness, Tally};
use crate::bus::BusError;
use crate::cli::canlogger::convert::{parse_time_bound, resolve_bound, ReadArgs, Source, TimeBound};
use crate::cli::{catch_interrupts, exit, parse_duration, write_stdout, BusArgs, CliError};
use crate::filter::FilterSet;
use crate::frame::{Frame, Timestamp};
use crate::log::{Format, Record};
use crate::print::{Format as PrintFormat, Printer};

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
    /// Skip frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an
    /// offset from the first frame of the first file (10s, 1m30s)
    #[arg(long = "start", value_name = "TIME")]
    pub start: Option<String>,
    /// Skip frames after this time (same forms as --start)
    #[arg(long = "end", value_name = "TIME")]
    pub end: Option<String>,
    /// Send only frames passing these candump filters (e.g. 123:7FF,400~7F0); repeatable
    #[arg(long = "filter", value_name = "FILTER")]
    pub filter: Vec<String>,
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

/// How many times to play the inputs.
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

/// One input of the sequence, with the reading options it needs.
struct Input {
    path: PathBuf,
    read: ReadArgs,
}

/// Why the replay loop stopped.
enum Stop {
    Finished,
    Interrupted,
    /// Standard output was closed (`-v | head`): a normal end.
    PipeClosed,
    /// A failure after sending started: message (without the tool prefix) and exit code.
    Failed(String, u8),
}

/// Split the positional arguments into files and mappings, and gather everything to open.
fn inputs_and_mappings(args: &ReplayArgs) -> Result<(Vec<Input>, Vec<Mapping>), CliError> {
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
            return Err(CliError::Usage(
                "no input: give log files, -I FILE, or pipe a candump log into standard input".into(),
            ));
        }
        paths.push(PathBuf::from("-"));
    }
    let stdin_count = paths.iter().filter(|p| p.as_path() == Path::new("-")).count();
    if stdin_count > 1 {
        return Err(CliError::Usage("standard input (-) can be read only once".into()));
    }
    if stdin_count == 1 && args.loops != Loops::Times(1) {
        return Err(CliError::Usage("cannot loop over standard input: it can be read only once".into()));
    }
    let inputs = paths
        .into_iter()
        .map(|path| {
            let mut read = args.read.clone();
            // can-utils' canplayer reads candump logs from standard input and pipes
            // (`-I /dev/stdin`, `<(...)`); a regular file must say its format.
            if read.from.is_none() && Format::from_path(&path).is_none() && !is_regular_file(&path) {
                read.from = Some(Format::Candump);
            }
            Input { path, read }
        })
        .collect();
    Ok((inputs, mappings))
}

fn is_regular_file(path: &Path) -> bool {
    path != Path::new("-") && std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Replay as the arguments say; prints the summary and returns the exit code.
pub async fn run(bus_args: &BusArgs, args: ReplayArgs) -> Result<u8, CliError> {
    let (inputs, mappings) = inputs_and_mappings(&args)?;
    let filter = FilterSet::parse(&args.filter)?;
    let start = args.start.as_deref().map(parse_time_bound).transpose()?;
    let end = args.end.as_deref().map(parse_time_bound).transpose()?;
    let timing = Timing {
        speed: args.speed,
        gap: args.gap.unwrap_or(Duration::ZERO),
        skip: args.skip,
        ignore_timestamps: args.ignore_timestamps,
    };
    catch_interrupts();
    // Every file opens (and has a known format) before any bus opens or any frame is sent.
    let mut opened = Vec::with_capacity(inputs.len());
    for input in &inputs {
        opened.push(Some(Source::open(&input.path, &input.read, "canplayer", !args.quiet)?));
    }
    let mut outputs = Outputs::open(bus_args, &mappings).await?;
    tighten_timer_slack();
    if let Some(priority) = args.realtime {
        if let Err(e) = make_realtime(priority) {
            return Err(CliError::Io {
                context: format!("--realtime {priority}: cannot use SCHED_FIFO"),
                source: e,
            });
        }
    }
    let mut player = Player {
        args: &args,
        filter,
        bounds: (start, end),
        window: None,
        scheduler: Scheduler::new(timing),
        outputs: &mut outputs,
        tally: Tally::default(),
        lateness: Lateness::default(),
        started: None,
        printer: bus_args.verbose.then(|| Printer::new(PrintFormat::Log)),
        printed: Vec::with_capacity(1 << 16),
        unsupported_warned: Vec::new(),
        waiter: if args.realtime.is_some() { Waiter::realtime() } else { Waiter::default() },
    };
    let stop = player.play(&inputs, &mut opened).await;
    let elapsed = player.started.map(|s| s.elapsed()).unwrap_or_default();
    let (tally, lateness) = (player.tally, player.lateness);
    let code = match &stop {
        Stop::Finished | Stop::PipeClosed => exit::OK,
        Stop::Interrupted => 130,
        Stop::Failed(message, code) => {
            eprintln!("canplayer: {message}");
            *code
        }
    };
    if !args.quiet {
        if matches!(stop, Stop::Interrupted) {
            eprintln!("canplayer: interrupted");
        }
        for line in summary::lines(&tally, &outputs.counts(), &lateness, elapsed, !args.ignore_timestamps) {
            eprintln!("canplayer: {line}");
        }
    }
    for output in outputs.buses {
        output.bus.close();
    }
    Ok(code)
}

/// The state of one replay.
struct Player<'a> {
    args: &'a ReplayArgs,
    filter: FilterSet,
    /// `--start/--end` as given; resolved against the first frame of the first file.
    bounds: (Option<TimeBound>, Option<TimeBound>),
    window: Option<(Option<Timestamp>, Option<Timestamp>)>,
    scheduler: Scheduler,
    outputs: &'a mut Outputs,
    tally: Tally,
    lateness: Lateness,
    /// The monotonic instant offsets count from: when the first frame was due.
    started: Option<Instant>,
    /// `-v`: frames as sent, candump -L lines on stdout.
    printer: Option<Printer>,
    printed: Vec<u8>,
    /// Reasons a bus refused a frame, each warned about once.
    unsupported_warned: Vec<String>,
    waiter: Waiter,
}

impl Player<'_> {
    async fn play(&mut self, inputs: &[Input], opened: &mut [Option<Source>]) -> Stop {
        let mut round = 0u64;
        let stop = 'outer: loop {
            if let Loops::Times(n) = self.args.loops {
                if round >= n {
                    break Stop::Finished;
                }
            }
            for (index, input) in inputs.iter().enumerate() {
                let source = match opened[index].take() {
                    Some(source) => source,
                    None => match Source::open(&input.path, &input.read, "canplayer", !self.args.quiet) {
                        Ok(source) => source,
                        Err(e) => break 'outer Stop::Failed(e.to_string(), e.exit_code()),
                    },
                };
                self.scheduler.start_segment();
                match self.play_file(source).await {
                    Stop::Finished => {}
                    other => break 'outer other,
                }
            }
            round += 1;
            self.tally.loops_done = round;
            // Looping forever over files that send nothing would spin without end.
            if self.tally.sent == 0 && self.args.loops == Loops::Forever {
                break Stop::Failed("nothing to replay: no frame was sent in a whole pass".into(), exit::OK);
            }
        };
        match self.flush_printed() {
            Stop::Finished => stop,
            other => other,
        }
    }

    async fn play_file(&mut self, mut source: Source) -> Stop {
        let stop = loop {
            let record = match source.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break Stop::Finished,
                Err(e) => {
                    source.clear_progress();
                    break Stop::Failed(e.to_string(), e.exit_code());
                }
            };
            let frame = match record {
                Record::Frame(frame) => frame,
                Record::Event(_) => {
                    crate::log::count(&mut self.tally.other, "log events (markers, comments, states)");
                    continue;
                }
            };
            if !self.wanted(&frame) {
                self.tally.filtered += 1;
                continue;
            }
            let Some(to) = self.outputs.route(&frame) else {
                let label = channel_label(&frame.channel);
                if !self.tally.unmapped.contains_key(&label) {
                    source.clear_progress();
                    eprintln!("canplayer: channel {label} is not mapped: its frames are skipped (see --map)");
                }
                *self.tally.unmapped.entry(label).or_insert(0) += 1;
                continue;
            };
            match self.send_on_time(&frame, to).await {
                Stop::Finished => {}
                Stop::Failed(message, 0) => {
                    source.clear_progress();
                    eprintln!("canplayer: {message}");
                }
                other => break other,
            }
        };
        source.clear_progress();
        self.tally.malformed += source.malformed;
        for (why, n) in source.skipped() {
            *self.tally.other.entry(why.clone()).or_insert(0) += n;
        }
        for (why, n) in source.repaired() {
            *self.tally.repaired.entry(why.clone()).or_insert(0) += n;
        }
        stop
    }

    /// The time window, the filters and the error-frame rule.
    fn wanted(&mut self, frame: &Frame) -> bool {
        let bounds = self.bounds;
        let (lo, hi) = *self.window.get_or_insert_with(|| {
            (resolve_bound(bounds.0, frame.timestamp), resolve_bound(bounds.1, frame.timestamp))
        });
        lo.is_none_or(|lo| frame.timestamp >= lo)
            && hi.is_none_or(|hi| frame.timestamp <= hi)
            && (self.args.error_frames || !frame.is_error())
            && self.filter.matches(frame)
    }

    /// Wait for the frame's due time and send it. A frame the bus cannot carry comes back as
    /// `Failed` with code 0 the first time for each reason (warn and go on), `Finished` after.
    async fn send_on_time(&mut self, frame: &Frame, to: usize) -> Stop {
        let offset = self.scheduler.next(frame.timestamp);
        let started = *self.started.get_or_insert_with(Instant::now);
        let due = started + offset;
        if !self.printed.is_empty()
            && (self.printed.len() >= 1 << 15 || until(due) > Duration::from_millis(2))
        {
            if let stop @ (Stop::PipeClosed | Stop::Failed(..)) = self.flush_printed() {
                return stop;
            }
        }
        if !self.waiter.wait_until(due) {
            return Stop::Interrupted;
        }
        let output = &mut self.outputs.buses[to];
        let mut outgoing = *frame;
        if let Some(channel) = output.channel {
            outgoing.channel = channel;
        }
        match output.bus.send(&outgoing).await {
            Ok(()) => {}
            Err(BusError::Unsupported { interface, message }) => {
                let why = format!("not sendable on {}: {message}", output.name);
                crate::log::count(&mut self.tally.other, &why);
                if self.unsupported_warned.contains(&why) {
                    return Stop::Finished;
                }
                self.unsupported_warned.push(why);
                return Stop::Failed(format!("{interface}: {message}; such frames are skipped"), 0);
            }
            Err(e) => {
                return Stop::Failed(format!("sending to {}: {e}", output.bus.describe()), exit::FAILURE)
            }
        }
        self.lateness.record(Instant::now().saturating_duration_since(due));
        output.sent += 1;
        self.tally.sent += 1;
        if let Some(printer) = &self.printer {
            printer.frame(&mut self.printed, &outgoing.with_timestamp(Timestamp::now()));
        }
        Stop::Finished
    }

    fn flush_printed(&mut self) -> Stop {
        match write_stdout(&mut std::io::stdout().lock(), &mut self.printed) {
            Ok(true) => Stop::Finished,
            Ok(false) => Stop::PipeClosed,
            Err(e) => Stop::Failed(e.to_string(), e.exit_code()),
        }
    }
}
