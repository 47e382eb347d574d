//! Command-line pieces shared by every cankit binary: the bus options (`-i/-c/-b/--fd/...`), the
//! filter option, the output format, the runtime with its shutdown on SIGINT/SIGTERM, exit codes,
//! and the one place where what happens along a pipe is printed ([`Stderr`]). Each binary's
//! commands live in their own module (`cli::canlogger::watch`, ...), one file per subcommand, and
//! are configuration of the library's pipe ([`crate::pipe`], [`crate::record`],
//! [`crate::replay`]); `src/bin/<tool>.rs` only calls `cli::<tool>::main`.
//!
//! An option letter means one thing in every tool: `-f` always names a file (the recording in
//! `canlogger`, as python-can's logger and candump spell it; an input in `canplayer`, as
//! python-can's player does), `-i/-c/-b` the bus, `-n` a count, `-T` a timeout, `-v` verbose,
//! `-q` quiet. Filters have no letter: `--filter`, python-can's spelling, everywhere.

pub mod caneth;
pub mod canlogger;
pub mod canopen_node;
pub mod canplayer;
pub mod canserver;
pub mod docs;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::Args;

use crate::bus::{Bus, BusError, BusEvent};
use crate::config::{self, ConfigError, FlagSettings};
use crate::filter::{FilterError, FilterSet};
use crate::log::{Counts, LogError};
use crate::pipe::{Observer, PipeError};
use crate::print::Format;
use crate::shutdown::Shutdown;
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
    pub fn flag_settings(&self) -> Result<FlagSettings, UsageError> {
        let mut options = BTreeMap::new();
        for kv in &self.bus_option {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| UsageError(format!("--bus-option '{kv}': expected KEY=VALUE")))?;
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
    pub async fn open(&self, tool: &str) -> anyhow::Result<Bus> {
        let resolved = config::resolve(&self.flag_settings()?)?;
        let bus = Bus::open(&resolved.config).await?;
        if self.verbose {
            eprintln!("{tool}: opened {}", bus.describe());
            eprint!("{}", resolved.explain());
        }
        Ok(bus)
    }
}

/// The filter option, the same in every command that selects frames.
#[derive(Args, Clone, Debug, Default)]
pub struct FilterArgs {
    /// candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR'ed)
    #[arg(long = "filter", value_name = "FILTER")]
    pub filter: Vec<String>,
}

impl FilterArgs {
    pub fn parse(&self) -> Result<FilterSet, FilterError> {
        FilterSet::parse(&self.filter)
    }
}

/// Reading options shared by every command that reads log files (`convert`, `info`, `canplayer`).
#[derive(Args, Debug, Clone, Default)]
pub struct ReadArgs {
    /// Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts
    /// and TRC dialects are told apart by their headers)
    #[arg(long = "from", value_name = "FORMAT", value_parser = parse_format)]
    pub from: Option<crate::log::Format>,
    /// Stop at the first malformed record (exit code 1) instead of skipping it
    #[arg(long = "strict")]
    pub strict: bool,
    /// Time zone of naive dates in headers: local (default), utc, +02:00
    #[arg(long = "tz", value_name = "ZONE", value_parser = crate::log::TimeZone::parse, conflicts_with = "utc")]
    pub tz: Option<crate::log::TimeZone>,
    /// Naive dates in headers are UTC (same as --tz utc)
    #[arg(long = "utc")]
    pub utc: bool,
}

impl ReadArgs {
    pub fn time_zone(&self) -> crate::log::TimeZone {
        if self.utc {
            crate::log::TimeZone::Utc
        } else {
            self.tz.unwrap_or_default()
        }
    }

    /// Open a log file as a pipe source with these options.
    pub fn open(&self, path: &std::path::Path) -> Result<crate::pipe::LogInput, LogError> {
        Ok(crate::pipe::LogInput::open(path, self.from, self.time_zone())?.strict(self.strict))
    }
}

/// A log format named on the command line.
pub fn parse_format(s: &str) -> Result<crate::log::Format, String> {
    crate::log::Format::from_name(s)
        .ok_or_else(|| format!("unknown format '{s}' (known: {})", crate::log::Format::NAMES.join(", ")))
}

/// The time window, the same in every command that reads files.
#[derive(Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an
    /// offset from the first frame (10s, 1m30s)
    #[arg(long = "start", value_name = "TIME", value_parser = crate::pipe::TimeBound::parse)]
    pub start: Option<crate::pipe::TimeBound>,
    /// Drop frames after this time (same forms as --start)
    #[arg(long = "end", value_name = "TIME", value_parser = crate::pipe::TimeBound::parse)]
    pub end: Option<crate::pipe::TimeBound>,
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

/// Wrong arguments that clap cannot see: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A usage error, for `return Err(usage("..."))`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// The documented exit code of an error: the first cause in its chain that says.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    error.chain().find_map(code_of).unwrap_or(exit::FAILURE)
}

fn code_of(cause: &(dyn std::error::Error + 'static)) -> Option<u8> {
    let bus = |e: &BusError| match e {
        BusError::UnknownInterface(_) | BusError::InvalidConfig { .. } => exit::USAGE,
        _ => exit::FAILURE,
    };
    let log = |e: &LogError| match e {
        LogError::Invalid { .. } => exit::USAGE,
        _ => exit::FAILURE,
    };
    if cause.is::<UsageError>()
        || cause.is::<ConfigError>()
        || cause.is::<ParseError>()
        || cause.is::<FilterError>()
    {
        return Some(exit::USAGE);
    }
    if let Some(e) = cause.downcast_ref::<BusError>() {
        return Some(bus(e));
    }
    if let Some(e) = cause.downcast_ref::<LogError>() {
        return Some(log(e));
    }
    cause.downcast_ref::<PipeError>().map(|e| match e {
        PipeError::Bus(e) => bus(e),
        PipeError::Log(e) => log(e),
        PipeError::Strict(_) => exit::TIMEOUT,
        PipeError::Invalid(_) => exit::USAGE,
        PipeError::Io { .. } | PipeError::Send { .. } => exit::FAILURE,
    })
}

/// Run a command on a single-threaded runtime (start-up in well under a millisecond; every
/// command has one receiving task, and blocking work runs on threads of its own) with a
/// [`Shutdown`] that SIGINT and SIGTERM trigger, and turn its result into the exit code, printing
/// an error as `tool: message: cause`.
pub fn run_main<F, Fut>(tool: &str, command: F) -> ExitCode
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u8>>,
{
    run_on(tool, tokio::runtime::Builder::new_current_thread(), Signals::InterruptAndTerminate, command)
}

/// [`run_main`] for an interactive console, which handles Ctrl-C itself (the repl abandons the
/// line or cancels the running command with it): only SIGTERM triggers the [`Shutdown`].
pub fn run_main_interactive<F, Fut>(tool: &str, command: F) -> ExitCode
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u8>>,
{
    run_on(tool, tokio::runtime::Builder::new_current_thread(), Signals::TerminateOnly, command)
}

/// Which signals trigger a command's [`Shutdown`].
enum Signals {
    InterruptAndTerminate,
    TerminateOnly,
}

/// [`run_main`] on a multi-threaded runtime with `workers` worker threads: for servers, whose
/// clients are many tasks.
pub fn run_main_multi_thread<F, Fut>(tool: &str, workers: usize, command: F) -> ExitCode
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u8>>,
{
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(workers.max(1));
    run_on(tool, builder, Signals::InterruptAndTerminate, command)
}

fn run_on<F, Fut>(tool: &str, mut builder: tokio::runtime::Builder, signals: Signals, command: F) -> ExitCode
where
    F: FnOnce(Shutdown) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u8>>,
{
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{tool}: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let result = runtime.block_on(async {
        let shutdown = Shutdown::new();
        match signals {
            Signals::InterruptAndTerminate => shutdown.on_signals(),
            Signals::TerminateOnly => shutdown.on_terminate(),
        }
        .context("installing the SIGINT/SIGTERM handlers")?;
        command(shutdown).await
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("{tool}: {}", message(&e));
            ExitCode::from(exit_code(&e))
        }
    }
}

/// An error and its causes as one line, `context: error: cause`. Library errors already print
/// their source in their own message (`x.blf: cannot open: No such file or directory`), so a
/// cause whose text is already there is not repeated.
pub fn message(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// Run synchronous work (files: conversion, summaries, replay's clock) on a thread of its own,
/// off the runtime, with the shutdown to poll.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work).await.context("the worker thread failed")?
}

/// How many malformed records and invalid datagrams to describe before only counting them.
const SHOW_MALFORMED: u64 = 10;
const SHOW_INVALID: u64 = 5;

/// The observer every tool uses: what happens along a pipe, as `tool: message` lines on stderr,
/// the first few of each kind of garbage shown and the rest counted; a progress bar for large
/// files on a terminal.
pub struct Stderr {
    tool: &'static str,
    malformed: u64,
    invalid: u64,
    progress: Option<Progress>,
}

impl Stderr {
    pub fn new(tool: &'static str) -> Stderr {
        Stderr { tool, malformed: 0, invalid: 0, progress: None }
    }

    /// Draw a progress bar while large files are read, when stderr is a terminal.
    pub fn with_progress(mut self, show: bool) -> Stderr {
        if show && std::io::stderr().is_terminal() {
            self.progress = Some(Progress { last: Instant::now(), shown: false });
        }
        self
    }

    /// Clear the progress bar and print the totals of what was only counted.
    pub fn finish(&mut self) {
        self.clear_progress();
        if self.invalid > SHOW_INVALID {
            eprintln!("{}: {} invalid datagrams ignored in total", self.tool, self.invalid);
        }
    }

    fn clear_progress(&mut self) {
        if let Some(p) = self.progress.as_mut() {
            p.clear();
        }
    }
}

impl Observer for Stderr {
    fn bus_event(&mut self, event: &BusEvent) {
        let tool = self.tool;
        self.clear_progress();
        match event {
            BusEvent::Frame(_) => {}
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
            BusEvent::Notice { source, message } => eprintln!("{tool}: {source}: {message}"),
        }
    }

    fn malformed(&mut self, error: &LogError) {
        self.malformed += 1;
        if self.malformed <= SHOW_MALFORMED {
            self.clear_progress();
            eprintln!("{}: skipped: {error}", self.tool);
        }
        if self.malformed == SHOW_MALFORMED {
            eprintln!("{}: further malformed records are counted, not shown", self.tool);
        }
    }

    fn notice(&mut self, message: &str) {
        self.clear_progress();
        eprintln!("{}: {message}", self.tool);
    }

    fn progress(&mut self, done: u64, total: u64) {
        if total >= 8 << 20 {
            if let Some(p) = self.progress.as_mut() {
                p.draw(done, total);
            }
        }
    }
}

/// A one-line progress bar on stderr, redrawn at most 5 times a second.
struct Progress {
    last: Instant,
    shown: bool,
}

impl Progress {
    fn draw(&mut self, done: u64, total: u64) {
        if self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let pct = done as f64 * 100.0 / total.max(1) as f64;
        let filled = (pct / 2.5) as usize;
        eprint!(
            "\r[{}{}] {pct:5.1}%  {} / {} MB",
            "#".repeat(filled.min(40)),
            " ".repeat(40 - filled.min(40)),
            done >> 20,
            total >> 20
        );
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(70));
            self.shown = false;
        }
    }
}

/// Counts by reason as `N reason` items.
pub fn describe_counts(counts: &Counts) -> String {
    counts.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_context_once_and_exit_codes_come_from_the_chain() {
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let log = LogError::io("x.blf", "cannot open", io);
        let e = anyhow::Error::from(log).context("replaying");
        let text = message(&e);
        assert!(text.starts_with("replaying: x.blf: cannot open: "), "{text}");
        assert_eq!(text.matches("not found").count(), 1, "{text}");
        assert_eq!(exit_code(&e), exit::FAILURE);
        assert_eq!(exit_code(&usage("bad").context("parsing")), exit::USAGE);
        assert_eq!(
            exit_code(&PipeError::Strict(LogError::io("y", "z", std::io::Error::other("w"))).into()),
            exit::TIMEOUT
        );
    }
}
