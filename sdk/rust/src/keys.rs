//! The key services (docs/applets.md §4.3–§4.4): GBA_U (Ks_int_NAF of a NAF_ID, checked against
//! EF_GBAUAPI with the applet's AID) and AKMA (K_AF of an AF_ID, a study model), and key handles.
//! Keys stay in the card: an applet holds only a [`Key`] handle.

use crate::{check, len, sys, Error};

/// Which key service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// The GBA_U key service: ids are NAF_IDs (FQDN ‖ Ua security protocol id).
    Gba,
    /// The AKMA key service: ids are AF_IDs.
    Akma,
}

/// What a service tells about a usable key: never the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// Length of the reference (B-TID, A-KID) written to the caller's buffer.
    pub reference_len: usize,
    /// End of the key's lifetime, card clock seconds.
    pub expires: u64,
}

macro_rules! pick {
    ($s:expr, $gba:ident, $akma:ident) => {
        match $s {
            Service::Gba => sys::$gba,
            Service::Akma => sys::$akma,
        }
    };
}

impl Service {
    /// Is there a usable key for `id`: its reference into `reference`, and its lifetime.
    pub fn key_info(self, id: &[u8], reference: &mut [u8]) -> Result<KeyInfo, Error> {
        let mut exp = [0u8; 8];
        let f = pick!(self, gba_key_info, akma_key_info);
        // SAFETY: every slice is live for the call; reference and exp (8 bytes) are writable.
        let n = check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                reference.as_mut_ptr(),
                len(reference),
                exp.as_mut_ptr(),
            )
        })?;
        Ok(KeyInfo {
            reference_len: n,
            expires: u64::from_le_bytes(exp),
        })
    }

    /// A MAC of `out.len()` (16–32) bytes over `msg` with the key derived for `purpose`.
    pub fn mac(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        msg: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let f = pick!(self, gba_mac, akma_mac);
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                msg.as_ptr(),
                len(msg),
                out.as_mut_ptr(),
                len(out),
            )
        })
        .map(|_| ())
    }

    /// Verify a MAC (constant time in the host).
    pub fn verify_mac(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        msg: &[u8],
        mac: &[u8],
    ) -> Result<(), Error> {
        let f = pick!(self, gba_verify_mac, akma_verify_mac);
        // SAFETY: every slice is live for the call.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                msg.as_ptr(),
                len(msg),
                mac.as_ptr(),
                len(mac),
            )
        })
        .map(|_| ())
    }

    /// Seal `pt` (fresh IV from the card): IV ‖ ciphertext ‖ tag into `out`, its length.
    pub fn encrypt(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        aad: &[u8],
        pt: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let f = pick!(self, gba_encrypt, akma_encrypt);
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                aad.as_ptr(),
                len(aad),
                pt.as_ptr(),
                len(pt),
                out.as_mut_ptr(),
                len(out),
            )
        })
    }

    /// Open a sealed message into `out`: the plaintext's length (nothing written unless the tag
    /// verifies).
    pub fn decrypt(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        aad: &[u8],
        sealed: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let f = pick!(self, gba_decrypt, akma_decrypt);
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                aad.as_ptr(),
                len(aad),
                sealed.as_ptr(),
                len(sealed),
                out.as_mut_ptr(),
                len(out),
            )
        })
    }

    /// A secret the server wrapped for `name`, into `out`: its length.
    pub fn unwrap_secret(
        self,
        id: &[u8],
        alg: i32,
        name: &[u8],
        sealed: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let f = pick!(self, gba_unwrap, akma_unwrap);
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                name.as_ptr(),
                len(name),
                sealed.as_ptr(),
                len(sealed),
                out.as_mut_ptr(),
                len(out),
            )
        })
    }

    /// The card's 32-byte proof on the server challenge `rs`.
    pub fn card_proof(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        rs: &[u8],
    ) -> Result<[u8; 32], Error> {
        let mut out = [0u8; 32];
        let f = pick!(self, gba_card_proof, akma_card_proof);
        // SAFETY: every slice is live for the call; out is the 32 bytes the import writes.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                rs.as_ptr(),
                len(rs),
                out.as_mut_ptr(),
            )
        })?;
        Ok(out)
    }

    /// Check the server's proof on the card challenge `rc`.
    pub fn verify_server_proof(
        self,
        id: &[u8],
        alg: i32,
        purpose: &[u8],
        rc: &[u8],
        proof: &[u8],
    ) -> Result<(), Error> {
        let f = pick!(self, gba_verify_server_proof, akma_verify_server_proof);
        // SAFETY: every slice is live for the call.
        check(unsafe {
            f(
                id.as_ptr(),
                len(id),
                alg,
                purpose.as_ptr(),
                len(purpose),
                rc.as_ptr(),
                len(rc),
                proof.as_ptr(),
                len(proof),
            )
        })
        .map(|_| ())
    }

    /// A sub-key of the base key for `label`, as a handle (released on drop).
    pub fn derive(self, id: &[u8], label: &[u8]) -> Result<Key, Error> {
        let f = pick!(self, gba_derive, akma_derive);
        // SAFETY: both slices are live for the call.
        let h = check(unsafe { f(id.as_ptr(), len(id), label.as_ptr(), len(label)) })?;
        i32::try_from(h).map(Key).map_err(|_| Error::Handle)
    }
}

/// A derived key held by the host (usable, never readable); released when dropped.
#[derive(Debug)]
pub struct Key(i32);

impl Key {
    /// A MAC of `out.len()` bytes with this key as base key.
    pub fn mac(&self, alg: i32, purpose: &[u8], msg: &[u8], out: &mut [u8]) -> Result<(), Error> {
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            sys::key_mac(
                self.0,
                alg,
                purpose.as_ptr(),
                len(purpose),
                msg.as_ptr(),
                len(msg),
                out.as_mut_ptr(),
                len(out),
            )
        })
        .map(|_| ())
    }

    /// Verify a MAC.
    pub fn verify_mac(
        &self,
        alg: i32,
        purpose: &[u8],
        msg: &[u8],
        mac: &[u8],
    ) -> Result<(), Error> {
        // SAFETY: every slice is live for the call.
        check(unsafe {
            sys::key_verify_mac(
                self.0,
                alg,
                purpose.as_ptr(),
                len(purpose),
                msg.as_ptr(),
                len(msg),
                mac.as_ptr(),
                len(mac),
            )
        })
        .map(|_| ())
    }

    /// Seal `pt`: IV ‖ ciphertext ‖ tag into `out`, its length.
    pub fn encrypt(
        &self,
        alg: i32,
        purpose: &[u8],
        aad: &[u8],
        pt: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            sys::key_encrypt(
                self.0,
                alg,
                purpose.as_ptr(),
                len(purpose),
                aad.as_ptr(),
                len(aad),
                pt.as_ptr(),
                len(pt),
                out.as_mut_ptr(),
                len(out),
            )
        })
    }

    /// Open a sealed message into `out`: the plaintext's length.
    pub fn decrypt(
        &self,
        alg: i32,
        purpose: &[u8],
        aad: &[u8],
        sealed: &[u8],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        // SAFETY: every slice is live for the call; out is writable for its length.
        check(unsafe {
            sys::key_decrypt(
                self.0,
                alg,
                purpose.as_ptr(),
                len(purpose),
                aad.as_ptr(),
                len(aad),
                sealed.as_ptr(),
                len(sealed),
                out.as_mut_ptr(),
                len(out),
            )
        })
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: no memory is passed.
        let _ = unsafe { sys::key_release(self.0) };
    }
}
