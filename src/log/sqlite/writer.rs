//! [`SqliteWriter`]: python-can's `messages` rows plus cankit's `cankit_runs` side rows (see the
//! module doc of `log::sqlite` for the layout), written in large transactions through prepared
//! statements.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{
    columns_match, db_error, describe, table_columns, Extras, CREATE_MESSAGES, CREATE_RUNS, MESSAGES_COLUMNS,
    RUNS_COLUMNS,
};
use crate::frame::Frame;
use crate::log::{Counts, LogError, LogWriter, Record};

const INSERT_MESSAGE: &str = "INSERT INTO messages (ts, arbitration_id, extended, remote, error, dlc, data) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

const INSERT_RUN: &str = "INSERT OR REPLACE INTO cankit_runs (first_rowid, channel, is_fd, bitrate_switch, \
     error_state_indicator, is_rx, raw_dlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Rows per transaction: large enough that the commit's fsyncs cost nothing per frame, small
/// enough that the page cache holds the transaction and an interrupted recording loses little.
const ROWS_PER_TRANSACTION: u64 = 65_536;
/// Frames collected before they go through the prepared statements in one go.
const WRITE_BATCH: usize = 4096;
/// Page size of the files this writer creates.
const PAGE_SIZE: u32 = 65536;
/// Rows per INSERT statement: one statement step for many rows costs a third less per row.
const ROWS_PER_INSERT: usize = 16;

/// `INSERT INTO messages … VALUES (…), (…), …` for [`ROWS_PER_INSERT`] rows.
fn insert_group() -> String {
    let rows: Vec<String> = (0..ROWS_PER_INSERT)
        .map(|row| {
            let params: Vec<String> = (1..=7).map(|column| format!("?{}", row * 7 + column)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO messages (ts, arbitration_id, extended, remote, error, dlc, data) VALUES {}",
        rows.join(", ")
    )
}
/// SQLite page cache, in KiB (negative `cache_size`): holds one whole transaction of FD frames.
const CACHE_KIB: i64 = 16 * 1024;
/// How long to wait for another connection's lock (python's sqlite3 waits as long).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

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
    /// Rowid SQLite gives the next row, while a transaction is open (`None`: not predictable).
    next_rowid: Option<i64>,
    /// An insert of [`ROWS_PER_INSERT`] rows.
    insert_group: String,
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
        // Wait for a reader's page read or another writer's commit, as python's sqlite3 does.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db_error(name, "cannot create", e))?;
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
        // A new file gets large pages: fewer pages to split and balance per row. (SQLite fixes
        // the page size when the first table is created; any size opens everywhere.)
        let page_size =
            if messages.is_empty() { format!("PRAGMA page_size = {PAGE_SIZE};") } else { String::new() };
        conn.execute_batch(&format!(
            "{page_size} PRAGMA cache_size = -{CACHE_KIB}; PRAGMA synchronous = FULL; \
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
            next_rowid: None,
            insert_group: insert_group(),
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
            // IMMEDIATE: no other writer until COMMIT, so the rowids SQLite gives are known.
            conn.execute_batch("BEGIN IMMEDIATE").map_err(write_err)?;
            self.in_transaction = true;
            let max: Option<i64> =
                conn.query_row("SELECT max(rowid) FROM messages", [], |r| r.get(0)).map_err(write_err)?;
            // SQLite gives the row after the largest rowid that one plus one, unless the largest
            // is i64::MAX (then it picks unused ones at random: rows go one by one).
            self.next_rowid = match max {
                None => Some(1),
                Some(max) => max.checked_add(1),
            };
        }
        let mut insert_group = conn.prepare_cached(&self.insert_group).map_err(write_err)?;
        let mut insert_one = conn.prepare_cached(INSERT_MESSAGE).map_err(write_err)?;
        let mut groups = self.pending.chunks(ROWS_PER_INSERT);
        while let Some(group) = groups.next() {
            let first = self.next_rowid.filter(|first| first.checked_add(ROWS_PER_INSERT as i64).is_some());
            let (Some(first), ROWS_PER_INSERT) = (first, group.len()) else {
                // One by one, each with the rowid SQLite reports.
                for frame in group.iter().chain(groups.by_ref().flatten()) {
                    bind_message(&mut insert_one, 0, frame).map_err(write_err)?;
                    insert_one.raw_execute().map_err(write_err)?;
                    let rowid = conn.last_insert_rowid();
                    self.next_rowid = rowid.checked_add(1);
                    note_row(conn, &mut self.current, &mut self.last_rowid, rowid, frame)
                        .map_err(write_err)?;
                }
                break;
            };
            for (i, frame) in group.iter().enumerate() {
                bind_message(&mut insert_group, i * 7, frame).map_err(write_err)?;
            }
            insert_group.raw_execute().map_err(write_err)?;
            let last = first + ROWS_PER_INSERT as i64 - 1;
            if conn.last_insert_rowid() != last {
                return Err(LogError::Invalid {
                    path: name.to_string(),
                    message: format!(
                        "writing: SQLite gave rows {} to {}, not from {first} on",
                        conn.last_insert_rowid() + 1 - ROWS_PER_INSERT as i64,
                        conn.last_insert_rowid()
                    ),
                });
            }
            self.next_rowid = last.checked_add(1);
            for (rowid, frame) in (first..).zip(group) {
                note_row(conn, &mut self.current, &mut self.last_rowid, rowid, frame).map_err(write_err)?;
            }
        }
        drop((insert_group, insert_one));
        self.rows_in_transaction += self.pending.len() as u64;
        self.pending.clear();
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

/// Bind `frame`'s values to parameters `offset + 1 ..= offset + 7` of a message insert.
#[inline]
fn bind_message(
    insert: &mut rusqlite::CachedStatement<'_>,
    offset: usize,
    frame: &Frame,
) -> rusqlite::Result<()> {
    insert.raw_bind_parameter(offset + 1, frame.timestamp.as_secs_f64())?;
    insert.raw_bind_parameter(offset + 2, frame.id() as i64)?;
    insert.raw_bind_parameter(offset + 3, frame.is_extended() as i64)?;
    insert.raw_bind_parameter(offset + 4, frame.is_remote() as i64)?;
    insert.raw_bind_parameter(offset + 5, frame.is_error() as i64)?;
    // python-can's dlc is the byte count (for remote frames the requested length).
    insert.raw_bind_parameter(offset + 6, frame.len() as i64)?;
    insert.raw_bind_parameter(offset + 7, frame.data())
}

/// After `frame` went in as row `rowid`: start a run there if its attributes differ from the
/// current run's.
#[inline]
fn note_row(
    conn: &Connection,
    current: &mut Option<Extras>,
    last_rowid: &mut Option<i64>,
    rowid: i64,
    frame: &Frame,
) -> rusqlite::Result<()> {
    *last_rowid = Some(rowid);
    let extras = Extras::of(frame);
    if *current != Some(extras) {
        insert_run(conn, rowid, &extras)?;
        *current = Some(extras);
    }
    Ok(())
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
                crate::log::count_unkept_event(&mut self.losses, &e.kind, "python-can's SQLite layout holds");
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
