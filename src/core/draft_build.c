/* draft_build.c - a draft made into a message: aliases expanded, addresses read and checked,
 * recipients each once, the Message-ID made once, and the message built by mime/compose with
 * 8-bit text (the send path encodes down for servers without 8BITMIME). (RFC 5322 3.6, RFC 6152) */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "draft_private.h"
#include "tmail/alias.h"
#include "tmail/compose.h"
#include "tmail/i18n.h"

/* One address field of the draft read for the build. */
struct field {
    const char *name; /* for errors: "To" */
    struct draft_mailboxes boxes;
    struct tm_compose_addr *addrs; /* borrowed from boxes; duplicates left out */
    size_t n;
};

enum { B_FROM, B_TO, B_CC, B_BCC, B_REPLY_TO, B_COUNT };

struct build {
    struct tm_draft *d;
    const struct tm_draft_build_opts *opts;
    struct field f[B_COUNT];
    struct tm_compose_opts copts;
};

static void build_cleanup(struct build *b)
{
    for (int i = 0; i < B_COUNT; i++) {
        draft_mailboxes_cleanup(&b->f[i].boxes);
        free(b->f[i].addrs);
    }
}

/* value with aliases expanded, malloc'd. */
static enum tm_status expand(const struct build *b, const char *value, bool aliases, char **out,
                             struct tm_error *err)
{
    if (aliases && b->opts && b->opts->aliases)
        return tm_alias_expand_list(b->opts->aliases, value, out, err);
    *out = strdup(value ? value : "");
    return *out ? TM_OK : tm_error_set(err, TM_ENOMEM, _("out of memory"));
}

/* Reads field i from value: every entry must hold a usable address. */
static enum tm_status read_field(struct build *b, int i, const char *name, const char *value,
                                 struct tm_error *err)
{
    struct field *f = &b->f[i];
    char *expanded = NULL;
    f->name = name;
    enum tm_status st = expand(b, value, i == B_TO || i == B_CC || i == B_BCC, &expanded, err);
    if (st)
        return st;
    st = draft_mailboxes_parse(expanded, &f->boxes);
    free(expanded);
    if (st == TM_OK && f->boxes.count && !(f->addrs = calloc(f->boxes.count, sizeof(*f->addrs))))
        st = TM_ENOMEM;
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    for (size_t k = 0; k < f->boxes.count; k++) {
        const struct draft_mailbox *m = &f->boxes.items[k];
        if (!draft_addr_usable(m->addr))
            return tm_error_set(err, TM_EPARSE, _("%s: cannot read %s"), name, m->text);
    }
    return TM_OK;
}

static bool seen(const struct build *b, int upto, const char *addr)
{
    for (int i = B_TO; i <= upto; i++)
        for (size_t k = 0; k < b->f[i].n; k++)
            if (strcasecmp(b->f[i].addrs[k].addr, addr) == 0)
                return true;
    return false;
}

/* To, Cc, Bcc: each address once, in the first field that names it. */
static void dedupe(struct build *b)
{
    for (int i = B_FROM; i < B_COUNT; i++) {
        struct field *f = &b->f[i];
        for (size_t k = 0; k < f->boxes.count; k++) {
            const struct draft_mailbox *m = &f->boxes.items[k];
            if (i >= B_TO && i <= B_BCC && seen(b, i, m->addr))
                continue;
            f->addrs[f->n].name = m->name;
            f->addrs[f->n++].addr = m->addr;
        }
    }
}

static enum tm_status read_fields(struct build *b, struct tm_error *err)
{
    static const char *const names[B_COUNT] = {"From", "To", "Cc", "Bcc", "Reply-To"};
    const char *values[B_COUNT] = {b->d->from, b->d->to, b->d->cc, b->d->bcc, b->d->reply_to};
    enum tm_status st = TM_OK;
    for (int i = 0; i < B_COUNT && st == TM_OK; i++)
        st = read_field(b, i, names[i], values[i], err);
    if (st)
        return st;
    if (b->f[B_FROM].boxes.count == 0)
        return tm_error_set(err, TM_EPARSE, _("From: the message has no sender"));
    if (b->f[B_FROM].boxes.count > 1)
        return tm_error_set(err, TM_EPARSE, _("From: only one address, not %s"), b->d->from);
    dedupe(b);
    if (!b->opts->postponed && b->f[B_TO].n + b->f[B_CC].n + b->f[B_BCC].n == 0)
        return tm_error_set(err, TM_EPARSE, _("no recipients"));
    return TM_OK;
}

/* The "Bcc:" field of a postponed draft, so that recalling it keeps the Bcc. Compose never
 * writes Bcc, so the field is taken from the To: compose writes for a message to the Bcc
 * addresses (the same encoding and folding) and put before MIME-Version. */
static enum tm_status insert_bcc(struct build *b, struct tm_buf *msg, struct tm_error *err)
{
    const struct field *bcc = &b->f[B_BCC];
    struct tm_compose_msg m = {.from = b->f[B_FROM].addrs[0],
                               .to = bcc->addrs,
                               .nto = bcc->n,
                               .message_id = b->d->message_id,
                               .body = ""};
    struct tm_buf tmp, joined;
    tm_buf_init(&tmp, 0);
    tm_buf_init(&joined, msg->limit);
    enum tm_status st = tm_compose_build(&m, &b->copts, &tmp, err);
    const char *to = st ? NULL : strstr(tmp.data, "\nTo: ");
    const char *mime = st ? NULL : strstr(msg->data, "\nMIME-Version: ");
    if (st == TM_OK && (!to || !mime))
        st = tm_error_set(err, TM_EPARSE, _("cannot write the Bcc field"));
    if (st == TM_OK) {
        const char *end = to + 1;
        do
            end = strchr(end, '\n') + 1;
        while (*end == ' ' || *end == '\t');
        size_t head = (size_t)(mime + 1 - msg->data);
        st = tm_buf_append(&joined, msg->data, head);
        if (st == TM_OK)
            st = tm_buf_appendf(&joined, "Bcc:%.*s", (int)(end - (to + 4)), to + 4);
        if (st == TM_OK)
            st = tm_buf_append(&joined, msg->data + head, msg->len - head);
        if (st)
            tm_error_set(err, st, _("out of memory building the message"));
    }
    if (st == TM_OK) {
        struct tm_buf old = *msg;
        *msg = joined;
        joined = old;
    }
    tm_buf_cleanup(&tmp);
    tm_buf_cleanup(&joined);
    return st;
}

static enum tm_status compose(struct build *b, struct tm_buf *out, struct tm_error *err)
{
    struct tm_draft *d = b->d;
    struct tm_compose_attachment *atts = NULL;
    if (d->nattachments && !(atts = calloc(d->nattachments, sizeof(*atts))))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < d->nattachments; i++) {
        const struct tm_draft_attachment *a = &d->attachments[i];
        atts[i] = (struct tm_compose_attachment){a->filename, a->content_type,
                                                 a->data.data ? a->data.data : "", a->data.len};
    }
    struct tm_compose_msg m = {.from = b->f[B_FROM].addrs[0],
                               .to = b->f[B_TO].addrs,
                               .nto = b->f[B_TO].n,
                               .cc = b->f[B_CC].addrs,
                               .ncc = b->f[B_CC].n,
                               .reply_to = b->f[B_REPLY_TO].addrs,
                               .nreply_to = b->f[B_REPLY_TO].n,
                               .subject = *d->subject ? d->subject : NULL,
                               .message_id = d->message_id,
                               .in_reply_to = d->in_reply_to,
                               .references = d->references,
                               .body = d->body.data ? d->body.data : "",
                               .body_len = d->body.len,
                               .attachments = atts,
                               .nattachments = d->nattachments};
    enum tm_status st = tm_compose_build(&m, &b->copts, out, err);
    if (st == TM_OK && b->opts->postponed && b->f[B_BCC].n > 0)
        st = insert_bcc(b, out, err);
    free(atts);
    return st;
}

/* Recipients, the From addr-spec and the listing fields of out. */
static enum tm_status fill_output(const struct build *b, struct tm_draft_output *out)
{
    size_t n = b->f[B_TO].n + b->f[B_CC].n + b->f[B_BCC].n;
    struct tm_buf shown;
    tm_buf_init(&shown, 0);
    enum tm_status st = TM_OK;
    if (!(out->env_from = strdup(b->f[B_FROM].addrs[0].addr)) ||
        !(out->subject = strdup(b->d->subject)) ||
        (n && !(out->rcpts = calloc(n, sizeof(*out->rcpts)))))
        st = TM_ENOMEM;
    for (int i = B_TO; i <= B_BCC && st == TM_OK; i++) {
        for (size_t k = 0; k < b->f[i].n && st == TM_OK; k++) {
            const struct tm_compose_addr *a = &b->f[i].addrs[k];
            if (!(out->rcpts[out->nrcpts] = strdup(a->addr)))
                st = TM_ENOMEM;
            else
                out->nrcpts++;
            if (st == TM_OK && i != B_BCC && shown.len)
                st = tm_buf_append_str(&shown, ", ");
            if (st == TM_OK && i != B_BCC)
                st = a->name && *a->name ? tm_buf_appendf(&shown, "%s <%s>", a->name, a->addr)
                                         : tm_buf_append_str(&shown, a->addr);
        }
    }
    if (st == TM_OK && !(out->to_display = tm_buf_steal(&shown)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&shown);
    return st;
}

enum tm_status tm_draft_build(struct tm_draft *d, const struct tm_draft_build_opts *opts,
                              struct tm_draft_output *out, struct tm_error *err)
{
    static const struct tm_draft_build_opts defaults = {0};
    struct build b = {.d = d, .opts = opts ? opts : &defaults};
    struct tm local;
    tm_error_clear(err);
    time_t now = b.opts->now ? b.opts->now : time(NULL);
    b.copts = (struct tm_compose_opts){.server_8bitmime = true,
                                       .crlf = false,
                                       .now = now,
                                       .random = tm_compose_random_system,
                                       .hostname = b.opts->hostname};
    if (localtime_r(&now, &local))
        b.copts.utc_offset = (int)local.tm_gmtoff;
    enum tm_status st = read_fields(&b, err);
    if (st == TM_OK && !d->message_id)
        st = tm_compose_message_id_new(&b.copts, b.f[B_FROM].addrs[0].addr, &d->message_id, err);
    if (st == TM_OK)
        st = compose(&b, &out->message, err);
    if (st == TM_OK && (st = fill_output(&b, out)))
        tm_error_set(err, st, _("out of memory"));
    build_cleanup(&b);
    return st;
}
