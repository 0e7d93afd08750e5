/* draft_start.c - how a draft starts: a new message, a reply (to the sender, to all, to the
 * list), a forward (inline or as a message/rfc822 attachment), edit as new and a recalled
 * postponed message; the From address (reverse_name, alternates) and the signature.
 * (RFC 5322 3.6.3 and 3.6.4, RFC 2369) */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "draft_private.h"
#include "tmail/compose.h"
#include "tmail/config.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"
#include "tmail/regex.h"

/* What one tm_draft_start call works with. */
struct start {
    const struct tm_draft_setup *setup;
    const char *orig;
    size_t len;
    struct tm_envelope env; /* of orig; empty for a new message */
    regex_t alternates;
    bool have_alternates;
    char *my_name, *my_addr; /* the account's From, realname preferred as the name */
};

static const struct tm_settings *settings(const struct start *s)
{
    return s->setup->settings;
}

static bool is_alternate(const struct start *s, const char *addr)
{
    return s->have_alternates && addr && regexec(&s->alternates, addr, 0, NULL, 0) == 0;
}

static bool is_mine(const struct start *s, const char *addr)
{
    return addr && ((s->my_addr && strcasecmp(addr, s->my_addr) == 0) || is_alternate(s, addr));
}

static enum tm_status start_init(struct start *s, const char *orig, size_t len,
                                 struct tm_error *err)
{
    const struct tm_account *acct = s->setup->account;
    const char *alternates = settings(s) ? settings(s)->alternates : NULL;
    enum tm_status st = TM_OK;
    if (orig)
        st = tm_mime_envelope_parse(orig, len, &s->env, err);
    if (st)
        return st;
    s->orig = orig;
    s->len = len;
    if (acct && acct->from && *acct->from)
        st = tm_mime_first_address(acct->from, &s->my_name, &s->my_addr);
    if (st == TM_OK && acct && acct->realname && *acct->realname) {
        free(s->my_name);
        s->my_name = strdup(acct->realname);
        st = s->my_name ? TM_OK : TM_ENOMEM;
    }
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    if (alternates && *alternates) {
        st = tm_regex_compile(&s->alternates, alternates, REG_ICASE | REG_NOSUB, err);
        s->have_alternates = st == TM_OK;
    }
    return st;
}

static void start_cleanup(struct start *s)
{
    if (s->orig)
        tm_mime_envelope_cleanup(&s->env);
    if (s->have_alternates)
        regfree(&s->alternates);
    free(s->my_name);
    free(s->my_addr);
}

/* The first of orig's To and Cc addresses that is one of mine (reverse_name), or NULL. */
static enum tm_status recipient_alias(const struct start *s, char **addr)
{
    static const char *const fields[] = {"To", "Cc"};
    enum tm_status st = TM_OK;
    *addr = NULL;
    for (size_t f = 0; f < 2 && st == TM_OK && !*addr; f++) {
        struct draft_mailboxes m;
        char *value = tm_mime_header_get(s->orig, s->len, fields[f]);
        st = draft_mailboxes_parse(value, &m);
        for (size_t i = 0; st == TM_OK && i < m.count && !*addr; i++) {
            if (is_mine(s, m.items[i].addr)) {
                *addr = m.items[i].addr;
                m.items[i].addr = NULL;
            }
        }
        draft_mailboxes_cleanup(&m);
        free(value);
    }
    return st;
}

/* From: the account's, or with reverse_name in a reply or forward the address of mine the
 * original was sent to, under the account's name. */
static enum tm_status set_from(struct start *s, struct tm_draft *d, bool reverse)
{
    char *alias = NULL;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = TM_OK;
    if (reverse && s->orig && settings(s) && settings(s)->reverse_name)
        st = recipient_alias(s, &alias);
    if (st == TM_OK && (alias || s->my_addr))
        st = draft_format_mailbox(&b, s->my_name, alias ? alias : s->my_addr);
    if (st == TM_OK)
        st = draft_set(&d->from, b.data);
    free(alias);
    tm_buf_cleanup(&b);
    return st;
}

/* "\n-- \n" (sig_dashes, the default) or "\n", then the signature, ending in a line break. */
static enum tm_status add_signature(const struct start *s, struct tm_draft *d)
{
    const char *sig = s->setup->signature_text;
    if (!sig || !*sig)
        return TM_OK;
    bool dashes = !settings(s) || settings(s)->sig_dashes;
    enum tm_status st = tm_buf_append_str(&d->body, dashes ? "\n-- \n" : "\n");
    if (st == TM_OK)
        st = tm_buf_append_str(&d->body, sig);
    if (st == TM_OK && sig[strlen(sig) - 1] != '\n')
        st = tm_buf_append_char(&d->body, '\n');
    return st;
}

/* Adds addr (taken; NULL is out of memory) to mine[0..*n). */
static enum tm_status add_mine(char ***mine, size_t *n, char *addr)
{
    char **grown = addr ? realloc(*mine, (*n + 1) * sizeof(**mine)) : NULL;
    if (!grown) {
        free(addr);
        return TM_ENOMEM;
    }
    *mine = grown;
    (*mine)[(*n)++] = addr;
    return TM_OK;
}

/* Adds to mine every address of field name of orig that matches alternates. */
static enum tm_status collect_mine(const struct start *s, const char *name, char ***mine, size_t *n)
{
    struct draft_mailboxes m;
    char *value = tm_mime_header_get(s->orig, s->len, name);
    enum tm_status st = draft_mailboxes_parse(value, &m);
    for (size_t i = 0; st == TM_OK && i < m.count; i++) {
        if (is_alternate(s, m.items[i].addr)) {
            st = add_mine(mine, n, m.items[i].addr);
            m.items[i].addr = NULL;
        }
    }
    draft_mailboxes_cleanup(&m);
    free(value);
    return st;
}

/* "Name <addr>, addr2" of list into *field. */
static enum tm_status set_addr_list(char **field, const struct tm_compose_addr_list *list)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < list->count && st == TM_OK; i++) {
        if (b.len > 0)
            st = tm_buf_append_str(&b, ", ");
        if (st == TM_OK)
            st = draft_format_mailbox(&b, list->items[i].name, list->items[i].addr);
    }
    if (st == TM_OK)
        st = draft_set(field, b.data);
    tm_buf_cleanup(&b);
    return st;
}

/* To and Cc of a reply, never to the account's own addresses (From and alternates). */
static enum tm_status reply_recipients(const struct start *s, struct tm_draft *d,
                                       enum tm_reply_mode mode, struct tm_error *err)
{
    static const char *const fields[] = {"From", "Reply-To", "To", "Cc"};
    struct tm_compose_addr_list to = {0}, cc = {0};
    char **mine = NULL;
    size_t nmine = 0;
    enum tm_status st = TM_OK;
    if (s->my_addr)
        st = add_mine(&mine, &nmine, strdup(s->my_addr));
    for (size_t i = 0; i < 4 && st == TM_OK; i++)
        st = collect_mine(s, fields[i], &mine, &nmine);
    if (st) {
        tm_error_set(err, st, _("out of memory"));
        goto out;
    }
    st = tm_compose_reply_recipients(s->orig, s->len, (const char *const *)mine, nmine, mode, &to,
                                     &cc, err);
    if (st == TM_OK && ((st = set_addr_list(&d->to, &to)) || (st = set_addr_list(&d->cc, &cc))))
        tm_error_set(err, st, _("out of memory"));
out:
    for (size_t i = 0; i < nmine; i++)
        free(mine[i]);
    free(mine);
    tm_compose_addr_list_cleanup(&to);
    tm_compose_addr_list_cleanup(&cc);
    return st;
}

/* The quote with the attribution setting expanded (none when the setting is empty; compose's
 * own line when there are no settings at all). */
static enum tm_status add_quote(const struct start *s, struct tm_draft *d, struct tm_error *err)
{
    const struct tm_settings *set = settings(s);
    struct tm_buf attr;
    tm_buf_init(&attr, 0);
    enum tm_status st = TM_OK;
    if (set && set->attribution)
        st = draft_expand_format(&attr, set->attribution, s->orig, s->len, &s->env,
                                 set->date_format);
    const char *line = !set ? NULL : attr.data ? attr.data : "";
    if (st == TM_OK)
        st = tm_compose_quote_body_omitted(s->orig, s->len, s->setup->omitted, line, &d->body, err);
    else
        tm_error_set(err, st, _("out of memory"));
    tm_buf_cleanup(&attr);
    return st;
}

static enum tm_status start_reply(struct start *s, struct tm_draft *d, enum tm_draft_kind kind,
                                  struct tm_error *err)
{
    enum tm_reply_mode mode = kind == TM_DRAFT_GROUP_REPLY  ? TM_REPLY_ALL
                              : kind == TM_DRAFT_LIST_REPLY ? TM_REPLY_LIST
                                                            : TM_REPLY_SENDER;
    enum tm_status st = reply_recipients(s, d, mode, err);
    if (st)
        return st;
    char *subject = tm_compose_reply_subject(s->env.subject);
    st = subject ? TM_OK : TM_ENOMEM;
    if (st == TM_OK) {
        free(d->subject);
        d->subject = subject;
        st = tm_compose_reply_headers(s->orig, s->len, &d->in_reply_to, &d->references, err);
    }
    if (st == TM_OK && s->setup->include_quote)
        st = add_quote(s, d, err);
    d->orig_flag = TM_FLAG_ANSWERED;
    return st;
}

/* The subject of a forward: forward_format with its expandos when set (mutt's "[%a: %s]"),
 * else "Fwd: subject". */
static enum tm_status forward_subject(const struct start *s, struct tm_draft *d)
{
    const struct tm_settings *set = settings(s);
    if (!set || !set->forward_format || !*set->forward_format) {
        char *subject = tm_compose_forward_subject(s->env.subject);
        if (!subject)
            return TM_ENOMEM;
        free(d->subject);
        d->subject = subject;
        return TM_OK;
    }
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st =
        draft_expand_format(&b, set->forward_format, s->orig, s->len, &s->env, set->date_format);
    if (st == TM_OK)
        st = draft_set(&d->subject, b.data);
    tm_buf_cleanup(&b);
    return st;
}

static enum tm_status start_forward(struct start *s, struct tm_draft *d, bool attach,
                                    struct tm_error *err)
{
    enum tm_status st = forward_subject(s, d);
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    d->orig_flag = TM_FLAG_PASSED;
    if (!attach)
        return tm_compose_forward_body_omitted(s->orig, s->len, s->setup->omitted, &d->body, err);
    struct tm_compose_attachment att;
    tm_compose_forward_attachment(s->orig, s->len, &att);
    return tm_draft_attach_data(d, att.filename, att.content_type, NULL, att.data, att.len, err);
}

/* Fills d for kind from s->orig (already parsed). */
static enum tm_status start_kind(struct start *s, struct tm_draft *d, enum tm_draft_kind kind,
                                 int64_t orig_id, struct tm_error *err)
{
    enum tm_status st;
    switch (kind) {
    case TM_DRAFT_REPLY:
    case TM_DRAFT_GROUP_REPLY:
    case TM_DRAFT_LIST_REPLY:
        d->orig_message_id = orig_id;
        return start_reply(s, d, kind, err);
    case TM_DRAFT_FORWARD:
    case TM_DRAFT_FORWARD_ATTACH:
        d->orig_message_id = orig_id;
        return start_forward(s, d, kind == TM_DRAFT_FORWARD_ATTACH, err);
    case TM_DRAFT_RESEND:
        return draft_from_template(d, s->orig, s->len, false, err);
    case TM_DRAFT_RECALL:
        d->recalled_message_id = orig_id;
        st = draft_from_template(d, s->orig, s->len, true, err);
        if (st == TM_OK && !*d->from) /* a draft without From gets the account's */
            st = set_from(s, d, false);
        return st;
    case TM_DRAFT_NEW:
        break;
    }
    return TM_OK;
}

enum tm_status tm_draft_start(const struct tm_draft_setup *setup, enum tm_draft_kind kind,
                              const char *orig, size_t len, int64_t orig_id, struct tm_draft **out,
                              struct tm_error *err)
{
    struct start s;
    struct tm_draft *d = NULL;
    memset(&s, 0, sizeof(s));
    s.setup = setup;
    *out = NULL;
    tm_error_clear(err);
    if (kind != TM_DRAFT_NEW && !orig)
        return tm_error_set(err, TM_ENOENT, _("there is no message to start from"));
    enum tm_status st = start_init(&s, kind == TM_DRAFT_NEW ? NULL : orig, len, err);
    if (st)
        goto out;
    if (!(d = tm_draft_new())) {
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        goto out;
    }
    /* A recalled draft keeps its own From; every other kind is sent from the account,
     * reverse_name applying to replies and forwards. */
    if (kind != TM_DRAFT_RECALL)
        st = set_from(&s, d, kind != TM_DRAFT_NEW && kind != TM_DRAFT_RESEND);
    if (st == TM_OK)
        st = start_kind(&s, d, kind, orig_id, err);
    if (st == TM_OK && kind != TM_DRAFT_RECALL && kind != TM_DRAFT_RESEND)
        st = add_signature(&s, d);
    if (st && err && err->status == TM_OK)
        tm_error_set(err, st, _("out of memory"));
out:
    if (st)
        tm_draft_free(&d);
    *out = d;
    start_cleanup(&s);
    return st;
}
