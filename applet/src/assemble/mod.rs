//! Profile → card: the layer above the profile schema and the applets that assembles a card —
//! identities encoded into their EFs (TS 31.102 §4.2, TS 102 221 §13.2, TS 31.103 §4.2), PINs,
//! authentication configuration, the applets a profile asks for, saved state applied.

use rand::RngCore;

use crate::card::security::{
    pad_pin, Pin, Security, KEY_ADM1, KEY_PIN1, KEY_PIN2, KEY_UNIVERSAL_PIN,
};
use crate::card::{Card, CardBuilder};
use crate::fs::services::{self, IST_NAMES, UST_NAMES};
use crate::fs::spec::{DfSpec, EfSpec, Gate};
use crate::fs::tables::{self, fid};
use crate::profile::templates::NewCard;
use crate::profile::{err, FileValue, PinSection, Profile, ProfileError};
use crate::usim::{AuthConfig, Isim, SqnPolicy, Usim, ISIM_AID, USIM_AID};

impl Profile {
    /// Build the card this profile describes (state applied when present). `file` names the
    /// source in errors.
    pub fn build_card(&self, file: &str) -> Result<Card, ProfileError> {
        build(self, file, Vec::new())
    }

    /// Build the card this profile describes with applets of your own registered after the
    /// profile's (listed in EF.DIR, selectable by their AIDs, reaching the card's services):
    /// for prototyping a card applet in Rust on a complete USIM.
    pub fn build_card_with(
        &self,
        file: &str,
        extra: Vec<Box<dyn crate::card::applet::Applet>>,
    ) -> Result<Card, ProfileError> {
        build(self, file, extra)
    }
}

impl NewCard {
    /// The new card's profile (see [`NewCard`]), checked by building the card; random keys come
    /// from `rng`, `file` names the card in errors.
    pub fn profile(&self, rng: &mut impl RngCore, file: &str) -> Result<Profile, ProfileError> {
        let p = self.profile_unchecked(rng);
        build(&p, file, Vec::new())?;
        Ok(p)
    }
}

pub(crate) fn pin_block(
    file: &str,
    key: &str,
    digits: &str,
    adm: bool,
) -> Result<[u8; 8], ProfileError> {
    if adm && digits.len() == 16 && digits.chars().all(|c| c.is_ascii_hexdigit()) {
        let v = hex::decode(digits).map_err(|_| err(file, key, "not hex"))?;
        return v
            .try_into()
            .map_err(|_| err(file, key, "ADM must be 8 bytes"));
    }
    if adm {
        if digits.len() != 8 {
            return Err(err(file, key, "ADM is 8 characters or 16 hex digits"));
        }
        return pad_pin(digits.as_bytes()).ok_or_else(|| err(file, key, "too long"));
    }
    if !(4..=8).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(err(
            file,
            key,
            format!("expected 4 to 8 digits, got {digits:?}"),
        ));
    }
    pad_pin(digits.as_bytes()).ok_or_else(|| err(file, key, "too long"))
}

pub(crate) fn security_from(p: &PinSection, file: &str) -> Result<Security, ProfileError> {
    let pin_n = p.pin_retries.unwrap_or(3);
    let puk_n = p.puk_retries.unwrap_or(10);
    let get = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_string());
    let pin1 = pin_block(file, "pins.pin1", &get(&p.pin1, "1234"), false)?;
    let puk1 = pin_block(file, "pins.puk1", &get(&p.puk1, "12345678"), false)?;
    let pin2 = pin_block(file, "pins.pin2", &get(&p.pin2, "5678"), false)?;
    let puk2 = pin_block(file, "pins.puk2", &get(&p.puk2, "87654321"), false)?;
    let upin = pin_block(
        file,
        "pins.universal_pin",
        &get(&p.universal_pin, "0000"),
        false,
    )?;
    let adm = pin_block(file, "pins.adm1", &get(&p.adm1, "88888888"), true)?;
    let mut p1 = Pin::new(KEY_PIN1, pin1, pin_n, Some((puk1, puk_n)));
    p1.enabled = p.pin1_enabled.unwrap_or(true);
    let mut u = Pin::new(KEY_UNIVERSAL_PIN, upin, pin_n, Some((puk1, puk_n)));
    u.enabled = p.universal_pin_enabled.unwrap_or(false);
    Ok(Security::new(vec![
        p1,
        Pin::new(KEY_PIN2, pin2, pin_n, Some((puk2, puk_n))),
        u,
        Pin::new(KEY_ADM1, adm, p.adm_retries.unwrap_or(10), None),
    ]))
}

/// Builder pieces shared with [`encode`].
pub(crate) struct Parts {
    pub usim: Usim,
    pub isim: Option<Isim>,
    pub security: Security,
    /// The experimental API applets (`[api]`).
    pub api: Vec<Box<dyn crate::card::applet::Applet>>,
    /// The experimental AKMA and IoT API applets (`[akma]`, `[iot]`).
    pub akma_iot: Vec<Box<dyn crate::card::applet::Applet>>,
}

pub(crate) fn applets(
    p: &Profile,
    file: &str,
    auth: AuthConfig,
    sqn: SqnPolicy,
) -> Result<Parts, ProfileError> {
    let aid = |v: &Option<String>, key: &str, default: &[u8]| -> Result<Vec<u8>, ProfileError> {
        match v {
            None => Ok(default.to_vec()),
            Some(h) => {
                let b = hex::decode(h).map_err(|_| err(file, key, "not hex"))?;
                if !(5..=16).contains(&b.len()) {
                    return Err(err(
                        file,
                        key,
                        format!("an AID is 5 to 16 bytes, got {}", b.len()),
                    ));
                }
                Ok(b)
            }
        }
    };
    let usim = Usim::new(&aid(&p.usim.aid, "usim.aid", &USIM_AID)?, auth, sqn);
    let usim = usim.with_extensions(crate::api::akma::usim_extensions(p));
    let isim = if p.isim.enabled.unwrap_or(true) {
        Some(Isim::new(&aid(&p.isim.aid, "isim.aid", &ISIM_AID)?))
    } else {
        None
    };
    Ok(Parts {
        usim,
        isim,
        security: security_from(&p.pins, file)?,
        api: crate::api::applets(p, file)?,
        akma_iot: [
            crate::api::akma::applets(p, file)?,
            crate::api::iot::applets(p, file)?,
            crate::api::card_applets(p, file)?,
            loadable_applets(p, file)?,
        ]
        .into_iter()
        .flatten()
        .collect(),
    })
}

/// The loadable applets of `[[loadable]]` (registered after every built-in applet).
#[cfg(feature = "wasm-applets")]
fn loadable_applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    crate::wasm::loadable(p, file)
}

/// Without the `wasm-applets` feature a profile with loadable applets does not build.
#[cfg(not(feature = "wasm-applets"))]
fn loadable_applets(
    p: &Profile,
    file: &str,
) -> Result<Vec<Box<dyn crate::card::applet::Applet>>, ProfileError> {
    if p.loadable.is_empty() {
        Ok(Vec::new())
    } else {
        Err(err(
            file,
            "loadable",
            "this vusim was built without the wasm-applets feature",
        ))
    }
}

/// The default builder plumbing: MF table plus the applets.
pub(crate) fn builder(parts: Parts) -> CardBuilder {
    let mut b = CardBuilder::new(&tables::MF).applet(Box::new(parts.usim));
    if let Some(i) = parts.isim {
        b = b.applet(Box::new(i));
    }
    for a in parts.api {
        b = b.applet(a);
    }
    for a in parts.akma_iot {
        b = b.applet(a);
    }
    b.security(parts.security)
}

/// Parse hex of an exact length (`len` bytes) or any length (`None`).
fn hex_of(
    file: &str,
    key: &str,
    text: &str,
    len: Option<&[usize]>,
) -> Result<Vec<u8>, ProfileError> {
    let v =
        vusim_apdu::hexstr::parse_hex(text).map_err(|e| err(file, key, format!("not hex: {e}")))?;
    if let Some(allowed) = len {
        if !allowed.contains(&v.len()) {
            let want: Vec<String> = allowed.iter().map(|n| n.to_string()).collect();
            return Err(err(
                file,
                key,
                format!("expected {} bytes, got {}", want.join(" or "), v.len()),
            ));
        }
    }
    Ok(v)
}

/// Digits swapped into BCD nibbles, `F`-padded (TS 102 221 §13.2, TS 31.102 §4.2.2).
fn swapped_bcd(digits: &str) -> Vec<u8> {
    let nibbles: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    nibbles
        .chunks(2)
        .map(|p| match p {
            [a, b] => (b << 4) | a,
            [a] => 0xF0 | a,
            _ => 0xFF,
        })
        .collect()
}

fn digits(
    file: &str,
    key: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<String, ProfileError> {
    if !(min..=max).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err(
            file,
            key,
            format!("expected {min} to {max} digits, got {text:?}"),
        ));
    }
    Ok(text.to_string())
}

/// EF.IMSI: length byte, then the IMSI with the parity/type nibble (TS 31.102 §4.2.2, TS 24.008 §10.5.1.4).
pub(crate) fn imsi_ef(imsi: &str) -> Vec<u8> {
    let odd = imsi.len() % 2 == 1;
    let first = if odd { 0x9 } else { 0x1 };
    let mut nibbles = vec![first];
    nibbles.extend(imsi.bytes().map(|b| b - b'0'));
    if nibbles.len() % 2 == 1 {
        nibbles.push(0xF);
    }
    let bytes: Vec<u8> = nibbles
        .chunks(2)
        .map(|p| p.iter().rev().fold(0u8, |a, n| (a << 4) | n))
        .collect();
    let mut out = vec![u8::try_from(bytes.len()).unwrap_or(8)];
    out.extend(bytes);
    out
}

/// A `[files]` key → (scope, FID path).
fn resolve_file(file: &str, key: &str) -> Result<(String, Vec<u16>), ProfileError> {
    let bad = |p: &str| err(file, &format!("files.{key:?}"), p.to_string());
    if let Some((scope, path)) = key.split_once(':') {
        let fids = path
            .split('/')
            .map(|f| {
                u16::from_str_radix(f, 16)
                    .map_err(|_| bad("FID path must be hex FIDs separated by /"))
            })
            .collect::<Result<Vec<u16>, _>>()?;
        return Ok((scope.to_ascii_uppercase(), fids));
    }
    let (scopes, name): (Vec<&str>, &str) = match key.split_once('/') {
        Some((scope, name)) => (vec![scope], name),
        None => (vec!["USIM", "MF", "ISIM"], key),
    };
    for scope in scopes {
        let root: &DfSpec = match scope.to_ascii_uppercase().as_str() {
            "USIM" => &tables::ADF_USIM,
            "ISIM" => &tables::ADF_ISIM,
            "MF" => &tables::MF,
            _ => return Err(bad("scope must be MF, USIM or ISIM")),
        };
        if let Some(path) = find_in(root, name) {
            return Ok((scope.to_ascii_uppercase(), path));
        }
    }
    Err(bad(
        "no file of that name (use EF.NAME, SCOPE/EF.NAME or SCOPE:FID/FID)",
    ))
}

fn find_in(df: &DfSpec, name: &str) -> Option<Vec<u16>> {
    if let Some(ef) = df.efs.iter().find(|e| e.name.eq_ignore_ascii_case(name)) {
        return Some(vec![ef.fid]);
    }
    df.dfs.iter().find_map(|d| {
        if d.name.eq_ignore_ascii_case(name) {
            return Some(vec![d.fid]);
        }
        find_in(d, name).map(|mut p| {
            p.insert(0, d.fid);
            p
        })
    })
}

fn ef_at(root: &'static DfSpec, path: &[u16]) -> Option<(&'static EfSpec, Gate)> {
    match path {
        [fid] => root.efs.iter().find(|e| e.fid == *fid).map(|e| (e, e.gate)),
        [df, rest @ ..] => {
            let d = root.dfs.iter().find(|d| d.fid == *df)?;
            let (ef, gate) = ef_at(d, rest)?;
            Some((ef, if d.gate == Gate::None { gate } else { d.gate }))
        }
        [] => None,
    }
}

/// Build the card a profile describes.
pub(crate) fn build(
    p: &Profile,
    file: &str,
    extra: Vec<Box<dyn crate::card::applet::Applet>>,
) -> Result<Card, ProfileError> {
    let auth = AuthConfig::from_profile(&p.auth, file)?;
    let sqn = SqnPolicy::from_profile(&p.auth.sqn, file)?;
    let mut parts = applets(p, file, auth, sqn)?;
    parts.akma_iot.extend(extra);
    let has_isim = parts.isim.is_some();
    let mut b = builder(parts);

    // Service tables first: they decide which files exist.
    let ust_len = tables::ADF_USIM
        .efs
        .iter()
        .find(|e| e.fid == fid::EF_UST)
        .map_or(17, |e| e.structure.size());
    let ust = match &p.services.ust {
        Some(list) => {
            let nums = services::resolve(
                list,
                UST_NAMES,
                u16::try_from(ust_len * 8).unwrap_or(u16::MAX),
            )
            .map_err(|e| err(file, "services.ust", e))?;
            let t = services::table(&nums, ust_len);
            b = b.file("USIM", &[fid::EF_UST], t.clone());
            t
        }
        None => tables::ADF_USIM
            .efs
            .iter()
            .find(|e| e.fid == fid::EF_UST)
            .map(crate::fs::tree::default_contents)
            .transpose()
            .map_err(|e| err(file, "services.ust", e.to_string()))?
            .unwrap_or_default(),
    };
    let present = |path: &[u16]| {
        ef_at(&tables::ADF_USIM, path)
            .is_some_and(|(_, gate)| gate.open(|n| services::list(&ust).contains(&n)))
    };
    if let Some(list) = &p.services.est {
        let nums = services::resolve(list, &[], 64).map_err(|e| err(file, "services.est", e))?;
        b = b.file("USIM", &[fid::EF_EST], services::table(&nums, 8));
    }
    if let Some(list) = &p.services.ist {
        if !has_isim {
            return Err(err(file, "services.ist", "the ISIM is disabled"));
        }
        let nums =
            services::resolve(list, IST_NAMES, 64).map_err(|e| err(file, "services.ist", e))?;
        b = b.file("ISIM", &[fid::EF_IST], services::table(&nums, 8));
    }

    if let Some(iccid) = &p.card.iccid {
        let d = digits(file, "card.iccid", iccid, 18, 20)?;
        b = b.file("MF", &[fid::EF_ICCID], swapped_bcd(&d));
    }
    let imsi = match &p.usim.imsi {
        Some(i) => Some(digits(file, "usim.imsi", i, 6, 15)?),
        None => None,
    };
    let mnc_len = p.usim.mnc_len.unwrap_or(2);
    if !(2..=3).contains(&mnc_len) {
        return Err(err(
            file,
            "usim.mnc_len",
            format!("expected 2 or 3, got {mnc_len}"),
        ));
    }
    if let Some(imsi) = &imsi {
        b = b.file("USIM", &[fid::EF_IMSI], imsi_ef(imsi)).file(
            "MF",
            &[fid::DF_GSM, fid::EF_IMSI_GSM],
            imsi_ef(imsi),
        );
    }
    b = b
        .file("USIM", &[fid::EF_AD], vec![0x00, 0x00, 0x00, mnc_len])
        .file(
            "MF",
            &[fid::DF_GSM, fid::EF_AD_GSM],
            vec![0x00, 0x00, 0x00, mnc_len],
        );
    if let Some(msisdn) = &p.usim.msisdn {
        if present(&[fid::EF_MSISDN]) {
            let (intl, num) = match msisdn.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, msisdn.as_str()),
            };
            let num = digits(file, "usim.msisdn", num, 1, 20)?;
            let rl = ef_at(&tables::ADF_USIM, &[fid::EF_MSISDN]).map_or(28, |(e, _)| {
                match e.structure {
                    crate::fs::spec::Structure::LinearFixed { record_len, .. } => {
                        usize::from(record_len)
                    }
                    _ => 28,
                }
            });
            let mut rec = vec![0xFF; rl.saturating_sub(14)];
            let bcd = swapped_bcd(&num);
            rec.push(u8::try_from(bcd.len() + 1).unwrap_or(11));
            rec.push(if intl { 0x91 } else { 0x81 });
            let mut number = bcd;
            number.resize(10, 0xFF);
            rec.extend(number);
            rec.extend([0xFF, 0xFF]);
            b = b.file("USIM", &[fid::EF_MSISDN], rec);
        }
    }
    if let Some(spn) = &p.usim.spn {
        if present(&[fid::EF_SPN]) {
            if spn.len() > 16
                || !spn
                    .bytes()
                    .all(|c| (0x20..0x7F).contains(&c) && c != b'@' && c != b'$')
            {
                return Err(err(
                    file,
                    "usim.spn",
                    "up to 16 printable ASCII characters (no @ or $)",
                ));
            }
            let mut v = vec![0x01];
            v.extend(spn.bytes());
            b = b.file("USIM", &[fid::EF_SPN], v);
        }
    }
    if let Some(ri) = &p.usim.routing_indicator {
        let ri = digits(file, "usim.routing_indicator", ri, 1, 4)?;
        if present(&[fid::DF_5GS, fid::EF_ROUTING_INDICATOR]) {
            let mut v = swapped_bcd(&ri);
            v.resize(4, 0xFF);
            b = b.file("USIM", &[fid::DF_5GS, fid::EF_ROUTING_INDICATOR], v);
        }
    }
    if let Some(suci) = &p.usim.suci {
        if present(&[fid::DF_5GS, fid::EF_SUCI_CALC_INFO]) {
            b = b.file(
                "USIM",
                &[fid::DF_5GS, fid::EF_SUCI_CALC_INFO],
                suci_calc_info(file, suci)?,
            );
        }
    }
    if has_isim {
        let (mcc, mnc) = match &imsi {
            Some(i) => (
                i.get(..3).unwrap_or("001").to_string(),
                format!("{:0>3}", i.get(3..3 + usize::from(mnc_len)).unwrap_or("01")),
            ),
            None => ("001".to_string(), "001".to_string()),
        };
        let realm = format!("ims.mnc{mnc}.mcc{mcc}.3gppnetwork.org");
        let imsi_text = imsi
            .clone()
            .unwrap_or_else(|| "001010123456789".to_string());
        let impi = p
            .isim
            .impi
            .clone()
            .unwrap_or_else(|| format!("{imsi_text}@{realm}"));
        let domain = p.isim.domain.clone().unwrap_or_else(|| realm.clone());
        let impus = if p.isim.impu.is_empty() {
            vec![format!("sip:{imsi_text}@{realm}")]
        } else {
            p.isim.impu.clone()
        };
        let tlv80 = |s: &str| vusim_apdu::tlv::Tlv::new(0x80u32, s.as_bytes().to_vec()).encode();
        b = b.file("ISIM", &[fid::EF_IMPI], tlv80(&impi)).file(
            "ISIM",
            &[fid::EF_DOMAIN],
            tlv80(&domain),
        );
        if let Some((ef, _)) = ef_at(&tables::ADF_ISIM, &[fid::EF_IMPU]) {
            if let crate::fs::spec::Structure::LinearFixed {
                record_len,
                records,
            } = ef.structure
            {
                if impus.len() > usize::from(records) {
                    return Err(err(
                        file,
                        "isim.impu",
                        format!("at most {records} identities"),
                    ));
                }
                let mut all = Vec::new();
                for (i, u) in impus.iter().enumerate() {
                    let mut rec = tlv80(u);
                    if rec.len() > usize::from(record_len) {
                        return Err(err(
                            file,
                            &format!("isim.impu[{i}]"),
                            format!("longer than the {record_len}-byte record"),
                        ));
                    }
                    rec.resize(usize::from(record_len), 0xFF);
                    all.extend(rec);
                }
                b = b.file("ISIM", &[fid::EF_IMPU], all);
            }
        }
    }

    b = gbauapi_records(b, p, file)?;
    for (key, value) in &p.files {
        let (scope, path) = resolve_file(file, key)?;
        let fkey = format!("files.{key:?}");
        let bytes = match value {
            FileValue::Hex(h) => hex_of(file, &fkey, h, None)?,
            FileValue::Records(list) => {
                let root: &'static DfSpec = match scope.as_str() {
                    "USIM" => &tables::ADF_USIM,
                    "ISIM" => &tables::ADF_ISIM,
                    _ => &tables::MF,
                };
                let rl = ef_at(root, &path)
                    .and_then(|(e, _)| match e.structure {
                        crate::fs::spec::Structure::LinearFixed { record_len, .. }
                        | crate::fs::spec::Structure::Cyclic { record_len, .. } => {
                            Some(usize::from(record_len))
                        }
                        _ => None,
                    })
                    .ok_or_else(|| {
                        err(
                            file,
                            &fkey,
                            "a list of records for a file that has no records",
                        )
                    })?;
                let mut all = Vec::new();
                for (i, h) in list.iter().enumerate() {
                    let mut r = hex_of(file, &format!("{fkey}[{i}]"), h, None)?;
                    if r.len() > rl {
                        return Err(err(
                            file,
                            &format!("{fkey}[{i}]"),
                            format!("record longer than {rl} bytes"),
                        ));
                    }
                    r.resize(rl, 0xFF);
                    all.extend(r);
                }
                all
            }
        };
        b = b.file(&scope, &path, bytes);
    }

    let mut card = b.build().map_err(|e| err(file, "files", e.to_string()))?;
    if let Some(state) = &p.state {
        card.restore_image(state)
            .map_err(|e| err(file, "state", e))?;
    }
    card.install_applets()
        .map_err(|e| err(file, "loadable", e))?;
    Ok(card)
}

/// EF_SUCI_Calc_Info (TS 31.102 §4.4.11.8) for one protection scheme: `A0` (scheme id, key
/// index 1, or 0 for the null scheme) and, for profiles A and B, `A1` with the key id (`80`)
/// and the home network public key (`81`).
/// EF_GBAUAPI of ADF.USIM and ADF.ISIM from `[[gbauapi]]` (TS 31.102 Rel-18; TS 31.103
/// §4.2.22): one record per entry, in order, the rest empty.
fn gbauapi_records(
    mut b: CardBuilder,
    p: &Profile,
    file: &str,
) -> Result<CardBuilder, ProfileError> {
    for (app, adf) in [("usim", &tables::ADF_USIM), ("isim", &tables::ADF_ISIM)] {
        let Some((spec, _)) = ef_at(adf, &[crate::fs::gbauapi::FID]) else {
            continue;
        };
        let crate::fs::spec::Structure::LinearFixed {
            record_len,
            records,
        } = spec.structure
        else {
            continue;
        };
        let mut data = Vec::new();
        let mut n = 0usize;
        for (i, e) in p.gbauapi.iter().enumerate() {
            let key = format!("gbauapi[{i}]");
            if e.application.as_deref().unwrap_or("usim") != app {
                continue;
            }
            if !matches!(e.application.as_deref(), None | Some("usim" | "isim")) {
                return Err(err(
                    file,
                    &key,
                    "application: expected \"usim\" or \"isim\"",
                ));
            }
            let grant = crate::fs::gbauapi::Grant {
                aid: hex::decode(&e.applet)
                    .ok()
                    .filter(|a| (5..=16).contains(&a.len()))
                    .ok_or_else(|| err(file, &key, "applet: expected an AID of 5 to 16 bytes"))?,
                naf_id: e.naf_id(file, &key)?,
            };
            let rec = crate::fs::gbauapi::encode_record(&grant, usize::from(record_len))
                .ok_or_else(|| {
                    err(
                        file,
                        &key,
                        format!("does not fit a {record_len}-byte record"),
                    )
                })?;
            data.extend_from_slice(&rec);
            n += 1;
        }
        if n > usize::from(records) {
            return Err(err(
                file,
                "gbauapi",
                format!("{n} entries for {app}, EF_GBAUAPI has {records} records"),
            ));
        }
        if n > 0 {
            data.resize(usize::from(record_len) * usize::from(records), 0xFF);
            b = b.file(&app.to_ascii_uppercase(), &[crate::fs::gbauapi::FID], data);
        }
    }
    Ok(b)
}

fn suci_calc_info(file: &str, s: &crate::profile::SuciSection) -> Result<Vec<u8>, ProfileError> {
    use vusim_apdu::tlv::Tlv;
    let (id, key_len): (u8, &[usize]) = match s.scheme.as_str() {
        "null" => (0, &[]),
        "profile-a" => (1, &[32]),
        "profile-b" => (2, &[33, 65]),
        other => {
            return Err(err(
                file,
                "usim.suci.scheme",
                format!("{other:?}: expected null, profile-a or profile-b"),
            ))
        }
    };
    if id == 0 {
        return Ok(Tlv::new(0xA0u32, vec![0, 0]).encode());
    }
    let key = s
        .public_key
        .as_deref()
        .ok_or_else(|| err(file, "usim.suci.public_key", "needed for profile A and B"))?;
    let key = hex::decode(key.replace(' ', ""))
        .ok()
        .filter(|k| key_len.contains(&k.len()))
        .ok_or_else(|| {
            err(
                file,
                "usim.suci.public_key",
                format!("hex, {key_len:?} bytes for this scheme"),
            )
        })?;
    let mut out = Tlv::new(0xA0u32, vec![id, 1]).encode();
    out.extend(
        Tlv::constructed(
            0xA1u32,
            &[Tlv::new(0x80u32, vec![s.key_id]), Tlv::new(0x81u32, key)],
        )
        .encode(),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imsi_and_iccid_encoding() {
        assert_eq!(
            hex::encode_upper(imsi_ef("001010123456789")),
            "080910101032547698"
        );
        assert_eq!(
            hex::encode_upper(imsi_ef("00101012345678")),
            "0801101010325476F8"
        );
        assert_eq!(
            hex::encode_upper(swapped_bcd("8988211000000000014")),
            "988812010000000010F4"
        );
    }
}
