//! `vusim aka`: a full AKA run — AuC vector, AUTHENTICATE on the card through APDUs, RES against XRES — in the 3G or GSM context, with AUTS resynchronisation.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, ValueEnum};
use rand::RngCore;
use serde_json::json;
use vusim_apdu::{Command, StatusWord};
use vusim_applet::store::DurableCard;

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

/// Run `vusim aka`.
pub fn run(args: &AkaArgs) -> anyhow::Result<ExitCode> {
    let card = DurableCard::open_or_default(args.card.as_deref())?;
    let mut auc = Auc::for_profile(card.profile(), args.card.as_deref())?;
    let mut me = Me {
        card,
        trace: args.trace,
    };
    me.start_usim()?;
    let mut rand = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rand);
    let mut out = serde_json::Map::new();
    let context = match args.context {
        Context::ThreeG => "3g",
        Context::Gsm => "gsm",
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
            let d = resp.data;
            let (res, ck, ik) = match d.as_slice() {
                [0xDB, l, rest @ ..] => {
                    let l = usize::from(*l);
                    (
                        rest.get(..l).unwrap_or_default().to_vec(),
                        rest.get(l + 1..l + 17).unwrap_or_default().to_vec(),
                        rest.get(l + 18..l + 34).unwrap_or_default().to_vec(),
                    )
                }
                _ => bail!("AUTHENTICATE answer malformed: {}", hex::encode_upper(&d)),
            };
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
