//! The calculators of `vusim calc` with their inputs as the command line gives them: hex text
//! and digits, parsed here with every error naming its argument, then computed by the functions
//! of [`super`] (the algorithms and clauses are cited there and in vusim-crypto).

use vusim_apdu::hexstr::{digits, hex_any, hex_fixed, hex_nonempty, hex_one_of, hex_range};
use vusim_crypto::aka::{Autn, Auts, AUTS_LEN};
use vusim_crypto::akma::{self, AKidFormat};
use vusim_crypto::fiveg;
use vusim_crypto::gba::{self, UaProtocolId};
use vusim_crypto::kdf::{Fc, KdfInput};
use vusim_crypto::keys::{Ck, Ik, Kausf, Key128, KsNaf, Op, Opc, Top, Topc};
use vusim_crypto::milenage::{compute_opc, MilenageConstants};
use vusim_crypto::seed::{self, SeedFcs};
use vusim_crypto::tuak::{Tuak, TuakKey, TuakParams};
use vusim_crypto::xor::Xor3g;
use vusim_crypto::CryptoError;

use super::Challenge;
use crate::error::NetworkError;
use crate::inputs::Choice;
use crate::{Report, Result};

/// The command line's A-KID renderings (`vusim calc akma --a-kid-format`).
pub const A_KID_FORMATS: &[Choice<AKidFormat>] = &[
    (
        AKidFormat::RidDotBase64,
        "rid-dot-base64",
        "`<RID>.<base64(A-TID)>@<realm>`",
    ),
    (
        AKidFormat::RidDotHex,
        "rid-dot-hex",
        "`<RID>.<hex(A-TID)>@<realm>`",
    ),
    (
        AKidFormat::Tagged,
        "tagged",
        "`rid<RID>.atid<hex(A-TID)>@<realm>`",
    ),
];

/// RAND, SQN, AMF and an optional AUTS (`--rand --sqn --amf --auts`, hex).
#[derive(Debug, Clone, Copy)]
pub struct ChallengeText<'a> {
    /// RAND (16 bytes).
    pub rand: &'a str,
    /// SQN (6 bytes).
    pub sqn: &'a str,
    /// AMF (2 bytes).
    pub amf: &'a str,
    /// AUTS (14 bytes).
    pub auts: Option<&'a str>,
}

impl ChallengeText<'_> {
    fn parse(&self) -> Result<Challenge> {
        Ok(Challenge {
            rand: hex_fixed("--rand", self.rand)?,
            sqn: hex_fixed("--sqn", self.sqn)?,
            amf: hex_fixed("--amf", self.amf)?,
            auts: self
                .auts
                .map(|t| hex_fixed::<AUTS_LEN>("--auts", t).map(|b| Auts::from_bytes(&b)))
                .transpose()?,
        })
    }
}

/// `vusim calc milenage`: K, OP or OPc, the challenge and the operator constants (r1–r5 in bits,
/// c1–c5 hex; unset ones keep TS 35.206's values).
#[derive(Debug, Clone, Copy)]
pub struct MilenageText<'a> {
    /// K (16 bytes).
    pub k: &'a str,
    /// OP (16 bytes).
    pub op: Option<&'a str>,
    /// OPc (16 bytes).
    pub opc: Option<&'a str>,
    /// The challenge.
    pub challenge: ChallengeText<'a>,
    /// r1–r5.
    pub r: [Option<u32>; 5],
    /// c1–c5 (16 bytes each).
    pub c: [Option<&'a str>; 5],
}

/// MILENAGE f1–f5*, AUTN, SRES/Kc and the AUTS check.
pub fn milenage(a: &MilenageText<'_>) -> Result<Report> {
    let k = Key128::new(hex_fixed("--k", a.k)?);
    let opc = match (a.op, a.opc) {
        (Some(op), _) => compute_opc(&k, &Op::new(hex_fixed("--op", op)?)),
        (None, Some(opc)) => Opc::new(hex_fixed("--opc", opc)?),
        (None, None) => return Err(NetworkError::input("one of --op or --opc is required")),
    };
    let p = a.challenge.parse()?;
    let mut consts = MilenageConstants::default();
    for (slot, r) in consts.r.iter_mut().zip(a.r) {
        if let Some(r) = r {
            *slot = r;
        }
    }
    let names = ["--c1", "--c2", "--c3", "--c4", "--c5"];
    for ((slot, c), name) in consts.c.iter_mut().zip(a.c).zip(names) {
        if let Some(text) = c {
            *slot = hex_fixed(name, text)?;
        }
    }
    super::milenage(&k, &opc, consts, &p)
}

/// `vusim calc tuak`: K, TOP or TOPc, the challenge and the TUAK sizes (TS 35.231).
#[derive(Debug, Clone, Copy)]
pub struct TuakText<'a> {
    /// K (16 or 32 bytes).
    pub k: &'a str,
    /// TOP (32 bytes).
    pub top: Option<&'a str>,
    /// TOPc (32 bytes).
    pub topc: Option<&'a str>,
    /// The challenge.
    pub challenge: ChallengeText<'a>,
    /// The sizes and the Keccak iterations (`--mac-len --res-len --ck-len --ik-len
    /// --iterations`).
    pub params: TuakParams,
}

/// TUAK f1–f5*, AUTN, SRES/Kc and the AUTS check.
pub fn tuak(a: &TuakText<'_>) -> Result<Report> {
    let k = TuakKey::from_slice(&hex_one_of("--k", a.k, &[16, 32])?)?;
    a.params.validate().map_err(|e| match e {
        CryptoError::UnsupportedLength { what, allowed, got } => {
            let arg = match what {
                "TUAK MAC bits" => "--mac-len",
                "TUAK RES bits" => "--res-len",
                "TUAK CK bits" => "--ck-len",
                "TUAK IK bits" => "--ik-len",
                _ => "--iterations",
            };
            NetworkError::input(format!("{arg}: expected {allowed}, got {got}"))
        }
        other => other.into(),
    })?;
    let t = match (a.top, a.topc) {
        (Some(top), _) => Tuak::from_top(k, &Top::new(hex_fixed("--top", top)?), a.params)?,
        (None, Some(topc)) => Tuak::new(k, Topc::new(hex_fixed("--topc", topc)?), a.params)?,
        (None, None) => return Err(NetworkError::input("one of --top or --topc is required")),
    };
    let p = a.challenge.parse()?;
    if p.auts.is_some() && a.params.mac_bits != 64 {
        return Err(NetworkError::input(format!(
            "--auts: AUTS carries a 64-bit MAC-S, but --mac-len is {}",
            a.params.mac_bits
        )));
    }
    super::tuak(&t, &p)
}

/// The XOR test algorithm (TS 34.108 §8.1.2) for K (hex, 16 bytes), a RES length of 4 to 16
/// bytes and the challenge.
pub fn xor(k: &str, res_len: usize, challenge: &ChallengeText<'_>) -> Result<Report> {
    let k = Key128::new(hex_fixed("--k", k)?);
    let x = Xor3g::with_res_len(&k, res_len).map_err(|_| {
        NetworkError::input(format!("--res-len: expected 4 to 16 bytes, got {res_len}"))
    })?;
    let p = challenge.parse()?;
    super::xor(&x, &p)
}

/// `vusim calc 5g`: 5G AKA keys, or with `eap_aka_prime` the EAP-AKA' key schedule.
#[derive(Debug, Clone, Copy)]
pub struct FiveGText<'a> {
    /// CK (16 bytes).
    pub ck: &'a str,
    /// IK (16 bytes).
    pub ik: &'a str,
    /// RAND (16 bytes), for RES*.
    pub rand: Option<&'a str>,
    /// RES (4 to 16 bytes), for RES*.
    pub res: Option<&'a str>,
    /// SQN ⊕ AK (6 bytes).
    pub sqn_xor_ak: &'a str,
    /// Serving network name.
    pub snn: Option<&'a str>,
    /// MCC of the serving network name.
    pub mcc: Option<&'a str>,
    /// MNC of the serving network name.
    pub mnc: Option<&'a str>,
    /// SUPI, for K_AMF.
    pub supi: Option<&'a str>,
    /// ABBA (hex), for K_AMF.
    pub abba: &'a str,
    /// EAP-AKA' instead of 5G AKA.
    pub eap_aka_prime: bool,
    /// EAP-AKA' peer identity.
    pub identity: Option<&'a str>,
    /// EAP-AKA' access network name.
    pub network_name: Option<&'a str>,
}

impl FiveGText<'_> {
    fn snn(&self) -> Result<Option<String>> {
        match (self.snn, self.mcc, self.mnc) {
            (Some(s), _, _) => Ok(Some(s.to_owned())),
            (None, Some(mcc), Some(mnc)) => {
                let mcc = digits("--mcc", mcc, 3, 3)?;
                let mnc = digits("--mnc", mnc, 2, 3)?;
                Ok(Some(
                    fiveg::serving_network_name(&mcc, &mnc)
                        .map_err(NetworkError::refused("--mcc/--mnc"))?,
                ))
            }
            _ => Ok(None),
        }
    }

    /// ABBA, parsed only when a SUPI asks for K_AMF.
    fn abba(&self) -> Result<Vec<u8>> {
        match self.supi {
            Some(_) => Ok(hex_any("--abba", self.abba)?),
            None => Ok(Vec::new()),
        }
    }
}

/// The 5G keys of TS 33.501 Annex A, or the EAP-AKA' key schedule (RFC 9048 §3.3).
pub fn fiveg(a: &FiveGText<'_>) -> Result<Report> {
    let ck = Ck::new(hex_fixed("--ck", a.ck)?);
    let ik = Ik::new(hex_fixed("--ik", a.ik)?);
    let sqn_xor_ak: [u8; 6] = hex_fixed("--sqn-xor-ak", a.sqn_xor_ak)?;
    let snn = a.snn()?;
    if a.eap_aka_prime {
        let identity = a
            .identity
            .ok_or_else(|| NetworkError::input("--identity is required with --eap-aka-prime"))?;
        let network_name = a.network_name.or(snn.as_deref()).ok_or_else(|| {
            NetworkError::input("--eap-aka-prime needs --network-name, --snn or --mcc/--mnc")
        })?;
        // K_SEAF, and so K_AMF and its ABBA, only with an SNN.
        let abba = match snn {
            Some(_) => a.abba()?,
            None => Vec::new(),
        };
        return super::eap_aka_prime(
            &ck,
            &ik,
            network_name,
            &sqn_xor_ak,
            identity,
            snn.as_deref(),
            a.supi.map(|supi| (supi, abba.as_slice())),
        );
    }
    let snn = snn.ok_or_else(|| NetworkError::input("--snn or --mcc/--mnc is required"))?;
    let rand: [u8; 16] = hex_fixed(
        "--rand",
        a.rand
            .ok_or_else(|| NetworkError::input("--rand is required"))?,
    )?;
    let res = hex_range(
        "--res",
        a.res
            .ok_or_else(|| NetworkError::input("--res is required"))?,
        4,
        16,
    )?;
    let abba = a.abba()?;
    super::fiveg_aka(
        &ck,
        &ik,
        &snn,
        &rand,
        &res,
        &sqn_xor_ak,
        a.supi.map(|supi| (supi, abba.as_slice())),
    )
}

/// `vusim calc gba`: Ks, B-TID, NAF_Id, Ks_ext_NAF, Ks_int_NAF (TS 33.220 Annex B.3) from hex
/// CK, IK, RAND and Ua protocol identifier; the BSF domain from the IMPI realm when absent.
#[derive(Debug, Clone, Copy)]
pub struct GbaText<'a> {
    /// CK (16 bytes).
    pub ck: &'a str,
    /// IK (16 bytes).
    pub ik: &'a str,
    /// RAND (16 bytes).
    pub rand: &'a str,
    /// IMPI.
    pub impi: &'a str,
    /// NAF FQDN.
    pub naf_fqdn: &'a str,
    /// Ua security protocol identifier (5 bytes).
    pub ua_protocol: &'a str,
    /// BSF domain.
    pub bsf_domain: Option<&'a str>,
}

/// The GBA keys and B-TID.
pub fn gba(a: &GbaText<'_>) -> Result<Report> {
    let ck = Ck::new(hex_fixed("--ck", a.ck)?);
    let ik = Ik::new(hex_fixed("--ik", a.ik)?);
    let rand: [u8; 16] = hex_fixed("--rand", a.rand)?;
    let ua = UaProtocolId::from_bytes(hex_fixed("--ua-protocol", a.ua_protocol)?);
    let bsf = match a.bsf_domain {
        Some(d) => d.to_owned(),
        None => super::bsf_domain_from_impi(a.impi).ok_or_else(|| {
            NetworkError::input(
                "--bsf-domain is required: the IMPI realm is not ims.mncXXX.mccYYY.3gppnetwork.org",
            )
        })?,
    };
    super::gba(&ck, &ik, &rand, a.impi, a.naf_fqdn, ua, &bsf)
}

/// `vusim calc gba-autn`: AUTN* = AUTN with MAC* = MAC ⊕ the first 64 bits of SHA-1(IK)
/// (TS 33.220 §5.3.2), from hex IK and AUTN.
pub fn gba_autn(ik: &str, autn: &str) -> Result<Report> {
    let ik = Ik::new(hex_fixed("--ik", ik)?);
    let autn = Autn::from_bytes(&hex_fixed("--autn", autn)?);
    let mut r = Report::default();
    r.hex("autn_star", &gba::mask_autn(&autn, &ik).to_bytes());
    Ok(r)
}

/// `vusim calc akma`: K_AKMA and A-TID (TS 33.535 Annex A.2, A.3) from hex K_AUSF and the SUPI;
/// the A-KID for `(rid, realm)`; K_AF (A.4) for `(AF FQDN, Ua* protocol id in hex)`.
pub fn akma(
    k_ausf: &str,
    supi: &str,
    a_kid: Option<(&str, &str, AKidFormat)>,
    af: Option<(&str, &str)>,
) -> Result<Report> {
    let k_ausf = Kausf::new(hex_fixed("--k-ausf", k_ausf)?);
    let k_akma = akma::k_akma(&k_ausf, supi)?;
    let a_tid = akma::a_tid(&k_ausf, supi)?;
    let mut r = Report::default();
    r.hex("k_akma", k_akma.as_bytes());
    r.hex("a_tid", &a_tid);
    if let Some((rid, realm, format)) = a_kid {
        let rid = digits("--rid", rid, 1, 4)?;
        let a_kid =
            akma::a_kid(&rid, &a_tid, realm, format).map_err(NetworkError::refused("--realm"))?;
        r.text("a_kid", a_kid);
    }
    if let Some((fqdn, ua)) = af {
        let ua = UaProtocolId::from_bytes(hex_fixed("--ua-protocol", ua)?);
        let af_id = akma::af_id(fqdn, ua);
        r.hex("k_af", akma::k_af(&k_akma, &af_id)?.as_bytes());
    }
    Ok(r)
}

/// `vusim calc kdf`: the generic KDF of TS 33.220 Annex B.2 for a hex key (at least 1 byte), an
/// FC (`00`–`FE`, or `FFxx`) and the parameters in order: each `str:TEXT`, `hex:HEX` or bare
/// hex, then the text parameters `strings`.
pub fn kdf(key: &str, fc: &str, params: &[String], strings: &[String]) -> Result<Report> {
    let key = hex_nonempty("--key", key)?;
    let mut input = KdfInput::new(parse_fc(fc)?);
    for (i, p) in params.iter().enumerate() {
        input = if let Some(s) = p.strip_prefix("str:") {
            input.string(s)?
        } else {
            let h = p.strip_prefix("hex:").unwrap_or(p);
            input.bytes(&hex_any(&format!("--param {} (P{i})", i + 1), h)?)?
        };
    }
    for s in strings {
        input = input.string(s)?;
    }
    let mut r = Report::default();
    r.hex("derived", input.derive(&key)?.as_bytes());
    Ok(r)
}

fn parse_fc(text: &str) -> Result<Fc> {
    match hex_any("--fc", text)?.as_slice() {
        [0xFF] => Err(NetworkError::input(
            "--fc: FF introduces a two-byte FC; give FFxx (TS 33.220 B.2.2)",
        )),
        [fc] => Ok(Fc::One(*fc)),
        [0xFF, fc2] => Ok(Fc::Two(*fc2)),
        [_, _] => Err(NetworkError::input(format!(
            "--fc: a two-byte FC starts with FF, got {text:?}"
        ))),
        other => Err(NetworkError::input(format!(
            "--fc: expected 1 byte (2 hex digits) or 2 bytes FFxx, got {} bytes",
            other.len()
        ))),
    }
}

/// `vusim calc iot`: the IoT seed keys of TR 33.863 solution #11 with vusim's FC values
/// `FF E0`–`FF E3` (hex CK, IK, RAND_AS of at least 1 byte, optional GUTI for the tag t).
pub fn iot(ck: &str, ik: &str, as_id: &str, rand_as: &str, guti: Option<&str>) -> Result<Report> {
    let ck = Ck::new(hex_fixed("--ck", ck)?);
    let ik = Ik::new(hex_fixed("--ik", ik)?);
    let rand_as = hex_nonempty("--rand-as", rand_as)?;
    let guti = guti.map(|g| hex_any("--guti", g)).transpose()?;
    let fcs = SeedFcs::default();
    let ks = seed::iot_ks(&ck, &ik, &fcs)?;
    let keys = seed::iot_as_keys(&ks, as_id, &fcs)?;
    let mut r = Report::default();
    r.hex("ks", ks.as_bytes());
    r.hex("ks_as", keys.ks_as.as_bytes());
    r.hex("ks_as_enc", keys.ks_as_enc.as_bytes());
    r.hex("ks_as_int", keys.ks_as_int.as_bytes());
    r.hex(
        "k_app",
        seed::iot_k_app(&keys.ks_as_enc, &rand_as, &fcs)?.as_bytes(),
    );
    if let Some(guti) = guti {
        r.hex("t", &seed::iot_tag(&keys.ks_as_int, &guti, &rand_as)?);
    }
    Ok(r)
}

/// `vusim calc e2e`: e2e_key = KDF(Ks_NAF, FF E4, Ka) (vusim's FC) from hex Ks_NAF (32 bytes)
/// and Ka (at least 1 byte).
pub fn e2e(ks_naf: &str, ka: &str) -> Result<Report> {
    let ks_naf = KsNaf::new(hex_fixed("--ks-naf", ks_naf)?);
    let ka = hex_nonempty("--ka", ka)?;
    let mut r = Report::default();
    r.hex(
        "e2e_key",
        seed::e2e_key(&ks_naf, &ka, &SeedFcs::default())?.as_bytes(),
    );
    Ok(r)
}
