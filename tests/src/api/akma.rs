//! The AKMA tests (docs/api/akma.md): the network's view of one 5G AKA (TS 33.501 A.2–A.6:
//! RES*, K_AUSF, K_SEAF; TS 33.535 A.2–A.4: K_AKMA, A-TID, A-KID, K_AF) and the card ready for
//! the AKMA API.

#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // test support: fixed test data

use base64::Engine as _;
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma::{apdu, AID};
use vusim_applet::card::Card;
use vusim_applet::profile::Profile;

use super::{fresh, h, kdf, ok, select_aid, set1, start_usim, t, tx, up, val, Aka, NOW, UA};

/// The default card's SUPI (IMSI type).
pub const SUPI: &str = "001010123456789";
/// The serving network name of the test PLMN.
pub const SNN: &str = "5G:mnc001.mcc001.3gppnetwork.org";
/// The A-KID realm.
pub const REALM: &str = "5gc.mnc001.mcc001.3gppnetwork.org";
/// A K_AF expiry one hour after [`NOW`].
pub const END: u64 = NOW + 3600;

/// AF_ID = FQDN ‖ Ua* security protocol identifier.
pub fn af_id(fqdn: &str) -> Vec<u8> {
    [fqdn.as_bytes(), &UA].concat()
}

/// The network's view of one 5G AKA: the vector and every key of TS 33.501 / TS 33.535.
pub struct Net {
    /// RAND.
    pub rand: [u8; 16],
    /// AUTN.
    pub autn: [u8; 16],
    /// CK ‖ IK.
    pub ck_ik: Vec<u8>,
    /// RES* (TS 33.501 A.4).
    pub res_star: Vec<u8>,
    /// K_AUSF (A.2).
    pub k_ausf: [u8; 32],
    /// K_SEAF (A.6).
    pub k_seaf: [u8; 32],
    /// K_AKMA (TS 33.535 A.2).
    pub k_akma: [u8; 32],
    /// A-TID (A.3).
    pub a_tid: [u8; 32],
    /// A-KID = "0." ‖ base64(A-TID) ‖ "@" ‖ realm.
    pub a_kid: String,
}

impl Net {
    /// A vector for `rand` and `sqn` (AMF 8000) from TS 35.208 test set 1's K/OPc.
    pub fn new(rand: [u8; 16], sqn: u64) -> Net {
        let aka = Aka::new(rand, sqn, [0x80, 0x00]);
        let ck_ik = aka.ck_ik.clone();
        let res_star = kdf(&ck_ik, &[0x6B], &[SNN.as_bytes(), &rand, &aka.res])[16..].to_vec();
        let k_ausf = kdf(&ck_ik, &[0x6A], &[SNN.as_bytes(), &aka.sqn_xor_ak]);
        let k_seaf = kdf(&k_ausf, &[0x6C], &[SNN.as_bytes()]);
        let k_akma = kdf(&k_ausf, &[0x80], &[b"AKMA", SUPI.as_bytes()]);
        let a_tid = kdf(&k_ausf, &[0x81], &[b"A-TID", SUPI.as_bytes()]);
        let a_kid = format!(
            "0.{}@{REALM}",
            base64::engine::general_purpose::STANDARD.encode(a_tid)
        );
        Net {
            rand,
            autn: aka.autn,
            ck_ik,
            res_star,
            k_ausf,
            k_seaf,
            k_akma,
            a_tid,
            a_kid,
        }
    }

    /// Test set 1's RAND, SQN 000000000021 (SEQ 1, IND 1).
    pub fn set1() -> Net {
        let rand: [u8; 16] = h(&set1(), "rand").try_into().unwrap();
        let n = Net::new(rand, 0x21);
        // The vector's CK and IK are test set 1's.
        assert_eq!(n.ck_ik, [h(&set1(), "f3"), h(&set1(), "f4")].concat());
        n
    }

    /// K_AF = KDF(K_AKMA, 82, AF_ID) (TS 33.535 A.4).
    pub fn k_af(&self, fqdn: &str) -> [u8; 32] {
        kdf(&self.k_akma, &[0x82], &[&af_id(fqdn)])
    }

    /// AUTHENTICATE in the 5G AKMA context.
    pub fn authenticate(&self) -> String {
        authenticate_apdu(&self.rand, &self.autn, SNN)
    }

    /// The card's answer: RES*, K_SEAF.
    pub fn card_answer(&self) -> String {
        format!("DB10{}20{}9000", up(&self.res_star), up(&self.k_seaf))
    }
}

/// AUTHENTICATE P2 87: L RAND L AUTN L SNN.
pub fn authenticate_apdu(rand: &[u8], autn: &[u8], snn: &str) -> String {
    let mut d = vec![rand.len() as u8];
    d.extend(rand);
    d.push(autn.len() as u8);
    d.extend(autn);
    d.push(snn.len() as u8);
    d.extend(snn.as_bytes());
    format!("00880087{:02X}{}00", d.len(), up(&d))
}

/// SELECT the AKMA API applet on `channel`.
pub fn select_api(channel: u8) -> String {
    select_aid(channel, &AID)
}

/// Key address `80 AF_ID`.
pub fn key(fqdn: &str) -> Tlv {
    Tlv::new(0x80u32, af_id(fqdn))
}

/// Key name `84 name`.
pub fn name(n: &str) -> Tlv {
    Tlv::new(0x84u32, n.as_bytes().to_vec())
}

/// DERIVE K_AF for `fqdn`, expiring at `expires`.
pub fn derive(fqdn: &str, expires: u64) -> Vec<u8> {
    apdu(
        0,
        "DERIVE K_AF",
        &[key(fqdn), t(0x86, &expires.to_be_bytes())],
    )
}

/// A card after 5G AKA in the 5G AKMA context, the AKMA API selected on channel 0, K_AF
/// derived for each AF until [`END`].
pub fn ready(p: &Profile, afs: &[&str]) -> (Card, Net) {
    let mut c = fresh(p);
    let net = Net::set1();
    start_usim(&mut c);
    assert_eq!(tx(&mut c, &net.authenticate()), net.card_answer());
    assert_eq!(tx(&mut c, &select_api(0)), "9000");
    for af in afs {
        let r = ok(&mut c, &derive(af, END));
        assert_eq!(val(&r, 0x81), net.a_kid.as_bytes());
        assert_eq!(val(&r, 0x86), END.to_be_bytes());
    }
    (c, net)
}
