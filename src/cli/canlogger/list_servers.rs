//! `canlogger list-servers`: the socketcand servers (daemons and `canserver`s) whose discovery
//! beacons arrive within a window, as python-can's `detect_available_configs('socketcand')`
//! finds them, each with the bus options that reach it.

use std::time::Duration;

use clap::Args;

use crate::cli::exit;

/// List the socketcand servers on the network (their discovery beacons on UDP 42000)
#[derive(Args, Debug)]
pub struct ListServersArgs {
    /// How long to listen for beacons (servers send one every 3 s)
    #[arg(long = "timeout", short = 'T', value_name = "TIME", default_value = "3.1s", value_parser = crate::cli::parse_duration)]
    pub timeout: Duration,
    /// One JSON object per bus, python-can's config keys (interface, host, port, channel)
    #[arg(long = "json")]
    pub json: bool,
}

pub fn run(args: ListServersArgs) -> anyhow::Result<u8> {
    let found = crate::bus::socketcand::discover(args.timeout, |_| false)
        .map_err(|e| anyhow::anyhow!("cannot listen for beacons on UDP port 42000: {e}"))?;
    for server in &found {
        for bus in &server.buses {
            if args.json {
                println!(
                    "{}",
                    serde_json::json!({"interface": "socketcand", "host": server.host, "port": server.port, "channel": bus, "name": server.name})
                );
            } else {
                println!(
                    "{:<20} {:<22} -i socketcand -c {bus} --bus-option host={} --bus-option port={}",
                    server.name,
                    format!("{}:{}", server.host, server.port),
                    server.host,
                    server.port
                );
            }
        }
    }
    if found.is_empty() {
        eprintln!("canlogger: no socketcand beacon within {} s", args.timeout.as_secs_f64());
        return Ok(exit::TIMEOUT);
    }
    Ok(exit::OK)
}
