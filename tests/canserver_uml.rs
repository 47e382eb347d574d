//! `canserver` and cankit's `-i socketcand` bus against the socketcand project's own C programs,
//! on a real Linux CAN stack inside User-Mode Linux guests (`tests/uml/run.sh`):
//! * `socketcandcl`, the daemon's client, bridges the guest's vcan1 to canserver serving vcan0:
//!   `cansend` on either side shows up in `candump` on the other;
//! * the real `socketcand` daemon serves vcan0 to `canlogger -i socketcand`: `cansend` frames
//!   reach `canlogger watch`, `canlogger send` frames reach `candump`.
//!
//! The guest has no network but `lo`, so the server, its clients and can-utils run in one guest.
//! The peers are built from source by `../shared/peers/build-peers.sh` into `target/peers`
//! (`tools/test-all.sh` does it; a test does it too when they are missing). Without them or
//! without UML, a test is skipped on a developer machine and fails in CI.

mod common;

use std::path::PathBuf;

use common::uml::{cli_script, run_in_guest, sections, GuestRun};

/// `target/peers/bin`, holding the peers this file runs.
fn peers() -> Option<PathBuf> {
    common::c_peers(&["socketcand", "socketcandcl"])
}

/// Shell helpers: `wait_log FILE TEXT` waits (10 s at most) until FILE contains TEXT;
/// `watchdog SECONDS PID…` kills the PIDs after SECONDS so a missing frame ends the run with what
/// was printed instead of the guest's timeout.
const HELPERS: &str = r#"
wait_log() {
  tries=0
  until grep -q "$2" "$1" 2>/dev/null; do
    tries=$((tries + 1))
    if [ $tries -gt 500 ]; then echo "no '$2' in $1:" >&2; cat "$1" >&2; exit 96; fi
    sleep 0.02
  done
}
watchdog() { secs=$1; shift; ( sleep "$secs"; kill "$@" 2>/dev/null ) & }
"#;

/// A section's candump/canlogger log lines as `IFACE FRAME` (timestamps dropped).
fn frames(run: &GuestRun, name: &str) -> Vec<String> {
    let all = sections(&run.stdout);
    let lines = all.get(name).unwrap_or_else(|| panic!("no section {name}:\n{}\n{}", run.stdout, run.stderr));
    lines.iter().map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")).collect()
}

#[test]
fn socketcandcl_bridges_vcan1_to_canserver_serving_vcan0() {
    let Some(bin) = peers() else { return };
    let body = format!(
        r#"{HELPERS}
CANSERVER='{canserver}'
SCL='{bin}/socketcandcl'
"$CANSERVER" -i socketcan -c vcan0 --socketcand-port 29536 --no-remote --no-beacon 2> /tmp/server.err & server=$!
wait_log /tmp/server.err "socketcand protocol on"
candump -L -n 4 vcan0 > /tmp/vcan0.log & d0=$!
candump -L -n 4 vcan1 > /tmp/vcan1.log & d1=$!
"$SCL" -s 127.0.0.1 -p 29536 -i vcan0,vcan1 > /tmp/scl.out 2>&1 & scl=$!
wait_log /tmp/server.err "opened vcan0"
# candump and canserver on vcan0, candump and socketcandcl on vcan1.
wait_for_sockets vcan0 2
wait_for_sockets vcan1 2
watchdog 20 $d0 $d1
cansend vcan1 123#11223344
cansend vcan1 1ABCDEF0#55
sleep 1
cansend vcan0 321#AABB
cansend vcan0 7FF#
wait $d0; wait $d1
kill $scl 2>/dev/null
kill -TERM $server; wait $server; echo "=== server exit"; echo $?
show vcan0 /tmp/vcan0.log
show vcan1 /tmp/vcan1.log
show server /tmp/server.err
show socketcandcl /tmp/scl.out
"#,
        canserver = common::canserver::canserver().display(),
        bin = bin.display()
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    let context = format!("{}\n{}", run.stdout, run.stderr);
    // vcan1's frames came over socketcandcl and canserver onto vcan0, then vcan0's own.
    assert_eq!(
        frames(&run, "vcan0"),
        ["vcan0 123#11223344", "vcan0 1ABCDEF0#55", "vcan0 321#AABB", "vcan0 7FF#"],
        "{context}"
    );
    // And back: vcan0's frames reached vcan1 through canserver and socketcandcl.
    assert_eq!(
        frames(&run, "vcan1"),
        ["vcan1 123#11223344", "vcan1 1ABCDEF0#55", "vcan1 321#AABB", "vcan1 7FF#"],
        "{context}"
    );
    assert_eq!(sections(&run.stdout)["server exit"], ["0"], "{context}");
}

#[test]
fn canlogger_socketcand_bus_against_the_real_socketcand_daemon() {
    let Some(bin) = peers() else { return };
    let body = format!(
        r#"{HELPERS}
DAEMON='{bin}/socketcand'
"$DAEMON" -i vcan0 -l lo -p 29536 -n > /tmp/daemon.out 2>&1 & daemon=$!
candump -L -n 5 vcan0 > /tmp/candump.log & dump=$!
# canlogger retries the connection for 10 s, as python-can does, while the daemon starts.
"$CANLOGGER" -i socketcand -c vcan0 --bus-option host=127.0.0.1 --bus-option port=29536 \
  -v watch --format log -n 3 -T 20s > /tmp/watch.log 2> /tmp/watch.err & watch=$!
wait_log /tmp/watch.err "opened"
# candump and the daemon's RAW socket for canlogger.
wait_for_sockets vcan0 2
watchdog 20 $dump $watch
cansend vcan0 123#DEADBEEF
cansend vcan0 1ABCDEF0#01
cansend vcan0 7FF#
wait $watch; echo "=== watch exit"; echo $?
"$CANLOGGER" -i socketcand -c vcan0 --bus-option host=127.0.0.1 --bus-option port=29536 \
  send 321#AABB 00000042#11 2> /tmp/send.err; echo "=== send exit"; echo $?
wait $dump
kill $daemon
show watch /tmp/watch.log
show candump /tmp/candump.log
show watch.err /tmp/watch.err
show send.err /tmp/send.err
show daemon /tmp/daemon.out
"#,
        bin = bin.display()
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    let context = format!("{}\n{}", run.stdout, run.stderr);
    let s = sections(&run.stdout);
    assert_eq!(s["watch exit"], ["0"], "{context}");
    assert_eq!(s["send exit"], ["0"], "{context}");
    // canlogger names the frames by the channel it opened, as the daemon serves it.
    let watched: Vec<String> =
        frames(&run, "watch").iter().map(|l| l.split_whitespace().last().unwrap_or("").to_string()).collect();
    assert_eq!(watched, ["123#DEADBEEF", "1ABCDEF0#01", "7FF#"], "{context}");
    assert_eq!(
        frames(&run, "candump"),
        ["vcan0 123#DEADBEEF", "vcan0 1ABCDEF0#01", "vcan0 7FF#", "vcan0 321#AABB", "vcan0 00000042#11"],
        "{context}"
    );
}
