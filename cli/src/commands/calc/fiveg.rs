//! `vusim calc 5g`: 5G AKA keys (TS 33.501 Annex A.2, A.4–A.7) or, with `--eap-aka-prime`,
//! CK'/IK' (TS 33.501 A.3) and the EAP-AKA' key schedule (RFC 9048 §3.3, K_AUSF = EMSK[0..32]).

use anyhow::{anyhow, Context};
use clap::Args;
use vusim_apdu::hexstr::{digits, hex_any, hex_fixed, hex_range};
use vusim_applet::crypto::fiveg;
use vusim_applet::crypto::keys::{Ck, Ik};
use vusim_network::calc;

use super::Report;

/// Arguments of `vusim calc 5g`.
#[derive(Debug, Args)]
pub struct FiveGArgs {
    /// CK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ck: String,
    /// IK (16 bytes).
    #[arg(long, value_name = "HEX")]
    pub ik: String,
    /// RAND (16 bytes); for RES*/HXRES* (not used with --eap-aka-prime).
    #[arg(long, value_name = "HEX", required_unless_present = "eap_aka_prime")]
    pub rand: Option<String>,
    /// RES (4 to 16 bytes); for RES* (not used with --eap-aka-prime).
    #[arg(long, value_name = "HEX", required_unless_present = "eap_aka_prime")]
    pub res: Option<String>,
    /// SQN ⊕ AK, the first 6 bytes of AUTN.
    #[arg(long, value_name = "HEX")]
    pub sqn_xor_ak: String,
    /// Serving network name, e.g. `5G:mnc001.mcc001.3gppnetwork.org`.
    #[arg(long, conflicts_with_all = ["mcc", "mnc"])]
    pub snn: Option<String>,
    /// MCC (3 digits): with --mnc, builds the SNN `5G:mnc<MNC, zero-padded to 3>.mcc<MCC>…`.
    #[arg(long, requires = "mnc")]
    pub mcc: Option<String>,
    /// MNC (2 or 3 digits), with --mcc.
    #[arg(long, requires = "mcc")]
    pub mnc: Option<String>,
    /// SUPI as used in K_AMF (IMSI digits or NAI); adds k_amf.
    #[arg(long)]
    pub supi: Option<String>,
    /// ABBA parameter for K_AMF.
    #[arg(long, value_name = "HEX", default_value = "0000")]
    pub abba: String,
    /// EAP-AKA' instead of 5G AKA: ck_prime, ik_prime, k_encr, k_aut, k_re, msk, emsk, k_ausf
    /// (plus k_seaf when an SNN is given, and k_amf when --supi is given too).
    #[arg(long, requires = "identity")]
    pub eap_aka_prime: bool,
    /// EAP-AKA' peer identity (text), as in MK = PRF'(IK' ‖ CK', "EAP-AKA'" ‖ Identity).
    #[arg(long)]
    pub identity: Option<String>,
    /// EAP-AKA' access network name for CK'/IK' (default: the SNN).
    #[arg(long, value_name = "NAME")]
    pub network_name: Option<String>,
}

fn snn(a: &FiveGArgs) -> anyhow::Result<Option<String>> {
    match (&a.snn, &a.mcc, &a.mnc) {
        (Some(s), _, _) => Ok(Some(s.clone())),
        (None, Some(mcc), Some(mnc)) => {
            let mcc = digits("--mcc", mcc, 3, 3)?;
            let mnc = digits("--mnc", mnc, 2, 3)?;
            Ok(Some(
                fiveg::serving_network_name(&mcc, &mnc).context("--mcc/--mnc")?,
            ))
        }
        _ => Ok(None),
    }
}

/// `vusim calc 5g`.
pub(super) fn fiveg(a: &FiveGArgs) -> anyhow::Result<Report> {
    let ck = Ck::new(hex_fixed("--ck", &a.ck)?);
    let ik = Ik::new(hex_fixed("--ik", &a.ik)?);
    let sqn_xor_ak: [u8; 6] = hex_fixed("--sqn-xor-ak", &a.sqn_xor_ak)?;
    let snn = snn(a)?;
    if a.eap_aka_prime {
        let identity = a
            .identity
            .as_deref()
            .ok_or_else(|| anyhow!("--identity is required with --eap-aka-prime"))?;
        let network_name =
            a.network_name.as_ref().or(snn.as_ref()).ok_or_else(|| {
                anyhow!("--eap-aka-prime needs --network-name, --snn or --mcc/--mnc")
            })?;
        // K_SEAF, and so K_AMF and its ABBA, only with an SNN.
        let abba = match snn {
            Some(_) => abba(a)?,
            None => Vec::new(),
        };
        return Ok(calc::eap_aka_prime(
            &ck,
            &ik,
            network_name,
            &sqn_xor_ak,
            identity,
            snn.as_deref(),
            amf_inputs(a, &abba),
        )?);
    }
    let snn = snn.ok_or_else(|| anyhow!("--snn or --mcc/--mnc is required"))?;
    let rand: [u8; 16] = hex_fixed(
        "--rand",
        a.rand
            .as_deref()
            .ok_or_else(|| anyhow!("--rand is required"))?,
    )?;
    let res = hex_range(
        "--res",
        a.res
            .as_deref()
            .ok_or_else(|| anyhow!("--res is required"))?,
        4,
        16,
    )?;
    let abba = abba(a)?;
    Ok(calc::fiveg_aka(
        &ck,
        &ik,
        &snn,
        &rand,
        &res,
        &sqn_xor_ak,
        amf_inputs(a, &abba),
    )?)
}

/// ABBA, parsed only when a SUPI asks for K_AMF.
fn abba(a: &FiveGArgs) -> anyhow::Result<Vec<u8>> {
    match a.supi {
        Some(_) => Ok(hex_any("--abba", &a.abba)?),
        None => Ok(Vec::new()),
    }
}

/// SUPI and ABBA for K_AMF, when a SUPI is given.
fn amf_inputs<'a>(a: &'a FiveGArgs, abba: &'a [u8]) -> Option<(&'a str, &'a [u8])> {
    a.supi.as_deref().map(|supi| (supi, abba))
}
