//! Fuzz the script parser: no panic, a parsed program prints back and re-parses to the same
//! steps, checking and running it against a mirror card never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_apdu::fuzzing::script_parse(data);
});
