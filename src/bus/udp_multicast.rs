//! `udp_multicast`: a CAN bus shared by every process on the host (or the network) through UDP
//! multicast, wire-compatible with python-can's `udp_multicast` interface, and the default bus of
//! every cankit tool.
//!
//! # Wire format
//! One MessagePack map per datagram with python-can's eleven keys in python-can's order
//! ([`encode_frame`], byte-identical to `can.interfaces.udp_multicast.utils.pack_message`). The
//! decoder ([`decode_frame`]) accepts whatever python-can accepts: any integer width, float or int
//! timestamps, nil/str/int channels, `data` as bin (or str or an array of ints), unknown keys
//! ignored, missing keys defaulting as in `can.Message` (only `arbitration_id` is required), and it
//! applies `Message._check`'s rules. `dlc` is a byte count; an FD payload whose length is not a
//! valid FD length (say 9) is padded to the next one, as the kernel does. The sender's timestamp
//! is ignored: a received frame carries the kernel's receive time, as in python-can.
//!
//! # Defaults: nothing leaves the host
//! Group `239.74.163.2` (python-can's IPv4 group), port 43113, sent with TTL 0 through
//! `IP_MULTICAST_IF = 127.0.0.1` with the group joined on 127.0.0.1 and multicast loop on. The
//! loopback interface here has no `MULTICAST` flag and no multicast route, yet this works: setting
//! the outgoing interface by address bypasses the route lookup, the kernel loops every multicast
//! datagram back to local members on that interface, and TTL 0 keeps it off every wire. Sending
//! without `IP_MULTICAST_IF` would follow the default route (a real NIC) instead.
//!
//! To share a bus with python-can running with its defaults on the same host (it joins on the
//! default interface and sends with TTL 1), set `multicast_interface` to the address of that
//! interface; keep `ttl=0` to stay host-local. To span a LAN, set `ttl=1` as well.
//!
//! IPv6 groups work where the interface has IPv6 multicast routes (`multicast_interface` is then an
//! interface name or index, default `lo`). On a loopback without the `MULTICAST` flag Linux has no
//! route for `ff00::/8`, so opening fails with a clear [`BusError::InvalidConfig`].
//!
//! # Own frames
//! Every socket joined to the group receives every datagram, the sender's own included. To give
//! SocketCAN's semantics (a bus does not see what it sent unless `receive_own_messages`), frames are
//! sent from a second socket bound to an ephemeral port on the interface address; datagrams from
//! that address are this bus's own and are dropped or delivered as [`Direction::Tx`]. Other
//! processes, cankit or python-can, see them like any other.
//!
//! # Receive path
//! `recvmsg` on a non-blocking socket behind tokio's `AsyncFd`, reusing one buffer; the kernel's
//! receive timestamp (`SO_TIMESTAMPNS`) and drop counter (`SO_RXQ_OVFL`, reported as
//! [`BusEvent::Dropped`]) come as control messages. `SO_RXQ_OVFL` only rides on the next datagram
//! that gets queued, so when the socket runs dry the same counter is also read with `SO_MEMINFO`;
//! drops at the end of a burst are reported too. (Losses before the socket, e.g. in the loopback
//! backlog, are invisible to both.) The socket buffer is 32 MiB
//! (`SO_RCVBUFFORCE` as root, else as large as `net.core.rmem_max` allows) so bursts survive a
//! busy consumer. Garbage datagrams become [`BusEvent::Invalid`] and never end the stream.
//!
//! Filtering, printing and configuration resolution are left to [`crate::bus`] and its callers.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::sync::Notify;

use super::msgpack::{BufferFull, DecodeError, Reader, Value, Writer};
use super::socket_io::{self, DropCounter, Received};
use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusStats};
use crate::frame::{Channel, Direction, Frame, FrameError, Timestamp, MAX_DATA};

/// python-can's IPv4 group, cankit's default channel.
pub const DEFAULT_GROUP_V4: Ipv4Addr = Ipv4Addr::new(239, 74, 163, 2);
/// python-can's default channel (site-local IPv6), accepted as a channel where IPv6 multicast works.
pub const PYTHON_CAN_GROUP_V6: &str = "ff15:7079:7468:6f6e:6465:6d6f:6d63:6173";
/// python-can's port, used for sending and receiving.
pub const DEFAULT_PORT: u16 = 43113;
/// Default outgoing interface and membership: keeps traffic on the host.
pub const DEFAULT_INTERFACE_V4: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// Default IPv6 interface (by name, resolved to an index at open).
pub const DEFAULT_INTERFACE_V6: &str = "lo";
/// Default TTL: 0 means delivered to local members only, never onto a wire.
pub const DEFAULT_TTL: u32 = 0;

/// python-can reads at most this many bytes per datagram (`max_buffer`); anything longer is not a
/// message it could decode either, so it is reported as oversize.
pub const MAX_DATAGRAM: usize = 4096;
/// Enough for the largest frame cankit encodes (FD, 64 bytes, 30-byte channel name: ~250 bytes).
const ENCODE_BUFFER: usize = 512;
/// Socket receive buffer: about 120,000 datagrams of kernel memory (over a second at 100,000
/// frames/s), so a recorder that loses the CPU for a while on a loaded machine loses no frame.
/// Kernel memory is only taken while datagrams wait.
const SOCKET_RECV_BUFFER: libc::c_int = 32 << 20;

const INTERFACE: &str = "udp_multicast";

// ------------------------------------------------------------------------------------------------
// Wire format

/// Why a datagram is not a python-can message. The `Display` text is what users see in
/// [`BusEvent::Invalid`]; the python-can rule texts are python-can's own wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("not msgpack: {0}")]
    Msgpack(#[from] DecodeError),
    #[error("not a python-can message: expected a msgpack map, found {found}")]
    NotAMap { found: &'static str },
    #[error("{extra} bytes after the msgpack map (at offset {offset})")]
    TrailingBytes { offset: usize, extra: usize },
    #[error("field '{key}' should be {expected}, found {found}")]
    WrongType { key: &'static str, expected: &'static str, found: &'static str },
    #[error("field '{key}' is not valid UTF-8")]
    InvalidUtf8 { key: &'static str },
    #[error("field 'arbitration_id' is missing")]
    MissingArbitrationId,
    #[error("field 'data' holds {value}, which is not a byte (0-255)")]
    DataNotAByte { value: i128 },
    #[error("datagram of {len} bytes is longer than python-can's {max}-byte limit")]
    Oversize { len: usize, max: usize },
    #[error("{0}")]
    Rule(&'static str),
    #[error("{0}")]
    Frame(#[from] FrameError),
}

/// Encode a frame as python-can's `pack_message` does; returns the datagram length.
///
/// The timestamp is the frame's time in seconds (python-can receivers replace it with their
/// receive time anyway). Error frames go out as python-can represents them: `is_error_frame`, the
/// error class bits as the (extended) id, 8 data bytes.
pub fn encode_frame(frame: &Frame, out: &mut [u8]) -> Result<usize, BufferFull> {
    let mut w = Writer::new(out);
    w.map_header(11)?;
    w.str("timestamp")?;
    w.f64(frame.timestamp.as_secs_f64())?;
    w.str("arbitration_id")?;
    w.uint(frame.id() as u64)?;
    w.str("is_extended_id")?;
    w.bool(frame.is_extended())?;
    w.str("is_remote_frame")?;
    w.bool(frame.is_remote())?;
    w.str("is_error_frame")?;
    w.bool(frame.is_error())?;
    w.str("channel")?;
    if let Some(n) = frame.channel.as_number() {
        w.uint(n as u64)?;
    } else if let Some(name) = frame.channel.as_name() {
        w.str(name)?;
    } else {
        w.nil()?;
    }
    // python-can's dlc is the byte count (for remote frames the requested length).
    w.str("dlc")?;
    w.uint(frame.len() as u64)?;
    w.str("data")?;
    w.bin(frame.data())?;
    w.str("is_fd")?;
    w.bool(frame.is_fd())?;
    w.str("bitrate_switch")?;
    w.bool(frame.brs())?;
    w.str("error_state_indicator")?;
    w.bool(frame.esi())?;
    Ok(w.len())
}

/// Where the `data` field's bytes are: a slice of the datagram, or copied out of an int array.
enum Data<'a> {
    Slice(&'a [u8]),
    /// `len` elements were present; the first 64 are in the decoder's array buffer. `bad` holds
    /// the first element that was not a byte (only an error if the frame is not remote, because
    /// python-can ignores remote frames' data before it looks at it).
    Array {
        len: usize,
        bad: Option<i128>,
    },
}

/// python-can's truthiness for the flag fields: bools, and for leniency nil/ints/floats.
fn flag(key: &'static str, v: Value) -> Result<bool, WireError> {
    match v {
        Value::Bool(b) => Ok(b),
        Value::Nil => Ok(false),
        Value::Int(i) => Ok(i != 0),
        Value::Float(f) => Ok(f != 0.0),
        other => Err(WireError::WrongType { key, expected: "bool", found: other.type_name() }),
    }
}

/// The channel field: nil, a name or a number. Numbers outside `u32` keep their decimal text.
fn channel(v: Value) -> Result<Channel, WireError> {
    match v {
        Value::Str(s) => {
            std::str::from_utf8(s).map(Channel::name).map_err(|_| WireError::InvalidUtf8 { key: "channel" })
        }
        Value::Int(i) => Ok(match u32::try_from(i) {
            Ok(n) => Channel::number(n),
            Err(_) => {
                let mut text = DecimalBuf::default();
                Channel::name(text.format(i))
            }
        }),
        // python-can passes any object through; the frame model has no room for others.
        _ => Ok(Channel::NONE),
    }
}

/// Stack space for an `i128` in decimal, so odd channel numbers need no allocation.
struct DecimalBuf {
    bytes: [u8; 48],
}

impl Default for DecimalBuf {
    fn default() -> Self {
        DecimalBuf { bytes: [0; 48] }
    }
}

impl DecimalBuf {
    fn format(&mut self, v: i128) -> &str {
        let mut pos = self.bytes.len();
        let mut n = v.unsigned_abs();
        loop {
            pos -= 1;
            self.bytes[pos] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if v < 0 {
            pos -= 1;
            self.bytes[pos] = b'-';
        }
        // Only ASCII digits and '-' were written.
        std::str::from_utf8(&self.bytes[pos..]).unwrap_or("")
    }
}

/// Decode one python-can datagram. `Ok(None)`: a valid CAN FD frame on a bus opened without FD,
/// which python-can drops silently too. The frame's timestamp is left at zero (the caller sets the
/// receive time); the channel is the sender's, as in python-can.
pub fn decode_frame(datagram: &[u8], accept_fd: bool) -> Result<Option<Frame>, WireError> {
    let mut r = Reader::new(datagram);
    let pairs = match r.next_value()? {
        Value::Map(n) => n,
        other => return Err(WireError::NotAMap { found: other.type_name() }),
    };

    // can.Message's defaults for keys that are absent.
    let mut id: Option<i128> = None;
    let mut extended = true;
    let mut remote = false;
    let mut error = false;
    let mut chan = Channel::NONE;
    let mut dlc: Option<i128> = None;
    let mut data = Data::Slice(&[]);
    let mut array_buf = [0u8; MAX_DATA];
    let mut fd = false;
    let mut brs = false;
    let mut esi = false;

    for _ in 0..pairs {
        let key = r.next_value()?;
        r.skip(key)?;
        let value = r.next_value()?;
        let Value::Str(key) = key else {
            // A non-string key cannot be a keyword argument; treat it like an unknown key.
            r.skip(value)?;
            continue;
        };
        match key {
            b"timestamp" => match value {
                // Replaced by the receive time, as python-can does, but it must look like a time.
                Value::Int(_) | Value::Float(_) | Value::Nil => {}
                other => {
                    return Err(WireError::WrongType {
                        key: "timestamp",
                        expected: "a number",
                        found: other.type_name(),
                    })
                }
            },
            b"arbitration_id" => match value {
                Value::Int(i) => id = Some(i),
                other => {
                    return Err(WireError::WrongType {
                        key: "arbitration_id",
                        expected: "int",
                        found: other.type_name(),
                    })
                }
            },
            b"is_extended_id" => extended = flag("is_extended_id", value)?,
            b"is_remote_frame" => remote = flag("is_remote_frame", value)?,
            b"is_error_frame" => error = flag("is_error_frame", value)?,
            b"is_fd" => fd = flag("is_fd", value)?,
            b"bitrate_switch" => brs = flag("bitrate_switch", value)?,
            b"error_state_indicator" => esi = flag("error_state_indicator", value)?,
            b"channel" => {
                chan = channel(value)?;
                r.skip(value)?;
            }
            b"dlc" => match value {
                Value::Int(i) => dlc = Some(i),
                Value::Nil => dlc = None,
                other => {
                    return Err(WireError::WrongType {
                        key: "dlc",
                        expected: "int",
                        found: other.type_name(),
                    })
                }
            },
            b"data" => match value {
                Value::Bin(b) | Value::Str(b) => data = Data::Slice(b),
                Value::Nil => data = Data::Slice(&[]),
                Value::Array(n) => {
                    let mut bad = None;
                    for i in 0..n {
                        match r.next_value()? {
                            Value::Int(b @ 0..=255) => {
                                if let Some(slot) = array_buf.get_mut(i) {
                                    *slot = b as u8;
                                }
                            }
                            Value::Int(other) => {
                                bad.get_or_insert(other);
                            }
                            other => {
                                r.skip(other)?;
                                bad.get_or_insert(-1);
                            }
                        }
                    }
                    data = Data::Array { len: n, bad };
                }
                other => {
                    return Err(WireError::WrongType {
                        key: "data",
                        expected: "bin",
                        found: other.type_name(),
                    })
                }
            },
            // Future python-can versions may add keys.
            _ => r.skip(value)?,
        }
    }
    if !r.is_at_end() {
        return Err(WireError::TrailingBytes { offset: r.position(), extra: datagram.len() - r.position() });
    }

    // can.Message(check=True): the same rules in the same order.
    let id = id.ok_or(WireError::MissingArbitrationId)?;
    if remote && error {
        return Err(WireError::Rule("a message cannot be a remote and an error frame at the same time"));
    }
    if remote && fd {
        return Err(WireError::Rule("CAN FD does not support remote frames"));
    }
    if id < 0 {
        return Err(WireError::Rule("arbitration IDs may not be negative"));
    }
    if extended && id >= 0x2000_0000 {
        return Err(WireError::Rule("Extended arbitration IDs must be less than 2^29"));
    }
    if !extended && id >= 0x800 {
        return Err(WireError::Rule("Normal arbitration IDs must be less than 2^11"));
    }
    // can.Message discards a remote frame's data before checking anything about it.
    let payload: &[u8] = match (&data, remote) {
        (_, true) => &[],
        (Data::Slice(s), false) => s,
        (Data::Array { bad: Some(value), .. }, false) => {
            return Err(WireError::DataNotAByte { value: *value })
        }
        (Data::Array { len, bad: None }, false) if *len > MAX_DATA => {
            return Err(WireError::Rule(
                "the DLC and the length of the data must match up for non remote frames",
            ))
        }
        (Data::Array { len, bad: None }, false) => &array_buf[..*len],
    };
    let dlc = dlc.unwrap_or(payload.len() as i128);
    if dlc < 0 {
        return Err(WireError::Rule("DLC may not be negative"));
    }
    if fd && dlc > 64 {
        return Err(WireError::Rule("DLC must be <= 64 for CAN FD frames"));
    }
    if !fd && dlc > 8 {
        return Err(WireError::Rule("DLC must be <= 8 for normal CAN frames"));
    }
    if !remote && dlc != payload.len() as i128 {
        return Err(WireError::Rule(
            "the DLC and the length of the data must match up for non remote frames",
        ));
    }
    if !fd && brs {
        return Err(WireError::Rule("bitrate switch is only allowed for CAN FD frames"));
    }
    if !fd && esi {
        return Err(WireError::Rule("error state indicator is only allowed for CAN FD frames"));
    }
    if fd && !accept_fd {
        return Ok(None);
    }

    // All values are range-checked above, so the casts below cannot truncate.
    let id = id as u32;
    let frame = if error {
        let mut detail = [0u8; 8];
        let bytes = detail
            .get_mut(..payload.len())
            .ok_or(WireError::Rule("error frames carry at most 8 data bytes"))?;
        bytes.copy_from_slice(payload);
        Frame::new_error(id, detail)?
    } else if remote {
        Frame::new_remote(id, extended, dlc as u8)?
    } else if fd {
        Frame::new_fd_padded(id, extended, payload, brs, esi)?
    } else {
        Frame::new_data(id, extended, payload)?
    };
    Ok(Some(frame.with_channel(chan)))
}

// ------------------------------------------------------------------------------------------------
// Settings

/// Where the bus sends and listens, resolved from [`BusConfig`].
#[derive(Clone, Debug, PartialEq, Eq)]
struct Settings {
    group: IpAddr,
    port: u16,
    ttl: u32,
    interface: Interface,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Interface {
    /// IPv4: the local address used for `IP_MULTICAST_IF` and the membership.
    V4(Ipv4Addr),
    /// IPv6: interface index, and the name given (for messages).
    V6 { index: u32, name: String },
}

fn invalid(message: impl Into<String>) -> BusError {
    BusError::InvalidConfig { interface: INTERFACE.to_string(), message: message.into() }
}

impl Settings {
    fn from_config(config: &BusConfig) -> Result<Settings, BusError> {
        let group: IpAddr = match config.channel.as_deref() {
            None | Some("") => IpAddr::V4(DEFAULT_GROUP_V4),
            Some(text) => text.parse().map_err(|_| {
                invalid(format!(
                    "channel '{text}' is not an IP address; use a multicast group such as {DEFAULT_GROUP_V4}"
                ))
            })?,
        };
        if !group.is_multicast() {
            return Err(invalid(format!(
                "channel {group} is not a multicast group (224.0.0.0/4 or ff00::/8)"
            )));
        }
        let port = match config.option(&["port"]) {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or_else(|| invalid(format!("port '{p}' is not a port number (1-65535)")))?,
        };
        let ttl = match config.option(&["ttl", "hop_limit"]) {
            None => DEFAULT_TTL,
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|&t| t <= 255)
                .ok_or_else(|| invalid(format!("ttl '{t}' is not a number 0-255")))?,
        };
        let chosen = config.option(&["multicast_interface"]);
        let interface = match group {
            IpAddr::V4(_) => match chosen {
                None => Interface::V4(DEFAULT_INTERFACE_V4),
                Some(a) => Interface::V4(a.parse().map_err(|_| {
                    invalid(format!(
                        "multicast_interface '{a}' is not an IPv4 address (the address of a local interface)"
                    ))
                })?),
            },
            IpAddr::V6(_) => {
                let name = chosen.unwrap_or(DEFAULT_INTERFACE_V6);
                let index = match name.parse::<u32>() {
                    Ok(i) => i,
                    Err(_) => interface_index(name)
                        .ok_or_else(|| invalid(format!("multicast_interface '{name}': no such interface")))?,
                };
                Interface::V6 { index, name: name.to_string() }
            }
        };
        Ok(Settings { group, port, ttl, interface })
    }

    fn describe(&self) -> String {
        match &self.interface {
            Interface::V4(a) => {
                format!("{INTERFACE} {}:{} (interface {a}, ttl {})", self.group, self.port, self.ttl)
            }
            Interface::V6 { name, .. } => {
                format!(
                    "{INTERFACE} [{}]:{} (interface {name}, hop limit {})",
                    self.group, self.port, self.ttl
                )
            }
        }
    }
}

fn interface_index(name: &str) -> Option<u32> {
    let c = std::ffi::CString::new(name).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    (index != 0).then_some(index)
}

// ------------------------------------------------------------------------------------------------
// Sockets

/// The listening socket: bound to the wildcard address like python-can (so both coexist on the
/// port), joined to the group on the chosen interface.
fn receive_socket(s: &Settings) -> Result<Socket, BusError> {
    let io_err = |what: &str| {
        let what = what.to_string();
        move |e| BusError::io(format!("{INTERFACE} {}:{}: {what}", s.group, s.port), e)
    };
    let domain = if s.group.is_ipv4() { Domain::IPV4 } else { Domain::IPV6 };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(io_err("creating socket"))?;
    socket.set_reuse_address(true).map_err(io_err("SO_REUSEADDR"))?;
    socket.set_reuse_port(true).map_err(io_err("SO_REUSEPORT"))?;
    socket.set_nonblocking(true).map_err(io_err("non-blocking mode"))?;
    socket_io::enable_timestamps(socket.as_raw_fd()).map_err(io_err("SO_TIMESTAMPNS"))?;
    socket_io::enable_overflow_counter(socket.as_raw_fd()).map_err(io_err("SO_RXQ_OVFL"))?;
    socket_io::request_receive_buffer(socket.as_raw_fd(), SOCKET_RECV_BUFFER);
    let bind_addr: SocketAddr = match s.group {
        IpAddr::V4(_) => SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, s.port).into(),
        IpAddr::V6(_) => {
            socket.set_only_v6(true).map_err(io_err("IPV6_V6ONLY"))?;
            SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, s.port, 0, 0).into()
        }
    };
    socket.bind(&bind_addr.into()).map_err(io_err(&format!(
        "binding port {} (is another program holding it without SO_REUSEPORT?)",
        s.port
    )))?;
    match (&s.group, &s.interface) {
        (IpAddr::V4(g), Interface::V4(a)) => {
            socket.join_multicast_v4(g, a).map_err(|e| {
                invalid(format!("cannot join {g} on interface {a}: {e} (is {a} an address of this host?)"))
            })?;
            // A wildcard-bound socket would otherwise also get datagrams for every other group any
            // socket on the host joined on this port.
            socket.set_multicast_all_v4(false).map_err(io_err("IP_MULTICAST_ALL"))?;
        }
        (IpAddr::V6(g), Interface::V6 { index, name }) => {
            socket
                .join_multicast_v6(g, *index)
                .map_err(|e| invalid(format!("cannot join {g} on interface {name}: {e}")))?;
            socket.set_multicast_all_v6(false).map_err(io_err("IPV6_MULTICAST_ALL"))?;
        }
        // Settings::from_config picks the interface kind from the group's family.
        _ => return Err(invalid("interface and group are of different IP versions")),
    }
    Ok(socket)
}

/// The sending socket: bound to an ephemeral port on the interface address, so its datagrams can
/// be recognised as this bus's own, and connected to the group, so the route is checked at open.
fn send_socket(s: &Settings) -> Result<(Socket, SocketAddr), BusError> {
    let io_err =
        |what: &'static str| move |e| BusError::io(format!("{INTERFACE} {}:{}: {what}", s.group, s.port), e);
    let domain = if s.group.is_ipv4() { Domain::IPV4 } else { Domain::IPV6 };
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(io_err("creating socket"))?;
    socket.set_nonblocking(true).map_err(io_err("non-blocking mode"))?;
    let (local, dest): (SocketAddr, SocketAddr) = match (&s.group, &s.interface) {
        (IpAddr::V4(g), Interface::V4(a)) => {
            socket.set_multicast_if_v4(a).map_err(|e| {
                invalid(format!("multicast_interface {a}: {e} (is it an address of this host?)"))
            })?;
            socket.set_multicast_ttl_v4(s.ttl).map_err(io_err("IP_MULTICAST_TTL"))?;
            socket.set_multicast_loop_v4(true).map_err(io_err("IP_MULTICAST_LOOP"))?;
            (SocketAddrV4::new(*a, 0).into(), SocketAddrV4::new(*g, s.port).into())
        }
        (IpAddr::V6(g), Interface::V6 { index, name }) => {
            socket
                .set_multicast_if_v6(*index)
                .map_err(|e| invalid(format!("multicast_interface {name}: {e}")))?;
            socket.set_multicast_hops_v6(s.ttl).map_err(io_err("IPV6_MULTICAST_HOPS"))?;
            socket.set_multicast_loop_v6(true).map_err(io_err("IPV6_MULTICAST_LOOP"))?;
            // On loopback the source is ::1; elsewhere let the kernel choose (own-frame detection
            // then goes by port).
            let src = if Some(*index) == interface_index("lo") {
                Ipv6Addr::LOCALHOST
            } else {
                Ipv6Addr::UNSPECIFIED
            };
            (SocketAddrV6::new(src, 0, 0, 0).into(), SocketAddrV6::new(*g, s.port, 0, *index).into())
        }
        _ => return Err(invalid("interface and group are of different IP versions")),
    };
    socket.bind(&local.into()).map_err(|e| {
        invalid(format!(
            "cannot send from {}: {e} (multicast_interface must be an address of this host)",
            local.ip()
        ))
    })?;
    socket.connect(&dest.into()).map_err(|e| {
        if e.raw_os_error() == Some(libc::ENETUNREACH) {
            invalid(format!(
                "no multicast route to {} via {}: {e}. Loopback here has no MULTICAST flag, so IPv6 \
                 groups cannot stay on the host; use an IPv4 group such as {DEFAULT_GROUP_V4}, or \
                 set multicast_interface to a multicast-capable interface",
                s.group,
                match &s.interface {
                    Interface::V4(a) => a.to_string(),
                    Interface::V6 { name, .. } => name.clone(),
                }
            ))
        } else {
            BusError::io(format!("{INTERFACE} connecting to {dest}"), e)
        }
    })?;
    let own = socket
        .local_addr()
        .map_err(io_err("getsockname"))?
        .as_socket()
        .ok_or_else(|| invalid("sending socket has no IP address"))?;
    Ok((socket, own))
}

/// Buffers and bookkeeping of the receive path, reused for every datagram.
struct ReceiveState {
    /// Datagrams are read many per `recvmmsg`.
    batch: socket_io::ReceiveBatch,
    /// The kernel's cumulative drop counter as last reported, to report only new drops.
    drops: DropCounter,
    /// Events read from the socket but not yet delivered, oldest first: an event decoded
    /// together with a drop report (delivered right after it), and what [`UdpMulticastBus::send`]
    /// read while draining this bus's own echoes (see [`UdpMulticastBus::absorb`]).
    pending: VecDeque<BusEvent>,
}

/// Events [`UdpMulticastBus::absorb`] keeps for the receiver at most; beyond, the socket's buffer
/// holds them.
const ABSORBED: usize = 1024;
/// Datagrams read with one `recvmmsg` at most.
const DATAGRAMS_PER_CALL: usize = 32;
/// A send absorbs (see [`UdpMulticastBus::absorb`]) after this many sends: one `recvmmsg` takes
/// the echoes of several.
const ABSORB_EVERY: u64 = 8;

/// A python-can compatible UDP multicast bus. See the module docs.
pub struct UdpMulticastBus {
    settings: Settings,
    receiver: AsyncFd<Socket>,
    /// Not registered with the reactor: see [`socket_io::send_when_writable`].
    sender: Socket,
    /// Source address of this bus's own datagrams (the sending socket's local address).
    own: SocketAddr,
    fd: bool,
    receive_own: bool,
    /// Only one receiver at a time decodes (recv and try_recv may race from different tasks);
    /// the lock is never held across an await.
    state: Mutex<Box<ReceiveState>>,
    /// [`UdpMulticastBus::absorb`] left events for the receiver.
    absorbed: Notify,
    received: AtomicU64,
    /// `received` at the last idle-time drop check ([`socket_io::idle_check_due`]).
    idle_checked_at: AtomicU64,
    sent: AtomicU64,
    dropped: AtomicU64,
    invalid: AtomicU64,
}

impl UdpMulticastBus {
    /// Open the sockets. Must run inside a tokio runtime (for the reactor registration).
    pub fn open(config: &BusConfig) -> Result<Self, BusError> {
        let settings = Settings::from_config(config)?;
        let receiver = receive_socket(&settings)?;
        let (sender, own) = send_socket(&settings)?;
        // AsyncFd registration panics outside a runtime; make that an error instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(BusError::io(
                format!("{INTERFACE}: opening the bus"),
                io::Error::other("must be called inside a tokio runtime"),
            ));
        }
        let register =
            |e: io::Error| BusError::io(format!("{INTERFACE}: registering with the tokio reactor"), e);
        // SAFETY: the AsyncFds own the sockets, so each descriptor stays open and unchanged for
        // the AsyncFd's whole life.
        let receiver = unsafe { AsyncFd::register_with_interest(receiver, Interest::READABLE) }
            .map_err(|e| register(e.into()))?;
        Ok(UdpMulticastBus {
            receiver,
            sender,
            own,
            fd: config.fd,
            receive_own: config.receive_own_messages,
            state: Mutex::new(Box::new(ReceiveState {
                batch: socket_io::ReceiveBatch::new(DATAGRAMS_PER_CALL, MAX_DATAGRAM),
                drops: DropCounter::default(),
                pending: VecDeque::new(),
            })),
            absorbed: Notify::new(),
            received: AtomicU64::new(0),
            idle_checked_at: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
            settings,
        })
    }

    pub async fn send(&self, frame: &Frame) -> Result<(), BusError> {
        if frame.is_fd() && !self.fd {
            return Err(BusError::Unsupported {
                interface: INTERFACE.to_string(),
                message: "CAN FD frame on a bus opened without FD".to_string(),
            });
        }
        let mut buf = [0u8; ENCODE_BUFFER];
        let len = encode_frame(frame, &mut buf).map_err(|e| BusError::Unsupported {
            interface: INTERFACE.to_string(),
            message: e.to_string(),
        })?;
        let datagram = &buf[..len];
        socket_io::send_when_writable(self.sender.as_raw_fd(), || self.sender.send(datagram)).await.map_err(
            |e| {
                BusError::io(
                    format!("{INTERFACE}: sending to {}:{}", self.settings.group, self.settings.port),
                    e,
                )
            },
        )?;
        if self.sent.fetch_add(1, Ordering::Relaxed) % ABSORB_EVERY == ABSORB_EVERY - 1 {
            self.absorb();
        }
        Ok(())
    }

    /// Every [`ABSORB_EVERY`] sends, read what the socket has queued (mostly the echoes of the
    /// frames just sent) into the pending events, unless a receiver is reading.
    ///
    /// Every socket joined to the group receives every datagram, this bus's own included. A
    /// burst of sends from a task that keeps the receiver from running (a server answering many
    /// requests on one thread) would fill the socket's buffer with own echoes, which are only
    /// discarded, and the kernel would then drop datagrams and report them as lost frames. Reading
    /// here keeps the buffer drained: own echoes are discarded at once, other events wait in order
    /// for the receiver, which [`UdpMulticastBus::recv`] wakes for them (their datagrams no longer
    /// make the socket readable).
    fn absorb(&self) {
        // A receiver holding the lock is draining the socket itself.
        let Ok(mut guard) = self.state.try_lock() else { return };
        let state = &mut **guard;
        if state.pending.len() < ABSORBED {
            // Empty, or an error: the receive socket is not connected, so the kernel reports none
            // to it that this read could take from the receiver.
            let _ = self.read_batch(state);
        }
        if !state.pending.is_empty() {
            self.absorbed.notify_one();
        }
    }

    pub async fn recv(&self) -> Result<BusEvent, BusError> {
        loop {
            // What a send absorbed from the socket no longer makes it readable: wait for either.
            let mut guard = tokio::select! {
                ready = self.receiver.readable() => {
                    ready.map_err(|e| BusError::io(format!("{INTERFACE}: waiting to receive"), e))?
                }
                () = self.absorbed.notified() => {
                    match self.next_event() {
                        Ok(event) => return Ok(event),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        Err(e) => return Err(self.receive_error(e)),
                    }
                }
            };
            match guard.try_io(|_| self.next_event()) {
                Ok(Ok(event)) => return Ok(event),
                Ok(Err(e)) => return Err(self.receive_error(e)),
                // Readiness was stale: try_io cleared it, wait for the next datagram.
                Err(_would_block) => continue,
            }
        }
    }

    pub fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        match self.next_event() {
            Ok(event) => Ok(Some(event)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(self.receive_error(e)),
        }
    }

    fn receive_error(&self, e: io::Error) -> BusError {
        BusError::io(format!("{INTERFACE}: receiving on {}:{}", self.settings.group, self.settings.port), e)
    }

    /// Read datagrams until one yields an event (own frames and FD frames on a classic bus are
    /// skipped); `WouldBlock` when the socket is empty.
    fn next_event(&self) -> io::Result<BusEvent> {
        // The state holds only buffers and counters, consistent after any panic.
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *guard;
        if let Some(event) = state.pending.pop_front() {
            // What a send absorbed is announced once; when more than this event was waiting,
            // announce the rest too, or a receiver (the hub's reader takes a batch at most per
            // wake) would wait for the next datagram with events in hand.
            if !state.pending.is_empty() {
                self.absorbed.notify_one();
            }
            return Ok(event);
        }
        let fd = self.receiver.as_raw_fd();
        loop {
            if let Err(e) = self.read_batch(state) {
                if e.kind() == io::ErrorKind::WouldBlock {
                    // Drained: report losses no queued datagram told us about yet.
                    let due = socket_io::idle_check_due(
                        self.received.load(Ordering::Relaxed),
                        &self.idle_checked_at,
                    );
                    if let Some(new_drops) = due
                        .then(|| socket_io::socket_drops(fd))
                        .flatten()
                        .and_then(|n| state.drops.new_drops(n))
                    {
                        return Ok(self.dropped_event(new_drops));
                    }
                }
                return Err(e);
            }
            if let Some(event) = state.pending.pop_front() {
                return Ok(event);
            }
        }
    }

    /// Read what the socket has queued (one `recvmmsg`) and append the events it makes to the
    /// pending ones; `WouldBlock` when nothing was queued.
    fn read_batch(&self, state: &mut ReceiveState) -> io::Result<()> {
        // MSG_TRUNC: the lengths returned are the datagrams', so oversize ones can be reported.
        let n = state.batch.receive(self.receiver.as_raw_fd(), libc::MSG_TRUNC)?;
        for i in 0..n {
            let (datagram, d) = state.batch.get(i);
            let event = self.classify(datagram, d);
            if let Some(new_drops) = d.overflow.and_then(|n| state.drops.new_drops(n)) {
                // The loss happened before this datagram was queued, so report it first.
                state.pending.push_back(self.dropped_event(new_drops));
            }
            state.pending.extend(event);
        }
        Ok(())
    }

    fn dropped_event(&self, count: u32) -> BusEvent {
        self.dropped.fetch_add(count as u64, Ordering::Relaxed);
        BusEvent::Dropped { count: count as u64 }
    }

    /// Turn a received datagram into the event the caller sees, if any.
    fn classify(&self, datagram: &[u8], d: &Received) -> Option<BusEvent> {
        let own = d.source.is_some_and(|s| is_own(s, self.own));
        if own && !self.receive_own {
            return None;
        }
        let result = if d.len > datagram.len() {
            Err(WireError::Oversize { len: d.len, max: MAX_DATAGRAM })
        } else {
            decode_frame(datagram, self.fd)
        };
        match result {
            Ok(Some(frame)) => {
                self.received.fetch_add(1, Ordering::Relaxed);
                let time = d.timestamp.unwrap_or_else(Timestamp::now);
                let direction = if own { Direction::Tx } else { Direction::Rx };
                Some(BusEvent::Frame(frame.with_timestamp(time).with_direction(direction)))
            }
            Ok(None) => None,
            Err(e) => {
                self.invalid.fetch_add(1, Ordering::Relaxed);
                let source = d.source.map_or_else(|| "unknown sender".to_string(), |s| s.to_string());
                Some(BusEvent::Invalid { source, reason: e.to_string() })
            }
        }
    }

    pub fn stats(&self) -> BusStats {
        BusStats {
            received: self.received.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            invalid: self.invalid.load(Ordering::Relaxed),
        }
    }

    pub fn describe(&self) -> String {
        self.settings.describe()
    }
}

/// Whether a datagram from `source` came from our sending socket bound at `own`. When that socket
/// was bound to a wildcard address the kernel picked the source, so only the port can tell.
fn is_own(source: SocketAddr, own: SocketAddr) -> bool {
    source.port() == own.port() && (own.ip().is_unspecified() || source.ip() == own.ip())
}

/// This backend in the registry ([`super::backend::BUILTIN`]).
pub const ENTRY: BackendEntry = BackendEntry {
    name: "udp_multicast",
    aliases: &["udp-multicast", "udp"],
    open: |config| Ok(Box::new(UdpMulticastBus::open(config)?)),
};

impl Backend for UdpMulticastBus {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(async move { UdpMulticastBus::send(self, frame).await })
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(UdpMulticastBus::recv(self))
    }

    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        UdpMulticastBus::try_recv(self)
    }

    fn stop_receiving(&mut self) -> Result<(), BusError> {
        // Leaving the group stops the kernel from delivering the bus's datagrams to this socket.
        let socket = self.receiver.get_ref();
        let left = match (&self.settings.group, &self.settings.interface) {
            (IpAddr::V4(g), Interface::V4(a)) => socket.leave_multicast_v4(g, a),
            (IpAddr::V6(g), Interface::V6 { index, .. }) => socket.leave_multicast_v6(g, *index),
            _ => Ok(()),
        };
        left.map_err(|e| BusError::io(format!("{INTERFACE}: leaving {}", self.settings.group), e))
    }

    fn stats(&self) -> BusStats {
        UdpMulticastBus::stats(self)
    }

    fn describe(&self) -> String {
        UdpMulticastBus::describe(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Vectors produced by python-can 4.6.1 + msgpack 1.1 (`pack_message`); the first is the spec's.
    const VECTOR_CLASSIC: &str = "8ba974696d657374616d70cb3ff8000000000000ae6172626974726174696f6e5f6964cd0123ae69735f657874656e6465645f6964c2af69735f72656d6f74655f6672616d65c2ae69735f6572726f725f6672616d65c2a76368616e6e656cc0a3646c6304a464617461c404deadbeefa569735f6664c2ae626974726174655f737769746368c2b56572726f725f73746174655f696e64696361746f72c2";
    const VECTOR_FD: &str = "8ba974696d657374616d70cb0000000000000000ae6172626974726174696f6e5f6964ce1abcdef0ae69735f657874656e6465645f6964c3af69735f72656d6f74655f6672616d65c2ae69735f6572726f725f6672616d65c2a76368616e6e656ca57663616e30a3646c630ca464617461c40c000102030405060708090a0ba569735f6664c3ae626974726174655f737769746368c3b56572726f725f73746174655f696e64696361746f72c2";
    const VECTOR_REMOTE: &str = "8ba974696d657374616d70cb0000000000000000ae6172626974726174696f6e5f6964cd07ffae69735f657874656e6465645f6964c2af69735f72656d6f74655f6672616d65c3ae69735f6572726f725f6672616d65c2a76368616e6e656cc0a3646c6308a464617461c400a569735f6664c2ae626974726174655f737769746368c2b56572726f725f73746174655f696e64696361746f72c2";
    const VECTOR_ERROR: &str = "8ba974696d657374616d70cb0000000000000000ae6172626974726174696f6e5f696404ae69735f657874656e6465645f6964c3af69735f72656d6f74655f6672616d65c2ae69735f6572726f725f6672616d65c3a76368616e6e656c02a3646c6308a464617461c4080004000000000000a569735f6664c2ae626974726174655f737769746368c2b56572726f725f73746174655f696e64696361746f72c2";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn encode(frame: &Frame) -> Vec<u8> {
        let mut buf = [0u8; ENCODE_BUFFER];
        let n = encode_frame(frame, &mut buf).unwrap();
        buf[..n].to_vec()
    }

    fn vector_frames() -> [(Frame, &'static str); 4] {
        [
            (
                Frame::new_data(0x123, false, &[0xde, 0xad, 0xbe, 0xef])
                    .unwrap()
                    .with_timestamp(Timestamp::from_secs_f64(1.5)),
                VECTOR_CLASSIC,
            ),
            (
                Frame::new_fd(0x1ABC_DEF0, true, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], true, false)
                    .unwrap()
                    .with_channel(Channel::name("vcan0")),
                VECTOR_FD,
            ),
            (Frame::new_remote(0x7FF, false, 8).unwrap(), VECTOR_REMOTE),
            (
                Frame::new_error(0x4, [0, 4, 0, 0, 0, 0, 0, 0]).unwrap().with_channel(Channel::number(2)),
                VECTOR_ERROR,
            ),
        ]
    }

    #[test]
    fn frames_encode_byte_exact_like_python_can() {
        for (frame, vector) in vector_frames() {
            assert_eq!(encode(&frame), hex(vector), "{frame:?}");
        }
        assert_eq!(hex(VECTOR_CLASSIC).len(), 158);
        assert_eq!(hex(VECTOR_FD).len(), 173);
    }

    #[test]
    fn python_can_vectors_decode_to_the_same_frames() {
        for (frame, vector) in vector_frames() {
            let got = decode_frame(&hex(vector), true).unwrap().unwrap();
            // The sender's timestamp is not kept: the receiver stamps frames.
            assert_eq!(got, frame.with_timestamp(Timestamp::ZERO));
        }
    }

    #[test]
    fn largest_frame_fits_the_encode_buffer() {
        let f = Frame::new_fd(0x1FFF_FFFF, true, &[0xAA; 64], true, true)
            .unwrap()
            .with_channel(Channel::name(&"c".repeat(40)))
            .with_timestamp(Timestamp::now());
        let bytes = encode(&f);
        assert!(bytes.len() < 260, "{}", bytes.len());
        assert_eq!(decode_frame(&bytes, true).unwrap().unwrap(), f.with_timestamp(Timestamp::ZERO));
    }

    /// Writes one field value.
    type FieldWriter<'f> = &'f dyn Fn(&mut Writer) -> Result<(), BufferFull>;

    /// Build a datagram from (key, writer) pairs, for variants python-can itself would not produce.
    fn datagram(fields: &[(&str, FieldWriter)]) -> Vec<u8> {
        let mut buf = [0u8; 1024];
        let mut w = Writer::new(&mut buf);
        w.map_header(fields.len()).unwrap();
        for (k, v) in fields {
            w.str(k).unwrap();
            v(&mut w).unwrap();
        }
        w.as_bytes().to_vec()
    }

    #[test]
    fn decoder_accepts_other_widths_types_and_unknown_keys() {
        let d = datagram(&[
            ("timestamp", &|w| w.f32(2.5)),
            ("future_key", &|w| {
                w.array_header(2)?;
                w.map_header(0)?;
                w.nil()
            }),
            ("arbitration_id", &|w| w.uint(0x7)),
            ("is_extended_id", &|w| w.bool(false)),
            ("channel", &|w| w.str("can1")),
            ("data", &|w| w.bin(&[9])),
        ]);
        assert_eq!(
            decode_frame(&d, true).unwrap().unwrap(),
            Frame::new_data(7, false, &[9]).unwrap().with_channel(Channel::name("can1"))
        );
        let d = datagram(&[("arbitration_id", &|w| w.f64(1.0))]);
        assert!(matches!(decode_frame(&d, true), Err(WireError::WrongType { key: "arbitration_id", .. })));

        let mut raw = hex(VECTOR_CLASSIC);
        // Re-encode arbitration_id 0x123 as uint64 (cf) instead of uint16 (cd).
        let at = raw.windows(3).position(|w| w == [0xcd, 0x01, 0x23]).unwrap();
        raw.splice(at..at + 3, [0xcf, 0, 0, 0, 0, 0, 0, 0x01, 0x23]);
        assert_eq!(decode_frame(&raw, true).unwrap().unwrap().id(), 0x123);

        let d = datagram(&[
            ("timestamp", &|w| w.int(7)),
            ("arbitration_id", &|w| w.uint(5)),
            ("channel", &|w| w.uint(3)),
            ("data", &|w| {
                w.array_header(2)?;
                w.uint(1)?;
                w.uint(255)
            }),
            ("extra", &|w| w.str("ignored")),
        ]);
        let f = decode_frame(&d, true).unwrap().unwrap();
        // can.Message defaults: extended id, dlc = len(data).
        assert_eq!(f, Frame::new_data(5, true, &[1, 255]).unwrap().with_channel(Channel::number(3)));

        let d = datagram(&[
            ("arbitration_id", &|w| w.uint(0x10)),
            ("is_extended_id", &|w| w.bool(false)),
            ("data", &|w| w.str("AB")),
        ]);
        assert_eq!(decode_frame(&d, true).unwrap().unwrap().data(), b"AB");
    }

    #[test]
    fn fd_byte_counts_that_are_not_fd_lengths_are_padded() {
        let d = datagram(&[
            ("arbitration_id", &|w| w.uint(0x10)),
            ("dlc", &|w| w.uint(9)),
            ("data", &|w| w.bin(&[1; 9])),
            ("is_fd", &|w| w.bool(true)),
        ]);
        let f = decode_frame(&d, true).unwrap().unwrap();
        assert_eq!(f.len(), 12);
        assert_eq!(&f.data()[..10], &[1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
        // A bus without FD drops FD frames silently, as python-can does.
        assert_eq!(decode_frame(&d, false), Ok(None));
    }

    #[test]
    fn garbage_and_python_can_rule_violations_are_typed_errors() {
        let bad: Vec<(Vec<u8>, &str)> = vec![
            (vec![0xc1], "not msgpack"),
            (b"hello world".to_vec(), "not a python-can message"),
            (vec![0x92, 1, 2], "expected a msgpack map, found array"),
            (hex(VECTOR_CLASSIC)[..50].to_vec(), "ends early"),
            ([hex(VECTOR_CLASSIC), vec![0]].concat(), "1 bytes after the msgpack map"),
            (datagram(&[("dlc", &|w| w.uint(0))]), "'arbitration_id' is missing"),
            (
                datagram(&[("arbitration_id", &|w| w.uint(0x800)), ("is_extended_id", &|w| w.bool(false))]),
                "less than 2^11",
            ),
            (datagram(&[("arbitration_id", &|w| w.uint(0x2000_0000))]), "less than 2^29"),
            (datagram(&[("arbitration_id", &|w| w.int(-1))]), "may not be negative"),
            (
                datagram(&[
                    ("arbitration_id", &|w| w.uint(1)),
                    ("is_remote_frame", &|w| w.bool(true)),
                    ("is_fd", &|w| w.bool(true)),
                ]),
                "CAN FD does not support remote frames",
            ),
            (
                datagram(&[
                    ("arbitration_id", &|w| w.uint(1)),
                    ("is_remote_frame", &|w| w.bool(true)),
                    ("is_error_frame", &|w| w.bool(true)),
                ]),
                "remote and an error frame",
            ),
            (
                datagram(&[
                    ("arbitration_id", &|w| w.uint(1)),
                    ("dlc", &|w| w.uint(3)),
                    ("data", &|w| w.bin(&[1])),
                ]),
                "must match up",
            ),
            (datagram(&[("arbitration_id", &|w| w.uint(1)), ("data", &|w| w.bin(&[0; 9]))]), "<= 8"),
            (
                datagram(&[
                    ("arbitration_id", &|w| w.uint(1)),
                    ("is_fd", &|w| w.bool(true)),
                    ("data", &|w| w.bin(&[0; 65])),
                ]),
                "<= 64",
            ),
            (
                datagram(&[("arbitration_id", &|w| w.uint(1)), ("bitrate_switch", &|w| w.bool(true))]),
                "bitrate switch is only allowed",
            ),
            (
                datagram(&[("arbitration_id", &|w| w.uint(1)), ("error_state_indicator", &|w| w.bool(true))]),
                "error state indicator is only allowed",
            ),
            (datagram(&[("arbitration_id", &|w| w.uint(1)), ("is_fd", &|w| w.str("yes"))]), "should be bool"),
            (
                datagram(&[
                    ("arbitration_id", &|w| w.uint(1)),
                    ("data", &|w| {
                        w.array_header(1)?;
                        w.uint(256)
                    }),
                ]),
                "not a byte",
            ),
        ];
        for (bytes, want) in bad {
            match decode_frame(&bytes, true) {
                Err(e) => assert!(e.to_string().contains(want), "{e} should mention {want:?}"),
                other => panic!("{bytes:02x?} decoded to {other:?}, expected an error mentioning {want:?}"),
            }
        }
    }

    #[test]
    fn remote_frames_ignore_data_like_python_can() {
        let d = datagram(&[
            ("arbitration_id", &|w| w.uint(0x20)),
            ("is_remote_frame", &|w| w.bool(true)),
            ("dlc", &|w| w.uint(3)),
            ("data", &|w| w.bin(&[1, 2])),
        ]);
        assert_eq!(decode_frame(&d, true).unwrap().unwrap(), Frame::new_remote(0x20, true, 3).unwrap());
    }

    // ---- sockets ----

    /// A port no other test (or process) is using right now, so parallel tests do not see each
    /// other's traffic.
    fn free_port() -> u16 {
        std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    fn config(port: u16) -> BusConfig {
        let mut c = BusConfig::new("udp_multicast", None);
        c.options.insert("port".into(), port.to_string());
        c
    }

    async fn next_frame(bus: &UdpMulticastBus) -> Frame {
        match tokio::time::timeout(Duration::from_secs(5), bus.recv()).await {
            Ok(Ok(BusEvent::Frame(f))) => f,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    fn all_kinds() -> Vec<Frame> {
        vec![
            Frame::new_data(0x123, false, &[0xde, 0xad, 0xbe, 0xef]).unwrap(),
            Frame::new_data(0x7FF, false, &[]).unwrap(),
            Frame::new_data(0x1ABC_DEF0, true, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap(),
            Frame::new_data(0x5, true, &[0x11]).unwrap().with_channel(Channel::name("vcan0")),
            Frame::new_remote(0x321, false, 3).unwrap(),
            Frame::new_remote(0x18DA_F110, true, 8).unwrap(),
            Frame::new_fd(0x456, false, &[7; 12], true, false).unwrap(),
            Frame::new_fd(0x1FFF_FFFF, true, &core::array::from_fn::<u8, 64, _>(|i| i as u8), true, true)
                .unwrap(),
            Frame::new_fd(0x10, false, &[], false, true).unwrap().with_channel(Channel::number(2)),
            Frame::new_error(0x0000_0004 | 0x0000_0040, [0, 0x10, 0, 0, 0, 0, 0x7f, 0]).unwrap(),
        ]
    }

    #[tokio::test]
    async fn two_buses_exchange_every_frame_kind_without_echo() {
        let cfg = config(free_port());
        let a = UdpMulticastBus::open(&cfg).unwrap();
        let b = UdpMulticastBus::open(&cfg).unwrap();
        let before = Timestamp::now();
        for f in all_kinds() {
            a.send(&f).await.unwrap();
        }
        for want in all_kinds() {
            let got = next_frame(&b).await;
            assert!(got.timestamp >= before && got.timestamp <= Timestamp::now(), "{got:?}");
            assert_eq!(got.direction, Direction::Rx);
            assert_eq!(got.with_timestamp(Timestamp::ZERO), want);
        }
        // The sender does not hear itself.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(a.try_recv().unwrap().is_none());
        assert_eq!(a.stats().sent, all_kinds().len() as u64);
        assert_eq!(b.stats().received, all_kinds().len() as u64);
    }

    #[tokio::test]
    async fn receive_own_messages_delivers_them_as_tx() {
        let mut cfg = config(free_port());
        cfg.receive_own_messages = true;
        let a = UdpMulticastBus::open(&cfg).unwrap();
        let f = Frame::new_data(0x42, false, &[1]).unwrap();
        a.send(&f).await.unwrap();
        let got = next_frame(&a).await;
        assert_eq!(got.direction, Direction::Tx);
        assert_eq!(got.with_timestamp(Timestamp::ZERO).with_direction(Direction::Rx), f);
    }

    #[tokio::test]
    async fn garbage_on_the_group_is_reported_and_counted_not_fatal() {
        let cfg = config(free_port());
        let port: u16 = cfg.options["port"].parse().unwrap();
        let bus = UdpMulticastBus::open(&cfg).unwrap();
        let raw = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        raw.set_multicast_ttl_v4(0).unwrap();
        let sender = raw.local_addr().unwrap();
        let dest = (DEFAULT_GROUP_V4, port);
        raw.send_to(b"\xc1 not msgpack", dest).unwrap();
        raw.send_to(&vec![0x90; MAX_DATAGRAM + 10], dest).unwrap();
        raw.send_to(&hex(VECTOR_CLASSIC), dest).unwrap();
        for expected in ["not msgpack", "longer than python-can's 4096-byte limit"] {
            match tokio::time::timeout(Duration::from_secs(5), bus.recv()).await.unwrap().unwrap() {
                BusEvent::Invalid { source, reason } => {
                    assert_eq!(source, sender.to_string());
                    assert!(reason.contains(expected), "{reason}");
                }
                other => panic!("expected Invalid, got {other:?}"),
            }
        }
        assert_eq!(next_frame(&bus).await.id(), 0x123);
        assert_eq!(bus.stats().invalid, 2);
        assert_eq!(bus.stats().received, 1);
    }

    #[tokio::test]
    async fn a_burst_of_sends_is_not_reported_as_lost_frames() {
        // The sender never reads while it sends: its own echoes would fill its socket's buffer
        // (as in the test below) and be reported as lost; sending absorbs them instead, and keeps
        // what others sent, in order.
        let cfg = config(free_port());
        let a = UdpMulticastBus::open(&cfg).unwrap();
        let b = UdpMulticastBus::open(&cfg).unwrap();
        let first = Frame::new_data(0x7E8, false, &[1]).unwrap();
        let last = Frame::new_data(0x7E9, false, &[2]).unwrap();
        b.send(&first).await.unwrap();
        for i in 0..150_000u32 {
            a.send(&Frame::new_data(i % 0x800, false, &[1]).unwrap()).await.unwrap();
        }
        b.send(&last).await.unwrap();
        let mut got = Vec::new();
        while let Ok(event) = tokio::time::timeout(Duration::from_millis(300), a.recv()).await {
            got.push(match event.unwrap() {
                BusEvent::Frame(f) => format!("{:?}", f.with_timestamp(Timestamp::ZERO)),
                other => format!("{other:?}"),
            });
        }
        let want = [first, last].map(|f| format!("{f:?}"));
        assert_eq!(got, want);
        assert_eq!(a.stats().dropped, 0);
    }

    #[tokio::test]
    async fn socket_buffer_overflow_is_reported_as_dropped_frames() {
        let cfg = config(free_port());
        let a = UdpMulticastBus::open(&cfg).unwrap();
        let b = UdpMulticastBus::open(&cfg).unwrap();
        // Far more than a 32 MiB buffer holds (each datagram costs about 1 KiB of kernel memory).
        let sent = 150_000u64;
        for i in 0..sent {
            a.send(&Frame::new_data((i % 0x800) as u32, false, &[1]).unwrap()).await.unwrap();
        }
        let (mut frames, mut dropped, mut dropped_events) = (0u64, 0u64, 0);
        loop {
            match tokio::time::timeout(Duration::from_millis(200), b.recv()).await {
                Ok(Ok(BusEvent::Frame(_))) => frames += 1,
                Ok(Ok(BusEvent::Dropped { count })) => {
                    dropped += count;
                    dropped_events += 1;
                }
                Ok(other) => panic!("{other:?}"),
                Err(_) => break,
            }
        }
        assert!(dropped > 0 && dropped_events >= 1, "nothing dropped: {frames} frames");
        assert_eq!(frames + dropped, sent);
        assert_eq!(b.stats().dropped, dropped);
    }

    #[tokio::test]
    async fn classic_bus_refuses_to_send_fd_and_drops_received_fd() {
        let mut cfg = config(free_port());
        let fd_bus = UdpMulticastBus::open(&cfg).unwrap();
        cfg.fd = false;
        let classic = UdpMulticastBus::open(&cfg).unwrap();
        let fd_frame = Frame::new_fd(0x1, false, &[1; 12], true, false).unwrap();
        assert!(matches!(classic.send(&fd_frame).await, Err(BusError::Unsupported { .. })));
        fd_bus.send(&fd_frame).await.unwrap();
        fd_bus.send(&Frame::new_data(0x2, false, &[2]).unwrap()).await.unwrap();
        assert_eq!(next_frame(&classic).await.id(), 0x2);
    }

    #[tokio::test]
    async fn try_recv_drains_without_waiting() {
        let cfg = config(free_port());
        let a = UdpMulticastBus::open(&cfg).unwrap();
        let b = UdpMulticastBus::open(&cfg).unwrap();
        assert!(b.try_recv().unwrap().is_none());
        for i in 0..100u32 {
            a.send(&Frame::new_data(i, false, &i.to_le_bytes()).unwrap()).await.unwrap();
        }
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while got.len() < 100 && std::time::Instant::now() < deadline {
            match b.try_recv().unwrap() {
                Some(BusEvent::Frame(f)) => got.push(f.id()),
                Some(other) => panic!("{other:?}"),
                None => tokio::task::yield_now().await,
            }
        }
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn settings_follow_python_can_keywords_and_reject_nonsense() {
        let s = Settings::from_config(&BusConfig::default()).unwrap();
        assert_eq!(s.describe(), "udp_multicast 239.74.163.2:43113 (interface 127.0.0.1, ttl 0)");
        let mut c = BusConfig::new("udp_multicast", Some("239.1.2.3"));
        c.options.insert("port".into(), "5000".into());
        c.options.insert("hop_limit".into(), "1".into());
        c.options.insert("multicast_interface".into(), "192.0.2.2".into());
        assert_eq!(
            Settings::from_config(&c).unwrap().describe(),
            "udp_multicast 239.1.2.3:5000 (interface 192.0.2.2, ttl 1)"
        );
        for (channel, option, message) in [
            (Some("10.0.0.1"), None, "not a multicast group"),
            (Some("vcan0"), None, "not an IP address"),
            (None, Some(("port", "http")), "not a port number"),
            (None, Some(("ttl", "300")), "0-255"),
            (None, Some(("multicast_interface", "eth0")), "not an IPv4 address"),
            (Some("ff11::1"), Some(("multicast_interface", "no-such-if0")), "no such interface"),
        ] {
            let mut c = BusConfig::new("udp_multicast", channel);
            if let Some((k, v)) = option {
                c.options.insert(k.into(), v.into());
            }
            match Settings::from_config(&c) {
                Err(BusError::InvalidConfig { message: m, .. }) => assert!(m.contains(message), "{m}"),
                other => panic!("{channel:?} {option:?}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn unusable_groups_and_interfaces_fail_at_open_with_a_reason() {
        let mut c = config(free_port());
        c.options.insert("multicast_interface".into(), "192.0.2.254".into());
        match UdpMulticastBus::open(&c) {
            Err(BusError::InvalidConfig { message, .. }) => {
                assert!(message.contains("192.0.2.254"), "{message}")
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("opened on a foreign address"),
        }
        // IPv6 on a loopback without multicast: either it works here, or it says why.
        let mut c = BusConfig::new("udp_multicast", Some("ff11:7079:7468:6f6e:6465:6d6f:6d63:6173"));
        c.options.insert("port".into(), free_port().to_string());
        match UdpMulticastBus::open(&c) {
            Ok(bus) => assert!(bus.describe().contains("interface lo, hop limit 0")),
            Err(BusError::InvalidConfig { message, .. }) => {
                assert!(message.contains("IPv4 group"), "{message}")
            }
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn opening_outside_a_runtime_is_an_error_not_a_panic() {
        assert!(matches!(UdpMulticastBus::open(&config(free_port())), Err(BusError::Io { .. })));
    }
}
