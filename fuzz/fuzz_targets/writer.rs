//! The one way orb-scan writes a file: replaces only what it read, keeps the mode, never follows or writes through a link.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    orb_scan::fuzzing::check_writer(data);
});
