//! STUB: Vector ASC reader and writer (being implemented).
use std::io::{BufRead, Write};

use super::{Counts, LogError, LogReader, LogWriter, ReadOptions, Record, WriteOptions};

pub struct AscReader {
    name: String,
    skipped: Counts,
    done: bool,
}

impl AscReader {
    pub fn new(_input: Box<dyn BufRead + Send>, name: &str, _options: &ReadOptions) -> AscReader {
        AscReader { name: name.to_string(), skipped: Counts::new(), done: false }
    }
}

impl Iterator for AscReader {
    type Item = Result<Record, LogError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() }))
    }
}

impl LogReader for AscReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct AscWriter {
    name: String,
    losses: Counts,
}

impl AscWriter {
    pub fn new(_out: Box<dyn Write + Send>, name: &str, _options: &WriteOptions) -> AscWriter {
        AscWriter { name: name.to_string(), losses: Counts::new() }
    }
}

impl LogWriter for AscWriter {
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
