/* header.c - message header access: header end, folded field iteration, unfolding, and
 * structured parameter values. (RFC 5322 2.2 and 3.2.2, RFC 2045 5.1, RFC 2183, RFC 2231) */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/str.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')

size_t tm_mime_header_end(const char *msg, size_t len)
{
    /* A message that starts with a blank line has an empty header. */
    if (len >= 1 && msg[0] == '\n')
        return 1;
    if (len >= 2 && msg[0] == '\r' && msg[1] == '\n')
        return 2;
    /* memchr from line break to line break: this runs over every header of a sync */
    for (const char *lf = memchr(msg, '\n', len); lf;
         lf = memchr(lf + 1, '\n', len - (size_t)(lf + 1 - msg))) {
        size_t i = (size_t)(lf - msg);
        if (i + 1 < len && msg[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n')
            return i + 3;
    }
    return len;
}

/* End of the line starting at pos: the index of its LF, or hdr_len. */
static size_t line_end(const char *msg, size_t hdr_len, size_t pos)
{
    const char *lf = memchr(msg + pos, '\n', hdr_len - pos);
    return lf ? (size_t)(lf - msg) : hdr_len;
}

/* Valid field names are printable ASCII without colon (RFC 5322 2.2); obsolete syntax allows
 * blanks before the colon, which the caller has trimmed. */
static bool valid_field_name(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126)
            return false;
    }
    return true;
}

/* Fills f from the logical field msg[start..end) (end excludes the final line break) whose
 * first line ends at first_eol; false when the first line is not a field. */
static bool split_field(const char *msg, size_t start, size_t first_eol, size_t end,
                        struct tm_header_field *f)
{
    size_t first_end = first_eol < end ? first_eol : end;
    const char *colon = msg + start, *stop = msg + first_end;
    while (colon < stop && *colon != ':') /* names are short: no memchr call */
        colon++;
    if (colon == stop)
        return false;
    size_t name_len = (size_t)(colon - (msg + start));
    while (name_len > 0 && IS_WSP(msg[start + name_len - 1]))
        name_len--;
    if (!valid_field_name(msg + start, name_len))
        return false;
    size_t v = (size_t)(colon - msg) + 1;
    while (v < end && IS_WSP(msg[v]))
        v++;
    f->name = msg + start;
    f->name_len = name_len;
    f->value = msg + v;
    f->value_len = end - v;
    return true;
}

bool tm_mime_header_next(const char *msg, size_t hdr_len, size_t *pos, struct tm_header_field *f)
{
    while (*pos < hdr_len) {
        size_t start = *pos;
        size_t eol = line_end(msg, hdr_len, start), first_eol = eol;
        /* A blank line ends the header. */
        if (eol == start || (eol == start + 1 && msg[start] == '\r'))
            return false;
        /* Swallow continuation lines (starting with SP or HTAB). */
        while (eol < hdr_len && eol + 1 < hdr_len && IS_WSP(msg[eol + 1]))
            eol = line_end(msg, hdr_len, eol + 1);
        *pos = eol < hdr_len ? eol + 1 : hdr_len;
        size_t end = eol;
        if (end > start && msg[end - 1] == '\r' && end < hdr_len)
            end--;
        /* A leading continuation line without a field before it is junk, like a line without a
         * colon: skip it. */
        if (IS_WSP(msg[start]))
            continue;
        if (split_field(msg, start, first_eol, end, f))
            return true;
    }
    return false;
}

char *mime_header_unfold(const char *value, size_t len)
{
    char *out = malloc(len + 1);
    if (out)
        mime_header_unfold_to(out, value, len);
    return out;
}

/* Whether one of the 8 bytes in w is below 0x0E, as CR, LF and NUL are. */
static bool word_has_break(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    return (w - ones * 0x0E) & ~w & highs;
}

/* Bytes of s[0..len) before the first CR, LF or NUL: copied as they are. Every header field of a
 * sync comes through here, and most have no break at all: read 8 bytes at a time while none can
 * be one (the last 8 overlapping the word before), one pass instead of a memchr for each. */
static size_t plain_run(const char *s, size_t len)
{
    size_t n = 0;
    uint64_t w;
    for (; n + 8 <= len; n += 8) {
        memcpy(&w, s + n, 8);
        if (word_has_break(w))
            break;
    }
    if (n + 8 > len && len >= 8) {
        memcpy(&w, s + len - 8, 8);
        if (!word_has_break(w))
            return len;
    }
    while (n < len && s[n] != '\r' && s[n] != '\n' && s[n] != '\0')
        n++;
    return n;
}

/* value[0..len) without blanks at either end into out (which may be value), NUL-terminated;
 * returns the length. */
static size_t copy_trimmed(char *out, const char *value, size_t len)
{
    size_t b = 0;
    while (b < len && IS_WSP(value[b]))
        b++;
    while (len > b && IS_WSP(value[len - 1]))
        len--;
    memmove(out, value + b, len - b);
    out[len - b] = 0;
    return len - b;
}

size_t mime_header_unfold_to(char *out, const char *value, size_t len)
{
    size_t n = plain_run(value, len);
    if (n == len) /* nothing to unfold: most values */
        return copy_trimmed(out, value, len);
    memcpy(out, value, n);
    for (size_t i = n; i < len; i++) {
        if (value[i] == '\r' || value[i] == '\n') {
            /* WSP* line-break WSP* (any mix of CR and LF) becomes one space. */
            while (n > 0 && IS_WSP(out[n - 1]))
                n--;
            while (i + 1 < len &&
                   (IS_WSP(value[i + 1]) || value[i + 1] == '\r' || value[i + 1] == '\n'))
                i++;
            out[n++] = ' ';
        } /* else a NUL: dropped */
        size_t run = plain_run(value + i + 1, len - i - 1);
        memcpy(out + n, value + i + 1, run);
        n += run;
        i += run;
    }
    return copy_trimmed(out, out, n);
}

bool mime_header_find(const char *msg, size_t hdr_len, const char *name, struct tm_header_field *f)
{
    size_t pos = 0, name_len = strlen(name);
    while (tm_mime_header_next(msg, hdr_len, &pos, f)) {
        if (f->name_len == name_len && strncasecmp(f->name, name, name_len) == 0)
            return true;
    }
    return false;
}

char *tm_mime_header_get(const char *msg, size_t len, const char *name)
{
    struct tm_header_field f;
    if (!msg || !name)
        return NULL;
    size_t hdr_len = tm_mime_header_end(msg, len);
    if (!mime_header_find(msg, hdr_len, name, &f))
        return NULL;
    return mime_header_unfold(f.value, f.value_len);
}

/* ---- structured values: type/subtype; attribute=value ... (RFC 2045 5.1) ---- */

/* RFC 2045 tspecials plus blanks: characters that end a token. */
static bool is_token_char(unsigned char c)
{
    /* a table, not strchr: this runs for every byte of every parameter */
    static const bool tspecial[256] = {
        ['('] = 1,  [')'] = 1, ['<'] = 1, ['>'] = 1, ['@'] = 1, [','] = 1, [';'] = 1, [':'] = 1,
        ['\\'] = 1, ['"'] = 1, ['/'] = 1, ['['] = 1, [']'] = 1, ['?'] = 1, ['='] = 1};
    return c > 32 && c < 127 && !tspecial[c];
}

/* Skips blanks and (nested) comments. */
static const char *skip_cfws(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(') {
            depth++;
        } else if (depth > 0 && *p == ')') {
            depth--;
        } else if (depth > 0 && *p == '\\' && p[1]) {
            p++;
        } else if (depth == 0 && !isspace((unsigned char)*p)) {
            break;
        }
    }
    return p;
}

/* Copies the token at *pp, lower-cased, into dst (truncated to cap - 1); advances *pp and
 * returns the number of bytes consumed. */
static size_t take_token(const char **pp, char *dst, size_t cap)
{
    const char *p = *pp;
    size_t n = 0;
    while (is_token_char((unsigned char)*p)) {
        if (n + 1 < cap)
            dst[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    dst[n] = 0;
    size_t consumed = (size_t)(p - *pp);
    *pp = p;
    return consumed;
}

/* Reads a parameter value at *pp: a quoted string (escapes removed; a missing closing quote
 * ends at the end of the value) or a run of characters up to ';' or a comment (lenient: blanks
 * and tspecials such as '/' or '=' inside unquoted values are kept). */
static char *take_value(const char **pp)
{
    const char *p = *pp;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (tm_buf_append_char(&b, *p))
                goto fail;
        }
        if (*p == '"')
            p++;
    } else {
        const char *s = p;
        while (*p && *p != ';' && *p != '(')
            p++;
        const char *e = p;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (tm_buf_append(&b, s, (size_t)(e - s)))
            goto fail;
    }
    *pp = p;
    return tm_buf_steal(&b);
fail:
    tm_buf_cleanup(&b);
    return NULL;
}

/* Parses "; attr=value" pairs into ct->params (up to MIME_PARAM_MAX; later ones dropped). */
static enum tm_status parse_params(const char *p, struct mime_ctype *ct)
{
    while (*p) {
        char name[80];
        p = skip_cfws(p);
        if (*p == ';') {
            p++;
            continue;
        }
        if (*p && !take_token(&p, name, sizeof(name))) {
            p++; /* junk between parameters */
            continue;
        }
        p = skip_cfws(p);
        if (*p != '=')
            continue;
        p = skip_cfws(p + 1);
        char *value = take_value(&p);
        if (!value)
            return TM_ENOMEM;
        if (ct->nparams == MIME_PARAM_MAX) {
            free(value);
            continue;
        }
        char *dup = strdup(name);
        if (!dup) {
            free(value);
            return TM_ENOMEM;
        }
        ct->params[ct->nparams++] = (struct mime_param){dup, value};
    }
    return TM_OK;
}

enum tm_status mime_ctype_parse(const char *value, const char *deftype, const char *defsub,
                                struct mime_ctype *ct)
{
    memset(ct, 0, sizeof(*ct));
    snprintf(ct->type, sizeof(ct->type), "%s", deftype);
    snprintf(ct->subtype, sizeof(ct->subtype), "%s", defsub);
    if (!value)
        return TM_OK;
    const char *p = skip_cfws(value);
    char type[sizeof(ct->type)], subtype[sizeof(ct->subtype)] = "";
    take_token(&p, type, sizeof(type));
    p = skip_cfws(p);
    if (*p == '/') {
        p = skip_cfws(p + 1);
        take_token(&p, subtype, sizeof(subtype));
    }
    /* A bare "text" (missing subtype) is common enough to honour; other broken types fall back
     * to the default, as RFC 2045 5.2 asks. */
    if (type[0] && (subtype[0] || !defsub[0])) {
        memcpy(ct->type, type, sizeof(type));
        memcpy(ct->subtype, subtype, sizeof(subtype));
    } else if (strcmp(type, "text") == 0) {
        snprintf(ct->type, sizeof(ct->type), "text");
        snprintf(ct->subtype, sizeof(ct->subtype), "plain");
    }
    const char *semi = strchr(p, ';');
    return semi ? parse_params(semi, ct) : TM_OK;
}

void mime_ctype_cleanup(struct mime_ctype *ct)
{
    for (size_t i = 0; i < ct->nparams; i++) {
        free(ct->params[i].name);
        free(ct->params[i].value);
    }
    ct->nparams = 0;
}

const char *mime_ctype_raw(const struct mime_ctype *ct, const char *name)
{
    for (size_t i = 0; i < ct->nparams; i++) {
        if (strcmp(ct->params[i].name, name) == 0)
            return ct->params[i].value;
    }
    return NULL;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends an RFC 2231 extended value's %XX-encoded bytes (bad escapes kept literally). */
static enum tm_status append_pct(struct tm_buf *b, const char *s)
{
    for (; *s; s++) {
        int hi, lo;
        if (*s == '%' && (hi = hexval((unsigned char)s[1])) >= 0 &&
            (lo = hexval((unsigned char)s[2])) >= 0) {
            if (tm_buf_append_char(b, (char)(hi * 16 + lo)))
                return TM_ENOMEM;
            s += 2;
        } else if (tm_buf_append_char(b, *s)) {
            return TM_ENOMEM;
        }
    }
    return TM_OK;
}

/* Splits "charset'language'text" in place: returns text and sets *charset (NULL if absent). */
static const char *split_ext(const char *v, char *charset, size_t cap)
{
    const char *q1 = strchr(v, '\'');
    const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    charset[0] = 0;
    if (!q2)
        return v;
    snprintf(charset, cap, "%.*s", (int)(q1 - v), v);
    return q2 + 1;
}

/* Gathers the RFC 2231 sections name*0, name*1*, ... (up to 100) into raw bytes; *charset
 * receives the first section's charset. */
static enum tm_status gather_sections(const struct mime_ctype *ct, const char *name,
                                      struct tm_buf *raw, char *charset, size_t cap)
{
    char key[100];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "%s*%d", name, i);
        const char *plain = mime_ctype_raw(ct, key);
        snprintf(key, sizeof(key), "%s*%d*", name, i);
        const char *ext = mime_ctype_raw(ct, key);
        if (!plain && !ext)
            break;
        if (plain && tm_buf_append_str(raw, plain))
            return TM_ENOMEM;
        if (!plain && append_pct(raw, i == 0 ? split_ext(ext, charset, cap) : ext))
            return TM_ENOMEM;
    }
    return TM_OK;
}

enum tm_status mime_ctype_param(const struct mime_ctype *ct, const char *name, char **value)
{
    return mime_ctype_param_fb(ct, name, NULL, value);
}

enum tm_status mime_ctype_param_fb(const struct mime_ctype *ct, const char *name,
                                   const char *fallback, char **value)
{
    char key[100], charset[64] = "";
    struct tm_buf raw, out;
    enum tm_status st = TM_OK;
    tm_buf_init(&raw, 0);
    tm_buf_init(&out, 0);
    *value = NULL;
    snprintf(key, sizeof(key), "%s*", name);
    const char *plain = mime_ctype_raw(ct, name), *ext = mime_ctype_raw(ct, key);
    if (ext)
        st = append_pct(&raw, split_ext(ext, charset, sizeof(charset)));
    else if (plain)
        st = tm_buf_append_str(&raw, plain);
    else
        st = gather_sections(ct, name, &raw, charset, sizeof(charset));
    if (st || raw.len == 0)
        goto out;
    /* Values in a charset are converted; plain ones may carry RFC 2047 words (a common
     * violation of RFC 2047 5) or raw 8-bit text, both handled by the header decoder. */
    if (charset[0])
        st = mime_charset_convert(&out, charset, strlen(charset), raw.data, raw.len, fallback);
    else
        st = mime_decode_header(&out, raw.data, raw.len, fallback);
    if (st == TM_OK && !(*value = tm_buf_steal(&out)))
        st = TM_ENOMEM;
out:
    tm_buf_cleanup(&raw);
    tm_buf_cleanup(&out);
    return st;
}
