/* message.c - message rows: upsert by backend key, flags, look-up, counts, and the walks that
 * sync and threading use. Their display order is display.c's. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

void tm_message_row_cleanup(struct tm_message_row *row)
{
    if (!row)
        return;
    free(row->local_key);
    free(row->location);
    free(row->from_name);
    free(row->from_addr);
    free(row->to_addrs);
    free(row->subject);
    free(row->message_id);
    free(row->in_reply_to);
    free(row->references);
    free(row->thread_tree);
    memset(row, 0, sizeof(*row));
}

enum tm_status store_row_read(sqlite3_stmt *s, struct tm_message_row *row)
{
    row->id = sqlite3_column_int64(s, 0);
    row->mailbox_id = sqlite3_column_int64(s, 1);
    row->uid = sqlite3_column_int64(s, 2);
    row->flags = (unsigned)sqlite3_column_int64(s, 5);
    row->date = sqlite3_column_int64(s, 6);
    row->size = sqlite3_column_int64(s, 7);
    row->thread_order = sqlite3_column_int64(s, 15);
    row->thread_depth = sqlite3_column_int(s, 16);
    if (store_column_dup(s, 3, &row->local_key) && store_column_dup(s, 4, &row->location) &&
        store_column_dup(s, 8, &row->from_name) && store_column_dup(s, 9, &row->from_addr) &&
        store_column_dup(s, 10, &row->to_addrs) && store_column_dup(s, 11, &row->subject) &&
        store_column_dup(s, 12, &row->message_id) && store_column_dup(s, 13, &row->in_reply_to) &&
        store_column_dup(s, 14, &row->references) && store_column_dup(s, 17, &row->thread_tree))
        return TM_OK;
    tm_message_row_cleanup(row);
    return TM_ENOMEM;
}

static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
    /* NULL binds SQL NULL; STATIC is safe: bindings are cleared before the caller returns */
    sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
}

enum tm_status tm_store_message_upsert(struct tm_store *st, struct tm_message_row *row,
                                       struct tm_error *err)
{
    char uid_key[TM_STORE_UID_KEY_SIZE];
    const char *key = row->local_key;
    if (row->uid != 0) { /* keyed by its uid (uid.c) */
        if (!store_uid_valid(row->uid))
            return tm_error_set(err, TM_ESTORE, _("%s: a message with UID %lld"), st->path,
                                (long long)row->uid);
        tm_store_uid_key(row->uid, uid_key);
        if (key && strcmp(key, uid_key) != 0)
            return tm_error_set(err, TM_ESTORE, _("%s: message key %s is not its UID %lld"),
                                st->path, key, (long long)row->uid);
        key = uid_key;
    }
    if (!key)
        return tm_error_set(err, TM_ESTORE, _("%s: message without a key"), st->path);
    sqlite3_stmt *s = store_stmt(
        st, STMT_MSG_UPSERT,
        "INSERT INTO messages(mailbox_id, uid, local_key, location, flags, date, size, "
        "from_name, from_addr, to_addrs, subject, message_id, in_reply_to, refs) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
        "ON CONFLICT(mailbox_id, local_key) DO UPDATE SET uid = excluded.uid, "
        "location = excluded.location, flags = excluded.flags, date = excluded.date, "
        "size = excluded.size, from_name = excluded.from_name, from_addr = excluded.from_addr, "
        "to_addrs = excluded.to_addrs, subject = excluded.subject, "
        "message_id = excluded.message_id, in_reply_to = excluded.in_reply_to, "
        "refs = excluded.refs",
        err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, row->mailbox_id);
    sqlite3_bind_int64(s, 2, row->uid);
    bind_text(s, 3, key);
    bind_text(s, 4, row->location);
    sqlite3_bind_int64(s, 5, row->flags);
    sqlite3_bind_int64(s, 6, row->date);
    sqlite3_bind_int64(s, 7, row->size);
    bind_text(s, 8, row->from_name);
    bind_text(s, 9, row->from_addr);
    bind_text(s, 10, row->to_addrs);
    bind_text(s, 11, row->subject);
    bind_text(s, 12, row->message_id);
    bind_text(s, 13, row->in_reply_to);
    bind_text(s, 14, row->references);
    /* No RETURNING: SQLite builds a temporary table per statement for it, which doubled the
     * cost of a bulk insert. A rowid set (they start at 1) tells an insert; else the key finds
     * the row (an update leaves the last insert rowid alone). */
    sqlite3_set_last_insert_rowid(st->db, 0);
    /* Not store_step_done: its message would be translated for every row of a big sync
     * (gettext showed in the profile); only a failure needs it. */
    int r = sqlite3_step(s);
    enum tm_status rc = r == SQLITE_DONE || r == SQLITE_ROW
                            ? TM_OK
                            : store_error(st, err, _("cannot store a message"));
    store_release(s);
    if (rc)
        return rc;
    sqlite3_int64 after = sqlite3_last_insert_rowid(st->db);
    if (after != 0) {
        row->id = after;
        store_watch_inserted(st, row);
        return store_display_add_new(st, after, row->mailbox_id, row->date, err);
    }
    store_watch_changed(st, row->mailbox_id);
    s = store_stmt(st, STMT_MSG_ID_BY_KEY,
                   "SELECT id FROM messages WHERE mailbox_id = ?1 AND local_key = ?2", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, row->mailbox_id);
    bind_text(s, 2, key);
    if (sqlite3_step(s) == SQLITE_ROW)
        row->id = sqlite3_column_int64(s, 0);
    else
        rc = store_error(st, err, _("cannot store a message"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_message_set_flags(struct tm_store *st, int64_t id, unsigned flags,
                                          const char *location, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(
        st, STMT_MSG_SET_FLAGS,
        "UPDATE messages SET flags = ?2, location = coalesce(?3, location) WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, flags);
    bind_text(s, 3, location);
    enum tm_status rc = store_step_done(st, s, _("cannot store message flags"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)id);
    return rc;
}

enum tm_status tm_store_message_set_date(struct tm_store *st, int64_t id, int64_t date,
                                         struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_MSG_SET_DATE, "UPDATE messages SET date = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, date);
    enum tm_status rc = store_step_done(st, s, _("cannot store a message date"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)id);
    if (!rc)
        store_watch_dated(st, id, date);
    return rc;
}

enum tm_status tm_store_message_delete(struct tm_store *st, int64_t id, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_DELETE, "DELETE FROM messages WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    store_watch_changed(st, 0);
    sqlite3_bind_int64(s, 1, id);
    return store_step_done(st, s, _("cannot delete a message"), err);
}

enum tm_status tm_store_message_get(struct tm_store *st, int64_t id, struct tm_message_row *row,
                                    struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_GET,
                                 "SELECT " STORE_ROW_COLUMNS " FROM messages AS m "
                                 "LEFT JOIN display_place AS x ON x.message_id = m.id "
                                 "LEFT JOIN display AS d ON d.mailbox_id = m.mailbox_id AND "
                                 "d.pos = x.pos AND d.date = m.date AND d.message_id = m.id "
                                 "WHERE m.id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        rc = store_row_read(s, row);
        if (rc)
            tm_error_set(err, rc, _("out of memory reading message %lld"), (long long)id);
    } else if (r == SQLITE_DONE) {
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)id);
    } else {
        rc = store_error(st, err, _("cannot read a message"));
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_message_count(struct tm_store *st, int64_t mailbox_id, int64_t *count,
                                      struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_MSG_COUNT, "SELECT count(*) FROM messages WHERE mailbox_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    return store_query_int64(st, s, count, _("cannot count messages"), _("no count"), err);
}

_Static_assert(TM_FLAG_SEEN == 1 && TM_FLAG_DELETED == 8, "migration 6's partial indexes");

enum tm_status tm_store_message_count_with_flags(struct tm_store *st, int64_t mailbox_id,
                                                 unsigned mask, unsigned want, int64_t *count,
                                                 struct tm_error *err)
{
    /* The two common questions have partial indexes (migration 6), which SQLite uses only when
     * the query spells out their condition. */
    sqlite3_stmt *s;
    if (mask == TM_FLAG_SEEN && want == 0)
        s = store_stmt(st, STMT_MSG_COUNT_UNREAD,
                       "SELECT count(*) FROM messages WHERE mailbox_id = ?1 AND (flags & 1) = 0",
                       err);
    else if (mask == TM_FLAG_DELETED && want == TM_FLAG_DELETED)
        s = store_stmt(st, STMT_MSG_COUNT_DELETED,
                       "SELECT count(*) FROM messages WHERE mailbox_id = ?1 AND (flags & 8) != 0",
                       err);
    else
        s = store_stmt(st, STMT_MSG_COUNT_FLAGS,
                       "SELECT count(*) FROM messages WHERE mailbox_id = ?1 AND (flags & ?2) = ?3",
                       err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    if (sqlite3_bind_parameter_count(s) == 3) {
        sqlite3_bind_int64(s, 2, mask);
        sqlite3_bind_int64(s, 3, want);
    }
    return store_query_int64(st, s, count, _("cannot count messages"), _("no count"), err);
}

enum tm_status tm_store_message_each_key(struct tm_store *st, int64_t mailbox_id,
                                         tm_store_key_cb cb, void *ctx, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(
        st, STMT_MSG_EACH_KEY,
        "SELECT id, local_key, location, flags FROM messages WHERE mailbox_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (cb(ctx, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
               (const char *)sqlite3_column_text(s, 2), (unsigned)sqlite3_column_int64(s, 3)))
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read message keys"));
out:
    store_release(s);
    return rc;
}

enum tm_status tm_store_message_each_thread_source(struct tm_store *st, int64_t mailbox_id,
                                                   tm_store_thread_cb cb, void *ctx,
                                                   struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_EACH_THREAD,
                                 "SELECT id, message_id, in_reply_to, refs, subject, date, "
                                 "coalesce(nullif(from_name, ''), from_addr), to_addrs, size "
                                 "FROM messages WHERE mailbox_id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        struct tm_thread_source src = {
            .id = sqlite3_column_int64(s, 0),
            .message_id = (const char *)sqlite3_column_text(s, 1),
            .in_reply_to = (const char *)sqlite3_column_text(s, 2),
            .references = (const char *)sqlite3_column_text(s, 3),
            .subject = (const char *)sqlite3_column_text(s, 4),
            .date = sqlite3_column_int64(s, 5),
            .from = (const char *)sqlite3_column_text(s, 6),
            .to = (const char *)sqlite3_column_text(s, 7),
            .size = sqlite3_column_int64(s, 8),
        };
        if (cb(ctx, &src))
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read messages for threading"));
out:
    store_release(s);
    return rc;
}
