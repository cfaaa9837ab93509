//! AUTHENTICATE (TS 31.102 §7.1.2) as the ME sends it, and the card's answers as the ME reads
//! them: GSM context (P2 `80`), 3G context (P2 `81`), GBA context (P2 `84`, bootstrapping `DD`
//! and NAF derivation `DE`, §7.1.2.3–§7.1.2.4), and vusim's proposed 5G AKMA context (P2 `87`,
//! RFU in TS 31.102; docs/api/akma.md §3).

use vusim_apdu::{Command, Response, StatusWord};

use crate::error::{NetworkError, Result};

/// INS of AUTHENTICATE (TS 102 221 §10.1.2).
const INS_AUTHENTICATE: u8 = 0x88;

/// The security context of an AUTHENTICATE command (P2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthContext {
    /// GSM context, P2 `80`.
    Gsm,
    /// 3G/EPS/5G context, P2 `81`.
    ThreeG,
    /// GBA context, P2 `84`.
    Gba,
    /// vusim's 5G AKMA context, P2 `87` (RFU in TS 31.102 §7.1.2).
    Akma,
}

impl AuthContext {
    /// P2.
    pub fn p2(self) -> u8 {
        match self {
            AuthContext::Gsm => 0x80,
            AuthContext::ThreeG => 0x81,
            AuthContext::Gba => 0x84,
            AuthContext::Akma => 0x87,
        }
    }
}

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
            AuthenticateCommand::Akma { .. } => AuthContext::Akma,
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
                d.push(0xDD);
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
            }
            AuthenticateCommand::GbaNaf { naf_id, impi } => {
                d.push(0xDE);
                lv(&mut d, naf_id, "NAF_Id")?;
                lv(&mut d, impi, "IMPI")?;
            }
            AuthenticateCommand::Akma { rand, autn, snn } => {
                lv(&mut d, rand, "RAND")?;
                lv(&mut d, autn, "AUTN")?;
                lv(&mut d, snn, "SNN")?;
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

/// The AUTS of a synchronisation failure answer (`9000` with `DC 0E AUTS`), if it is one.
pub fn sync_failure(resp: &Response) -> Option<Vec<u8>> {
    (resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC))
        .then(|| resp.data.get(2..16).unwrap_or_default().to_vec())
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

/// 3G context success `DB L RES L CK L IK [08 Kc]` → (RES, CK, IK).
pub fn parse_3g(d: &[u8]) -> Result<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    match d {
        [0xDB, l, rest @ ..] => {
            let l = usize::from(*l);
            Ok((
                rest.get(..l).unwrap_or_default().to_vec(),
                rest.get(l + 1..l + 17).unwrap_or_default().to_vec(),
                rest.get(l + 18..l + 34).unwrap_or_default().to_vec(),
            ))
        }
        _ => Err(NetworkError::Malformed(format!(
            "AUTHENTICATE answer malformed: {}",
            hex::encode_upper(d)
        ))),
    }
}

/// GSM context `04 SRES 08 Kc` → (SRES, Kc).
pub fn parse_gsm(r: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    match r {
        [0x04, s @ ..] if s.len() == 13 => Ok((
            s.get(..4).unwrap_or_default().to_vec(),
            s.get(5..13).unwrap_or_default().to_vec(),
        )),
        _ => Err(NetworkError::Malformed(format!(
            "GSM context answer malformed: {}",
            hex::encode_upper(r)
        ))),
    }
}

/// GBA bootstrapping success `DB L RES` → RES.
pub fn parse_gba_bootstrap(d: &[u8]) -> Result<Vec<u8>> {
    match d {
        [0xDB, l, rest @ ..] if rest.len() == usize::from(*l) => Ok(rest.to_vec()),
        _ => Err(NetworkError::Malformed(format!(
            "GBA bootstrapping answer malformed: {}",
            hex::encode_upper(d)
        ))),
    }
}

/// GBA NAF derivation `DB 20 Ks_ext_NAF` → Ks_ext_NAF.
pub fn parse_naf_derivation(d: &[u8]) -> Result<Vec<u8>> {
    match d {
        [0xDB, 0x20, k @ ..] if k.len() == 32 => Ok(k.to_vec()),
        _ => Err(NetworkError::Malformed(format!(
            "NAF derivation answer malformed: {}",
            hex::encode_upper(d)
        ))),
    }
}

/// 5G AKMA context success `DB 10 RES* 20 K_SEAF` → (RES*, K_SEAF).
pub fn parse_akma(d: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    match d {
        [0xDB, 0x10, rest @ ..] if rest.len() == 16 + 1 + 32 => Ok((
            rest.get(..16).unwrap_or_default().to_vec(),
            rest.get(17..).unwrap_or_default().to_vec(),
        )),
        _ => Err(NetworkError::Malformed(format!(
            "AUTHENTICATE answer malformed ({} bytes)",
            d.len()
        ))),
    }
}
