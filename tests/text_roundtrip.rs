//! Property tests for the can-utils text syntax: whatever `cankit::text` prints it reads back as
//! the same frame, and no input string makes the parsers panic.

use cankit::text::{parse_data_bytes, parse_frame, parse_log_line, push_frame, push_log_line};
use cankit::{Channel, Direction, Frame, Timestamp};
use proptest::prelude::*;

/// Valid CAN FD payload lengths.
const FD_LENGTHS: [usize; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

fn id() -> impl Strategy<Value = (u32, bool)> {
    prop_oneof![(0u32..=0x7FF).prop_map(|id| (id, false)), (0u32..=0x1FFF_FFFF).prop_map(|id| (id, true)),]
}

fn data_frame() -> impl Strategy<Value = Frame> {
    (id(), prop::collection::vec(any::<u8>(), 0..=8), 9u8..=15, any::<bool>()).prop_map(
        |((id, ext), data, dlc, raw)| {
            let f = Frame::new_data(id, ext, &data).expect("valid id and length");
            // with_len8_dlc ignores the DLC unless there are 8 bytes.
            if raw {
                f.with_len8_dlc(dlc)
            } else {
                f
            }
        },
    )
}

fn remote_frame() -> impl Strategy<Value = Frame> {
    (id(), 0u8..=8, 9u8..=15, any::<bool>()).prop_map(|((id, ext), len, dlc, raw)| {
        let f = Frame::new_remote(id, ext, len).expect("valid id and length");
        if raw {
            f.with_len8_dlc(dlc)
        } else {
            f
        }
    })
}

fn fd_frame() -> impl Strategy<Value = Frame> {
    (
        id(),
        prop::sample::select(&FD_LENGTHS[..]),
        prop::collection::vec(any::<u8>(), 64),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|((id, ext), len, data, brs, esi)| {
            Frame::new_fd(id, ext, &data[..len], brs, esi).expect("valid id and FD length")
        })
}

fn error_frame() -> impl Strategy<Value = Frame> {
    (0u32..=0x1FFF_FFFF, any::<[u8; 8]>())
        .prop_map(|(class, data)| Frame::new_error(class, data).expect("class fits in 29 bits"))
}

fn frame() -> impl Strategy<Value = Frame> {
    prop_oneof![data_frame(), remote_frame(), fd_frame(), error_frame()]
}

fn frame_text(frame: &Frame) -> String {
    let mut out = Vec::new();
    push_frame(&mut out, frame);
    String::from_utf8(out).expect("frame text is ASCII")
}

fn log_line(frame: &Frame, nanos: bool) -> String {
    let mut out = Vec::new();
    push_log_line(&mut out, frame, nanos);
    String::from_utf8(out).expect("log line is UTF-8")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn printed_frame_parses_back_to_the_same_frame(f in frame()) {
        let text = frame_text(&f);
        prop_assert_eq!(parse_frame(&text), Ok(f), "text {}", text);
    }

    #[test]
    fn printed_frame_text_is_uppercase_without_separators(f in frame()) {
        let text = frame_text(&f);
        prop_assert!(!text.contains('.'));
        prop_assert!(!text.bytes().any(|c| c.is_ascii_lowercase()), "{}", text);
    }

    #[test]
    fn printed_log_line_parses_back_with_microsecond_timestamp(
        f in frame(),
        nanos in 0i64..=i64::MAX,
        channel in "[a-z0-9]{1,15}",
    ) {
        let f = f.with_timestamp(Timestamp(nanos)).with_channel(Channel::name(&channel));
        let line = log_line(&f, false);
        prop_assert!(line.ends_with('\n'));
        let expected = f.with_timestamp(Timestamp(nanos - nanos % 1000));
        prop_assert_eq!(parse_log_line(&line), Ok(expected), "line {}", line);
    }

    #[test]
    fn printed_log_line_with_nanos_parses_back_exactly(
        f in frame(),
        nanos in 0i64..=i64::MAX,
        channel in "[a-z0-9]{1,15}",
    ) {
        let f = f.with_timestamp(Timestamp(nanos)).with_channel(Channel::name(&channel));
        let line = log_line(&f, true);
        prop_assert_eq!(parse_log_line(&line), Ok(f), "line {}", line);
    }

    #[test]
    fn log_line_direction_suffix_parses_to_the_direction(f in frame(), tx in any::<bool>()) {
        let f = f.with_channel(Channel::name("vcan0"));
        let mut line = log_line(&f, false);
        line.truncate(line.len() - 1);
        line.push_str(if tx { " T\n" } else { " R\n" });
        let direction = if tx { Direction::Tx } else { Direction::Rx };
        prop_assert_eq!(parse_log_line(&line).map(|p| p.direction), Ok(direction));
    }

    #[test]
    fn parse_frame_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = parse_frame(&s);
    }

    #[test]
    fn parse_frame_never_panics_on_frame_like_strings(s in "[0-9a-fA-F#Rr_.xX:]{0,40}") {
        let _ = parse_frame(&s);
    }

    #[test]
    fn any_parsed_frame_prints_and_parses_back_to_itself(s in "[0-9A-F]{3,8}#{1,2}[0-9A-FR_.]{0,30}") {
        if let Ok(f) = parse_frame(&s) {
            let text = frame_text(&f);
            prop_assert_eq!(parse_frame(&text), Ok(f), "{} printed as {}", s, text);
        }
    }

    #[test]
    fn errors_point_inside_or_just_past_the_input(s in "[0-9a-fA-F#Rr_.xX: ]{0,40}") {
        if let Err(e) = parse_frame(&s) {
            prop_assert!(e.pos <= s.len(), "{:?}: {}", s, e);
        }
        if let Err(e) = parse_data_bytes(&s) {
            prop_assert!(e.pos <= s.len(), "{:?}: {}", s, e);
        }
    }

    #[test]
    fn parse_log_line_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = parse_log_line(&s);
    }

    #[test]
    fn parse_log_line_never_panics_on_log_like_strings(s in "[(][0-9]{0,22}[.]?[0-9]{0,11}[)]? {0,2}[a-z0-9]{0,4} {0,2}[0-9A-F#R_.]{0,20} ?[TRtx]?\r?\n?") {
        let _ = parse_log_line(&s);
    }

    #[test]
    fn parse_data_bytes_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = parse_data_bytes(&s);
    }

    #[test]
    fn space_separated_bytes_parse_to_the_same_bytes(data in prop::collection::vec(any::<u8>(), 0..=64)) {
        let text: Vec<String> = data.iter().map(|b| format!("{b:02x}")).collect();
        let (parsed, len) = parse_data_bytes(&text.join(" ")).expect("valid byte list");
        prop_assert_eq!(&parsed[..len], &data[..]);
    }
}
