/* charset.c - conversion of charset-labelled text to UTF-8 through iconv, with the aliases that
 * mislabelled real-world mail needs. (RFC 2046 4.1.2, RFC 2231 5, RFC 3629) */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/str.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define LABEL_MAX   40

bool mime_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        size_t n = tm_utf8_decode(p + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

enum tm_status mime_utf8_sanitize(struct tm_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0; /* run: start of the pending valid stretch */
    enum tm_status st = TM_OK;
    while (i < len && st == TM_OK) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        size_t n = tm_utf8_decode(p + i, len - i, &cp);
        if (n > 0) {
            i += n;
            continue;
        }
        st = tm_buf_append(out, s + run, i - run);
        if (st == TM_OK)
            st = tm_buf_append_str(out, REPLACEMENT);
        run = ++i;
    }
    if (st == TM_OK)
        st = tm_buf_append(out, s + run, len - run);
    return st;
}

/* How a label is converted: kept as UTF-8, guessed (valid UTF-8 kept, else the fallback), or
 * through iconv under a (possibly aliased) name. */
enum charset_kind { CS_UTF8, CS_GUESS, CS_ICONV };

struct charset_alias {
    const char *label;
    enum charset_kind kind;
    const char *iconv_name;
};

/* Labels seen on real mail whose text is really in a superset (the WHATWG encoding standard
 * makes the same choices), and labels that name no charset at all. */
static const struct charset_alias aliases[] = {
    {"utf-8", CS_UTF8, NULL},
    {"utf8", CS_UTF8, NULL},
    {"x-utf8", CS_UTF8, NULL},
    {"unicode-1-1-utf-8", CS_UTF8, NULL},
    {"us-ascii", CS_GUESS, NULL},
    {"ascii", CS_GUESS, NULL},
    {"ansi_x3.4-1968", CS_GUESS, NULL},
    {"iso646-us", CS_GUESS, NULL},
    {"us", CS_GUESS, NULL},
    {"x-unknown", CS_GUESS, NULL},
    {"unknown-8bit", CS_GUESS, NULL},
    {"unknown", CS_GUESS, NULL},
    {"x-user-defined", CS_GUESS, NULL},
    {"default", CS_GUESS, NULL},
    {"8bit", CS_GUESS, NULL},
    {"latin1", CS_ICONV, "WINDOWS-1252"},
    {"latin-1", CS_ICONV, "WINDOWS-1252"},
    {"iso-8859-1", CS_ICONV, "WINDOWS-1252"},
    {"iso8859-1", CS_ICONV, "WINDOWS-1252"},
    {"iso_8859-1", CS_ICONV, "WINDOWS-1252"},
    {"iso-8859-1:1987", CS_ICONV, "WINDOWS-1252"},
    {"iso-ir-100", CS_ICONV, "WINDOWS-1252"},
    {"l1", CS_ICONV, "WINDOWS-1252"},
    {"cp819", CS_ICONV, "WINDOWS-1252"},
    {"ibm819", CS_ICONV, "WINDOWS-1252"},
    {"iso-8859-9", CS_ICONV, "WINDOWS-1254"},
    {"latin5", CS_ICONV, "WINDOWS-1254"},
    {"ks_c_5601-1987", CS_ICONV, "CP949"},
    {"ks_c_5601-1989", CS_ICONV, "CP949"},
    {"ks_c_5601", CS_ICONV, "CP949"},
    {"ksc5601", CS_ICONV, "CP949"},
    {"ksc_5601", CS_ICONV, "CP949"},
    {"euc-kr", CS_ICONV, "CP949"},
    {"gb2312", CS_ICONV, "GB18030"},
    {"gb_2312-80", CS_ICONV, "GB18030"},
    {"csgb2312", CS_ICONV, "GB18030"},
    {"gbk", CS_ICONV, "GB18030"},
    {"x-gbk", CS_ICONV, "GB18030"},
    {"cp936", CS_ICONV, "GB18030"},
    {"euc-cn", CS_ICONV, "GB18030"},
    {"x-euc-cn", CS_ICONV, "GB18030"},
    {"cn-gb", CS_ICONV, "GB18030"},
    {"shift_jis", CS_ICONV, "CP932"},
    {"shift-jis", CS_ICONV, "CP932"},
    {"sjis", CS_ICONV, "CP932"},
    {"x-sjis", CS_ICONV, "CP932"},
    {"ms_kanji", CS_ICONV, "CP932"},
    {"windows-31j", CS_ICONV, "CP932"},
    {"big5", CS_ICONV, "BIG5-HKSCS"},
    {"x-x-big5", CS_ICONV, "BIG5-HKSCS"},
    {"cn-big5", CS_ICONV, "BIG5-HKSCS"},
    {"tis-620", CS_ICONV, "CP874"},
    {"iso-8859-11", CS_ICONV, "CP874"},
    {"windows-874", CS_ICONV, "CP874"},
    {"iso-8859-8-i", CS_ICONV, "ISO-8859-8"},
    {"x-mac-roman", CS_ICONV, "MACINTOSH"},
};

/* Normalises a MIME charset label into name (quotes, blanks, an RFC 2231 "*language" suffix
 * and anything after a blank removed) and resolves its aliases. Names with characters no
 * charset name has are not handed to iconv_open: they are guessed. */
static enum charset_kind resolve(const char *label, size_t len, char *name, size_t cap)
{
    size_t b = 0, n = 0;
    while (b < len && (isspace((unsigned char)label[b]) || label[b] == '"' || label[b] == '\''))
        b++;
    while (b + n < len && label[b + n] != '*' && label[b + n] != '"' &&
           !isspace((unsigned char)label[b + n]))
        n++;
    if (n == 0 || n >= cap || n > LABEL_MAX)
        return CS_GUESS;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)label[b + i];
        if (!isalnum(c) && !strchr("._:+-", c))
            return CS_GUESS;
        name[i] = (char)c;
    }
    name[n] = 0;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcasecmp(name, aliases[i].label) != 0)
            continue;
        if (aliases[i].iconv_name)
            snprintf(name, cap, "%s", aliases[i].iconv_name);
        return aliases[i].kind;
    }
    return CS_ICONV;
}

/* Last resort when iconv cannot even open the fallback: ISO-8859-1 maps bytes to code points. */
static enum tm_status latin1_convert(struct tm_buf *out, const char *in, size_t len)
{
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < len && st == TM_OK; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            st = tm_buf_append_char(out, (char)c);
        } else {
            char u[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
            st = tm_buf_append(out, u, 2);
        }
    }
    return st;
}

/* Runs in[0..len) through cd in bounded chunks. An invalid or truncated input sequence costs
 * one U+FFFD and one byte, and conversion goes on. */
static enum tm_status iconv_run(struct tm_buf *out, iconv_t cd, const char *in, size_t len)
{
    char chunk[4096];
    char *ip = (char *)in;
    size_t ileft = len;
    enum tm_status st = TM_OK;
    while (st == TM_OK) {
        char *op = chunk;
        size_t oleft = sizeof(chunk);
        size_t r = ileft ? iconv(cd, &ip, &ileft, &op, &oleft) : iconv(cd, NULL, NULL, &op, &oleft);
        int e = errno;
        st = mime_utf8_sanitize(out, chunk, (size_t)(op - chunk));
        if (st || (r != (size_t)-1 && ileft == 0 && op == chunk))
            break;
        if (r != (size_t)-1 || (e == E2BIG && op != chunk))
            continue;
        if (ileft == 0)
            break; /* cannot flush the shift state: nothing more to write */
        st = tm_buf_append_str(out, REPLACEMENT);
        ip++;
        ileft--;
    }
    return st;
}

/* Converts with iconv from name; false when iconv does not know it. */
static bool convert_named(struct tm_buf *out, const char *name, const char *in, size_t len,
                          enum tm_status *st)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    *st = iconv_run(out, cd, in, len);
    iconv_close(cd);
    return true;
}

static enum tm_status convert_fallback(struct tm_buf *out, const char *fallback, const char *in,
                                       size_t len)
{
    char name[LABEL_MAX + 8];
    enum tm_status st = TM_OK;
    if (!fallback)
        fallback = MIME_FALLBACK_CHARSET;
    enum charset_kind kind = resolve(fallback, strlen(fallback), name, sizeof(name));
    if (kind == CS_UTF8) /* a UTF-8 fallback: invalid bytes become U+FFFD */
        return mime_utf8_sanitize(out, in, len);
    if (kind == CS_ICONV && convert_named(out, name, in, len, &st))
        return st;
    if (convert_named(out, MIME_FALLBACK_CHARSET, in, len, &st))
        return st;
    return latin1_convert(out, in, len);
}

enum tm_status mime_charset_convert(struct tm_buf *out, const char *charset, size_t charset_len,
                                    const char *in, size_t len, const char *fallback)
{
    char name[LABEL_MAX + 8];
    enum tm_status st = TM_OK;
    enum charset_kind kind = charset ? resolve(charset, charset_len, name, sizeof(name)) : CS_GUESS;
    if (kind == CS_UTF8)
        return mime_utf8_sanitize(out, in, len);
    if (kind == CS_ICONV && convert_named(out, name, in, len, &st))
        return st;
    /* Unlabelled, unknown or "us-ascii" text that is valid UTF-8 is almost always UTF-8. */
    if (mime_utf8_valid(in, len))
        return tm_buf_append(out, in, len);
    return convert_fallback(out, fallback, in, len);
}
