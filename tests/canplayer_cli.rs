//! `canplayer` as a user runs it, on the default udp_multicast loopback bus (each test on its own
//! port, so parallel tests never hear each other): a real `canlogger watch --format log` records
//! what arrives, with the kernel's receive timestamps, and the tests compare frames, spacing,
//! summaries and exit codes with what the options promise.

mod common;

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn canplayer(port: &str) -> Command {
    let mut c = common::tool(env!("CARGO_BIN_EXE_canplayer"));
    c.args(["--port", port]);
    c.stdin(Stdio::null());
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run canplayer")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One line a receiver printed: arrival time, channel, frame text.
#[derive(Debug, Clone)]
struct Arrival {
    time: f64,
    channel: String,
    frame: String,
}

/// `canlogger watch --format log` on a bus (`group` = None: the default group), ready when built.
struct Receiver {
    child: Child,
    _stderr: BufReader<ChildStderr>,
}

impl Receiver {
    fn start(port: &str, group: Option<&str>) -> Receiver {
        let mut c = common::tool(common::canlogger());
        c.args(["--port", port]);
        if let Some(g) = group {
            c.args(["-c", g]);
        }
        let (child, err) = common::spawn_opened(c.args(["-v", "watch", "--format", "log"]), Stdio::piped());
        Receiver { child, _stderr: err }
    }

    /// Stop (SIGTERM, after the last datagrams had time to arrive) and return what arrived.
    fn finish(mut self) -> Vec<Arrival> {
        std::thread::sleep(Duration::from_millis(300));
        // SAFETY: kill on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let mut out = String::new();
        self.child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        let _ = self.child.wait();
        out.lines()
            .map(|l| {
                let mut parts = l.split_whitespace();
                let time = parts.next().unwrap().trim_matches(|c| c == '(' || c == ')').parse().unwrap();
                Arrival { time, channel: parts.next().unwrap().into(), frame: parts.next().unwrap().into() }
            })
            .collect()
    }
}

const BASE: f64 = 1_700_000_000.0;

/// Allowed error of an arrival time, seconds: below the differences the tests tell apart (50 ms
/// and more), far above what the player does on an idle machine (well under a millisecond), and
/// enough for a 2-core CI machine running other tests (wake-ups late by a few scheduler ticks).
const TOLERANCE: f64 = 0.03;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The frames of a log as cankit prints them (`channel frame`): what a receiver must print.
fn canonical(log: &Path) -> Vec<String> {
    let o = Command::new(common::canlogger())
        .arg("convert")
        .arg(log)
        .args(["-", "--to", "log", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect()
}

fn frames_of(arrivals: &[Arrival]) -> Vec<String> {
    arrivals.iter().map(|a| format!("{} {}", a.channel, a.frame)).collect()
}

/// Arrival times relative to the first arrival must match `want` (seconds) within `tolerance`,
/// after removing the median error: on a busy machine every frame that follows a long sleep
/// wakes a few milliseconds late, alike, while the first frame (no sleep before it) is on time.
/// A wrong schedule (speed, gap, skip not applied) is off by far more, and unevenly.
fn assert_spacing(arrivals: &[Arrival], want: &[f64], tolerance: f64) {
    assert_eq!(arrivals.len(), want.len(), "{arrivals:?}");
    let t0 = arrivals[0].time;
    let errors: Vec<f64> = arrivals.iter().zip(want).map(|(a, w)| (a.time - t0) - w).collect();
    let mut sorted = errors.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    for ((a, w), e) in arrivals.iter().zip(want).zip(&errors) {
        assert!(
            (e - median).abs() <= tolerance,
            "frame {} arrived at +{:.4} s, due at +{w:.4} s (median error {median:.4} s): {arrivals:?}",
            a.frame,
            a.time - t0
        );
    }
}

/// Frames of every kind the default bus carries, with uneven spacing.
const KINDS: &[(f64, &str, &str)] = &[
    (0.000, "can0", "123#DEADBEEF"),
    (0.080, "can0", "1F334455#0102030405060708"),
    (0.100, "can0", "321#R"),
    (0.200, "can0", "456##1AABBCCDDEEFF0011"),
    (0.201, "can0", "12345678##3001122334455667788990011AABBCCDDEEFF0011"),
    (0.350, "can0", "7FF#"),
    (0.420, "can0", "000##0"),
];

#[test]
fn frames_arrive_exactly_as_recorded_with_the_recorded_spacing() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "kinds.log", &common::candump_log(BASE, KINDS));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).arg(&log));
    let got = rx.finish();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames_of(&got), canonical(&log));
    assert_spacing(&got, &KINDS.iter().map(|k| k.0).collect::<Vec<_>>(), TOLERANCE);
    let err = stderr(&o);
    assert!(err.contains("canplayer: 7 frames sent in 0.4"), "{err}");
    assert!(err.contains("lateness: p50") && err.contains("drift at the last frame"), "{err}");
}

/// 5 frames 100 ms apart.
fn five_frames() -> String {
    common::candump_log(BASE, &(0..5).map(|i| (i as f64 * 0.1, "can0", "100#01")).collect::<Vec<_>>())
}

#[test]
fn speed_scales_every_gap() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "five.log", &five_frames());
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["--speed", "2"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_spacing(&rx.finish(), &[0.0, 0.05, 0.1, 0.15, 0.2], TOLERANCE);
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["--speed", "0.5", "-q"]).arg(&log));
    assert!(o.status.success() && stderr(&o).is_empty(), "-q prints nothing: {}", stderr(&o));
    assert_spacing(&rx.finish(), &[0.0, 0.2, 0.4, 0.6, 0.8], TOLERANCE);
}

#[test]
fn ignore_timestamps_sends_back_to_back_and_gap_spaces_frames() {
    let dir = tempfile::tempdir().unwrap();
    // 20 frames recorded 1 s apart: 19 s in real time.
    let slow: Vec<(f64, &str, &str)> = (0..20).map(|i| (i as f64, "can0", "100#02")).collect();
    let log = write(dir.path(), "slow.log", &common::candump_log(BASE, &slow));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let started = Instant::now();
    let o = run(canplayer(&port).arg("--ignore-timestamps").arg(&log));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("timestamps ignored"), "{}", stderr(&o));
    let got = rx.finish();
    assert_eq!(got.len(), 20);
    assert!(got[19].time - got[0].time < 0.1, "{got:?}");

    // -t with -g 100: 100 ms apart.
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["-t", "-g", "100", "--end", "7s"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    let want: Vec<f64> = (0..8).map(|i| i as f64 * 0.1).collect();
    assert_spacing(&rx.finish(), &want, TOLERANCE);

    // -g with timestamps: a floor under recorded 1 ms gaps, then back on the recording.
    let dense = [
        (0.0, "can0", "001#01"),
        (0.001, "can0", "002#02"),
        (0.002, "can0", "003#03"),
        (0.3, "can0", "004#04"),
    ];
    let log = write(dir.path(), "dense.log", &common::candump_log(BASE, &dense));
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["--gap", "80"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_spacing(&rx.finish(), &[0.0, 0.08, 0.16, 0.3], TOLERANCE);
}

#[test]
fn skip_cuts_long_pauses() {
    let dir = tempfile::tempdir().unwrap();
    let frames = [
        (0.0, "can0", "001#01"),
        (0.1, "can0", "002#02"),
        (30.1, "can0", "003#03"),
        (30.15, "can0", "004#04"),
    ];
    let log = write(dir.path(), "pause.log", &common::candump_log(BASE, &frames));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["-s", "0.2"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_spacing(&rx.finish(), &[0.0, 0.1, 0.3, 0.35], TOLERANCE);
}

#[test]
fn time_window_and_filter_choose_frames_and_timing_starts_at_the_first_sent() {
    let dir = tempfile::tempdir().unwrap();
    let ids = ["100", "101", "200", "102", "201", "103", "104", "105"];
    let frames: Vec<(f64, &str, String)> =
        ids.iter().enumerate().map(|(i, id)| (i as f64 * 0.05, "can0", format!("{id}#0{i}"))).collect();
    let frames: Vec<(f64, &str, &str)> = frames.iter().map(|(t, c, f)| (*t, *c, f.as_str())).collect();
    let log = write(dir.path(), "window.log", &common::candump_log(BASE, &frames));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    // From +0.1 s (relative) to an absolute end at +0.3 s; only 0x100-0x1FF.
    let end = format!("{:.2}", BASE + 0.32);
    let o = run(canplayer(&port).args(["--start", "100ms", "--end", &end, "--filter", "100:F00"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rx.finish();
    assert_eq!(frames_of(&got), ["can0 102#03", "can0 103#05", "can0 104#06"]);
    assert_spacing(&got, &[0.0, 0.1, 0.15], TOLERANCE);
    assert!(stderr(&o).contains("skipped: 5 filtered"), "{}", stderr(&o));
}

#[test]
fn loops_repeat_the_files_each_pass_following_the_previous() {
    let dir = tempfile::tempdir().unwrap();
    let frames = [(0.0, "can0", "001#01"), (0.05, "can0", "002#02"), (0.1, "can0", "003#03")];
    let log = write(dir.path(), "loop.log", &common::candump_log(BASE, &frames));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["-l", "3"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rx.finish();
    assert_eq!(frames_of(&got).len(), 9);
    assert_eq!(frames_of(&got)[3..6], ["can0 001#01", "can0 002#02", "can0 003#03"]);
    assert_spacing(&got, &[0.0, 0.05, 0.1, 0.1, 0.15, 0.2, 0.2, 0.25, 0.3], TOLERANCE);
    assert!(stderr(&o).contains("9 frames sent") && stderr(&o).contains("3 loops"), "{}", stderr(&o));
}

#[test]
fn loop_forever_runs_until_ctrl_c_and_the_summary_follows() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "five.log", &five_frames());
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let child = canplayer(&port).args(["-l", "i"]).arg(&log).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    // SAFETY: kill on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let started = Instant::now();
    let o = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_millis(500), "slow to stop: {:?}", started.elapsed());
    let got = rx.finish();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("canplayer: interrupted"), "{err}");
    // More than one pass of 5 frames went out, and the summary counts exactly what arrived.
    assert!(got.len() > 5, "{got:?}");
    assert!(err.contains(&format!("{} frames sent", got.len())), "{err} vs {} received", got.len());
}

#[test]
fn several_files_play_in_sequence_each_starting_where_the_previous_ended() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.log",
        &common::candump_log(BASE, &[(0.0, "can0", "00A#01"), (0.1, "can0", "00A#02")]),
    );
    // Recorded a day earlier, and a TRC-free second format: a CSV written by canlogger convert.
    let b_log = write(
        dir.path(),
        "b.log",
        &common::candump_log(BASE - 86_400.0, &[(0.0, "can0", "00B#01"), (0.08, "can0", "00B#02")]),
    );
    let b = dir.path().join("b.csv");
    let conv =
        Command::new(common::canlogger()).arg("convert").arg(&b_log).arg(&b).arg("-q").output().unwrap();
    assert!(conv.status.success(), "{}", String::from_utf8_lossy(&conv.stderr));
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).arg(&a).arg(&b));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = rx.finish();
    assert_eq!(
        got.iter().map(|a| a.frame.as_str()).collect::<Vec<_>>(),
        ["00A#01", "00A#02", "00B#01", "00B#02"]
    );
    assert_spacing(&got, &[0.0, 0.1, 0.1, 0.18], TOLERANCE);
}

/// Frames on can0, can1 and can2, interleaved.
fn three_channels() -> String {
    common::candump_log(
        BASE,
        &[
            (0.00, "can0", "100#00"),
            (0.02, "can1", "101#01"),
            (0.04, "can2", "102#02"),
            (0.06, "can0", "103#03"),
            (0.08, "can1", "104#04"),
            (0.10, "can2", "105#05"),
        ],
    )
}

#[test]
fn mapping_sends_channels_to_two_buses_and_skips_unmapped_channels_naming_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "three.log", &three_channels());
    let port = common::free_port();
    let (g1, g2) = ("239.74.163.101", "239.74.163.102");
    let rx1 = Receiver::start(&port, Some(g1));
    let rx2 = Receiver::start(&port, Some(g2));
    let rx_default = Receiver::start(&port, None);
    // --map for one, can-utils' bare SRC=DST for the other.
    let o = run(canplayer(&port).args(["--map", &format!("can0={g1}")]).arg(&log).arg(format!("can1={g2}")));
    assert!(o.status.success(), "{}", stderr(&o));
    let (got1, got2) = (rx1.finish(), rx2.finish());
    assert_eq!(frames_of(&got1), [format!("{g1} 100#00"), format!("{g1} 103#03")]);
    assert_eq!(frames_of(&got2), [format!("{g2} 101#01"), format!("{g2} 104#04")]);
    assert!(rx_default.finish().is_empty(), "nothing goes to the default group");
    // Timing holds across buses: one schedule for both.
    let mut both: Vec<Arrival> = got1.iter().chain(&got2).cloned().collect();
    both.sort_by(|a, b| a.time.total_cmp(&b.time));
    assert_spacing(&both, &[0.0, 0.02, 0.06, 0.08], TOLERANCE);
    let err = stderr(&o);
    assert_eq!(err.matches("channel can2 is not mapped").count(), 1, "{err}");
    assert!(err.contains("4 frames sent in"), "{err}");
    assert!(err.contains(&format!("(2 to {g1}, 2 to {g2})")), "{err}");
    assert!(err.contains("skipped: 2 unmapped (2 on can2)"), "{err}");
}

#[test]
fn numbered_channels_map_by_number_or_candump_name() {
    let dir = tempfile::tempdir().unwrap();
    // A Vector ASC file with channels 1 and 2.
    let asc = "date Wed Nov 15 12:00:00.000 pm 2023\nbase hex  timestamps absolute\n\
               internal events logged\nBegin Triggerblock Wed Nov 15 12:00:00.000 pm 2023\n\
               \x20  0.000000 1  123             Rx   d 2 01 02\n\
               \x20  0.050000 2  456             Rx   d 1 03\n\
               \x20  0.100000 1  124             Rx   d 0\n\
               End TriggerBlock\n";
    let log = write(dir.path(), "two.asc", asc);
    let port = common::free_port();
    let (g1, g2) = ("239.74.163.103", "239.74.163.104");
    let rx1 = Receiver::start(&port, Some(g1));
    let rx2 = Receiver::start(&port, Some(g2));
    let o =
        run(canplayer(&port).args(["--map", &format!("1={g1}"), "--map", &format!("can1={g2}")]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames_of(&rx1.finish()), [format!("{g1} 123#0102"), format!("{g1} 124#")]);
    assert_eq!(frames_of(&rx2.finish()), [format!("{g2} 456#03")]);
}

#[test]
fn malformed_lines_are_named_and_skipped_or_stop_the_replay_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "(1700000000.000000) can0 123#01\n(1700000000.050000) can0 12#\n(1700000000.100000) can0 124#02\n";
    let log = write(dir.path(), "bad.log", text);
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).arg(&log));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:line 2:", log.display())), "{err}");
    assert!(err.contains("skipped: 1 malformed"), "{err}");
    assert_eq!(frames_of(&rx.finish()), ["can0 123#01", "can0 124#02"]);

    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).arg("--strict").arg(&log));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("{}:line 2:", log.display())) && err.contains("--strict"), "{err}");
    assert!(err.contains("1 frames sent"), "the summary is printed: {err}");
    assert_eq!(frames_of(&rx.finish()), ["can0 123#01"]);
}

#[test]
fn missing_file_or_unknown_format_fails_before_anything_is_sent_like_convert() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.log", &five_frames());
    let missing = dir.path().join("missing.log");
    let unknown = write(dir.path(), "trace.xyz", "whatever\n");
    let port = common::free_port();
    for bad in [&missing, &unknown] {
        let convert = Command::new(common::canlogger())
            .arg("convert")
            .arg(bad)
            .arg(dir.path().join("out.log"))
            .output()
            .unwrap();
        let rx = Receiver::start(&port, None);
        let o = run(canplayer(&port).arg(&good).arg(bad));
        assert!(rx.finish().is_empty(), "nothing may be sent before every file opened");
        assert_eq!(o.status.code(), convert.status.code(), "{}", stderr(&o));
        assert_ne!(o.status.code(), Some(0));
        assert!(stderr(&o).contains(&bad.display().to_string()), "{}", stderr(&o));
    }
    // Bad arguments are usage errors.
    for args in [&["--speed", "0"][..], &["--map", "vcan0"], &["-l", "0"], &["--filter", "xyz"]] {
        let o = run(canplayer(&port).args(args).arg(&good));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn input_option_subcommand_word_stdin_and_verbose_forms() {
    let dir = tempfile::tempdir().unwrap();
    let text = common::candump_log(BASE, &[(0.0, "vcan0", "123#11"), (0.02, "vcan0", "124#22")]);
    let log = write(dir.path(), "in.log", &text);
    let port = common::free_port();
    let group = "239.74.163.105";

    // can-utils: canplayer -I file vcan0=DST
    let rx = Receiver::start(&port, Some(group));
    let o = run(canplayer(&port).arg("-I").arg(&log).arg(format!("vcan0={group}")));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(frames_of(&rx.finish()), [format!("{group} 123#11"), format!("{group} 124#22")]);

    // The optional subcommand word, and -v: bus opened on stderr, frames as sent on stdout.
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).args(["replay", "-v"]).arg(&log));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rx.finish().len(), 2);
    assert!(stderr(&o).contains("canplayer: opened udp_multicast"), "{}", stderr(&o));
    let printed: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(printed, ["vcan0 123#11", "vcan0 124#22"]);

    // A candump log on standard input or a pipe, as can-utils reads it.
    for args in [&[][..], &["-I", "/dev/stdin"]] {
        let rx = Receiver::start(&port, None);
        let mut child =
            canplayer(&port).args(args).stdin(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(frames_of(&rx.finish()), ["vcan0 123#11", "vcan0 124#22"]);
    }
}

#[test]
fn realtime_priority_is_used_as_root_and_refused_clearly_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "rt.log",
        &common::candump_log(BASE, &[(0.0, "can0", "123#01"), (0.01, "can0", "123#02")]),
    );
    let port = common::free_port();
    let rx = Receiver::start(&port, None);
    let o = run(canplayer(&port).arg("--realtime=20").arg(&log));
    let got = rx.finish();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(got.len(), 2);
    } else {
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains("--realtime 20: cannot use SCHED_FIFO"), "{}", stderr(&o));
        assert!(got.is_empty());
    }
    let o = run(canplayer(&port).arg("--realtime=100").arg(&log));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
