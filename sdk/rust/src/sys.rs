//! The raw imports of module `"vusim"` (docs/applets.md §4), one declaration each. On wasm32
//! they are the host's functions; on any other target they are stubs answering `E_STATE` (and
//! `now` 0), so a crate using the SDK builds and unit-tests on the host.
//!
//! # Safety
//! Every pointer is an offset into the applet's linear memory; the host reads or writes the
//! given ranges and traps on a range outside the memory. The safe wrappers in the crate root
//! pass only slices they borrow.

#![allow(
    missing_docs,
    reason = "each import is documented in docs/applets.md §4"
)]

/// What a host stub answers.
#[cfg(not(target_arch = "wasm32"))]
trait Stub {
    fn stub() -> Self;
}

#[cfg(not(target_arch = "wasm32"))]
impl Stub for i32 {
    fn stub() -> i32 {
        crate::E_STATE
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Stub for i64 {
    fn stub() -> i64 {
        0
    }
}

macro_rules! imports {
    ($( fn $name:ident($($a:ident: $t:ty),* $(,)?) -> $r:ty; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "vusim")]
        unsafe extern "C" {
            $( pub fn $name($($a: $t),*) -> $r; )*
            /// Ends `process` with status word `sw`; does not return.
            pub fn throw(sw: i32) -> !;
        }

        $(
            #[cfg(not(target_arch = "wasm32"))]
            /// Host stub.
            ///
            /// # Safety
            /// None needed: the stub touches no memory.
            #[allow(clippy::too_many_arguments, reason = "the ABI's signatures")]
            pub unsafe fn $name($(_: $t),*) -> $r {
                <$r as Stub>::stub()
            }
        )*

        /// Host stub of `throw`: panics with the status word.
        ///
        /// # Safety
        /// None needed.
        #[cfg(not(target_arch = "wasm32"))]
        pub unsafe fn throw(sw: i32) -> ! {
            panic!("vusim throw {sw:04X}")
        }
    };
}

imports! {
    fn params(out: *mut u8, cap: i32) -> i32;
    fn aid(out: *mut u8, cap: i32) -> i32;
    fn apdu_header(out: *mut u8) -> i32;
    fn apdu_data(out: *mut u8, cap: i32) -> i32;
    fn apdu_le() -> i32;
    fn response(ptr: *const u8, len: i32) -> i32;
    fn random(out: *mut u8, len: i32) -> i32;
    fn now() -> i64;
    fn store_get(key: *const u8, key_len: i32, out: *mut u8, cap: i32) -> i32;
    fn store_put(key: *const u8, key_len: i32, val: *const u8, val_len: i32) -> i32;
    fn store_delete(key: *const u8, key_len: i32) -> i32;
    fn store_key(index: i32, out: *mut u8, cap: i32) -> i32;
    fn gba_key_info(id: *const u8, id_len: i32, rf: *mut u8, cap: i32, expires: *mut u8) -> i32;
    fn gba_mac(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, out: *mut u8, len: i32) -> i32;
    fn gba_verify_mac(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, t: *const u8, tl: i32) -> i32;
    fn gba_encrypt(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, pt: *const u8, ptl: i32, out: *mut u8, cap: i32) -> i32;
    fn gba_decrypt(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, s: *const u8, sl: i32, out: *mut u8, cap: i32) -> i32;
    fn gba_unwrap(id: *const u8, id_len: i32, alg: i32, n: *const u8, nl: i32, s: *const u8, sl: i32, out: *mut u8, cap: i32) -> i32;
    fn gba_card_proof(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, rs: *const u8, rsl: i32, out: *mut u8) -> i32;
    fn gba_verify_server_proof(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, rc: *const u8, rcl: i32, pr: *const u8, prl: i32) -> i32;
    fn gba_derive(id: *const u8, id_len: i32, label: *const u8, label_len: i32) -> i32;
    fn akma_key_info(id: *const u8, id_len: i32, rf: *mut u8, cap: i32, expires: *mut u8) -> i32;
    fn akma_mac(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, out: *mut u8, len: i32) -> i32;
    fn akma_verify_mac(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, t: *const u8, tl: i32) -> i32;
    fn akma_encrypt(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, pt: *const u8, ptl: i32, out: *mut u8, cap: i32) -> i32;
    fn akma_decrypt(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, s: *const u8, sl: i32, out: *mut u8, cap: i32) -> i32;
    fn akma_unwrap(id: *const u8, id_len: i32, alg: i32, n: *const u8, nl: i32, s: *const u8, sl: i32, out: *mut u8, cap: i32) -> i32;
    fn akma_card_proof(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, rs: *const u8, rsl: i32, out: *mut u8) -> i32;
    fn akma_verify_server_proof(id: *const u8, id_len: i32, alg: i32, p: *const u8, pl: i32, rc: *const u8, rcl: i32, pr: *const u8, prl: i32) -> i32;
    fn akma_derive(id: *const u8, id_len: i32, label: *const u8, label_len: i32) -> i32;
    fn key_mac(h: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, out: *mut u8, len: i32) -> i32;
    fn key_verify_mac(h: i32, alg: i32, p: *const u8, pl: i32, m: *const u8, ml: i32, t: *const u8, tl: i32) -> i32;
    fn key_encrypt(h: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, pt: *const u8, ptl: i32, out: *mut u8, cap: i32) -> i32;
    fn key_decrypt(h: i32, alg: i32, p: *const u8, pl: i32, a: *const u8, al: i32, s: *const u8, sl: i32, out: *mut u8, cap: i32) -> i32;
    fn key_release(h: i32) -> i32;
}
