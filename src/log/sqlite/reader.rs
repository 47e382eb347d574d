//! [`SqliteReader`]: the rows of `messages` in rowid order, each with the attributes of its
//! `cankit_runs` run, read from the pages directly ([`super::pages`]) when that is safe, and
//! through SQLite's query API otherwise or from the row where the pages path gave up.
//!
//! Either way the work is cut into chunks, decoded by [`LANES`] lanes into batches of records,
//! so that decoding uses both cores while the iterator yields rows in order, with memory bounded
//! by a few batches per chunk in flight. For SQLite's query API a chunk is a range of rowids,
//! decoded on a worker pool (`log::pool`) whose threads each have their own connection and take
//! the next chunk when free. For the pages path a chunk is a group of consecutive leaf pages, and
//! chunk `c` belongs to lane `c % LANES`: lane 1 is the pool's one thread, and lane 0 runs on the
//! iterator's own thread, a batch at a time, so half of the records never cross between cores.
//! Each lane walks the b-tree's interior pages and reads only its own leaves.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::pages::{self, FileFacts, Pager, Share, TableCursor, Unsupported};
use super::{
    columns_match, db_error, decode_row, decode_run, decode_usual_row, describe, row_error, table_columns,
    Extras, MESSAGES_COLUMNS, RUNS_COLUMNS,
};
use crate::log::pool::{Emit, Limits, Lost, Pool};
use crate::log::{count, Counts, LogError, LogReader, Record};

/// How a [`SqliteReader`] gets its rows. Both give the same records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadPath {
    /// Table b-tree pages decoded straight from the file (falls back to [`ReadPath::Sqlite`]
    /// where it cannot go on).
    Pages,
    /// SQLite's query API.
    Sqlite,
}

/// Streams the frames of a python-can (or cankit) SQLite log in rowid order.
pub struct SqliteReader {
    path: PathBuf,
    name: String,
    has_runs: bool,
    skipped: Counts,
    /// Rows marked 11-bit whose id needs 29 bits, counted by the lanes as they decode them, and
    /// those counts as [`LogReader::repaired`] reports them (brought up to date at every batch).
    mended: Arc<AtomicU64>,
    repaired: Counts,
    /// The path rows come through (or came through, at the end).
    read_path: ReadPath,
    /// `None` once every row has been read.
    lanes: Option<Lanes>,
}

/// How long a reader waits for a writer's commit to finish (python's sqlite3 waits as long).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

fn open_read_only(path: &Path, name: &str) -> Result<Connection, LogError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(name, "cannot open", e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db_error(name, "cannot open", e))?;
    Ok(conn)
}

impl SqliteReader {
    /// Open `path` read-only. Fails with a message naming the file when it is not an SQLite
    /// database or has no python-can `messages` table.
    pub fn open(path: &Path, name: &str) -> Result<SqliteReader, LogError> {
        SqliteReader::open_with(path, name, ReadPath::Pages)
    }

    /// As [`SqliteReader::open`], choosing the path: [`ReadPath::Sqlite`] reads every row
    /// through SQLite's query API (to compare the two, or to rule out the pages path).
    pub fn open_with(path: &Path, name: &str, read_path: ReadPath) -> Result<SqliteReader, LogError> {
        std::fs::metadata(path).map_err(|e| LogError::io(name, "cannot open", e))?;
        let conn = open_read_only(path, name)?;
        let not_python_can = |detail: String| LogError::Invalid {
            path: name.to_string(),
            message: format!("not a python-can SQLite log: {detail}"),
        };
        // One read transaction for the checks below and the pages path's look at the file, so
        // that they all see the same state of it.
        conn.execute_batch("BEGIN").map_err(|e| db_error(name, "cannot open", e))?;
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
        let mut skipped = Counts::new();
        let runs = table_columns(&conn, "cankit_runs").unwrap_or_default();
        let has_runs = columns_match(&runs, &RUNS_COLUMNS);
        if !runs.is_empty() && !has_runs {
            count(
                &mut skipped,
                "unknown 'cankit_runs' table ignored (channel, direction and FD flags not restored)",
            );
        }
        let mended = Arc::new(AtomicU64::new(0));
        let plan = match read_path {
            ReadPath::Pages => PagesPlan::of(&conn, path, name, has_runs, &mended).ok(),
            ReadPath::Sqlite => None,
        };
        drop(conn);
        let lanes = match plan {
            Some(plan) => Lanes::pages(plan)?,
            None => Lanes::sqlite(path, name, has_runs, None, &mended)?,
        };
        Ok(SqliteReader {
            path: path.to_path_buf(),
            name: name.to_string(),
            has_runs,
            skipped,
            mended,
            repaired: Counts::new(),
            read_path: lanes.read_path,
            lanes: Some(lanes),
        })
    }

    /// The path rows come through now: [`ReadPath::Pages`] until the pages path meets
    /// something it does not handle, [`ReadPath::Sqlite`] from then on.
    pub fn read_path(&self) -> ReadPath {
        self.read_path
    }
}

impl Iterator for SqliteReader {
    type Item = Result<Record, LogError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let lanes = self.lanes.as_mut()?;
            let item = if lanes.own_batch { lanes.own.pop_front() } else { lanes.batch.next() };
            if item.is_some() {
                return item;
            }
            let mended = self.mended.load(Ordering::Relaxed);
            if mended > 0 && self.repaired.get(crate::log::REPAIR_LONG_STANDARD_ID) != Some(&mended) {
                self.repaired.insert(crate::log::REPAIR_LONG_STANDARD_ID.to_string(), mended);
            }
            match lanes.next_batch() {
                Next::Batch => {}
                Next::End => {
                    self.lanes = None;
                    return None;
                }
                Next::Fallback { after } => {
                    // The pages path stopped: read the rest through SQLite, from the row after
                    // the last one yielded.
                    self.lanes = None;
                    self.read_path = ReadPath::Sqlite;
                    match Lanes::sqlite(&self.path, &self.name, self.has_runs, after, &self.mended) {
                        Ok(lanes) => self.lanes = Some(lanes),
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
        }
    }
}

impl LogReader for SqliteReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }

    fn repaired(&self) -> &Counts {
        &self.repaired
    }
}

// ------------------------------------------------------------------------------------------------
// Lanes

/// Lanes decoding chunks: the pages path decodes lane 0's chunks on the iterator's own thread
/// (no hand-over between cores for half of the rows) and lane 1's on a worker thread; SQLite's
/// query API gets a worker thread per lane, each taking the next chunk when it is free.
const LANES: usize = 2;
/// Records per batch.
const BATCH: usize = 1024;
/// Batches a chunk on a worker thread may have waiting.
const BATCHES_IN_FLIGHT: usize = 4;

/// The chunks of one path and the batch being taken apart.
struct Lanes {
    read_path: ReadPath,
    /// The file's name, for errors.
    name: String,
    /// The pages path's lane 0, which decodes the even chunks on this thread (`None` if it could
    /// not start); unused by the SQLite path.
    inline: Option<Box<PagesLane>>,
    /// Decodes chunks on worker threads: the pages path's odd chunks, all of SQLite's. Each
    /// chunk's batches come back in order, the last one saying how the chunk ends.
    pool: Option<Pool<usize, Sent>>,
    /// The next chunk to hand to the pool, and the number of chunks if known (SQLite's path).
    next_pooled: usize,
    chunks: Option<usize>,
    /// Index of the chunk being read.
    chunk: usize,
    /// Records of the current batch from a worker.
    batch: std::vec::IntoIter<Result<Record, LogError>>,
    /// Records of the current batch from the inline lane: always the same buffer, so it stays
    /// in this core's cache.
    own: VecDeque<Result<Record, LogError>>,
    /// The current batch is `own`.
    own_batch: bool,
    /// How the current batch ends.
    batch_end: End,
    /// Rowid of the last record taken out of a batch.
    last_rowid: Option<i64>,
    done: bool,
}

/// A batch of decoded rows, in rowid order.
type Records = Vec<Result<Record, LogError>>;

/// Where a lane puts the records it decodes.
trait Batch {
    fn push_record(&mut self, record: Result<Record, LogError>);
    fn count(&self) -> usize;
}

impl Batch for Records {
    #[inline]
    fn push_record(&mut self, record: Result<Record, LogError>) {
        self.push(record);
    }
    fn count(&self) -> usize {
        self.len()
    }
}

impl Batch for VecDeque<Result<Record, LogError>> {
    #[inline]
    fn push_record(&mut self, record: Result<Record, LogError>) {
        self.push_back(record);
    }
    fn count(&self) -> usize {
        self.len()
    }
}

/// A batch from a worker thread.
struct Sent {
    records: Records,
    /// Rowid of the last record, if any.
    last_rowid: Option<i64>,
    end: End,
}

impl Sent {
    /// A batch without records.
    fn ending(end: End) -> Sent {
        Sent { records: Vec::new(), last_rowid: None, end }
    }
}

/// What follows a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// More of its chunk.
    More,
    /// Its chunk is complete; the next chunk comes from the next lane.
    Chunk,
    /// The table is complete.
    Table,
    /// The pages path met something it does not handle after this batch's rows.
    Unsupported,
    /// The lane has no chunks left (the table ends in another lane's chunk).
    Idle,
}

/// What [`Lanes::next_batch`] found.
enum Next {
    /// A batch to take records from.
    Batch,
    /// Every row has been read.
    End,
    /// Read on through SQLite from the row after `after`.
    Fallback { after: Option<i64> },
}

impl Lanes {
    fn new(read_path: ReadPath, name: &str) -> Lanes {
        Lanes {
            read_path,
            name: name.to_string(),
            inline: None,
            pool: None,
            next_pooled: 0,
            chunks: None,
            chunk: 0,
            batch: Vec::new().into_iter(),
            own: VecDeque::new(),
            own_batch: false,
            batch_end: End::More,
            last_rowid: None,
            done: false,
        }
    }

    /// Whether chunk `chunk` is decoded on this thread.
    fn is_inline(&self, chunk: usize) -> bool {
        self.read_path == ReadPath::Pages && chunk % LANES == 0
    }

    /// Hand the pool the next chunks it decodes, as far ahead as it has room for.
    fn feed(&mut self) {
        let Some(pool) = self.pool.as_mut() else { return };
        while pool.has_room() && self.chunks.is_none_or(|chunks| self.next_pooled < chunks) {
            if pool.submit(self.next_pooled).is_err() {
                // No thread left: `next_batch` finds the chunk lost.
                break;
            }
            self.next_pooled += if self.read_path == ReadPath::Pages { LANES } else { 1 };
        }
    }

    /// Replace the emptied batch with the next one, in chunk order.
    fn next_batch(&mut self) -> Next {
        loop {
            if self.done {
                return Next::End;
            }
            match self.batch_end {
                End::More => {}
                End::Chunk => self.chunk += 1,
                End::Table => return Next::End,
                End::Unsupported | End::Idle => return Next::Fallback { after: self.last_rowid },
            }
            if self.is_inline(self.chunk) {
                // The pool works on the next chunks meanwhile.
                self.feed();
                let Some(lane) = self.inline.as_mut() else {
                    return Next::Fallback { after: self.last_rowid };
                };
                let mut last_rowid = None;
                self.batch_end = lane.fill(&mut self.own, &mut last_rowid);
                self.last_rowid = last_rowid.or(self.last_rowid);
                self.own_batch = true;
                if !self.own.is_empty() {
                    return Next::Batch;
                }
                continue;
            }
            self.feed();
            match self.pool.as_mut().and_then(|pool| pool.take()) {
                Some(Ok(received)) => {
                    self.own_batch = false;
                    self.batch = received.records.into_iter();
                    self.last_rowid = received.last_rowid.or(self.last_rowid);
                    self.batch_end = received.end;
                }
                // A chunk lost to a panicking worker (or no worker left to take it): the pages
                // path leaves the rest to SQLite; SQLite's path has nothing else to go on with.
                Some(Err(Lost)) | None => match self.read_path {
                    ReadPath::Pages => return Next::Fallback { after: self.last_rowid },
                    ReadPath::Sqlite => {
                        let message = "a reading thread stopped".to_string();
                        self.batch =
                            vec![Err(LogError::Invalid { path: self.name.clone(), message })].into_iter();
                        self.own_batch = false;
                        self.batch_end = End::Table;
                    }
                },
            }
            if self.batch.len() > 0 {
                return Next::Batch;
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// The pages path

/// Leaf pages per chunk: 256 KiB of them (64 leaves of 4 KiB, about 8,000 python-can rows).
const CHUNK_BYTES: u64 = 256 * 1024;

/// What the pages path needs to know, found out in the reader's opening transaction.
#[derive(Clone)]
struct PagesPlan {
    path: PathBuf,
    name: String,
    facts: FileFacts,
    messages_root: u32,
    runs_root: Option<u32>,
    /// Leaves per chunk.
    chunk_leaves: u64,
    /// Counts mended rows for the reader.
    mended: Arc<AtomicU64>,
}

impl PagesPlan {
    /// The plan if the pages path can read the file `conn` has open; `conn` is inside the read
    /// transaction in which the reader checked the schema.
    fn of(
        conn: &Connection,
        path: &Path,
        name: &str,
        has_runs: bool,
        mended: &Arc<AtomicU64>,
    ) -> Result<PagesPlan, Unsupported> {
        // A journal or WAL beside the file: a writer is at work (or died in a transaction).
        for suffix in ["-journal", "-wal"] {
            let mut beside = path.as_os_str().to_owned();
            beside.push(suffix);
            if std::fs::metadata(&beside).is_ok_and(|m| m.len() > 0) {
                return Err(Unsupported("a journal or WAL file is beside the database"));
            }
        }
        let messages_root = table_root(conn, "messages", &MESSAGES_COLUMNS, None)?;
        let runs_root =
            if has_runs { Some(table_root(conn, "cankit_runs", &RUNS_COLUMNS, Some(0))?) } else { None };
        let facts = FileFacts::of(conn)?;
        let chunk_leaves = (CHUNK_BYTES / facts.page_size() as u64).max(1);
        Ok(PagesPlan {
            path: path.to_path_buf(),
            name: name.to_string(),
            facts,
            messages_root,
            runs_root,
            chunk_leaves,
            mended: mended.clone(),
        })
    }
}

impl Lanes {
    /// Read through the pages path: lane 0 on this thread, lane 1 on a worker.
    fn pages(plan: PagesPlan) -> Result<Lanes, LogError> {
        let mut lanes = Lanes::new(ReadPath::Pages, &plan.name);
        lanes.inline = PagesLane::open(&plan, 0).ok().map(Box::new);
        lanes.next_pooled = 1;
        let name = plan.name.clone();
        // The chunk being read and the next, so that the worker goes on into its next chunk while
        // this thread decodes the one between (with half as many batches a chunk, reading was
        // 15% slower).
        let limits = Limits { threads: 1, ahead: 2, per_job: BATCHES_IN_FLIGHT };
        let pool = Pool::start(
            limits,
            |_| "sqlite-read-1".into(),
            move || PagesLane::open(&plan, 1).map_err(|_| End::Unsupported),
            read_pages_chunk,
        )
        .map_err(|e| LogError::io(&name, "starting a reader thread", e))?;
        lanes.pool = Some(pool);
        Ok(lanes)
    }
}

/// Lane 1 of the pages path, on its worker thread: its next chunk, in batches, the last one
/// saying how the chunk ends. The lane walks its chunks in turn (the pool hands them over in
/// order), so the chunk number is only its label. After the table's end, or where the pages path
/// cannot go on, the lane is done.
fn read_pages_chunk(lane: &mut Result<PagesLane, End>, _chunk: usize, emit: &mut Emit<'_, Sent>) -> Sent {
    let reader = match lane {
        Ok(reader) => reader,
        Err(end) => return Sent::ending(*end),
    };
    loop {
        let mut records = Vec::with_capacity(BATCH);
        let mut last_rowid = None;
        let end = reader.fill(&mut records, &mut last_rowid);
        let sent = Sent { records, last_rowid, end };
        match end {
            End::More => {
                if !emit.send(sent) {
                    return Sent::ending(End::Idle); // the reader is gone
                }
            }
            End::Chunk => return sent,
            End::Table | End::Unsupported | End::Idle => {
                *lane = Err(End::Idle);
                return sent;
            }
        }
    }
}

/// One lane of the pages path: chunks `lane`, `lane + LANES`, … of `messages` (see
/// [`Share`]), with the attributes from all of `cankit_runs`.
struct PagesLane {
    name: String,
    pager: Pager,
    messages: TableCursor,
    runs: Option<RunCursor>,
    /// Attributes of the run the next row belongs to.
    current: Extras,
    /// Counts mended rows for the reader.
    mended: Arc<AtomicU64>,
    /// The chunk being decoded, and the number of the first leaf past it.
    chunk: u64,
    chunk_end: u64,
    chunk_leaves: u64,
}

/// The runs of `cankit_runs` in `first_rowid` order, with one looked ahead.
struct RunCursor {
    cursor: TableCursor,
    ahead: Option<(i64, Extras)>,
    done: bool,
}

impl PagesLane {
    fn open(plan: &PagesPlan, lane: u64) -> Result<PagesLane, Unsupported> {
        let conn = open_read_only(&plan.path, &plan.name).map_err(|_| Unsupported("cannot open"))?;
        let share = Share { lane, lanes: LANES as u64, group: plan.chunk_leaves };
        Ok(PagesLane {
            name: plan.name.clone(),
            pager: Pager::new(conn, plan.facts)?,
            messages: TableCursor::new(plan.messages_root, share),
            runs: plan.runs_root.map(|root| RunCursor {
                cursor: TableCursor::new(root, Share::ALL),
                ahead: None,
                done: false,
            }),
            current: Extras::default(),
            mended: plan.mended.clone(),
            chunk: lane,
            chunk_end: (lane + 1) * plan.chunk_leaves,
            chunk_leaves: plan.chunk_leaves,
        })
    }

    /// Decode rows of the current chunk into `records` (empty, or with rows of this chunk),
    /// up to a full batch; `last_rowid` becomes the last one's rowid. Returns what follows.
    fn fill(&mut self, records: &mut impl Batch, last_rowid: &mut Option<i64>) -> End {
        loop {
            let row = match self.messages.next_row(&mut self.pager) {
                Ok(Some(row)) => row,
                Ok(None) => {
                    // The last chunk is the one of the last leaf; the lane that has it says the
                    // table ends there, after ending its chunks before it.
                    let last_chunk = self.messages.leaves().saturating_sub(1) / self.chunk_leaves;
                    return match self.chunk.cmp(&last_chunk) {
                        std::cmp::Ordering::Less => self.next_chunk(),
                        std::cmp::Ordering::Equal => End::Table,
                        std::cmp::Ordering::Greater => End::Idle,
                    };
                }
                Err(Unsupported(_)) => return End::Unsupported,
            };
            let (rowid, leaf, record) = (row.rowid, row.leaf, row.record);
            if leaf >= self.chunk_end {
                // The row opens a later chunk: end this one, and read the row again for that.
                self.messages.unread();
                return self.next_chunk();
            }
            if let Some(runs) = &mut self.runs {
                loop {
                    match runs.peek(&mut self.pager) {
                        Ok(Some((first, extras))) if first <= rowid => {
                            self.current = extras;
                            runs.ahead = None;
                        }
                        Ok(_) => break,
                        Err(Unsupported(_)) => return End::Unsupported,
                    }
                }
            }
            if let Some(frame) = decode_usual_row(record, self.current) {
                records.push_record(Ok(Record::Frame(frame)));
            } else {
                let mut values = [ValueRef::Null; 7];
                if pages::record(record, &mut values).is_err() {
                    return End::Unsupported;
                }
                // `ts` has REAL affinity: SQLite stores whole numbers as integers and reads them
                // as reals.
                if let ValueRef::Integer(i) = values[0] {
                    values[0] = ValueRef::Real(i as f64);
                }
                let decoded = decode_row(&values, self.current, &self.mended);
                records.push_record(decoded.map(Record::Frame).map_err(|m| row_error(&self.name, rowid, m)));
            }
            *last_rowid = Some(rowid);
            if records.count() >= BATCH {
                return End::More;
            }
        }
    }

    /// End the current chunk; go on with this lane's next one.
    fn next_chunk(&mut self) -> End {
        self.chunk += LANES as u64;
        self.chunk_end = (self.chunk + 1) * self.chunk_leaves;
        End::Chunk
    }
}

impl RunCursor {
    /// The next run (its first rowid and attributes) without taking it.
    fn peek(&mut self, pager: &mut Pager) -> Result<Option<(i64, Extras)>, Unsupported> {
        if self.ahead.is_none() && !self.done {
            match self.cursor.next_row(pager)? {
                None => self.done = true,
                Some(row) => {
                    // first_rowid is the rowid itself (INTEGER PRIMARY KEY); the record holds NULL
                    // in its place.
                    let mut values = [ValueRef::Null; 7];
                    pages::record(row.record, &mut values)?;
                    let [_, attributes @ ..] = values;
                    self.ahead = Some((row.rowid, decode_run(&attributes).unwrap_or_default()));
                }
            }
        }
        Ok(self.ahead)
    }
}

/// The root page of `table` if its layout is exactly `columns` (so its records hold exactly
/// those values, in that order, with NULL for columns added after a row was written) and it is a
/// plain rowid table; `rowid_alias` is the column that is its INTEGER PRIMARY KEY, if any.
fn table_root(
    conn: &Connection,
    table: &str,
    columns: &[(&str, &str)],
    rowid_alias: Option<usize>,
) -> Result<u32, Unsupported> {
    let layout = |_| Unsupported("table layout not handled by the pages path");
    let mut stmt = conn
        .prepare("SELECT type, rootpage FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE")
        .map_err(layout)?;
    let entries: Vec<(String, i64)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(layout)?;
    let [(kind, root)] = entries.as_slice() else {
        return Err(Unsupported("table not found once in the schema"));
    };
    if kind != "table" || *root < 2 || *root > u32::MAX as i64 {
        return Err(Unsupported("not a plain table"));
    }
    // cid, name, type, notnull, dflt_value, pk, hidden
    let mut stmt = conn.prepare(&format!("PRAGMA table_xinfo({table})")).map_err(layout)?;
    let found: Vec<(String, String, bool, i64, i64)> = stmt
        .query_map([], |r| {
            let default: ValueRef<'_> = r.get_ref(4)?;
            Ok((r.get(1)?, r.get(2)?, default == ValueRef::Null, r.get(5)?, r.get(6)?))
        })
        .and_then(|rows| rows.collect())
        .map_err(layout)?;
    let expected = found.len() == columns.len()
        && found.iter().zip(columns).enumerate().all(|(i, ((name, ty, no_default, pk, hidden), (n, t)))| {
            name.eq_ignore_ascii_case(n)
                && ty.eq_ignore_ascii_case(t)
                && *no_default
                && *hidden == 0
                && (*pk == 1) == (rowid_alias == Some(i))
        });
    if !expected {
        return Err(Unsupported("table layout not handled by the pages path"));
    }
    if rowid_alias.is_some() {
        // An INTEGER PRIMARY KEY is the rowid itself unless declared in a way that makes SQLite
        // keep it in an index of its own (`INTEGER PRIMARY KEY DESC`): then there is an index.
        let indexes: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = ?1 COLLATE NOCASE",
                [table],
                |r| r.get(0),
            )
            .map_err(layout)?;
        if indexes != 0 {
            return Err(Unsupported("primary key is not the rowid"));
        }
    }
    Ok(*root as u32)
}

// ------------------------------------------------------------------------------------------------
// The SQLite path

/// Rowids per chunk in a dense table.
const CHUNK_ROWIDS: i64 = 16_384;
/// Most chunks a table is cut into, however sparse its rowids: each chunk is one query, so a
/// table of a few rows with rowids from 0 to 2^62 (a damaged file; the fuzzer found one) costs a
/// few thousand cheap queries, not a million (11 s). Dense tables keep CHUNK_ROWIDS rows a chunk
/// up to 67 million rows.
const MAX_CHUNKS: i64 = 1 << 12;

const SELECT_CHUNK: &str = "SELECT rowid, ts, arbitration_id, extended, remote, error, dlc, data \
     FROM messages WHERE rowid >= ?1 AND rowid <= ?2 ORDER BY rowid";

const SELECT_RUN_AT: &str = "SELECT first_rowid, channel, is_fd, bitrate_switch, error_state_indicator, \
     is_rx, raw_dlc FROM cankit_runs WHERE first_rowid <= ?1 ORDER BY first_rowid DESC LIMIT 1";

const SELECT_RUNS: &str = "SELECT first_rowid, channel, is_fd, bitrate_switch, error_state_indicator, \
     is_rx, raw_dlc FROM cankit_runs WHERE first_rowid > ?1 AND first_rowid <= ?2 ORDER BY first_rowid";

/// What a worker of the SQLite path needs to know about the file.
#[derive(Clone)]
struct Plan {
    path: PathBuf,
    name: String,
    has_runs: bool,
    first_rowid: i64,
    last_rowid: i64,
    /// Rowids per chunk.
    chunk_rowids: i64,
    chunks: usize,
    /// Counts mended rows for the reader.
    mended: Arc<AtomicU64>,
}

impl Lanes {
    /// Read the rows after rowid `after` (all rows for `None`) through SQLite's query API.
    fn sqlite(
        path: &Path,
        name: &str,
        has_runs: bool,
        after: Option<i64>,
        mended: &Arc<AtomicU64>,
    ) -> Result<Lanes, LogError> {
        let conn = open_read_only(path, name)?;
        // Each from the b-tree's edge (`min(), max()` together would scan the table).
        let edge = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Option<i64>, LogError> {
            let failed = |e| db_error(name, "reading 'messages'", e);
            let mut stmt = conn.prepare(sql).map_err(failed)?;
            let mut rows = stmt.query(params).map_err(failed)?;
            match rows.next().map_err(failed)? {
                Some(row) => row.get(0).map_err(failed),
                None => Ok(None),
            }
        };
        let first = match after {
            None => edge("SELECT rowid FROM messages ORDER BY rowid LIMIT 1", &[])?,
            Some(after) => {
                edge("SELECT rowid FROM messages WHERE rowid > ?1 ORDER BY rowid LIMIT 1", &[&after])?
            }
        };
        let last = edge("SELECT rowid FROM messages ORDER BY rowid DESC LIMIT 1", &[])?;
        drop(conn);
        let mut lanes = Lanes::new(ReadPath::Sqlite, name);
        let (first, last) = match (first, last) {
            (Some(first), Some(last)) if first <= last => (first, last),
            _ => {
                lanes.done = true;
                return Ok(lanes);
            }
        };
        // Dense tables (python-can's and cankit's) get chunks of CHUNK_ROWIDS rows; sparse
        // rowids get wider chunks so that the number of chunks stays bounded.
        let span = (last as i128 - first as i128 + 1) as u128;
        let chunk_rowids = (span.div_ceil(MAX_CHUNKS as u128) as i64).max(CHUNK_ROWIDS);
        let chunks = span.div_ceil(chunk_rowids as u128) as usize;
        let plan = Plan {
            path: path.to_path_buf(),
            name: name.to_string(),
            has_runs,
            first_rowid: first,
            last_rowid: last,
            chunk_rowids,
            chunks,
            mended: mended.clone(),
        };
        // A chunk for each thread and one more, so that a thread finishing its chunk finds the
        // next one waiting.
        let threads = LANES.min(chunks);
        let limits = Limits { threads, ahead: threads + 1, per_job: BATCHES_IN_FLIGHT };
        let worker_plan = plan.clone();
        let pool = Pool::start(
            limits,
            |i| format!("sqlite-read-{i}"),
            move || SqliteLane::open(&worker_plan),
            move |lane: &mut SqliteLane, chunk, emit| lane.decode(&plan, chunk, emit),
        )
        .map_err(|e| LogError::io(name, "starting a reader thread", e))?;
        lanes.pool = Some(pool);
        lanes.chunks = Some(chunks);
        Ok(lanes)
    }
}

/// A worker thread of the SQLite path: its connection (or why it has none), and the runs of
/// the chunk being decoded.
struct SqliteLane {
    conn: Result<Connection, Option<LogError>>,
    runs: VecDeque<(i64, Extras)>,
}

impl SqliteLane {
    fn open(plan: &Plan) -> SqliteLane {
        let conn = open_read_only(&plan.path, &plan.name).map_err(Some);
        if let Ok(conn) = &conn {
            // Measured on a 1M-row file and left out: `mmap_size` (3-8% less CPU, but every page
            // read stays in the process's RSS, 40 MB for that file and up to the map's size for
            // larger ones, where the reader promises flat memory), a larger page cache (no gain:
            // a chunk is read once, front to back) and an `immutable` open (no gain, and it
            // would read a file being written without its locks).
            let _ = conn.execute_batch("PRAGMA cache_size = -4096");
        }
        SqliteLane { conn, runs: VecDeque::new() }
    }

    /// Decode chunk `chunk`, sending full batches to `emit`; the last batch says how it ends.
    /// SQLite failing (or the file failing to open) is the last record, and the table's end.
    fn decode(&mut self, plan: &Plan, chunk: usize, emit: &mut Emit<'_, Sent>) -> Sent {
        let conn = match &mut self.conn {
            Ok(conn) => conn,
            Err(e) => {
                let records = e.take().map(Err).into_iter().collect();
                return Sent { records, last_rowid: None, end: End::Table };
            }
        };
        let lo = plan.first_rowid.saturating_add((chunk as i64).saturating_mul(plan.chunk_rowids));
        let hi = lo.saturating_add(plan.chunk_rowids - 1).min(plan.last_rowid);
        let mut records = Vec::with_capacity(BATCH);
        let result = decode_chunk(conn, plan, lo, hi, &mut self.runs, &mut records, &mut |full| {
            let records = std::mem::replace(full, Vec::with_capacity(BATCH));
            emit.send(Sent { records, last_rowid: None, end: End::More })
        });
        let end = match result {
            Ok(true) if chunk + 1 == plan.chunks => End::Table,
            Ok(true) => End::Chunk,
            Ok(false) => End::Idle, // the reader is gone
            Err(e) => {
                records.push(Err(db_error(&plan.name, "reading 'messages'", e)));
                End::Table
            }
        };
        Sent { records, last_rowid: None, end }
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
        let mut values = [ValueRef::Null; 7];
        for (i, v) in values.iter_mut().enumerate() {
            *v = row.get_ref(i + 1).unwrap_or(ValueRef::Null);
        }
        let record = decode_row(&values, current, &plan.mended)
            .map(Record::Frame)
            .map_err(|m| row_error(&plan.name, rowid, m));
        records.push(record);
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
    let [_, attributes @ ..] = values;
    Ok((first, decode_run(&attributes).unwrap_or_default()))
}
