//! AuC/HSS: per-subscriber SQN with the IND scheme (TS 33.102 Annex C.3), authentication vectors for 3G, GSM (triplets via c2/c3) and GBA_U (AUTN*), and AUTS resynchronisation (§6.3.5).

use std::time::Duration;

use std::path::{Path, PathBuf};
use vusim_applet::store::holder::Holder;

use vusim_applet::profile::Profile;
use vusim_applet::usim::AuthConfig;
use vusim_crypto::aka::{self, Autn, Auts};
use vusim_crypto::fiveg;
use vusim_crypto::gba;
use vusim_crypto::gsm;
use vusim_crypto::keys::{Ck, Ik};

use crate::error::{NetworkError, Result};

/// One 3G authentication vector (RAND, XRES, CK, IK, AUTN) and the SQN it carries.
pub struct Vector {
    /// RAND.
    pub rand: [u8; 16],
    /// XRES.
    pub xres: Vec<u8>,
    /// CK.
    pub ck: [u8; 16],
    /// IK.
    pub ik: [u8; 16],
    /// AUTN (AUTN* for GBA_U).
    pub autn: [u8; 16],
    /// SQN in AUTN.
    pub sqn: u64,
}

/// The AuC of one subscriber.
pub struct Auc {
    alg: AuthConfig,
    ind_bits: u8,
    /// SEQ_HE.
    pub seq: u64,
    /// Next IND.
    pub ind: u64,
    /// AMF for new vectors (separation bit 0x8000 as EPS/5G need).
    pub amf: [u8; 2],
    state: Option<PathBuf>,
    /// The hold on `FILE.hss` while this AuC may advance SEQ_HE: two processes never hand out
    /// the same SQN (one card, one holder, applied to the HSS state beside it).
    _hold: Option<Holder>,
}

/// How long an AuC waits for another process to let go of the HSS state file.
pub const HSS_STATE_WAIT: Duration = Duration::from_secs(5);

impl Auc {
    /// The AuC for the subscriber a profile describes (same K/OPc as the card, as provisioned).
    /// With a card file, SEQ_HE persists in `FILE.hss`.
    pub fn for_profile(p: &Profile, card_file: Option<&Path>) -> Result<Auc> {
        let name = card_file.map_or_else(
            || "<embedded default>".to_string(),
            |f| f.display().to_string(),
        );
        let alg = AuthConfig::from_profile(&p.auth, &name)?;
        let mut auc = Auc {
            alg,
            ind_bits: p.auth.sqn.ind_bits,
            seq: 0,
            ind: 0,
            amf: [0x80, 0x00],
            state: card_file.map(|f| {
                let mut s = f.as_os_str().to_owned();
                s.push(".hss");
                PathBuf::from(s)
            }),
            _hold: None,
        };
        if let Some(path) = &auc.state {
            let hold = Holder::acquire(path, "HSS state file", HSS_STATE_WAIT)
                .map_err(vusim_applet::store::StoreError::from)?;
            auc._hold = Some(hold);
        }
        if let Some(path) = &auc.state {
            if path.exists() {
                let state_err = |what: String, e: Box<dyn std::error::Error + Send + Sync>| {
                    NetworkError::HssState {
                        path: path.clone(),
                        what,
                        source: Some(e),
                    }
                };
                let text = std::fs::read_to_string(path)
                    .map_err(|e| state_err("reading HSS state".into(), Box::new(e)))?;
                let t: toml::Table = toml::from_str(&text)
                    .map_err(|e| state_err("parsing HSS state".into(), Box::new(e)))?;
                let get = |k: &str| -> Result<u64> {
                    t.get(k)
                        .and_then(toml::Value::as_integer)
                        .and_then(|i| u64::try_from(i).ok())
                        .ok_or_else(|| NetworkError::HssState {
                            path: path.clone(),
                            what: format!("{k} missing or negative"),
                            source: None,
                        })
                };
                auc.seq = get("seq")?;
                auc.ind = get("ind")?;
            }
        }
        Ok(auc)
    }

    /// Save SEQ_HE (atomically) when backed by a file.
    pub fn save(&self) -> Result<()> {
        if let Some(path) = &self.state {
            let text = format!(
                "# vusim HSS state for the card file beside it\nseq = {}\nind = {}\n",
                self.seq, self.ind
            );
            vusim_applet::store::save_atomic(path, &text)?;
        }
        Ok(())
    }

    /// The next SQN = SEQ ‖ IND (TS 33.102 C.3.2: SEQ steps by one, IND cycles).
    pub fn next_sqn(&mut self) -> u64 {
        self.seq += 1;
        let ind = self.ind;
        self.ind = (self.ind + 1) % (1u64 << self.ind_bits);
        (self.seq << self.ind_bits) | ind
    }

    /// Jump SEQ_HE ahead (to provoke a synchronisation failure on purpose).
    pub fn skip(&mut self, n: u64) {
        self.seq = self.seq.saturating_add(n);
    }

    /// A 3G vector; with `gba`, AUTN* (MAC ⊕ SHA-1(IK) truncated) for GBA_U.
    pub fn vector(&mut self, rand: [u8; 16], gba_u: bool) -> Result<Vector> {
        let sqn = self.next_sqn();
        let alg = self.alg.algorithm();
        let keys = alg.f2345(&rand)?;
        let sqn_b = aka::sqn_from_u64(sqn);
        let mac = alg.f1(&rand, &sqn_b, &self.amf)?;
        let mut autn = Autn::build(&sqn_b, &keys.ak, &self.amf, &mac);
        if gba_u {
            autn = gba::mask_autn(&autn, &keys.ik);
        }
        let mut ck = [0u8; 16];
        ck.copy_from_slice(keys.ck.expose());
        let mut ik = [0u8; 16];
        ik.copy_from_slice(keys.ik.expose());
        Ok(Vector {
            rand,
            xres: keys.res.as_bytes().to_vec(),
            ck,
            ik,
            autn: autn.to_bytes(),
            sqn,
        })
    }

    /// A 5G HE AV (TS 33.501 §6.1.3.2): RAND, AUTN, XRES* and K_AUSF for serving network `snn`.
    pub fn he_av_5g(&mut self, rand: [u8; 16], snn: &str) -> Result<(Vector, [u8; 16], [u8; 32])> {
        let v = self.vector(rand, false)?;
        let (ck, ik) = (Ck::new(v.ck), Ik::new(v.ik));
        let xres_star = fiveg::res_star(&ck, &ik, snn, &v.rand, &v.xres)?;
        let sqn_xor_ak: [u8; 6] = v
            .autn
            .get(..6)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        let k_ausf = fiveg::k_ausf(&ck, &ik, snn, &sqn_xor_ak)?;
        let mut k = [0u8; 32];
        k.copy_from_slice(k_ausf.expose());
        Ok((v, xres_star, k))
    }

    /// A GSM triplet (RAND, SRES, Kc) from the 3G functions via c2/c3.
    pub fn triplet(&self, rand: [u8; 16]) -> Result<([u8; 4], [u8; 8])> {
        let keys = self.alg.algorithm().f2345(&rand)?;
        let sres = gsm::c2(keys.res.as_bytes())?;
        let kc = gsm::c3(&keys.ck, &keys.ik);
        let mut k = [0u8; 8];
        k.copy_from_slice(kc.expose());
        Ok((sres, k))
    }

    /// Resynchronise from AUTS: check MAC-S, recover SQN_MS and set SEQ_HE to it (C.3.4).
    pub fn resync(&mut self, rand: &[u8; 16], auts: &[u8]) -> Result<u64> {
        let auts = Auts::parse(auts)?;
        let sqn_ms = match aka::recover_sqn_ms(self.alg.algorithm(), rand, &auts) {
            Ok(s) => aka::sqn_to_u64(&s),
            Err(e) => return Err(NetworkError::AutsRejected(e)),
        };
        self.seq = sqn_ms >> self.ind_bits;
        Ok(sqn_ms)
    }
}
