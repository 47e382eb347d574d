//! STUB: python-can CSV reader and writer (being implemented).
use std::io::{BufRead, Write};

use super::{Counts, LogError, LogReader, LogWriter, Record};

pub struct CsvReader {
    name: String,
    skipped: Counts,
    done: bool,
}

impl CsvReader {
    pub fn new(_input: Box<dyn BufRead + Send>, name: &str) -> CsvReader {
        CsvReader { name: name.to_string(), skipped: Counts::new(), done: false }
    }
}

impl Iterator for CsvReader {
    type Item = Result<Record, LogError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() }))
    }
}

impl LogReader for CsvReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct CsvWriter {
    name: String,
    losses: Counts,
}

impl CsvWriter {
    pub fn new(_out: Box<dyn Write + Send>, name: &str) -> CsvWriter {
        CsvWriter { name: name.to_string(), losses: Counts::new() }
    }
}

impl LogWriter for CsvWriter {
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
