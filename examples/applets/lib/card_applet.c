/*
 * card_applet.c — the shared part of the C card applets on the GBA_U key service (see
 * card_applet.h; docs/api/card-applets.md, vusim's coding v0.1). Ported from the native
 * applets' toolkit and NafLink (applet/src/api/toolkit.rs, card_applet.rs): the same checks in
 * the same order, so both answer every command with the same status word.
 */
#include "card_applet.h"

uint8_t ca_naf[NAF_MAX];
int32_t ca_naf_len;

static ca_session sessions[CHANNELS];
static uint8_t data[DATA_MAX];

/* The Ua security protocol identifier of a NAF_ID when none is given (TS 33.220 Annex H). */
static const uint8_t UA_DEFAULT[5] = {0x01, 0x00, 0x00, 0x00, 0x02};

int32_t ca_load_naf(const char *default_fqdn) {
    int32_t n = vusim_params(ca_naf, NAF_MAX);
    if (n > 0) {
        ca_naf_len = n;
        return SW_OK;
    }
    if (n < 0) return SW_WRONG_LENGTH; /* parameters longer than a NAF_ID */
    n = 0;
    while (default_fqdn[n]) n++;
    memcpy(ca_naf, default_fqdn, (size_t)n);
    memcpy(ca_naf + n, UA_DEFAULT, sizeof UA_DEFAULT);
    ca_naf_len = n + (int32_t)sizeof UA_DEFAULT;
    return SW_OK;
}

static int proprietary(uint8_t cla) { return cla >= 0x80 && cla != 0xFF; }

static int32_t len_in(int32_t len, int32_t lo, int32_t hi) {
    return len >= lo && len <= hi ? SW_OK : SW_WRONG_LENGTH;
}

int32_t ca_common_value_ok(uint8_t ins, uint32_t tag, const uint8_t *v, int32_t len) {
    (void)ins;
    switch (tag) {
    case T_ALG: /* a MAC algorithm: HMAC-SHA-256 */
        if (len != 1) return SW_WRONG_LENGTH;
        return v[0] == VUSIM_ALG_HMAC_SHA256 ? SW_OK : SW_BAD_ALGORITHM;
    case T_PURPOSE: return len_in(len, 0, 64);
    case T_MAC: return len_in(len, VUSIM_TAG_LEN, VUSIM_TAG_LEN);
    case T_IV: return len_in(len, VUSIM_IV_LEN, VUSIM_IV_LEN);
    case T_CHALLENGE: return len_in(len, 8, RS_MAX);
    case T_PROOF: return len_in(len, VUSIM_PROOF_LEN, VUSIM_PROOF_LEN);
    case T_NAME: case 0x85: return len_in(len, 1, 32);
    case T_EXPIRES: return len_in(len, 8, 8);
    default: return SW_OK;
    }
}

static const ca_row *lookup(const ca_row *table, int nrows, uint8_t ins) {
    for (int i = 0; i < nrows; i++) {
        if (table[i].ins == ins) return &table[i];
    }
    return 0;
}

static int listed(const uint32_t *tags, int n, uint32_t tag) {
    for (int i = 0; i < n; i++) {
        if (tags[i] == tag) return 1;
    }
    return 0;
}

int32_t ca_decode(const ca_row *table, int nrows, ca_value_ok ok, ca_cmd *cmd) {
    uint8_t h[4];
    vusim_apdu_header(h);
    const ca_row *row = lookup(table, nrows, h[1]);
    if (!row) return SW_BAD_INS;
    if (!proprietary(h[0])) return SW_BAD_CLA;
    if (h[2] != 0x00 || h[3] != 0x00) return SW_BAD_P1P2;
    int32_t nc = vusim_apdu_data(data, DATA_MAX);
    if (nc < 0) return SW_WRONG_LENGTH;
    if (row->nreq && nc == 0) return SW_WRONG_LENGTH;
    cmd->row = row;
    cmd->n = 0;
    const uint8_t *p = data, *end = data + nc;
    uint32_t seen[MAX_DOS];
    int r;
    vusim_tlv t;
    /* Structure first: a malformed object anywhere is 6A80 before any value is looked at. */
    while ((r = vusim_tlv_next(&p, end, &t)) == 1) {
        int allowed = t.tag == T_CLIENT_AID || listed(row->req, row->nreq, t.tag);
        if (!allowed || listed(seen, cmd->n, t.tag) || cmd->n == MAX_DOS) return SW_BAD_DATA;
        seen[cmd->n] = t.tag;
        cmd->dos[cmd->n++] = t;
    }
    if (r < 0) return SW_BAD_DATA;
    for (int i = 0; i < row->nreq; i++) {
        if (!listed(seen, cmd->n, row->req[i])) return SW_BAD_DATA;
    }
    for (int i = 0; i < cmd->n; i++) {
        const vusim_tlv *d = &cmd->dos[i];
        int32_t sw = d->tag == T_CLIENT_AID ? len_in(d->len, 5, 16)
                                            : ok(row->ins, d->tag, d->value, d->len);
        if (sw != SW_OK) return sw;
    }
    return SW_OK;
}

const uint8_t *ca_get(const ca_cmd *cmd, uint32_t tag, int32_t *len) {
    for (int i = 0; i < cmd->n; i++) {
        if (cmd->dos[i].tag == tag) {
            *len = cmd->dos[i].len;
            return cmd->dos[i].value;
        }
    }
    *len = 0;
    return 0;
}

int32_t ca_service_sw(int32_t code) {
    switch (code) {
    case VUSIM_E_NOT_GRANTED: return SW_NOT_GRANTED;
    case VUSIM_E_NO_KEY: return SW_NOT_FOUND;
    case VUSIM_E_EXPIRED: return SW_EXPIRED;
    case VUSIM_E_FULL: return SW_FULL;
    case VUSIM_E_VERIFY: return SW_VERIFY_FAILED;
    case VUSIM_E_ALGORITHM: return SW_BAD_ALGORITHM;
    default: return SW_WRONG_LENGTH;
    }
}

ca_session *ca_session_of(int32_t channel) {
    return channel >= 0 && channel < CHANNELS ? &sessions[channel] : 0;
}

void ca_end_session(int32_t channel) {
    ca_session *s = ca_session_of(channel);
    if (s) memset(s, 0, sizeof *s);
}

static uint8_t btid[512];

int32_t ca_challenge(int32_t channel) {
    uint64_t expires;
    int32_t n = vusim_gba_key_info(ca_naf, ca_naf_len, btid, sizeof btid, &expires);
    if (n < 0) return ca_service_sw(n);
    ca_session *s = ca_session_of(channel);
    if (!s) return SW_NO_CHALLENGE;
    memset(s, 0, sizeof *s);
    vusim_random(s->rc, RC_LEN);
    s->has_rc = 1;
    s->issued = (uint64_t)vusim_now();
    uint8_t out[2 + RC_LEN];
    return ca_respond(out, vusim_tlv_put(out, sizeof out, 0, T_CHALLENGE, s->rc, RC_LEN));
}

int32_t ca_verify_server(int32_t channel, const uint8_t *purpose, int32_t purpose_len,
                         const uint8_t *proof, int32_t proof_len) {
    ca_session *s = ca_session_of(channel);
    if (!s || !s->has_rc || s->verified) return SW_NO_CHALLENGE;
    uint64_t now = (uint64_t)vusim_now();
    int32_t sw = SW_NO_CHALLENGE;
    if (s->issued <= now && now - s->issued < CHALLENGE_TTL) {
        uint8_t bound[64 + RS_MAX];
        memcpy(bound, purpose, (size_t)purpose_len);
        memcpy(bound + purpose_len, s->rs, (size_t)s->rs_len);
        int32_t r = vusim_gba_verify_server_proof(ca_naf, ca_naf_len, VUSIM_ALG_HMAC_SHA256,
                                                  bound, purpose_len + s->rs_len, s->rc, RC_LEN,
                                                  proof, proof_len);
        sw = r < 0 ? ca_service_sw(r) : SW_OK;
    }
    if (sw == SW_OK) {
        s->verified = 1;
    } else {
        memset(s, 0, sizeof *s);
    }
    return sw;
}

static int32_t secrets_kept(void) {
    uint8_t key[32];
    int32_t n = 0;
    while (vusim_store_key(n, key, sizeof key) >= 0) n++;
    return n;
}

int32_t ca_store_secret(const uint8_t *name, int32_t name_len, const uint8_t *secret,
                        int32_t len) {
    uint8_t old[1];
    int32_t had = vusim_store_get(name, name_len, old, 0);
    if (had == VUSIM_E_NOT_FOUND && secrets_kept() >= MAX_SECRETS) return SW_FULL;
    int32_t r = vusim_store_put(name, name_len, secret, len);
    return r < 0 ? SW_FULL : SW_OK;
}

int32_t ca_stored_secret(const uint8_t *name, int32_t name_len, uint8_t *out, int32_t cap) {
    int32_t n = vusim_store_get(name, name_len, out, cap);
    return n < 0 ? -1 : n;
}

static const uint8_t VERSION[2] = {0x00, 0x01};

int32_t ca_info(void) {
    uint64_t expires;
    int32_t n = vusim_gba_key_info(ca_naf, ca_naf_len, btid, sizeof btid, &expires);
    if (n < 0) return ca_service_sw(n);
    uint8_t be[8];
    for (int i = 0; i < 8; i++) be[i] = (uint8_t)(expires >> (56 - 8 * i));
    static uint8_t out[1024];
    int32_t pos = vusim_tlv_put(out, sizeof out, 0, T_VERSION, VERSION, 2);
    pos = vusim_tlv_put(out, sizeof out, pos, T_NAF_ID, ca_naf, ca_naf_len);
    pos = vusim_tlv_put(out, sizeof out, pos, T_B_TID, btid, n);
    pos = vusim_tlv_put(out, sizeof out, pos, T_EXPIRES, be, 8);
    uint8_t name[32];
    int32_t len;
    for (int32_t i = 0; (len = vusim_store_key(i, name, sizeof name)) >= 0; i++) {
        pos = vusim_tlv_put(out, sizeof out, pos, T_NAME, name, len);
    }
    return ca_respond(out, pos);
}

int32_t ca_respond(const uint8_t *d, int32_t len) {
    if (len < 0) return VUSIM_SW_UNKNOWN;
    return vusim_response(d, len) < 0 ? VUSIM_SW_UNKNOWN : SW_OK;
}
