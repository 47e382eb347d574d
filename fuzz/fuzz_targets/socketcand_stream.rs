//! Arbitrary bytes from a socketcand peer: the element splitter must stay bounded, and every
//! element must go through the command and frame parsers without panicking; frames that parse
//! print and parse back to the same frame.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run socketcand_stream -- -max_total_time=60
#![no_main]

use cankit::net::socketcand::{self as proto, Splitter, MAX_ELEMENT};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut splitter = Splitter::new();
    // Arrive in pieces, as TCP delivers them.
    for chunk in data.chunks(7) {
        splitter.push(chunk);
        while let Some(element) = splitter.next_element() {
            assert!(element.len() <= MAX_ELEMENT + 8);
            let words = proto::words(&element);
            if let Some((_, args)) = words.split_first() {
                let _ = proto::parse_send(args);
                let _ = proto::parse_sendfd(args, false);
                let _ = proto::parse_sendfd(args, true);
                if let [sec, usec, ..] = args {
                    let _ = proto::parse_interval(sec, usec);
                }
            }
            if let Some(Ok(frame)) = proto::parse_server_frame(&element) {
                let mut out = String::new();
                if proto::push_raw_frame(&mut out, &frame) {
                    let again = proto::parse_server_frame(&out).expect("a frame element").expect("parses back");
                    assert_eq!(again.id(), frame.id());
                    // RAW mode's error element carries the class only, not the 8 bytes.
                    if !frame.is_error() {
                        assert_eq!(again.data(), frame.data());
                    }
                }
            }
            let _ = proto::parse_beacon(&element);
        }
        assert!(splitter.pending() <= MAX_ELEMENT + 7);
    }
});
