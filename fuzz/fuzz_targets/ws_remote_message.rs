//! Arbitrary WebSocket message payloads of python-can-remote: as text (JSON events) and as
//! binary CAN messages. Parsing never panics; what parses encodes and parses back.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run ws_remote_message -- -max_total_time=60
#![no_main]

use cankit::net::ws_remote::{decode_binary, encode_binary, event_json, parse_event, WsEvent};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(frame)) = decode_binary(data) {
        let mut out = Vec::new();
        encode_binary(&mut out, &frame);
        let back = decode_binary(&out).expect("re-encoded bytes decode").expect("a message");
        assert_eq!((back.id(), back.data(), back.is_fd()), (frame.id(), frame.data(), frame.is_fd()));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(event) = parse_event(text) {
            let again = parse_event(&event_json(&event)).expect("re-encoded JSON parses");
            if let (WsEvent::Message(a), WsEvent::Message(b)) = (&event, &again) {
                assert_eq!((a.id(), a.data()), (b.id(), b.data()));
            }
        }
    }
});
