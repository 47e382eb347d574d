//! The plumbing every text format (ASC, candump, CSV, TRC) shares: [`LineReader`] hands out the
//! lines of an input one at a time, straight from the input's buffer, counting them for error
//! locations; [`TextSink`] gathers written lines into big writes and flushes once at the end.
//! Parsing and formatting the lines, and what a format counts as skipped or lost, stay with each
//! format.

use std::io::{self, BufRead, Write};

use super::{Location, LogError};

/// Longest line kept; the rest of a longer line is dropped (it is reported as malformed anyway),
/// so a file without line breaks cannot grow memory.
pub(crate) const MAX_LINE: usize = 1 << 16;

/// Hand written lines to the output once this many bytes are gathered.
const DRAIN_AT: usize = 1 << 16;

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
                Some(Ok(line.strip_suffix(b"\r").unwrap_or(line)))
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
            match find_byte(buf, b'\n') {
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

/// Position of the first `needle` in `b`, eight bytes at a time.
pub(crate) fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * needle as u64;
    let mut chunks = b.chunks_exact(8);
    for (k, chunk) in chunks.by_ref().enumerate() {
        // chunks_exact yields 8-byte slices.
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ pattern;
        // The lowest flagged byte is the first zero byte of w (borrows only run upwards).
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(k * 8 + (zero.trailing_zeros() / 8) as usize);
        }
    }
    let tail = b.len() - chunks.remainder().len();
    chunks.remainder().iter().position(|&c| c == needle).map(|p| tail + p)
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

    #[test]
    fn newline_search_finds_the_first_one_in_every_position() {
        for len in 0..20 {
            for at in 0..len {
                let mut b = vec![b'x'; len];
                b[at] = b'\n';
                if at + 1 < len {
                    b[len - 1] = b'\n';
                }
                assert_eq!(find_byte(&b, b'\n'), Some(at));
            }
            assert_eq!(find_byte(&vec![0x8A; len], b'\n'), None);
        }
    }
}
