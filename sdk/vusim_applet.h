/*
 * vusim_applet.h — the C interface of vusim's loadable applets, ABI version 1.
 *
 * vusim's own ABI (docs/applets.md is the contract; this header only spells it in C). The applet
 * life cycle it models is Java Card 3 Classic's (install, select, deselect, process); the GBA_U
 * key service is vusim's model of TS 31.130 gated by EF_GBAUAPI (TS 31.102 Rel-18).
 *
 * Build (Debian clang + lld) with the SDK's helpers, as scripts/build-applets does
 * (docs/applets.md §7.1):
 *   clang --target=wasm32 -O2 -nostdlib -ffreestanding -Isdk -Wl,--no-entry \
 *         -Wl,--gc-sections -Wl,--strip-all -Wl,-z,stack-size=8192 \
 *         -Wl,--initial-memory=131072 -Wl,--max-memory=131072 -o applet.wasm applet.c \
 *         sdk/vusim_applet.c     (that file compiled with -fno-builtin)
 *
 * An applet defines the four entry points declared below (applet_install, applet_select,
 * applet_deselect, applet_process), writes VUSIM_APPLET() once, and may give its metadata with
 * VUSIM_META("aid=...\nlabel=...\nins=52 GET INFO\n").
 */
#ifndef VUSIM_APPLET_H
#define VUSIM_APPLET_H

#include <stddef.h>
#include <stdint.h>

#define VUSIM_ABI_VERSION 1

#define VUSIM_IMPORT(name) __attribute__((import_module("vusim"), import_name(name)))
#define VUSIM_EXPORT(name) __attribute__((export_name(name), visibility("default")))

/* ---- Status words (ISO/IEC 7816-4; docs/applets.md §3) ------------------------------------ */
#define VUSIM_SW_OK                       0x9000
#define VUSIM_SW_WRONG_LENGTH             0x6700
#define VUSIM_SW_SECURITY_NOT_SATISFIED   0x6982
#define VUSIM_SW_DATA_INVALIDATED         0x6984
#define VUSIM_SW_CONDITIONS_NOT_SATISFIED 0x6985
#define VUSIM_SW_NOT_ALLOWED              0x6900
#define VUSIM_SW_WRONG_DATA               0x6A80
#define VUSIM_SW_FUNC_NOT_SUPPORTED       0x6A81
#define VUSIM_SW_NOT_ENOUGH_MEMORY        0x6A84
#define VUSIM_SW_INCORRECT_P1P2           0x6A86
#define VUSIM_SW_DATA_NOT_FOUND           0x6A88
#define VUSIM_SW_INS_NOT_SUPPORTED        0x6D00
#define VUSIM_SW_CLA_NOT_SUPPORTED        0x6E00
#define VUSIM_SW_UNKNOWN                  0x6F00
#define VUSIM_SW_AUTH_ERROR_APPLICATION   0x9862

/* ---- Error codes returned by imports (negative) ------------------------------------------- */
#define VUSIM_E_NOT_GRANTED (-1)  /* EF_GBAUAPI does not grant this AID that NAF_ID */
#define VUSIM_E_NO_KEY      (-2)  /* no Ks_int_NAF for that NAF_ID */
#define VUSIM_E_EXPIRED     (-3)  /* key lifetime over */
#define VUSIM_E_VERIFY      (-4)  /* MAC / tag / proof did not verify */
#define VUSIM_E_ALGORITHM   (-5)  /* unknown or reserved algorithm */
#define VUSIM_E_LENGTH      (-6)  /* wrong length for the operation */
#define VUSIM_E_NOT_FOUND   (-7)  /* no such store entry */
#define VUSIM_E_SPACE       (-8)  /* output buffer too small */
#define VUSIM_E_FULL        (-9)  /* store quota or handle table full */
#define VUSIM_E_HANDLE      (-10) /* not a live key handle */
#define VUSIM_E_STATE       (-11) /* not available now */

/* ---- Algorithm identifiers of the GBA_U key service --------------------------------------- */
#define VUSIM_ALG_HMAC_SHA256          0x01
#define VUSIM_ALG_HMAC_SM3             0x02 /* reserved */
#define VUSIM_ALG_AES128_CTR_HMAC_SHA256 0x11
#define VUSIM_ALG_SM4_CTR_HMAC_SM3     0x12 /* reserved */
#define VUSIM_IV_LEN    16
#define VUSIM_TAG_LEN   16
#define VUSIM_PROOF_LEN 32

/* ---- Entry points the applet defines (exports, docs/applets.md §1.1) ---------------------- */
VUSIM_EXPORT("install") int32_t applet_install(void);
VUSIM_EXPORT("select") int32_t applet_select(int32_t channel);
VUSIM_EXPORT("deselect") void applet_deselect(int32_t channel);
VUSIM_EXPORT("process") int32_t applet_process(int32_t channel);

/* The ABI version export; write VUSIM_APPLET() once in the applet. */
#define VUSIM_APPLET() \
    VUSIM_EXPORT("vusim_abi_version") int32_t vusim_abi_version(void) { return VUSIM_ABI_VERSION; }

/* Metadata (docs/applets.md §1.2) as the `vusim_meta` export: a NUL-terminated text. */
#define VUSIM_META(text) \
    static const char vusim_meta_text__[] = text; \
    VUSIM_EXPORT("vusim_meta") int32_t vusim_meta(void) { return (int32_t)(uintptr_t)vusim_meta_text__; }

/* ---- Imports (module "vusim", docs/applets.md §4) ----------------------------------------- */
/* 4.1 identity and install parameters */
VUSIM_IMPORT("params") int32_t vusim_params(uint8_t *out, int32_t cap);
VUSIM_IMPORT("aid") int32_t vusim_aid(uint8_t *out, int32_t cap);

/* 4.2 command and response (process only) */
VUSIM_IMPORT("apdu_header") int32_t vusim_apdu_header(uint8_t out[4]);
VUSIM_IMPORT("apdu_data") int32_t vusim_apdu_data(uint8_t *out, int32_t cap);
VUSIM_IMPORT("apdu_le") int32_t vusim_apdu_le(void);
VUSIM_IMPORT("response") int32_t vusim_response(const uint8_t *data, int32_t len);
VUSIM_IMPORT("throw") __attribute__((noreturn)) void vusim_throw(int32_t sw);

/* 4.3 GBA_U key service (checked against EF_GBAUAPI with the applet's AID) */
VUSIM_IMPORT("gba_key_info")
int32_t vusim_gba_key_info(const uint8_t *naf, int32_t naf_len, uint8_t *btid_out,
                           int32_t btid_cap, uint64_t *expires_out);
VUSIM_IMPORT("gba_mac")
int32_t vusim_gba_mac(const uint8_t *naf, int32_t naf_len, int32_t alg, const uint8_t *purpose,
                      int32_t purpose_len, const uint8_t *msg, int32_t msg_len, uint8_t *out,
                      int32_t mac_len);
VUSIM_IMPORT("gba_verify_mac")
int32_t vusim_gba_verify_mac(const uint8_t *naf, int32_t naf_len, int32_t alg,
                             const uint8_t *purpose, int32_t purpose_len, const uint8_t *msg,
                             int32_t msg_len, const uint8_t *mac, int32_t mac_len);
VUSIM_IMPORT("gba_encrypt")
int32_t vusim_gba_encrypt(const uint8_t *naf, int32_t naf_len, int32_t alg,
                          const uint8_t *purpose, int32_t purpose_len, const uint8_t *aad,
                          int32_t aad_len, const uint8_t *pt, int32_t pt_len, uint8_t *out,
                          int32_t cap);
VUSIM_IMPORT("gba_decrypt")
int32_t vusim_gba_decrypt(const uint8_t *naf, int32_t naf_len, int32_t alg,
                          const uint8_t *purpose, int32_t purpose_len, const uint8_t *aad,
                          int32_t aad_len, const uint8_t *sealed, int32_t sealed_len, uint8_t *out,
                          int32_t cap);
VUSIM_IMPORT("gba_unwrap")
int32_t vusim_gba_unwrap(const uint8_t *naf, int32_t naf_len, int32_t alg, const uint8_t *name,
                         int32_t name_len, const uint8_t *sealed, int32_t sealed_len, uint8_t *out,
                         int32_t cap);
VUSIM_IMPORT("gba_card_proof")
int32_t vusim_gba_card_proof(const uint8_t *naf, int32_t naf_len, int32_t alg,
                             const uint8_t *purpose, int32_t purpose_len, const uint8_t *rs,
                             int32_t rs_len, uint8_t out[VUSIM_PROOF_LEN]);
VUSIM_IMPORT("gba_verify_server_proof")
int32_t vusim_gba_verify_server_proof(const uint8_t *naf, int32_t naf_len, int32_t alg,
                                      const uint8_t *purpose, int32_t purpose_len,
                                      const uint8_t *rc, int32_t rc_len, const uint8_t *proof,
                                      int32_t proof_len);
VUSIM_IMPORT("gba_derive")
int32_t vusim_gba_derive(const uint8_t *naf, int32_t naf_len, const uint8_t *label,
                         int32_t label_len);

/* 4.3 AKMA key service (K_AF of an AF_ID; same shapes as gba_*, reference = A-KID) */
VUSIM_IMPORT("akma_key_info")
int32_t vusim_akma_key_info(const uint8_t *af, int32_t af_len, uint8_t *akid_out,
                            int32_t akid_cap, uint64_t *expires_out);
VUSIM_IMPORT("akma_mac")
int32_t vusim_akma_mac(const uint8_t *af, int32_t af_len, int32_t alg, const uint8_t *purpose,
                       int32_t purpose_len, const uint8_t *msg, int32_t msg_len, uint8_t *out,
                       int32_t mac_len);
VUSIM_IMPORT("akma_verify_mac")
int32_t vusim_akma_verify_mac(const uint8_t *af, int32_t af_len, int32_t alg,
                              const uint8_t *purpose, int32_t purpose_len, const uint8_t *msg,
                              int32_t msg_len, const uint8_t *mac, int32_t mac_len);
VUSIM_IMPORT("akma_encrypt")
int32_t vusim_akma_encrypt(const uint8_t *af, int32_t af_len, int32_t alg,
                           const uint8_t *purpose, int32_t purpose_len, const uint8_t *aad,
                           int32_t aad_len, const uint8_t *pt, int32_t pt_len, uint8_t *out,
                           int32_t cap);
VUSIM_IMPORT("akma_decrypt")
int32_t vusim_akma_decrypt(const uint8_t *af, int32_t af_len, int32_t alg,
                           const uint8_t *purpose, int32_t purpose_len, const uint8_t *aad,
                           int32_t aad_len, const uint8_t *sealed, int32_t sealed_len,
                           uint8_t *out, int32_t cap);
VUSIM_IMPORT("akma_unwrap")
int32_t vusim_akma_unwrap(const uint8_t *af, int32_t af_len, int32_t alg, const uint8_t *name,
                          int32_t name_len, const uint8_t *sealed, int32_t sealed_len,
                          uint8_t *out, int32_t cap);
VUSIM_IMPORT("akma_card_proof")
int32_t vusim_akma_card_proof(const uint8_t *af, int32_t af_len, int32_t alg,
                              const uint8_t *purpose, int32_t purpose_len, const uint8_t *rs,
                              int32_t rs_len, uint8_t out[VUSIM_PROOF_LEN]);
VUSIM_IMPORT("akma_verify_server_proof")
int32_t vusim_akma_verify_server_proof(const uint8_t *af, int32_t af_len, int32_t alg,
                                       const uint8_t *purpose, int32_t purpose_len,
                                       const uint8_t *rc, int32_t rc_len, const uint8_t *proof,
                                       int32_t proof_len);
VUSIM_IMPORT("akma_derive")
int32_t vusim_akma_derive(const uint8_t *af, int32_t af_len, const uint8_t *label,
                          int32_t label_len);

/* 4.4 key handles */
VUSIM_IMPORT("key_mac")
int32_t vusim_key_mac(int32_t h, int32_t alg, const uint8_t *purpose, int32_t purpose_len,
                      const uint8_t *msg, int32_t msg_len, uint8_t *out, int32_t mac_len);
VUSIM_IMPORT("key_verify_mac")
int32_t vusim_key_verify_mac(int32_t h, int32_t alg, const uint8_t *purpose, int32_t purpose_len,
                             const uint8_t *msg, int32_t msg_len, const uint8_t *mac,
                             int32_t mac_len);
VUSIM_IMPORT("key_encrypt")
int32_t vusim_key_encrypt(int32_t h, int32_t alg, const uint8_t *purpose, int32_t purpose_len,
                          const uint8_t *aad, int32_t aad_len, const uint8_t *pt, int32_t pt_len,
                          uint8_t *out, int32_t cap);
VUSIM_IMPORT("key_decrypt")
int32_t vusim_key_decrypt(int32_t h, int32_t alg, const uint8_t *purpose, int32_t purpose_len,
                          const uint8_t *aad, int32_t aad_len, const uint8_t *sealed,
                          int32_t sealed_len, uint8_t *out, int32_t cap);
VUSIM_IMPORT("key_release") int32_t vusim_key_release(int32_t h);

/* 4.5 randomness and clock */
VUSIM_IMPORT("random") int32_t vusim_random(uint8_t *out, int32_t len);
VUSIM_IMPORT("now") int64_t vusim_now(void);

/* 4.6 persistent store */
VUSIM_IMPORT("store_get")
int32_t vusim_store_get(const uint8_t *key, int32_t key_len, uint8_t *out, int32_t cap);
VUSIM_IMPORT("store_put")
int32_t vusim_store_put(const uint8_t *key, int32_t key_len, const uint8_t *val, int32_t val_len);
VUSIM_IMPORT("store_delete") int32_t vusim_store_delete(const uint8_t *key, int32_t key_len);
VUSIM_IMPORT("store_key") int32_t vusim_store_key(int32_t index, uint8_t *out, int32_t cap);

/* ---- SDK helpers (sdk/vusim_applet.c; vusim's own, not part of the ABI) ------------------- */
/* Build an applet with sdk/vusim_applet.c linked in (scripts/build-applets does). Without a C
 * library the compiler still emits calls to memcpy, memmove, memset and memcmp: the SDK defines
 * them. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* 1 when a and b (n bytes each) are equal, in time independent of where they differ. */
int vusim_ct_eq(const uint8_t *a, const uint8_t *b, int32_t n);

/* One BER-TLV data object (ISO/IEC 7816-4 §5.2): tag (1–4 bytes, as a number), value in place. */
typedef struct {
    uint32_t tag;
    const uint8_t *value;
    int32_t len;
} vusim_tlv;

/* The next data object in [*p, end), skipping '00'/'FF' padding (ISO/IEC 7816-4 §5.2.2.1):
 * 1 and *p advanced, 0 at the end, -1 when malformed (tag '00'/'FF' or over 4 bytes, an
 * indefinite or over-long length, a truncated value). */
int vusim_tlv_next(const uint8_t **p, const uint8_t *end, vusim_tlv *out);

/* Append tag ‖ length (shortest form) ‖ value at out[pos]; the new position, or -1 when it does
 * not fit in cap. A negative pos passes through (so calls chain and the error is checked once). */
int32_t vusim_tlv_put(uint8_t *out, int32_t cap, int32_t pos, uint32_t tag, const uint8_t *value,
                      int32_t len);

#endif /* VUSIM_APPLET_H */
