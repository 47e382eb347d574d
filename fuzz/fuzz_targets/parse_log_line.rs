//! `parse_log_line` on arbitrary UTF-8 never panics, and a line it accepts prints (with
//! nanoseconds, so no precision is lost) to a line that parses back to the same frame, channel
//! and timestamp.
#![no_main]

use cankit::text::{parse_log_line, push_log_line};
use cankit::Direction;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let Ok(frame) = parse_log_line(input) else { return };

    let mut printed = Vec::new();
    push_log_line(&mut printed, &frame, true);
    let line = std::str::from_utf8(&printed).expect("printed log lines are UTF-8");
    let reparsed = parse_log_line(line).unwrap_or_else(|e| panic!("{input:?} printed as {line:?}: {e}"));
    // candump -L lines carry no direction, so the reprinted line reads back as received.
    assert_eq!(reparsed, frame.with_direction(Direction::Rx), "{input:?} printed as {line:?}");

    let mut again = Vec::new();
    push_log_line(&mut again, &reparsed, true);
    assert_eq!(again, printed, "printing is not stable for {input:?}");
});
