//! HSS and application server of the IoT end-to-end scheme (TR 33.863 solution #11; docs/api/iot.md): the HSS derives Ks from the AKA's CK ‖ IK and hands Ks_AS to the AS, which derives K_app for a RAND_AS and computes or verifies the tag t — the network twin of the card's IoT Ks and IoT API applet.

use rand::RngCore;
use vusim_apdu::authenticate::{AuthMode, AuthResponse};
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::iot as api;
use vusim_applet::api::ops;
use vusim_applet::profile::Profile;
use vusim_crypto::keys::{ct_eq, Ck, DerivedKey, Ik};
use vusim_crypto::seed::{self, IotAsKeys, SeedFcs, IOT_TAG_LEN};

use crate::aanf::{position_auc, HomeAv, Subscriber};
use crate::af::CardTarget;
use crate::auc::{Auc, Vector};
use crate::authenticate::{self as auth, AuthenticateCommand};
use crate::client::{get, ApiChannel};
use crate::error::{NetworkError, Result};
use crate::me::Me;
use crate::report::Report;

/// The HSS's IoT Ks for one AKA: Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT").
pub struct HssIot {
    ks: DerivedKey,
}

impl HssIot {
    /// From the AKA vector's CK and IK.
    pub fn new(ck: &[u8; 16], ik: &[u8; 16]) -> Result<HssIot> {
        Ok(HssIot {
            ks: seed::iot_ks(&Ck::new(*ck), &Ik::new(*ik), &SeedFcs::default())?,
        })
    }

    /// Ks (for printing with `--reveal` only).
    pub fn ks(&self) -> &DerivedKey {
        &self.ks
    }

    /// What the HSS hands to the AS `as_id`: Ks_AS and its two subkeys.
    pub fn for_as(&self, as_id: &str) -> Result<AsSide> {
        Ok(AsSide {
            keys: seed::iot_as_keys(&self.ks, as_id, &SeedFcs::default())?,
        })
    }
}

/// The application server with its Ks_AS.
pub struct AsSide {
    keys: IotAsKeys,
}

impl AsSide {
    /// Ks_AS, Ks_AS_enc, Ks_AS_int (for printing with `--reveal` only).
    pub fn keys(&self) -> &IotAsKeys {
        &self.keys
    }

    /// t = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS)[0..8].
    pub fn tag(&self, guti: &[u8], rand_as: &[u8]) -> Result<[u8; IOT_TAG_LEN]> {
        Ok(seed::iot_tag(&self.keys.ks_as_int, guti, rand_as)?)
    }

    /// Verify the card's t (constant time).
    pub fn verify(&self, guti: &[u8], rand_as: &[u8], t: &[u8]) -> Result<bool> {
        Ok(ct_eq(&self.tag(guti, rand_as)?, t))
    }

    /// K_app = KDF(Ks_AS_enc, FF E3, RAND_AS).
    pub fn k_app(&self, rand_as: &[u8]) -> Result<DerivedKey> {
        Ok(seed::iot_k_app(
            &self.keys.ks_as_enc,
            rand_as,
            &SeedFcs::default(),
        )?)
    }
}

/// The AKA the AS's keys come from: CK and IK, and the vector when it came from a profile.
pub struct IotAka {
    /// CK.
    pub ck: [u8; 16],
    /// IK.
    pub ik: [u8; 16],
    /// The vector and the serving network name, when computed from a card profile.
    pub vector: Option<(Vector, String)>,
}

impl IotAka {
    /// The HSS's vector for a profile's subscriber at RAND and SQN (SEQ ‖ IND).
    pub fn from_profile(
        p: &Profile,
        rid: Option<&str>,
        snn: Option<&str>,
        rand: [u8; 16],
        sqn: u64,
    ) -> Result<IotAka> {
        let sub = Subscriber::from_profile(p, rid)?;
        let snn = match snn {
            Some(s) => s.to_string(),
            None => sub.snn()?,
        };
        let mut auc = Auc::for_profile(p, None)?;
        position_auc(&mut auc, p.auth.sqn.ind_bits, sqn)?;
        let v = auc.vector(rand, false)?;
        Ok(IotAka {
            ck: v.ck,
            ik: v.ik,
            vector: Some((v, snn)),
        })
    }
}

/// The AKA context of a printed AUTHENTICATE APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IotAuthContext {
    /// The proposed 5G AKMA context (P2 87): CK and IK stay in the card.
    Akma,
    /// The 3G context (P2 81): the ME gets CK and IK.
    ThreeG,
}

/// The card's IoT API key address: DO 80 = AS_ID.
pub fn card_target(as_id: &str, channel: u8, client: Option<Vec<u8>>) -> CardTarget {
    CardTarget {
        table: api::COMMANDS,
        key: vec![Tlv::new(tag::NAF_ID, as_id.as_bytes().to_vec())],
        channel,
        client,
    }
}

/// Key bytes for `--reveal`.
pub fn reveal_keys(r: &mut Report, hss: &HssIot, side: &AsSide, k_app: &[u8]) {
    r.hex("ks", hss.ks().as_bytes());
    r.hex("ks_as", side.keys().ks_as.as_bytes());
    r.hex("ks_as_enc", side.keys().ks_as_enc.as_bytes());
    r.hex("ks_as_int", side.keys().ks_as_int.as_bytes());
    r.hex("k_app", k_app);
}

/// What the AS computes for a GUTI and RAND_AS.
pub struct AsRequest<'a> {
    /// The AKA.
    pub aka: &'a IotAka,
    /// AS_ID.
    pub as_id: &'a str,
    /// GUTI.
    pub guti: &'a [u8],
    /// RAND_AS.
    pub rand_as: &'a [u8],
    /// The card's tag to check.
    pub t: Option<&'a [u8]>,
    /// Context of the printed AUTHENTICATE APDU.
    pub context: IotAuthContext,
    /// The card's key address.
    pub card: &'a CardTarget,
}

/// The HSS and AS: tag t over GUTI ‖ RAND_AS, the card APDUs, the check of the card's t (key
/// bytes only with `reveal`).
pub fn as_report(q: &AsRequest<'_>, reveal: bool) -> Result<Report> {
    let hss = HssIot::new(&q.aka.ck, &q.aka.ik)?;
    let side = hss.for_as(q.as_id)?;
    let t = side.tag(q.guti, q.rand_as)?;
    let mut r = Report::new();
    if let Some((v, snn)) = &q.aka.vector {
        r.hex("rand", &v.rand);
        r.hex("sqn", &vusim_crypto::aka::sqn_from_u64(v.sqn));
        r.hex("autn", &v.autn);
        let cmd = match q.context {
            IotAuthContext::Akma => AuthenticateCommand::Akma {
                rand: v.rand,
                autn: v.autn,
                snn: snn.as_bytes().to_vec(),
            },
            IotAuthContext::ThreeG => AuthenticateCommand::ThreeG {
                rand: v.rand,
                autn: v.autn,
            },
        };
        r.apdu("card_auth_apdu", &cmd.apdu()?);
    }
    r.text("as_id", q.as_id);
    r.hex("guti", q.guti);
    r.hex("rand_as", q.rand_as);
    r.hex("t", &t);
    let common = vec![
        Tlv::new(api::iot_tag::GUTI, q.guti.to_vec()),
        Tlv::new(tag::CHALLENGE, q.rand_as.to_vec()),
    ];
    r.apdu(
        "card_tag_apdu",
        &q.card.apdu("IOT KEY (card tag)", common.clone()),
    );
    let mut verify = common;
    verify.push(Tlv::new(tag::MAC, t.to_vec()));
    r.apdu(
        "card_verify_apdu",
        &q.card.apdu("IOT KEY (verify AS tag)", verify),
    );
    if let Some(given) = q.t {
        r.check("verified", side.verify(q.guti, q.rand_as, given)?);
    }
    if reveal {
        reveal_keys(&mut r, &hss, &side, side.k_app(q.rand_as)?.as_bytes());
    }
    Ok(r)
}

fn random<const N: usize>(rng: &mut dyn RngCore) -> [u8; N] {
    let mut r = [0u8; N];
    rng.fill_bytes(&mut r);
    r
}

/// IoT end to end: AKA (in the 5G AKMA context when the profile has it, else 3G) with
/// resynchronisation, the tag both ways and a replay, then K_app operations both ways. The card
/// must be powered (USIM selected, PIN1 presented). The AuC's SEQ_HE is saved.
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    as_id: &str,
    rng: &mut dyn RngCore,
) -> Result<Report> {
    if profile.iot.is_none() {
        return Err(NetworkError::input(
            "the card profile has no [iot] section (docs/api/iot.md §8)",
        ));
    }
    let akma_context = profile.akma.as_ref().is_some_and(|s| s.context);
    let sub = Subscriber::from_profile(profile, None)?;
    let snn = sub.snn()?;
    let ind_bits = profile.auth.sqn.ind_bits;
    let mut r = Report::new();
    let mut ok = true;

    // AKA (5G AKMA context when the card has it: CK and IK stay in the card), with
    // resynchronisation; the HSS keeps CK ‖ IK of the vector.
    let mut attempt = 0;
    let (ck, ik) = loop {
        let v = HomeAv::new(auc, ind_bits, random::<16>(rng), None, &snn)?;
        let apdu = if akma_context {
            v.card_apdu()?
        } else {
            AuthenticateCommand::ThreeG {
                rand: v.rand,
                autn: v.autn,
            }
            .apdu()?
        };
        let resp = me.send(&apdu)?;
        if attempt == 0 {
            if let Some(auts) = auth::sync_failure(&resp) {
                auc.resync(&v.rand, &auts)?;
                attempt += 1;
                continue;
            }
        }
        let mode = if akma_context {
            AuthMode::Vusim5gAkma
        } else {
            AuthMode::ThreeG
        };
        let success = AuthResponse::parse(mode, &resp.data)
            .is_ok_and(|a| !matches!(a, AuthResponse::SyncFailure { .. }));
        if resp.sw != StatusWord::SUCCESS || !success {
            return Err(NetworkError::Malformed(format!(
                "AUTHENTICATE: card answered {}",
                resp.sw
            )));
        }
        r.text("context", if akma_context { "5g-akma" } else { "3g" });
        r.num("sqn", v.sqn);
        // The HSS side: the same vector's CK and IK.
        let mut auc2 = Auc::for_profile(profile, None)?;
        position_auc(&mut auc2, ind_bits, v.sqn)?;
        let v3 = auc2.vector(v.rand, false)?;
        break (v3.ck, v3.ik);
    };
    auc.save()?;
    let hss = HssIot::new(&ck, &ik)?;
    let side = hss.for_as(as_id)?;

    let ch = me.open_applet(&api::AID)?;
    r.num("channel", u64::from(ch));
    r.text("as_id", as_id);
    let chan = ApiChannel {
        table: api::COMMANDS,
        channel: ch,
        key: Tlv::new(tag::NAF_ID, as_id.as_bytes().to_vec()),
    };
    let guti = random::<10>(rng).to_vec();

    // The card's tag, verified by the AS.
    let rand_as1 = random::<16>(rng).to_vec();
    let (sw, dos) = chan.call(
        me,
        "IOT KEY (card tag)",
        vec![
            Tlv::new(api::iot_tag::GUTI, guti.clone()),
            Tlv::new(tag::CHALLENGE, rand_as1.clone()),
        ],
    )?;
    let card_t_ok =
        sw == StatusWord::SUCCESS && side.verify(&guti, &rand_as1, &get(&dos, tag::MAC))?;
    r.check("card_tag_verified_by_as", card_t_ok);

    // The AS's tag, verified by the card; then replayed (refused).
    let rand_as2 = random::<16>(rng).to_vec();
    let t_as = side.tag(&guti, &rand_as2)?;
    let verify_dos = vec![
        Tlv::new(api::iot_tag::GUTI, guti.clone()),
        Tlv::new(tag::CHALLENGE, rand_as2.clone()),
        Tlv::new(tag::MAC, t_as.to_vec()),
    ];
    let (sw, _) = chan.call(me, "IOT KEY (verify AS tag)", verify_dos.clone())?;
    let as_t_ok = sw == StatusWord::SUCCESS;
    r.check("as_tag_verified_by_card", as_t_ok);
    let (sw, _) = chan.call(me, "IOT KEY (verify AS tag)", verify_dos)?;
    let replay_refused = sw == StatusWord::CONDITIONS_NOT_SATISFIED;
    r.check("replay_refused", replay_refused);
    ok &= card_t_ok && as_t_ok && replay_refused;

    // K_app (from RAND_AS2) on both sides: MAC and encryption both ways.
    let k_app = ops::secret(side.k_app(&rand_as2)?.as_bytes().to_vec());
    let msg = b"meter reading 42".to_vec();
    let mac_alg = Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]);
    let (sw, dos) = chan.call(
        me,
        "MAC COMPUTE",
        vec![mac_alg, Tlv::new(tag::DATA, msg.clone())],
    )?;
    let mac_ok = sw == StatusWord::SUCCESS
        && ops::mac_verify(
            &k_app,
            ops::ALG_HMAC_SHA256,
            b"",
            &msg,
            &get(&dos, tag::MAC),
        )
        .is_ok();
    r.check("card_mac_verified_by_as", mac_ok);
    let s = ops::seal(
        &k_app,
        ops::ALG_AES128_CTR_HMAC_SHA256,
        b"",
        random::<16>(rng),
        b"",
        b"firmware key",
    )?;
    let (sw, dos) = chan.call(
        me,
        "DECRYPT",
        vec![
            Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]),
            Tlv::new(tag::IV, s.iv.to_vec()),
            Tlv::new(tag::DATA, s.ciphertext),
            Tlv::new(tag::MAC, s.tag.to_vec()),
        ],
    )?;
    let dec_ok = sw == StatusWord::SUCCESS && get(&dos, tag::DATA) == b"firmware key";
    r.check("as_ciphertext_opened_by_card", dec_ok);
    ok &= mac_ok && dec_ok;
    r.text("verdict", if ok { "pass" } else { "fail" });
    Ok(r)
}
