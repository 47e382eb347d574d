//! `parse_frame` on arbitrary UTF-8 never panics, and a frame it accepts prints (as candump -L
//! would) to text that parses back to the same frame and prints identically again.
#![no_main]

use cankit::text::{parse_data_bytes, parse_frame, push_frame, write_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = parse_data_bytes(input);
    let Ok(frame) = parse_frame(input) else { return };

    let mut printed = Vec::new();
    push_frame(&mut printed, &frame);
    let text = std::str::from_utf8(&printed).expect("printed frames are ASCII");
    let reparsed = parse_frame(text).unwrap_or_else(|e| panic!("{input:?} printed as {text:?}: {e}"));
    assert_eq!(reparsed, frame, "{input:?} printed as {text:?}");

    let mut again = String::new();
    write_frame(&mut again, &reparsed).expect("writing to a String cannot fail");
    assert_eq!(again, text, "printing is not stable for {input:?}");
});
