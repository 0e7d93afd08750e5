/* imap_move.c - messages at the server: UID COPY (RFC 9051 6.4.7, COPYUID of RFC 4315 UIDPLUS),
 * UID MOVE (RFC 6851) or COPY + STORE \Deleted + UID EXPUNGE, EXPUNGE, APPEND with LITERAL+ /
 * LITERAL- (RFC 7888) or a synchronizing literal and [TRYCREATE], and UID SEARCH (ESEARCH of RFC
 * 4731, no CHARSET once UTF8=ACCEPT is enabled, RFC 6855 3). While the server is unreachable,
 * copy, move and expunge are queued (imap_pending.c) and the cache shows their effect at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

#define LITERAL_MINUS_MAX 4096 /* RFC 7888 4: LITERAL- allows non-synchronizing up to this */

/* What the end of a command said, beyond OK/NO/BAD. */
struct reply {
    bool continued; /* stopped at a "+" (the server waits for a literal) */
    bool trycreate; /* NO [TRYCREATE]: the target mailbox does not exist */
    bool has_new_uid;
    uint32_t new_uid;             /* COPYUID's (single) destination uid, APPENDUID's uid */
    enum tm_status first_failure; /* of the untagged handling, reported at the end */
    struct tm_error cb_err;
};

static void reply_codes(const struct imap_response *r, struct reply *rp)
{
    if (!r->code)
        return;
    if (strcmp(r->code, "TRYCREATE") == 0) {
        rp->trycreate = true;
        return;
    }
    struct tm_error ignored;
    uint32_t validity, uid;
    struct imap_seqset src, dst;
    if (strcmp(r->code, "COPYUID") == 0 &&
        !imap_copyuid_decode(r, &validity, &src, &dst, &ignored)) {
        if (dst.n == 1 && dst.ranges[0].lo == dst.ranges[0].hi) {
            rp->has_new_uid = true;
            rp->new_uid = dst.ranges[0].lo;
        }
        imap_seqset_cleanup(&src);
        imap_seqset_cleanup(&dst);
    } else if (strcmp(r->code, "APPENDUID") == 0 &&
               !imap_appenduid_decode(r, &validity, &uid, &ignored)) {
        rp->has_new_uid = true;
        rp->new_uid = uid;
    }
}

/* Reads responses up to the tagged reply to tag as imap_cmd_finish does, noting TRYCREATE,
 * COPYUID and APPENDUID in *rp; with stop_at_continuation it stops at a "+" instead. */
static enum tm_status await_reply(struct tm_session *s, const char *tag, bool stop_at_continuation,
                                  struct reply *rp, struct tm_error *err)
{
    enum tm_status st;
    for (;;) {
        struct imap_response r;
        if ((st = imap_read(s, &r, err)))
            return st;
        if (r.kind == IMAP_CONTINUATION) {
            if (stop_at_continuation) {
                rp->continued = true;
                return TM_OK;
            }
            imap_disconnect(s);
            return tm_error_set(err, TM_EPROTO, _("%s sent an unexpected continuation"),
                                s->srv.host);
        }
        if (r.kind == IMAP_TAGGED) {
            if (strcmp(r.tag, tag) != 0) {
                imap_disconnect(s);
                return tm_error_set(err, TM_EPROTO, _("%s answered an unknown command tag"),
                                    s->srv.host);
            }
            reply_codes(&r, rp);
            if (r.cond == IMAP_COND_OK) {
                if (rp->first_failure && err)
                    *err = rp->cb_err;
                return rp->first_failure;
            }
            imap_reply_to_error(&r, err);
            return tm_error_set(err, TM_EPROTO, _("%s refused the command: %s"), s->srv.host,
                                err ? err->server_reply : "");
        }
        bool consumed;
        enum tm_status cst = imap_untagged_common(s, &r, &consumed, &rp->cb_err);
        if (!cst && !consumed)
            cst = imap_default_untagged(s, &r, &rp->cb_err);
        if (cst && !rp->first_failure)
            rp->first_failure = cst;
    }
}

/* Starts "TAG VERB uid " + mailbox name in s->cmd. */
static enum tm_status begin_uid_command(struct tm_session *s, char tag[16], const char *verb,
                                        uint32_t uid, const char *to, struct tm_error *err)
{
    imap_cmd_begin(s, tag, 16);
    if (tm_buf_appendf(&s->cmd, "%s %u ", verb, (unsigned)uid))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    return imap_cmd_mailbox(s, to, err);
}

enum tm_status imap_uid_copy(struct tm_session *s, uint32_t uid, const char *to,
                             struct tm_error *err)
{
    char tag[16];
    struct reply rp = {0};
    enum tm_status st = begin_uid_command(s, tag, "UID COPY", uid, to, err);
    if (!st)
        st = imap_cmd_send(s, false, err);
    if (!st)
        st = await_reply(s, tag, false, &rp, err);
    if (!st && rp.has_new_uid) /* the target is synced when opened: nothing to store */
        tm_log(TM_LOG_DEBUG, "imap %s: uid %u copied to %s as uid %u", s->account_name,
               (unsigned)uid, to, (unsigned)rp.new_uid);
    return st;
}

enum tm_status imap_uid_expunge(struct tm_session *s, uint32_t uid, bool *left,
                                struct tm_error *err)
{
    if (left)
        *left = false;
    if (!uid)
        return imap_simple(s, NULL, NULL, err, "EXPUNGE");
    if (imap_caps_has(&s->caps, IMAP_CAP_UIDPLUS))
        return imap_simple(s, NULL, NULL, err, "UID EXPUNGE %u", (unsigned)uid);
    /* A plain EXPUNGE would also remove every other \Deleted message of the mailbox. */
    tm_log(TM_LOG_WARN,
           "imap %s: %s has no UIDPLUS: uid %u of %s is left flagged \\Deleted, not expunged",
           s->account_name, s->srv.host, (unsigned)uid, s->selected ? s->selected : "?");
    if (left)
        *left = true;
    return TM_OK;
}

enum tm_status imap_uid_move(struct tm_session *s, uint32_t uid, const char *to, bool *copied,
                             bool *left, struct tm_error *err)
{
    *copied = *left = false;
    if (imap_caps_has(&s->caps, IMAP_CAP_MOVE)) {
        char tag[16];
        enum tm_status st = begin_uid_command(s, tag, "UID MOVE", uid, to, err);
        return st ? st : imap_cmd_run(s, tag, false, NULL, NULL, TM_OK, err);
    }
    enum tm_status st = imap_uid_copy(s, uid, to, err);
    if (st)
        return st;
    *copied = true;
    st = imap_simple(s, NULL, NULL, err, "UID STORE %u +FLAGS.SILENT (\\Deleted)", (unsigned)uid);
    return st ? st : imap_uid_expunge(s, uid, left, err);
}

/* The cached message's mailbox and uid. */
static enum tm_status message_place(struct tm_session *s, int64_t message_id, int64_t *mailbox_id,
                                    uint32_t *uid, unsigned *flags, struct tm_error *err)
{
    struct tm_message_row row = {0};
    enum tm_status st = tm_store_message_get(s->env->store, message_id, &row, err);
    if (st)
        return st;
    *mailbox_id = row.mailbox_id;
    *uid = row.uid > 0 && row.uid <= UINT32_MAX ? (uint32_t)row.uid : 0;
    *flags = row.flags;
    tm_message_row_cleanup(&row);
    if (!*uid)
        return tm_error_set(err, TM_ENOENT, _("message %lld has no IMAP uid"),
                            (long long)message_id);
    return TM_OK;
}

static enum tm_status queue(struct tm_session *s, int kind, int64_t mailbox_id, uint32_t uid,
                            unsigned add, const char *target, struct tm_error *err)
{
    struct tm_pending_op op = {
        .mailbox_id = mailbox_id, .uid = uid, .kind = kind, .flags_add = add, .target = target};
    return imap_pending_queue(s, &op, err);
}

/* Offline after the fallback's COPY went through: what is left is STORE \Deleted and UID
 * EXPUNGE of the source (queueing the MOVE again would copy twice). */
enum tm_status imap_queue_move_rest(struct tm_session *s, int64_t mailbox_id, uint32_t uid,
                                    struct tm_error *err)
{
    enum tm_status st = queue(s, TM_PENDING_FLAGS, mailbox_id, uid, TM_FLAG_DELETED, NULL, err);
    return st ? st : queue(s, TM_PENDING_EXPUNGE, mailbox_id, uid, 0, NULL, err);
}

enum tm_status imap_op_copy(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    int64_t mailbox_id;
    uint32_t uid;
    unsigned flags;
    enum tm_status st = message_place(s, message_id, &mailbox_id, &uid, &flags, err);
    if (st)
        return st;
    if (!to_mailbox || !to_mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    struct tm_error net;
    tm_error_clear(&net);
    bool was_connected = s->stream != NULL;
    for (int attempt = 0; attempt < 2; attempt++) { /* a stale connection gets one more try */
        if (!(st = imap_select_id(s, mailbox_id, &net)))
            st = imap_uid_copy(s, uid, to_mailbox, &net);
        if (!imap_is_offline_error(st) || !was_connected)
            break;
        was_connected = false;
    }
    if (imap_is_offline_error(st))
        return queue(s, TM_PENDING_COPY, mailbox_id, uid, 0, to_mailbox, err);
    if (st && err)
        *err = net;
    return st;
}

/* The source is left flagged \Deleted (no UIDPLUS): the cache says so, and the row stays. */
static enum tm_status mark_left(struct tm_session *s, int64_t message_id, unsigned flags,
                                struct tm_error *err)
{
    if (flags & TM_FLAG_DELETED)
        return TM_OK;
    return tm_store_message_set_flags(s->env->store, message_id, flags | TM_FLAG_DELETED, NULL,
                                      err);
}

enum tm_status imap_op_move(struct tm_session *s, int64_t message_id, const char *to_mailbox,
                            struct tm_error *err)
{
    int64_t mailbox_id;
    uint32_t uid;
    unsigned flags;
    enum tm_status st = message_place(s, message_id, &mailbox_id, &uid, &flags, err);
    if (st)
        return st;
    if (!to_mailbox || !to_mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    struct tm_error net;
    tm_error_clear(&net);
    bool copied = false, left = false, was_connected = s->stream != NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!(st = imap_select_id(s, mailbox_id, &net)))
            st = imap_uid_move(s, uid, to_mailbox, &copied, &left, &net);
        if (!imap_is_offline_error(st) || !was_connected || copied)
            break;
        was_connected = false;
    }
    if (imap_is_offline_error(st)) { /* queued; the cache shows the move at once */
        st = copied ? imap_queue_move_rest(s, mailbox_id, uid, err)
                    : queue(s, TM_PENDING_MOVE, mailbox_id, uid, 0, to_mailbox, err);
        return st ? st : tm_store_message_delete(s->env->store, message_id, err);
    }
    if (st) {
        if (err)
            *err = net;
        if (copied)
            tm_error_set(err, st, _("copied to %s, but not removed from this mailbox: %s"),
                         to_mailbox, net.message);
        return st;
    }
    return left ? mark_left(s, message_id, flags, err)
                : tm_store_message_delete(s->env->store, message_id, err);
}

static int drop_if_deleted(void *ctx, int64_t id, int64_t uid, unsigned flags)
{
    (void)uid;
    struct tm_session *s = ctx;
    if (flags & TM_FLAG_DELETED)
        tm_store_message_delete(s->env->store, id, NULL);
    return 0;
}

enum tm_status imap_op_expunge(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                               struct tm_error *err)
{
    if (!mailbox || !mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    struct tm_error net;
    tm_error_clear(&net);
    enum tm_status st = imap_select_name(s, mailbox, mailbox_id, &net);
    if (!st)
        st = imap_uid_expunge(s, 0, NULL, &net);
    if (imap_is_offline_error(st)) {
        if ((st = queue(s, TM_PENDING_EXPUNGE, mailbox_id, 0, 0, NULL, err)))
            return st;
        return tm_store_message_each_uid(s->env->store, mailbox_id, drop_if_deleted, s, err);
    }
    if (st) {
        if (err)
            *err = net;
        return st;
    }
    /* VANISHED (QRESYNC) already dropped the rows; plain EXPUNGE responses carry sequence
     * numbers only, so the uids the server still has are compared. */
    if (!s->live.expunged_by_seq)
        return TM_OK;
    struct tm_sync_result res = {0};
    return imap_sync_mailbox(s, mailbox, mailbox_id, &res, err);
}

/* One APPEND: the command line, then the message bytes straight from the caller's buffer (no
 * copy), after the "+" unless the literal is non-synchronizing. */
static enum tm_status append_once(struct tm_session *s, const char *mailbox, const char *msg,
                                  size_t len, unsigned flags, struct reply *rp,
                                  struct tm_error *err)
{
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    enum tm_status st = tm_buf_append_str(&s->cmd, "APPEND ") ? TM_ENOMEM : TM_OK;
    if (!st && (st = imap_cmd_mailbox(s, mailbox, err)))
        return st;
    if (!st && (flags & ~TM_FLAG_RECENT)) {
        st = tm_buf_append_str(&s->cmd, " (");
        if (!st)
            st = imap_flags_format(flags, &s->cmd);
        if (!st)
            st = tm_buf_append_char(&s->cmd, ')');
    }
    bool plus = imap_caps_has(&s->caps, IMAP_CAP_LITERALPLUS) ||
                (imap_caps_has(&s->caps, IMAP_CAP_LITERALMINUS) && len <= LITERAL_MINUS_MAX);
    if (!st)
        st = tm_buf_appendf(&s->cmd, " {%zu%s}", len, plus ? "+" : "");
    if (st)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if ((st = imap_cmd_send(s, false, err)))
        return st;
    if (!plus) {
        if ((st = await_reply(s, tag, true, rp, err)))
            return st; /* refused before the bytes: the command is over */
        if (!rp->continued) {
            imap_disconnect(s);
            return tm_error_set(err, TM_EPROTO, _("%s ended APPEND before its message"),
                                s->srv.host);
        }
    }
    st = tm_stream_write(s->stream, msg, len, err);
    if (!st)
        st = tm_stream_write(s->stream, "\r\n", 2, err);
    if (st) {
        imap_disconnect(s);
        return st;
    }
    return await_reply(s, tag, false, rp, err);
}

enum tm_status imap_op_append(struct tm_session *s, const char *mailbox, const char *msg,
                              size_t len, unsigned flags, struct tm_error *err)
{
    if (!mailbox || !mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    if (len && memchr(msg, 0, len))
        return tm_error_set(err, TM_EPARSE, _("the message has a NUL byte: IMAP cannot store it"));
    enum tm_status st = imap_ensure_connected(s, err);
    if (st)
        return st;
    struct reply rp = {0};
    st = append_once(s, mailbox, msg, len, flags, &rp, err);
    if (st && rp.trycreate && s->stream) { /* RFC 9051 6.3.12: create it and try once more */
        tm_log(TM_LOG_INFO, "imap %s: creating %s for APPEND", s->account_name, mailbox);
        if ((st = imap_create_mailbox(s, mailbox, err)))
            return st;
        memset(&rp, 0, sizeof(rp));
        st = append_once(s, mailbox, msg, len, flags, &rp, err);
    }
    if (!st && rp.has_new_uid)
        tm_log(TM_LOG_DEBUG, "imap %s: appended to %s as uid %u", s->account_name, mailbox,
               (unsigned)rp.new_uid);
    return st;
}

struct search_ctx {
    int64_t mailbox_id;
    int64_t max_uid; /* uids above the cache's largest cannot be cached */
    int64_t *ids;
    size_t n, cap;
};

static enum tm_status add_id(struct search_ctx *c, int64_t id, struct tm_error *err)
{
    if (TM_ARRAY_RESERVE(c->ids, c->n, c->cap, 64))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    c->ids[c->n++] = id;
    return TM_OK;
}

static enum tm_status on_search(struct tm_session *s, void *ctx, const struct imap_response *r,
                                struct tm_error *err)
{
    struct search_ctx *c = ctx;
    if (!r->keyword || (strcmp(r->keyword, "SEARCH") != 0 && strcmp(r->keyword, "ESEARCH") != 0))
        return imap_default_untagged(s, r, err);
    struct imap_seqset set = {0};
    enum tm_status st = imap_search_decode(r, &set, err);
    for (size_t i = 0; !st && i < set.n; i++) {
        uint32_t hi = set.ranges[i].hi < c->max_uid ? set.ranges[i].hi : (uint32_t)c->max_uid;
        for (uint64_t u = set.ranges[i].lo; !st && u <= hi; u++) {
            int64_t id;
            st =
                tm_store_message_find_uid(s->env->store, c->mailbox_id, (int64_t)u, &id, NULL, err);
            if (st == TM_ENOENT) /* not cached (yet): not shown either */
                st = TM_OK;
            else if (!st)
                st = add_id(c, id, err);
        }
    }
    imap_seqset_cleanup(&set);
    return st;
}

/* Criteria come from core already in IMAP syntax; a line break would end the command early and
 * let the rest run as another command. */
static bool criteria_fit(const char *criteria)
{
    return criteria && criteria[0] && !strpbrk(criteria, "\r\n");
}

enum tm_status imap_op_search(struct tm_session *s, const char *mailbox, int64_t mailbox_id,
                              const char *criteria, int64_t **ids, size_t *n, struct tm_error *err)
{
    *ids = NULL;
    *n = 0;
    if (!mailbox || !mailbox[0])
        return tm_error_set(err, TM_ENOENT, _("a mailbox needs a name"));
    if (!criteria_fit(criteria))
        return tm_error_set(err, TM_EPARSE, _("the search has no criteria or has a line break"));
    struct search_ctx c = {.mailbox_id = mailbox_id};
    enum tm_status st = tm_store_message_max_uid(s->env->store, mailbox_id, &c.max_uid, err);
    if (!st)
        st = imap_select_name(s, mailbox, mailbox_id, err);
    if (st)
        return st;
    bool esearch = imap_caps_has(&s->caps, IMAP_CAP_ESEARCH);
    st = imap_simple(s, on_search, &c, err, "UID SEARCH %s%s%s", esearch ? "RETURN (ALL) " : "",
                     s->utf8_enabled ? "" : "CHARSET UTF-8 ", criteria);
    if (st) {
        free(c.ids);
        return st;
    }
    *ids = c.ids;
    *n = c.n;
    return TM_OK;
}
