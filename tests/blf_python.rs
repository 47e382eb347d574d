//! BLF interop with real python-can 4.x (the project's venv), both directions: python-can reads a
//! file cankit wrote and gets the same frames; cankit reads a file python-can wrote and gets the
//! frames python-can was given. Frames are exchanged as simple text lines, one per frame.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use cankit::log::{self, Event, EventKind, ReadOptions, Record, TimeZone, WriteOptions};
use cankit::{Channel, Direction, Frame, Timestamp};

/// 2023-11-14 22:13:20.250 UTC plus a few microseconds.
const T0: i64 = 1_700_000_000_250_000_000 + 4_321;

fn frames() -> Vec<Frame> {
    let ramp: Vec<u8> = (0..64).map(|i| (i * 7) as u8).collect();
    let list = vec![
        Frame::new_data(0x123, false, &[0xDE, 0xAD, 0xBE, 0xEF]).unwrap().with_channel(Channel::number(1)),
        Frame::new_data(0x1ABC_DEF0, true, &ramp[..8]).unwrap().with_channel(Channel::number(2)),
        Frame::new_data(0x7FF, false, &[])
            .unwrap()
            .with_channel(Channel::number(1))
            .with_direction(Direction::Tx),
        Frame::new_remote(0x321, false, 4).unwrap().with_channel(Channel::number(1)),
        Frame::new_remote(0x1234, true, 0).unwrap().with_channel(Channel::number(3)),
        Frame::new_fd(0x456, false, &ramp, true, true).unwrap().with_channel(Channel::number(1)),
        Frame::new_fd(0x1FFF_FFFF, true, &ramp[..12], false, true).unwrap().with_channel(Channel::number(2)),
        Frame::new_fd(0x457, false, &ramp[..5], true, false)
            .unwrap()
            .with_channel(Channel::number(1))
            .with_direction(Direction::Tx),
        Frame::new_error(0x0000_0084, [0, 0x10, 0x02, 0, 0, 0, 12, 34])
            .unwrap()
            .with_channel(Channel::number(2)),
    ];
    let mut out = Vec::new();
    // Repeat so that the file spans several 128 KiB containers.
    for i in 0..3_000i64 {
        for (k, f) in list.iter().enumerate() {
            let t = T0 + (i * list.len() as i64 + k as i64) * 1_000_123;
            out.push(f.with_timestamp(Timestamp(t)));
        }
    }
    out
}

/// One frame as python-can sees it: `timestamp_ns id ext remote fd brs esi rx dlc data channel
/// error` (python-can's channel numbers start at 0, BLF's at 1).
fn python_view(f: &Frame) -> (i64, String) {
    let channel = f.channel.as_number().unwrap() - 1;
    let (dlc, data) = if f.is_remote() {
        (f.dlc() as usize, String::new())
    } else if f.is_fd() {
        (f.len(), hex(f.data()))
    } else {
        (f.dlc() as usize, hex(f.data()))
    };
    // python-can reads no direction for error frames.
    let rx = f.direction == Direction::Rx || f.is_error();
    let line = format!(
        "{} {} {} {} {} {} {} {} {} {} {}",
        f.id(),
        // cankit counts error frames as extended; the error class goes without the flag.
        (f.is_extended() && !f.is_error()) as u8,
        f.is_remote() as u8,
        f.is_fd() as u8,
        f.brs() as u8,
        f.esi() as u8,
        rx as u8,
        dlc,
        data,
        channel,
        f.is_error() as u8
    );
    (f.timestamp.as_nanos(), line)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const PYTHON_READ: &str = r#"
import sys, can
for m in can.BLFReader(sys.argv[1]):
    print(repr(m.timestamp), m.arbitration_id, int(m.is_extended_id), int(m.is_remote_frame), int(m.is_fd),
          int(m.bitrate_switch), int(m.error_state_indicator), int(m.is_rx), m.dlc, m.data.hex() or '-',
          m.channel, int(m.is_error_frame))
"#;

fn run_python(python: &Path, script: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn python_can_reads_what_cankit_wrote() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cankit.blf");
    let frames = frames();
    // python-can takes the header's start time as UTC; cankit writes local time (as Vector's
    // tools) unless told `--utc`.
    let options = WriteOptions { tz: TimeZone::Utc, ..WriteOptions::default() };
    let mut w = log::create_writer(&path, None, &options).unwrap();
    for f in &frames {
        w.write(&Record::Frame(*f)).unwrap();
    }
    // python-can ignores markers and comments; they must not disturb its reading.
    let marker = EventKind::Marker("half way".into());
    w.write(&Record::Event(Event { timestamp: Timestamp(T0), channel: Channel::NONE, kind: marker }))
        .unwrap();
    w.finish().unwrap();

    let out = run_python(&python, PYTHON_READ, &[path.to_str().unwrap()], "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), frames.len());
    for (line, f) in lines.iter().zip(&frames) {
        let (ts, rest) = line.split_once(' ').unwrap();
        let rest = rest.replace(" - ", "  ");
        let (want_ns, want) = python_view(f);
        assert_eq!(rest, want, "{f:?}");
        let got_ns = (ts.parse::<f64>().unwrap() * 1e9) as i64;
        assert!((got_ns - want_ns).abs() < 1_000, "{f:?}: python-can says {ts}");
    }
}

const PYTHON_WRITE: &str = r#"
import sys, can
w = can.BLFWriter(sys.argv[1])
for line in sys.stdin:
    f = line.split()
    if f[0] == 'marker':
        w.log_event(f[2], int(f[1]) / 1e9)
        continue
    ts, aid, ext, rtr, fd, brs, esi, rx, dlc, data, ch, err = f
    data = bytes.fromhex(data) if data != '-' else b''
    m = can.Message(timestamp=int(ts) / 1e9, arbitration_id=int(aid), is_extended_id=ext == '1',
                    is_remote_frame=rtr == '1', is_fd=fd == '1', bitrate_switch=brs == '1',
                    error_state_indicator=esi == '1', is_rx=rx == '1', dlc=int(dlc), data=data,
                    channel=int(ch), is_error_frame=err == '1')
    w.on_message_received(m)
w.stop()
"#;

#[test]
fn cankit_reads_what_python_can_wrote() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("python.blf");
    let frames = frames();
    let mut input = String::new();
    for f in &frames {
        let (ts, line) = python_view(f);
        let line = line.replace("  ", " - ");
        input.push_str(&format!("{ts} {line}\n"));
    }
    input.push_str(&format!("marker {} checkpoint\n", T0 + 5_000_000));
    run_python(&python, PYTHON_WRITE, &[path.to_str().unwrap()], &input);

    // python-can wrote the start time as UTC and its header says so: the zone option (here one
    // that is no machine's local zone) does not apply.
    let options = ReadOptions { tz: TimeZone::Fixed(5 * 3600 + 1800), ..ReadOptions::default() };
    let mut reader = log::open_reader(&path, None, &options).unwrap();
    let records: Vec<Record> = reader.by_ref().map(|r| r.unwrap()).collect();
    assert!(reader.skipped().is_empty(), "{:?}", reader.skipped());
    // python-can's start time: the first frame's time truncated to milliseconds, as UTC.
    assert_eq!(reader.start_time(), Some(Timestamp(T0 - T0 % 1_000_000)));
    let (got_frames, events): (Vec<_>, Vec<_>) =
        records.into_iter().partition(|r| matches!(r, Record::Frame(_)));
    assert_eq!(got_frames.len(), frames.len());
    for (got, want) in got_frames.iter().zip(&frames) {
        let Record::Frame(got) = got else { unreachable!() };
        assert!((got.timestamp.as_nanos() - want.timestamp.as_nanos()).abs() < 1_000, "{got:?} vs {want:?}");
        let want = want.with_timestamp(got.timestamp);
        // python-can's error frames carry no direction.
        let want = if want.is_error() { want.with_direction(Direction::Rx) } else { want };
        assert_eq!(*got, want);
    }
    let Record::Event(Event { kind: EventKind::Marker(text), .. }) = &events[0] else { panic!("{events:?}") };
    assert_eq!(text, "checkpoint / python-can / Added by python-can");
}
