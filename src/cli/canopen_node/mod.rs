//! `canopen-node`: a CANopen device from an EDS or DCF file on any cankit bus (`run`, the
//! default), the file checker (`eds check`) and the application's shell side (`set`, `get`,
//! `emcy`, talking to a running node through its control socket). The device is
//! [`crate::canopen::node`] on a hub ([`crate::canopen::runner`]); this module is configuration:
//! files, hooks, event printing, the control socket.

mod control;
mod events;
mod gateway;
mod master;
mod monitor;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use super::{exit, parse_duration, usage, BusArgs};
use crate::bus::hub::Hub;
use crate::canopen::eds;
use crate::canopen::node::{Node, NodeOptions};
use crate::canopen::runner::{self, NodeHandle};
use crate::canopen::store::Store;
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
The node speaks CiA 301: boot-up, NMT, heartbeat (0x1017) and heartbeat consumer (0x1016), \
node guarding, SDO servers (expedited, segmented, block), PDOs (every transmission type), SYNC \
consumer/producer, EMCY, TIME, store/restore (0x1010/0x1011). Any CANopen master works with it: \
python canopen, CANopenNode's canopend/cocomm, `canopen-node`'s own peers.

Examples:
  canopen-node --node-id 5 --eds device.eds                       # on the loopback bus
  canopen-node -n 5 -e device.eds -i socketcan -c can0 --events json
  canopen-node -n 5 -e device.eds --on-write 6200:01='gpio set 17 \"$CANOPEN_VALUE\"'
  canopen-node set --node-id 5 6000:01 1          # from a shell: feed a TPDO-mapped input
  canopen-node get --node-id 5 1017
  canopen-node eds check device.eds

INDEX:SUB is hexadecimal (0x optional): 1018:01, 0x6000:0A. Values are read by the entry's \
type: numbers in decimal or 0x hex, strings as written, octet strings and domains as hex bytes.

Exit codes: 0 stopped by SIGINT/SIGTERM (or the command succeeded), 1 (set/get) the node refused \
with an SDO abort code, 2 usage error or an EDS that cannot be used, 3 the bus failed or no node \
answers on the control socket.";

/// A CANopen device from an EDS/DCF file: NMT, heartbeat, SDO, PDO, SYNC, EMCY
#[derive(Parser, Debug)]
#[command(
    name = "canopen-node",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(flatten)]
    pub run: RunArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Run(Box<RunArgs>),
    /// Work with EDS and DCF files
    #[command(subcommand)]
    Eds(EdsCommand),
    Set(SetArgs),
    Get(GetArgs),
    Emcy(EmcyArgs),
    /// Read or write another node's dictionary over SDO (the master's side)
    #[command(subcommand)]
    Sdo(master::SdoCommand),
    Nmt(master::NmtArgs),
    Sync(master::SyncArgs),
    Time(master::TimeArgs),
    Scan(master::ScanArgs),
    Dump(master::DumpArgs),
    Load(master::LoadArgs),
    Gateway(gateway::GatewayArgs),
    Monitor(monitor::MonitorArgs),
}

#[derive(Subcommand, Debug)]
pub enum EdsCommand {
    Check(CheckArgs),
}

/// Run the node (the default command)
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Node-ID, 1..127 (a DCF's [DeviceComissioning] NodeID when omitted)
    #[arg(short = 'n', long = "node-id", value_name = "ID", value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node_id: Option<u8>,
    /// The object dictionary: an EDS or DCF file (CiA 306)
    #[arg(short = 'e', long = "eds", value_name = "FILE", required = true)]
    pub eds: Option<PathBuf>,
    #[command(flatten)]
    pub bus: BusArgs,
    /// Directory of the stored-parameters file (0x1010 "save") [default: the EDS's directory]
    #[arg(long = "store", value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Refuse to store parameters (0x1010 answers abort 0x08000021)
    #[arg(long = "no-store", conflicts_with = "store")]
    pub no_store: bool,
    /// Go to Operational after boot-up without waiting for an NMT start
    #[arg(long = "start")]
    pub start: bool,
    /// Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE
    /// (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW,
    /// $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable
    #[arg(long = "on-write", value_name = "INDEX[:SUB]=COMMAND")]
    pub on_write: Vec<String>,
    /// Print every dictionary write, NMT change, EMCY and heartbeat event on stdout
    #[arg(long = "events", value_name = "FORMAT", value_parser = ["json", "text"])]
    pub events: Option<String>,
    /// How long the SDO server waits for the client's next request
    #[arg(long = "sdo-timeout", value_name = "TIME", default_value = "1s", value_parser = parse_duration)]
    pub sdo_timeout: Duration,
    /// The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]
    #[arg(long = "control", value_name = "PATH")]
    pub control: Option<PathBuf>,
    /// Say nothing on stderr but errors
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

/// Check an EDS or DCF file: print its dictionary and every problem found
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The file
    pub file: PathBuf,
    /// Resolve $NODEID with this node-ID
    #[arg(short = 'n', long = "node-id", value_name = "ID", value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node_id: Option<u8>,
    /// Exit 1 when the file has warnings
    #[arg(long = "strict")]
    pub strict: bool,
}

/// Write a value into a running node's dictionary (as its application: read-only inputs too)
#[derive(Args, Debug)]
pub struct SetArgs {
    #[command(flatten)]
    pub target: ControlTarget,
    /// The entry, INDEX[:SUB] in hex (1018:01)
    pub entry: String,
    /// The value, read by the entry's type
    #[arg(allow_hyphen_values = true)]
    pub value: String,
}

/// Print a value of a running node's dictionary
#[derive(Args, Debug)]
pub struct GetArgs {
    #[command(flatten)]
    pub target: ControlTarget,
    /// The entry, INDEX[:SUB] in hex (1018:01)
    pub entry: String,
}

/// Make a running node send an EMCY (code 0: error reset)
#[derive(Args, Debug)]
pub struct EmcyArgs {
    #[command(flatten)]
    pub target: ControlTarget,
    /// The error code, e.g. 0x5000 (device hardware), 0x4210 (temperature)
    pub code: String,
    /// Up to 5 bytes of manufacturer-specific error field, in hex
    #[arg(default_value = "")]
    pub info: String,
}

/// Which running node a shell command talks to.
#[derive(Args, Debug, Clone)]
pub struct ControlTarget {
    /// The node's id (finds its default control socket)
    #[arg(short = 'n', long = "node-id", value_name = "ID", value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node_id: Option<u8>,
    /// The node's control socket (its --control)
    #[arg(long = "control", value_name = "PATH")]
    pub control: Option<PathBuf>,
}

impl ControlTarget {
    fn path(&self) -> anyhow::Result<PathBuf> {
        match (&self.control, self.node_id) {
            (Some(path), _) => Ok(path.clone()),
            (None, Some(id)) => Ok(control::default_path(id)),
            (None, None) => Err(usage("which node? give --node-id ID or --control PATH")),
        }
    }
}

/// Entry point of the `canopen-node` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    super::run_main("canopen-node", |shutdown| async move {
        match cli.command {
            None => run(cli.run, shutdown).await,
            Some(Command::Run(args)) => run(*args, shutdown).await,
            Some(Command::Eds(EdsCommand::Check(args))) => check(&args),
            Some(Command::Set(args)) => {
                let path = args.target.path()?;
                control::request(&path, &format!("set {} {}", args.entry, args.value)).await
            }
            Some(Command::Get(args)) => {
                let path = args.target.path()?;
                control::request(&path, &format!("get {}", args.entry)).await
            }
            Some(Command::Emcy(args)) => {
                let path = args.target.path()?;
                control::request(&path, &format!("emcy {} {}", args.code, args.info)).await
            }
            Some(Command::Sdo(master::SdoCommand::Read(args))) => master::sdo_read(args).await,
            Some(Command::Sdo(master::SdoCommand::Write(args))) => master::sdo_write(args).await,
            Some(Command::Nmt(args)) => master::nmt(args).await,
            Some(Command::Sync(args)) => master::sync(args, shutdown).await,
            Some(Command::Time(args)) => master::time(args).await,
            Some(Command::Scan(args)) => master::scan(args).await,
            Some(Command::Dump(args)) => master::dump(args).await,
            Some(Command::Load(args)) => master::load(args).await,
            Some(Command::Gateway(args)) => gateway::gateway(args, shutdown).await,
            Some(Command::Monitor(args)) => monitor::run(args, shutdown).await,
        }
    })
}

fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let loaded = eds::load(&args.file, args.node_id).map_err(|e| usage(e.to_string()))?;
    print!("{}", eds::report(&loaded));
    Ok(if args.strict && !loaded.warnings.is_empty() { exit::TIMEOUT } else { exit::OK })
}

/// `INDEX[:SUB]` in hex, `0x` optional.
pub fn parse_entry(text: &str) -> Result<(u16, Option<u8>), String> {
    let hex = |s: &str| -> Option<u32> {
        let s = s.trim();
        let s = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s);
        if s.is_empty() {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    };
    let (index, sub) = match text.split_once(':') {
        Some((i, s)) => (i, Some(s)),
        None => (text, None),
    };
    let index = hex(index).and_then(|i| u16::try_from(i).ok());
    let sub = sub.map(|s| hex(s).and_then(|v| u8::try_from(v).ok()));
    match (index, sub) {
        (Some(index), None) => Ok((index, None)),
        (Some(index), Some(Some(sub))) => Ok((index, Some(sub))),
        _ => Err(format!("'{text}' is not INDEX[:SUB] in hex (1018:01)")),
    }
}

async fn run(args: RunArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let path = args.eds.clone().ok_or_else(|| usage("--eds FILE is required"))?;
    let loaded = eds::load(&path, args.node_id).map_err(|e| usage(e.to_string()))?;
    let node_id = args
        .node_id
        .or(loaded.node_id.filter(|id| (1..=127).contains(id)))
        .ok_or_else(|| usage(format!("--node-id is required: {} has no node-ID", path.display())))?;
    if !args.quiet {
        for warning in &loaded.warnings {
            eprintln!("canopen-node: warning: {warning}");
        }
    }
    let hooks = args
        .on_write
        .iter()
        .map(|spec| events::Hook::parse(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let store = (!args.no_store).then(|| Store::beside(&path, node_id, args.store.as_deref()));
    let options = NodeOptions { start_operational: args.start, sdo_timeout: args.sdo_timeout, store };
    let node = NodeHandle::new(Node::new(node_id, loaded.dictionary, options));

    let hub = Hub::new(args.bus.open("canopen-node").await?);
    let control_path = args.control.clone().unwrap_or_else(|| control::default_path(node_id));
    let listener = control::listen(&control_path).await?;
    if !args.quiet {
        eprintln!(
            "canopen-node: node {node_id} ({}) on {}; control socket {}",
            path.display(),
            hub.describe(),
            control_path.display()
        );
    }
    let printing = events::spawn(&node, args.events.as_deref(), args.quiet, hooks);
    let serving = tokio::spawn(control::serve(listener, node.clone(), shutdown.clone()));
    // A task of its own rather than the main future: the hub's reading task wakes it straight
    // onto the run queue, without a turn through the reactor per frame.
    let result = tokio::spawn({
        let (node, shutdown) = (node.clone(), shutdown.clone());
        async move { runner::run(&node, &hub, &shutdown).await }
    })
    .await
    .unwrap_or_else(|e| Err(crate::bus::BusError::Stopped(format!("the node's task failed: {e}"))));
    serving.abort();
    let _ = std::fs::remove_file(&control_path);
    // Let the printer take the last events (the shutdown's) before the process ends.
    tokio::time::sleep(Duration::from_millis(20)).await;
    printing.abort();
    result.with_context(|| format!("node {node_id}"))?;
    Ok(exit::OK)
}
