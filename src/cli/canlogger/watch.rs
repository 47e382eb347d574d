//! `canlogger watch`: print live frames until a count, an idle timeout, Ctrl-C, SIGTERM or a
//! closed pipe. Also the receive loop `wait` uses ([`print_frames`]).

use std::io::Write;
use std::time::Duration;

use clap::Args;
use tokio::signal::unix::{signal, SignalKind};
use tokio::time::Instant;

use crate::bus::{Bus, BusEvent};
use crate::cli::{exit, parse_duration, write_stdout, BusArgs, CliError, FormatArgs};
use crate::filter::FilterSet;
use crate::print::Printer;

const AFTER_HELP: &str = "\
Filters use candump's syntax; several --filter options (or comma-separated expressions) are OR'ed:
  123:7FF        id 0x123 (standard or extended, data or remote)
  123:C00007FF   only standard data frames with id 0x123
  12345678:DFFFFFFF  only extended id 0x12345678
  400~7F0        everything except 0x400-0x40F
  #FFFFFFFF      error frames (all classes); without filters, error frames are shown too
  j              a frame must pass all filters (AND)

Examples:
  canlogger watch
  canlogger watch --format log > traffic.log      # candump -L lines, replayable by canplayer
  canlogger watch --format json -n 10 | jq .arbitration_id
  canlogger watch --filter 100:700 -T 5s";

/// Print live frames.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct WatchArgs {
    #[command(flatten)]
    pub format: FormatArgs,
    /// Stop after COUNT frames
    #[arg(short = 'n', long = "count", value_name = "COUNT")]
    pub count: Option<u64>,
    /// Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s
    #[arg(short = 'T', long = "timeout", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// candump filter expression(s), e.g. 123:7FF,400~700,#FF,j
    #[arg(long = "filter", short = 'f', value_name = "FILTER")]
    pub filter: Vec<String>,
}

/// When the receive loop ends.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct StopWhen {
    pub count: Option<u64>,
    /// No frame for this long.
    pub idle: Option<Duration>,
    /// Absolute end, whatever arrives.
    pub deadline: Option<Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StopReason {
    Count,
    Timeout,
    Signal,
    PipeClosed,
}

/// Report of how many invalid datagrams to show individually before only counting them.
const SHOW_INVALID: u64 = 5;

/// Receive events, print frames with `printer` on stdout in batches, report drops, state changes
/// and garbage on stderr, until `stop` says so.
pub(crate) async fn print_frames(
    bus: &Bus,
    signals: &mut Signals,
    printer: &Printer,
    stop: StopWhen,
    tool: &str,
) -> Result<(u64, StopReason), CliError> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut counts = Counts::default();
    let start = Instant::now();
    let mut last_frame = start;
    let reason = 'outer: loop {
        // Drain whatever is ready without going back to the reactor, writing in large batches.
        loop {
            if stop.count.is_some_and(|c| counts.frames >= c) {
                break 'outer StopReason::Count;
            }
            match bus.try_recv()? {
                Some(ev) => {
                    if counts.handle(ev, &mut buf, printer, tool) {
                        last_frame = Instant::now();
                    }
                    if buf.len() >= 60_000 && !write_stdout(&mut out, &mut buf)? {
                        break 'outer StopReason::PipeClosed;
                    }
                }
                None => break,
            }
        }
        if !write_stdout(&mut out, &mut buf)? {
            break StopReason::PipeClosed;
        }
        let idle_end = stop.idle.map(|d| last_frame + d);
        let hard_end = stop.deadline.map(|d| start + d);
        let end = match (idle_end, hard_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        tokio::select! {
            biased;
            _ = signals.interrupt.recv() => break StopReason::Signal,
            _ = signals.terminate.recv() => break StopReason::Signal,
            _ = sleep_until(end) => break StopReason::Timeout,
            ev = bus.recv() => {
                if counts.handle(ev?, &mut buf, printer, tool) {
                    last_frame = Instant::now();
                }
            }
        }
    };
    if !write_stdout(&mut out, &mut buf)? {
        return Ok((counts.frames, StopReason::PipeClosed));
    }
    let _ = out.flush();
    if counts.invalid > SHOW_INVALID {
        eprintln!("{tool}: {} invalid datagrams ignored in total", counts.invalid);
    }
    Ok((counts.frames, reason))
}

/// Ctrl-C and SIGTERM, installed before the bus opens so a signal that arrives right after start-up
/// still ends the command cleanly.
pub(crate) struct Signals {
    pub(crate) interrupt: tokio::signal::unix::Signal,
    pub(crate) terminate: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> Result<Signals, CliError> {
        let sig = |kind| {
            signal(kind).map_err(|e| CliError::Io { context: "installing signal handler".into(), source: e })
        };
        Ok(Signals { interrupt: sig(SignalKind::interrupt())?, terminate: sig(SignalKind::terminate())? })
    }
}

#[derive(Default)]
struct Counts {
    frames: u64,
    invalid: u64,
}

impl Counts {
    /// Print or report one event; true if it was a frame.
    fn handle(&mut self, event: BusEvent, buf: &mut Vec<u8>, printer: &Printer, tool: &str) -> bool {
        match &event {
            BusEvent::Frame(f) => {
                printer.frame(buf, f);
                self.frames += 1;
                return true;
            }
            BusEvent::Dropped { count } => {
                eprintln!(
                    "{tool}: {count} frames dropped before they could be read (receive buffer overflow)"
                )
            }
            BusEvent::State(s) => eprintln!("{tool}: bus state is now {s}"),
            BusEvent::Invalid { source, reason } => {
                self.invalid += 1;
                if self.invalid <= SHOW_INVALID {
                    eprintln!("{tool}: ignored invalid datagram from {source}: {reason}");
                }
                if self.invalid == SHOW_INVALID {
                    eprintln!("{tool}: further invalid datagrams are counted, not shown");
                }
            }
        }
        printer.event(buf, &event);
        false
    }
}

async fn sleep_until(end: Option<Instant>) {
    match end {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

pub async fn run(bus_args: &BusArgs, args: WatchArgs) -> Result<u8, CliError> {
    let filter = FilterSet::parse(&args.filter)?;
    let printer = args.format.printer();
    let mut signals = Signals::install()?;
    let mut bus = bus_args.open("canlogger").await?;
    bus.set_filter(filter)?;
    let stop = StopWhen { count: args.count, idle: args.timeout, deadline: None };
    let (frames, _) = print_frames(&bus, &mut signals, &printer, stop, "canlogger").await?;
    let stats = bus.stats();
    if bus_args.verbose || stats.dropped > 0 {
        eprintln!(
            "canlogger: {frames} frames shown, {} dropped by the receive buffer, {} invalid",
            stats.dropped, stats.invalid
        );
    }
    Ok(exit::OK)
}
