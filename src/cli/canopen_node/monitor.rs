//! `canopen-node monitor`: CANopen traffic decoded, live from a bus or from a log file, as text
//! lines or JSON lines. The decoding is [`crate::canopen::monitor`]; this module chooses the
//! source (the bus options, or `--file` read as `canlogger convert` reads it), loads the
//! `--eds NODE=FILE` dictionaries and prints.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::bus::BusEvent;
use crate::canopen::eds;
use crate::canopen::monitor::{Event, Monitor};
use crate::canopen::ObjectDictionary;
use crate::cli::{describe_counts, exit, parse_duration, parse_format, usage, BusArgs, FilterArgs, Stderr};
use crate::frame::Timestamp;
use crate::log::{Record, TimeZone};
use crate::pipe::{write_out, LogInput, Observer, PipeError, Select};
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
Every frame becomes one line, time first (local time of day, as `canlogger watch` prints; from \
--file, the file's times): NMT commands, SYNC (with its counter), TIME (as a date), EMCY (code \
and meaning, error register, manufacturer bytes), boot-up and heartbeats with the state, node \
guarding requests and answers, LSS, PDOs, and frames CANopen does not define (FRAME, raw; \
--hide-unknown drops them). An SDO transaction (expedited, segmented or block, on 0x600+n / \
0x580+n) is one line when it ends: node, read or write, INDEX:SUB, the value, its size and mode, \
or the abort code with its meaning; a transfer with no frame for --sdo-timeout (log time) or \
still open at the end is reported as incomplete.

With --eds NODE=FILE (an EDS or DCF, repeatable) that node's entries are named, values read by \
their types, and its PDOs decoded by the file's communication and mapping parameters \
(0x1400-0x1BFF); SDO writes to those parameters seen on the bus are followed, and NMT reset \
node/communication puts them back to the file's values. Without it, the pre-defined COB-IDs \
name PDOs (TPDO1..4 = 0x180/0x280/0x380/0x480 + node, RPDO1..4 = 0x200/0x300/0x400/0x500 + \
node) and show their bytes.

--json prints one object per event, with `time` (UNIX seconds, or seconds into a recording \
without a date) and `event`, then by event:
  nmt             command (start, stop, preop, reset-node, reset-comm, unknown), node (0 = all)
  sync            counter (null without one)
  time            milliseconds, days (since 1984-01-01), date
  emcy            node, code (\"0x5000\"), meaning, register (\"0x01\"), info (hex bytes)
  boot-up         node
  heartbeat       node, state (operational, stopped, pre-operational, ...), code
  guard-request   node
  guard-response  node, state, code, toggle (0/1)
  lss             from (master/slave), command, code, data
  sdo             node, access (read/write; unknown for an abort outside a transfer), index
                  (\"0x1018\"), sub, name, type (null without an EDS), mode (expedited,
                  segmented, block), size, started (time of its first frame), result (ok,
                  aborted, incomplete); ok: value (by type; a number for 1/2/4 expedited bytes,
                  else hex), raw (hex); aborted: abort (\"0x06020000\"), meaning, by
                  (client/server); incomplete: reason; note (a CRC or size mismatch), if any
  pdo             node, pdo (TPDO1), cob_id (\"0x185\"), remote, data (hex), values (with an
                  EDS: index, sub, name, value each), note (a length mismatch), if any
  sdo-frame       node, from (client/server), data: an SDO frame outside any transfer
  frame           id (\"0x123\"), extended, remote, error, dlc, data

Examples:
  canopen-node monitor                                  # the default bus, live
  canopen-node monitor -e 5=device.eds -i socketcan -c can0
  canopen-node monitor -f trace.blf -e 5=device.eds --json | jq 'select(.event==\"sdo\")'
  canopen-node monitor -f capture.log --hide-unknown --filter 580:780

Exit codes: 0 the file was read to its end, or SIGINT/SIGTERM stopped the live monitor; 2 usage \
error, an EDS that cannot be used, a log file that does not parse (file and line on stderr); 3 \
the bus failed.";

/// Decode CANopen traffic live or from a log file: NMT, SDO transactions, PDOs, EMCY, heartbeats
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// A node's EDS or DCF: entry names, value types, PDO mappings (repeatable)
    #[arg(short = 'e', long = "eds", value_name = "NODE=FILE")]
    pub eds: Vec<String>,
    /// One JSON object per line (fields below) instead of text
    #[arg(long = "json")]
    pub json: bool,
    /// Read a log file (any format `canlogger convert` reads) instead of the bus
    #[arg(short = 'f', long = "file", value_name = "LOG")]
    pub file: Option<PathBuf>,
    /// The file's format when its extension does not say: asc, blf, log, trc, csv, db
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format, requires = "file")]
    pub from: Option<crate::log::Format>,
    /// Time zone of naive dates in the file's header: local (default), utc, +02:00
    #[arg(long = "tz", value_name = "ZONE", value_parser = TimeZone::parse, conflicts_with = "utc")]
    pub tz: Option<TimeZone>,
    /// Naive dates in the file's header are UTC (same as --tz utc)
    #[arg(long = "utc")]
    pub utc: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Do not show frames CANopen does not define
    #[arg(long = "hide-unknown")]
    pub hide_unknown: bool,
    /// An SDO transfer with no frame for this long (in the log's time) is reported as incomplete
    #[arg(long = "sdo-timeout", value_name = "TIME", default_value = "5s", value_parser = parse_duration)]
    pub sdo_timeout: Duration,
}

/// `NODE=FILE` into the node-ID and its dictionary.
fn load_eds(spec: &str) -> anyhow::Result<(u8, ObjectDictionary)> {
    let (node, path) = spec
        .split_once('=')
        .ok_or_else(|| usage(format!("--eds '{spec}': expected NODE=FILE (5=device.eds)")))?;
    let node = node
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|n| (1..=127).contains(n))
        .ok_or_else(|| usage(format!("--eds '{spec}': the node-ID must be 1..127")))?;
    let path = PathBuf::from(path);
    let loaded = eds::load(&path, Some(node)).map_err(|e| usage(e.to_string()))?;
    for warning in &loaded.warnings {
        eprintln!("canopen-node: warning: {warning}");
    }
    Ok((node, loaded.dictionary))
}

/// Where the lines go: text or JSON on stdout, in batches.
struct Output {
    json: bool,
    hide_unknown: bool,
    /// Seconds east of UTC, looked up once, for the text lines' time of day.
    utc_offset: i64,
    buf: Vec<u8>,
}

impl Output {
    fn push(&mut self, time: Timestamp, event: &Event) {
        use std::io::Write as _;
        if self.hide_unknown && matches!(event, Event::Frame(_)) {
            return;
        }
        if self.json {
            let _ = writeln!(self.buf, "{}", event.json_line(time));
        } else {
            let local = time.secs() + self.utc_offset;
            let day = local.rem_euclid(86_400);
            let _ = writeln!(
                self.buf,
                "{:02}:{:02}:{:02}.{:06}  {}",
                day / 3600,
                day / 60 % 60,
                day % 60,
                time.subsec_nanos() / 1000,
                event.text()
            );
        }
    }

    /// Write what was gathered; `false` when stdout was closed (`| head`).
    fn flush(&mut self) -> Result<bool, PipeError> {
        write_out(&mut std::io::stdout().lock(), &mut self.buf)
    }
}

pub async fn run(args: MonitorArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let mut nodes = BTreeMap::new();
    for spec in &args.eds {
        let (node, od) = load_eds(spec)?;
        nodes.insert(node, od);
    }
    let filter = args.filter.parse()?;
    let mut monitor = Monitor::new(nodes);
    monitor.sdo_timeout = args.sdo_timeout;
    let utc_offset = i64::from(jiff::tz::TimeZone::system().to_offset(jiff::Timestamp::now()).seconds());
    let output = Output {
        json: args.json,
        hide_unknown: args.hide_unknown,
        utc_offset,
        buf: Vec::with_capacity(1 << 16),
    };
    match args.file.clone() {
        Some(path) => {
            let tz = if args.utc { TimeZone::Utc } else { args.tz.unwrap_or_default() };
            let from = args.from;
            crate::cli::blocking(move || {
                let input = LogInput::open(&path, from, tz)?.strict(true);
                from_file(&path, input, Select::new().filter(filter), monitor, output, &shutdown)
            })
            .await
        }
        None => {
            let mut bus = args.bus.open("canopen-node").await?;
            bus.set_filter(filter)?;
            live(&bus, monitor, output, &shutdown).await
        }
    }
}

/// Every frame of the file, then the transfers still open.
fn from_file(
    path: &std::path::Path,
    mut input: LogInput,
    mut select: Select,
    mut monitor: Monitor,
    mut output: Output,
    shutdown: &Shutdown,
) -> anyhow::Result<u8> {
    let mut report = Stderr::new("canopen-node");
    let mut last = Timestamp::ZERO;
    let mut frames = 0u64;
    loop {
        if shutdown.is_triggered() {
            break;
        }
        let record = match input.next_record(&mut report) {
            Ok(Some(record)) => record,
            Ok(None) => break,
            // A file that does not parse is bad input: its place and the reason, exit 2.
            Err(PipeError::Strict(e)) => {
                output.flush()?;
                return Err(usage(e.to_string()));
            }
            Err(PipeError::Log(e)) => {
                output.flush()?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let Record::Frame(frame) = record else { continue };
        frames += 1;
        if !select.admit(&frame) {
            continue;
        }
        last = frame.timestamp;
        for event in monitor.feed(&frame, frame.timestamp) {
            output.push(frame.timestamp, &event);
        }
        if output.buf.len() >= 60_000 && !output.flush()? {
            return Ok(exit::OK);
        }
    }
    for event in monitor.finish(last) {
        output.push(last, &event);
    }
    output.flush()?;
    if !input.skipped().is_empty() {
        let skipped = describe_counts(input.skipped());
        // Nothing but records that are not frames: not the log the user meant.
        if frames == 0 {
            return Err(usage(format!("{}: no frames in it ({skipped})", path.display())));
        }
        eprintln!("canopen-node: skipped records: {skipped}");
    }
    Ok(exit::OK)
}

/// Frames from the bus until SIGINT/SIGTERM or the bus fails; a quiet bus still times
/// transfers out.
async fn live(
    bus: &crate::bus::Bus,
    mut monitor: Monitor,
    mut output: Output,
    shutdown: &Shutdown,
) -> anyhow::Result<u8> {
    let mut report = Stderr::new("canopen-node");
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut handle = |event: BusEvent, monitor: &mut Monitor, output: &mut Output| match event {
        BusEvent::Frame(frame) => {
            let time = if frame.timestamp == Timestamp::ZERO { Timestamp::now() } else { frame.timestamp };
            for event in monitor.feed(&frame, time) {
                output.push(time, &event);
            }
        }
        other => report.bus_event(&other),
    };
    let result: anyhow::Result<()> = async {
        loop {
            while let Some(event) = bus.try_recv()? {
                handle(event, &mut monitor, &mut output);
                if output.buf.len() >= 60_000 && !output.flush()? {
                    return Ok(());
                }
            }
            if !output.flush()? {
                return Ok(());
            }
            tokio::select! {
                biased;
                _ = shutdown.triggered() => return Ok(()),
                _ = tick.tick() => {
                    let now = Timestamp::now();
                    for event in monitor.poll(now) {
                        output.push(now, &event);
                    }
                }
                event = bus.recv() => handle(event?, &mut monitor, &mut output),
            }
        }
    }
    .await;
    // What was decoded before a failure is still printed, then the failure.
    let now = Timestamp::now();
    for event in monitor.finish(now) {
        output.push(now, &event);
    }
    output.flush()?;
    result?;
    Ok(exit::OK)
}
