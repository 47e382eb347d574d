//! The master's commands: `sdo read|write` (any transfer mode, values by type), `nmt`, `sync`
//! and `time`, each a short-lived hub user on the bus options' bus. The SDO transfers are the
//! library's [`crate::canopen::client::SdoClient`].

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::parse_entry;
use crate::bus::hub::Hub;
use crate::canopen::client::{SdoClient, SdoError};
use crate::canopen::eds;
use crate::canopen::types::{hex, le_unsigned, DataType};
use crate::cli::{exit, parse_duration, usage, BusArgs};
use crate::frame::Frame;
use crate::shutdown::Shutdown;

/// Values above this many bytes are written in a block transfer unless `--no-block`.
const BLOCK_ABOVE: usize = 256;

/// Read or write a node's object dictionary over SDO
#[derive(Subcommand, Debug)]
pub enum SdoCommand {
    Read(SdoReadArgs),
    Write(SdoWriteArgs),
}

/// Read INDEX[:SUB] of NODE and print it by its type
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node sdo read 5 1018:01                     # 418 with --type u32, or the EDS's type
  canopen-node sdo read 5 1018:01 --type x32          # 0x000001A2
  canopen-node sdo read 5 2000 --block -o blob.bin    # a domain, in a block transfer, to a file

Exit codes: 0 read, 1 the node aborted or did not answer (the reason on stderr), 2 usage, 3 the bus failed.")]
pub struct SdoReadArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Node-ID, 1..127
    #[arg(value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node: u8,
    /// The entry, INDEX[:SUB] in hex (1018:01)
    pub entry: String,
    #[command(flatten)]
    pub options: SdoOptions,
    /// Write the value's bytes to FILE instead of printing it
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Write VALUE to INDEX:SUB of NODE
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node sdo write 5 1017 1000 --type u16
  canopen-node sdo write 5 2002 \"a visible string\" --type vs
  canopen-node sdo write 5 2000 --file firmware.bin        # a domain: a block transfer above 256 bytes

Exit codes: 0 written, 1 the node aborted or did not answer (the reason on stderr), 2 usage, 3 the bus failed.")]
pub struct SdoWriteArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Node-ID, 1..127
    #[arg(value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node: u8,
    /// The entry, INDEX[:SUB] in hex (1017, 2000:00)
    pub entry: String,
    /// The value, read by its type (numbers in decimal or 0x hex, strings as written, octet
    /// strings and domains as hex bytes)
    #[arg(allow_hyphen_values = true, required_unless_present = "file")]
    pub value: Option<String>,
    /// The value's bytes from FILE (a domain)
    #[arg(long = "file", value_name = "FILE", conflicts_with = "value")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub options: SdoOptions,
    /// Never a block transfer (by default values above 256 bytes go in one)
    #[arg(long = "no-block", conflicts_with = "block")]
    pub no_block: bool,
}

/// Options of both SDO commands.
#[derive(Args, Debug)]
pub struct SdoOptions {
    /// The value's type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td,
    /// d (domain); or a CiA 301 name (UNSIGNED32)
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub data_type: Option<String>,
    /// The node's EDS or DCF: the entry's type comes from it
    #[arg(short = 'e', long = "eds", value_name = "FILE")]
    pub eds: Option<PathBuf>,
    /// A block transfer (CRC-checked), whatever the size
    #[arg(long = "block")]
    pub block: bool,
    /// How long to wait for each answer of the node
    #[arg(short = 'T', long = "timeout", value_name = "TIME", default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Send an NMT command: start, stop, preop, reset, reset-comm; to a node or all
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node nmt start 5
  canopen-node nmt preop all
  canopen-node nmt reset-comm 5")]
pub struct NmtArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// start, stop, preop (pre-operational), reset (reset node), reset-comm (reset communication)
    #[arg(value_parser = ["start", "stop", "preop", "pre-operational", "reset", "reset-node", "reset-comm", "reset-communication"])]
    pub command: String,
    /// Node-ID 1..127, or all
    pub node: String,
}

/// Send SYNC: once, or every --period
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node sync                         # one SYNC on 0x080
  canopen-node sync --period 10ms -n 100    # 100 SYNCs, 10 ms apart
  canopen-node sync --period 1ms --counter 240   # until Ctrl-C, with a counter 1..240")]
pub struct SyncArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Send every TIME until Ctrl-C (or -n)
    #[arg(long = "period", value_name = "TIME", value_parser = parse_duration)]
    pub period: Option<Duration>,
    /// How many SYNCs (with --period)
    #[arg(short = 'n', long = "count", value_name = "N")]
    pub count: Option<u64>,
    /// A counter byte running 1..=N (the producer's 0x1019, 2..240)
    #[arg(long = "counter", value_name = "N", value_parser = clap::value_parser!(u8).range(2..=240))]
    pub counter: Option<u8>,
    /// The SYNC COB-ID (0x1005)
    #[arg(long = "cob-id", value_name = "HEX", default_value = "80", value_parser = crate::filter::parse_hex_arg)]
    pub cob_id: u32,
}

/// Send a TIME stamp: now (UTC), as milliseconds after midnight and days since 1984-01-01
#[derive(Args, Debug)]
pub struct TimeArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// The TIME COB-ID (0x1012)
    #[arg(long = "cob-id", value_name = "HEX", default_value = "100", value_parser = crate::filter::parse_hex_arg)]
    pub cob_id: u32,
}

/// The bus the bus options name, shared by a hub (every master command, the gateway, monitor).
pub(super) async fn open(bus: &BusArgs) -> anyhow::Result<Hub> {
    Ok(Hub::new(bus.open("canopen-node").await?))
}

/// The entry's type: `--type`, else the EDS's, else none.
fn data_type(
    options: &SdoOptions,
    node: u8,
    index: u16,
    sub: u8,
) -> anyhow::Result<(Option<DataType>, bool)> {
    if let Some(name) = &options.data_type {
        let lower = name.to_ascii_lowercase();
        // CiA 309-3's x8..x64: unsigned, shown in hex.
        if let Some(bits) = lower.strip_prefix('x') {
            let t = DataType::from_name(&format!("u{bits}")).ok_or_else(|| {
                usage(format!(
                    "--type {name}: not a type (b, i8..i64, u8..u64, x8..x64, r32, r64, vs, os, us, d, ...)"
                ))
            })?;
            return Ok((Some(t), true));
        }
        let t = DataType::from_name(name).ok_or_else(|| {
            usage(format!(
                "--type {name}: not a type (b, i8..i64, u8..u64, x8..x64, r32, r64, vs, os, us, d, ...)"
            ))
        })?;
        return Ok((Some(t), false));
    }
    if let Some(path) = &options.eds {
        let loaded = eds::load(path, Some(node)).map_err(|e| usage(e.to_string()))?;
        let entry = loaded.dictionary.entry(index, sub).map_err(|abort| {
            usage(format!("{}: 0x{index:04X}:{sub:02X}: {}", path.display(), abort.meaning()))
        })?;
        return Ok((Some(entry.data_type), false));
    }
    Ok((None, false))
}

/// An SDO failure as a script sees it: the reason on stderr, exit 1.
fn sdo_failed(e: SdoError) -> anyhow::Result<u8> {
    match e {
        SdoError::Bus(e) => Err(e.into()),
        e => {
            eprintln!("canopen-node: {e}");
            Ok(exit::TIMEOUT)
        }
    }
}

pub async fn sdo_read(args: SdoReadArgs) -> anyhow::Result<u8> {
    let (index, sub) = parse_entry(&args.entry).map_err(usage)?;
    let sub = sub.unwrap_or(0);
    let (data_type, hex_display) = data_type(&args.options, args.node, index, sub)?;
    let hub = open(&args.bus).await?;
    let mut client = SdoClient::new(&hub, args.node);
    client.timeout = args.options.timeout;
    let block = args.options.block || matches!(data_type, Some(DataType::Domain));
    let result = if block { client.upload_block(index, sub).await } else { client.upload(index, sub).await };
    let bytes = match result {
        Ok(bytes) => bytes,
        Err(e) => return sdo_failed(e),
    };
    if let Some(path) = &args.output {
        std::fs::write(path, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        return Ok(exit::OK);
    }
    let text = match data_type {
        Some(t) if hex_display => match t.number(&bytes) {
            Some(_) => format!("0x{:0width$X}", le_unsigned(&bytes), width = bytes.len() * 2),
            None => hex(&bytes),
        },
        Some(t) if t.size().is_some_and(|s| s != bytes.len()) => {
            eprintln!("canopen-node: the node sent {} bytes for a {}: shown as hex", bytes.len(), t.name());
            hex(&bytes)
        }
        Some(t) => t.format(&bytes),
        None => hex(&bytes),
    };
    println!("{text}");
    Ok(exit::OK)
}

pub async fn sdo_write(args: SdoWriteArgs) -> anyhow::Result<u8> {
    let (index, sub) = parse_entry(&args.entry).map_err(usage)?;
    let sub = sub.unwrap_or(0);
    let (data_type, _) = data_type(&args.options, args.node, index, sub)?;
    let bytes = match (&args.file, &args.value) {
        (Some(path), _) => std::fs::read(path).map_err(|e| usage(format!("{}: {e}", path.display())))?,
        (None, Some(value)) => {
            let t =
                data_type.ok_or_else(|| usage("the value's type is needed: --type TYPE or --eds FILE"))?;
            t.parse(value, args.node).map_err(|e| usage(format!("'{value}': {e}")))?
        }
        (None, None) => return Err(usage("a VALUE or --file FILE")),
    };
    let hub = open(&args.bus).await?;
    let mut client = SdoClient::new(&hub, args.node);
    client.timeout = args.options.timeout;
    let block = args.options.block || (!args.no_block && bytes.len() > BLOCK_ABOVE);
    let result = if block {
        client.download_block(index, sub, &bytes).await
    } else {
        client.download(index, sub, &bytes).await
    };
    match result {
        Ok(()) => Ok(exit::OK),
        Err(e) => sdo_failed(e),
    }
}

pub async fn nmt(args: NmtArgs) -> anyhow::Result<u8> {
    let command = match args.command.as_str() {
        "start" => 0x01,
        "stop" => 0x02,
        "preop" | "pre-operational" => 0x80,
        "reset" | "reset-node" => 0x81,
        _ => 0x82,
    };
    let node = if args.node.eq_ignore_ascii_case("all") {
        0
    } else {
        args.node
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=127).contains(n))
            .ok_or_else(|| usage(format!("node '{}': 1..127 or all", args.node)))?
    };
    let hub = open(&args.bus).await?;
    hub.send(&Frame::new_data(0, false, &[command, node]).expect("a valid frame")).await?;
    Ok(exit::OK)
}

pub async fn sync(args: SyncArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let extended = args.cob_id > 0x7FF;
    let hub = open(&args.bus).await?;
    let mut counter = 0u8;
    let mut sent = 0u64;
    let start = tokio::time::Instant::now();
    loop {
        let data = match args.counter {
            Some(max) => {
                counter = if counter >= max { 1 } else { counter + 1 };
                vec![counter]
            }
            None => Vec::new(),
        };
        let frame =
            Frame::new_data(args.cob_id, extended, &data).map_err(|e| usage(format!("--cob-id: {e}")))?;
        hub.send(&frame).await?;
        sent += 1;
        let Some(period) = args.period else { break };
        if args.count.is_some_and(|n| sent >= n) {
            break;
        }
        // Scheduled from the start: the period does not drift with the send time.
        let next = start + period * u32::try_from(sent).unwrap_or(u32::MAX);
        tokio::select! {
            _ = shutdown.triggered() => break,
            _ = tokio::time::sleep_until(next) => {}
        }
    }
    Ok(exit::OK)
}

pub async fn time(args: TimeArgs) -> anyhow::Result<u8> {
    // CiA 301 TIME_OF_DAY: milliseconds after midnight (28 bits) and days since 1984-01-01.
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let days_1984 = 5113; // days from 1970-01-01 to 1984-01-01
    let days = since_epoch.as_secs() / 86_400 - days_1984;
    let ms = (since_epoch.as_millis() % 86_400_000) as u32;
    let mut data = ms.to_le_bytes().to_vec();
    data.extend_from_slice(&(days as u16).to_le_bytes());
    let hub = open(&args.bus).await?;
    let frame = Frame::new_data(args.cob_id, args.cob_id > 0x7FF, &data)
        .map_err(|e| usage(format!("--cob-id: {e}")))?;
    hub.send(&frame).await?;
    Ok(exit::OK)
}

/// Find the nodes on the bus: who answers an SDO read of 0x1000, with identity and state
#[derive(Args, Debug)]
#[command(after_help = "\
Every node-ID 1..127 is asked for 0x1000 (device type) at once; those that answer are asked for \
their identity (0x1018:01..04). Heartbeats and boot-ups heard during the scan give the NMT state \
(`-` when a node sends none). Exit 0 when a node answered, 1 when none did.

Examples:
  canopen-node scan
  canopen-node scan --json -i socketcan -c can0")]
pub struct ScanArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// How long each node has to answer
    #[arg(short = 'T', long = "timeout", value_name = "TIME", default_value = "500ms", value_parser = parse_duration)]
    pub timeout: Duration,
    /// One JSON object per node instead of a table
    #[arg(long = "json")]
    pub json: bool,
}

/// What a scan learnt about one node.
struct Found {
    node: u8,
    device_type: u32,
    identity: [Option<u32>; 4],
}

pub async fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    use crate::bus::hub::SubscribeOptions;
    use crate::canopen::node::NmtState;
    use crate::filter::FilterSet;

    let hub = open(&args.bus).await?;
    let filter = FilterSet::parse(&["700:780"]).expect("a valid filter");
    let mut beats = hub.subscribe(SubscribeOptions { filter, capacity: 4096, ..Default::default() });
    let timeout = args.timeout;
    let asks = (1..=127u8).map(|node| {
        let hub = &hub;
        async move {
            let mut client = SdoClient::new(hub, node);
            client.timeout = timeout;
            let as_u32 = |b: Vec<u8>| b.get(..4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let device_type = match client.upload(0x1000, 0).await {
                Ok(bytes) => as_u32(bytes).unwrap_or(0),
                Err(SdoError::Bus(e)) => return Err(e),
                // An abort is an answer too: someone is there.
                Err(SdoError::Aborted { .. } | SdoError::Protocol { .. }) => 0,
                Err(SdoError::Timeout { .. }) => return Ok(None),
            };
            let mut identity = [None; 4];
            for (i, slot) in identity.iter_mut().enumerate() {
                *slot = client.upload(0x1018, i as u8 + 1).await.ok().and_then(as_u32);
            }
            Ok(Some(Found { node, device_type, identity }))
        }
    });
    let results = futures_util::future::join_all(asks).await;
    let mut found = Vec::new();
    for result in results {
        if let Some(f) = result? {
            found.push(f);
        }
    }
    // Nodes that sent no heartbeat are asked by node guarding (an RTR on 0x700 + id).
    let heard = |beats: &mut crate::bus::hub::Subscription,
                 states: &mut std::collections::BTreeMap<u8, Option<NmtState>>| {
        while let Ok(Some(event)) = beats.try_recv() {
            if let crate::BusEvent::Frame(frame) = event {
                if let (false, Some(&byte)) = (frame.is_remote(), frame.data().first()) {
                    states.insert((frame.id() - 0x700) as u8, NmtState::from_code(byte));
                }
            }
        }
    };
    let mut states = std::collections::BTreeMap::new();
    heard(&mut beats, &mut states);
    let silent: Vec<u8> = found.iter().map(|f| f.node).filter(|n| !states.contains_key(n)).collect();
    for node in &silent {
        hub.send(&Frame::new_remote(0x700 + u32::from(*node), false, 1).expect("a valid frame")).await?;
    }
    if !silent.is_empty() {
        tokio::time::sleep(timeout.min(Duration::from_millis(200))).await;
    }
    heard(&mut beats, &mut states);
    let hex32 = |v: Option<u32>| v.map_or("-".to_string(), |v| format!("0x{v:08X}"));
    let state = |node: u8| match states.get(&node) {
        Some(Some(s)) => s.as_str().to_string(),
        Some(None) => "unknown".into(),
        None => "-".into(),
    };
    if args.json {
        for f in &found {
            let line = serde_json::json!({
                "node": f.node, "device_type": hex32(Some(f.device_type)), "vendor_id": hex32(f.identity[0]),
                "product_code": hex32(f.identity[1]), "revision": hex32(f.identity[2]),
                "serial": hex32(f.identity[3]), "state": state(f.node),
            });
            println!("{line}");
        }
    } else {
        println!("node  device type  vendor-ID   product     revision    serial      state");
        for f in &found {
            println!(
                "{:>4}  {:<11}  {:<10}  {:<10}  {:<10}  {:<10}  {}",
                f.node,
                hex32(Some(f.device_type)),
                hex32(f.identity[0]),
                hex32(f.identity[1]),
                hex32(f.identity[2]),
                hex32(f.identity[3]),
                state(f.node)
            );
        }
    }
    Ok(if found.is_empty() { exit::TIMEOUT } else { exit::OK })
}

/// Read every readable object of NODE into a DCF (its ParameterValues), for backups and diffs
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node dump 5 --eds device.eds -o node5.dcf
  canopen-node load 5 node5.dcf          # write its values back

Entries the node refuses to read are reported and left at the EDS's default. Exit 0 when every \
entry was read, 1 when some were not (or the node does not answer), 2 usage, 3 the bus failed.")]
pub struct DumpArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Node-ID, 1..127
    #[arg(value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node: u8,
    /// The node's EDS (or a DCF): which objects to read, and their types
    #[arg(short = 'e', long = "eds", value_name = "FILE", required = true)]
    pub eds: PathBuf,
    /// Write the DCF to FILE [default: stdout]
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How long to wait for each answer of the node
    #[arg(short = 'T', long = "timeout", value_name = "TIME", default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Write a DCF's values into NODE: every writable entry, PDOs in CiA 301's order
#[derive(Args, Debug)]
pub struct LoadArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// Node-ID, 1..127
    #[arg(value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node: u8,
    /// The DCF (or EDS) whose values to write
    pub file: PathBuf,
    /// How long to wait for each answer of the node
    #[arg(short = 'T', long = "timeout", value_name = "TIME", default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
}

pub async fn dump(args: DumpArgs) -> anyhow::Result<u8> {
    let loaded = eds::load(&args.eds, Some(args.node)).map_err(|e| usage(e.to_string()))?;
    let mut od = loaded.dictionary;
    let hub = open(&args.bus).await?;
    let mut client = SdoClient::new(&hub, args.node);
    client.timeout = args.timeout;
    let entries: Vec<(u16, u8, DataType)> = od
        .iter()
        .flat_map(|(index, object)| {
            object
                .entries
                .iter()
                .filter(|(_, e)| e.access.readable())
                .map(move |(sub, e)| (index, *sub, e.data_type))
        })
        .collect();
    let mut missed = 0usize;
    for (index, sub, data_type) in entries {
        let result = if data_type == DataType::Domain {
            client.upload_block(index, sub).await
        } else {
            client.upload(index, sub).await
        };
        match result {
            Ok(bytes) if data_type.size().is_none_or(|s| s == bytes.len()) => {
                if let Ok(entry) = od.entry_mut(index, sub) {
                    entry.value = bytes;
                }
            }
            Ok(bytes) => {
                missed += 1;
                eprintln!(
                    "canopen-node: 0x{index:04X}:{sub:02X}: {} bytes for a {}: not kept",
                    bytes.len(),
                    data_type.name()
                );
            }
            Err(SdoError::Bus(e)) => return Err(e.into()),
            Err(e @ SdoError::Timeout { .. }) => return sdo_failed(e),
            Err(e) => {
                missed += 1;
                eprintln!("canopen-node: {e}");
            }
        }
    }
    let dcf = eds::to_dcf(&od, args.node);
    match &args.output {
        Some(path) => std::fs::write(path, dcf).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
        None => print!("{dcf}"),
    }
    if missed > 0 {
        eprintln!("canopen-node: {missed} entries not read (left at their defaults in the DCF)");
        return Ok(exit::TIMEOUT);
    }
    Ok(exit::OK)
}

pub async fn load(args: LoadArgs) -> anyhow::Result<u8> {
    use crate::canopen::pdo::COB_INVALID;
    let loaded = eds::load(&args.file, Some(args.node)).map_err(|e| usage(e.to_string()))?;
    let od = loaded.dictionary;
    let hub = open(&args.bus).await?;
    let mut client = SdoClient::new(&hub, args.node);
    client.timeout = args.timeout;
    // The writes, in an order a node accepts: PDOs are disabled first and their mapping count
    // written after the entries, the COB-ID (enabling the PDO) last. Store and restore (0x1010,
    // 0x1011) are commands, not values, and the error history (0x1003) is not a parameter: they
    // are left out.
    let mut first = Vec::new();
    let mut writes = Vec::new();
    let mut last = Vec::new();
    for (index, object) in od.iter() {
        if matches!(index, 0x1003 | 0x1010 | 0x1011) {
            continue;
        }
        let pdo = crate::canopen::pdo::pdo_of(index);
        for (sub, entry) in &object.entries {
            if !entry.access.writable() {
                continue;
            }
            let value = entry.value.clone();
            match pdo {
                Some((_, _, false)) if *sub == 1 => {
                    let mut disabled = value.clone();
                    if let Some(top) = disabled.get_mut(3) {
                        *top |= (COB_INVALID >> 24) as u8;
                    }
                    first.push((index, *sub, disabled));
                    last.push((index, *sub, value));
                }
                Some((_, _, true)) if *sub == 0 => {
                    first.push((index, 0, vec![0]));
                    last.insert(0, (index, 0, value));
                }
                _ => writes.push((index, *sub, value)),
            }
        }
    }
    let mut failed = 0usize;
    for (index, sub, value) in first.into_iter().chain(writes).chain(last) {
        let result = if value.len() > BLOCK_ABOVE {
            client.download_block(index, sub, &value).await
        } else {
            client.download(index, sub, &value).await
        };
        match result {
            Ok(()) => {}
            Err(SdoError::Bus(e)) => return Err(e.into()),
            Err(e @ SdoError::Timeout { .. }) => return sdo_failed(e),
            Err(e) => {
                failed += 1;
                eprintln!("canopen-node: {e}");
            }
        }
    }
    if failed > 0 {
        eprintln!("canopen-node: {failed} entries not written");
        return Ok(exit::TIMEOUT);
    }
    Ok(exit::OK)
}
