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

/// Receive overflows (`SO_RXQ_OVFL`) go into the recording with their count: a recorder that is
/// stopped (SIGSTOP) while `cangen` floods the bus loses frames in the kernel, and the ASC file
/// says how many, in a comment line that cankit reads back as a drop event.
#[test]
fn receive_overflows_are_recorded_with_their_count() {
    let dir = shared_dir();
    let d = dir.path().display();
    let body = format!(
        r#"
D='{d}'
"$CANLOGGER" -i socketcan -c vcan0 -f $D/ovf.asc 2> $D/err & rec=$!
wait_for_sockets vcan0 1
kill -STOP $rec
cangen vcan0 -g 0 -n 60000 -L 8 -I 123
kill -CONT $rec
sleep 0.5
cansend vcan0 7FF#01
sleep 1
kill -INT $rec; wait $rec; echo "exit $?"
show err $D/err
"#
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    assert!(run.stdout.contains("exit 0"), "{}\n{}", run.stdout, run.stderr);
    let err = sections(&run.stdout)["err"].join("\n");
    let reported: u64 = err
        .lines()
        .filter_map(|l| l.strip_prefix("canlogger: ")?.split(" frames dropped").next()?.parse::<u64>().ok())
        .sum();
    assert!(reported > 0, "no drop reported: {err}");
    let mut dropped = 0;
    let mut frames = 0u64;
    for r in cankit::log::open_reader(&dir.path().join("ovf.asc"), None, &Default::default()).unwrap() {
        match r.unwrap() {
            cankit::log::Record::Event(e) => {
                if let cankit::log::EventKind::Dropped(n) = e.kind {
                    dropped += n;
                }
            }
            cankit::log::Record::Frame(_) => frames += 1,
        }
    }
    assert_eq!(dropped, reported, "the file holds the drops stderr reported");
    assert_eq!(frames + dropped, 60_001, "every frame is either recorded or counted as dropped");
}
