//! `canplayer` on a real kernel CAN stack, inside User-Mode Linux guests (`tests/uml/run.sh`):
//! cankit replays onto vcan0/vcan1 what can-utils' `candump` records, and a log `candump -l`
//! wrote replays through cankit into `canlogger watch`. One guest per test (about 2.5 s to boot);
//! without UML or can-utils the tests are skipped on a developer machine and fail in CI.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::uml::{run_in_guest, GuestRun, PRELUDE};

fn script(body: &str) -> String {
    format!(
        "{PRELUDE}\nCANPLAYER='{}'\nCANLOGGER='{}'\n{body}",
        env!("CARGO_BIN_EXE_canplayer"),
        common::canlogger().display()
    )
}

/// The `show`n sections of a guest's stdout: name -> lines.
fn sections(run: &GuestRun) -> BTreeMap<String, Vec<String>> {
    common::uml::sections(&run.stdout)
}

fn section(run: &GuestRun, name: &str) -> Vec<String> {
    sections(run).remove(name).unwrap_or_else(|| panic!("no section {name}:\n{}\n{}", run.stdout, run.stderr))
}

/// A section's candump -L lines as `(time, "channel frame")`.
fn log_lines(run: &GuestRun, name: &str) -> Vec<(f64, String)> {
    section(run, name)
        .iter()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let time = parts.next().unwrap_or_default().trim_matches(|c| c == '(' || c == ')');
            let time: f64 = time.parse().unwrap_or_else(|_| panic!("not a log line in {name}: {l:?}"));
            (time, parts.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

fn frames(lines: &[(f64, String)]) -> Vec<String> {
    lines.iter().map(|(_, f)| f.clone()).collect()
}

/// Offsets of each line from the first, in seconds.
fn offsets(lines: &[(f64, String)]) -> Vec<f64> {
    lines.iter().map(|(t, _)| t - lines[0].0).collect()
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tolerance, "offsets {got:?}, wanted {want:?} (±{tolerance})");
    }
}

/// A directory the guest sees at the same path (the repository is shared read-write).
fn shared_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(common::root().join("target")).unwrap()
}

fn write_log(dir: &Path, name: &str, lines: &[(f64, &str, &str)]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, common::candump_log(1_700_000_000.0, lines)).unwrap();
    path.display().to_string()
}

#[test]
fn cankit_replay_onto_vcan_is_recorded_by_candump_frame_for_frame() {
    let dir = shared_dir();
    let sent = [
        (0.00, "can0", "123#DEADBEEF"),
        (0.05, "can0", "00000123#11"),
        (0.10, "can0", "1F334455#R3"),
        (0.15, "can0", "7FF#"),
        (0.20, "can0", "123##1000102030405060708090A0B"),
        (0.25, "can0", "321##3AA"),
        (0.40, "can0", "12345678##0"),
        (0.45, "can0", "20000040#0000000000000000"),
    ];
    let log = write_log(dir.path(), "kinds.log", &sent);
    let body = format!(
        r#"
candump -L vcan0,0:0,#FFFFFFFF > /tmp/candump.log & dump=$!
wait_for_sockets vcan0 1
"$CANPLAYER" -i socketcan -c vcan0 --error-frames '{log}' 2> /tmp/player.err; rc=$?; echo "=== exit"; echo $rc
sleep 0.2; kill -INT $dump; wait $dump
show candump /tmp/candump.log
show stderr /tmp/player.err
"#
    );
    let Some(run) = run_in_guest(&script(&body)) else { return };
    run.assert_success();
    assert_eq!(section(&run, "exit"), ["0"], "{:?}", section(&run, "stderr"));
    let got = log_lines(&run, "candump");
    // candump prints FD frames with the FDF bit set (##5/##7).
    let want = [
        "123#DEADBEEF",
        "00000123#11",
        "1F334455#R3",
        "7FF#",
        "123##5000102030405060708090A0B",
        "321##7AA",
        "12345678##4",
    ];
    assert_eq!(frames(&got), want.iter().map(|f| format!("vcan0 {f}")).collect::<Vec<_>>());
    // One guest CPU, emulated timers: a loose tolerance, still far below the gaps.
    assert_close(&offsets(&got), &sent[..7].iter().map(|s| s.0).collect::<Vec<_>>(), 0.03);
    // The kernel cannot send an error frame: said once, counted, and the replay goes on.
    let err = section(&run, "stderr").join("\n");
    assert!(err.contains("error frames are reported by the CAN controller and cannot be sent"), "{err}");
    assert!(
        err.contains("7 frames sent") && err.contains("skipped: 1 not sendable on socketcan vcan0"),
        "{err}"
    );
}

#[test]
fn a_candump_l_log_replays_through_canplayer_into_canlogger_watch_exactly() {
    let frames_sent =
        ["123#DEADBEEF", "00000123#11", "1F334455#R3", "7FF#", "123##1000102030405060708090A0B", "321##3AA"];
    let sends: String = frames_sent.iter().map(|f| format!("cansend vcan0 '{f}'; sleep 0.1; ")).collect();
    // Record with candump -l (a file named after the date) in the guest, then replay it from
    // vcan0 onto vcan1 the can-utils way (-I FILE vcan0=vcan1) while canlogger watches vcan1.
    let body = format!(
        r#"
cd /tmp
candump -l vcan0 & rec=$!
wait_for_sockets vcan0 1
{sends}
sleep 0.2; kill -INT $rec; wait $rec
file=$(ls /tmp/candump-*.log)
"$CANLOGGER" -i socketcan -c vcan1 watch --format log > /tmp/watch.log 2> /tmp/watch.err & watch=$!
wait_for_sockets vcan1 1
"$CANPLAYER" -i socketcan -I "$file" vcan0=vcan1 2> /tmp/player.err; rc=$?; echo "=== exit"; echo $rc
sleep 0.2; kill -INT $watch; wait $watch
show recorded "$file"
show watch /tmp/watch.log
show stderr /tmp/player.err
"#
    );
    let Some(run) = run_in_guest(&script(&body)) else { return };
    run.assert_success();
    assert_eq!(section(&run, "exit"), ["0"], "{:?}", section(&run, "stderr"));
    let recorded = log_lines(&run, "recorded");
    let watched = log_lines(&run, "watch");
    assert_eq!(recorded.len(), frames_sent.len(), "{recorded:?}");
    let renamed: Vec<String> = frames(&recorded).iter().map(|f| f.replacen("vcan0", "vcan1", 1)).collect();
    assert_eq!(frames(&watched), renamed);
    assert_close(&offsets(&watched), &offsets(&recorded), 0.03);
}

#[test]
fn mapping_replays_onto_vcan0_and_vcan1_at_once_and_a_bus_going_down_is_named() {
    let dir = shared_dir();
    let mixed = [
        (0.00, "can0", "100#00"),
        (0.02, "can1", "101#01"),
        (0.04, "can2", "102#02"),
        (0.06, "can0", "103#03"),
        (0.08, "can1", "104#04"),
        (0.10, "can2", "105#05"),
    ];
    let mixed = write_log(dir.path(), "mixed.log", &mixed);
    let long: Vec<(f64, &str, &str)> = (0..100).map(|i| (i as f64 * 0.05, "can0", "200#AA")).collect();
    let long = write_log(dir.path(), "long.log", &long);
    let body = format!(
        r#"
candump -L vcan0 vcan1 > /tmp/both.log & dump=$!
wait_for_sockets vcan0 1; wait_for_sockets vcan1 1
"$CANPLAYER" -i socketcan --map can0=vcan0 --map can1=vcan1 '{mixed}' 2> /tmp/map.err; rc=$?; echo "=== map exit"; echo $rc
sleep 0.2; kill -INT $dump; wait $dump
"$CANPLAYER" -i socketcan -c vcan0 '{long}' 2> /tmp/down.err & player=$!
sleep 0.5; ip link set vcan0 down
wait $player; rc=$?; echo "=== down exit"; echo $rc
show both /tmp/both.log
show map-stderr /tmp/map.err
show down-stderr /tmp/down.err
"#
    );
    let Some(run) = run_in_guest(&script(&body)) else { return };
    run.assert_success();
    assert_eq!(section(&run, "map exit"), ["0"], "{:?}", section(&run, "map-stderr"));
    let both = frames(&log_lines(&run, "both"));
    assert_eq!(both, ["vcan0 100#00", "vcan1 101#01", "vcan0 103#03", "vcan1 104#04"]);
    let err = section(&run, "map-stderr").join("\n");
    assert_eq!(err.matches("channel can2 is not mapped").count(), 1, "{err}");
    assert!(err.contains("4 frames sent") && err.contains("(2 to vcan0, 2 to vcan1)"), "{err}");
    assert!(err.contains("2 unmapped (2 on can2)"), "{err}");

    assert_eq!(section(&run, "down exit"), ["3"], "{:?}", section(&run, "down-stderr"));
    let err = section(&run, "down-stderr").join("\n");
    assert!(err.contains("vcan0") && err.contains("down"), "the bus is named: {err}");
    assert!(err.contains("frames sent"), "the summary is printed: {err}");
}
