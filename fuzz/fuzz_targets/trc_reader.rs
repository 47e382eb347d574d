//! The TRC reader (PEAK's versions and CANHacker's trace) on arbitrary bytes never panics or
//! loops: every item is a record or a recoverable error naming a line, and the reader ends.
//!
//! An odd first input byte puts CANHacker's header in front, so its line parser and the minute
//! unwrapping are reached.
#![no_main]

use cankit::log::trc::TrcReader;
use cankit::log::{Location, LogError, ReadOptions, TimeZone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&pick, rest)) = input.split_first() else { return };
    let mut text = if pick & 1 == 1 { b"Time   ID     DLC Data   Comment\n".to_vec() } else { Vec::new() };
    text.extend_from_slice(rest);
    // Local time goes through mktime; UTC keeps runs deterministic.
    let options = ReadOptions { tz: TimeZone::Utc, ..Default::default() };
    let lines = text.split(|&b| b == b'\n').count() as u64;
    let reader = TrcReader::new(Box::new(std::io::Cursor::new(text)), "fuzz.trc", &options);
    for item in reader {
        match item {
            Ok(_) => {}
            Err(LogError::Malformed { location: Location::Line(n), .. }) => assert!(n >= 1 && n <= lines),
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
});
