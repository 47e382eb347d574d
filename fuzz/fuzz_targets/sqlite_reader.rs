//! Arbitrary bytes as an SQLite file: opening and reading it must never panic or hang, only
//! yield frames or typed errors. And when the reader's pages path reads the whole table without
//! falling back to SQLite's query API, it must have yielded exactly what SQLite yields.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run sqlite_reader -- -max_total_time=60
//!
//! Random bytes seldom make an SQLite file: the seeds in fuzz/seeds/sqlite_reader (small databases
//! cankit and python-can wrote, some with 512-byte pages; `tools/fuzz-all.sh` passes them) reach
//! the b-tree code.
#![no_main]

use cankit::log::sqlite::{ReadPath, SqliteReader};
use cankit::log::Record;
use libfuzzer_sys::fuzz_target;

/// A corrupt file may fail on every row; bound the work, not the outcome.
const MOST_RECORDS: usize = 100_000;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    let path = dir.join("fuzz.db");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(mut reader) = SqliteReader::open(&path, "fuzz.db") {
        let by_pages = read(&mut reader);
        if reader.read_path() == ReadPath::Pages && by_pages.len() < MOST_RECORDS {
            let by_sqlite = SqliteReader::open_with(&path, "fuzz.db", ReadPath::Sqlite)
                .map(|mut reader| read(&mut reader))
                .map_err(|e| e.to_string());
            assert_eq!(Ok(by_pages), by_sqlite, "the pages path and SQLite read the file differently");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});

fn read(reader: &mut SqliteReader) -> Vec<Result<Record, String>> {
    reader.take(MOST_RECORDS).map(|r| r.map_err(|e| e.to_string())).collect()
}

/// A private directory per run (no dev-dependencies in the fuzz crate).
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "cankit-fuzz-sqlite-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
