//! `decode_frame` on arbitrary datagrams never panics, and a frame it accepts encodes to a
//! datagram that decodes to the same frame.
#![no_main]

use cankit::bus::udp_multicast::{decode_frame, encode_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Some(frame)) = decode_frame(data, true) else { return };
    let mut buf = [0u8; 4096];
    let len = encode_frame(&frame, &mut buf).expect("one frame fits in 4096 bytes");
    let back = decode_frame(&buf[..len], true).expect("cankit reads what it writes");
    assert_eq!(back, Some(frame));
});
