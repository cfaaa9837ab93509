//! AKA end to end (TS 33.102 §6.3, TS 33.501 §6.1.3.2): the AuC's vector, AUTHENTICATE on the
//! card through the ME, RES against XRES, and AUTS resynchronisation (TS 33.102 §6.3.5, Annex
//! C.3.4) — in the GSM context (c2/c3 triplet, TS 33.102 §6.8.1.2), the 3G context, and 5G AKA
//! with a USIM (the ME derives RES* and K_AUSF, the SEAF checks HRES*).

use vusim_apdu::script::Transport;
use vusim_crypto::fiveg;
use vusim_crypto::keys::{Ck, Ik};

use crate::auc::{Auc, Vector};
use crate::authenticate::{self as auth, AuthenticateCommand};
use crate::error::Result;
use crate::me::Me;
use crate::report::Report;

/// The security context `vusim aka` runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// 3G/EPS/5G context (P2 81).
    ThreeG,
    /// GSM context (P2 80).
    Gsm,
    /// 5G AKA with a USIM (TS 33.501 §6.1.3.2).
    FiveG,
}

impl Context {
    /// The command line's choices (`--context`).
    pub const CHOICES: &'static [crate::inputs::Choice<Context>] = &[
        (
            Context::ThreeG,
            "3g",
            "3G/EPS/5G context (P2 81): RES, CK, IK (and Kc)",
        ),
        (Context::Gsm, "gsm", "GSM context (P2 80): SRES and Kc"),
        (
            Context::FiveG,
            "5g",
            "5G AKA with a USIM (TS 33.501 §6.1.3.2): the AuC makes a 5G HE AV (XRES*, K_AUSF), \
             the card answers in the 3G context, the ME derives RES* and K_AUSF, the SEAF checks \
             HRES*",
        ),
    ];

    /// The run for a profile's subscriber (5G: in its home network, [`home_snn`]).
    pub fn kind(self, p: &vusim_applet::profile::Profile) -> Result<AkaKind> {
        Ok(match self {
            Context::ThreeG => AkaKind::ThreeG,
            Context::Gsm => AkaKind::Gsm,
            Context::FiveG => AkaKind::FiveG { snn: home_snn(p)? },
        })
    }
}

/// The AKA variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AkaKind {
    /// 3G/EPS context (P2 81): RES, CK, IK.
    ThreeG,
    /// GSM context (P2 80): SRES and Kc from the AuC's triplet.
    Gsm,
    /// 5G AKA with a USIM in the 3G context, for this serving network name.
    FiveG {
        /// Serving network name (TS 24.501 §9.12.1).
        snn: String,
    },
}

impl AkaKind {
    /// The report's name for the context: `3g`, `gsm`, `5g`.
    pub fn name(&self) -> &'static str {
        match self {
            AkaKind::ThreeG => "3g",
            AkaKind::Gsm => "gsm",
            AkaKind::FiveG { .. } => "5g",
        }
    }
}

/// The home serving network name `5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org` of a profile's IMSI
/// (TS 24.501 §9.12.1), with the default card's MCC/MNC for a too-short IMSI.
pub fn home_snn(p: &vusim_applet::profile::Profile) -> Result<String> {
    let mnc_len = usize::from(p.usim.mnc_len.unwrap_or(2));
    let imsi = crate::me::imsi(p);
    Ok(fiveg::serving_network_name(
        imsi.get(..3).unwrap_or("001"),
        imsi.get(3..3 + mnc_len).unwrap_or("01"),
    )?)
}

fn authenticate_3g(v: &Vector) -> Result<Vec<u8>> {
    AuthenticateCommand::ThreeG {
        rand: v.rand,
        autn: v.autn,
    }
    .apdu()
}

/// Run one AKA: the USIM must be selected (and PIN1 presented) already. With `sqn_ahead` the
/// AuC's SEQ first jumps ahead (beyond the card's Δ this forces a resynchronisation). The
/// AuC's SEQ_HE is saved. The report ends with `verdict` `pass` or `fail` (failed then set).
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    kind: &AkaKind,
    rand: [u8; 16],
    sqn_ahead: u64,
) -> Result<Report> {
    let mut r = Report::new();
    r.text("context", kind.name());
    r.hex("rand", &rand);
    let ok = match kind {
        AkaKind::Gsm => gsm(me, auc, rand, &mut r)?,
        AkaKind::FiveG { snn } => five_g(me, auc, rand, sqn_ahead, snn, &mut r)?,
        AkaKind::ThreeG => three_g(me, auc, rand, sqn_ahead, &mut r)?,
    };
    auc.save()?;
    r.text("verdict", if ok { "pass" } else { "fail" });
    if !ok {
        r.fail();
    }
    Ok(r)
}

fn gsm<T: Transport>(me: &mut Me<T>, auc: &Auc, rand: [u8; 16], r: &mut Report) -> Result<bool> {
    let (sres, kc) = auc.triplet(rand)?;
    let cmd = AuthenticateCommand::Gsm { rand }.apdu()?;
    let data = me.ok(&cmd, "AUTHENTICATE (GSM context)")?;
    let (card_sres, card_kc) = auth::parse_gsm(&data)?;
    r.hex("sres", &card_sres);
    r.hex("expected_sres", &sres);
    r.hex("kc", &card_kc);
    r.hex("expected_kc", &kc);
    Ok(card_sres == sres && card_kc == kc)
}

fn five_g<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    rand: [u8; 16],
    sqn_ahead: u64,
    snn: &str,
    r: &mut Report,
) -> Result<bool> {
    auc.skip(sqn_ahead);
    let (mut v, mut xres_star, mut k_ausf) = auc.he_av_5g(rand, snn)?;
    let mut resp = me.send(&authenticate_3g(&v)?)?;
    if let Some(auts) = auth::sync_failure(&resp) {
        let sqn_ms = auc.resync(&v.rand, &auts)?;
        r.hex("auts", &auts);
        r.num("sqn_ms", sqn_ms);
        (v, xres_star, k_ausf) = auc.he_av_5g(rand, snn)?;
        resp = me.send(&authenticate_3g(&v)?)?;
    }
    auth::require_success(&resp, "AUTHENTICATE")?;
    let (res, ck, ik) = auth::parse_3g(&resp.data)?;
    // The ME's side of 5G AKA (TS 33.501 Annex A.2, A.4).
    let (ck, ik) = (Ck::new(ck), Ik::new(ik));
    let res_star = fiveg::res_star(&ck, &ik, snn, &v.rand, &res)?;
    let sqn_xor_ak: [u8; 6] = v
        .autn
        .get(..6)
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default();
    let me_k_ausf = fiveg::k_ausf(&ck, &ik, snn, &sqn_xor_ak)?;
    let hres = fiveg::hres_star(&v.rand, &res_star);
    let hxres = fiveg::hres_star(&v.rand, &xres_star);
    r.text("snn", snn);
    r.num("sqn", v.sqn);
    r.hex("res_star", &res_star);
    r.hex("xres_star", &xres_star);
    r.hex("hres_star", &hres);
    r.hex("hxres_star", &hxres);
    let k_ok = me_k_ausf.expose() == &k_ausf;
    r.flag("k_ausf_match", k_ok);
    Ok(res_star == xres_star && hres == hxres && k_ok)
}

fn three_g<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    rand: [u8; 16],
    sqn_ahead: u64,
    r: &mut Report,
) -> Result<bool> {
    auc.skip(sqn_ahead);
    let mut v = auc.vector(rand, false)?;
    let mut resp = me.send(&authenticate_3g(&v)?)?;
    r.num("sqn", v.sqn);
    if let Some(auts) = auth::sync_failure(&resp) {
        let sqn_ms = auc.resync(&v.rand, &auts)?;
        r.hex("auts", &auts);
        r.num("sqn_ms", sqn_ms);
        v = auc.vector(rand, false)?;
        r.num("sqn_after_resync", v.sqn);
        resp = me.send(&authenticate_3g(&v)?)?;
    }
    auth::require_success(&resp, "AUTHENTICATE")?;
    let (res, ck, ik) = auth::parse_3g(&resp.data)?;
    r.hex("res", &res);
    r.hex("xres", &v.xres);
    let keys_ok = ck == v.ck && ik == v.ik;
    r.flag("ck_ik_match", keys_ok);
    Ok(res == v.xres && keys_ok)
}
