//! The `vusim iot as | app` commands (TR 33.863 solution #11, a study; the coding is vusim's
//! own, docs/api/iot.md): the AS's keys from the command line's inputs — the AKA (card profile
//! with RAND and SQN, or CK and IK), AS_ID and RAND_AS — the checks on them and the reports.

use vusim_apdu::hexstr::{hex_any, hex_fixed, hex_range};
use vusim_applet::api::ops::{self, Secret};

use super::{as_report, card_target, reveal_keys, AsRequest, HssIot, IotAka, IotAuthContext};
use crate::af::CardTarget;
use crate::error::{NetworkError, Result};
use crate::inputs::{self, AvInput, CardInput};
use crate::report::Report;

/// The AS's keys: from the AKA (`--card --rand --sqn`, or `--ck --ik`), `--as-id`, `--rand-as`.
#[derive(Debug, Clone, Copy)]
pub struct IotKeyInput<'a> {
    /// The AKA from the card profile.
    pub av: AvInput<'a>,
    /// CK of the AKA (hex, 16 bytes).
    pub ck: Option<&'a str>,
    /// IK of the AKA (hex, 16 bytes).
    pub ik: Option<&'a str>,
    /// AS_ID (text).
    pub as_id: Option<&'a str>,
    /// RAND_AS (hex, 8–32 bytes).
    pub rand_as: Option<&'a str>,
    /// The card APDU options.
    pub card: CardInput<'a>,
}

impl IotKeyInput<'_> {
    /// The AKA: CK and IK given, else the HSS's vector for the profile at RAND and SQN.
    pub fn aka(&self) -> Result<IotAka> {
        if let (Some(ck), Some(ik)) = (self.ck, self.ik) {
            return Ok(IotAka {
                ck: hex_fixed("--ck", ck)?,
                ik: hex_fixed("--ik", ik)?,
                vector: None,
            });
        }
        let (Some(rand), Some(sqn)) = (self.av.rand, self.av.sqn) else {
            return Err(NetworkError::input(
                "give --rand and --sqn of the AKA (with --card), or --ck and --ik",
            ));
        };
        let p = self.av.profile()?;
        IotAka::from_profile(
            &p,
            self.av.rid,
            self.av.snn,
            hex_fixed("--rand", rand)?,
            inputs::sqn(sqn)?,
        )
    }

    /// AS_ID, 1 to 255 bytes.
    pub fn as_id(&self) -> Result<&str> {
        let id = self
            .as_id
            .ok_or_else(|| NetworkError::input("give --as-id"))?;
        if id.is_empty() || id.len() > 255 {
            return Err(NetworkError::input(format!(
                "--as-id: 1 to 255 bytes, got {}",
                id.len()
            )));
        }
        Ok(id)
    }

    /// RAND_AS, 8 to 32 bytes.
    pub fn rand_as(&self) -> Result<Vec<u8>> {
        let text = self
            .rand_as
            .ok_or_else(|| NetworkError::input("give --rand-as"))?;
        Ok(hex_range("--rand-as", text, 8, 32)?)
    }

    /// The card's IoT API key address for `as_id`.
    pub fn target(&self, as_id: &str) -> Result<CardTarget> {
        Ok(card_target(as_id, self.card.channel, self.card.client()?))
    }
}

/// `vusim iot as`: the HSS and the AS for a GUTI (hex, 6–16 bytes) and the card's tag t to
/// check (hex).
pub fn as_side(
    k: &IotKeyInput<'_>,
    guti: &str,
    t: Option<&str>,
    context: IotAuthContext,
    reveal: bool,
) -> Result<Report> {
    let aka = k.aka()?;
    let id = k.as_id()?;
    let rand_as = k.rand_as()?;
    let guti = hex_range("--guti", guti, 6, 16)?;
    let t = t.map(|h| hex_any("--t", h)).transpose()?;
    let card = k.target(id)?;
    let q = AsRequest {
        aka: &aka,
        as_id: id,
        guti: &guti,
        rand_as: &rand_as,
        t: t.as_deref(),
        context,
        card: &card,
    };
    as_report(&q, reveal)
}

/// The AS's K_app for `vusim iot app`: given (`--k-app`, hex, 32 bytes) or derived from the AKA
/// and RAND_AS; the report holds the key bytes only with `reveal`.
pub struct AppKey {
    /// The revealed keys (empty without `reveal`).
    pub report: Report,
    /// K_app.
    pub base: Secret,
    /// The card's key address.
    pub target: CardTarget,
}

impl IotKeyInput<'_> {
    /// K_app and the card target.
    pub fn app_key(&self, k_app: Option<&str>, reveal: bool) -> Result<AppKey> {
        let id = self.as_id()?;
        let mut report = Report::new();
        let base = match k_app {
            Some(h) => ops::secret(hex_fixed::<32>("--k-app", h)?.to_vec()),
            None => {
                let aka = self.aka()?;
                let hss = HssIot::new(&aka.ck, &aka.ik)?;
                let side = hss.for_as(id)?;
                let k_app = side.k_app(&self.rand_as()?)?;
                if reveal {
                    reveal_keys(&mut report, &hss, &side, k_app.as_bytes());
                }
                ops::secret(k_app.as_bytes().to_vec())
            }
        };
        Ok(AppKey {
            report,
            base,
            target: self.target(id)?,
        })
    }
}
