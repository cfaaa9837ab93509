//! Fuzz the BER-TLV, COMPACT-TLV and ATR parsers: no panic, re-encoding is stable.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vusim_apdu::fuzzing::tlv_roundtrip(data);
});
