//! The IoT API applet (3GPP TR 33.863 solution #11, end-to-end security for cellular IoT; docs/api/iot.md): the IoT Ks the USIM keeps after each successful AKA, Ks_AS and K_app derived in the card for an application server, the tag t = MAC(Ks_AS_int, GUTI ‖ RAND_AS) computed or verified, and MACs and authenticated encryption with K_app — which never leaves the card.
//!
//! # ⚠ Experimental (IoT API v0.1)
//!
//! TR 33.863 is a study: it allocates no FC values and defines no APDU. The FC values
//! (`FF E0`–`FF E3`, [`crate::crypto::seed`]), this applet's AID, INS codes and data objects
//! are this project's proposal, coded like the GBA_U and AKMA APIs (docs/api/gba-api.md,
//! docs/api/akma.md); they will change. Built only with the `experimental-api` feature; the
//! `[iot]` profile section is parsed either way.
//!
//! ```text
//! Ks        = KDF(CK ‖ IK, FF E0, "End-to-End_IOT")      USIM, after each successful AKA
//! Ks_AS     = KDF(Ks, FF E1, AS_ID)
//! Ks_AS_enc = KDF(Ks_AS, FF E2, "Ks_AS_enc")    Ks_AS_int = KDF(Ks_AS, FF E2, "Ks_AS_int")
//! K_app     = KDF(Ks_AS_enc, FF E3, RAND_AS)
//! t         = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS)[0..8]
//! ```

pub use crate::profile::sections::IotSection;
use crate::profile::{Profile, ProfileError};

/// Default number of RAND_AS values accepted under one Ks.
pub const DEFAULT_MAX_SESSIONS: u8 = 32;

/// The IoT API applet a profile asks for (none without `[iot]` or with `api = false`).
#[cfg(feature = "experimental-api")]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    match &p.iot {
        Some(s) => {
            s.check(file)?;
            if s.api {
                Ok(vec![Box::new(IotApi::from_profile(p, s, file)?)])
            } else {
                Ok(Vec::new())
            }
        }
        None => Ok(Vec::new()),
    }
}

/// Without the `experimental-api` feature no applet exists; the section is still checked.
#[cfg(not(feature = "experimental-api"))]
pub(crate) fn applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    if let Some(s) = &p.iot {
        s.check(file)?;
    }
    Ok(Vec::new())
}

#[cfg(feature = "experimental-api")]
pub use imp::*;

#[cfg(feature = "experimental-api")]
mod imp {
    use vusim_apdu::tlv::Tlv;
    use vusim_apdu::{Command, Response, StatusWord};
    use zeroize::Zeroizing;

    use super::super::apdu::{sw, tag, CommandRow, KeyAddress};
    use super::super::ops;
    use super::super::policy::Op;
    use super::super::toolkit::{self, common_value_ok, decode, len_in, op_sw, ApiRng, Decoded};
    use super::{IotSection, DEFAULT_MAX_SESSIONS};
    use crate::card::applet::{Applet, Context};
    use crate::card::keystore::{KeyEntry, KeyKind};
    use crate::crypto::keys::EcPrivateKey;
    use crate::crypto::keys::{ct_eq, DerivedKey};
    use crate::crypto::seed::{self, SeedFcs, IOT_TAG_LEN};
    use crate::crypto::suci::{self, EciesProfile};
    use crate::profile::{Profile, ProfileError};

    /// IoT API version carried in GET INFO (DO `C0`): 0.1.
    pub const VERSION: [u8; 2] = [0x00, 0x01];

    /// AID of the IoT API applet: RID `F0` (proprietary), ASCII `VUSIM-IOT`, version `00 01`.
    pub const AID: [u8; 12] = [
        0xF0, b'V', b'U', b'S', b'I', b'M', b'-', b'I', b'O', b'T', 0x00, 0x01,
    ];

    /// Instruction codes: GET INFO, LIST KEYS, MAC, CIPHER and DELETE KEY as in the GBA_U
    /// API, plus IOT KEY.
    pub mod ins {
        pub use super::super::super::apdu::ins::{CIPHER, DELETE, GET_INFO, LIST_KEYS, MAC};
        /// IOT KEY: P1 `00` the card computes t, P1 `01` the card verifies the AS's t, P1 `02`
        /// the card draws RAND_AS and encrypts it to the AS's public key (certificate
        /// variant); each derives K_app for the AS.
        pub const IOT_KEY: u8 = 0x50;
    }

    /// P1 of IOT KEY.
    pub mod p1 {
        /// The card computes t over GUTI ‖ RAND_AS (plain variant).
        pub const CARD_TAG: u8 = 0x00;
        /// The card verifies the AS's t (plain variant).
        pub const VERIFY_AS_TAG: u8 = 0x01;
        /// The card draws RAND_AS, returns C = EncPK_AS(RAND_AS) and t over GUTI ‖ C
        /// (certificate variant).
        pub const ENCRYPT_RAND_AS: u8 = 0x02;
    }

    /// Data objects beyond the GBA_U API's (`80` is AS_ID, `96` RAND_AS, `93` t).
    pub mod iot_tag {
        /// GUTI (the UE's temporary identity the tag covers), 6–16 octets.
        pub const GUTI: u32 = 0x9B;
        /// C = EncPK_AS(RAND_AS): the ECIES output (ephemeral public key ‖ ciphertext ‖ MAC
        /// tag, TS 33.501 Annex C.3) of the certificate variant.
        pub const C: u32 = 0x9C;
    }

    /// Length of the RAND_AS the card draws in the certificate variant.
    pub const CARD_RAND_AS_LEN: usize = 16;

    /// Key kinds in LIST KEYS (DO `82`).
    pub mod kind {
        /// The IoT Ks (reference = RAND of the AKA).
        pub const KS: u8 = 0x06;
        /// K_app for an AS (reference = RAND_AS).
        pub const K_APP: u8 = 0x07;
    }

    /// Lengths of RAND_AS.
    pub const RAND_AS_LEN: std::ops::RangeInclusive<usize> = 8..=32;
    /// Lengths of the GUTI.
    pub const GUTI_LEN: std::ops::RangeInclusive<usize> = 6..=16;

    /// Every status word the IoT API answers, with its meaning here.
    pub const STATUS_WORDS: &[(StatusWord, &str)] = &[
        (sw::OK, "success"),
        (
            sw::VERIFY_FAILED,
            "verification failed: the AS's tag t, a MAC or an AE tag (nothing changes)",
        ),
        (
            sw::WRONG_LENGTH,
            "data field absent, or a data object of the wrong length",
        ),
        (
            sw::EXPIRED,
            "the IoT Ks (or K_app) lifetime is over: run AKA again",
        ),
        (
            sw::CALLER_REFUSED,
            "RAND_AS already used under this Ks (replay or reflection)",
        ),
        (
            sw::BAD_DATA,
            "malformed TLV, missing/repeated/unexpected data object, or bad value (AS_ID not UTF-8)",
        ),
        (
            sw::BAD_ALGORITHM,
            "algorithm identifier unknown, reserved, or not for this command",
        ),
        (
            sw::FULL,
            "max_sessions RAND_AS values used under this Ks: run AKA again",
        ),
        (sw::BAD_P1P2, "P1-P2 not defined for this instruction"),
        (
            sw::NO_SUCH_KEY,
            "no IoT Ks (no AKA since the card was made), a Ks reference (81) a newer AKA replaced, no K_app for this AS_ID, or (P1 02) no public key for this AS_ID",
        ),
        (sw::BAD_INS, "instruction not defined by the API"),
        (sw::BAD_CLA, "interindustry class with an API instruction"),
    ];

    use tag as t;

    /// The command table of the IoT API.
    pub const COMMANDS: &[CommandRow] = &[
        CommandRow {
            name: "GET INFO",
            ins: ins::GET_INFO,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::None,
            returns_data: true,
            clause: "docs/api/iot.md §5.1",
        },
        CommandRow {
            name: "LIST KEYS",
            ins: ins::LIST_KEYS,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::None,
            returns_data: true,
            clause: "docs/api/iot.md §5.2",
        },
        CommandRow {
            name: "IOT KEY (card tag)",
            ins: ins::IOT_KEY,
            p1: 0x00,
            op: None,
            required: &[iot_tag::GUTI, t::CHALLENGE],
            optional: &[t::B_TID],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/iot.md §5.3",
        },
        CommandRow {
            name: "IOT KEY (verify AS tag)",
            ins: ins::IOT_KEY,
            p1: 0x01,
            op: None,
            required: &[iot_tag::GUTI, t::CHALLENGE, t::MAC],
            optional: &[t::B_TID],
            key: KeyAddress::BaseOnly,
            returns_data: false,
            clause: "docs/api/iot.md §5.3",
        },
        CommandRow {
            name: "IOT KEY (card encrypts RAND_AS)",
            ins: ins::IOT_KEY,
            p1: 0x02,
            op: None,
            required: &[iot_tag::GUTI],
            optional: &[t::B_TID],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/iot.md §5.3",
        },
        CommandRow {
            name: "MAC COMPUTE",
            ins: ins::MAC,
            p1: 0x00,
            op: Some(Op::Mac),
            required: &[t::ALG, t::DATA],
            optional: &[t::PURPOSE, t::MAC_LEN],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/iot.md §5.4",
        },
        CommandRow {
            name: "MAC VERIFY",
            ins: ins::MAC,
            p1: 0x01,
            op: Some(Op::Mac),
            required: &[t::ALG, t::DATA, t::MAC],
            optional: &[t::PURPOSE],
            key: KeyAddress::BaseOnly,
            returns_data: false,
            clause: "docs/api/iot.md §5.4",
        },
        CommandRow {
            name: "ENCRYPT",
            ins: ins::CIPHER,
            p1: 0x00,
            op: Some(Op::Encrypt),
            required: &[t::ALG, t::DATA],
            optional: &[t::PURPOSE, t::AAD],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/iot.md §5.5",
        },
        CommandRow {
            name: "DECRYPT",
            ins: ins::CIPHER,
            p1: 0x01,
            op: Some(Op::Encrypt),
            required: &[t::ALG, t::IV, t::DATA, t::MAC],
            optional: &[t::PURPOSE, t::AAD],
            key: KeyAddress::BaseOnly,
            returns_data: true,
            clause: "docs/api/iot.md §5.5",
        },
        CommandRow {
            name: "DELETE KEY",
            ins: ins::DELETE,
            p1: 0x00,
            op: None,
            required: &[],
            optional: &[],
            key: KeyAddress::BaseOnly,
            returns_data: false,
            clause: "docs/api/iot.md §5.6",
        },
    ];

    /// An IoT API command APDU by name (see [`COMMANDS`]).
    pub fn apdu(channel: u8, name: &str, dos: &[Tlv]) -> Vec<u8> {
        super::super::apdu::command_apdu(COMMANDS, channel, name, dos)
    }

    fn value_ok(row: &CommandRow, tg: u32, v: &[u8]) -> Result<(), StatusWord> {
        match (row.ins, tg) {
            (ins::IOT_KEY, iot_tag::GUTI) => len_in(v, GUTI_LEN),
            (ins::IOT_KEY, tag::CHALLENGE) => len_in(v, RAND_AS_LEN),
            (ins::IOT_KEY, tag::MAC) => len_in(v, IOT_TAG_LEN..=IOT_TAG_LEN),
            (ins::IOT_KEY, tag::B_TID) => len_in(v, 16..=16),
            _ => common_value_ok(row, tg, v),
        }
    }

    /// The IoT API applet.
    pub struct IotApi {
        aid: Vec<u8>,
        max_sessions: u8,
        rng: ApiRng,
        /// RAND of the AKA whose Ks the `used` list belongs to.
        ks_ref: Vec<u8>,
        /// RAND_AS values accepted under that Ks (either direction); for the certificate
        /// variant the t of the exchange (RAND_AS stays in the card).
        used: Vec<Vec<u8>>,
        /// The application servers' public keys (`[[iot.as_keys]]`).
        as_keys: Vec<(String, EciesProfile, Vec<u8>)>,
    }

    impl std::fmt::Debug for IotApi {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("IotApi")
                .field("used", &self.used.len())
                .finish_non_exhaustive()
        }
    }

    impl Default for IotApi {
        fn default() -> Self {
            IotApi {
                aid: AID.to_vec(),
                max_sessions: DEFAULT_MAX_SESSIONS,
                rng: ApiRng::Card,
                ks_ref: Vec::new(),
                used: Vec::new(),
                as_keys: Vec::new(),
            }
        }
    }

    /// The IoT Ks the key store holds: key, reference (RAND of the AKA), expiry.
    type CurrentKs = (Zeroizing<Vec<u8>>, Vec<u8>, Option<u64>);

    fn usable(expires: Option<u64>, now: u64) -> bool {
        expires.is_none_or(|tm| now < tm)
    }

    impl IotApi {
        /// From a profile's `[iot]` section (and `[api] seed` for reproducible IVs).
        pub fn from_profile(
            p: &Profile,
            s: &IotSection,
            file: &str,
        ) -> Result<IotApi, ProfileError> {
            let mut as_keys = Vec::new();
            for (i, k) in s.as_keys.iter().enumerate() {
                let (profile, key) = k
                    .decode()
                    .map_err(|e| crate::profile::err(file, &format!("iot.as_keys[{i}]"), e))?;
                as_keys.push((k.as_id.clone(), profile, key));
            }
            Ok(IotApi {
                max_sessions: s.max_sessions.unwrap_or(DEFAULT_MAX_SESSIONS),
                rng: ApiRng::for_profile(p, file, b"IOT")?,
                as_keys,
                ..IotApi::default()
            })
        }

        /// The IoT Ks, present (`6A88`), the one the command names when it names one (DO
        /// `81`, the RAND of its AKA; another — e.g. a Ks a newer AKA replaced — `6A88`), and
        /// usable (`6984`).
        fn current_ks(ctx: &Context<'_>, d: &Decoded) -> Result<CurrentKs, StatusWord> {
            let (ks, ks_ref, expires) = ctx
                .keys
                .of_kind(KeyKind::IotKs)
                .first()
                .map(|e| (e.key.clone(), e.reference.clone(), e.expires))
                .ok_or(sw::NO_SUCH_KEY)?;
            if d.get(tag::B_TID).is_some_and(|r| r != ks_ref.as_slice()) {
                return Err(sw::NO_SUCH_KEY);
            }
            if !usable(expires, ctx.now) {
                return Err(sw::EXPIRED);
            }
            Ok((ks, ks_ref, expires))
        }

        /// Room for one more exchange under the Ks `ks_ref` (`6985` for a used RAND_AS,
        /// `6A84` when full); whether the Ks is new to this applet.
        fn room(&self, ks_ref: &[u8], rand_as: Option<&[u8]>) -> Result<bool, StatusWord> {
            let fresh_ks = ks_ref != self.ks_ref.as_slice();
            let used: &[Vec<u8>] = if fresh_ks { &[] } else { &self.used };
            if rand_as.is_some_and(|r| used.iter().any(|u| u.as_slice() == r)) {
                return Err(sw::CALLER_REFUSED);
            }
            if used.len() >= usize::from(self.max_sessions) {
                return Err(sw::FULL);
            }
            Ok(fresh_ks)
        }

        /// Keep K_app as the AS's key (replacing the previous one) and note the exchange.
        fn keep_k_app(
            &mut self,
            ctx: &mut Context<'_>,
            as_id: &str,
            (k_app, reference, expires): (DerivedKey, Vec<u8>, Option<u64>),
            (fresh_ks, ks_ref): (bool, Vec<u8>),
            used: Vec<u8>,
        ) {
            ctx.keys.put(
                KeyEntry {
                    kind: KeyKind::IotKapp,
                    id: as_id.as_bytes().to_vec(),
                    reference,
                    key: Zeroizing::new(k_app.as_bytes().to_vec()),
                    expires,
                    slot: 0,
                    last_used: 0,
                },
                None,
            );
            if fresh_ks {
                self.ks_ref = ks_ref;
                self.used.clear();
            }
            self.used.push(used);
            *ctx.dirty = true;
        }

        /// An ephemeral private key for ECIES from the applet's generator (P-256: drawn
        /// again while the scalar is out of range).
        fn ephemeral(
            &mut self,
            ctx: &mut Context<'_>,
            profile: EciesProfile,
        ) -> Result<EcPrivateKey, StatusWord> {
            for _ in 0..8 {
                let mut k = Zeroizing::new([0u8; 32]);
                self.rng.fill(ctx, k.as_mut_slice())?;
                let key = EcPrivateKey::new(*k);
                if suci::public_key(profile, &key).is_ok() {
                    return Ok(key);
                }
            }
            Err(StatusWord::TECHNICAL_PROBLEM)
        }

        /// IOT KEY P1 `02` (certificate variant): the card draws RAND_AS, encrypts it to the
        /// AS's public key with ECIES (TS 33.501 Annex C.3, the profile of `[[iot.as_keys]]`),
        /// C = eph. public key ‖ ciphertext ‖ MAC tag, t = HMAC-SHA-256(Ks_AS_int, GUTI ‖
        /// C)[0..8], keeps K_app = KDF(Ks_AS_enc, FF E3, RAND_AS) (reference t) and returns
        /// `9C C 93 t`: RAND_AS never leaves the card.
        fn encrypt_rand_as(
            &mut self,
            ctx: &mut Context<'_>,
            d: &Decoded,
        ) -> Result<Response, StatusWord> {
            let as_id = std::str::from_utf8(d.key_id()?).map_err(|_| sw::BAD_DATA)?;
            let guti = d.need(iot_tag::GUTI)?;
            let (profile, pk) = self
                .as_keys
                .iter()
                .find(|(id, _, _)| id == as_id)
                .map(|(_, p, k)| (*p, k.clone()))
                .ok_or(sw::NO_SUCH_KEY)?;
            let (ks, ks_ref, expires) = Self::current_ks(ctx, d)?;
            let fresh_ks = self.room(&ks_ref, None)?;
            let tp = |_| StatusWord::TECHNICAL_PROBLEM;
            let mut rand_as = Zeroizing::new([0u8; CARD_RAND_AS_LEN]);
            self.rng.fill(ctx, rand_as.as_mut_slice())?;
            let eph = self.ephemeral(ctx, profile)?;
            let c = suci::conceal(profile, &pk, &eph, rand_as.as_slice())
                .map_err(tp)?
                .to_bytes();
            let ks = DerivedKey::from_slice(&ks).map_err(tp)?;
            let fcs = SeedFcs::default();
            let keys = seed::iot_as_keys(&ks, as_id, &fcs).map_err(tp)?;
            let t = seed::iot_tag(&keys.ks_as_int, guti, &c).map_err(tp)?;
            let k_app = seed::iot_k_app(&keys.ks_as_enc, rand_as.as_slice(), &fcs).map_err(tp)?;
            self.keep_k_app(
                ctx,
                as_id,
                (k_app, t.to_vec(), expires),
                (fresh_ks, ks_ref),
                t.to_vec(),
            );
            let mut out = Tlv::new(iot_tag::C, c).encode();
            Tlv::new(tag::MAC, t.to_vec()).encode_into(&mut out);
            Ok(Response::ok(out))
        }

        fn list(ctx: &Context<'_>) -> Response {
            let mut out = Vec::new();
            for (k, code) in [(KeyKind::IotKs, kind::KS), (KeyKind::IotKapp, kind::K_APP)] {
                for e in ctx.keys.of_kind(k) {
                    let mut items = vec![Tlv::new(tag::KIND, vec![code])];
                    if k == KeyKind::IotKapp {
                        items.push(Tlv::new(tag::NAF_ID, e.id.clone()));
                    }
                    items.push(Tlv::new(tag::B_TID, e.reference.clone()));
                    if let Some(tm) = e.expires {
                        items.push(Tlv::new(tag::EXPIRES, tm.to_be_bytes().to_vec()));
                    }
                    let state = match e.expires {
                        Some(tm) if ctx.now < tm => 0x00,
                        Some(_) => 0x01,
                        None => 0x03,
                    };
                    items.push(Tlv::new(tag::STATE, vec![state]));
                    Tlv::constructed(tag::KEY_ENTRY, &items).encode_into(&mut out);
                }
            }
            Response::ok(out)
        }

        /// IOT KEY: Ks_AS for AS_ID, t over GUTI ‖ RAND_AS (returned, or checked against the
        /// AS's), K_app = KDF(Ks_AS_enc, FF E3, RAND_AS) kept for the AS. One use per RAND_AS
        /// under a Ks, whatever the direction, so the card's own t is never accepted back.
        fn iot_key(&mut self, ctx: &mut Context<'_>, d: &Decoded) -> Result<Response, StatusWord> {
            if d.row.p1 == p1::ENCRYPT_RAND_AS {
                return self.encrypt_rand_as(ctx, d);
            }
            let as_id = std::str::from_utf8(d.key_id()?).map_err(|_| sw::BAD_DATA)?;
            let guti = d.need(iot_tag::GUTI)?;
            let rand_as = d.need(tag::CHALLENGE)?;
            let (ks, ks_ref, expires) = Self::current_ks(ctx, d)?;
            let fresh_ks = self.room(&ks_ref, Some(rand_as))?;
            let tp = |_| StatusWord::TECHNICAL_PROBLEM;
            let ks = DerivedKey::from_slice(&ks).map_err(tp)?;
            let fcs = SeedFcs::default();
            let keys = seed::iot_as_keys(&ks, as_id, &fcs).map_err(tp)?;
            let t_card = seed::iot_tag(&keys.ks_as_int, guti, rand_as).map_err(tp)?;
            if d.row.p1 == p1::VERIFY_AS_TAG && !ct_eq(&t_card, d.need(tag::MAC)?) {
                return Err(sw::VERIFY_FAILED);
            }
            let k_app = seed::iot_k_app(&keys.ks_as_enc, rand_as, &fcs).map_err(tp)?;
            self.keep_k_app(
                ctx,
                as_id,
                (k_app, rand_as.to_vec(), expires),
                (fresh_ks, ks_ref),
                rand_as.to_vec(),
            );
            if d.row.p1 == p1::VERIFY_AS_TAG {
                Ok(Response::ok(Vec::new()))
            } else {
                Ok(Response::ok(Tlv::new(tag::MAC, t_card.to_vec()).encode()))
            }
        }

        /// K_app of the AS a MAC/CIPHER/DELETE command names: exists, then lifetime.
        fn k_app(ctx: &Context<'_>, d: &Decoded) -> Result<Zeroizing<Vec<u8>>, StatusWord> {
            let e = ctx
                .keys
                .get(KeyKind::IotKapp, d.key_id()?)
                .ok_or(sw::NO_SUCH_KEY)?;
            if d.row.ins != ins::DELETE && !usable(e.expires, ctx.now) {
                return Err(sw::EXPIRED);
            }
            Ok(e.key.clone())
        }
    }

    impl Applet for IotApi {
        fn label(&self) -> &str {
            "IOT-API"
        }

        fn aid(&self) -> &[u8] {
            &self.aid
        }

        fn process(
            &mut self,
            ctx: &mut Context<'_>,
            cmd: &Command,
        ) -> Result<Response, StatusWord> {
            let d = decode(cmd, COMMANDS, &[], value_ok)?;
            match d.row.ins {
                ins::GET_INFO => return Ok(toolkit::get_info(VERSION)),
                ins::LIST_KEYS => return Ok(Self::list(ctx)),
                ins::IOT_KEY => return self.iot_key(ctx, &d),
                _ => {}
            }
            let key = Self::k_app(ctx, &d)?;
            match d.row.ins {
                ins::MAC => {
                    let alg = d.alg()?;
                    let msg = d.need(tag::DATA)?;
                    if d.row.p1 == 0x01 {
                        ops::mac_verify(&key, alg, d.purpose(), msg, d.need(tag::MAC)?)
                            .map_err(op_sw)?;
                        return Ok(Response::ok(Vec::new()));
                    }
                    let len = d
                        .get(tag::MAC_LEN)
                        .and_then(|v| v.first())
                        .map_or(32, |n| usize::from(*n));
                    let mac = ops::mac(&key, alg, d.purpose(), msg, len).map_err(op_sw)?;
                    Ok(Response::ok(Tlv::new(tag::MAC, mac).encode()))
                }
                ins::CIPHER => toolkit::cipher(&mut self.rng, ctx, &d, &key),
                ins::DELETE => {
                    let id = d.key_id()?.to_vec();
                    ctx.keys
                        .remove_where(|e| e.kind == KeyKind::IotKapp && e.id == id);
                    *ctx.dirty = true;
                    Ok(Response::ok(Vec::new()))
                }
                _ => Err(sw::BAD_INS),
            }
        }

        fn save_state(&self) -> Option<toml::Table> {
            let mut tb = self.rng.save().unwrap_or_default();
            if !self.used.is_empty() {
                tb.insert(
                    "ks_ref".into(),
                    toml::Value::String(hex::encode_upper(&self.ks_ref)),
                );
                tb.insert(
                    "used".into(),
                    toml::Value::Array(
                        self.used
                            .iter()
                            .map(|u| toml::Value::String(hex::encode_upper(u)))
                            .collect(),
                    ),
                );
            }
            (!tb.is_empty()).then_some(tb)
        }

        fn restore_state(&mut self, state: &toml::Table) -> Result<(), String> {
            self.rng.restore(state)?;
            if let Some(r) = state.get("ks_ref") {
                self.ks_ref = r
                    .as_str()
                    .and_then(|s| hex::decode(s).ok())
                    .ok_or("ks_ref: not hex")?;
            }
            if let Some(u) = state.get("used") {
                self.used = u
                    .as_array()
                    .ok_or("used: not an array")?
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .and_then(|s| hex::decode(s).ok())
                            .ok_or_else(|| "used: not hex".to_string())
                    })
                    .collect::<Result<_, _>>()?;
            }
            Ok(())
        }
    }
}
