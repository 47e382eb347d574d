//! `canopen-node`'s master commands against python `canopen` 2.4's `LocalNode` as the device
//! (node 6, the fixture dictionary) on python-can's udp_multicast bus, in a private network
//! namespace (`common::netns`): SDO reads and writes by type, segmented transfers, a block upload
//! (LocalNode answers it with a normal upload, which the client follows), a block download
//! (LocalNode refuses it; `--no-block` writes the same value segmented), aborts, NMT seen in its
//! heartbeats, `scan` and `dump`. The device is tests/python/canopen_localnode.py. Needs root,
//! `ip` and the venv with `canopen` (`tools/test-all.sh`).

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use common::netns::Netns;
use common::running::Running;

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn master_commands_against_python_canopens_local_node() {
    let Some(python) = common::python_canopen() else { return };
    let ns = Netns::create();
    let eds = common::root().join("tests/fixtures/canopen/device.eds");
    let device = Running::start(
        ns.command(&python).arg(common::root().join("tests/python/canopen_localnode.py")).arg(&eds).arg("6"),
    );
    device.expect("ready", Duration::from_secs(30));
    let master = |args: &[&str]| {
        ns.command(canopen_node())
            .args(args)
            .args(["-i", "udp_multicast"])
            .env("HOME", "/nonexistent")
            .env_remove("CAN_INTERFACE")
            .env_remove("CAN_CHANNEL")
            .output()
            .unwrap()
    };
    let ok = |args: &[&str]| {
        let out = master(args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{args:?}: {stderr}\ndevice:\n{}", device.text());
        stdout.trim().to_string()
    };
    let fails = |args: &[&str], code: i32, needle: &str| {
        let out = master(args);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    };
    let eds_arg = eds.to_str().unwrap();
    assert_eq!(ok(&["sdo", "read", "6", "1018:01", "--type", "u32"]), "418");
    assert_eq!(ok(&["sdo", "read", "6", "1018:01", "--eds", eds_arg]), "418");
    ok(&["sdo", "write", "6", "2002", "segmented into LocalNode", "--type", "vs"]);
    assert_eq!(ok(&["sdo", "read", "6", "2002", "--type", "vs"]), "segmented into LocalNode");
    device.expect("written 0x2002:00", Duration::from_secs(10));
    ok(&["sdo", "write", "6", "2003", "-5", "--eds", eds_arg]);
    assert_eq!(ok(&["sdo", "read", "6", "2003", "--type", "i16"]), "-5");
    // A block upload: LocalNode answers with a normal upload, which the client follows.
    assert_eq!(ok(&["sdo", "read", "6", "2002", "--type", "vs", "--block"]), "segmented into LocalNode");
    // A block download: LocalNode refuses it (command specifier unknown); segmented works.
    let dir = tempfile::tempdir().unwrap();
    let blob: Vec<u8> = (0..1000u32).map(|i| (i * 31 % 253) as u8).collect();
    let file = dir.path().join("blob.bin");
    std::fs::write(&file, &blob).unwrap();
    fails(&["sdo", "write", "6", "2000", "--file", file.to_str().unwrap()], 1, "aborted: 0x05040001");
    ok(&["sdo", "write", "6", "2000", "--file", file.to_str().unwrap(), "--no-block"]);
    let back = dir.path().join("back.bin");
    ok(&["sdo", "read", "6", "2000", "-o", back.to_str().unwrap()]);
    assert_eq!(std::fs::read(&back).unwrap(), blob);
    // Aborts.
    fails(&["sdo", "read", "6", "3000", "--type", "u8"], 1, "aborted: 0x06020000");
    fails(&["sdo", "write", "6", "1000", "1", "--type", "u32"], 1, "aborted: 0x06010002");
    // NMT, seen in the heartbeats scan reads; LocalNode still answers SDO when stopped.
    ok(&["nmt", "stop", "6"]);
    std::thread::sleep(Duration::from_millis(300));
    let scan = ok(&["scan", "--json", "-T", "500ms"]);
    assert!(scan.contains(r#""node":6"#) && scan.contains(r#""state":"stopped""#), "{scan}");
    assert!(scan.contains(r#""vendor_id":"0x000001A2""#), "{scan}");
    ok(&["nmt", "start", "6"]);
    std::thread::sleep(Duration::from_millis(300));
    let scan = ok(&["scan", "--json", "-T", "500ms"]);
    assert!(scan.contains(r#""state":"operational""#), "{scan}");
    // dump reads the whole dictionary into a DCF.
    let dcf = dir.path().join("node6.dcf");
    let out = master(&["dump", "6", "--eds", eds_arg, "-o", dcf.to_str().unwrap()]);
    let (_, stderr) = text(&out);
    let written = std::fs::read_to_string(&dcf).unwrap_or_default();
    assert!(written.contains("ParameterValue=segmented into LocalNode"), "{stderr}\n{written}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    drop(device);
}
