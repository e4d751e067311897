//! A file name as bytes: one to one with its text, shown on one line with nothing a terminal or the Actions runner acts on.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    orb_scan::fuzzing::check_names(data);
});
