//! python-can's SQLite logs (`.db`, `.sqlite`): table `messages` with exactly the columns
//! python-can's `SqliteWriter` creates and its `SqliteReader` reads back with `SELECT *`:
//!
//! ```sql
//! CREATE TABLE messages (ts REAL, arbitration_id INTEGER, extended INTEGER, remote INTEGER,
//!                        error INTEGER, dlc INTEGER, data BLOB)
//! ```
//!
//! python-can unpacks `SELECT *` into those seven values, so `messages` cannot grow extra
//! columns. What python-can's layout has no column for (channel, direction, CAN FD, BRS, ESI and
//! the raw DLC 9–15 of a classic 8-byte frame) goes into a side table python-can never looks at:
//!
//! ```sql
//! CREATE TABLE cankit_runs (first_rowid INTEGER PRIMARY KEY, channel, is_fd INTEGER,
//!                           bitrate_switch INTEGER, error_state_indicator INTEGER,
//!                           is_rx INTEGER, raw_dlc INTEGER)
//! ```
//!
//! One row per *run*: the attributes hold for every `messages` row from `first_rowid` up to the
//! next run. A recording on one channel costs one side row, not one per frame. Every commit ends
//! with a run of python-can's defaults at the next rowid, so rows python-can appends later are
//! read as what python-can meant (no channel, classic, received). Rows before the first run
//! (a python-can file cankit appended to) get the same defaults.
//!
//! Writing ([`SqliteWriter`], in `writer.rs`) is batched: prepared statements inserting 16 rows
//! each, 65,536 rows per transaction, rollback journal with `synchronous=FULL` (SQLite's
//! defaults, so a committed transaction survives a crash or power loss, and the file stays a
//! plain database python-can opens). Files it creates get 64 KiB pages (fewer page splits per
//! row; any page size opens everywhere). Every frame is stored;
//! [`LogWriter::flush`](super::LogWriter::flush) commits, `finish` commits and closes, and
//! dropping the writer finishes it. Events (markers, comments, bus states) have no place in the
//! layout and are counted in the writer's losses. Timestamps are python-can's REAL seconds: a
//! double holds a UNIX time to about 0.24 µs, so nanoseconds are rounded to that. Readers and
//! writers wait up to 5 s for another connection's lock, as python's `sqlite3` does.
//!
//! Reading ([`SqliteReader`], in `reader.rs`) streams the rows in rowid order with constant
//! memory, by one of two paths that yield the same records:
//!
//! * **pages** (`pages.rs`): the table b-trees of `messages` and `cankit_runs` are walked straight
//!   from the database file's pages, read through SQLite's own file handle under its shared lock,
//!   and the records decoded from the page bytes. Taken when it is safe: a rollback-journal file
//!   in UTF-8 with no journal or WAL beside it, and exactly the layout above. It is there for
//!   speed alone: 5.1 times as fast as the SQLite path on 1M classic frames, 3.3 times on 1M CAN FD
//!   frames (`cargo bench --bench log_formats`, which times both), with a fifth of the
//!   instructions; it is to go if that ever falls below 1.5.
//! * **SQLite** (`reader.rs`): SQLite's query API, for everything else (WAL-mode files, files being
//!   written, other column orders). The pages path switches to it for the rest of the rows as
//!   soon as it meets anything it does not handle (overflow pages, a damaged page, a file changed
//!   by a writer), so it never guesses.
//!
//! Both decode a row's values with the same function, `decode_row` (the pages path tries
//! `decode_usual_row` first, a shortcut for the classic data frame that is tested to agree with
//! it): a row with values python-can would not have written yields a recoverable
//! [`LogError::Malformed`] at [`Location::Row`] (the row's rowid), and reading goes on. Both read
//! on two cores, in chunks of rows decoded in turn by two lanes (see `reader.rs`).

mod pages;
mod reader;
mod writer;

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{Location, LogError};
use crate::frame::{Channel, Direction, Frame, Timestamp, MAX_CLASSIC_DATA, MAX_DATA};

pub use reader::{ReadPath, SqliteReader};
pub use writer::SqliteWriter;

/// python-can's table, columns in the order its reader unpacks them.
const MESSAGES_COLUMNS: [(&str, &str); 7] = [
    ("ts", "REAL"),
    ("arbitration_id", "INTEGER"),
    ("extended", "INTEGER"),
    ("remote", "INTEGER"),
    ("error", "INTEGER"),
    ("dlc", "INTEGER"),
    ("data", "BLOB"),
];

/// python-can's `CREATE TABLE`, as its `SqliteWriter._create_db` issues it.
const CREATE_MESSAGES: &str = "CREATE TABLE IF NOT EXISTS messages (ts REAL, arbitration_id INTEGER, \
     extended INTEGER, remote INTEGER, error INTEGER, dlc INTEGER, data BLOB)";

const RUNS_COLUMNS: [(&str, &str); 7] = [
    ("first_rowid", "INTEGER"),
    ("channel", ""),
    ("is_fd", "INTEGER"),
    ("bitrate_switch", "INTEGER"),
    ("error_state_indicator", "INTEGER"),
    ("is_rx", "INTEGER"),
    ("raw_dlc", "INTEGER"),
];

/// `channel` has no declared type, so SQLite keeps integers as integers and names as text.
const CREATE_RUNS: &str = "CREATE TABLE IF NOT EXISTS cankit_runs (first_rowid INTEGER PRIMARY KEY, \
     channel, is_fd INTEGER, bitrate_switch INTEGER, error_state_indicator INTEGER, \
     is_rx INTEGER, raw_dlc INTEGER)";

/// What python-can's columns cannot say about a frame; constant over a run of rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Extras {
    channel: Channel,
    fd: bool,
    brs: bool,
    esi: bool,
    tx: bool,
    /// Raw DLC 9–15 of a classic 8-byte frame, 0 when unused.
    raw_dlc: u8,
}

impl Extras {
    fn of(frame: &Frame) -> Extras {
        Extras {
            channel: frame.channel,
            fd: frame.is_fd(),
            brs: frame.brs(),
            esi: frame.esi(),
            tx: frame.direction == Direction::Tx,
            raw_dlc: frame.len8_dlc().unwrap_or(0),
        }
    }
}

fn db_error(name: &str, context: &str, e: rusqlite::Error) -> LogError {
    LogError::Invalid { path: name.to_string(), message: format!("{context}: {e}") }
}

/// The columns of `table` as (name, declared type), empty if the table does not exist.
fn table_columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(1)?, row.get::<_, String>(2)?)))?;
    rows.collect()
}

fn columns_match(found: &[(String, String)], expected: &[(&str, &str)]) -> bool {
    found.len() == expected.len()
        && found
            .iter()
            .zip(expected)
            .all(|((name, ty), (en, et))| name.eq_ignore_ascii_case(en) && ty.eq_ignore_ascii_case(et))
}

fn describe(columns: &[(String, String)]) -> String {
    columns.iter().map(|(n, t)| format!("{n} {t}").trim_end().to_string()).collect::<Vec<_>>().join(", ")
}

/// python-can tests these with bool(): NULL is false.
fn flag_of(v: ValueRef<'_>, column: &str) -> Result<bool, String> {
    match v {
        ValueRef::Integer(i) => Ok(i != 0),
        ValueRef::Real(r) => Ok(r != 0.0),
        ValueRef::Null => Ok(false),
        _ => Err(format!("'{column}' is not a number")),
    }
}

/// One `messages` row's values, in [`MESSAGES_COLUMNS`] order (ts, arbitration_id, extended,
/// remote, error, dlc, data) as SQLite returns them, as a frame, or what is wrong with it.
/// A row marked 11-bit whose id needs 29 bits is kept as 29-bit and counted in `mended`.
fn decode_row(
    values: &[ValueRef<'_>; 7],
    extras: Extras,
    mended: &std::sync::atomic::AtomicU64,
) -> Result<Frame, String> {
    let ts = match values[0] {
        ValueRef::Real(r) if r.is_finite() => r,
        ValueRef::Integer(i) => i as f64,
        _ => return Err("'ts' is not a number of seconds".into()),
    };
    let id = match values[1] {
        ValueRef::Integer(i) => {
            u32::try_from(i).map_err(|_| format!("'arbitration_id' {i} is out of range"))?
        }
        _ => return Err("'arbitration_id' is not an integer".into()),
    };
    let remote = flag_of(values[3], "remote")?;
    let error = flag_of(values[4], "error")?;
    // An id above 0x7FF in a row marked 11-bit can only be a 29-bit id (an error frame's id is
    // its class).
    let (extended, repair) = match flag_of(values[2], "extended")? {
        extended if error => (extended, None),
        extended => crate::log::mend_extended(id, extended),
    };
    let data: &[u8] = match values[6] {
        ValueRef::Blob(b) => b,
        ValueRef::Null => &[],
        _ => return Err("'data' is not a blob".into()),
    };
    if data.len() > MAX_DATA {
        return Err(format!("'data' holds {} bytes (at most 64 fit in a frame)", data.len()));
    }
    let dlc = match values[5] {
        ValueRef::Null => data.len() as i64,
        ValueRef::Integer(d) => d,
        _ => return Err("'dlc' is not an integer".into()),
    };
    if remote && error {
        return Err("row is marked both remote and error frame".into());
    }
    let frame = if error {
        if data.len() > 8 {
            return Err(format!("error frame with {} data bytes (at most 8)", data.len()));
        }
        let mut detail = [0u8; 8];
        detail[..data.len()].copy_from_slice(data);
        Frame::new_error(id, detail)
    } else if remote {
        let len = u8::try_from(dlc)
            .ok()
            .filter(|&l| l as usize <= MAX_CLASSIC_DATA)
            .ok_or_else(|| format!("remote frame with dlc {dlc} (at most 8)"))?;
        Frame::new_remote(id, extended, len).map(|f| f.with_len8_dlc(extras.raw_dlc))
    } else if extras.fd || data.len() > MAX_CLASSIC_DATA {
        // More than 8 bytes without cankit's FD flag: python-can's writer drops is_fd.
        Frame::new_fd_padded(id, extended, data, extras.fd && extras.brs, extras.fd && extras.esi)
    } else {
        Frame::new_data(id, extended, data).map(|f| f.with_len8_dlc(extras.raw_dlc))
    }
    .map_err(|e| e.to_string())?;
    if repair.is_some() {
        mended.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let direction = if extras.tx { Direction::Tx } else { Direction::Rx };
    Ok(frame.with_timestamp(timestamp_of(ts)).with_channel(extras.channel).with_direction(direction))
}

/// [`decode_row`] for the usual row, straight from its record bytes as they lie in the file
/// (SQLite's record format): a classic data frame, written by python-can or cankit, in a
/// classic run. `None` for anything else (remote, error and FD frames, unusual value types,
/// values out of range, a record that does not add up), which the caller decodes with
/// [`decode_row`]; so this only has to be exact where it answers. It skips building the seven
/// values and goes straight to the frame, which makes most rows cheaper to read.
#[inline(always)]
fn decode_usual_row(record: &[u8], extras: Extras) -> Option<Frame> {
    if extras.fd {
        return None;
    }
    // A one-byte header size (8) and seven one-byte serial types.
    let (&[8, ts_type, id_type, extended_type, remote_type, error_type, dlc_type, data_type], body) =
        record.split_first_chunk::<8>()?
    else {
        return None;
    };
    // remote and error must be the constant 0 (serial type 8), dlc NULL or any integer (a data
    // frame's length is its data's), data NULL or a blob of at most 8 bytes.
    if remote_type != 8 || error_type != 8 {
        return None;
    }
    let dlc_size = match dlc_type {
        0 | 8 | 9 => 0,
        1..=6 => integer_size(dlc_type),
        _ => return None,
    };
    let data_size = match data_type {
        0 => 0,
        12..=28 if data_type % 2 == 0 => (data_type as usize - 12) / 2,
        _ => return None,
    };
    let (ts, body) = match ts_type {
        7 => {
            let (bytes, rest) = body.split_first_chunk::<8>()?;
            (f64::from_bits(u64::from_be_bytes(*bytes)), rest)
        }
        // REAL affinity: a whole number stored as an integer reads as a real.
        _ => {
            let (value, rest) = integer(ts_type, body)?;
            (value as f64, rest)
        }
    };
    if !ts.is_finite() {
        return None;
    }
    let (id, body) = integer(id_type, body)?;
    let id = u32::try_from(id).ok()?;
    let (extended, body) = integer(extended_type, body)?;
    let data = body.get(dlc_size..)?;
    if data.len() != data_size {
        return None;
    }
    let frame = Frame::new_data(id, extended != 0, data).ok()?;
    let direction = if extras.tx { Direction::Tx } else { Direction::Rx };
    Some(
        frame
            .with_len8_dlc(extras.raw_dlc)
            .with_timestamp(timestamp_of(ts))
            .with_channel(extras.channel)
            .with_direction(direction),
    )
}

/// Bytes of an integer of serial type 1–6.
fn integer_size(serial_type: u8) -> usize {
    [0, 1, 2, 3, 4, 6, 8][serial_type as usize]
}

/// An integer of serial type 1–6, 8 or 9 at the start of `body`, and what follows it.
#[inline(always)]
fn integer(serial_type: u8, body: &[u8]) -> Option<(i64, &[u8])> {
    match serial_type {
        8 => Some((0, body)),
        9 => Some((1, body)),
        1..=6 => {
            let size = integer_size(serial_type);
            let (bytes, rest) = body.split_at_checked(size)?;
            // Big-endian two's complement, sign-extended from the first byte.
            let value = bytes[1..].iter().fold(bytes[0] as i8 as i64, |v, &b| (v << 8) | b as i64);
            Some((value, rest))
        }
        _ => None,
    }
}

/// [`Timestamp::from_secs_f64`], exactly, without its two calls into libm (`floor`, `round`)
/// for the seconds of any UNIX time from 1970 to 2106; other values go to it.
#[inline(always)]
fn timestamp_of(secs: f64) -> Timestamp {
    if (0.0..4_294_967_296.0).contains(&secs) {
        // Truncation is floor for non-negative values, and `secs - whole` is exact.
        let whole = secs as i64;
        let frac = (secs - whole as f64) * 1e9;
        // f64::round for a non-negative value: halves go up. `frac - truncated` is exact too.
        let truncated = frac as i64;
        let nanos = truncated + (frac - truncated as f64 >= 0.5) as i64;
        Timestamp(whole * 1_000_000_000 + nanos)
    } else {
        Timestamp::from_secs_f64(secs)
    }
}

/// A `cankit_runs` row's attributes (channel, is_fd, bitrate_switch, error_state_indicator,
/// is_rx, raw_dlc: the columns after `first_rowid`), or `None` if unreadable.
fn decode_run(values: &[ValueRef<'_>; 6]) -> Option<Extras> {
    let flag = |v: ValueRef<'_>| match v {
        ValueRef::Integer(i) => Some(i != 0),
        ValueRef::Null => Some(false),
        _ => None,
    };
    let channel = match values[0] {
        ValueRef::Null => Channel::NONE,
        ValueRef::Integer(n) => Channel::number(u32::try_from(n).ok()?),
        ValueRef::Text(t) => Channel::name(std::str::from_utf8(t).ok()?),
        _ => return None,
    };
    let is_rx = match values[4] {
        ValueRef::Null => true,
        v => flag(v)?,
    };
    let raw_dlc = match values[5] {
        ValueRef::Null => 0,
        ValueRef::Integer(d @ 9..=15) => d as u8,
        _ => return None,
    };
    Some(Extras {
        channel,
        fd: flag(values[1])?,
        brs: flag(values[2])?,
        esi: flag(values[3])?,
        tx: !is_rx,
        raw_dlc,
    })
}

/// A malformed row's error, at its rowid.
fn row_error(name: &str, rowid: i64, message: String) -> LogError {
    LogError::malformed(name, Location::Row(rowid as u64), message)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::log::{create_writer, open_reader, Event, EventKind, LogWriter, Record};

    fn frames() -> Vec<Frame> {
        let t = |n: i64| Timestamp::from_parts(1_700_000_000 + n, 250_000_000);
        vec![
            Frame::new_data(0x123, false, &[1, 2, 3]).unwrap().with_timestamp(t(0)),
            Frame::new_data(0x1234567, true, &[9; 8])
                .unwrap()
                .with_len8_dlc(13)
                .with_channel(Channel::name("can1"))
                .with_timestamp(t(1)),
            Frame::new_remote(0x7FF, false, 4).unwrap().with_channel(Channel::number(2)).with_timestamp(t(2)),
            Frame::new_fd(0x10, false, &[7; 64], true, false)
                .unwrap()
                .with_direction(Direction::Tx)
                .with_timestamp(t(3)),
            Frame::new_error(0x4, [0, 8, 0, 0, 0, 0, 0, 0]).unwrap().with_timestamp(t(4)),
        ]
    }

    fn read(path: &Path) -> Vec<Result<Record, LogError>> {
        open_reader(path, None, &Default::default()).unwrap().collect()
    }

    /// Random records (serial types drawn from the ones SQLite writes and a few it does not,
    /// bodies of the right size or one byte off) and run attributes: whenever the shortcut
    /// answers, the general decoding agrees.
    #[test]
    fn usual_rows_decode_as_decode_row_does() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let size = |t: u8| match t {
            0 | 8 | 9 | 10 | 11 => 0,
            1..=6 => integer_size(t),
            7 => 8,
            t => (t as usize - 12) / 2,
        };
        let extras = [
            Extras::default(),
            Extras { channel: Channel::name("can0"), tx: true, raw_dlc: 13, ..Extras::default() },
            Extras { fd: true, brs: true, ..Extras::default() },
            Extras { channel: Channel::number(7), raw_dlc: 9, ..Extras::default() },
        ];
        let mut answered = 0;
        for _ in 0..300_000 {
            let usual = next() % 4 != 0;
            let pick = |r: u64, usual_types: &[u8], any: &[u8]| {
                let choices = if usual { usual_types } else { any };
                choices[r as usize % choices.len()]
            };
            const ANY: &[u8] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 20, 28, 30, 141];
            let types = [
                pick(next(), &[7, 7, 7, 1, 5, 6, 8], ANY),
                pick(next(), &[1, 2, 3, 4, 5, 6, 8, 9], ANY),
                pick(next(), &[8, 9, 1], ANY),
                pick(next(), &[8, 8, 8, 9, 1], ANY),
                pick(next(), &[8, 8, 8, 9, 1], ANY),
                pick(next(), &[1, 0, 8, 9, 2], ANY),
                pick(next(), &[12, 14, 18, 22, 28, 0, 30, 13], ANY),
            ];
            let mut record = vec![8u8];
            record.extend_from_slice(&types);
            for (column, &t) in types.iter().enumerate() {
                let mut bytes: Vec<u8> = (0..size(t)).map(|_| next() as u8).collect();
                if column == 0 && t == 7 && next() % 2 == 0 {
                    let secs = 1_700_000_000.0 + (next() % 1_000_000_000) as f64 * 1e-6;
                    bytes = f64::to_be_bytes(secs).to_vec();
                }
                if (1..=6).contains(&t) && next() % 2 == 0 {
                    // Small non-negative values, so that ids and flags are often in range.
                    bytes.iter_mut().for_each(|b| *b = 0);
                    if let Some(last) = bytes.last_mut() {
                        *last = next() as u8 & 0x7F;
                    }
                }
                record.extend_from_slice(&bytes);
            }
            match next() % 16 {
                0 => record.push(0),
                1 => {
                    record.pop();
                }
                _ => {}
            }
            let extras = extras[next() as usize % extras.len()];
            let mut values = [ValueRef::Null; 7];
            let general = pages::record(&record, &mut values).ok().map(|()| {
                if let ValueRef::Integer(i) = values[0] {
                    values[0] = ValueRef::Real(i as f64);
                }
                decode_row(&values, extras, &Default::default())
            });
            if let Some(frame) = decode_usual_row(&record, extras) {
                assert_eq!(general, Some(Ok(frame)), "record {record:02x?}, {extras:?}");
                answered += 1;
            }
        }
        assert!(answered > 20_000, "the shortcut answered only {answered} times");
    }

    #[test]
    fn timestamps_convert_exactly_as_frame_does() {
        let mut cases = vec![0.0, -0.0, 0.5e-9, 1.5e-9, 2.5e-9, 0.49999999999999994, 1_700_000_000.123_456_7];
        cases.extend([4_294_967_295.999_999_9, 4_294_967_296.0, -1.5, -0.3e-9, 1e300, f64::MIN_POSITIVE]);
        // Pseudo-random doubles across the whole range of bit patterns, and UNIX times.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(f64::from_bits(x));
            cases.push((x >> 11) as f64 / (1u64 << 53) as f64 * 4_400_000_000.0);
            cases.push(1_700_000_000.0 + (x % 1_000_000_000) as f64 * 1e-9);
        }
        for secs in cases {
            assert_eq!(timestamp_of(secs), Timestamp::from_secs_f64(secs), "{secs:e}");
        }
    }

    #[test]
    fn frames_come_back_with_channel_direction_and_fd_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut w = create_writer(&path, None, &Default::default()).unwrap();
        for f in frames() {
            w.write(&Record::Frame(f)).unwrap();
        }
        w.write(&Record::Event(Event {
            timestamp: Timestamp::ZERO,
            channel: Channel::NONE,
            kind: EventKind::Marker("m".into()),
        }))
        .unwrap();
        w.finish().unwrap();
        assert_eq!(w.losses().values().sum::<u64>(), 1);
        let back: Vec<Record> = read(&path).into_iter().map(|r| r.unwrap()).collect();
        let expected: Vec<Record> = frames().into_iter().map(Record::Frame).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn appending_keeps_earlier_rows_and_dropping_the_writer_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        for f in frames() {
            let mut w = SqliteWriter::create(&path, "t.db").unwrap();
            w.write(&Record::Frame(f)).unwrap();
        }
        let back: Vec<Record> = read(&path).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(back, frames().into_iter().map(Record::Frame).collect::<Vec<_>>());
    }

    #[test]
    fn other_table_layout_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE messages (a, b)").unwrap();
        let e = SqliteWriter::create(&path, "other.db").err().unwrap();
        assert!(e.to_string().starts_with("other.db: cannot append: table 'messages'"), "{e}");
        let e = SqliteReader::open(&path, "other.db").err().unwrap();
        assert!(e.to_string().contains("not a python-can SQLite log"), "{e}");
    }

    #[test]
    fn file_that_is_not_a_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "just some text, certainly not SQLite's header\n".repeat(100)).unwrap();
        let e = SqliteReader::open(&path, "notes.db").err().unwrap();
        assert!(e.to_string().starts_with("notes.db: not a python-can SQLite log"), "{e}");
        let e = SqliteWriter::create(&path, "notes.db").err().unwrap();
        assert!(e.to_string().starts_with("notes.db: exists and is not an SQLite database"), "{e}");
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("just some text"));
    }

    #[test]
    fn sparse_rowids_read_in_order_through_both_paths() {
        // Rowids from 0 to 2^62: the SQLite path cuts the span into a bounded number of chunk
        // queries (a damaged file like this once took a million queries and 11 s).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(CREATE_MESSAGES).unwrap();
        conn.execute_batch(
            "INSERT INTO messages (rowid, ts, arbitration_id, extended, remote, error, dlc, data)
               VALUES (4611686018427387904, 3.0, 3, 0, 0, 0, 0, x'');
             INSERT INTO messages (rowid, ts, arbitration_id, extended, remote, error, dlc, data)
               VALUES (0, 1.0, 1, 0, 0, 0, 0, x'');
             INSERT INTO messages (rowid, ts, arbitration_id, extended, remote, error, dlc, data)
               VALUES (1000000, 2.0, 2, 0, 0, 0, 0, x'');",
        )
        .unwrap();
        drop(conn);
        for read_path in [ReadPath::Pages, ReadPath::Sqlite] {
            let ids: Vec<u32> = SqliteReader::open_with(&path, "sparse.db", read_path)
                .unwrap()
                .map(|r| match r.unwrap() {
                    Record::Frame(f) => f.id(),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(ids, [1, 2, 3], "{read_path:?}");
        }
    }

    #[test]
    fn malformed_rows_are_reported_by_rowid_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(CREATE_MESSAGES).unwrap();
        conn.execute_batch(
            "INSERT INTO messages VALUES (1.5, 291, 0, 0, 0, 2, x'0102');
             INSERT INTO messages VALUES ('noon', 291, 0, 0, 0, 0, x'');
             INSERT INTO messages VALUES (2.5, 536870912, 0, 0, 0, 0, x'');
             INSERT INTO messages VALUES (3.5, 1, 0, 1, 0, 9, NULL);
             INSERT INTO messages VALUES (4.5, 1, 1, 0, 0, 12, x'000102030405060708090a0b');",
        )
        .unwrap();
        drop(conn);
        for read_path in [ReadPath::Pages, ReadPath::Sqlite] {
            let mut reader = SqliteReader::open_with(&path, "bad.db", read_path).unwrap();
            let items: Vec<_> = reader.by_ref().collect();
            assert_eq!(reader.read_path(), read_path);
            assert_eq!(items.len(), 5);
            assert!(items[0].is_ok() && items[4].is_ok());
            for (i, row) in [(1, 2), (2, 3), (3, 4)] {
                let e = items[i].as_ref().unwrap_err();
                assert!(e.is_recoverable());
                assert!(e.to_string().contains(&format!("bad.db:row {row}: ")), "{e}");
            }
            // python-can's writer drops is_fd: more than 8 bytes can only be CAN FD.
            let Ok(Record::Frame(fd)) = &items[4] else { panic!() };
            assert!(fd.is_fd() && fd.len() == 12);
        }
    }
}
