//! The python-can config file reader never panics on arbitrary text.
#![no_main]

use cankit::config::parse_config_section;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = parse_config_section(text, std::path::Path::new("can.conf"), "default");
});
