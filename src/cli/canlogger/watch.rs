//! `canlogger watch`: print live frames until a count, an idle timeout, Ctrl-C, SIGTERM or a
//! closed pipe ([`crate::pipe::print_events`] with a printer on stdout).

use std::time::Duration;

use clap::Args;

use crate::cli::{exit, parse_duration, BusArgs, FilterArgs, FormatArgs, Stderr};
use crate::pipe::{print_events, Limits};
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
    let printer = args.format.printer();
    let mut bus = bus_args.open("canlogger").await?;
    bus.set_filter(filter)?;
    let limits = Limits { count: args.count, idle: args.timeout, duration: None };
    let mut report = Stderr::new("canlogger");
    let mut out = std::io::stdout().lock();
    let (frames, _) = print_events(&mut bus, &printer, &mut out, limits, &shutdown, &mut report).await?;
    report.finish();
    let stats = bus.stats();
    if bus_args.verbose || stats.dropped > 0 {
        eprintln!(
            "canlogger: {frames} frames shown, {} dropped by the receive buffer, {} invalid",
            stats.dropped, stats.invalid
        );
    }
    Ok(exit::OK)
}
