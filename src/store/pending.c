/* pending.c - offline operations (flag changes, copy, move, expunge) queued while a server is
 * unreachable and replayed in id order on reconnect (RFC 4549's disconnected client). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/i18n.h"

#define PENDING_COLUMNS                                                                            \
    "id, account_id, mailbox_id, uid, kind, flags_add, flags_clear, target, created, attempts, "   \
    "last_error"

enum tm_status tm_store_pending_add(struct tm_store *st, const struct tm_pending_op *op,
                                    int64_t *id_out, struct tm_error *err)
{
    bool named = op->kind == TM_PENDING_COPY || op->kind == TM_PENDING_MOVE;
    if (op->kind < TM_PENDING_FLAGS || op->kind > TM_PENDING_EXPUNGE || (named && !op->target))
        return tm_error_set(err, TM_ESTORE, _("%s: invalid pending operation (kind %d)"), st->path,
                            op->kind);
    sqlite3_stmt *s = store_stmt(st, STMT_PENDING_ADD,
                                 "INSERT INTO pending_ops(account_id, mailbox_id, uid, kind, "
                                 "flags_add, flags_clear, target, created) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, op->account_id);
    sqlite3_bind_int64(s, 2, op->mailbox_id);
    sqlite3_bind_int64(s, 3, op->uid);
    sqlite3_bind_int(s, 4, op->kind);
    sqlite3_bind_int64(s, 5, op->flags_add);
    sqlite3_bind_int64(s, 6, op->flags_clear);
    sqlite3_bind_text(s, 7, named ? op->target : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, op->created ? op->created : (int64_t)time(NULL));
    enum tm_status rc = store_step_done(st, s, _("cannot queue an offline operation"), err);
    if (!rc && id_out) /* this connection belongs to one thread: nothing inserted in between */
        *id_out = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* One op with its strings copied, so no statement stays open during the callback. */
struct pending_row {
    struct tm_pending_op op;
    char *target, *last_error;
};

/* The account's first op with after < id <= last: TM_OK with *row, TM_ENOENT (err untouched)
 * when there is none. */
static enum tm_status pending_next(struct tm_store *st, int64_t account_id, int64_t after,
                                   int64_t last, struct pending_row *row, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_PENDING_NEXT,
                                 "SELECT " PENDING_COLUMNS " FROM pending_ops WHERE "
                                 "account_id = ?1 AND id > ?2 AND id <= ?3 ORDER BY id LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int64(s, 2, after);
    sqlite3_bind_int64(s, 3, last);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE) {
        rc = TM_ENOENT;
    } else if (r != SQLITE_ROW) {
        rc = store_error(st, err, _("cannot read offline operations"));
    } else if (!store_column_dup(s, 7, &row->target) ||
               !store_column_dup(s, 10, &row->last_error)) {
        free(row->target);
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory reading offline operations"));
    } else {
        row->op = (struct tm_pending_op){
            .id = sqlite3_column_int64(s, 0),
            .account_id = sqlite3_column_int64(s, 1),
            .mailbox_id = sqlite3_column_int64(s, 2),
            .uid = sqlite3_column_int64(s, 3),
            .kind = sqlite3_column_int(s, 4),
            .flags_add = (unsigned)sqlite3_column_int64(s, 5),
            .flags_clear = (unsigned)sqlite3_column_int64(s, 6),
            .target = row->target,
            .created = sqlite3_column_int64(s, 8),
            .attempts = sqlite3_column_int(s, 9),
            .last_error = row->last_error,
        };
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_pending_each(struct tm_store *st, int64_t account_id,
                                     tm_store_pending_cb cb, void *ctx, struct tm_error *err)
{
    /* The walk ends at the last id queued when it began, so a callback that re-queues what
     * it could not replay does not loop; each step is one keyed look-up (id > the last). */
    int64_t last = 0, after = 0;
    sqlite3_stmt *s =
        store_stmt(st, STMT_PENDING_MAX,
                   "SELECT coalesce(max(id), 0) FROM pending_ops WHERE account_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    enum tm_status rc = store_query_int64(st, s, &last, _("cannot read offline operations"),
                                          _("no operations"), err);
    while (!rc) {
        struct pending_row row = {0};
        rc = pending_next(st, account_id, after, last, &row, err);
        if (rc)
            break;
        after = row.op.id;
        int stop = cb(ctx, &row.op);
        free(row.target);
        free(row.last_error);
        if (stop)
            break;
    }
    return rc == TM_ENOENT ? TM_OK : rc;
}

enum tm_status tm_store_pending_done(struct tm_store *st, int64_t id, struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_PENDING_DONE, "DELETE FROM pending_ops WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, _("cannot remove an offline operation"), err);
}

enum tm_status tm_store_pending_failed(struct tm_store *st, int64_t id, const char *error_text,
                                       struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(
        st, STMT_PENDING_FAILED,
        "UPDATE pending_ops SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, error_text, -1, SQLITE_STATIC);
    enum tm_status rc = store_step_done(st, s, _("cannot update an offline operation"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = tm_error_set(err, TM_ENOENT, _("no offline operation %lld"), (long long)id);
    return rc;
}

enum tm_status tm_store_pending_count(struct tm_store *st, int64_t account_id, int64_t *count,
                                      struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_PENDING_COUNT,
                                 "SELECT count(*) FROM pending_ops WHERE account_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    return store_query_int64(st, s, count, _("cannot count offline operations"), _("no count"),
                             err);
}
