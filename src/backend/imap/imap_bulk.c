/* imap_bulk.c - flag changes, copies and moves of many messages at once (tagged messages): UID
 * STORE, UID COPY, UID MOVE (RFC 6851) and the COPY + STORE \Deleted + UID EXPUNGE (RFC 4315)
 * fallback, each on UID sets (RFC 9051 9 sequence-set) of at most CHUNK_UIDS uids and
 * CHUNK_BYTES bytes, the commands pipelined (imap_pipeline.c). The store ends up as the
 * single-message operations (imap_pending.c, imap_move.c) leave it, and what the server cannot
 * take now is queued per message, as they queue it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

#define CHUNK_UIDS  1000 /* uids in one command at most */
#define CHUNK_BYTES 8000 /* bytes of its UID set at most: servers limit a line (Dovecot 64 KB) */

struct bulk_item {
    int64_t id, mailbox_id;
    uint32_t uid;
    unsigned flags; /* the cached flags before the operation */
};

/* One command's messages: items[lo, hi), all of one mailbox. */
struct chunk {
    size_t lo, hi;
    enum tm_status st; /* the outcome of its last command */
    bool copied;       /* a fallback move's COPY went through */
};

struct bulk {
    struct bulk_item *items;
    uint32_t *uids; /* items' uids, in the same order */
    size_t n;
    struct chunk *chunks;
    size_t n_chunks;
};

static int item_cmp(const void *a, const void *b)
{
    const struct bulk_item *x = a, *y = b;
    if (x->mailbox_id != y->mailbox_id)
        return x->mailbox_id < y->mailbox_id ? -1 : 1;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static void bulk_cleanup(struct bulk *b)
{
    free(b->items);
    free(b->uids);
    free(b->chunks);
    memset(b, 0, sizeof(*b));
}

/* Splits the sorted items into chunks that fit a command. */
static enum tm_status make_chunks(struct bulk *b, struct tm_error *err)
{
    struct tm_buf set;
    tm_buf_init(&set, 0);
    b->chunks = calloc(b->n ? b->n : 1, sizeof(*b->chunks));
    if (!b->chunks)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < b->n;) {
        size_t end = i + 1;
        while (end < b->n && end - i < CHUNK_UIDS &&
               b->items[end].mailbox_id == b->items[i].mailbox_id)
            end++;
        tm_buf_reset(&set);
        size_t k = imap_seqset_format(b->uids + i, end - i, CHUNK_BYTES, &set);
        if (k == 0) {
            tm_buf_cleanup(&set);
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
        b->chunks[b->n_chunks++] = (struct chunk){i, i + k, TM_OK, false};
        i += k;
    }
    tm_buf_cleanup(&set);
    return TM_OK;
}

/* The cached rows of ids, sorted by mailbox and uid, duplicates dropped, cut into chunks. A
 * message without a uid fails the whole call, as it fails the single operation. */
static enum tm_status bulk_load(struct tm_session *s, const int64_t *ids, size_t n, struct bulk *b,
                                struct tm_error *err)
{
    memset(b, 0, sizeof(*b));
    b->items = calloc(n ? n : 1, sizeof(*b->items));
    b->uids = calloc(n ? n : 1, sizeof(*b->uids));
    if (!b->items || !b->uids)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < n; i++) {
        struct tm_message_row row = {0};
        enum tm_status st = tm_store_message_get(s->env->store, ids[i], &row, err);
        if (st)
            return st;
        uint32_t uid = row.uid > 0 && row.uid <= UINT32_MAX ? (uint32_t)row.uid : 0;
        b->items[i] = (struct bulk_item){ids[i], row.mailbox_id, uid, row.flags};
        tm_message_row_cleanup(&row);
        if (!uid)
            return tm_error_set(err, TM_ENOENT, _("message %lld has no IMAP uid"),
                                (long long)ids[i]);
    }
    qsort(b->items, n, sizeof(*b->items), item_cmp);
    for (size_t i = 0; i < n; i++) {
        if (b->n && item_cmp(&b->items[b->n - 1], &b->items[i]) == 0)
            continue;
        b->items[b->n] = b->items[i];
        b->uids[b->n++] = b->items[i].uid;
    }
    return make_chunks(b, err);
}

enum verb { V_COPY, V_MOVE, V_STORE_ADD, V_STORE_CLEAR, V_EXPUNGE };

/* Builds chunk c's command of verb in s->cmd (flags: the STORE's list, to: COPY's, MOVE's). */
static enum tm_status build(struct tm_session *s, const struct bulk *b, const struct chunk *c,
                            enum verb v, const char *flags, const char *to, char tag[16],
                            struct tm_error *err)
{
    static const char *const verbs[] = {"UID COPY ", "UID MOVE ", "UID STORE ", "UID STORE ",
                                        "UID EXPUNGE "};
    imap_cmd_begin(s, tag, 16);
    if (tm_buf_append_str(&s->cmd, verbs[v]) ||
        imap_seqset_format(b->uids + c->lo, c->hi - c->lo, SIZE_MAX, &s->cmd) != c->hi - c->lo)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (v == V_COPY || v == V_MOVE)
        return tm_buf_append_char(&s->cmd, ' ') ? tm_error_set(err, TM_ENOMEM, _("out of memory"))
                                                : imap_cmd_mailbox(s, to, err);
    if ((v == V_STORE_ADD || v == V_STORE_CLEAR) &&
        tm_buf_appendf(&s->cmd, " %cFLAGS.SILENT (%s)", v == V_STORE_ADD ? '+' : '-', flags))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    return TM_OK;
}

/* Runs verb on each chunk of [lo, hi) whose st is `when` (pipelined, IMAP_PIPELINE_MAX at a
 * time), setting its st to the command's outcome; a chunk never answered gets the connection's
 * failure. *failure gets the first refusal's error. */
static void run_chunks(struct tm_session *s, struct bulk *b, size_t lo, size_t hi,
                       enum tm_status when, enum verb v, const char *flags, const char *to,
                       struct tm_error *failure)
{
    struct imap_pipeline *pp = malloc(sizeof(*pp));
    if (!pp) {
        for (size_t c = lo; c < hi; c++)
            if (b->chunks[c].st == when)
                b->chunks[c].st = tm_error_set(failure, TM_ENOMEM, _("out of memory"));
        return;
    }
    struct chunk *sent[IMAP_PIPELINE_MAX];
    for (size_t c = lo; c < hi;) {
        imap_pipeline_init(pp, NULL, NULL, TM_OK);
        struct tm_error net;
        tm_error_clear(&net);
        enum tm_status st = TM_OK;
        size_t k = 0;
        for (; c < hi && k < IMAP_PIPELINE_MAX; c++) {
            if (b->chunks[c].st != when)
                continue;
            char tag[16];
            if (!st && !(st = build(s, b, &b->chunks[c], v, flags, to, tag, &net)))
                st = imap_pipeline_send(s, pp, tag, &net);
            if (st)
                b->chunks[c].st = st; /* not sent */
            else
                sent[k++] = &b->chunks[c];
        }
        if (k && s->stream)
            st = imap_pipeline_finish(s, pp, &net);
        for (size_t i = 0; i < k; i++)
            sent[i]->st = pp->cs[i].done ? pp->result[i] : st ? st : TM_ENET;
        if (pp->failure.status && failure && !failure->status)
            *failure = pp->failure;
        else if (st && !imap_is_offline_error(st) && failure && !failure->status)
            *failure = net;
    }
    free(pp);
}

/* Whether a chunk of [lo, hi) failed because the server is unreachable. */
static bool any_offline(const struct bulk *b, size_t lo, size_t hi)
{
    for (size_t c = lo; c < hi; c++)
        if (imap_is_offline_error(b->chunks[c].st))
            return true;
    return false;
}

/* The chunks [lo, hi) of one mailbox: selects it and runs verb on those whose st is TM_ENET
 * (all at first); a connection found stale gets one more try, as the single operations do.
 * V_MOVE becomes V_COPY when the server has no MOVE (the fallback's first step): the verb
 * last sent is returned. */
static enum verb run_with_retry(struct tm_session *s, struct bulk *b, size_t lo, size_t hi,
                                enum verb v, const char *to, struct tm_error *failure)
{
    int64_t mailbox_id = b->items[b->chunks[lo].lo].mailbox_id;
    bool was_connected = s->stream != NULL;
    for (size_t c = lo; c < hi; c++)
        b->chunks[c].st = TM_ENET;
    for (int attempt = 0; attempt < 2; attempt++) {
        struct tm_error net;
        tm_error_clear(&net);
        enum tm_status st = imap_select_id(s, mailbox_id, &net);
        if (st) {
            for (size_t c = lo; c < hi; c++)
                if (imap_is_offline_error(b->chunks[c].st))
                    b->chunks[c].st = st;
            if (!imap_is_offline_error(st) && failure && !failure->status)
                *failure = net;
        } else { /* the capabilities are known once connected */
            if (v == V_MOVE && !imap_caps_has(&s->caps, IMAP_CAP_MOVE))
                v = V_COPY;
            run_chunks(s, b, lo, hi, TM_ENET, v, NULL, to, failure);
        }
        if (!any_offline(b, lo, hi) || !was_connected)
            break;
        was_connected = false;
        for (size_t c = lo; c < hi; c++) /* ENET again for the retry */
            if (imap_is_offline_error(b->chunks[c].st))
                b->chunks[c].st = TM_ENET;
    }
    return v;
}

/* The end of the chunks of the mailbox chunk lo belongs to. */
static size_t group_end(const struct bulk *b, size_t lo)
{
    size_t hi = lo + 1;
    while (hi < b->n_chunks &&
           b->items[b->chunks[hi].lo].mailbox_id == b->items[b->chunks[lo].lo].mailbox_id)
        hi++;
    return hi;
}

static enum tm_status queue_op(struct tm_session *s, int kind, const struct bulk_item *it,
                               unsigned add, unsigned clear, const char *target,
                               struct tm_error *err)
{
    struct tm_pending_op op = {.mailbox_id = it->mailbox_id,
                               .uid = it->uid,
                               .kind = kind,
                               .flags_add = add,
                               .flags_clear = clear,
                               .target = target};
    return imap_pending_queue(s, &op, err);
}

/* The first refusal as the call's error, or TM_OK. */
static enum tm_status finish(struct tm_error *failure, enum tm_status st, struct tm_error *err)
{
    if (!st && failure->status) {
        st = failure->status;
        if (err)
            *err = *failure;
    }
    return st;
}

/* The cache first, as for one message, in one transaction: a tagged batch can be thousands of
 * rows, and a commit each would cost more than the server's answer. */
static enum tm_status cache_flags(struct tm_store *store, const struct bulk *b, unsigned add,
                                  unsigned clear, struct tm_error *err)
{
    enum tm_status st = tm_store_begin(store, err);
    for (size_t i = 0; !st && i < b->n; i++) {
        unsigned now = (b->items[i].flags | add) & ~clear;
        if (now != b->items[i].flags)
            st = tm_store_message_set_flags(store, b->items[i].id, now, NULL, err);
    }
    if (st) {
        tm_store_rollback(store);
        return st;
    }
    return tm_store_commit(store, err);
}

enum tm_status imap_op_set_flags_many(struct tm_session *s, const int64_t *ids, size_t n,
                                      unsigned add, unsigned clear, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    struct bulk b;
    struct tm_buf list[2];
    struct tm_error failure;
    tm_error_clear(&failure);
    tm_buf_init(&list[0], 0);
    tm_buf_init(&list[1], 0);
    enum tm_status st = bulk_load(s, ids, n, &b, err);
    for (int pass = 0; !st && pass < 2; pass++) {
        unsigned bits = (pass == 0 ? add : clear) & ~TM_FLAG_RECENT;
        if (bits && (imap_flags_format(bits, &list[pass]) || !list[pass].data))
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    if (!st)
        st = cache_flags(store, &b, add, clear, err);
    for (size_t lo = 0; !st && lo < b.n_chunks;) {
        size_t hi = group_end(&b, lo);
        struct tm_error net;
        tm_error_clear(&net);
        enum tm_status sel = imap_select_id(s, b.items[b.chunks[lo].lo].mailbox_id, &net);
        for (size_t c = lo; c < hi; c++)
            b.chunks[c].st = sel;
        for (int pass = 0; !sel && pass < 2; pass++)
            if (list[pass].data)
                run_chunks(s, &b, lo, hi, TM_OK, pass == 0 ? V_STORE_ADD : V_STORE_CLEAR,
                           list[pass].data, NULL, &failure);
        if (sel && !imap_is_offline_error(sel) && !failure.status)
            failure = net;
        for (size_t c = lo; !st && c < hi; c++) {
            const struct chunk *ch = &b.chunks[c];
            for (size_t i = ch->lo; !st && i < ch->hi; i++) {
                if (imap_is_offline_error(ch->st))
                    st = queue_op(s, TM_PENDING_FLAGS, &b.items[i], add, clear, NULL, err);
                else if (ch->st) /* refused: the cache goes back to what the server has */
                    tm_store_message_set_flags(store, b.items[i].id, b.items[i].flags, NULL, NULL);
            }
        }
        lo = hi;
    }
    tm_buf_cleanup(&list[0]);
    tm_buf_cleanup(&list[1]);
    bulk_cleanup(&b);
    return finish(&failure, st, err);
}

enum tm_status imap_op_copy_many(struct tm_session *s, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err)
{
    if (!to_mailbox || !to_mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    struct bulk b;
    struct tm_error failure;
    tm_error_clear(&failure);
    enum tm_status st = bulk_load(s, ids, n, &b, err);
    for (size_t lo = 0; !st && lo < b.n_chunks;) {
        size_t hi = group_end(&b, lo);
        run_with_retry(s, &b, lo, hi, V_COPY, to_mailbox, &failure);
        for (size_t c = lo; !st && c < hi; c++)
            for (size_t i = b.chunks[c].lo; !st && i < b.chunks[c].hi; i++)
                if (imap_is_offline_error(b.chunks[c].st))
                    st = queue_op(s, TM_PENDING_COPY, &b.items[i], 0, 0, to_mailbox, err);
        lo = hi;
    }
    if (!st && b.n)
        tm_log(TM_LOG_DEBUG, "imap %s: %zu messages copied to %s in %zu commands", s->account_name,
               b.n, to_mailbox, b.n_chunks);
    bulk_cleanup(&b);
    return finish(&failure, st, err);
}

/* The fallback's STORE \Deleted and UID EXPUNGE on the chunks of [lo, hi) copied (st TM_OK);
 * afterwards st is TM_OK for the ones gone from the source. *left: no UIDPLUS, so they stay
 * flagged \Deleted (a plain EXPUNGE would take every \Deleted message). */
static void remove_copied(struct tm_session *s, struct bulk *b, size_t lo, size_t hi, bool *left,
                          struct tm_error *failure)
{
    char deleted[] = "\\Deleted";
    bool any = false;
    for (size_t c = lo; c < hi; c++)
        any = any || b->chunks[c].copied;
    if (!any)
        return;
    run_chunks(s, b, lo, hi, TM_OK, V_STORE_ADD, deleted, NULL, failure);
    *left = !imap_caps_has(&s->caps, IMAP_CAP_UIDPLUS);
    if (*left)
        tm_log(TM_LOG_WARN,
               "imap %s: %s has no UIDPLUS: moved messages of %s are left flagged \\Deleted",
               s->account_name, s->srv.host, s->selected ? s->selected : "?");
    else
        run_chunks(s, b, lo, hi, TM_OK, V_EXPUNGE, NULL, NULL, failure);
}

/* A chunk's rows after its move: gone (or flagged \Deleted when left), queued when the server
 * went away (the rest of a fallback once its COPY was done), kept when refused. */
static enum tm_status settle_moved(struct tm_session *s, const struct bulk *b,
                                   const struct chunk *ch, bool left, const char *to,
                                   struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    enum tm_status st = tm_store_begin(store, err); /* up to 1000 rows: one commit */
    for (size_t i = ch->lo; !st && i < ch->hi; i++) {
        const struct bulk_item *it = &b->items[i];
        if (imap_is_offline_error(ch->st)) {
            st = ch->copied ? imap_queue_move_rest(s, it->mailbox_id, it->uid, err)
                            : queue_op(s, TM_PENDING_MOVE, it, 0, 0, to, err);
            if (!st)
                st = tm_store_message_delete(store, it->id, err);
        } else if (!ch->st && left) {
            if (!(it->flags & TM_FLAG_DELETED))
                st = tm_store_message_set_flags(store, it->id, it->flags | TM_FLAG_DELETED, NULL,
                                                err);
        } else if (!ch->st) {
            st = tm_store_message_delete(store, it->id, err);
        }
    }
    if (st) {
        tm_store_rollback(store);
        return st;
    }
    return tm_store_commit(store, err);
}

enum tm_status imap_op_move_many(struct tm_session *s, const int64_t *ids, size_t n,
                                 const char *to_mailbox, struct tm_error *err)
{
    if (!to_mailbox || !to_mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    struct bulk b;
    struct tm_error failure;
    tm_error_clear(&failure);
    enum tm_status st = bulk_load(s, ids, n, &b, err);
    for (size_t lo = 0; !st && lo < b.n_chunks;) {
        size_t hi = group_end(&b, lo);
        bool left = false;
        if (run_with_retry(s, &b, lo, hi, V_MOVE, to_mailbox, &failure) == V_COPY) {
            struct tm_error removing;
            tm_error_clear(&removing);
            for (size_t c = lo; c < hi; c++)
                b.chunks[c].copied = b.chunks[c].st == TM_OK;
            remove_copied(s, &b, lo, hi, &left, &removing);
            if (removing.status && !failure.status) {
                failure = removing;
                tm_error_set(&failure, removing.status,
                             _("copied to %s, but not removed from this mailbox: %s"), to_mailbox,
                             removing.message);
            }
        }
        for (size_t c = lo; !st && c < hi; c++)
            st = settle_moved(s, &b, &b.chunks[c], left, to_mailbox, err);
        lo = hi;
    }
    if (!st && b.n)
        tm_log(TM_LOG_DEBUG, "imap %s: %zu messages moved to %s in %zu commands", s->account_name,
               b.n, to_mailbox, b.n_chunks);
    bulk_cleanup(&b);
    return finish(&failure, st, err);
}
