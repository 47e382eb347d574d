//! Reading BLF in two stages. The *source* walks the file level: the header, LOG_CONTAINERs (it
//! inflates them), padding, objects outside containers, corrupt or truncated bits; it hands
//! container payloads over as [`Piece`]s. The *object parser* ([`BlfReader`]) walks the stream
//! of inner objects across those payloads (an object may start in one container and end in the
//! next) and decodes frames and events.
//!
//! By default the source runs on its own thread and inflates a few containers ahead, so a
//! reader uses two cores; [`BlfReader::new_inline`] keeps everything on the caller's thread.
//! Memory is bounded: a handful of container buffers, reused, whatever the file size.

use std::collections::VecDeque;
use std::io::{self, BufRead};
use std::sync::mpsc;

use flate2::{Decompress, FlushDecompress, Status};

use super::objects::{self as obj, BaseHeader, Decoded, FileHeader};
use crate::log::time::TimeZone;
use crate::log::{count, Counts, Event, EventKind, Location, LogError, LogReader, Record};
use crate::Channel;

/// Largest container accepted (compressed object and inflated payload); Vector writes 128 KiB.
const MAX_CONTAINER: u64 = 16 << 20;
/// Largest object cankit decodes (markers and texts can be long; CAN objects are < 200 bytes).
const MAX_DECODED_OBJECT: u64 = 1 << 20;
/// Containers inflated ahead of the object parser in threaded mode.
const READ_AHEAD: usize = 4;
/// Free buffers kept for reuse.
const MAX_FREE: usize = READ_AHEAD + 2;
/// Size of the source's read window.
const WINDOW: usize = 1 << 16;

/// What the source hands to the object parser, in file order.
enum Piece {
    /// Inner objects: the (inflated) payload of a container, or one object found outside any
    /// container.
    Payload {
        data: Vec<u8>,
        /// File offset of the container (or of the object, at the file level).
        container: u64,
        /// File offset of `data[0]`, when the payload is stored uncompressed.
        file_offset: Option<u64>,
        /// The payload does not continue an object from the previous one.
        fresh: bool,
    },
    /// A recoverable problem at the file level; the stream of inner objects breaks here.
    Problem(LogError),
    /// An object skipped on purpose at the file level.
    Skipped(&'static str),
    /// The file ends inside the object at `object`.
    Truncated { at: u64, object: u64, size: u64 },
    /// A clean end of file.
    End,
    /// Reading failed; nothing follows.
    Failed(LogError),
}

/// The file-level walker.
struct Source {
    input: Box<dyn BufRead + Send>,
    name: String,
    /// Read window `buf[lo..hi]`, whose first byte is at file offset `offset`.
    buf: Vec<u8>,
    lo: usize,
    hi: usize,
    offset: u64,
    eof: bool,
    /// Compressed payload of the current container.
    compressed: Vec<u8>,
    inflater: Decompress,
    free: Vec<Vec<u8>>,
    pending: VecDeque<Piece>,
    /// Looking for the next `LOBJ` after garbage.
    resync: bool,
    /// The next payload does not continue the previous one (after a problem or an outer object).
    fresh: bool,
    finished: bool,
}

impl Source {
    fn new(input: Box<dyn BufRead + Send>, name: &str) -> Source {
        Source {
            input,
            name: name.to_string(),
            buf: vec![0; WINDOW],
            lo: 0,
            hi: 0,
            offset: 0,
            eof: false,
            compressed: Vec::new(),
            inflater: Decompress::new(true),
            free: Vec::new(),
            pending: VecDeque::new(),
            resync: false,
            fresh: true,
            finished: false,
        }
    }

    fn malformed(&self, at: u64, message: impl Into<String>) -> LogError {
        LogError::malformed(&self.name, Location::Offset(at), message)
    }

    fn window(&self) -> &[u8] {
        &self.buf[self.lo..self.hi]
    }

    /// Make at least `want` (≤ WINDOW) bytes available unless the file ends; returns how many are.
    fn fill(&mut self, want: usize) -> io::Result<usize> {
        while self.hi - self.lo < want && !self.eof {
            if self.lo > 0 && self.buf.len() - self.lo < want {
                self.buf.copy_within(self.lo..self.hi, 0);
                self.hi -= self.lo;
                self.lo = 0;
            }
            let hi = self.hi;
            match self.input.read(&mut self.buf[hi..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.hi += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.hi - self.lo)
    }

    fn consume(&mut self, n: usize) {
        self.lo += n;
        self.offset += n as u64;
    }

    /// Append `n` bytes to `out`; fewer only at the end of the file. Returns how many.
    fn take_into(&mut self, n: u64, out: &mut Vec<u8>) -> io::Result<u64> {
        let from_window = (self.hi - self.lo).min(n as usize);
        out.extend_from_slice(&self.buf[self.lo..self.lo + from_window]);
        self.consume(from_window);
        let mut got = from_window as u64;
        let start = out.len();
        let rest = (n - got) as usize;
        if rest > 0 {
            out.resize(start + rest, 0);
            let mut filled = 0;
            while filled < rest && !self.eof {
                match self.input.read(&mut out[start + filled..]) {
                    Ok(0) => self.eof = true,
                    Ok(k) => filled += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            out.truncate(start + filled);
            self.offset += filled as u64;
            got += filled as u64;
        }
        Ok(got)
    }

    /// Skip `n` bytes; fewer only at the end of the file. Returns how many.
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            if self.lo == self.hi {
                self.lo = 0;
                self.hi = 0;
                if self.fill(1)? == 0 {
                    break;
                }
            }
            let k = ((self.hi - self.lo) as u64).min(left) as usize;
            self.consume(k);
            left -= k as u64;
        }
        Ok(n - left)
    }

    /// A buffer for a payload, reused when one is free.
    fn buffer(&mut self) -> Vec<u8> {
        let mut b = self.free.pop().unwrap_or_default();
        b.clear();
        b
    }

    fn give_back(&mut self, b: Vec<u8>) {
        if self.free.len() < MAX_FREE && b.capacity() <= MAX_CONTAINER as usize {
            self.free.push(b);
        }
    }

    /// The 144-byte file header; the window is left at the first object.
    fn read_header(&mut self) -> Result<FileHeader, LogError> {
        let io_err = |s: &Source, e| LogError::io(&s.name, "reading the file header", e);
        let n = self.fill(obj::FILE_HEADER_SIZE).map_err(|e| io_err(self, e))?;
        let window = self.window();
        if n < 4 || &window[..4] != obj::FILE_SIGNATURE {
            return Err(LogError::Invalid {
                path: self.name.clone(),
                message: "not a BLF file (it does not start with \"LOGG\")".into(),
            });
        }
        if n < obj::FILE_HEADER_SIZE {
            return Err(LogError::Invalid {
                path: self.name.clone(),
                message: format!("file header truncated at offset {n} (a BLF header has 144 bytes)"),
            });
        }
        let mut bytes = [0u8; obj::FILE_HEADER_SIZE];
        bytes.copy_from_slice(&window[..obj::FILE_HEADER_SIZE]);
        // The signature was checked above.
        let header = FileHeader::parse(&bytes).expect("signature checked");
        // statisticsSize says where objects start; ignore nonsense and assume Vector's 144.
        let size = header.header_size as u64;
        let size = if (obj::FILE_HEADER_SIZE as u64..=1 << 20).contains(&size) {
            size
        } else {
            obj::FILE_HEADER_SIZE as u64
        };
        self.skip(size).map_err(|e| io_err(self, e))?;
        Ok(header)
    }

    fn next_piece(&mut self) -> Piece {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return p;
            }
            if self.finished {
                return Piece::End;
            }
            let at = self.offset;
            match self.advance() {
                Ok(Some(p)) => return p,
                Ok(None) => {}
                Err(e) => {
                    self.finished = true;
                    return Piece::Failed(LogError::io(&self.name, format!("reading at offset {at}"), e));
                }
            }
        }
    }

    /// One step at the file level; `None` when it produced nothing to report.
    fn advance(&mut self) -> io::Result<Option<Piece>> {
        if self.resync {
            self.resync = false;
            self.scan_for_object()?;
        }
        let at = self.offset;
        let n = self.fill(obj::BASE_HEADER_SIZE)?;
        if n == 0 {
            self.finished = true;
            return Ok(Some(Piece::End));
        }
        let Some(header) = BaseHeader::parse(self.window()) else {
            // Padding written differently than `objectSize % 4`: python-can looks for the next
            // LOBJ within a few bytes, so do we. Trailing zeros end the file quietly.
            let w = self.window();
            let near = &w[..w.len().min(8)];
            if let Some(k) = near.windows(4).position(|x| x == obj::OBJECT_SIGNATURE).filter(|k| *k > 0) {
                self.consume(k);
                return Ok(None);
            }
            if n < obj::BASE_HEADER_SIZE && w.iter().all(|b| *b == 0) {
                self.consume(n);
                self.finished = true;
                return Ok(Some(Piece::End));
            }
            if n < obj::BASE_HEADER_SIZE && obj::OBJECT_SIGNATURE.starts_with(&w[..n.min(4)]) {
                self.finished = true;
                return Ok(Some(Piece::Truncated { at: at + n as u64, object: at, size: 0 }));
            }
            return Ok(Some(self.lost_track(at, "expected an object (\"LOBJ\")")));
        };
        let size = header.object_size as u64;
        if header.object_type == obj::LOG_CONTAINER {
            if size < obj::CONTAINER_HEADER_SIZE as u64
                || size - obj::CONTAINER_HEADER_SIZE as u64 > MAX_CONTAINER
            {
                return Ok(Some(
                    self.lost_track(at, format!("LOG_CONTAINER with impossible objectSize {size}")),
                ));
            }
            return self.container(at, size).map(Some);
        }
        if size < obj::BASE_HEADER_SIZE as u64 {
            return Ok(Some(
                self.lost_track(at, format!("objectSize {size} is smaller than an object header")),
            ));
        }
        // An object outside any container: unusual but legal (ablf reads them too).
        self.fresh = true;
        if obj::is_decoded(header.object_type) && size <= MAX_DECODED_OBJECT {
            let mut data = self.buffer();
            let got = self.take_into(size, &mut data)?;
            if got < size {
                self.finished = true;
                return Ok(Some(Piece::Truncated { at: self.offset, object: at, size }));
            }
            self.skip(obj::padding(size))?;
            return Ok(Some(Piece::Payload { data, container: at, file_offset: Some(at), fresh: true }));
        }
        let skipped = self.skip(size)?;
        if skipped < size {
            self.finished = true;
            return Ok(Some(Piece::Truncated { at: self.offset, object: at, size }));
        }
        self.skip(obj::padding(size))?;
        Ok(Some(Piece::Skipped(obj::skip_reason(header.object_type))))
    }

    /// Report garbage at `at` and look for the next object from the byte after it.
    fn lost_track(&mut self, at: u64, what: impl std::fmt::Display) -> Piece {
        self.consume(1);
        self.resync = true;
        self.fresh = true;
        Piece::Problem(self.malformed(at, format!("{what}; skipping to the next object")))
    }

    /// Consume bytes up to the next `LOBJ` (or the end of the file).
    fn scan_for_object(&mut self) -> io::Result<()> {
        loop {
            let n = self.fill(WINDOW / 2)?;
            if n < 4 {
                self.consume(n);
                return Ok(());
            }
            match self.window().windows(4).position(|x| x == obj::OBJECT_SIGNATURE) {
                Some(k) => {
                    self.consume(k);
                    return Ok(());
                }
                // Keep the last 3 bytes: a signature may straddle the window's end.
                None => self.consume(n - 3),
            }
        }
    }

    /// A LOG_CONTAINER at `at` whose base header is in the window.
    fn container(&mut self, at: u64, size: u64) -> io::Result<Piece> {
        let n = self.fill(obj::CONTAINER_HEADER_SIZE)?;
        if n < obj::CONTAINER_HEADER_SIZE {
            self.consume(n);
            self.finished = true;
            return Ok(Piece::Truncated { at: self.offset, object: at, size });
        }
        let w = self.window();
        let method = obj::u16_at(w, 16);
        let uncompressed = obj::u32_at(w, 24) as u64;
        self.consume(obj::CONTAINER_HEADER_SIZE);
        let payload_size = size - obj::CONTAINER_HEADER_SIZE as u64;
        let mut compressed = std::mem::take(&mut self.compressed);
        compressed.clear();
        let got = self.take_into(payload_size, &mut compressed)?;
        let truncated = got < payload_size;
        if !truncated {
            self.skip(obj::padding(size))?;
        }
        let fresh = std::mem::replace(&mut self.fresh, false);
        let payload_at = at + obj::CONTAINER_HEADER_SIZE as u64;
        let piece =
            match method {
                obj::METHOD_NONE => {
                    let data = std::mem::replace(&mut compressed, self.buffer());
                    Piece::Payload { data, container: at, file_offset: Some(payload_at), fresh }
                }
                obj::METHOD_ZLIB if uncompressed > MAX_CONTAINER => {
                    self.fresh = true;
                    Piece::Problem(self.malformed(
                        at,
                        format!(
                        "LOG_CONTAINER claims {uncompressed} bytes uncompressed (more than 16 MiB); skipped"
                    ),
                    ))
                }
                obj::METHOD_ZLIB => {
                    // Deflate expands at most 1032:1: never allocate for a claim the compressed
                    // bytes cannot back.
                    let room = uncompressed.min(compressed.len() as u64 * 1032 + 1024);
                    let mut data = self.buffer();
                    data.resize(room as usize, 0);
                    self.inflater.reset(true);
                    let result = self.inflater.decompress(&compressed, &mut data, FlushDecompress::Finish);
                    data.truncate(self.inflater.total_out() as usize);
                    let problem = match result {
                        Ok(Status::StreamEnd) if data.len() as u64 == uncompressed => None,
                        Ok(Status::StreamEnd) => Some(format!(
                            "LOG_CONTAINER inflates to {} bytes, not the {uncompressed} it claims",
                            data.len()
                        )),
                        _ if truncated => None,
                        Ok(_) if data.len() as u64 == uncompressed => {
                            Some(format!("LOG_CONTAINER holds more than the {uncompressed} bytes it claims"))
                        }
                        Ok(_) => Some("LOG_CONTAINER's zlib data ends early".to_string()),
                        Err(e) => Some(format!("LOG_CONTAINER's zlib data is corrupt ({e})")),
                    };
                    if let Some(p) = problem {
                        // Objects inflated before the damage still count; the stream breaks after.
                        self.fresh = true;
                        let err = self.malformed(at, p);
                        self.pending.push_back(Piece::Problem(err));
                    }
                    Piece::Payload { data, container: at, file_offset: None, fresh }
                }
                other => {
                    self.fresh = true;
                    Piece::Problem(self.malformed(
                        at,
                        format!("LOG_CONTAINER with unknown compression method {other}; skipped"),
                    ))
                }
            };
        self.compressed = compressed;
        if truncated {
            self.finished = true;
            self.pending.push_back(Piece::Truncated { at: self.offset, object: at, size });
        }
        Ok(piece)
    }
}

/// Where pieces come from: the caller's thread or a decoding thread.
enum Pieces {
    Inline(Box<Source>),
    Threaded { pieces: mpsc::Receiver<Piece>, recycle: mpsc::Sender<Vec<u8>> },
}

impl Pieces {
    fn next(&mut self, name: &str) -> Piece {
        match self {
            Pieces::Inline(source) => source.next_piece(),
            Pieces::Threaded { pieces, .. } => pieces.recv().unwrap_or_else(|_| {
                Piece::Failed(LogError::Invalid {
                    path: name.to_string(),
                    message: "BLF decoding thread stopped".into(),
                })
            }),
        }
    }

    fn give_back(&mut self, b: Vec<u8>) {
        match self {
            Pieces::Inline(source) => source.give_back(b),
            Pieces::Threaded { recycle, .. } => {
                // The thread may have finished; then the buffer is simply freed.
                let _ = recycle.send(b);
            }
        }
    }
}

fn spawn_source(mut source: Source) -> Pieces {
    let (piece_tx, piece_rx) = mpsc::sync_channel::<Piece>(READ_AHEAD);
    let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<u8>>();
    let spawned = std::thread::Builder::new().name("blf-inflate".into()).spawn(move || loop {
        while let Ok(b) = recycle_rx.try_recv() {
            source.give_back(b);
        }
        let piece = source.next_piece();
        let last = matches!(piece, Piece::End | Piece::Failed(_));
        // The reader was dropped: stop.
        if piece_tx.send(piece).is_err() || last {
            return;
        }
    });
    match spawned {
        Ok(_) => Pieces::Threaded { pieces: piece_rx, recycle: recycle_tx },
        Err(e) => {
            // No thread to be had: report it as the reader's only item.
            let (tx, rx) = mpsc::sync_channel(1);
            let _ = tx.send(Piece::Failed(LogError::io("<blf>", "starting the decoding thread", e)));
            Pieces::Threaded { pieces: rx, recycle: recycle_tx }
        }
    }
}

/// Where an inner object is, for messages.
#[derive(Clone, Copy, Debug, Default)]
struct Place {
    offset: u64,
    /// The zlib container whose uncompressed data `offset` counts in.
    container: Option<u64>,
}

/// What to do with an inner object, judged from its base header.
enum Verdict {
    Decode,
    Skip(&'static str),
    Corrupt(String),
}

fn judge(h: &BaseHeader) -> Verdict {
    let size = h.object_size as u64;
    if size < obj::BASE_HEADER_SIZE as u64 {
        return Verdict::Corrupt(format!("objectSize {size} is smaller than an object header"));
    }
    if !obj::is_decoded(h.object_type) {
        return Verdict::Skip(obj::skip_reason(h.object_type));
    }
    if !(1..=2).contains(&h.header_version) {
        return Verdict::Skip("objects with an unknown header version (3 or later)");
    }
    let hs = h.header_size as u64;
    let least = if h.header_version == 2 { obj::HEADER_V2_SIZE } else { obj::HEADER_V1_SIZE };
    if hs < least as u64 || hs > size {
        return Verdict::Corrupt(format!("headerSize {hs} does not fit (objectSize {size})"));
    }
    if size > MAX_DECODED_OBJECT {
        return Verdict::Corrupt(format!(
            "objectSize {size} is implausibly large for object type {}",
            h.object_type
        ));
    }
    Verdict::Decode
}

fn type_name(t: u32) -> &'static str {
    match t {
        obj::CAN_MESSAGE => "CAN_MESSAGE",
        obj::CAN_ERROR => "CAN_ERROR",
        obj::CAN_MESSAGE2 => "CAN_MESSAGE2",
        obj::CAN_ERROR_EXT => "CAN_ERROR_EXT",
        obj::CAN_FD_MESSAGE => "CAN_FD_MESSAGE",
        obj::CAN_FD_MESSAGE_64 => "CAN_FD_MESSAGE_64",
        obj::CAN_FD_ERROR_64 => "CAN_FD_ERROR_64",
        obj::GLOBAL_MARKER => "GLOBAL_MARKER",
        obj::APP_TEXT => "APP_TEXT",
        _ => "object",
    }
}

/// A streaming reader of Vector BLF files: frames (CAN, CAN FD, error frames) and events
/// (GLOBAL_MARKER as markers, APP_TEXT as comments), with absolute timestamps when the file
/// header has a start time.
///
/// The header's SYSTEMTIME is read as UTC, as python-can reads and writes it (so files python-can
/// wrote read back with the same times); [`BlfReader::with_time_zone`] changes that.
pub struct BlfReader {
    name: String,
    header: FileHeader,
    /// Measurement start in UNIX nanoseconds, 0 when the file has none.
    start: i64,
    has_start: bool,
    pieces: Pieces,
    /// The payload being parsed and the parse position in it.
    chunk: Vec<u8>,
    pos: usize,
    /// File offset of `chunk[0]` when stored uncompressed.
    chunk_file_offset: Option<u64>,
    chunk_container: u64,
    /// The beginning of an object that continues in the next payload.
    stitch: Vec<u8>,
    stitch_place: Place,
    /// Bytes still to skip (padding, or the rest of an object skipped on purpose).
    skip: u64,
    skip_is_padding: bool,
    /// Looking for the next `LOBJ` after garbage inside a container.
    resync: bool,
    skipped: Counts,
    done: bool,
}

impl BlfReader {
    /// Read the file header from `input` and start decoding containers on a second thread.
    pub fn new(input: Box<dyn BufRead + Send>, name: &str) -> Result<BlfReader, LogError> {
        BlfReader::open(input, name, true)
    }

    /// Like [`BlfReader::new`], but everything happens on the caller's thread (for fuzzing,
    /// small files, or when the second core is busy).
    pub fn new_inline(input: Box<dyn BufRead + Send>, name: &str) -> Result<BlfReader, LogError> {
        BlfReader::open(input, name, false)
    }

    fn open(input: Box<dyn BufRead + Send>, name: &str, threaded: bool) -> Result<BlfReader, LogError> {
        let mut source = Source::new(input, name);
        let header = source.read_header()?;
        let pieces = if threaded { spawn_source(source) } else { Pieces::Inline(Box::new(source)) };
        let mut reader = BlfReader {
            name: name.to_string(),
            header,
            start: 0,
            has_start: false,
            pieces,
            chunk: Vec::new(),
            pos: 0,
            chunk_file_offset: None,
            chunk_container: 0,
            stitch: Vec::new(),
            stitch_place: Place::default(),
            skip: 0,
            skip_is_padding: false,
            resync: false,
            skipped: Counts::new(),
            done: false,
        };
        reader.set_time_zone(TimeZone::Utc);
        Ok(reader)
    }

    /// Read the header's start time in `tz` instead of UTC (CANoe on Windows writes local
    /// time; python-can writes UTC). Call before reading records.
    pub fn with_time_zone(mut self, tz: TimeZone) -> BlfReader {
        self.set_time_zone(tz);
        self
    }

    fn set_time_zone(&mut self, tz: TimeZone) {
        let start = obj::systemtime_to_unix(&self.header.start, tz);
        self.has_start = start.is_some();
        self.start = start.unwrap_or(0);
    }

    fn place(&self, pos: usize) -> Place {
        match self.chunk_file_offset {
            Some(base) => Place { offset: base + pos as u64, container: None },
            None => Place { offset: pos as u64, container: Some(self.chunk_container) },
        }
    }

    fn malformed(&self, place: Place, message: impl std::fmt::Display) -> LogError {
        let message = match place.container {
            Some(c) => {
                format!("{message} (offset in the uncompressed data of the container at file offset {c})")
            }
            None => message.to_string(),
        };
        LogError::malformed(&self.name, Location::Offset(place.offset), message)
    }

    /// Forget a partly read object (the stream of inner objects broke).
    fn reset_stream(&mut self) {
        self.stitch.clear();
        self.skip = 0;
        self.resync = false;
    }

    /// The problem with the object left incomplete when the stream breaks or ends, if any.
    fn incomplete_object(&self) -> Option<LogError> {
        if !self.stitch.is_empty() && self.stitch.iter().any(|b| *b != 0) {
            let size =
                BaseHeader::parse(&self.stitch).map(|h| format!(" of {}", h.object_size)).unwrap_or_default();
            return Some(self.malformed(
                self.stitch_place,
                format!(
                    "object cut off after {}{size} bytes: the container that continues it is missing",
                    self.stitch.len()
                ),
            ));
        }
        if self.skip > 0 && !self.skip_is_padding {
            return Some(LogError::malformed(
                &self.name,
                Location::File,
                format!("the last object is cut off ({} bytes missing)", self.skip),
            ));
        }
        None
    }

    /// Get the next payload; `Some` when there is something to tell the caller instead.
    fn next_payload(&mut self) -> Option<Option<Result<Record, LogError>>> {
        let piece = self.pieces.next(&self.name);
        match piece {
            Piece::Payload { data, container, file_offset, fresh } => {
                let problem = if fresh { self.incomplete_object() } else { None };
                if fresh {
                    self.reset_stream();
                }
                let old = std::mem::replace(&mut self.chunk, data);
                self.pieces.give_back(old);
                self.pos = 0;
                self.chunk_container = container;
                self.chunk_file_offset = file_offset;
                problem.map(|e| Some(Err(e)))
            }
            Piece::Problem(e) => {
                self.reset_stream();
                Some(Some(Err(e)))
            }
            Piece::Skipped(reason) => {
                count(&mut self.skipped, reason);
                None
            }
            Piece::Truncated { at, object, size } => {
                self.done = true;
                self.reset_stream();
                let what = if size > 0 { format!(" (objectSize {size})") } else { String::new() };
                Some(Some(Err(LogError::malformed(
                    &self.name,
                    Location::Offset(at),
                    format!(
                        "file truncated at offset {at}, inside the object at offset {object}{what}; \
                         every complete object before it was read"
                    ),
                ))))
            }
            Piece::End => {
                self.done = true;
                let problem = self.incomplete_object();
                self.reset_stream();
                Some(problem.map(Err))
            }
            Piece::Failed(e) => {
                self.done = true;
                Some(Some(Err(e)))
            }
        }
    }

    /// Parse at `pos`; `Some` when an object was decoded or found bad.
    fn step(&mut self) -> Option<Result<Record, LogError>> {
        let avail = self.chunk.len() - self.pos;
        if self.skip > 0 {
            let n = (self.skip.min(avail as u64)) as usize;
            self.pos += n;
            self.skip -= n as u64;
            return None;
        }
        if self.resync {
            match self.chunk[self.pos..].windows(4).position(|w| w == obj::OBJECT_SIGNATURE) {
                Some(k) => {
                    self.pos += k;
                    self.resync = false;
                }
                None => self.pos = self.chunk.len(),
            }
            return None;
        }
        if !self.stitch.is_empty() {
            return self.continue_stitch();
        }
        let rest = &self.chunk[self.pos..];
        if rest.len() < obj::BASE_HEADER_SIZE {
            self.stitch_place = self.place(self.pos);
            self.stitch.extend_from_slice(rest);
            self.pos = self.chunk.len();
            return None;
        }
        let Some(header) = BaseHeader::parse(rest) else {
            return self.not_an_object();
        };
        let size = header.object_size as usize;
        match judge(&header) {
            Verdict::Corrupt(why) => {
                let e = self.malformed(self.place(self.pos), format!("{why}; skipping to the next object"));
                self.pos += 1;
                self.resync = true;
                Some(Err(e))
            }
            Verdict::Skip(reason) => {
                count(&mut self.skipped, reason);
                let total = size as u64 + obj::padding(size as u64);
                let here = (total.min(avail as u64)) as usize;
                self.pos += here;
                self.skip = total - here as u64;
                self.skip_is_padding = size <= avail;
                None
            }
            Verdict::Decode if size > avail => {
                self.stitch_place = self.place(self.pos);
                self.stitch.extend_from_slice(rest);
                self.pos = self.chunk.len();
                None
            }
            Verdict::Decode => {
                let at = self.pos;
                let result = obj::decode(
                    &self.chunk[at..at + size],
                    header.object_type,
                    header.header_size as usize,
                    self.start,
                );
                let pad = obj::padding(size as u64) as usize;
                let here = pad.min(avail - size);
                self.pos += size + here;
                self.skip = (pad - here) as u64;
                self.skip_is_padding = true;
                Some(self.record(result, header.object_type, at))
            }
        }
    }

    /// Bytes at `pos` are not `LOBJ`.
    fn not_an_object(&mut self) -> Option<Result<Record, LogError>> {
        let rest = &self.chunk[self.pos..];
        // python-can tolerates up to 4 stray padding bytes before the next object.
        if let Some(k) = rest[..8.min(rest.len())].windows(4).position(|w| w == obj::OBJECT_SIGNATURE) {
            self.pos += k;
            return None;
        }
        // Zeros up to the end of a container: padding some writers leave.
        if rest.iter().all(|b| *b == 0) {
            self.pos = self.chunk.len();
            return None;
        }
        let e =
            self.malformed(self.place(self.pos), "expected an object (\"LOBJ\"); skipping to the next one");
        self.pos += 1;
        self.resync = true;
        Some(Err(e))
    }

    /// Complete an object that began in an earlier payload.
    fn continue_stitch(&mut self) -> Option<Result<Record, LogError>> {
        let rest = &self.chunk[self.pos..];
        if self.stitch.len() < obj::BASE_HEADER_SIZE {
            let take = (obj::BASE_HEADER_SIZE - self.stitch.len()).min(rest.len());
            self.stitch.extend_from_slice(&rest[..take]);
            self.pos += take;
            if self.stitch.len() < obj::BASE_HEADER_SIZE {
                return None;
            }
        }
        let Some(header) = BaseHeader::parse(&self.stitch) else {
            if let Some(k) = self.stitch[..8].windows(4).position(|w| w == obj::OBJECT_SIGNATURE) {
                self.stitch.drain(..k);
                return None;
            }
            if self.stitch.iter().all(|b| *b == 0) {
                self.stitch.clear();
                return None;
            }
            let e =
                self.malformed(self.stitch_place, "expected an object (\"LOBJ\"); skipping to the next one");
            self.stitch.clear();
            self.resync = true;
            return Some(Err(e));
        };
        let size = header.object_size as usize;
        match judge(&header) {
            Verdict::Corrupt(why) => {
                let e = self.malformed(self.stitch_place, format!("{why}; skipping to the next object"));
                self.stitch.clear();
                self.resync = true;
                Some(Err(e))
            }
            Verdict::Skip(reason) => {
                count(&mut self.skipped, reason);
                self.skip =
                    (size as u64 + obj::padding(size as u64)).saturating_sub(self.stitch.len() as u64);
                self.skip_is_padding = false;
                self.stitch.clear();
                None
            }
            Verdict::Decode => {
                let rest = &self.chunk[self.pos..];
                let take = (size - self.stitch.len().min(size)).min(rest.len());
                self.stitch.extend_from_slice(&rest[..take]);
                self.pos += take;
                if self.stitch.len() < size {
                    return None;
                }
                let result =
                    obj::decode(&self.stitch, header.object_type, header.header_size as usize, self.start);
                let place = self.stitch_place;
                self.stitch.clear();
                self.skip = obj::padding(size as u64);
                self.skip_is_padding = true;
                Some(self.record_at(result, header.object_type, place))
            }
        }
    }

    fn record(
        &self,
        result: Result<Decoded, obj::DecodeError>,
        object_type: u32,
        at: usize,
    ) -> Result<Record, LogError> {
        match result {
            Ok(d) => Ok(BlfReader::to_record(d)),
            Err(e) => Err(self.malformed(self.place(at), format!("{}: {e}", type_name(object_type)))),
        }
    }

    fn record_at(
        &self,
        result: Result<Decoded, obj::DecodeError>,
        object_type: u32,
        place: Place,
    ) -> Result<Record, LogError> {
        match result {
            Ok(d) => Ok(BlfReader::to_record(d)),
            Err(e) => Err(self.malformed(place, format!("{}: {e}", type_name(object_type)))),
        }
    }

    #[inline]
    fn to_record(d: Decoded) -> Record {
        match d {
            Decoded::Frame(f) => Record::Frame(f),
            Decoded::Marker(timestamp, text) => {
                Record::Event(Event { timestamp, channel: Channel::NONE, kind: EventKind::Marker(text) })
            }
            Decoded::Comment(timestamp, text) => {
                Record::Event(Event { timestamp, channel: Channel::NONE, kind: EventKind::Comment(text) })
            }
        }
    }
}

impl Iterator for BlfReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.pos < self.chunk.len() {
                if let Some(r) = self.step() {
                    return Some(r);
                }
                continue;
            }
            if self.done {
                return None;
            }
            if let Some(r) = self.next_payload() {
                if r.is_some() {
                    return r;
                }
                if self.done {
                    return None;
                }
            }
        }
    }
}

impl LogReader for BlfReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }

    fn start_time(&self) -> Option<crate::Timestamp> {
        self.has_start.then_some(crate::Timestamp(self.start))
    }
}
