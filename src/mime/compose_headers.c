/* compose_headers.c - writing header fields: RFC 2047 encoded words, address lists, RFC 2231
 * parameters and folding. (RFC 5322 2.2.3 and 3.4, RFC 2047, RFC 2231) */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "compose_private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define EW_OVERHEAD 12 /* "=?UTF-8?Q?" and "?=" */

static const char hex_digits[] = "0123456789ABCDEF";
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_atext(unsigned char c)
{
    return isalnum(c) || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Characters a Q-encoded word may carry as themselves anywhere, phrases included (RFC 2047 5). */
static bool is_q_safe(unsigned char c)
{
    return isalnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static bool word_needs_encoding(const char *w, size_t n, enum compose_words mode)
{
    if (n > COMPOSE_EW_MAX - 2 || (n >= 2 && memmem(w, n, "=?", 2)))
        return true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c < 0x20 || c >= 0x7f || (mode == COMPOSE_WORDS_PHRASE && !is_atext(c)))
            return true;
    }
    return false;
}

static size_t q_cost(unsigned char c)
{
    return c == ' ' || is_q_safe(c) ? 1 : 3;
}

static size_t b_cost(size_t bytes)
{
    return 4 * ((bytes + 2) / 3);
}

static enum tm_status append_q(struct tm_buf *out, const unsigned char *s, size_t n)
{
    enum tm_status st = tm_buf_append_str(out, "=?UTF-8?Q?");
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        unsigned char c = is_wsp((char)s[i]) ? ' ' : s[i];
        if (c == ' ')
            st = tm_buf_append_char(out, '_');
        else if (is_q_safe(c))
            st = tm_buf_append_char(out, (char)c);
        else
            st = tm_buf_appendf(out, "=%c%c", hex_digits[c >> 4], hex_digits[c & 15]);
    }
    return st ? st : tm_buf_append_str(out, "?=");
}

static enum tm_status append_b(struct tm_buf *out, const unsigned char *s, size_t n)
{
    enum tm_status st = tm_buf_append_str(out, "=?UTF-8?B?");
    for (size_t i = 0; i < n && st == TM_OK; i += 3) {
        uint32_t v = (uint32_t)(is_wsp((char)s[i]) ? ' ' : s[i]) << 16;
        if (i + 1 < n)
            v |= (uint32_t)(is_wsp((char)s[i + 1]) ? ' ' : s[i + 1]) << 8;
        if (i + 2 < n)
            v |= is_wsp((char)s[i + 2]) ? ' ' : s[i + 2];
        char q[4] = {b64_alphabet[v >> 18], b64_alphabet[(v >> 12) & 63],
                     i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=',
                     i + 2 < n ? b64_alphabet[v & 63] : '='};
        st = tm_buf_append(out, q, 4);
    }
    return st ? st : tm_buf_append_str(out, "?=");
}

/* Encodes the run s[0..n) as encoded words of at most COMPOSE_EW_MAX characters separated by
 * spaces, never splitting a UTF-8 character between two words. */
static enum tm_status encode_run(struct tm_buf *out, const unsigned char *s, size_t n)
{
    size_t q_total = 0, room = COMPOSE_EW_MAX - EW_OVERHEAD;
    for (size_t i = 0; i < n; i++)
        q_total += q_cost(s[i]);
    bool use_q = q_total <= b_cost(n);
    enum tm_status st = TM_OK;
    size_t start = 0, cost = 0, i = 0;
    while (i < n && st == TM_OK) {
        unsigned cp;
        size_t clen = tm_utf8_decode(s + i, n - i, &cp);
        clen = clen ? clen : 1;
        size_t ccost = 0;
        for (size_t k = 0; k < clen; k++)
            ccost += q_cost(s[i + k]);
        bool fits = use_q ? cost + ccost <= room : b_cost(i + clen - start) <= room;
        if (!fits && i > start) {
            st = use_q ? append_q(out, s + start, i - start) : append_b(out, s + start, i - start);
            if (st == TM_OK)
                st = tm_buf_append_char(out, ' ');
            start = i;
            cost = 0;
        }
        cost += ccost;
        i += clen;
    }
    if (st == TM_OK && i > start)
        st = use_q ? append_q(out, s + start, i - start) : append_b(out, s + start, i - start);
    return st;
}

enum tm_status compose_encode_words(struct tm_buf *out, const char *text, enum compose_words mode)
{
    size_t n = strlen(text), i = 0, end = n;
    while (i < n && is_wsp(text[i]))
        i++;
    while (end > i && is_wsp(text[end - 1]))
        end--;
    enum tm_status st = TM_OK;
    while (i < end && st == TM_OK) {
        size_t w = i; /* a word, then (when it needs encoding) the run of such words */
        while (w < end && !is_wsp(text[w]))
            w++;
        if (word_needs_encoding(text + i, w - i, mode)) {
            size_t run_end = w;
            for (;;) {
                size_t ns = run_end, ne;
                while (ns < end && is_wsp(text[ns]))
                    ns++;
                for (ne = ns; ne < end && !is_wsp(text[ne]); ne++)
                    ;
                if (ns == end || !word_needs_encoding(text + ns, ne - ns, mode))
                    break;
                run_end = ne;
            }
            st = encode_run(out, (const unsigned char *)text + i, run_end - i);
            w = run_end;
        } else {
            st = tm_buf_append(out, text + i, w - i);
        }
        for (i = w; st == TM_OK && i < end && is_wsp(text[i]); i++)
            st = tm_buf_append_char(out, text[i] == '\t' ? '\t' : ' ');
    }
    return st;
}

/* A display name as an atom phrase, a quoted-string, or encoded words. */
static enum tm_status format_phrase(struct tm_buf *out, const char *name)
{
    bool plain = true, ascii = true;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            ascii = false;
        else if (*p != ' ' && !is_atext(*p))
            plain = false;
    }
    if (!ascii || strstr(name, "=?"))
        return compose_encode_words(out, name, COMPOSE_WORDS_PHRASE);
    if (plain)
        return tm_buf_append_str(out, name);
    enum tm_status st = tm_buf_append_char(out, '"');
    for (const char *p = name; *p && st == TM_OK; p++) {
        if (*p == '"' || *p == '\\')
            st = tm_buf_append_char(out, '\\');
        if (st == TM_OK)
            st = tm_buf_append_char(out, *p);
    }
    return st ? st : tm_buf_append_char(out, '"');
}

static bool addr_usable(const char *addr)
{
    size_t n = addr ? strlen(addr) : 0;
    if (n == 0 || n > 320 || !strchr(addr, '@'))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];
        unsigned cp;
        size_t k = c >= 0x80 ? tm_utf8_decode((const unsigned char *)addr + i, n - i, &cp) : 1;
        if (k == 0 || (k > 1 && cp < 0xa0)) /* invalid UTF-8, or a C1 control */
            return false;
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',')
            return false;
        i += k - 1;
    }
    return true; /* with non-ASCII bytes only SMTPUTF8 (RFC 6531/6532) carries it */
}

enum tm_status compose_format_addrs(struct tm_buf *out, const struct tm_compose_addr *a, size_t n,
                                    struct tm_error *err)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        if (!addr_usable(a[i].addr))
            return tm_error_set(err, TM_EPARSE, _("unusable e-mail address: %s"),
                                a[i].addr ? a[i].addr : "");
        if (i > 0)
            st = tm_buf_append_str(out, ", ");
        if (st == TM_OK && a[i].name && *a[i].name) {
            st = format_phrase(out, a[i].name);
            if (st == TM_OK)
                st = tm_buf_appendf(out, " <%s>", a[i].addr);
        } else if (st == TM_OK) {
            st = tm_buf_append_str(out, a[i].addr);
        }
    }
    return st;
}

/* Where to break line[pos..len): the last blank within the width that follows a non-blank
 * after min, else the first such blank past the width; 0 when there is none. */
static size_t fold_point(const char *line, size_t len, size_t pos, size_t min)
{
    size_t best = 0;
    for (size_t i = min + 1; i < len; i++) {
        if ((line[i] != ' ' && line[i] != '\t') || line[i - 1] == ' ' || line[i - 1] == '\t')
            continue;
        if (i - pos > COMPOSE_FOLD_WIDTH && best)
            break;
        best = i;
        if (i - pos > COMPOSE_FOLD_WIDTH)
            break;
    }
    return best;
}

enum tm_status compose_fold(struct tm_buf *out, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    size_t pos = 0, min = colon ? (size_t)(colon - line) + 1 : 0;
    enum tm_status st = TM_OK;
    while (st == TM_OK && len - pos > COMPOSE_FOLD_WIDTH) {
        size_t b = fold_point(line, len, pos, min);
        if (b == 0)
            break;
        st = tm_buf_append(out, line + pos, b - pos);
        if (st == TM_OK)
            st = tm_buf_append_char(out, '\n');
        pos = min = b;
    }
    if (st == TM_OK)
        st = tm_buf_append(out, line + pos, len - pos);
    return st ? st : tm_buf_append_char(out, '\n');
}

static bool is_token(const char *v)
{
    if (!*v)
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr("()<>@,;:\\\"/[]?=", *p))
            return false;
    return true;
}

static bool is_attr_char(unsigned char c)
{
    return isalnum(c) || strchr("!#$&+-.^_`|~", c);
}

/* Encoded characters per RFC 2231 segment, so that " name*NN*=UTF-8''...;" fits in a line. */
static size_t param_room(const char *name)
{
    size_t fixed = 1 + strlen(name) + 5 + 7 + 1;
    return fixed + 20 < COMPOSE_FOLD_WIDTH ? COMPOSE_FOLD_WIDTH - fixed : 20;
}

/* RFC 2231 3 and 4: name*=UTF-8''%XX..., split into name*0*, name*1*... when long. */
static enum tm_status param_2231(struct tm_buf *out, const char *name, const char *value)
{
    struct tm_buf enc;
    size_t room = param_room(name);
    tm_buf_init(&enc, 0);
    enum tm_status st = TM_OK;
    for (const unsigned char *p = (const unsigned char *)value; *p && st == TM_OK; p++)
        st = is_attr_char(*p)
                 ? tm_buf_append_char(&enc, (char)*p)
                 : tm_buf_appendf(&enc, "%%%c%c", hex_digits[*p >> 4], hex_digits[*p & 15]);
    if (st == TM_OK && enc.len <= room) {
        st = tm_buf_appendf(out, "; %s*=UTF-8''%s", name, enc.data ? enc.data : "");
        goto out;
    }
    for (size_t pos = 0, k = 0; st == TM_OK && pos < enc.len; k++) {
        size_t n = enc.len - pos < room ? enc.len - pos : room;
        if (n < enc.len - pos && enc.data[pos + n - 1] == '%')
            n -= 1; /* never split "%XX" */
        else if (n < enc.len - pos && enc.data[pos + n - 2] == '%')
            n -= 2;
        st = tm_buf_appendf(out, "; %s*%zu*=%s%.*s", name, k, k == 0 ? "UTF-8''" : "", (int)n,
                            enc.data + pos);
        pos += n;
    }
out:
    tm_buf_cleanup(&enc);
    return st;
}

enum tm_status compose_param(struct tm_buf *out, const char *name, const char *value)
{
    size_t n = strlen(value);
    bool printable = n <= param_room(name);
    for (size_t i = 0; i < n && printable; i++)
        printable = value[i] >= ' ' && value[i] < 0x7f;
    if (!printable)
        return param_2231(out, name, value);
    if (is_token(value))
        return tm_buf_appendf(out, "; %s=%s", name, value);
    enum tm_status st = tm_buf_appendf(out, "; %s=\"", name);
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        if (value[i] == '"' || value[i] == '\\')
            st = tm_buf_append_char(out, '\\');
        if (st == TM_OK)
            st = tm_buf_append_char(out, value[i]);
    }
    return st ? st : tm_buf_append_char(out, '"');
}
