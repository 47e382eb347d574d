//! STUB: python-can SQLite reader and writer (being implemented).

use super::{Counts, LogError, LogReader, LogWriter, Record};

pub struct SqliteReader {
    name: String,
    skipped: Counts,
    done: bool,
}

impl SqliteReader {
    pub fn open(_path: &std::path::Path, name: &str) -> Result<SqliteReader, LogError> {
        Ok(SqliteReader { name: name.to_string(), skipped: Counts::new(), done: false })
    }
}

impl Iterator for SqliteReader {
    type Item = Result<Record, LogError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.done = true;
        Some(Err(LogError::Invalid { path: self.name.clone(), message: "format not implemented yet".into() }))
    }
}

impl LogReader for SqliteReader {
    fn skipped(&self) -> &Counts {
        &self.skipped
    }
}

pub struct SqliteWriter {
    name: String,
    losses: Counts,
}

impl SqliteWriter {
    pub fn create(_path: &std::path::Path, name: &str) -> Result<SqliteWriter, LogError> {
        Ok(SqliteWriter { name: name.to_string(), losses: Counts::new() })
    }
}

impl LogWriter for SqliteWriter {
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
