//! AUTHENTICATE (TS 31.102 §7.1.2) as the ME sends it, and the card's answers as the ME reads
//! them: GSM context (P2 `80`), 3G context (P2 `81`), GBA context (P2 `84`, bootstrapping `DD`
//! and NAF derivation `DE`, §7.1.2.3–§7.1.2.4), and vusim's proposed 5G AKMA context (P2 `87`,
//! RFU in TS 31.102; docs/api/akma.md §3). The answers decode with the one codec the card also
//! builds them with, [`vusim_apdu::authenticate::AuthResponse`].

use vusim_apdu::authenticate::{
    AuthMode, AuthResponse, AKMA_METHOD_EAP_AKA_PRIME, TAG_GBA_BOOTSTRAP, TAG_GBA_NAF,
};
use vusim_apdu::{Command, Response, StatusWord};

use crate::error::{NetworkError, Result};

/// INS of AUTHENTICATE (TS 102 221 §10.1.2).
const INS_AUTHENTICATE: u8 = vusim_apdu::ins::Ins::Authenticate.byte();

pub use vusim_apdu::authenticate::AuthContext;

/// An AUTHENTICATE command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthenticateCommand {
    /// GSM context: `10 RAND`.
    Gsm {
        /// RAND.
        rand: [u8; 16],
    },
    /// 3G context: `10 RAND 10 AUTN`.
    ThreeG {
        /// RAND.
        rand: [u8; 16],
        /// AUTN.
        autn: [u8; 16],
    },
    /// GBA bootstrapping: `DD 10 RAND 10 AUTN*`.
    GbaBootstrap {
        /// RAND.
        rand: [u8; 16],
        /// AUTN* (MAC* = MAC ⊕ SHA-1(IK), TS 33.220 Annex G).
        autn: [u8; 16],
    },
    /// GBA NAF derivation: `DE L NAF_Id L IMPI`.
    GbaNaf {
        /// NAF_Id = FQDN ‖ Ua security protocol identifier.
        naf_id: Vec<u8>,
        /// IMPI.
        impi: Vec<u8>,
    },
    /// vusim's 5G AKMA context with EAP-AKA′: `10 RAND 10 AUTN L SNN 01 01`.
    AkmaEap {
        /// RAND.
        rand: [u8; 16],
        /// AUTN.
        autn: [u8; 16],
        /// Serving network name (the EAP-AKA′ network name).
        snn: Vec<u8>,
    },
    /// vusim's 5G AKMA context: `10 RAND 10 AUTN L SNN`.
    Akma {
        /// RAND.
        rand: [u8; 16],
        /// AUTN.
        autn: [u8; 16],
        /// Serving network name.
        snn: Vec<u8>,
    },
}

fn lv(out: &mut Vec<u8>, value: &[u8], what: &str) -> Result<()> {
    out.push(
        u8::try_from(value.len())
            .map_err(|_| NetworkError::input(format!("{what} longer than 255 bytes")))?,
    );
    out.extend_from_slice(value);
    Ok(())
}

impl AuthenticateCommand {
    /// The context (P2).
    pub fn context(&self) -> AuthContext {
        match self {
            AuthenticateCommand::Gsm { .. } => AuthContext::Gsm,
            AuthenticateCommand::ThreeG { .. } => AuthContext::ThreeG,
            AuthenticateCommand::GbaBootstrap { .. } | AuthenticateCommand::GbaNaf { .. } => {
                AuthContext::Gba
            }
            AuthenticateCommand::Akma { .. } | AuthenticateCommand::AkmaEap { .. } => {
                AuthContext::Vusim5gAkma
            }
        }
    }

    /// The command data.
    pub fn data(&self) -> Result<Vec<u8>> {
        let mut d = Vec::new();
        match self {
            AuthenticateCommand::Gsm { rand } => lv(&mut d, rand, "RAND")?,
            AuthenticateCommand::ThreeG { rand, autn } => {
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
            }
            AuthenticateCommand::GbaBootstrap { rand, autn } => {
                d.push(TAG_GBA_BOOTSTRAP);
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
            }
            AuthenticateCommand::GbaNaf { naf_id, impi } => {
                d.push(TAG_GBA_NAF);
                lv(&mut d, naf_id, "NAF_Id")?;
                lv(&mut d, impi, "IMPI")?;
            }
            AuthenticateCommand::Akma { rand, autn, snn } => {
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
                lv(&mut d, snn, "SNN")?;
            }
            AuthenticateCommand::AkmaEap { rand, autn, snn } => {
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
                lv(&mut d, snn, "SNN")?;
                lv(&mut d, &[AKMA_METHOD_EAP_AKA_PRIME], "method")?;
            }
        }
        Ok(d)
    }

    /// The command APDU (class `00`, Le `00`).
    pub fn apdu(&self) -> Result<Vec<u8>> {
        let c = Command::build(
            0x00,
            INS_AUTHENTICATE,
            0x00,
            self.context().p2(),
            &self.data()?,
            Some(256),
        )?;
        Ok(c.encode())
    }
}

fn decode(mode: AuthMode, d: &[u8]) -> Result<AuthResponse> {
    AuthResponse::parse(mode, d)
        .map_err(|e| NetworkError::Malformed(format!("{e}: {}", hex::encode_upper(d))))
}

/// The AUTS of a synchronisation failure answer (`9000` with `DC 0E AUTS`), if it is one.
pub fn sync_failure(resp: &Response) -> Option<Vec<u8>> {
    if resp.sw != StatusWord::SUCCESS {
        return None;
    }
    match AuthResponse::parse(AuthMode::ThreeG, &resp.data) {
        Ok(AuthResponse::SyncFailure { auts }) => Some(auts.to_vec()),
        _ => None,
    }
}

/// Require `9000`, naming the command.
pub fn require_success(resp: &Response, what: &str) -> Result<()> {
    if resp.sw != StatusWord::SUCCESS {
        return Err(NetworkError::Refused {
            what: what.to_string(),
            sw: resp.sw,
            meaning: resp.sw.meaning_for(INS_AUTHENTICATE),
        });
    }
    Ok(())
}

fn unexpected(what: &str, r: &AuthResponse) -> NetworkError {
    NetworkError::Malformed(format!("{what}: unexpected answer {r:?}"))
}

/// 3G context success `DB L RES L CK L IK [08 Kc]` → (RES, CK, IK).
pub fn parse_3g(d: &[u8]) -> Result<(Vec<u8>, [u8; 16], [u8; 16])> {
    match &decode(AuthMode::ThreeG, d)? {
        AuthResponse::ThreeG { res, ck, ik, .. } => Ok((res.clone(), *ck, *ik)),
        other => Err(unexpected("AUTHENTICATE (3G context)", other)),
    }
}

/// GSM context `04 SRES 08 Kc` → (SRES, Kc).
pub fn parse_gsm(d: &[u8]) -> Result<([u8; 4], [u8; 8])> {
    match &decode(AuthMode::Gsm, d)? {
        AuthResponse::Gsm { sres, kc } => Ok((*sres, *kc)),
        other => Err(unexpected("AUTHENTICATE (GSM context)", other)),
    }
}

/// GBA bootstrapping success `DB L RES` → RES.
pub fn parse_gba_bootstrap(d: &[u8]) -> Result<Vec<u8>> {
    match &decode(AuthMode::GbaBootstrap, d)? {
        AuthResponse::GbaBootstrap { res } => Ok(res.clone()),
        other => Err(unexpected("AUTHENTICATE (GBA bootstrapping)", other)),
    }
}

/// GBA NAF derivation `DB 20 Ks_ext_NAF` → Ks_ext_NAF.
pub fn parse_naf_derivation(d: &[u8]) -> Result<Vec<u8>> {
    match &decode(AuthMode::GbaNaf, d)? {
        AuthResponse::NafDerivation { ks_ext_naf } => Ok(ks_ext_naf.clone()),
        other => Err(unexpected("AUTHENTICATE (GBA NAF derivation)", other)),
    }
}

/// 5G AKMA context success `DB 10 RES* 20 K_SEAF` → (RES*, K_SEAF).
pub fn parse_akma(d: &[u8]) -> Result<([u8; 16], [u8; 32])> {
    match &decode(AuthMode::Vusim5gAkma, d)? {
        AuthResponse::Vusim5gAkma { res_star, k_seaf } => Ok((*res_star, *k_seaf)),
        other => Err(unexpected("AUTHENTICATE (5G AKMA context)", other)),
    }
}

/// 5G AKMA context success with EAP-AKA′ `DB L RES 20 K_aut 20 K_SEAF` → (RES, K_aut, K_SEAF).
pub fn parse_akma_eap(d: &[u8]) -> Result<(Vec<u8>, [u8; 32], [u8; 32])> {
    match &decode(AuthMode::Vusim5gAkmaEap, d)? {
        AuthResponse::Vusim5gAkmaEap { res, k_aut, k_seaf } => Ok((res.clone(), *k_aut, *k_seaf)),
        other => Err(unexpected(
            "AUTHENTICATE (5G AKMA context, EAP-AKA')",
            other,
        )),
    }
}
