//! Shared by the benchmarks that need a bus: a private network namespace, a paced sender.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use cankit::{Bus, BusConfig, Frame};

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn canlogger() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canlogger"))
}

/// Move this thread (and every process it spawns) into a fresh network namespace that has only
/// `lo`, with a multicast route on it. Returns the namespace name, or None without root.
pub fn enter_private_netns() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = format!("cankit-bench-{}", std::process::id());
    let ok = |args: &[&str]| Command::new("ip").args(args).status().map(|s| s.success()).unwrap_or(false);
    if !ok(&["netns", "add", &name]) {
        return None;
    }
    ok(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]);
    ok(&["netns", "exec", &name, "ip", "route", "add", "224.0.0.0/4", "dev", "lo"]);
    let path = format!("/run/netns/{name}");
    let file = std::fs::File::open(&path).ok()?;
    use std::os::fd::AsRawFd;
    // SAFETY: setns on a namespace fd we just opened; affects only this thread.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    (rc == 0).then_some(name)
}

/// Send `frames` 8-byte frames on the udp_multicast bus at `port` at `rate` frames/s (0 = as
/// fast as possible), scheduled against the start time so the rate does not drift. The first
/// four data bytes count the frames, so a receiver can tell which are missing.
pub fn send_paced(rt: &tokio::runtime::Runtime, port: &str, frames: u64, rate: u64) {
    let start = Instant::now();
    rt.block_on(async {
        let mut cfg = BusConfig::new("udp_multicast", None);
        cfg.options.insert("port".into(), port.into());
        let bus = Bus::open(&cfg).await.expect("open sender bus");
        let mut sent = 0u64;
        while sent < frames {
            let due = if rate == 0 {
                frames
            } else {
                ((start.elapsed().as_secs_f64() * rate as f64) as u64).min(frames)
            };
            if due <= sent {
                tokio::task::yield_now().await;
                continue;
            }
            while sent < due {
                let n = (sent as u32).to_le_bytes();
                let frame =
                    Frame::new_data(0x123, false, &[n[0], n[1], n[2], n[3], 0xDE, 0xAD, 0xBE, 0xEF]).unwrap();
                bus.send(&frame).await.expect("send");
                sent += 1;
            }
        }
    });
}
pub mod measure;
