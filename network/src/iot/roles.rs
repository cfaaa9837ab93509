//! The network functions of TR 33.863 (Release 14) solution #11, a study proposal, as separate
//! components: the HSS derives Ks per authentication vector and hands it to the MME with the
//! AV; the MME keeps Ks by GUTI; the SCEF pulls Ks_AS for an AS_ID from the MME by GUTI; the AS
//! asks the SCEF. The message names are the study's roles on vusim's coding (docs/api/iot.md
//! §11): no 3GPP specification defines these messages or their parameters.
//!
//! Standard building blocks: the AKA (TS 33.102 §6.3), the 5G RES* (TS 33.501 Annex A.4) for
//! the proposed 5G AKMA context, the GUTI layout (TS 23.003 §2.8), the KDF (TS 33.220 Annex
//! B.2) and ECIES (TS 33.501 Annex C.3, profiles A/B). vusim's own: the FC values `FF E0`–`FF
//! E3` (crypto::seed), the tag over GUTI ‖ C in the certificate variant and the SCEF's
//! authorisation list.

use vusim_apdu::StatusWord;
use vusim_crypto::fiveg;
use vusim_crypto::keys::{ct_eq, Ck, DerivedKey, EcPrivateKey, Ik};
use vusim_crypto::seed::{self, IotAsKeys, SeedFcs, IOT_TAG_LEN};
use vusim_crypto::suci::{self, EciesProfile, SchemeOutput};
use zeroize::Zeroizing;

use super::AsSide;
use crate::aanf::Subscriber;
use crate::auc::Auc;
use crate::diagram::Party;
use crate::error::{NetworkError, Result};

/// A party of the flow (a diagram participant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The UICC (USIM and IoT API applet).
    Uicc,
    /// The ME (device).
    Me,
    /// The MME.
    Mme,
    /// The HSS.
    Hss,
    /// The SCEF.
    Scef,
    /// The application server.
    As,
}

impl Role {
    /// The participant's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Uicc => "UICC",
            Role::Me => "ME",
            Role::Mme => "MME",
            Role::Hss => "HSS",
            Role::Scef => "SCEF",
            Role::As => "AS",
        }
    }

    /// The diagram participant.
    pub fn party(self) -> Party {
        match self {
            Role::Uicc => Party::Uicc,
            Role::Me => Party::Me,
            Role::Mme => Party::Mme,
            Role::Hss => Party::Hss,
            Role::Scef => Party::Scef,
            Role::As => Party::As,
        }
    }

    /// Every role, in diagram order.
    pub const ALL: [Role; 6] = [
        Role::Uicc,
        Role::Me,
        Role::Mme,
        Role::Hss,
        Role::Scef,
        Role::As,
    ];
}

/// One message of the flow: who sends what to whom, named with its parameters (a fixed
/// string: never their values), and for a card answer its status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Sender.
    pub from: Role,
    /// Receiver.
    pub to: Role,
    /// The message and its parameter names.
    pub message: &'static str,
    /// The status word of a card answer.
    pub sw: Option<StatusWord>,
    /// The values it carried (kept to check what crossed the wire; never printed).
    wire: Vec<Vec<u8>>,
}

impl Hop {
    /// `message`, then `SW XXXX` for a card answer.
    pub fn label(&self) -> String {
        match (self.sw, self.message.is_empty()) {
            (Some(sw), true) => format!("SW {sw}"),
            (Some(sw), false) => format!("{} · SW {sw}", self.message),
            (None, _) => self.message.to_string(),
        }
    }
}

/// Sees every hop as it is recorded (e.g. to print it with the APDU trace).
pub type HopObserver = Box<dyn FnMut(&Hop)>;

/// The hops of one run, in order.
#[derive(Default)]
pub struct Hops {
    list: Vec<Hop>,
    observer: Option<HopObserver>,
}

impl Hops {
    /// No hops yet.
    pub fn new() -> Hops {
        Hops::default()
    }

    /// Let `observer` see every hop.
    pub fn with_observer(mut self, observer: HopObserver) -> Hops {
        self.observer = Some(observer);
        self
    }

    /// Record a message and the values it carried; `sw` for a card answer.
    pub fn record(
        &mut self,
        (from, to): (Role, Role),
        message: &'static str,
        sw: Option<StatusWord>,
        wire: &[&[u8]],
    ) {
        let hop = Hop {
            from,
            to,
            message,
            sw,
            wire: wire.iter().map(|w| w.to_vec()).collect(),
        };
        if let Some(o) = self.observer.as_mut() {
            o(&hop);
        }
        self.list.push(hop);
    }

    /// The hops.
    pub fn list(&self) -> &[Hop] {
        &self.list
    }

    /// Did any hop carry `bytes` (anywhere inside a value)?
    pub fn carried(&self, bytes: &[u8]) -> bool {
        !bytes.is_empty()
            && self.list.iter().any(|h| {
                h.wire
                    .iter()
                    .any(|w| w.windows(bytes.len()).any(|x| x == bytes))
            })
    }
}

/// An authentication vector as the HSS hands it to the MME, with the Ks of this AV.
pub struct IotAv {
    /// RAND.
    pub rand: [u8; 16],
    /// AUTN.
    pub autn: [u8; 16],
    /// SQN in AUTN.
    pub sqn: u64,
    xres: Vec<u8>,
    xres_star: Option<[u8; 16]>,
    ks: DerivedKey,
}

/// The HSS: the subscriber's AuC, and Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT") per AV.
pub struct Hss<'a> {
    auc: &'a mut Auc,
    snn: Option<String>,
}

impl<'a> Hss<'a> {
    /// The HSS of `auc`'s subscriber; with `snn`, AVs carry XRES* for the proposed 5G AKMA
    /// context (P2 `87`), else XRES for the 3G context (P2 `81`).
    pub fn new(auc: &'a mut Auc, snn: Option<String>) -> Hss<'a> {
        Hss { auc, snn }
    }

    /// The serving network name of the 5G AKMA context, if used.
    pub fn snn(&self) -> Option<&str> {
        self.snn.as_deref()
    }

    /// Authentication Information Answer: one AV for `rand`, with its Ks.
    pub fn authentication_info(&mut self, rand: [u8; 16]) -> Result<IotAv> {
        let v = self.auc.vector(rand, false)?;
        let (ck, ik) = (Ck::new(v.ck), Ik::new(v.ik));
        let xres_star = match &self.snn {
            Some(snn) => Some(fiveg::res_star(&ck, &ik, snn, &v.rand, &v.xres)?),
            None => None,
        };
        Ok(IotAv {
            rand: v.rand,
            autn: v.autn,
            sqn: v.sqn,
            ks: seed::iot_ks(&ck, &ik, &SeedFcs::default())?,
            xres: v.xres,
            xres_star,
        })
    }

    /// Resynchronise the AuC from the UE's AUTS (TS 33.102 §6.3.5).
    pub fn resync(&mut self, rand: &[u8; 16], auts: &[u8]) -> Result<()> {
        self.auc.resync(rand, auts)?;
        Ok(())
    }

    /// Save SEQ_HE.
    pub fn save(&self) -> Result<()> {
        self.auc.save()
    }
}

/// Length of a GUTI (TS 23.003 §2.8.1: PLMN 3, MMEGI 2, MMEC 1, M-TMSI 4).
pub const GUTI_LEN: usize = 10;

/// A GUTI.
pub type Guti = [u8; GUTI_LEN];

/// What the MME keeps for one UE: its GUTI, the RAND of the AKA and Ks.
struct UeContext {
    guti: Guti,
    rand: [u8; 16],
    ks: DerivedKey,
}

/// The MME: runs the AKA with the AV the HSS gave, allocates a GUTI and keeps Ks by it (one
/// context per UE: a new AKA replaces the old one, its Ks and GUTI).
pub struct Mme {
    plmn: [u8; 3],
    pending: Option<IotAv>,
    context: Option<UeContext>,
}

/// The PLMN identity octets of TS 24.008 §10.5.1.3 (MCC/MNC digits, `F` filler).
fn plmn(sub: &Subscriber) -> Result<[u8; 3]> {
    let d = |s: &str, i: usize| -> Result<u8> {
        s.as_bytes()
            .get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| b - b'0')
            .ok_or_else(|| NetworkError::input(format!("MCC/MNC {s:?} is not decimal")))
    };
    let (mcc, mnc) = (sub.mcc.as_str(), sub.mnc.as_str());
    let mnc3 = if mnc.len() == 3 { d(mnc, 2)? } else { 0x0F };
    Ok([
        (d(mcc, 1)? << 4) | d(mcc, 0)?,
        (mnc3 << 4) | d(mcc, 2)?,
        (d(mnc, 1)? << 4) | d(mnc, 0)?,
    ])
}

/// MMEGI and MMEC of this MME (vusim's values).
const MME_ID: [u8; 3] = [0x80, 0x01, 0x01];

impl Mme {
    /// An MME of the subscriber's home PLMN.
    pub fn new(sub: &Subscriber) -> Result<Mme> {
        Ok(Mme {
            plmn: plmn(sub)?,
            pending: None,
            context: None,
        })
    }

    /// Keep the AV for the AKA; RAND and AUTN for the Authentication Request.
    pub fn start_aka(&mut self, av: IotAv) -> ([u8; 16], [u8; 16]) {
        let out = (av.rand, av.autn);
        self.pending = Some(av);
        out
    }

    /// The UE's RES (3G context) or RES* (5G AKMA context), compared in constant time. On
    /// success the old context (its Ks and GUTI) is dropped, Ks is kept under a new GUTI
    /// with M-TMSI `tmsi`, and the GUTI is returned; on failure nothing changes.
    pub fn complete_aka(&mut self, res: &[u8], tmsi: [u8; 4]) -> Option<Guti> {
        let av = self.pending.as_ref()?;
        let ok = match &av.xres_star {
            Some(x) => ct_eq(res, x),
            None => ct_eq(res, &av.xres),
        };
        if !ok {
            return None;
        }
        let av = self.pending.take()?;
        let mut guti = [0u8; GUTI_LEN];
        for (g, b) in guti
            .iter_mut()
            .zip(self.plmn.iter().chain(&MME_ID).chain(&tmsi))
        {
            *g = *b;
        }
        self.context = Some(UeContext {
            guti,
            rand: av.rand,
            ks: av.ks,
        });
        Some(guti)
    }

    /// The GUTI in use, if any.
    pub fn guti(&self) -> Option<Guti> {
        self.context.as_ref().map(|c| c.guti)
    }

    /// Ks of the UE context (for printing with `--reveal` only).
    pub fn ks(&self) -> Option<&DerivedKey> {
        self.context.as_ref().map(|c| &c.ks)
    }

    /// The RAND of the AKA whose Ks the MME holds.
    pub fn ks_rand(&self) -> Option<[u8; 16]> {
        self.context.as_ref().map(|c| c.rand)
    }

    /// Ks_AS for the AS `as_id`, for the UE with `guti` (Ks stays in the MME); an unknown or
    /// replaced GUTI is refused.
    pub fn ks_as(&self, guti: &[u8], as_id: &str) -> Result<IotAsKeys> {
        let c = self
            .context
            .as_ref()
            .filter(|c| c.guti.as_slice() == guti)
            .ok_or_else(|| refused("MME", "no UE context for this GUTI"))?;
        Ok(seed::iot_as_keys(&c.ks, as_id, &SeedFcs::default())?)
    }
}

fn refused(by: &'static str, what: &str) -> NetworkError {
    NetworkError::NetworkRefused {
        by,
        what: what.to_string(),
    }
}

/// The SCEF: serves the ASes it is configured for, pulling Ks_AS from the MME by GUTI.
pub struct Scef {
    authorised: Vec<String>,
}

impl Scef {
    /// A SCEF serving these AS_IDs.
    pub fn new(authorised: Vec<String>) -> Scef {
        Scef { authorised }
    }

    /// Ks_AS for `as_id` and the UE `guti` (an AS it does not serve is refused).
    pub fn ks_as(&self, mme: &Mme, guti: &[u8], as_id: &str) -> Result<IotAsKeys> {
        if !self.authorised.iter().any(|a| a == as_id) {
            return Err(refused("SCEF", "AS_ID not authorised"));
        }
        mme.ks_as(guti, as_id)
    }
}

/// The AS's ECIES key pair (TS 33.501 Annex C profile A or B) for the certificate variant.
pub struct AsKeyPair {
    profile: EciesProfile,
    private: EcPrivateKey,
    public: Vec<u8>,
}

/// The published home-network private keys of the TS 33.501 Annex C.4 test data (C.4.3
/// profile A, C.4.4 profile B; vectors/suci.json): the default card's demo AS key. Public
/// knowledge, never for real use.
pub const TEST_PRIVATE_KEY_A: [u8; 32] = [
    0xc5, 0x3c, 0x22, 0x20, 0x8b, 0x61, 0x86, 0x0b, 0x06, 0xc6, 0x2e, 0x54, 0x06, 0xa7, 0xb3, 0x30,
    0xc2, 0xb5, 0x77, 0xaa, 0x55, 0x58, 0x98, 0x15, 0x10, 0xd1, 0x28, 0x24, 0x7d, 0x38, 0xbd, 0x1d,
];
/// See [`TEST_PRIVATE_KEY_A`].
pub const TEST_PRIVATE_KEY_B: [u8; 32] = [
    0xf1, 0xab, 0x10, 0x74, 0x47, 0x7e, 0xbc, 0xc7, 0xf5, 0x54, 0xea, 0x1c, 0x5f, 0xc3, 0x68, 0xb1,
    0x61, 0x67, 0x30, 0x15, 0x5e, 0x00, 0x41, 0xac, 0x44, 0x7d, 0x63, 0x01, 0x97, 0x5f, 0xec, 0xda,
];

impl AsKeyPair {
    /// From the private key.
    pub fn new(profile: EciesProfile, private: [u8; 32]) -> Result<AsKeyPair> {
        let private = EcPrivateKey::new(private);
        Ok(AsKeyPair {
            public: suci::public_key(profile, &private)?,
            profile,
            private,
        })
    }

    /// The published TS 33.501 C.4 test key of the profile.
    pub fn published_test_key(profile: EciesProfile) -> Result<AsKeyPair> {
        let k = match profile {
            EciesProfile::A => TEST_PRIVATE_KEY_A,
            EciesProfile::B => TEST_PRIVATE_KEY_B,
        };
        AsKeyPair::new(profile, k)
    }

    /// The public key (X25519, or compressed P-256).
    pub fn public(&self) -> &[u8] {
        &self.public
    }

    /// Does `public` (compressed or uncompressed for P-256) name this key pair?
    pub fn matches(&self, profile: EciesProfile, public: &[u8]) -> bool {
        profile == self.profile
            && suci::recipient_key(profile, public).is_ok_and(|k| k == self.public)
    }
}

/// The application server: its AS_ID, its key pair (certificate variant), the Ks_AS the SCEF
/// gave for one GUTI, and K_app.
pub struct AppServer {
    id: String,
    key_pair: Option<AsKeyPair>,
    session: Option<(Vec<u8>, AsSide)>,
    k_app: Option<DerivedKey>,
    rand_as: Option<Zeroizing<Vec<u8>>>,
    seen_c: Vec<Vec<u8>>,
}

impl AppServer {
    /// The AS `id`, with a key pair for the certificate variant.
    pub fn new(id: &str, key_pair: Option<AsKeyPair>) -> AppServer {
        AppServer {
            id: id.to_string(),
            key_pair,
            session: None,
            k_app: None,
            rand_as: None,
            seen_c: Vec::new(),
        }
    }

    /// AS_ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Take Ks_AS for the UE `guti`, dropping every older key (Ks_AS, K_app).
    pub fn install(&mut self, guti: &[u8], keys: IotAsKeys) {
        self.drop_keys();
        self.session = Some((guti.to_vec(), AsSide::from_keys(keys)));
    }

    /// Drop Ks_AS and K_app.
    pub fn drop_keys(&mut self) {
        self.session = None;
        self.k_app = None;
        self.rand_as = None;
        self.seen_c.clear();
    }

    /// Does the AS hold Ks_AS or K_app?
    pub fn holds_keys(&self) -> bool {
        self.session.is_some() || self.k_app.is_some()
    }

    fn side(&self) -> Result<(&[u8], &AsSide)> {
        self.session
            .as_ref()
            .map(|(g, s)| (g.as_slice(), s))
            .ok_or_else(|| refused("AS", "no Ks_AS for this UE"))
    }

    /// t over GUTI ‖ `x` (RAND_AS in the plain variant).
    pub fn tag(&self, x: &[u8]) -> Result<[u8; IOT_TAG_LEN]> {
        let (guti, side) = self.side()?;
        side.tag(guti, x)
    }

    /// Check the card's t over GUTI ‖ `x` (constant time).
    pub fn verify(&self, x: &[u8], t: &[u8]) -> Result<bool> {
        let (guti, side) = self.side()?;
        side.verify(guti, x, t)
    }

    /// Plain variant: K_app from RAND_AS.
    pub fn derive_k_app(&mut self, rand_as: &[u8]) -> Result<()> {
        let k = self.side()?.1.k_app(rand_as)?;
        self.k_app = Some(k);
        Ok(())
    }

    /// Certificate variant: check t over GUTI ‖ C, refuse a C seen before, decrypt RAND_AS
    /// with the private key (ECIES, TS 33.501 C.3) and derive K_app. `Ok(false)` when t does
    /// not verify or C was seen; nothing changes then.
    pub fn open_c(&mut self, c: &[u8], t: &[u8]) -> Result<bool> {
        let kp = self
            .key_pair
            .as_ref()
            .ok_or_else(|| refused("AS", "no key pair"))?;
        if !self.verify(c, t)? || self.seen_c.iter().any(|s| s == c) {
            return Ok(false);
        }
        let out = SchemeOutput::parse(kp.profile, c)?;
        let rand_as = suci::deconceal(kp.profile, &kp.private, &out)?;
        let k = self.side()?.1.k_app(&rand_as)?;
        self.k_app = Some(k);
        self.rand_as = Some(rand_as);
        self.seen_c.push(c.to_vec());
        Ok(true)
    }

    /// Certificate variant: did any hop carry the RAND_AS this AS decrypted?
    pub fn rand_as_carried(&self, hops: &Hops) -> bool {
        self.rand_as.as_ref().is_some_and(|r| hops.carried(r))
    }

    /// K_app (the base key of the MAC and AE operations).
    pub fn k_app(&self) -> Result<&DerivedKey> {
        self.k_app.as_ref().ok_or_else(|| refused("AS", "no K_app"))
    }
}
