//! `vusim iot …`: the network side of the IoT end-to-end scheme (TR 33.863 solution #11; docs/api/iot.md, v0.1) — the HSS's Ks and Ks_AS, the application server's K_app and tag t — and an end-to-end run against the card, so a script or a person can check that card and network agree.
//!
//! ⚠ Experimental: the FC values `FF E0`–`FF E3`, the IoT API applet and its coding are this
//! project's proposal.
//!
//! * `as`: from the AKA's CK ‖ IK (the card profile with `--rand --sqn`, or `--ck --ik`):
//!   the AS's tag t over GUTI ‖ RAND_AS, the card APDUs (AUTHENTICATE, IOT KEY in both
//!   directions), and with `--t` the check of the card's tag.
//! * `app mac | verify | encrypt | decrypt`: the AS's side of the K_app operations, with the
//!   card APDU that checks the value.
//! * `run`: all of it end to end with the card through APDUs (`--trace` prints them).
//!
//! Key bytes (Ks, Ks_AS, K_app) are printed only with `--reveal`. Exit codes: 0 computed (or
//! verified), 1 a verification ran and failed, 2 an error in the input.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use clap::{Args, Subcommand, ValueEnum};
use vusim_apdu::tlv::Tlv;
use vusim_applet::api::apdu::tag;
use vusim_applet::api::iot as api;
use vusim_applet::api::ops::{self, Secret};
use vusim_applet::crypto::aka;

use super::akma::{
    load_profile, run_operation, sqn_arg, AvArgs, CardOpts, CardTarget, Operation, Report,
};
use super::calc::{hex_any, hex_fixed, hex_range};
use crate::network::aanf::{authenticate_akma_apdu, position_auc, Subscriber};
use crate::network::auc::Auc;
use crate::network::iot::{AsSide, HssIot};

/// `vusim iot …`.
#[derive(Debug, Args)]
pub struct IotArgs {
    /// Which side.
    #[command(subcommand)]
    pub action: IotAction,
    /// One JSON object instead of `name: value` lines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Also print key bytes (Ks, Ks_AS, Ks_AS_enc, Ks_AS_int, K_app): for checking by hand only.
    #[arg(long, global = true)]
    pub reveal: bool,
}

/// The IoT network side.
#[derive(Debug, Subcommand)]
pub enum IotAction {
    /// HSS and AS: the AS's tag t over GUTI ‖ RAND_AS, the card APDUs, the check of the card's t.
    As(Box<AsArgs>),
    /// AS: MAC, verify, encrypt and decrypt with K_app.
    App(Box<AppArgs>),
    /// End to end with the card through APDUs: AKA, IOT KEY both ways, K_app operations.
    Run(RunArgs),
}

/// The AKA context of the printed AUTHENTICATE APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AkaContext {
    /// The proposed 5G AKMA context (P2 87): CK and IK stay in the card.
    Akma,
    /// The 3G context (P2 81): the ME gets CK and IK.
    #[value(name = "3g")]
    ThreeG,
}

/// The AS's keys: from the AKA (card profile + RAND + SQN, or CK/IK), AS_ID and RAND_AS.
#[derive(Debug, Args)]
pub struct IotKeyArgs {
    #[command(flatten)]
    av: AvArgs,
    /// CK of the AKA (16 bytes), instead of --card/--rand/--sqn.
    #[arg(long, value_name = "HEX", requires = "ik", global = true)]
    ck: Option<String>,
    /// IK of the AKA (16 bytes).
    #[arg(long, value_name = "HEX", requires = "ck", global = true)]
    ik: Option<String>,
    /// Application server identifier AS_ID (text).
    #[arg(long, value_name = "ID", global = true)]
    as_id: Option<String>,
    /// RAND_AS (8–32 bytes).
    #[arg(long, value_name = "HEX", global = true)]
    rand_as: Option<String>,
    #[command(flatten)]
    card_opts: CardOpts,
}

/// `vusim iot as`.
#[derive(Debug, Args)]
pub struct AsArgs {
    #[command(flatten)]
    key: IotKeyArgs,
    /// GUTI (6–16 bytes) the tag covers.
    #[arg(long, value_name = "HEX")]
    guti: String,
    /// The card's tag t to check (IOT KEY P1 00 answer, 8 bytes); exit 1 if it differs.
    #[arg(long, value_name = "HEX")]
    t: Option<String>,
    /// Context of the printed AUTHENTICATE APDU.
    #[arg(long, value_enum, default_value = "akma")]
    context: AkaContext,
}

/// `vusim iot app`.
#[derive(Debug, Args)]
pub struct AppArgs {
    #[command(flatten)]
    key: IotKeyArgs,
    /// K_app (32 bytes) directly, instead of the derivation.
    #[arg(long, value_name = "HEX", global = true)]
    k_app: Option<String>,
    /// The operation (mac, verify, encrypt, decrypt).
    #[command(subcommand)]
    op: Operation,
}

/// `vusim iot run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    card: Option<PathBuf>,
    /// AS_ID.
    #[arg(long, value_name = "ID", default_value = "as.iot.example.org")]
    as_id: String,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    trace: bool,
}

/// The AKA the AS's keys come from: CK, IK and, from a card profile, the vector.
struct Aka {
    ck: [u8; 16],
    ik: [u8; 16],
    vector: Option<(crate::network::auc::Vector, String)>,
}

fn aka_of(k: &IotKeyArgs) -> anyhow::Result<Aka> {
    if let (Some(ck), Some(ik)) = (&k.ck, &k.ik) {
        return Ok(Aka {
            ck: hex_fixed("--ck", ck)?,
            ik: hex_fixed("--ik", ik)?,
            vector: None,
        });
    }
    let (Some(rand), Some(sqn)) = (&k.av.rand, &k.av.sqn) else {
        bail!("give --rand and --sqn of the AKA (with --card), or --ck and --ik");
    };
    let p = load_profile(k.av.card.as_deref())?;
    let sub = Subscriber::from_profile(&p, k.av.rid.as_deref())?;
    let snn = match &k.av.snn {
        Some(s) => s.clone(),
        None => sub.snn()?,
    };
    let mut auc = Auc::for_profile(&p, None)?;
    position_auc(&mut auc, p.auth.sqn.ind_bits, sqn_arg(sqn)?)?;
    let v = auc.vector(hex_fixed("--rand", rand)?, false)?;
    Ok(Aka {
        ck: v.ck,
        ik: v.ik,
        vector: Some((v, snn)),
    })
}

fn as_id(k: &IotKeyArgs) -> anyhow::Result<&str> {
    let id = k.as_id.as_deref().context("give --as-id")?;
    if id.is_empty() || id.len() > 255 {
        bail!("--as-id: 1 to 255 bytes, got {}", id.len());
    }
    Ok(id)
}

fn rand_as(k: &IotKeyArgs) -> anyhow::Result<Vec<u8>> {
    hex_range(
        "--rand-as",
        k.rand_as.as_deref().context("give --rand-as")?,
        8,
        32,
    )
}

fn target(k: &IotKeyArgs, id: &str) -> anyhow::Result<CardTarget> {
    Ok(CardTarget {
        table: api::COMMANDS,
        key: vec![Tlv::new(tag::NAF_ID, id.as_bytes().to_vec())],
        channel: k.card_opts.channel,
        client: k
            .card_opts
            .client
            .as_deref()
            .map(|h| hex_any("--client", h))
            .transpose()?,
    })
}

fn reveal_keys(r: &mut Report, hss: &HssIot, side: &AsSide, k_app: &[u8]) {
    r.hex("ks", hss.ks().as_bytes());
    r.hex("ks_as", side.keys().ks_as.as_bytes());
    r.hex("ks_as_enc", side.keys().ks_as_enc.as_bytes());
    r.hex("ks_as_int", side.keys().ks_as_int.as_bytes());
    r.hex("k_app", k_app);
}

/// Run `vusim iot …`.
pub fn run(args: &IotArgs) -> anyhow::Result<ExitCode> {
    let report = match &args.action {
        IotAction::As(a) => as_side(a, args.reveal)?,
        IotAction::App(a) => app(a, args.reveal)?,
        IotAction::Run(a) => e2e::run(a)?,
    };
    Ok(report.finish(args.json))
}

fn as_side(a: &AsArgs, reveal: bool) -> anyhow::Result<Report> {
    let aka = aka_of(&a.key)?;
    let id = as_id(&a.key)?;
    let rand_as = rand_as(&a.key)?;
    let guti = hex_range("--guti", &a.guti, 6, 16)?;
    let hss = HssIot::new(&aka.ck, &aka.ik)?;
    let side = hss.for_as(id)?;
    let t = side.tag(&guti, &rand_as)?;
    let mut r = Report::default();
    if let Some((v, snn)) = &aka.vector {
        r.hex("rand", &v.rand);
        r.hex("sqn", &aka::sqn_from_u64(v.sqn));
        r.hex("autn", &v.autn);
        let apdu = match a.context {
            AkaContext::Akma => authenticate_akma_apdu(&v.rand, &v.autn, snn)?,
            AkaContext::ThreeG => {
                let mut d = vec![0x10];
                d.extend_from_slice(&v.rand);
                d.push(0x10);
                d.extend_from_slice(&v.autn);
                vusim_apdu::Command::build(0x00, 0x88, 0x00, 0x81, &d, Some(256))?.encode()
            }
        };
        r.apdu("card_auth_apdu", &apdu);
    }
    r.text("as_id", id);
    r.hex("guti", &guti);
    r.hex("rand_as", &rand_as);
    r.hex("t", &t);
    let c = target(&a.key, id)?;
    let common = vec![
        Tlv::new(api::iot_tag::GUTI, guti.clone()),
        Tlv::new(tag::CHALLENGE, rand_as.clone()),
    ];
    r.apdu(
        "card_tag_apdu",
        &c.apdu("IOT KEY (card tag)", common.clone()),
    );
    let mut verify = common;
    verify.push(Tlv::new(tag::MAC, t.to_vec()));
    r.apdu(
        "card_verify_apdu",
        &c.apdu("IOT KEY (verify AS tag)", verify),
    );
    if let Some(given) = &a.t {
        r.check(
            "verified",
            side.verify(&guti, &rand_as, &hex_any("--t", given)?)?,
        );
    }
    if reveal {
        reveal_keys(&mut r, &hss, &side, side.k_app(&rand_as)?.as_bytes());
    }
    Ok(r)
}

fn app(a: &AppArgs, reveal: bool) -> anyhow::Result<Report> {
    if matches!(
        a.op,
        Operation::AuthCard(_) | Operation::AuthServer(_) | Operation::Wrap(_)
    ) {
        bail!("the IoT API offers mac, verify, encrypt and decrypt with K_app");
    }
    let id = as_id(&a.key)?;
    let mut r = Report::default();
    let base: Secret = match &a.k_app {
        Some(h) => ops::secret(hex_fixed::<32>("--k-app", h)?.to_vec()),
        None => {
            let aka = aka_of(&a.key)?;
            let hss = HssIot::new(&aka.ck, &aka.ik)?;
            let side = hss.for_as(id)?;
            let k_app = side.k_app(&rand_as(&a.key)?)?;
            if reveal {
                reveal_keys(&mut r, &hss, &side, k_app.as_bytes());
            }
            ops::secret(k_app.as_bytes().to_vec())
        }
    };
    let op = run_operation(&a.op, &base, Some(&target(&a.key, id)?))?;
    r.merge(op);
    Ok(r)
}

mod e2e {
    //! The end-to-end run: the ME driver talks to the card, the HSS and the AS compute.

    use anyhow::bail;
    use rand::RngCore;
    use vusim_apdu::tlv::Tlv;
    use vusim_apdu::StatusWord;
    use vusim_applet::api::apdu::tag;
    use vusim_applet::api::iot as api;
    use vusim_applet::api::ops;

    use super::{Report, RunArgs};
    use crate::commands::akma::open_api;
    use crate::me::Me;
    use crate::network::aanf::{HomeAv, Subscriber};
    use crate::network::auc::Auc;
    use crate::network::iot::HssIot;

    fn random<const N: usize>() -> [u8; N] {
        let mut r = [0u8; N];
        rand::thread_rng().fill_bytes(&mut r);
        r
    }

    pub(super) fn run(a: &RunArgs) -> anyhow::Result<Report> {
        let card = crate::commands::open_card_file(a.card.as_deref())?;
        let profile = card.profile().clone();
        if profile.iot.is_none() {
            bail!("the card profile has no [iot] section (docs/api/iot.md §8)");
        }
        let akma_context = profile.akma.as_ref().is_some_and(|s| s.context);
        let mut auc = Auc::for_profile(&profile, a.card.as_deref())?;
        let sub = Subscriber::from_profile(&profile, None)?;
        let snn = sub.snn()?;
        let ind_bits = profile.auth.sqn.ind_bits;
        let mut me = Me::new(card, a.trace);
        let mut r = Report::default();
        let mut ok = true;
        me.start_usim()?;

        // AKA (5G AKMA context when the card has it: CK and IK stay in the card), with
        // resynchronisation; the HSS keeps CK ‖ IK of the vector.
        let mut attempt = 0;
        let (ck, ik) = loop {
            let rand = random::<16>();
            let v = HomeAv::new(&mut auc, ind_bits, rand, None, &snn)?;
            let apdu = if akma_context {
                v.card_apdu()?
            } else {
                let mut d = vec![0x10];
                d.extend_from_slice(&v.rand);
                d.push(0x10);
                d.extend_from_slice(&v.autn);
                vusim_apdu::Command::build(0x00, 0x88, 0x00, 0x81, &d, Some(256))?.encode()
            };
            let resp = me.send(&apdu)?;
            if resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC) && attempt == 0 {
                auc.resync(&v.rand, resp.data.get(2..16).unwrap_or_default())?;
                attempt += 1;
                continue;
            }
            if resp.sw != StatusWord::SUCCESS || resp.data.first() != Some(&0xDB) {
                bail!("AUTHENTICATE: card answered {}", resp.sw);
            }
            r.text("context", if akma_context { "5g-akma" } else { "3g" });
            r.num("sqn", v.sqn);
            // The HSS side: the same vector's CK and IK.
            let mut auc2 = Auc::for_profile(&profile, None)?;
            crate::network::aanf::position_auc(&mut auc2, ind_bits, v.sqn)?;
            let v3 = auc2.vector(v.rand, false)?;
            break (v3.ck, v3.ik);
        };
        auc.save()?;
        let hss = HssIot::new(&ck, &ik)?;
        let side = hss.for_as(&a.as_id)?;

        let ch = open_api(&mut me, &api::AID)?;
        r.num("channel", u64::from(ch));
        r.text("as_id", a.as_id.clone());
        let key = Tlv::new(tag::NAF_ID, a.as_id.as_bytes().to_vec());
        let call =
            |me: &mut Me, name: &str, dos: Vec<Tlv>| -> anyhow::Result<(StatusWord, Vec<Tlv>)> {
                let mut all = vec![key.clone()];
                all.extend(dos);
                let resp = me.send(&api::apdu(ch, name, &all))?;
                Ok((resp.sw, Tlv::parse_all(&resp.data).unwrap_or_default()))
            };
        let get = |dos: &[Tlv], t: u32| -> Vec<u8> {
            dos.iter()
                .find(|d| d.tag.0 == t)
                .map(|d| d.value.clone())
                .unwrap_or_default()
        };
        let guti = random::<10>().to_vec();

        // The card's tag, verified by the AS.
        let rand_as1 = random::<16>().to_vec();
        let (sw, dos) = call(
            &mut me,
            "IOT KEY (card tag)",
            vec![
                Tlv::new(api::iot_tag::GUTI, guti.clone()),
                Tlv::new(tag::CHALLENGE, rand_as1.clone()),
            ],
        )?;
        let card_t_ok =
            sw == StatusWord::SUCCESS && side.verify(&guti, &rand_as1, &get(&dos, tag::MAC))?;
        r.check("card_tag_verified_by_as", card_t_ok);

        // The AS's tag, verified by the card; then replayed (refused).
        let rand_as2 = random::<16>().to_vec();
        let t_as = side.tag(&guti, &rand_as2)?;
        let verify_dos = vec![
            Tlv::new(api::iot_tag::GUTI, guti.clone()),
            Tlv::new(tag::CHALLENGE, rand_as2.clone()),
            Tlv::new(tag::MAC, t_as.to_vec()),
        ];
        let (sw, _) = call(&mut me, "IOT KEY (verify AS tag)", verify_dos.clone())?;
        let as_t_ok = sw == StatusWord::SUCCESS;
        r.check("as_tag_verified_by_card", as_t_ok);
        let (sw, _) = call(&mut me, "IOT KEY (verify AS tag)", verify_dos)?;
        let replay_refused = sw == StatusWord(0x6985);
        r.check("replay_refused", replay_refused);
        ok &= card_t_ok && as_t_ok && replay_refused;

        // K_app (from RAND_AS2) on both sides: MAC and encryption both ways.
        let k_app = ops::secret(side.k_app(&rand_as2)?.as_bytes().to_vec());
        let msg = b"meter reading 42".to_vec();
        let mac_alg = Tlv::new(tag::ALG, vec![ops::ALG_HMAC_SHA256]);
        let (sw, dos) = call(
            &mut me,
            "MAC COMPUTE",
            vec![mac_alg.clone(), Tlv::new(tag::DATA, msg.clone())],
        )?;
        let mac_ok = sw == StatusWord::SUCCESS
            && ops::mac_verify(
                &k_app,
                ops::ALG_HMAC_SHA256,
                b"",
                &msg,
                &get(&dos, tag::MAC),
            )
            .is_ok();
        r.check("card_mac_verified_by_as", mac_ok);
        let s = ops::seal(
            &k_app,
            ops::ALG_AES128_CTR_HMAC_SHA256,
            b"",
            random::<16>(),
            b"",
            b"firmware key",
        )?;
        let (sw, dos) = call(
            &mut me,
            "DECRYPT",
            vec![
                Tlv::new(tag::ALG, vec![ops::ALG_AES128_CTR_HMAC_SHA256]),
                Tlv::new(tag::IV, s.iv.to_vec()),
                Tlv::new(tag::DATA, s.ciphertext),
                Tlv::new(tag::MAC, s.tag.to_vec()),
            ],
        )?;
        let dec_ok = sw == StatusWord::SUCCESS && get(&dos, tag::DATA) == b"firmware key";
        r.check("as_ciphertext_opened_by_card", dec_ok);
        ok &= mac_ok && dec_ok;
        r.text("verdict", if ok { "pass" } else { "fail" });
        Ok(r)
    }
}
