//! `caneth`: the Waveshare CAN-to-Ethernet gateway's client (watch, send, wait), with the Python
//! `caneth` client's commands and flags, and a device simulator. The gateway is the `waveshare`
//! bus ([`crate::bus::waveshare`]); the simulator is [`crate::server`] serving Waveshare channels.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use super::canlogger::watch::show;
use super::{exit, parse_duration, usage, BusArgs, FilterArgs, FormatArgs};
use crate::bus::hub::Hub;
use crate::bus::Bus;
use crate::config;
use crate::filter::{DataMatch, FilterSet, IdFilter};
use crate::frame::{Frame, MAX_EXTENDED_ID, MAX_STANDARD_ID};
use crate::pipe::{Limits, StopReason};
use crate::repl::ReplOptions;
use crate::server::{self, ServedBus, ServerOptions, WaveshareChannel};
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
The gateway is a TCP server speaking 13-byte records, one port per CAN channel (Waveshare \
2-CH-CAN-TO-ETH: 20001 for CAN1, 20002 for CAN2). Lost connections are re-established with a \
back-off (--reconnect-*), reported on stderr; watch goes on across them. Every other cankit tool \
reaches the gateway as the bus -i waveshare -c HOST:PORT.

Examples:
  caneth --host 192.168.0.7 --port 20001 watch
  caneth --host 192.168.0.7 --port 20001 send --id 0x123 --data \"01 02 03 04\"
  caneth --host 192.168.0.7 --port 20001 wait --id 0x123 --d0 0x01 --d1 0x02 --wait-timeout 10
  caneth --host 192.168.0.7 --port 20001 repl
  caneth simulate                      # a gateway on 127.0.0.1:20001/20002, CAN1 = the default bus
  caneth --host 127.0.0.1 watch        # in another terminal: what `canlogger send` puts on the bus
  canlogger -i waveshare -c 192.168.0.7:20001 -f trace.blf     # record the gateway

Ids are decimal or hex as in the Python caneth (291, 0x123, 7E8); bytes are hex (\"12 34 56\", \
\"0x12,0xFF\", \"12-34-56\", \"123456\").

Exit codes: 0 success, 1 timeout (wait), 2 usage error, 3 the gateway could not be reached \
(or the simulator's ports or bus could not be opened).";

/// Talk to a Waveshare CAN-to-Ethernet gateway (watch, send, wait, repl), or simulate one.
#[derive(Parser, Debug)]
#[command(name = "caneth", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// The gateway's address (name, IPv4 or IPv6)
    #[arg(long = "host", value_name = "HOST", global = true)]
    pub host: Option<String>,
    /// The TCP port of the gateway's CAN channel (20001: CAN1, 20002: CAN2)
    #[arg(long = "port", value_name = "PORT", default_value_t = 20001, global = true)]
    pub port: u16,
    /// Seconds to wait for the first connection (and, for send, for the frame to go out)
    #[arg(long = "timeout", value_name = "SECONDS", default_value_t = 10.0, global = true, value_parser = seconds)]
    pub timeout: f64,
    /// First reconnect delay in seconds (doubling, then growing by a second)
    #[arg(long = "reconnect-initial", value_name = "SECONDS", default_value_t = 0.5, global = true, value_parser = seconds)]
    pub reconnect_initial: f64,
    /// Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap
    #[arg(long = "reconnect-max", value_name = "SECONDS", default_value_t = 10.0, global = true, value_parser = seconds)]
    pub reconnect_max: f64,
    /// The delay's cap when --reconnect-max is 0
    #[arg(long = "reconnect-cap", value_name = "SECONDS", default_value_t = 60.0, global = true, value_parser = seconds)]
    pub reconnect_cap: f64,
    #[command(subcommand)]
    pub command: Command,
}

fn seconds(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e9)
        .ok_or_else(|| format!("'{s}' is not a number of seconds"))
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Watch(WatchArgs),
    Send(SendArgs),
    Wait(WaitArgs),
    Repl(ReplCommand),
    Simulate(SimulateArgs),
}

/// Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)
#[derive(Args, Debug)]
#[command(after_help = "\
The console of `canlogger repl` on the gateway (`help` lists its commands; the Python caneth \
repl's `send 0x123 01 02 03 ext`, `on 0x7E8 03`, `wait 0x7E8 03 41 2.5`, `list`, `unwatch N|all` \
work too). It goes on across reconnects, which it reports.

Examples:
  caneth --host 192.168.0.7 --port 20001 repl
  printf 'send 7DF#0201\\nwait 7E8 2s\\n' | caneth --host 127.0.0.1 repl")]
pub struct ReplCommand {
    #[command(flatten)]
    pub args: super::canlogger::repl::ReplArgs,
}

/// Print every frame the gateway receives, until Ctrl-C
#[derive(Args, Debug)]
pub struct WatchArgs {
    #[command(flatten)]
    pub format: FormatArgs,
    /// Stop after COUNT frames
    #[arg(short = 'n', long = "count", value_name = "COUNT")]
    pub count: Option<u64>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

/// Send one frame and exit
#[derive(Args, Debug)]
pub struct SendArgs {
    /// CAN id: decimal or hex (291, 0x123, 7E8); above 0x7FF it is extended unless --std
    #[arg(long = "id", value_name = "ID", required = true)]
    pub id: String,
    /// Data bytes in hex: "12 34 56", "0x12,0xFF", "12-34-56", "123456"
    #[arg(long = "data", value_name = "BYTES", default_value = "")]
    pub data: String,
    /// Extended (29-bit) id
    #[arg(long = "extended", overrides_with = "standard")]
    pub extended: bool,
    /// Standard (11-bit) id
    #[arg(long = "std", alias = "standard")]
    pub standard: bool,
    /// Remote frame (the data's length is the length asked for)
    #[arg(long = "rtr")]
    pub rtr: bool,
}

/// Wait for a matching frame, print it and exit 0; exit 1 on timeout
#[derive(Args, Debug)]
pub struct WaitArgs {
    #[command(flatten)]
    pub format: FormatArgs,
    /// CAN id to match: decimal or hex
    #[arg(long = "id", value_name = "ID", required = true)]
    pub id: String,
    /// The first data byte must be this (decimal or hex)
    #[arg(long = "d0", value_name = "BYTE")]
    pub d0: Option<String>,
    /// The second data byte must be this; needs --d0
    #[arg(long = "d1", value_name = "BYTE")]
    pub d1: Option<String>,
    /// Seconds to wait (default: forever)
    #[arg(long = "wait-timeout", value_name = "SECONDS", value_parser = seconds)]
    pub wait_timeout: Option<f64>,
}

/// Simulate a gateway: listen like the device and bridge each channel to a cankit bus
#[derive(Args, Debug)]
#[command(after_help = "\
CAN1 is the bus the bus options select (default: the loopback bus every cankit and python-can \
process on this host shares); CAN2 is --can2's (default: a virtual bus of its own). Each client \
of a channel is a node on its bus: its frames reach the bus and the other clients, not itself.

Examples:
  caneth simulate
  caneth simulate -i socketcan -c vcan0 --can2 socketcan:vcan1
  caneth simulate --drop-every 5s      # close each connection after 5 s: test reconnects")]
pub struct SimulateArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Where CAN1 listens; CAN2 listens on the next port
    #[arg(long = "listen", value_name = "ADDR:PORT", default_value = "127.0.0.1:20001")]
    pub listen: SocketAddr,
    /// Channels to simulate: 1 or 2
    #[arg(long = "channels", value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub channels: u8,
    /// CAN2's bus, INTERFACE[:CHANNEL] [default: virtual:caneth-can2]
    #[arg(long = "can2", value_name = "INTERFACE:CHANNEL")]
    pub can2: Option<String>,
    /// Close each client's connection this long after it was made (e.g. 5s), to test reconnects
    #[arg(long = "drop-every", value_name = "TIME", value_parser = parse_duration)]
    pub drop_every: Option<Duration>,
    /// Clients served at once
    #[arg(long = "max-clients", value_name = "N", default_value_t = 16)]
    pub max_clients: usize,
    /// Clients only receive: what they send does not reach the bus
    #[arg(long = "read-only")]
    pub read_only: bool,
    /// Say nothing on stderr about clients
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

/// Entry point of the `caneth` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // At a terminal the repl handles Ctrl-C itself: only SIGTERM stops it there.
    let interactive = std::io::stdin().is_terminal();
    let interactive_repl = interactive && matches!(cli.command, Command::Repl(_));
    let command = |shutdown| async move {
        match cli.command {
            Command::Simulate(args) => simulate(args, shutdown).await,
            Command::Watch(ref args) => watch(&cli, args, shutdown).await,
            Command::Send(ref args) => send(&cli, args).await,
            Command::Wait(ref args) => wait(&cli, args, shutdown).await,
            Command::Repl(ref args) => repl(&cli, args, interactive, shutdown).await,
        }
    };
    if interactive_repl {
        super::run_main_interactive("caneth", command)
    } else {
        super::run_main("caneth", command)
    }
}

async fn repl(cli: &Cli, command: &ReplCommand, interactive: bool, shutdown: Shutdown) -> anyhow::Result<u8> {
    let args = &command.args;
    let bus = open(cli).await?;
    eprintln!("caneth: connected to {}", bus.describe());
    let hub = Hub::new(bus);
    let defaults = ReplOptions::new("caneth");
    let history = if args.no_history { None } else { args.history.clone().or(defaults.history.clone()) };
    let options =
        ReplOptions { printer: args.format.printer(), history, interactive, watch: args.watch, ..defaults };
    Ok(crate::repl::run(&hub, options, shutdown).await?)
}

/// The gateway as bus options: `-i waveshare -c HOST:PORT` with the timeouts and back-off.
fn gateway(cli: &Cli) -> anyhow::Result<BusArgs> {
    let host = cli.host.as_deref().ok_or_else(|| usage("--host is required: the gateway's address"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let channel =
        if host.contains(':') { format!("[{host}]:{}", cli.port) } else { format!("{host}:{}", cli.port) };
    Ok(BusArgs {
        interface: Some("waveshare".into()),
        channel: Some(channel),
        bus_option: vec![
            format!("connect_timeout={}", cli.timeout),
            format!("reconnect_initial={}", cli.reconnect_initial),
            format!("reconnect_max={}", cli.reconnect_max),
            format!("reconnect_cap={}", cli.reconnect_cap),
        ],
        // The gateway is the bus: a config file's or the environment's interface must not win.
        ..BusArgs::default()
    })
}

async fn open(cli: &Cli) -> anyhow::Result<Bus> {
    let args = gateway(cli)?;
    let resolved = config::resolve(&args.flag_settings()?)?;
    Ok(Bus::open(&resolved.config).await?)
}

/// The Python caneth's id syntax: Python's `int(s, 0)` (decimal, 0x/0o/0b), else plain hex.
pub fn parse_id(s: &str) -> Result<u32, String> {
    let t = s.trim();
    python_int(t)
        .or_else(|| (!t.is_empty() && t.bytes().all(|b| b.is_ascii_hexdigit())).then(|| u64::from_str_radix(t, 16).ok()).flatten())
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v <= MAX_EXTENDED_ID)
        .ok_or_else(|| format!("invalid CAN id '{s}': use decimal (291) or hex (0x123 or 123 with a hex letter), at most 0x1FFFFFFF"))
}

/// The Python caneth's byte syntax: `int(s, 0)`, else one or two hex digits; 0..255.
pub fn parse_byte(s: &str, name: &str) -> Result<u8, String> {
    let t = s.trim();
    let v = python_int(t)
        .or_else(|| {
            (matches!(t.len(), 1 | 2) && t.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| u64::from_str_radix(t, 16).ok())
                .flatten()
        })
        .ok_or_else(|| format!("invalid {name} '{s}': use decimal (0..255) or hex (0xAB or AB)"))?;
    u8::try_from(v).map_err(|_| format!("{name} out of range (0..255): {v}"))
}

/// Python's `int(text, 0)` for non-negative numbers: `0x`/`0o`/`0b` prefixes, decimal without
/// leading zeros (but `0`, `00`), underscores between digits.
fn python_int(t: &str) -> Option<u64> {
    let lower = t.to_ascii_lowercase();
    let (digits, radix) = match lower.get(..2) {
        Some("0x") => (&lower[2..], 16),
        Some("0o") => (&lower[2..], 8),
        Some("0b") => (&lower[2..], 2),
        _ => (lower.as_str(), 10),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let digits = digits.replace('_', "");
    if radix == 10 && digits.len() > 1 && digits.starts_with('0') && digits.bytes().any(|b| b != b'0') {
        return None;
    }
    u64::from_str_radix(&digits, radix).ok()
}

/// The Python caneth's `parse_hex_bytes` forms (`"12 34 56"`, `"0x12,0xFF"`, `"12-34-56"`,
/// `"123456"`) are can-utils' data syntax ([`crate::text::parse_data_bytes`]); at most 8 bytes.
pub fn parse_bytes(s: &str) -> Result<Vec<u8>, String> {
    let (bytes, len) = crate::text::parse_data_bytes(s).map_err(|e| format!("data '{s}': {e}"))?;
    if len > 8 {
        return Err(format!("data '{s}': {len} bytes, at most 8 fit a frame"));
    }
    Ok(bytes[..len].to_vec())
}

async fn watch(cli: &Cli, args: &WatchArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let filter = args.filter.parse()?;
    let bus = open(cli).await?;
    eprintln!("caneth: connected to {}; watching (Ctrl-C to quit)", bus.describe());
    let limits = Limits { count: args.count, idle: None, duration: None };
    show(bus, filter, &args.format.printer(), limits, "caneth", false, &shutdown).await?;
    Ok(exit::OK)
}

/// The frame `send` describes.
pub fn send_frame(args: &SendArgs) -> Result<Frame, String> {
    let id = parse_id(&args.id)?;
    let data = parse_bytes(&args.data)?;
    let extended = if args.standard { false } else { args.extended || id > MAX_STANDARD_ID };
    let frame = if args.rtr {
        Frame::new_remote(id, extended, data.len() as u8)
    } else {
        Frame::new_data(id, extended, &data)
    };
    frame.map_err(|e| e.to_string())
}

async fn send(cli: &Cli, args: &SendArgs) -> anyhow::Result<u8> {
    let frame = send_frame(args).map_err(usage)?;
    let bus = open(cli).await?;
    let limit = Duration::from_secs_f64(cli.timeout.max(0.001));
    match tokio::time::timeout(limit, bus.send(&frame)).await {
        Ok(sent) => sent?,
        Err(_) => anyhow::bail!(
            "{}: the frame was not sent within {} s (the gateway is not connected)",
            bus.describe(),
            cli.timeout
        ),
    }
    eprintln!(
        "caneth: sent frame id=0x{:X}, ext={}, rtr={}, data={}",
        frame.id(),
        u8::from(frame.is_extended()),
        frame.is_remote(),
        frame.data().iter().map(|b| format!("{b:02X}")).collect::<String>()
    );
    Ok(exit::OK)
}

/// The filter `wait` describes: the id (standard or extended, as the Python caneth matches the
/// id alone) and the first bytes.
pub fn wait_filter(args: &WaitArgs) -> Result<FilterSet, String> {
    let id = parse_id(&args.id)?;
    if args.d1.is_some() && args.d0.is_none() {
        return Err("--d1 needs --d0 (the first byte is matched before the second)".into());
    }
    let mut set = FilterSet::none();
    set.add(IdFilter::masked(id, MAX_EXTENDED_ID, true));
    if id <= MAX_STANDARD_ID {
        set.add(IdFilter::masked(id, MAX_STANDARD_ID, false));
    }
    for (offset, text, name) in [(0, &args.d0, "d0"), (1, &args.d1, "d1")] {
        if let Some(t) = text {
            set.add_data_match(DataMatch { offset, value: parse_byte(t, name)?, mask: 0xFF });
        }
    }
    Ok(set)
}

async fn wait(cli: &Cli, args: &WaitArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let filter = wait_filter(args).map_err(usage)?;
    let bus = open(cli).await?;
    let duration = args.wait_timeout.map(Duration::from_secs_f64);
    let limits = Limits { count: Some(1), idle: None, duration };
    let (frames, reason) =
        show(bus, filter, &args.format.printer(), limits, "caneth", false, &shutdown).await?;
    if frames >= 1 {
        return Ok(exit::OK);
    }
    if reason == StopReason::Timeout {
        eprintln!("caneth: timeout waiting for the frame ({} s)", args.wait_timeout.unwrap_or_default());
    }
    Ok(exit::TIMEOUT)
}

async fn simulate(args: SimulateArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let quiet = args.quiet;
    let log: server::Log = Arc::new(move |line: &str| {
        if !quiet {
            eprintln!("caneth: {line}");
        }
    });
    let can1 = args.bus.open("caneth").await?;
    let mut buses = vec![ServedBus::new(vec!["CAN1".into()], Arc::new(Hub::new(can1)))];
    if args.channels == 2 {
        let spec = args.can2.clone().unwrap_or_else(|| "virtual:caneth-can2".into());
        let (interface, channel) = match spec.split_once(':') {
            Some((i, c)) => (i.to_string(), (!c.is_empty()).then(|| c.to_string())),
            None => (spec.clone(), None),
        };
        let mut flags = args.bus.flag_settings()?;
        flags.interface = Some(interface);
        flags.channel = channel;
        let resolved = config::resolve(&flags)?;
        let can2 = Bus::open(&resolved.config)
            .await
            .map_err(|e| anyhow::Error::from(e).context(format!("--can2 {spec}")))?;
        buses.push(ServedBus::new(vec!["CAN2".into()], Arc::new(Hub::new(can2))));
    }
    let mut waveshare = Vec::new();
    for (index, _) in buses.iter().enumerate() {
        let port = u16::try_from(usize::from(args.listen.port()) + index)
            .map_err(|_| usage(format!("--listen {}: no port for CAN{}", args.listen, index + 1)))?;
        waveshare.push(WaveshareChannel { listen: SocketAddr::new(args.listen.ip(), port), bus: index });
    }
    for (b, c) in buses.iter().zip(&waveshare) {
        log(&format!("{} on {}: {}", b.names[0], c.listen, b.hub.describe()));
    }
    let options = ServerOptions {
        listen: vec![args.listen.ip()],
        socketcand_port: None,
        remote_port: None,
        http_port: None,
        beacon: false,
        max_clients: args.max_clients.max(1),
        read_only: args.read_only,
        waveshare,
        drop_every: args.drop_every,
        ..ServerOptions::default()
    };
    let report = server::serve(buses, options, shutdown, Arc::clone(&log)).await?;
    log(&format!("stopped after {} connections ({} refused)", report.connections, report.refused));
    Ok(exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_bytes_as_the_python_caneth_reads_them() {
        assert_eq!(parse_id("291"), Ok(291));
        assert_eq!(parse_id("0x123"), Ok(0x123));
        assert_eq!(parse_id("123"), Ok(123), "decimal first, as Python's int(s, 0)");
        assert_eq!(parse_id("7E8"), Ok(0x7E8));
        assert_eq!(parse_id("0123"), Ok(0x123), "a leading zero is not decimal in Python: hex");
        assert_eq!(parse_id("0x12345678"), Ok(0x1234_5678));
        assert!(parse_id("0x20000000").is_err());
        assert!(parse_id("12g").is_err());
        assert_eq!(parse_byte("0x01", "d0"), Ok(1));
        assert_eq!(parse_byte("01", "d0"), Ok(1));
        assert_eq!(parse_byte("10", "d0"), Ok(10));
        assert_eq!(parse_byte("ff", "d0"), Ok(255));
        assert!(parse_byte("256", "d0").unwrap_err().contains("out of range"));
        assert!(parse_byte("fff", "d0").is_err());
        for (text, want) in [
            ("12 34 56", vec![0x12, 0x34, 0x56]),
            ("0x12,0xFF,0x00", vec![0x12, 0xFF, 0]),
            ("12-34-56", vec![0x12, 0x34, 0x56]),
            ("123456", vec![0x12, 0x34, 0x56]),
            ("12:34:56", vec![0x12, 0x34, 0x56]),
            ("", vec![]),
        ] {
            assert_eq!(parse_bytes(text), Ok(want), "{text}");
        }
        assert!(parse_bytes("12345").unwrap_err().contains("odd number of hex digits"));
        assert!(parse_bytes("00 11 22 33 44 55 66 77 88").unwrap_err().contains("at most 8"));
        assert!(parse_bytes("zz").is_err());
    }

    #[test]
    fn send_picks_extended_above_7ff_unless_told() {
        let args = |id: &str, ext: bool, std: bool| SendArgs {
            id: id.into(),
            data: "01 02".into(),
            extended: ext,
            standard: std,
            rtr: false,
        };
        assert!(!send_frame(&args("0x123", false, false)).unwrap().is_extended());
        assert!(send_frame(&args("0x123", true, false)).unwrap().is_extended());
        assert!(send_frame(&args("0x800", false, false)).unwrap().is_extended());
        assert!(send_frame(&args("0x800", false, true)).unwrap_err().contains("11 bits"));
    }

    #[test]
    fn wait_needs_d0_for_d1() {
        let args = WaitArgs {
            format: FormatArgs { format: "human".into(), nanos: false },
            id: "0x123".into(),
            d0: None,
            d1: Some("2".into()),
            wait_timeout: None,
        };
        assert!(wait_filter(&args).unwrap_err().contains("--d1 needs --d0"));
    }
}
