//! `vusim card new --template ts34108|ts31121`: the conformance-test cards build, their key
//! files read back with the bytes their values code to, and the TS 34.108 test USIM answers
//! AUTHENTICATE with the XOR test algorithm of TS 34.108 §8.1.2 and its K.
//!
//! Expected values are typed here from the values and formulas (not taken from vusim's
//! template data or crypto): EF_IMSI per TS 31.102 §4.2.2 / TS 24.008 §10.5.1.4, EF_AD byte 4
//! per TS 31.102 §4.2.18, and the XOR algorithm, c2 and c3 written out below. Which template
//! values are checked against spec text and which are UNVERIFIED: docs/files.md#templates.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a failed unwrap is a failed test

mod common;
use common::vusim;

use serde_json::Value;

/// The TS 34.108 test USIM's K in the template (UNVERIFIED against §8.2; docs/files.md#templates).
const K: &str = "000102030405060708090A0B0C0D0E0F";
const RAND: &str = "23553CBE9637A89D218AE64DAE47BF35";
/// SEQ 1, IND 1: fresh for a new card.
const SQN: &str = "000000000021";
const AMF: &str = "8000";

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// TS 34.108 §8.1.2, written out: XDOUT = K ⊕ RAND; RES = XDOUT's first n bits; CK = XDOUT
/// rotated left by 8 bits, IK by 16; AK = XDOUT bits 24–71; MAC = XDOUT bits 0–63 ⊕ (SQN ‖ AMF).
struct Xor {
    xdout: Vec<u8>,
}

impl Xor {
    fn new(k: &[u8], rand: &[u8]) -> Xor {
        Xor {
            xdout: xor(k, rand),
        }
    }
    fn ck(&self) -> Vec<u8> {
        [&self.xdout[1..], &self.xdout[..1]].concat()
    }
    fn ik(&self) -> Vec<u8> {
        [&self.xdout[2..], &self.xdout[..2]].concat()
    }
    fn autn(&self, sqn: &[u8], amf: &[u8]) -> Vec<u8> {
        let ak = &self.xdout[3..9];
        let mac = xor(&self.xdout[..8], &[sqn, amf].concat());
        [xor(sqn, ak), amf.to_vec(), mac].concat()
    }
}

/// c2 (TS 33.102 §6.8.1.2): SRES = XOR of the four 32-bit words of RES padded to 128 bits.
fn c2(res: &[u8]) -> Vec<u8> {
    let mut padded = res.to_vec();
    padded.resize(16, 0);
    padded.chunks(4).fold(vec![0u8; 4], |acc, w| xor(&acc, w))
}

/// c3 (TS 33.102 §6.8.1.2): Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2 (64-bit halves).
fn c3(ck: &[u8], ik: &[u8]) -> Vec<u8> {
    xor(&xor(&ck[..8], &ck[8..]), &xor(&ik[..8], &ik[8..]))
}

/// Length-prefixed fields of an AUTHENTICATE answer.
fn fields(mut b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let [len, rest @ ..] = b {
        let (v, next) = rest.split_at(usize::from(*len));
        out.push(v.to_vec());
        b = next;
    }
    out
}

/// A fresh card of `template` in a temp dir; its path.
fn new_card(template: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("vusim-tpl-{template}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("card.toml").display().to_string();
    let (code, _, err) = vusim(&["card", "new", "--template", template, "--out", &f]);
    assert_eq!(code, 0, "{err}");
    (dir, f)
}

/// `vusim send --card FILE --json APDUs`: (sw, data) per APDU.
fn send(card: &str, apdus: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["send", "--card", card, "--json"];
    args.extend(apdus);
    let (code, out, err) = vusim(&args);
    assert_eq!(code, 0, "{err}");
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["sw"].as_str().unwrap().to_string(),
                v["data"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

const SELECT_USIM: &str = "00A4040C07A0000000871002";

#[test]
fn ts34108_test_usim() {
    let (dir, card) = new_card("ts34108");
    let xor_alg = Xor::new(&h(K), &h(RAND));
    let autn = xor_alg.autn(&h(SQN), &h(AMF));
    let auth3g = format!("0088008122 10{RAND} 10{}", hex::encode_upper(&autn)).replace(' ', "");
    let auth_gsm = format!("008800801110{RAND}");
    let r = send(
        &card,
        &[
            SELECT_USIM,
            "002000010831323334FFFFFFFF",
            "00A4000C026F07",
            "00B0000009",
            &auth3g,
            &auth_gsm,
        ],
    );
    let sws: Vec<&str> = r.iter().map(|(sw, _)| sw.as_str()).collect();
    assert_eq!(sws, ["9000"; 6], "{r:?}");
    // EF_IMSI of 001 01 0123456063: length 8; digit 1 with odd parity and type 001 (09); then
    // digit pairs low nibble first: 10 10 10 32 54 06 36.
    assert_eq!(r[3].1, "080910101032540636");

    // 3G context: 'DB', RES, CK, IK (and Kc while GSM access is on, service n°27).
    let data = h(&r[4].1);
    assert_eq!(data[0], 0xDB, "{}", r[4].1);
    let f = fields(&data[1..]);
    let res = &f[0];
    assert!((4..=16).contains(&res.len()), "RES length {}", res.len());
    assert_eq!(
        hex::encode_upper(res),
        hex::encode_upper(&xor_alg.xdout[..res.len()])
    );
    assert_eq!(f[1], xor_alg.ck(), "CK");
    assert_eq!(f[2], xor_alg.ik(), "IK");
    if let Some(kc) = f.get(3) {
        assert_eq!(kc, &c3(&xor_alg.ck(), &xor_alg.ik()), "Kc");
    }

    // GSM context: SRES = c2(RES), Kc = c3(CK, IK).
    let g = fields(&h(&r[5].1));
    assert_eq!(g[0], c2(res), "SRES");
    assert_eq!(g[1], c3(&xor_alg.ck(), &xor_alg.ik()), "Kc");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ts31121_default_uicc() {
    let (dir, card) = new_card("ts31121");
    let r = send(
        &card,
        &[
            SELECT_USIM,
            // PIN 2468 (UNVERIFIED against TS 31.121 §4.1.1; docs/files.md#templates).
            "002000010832343638FFFFFFFF",
            "00A4000C026F07",
            "00B0000009",
            "00A4000C026FAD",
            "00B0000000",
        ],
    );
    let sws: Vec<&str> = r.iter().map(|(sw, _)| sw.as_str()).collect();
    assert_eq!(sws, ["9000"; 6], "{r:?}");
    // EF_IMSI of 246 081 1111111111: 08, 29, then 64 80 11 11 11 11 11.
    assert_eq!(r[3].1, "082964801111111111");
    // EF_AD byte 4: the MNC of 246/081 has three digits.
    assert_eq!(h(&r[5].1).get(3), Some(&0x03), "EF_AD {}", r[5].1);
    let _ = std::fs::remove_dir_all(&dir);
}
