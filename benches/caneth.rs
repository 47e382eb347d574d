//! `cargo bench --bench caneth`: cankit's `caneth watch` beside the seed's Python client
//! (`python -m caneth.cli watch`, caneth 0.3 from PyPI, in target/venv) on the same feed from
//! `caneth simulate`, and how soon each is back after the simulator restarts; the repl's
//! start-up time.
//!
//! * Throughput: the simulator bridges a private udp_multicast bus (in a private network
//!   namespace with only `lo` when run as root); a feeder puts N frames on it at a paced rate
//!   (its sequence number in the first four data bytes); the client prints every frame to a pipe
//!   this program reads and counts. Per row: frames received, lost (sent − received; where the
//!   simulator's per-client queue overflowed, it says so), the rate at which the client's
//!   output arrived, and the client's CPU time per frame (the scheduler's clock).
//! * Reconnect: a feeder sends a frame every millisecond; the simulator is stopped, started
//!   again 1.5 s later, and the row is the time from the simulator listening again to the
//!   client's first frame after it (both clients start their back-off at 0.5 s: where the
//!   retry falls decides it, so the run repeats and prints each).
//! * Repl: `printf 'quit\n' | canlogger repl`, wall time, the median of 10.
//!
//! Options (environment): `BENCH_RATES` (default 10000,50000,100000,0; 0 = as fast as the
//! feeder goes), `BENCH_SECONDS` per rate row (default 3), `BENCH_MAX_FRAMES` (default 300000),
//! `BENCH_RECONNECTS` (default 3), `CANKIT_PYTHON` (default target/venv/bin/python).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use support::measure::process_cpu_seconds;
use support::{enter_private_netns, env_or, root, send_paced, terminate};

fn caneth() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_caneth"))
}

fn python() -> Option<PathBuf> {
    let p = std::env::var_os("CANKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/venv/bin/python"));
    let ok =
        Command::new(&p).args(["-c", "import caneth"]).output().map(|o| o.status.success()).unwrap_or(false);
    ok.then_some(p)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child whose stderr is collected and whose stdout lines are counted (frames) with the time
/// of the first and last.
struct Proc {
    child: Child,
    log: Arc<Mutex<String>>,
    lines: Arc<AtomicU64>,
    last: Arc<Mutex<Option<Instant>>>,
}

impl Proc {
    fn start(cmd: &mut Command, frame_line: fn(&str) -> bool) -> Proc {
        let mut child = cmd
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let lines = Arc::new(AtomicU64::new(0));
        let last = Arc::new(Mutex::new(None));
        let err = child.stderr.take().unwrap();
        let out = child.stdout.take().unwrap();
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        {
            let (lines, last, log) = (Arc::clone(&lines), Arc::clone(&last), Arc::clone(&log));
            std::thread::spawn(move || {
                for line in BufReader::with_capacity(1 << 16, out).lines().map_while(Result::ok) {
                    if frame_line(&line) {
                        lines.fetch_add(1, Ordering::Relaxed);
                        *last.lock().unwrap() = Some(Instant::now());
                    } else {
                        let mut l = log.lock().unwrap();
                        l.push_str(&line);
                        l.push('\n');
                    }
                }
            });
        }
        Proc { child, log, lines, last }
    }

    fn wait_log(&self, needle: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if self.log.lock().unwrap().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    }

    fn stop(mut self) -> String {
        terminate(&mut self.child, Duration::from_secs(3));
        std::thread::sleep(Duration::from_millis(50));
        let log = self.log.lock().unwrap().clone();
        log
    }
}

fn simulator(port: u16, bus_port: u16) -> Proc {
    let p = Proc::start(
        Command::new(caneth())
            .args(["simulate", "--channels", "1", "--port", &bus_port.to_string()])
            .args(["--listen", &format!("127.0.0.1:{port}")]),
        |_| false,
    );
    assert!(p.wait_log("Waveshare gateway protocol", Duration::from_secs(10)), "the simulator did not start");
    p
}

#[derive(Clone, Copy, PartialEq)]
enum Client {
    Cankit,
    Python,
}

impl Client {
    fn name(self) -> &'static str {
        match self {
            Client::Cankit => "cankit caneth",
            Client::Python => "python caneth 0.3",
        }
    }

    fn start(self, python: &Option<PathBuf>, port: u16) -> Option<Proc> {
        let port = port.to_string();
        Some(match self {
            Client::Cankit => Proc::start(
                Command::new(caneth()).args([
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port,
                    "watch",
                    "--format",
                    "log",
                ]),
                |l| l.contains('#'),
            ),
            Client::Python => Proc::start(
                Command::new(python.as_ref()?).args([
                    "-m",
                    "caneth.cli",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port,
                    "--log",
                    "WARNING",
                    "watch",
                ]),
                |l| l.starts_with("[RX]"),
            ),
        })
    }
}

fn throughput_row(client: Client, python: &Option<PathBuf>, rate: u64, frames: u64) {
    let (port, bus_port) = (free_port(), free_port());
    let sim = simulator(port, bus_port);
    let Some(proc) = client.start(python, port) else {
        println!("{:<18} {:>7}  (not run: no caneth in the Python venv)", client.name(), rate);
        sim.stop();
        return;
    };
    assert!(
        sim.wait_log("Waveshare client connected", Duration::from_secs(10)),
        "{} did not connect",
        client.name()
    );
    std::thread::sleep(Duration::from_millis(300));
    let cpu0 = process_cpu_seconds(proc.child.id()).unwrap_or(f64::NAN);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let t0 = Instant::now();
    send_paced(&rt, &bus_port.to_string(), frames, rate);
    let fed = t0.elapsed().as_secs_f64();
    // Until everything arrived, or nothing more for 2 s.
    let (mut seen, mut still) = (0, Instant::now());
    while proc.lines.load(Ordering::Relaxed) < frames && still.elapsed() < Duration::from_secs(2) {
        let n = proc.lines.load(Ordering::Relaxed);
        if n != seen {
            seen = n;
            still = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let got = proc.lines.load(Ordering::Relaxed);
    let last = proc.last.lock().unwrap().unwrap_or(t0);
    let cpu = process_cpu_seconds(proc.child.id()).unwrap_or(f64::NAN) - cpu0;
    proc.stop();
    let log = sim.stop();
    let note = log
        .lines()
        .find(|l| l.contains("not keeping up"))
        .map(|l| format!("  ({})", l.trim()))
        .unwrap_or_default();
    println!(
        "{:<18} {:>7} {:>8} {:>9.0} {:>8} {:>8} {:>10.0} {:>9.2}{note}",
        client.name(),
        if rate == 0 { "max".into() } else { rate.to_string() },
        frames,
        frames as f64 / fed,
        got,
        frames.saturating_sub(got),
        got as f64 / last.duration_since(t0).as_secs_f64().max(1e-9),
        cpu * 1e6 / got.max(1) as f64
    );
}

/// Seconds from the simulator listening again to the client's first frame after it.
fn reconnect(client: Client, python: &Option<PathBuf>) -> Option<f64> {
    let (port, bus_port) = (free_port(), free_port());
    let sim = simulator(port, bus_port);
    let proc = client.start(python, port)?;
    if !sim.wait_log("Waveshare client connected", Duration::from_secs(10)) {
        return None;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            while !stop.load(Ordering::Relaxed) {
                send_paced(&rt, &bus_port.to_string(), 10, 1000);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    sim.stop();
    std::thread::sleep(Duration::from_millis(1500));
    let before = proc.lines.load(Ordering::Relaxed);
    let sim = simulator(port, bus_port);
    let back = Instant::now();
    let mut after = None;
    while back.elapsed() < Duration::from_secs(30) {
        if proc.lines.load(Ordering::Relaxed) > before {
            after = Some(back.elapsed().as_secs_f64());
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    stop.store(true, Ordering::Relaxed);
    let _ = feeder.join();
    proc.stop();
    sim.stop();
    after
}

fn repl_startup() -> Option<f64> {
    let canlogger = PathBuf::from(env!("CARGO_BIN_EXE_canlogger"));
    let mut times = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let mut child = Command::new(&canlogger)
            .args(["--port", &free_port().to_string(), "repl"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        use std::io::Write;
        child.stdin.take()?.write_all(b"quit\n").ok()?;
        if !child.wait().ok()?.success() {
            return None;
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    match enter_private_netns() {
        Some(n) => println!("network: private namespace {n} (only lo)"),
        None => println!("network: host loopback"),
    }
    let python = python();
    let rates: Vec<u64> = std::env::var("BENCH_RATES")
        .unwrap_or_else(|_| "10000,50000,100000,0".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let seconds: f64 = env_or("BENCH_SECONDS", 3.0);
    let max_frames: u64 = env_or("BENCH_MAX_FRAMES", 300_000);
    println!(
        "Throughput: caneth simulate → TCP (13-byte records) → the client's watch output, counted. fed/s = \
         the feeder's rate on the bus; out f/s = frames printed / time to the last; µs/frame = the \
         client's CPU per frame printed."
    );
    println!(
        "{:<18} {:>7} {:>8} {:>9} {:>8} {:>8} {:>10} {:>9}",
        "client", "rate", "sent", "fed/s", "received", "lost", "out f/s", "µs/frame"
    );
    for &rate in &rates {
        let frames = if rate == 0 { max_frames } else { (rate as f64 * seconds) as u64 };
        for client in [Client::Cankit, Client::Python] {
            throughput_row(client, &python, rate, frames);
        }
    }
    let trials: usize = env_or("BENCH_RECONNECTS", 3);
    println!(
        "\nReconnect: seconds from the simulator listening again (after 1.5 s away) to the first frame:"
    );
    for client in [Client::Cankit, Client::Python] {
        let times: Vec<String> = (0..trials)
            .map(|_| reconnect(client, &python).map_or("-".into(), |s| format!("{s:.2}")))
            .collect();
        println!("  {:<18} {}", client.name(), times.join("  "));
    }
    match repl_startup() {
        Some(s) => {
            println!("\nRepl start-up (printf 'quit\\n' | canlogger repl), median of 10: {:.1} ms", s * 1e3)
        }
        None => println!("\nRepl start-up: not measured (no `canlogger repl` in this build)"),
    }
}
