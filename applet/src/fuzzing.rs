//! Invariants shared by the cargo-fuzz targets of the card and the profile loader and by the corpus replay in the normal test run (issue: robustness).

use crate::card::Card;
use crate::profile::Profile;

/// Split fuzz input into APDUs: each starts with a length byte (0–255), then that many bytes.
pub fn split_apdus(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (apdu, tail) = tail.split_at(n);
        out.push(apdu);
        rest = tail;
    }
    out
}

/// Check a card's invariants: a consistent file tree, counters within their limits, channel 0
/// open.
pub fn check_card(card: &Card) {
    card.fs()
        .check_consistency()
        .unwrap_or_else(|e| panic!("file system inconsistent: {e}"));
    for p in card.security().pins() {
        assert!(
            p.retries <= p.max_retries,
            "PIN {:02X} retries above maximum",
            p.key_ref
        );
        assert!(
            p.unblock_retries <= p.unblock_max,
            "PIN {:02X} unblock retries above maximum",
            p.key_ref
        );
    }
    assert!(card.channel(0).is_some(), "basic channel closed");
}

/// Feed a sequence of arbitrary APDUs to the default card (first under T=0 semantics when the
/// first byte is odd): no panic, invariants hold after every command, retry counters never go
/// up except through a successful VERIFY/UNBLOCK (checked as: never above the maximum), and no
/// response carries K or OPc.
pub fn card_sequence(data: &[u8]) {
    let profile = Profile::embedded_default();
    let Ok(mut card) = profile.build_card("<fuzz>") else {
        panic!("the embedded default card must build");
    };
    if data.first().is_some_and(|b| b & 1 == 1) {
        card.set_transport(crate::card::Transport::T0);
    }
    let secrets: Vec<Vec<u8>> = [
        profile.auth.k.as_str(),
        profile.auth.opc.as_deref().unwrap_or_default(),
    ]
    .iter()
    .filter_map(|h| hex::decode(h).ok())
    .filter(|k| k.len() >= 8)
    .collect();
    for apdu in split_apdus(data.get(1..).unwrap_or_default()) {
        let r = card.transmit_bytes(apdu);
        assert!(r.len() >= 2, "response without a status word");
        for s in &secrets {
            assert!(
                !r.windows(s.len()).any(|w| w == s.as_slice()),
                "a response carries key material"
            );
        }
        check_card(&card);
    }
}

/// The profile loader never panics: arbitrary text either loads or gives an error naming the
/// file. A profile that loads also survives what the durable store does with it: serialised
/// with its card's state (as `DurableCard::commit` saves it) it loads again, builds the same card
/// image and serialises to the same text.
///
/// The input is one or more TOML documents separated by NUL bytes (never valid in TOML), so one
/// corpus file can hold several documents that each stop at a different error.
pub fn profile_text(data: &[u8]) {
    for doc in data.split(|b| *b == 0) {
        profile_text_one(doc);
    }
}

fn profile_text_one(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = Profile::from_toml(text, "fuzz.toml").and_then(|p| {
        let card = p.build_card("fuzz.toml")?;
        Ok((p, card))
    });
    let (profile, card) = match loaded {
        Ok(pc) => pc,
        Err(e) => {
            assert!(
                e.to_string().starts_with("fuzz.toml: "),
                "error does not name the file: {e}"
            );
            return;
        }
    };
    check_card(&card);
    // Save and reload, as the durable store does.
    let mut saved = profile.clone();
    saved.state = Some(card.image());
    let text1 = saved
        .to_toml()
        .unwrap_or_else(|e| panic!("a loaded profile cannot be saved: {e}"));
    let again = Profile::from_toml(&text1, "saved.toml")
        .unwrap_or_else(|e| panic!("a saved profile does not load: {e}\n{text1}"));
    let card2 = again
        .build_card("saved.toml")
        .unwrap_or_else(|e| panic!("a saved profile does not build: {e}\n{text1}"));
    assert!(
        card2.image() == card.image(),
        "the reloaded card differs from the saved one:\n{text1}"
    );
    let text2 = again
        .to_toml()
        .unwrap_or_else(|e| panic!("a reloaded profile cannot be saved: {e}"));
    assert_eq!(text1, text2, "saving is not stable");
}
