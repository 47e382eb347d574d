//! `socketcan`: Linux SocketCAN raw sockets (`CAN_RAW`), classic CAN and CAN FD, one interface per
//! bus (`vcan0`, `can0`).
//!
//! The socket is opened and configured through the `socketcan` crate; frames are then moved with
//! plain `recvmsg`/`write` on its descriptor under tokio's [`AsyncFd`], because only `recvmsg`
//! gives what a logger needs besides the frame: the kernel receive timestamp (`SO_TIMESTAMPNS`),
//! the socket's overflow counter (`SO_RXQ_OVFL`, reported as [`BusEvent::Dropped`]) and whether
//! this host sent the frame (`MSG_DONTROUTE`, as `candump -x` shows it). Nothing is allocated per
//! frame: the kernel structs and the control buffer live on the stack.
//!
//! Error frames arrive by default (`CAN_ERR_MASK`) and become [`Frame::new_error`] values, followed
//! by a [`BusEvent::State`] when [`crate::error_frame::bus_state`] says the controller state
//! changed. Filters are installed in the kernel by [`SocketCanBus::set_kernel_filter`]; the
//! generic [`super::Bus`] applies the full filter in user space as well.
//!
//! Bit rates and controller setup are left to `ip link`: a raw socket cannot change them.

use std::collections::VecDeque;
use std::ffi::CString;
use std::io;
use std::mem;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use socketcan::{CanFdSocket, CanFilter, CanSocket, Socket, SocketOptions};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::socket_io::{self, DropCounter};
use super::{Backend, BackendEntry, BusConfig, BusError, BusEvent, BusFuture, BusState, BusStats};
use crate::filter::FilterSet;
use crate::frame::{Channel, Direction, Frame, Timestamp, CAN_EFF_FLAG, CAN_ERR_FLAG, CAN_RTR_FLAG};

/// Interface used when the configuration names none (python-can's default too).
const DEFAULT_CHANNEL: &str = "can0";
/// Size of a classic `struct can_frame` on the wire (`CAN_MTU`).
const CAN_MTU: usize = mem::size_of::<libc::can_frame>();
/// Size of a `struct canfd_frame` on the wire (`CANFD_MTU`).
const CANFD_MTU: usize = mem::size_of::<libc::canfd_frame>();
/// Receive buffer asked for: a CAN frame costs the socket roughly 0.5–1 KiB of buffer (skb
/// overhead), so 8 MiB holds about ten thousand frames, enough to ride out a scheduling hiccup
/// during a `cangen -g 0` flood. The kernel caps `SO_RCVBUF` at `net.core.rmem_max` unless we are
/// allowed `SO_RCVBUFFORCE`.
const RECEIVE_BUFFER: libc::c_int = 8 * 1024 * 1024;
/// `CAN_INV_FILTER` in `can_filter.can_id`: the filter matches when the id does *not* match.
const CAN_INV_FILTER: u32 = 0x2000_0000;
/// The kernel rejects longer filter lists (`CAN_RAW_FILTER_MAX`).
const MAX_KERNEL_FILTERS: usize = 512;
/// Longest interface name plus its terminating NUL (`IFNAMSIZ`).
const IFNAMSIZ: usize = libc::IFNAMSIZ;
/// First and longest wait when the interface's transmit queue is full (`ENOBUFS`): the queue drains
/// at the bus's pace, a frame every 0.1–1 ms, so a short sleep is enough and never spins.
const TX_RETRY_FIRST: Duration = Duration::from_micros(500);
const TX_RETRY_MAX: Duration = Duration::from_millis(20);

/// The kind of socket opened: classic-only when the configuration asked for no CAN FD.
#[derive(Debug)]
enum RawSocket {
    Classic(CanSocket),
    Fd(CanFdSocket),
}

impl AsRawFd for RawSocket {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            RawSocket::Classic(s) => s.as_raw_fd(),
            RawSocket::Fd(s) => s.as_raw_fd(),
        }
    }
}

// All option setters of the `socketcan` crate work on any CAN raw descriptor.
impl SocketOptions for RawSocket {}

/// Receive-side state that must change together with each `recvmsg`, hence one lock.
struct Receiver {
    /// Events produced by one `recvmsg` beyond the one returned (a drop report before the frame,
    /// a state change after an error frame). Preallocated; never grows past a few entries.
    pending: VecDeque<BusEvent>,
    /// The socket's cumulative overflow counter (`SO_RXQ_OVFL`) as last reported.
    overflow: DropCounter,
    /// Controller state last reported; `None` until an error frame says something.
    state: Option<BusState>,
}

/// What the interface looked like when the bus was opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InterfaceInfo {
    up: bool,
    is_can: bool,
    mtu: usize,
}

/// An open raw CAN socket bound to one interface.
pub struct SocketCanBus {
    /// Interface name, for messages.
    name: String,
    /// The same name as a frame channel, stamped on every received frame.
    channel: Channel,
    /// The socket was opened with `CAN_RAW_FD_FRAMES` (the configuration asked for CAN FD).
    fd_mode: bool,
    /// The interface carries CAN FD frames (MTU 72): sending FD frames to it can work.
    fd_capable: bool,
    socket: AsyncFd<RawSocket>,
    receiver: Mutex<Receiver>,
    received: AtomicU64,
    /// `received` at the last idle-time drop check ([`socket_io::idle_check_due`]).
    idle_checked_at: AtomicU64,
    sent: AtomicU64,
    dropped: AtomicU64,
    invalid: AtomicU64,
}

impl SocketCanBus {
    /// Check the interface, open a raw socket on it and set it up for logging: all error frames,
    /// kernel timestamps, overflow counting and a large receive buffer. Must be called inside a
    /// tokio runtime (the socket is registered with its reactor).
    pub fn open(config: &BusConfig) -> Result<Self, BusError> {
        let name = config.channel.clone().unwrap_or_else(|| DEFAULT_CHANNEL.to_string());
        let info = interface_info(&name)?;
        if !info.is_can {
            return Err(BusError::InvalidConfig {
                interface: "socketcan".into(),
                message: format!("'{name}' is not a CAN interface; see `ip -details link show {name}`"),
            });
        }
        if !info.up {
            return Err(BusError::InterfaceDown(name));
        }
        let open_error = |e: io::Error| open_error(&name, e);
        let socket = if config.fd {
            RawSocket::Fd(CanFdSocket::open(&name).map_err(open_error)?)
        } else {
            RawSocket::Classic(CanSocket::open(&name).map_err(open_error)?)
        };
        let setup = |what: &str, r: io::Result<()>| {
            r.map_err(|e| BusError::io(format!("setting up the socket on {name}: {what}"), e))
        };
        match &socket {
            RawSocket::Classic(s) => setup("non-blocking mode", s.set_nonblocking(true))?,
            RawSocket::Fd(s) => setup("non-blocking mode", s.set_nonblocking(true))?,
        }
        setup("error frames", socket.set_error_filter(libc::CAN_ERR_MASK))?;
        setup("receive own frames", socket.set_recv_own_msgs(config.receive_own_messages))?;
        setup("timestamps", socket_io::enable_timestamps(socket.as_raw_fd()))?;
        setup("overflow counter", socket_io::enable_overflow_counter(socket.as_raw_fd()))?;
        socket_io::request_receive_buffer(socket.as_raw_fd(), RECEIVE_BUFFER);
        // SAFETY: RawSocket owns its descriptor and closes it only when dropped, which happens
        // after the AsyncFd deregisters it; nothing else closes or replaces it meanwhile.
        // Readable and errors only: sends wait for room on their own (socket_io::send_when_writable).
        let socket = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE | Interest::ERROR) }
            .map_err(|e| {
                BusError::io(format!("registering the {name} socket with tokio"), e.into_parts().1)
            })?;
        Ok(SocketCanBus {
            channel: Channel::name(&name),
            name,
            fd_mode: config.fd,
            fd_capable: info.mtu >= CANFD_MTU,
            socket,
            receiver: Mutex::new(Receiver {
                pending: VecDeque::with_capacity(4),
                overflow: DropCounter::default(),
                state: None,
            }),
            received: AtomicU64::new(0),
            idle_checked_at: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
        })
    }

    /// Install the id filters (`CAN_RAW_FILTER`, inverted ones with `CAN_INV_FILTER`), the join
    /// flag (`CAN_RAW_JOIN_FILTERS`) and the error-class mask (`CAN_RAW_ERR_FILTER`) in the kernel,
    /// so unwanted frames never reach this process.
    pub fn set_kernel_filter(&mut self, filter: &FilterSet) -> Result<(), BusError> {
        let filters: Vec<CanFilter> = filter.kernel_id_filters().iter().map(kernel_filter).collect();
        if filters.len() > MAX_KERNEL_FILTERS {
            return Err(BusError::InvalidConfig {
                interface: "socketcan".into(),
                message: format!(
                    "{} id filters given; the kernel accepts at most {MAX_KERNEL_FILTERS}",
                    filters.len()
                ),
            });
        }
        let socket = self.socket.get_ref();
        let context = |what: &str| format!("setting the {what} on {}", self.name);
        if filters.is_empty() {
            socket.set_filter_drop_all().map_err(|e| BusError::io(context("id filters"), e))?;
        } else {
            socket.set_filters(&filters).map_err(|e| BusError::io(context("id filters"), e))?;
        }
        socket.set_join_filters(filter.join()).map_err(|e| BusError::io(context("filter join flag"), e))?;
        socket
            .set_error_filter(filter.error_mask() & libc::CAN_ERR_MASK)
            .map_err(|e| BusError::io(context("error frame mask"), e))?;
        Ok(())
    }

    /// Send one frame. Waits (without failing) while the interface's transmit queue is full.
    pub async fn send(&self, frame: &Frame) -> Result<(), BusError> {
        let wire = self.encode(frame)?;
        let bytes = wire.as_bytes();
        let mut retry = TX_RETRY_FIRST;
        let fd = self.socket.get_ref().as_raw_fd();
        loop {
            // EAGAIN (the socket's send buffer is full) waits for room inside.
            match socket_io::send_when_writable(fd, || write_all(fd, bytes)).await {
                Ok(()) => {
                    self.sent.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                // ENOBUFS: the queue in front of the controller is full. The socket still polls as
                // writable, so waiting for readiness would spin; sleep and try again instead.
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(TX_RETRY_MAX);
                }
                Err(e) => return Err(self.send_error(frame, e)),
            }
        }
    }

    /// The next frame, drop report or state change; waits until there is one.
    pub async fn recv(&self) -> Result<BusEvent, BusError> {
        loop {
            if let Some(event) = self.pending_event() {
                return Ok(event);
            }
            // ERROR too: an interface going down is reported as a socket error (EPOLLERR without
            // EPOLLIN); waiting for readability alone would never wake up to see it.
            let mut guard = self
                .socket
                .ready(Interest::READABLE | Interest::ERROR)
                .await
                .map_err(|e| BusError::io(format!("waiting to receive on {}", self.name), e))?;
            match guard.try_io(|s| self.receive_one(s.as_raw_fd())) {
                Ok(result) => return result.map_err(|e| self.receive_error(e)),
                // The queue is empty: a good moment to report frames lost at the end of a burst,
                // which no later frame has announced yet.
                Err(_would_block) => {
                    if let Some(dropped) = self.overflow_while_idle() {
                        return Ok(dropped);
                    }
                }
            }
        }
    }

    /// The next event if one is queued in the kernel now, without waiting.
    pub fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        if let Some(event) = self.pending_event() {
            return Ok(Some(event));
        }
        // Through the reactor's readiness when it says the socket is readable, so that an empty
        // queue clears that readiness (the next `recv` then waits without a useless system
        // call); directly when it does not know yet (a caller that never awaits).
        let mut tried = false;
        let result = self.socket.try_io(Interest::READABLE, |s| {
            tried = true;
            self.receive_one(s.as_raw_fd())
        });
        let result = if tried { result } else { self.receive_one(self.socket.get_ref().as_raw_fd()) };
        match result {
            Ok(event) => Ok(Some(event)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(self.overflow_while_idle()),
            Err(e) => Err(self.receive_error(e)),
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

    /// e.g. `socketcan vcan0 (CAN FD)`.
    pub fn describe(&self) -> String {
        let mode = match (self.fd_mode, self.fd_capable) {
            (true, true) => "CAN FD",
            (true, false) => "classic CAN; the interface has no CAN FD (MTU 16)",
            (false, _) => "classic CAN",
        };
        format!("socketcan {} ({mode})", self.name)
    }

    fn lock_receiver(&self) -> std::sync::MutexGuard<'_, Receiver> {
        // The receiver holds plain counters and a queue; a panic elsewhere cannot leave them in a
        // state worse than "one event lost", so a poisoned lock is still usable.
        self.receiver.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn pending_event(&self) -> Option<BusEvent> {
        self.lock_receiver().pending.pop_front()
    }

    /// One `recvmsg` (non-blocking): the frame it carries becomes the returned event; a grown
    /// overflow counter is reported first and a state change after, through `pending`.
    fn receive_one(&self, fd: RawFd) -> io::Result<BusEvent> {
        // Taking the lock before the call keeps overflow deltas and state changes in kernel order
        // even when several tasks receive on one bus.
        let mut rx = self.lock_receiver();
        if let Some(event) = rx.pending.pop_front() {
            return Ok(event);
        }
        // SAFETY: canfd_frame is plain data; all-zero is a valid value.
        let mut raw: libc::canfd_frame = unsafe { mem::zeroed() };
        let message = socket_io::receive(fd, frame_bytes_mut(&mut raw), libc::MSG_DONTWAIT)?;
        let dropped = message.overflow.and_then(|count| self.note_overflow(&mut rx, count));
        let mut state_change = None;
        let event = match decode(&raw, message.len) {
            Ok(frame) => {
                // MSG_DONTROUTE: a socket on this host sent the frame (what `candump -x` shows).
                let from_this_host = message.flags & libc::MSG_DONTROUTE != 0;
                let direction = if from_this_host { Direction::Tx } else { Direction::Rx };
                let timestamp = message.timestamp.unwrap_or_else(Timestamp::now);
                let frame =
                    frame.with_channel(self.channel).with_direction(direction).with_timestamp(timestamp);
                self.received.fetch_add(1, Ordering::Relaxed);
                if frame.is_error() {
                    if let Some(state) = crate::error_frame::bus_state(&frame) {
                        if rx.state != Some(state) {
                            rx.state = Some(state);
                            state_change = Some(BusEvent::State(state));
                        }
                    }
                }
                BusEvent::Frame(frame)
            }
            Err(reason) => {
                self.invalid.fetch_add(1, Ordering::Relaxed);
                BusEvent::Invalid { source: self.name.clone(), reason }
            }
        };
        // Order: the drops happened before this frame was queued; a state change follows the
        // error frame that announced it.
        match dropped {
            Some(dropped) => {
                rx.pending.push_back(event);
                rx.pending.extend(state_change);
                Ok(dropped)
            }
            None => {
                rx.pending.extend(state_change);
                Ok(event)
            }
        }
    }

    /// Account for the socket's cumulative overflow counter; a drop report if it grew.
    fn note_overflow(&self, rx: &mut Receiver, count: u32) -> Option<BusEvent> {
        let newly = rx.overflow.new_drops(count)?;
        self.dropped.fetch_add(u64::from(newly), Ordering::Relaxed);
        Some(BusEvent::Dropped { count: u64::from(newly) })
    }

    /// Frames lost since the last frame received. `SO_RXQ_OVFL` reports drops only with the next
    /// frame that makes it into the queue, so drops at the end of a burst would stay unreported
    /// until traffic resumes; when the queue is empty we read the same counter (`sk_drops`) with
    /// `SO_MEMINFO` instead.
    fn overflow_while_idle(&self) -> Option<BusEvent> {
        if !socket_io::idle_check_due(self.received.load(Ordering::Relaxed), &self.idle_checked_at) {
            return None;
        }
        let count = socket_io::socket_drops(self.socket.get_ref().as_raw_fd())?;
        let mut rx = self.lock_receiver();
        self.note_overflow(&mut rx, count)
    }

    /// The frame as the kernel struct to write: `can_frame` for classic, remote and (on an FD
    /// socket too) classic frames, `canfd_frame` for FD frames.
    fn encode(&self, frame: &Frame) -> Result<WireFrame, BusError> {
        let unsupported = |message: String| BusError::Unsupported { interface: self.name.clone(), message };
        if frame.is_error() {
            return Err(unsupported(
                "error frames are reported by the CAN controller and cannot be sent".into(),
            ));
        }
        if frame.is_fd() && !self.fd_mode {
            return Err(unsupported("CAN FD frame on a bus opened for classic CAN only (use --fd)".into()));
        }
        if frame.is_fd() && !self.fd_capable {
            return Err(unsupported(self.no_fd_message()));
        }
        Ok(encode(frame))
    }

    fn no_fd_message(&self) -> String {
        format!(
            "CAN FD frame on '{0}', which is a classic CAN interface (MTU 16); \
             enable CAN FD with `ip link set {0} mtu 72` (vcan) or `ip link set {0} type can ... fd on`",
            self.name
        )
    }

    fn send_error(&self, frame: &Frame, e: io::Error) -> BusError {
        match e.raw_os_error() {
            Some(libc::ENETDOWN) => BusError::InterfaceDown(self.name.clone()),
            Some(libc::ENODEV) | Some(libc::ENXIO) => BusError::NoSuchInterface(self.name.clone()),
            // The MTU may have been lowered after we looked at it.
            Some(libc::EINVAL) if frame.is_fd() => {
                BusError::Unsupported { interface: self.name.clone(), message: self.no_fd_message() }
            }
            _ => BusError::io(format!("sending on {}", self.name), e),
        }
    }

    fn receive_error(&self, e: io::Error) -> BusError {
        match e.raw_os_error() {
            Some(libc::ENETDOWN) => BusError::InterfaceDown(self.name.clone()),
            Some(libc::ENODEV) | Some(libc::ENXIO) => BusError::NoSuchInterface(self.name.clone()),
            _ => BusError::io(format!("receiving on {}", self.name), e),
        }
    }
}

/// The socket, for options this module does not set (the bus keeps owning it).
impl AsRawFd for SocketCanBus {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.get_ref().as_raw_fd()
    }
}

/// Translate an error from opening the socket into one that says what to do.
fn open_error(name: &str, e: io::Error) -> BusError {
    match e.raw_os_error() {
        Some(libc::ENODEV) | Some(libc::ENXIO) => BusError::NoSuchInterface(name.to_string()),
        Some(libc::ENETDOWN) => BusError::InterfaceDown(name.to_string()),
        Some(libc::EAFNOSUPPORT) | Some(libc::EPROTONOSUPPORT) => BusError::io(
            format!("cannot open a CAN socket for {name}: the kernel has no CAN support (load the can and can-raw modules)"),
            e,
        ),
        _ => BusError::io(format!("opening a CAN socket on {name}"), e),
    }
}

/// One id filter as the kernel wants it. The `CAN_ERR_FLAG` bit of the filter id doubles as
/// `CAN_INV_FILTER`, so it is cleared before inverted filters set it (the mask never includes
/// that bit, so clearing it does not change what matches).
fn kernel_filter(f: &crate::filter::IdFilter) -> CanFilter {
    let id = f.id & !CAN_INV_FILTER;
    if f.inverted {
        CanFilter::new_inverted(id, f.mask)
    } else {
        CanFilter::new(id, f.mask)
    }
}

/// Look the interface up: exists, is up, is CAN, MTU. Uses `SIOCGIF*` ioctls on a throwaway
/// socket, which work for every interface without needing CAN support in the kernel.
fn interface_info(name: &str) -> Result<InterfaceInfo, BusError> {
    let missing = || BusError::NoSuchInterface(name.to_string());
    if name.is_empty() || name.len() >= IFNAMSIZ || name.contains(['/', ' ']) {
        return Err(missing());
    }
    let c_name = CString::new(name).map_err(|_| missing())?;
    // SAFETY: c_name is a valid NUL-terminated string.
    if unsafe { libc::if_nametoindex(c_name.as_ptr()) } == 0 {
        return Err(missing());
    }
    let probe = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::DGRAM, None)
        .map_err(|e| BusError::io(format!("looking up interface {name}"), e))?;
    let query = |request: libc::c_ulong| -> Result<libc::ifreq, BusError> {
        // SAFETY: ifreq is plain data; all-zero is a valid value.
        let mut req: libc::ifreq = unsafe { mem::zeroed() };
        for (dst, src) in req.ifr_name.iter_mut().zip(name.as_bytes()) {
            *dst = *src as libc::c_char;
        }
        // SAFETY: the SIOCGIF* requests read ifr_name and write only into the ifreq we pass.
        if unsafe { libc::ioctl(probe.as_raw_fd(), request as _, &mut req) } < 0 {
            let e = io::Error::last_os_error();
            return Err(match e.raw_os_error() {
                Some(libc::ENODEV) | Some(libc::ENXIO) => missing(),
                _ => BusError::io(format!("looking up interface {name}"), e),
            });
        }
        Ok(req)
    };
    // SAFETY (union reads): each request fills the union member that is read after it.
    let flags = unsafe { query(libc::SIOCGIFFLAGS)?.ifr_ifru.ifru_flags } as libc::c_int;
    let family = unsafe { query(libc::SIOCGIFHWADDR)?.ifr_ifru.ifru_hwaddr.sa_family };
    let mtu = unsafe { query(libc::SIOCGIFMTU)?.ifr_ifru.ifru_mtu };
    Ok(InterfaceInfo {
        up: flags & libc::IFF_UP != 0,
        is_can: family == libc::ARPHRD_CAN,
        mtu: usize::try_from(mtu).unwrap_or(0),
    })
}

/// The kernel struct as the buffer `recvmsg` fills: a classic frame lands in its first `CAN_MTU`
/// bytes, an FD frame fills it.
fn frame_bytes_mut(raw: &mut libc::canfd_frame) -> &mut [u8] {
    // SAFETY: canfd_frame is plain data (integers and byte arrays, no padding) for which every byte
    // pattern is valid; the slice covers exactly the struct and borrows it mutably.
    unsafe { std::slice::from_raw_parts_mut((raw as *mut libc::canfd_frame).cast::<u8>(), CANFD_MTU) }
}

/// Turn the kernel struct into a [`Frame`] (without channel, direction and timestamp). A classic
/// frame occupies the first `CAN_MTU` bytes of the `canfd_frame` with the same layout for id and
/// data; its `len8_dlc` sits where the FD struct has its second reserved byte.
fn decode(raw: &libc::canfd_frame, len: usize) -> Result<Frame, String> {
    let can_id = raw.can_id;
    let extended = can_id & CAN_EFF_FLAG != 0;
    let id = if extended { can_id & libc::CAN_EFF_MASK } else { can_id & libc::CAN_SFF_MASK };
    let bad = |e: crate::frame::FrameError| format!("kernel delivered an invalid frame: {e}");
    match len {
        CAN_MTU => {
            // SAFETY: the first CAN_MTU bytes of the buffer hold a can_frame (same size and
            // alignment prefix); read it as such to get its own field names.
            let classic: libc::can_frame =
                unsafe { std::ptr::read((raw as *const libc::canfd_frame).cast::<libc::can_frame>()) };
            let dlen = (classic.can_dlc as usize).min(8);
            if can_id & CAN_ERR_FLAG != 0 {
                let mut data = [0u8; 8];
                data.copy_from_slice(&classic.data);
                Frame::new_error(can_id & libc::CAN_ERR_MASK, data).map_err(bad)
            } else if can_id & CAN_RTR_FLAG != 0 {
                Frame::new_remote(id, extended, dlen as u8).map_err(bad)
            } else {
                let frame = Frame::new_data(id, extended, &classic.data[..dlen]).map_err(bad)?;
                Ok(frame.with_len8_dlc(classic.len8_dlc))
            }
        }
        CANFD_MTU => {
            let dlen = (raw.len as usize).min(raw.data.len());
            let brs = raw.flags & libc::CANFD_BRS as u8 != 0;
            let esi = raw.flags & libc::CANFD_ESI as u8 != 0;
            Frame::new_fd_padded(id, extended, &raw.data[..dlen], brs, esi).map_err(bad)
        }
        other => Err(format!("{other}-byte message is not a CAN ({CAN_MTU}) or CAN FD ({CANFD_MTU}) frame")),
    }
}

/// A frame in the kernel's layout, ready to write.
enum WireFrame {
    Classic(libc::can_frame),
    Fd(libc::canfd_frame),
}

impl WireFrame {
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: both structs were zeroed before their fields were set, so every byte (padding
        // included) is initialised; the slice borrows self.
        unsafe {
            match self {
                WireFrame::Classic(f) => {
                    std::slice::from_raw_parts((f as *const libc::can_frame).cast(), CAN_MTU)
                }
                WireFrame::Fd(f) => {
                    std::slice::from_raw_parts((f as *const libc::canfd_frame).cast(), CANFD_MTU)
                }
            }
        }
    }
}

fn encode(frame: &Frame) -> WireFrame {
    // Error frames are refused before this; their id would otherwise go out with CAN_ERR_FLAG.
    let can_id = frame.socketcan_id();
    if frame.is_fd() {
        // SAFETY: plain data; all-zero is valid.
        let mut raw: libc::canfd_frame = unsafe { mem::zeroed() };
        raw.can_id = can_id;
        raw.len = frame.len() as u8;
        // FDF marks a CAN FD frame for kernels that know the bit (6.2+); older ones ignore it.
        raw.flags = libc::CANFD_FDF as u8;
        if frame.brs() {
            raw.flags |= libc::CANFD_BRS as u8;
        }
        if frame.esi() {
            raw.flags |= libc::CANFD_ESI as u8;
        }
        raw.data[..frame.len()].copy_from_slice(frame.data());
        WireFrame::Fd(raw)
    } else {
        // SAFETY: plain data; all-zero is valid.
        let mut raw: libc::can_frame = unsafe { mem::zeroed() };
        raw.can_id = can_id;
        // For remote frames the length is the requested length; data stays empty.
        raw.can_dlc = frame.len() as u8;
        raw.len8_dlc = frame.len8_dlc().unwrap_or(0);
        raw.data[..frame.data().len()].copy_from_slice(frame.data());
        WireFrame::Classic(raw)
    }
}

/// `write` the whole frame: a raw CAN socket takes a frame in one datagram or not at all.
fn write_all(fd: RawFd, bytes: &[u8]) -> io::Result<()> {
    // SAFETY: bytes is a live slice of the given length.
    let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    if n as usize != bytes.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            format!("kernel took {n} of {} bytes of a frame", bytes.len()),
        ));
    }
    Ok(())
}

/// This backend in the registry ([`super::backend::BUILTIN`]).
pub const ENTRY: BackendEntry = BackendEntry {
    name: "socketcan",
    aliases: &["socketcan_native", "socketcan_ctypes"],
    open: |config| Ok(Box::new(SocketCanBus::open(config)?)),
};

impl Backend for SocketCanBus {
    fn send<'a>(&'a self, frame: &'a Frame) -> BusFuture<'a, ()> {
        Box::pin(async move { SocketCanBus::send(self, frame).await })
    }

    fn recv(&self) -> BusFuture<'_, BusEvent> {
        Box::pin(SocketCanBus::recv(self))
    }

    fn try_recv(&self) -> Result<Option<BusEvent>, BusError> {
        SocketCanBus::try_recv(self)
    }

    fn set_kernel_filter(&mut self, filter: &crate::filter::FilterSet) -> Result<(), BusError> {
        SocketCanBus::set_kernel_filter(self, filter)
    }

    fn stop_receiving(&mut self) -> Result<(), BusError> {
        let socket = self.socket.get_ref();
        let context = format!("stopping reception on {}", self.name);
        socket.set_filter_drop_all().map_err(|e| BusError::io(context.clone(), e))?;
        socket.set_error_filter(0).map_err(|e| BusError::io(context, e))
    }

    fn stats(&self) -> BusStats {
        SocketCanBus::stats(self)
    }

    fn describe(&self) -> String {
        SocketCanBus::describe(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::IdFilter;

    fn roundtrip(frame: Frame) -> Frame {
        let wire = encode(&frame);
        let bytes = wire.as_bytes();
        // SAFETY: plain data; all-zero is valid.
        let mut raw: libc::canfd_frame = unsafe { mem::zeroed() };
        // SAFETY: bytes.len() <= size of canfd_frame, and the copy stays inside both buffers.
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                (&mut raw as *mut libc::canfd_frame).cast::<u8>(),
                bytes.len(),
            )
        };
        decode(&raw, bytes.len()).unwrap()
    }

    #[test]
    fn kernel_structs_carry_every_frame_kind_unchanged() {
        let frames = [
            Frame::new_data(0x123, false, &[0xDE, 0xAD]).unwrap(),
            Frame::new_data(0x123, true, &[0x11]).unwrap(),
            Frame::new_data(0x1F334455, true, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap().with_len8_dlc(0xB),
            Frame::new_remote(0x123, false, 3).unwrap(),
            Frame::new_remote(0x123, true, 0).unwrap(),
            Frame::new_fd(0x123, false, &[0xAA; 64], true, false).unwrap(),
            Frame::new_fd(0x1234, true, &[1, 2, 3], false, true).unwrap(),
        ];
        for f in frames {
            assert_eq!(roundtrip(f), f);
        }
        let wire = encode(&frames[5]);
        assert_eq!(wire.as_bytes().len(), CANFD_MTU);
        assert_eq!(encode(&frames[0]).as_bytes().len(), CAN_MTU);
    }

    #[test]
    fn error_frames_from_the_kernel_keep_class_and_details() {
        // SAFETY: plain data; all-zero is valid.
        let mut raw: libc::canfd_frame = unsafe { mem::zeroed() };
        raw.can_id = CAN_ERR_FLAG | 0x44;
        raw.len = 8;
        raw.data[1] = 0x10;
        let f = decode(&raw, CAN_MTU).unwrap();
        assert!(f.is_error());
        assert_eq!(f.id(), 0x44);
        assert_eq!(f.data(), &[0, 0x10, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn odd_message_sizes_are_invalid_not_a_panic() {
        // SAFETY: plain data; all-zero is valid.
        let raw: libc::canfd_frame = unsafe { mem::zeroed() };
        let e = decode(&raw, 20).unwrap_err();
        assert!(e.contains("20-byte message"), "{e}");
    }

    #[test]
    fn inverted_filters_set_can_inv_filter_and_keep_the_mask() {
        let f = kernel_filter(&IdFilter { id: 0x400, mask: 0x7F0, inverted: true });
        let raw: &libc::can_filter = f.as_ref();
        assert_eq!(raw.can_id, 0x400 | CAN_INV_FILTER);
        assert_eq!(raw.can_mask, 0x7F0);
        let f = kernel_filter(&IdFilter { id: 0x123 | CAN_EFF_FLAG, mask: 0x1FFF_FFFF, inverted: false });
        let raw: &libc::can_filter = f.as_ref();
        assert_eq!(raw.can_id, 0x123 | CAN_EFF_FLAG);
    }

    #[test]
    fn missing_interface_is_named_in_the_error() {
        let e = SocketCanBus::open(&BusConfig::new("socketcan", Some("can7"))).err().unwrap();
        assert!(matches!(e, BusError::NoSuchInterface(ref n) if n == "can7"), "{e:?}");
        assert_eq!(e.to_string(), "no CAN interface 'can7'; see `ip link`");
        let e = SocketCanBus::open(&BusConfig::new("socketcan", Some("a-name-far-too-long-for-linux"))).err();
        assert!(matches!(e, Some(BusError::NoSuchInterface(_))), "{e:?}");
    }

    #[test]
    fn loopback_is_not_a_can_interface() {
        let e = SocketCanBus::open(&BusConfig::new("socketcan", Some("lo"))).err().unwrap();
        assert!(e.to_string().contains("'lo' is not a CAN interface"), "{e}");
    }
}
