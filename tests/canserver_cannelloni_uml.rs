//! `canserver`'s cannelloni UDP bridge against the real `cannelloni` program (mguentner/cannelloni,
//! built by `../shared/peers/build-peers.sh` into `target/peers/bin`), on a real Linux CAN stack
//! inside one User-Mode Linux guest (`tests/uml/run.sh`):
//!
//! `cansend vcan0` → cannelloni (`-I vcan0`) → UDP → canserver (`--udp-format cannelloni`) → vcan1
//! → `candump vcan1`, and `cansend vcan1` → canserver → UDP → cannelloni → vcan0 → `candump vcan0`,
//! with classic, extended, remote and CAN FD frames (the guest's vcans have MTU 72, so cannelloni
//! opens vcan0 in CAN FD mode and carries FD frames with their flags).
//!
//! The guest has no network but `lo`, so canserver, cannelloni and can-utils run in one guest.
//! Without the peer or without UML, the test is skipped on a developer machine and fails in CI.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::uml::{cli_script, run_in_guest, sections, GuestRun};

/// `target/peers/bin/cannelloni`, built if missing.
fn cannelloni() -> Option<PathBuf> {
    let binary = common::root().join("target/peers/bin/cannelloni");
    if !binary.exists() {
        let script = common::root().join("../shared/peers/build-peers.sh");
        if script.exists() {
            eprintln!("building the peers with {}", script.display());
            let _ =
                Command::new("bash").arg(&script).arg("target/peers").current_dir(common::root()).status();
        }
    }
    common::require(
        "cannelloni in target/peers/bin (../shared/peers/build-peers.sh target/peers)",
        binary.exists().then_some(binary),
    )
}

/// Shell helpers: `wait_log FILE TEXT` waits (15 s at most, by the clock: a loop of sleeps is
/// slow in the guest) until FILE contains TEXT, or says what FILE holds and fails;
/// `watchdog SECONDS PID…` kills the PIDs after SECONDS so a missing frame ends the run with what
/// was printed instead of the guest's timeout.
const HELPERS: &str = r#"
wait_log() {
  end=$(( $(date +%s) + 15 ))
  until grep -q "$2" "$1" 2>/dev/null; do
    if [ "$(date +%s)" -ge $end ]; then echo "no '$2' in $1:" >&2; cat "$1" >&2; return 1; fi
    sleep 0.05
  done
}
watchdog() { secs=$1; shift; ( sleep "$secs"; kill "$@" 2>/dev/null ) & }
"#;

/// A section's candump lines as `IFACE FRAME` (timestamps dropped).
fn frames(run: &GuestRun, name: &str) -> Vec<String> {
    let all = sections(&run.stdout);
    let lines = all.get(name).unwrap_or_else(|| panic!("no section {name}:\n{}\n{}", run.stdout, run.stderr));
    lines.iter().map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")).collect()
}

/// Frames sent on vcan0 (to cross cannelloni → canserver) and on vcan1 (to cross canserver →
/// cannelloni), as `cansend` takes them and as this kernel's candump prints them (FD flags with
/// FDF set: BRS `1` prints as `5`, no flags as `4`).
const FROM_VCAN0: [(&str, &str); 4] = [
    ("123#11223344", "123#11223344"),
    ("1ABCDEF0#55", "1ABCDEF0#55"),
    ("456##1000102030405060708090A0B", "456##5000102030405060708090A0B"),
    ("7FF#R", "7FF#R"),
];
const FROM_VCAN1: [(&str, &str); 4] = [
    ("321#AABB", "321#AABB"),
    ("00000042#", "00000042#"),
    (
        "1FFFFFFF##0000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        "1FFFFFFF##4000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
    ),
    ("7FF#", "7FF#"),
];

#[test]
fn cannelloni_bridges_vcan0_to_canserver_serving_vcan1_both_ways() {
    let Some(cannelloni) = cannelloni() else { return };
    let n = FROM_VCAN0.len() + FROM_VCAN1.len();
    let send = |iface: &str, list: &[(&str, &str)]| {
        list.iter().map(|(f, _)| format!("cansend {iface} {f}\n")).collect::<String>()
    };
    let body = format!(
        r#"{HELPERS}
CANSERVER='{canserver}'
CANNELLONI='{cannelloni}'
"$CANSERVER" -i socketcan -c vcan1 --no-socketcand --no-remote --no-http --no-beacon \
  --udp-format cannelloni --udp-peer 127.0.0.1:20001 --udp-listen 127.0.0.1:20002 2> /tmp/server.err & server=$!
wait_log /tmp/server.err "UDP bridge (cannelloni)" || exit 96
candump -L -n {n} vcan0 > /tmp/vcan0.log & d0=$!
candump -L -n {n} vcan1 > /tmp/vcan1.log & d1=$!
# -t 1000: cannelloni sends its buffer 1 ms after the first frame (default 100 ms).
"$CANNELLONI" -I vcan0 -R 127.0.0.1 -r 20002 -l 20001 -t 1000 > /tmp/cannelloni.out 2>&1 & cnl=$!
# candump and cannelloni on vcan0, candump and canserver on vcan1.
wait_for_sockets vcan0 2
wait_for_sockets vcan1 2
wait_log /tmp/cannelloni.out "UDPThread up and running" || exit 96
watchdog 25 $d0 $d1
{send_vcan0}# vcan1 hears vcan0's frames before it sends its own.
# (If they never come, go on: the assertions show what crossed.)
wait_log /tmp/vcan1.log "7FF#R" || true
{send_vcan1}wait $d0; wait $d1
kill $cnl 2>/dev/null
kill -TERM $server; wait $server; echo "=== server exit"; echo $?
show vcan0 /tmp/vcan0.log
show vcan1 /tmp/vcan1.log
show server /tmp/server.err
show cannelloni /tmp/cannelloni.out
"#,
        canserver = common::canserver::canserver().display(),
        cannelloni = cannelloni.display(),
        send_vcan0 = send("vcan0", &FROM_VCAN0),
        send_vcan1 = send("vcan1", &FROM_VCAN1),
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    let context = format!("{}\n{}", run.stdout, run.stderr);
    let expect = |iface: &str| -> Vec<String> {
        FROM_VCAN0.iter().chain(FROM_VCAN1.iter()).map(|(_, shown)| format!("{iface} {shown}")).collect()
    };
    // vcan0's own frames, then vcan1's, which came over canserver and cannelloni.
    assert_eq!(frames(&run, "vcan0"), expect("vcan0"), "{context}");
    // vcan0's frames reached vcan1 through cannelloni and canserver, then vcan1's own.
    assert_eq!(frames(&run, "vcan1"), expect("vcan1"), "{context}");
    assert_eq!(sections(&run.stdout)["server exit"], ["0"], "{context}");
    // Both directions went through the bridge, and cannelloni's packets were all in order.
    let summary = sections(&run.stdout)["server"].iter().find(|l| l.contains("frames to the peer")).cloned();
    let summary = summary.unwrap_or_else(|| panic!("no bridge summary:\n{context}"));
    assert!(summary.contains(&format!(": {} frames to the peer in", FROM_VCAN1.len())), "{context}");
    assert!(summary.contains(&format!(", {} frames from it;", FROM_VCAN0.len())), "{context}");
    assert!(
        summary
            .contains(" 0 garbage datagrams skipped, 0 datagrams from other senders ignored, 0 packets lost"),
        "{context}"
    );
}
