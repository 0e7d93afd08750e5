/* imap_utf7.c - modified UTF-7 for mailbox names, strict in what it reads (RFC 3501 5.1.3, RFC
 * 2152 for the base64 of UTF-16). */
#include <string.h>

#include "imap_proto.h"
#include "tmail/base64.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Modified base64 (RFC 3501 5.1.3): the standard alphabet with ',' in place of '/'. */
static int b64_value(unsigned char c)
{
    return c == ',' ? 63 : c == '/' ? -1 : tm_base64_sextet(c);
}

static enum tm_status put_utf8(struct tm_buf *out, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    return tm_buf_append(out, b, n);
}

/* Decodes the base64 run in[*i..] up to its "-" into UTF-8. */
static enum tm_status decode_run(const char *in, size_t len, size_t *i, struct tm_buf *out,
                                 const char **why)
{
    uint32_t bits = 0;
    int nbits = 0;
    unsigned high = 0;
    size_t k = *i;
    for (; k < len && in[k] != '-'; k++) {
        int v = b64_value((unsigned char)in[k]);
        if (v < 0)
            return *why = _("bad base64 character"), TM_EPARSE;
        bits = (bits << 6) | (uint32_t)v;
        nbits += 6;
        if (nbits < 16)
            continue;
        nbits -= 16;
        unsigned u = (bits >> nbits) & 0xFFFF;
        bits &= (1u << nbits) - 1;
        if (high) {
            if (u < 0xDC00 || u > 0xDFFF)
                return *why = _("unpaired surrogate"), TM_EPARSE;
            u = 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00);
            high = 0;
        } else if (u >= 0xD800 && u <= 0xDBFF) {
            high = u;
            continue;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            return *why = _("unpaired surrogate"), TM_EPARSE;
        } else if (u == 0 || (u >= 0x20 && u <= 0x7E)) {
            return *why = _("encoded NUL or printable ASCII"), TM_EPARSE;
        }
        enum tm_status st = put_utf8(out, u);
        if (st)
            return *why = _("name too long"), st;
    }
    if (k >= len)
        return *why = _("unterminated \"&\""), TM_EPARSE;
    if (high)
        return *why = _("unpaired surrogate"), TM_EPARSE;
    if (nbits >= 6 || bits != 0 || k == *i)
        return *why = _("bad base64 padding"), TM_EPARSE;
    *i = k + 1;
    return TM_OK;
}

enum tm_status imap_utf7_decode(const char *in, size_t len, struct tm_buf *out_utf8,
                                struct tm_error *err)
{
    size_t old = out_utf8->len, i = 0;
    const char *why = NULL;
    enum tm_status st = TM_OK;
    while (i < len && !st) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c > 0x7E) {
            why = _("byte outside printable ASCII");
            st = TM_EPARSE;
        } else if (c != '&') {
            st = tm_buf_append_char(out_utf8, (char)c);
            i++;
        } else if (i + 1 < len && in[i + 1] == '-') {
            st = tm_buf_append_char(out_utf8, '&');
            i += 2;
        } else {
            i++;
            st = decode_run(in, len, &i, out_utf8, &why);
        }
    }
    if (st) {
        out_utf8->len = old;
        if (out_utf8->data)
            out_utf8->data[old] = 0;
        char excerpt[96];
        imap_sanitize(excerpt, sizeof(excerpt), in, len < 40 ? len : 40);
        return tm_error_set(err, st, _("bad modified UTF-7 mailbox name \"%s\": %s"), excerpt,
                            why ? why : _("out of memory"));
    }
    return TM_OK;
}

static bool printable(unsigned char c)
{
    return c >= 0x20 && c <= 0x7E;
}

/* Encodes the non-printable run at utf8[*i..] as "&" base64(UTF-16BE) "-". */
static enum tm_status encode_run(const char *utf8, size_t len, size_t *i, struct tm_buf *out)
{
    uint32_t bits = 0;
    int nbits = 0;
    enum tm_status st = tm_buf_append_char(out, '&');
    size_t k = *i;
    while (!st && k < len && !printable((unsigned char)utf8[k])) {
        unsigned cp, units[2], n_units = 1;
        size_t n = tm_utf8_decode((const unsigned char *)utf8 + k, len - k, &cp);
        if (n == 0)
            return TM_EPARSE;
        k += n;
        units[0] = cp;
        if (cp >= 0x10000) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            n_units = 2;
        }
        for (unsigned u = 0; u < n_units && !st; u++) {
            bits = (bits << 16) | units[u];
            nbits += 16;
            while (nbits >= 6 && !st) {
                nbits -= 6;
                st = tm_buf_append_char(out, b64_chars[(bits >> nbits) & 0x3F]);
            }
            bits &= (1u << nbits) - 1;
        }
    }
    if (!st && nbits > 0)
        st = tm_buf_append_char(out, b64_chars[(bits << (6 - nbits)) & 0x3F]);
    if (!st)
        st = tm_buf_append_char(out, '-');
    *i = k;
    return st;
}

enum tm_status imap_utf7_encode(const char *utf8, struct tm_buf *out)
{
    size_t old = out->len, len = strlen(utf8), i = 0;
    enum tm_status st = TM_OK;
    while (i < len && !st) {
        unsigned char c = (unsigned char)utf8[i];
        if (c == '&') {
            st = tm_buf_append(out, "&-", 2);
            i++;
        } else if (printable(c)) {
            st = tm_buf_append_char(out, (char)c);
            i++;
        } else {
            st = encode_run(utf8, len, &i, out);
        }
    }
    if (st) {
        out->len = old;
        if (out->data)
            out->data[old] = 0;
    }
    return st;
}
