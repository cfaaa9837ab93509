//! EF_GBAUAPI, Access Control to GBA_U_API (3GPP TS 31.102 Rel-18 in ADF.USIM, service n°68;
//! TS 31.103 §4.2.22 in ADF.ISIM, service n°2; its use is described in TS 31.130): each record
//! grants one UICC applet (by AID) the use of the GBA_U key Ks_int_NAF of one NAF_ID.
//!
//! Record coding: BER-TLV tag `80`, whose value is the AID length (1 byte), the AID, the NAF_ID
//! length (1 byte) and the NAF_ID (FQDN ‖ Ua security protocol identifier, TS 33.220 Annex H);
//! unused bytes `FF`. A record that is empty or does not follow this coding exactly grants
//! nothing (vusim's reading; the card never guesses a grant).

use vusim_apdu::tlv::{Tag, Tlv};

/// File identifier of EF_GBAUAPI (in ADF.USIM and ADF.ISIM).
pub const FID: u16 = crate::fs::tables::fid::EF_GBAUAPI;

/// Tag of an applet/NAF access-control object.
pub const TAG_APPLET_NAF: u32 = 0x80;

/// One grant: the applet with `aid` may use Ks_int_NAF of `naf_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// AID of the UICC applet (5 to 16 bytes, ISO/IEC 7816-5).
    pub aid: Vec<u8>,
    /// NAF_ID: NAF FQDN ‖ Ua security protocol identifier (5 bytes).
    pub naf_id: Vec<u8>,
}

/// Decode one record; `None` for an empty or malformed record (which grants nothing).
pub fn decode_record(record: &[u8]) -> Option<Grant> {
    if record.first().is_none_or(|b| *b == 0xFF) {
        return None;
    }
    let (tlv, rest) = Tlv::parse(record).ok()?;
    if tlv.tag != Tag(TAG_APPLET_NAF) || rest.iter().any(|b| *b != 0xFF) {
        return None;
    }
    let (&aid_len, rest) = tlv.value.split_first()?;
    let aid = rest.get(..usize::from(aid_len))?;
    let (&naf_len, rest) = rest.get(usize::from(aid_len)..)?.split_first()?;
    let naf_id = rest.get(..usize::from(naf_len))?;
    let exact = rest.len() == usize::from(naf_len);
    let sizes_ok = (5..=16).contains(&aid.len()) && naf_id.len() > 5;
    (exact && sizes_ok).then(|| Grant {
        aid: aid.to_vec(),
        naf_id: naf_id.to_vec(),
    })
}

/// Encode a grant into a record of `record_len` bytes (`FF`-padded); `None` if it does not fit
/// or a field is out of range.
pub fn encode_record(grant: &Grant, record_len: usize) -> Option<Vec<u8>> {
    let aid_len = u8::try_from(grant.aid.len()).ok()?;
    let naf_len = u8::try_from(grant.naf_id.len()).ok()?;
    let mut value = vec![aid_len];
    value.extend_from_slice(&grant.aid);
    value.push(naf_len);
    value.extend_from_slice(&grant.naf_id);
    let mut record = Tlv::new(TAG_APPLET_NAF, value).encode();
    if record.len() > record_len || decode_record(&record).as_ref() != Some(grant) {
        return None;
    }
    record.resize(record_len, 0xFF);
    Some(record)
}

/// The grants of a whole file (its records, in order); malformed records are skipped.
pub fn grants<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Vec<Grant> {
    records.into_iter().filter_map(decode_record).collect()
}

/// Whether `records` grant the applet `aid` the key of `naf_id`.
pub fn allows<'a>(records: impl IntoIterator<Item = &'a [u8]>, aid: &[u8], naf_id: &[u8]) -> bool {
    records
        .into_iter()
        .filter_map(decode_record)
        .any(|g| g.aid == aid && g.naf_id == naf_id)
}

/// Text lines for the decoder and the shell.
pub fn describe(record: &[u8]) -> Vec<String> {
    match decode_record(record) {
        Some(g) => {
            let (fqdn, ua) = g.naf_id.split_at(g.naf_id.len().saturating_sub(5));
            vec![format!(
                "applet {} may use Ks_int_NAF of NAF {} (Ua protocol {})",
                hex::encode_upper(&g.aid),
                String::from_utf8_lossy(fqdn),
                hex::encode_upper(ua)
            )]
        }
        None if record.iter().all(|b| *b == 0xFF) => vec!["empty record".to_string()],
        None => vec!["malformed record: grants nothing".to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            aid: hex::decode("F0565553494D2D4C4F434B0001").expect("hex"),
            naf_id: b"lock.example.org\x01\x00\x00\x00\x02".to_vec(),
        }
    }

    #[test]
    fn coding_by_hand() {
        // 80 L | 0D AID(13) | 15 NAF_ID(21), padded with FF to 64 bytes.
        let r = encode_record(&grant(), 64).expect("fits");
        let mut want = vec![0x80, 0x24, 0x0D];
        want.extend_from_slice(&grant().aid);
        want.push(0x15);
        want.extend_from_slice(&grant().naf_id);
        assert_eq!(r.get(..want.len()), Some(&want[..]));
        assert!(r
            .get(want.len()..)
            .is_some_and(|t| t.iter().all(|b| *b == 0xFF)));
        assert_eq!(r.len(), 64);
        assert_eq!(decode_record(&r), Some(grant()));
    }

    #[test]
    fn malformed_records_grant_nothing() {
        let good = encode_record(&grant(), 64).expect("fits");
        assert!(allows([good.as_slice()], &grant().aid, &grant().naf_id));
        assert!(!allows(
            [good.as_slice()],
            b"\xF0\x01\x02\x03\x04",
            &grant().naf_id
        ));
        let mut bad_tag = good.clone();
        bad_tag[0] = 0x81;
        let mut short_aid = good.clone();
        short_aid[2] = 0x0E; // AID length overruns into the NAF_ID length
        let mut trailing = good.clone();
        trailing[0x26] = 0x00; // garbage after the TLV
        for r in [
            bad_tag,
            short_aid,
            trailing,
            vec![0xFF; 64],
            vec![],
            vec![0x80],
        ] {
            assert_eq!(decode_record(&r), None, "{}", hex::encode_upper(&r));
        }
        // Every truncation of a good record grants nothing.
        for n in 0..0x26 {
            assert_eq!(
                decode_record(good.get(..n).unwrap_or_default()),
                None,
                "{n}"
            );
        }
        assert_eq!(encode_record(&grant(), 20), None);
    }
}
