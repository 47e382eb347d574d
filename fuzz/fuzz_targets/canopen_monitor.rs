//! The CANopen monitor never panics and never grows without bound on arbitrary traffic: every
//! 12-byte chunk of the input is a frame (kind, node, time step, length, 8 data bytes: an id
//! near the CANopen ones, RTR or data) at a time that moves forwards or backwards, and every
//! event it gives is printed as text and JSON.
#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use cankit::canopen::eds;
use cankit::canopen::monitor::{Monitor, MAX_KEPT};
use cankit::canopen::ObjectDictionary;
use cankit::frame::{Frame, Timestamp};
use libfuzzer_sys::fuzz_target;

fn dictionary() -> &'static ObjectDictionary {
    static OD: OnceLock<ObjectDictionary> = OnceLock::new();
    OD.get_or_init(|| {
        let text = include_str!("../../tests/fixtures/canopen/device.eds");
        eds::parse(text, "device.eds", Some(5)).expect("the fixture loads").dictionary
    })
}

fuzz_target!(|data: &[u8]| {
    let mut monitor = Monitor::new(BTreeMap::from([(5, dictionary().clone())]));
    let mut now = 0i64;
    for chunk in data.chunks(12) {
        let [kind, selector, step, length, rest @ ..] = chunk else { break };
        // Mostly forwards in steps up to 2.55 s (so transfers time out), sometimes backwards.
        let step = i64::from(*step) * 10_000_000;
        now = if kind & 0x80 != 0 { now.saturating_sub(step) } else { now.saturating_add(step) };
        let node = u32::from(*selector & 0x7F);
        let id = match kind % 16 {
            0 => 0x000,
            1 => 0x080,
            2 => 0x080 + node,
            3 => 0x100,
            4 => 0x180 + node,
            5 => 0x200 + node,
            6 => 0x700 + node,
            7 => 0x7E4 + u32::from(*selector & 1),
            8 | 9 => 0x585,
            10 | 11 => 0x605,
            12 => 0x580 + node,
            13 => 0x600 + node,
            _ => u32::from(*selector) << 3 | u32::from(*kind & 7),
        };
        // SDO frames are 8 bytes long unless the length byte's bit 6 says otherwise.
        let sdo = (8..=13).contains(&(kind % 16)) && length & 0x40 == 0;
        let len = if sdo { 8 } else { usize::from(length & 0x0F).min(8) };
        let mut bytes = [0u8; 8];
        bytes[..rest.len().min(8)].copy_from_slice(&rest[..rest.len().min(8)]);
        let frame = if length & 0x80 != 0 {
            Frame::new_remote(id, false, len as u8)
        } else {
            Frame::new_data(id, false, &bytes[..len])
        };
        let Ok(frame) = frame else { continue };
        for event in monitor.feed(&frame, Timestamp(now)) {
            let _ = (event.text(), event.json_line(Timestamp(now)));
        }
        // At most one transfer per node, each holding at most MAX_KEPT bytes and a sub-block.
        assert!(monitor.open_bytes() <= 127 * (MAX_KEPT + 2 * 127 * 8));
    }
    for event in monitor.finish(Timestamp(now)) {
        let _ = (event.text(), event.json_line(Timestamp(now)));
    }
});
