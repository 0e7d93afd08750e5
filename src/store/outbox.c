/* outbox.c - messages waiting to be sent: queued durably before the first byte goes out, their
 * tries and states, and the choice of the row a worker sends next. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/buf.h"
#include "tmail/i18n.h"

/* Every column but the message, in the order outbox_row_read expects. */
#define OUTBOX_COLUMNS                                                                             \
    "id, account, created, env_from, rcpts, subject, to_display, state, attempts, maybe_sent, "    \
    "next_try, last_reply, orig_message_id, orig_flag, sent_mailbox"

void tm_outbox_row_cleanup(struct tm_outbox_row *row)
{
    if (!row)
        return;
    free(row->account);
    free(row->env_from);
    free(row->rcpts);
    free(row->subject);
    free(row->to_display);
    free(row->last_reply);
    free(row->sent_mailbox);
    memset(row, 0, sizeof(*row));
}

/* Fills row from the current row of s (OUTBOX_COLUMNS); TM_ENOMEM (row cleaned) when a string
 * cannot be copied. */
static enum tm_status outbox_row_read(sqlite3_stmt *s, struct tm_outbox_row *row)
{
    if (!store_column_dup(s, 1, &row->account) || !store_column_dup(s, 3, &row->env_from) ||
        !store_column_dup(s, 4, &row->rcpts) || !store_column_dup(s, 5, &row->subject) ||
        !store_column_dup(s, 6, &row->to_display) || !store_column_dup(s, 11, &row->last_reply) ||
        !store_column_dup(s, 14, &row->sent_mailbox)) {
        tm_outbox_row_cleanup(row);
        return TM_ENOMEM;
    }
    row->e = (struct tm_outbox_entry){
        .id = sqlite3_column_int64(s, 0),
        .account = row->account,
        .created = sqlite3_column_int64(s, 2),
        .env_from = row->env_from,
        .rcpts = row->rcpts,
        .subject = row->subject,
        .to_display = row->to_display,
        .state = sqlite3_column_int(s, 7),
        .attempts = sqlite3_column_int(s, 8),
        .maybe_sent = sqlite3_column_int(s, 9),
        .next_try = sqlite3_column_int64(s, 10),
        .last_reply = row->last_reply,
        .orig_message_id = sqlite3_column_int64(s, 12),
        .orig_flag = (unsigned)sqlite3_column_int64(s, 13),
        .sent_mailbox = row->sent_mailbox,
    };
    return TM_OK;
}

/* Steps a write statement on the outbox and makes it durable: synced now when it committed on
 * its own, else when the caller's transaction commits (tm_store_commit). */
static enum tm_status outbox_write(struct tm_store *st, sqlite3_stmt *s, const char *what,
                                   struct tm_error *err)
{
    bool own = sqlite3_get_autocommit(st->db) != 0;
    enum tm_status rc = store_step_done(st, s, what, err);
    if (rc)
        return rc;
    if (!own) {
        st->sync_on_commit = true;
        return TM_OK;
    }
    return store_sync_wal(st, err);
}

/* TM_ENOENT (err filled) when the last statement changed no row. */
static enum tm_status outbox_found(struct tm_store *st, int64_t id, struct tm_error *err)
{
    if (sqlite3_changes(st->db) > 0)
        return TM_OK;
    return tm_error_set(err, TM_ENOENT, _("no message %lld in the outbox"), (long long)id);
}

/* Whether rcpts names at least one recipient (not only line breaks and blanks). */
static bool rcpts_present(const char *rcpts)
{
    return rcpts && rcpts[strspn(rcpts, " \t\r\n")] != '\0';
}

enum tm_status tm_store_outbox_add(struct tm_store *st, const struct tm_outbox_entry *e,
                                   const void *msg, size_t len, int64_t *id_out,
                                   struct tm_error *err)
{
    if (!e->account || !*e->account || !e->env_from || !rcpts_present(e->rcpts) ||
        (!msg && len > 0))
        return tm_error_set(err, TM_ESTORE,
                            _("%s: an outbox message needs an account, a sender and recipients"),
                            st->path);
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_ADD,
                                 "INSERT INTO outbox(account, created, env_from, rcpts, subject, "
                                 "to_display, next_try, orig_message_id, orig_flag, "
                                 "sent_mailbox, message) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                                 err);
    if (!s)
        return TM_ESTORE;
    /* STATIC is safe: store_step_done clears the bindings before returning */
    sqlite3_bind_text(s, 1, e->account, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, e->created ? e->created : (int64_t)time(NULL));
    sqlite3_bind_text(s, 3, e->env_from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->rcpts, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, e->subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, e->to_display, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, e->next_try);
    sqlite3_bind_int64(s, 8, e->orig_message_id);
    sqlite3_bind_int64(s, 9, e->orig_flag);
    sqlite3_bind_text(s, 10, e->sent_mailbox, -1, SQLITE_STATIC);
    /* a NULL pointer would bind SQL NULL: an empty message is an empty blob */
    if (sqlite3_bind_blob64(s, 11, msg ? msg : "", len, SQLITE_STATIC) == SQLITE_TOOBIG) {
        store_release(s);
        return tm_error_set(err, TM_ELIMIT, _("%s: a message of %zu bytes is too large to queue"),
                            st->path, len);
    }
    enum tm_status rc = outbox_write(st, s, _("cannot queue a message for sending"), err);
    if (!rc && id_out) /* this connection belongs to one thread: nothing inserted in between */
        *id_out = sqlite3_last_insert_rowid(st->db);
    return rc;
}

/* The first row of account (NULL: any) with after < id <= last: TM_OK with *row, TM_ENOENT
 * (err untouched) when there is none. */
static enum tm_status outbox_next_row(struct tm_store *st, const char *account, int64_t after,
                                      int64_t last, struct tm_outbox_row *row, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_NEXT_ROW,
                                 "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ?2 AND "
                                 "id <= ?3 AND (?1 IS NULL OR account = ?1) ORDER BY id LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, after);
    sqlite3_bind_int64(s, 3, last);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE)
        rc = TM_ENOENT;
    else if (r != SQLITE_ROW)
        rc = store_error(st, err, _("cannot read the outbox"));
    else if (outbox_row_read(s, row) != TM_OK)
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory reading the outbox"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_outbox_each(struct tm_store *st, const char *account, tm_store_outbox_cb cb,
                                    void *ctx, struct tm_error *err)
{
    /* As in pending.c: the walk ends at the last id present when it began, so rows added by the
     * callback are not visited, and each step is one look-up by id. */
    int64_t last = 0, after = 0;
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_MAX,
                   "SELECT coalesce(max(id), 0) FROM outbox WHERE ?1 IS NULL OR account = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    enum tm_status rc =
        store_query_int64(st, s, &last, _("cannot read the outbox"), _("no outbox"), err);
    while (!rc) {
        struct tm_outbox_row row = {0};
        rc = outbox_next_row(st, account, after, last, &row, err);
        if (rc)
            break;
        after = row.e.id;
        int stop = cb(ctx, &row.e);
        tm_outbox_row_cleanup(&row);
        if (stop)
            break;
    }
    return rc == TM_ENOENT ? TM_OK : rc;
}

enum tm_status tm_store_outbox_get(struct tm_store *st, int64_t id, struct tm_outbox_row *row,
                                   struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_GET, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the outbox"), (long long)id);
    else if (r != SQLITE_ROW)
        rc = store_error(st, err, _("cannot read the outbox"));
    else if (outbox_row_read(s, row) != TM_OK)
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory reading the outbox"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_outbox_message(struct tm_store *st, int64_t id, struct tm_buf *out,
                                       struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_MESSAGE, "SELECT message FROM outbox WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    char missing[128];
    snprintf(missing, sizeof(missing), _("no message %lld in the outbox"), (long long)id);
    return store_blob_append(st, s, out, _("a message of the outbox"), missing, err);
}

enum tm_status tm_store_outbox_set_state(struct tm_store *st, int64_t id, int state,
                                         struct tm_error *err)
{
    if (state < TM_OUTBOX_QUEUED || state > TM_OUTBOX_SENT)
        return tm_error_set(err, TM_ESTORE, _("%s: invalid outbox state %d"), st->path, state);
    /* The right-hand sides read the row as it was: a row leaving SENDING for SENDING or QUEUED
     * was cut off after its final dot, and the server may have taken it. */
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_SET_STATE,
                   "UPDATE outbox SET maybe_sent = maybe_sent + (state = 1 AND ?2 IN (0, 1)), "
                   "next_try = CASE WHEN ?2 = 0 THEN 0 ELSE next_try END, state = ?2 WHERE id = ?1",
                   err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, state);
    enum tm_status rc = outbox_write(st, s, _("cannot update the outbox"), err);
    return rc ? rc : outbox_found(st, id, err);
}

enum tm_status tm_store_outbox_failed(struct tm_store *st, int64_t id, int state,
                                      const char *last_reply, int64_t next_try,
                                      struct tm_error *err)
{
    if (state != TM_OUTBOX_QUEUED && state != TM_OUTBOX_HELD)
        return tm_error_set(err, TM_ESTORE,
                            _("%s: a failed try leaves state %d, not QUEUED or HELD"), st->path,
                            state);
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_FAILED,
                                 "UPDATE outbox SET state = ?2, attempts = attempts + 1, "
                                 "last_reply = ?3, next_try = ?4 WHERE id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, state);
    sqlite3_bind_text(s, 3, last_reply, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, next_try);
    enum tm_status rc = outbox_write(st, s, _("cannot update the outbox"), err);
    return rc ? rc : outbox_found(st, id, err);
}

enum tm_status tm_store_outbox_set_rcpts(struct tm_store *st, int64_t id, const char *rcpts,
                                         struct tm_error *err)
{
    if (!rcpts_present(rcpts))
        return tm_error_set(err, TM_ESTORE, _("%s: an outbox message needs recipients"), st->path);
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_SET_RCPTS, "UPDATE outbox SET rcpts = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, rcpts, -1, SQLITE_STATIC);
    enum tm_status rc = outbox_write(st, s, _("cannot update the outbox"), err);
    return rc ? rc : outbox_found(st, id, err);
}

enum tm_status tm_store_outbox_delete(struct tm_store *st, int64_t id, struct tm_error *err)
{
    /* Not synced: a deletion lost to a power loss brings back a SENT row, whose only work
     * left is the Sent copy; a fsync per sent message is not worth that. */
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_DELETE, "DELETE FROM outbox WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, _("cannot remove a message from the outbox"), err);
}

enum tm_status tm_store_outbox_count_unsent(struct tm_store *st, const char *account,
                                            int64_t *count, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_COUNT_UNSENT,
                                 "SELECT count(*) FROM outbox WHERE state != 3 AND "
                                 "(?1 IS NULL OR account = ?1)",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    return store_query_int64(st, s, count, _("cannot count the outbox"), _("no count"), err);
}

/* The oldest row of account in state that is due at due: TM_OK with *id, TM_ENOENT (err
 * untouched) when there is none. */
static enum tm_status outbox_oldest(struct tm_store *st, const char *account, int state,
                                    int64_t due, int64_t *id, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_OUTBOX_OLDEST,
                                 "SELECT id FROM outbox WHERE account = ?1 AND state = ?2 AND "
                                 "next_try <= ?3 ORDER BY id LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, state);
    sqlite3_bind_int64(s, 3, due);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (r == SQLITE_DONE)
        rc = TM_ENOENT;
    else
        rc = store_error(st, err, _("cannot read the outbox"));
    store_release(s);
    return rc;
}

/* Seconds from now until account's earliest QUEUED row is due (0 when one is), or -1. */
static enum tm_status outbox_wait(struct tm_store *st, const char *account, int64_t now,
                                  int64_t *wait_s, struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_OUTBOX_EARLIEST,
                   "SELECT min(next_try) FROM outbox WHERE account = ?1 AND state = 0", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = store_error(st, err, _("cannot read the outbox"));
    } else if (sqlite3_column_type(s, 0) == SQLITE_NULL) { /* no QUEUED row */
        *wait_s = -1;
    } else {
        int64_t earliest = sqlite3_column_int64(s, 0);
        *wait_s = earliest > now ? earliest - now : 0;
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_outbox_next(struct tm_store *st, const char *account, int64_t now,
                                    int64_t *id_out, int64_t *wait_s, struct tm_error *err)
{
    if (!account)
        return tm_error_set(err, TM_ESTORE, _("%s: the outbox is worked through per account"),
                            st->path);
    int64_t wait = -1;
    enum tm_status rc = outbox_wait(st, account, now, &wait, err);
    if (rc)
        return rc;
    if (wait_s)
        *wait_s = wait;
    /* Sending new mail first; then a try cut off mid-send (its maybe_sent tells the person);
     * then the Sent copies still missing. */
    rc = outbox_oldest(st, account, TM_OUTBOX_QUEUED, now, id_out, err);
    if (rc == TM_ENOENT)
        rc = outbox_oldest(st, account, TM_OUTBOX_SENDING, INT64_MAX, id_out, err);
    if (rc == TM_ENOENT)
        rc = outbox_oldest(st, account, TM_OUTBOX_SENT, INT64_MAX, id_out, err);
    if (rc == TM_ENOENT)
        tm_error_set(err, TM_ENOENT, _("nothing to send for account %s"), account);
    return rc;
}
