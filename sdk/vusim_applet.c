/*
 * vusim_applet.c — the C SDK's helpers for loadable applets (vusim's own; docs/applets.md §7):
 * the four memory functions a freestanding wasm32 build needs, a constant-time comparison, and
 * BER-TLV reading and writing (ISO/IEC 7816-4 §5.2). Link it into every C applet.
 */
#include "vusim_applet.h"

void *memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}

int vusim_ct_eq(const uint8_t *a, const uint8_t *b, int32_t n) {
    uint8_t diff = 0;
    for (int32_t i = 0; i < n; i++) diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

int vusim_tlv_next(const uint8_t **p, const uint8_t *end, vusim_tlv *out) {
    const uint8_t *q = *p;
    while (q < end && (*q == 0x00 || *q == 0xFF)) q++;
    if (q == end) {
        *p = q;
        return 0;
    }
    /* Tag: one byte, or more when its low five bits are all set (subsequent bytes while b8). */
    uint32_t tag = *q++;
    if ((tag & 0x1F) == 0x1F) {
        int n = 1;
        for (;;) {
            if (q == end) return -1;
            uint8_t b = *q++;
            tag = (tag << 8) | b;
            if (++n > 4) return -1;
            if (!(b & 0x80)) break;
        }
    }
    /* Length: short form, or '81'–'84' and that many bytes. */
    if (q == end) return -1;
    uint8_t first = *q++;
    uint32_t len = first;
    if (first == 0x80 || first > 0x84) return -1;
    if (first > 0x80) {
        len = 0;
        for (int i = 0; i < (first & 0x7F); i++) {
            if (q == end) return -1;
            len = (len << 8) | *q++;
        }
    }
    if (len > (uint32_t)(end - q)) return -1;
    out->tag = tag;
    out->value = q;
    out->len = (int32_t)len;
    *p = q + len;
    return 1;
}

int32_t vusim_tlv_put(uint8_t *out, int32_t cap, int32_t pos, uint32_t tag, const uint8_t *value,
                      int32_t len) {
    if (pos < 0 || len < 0 || len > 0xFFFF) return -1;
    uint8_t head[8];
    int32_t h = 0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        uint8_t b = (uint8_t)(tag >> shift);
        if (b || h || shift == 0) head[h++] = b;
    }
    if (len < 0x80) {
        head[h++] = (uint8_t)len;
    } else if (len < 0x100) {
        head[h++] = 0x81;
        head[h++] = (uint8_t)len;
    } else {
        head[h++] = 0x82;
        head[h++] = (uint8_t)(len >> 8);
        head[h++] = (uint8_t)len;
    }
    if (h + len > cap - pos) return -1;
    memcpy(out + pos, head, (size_t)h);
    memcpy(out + pos + h, value, (size_t)len);
    return pos + h + len;
}
