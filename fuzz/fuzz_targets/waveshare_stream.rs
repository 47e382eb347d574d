//! The Waveshare record decoder never panics on an arbitrary TCP stream cut into arbitrary
//! segments, always gives one result per 13 bytes, names each bad record's true offset, and the
//! frames it accepts encode back to the very records they came from (padding aside).
#![no_main]

use cankit::frame::Timestamp;
use cankit::net::waveshare::{encode, Decoder, RECORD};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the segment size, the rest is the stream.
    let Some((&cut, stream)) = data.split_first() else { return };
    let segment = usize::from(cut).max(1);
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    for piece in stream.chunks(segment) {
        decoder.push(piece, Timestamp::ZERO, &mut out);
    }
    assert_eq!(out.len(), stream.len() / RECORD);
    assert_eq!(decoder.pending(), stream.len() % RECORD);
    for (i, result) in out.iter().enumerate() {
        let record = &stream[i * RECORD..(i + 1) * RECORD];
        match result {
            Ok(frame) => {
                let mut back = [0u8; RECORD];
                encode(frame, &mut back).expect("a decoded frame is classic");
                assert_eq!(back[..5], record[..5]);
                if !frame.is_remote() {
                    let len = frame.len();
                    assert_eq!(back[5..5 + len], record[5..5 + len]);
                }
            }
            Err(e) => assert_eq!(e.offset, (i * RECORD) as u64),
        }
    }
});
