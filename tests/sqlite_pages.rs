//! The SQLite reader's two paths, pages read straight from the file and SQLite's query API,
//! give the same records on the same file: files cankit and python-can write, random values in
//! python-can's columns, deleted rows and free pages, deep b-trees, and files the pages path must
//! leave to SQLite (WAL mode, a journal beside them, a writer committing mid-read, damaged or
//! truncated files), where it falls back without panicking, hanging or yielding anything SQLite
//! would not.

mod common;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use cankit::frame::{Channel, Direction, Frame, Timestamp};
use cankit::log::sqlite::{ReadPath, SqliteReader, SqliteWriter};
use cankit::log::{LogWriter, Record};
use proptest::prelude::*;
use rusqlite::Connection;

/// python-can's `CREATE TABLE`.
const CREATE_MESSAGES: &str = "CREATE TABLE messages (ts REAL, arbitration_id INTEGER, extended INTEGER, \
     remote INTEGER, error INTEGER, dlc INTEGER, data BLOB)";

/// A record as compared here: errors by their message.
type Item = Result<Record, String>;

/// Every item of `path` through `read_path`, and the path in use at the end.
fn read(path: &Path, read_path: ReadPath) -> (Vec<Item>, ReadPath) {
    let mut reader = SqliteReader::open_with(path, "t.db", read_path).unwrap();
    let items = reader.by_ref().map(|r| r.map_err(|e| e.to_string())).collect();
    (items, reader.read_path())
}

/// Read `path` both ways; the pages path must have read it all (`fell_back` false) or have
/// switched to SQLite (`fell_back` true), and the records must be the same.
fn assert_paths_agree(path: &Path, fell_back: bool) -> Vec<Item> {
    let (by_sqlite, sqlite_path) = read(path, ReadPath::Sqlite);
    assert_eq!(sqlite_path, ReadPath::Sqlite);
    let (by_pages, pages_path) = read(path, ReadPath::Pages);
    let expected_path = if fell_back { ReadPath::Sqlite } else { ReadPath::Pages };
    assert_eq!(pages_path, expected_path, "path used at the end");
    assert_eq!(by_pages.len(), by_sqlite.len(), "records read");
    for (i, (a, b)) in by_pages.iter().zip(&by_sqlite).enumerate() {
        assert_eq!(a, b, "record {i}");
    }
    by_pages
}

/// An empty file with python-can's table and the given page size.
fn create_with_page_size(path: &Path, page_size: u32) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!("PRAGMA page_size = {page_size}; {CREATE_MESSAGES};")).unwrap();
}

fn write_frames(path: &Path, frames: &[Frame]) {
    let mut writer = SqliteWriter::create(path, "t.db").unwrap();
    for f in frames {
        writer.write(&Record::Frame(*f)).unwrap();
    }
    writer.finish().unwrap();
}

/// `n` frames of every kind, with runs of channels and directions that change every
/// `run_length` frames.
fn varied_frames(n: u32, run_length: u32) -> Vec<Frame> {
    (0..n)
        .map(|i| {
            let bytes = i.wrapping_mul(2_654_435_761).to_le_bytes();
            let run = i / run_length;
            let frame = match i % 23 {
                0 => Frame::new_remote(i & 0x7FF, false, (i % 9) as u8).unwrap(),
                1 => Frame::new_fd(i & 0x1FFF_FFFF, true, &[bytes[0]; 24], i % 2 == 0, i % 3 == 0).unwrap(),
                2 => Frame::new_error(i & 0xFF, [bytes[1]; 8]).unwrap(),
                3 => Frame::new_data(0x7FF, false, &[bytes[2]; 8]).unwrap().with_len8_dlc(9 + (i % 7) as u8),
                _ => Frame::new_data(i & 0x7FF, i % 4 == 0, &bytes[..(i % 5) as usize]).unwrap(),
            };
            let channel = match run % 3 {
                0 => Channel::NONE,
                1 => Channel::number(run),
                _ => Channel::name(&format!("can{run}")),
            };
            let direction = if run % 2 == 0 { Direction::Rx } else { Direction::Tx };
            frame
                .with_timestamp(Timestamp::from_parts(
                    1_700_000_000 + i as i64 / 1000,
                    (i % 1000) * 1_000_123,
                ))
                .with_channel(channel)
                .with_direction(direction)
        })
        .collect()
}

#[test]
fn files_cankit_writes_read_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let frames = varied_frames(5_000, 37);
    write_frames(&path, &frames);
    let items = assert_paths_agree(&path, false);
    let back: Vec<Frame> = items
        .into_iter()
        .map(|r| match r {
            Ok(Record::Frame(f)) => f,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(back.len(), frames.len());
    // python-can's REAL seconds round the nanoseconds; everything else comes back as written.
    for (got, sent) in back.iter().zip(&frames) {
        assert!((got.timestamp.0 - sent.timestamp.0).abs() < 1_000, "{got:?} {sent:?}");
        assert_eq!(got.with_timestamp(sent.timestamp), *sent);
    }
}

#[test]
fn deep_b_trees_read_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    for (page_size, rows, run_length) in [(512, 100_000, 1), (4096, 150_000, 1000), (65536, 120_000, 7)] {
        let path = dir.path().join(format!("deep-{page_size}.db"));
        create_with_page_size(&path, page_size);
        write_frames(&path, &varied_frames(rows, run_length));
        let conn = Connection::open(&path).unwrap();
        // dbstat's path names each page by its cells from the root: '/000/01f/' is two levels down.
        let depth: i64 = conn
            .query_row(
                "SELECT max(length(path) - length(replace(path, '/', ''))) - 1 FROM dbstat WHERE name = 'messages'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        drop(conn);
        let levels = match page_size {
            512 => 3,
            4096 => 2,
            _ => 1,
        };
        assert!(depth >= levels, "page size {page_size}: b-tree only {depth} levels below the root");
        let items = assert_paths_agree(&path, false);
        assert_eq!(items.len(), rows as usize);
    }
}

#[test]
fn deleted_rows_and_free_pages_read_the_same_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    create_with_page_size(&path, 1024);
    write_frames(&path, &varied_frames(30_000, 100));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DELETE FROM messages WHERE rowid % 3 = 0;
         DELETE FROM messages WHERE rowid BETWEEN 5000 AND 15000;
         DELETE FROM cankit_runs WHERE first_rowid BETWEEN 2000 AND 3000;",
    )
    .unwrap();
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap();
    assert!(free > 10, "only {free} free pages");
    let rows: i64 = conn.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)).unwrap();
    drop(conn);
    let items = assert_paths_agree(&path, false);
    assert_eq!(items.len() as i64, rows);
}

/// Any values in python-can's columns, including ones no writer would store and records too
/// large for their page (which the pages path leaves to SQLite from there on).
#[derive(Clone, Debug)]
enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Integer(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn value(usual: impl Strategy<Value = Value> + 'static) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => usual,
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::Integer),
        1 => any::<f64>().prop_map(Value::Real),
        1 => "[a-z]{0,12}".prop_map(Value::Text),
        1 => prop::collection::vec(any::<u8>(), 0..80).prop_map(Value::Blob),
    ]
    .boxed()
}

fn row() -> impl Strategy<Value = [Value; 7]> {
    (
        value((1.6e9f64..1.8e9).prop_map(Value::Real)),
        value((0i64..0x2000_0000).prop_map(Value::Integer)),
        value((0i64..2).prop_map(Value::Integer)),
        value((0i64..2).prop_map(Value::Integer)),
        value((0i64..2).prop_map(Value::Integer)),
        value((0i64..16).prop_map(Value::Integer)),
        value(prop::collection::vec(any::<u8>(), 0..=8).prop_map(Value::Blob)),
    )
        .prop_map(|(a, b, c, d, e, f, g)| [a, b, c, d, e, f, g])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rows_of_any_values_read_the_same_both_ways(
        rows in prop::collection::vec(row(), 1..400),
        page_size in prop::sample::select(vec![512u32, 1024, 4096]),
        huge_row in prop::option::of(0usize..400),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        create_with_page_size(&path, page_size);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("BEGIN").unwrap();
        for (i, row) in rows.iter().enumerate() {
            let mut row = row.clone();
            if huge_row == Some(i) {
                // Larger than a page: the record goes on overflow pages.
                row[6] = Value::Blob(vec![0xA5; 3 * page_size as usize]);
            }
            conn.execute("INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", rusqlite::params_from_iter(row.iter()))
                .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
        drop(conn);
        let overflows = huge_row.is_some_and(|i| i < rows.len());
        let items = assert_paths_agree(&path, overflows);
        prop_assert_eq!(items.len(), rows.len());
    }

    #[test]
    fn frames_of_every_kind_read_the_same_both_ways(
        frames in prop::collection::vec(frame(), 1..300),
        page_size in prop::sample::select(vec![512u32, 4096]),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        create_with_page_size(&path, page_size);
        write_frames(&path, &frames);
        let items = assert_paths_agree(&path, false);
        prop_assert_eq!(items.len(), frames.len());
    }
}

fn frame() -> impl Strategy<Value = Frame> {
    let channel = prop_oneof![
        Just(Channel::NONE),
        (0u32..4).prop_map(Channel::number),
        "can[0-3]".prop_map(|n| Channel::name(&n)),
    ];
    (
        0u8..4,
        any::<u32>(),
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..=64),
        9u8..16,
        channel,
        any::<bool>(),
        any::<bool>(),
        1_600_000_000_000_000_000i64..1_800_000_000_000_000_000,
    )
        .prop_map(|(kind, id, extended, data, raw_dlc, channel, tx, brs, ns)| {
            let id = if extended { id & 0x1FFF_FFFF } else { id & 0x7FF };
            let frame = match kind {
                0 => {
                    Frame::new_data(id, extended, &data[..data.len().min(8)]).unwrap().with_len8_dlc(raw_dlc)
                }
                1 => Frame::new_remote(id, extended, data.len().min(8) as u8).unwrap().with_len8_dlc(raw_dlc),
                2 => Frame::new_fd_padded(id, extended, &data, brs, !brs).unwrap(),
                _ => Frame::new_error(id & 0xFFFF, [data.len() as u8; 8]).unwrap(),
            };
            let direction = if tx { Direction::Tx } else { Direction::Rx };
            frame.with_channel(channel).with_direction(direction).with_timestamp(Timestamp(ns))
        })
}

#[test]
fn files_python_can_writes_read_the_same_both_ways() {
    let Some(python) = common::require("python-can (target/venv)", common::python()) else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("python.db");
    let script = r#"
import sys, time, can
w = can.SqliteWriter(sys.argv[1])
for i in range(20000):
    kind = i % 11
    w.on_message_received(can.Message(
        timestamp=1700000000 + i * 0.001, arbitration_id=(i * 7919) & (0x1FFFFFFF if kind == 1 else 0x7FF),
        is_extended_id=kind == 1, is_remote_frame=kind == 2, is_error_frame=kind == 3,
        is_fd=kind == 4, dlc=(i % 9) if kind == 2 else None,
        data=b'' if kind == 2 else bytes((i + k) & 0xFF for k in range((i % 9) if kind != 4 else 16))))
# python-can's stop() ends its writer thread after the batch in hand (it keeps about 501 rows),
# so wait until the thread has committed every row first.
deadline = time.time() + 120
while w.num_frames < 20000 and time.time() < deadline:
    time.sleep(0.05)
w.stop()
"#;
    let status = std::process::Command::new(python).args(["-c", script]).arg(&path).status().unwrap();
    assert!(status.success());
    let items = assert_paths_agree(&path, false);
    assert_eq!(items.len(), 20_000, "python-can stored {} of 20,000 rows", items.len());
    assert!(items.iter().all(|r| r.is_ok()));
}

#[test]
fn wal_mode_files_are_read_through_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db");
    let frames = varied_frames(3_000, 50);
    write_frames(&path, &frames[..2_000]);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0").unwrap();
    drop(conn);
    // Checkpointed and closed: the header still says WAL.
    assert_paths_agree(&path, true);
    // Rows committed to the WAL only, while a connection keeps the WAL from being checkpointed.
    let keeper = Connection::open(&path).unwrap();
    let _: i64 = keeper.query_row("SELECT count(*) FROM messages", [], |r| r.get(0)).unwrap();
    write_frames(&path, &frames[2_000..]);
    assert!(std::fs::metadata(dir.path().join("wal.db-wal")).unwrap().len() > 0);
    let items = assert_paths_agree(&path, true);
    assert_eq!(items.len(), 3_000);
    drop(keeper);
}

#[test]
fn a_file_with_a_transaction_in_progress_is_read_through_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    write_frames(&path, &varied_frames(3_000, 50));
    let writer = Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE; DELETE FROM messages WHERE rowid > 10;").unwrap();
    assert!(std::fs::metadata(dir.path().join("busy.db-journal")).unwrap().len() > 0);
    // The uncommitted delete is not seen.
    let items = assert_paths_agree(&path, true);
    assert_eq!(items.len(), 3_000);
    writer.execute_batch("COMMIT").unwrap();
    assert_eq!(assert_paths_agree(&path, false).len(), 10);
}

/// The pages path holds SQLite's shared lock only while it reads pages, so a recorder can commit
/// while a slow consumer reads; the reader then notices the change and reads on through SQLite,
/// with every row once.
#[test]
fn a_commit_while_reading_is_allowed_and_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let frames = varied_frames(40_000, 1_000);
    write_frames(&path, &frames[..30_000]);
    let mut reader = SqliteReader::open(&path, "live.db").unwrap();
    assert_eq!(reader.read_path(), ReadPath::Pages);
    let mut got: Vec<Record> = reader.by_ref().take(10).map(|r| r.unwrap()).collect();
    let mut writer = SqliteWriter::create(&path, "live.db").unwrap();
    for f in &frames[30_000..] {
        writer.write(&Record::Frame(*f)).unwrap();
    }
    writer.finish().unwrap();
    got.extend(reader.by_ref().map(|r| r.unwrap()));
    assert_eq!(reader.read_path(), ReadPath::Sqlite);
    assert_eq!(got.len(), 40_000);
    let back: Vec<Frame> = got
        .into_iter()
        .map(|r| match r {
            Record::Frame(f) => f,
            other => panic!("{other:?}"),
        })
        .collect();
    for (got, sent) in back.iter().zip(&frames) {
        assert_eq!(got.with_timestamp(sent.timestamp), *sent);
    }
}

/// Read `path` on a thread, within a time limit: `None` if the reader could not open it.
fn read_in_time(path: &Path, read_path: ReadPath) -> Option<(Vec<Item>, ReadPath)> {
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::spawn(move || {
        let result = SqliteReader::open_with(&owned, "t.db", read_path).ok().map(|mut reader| {
            let items: Vec<Item> = reader.by_ref().map(|r| r.map_err(|e| e.to_string())).collect();
            (items, reader.read_path())
        });
        let _ = tx.send(result);
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("reader hung or panicked")
}

/// A damaged file: bytes of its b-tree pages changed at random (page headers, cell pointers,
/// cells, records). The pages path must never panic or hang, and while it does not fall back it
/// must yield what SQLite yields.
#[test]
fn damaged_pages_never_panic_hang_or_differ_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    create_with_page_size(&base, 1024);
    write_frames(&base, &varied_frames(6_000, 300));
    let pristine = std::fs::read(&base).unwrap();
    let pages = pristine.len() / 1024;
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut stayed, mut fell_back, mut refused) = (0, 0, 0);
    let path = dir.path().join("damaged.db");
    for _ in 0..150 {
        let mut bytes = pristine.clone();
        for _ in 0..1 + next() % 4 {
            // Not page 1: a damaged schema is SQLite's business alone.
            let page = 1 + (next() as usize % (pages - 1));
            let offset = match next() % 3 {
                0 => next() as usize % 16,
                1 => next() as usize % 64,
                _ => next() as usize % 1024,
            };
            bytes[page * 1024 + offset] ^= 1 << (next() % 8);
        }
        std::fs::write(&path, &bytes).unwrap();
        let by_sqlite = read_in_time(&path, ReadPath::Sqlite);
        let Some((by_pages, read_path)) = read_in_time(&path, ReadPath::Pages) else {
            refused += 1;
            continue;
        };
        match read_path {
            ReadPath::Pages => {
                stayed += 1;
                let (by_sqlite, _) = by_sqlite.expect("SQLite opens what the pages path read");
                assert_eq!(by_pages, by_sqlite, "pages path read a damaged file differently");
            }
            ReadPath::Sqlite => fell_back += 1,
        }
    }
    eprintln!("damaged files: {stayed} read by pages, {fell_back} fell back, {refused} refused");
    assert!(stayed > 10 && fell_back > 10, "{stayed} read by pages, {fell_back} fell back");
}

#[test]
fn truncated_files_never_panic_hang_or_differ_from_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    write_frames(&base, &varied_frames(20_000, 500));
    let pristine = std::fs::read(&base).unwrap();
    let path = dir.path().join("cut.db");
    let len = pristine.len();
    let page = match u16::from_be_bytes([pristine[16], pristine[17]]) {
        1 => 65536,
        n => n as usize,
    };
    for cut in [100, page, 2 * page, len / 4, len / 2, len - page - 1, len - page, len - 1] {
        for header_agrees in [false, true] {
            let mut bytes = pristine[..cut].to_vec();
            if header_agrees && cut >= 100 {
                // The header's page count says the file is as long as it is now.
                bytes[28..32].copy_from_slice(&((cut / page) as u32).to_be_bytes());
            }
            std::fs::write(&path, &bytes).unwrap();
            let by_sqlite = read_in_time(&path, ReadPath::Sqlite);
            if let Some((by_pages, ReadPath::Pages)) = read_in_time(&path, ReadPath::Pages) {
                let (by_sqlite, _) = by_sqlite.expect("SQLite opens what the pages path read");
                assert_eq!(by_pages, by_sqlite, "cut at {cut}");
            }
        }
    }
}
