/* compose_reply.c - what a reply needs from the original: the Re: subject, In-Reply-To and
 * References, and the recipients of a reply, reply-all or list reply. (RFC 5322 3.6.4, RFC 2369) */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose_private.h"
#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

/* The length of one reply prefix at s ("Re:", "RE :", "Re[2]:", "Aw:", "Sv:", "Antw:") with the
 * blanks after it, or 0. */
static size_t reply_prefix(const char *s, const char *const *words)
{
    for (size_t w = 0; words[w]; w++) {
        size_t n = strlen(words[w]);
        const char *p = s + n;
        if (strncasecmp(s, words[w], n) != 0)
            continue;
        if (*p == '[') {
            for (p++; isdigit((unsigned char)*p); p++)
                ;
            if (*p++ != ']')
                continue;
        }
        while (*p == ' ')
            p++;
        if (*p != ':')
            continue;
        for (p++; *p == ' ' || *p == '\t'; p++)
            ;
        return (size_t)(p - s);
    }
    return 0;
}

static char *prefixed(const char *prefix, const char *rest)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    char *r = tm_buf_appendf(&b, "%s%s", prefix, rest) == TM_OK ? tm_buf_steal(&b) : NULL;
    tm_buf_cleanup(&b);
    return r;
}

char *tm_compose_reply_subject(const char *subject)
{
    static const char *const words[] = {"re", "aw", "sv", "antw", NULL};
    const char *s = subject ? subject : "";
    size_t n;
    while (*s == ' ' || *s == '\t')
        s++;
    while ((n = reply_prefix(s, words)) > 0)
        s += n;
    return prefixed("Re: ", s);
}

char *tm_compose_forward_subject(const char *subject)
{
    static const char *const words[] = {"fwd", "fw", NULL};
    const char *s = subject ? subject : "";
    while (*s == ' ' || *s == '\t')
        s++;
    return prefixed(reply_prefix(s, words) ? "" : "Fwd: ", s);
}

/* Appends the space-separated ids of list to out unless already there. */
static enum tm_status add_ids(struct tm_buf *out, const char *list)
{
    enum tm_status st = TM_OK;
    for (const char *p = list ? list : ""; *p && st == TM_OK;) {
        size_t n = strcspn(p, " ");
        if (n > 0)
            st = tm_buf_appendf(out, "%s%.*s", out->len ? " " : "", (int)n, p);
        p += n + strspn(p + n, " ");
    }
    return st;
}

/* Keeps the first id and the last TM_COMPOSE_REFERENCES_MAX - 1 (as mutt does), so that a long
 * thread cannot make the header grow without end. */
static char *trim_references(struct tm_buf *refs)
{
    size_t count = 0;
    for (size_t i = 0; i < refs->len; i++)
        count += refs->data[i] == ' ';
    if (refs->len == 0 || ++count <= TM_COMPOSE_REFERENCES_MAX)
        return refs->len ? tm_buf_steal(refs) : NULL;
    char *first_end = strchr(refs->data, ' ');
    char *tail = refs->data + refs->len;
    for (size_t kept = 0; kept < TM_COMPOSE_REFERENCES_MAX - 1; kept++)
        while (--tail > first_end && *tail != ' ')
            ;
    memmove(first_end, tail, strlen(tail) + 1);
    return tm_buf_steal(refs);
}

enum tm_status tm_compose_reply_headers(const char *orig, size_t len, char **in_reply_to,
                                        char **references, struct tm_error *err)
{
    struct tm_envelope env;
    struct tm_buf refs;
    *in_reply_to = *references = NULL;
    enum tm_status st = tm_mime_envelope_parse(orig, len, &env, err);
    if (st)
        return st;
    tm_buf_init(&refs, 0);
    st = add_ids(&refs, env.references ? env.references : env.in_reply_to);
    if (st == TM_OK && env.message_id)
        st = add_ids(&refs, env.message_id);
    if (st == TM_OK && refs.len && !(*references = trim_references(&refs)))
        st = TM_ENOMEM;
    if (st == TM_OK && env.message_id && !(*in_reply_to = strdup(env.message_id)))
        st = TM_ENOMEM;
    if (st) {
        free(*references);
        *references = NULL;
        tm_error_set(err, st, _("out of memory"));
    }
    tm_buf_cleanup(&refs);
    tm_mime_envelope_cleanup(&env);
    return st;
}

/* Who receives a reply: the two lists being filled and the addresses never to add. */
struct recipients {
    struct tm_compose_addr_list *to, *cc;
    const char *const *mine;
    size_t nmine;
};

static bool list_has(const struct tm_compose_addr_list *l, const char *addr)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcasecmp(l->items[i].addr, addr) == 0)
            return true;
    return false;
}

static bool is_mine(const struct recipients *r, const char *addr)
{
    for (size_t i = 0; i < r->nmine; i++)
        if (r->mine[i] && strcasecmp(r->mine[i], addr) == 0)
            return true;
    return false;
}

/* Moves mailbox a into dst unless it is mine or already a recipient. */
static enum tm_status add_mailbox(struct recipients *r, struct tm_compose_addr_list *dst,
                                  struct mime_addr *a)
{
    if (a->kind != MIME_ADDR_MAILBOX || !a->addr || is_mine(r, a->addr) ||
        list_has(r->to, a->addr) || list_has(r->cc, a->addr))
        return TM_OK;
    if (TM_ARRAY_RESERVE(dst->items, dst->count, dst->cap, 8))
        return TM_ENOMEM;
    dst->items[dst->count].name = a->name;
    dst->items[dst->count++].addr = a->addr;
    a->name = a->addr = NULL;
    return TM_OK;
}

/* Adds the mailboxes of header field name of orig to dst. */
static enum tm_status add_field(struct recipients *r, struct tm_compose_addr_list *dst,
                                const char *orig, size_t len, const char *name)
{
    char *value = tm_mime_header_get(orig, len, name);
    struct mime_addr_list list;
    if (!value)
        return TM_OK;
    enum tm_status st = mime_addr_list_parse(value, &list);
    if (st == TM_OK) {
        for (size_t i = 0; st == TM_OK && i < list.count; i++)
            st = add_mailbox(r, dst, &list.items[i]);
        mime_addr_list_cleanup(&list);
    }
    free(value);
    return st;
}

/* The first mailto: URL of List-Post (RFC 2369 3.4), without any "?query". */
static enum tm_status add_list_post(struct recipients *r, const char *orig, size_t len)
{
    char *value = tm_mime_header_get(orig, len, "List-Post");
    const char *m = value ? strcasestr(value, "<mailto:") : NULL;
    enum tm_status st = TM_ENOENT;
    if (m) {
        struct mime_addr a = {.kind = MIME_ADDR_MAILBOX};
        a.addr = tm_strndup(m + 8, strcspn(m + 8, "?>"));
        st = !a.addr ? TM_ENOMEM : *a.addr ? add_mailbox(r, r->to, &a) : TM_ENOENT;
        free(a.addr);
    }
    free(value);
    return st;
}

static bool from_is_mine(const struct recipients *r, const char *orig, size_t len)
{
    char *value = tm_mime_header_get(orig, len, "From"), *name = NULL, *addr = NULL;
    bool mine =
        value && tm_mime_first_address(value, &name, &addr) == TM_OK && addr && is_mine(r, addr);
    free(value);
    free(name);
    free(addr);
    return mine;
}

enum tm_status tm_compose_reply_recipients(const char *orig, size_t len, const char *const *mine,
                                           size_t nmine, enum tm_reply_mode mode,
                                           struct tm_compose_addr_list *to,
                                           struct tm_compose_addr_list *cc, struct tm_error *err)
{
    struct recipients r = {.to = to, .cc = cc, .mine = mine, .nmine = nmine};
    enum tm_status st;
    memset(to, 0, sizeof(*to));
    memset(cc, 0, sizeof(*cc));
    if (mode == TM_REPLY_LIST) {
        st = add_list_post(&r, orig, len);
        if (st == TM_ENOENT)
            return tm_error_set(err, st, _("the message has no List-Post address to reply to"));
        goto out;
    }
    bool own = from_is_mine(&r, orig, len);
    char *reply_to = own ? NULL : tm_mime_header_get(orig, len, "Reply-To");
    st = add_field(&r, to, orig, len, own ? "To" : reply_to ? "Reply-To" : "From");
    free(reply_to);
    if (st == TM_OK && mode == TM_REPLY_ALL && !own)
        st = add_field(&r, cc, orig, len, "To");
    if (st == TM_OK && mode == TM_REPLY_ALL)
        st = add_field(&r, cc, orig, len, "Cc");
    if (st == TM_OK && to->count == 0) { /* everyone else was in Cc */
        *to = *cc;
        memset(cc, 0, sizeof(*cc));
    }
out:
    if (st) {
        tm_compose_addr_list_cleanup(to);
        tm_compose_addr_list_cleanup(cc);
        tm_error_set(err, st, _("out of memory"));
    }
    return st;
}
