//! `BlfReader` on arbitrary bytes never panics and never loops: draining it ends, with at most one
//! record or error per few input bytes. Inputs that do not start with a BLF header get one to
//! reach the object parser quickly.
#![no_main]

use std::io::Cursor;

use cankit::log::blf::BlfReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let mut bytes = input.to_vec();
    if !bytes.starts_with(b"LOGG") {
        let mut header = vec![0u8; 144];
        header[..4].copy_from_slice(b"LOGG");
        header[4..8].copy_from_slice(&144u32.to_le_bytes());
        header.extend_from_slice(&bytes);
        bytes = header;
    }
    let len = bytes.len();
    let Ok(reader) = BlfReader::new_inline(Box::new(Cursor::new(bytes)), "fuzz.blf") else { return };
    let mut items = 0usize;
    for _ in reader {
        items += 1;
        // Every record or error consumes input; inflated containers can multiply it, so the
        // bound is generous, but a reader that stops advancing blows through it.
        assert!(items <= 64 + len * 64, "{items} items from {len} bytes");
    }
});
