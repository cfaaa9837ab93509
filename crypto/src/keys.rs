//! Zeroizing key newtypes and constant-time comparison (vusim STYLE §7; TS 33.102 §6.3 key sizes).
//!
//! Each secret is a fixed-size newtype that is wiped on drop, prints as `Name { .. }` under
//! `Debug`, has no `Display`, and hands its bytes out only through an explicit
//! [`expose`](Key128::expose) / [`as_bytes`](Key128::as_bytes) call. Equality between two
//! secrets is constant-time. Use [`ct_eq`] for every MAC, RES or tag comparison.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::CryptoError;

/// Constant-time equality of two byte strings.
///
/// Slices of different lengths compare unequal (the length itself is not secret). Use this for
/// every comparison of a received MAC, RES or tag against a computed one.
#[must_use]
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $len;

            /// Wraps a byte array (the array is moved in; the caller's copy is its own concern).
            #[must_use]
            pub const fn new(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// Copies a slice, which must be exactly [`Self::LEN`] bytes long.
            ///
            /// # Errors
            /// [`CryptoError::InvalidLength`] naming the expected length.
            pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
                let arr: [u8; $len] = bytes.try_into().map_err(|_| CryptoError::InvalidLength {
                    what: stringify!($name),
                    expected: $len,
                    got: bytes.len(),
                })?;
                Ok(Self(arr))
            }

            /// Parses hexadecimal text (upper or lower case) of exactly `2 * LEN` digits.
            ///
            /// # Errors
            /// [`CryptoError::InvalidFormat`] for non-hex text, [`CryptoError::InvalidLength`]
            /// for a wrong length.
            pub fn from_hex(text: &str) -> Result<Self, CryptoError> {
                let mut arr = [0u8; $len];
                if text.len() != 2 * $len {
                    return Err(CryptoError::InvalidLength {
                        what: stringify!($name),
                        expected: $len,
                        got: text.len() / 2,
                    });
                }
                hex::decode_to_slice(text, &mut arr).map_err(|_| CryptoError::InvalidFormat {
                    what: stringify!($name),
                    reason: "not hexadecimal",
                })?;
                Ok(Self(arr))
            }

            /// The secret bytes as a fixed-size array reference. Handle with care.
            #[must_use]
            pub const fn expose(&self) -> &[u8; $len] {
                &self.0
            }

            /// The secret bytes as a slice. Handle with care.
            #[must_use]
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), " { .. }"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                ct_eq(&self.0, &other.0)
            }
        }

        impl Eq for $name {}

        impl From<[u8; $len]> for $name {
            fn from(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }
        }
    };
}

secret_type!(
    /// A 128-bit subscriber key K (MILENAGE, TUAK 128-bit, XOR test algorithm).
    Key128,
    16
);
secret_type!(
    /// A 256-bit key (TUAK 256-bit K, or any 256-bit secret without a more specific type).
    Key256,
    32
);
secret_type!(
    /// MILENAGE operator variant configuration field OP (TS 35.206 §2.3).
    Op,
    16
);
secret_type!(
    /// MILENAGE OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1).
    Opc,
    16
);
secret_type!(
    /// TUAK operator variant configuration field TOP (TS 35.231 §6.1), 256 bits.
    Top,
    32
);
secret_type!(
    /// TUAK TOPc derived from TOP and K (TS 35.231 §6.2), 256 bits.
    Topc,
    32
);
secret_type!(
    /// 128-bit cipher key CK (f3).
    Ck,
    16
);
secret_type!(
    /// 128-bit integrity key IK (f4).
    Ik,
    16
);
secret_type!(
    /// GSM cipher key Kc (64 bits), e.g. from conversion function c3.
    Kc,
    8
);
secret_type!(
    /// GBA bootstrapping key Ks = CK ‖ IK (TS 33.220 §4.5.2).
    Ks,
    32
);
secret_type!(
    /// A NAF-specific key Ks_NAF, Ks_ext_NAF or Ks_int_NAF (TS 33.220 Annex B.3).
    KsNaf,
    32
);
secret_type!(
    /// Any 256-bit output of the TS 33.220 Annex B.2 KDF before it is given a specific role.
    DerivedKey,
    32
);
secret_type!(
    /// K_AUSF (TS 33.501 Annex A.2, or EMSK[0..32] for EAP-AKA').
    Kausf,
    32
);
secret_type!(
    /// K_SEAF (TS 33.501 Annex A.6).
    Kseaf,
    32
);
secret_type!(
    /// K_AMF (TS 33.501 Annex A.7).
    Kamf,
    32
);
secret_type!(
    /// CK' (TS 33.402 Annex A.2 / TS 33.501 Annex A.3).
    CkPrime,
    16
);
secret_type!(
    /// IK' (TS 33.402 Annex A.2 / TS 33.501 Annex A.3).
    IkPrime,
    16
);
secret_type!(
    /// EAP-AKA' K_encr (RFC 9048 §3.3), 128 bits.
    KEncr,
    16
);
secret_type!(
    /// EAP-AKA' K_aut (RFC 9048 §3.3), 256 bits.
    KAut,
    32
);
secret_type!(
    /// EAP-AKA' K_re (RFC 9048 §3.3), 256 bits.
    KRe,
    32
);
secret_type!(
    /// EAP-AKA' Master Session Key (RFC 9048 §3.3), 512 bits.
    Msk,
    64
);
secret_type!(
    /// EAP-AKA' Extended Master Session Key (RFC 9048 §3.3), 512 bits.
    Emsk,
    64
);
secret_type!(
    /// K_AKMA (TS 33.535 Annex A.2).
    Kakma,
    32
);
secret_type!(
    /// K_AF (TS 33.535 Annex A.4).
    Kaf,
    32
);
secret_type!(
    /// An X25519 or P-256 private scalar (32 bytes), e.g. a SUCI ephemeral or home network key.
    EcPrivateKey,
    32
);

/// A zeroizing secret of 16 or 32 bytes whose size is a run-time parameter
/// (TUAK CK and IK, TS 35.231 §6.4: 128 or 256 bits).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct VarKey {
    buf: [u8; 32],
    len: usize,
}

impl VarKey {
    /// Copies a 16- or 32-byte slice.
    ///
    /// # Errors
    /// [`CryptoError::UnsupportedLength`] for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        let mut buf = [0u8; 32];
        match (bytes.len(), buf.get_mut(..bytes.len())) {
            (16 | 32, Some(dst)) => {
                dst.copy_from_slice(bytes);
                Ok(Self {
                    buf,
                    len: bytes.len(),
                })
            }
            _ => Err(CryptoError::UnsupportedLength {
                what: "VarKey",
                allowed: "16 or 32 bytes",
                got: bytes.len(),
            }),
        }
    }

    /// Takes the first 16 octets of `buf`, or all 32 when `wide`.
    pub(crate) fn from_buf(mut buf: [u8; 32], wide: bool) -> Self {
        if !wide {
            if let Some(tail) = buf.get_mut(16..) {
                tail.zeroize();
            }
        }
        Self {
            buf,
            len: if wide { 32 } else { 16 },
        }
    }

    /// The secret bytes (16 or 32). Handle with care.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    /// Length in bytes (16 or 32).
    #[must_use]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Always false: a `VarKey` holds 16 or 32 bytes.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for VarKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VarKey {{ len: {}, .. }}", self.len)
    }
}

impl PartialEq for VarKey {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.as_bytes(), other.as_bytes())
    }
}

impl Eq for VarKey {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let k = Key128::new([0x42; 16]);
        assert_eq!(format!("{k:?}"), "Key128 { .. }");
        let v = VarKey::from_slice(&[7u8; 32]).expect("32 bytes");
        assert_eq!(format!("{v:?}"), "VarKey { len: 32, .. }");
    }

    #[test]
    fn from_slice_names_length() {
        let err = Key128::from_slice(&[0u8; 15]).err();
        assert_eq!(
            err,
            Some(CryptoError::InvalidLength {
                what: "Key128",
                expected: 16,
                got: 15
            })
        );
        assert!(err.is_some_and(|e| e.to_string().contains("expected 16 bytes")));
    }

    #[test]
    fn ct_eq_lengths() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
