/* imap_pending.c - flag changes on the server (UID STORE, RFC 9051 6.4.6) that work offline: the
 * cache changes at once, and a change the server cannot take now is queued in the store and
 * replayed, in order, when the connection is back. */
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

static enum tm_status queue_flags(struct tm_session *s, int64_t mailbox_id, uint32_t uid,
                                  unsigned add, unsigned clear, struct tm_error *err)
{
    struct tm_pending_op op = {
        .account_id = s->account_id,
        .mailbox_id = mailbox_id,
        .uid = uid,
        .kind = TM_PENDING_FLAGS,
        .flags_add = add,
        .flags_clear = clear,
        .created = (int64_t)time(NULL),
    };
    int64_t id;
    enum tm_status st = tm_store_pending_add(s->env->store, &op, &id, err);
    if (!st)
        tm_log(TM_LOG_INFO, "imap %s: offline: flag change of uid %u queued", s->account_name,
               (unsigned)uid);
    return st;
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

struct collected {
    struct tm_pending_op *ops;
    size_t n, cap;
    enum tm_status st;
};

static int collect(void *ctx, const struct tm_pending_op *op)
{
    struct collected *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void *p = realloc(c->ops, cap * sizeof(*c->ops));
        if (!p) {
            c->st = TM_ENOMEM;
            return 1;
        }
        c->ops = p;
        c->cap = cap;
    }
    c->ops[c->n] = *op;
    c->ops[c->n].target = NULL; /* flags need no target; moves are not queued yet */
    c->ops[c->n].last_error = NULL;
    c->n++;
    return 0;
}

enum tm_status imap_pending_replay(struct tm_session *s, struct tm_error *err)
{
    struct collected c = {0};
    struct tm_store *store = s->env->store;
    enum tm_status st = tm_store_pending_each(store, s->account_id, collect, &c, err);
    if (!st && c.st)
        st = tm_error_set(err, c.st, _("out of memory"));
    for (size_t i = 0; !st && i < c.n; i++) {
        const struct tm_pending_op *op = &c.ops[i];
        if (op->kind != TM_PENDING_FLAGS || op->attempts >= MAX_ATTEMPTS)
            continue;
        if (!imap_mailbox_name(s, op->mailbox_id))
            continue; /* its mailbox is not open in this session: replayed when it is */
        struct tm_error local;
        tm_error_clear(&local);
        enum tm_status ost = imap_select_for(s, op->mailbox_id, &local);
        if (!ost)
            ost = store_on_server(s, (uint32_t)op->uid, op->flags_add, op->flags_clear, &local);
        if (imap_is_offline_error(ost)) {
            if (err)
                *err = local;
            st = ost;
        } else if (ost) {
            tm_log(TM_LOG_WARN, "imap %s: queued flag change of uid %lld refused: %s",
                   s->account_name, (long long)op->uid, local.message);
            st = tm_store_pending_failed(store, op->id, local.message, err);
        } else {
            st = tm_store_pending_done(store, op->id, err);
        }
    }
    free(c.ops);
    return st;
}
