//! STUB: Vector BLF reader and writer (being implemented).
use std::io::BufRead;

use super::{Counts, LogError, LogReader, LogWriter, Record, WriteOptions};

pub struct BlfReader {
    name: String,
    skipped: Counts,
    done: bool,
}

impl BlfReader {
    pub fn new(_input: Box<dyn BufRead + Send>, name: &str) -> Result<BlfReader, LogError> {
        Ok(BlfReader { name: name.to_string(), skipped: Counts::new(), done: false })
    }
}

impl Iterator for BlfReader {
    type Item = Result<Record, LogError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() }))
    }
}

impl LogReader for BlfReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct BlfWriter {
    name: String,
    losses: Counts,
}

impl BlfWriter {
    pub fn create(
        _path: &std::path::Path,
        name: &str,
        _options: &WriteOptions,
    ) -> Result<BlfWriter, LogError> {
        Ok(BlfWriter { name: name.to_string(), losses: Counts::new() })
    }
}

impl LogWriter for BlfWriter {
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
