//! Receive-side socket plumbing shared by the backends that read kernel sockets directly
//! (`socketcan` and `udp_multicast`): the options that make the kernel stamp each message with its
//! receive time (`SO_TIMESTAMPNS`) and the socket's drop counter (`SO_RXQ_OVFL`), a large receive
//! buffer, one `recvmsg` that returns those control messages with the data (and `recvmmsg` and
//! `sendmmsg` for many datagrams at once), the `SO_MEMINFO` read
//! that finds drops no queued message has announced yet, and the bookkeeping that turns the
//! kernel's cumulative counter into "dropped since the last report". Everything works on a raw
//! descriptor, allocates nothing and keeps its kernel structs on the stack.
//!
//! Opening and binding sockets, readiness (tokio's `AsyncFd`) and turning bytes into frames stay
//! with the backends: this module knows nothing about CAN or python-can.

use std::io;
use std::mem::{align_of, size_of, size_of_val, zeroed};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{BorrowedFd, RawFd};

use libc::c_int;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::frame::Timestamp;

/// Send with `send`, a non-blocking write on `fd`, and only when the socket's buffer is full wait
/// for room through the reactor, on a duplicate of the descriptor registered for that one wait.
/// A socket kept registered for writability wakes the reactor every time the kernel frees a sent
/// message (an edge for every datagram or frame): a replay at 10 kHz woke its idle runtime 10,000
/// times a second, and each wake-up delayed the next send.
pub(crate) async fn send_when_writable<T>(
    fd: RawFd,
    mut send: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    loop {
        match send() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                // SAFETY: `fd` belongs to the caller's socket, open for the whole call.
                let duplicate = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned()?;
                // Registering reports the current state: room made since the failed send is seen.
                // SAFETY: the AsyncFd owns the duplicate and closes it only after deregistering.
                let waiter = unsafe { AsyncFd::register_with_interest(duplicate, Interest::WRITABLE) }
                    .map_err(|e| e.into_parts().1)?;
                drop(waiter.writable().await?);
            }
            done => return done,
        }
    }
}

/// Ask for the kernel's receive timestamp (`SO_TIMESTAMPNS`) as a control message on every message.
pub(crate) fn enable_timestamps(fd: RawFd) -> io::Result<()> {
    set_int_option(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1)
}

/// Ask for the socket's cumulative drop counter (`SO_RXQ_OVFL`) as a control message; the kernel
/// sends it with every message once the counter is non-zero.
pub(crate) fn enable_overflow_counter(fd: RawFd) -> io::Result<()> {
    set_int_option(fd, libc::SOL_SOCKET, libc::SO_RXQ_OVFL, 1)
}

/// Ask for a receive buffer of `bytes`, best effort. `SO_RCVBUFFORCE` ignores `net.core.rmem_max`
/// but needs `CAP_NET_ADMIN`; without it `SO_RCVBUF` gets what that limit allows. A smaller buffer
/// only means drops come sooner, and those are reported, so neither failure is an error.
pub(crate) fn request_receive_buffer(fd: RawFd, bytes: c_int) {
    if set_int_option(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, bytes).is_err() {
        let _ = set_int_option(fd, libc::SOL_SOCKET, libc::SO_RCVBUF, bytes);
    }
}

fn set_int_option(fd: RawFd, level: c_int, name: c_int, value: c_int) -> io::Result<()> {
    // SAFETY: the option value is a live c_int and its exact size is passed.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const c_int).cast(),
            size_of::<c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// What one [`receive`] delivered besides the bytes in the caller's buffer.
pub(crate) struct Received {
    /// Bytes received; with `MSG_TRUNC` in the flags passed, the message's full length, which is
    /// larger than the buffer when the message did not fit.
    pub(crate) len: usize,
    /// The sender, for IPv4 and IPv6 sockets; `None` for other families (CAN).
    pub(crate) source: Option<SocketAddr>,
    /// The kernel's receive time, if [`enable_timestamps`] was called.
    pub(crate) timestamp: Option<Timestamp>,
    /// The socket's cumulative drop counter, when the kernel sent one (see
    /// [`enable_overflow_counter`]).
    pub(crate) overflow: Option<u32>,
    /// The kernel's `msg_flags`: `MSG_TRUNC`, and on CAN sockets `MSG_DONTROUTE` (sent by this
    /// host) and `MSG_CONFIRM` (sent by this socket).
    pub(crate) flags: c_int,
}

/// Control-message buffer for `recvmsg`, aligned for `cmsghdr`. Room for a timestamp
/// (`SCM_TIMESTAMPNS`, 16 bytes of data) and the drop counter (4 bytes), with their headers.
#[repr(C, align(8))]
struct ControlBuffer([u8; 128]);

const _: () = assert!(align_of::<ControlBuffer>() >= align_of::<libc::cmsghdr>());

/// `recvmsg` one message into `buf` with its sender and control messages; `flags` go to the call
/// as given (`MSG_DONTWAIT`, `MSG_TRUNC`, ...). Retries when interrupted by a signal.
pub(crate) fn receive(fd: RawFd, buf: &mut [u8], flags: c_int) -> io::Result<Received> {
    let mut control = ControlBuffer([0; 128]);
    // SAFETY: sockaddr_storage and msghdr are plain data; all-zero is a valid (empty) value.
    let mut source: libc::sockaddr_storage = unsafe { zeroed() };
    let mut msg: libc::msghdr = unsafe { zeroed() };
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    msg.msg_name = (&mut source as *mut libc::sockaddr_storage).cast();
    msg.msg_namelen = size_of_val(&source) as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = size_of_val(&control.0) as _;
    let len = loop {
        // SAFETY: every pointer in `msg` points at a live buffer of the stated size for the
        // duration of the call; the kernel writes only within them.
        let n = unsafe { libc::recvmsg(fd, &mut msg, flags) };
        if n >= 0 {
            break n as usize;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    let (timestamp, overflow) = control_messages(&msg);
    Ok(Received { len, source: socket_addr(&source), timestamp, overflow, flags: msg.msg_flags })
}

/// The receive time and drop counter among the control messages `recvmsg` left in `msg`.
fn control_messages(msg: &libc::msghdr) -> (Option<Timestamp>, Option<u32>) {
    let mut timestamp = None;
    let mut overflow = None;
    // SAFETY: CMSG_FIRSTHDR/CMSG_NXTHDR walk only the msg_controllen bytes the kernel filled in
    // the control buffer `msg` points at (a ControlBuffer, aligned for cmsghdr, which the caller
    // keeps alive while it holds `msg`); a payload is read,
    // unaligned, only after checking that its cmsg is long enough to hold it.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(msg);
        while !cmsg.is_null() {
            let header = &*cmsg;
            let data = libc::CMSG_DATA(cmsg);
            let payload = (header.cmsg_len as usize).saturating_sub(data as usize - cmsg as usize);
            if header.cmsg_level == libc::SOL_SOCKET {
                if header.cmsg_type == libc::SCM_TIMESTAMPNS && payload >= size_of::<libc::timespec>() {
                    let ts = std::ptr::read_unaligned(data.cast::<libc::timespec>());
                    timestamp = Some(Timestamp::from_parts(ts.tv_sec, ts.tv_nsec as u32));
                } else if header.cmsg_type == libc::SO_RXQ_OVFL && payload >= size_of::<u32>() {
                    overflow = Some(std::ptr::read_unaligned(data.cast::<u32>()));
                }
            }
            cmsg = libc::CMSG_NXTHDR(msg, cmsg);
        }
    }
    (timestamp, overflow)
}

/// Room for many datagrams read with one `recvmmsg` (see [`ReceiveBatch::receive`]): a buffer of
/// `size` bytes for each, with its sender and control messages. Allocated once, reused.
pub(crate) struct ReceiveBatch {
    size: usize,
    data: Vec<u8>,
    control: Vec<ControlBuffer>,
    sources: Vec<libc::sockaddr_storage>,
    received: Vec<Received>,
}

impl ReceiveBatch {
    pub(crate) fn new(count: usize, size: usize) -> ReceiveBatch {
        ReceiveBatch {
            size,
            data: vec![0; count * size],
            control: (0..count).map(|_| ControlBuffer([0; 128])).collect(),
            // SAFETY: sockaddr_storage is plain data; all-zero is a valid (empty) value.
            sources: vec![unsafe { zeroed() }; count],
            received: Vec::with_capacity(count),
        }
    }

    /// Read what is queued, up to the batch's count, with one `recvmmsg` and `flags`
    /// (`MSG_DONTWAIT` is added; `MSG_TRUNC` makes each length the datagram's own); `WouldBlock`
    /// when nothing is. Retries when interrupted by a signal.
    pub(crate) fn receive(&mut self, fd: RawFd, flags: c_int) -> io::Result<usize> {
        let count = self.control.len();
        let mut iovs: Vec<libc::iovec> = self
            .data
            .chunks_exact_mut(self.size)
            .map(|b| libc::iovec { iov_base: b.as_mut_ptr().cast(), iov_len: b.len() })
            .collect();
        let mut headers: Vec<libc::mmsghdr> = (0..count)
            .map(|i| {
                // SAFETY: msghdr and mmsghdr are plain data; all-zero is a valid (empty) value.
                let mut h: libc::mmsghdr = unsafe { zeroed() };
                h.msg_hdr.msg_name = (&mut self.sources[i] as *mut libc::sockaddr_storage).cast();
                h.msg_hdr.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
                h.msg_hdr.msg_iov = &mut iovs[i];
                h.msg_hdr.msg_iovlen = 1;
                h.msg_hdr.msg_control = self.control[i].0.as_mut_ptr().cast();
                h.msg_hdr.msg_controllen = size_of::<ControlBuffer>() as _;
                h
            })
            .collect();
        let n = loop {
            // SAFETY: every header points at live buffers of the stated sizes (the batch's and
            // `iovs`, alive until the end of this function); the kernel writes only within them.
            let n = unsafe {
                libc::recvmmsg(
                    fd,
                    headers.as_mut_ptr(),
                    count as libc::c_uint,
                    flags | libc::MSG_DONTWAIT,
                    std::ptr::null_mut(),
                )
            };
            if n >= 0 {
                break n as usize;
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        };
        self.received.clear();
        for (i, h) in headers.iter().take(n).enumerate() {
            let (timestamp, overflow) = control_messages(&h.msg_hdr);
            self.received.push(Received {
                len: h.msg_len as usize,
                source: socket_addr(&self.sources[i]),
                timestamp,
                overflow,
                flags: h.msg_hdr.msg_flags,
            });
        }
        Ok(n)
    }

    /// The `i`-th datagram of the last [`ReceiveBatch::receive`]: its buffer (the datagram, cut
    /// to the buffer's size when longer: see [`Received::len`]) and what came with it.
    pub(crate) fn get(&self, i: usize) -> (&[u8], &Received) {
        let r = &self.received[i];
        let buf = &self.data[i * self.size..(i + 1) * self.size];
        (&buf[..r.len.min(self.size)], r)
    }
}

/// Send the datagrams `data[..]` to the socket's peer or `to`, with `sendmmsg` (non-blocking);
/// returns how many went (the first ones), `WouldBlock` when none could.
pub(crate) fn send_batch(fd: RawFd, data: &[&[u8]], to: Option<&socket2::SockAddr>) -> io::Result<usize> {
    let mut iovs: Vec<libc::iovec> =
        data.iter().map(|d| libc::iovec { iov_base: d.as_ptr() as *mut _, iov_len: d.len() }).collect();
    let mut headers: Vec<libc::mmsghdr> = iovs
        .iter_mut()
        .map(|iov| {
            // SAFETY: as in ReceiveBatch::receive.
            let mut h: libc::mmsghdr = unsafe { zeroed() };
            if let Some(to) = to {
                h.msg_hdr.msg_name = to.as_ptr() as *mut _;
                h.msg_hdr.msg_namelen = to.len();
            }
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h
        })
        .collect();
    loop {
        // SAFETY: the headers point at `data`'s slices and `to`, alive for the call; the kernel
        // only reads them (and writes each header's msg_len).
        let n = unsafe {
            libc::sendmmsg(fd, headers.as_mut_ptr(), headers.len() as libc::c_uint, libc::MSG_DONTWAIT)
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The sender address `recvmsg` wrote, if it is an IP address.
fn socket_addr(addr: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match addr.ss_family as c_int {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in, which is smaller.
            let sin = unsafe { &*(addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            Some(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
        }
        libc::AF_INET6 => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6 = unsafe { &*(addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(
                SocketAddrV6::new(ip, u16::from_be(sin6.sin6_port), sin6.sin6_flowinfo, sin6.sin6_scope_id)
                    .into(),
            )
        }
        _ => None,
    }
}

/// The socket's cumulative drop counter (`sk_drops`, read with `SO_MEMINFO`), the same counter
/// `SO_RXQ_OVFL` reports. Needed because `SO_RXQ_OVFL` only rides on the next message that *is*
/// queued: drops after the last queued message of a burst would otherwise go unreported until
/// traffic resumes. `None` if the kernel does not say.
pub(crate) fn socket_drops(fd: RawFd) -> Option<u32> {
    // SK_MEMINFO_VARS is 9 today; the kernel writes at most what we offer and says how much.
    let mut info = [0u32; 16];
    let mut len = size_of_val(&info) as libc::socklen_t;
    // SAFETY: `info` is writable for `len` bytes; the kernel writes at most `len` and updates it.
    let rc = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_MEMINFO, info.as_mut_ptr().cast(), &mut len)
    };
    let index = libc::SK_MEMINFO_DROPS as usize;
    (rc == 0 && len as usize >= (index + 1) * size_of::<u32>()).then(|| info[index])
}

/// Frames a socket must have delivered since the last idle-time drop check before the next one is
/// worth a system call: a receive queue overflows only when it is full, and even the smallest
/// queue the kernel allows (`SOCK_MIN_RCVBUF`) holds more frames than this, all of which are read
/// before the socket is idle again. A node answering one request at a time thus checks on every
/// fourth request instead of every one.
pub(crate) const IDLE_CHECK_AFTER: u64 = 4;

/// Is an idle-time drop check due, given the socket's total frames `received` and the total at
/// the last check (updated when it is)?
pub(crate) fn idle_check_due(received: u64, checked_at: &std::sync::atomic::AtomicU64) -> bool {
    let last = checked_at.load(std::sync::atomic::Ordering::Relaxed);
    if received.wrapping_sub(last) < IDLE_CHECK_AFTER {
        return false;
    }
    checked_at.store(received, std::sync::atomic::Ordering::Relaxed);
    true
}

/// Turns readings of the kernel's cumulative drop counter, from either source ([`Received::overflow`]
/// or [`socket_drops`]), into the number of drops not reported yet.
#[derive(Debug, Default)]
pub(crate) struct DropCounter {
    /// The counter at the last report.
    reported: u32,
}

impl DropCounter {
    /// Drops since the last report, or `None` if there are none. The counter only grows (modulo
    /// 2^32), but a message queued before an idle-time `SO_MEMINFO` reading carries an older,
    /// smaller value: a reading that looks like going backwards is ignored.
    pub(crate) fn new_drops(&mut self, total: u32) -> Option<u32> {
        let new = total.wrapping_sub(self.reported);
        if new == 0 || new > u32::MAX / 2 {
            return None;
        }
        self.reported = total;
        Some(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;

    #[test]
    fn drop_counter_reports_growth_once_across_wraparound_and_ignores_stale_readings() {
        let mut drops = DropCounter::default();
        assert_eq!(drops.new_drops(0), None);
        assert_eq!(drops.new_drops(5), Some(5));
        assert_eq!(drops.new_drops(5), None);
        assert_eq!(drops.new_drops(3), None, "an older reading is not a drop");
        assert_eq!(drops.new_drops(u32::MAX), None, "nor a huge jump that is really a step back");
        let mut drops = DropCounter { reported: u32::MAX - 1 };
        assert_eq!(drops.new_drops(2), Some(4));
    }

    #[test]
    fn receive_reports_sender_timestamp_and_full_length_of_a_truncated_datagram() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let fd = receiver.as_raw_fd();
        enable_timestamps(fd).unwrap();
        enable_overflow_counter(fd).unwrap();
        sender.send_to(b"0123456789", receiver.local_addr().unwrap()).unwrap();
        let mut buf = [0u8; 4];
        let got = receive(fd, &mut buf, libc::MSG_TRUNC).unwrap();
        assert_eq!(got.len, 10);
        assert_ne!(got.flags & libc::MSG_TRUNC, 0);
        assert_eq!(&buf, b"0123");
        assert_eq!(got.source, Some(sender.local_addr().unwrap()));
        assert!(got.timestamp.is_some());
        assert_eq!(got.overflow, None, "nothing was dropped");
        assert_eq!(socket_drops(fd), Some(0));
        let e = receive(fd, &mut buf, libc::MSG_DONTWAIT).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn batches_send_and_receive_many_datagrams_per_call() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.set_nonblocking(true).unwrap();
        let fd = receiver.as_raw_fd();
        enable_timestamps(fd).unwrap();
        let to = socket2::SockAddr::from(receiver.local_addr().unwrap());
        let sent = send_batch(sender.as_raw_fd(), &[b"one", b"two", b"three!"], Some(&to)).unwrap();
        assert_eq!(sent, 3);
        let mut batch = ReceiveBatch::new(2, 4);
        assert_eq!(batch.receive(fd, libc::MSG_TRUNC).unwrap(), 2);
        let (data, got) = batch.get(0);
        assert_eq!((data, got.len, got.source), (&b"one"[..], 3, Some(sender.local_addr().unwrap())));
        assert!(got.timestamp.is_some());
        assert_eq!(batch.get(1).0, b"two");
        assert_eq!(batch.receive(fd, libc::MSG_TRUNC).unwrap(), 1);
        let (data, got) = batch.get(0);
        assert_eq!((data, got.len), (&b"thre"[..], 6), "cut to the buffer, full length told");
        let e = batch.receive(fd, libc::MSG_TRUNC).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
    }
}
