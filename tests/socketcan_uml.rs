//! The `socketcan` backend against the real Linux CAN stack, with can-utils as the independent
//! peer, inside User-Mode Linux guests (`tests/uml/run.sh`): this machine's own kernel has no CAN.
//!
//! Two layers:
//! * backend tests: each host test boots a guest that runs one `guest_*` test of this very binary
//!   (marked `#[ignore]`, and a no-op unless `CANKIT_IN_UML=1`), which drives
//!   [`SocketCanBus`] directly against `cansend`/`candump`/`cangen`;
//! * CLI tests: a guest runs a shell script with `canlogger` and can-utils side by side, and the host
//!   compares what both printed.
//!
//! Every guest is one fresh kernel with its own vcan0/vcan1, so tests do not share a bus. A guest
//! takes about 2.5 s, most of it booting. Without UML or can-utils the tests are skipped on a
//! developer machine and fail in CI (`common::require`).

mod common;

use common::uml::{cli_script, run_in_guest, sections, GuestRun};

use std::process::{Command, Stdio};
use std::time::Duration;

use cankit::bus::socketcan::SocketCanBus;
use cankit::bus::{BusConfig, BusError, BusEvent, BusState};
use cankit::filter::FilterSet;
use cankit::frame::{Channel, Direction, Frame, Timestamp};

// ---------------------------------------------------------------------------------------------
// Host side: booting guests
// ---------------------------------------------------------------------------------------------

/// Run one `guest_*` test of this binary inside a guest and require it to pass.
fn run_guest_test(name: &str) {
    let exe = std::env::current_exe().expect("test binary path");
    let script = format!(
        "CANKIT_IN_UML=1 exec '{}' --exact {name} --ignored --nocapture --test-threads 1",
        exe.display()
    );
    let Some(run) = run_in_guest(&script) else { return };
    print!("{}", run.stdout);
    run.assert_success();
    assert!(
        run.stdout.contains("1 passed"),
        "{name} did not run in the guest:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn backend_exchanges_every_frame_kind_with_can_utils() {
    run_guest_test("guest_backend_exchanges_frames");
}

#[test]
fn backend_reports_interface_problems_clearly() {
    run_guest_test("guest_backend_interface_errors");
}

#[test]
fn backend_kernel_filters_drop_what_candump_filters_drop() {
    run_guest_test("guest_backend_kernel_filters");
}

#[test]
fn backend_reports_receive_overflow_as_dropped_frames() {
    run_guest_test("guest_backend_overflow");
}

// ---------------------------------------------------------------------------------------------
// Host side: the canlogger CLI against can-utils, in one guest per test
// ---------------------------------------------------------------------------------------------

/// A section's log lines without their timestamps (`vcan0 123#11`), whitespace normalised
/// (candump right-aligns interface names).
fn without_timestamps(run: &GuestRun, name: &str) -> Vec<String> {
    let all = sections(&run.stdout);
    let lines = all.get(name).unwrap_or_else(|| panic!("no section {name}:\n{}\n{}", run.stdout, run.stderr));
    lines
        .iter()
        .map(|l| {
            assert!(l.starts_with('('), "not a log line in {name}: {l:?}");
            l.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

/// The 64-byte payload the FD cases use, as hex.
fn fd64_hex() -> String {
    hex(&seq(64))
}

#[test]
fn watch_logs_cansend_frames_exactly_as_candump_does() {
    let frames = [
        "123#DEADBEEF".to_string(),
        "00000123#11".into(),
        "5AA#".into(),
        "123#R".into(),
        "123#R3".into(),
        "00000123#R3".into(),
        format!("123##1{}", fd64_hex()),
        "213##311223344".into(),
        "12345678##0".into(),
        "1F334455#1122334455667788".into(),
        "20000040#0000000000000000".into(),
        "20000004#0004000000000000".into(),
    ];
    let n = frames.len();
    let body = format!(
        r#"
candump -L -n {n} vcan0,0:0,#FFFFFFFF > /tmp/candump.log & dump=$!
"$CANLOGGER" watch -i socketcan -c vcan0 --format log -n {n} -T 10s > /tmp/canlogger.log 2> /tmp/canlogger.err & logger=$!
wait_for_sockets vcan0 2
for f in {frames}; do cansend vcan0 "$f" || exit 97; done
wait $logger; rc=$?; echo "=== canlogger exit"; echo $rc
wait $dump
show candump /tmp/candump.log
show canlogger /tmp/canlogger.log
show stderr /tmp/canlogger.err
"#,
        frames = frames.join(" ")
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    assert_eq!(sections(&run.stdout)["canlogger exit"], ["0"], "{}", run.stdout);
    let candump = without_timestamps(&run, "candump");
    assert_eq!(candump.len(), n, "candump saw {candump:?}");
    assert_eq!(without_timestamps(&run, "canlogger"), candump);
    // And the same bytes apart from the timestamp: seconds padded to 10 digits, 6 decimals.
    for line in &sections(&run.stdout)["canlogger"] {
        let ts = line.split_whitespace().next().unwrap_or("");
        assert!(ts.len() == 19 && ts.as_bytes()[11] == b'.', "timestamp {ts:?} in {line:?}");
    }
}

#[test]
fn send_puts_frames_on_the_bus_exactly_as_candump_prints_them() {
    let sends = [
        "123#DEADBEEF".to_string(),
        "00000123#11".into(),
        "5AA#".into(),
        "123#R".into(),
        "00000123#R3".into(),
        format!("123##1{}", fd64_hex()),
        "213##311223344".into(),
    ];
    // What candump prints: FD flags with FDF (0x4) set.
    let expected: Vec<String> = [
        "123#DEADBEEF".to_string(),
        "00000123#11".into(),
        "5AA#".into(),
        "123#R".into(),
        "00000123#R3".into(),
        format!("123##5{}", fd64_hex()),
        "213##711223344".into(),
    ]
    .iter()
    .map(|f| format!("vcan0 {f}"))
    .collect();
    let n = sends.len();
    let body = format!(
        r#"
candump -L -n {n} vcan0 > /tmp/candump.log & dump=$!
wait_for_sockets vcan0 1
"$CANLOGGER" send -i socketcan -c vcan0 {frames} 2> /tmp/send.err; rc=$?; echo "=== send exit"; echo $rc
wait $dump
show candump /tmp/candump.log
show stderr /tmp/send.err
"#,
        frames = sends.join(" ")
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    assert_eq!(sections(&run.stdout)["send exit"], ["0"], "{}", run.stdout);
    assert_eq!(without_timestamps(&run, "candump"), expected);
}

#[test]
fn watch_filters_pass_exactly_what_candump_filters_pass() {
    let filters =
        ["123:7FF", "123:C00007FF", "12345678:DFFFFFFF", "400~7F0", "100:700,0~F,j", "#40", "0:0,#FFFFFFFF"];
    let traffic =
        "124#00 123#01 00000123#02 123#R 405#03 105#04 100#05 12345678#06 20000040#0000000000000000";
    let mut body = String::new();
    for (i, filter) in filters.iter().enumerate() {
        body += &format!(
            "candump -L vcan0,{filter} > /tmp/candump{i}.log & pids=\"${{pids:-}} $!\"\n\
             \"$CANLOGGER\" watch -i socketcan -c vcan0 --format log --filter '{filter}' > /tmp/canlogger{i}.log 2> /tmp/canlogger{i}.err & pids=\"$pids $!\"\n"
        );
    }
    body += &format!("wait_for_sockets vcan0 {}\n", filters.len() * 2);
    body += &format!("for f in {traffic}; do cansend vcan0 \"$f\" || exit 97; done\n");
    // Every listener got its frames when cansend returned (delivery is synchronous on vcan);
    // a moment for them to write them out, then stop them all as Ctrl-C would.
    body += "sleep 0.5; kill -INT $pids; wait\n";
    for i in 0..filters.len() {
        body += &format!("show candump{i} /tmp/candump{i}.log\nshow canlogger{i} /tmp/canlogger{i}.log\n");
        body += &format!("show stderr{i} /tmp/canlogger{i}.err\n");
    }
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    for (i, filter) in filters.iter().enumerate() {
        let candump = without_timestamps(&run, &format!("candump{i}"));
        assert!(!candump.is_empty(), "candump passed nothing for {filter}");
        assert_eq!(
            without_timestamps(&run, &format!("canlogger{i}")),
            candump,
            "filter {filter}; canlogger stderr: {:?}",
            sections(&run.stdout)[&format!("stderr{i}")]
        );
    }
}

#[test]
fn missing_down_and_classic_interfaces_give_clear_errors_and_fail() {
    let body = r#"
ip link add dev vcan6 type vcan
ip link add dev vcan5 type vcan && ip link set vcan5 mtu 16 && ip link set vcan5 up
"$CANLOGGER" watch -i socketcan -c can7 -n 1 2> /tmp/missing.err; rc=$?; echo "=== missing exit"; echo $rc
"$CANLOGGER" send -i socketcan -c can7 123#11 2> /tmp/missing-send.err; rc=$?; echo "=== missing-send exit"; echo $rc
"$CANLOGGER" watch -i socketcan -c vcan6 -n 1 2> /tmp/down.err; rc=$?; echo "=== down exit"; echo $rc
"$CANLOGGER" send -i socketcan -c vcan5 123##1112233 2> /tmp/classic.err; rc=$?; echo "=== classic exit"; echo $rc
show missing /tmp/missing.err
show missing-send /tmp/missing-send.err
show down /tmp/down.err
show classic /tmp/classic.err
"#;
    let Some(run) = run_in_guest(&cli_script(body)) else { return };
    run.assert_success();
    let s = sections(&run.stdout);
    for (case, message) in [
        ("missing", "no CAN interface 'can7'; see `ip link`"),
        ("missing-send", "no CAN interface 'can7'; see `ip link`"),
        ("down", "CAN interface 'vcan6' is down"),
        ("classic", "'vcan5', which is a classic CAN interface"),
    ] {
        let status = &s[&format!("{case} exit")];
        assert_ne!(status, &["0"], "{case}: exit status 0\n{}", run.stdout);
        let stderr = s[case].join("\n");
        assert!(stderr.contains(message), "{case}: {stderr:?} lacks {message:?}");
        assert!(!stderr.contains("os error"), "{case}: bare OS error in {stderr:?}");
    }
}

#[test]
fn watch_logs_a_20000_frame_burst_without_loss() {
    let body = r#"
n=20000
"$CANLOGGER" watch -i socketcan -c vcan0 --format log -n $n -T 10s > /tmp/canlogger.log 2> /tmp/canlogger.err & logger=$!
candump -L -r 8000000 -n $n vcan0 > /tmp/candump.log & dump=$!
wait_for_sockets vcan0 2
start=$(cut -d' ' -f1 /proc/uptime)
cangen vcan0 -g 0 -n $n || exit 97
wait $logger; rc=$?; echo "=== canlogger exit"; echo $rc
end=$(cut -d' ' -f1 /proc/uptime)
wait $dump
echo "=== lines"; wc -l < /tmp/canlogger.log; wc -l < /tmp/candump.log
# Compare without timestamps, in the guest: 20000 lines need not cross to the host.
cut -d' ' -f2- /tmp/canlogger.log > /tmp/a; cut -d' ' -f2- /tmp/candump.log > /tmp/b
echo "=== same"; cmp /tmp/a /tmp/b && echo yes
echo "=== seconds"; echo "$start $end"
show stderr /tmp/canlogger.err
"#;
    let Some(run) = run_in_guest(&cli_script(body)) else { return };
    run.assert_success();
    let s = sections(&run.stdout);
    println!("burst: lines {:?}, seconds {:?}, canlogger stderr {:?}", s["lines"], s["seconds"], s["stderr"]);
    assert_eq!(s["canlogger exit"], ["0"], "{}", run.stdout);
    assert_eq!(s["lines"], ["20000", "20000"], "canlogger, candump");
    assert_eq!(s["same"], ["yes"], "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Guest side: the backend against can-utils
// ---------------------------------------------------------------------------------------------

fn in_guest() -> bool {
    let inside = std::env::var("CANKIT_IN_UML").is_ok_and(|v| v == "1");
    if !inside {
        eprintln!("not inside a UML guest (CANKIT_IN_UML unset): nothing to do");
    }
    inside
}

/// Run a can-utils command (or `ip`) and require success.
fn sh(program: &str, args: &[&str]) {
    let status = Command::new(program).args(args).status().unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed: {status}");
}

fn open(channel: &str) -> Result<SocketCanBus, BusError> {
    SocketCanBus::open(&BusConfig::new("socketcan", Some(channel)))
}

/// The next event, or a failure after 5 s.
async fn next_event(bus: &SocketCanBus) -> BusEvent {
    match tokio::time::timeout(Duration::from_secs(5), bus.recv()).await {
        Ok(event) => event.expect("recv"),
        Err(_) => panic!("no event within 5 s"),
    }
}

/// The next frame, skipping state changes (drops are a failure here).
async fn next_frame(bus: &SocketCanBus) -> Frame {
    loop {
        match next_event(bus).await {
            BusEvent::Frame(f) => return f,
            BusEvent::State(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The frame without what the bus adds (timestamp, channel, direction), to compare with a
/// constructed one.
fn bare(f: Frame) -> Frame {
    f.with_timestamp(Timestamp::ZERO).with_channel(Channel::NONE).with_direction(Direction::Rx)
}

fn seq8() -> [u8; 8] {
    [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]
}

fn seq(n: usize) -> Vec<u8> {
    (0..n).map(|i| i as u8).collect()
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02X}")).collect()
}

#[tokio::test]
#[ignore = "runs inside a UML guest, started by backend_exchanges_every_frame_kind_with_can_utils"]
async fn guest_backend_exchanges_frames() {
    if !in_guest() {
        return;
    }
    let bus = open("vcan0").unwrap();
    assert_eq!(bus.describe(), "socketcan vcan0 (CAN FD)");

    // cansend -> bus: every kind the compact syntax has.
    let fd64 = seq(64);
    let cases: Vec<(String, Frame)> = vec![
        ("123#DEADBEEF".into(), Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap()),
        ("00000123#11".into(), Frame::new_data(0x123, true, &[0x11]).unwrap()),
        ("5AA#".into(), Frame::new_data(0x5AA, false, &[]).unwrap()),
        ("123#R".into(), Frame::new_remote(0x123, false, 0).unwrap()),
        ("123#R3".into(), Frame::new_remote(0x123, false, 3).unwrap()),
        ("00000123#R3".into(), Frame::new_remote(0x123, true, 3).unwrap()),
        ("1F334455#1122334455667788".into(), Frame::new_data(0x1F334455, true, &seq8()).unwrap()),
        (format!("123##1{}", hex(&fd64)), Frame::new_fd(0x123, false, &fd64, true, false).unwrap()),
        (
            "213##311223344".into(),
            Frame::new_fd(0x213, false, &[0x11, 0x22, 0x33, 0x44], true, true).unwrap(),
        ),
        ("12345678##0".into(), Frame::new_fd(0x12345678, true, &[], false, false).unwrap()),
        // Error frames: controller problem "RX warning", then bus-off.
        ("20000004#0004000000000000".into(), Frame::new_error(0x4, [0, 4, 0, 0, 0, 0, 0, 0]).unwrap()),
        ("20000040#0000000000000000".into(), Frame::new_error(0x40, [0; 8]).unwrap()),
    ];
    let before = Timestamp::now();
    for (text, _) in &cases {
        sh("cansend", &["vcan0", text]);
    }
    let mut states = Vec::new();
    for (text, expected) in &cases {
        let got = loop {
            match next_event(&bus).await {
                BusEvent::Frame(f) => break f,
                BusEvent::State(s) => states.push(s),
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(bare(got), *expected, "{text}");
        assert_eq!(got.channel.as_name(), Some("vcan0"), "{text}");
        // cansend runs on this host: the kernel marks its frames MSG_DONTROUTE, as candump -x shows.
        assert_eq!(got.direction, Direction::Tx, "{text}");
        let age = Timestamp::now().as_nanos() - got.timestamp.as_nanos();
        assert!(
            got.timestamp >= before && age < 5_000_000_000,
            "{text}: kernel timestamp {:?}",
            got.timestamp
        );
    }
    // The state change follows the error frame that announced it.
    if let Ok(Some(BusEvent::State(s))) = bus.try_recv() {
        states.push(s);
    }
    assert_eq!(states, [BusState::ErrorWarning, BusState::BusOff]);
    assert_eq!(bus.try_recv().unwrap(), None);

    // bus -> candump -L: classic, extended, remote, FD.
    let candump = Command::new("candump")
        .args(["-L", "-n", "6", "vcan0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("candump");
    // candump must have bound its socket before the first frame goes out.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sends = [
        (Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap(), "123#DEADBEEF".to_string()),
        (Frame::new_data(0x123, true, &[0x11]).unwrap(), "00000123#11".into()),
        (Frame::new_remote(0x123, false, 0).unwrap(), "123#R".into()),
        (Frame::new_remote(0x7FF, false, 3).unwrap(), "7FF#R3".into()),
        // candump of this kernel sets FDF (0x4) in the flags nibble: BRS prints as 5.
        (Frame::new_fd(0x123, false, &fd64, true, false).unwrap(), format!("123##5{}", hex(&fd64))),
        (Frame::new_fd(0x1ABCDEF, true, &[1, 2, 3], false, true).unwrap(), "01ABCDEF##6010203".into()),
    ];
    for (frame, _) in &sends {
        bus.send(frame).await.unwrap();
    }
    let out = candump.wait_with_output().expect("candump output");
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect();
    let expected: Vec<String> = sends.iter().map(|(_, text)| format!("vcan0 {text}")).collect();
    assert_eq!(printed, expected);
    // Own frames do not come back unless receive_own_messages is set.
    assert_eq!(bus.try_recv().unwrap(), None);

    // A raw DLC above 8 on a classic 8-byte frame travels through the kernel unchanged
    // (can-utils 2020.11 can neither send nor print it, so a second bus is the peer here).
    let peer = open("vcan0").unwrap();
    let len8 = Frame::new_data(0x1F334455, true, &seq8()).unwrap().with_len8_dlc(0xB);
    bus.send(&len8).await.unwrap();
    assert_eq!(bare(next_frame(&peer).await), len8);
    let stats = bus.stats();
    assert_eq!((stats.received, stats.sent, stats.dropped), (cases.len() as u64, sends.len() as u64 + 1, 0));
}

#[tokio::test]
#[ignore = "runs inside a UML guest, started by backend_reports_interface_problems_clearly"]
async fn guest_backend_interface_errors() {
    if !in_guest() {
        return;
    }
    let e = open("can7").err().expect("can7 does not exist");
    assert_eq!(e.to_string(), "no CAN interface 'can7'; see `ip link`");

    sh("ip", &["link", "add", "dev", "vcan9", "type", "vcan"]);
    let e = open("vcan9").err().expect("vcan9 is down");
    assert!(matches!(e, BusError::InterfaceDown(ref n) if n == "vcan9"), "{e:?}");
    assert!(e.to_string().contains("ip link set vcan9 up"), "{e}");

    let e = open("lo").err().expect("lo is not CAN");
    assert!(e.to_string().contains("'lo' is not a CAN interface"), "{e}");

    // A classic CAN interface (MTU 16): opens, but refuses FD frames by name.
    sh("ip", &["link", "add", "dev", "vcan8", "type", "vcan"]);
    sh("ip", &["link", "set", "vcan8", "mtu", "16"]);
    sh("ip", &["link", "set", "vcan8", "up"]);
    let classic = open("vcan8").unwrap();
    assert!(classic.describe().contains("no CAN FD"), "{}", classic.describe());
    let fd = Frame::new_fd(0x123, false, &[1, 2, 3], true, false).unwrap();
    let e = classic.send(&fd).await.expect_err("FD on MTU 16");
    assert!(matches!(e, BusError::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("'vcan8'") && e.to_string().contains("mtu 72"), "{e}");
    classic.send(&Frame::new_data(0x123, false, &[1]).unwrap()).await.unwrap();

    let e = classic.send(&Frame::new_error(0x40, [0; 8]).unwrap()).await.expect_err("error frame");
    assert!(matches!(e, BusError::Unsupported { .. }), "{e:?}");

    // The interface going down under an open bus ends reception with the clear error.
    sh("ip", &["link", "set", "vcan8", "down"]);
    let e = tokio::time::timeout(Duration::from_secs(5), classic.recv()).await.expect("recv returns").err();
    assert!(matches!(e, Some(BusError::InterfaceDown(ref n)) if n == "vcan8"), "{e:?}");
    let e = classic.send(&Frame::new_data(0x123, false, &[1]).unwrap()).await.err();
    assert!(matches!(e, Some(BusError::InterfaceDown(_))), "{e:?}");
}

#[tokio::test]
#[ignore = "runs inside a UML guest, started by backend_kernel_filters_drop_what_candump_filters_drop"]
async fn guest_backend_kernel_filters() {
    if !in_guest() {
        return;
    }
    let traffic = [
        "124#00",
        "123#01",
        "00000123#02",
        "123#R",
        "405#03",
        "105#04",
        "100#05",
        "20000040#0000000000000000",
    ];
    // (candump filter, frames that must arrive), in the order sent.
    let cases: [(&[&str], &[&str]); 5] = [
        (&["123:7FF"], &["123#01", "00000123#02", "123#R"]),
        (&["123:C00007FF"], &["123#01"]),
        (&["400~7F0"], &["124#00", "123#01", "00000123#02", "123#R", "105#04", "100#05"]),
        // Both must hold: id 1xx and a low nibble other than 0.
        (&["100:700,0~F,j"], &["124#00", "123#01", "00000123#02", "123#R", "105#04"]),
        // candump's way to ask for error frames only: an id filter nothing passes.
        (&["0~0,#40"], &["20000040#0000000000000000"]),
    ];
    // An extra socket sees everything: its last frame tells when the filtered bus has seen all
    // it is going to see.
    let witness = open("vcan0").unwrap();
    for (filter, expected) in cases {
        let mut bus = open("vcan0").unwrap();
        bus.set_kernel_filter(&FilterSet::parse(filter).unwrap()).unwrap();
        for text in traffic {
            sh("cansend", &["vcan0", text]);
        }
        for _ in traffic {
            next_frame(&witness).await;
        }
        let mut got = Vec::new();
        while let Some(event) = bus.try_recv().unwrap() {
            if let BusEvent::Frame(f) = event {
                let mut text = String::new();
                cankit::text::write_frame(&mut text, &f).unwrap();
                got.push(text);
            }
        }
        assert_eq!(got, expected, "filter {filter:?}");
    }
}

#[tokio::test]
#[ignore = "runs inside a UML guest, started by backend_reports_receive_overflow_as_dropped_frames"]
async fn guest_backend_overflow() {
    if !in_guest() {
        return;
    }
    use std::os::fd::AsRawFd;
    let bus = open("vcan0").unwrap();
    // Shrink the receive buffer so a short burst overflows it (the kernel doubles the value and
    // keeps a minimum of a few frames).
    let small: libc::c_int = 4096;
    // SAFETY: a plain int option on the bus's own socket.
    let rc = unsafe {
        libc::setsockopt(
            bus.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&small as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
    let sent = 2000u64;
    sh("cangen", &["vcan0", "-g", "0", "-n", &sent.to_string()]);
    let (mut frames, mut dropped) = (0u64, 0u64);
    while let Some(event) = bus.try_recv().unwrap() {
        match event {
            BusEvent::Frame(_) => frames += 1,
            BusEvent::Dropped { count } => dropped += count,
            other => panic!("unexpected {other:?}"),
        }
    }
    println!("overflow: {frames} frames received, {dropped} reported dropped of {sent}");
    assert!(dropped > 0, "no drops reported");
    assert_eq!(frames + dropped, sent);
    assert_eq!(bus.stats().dropped, dropped);
    assert_eq!(bus.stats().received, frames);
}
