//! The network-side calculator behind `vusim calc`: each function takes parsed inputs and
//! returns the named results as one [`Report`], in output order. The algorithms are
//! vusim-crypto's: the AKA functions f1–f5* (TS 33.102 §6.3; MILENAGE TS 35.206, TUAK TS 35.231,
//! XOR TS 34.108 §8.1.2), AUTN and the network-side AUTS check (§6.3.3, §6.3.5), the GSM
//! conversions c2/c3 (§6.8.1.2), the 5G AKA keys (TS 33.501 Annex A) and the EAP-AKA' key
//! schedule (RFC 9048 §3.3), and the GBA keys and B-TID (TS 33.220 §4.5.2, Annex B.3, H.3).

pub mod inputs;
pub mod suci;

use vusim_crypto::aka::{self, AkaAlgorithm, Autn, Auts};
use vusim_crypto::fiveg::{self, EapAkaPrimeKeys};
use vusim_crypto::gba::{self, UaProtocolId};
use vusim_crypto::gsm;
use vusim_crypto::keys::{Ck, Ik, Kausf, Key128, Opc};
use vusim_crypto::milenage::{Milenage, MilenageConstants};
use vusim_crypto::tuak::Tuak;
use vusim_crypto::xor::Xor3g;
use vusim_crypto::CryptoError;

use crate::{Report, Result};

/// RAND, SQN, AMF and an optional AUTS: the challenge the three AKA algorithms answer.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// RAND.
    pub rand: [u8; 16],
    /// SQN.
    pub sqn: [u8; 6],
    /// AMF.
    pub amf: [u8; 2],
    /// AUTS from a synchronisation failure, to check (MAC-S over AMF 0000).
    pub auts: Option<Auts>,
}

/// The outputs common to the three algorithms, before reporting.
struct Outputs<'a> {
    mac_a: &'a [u8],
    mac_s: &'a [u8],
    res: &'a [u8],
    ck: &'a [u8],
    ik: &'a [u8],
    ak: [u8; 6],
    ak_star: [u8; 6],
}

/// Reports mac_a … ak_star, then AUTN (64-bit MAC only), SRES (RES of 4–16 bytes) and
/// Kc (128-bit CK and IK) — the last three are left out where the sizes do not allow them.
fn report_outputs(r: &mut Report, p: &Challenge, o: &Outputs<'_>) -> Result<()> {
    r.hex("mac_a", o.mac_a);
    r.hex("mac_s", o.mac_s);
    r.hex("res", o.res);
    r.hex("ck", o.ck);
    r.hex("ik", o.ik);
    r.hex("ak", &o.ak);
    r.hex("ak_star", &o.ak_star);
    if let Ok(mac) = <[u8; 8]>::try_from(o.mac_a) {
        r.hex("autn", &Autn::build(&p.sqn, &o.ak, &p.amf, &mac).to_bytes());
    }
    if (4..=16).contains(&o.res.len()) {
        r.hex("sres", &gsm::c2(o.res)?);
    }
    if let (Ok(ck), Ok(ik)) = (Ck::from_slice(o.ck), Ik::from_slice(o.ik)) {
        r.hex("kc", gsm::c3(&ck, &ik).as_bytes());
    }
    Ok(())
}

/// Recovers SQN_MS from AUTS and checks MAC-S (AMF 0000); a failed check marks the report
/// failed.
fn report_auts(r: &mut Report, alg: &dyn AkaAlgorithm, p: &Challenge) -> Result<()> {
    let Some(auts) = &p.auts else {
        return Ok(());
    };
    let ak_star = alg.f5star(&p.rand)?;
    let mut sqn_ms = auts.sqn_xor_ak_star;
    for (s, a) in sqn_ms.iter_mut().zip(ak_star) {
        *s ^= a;
    }
    r.hex("sqn_ms", &sqn_ms);
    let ok = match aka::recover_sqn_ms(alg, &p.rand, auts) {
        Ok(_) => true,
        Err(CryptoError::MacMismatch { .. }) => false,
        Err(e) => return Err(e.into()),
    };
    r.check("auts_mac_ok", ok);
    Ok(())
}

/// MILENAGE f1–f5* with these operator constants: opc, the outputs, AUTN, SRES, Kc, and the
/// AUTS check.
///
/// # Errors
/// Not expected for well-sized inputs (c2 refuses a RES outside 4–16 bytes, which MILENAGE never
/// gives).
pub fn milenage(
    k: &Key128,
    opc: &Opc,
    constants: MilenageConstants,
    p: &Challenge,
) -> Result<Report> {
    let m = Milenage::with_constants(k, opc, constants);
    let out = m.compute(&p.rand, &p.sqn, &p.amf);
    let mut r = Report::default();
    r.hex("opc", opc.as_bytes());
    report_outputs(
        &mut r,
        p,
        &Outputs {
            mac_a: &out.mac_a,
            mac_s: &out.mac_s,
            res: &out.res,
            ck: out.ck.as_bytes(),
            ik: out.ik.as_bytes(),
            ak: out.ak,
            ak_star: out.ak_star,
        },
    )?;
    report_auts(&mut r, &m, p)?;
    Ok(r)
}

/// TUAK f1–f5* (lengths as `t` was configured): topc, the outputs where the sizes allow them,
/// and the AUTS check.
///
/// # Errors
/// An AUTS check with a MAC length other than 64 bits.
pub fn tuak(t: &Tuak, p: &Challenge) -> Result<Report> {
    let mac_a = t.f1(&p.rand, &p.sqn, &p.amf);
    let mac_s = t.f1star(&p.rand, &p.sqn, &p.amf);
    let keys = t.f2345(&p.rand);
    let mut r = Report::default();
    r.hex("topc", t.topc().as_bytes());
    report_outputs(
        &mut r,
        p,
        &Outputs {
            mac_a: mac_a.as_bytes(),
            mac_s: mac_s.as_bytes(),
            res: keys.res.as_bytes(),
            ck: keys.ck.as_bytes(),
            ik: keys.ik.as_bytes(),
            ak: keys.ak,
            ak_star: t.f5star(&p.rand),
        },
    )?;
    report_auts(&mut r, t, p)?;
    Ok(r)
}

/// The XOR test algorithm: the outputs, AUTN, SRES, Kc and the AUTS check.
///
/// # Errors
/// Not expected (the algorithm was built with a valid RES length).
pub fn xor(x: &Xor3g, p: &Challenge) -> Result<Report> {
    let mac = x.mac(&p.rand, &p.sqn, &p.amf);
    let mac_s = x.f1star(&p.rand, &p.sqn, &p.amf)?;
    let keys = x.keys(&p.rand);
    let mut r = Report::default();
    report_outputs(
        &mut r,
        p,
        &Outputs {
            mac_a: &mac,
            mac_s: &mac_s,
            res: keys.res.as_bytes(),
            ck: keys.ck.as_bytes(),
            ik: keys.ik.as_bytes(),
            ak: keys.ak,
            ak_star: x.f5star(&p.rand)?,
        },
    )?;
    report_auts(&mut r, x, p)?;
    Ok(r)
}

/// K_SEAF (TS 33.501 A.6) and, with a SUPI and ABBA, K_AMF (A.7).
fn seaf_amf(r: &mut Report, k_ausf: &Kausf, snn: &str, amf: Option<(&str, &[u8])>) -> Result<()> {
    let k_seaf = fiveg::k_seaf(k_ausf, snn)?;
    r.hex("k_seaf", k_seaf.as_bytes());
    if let Some((supi, abba)) = amf {
        r.hex("k_amf", fiveg::k_amf(&k_seaf, supi, abba)?.as_bytes());
    }
    Ok(())
}

/// 5G AKA (TS 33.501 A.4, A.5, A.2, A.6, A.7): RES*, HXRES*, K_AUSF, K_SEAF and, with a SUPI
/// and ABBA, K_AMF.
///
/// # Errors
/// A KDF parameter over 65535 octets.
pub fn fiveg_aka(
    ck: &Ck,
    ik: &Ik,
    snn: &str,
    rand: &[u8; 16],
    res: &[u8],
    sqn_xor_ak: &[u8; 6],
    amf: Option<(&str, &[u8])>,
) -> Result<Report> {
    let res_star = fiveg::res_star(ck, ik, snn, rand, res)?;
    let k_ausf = fiveg::k_ausf(ck, ik, snn, sqn_xor_ak)?;
    let mut r = Report::default();
    r.hex("res_star", &res_star);
    r.hex("hxres_star", &fiveg::hres_star(rand, &res_star));
    r.hex("k_ausf", k_ausf.as_bytes());
    seaf_amf(&mut r, &k_ausf, snn, amf)?;
    Ok(r)
}

/// EAP-AKA' (TS 33.501 A.3, RFC 9048 §3.3): CK', IK', K_encr, K_aut, K_re, MSK, EMSK, K_AUSF,
/// and with an SNN K_SEAF (and K_AMF with a SUPI and ABBA).
///
/// # Errors
/// A KDF parameter over 65535 octets.
pub fn eap_aka_prime(
    ck: &Ck,
    ik: &Ik,
    network_name: &str,
    sqn_xor_ak: &[u8; 6],
    identity: &str,
    snn: Option<&str>,
    amf: Option<(&str, &[u8])>,
) -> Result<Report> {
    let (ck_p, ik_p) = fiveg::ck_ik_prime(ck, ik, network_name, sqn_xor_ak)?;
    let keys = EapAkaPrimeKeys::derive(&ik_p, &ck_p, identity.as_bytes())?;
    let k_ausf = keys.k_ausf();
    let mut r = Report::default();
    r.hex("ck_prime", ck_p.as_bytes());
    r.hex("ik_prime", ik_p.as_bytes());
    r.hex("k_encr", keys.k_encr.as_bytes());
    r.hex("k_aut", keys.k_aut.as_bytes());
    r.hex("k_re", keys.k_re.as_bytes());
    r.hex("msk", keys.msk.as_bytes());
    r.hex("emsk", keys.emsk.as_bytes());
    r.hex("k_ausf", k_ausf.as_bytes());
    if let Some(snn) = snn {
        seaf_amf(&mut r, &k_ausf, snn, amf)?;
    }
    Ok(r)
}

/// The BSF domain of the B-TID for an IMPI in `…@ims.mncXXX.mccYYY.3gppnetwork.org`:
/// `bsf.mncXXX.mccYYY.pub.3gppnetwork.org` (TS 23.003 §16.2); `None` for other realms.
pub fn bsf_domain_from_impi(impi: &str) -> Option<String> {
    let (_, realm) = impi.rsplit_once('@')?;
    let realm = realm.to_ascii_lowercase();
    let plmn = realm
        .strip_prefix("ims.")?
        .strip_suffix(".3gppnetwork.org")?;
    let (mnc, mcc) = plmn.split_once('.')?;
    let mnc = mnc.strip_prefix("mnc")?;
    let mcc = mcc.strip_prefix("mcc")?;
    let three_digits = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit());
    (three_digits(mnc) && three_digits(mcc))
        .then(|| format!("bsf.mnc{mnc}.mcc{mcc}.pub.3gppnetwork.org"))
}

/// GBA (TS 33.220 §4.5.2, Annex B.3): Ks, B-TID, NAF_Id, Ks_ext_NAF and Ks_int_NAF.
///
/// # Errors
/// An IMPI or NAF_Id over 65535 octets.
pub fn gba(
    ck: &Ck,
    ik: &Ik,
    rand: &[u8; 16],
    impi: &str,
    naf_fqdn: &str,
    ua: UaProtocolId,
    bsf_domain: &str,
) -> Result<Report> {
    let ks = gba::ks_from_ck_ik(ck, ik);
    let naf_id = gba::naf_id(naf_fqdn, ua);
    let mut r = Report::default();
    r.hex("ks", ks.as_bytes());
    r.text("b_tid", gba::b_tid(rand, bsf_domain));
    r.hex("naf_id", &naf_id);
    r.hex(
        "ks_ext_naf",
        gba::ks_ext_naf(&ks, rand, impi, &naf_id)?.as_bytes(),
    );
    r.hex(
        "ks_int_naf",
        gba::ks_int_naf(&ks, rand, impi, &naf_id)?.as_bytes(),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::bsf_domain_from_impi;

    #[test]
    fn bsf_from_realm() {
        assert_eq!(
            bsf_domain_from_impi("555444333222111@ims.mnc044.mcc555.3gppnetwork.org").as_deref(),
            Some("bsf.mnc044.mcc555.pub.3gppnetwork.org")
        );
        assert_eq!(bsf_domain_from_impi("user@example.com"), None);
        assert_eq!(
            bsf_domain_from_impi("x@ims.mnc44.mcc555.3gppnetwork.org"),
            None
        );
    }
}
