/* rfc2047.c - header text to UTF-8: encoded words (with RFC 2231 language tags) and raw 8-bit
 * bytes. (RFC 2047, RFC 2231 5, RFC 6532) */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"

#define CHARSET_MAX 64

/* One encoded word =?charset?E?text?= found in the input. */
struct encoded_word {
    const char *charset; /* without any "*language" suffix */
    size_t charset_len;
    char encoding; /* 'B' or 'Q' */
    const char *text;
    size_t text_len;
    size_t total; /* bytes from "=?" to "?=" inclusive */
};

/* Parses the encoded word at s[0..len) (s starts with "=?"). Like most readers (and unlike
 * RFC 2047 2), blanks inside the text are accepted; a '?' is not, so a word never runs into the
 * next one. */
static bool parse_word(const char *s, size_t len, struct encoded_word *w)
{
    size_t i = 2;
    while (i < len && i - 2 <= CHARSET_MAX && s[i] != '?' && !isspace((unsigned char)s[i]))
        i++;
    if (i == 2 || i - 2 > CHARSET_MAX || i + 2 >= len || s[i] != '?' || s[i + 2] != '?')
        return false;
    char enc = (char)toupper((unsigned char)s[i + 1]);
    if (enc != 'B' && enc != 'Q')
        return false;
    size_t t = i + 3, e = t;
    while (e < len && s[e] != '?' && s[e] != '\r' && s[e] != '\n')
        e++;
    if (e + 1 >= len || s[e] != '?' || s[e + 1] != '=')
        return false;
    const char *star = memchr(s + 2, '*', i - 2);
    w->charset = s + 2;
    w->charset_len = star ? (size_t)(star - (s + 2)) : i - 2;
    w->encoding = enc;
    w->text = s + t;
    w->text_len = e - t;
    w->total = e + 2;
    return w->charset_len > 0;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The "Q" encoding (RFC 2047 4.2): '_' is a space, "=XX" a byte; a bad escape stays literal. */
static enum tm_status q_decode(struct tm_buf *out, const char *s, size_t len)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < len && st == TM_OK; i++) {
        int hi, lo;
        if (s[i] == '_') {
            st = tm_buf_append_char(out, ' ');
        } else if (s[i] == '=' && i + 2 < len && (hi = hex_value((unsigned char)s[i + 1])) >= 0 &&
                   (lo = hex_value((unsigned char)s[i + 2])) >= 0) {
            st = tm_buf_append_char(out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            st = tm_buf_append_char(out, s[i]);
        }
    }
    return st;
}

/* The decoder's state: the raw bytes of a run of adjacent words in one charset, kept together
 * so that a character split across two words is converted whole. */
struct header_decoder {
    struct tm_buf *out;
    const char *fallback;
    struct tm_buf pending;
    char charset[CHARSET_MAX + 1];
};

static enum tm_status flush_pending(struct header_decoder *d)
{
    enum tm_status st = TM_OK;
    if (d->pending.len > 0)
        st = mime_charset_convert(d->out, d->charset, strlen(d->charset), d->pending.data,
                                  d->pending.len, d->fallback);
    tm_buf_reset(&d->pending);
    return st;
}

static enum tm_status add_word(struct header_decoder *d, const struct encoded_word *w)
{
    enum tm_status st = TM_OK;
    if (strlen(d->charset) != w->charset_len ||
        strncasecmp(d->charset, w->charset, w->charset_len) != 0) {
        st = flush_pending(d);
        memcpy(d->charset, w->charset, w->charset_len);
        d->charset[w->charset_len] = 0;
    }
    if (st)
        return st;
    if (w->encoding == 'B')
        return mime_base64_decode(&d->pending, w->text, w->text_len);
    return q_decode(&d->pending, w->text, w->text_len);
}

static bool all_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (!isspace((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* Literal text between words: valid UTF-8 is kept, anything else is read as the fallback. */
static enum tm_status add_literal(struct header_decoder *d, const char *s, size_t len)
{
    enum tm_status st = flush_pending(d);
    if (st == TM_OK && len > 0)
        st = mime_charset_convert(d->out, NULL, 0, s, len, d->fallback);
    return st;
}

/* Drops NUL bytes decoded from words: they would cut a C string short. */
static void drop_nuls(struct tm_buf *out, size_t from)
{
    size_t n = from;
    for (size_t i = from; i < out->len; i++) {
        if (out->data[i] != '\0')
            out->data[n++] = out->data[i];
    }
    out->len = n;
    if (out->data)
        out->data[n] = 0;
}

enum tm_status mime_decode_header(struct tm_buf *out, const char *text, size_t len,
                                  const char *fallback)
{
    struct header_decoder d; /* field by field: zeroing the charset array cost more */
    size_t i = 0, lit = 0, start = out->len;
    bool after_word = false;
    enum tm_status st = TM_OK;
    d.out = out;
    d.fallback = fallback;
    d.charset[0] = 0;
    tm_buf_init(&d.pending, out->limit);
    while (i < len && st == TM_OK) {
        struct encoded_word w;
        if (text[i] != '=' || i + 1 >= len || text[i + 1] != '?' ||
            !parse_word(text + i, len - i, &w)) {
            i++;
            continue;
        }
        /* Blanks between two encoded words are not text (RFC 2047 6.2). Words glued inside
         * other text are decoded too, which RFC 2047 5 does not allow. */
        if (!after_word || !all_blank(text + lit, i - lit))
            st = add_literal(&d, text + lit, i - lit);
        if (st == TM_OK)
            st = add_word(&d, &w);
        i += w.total;
        lit = i;
        after_word = true;
    }
    if (st == TM_OK)
        st = add_literal(&d, text + lit, len - lit);
    tm_buf_cleanup(&d.pending);
    drop_nuls(out, start);
    return st;
}

/* The common case, text without encoded words that is already UTF-8, is what
 * mime_decode_header would make of it: the same bytes (text without NULs has none to drop). */
static bool decodes_to_itself(const char *text, size_t len)
{
    if (len == 0)
        return false;
    for (const char *eq = text; (eq = memchr(eq, '=', len - (size_t)(eq - text))); eq++) {
        if (eq + 1 < text + len && eq[1] == '?')
            return false; /* maybe an encoded word */
    }
    size_t ascii = mime_ascii_prefix(text, len);
    return ascii == len || mime_utf8_valid(text + ascii, len - ascii);
}

/* The output cap for decoding len bytes: every input byte yields at most 4 output bytes, so
 * this cap never truncates. */
static size_t decode_limit(size_t len)
{
    return len < (SIZE_MAX - 64) / 4 ? 4 * len + 64 : TM_BUF_DEFAULT_LIMIT;
}

enum tm_status mime_decode_header_view(const char *text, size_t len, const char *fallback,
                                       struct tm_buf *scratch, const char **decoded,
                                       size_t *decoded_len)
{
    if (decodes_to_itself(text, len)) {
        *decoded = text;
        *decoded_len = len;
        return TM_OK;
    }
    tm_buf_reset(scratch);
    scratch->limit = decode_limit(len);
    /* TM_ELIMIT cannot happen; tm_mime_decode_header_text would keep what it got */
    if (mime_decode_header(scratch, text, len, fallback) == TM_ENOMEM)
        return TM_ENOMEM;
    *decoded = scratch->data ? scratch->data : "";
    *decoded_len = scratch->len;
    return TM_OK;
}

char *tm_mime_decode_header_text(const char *text, const char *fallback)
{
    struct tm_buf out;
    size_t len = text ? strlen(text) : 0;
    if (decodes_to_itself(text, len)) {
        char *copy = malloc(len + 1);
        if (copy)
            memcpy(copy, text, len + 1);
        return copy;
    }
    tm_buf_init(&out, decode_limit(len));
    enum tm_status st = mime_decode_header(&out, text ? text : "", len, fallback);
    if (st == TM_ENOMEM) {
        tm_buf_cleanup(&out);
        return NULL;
    }
    return tm_buf_steal(&out);
}
