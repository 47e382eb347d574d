//! Arbitrary bytes as an SQLite file: opening and reading it must never panic or hang, only
//! yield frames or typed errors.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run sqlite_reader -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile_dir() else { return };
    let path = dir.join("fuzz.db");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(reader) = cankit::log::sqlite::SqliteReader::open(&path, "fuzz.db") {
        // A corrupt file may fail on every row; bound the work, not the outcome.
        for record in reader.take(100_000) {
            let _ = record;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
});

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
