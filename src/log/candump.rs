//! candump log files (`candump -l`, `candump -L`, python-can's `.log`): one
//! `(1700000000.123456) can0 123#DEADBEEF` line per frame, parsed and printed by [`crate::text`].
//!
//! Reading accepts what candump, canplayer and python-can accept: 6 or 9 decimals, zero-padded or
//! not, FD flag nibbles up to `F`, `R`/`T` direction suffixes; lines that do not start with `(`
//! (candump's `DROPCOUNT` notes, comments) are skipped and counted. Writing produces exactly what
//! `candump -L` prints for received frames; frames this host sent get a trailing ` T` (as
//! `candump -x`), which canplayer, log2asc and python-can all accept, so direction survives.

use std::io::{BufRead, Write};

use super::{count, Counts, EventKind, Location, LogError, LogReader, LogWriter, Record};
use crate::frame::Direction;
use crate::text;

pub struct CandumpReader {
    input: Box<dyn BufRead + Send>,
    name: String,
    line: Vec<u8>,
    line_no: u64,
    skipped: Counts,
    done: bool,
}

impl CandumpReader {
    pub fn new(input: Box<dyn BufRead + Send>, name: &str) -> CandumpReader {
        CandumpReader {
            input,
            name: name.to_string(),
            line: Vec::with_capacity(256),
            line_no: 0,
            skipped: Counts::new(),
            done: false,
        }
    }
}

impl Iterator for CandumpReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.line.clear();
            match self.input.read_until(b'\n', &mut self.line) {
                Ok(0) => self.done = true,
                Ok(_) => {
                    self.line_no += 1;
                    let trimmed = self.line.trim_ascii();
                    if trimmed.is_empty() {
                        continue;
                    }
                    if trimmed[0] != b'(' {
                        count(&mut self.skipped, "lines that are not frames (comments, DROPCOUNT)");
                        continue;
                    }
                    let Ok(text) = std::str::from_utf8(trimmed) else {
                        return Some(Err(LogError::malformed(
                            &self.name,
                            Location::Line(self.line_no),
                            "not UTF-8 text",
                        )));
                    };
                    return Some(text::parse_log_line(text).map(Record::Frame).map_err(|e| {
                        LogError::malformed(&self.name, Location::Line(self.line_no), e.to_string())
                    }));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(LogError::io(
                        &self.name,
                        format!("reading line {}", self.line_no + 1),
                        e,
                    )));
                }
            }
        }
        None
    }
}

impl LogReader for CandumpReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct CandumpWriter {
    out: Box<dyn Write + Send>,
    name: String,
    buf: Vec<u8>,
    losses: Counts,
    finished: bool,
}

impl CandumpWriter {
    pub fn new(out: Box<dyn Write + Send>, name: &str) -> CandumpWriter {
        CandumpWriter {
            out,
            name: name.to_string(),
            buf: Vec::with_capacity(1 << 16),
            losses: Counts::new(),
            finished: false,
        }
    }

    fn drain(&mut self) -> Result<(), LogError> {
        self.out.write_all(&self.buf).map_err(|e| LogError::io(&self.name, "writing", e))?;
        self.buf.clear();
        Ok(())
    }
}

impl LogWriter for CandumpWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        match record {
            Record::Frame(f) => {
                text::push_log_line(&mut self.buf, f, false);
                if f.direction == Direction::Tx {
                    self.buf.pop();
                    self.buf.extend_from_slice(b" T\n");
                }
                if self.buf.len() >= 1 << 16 {
                    self.drain()?;
                }
            }
            Record::Event(e) => {
                let what = match e.kind {
                    EventKind::Marker(_) => "markers (candump logs hold only frames)",
                    EventKind::Comment(_) => "comments (candump logs hold only frames)",
                    EventKind::BusState(_) => "bus-state events (candump logs hold only frames)",
                    EventKind::Dropped(_) => "drop reports (candump logs hold only frames)",
                };
                count(&mut self.losses, what);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LogError> {
        self.drain()?;
        self.out.flush().map_err(|e| LogError::io(&self.name, "flushing", e))
    }

    fn finish(&mut self) -> Result<(), LogError> {
        if !self.finished {
            self.finished = true;
            self.flush()?;
        }
        Ok(())
    }

    fn losses(&self) -> &Counts {
        &self.losses
    }
}

impl Drop for CandumpWriter {
    fn drop(&mut self) {
        // Never lose frames already handed to the writer; errors were reported by finish().
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Channel, Frame, Timestamp};
    use std::io::Cursor;

    fn read_all(text: &str) -> (Vec<Result<Record, LogError>>, Counts) {
        let mut r = CandumpReader::new(Box::new(Cursor::new(text.as_bytes().to_vec())), "t.log");
        let items: Vec<_> = r.by_ref().collect();
        (items, r.skipped().clone())
    }

    #[test]
    fn candump_python_can_and_dropcount_lines_are_read() {
        let (items, skipped) = read_all(
            "(1436509052.249713) vcan0 123#DEADBEEF\nDROPCOUNT: 3\n(12.000100) can1 12345678#R R\r\n\
             (1700000000.500000000) can0 456##5000102 T\n",
        );
        assert_eq!(items.len(), 3);
        let frames: Vec<Frame> = items
            .into_iter()
            .map(|r| match r.unwrap() {
                Record::Frame(f) => f,
                _ => panic!(),
            })
            .collect();
        assert_eq!(frames[0].data(), &[0xDE, 0xAD, 0xBE, 0xEF]);
        assert!(frames[1].is_remote() && frames[1].is_extended());
        assert!(frames[2].is_fd() && frames[2].brs() && frames[2].direction == Direction::Tx);
        assert_eq!(skipped.values().sum::<u64>(), 1);
    }

    #[test]
    fn bad_line_names_file_and_line_and_reading_goes_on() {
        let (items, _) = read_all("(1.000000) can0 123#11\n(2.000000) can0 123#1\n(3.000000) can0 124#22\n");
        assert!(items[0].is_ok() && items[2].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert!(e.is_recoverable());
        assert!(e.to_string().starts_with("t.log:line 2: "), "{e}");
    }

    #[test]
    fn writer_prints_candump_lines_and_marks_tx() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let mut w = super::super::create_writer(&path, None, &Default::default()).unwrap();
        let f = Frame::new_data(0x123, false, &[1, 2])
            .unwrap()
            .with_channel(Channel::name("can0"))
            .with_timestamp(Timestamp::from_parts(1_700_000_000, 1_000));
        w.write(&Record::Frame(f)).unwrap();
        w.write(&Record::Frame(f.with_direction(Direction::Tx))).unwrap();
        w.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "(1700000000.000001) can0 123#0102\n(1700000000.000001) can0 123#0102 T\n"
        );
    }
}
