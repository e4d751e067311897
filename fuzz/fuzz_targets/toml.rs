//! The `orb-scan.toml` reader: never panics; every problem it reports points inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        orb_scan::fuzzing::check_toml(text);
    }
});
