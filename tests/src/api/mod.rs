//! What the tests of the experimental API applets share (docs/api/gba-api.md, docs/api/akma.md,
//! docs/api/iot.md): the independent computations (HMAC-SHA-256, the TS 33.220 Annex B.2 KDF,
//! the API's per-purpose keys and AES-128-CTR + HMAC sealing, written here from the formulas and
//! not with the card's code), the published vectors, the card at the tests' clock and the
//! helpers that send command APDUs and read the data objects of a response.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test support: fixed test data

pub mod akma;
pub mod gba;
pub mod iot;

use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use vusim_apdu::tlv::Tlv;
use vusim_applet::card::Card;
use vusim_applet::crypto::keys::{Key128, Opc};
pub use vusim_applet::crypto::milenage::Milenage;
use vusim_applet::profile::Profile;

pub use crate::{unhex, up};

// ---------------------------------------------------------------------------------------------
// Independent computations.

/// HMAC-SHA-256 of the concatenated parts.
pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// TS 33.220 B.2: HMAC-SHA-256(key, FC ‖ P0 ‖ L0 ‖ …).
pub fn kdf(key: &[u8], fc: &[u8], params: &[&[u8]]) -> [u8; 32] {
    let mut s = fc.to_vec();
    for p in params {
        s.extend_from_slice(p);
        s.extend_from_slice(&(p.len() as u16).to_be_bytes());
    }
    hmac(key, &[&s])
}

/// The API's per-purpose key (docs/api/gba-api.md §6): KDF(base, FF E8, label, alg, purpose).
pub fn api_key(base: &[u8], label: &str, alg: u8, purpose: &[u8]) -> [u8; 32] {
    kdf(base, &[0xFF, 0xE8], &[label.as_bytes(), &[alg], purpose])
}

/// MAC COMPUTE's tag: HMAC-SHA-256 under the `mac` key of `purpose`.
pub fn mac_of(base: &[u8], purpose: &[u8], msg: &[u8]) -> [u8; 32] {
    hmac(&api_key(base, "mac", 1, purpose), &[msg])
}

/// AES-128-CTR with the first 16 bytes of `key`.
pub fn ctr(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let mut c = ctr::Ctr128BE::<aes::Aes128>::new(key[..16].into(), iv.into());
    c.apply_keystream(&mut out);
    out
}

/// AES-128-CTR + HMAC-SHA-256 with the given labels: (ciphertext, 16-byte tag over
/// len(AAD) ‖ AAD ‖ IV ‖ ciphertext).
pub fn seal(
    base: &[u8],
    labels: (&str, &str),
    purpose: &[u8],
    iv: &[u8],
    aad: &[u8],
    pt: &[u8],
) -> (Vec<u8>, Vec<u8>) {
    let ke = api_key(base, labels.0, 0x11, purpose);
    let ki = api_key(base, labels.1, 0x11, purpose);
    let ct = ctr(&ke, iv, pt);
    let t = hmac(&ki, &[&(aad.len() as u64).to_be_bytes(), aad, iv, &ct]);
    (ct, t[..16].to_vec())
}

// ---------------------------------------------------------------------------------------------
// Published vectors and one AKA.

/// Vector `index` of `vectors/FILE`.
pub fn vector(file: &str, index: usize) -> Value {
    let path = format!("{}/../vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["vectors"][index].clone()
}

/// TS 35.208 test set 1.
pub fn set1() -> Value {
    vector("milenage.json", 0)
}

/// A hex field of a vector.
pub fn h(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(v[k].as_str().unwrap()).unwrap()
}

/// MILENAGE with TS 35.208 test set 1's K and OPc.
pub fn set1_milenage() -> Milenage {
    let v = set1();
    Milenage::new(
        &Key128::from_slice(&h(&v, "k")).unwrap(),
        &Opc::from_slice(&h(&v, "opc")).unwrap(),
    )
}

/// One authentication vector from test set 1's K/OPc: AUTN = SQN ⊕ AK ‖ AMF ‖ MAC.
pub struct Aka {
    /// The challenge.
    pub rand: [u8; 16],
    /// SQN ⊕ AK ‖ AMF ‖ MAC-A.
    pub autn: [u8; 16],
    /// SQN ⊕ AK.
    pub sqn_xor_ak: [u8; 6],
    /// RES.
    pub res: Vec<u8>,
    /// CK ‖ IK.
    pub ck_ik: Vec<u8>,
}

impl Aka {
    /// The vector for `rand`, `sqn` and `amf`.
    pub fn new(rand: [u8; 16], sqn: u64, amf: [u8; 2]) -> Aka {
        let m = set1_milenage();
        let keys = m.f2345(&rand);
        let sqn_b: [u8; 6] = sqn.to_be_bytes()[2..].try_into().unwrap();
        let mac = m.f1(&rand, &sqn_b, &amf);
        let sqn_xor_ak: [u8; 6] = std::array::from_fn(|i| sqn_b[i] ^ keys.ak[i]);
        let autn: [u8; 16] = [&sqn_xor_ak[..], &amf, &mac].concat().try_into().unwrap();
        Aka {
            rand,
            autn,
            sqn_xor_ak,
            res: keys.res.as_bytes().to_vec(),
            ck_ik: [keys.ck.as_bytes(), keys.ik.as_bytes()].concat(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The card.

/// Card clock of the tests: 2029-12-31T23:00:00Z.
pub const NOW: u64 = 1_893_452_400;
/// The Ua security protocol identifier of the tests' NAF_Id / AF_ID (TS 33.220 Annex H).
pub const UA: [u8; 5] = [0x01, 0x00, 0x00, 0x00, 0x02];

/// The embedded default profile.
pub fn profile() -> Profile {
    Profile::embedded_default()
}

/// A card from `p` with its clock at [`NOW`].
pub fn fresh(p: &Profile) -> Card {
    let mut c = p.build_card("test").unwrap();
    c.set_time(Some(NOW));
    c
}

/// Send hex, return the response as upper-case hex.
pub fn tx(card: &mut Card, apdu: &str) -> String {
    up(&card.transmit_bytes(&unhex(apdu)))
}

/// Send bytes, return the status word as upper-case hex.
pub fn sw(card: &mut Card, apdu: &[u8]) -> String {
    let r = up(&card.transmit_bytes(apdu));
    r[r.len() - 4..].to_string()
}

/// Send, expect 9000, return the data objects of the response.
pub fn ok(card: &mut Card, apdu: &[u8]) -> Vec<Tlv> {
    let r = card.transmit_bytes(apdu);
    assert_eq!(up(&r[r.len() - 2..]), "9000", "{} -> {}", up(apdu), up(&r));
    Tlv::parse_all(&r[..r.len() - 2]).unwrap()
}

/// The value of data object `t` (which must be there).
pub fn val(dos: &[Tlv], t: u32) -> Vec<u8> {
    Tlv::find(dos, t).unwrap().value.clone()
}

/// A primitive data object.
pub fn t(tag: u32, v: &[u8]) -> Tlv {
    Tlv::new(tag, v.to_vec())
}

/// SELECT ADF.USIM by its partial AID and VERIFY PIN1 (the default card's 1234).
pub fn start_usim(c: &mut Card) {
    assert_eq!(tx(c, "00A4040C07A0000000871002"), "9000");
    assert_eq!(tx(c, "002000010831323334FFFFFFFF"), "9000");
}

/// SELECT by AID (P2 0C, no FCP) on `channel` (TS 102 221 §10.1.1 CLA: 0–3, then 40 + n − 4).
pub fn select_aid(channel: u8, aid: &[u8]) -> String {
    let cla = if channel < 4 {
        channel
    } else {
        0x40 | (channel - 4)
    };
    format!("{cla:02X}A4040C{:02X}{}", aid.len(), up(aid))
}

// ---------------------------------------------------------------------------------------------
// The worked examples of the API documents.

/// Replays every ```apdu block of `doc` (relative to the workspace) in order, as one session on
/// the embedded default card at [`NOW`] (its `[api]` seed makes challenges and IVs
/// reproducible), comparing each response byte for byte; at least `min` exchanges.
/// `VUSIM_BLESS=1` rewrites the responses after a deliberate change.
pub fn docs_examples(doc: &str, min: usize) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(doc);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut card = Profile::embedded_default().build_card("docs").unwrap();
    card.set_time(Some(NOW));
    let bless = std::env::var_os("VUSIM_BLESS").is_some();
    let mut out = String::new();
    let mut in_block = false;
    let mut count = 0;
    let mut pending: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let tl = line.trim_end();
        if tl == "```apdu" {
            in_block = true;
        } else if in_block && tl == "```" {
            in_block = false;
            assert!(pending.is_none(), "a command without a response line");
        } else if in_block {
            if let Some(cmd) = tl.strip_prefix("> ") {
                pending = Some(cmd.to_string());
            } else if let Some(resp) = tl.strip_prefix("< ") {
                let cmd = pending.take().expect("response without a command");
                let got = card.transmit_bytes(&unhex(&cmd));
                count += 1;
                if bless {
                    out.push_str(&format!("< {}\n", spaced(&got)));
                    continue;
                }
                assert_eq!(
                    up(&got),
                    resp.replace(' ', "").to_uppercase(),
                    "{doc}: > {cmd}"
                );
            }
        }
        out.push_str(line);
    }
    assert!(count >= min, "only {count} documented exchanges");
    if bless {
        std::fs::write(&path, out).unwrap();
    }
}

/// The text of a document (relative to the workspace).
pub fn doc_text(doc: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(doc);
    std::fs::read_to_string(path).unwrap()
}

/// Response bytes grouped as the docs show them: data objects, then the status word
/// (AUTHENTICATE's DB / DC responses as one block).
fn spaced(resp: &[u8]) -> String {
    let (data, sw) = resp.split_at(resp.len() - 2);
    let mut parts: Vec<String> = match Tlv::parse_all(data) {
        Ok(list) if !data.is_empty() && data[0] != 0xDB && data[0] != 0xDC => {
            list.iter().map(|d| up(&d.encode())).collect()
        }
        _ if data.is_empty() => Vec::new(),
        _ => vec![up(data)],
    };
    parts.push(up(sw));
    parts.join(" ")
}

/// No response carries 8 consecutive bytes of any needle (a key or a secret).
pub fn assert_no_key_bytes(responses: &[Vec<u8>], needles: &[(String, Vec<u8>)]) {
    for r in responses {
        for (name, n) in needles {
            for w in n.windows(8) {
                assert!(
                    !r.windows(8).any(|x| x == w),
                    "8 bytes of {name} appear in response {}",
                    up(r)
                );
            }
        }
    }
}
