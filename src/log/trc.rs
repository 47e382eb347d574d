//! STUB: PEAK TRC reader and writer (being implemented).
use std::io::{BufRead, Write};

use super::{Counts, LogError, LogReader, LogWriter, ReadOptions, Record, WriteOptions};

pub struct TrcReader {
    name: String,
    skipped: Counts,
    done: bool,
}

impl TrcReader {
    pub fn new(_input: Box<dyn BufRead + Send>, name: &str, _options: &ReadOptions) -> TrcReader {
        TrcReader { name: name.to_string(), skipped: Counts::new(), done: false }
    }
}

impl Iterator for TrcReader {
    type Item = Result<Record, LogError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() }))
    }
}

impl LogReader for TrcReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct TrcWriter {
    name: String,
    losses: Counts,
}

impl TrcWriter {
    pub fn new(
        _out: Box<dyn Write + Send>,
        name: &str,
        _options: &WriteOptions,
    ) -> Result<TrcWriter, LogError> {
        Ok(TrcWriter { name: name.to_string(), losses: Counts::new() })
    }
}

impl LogWriter for TrcWriter {
    fn write(&mut self, _record: &Record) -> Result<(), LogError> {
        Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() })
    }
    fn flush(&mut self) -> Result<(), LogError> {
        Ok(())
    }
    fn finish(&mut self) -> Result<(), LogError> {
        Ok(())
    }
    fn losses(&self) -> &Counts {
        &self.losses
    }
}
