//! `cargo bench --bench canopen_node`: `canopen-node` beside python canopen's `LocalNode` (2.4,
//! from PyPI, in target/venv) on the same bus, and beside CANopenNode's `canopend` in User-Mode
//! Linux, measured by the same client: cankit's SDO client ([`cankit::canopen::client`]) in this
//! process.
//!
//! * Host place: a private network namespace with only `lo` (when run as root), python-can's
//!   udp_multicast bus with its defaults; each device runs alone while its rows are measured.
//! * Guest place (`--guest`, one CPU, the kernel's vcan0): `canopend -i 1 vcan0` and
//!   `canopen-node -n 5 -i socketcan -c vcan0`.
//!
//! Rows: SDO expedited uploads of 0x1018:01 back to back (round trips per second, p50, p99);
//! a 64 KiB domain (0x2000) downloaded and uploaded segmented and in block transfers (KiB/s);
//! SYNC → TPDO latency (TPDO1, transmission type 1: the client sends SYNC and waits for the
//! TPDO); heartbeat period jitter (0x1017 = 10 ms for `BENCH_HEARTBEAT_SECONDS`, intervals as
//! the client receives them: p50, p99, worst).
//!
//! Options (environment): `BENCH_SDO_N` (default 2000), `BENCH_PDO_N` (default 500),
//! `BENCH_HEARTBEAT_SECONDS` (default 5), `BENCH_PLACES` (`host,uml`), `CANKIT_PYTHON`,
//! `CANOPEND` (default target/peers/bin/canopend, built by ../shared/peers/build-peers.sh).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use cankit::bus::hub::{Hub, SubscribeOptions};
use cankit::canopen::client::SdoClient;
use cankit::filter::FilterSet;
use cankit::{Bus, BusConfig, BusEvent, Frame};
use support::{enter_private_netns, env_or, peer_binary, root, terminate, uml_command};

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

fn eds() -> PathBuf {
    root().join("tests/fixtures/canopen/device.eds")
}

fn python() -> Option<PathBuf> {
    let p = std::env::var_os("CANKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/venv/bin/python"));
    let ok = Command::new(&p).args(["-c", "import canopen"]).output().is_ok_and(|o| o.status.success());
    ok.then_some(p)
}

/// A device under test, started and waited for.
struct Device {
    name: &'static str,
    node: u8,
    child: Child,
    /// What the device cannot do, by row.
    limits: &'static [(&'static str, &'static str)],
    /// What a row measured differently for this device.
    notes: &'static [(&'static str, &'static str)],
}

impl Device {
    /// Wait for `needle` on its stdout (READY) or stderr; an empty needle waits a second (a peer
    /// that says nothing when it is up).
    fn wait_ready(mut self, needle: &str) -> Option<Device> {
        if needle.is_empty() {
            for stream in [
                self.child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
                self.child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            ]
            .into_iter()
            .flatten()
            {
                std::thread::spawn(move || BufReader::new(stream).lines().for_each(drop));
            }
            std::thread::sleep(Duration::from_secs(1));
            return Some(self);
        }
        let stream: Box<dyn std::io::Read + Send> = if needle == "READY" {
            Box::new(self.child.stdout.take()?)
        } else {
            Box::new(self.child.stderr.take()?)
        };
        let mut lines = BufReader::new(stream).lines();
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            match lines.next() {
                Some(Ok(line)) if line.contains(needle) => {
                    // Keep draining so the device never blocks on a full pipe.
                    std::thread::spawn(move || lines.for_each(drop));
                    return Some(self);
                }
                Some(Ok(_)) => {}
                _ => break,
            }
        }
        println!("  ({} did not start)", self.name);
        None
    }

    fn limit(&self, row: &str) -> Option<&'static str> {
        self.limits.iter().find(|(r, _)| *r == row).map(|(_, why)| *why)
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(3));
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Every row for one device, printed as it is measured.
async fn rows(device: &Device, config: &BusConfig) {
    let hub = Hub::new(Bus::open(config).await.expect("the bench's bus"));
    let mut client = SdoClient::new(&hub, device.node);
    client.timeout = Duration::from_secs(2);
    let name = device.name;

    // Expedited round trips.
    let n: usize = env_or("BENCH_SDO_N", 2000);
    let mut times = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        if let Err(e) = client.upload(0x1018, 1).await {
            println!("  {name:<22} expedited upload: failed: {e}");
            return;
        }
        times.push(t.elapsed());
    }
    let total = start.elapsed();
    times.sort();
    println!(
        "  {name:<22} SDO expedited upload     {:>8.0}/s   p50 {}  p99 {}",
        n as f64 / total.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    // A 64 KiB domain, four ways.
    let blob: Vec<u8> = (0..65536u32).map(|i| (i * 7 + i / 251) as u8).collect();
    for (row, block, download) in [
        ("segmented download", false, true),
        ("segmented upload", false, false),
        ("block download", true, true),
        ("block upload", true, false),
    ] {
        if let Some(why) = device.limit(row) {
            println!("  {name:<22} 64 KiB {row:<18} n/a: {why}");
            continue;
        }
        let t = Instant::now();
        let result = match (block, download) {
            (false, true) => client.download(0x2000, 0, &blob).await.map(|()| blob.len()),
            (false, false) => client.upload(0x2000, 0).await.map(|d| d.len()),
            (true, true) => client.download_block(0x2000, 0, &blob).await.map(|()| blob.len()),
            (true, false) => client.upload_block(0x2000, 0).await.map(|d| d.len()),
        };
        match result {
            Ok(len) => {
                let s = t.elapsed().as_secs_f64();
                let note = device
                    .notes
                    .iter()
                    .find(|(r, _)| *r == row)
                    .map_or(String::new(), |(_, n)| format!("; {n}"));
                println!(
                    "  {name:<22} 64 KiB {row:<18} {:>8.1} KiB/s  ({len} bytes in {s:.3} s{note})",
                    len as f64 / 1024.0 / s
                )
            }
            Err(e) => println!("  {name:<22} 64 KiB {row:<18} failed: {e}"),
        }
    }

    // SYNC → TPDO1.
    if let Some(why) = device.limit("pdo") {
        println!("  {name:<22} SYNC → TPDO latency       n/a: {why}");
    } else {
        let tpdo = 0x180 + u32::from(device.node);
        let filter = FilterSet::parse(&[format!("{tpdo:03X}:7FF")]).unwrap();
        let mut pdos = hub.subscribe(SubscribeOptions { filter, ..Default::default() });
        hub.send(&Frame::new_data(0, false, &[0x01, device.node]).unwrap()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        while let Ok(Some(_)) = pdos.try_recv() {}
        let n: usize = env_or("BENCH_PDO_N", 500);
        let sync = Frame::new_data(0x80, false, &[]).unwrap();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            hub.send(&sync).await.unwrap();
            match tokio::time::timeout(Duration::from_secs(1), pdos.recv()).await {
                Ok(Ok(BusEvent::Frame(_))) => times.push(t.elapsed()),
                _ => break,
            }
        }
        times.sort();
        if times.len() == n {
            println!(
                "  {name:<22} SYNC → TPDO latency      p50 {}  p99 {}  ({n} SYNCs)",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.99))
            );
        } else {
            println!("  {name:<22} SYNC → TPDO latency      no TPDO after {} SYNCs", times.len() + 1);
        }
        hub.send(&Frame::new_data(0, false, &[0x80, device.node]).unwrap()).await.unwrap();
    }

    // Heartbeat jitter at 10 ms.
    let seconds: f64 = env_or("BENCH_HEARTBEAT_SECONDS", 5.0);
    let beat = 0x700 + u32::from(device.node);
    let filter = FilterSet::parse(&[format!("{beat:03X}:7FF")]).unwrap();
    let mut beats = hub.subscribe(SubscribeOptions { filter, capacity: 100_000, ..Default::default() });
    if device.limit("heartbeat-sdo").is_none() {
        if let Err(e) = client.download(0x1017, 0, &10u16.to_le_bytes()).await {
            println!("  {name:<22} heartbeat: 0x1017 refused: {e}");
            return;
        }
    }
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let mut stamps = Vec::new();
    while Instant::now() < end {
        if let Ok(Ok(BusEvent::Frame(_))) =
            tokio::time::timeout(Duration::from_millis(100), beats.recv()).await
        {
            stamps.push(Instant::now());
        }
    }
    let mut intervals: Vec<Duration> = stamps.windows(2).skip(1).map(|w| w[1] - w[0]).collect();
    intervals.sort();
    let worst = intervals.iter().map(|d| d.as_secs_f64() - 0.010).map(f64::abs).fold(0.0, f64::max);
    println!(
        "  {name:<22} heartbeat 10 ms          p50 {}  p99 {}  worst deviation {:.3} ms  ({} beats)",
        ms(percentile(&intervals, 0.5)),
        ms(percentile(&intervals, 0.99)),
        worst * 1e3,
        stamps.len()
    );
    if device.limit("heartbeat-sdo").is_none() {
        let _ = client.download(0x1017, 0, &0u16.to_le_bytes()).await;
    }
}

fn host_place() {
    match enter_private_netns() {
        Some(n) => {
            println!("Host place: private network namespace {n} (only lo), python-can's udp_multicast bus")
        }
        None => println!("Host place: host loopback (not root: no private namespace), udp_multicast bus"),
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let config = BusConfig::new("udp_multicast", None);
    let cankit = Command::new(canopen_node())
        .args(["-n", "5", "-e"])
        .arg(eds())
        .args(["-i", "udp_multicast", "--no-store", "--control"])
        .arg(std::env::temp_dir().join(format!("cankit-bench-{}.sock", std::process::id())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("canopen-node");
    let device = Device { name: "canopen-node", node: 5, child: cankit, limits: &[], notes: &[] };
    if let Some(device) = device.wait_ready("control socket") {
        runtime.block_on(rows(&device, &config));
    }
    let Some(python) = python() else {
        println!("  python canopen LocalNode: not measured (no python canopen in target/venv: run tools/test-all.sh)");
        return;
    };
    let child = Command::new(python)
        .arg(root().join("benches/python/canopen_localnode.py"))
        .arg(eds())
        .args(["6", "10"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python");
    let device = Device {
        name: "python LocalNode 2.4",
        node: 6,
        child,
        limits: &[
            ("block download", "LocalNode's SDO server refuses block download"),
            ("pdo", "LocalNode sends no TPDO on its own"),
            ("heartbeat-sdo", "started with nmt.start_heartbeat(10)"),
        ],
        notes: &[("block upload", "LocalNode answers with a segmented upload")],
    };
    if let Some(device) = device.wait_ready("READY") {
        runtime.block_on(rows(&device, &config));
    }
}

/// In the guest: canopend, then canopen-node, on vcan0.
fn guest_main(args: &[String]) {
    let canopend =
        args.iter().position(|a| a == "--canopend").and_then(|i| args.get(i + 1)).expect("--canopend PATH");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let config = BusConfig::new("socketcan", Some("vcan0"));
    let dir = std::env::temp_dir();
    let child = Command::new(canopend)
        .args(["vcan0", "-i", "1", "-s"])
        .arg(dir.join("canopend-"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("canopend");
    let device = Device {
        name: "canopend (CANopenNode)",
        node: 1,
        child,
        limits: &[
            ("segmented download", "its dictionary has no domain"),
            ("segmented upload", "its dictionary has no domain"),
            ("block download", "its dictionary has no domain"),
            ("block upload", "its dictionary has no domain"),
            ("pdo", "its TPDOs map nothing by default"),
        ],
        notes: &[],
    };
    if let Some(device) = device.wait_ready("") {
        runtime.block_on(rows(&device, &config));
    }
    let child = Command::new(canopen_node())
        .args(["-n", "5", "-e"])
        .arg(eds())
        .args(["-i", "socketcan", "-c", "vcan0", "--no-store", "--control"])
        .arg(dir.join("canopen-node.sock"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("canopen-node");
    let device = Device { name: "canopen-node", node: 5, child, limits: &[], notes: &[] };
    if let Some(device) = device.wait_ready("control socket") {
        runtime.block_on(rows(&device, &config));
    }
}

fn uml_place() -> Result<(), String> {
    let canopend = peer_binary("canopend", "CANOPEND")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = uml_command(600, &[&exe, &canopen_node(), &canopend])?;
    let out = command
        .arg(&exe)
        .args(["--guest", "--canopend"])
        .arg(&canopend)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("tests/uml/run.sh: {e}"))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(format!(
            "the guest failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--guest") {
        guest_main(&args);
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let places = std::env::var("BENCH_PLACES").unwrap_or_else(|_| "host,uml".into());
    if places.contains("uml") {
        println!("Guest place: User-Mode Linux (one CPU), kernel vcan0, the client in the guest");
        if let Err(e) = uml_place() {
            println!("  not measured: {e}");
        }
    }
    if places.contains("host") {
        // Last: entering the namespace is for good, and the guest needs the host's network.
        host_place();
    }
}
