/* imap_pending.c - flag changes on the server (UID STORE, RFC 9051 6.4.6) that work offline: the
 * cache changes at once, and a change the server cannot take now is queued in the store and
 * replayed, in order, when the connection is back, with the queued copies, moves and expunges
 * (imap_move.c; RFC 4549 on disconnected clients). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

#define MAX_ATTEMPTS 3

/* UID STORE of add and clear on the selected mailbox. */
static enum tm_status store_on_server(struct tm_session *s, uint32_t uid, unsigned add,
                                      unsigned clear, struct tm_error *err)
{
    struct tm_buf list;
    tm_buf_init(&list, 0);
    enum tm_status st = TM_OK;
    for (int pass = 0; pass < 2 && !st; pass++) {
        unsigned bits = (pass == 0 ? add : clear) & ~TM_FLAG_RECENT;
        if (!bits)
            continue;
        tm_buf_reset(&list);
        if (imap_flags_format(bits, &list) || !list.data) {
            tm_buf_cleanup(&list);
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
        st = imap_simple(s, NULL, NULL, err, "UID STORE %u %cFLAGS.SILENT (%s)", (unsigned)uid,
                         pass == 0 ? '+' : '-', list.data);
    }
    tm_buf_cleanup(&list);
    return st;
}

static const char *kind_name(int kind)
{
    return kind == TM_PENDING_FLAGS  ? "flag change"
           : kind == TM_PENDING_COPY ? "copy"
           : kind == TM_PENDING_MOVE ? "move"
                                     : "expunge";
}

enum tm_status imap_pending_queue(struct tm_session *s, const struct tm_pending_op *op,
                                  struct tm_error *err)
{
    struct tm_pending_op q = *op;
    q.account_id = s->account_id;
    q.created = (int64_t)time(NULL);
    int64_t id;
    enum tm_status st = tm_store_pending_add(s->env->store, &q, &id, err);
    if (!st)
        tm_log(TM_LOG_INFO, "imap %s: offline: %s of uid %lld queued", s->account_name,
               kind_name(q.kind), (long long)q.uid);
    return st;
}

static enum tm_status queue_flags(struct tm_session *s, int64_t mailbox_id, uint32_t uid,
                                  unsigned add, unsigned clear, struct tm_error *err)
{
    struct tm_pending_op op = {
        .mailbox_id = mailbox_id,
        .uid = uid,
        .kind = TM_PENDING_FLAGS,
        .flags_add = add,
        .flags_clear = clear,
    };
    return imap_pending_queue(s, &op, err);
}

enum tm_status imap_store_flags(struct tm_session *s, int64_t mailbox_id, const char *mailbox,
                                uint32_t uid, unsigned add, unsigned clear, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    int64_t id;
    unsigned old;
    enum tm_status st = tm_store_message_find_uid(store, mailbox_id, uid, &id, &old, err);
    if (st)
        return st;
    unsigned now = (old | add) & ~clear;
    if (now != old && (st = tm_store_message_set_flags(store, id, now, NULL, err)))
        return st;
    struct tm_error net;
    tm_error_clear(&net);
    st = mailbox ? imap_select_for(s, mailbox_id, &net) : TM_ENET;
    if (!st)
        st = store_on_server(s, uid, add, clear, &net);
    if (st && imap_is_offline_error(st))
        return queue_flags(s, mailbox_id, uid, add, clear, err);
    if (st) { /* refused: the cache goes back to what the server has */
        tm_store_message_set_flags(store, id, old, NULL, NULL);
        if (err)
            *err = net;
    }
    return st;
}

/* Performs one queued op at the server. A move whose fallback got as far as its COPY before the
 * connection dropped is replaced by what is left of it (*done: the op is finished). An op whose
 * mailbox turned out to have a new UIDVALIDITY names another message now (RFC 4549 4.1): the
 * select dropped it from the store with the cache, and it is skipped (*done). */
static enum tm_status replay_one(struct tm_session *s, const struct tm_pending_op *op, bool *done,
                                 struct tm_error *err)
{
    uint32_t uid = op->uid > 0 && op->uid <= UINT32_MAX ? (uint32_t)op->uid : 0;
    bool copied = false, left = false;
    *done = false;
    struct tm_mailbox_state before;
    enum tm_status st = tm_store_mailbox_get_state(s->env->store, op->mailbox_id, &before, err);
    if (!st)
        st = imap_select_id(s, op->mailbox_id, err);
    if (st)
        return st;
    if (before.uidvalidity && before.uidvalidity != s->live.uidvalidity) {
        *done = true;
        return TM_OK;
    }
    switch (op->kind) {
    case TM_PENDING_FLAGS:
        return store_on_server(s, uid, op->flags_add, op->flags_clear, err);
    case TM_PENDING_COPY:
        return imap_uid_copy(s, uid, op->target, err);
    case TM_PENDING_MOVE:
        st = imap_uid_move(s, uid, op->target, &copied, &left, err);
        if (imap_is_offline_error(st) && copied) {
            struct tm_error local;
            if (!imap_queue_move_rest(s, op->mailbox_id, uid, &local))
                *done = true;
        }
        return st;
    case TM_PENDING_EXPUNGE:
        return imap_uid_expunge(s, uid, &left, err);
    default:
        return tm_error_set(err, TM_ENOTSUP, _("unknown queued operation %d"), op->kind);
    }
}

struct replay {
    struct tm_session *s;
    enum tm_status st; /* the first failure that stops the replay */
    struct tm_error err;
};

/* One op of the walk; the walk reads each op when it gets there, so ops that an earlier one's
 * select dropped (a UIDVALIDITY reset) are not seen. Returns nonzero to stop. */
static int replay_step(void *ctx, const struct tm_pending_op *op)
{
    struct replay *r = ctx;
    struct tm_session *s = r->s;
    struct tm_store *store = s->env->store;
    if (op->attempts >= MAX_ATTEMPTS)
        return 0;
    if ((op->kind == TM_PENDING_COPY || op->kind == TM_PENDING_MOVE) && !op->target)
        return 0; /* the store refuses to queue these */
    struct tm_error local;
    tm_error_clear(&local);
    bool done;
    enum tm_status ost = replay_one(s, op, &done, &local);
    if (done) {
        r->st = tm_store_pending_done(store, op->id, &r->err);
        if (!r->st && ost) {
            r->err = local;
            r->st = ost;
        }
    } else if (imap_is_offline_error(ost)) {
        r->err = local;
        r->st = ost;
    } else if (ost) {
        tm_log(TM_LOG_WARN, "imap %s: queued %s of uid %lld refused: %s", s->account_name,
               kind_name(op->kind), (long long)op->uid, local.message);
        r->st = tm_store_pending_failed(store, op->id, local.message, &r->err);
    } else {
        r->st = tm_store_pending_done(store, op->id, &r->err);
    }
    return r->st != TM_OK;
}

enum tm_status imap_pending_replay(struct tm_session *s, struct tm_error *err)
{
    struct replay r = {.s = s};
    tm_error_clear(&r.err);
    enum tm_status st = tm_store_pending_each(s->env->store, s->account_id, replay_step, &r, err);
    if (!st && r.st) {
        if (err)
            *err = r.err;
        st = r.st;
    }
    return st;
}
