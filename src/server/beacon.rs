//! The socketcand discovery beacon: every 3 s, one UDP datagram to port 42000 on the broadcast
//! address of each IPv4 listen address's interface (127.255.255.255 for 127.0.0.1), with the
//! daemon's exact XML ([`crate::net::socketcand::beacon`]). An unspecified listen address
//! (`0.0.0.0`) beacons on every IPv4 interface, each with its own address in the URL.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use crate::shutdown::Shutdown;

/// The daemon's beacon port and interval.
pub const PORT: u16 = 42000;
pub const INTERVAL: Duration = Duration::from_secs(3);

pub struct Beacon {
    socket: tokio::net::UdpSocket,
    /// (broadcast address, datagram) per interface.
    targets: Vec<(SocketAddr, String)>,
}

/// IPv4 interface addresses with their broadcast addresses (`ip | !netmask`).
pub fn interfaces() -> Vec<(Ipv4Addr, Ipv4Addr)> {
    let mut out = Vec::new();
    // SAFETY: getifaddrs fills a list we walk read-only and free once.
    unsafe {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut list) != 0 {
            return out;
        }
        let mut p = list;
        while !p.is_null() {
            let ifa = &*p;
            if !ifa.ifa_addr.is_null()
                && !ifa.ifa_netmask.is_null()
                && i32::from((*ifa.ifa_addr).sa_family) == libc::AF_INET
            {
                let addr = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                let mask = &*(ifa.ifa_netmask as *const libc::sockaddr_in);
                let ip = Ipv4Addr::from(u32::from_be(addr.sin_addr.s_addr));
                let mask = u32::from_be(mask.sin_addr.s_addr);
                out.push((ip, Ipv4Addr::from(u32::from(ip) | !mask)));
            }
            p = ifa.ifa_next;
        }
        libc::freeifaddrs(list);
    }
    out
}

impl Beacon {
    pub fn new(
        listen: &[IpAddr],
        port: u16,
        description: &str,
        buses: Vec<String>,
    ) -> std::io::Result<Beacon> {
        let host = hostname();
        let all = interfaces();
        let mut targets = Vec::new();
        for ip in listen {
            let IpAddr::V4(ip) = ip else { continue };
            let chosen: Vec<(Ipv4Addr, Ipv4Addr)> = if ip.is_unspecified() {
                all.clone()
            } else {
                all.iter().copied().filter(|(a, _)| a == ip).collect()
            };
            for (addr, broadcast) in chosen {
                let text =
                    crate::net::socketcand::beacon(&host, description, &addr.to_string(), port, &buses);
                targets.push((SocketAddr::V4(SocketAddrV4::new(broadcast, PORT)), text));
            }
        }
        if targets.is_empty() {
            return Err(std::io::Error::other("no IPv4 listen address with a broadcast address"));
        }
        let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        socket.set_broadcast(true)?;
        socket.set_nonblocking(true)?;
        Ok(Beacon { socket: tokio::net::UdpSocket::from_std(socket)?, targets })
    }

    /// Send until `shutdown`.
    pub async fn run(self, shutdown: Shutdown) {
        let mut warned = false;
        loop {
            for (to, text) in &self.targets {
                if let Err(e) = self.socket.send_to(text.as_bytes(), to).await {
                    if !warned {
                        warned = true;
                        eprintln!("canserver: beacon to {to}: {e}");
                    }
                }
            }
            tokio::select! {
                _ = shutdown.triggered() => return,
                _ = tokio::time::sleep(INTERVAL) => {}
            }
        }
    }
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "localhost".into();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}
