//! Fuzz `Command::parse`: no panic, and encode(parse(x)) == x for accepted input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_apdu::fuzzing::command_roundtrip(data);
});
