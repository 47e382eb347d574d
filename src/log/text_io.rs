//! The plumbing every text format (ASC, candump, CSV, TRC) shares: [`LineReader`] hands out the
//! lines of an input one at a time, straight from the input's buffer, counting them for error
//! locations; [`TextReader`] turns lines into records with a format's [`LineParser`], either line
//! by line or in blocks parsed ahead on helper threads; [`TextSink`] gathers written lines into
//! big writes and flushes once at the end. Parsing and formatting the lines, and what a format
//! counts as skipped or lost, stay with each format.
//!
//! The block pipeline is for formats whose body lines parse independently once the header is
//! known, or nearly (ASC: see [`LineParser::settle`]). The calling thread reads
//! the input in blocks cut at line breaks and remembers the number of each block's first line;
//! helper threads parse blocks into records while the caller hands out the records of earlier
//! blocks, in order. A line that changes how later lines parse (TRC's `$COLUMNS`) travels with
//! the records as a new parser state, and a block that was parsed ahead with an older state is
//! parsed again, so the records, errors (file and line), skipped counts and their order are
//! exactly those of reading line by line. A few blocks are in flight at most, so memory stays
//! flat whatever the input size; dropping the reader stops and joins its helpers.

use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use super::pool::{Limits, Pool};
use super::{count, Counts, Location, LogError, Record};

/// Longest line kept; the rest of a longer line is dropped (it is reported as malformed anyway),
/// so a file without line breaks cannot grow memory.
pub(crate) const MAX_LINE: usize = 1 << 16;

/// Hand written lines to the output once this many bytes are gathered: as much as the output's
/// own buffer holds ([`super::open_output`]), so `BufWriter` passes them on without copying.
const DRAIN_AT: usize = 1 << 18;

/// The lines of a text log, without their `\n` or `\r\n`, and the number of the last one.
pub(crate) struct LineReader {
    input: Box<dyn BufRead + Send>,
    /// The file name errors carry.
    name: String,
    /// A line split across two fills of the input's buffer, gathered here (at most [`MAX_LINE`]
    /// bytes); a line that lies whole in the buffer (almost all of them) is never copied.
    spill: Vec<u8>,
    /// Bytes of the input's buffer that belong to the line last handed out: consumed on the next
    /// call, so that line can be borrowed from the buffer until then.
    pending: usize,
    /// 1-based number of the line last handed out.
    line_no: u64,
    /// The input ended or failed: no more lines.
    done: bool,
}

/// Where [`LineReader::find_line`] left the next line.
enum Found {
    /// The first `len` bytes of the input's buffer.
    InBuffer(usize),
    /// In `spill`.
    Spilled,
}

impl LineReader {
    pub(crate) fn new(input: Box<dyn BufRead + Send>, name: &str) -> LineReader {
        LineReader {
            input,
            name: name.to_string(),
            spill: Vec::with_capacity(256),
            pending: 0,
            line_no: 0,
            done: false,
        }
    }

    /// The number of the line last returned by [`LineReader::next_line`]; 0 before the first.
    pub(crate) fn line_no(&self) -> u64 {
        self.line_no
    }

    /// A recoverable error about the line last returned.
    pub(crate) fn malformed(&self, message: impl Into<String>) -> LogError {
        LogError::malformed(&self.name, Location::Line(self.line_no), message)
    }

    /// The next line without its line break; `None` at the end of the input and after an I/O
    /// error (which is returned once, naming the line being read).
    pub(crate) fn next_line(&mut self) -> Option<Result<&[u8], LogError>> {
        if self.done {
            return None;
        }
        self.input.consume(std::mem::take(&mut self.pending));
        self.spill.clear();
        let read = match self.find_line() {
            Ok(None) => {
                self.done = true;
                return None;
            }
            Ok(Some(Found::Spilled)) => Ok(&self.spill[..]),
            // The buffer still holds the line: this fill returns it without reading.
            Ok(Some(Found::InBuffer(len))) => self.input.fill_buf().map(|buf| &buf[..len]),
            Err(e) => Err(e),
        };
        match read {
            Ok(line) => {
                self.line_no += 1;
                Some(Ok(line_content(line)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(LogError::io(&self.name, format!("reading line {}", self.line_no + 1), e)))
            }
        }
    }

    /// Finds the next line: whole in the input's buffer (left there, its length plus the line
    /// break noted in `pending`), or gathered in `spill`. `Ok(None)` at the end of the input.
    fn find_line(&mut self) -> io::Result<Option<Found>> {
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok((!self.spill.is_empty()).then_some(Found::Spilled));
            }
            let room = MAX_LINE.saturating_sub(self.spill.len());
            match memchr::memchr(b'\n', buf) {
                Some(i) if self.spill.is_empty() => {
                    self.pending = i + 1;
                    return Ok(Some(Found::InBuffer(i)));
                }
                Some(i) => {
                    self.spill.extend_from_slice(&buf[..i.min(room)]);
                    self.input.consume(i + 1);
                    return Ok(Some(Found::Spilled));
                }
                None => {
                    let n = buf.len();
                    self.spill.extend_from_slice(&buf[..n.min(room)]);
                    self.input.consume(n);
                }
            }
        }
    }
}

/// A line as handed to parsers: at most [`MAX_LINE`] bytes, without a final `\r`. The same cut
/// wherever the line lay in the input, so line-by-line and block reading see the same text.
fn line_content(line: &[u8]) -> &[u8] {
    let line = &line[..line.len().min(MAX_LINE)];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// What one line of a text log turned out to be.
pub(crate) enum LineOutcome {
    Record(Record),
    /// Not a record, on purpose: counted in [`super::LogReader::skipped`] under this reason.
    Skipped(&'static str),
    /// A record kept after mending a contradiction in the line: counted in
    /// [`super::LogReader::repaired`] under this reason.
    Repaired(Record, &'static str),
    /// Nothing to hand out or count (blank lines, header and comment lines).
    Nothing,
    /// A malformed line: the message of its recoverable error (file and line are added).
    Malformed(String),
}

/// Turns the lines of one format into records. Every helper thread parses with its own clone.
pub(crate) trait LineParser: Clone + Send + 'static {
    /// One line without its line break (see [`line_content`]); `line_no` is 1-based.
    fn parse_line(&mut self, line: &[u8], line_no: u64) -> LineOutcome;

    /// Changes whenever a line changed how the lines after it parse (TRC's `$FILEVERSION`,
    /// `$STARTTIME`, `$COLUMNS`); formats whose lines never do keep the default.
    fn generation(&self) -> u64 {
        0
    }

    // What follows lets a format carry something from line to line that is cheap to settle
    // afterwards, in order, instead of making every line a change of state (ASC: the time of the
    // latest event line, which comments take). Blocks are parsed ahead, on any thread, in any
    // order; the reading side then takes their records in input order with its own parser.

    /// Makes the state a block parsed ahead on a helper thread starts from: what it cannot know
    /// yet (what the blocks before it will have changed) can be forgotten here.
    fn for_ahead(&mut self) {}

    /// After a block parsed ahead: whether its results depend on what [`Self::for_ahead`] forgot
    /// in a way [`Self::settle`] cannot mend; the reading side then parses it again itself.
    fn unsure(&self) -> bool {
        false
    }

    /// On the reading side, in input order, every record of a block before it is handed out.
    fn settle(&mut self, _record: &mut Record) {}

    /// On the reading side, once a block's records are handed out: the state its parser ended in.
    fn end_block(&mut self, _ended: &Self) {}

    /// On the reading side: the state after a line that changed it ([`Self::generation`]).
    fn adopt(&mut self, state: Self) {
        *self = state;
    }
}

/// Most bytes read into one block before cutting at the last line break. Twice the buffer of
/// [`super::open_input`], so a block is one buffer's worth plus the line cut off at the end of
/// the previous block, read with one read from the input.
const BLOCK_SIZE: usize = 1 << 19;

/// Most lines in one block (16 bytes a line on average; real logs have longer lines), so a block
/// of short malformed lines (each an error with its own message) cannot take much more memory
/// than a block of frames.
const BLOCK_LINES: usize = 1 << 14;

/// A text reader: lines to records with a [`LineParser`], line by line or in blocks.
pub(crate) struct TextReader<P: LineParser> {
    mode: Mode<P>,
    skipped: Counts,
    repaired: Counts,
}

enum Mode<P: LineParser> {
    /// One line at a time on the calling thread, straight from the input's buffer.
    Lines {
        lines: LineReader,
        parser: P,
    },
    Blocks(Box<Blocks<P>>),
}

impl<P: LineParser> TextReader<P> {
    /// Blocks parsed ahead by one helper thread per core (none on a single core).
    pub(crate) fn new(input: Box<dyn BufRead + Send>, name: &str, parser: P) -> TextReader<P> {
        // Asking costs a few system calls (cgroup limits): once per process is enough.
        static CORES: OnceLock<usize> = OnceLock::new();
        let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let workers = if cores > 1 { cores.min(4) } else { 0 };
        TextReader::with_threads(input, name, parser, workers)
    }

    /// One line at a time on the calling thread: no helper threads, no read-ahead.
    pub(crate) fn sequential(input: Box<dyn BufRead + Send>, name: &str, parser: P) -> TextReader<P> {
        TextReader {
            mode: Mode::Lines { lines: LineReader::new(input, name), parser },
            skipped: Counts::new(),
            repaired: Counts::new(),
        }
    }

    /// Blocks parsed by `workers` helper threads (0: on the calling thread).
    pub(crate) fn with_threads(
        input: Box<dyn BufRead + Send>,
        name: &str,
        parser: P,
        workers: usize,
    ) -> TextReader<P> {
        TextReader::with_blocks(input, name, parser, workers, BLOCK_SIZE, BLOCK_LINES)
    }

    /// [`TextReader::with_threads`] with the block limits given (tests use tiny blocks).
    pub(crate) fn with_blocks(
        input: Box<dyn BufRead + Send>,
        name: &str,
        parser: P,
        workers: usize,
        block_size: usize,
        block_lines: usize,
    ) -> TextReader<P> {
        let source = BlockSource {
            input,
            block_size: block_size.max(1),
            block_lines: block_lines.max(1),
            carry: Vec::new(),
            next_line: 1,
            ended: false,
            failure: None,
        };
        let blocks = Blocks {
            name: name.into(),
            parser,
            workers,
            blocks_read: 0,
            source: Some(source),
            threads: None,
            spare: None,
            current: None,
            at: 0,
            done: false,
        };
        TextReader { mode: Mode::Blocks(Box::new(blocks)), skipped: Counts::new(), repaired: Counts::new() }
    }

    /// The parser's state as of the last record handed out.
    pub(crate) fn parser(&self) -> &P {
        match &self.mode {
            Mode::Lines { parser, .. } => parser,
            Mode::Blocks(blocks) => &blocks.parser,
        }
    }

    pub(crate) fn skipped(&self) -> &Counts {
        &self.skipped
    }

    pub(crate) fn repaired(&self) -> &Counts {
        &self.repaired
    }

    pub(crate) fn next_record(&mut self) -> Option<Result<Record, LogError>> {
        match &mut self.mode {
            Mode::Lines { lines, parser } => loop {
                // The number of the line about to be read.
                let line_no = lines.line_no() + 1;
                let line = match lines.next_line()? {
                    Ok(line) => line,
                    Err(e) => return Some(Err(e)),
                };
                match parser.parse_line(line, line_no) {
                    LineOutcome::Record(r) => return Some(Ok(r)),
                    LineOutcome::Skipped(reason) => count(&mut self.skipped, reason),
                    LineOutcome::Repaired(r, reason) => {
                        count(&mut self.repaired, reason);
                        return Some(Ok(r));
                    }
                    LineOutcome::Nothing => {}
                    LineOutcome::Malformed(message) => return Some(Err(lines.malformed(message))),
                }
            },
            Mode::Blocks(blocks) => blocks.next_record(&mut self.skipped, &mut self.repaired),
        }
    }
}

/// What a block's lines turned out to be, in line order.
enum Item<P> {
    Record(Result<Record, LogError>),
    Skipped(&'static str),
    /// The record after it was repaired for this reason.
    Repaired(&'static str),
    /// The parser state after a line that changed it.
    State(Box<P>),
    /// Already handed out.
    Taken,
}

/// Whole lines of the input and what they parse to.
struct Block<P> {
    /// Lines with their line breaks; only the input's last line may lack one.
    text: Vec<u8>,
    /// Number of the first line in `text`.
    first_line: u64,
    /// Reading stopped with this error after `text` (the line being read is lost).
    error: Option<LogError>,
    items: Vec<Item<P>>,
    /// [`LineParser::generation`] of the state `items` were parsed with.
    parsed_with: u64,
    /// The parser's state after the last line.
    ended: Option<P>,
}

impl<P: LineParser> Block<P> {
    fn empty() -> Block<P> {
        Block { text: Vec::new(), first_line: 1, error: None, items: Vec::new(), parsed_with: 0, ended: None }
    }

    /// Parses every line of `text` into `items` with `parser`, which is left in the state after
    /// the last line.
    fn parse(&mut self, parser: &mut P, name: &str) {
        let Block { text, first_line, items, parsed_with, .. } = self;
        items.clear();
        let mut generation = parser.generation();
        *parsed_with = generation;
        let mut line_no = *first_line;
        let mut breaks = memchr::memchr_iter(b'\n', text);
        let mut start = 0;
        while start < text.len() {
            let end = breaks.next().unwrap_or(text.len());
            let line = &text[start..end];
            start = end + 1;
            match parser.parse_line(line_content(line), line_no) {
                LineOutcome::Record(r) => items.push(Item::Record(Ok(r))),
                LineOutcome::Skipped(reason) => items.push(Item::Skipped(reason)),
                LineOutcome::Repaired(r, reason) => {
                    items.push(Item::Repaired(reason));
                    items.push(Item::Record(Ok(r)));
                }
                LineOutcome::Nothing => {}
                LineOutcome::Malformed(message) => {
                    items.push(Item::Record(Err(LogError::malformed(name, Location::Line(line_no), message))))
                }
            }
            if parser.generation() != generation {
                generation = parser.generation();
                items.push(Item::State(Box::new(parser.clone())));
            }
            line_no += 1;
        }
        self.ended = Some(parser.clone());
    }
}

/// Cuts the input into blocks of whole lines on the calling thread.
struct BlockSource {
    input: Box<dyn BufRead + Send>,
    block_size: usize,
    block_lines: usize,
    /// The start of the next block: the unfinished last line of the bytes read (and lines over
    /// `block_lines`).
    carry: Vec<u8>,
    /// Number of the first line of the next block.
    next_line: u64,
    /// The input ended or failed: only `carry` is left.
    ended: bool,
    /// Why the input failed, reported after the last line of `carry`.
    failure: Option<io::Error>,
}

impl BlockSource {
    /// No more blocks will come.
    fn exhausted(&self) -> bool {
        self.ended && self.carry.is_empty() && self.failure.is_none()
    }

    /// Fills `block` with the next lines; false at the end of the input.
    fn read<P>(&mut self, name: &str, block: &mut Block<P>) -> bool {
        let text = &mut block.text;
        text.clear();
        block.error = None;
        std::mem::swap(text, &mut self.carry);
        if !self.ended {
            // Lines left over from the last block (over `block_lines`) go out before anything
            // more is read: reading could wait for a quiet pipe's writer.
            if memchr::memchr(b'\n', text).is_none() {
                self.failure = self.fill(text);
            }
            if self.failure.is_none() && !self.ended {
                // Cut after the last line break; the unfinished line starts the next block.
                match memchr::memrchr(b'\n', text) {
                    Some(i) => {
                        self.carry.extend_from_slice(&text[i + 1..]);
                        text.truncate(i + 1);
                    }
                    None => self.failure = self.finish_long_line(text),
                }
            }
            if self.failure.is_some() {
                // The line being read when the input failed is lost, as when reading line by line.
                let keep = memchr::memrchr(b'\n', text).map_or(0, |i| i + 1);
                text.truncate(keep);
            }
        }
        let lines = count_lines(text);
        let lines = self.cut_lines(text, lines);
        block.first_line = self.next_line;
        self.next_line += lines;
        if self.carry.is_empty() {
            if let Some(e) = self.failure.take() {
                let context = format!("reading line {}", self.next_line);
                block.error = Some(LogError::io(name, context, e));
                return true;
            }
        }
        !text.is_empty()
    }

    /// Appends input to `text` until it holds `block_size` bytes or the input ends (`ended`);
    /// the error that stopped it, if any. Stops early, with whole lines at hand, rather than wait
    /// for more input: reading more would mean a new read from the input, which on a pipe waits
    /// for the writer (a file reads on at once, in buffers of a block).
    fn fill(&mut self, text: &mut Vec<u8>) -> Option<io::Error> {
        while text.len() < self.block_size {
            match self.input.fill_buf() {
                Ok([]) => {
                    self.ended = true;
                    return None;
                }
                Ok(buf) => {
                    let n = buf.len().min(self.block_size - text.len());
                    let whole_buffer = n == buf.len();
                    let has_line = memchr::memchr(b'\n', &buf[..n]).is_some();
                    text.extend_from_slice(&buf[..n]);
                    self.input.consume(n);
                    if whole_buffer && has_line {
                        return None;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.ended = true;
                    return Some(e);
                }
            }
        }
        None
    }

    /// `text` is the start of one line longer than a block: keeps its first [`MAX_LINE`] bytes
    /// (all a parser gets to see) and skips the rest of it in the input.
    fn finish_long_line(&mut self, text: &mut Vec<u8>) -> Option<io::Error> {
        let keep = MAX_LINE;
        text.truncate(keep);
        loop {
            let buf = match self.input.fill_buf() {
                Ok([]) => {
                    self.ended = true;
                    return None;
                }
                Ok(buf) => buf,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.ended = true;
                    return Some(e);
                }
            };
            let end = memchr::memchr(b'\n', buf);
            let line_part = end.unwrap_or(buf.len());
            let room = keep.saturating_sub(text.len());
            text.extend_from_slice(&buf[..line_part.min(room)]);
            match end {
                Some(i) => {
                    self.input.consume(i + 1);
                    text.push(b'\n');
                    return None;
                }
                None => self.input.consume(line_part),
            }
        }
    }

    /// Moves the lines after the first `block_lines` of `text` (which has `lines`) back to the
    /// start of `carry`; the lines left.
    fn cut_lines(&mut self, text: &mut Vec<u8>, lines: u64) -> u64 {
        if lines <= self.block_lines as u64 {
            return lines;
        }
        // There are more than block_lines lines, so each of the first ones ends with '\n'.
        let at = memchr::memchr_iter(b'\n', text).nth(self.block_lines - 1).map_or(text.len(), |i| i + 1);
        let mut rest = text.split_off(at);
        rest.extend_from_slice(&self.carry);
        self.carry = rest;
        self.block_lines as u64
    }
}

/// Lines in `text`, the last one counted with or without its line break.
fn count_lines(text: &[u8]) -> u64 {
    let mut breaks = 0u64;
    // Counting into a byte per 255-byte chunk lets the compiler compare 16 or 32 bytes at once.
    for chunk in text.chunks(255) {
        breaks += chunk.iter().fold(0u8, |n, &c| n + u8::from(c == b'\n')) as u64;
    }
    breaks + u64::from(text.last().is_some_and(|&c| c != b'\n'))
}

/// The block pipeline.
struct Blocks<P: LineParser> {
    /// The file name errors carry.
    name: Arc<str>,
    /// The state as of the items handed out so far.
    parser: P,
    /// Helper threads to start once the input turns out longer than two blocks.
    workers: usize,
    /// Blocks read on this thread.
    blocks_read: u32,
    /// The input, read on this thread until the helpers start.
    source: Option<BlockSource>,
    threads: Option<Threads<P>>,
    /// A block handed out, kept for its buffers (parsing on this thread).
    spare: Option<Block<P>>,
    /// The block whose items are being handed out, and the next item.
    current: Option<Block<P>>,
    at: usize,
    /// The input failed or ended: nothing more.
    done: bool,
}

/// A block to parse with the state it starts in.
struct Job<P> {
    block: Block<P>,
    parser: P,
}

/// The helper threads: one reads the input into blocks and hands them to a pool of `workers`
/// that parse them.
struct Threads<P> {
    /// Parsed blocks come back from it in input order; the reading thread waits for room, which
    /// bounds the read-ahead. `None` once dropped.
    pool: Option<Pool<Job<P>, Block<P>>>,
    /// The parser state new blocks start with: the latest one handed out.
    state: Arc<Mutex<P>>,
    /// Spent blocks back to the reading thread, for their buffers.
    spare: Sender<Block<P>>,
    /// Set when the reader is dropped: the reading thread ends at its next step.
    stop: Arc<AtomicBool>,
    reading: Option<JoinHandle<()>>,
    /// Disconnected when the reading thread has ended.
    reading_ended: Receiver<()>,
}

impl<P: LineParser> Blocks<P> {
    fn next_record(
        &mut self,
        skipped: &mut Counts,
        repaired: &mut Counts,
    ) -> Option<Result<Record, LogError>> {
        loop {
            if let Some(block) = &mut self.current {
                while let Some(item) = block.items.get_mut(self.at) {
                    self.at += 1;
                    match std::mem::replace(item, Item::Taken) {
                        Item::Record(mut r) => {
                            if let Ok(record) = &mut r {
                                self.parser.settle(record);
                            }
                            return Some(r);
                        }
                        Item::Skipped(reason) => count(skipped, reason),
                        Item::Repaired(reason) => count(repaired, reason),
                        Item::State(parser) => {
                            self.parser.adopt(*parser);
                            if let Some(threads) = &self.threads {
                                // Blocks read from now on start in this state.
                                let mut state = threads.state.lock().unwrap_or_else(|e| e.into_inner());
                                *state = self.parser.clone();
                            }
                        }
                        Item::Taken => {}
                    }
                }
                let error = block.error.take();
                let mut block = self.current.take().expect("checked above");
                if let Some(ended) = block.ended.take() {
                    self.parser.end_block(&ended);
                }
                block.items.clear();
                match &self.threads {
                    // The reading thread may be gone; then the block is simply dropped.
                    Some(threads) => drop(threads.spare.send(block)),
                    None => self.spare = Some(block),
                }
                if let Some(e) = error {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            if self.done {
                return None;
            }
            let Some(mut block) = self.next_block() else {
                self.done = true;
                return None;
            };
            if block.parsed_with != self.parser.generation() || block.ended.as_ref().is_some_and(P::unsure) {
                // Parsed ahead before an earlier line changed the parser (or without what it
                // needed to know of the blocks before): parse it again.
                block.parse(&mut self.parser.clone(), &self.name);
            }
            self.current = Some(block);
            self.at = 0;
        }
    }

    /// The next block in input order, parsed.
    fn next_block(&mut self) -> Option<Block<P>> {
        if let Some(threads) = &mut self.threads {
            // A job is lost only to a panicking parser (a parser bug).
            return threads
                .pool
                .as_mut()?
                .take()
                .map(|parsed| parsed.expect("a text reader's parsing thread panicked"));
        }
        let source = self.source.as_mut()?;
        let mut block = self.spare.take().unwrap_or_else(Block::empty);
        if !source.read(&self.name, &mut block) {
            return None;
        }
        self.blocks_read += 1;
        // Input longer than two blocks (a small one may stop short of its end: see
        // `BlockSource::fill`): read and parse ahead on helper threads from here on.
        if self.workers > 0 && self.blocks_read >= 2 && !source.exhausted() {
            let source = self.source.take().expect("checked above");
            match Threads::start(source, self.workers, &self.name, &self.parser) {
                Ok(threads) => self.threads = Some(threads),
                Err(source) => {
                    // No thread could be started: go on here.
                    self.source = Some(source);
                    self.workers = 0;
                }
            }
        }
        block.parse(&mut self.parser.clone(), &self.name);
        Some(block)
    }
}

impl<P: LineParser> Threads<P> {
    /// Starts `workers` parsing threads and the reading thread; gives `source` back if they
    /// could not be started.
    fn start(
        source: BlockSource,
        workers: usize,
        name: &Arc<str>,
        parser: &P,
    ) -> Result<Threads<P>, BlockSource> {
        // Read ahead as many blocks as there are workers, and one more to hand out.
        let limits = Limits { threads: workers, ahead: workers + 1, per_job: 1 };
        let parse_name = Arc::clone(name);
        let started = Pool::with_submitter(
            limits,
            |_| "cankit-text".into(),
            || (),
            move |_, mut job: Job<P>, _| {
                job.block.parse(&mut job.parser, &parse_name);
                job.block
            },
        );
        let Ok((pool, submitter)) = started else { return Err(source) };
        let stop = Arc::new(AtomicBool::new(false));
        let (spare, spare_rx) = mpsc::channel::<Block<P>>();
        let (ended_tx, reading_ended) = mpsc::sync_channel::<()>(0);
        let state = Arc::new(Mutex::new(parser.clone()));
        let mut threads = Threads {
            pool: Some(pool),
            state: Arc::clone(&state),
            spare,
            stop: Arc::clone(&stop),
            reading: None,
            reading_ended,
        };
        // The reading thread takes the source from here; it is still here if the thread could
        // not be started.
        let slot = Arc::new(Mutex::new(Some(source)));
        let taken = Arc::clone(&slot);
        let name = Arc::clone(name);
        let spawned = std::thread::Builder::new().name("cankit-text".into()).spawn(move || {
            let _ended = ended_tx;
            let Some(mut source) = taken.lock().ok().and_then(|mut s| s.take()) else { return };
            while !stop.load(Ordering::Relaxed) {
                let mut block = spare_rx.try_recv().unwrap_or_else(|_| Block::empty());
                if !source.read(&name, &mut block) {
                    return;
                }
                let mut parser = state.lock().unwrap_or_else(|e| e.into_inner()).clone();
                parser.for_ahead();
                if submitter.submit(Job { block, parser }).is_err() {
                    return;
                }
            }
        });
        match spawned {
            Ok(handle) => {
                threads.reading = Some(handle);
                Ok(threads)
            }
            Err(_) => {
                drop(threads);
                let source = slot.lock().ok().and_then(|mut s| s.take());
                Err(source.expect("the reading thread never started, so the source is still here"))
            }
        }
    }
}

impl<P> Drop for Threads<P> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The reading thread's next hand-over fails, and every worker ends after the block it
        // is parsing (what is still queued is skipped).
        self.pool.take();
        // The reading thread ends when its current read returns: at once for a file. An input
        // that stalls (a quiet pipe) is not waited for longer than a moment; that thread then
        // ends on its own at the input's next bytes or end.
        if let Some(reading) = self.reading.take() {
            if let Err(RecvTimeoutError::Disconnected) =
                self.reading_ended.recv_timeout(Duration::from_secs(1))
            {
                let _ = reading.join();
            }
        }
    }
}

/// The output of a text writer: lines are formatted into [`TextSink::buf_mut`] and handed to the
/// output in big writes. Finishing (or dropping) flushes once; a format with a trailer writes it
/// before calling [`TextSink::finish`].
pub(crate) struct TextSink {
    out: Box<dyn Write + Send>,
    /// The file name errors carry.
    name: String,
    /// Lines not yet handed to `out`.
    buf: Vec<u8>,
    /// [`TextSink::finish`] was called: later calls (and drop) do nothing.
    finished: bool,
}

impl TextSink {
    pub(crate) fn new(out: Box<dyn Write + Send>, name: &str) -> TextSink {
        TextSink { out, name: name.to_string(), buf: Vec::with_capacity(DRAIN_AT + 1024), finished: false }
    }

    /// A sink whose first line is `header` (CSV layouts): it goes out with the first flush, so
    /// even an empty log has it. Appending to a file that has rows already: `None`, no second
    /// header.
    pub(crate) fn with_header(out: Box<dyn Write + Send>, name: &str, header: Option<&str>) -> TextSink {
        let mut sink = TextSink::new(out, name);
        if let Some(header) = header {
            sink.buf.extend_from_slice(header.as_bytes());
            sink.buf.push(b'\n');
        }
        sink
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Where the writer formats its lines.
    pub(crate) fn buf_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Hands the gathered lines to the output once there are enough for a big write.
    pub(crate) fn drain_if_full(&mut self) -> Result<(), LogError> {
        if self.buf.len() >= DRAIN_AT {
            self.drain()?;
        }
        Ok(())
    }

    pub(crate) fn flush(&mut self) -> Result<(), LogError> {
        self.drain()?;
        self.out.flush().map_err(|e| LogError::io(&self.name, "flushing", e))
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Flushes, the first time only.
    pub(crate) fn finish(&mut self) -> Result<(), LogError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.flush()
    }

    fn drain(&mut self) -> Result<(), LogError> {
        self.out.write_all(&self.buf).map_err(|e| LogError::io(&self.name, "writing", e))?;
        self.buf.clear();
        Ok(())
    }
}

impl Drop for TextSink {
    fn drop(&mut self) {
        // Never lose lines already handed to the writer; errors were reported by finish().
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Cursor};

    fn lines(text: &[u8], capacity: usize) -> Vec<Vec<u8>> {
        let input = BufReader::with_capacity(capacity, Cursor::new(text.to_vec()));
        let mut r = LineReader::new(Box::new(input), "t");
        let mut out = Vec::new();
        while let Some(line) = r.next_line() {
            out.push(line.unwrap().to_vec());
            assert_eq!(r.line_no(), out.len() as u64);
        }
        out
    }

    #[test]
    fn lines_come_without_line_breaks_whatever_the_buffer_size() {
        let text = b"first\r\n\nthird line\nlast without break";
        for capacity in [1, 2, 7, 64, 1 << 16] {
            let got = lines(text, capacity);
            assert_eq!(
                got,
                [&b"first"[..], b"", b"third line", b"last without break"],
                "capacity {capacity}"
            );
        }
        assert!(lines(b"", 8).is_empty());
        assert_eq!(lines(b"one\n", 2), [b"one"]);
    }

    #[test]
    fn a_line_split_across_fills_is_cut_at_the_limit() {
        let text = [vec![b'A'; 3 * MAX_LINE], b"\nnext\n".to_vec()].concat();
        let got = lines(&text, 4096);
        assert_eq!((got.len(), got[0].len(), &got[1][..]), (2, MAX_LINE, &b"next"[..]));
    }

    // --- the block pipeline against line-by-line reading ---

    use crate::frame::{Channel, Timestamp};
    use crate::log::{Event, EventKind};
    use proptest::prelude::*;

    /// Lines as records that show what the parser saw: `!` lines are malformed, `#` lines
    /// skipped, blank lines nothing, `$` lines change the state every later line carries.
    #[derive(Clone, Default)]
    struct Echo {
        state: String,
        generation: u64,
    }

    impl LineParser for Echo {
        fn parse_line(&mut self, line: &[u8], line_no: u64) -> LineOutcome {
            let text = String::from_utf8_lossy(line);
            match line.first() {
                None => LineOutcome::Nothing,
                Some(b'!') => LineOutcome::Malformed(format!("bad {text}")),
                Some(b'#') => LineOutcome::Skipped(if line_no == 1 { "first" } else { "comment" }),
                Some(b'$') => {
                    self.state = text.into_owned();
                    self.generation += 1;
                    LineOutcome::Nothing
                }
                Some(_) => LineOutcome::Record(Record::Event(Event {
                    timestamp: Timestamp(line_no as i64),
                    channel: Channel::NONE,
                    kind: EventKind::Comment(format!("{}|{text}", self.state)),
                })),
            }
        }

        fn generation(&self) -> u64 {
            self.generation
        }
    }

    /// Everything a reader hands out, errors as text, with the skipped counts at each step.
    fn drain(mut r: TextReader<Echo>) -> Vec<(Result<Record, String>, Counts, String)> {
        let mut out = Vec::new();
        while let Some(item) = r.next_record() {
            out.push((item.map_err(|e| e.to_string()), r.skipped().clone(), r.parser().state.clone()));
        }
        // The end is final.
        assert!(r.next_record().is_none());
        out.push((Err("end".into()), r.skipped().clone(), r.parser().state.clone()));
        out
    }

    /// Input that fails with an I/O error after `fail_at` bytes (if given).
    struct Failing {
        data: Vec<u8>,
        at: usize,
        fail_at: Option<usize>,
    }

    impl io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let end = self.fail_at.unwrap_or(self.data.len()).min(self.data.len());
            if self.at == end && self.fail_at.is_some() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(end - self.at).min(3);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn input(data: &[u8], fail_at: Option<usize>, capacity: usize) -> Box<dyn BufRead + Send> {
        let failing = Failing { data: data.to_vec(), at: 0, fail_at };
        Box::new(BufReader::with_capacity(capacity, failing))
    }

    fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => "[a-z]{0,12}".prop_map(String::into_bytes),
            1 => "![a-z]{0,5}".prop_map(String::into_bytes),
            1 => "#[a-z]{0,5}".prop_map(String::into_bytes),
            1 => "\\$[a-z]{0,3}".prop_map(String::into_bytes),
            1 => Just(Vec::new()),
            1 => Just(b"\r".to_vec()),
            1 => "[a-z]{1,3}\r".prop_map(String::into_bytes),
            1 => (1usize..40).prop_map(|n| vec![b'L'; n]),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn blocks_read_exactly_what_lines_read(
            lines in proptest::collection::vec(line_strategy(), 0..40),
            last_break in any::<bool>(),
            block_size in 1usize..48,
            block_lines in 1usize..6,
            workers in 0usize..3,
            capacity in 1usize..16,
            fail_at in proptest::option::of(0usize..400),
        ) {
            let mut data = lines.join(&b'\n');
            if last_break && !lines.is_empty() {
                data.push(b'\n');
            }
            let fail_at = fail_at.filter(|&at| at <= data.len());
            let sequential = drain(TextReader::sequential(input(&data, fail_at, capacity), "t", Echo::default()));
            let blocks = TextReader::with_blocks(
                input(&data, fail_at, capacity), "t", Echo::default(), workers, block_size, block_lines,
            );
            prop_assert_eq!(drain(blocks), sequential);
        }
    }

    #[test]
    fn lines_longer_than_a_block_or_the_limit_read_the_same() {
        let long = |n: usize, c: u8| vec![c; n];
        let data = [
            b"first\n".to_vec(),
            long(MAX_LINE + 10, b'a'),
            b"\r\n".to_vec(),
            long(MAX_LINE - 1, b'b'),
            b"\r\n!bad\n".to_vec(),
            long(3 * MAX_LINE, b'c'),
        ]
        .concat();
        let sequential = drain(TextReader::sequential(input(&data, None, 4096), "t", Echo::default()));
        assert_eq!(sequential.len(), 6, "4 records, an error and the end");
        for (workers, block_size) in [(0, 1000), (1, 1000), (2, 70_000), (2, BLOCK_SIZE)] {
            let blocks = TextReader::with_blocks(
                input(&data, None, 4096),
                "t",
                Echo::default(),
                workers,
                block_size,
                BLOCK_LINES,
            );
            assert_eq!(drain(blocks), sequential, "workers {workers}, block size {block_size}");
        }
    }

    #[test]
    fn many_blocks_keep_their_order_and_line_numbers() {
        let mut data = Vec::new();
        for i in 0..200_000 {
            match i % 1000 {
                0 => data.extend_from_slice(format!("$s{i}\n").as_bytes()),
                7 => data.extend_from_slice(format!("!x{i}\r\n").as_bytes()),
                _ => data.extend_from_slice(format!("line{i}\n").as_bytes()),
            }
        }
        let sequential = drain(TextReader::sequential(input(&data, None, 1 << 16), "t", Echo::default()));
        for workers in [1, 2, 4] {
            let blocks = TextReader::with_threads(input(&data, None, 1 << 16), "t", Echo::default(), workers);
            assert_eq!(drain(blocks), sequential, "workers {workers}");
        }
    }

    #[test]
    fn a_reader_dropped_early_stops_its_threads() {
        let data = "line\n".repeat(1_000_000).into_bytes();
        let mut r = TextReader::with_threads(input(&data, None, 1 << 16), "t", Echo::default(), 2);
        for _ in 0..10 {
            assert!(matches!(r.next_record(), Some(Ok(_))));
        }
        let Mode::Blocks(blocks) = &r.mode else { panic!("block mode") };
        let threads = blocks.threads.as_ref().expect("threads started");
        let stop = Arc::clone(&threads.stop);
        drop(r);
        // Drop joined the workers and the reading thread, which saw the stop flag.
        assert!(stop.load(Ordering::Relaxed));
        assert_eq!(Arc::strong_count(&stop), 1, "no thread holds the pipeline any more");
    }

    /// A pipe: chunks as a writer sends them, waiting for the next one like a real pipe does.
    struct Pipe(mpsc::Receiver<Vec<u8>>, Vec<u8>);

    impl io::Read for Pipe {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.1.is_empty() {
                // A closed pipe is the end of the input.
                self.1 = self.0.recv().unwrap_or_default();
            }
            let n = buf.len().min(self.1.len());
            buf[..n].copy_from_slice(&self.1[..n]);
            self.1.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn lines_from_a_quiet_pipe_are_handed_out_without_waiting_for_more() {
        let (writer, chunks) = mpsc::channel();
        let pipe = BufReader::with_capacity(1 << 18, Pipe(chunks, Vec::new()));
        let mut r = TextReader::with_threads(Box::new(pipe), "t", Echo::default(), 2);
        // More than a block's worth, then nothing for a while.
        writer.send("line\n".repeat(300_000).into_bytes()).unwrap();
        let (counted, got) = mpsc::channel();
        let reading = std::thread::spawn(move || {
            for _ in 0..300_000 {
                assert!(matches!(r.next_record(), Some(Ok(_))));
            }
            counted.send(()).unwrap();
            r
        });
        let waited = got.recv_timeout(std::time::Duration::from_secs(20));
        // Let the reader end either way.
        drop(writer);
        let mut r = reading.join().unwrap();
        assert!(waited.is_ok(), "every whole line written came out before the pipe went quiet");
        assert!(r.next_record().is_none());
    }
}
