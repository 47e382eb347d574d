//! Command-line pieces shared by every cankit binary: the bus options (`-i/-c/-b/--fd/...`, same
//! meaning everywhere), output format, exit codes, and turning library errors into messages.
//! Each binary's commands live in their own module (`cli::canlogger::watch`, ...), one file per
//! subcommand; `src/bin/<tool>.rs` only calls `cli::<tool>::main`.

pub mod canlogger;
pub mod canplayer;
pub mod docs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Args;

use crate::bus::{Bus, BusError};
use crate::config::{self, ConfigError, FlagSettings};
use crate::filter::FilterError;
use crate::print::Format;
use crate::text::ParseError;

/// Exit codes every cankit tool uses (documented in `--help` and the README).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// `wait`: no matching frame before the timeout; `convert`/`info --strict`: a malformed record.
    pub const TIMEOUT: u8 = 1;
    /// Bad usage or input: wrong arguments, malformed frame text, invalid filter, bad config file,
    /// unknown interface.
    pub const USAGE: u8 = 2;
    /// The bus or the system failed: interface missing or down, socket errors, I/O errors.
    pub const FAILURE: u8 = 3;
}

/// `-i`'s help: the backends the registry holds ([`crate::bus::backend`]).
fn interface_help() -> String {
    let names = crate::bus::interfaces().join(", ");
    format!("Bus backend: {names} (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]")
}

/// Bus selection options, flattened into every command that opens a bus.
#[derive(Args, Clone, Debug, Default)]
pub struct BusArgs {
    /// Bus backend, one of those the registry holds (see `interface_help`)
    #[arg(short = 'i', long = "interface", value_name = "NAME", global = true, help = interface_help())]
    pub interface: Option<String>,
    /// Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus
    /// name [env: CAN_CHANNEL]
    #[arg(short = 'c', long = "channel", value_name = "CHANNEL", global = true)]
    pub channel: Option<String>,
    /// Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]
    #[arg(short = 'b', long = "bitrate", value_name = "BITRATE", global = true)]
    pub bitrate: Option<String>,
    /// Open the bus for CAN FD frames (the default)
    #[arg(long = "fd", global = true, overrides_with = "no_fd")]
    pub fd: bool,
    /// Classic CAN only: FD frames are neither sent nor received
    #[arg(long = "no-fd", global = true)]
    pub no_fd: bool,
    /// CAN FD data-phase bit rate, e.g. 2M
    #[arg(long = "data-bitrate", value_name = "BITRATE", global = true)]
    pub data_bitrate: Option<String>,
    /// Also receive the frames this process sends
    #[arg(long = "receive-own", global = true)]
    pub receive_own: bool,
    /// udp_multicast: UDP port (default 43113)
    #[arg(long = "port", value_name = "PORT", global = true)]
    pub port: Option<u16>,
    /// udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host
    #[arg(long = "ttl", value_name = "TTL", global = true)]
    pub ttl: Option<u8>,
    /// udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)
    #[arg(long = "multicast-interface", value_name = "ADDR", global = true)]
    pub multicast_interface: Option<String>,
    /// Any backend option as python-can's keyword, e.g. --bus-option port=43114
    #[arg(long = "bus-option", value_name = "KEY=VALUE", global = true)]
    pub bus_option: Vec<String>,
    /// python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc
    #[arg(long = "config", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Section of the config file to use
    #[arg(long = "config-section", value_name = "NAME", global = true, default_value = None)]
    pub config_section: Option<String>,
    /// Print the bus opened and where each setting came from (on stderr)
    #[arg(short = 'v', long = "verbose", global = true)]
    pub verbose: bool,
}

impl BusArgs {
    /// The command-line layer of the configuration.
    pub fn flag_settings(&self) -> Result<FlagSettings, CliError> {
        let mut options = BTreeMap::new();
        for kv in &self.bus_option {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| CliError::Usage(format!("--bus-option '{kv}': expected KEY=VALUE")))?;
            options.insert(k.trim().to_string(), v.trim().to_string());
        }
        if let Some(p) = self.port {
            options.insert("port".into(), p.to_string());
        }
        if let Some(t) = self.ttl {
            options.insert("ttl".into(), t.to_string());
        }
        if let Some(a) = &self.multicast_interface {
            options.insert("multicast_interface".into(), a.clone());
        }
        Ok(FlagSettings {
            interface: self.interface.clone(),
            channel: self.channel.clone(),
            bitrate: self.bitrate.clone(),
            fd: if self.no_fd {
                Some(false)
            } else if self.fd {
                Some(true)
            } else {
                None
            },
            data_bitrate: self.data_bitrate.clone(),
            receive_own_messages: self.receive_own.then_some(true),
            options,
            config_file: self.config.clone(),
            config_section: self.config_section.clone(),
        })
    }

    /// Resolve the configuration and open the bus; with `-v`, say what was opened and why.
    pub async fn open(&self, tool: &str) -> Result<Bus, CliError> {
        let resolved = config::resolve(&self.flag_settings()?)?;
        let bus = Bus::open(&resolved.config).await?;
        if self.verbose {
            eprintln!("{tool}: opened {}", bus.describe());
            eprint!("{}", resolved.explain());
        }
        Ok(bus)
    }
}

/// Output format option shared by commands that print frames.
#[derive(Args, Clone, Debug)]
pub struct FormatArgs {
    /// Output format: human (aligned columns), log (candump -L lines), json (one object per line)
    #[arg(long = "format", short = 'F', value_name = "FORMAT", default_value = "human",
          value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    pub format: String,
    /// log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N
    #[arg(long = "nanos")]
    pub nanos: bool,
}

impl FormatArgs {
    pub fn printer(&self) -> crate::print::Printer {
        // PossibleValuesParser guarantees one of Format::NAMES.
        let format = Format::parse(&self.format).unwrap_or_default();
        crate::print::Printer::new(format).with_nanos(self.nanos)
    }
}

/// Errors a command reports; each maps to a documented exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error(transparent)]
    Frame(#[from] ParseError),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Log(crate::log::LogError),
    /// A malformed record with `--strict`.
    #[error("{0} (stopped: --strict)")]
    Strict(crate::log::LogError),
    #[error("interrupted")]
    Interrupted,
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::Config(_) | CliError::Frame(_) | CliError::Filter(_) => {
                exit::USAGE
            }
            CliError::Bus(BusError::UnknownInterface(_) | BusError::InvalidConfig { .. }) => exit::USAGE,
            CliError::Bus(_) | CliError::Io { .. } => exit::FAILURE,
            CliError::Log(crate::log::LogError::Invalid { .. }) => exit::USAGE,
            CliError::Log(_) => exit::FAILURE,
            CliError::Strict(_) => exit::TIMEOUT,
            CliError::Interrupted => 130,
        }
    }
}

/// Run a command's future on a single-threaded runtime (start-up in well under a millisecond) and
/// turn its result into the process exit code, printing errors as `tool: message`.
pub fn run_main<F>(tool: &str, fut: F) -> ExitCode
where
    F: std::future::Future<Output = Result<u8, CliError>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{tool}: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    exit_with(tool, runtime.block_on(fut))
}

/// Turn a command's result into the exit code, printing an error as `tool: message`.
pub fn exit_with(tool: &str, result: Result<u8, CliError>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{tool}: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Set by SIGINT/SIGTERM in the synchronous commands (convert, info, canplayer): their loops stop
/// and finish their output properly.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// Ask SIGINT and SIGTERM to set [`INTERRUPTED`] instead of killing the process, so output files
/// are finished properly.
pub(crate) fn catch_interrupts() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}

pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// Parse a duration as humantime does (`10ms`, `1.5s`, `2m`), plus a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(std::time::Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(t).map_err(|e| format!("'{s}' is not a duration (e.g. 10ms, 1.5s, 2m): {e}"))
}

/// Write a batch to stdout. A closed pipe (`| head`) is a normal end, reported as `Ok(false)`.
pub fn write_stdout(out: &mut impl std::io::Write, buf: &mut Vec<u8>) -> Result<bool, CliError> {
    if buf.is_empty() {
        return Ok(true);
    }
    let result = out.write_all(buf).and_then(|_| out.flush());
    buf.clear();
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(CliError::Io { context: "writing to standard output".into(), source: e }),
    }
}
