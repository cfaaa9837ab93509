//! The USIM application (TS 31.102) with AUTHENTICATE in the GSM, 3G and GBA contexts (§7.1), GET IDENTITY (§7.5, `usim/get_identity.rs`), SQN management (TS 33.102 Annex C) and the GBA_U key store (TS 33.220 Annex G); and the ISIM (TS 31.103).

use vusim_apdu::authenticate::AuthResponse;
use vusim_apdu::ins::Ins;
use vusim_apdu::{Command, Response, StatusWord};
use zeroize::Zeroizing;

use crate::card::applet::{service_available, Applet, Context};
use crate::card::keystore::{KeyEntry, KeyKind};
use crate::crypto::aka::{self, Autn};
use crate::crypto::gba;
use crate::crypto::gsm;
use crate::crypto::keys::{Kc, Ks};
use crate::fs::spec::DfSpec;
use crate::fs::tables;
use crate::fs::tables::fid::{
    DF_5GS, EF_AD, EF_GBABP, EF_GBANL, EF_IMSI, EF_ROUTING_INDICATOR, EF_UST,
};
use crate::fs::tree::NodeId;

mod akma_context;
mod config;
mod get_identity;
mod isim;

pub use akma_context::UsimExtensions;
pub use config::{AuthConfig, SqnPolicy};
pub use isim::Isim;

pub use crate::fs::tables::{ISIM_AID, USIM_AID};

/// Keys of the USIM's saved state that hold secrets (redacted by `card show`).
pub use crate::profile::SECRET_STATE_KEYS;

const SERVICE_GSM_ACCESS: u16 = 27;
const SERVICE_GSM_SECURITY_CONTEXT: u16 = 38;
const SERVICE_GBA: u16 = 68;

/// BCD digits, low nibble first, up to the first filler (or non-digit) nibble.
fn bcd(bytes: &[u8]) -> String {
    let mut out = String::new();
    for b in bytes {
        for n in [b & 0x0F, b >> 4] {
            if n > 9 {
                return out;
            }
            out.push(char::from(b'0' + n));
        }
    }
    out
}

/// The GBA_U bootstrap state: Ks, RAND and when it was bootstrapped.
#[derive(Clone)]
pub struct Bootstrap {
    /// Ks = CK ‖ IK.
    pub ks: Ks,
    /// RAND of the bootstrap.
    pub rand: [u8; 16],
    /// Card time of the bootstrap.
    pub at: u64,
}

/// The USIM application (TS 31.102).
pub struct Usim {
    aid: Vec<u8>,
    auth: AuthConfig,
    policy: SqnPolicy,
    /// SEQ_MS per IND (TS 33.102 Annex C.1.2).
    seq: Vec<u64>,
    bootstrap: Option<Bootstrap>,
    /// The experimental contexts this card offers (5G AKMA, IoT Ks).
    ext: UsimExtensions,
}

impl Usim {
    /// A USIM with this AID, algorithm and SQN policy.
    pub fn new(aid: &[u8], auth: AuthConfig, policy: SqnPolicy) -> Usim {
        Usim {
            aid: aid.to_vec(),
            auth,
            seq: vec![0; 1usize << policy.ind_bits],
            policy,
            bootstrap: None,
            ext: UsimExtensions::default(),
        }
    }

    /// Turn on the experimental contexts (docs/api/akma.md, docs/api/iot.md).
    #[must_use]
    pub fn with_extensions(mut self, ext: UsimExtensions) -> Usim {
        self.ext = ext;
        self
    }

    /// The highest SQN accepted so far (SEQ ‖ IND).
    pub fn highest_sqn(&self) -> u64 {
        let (ind, seq) = self
            .seq
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (**s, usize::MAX - *i))
            .map_or((0, 0), |(i, s)| (i, *s));
        (seq << self.policy.ind_bits) | ind as u64
    }

    /// TS 33.102 Annex C.2: accept SQN = SEQ ‖ IND if SEQ > SEQ_MS(IND), SEQ − max ≤ Δ and
    /// max − SEQ < L (Δ, L of 0 disable their check).
    fn sqn_acceptable(&self, sqn: u64) -> bool {
        let mask = (1u64 << self.policy.ind_bits) - 1;
        let ind = usize::try_from(sqn & mask).unwrap_or(0);
        let seq = sqn >> self.policy.ind_bits;
        let max = self.seq.iter().copied().max().unwrap_or(0);
        let Some(stored) = self.seq.get(ind) else {
            return false;
        };
        if seq <= *stored {
            return false;
        }
        if self.policy.delta != 0 && seq > max && seq - max > self.policy.delta {
            return false;
        }
        if self.policy.age_limit != 0 && max > seq && max - seq >= self.policy.age_limit {
            return false;
        }
        true
    }

    fn accept_sqn(&mut self, sqn: u64) {
        let mask = (1u64 << self.policy.ind_bits) - 1;
        let ind = usize::try_from(sqn & mask).unwrap_or(0);
        if let Some(s) = self.seq.get_mut(ind) {
            *s = sqn >> self.policy.ind_bits;
        }
    }

    /// SRES and Kc for RAND from the card's 3G algorithm by the TS 33.102 §6.8.1.2 conversion
    /// functions c2 and c3.
    fn gsm_triplet(&self, rand: &[u8; 16]) -> Result<([u8; 4], Kc), StatusWord> {
        let keys = self
            .auth
            .algorithm()
            .f2345(rand)
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        let sres = gsm::c2(keys.res.as_bytes()).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        Ok((sres, gsm::c3(&keys.ck, &keys.ik)))
    }

    fn service(ctx: &Context<'_>, n: u16) -> bool {
        ctx.adf
            .and_then(|adf| ctx.fs.child(adf, EF_UST))
            .and_then(|ef| ctx.fs.data(ef))
            .is_some_and(|t| service_available(t, n))
    }

    /// Verify RAND/AUTN: MAC (9862 on failure), then SQN freshness. `Ok(Err(auts))` is a
    /// synchronisation failure answered with `DC 0E AUTS`.
    fn check_challenge(
        &mut self,
        ctx: &mut Context<'_>,
        rand: &[u8; 16],
        autn: &Autn,
        keys: &aka::AkaKeys,
    ) -> Result<Result<(), Vec<u8>>, StatusWord> {
        let alg = self.auth.algorithm();
        let sqn = autn.sqn(&keys.ak);
        let xmac = alg
            .f1(rand, &sqn, &autn.amf)
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        if !crate::crypto::keys::ct_eq(&xmac, &autn.mac) {
            return Err(StatusWord::AUTH_INCORRECT_MAC);
        }
        let sqn_value = aka::sqn_to_u64(&sqn);
        if !self.sqn_acceptable(sqn_value) {
            let sqn_ms = aka::sqn_from_u64(self.highest_sqn());
            let auts =
                aka::build_auts(alg, rand, &sqn_ms).map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
            let auts = auts.to_bytes();
            return Ok(Err(AuthResponse::SyncFailure { auts }.encode()));
        }
        self.accept_sqn(sqn_value);
        *ctx.dirty = true;
        Ok(Ok(()))
    }

    fn authenticate(
        &mut self,
        ctx: &mut Context<'_>,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if cmd.p1() != 0 || cmd.p2() & 0x80 == 0 || cmd.p2() & 0x78 != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        // Like RUN GSM ALGORITHM before it, AUTHENTICATE needs the application PIN (verified or
        // disabled).
        if !ctx.security.satisfied(crate::fs::spec::Rule::Pin1, ctx.adf) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let data = cmd.data();
        match cmd.p2() & 0x07 {
            0 => {
                if !Self::service(ctx, SERVICE_GSM_SECURITY_CONTEXT) {
                    return Err(StatusWord::AUTH_CONTEXT_NOT_SUPPORTED);
                }
                let rand = parse_gsm(data)?;
                let (sres, kc) = self.gsm_triplet(&rand)?;
                let kc = *kc.expose();
                Ok(Response::ok(AuthResponse::Gsm { sres, kc }.encode()))
            }
            1 => {
                let (rand, autn) = parse_3g(data)?;
                let keys = self
                    .auth
                    .algorithm()
                    .f2345(&rand)
                    .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
                if let Err(auts) = self.check_challenge(ctx, &rand, &autn, &keys)? {
                    return Ok(Response::ok(auts));
                }
                self.keep_iot_ks(ctx, &rand, &keys);
                let out = AuthResponse::ThreeG {
                    res: keys.res.as_bytes().to_vec(),
                    ck: *keys.ck.expose(),
                    ik: *keys.ik.expose(),
                    kc: Self::service(ctx, SERVICE_GSM_ACCESS)
                        .then(|| *gsm::c3(&keys.ck, &keys.ik).expose()),
                };
                Ok(Response::ok(out.encode()))
            }
            4 => {
                if !Self::service(ctx, SERVICE_GBA) {
                    return Err(StatusWord::AUTH_CONTEXT_NOT_SUPPORTED);
                }
                match data.first() {
                    Some(0xDD) => self.gba_bootstrap(ctx, data.get(1..).unwrap_or_default()),
                    Some(0xDE) => self.gba_naf(ctx, data.get(1..).unwrap_or_default()),
                    _ => Err(StatusWord::INCORRECT_DATA),
                }
            }
            7 => self.akma_5g(ctx, data),
            _ => Err(StatusWord::AUTH_CONTEXT_NOT_SUPPORTED),
        }
    }

    /// GBA bootstrapping mode (TS 31.102 §7.1.2.3, TS 33.220 Annex G.1): AUTN* carries
    /// MAC* = MAC ⊕ first 64 bits of SHA-1(IK); on success Ks = CK ‖ IK and RAND are kept,
    /// RAND goes to EF_GBABP and only RES is returned.
    fn gba_bootstrap(
        &mut self,
        ctx: &mut Context<'_>,
        body: &[u8],
    ) -> Result<Response, StatusWord> {
        let (rand, autn_star) = parse_3g(body)?;
        let keys = self
            .auth
            .algorithm()
            .f2345(&rand)
            .map_err(|_| StatusWord::TECHNICAL_PROBLEM)?;
        let autn = gba::mask_autn(&autn_star, &keys.ik);
        if let Err(auts) = self.check_challenge(ctx, &rand, &autn, &keys)? {
            return Ok(Response::ok(auts));
        }
        self.bootstrap = Some(Bootstrap {
            ks: gba::ks_from_ck_ik(&keys.ck, &keys.ik),
            rand,
            at: ctx.now,
        });
        // EF_GBABP: RAND, then empty B-TID and lifetime until the ME writes them.
        if let Some(ef) = ctx.adf.and_then(|adf| ctx.fs.child(adf, EF_GBABP)) {
            if let Some(d) = ctx.fs.data_mut(ef) {
                let mut v = vec![0x10];
                v.extend_from_slice(&rand);
                v.extend_from_slice(&[0x00, 0x00]);
                v.resize(d.len(), 0xFF);
                if v.len() == d.len() {
                    *d = v;
                }
            }
        }
        *ctx.dirty = true;
        let res = keys.res.as_bytes().to_vec();
        Ok(Response::ok(AuthResponse::GbaBootstrap { res }.encode()))
    }

    /// B-TID and key lifetime as the ME wrote them into EF_GBABP (LV, LV, LV after RAND).
    fn gbabp_fields(ctx: &Context<'_>) -> (Vec<u8>, Option<u64>) {
        let Some(data) = ctx
            .adf
            .and_then(|adf| ctx.fs.child(adf, EF_GBABP))
            .and_then(|ef| ctx.fs.data(ef))
        else {
            return (Vec::new(), None);
        };
        let mut fields = Vec::new();
        let mut rest = data;
        for _ in 0..3 {
            let Some((&len, tail)) = rest.split_first() else {
                break;
            };
            if len == 0xFF {
                break;
            }
            let (value, tail) = tail.split_at(usize::from(len).min(tail.len()));
            fields.push(value.to_vec());
            rest = tail;
        }
        let b_tid = fields.get(1).cloned().unwrap_or_default();
        let lifetime = fields.get(2).and_then(|l| parse_lifetime(l));
        (b_tid, lifetime)
    }

    /// NAF derivation mode (TS 31.102 §7.1.2.3, TS 33.220 Annex G.2): Ks_ext_NAF is returned,
    /// Ks_int_NAF kept with its NAF_ID and B-TID (EF_GBANL, least recently used entry replaced).
    fn gba_naf(&mut self, ctx: &mut Context<'_>, body: &[u8]) -> Result<Response, StatusWord> {
        let (naf_id, rest) = take_lv(body)?;
        let (impi, rest) = take_lv(rest)?;
        if !rest.is_empty() || naf_id.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let impi = std::str::from_utf8(impi).map_err(|_| StatusWord::INCORRECT_DATA)?;
        let Some(bs) = &self.bootstrap else {
            // No Ks: conditions of use not satisfied (this card's choice; the spec names no word).
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let (b_tid, lifetime) = Self::gbabp_fields(ctx);
        if lifetime.is_some_and(|t| ctx.now >= t) {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let ext = gba::ks_ext_naf(&bs.ks, &bs.rand, impi, naf_id)
            .map_err(|_| StatusWord::WRONG_LENGTH)?;
        let int = gba::ks_int_naf(&bs.ks, &bs.rand, impi, naf_id)
            .map_err(|_| StatusWord::WRONG_LENGTH)?;
        // EF_GBANL record: 80 NAF_ID, 81 B-TID.
        let rec_bytes = vusim_apdu::tlv::Tlv::new(0x80u32, naf_id.to_vec())
            .encode()
            .into_iter()
            .chain(vusim_apdu::tlv::Tlv::new(0x81u32, b_tid.clone()).encode())
            .collect::<Vec<u8>>();
        let (ef, rl, count) = gbanl_geometry(ctx).ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        if rec_bytes.len() > rl {
            return Err(StatusWord::NOT_ENOUGH_MEMORY);
        }
        let record = ctx.keys.put(
            KeyEntry {
                kind: KeyKind::KsIntNaf,
                id: naf_id.to_vec(),
                reference: b_tid,
                key: Zeroizing::new(int.expose().to_vec()),
                expires: lifetime,
                slot: 0,
                last_used: 0,
            },
            Some(count),
        );
        if let Some(d) = ctx.fs.data_mut(ef) {
            let start = usize::from(record.saturating_sub(1)) * rl;
            if let Some(slot) = d.get_mut(start..start + rl) {
                slot.fill(0xFF);
                if let Some(dst) = slot.get_mut(..rec_bytes.len()) {
                    dst.copy_from_slice(&rec_bytes);
                }
            }
        }
        *ctx.dirty = true;
        let ks_ext_naf = ext.expose().to_vec();
        Ok(Response::ok(
            AuthResponse::NafDerivation { ks_ext_naf }.encode(),
        ))
    }
}

fn gbanl_geometry(ctx: &Context<'_>) -> Option<(NodeId, usize, u8)> {
    let ef = ctx.adf.and_then(|adf| ctx.fs.child(adf, EF_GBANL))?;
    match ctx.fs.node(ef)?.ef_spec()?.structure {
        crate::fs::spec::Structure::LinearFixed {
            record_len,
            records,
        } => Some((ef, usize::from(record_len), records)),
        _ => None,
    }
}

/// One length-value field with a 1-byte length.
fn take_lv(data: &[u8]) -> Result<(&[u8], &[u8]), StatusWord> {
    let (&len, rest) = data.split_first().ok_or(StatusWord::WRONG_LENGTH)?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err(StatusWord::WRONG_LENGTH);
    }
    Ok(rest.split_at(len))
}

/// GSM context data: `10 RAND`.
fn parse_gsm(data: &[u8]) -> Result<[u8; 16], StatusWord> {
    let (rand, rest) = take_lv(data)?;
    if !rest.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    rand.try_into().map_err(|_| StatusWord::INCORRECT_DATA)
}

/// 3G context data: `10 RAND 10 AUTN`.
fn parse_3g(data: &[u8]) -> Result<([u8; 16], Autn), StatusWord> {
    let (rand, rest) = take_lv(data)?;
    let (autn, rest) = take_lv(rest)?;
    if !rest.is_empty() {
        return Err(StatusWord::WRONG_LENGTH);
    }
    let rand: [u8; 16] = rand.try_into().map_err(|_| StatusWord::INCORRECT_DATA)?;
    let autn = Autn::parse(autn).map_err(|_| StatusWord::INCORRECT_DATA)?;
    Ok((rand, autn))
}

/// Key lifetime as TS 24.109 writes it (xsd:dateTime, UTC): `YYYY-MM-DDThh:mm:ssZ` → seconds.
pub fn parse_lifetime(text: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(text).ok()?;
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time
        .split(':')
        .map(|x| x.split('.').next().and_then(|v| v.parse::<i64>().ok()));
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

impl Applet for Usim {
    fn label(&self) -> &str {
        "USIM"
    }
    fn aid(&self) -> &[u8] {
        &self.aid
    }
    fn adf(&self) -> Option<&'static DfSpec> {
        Some(&tables::ADF_USIM)
    }
    fn service_table_fid(&self) -> Option<u16> {
        Some(EF_UST)
    }
    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        match Ins::from_byte(cmd.ins()) {
            Some(Ins::Authenticate) => self.authenticate(ctx, cmd),
            Some(Ins::GetIdentity) => self.get_identity(ctx, cmd),
            // Odd INS: the BER-TLV contexts (MBMS, local key establishment) are not supported.
            Some(Ins::AuthenticateOdd) => match cmd.p2() & 0x07 {
                5 | 6 if cmd.p1() == 0 => Err(StatusWord::AUTH_CONTEXT_NOT_SUPPORTED),
                _ => Err(StatusWord::INCORRECT_P1P2),
            },
            _ => Err(StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn runs_gsm_algorithm(&self) -> bool {
        true
    }

    fn gsm_algorithm(&mut self, rand: &[u8; 16]) -> Option<Result<Vec<u8>, StatusWord>> {
        Some(self.gsm_triplet(rand).map(|(sres, kc)| {
            let mut out = sres.to_vec();
            out.extend_from_slice(kc.expose());
            out
        }))
    }

    fn save_state(&self) -> Option<toml::Table> {
        let mut t = toml::Table::new();
        t.insert(
            "sqn".into(),
            toml::Value::Array(
                self.seq
                    .iter()
                    .map(|s| toml::Value::Integer(i64::try_from(*s).unwrap_or(i64::MAX)))
                    .collect(),
            ),
        );
        if let Some(bs) = &self.bootstrap {
            let mut g = toml::Table::new();
            g.insert(
                "ks".into(),
                toml::Value::String(hex::encode_upper(bs.ks.expose())),
            );
            g.insert(
                "rand".into(),
                toml::Value::String(hex::encode_upper(bs.rand)),
            );
            g.insert(
                "at".into(),
                toml::Value::Integer(i64::try_from(bs.at).unwrap_or(0)),
            );
            t.insert("gba".into(), toml::Value::Table(g));
        }
        Some(t)
    }

    fn restore_state(&mut self, t: &toml::Table) -> Result<(), String> {
        let int = |v: &toml::Value, what: &str| -> Result<u64, String> {
            v.as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or_else(|| format!("{what}: not a non-negative integer"))
        };
        let hexv = |v: Option<&toml::Value>, what: &str| -> Result<Vec<u8>, String> {
            v.and_then(toml::Value::as_str)
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| format!("{what}: missing or not hex"))
        };
        if let Some(sqn) = t.get("sqn") {
            let arr = sqn.as_array().ok_or("sqn: not an array")?;
            if arr.len() != self.seq.len() {
                return Err(format!(
                    "sqn: {} entries, the IND scheme has {}",
                    arr.len(),
                    self.seq.len()
                ));
            }
            self.seq = arr
                .iter()
                .map(|v| int(v, "sqn"))
                .collect::<Result<_, _>>()?;
        }
        if let Some(g) = t.get("gba").and_then(toml::Value::as_table) {
            let ks = Ks::from_slice(&hexv(g.get("ks"), "gba.ks")?).map_err(|e| e.to_string())?;
            let rand: [u8; 16] = hexv(g.get("rand"), "gba.rand")?
                .try_into()
                .map_err(|_| "gba.rand: 16 bytes")?;
            let at = int(g.get("at").ok_or("gba.at missing")?, "gba.at")?;
            self.bootstrap = Some(Bootstrap { ks, rand, at });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_parsing() {
        assert_eq!(parse_lifetime(b"1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_lifetime(b"2026-11-25T12:00:00Z"), Some(1_795_608_000));
        assert_eq!(parse_lifetime(b"2000-02-29T23:59:59Z"), Some(951_868_799));
        assert_eq!(parse_lifetime(b"garbage"), None);
        assert_eq!(parse_lifetime(b"2026-13-01T00:00:00Z"), None);
    }
}
