//! The CANopen node (its SDO servers' state machine above all) never panics and never grows
//! without bound on arbitrary traffic: every 10-byte chunk of the input is a frame to the node
//! (id, then up to 8 data bytes) or a step of the clock, and each SDO request is answered by at
//! most one sub-block of responses.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cankit::canopen::eds;
use cankit::canopen::node::{Node, NodeOptions};
use cankit::canopen::ObjectDictionary;
use cankit::frame::Frame;
use libfuzzer_sys::fuzz_target;

fn dictionary() -> &'static ObjectDictionary {
    static OD: OnceLock<ObjectDictionary> = OnceLock::new();
    OD.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/canopen/device.eds");
        eds::parse(text, "device.eds", Some(5)).expect("the fixture loads").dictionary
    })
}

fuzz_target!(|data: &[u8]| {
    let mut now = Instant::now();
    let mut node = Node::new(5, dictionary().clone(), NodeOptions::default());
    node.start(now);
    for chunk in data.chunks(10) {
        let [kind, selector, rest @ ..] = chunk else { return };
        match kind % 8 {
            // Time passes: up to 2.55 s, so every timer (SDO timeouts too) fires now and then.
            0 => {
                now += Duration::from_millis(u64::from(*selector) * 10);
                node.poll(now);
            }
            // NMT, SYNC, TIME, a PDO, heartbeat and guarding, SDO requests (most often).
            k => {
                let id = match k {
                    1 => 0x000,
                    2 => 0x080,
                    3 => 0x100 + u32::from(*selector & 0x7F),
                    4 => 0x200 + u32::from(*selector),
                    5 => 0x700 + u32::from(*selector & 0x7F),
                    _ => 0x605,
                };
                let len = rest.len().min(8);
                let frame = if *selector == 0xFF {
                    Frame::new_remote(id, false, len as u8)
                } else {
                    Frame::new_data(id, false, &rest[..len])
                };
                if let Ok(frame) = frame {
                    node.process(&frame, now);
                }
            }
        }
        // A block upload answers with at most 127 segments; nothing else sends more than a few.
        assert!(node.take_frames().len() <= 140);
        node.take_events();
    }
});
