//! Fuzz the profile loader with arbitrary text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_applet::fuzzing::profile_text(data);
});
