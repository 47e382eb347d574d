//! The CiA 309-3 command parser never panics on arbitrary lines, whatever the session holds, and
//! what it accepts is consistent: a parsed write carries at least one byte, a fixed-size type's
//! value has that size, and printing the written bytes as the same type and writing the printed
//! text back gives the same bytes (for the types whose text form is exact).
#![no_main]

use cankit::canopen::gateway::ascii::{parse, AsciiType, Command, Parsed, Session};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the session's defaults; every line of the rest is one command.
    let (setup, lines) = data.split_first().unwrap_or((&0, &[]));
    let mut session = Session {
        node: (setup & 0x7F != 0).then_some(setup & 0x7F),
        sdo_block: setup & 0x80 != 0,
        ..Session::default()
    };
    for line in lines.split(|b| *b == b'\n') {
        let Parsed::Command { command, .. } = parse(line, &mut session) else { continue };
        if let Command::Write { data_type, data, .. } = command {
            assert!(!data.is_empty());
            if let Some(size) = data_type.size() {
                assert_eq!(data.len(), size, "{data_type:?}");
            }
            let printed = data_type.print(&data);
            let exact = !matches!(data_type, AsciiType::R32 | AsciiType::R64 | AsciiType::Vs);
            if exact {
                let mut rest = b" ".to_vec();
                rest.extend_from_slice(&printed);
                let again = data_type.scan(&rest).unwrap_or_else(|e| panic!("{data_type:?} {printed:?}: {e:?}"));
                assert_eq!(again, data, "{data_type:?} {printed:?}");
            }
        }
    }
});
