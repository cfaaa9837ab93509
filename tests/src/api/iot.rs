//! The IoT end-to-end tests (TR 33.863 solution #11; docs/api/iot.md): one AKA with the IoT
//! keys of the HSS and the AS (FC values FF E0–FF E3) and the card ready for the IoT API.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test support: fixed test data

use vusim_applet::api::iot::{apdu, AID};
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;

use super::{fresh, hmac, kdf, select_aid, start_usim, t, tx, unhex, up, Aka};

/// The serving network name of the test PLMN.
pub const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
/// The application server of the tests.
pub const AS_ID: &str = "as.iot.example.org";
/// The 5G-GUTI the tag binds.
pub const GUTI: [u8; 10] = [0x00, 0xF1, 0x10, 0x01, 0x00, 0x41, 0xC0, 0xFF, 0xEE, 0x42];

/// One AKA from TS 35.208 test set 1's K/OPc (AMF 8000) and the IoT keys of the HSS and AS.
pub struct Net {
    /// RAND.
    pub rand: [u8; 16],
    /// AUTN.
    pub autn: Vec<u8>,
    /// RES.
    pub res: Vec<u8>,
    /// CK ‖ IK.
    pub ck_ik: Vec<u8>,
    /// The IoT Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT").
    pub ks: [u8; 32],
}

impl Net {
    /// The vector for `rand` and `sqn`.
    pub fn new(rand: [u8; 16], sqn: u64) -> Net {
        let aka = Aka::new(rand, sqn, [0x80, 0]);
        Net {
            rand,
            autn: aka.autn.to_vec(),
            res: aka.res,
            ks: kdf(&aka.ck_ik, &[0xFF, 0xE0], &[b"End-to-End_IOT"]),
            ck_ik: aka.ck_ik,
        }
    }

    /// The first AKA of the tests (SQN 0x21).
    pub fn first() -> Net {
        Net::new(
            unhex("9F7C8D4A2E1B3C5D6E7F8091A2B3C4D5")
                .try_into()
                .unwrap(),
            0x21,
        )
    }

    /// Ks_AS = KDF(Ks, FF E1, AS_ID).
    pub fn ks_as(&self, as_id: &str) -> [u8; 32] {
        kdf(&self.ks, &[0xFF, 0xE1], &[as_id.as_bytes()])
    }
    /// Ks_AS_enc.
    pub fn ks_as_enc(&self, as_id: &str) -> [u8; 32] {
        kdf(&self.ks_as(as_id), &[0xFF, 0xE2], &[b"Ks_AS_enc"])
    }
    /// Ks_AS_int.
    pub fn ks_as_int(&self, as_id: &str) -> [u8; 32] {
        kdf(&self.ks_as(as_id), &[0xFF, 0xE2], &[b"Ks_AS_int"])
    }
    /// The tag t = HMAC(Ks_AS_int, GUTI ‖ RAND_AS), 8 bytes.
    pub fn t(&self, as_id: &str, rand_as: &[u8]) -> Vec<u8> {
        hmac(&self.ks_as_int(as_id), &[&GUTI, rand_as])[..8].to_vec()
    }
    /// K_app = KDF(Ks_AS_enc, FF E3, RAND_AS).
    pub fn k_app(&self, as_id: &str, rand_as: &[u8]) -> [u8; 32] {
        kdf(&self.ks_as_enc(as_id), &[0xFF, 0xE3], &[rand_as])
    }

    /// AUTHENTICATE in the 3G context.
    pub fn auth_3g(&self) -> String {
        format!("008800812210{}10{}00", up(&self.rand), up(&self.autn))
    }

    /// AUTHENTICATE in the 5G AKMA context.
    pub fn auth_akma(&self) -> String {
        super::akma::authenticate_apdu(&self.rand, &self.autn, SNN)
    }
}

/// The AS_ID data object.
pub fn asid(id: &str) -> vusim_apdu::tlv::Tlv {
    t(0x80, id.as_bytes())
}

/// SELECT the IoT API applet on `channel`.
pub fn select_api(channel: u8) -> String {
    select_aid(channel, &AID)
}

/// IOT KEY, the card computing the tag.
pub fn card_tag(id: &str, rand_as: &[u8]) -> Vec<u8> {
    apdu(
        0,
        "IOT KEY (card tag)",
        &[asid(id), t(0x9B, &GUTI), t(0x96, rand_as)],
    )
}

/// IOT KEY, the card verifying the AS's tag.
pub fn as_tag(id: &str, rand_as: &[u8], tag: &[u8]) -> Vec<u8> {
    apdu(
        0,
        "IOT KEY (verify AS tag)",
        &[asid(id), t(0x9B, &GUTI), t(0x96, rand_as), t(0x93, tag)],
    )
}

/// IOT KEY, the card encrypting a RAND_AS it draws to the AS's public key (certificate variant).
pub fn card_encrypts(id: &str) -> Vec<u8> {
    apdu(
        0,
        "IOT KEY (card encrypts RAND_AS)",
        &[asid(id), t(0x9B, &GUTI)],
    )
}

/// The published TS 33.501 C.4.3 (profile A) home-network private key (vectors/suci.json).
pub const TEST_PRIVATE_KEY_A: &str =
    "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d";
/// Its public key.
pub const TEST_PUBLIC_KEY_A: &str =
    "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650";
/// The published TS 33.501 C.4.4 (profile B) home-network private key (vectors/suci.json): the
/// default card's demo AS key.
pub const TEST_PRIVATE_KEY_B: &str =
    "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda";

/// ECIES decryption of TS 33.501 C.3.3 written from the clause (profile A: X25519, 32-octet
/// ephemeral key; profile B: P-256, compressed 33-octet key): Z by ECDH, ANSI X9.63 KDF with
/// SHA-256 and SharedInfo = the ephemeral key as sent, 64 octets = enc key ‖ ICB ‖ MAC key, the
/// 8-octet HMAC-SHA-256 tag over the ciphertext checked, AES-128-CTR. `None` if the tag fails.
pub fn ecies_open(profile_a: bool, private: &[u8; 32], c: &[u8]) -> Option<Vec<u8>> {
    use sha2::{Digest, Sha256};
    let (eph, rest) = c.split_at(if profile_a { 32 } else { 33 });
    let (ct, tag) = rest.split_at(rest.len() - 8);
    let z: Vec<u8> = if profile_a {
        let sk = x25519_dalek::StaticSecret::from(*private);
        let pk = x25519_dalek::PublicKey::from(<[u8; 32]>::try_from(eph).ok()?);
        sk.diffie_hellman(&pk).as_bytes().to_vec()
    } else {
        let sk = p256::SecretKey::from_bytes(private.into()).ok()?;
        let pk = p256::PublicKey::from_sec1_bytes(eph).ok()?;
        p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine())
            .raw_secret_bytes()
            .to_vec()
    };
    let mut k = Vec::new();
    for counter in 1u32..=2 {
        k.extend(
            Sha256::new()
                .chain_update(&z)
                .chain_update(counter.to_be_bytes())
                .chain_update(eph)
                .finalize(),
        );
    }
    if hmac(&k[32..64], &[ct])[..8] != *tag {
        return None;
    }
    Some(super::ctr(&k[..16], &k[16..32], ct))
}

/// A card after an AKA (5G AKMA context), the IoT API selected on channel 0.
pub fn ready(p: &Profile) -> (Card, Net) {
    let mut c = fresh(p);
    let net = Net::first();
    start_usim(&mut c);
    let r = tx(&mut c, &net.auth_akma());
    assert!(r.starts_with("DB10") && r.ends_with("9000"), "{r}");
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    (c, net)
}
