//! `cargo bench --bench watch_throughput`: how fast `canlogger watch --format log` keeps up with
//! a sender on the loopback udp_multicast bus, and what one `canlogger send` costs, side by side
//! with python-can (and with can-utils' `cansend` inside User-Mode Linux when it is installed).
//!
//! As root the whole benchmark runs in a private network namespace with only `lo`, so python-can
//! (which sends with TTL 1 on the default interface) never touches the host's network; without
//! root the python-can baseline is skipped. Figures go to stdout. Options (environment):
//! `BENCH_FRAMES` (default 1,000,000 per rate), `BENCH_RATES` (frames/s, comma-separated,
//! 0 = as fast as possible; default 50000,100000,200000,0), `BENCH_SEND_RUNS` (default 200).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::{canlogger, enter_private_netns, env_or, root};

const PORT: &str = "43199";

fn send_paced(rt: &tokio::runtime::Runtime, frames: u64, rate: u64) {
    support::send_paced(rt, PORT, frames, rate)
}

struct WatchResult {
    received: u64,
    seconds: f64,
    stderr: String,
}

/// Start `canlogger watch --format log`, send `frames` at `rate` (0 = flat out) and count the
/// lines it prints. With `stall`, the reader of its output stops for that long at the start, so
/// the watcher falls behind the sender and the kernel must drop frames: shows what it reports.
fn watch_run(rt: &tokio::runtime::Runtime, frames: u64, rate: u64, stall: Option<Duration>) -> WatchResult {
    let mut child = Command::new(canlogger())
        .args(["--port", PORT, "-v", "watch", "--format", "log", "-T", "2s", "-n"])
        .arg(frames.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start canlogger watch");
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let out = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut r = BufReader::with_capacity(1 << 20, out);
        let mut n = 0u64;
        if let Some(pause) = stall {
            std::thread::sleep(pause);
        }
        loop {
            let buf = r.fill_buf().unwrap();
            if buf.is_empty() {
                break n;
            }
            n += buf.iter().filter(|&&b| b == b'\n').count() as u64;
            let len = buf.len();
            r.consume(len);
        }
    });
    let start = Instant::now();
    send_paced(rt, frames, rate);
    let received = counter.join().unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let _ = child.wait();
    let mut stderr = String::new();
    err.read_to_string(&mut stderr).unwrap();
    WatchResult { received, seconds, stderr }
}

/// python-can's receive loop on the same bus, counting frames for `frames` or until idle.
fn python_watch_run(rt: &tokio::runtime::Runtime, python: &Path, frames: u64, rate: u64) -> WatchResult {
    let script = format!(
        "import can,sys\n\
         b=can.Bus(interface='udp_multicast',channel='239.74.163.2',port={PORT},fd=True)\n\
         print('ready',flush=True)\n\
         n=0\n\
         while n<{frames}:\n\
         \x20   m=b.recv(2.0)\n\
         \x20   if m is None: break\n\
         \x20   n+=1\n\
         print(n,flush=True)\n"
    );
    let mut child = Command::new(python)
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let start = Instant::now();
    send_paced(rt, frames, rate);
    line.clear();
    out.read_line(&mut line).unwrap();
    let _ = child.wait();
    WatchResult {
        received: line.trim().parse().unwrap_or(0),
        seconds: start.elapsed().as_secs_f64(),
        stderr: String::new(),
    }
}

fn mean_wall(runs: u32, mut cmd: impl FnMut() -> Command) -> Duration {
    let start = Instant::now();
    for _ in 0..runs {
        let st = cmd().stdout(Stdio::null()).status().expect("run");
        assert!(st.success());
    }
    start.elapsed() / runs
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it, and
    // a benchmark is not a test: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let frames: u64 = env_or("BENCH_FRAMES", 1_000_000);
    let rates: Vec<u64> = std::env::var("BENCH_RATES")
        .unwrap_or_else(|_| "50000,100000,200000,0".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let send_runs: u32 = env_or("BENCH_SEND_RUNS", 200);
    let netns = enter_private_netns();
    match &netns {
        Some(n) => println!("network: private namespace {n} (only lo)"),
        None => println!("network: host loopback (not root: python-can baseline skipped)"),
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let python = root().join("target/venv/bin/python");
    let python = (netns.is_some() && python.exists()).then_some(python);

    println!("\n## canlogger watch --format log on udp_multicast, {frames} frames per rate");
    println!("{:>12} {:>12} {:>10} {:>12}  watcher said", "rate f/s", "received", "lost", "achieved f/s");
    for &rate in &rates {
        let r = watch_run(&rt, frames, rate, None);
        let said: Vec<&str> = r.stderr.lines().filter(|l| l.contains("dropped")).take(2).collect();
        println!(
            "{:>12} {:>12} {:>10} {:>12.0}  {}",
            if rate == 0 { "max".to_string() } else { rate.to_string() },
            r.received,
            frames - r.received.min(frames),
            r.received as f64 / r.seconds,
            said.join(" | ")
        );
    }
    let overload_frames = frames.min(500_000);
    let r = watch_run(&rt, overload_frames, 100_000, Some(Duration::from_secs(2)));
    println!(
        "\n## overload: the watcher's output blocked for 2 s at 100,000 frames/s ({overload_frames} frames)\n\
         received {}, lost {}; the watcher said:",
        r.received,
        overload_frames - r.received.min(overload_frames)
    );
    for line in r.stderr.lines().filter(|l| !l.contains("=")) {
        println!("  {line}");
    }
    if let Some(py) = &python {
        let py_frames = frames.min(200_000);
        println!("\n## python-can udp_multicast receive loop (baseline), {py_frames} frames per rate");
        for &rate in rates.iter().filter(|&&r| r != 0) {
            let r = python_watch_run(&rt, py, py_frames, rate);
            println!(
                "{:>12} {:>12} {:>10} {:>12.0}",
                rate,
                r.received,
                py_frames - r.received.min(py_frames),
                r.received as f64 / r.seconds
            );
        }
    }

    println!("\n## one `send` invocation, wall time (mean of {send_runs})");
    let ours = mean_wall(send_runs, || {
        let mut c = Command::new(canlogger());
        c.args(["--port", PORT, "send", "123#DEADBEEF"]);
        c
    });
    println!("canlogger send (udp_multicast)   {:>8.2} ms", ours.as_secs_f64() * 1e3);
    if let Some(py) = &python {
        let runs = (send_runs / 10).max(5);
        let theirs = mean_wall(runs, || {
            let mut c = Command::new(py);
            c.args([
                "-c",
                &format!(
                    "import can; b=can.Bus(interface='udp_multicast', channel='239.74.163.2', port={PORT}); \
                     b.send(can.Message(arbitration_id=0x123, is_extended_id=False, data=bytes.fromhex('DEADBEEF'))); b.shutdown()"
                ),
            ]);
            c
        });
        println!(
            "python-can one-liner (udp)       {:>8.2} ms   ({:.1}x canlogger)",
            theirs.as_secs_f64() * 1e3,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
    uml_send_comparison(send_runs.min(100));

    if let Some(n) = netns {
        let _ = Command::new("ip").args(["netns", "del", &n]).status();
    }
}

/// cansend vs canlogger send on a vcan inside User-Mode Linux, and the 20,000-frame burst.
fn uml_send_comparison(runs: u32) {
    let runner = root().join("tests/uml/run.sh");
    if !runner.exists()
        || Command::new("sh")
            .args(["-c", "command -v linux.uml"])
            .output()
            .map(|o| !o.status.success())
            .unwrap_or(true)
    {
        println!("(User-Mode Linux not available: cansend comparison skipped)");
        return;
    }
    let cl = canlogger();
    let script = format!(
        r#"t() {{ s=$(date +%s%N); i=0; while [ $i -lt {runs} ]; do "$@" >/dev/null || exit 1; i=$((i+1)); done; e=$(date +%s%N); echo $(( (e-s)/{runs}/1000 )); }}
z=$(t /bin/true); a=$(t cansend vcan0 123#DEADBEEF); b=$(t {cl} -i socketcan -c vcan0 send 123#DEADBEEF)
{cl} -i socketcan -c vcan0 watch --format log -n 20000 -T 5s > /tmp/burst.log 2>/tmp/burst.err & W=$!
sleep 0.5; cangen vcan0 -g 0 -n 20000 -L 8; wait $W
echo "true_us=$z cansend_us=$a canlogger_us=$b burst_lines=$(wc -l < /tmp/burst.log) burst_err=$(tr '\n' ' ' < /tmp/burst.err)""#,
        cl = cl.display()
    );
    let out = Command::new(&runner).args(["--timeout", "600", "sh", "-c", &script]).output();
    match out {
        Ok(o) if o.status.success() => {
            let s = String::from_utf8_lossy(&o.stdout);
            println!("inside User-Mode Linux (vcan0, one guest CPU; every exec is slow there, see true_us), mean of {runs}:");
            println!("  {}", s.trim());
        }
        Ok(o) => println!("UML comparison failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => println!("UML comparison failed: {e}"),
    }
}
