//! The BLF reader and writer leave no threads behind: the reader's inflate threads and the
//! writer's compression threads end when the reader is dropped (also early, mid-file) and when
//! the writer is finished or dropped. One test in its own binary, so that counting this
//! process's threads by name sees no other test's.

mod common;

use std::io::Cursor;

use cankit::log::blf::BlfReader;
use cankit::log::{self, LogWriter, Record, WriteOptions};
use cankit::{Channel, Frame, Timestamp};

/// Threads named `prefix` appear (a spawned thread names itself once it first runs, which on a
/// busy machine can take a moment).
fn some_threads_named(prefix: &str) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < end {
        if common::threads_named(prefix) > 0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

fn write(path: &std::path::Path, n: usize) -> Box<dyn LogWriter + Send> {
    let mut w = log::create_writer(path, None, &WriteOptions::default()).unwrap();
    for i in 0..n {
        let data = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
        let f = Frame::new_data(i as u32 & 0x7FF, false, &data[..i % 9]).unwrap();
        let f = f.with_timestamp(Timestamp(1_700_000_000_000_000_000 + i as i64 * 1_000_000));
        w.write(&Record::Frame(f.with_channel(Channel::number(1)))).unwrap();
    }
    w
}

#[test]
fn reader_and_writer_threads_end_with_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.blf");

    // Writer: compression threads run while it writes and are gone once it is finished...
    let mut w = write(&path, 50_000);
    assert!(some_threads_named("blf-deflate"), "the writer compresses on threads");
    w.finish().unwrap();
    assert_eq!(common::threads_named("blf-deflate"), 0);
    drop(w);
    // ... or dropped without finishing.
    let w = write(&dir.path().join("u.blf"), 10_000);
    assert!(some_threads_named("blf-deflate"));
    drop(w);
    assert_eq!(common::threads_named("blf-deflate"), 0);

    let bytes = std::fs::read(&path).unwrap();
    // Reader dropped early: after one record, and with every inflate thread busy.
    for take in [1, 2_000, 30_000] {
        let mut r = BlfReader::new(Box::new(Cursor::new(bytes.clone())), "t.blf").unwrap();
        assert_eq!(r.by_ref().take(take).filter(|x| x.is_ok()).count(), take);
        assert!(some_threads_named("blf-inflate"), "the reader inflates on threads");
        drop(r);
        assert_eq!(
            common::threads_named("blf-inflate"),
            0,
            "after dropping a reader that read {take} records"
        );
    }
    // Reader read to the end, then dropped.
    let mut r = BlfReader::new(Box::new(Cursor::new(bytes)), "t.blf").unwrap();
    assert_eq!(r.by_ref().filter(|x| x.is_ok()).count(), 50_000);
    drop(r);
    assert_eq!(common::threads_named("blf-inflate"), 0);
    // The inline reader starts none.
    let r = BlfReader::new_inline(Box::new(Cursor::new(std::fs::read(&path).unwrap())), "t.blf").unwrap();
    assert_eq!(r.take(10).count(), 10);
    assert_eq!(common::threads_named("blf-"), 0);
}
