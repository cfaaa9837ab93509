//! The server side (NAF, AF, AS, key-management server) of the experimental API-applet
//! operations over a base key (docs/api/gba-api.md §6, reused by docs/api/akma.md and
//! docs/api/iot.md): MAC, verify, encrypt, decrypt, card and server proofs, key wrapping — each
//! with the card command APDU that checks the value. One implementation for `vusim naf`,
//! `vusim akma af|kms` and `vusim iot app`.
//!
//! ⚠ Experimental: the operations and their APDU coding are this project's proposal.

use vusim_apdu::tlv::Tlv;
use vusim_applet::api::akma::command_apdu;
use vusim_applet::api::apdu::{tag, CommandRow};
use vusim_applet::api::ops::{self, OpError, IV_LEN};
use vusim_crypto::keys::ct_eq;

use crate::error::{NetworkError, Result};
use crate::report::Report;

/// One operation on a base key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// MAC = HMAC-SHA-256(K_mac, message), truncated to `mac_len` bytes.
    Mac {
        /// Purpose label.
        purpose: Vec<u8>,
        /// Message.
        message: Vec<u8>,
        /// MAC length (16–32).
        mac_len: usize,
    },
    /// Verify a MAC the card computed.
    Verify {
        /// Purpose label.
        purpose: Vec<u8>,
        /// Message.
        message: Vec<u8>,
        /// The MAC.
        mac: Vec<u8>,
    },
    /// Encrypt-then-MAC for the card's DECRYPT.
    Encrypt {
        /// Purpose label.
        purpose: Vec<u8>,
        /// Plaintext.
        plaintext: Vec<u8>,
        /// IV.
        iv: [u8; IV_LEN],
        /// Associated data.
        aad: Option<Vec<u8>>,
    },
    /// Open what the card's ENCRYPT returned.
    Decrypt {
        /// Purpose label.
        purpose: Vec<u8>,
        /// IV (DO 94).
        iv: Vec<u8>,
        /// Ciphertext (DO 92).
        ciphertext: Vec<u8>,
        /// Tag (DO 93).
        tag: Vec<u8>,
        /// Associated data.
        aad: Vec<u8>,
    },
    /// The proof the card must give on a server challenge RS.
    AuthCard {
        /// Purpose label.
        purpose: Vec<u8>,
        /// RS.
        challenge: Vec<u8>,
        /// The card's proof to check.
        proof: Option<Vec<u8>>,
    },
    /// The server's proof on the card's challenge RC.
    AuthServer {
        /// Purpose label.
        purpose: Vec<u8>,
        /// RC.
        challenge: Vec<u8>,
    },
    /// Wrap a secret for STORE KEY under `name`.
    Wrap {
        /// The name the card stores it under (1–32 bytes).
        name: Vec<u8>,
        /// The secret (1–128 bytes).
        secret: ops::Secret,
        /// IV.
        iv: [u8; IV_LEN],
    },
}

/// Which card API and key an operation's card APDUs address.
#[derive(Debug, Clone)]
pub struct CardTarget {
    /// The applet's command table.
    pub table: &'static [CommandRow],
    /// The key address (`80 id`, optionally `84`/`85 name`).
    pub key: Vec<Tlv>,
    /// Logical channel.
    pub channel: u8,
    /// Client AID (DO 4F, last).
    pub client: Option<Vec<u8>>,
}

impl CardTarget {
    /// The card APDU for a command of the table: key address, `dos`, then `4F`.
    pub fn apdu(&self, name: &str, dos: Vec<Tlv>) -> Vec<u8> {
        let mut all = self.key.clone();
        all.extend(dos);
        if let Some(c) = &self.client {
            all.push(Tlv::new(tag::CLIENT_AID, c.clone()));
        }
        command_apdu(self.table, self.channel, name, &all)
    }
}

fn with_purpose(mut dos: Vec<Tlv>, p: &[u8]) -> Vec<Tlv> {
    if !p.is_empty() {
        dos.push(Tlv::new(tag::PURPOSE, p.to_vec()));
    }
    dos
}

fn alg_do(alg: u8) -> Tlv {
    Tlv::new(tag::ALG, vec![alg])
}

/// Run one operation with `base` as the base key; card APDUs when a target is known.
pub fn run_operation(op: &Operation, base: &[u8], card: Option<&CardTarget>) -> Result<Report> {
    let mut r = Report::new();
    let mac_alg = ops::ALG_HMAC_SHA256;
    let ae_alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    match op {
        Operation::Mac {
            purpose,
            message,
            mac_len,
        } => {
            let mac = ops::mac(base, mac_alg, purpose, message, *mac_len)?;
            r.hex("mac", &mac);
            if let Some(c) = card {
                let dos = with_purpose(vec![alg_do(mac_alg)], purpose);
                let mut compute = dos.clone();
                compute.push(Tlv::new(tag::DATA, message.clone()));
                if *mac_len != 32 {
                    compute.push(Tlv::new(
                        tag::MAC_LEN,
                        vec![u8::try_from(*mac_len).unwrap_or(32)],
                    ));
                }
                r.apdu("card_compute_apdu", &c.apdu("MAC COMPUTE", compute));
                let mut verify = dos;
                verify.push(Tlv::new(tag::DATA, message.clone()));
                verify.push(Tlv::new(tag::MAC, mac));
                r.apdu("card_apdu", &c.apdu("MAC VERIFY", verify));
            }
        }
        Operation::Verify {
            purpose,
            message,
            mac,
        } => match ops::mac_verify(base, mac_alg, purpose, message, mac) {
            Ok(()) => r.check("verified", true),
            Err(OpError::Verify) => r.check("verified", false),
            Err(e) => return Err(NetworkError::BadMac(e)),
        },
        Operation::Encrypt {
            purpose,
            plaintext,
            iv,
            aad,
        } => {
            let s = ops::seal(
                base,
                ae_alg,
                purpose,
                *iv,
                aad.as_deref().unwrap_or_default(),
                plaintext,
            )?;
            r.hex("iv", &s.iv);
            r.hex("ciphertext", &s.ciphertext);
            r.hex("tag", &s.tag);
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(ae_alg)], purpose);
                dos.push(Tlv::new(tag::IV, s.iv.to_vec()));
                dos.push(Tlv::new(tag::DATA, s.ciphertext.clone()));
                dos.push(Tlv::new(tag::MAC, s.tag.to_vec()));
                if let Some(aad) = aad {
                    dos.push(Tlv::new(tag::AAD, aad.clone()));
                }
                r.apdu("card_apdu", &c.apdu("DECRYPT", dos));
            }
        }
        Operation::Decrypt {
            purpose,
            iv,
            ciphertext,
            tag,
            aad,
        } => match ops::open(base, ae_alg, purpose, iv, aad, ciphertext, tag) {
            Ok(pt) => {
                r.check("verified", true);
                r.hex("plaintext", &pt);
                if let Ok(text) = std::str::from_utf8(&pt) {
                    r.text("plaintext_text", text);
                }
            }
            Err(OpError::Verify) => r.check("verified", false),
            Err(e) => return Err(e.into()),
        },
        Operation::AuthCard {
            purpose,
            challenge,
            proof,
        } => {
            let want = ops::card_proof(base, mac_alg, purpose, challenge)?;
            r.hex("card_proof", &want);
            if let Some(given) = proof {
                r.check("verified", ct_eq(&want, given));
            }
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(mac_alg)], purpose);
                dos.push(Tlv::new(tag::CHALLENGE, challenge.clone()));
                r.apdu("card_apdu", &c.apdu("AUTHENTICATE (card proof)", dos));
            }
        }
        Operation::AuthServer { purpose, challenge } => {
            let proof = ops::server_proof(base, mac_alg, purpose, challenge)?;
            r.hex("server_proof", &proof);
            if let Some(c) = card {
                let mut dos = with_purpose(vec![alg_do(mac_alg)], purpose);
                dos.push(Tlv::new(tag::PROOF, proof.to_vec()));
                r.apdu("card_apdu", &c.apdu("AUTHENTICATE (server proof)", dos));
            }
        }
        Operation::Wrap { name, secret, iv } => {
            wrap_into(&mut r, base, name, secret, *iv, card)?;
        }
    }
    Ok(r)
}

/// The name a secret is stored under in the card: 1 to 32 bytes.
pub fn check_store_name(name: &[u8]) -> Result<()> {
    if !(1..=32).contains(&name.len()) {
        return Err(NetworkError::NameLength(name.len()));
    }
    Ok(())
}

/// A secret to wrap for STORE KEY: 1 to 128 bytes.
pub fn check_secret(secret: &[u8]) -> Result<()> {
    if !(1..=128).contains(&secret.len()) {
        return Err(NetworkError::input(format!(
            "the secret must be 1 to 128 bytes, got {}",
            secret.len()
        )));
    }
    Ok(())
}

/// Wrap `secret` for STORE KEY under the name `name`: IV, ciphertext, tag and the card APDU.
pub fn wrap_into(
    r: &mut Report,
    base: &[u8],
    name: &[u8],
    secret: &[u8],
    iv: [u8; IV_LEN],
    card: Option<&CardTarget>,
) -> Result<()> {
    check_store_name(name)?;
    check_secret(secret)?;
    let alg = ops::ALG_AES128_CTR_HMAC_SHA256;
    let s = ops::wrap(base, alg, name, iv, secret)?;
    r.hex("iv", &s.iv);
    r.hex("ciphertext", &s.ciphertext);
    r.hex("tag", &s.tag);
    if let Some(c) = card {
        let dos = vec![
            Tlv::new(tag::STORED_NAME, name.to_vec()),
            alg_do(alg),
            Tlv::new(tag::IV, s.iv.to_vec()),
            Tlv::new(tag::DATA, s.ciphertext),
            Tlv::new(tag::MAC, s.tag.to_vec()),
        ];
        r.apdu("card_apdu", &c.apdu("STORE KEY", dos));
    }
    Ok(())
}
