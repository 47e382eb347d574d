//! CiA 309-5 (CANopen over HTTP) as gocanopen's `pkg/gateway/http` speaks it, the only public
//! implementation of a specification that is not public:
//!
//! ```text
//! /cia309-5/1.0/<sequence>/<net|default|none|all>/<node|default|none|all>/<command>
//!   r|read/<index>/<sub>              → {"sequence":"7","response":"OK","data":"0x03e8","length":2}
//!   w|write/<index>/<sub>  body {"value":"1000","datatype":"u16"}   → {"sequence":"8","response":"OK"}
//!   start | stop | preop[erational] | reset/node | reset/comm[unication]
//!   set/sdo-timeout {"value":"500"} | set/network {"value":"1"} | set/node {"value":"5"}
//!   info/version
//! ```
//!
//! Errors are `{"sequence":"7","response":"ERROR:101"}` (gateway codes in decimal, SDO abort codes
//! as `ERROR:0x6020000`, gocanopen's lower-case hex without leading zeros), with HTTP status 200
//! as gocanopen sends them. Numbers in paths and values are decimal or `0x` hex (either case).
//! `data` is the value's bytes as one little-endian number in hex, as gocanopen gives it.
//!
//! Where this gateway goes beyond gocanopen: `datatype` also takes `os` and `d` (hex bytes,
//! `"0102ff"`) and `x8`…`x64`; SDO requests to `default` use the default node (gocanopen sends
//! them to node 254), and to `all`/`none` are refused with 107; the node in a path is checked
//! (1..127).

use std::sync::atomic::{AtomicU16, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Map, Value};

use super::ascii::GatewayError;
use super::Gateway;
use crate::canopen::client::SdoError;
use crate::shutdown::Shutdown;

/// A path's network or node field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Id(u32),
    Default,
    None,
    All,
}

/// A request's path, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub sequence: u32,
    pub net: Target,
    pub node: Target,
    /// The rest of the path after the node: `r/0x1017/0`, `reset/node`, …
    pub command: String,
}

/// What a command asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Read {
        index: u16,
        sub: u8,
    },
    Write {
        index: u16,
        sub: u8,
    },
    /// An NMT command specifier.
    Nmt(u8),
    SetSdoTimeout,
    SetNetwork,
    SetNode,
    Version,
    /// A CiA 309-5 command gocanopen recognises and does not implement (guarding, heartbeat,
    /// PDO access).
    NotSupported,
}

/// A failure: the sequence to answer with (0 before the sequence is known) and the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    pub sequence: u32,
    pub error: GatewayError,
}

fn fail<T>(sequence: u32, error: GatewayError) -> Result<T, Failure> {
    Err(Failure { sequence, error })
}

/// Go's `strconv.ParseUint(s, 0, 64)`: decimal, `0x`/`0X` hex, `0o`/leading-0 octal, `0b`
/// binary, `_` between digits when a prefix is given.
pub fn go_parse_uint(s: &str) -> Option<u64> {
    let (radix, digits) = if let Some(d) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, d)
    } else if let Some(d) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, d)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    let cleaned: String = if radix == 10 { digits.to_string() } else { digits.replace('_', "") };
    if cleaned.is_empty() || cleaned.starts_with('+') || cleaned.starts_with('-') {
        return None;
    }
    u64::from_str_radix(&cleaned, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, bits)`.
fn go_parse_int(s: &str, bits: u32) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = i128::from(go_parse_uint(rest)?);
    let value = if negative { -magnitude } else { magnitude };
    let limit = 1i128 << (bits - 1);
    (value >= -limit && value < limit).then_some(value as i64)
}

fn go_parse_uint_bits(s: &str, bits: u32) -> Option<u64> {
    let value = go_parse_uint(s)?;
    (bits == 64 || value < 1u64 << bits).then_some(value)
}

/// A path field: `default`, `none`, `all`, a decimal number of up to `digits` digits, or `0x`
/// hex of up to `hex_digits` digits (either case).
fn target(field: &str, digits: usize, hex_digits: usize) -> Option<Target> {
    match field {
        "default" => return Some(Target::Default),
        "none" => return Some(Target::None),
        "all" => return Some(Target::All),
        _ => {}
    }
    if let Some(hex) = field.strip_prefix("0x").or_else(|| field.strip_prefix("0X")) {
        if hex.is_empty() || hex.len() > hex_digits || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        return u32::from_str_radix(hex, 16).ok().map(Target::Id);
    }
    if field.is_empty() || field.len() > digits || !field.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    field.parse().ok().map(Target::Id)
}

/// Parse a request path (`/cia309-5/1.0/…`). Failures before the sequence is read answer with
/// sequence 0, as gocanopen does.
pub fn parse_path(path: &str) -> Result<Request, Failure> {
    let Some(rest) = path.strip_prefix("/cia309-5/") else { return fail(0, GatewayError::Syntax) };
    let mut fields = rest.splitn(5, '/');
    let (Some(version), Some(sequence), Some(net), Some(node), Some(command)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return fail(0, GatewayError::Syntax);
    };
    let version_ok = version.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    if !version_ok {
        return fail(0, GatewayError::Syntax);
    }
    if sequence.is_empty() || sequence.len() > 10 || !sequence.bytes().all(|c| c.is_ascii_digit()) {
        return fail(0, GatewayError::Syntax);
    }
    let (Some(net), Some(node)) = (target(net, 10, 4), target(node, 3, 2)) else {
        return fail(0, GatewayError::Syntax);
    };
    if version != "1.0" {
        return fail(0, GatewayError::RequestNotSupported);
    }
    let Ok(sequence) = sequence.parse::<u32>() else { return fail(0, GatewayError::Syntax) };
    if matches!(net, Target::Id(n) if n == 0 || n > 0xFFFF) {
        return fail(0, GatewayError::UnsupportedNet);
    }
    Ok(Request { sequence, net, node, command: command.to_string() })
}

/// An SDO command's index and sub-index: `r/0x1017/0`, `read/4119/0x00`.
fn entry(sequence: u32, args: &[&str]) -> Result<(u16, u8), Failure> {
    let [index, sub] = args else { return fail(sequence, GatewayError::Syntax) };
    if index.eq_ignore_ascii_case("all") {
        return fail(sequence, GatewayError::RequestNotSupported);
    }
    let number = |s: &str, digits: usize, hex_digits: usize, max: u32| match target(s, digits, hex_digits) {
        Some(Target::Id(n)) if n <= max => Some(n),
        _ => None,
    };
    match (number(index, 5, 4, 0xFFFF), number(sub, 3, 2, 0xFF)) {
        (Some(index), Some(sub)) => Ok((index as u16, sub as u8)),
        _ => fail(sequence, GatewayError::Syntax),
    }
}

/// The action a request's command names (gocanopen's routes: the whole command first, then its
/// first segment).
pub fn action(request: &Request) -> Result<Action, Failure> {
    let sequence = request.sequence;
    let exact = match request.command.as_str() {
        "set/sdo-timeout" => Some(Action::SetSdoTimeout),
        "set/network" => Some(Action::SetNetwork),
        "set/node" => Some(Action::SetNode),
        "info/version" => Some(Action::Version),
        "reset/node" => Some(Action::Nmt(0x81)),
        "reset/comm" | "reset/communication" => Some(Action::Nmt(0x82)),
        "enable/guarding" | "disable/guarding" | "enable/heartbeat" | "disable/heartbeat" => {
            Some(Action::NotSupported)
        }
        _ => None,
    };
    if let Some(action) = exact {
        return Ok(action);
    }
    let parts: Vec<&str> = request.command.split('/').collect();
    let args: Vec<&str> = parts[1..].iter().copied().filter(|p| !p.is_empty()).collect();
    match parts[0] {
        "start" => Ok(Action::Nmt(0x01)),
        "stop" => Ok(Action::Nmt(0x02)),
        "preop" | "preoperational" => Ok(Action::Nmt(0x80)),
        "r" | "read" | "w" | "write" => {
            if args.first().is_some_and(|a| *a == "p" || *a == "pdo") {
                return Ok(Action::NotSupported);
            }
            let (index, sub) = entry(sequence, &args)?;
            Ok(if parts[0].starts_with('r') {
                Action::Read { index, sub }
            } else {
                Action::Write { index, sub }
            })
        }
        _ => fail(sequence, GatewayError::RequestNotSupported),
    }
}

/// A write's value by gocanopen's data type names (and `os`/`d` as hex bytes, `x8`…`x64`).
pub fn encode(value: &str, datatype: &str) -> Result<Vec<u8>, Option<GatewayError>> {
    // gocanopen treats an empty value as 0.
    let number = if value.is_empty() { "0" } else { value };
    let bad = || None;
    Ok(match datatype {
        "b" | "u8" | "x8" => vec![go_parse_uint_bits(number, 8).ok_or_else(bad)? as u8],
        "u16" | "x16" => (go_parse_uint_bits(number, 16).ok_or_else(bad)? as u16).to_le_bytes().to_vec(),
        "u32" | "x32" => (go_parse_uint_bits(number, 32).ok_or_else(bad)? as u32).to_le_bytes().to_vec(),
        "u64" | "x64" => go_parse_uint_bits(number, 64).ok_or_else(bad)?.to_le_bytes().to_vec(),
        "i8" => vec![go_parse_int(number, 8).ok_or_else(bad)? as u8],
        "i16" => (go_parse_int(number, 16).ok_or_else(bad)? as i16).to_le_bytes().to_vec(),
        "i32" => (go_parse_int(number, 32).ok_or_else(bad)? as i32).to_le_bytes().to_vec(),
        "i64" => go_parse_int(number, 64).ok_or_else(bad)?.to_le_bytes().to_vec(),
        "r32" => number.parse::<f32>().map_err(|_| bad())?.to_le_bytes().to_vec(),
        "r64" => number.parse::<f64>().map_err(|_| bad())?.to_le_bytes().to_vec(),
        "vs" => value.as_bytes().to_vec(),
        "os" | "d" => {
            let hex: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            let hex = hex.strip_prefix("0x").unwrap_or(&hex);
            if hex.len() % 2 != 0 {
                return Err(None);
            }
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| bad())?
        }
        _ => return Err(Some(GatewayError::RequestNotSupported)),
    })
}

/// The HTTP gateway's state: the gateway and the settings `set/…` change for every client.
pub struct HttpGateway {
    gateway: Arc<Gateway>,
    /// 0: none.
    default_node: AtomicU8,
    default_net: AtomicU16,
    sdo_timeout_ms: AtomicU16,
    requests: tokio::sync::Semaphore,
    max_requests: usize,
}

impl HttpGateway {
    /// `max_requests`: requests served at once; more are answered 503 with ERROR:102.
    pub fn new(gateway: Arc<Gateway>, max_requests: usize) -> Arc<HttpGateway> {
        let options = gateway.options().clone();
        Arc::new(HttpGateway {
            default_node: AtomicU8::new(options.default_node.unwrap_or(0)),
            default_net: AtomicU16::new(1),
            sdo_timeout_ms: AtomicU16::new(options.sdo_timeout.as_millis().clamp(1, 0xFFFF) as u16),
            requests: tokio::sync::Semaphore::new(max_requests.max(1)),
            max_requests: max_requests.max(1),
            gateway,
        })
    }

    /// The axum router (one fallback route: every path is parsed by [`parse_path`]).
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new().fallback(handle).with_state(Arc::clone(self))
    }

    fn node(&self, target: Target, sequence: u32, for_nmt: bool) -> Result<u8, Failure> {
        match target {
            Target::Id(n) if (1..=127).contains(&n) => Ok(n as u8),
            // Node 0 in an NMT command is every node (gocanopen sends it so).
            Target::Id(0) if for_nmt => Ok(0),
            Target::Id(_) => fail(sequence, GatewayError::UnsupportedNode),
            Target::All if for_nmt => Ok(0),
            Target::Default | Target::None if for_nmt || target == Target::Default => {
                match self.default_node.load(Ordering::Relaxed) {
                    0 => fail(sequence, GatewayError::NoDefaultNode),
                    n => Ok(n),
                }
            }
            _ => fail(sequence, GatewayError::UnsupportedNode),
        }
    }

    async fn execute(&self, request: &Request, body: &Bytes) -> Result<Value, Failure> {
        let sequence = request.sequence;
        // The body is JSON when there is one (gocanopen decodes it before routing).
        let parameters: Option<Value> = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(
                serde_json::from_slice(body)
                    .map_err(|_| Failure { sequence: 0, error: GatewayError::Syntax })?,
            )
        };
        let action = action(request)?;
        let string_field = |name: &str| -> Result<String, Failure> {
            match parameters.as_ref().and_then(|p| p.get(name)) {
                Some(Value::String(s)) => Ok(s.clone()),
                None => Ok(String::new()),
                Some(_) => fail(sequence, GatewayError::Syntax),
            }
        };
        let needs_body = || -> Result<(), Failure> {
            match &parameters {
                Some(Value::Object(_)) => Ok(()),
                _ => fail(sequence, GatewayError::Syntax),
            }
        };
        let timeout = Duration::from_millis(u64::from(self.sdo_timeout_ms.load(Ordering::Relaxed)));
        match action {
            Action::Read { index, sub } => {
                let node = self.node(request.node, sequence, false)?;
                match self.gateway.read(node, index, sub, timeout, false).await {
                    Ok(data) => {
                        let mut reply = ok(sequence);
                        let hex: String = data.iter().rev().map(|b| format!("{b:02x}")).collect();
                        reply.insert("data".into(), json!(format!("0x{hex}")));
                        if !data.is_empty() {
                            reply.insert("length".into(), json!(data.len()));
                        }
                        Ok(Value::Object(reply))
                    }
                    Err(e) => Ok(sdo_failure(sequence, &e)),
                }
            }
            Action::Write { index, sub } => {
                let node = self.node(request.node, sequence, false)?;
                needs_body()?;
                let value = string_field("value")?;
                let datatype = string_field("datatype")?;
                let data = match encode(&value, &datatype) {
                    Ok(data) => data,
                    Err(Some(error)) => return fail(sequence, error),
                    // gocanopen answers a value that does not parse with the SDO abort "type
                    // mismatch", without sending anything.
                    Err(None) => return Ok(error_reply(sequence, "ERROR:0x6070010".into())),
                };
                if data.is_empty() {
                    return Ok(error_reply(sequence, "ERROR:0x6070010".into()));
                }
                match self.gateway.write(node, index, sub, &data, timeout, false).await {
                    Ok(()) => Ok(Value::Object(ok(sequence))),
                    Err(e) => Ok(sdo_failure(sequence, &e)),
                }
            }
            Action::Nmt(command) => {
                let node = self.node(request.node, sequence, true)?;
                self.gateway
                    .nmt(node, command)
                    .await
                    .map_err(|_| Failure { sequence, error: GatewayError::InternalState })?;
                Ok(Value::Object(ok(sequence)))
            }
            Action::SetSdoTimeout => {
                needs_body()?;
                let value = go_parse_uint(&string_field("value")?)
                    .filter(|v| *v <= 0xFFFF)
                    .ok_or(Failure { sequence, error: GatewayError::Syntax })?;
                self.sdo_timeout_ms.store(value.max(1) as u16, Ordering::Relaxed);
                Ok(Value::Object(ok(sequence)))
            }
            Action::SetNetwork => {
                needs_body()?;
                let value = go_parse_uint(&string_field("value")?)
                    .filter(|v| (1..=0xFFFF).contains(v))
                    .ok_or(Failure { sequence, error: GatewayError::Syntax })?;
                self.default_net.store(value as u16, Ordering::Relaxed);
                Ok(Value::Object(ok(sequence)))
            }
            Action::SetNode => {
                needs_body()?;
                let value = go_parse_uint(&string_field("value")?)
                    .filter(|v| (1..=127).contains(v))
                    .ok_or(Failure { sequence, error: GatewayError::Syntax })?;
                self.default_node.store(value as u8, Ordering::Relaxed);
                Ok(Value::Object(ok(sequence)))
            }
            Action::Version => {
                let mut reply = ok(sequence);
                for (key, value) in [
                    ("VendorId", "0x0"),
                    ("ProductCode", "0x0"),
                    ("RevisionNumber", "0x0"),
                    ("SerialNumber", "0x0"),
                    ("GatewayClass", "2"),
                    ("ProtocolVersion", "02.01"),
                    ("ImplementationClass", "01.00"),
                ] {
                    reply.insert(key.into(), json!(value));
                }
                Ok(Value::Object(reply))
            }
            Action::NotSupported => fail(sequence, GatewayError::RequestNotSupported),
        }
    }
}

fn ok(sequence: u32) -> Map<String, Value> {
    let mut reply = Map::new();
    reply.insert("sequence".into(), json!(sequence.to_string()));
    reply.insert("response".into(), json!("OK"));
    reply
}

fn error_reply(sequence: u32, response: String) -> Value {
    json!({ "sequence": sequence.to_string(), "response": response })
}

/// gocanopen's form: gateway codes in decimal, abort codes as lower-case hex.
fn sdo_failure(sequence: u32, e: &SdoError) -> Value {
    match e.abort() {
        Some(abort) => error_reply(sequence, format!("ERROR:0x{:x}", abort.0)),
        None => error_reply(sequence, format!("ERROR:{}", GatewayError::InternalState.code())),
    }
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

async fn handle(State(state): State<Arc<HttpGateway>>, uri: Uri, body: Bytes) -> Response {
    let Ok(_permit) = state.requests.try_acquire() else {
        let reply = json!({
            "sequence": "0",
            "response": format!("ERROR:{}", GatewayError::InternalState.code()),
            "reason": format!("too many requests at once, at most {}", state.max_requests),
        });
        return json_response(StatusCode::SERVICE_UNAVAILABLE, &reply);
    };
    let reply = match parse_path(uri.path()) {
        Err(failure) => error_reply(failure.sequence, format!("ERROR:{}", failure.error.code())),
        Ok(request) => match state.execute(&request, &body).await {
            Ok(reply) => reply,
            Err(failure) => error_reply(failure.sequence, format!("ERROR:{}", failure.error.code())),
        },
    };
    json_response(StatusCode::OK, &reply)
}

/// Serve the HTTP gateway on `listener` until `shutdown`.
pub async fn serve_http(
    gateway: Arc<HttpGateway>,
    listener: tokio::net::TcpListener,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    let app = gateway.router().layer(axum::extract::DefaultBodyLimit::max(1 << 20));
    axum::serve(listener, app).with_graceful_shutdown(async move { shutdown.triggered().await }).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> Result<Action, Failure> {
        action(&parse_path(path)?)
    }

    #[test]
    fn paths_as_gocanopen_reads_them() {
        let r = parse_path("/cia309-5/1.0/7/1/0x05/r/0x1017/0").unwrap();
        assert_eq!(
            r,
            Request { sequence: 7, net: Target::Id(1), node: Target::Id(5), command: "r/0x1017/0".into() }
        );
        assert_eq!(action(&r), Ok(Action::Read { index: 0x1017, sub: 0 }));
        assert_eq!(request("/cia309-5/1.0/8/default/all/start"), Ok(Action::Nmt(1)));
        assert_eq!(request("/cia309-5/1.0/8/1/10/reset/node"), Ok(Action::Nmt(0x81)));
        assert_eq!(request("/cia309-5/1.0/8/1/10/reset/communication"), Ok(Action::Nmt(0x82)));
        assert_eq!(
            request("/cia309-5/1.0/8/1/10/read/0X1018/0X01"),
            Ok(Action::Read { index: 0x1018, sub: 1 })
        );
        assert_eq!(request("/cia309-5/1.0/8/1/10/w/8194/0"), Ok(Action::Write { index: 0x2002, sub: 0 }));
        assert_eq!(request("/cia309-5/1.0/8/1/none/info/version"), Ok(Action::Version));
        assert_eq!(request("/cia309-5/1.0/8/1/all/set/sdo-timeout"), Ok(Action::SetSdoTimeout));
        assert_eq!(request("/cia309-5/1.0/8/1/10/enable/guarding"), Ok(Action::NotSupported));
        assert_eq!(request("/cia309-5/1.0/8/1/10/r/p/1"), Ok(Action::NotSupported));
        let err = |sequence, error| Err(Failure { sequence, error });
        assert_eq!(request("/"), err(0, GatewayError::Syntax));
        assert_eq!(request("/cia309-5/1.0/10/strt//"), err(0, GatewayError::Syntax));
        assert_eq!(request("/cia309-5/1.0/3/1/10/strt//"), err(3, GatewayError::RequestNotSupported));
        assert_eq!(request("/cia309-5/2.0/3/1/10/start"), err(0, GatewayError::RequestNotSupported));
        assert_eq!(request("/cia309-5/1.0/3/0/10/start"), err(0, GatewayError::UnsupportedNet));
        assert_eq!(request("/cia309-5/1.0/99999999999/1/10/start"), err(0, GatewayError::Syntax));
        assert_eq!(request("/cia309-5/1.0/3/1/10/r/0x1017"), err(3, GatewayError::Syntax));
        assert_eq!(request("/cia309-5/1.0/3/1/10/r/all/0"), err(3, GatewayError::RequestNotSupported));
        assert_eq!(request("/cia309-5/1.0/3/1/10/r/0x10000/0"), err(3, GatewayError::Syntax));
        assert_eq!(request("/cia309-5/1.0/3/1/10/reset/node/now"), err(3, GatewayError::RequestNotSupported));
    }

    #[test]
    fn values_as_gocanopen_encodes_them() {
        assert_eq!(encode("0x10", "i8"), Ok(vec![0x10]));
        assert_eq!(encode("0x5432", "i16"), Ok(vec![0x32, 0x54]));
        assert_eq!(encode("-1", "i32"), Ok(vec![0xFF; 4]));
        assert_eq!(encode("", "u16"), Ok(vec![0, 0]));
        assert_eq!(encode("256", "u8"), Err(None));
        assert_eq!(encode("-129", "i8"), Err(None));
        assert_eq!(encode("1.5", "r32"), Ok(1.5f32.to_le_bytes().to_vec()));
        assert_eq!(encode("hello", "vs"), Ok(b"hello".to_vec()));
        assert_eq!(encode("01 02ff", "os"), Ok(vec![1, 2, 0xFF]));
        assert_eq!(encode("1", "t"), Err(Some(GatewayError::RequestNotSupported)));
        assert_eq!(go_parse_uint("010"), Some(8));
        assert_eq!(go_parse_uint("0b101"), Some(5));
        assert_eq!(go_parse_uint("+1"), None);
    }
}
