//! `canopen-node gateway`: the CiA 309-3 ASCII gateway (CANopenNode's grammar, for `cocomm` and
//! its scripts) and the CiA 309-5 HTTP gateway (gocanopen's grammar) on the bus options' bus.
//! The gateways are [`crate::canopen::gateway`]; this is configuration.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use crate::canopen::gateway::http::{serve_http, HttpGateway};
use crate::canopen::gateway::{serve_ascii, AsciiEndpoint, Gateway, GatewayOptions, ServeOptions};
use crate::cli::{exit, parse_duration, usage, BusArgs};
use crate::shutdown::Shutdown;

/// Serve CiA 309-3 (ASCII, as canopend -c) and CiA 309-5 (HTTP) gateways to the bus
#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  canopen-node gateway --ascii tcp:6000 -i socketcan -c can0     # cocomm -t 127.0.0.1 -p 6000 '5 r 0x1017 0 u16'
  canopen-node gateway --ascii unix:/tmp/CO_command_socket        # cocomm's default socket
  canopen-node gateway --ascii stdio --node 5                     # type commands: [1] r 0x1018 1 u32
  canopen-node gateway --http 8090                                # curl 127.0.0.1:8090/cia309-5/1.0/1/1/5/r/0x1017/0

ASCII commands (CANopenNode's gateway grammar, replies end with CR LF):
  [seq] [[net] node] r[ead] INDEX SUB [TYPE]        [seq] [[net] node] w[rite] INDEX SUB TYPE VALUE
  [seq] [[net] node] start|stop|preop|reset node|reset comm
  [seq] set network|node|sdo_timeout|sdo_block VALUE      [seq] help [datatype]      [seq] log
  TYPE: b i8 i16 i32 i64 u8 u16 u32 u64 x8..x64 r32 r64 vs os us d (base64) hex
  Replies: [seq] OK | [seq] VALUE | [seq] ERROR:0x06020000 #Object does not exist.

HTTP paths (gocanopen's CiA 309-5 grammar; JSON replies):
  /cia309-5/1.0/SEQ/NET/NODE/r/INDEX/SUB      → {\"sequence\":\"1\",\"response\":\"OK\",\"data\":\"0x03e8\",\"length\":2}
  /cia309-5/1.0/SEQ/NET/NODE/w/INDEX/SUB  with {\"value\":\"1000\",\"datatype\":\"u16\"}
  .../start .../stop .../preop .../reset/node .../reset/comm .../set/sdo-timeout .../set/node .../info/version

Servers bind 127.0.0.1 unless --listen says otherwise. Exit codes: 0 stopped by SIGINT/SIGTERM \
(or the end of stdin), 2 usage error, 3 the bus failed or an address could not be bound.")]
pub struct GatewayArgs {
    #[command(flatten)]
    pub bus: BusArgs,
    /// The CiA 309-3 ASCII gateway: tcp:PORT, tcp:ADDRESS:PORT, unix:PATH or stdio. Repeatable
    #[arg(long = "ascii", value_name = "WHERE")]
    pub ascii: Vec<String>,
    /// The CiA 309-5 HTTP gateway: PORT or ADDRESS:PORT
    #[arg(long = "http", value_name = "[ADDRESS:]PORT")]
    pub http: Option<String>,
    /// The address PORT-only endpoints bind (0.0.0.0 for every interface)
    #[arg(long = "listen", value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub listen: IpAddr,
    /// The default node: commands without one address it (as `set node`)
    #[arg(long = "node", value_name = "ID", value_parser = clap::value_parser!(u8).range(1..=127))]
    pub node: Option<u8>,
    /// How long an SDO transfer waits for each answer (as `set sdo_timeout`)
    #[arg(long = "sdo-timeout", value_name = "TIME", default_value = "500ms", value_parser = parse_duration)]
    pub sdo_timeout: Duration,
    /// Block transfers on from the start (as `set sdo_block 1`)
    #[arg(long = "block")]
    pub block: bool,
    /// Clients served at once, per gateway (HTTP: requests in progress)
    #[arg(long = "max-clients", value_name = "N", default_value = "16")]
    pub max_clients: usize,
    /// Close an ASCII connection that sends nothing for this long (canopend's -T) [default: never]
    #[arg(long = "client-timeout", value_name = "TIME", value_parser = parse_duration)]
    pub client_timeout: Option<Duration>,
    /// Say nothing on stderr but errors
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

fn http_address(spec: &str, listen: IpAddr) -> anyhow::Result<SocketAddr> {
    if let Ok(port) = spec.parse::<u16>() {
        return Ok(SocketAddr::new(listen, port));
    }
    spec.parse().map_err(|_| usage(format!("--http {spec}: PORT or ADDRESS:PORT (127.0.0.1:8090)")))
}

pub async fn gateway(args: GatewayArgs, shutdown: Shutdown) -> anyhow::Result<u8> {
    if args.ascii.is_empty() && args.http.is_none() {
        return Err(usage("which gateway? --ascii tcp:6000|unix:PATH|stdio and/or --http PORT"));
    }
    if args.max_clients == 0 {
        return Err(usage("--max-clients must be at least 1"));
    }
    let mut endpoints = Vec::new();
    for spec in &args.ascii {
        let endpoint = match AsciiEndpoint::parse(spec).map_err(|e| usage(format!("--ascii {e}")))? {
            // A PORT-only TCP endpoint binds --listen.
            AsciiEndpoint::Tcp(addr)
                if spec.strip_prefix("tcp:").is_some_and(|p| p.parse::<u16>().is_ok()) =>
            {
                AsciiEndpoint::Tcp(SocketAddr::new(args.listen, addr.port()))
            }
            endpoint => endpoint,
        };
        endpoints.push(endpoint);
    }
    if endpoints.iter().filter(|e| **e == AsciiEndpoint::Stdio).count() > 1 {
        return Err(usage("--ascii stdio can be given once"));
    }
    let http = args.http.as_deref().map(|spec| http_address(spec, args.listen)).transpose()?;

    let hub = Arc::new(super::master::open(&args.bus).await?);
    let options =
        GatewayOptions { default_node: args.node, sdo_timeout: args.sdo_timeout, sdo_block: args.block };
    let gateway = Gateway::new(hub.clone(), options);
    let quiet = args.quiet;
    let log: Arc<dyn Fn(&str) + Send + Sync> = Arc::new(move |line: &str| {
        if !quiet {
            eprintln!("canopen-node: {line}");
        }
    });
    if !quiet {
        eprintln!("canopen-node: gateway on {}", hub.describe());
    }
    let mut watching = tokio::spawn(gateway.clone().watch(shutdown.clone()));
    let mut tasks = tokio::task::JoinSet::new();
    let stdio = endpoints.contains(&AsciiEndpoint::Stdio);
    for endpoint in endpoints {
        let serve = ServeOptions {
            max_clients: args.max_clients,
            idle_timeout: args.client_timeout,
            max_line: ServeOptions::default().max_line,
            log: log.clone(),
        };
        let name = endpoint.to_string();
        let task = serve_ascii(gateway.clone(), endpoint, serve, shutdown.clone());
        tasks.spawn(async move { task.await.map_err(|e| anyhow::anyhow!("--ascii {name}: {e}")) });
    }
    if let Some(addr) = http {
        let listener =
            tokio::net::TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("--http {addr}: {e}"))?;
        log(&format!("CiA 309-5 gateway on http://{}/cia309-5/1.0/", listener.local_addr()?));
        let state = HttpGateway::new(gateway.clone(), args.max_clients);
        let stop = shutdown.clone();
        tasks.spawn(async move {
            serve_http(state, listener, stop).await.map_err(|e| anyhow::anyhow!("--http {addr}: {e}"))
        });
    }
    // The bus failing ends the gateway: every answer would be an error.
    let mut result: anyhow::Result<u8> = Ok(exit::OK);
    tokio::select! {
        failed = &mut watching => {
            if let Ok(Some(e)) = failed {
                result = Err(anyhow::Error::new(e).context("the bus failed"));
            }
        }
        finished = tasks.join_next() => {
            match finished {
                Some(Ok(Err(e))) => result = Err(e),
                Some(Err(e)) => result = Err(anyhow::anyhow!("a gateway task failed: {e}")),
                // stdio's end of input ends the gateway.
                Some(Ok(Ok(()))) if stdio => {}
                _ => {}
            }
        }
    }
    shutdown.trigger();
    while tasks.join_next().await.is_some() {}
    watching.abort();
    result
}
