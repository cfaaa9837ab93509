//! `vusim gba bootstrap`: the whole GBA_U flow (TS 33.220 §4.5, Annex G) — AuC vector with AUTN*, AUTHENTICATE in the GBA context, RES against XRES at the BSF, B-TID and lifetime written to EF_GBABP, NAF derivation on the card and at the NAF — with a verdict.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use rand::RngCore;
use serde_json::json;
use vusim_apdu::{Command, StatusWord};
use vusim_applet::crypto::gba::{self, UaProtocolId};

use crate::me::{imsi, Me};
use crate::network::auc::Auc;
use crate::network::bsf::{self, Bsf};

/// `vusim gba …`.
#[derive(Debug, Args)]
pub struct GbaArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: GbaAction,
}

/// GBA actions.
#[derive(Debug, Subcommand)]
pub enum GbaAction {
    /// Bootstrap (GBA_U) and derive a NAF key on the card and at the NAF.
    Bootstrap(BootstrapArgs),
}

/// Arguments of `vusim gba bootstrap`.
#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// Card file (profile and state); the embedded default card when absent.
    #[arg(long)]
    pub card: Option<PathBuf>,
    /// NAF FQDN.
    #[arg(long, default_value = "naf.example.org")]
    pub naf: String,
    /// Ua security protocol identifier, 5 bytes hex (TS 33.220 Annex H; default 0100000002,
    /// HTTP Digest per TS 24.109).
    #[arg(long, default_value = "0100000002")]
    pub ua_protocol: String,
    /// Key lifetime the BSF grants, seconds.
    #[arg(long, default_value_t = 3600)]
    pub lifetime: u64,
    /// Print every APDU, annotated, to stderr.
    #[arg(long)]
    pub trace: bool,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Run `vusim gba …`.
pub fn run(args: &GbaArgs) -> anyhow::Result<ExitCode> {
    match &args.action {
        GbaAction::Bootstrap(b) => bootstrap(b),
    }
}

fn gba_cmd(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    Ok(Command::build(0x00, 0x88, 0x00, 0x84, data, Some(256))?.encode())
}

fn bootstrap(args: &BootstrapArgs) -> anyhow::Result<ExitCode> {
    let ua_bytes: [u8; 5] = hex::decode(&args.ua_protocol)
        .ok()
        .and_then(|v| v.try_into().ok())
        .context("--ua-protocol: expected 5 bytes (10 hex digits)")?;
    let ua = UaProtocolId::from_bytes(ua_bytes);
    let card = super::open_card_file(args.card.as_deref())?;
    let mut auc = Auc::for_profile(card.profile(), args.card.as_deref())?;
    let imsi = imsi(&card);
    let mnc_len = usize::from(card.profile().usim.mnc_len.unwrap_or(2));
    let impi = match &card.profile().isim.impi {
        Some(i) => i.clone(),
        None => gba::impi_from_imsi(&imsi, mnc_len)?,
    };
    let bsf = Bsf {
        domain: gba::bsf_domain_from_imsi(&imsi, mnc_len)?,
        lifetime_secs: args.lifetime,
    };
    let mut me = Me::new(card, args.trace);
    me.start_usim()?;

    // Ub: the BSF asks the HSS for a vector and sends RAND, AUTN* to the UE.
    let mut rand = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut rand);
    let mut out = serde_json::Map::new();
    let mut v = auc.vector(rand, true)?;
    let boot = |v: &crate::network::auc::Vector| {
        let mut d = vec![0xDD, 0x10];
        d.extend_from_slice(&v.rand);
        d.push(0x10);
        d.extend_from_slice(&v.autn);
        gba_cmd(&d)
    };
    let mut resp = me.send(&boot(&v)?)?;
    if resp.sw == StatusWord::SUCCESS && resp.data.first() == Some(&0xDC) {
        let auts = resp.data.get(2..16).unwrap_or_default().to_vec();
        let sqn_ms = auc.resync(&v.rand, &auts)?;
        out.insert("resynchronised_from_sqn_ms".into(), json!(sqn_ms));
        v = auc.vector(rand, true)?;
        resp = me.send(&boot(&v)?)?;
    }
    if resp.sw != StatusWord::SUCCESS {
        bail!(
            "AUTHENTICATE (GBA bootstrapping): card answered {} {}",
            resp.sw,
            resp.sw.meaning_for(0x88)
        );
    }
    let res = match resp.data.as_slice() {
        [0xDB, l, rest @ ..] if rest.len() == usize::from(*l) => rest.to_vec(),
        _ => bail!(
            "GBA bootstrapping answer malformed: {}",
            hex::encode_upper(&resp.data)
        ),
    };
    let res_ok = res == v.xres;
    out.insert("rand".into(), json!(hex::encode(v.rand)));
    out.insert("res".into(), json!(hex::encode(&res)));
    out.insert("xres".into(), json!(hex::encode(&v.xres)));
    if !res_ok {
        out.insert("verdict".into(), json!("fail: RES ≠ XRES"));
        print(&out, args.json);
        auc.save()?;
        return Ok(ExitCode::from(1));
    }
    let now = me.card.card().clock().now();
    let b = bsf.bootstrap(v.rand, &v.ck, &v.ik, now);
    out.insert("b_tid".into(), json!(b.b_tid));
    out.insert("key_lifetime".into(), json!(b.lifetime));

    // The ME writes B-TID and key lifetime into EF_GBABP, keeping the RAND the card stored.
    me.select_ef(0x6FD6)?;
    let mut gbabp = vec![0x10];
    gbabp.extend_from_slice(&v.rand);
    for field in [b.b_tid.as_bytes(), b.lifetime.as_bytes()] {
        gbabp.push(u8::try_from(field.len()).context("B-TID or lifetime longer than 255 bytes")?);
        gbabp.extend_from_slice(field);
    }
    let upd = Command::build(0x00, 0xD6, 0x00, 0x00, &gbabp, None)?;
    me.ok(&upd.encode(), "UPDATE BINARY EF_GBABP")?;

    // NAF derivation on the card, and at the NAF with the keys from the BSF.
    let naf_id = gba::naf_id(&args.naf, ua);
    let mut d = vec![0xDE, u8::try_from(naf_id.len()).context("NAF_Id too long")?];
    d.extend_from_slice(&naf_id);
    d.push(u8::try_from(impi.len()).context("IMPI too long")?);
    d.extend_from_slice(impi.as_bytes());
    let card_ext = me.ok(&gba_cmd(&d)?, "AUTHENTICATE (GBA NAF derivation)")?;
    let card_ext = match card_ext.as_slice() {
        [0xDB, 0x20, k @ ..] if k.len() == 32 => k.to_vec(),
        _ => bail!(
            "NAF derivation answer malformed: {}",
            hex::encode_upper(&card_ext)
        ),
    };
    let (naf_ext, _naf_int) = bsf::naf_keys(&b, &impi, &args.naf, ua)?;
    let agree = card_ext == naf_ext;
    auc.save()?;
    out.insert("impi".into(), json!(impi));
    out.insert("naf_id".into(), json!(hex::encode(&naf_id)));
    out.insert("card_ks_ext_naf".into(), json!(hex::encode(&card_ext)));
    out.insert("naf_ks_ext_naf".into(), json!(hex::encode(naf_ext)));
    out.insert(
        "verdict".into(),
        json!(if agree {
            "pass: RES = XRES, card and NAF agree on Ks_ext_NAF"
        } else {
            "fail: Ks_ext_NAF differs"
        }),
    );
    print(&out, args.json);
    Ok(if agree {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print(out: &serde_json::Map<String, serde_json::Value>, json: bool) {
    if json {
        println!("{}", serde_json::Value::Object(out.clone()));
    } else {
        for (k, v) in out {
            match v {
                serde_json::Value::String(s) => println!("{k}: {s}"),
                other => println!("{k}: {other}"),
            }
        }
    }
}
