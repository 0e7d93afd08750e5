/* draft_addr.c - address lists of a draft: splitting what a person typed (or a header value)
 * into mailboxes read by the MIME address parser, checking addr-specs, and writing mailboxes
 * back in the typed form. (RFC 5322 3.4) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "draft_private.h"
#include "tmail/array.h"
#include "tmail/mime.h"
#include "tmail/str.h"

void draft_mailboxes_cleanup(struct draft_mailboxes *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->items[i].text);
        free(m->items[i].name);
        free(m->items[i].addr);
    }
    free(m->items);
    memset(m, 0, sizeof(*m));
}

/* Reads one entry s[0..n) (blanks around it included) and adds it unless it is empty. */
static enum tm_status add_entry(struct draft_mailboxes *m, const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return TM_OK;
    if (TM_ARRAY_RESERVE(m->items, m->count, m->cap, 4))
        return TM_ENOMEM;
    struct draft_mailbox *e = &m->items[m->count];
    memset(e, 0, sizeof(*e));
    if (!(e->text = tm_strndup(s, n)))
        return TM_ENOMEM;
    m->count++;
    return tm_mime_first_address(e->text, &e->name, &e->addr);
}

/* Where the entry starting at p ends: the first ',' or ';' outside a quoted string, a comment
 * or angle brackets, or the end. *group is set to just after a group's "name:" if there is
 * one (a ':' at the top level before any '@' or '<'). */
static const char *entry_end(const char *p, const char **group)
{
    int comment = 0;
    bool quoted = false, angle = false, seen_at = false;
    *group = NULL;
    for (; *p; p++) {
        if ((quoted || comment) && *p == '\\' && p[1])
            p++;
        else if (quoted)
            quoted = *p != '"';
        else if (comment)
            comment += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        else if (*p == '"')
            quoted = true;
        else if (*p == '(')
            comment = 1;
        else if (*p == '<')
            angle = true;
        else if (*p == '>')
            angle = false;
        else if (!angle && (*p == ',' || *p == ';'))
            break;
        else if (!angle && *p == ':' && !seen_at && !*group)
            *group = p + 1;
        seen_at = seen_at || *p == '@' || *p == '<';
    }
    return p;
}

enum tm_status draft_mailboxes_parse(const char *list, struct draft_mailboxes *out)
{
    enum tm_status st = TM_OK;
    memset(out, 0, sizeof(*out));
    for (const char *p = list ? list : ""; *p && st == TM_OK;) {
        const char *group;
        const char *end = entry_end(p, &group);
        const char *start = group ? group : p;
        st = add_entry(out, start, (size_t)(end - start));
        p = *end ? end + 1 : end;
    }
    if (st)
        draft_mailboxes_cleanup(out);
    return st;
}

static bool domain_usable(const char *d)
{
    if (!*d || *d == '.' || d[strlen(d) - 1] == '.' || strstr(d, ".."))
        return false;
    if (*d == '[')
        return d[strlen(d) - 1] == ']';
    for (; *d; d++) /* bytes above 0x7f: a U-label (RFC 6531), checked as UTF-8 by the caller */
        if (!isalnum((unsigned char)*d) && *d != '-' && *d != '.' && (unsigned char)*d < 0x80)
            return false;
    return true;
}

/* Whether s is valid UTF-8 without C1 controls. */
static bool utf8_usable(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t k = tm_utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (k == 0 || (cp >= 0x80 && cp < 0xa0))
            return false;
        i += k;
    }
    return true;
}

bool draft_addr_usable(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (!at || at == addr || strlen(addr) > 320 || !utf8_usable(addr))
        return false;
    bool quoted = false;
    for (const char *p = addr; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || (!quoted && strchr("<>,;:()[]\\@", c)))
            return false;
        quoted = c == '"' ? !quoted : quoted;
    }
    return !quoted && domain_usable(at + 1);
}

/* A display name the splitter and the parser read back unchanged only inside quotes. */
static bool name_needs_quotes(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || isspace((unsigned char)name[0]) || isspace((unsigned char)name[n - 1]))
        return true;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < ' ' || *p == 0x7f || strchr("()<>[]:;@\\,.\"", *p))
            return true;
    return false;
}

enum tm_status draft_format_mailbox(struct tm_buf *out, const char *name, const char *addr)
{
    enum tm_status st = TM_OK;
    if (!name || !*name)
        return tm_buf_append_str(out, addr ? addr : "");
    if (!name_needs_quotes(name)) {
        st = tm_buf_append_str(out, name);
    } else {
        st = tm_buf_append_char(out, '"');
        for (const char *p = name; *p && st == TM_OK; p++) {
            char c = *p == '\n' || *p == '\r' ? ' ' : *p;
            if (c == '"' || c == '\\')
                st = tm_buf_append_char(out, '\\');
            if (st == TM_OK)
                st = tm_buf_append_char(out, c);
        }
        if (st == TM_OK)
            st = tm_buf_append_char(out, '"');
    }
    return st ? st : addr ? tm_buf_appendf(out, " <%s>", addr) : TM_OK;
}

enum tm_status draft_header_addresses(const char *msg, size_t len, const char *name, char **out)
{
    char *value = tm_mime_header_get(msg, len, name);
    struct draft_mailboxes m;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = draft_mailboxes_parse(value, &m);
    for (size_t i = 0; st == TM_OK && i < m.count; i++) {
        if (!m.items[i].addr)
            continue;
        if (b.len > 0)
            st = tm_buf_append_str(&b, ", ");
        if (st == TM_OK)
            st = draft_format_mailbox(&b, m.items[i].name, m.items[i].addr);
    }
    *out = st == TM_OK ? tm_buf_steal(&b) : NULL; /* "" for an empty list */
    if (st == TM_OK && !*out)
        st = TM_ENOMEM;
    draft_mailboxes_cleanup(&m);
    tm_buf_cleanup(&b);
    free(value);
    return st;
}
