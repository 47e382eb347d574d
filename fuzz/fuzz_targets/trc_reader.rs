//! The TRC reader on arbitrary bytes never panics or loops: every item is a record or a
//! recoverable error naming a line, and the reader ends.
#![no_main]

use cankit::log::trc::TrcReader;
use cankit::log::{Location, LogError, ReadOptions, TimeZone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    // Local time goes through mktime; UTC keeps runs deterministic.
    let options = ReadOptions { tz: TimeZone::Utc, ..Default::default() };
    let reader = TrcReader::new(Box::new(std::io::Cursor::new(input.to_vec())), "fuzz.trc", &options);
    let lines = input.split(|&b| b == b'\n').count() as u64;
    for item in reader {
        match item {
            Ok(_) => {}
            Err(LogError::Malformed { location: Location::Line(n), .. }) => assert!(n >= 1 && n <= lines),
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
});
