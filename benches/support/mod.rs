//! Shared by the benchmarks that need a bus: a private network namespace, a paced sender.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
    // The name can go at once: the namespace lives while this thread and its children are in it,
    // and no bench run leaves one behind.
    ok(&["netns", "del", &name]);
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

/// Stop a child of ours: SIGTERM, then SIGKILL if it is still running after `grace`.
pub fn terminate(child: &mut std::process::Child, grace: std::time::Duration) {
    // SAFETY: kill on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `tests/uml/run.sh --timeout SECONDS` ready to take the guest's command, with the kernel that
/// `tests/uml/ensure-kernel.sh` found (or fetched) in its environment, and every directory of
/// `binaries` outside the repository shared with the guest.
pub fn uml_command(timeout_s: u64, binaries: &[&Path]) -> Result<Command, String> {
    let ensure = Command::new(root().join("tests/uml/ensure-kernel.sh"))
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("tests/uml/ensure-kernel.sh: {e}"))?;
    if !ensure.status.success() {
        return Err("tests/uml/ensure-kernel.sh failed (User-Mode Linux not installed?)".into());
    }
    let mut command = Command::new(root().join("tests/uml/run.sh"));
    for word in String::from_utf8_lossy(&ensure.stdout).split_whitespace().filter(|w| *w != "export") {
        if let Some((k, v)) = word.split_once('=') {
            command.env(k, v.trim_matches(|c| c == '\'' || c == '"'));
        }
    }
    command.args(["--timeout", &timeout_s.to_string()]);
    for p in binaries {
        if let Some(dir) = p.parent().filter(|d| !d.starts_with(root())) {
            command.arg("--share").arg(dir);
        }
    }
    command.current_dir(root());
    Ok(command)
}

/// A C peer built by `../shared/peers/build-peers.sh`: `$VAR` if set, else
/// `$CARGO_TARGET_DIR/peers/bin/NAME` (default `target/`), built there when missing.
pub fn peer_binary(name: &str, var: &str) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os(var).map(PathBuf::from) {
        return if p.exists() { Ok(p) } else { Err(format!("{var}: no {name} at {}", p.display())) };
    }
    let out =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let bin = out.join("peers/bin").join(name);
    if !bin.exists() {
        let script = root().join("../shared/peers/build-peers.sh");
        println!("(building the C peers for {name}: {})", script.display());
        let ok = Command::new(&script)
            .arg(out.join("peers"))
            .stdout(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return Err(format!("{} failed", script.display()));
        }
    }
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!("no {name} at {}", bin.display()))
    }
}
