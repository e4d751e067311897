//! The Terraform readers (`.tf` and `.tf.json`) and the Terraform extraction of one file: never
//! panic; every span lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        orb_scan::fuzzing::check_hcl(text);
    }
});
