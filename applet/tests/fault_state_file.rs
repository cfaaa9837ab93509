//! Fault injection on the card file: truncated and corrupted saved card files are refused with
//! an error naming the file (the `# vusim-state sha256=…` line catches what TOML cannot) and
//! never silently replaced by the profile's defaults; a save that fails returns an error, rolls
//! the card back and leaves the file as it was.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a test failure"
)]

use std::fs;
use std::path::{Path, PathBuf};

use vusim_applet::card::image::CardImage;
use vusim_applet::profile::{Profile, DEFAULT_PROFILE};
use vusim_applet::store::DurableCard;

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vusim-fault-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn tx(card: &mut DurableCard, apdu: &str) -> String {
    let bytes = hex::decode(apdu.replace(' ', "")).unwrap();
    hex::encode_upper(card.transmit(&bytes).unwrap())
}

fn sw(r: &str) -> &str {
    &r[r.len() - 4..]
}

const SELECT_USIM: &str = "00A4040C07A0000000871002";
const VERIFY_PIN1: &str = "002000010831323334FFFFFFFF";
/// GBA_U bootstrap with the values of examples/gba-bootstrap.script (TS 35.208 set 1 K/OPc).
const GBA_BOOTSTRAP: &str =
    "0088008423DD1023553CBE9637A89D218AE64DAE47BF3510AA689C6483518000870DA3E4CE27533A00";
/// EF.GBABP: RAND, B-TID, key lifetime (as the ME writes them, from the example script).
const GBABP: &str = "1023553CBE9637A89D218AE64DAE47BF353E4931553876705933714A306869755A4E726B652F4E513D3D406273662E6D6E633030312E6D63633030312E7075622E336770706E6574776F726B2E6F726714323039392D31322D33315432333A35393A35395A";
/// NAF derivation for naf.example.org, Ua protocol 0100000002, IMPI of the default card.
const GBA_NAF: &str = "0088008448DE146E61662E6578616D706C652E6F726701000000023130303130313031323334353637383940696D732E6D6E633030312E6D63633030312E336770706E6574776F726B2E6F726700";

/// A card file with a rich state: EF contents, PIN counters, SQNs, GBA Ks and a NAF key.
fn rich_card_file(dir: &Path) -> PathBuf {
    let path = dir.join("card.toml");
    fs::write(&path, DEFAULT_PROFILE).unwrap();
    let mut card = DurableCard::open(&path).unwrap();
    assert_eq!(tx(&mut card, SELECT_USIM), "9000");
    // A wrong PIN2 (one try spent), then PIN1.
    assert_eq!(tx(&mut card, "002000810830303030FFFFFFFF"), "63C2");
    assert_eq!(tx(&mut card, VERIFY_PIN1), "9000");
    // EF.LOCI: a TMSI.
    assert_eq!(tx(&mut card, "00A4000C026F7E"), "9000");
    assert_eq!(tx(&mut card, "00D600000412345678"), "9000");
    // GBA_U bootstrap, B-TID, NAF key.
    assert_eq!(
        tx(&mut card, GBA_BOOTSTRAP),
        "DB08A54211D5E3BA50BF9000",
        "bootstrap"
    );
    assert_eq!(tx(&mut card, "00A4000C026FD6"), "9000");
    let update = format!("00D60000{:02X}{GBABP}", GBABP.len() / 2);
    assert_eq!(tx(&mut card, &update), "9000");
    let naf = tx(&mut card, GBA_NAF);
    assert_eq!(sw(&naf), "9000", "NAF derivation");
    drop(card);
    let text = fs::read_to_string(&path).unwrap();
    for section in [
        "[state.files]",
        "[[state.pins]]",
        "[state.apps.USIM",
        "[[state.keys]]",
    ] {
        assert!(text.contains(section), "no {section} in\n{text}");
    }
    path
}

/// The image the card file's profile builds to without any saved state: the defaults.
fn default_image(path: &Path) -> CardImage {
    let mut p = Profile::from_toml(&fs::read_to_string(path).unwrap(), "x").unwrap();
    p.state = None;
    p.build_card("x").unwrap().image()
}

/// What happened when damaged copies of a card file were opened.
#[derive(Debug, Default)]
struct Outcome {
    /// Refused with an error naming the file.
    refused: usize,
    /// Loaded with the full, unchanged state.
    same_state: usize,
    /// Loaded with a state that differs from the saved one (undetected damage).
    changed_state: Vec<String>,
    /// Loaded without any state, or with exactly the defaults: a silent reset.
    reset: Vec<String>,
}

/// Open a damaged copy of the card file; an error must name the file.
fn open_damaged(
    path: &Path,
    text: &[u8],
    what: &str,
    original: &CardImage,
    defaults: &CardImage,
    out: &mut Outcome,
) {
    fs::write(path, text).unwrap();
    match DurableCard::open(path) {
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.starts_with(&path.display().to_string()),
                "{what}: error does not name the file: {msg}"
            );
            out.refused += 1;
        }
        Ok(card) => {
            let image = card.card().image();
            if card.profile().state.is_none() || &image == defaults {
                out.reset.push(what.to_string());
            } else if &image == original {
                out.same_state += 1;
            } else {
                out.changed_state.push(what.to_string());
            }
        }
    }
}

/// A card file with a rich state, its bytes, its image and the defaults' image.
fn fixture(dir: &Path) -> (PathBuf, Vec<u8>, CardImage, CardImage, usize) {
    let good = rich_card_file(dir);
    let text = fs::read(&good).unwrap();
    let original = DurableCard::open(&good).unwrap().card().image();
    let defaults = default_image(&good);
    assert_ne!(original, defaults);
    let state_at = text
        .windows(7)
        .position(|w| w == b"[state.")
        .expect("[state] section");
    (dir.join("damaged.toml"), text, original, defaults, state_at)
}

/// True if the first `cut` bytes end with a complete line (the cut is just before or just
/// after a newline).
fn complete_lines(text: &[u8], cut: usize) -> bool {
    (cut > 0 && text[cut - 1] == b'\n') || text.get(cut) == Some(&b'\n')
}

/// Cuts at every 97th byte: always refused, naming the file. (Before saved files carried the
/// `# vusim-state sha256=…` line, a cut that left complete lines could load: see the next test.)
#[test]
fn truncated_card_files_are_refused() {
    let dir = TempDir::new("truncate");
    let (damaged, text, original, defaults, _) = fixture(&dir.0);
    let mut out = Outcome::default();
    let offsets: Vec<usize> = (0..text.len()).step_by(97).collect();
    let at_line_end = offsets
        .iter()
        .filter(|&&cut| complete_lines(&text, cut))
        .count();
    for &cut in &offsets {
        open_damaged(
            &damaged,
            &text[..cut],
            &format!("truncated at byte {cut} of {}", text.len()),
            &original,
            &defaults,
            &mut out,
        );
    }
    eprintln!(
        "{} truncations at every 97th byte ({at_line_end} leaving complete lines): {out:?}",
        offsets.len()
    );
    assert!(out.reset.is_empty(), "silent resets: {:?}", out.reset);
    assert!(
        out.changed_state.is_empty(),
        "damaged states loaded: {:?}",
        out.changed_state
    );
    assert_eq!(out.refused, offsets.len());
}

/// A cut exactly at a line end after the profile's sections or inside the [state] section
/// leaves valid TOML: without a check the file would load without (part of) its state, e.g.
/// every PIN counter and SQN back to the profile's defaults when the cut is just before
/// `[state.files]`. Saved card files therefore start with a `# vusim-state sha256=…` line over
/// the rest (applet/src/store.rs): every such cut is refused, naming the file.
#[test]
fn card_files_cut_at_a_line_end_are_refused() {
    let dir = TempDir::new("truncate-lines");
    let (damaged, text, original, defaults, state_at) = fixture(&dir.0);
    let mut out = Outcome::default();
    // Every cut leaving complete lines after the profile's required sections (a cut before
    // them is refused for a missing key anyway).
    let pins_at = text
        .windows(6)
        .position(|w| w == b"[pins]")
        .expect("[pins] section");
    assert!(pins_at < state_at);
    let offsets: Vec<usize> = (pins_at..text.len())
        .filter(|&cut| complete_lines(&text, cut))
        .collect();
    for &cut in &offsets {
        open_damaged(
            &damaged,
            &text[..cut],
            &format!("cut at the line end at byte {cut} of {}", text.len()),
            &original,
            &defaults,
            &mut out,
        );
    }
    eprintln!("{} cuts at line ends: {out:?}", offsets.len());
    assert!(out.reset.is_empty(), "silent resets: {:?}", out.reset);
    assert!(
        out.changed_state.is_empty(),
        "partial states loaded: {:?}",
        out.changed_state
    );
    assert_eq!(out.refused, offsets.len());
}

/// Every byte of the digest line and of the state section, damaged three ways: a flipped low
/// bit (a hex digit becomes another digit: valid TOML with another value), a NUL and a quote.
/// All are refused, except damage to the `# vusim-state` marker itself, which turns the line into
/// a plain comment: the file then loads as a hand-edited profile with its state intact.
#[test]
fn corrupted_state_sections_are_refused_not_reset() {
    let dir = TempDir::new("flip");
    let (damaged, text, original, defaults, state_at) = fixture(&dir.0);
    let marker = vusim_applet::store::DIGEST_MARKER.len();
    assert!(text.starts_with(vusim_applet::store::DIGEST_MARKER.as_bytes()));
    let first_line = text.iter().position(|b| *b == b'\n').unwrap();
    let mut out = Outcome::default();
    let mut marker_out = Outcome::default();
    let mut flips = 0;
    for i in (0..first_line).chain(state_at..text.len()) {
        for (kind, f) in [
            ("xor 01", (|b: u8| b ^ 0x01) as fn(u8) -> u8),
            ("NUL", |_| 0),
            ("quote", |_| b'"'),
        ] {
            let mut bad = text.clone();
            bad[i] = f(bad[i]);
            if bad[i] == text[i] {
                continue;
            }
            flips += 1;
            open_damaged(
                &damaged,
                &bad,
                &format!("byte {i} ({:?}) {kind}", text[i] as char),
                &original,
                &defaults,
                if i < marker {
                    &mut marker_out
                } else {
                    &mut out
                },
            );
        }
    }
    eprintln!("{flips} corruptions: of the marker {marker_out:?}; elsewhere {out:?}");
    for o in [&out, &marker_out] {
        assert!(o.reset.is_empty(), "silent resets: {:?}", o.reset);
        assert!(
            o.changed_state.is_empty(),
            "undetected damage: {:?}",
            o.changed_state
        );
    }
    assert_eq!(out.same_state, 0);
    assert_eq!(
        out.refused + marker_out.refused + marker_out.same_state,
        flips
    );
}

#[test]
fn a_failed_save_rolls_back_and_keeps_the_file() {
    let dir = TempDir::new("readonly");
    let path = dir.0.join("card.toml");
    fs::write(&path, DEFAULT_PROFILE).unwrap();
    let mut card = DurableCard::open(&path).unwrap();
    assert_eq!(tx(&mut card, SELECT_USIM), "9000");
    assert_eq!(tx(&mut card, VERIFY_PIN1), "9000");
    assert_eq!(tx(&mut card, "00A4000C026F7E"), "9000");
    assert_eq!(tx(&mut card, "00D600000411111111"), "9000");
    let saved = fs::read(&path).unwrap();
    // The card file's directory becomes unwritable: the temporary file cannot be created.
    // (Root ignores directory permissions, so make the temporary file's name a directory.)
    let tmp = dir.0.join(format!(".card.toml.tmp.{}", std::process::id()));
    fs::create_dir(&tmp).unwrap();
    fs::write(tmp.join("occupied"), b"x").unwrap();
    let e = card
        .transmit(&hex::decode("00D600000422222222").unwrap())
        .expect_err("the save must fail");
    assert!(
        e.to_string().starts_with(&path.display().to_string()),
        "error names the file: {e}"
    );
    assert_eq!(fs::read(&path).unwrap(), saved, "file unchanged");
    // The card was rolled back to the saved state (and, rebuilt, lost its session state).
    fs::remove_dir_all(&tmp).unwrap();
    assert_eq!(tx(&mut card, SELECT_USIM), "9000");
    assert_eq!(tx(&mut card, VERIFY_PIN1), "9000");
    assert_eq!(tx(&mut card, "00A4000C026F7E"), "9000");
    assert_eq!(tx(&mut card, "00B0000004"), "111111119000");
}
