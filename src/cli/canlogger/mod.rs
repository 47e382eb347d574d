//! `canlogger`: record a bus into log files (the default action), watch live traffic, send
//! frames, wait for a frame, work interactively (`repl`), convert log files and summarise them,
//! and bring SocketCAN interfaces up (`link`).
//! One file per subcommand.

pub mod convert;
pub mod info;
pub mod link;
pub mod list_servers;
pub mod record;
pub mod repl;
pub mod send;
pub mod wait;
pub mod watch;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::BusArgs;

const AFTER_HELP: &str = "\
The bus comes from -i/-c and the other bus options, else the environment (CAN_INTERFACE, \
CAN_CHANNEL, CAN_BITRATE), else a python-can config file (/etc/can.conf, ~/.can, ~/.canrc or \
--config), else the built-in default: the udp_multicast bus on loopback, shared by every cankit \
and python-can process on this host.

Examples:
  canlogger -f trace.blf                   # record until Ctrl-C (the default action)
  canlogger watch                          # every frame on the default bus
  canlogger send 123#DEADBEEF 1F334455#R   # two frames
  canlogger wait --id 123 --timeout 2s     # exit 0 when 0x123 arrives, 1 on timeout
  canlogger repl                           # interactive: send, watch, on, wait, filter, stats
  printf 'send 7DF#0201\nwait 7E8 2s\n' | canlogger repl   # the same from a script
  canlogger -i socketcan -c can0 watch --format log > can0.log
  canlogger convert trace.asc trace.blf    # any of asc, blf, log, trc, csv, db (.gz for text)
  canlogger info trace.blf
  canlogger list-servers                   # socketcand servers announcing themselves
  canlogger -i socketcand -c can0 --bus-option host=192.0.2.7 watch
  sudo canlogger link up can0 --bitrate 1M --restart-ms 2000   # ip link set can0 up type can ...

Exit codes: 0 success, 1 timeout (wait) or a malformed record with --strict (convert, info), \
2 usage error (bad arguments, frame text, filter, config file, unknown interface or format), \
3 bus or I/O failure, 130 interrupted (convert: the output is finished properly).";

/// Record CAN traffic into log files (the default action); watch, send and wait for frames on
/// any bus cankit speaks, or interactively in a repl; convert and summarise logs; bring SocketCAN
/// interfaces up.
#[derive(Parser, Debug)]
#[command(name = "canlogger", version, about, after_help = format!("{}\n\n{AFTER_HELP}", record::AFTER_HELP),
          propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub bus: BusArgs,
    #[command(flatten)]
    pub record: record::RecordArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Watch(watch::WatchArgs),
    Send(send::SendArgs),
    Wait(wait::WaitArgs),
    Repl(repl::ReplArgs),
    Convert(convert::ConvertArgs),
    Info(info::InfoArgs),
    ListServers(list_servers::ListServersArgs),
    Link(link::LinkArgs),
}

/// Entry point of the `canlogger` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let bus = cli.bus;
    if cli.command.is_some() && cli.record.given() {
        eprintln!(
            "canlogger: recording options (-f, -n, --duration, --rotate-*, ...) go without a subcommand; \
             subcommand options go after it (canlogger watch -n 5)"
        );
        return ExitCode::from(super::exit::USAGE);
    }
    // At a terminal the repl handles Ctrl-C itself (abandon the line, cancel a wait): only
    // SIGTERM stops it there.
    let interactive = std::io::stdin().is_terminal();
    let interactive_repl = interactive && matches!(cli.command, Some(Command::Repl(_)));
    let command = |shutdown| async move {
        match cli.command {
            None => record::run(&bus, cli.record, shutdown).await,
            // Files are read and written on a thread of their own, off the runtime.
            Some(Command::Convert(args)) => super::blocking(move || convert::run(args, &shutdown)).await,
            Some(Command::Info(args)) => super::blocking(move || info::run(args, &shutdown)).await,
            Some(Command::Watch(args)) => watch::run(&bus, args, shutdown).await,
            Some(Command::Send(args)) => send::run(&bus, args, shutdown).await,
            Some(Command::Wait(args)) => wait::run(&bus, args, shutdown).await,
            Some(Command::ListServers(args)) => super::blocking(move || list_servers::run(args)).await,
            Some(Command::Link(args)) => super::blocking(move || link::run(&bus, args)).await,
            Some(Command::Repl(args)) => repl::run(&bus, args, interactive, shutdown).await,
        }
    };
    if interactive_repl {
        super::run_main_interactive("canlogger", command)
    } else {
        super::run_main("canlogger", command)
    }
}
