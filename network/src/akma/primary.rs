//! The primary authentication AKMA rests on (TS 33.501 V18 §6.1.3), run by the ME with a USIM in
//! the 3G/EPS/5G context (AUTHENTICATE P2 `81`, TS 31.102 §7.1.2.1): 5G AKA (§6.1.3.2; the ME
//! derives RES*, K_AUSF and K_SEAF, Annex A.2, A.4, A.6) or EAP-AKA′ (§6.1.3.1 and RFC 9048; the
//! ME derives CK′/IK′ with the serving network name, Annex A.3 / TS 33.402 A.2, then MK, K_aut
//! and EMSK, RFC 9048 §3.3, and K_AUSF = the first 256 bits of EMSK, §6.1.3.1), with the
//! UDM/ARPF (the AuC), the AUSF and the SEAF's checks, and AUTS resynchronisation
//! (TS 33.102 §6.3.5). Everything is recorded on the ME's diagram.

use rand::RngCore;
use vusim_apdu::script::Transport;
use vusim_apdu::StatusWord;
use vusim_crypto::fiveg::{self, EapAkaPrimeKeys};
use vusim_crypto::keys::{ct_eq, Ck, Ik, Kausf, Kseaf};

use crate::aanf::HomeAv;
use crate::auc::{Auc, Vector};
use crate::authenticate::{self as auth, AuthenticateCommand};
use crate::diagram::{Msg, Party};
use crate::eap::{self, Attr, Code, Packet};
use crate::error::{NetworkError, Result};
use crate::me::Me;
use crate::report::Report;

/// The primary authentication method (TS 33.501 §6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// 5G AKA (§6.1.3.2).
    FiveGAka,
    /// EAP-AKA′ (§6.1.3.1, RFC 9048).
    EapAkaPrime,
}

impl AuthMethod {
    /// The command line's choices (`--auth`).
    pub const CHOICES: &'static [crate::inputs::Choice<AuthMethod>] = &[
        (
            AuthMethod::FiveGAka,
            "5g-aka",
            "5G AKA (TS 33.501 §6.1.3.2)",
        ),
        (
            AuthMethod::EapAkaPrime,
            "eap-aka-prime",
            "EAP-AKA' (TS 33.501 §6.1.3.1, RFC 9048): K_AUSF = the first 256 bits of EMSK",
        ),
    ];

    /// The report's name: `5g-aka`, `eap-aka-prime`.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::FiveGAka => "5g-aka",
            AuthMethod::EapAkaPrime => "eap-aka-prime",
        }
    }
}

/// The inputs of one primary authentication.
pub struct Inputs<'a> {
    /// Serving network name (also the EAP-AKA′ network name, AT_KDF_INPUT).
    pub snn: &'a str,
    /// SUPI (IMSI digits): the EAP-AKA′ Identity of MK (TS 33.501 Annex F.3).
    pub supi: &'a str,
    /// IND bits of the SQN.
    pub ind_bits: u8,
    /// RAND of the first challenge (random when absent; a resynchronised one draws anew).
    pub rand: Option<[u8; 16]>,
}

/// What the two ends hold afterwards.
pub struct Outcome {
    /// RAND of the accepted challenge.
    pub rand: [u8; 16],
    /// AUTN of the accepted challenge.
    pub autn: [u8; 16],
    /// Did the network's checks pass (RES*/HRES*, or AT_MAC and AT_RES)?
    pub ok: bool,
    /// K_AUSF as the ME derived it (`None`: it stayed in the card).
    pub ue_k_ausf: Option<Kausf>,
    /// K_SEAF as the ME derived it or got it from the card.
    pub ue_k_seaf: Kseaf,
    /// K_AUSF at the AUSF.
    pub net_k_ausf: Kausf,
}

/// The card command of the challenge: the 3G/EPS/5G context (keys to the ME) or vusim's 5G AKMA
/// context P2 `87` (keys kept in the card; RFU in TS 31.102 §7.1.2, a TR 33.835 study proposal).
fn card_command(
    on_card: bool,
    eap: bool,
    rand: [u8; 16],
    autn: [u8; 16],
    snn: &str,
) -> Result<(Vec<u8>, Msg)> {
    let snn = snn.as_bytes().to_vec();
    Ok(match (on_card, eap) {
        (false, _) => (
            AuthenticateCommand::ThreeG { rand, autn }.apdu()?,
            three_g_msg(),
        ),
        (true, false) => (
            AuthenticateCommand::Akma { rand, autn, snn }.apdu()?,
            Msg::new("AUTHENTICATE P2 '87' (RFU, proposal)").ps(&["RAND", "AUTN", "SNN"]),
        ),
        (true, true) => (
            AuthenticateCommand::AkmaEap { rand, autn, snn }.apdu()?,
            Msg::new("AUTHENTICATE P2 '87' (RFU, proposal)").ps(&[
                "RAND",
                "AUTN",
                "SNN",
                "method EAP-AKA'",
            ]),
        ),
    })
}

fn draw(rng: &mut dyn RngCore) -> [u8; 16] {
    let mut r = [0u8; 16];
    rng.fill_bytes(&mut r);
    r
}

fn sqn_xor_ak(autn: &[u8; 16]) -> [u8; 6] {
    let mut s = [0u8; 6];
    s.copy_from_slice(autn.split_at(6).0);
    s
}

fn three_g_msg() -> Msg {
    Msg::new("AUTHENTICATE P2 '81' (3G/EPS/5G)").ps(&["RAND", "AUTN"])
}

/// The SEAF asks the AUSF, the AUSF the UDM, for an AV (TS 33.501 §6.1.2), on the diagram.
fn record_av_request<T: Transport>(me: &mut Me<T>) {
    let d = me.diagram();
    d.send(
        Party::Seaf,
        Party::Ausf,
        Msg::new("Nausf_UEAuthentication_Authenticate").ps(&["SUPI", "SNN"]),
    );
    d.send(
        Party::Ausf,
        Party::Udm,
        Msg::new("Nudm_UEAuthentication_Get").ps(&["SUPI", "SNN"]),
    );
}

/// The 5G HE AV from the UDM/ARPF and the challenge through the SEAF to the ME, on the diagram.
pub(super) fn he_av<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    ind_bits: u8,
    rand: [u8; 16],
    snn: &str,
) -> Result<HomeAv> {
    record_av_request(me);
    let v = HomeAv::new(auc, ind_bits, rand, None, snn)?;
    let d = me.diagram();
    d.reply(
        Party::Udm,
        Party::Ausf,
        Msg::new("5G HE AV").ps(&["RAND", "AUTN", "XRES*", "K_AUSF"]),
    );
    d.note(Party::Ausf, Msg::new("HXRES* from XRES*"));
    d.reply(
        Party::Ausf,
        Party::Seaf,
        Msg::new("5G SE AV").ps(&["RAND", "AUTN", "HXRES*"]),
    );
    d.send(
        Party::Seaf,
        Party::Me,
        Msg::new("Authentication Request").ps(&["RAND", "AUTN", "ngKSI", "ABBA"]),
    );
    Ok(v)
}

/// A synchronisation failure on the diagram, the AUTS going home: `eap` for EAP-AKA′.
pub(super) fn record_resync<T: Transport>(me: &mut Me<T>, sw: StatusWord, eap: bool) {
    let d = me.diagram();
    d.fail(
        Party::Uicc,
        Party::Me,
        Msg::new("DC synchronisation failure").p("AUTS").sw(sw),
    );
    if eap {
        d.fail(
            Party::Me,
            Party::Seaf,
            Msg::new("EAP-Response/AKA'-Synchronization-Failure").p("AT_AUTS"),
        );
        d.send(
            Party::Seaf,
            Party::Ausf,
            Msg::new("Nausf_UEAuthentication_Authenticate").p("EAP message"),
        );
    } else {
        d.fail(
            Party::Me,
            Party::Seaf,
            Msg::new("Authentication Failure (synch failure)").p("AUTS"),
        );
        d.send(
            Party::Seaf,
            Party::Ausf,
            Msg::new("Nausf_UEAuthentication_Authenticate").ps(&["SUPI", "RAND", "AUTS"]),
        );
    }
    d.send(
        Party::Ausf,
        Party::Udm,
        Msg::new("Nudm_UEAuthentication_Get (resynchronisation)").ps(&["RAND", "AUTS"]),
    );
    d.note(Party::Udm, Msg::new("checks MAC-S, SQN_HE := SQN_MS"));
}

/// The SEAF's and the AUSF's checks of RES*, on the diagram.
pub(super) fn record_confirmation<T: Transport>(me: &mut Me<T>, ok: bool) {
    let d = me.diagram();
    if ok {
        d.note(Party::Seaf, Msg::new("HRES* = HXRES*"));
        d.send(
            Party::Seaf,
            Party::Ausf,
            Msg::new("Nausf_UEAuthentication_Authenticate").p("RES*"),
        );
        d.note(Party::Ausf, Msg::new("RES* = XRES*"));
        d.reply(
            Party::Ausf,
            Party::Seaf,
            Msg::new("Authentication result").ps(&["SUPI", "K_SEAF"]),
        );
    } else {
        d.note(Party::Ausf, Msg::new("RES* ≠ XRES*"));
        d.fail(Party::Seaf, Party::Me, Msg::new("Authentication Reject"));
    }
}

/// A refused AUTHENTICATE ends the run: record it and name it.
fn refused<T: Transport>(me: &mut Me<T>, sw: StatusWord, what: &str) -> NetworkError {
    me.diagram().card_answer(Party::Me, Msg::new("refused"), sw);
    NetworkError::Refused {
        what: what.to_string(),
        sw,
        meaning: sw.meaning_for(0x88),
    }
}

/// Run the primary authentication, the USIM in the 3G/EPS/5G context (`on_card` false: the ME
/// derives the keys) or in vusim's 5G AKMA context (`on_card`: K_AUSF stays in the card); the
/// AuC's SEQ_HE is saved. The report gets the exchanged values and the checks.
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    method: AuthMethod,
    on_card: bool,
    inp: &Inputs<'_>,
    rng: &mut dyn RngCore,
    r: &mut Report,
) -> Result<Outcome> {
    match method {
        AuthMethod::FiveGAka => five_g_aka(me, auc, on_card, inp, rng, r),
        AuthMethod::EapAkaPrime => eap_aka_prime(me, auc, on_card, inp, rng, r),
    }
}

fn five_g_aka<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    on_card: bool,
    inp: &Inputs<'_>,
    rng: &mut dyn RngCore,
    r: &mut Report,
) -> Result<Outcome> {
    let first = inp.rand.unwrap_or_else(|| draw(rng));
    let mut v = he_av(me, auc, inp.ind_bits, first, inp.snn)?;
    let (apdu, msg) = card_command(on_card, false, v.rand, v.autn, inp.snn)?;
    let mut resp = me.send_as(&apdu, msg)?;
    if let Some(auts) = auth::sync_failure(&resp) {
        record_resync(me, resp.sw, false);
        r.num("sqn_ms", auc.resync(&v.rand, &auts)?);
        v = he_av(me, auc, inp.ind_bits, draw(rng), inp.snn)?;
        let (apdu, msg) = card_command(on_card, false, v.rand, v.autn, inp.snn)?;
        resp = me.send_as(&apdu, msg)?;
    }
    auc.save()?;
    if resp.sw != StatusWord::SUCCESS {
        return Err(refused(me, resp.sw, "AUTHENTICATE"));
    }
    let (res_star, ue_k_ausf, k_seaf) = if on_card {
        let (res_star, k_seaf) = auth::parse_akma(&resp.data)?;
        let d = me.diagram();
        d.card_answer(Party::Me, Msg::new("DB").ps(&["RES*", "K_SEAF"]), resp.sw);
        d.note(
            Party::Uicc,
            Msg::new("keeps").ps(&["K_AUSF", "K_AKMA", "A-KID"]),
        );
        (res_star, None, Kseaf::new(k_seaf))
    } else {
        let (res, ck, ik) = auth::parse_3g(&resp.data)?;
        let (ck, ik) = (Ck::new(ck), Ik::new(ik));
        // The ME's side of 5G AKA (TS 33.501 Annex A.2, A.4, A.6).
        let res_star = fiveg::res_star(&ck, &ik, inp.snn, &v.rand, &res)?;
        let k_ausf = fiveg::k_ausf(&ck, &ik, inp.snn, &sqn_xor_ak(&v.autn))?;
        let k_seaf = fiveg::k_seaf(&k_ausf, inp.snn)?;
        let d = me.diagram();
        d.card_answer(Party::Me, Msg::new("DB").ps(&["RES", "CK", "IK"]), resp.sw);
        d.note(
            Party::Me,
            Msg::new("derives").ps(&["RES*", "K_AUSF", "K_SEAF"]),
        );
        (res_star, Some(k_ausf), k_seaf)
    };
    me.diagram().send(
        Party::Me,
        Party::Seaf,
        Msg::new("Authentication Response").p("RES*"),
    );
    let (res_ok, hres) = v.check_res_star(&res_star);
    let hres_ok = hres.is_some_and(|h| ct_eq(&h, &v.hxres_star));
    record_confirmation(me, res_ok && hres_ok);
    let seaf_ok = k_seaf == v.k_seaf()?;
    r.hex("rand", &v.rand);
    r.hex("autn", &v.autn);
    r.num("sqn", v.sqn);
    r.hex("res_star", &res_star);
    r.hex("xres_star", &v.xres_star);
    r.check("res_star_verified", res_ok && hres_ok);
    r.check("k_seaf_match", seaf_ok);
    Ok(Outcome {
        rand: v.rand,
        autn: v.autn,
        ok: res_ok && hres_ok && seaf_ok,
        ue_k_ausf,
        ue_k_seaf: k_seaf,
        net_k_ausf: v.k_ausf().clone(),
    })
}

/// The AUSF's EAP-AKA′ material for one challenge: the AuC's vector transformed to CK′/IK′ by
/// the ARPF (TS 33.501 §6.1.3.1, Annex A.3), and MK's keys at the AUSF.
struct EapAv {
    v: Vector,
    keys: EapAkaPrimeKeys,
}

fn eap_av<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    rand: [u8; 16],
    inp: &Inputs<'_>,
) -> Result<EapAv> {
    record_av_request(me);
    let v = auc.vector(rand, false)?;
    let (ck_p, ik_p) = fiveg::ck_ik_prime(
        &Ck::new(v.ck),
        &Ik::new(v.ik),
        inp.snn,
        &sqn_xor_ak(&v.autn),
    )?;
    let keys = EapAkaPrimeKeys::derive(&ik_p, &ck_p, inp.supi.as_bytes())?;
    let d = me.diagram();
    d.reply(
        Party::Udm,
        Party::Ausf,
        Msg::new("transformed AV").ps(&["RAND", "AUTN", "XRES", "CK'", "IK'"]),
    );
    d.note(
        Party::Ausf,
        Msg::new("derives").ps(&["MK", "K_aut", "EMSK", "K_AUSF = EMSK[0..255]"]),
    );
    Ok(EapAv { v, keys })
}

fn challenge_packet(av: &EapAv, id: u8, snn: &str) -> Result<Vec<u8>> {
    Packet {
        code: Code::Request,
        id,
        subtype: eap::SUBTYPE_CHALLENGE,
        attrs: vec![
            Attr::rand(&av.v.rand),
            Attr::autn(&av.v.autn),
            Attr::kdf(1),
            Attr::kdf_input(snn)?,
        ],
    }
    .encode(Some(av.keys.k_aut.as_bytes()))
}

fn field16(p: &Packet, t: u8) -> Result<[u8; 16]> {
    p.attr(t)
        .and_then(|v| v.get(2..18))
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| NetworkError::Malformed(format!("EAP-Request: attribute {t} missing")))
}

fn send_challenge<T: Transport>(me: &mut Me<T>) {
    let attrs = ["AT_RAND", "AT_AUTN", "AT_KDF", "AT_KDF_INPUT", "AT_MAC"];
    let d = me.diagram();
    d.reply(
        Party::Ausf,
        Party::Seaf,
        Msg::new("EAP-Request/AKA'-Challenge").ps(&attrs),
    );
    d.send(
        Party::Seaf,
        Party::Me,
        Msg::new("Authentication Request (EAP-Request/AKA'-Challenge)").ps(&["ngKSI", "ABBA"]),
    );
}

fn eap_aka_prime<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    on_card: bool,
    inp: &Inputs<'_>,
    rng: &mut dyn RngCore,
    r: &mut Report,
) -> Result<Outcome> {
    let mut id: u8 = 1;
    let mut av = eap_av(me, auc, inp.rand.unwrap_or_else(|| draw(rng)), inp)?;
    let mut request = challenge_packet(&av, id, inp.snn)?;
    send_challenge(me);
    // The ME reads the challenge: RAND and AUTN go to the USIM; AT_KDF must be 1 and the
    // network name its own serving network name (RFC 9048 §3.1–§3.2, TS 33.501 §6.1.3.1).
    let read = |bytes: &[u8]| -> Result<([u8; 16], [u8; 16], String)> {
        let p = Packet::parse(bytes)?;
        if p.attr(eap::AT_KDF) != Some(&[0, 1][..]) {
            return Err(NetworkError::Malformed(
                "EAP-Request: AT_KDF is not 1".into(),
            ));
        }
        let name = p
            .attr(eap::AT_KDF_INPUT)
            .and_then(|v| {
                let n = usize::from(u16::from_be_bytes(v.get(..2)?.try_into().ok()?));
                std::str::from_utf8(v.get(2..2 + n)?)
                    .ok()
                    .map(str::to_string)
            })
            .ok_or_else(|| NetworkError::Malformed("EAP-Request: AT_KDF_INPUT".into()))?;
        if name != inp.snn {
            return Err(NetworkError::Malformed(
                "EAP-Request: AT_KDF_INPUT is not the serving network name".into(),
            ));
        }
        Ok((field16(&p, eap::AT_RAND)?, field16(&p, eap::AT_AUTN)?, name))
    };
    let (mut rand, mut autn, mut name) = read(&request)?;
    let (apdu, msg) = card_command(on_card, true, rand, autn, &name)?;
    let mut resp = me.send_as(&apdu, msg)?;
    if let Some(auts) = auth::sync_failure(&resp) {
        record_resync(me, resp.sw, true);
        r.num("sqn_ms", auc.resync(&rand, &auts)?);
        id = id.wrapping_add(1);
        av = eap_av(me, auc, draw(rng), inp)?;
        request = challenge_packet(&av, id, inp.snn)?;
        send_challenge(me);
        (rand, autn, name) = read(&request)?;
        let (apdu, msg) = card_command(on_card, true, rand, autn, &name)?;
        resp = me.send_as(&apdu, msg)?;
    }
    auc.save()?;
    if resp.sw != StatusWord::SUCCESS {
        return Err(refused(me, resp.sw, "AUTHENTICATE (3G/EPS/5G context)"));
    }
    let (res, k_aut, ue_k_ausf, k_seaf) = if on_card {
        let (res, k_aut, k_seaf) = auth::parse_akma_eap(&resp.data)?;
        let d = me.diagram();
        d.card_answer(
            Party::Me,
            Msg::new("DB").ps(&["RES", "K_aut", "K_SEAF"]),
            resp.sw,
        );
        d.note(
            Party::Uicc,
            Msg::new("keeps").ps(&["K_AUSF", "K_AKMA", "A-KID"]),
        );
        (
            res,
            zeroize::Zeroizing::new(k_aut),
            None,
            Kseaf::new(k_seaf),
        )
    } else {
        let (res, ck, ik) = auth::parse_3g(&resp.data)?;
        me.diagram()
            .card_answer(Party::Me, Msg::new("DB").ps(&["RES", "CK", "IK"]), resp.sw);
        // The ME's EAP-AKA′ keys (TS 33.501 Annex A.3, RFC 9048 §3.3, TS 33.501 §6.1.3.1).
        let (ck_p, ik_p) =
            fiveg::ck_ik_prime(&Ck::new(ck), &Ik::new(ik), &name, &sqn_xor_ak(&autn))?;
        let keys = EapAkaPrimeKeys::derive(&ik_p, &ck_p, inp.supi.as_bytes())?;
        let k_ausf = keys.k_ausf();
        let k_seaf = fiveg::k_seaf(&k_ausf, inp.snn)?;
        me.diagram().note(
            Party::Me,
            Msg::new("derives").ps(&["CK'", "IK'", "K_aut", "EMSK", "K_AUSF", "K_SEAF"]),
        );
        (
            res,
            zeroize::Zeroizing::new(*keys.k_aut.expose()),
            Some(k_ausf),
            k_seaf,
        )
    };
    let net_mac_ok = eap::verify_mac(&request, &*k_aut)?;
    me.diagram()
        .note(Party::Me, Msg::new("checks AT_MAC of the request"));
    let response = Packet {
        code: Code::Response,
        id,
        subtype: eap::SUBTYPE_CHALLENGE,
        attrs: vec![Attr::res(&res)?],
    }
    .encode(Some(&*k_aut))?;
    let d = me.diagram();
    d.send(
        Party::Me,
        Party::Seaf,
        Msg::new("Authentication Response (EAP-Response/AKA'-Challenge)").ps(&["AT_RES", "AT_MAC"]),
    );
    d.send(
        Party::Seaf,
        Party::Ausf,
        Msg::new("Nausf_UEAuthentication_Authenticate").p("EAP message"),
    );
    // The AUSF: AT_MAC under its K_aut, AT_RES against XRES.
    let p = Packet::parse(&response)?;
    let ue_mac_ok = eap::verify_mac(&response, av.keys.k_aut.as_bytes())?;
    let at_res = p.attr(eap::AT_RES).unwrap_or_default();
    let res_ok = at_res.get(2..).is_some_and(|x| ct_eq(x, &av.v.xres));
    let net_k_ausf = av.keys.k_ausf();
    let seaf_ok = k_seaf == fiveg::k_seaf(&net_k_ausf, inp.snn)?;
    let ok = net_mac_ok && ue_mac_ok && res_ok && seaf_ok;
    let d = me.diagram();
    if ok {
        d.note(Party::Ausf, Msg::new("AT_MAC verified, AT_RES = XRES"));
        d.reply(
            Party::Ausf,
            Party::Seaf,
            Msg::new("EAP-Success").ps(&["K_SEAF", "SUPI"]),
        );
        d.reply(
            Party::Seaf,
            Party::Me,
            Msg::new("Authentication Result (EAP-Success)"),
        );
    } else {
        d.note(Party::Ausf, Msg::new("AT_MAC or AT_RES wrong"));
        d.fail(
            Party::Seaf,
            Party::Me,
            Msg::new("Authentication Reject (EAP-Failure)"),
        );
    }
    r.hex("rand", &rand);
    r.hex("autn", &autn);
    r.num("sqn", av.v.sqn);
    r.text("network_name", name);
    r.text("identity", inp.supi);
    r.hex("res", &res);
    r.hex("xres", &av.v.xres);
    r.check("network_mac_verified_by_me", net_mac_ok);
    r.check("ue_mac_verified_by_ausf", ue_mac_ok);
    r.check("res_verified", res_ok);
    r.check("k_seaf_match", seaf_ok);
    Ok(Outcome {
        rand,
        autn,
        ok,
        ue_k_ausf,
        ue_k_seaf: k_seaf,
        net_k_ausf,
    })
}
