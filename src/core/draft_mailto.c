/* draft_mailto.c - a draft from a mailto: URL: recipients, subject, body and In-Reply-To; other
 * header fields are ignored, as RFC 6068 advises for anything unsafe. (RFC 6068, RFC 3986 2.1) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft_private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into *out (malloc'd): TM_EPARSE for a broken escape, a NUL or text
 * that is not UTF-8. In header values (!multiline) line breaks and other controls become
 * spaces; in the body CRLF and lone CR become LF. */
static enum tm_status decode(const char *s, size_t n, bool multiline, char **out)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = TM_OK;
    *out = NULL;
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                st = TM_EPARSE;
            c = hi * 16 + lo;
            i += 2;
        }
        if (st == TM_OK && c == 0)
            st = TM_EPARSE;
        if (st == TM_OK && c == '\r' && multiline)
            continue; /* a CR before LF goes; a lone one is made LF below */
        if (st == TM_OK && c < 0x20 && c != '\t' && !(multiline && c == '\n'))
            c = ' ';
        if (st == TM_OK)
            st = tm_buf_append_char(&b, (char)c);
    }
    for (size_t i = 0; st == TM_OK && i < b.len;) {
        unsigned cp;
        size_t k = tm_utf8_decode((const unsigned char *)b.data + i, b.len - i, &cp);
        if (k == 0)
            st = TM_EPARSE;
        i += k;
    }
    if (st == TM_OK && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    return st;
}

/* In-Reply-To: the first <msg-id> (or bare id) without its brackets. */
static enum tm_status set_in_reply_to(struct tm_draft *d, const char *value)
{
    const char *p = value + strspn(value, " \t<");
    size_t n = strcspn(p, " \t>");
    char *id = tm_strndup(p, n);
    enum tm_status st = id ? draft_set_opt(&d->in_reply_to, id) : TM_ENOMEM;
    if (st == TM_OK && !d->references)
        st = draft_set_opt(&d->references, id);
    free(id);
    return st;
}

/* The body goes before what the draft already has (the signature of a new message). */
static enum tm_status set_body(struct tm_draft *d, const char *text)
{
    struct tm_buf b;
    size_t n = strlen(text);
    tm_buf_init(&b, d->body.limit);
    enum tm_status st = tm_buf_append(&b, text, n);
    if (st == TM_OK && n > 0 && text[n - 1] != '\n' && d->body.len > 0)
        st = tm_buf_append_char(&b, '\n');
    if (st == TM_OK)
        st = tm_buf_append(&b, d->body.data ? d->body.data : "", d->body.len);
    if (st == TM_OK) {
        tm_buf_cleanup(&d->body);
        d->body = b;
        return TM_OK;
    }
    tm_buf_cleanup(&b);
    return st;
}

/* One "name=value" field s[0..n). */
static enum tm_status apply_field(struct tm_draft *d, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    char *name = NULL, *value = NULL;
    if (!eq)
        return TM_EPARSE;
    enum tm_status st = decode(s, (size_t)(eq - s), false, &name);
    if (st == TM_OK)
        st = decode(eq + 1, n - (size_t)(eq + 1 - s), strcasecmp(name, "body") == 0, &value);
    if (st)
        goto out;
    if (strcasecmp(name, "to") == 0)
        st = draft_list_add(&d->to, value);
    else if (strcasecmp(name, "cc") == 0)
        st = draft_list_add(&d->cc, value);
    else if (strcasecmp(name, "bcc") == 0)
        st = draft_list_add(&d->bcc, value);
    else if (strcasecmp(name, "subject") == 0)
        st = draft_set(&d->subject, value);
    else if (strcasecmp(name, "body") == 0)
        st = set_body(d, value);
    else if (strcasecmp(name, "in-reply-to") == 0)
        st = set_in_reply_to(d, value);
out:
    free(name);
    free(value);
    return st;
}

enum tm_status tm_draft_apply_mailto(struct tm_draft *d, const char *url, struct tm_error *err)
{
    tm_error_clear(err);
    if (!url || !tm_str_has_prefix_ci(url, "mailto:"))
        return tm_error_set(err, TM_EPARSE, _("not a mailto: URL: %.200s"), url ? url : "");
    const char *p = url + 7;
    size_t end = strcspn(p, "#"); /* a fragment means nothing to mail */
    size_t to_len = strcspn(p, "?#");
    char *to = NULL;
    enum tm_status st = decode(p, to_len, false, &to);
    if (st == TM_OK)
        st = draft_list_add(&d->to, to);
    free(to);
    for (size_t pos = to_len + 1; st == TM_OK && pos < end;) {
        size_t n = strcspn(p + pos, "&#");
        if (pos + n > end)
            n = end - pos;
        if (n > 0)
            st = apply_field(d, p + pos, n);
        pos += n + 1;
    }
    if (st == TM_EPARSE)
        return tm_error_set(err, st, _("malformed mailto: URL: %.200s"), url);
    return st ? tm_error_set(err, st, _("out of memory")) : TM_OK;
}
