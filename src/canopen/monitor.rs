//! A CANopen bus analyser without I/O: frames and their times go in ([`Monitor::feed`]), decoded
//! [`Event`]s come out — NMT commands, SYNC, TIME, EMCY, heartbeats and boot-ups, node guarding,
//! LSS, whole SDO transactions and PDOs — each printable as a text line or a JSON object.
//!
//! SDO transfers (expedited, segmented, block) are reassembled per node from the default
//! channel (client requests on 0x600 + node, server responses on 0x580 + node) and reported
//! once, when they end: completed, aborted (with the code's meaning), or incomplete (no frame for
//! [`Monitor::sdo_timeout`] of log time, or the input ended: [`Monitor::finish`]). Each transfer
//! keeps at most [`MAX_KEPT`] bytes of its value, and at most one transfer per node is open, so
//! memory stays bounded whatever the bus carries.
//!
//! With a node's dictionary (an EDS or DCF, [`Monitor::new`]), entries are named and values read
//! by their type, and the node's PDOs are decoded by its communication and mapping parameters
//! (0x1400–0x1BFF). SDO writes (and reads) of those parameters seen on the bus update the
//! monitor's copy, so a master that remaps a PDO is followed; NMT reset node/communication puts
//! them back to the file's values. Without a dictionary, the pre-defined connection set names
//! frames (`TPDO1 node 5`) and values are shown as bytes.
//!
//! What it leaves to others: reading frames (a bus, a log file) and printing (the `canopen-node
//! monitor` command); COB-IDs other than the pre-defined ones for SYNC, TIME, EMCY and SDO.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Value};

use super::abort::Abort;
use super::node::{emcy_meaning, NmtState};
use super::od::{ObjectDictionary, ObjectKind};
use super::pdo::{pdo_of, Direction, Pdo};
use super::types::{hex, le_unsigned, DataType};
use crate::frame::{Frame, Timestamp};

/// Bytes of an SDO value kept for decoding and display; the rest is counted, not kept.
pub const MAX_KEPT: usize = 64 * 1024;

/// Bytes of a value shown in a text line or a JSON object before it is cut.
pub const MAX_SHOWN: usize = 64;

/// How long (in log time) an SDO transfer may wait for its next frame before it is reported as
/// incomplete and forgotten, unless [`Monitor::sdo_timeout`] says otherwise.
pub const DEFAULT_SDO_TIMEOUT: Duration = Duration::from_secs(5);

/// The CRC of block transfers, as a static so a running digest can borrow it.
static BLOCK_CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_XMODEM);

/// An NMT command (CiA 301 §7.2.8.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NmtCommand {
    Start,
    Stop,
    PreOperational,
    ResetNode,
    ResetCommunication,
    Unknown(u8),
}

impl NmtCommand {
    fn from_code(code: u8) -> NmtCommand {
        match code {
            0x01 => NmtCommand::Start,
            0x02 => NmtCommand::Stop,
            0x80 => NmtCommand::PreOperational,
            0x81 => NmtCommand::ResetNode,
            0x82 => NmtCommand::ResetCommunication,
            other => NmtCommand::Unknown(other),
        }
    }

    /// The name `canopen-node nmt` takes: start, stop, preop, reset-node, reset-comm.
    pub fn as_str(self) -> &'static str {
        match self {
            NmtCommand::Start => "start",
            NmtCommand::Stop => "stop",
            NmtCommand::PreOperational => "preop",
            NmtCommand::ResetNode => "reset-node",
            NmtCommand::ResetCommunication => "reset-comm",
            NmtCommand::Unknown(_) => "unknown",
        }
    }

    fn describe(self) -> String {
        match self {
            NmtCommand::Start => "start".into(),
            NmtCommand::Stop => "stop".into(),
            NmtCommand::PreOperational => "enter pre-operational".into(),
            NmtCommand::ResetNode => "reset node".into(),
            NmtCommand::ResetCommunication => "reset communication".into(),
            NmtCommand::Unknown(code) => format!("unknown command 0x{code:02X}"),
        }
    }
}

/// Read (upload) or write (download).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// An abort without a transfer seen before it.
    Unknown,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Unknown => "unknown",
        }
    }
}

/// How an SDO transfer moved its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Expedited,
    Segmented,
    Block,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Expedited => "expedited",
            Mode::Segmented => "segmented",
            Mode::Block => "block",
        }
    }
}

/// How an SDO transfer ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Both sides confirmed it.
    Done,
    /// One side sent an abort.
    Aborted { abort: Abort, by_client: bool },
    /// It stopped before its end: no frame for too long, a new transfer started, the input ended.
    Incomplete { reason: String },
}

/// A value with what is known about it: the entry's name and type from the node's dictionary.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryValue {
    pub name: Option<String>,
    pub data_type: Option<DataType>,
    /// The bytes kept (at most [`MAX_KEPT`]).
    pub data: Vec<u8>,
    /// How many bytes the value had.
    pub size: usize,
}

/// One SDO transfer, reported when it ends.
#[derive(Clone, Debug, PartialEq)]
pub struct SdoTransfer {
    pub node: u8,
    pub access: Access,
    pub index: u16,
    pub sub: u8,
    /// `None` when it ended before the mode was known (a read aborted at once).
    pub mode: Option<Mode>,
    pub value: EntryValue,
    /// The size the initiating frame announced, if any.
    pub announced: Option<u32>,
    pub outcome: Outcome,
    /// When its first frame was seen.
    pub started: Timestamp,
    /// Something odd about a transfer that ended normally: a CRC or size mismatch.
    pub note: Option<String>,
}

/// One mapped value of a PDO.
#[derive(Clone, Debug, PartialEq)]
pub struct PdoValue {
    pub index: u16,
    pub sub: u8,
    pub value: EntryValue,
}

/// A PDO frame.
#[derive(Clone, Debug, PartialEq)]
pub struct PdoFrame {
    pub node: u8,
    pub direction: Direction,
    /// 1-based: TPDO1 is 1.
    pub number: u16,
    pub cob_id: u32,
    pub remote: bool,
    pub data: Vec<u8>,
    /// The mapped values, when the node's dictionary is known.
    pub values: Option<Vec<PdoValue>>,
    /// A length that does not match the mapping.
    pub note: Option<String>,
}

impl PdoFrame {
    /// `TPDO1`, `RPDO4`.
    pub fn name(&self) -> String {
        let prefix = match self.direction {
            Direction::Transmit => "TPDO",
            Direction::Receive => "RPDO",
        };
        format!("{prefix}{}", self.number)
    }
}

/// What a frame (or the passing of time) meant.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// An NMT command to `node` (0 = all nodes).
    Nmt {
        command: NmtCommand,
        node: u8,
    },
    Sync {
        counter: Option<u8>,
    },
    /// CiA 301 TIME_OF_DAY: milliseconds after midnight and days since 1984-01-01.
    Time {
        milliseconds: u32,
        days: u16,
    },
    Emcy {
        node: u8,
        code: u16,
        register: u8,
        info: Vec<u8>,
    },
    BootUp {
        node: u8,
    },
    /// A heartbeat with its state byte.
    Heartbeat {
        node: u8,
        state: u8,
    },
    /// The master's node-guarding request (an RTR on 0x700 + node).
    GuardRequest {
        node: u8,
    },
    /// A node's answer to guarding: toggle bit and state.
    GuardResponse {
        node: u8,
        toggle: bool,
        state: u8,
    },
    /// Layer setting services (CiA 305): master to slave on 0x7E5, slave to master on 0x7E4.
    Lss {
        from_master: bool,
        command: u8,
        data: Vec<u8>,
    },
    Sdo(Box<SdoTransfer>),
    Pdo(Box<PdoFrame>),
    /// An SDO frame that belongs to no transfer seen (the recording started in the middle of one).
    SdoStray {
        node: u8,
        from_client: bool,
        data: Vec<u8>,
    },
    /// A frame that is none of the above.
    Frame(Box<Frame>),
}

/// A name for NMT state bytes (heartbeat, guarding).
fn state_name(state: u8) -> String {
    match NmtState::from_code(state) {
        Some(s) => s.as_str().to_string(),
        None => format!("unknown state 0x{state:02X}"),
    }
}

/// The name of an LSS command specifier (CiA 305).
pub fn lss_command_name(command: u8) -> &'static str {
    match command {
        0x04 => "switch state global",
        0x11 => "configure node-ID",
        0x13 => "configure bit timing",
        0x15 => "activate bit timing",
        0x17 => "store configuration",
        0x40 => "switch state selective: vendor-ID",
        0x41 => "switch state selective: product code",
        0x42 => "switch state selective: revision number",
        0x43 => "switch state selective: serial number",
        0x44 => "switch state selective: response",
        0x46 => "identify remote slave: vendor-ID",
        0x47 => "identify remote slave: product code",
        0x48 => "identify remote slave: revision number low",
        0x49 => "identify remote slave: revision number high",
        0x4A => "identify remote slave: serial number low",
        0x4B => "identify remote slave: serial number high",
        0x4C => "identify non-configured remote slave",
        0x4F => "identify slave",
        0x50 => "identify non-configured slave",
        0x51 => "fastscan",
        0x5A => "inquire vendor-ID",
        0x5B => "inquire product code",
        0x5C => "inquire revision number",
        0x5D => "inquire serial number",
        0x5E => "inquire node-ID",
        _ => "unknown command",
    }
}

/// `2026-12-08 00:55:00.123`, or `None` for days beyond the calendar.
pub fn time_of_day_text(milliseconds: u32, days: u16) -> Option<String> {
    let date = jiff::civil::date(1984, 1, 1).checked_add(jiff::Span::new().days(i64::from(days))).ok()?;
    let ms = milliseconds & 0x0FFF_FFFF;
    Some(format!(
        "{date} {:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    ))
}

impl EntryValue {
    /// The value in words: by its type when known and the bytes fit it, else hex bytes (and the
    /// number they spell when there are 1, 2 or 4 of them and `number` is set).
    fn text(&self, number: bool) -> String {
        let complete = self.data.len() == self.size;
        if let (Some(t), true) = (self.data_type, complete) {
            if t.size().is_none_or(|s| s == self.data.len()) {
                return match t {
                    DataType::VisibleString | DataType::UnicodeString => {
                        format!("{:?}", shorten_text(t.format(&self.data)))
                    }
                    DataType::OctetString | DataType::Domain => shown_hex(&self.data, self.size),
                    // Large unsigned numbers are mostly bit fields (COB-IDs, mapping entries,
                    // identity): their hex digits say more.
                    t if t.is_unsigned() && le_unsigned(&self.data) > 0xFFFF => {
                        let width = self.data.len() * 2;
                        format!("{} (0x{:0width$X})", t.format(&self.data), le_unsigned(&self.data))
                    }
                    _ => t.format(&self.data),
                };
            }
        }
        if number && complete && matches!(self.data.len(), 1 | 2 | 4) {
            let n = le_unsigned(&self.data);
            return format!("{n} ({})", hex(&self.data));
        }
        shown_hex(&self.data, self.size)
    }

    fn json(&self, number: bool) -> Value {
        let complete = self.data.len() == self.size;
        if let (Some(t), true) = (self.data_type, complete) {
            if t.size().is_none_or(|s| s == self.data.len()) {
                return match t {
                    DataType::VisibleString | DataType::UnicodeString => {
                        Value::String(shorten_text(t.format(&self.data)))
                    }
                    DataType::OctetString | DataType::Domain => {
                        Value::String(shown_hex(&self.data, self.size))
                    }
                    _ => t.to_json(&self.data),
                };
            }
        }
        if number && complete && matches!(self.data.len(), 1 | 2 | 4) {
            return Value::from(le_unsigned(&self.data));
        }
        Value::String(shown_hex(&self.data, self.size))
    }
}

/// Hex bytes, the first [`MAX_SHOWN`] of them, with the total when cut.
fn shown_hex(data: &[u8], size: usize) -> String {
    let shown = &data[..data.len().min(MAX_SHOWN)];
    let mut text = hex(shown);
    if size > shown.len() {
        let _ = write!(text, " … ({size} bytes)");
    }
    text
}

fn shorten_text(mut text: String) -> String {
    if text.chars().count() > 4 * MAX_SHOWN {
        let total = text.chars().count();
        text = text.chars().take(4 * MAX_SHOWN).collect();
        let _ = write!(text, "… ({total} characters)");
    }
    text
}

fn entry_text(index: u16, sub: u8, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{index:04X}:{sub:02X} {name}"),
        None => format!("{index:04X}:{sub:02X}"),
    }
}

impl Event {
    /// A short word for the kind of event, the `event` field of its JSON object.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Nmt { .. } => "nmt",
            Event::Sync { .. } => "sync",
            Event::Time { .. } => "time",
            Event::Emcy { .. } => "emcy",
            Event::BootUp { .. } => "boot-up",
            Event::Heartbeat { .. } => "heartbeat",
            Event::GuardRequest { .. } => "guard-request",
            Event::GuardResponse { .. } => "guard-response",
            Event::Lss { .. } => "lss",
            Event::Sdo(_) => "sdo",
            Event::Pdo(_) => "pdo",
            Event::SdoStray { .. } => "sdo-frame",
            Event::Frame(_) => "frame",
        }
    }

    /// The event as one line of text (without the time, which the printer puts first).
    pub fn text(&self) -> String {
        match self {
            Event::Nmt { command, node: 0 } => format!("NMT        {} all nodes", command.describe()),
            Event::Nmt { command, node } => format!("NMT        {} node {node}", command.describe()),
            Event::Sync { counter: None } => "SYNC".into(),
            Event::Sync { counter: Some(c) } => format!("SYNC       counter {c}"),
            Event::Time { milliseconds, days } => match time_of_day_text(*milliseconds, *days) {
                Some(t) => format!("TIME       {t}"),
                None => format!("TIME       {days} days since 1984-01-01, {milliseconds} ms"),
            },
            Event::Emcy { node, code: 0, register, info } => {
                format!("EMCY       node {node}  error reset  register 0x{register:02X}  info {}", hex(info))
            }
            Event::Emcy { node, code, register, info } => format!(
                "EMCY       node {node}  0x{code:04X} {}  register 0x{register:02X}  info {}",
                emcy_meaning(*code),
                hex(info)
            ),
            Event::BootUp { node } => format!("BOOT-UP    node {node}"),
            Event::Heartbeat { node, state } => format!("HEARTBEAT  node {node}  {}", state_name(*state)),
            Event::GuardRequest { node } => format!("GUARD      node {node}  request"),
            Event::GuardResponse { node, toggle, state } => {
                format!("GUARD      node {node}  {}  toggle {}", state_name(*state), u8::from(*toggle))
            }
            Event::Lss { from_master, command, data } => format!(
                "LSS        {}  {}  [{}]",
                if *from_master { "master" } else { "slave" },
                lss_command_name(*command),
                hex(data)
            ),
            Event::Sdo(t) => sdo_text(t),
            Event::Pdo(p) => pdo_text(p),
            Event::SdoStray { node, from_client, data } => format!(
                "SDO        node {node}  {} frame outside a transfer  {}",
                if *from_client { "client" } else { "server" },
                hex(data)
            ),
            Event::Frame(f) => {
                let mut line = String::from("FRAME      ");
                if f.is_extended() {
                    let _ = write!(line, "{:08X}", f.id());
                } else {
                    let _ = write!(line, "{:03X}", f.id());
                }
                if f.is_error() {
                    let _ = write!(line, "  error frame  {}", crate::error_frame::describe(f).join(", "));
                } else if f.is_remote() {
                    let _ = write!(line, "  [{}]  remote request", f.len());
                } else {
                    let _ = write!(line, "  [{}]  {}", f.len(), hex(f.data()));
                }
                line
            }
        }
    }

    /// The event as a JSON object: `time` (UNIX seconds, or seconds of a recording without a
    /// date), `event` ([`Event::kind`]) and the event's own fields.
    pub fn json(&self, time: Timestamp) -> Value {
        let mut object = self.fields();
        object["time"] = json!(time.as_nanos() as f64 / 1e9);
        object["event"] = json!(self.kind());
        object
    }

    /// [`Event::json`] as one line, `time` (to the microsecond) and `event` first, so a person
    /// reading the stream sees them where they look.
    pub fn json_line(&self, time: Timestamp) -> String {
        let nanos = time.as_nanos();
        let sign = if nanos < 0 { "-" } else { "" };
        let abs = nanos.unsigned_abs();
        let mut line = format!(
            "{{\"time\":{sign}{}.{:06},\"event\":\"{}\"",
            abs / 1_000_000_000,
            abs % 1_000_000_000 / 1000,
            self.kind()
        );
        let fields = self.fields().to_string();
        if fields.len() > 2 {
            line.push(',');
            line.push_str(&fields[1..]);
        } else {
            line.push('}');
        }
        line
    }

    /// The event's own fields, as a JSON object.
    fn fields(&self) -> Value {
        match self {
            Event::Nmt { command, node } => {
                let mut o = json!({"command": command.as_str(), "node": node});
                if let NmtCommand::Unknown(code) = command {
                    o["code"] = json!(format!("0x{code:02X}"));
                }
                o
            }
            Event::Sync { counter } => json!({"counter": counter}),
            Event::Time { milliseconds, days } => json!({"milliseconds": milliseconds, "days": days,
                "date": time_of_day_text(*milliseconds, *days)}),
            Event::Emcy { node, code, register, info } => {
                json!({"node": node, "code": format!("0x{code:04X}"),
                "meaning": emcy_meaning(*code), "register": format!("0x{register:02X}"), "info": hex(info)})
            }
            Event::BootUp { node } => json!({"node": node}),
            Event::Heartbeat { node, state } => {
                json!({"node": node, "state": state_name(*state), "code": state})
            }
            Event::GuardRequest { node } => json!({"node": node}),
            Event::GuardResponse { node, toggle, state } => {
                json!({"node": node, "state": state_name(*state), "code": state, "toggle": u8::from(*toggle)})
            }
            Event::Lss { from_master, command, data } => {
                json!({"from": if *from_master { "master" } else { "slave" },
                "command": lss_command_name(*command), "code": format!("0x{command:02X}"), "data": hex(data)})
            }
            Event::Sdo(t) => sdo_json(t),
            Event::Pdo(p) => pdo_json(p),
            Event::SdoStray { node, from_client, data } => json!({"node": node,
                "from": if *from_client { "client" } else { "server" }, "data": hex(data)}),
            Event::Frame(f) => json!({"id": format!("0x{:X}", f.id()), "extended": f.is_extended(),
                "remote": f.is_remote(), "error": f.is_error(), "dlc": f.len(), "data": hex(f.data())}),
        }
    }
}

fn sdo_text(t: &SdoTransfer) -> String {
    let mut line = format!(
        "SDO        node {}  {} {}",
        t.node,
        t.access.as_str(),
        entry_text(t.index, t.sub, t.value.name.as_deref())
    );
    match &t.outcome {
        Outcome::Done => {
            let expedited = t.mode == Some(Mode::Expedited);
            let size = t.value.size;
            let _ = write!(
                line,
                " = {}  ({size} {}",
                t.value.text(expedited),
                if size == 1 { "byte" } else { "bytes" }
            );
            if let Some(mode) = t.mode {
                let _ = write!(line, ", {}", mode.as_str());
            }
            line.push(')');
        }
        Outcome::Aborted { abort, by_client } => {
            let _ =
                write!(line, "  aborted by the {}: {abort}", if *by_client { "client" } else { "server" });
        }
        Outcome::Incomplete { reason } => {
            let _ = write!(line, "  incomplete ({reason}) after {} bytes", t.value.size);
            if let Some(mode) = t.mode {
                let _ = write!(line, ", {}", mode.as_str());
            }
        }
    }
    if let Some(note) = &t.note {
        let _ = write!(line, "  [{note}]");
    }
    line
}

fn sdo_json(t: &SdoTransfer) -> Value {
    let mut o = json!({
        "node": t.node, "access": t.access.as_str(), "index": format!("0x{:04X}", t.index), "sub": t.sub,
        "name": t.value.name, "type": t.value.data_type.map(DataType::name),
        "mode": t.mode.map(Mode::as_str), "size": t.value.size,
    });
    o["started"] = json!(t.started.as_nanos() as f64 / 1e9);
    match &t.outcome {
        Outcome::Done => {
            o["result"] = json!("ok");
            o["value"] = t.value.json(t.mode == Some(Mode::Expedited));
            o["raw"] = json!(shown_hex(&t.value.data, t.value.size));
        }
        Outcome::Aborted { abort, by_client } => {
            o["result"] = json!("aborted");
            o["abort"] = json!(format!("0x{:08X}", abort.0));
            o["meaning"] = json!(abort.meaning());
            o["by"] = json!(if *by_client { "client" } else { "server" });
        }
        Outcome::Incomplete { reason } => {
            o["result"] = json!("incomplete");
            o["reason"] = json!(reason);
        }
    }
    if let Some(note) = &t.note {
        o["note"] = json!(note);
    }
    o
}

fn pdo_text(p: &PdoFrame) -> String {
    let mut line = format!("{:<11}node {}", p.name(), p.node);
    if p.remote {
        line.push_str("  remote request");
        return line;
    }
    match &p.values {
        Some(values) => {
            for v in values {
                let name = v.value.name.clone().unwrap_or_else(|| format!("{:04X}:{:02X}", v.index, v.sub));
                let _ = write!(line, "  {name} = {}", v.value.text(false));
            }
            if values.is_empty() {
                line.push_str("  (nothing mapped)");
            }
        }
        None => {
            let _ = write!(line, "  [{}]  {}", p.data.len(), hex(&p.data));
        }
    }
    if let Some(note) = &p.note {
        let _ = write!(line, "  [{note}]");
    }
    line
}

fn pdo_json(p: &PdoFrame) -> Value {
    let mut o = json!({"node": p.node, "pdo": p.name(), "cob_id": format!("0x{:X}", p.cob_id),
        "remote": p.remote, "data": hex(&p.data)});
    if let Some(values) = &p.values {
        o["values"] = values
            .iter()
            .map(|v| {
                json!({"index": format!("0x{:04X}", v.index), "sub": v.sub, "name": v.value.name,
                    "value": v.value.json(false)})
            })
            .collect();
    }
    if let Some(note) = &p.note {
        o["note"] = json!(note);
    }
    o
}

/// Where a block transfer is.
struct Block {
    /// Both sides asked for a CRC.
    crc: bool,
    /// The data phase has begun: every frame from the sender is a segment (or an abort, or the
    /// end once the last segment was acknowledged).
    data_phase: bool,
    /// Segments of the current sub-block in sequence, waiting for the receiver's acknowledgement.
    pending: Vec<([u8; 7], bool)>,
    /// The last segment was acknowledged: the sender's next frame is the end.
    data_done: bool,
    /// The last segment's bytes, until the end frame says how many of them are data.
    tail: Option<[u8; 7]>,
    /// The sender's end frame was seen: its CRC and the unused byte count.
    end: Option<u16>,
    digest: crc::Digest<'static, u16>,
}

impl Block {
    fn new() -> Block {
        Block {
            crc: false,
            data_phase: false,
            pending: Vec::new(),
            data_done: false,
            tail: None,
            end: None,
            digest: BLOCK_CRC.digest(),
        }
    }
}

/// An SDO transfer under way.
struct Open {
    transfer: SdoTransfer,
    last: Timestamp,
    /// The client sent the last segment of a segmented download, or the data of an expedited one.
    last_sent: bool,
    block: Option<Block>,
    client_crc: bool,
}

impl Open {
    fn append(&mut self, bytes: &[u8]) {
        let value = &mut self.transfer.value;
        let room = MAX_KEPT.saturating_sub(value.data.len());
        value.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
        value.size = value.size.saturating_add(bytes.len());
        if let Some(block) = self.block.as_mut() {
            block.digest.update(bytes);
        }
    }
}

/// A node the monitor has a dictionary for.
struct Known {
    /// The file's dictionary, for resets.
    original: ObjectDictionary,
    /// The dictionary as the bus has changed it (PDO parameters written by SDO).
    current: ObjectDictionary,
}

/// The decoder: feed it frames in order.
pub struct Monitor {
    nodes: BTreeMap<u8, Known>,
    /// PDOs of the nodes with a dictionary, by (CAN-ID, extended).
    pdos: HashMap<(u32, bool), (u8, Pdo)>,
    /// At most one transfer per node.
    open: BTreeMap<u8, Open>,
    /// Nodes whose master sent a guarding request not yet answered.
    guarded: [bool; 128],
    /// Forget a transfer after this much log time without a frame.
    pub sdo_timeout: Duration,
    /// When the open transfers are next looked at for staleness.
    next_sweep: Option<Timestamp>,
}

impl Monitor {
    /// A monitor that knows the dictionaries of `nodes` (node-ID to its EDS or DCF, with
    /// `$NODEID` resolved).
    pub fn new(nodes: BTreeMap<u8, ObjectDictionary>) -> Monitor {
        let mut monitor = Monitor {
            nodes: nodes
                .into_iter()
                .filter(|(id, _)| (1..=127).contains(id))
                .map(|(id, od)| (id, Known { original: od.clone(), current: od }))
                .collect(),
            pdos: HashMap::new(),
            open: BTreeMap::new(),
            guarded: [false; 128],
            sdo_timeout: DEFAULT_SDO_TIMEOUT,
            next_sweep: None,
        };
        let ids: Vec<u8> = monitor.nodes.keys().copied().collect();
        for id in ids {
            monitor.rebuild_pdos(id);
        }
        monitor
    }

    /// Bytes held by the transfers under way (for tests of the bounds).
    pub fn open_bytes(&self) -> usize {
        self.open.values().map(|o| o.transfer.value.data.capacity() + 127 * 8).sum()
    }

    /// Decode one frame seen at `time`.
    pub fn feed(&mut self, frame: &Frame, time: Timestamp) -> Vec<Event> {
        let mut events = Vec::new();
        self.sweep(time, &mut events);
        self.decode(frame, time, &mut events);
        events
    }

    /// Time passed without frames (a quiet live bus): transfers idle for the timeout are reported.
    pub fn poll(&mut self, time: Timestamp) -> Vec<Event> {
        let mut events = Vec::new();
        self.sweep(time, &mut events);
        events
    }

    /// The input ended at `time`: the transfers still open are reported as incomplete.
    pub fn finish(&mut self, _time: Timestamp) -> Vec<Event> {
        std::mem::take(&mut self.open)
            .into_values()
            .map(|o| incomplete(o, "the input ended".into()))
            .collect()
    }

    /// Report and forget the transfers that have seen no frame for the timeout.
    fn sweep(&mut self, time: Timestamp, events: &mut Vec<Event>) {
        if self.next_sweep.is_some_and(|next| time < next) {
            return;
        }
        let timeout = i64::try_from(self.sdo_timeout.as_nanos()).unwrap_or(i64::MAX);
        self.next_sweep = Some(Timestamp(time.0.saturating_add(timeout.min(1_000_000_000) / 4 + 1)));
        let stale: Vec<u8> = self
            .open
            .iter()
            .filter(|(_, o)| time.0.saturating_sub(o.last.0) > timeout)
            .map(|(node, _)| *node)
            .collect();
        for node in stale {
            if let Some(o) = self.open.remove(&node) {
                let reason = format!("no frame for {}", humantime::format_duration(self.sdo_timeout));
                events.push(incomplete(o, reason));
            }
        }
    }

    fn decode(&mut self, frame: &Frame, time: Timestamp, events: &mut Vec<Event>) {
        if frame.is_error() {
            events.push(Event::Frame(Box::new(*frame)));
            return;
        }
        let id = frame.id();
        let data = frame.data();
        if let Some((node, pdo)) = self.pdos.get(&(id, frame.is_extended())) {
            let values = if frame.is_remote() { None } else { Some(self.pdo_values(*node, pdo, data)) };
            let note = (!frame.is_remote() && data.len() < pdo.length())
                .then(|| format!("{} bytes, the mapping needs {}", data.len(), pdo.length()));
            events.push(Event::Pdo(Box::new(PdoFrame {
                node: *node,
                direction: pdo.direction,
                number: pdo.number + 1,
                cob_id: id,
                remote: frame.is_remote(),
                data: data.to_vec(),
                values,
                note,
            })));
            return;
        }
        if frame.is_extended() {
            events.push(Event::Frame(Box::new(*frame)));
            return;
        }
        let node = (id & 0x7F) as u8;
        match (id & !0x7F, node) {
            (0x000, 0) if data.len() == 2 && !frame.is_remote() => {
                let command = NmtCommand::from_code(data[0]);
                self.nmt_effects(command, data[1]);
                events.push(Event::Nmt { command, node: data[1] });
            }
            (0x080, 0) if data.len() <= 1 && !frame.is_remote() => {
                events.push(Event::Sync { counter: data.first().copied() })
            }
            (0x080, n) if n > 0 && !frame.is_remote() && data.len() >= 3 => events.push(Event::Emcy {
                node: n,
                code: u16::from_le_bytes([data[0], data[1]]),
                register: data[2],
                info: data[3..data.len().min(8)].to_vec(),
            }),
            (0x100, 0) if data.len() == 6 && !frame.is_remote() => events.push(Event::Time {
                milliseconds: u32::from_le_bytes([data[0], data[1], data[2], data[3]]) & 0x0FFF_FFFF,
                days: u16::from_le_bytes([data[4], data[5]]),
            }),
            (0x180 | 0x200 | 0x280 | 0x300 | 0x380 | 0x400 | 0x480 | 0x500, n) if n > 0 => {
                let function = (id & !0x7F) as u16;
                let (direction, number) = match function {
                    0x180 | 0x280 | 0x380 | 0x480 => (Direction::Transmit, (function - 0x180) / 0x100 + 1),
                    _ => (Direction::Receive, (function - 0x200) / 0x100 + 1),
                };
                events.push(Event::Pdo(Box::new(PdoFrame {
                    node: n,
                    direction,
                    number,
                    cob_id: id,
                    remote: frame.is_remote(),
                    data: data.to_vec(),
                    values: None,
                    note: None,
                })));
            }
            (0x580, n) if n > 0 && !frame.is_remote() && data.len() == 8 => {
                self.sdo(n, false, data, time, events)
            }
            (0x600, n) if n > 0 && !frame.is_remote() && data.len() == 8 => {
                self.sdo(n, true, data, time, events)
            }
            (0x700, n) if n > 0 && frame.is_remote() => {
                self.guarded[usize::from(n)] = true;
                events.push(Event::GuardRequest { node: n });
            }
            (0x700, n) if n > 0 && data.len() == 1 => {
                let byte = data[0];
                if std::mem::take(&mut self.guarded[usize::from(n)]) || byte & 0x80 != 0 {
                    events.push(Event::GuardResponse {
                        node: n,
                        toggle: byte & 0x80 != 0,
                        state: byte & 0x7F,
                    });
                } else if byte == 0 {
                    events.push(Event::BootUp { node: n });
                } else {
                    events.push(Event::Heartbeat { node: n, state: byte });
                }
            }
            _ if (id == 0x7E4 || id == 0x7E5) && !frame.is_remote() && !data.is_empty() => events
                .push(Event::Lss { from_master: id == 0x7E5, command: data[0], data: data[1..].to_vec() }),
            _ => events.push(Event::Frame(Box::new(*frame))),
        }
    }

    /// What an NMT command does to the monitor's copy of the dictionaries: a reset puts the
    /// communication parameters (PDOs among them) back to the file's values.
    fn nmt_effects(&mut self, command: NmtCommand, target: u8) {
        if !matches!(command, NmtCommand::ResetNode | NmtCommand::ResetCommunication) {
            return;
        }
        let ids: Vec<u8> = self.nodes.keys().copied().filter(|id| target == 0 || *id == target).collect();
        for id in ids {
            if let Some(known) = self.nodes.get_mut(&id) {
                for index in 0x1000..=0x1FFFu16 {
                    if let Some(object) = known.original.object(index) {
                        known.current.insert(index, object.clone());
                    }
                }
            }
            self.rebuild_pdos(id);
        }
    }

    fn rebuild_pdos(&mut self, node: u8) {
        self.pdos.retain(|_, (n, _)| *n != node);
        let Some(known) = self.nodes.get(&node) else { return };
        let od = &known.current;
        // Receive first: when a node's TPDO is another node's RPDO, the frame is the producer's.
        for (first, last) in [(0x1400u16, 0x15FFu16), (0x1800, 0x19FF)] {
            let indices: Vec<u16> =
                od.iter().map(|(i, _)| i).filter(|i| (first..=last).contains(i)).collect();
            for index in indices {
                let Some((direction, number, _)) = pdo_of(index) else { continue };
                if let Some(pdo) = Pdo::read(od, direction, number) {
                    if pdo.valid() {
                        self.pdos.insert((pdo.can_id(), pdo.extended()), (node, pdo));
                    }
                }
            }
        }
    }

    fn pdo_values(&self, node: u8, pdo: &Pdo, data: &[u8]) -> Vec<PdoValue> {
        let od = self.nodes.get(&node).map(|k| &k.current);
        let mut values = Vec::with_capacity(pdo.mapping.len());
        let mut bit = 0usize;
        for m in &pdo.mapping {
            let bits = usize::from(m.bits);
            let fits = bit + bits <= data.len() * 8;
            if !m.is_dummy() && fits {
                let bytes = extract_bits(data, bit, bits);
                let (name, data_type) = describe(od, m.index, m.sub, false);
                // A type whose size differs from the mapped length is shown as bytes.
                let data_type = data_type.filter(|t| t.bits().is_none_or(|b| b as usize == bits));
                let size = bytes.len();
                values.push(PdoValue {
                    index: m.index,
                    sub: m.sub,
                    value: EntryValue { name, data_type, data: bytes, size },
                });
            }
            bit += bits;
        }
        values
    }

    /// One SDO frame of `node`'s default channel.
    fn sdo(&mut self, node: u8, from_client: bool, data: &[u8], time: Timestamp, events: &mut Vec<Event>) {
        let b = data[0];
        let index = u16::from_le_bytes([data[1], data[2]]);
        let sub = data[3];
        let u32_at_4 = u32::from_le_bytes([data[4], data[5], data[6], data[7]]);

        // The data phase of a block transfer: the sender's frames are segments.
        if let Some(open) = self.open.get_mut(&node) {
            let sender_is_client = open.transfer.access == Access::Write;
            let in_data = open.block.as_ref().is_some_and(|bl| bl.data_phase && bl.end.is_none());
            if in_data && from_client == sender_is_client && b != 0x80 {
                open.last = time;
                let block = open.block.as_mut().expect("in the data phase of a block transfer");
                if block.data_done {
                    // The end: 110 nnn 01, with the CRC.
                    if b & 0xE3 == 0xC1 {
                        let unused = usize::from((b >> 2) & 7);
                        let crc = u16::from_le_bytes([data[1], data[2]]);
                        block.end = Some(crc);
                        if let Some(tail) = block.tail.take() {
                            let used = 7usize.saturating_sub(unused);
                            open.append(&tail[..used]);
                        }
                    } else {
                        let o = self.open.remove(&node).expect("looked up above");
                        events.push(incomplete(
                            o,
                            format!("unexpected frame {} after the last segment", hex(data)),
                        ));
                    }
                    return;
                }
                let seq = usize::from(b & 0x7F);
                if seq == block.pending.len() + 1 {
                    let mut bytes = [0u8; 7];
                    bytes.copy_from_slice(&data[1..8]);
                    block.pending.push((bytes, b & 0x80 != 0));
                }
                return;
            }
        }

        if b == 0x80 {
            let abort = Abort(u32_at_4);
            let o = match self.open.remove(&node) {
                Some(o) => o,
                None => self.start(node, Access::Unknown, index, sub, time),
            };
            let mut transfer = o.transfer;
            transfer.outcome = Outcome::Aborted { abort, by_client: from_client };
            events.push(Event::Sdo(Box::new(transfer)));
            return;
        }

        if from_client {
            self.client_frame(node, b, index, sub, data, u32_at_4, time, events);
        } else {
            self.server_frame(node, b, index, sub, data, u32_at_4, time, events);
        }
    }

    /// A new transfer on `node`; one still open there is reported as incomplete.
    fn start(&mut self, node: u8, access: Access, index: u16, sub: u8, time: Timestamp) -> Open {
        let (name, data_type) = describe(self.nodes.get(&node).map(|k| &k.current), index, sub, true);
        Open {
            transfer: SdoTransfer {
                node,
                access,
                index,
                sub,
                mode: None,
                value: EntryValue { name, data_type, data: Vec::new(), size: 0 },
                announced: None,
                outcome: Outcome::Done,
                started: time,
                note: None,
            },
            last: time,
            last_sent: false,
            block: None,
            client_crc: false,
        }
    }

    fn begin(&mut self, node: u8, open: Open, events: &mut Vec<Event>) {
        if let Some(old) = self.open.insert(node, open) {
            events.push(incomplete(old, "a new transfer started".into()));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn client_frame(
        &mut self,
        node: u8,
        b: u8,
        index: u16,
        sub: u8,
        data: &[u8],
        size: u32,
        time: Timestamp,
        events: &mut Vec<Event>,
    ) {
        let stray = |events: &mut Vec<Event>| {
            events.push(Event::SdoStray { node, from_client: true, data: data.to_vec() })
        };
        match b >> 5 {
            // Download initiate.
            1 => {
                let mut o = self.start(node, Access::Write, index, sub, time);
                let expedited = b & 0x02 != 0;
                let sized = b & 0x01 != 0;
                if expedited {
                    o.transfer.mode = Some(Mode::Expedited);
                    let len = if sized { 4 - usize::from((b >> 2) & 3) } else { 4 };
                    o.append(&data[4..4 + len]);
                    o.last_sent = true;
                } else {
                    o.transfer.mode = Some(Mode::Segmented);
                    o.transfer.announced = sized.then_some(size);
                }
                self.begin(node, o, events);
            }
            // Download segment.
            0 => match self.open.get_mut(&node) {
                Some(o) if o.transfer.access == Access::Write && o.transfer.mode == Some(Mode::Segmented) => {
                    o.last = time;
                    let unused = usize::from((b >> 1) & 7);
                    o.append(&data[1..8 - unused]);
                    o.last_sent = b & 1 != 0;
                }
                _ => stray(events),
            },
            // Upload initiate.
            2 => {
                let o = self.start(node, Access::Read, index, sub, time);
                self.begin(node, o, events);
            }
            // Upload segment request: the server's answer carries the data.
            3 => match self.open.get_mut(&node) {
                Some(o) if o.transfer.access == Access::Read => o.last = time,
                _ => stray(events),
            },
            // Block upload: initiate, start, acknowledge, end.
            5 => match b & 3 {
                0 => {
                    let mut o = self.start(node, Access::Read, index, sub, time);
                    o.transfer.mode = Some(Mode::Block);
                    o.client_crc = b & 0x04 != 0;
                    o.block = Some(Block::new());
                    self.begin(node, o, events);
                }
                3 => match self.open.get_mut(&node) {
                    Some(o) if o.block.is_some() => o.last = time,
                    _ => stray(events),
                },
                2 => match self.open.get_mut(&node) {
                    Some(o) if o.transfer.access == Access::Read && o.block.is_some() => {
                        o.last = time;
                        acknowledge(o, data[1]);
                    }
                    _ => stray(events),
                },
                1 => match self.open.get(&node) {
                    Some(o)
                        if o.transfer.access == Access::Read
                            && o.block.as_ref().is_some_and(|b| b.end.is_some()) =>
                    {
                        self.complete(node, events)
                    }
                    _ => stray(events),
                },
                _ => stray(events),
            },
            // Block download initiate (its end is handled in the data phase).
            6 if b & 1 == 0 => {
                let mut o = self.start(node, Access::Write, index, sub, time);
                o.transfer.mode = Some(Mode::Block);
                o.transfer.announced = (b & 0x02 != 0).then_some(size);
                o.client_crc = b & 0x04 != 0;
                o.block = Some(Block::new());
                self.begin(node, o, events);
            }
            _ => stray(events),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn server_frame(
        &mut self,
        node: u8,
        b: u8,
        index: u16,
        sub: u8,
        data: &[u8],
        size: u32,
        time: Timestamp,
        events: &mut Vec<Event>,
    ) {
        let _ = (index, sub);
        let Some(o) = self.open.get_mut(&node) else {
            events.push(Event::SdoStray { node, from_client: false, data: data.to_vec() });
            return;
        };
        o.last = time;
        let access = o.transfer.access;
        let mode = o.transfer.mode;
        let done = match (b >> 5, access) {
            // Download initiate response: an expedited download is done; a segmented one goes on.
            (3, Access::Write) if mode == Some(Mode::Expedited) => true,
            (3, Access::Write) if mode == Some(Mode::Segmented) => false,
            // Download segment response.
            (1, Access::Write) if mode == Some(Mode::Segmented) => o.last_sent,
            // Upload initiate response (also the answer to a block upload below the threshold).
            (2, Access::Read) if mode.is_none() || o.block.as_ref().is_some_and(|bl| !bl.data_phase) => {
                o.block = None;
                if b & 0x02 != 0 {
                    o.transfer.mode = Some(Mode::Expedited);
                    let len = if b & 0x01 != 0 { 4 - usize::from((b >> 2) & 3) } else { 4 };
                    o.append(&data[4..4 + len]);
                    true
                } else {
                    o.transfer.mode = Some(Mode::Segmented);
                    o.transfer.announced = (b & 0x01 != 0).then_some(size);
                    false
                }
            }
            // Upload segment.
            (0, Access::Read) if mode == Some(Mode::Segmented) => {
                let unused = usize::from((b >> 1) & 7);
                o.append(&data[1..8 - unused]);
                b & 1 != 0
            }
            // Block download: initiate response, acknowledgement, end response.
            (5, Access::Write) if o.block.is_some() => {
                let client_crc = o.client_crc;
                let block = o.block.as_mut().expect("checked in the guard");
                match b & 3 {
                    0 => {
                        block.crc = client_crc && b & 0x04 != 0;
                        block.data_phase = true;
                        false
                    }
                    2 => {
                        acknowledge(o, data[1]);
                        false
                    }
                    1 if block.end.is_some() => true,
                    _ => {
                        let o = self.open.remove(&node).expect("looked up above");
                        events.push(incomplete(o, format!("unexpected server frame {}", hex(data))));
                        return;
                    }
                }
            }
            // Block upload initiate response.
            (6, Access::Read) if o.block.as_ref().is_some_and(|bl| !bl.data_phase) && b & 1 == 0 => {
                let client_crc = o.client_crc;
                o.transfer.announced = (b & 0x02 != 0).then_some(size);
                let block = o.block.as_mut().expect("checked in the guard");
                block.crc = client_crc && b & 0x04 != 0;
                block.data_phase = true;
                false
            }
            _ => {
                let o = self.open.remove(&node).expect("looked up above");
                events.push(incomplete(o, format!("unexpected server frame {}", hex(data))));
                return;
            }
        };
        if done {
            self.complete(node, events);
        }
    }

    /// `node`'s transfer ended as it should: report it, and learn what it says about PDOs.
    fn complete(&mut self, node: u8, events: &mut Vec<Event>) {
        let Some(o) = self.open.remove(&node) else { return };
        let event = finished(o);
        if let Event::Sdo(t) = &event {
            self.learn(t);
        }
        events.push(event);
    }

    /// A completed transfer of a PDO parameter changes the monitor's copy of the node's
    /// dictionary (a write, or a read that tells the value the node has).
    fn learn(&mut self, t: &SdoTransfer) {
        if pdo_of(t.index).is_none() || t.value.data.len() != t.value.size {
            return;
        }
        let Some(known) = self.nodes.get_mut(&t.node) else { return };
        if known.current.store(t.index, t.sub, &t.value.data).unwrap_or(false) {
            self.rebuild_pdos(t.node);
        }
    }
}

/// The receiver acknowledged `ackseq` segments of the sub-block: they are data, the rest will be
/// sent again.
fn acknowledge(o: &mut Open, ackseq: u8) {
    let Some(block) = o.block.as_mut() else { return };
    let pending = std::mem::take(&mut block.pending);
    let mut committed = Vec::with_capacity(pending.len() * 7);
    let mut tail = None;
    for (bytes, last) in pending.into_iter().take(usize::from(ackseq)) {
        if last {
            tail = Some(bytes);
            break;
        }
        committed.extend_from_slice(&bytes);
    }
    if tail.is_some() {
        block.tail = tail;
        block.data_done = true;
    }
    o.append(&committed);
}

fn finished(o: Open) -> Event {
    let Open { mut transfer, block, .. } = o;
    if let Some(block) = block {
        if let (true, Some(crc)) = (block.crc, block.end) {
            let computed = block.digest.finalize();
            if computed != crc {
                transfer.note = Some(format!("CRC 0x{crc:04X}, the data's is 0x{computed:04X}"));
            }
        }
    }
    if let Some(announced) = transfer.announced {
        if announced as usize != transfer.value.size && transfer.note.is_none() {
            transfer.note = Some(format!("{announced} bytes announced"));
        }
    }
    Event::Sdo(Box::new(transfer))
}

fn incomplete(o: Open, reason: String) -> Event {
    let mut transfer = o.transfer;
    transfer.outcome = Outcome::Incomplete { reason };
    Event::Sdo(Box::new(transfer))
}

/// `bits` bits of `data` from bit `at` on, little-endian, as bytes.
fn extract_bits(data: &[u8], at: usize, bits: usize) -> Vec<u8> {
    let mut value = vec![0u8; bits.div_ceil(8)];
    for i in 0..bits {
        let bit = at + i;
        if data.get(bit / 8).is_some_and(|b| b >> (bit % 8) & 1 == 1) {
            value[i / 8] |= 1 << (i % 8);
        }
    }
    value
}

/// An entry's name and type from a dictionary: `Object: entry` for a sub-index of an array or
/// record when `qualified`, the entry's own name otherwise.
fn describe(
    od: Option<&ObjectDictionary>,
    index: u16,
    sub: u8,
    qualified: bool,
) -> (Option<String>, Option<DataType>) {
    let Some(od) = od else { return (None, None) };
    let Some(object) = od.object(index) else { return (None, None) };
    match object.entries.get(&sub) {
        Some(entry) if object.kind == ObjectKind::Var || !qualified => {
            (Some(entry.name.clone()), Some(entry.data_type))
        }
        Some(entry) => (Some(format!("{}: {}", object.name, entry.name)), Some(entry.data_type)),
        None => (Some(object.name.clone()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canopen::eds;

    fn frame(id: u32, data: &[u8]) -> Frame {
        Frame::new_data(id, false, data).unwrap()
    }

    fn device() -> ObjectDictionary {
        let text = include_str!("../../tests/fixtures/canopen/device.eds");
        eds::parse(text, "device.eds", Some(5)).unwrap().dictionary
    }

    fn with_device() -> Monitor {
        Monitor::new(BTreeMap::from([(5, device())]))
    }

    /// Feed frames 1 ms apart; the events' text lines.
    fn lines(monitor: &mut Monitor, frames: &[Frame]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            out.extend(monitor.feed(f, Timestamp(i as i64 * 1_000_000)).iter().map(Event::text));
        }
        out
    }

    /// An SDO exchange: pairs of (client request, server response); `None` for no response.
    fn sdo(pairs: &[(&[u8], Option<&[u8]>)]) -> Vec<Frame> {
        let mut frames = Vec::new();
        for (request, response) in pairs {
            frames.push(frame(0x605, request));
            if let Some(r) = response {
                frames.push(frame(0x585, r));
            }
        }
        frames
    }

    #[test]
    fn network_management_sync_time_emcy_and_error_control_are_named() {
        let mut m = Monitor::new(BTreeMap::new());
        let frames = [
            frame(0x000, &[0x01, 5]),
            frame(0x000, &[0x82, 0]),
            frame(0x080, &[]),
            frame(0x080, &[3]),
            // 2024-03-01 12:00:00.500: 14670 days after 1984-01-01.
            frame(0x100, &[0xF4, 0x2F, 0x93, 0x02, 0x4E, 0x39]),
            frame(0x085, &[0x00, 0x50, 0x01, 0xAA, 0xBB, 0, 0, 0]),
            frame(0x085, &[0x00, 0x00, 0x00, 0, 0, 0, 0, 0]),
            frame(0x705, &[0x00]),
            frame(0x705, &[0x7F]),
            Frame::new_remote(0x705, false, 1).unwrap(),
            frame(0x705, &[0x85]),
            frame(0x705, &[0x05]),
            frame(0x7E5, &[0x04, 0x01, 0, 0, 0, 0, 0, 0]),
            frame(0x7E4, &[0x44, 0, 0, 0, 0, 0, 0, 0]),
            frame(0x123, &[0xDE, 0xAD]),
        ];
        let got = lines(&mut m, &frames);
        let want = [
            "NMT        start node 5",
            "NMT        reset communication all nodes",
            "SYNC",
            "SYNC       counter 3",
            "TIME       2024-03-01 12:00:00.500",
            "EMCY       node 5  0x5000 device hardware  register 0x01  info aa bb 00 00 00",
            "EMCY       node 5  error reset  register 0x00  info 00 00 00 00 00",
            "BOOT-UP    node 5",
            "HEARTBEAT  node 5  pre-operational",
            "GUARD      node 5  request",
            "GUARD      node 5  operational  toggle 1",
            "HEARTBEAT  node 5  operational",
            "LSS        master  switch state global  [01 00 00 00 00 00 00]",
            "LSS        slave  switch state selective: response  [00 00 00 00 00 00 00]",
            "FRAME      123  [2]  de ad",
        ];
        assert_eq!(got, want);
        let json = m
            .feed(&frame(0x000, &[0x80, 0]), Timestamp(1_500_000_000))
            .remove(0)
            .json(Timestamp(1_500_000_000));
        assert_eq!(json, json!({"time": 1.5, "event": "nmt", "command": "preop", "node": 0}));
        let sync = Event::Sync { counter: None };
        assert_eq!(
            sync.json_line(Timestamp(1_500_000_000)),
            r#"{"time":1.500000,"event":"sync","counter":null}"#
        );
        let boot = Event::BootUp { node: 3 };
        assert_eq!(boot.json_line(Timestamp(-1_000)), r#"{"time":-0.000001,"event":"boot-up","node":3}"#);
    }

    #[test]
    fn expedited_transfers_show_numbers_without_a_dictionary_and_names_and_types_with_one() {
        let exchange = sdo(&[
            (&[0x40, 0x18, 0x10, 0x01, 0, 0, 0, 0], Some(&[0x43, 0x18, 0x10, 0x01, 0xA2, 0x01, 0, 0])),
            (&[0x2B, 0x17, 0x10, 0x00, 0xE8, 0x03, 0, 0], Some(&[0x60, 0x17, 0x10, 0x00, 0, 0, 0, 0])),
            (&[0x2B, 0x03, 0x20, 0x00, 0xD6, 0xFF, 0, 0], Some(&[0x60, 0x03, 0x20, 0x00, 0, 0, 0, 0])),
        ]);
        let bare = lines(&mut Monitor::new(BTreeMap::new()), &exchange);
        assert_eq!(
            bare,
            [
                "SDO        node 5  read 1018:01 = 418 (a2 01 00 00)  (4 bytes, expedited)",
                "SDO        node 5  write 1017:00 = 1000 (e8 03)  (2 bytes, expedited)",
                "SDO        node 5  write 2003:00 = 65494 (d6 ff)  (2 bytes, expedited)",
            ]
        );
        let named = lines(&mut with_device(), &exchange);
        assert_eq!(
            named,
            [
                "SDO        node 5  read 1018:01 Identity: Vendor-ID = 418  (4 bytes, expedited)",
                "SDO        node 5  write 1017:00 Producer heartbeat time = 1000  (2 bytes, expedited)",
                "SDO        node 5  write 2003:00 Limited = -42  (2 bytes, expedited)",
            ]
        );
        let mut m = with_device();
        let events: Vec<Event> =
            exchange[..2].iter().flat_map(|f| m.feed(f, Timestamp(2_000_000_000))).collect();
        assert_eq!(
            events[0].json(Timestamp(2_000_000_000)),
            json!({"time": 2.0, "event": "sdo", "node": 5, "access": "read", "index": "0x1018", "sub": 1,
                   "name": "Identity: Vendor-ID", "type": "UNSIGNED32", "mode": "expedited", "size": 4,
                   "started": 2.0, "result": "ok", "value": 418, "raw": "a2 01 00 00"})
        );
    }

    #[test]
    fn segmented_transfers_are_reassembled_in_both_directions() {
        // CiA 301's example: "HELLO WORLD" in two segments, then read back in two.
        let exchange = sdo(&[
            (&[0x21, 0x02, 0x20, 0x00, 0x0B, 0, 0, 0], Some(&[0x60, 0x02, 0x20, 0x00, 0, 0, 0, 0])),
            (&[0x00, b'H', b'E', b'L', b'L', b'O', b' ', b'W'], Some(&[0x20, 0, 0, 0, 0, 0, 0, 0])),
            (&[0x17, b'O', b'R', b'L', b'D', 0, 0, 0], Some(&[0x30, 0, 0, 0, 0, 0, 0, 0])),
            (&[0x40, 0x02, 0x20, 0x00, 0, 0, 0, 0], Some(&[0x41, 0x02, 0x20, 0x00, 0x0B, 0, 0, 0])),
            (&[0x60, 0, 0, 0, 0, 0, 0, 0], Some(&[0x00, b'H', b'E', b'L', b'L', b'O', b' ', b'W'])),
            (&[0x70, 0, 0, 0, 0, 0, 0, 0], Some(&[0x17, b'O', b'R', b'L', b'D', 0, 0, 0])),
        ]);
        assert_eq!(
            lines(&mut with_device(), &exchange),
            [
                "SDO        node 5  write 2002:00 Text = \"HELLO WORLD\"  (11 bytes, segmented)",
                "SDO        node 5  read 2002:00 Text = \"HELLO WORLD\"  (11 bytes, segmented)",
            ]
        );
        assert_eq!(
            lines(&mut Monitor::new(BTreeMap::new()), &exchange)[0],
            "SDO        node 5  write 2002:00 = 48 45 4c 4c 4f 20 57 4f 52 4c 44  (11 bytes, segmented)"
        );
    }

    #[test]
    fn block_download_follows_sub_blocks_resends_and_the_crc() {
        let data: Vec<u8> = (1..=20).collect();
        let crc = BLOCK_CRC.checksum(&data).to_le_bytes();
        let seg = |b0: u8, bytes: &[u8]| {
            let mut f = [0u8; 8];
            f[0] = b0;
            f[1..1 + bytes.len()].copy_from_slice(bytes);
            frame(0x605, &f)
        };
        let frames = vec![
            frame(0x605, &[0xC6, 0x00, 0x20, 0x00, 20, 0, 0, 0]),
            frame(0x585, &[0xA4, 0x00, 0x20, 0x00, 127, 0, 0, 0]),
            seg(0x01, &data[0..7]),
            seg(0x02, &data[7..14]),
            seg(0x83, &data[14..20]),
            // The server missed the third segment: the client sends it again in a new sub-block.
            frame(0x585, &[0xA2, 2, 127, 0, 0, 0, 0, 0]),
            seg(0x81, &data[14..20]),
            frame(0x585, &[0xA2, 1, 127, 0, 0, 0, 0, 0]),
            frame(0x605, &[0xC5, crc[0], crc[1], 0, 0, 0, 0, 0]),
            frame(0x585, &[0xA1, 0, 0, 0, 0, 0, 0, 0]),
        ];
        assert_eq!(
            lines(&mut with_device(), &frames),
            ["SDO        node 5  write 2000:00 Domain = 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14  (20 bytes, block)"]
        );
    }

    #[test]
    fn block_upload_reports_a_crc_that_does_not_match() {
        let frames = vec![
            frame(0x605, &[0xA4, 0x09, 0x20, 0x00, 127, 0, 0, 0]),
            frame(0x585, &[0xC6, 0x09, 0x20, 0x00, 10, 0, 0, 0]),
            frame(0x605, &[0xA3, 0, 0, 0, 0, 0, 0, 0]),
            frame(0x585, &[0x01, 1, 2, 3, 4, 5, 6, 7]),
            frame(0x585, &[0x82, 8, 9, 10, 0, 0, 0, 0]),
            frame(0x605, &[0xA2, 2, 127, 0, 0, 0, 0, 0]),
            frame(0x585, &[0xD1, 0x34, 0x12, 0, 0, 0, 0, 0]),
            frame(0x605, &[0xA1, 0, 0, 0, 0, 0, 0, 0]),
        ];
        let crc = BLOCK_CRC.checksum(&(1..=10).collect::<Vec<u8>>());
        assert_eq!(
            lines(&mut with_device(), &frames),
            [format!(
                "SDO        node 5  read 2009:00 Octets = 01 02 03 04 05 06 07 08 09 0a  (10 bytes, block)  \
                 [CRC 0x1234, the data's is 0x{crc:04X}]"
            )]
        );
    }

    #[test]
    fn aborts_carry_their_meaning_and_who_sent_them() {
        let frames = sdo(&[
            (&[0x40, 0x00, 0x30, 0x00, 0, 0, 0, 0], Some(&[0x80, 0x00, 0x30, 0x00, 0x00, 0x00, 0x02, 0x06])),
            (&[0x21, 0x02, 0x20, 0x00, 0x0B, 0, 0, 0], Some(&[0x60, 0x02, 0x20, 0x00, 0, 0, 0, 0])),
            (&[0x80, 0x02, 0x20, 0x00, 0x00, 0x00, 0x04, 0x05], None),
        ]);
        let mut m = with_device();
        assert_eq!(
            lines(&mut m, &frames),
            [
                "SDO        node 5  read 3000:00  aborted by the server: 0x06020000 (object does not exist in the object dictionary)",
                "SDO        node 5  write 2002:00 Text  aborted by the client: 0x05040000 (SDO protocol timed out)",
            ]
        );
        let json = m
            .feed(&frame(0x585, &[0x80, 0x17, 0x10, 0, 0x02, 0, 0x01, 0x06]), Timestamp(0))
            .remove(0)
            .json(Timestamp(0));
        assert_eq!(json["access"], "unknown");
        assert_eq!(json["result"], "aborted");
        assert_eq!(json["abort"], "0x06010002");
        assert_eq!(json["meaning"], "attempt to write a read-only object");
        assert_eq!(json["by"], "server");
    }

    #[test]
    fn pdos_are_decoded_by_the_mapping_and_a_remap_over_sdo_is_followed() {
        let mut m = with_device();
        // An expedited download of `value` (1 to 4 bytes) and its confirmation.
        let write = |index: u16, sub: u8, value: &[u8]| {
            let [i0, i1] = index.to_le_bytes();
            let mut request = [0x23 | ((4 - value.len() as u8) << 2), i0, i1, sub, 0, 0, 0, 0];
            request[4..4 + value.len()].copy_from_slice(value);
            sdo(&[(&request, Some(&[0x60, i0, i1, sub, 0, 0, 0, 0]))])
        };
        let cob_id = |raw: u32| raw.to_le_bytes();
        assert_eq!(
            lines(&mut m, &[frame(0x185, &[1, 2, 0xFB, 0xFF]), frame(0x205, &[7, 8])]),
            [
                "TPDO1      node 5  Read inputs 1 = 1  Read inputs 2 = 2  Analogue input 1 = -5",
                "RPDO1      node 5  Write outputs 1 = 7  Write outputs 2 = 8",
            ]
        );
        // The master maps the counter 0x2001 into TPDO1, in CiA 301's order.
        let mut frames = Vec::new();
        frames.extend(write(0x1800, 1, &cob_id(0xC000_0185)));
        frames.extend(write(0x1A00, 0, &[0]));
        frames.extend(write(0x1A00, 1, &0x2001_0020u32.to_le_bytes()));
        frames.extend(write(0x1A00, 0, &[1]));
        frames.extend(write(0x1800, 1, &cob_id(0x4000_0185)));
        frames.push(frame(0x185, &[0x78, 0x56, 0x34, 0x12]));
        let got = lines(&mut m, &frames);
        assert_eq!(got.len(), 6, "{got:#?}");
        assert_eq!(got[5], "TPDO1      node 5  Counter = 305419896 (0x12345678)");
        // Disabled, the PDO's frames are named by the pre-defined connection set only.
        let mut disabled = write(0x1800, 1, &cob_id(0xC000_0185));
        disabled.push(frame(0x185, &[1]));
        assert_eq!(lines(&mut m, &disabled)[1], "TPDO1      node 5  [1]  01");
        // A reset of communication brings back the EDS's mapping.
        let got = lines(&mut m, &[frame(0x000, &[0x82, 5]), frame(0x185, &[1, 2, 3, 0])]);
        assert_eq!(got[1], "TPDO1      node 5  Read inputs 1 = 1  Read inputs 2 = 2  Analogue input 1 = 3");
        let json = m.feed(&frame(0x185, &[1, 2, 3, 0]), Timestamp(0)).remove(0).json(Timestamp(0));
        assert_eq!(json["pdo"], "TPDO1");
        assert_eq!(json["cob_id"], "0x185");
        assert_eq!(
            json["values"][2],
            json!({"index": "0x6401", "sub": 1, "name": "Analogue input 1", "value": 3})
        );
    }

    #[test]
    fn without_a_dictionary_pdos_are_named_by_the_predefined_connection_set() {
        let mut m = Monitor::new(BTreeMap::new());
        let got = lines(
            &mut m,
            &[
                frame(0x185, &[1, 2]),
                frame(0x283, &[]),
                frame(0x505, &[0xFF]),
                Frame::new_remote(0x481, false, 8).unwrap(),
            ],
        );
        assert_eq!(
            got,
            [
                "TPDO1      node 5  [2]  01 02",
                "TPDO2      node 3  [0]  ",
                "RPDO4      node 5  [1]  ff",
                "TPDO4      node 1  remote request",
            ]
        );
    }

    #[test]
    fn stale_and_unfinished_transfers_are_reported_and_forgotten_with_bounded_memory() {
        let mut m = Monitor::new(BTreeMap::new());
        // A segmented download that goes on far beyond what is kept, then stops.
        m.feed(&frame(0x605, &[0x20, 0x00, 0x20, 0x00, 0, 0, 0, 0]), Timestamp(0));
        m.feed(&frame(0x585, &[0x60, 0x00, 0x20, 0x00, 0, 0, 0, 0]), Timestamp(0));
        for i in 0..20_000i64 {
            let t = Timestamp(i * 1000);
            assert!(m.feed(&frame(0x605, &[(i as u8 & 1) << 4, 1, 2, 3, 4, 5, 6, 7]), t).is_empty());
        }
        assert!(m.open_bytes() <= MAX_KEPT + 127 * 8, "{}", m.open_bytes());
        let late = m.feed(&frame(0x080, &[]), Timestamp(10_000_000_000));
        assert_eq!(late.len(), 2);
        assert_eq!(
            late[0].text(),
            "SDO        node 5  write 2000:00  incomplete (no frame for 5s) after 140000 bytes, segmented"
        );
        assert_eq!(m.open_bytes(), 0);
        // The input ends during a read.
        m.feed(&frame(0x607, &[0x40, 0x00, 0x10, 0x00, 0, 0, 0, 0]), Timestamp(10_000_000_001));
        let end = m.finish(Timestamp(10_000_000_002));
        assert_eq!(
            end[0].text(),
            "SDO        node 7  read 1000:00  incomplete (the input ended) after 0 bytes"
        );
        // Answers without a question are shown as they are.
        assert_eq!(
            m.feed(&frame(0x585, &[0x60, 0, 0, 0, 0, 0, 0, 0]), Timestamp(0))[0].text(),
            "SDO        node 5  server frame outside a transfer  60 00 00 00 00 00 00 00"
        );
    }

    #[test]
    fn arbitrary_frame_sequences_never_panic() {
        // A small deterministic generator; the fuzz target goes much further.
        let mut state = 0x1234_5678_9ABC_DEF0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut m = with_device();
        for i in 0..50_000i64 {
            let r = next();
            let id =
                [0x000, 0x080, 0x085, 0x100, 0x185, 0x205, 0x585, 0x605, 0x705, 0x7E5][(r % 10) as usize];
            let mut data = (next()).to_le_bytes();
            if r & 0x300 == 0 {
                data[0] = [0x80, 0xA1, 0xA2, 0xA3, 0xC1, 0x41, 0x60, 0x00][(r >> 12) as usize % 8];
            }
            let len = if id == 0x585 || id == 0x605 { 8 } else { (r >> 20) as usize % 9 };
            for e in m.feed(&frame(id, &data[..len]), Timestamp(i * 1_000_000 - (r as i64 % 3) * 1_000_000)) {
                let _ = (e.text(), e.json(Timestamp(0)));
            }
        }
        assert!(m.open_bytes() <= 127 * (MAX_KEPT + 127 * 8));
    }
}
