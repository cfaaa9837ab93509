//! `vusim iot run`: TR 33.863 (Release 14) solution #11 — a study proposal — end to end, card
//! and network, each hop one recorded step ([`Hops`]): attach with AKA (HSS → MME with Ks,
//! GUTI allocated), then the AS's keys through the SCEF from the MME, then one of the two key
//! establishments, the use of K_app, and optionally a key refresh started by the UE or by the
//! AS. Variants (docs/api/iot.md §11):
//!
//! * **plain**: RAND_AS crosses the wire in clear; the card's t over GUTI ‖ RAND_AS is checked
//!   by the AS, the AS's t by the card (IOT KEY P1 `00`/`01`).
//! * **certificate**: the card draws RAND_AS and sends C = EncPK_AS(RAND_AS) (ECIES, TS 33.501
//!   Annex C.3) with t = MAC_Ks_AS_int(GUTI ‖ C) (IOT KEY P1 `02`); the AS checks t, decrypts
//!   RAND_AS with its private key and confirms K_app with a MAC the card verifies. RAND_AS
//!   never crosses a wire, so the network functions that know Ks_AS cannot derive K_app.
//!
//! A refresh runs a new AKA: the card replaces Ks and drops every K_app, the MME keeps the new
//! Ks under a new GUTI and forgets the old one, the AS drops Ks_AS and K_app; the run shows
//! the old keys refused (card `6A88` for the old K_app, `9862` for a tag under the old Ks_AS,
//! the MME for the old GUTI) before establishing and using new ones.

use rand::RngCore;
use vusim_apdu::authenticate::{AuthMode, AuthResponse};
use vusim_apdu::script::Transport;
use vusim_apdu::tlv::Tlv;
use vusim_apdu::StatusWord;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::iot as api;
use vusim_applet::api::ops;
use vusim_applet::profile::Profile;

use super::roles::{AppServer, AsKeyPair, Guti, Hops, Hss, Mme, Role, Scef};
use crate::aanf::Subscriber;
use crate::auc::Auc;
use crate::authenticate::{self as auth, AuthenticateCommand};
use crate::client::get;
use crate::diagram::{Msg, Party};
use crate::error::{NetworkError, Result};
use crate::me::{imsi, Me};
use crate::report::Report;

/// Which key establishment of solution #11.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// RAND_AS in clear, tags both ways.
    Plain,
    /// RAND_AS encrypted to the AS's public key (C), t over GUTI ‖ C.
    Certificate,
}

impl Variant {
    /// The command line's choices (`--variant`).
    pub const CHOICES: &'static [crate::inputs::Choice<Variant>] = &[
        (
            Variant::Plain,
            "plain",
            "RAND_AS in clear, the tag t both ways",
        ),
        (
            Variant::Certificate,
            "certificate",
            "The card encrypts RAND_AS to the AS's public key (ECIES), t over GUTI ‖ C",
        ),
    ];
}

/// Who starts a key refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// The UE (a new attach with the old GUTI).
    Ue,
    /// The AS (through the SCEF, which has the MME re-authenticate the UE).
    As,
}

impl Refresh {
    /// The command line's choices (`--refresh`).
    pub const CHOICES: &'static [crate::inputs::Choice<Refresh>] = &[
        (Refresh::Ue, "ue", "The UE: a new attach with the old GUTI"),
        (
            Refresh::As,
            "as",
            "The AS: through the SCEF, which has the MME re-authenticate the UE",
        ),
    ];
}

/// What `vusim iot run` does.
pub struct RunOptions<'a> {
    /// AS_ID.
    pub as_id: &'a str,
    /// The key establishment.
    pub variant: Variant,
    /// A key refresh after the first keys were used.
    pub refresh: Option<Refresh>,
    /// The AS's private key (certificate variant); default: the published TS 33.501 C.4 test
    /// key of the card's profile (the default card's demo key).
    pub as_private_key: Option<[u8; 32]>,
    /// Print the last Ks (MME) and K_app (AS) in the report: for checking by hand only.
    pub reveal: bool,
}

/// Why a new AKA runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Trigger {
    Attach,
    UeRefresh,
    AsRefresh,
}

/// One run: the card through the ME, the network functions, the hops and the report.
pub(super) struct Run<'a, 'm, T: Transport> {
    pub(super) me: &'m mut Me<T>,
    pub(super) hss: Hss<'a>,
    pub(super) mme: Mme,
    pub(super) scef: Scef,
    pub(super) app: AppServer,
    pub(super) hops: &'m mut Hops,
    pub(super) rng: &'m mut dyn RngCore,
    pub(super) r: Report,
    pub(super) imsi: String,
    pub(super) channel: u8,
    pub(super) ok: bool,
}

pub(super) fn random<const N: usize>(rng: &mut dyn RngCore) -> [u8; N] {
    let mut r = [0u8; N];
    rng.fill_bytes(&mut r);
    r
}

/// The report name of a check, with its twin after the refresh.
pub(super) fn named(base: &'static str, after: bool) -> &'static str {
    if !after {
        return base;
    }
    match base {
        "card_tag_verified_by_as" => "card_tag_verified_by_as_after_refresh",
        "as_tag_verified_by_card" => "as_tag_verified_by_card_after_refresh",
        "as_key_confirmed_by_card" => "as_key_confirmed_by_card_after_refresh",
        "replay_refused" => "replay_refused_after_refresh",
        "rand_as_never_on_the_wire" => "rand_as_never_on_the_wire_after_refresh",
        "card_mac_verified_by_as" => "card_mac_verified_by_as_after_refresh",
        "as_ciphertext_opened_by_card" => "as_ciphertext_opened_by_card_after_refresh",
        "guti" => "guti_after_refresh",
        "sqn" => "sqn_after_refresh",
        other => other,
    }
}

impl<T: Transport> Run<'_, '_, T> {
    /// A network message (or the ME's), recorded as a hop and on the ME's diagram: an answer
    /// (`… Answer`, `… Accept`, `… Response`, `… Confirmation`) as a reply arrow, a `… Reject`
    /// as a failure arrow, anything else as a request.
    pub(super) fn hop(&mut self, from: Role, to: Role, msg: &'static str, wire: &[&[u8]]) {
        self.hops.record((from, to), msg, None, wire);
        let (a, b, m) = (from.party(), to.party(), Msg::new(msg));
        let d = self.me.diagram();
        let head = msg.split(" (").next().unwrap_or(msg);
        if head.ends_with("Reject") {
            d.fail(a, b, m);
        } else if ["Answer", "Accept", "Response", "Confirmation"]
            .iter()
            .any(|w| head.ends_with(w))
        {
            d.reply(a, b, m);
        } else {
            d.send(a, b, m);
        }
    }

    /// A computation or check over a participant, on the diagram.
    pub(super) fn note(&mut self, over: Party, msg: &'static str) {
        self.me.diagram().note(over, Msg::new(msg));
    }

    pub(super) fn check(&mut self, name: &'static str, ok: bool) {
        self.r.check(name, ok);
        self.ok &= ok;
    }

    /// One IoT API command, with AS_ID first when `keyed`: the hop to the card and its answer.
    pub(super) fn card(
        &mut self,
        name: &str,
        keyed: bool,
        dos: Vec<Tlv>,
        (msg, answer): (&'static str, &'static str),
    ) -> Result<(StatusWord, Vec<Tlv>)> {
        let mut all = Vec::new();
        if keyed {
            all.push(Tlv::new(tag::NAF_ID, self.app.id().as_bytes().to_vec()));
        }
        all.extend(dos);
        let apdu = api::apdu(self.channel, name, &all);
        self.hops
            .record((Role::Me, Role::Uicc), msg, None, &[&apdu]);
        let resp = self
            .me
            .send_as(&apdu, Msg::new(msg).channel(self.channel))?;
        let back = if resp.sw == StatusWord::SUCCESS {
            answer
        } else {
            ""
        };
        self.hops
            .record((Role::Uicc, Role::Me), back, Some(resp.sw), &[&resp.data]);
        self.me
            .diagram()
            .card_answer(Party::Me, Msg::new(back), resp.sw);
        Ok((resp.sw, Tlv::parse_all(&resp.data).unwrap_or_default()))
    }

    /// Attach (or re-attach) with AKA: the HSS's AV with Ks to the MME, AUTHENTICATE in the
    /// card (one resynchronisation allowed), RES to the MME, a new GUTI back.
    pub(super) fn attach(&mut self, trigger: Trigger, after: bool) -> Result<Guti> {
        match trigger {
            Trigger::Attach => {
                let id = self.imsi.clone();
                self.hop(
                    Role::Me,
                    Role::Mme,
                    "Attach Request (IMSI)",
                    &[id.as_bytes()],
                );
            }
            Trigger::UeRefresh => {
                let g = self.mme.guti().unwrap_or_default();
                self.hop(
                    Role::Me,
                    Role::Mme,
                    "Attach Request (GUTI, key refresh)",
                    &[&g],
                );
            }
            Trigger::AsRefresh => {}
        }
        let mut attempt = 0;
        loop {
            self.hop(
                Role::Mme,
                Role::Hss,
                "Authentication Information Request (IMSI)",
                &[],
            );
            let av = self.hss.authentication_info(random::<16>(self.rng))?;
            self.note(Party::Hss, "AV; Ks = KDF(CK ‖ IK)");
            let sqn = av.sqn;
            let answer = if self.hss.snn().is_some() {
                "Authentication Information Answer (RAND, AUTN, XRES*, Ks)"
            } else {
                "Authentication Information Answer (RAND, AUTN, XRES, Ks)"
            };
            let (rand, autn) = self.mme.start_aka(av);
            self.hop(Role::Hss, Role::Mme, answer, &[&rand, &autn]);
            self.hop(
                Role::Mme,
                Role::Me,
                "Authentication Request (RAND, AUTN)",
                &[&rand, &autn],
            );
            let (cmd, mode, msg) = match self.hss.snn() {
                Some(snn) => (
                    AuthenticateCommand::Akma {
                        rand,
                        autn,
                        snn: snn.as_bytes().to_vec(),
                    },
                    AuthMode::Vusim5gAkma,
                    "AUTHENTICATE P2 87 (RAND, AUTN, SNN)",
                ),
                None => (
                    AuthenticateCommand::ThreeG { rand, autn },
                    AuthMode::ThreeG,
                    "AUTHENTICATE P2 81 (RAND, AUTN)",
                ),
            };
            let apdu = cmd.apdu()?;
            self.hops
                .record((Role::Me, Role::Uicc), msg, None, &[&apdu]);
            let resp = self.me.send_as(&apdu, Msg::new(msg))?;
            if let Some(auts) = auth::sync_failure(&resp).filter(|_| attempt == 0) {
                let answer = "DC synchronisation failure (AUTS)";
                self.hops
                    .record((Role::Uicc, Role::Me), answer, Some(resp.sw), &[&auts]);
                self.me
                    .diagram()
                    .fail(Party::Uicc, Party::Me, Msg::new(answer).sw(resp.sw));
                self.hop(
                    Role::Me,
                    Role::Mme,
                    "Authentication Failure (AUTS)",
                    &[&auts],
                );
                self.hop(
                    Role::Mme,
                    Role::Hss,
                    "Resynchronisation (RAND, AUTS)",
                    &[&rand, &auts],
                );
                self.hss.resync(&rand, &auts)?;
                self.note(Party::Hss, "checks MAC-S, SQN_HE := SQN_MS");
                attempt += 1;
                continue;
            }
            if let Err(e) = auth::require_success(&resp, "AUTHENTICATE") {
                self.me
                    .diagram()
                    .card_answer(Party::Me, Msg::new("refused"), resp.sw);
                return Err(e);
            }
            let (res, answer) = match &AuthResponse::parse(mode, &resp.data) {
                Ok(AuthResponse::Vusim5gAkma { res_star, .. }) => {
                    (res_star.to_vec(), "(RES*, K_SEAF)")
                }
                Ok(AuthResponse::ThreeG { res, .. }) => (res.clone(), "(RES, CK, IK)"),
                _ => {
                    return Err(NetworkError::Malformed(format!(
                        "AUTHENTICATE: unexpected answer {}",
                        hex::encode_upper(&resp.data)
                    )))
                }
            };
            self.hops
                .record((Role::Uicc, Role::Me), answer, Some(resp.sw), &[&resp.data]);
            self.me
                .diagram()
                .card_answer(Party::Me, Msg::new(answer), resp.sw);
            self.note(Party::Uicc, "keeps Ks, drops every K_app");
            let res_name = if mode == AuthMode::ThreeG {
                "Authentication Response (RES)"
            } else {
                "Authentication Response (RES*)"
            };
            self.hop(Role::Me, Role::Mme, res_name, &[&res]);
            let guti = self
                .mme
                .complete_aka(&res, random::<4>(self.rng))
                .ok_or_else(|| NetworkError::NetworkRefused {
                    by: "MME",
                    what: "RES does not match XRES".into(),
                })?;
            self.note(Party::Mme, "RES checked; keeps Ks by the new GUTI");
            self.hop(Role::Mme, Role::Me, "Attach Accept (GUTI)", &[&guti]);
            self.r.num(named("sqn", after), sqn);
            self.r.hex(named("guti", after), &guti);
            return Ok(guti);
        }
    }

    /// The AS gets Ks_AS for the UE through the SCEF, which pulls it from the MME by GUTI.
    pub(super) fn fetch_ks_as(&mut self, guti: &Guti) -> Result<()> {
        self.hop(Role::As, Role::Scef, "Ks_AS Request (GUTI, AS_ID)", &[guti]);
        self.hop(
            Role::Scef,
            Role::Mme,
            "Ks_AS Request (GUTI, AS_ID)",
            &[guti],
        );
        let keys = self.scef.ks_as(&self.mme, guti, self.app.id())?;
        self.note(Party::Mme, "Ks_AS = KDF(Ks, AS_ID)");
        self.hop(Role::Mme, Role::Scef, "Ks_AS Answer (Ks_AS)", &[]);
        self.hop(Role::Scef, Role::As, "Ks_AS Answer (Ks_AS)", &[]);
        self.app.install(guti, keys);
        Ok(())
    }

    /// Plain variant: the card's t checked by the AS, the AS's t by the card, a replay
    /// refused; K_app from the AS's RAND_AS.
    pub(super) fn establish_plain(&mut self, guti: &Guti, after: bool) -> Result<()> {
        let rand_as1 = random::<16>(self.rng);
        let common = |r: &[u8]| {
            vec![
                Tlv::new(api::iot_tag::GUTI, guti.to_vec()),
                Tlv::new(tag::CHALLENGE, r.to_vec()),
            ]
        };
        let (sw, dos) = self.card(
            "IOT KEY (card tag)",
            true,
            common(&rand_as1),
            ("IOT KEY P1 00 (AS_ID, GUTI, RAND_AS)", "(t)"),
        )?;
        let t_ue = get(&dos, tag::MAC);
        self.hop(
            Role::Me,
            Role::As,
            "Key Request (GUTI, RAND_AS, t)",
            &[guti, &rand_as1, &t_ue],
        );
        self.fetch_ks_as(guti)?;
        let ok = sw == StatusWord::SUCCESS && self.app.verify(&rand_as1, &t_ue)?;
        self.note(Party::As, "checks t");
        self.check(named("card_tag_verified_by_as", after), ok);

        let rand_as2 = random::<16>(self.rng);
        let t_as = self.app.tag(&rand_as2)?;
        self.hop(
            Role::As,
            Role::Me,
            "Key Response (RAND_AS, t)",
            &[&rand_as2, &t_as],
        );
        let mut dos = common(&rand_as2);
        dos.push(Tlv::new(tag::MAC, t_as.to_vec()));
        let msg = ("IOT KEY P1 01 (AS_ID, GUTI, RAND_AS, t)", "");
        let (sw, _) = self.card("IOT KEY (verify AS tag)", true, dos.clone(), msg)?;
        self.check(
            named("as_tag_verified_by_card", after),
            sw == StatusWord::SUCCESS,
        );
        let (sw, _) = self.card("IOT KEY (verify AS tag)", true, dos, msg)?;
        self.check(
            named("replay_refused", after),
            sw == StatusWord::CONDITIONS_NOT_SATISFIED,
        );
        self.app.derive_k_app(&rand_as2)
    }

    /// Certificate variant: the card sends C and t; the AS checks t, decrypts RAND_AS and
    /// confirms K_app with a MAC; a replayed C is refused; RAND_AS crossed no wire.
    pub(super) fn establish_certificate(&mut self, guti: &Guti, after: bool) -> Result<()> {
        let (sw, dos) = self.card(
            "IOT KEY (card encrypts RAND_AS)",
            true,
            vec![Tlv::new(api::iot_tag::GUTI, guti.to_vec())],
            ("IOT KEY P1 02 (AS_ID, GUTI)", "(C, t)"),
        )?;
        if sw != StatusWord::SUCCESS {
            return Err(NetworkError::Refused {
                what: "IOT KEY (card encrypts RAND_AS)".into(),
                sw,
                meaning: sw.meaning(),
            });
        }
        let (c, t) = (get(&dos, api::iot_tag::C), get(&dos, tag::MAC));
        self.hop(
            Role::Me,
            Role::As,
            "Key Request (GUTI, C, t)",
            &[guti, &c, &t],
        );
        self.fetch_ks_as(guti)?;
        let opened = self.app.open_c(&c, &t)?;
        self.note(
            Party::As,
            "checks t; RAND_AS = DecSK_AS(C); K_app = KDF(Ks_AS_enc, RAND_AS)",
        );
        self.check(named("card_tag_verified_by_as", after), opened);

        let confirm = [guti.as_slice(), &c].concat();
        let mac = ops::mac(
            self.app.k_app()?.as_bytes(),
            ops::ALG_HMAC_SHA256,
            CONFIRM,
            &confirm,
            32,
        )?;
        self.hop(
            Role::As,
            Role::Me,
            "Key Confirmation (MAC_K_app(GUTI, C))",
            &[&mac],
        );
        let (sw, _) = self.card(
            "MAC VERIFY",
            true,
            vec![
                Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]),
                Tlv::new(tag::PURPOSE, CONFIRM.to_vec()),
                Tlv::new(tag::DATA, confirm),
                Tlv::new(tag::MAC, mac),
            ],
            ("MAC VERIFY (AS_ID, purpose, GUTI ‖ C, MAC)", ""),
        )?;
        self.check(
            named("as_key_confirmed_by_card", after),
            sw == StatusWord::SUCCESS,
        );
        self.hop(
            Role::Me,
            Role::As,
            "Key Request (GUTI, C, t), replayed",
            &[guti, &c, &t],
        );
        let replay = self.app.open_c(&c, &t)?;
        if !replay {
            self.hop(Role::As, Role::Me, "Key Reject (C seen before)", &[]);
        }
        self.check(named("replay_refused", after), !replay);
        let hidden = !self.app.rand_as_carried(self.hops);
        self.check(named("rand_as_never_on_the_wire", after), hidden);
        Ok(())
    }

    /// K_app at work: the card's MAC checked by the AS, the AS's ciphertext opened by the card.
    /// The card's MAC, for the refresh checks.
    pub(super) fn use_k_app(&mut self, after: bool) -> Result<Vec<u8>> {
        let msg = b"meter reading 42".to_vec();
        let mac_alg = Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]);
        let (sw, dos) = self.card(
            "MAC COMPUTE",
            true,
            vec![mac_alg, Tlv::new(tag::DATA, msg.clone())],
            ("MAC COMPUTE (AS_ID, message)", "(MAC)"),
        )?;
        let mac = get(&dos, tag::MAC);
        self.hop(
            Role::Me,
            Role::As,
            "Application Data (message, MAC)",
            &[&mac],
        );
        let k_app = self.app.k_app()?.clone();
        let ok = sw == StatusWord::SUCCESS
            && ops::mac_verify(k_app.as_bytes(), ops::ALG_HMAC_SHA256, b"", &msg, &mac).is_ok();
        self.check(named("card_mac_verified_by_as", after), ok);
        let s = ops::seal(
            k_app.as_bytes(),
            ops::ALG_AES128_CTR_HMAC_SHA256,
            b"",
            random::<16>(self.rng),
            b"",
            b"firmware key",
        )?;
        self.hop(
            Role::As,
            Role::Me,
            "Application Data (IV, ciphertext, tag)",
            &[&s.iv, &s.ciphertext, &s.tag],
        );
        let (sw, dos) = self.card(
            "DECRYPT",
            true,
            vec![
                Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]),
                Tlv::new(tag::IV, s.iv.to_vec()),
                Tlv::new(tag::DATA, s.ciphertext),
                Tlv::new(tag::MAC, s.tag.to_vec()),
            ],
            ("DECRYPT (AS_ID, IV, ciphertext, tag)", "(plaintext)"),
        )?;
        let ok = sw == StatusWord::SUCCESS && get(&dos, tag::DATA) == b"firmware key";
        self.check(named("as_ciphertext_opened_by_card", after), ok);
        Ok(mac)
    }

    pub(super) fn establish(&mut self, variant: Variant, guti: &Guti, after: bool) -> Result<()> {
        match variant {
            Variant::Plain => self.establish_plain(guti, after),
            Variant::Certificate => self.establish_certificate(guti, after),
        }
    }
}

/// Purpose label of the AS's key confirmation in the certificate variant (vusim's coding).
pub const CONFIRM: &[u8] = b"key confirmation";

/// The AS's key pair for the certificate variant: the given private key or the published test
/// key, checked against the card's `[[iot.as_keys]]` public key for AS_ID.
fn as_key_pair(profile: &Profile, opts: &RunOptions<'_>) -> Result<AsKeyPair> {
    let entry = profile
        .iot
        .as_ref()
        .and_then(|s| s.as_keys.iter().find(|k| k.as_id == opts.as_id))
        .ok_or_else(|| {
            NetworkError::input(format!(
                "the card profile has no [[iot.as_keys]] public key for {:?} (certificate variant)",
                opts.as_id
            ))
        })?;
    let (ecies, public) = entry.decode().map_err(NetworkError::input)?;
    let kp = match opts.as_private_key {
        Some(k) => AsKeyPair::new(ecies, k)?,
        None => AsKeyPair::published_test_key(ecies)?,
    };
    if !kp.matches(ecies, &public) {
        return Err(NetworkError::input(
            "the AS's private key does not match the card's [[iot.as_keys]] public key",
        ));
    }
    Ok(kp)
}

/// Solution #11 end to end with the card (USIM selected, PIN1 presented); each message is
/// recorded in `hops`. The AuC's SEQ_HE is saved after the run.
pub fn run<T: Transport>(
    me: &mut Me<T>,
    auc: &mut Auc,
    profile: &Profile,
    opts: &RunOptions<'_>,
    rng: &mut dyn RngCore,
    hops: &mut Hops,
) -> Result<Report> {
    if profile.iot.is_none() {
        return Err(NetworkError::input(
            "the card profile has no [iot] section (docs/api/iot.md §8)",
        ));
    }
    let key_pair = match opts.variant {
        Variant::Certificate => Some(as_key_pair(profile, opts)?),
        Variant::Plain => None,
    };
    let sub = Subscriber::from_profile(profile, None)?;
    let akma_context = profile.akma.as_ref().is_some_and(|s| s.context);
    let snn = if akma_context { Some(sub.snn()?) } else { None };
    let mut r = Report::new();
    r.text(
        "variant",
        match opts.variant {
            Variant::Plain => "plain",
            Variant::Certificate => "certificate",
        },
    );
    r.text("context", if akma_context { "5g-akma" } else { "3g" });
    r.text("as_id", opts.as_id);
    let mut run = Run {
        hss: Hss::new(auc, snn),
        mme: Mme::new(&sub)?,
        scef: Scef::new(vec![opts.as_id.to_string()]),
        app: AppServer::new(opts.as_id, key_pair),
        me,
        hops,
        rng,
        r,
        imsi: imsi(profile),
        channel: 0,
        ok: true,
    };
    run.me.diagram().set_title(super::refresh::title(opts));
    let result = drive(&mut run, opts);
    run.hss.save()?;
    result?;
    if opts.reveal {
        if let Some(ks) = run.mme.ks() {
            run.r.hex("ks", ks.as_bytes());
        }
        let k_app = run.app.k_app()?.as_bytes().to_vec();
        run.r.hex("k_app", &k_app);
    }
    let mut r = run.r;
    r.num("hops", run.hops.list().len() as u64);
    r.text("verdict", if run.ok { "pass" } else { "fail" });
    Ok(r)
}

fn drive<T: Transport>(run: &mut Run<'_, '_, T>, opts: &RunOptions<'_>) -> Result<()> {
    let guti = run.attach(Trigger::Attach, false)?;
    run.channel = run.me.open_applet(&api::AID)?;
    run.r.num("channel", u64::from(run.channel));
    run.establish(opts.variant, &guti, false)?;
    run.use_k_app(false)?;
    if let Some(how) = opts.refresh {
        run.refresh(how, opts.variant, &guti)?;
    }
    Ok(())
}
