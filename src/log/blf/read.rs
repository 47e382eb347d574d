//! Reading BLF in two stages. The *source* walks the file level: the header, LOG_CONTAINERs,
//! padding, objects outside containers, corrupt or truncated bits; it hands container payloads
//! over as [`Piece`]s (zlib containers as jobs, which [`Pieces`] inflates). The *object parser*
//! ([`BlfReader`]) walks the stream of inner objects across those payloads (an object may start
//! in one container and end in the next) and decodes frames and events.
//!
//! By default a pool of threads (one per core; `log::pool`) inflates the next few containers
//! while the caller's thread reads the file and decodes objects, so a reader uses every core;
//! [`BlfReader::new_inline`] keeps everything on the caller's thread. Both yield the same
//! records and errors in the same order: the file is walked on the caller's thread either way,
//! and inflated containers are put back in file order. Memory is bounded (a few containers in
//! flight, at most 8 MiB of them unless a single container is larger, and a handful of reused
//! buffers) whatever the file size; dropping the reader ends and joins the pool's threads.

use std::collections::VecDeque;
use std::io::{self, BufRead};

use flate2::{Decompress, FlushDecompress, Status};
use libdeflater::Decompressor;

use super::objects::{self as obj, BaseHeader, FileHeader};
use crate::log::pool::{Limits, Lost, Pool};
use crate::log::time::TimeZone;
use crate::log::{count, Counts, Location, LogError, LogReader, Record};

/// Largest container accepted (compressed object and inflated payload); Vector writes 128 KiB.
const MAX_CONTAINER: u64 = 16 << 20;
/// Largest object cankit decodes (markers and texts can be long; CAN objects are < 200 bytes).
const MAX_DECODED_OBJECT: u64 = 1 << 20;
/// Free buffers kept for reuse, and the largest one kept (Vector and python-can write 128 KiB
/// containers; buffers for unusually large ones are freed after use).
const MAX_FREE: usize = 16;
const MAX_KEPT_BUFFER: usize = 1 << 20;
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
    /// Buffers for reading into, and buffers for inflating into (kept apart: an inflate buffer
    /// keeps its length, so reusing it costs no zero-filling).
    free: Vec<Vec<u8>>,
    free_payload: Vec<Vec<u8>>,
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
            free: Vec::new(),
            free_payload: Vec::new(),
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

    /// An empty buffer to read into, reused when one is free.
    fn buffer(&mut self) -> Vec<u8> {
        let mut b = self.free.pop().or_else(|| self.free_payload.pop()).unwrap_or_default();
        b.clear();
        b
    }

    /// Keep a buffer read into for reuse.
    fn give_back(&mut self, b: Vec<u8>) {
        if self.free.len() < MAX_FREE && b.capacity() <= MAX_KEPT_BUFFER {
            self.free.push(b);
        }
    }

    /// Keep a payload the parser is done with for reuse.
    fn give_back_payload(&mut self, b: Vec<u8>) {
        if self.free_payload.len() < MAX_FREE && b.capacity() <= MAX_KEPT_BUFFER {
            self.free_payload.push(b);
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

    fn next_item(&mut self) -> Item {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Item::Piece(p);
            }
            if self.finished {
                return Item::Piece(Piece::End);
            }
            let at = self.offset;
            match self.advance() {
                Ok(Some(item)) => return item,
                Ok(None) => {}
                Err(e) => {
                    self.finished = true;
                    let e = LogError::io(&self.name, format!("reading at offset {at}"), e);
                    return Item::Piece(Piece::Failed(e));
                }
            }
        }
    }

    /// One step at the file level; `None` when it produced nothing to report.
    fn advance(&mut self) -> io::Result<Option<Item>> {
        if self.resync {
            self.resync = false;
            self.scan_for_object()?;
        }
        let at = self.offset;
        let n = self.fill(obj::BASE_HEADER_SIZE)?;
        if n == 0 {
            self.finished = true;
            return Ok(ready(Piece::End));
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
                return Ok(ready(Piece::End));
            }
            if n < obj::BASE_HEADER_SIZE && obj::OBJECT_SIGNATURE.starts_with(&w[..n.min(4)]) {
                self.finished = true;
                return Ok(ready(Piece::Truncated { at: at + n as u64, object: at, size: 0 }));
            }
            return Ok(ready(self.lost_track(at, "expected an object (\"LOBJ\")")));
        };
        let size = header.object_size as u64;
        if header.object_type == obj::LOG_CONTAINER {
            if size < obj::CONTAINER_HEADER_SIZE as u64
                || size - obj::CONTAINER_HEADER_SIZE as u64 > MAX_CONTAINER
            {
                return Ok(ready(
                    self.lost_track(at, format!("LOG_CONTAINER with impossible objectSize {size}")),
                ));
            }
            return self.container(at, size).map(Some);
        }
        if size < obj::BASE_HEADER_SIZE as u64 {
            return Ok(ready(
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
                return Ok(ready(Piece::Truncated { at: self.offset, object: at, size }));
            }
            self.skip(obj::padding(size))?;
            return Ok(ready(Piece::Payload { data, container: at, file_offset: Some(at), fresh: true }));
        }
        let skipped = self.skip(size)?;
        if skipped < size {
            self.finished = true;
            return Ok(ready(Piece::Truncated { at: self.offset, object: at, size }));
        }
        self.skip(obj::padding(size))?;
        Ok(ready(Piece::Skipped(obj::skip_reason(header.object_type))))
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
    fn container(&mut self, at: u64, size: u64) -> io::Result<Item> {
        let n = self.fill(obj::CONTAINER_HEADER_SIZE)?;
        if n < obj::CONTAINER_HEADER_SIZE {
            self.consume(n);
            self.finished = true;
            return Ok(Item::Piece(Piece::Truncated { at: self.offset, object: at, size }));
        }
        let w = self.window();
        let method = obj::u16_at(w, 16);
        let uncompressed = obj::u32_at(w, 24) as u64;
        self.consume(obj::CONTAINER_HEADER_SIZE);
        let payload_size = size - obj::CONTAINER_HEADER_SIZE as u64;
        let mut compressed = self.buffer();
        let got = self.take_into(payload_size, &mut compressed)?;
        let truncated = got < payload_size;
        if !truncated {
            self.skip(obj::padding(size))?;
        }
        let fresh = std::mem::replace(&mut self.fresh, false);
        let payload_at = at + obj::CONTAINER_HEADER_SIZE as u64;
        let item = match method {
            obj::METHOD_NONE => Item::Piece(Piece::Payload {
                data: compressed,
                container: at,
                file_offset: Some(payload_at),
                fresh,
            }),
            obj::METHOD_ZLIB if uncompressed > MAX_CONTAINER => {
                self.give_back(compressed);
                self.fresh = true;
                Item::Piece(Piece::Problem(self.malformed(
                    at,
                    format!(
                        "LOG_CONTAINER claims {uncompressed} bytes uncompressed (more than 16 MiB); skipped"
                    ),
                )))
            }
            obj::METHOD_ZLIB => {
                let data = self.free_payload.pop().or_else(|| self.free.pop()).unwrap_or_default();
                Item::Zlib(ZlibJob { compressed, data, uncompressed, truncated, at, fresh })
            }
            other => {
                self.give_back(compressed);
                self.fresh = true;
                Item::Piece(Piece::Problem(self.malformed(
                    at,
                    format!("LOG_CONTAINER with unknown compression method {other}; skipped"),
                )))
            }
        };
        if truncated {
            self.finished = true;
            self.pending.push_back(Piece::Truncated { at: self.offset, object: at, size });
        }
        Ok(item)
    }
}

/// A ready piece, as [`Source::advance`] returns it.
fn ready(piece: Piece) -> Option<Item> {
    Some(Item::Piece(piece))
}

/// A zlib LOG_CONTAINER still to inflate, with everything needed to do it on any thread.
struct ZlibJob {
    compressed: Vec<u8>,
    /// Receives the payload (whatever it holds before is overwritten).
    data: Vec<u8>,
    /// The uncompressedSize the container claims.
    uncompressed: u64,
    /// The file ends inside the container: a short zlib stream is expected, not an error.
    truncated: bool,
    /// File offset of the container.
    at: u64,
    /// The payload does not continue an object from the previous one.
    fresh: bool,
}

/// What the source yields: a piece, or a container that becomes one once inflated.
enum Item {
    Piece(Piece),
    Zlib(ZlibJob),
}

/// Both inflaters: libdeflate for whole containers that are sound (about a quarter faster),
/// zlib's streaming inflate for the damaged and truncated ones, where it keeps what inflated
/// before the damage and tells what went wrong.
struct Inflater {
    zlib: Decompress,
    whole: Decompressor,
}

impl Inflater {
    fn new() -> Inflater {
        Inflater { zlib: Decompress::new(true), whole: Decompressor::new() }
    }
}

/// Inflate `job.compressed` into `job.data`. Returns what is wrong with the container, if
/// anything; `job.data` then holds what inflated before the damage.
fn inflate(inflater: &mut Inflater, job: &mut ZlibJob) -> Option<String> {
    // Deflate expands at most 1032:1: never allocate for a claim the compressed bytes cannot
    // back. The buffer is reused: only growth is zero-filled, the rest is overwritten.
    let room = job.uncompressed.min(job.compressed.len() as u64 * 1032 + 1024) as usize;
    if job.data.len() < room {
        job.data.resize(room, 0);
    } else {
        job.data.truncate(room);
    }
    if !job.truncated && room as u64 == job.uncompressed {
        if let Ok(n) = inflater.whole.zlib_decompress(&job.compressed, &mut job.data) {
            if n == room {
                return None;
            }
        }
        // Anything else: inflate again, streaming, for the partial data and the message.
    }
    let inflater = &mut inflater.zlib;
    inflater.reset(true);
    let result = inflater.decompress(&job.compressed, &mut job.data, FlushDecompress::Finish);
    job.data.truncate(inflater.total_out() as usize);
    let uncompressed = job.uncompressed;
    match result {
        Ok(Status::StreamEnd) if job.data.len() as u64 == uncompressed => None,
        Ok(Status::StreamEnd) => Some(format!(
            "LOG_CONTAINER inflates to {} bytes, not the {uncompressed} it claims",
            job.data.len()
        )),
        _ if job.truncated => None,
        Ok(_) if job.data.len() as u64 == uncompressed => {
            Some(format!("LOG_CONTAINER holds more than the {uncompressed} bytes it claims"))
        }
        Ok(_) => Some("LOG_CONTAINER's zlib data ends early".to_string()),
        Err(e) => Some(format!("LOG_CONTAINER's zlib data is corrupt ({e})")),
    }
}

/// Containers being inflated at once (per thread), and the bytes they may hold together (a
/// single larger container still goes, alone).
const MAX_JOBS_PER_THREAD: usize = 2;
const MAX_IN_FLIGHT_BYTES: u64 = 8 << 20;
/// Pieces read ahead of the object parser.
const MAX_QUEUED: usize = 16;

/// A slot in the queue of pieces: ready, or a container being inflated by the pool (which
/// holds this many bytes for it).
enum Slot {
    Ready(Piece),
    Inflating(u64),
}

/// Threads inflating containers, each job whole, on a [`Pool`], which hands them back in file
/// order. Dropping it ends and joins its threads (they never wait for input: the caller's thread
/// does all reading).
struct Inflating {
    /// Jobs come back with what is wrong with the container, if anything.
    pool: Pool<ZlibJob, (ZlibJob, Option<String>)>,
    in_flight_bytes: u64,
}

impl Inflating {
    /// One thread per core (at most 4); `None` if not even one can be started.
    fn start() -> Option<Inflating> {
        let count = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let limits = Limits { threads: count, ahead: MAX_JOBS_PER_THREAD * count, per_job: 1 };
        let pool = Pool::start(
            limits,
            |i| format!("blf-inflate-{i}"),
            Inflater::new,
            |inflater, mut job, _| {
                let problem =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inflate(inflater, &mut job)))
                        .unwrap_or_else(|_| {
                            *inflater = Inflater::new();
                            job.data.clear();
                            Some("LOG_CONTAINER could not be inflated (internal error)".to_string())
                        });
                (job, problem)
            },
        )
        .ok()?;
        Some(Inflating { pool, in_flight_bytes: 0 })
    }

    fn has_room(&self) -> bool {
        let jobs = self.pool.in_flight();
        jobs == 0
            || (jobs < MAX_JOBS_PER_THREAD * self.pool.threads()
                && self.in_flight_bytes < MAX_IN_FLIGHT_BYTES)
    }

    /// Bytes a job holds while in flight.
    fn weight(job: &ZlibJob) -> u64 {
        job.compressed.len() as u64 + job.uncompressed.min(job.compressed.len() as u64 * 1032 + 1024)
    }
}

/// The source plus inflation: pieces in file order. Inline, containers are inflated when the
/// parser gets to them; with a pool, up to a few containers ahead are inflated on other threads
/// while the parser works. The file is read on the caller's thread either way, so every piece
/// and every error is the same, and no thread ever waits for input (from a pipe, records come
/// once the few containers after them have arrived, or the input ends).
struct Pieces {
    source: Box<Source>,
    queue: VecDeque<Slot>,
    /// Used inline, and when the pool cannot take a job.
    inflater: Inflater,
    /// Whether to use a pool (started at the first zlib container).
    threaded: bool,
    inflating: Option<Inflating>,
    /// The source has yielded its last piece.
    source_done: bool,
}

impl Pieces {
    fn new(source: Source, threaded: bool) -> Pieces {
        Pieces {
            source: Box::new(source),
            queue: VecDeque::new(),
            inflater: Inflater::new(),
            threaded,
            inflating: None,
            source_done: false,
        }
    }

    fn next(&mut self, name: &str) -> Piece {
        self.read_ahead();
        match self.queue.pop_front() {
            Some(Slot::Ready(piece)) => piece,
            Some(Slot::Inflating(weight)) => {
                let inflated = self.inflating.as_mut().and_then(|p| {
                    p.in_flight_bytes -= weight;
                    p.pool.take()
                });
                match inflated {
                    Some(Ok((job, problem))) => {
                        let (payload, problem) = self.inflated(job, problem);
                        if let Some(p) = problem {
                            self.queue.push_front(Slot::Ready(p));
                        }
                        payload
                    }
                    // Inflation panics are caught above: only a thread that died otherwise
                    // loses a container.
                    Some(Err(Lost)) | None => {
                        self.source_done = true;
                        self.queue.clear();
                        Piece::Failed(LogError::Invalid {
                            path: name.to_string(),
                            message: "BLF decoding threads stopped".into(),
                        })
                    }
                }
            }
            None => Piece::End,
        }
    }

    /// Pull pieces from the source: at least one, and with a pool as many as keep it busy.
    fn read_ahead(&mut self) {
        while !self.source_done {
            let busy = match &self.inflating {
                Some(inflating) => !inflating.has_room() || self.queue.len() >= MAX_QUEUED,
                None => true,
            };
            if busy && !self.queue.is_empty() {
                return;
            }
            match self.source.next_item() {
                Item::Piece(piece) => {
                    self.source_done = matches!(piece, Piece::End | Piece::Failed(_));
                    self.queue.push_back(Slot::Ready(piece));
                }
                Item::Zlib(job) => self.inflate(job),
            }
        }
    }

    /// Queue a container: to the pool, or inflated right here.
    fn inflate(&mut self, job: ZlibJob) {
        if self.threaded && self.inflating.is_none() {
            self.inflating = Inflating::start();
            self.threaded = self.inflating.is_some();
        }
        let mut job = match self.inflating.as_mut() {
            Some(inflating) => {
                let weight = Inflating::weight(&job);
                match inflating.pool.submit(job) {
                    Ok(()) => {
                        inflating.in_flight_bytes += weight;
                        return self.queue.push_back(Slot::Inflating(weight));
                    }
                    Err(job) => job,
                }
            }
            None => job,
        };
        let problem = inflate(&mut self.inflater, &mut job);
        let (payload, problem) = self.inflated(job, problem);
        self.queue.push_back(Slot::Ready(payload));
        if let Some(p) = problem {
            self.queue.push_back(Slot::Ready(p));
        }
    }

    /// The payload of an inflated container and the problem with it, if any, which is to be
    /// reported right after the payload's objects (they were inflated before the damage).
    fn inflated(&mut self, job: ZlibJob, problem: Option<String>) -> (Piece, Option<Piece>) {
        let ZlibJob { compressed, data, at, fresh, .. } = job;
        self.source.give_back(compressed);
        let problem = problem.map(|p| Piece::Problem(self.source.malformed(at, p)));
        (Piece::Payload { data, container: at, file_offset: None, fresh }, problem)
    }

    fn give_back(&mut self, b: Vec<u8>) {
        self.source.give_back_payload(b);
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
/// The header's start time (a SYSTEMTIME, a date without zone) is read as local time, as Vector's
/// tools write it, unless [`BlfReader::with_time_zone`] names another zone; files python-can
/// wrote (its header says so) are read as UTC, as python-can writes them.
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
    /// Frames kept after mending their id's extended flag.
    repaired: Counts,
    done: bool,
}

impl BlfReader {
    /// Read the file header from `input`; zlib containers will be inflated on a pool of
    /// threads (one per core, started at the first one) while the caller decodes objects.
    pub fn new(input: Box<dyn BufRead + Send>, name: &str) -> Result<BlfReader, LogError> {
        BlfReader::open(input, name, true)
    }

    /// Like [`BlfReader::new`], but everything happens on the caller's thread (for fuzzing,
    /// small files, or when the other cores are busy). Records and errors are the same.
    pub fn new_inline(input: Box<dyn BufRead + Send>, name: &str) -> Result<BlfReader, LogError> {
        BlfReader::open(input, name, false)
    }

    fn open(input: Box<dyn BufRead + Send>, name: &str, threaded: bool) -> Result<BlfReader, LogError> {
        let mut source = Source::new(input, name);
        let header = source.read_header()?;
        let pieces = Pieces::new(source, threaded);
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
            repaired: Counts::new(),
            done: false,
        };
        reader.set_time_zone(TimeZone::Local);
        Ok(reader)
    }

    /// Read the header's start time (a date without zone) in `tz` instead of local time, the
    /// zone Vector's tools write it in. Files python-can wrote are read as UTC whatever `tz`
    /// says: python-can writes UTC, and its header says it wrote the file. Call before reading
    /// records.
    pub fn with_time_zone(mut self, tz: TimeZone) -> BlfReader {
        self.set_time_zone(tz);
        self
    }

    fn set_time_zone(&mut self, tz: TimeZone) {
        let tz = if self.header.python_can { TimeZone::Utc } else { tz };
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
                let object = &self.chunk[at..at + size];
                let result = obj::decode(object, header.object_type, header.header_size as usize, self.start);
                if mended(&result, object, header.object_type, header.header_size as usize) {
                    count(&mut self.repaired, crate::log::REPAIR_LONG_STANDARD_ID);
                }
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
                if mended(&result, &self.stitch, header.object_type, header.header_size as usize) {
                    count(&mut self.repaired, crate::log::REPAIR_LONG_STANDARD_ID);
                }
                let place = self.stitch_place;
                self.stitch.clear();
                self.skip = obj::padding(size as u64);
                self.skip_is_padding = true;
                Some(self.record_at(result, header.object_type, place))
            }
        }
    }

    #[inline]
    fn record(
        &self,
        result: Result<Record, obj::DecodeError>,
        object_type: u32,
        at: usize,
    ) -> Result<Record, LogError> {
        result.map_err(|e| self.malformed(self.place(at), format!("{}: {e}", type_name(object_type))))
    }

    fn record_at(
        &self,
        result: Result<Record, obj::DecodeError>,
        object_type: u32,
        place: Place,
    ) -> Result<Record, LogError> {
        result.map_err(|e| self.malformed(place, format!("{}: {e}", type_name(object_type))))
    }
}

/// Whether decoding `object` kept a frame marked 11-bit as 29-bit (its id needs 29 bits). Only
/// 29-bit frames with ids above 0x7FF look at the object again.
#[inline(always)]
fn mended(
    result: &Result<Record, obj::DecodeError>,
    object: &[u8],
    object_type: u32,
    header_size: usize,
) -> bool {
    matches!(result, Ok(Record::Frame(f)) if f.is_extended() && f.id() > crate::frame::MAX_STANDARD_ID && !f.is_error())
        && obj::id_marked_standard(object, object_type, header_size)
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

    fn repaired(&self) -> &Counts {
        &self.repaired
    }

    fn start_time(&self) -> Option<crate::Timestamp> {
        self.has_start.then_some(crate::Timestamp(self.start))
    }
}
