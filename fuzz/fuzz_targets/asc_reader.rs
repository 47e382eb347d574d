//! Arbitrary bytes as an ASC file: the reader must drain them without panicking or looping.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run asc_reader -- -max_total_time=60
#![no_main]

use cankit::log::asc::AscReader;
use cankit::log::{LogReader, ReadOptions, TimeZone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions { tz: TimeZone::Utc, ..Default::default() };
    let mut reader = AscReader::new(Box::new(std::io::Cursor::new(data.to_vec())), "fuzz.asc", &options);
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    let mut items = 0;
    for item in reader.by_ref() {
        items += 1;
        // At most one record or error per line: the reader always moves on.
        assert!(items <= lines);
        if let Err(e) = item {
            assert!(e.is_recoverable());
        }
    }
    let _ = reader.skipped();
    let _ = reader.start_time();
});
