//! The python-can CSV reader on arbitrary bytes never panics or loops: every item is a frame or
//! a recoverable error naming a line, and the reader ends.
#![no_main]

use cankit::log::csv::CsvReader;
use cankit::log::{Location, LogError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let reader = CsvReader::new(Box::new(std::io::Cursor::new(input.to_vec())), "fuzz.csv");
    let lines = input.split(|&b| b == b'\n').count() as u64;
    for item in reader {
        match item {
            Ok(_) => {}
            Err(LogError::Malformed { location: Location::Line(n), .. }) => assert!(n >= 1 && n <= lines),
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
});
