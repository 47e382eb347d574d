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
//! Writing is batched: one prepared statement, 65,536 rows per transaction, rollback journal with
//! `synchronous=FULL` (SQLite's defaults, so a committed transaction survives a crash or power
//! loss, and the file stays a plain database python-can opens). Every frame is stored;
//! [`LogWriter::flush`] commits, [`LogWriter::finish`] commits and closes, and dropping the writer
//! finishes it. Events (markers, comments, bus states) have no place in the layout and are counted
//! in [`LogWriter::losses`]. Timestamps are python-can's REAL seconds: a double holds a UNIX time
//! to about 0.24 µs, so nanoseconds are rounded to that.
//!
//! Reading streams pages of rows by rowid (`WHERE rowid > ? ORDER BY rowid LIMIT ?`), so memory
//! stays constant whatever the table size. A row with values python-can would not have written
//! yields a recoverable [`LogError::Malformed`] at [`Location::Row`] (the row's rowid), and reading
//! goes on.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{count, Counts, EventKind, Location, LogError, LogReader, LogWriter, Record};
use crate::frame::{Channel, Direction, Frame, Timestamp, MAX_CLASSIC_DATA, MAX_DATA};

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

const INSERT_MESSAGE: &str = "INSERT INTO messages (ts, arbitration_id, extended, remote, error, dlc, data) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

const INSERT_RUN: &str = "INSERT OR REPLACE INTO cankit_runs (first_rowid, channel, is_fd, bitrate_switch, \
     error_state_indicator, is_rx, raw_dlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Rows per transaction: large enough that the commit's fsyncs cost nothing per frame, small
/// enough that the page cache holds the transaction and an interrupted recording loses little.
const ROWS_PER_TRANSACTION: u64 = 65_536;
/// Frames collected before they go through the prepared statement in one go.
const WRITE_BATCH: usize = 4096;
/// SQLite page cache, in KiB (negative `cache_size`): holds one whole transaction of FD frames.
const CACHE_KIB: i64 = 16 * 1024;

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

// ------------------------------------------------------------------------------------------------
// Reader

/// Streams the frames of a python-can (or cankit) SQLite log in rowid order.
///
/// The table is cut into chunks of consecutive rowids; [`LANES`] worker threads, each with its
/// own read-only connection and prepared statements, decode alternate chunks into batches of
/// records and hand them over through bounded channels, so decoding uses both cores and memory
/// stays at a few batches per lane. The iterator takes chunk after chunk from the lanes in turn,
/// which keeps rowid order; emptied batches go back to their lane for reuse.
pub struct SqliteReader {
    skipped: Counts,
    lanes: Vec<Lane>,
    /// Index of the chunk being read; its lane is `chunk % lanes.len()`.
    chunk: usize,
    /// Records of the current batch.
    batch: Records,
    /// The current batch ends its chunk.
    batch_ends_chunk: bool,
    done: bool,
}

/// A batch of decoded rows, in rowid order.
type Records = VecDeque<Result<Record, LogError>>;

/// Worker threads decoding chunks.
const LANES: usize = 2;
/// Records per batch sent from a worker.
const BATCH: usize = 4096;
/// Batches a worker may have waiting.
const BATCHES_IN_FLIGHT: usize = 4;

struct Lane {
    batches: Option<Receiver<Batch>>,
    recycle: Option<SyncSender<Records>>,
    thread: Option<JoinHandle<()>>,
}

struct Batch {
    records: Records,
    /// Last batch of its chunk.
    ends_chunk: bool,
}

/// What a worker needs to know about the file.
#[derive(Clone)]
struct Plan {
    name: String,
    has_runs: bool,
    first_rowid: i64,
    last_rowid: i64,
    /// Rowids per chunk.
    chunk_rowids: i64,
    chunks: usize,
}

fn open_read_only(path: &Path, name: &str) -> Result<Connection, LogError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags).map_err(|e| db_error(name, "cannot open", e))
}

impl SqliteReader {
    /// Open `path` read-only. Fails with a message naming the file when it is not an SQLite
    /// database or has no python-can `messages` table.
    pub fn open(path: &Path, name: &str) -> Result<SqliteReader, LogError> {
        std::fs::metadata(path).map_err(|e| LogError::io(name, "cannot open", e))?;
        let conn = open_read_only(path, name)?;
        let not_python_can = |detail: String| LogError::Invalid {
            path: name.to_string(),
            message: format!("not a python-can SQLite log: {detail}"),
        };
        let messages = table_columns(&conn, "messages")
            .map_err(|e| not_python_can(format!("cannot read it as an SQLite database ({e})")))?;
        if messages.is_empty() {
            return Err(not_python_can("it has no table 'messages'".into()));
        }
        let has_all = MESSAGES_COLUMNS
            .iter()
            .all(|(want, _)| messages.iter().any(|(n, _)| n.eq_ignore_ascii_case(want)));
        if !has_all {
            return Err(not_python_can(format!(
                "table 'messages' has columns ({}), expected ({})",
                describe(&messages),
                MESSAGES_COLUMNS.iter().map(|(n, t)| format!("{n} {t}")).collect::<Vec<_>>().join(", ")
            )));
        }
        // Fail now, with the file's name, if the table cannot be read in rowid order (a view, a
        // WITHOUT ROWID table).
        conn.prepare(SELECT_CHUNK)
            .map_err(|e| not_python_can(format!("cannot read table 'messages' in row order ({e})")))?;
        // Two queries: SQLite answers each from the b-tree's edge, but `min(), max()` together
        // would scan the table.
        let edge = |sql: &str| -> Result<Option<i64>, LogError> {
            conn.query_row(sql, [], |r| r.get(0)).map_err(|e| db_error(name, "reading 'messages'", e))
        };
        let first = edge("SELECT min(rowid) FROM messages")?;
        let last = edge("SELECT max(rowid) FROM messages")?;
        let mut skipped = Counts::new();
        let runs = table_columns(&conn, "cankit_runs").unwrap_or_default();
        let has_runs = columns_match(&runs, &RUNS_COLUMNS);
        if !runs.is_empty() && !has_runs {
            count(
                &mut skipped,
                "unknown 'cankit_runs' table ignored (channel, direction and FD flags not restored)",
            );
        }
        drop(conn);
        let mut reader = SqliteReader {
            skipped,
            lanes: Vec::new(),
            chunk: 0,
            batch: VecDeque::new(),
            batch_ends_chunk: false,
            done: false,
        };
        let (Some(first), Some(last)) = (first, last) else {
            reader.done = true;
            return Ok(reader);
        };
        // Dense tables (python-can's and cankit's) get chunks of CHUNK_ROWIDS rows; sparse
        // rowids get wider chunks so that the number of chunks stays bounded.
        let span = (last as i128 - first as i128 + 1) as u128;
        let chunk_rowids = (span.div_ceil(MAX_CHUNKS as u128) as i64).max(CHUNK_ROWIDS);
        let chunks = span.div_ceil(chunk_rowids as u128) as usize;
        let plan = Plan {
            name: name.to_string(),
            has_runs,
            first_rowid: first,
            last_rowid: last,
            chunk_rowids,
            chunks,
        };
        for lane in 0..LANES.min(chunks) {
            let conn = open_read_only(path, name)?;
            let _ = conn.execute_batch("PRAGMA cache_size = -4096");
            let (batch_tx, batch_rx) = sync_channel(BATCHES_IN_FLIGHT);
            let (recycle_tx, recycle_rx) = sync_channel(BATCHES_IN_FLIGHT + 1);
            let plan = plan.clone();
            let lanes = LANES.min(chunks);
            let thread = std::thread::Builder::new()
                .name(format!("sqlite-read-{lane}"))
                .spawn(move || decode_chunks(conn, &plan, lane, lanes, &batch_tx, &recycle_rx))
                .map_err(|e| LogError::io(name, "starting a reader thread", e))?;
            reader.lanes.push(Lane {
                batches: Some(batch_rx),
                recycle: Some(recycle_tx),
                thread: Some(thread),
            });
        }
        Ok(reader)
    }
}

/// Rowids per chunk in a dense table.
const CHUNK_ROWIDS: i64 = 16_384;
/// Most chunks a table is cut into, however sparse its rowids.
const MAX_CHUNKS: i64 = 1 << 20;

const SELECT_CHUNK: &str = "SELECT rowid, ts, arbitration_id, extended, remote, error, dlc, data \
     FROM messages WHERE rowid >= ?1 AND rowid <= ?2 ORDER BY rowid";

const SELECT_RUN_AT: &str = "SELECT first_rowid, channel, is_fd, bitrate_switch, error_state_indicator, \
     is_rx, raw_dlc FROM cankit_runs WHERE first_rowid <= ?1 ORDER BY first_rowid DESC LIMIT 1";

const SELECT_RUNS: &str = "SELECT first_rowid, channel, is_fd, bitrate_switch, error_state_indicator, \
     is_rx, raw_dlc FROM cankit_runs WHERE first_rowid > ?1 AND first_rowid <= ?2 ORDER BY first_rowid";

/// A worker: decode chunks `lane`, `lane + lanes`, … and send them in batches. Stops when the
/// reader is dropped (the channel closes) or SQLite fails (sent as the last record).
fn decode_chunks(
    conn: Connection,
    plan: &Plan,
    lane: usize,
    lanes: usize,
    out: &SyncSender<Batch>,
    recycle: &Receiver<Records>,
) {
    let fresh = || recycle.try_recv().unwrap_or_else(|_| VecDeque::with_capacity(BATCH));
    let mut runs = VecDeque::new();
    for chunk in (lane..plan.chunks).step_by(lanes) {
        let lo = plan.first_rowid.saturating_add((chunk as i64).saturating_mul(plan.chunk_rowids));
        let hi = lo.saturating_add(plan.chunk_rowids - 1).min(plan.last_rowid);
        let mut records = fresh();
        let result = decode_chunk(&conn, plan, lo, hi, &mut runs, &mut records, &mut |full| {
            let next = fresh();
            out.send(Batch { records: std::mem::replace(full, next), ends_chunk: false }).is_ok()
        });
        let stop = match result {
            Ok(true) => false,
            Ok(false) => return, // the reader is gone
            Err(e) => {
                records.push_back(Err(db_error(&plan.name, "reading 'messages'", e)));
                true
            }
        };
        if out.send(Batch { records, ends_chunk: true }).is_err() || stop {
            return;
        }
    }
}

/// Decode rows `lo..=hi` into `records`, calling `send` whenever a batch is full; false when
/// `send` reports the reader gone.
fn decode_chunk(
    conn: &Connection,
    plan: &Plan,
    lo: i64,
    hi: i64,
    runs: &mut VecDeque<(i64, Extras)>,
    records: &mut Records,
    send: &mut dyn FnMut(&mut Records) -> bool,
) -> rusqlite::Result<bool> {
    let mut current = Extras::default();
    runs.clear();
    if plan.has_runs {
        let mut at = conn.prepare_cached(SELECT_RUN_AT)?;
        let mut rows = at.query([lo])?;
        if let Some(row) = rows.next()? {
            current = run_of(row)?.1;
        }
        let mut within = conn.prepare_cached(SELECT_RUNS)?;
        let mut rows = within.query([lo, hi])?;
        while let Some(row) = rows.next()? {
            runs.push_back(run_of(row)?);
        }
    }
    let mut stmt = conn.prepare_cached(SELECT_CHUNK)?;
    let mut rows = stmt.query([lo, hi])?;
    while let Some(row) = rows.next()? {
        let ValueRef::Integer(rowid) = row.get_ref(0)? else { continue };
        while let Some(&(first, extras)) = runs.front() {
            if first > rowid {
                break;
            }
            current = extras;
            runs.pop_front();
        }
        let record = decode_row(row, current)
            .map(Record::Frame)
            .map_err(|message| LogError::malformed(&plan.name, Location::Row(rowid as u64), message));
        records.push_back(record);
        if records.len() >= BATCH && !send(records) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A `cankit_runs` row: its first rowid and attributes. Unreadable attributes read as
/// python-can's defaults.
fn run_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Extras)> {
    let mut values = [ValueRef::Null; 7];
    for (i, v) in values.iter_mut().enumerate() {
        *v = row.get_ref(i)?;
    }
    let first = match values[0] {
        ValueRef::Integer(i) => i,
        _ => i64::MAX,
    };
    Ok((first, decode_run(&values[1..]).unwrap_or_default()))
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

/// One `messages` row (rowid, ts, arbitration_id, extended, remote, error, dlc, data) as a
/// frame, or what is wrong with it.
fn decode_row(row: &rusqlite::Row<'_>, extras: Extras) -> Result<Frame, String> {
    let get = |i: usize| row.get_ref(i).unwrap_or(ValueRef::Null);
    let ts = match get(1) {
        ValueRef::Real(r) if r.is_finite() => r,
        ValueRef::Integer(i) => i as f64,
        _ => return Err("'ts' is not a number of seconds".into()),
    };
    let id = match get(2) {
        ValueRef::Integer(i) => {
            u32::try_from(i).map_err(|_| format!("'arbitration_id' {i} is out of range"))?
        }
        _ => return Err("'arbitration_id' is not an integer".into()),
    };
    let extended = flag_of(get(3), "extended")?;
    let remote = flag_of(get(4), "remote")?;
    let error = flag_of(get(5), "error")?;
    let data: &[u8] = match get(7) {
        ValueRef::Blob(b) => b,
        ValueRef::Null => &[],
        _ => return Err("'data' is not a blob".into()),
    };
    if data.len() > MAX_DATA {
        return Err(format!("'data' holds {} bytes (at most 64 fit in a frame)", data.len()));
    }
    let dlc = match get(6) {
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
    let direction = if extras.tx { Direction::Tx } else { Direction::Rx };
    Ok(frame
        .with_timestamp(Timestamp::from_secs_f64(ts))
        .with_channel(extras.channel)
        .with_direction(direction))
}

/// A `cankit_runs` row's attributes (after `first_rowid`), or `None` if unreadable.
fn decode_run(values: &[ValueRef<'_>]) -> Option<Extras> {
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

impl Iterator for SqliteReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.batch.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            let lane_count = self.lanes.len();
            let lane = &mut self.lanes[self.chunk % lane_count];
            if self.batch_ends_chunk {
                self.chunk += 1;
                self.batch_ends_chunk = false;
                continue;
            }
            let Some(received) = lane.batches.as_ref().and_then(|rx| rx.recv().ok()) else {
                // The lane has no chunks left (or died): every chunk has been read.
                self.done = true;
                continue;
            };
            let emptied = std::mem::replace(&mut self.batch, received.records);
            if let Some(recycle) = &lane.recycle {
                let _ = recycle.try_send(emptied);
            }
            self.batch_ends_chunk = received.ends_chunk;
        }
    }
}

impl LogReader for SqliteReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

impl Drop for SqliteReader {
    fn drop(&mut self) {
        for lane in &mut self.lanes {
            // Closing the channels makes the worker's next send fail and the worker return.
            lane.batches = None;
            lane.recycle = None;
        }
        for lane in &mut self.lanes {
            if let Some(thread) = lane.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Writer

/// Writes python-can's SQLite layout, batched in transactions; appends to an existing log.
pub struct SqliteWriter {
    /// `None` once finished.
    conn: Option<Connection>,
    name: String,
    losses: Counts,
    /// Frames waiting for the prepared statement.
    pending: Vec<Frame>,
    /// A transaction is open.
    in_transaction: bool,
    rows_in_transaction: u64,
    /// The run the next row continues; `None` forces a run row (nothing known about the file).
    current: Option<Extras>,
    /// Rowid of the last row inserted.
    last_rowid: Option<i64>,
}

impl SqliteWriter {
    /// Create `path`, or append to it if it already holds python-can's `messages` table. A file
    /// that is not an SQLite database, or whose `messages` table has other columns, is an error
    /// and left untouched.
    pub fn create(path: &Path, name: &str) -> Result<SqliteWriter, LogError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| db_error(name, "cannot create", e))?;
        let messages = table_columns(&conn, "messages").map_err(|e| LogError::Invalid {
            path: name.to_string(),
            message: format!("exists and is not an SQLite database ({e}); not overwriting it"),
        })?;
        let mismatch =
            |table: &str, found: &[(String, String)], expected: &[(&str, &str)]| LogError::Invalid {
                path: name.to_string(),
                message: format!(
                    "cannot append: table '{table}' has columns ({}), python-can's layout is ({})",
                    describe(found),
                    expected
                        .iter()
                        .map(|(n, t)| format!("{n} {t}").trim_end().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
        if !messages.is_empty() && !columns_match(&messages, &MESSAGES_COLUMNS) {
            return Err(mismatch("messages", &messages, &MESSAGES_COLUMNS));
        }
        let runs =
            table_columns(&conn, "cankit_runs").map_err(|e| db_error(name, "reading the schema", e))?;
        if !runs.is_empty() && !columns_match(&runs, &RUNS_COLUMNS) {
            return Err(mismatch("cankit_runs", &runs, &RUNS_COLUMNS));
        }
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{CACHE_KIB}; PRAGMA synchronous = FULL; \
             BEGIN; {CREATE_MESSAGES}; {CREATE_RUNS}; COMMIT;"
        ))
        .map_err(|e| db_error(name, "creating tables", e))?;
        Ok(SqliteWriter {
            conn: Some(conn),
            name: name.to_string(),
            losses: Counts::new(),
            pending: Vec::with_capacity(WRITE_BATCH),
            in_transaction: false,
            rows_in_transaction: 0,
            current: None,
            last_rowid: None,
        })
    }

    fn closed(&self) -> LogError {
        LogError::Invalid { path: self.name.clone(), message: "writer already finished".into() }
    }

    /// Insert the pending frames inside the open (or a new) transaction; commit when it is full.
    fn insert_pending(&mut self) -> Result<(), LogError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let Some(conn) = self.conn.as_ref() else {
            return Err(self.closed());
        };
        let name = self.name.as_str();
        let write_err = |e| db_error(name, "writing", e);
        if !self.in_transaction {
            conn.execute_batch("BEGIN").map_err(write_err)?;
            self.in_transaction = true;
        }
        let mut insert = conn.prepare_cached(INSERT_MESSAGE).map_err(write_err)?;
        for frame in &self.pending {
            insert.raw_bind_parameter(1, frame.timestamp.as_secs_f64()).map_err(write_err)?;
            insert.raw_bind_parameter(2, frame.id() as i64).map_err(write_err)?;
            insert.raw_bind_parameter(3, frame.is_extended() as i64).map_err(write_err)?;
            insert.raw_bind_parameter(4, frame.is_remote() as i64).map_err(write_err)?;
            insert.raw_bind_parameter(5, frame.is_error() as i64).map_err(write_err)?;
            // python-can's dlc is the byte count (for remote frames the requested length).
            insert.raw_bind_parameter(6, frame.len() as i64).map_err(write_err)?;
            insert.raw_bind_parameter(7, frame.data()).map_err(write_err)?;
            insert.raw_execute().map_err(write_err)?;
            let rowid = conn.last_insert_rowid();
            self.last_rowid = Some(rowid);
            let extras = Extras::of(frame);
            if self.current != Some(extras) {
                insert_run(conn, rowid, &extras).map_err(write_err)?;
                self.current = Some(extras);
            }
        }
        self.rows_in_transaction += self.pending.len() as u64;
        self.pending.clear();
        drop(insert);
        if self.rows_in_transaction >= ROWS_PER_TRANSACTION {
            self.commit()?;
        }
        Ok(())
    }

    /// End the current run with python-can's defaults (for rows others append) and commit.
    fn commit(&mut self) -> Result<(), LogError> {
        if !self.in_transaction {
            return Ok(());
        }
        let Some(conn) = self.conn.as_ref() else {
            return Err(self.closed());
        };
        let name = self.name.as_str();
        let write_err = |e| db_error(name, "committing", e);
        let defaults = Extras::default();
        if let (Some(last), Some(current)) = (self.last_rowid, self.current) {
            if current != defaults {
                insert_run(conn, last.saturating_add(1), &defaults).map_err(write_err)?;
                self.current = Some(defaults);
            }
        }
        conn.execute_batch("COMMIT").map_err(write_err)?;
        self.in_transaction = false;
        self.rows_in_transaction = 0;
        Ok(())
    }
}

fn insert_run(conn: &Connection, first_rowid: i64, extras: &Extras) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(INSERT_RUN)?;
    stmt.raw_bind_parameter(1, first_rowid)?;
    if let Some(n) = extras.channel.as_number() {
        stmt.raw_bind_parameter(2, n as i64)?;
    } else if let Some(name) = extras.channel.as_name() {
        stmt.raw_bind_parameter(2, name)?;
    } else {
        stmt.raw_bind_parameter(2, rusqlite::types::Null)?;
    }
    stmt.raw_bind_parameter(3, extras.fd as i64)?;
    stmt.raw_bind_parameter(4, extras.brs as i64)?;
    stmt.raw_bind_parameter(5, extras.esi as i64)?;
    stmt.raw_bind_parameter(6, !extras.tx as i64)?;
    if extras.raw_dlc == 0 {
        stmt.raw_bind_parameter(7, rusqlite::types::Null)?;
    } else {
        stmt.raw_bind_parameter(7, extras.raw_dlc as i64)?;
    }
    stmt.raw_execute()?;
    Ok(())
}

impl LogWriter for SqliteWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        if self.conn.is_none() {
            return Err(self.closed());
        }
        match record {
            Record::Frame(f) => {
                self.pending.push(*f);
                if self.pending.len() >= WRITE_BATCH {
                    self.insert_pending()?;
                }
            }
            Record::Event(e) => {
                let what = match e.kind {
                    EventKind::Marker(_) => "markers (python-can's SQLite layout holds only frames)",
                    EventKind::Comment(_) => "comments (python-can's SQLite layout holds only frames)",
                    EventKind::BusState(_) => {
                        "bus-state events (python-can's SQLite layout holds only frames)"
                    }
                    EventKind::Dropped(_) => "drop reports (python-can's SQLite layout holds only frames)",
                };
                count(&mut self.losses, what);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LogError> {
        if self.conn.is_none() {
            return Err(self.closed());
        }
        self.insert_pending()?;
        self.commit()
    }

    fn finish(&mut self) -> Result<(), LogError> {
        if self.conn.is_none() {
            return Ok(());
        }
        let result = self.flush();
        if let Some(conn) = self.conn.take() {
            if result.is_ok() {
                conn.close().map_err(|(_, e)| db_error(&self.name, "closing", e))?;
            }
            // On error the connection drops here and SQLite rolls back the open transaction;
            // every earlier commit stays.
        }
        result
    }

    fn losses(&self) -> &Counts {
        &self.losses
    }
}

impl Drop for SqliteWriter {
    fn drop(&mut self) {
        // Never lose frames already handed to the writer; errors were reported by finish().
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{create_writer, open_reader, Event};

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
    fn malformed_rows_are_reported_by_rowid_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(CREATE_MESSAGES).unwrap();
        conn.execute_batch(
            "INSERT INTO messages VALUES (1.5, 291, 0, 0, 0, 2, x'0102');
             INSERT INTO messages VALUES ('noon', 291, 0, 0, 0, 0, x'');
             INSERT INTO messages VALUES (2.5, 4096, 0, 0, 0, 0, x'');
             INSERT INTO messages VALUES (3.5, 1, 0, 1, 0, 9, NULL);
             INSERT INTO messages VALUES (4.5, 1, 1, 0, 0, 12, x'000102030405060708090a0b');",
        )
        .unwrap();
        drop(conn);
        let items = read(&path);
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
