/* smtp_reply.c - SMTP replies (RFC 5321 4.2): one line at a time into a reply record, checked
 * and made safe to show, and the reply formatted for a person. No I/O. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define EXCERPT_MAX 80 /* bytes of a bad line quoted in an error */

void tm_smtp_reply_init(struct tm_smtp_reply *r)
{
    memset(r, 0, sizeof(*r));
    tm_buf_init(&r->text, SMTP_REPLY_TEXT_MAX);
}

void tm_smtp_reply_cleanup(struct tm_smtp_reply *r)
{
    tm_buf_cleanup(&r->text);
    r->code = 0;
    r->lines = 0;
    r->complete = false;
}

void smtp_reply_reset(struct tm_smtp_reply *r)
{
    tm_buf_reset(&r->text);
    r->code = 0;
    r->lines = 0;
    r->complete = false;
}

/* Appends s[0..len) with every control character (C0, DEL, C1) and every byte that is not part
 * of valid UTF-8 replaced by '?', so the text can go to a terminal or a log as it is. */
static enum tm_status append_clean(struct tm_buf *out, const char *s, size_t len)
{
    enum tm_status st = tm_buf_reserve(out, len);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; st == TM_OK && i < len;) {
        unsigned cp = 0;
        size_t n = p[i] < 0x80 ? 1 : tm_utf8_decode(p + i, len - i, &cp);
        if (n == 1 && p[i] >= 0x20 && p[i] != 0x7f)
            st = tm_buf_append_char(out, (char)p[i]);
        else if (n > 1 && cp >= 0xa0)
            st = tm_buf_append(out, p + i, n);
        else
            st = tm_buf_append_char(out, '?');
        i += n ? n : 1;
    }
    return st;
}

/* A malformed line: TM_EPROTO naming why, with a safe excerpt (also in err->server_reply). */
static enum tm_status malformed(struct tm_error *err, const char *line, size_t len, const char *why)
{
    struct tm_buf excerpt;
    tm_buf_init(&excerpt, 0);
    append_clean(&excerpt, line, len > EXCERPT_MAX ? EXCERPT_MAX : len);
    const char *text = excerpt.data ? excerpt.data : "";
    const char *more = len > EXCERPT_MAX ? "..." : "";
    tm_error_set(err, TM_EPROTO, _("malformed reply from the SMTP server: \"%s%s\" (%s)"), text,
                 more, why);
    if (err)
        snprintf(err->server_reply, sizeof(err->server_reply), "%s%s", text, more);
    tm_buf_cleanup(&excerpt);
    return TM_EPROTO;
}

/* The reply code at the start of line, or 0 when there is none in 200..599. */
static int line_code(const char *line, size_t len)
{
    if (len < 3)
        return 0;
    int code = 0;
    for (int i = 0; i < 3; i++) {
        if (line[i] < '0' || line[i] > '9')
            return 0;
        code = code * 10 + (line[i] - '0');
    }
    return code >= 200 && code <= 599 ? code : 0;
}

enum tm_status tm_smtp_reply_add_line(struct tm_smtp_reply *r, const char *line, size_t len,
                                      struct tm_error *err)
{
    char why[100];
    if (r->complete)
        return malformed(err, line, len, _("a line after the last one"));
    if (len > TM_SMTP_LINE_MAX) {
        snprintf(why, sizeof(why), _("a line longer than %d bytes"), TM_SMTP_LINE_MAX);
        return malformed(err, line, len, why);
    }
    if (r->lines >= TM_SMTP_LINES_MAX) {
        snprintf(why, sizeof(why), _("more than %d lines"), TM_SMTP_LINES_MAX);
        return malformed(err, line, len, why);
    }
    int code = line_code(line, len);
    if (!code)
        return malformed(err, line, len, _("no reply code from 200 to 599"));
    if (len > 3 && line[3] != ' ' && line[3] != '-')
        return malformed(err, line, len, _("no space or hyphen after the code"));
    if (r->lines > 0 && code != r->code) {
        snprintf(why, sizeof(why), _("code %d in a reply of code %d"), code, r->code);
        return malformed(err, line, len, why);
    }
    size_t before = r->text.len;
    enum tm_status st = r->lines > 0 ? tm_buf_append_char(&r->text, '\n') : TM_OK;
    if (st == TM_OK && len > 4)
        st = append_clean(&r->text, line + 4, len - 4);
    if (st) {
        r->text.len = before;
        if (r->text.data)
            r->text.data[before] = 0;
        return tm_error_set(err, st, _("out of memory"));
    }
    r->code = code;
    r->lines++;
    r->complete = len == 3 || line[3] == ' ';
    return TM_OK;
}

/* Cuts out[0..len) back to the last whole UTF-8 character. */
static size_t utf8_boundary(const char *out, size_t len)
{
    size_t start = len;
    while (start > 0 && ((unsigned char)out[start - 1] & 0xc0) == 0x80)
        start--;
    if (start == 0)
        return len;
    unsigned cp;
    size_t lead = start - 1;
    size_t n = tm_utf8_decode((const unsigned char *)out + lead, len - lead, &cp);
    return n == len - lead ? len : lead;
}

void tm_smtp_reply_format(const struct tm_smtp_reply *r, char *out, size_t size)
{
    if (size == 0)
        return;
    size_t used = 0;
    bool cut = false;
    int n = snprintf(out, size, "%03d", r->code);
    used = n > 0 ? (size_t)n : 0;
    const char *p = r->text.data ? r->text.data : "";
    for (int i = 0; i < r->lines && !cut; i++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *sep = i > 0 ? " / " : len > 0 ? " " : "";
        if (used < size)
            n = snprintf(out + used, size - used, "%s%.*s", sep, (int)len, p);
        used += n > 0 ? (size_t)n : 0;
        cut = used >= size;
        p = nl ? nl + 1 : p + len;
    }
    if (used >= size) {
        size_t keep = utf8_boundary(out, size - 1);
        out[keep] = 0;
    }
}
