//! GBA / GBA_U against vectors/gba_kdf.json. No public vector exists for the NAF keys, so
//! that file is computed (independent Python); each value is also re-derived here from
//! a hand-assembled S string on `hmac`/`sha2`/`sha1`, independent of the library.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use serde_json::Value;
use sha1::{Digest, Sha1};
use sha2::Sha256;
use vusim_crypto::aka::Autn;
use vusim_crypto::gba::{
    b_tid, bsf_domain_from_imsi, impi_from_imsi, ks_ext_naf, ks_from_ck_ik, ks_int_naf, mac_mask,
    mask_autn, naf_id, UaProtocolId,
};
use vusim_crypto::keys::{Ck, Ik};

fn load() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/gba_kdf.json"
    ))
    .expect("read vectors/gba_kdf.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    let l = v
        .get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("missing {key}"));
    assert!(!l.is_empty(), "{key}: zero entries");
    l
}

fn text<'a>(e: &'a Value, k: &str) -> &'a str {
    e.get(k)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("missing {k}"))
}

fn hx(e: &Value, k: &str) -> Vec<u8> {
    hex::decode(text(e, k)).unwrap_or_else(|_| panic!("{k} not hex"))
}

fn arr<const N: usize>(e: &Value, k: &str) -> [u8; N] {
    hx(e, k)
        .try_into()
        .unwrap_or_else(|_| panic!("{k}: expected {N} bytes"))
}

/// TS 33.220 B.3 by hand: HMAC-SHA-256(CK||IK, 01 || P0 || L0 || RAND || 00 10 || IMPI || L2
/// || NAF_Id || L3). The FQDN is passed already NFKC-normalised (ASCII).
fn naf_key_by_hand(
    ck: &[u8],
    ik: &[u8],
    label: &[u8],
    rand: &[u8],
    impi: &str,
    naf_id: &[u8],
) -> Vec<u8> {
    let mut s = vec![0x01];
    for p in [label, rand, impi.as_bytes(), naf_id] {
        s.extend_from_slice(p);
        s.extend_from_slice(&u16::try_from(p.len()).expect("short").to_be_bytes());
    }
    let mut key = ck.to_vec();
    key.extend_from_slice(ik);
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(&s);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn naf_keys() {
    let v = load();
    assert_eq!(v.get("kind").and_then(Value::as_str), Some("computed"));
    let entries = list(&v, "vectors");
    for e in entries {
        let name = text(e, "name");
        let (ck, ik) = (Ck::new(arr(e, "ck")), Ik::new(arr(e, "ik")));
        let rand: [u8; 16] = arr(e, "rand");
        let imsi = text(e, "imsi");
        let mnc_len = e.get("mnc_len").and_then(Value::as_u64).expect("mnc_len");
        let mnc_len = usize::try_from(mnc_len).expect("small");
        let impi = impi_from_imsi(imsi, mnc_len).expect("IMSI");
        assert_eq!(impi, text(e, "impi"), "{name}: IMPI");
        let bsf = bsf_domain_from_imsi(imsi, mnc_len).expect("IMSI");
        assert_eq!(bsf, text(e, "bsf_domain"), "{name}: BSF domain");
        assert_eq!(b_tid(&rand, &bsf), text(e, "b_tid"), "{name}: B-TID");
        let proto = UaProtocolId::from_bytes(arr(e, "ua_protocol_id"));
        let nid = naf_id(text(e, "naf_fqdn"), proto);
        assert_eq!(nid, hx(e, "naf_id"), "{name}: NAF_Id");
        let ks = ks_from_ck_ik(&ck, &ik);
        let ext = ks_ext_naf(&ks, &rand, &impi, &nid).expect("derive");
        let int = ks_int_naf(&ks, &rand, &impi, &nid).expect("derive");
        assert_eq!(
            ext.as_bytes(),
            hx(e, "ks_ext_naf"),
            "{name}: Ks_ext_NAF (file)"
        );
        assert_eq!(
            int.as_bytes(),
            hx(e, "ks_int_naf"),
            "{name}: Ks_int_NAF (file)"
        );
        // Third way: S assembled by hand from the spec formula.
        let nid_hand = hx(e, "naf_id");
        assert_eq!(
            ext.as_bytes(),
            naf_key_by_hand(
                ck.as_bytes(),
                ik.as_bytes(),
                b"gba-me",
                &rand,
                &impi,
                &nid_hand
            ),
            "{name}: Ks_ext_NAF (by hand)"
        );
        assert_eq!(
            int.as_bytes(),
            naf_key_by_hand(
                ck.as_bytes(),
                ik.as_bytes(),
                b"gba-u",
                &rand,
                &impi,
                &nid_hand
            ),
            "{name}: Ks_int_NAF (by hand)"
        );
        // B-TID by hand.
        let btid = format!(
            "{}@{bsf}",
            base64::engine::general_purpose::STANDARD.encode(rand)
        );
        assert_eq!(btid, text(e, "b_tid"));
    }
    eprintln!("gba_kdf.json: {} NAF entries checked", entries.len());
}

#[test]
fn gba_u_autn_star() {
    let v = load();
    let entries = list(&v, "gba_u_autn");
    for e in entries {
        let name = text(e, "name");
        let ik = Ik::new(arr(e, "ik"));
        let digest = Sha1::digest(ik.as_bytes());
        assert_eq!(mac_mask(&ik).to_vec(), hx(e, "mac_mask"), "{name}: mask");
        assert_eq!(
            digest.get(..8).expect("20-byte digest"),
            hx(e, "mac_mask"),
            "{name}: mask by hand"
        );
        let autn = Autn::parse(&hx(e, "autn")).expect("16");
        let star = mask_autn(&autn, &ik);
        assert_eq!(
            star.to_bytes().to_vec(),
            hx(e, "autn_star"),
            "{name}: AUTN*"
        );
        assert_eq!(mask_autn(&star, &ik), autn, "{name}: unmask");
        assert_eq!(star.sqn_xor_ak, autn.sqn_xor_ak);
        assert_eq!(star.amf, autn.amf);
    }
    eprintln!(
        "gba_kdf.json: {} GBA_U AUTN* entries checked",
        entries.len()
    );
}

#[test]
fn nfkc_fqdn_gives_same_key() {
    let v = load();
    let entries = list(&v, "vectors");
    let by_fqdn = |f: &str| {
        entries
            .iter()
            .find(|e| text(e, "naf_fqdn") == f && text(e, "ua_protocol_id") == "0100000002")
            .map(|e| text(e, "ks_ext_naf").to_owned())
    };
    let ascii = by_fqdn("naf.example.org");
    assert!(ascii.is_some());
    assert_eq!(ascii, by_fqdn("\u{ff4e}\u{ff41}\u{ff46}.example.org"));
}

proptest! {
    #[test]
    fn autn_star_mask_unmask(autn in any::<[u8; 16]>(), ik in any::<[u8; 16]>()) {
        let ik = Ik::new(ik);
        let a = Autn::from_bytes(&autn);
        let star = mask_autn(&a, &ik);
        prop_assert_eq!(mask_autn(&star, &ik), a);
        let mask = mac_mask(&ik);
        let want: Vec<u8> = a.mac.iter().zip(mask).map(|(m, k)| m ^ k).collect();
        prop_assert_eq!(star.mac.as_slice(), want.as_slice());
    }
}
