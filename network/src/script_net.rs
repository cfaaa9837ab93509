//! The network side of a script's `net` steps (docs/script.md, "The network side: net"): the
//! HSS/BSF of TS 33.220 §4.5 (a GBA_U vector with AUTN*, B-TID and key lifetime) and the NAFs
//! that got their keys from the BSF over Zn, running the server side of the card applets'
//! operations ([`crate::af`]) — so a scenario script computes every network value from the
//! card's own subscription and passes on any card, not only the one it was written for.
//!
//! The step names and their arguments are vusim's own script coding. The network keeps Ks and
//! every Ks_(int/ext)_NAF inside; a step hands the script only what crosses an interface in the
//! real flow: RAND, AUTN*, XRES (to check the card's RES), B-TID, the lifetime, Ks_ext_NAF (the
//! ME's key, which the card returns too), and the NAF's MACs, proofs and ciphertexts.

use std::collections::HashMap;
use std::path::PathBuf;

use rand::RngCore;
use vusim_apdu::script::{NetOutput, Network};
use vusim_applet::api::ops::{self, IV_LEN};
use vusim_applet::profile::Profile;
use vusim_crypto::gba::{self, UaProtocolId};

use crate::af::{self, Operation};
use crate::auc::{Auc, Vector};
use crate::bsf::{self, Bootstrap, Bsf};
use crate::error::{NetworkError, Result};
use crate::report::{Report, Value};

/// Key lifetime the script network's BSF grants (seconds): one day.
pub const LIFETIME: u64 = 86_400;

/// The operations, with their arguments, for usage messages and docs.
pub const OPERATIONS: [(&str, &str); 8] = [
    ("gba-av", "HSS/BSF: a GBA_U vector; sets rand, autn (AUTN*), xres"),
    ("gba-bootstrap", "BSF: Ks kept, B-TID and lifetime given; sets btid, lifetime (hex of the texts), gbabp (EF_GBABP as the ME writes it), impi (text)"),
    ("naf FQDN [UA]", "NAF: Ks_ext_NAF and Ks_int_NAF from the BSF (Zn); sets naf_id, ks_ext_naf; gives Ks_ext_NAF"),
    ("naf-mac FQDN PURPOSE MESSAGE [LEN]", "NAF: MAC under Ks_int_NAF; sets mac; gives it"),
    ("naf-wrap FQDN NAME SECRET [IV]", "NAF: a secret wrapped for the card under NAME; sets iv, ciphertext, tag"),
    ("naf-encrypt FQDN PURPOSE PLAINTEXT [IV]", "NAF: AES-128-CTR + HMAC-SHA-256 for the card; sets iv, ciphertext, tag"),
    ("naf-server-proof FQDN PURPOSE RC", "NAF: its proof on the card's challenge; sets proof; gives it"),
    ("naf-card-proof FQDN PURPOSE RS", "NAF: the proof the card must give on RS; sets proof; gives it"),
];

/// One NAF's key from the BSF: Ks_int_NAF (Ks_ext_NAF is handed to the script).
struct NafKeys {
    int: ops::Secret,
}

/// The HSS/BSF and the NAFs of one subscriber, for `net` steps.
pub struct ScriptNetwork {
    profile: Profile,
    card_file: Option<PathBuf>,
    /// Made on the first vector (it holds `FILE.hss` from then on).
    auc: Option<Auc>,
    bsf: Bsf,
    impi: String,
    now: Box<dyn Fn() -> u64>,
    pending: Option<Vector>,
    boot: Option<Bootstrap>,
    nafs: HashMap<String, NafKeys>,
}

impl ScriptNetwork {
    /// The network of the subscriber `p` describes and the card's clock `now`; its AuC
    /// ([`Auc::for_profile`]) keeps SEQ_HE beside `card_file` and is made on the first vector.
    pub fn new(
        p: &Profile,
        card_file: Option<PathBuf>,
        now: Box<dyn Fn() -> u64>,
    ) -> Result<ScriptNetwork> {
        let (bsf, impi) = Bsf::for_profile(p, LIFETIME)?;
        Ok(ScriptNetwork {
            profile: p.clone(),
            card_file,
            auc: None,
            bsf,
            impi,
            now,
            pending: None,
            boot: None,
            nafs: HashMap::new(),
        })
    }

    fn run(&mut self, words: &[String]) -> Result<NetOutput> {
        let (op, args) = words
            .split_first()
            .ok_or_else(|| NetworkError::input("no operation"))?;
        match op.as_str() {
            "gba-av" => {
                arity(args, 0, 0)?;
                self.gba_av()
            }
            "gba-bootstrap" => {
                arity(args, 0, 0)?;
                self.gba_bootstrap()
            }
            "naf" => {
                arity(args, 1, 2)?;
                self.naf(args)
            }
            "naf-mac" => {
                arity(args, 3, 4)?;
                let mac_len = match args.get(3) {
                    Some(l) => l
                        .parse()
                        .map_err(|_| NetworkError::input(format!("LEN `{l}` is not a number")))?,
                    None => 32,
                };
                let op = Operation::Mac {
                    purpose: bytes(args, 1, "PURPOSE")?,
                    message: bytes(args, 2, "MESSAGE")?,
                    mac_len,
                };
                self.naf_op(args, &op, &[("mac", "mac")], Some("mac"))
            }
            "naf-wrap" => {
                arity(args, 3, 4)?;
                let op = Operation::Wrap {
                    name: bytes(args, 1, "NAME")?,
                    secret: ops::secret(bytes(args, 2, "SECRET")?),
                    iv: iv(args, 3)?,
                };
                self.naf_op(args, &op, &SEALED, None)
            }
            "naf-encrypt" => {
                arity(args, 3, 4)?;
                let op = Operation::Encrypt {
                    purpose: bytes(args, 1, "PURPOSE")?,
                    plaintext: bytes(args, 2, "PLAINTEXT")?,
                    iv: iv(args, 3)?,
                    aad: None,
                };
                self.naf_op(args, &op, &SEALED, None)
            }
            "naf-server-proof" => {
                arity(args, 3, 3)?;
                let op = Operation::AuthServer {
                    purpose: bytes(args, 1, "PURPOSE")?,
                    challenge: bytes(args, 2, "RC")?,
                };
                self.naf_op(
                    args,
                    &op,
                    &[("server_proof", "proof")],
                    Some("server_proof"),
                )
            }
            "naf-card-proof" => {
                arity(args, 3, 3)?;
                let op = Operation::AuthCard {
                    purpose: bytes(args, 1, "PURPOSE")?,
                    challenge: bytes(args, 2, "RS")?,
                    proof: None,
                };
                self.naf_op(args, &op, &[("card_proof", "proof")], Some("card_proof"))
            }
            other => {
                let known: Vec<&str> = OPERATIONS.iter().map(|(u, _)| *u).collect();
                Err(NetworkError::input(format!(
                    "unknown operation `{other}`; the network side knows: {}",
                    known.join("; ")
                )))
            }
        }
    }

    fn gba_av(&mut self) -> Result<NetOutput> {
        let mut rand = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut rand);
        let auc = match &mut self.auc {
            Some(a) => a,
            None => self
                .auc
                .insert(Auc::for_profile(&self.profile, self.card_file.as_deref())?),
        };
        let v = auc.vector(rand, true)?;
        auc.save()?;
        let out = NetOutput {
            vars: vec![
                var("rand", &v.rand),
                var("autn", &v.autn),
                var("xres", &v.xres),
            ],
            bytes: Vec::new(),
        };
        self.pending = Some(v);
        Ok(out)
    }

    fn gba_bootstrap(&mut self) -> Result<NetOutput> {
        let v = self.pending.take().ok_or_else(|| {
            NetworkError::input("no vector handed out: `net gba-av` first, then AUTHENTICATE")
        })?;
        let b = self.bsf.bootstrap(v.rand, &v.ck, &v.ik, (self.now)());
        let gbabp = b.gbabp()?;
        let out = NetOutput {
            vars: vec![
                var("btid", b.b_tid.as_bytes()),
                var("lifetime", b.lifetime.as_bytes()),
                var("gbabp", &gbabp),
                ("impi".to_string(), self.impi.clone()),
            ],
            bytes: Vec::new(),
        };
        self.boot = Some(b);
        self.nafs.clear();
        Ok(out)
    }

    fn naf(&mut self, args: &[String]) -> Result<NetOutput> {
        let b = self.boot.as_ref().ok_or_else(|| {
            NetworkError::input("the BSF has no bootstrap: `net gba-bootstrap` first")
        })?;
        let fqdn = arg(args, 0)?;
        let ua = match args.get(1) {
            Some(_) => {
                let raw: [u8; 5] = bytes(args, 1, "UA")?
                    .try_into()
                    .map_err(|_| NetworkError::input("UA: expected 5 bytes (10 hex digits)"))?;
                UaProtocolId::from_bytes(raw)
            }
            None => UaProtocolId::HttpDigest,
        };
        let (ext, int) = bsf::naf_keys(b, &self.impi, fqdn, ua)?;
        let naf_id = gba::naf_id(fqdn, ua);
        let out = NetOutput {
            vars: vec![var("naf_id", &naf_id), var("ks_ext_naf", &ext)],
            bytes: ext.to_vec(),
        };
        self.nafs.insert(
            fqdn.to_string(),
            NafKeys {
                int: ops::secret(int.to_vec()),
            },
        );
        Ok(out)
    }

    /// Run `op` with the Ks_int_NAF of the NAF `args[0]`; `names` maps report fields to
    /// variables, `gives` names the field an expectation checks.
    fn naf_op(
        &self,
        args: &[String],
        op: &Operation,
        names: &[(&str, &str)],
        gives: Option<&str>,
    ) -> Result<NetOutput> {
        let fqdn = arg(args, 0)?;
        let keys = self.nafs.get(fqdn).ok_or_else(|| {
            NetworkError::input(format!(
                "the NAF {fqdn} has no keys from the BSF: `net naf {fqdn}` first"
            ))
        })?;
        let r = af::run_operation(op, &keys.int, None)?;
        let mut out = NetOutput::default();
        for (field, name) in names {
            let value = hex_field(&r, field)?;
            if gives == Some(*field) {
                out.bytes =
                    hex::decode(&value).map_err(|e| NetworkError::Malformed(e.to_string()))?;
            }
            out.vars.push(((*name).to_string(), value));
        }
        Ok(out)
    }
}

/// The fields of a sealed message and the variables they set.
const SEALED: [(&str, &str); 3] = [("iv", "iv"), ("ciphertext", "ciphertext"), ("tag", "tag")];

impl Network for ScriptNetwork {
    fn call(&mut self, words: &[String]) -> std::result::Result<NetOutput, String> {
        self.run(words).map_err(|e| e.to_string())
    }
}

fn var(name: &str, bytes: &[u8]) -> (String, String) {
    (name.to_string(), hex::encode_upper(bytes))
}

fn hex_field(r: &Report, field: &str) -> Result<String> {
    match r.get(field) {
        Some(Value::Text(t)) => Ok(t.to_ascii_uppercase()),
        _ => Err(NetworkError::Malformed(format!(
            "no `{field}` in the NAF's result"
        ))),
    }
}

fn arity(args: &[String], min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&args.len()) {
        return Ok(());
    }
    Err(NetworkError::input(if min == max {
        format!("takes {min} argument(s), got {}", args.len())
    } else {
        format!("takes {min} to {max} arguments, got {}", args.len())
    }))
}

fn arg(args: &[String], i: usize) -> Result<&str> {
    args.get(i)
        .map(String::as_str)
        .ok_or_else(|| NetworkError::input(format!("argument {} missing", i + 1)))
}

fn bytes(args: &[String], i: usize, what: &str) -> Result<Vec<u8>> {
    vusim_apdu::hexstr::parse_hex(arg(args, i)?)
        .map_err(|e| NetworkError::input(format!("{what}: not hex ({e})")))
}

fn iv(args: &[String], i: usize) -> Result<[u8; IV_LEN]> {
    match args.get(i) {
        Some(_) => bytes(args, i, "IV")?
            .try_into()
            .map_err(|_| NetworkError::input(format!("IV: expected {IV_LEN} bytes"))),
        None => {
            let mut iv = [0u8; IV_LEN];
            rand::thread_rng().fill_bytes(&mut iv);
            Ok(iv)
        }
    }
}
