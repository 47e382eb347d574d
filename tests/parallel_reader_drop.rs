//! A text reader dropped before its end stops and joins its helper threads: nothing keeps
//! running or holding the input.

use std::io::Cursor;
use std::time::{Duration, Instant};

use cankit::log::candump::CandumpReader;

/// Threads of this process named as the readers name their helpers.
fn helper_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim() == "cankit-text")
        .count()
}

#[test]
fn parallel_reader_dropped_early_leaves_no_threads() {
    let line = "(1700000000.000029) can0 1E574C5A#B85A4C57\n";
    let text = line.repeat(2_000_000).into_bytes();
    for _ in 0..3 {
        let mut r = CandumpReader::with_threads(Box::new(Cursor::new(text.clone())), "t.log", 2);
        for _ in 0..100_000 {
            r.next().unwrap().unwrap();
        }
        assert!(helper_threads() >= 1, "the reader parses ahead on helper threads");
        let start = Instant::now();
        drop(r);
        assert!(start.elapsed() < Duration::from_secs(5), "drop does not wait for the input's end");
        assert_eq!(helper_threads(), 0);
    }
}
