/* imap_mailbox.c - mailboxes at the server with the cache following: CREATE, DELETE, RENAME,
 * SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3.4-6.3.8), STATUS (6.3.11; HIGHESTMODSEQ of RFC 7162)
 * and the statuses kept in the session for the syncs after a listing, UNSELECT (RFC 3691), and
 * selecting a mailbox by its store id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

/* The account's mailboxes as the store has them (owned copies). */
struct mb_entry {
    int64_t id;
    char *name;
    char *delimiter;
    char *special_use;
    unsigned attrs;
    bool subscribed;
};

struct mb_list {
    struct mb_entry *v;
    size_t n, cap;
    enum tm_status st;
};

static char *dup_opt(const char *s, bool *failed)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        *failed = true;
    return d;
}

static int collect_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct mb_list *l = ctx;
    if (TM_ARRAY_RESERVE(l->v, l->n, l->cap, 32)) {
        l->st = TM_ENOMEM;
        return 1;
    }
    bool failed = false;
    struct mb_entry *e = &l->v[l->n++];
    *e = (struct mb_entry){mb->id,
                           dup_opt(mb->name, &failed),
                           dup_opt(mb->delimiter, &failed),
                           dup_opt(mb->special_use, &failed),
                           mb->attrs,
                           mb->subscribed};
    if (failed)
        l->st = TM_ENOMEM;
    return failed;
}

static void mb_list_cleanup(struct mb_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].delimiter);
        free(l->v[i].special_use);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static enum tm_status mb_list_load(struct tm_session *s, struct mb_list *l, struct tm_error *err)
{
    memset(l, 0, sizeof(*l));
    enum tm_status st =
        tm_store_mailbox_each(s->env->store, s->account_id, collect_mailbox, l, err);
    if (!st && l->st)
        st = tm_error_set(err, l->st, _("out of memory"));
    if (st)
        mb_list_cleanup(l);
    return st;
}

static const struct mb_entry *mb_find_name(const struct mb_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].name && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static bool is_inbox(const char *name)
{
    return strcasecmp(name, "INBOX") == 0;
}

/* The account's row called name: *id, or 0 when the cache has none (not an error). */
static enum tm_status find_row(struct tm_session *s, const char *name, int64_t *id,
                               struct tm_error *err)
{
    struct tm_error local;
    enum tm_status st = tm_store_mailbox_find(s->env->store, s->account_id, name, id, &local);
    if (st == TM_ENOENT) {
        *id = 0;
        return TM_OK;
    }
    if (st && err)
        *err = local;
    return st;
}

enum tm_status imap_mailbox_name_of(struct tm_session *s, int64_t mailbox_id, char **name,
                                    struct tm_error *err)
{
    *name = NULL;
    const char *known = imap_mailbox_name(s, mailbox_id);
    if (known) {
        *name = strdup(known);
        return *name ? TM_OK : tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    struct mb_list l;
    enum tm_status st = mb_list_load(s, &l, err);
    for (size_t i = 0; !st && i < l.n && !*name; i++)
        if (l.v[i].id == mailbox_id && !(*name = strdup(l.v[i].name)))
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    mb_list_cleanup(&l);
    if (!st && !*name)
        st = tm_error_set(err, TM_ENOENT, _("mailbox %lld is not in the cache"),
                          (long long)mailbox_id);
    return st;
}

enum tm_status imap_select_id(struct tm_session *s, int64_t mailbox_id, struct tm_error *err)
{
    enum tm_status st = imap_ensure_connected(s, err);
    if (st || (s->selected && s->selected_id == mailbox_id))
        return st;
    char *name;
    if ((st = imap_mailbox_name_of(s, mailbox_id, &name, err)))
        return st;
    st = imap_select(s, name, mailbox_id, NULL, err);
    free(name);
    return st;
}

enum tm_status imap_select_name(struct tm_session *s, const char *name, int64_t mailbox_id,
                                struct tm_error *err)
{
    enum tm_status st = imap_ensure_connected(s, err);
    if (st || (s->selected && s->selected_id == mailbox_id))
        return st;
    return imap_select(s, name, mailbox_id, NULL, err);
}

/* Runs "VERB mailbox" (CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE). */
static enum tm_status mailbox_command(struct tm_session *s, const char *verb, const char *name,
                                      struct tm_error *err)
{
    if (!name || !name[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    if (tm_buf_appendf(&s->cmd, "%s ", verb))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = imap_cmd_mailbox(s, name, err)))
        return st;
    return imap_cmd_run(s, tag, false, NULL, NULL, TM_OK, err);
}

/* Forgets the selection here (the next operation selects again). */
static void forget_selection(struct tm_session *s)
{
    free(s->selected);
    s->selected = NULL;
    s->selected_id = 0;
    memset(&s->live, 0, sizeof(s->live));
}

enum tm_status imap_create_mailbox(struct tm_session *s, const char *name, struct tm_error *err)
{
    enum tm_status st = mailbox_command(s, "CREATE", name, err);
    if (st)
        return st;
    int64_t id; /* shown in the folder list at once; the next LIST fills in its metadata */
    return tm_store_mailbox_ensure(s->env->store, s->account_id, name, &id, err);
}

/* The session no longer knows mailbox id by a name. */
static void forget_known(struct tm_session *s, int64_t id)
{
    for (size_t i = 0; i < s->n_known; i++) {
        if (s->known[i].id != id)
            continue;
        free(s->known[i].name);
        s->known[i] = s->known[--s->n_known];
        return;
    }
}

enum tm_status imap_delete_mailbox(struct tm_session *s, const char *name, struct tm_error *err)
{
    if (name && is_inbox(name))
        return tm_error_set(err, TM_ENOTSUP, _("INBOX cannot be deleted"));
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    if (name && s->selected && strcmp(s->selected, name) == 0) {
        /* Leave it first where the server lets us (CLOSE would expunge as a side effect). */
        if (imap_caps_has(&s->caps, IMAP_CAP_UNSELECT) &&
            (st = imap_simple(s, NULL, NULL, err, "UNSELECT")))
            return st;
        forget_selection(s);
    }
    if ((st = mailbox_command(s, "DELETE", name, err)))
        return st;
    int64_t id;
    if ((st = find_row(s, name, &id, err)) || !id)
        return st;
    forget_known(s, id);
    return tm_store_mailbox_delete(s->env->store, id, err);
}

/* new_name for name after renaming from to to: to itself, to + the rest for an inferior
 * ("A/x" when renaming "A" with delimiter "/"), NULL for others (malloc'd; *failed on ENOMEM). */
static char *renamed(const char *name, const char *from, const char *to, const char *delim,
                     bool *failed)
{
    size_t n = strlen(from);
    if (strcmp(name, from) == 0)
        return dup_opt(to, failed);
    if (!delim || !delim[0] || strncmp(name, from, n) != 0 || name[n] != delim[0])
        return NULL;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    if (tm_buf_append_str(&b, to) || tm_buf_append_str(&b, name + n)) {
        tm_buf_cleanup(&b);
        *failed = true;
        return NULL;
    }
    return tm_buf_steal(&b);
}

/* Mailbox id is called name now: the session's names follow. */
static enum tm_status rename_in_session(struct tm_session *s, int64_t id, const char *name,
                                        struct tm_error *err)
{
    for (size_t k = 0; k < s->n_known; k++) {
        if (s->known[k].id != id)
            continue;
        char *copy = strdup(name);
        if (!copy)
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        free(s->known[k].name);
        s->known[k].name = copy;
    }
    if (s->selected && s->selected_id == id) {
        char *copy = strdup(name);
        if (!copy)
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        free(s->selected);
        s->selected = copy;
    }
    return TM_OK;
}

static enum tm_status on_delimiter(struct tm_session *s, void *ctx, const struct imap_response *r,
                                   struct tm_error *err)
{
    char *delim = ctx;
    if (!r->keyword || strcmp(r->keyword, "LIST") != 0)
        return imap_default_untagged(s, r, err);
    struct imap_list_entry e;
    struct tm_error local;
    if (imap_list_decode(r, s->utf8_enabled, &e, &local) == TM_OK) {
        delim[0] = e.delimiter;
        imap_list_entry_cleanup(&e);
    }
    return TM_OK;
}

/* The hierarchy delimiter as the server tells it (RFC 9051 6.3.9: LIST with an empty name);
 * delim[0] stays 0 for a flat namespace. */
static enum tm_status server_delimiter(struct tm_session *s, char delim[2], struct tm_error *err)
{
    return imap_simple(s, on_delimiter, delim, err, "LIST \"\" \"\"");
}

/* The server renamed from (and its inferiors) to to: the store's rows and the session follow.
 * A stale row already holding a new name is dropped (the server had no such mailbox). */
static enum tm_status rename_in_store(struct tm_session *s, const char *from, const char *to,
                                      struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    struct mb_list l;
    enum tm_status st = mb_list_load(s, &l, err);
    if (st)
        return st;
    const struct mb_entry *top = mb_find_name(&l, from);
    char delim[2] = {top && top->delimiter ? top->delimiter[0] : 0, 0};
    bool longer = false; /* rows that may be inferiors of from */
    for (size_t i = 0; i < l.n; i++) {
        if (!delim[0] && l.v[i].delimiter) /* an account has one hierarchy delimiter */
            delim[0] = l.v[i].delimiter[0];
        longer |= strncmp(l.v[i].name, from, strlen(from)) == 0 && l.v[i].name[strlen(from)];
    }
    struct tm_error local;
    if (!delim[0] && longer && server_delimiter(s, delim, &local)) /* then only from itself */
        tm_log(TM_LOG_WARN, "imap %s: no hierarchy delimiter: %s", s->account_name, local.message);
    if ((st = tm_store_begin(store, err)))
        goto out;
    for (size_t i = 0; i < l.n && !st; i++) {
        bool failed = false;
        char *now = renamed(l.v[i].name, from, to, delim, &failed);
        if (failed) {
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
            break;
        }
        if (!now)
            continue;
        int64_t stale;
        st = find_row(s, now, &stale, err);
        if (!st && stale)
            st = tm_store_mailbox_delete(store, stale, err);
        if (!st)
            st = tm_store_mailbox_rename(store, l.v[i].id, now, err);
        if (!st)
            st = rename_in_session(s, l.v[i].id, now, err);
        free(now);
    }
    if (st)
        tm_store_rollback(store);
    else
        st = tm_store_commit(store, err);
out:
    mb_list_cleanup(&l);
    return st;
}

enum tm_status imap_rename_mailbox(struct tm_session *s, const char *from, const char *to,
                                   struct tm_error *err)
{
    if (!from || !from[0] || !to || !to[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    if (is_inbox(to))
        return tm_error_set(err, TM_ENOTSUP, _("no mailbox can be renamed to INBOX"));
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    if (tm_buf_append_str(&s->cmd, "RENAME "))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = imap_cmd_mailbox(s, from, err)) || tm_buf_append_char(&s->cmd, ' ') ||
        (st = imap_cmd_mailbox(s, to, err)))
        return st ? st : tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = imap_cmd_run(s, tag, false, NULL, NULL, TM_OK, err)))
        return st;
    if (!is_inbox(from))
        return rename_in_store(s, from, to, err);
    /* RFC 9051 6.3.6: renaming INBOX moves its messages to a new mailbox and leaves INBOX
     * empty; the new one is synced when opened. */
    int64_t id;
    if ((st = find_row(s, "INBOX", &id, err)) || !id)
        return st;
    if (s->selected_id == id)
        forget_selection(s);
    return tm_store_mailbox_reset(s->env->store, id, err);
}

enum tm_status imap_subscribe(struct tm_session *s, const char *name, bool subscribe,
                              struct tm_error *err)
{
    enum tm_status st = mailbox_command(s, subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE", name, err);
    if (st)
        return st;
    struct mb_list l;
    if ((st = mb_list_load(s, &l, err)))
        return st;
    const struct mb_entry *e = mb_find_name(&l, name);
    if (e && e->subscribed != subscribe) {
        struct tm_mailbox_meta meta = {e->name, e->delimiter, e->special_use, e->attrs, subscribe};
        int64_t id;
        st = tm_store_mailbox_upsert_meta(s->env->store, s->account_id, &meta, &id, err);
    }
    mb_list_cleanup(&l);
    return st;
}

struct status_ctx {
    const char *name;
    bool found;
    struct imap_status_info info;
};

static bool same_mailbox(const char *a, const char *b)
{
    return is_inbox(a) ? is_inbox(b) : strcmp(a, b) == 0;
}

const char *imap_status_items(struct tm_session *s)
{
    return imap_caps_has(&s->caps, IMAP_CAP_CONDSTORE) || s->condstore_enabled
               ? "MESSAGES UNSEEN UIDNEXT UIDVALIDITY HIGHESTMODSEQ"
               : "MESSAGES UNSEEN UIDNEXT UIDVALIDITY";
}

bool imap_status_response(struct tm_session *s, const struct imap_response *r,
                          struct imap_status_info *info, enum tm_status *st, struct tm_error *err)
{
    if (!r->keyword || strcmp(r->keyword, "STATUS") != 0) {
        *st = imap_default_untagged(s, r, err);
        return false;
    }
    *st = imap_status_decode(r, s->utf8_enabled, info, err);
    if (*st == TM_EPARSE) {
        tm_log(TM_LOG_WARN, "imap %s: ignored a STATUS: %s", s->account_name, err->message);
        *st = TM_OK;
        return false;
    }
    return *st == TM_OK;
}

static enum tm_status on_status(struct tm_session *s, void *ctx, const struct imap_response *r,
                                struct tm_error *err)
{
    struct status_ctx *c = ctx;
    struct imap_status_info info;
    enum tm_status st;
    if (!imap_status_response(s, r, &info, &st, err))
        return st;
    if (!c->found && !info.mailbox_undecodable && info.mailbox_utf8 &&
        same_mailbox(info.mailbox_utf8, c->name)) {
        c->info = info;
        c->found = true;
        c->info.mailbox_utf8 = NULL; /* owned by info, cleaned below */
        c->info.raw_mailbox = NULL;
    }
    imap_status_info_cleanup(&info);
    return TM_OK;
}

/* The selected mailbox: what SELECT and its updates said, and the cache's unread count. */
static enum tm_status status_of_selected(struct tm_session *s, int64_t *total, int64_t *unseen,
                                         struct tm_error *err)
{
    *total = s->live.exists > INT64_MAX ? INT64_MAX : (int64_t)s->live.exists;
    return tm_store_message_count_with_flags(s->env->store, s->selected_id, TM_FLAG_SEEN, 0, unseen,
                                             err);
}

enum tm_status imap_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                           int64_t *total, int64_t *unseen, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    *total = *unseen = -1;
    if (!name || !name[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    enum tm_status st = TM_OK;
    if (mailbox_id <= 0) /* not cached (0): the counts are only for the caller */
        st = find_row(s, name, &mailbox_id, err);
    if (!st)
        st = imap_ensure_connected(s, err);
    if (st)
        return st;
    /* RFC 9051 6.3.11: STATUS of the selected mailbox is not to be relied on (and costly). */
    if (s->selected &&
        ((mailbox_id && s->selected_id == mailbox_id) || same_mailbox(s->selected, name))) {
        if ((st = status_of_selected(s, total, unseen, err)))
            return st;
        return tm_store_mailbox_set_counts(store, s->selected_id, *total, *unseen, err);
    }
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    if (tm_buf_append_str(&s->cmd, "STATUS "))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = imap_cmd_mailbox(s, name, err)))
        return st;
    if (tm_buf_appendf(&s->cmd, " (%s)", imap_status_items(s)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    struct status_ctx c = {.name = name};
    if ((st = imap_cmd_run(s, tag, false, on_status, &c, TM_ENOENT, err)))
        return st;
    if (!c.found)
        return tm_error_set(err, TM_EPROTO, _("%s sent no STATUS for %s"), s->srv.host, name);
    *total = c.info.has_messages && c.info.messages <= INT64_MAX ? (int64_t)c.info.messages : -1;
    *unseen = c.info.has_unseen && c.info.unseen <= INT64_MAX ? (int64_t)c.info.unseen : -1;
    return mailbox_id ? tm_store_mailbox_set_counts(store, mailbox_id, *total, *unseen, err)
                      : TM_OK;
}

/* The STATUS commands of one imap_status_many window: query at[k] went out as command k. */
struct status_window {
    struct tm_status_query *q;
    size_t at[IMAP_PIPELINE_MAX], n;
    bool found[IMAP_PIPELINE_MAX];
    bool keep; /* imap_status_keep: each answer is kept for the syncs that follow */
};

static enum tm_status on_status_many(struct tm_session *s, void *ctx, const struct imap_response *r,
                                     struct tm_error *err)
{
    struct status_window *w = ctx;
    struct imap_status_info info;
    enum tm_status st;
    if (!imap_status_response(s, r, &info, &st, err))
        return st;
    for (size_t k = 0; k < w->n && !info.mailbox_undecodable && info.mailbox_utf8; k++) {
        if (w->found[k] || !same_mailbox(info.mailbox_utf8, w->q[w->at[k]].name))
            continue;
        struct tm_status_query *q = &w->q[w->at[k]];
        w->found[k] = true;
        q->total = info.has_messages && info.messages <= INT64_MAX ? (int64_t)info.messages : -1;
        q->unseen = info.has_unseen && info.unseen <= INT64_MAX ? (int64_t)info.unseen : -1;
        if (w->keep) /* out of memory: no entry, this mailbox is synced as usual */
            imap_listed_keep(s, &info, NULL);
        break;
    }
    imap_status_info_cleanup(&info);
    return TM_OK;
}

/* Sends the STATUS of every query of w, then reads all the answers. */
static enum tm_status status_window_run(struct tm_session *s, struct status_window *w,
                                        struct tm_error *err)
{
    struct imap_pipeline *p = malloc(sizeof(*p));
    if (!p)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    imap_pipeline_init(p, on_status_many, w, TM_ENOENT);
    enum tm_status st = TM_OK;
    size_t sent = 0;
    for (; sent < w->n && !st; sent++) {
        struct tm_status_query *q = &w->q[w->at[sent]];
        char tag[16];
        imap_cmd_begin(s, tag, sizeof(tag));
        if (tm_buf_append_str(&s->cmd, "STATUS ")) {
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        } else if ((st = imap_cmd_mailbox(s, q->name, err)) == TM_ENOTSUP) {
            q->st = st; /* this name cannot be sent; the others can */
            st = TM_OK;
            w->found[sent] = true; /* no command k for it: skip it below */
            w->at[sent] = SIZE_MAX;
        } else if (!st && tm_buf_appendf(&s->cmd, " (%s)", imap_status_items(s))) {
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        } else if (!st) {
            st = imap_pipeline_send(s, p, tag, err);
        }
    }
    if (!st && p->n)
        st = imap_pipeline_finish(s, p, err);
    /* command k is the k-th query whose name could be sent */
    for (size_t k = 0, c = 0; !st && k < sent; k++) {
        if (w->at[k] == SIZE_MAX)
            continue;
        struct tm_status_query *q = &w->q[w->at[k]];
        q->st = p->result[c++];
        if (!q->st && !w->found[k])
            q->st = TM_EPROTO;
        if (!q->st && q->mailbox_id)
            q->st = tm_store_mailbox_set_counts(s->env->store, q->mailbox_id, q->total, q->unseen,
                                                NULL);
    }
    for (size_t k = 0; st && k < w->n; k++) { /* the connection failed: none was answered */
        if (w->at[k] != SIZE_MAX)
            w->q[w->at[k]].st = st;
    }
    free(p);
    return st;
}

/* imap_status_many, or with keep imap_status_keep's part: no store row is looked up or
 * written (mailbox_id stays as given) and each answer is kept. */
static enum tm_status status_many(struct tm_session *s, struct tm_status_query *q, size_t n,
                                  bool keep, struct tm_error *err)
{
    for (size_t i = 0; i < n; i++) {
        q[i].total = q[i].unseen = -1;
        q[i].st = TM_ECANCELED; /* until asked */
    }
    enum tm_status st = imap_ensure_connected(s, err);
    struct status_window w = {.q = q, .keep = keep};
    for (size_t i = 0; !st && i < n; i++) {
        struct tm_status_query *x = &q[i];
        x->st = TM_OK;
        if (!x->name || !x->name[0])
            x->st = TM_ENOENT;
        else if (x->mailbox_id <= 0 && !keep)
            x->st = find_row(s, x->name, &x->mailbox_id, NULL);
        if (x->st)
            continue;
        if (s->selected && ((x->mailbox_id && s->selected_id == x->mailbox_id) ||
                            same_mailbox(s->selected, x->name))) {
            if (keep) { /* its SELECT state is newer than a STATUS: not asked */
                x->st = TM_ECANCELED;
                continue;
            }
            x->st = status_of_selected(s, &x->total, &x->unseen, NULL);
            if (!x->st)
                x->st = tm_store_mailbox_set_counts(s->env->store, s->selected_id, x->total,
                                                    x->unseen, NULL);
            continue;
        }
        w.found[w.n] = false;
        w.at[w.n++] = i;
        if (w.n == IMAP_PIPELINE_MAX) {
            st = status_window_run(s, &w, err);
            w.n = 0;
        }
    }
    if (!st && w.n)
        st = status_window_run(s, &w, err);
    return st;
}

enum tm_status imap_status_many(struct tm_session *s, struct tm_status_query *q, size_t n,
                                struct tm_error *err)
{
    return status_many(s, q, n, false, err);
}

enum tm_status imap_status_keep(struct tm_session *s, char *const *names, size_t n,
                                struct tm_error *err)
{
    if (n == 0)
        return TM_OK;
    struct tm_status_query *q = calloc(n, sizeof(*q));
    if (!q)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < n; i++)
        q[i].name = names[i];
    enum tm_status st = status_many(s, q, n, true, err);
    for (size_t i = 0; !st && i < n; i++)
        if (q[i].st && q[i].st != TM_ECANCELED)
            tm_log(TM_LOG_INFO, "imap %s: no STATUS of %s (%s): it is selected to sync",
                   s->account_name, q[i].name, tm_status_name(q[i].st));
    free(q);
    return st;
}

enum tm_status imap_listed_keep(struct tm_session *s, struct imap_status_info *info,
                                struct tm_error *err)
{
    if (info->mailbox_undecodable || !info->mailbox_utf8)
        return TM_OK;
    struct imap_status_info *e = NULL;
    for (size_t i = 0; i < s->n_listed && !e; i++)
        if (same_mailbox(s->listed[i].mailbox_utf8, info->mailbox_utf8))
            e = &s->listed[i];
    if (!e) {
        if (TM_ARRAY_RESERVE(s->listed, s->n_listed, s->cap_listed, 16))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        e = &s->listed[s->n_listed++];
        *e = (struct imap_status_info){0};
    }
    imap_status_info_cleanup(e);
    *e = *info;
    e->raw_mailbox = NULL; /* borrowed from a response that is gone by the time it is used */
    e->raw_mailbox_len = 0;
    info->mailbox_utf8 = NULL;
    return TM_OK;
}

bool imap_listed_take(struct tm_session *s, const char *name, struct imap_status_info *info)
{
    for (size_t i = 0; i < s->n_listed; i++) {
        if (!same_mailbox(s->listed[i].mailbox_utf8, name))
            continue;
        *info = s->listed[i];
        s->listed[i] = s->listed[--s->n_listed];
        return true;
    }
    return false;
}

void imap_listed_clear(struct tm_session *s)
{
    for (size_t i = 0; i < s->n_listed; i++)
        imap_status_info_cleanup(&s->listed[i]);
    free(s->listed);
    s->listed = NULL;
    s->n_listed = s->cap_listed = 0;
}
