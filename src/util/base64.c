/* base64.c - strict base64 encoding and decoding (RFC 4648 section 4). */
#include <stdbool.h>
#include <stdint.h>

#include "tmail/base64.h"
#include "tmail/i18n.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

enum tm_status tm_base64_encode(const void *data, size_t len, struct tm_buf *out)
{
    const unsigned char *in = data;
    if (len / 3 >= SIZE_MAX / 4 - 1)
        return TM_ELIMIT;
    enum tm_status st = tm_buf_reserve(out, (len + 2) / 3 * 4);
    if (st)
        return st;
    char *o = out->data + out->len;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = 0;
    return TM_OK;
}

int tm_base64_sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes one group of four characters at g into bytes; returns how many (1..3), or -1 with *bad
 * set to the offending offset inside the group. last: the group ends the input, so it may be
 * padded. */
static int decode_group(const char *g, bool last, unsigned char bytes[3], size_t *bad)
{
    int pad = 0;
    if (last && g[3] == '=')
        pad = g[2] == '=' ? 2 : 1;
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        int x = k < 4 - pad ? tm_base64_sextet((unsigned char)g[k]) : 0;
        if (x < 0) {
            *bad = (size_t)k;
            return -1;
        }
        v = v << 6 | (uint32_t)x;
    }
    /* The bits under the padding must be zero, or the encoding is not canonical. */
    if ((pad == 2 && (v & 0xffff)) || (pad == 1 && (v & 0xff))) {
        *bad = (size_t)(3 - pad);
        return -1;
    }
    bytes[0] = (unsigned char)(v >> 16);
    bytes[1] = (unsigned char)(v >> 8);
    bytes[2] = (unsigned char)v;
    return 3 - pad;
}

enum tm_status tm_base64_decode(const char *text, size_t len, struct tm_buf *out,
                                struct tm_error *err)
{
    size_t start = out->len;
    enum tm_status st = TM_OK;
    if (len % 4 != 0)
        return tm_error_set(err, TM_EPARSE, _("invalid base64: length %zu is not a multiple of 4"),
                            len);
    st = tm_buf_reserve(out, len / 4 * 3);
    if (st)
        return tm_error_set(err, st, _("base64 data too large"));
    for (size_t i = 0; i < len; i += 4) {
        unsigned char bytes[3];
        size_t bad = 0;
        int n = decode_group(text + i, i + 4 == len, bytes, &bad);
        if (n < 0) {
            st = tm_error_set(err, TM_EPARSE, _("invalid base64 at offset %zu"), i + bad);
            goto out;
        }
        st = tm_buf_append(out, bytes, (size_t)n);
        if (st)
            goto out;
    }
out:
    if (st) {
        out->len = start;
        out->data[start] = 0;
    }
    return st;
}
