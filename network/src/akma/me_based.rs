//! AKMA as standardised (TS 33.535 V18 §6.1–§6.2): the primary authentication runs with the
//! USIM in the 3G/EPS/5G context ([`super::primary`]), the ME keeps K_AUSF and K_SEAF in
//! EF_5GAUTHKEYS (TS 31.102 §4.4.11.6, BER-TLV `80` K_AUSF, `81` K_SEAF; stored on the USIM as
//! TS 24.501 Annex C.1 e) asks), and derives K_AKMA, A-TID, A-KID (TS 33.535 Annex A.2, A.3,
//! §6.1) and K_AF (A.4) itself; the AUSF registers K_AKMA and the A-KID with the AAnF, the AF
//! fetches K_AF from the AAnF by A-KID and AF_ID, and the ME proves K_AF to the AF with a MAC.

use rand::RngCore;
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::ops;
use vusim_applet::fs::tables;
use vusim_applet::profile::Profile;
use vusim_crypto::akma::{self, AKidFormat};
use vusim_crypto::gba;
use vusim_crypto::keys::ct_eq;

use super::primary::{self, Inputs};
use super::AkmaRun;
use crate::aanf::{AanfContext, Subscriber};
use crate::auc::Auc;
use crate::diagram::{Msg, Party};
use crate::error::{NetworkError, Result};
use crate::me::Me;
use crate::report::Report;

/// BER-TLV tag of K_AUSF in EF_5GAUTHKEYS (TS 31.102 §4.4.11.6).
pub const TAG_K_AUSF: u32 = 0x80;
/// BER-TLV tag of K_SEAF in EF_5GAUTHKEYS (TS 31.102 §4.4.11.6).
pub const TAG_K_SEAF: u32 = 0x81;

/// DF.5GS and EF.5GAUTHKEYS from the one file table: FIDs and the EF's size.
fn ef_5gauthkeys() -> Result<(u16, u16, usize)> {
    let df = tables::DF_5GS;
    let ef = df
        .efs
        .iter()
        .find(|e| e.name == "EF.5GAUTHKEYS")
        .ok_or_else(|| NetworkError::input("EF.5GAUTHKEYS missing from the DF.5GS table"))?;
    let size = match ef.structure {
        vusim_applet::fs::spec::Structure::Transparent { size } => usize::from(size),
        _ => 68,
    };
    Ok((df.fid, ef.fid, size))
}

/// The ME-based run: the card must be powered (USIM selected, PIN1 presented). The report gets
/// the values and checks; `true` if all passed.
pub(super) fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    run: &AkmaRun,
    rng: &mut dyn RngCore,
    r: &mut Report,
) -> Result<bool> {
    me.diagram()
        .set_title("AKMA in the ME (TS 33.535 §6.1-§6.2; USIM in the 3G/EPS/5G context, P2 '81')");
    let sub = Subscriber::from_profile(profile, None)?;
    let snn = sub.snn()?;
    let inputs = Inputs {
        snn: &snn,
        supi: &sub.supi,
        ind_bits: profile.auth.sqn.ind_bits,
        rand: run.rand,
    };
    let p = primary::run(me, auc, run.auth, false, &inputs, rng, r)?;
    let mut ok = p.ok;
    let ue_k_ausf = p
        .ue_k_ausf
        .ok_or_else(|| NetworkError::input("the ME derived no K_AUSF"))?;
    let k_ausf_ok = ue_k_ausf == p.net_k_ausf;
    r.check("k_ausf_match", k_ausf_ok);
    ok &= k_ausf_ok;

    // The ME keeps K_AUSF and K_SEAF on the USIM (TS 24.501 Annex C.1 e).
    let (df, ef, size) = ef_5gauthkeys()?;
    let mut content = Tlv::new(TAG_K_AUSF, ue_k_ausf.as_bytes().to_vec()).encode();
    Tlv::new(TAG_K_SEAF, p.ue_k_seaf.as_bytes().to_vec()).encode_into(&mut content);
    let written = content.len();
    content.resize(size.max(written), 0xFF);
    me.select_ef(df, "DF.5GS")?;
    me.select_ef(ef, "EF.5GAUTHKEYS")?;
    me.update_binary_secret(
        &content,
        Msg::new("UPDATE BINARY EF.5GAUTHKEYS").ps(&["K_AUSF", "K_SEAF"]),
        "K_AUSF, K_SEAF",
    )?;
    r.num("ef_5gauthkeys_bytes_written", written as u64);

    // K_AKMA, A-TID, A-KID in the ME and at the AUSF, which registers them with the AAnF.
    let ue_k_akma = akma::k_akma(&ue_k_ausf, &sub.supi)?;
    let ue_a_tid = akma::a_tid(&ue_k_ausf, &sub.supi)?;
    let ue_a_kid = akma::a_kid(&sub.rid, &ue_a_tid, &sub.realm(), AKidFormat::default())?;
    me.diagram().note(
        Party::Me,
        Msg::new("derives").ps(&["K_AKMA", "A-TID", "A-KID"]),
    );
    let ctx = AanfContext::new(&p.net_k_ausf, &sub)?;
    let d = me.diagram();
    d.note(
        Party::Ausf,
        Msg::new("derives").ps(&["K_AKMA", "A-TID", "A-KID"]),
    );
    d.send(
        Party::Ausf,
        Party::Aanf,
        Msg::new("Naanf_AKMA_KeyRegistration").ps(&["SUPI", "A-KID", "K_AKMA"]),
    );
    r.text("a_kid", ue_a_kid.clone());

    // The AF asks the AAnF for K_AF by the A-KID the ME presents; the ME derives its own.
    let af_id = gba::naf_id(&run.af_fqdn, run.ua);
    super::record_af_key_get(me);
    let a_kid_ok = ct_eq(ue_a_kid.as_bytes(), ctx.a_kid.as_bytes());
    r.check("a_kid_match", a_kid_ok);
    ok &= a_kid_ok;
    let af_k_af = ctx.k_af(&af_id)?;
    let d = me.diagram();
    d.note(Party::Aanf, Msg::new("derives").p("K_AF"));
    d.reply(
        Party::Aanf,
        Party::Af,
        Msg::new("").ps(&["K_AF", "K_AF expiry", "SUPI"]),
    );
    d.reply(
        Party::Af,
        Party::Me,
        Msg::new("Application session establishment response"),
    );
    let ue_k_af = akma::k_af(&ue_k_akma, &af_id)?;
    me.diagram().note(Party::Me, Msg::new("derives").p("K_AF"));

    // The ME proves K_AF: a MAC the AF checks with the key from the AAnF.
    let msg = b"vusim akma run (ME)";
    let mac = ops::mac(
        &ops::secret(ue_k_af.as_bytes().to_vec()),
        ops::ALG_HMAC_SHA256,
        b"",
        msg,
        32,
    )?;
    let mac_ok = ops::mac_verify(
        &ops::secret(af_k_af.as_bytes().to_vec()),
        ops::ALG_HMAC_SHA256,
        b"",
        msg,
        &mac,
    )
    .is_ok();
    let d = me.diagram();
    d.send(
        Party::Me,
        Party::Af,
        Msg::new("Ua* message").ps(&["data", "MAC"]),
    );
    d.note(Party::Af, Msg::new("verifies MAC with K_AF"));
    r.check("me_mac_verified_by_af", mac_ok);
    ok &= mac_ok;
    if run.reveal {
        r.hex("k_ausf", ue_k_ausf.as_bytes());
        r.hex("k_seaf", p.ue_k_seaf.as_bytes());
        r.hex("k_akma", ue_k_akma.as_bytes());
        r.hex("k_af", ue_k_af.as_bytes());
    }
    Ok(ok)
}
