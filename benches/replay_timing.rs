//! `cargo bench --bench replay_timing`: how closely replays keep a log's schedule, for cankit's
//! `canplayer`, python-can's player and can-utils' `canplayer`, measured the same way for all
//! three from the receiver's side.
//!
//! For each rate (1 kHz and 10 kHz by default) a candump log of `REPLAY_SECONDS` seconds (default
//! 30; `REPLAY_SECONDS=600` is the 10-minute run) is generated, frame i at t_i = t_0 + i/rate,
//! carrying i in its data. A receiver records arrival times with the kernel's receive timestamps,
//! and lateness_i = (arrival_i − arrival_0) − (t_i − t_0); the final drift is the last frame's.
//!
//! * cankit `canplayer` and python-can's `python -m can.player -i udp_multicast` on the loopback
//!   udp_multicast bus, received by `canlogger watch --format log`. As root this runs in a private
//!   network namespace with only `lo` (python-can sends with TTL 1 on the default route); without
//!   root python-can is skipped and cankit uses a private port.
//! * can-utils' `canplayer` and, for comparison on the same ground, cankit's, inside User-Mode
//!   Linux on vcan0 (`tests/uml/run.sh`), received by `candump -L`. One guest CPU with emulated
//!   timers: expect worse figures there for every tool.
//!
//! cankit's own send-side lateness (its summary line) is printed too, and as root a second cankit
//! run with `--realtime` (SCHED_FIFO). Other options
//! (environment): `REPLAY_RATES` (frames/s, comma-separated; default 1000,10000),
//! `REPLAY_TOOLS` (any of cankit,python,canutils; default all).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

mod support;

use support::{canlogger, enter_private_netns, env_or, root};

/// The first frame's recorded time, in microseconds since the epoch.
const BASE_US: u64 = 1_700_000_000_000_000;

fn canplayer() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canplayer"))
}

/// Write the log for `rate` frames/s over `seconds`: channel vcan0 (so can-utils plays it onto
/// vcan0 as it is), id 0x123, the frame's index in 4 data bytes.
fn generate(path: &Path, rate: u64, seconds: u64) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create log"));
    for i in 0..rate * seconds {
        let us = BASE_US + i * 1_000_000 / rate;
        writeln!(out, "({}.{:06}) vcan0 123#{:08X}", us / 1_000_000, us % 1_000_000, i).unwrap();
    }
    out.flush().unwrap();
}

/// Lateness figures in microseconds.
#[derive(Default)]
struct Figures {
    received: usize,
    expected: usize,
    p50: f64,
    p99: f64,
    max: f64,
    drift: f64,
}

/// Receiver-side figures from candump -L lines: arrival vs the index carried in the data.
fn from_receiver(log: &str, rate: u64, expected: usize) -> Figures {
    let mut points: Vec<(f64, u64)> = Vec::with_capacity(expected);
    for line in log.lines() {
        let mut parts = line.split_whitespace();
        let (Some(time), Some(_), Some(frame)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Some(data) = frame.strip_prefix("123#") else { continue };
        let (Ok(time), Ok(index)) =
            (time.trim_matches(|c| c == '(' || c == ')').parse::<f64>(), u64::from_str_radix(data, 16))
        else {
            continue;
        };
        points.push((time, index));
    }
    let Some(&(a0, i0)) = points.first() else { return Figures { expected, ..Figures::default() } };
    let mut late: Vec<f64> =
        points.iter().map(|&(a, i)| ((a - a0) - (i - i0) as f64 / rate as f64) * 1e6).collect();
    let drift = *late.last().unwrap();
    late.sort_by(f64::total_cmp);
    let q = |p: f64| late[((p * late.len() as f64).ceil() as usize).clamp(1, late.len()) - 1];
    Figures { received: points.len(), expected, p50: q(0.5), p99: q(0.99), max: q(1.0), drift }
}

/// cankit's own summary line: `lateness: p50 12 µs, p99 40 µs, max 1.2 ms; drift at the last frame 8 µs`.
fn from_summary(stderr: &str) -> Option<(f64, f64, f64, f64)> {
    let line = stderr.lines().find(|l| l.contains("lateness: p50"))?;
    let value = |key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        let mut words = rest.split_whitespace();
        let n: f64 = words.next()?.parse().ok()?;
        Some(if words.next()?.starts_with("ms") { n * 1000.0 } else { n })
    };
    Some((value("p50 ")?, value("p99 ")?, value("max ")?, value("last frame ")?))
}

fn print_row(tool: &str, f: &Figures) {
    println!(
        "{tool:<36} {:>8}/{:<8} {:>10.0} {:>10.0} {:>10.0} {:>12.0}",
        f.received, f.expected, f.p50, f.p99, f.max, f.drift
    );
}

fn print_own(tool: &str, own: Option<(f64, f64, f64, f64)>) {
    match own {
        Some((p50, p99, max, drift)) => println!(
            "{:<36} {:>17} {p50:>10.0} {p99:>10.0} {max:>10.0} {drift:>12.0}",
            format!("  {tool} (its own send report)"),
            ""
        ),
        None => println!("  {tool}: no lateness line in its summary"),
    }
}

/// Replay `log` with `player` on the loopback bus while `canlogger watch` records.
fn loopback_run(player: &mut Command, port: Option<&str>, out: &Path) -> (String, String) {
    let mut watch = Command::new(canlogger());
    if let Some(p) = port {
        watch.args(["--port", p]);
    }
    let mut watcher = watch
        .args(["-v", "watch", "--format", "log"])
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start canlogger watch");
    // Ready when it says which bus it opened.
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(watcher.stderr.as_mut().unwrap()).read_line(&mut line).unwrap();
    }
    let o = player.stdin(Stdio::null()).output().expect("run the player");
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: kill on our own child's pid.
    unsafe { libc::kill(watcher.id() as i32, libc::SIGTERM) };
    let _ = watcher.wait();
    let received = std::fs::read_to_string(out).unwrap_or_default();
    let _ = std::fs::remove_file(out);
    (received, String::from_utf8_lossy(&o.stderr).into_owned())
}

/// can-utils' canplayer and cankit's inside one User-Mode Linux guest, both onto vcan0 with
/// `candump -L` receiving. Returns (can-utils log, cankit log, cankit stderr), or None.
fn uml_run(log: &Path, dir: &Path, seconds: u64) -> Option<(String, String, String)> {
    let runner = root().join("tests/uml/run.sh");
    let present = |p: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !runner.exists() || !present("linux.uml") || !present("/usr/bin/canplayer") {
        println!("(User-Mode Linux or can-utils missing: the can-utils comparison is skipped)");
        return None;
    }
    // can-utils' canplayer by its full path: cankit's, once installed, has the same name.
    let script = format!(
        r#"
sockets() {{ awk -v dev="$1" '$1 == dev {{ print $5 }}' /proc/net/can/rcvlist_* | sort -u | wc -l; }}
record() {{
  candump -L -r 8000000 vcan0 > /tmp/rx.log & d=$!
  while [ "$(sockets vcan0)" -lt 1 ]; do sleep 0.02; done
  "$@"
  sleep 0.5; kill -INT $d; wait $d
}}
record /usr/bin/canplayer -I '{log}'
cp /tmp/rx.log '{dir}/canutils.rx'
record '{cankit}' -i socketcan -c vcan0 '{log}' 2> '{dir}/cankit.err'
cp /tmp/rx.log '{dir}/cankit.rx'
"#,
        log = log.display(),
        dir = dir.display(),
        cankit = canplayer().display()
    );
    let mut command = Command::new(&runner);
    command.args(["--timeout", &(seconds * 3 + 120).to_string()]);
    if let Some(bin) = canplayer().parent().filter(|d| !d.starts_with(root())) {
        command.arg("--share").arg(bin);
    }
    let out = command.args(["sh", "-c", &script]).current_dir(root()).stdin(Stdio::null()).output();
    match out {
        Ok(o) if o.status.success() => {
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            Some((read("canutils.rx"), read("cankit.rx"), read("cankit.err")))
        }
        Ok(o) => {
            println!("UML run failed ({}): {}", o.status, String::from_utf8_lossy(&o.stderr));
            None
        }
        Err(e) => {
            println!("UML run failed: {e}");
            None
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it, and
    // a benchmark is not a test: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let seconds: u64 = env_or("REPLAY_SECONDS", 30);
    let rates: Vec<u64> = std::env::var("REPLAY_RATES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|&r| r > 0)
        .collect();
    let tools = std::env::var("REPLAY_TOOLS").unwrap_or_else(|_| "cankit,python,canutils".into());
    let netns = enter_private_netns();
    let port = if netns.is_some() { None } else { Some("43198") };
    match &netns {
        Some(n) => println!("network: private namespace {n} (only lo)"),
        None => println!("network: host loopback, port 43198 (not root: python-can baseline skipped)"),
    }
    let python = root().join("target/venv/bin/python");
    let python = (netns.is_some() && python.exists() && tools.contains("python")).then_some(python);
    // Under the repository, so the UML guest sees the logs at the same path.
    let dir = tempfile::tempdir_in(root().join("target")).expect("bench directory");

    for &rate in &rates {
        let frames = (rate * seconds) as usize;
        let log = dir.path().join(format!("replay-{rate}.log"));
        generate(&log, rate, seconds);
        println!(
            "\n## {rate} frames/s for {seconds} s ({frames} frames); lateness in µs from the receiver's kernel timestamps"
        );
        println!(
            "{:<36} {:>17} {:>10} {:>10} {:>10} {:>12}",
            "player", "received", "p50", "p99", "max", "final drift"
        );
        let rx = dir.path().join("rx.log");
        if tools.contains("cankit") {
            let mut player = Command::new(canplayer());
            if let Some(p) = port {
                player.args(["--port", p]);
            }
            player.arg(&log);
            let (received, stderr) = loopback_run(&mut player, port, &rx);
            print_row("cankit canplayer (udp loopback)", &from_receiver(&received, rate, frames));
            print_own("cankit", from_summary(&stderr));
            // SCHED_FIFO needs root; a busy machine (other builds) shows the difference.
            if netns.is_some() {
                let mut player = Command::new(canplayer());
                player.arg("--realtime").arg(&log);
                let (received, stderr) = loopback_run(&mut player, port, &rx);
                print_row("cankit canplayer --realtime (udp)", &from_receiver(&received, rate, frames));
                print_own("cankit --realtime", from_summary(&stderr));
            }
        }
        if let Some(py) = &python {
            let mut player = Command::new(py);
            player.args(["-m", "can.player", "-i", "udp_multicast", "-c", "239.74.163.2"]).arg(&log);
            let (received, _) = loopback_run(&mut player, None, &rx);
            print_row("python-can player (udp loopback)", &from_receiver(&received, rate, frames));
        }
        if tools.contains("canutils") {
            if let Some((canutils, cankit, cankit_err)) = uml_run(&log, dir.path(), seconds) {
                print_row("can-utils canplayer (UML vcan0)", &from_receiver(&canutils, rate, frames));
                print_row("cankit canplayer (UML vcan0)", &from_receiver(&cankit, rate, frames));
                print_own("cankit in UML", from_summary(&cankit_err));
            }
        }
        let _ = std::fs::remove_file(&log);
    }
    if let Some(n) = netns {
        let _ = Command::new("ip").args(["netns", "del", &n]).status();
    }
}
