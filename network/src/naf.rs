//! The NAF's base keys for the experimental GBA_U API (docs/api/gba-api.md §5–§6): Ks_int_NAF
//! from a bootstrap (TS 33.220 Annex B.3), the third-party combined key e2e_key = KDF(Ks_int_NAF,
//! FF E4, Ka) (vusim's proposal), or a secret stored in the card — and the card key address
//! (DO 80 NAF_Id, DO 84/85 name) the operations' card APDUs carry.
//!
//! ⚠ Experimental: the derivations and the APDU coding are this project's proposal.

use vusim_apdu::hexstr::{hex_any, hex_fixed};
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::{tag, COMMANDS};
use vusim_applet::api::ops::{self, Secret};
use vusim_crypto::gba;
use vusim_crypto::keys::{Ck, Ik};

use crate::af::CardTarget;
use crate::error::{NetworkError, Result};
use crate::inputs::{CardInput, NafIdInput};
use crate::report::Report;

/// The GBA bootstrap a NAF key comes from (TS 33.220 §4.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapKeys {
    /// CK.
    pub ck: [u8; 16],
    /// IK.
    pub ik: [u8; 16],
    /// RAND.
    pub rand: [u8; 16],
    /// IMPI.
    pub impi: String,
}

/// Ks_int_NAF = KDF(Ks, "gba-me"-style inputs, TS 33.220 Annex B.3) for `naf_id`.
pub fn ks_int_naf(b: &BootstrapKeys, naf_id: &[u8]) -> Result<Secret> {
    let ks = gba::ks_from_ck_ik(&Ck::new(b.ck), &Ik::new(b.ik));
    let int = gba::ks_int_naf(&ks, &b.rand, &b.impi, naf_id)?;
    Ok(ops::secret(int.as_bytes().to_vec()))
}

/// Which key of the card the operations use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NafBase {
    /// Ks_int_NAF itself.
    KsIntNaf,
    /// e2e_key = KDF(Ks_int_NAF, FF E4, Ka), stored in the card under a name (DO 85).
    E2e {
        /// Ka, the third party's key.
        ka: Vec<u8>,
        /// The name in the card.
        name: Option<Vec<u8>>,
    },
    /// A secret stored in the card by STORE KEY (DO 84).
    Stored {
        /// The secret.
        secret: Secret,
        /// The name in the card.
        name: Option<Vec<u8>>,
    },
}

/// A resolved NAF key: the base bytes and the card's key address.
pub struct NafKey {
    /// The base key.
    pub base: Secret,
    /// The NAF_Id, if known.
    pub naf_id: Option<Vec<u8>>,
    sub: Option<(u32, Vec<u8>)>,
}

impl NafKey {
    /// Resolve the base key; `int` is Ks_int_NAF (needed unless the base is a stored secret).
    pub fn resolve(base: NafBase, naf_id: Option<Vec<u8>>, int: Option<Secret>) -> Result<NafKey> {
        let int = || int.ok_or_else(|| NetworkError::input("Ks_int_NAF is needed for this key"));
        Ok(match base {
            NafBase::Stored { secret, name } => NafKey {
                base: secret,
                naf_id,
                sub: name.map(|n| (tag::STORED_NAME, n)),
            },
            NafBase::E2e { ka, name } => {
                let e2e = ops::e2e(&int()?, &ka)?;
                NafKey {
                    base: ops::secret(e2e.as_bytes().to_vec()),
                    naf_id,
                    sub: name.map(|n| (tag::E2E_NAME, n)),
                }
            }
            NafBase::KsIntNaf => NafKey {
                base: int()?,
                naf_id,
                sub: None,
            },
        })
    }

    /// The card key address on the GBA_U API applet, if the NAF_Id is known.
    pub fn target(&self, channel: u8, client: Option<Vec<u8>>) -> Option<CardTarget> {
        let id = self.naf_id.as_ref()?;
        let mut key = vec![Tlv::new(tag::NAF_ID, id.clone())];
        if let Some((t, name)) = &self.sub {
            key.push(Tlv::new(*t, name.clone()));
        }
        Some(CardTarget {
            table: COMMANDS,
            key,
            channel,
            client,
        })
    }
}

/// The combined key and, with the NAF_Id and a name, the card's DERIVE E2E KEY APDU.
pub fn e2e_report(
    key: &NafKey,
    ka: &[u8],
    name: Option<&str>,
    channel: u8,
    client: Option<Vec<u8>>,
) -> Report {
    let mut r = Report::new();
    r.hex("e2e_key", &key.base);
    if let (Some(id), Some(name)) = (&key.naf_id, name) {
        let c = CardTarget {
            table: COMMANDS,
            key: vec![Tlv::new(tag::NAF_ID, id.clone())],
            channel,
            client,
        };
        let dos = vec![
            Tlv::new(tag::E2E_NAME, name.as_bytes().to_vec()),
            Tlv::new(tag::KA, ka.to_vec()),
        ];
        r.apdu("card_apdu", &c.apdu("DERIVE E2E KEY", dos));
    }
    r
}

/// The NAF's key as `vusim naf` takes it: Ks_int_NAF given (`--ks-int-naf`) or derived from the
/// bootstrap (`--ck --ik --rand --impi` and the NAF_Id), optionally turned into e2e_key
/// (`--ka`) or replaced by a stored secret (`--key`), with the card's name for it (`--name`).
#[derive(Debug, Clone, Copy)]
pub struct NafKeyInput<'a> {
    /// Ks_int_NAF (hex, 32 bytes).
    pub ks_int_naf: Option<&'a str>,
    /// CK of the bootstrap (hex, 16 bytes).
    pub ck: Option<&'a str>,
    /// IK of the bootstrap (hex, 16 bytes).
    pub ik: Option<&'a str>,
    /// RAND of the bootstrap (hex, 16 bytes).
    pub rand: Option<&'a str>,
    /// IMPI.
    pub impi: Option<&'a str>,
    /// The NAF_Id.
    pub naf_id: NafIdInput<'a>,
    /// Ka, the third party's key (hex).
    pub ka: Option<&'a str>,
    /// A secret stored in the card (hex).
    pub key: Option<&'a str>,
    /// The name of the stored key or e2e_key in the card.
    pub name: Option<&'a str>,
}

impl NafKeyInput<'_> {
    fn ks_int_naf(&self, naf_id: Option<&[u8]>) -> Result<Secret> {
        if let Some(h) = self.ks_int_naf {
            let v: [u8; 32] = hex_fixed("--ks-int-naf", h)?;
            return Ok(ops::secret(v.to_vec()));
        }
        let (Some(ck), Some(ik), Some(rand), Some(impi), Some(id)) =
            (self.ck, self.ik, self.rand, self.impi, naf_id)
        else {
            return Err(NetworkError::input(
                "give --ks-int-naf, or --ck --ik --rand --impi and --naf-fqdn (or --naf-id)",
            ));
        };
        let b = BootstrapKeys {
            ck: hex_fixed("--ck", ck)?,
            ik: hex_fixed("--ik", ik)?,
            rand: hex_fixed("--rand", rand)?,
            impi: impi.to_owned(),
        };
        ks_int_naf(&b, id)
    }

    /// The base key and the NAF_Id (Ks_int_NAF is derived only when the base needs it).
    pub fn resolve(&self) -> Result<NafKey> {
        let id = self.naf_id.resolve()?;
        let name = self.name.map(|n| n.as_bytes().to_vec());
        let base = if let Some(secret) = self.key {
            let secret = ops::secret(hex_any("--key", secret)?);
            if secret.is_empty() {
                return Err(NetworkError::input("--key: expected at least 1 byte"));
            }
            NafBase::Stored { secret, name }
        } else if let Some(ka) = self.ka {
            NafBase::E2e {
                ka: hex_any("--ka", ka)?,
                name,
            }
        } else {
            NafBase::KsIntNaf
        };
        let int = match base {
            NafBase::Stored { .. } => None,
            _ => Some(self.ks_int_naf(id.as_deref())?),
        };
        NafKey::resolve(base, id, int)
    }
}

/// `vusim naf e2e`: the combined key for `--ka` and the card's DERIVE E2E KEY.
pub fn e2e(k: &NafKeyInput<'_>, card: &CardInput<'_>) -> Result<Report> {
    let Some(ka) = k.ka else {
        return Err(NetworkError::input("give --ka (the third party's key)"));
    };
    let key = k.resolve()?;
    Ok(e2e_report(
        &key,
        &hex_any("--ka", ka)?,
        k.name,
        card.channel,
        card.client()?,
    ))
}
