//! The CiA 309-5 path parser and value encoder never panic on arbitrary paths, bodies and type
//! names, and what they accept is in range: a sequence read from the path is the path's, nodes
//! and networks are what the grammar allows (nodes up to 3 digits, refused later when above 127), and SDO entries fit their 16/8 bits.
#![no_main]

use cankit::canopen::gateway::http::{action, encode, parse_path, Action, Target};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path, value) = text.split_once('\n').unwrap_or((&text, ""));
    let (value, datatype) = value.split_once('\n').unwrap_or((value, "u16"));
    if let Ok(request) = parse_path(path) {
        assert!(path.contains(&request.sequence.to_string()));
        if let Target::Id(net) = request.net {
            assert!((1..=0xFFFF).contains(&net));
        }
        if let Target::Id(node) = request.node {
            assert!(node <= 999);
        }
        if let Ok(Action::Read { index, sub } | Action::Write { index, sub }) = action(&request) {
            let _ = (index, sub);
        }
    }
    if let Ok(bytes) = encode(value, datatype) {
        let fixed = match datatype {
            "b" | "u8" | "x8" | "i8" => Some(1),
            "u16" | "x16" | "i16" => Some(2),
            "u32" | "x32" | "i32" | "r32" => Some(4),
            "u64" | "x64" | "i64" | "r64" => Some(8),
            _ => None,
        };
        if let Some(size) = fixed {
            assert_eq!(bytes.len(), size);
        }
    }
});
