//! `canopen-node` as a user runs it: `eds check`, the node on a private loopback bus driven by raw
//! SDO frames from `canlogger send`, the shell side (`set`, `get`, `emcy`), `--on-write` hooks,
//! `--events`, exit codes and messages for bad files and arguments, and SIGTERM.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// A node on a private udp_multicast port, its EDS and control socket in a temporary directory.
struct Node {
    running: Running,
    dir: tempfile::TempDir,
    port: String,
}

impl Node {
    fn start(extra: &[&str]) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let eds = dir.path().join("device.eds");
        std::fs::copy(fixture("device.eds"), &eds).unwrap();
        let port = free_port();
        let running = Running::start(
            tool(canopen_node())
                .args(["-n", "5", "-e"])
                .arg(&eds)
                .args(["--port", &port, "--control"])
                .arg(dir.path().join("control.sock"))
                .args(extra),
        );
        running.expect("control socket", Duration::from_secs(20));
        Node { running, dir, port }
    }

    fn expect(&self, needle: &str, within: Duration) -> String {
        self.running.expect(needle, within)
    }

    fn shell(&self, args: &[&str]) -> Output {
        run(tool(canopen_node()).args(args).arg("--control").arg(self.dir.path().join("control.sock")))
    }

    /// Frames onto the node's bus, as `canlogger send` writes them.
    fn send(&self, frames: &[&str]) {
        let out = run(tool(canlogger()).args(["--port", &self.port, "send"]).args(frames));
        assert!(out.status.success(), "{:?}", text(&out));
    }

    /// SIGTERM: the exit code, the output, and whether the control socket is still there.
    fn stop(self) -> (i32, String, bool) {
        let (code, log) = self.running.terminate(Duration::from_secs(10));
        (code, log, self.dir.path().join("control.sock").exists())
    }
}

#[test]
fn eds_check_prints_the_dictionary_and_names_every_quirk() {
    let out = run(tool(canopen_node()).args(["eds", "check", "-n", "5"]).arg(fixture("device.eds")));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("0x1018:01  Vendor-ID  UNSIGNED32 ro  = 0x000001A2"), "{stdout}");
    assert!(stdout.contains("0 warnings"), "{stdout}");

    let out = run(tool(canopen_node()).args(["eds", "check", "--strict"]).arg(fixture("quirks.eds")));
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "--strict fails on warnings:\n{stdout}");
    assert!(stdout.contains("quirks.eds:") && stdout.contains("] DefaultValue: blank"), "{stdout}");

    let out = run(tool(canopen_node()).args(["eds", "check"]).arg(fixture("broken.eds")));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.eds"), "{stderr}");
}

#[test]
fn a_file_or_argument_the_node_cannot_use_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.eds");
    std::fs::write(&garbage, b"\x00\x01\x02 not an eds").unwrap();
    for (args, needle) in [
        (vec!["-n", "5", "-e", garbage.to_str().unwrap()], "garbage.eds"),
        (vec!["-n", "5", "-e", "/nonexistent/device.eds"], "/nonexistent/device.eds"),
        (vec!["-n", "0", "-e", fixture("device.eds").to_str().unwrap()], "0 is not in 1..=127"),
        (vec!["-n", "128", "-e", fixture("device.eds").to_str().unwrap()], "128 is not in 1..=127"),
        (vec!["-e", fixture("device.eds").to_str().unwrap()], "--node-id is required"),
        (
            vec!["-n", "5", "-e", fixture("device.eds").to_str().unwrap(), "--on-write", "6000:01"],
            "INDEX[:SUB]=COMMAND",
        ),
        (
            vec!["-n", "5", "-e", fixture("device.eds").to_str().unwrap(), "--on-write", "zz=true"],
            "'zz' is not INDEX[:SUB]",
        ),
    ] {
        let out = run(tool(canopen_node()).args(&args).args(["--port", &free_port()]));
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // No node behind the socket: exit 3, naming it.
    let out = run(tool(canopen_node()).args(["get", "1017", "--control"]).arg(dir.path().join("none.sock")));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("none.sock") && stderr.contains("is it running"), "{stderr}");
}

#[test]
fn the_shell_sets_and_gets_values_and_sees_abort_codes() {
    let node = Node::start(&[]);
    let ok = |out: Output| {
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        stdout.trim().to_string()
    };
    assert_eq!(ok(node.shell(&["get", "1018:01"])), "418");
    assert_eq!(
        ok(node.shell(&["set", "6000:01", "42"])),
        "OK",
        "the application writes its read-only inputs"
    );
    assert_eq!(ok(node.shell(&["get", "0x6000:1"])), "42");
    assert_eq!(ok(node.shell(&["set", "2003", "-100"])), "OK");
    assert_eq!(ok(node.shell(&["set", "2002", "a string with spaces"])), "OK");
    assert_eq!(ok(node.shell(&["get", "2002"])), "a string with spaces");
    assert_eq!(ok(node.shell(&["set", "2009", "01 02 ff"])), "OK");
    assert_eq!(ok(node.shell(&["get", "2009"])), "01 02 ff");

    for (args, code, needle) in [
        (vec!["set", "2003", "101"], 1, "ERROR:0x06090031"),
        (vec!["get", "3000"], 1, "ERROR:0x06020000"),
        (vec!["get", "1018:09"], 1, "ERROR:0x06090011"),
        (vec!["set", "6000:01", "256"], 2, "out of range"),
        (vec!["set", "6000:01", "twelve"], 2, "not an integer"),
        (vec!["set", "60000:01", "1"], 2, "not INDEX[:SUB]"),
    ] {
        let out = node.shell(&args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle.trim_start_matches("ERROR:")), "{args:?}: {stderr}");
    }
    let (code, log, _) = node.stop();
    assert_eq!(code, 0, "{log}");
}

#[test]
fn on_write_hooks_run_with_the_value_in_their_environment() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("hook.txt");
    let hook = format!(
        "1017={}",
        format_args!(
            "echo \"$CANOPEN_INDEX:$CANOPEN_SUB $CANOPEN_NAME=$CANOPEN_VALUE ($CANOPEN_TYPE, $CANOPEN_RAW) by $CANOPEN_SOURCE on $CANOPEN_NODE_ID\" >> {}",
            record.display()
        )
    );
    let node = Node::start(&["--on-write", &hook, "--events", "json"]);
    // A master's SDO download (expedited, 100 ms) as raw frames, then the application's write.
    node.send(&["605#2B17100064000000"]);
    node.expect(r#""index":"0x1017""#, Duration::from_secs(10));
    assert!(node.shell(&["set", "1017", "250"]).status.success());
    let end = Instant::now() + Duration::from_secs(10);
    let lines = loop {
        let text = std::fs::read_to_string(&record).unwrap_or_default();
        if text.lines().count() >= 2 || Instant::now() > end {
            break text;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(
        lines,
        "0x1017:0 Producer heartbeat time=100 (UNSIGNED16, 6400) by sdo on 5\n\
         0x1017:0 Producer heartbeat time=250 (UNSIGNED16, fa00) by local on 5\n"
    );
    let (code, log, _) = node.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        log.lines().any(|l| l.contains(r#""event":"write""#) && l.contains(r#""source":"local""#)),
        "{log}"
    );
}

#[test]
fn a_second_node_on_the_same_control_socket_is_refused() {
    let node = Node::start(&[]);
    let out = run(tool(canopen_node())
        .args(["-n", "5", "-e"])
        .arg(node.dir.path().join("device.eds"))
        .args(["--port", &node.port, "--control"])
        .arg(node.dir.path().join("control.sock")));
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another canopen-node is running"), "{stderr}");
    // The first one still answers.
    assert!(node.shell(&["get", "1000"]).status.success());
}

#[test]
fn emcy_from_the_shell_goes_on_the_bus_and_into_the_error_history() {
    let node = Node::start(&["--events", "text"]);
    let watch = tool(canlogger())
        .args([
            "--port", &node.port, "watch", "--format", "log", "-n", "1", "-T", "10s", "--filter", "085:7FF",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The watcher may start late on a loaded machine: the EMCY repeats until it has seen one.
    let mut watch = watch;
    let end = Instant::now() + Duration::from_secs(10);
    while watch.try_wait().unwrap().is_none() && Instant::now() < end {
        assert!(node.shell(&["emcy", "0x5000", "aa bb"]).status.success());
        std::thread::sleep(Duration::from_millis(300));
    }
    let out = watch.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("085#005001AABB000000"), "{stdout}{stderr}");
    let history = node.shell(&["get", "1003:01"]);
    assert_eq!(text(&history).0.trim(), (0xBBAA_5000u32).to_string());
    node.expect("EMCY 0x5000 device hardware", Duration::from_secs(5));
    assert_eq!(
        text(&node.shell(&["emcy", "0x10000"])).1.trim(),
        "canopen-node: '0x10000' is not an error code (0..0xFFFF)"
    );
}

#[test]
fn sigterm_ends_the_node_cleanly_and_removes_its_socket() {
    let node = Node::start(&[]);
    assert!(node.dir.path().join("control.sock").exists());
    let (code, log, socket_left) = node.stop();
    assert_eq!(code, 0, "{log}");
    assert!(!socket_left);
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn master_commands_read_and_write_a_node_in_every_mode_and_name_its_aborts() {
    let node = Node::start(&["--events", "json"]);
    let master = |args: &[&str]| run(tool(canopen_node()).args(args).args(["--port", &node.port]));
    let ok = |out: Output| {
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        stdout.trim().to_string()
    };
    assert_eq!(ok(master(&["sdo", "read", "5", "1018:01", "--type", "u32"])), "418");
    assert_eq!(ok(master(&["sdo", "read", "5", "1018:01", "--type", "x32"])), "0x000001A2");
    let eds = fixture("device.eds");
    assert_eq!(ok(master(&["sdo", "read", "5", "1018:01", "--eds", eds.to_str().unwrap()])), "418");
    ok(master(&["sdo", "write", "5", "2002", "a segmented string", "--type", "vs"]));
    assert_eq!(ok(master(&["sdo", "read", "5", "2002", "--type", "vs"])), "a segmented string");
    ok(master(&["sdo", "write", "5", "2003", "-42", "--eds", eds.to_str().unwrap()]));
    assert_eq!(ok(master(&["sdo", "read", "5", "2003", "--type", "i16"])), "-42");
    // A domain from a file: a block transfer above 256 bytes; read back in one, to a file.
    let dir = tempfile::tempdir().unwrap();
    let blob: Vec<u8> = (0..5000u32).map(|i| (i * 13 % 251) as u8).collect();
    std::fs::write(dir.path().join("blob.bin"), &blob).unwrap();
    ok(master(&["sdo", "write", "5", "2000", "--file", dir.path().join("blob.bin").to_str().unwrap()]));
    ok(master(&["sdo", "read", "5", "2000", "--block", "-o", dir.path().join("back.bin").to_str().unwrap()]));
    assert_eq!(std::fs::read(dir.path().join("back.bin")).unwrap(), blob);
    // Aborts and silence: exit 1 with the reason; usage errors exit 2.
    for (args, code, needle) in [
        (vec!["sdo", "read", "5", "3000"], 1, "aborted: 0x06020000 (object does not exist"),
        (
            vec!["sdo", "write", "5", "2003", "101", "--type", "i16"],
            1,
            "0x06090031 (value of parameter written too high)",
        ),
        (vec!["sdo", "read", "9", "1000", "-T", "300ms"], 1, "node 9: 0x1000:00: no answer within 300ms"),
        (vec!["sdo", "write", "5", "2003", "5"], 2, "--type TYPE or --eds FILE"),
        (vec!["sdo", "read", "5", "1018:01", "--type", "u33"], 2, "--type u33: not a type"),
        (vec!["nmt", "start", "128"], 2, "node '128': 1..127 or all"),
    ] {
        let out = master(&args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    ok(master(&["nmt", "start", "5"]));
    node.expect(r#""cause":"NMT start""#, Duration::from_secs(10));
    ok(master(&["sync", "--period", "5ms", "-n", "3"]));
    ok(master(&["time"]));
    node.expect(r#""event":"time""#, Duration::from_secs(10));
    ok(master(&["nmt", "reset-comm", "all"]));
    node.expect(r#""cause":"NMT reset communication""#, Duration::from_secs(10));
    let (code, log, _) = node.stop();
    assert_eq!(code, 0, "{log}");
}

#[test]
fn scan_finds_the_nodes_with_identity_and_state() {
    let node = Node::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let eds = dir.path().join("device.eds");
    std::fs::copy(fixture("device.eds"), &eds).unwrap();
    // A second node, operational and beating every 50 ms.
    let other = Running::start(
        tool(canopen_node())
            .args(["-n", "7", "-e"])
            .arg(&eds)
            .args(["--port", &node.port, "--start", "--control"])
            .arg(dir.path().join("control.sock")),
    );
    other.expect("control socket", Duration::from_secs(20));
    let write =
        run(tool(canopen_node())
            .args(["sdo", "write", "7", "1017", "50", "--type", "u16", "--port", &node.port]));
    assert!(write.status.success(), "{:?}", text(&write));
    let out = run(tool(canopen_node()).args(["scan", "--port", &node.port]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            "   5  0x00000191   0x000001A2  0x00000C4E  0x00010002  0x00000000  pre-operational",
            "   7  0x00000191   0x000001A2  0x00000C4E  0x00010002  0x00000000  operational",
        ],
        "{stdout}"
    );
    let out = run(tool(canopen_node()).args(["scan", "--json", "--port", &node.port]));
    let first: serde_json::Value = serde_json::from_str(text(&out).0.lines().next().unwrap()).unwrap();
    assert_eq!((first["node"].as_u64(), first["vendor_id"].as_str()), (Some(5), Some("0x000001A2")));
    // Nobody on an empty bus: exit 1.
    let out = run(tool(canopen_node()).args(["scan", "-T", "200ms", "--port", &free_port()]));
    assert_eq!(out.status.code(), Some(1), "{:?}", text(&out));
}

#[test]
fn dump_writes_a_dcf_that_load_writes_back() {
    let node = Node::start(&[]);
    let master = |args: &[&str]| run(tool(canopen_node()).args(args).args(["--port", &node.port]));
    let eds = fixture("device.eds");
    let dcf = node.dir.path().join("node5.dcf");
    assert!(master(&["sdo", "write", "5", "2002", "kept in the backup", "--type", "vs"]).status.success());
    let out = master(&["dump", "5", "--eds", eds.to_str().unwrap(), "-o", dcf.to_str().unwrap()]);
    assert!(out.status.success(), "{:?}", text(&out));
    let written = std::fs::read_to_string(&dcf).unwrap();
    assert!(written.contains("ParameterValue=kept in the backup"), "{written}");
    // Change things, PDO configuration included, then load the backup.
    assert!(master(&["sdo", "write", "5", "2002", "changed", "--type", "vs"]).status.success());
    assert!(master(&["sdo", "write", "5", "1800:01", "0xC0000185", "--type", "u32"]).status.success());
    let out = master(&["load", "5", dcf.to_str().unwrap()]);
    assert!(out.status.success(), "{:?}", text(&out));
    let read =
        |entry: &str, t: &str| text(&master(&["sdo", "read", "5", entry, "--type", t])).0.trim().to_string();
    assert_eq!(read("2002", "vs"), "kept in the backup");
    assert_eq!(read("1800:01", "x32"), "0x40000185");
    assert_eq!(read("1A00", "u8"), "3");
}
