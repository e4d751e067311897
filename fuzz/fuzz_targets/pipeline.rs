//! One file through the whole pipeline (extract, model, rules, every renderer), under each candidate
//! extension: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    orb_scan::fuzzing::check_pipeline(data);
});
