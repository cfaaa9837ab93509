//! The key refresh of TR 33.863 (Release 14) solution #11 — a study proposal — started by the
//! UE (a new attach naming the old GUTI) or by the AS (through the SCEF, which has the MME
//! re-authenticate the UE): a new AKA replaces Ks in the card and the MME (new GUTI), the AS
//! drops Ks_AS and K_app, the old keys are shown refused on both ends — the MME for the old
//! GUTI, the card `6A88` for a MAC under the old K_app (every K_app went with the old Ks) and
//! `9862` for a tag under the old Ks_AS — and new keys are established and used. The message
//! names are vusim's (docs/api/iot.md §11.1).

use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::iot as api;
use vusim_applet::api::ops;
use vusim_crypto::keys::ct_eq;

use super::flow::{random, Refresh, Run, RunOptions, Trigger, Variant};
use super::roles::{Guti, Role};
use crate::client::get;
use crate::error::Result;

impl<T: Transport> Run<'_, '_, T> {
    /// A key refresh: a new AKA, then the old keys refused on both ends, new keys established
    /// and used.
    pub(super) fn refresh(
        &mut self,
        how: Refresh,
        variant: Variant,
        old_guti: &Guti,
    ) -> Result<()> {
        // What a stale party holds: the old K_app and a tag under the old Ks_AS.
        let old_k_app = self.app.k_app()?.clone();
        let old_rand = self.mme.ks_rand().unwrap_or_default();
        let probe = random::<16>(self.rng);
        let old_t = self.app.tag(&probe)?;
        let stale = b"open valve 3";
        let old_mac = ops::mac(
            old_k_app.as_bytes(),
            ops::ALG_HMAC_SHA256,
            b"cmd",
            stale,
            32,
        )?;
        let guti = match how {
            Refresh::Ue => {
                let g = self.attach(Trigger::UeRefresh, true)?;
                self.hop(Role::Me, Role::As, "Key Refresh (GUTI)", &[&g]);
                self.app.drop_keys();
                g
            }
            Refresh::As => {
                self.hop(
                    Role::As,
                    Role::Scef,
                    "Key Refresh Request (GUTI, AS_ID)",
                    &[old_guti],
                );
                self.app.drop_keys();
                self.hop(
                    Role::Scef,
                    Role::Mme,
                    "Re-authentication Request (GUTI)",
                    &[old_guti],
                );
                let g = self.attach(Trigger::AsRefresh, true)?;
                self.hop(
                    Role::Mme,
                    Role::Scef,
                    "Re-authentication Answer (GUTI)",
                    &[&g],
                );
                self.hop(Role::Scef, Role::As, "Key Refresh Answer (GUTI)", &[&g]);
                self.hop(Role::As, Role::Me, "Key Refresh (GUTI)", &[&g]);
                g
            }
        };
        self.r.text(
            "refresh_started_by",
            if how == Refresh::Ue { "ue" } else { "as" },
        );
        self.check("as_dropped_old_keys", !self.app.holds_keys());
        self.hop(
            Role::Scef,
            Role::Mme,
            "Ks_AS Request (old GUTI, AS_ID)",
            &[old_guti],
        );
        let stale_guti = self.scef.ks_as(&self.mme, old_guti, self.app.id());
        let answer = if stale_guti.is_err() {
            "Ks_AS Reject (unknown GUTI)"
        } else {
            "Ks_AS Answer (Ks_AS)"
        };
        self.hop(Role::Mme, Role::Scef, answer, &[]);
        self.check("old_guti_refused_by_mme", stale_guti.is_err());

        let (sw, _) = self.card(
            "MAC VERIFY",
            true,
            vec![
                Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]),
                Tlv::new(tag::PURPOSE, b"cmd".to_vec()),
                Tlv::new(tag::DATA, stale.to_vec()),
                Tlv::new(tag::MAC, old_mac),
            ],
            ("MAC VERIFY (AS_ID, message, MAC under the old K_app)", ""),
        )?;
        self.r.text("old_k_app_sw", sw.to_string());
        self.check(
            "old_k_app_refused_by_card",
            sw == StatusWord::REFERENCED_DATA_NOT_FOUND,
        );
        let (sw, _) = self.card(
            "IOT KEY (verify AS tag)",
            true,
            vec![
                Tlv::new(api::iot_tag::GUTI, old_guti.to_vec()),
                Tlv::new(tag::CHALLENGE, probe.to_vec()),
                Tlv::new(tag::MAC, old_t.to_vec()),
            ],
            (
                "IOT KEY P1 01 (AS_ID, GUTI, RAND_AS, t under the old Ks_AS)",
                "",
            ),
        )?;
        self.r.text("old_ks_as_tag_sw", sw.to_string());
        self.check(
            "old_ks_as_tag_refused_by_card",
            sw == StatusWord::AUTH_ERROR_APPLICATION,
        );
        let fresh = random::<16>(self.rng);
        let (sw, _) = self.card(
            "IOT KEY (card tag)",
            true,
            vec![
                Tlv::new(api::iot_tag::GUTI, guti.to_vec()),
                Tlv::new(tag::CHALLENGE, fresh.to_vec()),
                Tlv::new(tag::B_TID, old_rand.to_vec()),
            ],
            ("IOT KEY P1 00 (AS_ID, GUTI, RAND_AS, old Ks reference)", ""),
        )?;
        self.r.text("old_ks_reference_sw", sw.to_string());
        self.check(
            "old_ks_reference_refused_by_card",
            sw == StatusWord::REFERENCED_DATA_NOT_FOUND,
        );
        let (sw, dos) = self.card(
            "LIST KEYS",
            false,
            Vec::new(),
            ("LIST KEYS", "(key entries)"),
        )?;
        let new_rand = self.mme.ks_rand().unwrap_or_default();
        let ks_refs: Vec<Vec<u8>> = dos
            .iter()
            .filter(|d| d.tag.0 == tag::KEY_ENTRY)
            .filter_map(|d| Tlv::parse_all(&d.value).ok())
            .filter(|items| get(items, tag::KIND) == [api::kind::KS])
            .map(|items| get(&items, tag::B_TID))
            .collect();
        self.check(
            "card_holds_only_the_new_ks",
            sw == StatusWord::SUCCESS && ks_refs == [new_rand.to_vec()],
        );

        self.establish(variant, &guti, true)?;
        let new_mac = self.use_k_app(true)?;
        let new_k_app = self.app.k_app()?.clone();
        self.check(
            "k_app_replaced",
            !ct_eq(new_k_app.as_bytes(), old_k_app.as_bytes()),
        );
        let old_verifies = ops::mac_verify(
            old_k_app.as_bytes(),
            ops::ALG_HMAC_SHA256,
            b"",
            b"meter reading 42",
            &new_mac,
        )
        .is_ok();
        self.check("old_k_app_no_longer_verifies", !old_verifies);
        Ok(())
    }
}

/// The diagram title of a run.
pub(super) fn title(opts: &RunOptions<'_>) -> &'static str {
    match (opts.variant, opts.refresh) {
        (Variant::Plain, None) => {
            "IoT end-to-end keys, plain variant (TR 33.863 Rel-14 solution #11, study)"
        }
        (Variant::Plain, Some(Refresh::Ue)) => {
            "IoT end-to-end keys, plain variant, refresh by the UE (TR 33.863 Rel-14 solution #11, study)"
        }
        (Variant::Plain, Some(Refresh::As)) => {
            "IoT end-to-end keys, plain variant, refresh by the AS (TR 33.863 Rel-14 solution #11, study)"
        }
        (Variant::Certificate, None) => {
            "IoT end-to-end keys, certificate variant (TR 33.863 Rel-14 solution #11, study)"
        }
        (Variant::Certificate, Some(Refresh::Ue)) => {
            "IoT end-to-end keys, certificate variant, refresh by the UE (TR 33.863 Rel-14 solution #11, study)"
        }
        (Variant::Certificate, Some(Refresh::As)) => {
            "IoT end-to-end keys, certificate variant, refresh by the AS (TR 33.863 Rel-14 solution #11, study)"
        }
    }
}
