//! GET IDENTITY in the SUCI context (3GPP TS 31.102 Rel-18 §7.5): the USIM calculates the SUCI
//! itself (TS 33.501 §6.12.2, Annex C) when UST services n°124 (subscription identifier privacy)
//! and n°125 (SUCI calculation by the USIM) are both available.
//!
//! Command: CLA '80', INS '78', P1 '00', P2 '01' (identity context SUCI; b8 is the scope bit
//! of TS 102 221 Table 11.34b), no command data, Le. Response (§7.5.2): the SUCI TLV data object
//! `A1 L SUCI`, the SUCI coded as the 5GS mobile identity IE of TS 24.501 §9.11.3.4 from its
//! octet 4 on: `01` (SUPI format IMSI, type SUCI) ‖ MCC/MNC (3) ‖ routing indicator (2) ‖
//! protection scheme id ‖ home network public key id ‖ scheme output.
//!
//! Parameters: the highest-priority entry of the protection scheme list and the home network
//! public key it indexes, from EF_SUCI_Calc_Info (§4.4.11.8; a real card keeps its own copy out
//! of the ME's reach — vusim reads the one file); the routing indicator from
//! EF_Routing_Indicator (§4.4.11.11); IMSI and MNC length from EF_IMSI and EF_AD. Ephemeral
//! keys come from the card's random generator and are zeroized after use.
//!
//! Status words (TS 31.102 §7.3.2 lists them for GET IDENTITY; the choice among them is
//! vusim's where §7.5 does not name one): service n°124 or n°125 off → 6A81; context other than
//! SUCI → 6A86 (SUCI 5G NSWO, context 02, → 6A81); command data present → 6700; PIN1 not
//! verified → 6982 (as for AUTHENTICATE); EF_SUCI_Calc_Info, EF_IMSI or the routing indicator
//! unusable → 6985.

use vusim_apdu::tlv::Tlv;
use vusim_apdu::{Command, Response, StatusWord};
use zeroize::Zeroizing;

use super::{bcd, Usim, DF_5GS, EF_AD, EF_IMSI, EF_ROUTING_INDICATOR};
use crate::card::applet::Context;
use crate::crypto::keys::EcPrivateKey;
use crate::crypto::suci::{self, EciesProfile};
use crate::fs::spec::Rule;

/// UST n°124: subscription identifier privacy support (TS 31.102 §4.2.8).
const SERVICE_SUCI_PRIVACY: u16 = 124;
/// UST n°125: SUCI calculation by the USIM (TS 31.102 §4.2.8).
const SERVICE_SUCI_BY_USIM: u16 = 125;
/// EF_SUCI_Calc_Info in DF.5GS (TS 31.102 §4.4.11.8).
use crate::fs::tables::fid::EF_SUCI_CALC_INFO;
/// Identity context SUCI in P2 b7–b1 (TS 31.102 §7.5.2).
const CONTEXT_SUCI: u8 = 0x01;
/// Identity context SUCI 5G NSWO (TS 31.102 §7.5.2, Rel-17).
const CONTEXT_SUCI_NSWO: u8 = 0x02;
/// SUCI TLV data object tag (TS 31.102 §7.5.2).
const TAG_SUCI: u32 = 0xA1;
/// Octet 4 of the 5GS mobile identity: SUPI format IMSI (000), type of identity SUCI (001).
const SUCI_IMSI: u8 = 0x01;
/// Draws of an ephemeral P-256 scalar before giving up (a random 32-byte string is outside
/// the group order with probability about 2^-32).
const EPHEMERAL_TRIES: usize = 4;

/// The parameters of one SUCI calculation.
struct CalcInfo {
    scheme: u8,
    key_id: u8,
    hn_pub: Vec<u8>,
}

impl Usim {
    /// GET IDENTITY (TS 31.102 §7.5).
    pub(super) fn get_identity(
        &mut self,
        ctx: &mut Context<'_>,
        cmd: &Command,
    ) -> Result<Response, StatusWord> {
        if cmd.p1() != 0 {
            return Err(StatusWord::INCORRECT_P1P2);
        }
        match cmd.p2() & 0x7F {
            CONTEXT_SUCI => {}
            CONTEXT_SUCI_NSWO => return Err(StatusWord::FUNCTION_NOT_SUPPORTED),
            _ => return Err(StatusWord::INCORRECT_P1P2),
        }
        if !cmd.data().is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if !Self::service(ctx, SERVICE_SUCI_PRIVACY) || !Self::service(ctx, SERVICE_SUCI_BY_USIM) {
            return Err(StatusWord::FUNCTION_NOT_SUPPORTED);
        }
        if !ctx.security.satisfied(Rule::Pin1, ctx.adf) {
            return Err(StatusWord::SECURITY_STATUS_NOT_SATISFIED);
        }
        let (plmn, msin) = imsi_parts(ctx).ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let ri = dfs_file(ctx, EF_ROUTING_INDICATOR)
            .and_then(|d| d.get(..2).map(<[u8]>::to_vec))
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let info = dfs_file(ctx, EF_SUCI_CALC_INFO)
            .and_then(|d| calc_info(&d))
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let input =
            suci::imsi_scheme_input(&msin).map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let output = match info.scheme {
            0 => suci::null_scheme(&input),
            1 => conceal(ctx, EciesProfile::A, &info.hn_pub, &input)?,
            2 => conceal(ctx, EciesProfile::B, &info.hn_pub, &input)?,
            _ => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        };
        let mut value = vec![SUCI_IMSI];
        value.extend_from_slice(&plmn);
        value.extend_from_slice(&ri);
        value.push(info.scheme);
        value.push(info.key_id);
        value.extend_from_slice(&output);
        Ok(Response::ok(Tlv::new(TAG_SUCI, value).encode()))
    }
}

/// ECIES with a fresh ephemeral key from the card's generator.
fn conceal(
    ctx: &mut Context<'_>,
    profile: EciesProfile,
    hn_pub: &[u8],
    input: &[u8],
) -> Result<Vec<u8>, StatusWord> {
    for _ in 0..EPHEMERAL_TRIES {
        let mut raw = Zeroizing::new([0u8; 32]);
        ctx.rng.fill_bytes(raw.as_mut());
        let Ok(eph) = EcPrivateKey::from_slice(raw.as_ref()) else {
            continue;
        };
        match suci::conceal(profile, hn_pub, &eph, input) {
            Ok(out) => return Ok(out.to_bytes()),
            // An unusable home network key stays unusable; a bad scalar is drawn again.
            Err(_) if suci::public_key(profile, &eph).is_ok() => {
                return Err(StatusWord::CONDITIONS_NOT_SATISFIED)
            }
            Err(_) => continue,
        }
    }
    Err(StatusWord::TECHNICAL_PROBLEM)
}

/// A file of DF.5GS in the USIM.
fn dfs_file(ctx: &Context<'_>, fid: u16) -> Option<Vec<u8>> {
    let adf = ctx.adf?;
    let df = ctx.fs.child(adf, DF_5GS)?;
    let ef = ctx.fs.child(df, fid)?;
    ctx.fs.data(ef).map(<[u8]>::to_vec)
}

/// The home network identifier as TS 24.008 §10.5.1.13 codes it (MCC digit 2 | digit 1,
/// MNC digit 3 or F | MCC digit 3, MNC digit 2 | digit 1) and the MSIN, from EF_IMSI and the
/// MNC length in EF_AD byte 4.
fn imsi_parts(ctx: &Context<'_>) -> Option<([u8; 3], String)> {
    let adf = ctx.adf?;
    let file = |fid: u16| ctx.fs.child(adf, fid).and_then(|ef| ctx.fs.data(ef));
    let imsi_ef = file(EF_IMSI)?;
    let (&len, body) = imsi_ef.split_first()?;
    // The first nibble is the parity indicator, not a digit.
    let digits: Vec<u8> = bcd(body.get(..usize::from(len))?)
        .bytes()
        .skip(1)
        .map(|c| c - b'0')
        .collect();
    let mnc_len = match file(EF_AD).and_then(|d| d.get(3)).map(|b| b & 0x0F) {
        Some(3) => 3,
        _ => 2,
    };
    let d = |i: usize| digits.get(i).copied();
    let (m1, m2, m3) = (d(0)?, d(1)?, d(2)?);
    let (n1, n2) = (d(3)?, d(4)?);
    let n3 = if mnc_len == 3 { d(5)? } else { 0x0F };
    let msin: String = digits
        .get(3 + mnc_len..)?
        .iter()
        .map(|n| char::from(b'0' + n))
        .collect();
    if msin.is_empty() {
        return None;
    }
    Some(([m2 << 4 | m1, n3 << 4 | m3, n2 << 4 | n1], msin))
}

/// EF_SUCI_Calc_Info (TS 31.102 §4.4.11.8): `A0` the protection scheme list (scheme id, key
/// index) in priority order, `A1` the home network public key list (`80` key id, `81` key). The
/// first listed scheme is taken; its key index counts the `80`/`81` pairs from 1 (0: null scheme).
fn calc_info(data: &[u8]) -> Option<CalcInfo> {
    // Unused bytes at the end are FF.
    let end = data.iter().rposition(|b| *b != 0xFF).map_or(0, |i| i + 1);
    let tlvs = Tlv::parse_all(data.get(..end)?).ok()?;
    let list = Tlv::find(&tlvs, 0xA0u32)?;
    let (&scheme, rest) = list.value.split_first()?;
    let &key_index = rest.first()?;
    if scheme == 0 {
        return Some(CalcInfo {
            scheme,
            key_id: 0,
            hn_pub: Vec::new(),
        });
    }
    let keys = Tlv::find(&tlvs, 0xA1u32)?.children().ok()?;
    let pair = usize::from(key_index).checked_sub(1)?;
    let id = keys.iter().filter(|t| t.tag.0 == 0x80).nth(pair)?;
    let key = keys.iter().filter(|t| t.tag.0 == 0x81).nth(pair)?;
    Some(CalcInfo {
        scheme,
        key_id: *id.value.first()?,
        hn_pub: key.value.clone(),
    })
}
