//! Real log files that lost frames, or gained invented ones, before: each kind is a fixture in
//! `tests/fixtures/conformance/` laid out as the tool that writes it does, read through the
//! library and through `canlogger convert` with its exact frames and what the reader says it
//! repaired:
//!
//! * `canoe9_fd_flags_without_edl.asc`: CANoe 9 `CANFD` lines whose flags field is 0 although
//!   they carry 32 and 64 bytes (with and without a symbolic name), beside a classic frame in
//!   `CANFD` syntax (flags 0, 8 bytes), a real FD line and a classic line;
//! * `canoe_doc_id_before_direction.asc`: the layout of CANoe's documentation, id before the
//!   direction, a `d`/`r` type, `Length = … BitCount = … ID = …` attributes, an extended id and a
//!   remote frame;
//! * `ids_above_7ff.{asc,blf,trc,csv,log}` and an SQLite file made here: ids that need 29 bits in
//!   frames marked 11-bit or written with an 11-bit id's digits (the BLF holds all four frame
//!   objects; `src/log/blf/tests.rs` makes it);
//! * `savvycan.csv`, `savvycan_without_dir.csv`: SavvyCAN's CSV, with and without `Dir`;
//! * `canhacker.trc`: CANHacker's trace, whose times wrap every minute;
//! * `unknown_header.csv`: a CSV of no known layout, refused at once.
//!
//! Then the differential test against python-can 4.x: for every fixture and for files of every
//! format written by cankit and by python-can, cankit keeps every frame python-can keeps, with the
//! same id, kind and data; every difference and every frame cankit keeps beyond python-can's is
//! declared with its reason, and counted, so a new difference fails the test.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cankit::frame::{Channel, Direction, Frame, FrameKind, Timestamp};
use cankit::log::{
    create_writer, open_reader, ReadOptions, Record, TimeZone, WriteOptions, REPAIR_LONG_STANDARD_ID,
};
use common::pyframes::{python_reads_partial, python_writes, to_py, PyFrame};

const REPAIR_FD: &str =
    "CANFD lines whose flags lack the FD bit but which carry more than 8 bytes (kept as CAN FD)";

fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/conformance").join(name)
}

/// Seconds and microseconds as a timestamp.
fn at(secs: i64, micros: i64) -> Timestamp {
    Timestamp(secs * 1_000_000_000 + micros * 1_000)
}

fn data(t: Timestamp, id: u32, ext: bool, bytes: &[u8]) -> Frame {
    Frame::new_data(id, ext, bytes).unwrap().with_timestamp(t)
}

fn fd(t: Timestamp, id: u32, ext: bool, bytes: &[u8], brs: bool, esi: bool) -> Frame {
    Frame::new_fd(id, ext, bytes, brs, esi).unwrap().with_timestamp(t)
}

fn on(f: Frame, channel: u32) -> Frame {
    f.with_channel(Channel::number(channel))
}

fn tx(f: Frame) -> Frame {
    f.with_direction(Direction::Tx)
}

/// Everything a reader hands out for `path` (naive dates read as UTC): frames, the messages of
/// the records it could not read, and what it repaired.
struct Read {
    frames: Vec<Frame>,
    errors: Vec<String>,
    repaired: BTreeMap<String, u64>,
}

fn read(path: &Path) -> Result<Read, String> {
    let options = ReadOptions { tz: TimeZone::Utc, ..ReadOptions::default() };
    let mut reader = open_reader(path, None, &options).map_err(|e| e.to_string())?;
    let mut out = Read { frames: Vec::new(), errors: Vec::new(), repaired: BTreeMap::new() };
    for item in reader.by_ref() {
        match item {
            Ok(Record::Frame(f)) => out.frames.push(f),
            Ok(Record::Event(_)) => {}
            Err(e) => out.errors.push(e.to_string()),
        }
    }
    out.repaired = reader.repaired().clone();
    Ok(out)
}

/// The fixture reads as exactly `want`, with `repaired` frames counted under `reason`, through
/// the library and through `canlogger convert --utc FILE - --to log` (whose output is read back).
fn check(name: &str, want: &[Frame], repaired: &[(&str, u64)]) {
    let path = fixture(name);
    let got = read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(got.errors.is_empty(), "{name}: {:?}", got.errors);
    assert_eq!(got.frames.len(), want.len(), "{name}: {:#?}", got.frames);
    for (i, (g, w)) in got.frames.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{name}: frame {i}");
    }
    let repaired: BTreeMap<String, u64> = repaired.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    assert_eq!(got.repaired, repaired, "{name}: repaired");

    let out = common::tool(common::canlogger())
        .args(["convert", "--utc"])
        .arg(&path)
        .args(["-", "--to", "log"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name}: {stderr}");
    for (reason, n) in &repaired {
        assert!(stderr.contains(&format!("repaired and kept: {n} {reason}")), "{name}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("converted.log");
    std::fs::write(&log, &out.stdout).unwrap();
    let converted = read(&log).unwrap();
    assert_eq!(converted.frames.len(), want.len(), "{name} through canlogger convert:\n{stderr}");
    for (i, (g, w)) in converted.frames.iter().zip(want).enumerate() {
        let fields = |f: &Frame| {
            (f.timestamp, f.id(), f.is_extended(), f.kind(), f.brs(), f.esi(), f.dlc(), f.direction)
        };
        assert_eq!(fields(g), fields(w), "{name} through canlogger convert: frame {i}");
        assert_eq!(g.data(), w.data(), "{name} through canlogger convert: frame {i}");
    }
}

#[test]
fn canoe9_fd_lines_without_the_fd_bit_are_kept_as_fd() {
    let t = |micros: i64| at(1_506_783_973, 191_000 + micros);
    let up: Vec<u8> = (0..64).collect();
    let down: Vec<u8> = (0..32).map(|i| 255 - i).collect();
    let want = [
        fd(t(30_506_898), 0x4EE, false, &up, false, true),
        fd(t(30_507_898), 0x4EF, false, &down, true, false),
        // Flags 0 and 8 bytes: a classic frame in CANFD syntax, as log2asc writes them.
        data(t(30_508_898), 0x1A0, false, &[1, 2, 3, 4, 5, 6, 7, 8]),
        fd(t(30_509_898), 0x1A1, false, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], true, false),
        data(t(30_510_898), 0x1A2, false, &[0xAA, 0xBB]),
    ];
    check("canoe9_fd_flags_without_edl.asc", &want.map(|f| on(f, 4)), &[(REPAIR_FD, 2)]);
}

#[test]
fn canfd_lines_with_the_id_before_the_direction_are_read() {
    let t = |micros: i64| at(1_655_287_200, micros);
    let want = [
        on(tx(fd(t(10_460), 0x101, false, &[0xF1; 8], true, false)), 1),
        on(fd(t(20_460), 0x1C4D80A7, true, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], false, true), 2),
        on(tx(Frame::new_remote(0x101, false, 8).unwrap().with_timestamp(t(30_460))), 1),
        on(fd(t(40_460), 0x102, false, &[1, 2, 3, 4, 5, 6, 7, 8], false, false), 1),
    ];
    check("canoe_doc_id_before_direction.asc", &want, &[]);
}

#[test]
fn ids_above_7ff_marked_11_bit_are_kept_as_29_bit_in_asc() {
    let t = |micros: i64| at(1_700_000_000, micros);
    let want = [
        data(t(1_000), 0x444_4444, true, &[0x11, 0x22]),
        data(t(2_000), 0x123, false, &[1]),
        fd(t(3_000), 0x18FEF1, true, &[1, 2, 3, 4, 5, 6, 7, 8], false, false),
        tx(data(t(4_000), 0x18FEF2, true, &[2])),
    ];
    check("ids_above_7ff.asc", &want.map(|f| on(f, 1)), &[(REPAIR_LONG_STANDARD_ID, 2)]);
}

#[test]
fn ids_above_7ff_marked_11_bit_are_kept_as_29_bit_in_blf() {
    let t = |ms: i64| at(1_700_000_000, ms * 1_000);
    let up: Vec<u8> = (0..64).collect();
    let fd12: Vec<u8> = (0..12).map(|i| 0xA0 + i).collect();
    let want = [
        data(t(0), 0x444_4444, true, &[0x11, 0x22]),
        data(t(10), 0x444_4444, true, &[1, 2, 3, 4, 5, 6, 7, 8]),
        fd(t(20), 0x444_4444, true, &fd12, true, false),
        fd(t(30), 0x444_4444, true, &up, false, false),
        data(t(40), 0x123, false, &[0x99]),
    ];
    check("ids_above_7ff.blf", &want.map(|f| on(f, 1)), &[(REPAIR_LONG_STANDARD_ID, 4)]);
}

#[test]
fn ids_above_7ff_written_with_four_digits_are_kept_as_29_bit_in_trc() {
    // $STARTTIME 45244.9258333333 is 2023-11-14 22:13:12 UTC, to the millisecond.
    let t = |ms: i64| at(1_699_999_992, ms * 1_000);
    let want = [
        data(t(1), 0xFFF, true, &[1, 2]),
        data(t(2), 0x123, false, &[5]),
        tx(data(t(3), 0x18FEF100, true, &[1, 2, 3, 4, 5, 6, 7, 8])),
    ];
    check("ids_above_7ff.trc", &want, &[(REPAIR_LONG_STANDARD_ID, 1)]);
}

#[test]
fn ids_above_7ff_written_with_three_digits_are_kept_as_29_bit_in_candump_logs() {
    let t = |ms: i64| at(1_700_000_000, ms * 1_000);
    let name = |f: Frame, n: &str| f.with_channel(Channel::name(n));
    let want = [
        name(data(t(1), 0xFFF, true, &[0]), "can0"),
        name(data(t(2), 0x123, false, &[1]), "can0"),
        name(tx(fd(t(3), 0x800, true, &[0x11, 0x22, 0x33], true, false)), "can1"),
    ];
    check("ids_above_7ff.log", &want, &[(REPAIR_LONG_STANDARD_ID, 2)]);
}

#[test]
fn ids_above_7ff_marked_11_bit_are_kept_as_29_bit_in_python_can_csv() {
    let t = |ms: i64| at(1_700_000_000, ms * 1_000);
    let want = [
        data(t(1), 0x444_4444, true, &[0x11, 0x22]),
        data(t(2), 0x123, false, &[1]),
        data(t(3), 0x18FEF100, true, &[2]),
    ];
    check("ids_above_7ff.csv", &want, &[(REPAIR_LONG_STANDARD_ID, 1)]);
}

/// python-can's SQLite layout, rows as a misconfigured logger stores them.
fn long_standard_ids_db(dir: &Path) -> PathBuf {
    let path = dir.join("ids_above_7ff.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE messages (ts REAL, arbitration_id INTEGER, extended INTEGER, remote INTEGER, \
         error INTEGER, dlc INTEGER, data BLOB);
         INSERT INTO messages VALUES (1700000000.001, 71582788, 0, 0, 0, 2, x'1122');
         INSERT INTO messages VALUES (1700000000.002, 291, 0, 0, 0, 1, x'01');
         INSERT INTO messages VALUES (1700000000.003, 71582788, 0, 1, 0, 3, NULL);
         INSERT INTO messages VALUES (1700000000.004, 419361024, 1, 0, 0, 1, x'02');",
    )
    .unwrap();
    path
}

#[test]
fn ids_above_7ff_marked_11_bit_are_kept_as_29_bit_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = long_standard_ids_db(dir.path());
    let t = |ms: i64| at(1_700_000_000, ms * 1_000);
    let want = [
        data(t(1), 0x444_4444, true, &[0x11, 0x22]),
        data(t(2), 0x123, false, &[1]),
        Frame::new_remote(0x444_4444, true, 3).unwrap().with_timestamp(t(3)),
        data(t(4), 0x18FEF100, true, &[2]),
    ];
    for read_path in [cankit::log::sqlite::ReadPath::Pages, cankit::log::sqlite::ReadPath::Sqlite] {
        let mut reader = cankit::log::sqlite::SqliteReader::open_with(&path, "ids.db", read_path).unwrap();
        let got: Vec<Frame> = reader
            .by_ref()
            .map(|r| match r.unwrap() {
                Record::Frame(f) => f,
                other => panic!("{other:?}"),
            })
            .collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            // Timestamps are floats in the file: compare them to the microsecond.
            assert_eq!((g.timestamp.0 + 500) / 1000, w.timestamp.0 / 1000, "{read_path:?} frame {i}");
            assert_eq!(g.with_timestamp(w.timestamp), *w, "{read_path:?} frame {i}");
        }
        assert_eq!(got.len(), want.len());
        let repaired: Vec<_> = cankit::log::LogReader::repaired(&reader).clone().into_iter().collect();
        assert_eq!(repaired, vec![(REPAIR_LONG_STANDARD_ID.to_string(), 2)], "{read_path:?}");
    }
}

#[test]
fn savvycan_csv_is_read_exactly_with_and_without_dir() {
    let t = |micros: i64| at(0, micros);
    let want = [
        on(data(t(39_747_828), 0x5EB, false, &[0xE8, 0x45, 0x85, 0x4B, 0x4A, 0x28, 0x36, 0x69]), 1),
        on(data(t(39_748_828), 0x18FEF100, true, &[1, 2, 3]), 2),
        on(tx(data(t(39_749_828), 0x444_4444, true, &[0x11, 0x22])), 1),
        on(data(t(39_750_828), 0x123, false, &[]), 1),
    ];
    check("savvycan.csv", &want, &[(REPAIR_LONG_STANDARD_ID, 1)]);
    let want = [
        on(data(t(166_064_000), 0x21A, false, &[0, 1, 2, 3, 4, 5, 6, 7]), 1),
        on(data(t(166_065_000), 0x1CEBFF00, true, &[0x10, 0x20, 0x30, 0x40, 0x50]), 1),
        on(data(t(166_066_000), 0x21B, false, &[0xFF]), 2),
    ];
    check("savvycan_without_dir.csv", &want, &[]);
}

#[test]
fn savvycan_csv_written_by_cankit_reads_back_and_keeps_savvycans_layout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let status = common::tool(common::canlogger())
        .arg("convert")
        .arg(fixture("savvycan.csv"))
        .arg(&out)
        .args(["--to", "savvycan"])
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(cankit::log::savvycan::HEADER));
    // The mended row now says what it is; every other row is as SavvyCAN wrote it.
    let original = std::fs::read_to_string(fixture("savvycan.csv")).unwrap();
    let expected = original.replace("04444444,false", "04444444,true");
    assert_eq!(text, expected);
    let back = read(&out).unwrap();
    assert_eq!(back.frames, read(&fixture("savvycan.csv")).unwrap().frames);
}

#[test]
fn canhacker_trace_is_read_and_its_minute_wrap_unwrapped() {
    let t = |ms: i64| at(0, ms * 1_000);
    let burst = [0x36, 0x47, 0x19, 0x43, 0x01, 0x00, 0x00, 0x80];
    let want = [
        data(t(58_123), 0x123, false, &burst),
        data(t(59_500), 0x4000, true, &burst),
        data(t(60_250), 0x7FF, false, &[]),
        data(t(61_000), 0x18DAF110, true, &[0x02, 0x10, 0x03]),
        data(t(90_000), 0xFFF, true, &[0xAA]),
    ];
    check("canhacker.trc", &want, &[(REPAIR_LONG_STANDARD_ID, 1)]);
}

#[test]
fn a_csv_of_unknown_layout_is_refused_at_once_naming_file_and_header() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.log");
    let out = common::tool(common::canlogger())
        .arg("convert")
        .arg(fixture("unknown_header.csv"))
        .arg(&out_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unknown_header.csv: line 1: the header 'Timestamp;ID;Data' matches no CSV layout"),
        "{stderr}"
    );
    assert!(!out_path.exists(), "no output for a file that cannot be read");
}

// ------------------------------------------------------------------------------------------------
// Differential test against python-can

/// How cankit's reading of a file may differ from python-can's, each with its reason; the counts
/// are exact.
#[derive(Default)]
struct Declared {
    /// Frames python-can reads as 11-bit with an id that needs 29 bits; cankit keeps them as
    /// 29-bit (the rule for every reader).
    mended_ids: usize,
    /// `CANFD` lines whose flags say classic (no FD bit) and that carry at most 8 bytes:
    /// python-can takes every `CANFD` line as CAN FD, cankit follows the flags, as log2asc means
    /// them.
    classic_in_canfd_syntax: usize,
    /// SocketCAN error frames without the bus-error class bit in a candump log: python-can's
    /// candump reader takes only those with `CAN_ERR_BUSERROR` as error frames and the others as
    /// data frames with the class as a 29-bit id; cankit keeps them as error frames.
    error_frames_as_data: usize,
    /// Frames of more than 8 bytes in a format without an FD flag (python-can's CSV and SQLite
    /// layouts): python-can makes them classic messages of up to 64 bytes, cankit CAN FD frames
    /// (nothing else can carry them).
    fd_without_flag: usize,
    /// Frames cankit keeps that python-can does not, and why.
    more: usize,
    why_more: &'static str,
}

fn kind_of(f: &PyFrame) -> &'static str {
    match (f.err, f.rtr, f.fd) {
        (true, _, _) => "error",
        (_, true, _) => "remote",
        (_, _, true) => "fd",
        _ => "data",
    }
}

/// Aligns python-can's frames with cankit's, in order: every python-can frame must be found,
/// with the same id, kind and data, each difference a declared one.
fn differential(
    name: &str,
    python: &[PyFrame],
    python_failure: Option<&str>,
    cankit: &[PyFrame],
    declared: &Declared,
) {
    let mut mended = 0;
    let mut classic = 0;
    let mut as_data = 0;
    let mut fd_without_flag = 0;
    let mut next = 0;
    for (i, p) in python.iter().enumerate() {
        let matches = |c: &PyFrame| {
            if p.err || c.err {
                return (p.err && c.err) || (c.err && p.id == c.id && p.data == c.data);
            }
            let same_kind = kind_of(p) == kind_of(c)
                || (p.fd && !c.fd && !c.rtr && c.data.len() <= 8 && p.data.len() <= 8)
                || (!p.fd && !p.rtr && c.fd && p.data.len() > 8);
            let same_data = p.rtr || p.data == c.data;
            let same_ext = p.ext == c.ext || (!p.ext && c.ext && p.id > 0x7FF);
            p.id == c.id && same_kind && same_data && same_ext
        };
        let Some(offset) = cankit[next..].iter().position(matches) else {
            panic!("{name}: python-can keeps frame {i} ({p:?}), cankit does not; cankit read {cankit:#?}");
        };
        let c = &cankit[next + offset];
        if c.err && !p.err {
            as_data += 1;
        } else if p.ext != c.ext && !p.err {
            mended += 1;
        }
        if p.fd && !c.fd && !p.err && !c.err {
            classic += 1;
        }
        if !p.fd && c.fd {
            fd_without_flag += 1;
        }
        next += offset + 1;
    }
    let more = cankit.len() - python.len();
    assert_eq!(mended, declared.mended_ids, "{name}: ids kept as 29-bit where python-can says 11-bit");
    assert_eq!(classic, declared.classic_in_canfd_syntax, "{name}: classic frames in CANFD syntax");
    assert_eq!(fd_without_flag, declared.fd_without_flag, "{name}: FD frames in a format without an FD flag");
    assert_eq!(
        as_data, declared.error_frames_as_data,
        "{name}: error frames python-can reads as data frames"
    );
    assert_eq!(
        more, declared.more,
        "{name}: frames cankit keeps beyond python-can (declared reason: {}; python-can: {python_failure:?})",
        declared.why_more
    );
}

fn cankit_frames(path: &Path) -> Vec<PyFrame> {
    match read(path) {
        Ok(r) => {
            assert!(r.errors.is_empty(), "{}: {:?}", path.display(), r.errors);
            r.frames.iter().map(to_py).collect()
        }
        Err(_) => Vec::new(),
    }
}

fn compare_with_python(python: &Path, path: &Path, declared: &Declared) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let (frames, failure) = python_reads_partial(python, path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let cankit = cankit_frames(path);
    differential(&name, &frames, failure.as_deref(), &cankit, declared);
}

#[test]
fn cankit_keeps_every_frame_python_can_keeps_in_every_fixture() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let mended = |n| Declared { mended_ids: n, ..Declared::default() };
    let python_stops = |more, why_more| Declared { more, why_more, ..Declared::default() };
    let dir = tempfile::tempdir().unwrap();
    let db = long_standard_ids_db(dir.path());
    let cases: Vec<(PathBuf, Declared)> = vec![
        (
            fixture("canoe9_fd_flags_without_edl.asc"),
            Declared { classic_in_canfd_syntax: 1, ..Declared::default() },
        ),
        (
            fixture("canoe_doc_id_before_direction.asc"),
            python_stops(
                4,
                "python-can reads only CANFD lines with the direction first; it raises on the first line",
            ),
        ),
        (fixture("ids_above_7ff.asc"), mended(2)),
        (fixture("ids_above_7ff.blf"), mended(4)),
        (fixture("ids_above_7ff.trc"), mended(1)),
        (fixture("ids_above_7ff.csv"), mended(1)),
        (fixture("ids_above_7ff.log"), mended(2)),
        (db, mended(2)),
        (fixture("savvycan.csv"), python_stops(4, "python-can's CSV reader knows only its own layout")),
        (
            fixture("savvycan_without_dir.csv"),
            python_stops(3, "python-can's CSV reader knows only its own layout"),
        ),
        (
            fixture("canhacker.trc"),
            python_stops(5, "python-can has no CANHacker reader; its TRC reader raises on the header"),
        ),
        (fixture("unknown_header.csv"), Declared::default()),
    ];
    for (path, declared) in &cases {
        compare_with_python(&python, path, declared);
    }
}

/// Every kind of frame, on two channels, both directions.
fn every_kind() -> Vec<Frame> {
    let t0 = at(1_700_000_000, 250_000);
    let mut out = Vec::new();
    for i in 0..30u32 {
        let t = Timestamp(t0.0 + i as i64 * 1_500_000);
        let bytes: Vec<u8> = (0..64).map(|b| (b * 3 + i) as u8).collect();
        let f = match i % 6 {
            0 => Frame::new_data(0x100 + i, false, &bytes[..(i as usize % 9)]).unwrap(),
            1 => Frame::new_data(0x1ABC_0000 + i, true, &bytes[..8]).unwrap(),
            2 => Frame::new_remote(0x7F0 + i % 16, false, (i % 9) as u8).unwrap(),
            3 => Frame::new_fd(0x200 + i, false, &bytes[..64], true, false).unwrap(),
            4 => Frame::new_fd(0x1000_0000 + i, true, &bytes[..12], false, true).unwrap(),
            _ => Frame::new_error(0x4, [0, 4, 0, 0, 0, 0, 0, 0]).unwrap(),
        };
        let direction = if i % 5 == 4 { Direction::Tx } else { Direction::Rx };
        out.push(f.with_timestamp(t).with_channel(Channel::number(1 + i % 2)).with_direction(direction));
    }
    out
}

#[test]
fn cankit_keeps_every_frame_python_can_keeps_in_files_of_every_format() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let frames = every_kind();
    for ext in ["asc", "blf", "log", "trc", "csv", "db"] {
        // cankit's own file: python-can reads what its format holds.
        let path = dir.path().join(format!("cankit.{ext}"));
        let options = WriteOptions { tz: TimeZone::Utc, ..WriteOptions::default() };
        let mut w = create_writer(&path, None, &options).unwrap();
        for f in &frames {
            w.write(&Record::Frame(*f)).unwrap();
        }
        w.finish().unwrap();
        drop(w);
        // The error frames of the set are controller problems (CAN_ERR_CRTL), not bus errors.
        let error_frames = frames.iter().filter(|f| f.is_error()).count();
        let fd_frames = frames.iter().filter(|f| f.is_fd() && f.len() > 8).count();
        let declared = match ext {
            "log" => Declared { error_frames_as_data: error_frames, ..Declared::default() },
            "trc" => Declared {
                more: error_frames,
                why_more: "python-can's TRC reader skips error frame (ER) lines",
                ..Declared::default()
            },
            "csv" | "db" => Declared { fd_without_flag: fd_frames, ..Declared::default() },
            _ => Declared::default(),
        };
        compare_with_python(&python, &path, &declared);
        // python-can's file of the same frames (what its writer cannot write, it leaves out).
        let path = dir.path().join(format!("python.{ext}"));
        let writable: Vec<PyFrame> = frames
            .iter()
            .filter(|f| !(f.is_fd() && matches!(ext, "trc" | "csv" | "db")))
            .map(to_py)
            .collect();
        python_writes(&python, &path, &writable).unwrap_or_else(|e| panic!("python-can writing {ext}: {e}"));
        compare_with_python(&python, &path, &Declared::default());
    }
}

#[test]
fn every_frame_kind_survives_the_rules_in_every_format() {
    // The rules must not change frames that were right: a round trip through every writer and
    // reader keeps 11-bit ids 11-bit and classic frames classic, and repairs nothing.
    let dir = tempfile::tempdir().unwrap();
    for ext in ["asc", "blf", "log", "trc", "csv", "db"] {
        let path = dir.path().join(format!("round.{ext}"));
        let options = WriteOptions { tz: TimeZone::Utc, ..WriteOptions::default() };
        let mut w = create_writer(&path, None, &options).unwrap();
        for f in every_kind() {
            w.write(&Record::Frame(f)).unwrap();
        }
        w.finish().unwrap();
        drop(w);
        let back = read(&path).unwrap();
        assert!(back.repaired.is_empty(), "{ext}: {:?}", back.repaired);
        let standard =
            back.frames.iter().filter(|f| !f.is_extended() && f.kind() != FrameKind::Error).count();
        let want = every_kind().iter().filter(|f| !f.is_extended() && f.kind() != FrameKind::Error).count();
        assert_eq!(standard, want, "{ext}");
    }
}

#[test]
fn info_and_canplayer_report_what_was_repaired() {
    let out = common::tool(common::canlogger())
        .args(["info", "--json"])
        .arg(fixture("ids_above_7ff.blf"))
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(json.contains(&format!("\"repaired\":{{\"{REPAIR_LONG_STANDARD_ID}\":4}}")), "{json}");
    let out = common::tool(env!("CARGO_BIN_EXE_canplayer"))
        .args(["--port", &common::free_port(), "-t"])
        .arg(fixture("ids_above_7ff.blf"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("5 frames sent"), "{stderr}");
    assert!(stderr.contains(&format!("repaired and kept: 4 {REPAIR_LONG_STANDARD_ID}")), "{stderr}");
}
