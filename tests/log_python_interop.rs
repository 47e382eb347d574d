//! python-can 4.x and cankit read each other's log files, for every format both have: ASC, BLF,
//! candump `.log`, TRC, CSV and SQLite `.db`.
//!
//! * cankit writes a file, python-can reads it (`tests/python/log_read.py`), and the frames match;
//! * python-can writes a file from the same frames (`tests/python/log_write.py`), cankit reads it,
//!   and the frames match.
//!
//! Frames travel between the two as JSON lines (see the scripts). "Match" means the fields
//! python-can's format holds, per format:
//!
//! | format | compared besides id, extended, remote, DLC, data                  | channel             |
//! |--------|--------------------------------------------------------------------|---------------------|
//! | asc    | FD, BRS, ESI, direction; times relative to the first frame (python-can's ASC reader gives relative times) | python-can's 0-based number = cankit's number − 1 |
//! | blf    | FD, BRS, ESI, direction, absolute times                            | as for asc          |
//! | log    | FD, BRS, ESI, direction, absolute times                            | the name            |
//! | trc    | direction, absolute times (python-can's TRC writer cannot write FD) | not compared: python-can's TRC writer and reader disagree by one |
//! | csv    | absolute times (python-can's layout has no FD, channel or direction) | not compared     |
//! | db     | as csv                                                             | not compared        |
//!
//! Error frames are left out: each format spells them differently and python-can's readers do
//! not agree on their ids. Times match to 2 µs (TRC: 10 µs). Where python-can's own writer loses
//! something (its TRC writer skips remote frames, its candump writer drops a remote frame's
//! length), cankit is expected to read what python-can wrote, not what it was given.

mod common;

use std::path::Path;

use cankit::frame::{Channel, Direction, Frame, Timestamp};
use cankit::log::{create_writer, open_reader, ReadOptions, Record, TimeZone, WriteOptions};
use common::pyframes::{python_reads, python_writes, to_py, PyChannel, PyFrame};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Asc,
    Blf,
    Log,
    Trc,
    Csv,
    Db,
}

impl Format {
    fn ext(self) -> &'static str {
        match self {
            Format::Asc => "asc",
            Format::Blf => "blf",
            Format::Log => "log",
            Format::Trc => "trc",
            Format::Csv => "csv",
            Format::Db => "db",
        }
    }
    /// python-can's format keeps CAN FD frames with their flags.
    fn has_fd(self) -> bool {
        matches!(self, Format::Asc | Format::Blf | Format::Log)
    }
    fn has_direction(self) -> bool {
        matches!(self, Format::Asc | Format::Blf | Format::Log | Format::Trc)
    }
    fn absolute_times(self) -> bool {
        self != Format::Asc
    }
    fn tolerance_ns(self) -> i64 {
        if self == Format::Trc {
            10_000
        } else {
            2_000
        }
    }
}

/// The frames both sides write: classic data with 11- and 29-bit ids, remote frames, and (where
/// python-can's format holds them) CAN FD frames with and without BRS/ESI; received and sent;
/// two channels.
fn frames(format: Format) -> Vec<Frame> {
    let channel = |n: u32| match format {
        Format::Log => Channel::name(&format!("can{n}")),
        _ => Channel::number(n + 1),
    };
    let mut out = Vec::new();
    let start = Timestamp::from_parts(1_700_000_000, 250_000_000).as_nanos();
    for i in 0..40u32 {
        let t = Timestamp(start + i as i64 * 1_234_000);
        let bytes: Vec<u8> = (0..64).map(|b| (b as u32 * 7 + i) as u8).collect();
        let f = match i % 6 {
            0 => Frame::new_data(0x100 + i, false, &bytes[..(i as usize % 9)]).unwrap(),
            1 => Frame::new_data(0x1ABC_0000 + i, true, &bytes[..8]).unwrap(),
            2 => Frame::new_remote(0x7F0 + (i % 16), false, (i % 9) as u8).unwrap(),
            3 if format.has_fd() => Frame::new_fd(0x200 + i, false, &bytes[..64], true, false).unwrap(),
            4 if format.has_fd() => {
                Frame::new_fd(0x1000_0000 + i, true, &bytes[..12], false, i % 2 == 0).unwrap()
            }
            _ => Frame::new_data(0x7FF, false, &bytes[..1]).unwrap(),
        };
        let direction = if i % 5 == 4 { Direction::Tx } else { Direction::Rx };
        out.push(f.with_timestamp(t).with_channel(channel(i % 2)).with_direction(direction));
    }
    out
}

/// Compare what python-can's format holds; returns a description of the first difference.
fn compare(format: Format, expected: &[PyFrame], got: &[PyFrame]) -> Result<(), String> {
    if expected.len() != got.len() {
        return Err(format!("{} frames expected, {} read", expected.len(), got.len()));
    }
    let (Some(e0), Some(g0)) = (expected.first(), got.first()) else { return Ok(()) };
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        let (te, tg) = if format.absolute_times() { (e.t, g.t) } else { (e.t - e0.t, g.t - g0.t) };
        let dt_ns = ((te - tg) * 1e9).abs();
        let mut diffs = Vec::new();
        if dt_ns >= format.tolerance_ns() as f64 {
            diffs.push(format!("time {te} vs {tg}"));
        }
        if (e.id, e.ext, e.rtr, e.err, e.dlc) != (g.id, g.ext, g.rtr, g.err, g.dlc) {
            diffs.push("id/extended/remote/error/dlc".into());
        }
        if !e.rtr && e.data != g.data {
            diffs.push("data".into());
        }
        if format.has_fd() && (e.fd, e.brs, e.esi) != (g.fd, g.brs, g.esi) {
            diffs.push("fd/brs/esi".into());
        }
        if format.has_direction() && e.rx != g.rx {
            diffs.push("direction".into());
        }
        if matches!(format, Format::Asc | Format::Blf | Format::Log) && e.channel != g.channel {
            diffs.push("channel".into());
        }
        if !diffs.is_empty() {
            return Err(format!("frame {i}: {}\nexpected {e:?}\nread     {g:?}", diffs.join(", ")));
        }
    }
    Ok(())
}

fn cankit_writes(path: &Path, frames: &[Frame]) -> Result<(), String> {
    let options = WriteOptions { tz: TimeZone::Utc, ..WriteOptions::default() };
    let mut w = create_writer(path, None, &options).map_err(|e| e.to_string())?;
    for f in frames {
        w.write(&Record::Frame(*f)).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}

fn cankit_reads(path: &Path) -> Result<Vec<PyFrame>, String> {
    let options = ReadOptions { tz: TimeZone::Utc, ..ReadOptions::default() };
    let reader = open_reader(path, None, &options).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for record in reader {
        match record.map_err(|e| e.to_string())? {
            Record::Frame(f) => out.push(to_py(&f)),
            Record::Event(_) => {}
        }
    }
    Ok(out)
}

/// What python-can's own writer keeps of `frames`: its TRC writer skips remote (and FD) frames
/// with a warning, and its candump writer prints remote frames without their length (`123#R`).
fn python_can_keeps(format: Format, frames: Vec<PyFrame>) -> Vec<PyFrame> {
    match format {
        Format::Trc => frames.into_iter().filter(|f| !f.rtr && !f.fd).collect(),
        Format::Log => frames.into_iter().map(|f| if f.rtr { PyFrame { dlc: 0, ..f } } else { f }).collect(),
        _ => frames,
    }
}

fn python_reads_cankit(format: Format) {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("cankit.{}", format.ext()));
    let frames = frames(format);
    cankit_writes(&path, &frames).unwrap_or_else(|e| panic!("cankit writing {}: {e}", format.ext()));
    let got = python_reads(&python, &path).unwrap_or_else(|e| panic!("{}: {e}", format.ext()));
    let expected: Vec<PyFrame> = frames.iter().map(to_py).collect();
    if let Err(e) = compare(format, &expected, &got) {
        panic!("python-can reading cankit's {}: {e}", format.ext());
    }
}

fn cankit_reads_python(format: Format) {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("python.{}", format.ext()));
    let sent: Vec<PyFrame> = frames(format).iter().map(to_py).collect();
    python_writes(&python, &path, &sent).unwrap_or_else(|e| panic!("{}: {e}", format.ext()));
    let expected = python_can_keeps(format, sent);
    let got =
        cankit_reads(&path).unwrap_or_else(|e| panic!("cankit reading python-can's {}: {e}", format.ext()));
    if let Err(e) = compare(format, &expected, &got) {
        panic!("cankit reading python-can's {}: {e}", format.ext());
    }
}

#[test]
fn python_can_reads_cankit_asc() {
    python_reads_cankit(Format::Asc);
}
#[test]
fn python_can_reads_cankit_blf() {
    python_reads_cankit(Format::Blf);
}
#[test]
fn python_can_reads_cankit_candump_log() {
    python_reads_cankit(Format::Log);
}
#[test]
fn python_can_reads_cankit_trc() {
    python_reads_cankit(Format::Trc);
}
#[test]
fn python_can_reads_cankit_csv() {
    python_reads_cankit(Format::Csv);
}
#[test]
fn python_can_reads_cankit_sqlite() {
    python_reads_cankit(Format::Db);
}

#[test]
fn cankit_reads_python_can_asc() {
    cankit_reads_python(Format::Asc);
}
#[test]
fn cankit_reads_python_can_blf() {
    cankit_reads_python(Format::Blf);
}
#[test]
fn cankit_reads_python_can_candump_log() {
    cankit_reads_python(Format::Log);
}
#[test]
fn cankit_reads_python_can_trc() {
    cankit_reads_python(Format::Trc);
}
#[test]
fn cankit_reads_python_can_csv() {
    cankit_reads_python(Format::Csv);
}
#[test]
fn cankit_reads_python_can_sqlite() {
    cankit_reads_python(Format::Db);
}

/// python-can's SQLite writer runs in a thread; everything cankit appends to its file stays
/// readable by both, and python-can's rows read with python-can's defaults.
#[test]
fn cankit_appends_to_python_can_sqlite_and_both_read_everything() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let first: Vec<PyFrame> = frames(Format::Db).iter().map(to_py).collect();
    python_writes(&python, &path, &first).unwrap();
    let more = frames(Format::Db);
    cankit_writes(&path, &more).unwrap();
    let mut expected = first.clone();
    expected.extend(more.iter().map(to_py));
    let by_python = python_reads(&python, &path).unwrap();
    compare(Format::Db, &expected, &by_python).unwrap();
    let by_cankit = cankit_reads(&path).unwrap();
    compare(Format::Db, &expected, &by_cankit).unwrap();
    // cankit's own rows keep their channel and direction; python-can's get its defaults.
    assert!(by_cankit[..first.len()].iter().all(|f| f.channel == PyChannel::None && f.rx));
    assert_eq!(by_cankit[first.len()..], more.iter().map(to_py).collect::<Vec<_>>()[..]);
}
