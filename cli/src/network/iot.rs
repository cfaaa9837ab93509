//! HSS and application server of the IoT end-to-end scheme (TR 33.863 solution #11; docs/api/iot.md): the HSS derives Ks from the AKA's CK ‖ IK and hands Ks_AS to the AS, which derives K_app for a RAND_AS and computes or verifies the tag t — the network twin of the card's IoT Ks and IoT API applet.

use vusim_applet::crypto::keys::{ct_eq, Ck, DerivedKey, Ik};
use vusim_applet::crypto::seed::{self, IotAsKeys, SeedFcs, IOT_TAG_LEN};

/// The HSS's IoT Ks for one AKA: Ks = KDF(CK ‖ IK, FF E0, "End-to-End_IOT").
pub struct HssIot {
    ks: DerivedKey,
}

impl HssIot {
    /// From the AKA vector's CK and IK.
    pub fn new(ck: &[u8; 16], ik: &[u8; 16]) -> anyhow::Result<HssIot> {
        Ok(HssIot {
            ks: seed::iot_ks(&Ck::new(*ck), &Ik::new(*ik), &SeedFcs::default())?,
        })
    }

    /// Ks (for printing with `--reveal` only).
    pub fn ks(&self) -> &DerivedKey {
        &self.ks
    }

    /// What the HSS hands to the AS `as_id`: Ks_AS and its two subkeys.
    pub fn for_as(&self, as_id: &str) -> anyhow::Result<AsSide> {
        Ok(AsSide {
            keys: seed::iot_as_keys(&self.ks, as_id, &SeedFcs::default())?,
        })
    }
}

/// The application server with its Ks_AS.
pub struct AsSide {
    keys: IotAsKeys,
}

impl AsSide {
    /// Ks_AS, Ks_AS_enc, Ks_AS_int (for printing with `--reveal` only).
    pub fn keys(&self) -> &IotAsKeys {
        &self.keys
    }

    /// t = HMAC-SHA-256(Ks_AS_int, GUTI ‖ RAND_AS)[0..8].
    pub fn tag(&self, guti: &[u8], rand_as: &[u8]) -> anyhow::Result<[u8; IOT_TAG_LEN]> {
        Ok(seed::iot_tag(&self.keys.ks_as_int, guti, rand_as)?)
    }

    /// Verify the card's t (constant time).
    pub fn verify(&self, guti: &[u8], rand_as: &[u8], t: &[u8]) -> anyhow::Result<bool> {
        Ok(ct_eq(&self.tag(guti, rand_as)?, t))
    }

    /// K_app = KDF(Ks_AS_enc, FF E3, RAND_AS).
    pub fn k_app(&self, rand_as: &[u8]) -> anyhow::Result<DerivedKey> {
        Ok(seed::iot_k_app(
            &self.keys.ks_as_enc,
            rand_as,
            &SeedFcs::default(),
        )?)
    }
}
