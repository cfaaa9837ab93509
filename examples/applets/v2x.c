/*
 * v2x.c — the C-V2X certificate-provisioning card applet (the V2X use case of the CT6 study
 * TR 31.822, after GSMA FS.48's enrolment over GBA) as a loadable applet: the C port of
 * applet/src/api/v2x.rs with the same AID, APDUs, data objects, purposes and status words
 * (docs/api/card-applets.md §3, vusim's coding v0.1). Mutual authentication with the enrolment
 * CA over Ks_int_NAF, a protected channel bound to both challenges, the credentials kept in the
 * card — through the GBA_U key service, which checks EF_GBAUAPI (TS 31.102 Rel-18) for this
 * applet's AID.
 *
 *   vusim card install --card c.toml --module examples/applets/v2x.wasm \
 *       [--params HEX-NAF_ID]          # default v2x.example.org ‖ 01 00 00 00 02
 *
 * Differences from the native applet: the credentials live in the applet's persistent store
 * (at most 1024 bytes; more answers 6A84).
 */
#include "lib/card_applet.h"

VUSIM_APPLET()
VUSIM_META("aid=F0565553494D2D5632580001\n"
           "label=V2X-PROVISIONING\n"
           "seed-label=V2X\n"
           "ins=52 GET INFO\n"
           "ins=54 AUTHENTICATE CA\n"
           "ins=56 VERIFY CA\n"
           "ins=58 PROVISION\n")

#define GET_INFO     0x52
#define AUTHENTICATE 0x54
#define VERIFY_CA    0x56
#define PROVISION    0x58

static const uint8_t PURPOSE_ENROL[] = "v2x-enrol";
static const uint8_t PURPOSE_SESSION[] = "v2x-session";
static const uint8_t PURPOSE_RECEIPT[] = "v2x-receipt";
static const uint8_t CREDENTIALS[] = "enrolment";
#define PLEN(s) ((int32_t)sizeof(s) - 1)

static const ca_row COMMANDS[] = {
    {GET_INFO, 0, {0}},
    {AUTHENTICATE, 1, {T_CHALLENGE}},
    {VERIFY_CA, 1, {T_PROOF}},
    {PROVISION, 3, {T_IV, T_DATA, T_MAC}},
};

int32_t applet_install(void) { return ca_load_naf("v2x.example.org"); }

int32_t applet_select(int32_t channel) {
    ca_end_session(channel);
    return SW_OK;
}

void applet_deselect(int32_t channel) { ca_end_session(channel); }

/* AUTHENTICATE CA: 97 the card's proof on RS (v2x-enrol), 96 a fresh RC (kept with RS). */
static int32_t authenticate(int32_t channel, const ca_cmd *c) {
    int32_t rs_len;
    const uint8_t *rs = ca_get(c, T_CHALLENGE, &rs_len);
    uint8_t out[2 + VUSIM_PROOF_LEN + 2 + RC_LEN];
    uint8_t proof[VUSIM_PROOF_LEN];
    int32_t r = vusim_gba_card_proof(ca_naf, ca_naf_len, VUSIM_ALG_HMAC_SHA256, PURPOSE_ENROL,
                                     PLEN(PURPOSE_ENROL), rs, rs_len, proof);
    if (r < 0) return ca_service_sw(r);
    int32_t pos = vusim_tlv_put(out, sizeof out, 0, 0x97, proof, VUSIM_PROOF_LEN);
    int32_t sw = ca_respond(out, pos);
    if (sw != SW_OK) return sw;
    sw = ca_challenge(channel); /* appends 96 RC */
    if (sw != SW_OK) return sw;
    ca_session *s = ca_session_of(channel);
    memcpy(s->rs, rs, (size_t)rs_len);
    s->rs_len = rs_len;
    return SW_OK;
}

static uint8_t sealed[DATA_MAX + VUSIM_IV_LEN + VUSIM_TAG_LEN];
static uint8_t credentials[DATA_MAX];

/* PROVISION: open the credentials on the protected channel (v2x-session ‖ RC ‖ RS), keep them,
 * answer 93 a receipt MAC over the ciphertext (v2x-receipt ‖ RC ‖ RS). The channel closes. */
static int32_t provision(int32_t channel, const ca_cmd *c) {
    ca_session *s = ca_session_of(channel);
    if (!s) return SW_NO_CHALLENGE;
    if (!s->verified || !s->has_rc) return SW_NO_SESSION;
    uint8_t session[16 + RC_LEN + RS_MAX], receipt[16 + RC_LEN + RS_MAX];
    int32_t bound = RC_LEN + s->rs_len;
    memcpy(session, PURPOSE_SESSION, PLEN(PURPOSE_SESSION));
    memcpy(session + PLEN(PURPOSE_SESSION), s->rc, RC_LEN);
    memcpy(session + PLEN(PURPOSE_SESSION) + RC_LEN, s->rs, (size_t)s->rs_len);
    memcpy(receipt, PURPOSE_RECEIPT, PLEN(PURPOSE_RECEIPT));
    memcpy(receipt + PLEN(PURPOSE_RECEIPT), session + PLEN(PURPOSE_SESSION), (size_t)bound);
    memset(s, 0, sizeof *s);
    int32_t iv_len, ct_len, tag_len;
    const uint8_t *iv = ca_get(c, T_IV, &iv_len);
    const uint8_t *ct = ca_get(c, T_DATA, &ct_len);
    const uint8_t *tag = ca_get(c, T_MAC, &tag_len);
    memcpy(sealed, iv, VUSIM_IV_LEN);
    memcpy(sealed + VUSIM_IV_LEN, ct, (size_t)ct_len);
    memcpy(sealed + VUSIM_IV_LEN + ct_len, tag, VUSIM_TAG_LEN);
    int32_t n = vusim_gba_decrypt(ca_naf, ca_naf_len, VUSIM_ALG_AES128_CTR_HMAC_SHA256, session,
                                  PLEN(PURPOSE_SESSION) + bound, 0, 0, sealed,
                                  VUSIM_IV_LEN + ct_len + VUSIM_TAG_LEN, credentials,
                                  sizeof credentials);
    if (n < 0) return ca_service_sw(n);
    uint8_t mac[32];
    int32_t r = vusim_gba_mac(ca_naf, ca_naf_len, VUSIM_ALG_HMAC_SHA256, receipt,
                              PLEN(PURPOSE_RECEIPT) + bound, ct, ct_len, mac, 32);
    int32_t sw = r < 0 ? ca_service_sw(r)
                       : ca_store_secret(CREDENTIALS, PLEN(CREDENTIALS), credentials, n);
    memset(credentials, 0, (size_t)n);
    if (sw != SW_OK) return sw;
    uint8_t out[2 + 32];
    return ca_respond(out, vusim_tlv_put(out, sizeof out, 0, T_MAC, mac, 32));
}

int32_t applet_process(int32_t channel) {
    if (ca_load_naf("v2x.example.org") != SW_OK) return VUSIM_SW_UNKNOWN;
    ca_cmd c;
    int32_t sw = ca_decode(COMMANDS, sizeof COMMANDS / sizeof COMMANDS[0],
                           ca_common_value_ok, &c);
    if (sw != SW_OK) return sw;
    int32_t len;
    switch (c.row->ins) {
    case GET_INFO: return ca_info();
    case AUTHENTICATE: return authenticate(channel, &c);
    case VERIFY_CA: {
        const uint8_t *proof = ca_get(&c, T_PROOF, &len);
        return ca_verify_server(channel, PURPOSE_ENROL, PLEN(PURPOSE_ENROL), proof, len);
    }
    case PROVISION: return provision(channel, &c);
    default: return SW_BAD_INS;
    }
}
