//! `canlogger link`: bring SocketCAN interfaces up with their bit rate and restart delay, take
//! them down, show their state — what `ip link set can0 up type can bitrate 1000000 restart-ms
//! 2000` and `ip -details link show can0` do, through [`crate::link`]. Takes the seed's bring-up
//! specs (`can0@1000000,2000`) too, so a systemd unit passes `$CAN_IF` straight through.

use clap::{Args, Subcommand};

use crate::cli::{exit, BusArgs};
use crate::link::{self, LinkError, LinkSettings, LinkSpec};

const AFTER_HELP: &str = "\
An INTERFACE is a name (can0) or a bring-up spec NAME@BITRATE[,RESTART_MS] as the seed's can_if \
script takes them (can0@1000000,2000 = 1 Mbit/s, restart 2000 ms after bus-off). `up` sets the \
interface down, sets the bit timing, then sets it up, as `ip link set` users do; with nothing to \
set it only sets it up. Configuring needs root or CAP_NET_ADMIN; `show` does not.

Examples:
  sudo canlogger link up can0 --bitrate 1M --restart-ms 2000
  sudo canlogger link up can0@1000000,2000 can1@500000      # the seed's CAN_IF specs
  sudo canlogger link up can0 -b 1M --dbitrate 5M --fd --sample-point 0.875
  sudo canlogger link up vcan0                              # virtual: no bit rate, only up
  sudo canlogger link up can0@1M --wait 30s                 # at boot: wait for the driver
  canlogger link up can0@500k,100 --dry-run                 # print the ip commands, change nothing
  canlogger link show                                       # every CAN interface
  sudo canlogger link down can0

Exit codes: 0 done, 2 bad spec or option, an interface that is not CAN, a bit rate for a virtual \
interface; 3 no such interface, permission denied, the driver refused.";

/// Bring SocketCAN interfaces up (bit rate, restart-ms, CAN FD), down, or show them
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct LinkArgs {
    #[command(subcommand)]
    pub action: LinkAction,
}

#[derive(Subcommand, Debug)]
pub enum LinkAction {
    Up(UpArgs),
    Down(DownArgs),
    Show(ShowArgs),
}

/// Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate,
/// --fd/--no-fd the CAN FD mode)
#[derive(Args, Debug)]
pub struct UpArgs {
    /// Interfaces: can0, or the seed's specs can0@1000000,2000 (NAME@BITRATE[,RESTART_MS])
    #[arg(value_name = "INTERFACE", required = true)]
    pub interfaces: Vec<String>,
    /// Restart this many ms after bus-off (0: stay bus-off until set down and up)
    #[arg(long = "restart-ms", value_name = "MS", value_parser = link::parse_restart_ms)]
    pub restart_ms: Option<u32>,
    /// Nominal sample point, e.g. 0.875 or 87.5% (default: the driver's choice)
    #[arg(long = "sample-point", value_name = "FRACTION", value_parser = link::parse_sample_point)]
    pub sample_point: Option<u32>,
    /// CAN FD data-phase bit rate, e.g. 5M (turns CAN FD on; the same as --data-bitrate)
    #[arg(long = "dbitrate", value_name = "BITRATE", value_parser = link::parse_bitrate)]
    pub dbitrate: Option<u32>,
    /// CAN FD data-phase sample point, e.g. 0.75
    #[arg(long = "dsample-point", value_name = "FRACTION", value_parser = link::parse_sample_point)]
    pub dsample_point: Option<u32>,
    /// Transmit queue length in frames (ip's txqueuelen; drivers default to 10)
    #[arg(long = "txqueuelen", value_name = "N")]
    pub txqueuelen: Option<u32>,
    /// Wait up to TIME for each interface to appear (at boot, adapters' drivers create them late)
    #[arg(long = "wait", value_name = "TIME", value_parser = crate::cli::parse_duration)]
    pub wait: Option<std::time::Duration>,
    /// Print the equivalent ip commands and change nothing
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

/// Bring interfaces down (takes the same specs as `up`; their settings are ignored)
#[derive(Args, Debug)]
pub struct DownArgs {
    /// Interfaces: can0, or can0@1000000,2000 as `up` takes them
    #[arg(value_name = "INTERFACE", required = true)]
    pub interfaces: Vec<String>,
    /// Print the equivalent ip command and change nothing
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

/// Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller
/// state, bit rate, restart-ms, error counters
#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Interfaces to show (default: every CAN interface)
    #[arg(value_name = "INTERFACE")]
    pub interfaces: Vec<String>,
    /// One JSON object per interface
    #[arg(long = "json")]
    pub json: bool,
}

pub fn run(bus: &BusArgs, args: LinkArgs) -> anyhow::Result<u8> {
    match args.action {
        LinkAction::Up(args) => up(bus, args),
        LinkAction::Down(args) => down(args),
        LinkAction::Show(args) => Ok(show(args)),
    }
}

/// The exit code of a failed interface.
fn code_of(error: &LinkError) -> u8 {
    if error.is_usage() {
        exit::USAGE
    } else {
        exit::FAILURE
    }
}

/// Print a usage error and return its code.
fn usage_error(message: impl std::fmt::Display) -> u8 {
    eprintln!("canlogger: link: {message}");
    exit::USAGE
}

/// Every spec parsed before anything is touched, so a bad one configures nothing.
fn parse_specs(texts: &[String]) -> Result<Vec<LinkSpec>, u8> {
    let mut specs = Vec::new();
    for text in texts {
        match LinkSpec::parse(text) {
            Ok(spec) => specs.push(spec),
            Err(e) => return Err(usage_error(e)),
        }
    }
    Ok(specs)
}

/// The settings the flags give, shared by every interface named.
fn settings_from_flags(bus: &BusArgs, args: &UpArgs) -> Result<LinkSettings, String> {
    let bitrate = bus
        .bitrate
        .as_deref()
        .map(|text| link::parse_bitrate(text).map_err(|e| format!("--bitrate: {e}")))
        .transpose()?;
    let global_data_bitrate = bus
        .data_bitrate
        .as_deref()
        .map(|text| link::parse_bitrate(text).map_err(|e| format!("--data-bitrate: {e}")))
        .transpose()?;
    let data_bitrate = match (args.dbitrate, global_data_bitrate) {
        (Some(a), Some(b)) if a != b => return Err("--dbitrate and --data-bitrate disagree: give one".into()),
        (a, b) => a.or(b),
    };
    let mut fd = if bus.no_fd {
        Some(false)
    } else if bus.fd {
        Some(true)
    } else {
        None
    };
    if data_bitrate.is_some() || args.dsample_point.is_some() {
        if fd == Some(false) {
            return Err("a data-phase bit rate needs CAN FD: drop --no-fd".into());
        }
        fd = Some(true);
    }
    if args.dsample_point.is_some() && data_bitrate.is_none() {
        return Err("--dsample-point needs --dbitrate".into());
    }
    if args.sample_point.is_some() && bitrate.is_none() && args.interfaces.iter().all(|i| !i.contains('@')) {
        return Err("--sample-point needs a bit rate (--bitrate or NAME@BITRATE)".into());
    }
    Ok(LinkSettings {
        bitrate,
        sample_point: args.sample_point,
        data_bitrate,
        data_sample_point: args.dsample_point,
        restart_ms: args.restart_ms,
        fd,
        txqueuelen: args.txqueuelen,
    })
}

fn up(bus: &BusArgs, args: UpArgs) -> anyhow::Result<u8> {
    let flags = match settings_from_flags(bus, &args) {
        Ok(flags) => flags,
        Err(message) => return Ok(usage_error(message)),
    };
    let specs = match parse_specs(&args.interfaces) {
        Ok(specs) => specs,
        Err(code) => return Ok(code),
    };
    let mut plan = Vec::new();
    for spec in &specs {
        match flags.with_spec(spec) {
            Ok(settings) => plan.push((spec.name.as_str(), settings)),
            Err(e) => return Ok(usage_error(e)),
        }
    }
    if args.dry_run {
        for (name, settings) in &plan {
            for command in settings.ip_commands(name) {
                println!("{command}");
            }
        }
        return Ok(exit::OK);
    }
    // Every interface is tried, so one missing adapter does not keep the others down.
    let mut code = exit::OK;
    for (name, settings) in &plan {
        let result = match args.wait {
            Some(timeout) => link::wait_for(name, timeout).and_then(|()| link::up(name, settings)),
            None => link::up(name, settings),
        };
        if let Err(e) = result {
            eprintln!("canlogger: link up: {e}");
            code = code.max(code_of(&e));
        }
    }
    Ok(code)
}

fn down(args: DownArgs) -> anyhow::Result<u8> {
    let specs = match parse_specs(&args.interfaces) {
        Ok(specs) => specs,
        Err(code) => return Ok(code),
    };
    let mut code = exit::OK;
    for spec in &specs {
        if args.dry_run {
            println!("ip link set {} down", spec.name);
        } else if let Err(e) = link::down(&spec.name) {
            eprintln!("canlogger: link down: {e}");
            code = code.max(code_of(&e));
        }
    }
    Ok(code)
}

fn show(args: ShowArgs) -> u8 {
    let names = if args.interfaces.is_empty() {
        match link::can_interfaces() {
            Ok(names) => names,
            Err(e) => {
                eprintln!("canlogger: link show: cannot list the network interfaces: {e}");
                return exit::FAILURE;
            }
        }
    } else {
        args.interfaces.clone()
    };
    if names.is_empty() {
        eprintln!("canlogger: link show: no CAN interfaces on this host");
    }
    let mut code = exit::OK;
    for name in &names {
        match link::show(name) {
            Ok(status) if args.json => println!("{}", status.to_json()),
            Ok(status) => println!("{}", status.to_text()),
            Err(e) => {
                eprintln!("canlogger: link show: {e}");
                code = code.max(code_of(&e));
            }
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn up_args(argv: &[&str]) -> (BusArgs, UpArgs) {
        let cli = crate::cli::canlogger::Cli::try_parse_from(argv).expect("arguments parse");
        let Some(crate::cli::canlogger::Command::Link(LinkArgs { action: LinkAction::Up(args) })) =
            cli.command
        else {
            panic!("not link up");
        };
        (cli.bus, args)
    }

    #[test]
    fn flags_become_settings() {
        let (bus, args) = up_args(&[
            "canlogger",
            "link",
            "up",
            "can0",
            "--bitrate",
            "1M",
            "--restart-ms",
            "2000",
            "--sample-point",
            "0.875",
            "--dbitrate",
            "5M",
            "--txqueuelen",
            "100",
        ]);
        let settings = settings_from_flags(&bus, &args).unwrap();
        assert_eq!(
            settings,
            LinkSettings {
                bitrate: Some(1_000_000),
                sample_point: Some(875),
                data_bitrate: Some(5_000_000),
                data_sample_point: None,
                restart_ms: Some(2000),
                fd: Some(true),
                txqueuelen: Some(100),
            }
        );
    }

    #[test]
    fn no_fd_with_a_data_bitrate_is_refused() {
        let (bus, args) =
            up_args(&["canlogger", "link", "up", "can0", "-b", "500k", "--dbitrate", "2M", "--no-fd"]);
        assert!(settings_from_flags(&bus, &args).unwrap_err().contains("needs CAN FD"));
    }

    #[test]
    fn a_sample_point_without_a_bitrate_is_refused() {
        let (bus, args) = up_args(&["canlogger", "link", "up", "can0", "--sample-point", "0.8"]);
        assert!(settings_from_flags(&bus, &args).unwrap_err().contains("needs a bit rate"));
        let (bus, args) = up_args(&["canlogger", "link", "up", "can0@500k", "--sample-point", "0.8"]);
        assert!(settings_from_flags(&bus, &args).is_ok());
    }
}
