//! candump log files (`candump -l`, `candump -L`, python-can's `.log`): one
//! `(1700000000.123456) can0 123#DEADBEEF` line per frame, parsed and printed by [`crate::text`].
//!
//! Reading accepts what candump, canplayer and python-can accept: 6 or 9 decimals, zero-padded or
//! not, FD flag nibbles up to `F`, `R`/`T` direction suffixes; lines that do not start with `(`
//! (candump's `DROPCOUNT` notes, comments) are skipped and counted. Writing produces exactly what
//! `candump -L` prints for received frames; frames this host sent get a trailing ` T` (as
//! `candump -x`), which canplayer, log2asc and python-can all accept, so direction survives.

use std::io::{BufRead, Write};

use super::text_io::{LineOutcome, LineParser, TextReader, TextSink};
use super::{Counts, LogError, LogReader, LogWriter, Record};
use crate::frame::{Channel, Direction};
use crate::text;

/// Streaming candump log reader. By default lines are parsed in blocks by helper threads while
/// the caller takes the records (see [`CandumpReader::sequential`] for one thread).
pub struct CandumpReader {
    text: TextReader<CandumpLines>,
}

impl CandumpReader {
    /// Parses ahead on one helper thread per core once the input is longer than two blocks.
    pub fn new(input: Box<dyn BufRead + Send>, name: &str) -> CandumpReader {
        CandumpReader { text: TextReader::new(input, name, CandumpLines::default()) }
    }

    /// Reads line by line on the calling thread: no helper threads, no read-ahead.
    pub fn sequential(input: Box<dyn BufRead + Send>, name: &str) -> CandumpReader {
        CandumpReader { text: TextReader::sequential(input, name, CandumpLines::default()) }
    }

    /// Parses blocks of lines on `workers` helper threads (0: on the calling thread).
    pub fn with_threads(input: Box<dyn BufRead + Send>, name: &str, workers: usize) -> CandumpReader {
        CandumpReader { text: TextReader::with_threads(input, name, CandumpLines::default(), workers) }
    }
}

/// One candump log line at a time; remembers the last channel so a run of lines on the same
/// interface builds its [`Channel`] once.
#[derive(Clone, Default)]
pub(crate) struct CandumpLines {
    channel_text: Vec<u8>,
    channel: Channel,
}

impl LineParser for CandumpLines {
    fn parse_line(&mut self, line: &[u8], _line_no: u64) -> LineOutcome {
        let line = line.trim_ascii();
        if line.is_empty() {
            return LineOutcome::Nothing;
        }
        if line[0] != b'(' {
            return LineOutcome::Skipped("lines that are not frames (comments, DROPCOUNT)");
        }
        if let Some((frame, channel)) = text::parse_log_line_fast(line) {
            if channel != self.channel_text.as_slice() {
                self.channel_text.clear();
                self.channel_text.extend_from_slice(channel);
                // The fast path's channel is printable ASCII.
                self.channel = std::str::from_utf8(channel).map_or(Channel::NONE, Channel::name);
            }
            return LineOutcome::Record(Record::Frame(frame.with_channel(self.channel)));
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return LineOutcome::Malformed("not UTF-8 text".into());
        };
        match text::parse_log_line_mending(text) {
            Ok((frame, false)) => LineOutcome::Record(Record::Frame(frame)),
            Ok((frame, true)) => LineOutcome::Repaired(Record::Frame(frame), super::REPAIR_LONG_STANDARD_ID),
            Err(e) => LineOutcome::Malformed(e.to_string()),
        }
    }
}

impl Iterator for CandumpReader {
    type Item = Result<Record, LogError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.text.next_record()
    }
}

impl LogReader for CandumpReader {
    fn skipped(&self) -> &Counts {
        self.text.skipped()
    }

    fn repaired(&self) -> &Counts {
        self.text.repaired()
    }
}

pub struct CandumpWriter {
    sink: TextSink,
    losses: Counts,
}

impl CandumpWriter {
    pub fn new(out: Box<dyn Write + Send>, name: &str) -> CandumpWriter {
        CandumpWriter { sink: TextSink::new(out, name), losses: Counts::new() }
    }
}

impl LogWriter for CandumpWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        match record {
            Record::Frame(f) => {
                let buf = self.sink.buf_mut();
                text::push_log_line(buf, f, false);
                if f.direction == Direction::Tx {
                    buf.pop();
                    buf.extend_from_slice(b" T\n");
                }
                self.sink.drain_if_full()?;
            }
            Record::Event(e) => {
                crate::log::count_unkept_event(&mut self.losses, &e.kind, "candump logs hold");
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LogError> {
        self.sink.flush()
    }

    fn finish(&mut self) -> Result<(), LogError> {
        self.sink.finish()
    }

    fn losses(&self) -> &Counts {
        &self.losses
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
