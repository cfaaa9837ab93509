//! `vusim aka`: a full AKA run — AuC vector, AUTHENTICATE on the card through APDUs, RES against XRES — in the 3G or GSM context, with AUTS resynchronisation.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use clap::{Args, ValueEnum};
use rand::RngCore;
use serde_json::json;
use vusim_apdu::{Command, StatusWord};
use vusim_applet::crypto::fiveg;
use vusim_applet::crypto::keys::{Ck, Ik};

use crate::me::Me;
use crate::network::auc::Auc;

/// Security context.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Context {
    /// 3G/EPS/5G context (P2 81): RES, CK, IK (and Kc).
    #[value(name = "3g")]
    ThreeG,
    /// GSM context (P2 80): SRES and Kc.
    Gsm,
    /// 5G AKA with a USIM (TS 33.501 §6.1.3.2): the AuC makes a 5G HE AV (XRES*, K_AUSF), the card
    /// answers in the 3G context, the ME derives RES* and K_AUSF, the SEAF checks HRES*.
    #[value(name = "5g")]
    FiveG,
}

/// Arguments of `vusim aka`.
#[derive(Debug, Args)]
pub struct AkaArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// Security context.
    #[arg(long, value_enum, default_value = "3g")]
    pub context: Context,
    /// Let the AuC's SEQ jump this far ahead first (beyond the card's Δ this forces a
    /// synchronisation failure and an AUTS resynchronisation).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub sqn_ahead: u64,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    pub trace: bool,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

fn authenticate(rand: &[u8; 16], autn: &[u8; 16]) -> anyhow::Result<Vec<u8>> {
    let mut data = vec![0x10];
    data.extend_from_slice(rand);
    data.push(0x10);
    data.extend_from_slice(autn);
    Ok(Command::build(0x00, 0x88, 0x00, 0x81, &data, Some(256))?.encode())
}

/// `DB L RES L CK L IK [08 Kc]` → (RES, CK, IK).
fn parse_3g(d: &[u8]) -> anyhow::Result<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    match d {
        [0xDB, l, rest @ ..] => {
            let l = usize::from(*l);
            Ok((
                rest.get(..l).unwrap_or_default().to_vec(),
                rest.get(l + 1..l + 17).unwrap_or_default().to_vec(),
                rest.get(l + 18..l + 34).unwrap_or_default().to_vec(),
            ))
        }
        _ => bail!("AUTHENTICATE answer malformed: {}", hex::encode_upper(d)),
    }
}

/// Run `vusim aka`.
pub fn run(args: &AkaArgs) -> anyhow::Result<ExitCode> {
    let card = super::open_card_file(args.card.as_deref())?;
    let mut auc = Auc::for_profile(card.profile(), args.card.as_deref())?;
    let mut me = Me::new(card, args.trace);
    me.start_usim()?;
    let mut rand = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rand);
    let mut out = serde_json::Map::new();
    let context = match args.context {
        Context::ThreeG => "3g",
        Context::Gsm => "gsm",
        Context::FiveG => "5g",
    };
    out.insert("context".into(), json!(context));
    out.insert("rand".into(), json!(hex::encode(rand)));
    let ok = match args.context {
        Context::Gsm => {
            let (sres, kc) = auc.triplet(rand)?;
            let cmd = Command::build(
                0x00,
                0x88,
                0x00,
                0x80,
                &[&[0x10][..], &rand].concat(),
                Some(256),
            )?;
            let r = me.ok(&cmd.encode(), "AUTHENTICATE (GSM context)")?;
            let (card_sres, card_kc) = match r.as_slice() {
                [0x04, s @ ..] if s.len() == 13 => (
                    s.get(..4).unwrap_or_default().to_vec(),
                    s.get(5..13).unwrap_or_default().to_vec(),
                ),
                _ => bail!("GSM context answer malformed: {}", hex::encode_upper(&r)),
            };
            out.insert("sres".into(), json!(hex::encode(card_sres.clone())));
            out.insert("expected_sres".into(), json!(hex::encode(sres)));
            out.insert("kc".into(), json!(hex::encode(card_kc.clone())));
            out.insert("expected_kc".into(), json!(hex::encode(kc)));
            card_sres == sres && card_kc == kc
        }
        Context::FiveG => {
            auc.skip(args.sqn_ahead);
            let mnc_len = usize::from(me.card.profile().usim.mnc_len.unwrap_or(2));
            let imsi = crate::me::imsi(&me.card);
            let snn = fiveg::serving_network_name(
                imsi.get(..3).unwrap_or("001"),
                imsi.get(3..3 + mnc_len).unwrap_or("01"),
            )?;
            let (mut v, mut xres_star, mut k_ausf) = auc.he_av_5g(rand, &snn)?;
            let mut resp = me.send(&authenticate(&v.rand, &v.autn)?)?;
            if resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC) {
                let auts = resp.data.get(2..16).unwrap_or_default().to_vec();
                let sqn_ms = auc.resync(&v.rand, &auts)?;
                out.insert("auts".into(), json!(hex::encode(&auts)));
                out.insert("sqn_ms".into(), json!(sqn_ms));
                (v, xres_star, k_ausf) = auc.he_av_5g(rand, &snn)?;
                resp = me.send(&authenticate(&v.rand, &v.autn)?)?;
            }
            if resp.sw != StatusWord::SUCCESS {
                bail!(
                    "AUTHENTICATE: card answered {} {}",
                    resp.sw,
                    resp.sw.meaning_for(0x88)
                );
            }
            let (res, ck, ik) = parse_3g(&resp.data)?;
            // The ME's side of 5G AKA (TS 33.501 Annex A.2, A.4).
            let ck: [u8; 16] = ck.as_slice().try_into().context("CK is 16 bytes")?;
            let ik: [u8; 16] = ik.as_slice().try_into().context("IK is 16 bytes")?;
            let (ck, ik) = (Ck::new(ck), Ik::new(ik));
            let res_star = fiveg::res_star(&ck, &ik, &snn, &v.rand, &res)?;
            let sqn_xor_ak: [u8; 6] = v
                .autn
                .get(..6)
                .and_then(|s| s.try_into().ok())
                .unwrap_or_default();
            let me_k_ausf = fiveg::k_ausf(&ck, &ik, &snn, &sqn_xor_ak)?;
            let hres = fiveg::hres_star(&v.rand, &res_star);
            let hxres = fiveg::hres_star(&v.rand, &xres_star);
            out.insert("snn".into(), json!(snn));
            out.insert("sqn".into(), json!(v.sqn));
            out.insert("res_star".into(), json!(hex::encode(res_star)));
            out.insert("xres_star".into(), json!(hex::encode(xres_star)));
            out.insert("hres_star".into(), json!(hex::encode(hres)));
            out.insert("hxres_star".into(), json!(hex::encode(hxres)));
            let k_ok = me_k_ausf.expose() == &k_ausf;
            out.insert("k_ausf_match".into(), json!(k_ok));
            res_star == xres_star && hres == hxres && k_ok
        }
        Context::ThreeG => {
            auc.skip(args.sqn_ahead);
            let mut v = auc.vector(rand, false)?;
            let mut resp = me.send(&authenticate(&v.rand, &v.autn)?)?;
            out.insert("sqn".into(), json!(v.sqn));
            if resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC) {
                let auts = resp.data.get(2..16).unwrap_or_default().to_vec();
                let sqn_ms = auc.resync(&v.rand, &auts)?;
                out.insert("auts".into(), json!(hex::encode(&auts)));
                out.insert("sqn_ms".into(), json!(sqn_ms));
                v = auc.vector(rand, false)?;
                out.insert("sqn_after_resync".into(), json!(v.sqn));
                resp = me.send(&authenticate(&v.rand, &v.autn)?)?;
            }
            if resp.sw != StatusWord::SUCCESS {
                bail!(
                    "AUTHENTICATE: card answered {} {}",
                    resp.sw,
                    resp.sw.meaning_for(0x88)
                );
            }
            let (res, ck, ik) = parse_3g(&resp.data)?;
            out.insert("res".into(), json!(hex::encode(&res)));
            out.insert("xres".into(), json!(hex::encode(&v.xres)));
            let keys_ok = ck == v.ck && ik == v.ik;
            out.insert("ck_ik_match".into(), json!(keys_ok));
            res == v.xres && keys_ok
        }
    };
    auc.save()?;
    out.insert("verdict".into(), json!(if ok { "pass" } else { "fail" }));
    if args.json {
        println!("{}", serde_json::Value::Object(out));
    } else {
        for (k, v) in &out {
            match v {
                serde_json::Value::String(s) => println!("{k}: {s}"),
                other => println!("{k}: {other}"),
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
