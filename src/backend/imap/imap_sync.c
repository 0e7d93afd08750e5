/* imap_sync.c - bringing the cache of one mailbox in line with the server: SELECT with QRESYNC
 * (RFC 7162) when the cache has a known state, new messages' headers by UID in one pipelined
 * FETCH written in large transactions, flag changes by CHANGEDSINCE (CONDSTORE) or a full flag
 * fetch, expunges by VANISHED or by comparing UID sets, and a UIDVALIDITY change (RFC 9051
 * 2.3.1.1) that empties the cached mailbox; no SELECT at all when the mailbox's STATUS from the
 * listing before proves the cache current. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/mime.h"
#include "tmail/store.h"

/* The envelope's fields (Date to References) and Content-Type and List-ID; the same list as the
 * benchmark's bare stream (bench/imap/run.py BARE_FIELDS). No Sender: nothing reads it. */
#define HEADER_FIELDS                                                                              \
    "DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE LIST-ID"
#define BATCH_ROWS 5000 /* rows per transaction: big enough for speed, small enough to resume */
#define PUBLISH_MS 1000 /* how often a long first load shows what it has stored */

/* Flags tmail keeps in sync with the server (Recent is the server's own). */
#define SYNCED_FLAGS                                                                               \
    (TM_FLAG_SEEN | TM_FLAG_ANSWERED | TM_FLAG_FLAGGED | TM_FLAG_DELETED | TM_FLAG_DRAFT |         \
     TM_FLAG_PASSED)

struct fetch_run {
    struct tm_session *s;
    int64_t mailbox_id;
    const char *name;
    struct tm_sync_result *res;
    uint32_t min_uid; /* responses for smaller uids are not new (the "n:*" rule) */
    int64_t in_batch; /* rows written since the last commit */
    int64_t done;     /* for progress */
    int64_t total;
    uint32_t *uids; /* full flag fetch / search: every uid the server has */
    size_t n_uids, cap_uids;
    uint32_t *undated; /* new messages whose header has no usable Date: INTERNALDATE later */
    size_t n_undated, cap_undated;
    bool deferred;             /* a first load: display rows come at the end (or publish) */
    struct timespec published; /* when the deferred rows were last shown */
};

static enum tm_status begin(struct tm_session *s, struct tm_error *err)
{
    return tm_store_begin(s->env->store, err);
}

static enum tm_status commit(struct tm_session *s, struct tm_error *err)
{
    return tm_store_commit(s->env->store, err);
}

/* Commits what the step before wrote, also after it failed (complete rows are worth keeping);
 * returns the first failure, with err describing that one. */
static enum tm_status end_batch(struct tm_session *s, enum tm_status st, struct tm_error *err)
{
    struct tm_error cerr;
    tm_error_clear(&cerr);
    enum tm_status cst = commit(s, &cerr);
    if (!st && cst && err)
        *err = cerr;
    return st ? st : cst;
}

/* During a long first load, readers (the index behind the sync) see the rows stored so far,
 * unordered, every PUBLISH_MS; a load shorter than that writes display rows once, at the end. */
static enum tm_status maybe_publish(struct fetch_run *run, struct tm_error *err)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - run->published.tv_sec) * 1000 +
              (now.tv_nsec - run->published.tv_nsec) / 1000000;
    if (ms < PUBLISH_MS)
        return TM_OK;
    run->published = now;
    return tm_store_display_publish(run->s->env->store, run->mailbox_id, err);
}

/* Commits every BATCH_ROWS rows so a dropped connection keeps what arrived. */
static enum tm_status batch_step(struct fetch_run *run, struct tm_error *err)
{
    if (++run->in_batch < BATCH_ROWS)
        return TM_OK;
    run->in_batch = 0;
    enum tm_status st = run->deferred ? maybe_publish(run, err) : TM_OK;
    if (!st)
        st = commit(run->s, err);
    return st ? st : begin(run->s, err);
}

static void progress(struct fetch_run *run)
{
    const struct tm_backend_env *env = run->s->env;
    if (env->progress)
        env->progress(env->progress_ctx, run->name, run->done, run->total);
}

enum tm_status imap_apply_fetch_flags(struct tm_session *s, const struct imap_fetch *f,
                                      struct tm_sync_result *res, struct tm_error *err)
{
    if (f->has_modseq && f->modseq > s->live.highest_modseq && s->live.highest_modseq)
        s->live.highest_modseq = f->modseq;
    int64_t id;
    unsigned old;
    enum tm_status st =
        tm_store_message_find_uid(s->env->store, s->selected_id, f->uid, &id, &old, err);
    if (st == TM_ENOENT) /* not cached yet: the next new-message fetch brings it */
        return TM_OK;
    if (st)
        return st;
    unsigned flags = (old & ~SYNCED_FLAGS) | (f->flags & SYNCED_FLAGS);
    if (flags == old)
        return TM_OK;
    st = tm_store_message_set_flags(s->env->store, id, flags, NULL, err);
    if (!st && res)
        res->changed++;
    return st;
}

enum tm_status imap_apply_vanished(struct tm_session *s, const struct imap_seqset *set,
                                   struct tm_sync_result *res, struct tm_error *err)
{
    for (size_t i = 0; i < set->n; i++) {
        for (uint64_t uid = set->ranges[i].lo; uid <= set->ranges[i].hi; uid++) {
            int deleted = 0;
            enum tm_status st = tm_store_message_delete_uid(s->env->store, s->selected_id,
                                                            (int64_t)uid, &deleted, err);
            if (st)
                return st;
            if (res)
                res->removed += deleted;
        }
    }
    return TM_OK;
}

static enum tm_status remember_uid(struct fetch_run *run, uint32_t uid, struct tm_error *err)
{
    if (TM_ARRAY_RESERVE(run->uids, run->n_uids, run->cap_uids, 4096))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    run->uids[run->n_uids++] = uid;
    return TM_OK;
}

/* Writes one new message's row (its header already parsed). */
static enum tm_status store_row(struct tm_session *s, void *ctx, uint32_t uid, unsigned flags,
                                int64_t date, int64_t size, const struct tm_envelope *env,
                                struct tm_error *err)
{
    struct fetch_run *run = ctx;
    struct tm_message_row row = {
        .mailbox_id = run->mailbox_id,
        .uid = uid, /* and so its key (tm_store_uid_key) */
        .flags = flags & ~TM_FLAG_RECENT,
        .date = date,
        .size = size,
        .from_name = env->from_name,
        .from_addr = env->from_addr,
        .to_addrs = env->to,
        .subject = env->subject,
        .message_id = env->message_id,
        .in_reply_to = env->in_reply_to,
        .references = env->references,
    };
    enum tm_status st = tm_store_message_upsert(s->env->store, &row, err);
    if (st)
        return st;
    if (date == 0) {
        if (TM_ARRAY_RESERVE(run->undated, run->n_undated, run->cap_undated, 64))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        run->undated[run->n_undated++] = uid;
    }
    run->res->added++;
    run->done++;
    progress(run);
    return batch_step(run, err);
}

/* A FETCH of the new-message command that the pipeline did not turn into a row: a flag change
 * of an older message (the "n:*" rule, or another client), or a malformed one (reported). */
static enum tm_status on_new_message(struct tm_session *s, void *ctx, const struct imap_response *r,
                                     struct tm_error *err)
{
    struct fetch_run *run = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!imap_fetch_of(r, &f, &st, err))
        return st;
    if (!f.has_uid)
        return TM_OK;
    if (f.uid < run->min_uid || !f.header)
        return f.has_flags ? imap_apply_fetch_flags(s, &f, run->res, err) : TM_OK;
    struct tm_envelope env = {0};
    struct tm_error local;
    if (tm_mime_envelope_parse_fb(f.header, f.header_len, s->env->charset_fallback, &env, &local) ==
        TM_ENOMEM)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    int64_t date = env.date ? env.date : f.has_internaldate ? f.internaldate : 0;
    st = store_row(s, run, f.uid, f.flags, date, f.has_size ? (int64_t)f.size : 0, &env, err);
    tm_mime_envelope_cleanup(&env);
    return st;
}

/* One INTERNALDATE of fill_dates: the message's date from now on. */
static enum tm_status on_internaldate(struct tm_session *s, void *ctx,
                                      const struct imap_response *r, struct tm_error *err)
{
    (void)ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!imap_fetch_of(r, &f, &st, err))
        return st;
    if (!f.has_uid || !f.has_internaldate)
        return f.has_flags ? imap_apply_fetch_flags(s, &f, NULL, err) : TM_OK;
    int64_t id;
    st = tm_store_message_find_uid(s->env->store, s->selected_id, f.uid, &id, NULL, err);
    if (st == TM_ENOENT) /* expunged meanwhile */
        return TM_OK;
    return st ? st : tm_store_message_set_date(s->env->store, id, f.internaldate, err);
}

/* The arrival time (INTERNALDATE) of the new messages whose header has no usable Date, in
 * commands of at most a few kB of UID set. Asked for separately because the header FETCH of a
 * big mailbox costs the server a third more time with INTERNALDATE in it (Dovecot reads each
 * file's time), while messages without a Date header are rare. */
static enum tm_status fill_dates(struct fetch_run *run, struct tm_error *err)
{
    struct tm_session *s = run->s;
    enum tm_status st = TM_OK;
    for (size_t at = 0; !st && at < run->n_undated;) {
        char tag[16];
        imap_cmd_begin(s, tag, sizeof(tag));
        if ((st = tm_buf_appendf(&s->cmd, "UID FETCH ")))
            return tm_error_set(err, st, _("out of memory"));
        size_t used = imap_seqset_format(run->undated + at, run->n_undated - at, 4000, &s->cmd);
        if (used == 0 || (st = tm_buf_appendf(&s->cmd, " (UID INTERNALDATE)")))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        at += used;
        if ((st = begin(s, err)))
            return st;
        st = end_batch(s, imap_cmd_run(s, tag, false, on_internaldate, run, TM_OK, err), err);
    }
    return st;
}

/* Fetches the headers of every message with a uid above the cache's largest. */
static enum tm_status fetch_new(struct fetch_run *run, struct tm_error *err)
{
    struct tm_session *s = run->s;
    int64_t max_uid = 0, count = 0;
    enum tm_status st = tm_store_message_max_uid(s->env->store, run->mailbox_id, &max_uid, err);
    if (!st)
        st = tm_store_message_count(s->env->store, run->mailbox_id, &count, err);
    if (st)
        return st;
    if (s->live.exists <= (uint64_t)count && s->live.uidnext && s->live.uidnext <= max_uid + 1)
        return TM_OK; /* nothing new: no round trip */
    if (s->live.exists == 0)
        return TM_OK;
    run->min_uid = (uint32_t)max_uid + 1;
    run->done = count;
    run->total = (int64_t)s->live.exists;
    progress(run);
    if ((st = begin(s, err)))
        return st;
    if (count == 0) { /* a first load (or after a reset): the order is written once, after */
        if ((st = tm_store_display_defer(s->env->store, run->mailbox_id, err)))
            return end_batch(s, st, err);
        run->deferred = true;
        clock_gettime(CLOCK_MONOTONIC, &run->published);
    }
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    st = tm_buf_appendf(&s->cmd,
                        "UID FETCH %u:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
                        "(" HEADER_FIELDS ")])",
                        (unsigned)run->min_uid);
    if (st)
        st = tm_error_set(err, st, _("out of memory"));
    else
        st = imap_fetch_pipelined(s, tag, run->min_uid, store_row, on_new_message, run, err);
    /* Keep every complete row even when the connection dropped, and show it: the next sync
     * resumes, and its new order completes the display rows. */
    if (st && run->deferred) {
        struct tm_error perr;
        tm_store_display_publish(s->env->store, run->mailbox_id, &perr);
    }
    st = end_batch(s, st, err);
    return st ? st : fill_dates(run, err);
}

/* Flag changes (and for the full fetch, the set of uids) of messages already cached. */
static enum tm_status on_flags(struct tm_session *s, void *ctx, const struct imap_response *r,
                               struct tm_error *err)
{
    struct fetch_run *run = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!imap_fetch_of(r, &f, &st, err))
        return st;
    if (!f.has_uid)
        return st;
    if (run->uids && (st = remember_uid(run, f.uid, err)))
        return st;
    if (!f.has_flags)
        return TM_OK;
    st = imap_apply_fetch_flags(s, &f, run->res, err);
    return st ? st : batch_step(run, err);
}

struct uid_diff {
    const uint32_t *uids; /* sorted */
    size_t n, pos;
    int64_t *gone;
    size_t n_gone, cap_gone;
    enum tm_status st;
};

static int cmp_uid(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int diff_one(void *ctx, int64_t id, int64_t uid, unsigned flags)
{
    (void)flags;
    struct uid_diff *d = ctx;
    while (d->pos < d->n && d->uids[d->pos] < uid)
        d->pos++;
    if (d->pos < d->n && d->uids[d->pos] == uid)
        return 0;
    if (TM_ARRAY_RESERVE(d->gone, d->n_gone, d->cap_gone, 256)) {
        d->st = TM_ENOMEM;
        return 1;
    }
    d->gone[d->n_gone++] = id;
    return 0;
}

/* Deletes cached messages whose uid the server no longer has (run->uids holds the server's). */
static enum tm_status drop_missing(struct fetch_run *run, struct tm_error *err)
{
    qsort(run->uids, run->n_uids, sizeof(*run->uids), cmp_uid);
    struct uid_diff d = {.uids = run->uids, .n = run->n_uids};
    struct tm_store *store = run->s->env->store;
    enum tm_status st = tm_store_message_each_uid(store, run->mailbox_id, diff_one, &d, err);
    if (!st && d.st)
        st = tm_error_set(err, d.st, _("out of memory"));
    for (size_t i = 0; !st && i < d.n_gone; i++)
        if (!(st = tm_store_message_delete(store, d.gone[i], err)))
            run->res->removed++;
    free(d.gone);
    return st;
}

static enum tm_status on_search(struct tm_session *s, void *ctx, const struct imap_response *r,
                                struct tm_error *err)
{
    struct fetch_run *run = ctx;
    if (!r->keyword || (strcmp(r->keyword, "SEARCH") != 0 && strcmp(r->keyword, "ESEARCH") != 0))
        return r->keyword && strcmp(r->keyword, "FETCH") == 0 ? imap_default_untagged(s, r, err)
                                                              : TM_OK;
    struct imap_seqset set = {0};
    enum tm_status st = imap_search_decode(r, &set, err);
    for (size_t i = 0; !st && i < set.n; i++)
        for (uint64_t u = set.ranges[i].lo; !st && u <= set.ranges[i].hi; u++)
            st = remember_uid(run, (uint32_t)u, err);
    imap_seqset_cleanup(&set);
    return st;
}

/* Without VANISHED: asks for every uid and drops the cached messages that are gone. */
static enum tm_status expunge_by_search(struct fetch_run *run, struct tm_error *err)
{
    struct tm_session *s = run->s;
    run->n_uids = 0;
    if (!run->uids && remember_uid(run, 0, err)) /* allocates; uid 0 never matches */
        return TM_ENOMEM;
    bool esearch = imap_caps_has(&s->caps, IMAP_CAP_ESEARCH);
    enum tm_status st =
        imap_simple(s, on_search, run, err, "UID SEARCH %sALL", esearch ? "RETURN (ALL) " : "");
    if (!st && !(st = begin(s, err))) {
        st = end_batch(s, drop_missing(run, err), err);
    }
    return st;
}

/* Flags of cached messages, and expunges, after SELECT. */
static enum tm_status resync_cached(struct fetch_run *run, bool qresync_done, uint64_t since_modseq,
                                    struct tm_error *err)
{
    struct tm_session *s = run->s;
    int64_t max_uid = 0, count = 0;
    enum tm_status st = tm_store_message_max_uid(s->env->store, run->mailbox_id, &max_uid, err);
    if (st || max_uid == 0 || qresync_done)
        return st;
    if ((st = begin(s, err)))
        return st;
    if (s->condstore_enabled && since_modseq && s->live.highest_modseq) {
        st = imap_simple(s, on_flags, run, err,
                         "UID FETCH 1:%lld (UID FLAGS) (CHANGEDSINCE %llu%s)", (long long)max_uid,
                         (unsigned long long)since_modseq, s->qresync_enabled ? " VANISHED" : "");
        if ((st = end_batch(s, st, err)) || s->qresync_enabled)
            return st;
        if ((st = tm_store_message_count(s->env->store, run->mailbox_id, &count, err)))
            return st;
        return (uint64_t)count > s->live.exists ? expunge_by_search(run, err) : TM_OK;
    }
    /* No CONDSTORE: every flag, and the uid list that shows expunges. */
    run->n_uids = 0;
    if (!run->uids && (st = remember_uid(run, 0, err)))
        goto fail;
    run->n_uids = 0;
    st = imap_simple(s, on_flags, run, err, "UID FETCH 1:%lld (UID FLAGS)", (long long)max_uid);
    if (!st)
        st = drop_missing(run, err);
fail:
    return end_batch(s, st, err);
}

enum tm_status imap_select(struct tm_session *s, const char *name, int64_t mailbox_id,
                           struct tm_sync_result *res, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    struct tm_mailbox_state state;
    enum tm_status st = tm_store_mailbox_get_state(store, mailbox_id, &state, err);
    if (st)
        return st;
    free(s->selected);
    s->selected = strdup(name);
    if (!s->selected)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    s->selected_id = mailbox_id;
    memset(&s->live, 0, sizeof(s->live));
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    st = tm_buf_append_str(&s->cmd, "SELECT ") ? TM_ENOMEM : imap_cmd_mailbox(s, name, err);
    bool qresync = s->qresync_enabled && state.uidvalidity && state.highest_modseq;
    if (!st && qresync)
        st = tm_buf_appendf(&s->cmd, " (QRESYNC (%lld %lld))", (long long)state.uidvalidity,
                            (long long)state.highest_modseq);
    if (!st)
        st = begin(s, err);
    if (st)
        return st == TM_ENOMEM ? tm_error_set(err, st, _("out of memory")) : st;
    struct tm_sync_result ignored = {0};
    (void)ignored;
    st = end_batch(s, imap_cmd_run(s, tag, false, NULL, NULL, TM_ENOENT, err), err);
    if (st) {
        free(s->selected);
        s->selected = NULL;
        s->selected_id = 0;
        if (st == TM_ENOENT)
            tm_error_set(err, TM_ENOENT, _("%s cannot open mailbox %s: %s"), s->srv.host, name,
                         err->server_reply);
        return st;
    }
    if (!s->live.uidvalidity)
        return tm_error_set(err, TM_EPROTO, _("%s sent no UIDVALIDITY for %s"), s->srv.host, name);
    if (state.uidvalidity && state.uidvalidity != s->live.uidvalidity) {
        int64_t before = 0;
        tm_store_message_count(store, mailbox_id, &before, NULL);
        tm_log(TM_LOG_WARN, "imap %s: UIDVALIDITY of %s changed (%lld -> %u): cache dropped",
               s->account_name, name, (long long)state.uidvalidity, s->live.uidvalidity);
        if ((st = tm_store_mailbox_reset(store, mailbox_id, err)))
            return st;
        if (res)
            res->removed += before;
        state.highest_modseq = 0;
    }
    if (!state.uidvalidity || state.uidvalidity != s->live.uidvalidity) {
        /* Tie the rows that follow to this UIDVALIDITY at once; the modseq only at the end. */
        struct tm_mailbox_state fresh = {s->live.uidvalidity, 0, 0};
        if ((st = tm_store_mailbox_set_state(store, mailbox_id, &fresh, err)))
            return st;
    }
    return TM_OK;
}

/* One prefetched body: cached for reading offline. */
static enum tm_status on_prefetch(struct tm_session *s, void *ctx, const struct imap_response *r,
                                  struct tm_error *err)
{
    struct fetch_run *run = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!imap_fetch_of(r, &f, &st, err))
        return st;
    if (st || !f.has_uid || !f.body || f.uid < run->min_uid)
        return st                         ? st
               : f.has_uid && f.has_flags ? imap_apply_fetch_flags(s, &f, NULL, err)
                                          : TM_OK;
    int64_t id;
    st = tm_store_message_find_uid(s->env->store, run->mailbox_id, f.uid, &id, NULL, err);
    if (st == TM_ENOENT)
        return TM_OK;
    return st ? st : tm_store_body_put(s->env->store, id, f.body, f.body_len, err);
}

/* prefetch_bodies: the bodies of the messages that just arrived, so they read offline. */
static enum tm_status prefetch_new(struct fetch_run *run, struct tm_error *err)
{
    struct tm_session *s = run->s;
    enum tm_status st = begin(s, err);
    if (st)
        return st;
    st = imap_simple(s, on_prefetch, run, err, "UID FETCH %u:* (UID BODY.PEEK[])",
                     (unsigned)run->min_uid);
    return end_batch(s, st, err);
}

/* Whether info (a STATUS) proves current the cache of a mailbox holding count messages with
 * state: a mailbox never synced only when empty (its state is then taken from info). */
static bool status_proves_current(const struct tm_session *s, const struct imap_status_info *info,
                                  const struct tm_mailbox_state *state, int64_t count)
{
    if (!info->has_uidvalidity || !info->has_uidnext || !info->has_messages ||
        info->messages != (uint64_t)count)
        return false;
    if (!state->uidvalidity)
        return info->messages == 0;
    if ((uint64_t)state->uidvalidity != info->uidvalidity ||
        (uint64_t)state->uidnext != info->uidnext)
        return false;
    bool modseq = s->condstore_enabled && info->has_highestmodseq;
    if (modseq && (uint64_t)state->highest_modseq != info->highestmodseq)
        return false;
    /* Flag changes show only in HIGHESTMODSEQ (0 for a mailbox without one, RFC 7162 3.1.2.2):
     * without it only a mailbox with no messages is known to be unchanged. */
    return info->messages == 0 || (modseq && info->highestmodseq != 0);
}

enum tm_status imap_sync_by_status(struct tm_session *s, const char *name, int64_t mailbox_id,
                                   bool *done, struct tm_error *err)
{
    *done = false;
    struct imap_status_info info;
    if (!imap_listed_take(s, name, &info))
        return TM_OK;
    struct tm_store *store = s->env->store;
    struct tm_mailbox_state state;
    int64_t count = 0;
    enum tm_status st = TM_OK;
    /* The selected mailbox costs no SELECT, and what it said since is newer than a STATUS. */
    if (s->selected_id != mailbox_id &&
        !(st = tm_store_mailbox_get_state(store, mailbox_id, &state, err)) &&
        !(st = tm_store_message_count(store, mailbox_id, &count, err)) &&
        status_proves_current(s, &info, &state, count)) {
        /* As imap_sync_mailbox ends after a SELECT that brought nothing new. The STATUS counts
         * are not recorded: a SELECT does not record them either (the folder list counts the
         * cache). */
        struct tm_mailbox_state now = {
            (int64_t)info.uidvalidity, (int64_t)info.uidnext,
            s->condstore_enabled && info.has_highestmodseq ? (int64_t)info.highestmodseq : 0};
        *done = !(st = tm_store_mailbox_set_state(store, mailbox_id, &now, err));
    }
    if (*done)
        tm_log(TM_LOG_DEBUG, "imap %s: %s: nothing new by STATUS, not selected", s->account_name,
               name);
    imap_status_info_cleanup(&info);
    return st;
}

enum tm_status imap_sync_mailbox(struct tm_session *s, const char *name, int64_t mailbox_id,
                                 struct tm_sync_result *res, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    struct tm_mailbox_state state;
    struct fetch_run run = {.s = s, .mailbox_id = mailbox_id, .name = name, .res = res};
    enum tm_status st = tm_store_mailbox_get_state(store, mailbox_id, &state, err);
    if (st)
        return st;
    bool qresync_done = false;
    uint64_t since = (uint64_t)state.highest_modseq;
    s->counting = res;
    if (s->selected_id != mailbox_id || !s->stream) {
        if ((st = imap_ensure_connected(s, err)) ||
            (st = imap_select(s, name, mailbox_id, res, err))) {
            s->counting = NULL;
            return st;
        }
        /* SELECT (QRESYNC ...) already brought flag changes and VANISHED */
        qresync_done = s->qresync_enabled && state.uidvalidity == s->live.uidvalidity &&
                       state.highest_modseq && s->live.highest_modseq;
        if (state.uidvalidity != s->live.uidvalidity)
            since = 0;
    } else if (s->live.expunged_by_seq) {
        since = 0; /* sequence-number expunges: compare uid lists */
    }
    s->live.changed = false;
    if (since && s->live.highest_modseq && since == s->live.highest_modseq &&
        !s->live.expunged_by_seq)
        qresync_done = true; /* nothing changed since the last sync */
    st = resync_cached(&run, qresync_done, since, err);
    if (!st) {
        s->live.expunged_by_seq = false;
        int64_t added_before = res->added;
        st = fetch_new(&run, err);
        /* new mail only: never the whole mailbox on a first sync */
        if (!st && s->srv.prefetch_bodies && state.uidvalidity && res->added > added_before)
            st = prefetch_new(&run, err);
    }
    free(run.uids);
    free(run.undated);
    s->counting = NULL;
    if (st)
        return st;
    struct tm_mailbox_state now = {s->live.uidvalidity, s->live.uidnext,
                                   (int64_t)s->live.highest_modseq};
    return tm_store_mailbox_set_state(store, mailbox_id, &now, err);
}
