//! The EDS/DCF reader never panics on arbitrary text, and what it accepts survives the DCF
//! writer: `to_dcf` output always parses, keeps every object and entry with its type, access
//! and mapping, and a second round trip changes nothing (the first may only normalize strings
//! an INI line cannot hold, such as a trailing ` ;comment` or surrounding spaces). A file whose
//! object sections are all unusable gives an empty dictionary, which has no DCF.
#![no_main]

use cankit::canopen::eds::{parse, report, to_dcf};
use cankit::canopen::ObjectDictionary;
use libfuzzer_sys::fuzz_target;

/// Every entry's place, type, access and mapping: what a DCF must keep exactly.
fn shape(od: &ObjectDictionary) -> Vec<(u16, u8, u16, &'static str, bool)> {
    od.iter()
        .flat_map(|(index, object)| {
            object
                .entries
                .iter()
                .map(move |(sub, e)| (index, *sub, e.data_type.code(), e.access.as_str(), e.pdo_mappable))
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(loaded) = parse(&text, "fuzz.eds", Some(1)) else { return };
    let _ = report(&loaded);
    // Object sections that were all unusable leave an empty dictionary, and a DCF without
    // objects is (rightly) refused.
    if loaded.dictionary.is_empty() {
        return;
    }
    let first = to_dcf(&loaded.dictionary, 1);
    let again = parse(&first, "fuzz.dcf", None).expect("to_dcf output parses");
    assert_eq!(again.node_id, Some(1));
    assert_eq!(shape(&again.dictionary), shape(&loaded.dictionary));
    let second = to_dcf(&again.dictionary, 1);
    let third = parse(&second, "fuzz.dcf", None).expect("to_dcf output parses");
    assert_eq!(third.dictionary, again.dictionary, "{second}");
});
