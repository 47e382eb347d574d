//! Recording (`canlogger [OPTIONS]`, the default action) as a user runs it: a real `canlogger`
//! process records the default udp_multicast loopback bus (each test on its own port) while the
//! test sends numbered frames through cankit's bus layer, then the files are read back with
//! cankit's readers (and python-can for the crash test's text formats).
//!
//! Covered: every format, clean stops (count, duration, SIGINT, SIGTERM) that finish the file,
//! SIGKILL at a random moment (everything sent more than one flush interval before is in the
//! file, which opens), rotation by size and by time with `--keep`, append, and bad input
//! (unwritable path, full disk, wrong option combinations).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cankit::log::{self, Record};
use cankit::{Bus, BusConfig, Frame};

fn canlogger(port: &str) -> Command {
    let mut c = common::tool(common::canlogger());
    c.args(["--port", port]);
    c
}

/// Start a recorder and wait until it has opened the bus (it says so with -v).
fn start_recording(port: &str, args: &[&str]) -> Child {
    let (child, mut err) = common::spawn_opened(canlogger(port).arg("-v").args(args), Stdio::null());
    // Keep draining stderr so the child never blocks on it; hand it back at the end.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut rest);
        let _ = tx.send(rest);
    });
    STDERR.with(|s| s.borrow_mut().insert(child.id(), rx));
    child
}

thread_local! {
    static STDERR: std::cell::RefCell<std::collections::HashMap<u32, std::sync::mpsc::Receiver<String>>> =
        Default::default();
}

/// Wait for the recorder to end; its exit status and the rest of its stderr.
fn finish(mut child: Child, within: Duration) -> (std::process::ExitStatus, String) {
    let end = Instant::now() + within;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("canlogger did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let err = STDERR.with(|s| s.borrow_mut().remove(&child.id())).map(|rx| rx.recv().unwrap_or_default());
    (status, err.unwrap_or_default())
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: signalling a child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}

/// A sender on the test's port, on its own runtime.
struct Sender {
    rt: tokio::runtime::Runtime,
    bus: Bus,
}

impl Sender {
    fn new(port: &str) -> Sender {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut cfg = BusConfig::new("udp_multicast", None);
        cfg.options.insert("port".into(), port.into());
        let bus = rt.block_on(Bus::open(&cfg)).expect("open sender bus");
        Sender { rt, bus }
    }

    fn send(&self, f: &Frame) {
        self.rt.block_on(self.bus.send(f)).expect("send");
    }
}

/// Frame number `i`: its number in the first four data bytes, every kind of frame in turn.
fn numbered(i: u32) -> Frame {
    let n = i.to_le_bytes();
    match i % 4 {
        0 => Frame::new_data(0x123, false, &n).unwrap(),
        1 => Frame::new_data(0x1F334455, true, &[n[0], n[1], n[2], n[3], 0xAA, 0xBB, 0xCC, 0xDD]).unwrap(),
        2 => Frame::new_data(0x7FF, false, &n).unwrap(),
        _ => Frame::new_data(0x10, true, &n).unwrap(),
    }
}

fn number_of(f: &Frame) -> u32 {
    u32::from_le_bytes(f.data()[..4].try_into().unwrap())
}

/// Every frame of a file, or the first error.
fn read_frames(path: &Path) -> Result<Vec<Frame>, String> {
    let reader = log::open_reader(path, None, &Default::default()).map_err(|e| e.to_string())?;
    let mut frames = Vec::new();
    for r in reader {
        match r {
            Ok(Record::Frame(f)) => frames.push(f),
            Ok(Record::Event(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(frames)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run canlogger")
}

#[test]
fn every_format_records_what_was_sent_and_stops_after_count() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["blf", "asc", "log", "trc", "csv", "db", "log.gz", "asc.gz"] {
        let p = common::free_port();
        let path = dir.path().join(format!("rec.{ext}"));
        let rec = start_recording(&p, &["-f", path.to_str().unwrap(), "-n", "200"]);
        let tx = Sender::new(&p);
        for i in 0..200 {
            tx.send(&numbered(i));
        }
        let (status, err) = finish(rec, Duration::from_secs(10));
        assert!(status.success(), "{ext}: {status} {err}");
        assert!(err.contains("recorded 200 frames"), "{ext}: summary missing: {err}");
        let frames = read_frames(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(frames.len(), 200, "{ext}");
        for (i, f) in frames.iter().enumerate() {
            let want = numbered(i as u32);
            assert_eq!(
                (f.id(), f.is_extended(), f.data()),
                (want.id(), want.is_extended(), want.data()),
                "{ext}: frame {i}"
            );
        }
        // Receive timestamps, in order and recent.
        let now = cankit::Timestamp::now().as_nanos();
        assert!(frames.windows(2).all(|w| w[0].timestamp <= w[1].timestamp), "{ext}: out of order");
        assert!((now - frames[0].timestamp.as_nanos()).abs() < 60_000_000_000, "{ext}: not a recent time");
    }
}

#[test]
fn sigint_sigterm_and_duration_finish_the_file_properly() {
    let dir = tempfile::tempdir().unwrap();
    for (how, ext) in [("int", "asc"), ("term", "blf"), ("duration", "db"), ("term", "trc")] {
        let p = common::free_port();
        let path = dir.path().join(format!("stop-{how}.{ext}"));
        let mut args = vec!["-f", path.to_str().unwrap()];
        if how == "duration" {
            args.extend(["--duration", "1s"]);
        }
        let rec = start_recording(&p, &args);
        let tx = Sender::new(&p);
        for i in 0..100 {
            tx.send(&numbered(i));
        }
        std::thread::sleep(Duration::from_millis(300));
        match how {
            "int" => signal(&rec, libc::SIGINT),
            "term" => signal(&rec, libc::SIGTERM),
            _ => {}
        }
        let (status, err) = finish(rec, Duration::from_secs(10));
        assert!(status.success(), "{how}: {status} {err}");
        assert!(err.contains("recorded 100 frames"), "{how}: {err}");
        assert_eq!(read_frames(&path).unwrap().len(), 100, "{how}");
        if ext == "asc" {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.trim_end().ends_with("End TriggerBlock"), "ASC not finished");
        }
        if ext == "blf" {
            // The header's object count (offset 32) is filled in.
            let bytes = std::fs::read(&path).unwrap();
            let count = u32::from_le_bytes(bytes[32..36].try_into().unwrap());
            assert_eq!(count, 100, "BLF header object count");
        }
    }
}

/// SIGKILL at a random moment: the file opens, and holds every frame sent more than one flush
/// interval before the kill.
#[test]
fn a_killed_recording_keeps_everything_older_than_one_flush_interval() {
    let dir = tempfile::tempdir().unwrap();
    let python = common::python();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    for (k, ext) in ["blf", "db", "log", "asc", "csv", "trc"].into_iter().enumerate() {
        let p = common::free_port();
        let path = dir.path().join(format!("killed.{ext}"));
        let flush = Duration::from_millis(200);
        let rec = start_recording(&p, &["-f", path.to_str().unwrap(), "--flush-interval", "200ms"]);
        let tx = Sender::new(&p);
        // 2,000 frames/s for a random 0.8-1.6 s, then kill mid-stream.
        let run_for = Duration::from_millis(800 + ((seed as u64 >> k) % 800));
        let start = Instant::now();
        let mut sent_at = Vec::new();
        let mut i = 0u32;
        while start.elapsed() < run_for {
            let due = (start.elapsed().as_secs_f64() * 2000.0) as u32;
            while i < due {
                tx.send(&numbered(i));
                sent_at.push(start.elapsed());
                i += 1;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let killed_at = start.elapsed();
        signal(&rec, libc::SIGKILL);
        let _ = finish(rec, Duration::from_secs(5));
        let frames = read_frames(&path).unwrap_or_else(|e| panic!("{ext}: killed file does not open: {e}"));
        let got: std::collections::HashSet<u32> = frames.iter().map(number_of).collect();
        // Sent more than one flush interval (plus a little for the batch hand-over) before the kill.
        let margin = flush + Duration::from_millis(50);
        let must: Vec<u32> = (0..i).filter(|&n| sent_at[n as usize] + margin < killed_at).collect();
        let missing: Vec<u32> = must.iter().copied().filter(|n| !got.contains(n)).collect();
        assert!(
            missing.is_empty(),
            "{ext}: {} of {} frames older than {margin:?} missing after SIGKILL (first {:?}); file had {}",
            missing.len(),
            must.len(),
            &missing[..missing.len().min(5)],
            frames.len()
        );
        assert!(must.len() > 500, "{ext}: the test sent too little before the kill");
        // Text formats: python-can opens the killed file too.
        if matches!(ext, "log" | "asc" | "csv" | "trc") {
            let Some(py) = common::require("python-can (target/venv)", python.clone()) else { continue };
            let out = Command::new(py)
                .args(["-c", "import sys, can; print(sum(1 for m in can.LogReader(sys.argv[1])))"])
                .arg(&path)
                .output()
                .unwrap();
            assert!(out.status.success(), "{ext}: python-can: {}", String::from_utf8_lossy(&out.stderr));
            let n: usize = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            assert!(n >= must.len(), "{ext}: python-can read {n} frames, expected at least {}", must.len());
        }
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn rotation_by_size_makes_complete_files_of_about_that_size_and_keep_deletes_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let p = common::free_port();
    let base = dir.path().join("trace.log");
    let rec = start_recording(&p, &["-f", base.to_str().unwrap(), "-s", "100KB", "-n", "20000"]);
    let tx = Sender::new(&p);
    for i in 0..20_000 {
        tx.send(&numbered(i));
        if i % 100 == 99 {
            std::thread::sleep(Duration::from_millis(2)); // ~50k frames/s: several size checks per file
        }
    }
    let (status, err) = finish(rec, Duration::from_secs(20));
    assert!(status.success(), "{err}");
    let files = files_in(dir.path());
    // ~45 bytes per candump line: ~900 kB in all, about 9 files.
    assert!(files.len() >= 5, "only {} files: {files:?}", files.len());
    let mut all = Vec::new();
    for (k, f) in files.iter().enumerate() {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("trace_") && name.ends_with(".log"), "{name}");
        let size = std::fs::metadata(f).unwrap().len();
        if k + 1 < files.len() {
            // Closed when its estimated size reached the limit: within a few lines of it.
            assert!((95_000..=105_000).contains(&size), "{name}: {size} bytes");
        }
        all.extend(read_frames(f).unwrap().iter().map(number_of));
    }
    assert_eq!(all, (0..20_000).collect::<Vec<u32>>(), "frames across rotated files");
    assert!(err.contains(&format!("{} files", files.len())), "{err}");

    // --keep 3: only the newest three remain.
    let dir2 = tempfile::tempdir().unwrap();
    let p = common::free_port();
    let base = dir2.path().join("kept.log");
    let rec =
        start_recording(&p, &["-f", base.to_str().unwrap(), "-s", "50KB", "--keep", "3", "-n", "10000"]);
    let tx = Sender::new(&p);
    for i in 0..10_000 {
        tx.send(&numbered(i));
        if i % 100 == 99 {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let (status, err) = finish(rec, Duration::from_secs(20));
    assert!(status.success(), "{err}");
    let files = files_in(dir2.path());
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(err.contains("old files deleted"), "{err}");
    let last: Vec<u32> = read_frames(files.last().unwrap()).unwrap().iter().map(number_of).collect();
    let ranges: Vec<String> = files
        .iter()
        .map(|f| {
            let n: Vec<u32> = read_frames(f).unwrap().iter().map(number_of).collect();
            format!("{}: {:?}..{:?}", f.display(), n.first(), n.last())
        })
        .collect();
    assert_eq!(last.last(), Some(&9_999), "the newest file holds the last frame: {ranges:?} {err}");
}

#[test]
fn rotation_by_time_numbers_files_with_a_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let p = common::free_port();
    let base = dir.path().join("run-{n}.blf");
    let rec = start_recording(
        &p,
        &["-f", base.to_str().unwrap(), "--rotate-interval", "400ms", "--duration", "2s"],
    );
    let tx = Sender::new(&p);
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < Duration::from_millis(1700) {
        tx.send(&numbered(i));
        i += 1;
        std::thread::sleep(Duration::from_millis(1));
    }
    let (status, err) = finish(rec, Duration::from_secs(10));
    assert!(status.success(), "{err}");
    let files = files_in(dir.path());
    let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into()).collect();
    assert!((4..=6).contains(&files.len()), "{names:?}");
    assert_eq!(names[0], "run-001.blf");
    assert_eq!(names[1], "run-002.blf");
    let all: Vec<u32> = files.iter().flat_map(|f| read_frames(f).unwrap()).map(|f| number_of(&f)).collect();
    assert_eq!(all, (0..i).collect::<Vec<u32>>());
}

#[test]
fn append_adds_to_a_candump_log_and_a_csv() {
    for name in ["a.log", "a.csv", "a.log.gz"] {
        append_twice(name);
    }
}

fn append_twice(name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    for round in 0..2u32 {
        let p = common::free_port();
        let rec = start_recording(&p, &["-f", path.to_str().unwrap(), "-a", "-n", "10"]);
        let tx = Sender::new(&p);
        for i in 0..10 {
            tx.send(&numbered(round * 10 + i));
        }
        let (status, err) = finish(rec, Duration::from_secs(10));
        assert!(status.success(), "{err}");
    }
    let got: Vec<u32> = read_frames(&path).unwrap().iter().map(number_of).collect();
    assert_eq!(got, (0..20).collect::<Vec<u32>>(), "{name}");
    if name.ends_with(".csv") {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("timestamp,arbitration_id").count(), 1, "one header: {text}");
    }
}

#[test]
fn bad_paths_and_options_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let p = common::free_port();
    // Unwritable path: exit 3 before recording, naming the file.
    let out = run(canlogger(&p).args(["-f", "/nonexistent/dir/x.blf", "-n", "1"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("/nonexistent/dir/x.blf"), "{err}");
    // Unknown extension, --keep without rotation, --append on ASC, options with a subcommand: 2.
    for args in [
        vec!["-f", "x.unknown", "-n", "1"],
        vec!["-f", "x.log", "--keep", "3"],
        vec!["-f", "x.asc", "--append"],
        vec!["-f", "x.log", "watch"],
        vec!["-f", "x.log", "-s", "lots"],
    ] {
        let out = run(canlogger(&p).current_dir(dir.path()).args(&args));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.is_empty());
    }
    assert!(files_in(dir.path()).is_empty(), "a failed start left files behind");
}

/// A full disk (a file name that leads to /dev/full): a clear error at the failing write, exit 3.
#[test]
fn a_full_disk_stops_the_recording_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.log");
    std::os::unix::fs::symlink("/dev/full", &path).unwrap();
    let p = common::free_port();
    let rec = start_recording(&p, &["-f", path.to_str().unwrap(), "--flush-interval", "100ms"]);
    let tx = Sender::new(&p);
    for i in 0..100 {
        tx.send(&numbered(i));
    }
    // The recorder stops on its own at the first failing flush; keep it fed meanwhile.
    let start = Instant::now();
    let mut i = 100;
    while start.elapsed() < Duration::from_millis(500) {
        tx.send(&numbered(i));
        i += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    let (status, err) = finish(rec, Duration::from_secs(10));
    assert_eq!(status.code(), Some(3), "{err}");
    assert!(err.contains("full.log") && err.contains("No space left"), "{err}");
}
