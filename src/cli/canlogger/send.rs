//! `canlogger send`: send frames written in cansend syntax, once or repeatedly.

use std::time::Duration;

use clap::Args;

use crate::cli::{exit, parse_duration, usage, BusArgs};
use crate::frame::Frame;
use crate::shutdown::Shutdown;
use crate::text;

const AFTER_HELP: &str = "\
Frames use the cansend syntax of can-utils:
  123#DEADBEEF          standard id, 4 bytes (also 123#DE.AD.BE.EF)
  1F334455#1122         extended id (8 hex digits); 00000123#11 is extended too
  123#R  123#R7         remote frame, optionally with the requested length
  123##1DEADBEEF        CAN FD; the digit after ## is the flag nibble: 1 BRS, 2 ESI (4 FDF ignored)
With --count N every frame is sent N times: rounds of all frames, --period apart.

Examples:
  canlogger send 123#DEADBEEF
  canlogger send 100#01 200#02 --count 10 --period 10ms
  canlogger send --id 7DF --data '02 01 0C'";

/// Send one or more frames.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct SendArgs {
    /// Frames in cansend syntax (123#DEADBEEF, 1F334455#R, 123##1AABB)
    #[arg(value_name = "FRAME")]
    pub frames: Vec<String>,
    /// Instead of FRAME: the identifier in hex (8 digits or above 7FF: extended)
    #[arg(long = "id", value_name = "HEX", conflicts_with = "frames")]
    pub id: Option<String>,
    /// With --id: payload bytes as people type them: "12 34", "0x12,0xFF", "12-34", "1234"
    #[arg(long = "data", value_name = "BYTES", requires = "id", default_value = "")]
    pub data: String,
    /// With --id: send an extended (29-bit) frame even for a small id
    #[arg(long = "ext", requires = "id")]
    pub ext: bool,
    /// How many rounds to send (0 = until interrupted)
    #[arg(long = "count", short = 'n', value_name = "N", default_value_t = 1)]
    pub count: u64,
    /// Time between rounds, e.g. 10ms, 1s (humantime)
    #[arg(long = "period", short = 'p', value_name = "DURATION", value_parser = parse_duration)]
    pub period: Option<Duration>,
}

fn frames_from_args(args: &SendArgs) -> anyhow::Result<Vec<Frame>> {
    if let Some(id_text) = &args.id {
        let id = crate::filter::parse_hex_arg(id_text).map_err(usage)?;
        let extended = args.ext || id > crate::frame::MAX_STANDARD_ID || id_text.trim().len() == 8;
        let (bytes, len) = text::parse_data_bytes(&args.data)?;
        let frame = if len > 8 {
            Frame::new_fd_padded(id, extended, &bytes[..len], false, false)
        } else {
            Frame::new_data(id, extended, &bytes[..len])
        }
        .map_err(|e| usage(e.to_string()))?;
        return Ok(vec![frame]);
    }
    if args.frames.is_empty() {
        return Err(usage("nothing to send: give FRAME arguments (e.g. 123#DEADBEEF) or --id"));
    }
    Ok(args.frames.iter().map(|s| text::parse_frame(s)).collect::<Result<_, _>>()?)
}

pub async fn run(bus_args: &BusArgs, args: SendArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    // Parse everything before touching the bus: a typo must not send half a sequence.
    let frames = frames_from_args(&args)?;
    let bus = bus_args.open("canlogger").await?;
    let mut ticker = args.period.filter(|p| !p.is_zero()).map(|p| {
        let mut t = tokio::time::interval(p);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        t
    });
    let mut round = 0u64;
    let sent = async {
        while args.count == 0 || round < args.count {
            if let Some(t) = ticker.as_mut() {
                t.tick().await;
            }
            for f in &frames {
                bus.send(f).await?;
            }
            round += 1;
        }
        anyhow::Ok(())
    };
    tokio::select! {
        r = sent => r?,
        _ = shutdown.triggered() => {}
    }
    if bus_args.verbose {
        eprintln!("canlogger: sent {} frames", bus.stats().sent);
    }
    Ok(exit::OK)
}
