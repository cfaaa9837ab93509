//! `vusim calc 5g`: 5G AKA keys (TS 33.501 Annex A.2, A.4–A.7) or, with `--eap-aka-prime`,
//! CK'/IK' (TS 33.501 A.3) and the EAP-AKA' key schedule (RFC 9048 §3.3, K_AUSF = EMSK[0..32]).

use clap::Args;
use vusim_network::calc::inputs::{self as calc, FiveGText};

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

/// `vusim calc 5g`.
pub(super) fn fiveg(a: &FiveGArgs) -> anyhow::Result<Report> {
    Ok(calc::fiveg(&FiveGText {
        ck: &a.ck,
        ik: &a.ik,
        rand: a.rand.as_deref(),
        res: a.res.as_deref(),
        sqn_xor_ak: &a.sqn_xor_ak,
        snn: a.snn.as_deref(),
        mcc: a.mcc.as_deref(),
        mnc: a.mnc.as_deref(),
        supi: a.supi.as_deref(),
        abba: &a.abba,
        eap_aka_prime: a.eap_aka_prime,
        identity: a.identity.as_deref(),
        network_name: a.network_name.as_deref(),
    })?)
}
