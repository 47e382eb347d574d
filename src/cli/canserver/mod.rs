//! `canserver`: serve buses over the network (the socketcand protocol and python-can's remote
//! protocols), many clients per bus. Configuration of [`crate::server`].

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use super::{parse_duration, usage, BusArgs};
use crate::bus::hub::Hub;
use crate::bus::Bus;
use crate::config;
use crate::server::{self, ServedBus, ServerOptions, SlowClient, UdpBridge, UdpFormat, WaveshareChannel};
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
Serves the bus the bus options select (under its channel name, and as can0 when that name is \
free), or every --bus NAME=INTERFACE:CHANNEL, to any number of clients: python-can \
(interface='socketcand', 'remote'), socketcandcl, SavvyCAN and cankit's own tools \
(-i socketcand, -i remote). --udp-peer/--udp-listen bridge a bus to a UDP peer both ways \
(one struct can_frame per datagram, or cannelloni's packets). Each client has its own queue; a frame one client sends reaches the \
bus and every other client. Binds 127.0.0.1 unless --listen says otherwise.

Examples:
  canserver                                        # the default bus, on 127.0.0.1
  canserver -i socketcan -c can0 --listen 0.0.0.0  # can0 for the local network
  canserver --bus can0=socketcan:can0 --bus can1=socketcan:can1 --read-only
  curl -N http://127.0.0.1:8080/                   # every frame as server-sent events
  canlogger -i socketcand -c can0 --bus-option host=127.0.0.1 watch
  canserver -i socketcan -c can0 --udp-peer 192.168.1.20:20000 --udp-listen 0.0.0.0:20000
  canserver -i socketcan -c can0 --udp-format cannelloni --udp-peer pi2:20000 --udp-listen 0.0.0.0:20000
  canserver -i socketcan -c can0 --waveshare-port 20001  # can0 to Waveshare-gateway clients

Exit codes: 0 stopped by SIGINT/SIGTERM, 2 usage error, 3 a bus or a port could not be opened.";

/// Serve CAN buses over the network: the socketcand protocol (port 29536, with its discovery
/// beacon), python-can's remote protocols (port 54701: python-can 2.0's binary protocol and
/// python-can-remote's WebSocket protocol), CAN-to-HTTP (port 8080: an event stream, sending by
/// GET, a live page at /ui) and UDP bridges (--udp-peer/--udp-listen).
#[derive(Parser, Debug)]
#[command(name = "canserver", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub bus: BusArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve (the default action)
    Serve,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0,
    /// test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each
    #[arg(long = "bus", value_name = "NAME=INTERFACE:CHANNEL", global = true)]
    pub buses: Vec<String>,
    /// Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]
    #[arg(long = "listen", value_name = "ADDR", global = true)]
    pub listen: Vec<IpAddr>,
    /// TCP port of the socketcand protocol
    #[arg(long = "socketcand-port", value_name = "PORT", default_value_t = 29536, global = true)]
    pub socketcand_port: u16,
    /// Do not serve the socketcand protocol
    #[arg(long = "no-socketcand", global = true)]
    pub no_socketcand: bool,
    /// TCP port of python-can's remote protocols (binary and WebSocket)
    #[arg(long = "remote-port", value_name = "PORT", default_value_t = 54701, global = true)]
    pub remote_port: u16,
    /// Do not serve python-can's remote protocols
    #[arg(long = "no-remote", global = true)]
    pub no_remote: bool,
    /// TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)
    #[arg(long = "http-port", value_name = "PORT", default_value_t = 8080, global = true)]
    pub http_port: u16,
    /// Do not serve HTTP
    #[arg(long = "no-http", global = true)]
    pub no_http: bool,
    /// Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen
    /// bridges the first served bus, the second the second): its frames go to the peer as
    /// datagrams
    #[arg(long = "udp-peer", value_name = "HOST:PORT", global = true)]
    pub udp_peer: Vec<String>,
    /// Receive a bridge's datagrams on this address (and send from it); frames in them go onto
    /// the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]
    #[arg(long = "udp-listen", value_name = "ADDR:PORT", global = true)]
    pub udp_listen: Vec<SocketAddr>,
    /// The bridges' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id
    /// little-endian, as the seed's adaptor) or cannelloni (the cannelloni tunnel's packets)
    #[arg(long = "udp-format", value_name = "FORMAT", default_value = "socketcan",
          value_parser = ["socketcan", "cannelloni"], global = true)]
    pub udp_format: String,
    /// Take bridge datagrams from any sender, not only the peer's address
    #[arg(long = "udp-accept-any", global = true)]
    pub udp_accept_any: bool,
    /// Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the
    /// first served bus, the next port for the second, … (the device's 20001, 20002) [default: off]
    #[arg(long = "waveshare-port", value_name = "PORT", global = true)]
    pub waveshare_port: Option<u16>,
    /// Do not send the socketcand discovery beacon (UDP 42000, every 3 s)
    #[arg(long = "no-beacon", global = true)]
    pub no_beacon: bool,
    /// The beacon's description
    #[arg(long = "description", value_name = "TEXT", default_value = "socketcand", global = true)]
    pub description: String,
    /// Clients served at once; more are refused with the protocol's error
    #[arg(long = "max-clients", value_name = "N", default_value_t = 128, global = true)]
    pub max_clients: usize,
    /// Clients only receive: nothing they send reaches the bus (they are told)
    #[arg(long = "read-only", global = true)]
    pub read_only: bool,
    /// Frames queued per client before its oldest are dropped
    #[arg(long = "queue", value_name = "FRAMES", default_value_t = 4096, global = true)]
    pub queue: usize,
    /// What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect
    #[arg(long = "slow-client", value_name = "POLICY", default_value = "drop-oldest",
          value_parser = ["drop-oldest", "disconnect"], global = true)]
    pub slow_client: String,
    /// Time a client has to open a bus or send its bus request
    #[arg(long = "handshake-timeout", value_name = "TIME", default_value = "10s", value_parser = parse_duration, global = true)]
    pub handshake_timeout: Duration,
    /// Disconnect a client that sends nothing for this long (default: never; TCP keep-alive
    /// finds vanished peers)
    #[arg(long = "idle-timeout", value_name = "TIME", value_parser = parse_duration, global = true)]
    pub idle_timeout: Option<Duration>,
    /// socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the
    /// daemon's -e; 1FFFFFFF for all)
    #[arg(short = 'e', long = "error-mask", value_name = "HEX", value_parser = crate::filter::parse_hex_arg, default_value = "0", global = true)]
    pub error_mask: u32,
    /// Worker threads serving the clients. One has the fewest wake-ups between threads and the
    /// lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of
    /// busy clients over more cores
    #[arg(long = "threads", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256), global = true)]
    pub threads: u16,
    /// Print nothing but errors
    #[arg(short = 'q', long = "quiet", global = true)]
    pub quiet: bool,
}

/// Entry point of the `canserver` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = usize::from(cli.serve.threads);
    super::run_main_multi_thread("canserver", threads, |shutdown| async move {
        run(&cli.bus, cli.serve, shutdown).await
    })
}

/// The buses to serve: every `--bus`, or the one the bus options select.
async fn open_buses(bus: &BusArgs, args: &ServeArgs) -> anyhow::Result<Vec<ServedBus>> {
    let mut served = Vec::new();
    if args.buses.is_empty() {
        let resolved = config::resolve(&bus.flag_settings()?)?;
        let opened = Bus::open(&resolved.config).await?;
        if bus.verbose {
            eprint!("{}", resolved.explain());
        }
        let mut names = Vec::new();
        if let Some(c) = &resolved.config.channel {
            names.push(c.clone());
        }
        if !names.iter().any(|n| n == "can0") {
            names.push("can0".into());
        }
        served.push(ServedBus::new(names, Arc::new(Hub::new(opened))));
        return Ok(served);
    }
    for spec in &args.buses {
        let (name, target) = spec
            .split_once('=')
            .ok_or_else(|| usage(format!("--bus '{spec}': expected NAME=INTERFACE:CHANNEL")))?;
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) || name.contains(['<', '>']) {
            return Err(usage(format!("--bus '{spec}': the name must be one word")));
        }
        if served.iter().any(|b: &ServedBus| b.names.iter().any(|n| n == name)) {
            return Err(usage(format!("--bus '{spec}': the name {name} is given twice")));
        }
        let (interface, channel) = match target.split_once(':') {
            Some((i, c)) => (i, (!c.is_empty()).then_some(c)),
            None => (target, None),
        };
        let mut flags = bus.flag_settings()?;
        flags.interface = Some(interface.to_string());
        flags.channel = channel.map(str::to_string);
        let resolved = config::resolve(&flags)?;
        let opened = Bus::open(&resolved.config)
            .await
            .map_err(|e| anyhow::Error::from(e).context(format!("--bus {spec}")))?;
        served.push(ServedBus::new(vec![name.to_string()], Arc::new(Hub::new(opened))));
    }
    Ok(served)
}

/// The bridges `--udp-peer`/`--udp-listen` ask for, paired in order.
fn udp_bridges(args: &ServeArgs) -> anyhow::Result<Vec<UdpBridge>> {
    let (peers, listens) = (&args.udp_peer, &args.udp_listen);
    if !peers.is_empty() && !listens.is_empty() && peers.len() != listens.len() {
        return Err(usage(format!(
            "{} --udp-peer but {} --udp-listen: give them in pairs, or only one kind",
            peers.len(),
            listens.len()
        )));
    }
    let format = if args.udp_format == "cannelloni" { UdpFormat::Cannelloni } else { UdpFormat::Socketcan };
    let mut bridges = Vec::new();
    for i in 0..peers.len().max(listens.len()) {
        let peer = match peers.get(i) {
            Some(text) => Some(
                text.to_socket_addrs()
                    .map_err(|e| usage(format!("--udp-peer '{text}': {e}")))?
                    .next()
                    .ok_or_else(|| usage(format!("--udp-peer '{text}': no address")))?,
            ),
            None => None,
        };
        bridges.push(UdpBridge {
            peer,
            listen: listens.get(i).copied(),
            format,
            accept_any: args.udp_accept_any,
        });
    }
    Ok(bridges)
}

pub async fn run(bus: &BusArgs, args: ServeArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    let udp = udp_bridges(&args)?;
    if args.no_socketcand && args.no_remote && args.no_http && udp.is_empty() && args.waveshare_port.is_none()
    {
        return Err(usage(
            "every protocol is switched off (--no-socketcand, --no-remote, --no-http) and there is no UDP bridge (--udp-peer, --udp-listen) or --waveshare-port",
        ));
    }
    if args.max_clients == 0 || args.queue == 0 {
        return Err(usage("--max-clients and --queue must be at least 1"));
    }
    let buses = open_buses(bus, &args).await?;
    if udp.len() > buses.len() {
        return Err(usage(format!(
            "{} UDP bridges but {} buses served: one bridge per bus, in the order served",
            udp.len(),
            buses.len()
        )));
    }
    let quiet = args.quiet;
    let log: server::Log = Arc::new(move |line: &str| {
        if !quiet {
            eprintln!("canserver: {line}");
        }
    });
    for b in &buses {
        log(&format!("serving {} as {}", b.hub.describe(), b.names.join(", ")));
    }
    let resolved_bitrate = config::resolve(&bus.flag_settings()?).ok().and_then(|r| r.config.bitrate);
    let listen =
        if args.listen.is_empty() { vec![IpAddr::from([127, 0, 0, 1])] } else { args.listen.clone() };
    let mut waveshare = Vec::new();
    if let Some(first) = args.waveshare_port {
        for index in 0..buses.len() {
            let port = u16::try_from(usize::from(first) + index)
                .map_err(|_| usage(format!("--waveshare-port {first}: no port for bus {}", index + 1)))?;
            for ip in &listen {
                waveshare.push(WaveshareChannel { listen: SocketAddr::new(*ip, port), bus: index });
            }
        }
    }
    let options = ServerOptions {
        listen,
        socketcand_port: (!args.no_socketcand).then_some(args.socketcand_port),
        remote_port: (!args.no_remote).then_some(args.remote_port),
        http_port: (!args.no_http).then_some(args.http_port),
        beacon: !args.no_beacon,
        description: args.description.clone(),
        max_clients: args.max_clients,
        read_only: args.read_only,
        queue: args.queue,
        slow_client: if args.slow_client == "disconnect" {
            SlowClient::Disconnect
        } else {
            SlowClient::DropOldest
        },
        handshake_timeout: args.handshake_timeout,
        idle_timeout: args.idle_timeout,
        error_mask: args.error_mask,
        bitrate: resolved_bitrate,
        udp,
        waveshare,
        drop_every: None,
    };
    if options.read_only {
        log("read-only: frames clients send are dropped");
    }
    let report = server::serve(buses, options, shutdown, Arc::clone(&log)).await?;
    log(&format!("stopped after {} connections ({} refused)", report.connections, report.refused));
    Ok(super::exit::OK)
}
