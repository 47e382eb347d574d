//! `canlogger watch`: print live frames until a count, an idle timeout, Ctrl-C, SIGTERM or a
//! closed pipe ([`crate::pipe::print_events`] with a printer on stdout).

use std::time::Duration;

use clap::Args;

use crate::bus::Bus;
use crate::cli::{exit, parse_duration, BusArgs, FilterArgs, FormatArgs, Stderr};
use crate::filter::FilterSet;
use crate::pipe::{print_events, Limits, StopReason};
use crate::print::Printer;
use crate::shutdown::Shutdown;

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
    #[command(flatten)]
    pub filter: FilterArgs,
}

pub async fn run(bus_args: &BusArgs, args: WatchArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let filter = args.filter.parse()?;
    let bus = bus_args.open("canlogger").await?;
    let limits = Limits { count: args.count, idle: args.timeout, duration: None };
    show(bus, filter, &args.format.printer(), limits, "canlogger", bus_args.verbose, &shutdown).await?;
    Ok(exit::OK)
}

/// Print what `bus` receives through `filter` on stdout until `limits` (watch, and wait with a
/// count of one), bus events reported on stderr as `tool`; the frames printed and why it stopped.
pub async fn show(
    mut bus: Bus,
    filter: FilterSet,
    printer: &Printer,
    limits: Limits,
    tool: &'static str,
    verbose: bool,
    shutdown: &Shutdown,
) -> anyhow::Result<(u64, StopReason)> {
    bus.set_filter(filter)?;
    let mut report = Stderr::new(tool);
    let mut out = std::io::stdout().lock();
    let (frames, reason) = print_events(&mut bus, printer, &mut out, limits, shutdown, &mut report).await?;
    report.finish();
    let stats = bus.stats();
    if verbose || stats.dropped > 0 {
        eprintln!(
            "{tool}: {frames} frames shown, {} dropped by the receive buffer, {} invalid",
            stats.dropped, stats.invalid
        );
    }
    Ok((frames, reason))
}
