//! The CSV reader (python-can's and SavvyCAN's layouts) on arbitrary bytes never panics or
//! loops: every item is a frame or a recoverable error naming a line, except a first line that
//! is a header of no known layout, which is refused as the only item; and the reader ends.
//!
//! The first input byte picks a header to put in front (none, python-can's, SavvyCAN's with and
//! without `Dir`), so every layout's row parser is reached.
#![no_main]

use cankit::log::csv::CsvReader;
use cankit::log::{Location, LogError};
use libfuzzer_sys::fuzz_target;

const HEADERS: [&str; 4] = [
    "",
    "timestamp,arbitration_id,extended,remote,error,dlc,data\n",
    "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n",
    "Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n",
];

fuzz_target!(|input: &[u8]| {
    let Some((&pick, rest)) = input.split_first() else { return };
    let mut text = HEADERS[pick as usize % HEADERS.len()].as_bytes().to_vec();
    text.extend_from_slice(rest);
    let lines = text.split(|&b| b == b'\n').count() as u64;
    let reader = CsvReader::new(Box::new(std::io::Cursor::new(text)), "fuzz.csv");
    for (i, item) in reader.enumerate() {
        match item {
            Ok(_) => {}
            Err(LogError::Malformed { location: Location::Line(n), .. }) => assert!(n >= 1 && n <= lines),
            Err(LogError::Invalid { message, .. }) if i == 0 && message.starts_with("line 1: the header") => {}
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
});
