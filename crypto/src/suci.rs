//! SUCI protection schemes: null scheme and ECIES profiles A and B (3GPP TS 33.501 Annex C,
//! §C.2–C.3.4; NAI rendering per TS 23.003 §28.7.3).
//!
//! * Profile A: X25519; the ephemeral public key is 32 octets.
//! * Profile B: P-256 ECDH, shared secret = x-coordinate; the ephemeral public key is sent
//!   **compressed** (33 octets).
//! * KDF: ANSI X9.63 with SHA-256, SharedInfo = the ephemeral public key as sent; 64 octets
//!   = encryption key (16) ‖ ICB (16) ‖ MAC key (32).
//! * Encryption: AES-128-CTR with the ICB as the full initial 128-bit counter block
//!   (big-endian increment).
//! * MAC tag: HMAC-SHA-256(MAC key, ciphertext), first 8 octets.
//! * Scheme output: ephemeral public key ‖ ciphertext ‖ MAC tag.
//!
//! Scheme input: for an IMSI the MSIN in BCD with swapped nibbles and `F` padding
//! ([`imsi_scheme_input`], e.g. MSIN `001002086` → `00 01 20 80 F6`); for an NAI the username
//! as ASCII ([`nai_scheme_input`]). In an NAI-form SUCI the output is written
//! `ecckey<pub>.cip<ciphertext>.mac<tag>` in upper-case hexadecimal, as in the TS 33.501 C.4
//! test data ([`SchemeOutput::to_nai`]); the null scheme writes `userid<username>`.
//!
//! [`conceal`] takes the ephemeral private key from the caller, so that runs are reproducible;
//! the caller must draw it from a CSPRNG for real use. [`deconceal`] checks the tag in
//! constant time before decrypting.

use aes::cipher::{KeyIvInit, StreamCipher};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use super::kdf::hmac_sha256;
use super::keys::{ct_eq, EcPrivateKey};
use super::CryptoError;

type Aes128Ctr = ctr::Ctr128BE<aes::Aes128>;

/// Length of the SUCI MAC tag in octets.
pub const MAC_TAG_LEN: usize = 8;

/// SUCI protection scheme identifiers (TS 33.501 Annex C.1, TS 24.501 §9.11.3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtectionScheme {
    /// Null scheme (0): the scheme output is the scheme input.
    Null,
    /// ECIES profile A (1).
    ProfileA,
    /// ECIES profile B (2).
    ProfileB,
}

impl ProtectionScheme {
    /// The 4-bit protection scheme identifier.
    #[must_use]
    pub const fn id(self) -> u8 {
        match self {
            Self::Null => 0,
            Self::ProfileA => 1,
            Self::ProfileB => 2,
        }
    }
}

/// The two ECIES profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EciesProfile {
    /// Profile A: X25519.
    A,
    /// Profile B: P-256 (secp256r1), compressed ephemeral key.
    B,
}

impl EciesProfile {
    /// Length of the ephemeral public key in the scheme output.
    #[must_use]
    pub const fn eph_pub_len(self) -> usize {
        match self {
            Self::A => 32,
            Self::B => 33,
        }
    }

    /// The matching protection scheme identifier.
    #[must_use]
    pub const fn scheme(self) -> ProtectionScheme {
        match self {
            Self::A => ProtectionScheme::ProfileA,
            Self::B => ProtectionScheme::ProfileB,
        }
    }
}

/// An ECIES scheme output: ephemeral public key, ciphertext and MAC tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemeOutput {
    /// The ephemeral public key as sent (32 octets for A, 33 compressed for B).
    pub eph_pub: Vec<u8>,
    /// The encrypted scheme input.
    pub ciphertext: Vec<u8>,
    /// The first 8 octets of HMAC-SHA-256 over the ciphertext.
    pub mac: [u8; MAC_TAG_LEN],
}

impl SchemeOutput {
    /// `eph_pub ‖ ciphertext ‖ mac`.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.eph_pub.len() + self.ciphertext.len() + MAC_TAG_LEN);
        v.extend_from_slice(&self.eph_pub);
        v.extend_from_slice(&self.ciphertext);
        v.extend_from_slice(&self.mac);
        v
    }

    /// Splits a scheme output of the given profile.
    ///
    /// # Errors
    /// [`CryptoError::InvalidLength`] if it is shorter than public key plus tag.
    pub fn parse(profile: EciesProfile, bytes: &[u8]) -> Result<Self, CryptoError> {
        let pub_len = profile.eph_pub_len();
        let min = pub_len + MAC_TAG_LEN;
        if bytes.len() < min {
            return Err(CryptoError::InvalidLength {
                what: "SUCI scheme output (minimum)",
                expected: min,
                got: bytes.len(),
            });
        }
        let (eph_pub, rest) = bytes.split_at(pub_len);
        let (ct, mac) = rest.split_at(rest.len() - MAC_TAG_LEN);
        Ok(Self {
            eph_pub: eph_pub.to_vec(),
            ciphertext: ct.to_vec(),
            mac: mac.try_into().map_err(|_| CryptoError::InvalidLength {
                what: "SUCI MAC tag",
                expected: MAC_TAG_LEN,
                got: mac.len(),
            })?,
        })
    }

    /// NAI form `ecckey<pub>.cip<ciphertext>.mac<tag>`, upper-case hex (TS 33.501 C.4.3.2).
    #[must_use]
    pub fn to_nai(&self) -> String {
        format!(
            "ecckey{}.cip{}.mac{}",
            hex::encode_upper(&self.eph_pub),
            hex::encode_upper(&self.ciphertext),
            hex::encode_upper(self.mac)
        )
    }

    /// Parses the NAI form (either hex case).
    ///
    /// # Errors
    /// [`CryptoError::InvalidFormat`] if the fields are missing or not hexadecimal, or
    /// [`CryptoError::InvalidLength`] for a public key or tag of the wrong size.
    pub fn from_nai(profile: EciesProfile, text: &str) -> Result<Self, CryptoError> {
        let bad = |reason| CryptoError::InvalidFormat {
            what: "SUCI NAI scheme output",
            reason,
        };
        let rest = text.strip_prefix("ecckey").ok_or(bad("missing ecckey"))?;
        let (key_hex, rest) = rest.split_once(".cip").ok_or(bad("missing .cip"))?;
        let (ct_hex, mac_hex) = rest.split_once(".mac").ok_or(bad("missing .mac"))?;
        let dec = |h: &str| hex::decode(h).map_err(|_| bad("not hexadecimal"));
        let eph_pub = dec(key_hex)?;
        if eph_pub.len() != profile.eph_pub_len() {
            return Err(CryptoError::InvalidLength {
                what: "SUCI ephemeral public key",
                expected: profile.eph_pub_len(),
                got: eph_pub.len(),
            });
        }
        let mac_v = dec(mac_hex)?;
        let mac = mac_v
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::InvalidLength {
                what: "SUCI MAC tag",
                expected: MAC_TAG_LEN,
                got: mac_v.len(),
            })?;
        Ok(Self {
            eph_pub,
            ciphertext: dec(ct_hex)?,
            mac,
        })
    }
}

/// ANSI X9.63 KDF with SHA-256: `K = Hash(Z ‖ 00000001 ‖ SharedInfo) ‖ Hash(Z ‖ 00000002 ‖ …)`.
#[must_use]
pub fn x963_kdf_sha256(z: &[u8], shared_info: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 32));
    let mut counter: u32 = 1;
    while out.len() < len {
        let block = Sha256::new()
            .chain_update(z)
            .chain_update(counter.to_be_bytes())
            .chain_update(shared_info)
            .finalize();
        out.extend_from_slice(&block);
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// Home network (or ephemeral) public key for a private key: X25519 (32 octets) or
/// compressed P-256 (33 octets).
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for a P-256 scalar that is zero or not below the order.
pub fn public_key(profile: EciesProfile, private: &EcPrivateKey) -> Result<Vec<u8>, CryptoError> {
    match profile {
        EciesProfile::A => {
            let sk = x25519_dalek::StaticSecret::from(*private.expose());
            Ok(x25519_dalek::PublicKey::from(&sk).as_bytes().to_vec())
        }
        EciesProfile::B => {
            let sk = p256_secret(private)?;
            Ok(sk.public_key().to_encoded_point(true).as_bytes().to_vec())
        }
    }
}

fn p256_secret(private: &EcPrivateKey) -> Result<p256::SecretKey, CryptoError> {
    p256::SecretKey::from_bytes(private.expose().into()).map_err(|_| CryptoError::InvalidFormat {
        what: "P-256 private key",
        reason: "scalar is zero or not below the group order",
    })
}

/// A usable recipient public key of the profile, in the form the scheme sends keys: 32 octets
/// for X25519 (profile A); for P-256 (profile B) a SEC1 compressed or uncompressed point on
/// the curve, returned compressed (33 octets).
///
/// # Errors
/// [`CryptoError::InvalidPublicKey`] otherwise.
pub fn recipient_key(profile: EciesProfile, public: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let what = "recipient";
    match profile {
        EciesProfile::A if public.len() == 32 => Ok(public.to_vec()),
        EciesProfile::A => Err(CryptoError::InvalidPublicKey { what }),
        EciesProfile::B => match (public.len(), public.first()) {
            (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => p256::PublicKey::from_sec1_bytes(public)
                .map(|k| k.to_encoded_point(true).as_bytes().to_vec())
                .map_err(|_| CryptoError::InvalidPublicKey { what }),
            _ => Err(CryptoError::InvalidPublicKey { what }),
        },
    }
}

/// ECDH shared secret Z for `private` and `peer_pub`: the X25519 output (profile A) or the
/// x-coordinate of the P-256 shared point (profile B).
///
/// # Errors
/// [`CryptoError::InvalidPublicKey`] for a peer key that does not decode, is not on the curve
/// or (X25519) yields the all-zero secret; [`CryptoError::InvalidFormat`] for a bad P-256
/// scalar.
pub fn ecdh_shared_secret(
    profile: EciesProfile,
    private: &EcPrivateKey,
    peer_pub: &[u8],
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    shared_secret(profile, private, peer_pub, "peer")
}

fn shared_secret(
    profile: EciesProfile,
    private: &EcPrivateKey,
    peer_pub: &[u8],
    what: &'static str,
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    match profile {
        EciesProfile::A => {
            let peer: [u8; 32] = peer_pub
                .try_into()
                .map_err(|_| CryptoError::InvalidPublicKey { what })?;
            let sk = x25519_dalek::StaticSecret::from(*private.expose());
            let ss = sk.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
            if !ss.was_contributory() {
                return Err(CryptoError::InvalidPublicKey { what });
            }
            Ok(Zeroizing::new(*ss.as_bytes()))
        }
        EciesProfile::B => {
            // Only the SEC1 compressed (02/03) and uncompressed (04) forms are accepted.
            match (peer_pub.len(), peer_pub.first()) {
                (33, Some(0x02 | 0x03)) | (65, Some(0x04)) => {}
                _ => return Err(CryptoError::InvalidPublicKey { what }),
            }
            let peer = p256::PublicKey::from_sec1_bytes(peer_pub)
                .map_err(|_| CryptoError::InvalidPublicKey { what })?;
            let sk = p256_secret(private)?;
            let ss = p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), peer.as_affine());
            let mut z = Zeroizing::new([0u8; 32]);
            z.copy_from_slice(ss.raw_secret_bytes());
            Ok(z)
        }
    }
}

/// Encryption key, ICB and MAC key from the X9.63 KDF.
struct EciesKeys {
    enc: [u8; 16],
    icb: [u8; 16],
    mac: [u8; 32],
}

impl Drop for EciesKeys {
    fn drop(&mut self) {
        self.enc.zeroize();
        self.icb.zeroize();
        self.mac.zeroize();
    }
}

fn ecies_keys(z: &[u8; 32], eph_pub: &[u8]) -> EciesKeys {
    let k = x963_kdf_sha256(z, eph_pub, 64);
    let mut keys = EciesKeys {
        enc: [0; 16],
        icb: [0; 16],
        mac: [0; 32],
    };
    let (enc, rest) = k.split_at(16.min(k.len()));
    let (icb, mac) = rest.split_at(16.min(rest.len()));
    keys.enc.copy_from_slice(enc);
    keys.icb.copy_from_slice(icb);
    keys.mac.copy_from_slice(mac);
    keys
}

fn tag(mac_key: &[u8; 32], ciphertext: &[u8]) -> Result<[u8; MAC_TAG_LEN], CryptoError> {
    let full = hmac_sha256(mac_key, &[ciphertext])?;
    let mut t = [0u8; MAC_TAG_LEN];
    t.copy_from_slice(full.split_at(MAC_TAG_LEN).0);
    Ok(t)
}

/// UE side: conceals a scheme input for the home network public key `hn_pub`
/// (32 octets for A; compressed or uncompressed SEC1 for B) with the ephemeral key `eph_priv`.
///
/// # Errors
/// [`CryptoError::InvalidPublicKey`] for an unusable home network key or ephemeral scalar.
pub fn conceal(
    profile: EciesProfile,
    hn_pub: &[u8],
    eph_priv: &EcPrivateKey,
    scheme_input: &[u8],
) -> Result<SchemeOutput, CryptoError> {
    let eph_pub = public_key(profile, eph_priv)?;
    let z = shared_secret(profile, eph_priv, hn_pub, "home network")?;
    let keys = ecies_keys(&z, &eph_pub);
    let mut ciphertext = scheme_input.to_vec();
    Aes128Ctr::new((&keys.enc).into(), (&keys.icb).into()).apply_keystream(&mut ciphertext);
    let mac = tag(&keys.mac, &ciphertext)?;
    Ok(SchemeOutput {
        eph_pub,
        ciphertext,
        mac,
    })
}

/// Home network side (SIDF): verifies the tag in constant time, then decrypts.
///
/// # Errors
/// [`CryptoError::InvalidPublicKey`] for a bad ephemeral key, [`CryptoError::MacMismatch`]
/// if the tag does not verify.
pub fn deconceal(
    profile: EciesProfile,
    hn_priv: &EcPrivateKey,
    output: &SchemeOutput,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if output.eph_pub.len() != profile.eph_pub_len() {
        return Err(CryptoError::InvalidPublicKey { what: "ephemeral" });
    }
    let z = shared_secret(profile, hn_priv, &output.eph_pub, "ephemeral")?;
    let keys = ecies_keys(&z, &output.eph_pub);
    if !ct_eq(&tag(&keys.mac, &output.ciphertext)?, &output.mac) {
        return Err(CryptoError::MacMismatch { what: "SUCI" });
    }
    let mut plain = Zeroizing::new(output.ciphertext.clone());
    Aes128Ctr::new((&keys.enc).into(), (&keys.icb).into()).apply_keystream(&mut plain);
    Ok(plain)
}

/// Null scheme: the scheme output is the scheme input.
#[must_use]
pub fn null_scheme(scheme_input: &[u8]) -> Vec<u8> {
    scheme_input.to_vec()
}

/// The null-scheme output of an NAI SUPI as written in an NAI-form SUCI: `userid<username>`.
#[must_use]
pub fn null_scheme_nai_output(username: &str) -> String {
    format!("userid{username}")
}

/// IMSI scheme input: the MSIN as BCD, low nibble first, odd length padded with `F`.
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for an empty or non-decimal MSIN (at most 10 digits).
pub fn imsi_scheme_input(msin: &str) -> Result<Vec<u8>, CryptoError> {
    if msin.is_empty() || msin.len() > 10 || !msin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CryptoError::InvalidFormat {
            what: "MSIN",
            reason: "must be 1 to 10 decimal digits",
        });
    }
    Ok(msin
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let lo = pair.first().map_or(0x0F, |d| d - b'0');
            let hi = pair.get(1).map_or(0x0F, |d| d - b'0');
            (hi << 4) | lo
        })
        .collect())
}

/// Inverse of [`imsi_scheme_input`]: BCD (swapped nibbles, `F` filler) back to MSIN digits.
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for a nibble that is neither a digit nor a final `F`.
pub fn msin_from_scheme_input(bcd: &[u8]) -> Result<String, CryptoError> {
    let mut s = String::with_capacity(bcd.len() * 2);
    let bad = CryptoError::InvalidFormat {
        what: "BCD MSIN",
        reason: "nibble is not a digit or final F filler",
    };
    let last = bcd.len().saturating_sub(1);
    for (i, b) in bcd.iter().enumerate() {
        for (j, nib) in [b & 0x0F, b >> 4].into_iter().enumerate() {
            match nib {
                0..=9 => s.push(char::from(b'0' + nib)),
                0x0F if i == last && j == 1 => {}
                _ => return Err(bad),
            }
        }
    }
    Ok(s)
}

/// NAI scheme input: the username part as ASCII octets.
///
/// # Errors
/// [`CryptoError::InvalidFormat`] for an empty or non-ASCII username or one containing `@`.
pub fn nai_scheme_input(username: &str) -> Result<Vec<u8>, CryptoError> {
    if username.is_empty() || !username.is_ascii() || username.contains('@') {
        return Err(CryptoError::InvalidFormat {
            what: "NAI username",
            reason: "must be non-empty ASCII without '@'",
        });
    }
    Ok(username.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bcd_msin() {
        let v = imsi_scheme_input("001002086").expect("digits");
        assert_eq!(v, [0x00, 0x01, 0x20, 0x80, 0xF6]);
        assert_eq!(
            msin_from_scheme_input(&v).ok().as_deref(),
            Some("001002086")
        );
        assert_eq!(
            msin_from_scheme_input(&[0x21, 0x43]).ok().as_deref(),
            Some("1234")
        );
        assert!(msin_from_scheme_input(&[0xF1, 0x43]).is_err());
        assert!(imsi_scheme_input("12a").is_err());
    }

    #[test]
    fn nai_round_trip() {
        let o = SchemeOutput {
            eph_pub: vec![0xAB; 32],
            ciphertext: vec![1, 2, 3],
            mac: [9; 8],
        };
        let n = o.to_nai();
        assert!(n.starts_with("ecckeyABAB"));
        assert_eq!(
            SchemeOutput::from_nai(EciesProfile::A, &n).ok(),
            Some(o.clone())
        );
        assert_eq!(
            SchemeOutput::parse(EciesProfile::A, &o.to_bytes()).ok(),
            Some(o)
        );
    }
}
