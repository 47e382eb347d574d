//! `canopen-node monitor` on a real session: a node (`canopen-node run`) and a master
//! (`canopen-node sdo|nmt|sync|time`, the node's shell side for `emcy` and `set`,
//! `canlogger send` for node guarding) on a private udp_multicast bus, recorded by `canlogger`
//! and watched by the monitor live at the same time; the recording is then decoded with
//! `--file`. Bad arguments, files and buses give their exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::running::Running;
use common::{canlogger, free_port, tool};

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/canopen").join(name)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("running a cankit tool")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The text lines without their time of day (`HH:MM:SS.ffffff  `).
fn untimed(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|line| {
            assert_eq!(line.as_bytes().get(15..17), Some(&b"  "[..]), "no time in {line:?}");
            line[17..].to_string()
        })
        .collect()
}

/// The session: everything a master does to node 5, recorded into `log` while a live monitor
/// watches; returns the live monitor's JSON lines.
fn record_session(dir: &Path, port: &str, log: &Path) -> String {
    let eds = dir.join("device.eds");
    let control = dir.join("control.sock");
    let node = Running::start(
        tool(canopen_node())
            .args(["-n", "5", "-e"])
            .arg(&eds)
            .args(["--port", port, "--control"])
            .arg(&control),
    );
    node.expect("control socket", Duration::from_secs(20));
    let recorder = Running::start(tool(canlogger()).args(["-v", "--port", port, "-f"]).arg(log));
    recorder.expect("opened", Duration::from_secs(20));
    let eds_spec = format!("5={}", eds.display());
    let live = Running::start(
        tool(canopen_node()).args(["monitor", "-v", "--json", "--port", port, "-e", &eds_spec]),
    );
    live.expect("opened", Duration::from_secs(20));

    let master = |args: &[&str]| {
        let out = run(tool(canopen_node()).args(args).args(["--port", port]));
        assert!(out.status.success(), "{args:?}: {:?}", text(&out));
    };
    let shell = |args: &[&str]| {
        let out = run(tool(canopen_node()).args(args).arg("--control").arg(&control));
        assert!(out.status.success(), "{args:?}: {:?}", text(&out));
    };
    master(&["nmt", "reset-comm", "5"]);
    master(&["sdo", "read", "5", "1018:01", "--type", "u32"]);
    master(&["sdo", "write", "5", "2002", "a segmented string", "--type", "vs"]);
    let blob: Vec<u8> = (0..600u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(dir.join("blob.bin"), &blob).unwrap();
    master(&["sdo", "write", "5", "2000", "--file", dir.join("blob.bin").to_str().unwrap()]);
    master(&["sdo", "read", "5", "2000", "--block", "-o", dir.join("back.bin").to_str().unwrap()]);
    let out = run(tool(canopen_node()).args(["sdo", "read", "5", "3000", "--port", port]));
    assert_eq!(out.status.code(), Some(1));
    master(&["nmt", "start", "5"]);
    master(&["sync", "--period", "5ms", "-n", "2", "--counter", "4"]);
    master(&["sync"]);
    master(&["time"]);
    shell(&["emcy", "0x5000", "aa bb"]);
    shell(&["emcy", "0"]);
    let out = run(tool(canlogger()).args(["--port", port, "send", "705#R1"]));
    assert!(out.status.success());
    // The master maps the counter 0x2001 into TPDO1 (CiA 301's order), then a SYNC sends it.
    for (entry, value, t) in [
        ("1800:01", "0xC0000185", "u32"),
        ("1A00:00", "0", "u8"),
        ("1A00:01", "0x20010020", "u32"),
        ("1A00:00", "1", "u8"),
        ("1800:01", "0x40000185", "u32"),
    ] {
        master(&["sdo", "write", "5", entry, value, "--type", t]);
    }
    shell(&["set", "2001", "7"]);
    master(&["sync"]);
    master(&["nmt", "stop", "all"]);
    std::thread::sleep(Duration::from_millis(500));
    let (code, recorded) = recorder.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{recorded}");
    let (code, watched) = live.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{watched}");
    let (code, log) = node.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
    watched
}

#[test]
fn a_recorded_session_is_decoded_like_the_live_monitor_saw_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("device.eds"), dir.path().join("device.eds")).unwrap();
    let port = free_port();
    let log = dir.path().join("session.log");
    let watched = record_session(dir.path(), &port, &log);
    let eds_spec = format!("5={}", dir.path().join("device.eds").display());

    let out = run(tool(canopen_node()).args(["monitor", "-e", &eds_spec, "-f"]).arg(&log));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let lines = untimed(&stdout);
    let has = |wanted: &str| assert!(lines.iter().any(|l| l == wanted), "no {wanted:?} in:\n{stdout}");
    let starts =
        |wanted: &str| assert!(lines.iter().any(|l| l.starts_with(wanted)), "no {wanted:?}… in:\n{stdout}");
    has("NMT        reset communication node 5");
    has("BOOT-UP    node 5");
    has("SDO        node 5  read 1018:01 Identity: Vendor-ID = 418  (4 bytes, expedited)");
    has("SDO        node 5  write 2002:00 Text = \"a segmented string\"  (18 bytes, segmented)");
    let domain_start = "SDO        node 5  write 2000:00 Domain = 00 07 0e 15 1c 23 2a 31";
    starts(domain_start);
    assert!(lines
        .iter()
        .any(|l| l.starts_with(domain_start) && l.ends_with("… (600 bytes)  (600 bytes, block)")));
    starts("SDO        node 5  read 2000:00 Domain = 00 07 0e 15");
    has("SDO        node 5  read 3000:00  aborted by the server: 0x06020000 (object does not exist in the object dictionary)");
    has("NMT        start node 5");
    has("SYNC       counter 1");
    has("SYNC       counter 2");
    starts("TIME       20");
    starts("EMCY       node 5  0x5000 device hardware  register 0x");
    starts("EMCY       node 5  error reset  register 0x");
    has("GUARD      node 5  request");
    has("GUARD      node 5  operational  toggle 0");
    has("SDO        node 5  write 1A00:01 TPDO mapping parameter 1: Mapped object 1 = 536936480 (0x20010020)  (4 bytes, expedited)");
    has("TPDO1      node 5  Read inputs 1 = 0  Read inputs 2 = 0  Analogue input 1 = 0");
    has("TPDO1      node 5  Counter = 7");
    has("NMT        stop all nodes");
    assert!(
        !stdout.contains("incomplete") && !stdout.contains("FRAME") && !stdout.contains("outside"),
        "{stdout}"
    );

    // JSON: the same events, with stable field names.
    let out = run(tool(canopen_node()).args(["monitor", "--json", "-e", &eds_spec, "-f"]).arg(&log));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), lines.len());
    let read = events.iter().find(|e| e["event"] == "sdo" && e["index"] == "0x1018").unwrap();
    for (key, value) in [
        ("node", serde_json::json!(5)),
        ("access", "read".into()),
        ("sub", 1.into()),
        ("name", "Identity: Vendor-ID".into()),
        ("type", "UNSIGNED32".into()),
        ("mode", "expedited".into()),
        ("result", "ok".into()),
        ("value", 418.into()),
        ("size", 4.into()),
    ] {
        assert_eq!(read[key], value, "{key} in {read}");
    }
    assert!(read["time"].as_f64().unwrap() >= read["started"].as_f64().unwrap());
    let abort = events.iter().find(|e| e["result"] == "aborted").unwrap();
    assert_eq!(abort["abort"], "0x06020000");
    assert_eq!(abort["by"], "server");
    let counter = events.iter().find(|e| e["pdo"] == "TPDO1" && e["values"][0]["name"] == "Counter").unwrap();
    assert_eq!(counter["values"][0]["value"], 7);
    assert_eq!(counter["cob_id"], "0x185");

    // The live monitor saw the same SDO transactions and PDOs.
    let live: Vec<serde_json::Value> =
        watched.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    let digest = |events: &[serde_json::Value], kind: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["event"] == kind)
            .map(|e| format!("{} {} {} {} {}", e["index"], e["access"], e["result"], e["value"], e["values"]))
            .collect()
    };
    assert_eq!(digest(&live, "sdo"), digest(&events, "sdo"));
    assert_eq!(digest(&live, "pdo"), digest(&events, "pdo"));
    assert_eq!(digest(&live, "emcy").len(), digest(&events, "emcy").len());

    // Without the EDS: numbers for expedited values, PDOs named by the pre-defined set.
    let out = run(tool(canopen_node()).args(["monitor", "-f"]).arg(&log));
    let lines = untimed(&text(&out).0);
    assert!(lines
        .iter()
        .any(|l| l == "SDO        node 5  read 1018:01 = 418 (a2 01 00 00)  (4 bytes, expedited)"));
    assert!(lines.iter().any(|l| l == "TPDO1      node 5  [4]  07 00 00 00"), "{lines:#?}");
    // Only what a filter lets through, and no raw frames.
    let out =
        run(tool(canopen_node()).args(["monitor", "--hide-unknown", "--filter", "000:7FF", "-f"]).arg(&log));
    let lines = untimed(&text(&out).0);
    assert_eq!(
        lines,
        ["NMT        reset communication node 5", "NMT        start node 5", "NMT        stop all nodes"]
    );
}

#[test]
fn bad_arguments_files_and_buses_have_their_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let bad_log = dir.path().join("bad.log");
    std::fs::write(&bad_log, "(1700000000.000000) can0 123#00\n(1700000000.100000) can0 12X#00\n").unwrap();
    let good_log = dir.path().join("good.log");
    std::fs::write(&good_log, "(1700000000.000000) can0 705#00\n").unwrap();
    let device = format!("5={}", fixture("device.eds").display());
    let broken = format!("5={}", fixture("broken.eds").display());
    let cases: Vec<(Vec<&str>, i32, String)> = vec![
        (vec!["-f", bad_log.to_str().unwrap()], 2, format!("{}:line 2: ", bad_log.display())),
        (vec!["-f", good_log.to_str().unwrap(), "-e", "5device.eds"], 2, "expected NODE=FILE".into()),
        (vec!["-f", good_log.to_str().unwrap(), "-e", "128=x.eds"], 2, "the node-ID must be 1..127".into()),
        (vec!["-f", good_log.to_str().unwrap(), "-e", &broken], 2, "broken.eds".into()),
        (vec!["-f", "/nonexistent/x.log", "-e", &device], 3, "/nonexistent/x.log".into()),
        (vec!["-i", "socketcan", "-c", "nocan0"], 3, "nocan0".into()),
    ];
    for (args, code, needle) in cases {
        let out = run(tool(canopen_node()).arg("monitor").args(&args));
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(&needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    // What came before the bad line was decoded.
    let out = run(tool(canopen_node()).args(["monitor", "-f"]).arg(&bad_log));
    assert!(text(&out).0.contains("FRAME      123  [1]  00"), "{:?}", text(&out));
    let out = run(tool(canopen_node()).args(["monitor", "-e", &device, "-f"]).arg(&good_log));
    assert_eq!(untimed(&text(&out).0), ["BOOT-UP    node 5"]);
}
