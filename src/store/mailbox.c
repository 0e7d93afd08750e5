/* mailbox.c - mailbox rows: find or create, the display sort, LIST metadata and STATUS counts,
 * the IMAP sync state (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ; RFC 3501, 7162), the folder
 * listing, rename, reset and delete. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

static enum tm_status mailbox_find(struct tm_store *st, int64_t account_id, const char *name,
                                   int64_t *id, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(
        st, STMT_MAILBOX_FIND, "SELECT id FROM mailboxes WHERE account_id = ?1 AND name = ?2", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (r == SQLITE_DONE)
        rc = TM_ENOENT;
    else
        rc = store_error(st, err, _("cannot read mailboxes"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_mailbox_ensure(struct tm_store *st, int64_t account_id, const char *name,
                                       int64_t *id_out, struct tm_error *err)
{
    enum tm_status rc = mailbox_find(st, account_id, name, id_out, err);
    if (rc != TM_ENOENT)
        return rc;
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_INSERT,
                                 "INSERT INTO mailboxes(account_id, name) VALUES(?1, ?2) "
                                 "ON CONFLICT(account_id, name) DO NOTHING",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
    rc = store_step_done(st, s, _("cannot add a mailbox"), err);
    if (!rc)
        rc = mailbox_find(st, account_id, name, id_out, err);
    if (rc == TM_ENOENT) /* the insert did nothing yet nothing is there: no such account */
        rc = tm_error_set(err, TM_ESTORE, _("%s: cannot add mailbox %s"), st->path, name);
    return rc;
}

enum tm_status tm_store_mailbox_get_sort(struct tm_store *st, int64_t mailbox_id, char **sort,
                                         struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_GET_SORT,
                                 "SELECT CASE WHEN display_missing THEN NULL ELSE display_sort END "
                                 "FROM mailboxes WHERE id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    *sort = NULL;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW && sqlite3_column_text(s, 0) &&
        !(*sort = strdup((const char *)sqlite3_column_text(s, 0))))
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    else if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read a mailbox"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_mailbox_set_sort(struct tm_store *st, int64_t mailbox_id, const char *sort,
                                         struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_SET_SORT,
                                 "UPDATE mailboxes SET display_sort = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_text(s, 2, sort, -1, SQLITE_TRANSIENT);
    return store_step_done(st, s, _("cannot update a mailbox"), err);
}

static enum tm_status mailbox_missing(struct tm_error *err, int64_t mailbox_id)
{
    return tm_error_set(err, TM_ENOENT, _("no mailbox %lld in the cache"), (long long)mailbox_id);
}

/* Binds v at i, or SQL NULL when v is at most unknown_max (unknown). */
static void bind_known(sqlite3_stmt *s, int i, int64_t v, int64_t unknown_max)
{
    if (v <= unknown_max)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, v);
}

enum tm_status tm_store_mailbox_get_state(struct tm_store *st, int64_t mailbox_id,
                                          struct tm_mailbox_state *out, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_GET_STATE,
                                 "SELECT coalesce(uidvalidity, 0), coalesce(uidnext, 0), "
                                 "coalesce(highest_modseq, 0) FROM mailboxes WHERE id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        out->uidvalidity = sqlite3_column_int64(s, 0);
        out->uidnext = sqlite3_column_int64(s, 1);
        out->highest_modseq = sqlite3_column_int64(s, 2);
    } else if (r == SQLITE_DONE) {
        rc = mailbox_missing(err, mailbox_id);
    } else {
        rc = store_error(st, err, _("cannot read a mailbox"));
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_mailbox_set_state(struct tm_store *st, int64_t mailbox_id,
                                          const struct tm_mailbox_state *state,
                                          struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_SET_STATE,
                                 "UPDATE mailboxes SET uidvalidity = ?2, uidnext = ?3, "
                                 "highest_modseq = ?4, synced_at = ?5 WHERE id = ?1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    bind_known(s, 2, state->uidvalidity, 0);
    bind_known(s, 3, state->uidnext, 0);
    bind_known(s, 4, state->highest_modseq, 0);
    sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
    enum tm_status rc = store_step_done(st, s, _("cannot update a mailbox"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = mailbox_missing(err, mailbox_id);
    return rc;
}

/* Binds mailbox_id to the cached statement id (sql) and runs it. */
static enum tm_status mailbox_exec(struct tm_store *st, enum store_stmt id, const char *sql,
                                   int64_t mailbox_id, const char *what, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, id, sql, err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    return store_step_done(st, s, what, err);
}

/* Deletes the mailbox's messages (bodies follow by cascade, display rows by trigger) and
 * pending operations. The display rows go first, in one range rather than one by one; with no
 * messages left there is no gap in the order either. */
static enum tm_status mailbox_delete_contents(struct tm_store *st, int64_t mailbox_id,
                                              struct tm_error *err)
{
    store_watch_changed(st, mailbox_id);
    enum tm_status rc = store_display_clear(st, mailbox_id, err);
    if (!rc)
        rc =
            mailbox_exec(st, STMT_MAILBOX_DELETE_MSGS, "DELETE FROM messages WHERE mailbox_id = ?1",
                         mailbox_id, _("cannot delete messages"), err);
    if (!rc)
        rc = mailbox_exec(st, STMT_MAILBOX_DELETE_PENDING,
                          "DELETE FROM pending_ops WHERE mailbox_id = ?1", mailbox_id,
                          _("cannot delete pending operations"), err);
    if (!rc)
        rc = store_display_dense(st, mailbox_id, err);
    return rc;
}

enum tm_status tm_store_mailbox_reset(struct tm_store *st, int64_t mailbox_id, struct tm_error *err)
{
    bool own = false;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    rc = mailbox_exec(st, STMT_MAILBOX_FORGET_STATE,
                      "UPDATE mailboxes SET uidvalidity = NULL, uidnext = NULL, "
                      "highest_modseq = NULL, synced_at = NULL WHERE id = ?1",
                      mailbox_id, _("cannot update a mailbox"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = mailbox_missing(err, mailbox_id);
    if (!rc)
        rc = mailbox_delete_contents(st, mailbox_id, err);
    return store_atomic_end(st, own, rc, err);
}

enum tm_status tm_store_mailbox_upsert_meta(struct tm_store *st, int64_t account_id,
                                            const struct tm_mailbox_meta *meta, int64_t *id_out,
                                            struct tm_error *err)
{
    if (!meta->name)
        return tm_error_set(err, TM_ESTORE, _("%s: mailbox without a name"), st->path);
    sqlite3_stmt *s = store_stmt(
        st, STMT_MAILBOX_UPSERT_META,
        "INSERT INTO mailboxes(account_id, name, delimiter, special_use, attrs, subscribed) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(account_id, name) DO UPDATE SET "
        "delimiter = excluded.delimiter, special_use = excluded.special_use, "
        "attrs = excluded.attrs, subscribed = excluded.subscribed RETURNING id",
        err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_text(s, 2, meta->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, meta->delimiter, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, meta->special_use, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, meta->attrs);
    sqlite3_bind_int(s, 6, meta->subscribed ? 1 : 0);
    enum tm_status rc = TM_OK;
    if (sqlite3_step(s) == SQLITE_ROW)
        *id_out = sqlite3_column_int64(s, 0);
    else
        rc = store_error(st, err, _("cannot add a mailbox"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_mailbox_set_counts(struct tm_store *st, int64_t mailbox_id,
                                           int64_t server_total, int64_t server_unseen,
                                           struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_MAILBOX_SET_COUNTS,
                   "UPDATE mailboxes SET server_total = ?2, server_unseen = ?3 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    bind_known(s, 2, server_total, -1);
    bind_known(s, 3, server_unseen, -1);
    enum tm_status rc = store_step_done(st, s, _("cannot update a mailbox"), err);
    if (!rc && sqlite3_changes(st->db) == 0)
        rc = mailbox_missing(err, mailbox_id);
    return rc;
}

/* The listing's columns and source; the walk adds the position condition and LIMIT 1. The
 * unread count comes from the partial index messages_unread alone (1 is TM_FLAG_SEEN). */
#define LISTING_SELECT                                                                             \
    "SELECT b.id, b.name, b.delimiter, b.special_use, b.attrs, b.subscribed, "                     \
    "(SELECT count(*) FROM messages AS m WHERE m.mailbox_id = b.id), "                             \
    "(SELECT count(*) FROM messages AS m WHERE m.mailbox_id = b.id AND (m.flags & 1) = 0), "       \
    "coalesce(b.server_total, -1), coalesce(b.server_unseen, -1) "                                 \
    "FROM mailboxes AS b WHERE b.account_id = ?1 "

/* One listing row with its strings copied, so no statement stays open during the callback. */
struct listing_row {
    struct tm_mailbox_listing mb;
    char *name, *delimiter, *special_use;
};

static void listing_row_cleanup(struct listing_row *row)
{
    free(row->name);
    free(row->delimiter);
    free(row->special_use);
    memset(row, 0, sizeof(*row));
}

/* The mailbox after the one called after (NULL: the first) in name order: TM_OK with *row,
 * TM_ENOENT (err untouched) past the last. */
static enum tm_status listing_next(struct tm_store *st, int64_t account_id, const char *after,
                                   struct listing_row *row, struct tm_error *err)
{
    sqlite3_stmt *s =
        after ? store_stmt(st, STMT_MAILBOX_EACH_NEXT,
                           LISTING_SELECT "AND b.name > ?2 ORDER BY b.name LIMIT 1", err)
              : store_stmt(st, STMT_MAILBOX_EACH_FIRST, LISTING_SELECT "ORDER BY b.name LIMIT 1",
                           err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    if (after)
        sqlite3_bind_text(s, 2, after, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE) {
        rc = TM_ENOENT;
    } else if (r != SQLITE_ROW) {
        rc = store_error(st, err, _("cannot read mailboxes"));
    } else if (!store_column_dup(s, 1, &row->name) || !row->name ||
               !store_column_dup(s, 2, &row->delimiter) ||
               !store_column_dup(s, 3, &row->special_use)) {
        listing_row_cleanup(row);
        rc = tm_error_set(err, TM_ENOMEM, _("out of memory reading mailboxes"));
    } else {
        row->mb = (struct tm_mailbox_listing){
            .id = sqlite3_column_int64(s, 0),
            .name = row->name,
            .delimiter = row->delimiter,
            .special_use = row->special_use,
            .attrs = (unsigned)sqlite3_column_int64(s, 4),
            .subscribed = sqlite3_column_int(s, 5) != 0,
            .total = sqlite3_column_int64(s, 6),
            .unread = sqlite3_column_int64(s, 7),
            .server_total = sqlite3_column_int64(s, 8),
            .server_unseen = sqlite3_column_int64(s, 9),
        };
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_mailbox_each(struct tm_store *st, int64_t account_id,
                                     tm_store_mailbox_cb cb, void *ctx, struct tm_error *err)
{
    /* One keyed look-up per mailbox (name > the last one's) instead of one open cursor. */
    char *after = NULL;
    enum tm_status rc;
    for (;;) {
        struct listing_row row = {0};
        rc = listing_next(st, account_id, after, &row, err);
        if (rc)
            break;
        int stop = cb(ctx, &row.mb);
        free(after);
        after = row.name;
        row.name = NULL;
        listing_row_cleanup(&row);
        if (stop)
            break;
    }
    free(after);
    return rc == TM_ENOENT ? TM_OK : rc;
}

enum tm_status tm_store_mailbox_find_special(struct tm_store *st, int64_t account_id,
                                             const char *special, int64_t *id_out,
                                             struct tm_error *err)
{
    /* RFC 6154 attributes are atoms, which IMAP compares case-insensitively */
    sqlite3_stmt *s = store_stmt(st, STMT_MAILBOX_FIND_SPECIAL,
                                 "SELECT id FROM mailboxes WHERE account_id = ?1 AND "
                                 "special_use = ?2 COLLATE NOCASE ORDER BY name LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_text(s, 2, special, -1, SQLITE_STATIC);
    return store_query_int64(st, s, id_out, _("cannot read mailboxes"),
                             _("no such special mailbox in the cache"), err);
}

enum tm_status tm_store_mailbox_find(struct tm_store *st, int64_t account_id, const char *name,
                                     int64_t *id_out, struct tm_error *err)
{
    enum tm_status rc = mailbox_find(st, account_id, name, id_out, err);
    if (rc == TM_ENOENT)
        tm_error_set(err, rc, _("no mailbox %s in the cache"), name);
    return rc;
}

enum tm_status tm_store_mailbox_delete(struct tm_store *st, int64_t mailbox_id,
                                       struct tm_error *err)
{
    bool own = false;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    /* deleting the row alone would cascade to messages and bodies, but pending_ops has no
     * foreign key to mailboxes */
    rc = mailbox_delete_contents(st, mailbox_id, err);
    if (!rc)
        rc = mailbox_exec(st, STMT_MAILBOX_DELETE, "DELETE FROM mailboxes WHERE id = ?1",
                          mailbox_id, _("cannot delete a mailbox"), err);
    return store_atomic_end(st, own, rc, err);
}

enum tm_status tm_store_mailbox_rename(struct tm_store *st, int64_t mailbox_id,
                                       const char *new_name, struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_MAILBOX_RENAME, "UPDATE mailboxes SET name = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_text(s, 2, new_name, -1, SQLITE_STATIC);
    int r = sqlite3_step(s);
    enum tm_status rc = TM_OK;
    if (r == SQLITE_CONSTRAINT_UNIQUE)
        rc = tm_error_set(err, TM_ESTORE, _("%s: a mailbox called %s is already there"), st->path,
                          new_name);
    else if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot rename a mailbox"));
    else if (sqlite3_changes(st->db) == 0)
        rc = mailbox_missing(err, mailbox_id);
    store_release(s);
    return rc;
}
