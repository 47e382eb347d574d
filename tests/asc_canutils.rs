//! cankit's ASC reader and writer against can-utils' real converters: `log2asc` output of a
//! candump log reads back as the same frames, and `asc2log` turns cankit's ASC into the same
//! frames (compared through `cankit::text::parse_log_line`).
//!
//! can-utils numbers ASC channels from 1 for `can0` (ASC channel = N + 1 for `canN`); both
//! directions of the test map channels that way. `log2asc` dates the file with the first frame's
//! whole second (no milliseconds), so the input starts on a whole second and times compare
//! exactly. `asc2log` needs a de_DE or en_US locale to read the date and falls back to the
//! current time without one, so its times are compared relative to the first frame.

mod common;

use std::path::Path;
use std::process::Command;

use cankit::frame::{Channel, Frame, Timestamp};
use cankit::log::{create_writer, open_reader, ReadOptions, Record, TimeZone, WriteOptions};
use cankit::text::parse_log_line;

/// Classic, extended, remote (with and without a requested length), CAN FD with BRS/ESI, and a
/// bus error frame (what ASC `ErrorFrame` lines mean to both tools), on two channels, both
/// directions.
const CANDUMP_LOG: &str = "\
(1700000000.000000) can0 123#DEADBEEF
(1700000000.000100) can1 12345678#0102 T
(1700000000.000200) can0 7FF#R3
(1700000000.000300) can0 00000001#R
(1700000000.000400) can0 456##3000102030405060708090A0B
(1700000000.000500) can1 1FFFFFFF##1112233 T
(1700000000.250000) can0 20000080#0000000000000000
(1700000001.000001) can0 000#
(1700000002.123456) can1 321##0
";

fn candump_frames(text: &str) -> Vec<Frame> {
    text.lines().map(|l| parse_log_line(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect()
}

/// `canN` as can-utils numbers it in ASC files: N + 1.
fn asc_channel(channel: Channel) -> Channel {
    let name = channel.as_name().expect("candump channels are names");
    let n: u32 = name.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().expect("canN");
    Channel::number(n + 1)
}

fn read_asc(path: &Path) -> Vec<Frame> {
    let options = ReadOptions { tz: TimeZone::Local, ..Default::default() };
    open_reader(path, None, &options)
        .unwrap()
        .filter_map(|r| match r.unwrap_or_else(|e| panic!("{e}")) {
            Record::Frame(f) => Some(f),
            Record::Event(_) => None,
        })
        .collect()
}

#[test]
fn cankit_reads_log2asc_output_as_the_original_frames() {
    let Some(log2asc) = common::require("can-utils log2asc", common::program("log2asc")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("in.log");
    let asc = dir.path().join("out.asc");
    std::fs::write(&log, CANDUMP_LOG).unwrap();
    for extra in [&[][..], &["-n"][..], &["-4"][..]] {
        // log2asc writes the date in local time; cankit reads naive dates as local by default.
        let status = Command::new(&log2asc)
            .args(extra)
            .arg("-I")
            .arg(&log)
            .arg("-O")
            .arg(&asc)
            .args(["can0", "can1"])
            .status()
            .unwrap();
        assert!(status.success());
        let expected: Vec<Frame> = candump_frames(CANDUMP_LOG)
            .into_iter()
            .map(|f| {
                let mut f = f.with_channel(asc_channel(f.channel));
                if extra == ["-4"] {
                    // 4 decimals: 100 µs resolution.
                    f.timestamp = Timestamp(f.timestamp.as_nanos() / 100_000 * 100_000);
                }
                f
            })
            .collect();
        let got = read_asc(&asc);
        assert_eq!(got, expected, "log2asc {extra:?}:\n{}", std::fs::read_to_string(&asc).unwrap());
    }
}

#[test]
fn asc2log_reads_cankit_asc_as_the_same_frames() {
    let Some(asc2log) = common::require("can-utils asc2log", common::program("asc2log")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let asc = dir.path().join("cankit.asc");
    let originals: Vec<Frame> = candump_frames(CANDUMP_LOG)
        .into_iter()
        .map(|f| {
            let number = asc_channel(f.channel);
            f.with_channel(number)
        })
        .collect();
    let mut w = create_writer(&asc, None, &WriteOptions::default()).unwrap();
    for f in &originals {
        w.write(&Record::Frame(*f)).unwrap();
    }
    w.finish().unwrap();
    assert!(w.losses().is_empty(), "{:?}", w.losses());
    drop(w);

    let out = Command::new(&asc2log).arg("-I").arg(&asc).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let converted = candump_frames(&text);
    assert_eq!(converted.len(), originals.len(), "asc2log output:\n{text}");
    let first_original = originals[0].timestamp.as_nanos();
    let first_converted = converted[0].timestamp.as_nanos();
    for (got, want) in converted.iter().zip(&originals) {
        let got = got
            .with_channel(asc_channel(got.channel))
            .with_timestamp(Timestamp(got.timestamp.as_nanos() - first_converted));
        let want = want.with_timestamp(Timestamp(want.timestamp.as_nanos() - first_original));
        assert_eq!(got, want, "asc2log output:\n{text}");
    }
}
