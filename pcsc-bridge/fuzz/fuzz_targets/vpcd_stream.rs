//! Fuzz the vpcd frame reader and dispatcher with arbitrary byte streams.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_pcsc_bridge::fuzzing::vpcd_stream(data);
});
