//! Round-trip properties of the udp_multicast wire format (python-can's msgpack map) and of the
//! python-can config file reader: whatever cankit writes it reads back, and no input panics.

use cankit::bus::udp_multicast::{decode_frame, encode_frame};
use cankit::config::parse_config_section;
use cankit::frame::{Channel, Frame};
use proptest::prelude::*;

fn any_frame() -> impl Strategy<Value = Frame> {
    let id =
        (any::<bool>(), 0u32..=0x1FFF_FFFF).prop_map(|(ext, id)| (ext, if ext { id } else { id & 0x7FF }));
    let channel = prop_oneof![
        Just(Channel::NONE),
        (0u32..100).prop_map(Channel::number),
        "[a-z][a-z0-9_.]{0,14}".prop_map(|s| Channel::name(&s)),
    ];
    let kind = prop_oneof![
        (prop::collection::vec(any::<u8>(), 0..=8)).prop_map(|d| (0u8, d, false, false)),
        (0u8..=8).prop_map(|l| (1u8, vec![0; l as usize], false, false)),
        (
            prop::sample::select(vec![0usize, 1, 5, 8, 12, 16, 20, 24, 32, 48, 64]),
            any::<bool>(),
            any::<bool>(),
            any::<[u8; 64]>()
        )
            .prop_map(|(l, brs, esi, d)| (2u8, d[..l].to_vec(), brs, esi)),
        any::<[u8; 8]>().prop_map(|d| (3u8, d.to_vec(), false, false)),
    ];
    (id, kind, channel).prop_map(|((ext, id), (k, data, brs, esi), channel)| {
        let f = match k {
            0 => Frame::new_data(id, ext, &data),
            1 => Frame::new_remote(id, ext, data.len() as u8),
            2 => Frame::new_fd(id, ext, &data, brs, esi),
            _ => Frame::new_error(id, data.try_into().unwrap()),
        };
        f.unwrap().with_channel(channel)
    })
}

proptest! {
    #[test]
    fn every_frame_survives_the_python_can_wire_format(frame in any_frame()) {
        let mut buf = [0u8; 4096];
        let len = encode_frame(&frame, &mut buf).unwrap();
        let back = decode_frame(&buf[..len], true).unwrap().unwrap();
        prop_assert_eq!(back, frame);
    }

    #[test]
    fn arbitrary_datagrams_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_frame(&bytes, true);
        let _ = decode_frame(&bytes, false);
    }

    #[test]
    fn arbitrary_config_files_never_panic(text in "(\\[[a-z]{0,6}\\]?|[a-z_]{0,8} ?[=:]? ?[a-z0-9]{0,6}|[ \\t#;]|\\n){0,40}") {
        let _ = parse_config_section(&text, std::path::Path::new("can.conf"), "default");
    }
}
