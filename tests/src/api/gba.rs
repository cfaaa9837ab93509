//! The GBA_U API applet's tests (docs/api/gba-api.md): the network side of one GBA_U bootstrap
//! with TS 35.208 test set 1 (TS 33.220 §5.3.2 AUTN*, B.3 Ks_(ext/int)_NAF) and the card ready
//! for the API.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test support: fixed test data

use sha1::{Digest, Sha1};
use vusim_applet::api::apdu::{Dos, AID};
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;

use super::{fresh, h, kdf, select_aid, set1, tx, up, Aka, UA};

/// The IMPI of the default card.
pub const IMPI: &str = "001010123456789@ims.mnc001.mcc001.3gppnetwork.org";
/// The Ks lifetime written to EF_GBABP: one hour after [`super::NOW`].
pub const LIFETIME: &str = "2030-01-01T00:00:00Z";
/// [`LIFETIME`] in seconds since the epoch.
pub const END: u64 = 1_893_456_000;
/// The client application of the e2e NAF in the default profile.
pub const CLIENT: &str = "F0455845414D504C45";

/// NAF_Id = FQDN ‖ Ua security protocol identifier.
pub fn naf_id(fqdn: &str) -> Vec<u8> {
    [fqdn.as_bytes(), &UA].concat()
}

/// Everything the network side knows after one bootstrap.
pub struct Net {
    /// Test set 1's RAND.
    pub rand: Vec<u8>,
    /// Ks = CK ‖ IK.
    pub ks: Vec<u8>,
    /// The B-TID the BSF assigned.
    pub b_tid: String,
}

impl Net {
    /// The bootstrap with test set 1.
    pub fn new() -> Net {
        let v = set1();
        Net {
            rand: h(&v, "rand"),
            ks: [h(&v, "f3"), h(&v, "f4")].concat(),
            b_tid: "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org".into(),
        }
    }

    /// TS 33.220 B.3: KDF(Ks, 01, label, RAND, IMPI, NAF_Id).
    pub fn naf_key(&self, label: &str, fqdn: &str) -> Vec<u8> {
        kdf(
            &self.ks,
            &[0x01],
            &[label.as_bytes(), &self.rand, IMPI.as_bytes(), &naf_id(fqdn)],
        )
        .to_vec()
    }

    /// Ks_int_NAF.
    pub fn int(&self, fqdn: &str) -> Vec<u8> {
        self.naf_key("gba-u", fqdn)
    }
}

impl Default for Net {
    fn default() -> Net {
        Net::new()
    }
}

/// The bootstrap commands: SELECT USIM, VERIFY PIN1, AUTHENTICATE (GBA bootstrapping) with a
/// fresh SQN (SEQ 1, IND 1) for test set 1's RAND, the ME writing B-TID and lifetime.
pub fn bootstrap_apdus(lifetime: Option<&str>) -> Vec<(String, String)> {
    let v = set1();
    let rand: [u8; 16] = h(&v, "rand").try_into().unwrap();
    let aka = Aka::new(rand, 0x21, [0xB9, 0xB9]);
    // AUTN* (TS 33.220 §5.3.2): MAC ⊕ the first 64 bits of SHA-1(IK).
    let mut autn = aka.autn.to_vec();
    let mask = Sha1::digest(h(&v, "f4"));
    for (m, k) in autn[8..].iter_mut().zip(mask.iter()) {
        *m ^= k;
    }
    let net = Net::new();
    let mut bp = vec![0x10];
    bp.extend(&rand);
    bp.push(net.b_tid.len() as u8);
    bp.extend(net.b_tid.as_bytes());
    if let Some(l) = lifetime {
        bp.push(l.len() as u8);
        bp.extend(l.as_bytes());
    }
    vec![
        ("00A4040C07A0000000871002".into(), "9000".into()),
        ("002000010831323334FFFFFFFF".into(), "9000".into()),
        (
            format!("0088008423DD10{}10{}00", up(&rand), up(&autn)),
            format!("DB08{}9000", up(&h(&v, "f2"))),
        ),
        ("00A4000C026FD6".into(), "9000".into()),
        (
            format!("00D60000{:02X}{}", bp.len(), up(&bp)),
            "9000".into(),
        ),
    ]
}

/// AUTHENTICATE in the GBA NAF derivation mode for `fqdn`.
pub fn naf_apdu(fqdn: &str) -> String {
    let id = naf_id(fqdn);
    let mut d = vec![0xDE, id.len() as u8];
    d.extend(&id);
    d.push(IMPI.len() as u8);
    d.extend(IMPI.as_bytes());
    format!("00880084{:02X}{}00", d.len(), up(&d))
}

/// A card with Ks and Ks_int_NAF for the given NAFs, the API selected on channel 0.
pub fn ready(p: &Profile, nafs: &[&str], lifetime: Option<&str>) -> (Card, Net) {
    let mut c = fresh(p);
    for (cmd, want) in bootstrap_apdus(lifetime) {
        assert_eq!(tx(&mut c, &cmd), want, "{cmd}");
    }
    let net = Net::new();
    for n in nafs {
        assert_eq!(
            tx(&mut c, &naf_apdu(n)),
            format!("DB20{}9000", up(&net.naf_key("gba-me", n)))
        );
    }
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    (c, net)
}

/// SELECT the GBA_U API applet by its full AID on `channel`.
pub fn select_api(channel: u8) -> String {
    select_aid(channel, &AID)
}

/// The key address `80 NAF_Id` of `fqdn`.
pub fn key(fqdn: &str) -> Dos {
    Dos::key(&naf_id(fqdn))
}

/// The combined e2e key (docs/api/gba-api.md §5): KDF(Ks_int_NAF, FF E4, Ka).
pub fn e2e_key(ks_naf: &[u8], ka: &[u8]) -> [u8; 32] {
    kdf(ks_naf, &[0xFF, 0xE4], &[ka])
}
