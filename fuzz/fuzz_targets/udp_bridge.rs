//! The CAN-to-UDP bridges' decoders (`struct can_frame`/`canfd_frame` datagrams and cannelloni
//! packets) never panic on arbitrary datagrams, and what they accept encodes back to bytes that
//! decode to the same frames.
#![no_main]

use cankit::net::udp_frames::{
    decode_cannelloni, decode_socketcan, encode_socketcan, CannelloniWriter, CANFD_FRAME_SIZE,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(frame) = decode_socketcan(data) {
        let mut buf = [0u8; CANFD_FRAME_SIZE];
        let n = encode_socketcan(&frame, &mut buf);
        assert_eq!(decode_socketcan(&buf[..n]), Ok(frame));
    }
    let mut frames = Vec::new();
    if decode_cannelloni(data, &mut frames).is_ok() {
        let mut writer = CannelloniWriter::new(70_000);
        for f in &frames {
            assert!(writer.push(f), "a packet's frames fit in a packet as large as any datagram");
        }
        let packet = writer.take().to_vec();
        let mut back = Vec::new();
        decode_cannelloni(&packet, &mut back).expect("cankit reads what it writes");
        let without_len8_dlc: Vec<_> = frames.iter().map(|f| f.with_len8_dlc(0)).collect();
        assert_eq!(back, without_len8_dlc);
    }
});
