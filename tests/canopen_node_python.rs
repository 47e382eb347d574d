//! `canopen-node` mastered by python `canopen` 2.4 from PyPI over python-can's udp_multicast bus:
//! SDO in every transfer mode and type, abort codes as `SdoAbortedError`, NMT seen through
//! heartbeats, PDOs configured by the master and received on SYNC, EMCY, store/restore, and
//! requests no master would send. The master is `tests/python/canopen_master.py`; both run in a
//! private network namespace (`common::netns`), because python-can's multicast bus cannot be kept
//! on loopback by options. Needs root, `ip` and the venv with `canopen` (`tools/test-all.sh`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::netns::Netns;
use common::running::Running;

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

/// A running node in its namespace, with its output collected.
struct Node {
    running: Running,
    dir: tempfile::TempDir,
}

impl Node {
    fn start(ns: &Netns, extra: &[&str]) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let eds = dir.path().join("device.eds");
        std::fs::copy(common::root().join("tests/fixtures/canopen/device.eds"), &eds).unwrap();
        let running = Running::start(
            ns.command(canopen_node())
                .args(["--node-id", "5", "--eds"])
                .arg(&eds)
                .args(["-i", "udp_multicast", "--events", "json", "--control"])
                .arg(dir.path().join("control.sock"))
                .args(extra)
                .env("HOME", "/nonexistent")
                .env_remove("CAN_INTERFACE")
                .env_remove("CAN_CHANNEL"),
        );
        running.expect("control socket", Duration::from_secs(20));
        Node { running, dir }
    }

    fn text(&self) -> String {
        self.running.text()
    }

    fn control(&self) -> PathBuf {
        self.dir.path().join("control.sock")
    }

    fn eds(&self) -> PathBuf {
        self.dir.path().join("device.eds")
    }

    /// SIGTERM, and the exit status and output.
    fn stop(self) -> (i32, String) {
        self.running.terminate(Duration::from_secs(10))
    }
}

/// Run the master's `steps` against `node`; its output lines, which must include every `want`.
fn master(ns: &Netns, python: &Path, node: &Node, steps: &[&str]) -> String {
    let script = common::root().join("tests/python/canopen_master.py");
    let mut child = ns
        .command(python)
        .arg(script)
        .arg(node.eds())
        .arg("5")
        .arg(canopen_node())
        .args(steps)
        .env("CANOPEN_CONTROL", node.control())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running the python master");
    // The master's own timeouts end every step; this one only keeps a broken run from hanging.
    let end = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the python master failed in {steps:?}:\n{stdout}\n{}\nnode:\n{}",
        String::from_utf8_lossy(&out.stderr),
        node.text()
    );
    stdout
}

/// Does one line of `log` contain every part?
fn has_line(log: &str, parts: &[&str]) -> bool {
    log.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

fn assert_lines(output: &str, want: &[&str]) {
    for line in want {
        assert!(output.lines().any(|l| l == *line), "missing {line:?} in:\n{output}");
    }
}

#[test]
fn python_canopen_reads_and_writes_every_type_expedited_and_segmented() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["sdo"]);
    assert_lines(
        &out,
        &[
            "sdo: vendor 0x1a2",
            "sdo: heartbeat 1000",
            "sdo: segmented same",
            "sdo: octets 000102030405060708090a0b0c0d0e0f10111213",
            "sdo: unicode grüße",
            "sdo: forced-segment 7",
        ],
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("sdo: type") && l.ends_with(" same")).count(),
        9,
        "{out}"
    );
    // Every write reached the application as a JSON event.
    let (code, log) = node.stop();
    assert_eq!(code, 0, "{log}");
    assert!(
        has_line(
            &log,
            &[
                r#""event":"write""#,
                r#""index":"0x2002""#,
                r#""value":"a visible string longer than one segment""#
            ]
        ),
        "{log}"
    );
}

#[test]
fn python_canopen_sees_cia301_abort_codes() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["aborts"]);
    assert_lines(
        &out,
        &[
            "aborts: read-only 0x6010002",
            "aborts: write-only 0x6010001",
            "aborts: no-object 0x6020000",
            "aborts: no-sub 0x6090011",
            "aborts: too-long 0x6070012",
            "aborts: too-short 0x6070013",
            "aborts: too-high 0x6090031",
            "aborts: too-low 0x6090032",
            "aborts: store-magic 0x8000020",
            "aborts: after 0x1a2",
        ],
    );
}

#[test]
fn block_transfers_of_a_64_kib_domain_both_ways() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["block"]);
    assert_lines(&out, &["block: download-upload same", "block: segmented-upload same"]);
}

#[test]
fn nmt_states_show_in_heartbeats_and_stopped_nodes_do_not_answer_sdo() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["nmt"]);
    let beats: Vec<&str> = out.lines().filter(|l| l.starts_with("nmt: heartbeat")).collect();
    assert_eq!(
        beats,
        ["nmt: heartbeat PRE-OPERATIONAL", "nmt: heartbeat OPERATIONAL", "nmt: heartbeat STOPPED"],
        "{out}"
    );
    assert_lines(
        &out,
        &[
            "nmt: sdo-when-stopped silent",
            "nmt: other-node STOPPED",
            "nmt: boot-up seen",
            "nmt: after-reset 0",
        ],
    );
    let (_, log) = node.stop();
    assert!(log.contains(r#""cause":"NMT reset communication""#), "{log}");
}

#[test]
fn pdos_configured_by_the_master_run_on_sync_and_on_change() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["pdo"]);
    assert_lines(
        &out,
        &[
            "pdo: mapping 0x60000108 0x64010110 3",
            "pdo: after-one-sync 0",
            "pdo: tpdo1 42 23 -1234 1",
            "pdo: rpdo1 7 9",
            "pdo: tpdo2 0x1020304",
            "pdo: remap-valid 0x6010000",
            "pdo: too-long 0x6040042",
            "pdo: not-mappable 0x6040041",
        ],
    );
    let (_, log) = node.stop();
    assert!(has_line(&log, &[r#""index":"0x6200""#, r#""sub":1"#, r#""source":"rpdo""#]), "{log}");
}

#[test]
fn emcy_from_the_application_a_lost_heartbeat_and_a_short_rpdo() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["emcy"]);
    assert_lines(
        &out,
        &[
            "emcy: produced 0x4210 0x9 0102000000",
            "emcy: register 0x9 history 0x2014210",
            "emcy: heartbeat-lost 0x8130 0x19",
            "emcy: short-rpdo 0x8210",
        ],
    );
    let (_, log) = node.stop();
    assert!(has_line(&log, &[r#""event":"heartbeat-lost""#, r#""monitored":126"#]), "{log}");
}

#[test]
fn stored_parameters_survive_a_reset_until_restored() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["store"]);
    assert_lines(&out, &["store: after-reset 250 77", "store: after-restore 0 305419896"]);
    assert!(node.dir.path().join("device.node5.stored").exists());
}

#[test]
fn malformed_requests_get_aborts_and_the_node_goes_on() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let node = Node::start(&ns, &[]);
    let out = master(&ns, &python, &node, &["bad"]);
    assert_lines(
        &out,
        &[
            "bad: unknown-command 8000200001000405",
            "bad: truncated 8000000001000405",
            "bad: toggle 8002200000000305",
            "bad: crc 8002200004000405",
            "bad: sequence 8002200003000405",
            "bad: timeout 8002200000000405",
            "bad: after 0x1a2",
        ],
    );
    let (code, log) = node.stop();
    assert_eq!(code, 0, "{log}");
    assert!(!log.contains("panicked"), "{log}");
}
