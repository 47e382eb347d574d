//! `cargo bench --bench record_throughput`: can `canlogger -f FILE` record the loopback
//! udp_multicast bus at 100,000 frames/s (over 10× a saturated 1 Mbit/s bus) into BLF and SQLite
//! without losing a frame, with flat memory? Prints per format and rate: frames sent and found in
//! the file, lost, the recorder's CPU time per frame (user + system, from `wait4`), and its
//! resident memory sampled every second after the first two (min/max) and its peak.
//!
//! Runs in a private network namespace when root (like `watch_throughput`). Options
//! (environment): `RECORD_SECONDS` per run (default 20; `RECORD_SECONDS=600` is the 10-minute
//! run), `RECORD_RATES` (frames/s, default 100000), `RECORD_FORMATS` (default blf,db,log).

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cankit::log::{self, Record};
use support::{canlogger, enter_private_netns, env_or, root};

const PORT: &str = "43198";

fn rss_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Run {
    /// The rate the sender achieved (below the target when the machine is too busy to send).
    sent_rate: f64,
    found: u64,
    cpu: Duration,
    rss_min_kb: u64,
    rss_max_kb: u64,
    peak_kb: u64,
    size: u64,
}

// The child is reaped with wait4 (for its CPU time), not Child::wait.
#[allow(clippy::zombie_processes)]
fn record(rt: &tokio::runtime::Runtime, dir: &std::path::Path, fmt: &str, rate: u64, seconds: u64) -> Run {
    let frames = rate * seconds;
    let path = dir.join(format!("rec-{rate}.{fmt}"));
    let _ = std::fs::remove_file(&path);
    let mut child = Command::new(canlogger())
        .args(["--port", PORT, "-v", "-q", "-f"])
        .arg(&path)
        .args(["-n", &frames.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start canlogger");
    let pid = child.id();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    // Sample memory once a second while the sender runs.
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = sampling.clone();
    let sampler = std::thread::spawn(move || {
        let start = Instant::now();
        let (mut lo, mut hi, mut peak) = (u64::MAX, 0u64, 0u64);
        while flag.load(std::sync::atomic::Ordering::Relaxed) {
            std::thread::sleep(Duration::from_secs(1));
            if let Some(kb) = rss_kb(pid, "VmRSS:") {
                if start.elapsed() > Duration::from_secs(2) {
                    lo = lo.min(kb);
                    hi = hi.max(kb);
                }
            }
            if let Some(kb) = rss_kb(pid, "VmHWM:") {
                peak = peak.max(kb);
            }
        }
        (lo, hi, peak)
    });
    let sending = Instant::now();
    support::send_paced(rt, PORT, frames, rate);
    let send_seconds = sending.elapsed().as_secs_f64();
    // The recorder stops by itself after the last frame; if frames were lost it waits for more:
    // give the last datagrams a moment, then stop it as a user would.
    std::thread::sleep(Duration::from_secs(2));
    // SAFETY: signalling our own child (still unreaped, so the pid is its).
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    // Reap with wait4 for the child's own CPU time.
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting for our own child.
    unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let (lo, hi, peak) = sampler.join().unwrap();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = tv(usage.ru_utime) + tv(usage.ru_stime);
    let reader = log::open_reader(&path, None, &Default::default()).expect("open recording");
    let found = reader.filter(|r| matches!(r, Ok(Record::Frame(_)))).count() as u64;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&path);
    Run {
        sent_rate: frames as f64 / send_seconds,
        found,
        cpu,
        rss_min_kb: if lo == u64::MAX { 0 } else { lo },
        rss_max_kb: hi,
        peak_kb: peak.max(usage.ru_maxrss as u64),
        size,
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // not a test
    }
    let seconds: u64 = env_or("RECORD_SECONDS", 20);
    let rates: Vec<u64> = std::env::var("RECORD_RATES")
        .unwrap_or_else(|_| "100000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let formats = std::env::var("RECORD_FORMATS").unwrap_or_else(|_| "blf,db,log".into());
    let netns = enter_private_netns();
    match &netns {
        Some(n) => println!("network: private namespace {n} (only lo)"),
        None => println!("network: host loopback"),
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir_in(root().join("target")).unwrap();
    println!("\n## canlogger -f FILE on udp_multicast, {seconds} s per run");
    println!(
        "{:<6} {:>9} {:>10} {:>10} {:>6} {:>8} {:>9} {:>16} {:>8} {:>9}",
        "format",
        "rate f/s",
        "sent",
        "in file",
        "lost",
        "CPU s",
        "CPU µs/f",
        "RSS min-max MB",
        "peak MB",
        "file MB"
    );
    for fmt in formats.split(',').map(str::trim) {
        for &rate in &rates {
            let r = record(&rt, dir.path(), fmt, rate, seconds);
            let sent = rate * seconds;
            println!(
                "{fmt:<6} {rate:>9} {:>9.0} {sent:>10} {:>10} {:>6} {:>8.2} {:>9.2} {:>16} {:>8.1} {:>9.1}",
                r.sent_rate,
                r.found,
                sent.saturating_sub(r.found),
                r.cpu.as_secs_f64(),
                r.cpu.as_secs_f64() * 1e6 / r.found.max(1) as f64,
                format!("{:.1}-{:.1}", r.rss_min_kb as f64 / 1024.0, r.rss_max_kb as f64 / 1024.0),
                r.peak_kb as f64 / 1024.0,
                r.size as f64 / 1e6,
            );
        }
    }
    if let Some(n) = netns {
        let _ = Command::new("ip").args(["netns", "del", &n]).status();
    }
}
