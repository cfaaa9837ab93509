//! BSF and NAF (TS 33.220 §4.5.2–§4.5.3): B-TID allocation, Ks and its lifetime, and the NAF's Ks_(ext/int)_NAF from the BSF.

use vusim_crypto::gba::{self, UaProtocolId};
use vusim_crypto::keys::{Ck, Ik, Ks};

use crate::error::{NetworkError, Result};

/// What the BSF keeps for one bootstrap.
pub struct Bootstrap {
    /// B-TID = base64(RAND)@BSF domain.
    pub b_tid: String,
    /// Ks = CK ‖ IK.
    pub ks: Ks,
    /// RAND.
    pub rand: [u8; 16],
    /// Key lifetime as written into EF_GBABP (xsd:dateTime, UTC).
    pub lifetime: String,
}

impl Bootstrap {
    /// EF_GBABP as the ME writes it after the bootstrap (TS 31.102 §4.2.79): RAND, B-TID and
    /// key lifetime, each after its length.
    pub fn gbabp(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for field in [
            &self.rand[..],
            self.b_tid.as_bytes(),
            self.lifetime.as_bytes(),
        ] {
            out.push(
                u8::try_from(field.len())
                    .map_err(|_| NetworkError::input("B-TID or lifetime longer than 255 bytes"))?,
            );
            out.extend_from_slice(field);
        }
        Ok(out)
    }
}

/// The BSF of the home network.
#[derive(Debug, Clone)]
pub struct Bsf {
    /// BSF domain (`bsf.mncXXX.mccYYY.pub.3gppnetwork.org`).
    pub domain: String,
    /// Key lifetime granted, seconds.
    pub lifetime_secs: u64,
}

/// `YYYY-MM-DDThh:mm:ssZ` for seconds since the epoch.
pub fn xsd_datetime(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

impl Bsf {
    /// The BSF of the subscriber `p` describes (domain from its IMSI, TS 23.003 §16.2) granting
    /// keys for `lifetime_secs`, and the subscriber's IMPI (the ISIM's, else derived from the
    /// IMSI, TS 23.003 §13.3).
    pub fn for_profile(
        p: &vusim_applet::profile::Profile,
        lifetime_secs: u64,
    ) -> Result<(Bsf, String)> {
        let imsi = crate::me::imsi(p);
        let mnc_len = usize::from(p.usim.mnc_len.unwrap_or(2));
        let impi = match &p.isim.impi {
            Some(i) => i.clone(),
            None => gba::impi_from_imsi(&imsi, mnc_len)?,
        };
        let bsf = Bsf {
            domain: gba::bsf_domain_from_imsi(&imsi, mnc_len)?,
            lifetime_secs,
        };
        Ok((bsf, impi))
    }

    /// Record a successful bootstrap (after RES = XRES).
    pub fn bootstrap(&self, rand: [u8; 16], ck: &[u8; 16], ik: &[u8; 16], now: u64) -> Bootstrap {
        let ks = gba::ks_from_ck_ik(&Ck::new(*ck), &Ik::new(*ik));
        let expires = now + self.lifetime_secs;
        Bootstrap {
            b_tid: gba::b_tid(&rand, &self.domain),
            ks,
            rand,
            lifetime: xsd_datetime(expires),
        }
    }
}

/// The NAF's keys for a NAF_Id, as the BSF hands them over (Zn): (Ks_ext_NAF, Ks_int_NAF).
pub fn naf_keys(
    b: &Bootstrap,
    impi: &str,
    fqdn: &str,
    ua: UaProtocolId,
) -> Result<([u8; 32], [u8; 32])> {
    let naf_id = gba::naf_id(fqdn, ua);
    let ext = gba::ks_ext_naf(&b.ks, &b.rand, impi, &naf_id)?;
    let int = gba::ks_int_naf(&b.ks, &b.rand, impi, &naf_id)?;
    Ok((*ext.expose(), *int.expose()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime() {
        assert_eq!(xsd_datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(xsd_datetime(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(xsd_datetime(1_795_608_000), "2026-11-25T12:00:00Z");
    }
}
