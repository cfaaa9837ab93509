//! GBA_U end to end (TS 33.220 §4.5, Annex G; TS 31.102 §7.1.2.3–§7.1.2.4): the AuC's vector with
//! AUTN*, AUTHENTICATE in the GBA context (bootstrapping), RES against XRES at the BSF, B-TID and
//! key lifetime written by the ME into EF_GBABP (TS 31.102 §4.2.79), and the NAF derivation on
//! the card and at the NAF.

use vusim_apdu::script::Transport;
use vusim_crypto::gba::{self, UaProtocolId};

use crate::auc::{Auc, Vector};
use crate::authenticate::{self as auth, AuthenticateCommand};
use crate::bsf::{self, Bsf};
use crate::diagram::{Msg, Party};
use crate::error::{NetworkError, Result};
use crate::me::Me;
use crate::report::Report;

/// FID of EF_GBABP in ADF.USIM (TS 31.102 §4.2.79), from the one file table.
fn ef_gbabp() -> Result<u16> {
    vusim_applet::fs::tables::ADF_USIM
        .efs
        .iter()
        .find(|e| e.name == "EF.GBABP")
        .map(|e| e.fid)
        .ok_or_else(|| NetworkError::input("EF.GBABP missing from the ADF.USIM table"))
}

/// What a GBA_U bootstrap and NAF derivation need besides the card.
#[derive(Debug, Clone)]
pub struct GbaRun {
    /// The BSF (domain, key lifetime).
    pub bsf: Bsf,
    /// IMPI of the subscriber.
    pub impi: String,
    /// NAF FQDN.
    pub naf_fqdn: String,
    /// Ua security protocol identifier (TS 33.220 Annex H).
    pub ua: UaProtocolId,
    /// RAND of the bootstrap.
    pub rand: [u8; 16],
}

impl GbaRun {
    /// The run for a profile's subscriber ([`Bsf::for_profile`]: its BSF, with this key
    /// lifetime, and IMPI), towards a NAF, with this RAND.
    pub fn for_profile(
        p: &vusim_applet::profile::Profile,
        lifetime_secs: u64,
        naf_fqdn: &str,
        ua: UaProtocolId,
        rand: [u8; 16],
    ) -> Result<GbaRun> {
        let (bsf, impi) = Bsf::for_profile(p, lifetime_secs)?;
        Ok(GbaRun {
            bsf,
            impi,
            naf_fqdn: naf_fqdn.to_owned(),
            ua,
            rand,
        })
    }
}

fn bootstrap_apdu(v: &Vector) -> Result<Vec<u8>> {
    AuthenticateCommand::GbaBootstrap {
        rand: v.rand,
        autn: v.autn,
    }
    .apdu()
}

/// Bootstrap and derive Ks_ext_NAF on both sides; the USIM must be selected (PIN1 presented).
/// `now` is the card's time when the BSF grants the key (seconds since 1970). The AuC's SEQ_HE
/// is saved. The report ends with a `verdict` text; failed is set when RES ≠ XRES or the keys
/// differ.
pub fn bootstrap<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    run: &GbaRun,
    now: impl Fn() -> u64,
) -> Result<Report> {
    let mut r = Report::new();
    me.diagram()
        .set_title("GBA_U bootstrapping and NAF derivation (TS 33.220 §4.5, Annex G)");
    // Ub: the BSF asks the HSS for a vector and sends RAND, AUTN* to the UE.
    let mut v = challenge(me, auc, run.rand)?;
    let bootstrap_msg =
        || Msg::new("AUTHENTICATE P2 '84' bootstrapping 'DD'").ps(&["RAND", "AUTN*"]);
    let mut resp = me.send_as(&bootstrap_apdu(&v)?, bootstrap_msg())?;
    if let Some(auts) = auth::sync_failure(&resp) {
        let d = me.diagram();
        d.fail(
            Party::Uicc,
            Party::Me,
            Msg::new("DC synchronisation failure").p("AUTS").sw(resp.sw),
        );
        d.send(
            Party::Me,
            Party::Bsf,
            Msg::new("HTTP request").ps(&["IMPI", "RAND", "AUTS"]),
        );
        d.send(
            Party::Bsf,
            Party::Hss,
            Msg::new("Zh resynchronisation").ps(&["RAND", "AUTS"]),
        );
        let sqn_ms = auc.resync(&v.rand, &auts)?;
        me.diagram()
            .note(Party::Hss, Msg::new("checks MAC-S, SQN_HE := SQN_MS"));
        r.num("resynchronised_from_sqn_ms", sqn_ms);
        v = challenge(me, auc, run.rand)?;
        resp = me.send_as(&bootstrap_apdu(&v)?, bootstrap_msg())?;
    }
    if let Err(e) = auth::require_success(&resp, "AUTHENTICATE (GBA bootstrapping)") {
        me.diagram()
            .card_answer(Party::Me, Msg::new("refused"), resp.sw);
        return Err(e);
    }
    let res = auth::parse_gba_bootstrap(&resp.data)?;
    me.diagram()
        .card_answer(Party::Me, Msg::new("DB").p("RES"), resp.sw);
    me.diagram().send(
        Party::Me,
        Party::Bsf,
        Msg::new("HTTP Digest AKA response").ps(&["IMPI", "RES"]),
    );
    r.hex("rand", &v.rand);
    r.hex("res", &res);
    r.hex("xres", &v.xres);
    if res != v.xres {
        me.diagram().note(Party::Bsf, Msg::new("RES ≠ XRES"));
        me.diagram()
            .fail(Party::Bsf, Party::Me, Msg::new("401 Unauthorized"));
        r.text("verdict", "fail: RES ≠ XRES");
        r.fail();
        auc.save()?;
        return Ok(r);
    }
    let b = run.bsf.bootstrap(v.rand, &v.ck, &v.ik, now());
    let d = me.diagram();
    d.note(
        Party::Bsf,
        Msg::new("RES = XRES, Ks = CK ‖ IK").ps(&["B-TID", "key lifetime"]),
    );
    d.reply(
        Party::Bsf,
        Party::Me,
        Msg::new("200 OK").ps(&["B-TID", "key lifetime"]),
    );
    r.text("b_tid", b.b_tid.clone());
    r.text("key_lifetime", b.lifetime.clone());

    // The ME writes B-TID and key lifetime into EF_GBABP, keeping the RAND the card stored.
    me.select_ef(ef_gbabp()?, "EF.GBABP")?;
    let gbabp = b.gbabp()?;
    me.update_binary(
        &gbabp,
        Msg::new("UPDATE BINARY EF.GBABP").ps(&["RAND", "B-TID", "key lifetime"]),
    )?;

    // NAF derivation on the card, and at the NAF with the keys from the BSF.
    let naf_id = gba::naf_id(&run.naf_fqdn, run.ua);
    let cmd = AuthenticateCommand::GbaNaf {
        naf_id: naf_id.clone(),
        impi: run.impi.as_bytes().to_vec(),
    };
    let card_ext = me.ok_as(
        &cmd.apdu()?,
        Msg::new("AUTHENTICATE P2 '84' NAF derivation 'DE'").ps(&["NAF_ID", "IMPI"]),
        Msg::new("DB").p("Ks_ext_NAF"),
    )?;
    let card_ext = auth::parse_naf_derivation(&card_ext)?;
    let d = me.diagram();
    d.send(Party::Me, Party::Naf, Msg::new("Ua request").p("B-TID"));
    d.send(
        Party::Naf,
        Party::Bsf,
        Msg::new("Zn key request").ps(&["B-TID", "NAF_ID"]),
    );
    let (naf_ext, _naf_int) = bsf::naf_keys(&b, &run.impi, &run.naf_fqdn, run.ua)?;
    me.diagram().reply(
        Party::Bsf,
        Party::Naf,
        Msg::new("Zn key answer").ps(&["Ks_ext_NAF", "Ks_int_NAF", "IMPI", "key lifetime"]),
    );
    let agree = card_ext == naf_ext;
    auc.save()?;
    r.text("impi", run.impi.clone());
    r.hex("naf_id", &naf_id);
    r.hex("card_ks_ext_naf", &card_ext);
    r.hex("naf_ks_ext_naf", &naf_ext);
    if agree {
        me.diagram()
            .note(Party::Naf, Msg::new("ME and NAF share Ks_ext_NAF"));
        me.diagram()
            .reply(Party::Naf, Party::Me, Msg::new("Ua answer"));
        r.text(
            "verdict",
            "pass: RES = XRES, card and NAF agree on Ks_ext_NAF",
        );
    } else {
        me.diagram()
            .note(Party::Naf, Msg::new("Ks_ext_NAF differs"));
        me.diagram()
            .fail(Party::Naf, Party::Me, Msg::new("Ua refused"));
        r.text("verdict", "fail: Ks_ext_NAF differs");
        r.fail();
    }
    Ok(r)
}

/// The BSF's vector from the HSS, and the challenge to the UE, recorded on the diagram.
fn challenge<T: Transport>(me: &mut Me<T>, auc: &mut Auc, rand: [u8; 16]) -> Result<Vector> {
    let d = me.diagram();
    d.send(Party::Me, Party::Bsf, Msg::new("HTTP request").p("IMPI"));
    d.send(
        Party::Bsf,
        Party::Hss,
        Msg::new("Zh multimedia auth request").p("IMPI"),
    );
    let v = auc.vector(rand, true)?;
    let d = me.diagram();
    d.reply(
        Party::Hss,
        Party::Bsf,
        Msg::new("AV").ps(&["RAND", "AUTN", "XRES", "CK", "IK"]),
    );
    d.note(
        Party::Bsf,
        Msg::new("GBA_U: AUTN* = AUTN with MAC* = MAC ⊕ SHA-1(IK)"),
    );
    d.reply(
        Party::Bsf,
        Party::Me,
        Msg::new("401 Unauthorized").ps(&["RAND", "AUTN*"]),
    );
    Ok(v)
}
