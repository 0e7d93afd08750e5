/* imap_ops.c - tm_imap_ops, the IMAP backend's operations table: a session that works from the
 * cache while offline and connects on demand, sync, bodies (cached after the first fetch; big
 * ones are read in parts by imap_parts.c), flags (queued while offline), mailbox listing (with
 * each mailbox's STATUS before a sync of them all: LIST-STATUS, RFC 5819), and waiting for
 * changes with IDLE (RFC 2177); mailbox management, copy, move, append and search live in
 * imap_mailbox.c and imap_move.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

#define IDLE_RENEW_MS (25 * 60 * 1000) /* RFC 2177: re-issue IDLE at least every 29 minutes */
#define BODY_MAX      ((size_t)256 * 1024 * 1024)

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

static enum tm_status server_from_account(struct tm_session *s, const struct tm_account *a,
                                          struct tm_error *err)
{
    struct imap_server *v = &s->srv;
    if (!a || (a->read.scheme != TM_URL_IMAP && a->read.scheme != TM_URL_IMAPS) || !a->read.host)
        return tm_error_set(err, TM_ECONFIG, _("account %s has no IMAP server"), a ? a->name : "?");
    v->host = strdup(a->read.host);
    v->user = dup_or_null(a->read.user);
    v->ca_file = dup_or_null(a->tls_ca_file);
    v->fingerprint = dup_or_null(a->tls_fingerprint);
    if (!v->host || (a->read.user && a->read.user[0] && !v->user) ||
        (a->tls_ca_file && a->tls_ca_file[0] && !v->ca_file) ||
        (a->tls_fingerprint && a->tls_fingerprint[0] && !v->fingerprint))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    v->port = a->read.port;
    v->implicit_tls = a->read.scheme == TM_URL_IMAPS;
    v->starttls = !v->implicit_tls && a->tls != TM_TLS_OFF;
    v->allow_plain_auth = a->tls == TM_TLS_OFF && a->allow_plaintext_auth;
    v->connect_timeout_ms = (int)(a->connect_timeout > 0 ? a->connect_timeout : 30) * 1000;
    v->io_timeout_ms = v->connect_timeout_ms * 2;
    v->keepalive_s = a->imap_keepalive > 0 ? (int)a->imap_keepalive : 300;
    v->use_idle = a->imap_idle;
    v->use_deflate = a->imap_deflate;
    v->use_oauth = a->oauth_token_cmd && a->oauth_token_cmd[0];
    v->prefetch_bodies = a->prefetch_bodies;
    v->fetch_whole_max = a->fetch_whole_max;
    return TM_OK;
}

static void imap_close(struct tm_session **pp)
{
    struct tm_session *s = *pp;
    if (!s)
        return;
    if (s->stream) { /* polite, but never waits long: LOGOUT's reply is not needed */
        tm_stream_set_io_timeout(s->stream, 2000);
        char tag[16];
        imap_cmd_begin(s, tag, sizeof(tag));
        tm_buf_append_str(&s->cmd, "LOGOUT");
        imap_cmd_send(s, false, NULL);
    }
    imap_disconnect(s);
    imap_parser_free(&s->parser);
    tm_buf_cleanup(&s->cmd);
    for (size_t i = 0; i < s->n_known; i++)
        free(s->known[i].name);
    free(s->known);
    imap_listed_clear(s);
    free(s->account_name);
    free(s->srv.host);
    free(s->srv.user);
    free(s->srv.ca_file);
    free(s->srv.fingerprint);
    free(s);
    *pp = NULL;
}

/* Opening never needs the network: a session is usable offline (from the cache); the first
 * operation that needs the server connects. */
static enum tm_status imap_open(const struct tm_backend_env *env,
                                const struct tm_account_spec *acct, struct tm_session **out,
                                struct tm_error *err)
{
    struct tm_session *s = calloc(1, sizeof(*s));
    if (!s)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    s->env = env;
    s->account_id = acct->account_id;
    tm_buf_init(&s->cmd, 1024 * 1024);
    enum tm_status st = TM_OK;
    if (!(s->account_name = strdup(acct->name)))
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (!st)
        st = server_from_account(s, acct->config, err);
    if (!st)
        st = imap_parser_new(NULL, &s->parser, err);
    if (st) {
        imap_close(&s);
        return st;
    }
    *out = s;
    return TM_OK;
}

/* Remembers which name a mailbox id has (bodies and flags of its messages need it). */
static enum tm_status remember_mailbox(struct tm_session *s, const char *name, int64_t id,
                                       struct tm_error *err)
{
    for (size_t i = 0; i < s->n_known; i++)
        if (s->known[i].id == id)
            return TM_OK;
    if (TM_ARRAY_RESERVE(s->known, s->n_known, s->cap_known, 8))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (!(s->known[s->n_known].name = strdup(name)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    s->known[s->n_known++].id = id;
    return TM_OK;
}

const char *imap_mailbox_name(struct tm_session *s, int64_t id)
{
    for (size_t i = 0; i < s->n_known; i++)
        if (s->known[i].id == id)
            return s->known[i].name;
    return NULL;
}

static enum tm_status imap_sync(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                                struct tm_sync_result *res, struct tm_error *err)
{
    enum tm_status st = remember_mailbox(s, mailbox, mailbox_id, err);
    if (!st)
        st = imap_ensure_connected(s, err);
    if (!st)
        st = imap_pending_replay(s, err);
    bool done = false; /* what list_for_sync learnt proves the cache current: no SELECT */
    if (!st)
        st = imap_sync_by_status(s, mailbox, mailbox_id, &done, err);
    if (!st && !done)
        st = imap_sync_mailbox(s, mailbox, mailbox_id, res, err);
    if (st == TM_ENET) /* a dropped connection: one fresh attempt before giving up */
        if (!(st = imap_ensure_connected(s, err)))
            st = imap_sync_mailbox(s, mailbox, mailbox_id, res, err);
    return st;
}

/* Selects the mailbox of a cached message (connecting as needed). */
enum tm_status imap_select_for(struct tm_session *s, int64_t mailbox_id, struct tm_error *err)
{
    enum tm_status st = imap_ensure_connected(s, err);
    if (st || s->selected_id == mailbox_id)
        return st;
    const char *name = imap_mailbox_name(s, mailbox_id);
    if (!name)
        return tm_error_set(err, TM_ENOENT, _("mailbox %lld is not open"), (long long)mailbox_id);
    return imap_select(s, name, mailbox_id, NULL, err);
}

struct body_ctx {
    uint32_t uid;
    struct tm_buf *out;
    bool found;
};

static enum tm_status on_body(struct tm_session *s, void *ctx, const struct imap_response *r,
                              struct tm_error *err)
{
    struct body_ctx *b = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!imap_fetch_of(r, &f, &st, err))
        return st;
    if (st || !f.has_uid || f.uid != b->uid || !f.body)
        return st                         ? st
               : f.has_uid && f.has_flags ? imap_apply_fetch_flags(s, &f, NULL, err)
                                          : TM_OK;
    b->found = true;
    st = tm_buf_append(b->out, f.body, f.body_len);
    return st ? tm_error_set(err, st, _("the message is too large")) : TM_OK;
}

enum tm_status imap_fetch_whole(struct tm_session *s, int64_t message_id, struct tm_buf *out,
                                struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    enum tm_status st = tm_store_body_get(store, message_id, out, err);
    if (st != TM_ENOENT)
        return st;
    struct tm_message_row row = {0};
    if ((st = tm_store_message_get(store, message_id, &row, err)))
        return st;
    uint32_t uid = (uint32_t)row.uid;
    int64_t mailbox_id = row.mailbox_id;
    tm_message_row_cleanup(&row);
    if ((st = imap_select_for(s, mailbox_id, err)))
        return st;
    struct body_ctx b = {uid, out, false};
    st = imap_simple(s, on_body, &b, err, "UID FETCH %u (UID BODY.PEEK[])", (unsigned)uid);
    if (!st && !b.found)
        return tm_error_set(err, TM_ENOENT, _("the message is no longer on the server"));
    if (!st)
        st = tm_store_body_put(store, message_id, out->data ? out->data : "", out->len, err);
    return st;
}

static enum tm_status imap_set_flags(struct tm_session *s, int64_t message_id, unsigned add,
                                     unsigned clear, struct tm_error *err)
{
    struct tm_message_row row = {0};
    enum tm_status st = tm_store_message_get(s->env->store, message_id, &row, err);
    if (st)
        return st;
    const char *name = imap_mailbox_name(s, row.mailbox_id);
    st = imap_store_flags(s, row.mailbox_id, name, (uint32_t)row.uid, add, clear, err);
    tm_message_row_cleanup(&row);
    return st;
}

/* IDLE until the server reports a change, the worker gets a job, or the renewal time. */
static enum tm_status idle_once(struct tm_session *s, int timeout_ms, bool *changed,
                                struct tm_error *err)
{
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    tm_buf_append_str(&s->cmd, "IDLE");
    enum tm_status st = imap_cmd_send(s, false, err);
    struct imap_response r;
    while (!st) { /* up to the continuation */
        if ((st = imap_read(s, &r, err)))
            return st;
        if (r.kind == IMAP_CONTINUATION)
            break;
        if (r.kind == IMAP_TAGGED) { /* refused */
            imap_reply_to_error(&r, err);
            return tm_error_set(err, TM_EPROTO, _("%s refused IDLE: %s"), s->srv.host,
                                err->server_reply);
        }
        bool consumed;
        if (!(st = imap_untagged_common(s, &r, &consumed, err)) && !consumed)
            st = imap_default_untagged(s, &r, err);
    }
    s->live.changed = false;
    while (!st && !s->live.changed) {
        enum tm_wait w;
        if ((st = tm_stream_wait(s->stream, timeout_ms, s->env->wake_fd, &w, err)))
            break;
        if (w != TM_WAIT_DATA)
            break;
        if ((st = imap_read(s, &r, err)))
            return st;
        bool consumed;
        if (!(st = imap_untagged_common(s, &r, &consumed, err)) && !consumed)
            st = imap_default_untagged(s, &r, err);
    }
    if (st && st != TM_ECANCELED)
        return st;
    enum tm_status done = tm_stream_write(s->stream, "DONE\r\n", 6, err);
    if (!done)
        done = imap_cmd_finish(s, tag, NULL, NULL, TM_OK, err);
    *changed = s->live.changed;
    return st ? st : done;
}

static enum tm_status imap_wait_changes(struct tm_session *s, int timeout_ms, bool *changed,
                                        struct tm_error *err)
{
    *changed = false;
    if (!s->stream || !s->selected_id)
        return tm_error_set(err, TM_ENET, _("not connected to %s"), s->srv.host);
    int keepalive_ms = s->srv.keepalive_s * 1000;
    if (s->srv.use_idle && imap_caps_has(&s->caps, IMAP_CAP_IDLE))
        return idle_once(s, timeout_ms < IDLE_RENEW_MS ? timeout_ms : IDLE_RENEW_MS, changed, err);
    /* No IDLE: wait for a job or the poll interval, then NOOP brings news. */
    enum tm_wait w;
    enum tm_status st = tm_stream_wait(
        s->stream, timeout_ms < keepalive_ms ? timeout_ms : keepalive_ms, s->env->wake_fd, &w, err);
    if (st || w == TM_WAIT_WOKEN)
        return st;
    s->live.changed = false;
    st = imap_simple(s, NULL, NULL, err, "NOOP");
    *changed = s->live.changed;
    return st;
}

struct list_ctx {
    tm_mailbox_cb cb;
    void *cb_ctx;
    int stop;
    size_t reported; /* entries given to cb */
    bool keep;       /* list_for_sync: STATUS answers are kept for the syncs */
    bool collect;    /* list_for_sync without LIST-STATUS: the selectable names for STATUS */
    char **names;
    size_t n_names, cap_names;
    bool oom;
};

static const char *special_name(unsigned attrs)
{
    return attrs & IMAP_LIST_SENT      ? "\\Sent"
           : attrs & IMAP_LIST_DRAFTS  ? "\\Drafts"
           : attrs & IMAP_LIST_TRASH   ? "\\Trash"
           : attrs & IMAP_LIST_JUNK    ? "\\Junk"
           : attrs & IMAP_LIST_ARCHIVE ? "\\Archive"
           : attrs & IMAP_LIST_ALL     ? "\\All"
           : attrs & IMAP_LIST_FLAGGED ? "\\Flagged"
                                       : NULL;
}

/* A selectable mailbox listed for list_for_sync: its name, for the STATUS commands after. */
static void collect_name(struct list_ctx *l, const char *name)
{
    char *copy = NULL;
    if (TM_ARRAY_RESERVE(l->names, l->n_names, l->cap_names, 16) || !(copy = strdup(name))) {
        l->oom = true; /* that mailbox gets no STATUS: it is selected as usual */
        return;
    }
    l->names[l->n_names++] = copy;
}

/* LIST-STATUS (RFC 5819): the STATUS that follows a mailbox's LIST entry. */
static enum tm_status on_list_status(struct tm_session *s, const struct imap_response *r,
                                     struct tm_error *err)
{
    struct imap_status_info info;
    enum tm_status st;
    if (!imap_status_response(s, r, &info, &st, err))
        return st;
    imap_listed_keep(s, &info, NULL); /* out of memory: that mailbox is selected as usual */
    imap_status_info_cleanup(&info);
    return TM_OK;
}

static enum tm_status on_list(struct tm_session *s, void *ctx, const struct imap_response *r,
                              struct tm_error *err)
{
    struct list_ctx *l = ctx;
    if (l->keep && r->keyword && strcmp(r->keyword, "STATUS") == 0)
        return on_list_status(s, r, err);
    if (!r->keyword || strcmp(r->keyword, "LIST") != 0 || l->stop)
        return TM_OK;
    struct imap_list_entry e;
    enum tm_status st = imap_list_decode(r, s->utf8_enabled, &e, err);
    if (st == TM_EPARSE) {
        tm_log(TM_LOG_WARN, "imap %s: ignored a LIST entry: %s", s->account_name, err->message);
        return TM_OK;
    }
    if (st)
        return st;
    if (!(e.attrs & IMAP_LIST_NONEXISTENT) && !e.name_undecodable) {
        struct tm_mailbox_info mb = {e.name_utf8, e.delimiter, special_name(e.attrs),
                                     (e.attrs & IMAP_LIST_SUBSCRIBED) != 0,
                                     !(e.attrs & IMAP_LIST_NOSELECT)};
        l->stop = l->cb(l->cb_ctx, &mb);
        l->reported++;
        if (l->collect && mb.selectable)
            collect_name(l, e.name_utf8);
    }
    imap_list_entry_cleanup(&e);
    return TM_OK;
}

/* Appends one RETURN option to opts (size bytes). */
static void add_option(char *opts, size_t size, const char *opt)
{
    size_t used = strlen(opts);
    snprintf(opts + used, size - used, "%s%s", used ? " " : "", opt);
}

/* LIST "" "*" with the RETURN options the server has (RFC 5258, 6154), and with status the
 * STATUS option of LIST-STATUS (RFC 5819). */
static enum tm_status run_list(struct tm_session *s, struct list_ctx *l, bool status,
                               struct tm_error *err)
{
    char opts[160] = "", status_opt[80];
    if (imap_caps_has(&s->caps, IMAP_CAP_SPECIAL_USE))
        add_option(opts, sizeof(opts), "SPECIAL-USE");
    if (imap_caps_has(&s->caps, IMAP_CAP_LIST_EXTENDED))
        add_option(opts, sizeof(opts), "SUBSCRIBED");
    if (status) {
        snprintf(status_opt, sizeof(status_opt), "STATUS (%s)", imap_status_items(s));
        add_option(opts, sizeof(opts), status_opt);
    }
    return imap_simple(s, on_list, l, err, "LIST \"\" \"*\"%s%s%s", opts[0] ? " RETURN (" : "",
                       opts, opts[0] ? ")" : "");
}

static enum tm_status imap_list(struct tm_session *s, tm_mailbox_cb cb, void *ctx,
                                struct tm_error *err)
{
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    struct list_ctx l = {.cb = cb, .cb_ctx = ctx};
    return run_list(s, &l, false, err);
}

/* With LIST-STATUS one command lists and tells each mailbox's state; without it (or when the
 * server refuses it before listing anything) LIST, then the selectable mailboxes' STATUS
 * pipelined: two round trips instead of a SELECT per mailbox. A STATUS that fails only costs
 * that mailbox its SELECT. */
static enum tm_status imap_list_for_sync(struct tm_session *s, tm_mailbox_cb cb, void *ctx,
                                         struct tm_error *err)
{
    imap_listed_clear(s);
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    struct list_ctx l = {.cb = cb, .cb_ctx = ctx, .keep = true};
    if (imap_caps_has(&s->caps, IMAP_CAP_LIST_STATUS)) {
        st = run_list(s, &l, true, err);
        if (st != TM_EPROTO || l.reported)
            return st;
        tm_log(TM_LOG_WARN, "imap %s: LIST-STATUS refused (%s): LIST and STATUS instead",
               s->account_name, err ? err->server_reply : "");
        imap_listed_clear(s);
    }
    l.keep = false;
    l.collect = true;
    st = run_list(s, &l, false, err);
    struct tm_error local;
    if (!st && imap_status_keep(s, l.names, l.n_names, &local))
        tm_log(TM_LOG_WARN, "imap %s: STATUS after LIST failed: %s", s->account_name,
               local.message);
    if (l.oom)
        tm_log(TM_LOG_WARN, "imap %s: out of memory: some mailboxes are selected to sync",
               s->account_name);
    for (size_t i = 0; i < l.n_names; i++)
        free(l.names[i]);
    free(l.names);
    return st;
}

const struct tm_backend_ops tm_imap_ops = {
    .name = "imap",
    .caps = TM_CAP_FOLDERS | TM_CAP_SERVER_FLAGS | TM_CAP_PUSH | TM_CAP_SERVER_SEARCH |
            TM_CAP_APPEND | TM_CAP_MOVE,
    .open = imap_open,
    .close = imap_close,
    .list_mailboxes = imap_list,
    .list_for_sync = imap_list_for_sync,
    .sync_mailbox = imap_sync,
    .fetch_message = imap_fetch_whole,
    .fetch_view = imap_fetch_view,
    .fetch_part = imap_fetch_part,
    .set_flags = imap_set_flags,
    .copy = imap_op_copy,
    .move = imap_op_move,
    .set_flags_many = imap_op_set_flags_many,
    .copy_many = imap_op_copy_many,
    .move_many = imap_op_move_many,
    .expunge = imap_op_expunge,
    .append = imap_op_append,
    .create_mailbox = imap_create_mailbox,
    .delete_mailbox = imap_delete_mailbox,
    .rename_mailbox = imap_rename_mailbox,
    .subscribe = imap_subscribe,
    .status = imap_status,
    .status_many = imap_status_many,
    .search = imap_op_search,
    .wait_changes = imap_wait_changes,
};
