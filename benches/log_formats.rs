//! `cargo bench --bench log_formats`: read, write and convert speed and peak memory of every log
//! format, cankit beside python-can (and can-utils' asc2log/log2asc), on the same files in the
//! same run.
//!
//! Data: `BENCH_FRAMES` (default 1,000,000) classic frames (75% 11-bit, 25% 29-bit ids, DLC 0-8,
//! about 1 kHz) and the same count of 64-byte CAN FD frames. Every measurement runs in a fresh
//! child process (this binary in worker mode, python-can, or the converters), so its peak RSS is
//! its own (`VmHWM`, polled while it runs). python-can comes from `target/venv`
//! (tools/test-all.sh creates it); without it only cankit's figures are printed.
//!
//! Each figure is the best of `BENCH_REPEAT` runs (default 3) for every tool alike. Narrow a run
//! with `BENCH_FORMATS=csv,log,convert`, `BENCH_KINDS=classic` and `BENCH_PYTHON=0`.
//!
//! The SQLite reader has two read paths (pages read from the file, and SQLite's query API): the
//! `db` rows time the default one, and the `pages` and `sqlite` rows each path forced, in turns
//! on the same file, with their ratio (the pages path is kept only while it is at least 1.5 times
//! as fast).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cankit::frame::{Channel, Frame, Timestamp};
use cankit::log::{self, Record, WriteOptions};

const FORMATS: &[&str] = &["asc", "blf", "log", "trc", "csv", "db"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Frame `i` of the classic or FD data set: deterministic, cheap, nothing stored.
fn frame(i: u64, fd: bool) -> Frame {
    let mut x = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    x ^= x >> 29;
    let extended = x % 4 == 0;
    let id = if extended { (x >> 8) as u32 & 0x1FFF_FFFF } else { (x >> 8) as u32 & 0x7FF };
    let bytes = x.to_le_bytes();
    let f = if fd {
        let mut data = [0u8; 64];
        for (k, b) in data.iter_mut().enumerate() {
            *b = bytes[k % 8].wrapping_add(k as u8);
        }
        Frame::new_fd(id, extended, &data, x & 16 != 0, false).unwrap()
    } else {
        let len = (x >> 40) as usize % 9;
        Frame::new_data(id, extended, &bytes[..len]).unwrap()
    };
    // About 1 kHz with some jitter, starting 2023-11-14 22:13:20 UTC.
    let t = 1_700_000_000_000_000_000i64 + i as i64 * 1_000_000 + (x % 200_000) as i64;
    f.with_timestamp(Timestamp(t)).with_channel(Channel::number(1))
}

/// Worker mode: one operation, then print `seconds` on stdout.
fn worker(args: &[String]) {
    let (op, path, n, fd) = (&args[0], Path::new(&args[1]), args[2].parse::<u64>().unwrap(), args[3] == "fd");
    let start = Instant::now();
    match op.as_str() {
        "write" => {
            let mut w = log::create_writer(path, None, &WriteOptions::default()).expect("create");
            for i in 0..n {
                w.write(&Record::Frame(frame(i, fd))).expect("write");
            }
            w.finish().expect("finish");
        }
        "read" | "read-pages" | "read-sqlite" => {
            use log::sqlite::{ReadPath, SqliteReader};
            let forced = match op.as_str() {
                "read-pages" => Some(ReadPath::Pages),
                "read-sqlite" => Some(ReadPath::Sqlite),
                _ => None,
            };
            let count = |r: &mut dyn log::LogReader| {
                let mut frames = 0u64;
                for rec in r {
                    frames += u64::from(matches!(rec, Ok(Record::Frame(_))));
                }
                frames
            };
            let read = match forced {
                Some(path_wanted) => {
                    let mut r = SqliteReader::open_with(path, "bench.db", path_wanted).expect("open");
                    let read = count(&mut r);
                    // The reader falls back to SQLite on pages it cannot read: then this figure
                    // would time the other path.
                    assert_eq!(r.read_path(), path_wanted, "{op}: the reader changed path");
                    read
                }
                None => count(log::open_reader(path, None, &Default::default()).expect("open").as_mut()),
            };
            assert_eq!(read, n, "{} frames read from {}", read, path.display());
        }
        other => panic!("unknown worker op {other}"),
    }
    println!("{}", start.elapsed().as_secs_f64());
}

/// The child's peak resident set (`VmHWM`, kB) as the kernel reports it for its own address
/// space. (`wait4`'s ru_maxrss would also count the RSS of this process, which the child was
/// spawned from.)
fn peak_rss_kb(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run a child `BENCH_REPEAT` times (default 3), cankit and python-can alike: the shortest time
/// and the highest peak RSS. This machine's speed varies from run to run (other tenants); the
/// best of a few runs is what each tool can do.
fn measure(cmd: &mut Command, reports_time: bool) -> Option<(f64, f64)> {
    measure_writing(cmd, reports_time, None)
}

/// [`measure`] for a command that writes `out`, which is deleted before every run (SQLite
/// writers append to an existing file).
fn measure_writing(cmd: &mut Command, reports_time: bool, out: Option<&Path>) -> Option<(f64, f64)> {
    let runs: usize = std::env::var("BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let mut best: Option<(f64, f64)> = None;
    for _ in 0..runs {
        if let Some(out) = out {
            let _ = std::fs::remove_file(out);
        }
        let (secs, rss) = measure_once(cmd, reports_time)?;
        best = Some(best.map_or((secs, rss), |(s, r)| (s.min(secs), r.max(rss))));
    }
    best
}

/// Run a child, return (seconds as it reports or wall time, peak RSS in MB). The peak is polled
/// every few milliseconds while it runs; it only grows, so the last reading is the peak.
fn measure_once(cmd: &mut Command, reports_time: bool) -> Option<(f64, f64)> {
    let start = Instant::now();
    let child = cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().ok()?;
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.unwrap();
    let mut stderr = child.stderr.unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let mut peak_kb = 0u64;
    let mut status = 0;
    loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        // SAFETY: polling our own child.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid || done < 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    let wall = start.elapsed().as_secs_f64();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let why = err.lines().rev().find(|l| !l.starts_with("note:") && !l.trim().is_empty()).unwrap_or("");
        eprintln!("  (failed: {why})");
        return None;
    }
    let secs = if reports_time {
        out.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(wall)
    } else {
        wall
    };
    Some((secs, peak_kb as f64 / 1024.0))
}

const PYTHON: &str = r#"
import sys, time, resource, itertools
import can
op, path, n, fd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == 'fd'
def frame(i):
    M = (1 << 64) - 1
    x = (i * 6364136223846793005 + 1442695040888963407) & M
    x ^= x >> 29
    ext = x % 4 == 0
    aid = ((x >> 8) & 0x1FFFFFFF) if ext else ((x >> 8) & 0x7FF)
    b = x.to_bytes(8, 'little')
    t = 1700000000.0 + i * 0.001 + (x % 200000) / 1e9
    if fd:
        data = bytes((b[k % 8] + k) & 0xFF for k in range(64))
        return can.Message(timestamp=t, arbitration_id=aid, is_extended_id=ext, is_fd=True, bitrate_switch=bool(x & 16), data=data, channel=0)
    return can.Message(timestamp=t, arbitration_id=aid, is_extended_id=ext, data=b[:(x >> 40) % 9], channel=0)
if op == 'write':
    # Only the writer is timed: messages are made beforehand, 10,000 at a time (making a
    # can.Message costs python more than writing it, and is not the writer's work).
    spent = 0.0
    w = can.Logger(path)
    for lo in range(0, n, 10000):
        chunk = [frame(i) for i in range(lo, min(n, lo + 10000))]
        start = time.perf_counter()
        for m in chunk:
            w.on_message_received(m)
        spent += time.perf_counter() - start
    start = time.perf_counter()
    if isinstance(w, can.SqliteWriter):
        # stop() ends the writer thread after the batch in hand (it would keep ~501 rows):
        # wait until every row is committed, which is the work being measured.
        while w.num_frames < n:
            time.sleep(0.001)
    w.stop()
    spent += time.perf_counter() - start
    print(spent)
else:
    start = time.perf_counter()
    c = sum(1 for m in can.LogReader(path) if not m.is_error_frame)
    assert c == n, (c, n)
    print(time.perf_counter() - start)
"#;

/// The SQLite reader's two paths on the same file, run in turns (`BENCH_REPEAT` rounds of one
/// run each, best of each), and their ratio.
fn db_paths(me: &Path, file: &Path, n: u64, kind: &str) {
    let runs: usize = std::env::var("BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let rate = |secs: f64| n as f64 / secs / 1000.0;
    let mut best = [None::<(f64, f64)>; 2];
    for _ in 0..runs {
        for (slot, op) in best.iter_mut().zip(["read-pages", "read-sqlite"]) {
            let once = measure_once(
                Command::new(me).args(["--worker", op]).arg(file).args([&n.to_string(), kind]),
                true,
            );
            if let Some((s, rss)) = once {
                *slot = Some(slot.map_or((s, rss), |(bs, br): (f64, f64)| (bs.min(s), br.max(rss))));
            }
        }
    }
    for (path, m) in ["pages", "sqlite"].iter().zip(best) {
        match m {
            Some((s, rss)) => println!("{path:<6} {:<5} {:>12.0} {rss:>9.1}", "read", rate(s)),
            None => println!("{path:<6} {:<5} {:>12}", "read", "-"),
        }
    }
    if let [Some((pages, _)), Some((sqlite, _))] = best {
        println!("       db read paths: pages {:.2}x as fast as sqlite ({n} {kind} frames)", sqlite / pages);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        worker(&args[1..]);
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return; // `cargo test --all-targets` runs benches without --bench: a benchmark is not a test
    }
    let n: u64 = std::env::var("BENCH_FRAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir_in(root().join("target")).expect("temp dir");
    let me = std::env::current_exe().unwrap();
    let python = root().join("target/venv/bin/python");
    let python =
        python.exists().then_some(python).filter(|_| std::env::var("BENCH_PYTHON").as_deref() != Ok("0"));
    // BENCH_FORMATS=csv,log and BENCH_KINDS=classic narrow a run; BENCH_PYTHON=0 skips python-can;
    // BENCH_REPEAT=1 runs everything once instead of taking the best of three.
    let only =
        |var: &str, what: &str| std::env::var(var).map_or(true, |v| v.split(',').any(|x| x.trim() == what));
    let canlogger = PathBuf::from(env!("CARGO_BIN_EXE_canlogger"));
    let rate = |secs: f64| n as f64 / secs / 1000.0;

    for kind in ["classic", "fd"] {
        if !only("BENCH_KINDS", kind) {
            continue;
        }
        println!("\n## {n} {kind} frames: frames/s (k/s) and peak RSS; ratio = cankit / python-can");
        println!(
            "{:<6} {:<5} {:>12} {:>9} {:>12} {:>9} {:>8}",
            "format", "op", "cankit k/s", "RSS MB", "python k/s", "RSS MB", "ratio"
        );
        for fmt in FORMATS {
            if !only("BENCH_FORMATS", fmt) {
                continue;
            }
            let ours = dir.path().join(format!("{kind}-cankit.{fmt}"));
            let theirs = dir.path().join(format!("{kind}-python.{fmt}"));
            let w = measure_writing(
                Command::new(&me).args(["--worker", "write"]).arg(&ours).args([&n.to_string(), kind]),
                true,
                Some(&ours),
            );
            let r = w.and_then(|_| {
                measure(
                    Command::new(&me).args(["--worker", "read"]).arg(&ours).args([&n.to_string(), kind]),
                    true,
                )
            });
            // python-can cannot hold CAN FD in csv or sqlite; its TRC writer only warns "Logging
            // CAN FD is not implemented" per frame (its reader does read FD lines).
            let py_ok = python.is_some() && !(kind == "fd" && matches!(*fmt, "csv" | "db"));
            let py_writes = py_ok && !(kind == "fd" && *fmt == "trc");
            let (pw, pr) = if py_ok {
                let py = python.as_ref().unwrap();
                let pw = py_writes
                    .then(|| {
                        measure_writing(
                            Command::new(py)
                                .args(["-c", PYTHON, "write"])
                                .arg(&theirs)
                                .args([&n.to_string(), kind]),
                            true,
                            Some(&theirs),
                        )
                    })
                    .flatten();
                // Read the file cankit wrote (the same file cankit reads), so both read the same
                // frames.
                let pr = measure(
                    Command::new(py).args(["-c", PYTHON, "read"]).arg(&ours).args([&n.to_string(), kind]),
                    true,
                );
                (pw, pr)
            } else {
                (None, None)
            };
            for (op, o, p) in [("write", w, pw), ("read", r, pr)] {
                let cell = |m: Option<(f64, f64)>| {
                    m.map_or(("-".to_string(), "-".to_string()), |(s, rss)| {
                        (format!("{:.0}", rate(s)), format!("{rss:.1}"))
                    })
                };
                let (ok, orss) = cell(o);
                let (pk, prss) = cell(p);
                let ratio = match (o, p) {
                    (Some((a, _)), Some((b, _))) => format!("{:.1}x", b / a),
                    _ => "-".into(),
                };
                println!("{fmt:<6} {op:<5} {ok:>12} {orss:>9} {pk:>12} {prss:>9} {ratio:>8}");
            }
            if *fmt == "db" && r.is_some() {
                db_paths(&me, &ours, n, kind);
            }
            if *fmt == "blf" {
                // Both at zlib level 6: the sizes show the compression is comparable.
                let mb = |p: &Path| {
                    std::fs::metadata(p).map_or("-".into(), |m| format!("{:.1}", m.len() as f64 / 1e6))
                };
                println!("       blf file size MB: cankit {}, python-can {}", mb(&ours), mb(&theirs));
            }
        }
    }

    if !only("BENCH_FORMATS", "convert") {
        return;
    }
    println!("\n## conversions of {n} classic frames (wall time, frames/s in k/s, peak RSS MB)");
    let asc = dir.path().join("classic-cankit.asc");
    let blf = dir.path().join("classic-cankit.blf");
    let log_file = dir.path().join("classic-cankit.log");
    let convert = |from: &Path, to: &str| {
        let out = dir.path().join(format!("conv-cankit.{to}"));
        measure(Command::new(&canlogger).args(["convert", "-q"]).arg(from).arg(out), false)
    };
    let show = |what: &str, m: Option<(f64, f64)>| match m {
        Some((s, rss)) => println!("{what:<34} {:>10.0} k/s {rss:>8.1} MB", rate(s)),
        None => println!("{what:<34} {:>10}", "-"),
    };
    let ours_ab = convert(&asc, "blf");
    let ours_ba = convert(&blf, "asc");
    show("cankit convert asc -> blf", ours_ab);
    show("cankit convert blf -> asc", ours_ba);
    if let Some(py) = &python {
        let lc = |from: &Path, to: &str| {
            let out = dir.path().join(format!("conv-python.{to}"));
            measure(Command::new(py).args(["-m", "can.logconvert"]).arg(from).arg(out), false)
        };
        let ab = lc(&asc, "blf");
        let ba = lc(&blf, "asc");
        show("python-can logconvert asc -> blf", ab);
        show("python-can logconvert blf -> asc", ba);
        if let (Some(o), Some(p)) = (ours_ab, ab) {
            println!("  asc -> blf ratio {:.1}x", p.0 / o.0);
        }
        if let (Some(o), Some(p)) = (ours_ba, ba) {
            println!("  blf -> asc ratio {:.1}x", p.0 / o.0);
        }
    }
    let have = |p: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if have("asc2log") && have("log2asc") {
        let a2l = measure(
            Command::new("sh").arg("-c").arg(format!(
                "asc2log -I {} -O {}",
                asc.display(),
                dir.path().join("c.log").display()
            )),
            false,
        );
        let l2a = measure(
            Command::new("sh").arg("-c").arg(format!(
                "log2asc -I {} -O {} can0",
                log_file.display(),
                dir.path().join("c.asc").display()
            )),
            false,
        );
        show("can-utils asc2log", a2l);
        show("can-utils log2asc", l2a);
        show("cankit convert asc -> log", convert(&asc, "log"));
        show("cankit convert log -> asc", convert(&log_file, "asc"));
    }
}
