/* decode.c - Content-Transfer-Encoding decoders: base64, quoted-printable, uuencode and the
 * identity encodings, each lenient toward what broken mailers send. (RFC 2045 6, POSIX uuencode) */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/base64.h"

enum mime_cte mime_cte_parse(const char *value)
{
    static const struct {
        const char *name;
        enum mime_cte cte;
    } names[] = {
        {"7bit", MIME_CTE_7BIT},         {"8bit", MIME_CTE_8BIT},
        {"binary", MIME_CTE_BINARY},     {"quoted-printable", MIME_CTE_QP},
        {"base64", MIME_CTE_BASE64},     {"x-uuencode", MIME_CTE_UUENCODE},
        {"uuencode", MIME_CTE_UUENCODE}, {"x-uue", MIME_CTE_UUENCODE},
        {"uue", MIME_CTE_UUENCODE},
    };
    if (!value || !*value)
        return MIME_CTE_7BIT;
    while (isspace((unsigned char)*value) || *value == '"')
        value++;
    size_t n = strcspn(value, " \t\";(");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (n == strlen(names[i].name) && strncasecmp(value, names[i].name, n) == 0)
            return names[i].cte;
    }
    return MIME_CTE_UNKNOWN;
}

/* Values of the base64 alphabet; 64 for '=', 0xFF for everything else. */
static const unsigned char b64_table[256] = {
#define X 0xFF
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  62, X,  X,  X,  63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X,  X,  X,  64, X,  X,  X,  0,  1,  2,  3,  4,  5,  6,
    7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,  X,
    X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
    49, 50, 51, X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
#undef X
};

/* Characters outside the alphabet are skipped. '=' ends the current quantum, so streams that
 * were concatenated after their padding still decode; a quantum cut short (missing padding)
 * yields the whole bytes it holds. Whole quanta of four alphabet characters, which is nearly
 * all of a well-formed body, are decoded four characters at a time. */
enum tm_status mime_base64_decode(struct tm_buf *out, const char *in, size_t len)
{
    const unsigned char *p = (const unsigned char *)in;
    unsigned acc = 0;
    int nbits = 0;
    unsigned char chunk[16384];
    size_t n = 0, i = 0;
    while (i < len) {
        if (n > sizeof(chunk) - 3) {
            enum tm_status st = tm_buf_append(out, chunk, n);
            if (st)
                return st;
            n = 0;
        }
        if (nbits == 0 && i + 4 <= len) {
            unsigned a = b64_table[p[i]], b = b64_table[p[i + 1]], c = b64_table[p[i + 2]],
                     d = b64_table[p[i + 3]];
            if ((a | b | c | d) < 64) {
                unsigned v = a << 18 | b << 12 | c << 6 | d;
                chunk[n] = (unsigned char)(v >> 16);
                chunk[n + 1] = (unsigned char)(v >> 8);
                chunk[n + 2] = (unsigned char)v;
                n += 3;
                i += 4;
                continue;
            }
        }
        unsigned v = b64_table[p[i++]];
        if (v == 64) {
            acc = 0;
            nbits = 0;
        }
        if (v >= 64)
            continue;
        acc = (acc << 6) | v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            chunk[n++] = (unsigned char)((acc >> nbits) & 0xFF);
            acc &= (1u << nbits) - 1;
        }
    }
    return tm_buf_append(out, chunk, n);
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* At in[i] == '=': the length of a soft line break ("=", blanks, then LF or CRLF or the end of
 * the input), or 0. */
static size_t qp_soft_break(const char *in, size_t len, size_t i)
{
    size_t j = i + 1;
    while (j < len && (in[j] == ' ' || in[j] == '\t'))
        j++;
    if (j == len)
        return j - i;
    if (in[j] == '\n')
        return j + 1 - i;
    if (in[j] == '\r' && j + 1 < len && in[j + 1] == '\n')
        return j + 2 - i;
    return 0;
}

/* At a blank: the length of the blank run when only a line break or the end follows it
 * (transport padding RFC 2045 6.7 (3) says to delete), else 0. */
static size_t qp_trailing_blanks(const char *in, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && (in[j] == ' ' || in[j] == '\t'))
        j++;
    if (j == len || in[j] == '\n' || (in[j] == '\r' && j + 1 < len && in[j + 1] == '\n'))
        return j - i;
    return 0;
}

enum tm_status mime_qp_decode(struct tm_buf *out, const char *in, size_t len)
{
    char chunk[4096];
    size_t n = 0, i = 0;
    enum tm_status st;
    (void)tm_buf_reserve(out, len); /* a hint: the output is never longer */
    while (i < len) {
        if (n == sizeof(chunk)) {
            if ((st = tm_buf_append(out, chunk, n)))
                return st;
            n = 0;
        }
        /* A run of bytes that stand for themselves is copied at once. */
        size_t run = i;
        while (run < len && in[run] != '=' && in[run] != ' ' && in[run] != '\t')
            run++;
        if (run > i) {
            if (run - i <= sizeof(chunk) - n) {
                memcpy(chunk + n, in + i, run - i);
                n += run - i;
            } else if ((st = tm_buf_append(out, chunk, n)) ||
                       (st = tm_buf_append(out, in + i, run - i))) {
                return st;
            } else {
                n = 0;
            }
            i = run;
            continue;
        }
        char c = in[i];
        size_t skip;
        int hi, lo;
        if (c == '=' && (skip = qp_soft_break(in, len, i)) > 0) {
            i += skip;
        } else if (c == '=' && i + 2 < len && (hi = hex_value((unsigned char)in[i + 1])) >= 0 &&
                   (lo = hex_value((unsigned char)in[i + 2])) >= 0) {
            chunk[n++] = (char)(hi * 16 + lo);
            i += 3;
        } else if ((c == ' ' || c == '\t') && (skip = qp_trailing_blanks(in, len, i)) > 0) {
            i += skip;
        } else {
            /* Includes a bad escape such as "=ZZ" or a lone '=': kept literally. */
            chunk[n++] = c;
            i++;
        }
    }
    return tm_buf_append(out, chunk, n);
}

enum tm_status mime_transfer_decode(struct tm_buf *out, enum mime_cte cte, const char *in,
                                    size_t len)
{
    switch (cte) {
    case MIME_CTE_BASE64:
        return mime_base64_decode(out, in, len);
    case MIME_CTE_QP:
        return mime_qp_decode(out, in, len);
    case MIME_CTE_UUENCODE:
        return tm_mime_uu_decode(in, len, out);
    case MIME_CTE_7BIT:
    case MIME_CTE_8BIT:
    case MIME_CTE_BINARY:
    case MIME_CTE_UNKNOWN:
        break;
    }
    return tm_buf_append(out, in, len);
}

size_t mime_decoded_size(enum mime_cte cte, const char *in, size_t len)
{
    size_t size = 0;
    if (cte != MIME_CTE_BASE64)
        return len;
    int nbits = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '=')
            nbits = 0;
        if (tm_base64_sextet((unsigned char)in[i]) < 0)
            continue;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            size++;
        }
    }
    return size;
}

/* ---- uuencode (POSIX uuencode(1) historical format) ---- */

/* The end of the line starting at p (its last byte before CR LF / LF) and the next line. */
static size_t line_span(const char *in, size_t len, size_t p, size_t *next)
{
    const char *nl = memchr(in + p, '\n', len - p);
    size_t e = nl ? (size_t)(nl - in) : len;
    *next = nl ? e + 1 : len;
    while (e > p && (in[e - 1] == '\r' || in[e - 1] == ' ' || in[e - 1] == '\t'))
        e--;
    return e;
}

/* Whether in[p..e) is "begin MODE NAME" with an octal mode; *name_at is where NAME starts. */
static bool uu_begin_line(const char *in, size_t p, size_t e, size_t *name_at)
{
    size_t q = p + 6, digits = 0;
    if (e - p < 8 || memcmp(in + p, "begin ", 6) != 0)
        return false;
    while (q < e && in[q] >= '0' && in[q] <= '7' && digits < 6) {
        q++;
        digits++;
    }
    if (digits == 0 || q >= e || in[q] != ' ')
        return false;
    *name_at = q + 1;
    return true;
}

static bool uu_end_line(const char *in, size_t p, size_t e)
{
    return e - p == 3 && memcmp(in + p, "end", 3) == 0;
}

/* One encoded line: its first character counts the bytes, then 4 characters per 3 bytes. A
 * group cut short (trailing blanks stripped in transit) is read as if padded with blanks, but
 * missing groups are not invented: the output never outgrows the line. */
static enum tm_status uu_decode_line(struct tm_buf *out, const char *s, size_t n)
{
    unsigned char bytes[64];
    size_t want = (size_t)(((unsigned char)s[0] - 32) & 63), got = 0;
    if (want > (n + 2) / 4 * 3)
        want = (n + 2) / 4 * 3;
    for (size_t i = 1; got < want; i += 4) {
        unsigned v[4];
        for (size_t j = 0; j < 4; j++)
            v[j] = i + j < n ? ((unsigned)(unsigned char)s[i + j] - 32) & 63 : 0;
        unsigned char three[3] = {(unsigned char)(v[0] << 2 | v[1] >> 4),
                                  (unsigned char)(v[1] << 4 | v[2] >> 2),
                                  (unsigned char)(v[2] << 6 | v[3])};
        for (size_t j = 0; j < 3 && got < want; j++)
            bytes[got++] = three[j];
    }
    return tm_buf_append(out, bytes, got);
}

enum tm_status tm_mime_uu_decode(const char *in, size_t len, struct tm_buf *out)
{
    size_t p = 0, next, name_at, start = 0;
    /* Decode after the first begin line; without one, from the start (lenient). */
    for (p = 0; p < len; p = next) {
        size_t e = line_span(in, len, p, &next);
        if (uu_begin_line(in, p, e, &name_at)) {
            start = next;
            break;
        }
    }
    for (p = start; p < len; p = next) {
        size_t e = line_span(in, len, p, &next);
        if (uu_end_line(in, p, e))
            break;
        if (e == p || ((unsigned char)in[p] - 32u) > 64u)
            continue;
        enum tm_status st = uu_decode_line(out, in + p, e - p);
        if (st)
            return st;
    }
    return tm_buf_reserve(out, 0);
}

bool tm_mime_uu_next(const char *text, size_t len, size_t *pos, struct tm_mime_uu_block *block)
{
    size_t p, next, name_at;
    for (p = *pos; p < len; p = next) {
        size_t e = line_span(text, len, p, &next);
        if ((p > 0 && text[p - 1] != '\n') || !uu_begin_line(text, p, e, &name_at))
            continue;
        size_t n = e - name_at < sizeof(block->name) ? e - name_at : sizeof(block->name) - 1;
        memcpy(block->name, text + name_at, n);
        block->name[n] = 0;
        block->start = p;
        for (p = next; p < len; p = next) {
            e = line_span(text, len, p, &next);
            if (uu_end_line(text, p, e))
                break;
        }
        block->len = (p < len ? next : len) - block->start;
        *pos = block->start + block->len;
        return true;
    }
    *pos = len;
    return false;
}

enum tm_status tm_mime_transfer_decode(const char *cte, const char *in, size_t len,
                                       struct tm_buf *out)
{
    return mime_transfer_decode(out, mime_cte_parse(cte), in, len);
}
