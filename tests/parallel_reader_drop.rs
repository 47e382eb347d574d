//! A parallel reader dropped before its end stops and joins its helper threads: nothing keeps
//! running or holding the input. (Each test counts threads of its own name, so the two can run
//! at once.)

mod common;

use std::io::Cursor;
use std::time::{Duration, Instant};

use cankit::log::candump::CandumpReader;

/// Threads of this process named as the text readers name their helpers.
fn helper_threads() -> usize {
    common::threads_named("cankit-text")
}

#[test]
fn parallel_reader_dropped_early_leaves_no_threads() {
    let line = "(1700000000.000029) can0 1E574C5A#B85A4C57\n";
    let text = line.repeat(2_000_000).into_bytes();
    for _ in 0..3 {
        let mut r = CandumpReader::with_threads(Box::new(Cursor::new(text.clone())), "t.log", 2);
        for _ in 0..100_000 {
            r.next().unwrap().unwrap();
        }
        assert!(helper_threads() >= 1, "the reader parses ahead on helper threads");
        let start = Instant::now();
        drop(r);
        assert!(start.elapsed() < Duration::from_secs(5), "drop does not wait for the input's end");
        assert_eq!(helper_threads(), 0);
    }
}

#[test]
fn sqlite_reader_dropped_early_leaves_no_threads() {
    use cankit::log::sqlite::{ReadPath, SqliteReader, SqliteWriter};
    use cankit::log::{LogWriter, Record};
    use cankit::{Frame, Timestamp};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut writer = SqliteWriter::create(&path, "t.db").unwrap();
    for i in 0..300_000u32 {
        let frame = Frame::new_data(i & 0x7FF, false, &i.to_le_bytes()).unwrap();
        writer.write(&Record::Frame(frame.with_timestamp(Timestamp(i as i64 * 1_000_000)))).unwrap();
    }
    writer.finish().unwrap();
    for read_path in [ReadPath::Pages, ReadPath::Sqlite] {
        let mut r = SqliteReader::open_with(&path, "t.db", read_path).unwrap();
        for _ in 0..50_000 {
            r.next().unwrap().unwrap();
        }
        assert_eq!(r.read_path(), read_path);
        assert!(
            common::threads_named("sqlite-read") >= 1,
            "{read_path:?}: the reader decodes on helper threads"
        );
        drop(r);
        assert_eq!(common::threads_named("sqlite-read"), 0, "{read_path:?}");
    }
}
