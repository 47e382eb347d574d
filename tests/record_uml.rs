//! Recording from the kernel's SocketCAN inside User-Mode Linux (real vcan interfaces, can-utils
//! as the peer): what `candump -L` sees is what `canlogger -f` records, bus health goes into the
//! log, and an interface that goes down mid-recording ends it with a clear message, exit 3 and a
//! finished file.

mod common;

use common::uml::{cli_script, run_in_guest, sections};

/// A directory the guest can write and the host can read (the repository is shared read-write).
fn shared_dir() -> tempfile::TempDir {
    let base = common::root().join("target/uml-shared");
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

#[test]
fn recording_matches_candump_and_survives_the_interface_going_down() {
    let dir = shared_dir();
    let d = dir.path().display();
    let body = format!(
        r#"
D='{d}'
candump -r 8000000 -L vcan0 > $D/candump.log 2> $D/candump.err & dump=$!
for f in blf log; do
  "$CANLOGGER" -i socketcan -c vcan0 -f $D/rec.$f 2> $D/err.$f & eval "rec_$f=\$!"
done
wait_for_sockets vcan0 3
cangen vcan0 -g 0 -n 500 -I i -L i -D i -e -f -m
cansend vcan0 123#DEADBEEF
cansend vcan0 1F334455#R2
sleep 0.5
ip link set vcan0 down
wait $rec_blf; echo "blf exit $?"
wait $rec_log; echo "log exit $?"
wait $dump
show err.blf $D/err.blf
show err.log $D/err.log
"#
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    let s = sections(&run.stdout);
    assert!(run.stdout.contains("blf exit 3"), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("log exit 3"), "{}\n{}", run.stdout, run.stderr);
    for f in ["blf", "log"] {
        let err = s[&format!("err.{f}")].join("\n");
        assert!(err.contains("vcan0"), "{f}: the message names the interface: {err}");
        assert!(err.contains("recorded 502 frames"), "{f}: {err}");
    }
    // What candump saw equals both recordings, compared without timestamps and without the
    // direction cankit adds (` T`: sent from this host, python-can's is_rx = False).
    let strip = |text: &str| -> Vec<String> {
        text.lines().map(|l| l.split_whitespace().skip(1).take(2).collect::<Vec<_>>().join(" ")).collect()
    };
    let candump = strip(&std::fs::read_to_string(dir.path().join("candump.log")).unwrap());
    assert_eq!(candump.len(), 502, "candump saw {}", candump.len());
    let ours = strip(&std::fs::read_to_string(dir.path().join("rec.log")).unwrap());
    assert_eq!(ours, candump, "the candump log recording");
    // The BLF recording converts back to the same lines (channel numbers print as can0).
    let out = std::process::Command::new(common::canlogger())
        .args(["convert", "-q"])
        .arg(dir.path().join("rec.blf"))
        .arg(dir.path().join("back.log"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let back = strip(&std::fs::read_to_string(dir.path().join("back.log")).unwrap());
    let as_can0: Vec<String> = candump.iter().map(|l| l.replacen("vcan0", "can0", 1)).collect();
    assert_eq!(back, as_can0, "the BLF recording");
}
