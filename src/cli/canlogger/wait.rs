//! `canlogger wait`: block until the first frame that matches, print it, and exit 0; exit 1 when
//! the timeout passes first. Meant for scripts (`canlogger wait --id 7E8 && ...`).

use std::time::Duration;

use clap::Args;

use crate::cli::{exit, parse_duration, usage, BusArgs, FilterArgs, FormatArgs};
use crate::filter::{parse_hex_arg, DataMatch, FilterSet, IdFilter};
use crate::pipe::{Limits, StopReason};
use crate::shutdown::Shutdown;
use crate::text;

const AFTER_HELP: &str = "\
Exit codes: 0 a matching frame arrived (it is printed), 1 timeout, 2 usage error, 3 bus failure.

Examples:
  canlogger wait --id 7E8 --timeout 2s
  canlogger wait --id 18DAF110 --d0 10 --format log
  canlogger wait --id 100 --mask 700 --data-prefix '02 41'
  canlogger wait --filter 123:7FF,#FFFFFFFF --timeout 0    # wait forever";

/// Wait for the first frame that matches.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct WaitArgs {
    #[command(flatten)]
    pub format: FormatArgs,
    /// Identifier to wait for, in hex (8 digits or above 7FF: extended)
    #[arg(long = "id", value_name = "HEX", conflicts_with = "filter")]
    pub id: Option<String>,
    /// With --id: compare only these id bits (hex), e.g. 7F0
    #[arg(long = "mask", value_name = "HEX", requires = "id")]
    pub mask: Option<String>,
    /// With --id: the id is extended (29-bit) even if small
    #[arg(long = "ext", requires = "id")]
    pub ext: bool,
    /// First data byte must equal this (hex)
    #[arg(long = "d0", value_name = "HEX")]
    pub d0: Option<String>,
    /// Second data byte must equal this (hex)
    #[arg(long = "d1", value_name = "HEX")]
    pub d1: Option<String>,
    /// The payload must start with these bytes: "02 41", "0x02,0x41", "0241"
    #[arg(long = "data-prefix", value_name = "BYTES")]
    pub data_prefix: Option<String>,
    /// (--filter: candump filter expressions instead of --id)
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Give up after this long (0 = wait forever)
    #[arg(short = 'T', long = "timeout", value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
}

fn byte_arg(name: &str, s: &str) -> anyhow::Result<u8> {
    let v = parse_hex_arg(s).map_err(|e| usage(format!("{name}: {e}")))?;
    u8::try_from(v).map_err(|_| usage(format!("{name}: 0x{v:X} is not a byte (00..FF)")))
}

/// The filter the arguments describe.
pub fn filter_from_args(args: &WaitArgs) -> anyhow::Result<FilterSet> {
    let mut set = if let Some(id_text) = &args.id {
        let id = parse_hex_arg(id_text).map_err(|e| usage(format!("--id: {e}")))?;
        let extended = args.ext || id > crate::frame::MAX_STANDARD_ID || id_text.trim().len() == 8;
        if id > crate::frame::MAX_EXTENDED_ID {
            return Err(usage(format!("--id: 0x{id:X} does not fit in 29 bits")));
        }
        let full = if extended { crate::frame::MAX_EXTENDED_ID } else { crate::frame::MAX_STANDARD_ID };
        let mask = match &args.mask {
            Some(m) => parse_hex_arg(m).map_err(|e| usage(format!("--mask: {e}")))?,
            None => full,
        };
        let mut set = FilterSet::none();
        set.add(IdFilter::masked(id, mask & full, extended));
        set
    } else {
        args.filter.parse()?
    };
    let mut prefix: Vec<u8> = Vec::new();
    if let Some(p) = &args.data_prefix {
        let (bytes, len) = text::parse_data_bytes(p)?;
        prefix.extend_from_slice(&bytes[..len]);
    }
    for (offset, arg, name) in [(0, &args.d0, "--d0"), (1, &args.d1, "--d1")] {
        if let Some(s) = arg {
            let value = byte_arg(name, s)?;
            if prefix.get(offset).is_some_and(|p| *p != value) {
                return Err(usage(format!("{name} {value:02X} contradicts --data-prefix")));
            }
            set.add_data_match(DataMatch { offset, value, mask: 0xFF });
        }
    }
    for (offset, value) in prefix.iter().enumerate() {
        set.add_data_match(DataMatch { offset, value: *value, mask: 0xFF });
    }
    Ok(set)
}

pub async fn run(bus_args: &BusArgs, args: WaitArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let filter = filter_from_args(&args)?;
    let bus = bus_args.open("canlogger").await?;
    if bus_args.verbose {
        eprintln!("canlogger: waiting for {filter}");
    }
    let duration = (!args.timeout.is_zero()).then_some(args.timeout);
    let limits = Limits { count: Some(1), idle: None, duration };
    let (frames, reason) =
        super::watch::show(bus, filter, &args.format.printer(), limits, "canlogger", false, &shutdown)
            .await?;
    if frames >= 1 {
        return Ok(exit::OK);
    }
    if reason == StopReason::Timeout {
        eprintln!("canlogger: no matching frame within {}", humantime::format_duration(args.timeout));
    }
    Ok(exit::TIMEOUT)
}
