/*
 * door_lock.c — the door-lock card applet of the CT6 study on GBA_U based APIs (TR 31.822,
 * Rel-18) as a loadable applet: the C port of applet/src/api/door_lock.rs with the same AID,
 * APDUs, data objects, purposes and status words (docs/api/card-applets.md §2, vusim's coding
 * v0.1). It uses Ks_int_NAF of the lock platform's NAF through the GBA_U key service, which
 * checks EF_GBAUAPI (TS 31.102 Rel-18) for this applet's AID.
 *
 *   vusim card install --card c.toml --module examples/applets/door_lock.wasm \
 *       [--params HEX-NAF_ID]          # default lock.example.org ‖ 01 00 00 00 02
 *
 * Differences from the native applet: the door passwords live in the applet's persistent store
 * (not the card key store), and GET INFO lists their names in byte order.
 */
#include "lib/card_applet.h"

VUSIM_APPLET()
VUSIM_META("aid=F0565553494D2D444F4F520001\n"
           "label=DOOR-LOCK\n"
           "seed-label=DOOR\n"
           "ins=52 GET INFO\n"
           "ins=54 STORE PASSWORD\n"
           "ins=56 GET CHALLENGE\n"
           "ins=58 VERIFY PLATFORM\n"
           "ins=5A UNLOCK\n")

#define GET_INFO        0x52
#define STORE_PASSWORD  0x54
#define GET_CHALLENGE   0x56
#define VERIFY_PLATFORM 0x58
#define UNLOCK          0x5A

static const uint8_t PURPOSE_PLATFORM[] = "door-platform";
static const uint8_t PURPOSE_UNLOCK[] = "door-unlock";
#define PLEN(s) ((int32_t)sizeof(s) - 1)

static const ca_row COMMANDS[] = {
    {GET_INFO, 0, {0}},
    {STORE_PASSWORD, 5, {T_NAME, T_ALG, T_IV, T_DATA, T_MAC}},
    {GET_CHALLENGE, 0, {0}},
    {VERIFY_PLATFORM, 1, {T_PROOF}},
    {UNLOCK, 3, {T_NAME, T_PASSWORD, T_DATA}},
};

static int32_t value_ok(uint8_t ins, uint32_t tag, const uint8_t *v, int32_t len) {
    switch (tag) {
    case T_ALG: /* the password arrives wrapped with an authenticated-encryption algorithm */
        if (len != 1) return SW_WRONG_LENGTH;
        return v[0] == VUSIM_ALG_AES128_CTR_HMAC_SHA256 ? SW_OK : SW_BAD_ALGORITHM;
    case T_PASSWORD: return len >= 1 && len <= 64 ? SW_OK : SW_WRONG_LENGTH;
    case T_DATA: {
        int32_t max = ins == STORE_PASSWORD ? 64 : 128;
        return len >= 1 && len <= max ? SW_OK : SW_WRONG_LENGTH;
    }
    default: return ca_common_value_ok(ins, tag, v, len);
    }
}

int32_t applet_install(void) { return ca_load_naf("lock.example.org"); }

int32_t applet_select(int32_t channel) {
    ca_end_session(channel);
    return SW_OK;
}

void applet_deselect(int32_t channel) { ca_end_session(channel); }

/* STORE PASSWORD: unwrap the platform's wrap under Ks_int_NAF for this name; keep it. */
static int32_t store(const ca_cmd *c) {
    int32_t name_len, alg_len, iv_len, ct_len, tag_len;
    const uint8_t *name = ca_get(c, T_NAME, &name_len);
    const uint8_t *alg = ca_get(c, T_ALG, &alg_len);
    const uint8_t *iv = ca_get(c, T_IV, &iv_len);
    const uint8_t *ct = ca_get(c, T_DATA, &ct_len);
    const uint8_t *tag = ca_get(c, T_MAC, &tag_len);
    uint8_t sealed[VUSIM_IV_LEN + 64 + VUSIM_TAG_LEN];
    memcpy(sealed, iv, VUSIM_IV_LEN);
    memcpy(sealed + VUSIM_IV_LEN, ct, (size_t)ct_len);
    memcpy(sealed + VUSIM_IV_LEN + ct_len, tag, VUSIM_TAG_LEN);
    uint8_t secret[64];
    int32_t n = vusim_gba_unwrap(ca_naf, ca_naf_len, alg[0], name, name_len, sealed,
                                 VUSIM_IV_LEN + ct_len + VUSIM_TAG_LEN, secret, sizeof secret);
    if (n < 0) return ca_service_sw(n);
    int32_t sw = ca_store_secret(name, name_len, secret, n);
    memset(secret, 0, sizeof secret);
    return sw;
}

/* UNLOCK: a verified platform session (used up), the typed password equal to the stored one:
 * 93 MAC(Ks_int_NAF, door-unlock, request ‖ RC). */
static int32_t unlock(int32_t channel, const ca_cmd *c) {
    ca_session *s = ca_session_of(channel);
    if (!s) return SW_NO_CHALLENGE;
    if (!s->verified || !s->has_rc) return SW_NO_SESSION;
    uint8_t rc[RC_LEN];
    memcpy(rc, s->rc, RC_LEN);
    memset(s, 0, sizeof *s);
    int32_t name_len, typed_len, req_len;
    const uint8_t *name = ca_get(c, T_NAME, &name_len);
    const uint8_t *typed = ca_get(c, T_PASSWORD, &typed_len);
    const uint8_t *req = ca_get(c, T_DATA, &req_len);
    uint8_t stored[64];
    int32_t n = ca_stored_secret(name, name_len, stored, sizeof stored);
    if (n < 0) return SW_NOT_FOUND;
    int same = n == typed_len && vusim_ct_eq(stored, typed, n);
    memset(stored, 0, sizeof stored);
    if (!same) return SW_VERIFY_FAILED;
    uint8_t request[128 + RC_LEN];
    memcpy(request, req, (size_t)req_len);
    memcpy(request + req_len, rc, RC_LEN);
    uint8_t mac[32];
    int32_t r = vusim_gba_mac(ca_naf, ca_naf_len, VUSIM_ALG_HMAC_SHA256, PURPOSE_UNLOCK,
                              PLEN(PURPOSE_UNLOCK), request, req_len + RC_LEN, mac, 32);
    if (r < 0) return ca_service_sw(r);
    uint8_t out[2 + 32];
    return ca_respond(out, vusim_tlv_put(out, sizeof out, 0, T_MAC, mac, 32));
}

int32_t applet_process(int32_t channel) {
    if (ca_load_naf("lock.example.org") != SW_OK) return VUSIM_SW_UNKNOWN;
    ca_cmd c;
    int32_t sw = ca_decode(COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0], value_ok, &c);
    if (sw != SW_OK) return sw;
    int32_t len;
    switch (c.row->ins) {
    case GET_INFO: return ca_info();
    case STORE_PASSWORD: return store(&c);
    case GET_CHALLENGE: return ca_challenge(channel);
    case VERIFY_PLATFORM: {
        const uint8_t *proof = ca_get(&c, T_PROOF, &len);
        return ca_verify_server(channel, PURPOSE_PLATFORM, PLEN(PURPOSE_PLATFORM), proof, len);
    }
    case UNLOCK: return unlock(channel, &c);
    default: return SW_BAD_INS;
    }
}
