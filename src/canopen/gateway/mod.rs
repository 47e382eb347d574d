//! CiA 309 gateways: a CANopen master's services (SDO, NMT) for programs on other networks.
//! [`ascii`] is CiA 309-3 as CANopenNode's gateway speaks it (for `cocomm` and its scripts);
//! [`http`] is CiA 309-5 as gocanopen's HTTP gateway speaks it. Both execute on one
//! [`Gateway`]: a hub, one SDO client per node (so transfers to one node from several clients
//! wait for each other, as SDO requires, while different nodes run side by side) and the log of
//! what the bus reported (EMCY, NMT state changes) for `log`.
//!
//! ```no_run
//! # async fn demo(hub: std::sync::Arc<cankit::bus::hub::Hub>) {
//! use cankit::canopen::gateway::{ascii::Session, Gateway, GatewayOptions};
//! let gateway = Gateway::new(hub, GatewayOptions::default());
//! let mut session = Session::default();
//! let reply = gateway.ascii_line(b"[1] 5 read 0x1017 0 u16", &mut session).await;
//! assert!(reply.starts_with(b"[1] "));
//! # }
//! ```

pub mod ascii;
pub mod http;
mod server;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use server::{serve_ascii, AsciiEndpoint, ServeOptions};

use self::ascii::{Command, GatewayError, Parsed, Session};
use super::client::{SdoClient, SdoError};
use super::monitor::{Event as MonitorEvent, Monitor};
use super::node::NmtState;
use crate::bus::hub::{Hub, Overflow, SubscribeOptions};
use crate::bus::{BusError, BusEvent};
use crate::filter::FilterSet;
use crate::frame::Frame;
use crate::shutdown::Shutdown;

/// Values above this many bytes go in a block transfer when block transfers are on (CANopenNode's
/// client: `CO_CONFIG_SDO_CLI_PST`); it is also the protocol switch threshold a block upload
/// offers.
pub const BLOCK_THRESHOLD: usize = 21;

/// How much log the gateway keeps for `log` (CANopenNode keeps 10000 bytes).
const LOG_BYTES: usize = 10_000;

/// What every client starts with.
#[derive(Clone, Debug)]
pub struct GatewayOptions {
    /// The node commands without one address (`set node`); none by default, as CANopenNode.
    pub default_node: Option<u8>,
    /// SDO time-out per response (CANopenNode's default: 500 ms).
    pub sdo_timeout: Duration,
    /// Block transfers on (`set sdo_block 1`).
    pub sdo_block: bool,
}

impl Default for GatewayOptions {
    fn default() -> GatewayOptions {
        GatewayOptions { default_node: None, sdo_timeout: Duration::from_millis(500), sdo_block: false }
    }
}

/// A master's services on one bus, for any number of gateway clients.
pub struct Gateway {
    hub: Arc<Hub>,
    /// One SDO client per node-ID (index 1..=127), created on first use.
    clients: Vec<tokio::sync::Mutex<Option<SdoClient>>>,
    log: Mutex<VecDeque<String>>,
    options: GatewayOptions,
}

impl Gateway {
    pub fn new(hub: Arc<Hub>, options: GatewayOptions) -> Arc<Gateway> {
        Arc::new(Gateway {
            hub,
            clients: (0..128).map(|_| tokio::sync::Mutex::new(None)).collect(),
            log: Mutex::new(VecDeque::new()),
            options,
        })
    }

    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    pub fn options(&self) -> &GatewayOptions {
        &self.options
    }

    /// A new client's settings.
    pub fn session(&self) -> Session {
        Session {
            node: self.options.default_node,
            sdo_timeout_ms: self.options.sdo_timeout.as_millis().clamp(1, 0xFFFF) as u16,
            sdo_block: self.options.sdo_block,
            ..Session::default()
        }
    }

    /// Read `index:sub` of `node` (a block upload when `block`, which the node may answer with a
    /// normal one for small values).
    pub async fn read(
        &self,
        node: u8,
        index: u16,
        sub: u8,
        timeout: Duration,
        block: bool,
    ) -> Result<Vec<u8>, SdoError> {
        let mut slot = self.clients[usize::from(node & 0x7F)].lock().await;
        let client = slot.get_or_insert_with(|| SdoClient::new(&self.hub, node));
        client.timeout = timeout;
        client.protocol_switch = BLOCK_THRESHOLD as u8;
        if block {
            client.upload_block(index, sub).await
        } else {
            client.upload(index, sub).await
        }
    }

    /// Write `data` to `index:sub` of `node` (a block download when `block` and the value is
    /// above [`BLOCK_THRESHOLD`] bytes, as CANopenNode's client does).
    pub async fn write(
        &self,
        node: u8,
        index: u16,
        sub: u8,
        data: &[u8],
        timeout: Duration,
        block: bool,
    ) -> Result<(), SdoError> {
        let mut slot = self.clients[usize::from(node & 0x7F)].lock().await;
        let client = slot.get_or_insert_with(|| SdoClient::new(&self.hub, node));
        client.timeout = timeout;
        if block && data.len() > BLOCK_THRESHOLD {
            client.download_block(index, sub, data).await
        } else {
            client.download(index, sub, data).await
        }
    }

    /// Send an NMT command (`command`: 0x01, 0x02, 0x80, 0x81, 0x82) to `node` (0: all).
    pub async fn nmt(&self, node: u8, command: u8) -> Result<(), BusError> {
        self.hub.send(&Frame::new_data(0, false, &[command, node]).expect("a valid NMT frame")).await
    }

    /// Add a line to the log (with the local time, as canopend's log has it).
    pub fn log(&self, message: &str) {
        let t = jiff::tz::TimeZone::system().to_datetime(jiff::Timestamp::now());
        let line = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}: {message}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push_back(line);
        let mut bytes: usize = log.iter().map(|l| l.len() + 1).sum();
        while bytes > LOG_BYTES {
            bytes -= log.pop_front().map_or(0, |l| l.len() + 1);
        }
    }

    /// The log so far, emptied (the `log` command's text, lines separated by LF).
    pub fn take_log(&self) -> String {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let text = log.iter().map(String::as_str).collect::<Vec<_>>().join("\n");
        log.clear();
        text
    }

    /// Watch the bus for what `log` reports: EMCY messages and the NMT state changes heartbeats
    /// show, until `shutdown` (`None`) or the bus fails (its error).
    pub async fn watch(self: Arc<Self>, shutdown: Shutdown) -> Option<BusError> {
        let filter =
            FilterSet::parse(&["080:780".to_string(), "700:780".to_string()]).expect("valid filters");
        let mut sub = self.hub.subscribe(SubscribeOptions {
            filter,
            capacity: 1024,
            hear_sent: true,
            overflow: Overflow::DropOldest,
        });
        let mut states = [None::<u8>; 128];
        let mut decoder = Monitor::new(Default::default());
        loop {
            let event = tokio::select! {
                _ = shutdown.triggered() => return None,
                event = sub.recv() => event,
            };
            let frame = match event {
                Ok(BusEvent::Frame(frame)) => frame,
                Ok(_) => continue,
                Err(e) => return Some(e),
            };
            // The frames are decoded by the monitor's decoder; the log words them as canopend's
            // log does.
            for event in decoder.feed(&frame, frame.timestamp) {
                match event {
                    MonitorEvent::Emcy { node, code, register, info } => {
                        let error_bit = info.first().copied().unwrap_or(0);
                        let mut rest = [0u8; 4];
                        for (slot, byte) in rest.iter_mut().zip(info.iter().skip(1)) {
                            *slot = *byte;
                        }
                        self.log(&format!(
                            "CANopen Emergency message from node 0x{node:02X}: errorCode=0x{code:04X}, \
                             errorRegister=0x{register:02X}, errorBit=0x{error_bit:02X}, infoCode=0x{:08X}",
                            u32::from_le_bytes(rest)
                        ));
                    }
                    MonitorEvent::BootUp { node } => self.state_seen(&mut states, node, 0x00),
                    MonitorEvent::Heartbeat { node, state } => {
                        self.state_seen(&mut states, node, state & 0x7F)
                    }
                    _ => {}
                }
            }
        }
    }

    /// Log a node's NMT state when it changed.
    fn state_seen(&self, states: &mut [Option<u8>; 128], node: u8, state: u8) {
        let slot = &mut states[usize::from(node & 0x7F)];
        if *slot != Some(state) {
            *slot = Some(state);
            let name = state_name(state);
            let number = if name == "unknown" { -1 } else { i32::from(state) };
            self.log(&format!(
                "CANopen Remote node ID = 0x{node:02X}: NMT state changed to: \"{name}\" ({number})"
            ));
        }
    }

    /// Execute one CiA 309-3 command line for a client; the reply, CR LF included.
    pub async fn ascii_line(&self, line: &[u8], session: &mut Session) -> Vec<u8> {
        self.ascii_reply(line, session).await.into()
    }

    async fn ascii_reply(&self, line: &[u8], session: &mut Session) -> Reply {
        let (seq, command) = match ascii::parse(line, session) {
            Parsed::Empty => return "\r\n".to_string().into(),
            Parsed::Error { seq, error } => return ascii::error(seq, error).into(),
            Parsed::Command { seq, command } => (seq, command),
        };
        let timeout = Duration::from_millis(u64::from(session.sdo_timeout_ms));
        match command {
            Command::Read { node, index, sub, data_type } => {
                match self.read(node, index, sub, timeout, session.sdo_block).await {
                    Ok(data) => Reply(ascii::value(seq, &data_type.print(&data))),
                    Err(e) => sdo_error(seq, &e).into(),
                }
            }
            Command::Write { node, index, sub, data, .. } => {
                match self.write(node, index, sub, &data, timeout, session.sdo_block).await {
                    Ok(()) => ascii::ok(seq).into(),
                    Err(e) => sdo_error(seq, &e).into(),
                }
            }
            Command::Nmt { node, command } => match self.nmt(node, command).await {
                Ok(()) => ascii::ok(seq).into(),
                Err(_) => ascii::error(seq, GatewayError::InternalState).into(),
            },
            Command::SetNetwork(net) => {
                session.net = Some(net);
                ascii::ok(seq).into()
            }
            Command::SetNode(node) => {
                session.node = Some(node);
                ascii::ok(seq).into()
            }
            Command::SetSdoTimeout(ms) => {
                session.sdo_timeout_ms = ms;
                ascii::ok(seq).into()
            }
            Command::SetSdoBlock(on) => {
                session.sdo_block = on;
                ascii::ok(seq).into()
            }
            Command::Help(which) => ascii::help(which).to_string().into(),
            Command::Log => format!("{}\r\n", self.take_log()).into(),
            Command::Unsupported => ascii::error(seq, GatewayError::RequestNotSupported).into(),
        }
    }
}

/// A reply's bytes.
struct Reply(Vec<u8>);

impl From<String> for Reply {
    fn from(text: String) -> Reply {
        Reply(text.into_bytes())
    }
}

impl From<Reply> for Vec<u8> {
    fn from(reply: Reply) -> Vec<u8> {
        reply.0
    }
}

/// An SDO failure as CiA 309-3 replies it: the abort code (sent or received), or "internal
/// state" when the bus itself failed.
fn sdo_error(seq: u32, e: &SdoError) -> String {
    match e.abort() {
        Some(abort) => ascii::abort(seq, abort.0),
        None => ascii::error(seq, GatewayError::InternalState),
    }
}

/// The name of an NMT state byte as canopend's log prints it.
pub fn state_name(state: u8) -> &'static str {
    match state {
        s if s == NmtState::Initialising.code() => "initializing",
        s if s == NmtState::Stopped.code() => "stopped",
        s if s == NmtState::Operational.code() => "operational",
        s if s == NmtState::PreOperational.code() => "pre-operational",
        _ => "unknown",
    }
}
