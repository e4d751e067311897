//! The YAML reader: never panics; every span it returns lies on char boundaries inside the input; the
//! fast reader, wherever it takes the input, reads it as saphyr does.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        orb_scan::fuzzing::check_yaml(text);
    }
});
