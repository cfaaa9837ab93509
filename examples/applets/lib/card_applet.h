/*
 * card_applet.h — what the C ports of vusim's card applets on the GBA_U key service share (the
 * door lock and V2X provisioning; docs/api/card-applets.md, vusim's coding v0.1): command
 * decoding against a command table (the rules of the native applets' toolkit), the key
 * service's refusals as status words, a per-channel session with the NAF (card challenge RC,
 * verified server), secrets kept in the applet's persistent store, and GET INFO.
 *
 * The NAF_ID (FQDN ‖ Ua security protocol id, as in EF_GBAUAPI) is the install parameter; the
 * key service checks EF_GBAUAPI (TS 31.102 Rel-18) for this applet's AID on every call.
 */
#ifndef CARD_APPLET_H
#define CARD_APPLET_H

#include "../../../sdk/vusim_applet.h"

/* Status words (ISO/IEC 7816-4 §5.6, TS 102 221 §10.2), named by their meaning here. */
#define SW_OK             0x9000
#define SW_VERIFY_FAILED  0x9862 /* MAC, AE tag, proof or wrapped secret did not verify */
#define SW_WRONG_LENGTH   0x6700
#define SW_NOT_GRANTED    0x6982 /* EF_GBAUAPI does not grant this applet the NAF's key */
#define SW_EXPIRED        0x6984
#define SW_NO_SESSION     0x6985 /* no verified server on this channel */
#define SW_NO_CHALLENGE   0x6900
#define SW_BAD_DATA       0x6A80
#define SW_BAD_ALGORITHM  0x6A81
#define SW_FULL           0x6A84
#define SW_BAD_P1P2       0x6A86
#define SW_NOT_FOUND      0x6A88
#define SW_BAD_INS        0x6D00
#define SW_BAD_CLA        0x6E00

/* Data objects (docs/api/gba-api.md §3). */
#define T_CLIENT_AID 0x4F
#define T_NAF_ID     0x80
#define T_B_TID      0x81
#define T_NAME       0x84
#define T_EXPIRES    0x86
#define T_PASSWORD   0x8F
#define T_ALG        0x90
#define T_PURPOSE    0x91
#define T_DATA       0x92
#define T_MAC        0x93
#define T_IV         0x94
#define T_CHALLENGE  0x96
#define T_PROOF      0x97
#define T_VERSION    0xC0

#define RC_LEN        16
#define RS_MAX        64
#define CHALLENGE_TTL 300 /* seconds of card time a card challenge stays usable */
#define MAX_SECRETS   16
#define CHANNELS      20
#define NAF_MAX       255
#define DATA_MAX      4096
#define MAX_DOS       8

/* One command of an applet's table: INS (P1 = P2 = 00) and the data objects it requires. */
typedef struct {
    uint8_t ins;
    uint8_t nreq;
    uint32_t req[6];
} ca_row;

/* A value check: the status word for data object `tag` of command `ins`, 0x9000 when good. */
typedef int32_t (*ca_value_ok)(uint8_t ins, uint32_t tag, const uint8_t *v, int32_t len);

/* A decoded command. */
typedef struct {
    const ca_row *row;
    vusim_tlv dos[MAX_DOS];
    int n;
} ca_cmd;

/* A channel's session with the NAF: transient, cleared on selection and deselection. */
typedef struct {
    uint8_t rc[RC_LEN];
    int has_rc;
    int verified;
    uint64_t issued;
    uint8_t rs[RS_MAX];
    int32_t rs_len;
} ca_session;

/* The applet's NAF_ID (install parameters, else the default) — read it at every call. */
extern uint8_t ca_naf[NAF_MAX];
extern int32_t ca_naf_len;
int32_t ca_load_naf(const char *default_fqdn);

/* Decode this command against `table` (class, INS, P1-P2, BER-TLV, allowed and required
 * objects, then each value): 0x9000 or the status word. */
int32_t ca_decode(const ca_row *table, int nrows, ca_value_ok ok, ca_cmd *cmd);
/* A data object's value (required ones are present after ca_decode). */
const uint8_t *ca_get(const ca_cmd *cmd, uint32_t tag, int32_t *len);
/* The value checks shared by every command (the native common_value_ok). */
int32_t ca_common_value_ok(uint8_t ins, uint32_t tag, const uint8_t *v, int32_t len);

/* The key service's refusal (a negative import result) as the applet's status word. */
int32_t ca_service_sw(int32_t code);

/* The session of a channel, or 0. */
ca_session *ca_session_of(int32_t channel);
void ca_end_session(int32_t channel);
/* A new card challenge RC on this channel (the key must be usable): answers 96 RC. */
int32_t ca_challenge(int32_t channel);
/* The NAF's proof on this channel's RC, purpose ‖ RS: the session is verified; a wrong or late
 * proof ends it. */
int32_t ca_verify_server(int32_t channel, const uint8_t *purpose, int32_t purpose_len,
                         const uint8_t *proof, int32_t proof_len);

/* Keep a secret under `name` (replacing one of that name), durable when the command succeeds. */
int32_t ca_store_secret(const uint8_t *name, int32_t name_len, const uint8_t *secret,
                        int32_t len);
/* A kept secret's length into out, or -1. */
int32_t ca_stored_secret(const uint8_t *name, int32_t name_len, uint8_t *out, int32_t cap);

/* GET INFO: C0 version, 80 NAF_ID, 81 B-TID, 86 expiry, 84 each kept secret's name. */
int32_t ca_info(void);

/* Answer data: append it to the response (0x9000) or the status word of the failure. */
int32_t ca_respond(const uint8_t *data, int32_t len);

#endif
