//! Fuzz the card with arbitrary APDU sequences under the invariant checker.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_applet::fuzzing::card_sequence(data);
});
