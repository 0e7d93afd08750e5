/* worker_folders.c - the worker's folder jobs: listing the account's mailboxes with their counts,
 * opening another mailbox, copying and moving messages, removing deleted ones (to the trash or by
 * expunge), and creating, renaming, deleting and subscribing mailboxes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/core.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

/* One mailbox of a LIST, copied out of the backend's callback. */
struct listed {
    char *name;
    char delimiter;
    char *special;
    bool subscribed, selectable;
    int64_t id; /* store id once recorded */
};

struct listing {
    struct listed *v;
    size_t n, cap;
    bool oom;
};

static int on_mailbox(void *ctx, const struct tm_mailbox_info *mb)
{
    struct listing *l = ctx;
    if (!mb->name || !mb->name[0])
        return 0;
    if (TM_ARRAY_RESERVE(l->v, l->n, l->cap, 16))
        return l->oom = true;
    struct listed *e = &l->v[l->n];
    *e = (struct listed){strdup(mb->name), mb->delimiter,  mb->special ? strdup(mb->special) : NULL,
                         mb->subscribed,   mb->selectable, 0};
    if (!e->name || (mb->special && !e->special)) {
        free(e->name);
        free(e->special);
        return l->oom = true;
    }
    l->n++;
    return 0;
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].special);
    }
    free(l->v);
}

/* Records each listed mailbox's metadata (all or nothing). */
static enum tm_status record(struct worker_ctx *c, struct listing *l, struct tm_error *err)
{
    enum tm_status st = tm_store_begin(c->store, err);
    for (size_t i = 0; !st && i < l->n; i++) {
        struct listed *e = &l->v[i];
        char delim[2] = {e->delimiter, 0};
        struct tm_mailbox_meta meta = {e->name, e->delimiter ? delim : NULL, e->special,
                                       e->selectable ? 0 : TM_MAILBOX_NOSELECT, e->subscribed};
        st = tm_store_mailbox_upsert_meta(c->store, c->w->account_id, &meta, &e->id, err);
    }
    if (st) {
        tm_store_rollback(c->store);
        return st;
    }
    return tm_store_commit(c->store, err);
}

struct stale {
    const struct listing *l;
    int64_t keep; /* the open mailbox */
    int64_t *ids;
    size_t n, cap;
    bool oom;
};

static int find_stale(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct stale *s = ctx;
    if (mb->id == s->keep || strcmp(mb->name, "INBOX") == 0)
        return 0;
    for (size_t i = 0; i < s->l->n; i++)
        if (strcmp(s->l->v[i].name, mb->name) == 0)
            return 0;
    if (TM_ARRAY_RESERVE(s->ids, s->n, s->cap, 8))
        return s->oom = true;
    s->ids[s->n++] = mb->id;
    return 0;
}

/* Forgets the cached mailboxes the source no longer lists (deleted or renamed elsewhere). */
static enum tm_status drop_stale(struct worker_ctx *c, const struct listing *l,
                                 struct tm_error *err)
{
    struct stale s = {l, c->w->mailbox_id, NULL, 0, 0, false};
    enum tm_status st = tm_store_mailbox_each(c->store, c->w->account_id, find_stale, &s, err);
    if (!st && s.oom)
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; !st && i < s.n; i++)
        st = tm_store_mailbox_delete(c->store, s.ids[i], err);
    free(s.ids);
    return st;
}

/* STATUS of each selectable mailbox but the open one (only subscribed ones if so configured),
 * all asked at once where the backend can (IMAP pipelines the commands). */
static void ask_status(struct worker_ctx *c, const struct listing *l)
{
    struct worker *w = c->w;
    struct tm_status_query *q = calloc(l->n ? l->n : 1, sizeof(*q));
    if (!q)
        return;
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct listed *e = &l->v[i];
        if (!e->selectable || !e->id || e->id == w->mailbox_id ||
            (w->check_subscribed && !e->subscribed && strcmp(e->name, "INBOX") != 0))
            continue;
        q[n++] = (struct tm_status_query){.name = e->name, .mailbox_id = e->id};
    }
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = n && !w->cancel ? backend_status_many(w->ops, c->session, q, n, &err) : 0;
    if (st && st != TM_ENOTSUP && st != TM_ECANCELED)
        tm_log(TM_LOG_INFO, "%s: no counts for the other mailboxes: %s", w->account_name,
               err.message);
    for (size_t i = 0; !st && i < n; i++) {
        if (q[i].st == TM_OK)
            q[i].st = tm_store_mailbox_set_counts(c->store, q[i].mailbox_id, q[i].total,
                                                  q[i].unseen, NULL);
        if (q[i].st)
            tm_log(TM_LOG_INFO, "%s: no counts for a mailbox: %s", w->account_name,
                   tm_status_name(q[i].st));
    }
    free(q);
}

static void plan_next_listing(struct worker_ctx *c)
{
    clock_gettime(CLOCK_MONOTONIC, &c->list_at);
    c->list_at.tv_sec += c->w->mail_check_s > 0 ? c->w->mail_check_s : 60;
}

void worker_run_list(struct worker_ctx *c, bool with_status, const char *done_text)
{
    struct worker *w = c->w;
    struct listing l = {0};
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = backend_list(w->ops, c->session, on_mailbox, &l, &err);
    if (!st && l.oom)
        st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    if (!st)
        st = record(c, &l, &err);
    if (!st)
        st = drop_stale(c, &l, &err);
    if (!st && with_status)
        ask_status(c, &l);
    if (st == TM_ENET)
        c->offline = true;
    if (st)
        tm_log(TM_LOG_INFO, "%s: listing mailboxes failed: %s", w->account_name, err.message);
    plan_next_listing(c);
    listing_free(&l);
    err.status = st;
    worker_post_text(w, TM_EV_MAILBOXES, 0, &err, done_text);
}

void worker_run_select(struct worker_ctx *c, struct job *job)
{
    struct worker *w = c->w;
    free(w->mailbox_name);
    w->mailbox_name = job->name; /* the job's copy: taken over */
    job->name = NULL;
    w->mailbox_id = job->mailbox_id;
    if (c->session)
        worker_run_sync(c);
    else
        worker_post(w, TM_EV_SYNC_DONE, 0, &c->open_err);
}

/* Several messages of the open mailbox (job->ids): one backend call for them all. */
static void run_transfer_many(struct worker_ctx *c, const struct job *job)
{
    struct worker *w = c->w;
    const struct tm_backend_ops *ops = w->ops;
    struct tm_error err;
    char text[600];
    tm_error_clear(&err);
    enum tm_status st;
    if (job->type == JOB_COPY) {
        st = backend_copy_many(ops, c->session, job->ids, job->n_ids, job->name, &err);
    } else if (ops->move || ops->move_many || !(ops->copy || ops->copy_many)) {
        st = backend_move_many(ops, c->session, job->ids, job->n_ids, job->name, &err);
    } else { /* no move at the source: copy, and the originals are deleted (as mutt) */
        st = backend_copy_many(ops, c->session, job->ids, job->n_ids, job->name, &err);
        if (!st)
            st = backend_set_flags_many(ops, c->session, job->ids, job->n_ids, TM_FLAG_DELETED, 0,
                                        &err);
    }
    if (job->type == JOB_COPY) /* as for one message: the person knows how many were tagged */
        snprintf(text, sizeof(text), _("Copied to %s."), job->name);
    else
        snprintf(text, sizeof(text), _("Saved to %s."), job->name);
    worker_post_text(w, st ? TM_EV_ERROR : TM_EV_CHANGED, job->mailbox_id, &err, text);
}

void worker_run_transfer(struct worker_ctx *c, const struct job *job)
{
    struct worker *w = c->w;
    if (job->ids) {
        run_transfer_many(c, job);
        return;
    }
    struct tm_message_row row = {0};
    struct tm_error err;
    char text[600];
    tm_error_clear(&err);
    enum tm_status st = tm_store_message_get(c->store, job->message_id, &row, &err);
    int64_t mailbox_id = row.mailbox_id;
    tm_message_row_cleanup(&row);
    if (!st && job->type == JOB_COPY) {
        st = backend_copy(w->ops, c->session, job->message_id, job->name, &err);
    } else if (!st && (w->ops->move || !w->ops->copy)) {
        st = backend_move(w->ops, c->session, job->message_id, job->name, &err);
    } else if (!st) { /* no move at the source: copy, and the original is deleted (as mutt) */
        st = backend_copy(w->ops, c->session, job->message_id, job->name, &err);
        if (!st)
            st = backend_set_flags(w->ops, c->session, job->message_id, TM_FLAG_DELETED, 0, &err);
    }
    if (job->type == JOB_COPY)
        snprintf(text, sizeof(text), _("Copied to %s."), job->name);
    else
        snprintf(text, sizeof(text), _("Saved to %s."), job->name);
    worker_post_text(w, st ? TM_EV_ERROR : TM_EV_CHANGED, mailbox_id, &err, text);
}

struct deleted_ids {
    int64_t *ids;
    size_t n, cap;
    bool oom;
};

static int collect_deleted(void *ctx, int64_t id, const char *key, const char *location,
                           unsigned flags)
{
    struct deleted_ids *d = ctx;
    (void)key, (void)location;
    if (!(flags & TM_FLAG_DELETED))
        return 0;
    if (TM_ARRAY_RESERVE(d->ids, d->n, d->cap, 16))
        return d->oom = true;
    d->ids[d->n++] = id;
    return 0;
}

/* Moves each deleted message to trash undeleted; one that fails is marked deleted again and ends
 * the run, so nothing is expunged that is not in the trash. *expunge: the backend could only
 * copy, so the originals still need an expunge. */
static enum tm_status move_to_trash(struct worker_ctx *c, const struct deleted_ids *d,
                                    const char *trash, bool *expunge, struct tm_error *err)
{
    struct worker *w = c->w;
    enum tm_status st = TM_OK;
    *expunge = !w->ops->move && w->ops->copy;
    for (size_t i = 0; !st && i < d->n && !w->job_cancel; i++) {
        int64_t id = d->ids[i];
        st = backend_set_flags(w->ops, c->session, id, 0, TM_FLAG_DELETED, err);
        if (st)
            break;
        if (*expunge) {
            st = backend_copy(w->ops, c->session, id, trash, err);
        } else {
            st = backend_move(w->ops, c->session, id, trash, err); /* the store follows */
        }
        struct tm_error again;
        tm_error_clear(&again);
        if (st || *expunge) /* deleted again: failed, or the copy's original goes by expunge */
            backend_set_flags(w->ops, c->session, id, TM_FLAG_DELETED, 0, &again);
    }
    return st ? st : w->job_cancel ? tm_error_set(err, TM_ECANCELED, _("canceled")) : TM_OK;
}

void worker_run_expunge(struct worker_ctx *c, const struct job *job)
{
    struct worker *w = c->w;
    struct deleted_ids d = {0};
    struct tm_error err;
    char text[600] = "";
    bool to_trash = job->name2 && strcmp(job->name2, job->name) != 0, expunge = true;
    tm_error_clear(&err);
    enum tm_status st =
        tm_store_message_each_key(c->store, job->mailbox_id, collect_deleted, &d, &err);
    if (!st && d.oom)
        st = tm_error_set(&err, TM_ENOMEM, _("out of memory"));
    if (!st && d.n && to_trash)
        st = move_to_trash(c, &d, job->name2, &expunge, &err);
    if (!st && d.n && expunge)
        st = backend_expunge(w->ops, c->session, job->name, job->mailbox_id, &err);
    if (!st && d.n && to_trash)
        snprintf(text, sizeof(text), _("Deleted messages moved to %s: %zu."), job->name2, d.n);
    else if (!st && d.n)
        snprintf(text, sizeof(text), _("Deleted messages purged: %zu."), d.n);
    free(d.ids);
    worker_post_text(w, st ? TM_EV_ERROR : TM_EV_CHANGED, job->mailbox_id, &err, text);
}

/* The store follows a rename or delete the source did (if the backend left that to us). */
static void store_follow(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    int64_t id, other;
    tm_error_clear(&err);
    if (tm_store_mailbox_find(c->store, c->w->account_id, job->name, &id, &err))
        return;
    if (job->type == JOB_DELETE)
        tm_store_mailbox_delete(c->store, id, &err);
    else if (tm_store_mailbox_find(c->store, c->w->account_id, job->name2, &other, &err) ==
             TM_ENOENT)
        tm_store_mailbox_rename(c->store, id, job->name2, &err);
}

void worker_run_manage(struct worker_ctx *c, const struct job *job)
{
    struct worker *w = c->w;
    struct tm_error err;
    char text[600] = "";
    enum tm_status st = TM_OK;
    tm_error_clear(&err);
    switch (job->type) {
    case JOB_CREATE:
        st = backend_create(w->ops, c->session, job->name, &err);
        snprintf(text, sizeof(text), _("Created %s."), job->name);
        break;
    case JOB_DELETE:
        st = backend_delete(w->ops, c->session, job->name, &err);
        snprintf(text, sizeof(text), _("Deleted %s."), job->name);
        break;
    case JOB_RENAME:
        st = backend_rename(w->ops, c->session, job->name, job->name2, &err);
        snprintf(text, sizeof(text), _("Renamed %s to %s."), job->name, job->name2);
        break;
    case JOB_SUBSCRIBE:
        st = backend_subscribe(w->ops, c->session, job->name, job->subscribe, &err);
        if (job->subscribe)
            snprintf(text, sizeof(text), _("Subscribed to %s."), job->name);
        else
            snprintf(text, sizeof(text), _("Unsubscribed from %s."), job->name);
        break;
    default:
        return;
    }
    if (st) {
        worker_post_text(w, TM_EV_ERROR, 0, &err, NULL);
        return;
    }
    if (job->type == JOB_DELETE || job->type == JOB_RENAME)
        store_follow(c, job);
    worker_run_list(c, false, text);
}
