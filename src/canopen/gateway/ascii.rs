//! CiA 309-3's ASCII mapping as CANopenNode's gateway (`canopend -c …`) speaks it, so `cocomm`
//! and the scripts written for it work unchanged: the command grammar, the value syntax of each
//! data type, and the exact replies.
//!
//! ```text
//! [<seq>] [[<net>] <node>] r[ead] <index> <sub> [<type>]      SDO upload
//! [<seq>] [[<net>] <node>] w[rite] <index> <sub> <type> <value>
//! [<seq>] [[<net>] <node>] start | stop | preop[erational] | reset node | reset comm[unication]
//! [<seq>] [<net>] set network|node|sdo_timeout|sdo_block <value>
//! [<seq>] help [datatype|lss] | log
//! ```
//!
//! Replies: `[<seq>] OK`, `[<seq>] <value>`, `[<seq>] ERROR:<code> #<description>`, each ended by
//! CR LF. Numbers are C's `strtoul` numbers (`0x1017`, `4119`, `010` is octal); commands and types
//! are case-insensitive; `#` starts a comment; CR before LF is optional. Where CANopenNode's
//! parser has quirks that scripts can see, this one has them too: a syntax error in the sequence
//! token is answered with the previous command's sequence, a token of 20 characters or more is a
//! syntax error, values that do not have the type's size are printed as hex bytes, `vs` values
//! are always printed quoted, and an empty `vs` cannot be written.
//!
//! This module is pure: [`parse`] turns a line into a [`Command`] or a reply, [`AsciiType`]
//! scans and prints values. The gateway ([`super`]) executes commands on a bus.

/// The gateway's error codes (CiA 309-3), with CANopenNode's descriptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayError {
    RequestNotSupported = 100,
    Syntax = 101,
    InternalState = 102,
    TimeOut = 103,
    NoDefaultNet = 104,
    NoDefaultNode = 105,
    UnsupportedNet = 106,
    UnsupportedNode = 107,
    OutOfMemory = 600,
}

impl GatewayError {
    pub fn code(self) -> u32 {
        self as u32
    }

    pub fn description(self) -> &'static str {
        match self {
            GatewayError::RequestNotSupported => "Request not supported.",
            GatewayError::Syntax => "Syntax error.",
            GatewayError::InternalState => "Request not processed due to internal state.",
            GatewayError::TimeOut => "Time-out.",
            GatewayError::NoDefaultNet => "No default net set.",
            GatewayError::NoDefaultNode => "No default node set.",
            GatewayError::UnsupportedNet => "Unsupported net.",
            GatewayError::UnsupportedNode => "Unsupported node.",
            GatewayError::OutOfMemory => "Running out of memory.",
        }
    }
}

/// The description CANopenNode's gateway gives an SDO abort code ("-" for codes it does not
/// list).
pub fn abort_description(code: u32) -> &'static str {
    match code {
        0x0000_0000 => "No abort.",
        0x0503_0000 => "Toggle bit not altered.",
        0x0504_0000 => "SDO protocol timed out.",
        0x0504_0001 => "Command specifier not valid or unknown.",
        0x0504_0002 => "Invalid block size in block mode.",
        0x0504_0003 => "Invalid sequence number in block mode.",
        0x0504_0004 => "CRC error (block mode only).",
        0x0504_0005 => "Out of memory.",
        0x0601_0000 => "Unsupported access to an object.",
        0x0601_0001 => "Attempt to read a write only object.",
        0x0601_0002 => "Attempt to write a read only object.",
        0x0602_0000 => "Object does not exist.",
        0x0604_0041 => "Object cannot be mapped to the PDO.",
        0x0604_0042 => "Number and length of object to be mapped exceeds PDO length.",
        0x0604_0043 => "General parameter incompatibility reasons.",
        0x0604_0047 => "General internal incompatibility in device.",
        0x0606_0000 => "Access failed due to hardware error.",
        0x0607_0010 => "Data type does not match, length of service parameter does not match.",
        0x0607_0012 => "Data type does not match, length of service parameter too high.",
        0x0607_0013 => "Data type does not match, length of service parameter too short.",
        0x0609_0011 => "Sub index does not exist.",
        0x0609_0030 => "Invalid value for parameter (download only).",
        0x0609_0031 => "Value range of parameter written too high.",
        0x0609_0032 => "Value range of parameter written too low.",
        0x0609_0036 => "Maximum value is less than minimum value.",
        0x060A_0023 => "Resource not available: SDO connection.",
        0x0800_0000 => "General error.",
        0x0800_0020 => "Data cannot be transferred or stored to application.",
        0x0800_0021 => "Data cannot be transferred or stored to application because of local control.",
        0x0800_0022 => "Data cannot be transferred or stored to application because of present device state.",
        0x0800_0023 => "Object dictionary not present or dynamic generation fails.",
        0x0800_0024 => "No data available.",
        _ => "-",
    }
}

// CANopenNode prints the sequence number as a signed 32-bit number: [4294967295] is [-1].

/// `[seq] OK`
pub fn ok(seq: u32) -> String {
    format!("[{}] OK\r\n", seq as i32)
}

/// `[seq] ERROR:101 #Syntax error.`
pub fn error(seq: u32, e: GatewayError) -> String {
    format!("[{}] ERROR:{} #{}\r\n", seq as i32, e.code(), e.description())
}

/// `[seq] ERROR:0x06090031 #Value range of parameter written too high.`
pub fn abort(seq: u32, code: u32) -> String {
    format!("[{}] ERROR:0x{code:08X} #{}\r\n", seq as i32, abort_description(code))
}

/// `[seq] <value>` (a `vs` value's bytes go out as they are).
pub fn value(seq: u32, text: &[u8]) -> Vec<u8> {
    let mut out = format!("[{}] ", seq as i32).into_bytes();
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
    out
}

/// What a line asks for, once parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Read {
        node: u8,
        index: u16,
        sub: u8,
        data_type: AsciiType,
    },
    Write {
        node: u8,
        index: u16,
        sub: u8,
        data_type: AsciiType,
        data: Vec<u8>,
    },
    /// NMT command specifier (0x01 start, 0x02 stop, 0x80 pre-operational, 0x81 reset node,
    /// 0x82 reset communication) to `node` (0: all).
    Nmt {
        node: u8,
        command: u8,
    },
    SetNetwork(u16),
    SetNode(u8),
    SetSdoTimeout(u16),
    SetSdoBlock(bool),
    Help(Help),
    Log,
    /// LSS and `led`: recognised, answered "request not supported".
    Unsupported,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Help {
    Commands,
    Datatypes,
    Lss,
}

/// A parsed line.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// An empty line or a comment: answered with an empty line.
    Empty,
    Command {
        seq: u32,
        command: Command,
    },
    /// An error reply for `seq` (the line's, or the previous command's when the sequence token
    /// itself is broken).
    Error {
        seq: u32,
        error: GatewayError,
    },
}

/// A client's defaults: what `set` changes and commands without a node use.
#[derive(Clone, Debug)]
pub struct Session {
    /// The last sequence number parsed (CANopenNode answers a broken sequence with it).
    pub sequence: u32,
    pub net: Option<u16>,
    pub node: Option<u8>,
    /// SDO time-out in milliseconds (CANopenNode's default: 500).
    pub sdo_timeout_ms: u16,
    pub sdo_block: bool,
}

impl Default for Session {
    fn default() -> Session {
        Session { sequence: 0, net: None, node: None, sdo_timeout_ms: 500, sdo_block: false }
    }
}

/// The longest token CANopenNode's parser takes, minus one: a token of this many characters or
/// more is a syntax error.
const TOKEN_LIMIT: usize = 20;

fn is_graph(c: u8) -> bool {
    (0x21..=0x7E).contains(&c)
}

/// A cursor over one command line (without its LF). The end of the line acts as the command
/// delimiter.
struct Cursor<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// The next token (`None` when only blanks and a comment remain). A `#` ends the token and
    /// the line.
    fn token(&mut self) -> Option<&'a [u8]> {
        while self.pos < self.line.len() && !is_graph(self.line[self.pos]) {
            self.pos += 1;
        }
        if self.pos >= self.line.len() || self.line[self.pos] == b'#' {
            self.pos = self.line.len();
            return None;
        }
        let start = self.pos;
        while self.pos < self.line.len() && is_graph(self.line[self.pos]) && self.line[self.pos] != b'#' {
            self.pos += 1;
        }
        Some(&self.line[start..self.pos])
    }

    /// True when only blanks and a comment remain.
    fn closed(&self) -> bool {
        let mut i = self.pos;
        while i < self.line.len() && !is_graph(self.line[i]) {
            i += 1;
        }
        i >= self.line.len() || self.line[i] == b'#'
    }

    /// A token that must be followed by more (CANopenNode's `closed = 0`).
    fn open_token(&mut self, limit: usize) -> Result<&'a [u8], GatewayError> {
        match self.token() {
            Some(t) if t.len() < limit && !self.closed() => Ok(t),
            _ => Err(GatewayError::Syntax),
        }
    }

    /// The line's last token (CANopenNode's `closed = 1`).
    fn last_token(&mut self, limit: usize) -> Result<&'a [u8], GatewayError> {
        match self.token() {
            Some(t) if t.len() < limit && self.closed() => Ok(t),
            _ => Err(GatewayError::Syntax),
        }
    }

    fn rest(&self) -> &'a [u8] {
        &self.line[self.pos..]
    }
}

/// C's `strtoul(s, &end, 0)` on a whole token: `None` unless every character is used. An
/// optional sign, then `0x` hex, `0` octal or decimal; overflow saturates, a minus negates
/// modulo 2^64, as C does.
pub fn strtoul(s: &[u8]) -> Option<u64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if digits.len() > 2 && (digits.starts_with(b"0x") || digits.starts_with(b"0X")) {
        (16, &digits[2..])
    } else if digits.len() > 1 && digits[0] == b'0' {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &c in digits {
        let d = char::from(c).to_digit(radix)?;
        match value.checked_mul(u64::from(radix)).and_then(|v| v.checked_add(u64::from(d))) {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if overflow {
        return Some(u64::MAX);
    }
    Some(if negative { value.wrapping_neg() } else { value })
}

/// C's `strtol`/`strtoll` on a whole token (saturating at the i64 range).
fn strtol(s: &[u8]) -> Option<i64> {
    let (negative, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest.first().is_some_and(|c| *c == b'-' || *c == b'+') {
        return None;
    }
    let magnitude = strtoul(rest)?;
    Some(match (negative, i64::try_from(magnitude)) {
        (false, Ok(v)) => v,
        (false, Err(_)) => i64::MAX,
        (true, _) if magnitude > 1u64 << 63 => i64::MIN,
        (true, _) => 0i64.wrapping_sub_unsigned(magnitude),
    })
}

/// CANopenNode's `getU32`: `strtoul` cut to 32 bits, then range-checked.
fn get_u32(token: &[u8], min: u32, max: u32) -> Result<u32, GatewayError> {
    let value = strtoul(token).ok_or(GatewayError::Syntax)? as u32;
    if value < min || value > max {
        return Err(GatewayError::Syntax);
    }
    Ok(value)
}

/// Parse one command line (the bytes before LF; a CR is a blank). `session` gives the defaults
/// and keeps the sequence number.
pub fn parse(line: &[u8], session: &mut Session) -> Parsed {
    let mut cursor = Cursor { line, pos: 0 };
    let Some(first) = cursor.token() else { return Parsed::Empty };
    // The sequence token: "[<u32>]", followed by a command.
    if cursor.closed() || first.len() >= TOKEN_LIMIT || first.len() < 2 || first[0] != b'[' {
        return Parsed::Error { seq: session.sequence, error: GatewayError::Syntax };
    }
    if first[first.len() - 1] != b']' {
        return Parsed::Error { seq: session.sequence, error: GatewayError::Syntax };
    }
    let inner = &first[1..first.len() - 1];
    // CANopenNode stores the number before it checks it: "[12x]" answers with 12.
    session.sequence = strtoul_prefix(inner) as u32;
    if strtoul(inner).is_none() {
        return Parsed::Error { seq: session.sequence, error: GatewayError::Syntax };
    }
    let seq = session.sequence;
    match command(&mut cursor, session) {
        Ok(command) => Parsed::Command { seq, command },
        Err(error) => Parsed::Error { seq, error },
    }
}

/// The value `strtoul` returns for a token's longest number prefix (0 when there is none).
fn strtoul_prefix(s: &[u8]) -> u64 {
    (1..=s.len()).rev().find_map(|n| strtoul(&s[..n])).unwrap_or(0)
}

fn command(cursor: &mut Cursor, session: &mut Session) -> Result<Command, GatewayError> {
    // Up to two numbers (<net> <node>, or <node>), then the command word.
    let mut numbers = Vec::with_capacity(2);
    let word = loop {
        let token = cursor.token().ok_or(GatewayError::Syntax)?;
        if token.len() >= TOKEN_LIMIT {
            return Err(GatewayError::Syntax);
        }
        if !token[0].is_ascii_digit() {
            break token.to_ascii_lowercase();
        }
        if cursor.closed() || numbers.len() == 2 {
            return Err(GatewayError::Syntax);
        }
        numbers.push(get_u32(token, 0, u32::MAX)?);
    };
    let mut node = session.node.map(i16::from).unwrap_or(-1);
    match numbers[..] {
        [n] if n > 127 => return Err(GatewayError::UnsupportedNode),
        [n] => node = n as i16,
        [net, _] if net > 0xFFFF => return Err(GatewayError::UnsupportedNet),
        [_, n] if n > 127 => return Err(GatewayError::UnsupportedNode),
        [_, n] => node = n as i16,
        _ => {}
    }
    // One network: CANopenNode (without multi-net) accepts any net number.
    let target = |min: i16| -> Result<u8, GatewayError> {
        if node == -1 {
            Err(GatewayError::NoDefaultNode)
        } else if node < min || node > 127 {
            Err(GatewayError::UnsupportedNode)
        } else {
            Ok(node as u8)
        }
    };
    let closed = cursor.closed();
    match &word[..] {
        b"set" => {
            if closed {
                return Err(GatewayError::Syntax);
            }
            let what = cursor.token().unwrap_or_default().to_ascii_lowercase();
            if what.len() >= TOKEN_LIMIT {
                return Err(GatewayError::Syntax);
            }
            let last = |cursor: &mut Cursor, min, max| -> Result<u32, GatewayError> {
                if cursor.closed() {
                    return Err(GatewayError::Syntax);
                }
                get_u32(cursor.last_token(TOKEN_LIMIT)?, min, max)
            };
            match &what[..] {
                b"network" => Ok(Command::SetNetwork(last(cursor, 0, 0xFFFF)? as u16)),
                b"node" => Ok(Command::SetNode(last(cursor, 1, 127)? as u8)),
                b"sdo_timeout" => Ok(Command::SetSdoTimeout(last(cursor, 1, 0xFFFF)? as u16)),
                b"sdo_block" => Ok(Command::SetSdoBlock(last(cursor, 0, 1)? == 1)),
                _ => Err(GatewayError::RequestNotSupported),
            }
        }
        b"r" | b"read" => {
            let node = target(1)?;
            if closed {
                return Err(GatewayError::Syntax);
            }
            let index = get_u32(cursor.open_token(TOKEN_LIMIT)?, 0, 0xFFFF)? as u16;
            let sub_token = cursor.token().ok_or(GatewayError::Syntax)?;
            if sub_token.len() >= TOKEN_LIMIT {
                return Err(GatewayError::Syntax);
            }
            let sub = get_u32(sub_token, 0, 0xFF)? as u8;
            let data_type = if cursor.closed() {
                AsciiType::Hex
            } else {
                AsciiType::from_name(&cursor.last_token(TOKEN_LIMIT)?.to_ascii_lowercase())
                    .ok_or(GatewayError::Syntax)?
            };
            Ok(Command::Read { node, index, sub, data_type })
        }
        b"w" | b"write" => {
            let node = target(1)?;
            if closed {
                return Err(GatewayError::Syntax);
            }
            let index = get_u32(cursor.open_token(TOKEN_LIMIT)?, 0, 0xFFFF)? as u16;
            let sub = get_u32(cursor.open_token(TOKEN_LIMIT)?, 0, 0xFF)? as u8;
            let data_type = AsciiType::from_name(&cursor.open_token(TOKEN_LIMIT)?.to_ascii_lowercase())
                .ok_or(GatewayError::Syntax)?;
            let data = data_type.scan(cursor.rest())?;
            Ok(Command::Write { node, index, sub, data_type, data })
        }
        b"start" | b"stop" | b"preop" | b"preoperational" => {
            let node = target(0)?;
            if !closed {
                return Err(GatewayError::Syntax);
            }
            let command = match &word[..] {
                b"start" => 0x01,
                b"stop" => 0x02,
                _ => 0x80,
            };
            Ok(Command::Nmt { node, command })
        }
        b"reset" => {
            let node = target(0)?;
            if closed {
                return Err(GatewayError::Syntax);
            }
            let command = match &cursor.last_token(TOKEN_LIMIT)?.to_ascii_lowercase()[..] {
                b"node" => 0x81,
                b"comm" | b"communication" => 0x82,
                _ => return Err(GatewayError::Syntax),
            };
            Ok(Command::Nmt { node, command })
        }
        b"help" => {
            if closed {
                return Ok(Command::Help(Help::Commands));
            }
            match &cursor.last_token(TOKEN_LIMIT)?.to_ascii_lowercase()[..] {
                b"datatype" => Ok(Command::Help(Help::Datatypes)),
                b"lss" => Ok(Command::Help(Help::Lss)),
                _ => Err(GatewayError::Syntax),
            }
        }
        b"log" if closed => Ok(Command::Log),
        b"log" => Err(GatewayError::Syntax),
        b"led"
        | b"lss_switch_glob"
        | b"lss_switch_sel"
        | b"lss_set_node"
        | b"lss_conf_bitrate"
        | b"lss_activate_bitrate"
        | b"lss_store"
        | b"lss_inquire_addr"
        | b"lss_get_node"
        | b"_lss_fastscan"
        | b"lss_allnodes" => Ok(Command::Unsupported),
        _ => Err(GatewayError::RequestNotSupported),
    }
}

/// CiA 309-3's data types (and CANopenNode's `x8`…`x64` and `hex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsciiType {
    Hex,
    B,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    X8,
    X16,
    X32,
    X64,
    R32,
    R64,
    Vs,
    Os,
    Us,
    D,
}

impl AsciiType {
    pub const ALL: [AsciiType; 20] = [
        AsciiType::Hex,
        AsciiType::B,
        AsciiType::I8,
        AsciiType::I16,
        AsciiType::I32,
        AsciiType::I64,
        AsciiType::U8,
        AsciiType::U16,
        AsciiType::U32,
        AsciiType::U64,
        AsciiType::X8,
        AsciiType::X16,
        AsciiType::X32,
        AsciiType::X64,
        AsciiType::R32,
        AsciiType::R64,
        AsciiType::Vs,
        AsciiType::Os,
        AsciiType::Us,
        AsciiType::D,
    ];

    /// The type's name in commands (lower case).
    pub fn name(self) -> &'static str {
        match self {
            AsciiType::Hex => "hex",
            AsciiType::B => "b",
            AsciiType::I8 => "i8",
            AsciiType::I16 => "i16",
            AsciiType::I32 => "i32",
            AsciiType::I64 => "i64",
            AsciiType::U8 => "u8",
            AsciiType::U16 => "u16",
            AsciiType::U32 => "u32",
            AsciiType::U64 => "u64",
            AsciiType::X8 => "x8",
            AsciiType::X16 => "x16",
            AsciiType::X32 => "x32",
            AsciiType::X64 => "x64",
            AsciiType::R32 => "r32",
            AsciiType::R64 => "r64",
            AsciiType::Vs => "vs",
            AsciiType::Os => "os",
            AsciiType::Us => "us",
            AsciiType::D => "d",
        }
    }

    pub fn from_name(name: &[u8]) -> Option<AsciiType> {
        AsciiType::ALL.into_iter().find(|t| t.name().as_bytes() == name)
    }

    /// The value's size in bytes, for fixed-size types.
    pub fn size(self) -> Option<usize> {
        match self {
            AsciiType::B | AsciiType::I8 | AsciiType::U8 | AsciiType::X8 => Some(1),
            AsciiType::I16 | AsciiType::U16 | AsciiType::X16 => Some(2),
            AsciiType::I32 | AsciiType::U32 | AsciiType::X32 | AsciiType::R32 => Some(4),
            AsciiType::I64 | AsciiType::U64 | AsciiType::X64 | AsciiType::R64 => Some(8),
            _ => None,
        }
    }

    /// The value a write command gives (everything after the type token), as bytes.
    pub fn scan(self, rest: &[u8]) -> Result<Vec<u8>, GatewayError> {
        let data = match self {
            AsciiType::Hex => scan_hex(rest)?,
            AsciiType::Vs => scan_vs(rest)?,
            AsciiType::Os | AsciiType::Us | AsciiType::D => scan_base64(rest)?,
            _ => {
                let mut cursor = Cursor { line: rest, pos: 0 };
                let limit = match self {
                    AsciiType::U64 | AsciiType::I64 | AsciiType::X64 => 25,
                    AsciiType::R32 => 30,
                    AsciiType::R64 => 40,
                    _ => 15,
                };
                let token = cursor.last_token(limit)?;
                self.scan_number(token).ok_or(GatewayError::Syntax)?
            }
        };
        if data.is_empty() {
            return Err(GatewayError::Syntax);
        }
        Ok(data)
    }

    fn scan_number(self, token: &[u8]) -> Option<Vec<u8>> {
        // As CANopenNode: strtoul/strtol results cut to 32 bits for the 8-, 16- and 32-bit
        // types; 8- and 16-bit values are range-checked, 32-bit ones wrap.
        Some(match self {
            AsciiType::B | AsciiType::U8 | AsciiType::X8 => {
                vec![u8::try_from(strtoul(token)? as u32).ok()?]
            }
            AsciiType::U16 | AsciiType::X16 => {
                u16::try_from(strtoul(token)? as u32).ok()?.to_le_bytes().to_vec()
            }
            AsciiType::U32 | AsciiType::X32 => (strtoul(token)? as u32).to_le_bytes().to_vec(),
            AsciiType::U64 | AsciiType::X64 => strtoul(token)?.to_le_bytes().to_vec(),
            AsciiType::I8 => vec![i8::try_from(strtol(token)? as i32).ok()? as u8],
            AsciiType::I16 => i16::try_from(strtol(token)? as i32).ok()?.to_le_bytes().to_vec(),
            AsciiType::I32 => (strtol(token)? as i32).to_le_bytes().to_vec(),
            AsciiType::I64 => strtol(token)?.to_le_bytes().to_vec(),
            AsciiType::R32 => std::str::from_utf8(token).ok()?.parse::<f32>().ok()?.to_le_bytes().to_vec(),
            AsciiType::R64 => std::str::from_utf8(token).ok()?.parse::<f64>().ok()?.to_le_bytes().to_vec(),
            _ => return None,
        })
    }

    /// A value as a read reply prints it. A value whose length is not the type's size is
    /// printed as hex bytes, as CANopenNode does. Only `vs` can give bytes that are not ASCII:
    /// they are passed on as they are.
    pub fn print(self, data: &[u8]) -> Vec<u8> {
        if let Some(size) = self.size() {
            if data.len() != size {
                return print_hex(data).into_bytes();
            }
        }
        let unsigned = crate::canopen::types::le_unsigned(data);
        let text = match self {
            AsciiType::Hex => print_hex(data),
            AsciiType::B | AsciiType::U8 | AsciiType::U16 | AsciiType::U32 | AsciiType::U64 => {
                unsigned.to_string()
            }
            AsciiType::I8 => (data[0] as i8).to_string(),
            AsciiType::I16 => (unsigned as u16 as i16).to_string(),
            AsciiType::I32 => (unsigned as u32 as i32).to_string(),
            AsciiType::I64 => (unsigned as i64).to_string(),
            AsciiType::X8 => format!("0x{unsigned:02X}"),
            AsciiType::X16 => format!("0x{unsigned:04X}"),
            AsciiType::X32 => format!("0x{unsigned:08X}"),
            AsciiType::X64 => format!("0x{unsigned:016X}"),
            AsciiType::R32 => format_g(f64::from(f32::from_bits(unsigned as u32))),
            AsciiType::R64 => format_g(f64::from_bits(unsigned)),
            AsciiType::Vs => {
                // Always quoted; NUL and CR left out; a quote doubled.
                let mut out = Vec::with_capacity(data.len() + 2);
                out.push(b'"');
                for &c in data {
                    if c == 0 || c == b'\r' {
                        continue;
                    }
                    out.push(c);
                    if c == b'"' {
                        out.push(b'"');
                    }
                }
                out.push(b'"');
                return out;
            }
            AsciiType::Os | AsciiType::Us | AsciiType::D => base64_encode(data),
        };
        text.into_bytes()
    }
}

/// `XX XX XX` (upper-case hex, space-separated, as CANopenNode prints bytes).
pub fn print_hex(data: &[u8]) -> String {
    crate::canopen::types::hex(data).to_ascii_uppercase()
}

/// C's `printf("%g")`: six significant digits, trailing zeros removed, scientific notation
/// below 1e-4 and from 1e6.
pub fn format_g(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    const P: i32 = 6;
    let scientific = format!("{:.*e}", (P - 1) as usize, v);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..P).contains(&exponent) {
        let mantissa = trim_zeros(mantissa);
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        let decimals = (P - 1 - exponent).max(0) as usize;
        trim_zeros(&format!("{v:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Blanks (anything that is not a printable ASCII character) from `i`.
fn skip_blanks(rest: &[u8], mut i: usize) -> usize {
    while i < rest.len() && !is_graph(rest[i]) {
        i += 1;
    }
    i
}

/// After a value: only blanks and a comment may follow.
fn only_comment_after(rest: &[u8], i: usize) -> Result<(), GatewayError> {
    let i = skip_blanks(rest, i);
    if i >= rest.len() || rest[i] == b'#' {
        Ok(())
    } else {
        Err(GatewayError::Syntax)
    }
}

/// `hex`: hex digit pairs, optionally separated by blanks (a lone digit before a blank is one
/// byte); `#` starts a comment.
fn scan_hex(rest: &[u8]) -> Result<Vec<u8>, GatewayError> {
    let start = skip_blanks(rest, 0);
    if start >= rest.len() || rest[start] == b'#' {
        return Err(GatewayError::Syntax);
    }
    let mut out = Vec::with_capacity((rest.len() - start) / 2);
    let mut pending: Option<u8> = None;
    for &c in &rest[start..] {
        if let Some(d) = char::from(c).to_digit(16) {
            match pending.take() {
                Some(high) => out.push(high << 4 | d as u8),
                None => pending = Some(d as u8),
            }
        } else if c == b'#' {
            // CANopenNode drops a lone digit before a comment.
            return Ok(out);
        } else if is_graph(c) {
            return Err(GatewayError::Syntax);
        } else if let Some(low) = pending.take() {
            out.push(low);
        }
    }
    if let Some(low) = pending {
        out.push(low);
    }
    Ok(out)
}

/// `vs`: one word, or a quoted string in which `""` is a quote (and `#` is a character).
fn scan_vs(rest: &[u8]) -> Result<Vec<u8>, GatewayError> {
    let start = skip_blanks(rest, 0);
    if start >= rest.len() || rest[start] == b'#' {
        return Err(GatewayError::Syntax);
    }
    let mut out = Vec::new();
    let mut i = start;
    if rest[i] == b'"' {
        i += 1;
        loop {
            match rest.get(i) {
                None => return Err(GatewayError::Syntax),
                Some(b'"') if rest.get(i + 1) == Some(&b'"') => {
                    out.push(b'"');
                    i += 2;
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(&c) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        if rest.get(i).is_some_and(|c| is_graph(*c)) {
            return Err(GatewayError::Syntax);
        }
    } else {
        while let Some(&c) = rest.get(i) {
            if !is_graph(c) {
                break;
            }
            if c == b'"' {
                if rest.get(i + 1) != Some(&b'"') {
                    return Err(GatewayError::Syntax);
                }
                i += 1;
            }
            out.push(c);
            i += 1;
        }
    }
    only_comment_after(rest, i)?;
    Ok(out)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// MIME base64 on one line, with padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let word = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(word >> (18 - 6 * i) & 0x3F) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 as CANopenNode reads it: up to `=` or a blank; padding optional; leftover bits
/// dropped; then only blanks, `=` and a comment.
fn scan_base64(rest: &[u8]) -> Result<Vec<u8>, GatewayError> {
    let start = skip_blanks(rest, 0);
    if start >= rest.len() || rest[start] == b'#' {
        return Err(GatewayError::Syntax);
    }
    let mut out = Vec::with_capacity((rest.len() - start) / 4 * 3 + 3);
    let mut word: u32 = 0;
    let mut step = 0;
    let mut i = start;
    while let Some(&c) = rest.get(i) {
        if c == b'=' || !is_graph(c) {
            break;
        }
        let code = BASE64.iter().position(|&e| e == c).ok_or(GatewayError::Syntax)? as u32;
        word = word << 6 | code;
        step += 1;
        if step == 4 {
            out.extend_from_slice(&[(word >> 16) as u8, (word >> 8) as u8, word as u8]);
            word = 0;
            step = 0;
        }
        i += 1;
    }
    match step {
        2 => out.push((word >> 4) as u8),
        3 => out.extend_from_slice(&[(word >> 10) as u8, (word >> 2) as u8]),
        _ => {}
    }
    while rest.get(i).is_some_and(|c| *c == b'=' || !is_graph(*c)) {
        i += 1;
    }
    only_comment_after(rest, i)?;
    Ok(out)
}

/// The help texts (`help`, `help datatype`, `help lss`).
pub fn help(which: Help) -> &'static str {
    match which {
        Help::Commands => HELP,
        Help::Datatypes => HELP_DATATYPES,
        Help::Lss => HELP_LSS,
    }
}

const HELP: &str = "\n\
Command strings start with '\"[\"<sequence>\"]\"' followed by:\n\
[[<net>] <node>] r[ead] <index> <subindex> [<datatype>]        # SDO upload.\n\
[[<net>] <node>] w[rite] <index> <subindex> <datatype> <value> # SDO download.\n\
\n\
[[<net>] <node>] start                   # NMT Start node.\n\
[[<net>] <node>] stop                    # NMT Stop node.\n\
[[<net>] <node>] preop[erational]        # NMT Set node to pre-operational.\n\
[[<net>] <node>] reset node              # NMT Reset node.\n\
[[<net>] <node>] reset comm[unication]   # NMT Reset communication.\n\
\n\
[<net>] set network <value>              # Set default net.\n\
[<net>] set node <value>                 # Set default node.\n\
[<net>] set sdo_timeout <value>          # Configure SDO client time-out in ms.\n\
[<net>] set sdo_block <0|1>              # Enable/disable SDO block transfer.\n\
\n\
help [datatype|lss]                      # Print this or datatype or lss help.\n\
log                                      # Print the log: EMCY and NMT changes seen.\n\
\n\
Response:\n\
\"[\"<sequence>\"]\" OK | <value> |\n\
                 ERROR:<SDO-abort-code> | ERROR:<internal-error-code>\n\
\n\
* Every command ends with <LF> ('\\n'); <CR> before it is optional. Responses\n\
  end with <CR><LF>.\n\
* Comments start with '#', at the beginning of a line or after the command.\n\
* 'sdo_timeout' is in milliseconds, 500 by default. Block transfer is\n\
  disabled by default.\n\
* Without '<net>' or '<node>', the values of 'set network' and 'set node'\n\
  are used. cankit has one network: any <net> number addresses it.\r\n";

const HELP_DATATYPES: &str = "\n\
Datatypes:\n\
b                  # Boolean.\n\
i8, i16, i32, i64  # Signed integers.\n\
u8, u16, u32, u64  # Unsigned integers.\n\
x8, x16, x32, x64  # Unsigned integers, displayed as hexadecimal, non-standard.\n\
r32, r64           # Real numbers.\n\
vs                 # Visible string (between double quotes if multi-word).\n\
os, us             # Octet, unicode string, (mime-base64 (RFC2045) based, line).\n\
d                  # domain (mime-base64 (RFC2045) based, one line).\n\
hex                # Hexadecimal data, optionally space separated, non-standard.\r\n";

const HELP_LSS: &str = "\n\
LSS (CiA 305) is not supported by this gateway: every lss_* command is\n\
answered with ERROR:100.\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str, session: &mut Session) -> Parsed {
        parse(line.as_bytes(), session)
    }

    fn cmd(line: &str) -> Result<Command, (u32, GatewayError)> {
        let mut session = Session { node: Some(4), ..Session::default() };
        match parsed(line, &mut session) {
            Parsed::Command { command, .. } => Ok(command),
            Parsed::Error { seq, error } => Err((seq, error)),
            Parsed::Empty => panic!("empty"),
        }
    }

    #[test]
    fn reads_and_writes() {
        assert_eq!(
            cmd("[1] 5 read 0x1017 0 u16"),
            Ok(Command::Read { node: 5, index: 0x1017, sub: 0, data_type: AsciiType::U16 })
        );
        assert_eq!(
            cmd("[1] r 0x1018 1"),
            Ok(Command::Read { node: 4, index: 0x1018, sub: 1, data_type: AsciiType::Hex })
        );
        assert_eq!(
            cmd("[2] 1 5 R 4119 00 U16 # comment\r"),
            Ok(Command::Read { node: 5, index: 0x1017, sub: 0, data_type: AsciiType::U16 })
        );
        assert_eq!(
            cmd("[3] 5 w 0x1017 0 u16 1000"),
            Ok(Command::Write {
                node: 5,
                index: 0x1017,
                sub: 0,
                data_type: AsciiType::U16,
                data: vec![0xE8, 0x03]
            })
        );
        assert_eq!(
            cmd("[3] 5 w 0x2002 0 vs \"a \"\"quoted\"\" #word\"  # c"),
            Ok(Command::Write {
                node: 5,
                index: 0x2002,
                sub: 0,
                data_type: AsciiType::Vs,
                data: b"a \"quoted\" #word".to_vec()
            })
        );
        assert_eq!(
            cmd("[3] 5 w 0x2000 0 d SGVsbG8="),
            Ok(Command::Write {
                node: 5,
                index: 0x2000,
                sub: 0,
                data_type: AsciiType::D,
                data: b"Hello".to_vec()
            })
        );
        assert_eq!(
            cmd("[3] 5 w 0x2000 0 hex 01 0203 4"),
            Ok(Command::Write {
                node: 5,
                index: 0x2000,
                sub: 0,
                data_type: AsciiType::Hex,
                data: vec![1, 2, 3, 4]
            })
        );
    }

    #[test]
    fn errors_as_canopennode_gives_them() {
        let syntax = GatewayError::Syntax;
        assert_eq!(cmd("[1] 5 r 0x1017"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 r 0x1017 0 u16 extra"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 r 0x10000 0"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 r 0x1017 0 u24"), Err((1, syntax)));
        assert_eq!(cmd("[1] 128 r 0x1017 0"), Err((1, GatewayError::UnsupportedNode)));
        assert_eq!(cmd("[1] 70000 5 r 0x1017 0"), Err((1, GatewayError::UnsupportedNet)));
        assert_eq!(cmd("[1] 1 2 3 r 0x1017 0"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 bogus"), Err((1, GatewayError::RequestNotSupported)));
        assert_eq!(cmd("[1] 5 w 0x1017 0 u8 256"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 w 0x1017 0 i8 -129"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 w 0x1017 0 vs \"\""), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 w 0x1017 0 vs \"open"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 w 0x1017 0 u16 1 2"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 start now"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 reset"), Err((1, syntax)));
        assert_eq!(cmd("[1] 5 reset everything"), Err((1, syntax)));
        assert_eq!(cmd("[1] set foo 1"), Err((1, GatewayError::RequestNotSupported)));
        assert_eq!(cmd("[1] set node 0"), Err((1, syntax)));
        assert_eq!(cmd("[1] 0 r 0x1017 0"), Err((1, GatewayError::UnsupportedNode)));
        let mut fresh = Session::default();
        assert_eq!(
            parsed("[9] r 0x1017 0", &mut fresh),
            Parsed::Error { seq: 9, error: GatewayError::NoDefaultNode }
        );
        // A broken sequence token answers with the previous sequence.
        assert_eq!(parsed("[x] 5 start", &mut fresh), Parsed::Error { seq: 0, error: syntax });
        assert_eq!(parsed("[12x] 5 start", &mut fresh), Parsed::Error { seq: 12, error: syntax });
        assert_eq!(parsed("hello", &mut fresh), Parsed::Error { seq: 12, error: syntax });
        assert_eq!(parsed("[13]", &mut fresh), Parsed::Error { seq: 12, error: syntax });
        assert_eq!(parsed("   # only a comment\r", &mut fresh), Parsed::Empty);
        assert_eq!(parsed("", &mut fresh), Parsed::Empty);
        // Tokens of 20 characters or more.
        assert_eq!(cmd("[1] 5 r 0x00000000000000001017 0"), Err((1, syntax)));
    }

    #[test]
    fn nmt_and_settings() {
        assert_eq!(cmd("[1] 0 start"), Ok(Command::Nmt { node: 0, command: 1 }));
        assert_eq!(cmd("[1] 5 preoperational"), Ok(Command::Nmt { node: 5, command: 0x80 }));
        assert_eq!(cmd("[1] 5 reset comm"), Ok(Command::Nmt { node: 5, command: 0x82 }));
        assert_eq!(cmd("[1] reset NODE"), Ok(Command::Nmt { node: 4, command: 0x81 }));
        assert_eq!(cmd("[1] set sdo_timeout 1000"), Ok(Command::SetSdoTimeout(1000)));
        assert_eq!(cmd("[1] set sdo_block 1"), Ok(Command::SetSdoBlock(true)));
        assert_eq!(cmd("[1] set network 0x10"), Ok(Command::SetNetwork(16)));
        assert_eq!(cmd("[1] help datatype"), Ok(Command::Help(Help::Datatypes)));
        assert_eq!(cmd("[1] lss_store"), Ok(Command::Unsupported));
    }

    #[test]
    fn numbers_as_c_reads_them() {
        assert_eq!(strtoul(b"0x1017"), Some(0x1017));
        assert_eq!(strtoul(b"010"), Some(8));
        assert_eq!(strtoul(b"0"), Some(0));
        assert_eq!(strtoul(b"0x"), None);
        assert_eq!(strtoul(b"08"), None);
        assert_eq!(strtoul(b"-1"), Some(u64::MAX));
        assert_eq!(strtoul(b"99999999999999999999999"), Some(u64::MAX));
        assert_eq!(strtol(b"-0x80"), Some(-128));
        assert_eq!(AsciiType::U32.scan(b" 4294967296").unwrap(), vec![0, 0, 0, 0]);
        assert_eq!(AsciiType::I32.scan(b" -1").unwrap(), vec![0xFF; 4]);
        assert_eq!(AsciiType::R32.scan(b" 1.5").unwrap(), 1.5f32.to_le_bytes().to_vec());
    }

    #[test]
    fn printing() {
        let print = |t: AsciiType, data: &[u8]| String::from_utf8(t.print(data)).unwrap();
        assert_eq!(print(AsciiType::U16, &[0xE8, 0x03]), "1000");
        assert_eq!(print(AsciiType::U16, &[0xE8, 0x03, 0]), "E8 03 00");
        assert_eq!(print(AsciiType::I8, &[0xFF]), "-1");
        assert_eq!(print(AsciiType::X32, &[0x92, 1, 0, 0]), "0x00000192");
        assert_eq!(print(AsciiType::Vs, b"say \"hi\"\0\r"), "\"say \"\"hi\"\"\"");
        assert_eq!(AsciiType::Vs.print(&[0xA2, 0x01]), b"\"\xA2\x01\"");
        assert_eq!(print(AsciiType::D, b"Hello"), "SGVsbG8=");
        assert_eq!(print(AsciiType::Hex, &[]), "");
        assert_eq!(format_g(1.5), "1.5");
        assert_eq!(format_g(0.1f32 as f64), "0.1");
        assert_eq!(format_g(1234567.0), "1.23457e+06");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(-3.25), "-3.25");
        for data in [&b"A"[..], b"AB", b"ABC", b"ABCD", &[0xFF, 0x00, 0x80]] {
            let encoded = base64_encode(data);
            assert_eq!(scan_base64(encoded.as_bytes()).unwrap(), data, "{encoded}");
        }
    }
}
