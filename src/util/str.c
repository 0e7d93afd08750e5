/* str.c - checked number parsing, small string helpers, and terminal-safe rendering of untrusted
 * text (control characters and escape sequences made visible, never passed through). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "tmail/str.h"

bool tm_str_to_i64(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s))
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

char *tm_strndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

bool tm_str_has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

size_t tm_utf8_decode(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

enum tm_status tm_str_visible(struct tm_buf *out, const char *s, size_t len, bool keep_newlines)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    enum tm_status st = TM_OK;
    while (i < len && st == TM_OK) {
        unsigned cp;
        size_t n = tm_utf8_decode(p + i, len - i, &cp);
        if (n == 0) {
            st = tm_buf_append_str(out, "\xEF\xBF\xBD"); /* U+FFFD */
            i++;
            continue;
        }
        if (cp == '\n' || cp == '\t') {
            st = tm_buf_append_char(out, keep_newlines ? (char)cp : ' ');
        } else if (cp == '\r' && i + 1 < len && p[i + 1] == '\n') {
            /* CRLF line ends: the CR is not content (the LF that follows is kept or spaced). */
        } else if (cp < 0x20) {
            char vis[3] = {'^', (char)('@' + cp), 0};
            st = tm_buf_append_str(out, vis);
        } else if (cp == 0x7F) {
            st = tm_buf_append_str(out, "^?");
        } else if (cp >= 0x80 && cp < 0xA0) {
            st = tm_buf_appendf(out, "<U+%04X>", cp);
        } else {
            st = tm_buf_append(out, p + i, n);
        }
        i += n;
    }
    return st;
}

static int cp_width(unsigned cp)
{
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

size_t tm_str_width(const char *s)
{
    size_t cols = 0;
    tm_str_fit(s, (size_t)-1, &cols);
    return cols;
}

size_t tm_str_fit(const char *s, size_t max_cols, size_t *cols_out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0, cols = 0;
    while (i < len) {
        unsigned cp;
        size_t n = tm_utf8_decode(p + i, len - i, &cp);
        int w = 1;
        if (n == 0)
            n = 1;
        else
            w = cp_width(cp);
        if (cols + (size_t)w > max_cols)
            break;
        cols += (size_t)w;
        i += n;
    }
    if (cols_out)
        *cols_out = cols;
    return i;
}
