//! Table b-trees read straight from the pages of an SQLite database file (the file format is
//! SQLite's documented one: <https://www.sqlite.org/fileformat2.html>), for the reader's fast
//! path. SQLite's query API costs a few hundred nanoseconds per row; decoding the records from
//! the page bytes costs a few tens.
//!
//! What it handles: rollback-journal databases in UTF-8, table b-tree interior (0x05) and leaf
//! (0x0D) pages, and records whose payload lies wholly on their leaf page. Anything else, and
//! anything that does not add up (a page type, a cell or record running past its page, rowids
//! out of order, a b-tree deeper than SQLite's or visiting more pages than the file has), is
//! [`Unsupported`]: the caller reads on through SQLite, which handles every file and reports
//! damage itself. So this module never has to be right about a case it does not know; it only
//! has to notice it.
//!
//! The pages are read through the file handle of SQLite's own connection
//! (`SQLITE_FCNTL_FILE_POINTER`), never through a descriptor of ours: closing a second
//! descriptor of the file would drop every POSIX lock this process holds on it, including those
//! of a writer's connection. Each read holds SQLite's shared lock (a read statement is open
//! meanwhile), so no writer changes the file during it, and checks the header's change counter
//! against the one seen when the reader was opened: if a writer committed in between, the pages
//! in hand may no longer match the file, and the read is `Unsupported`. Between reads no lock
//! is held, so a slow consumer (a replay at the recording's speed) never blocks a recorder.

use std::ffi::{c_int, c_void};

use rusqlite::types::ValueRef;
use rusqlite::{ffi, Connection};

/// Why the pages path stops reading; the reader goes on through SQLite. The text says what was
/// met, for debugging and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Unsupported(pub(super) &'static str);

/// SQLite's own limit on b-tree depth (`BTCURSOR_MAX_DEPTH`).
const MAX_DEPTH: usize = 20;
/// Largest read: pages are read ahead in runs of up to this many bytes.
const READ_AHEAD_BYTES: usize = 256 * 1024;
/// Bytes of the file header that must not change while the reader works: the read/write format
/// versions (18, 19: rollback journal or WAL) and the file change counter (24..28), which every
/// committing writer increments.
const WATCHED: std::ops::Range<usize> = 18..28;

/// SQLite's file object of a connection's main database. Valid while that connection is open:
/// it is used only while the connection it came from is borrowed or owned alongside.
#[derive(Clone, Copy)]
struct FileHandle(*mut ffi::sqlite3_file);

// SAFETY: a pager keeps the handle with its connection and uses it only through `&mut self`,
// never concurrently with the connection, which `rusqlite::Connection: Send` allows to move
// between threads.
unsafe impl Send for FileHandle {}

impl FileHandle {
    /// The file object of `conn`'s main database.
    fn of(conn: &Connection) -> Result<FileHandle, Unsupported> {
        let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
        // SAFETY: `conn.handle()` is a live connection; the file control writes one pointer.
        let rc = unsafe {
            ffi::sqlite3_file_control(
                conn.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&mut file as *mut *mut ffi::sqlite3_file).cast::<c_void>(),
            )
        };
        // SAFETY: a non-null pointer from SQLite points to its open file object.
        if rc != ffi::SQLITE_OK || file.is_null() || unsafe { (*file).pMethods.is_null() } {
            return Err(Unsupported("no file handle from SQLite"));
        }
        Ok(FileHandle(file))
    }

    /// Read `buf.len()` bytes at `offset` (no lock taken here).
    fn read_at(self, offset: u64, buf: &mut [u8]) -> Result<(), Unsupported> {
        let len = c_int::try_from(buf.len()).map_err(|_| Unsupported("read too large"))?;
        // SAFETY: the file object is open (see the type's doc); xRead writes at most `len` bytes
        // into `buf`.
        let rc = unsafe {
            let methods = &*(*self.0).pMethods;
            let read = methods.xRead.ok_or(Unsupported("no xRead"))?;
            read(self.0, buf.as_mut_ptr().cast::<c_void>(), len, offset as ffi::sqlite3_int64)
        };
        match rc {
            ffi::SQLITE_OK => Ok(()),
            ffi::SQLITE_IOERR_SHORT_READ => Err(Unsupported("file ends early")),
            _ => Err(Unsupported("read error")),
        }
    }

    fn size(self) -> Result<u64, Unsupported> {
        let mut size: ffi::sqlite3_int64 = 0;
        // SAFETY: the file object is open (see the type's doc); xFileSize writes one integer.
        let rc = unsafe {
            let methods = &*(*self.0).pMethods;
            let size_of = methods.xFileSize.ok_or(Unsupported("no xFileSize"))?;
            size_of(self.0, &mut size)
        };
        if rc != ffi::SQLITE_OK || size < 0 {
            return Err(Unsupported("cannot tell the file size"));
        }
        Ok(size as u64)
    }
}

/// What the reader learned from the file header when it opened the file. Every read checks that
/// the file still matches.
#[derive(Clone, Copy, Debug)]
pub(super) struct FileFacts {
    page_size: usize,
    /// Page size less the reserved bytes at the end of each page.
    usable: usize,
    /// Pages in the database.
    pages: u32,
    /// [`WATCHED`] header bytes.
    watched: [u8; WATCHED.end - WATCHED.start],
}

impl FileFacts {
    pub(super) fn page_size(&self) -> usize {
        self.page_size
    }

    /// Check the header of the database `conn` has open, which must be inside a read
    /// transaction that has read something (so it holds the shared lock).
    pub(super) fn of(conn: &Connection) -> Result<FileFacts, Unsupported> {
        let file = FileHandle::of(conn)?;
        let mut h = [0u8; 100];
        file.read_at(0, &mut h)?;
        if &h[..16] != b"SQLite format 3\0" {
            return Err(Unsupported("not an SQLite 3 file header"));
        }
        let page_size = match u16::from_be_bytes([h[16], h[17]]) {
            1 => 65536,
            n => n as usize,
        };
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(Unsupported("invalid page size"));
        }
        if h[18] != 1 || h[19] != 1 {
            return Err(Unsupported("not a rollback-journal file (WAL mode or newer format)"));
        }
        let usable = page_size - h[20] as usize;
        if usable < 480 || h[21..24] != [64, 32, 32] {
            return Err(Unsupported("unusual page layout"));
        }
        if u32::from_be_bytes([h[56], h[57], h[58], h[59]]) != 1 {
            return Err(Unsupported("text is not UTF-8"));
        }
        let be32 = |at: usize| u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        // The header's page count is valid when written by SQLite 3.7.0 or later, which sets the
        // "version valid for" field to the change counter; SQLite itself falls back to the file
        // size otherwise.
        let in_header = be32(28);
        let file_size = file.size()?;
        let pages = if in_header != 0 && be32(92) == be32(24) {
            in_header
        } else {
            u32::try_from(file_size / page_size as u64).map_err(|_| Unsupported("file too large"))?
        };
        if pages as u64 * page_size as u64 > file_size {
            return Err(Unsupported("file shorter than its header says"));
        }
        let mut watched = [0; WATCHED.end - WATCHED.start];
        watched.copy_from_slice(&h[WATCHED]);
        Ok(FileFacts { page_size, usable, pages, watched })
    }
}

/// The database file, read through SQLite's connection.
pub(super) struct Pager {
    conn: Connection,
    /// SQLite's handle of `conn`'s main database file.
    file: FileHandle,
    facts: FileFacts,
}

impl Pager {
    /// Read the file `conn` has open, expecting it to be as `facts` says.
    pub(super) fn new(conn: Connection, facts: FileFacts) -> Result<Pager, Unsupported> {
        let file = FileHandle::of(&conn)?;
        Ok(Pager { conn, file, facts })
    }

    /// Read pages from page `first` on into `buf`, under SQLite's shared lock, after checking
    /// that no writer has committed since the reader was opened.
    fn read_pages(&mut self, first: u32, buf: &mut [u8]) -> Result<(), Unsupported> {
        let file = self.file;
        let offset = (first as u64 - 1) * self.facts.page_size as u64;
        // While the statement has a row in hand, its read transaction holds the shared lock;
        // dropping `rows` resets it and releases the lock.
        let mut stmt =
            self.conn.prepare_cached("PRAGMA schema_version").map_err(|_| Unsupported("cannot lock"))?;
        let mut rows = stmt.query([]).map_err(|_| Unsupported("cannot lock the file"))?;
        match rows.next() {
            Ok(Some(_)) => {}
            _ => return Err(Unsupported("cannot lock the file")),
        }
        let mut header = [0u8; WATCHED.end];
        file.read_at(0, &mut header)?;
        if header[WATCHED] != self.facts.watched {
            return Err(Unsupported("the file changed since it was opened"));
        }
        file.read_at(offset, buf)?;
        drop(rows);
        Ok(())
    }
}

/// Consecutive pages read in one go: the next leaves of the table when they follow each other
/// in the file (as they do in a table written in rowid order), up to [`READ_AHEAD_BYTES`].
struct Window {
    buf: Vec<u8>,
    /// First page held (pages are numbered from 1; 0 when empty).
    first: u32,
    count: u32,
}

impl Window {
    /// Where page `n` starts in `buf`, if held.
    fn offset(&self, facts: &FileFacts, n: u32) -> Option<usize> {
        (n >= self.first && n - self.first < self.count).then(|| (n - self.first) as usize * facts.page_size)
    }

    /// The usable bytes of page `n`; unless held, read with the `run - 1` pages after it.
    fn page(&mut self, pager: &mut Pager, n: u32, run: u32) -> Result<&[u8], Unsupported> {
        let facts = pager.facts;
        if n == 0 || n > facts.pages {
            return Err(Unsupported("page number outside the file"));
        }
        if self.offset(&facts, n).is_none() {
            let most = (READ_AHEAD_BYTES / facts.page_size).max(1) as u32;
            let count = run.clamp(1, most).min(facts.pages - n + 1);
            let bytes = count as usize * facts.page_size;
            self.buf.resize(bytes, 0);
            self.first = 0;
            self.count = 0;
            pager.read_pages(n, &mut self.buf[..bytes])?;
            self.first = n;
            self.count = count;
        }
        let at = self.offset(&facts, n).ok_or(Unsupported("page not held"))?;
        self.buf.get(at..at + facts.usable).ok_or(Unsupported("page not held"))
    }
}

/// An interior page on the way down to the current leaf.
struct Interior {
    /// The page's usable bytes (a copy: the window moves on).
    bytes: Vec<u8>,
    cells: u16,
    /// Next child to visit: cell `next`'s left child, or the right-most child when `next ==
    /// cells`.
    next: u16,
    /// Keys in this subtree are greater than this…
    lower: i64,
    /// …and at most this.
    upper: i64,
}

impl Interior {
    /// Child `index` (the right-most for `index == cells`) and the key of cell `index` (the
    /// page's upper bound for the right-most).
    fn child(&self, index: u16) -> Result<(u32, i64), Unsupported> {
        if index < self.cells {
            interior_cell(&self.bytes, self.cells, index)
        } else {
            let b = &self.bytes;
            Ok((u32::from_be_bytes([b[8], b[9], b[10], b[11]]), self.upper))
        }
    }
}

/// The leaf being read.
struct Leaf {
    /// Where the page starts in the window (which holds it until the next page is entered).
    at: usize,
    cells: u16,
    next: u16,
    lower: i64,
    upper: i64,
}

/// A row as it lies in its leaf page.
pub(super) struct Row<'a> {
    pub(super) rowid: i64,
    /// Number of its leaf, from 0 in rowid order.
    pub(super) leaf: u64,
    pub(super) record: &'a [u8],
}

/// A child page to enter.
struct Child {
    page: u32,
    lower: i64,
    upper: i64,
    /// Pages to read from `page` on if it is not held: the following children when they are
    /// the next pages of the file.
    run: u32,
}

/// Which leaves a cursor reads when several share a table: leaf `i` (in rowid order) belongs
/// to lane `i / group % lanes`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Share {
    pub(super) lane: u64,
    pub(super) lanes: u64,
    pub(super) group: u64,
}

impl Share {
    /// Every leaf.
    pub(super) const ALL: Share = Share { lane: 0, lanes: 1, group: u64::MAX };

    fn wants(&self, leaf: u64) -> bool {
        leaf / self.group % self.lanes == self.lane
    }
}

/// Walks one table b-tree in rowid order, yielding each row's rowid and record, from the
/// leaves its [`Share`] gives it. Leaves of other lanes are counted but never read: in a b-tree
/// every leaf is at the same depth, so the children of the pages just above that depth are
/// leaves (checked on every page that is read).
pub(super) struct TableCursor {
    root: u32,
    share: Share,
    window: Window,
    stack: Vec<Interior>,
    /// Interior page buffers popped off `stack`, for reuse.
    spare: Vec<Vec<u8>>,
    leaf: Option<Leaf>,
    started: bool,
    /// Depth of the leaves (the root's is 0), once the first leaf has been reached.
    leaf_depth: Option<usize>,
    /// Leaves met so far, read or not: the number of the next one.
    leaves: u64,
    /// Pages entered; a b-tree visiting more pages than the file has loops.
    visited: u64,
    /// Rowid of the last row yielded; rowids must increase.
    last_key: Option<i64>,
    /// `last_key` before the last row, for [`TableCursor::unread`].
    key_before: Option<i64>,
}

impl TableCursor {
    /// A cursor over the table whose b-tree root is page `root` (from `sqlite_schema`).
    pub(super) fn new(root: u32, share: Share) -> TableCursor {
        TableCursor {
            root,
            share,
            window: Window { buf: Vec::new(), first: 0, count: 0 },
            stack: Vec::new(),
            spare: Vec::new(),
            leaf: None,
            started: false,
            leaf_depth: None,
            leaves: 0,
            visited: 0,
            last_key: None,
            key_before: None,
        }
    }

    /// Leaves met so far, read or not; all of the table's once `next_row` has returned `None`.
    pub(super) fn leaves(&self) -> u64 {
        self.leaves
    }

    /// The next row, `None` after the last.
    #[inline]
    pub(super) fn next_row(&mut self, pager: &mut Pager) -> Result<Option<Row<'_>>, Unsupported> {
        loop {
            if let Some(leaf) = &mut self.leaf {
                if leaf.next < leaf.cells {
                    let index = leaf.next;
                    leaf.next += 1;
                    let page = self.window.buf.get(leaf.at..leaf.at + pager.facts.usable);
                    let page = page.ok_or(Unsupported("leaf not held"))?;
                    let (key, payload) = leaf_cell(page, leaf.cells, index)?;
                    if key <= leaf.lower || key > leaf.upper || self.last_key.is_some_and(|last| key <= last)
                    {
                        return Err(Unsupported("rowids out of order"));
                    }
                    self.key_before = self.last_key.replace(key);
                    // The current leaf was the last one met.
                    let leaf = self.leaves - 1;
                    return Ok(Some(Row { rowid: key, leaf, record: &page[payload] }));
                }
                self.leaf = None;
            }
            if !self.next_leaf(pager)? {
                return Ok(None);
            }
        }
    }

    /// Step back over the row just yielded, so that `next_row` yields it again.
    pub(super) fn unread(&mut self) {
        if let Some(leaf) = &mut self.leaf {
            leaf.next = leaf.next.saturating_sub(1);
            self.last_key = self.key_before;
        }
    }

    /// Move to the next leaf of this cursor's share; false when the tree is done.
    fn next_leaf(&mut self, pager: &mut Pager) -> Result<bool, Unsupported> {
        let mut next = if self.started {
            self.next_child()?
        } else {
            self.started = true;
            Some(Child { page: self.root, lower: i64::MIN, upper: i64::MAX, run: 1 })
        };
        while let Some(child) = next {
            if self.enter(pager, &child)? {
                return Ok(true);
            }
            next = self.next_child()?;
        }
        Ok(false)
    }

    /// The next child page to enter, popping finished interior pages and passing over leaves
    /// of other lanes; `None` when the tree is done.
    fn next_child(&mut self) -> Result<Option<Child>, Unsupported> {
        let most = READ_AHEAD_BYTES as u32 / 512;
        while let Some(top) = self.stack.last_mut() {
            if top.next > top.cells {
                let done = self.stack.pop().map(|level| level.bytes);
                self.spare.extend(done);
                continue;
            }
            let index = top.next;
            top.next += 1;
            let (page, upper) = top.child(index)?;
            let lower = if index == 0 { top.lower } else { top.child(index - 1)?.1 };
            if upper < lower || upper > top.upper {
                return Err(Unsupported("interior keys out of order"));
            }
            let mut run = 1;
            if self.leaf_depth == Some(self.stack.len()) {
                // The children are leaves.
                let number = self.leaves;
                self.leaves += 1;
                if !self.share.wants(number) {
                    continue;
                }
                let top = &self.stack[self.stack.len() - 1];
                while run < most
                    && index + (run as u16) <= top.cells
                    && self.share.wants(number + run as u64)
                    && top.child(index + run as u16)?.0 == page.wrapping_add(run)
                {
                    run += 1;
                }
            }
            return Ok(Some(Child { page, lower, upper, run }));
        }
        Ok(None)
    }

    /// Enter a child page: a leaf of this share becomes the current leaf (true), an interior
    /// page goes on the stack (false).
    fn enter(&mut self, pager: &mut Pager, child: &Child) -> Result<bool, Unsupported> {
        self.visited += 1;
        if self.visited > pager.facts.pages as u64 {
            return Err(Unsupported("b-tree visits more pages than the file has"));
        }
        if child.page < 2 {
            // Page 1 holds the schema's root; it is no other table's page.
            return Err(Unsupported("child page 1 or 0"));
        }
        let depth = self.stack.len();
        if depth > MAX_DEPTH {
            return Err(Unsupported("b-tree too deep"));
        }
        let usable = pager.facts.usable;
        let run = child.run;
        let bytes = self.window.page(pager, child.page, run)?;
        let cells = u16::from_be_bytes([bytes[3], bytes[4]]);
        // SQLite's MX_CELL: the most cells a page can hold.
        if cells as usize > (usable - 8) / 6 {
            return Err(Unsupported("too many cells for the page"));
        }
        match (bytes[0], self.leaf_depth) {
            (0x0D, Some(d)) if d == depth => {}
            (0x0D, None) => {
                // The first leaf, on the left-most path: every lane reaches it, and it is leaf 0.
                self.leaf_depth = Some(depth);
                let number = self.leaves;
                self.leaves += 1;
                if !self.share.wants(number) {
                    return Ok(false);
                }
            }
            (0x05, None) => {}
            (0x05, Some(d)) if depth < d => {}
            (0x0D | 0x05, _) => return Err(Unsupported("leaves at different depths")),
            _ => return Err(Unsupported("not a table b-tree page")),
        }
        if bytes[0] == 0x0D {
            let at = self.window.offset(&pager.facts, child.page).ok_or(Unsupported("leaf not held"))?;
            self.leaf = Some(Leaf { at, cells, next: 0, lower: child.lower, upper: child.upper });
            return Ok(true);
        }
        let mut copy = self.spare.pop().unwrap_or_default();
        copy.clear();
        copy.extend_from_slice(bytes);
        self.stack.push(Interior { bytes: copy, cells, next: 0, lower: child.lower, upper: child.upper });
        Ok(false)
    }
}

/// Leaf cell `index` of a leaf page (its usable bytes) of `cells` cells: the rowid and where its
/// record lies.
#[inline]
fn leaf_cell(page: &[u8], cells: u16, index: u16) -> Result<(i64, std::ops::Range<usize>), Unsupported> {
    let (pointer, content_from) = (8 + 2 * index as usize, 8 + 2 * cells as usize);
    let at = u16::from_be_bytes([page[pointer], page[pointer + 1]]) as usize;
    if at < content_from || at >= page.len() {
        return Err(Unsupported("cell pointer outside the cell content area"));
    }
    let (size, n) = varint(page, at)?;
    let (key, m) = varint(page, at + n)?;
    let start = at + n + m;
    // Larger payloads keep only part of the record on the page and the rest on overflow pages.
    if size > (page.len() - 35) as u64 {
        return Err(Unsupported("record spills to overflow pages"));
    }
    let end = start + size as usize;
    if end > page.len() {
        return Err(Unsupported("cell runs past its page"));
    }
    Ok((key as i64, start..end))
}

/// Interior cell `index` of an interior page of `cells` cells: its left child and key.
fn interior_cell(page: &[u8], cells: u16, index: u16) -> Result<(u32, i64), Unsupported> {
    let (pointer, content_from) = (12 + 2 * index as usize, 12 + 2 * cells as usize);
    let at = u16::from_be_bytes([page[pointer], page[pointer + 1]]) as usize;
    if at < content_from || at + 4 >= page.len() {
        return Err(Unsupported("cell pointer outside the cell content area"));
    }
    let child = u32::from_be_bytes([page[at], page[at + 1], page[at + 2], page[at + 3]]);
    let (key, _) = varint(page, at + 4)?;
    Ok((child, key as i64))
}

/// SQLite's variable-length integer at `at`: the value and its length (1–9 bytes).
#[inline]
fn varint(bytes: &[u8], at: usize) -> Result<(u64, usize), Unsupported> {
    match bytes.get(at) {
        Some(&first) if first < 0x80 => Ok((first as u64, 1)),
        _ => long_varint(bytes, at),
    }
}

fn long_varint(bytes: &[u8], at: usize) -> Result<(u64, usize), Unsupported> {
    const RUNS_OUT: Unsupported = Unsupported("number runs past its page or record");
    let first = *bytes.get(at).ok_or(RUNS_OUT)?;
    let mut value = (first & 0x7F) as u64;
    for i in 1..9 {
        let b = *bytes.get(at + i).ok_or(RUNS_OUT)?;
        if i == 8 {
            return Ok(((value << 8) | b as u64, 9));
        }
        value = (value << 7) | (b & 0x7F) as u64;
        if b < 0x80 {
            return Ok((value, i + 1));
        }
    }
    unreachable!("the loop returns at its ninth byte")
}

/// Decode a record into its first `N` column values, as SQLite's `OP_Column` returns them
/// before any column affinity: columns the record lacks (added to the table after the row was
/// written) read NULL, which the caller has checked is their default; NaN reals read NULL, as
/// SQLite reads them.
#[inline]
pub(super) fn record<'a, const N: usize>(
    payload: &'a [u8],
    values: &mut [ValueRef<'a>; N],
) -> Result<(), Unsupported> {
    // The usual record: a one-byte header size and one byte per column's serial type.
    if let Some(types) = payload.get(1..N + 1) {
        if payload[0] as usize == N + 1 && types.iter().all(|&t| t < 0x80) {
            let mut body = N + 1;
            for (value, &serial) in values.iter_mut().zip(types) {
                let (v, len) = value_of(serial as u64, &payload[body..])?;
                *value = v;
                body += len;
            }
            return if body == payload.len() { Ok(()) } else { Err(SIZE_MISMATCH) };
        }
    }
    record_in_general(payload, values)
}

/// When the whole header has been read, SQLite insists that the values fill the record.
const SIZE_MISMATCH: Unsupported = Unsupported("record size does not match its values");

fn record_in_general<'a, const N: usize>(
    payload: &'a [u8],
    values: &mut [ValueRef<'a>; N],
) -> Result<(), Unsupported> {
    let (header_size, mut at) = varint(payload, 0)?;
    if header_size > payload.len() as u64 || (header_size as usize) < at {
        return Err(Unsupported("record header runs past the record"));
    }
    let header = &payload[..header_size as usize];
    let mut body = header.len();
    for value in values.iter_mut() {
        if at >= header.len() {
            *value = ValueRef::Null;
            continue;
        }
        let (serial, n) = varint(header, at)?;
        at += n;
        let (v, len) = value_of(serial, &payload[body..])?;
        *value = v;
        body += len;
    }
    if at == header.len() && body != payload.len() {
        return Err(SIZE_MISMATCH);
    }
    Ok(())
}

/// One value of serial type `serial` at the start of `body`, and its size.
#[inline(always)]
fn value_of(serial: u64, body: &[u8]) -> Result<(ValueRef<'_>, usize), Unsupported> {
    const SHORT: Unsupported = Unsupported("value runs past its record");
    /// Bytes of the integer serial types 1–6.
    const INT_SIZES: [usize; 7] = [0, 1, 2, 3, 4, 6, 8];
    match serial {
        1..=6 => {
            let len = INT_SIZES[serial as usize];
            // Big-endian two's complement: the bytes go to the top of a word and an arithmetic
            // shift brings them down, extending the sign.
            let word = match body.get(..8) {
                Some(eight) => i64::from_be_bytes(eight.try_into().map_err(|_| SHORT)?),
                None => {
                    let mut word = [0u8; 8];
                    word[..len].copy_from_slice(body.get(..len).ok_or(SHORT)?);
                    i64::from_be_bytes(word)
                }
            };
            Ok((ValueRef::Integer(word >> (64 - 8 * len)), len))
        }
        0 => Ok((ValueRef::Null, 0)),
        7 => {
            let bytes: [u8; 8] = body.get(..8).and_then(|b| b.try_into().ok()).ok_or(SHORT)?;
            let r = f64::from_bits(u64::from_be_bytes(bytes));
            Ok((if r.is_nan() { ValueRef::Null } else { ValueRef::Real(r) }, 8))
        }
        8 => Ok((ValueRef::Integer(0), 0)),
        9 => Ok((ValueRef::Integer(1), 0)),
        10 | 11 => Err(Unsupported("reserved serial type")),
        n => {
            let len = usize::try_from((n - 12) / 2).map_err(|_| SHORT)?;
            let bytes = body.get(..len).ok_or(SHORT)?;
            Ok((if n % 2 == 0 { ValueRef::Blob(bytes) } else { ValueRef::Text(bytes) }, len))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_of_every_length_decode() {
        assert_eq!(varint(&[0x7F], 0), Ok((0x7F, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Ok((0x80, 2)));
        assert_eq!(varint(&[0xFF; 9], 0), Ok((u64::MAX, 9)));
        assert_eq!(varint(&[0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0), Ok((1 << 57 | 1, 9)));
        assert!(varint(&[0x81, 0x81], 0).is_err());
        assert!(varint(&[], 0).is_err());
    }

    #[test]
    fn every_serial_type_reads_as_sqlite_reads_it() {
        use rusqlite::types::Value;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("values.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (v)").unwrap();
        let values: Vec<Value> = vec![
            Value::Null,
            0.into(),
            1.into(),
            (-1).into(),
            127.into(),
            (-129).into(),
            0x7F_FFFFi64.into(),
            (-0x80_0000i64).into(),
            0x7FFF_FFFFi64.into(),
            0x7FFF_FFFF_FFFFi64.into(),
            (-0x8000_0000_0000i64).into(),
            i64::MAX.into(),
            i64::MIN.into(),
            1.5.into(),
            (-0.0f64).into(),
            f64::INFINITY.into(),
            "text \u{fc}n\u{ef}code".to_string().into(),
            vec![1u8, 2, 3].into(),
            Vec::<u8>::new().into(),
            String::new().into(),
        ];
        for value in values {
            conn.execute("DELETE FROM t", []).unwrap();
            conn.execute("INSERT INTO t VALUES (?1)", [&value]).unwrap();
            // Table t's b-tree is page 2, a single leaf.
            let file = std::fs::read(&path).unwrap();
            let page = &file[4096..8192];
            assert_eq!(page[0], 0x0D);
            let (rowid, range) = leaf_cell(page, 1, 0).unwrap();
            let mut got = [ValueRef::Null; 1];
            record(&page[range], &mut got).unwrap();
            let (expected_rowid, expected): (i64, Value) =
                conn.query_row("SELECT rowid, v FROM t", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!((rowid, got[0]), (expected_rowid, ValueRef::from(&expected)));
        }
    }

    #[test]
    fn records_that_do_not_add_up_are_unsupported() {
        let mut v = [ValueRef::Null; 2];
        // Header size 3: serial types 1 (one-byte integer) and 13 (empty text), body 1 byte.
        assert_eq!(record(&[3, 1, 13, 42], &mut v), Ok(()));
        assert_eq!(v, [ValueRef::Integer(42), ValueRef::Text(b"")]);
        // Trailing bytes after the values, a value past the end, a header past the end.
        assert!(record(&[3, 1, 13, 42, 0], &mut v).is_err());
        assert!(record(&[3, 6, 13, 42], &mut v).is_err());
        assert!(record(&[9, 1, 13, 42], &mut v).is_err());
        assert!(record(&[0], &mut v).is_err());
        assert!(record(&[2, 10], &mut v).is_err());
        // A column the record lacks reads NULL.
        assert_eq!(record(&[2, 9], &mut v), Ok(()));
        assert_eq!(v, [ValueRef::Integer(1), ValueRef::Null]);
        // NaN reads NULL, as in SQLite.
        let mut nan = vec![2u8, 7];
        nan.extend_from_slice(&f64::NAN.to_bits().to_be_bytes());
        assert_eq!(record(&nan, &mut v), Ok(()));
        assert_eq!(v[0], ValueRef::Null);
    }
}
