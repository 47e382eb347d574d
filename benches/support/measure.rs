//! Measuring a server side by side: its binary, clocks, CPU time by the scheduler's clocks,
//! what the machine did meanwhile, memory from /proc, and a latency histogram. Shared by
//! `server_fanout` and `server_http_udp`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub fn canserver() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canserver"))
}

pub fn realtime_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

pub fn clock_seconds(clock: libc::clockid_t) -> Option<f64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec we pass.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9)
}

/// CPU time of process `pid`, every thread, those that ended included.
pub fn process_cpu_seconds(pid: u32) -> Option<f64> {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: clock_getcpuclockid writes the clock id we pass.
    let rc = unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) };
    if rc != 0 {
        return None;
    }
    clock_seconds(clock)
}

/// CPU time of this process (the clients, the feeder), every thread.
pub fn own_cpu_seconds() -> f64 {
    clock_seconds(libc::CLOCK_PROCESS_CPUTIME_ID).unwrap_or(0.0)
}

/// CPU time the whole machine spent busy (every CPU): what else ran shows against our own.
/// NaN inside User-Mode Linux, whose counters there are meaningless (more ticks than time): the
/// host measures the guest instead, between the rows' [`mark`]s.
pub fn machine_cpu_seconds() -> f64 {
    if std::env::args().any(|a| a == "--guest") {
        return f64::NAN;
    }
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().next() else { return 0.0 };
    let v: Vec<u64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    if v.len() < 8 {
        return 0.0;
    }
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) as f64 / clock_ticks()
}

pub fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) as f64 }
}

/// Wait (at most `max`) until the machine is quiet: less than 15% of one CPU busy over half a
/// second. Returns the busy share last seen, in % of one CPU.
pub fn wait_quiet(max: Duration) -> f64 {
    let deadline = Instant::now() + max;
    loop {
        let before = machine_cpu_seconds();
        std::thread::sleep(Duration::from_millis(500));
        let busy = (machine_cpu_seconds() - before) / 0.5 * 100.0;
        if busy < 15.0 || Instant::now() >= deadline {
            return busy;
        }
    }
}

/// Latency histogram: 64 linear buckets per power of two (under 1.6% error), nanoseconds.
#[derive(Clone)]
pub struct Hist {
    pub counts: Vec<u64>,
    pub n: u64,
    pub max: u64,
}

impl Hist {
    pub fn new() -> Hist {
        Hist { counts: vec![0; 64 * 60], n: 0, max: 0 }
    }

    pub fn index(v: u64) -> usize {
        if v < 64 {
            return v as usize;
        }
        let shift = 63 - v.leading_zeros() - 6;
        (shift as usize + 1) * 64 + ((v >> shift) as usize - 64)
    }

    pub fn lower(i: usize) -> u64 {
        if i < 64 {
            i as u64
        } else {
            ((i % 64 + 64) as u64) << (i / 64 - 1)
        }
    }

    pub fn add(&mut self, v: u64) {
        let i = Self::index(v).min(self.counts.len() - 1);
        self.counts[i] += 1;
        self.n += 1;
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, other: &Hist) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.n += other.n;
        self.max = self.max.max(other.max);
    }

    /// The `q` quantile in microseconds (a bucket's middle).
    pub fn quantile_us(&self, q: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let want = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                let lo = Self::lower(i) as f64;
                let hi = Self::lower(i + 1) as f64;
                return (lo + hi) / 2.0 / 1e3;
            }
        }
        self.max as f64 / 1e3
    }
}

pub fn status_kb(pid: u32, file: &str, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}
