/* uid.c - messages by IMAP UID (RFC 3501 2.3.1.1): look-up, the ordered walk for flag resyncs
 * and expunge detection, deletion and the highest UID, all served by messages_mailbox_uid. */
#include "private.h"
#include "tmail/i18n.h"

/* Rows of one each_uid chunk: small enough for the stack, large enough that restarting the
 * index range scan per chunk costs nothing next to the callbacks. */
#define UID_CHUNK 256

struct uid_entry {
    int64_t id;
    int64_t uid;
    unsigned flags;
};

enum tm_status tm_store_message_find_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                         int64_t *id_out, unsigned *flags_out, struct tm_error *err)
{
    if (uid <= 0) /* local mail has uid 0: it is never "the" message of a uid */
        return tm_error_set(err, TM_ENOENT, _("no message with UID %lld in the cache"),
                            (long long)uid);
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_FIND_UID,
                                 "SELECT id, flags FROM messages WHERE mailbox_id = ?1 AND "
                                 "uid = ?2 ORDER BY id LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, uid);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(s, 0);
        if (flags_out)
            *flags_out = (unsigned)sqlite3_column_int64(s, 1);
    } else if (r == SQLITE_DONE) {
        rc = tm_error_set(err, TM_ENOENT, _("no message with UID %lld in the cache"),
                          (long long)uid);
    } else {
        rc = store_error(st, err, _("cannot read a message"));
    }
    store_release(s);
    return rc;
}

/* Reads up to UID_CHUNK rows after (uid, id) in (uid, id) order into e; *n gets how many. */
static enum tm_status uid_chunk(struct tm_store *st, int64_t mailbox_id, int64_t after_uid,
                                int64_t after_id, struct uid_entry *e, int *n, struct tm_error *err)
{
    /* Two index ranges merged, rather than the row value (uid, id) > (?2, ?3): SQLite seeks
     * that on uid alone, so a long run of equal uids (local mail, uid 0) would be rescanned
     * from its start for every chunk. */
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_EACH_UID,
                                 "SELECT id, uid, flags FROM messages WHERE mailbox_id = ?1 AND "
                                 "uid = ?2 AND id > ?3 UNION ALL "
                                 "SELECT id, uid, flags FROM messages WHERE mailbox_id = ?1 AND "
                                 "uid > ?2 ORDER BY 2, 1 LIMIT ?4",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, after_uid);
    sqlite3_bind_int64(s, 3, after_id);
    sqlite3_bind_int(s, 4, UID_CHUNK);
    enum tm_status rc = TM_OK;
    int r = SQLITE_DONE;
    *n = 0;
    while (*n < UID_CHUNK && (r = sqlite3_step(s)) == SQLITE_ROW) {
        e[*n].id = sqlite3_column_int64(s, 0);
        e[*n].uid = sqlite3_column_int64(s, 1);
        e[*n].flags = (unsigned)sqlite3_column_int64(s, 2);
        (*n)++;
    }
    if (*n < UID_CHUNK && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read message UIDs"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_message_each_uid(struct tm_store *st, int64_t mailbox_id,
                                         tm_store_uid_cb cb, void *ctx, struct tm_error *err)
{
    struct uid_entry e[UID_CHUNK];
    int64_t uid = -1, id = 0; /* before every row: uids are never negative */
    enum tm_status rc;
    int n = 0;
    do {
        rc = uid_chunk(st, mailbox_id, uid, id, e, &n, err);
        for (int i = 0; !rc && i < n; i++) {
            if (cb(ctx, e[i].id, e[i].uid, e[i].flags))
                return TM_OK;
        }
        if (n > 0) {
            uid = e[n - 1].uid;
            id = e[n - 1].id;
        }
    } while (!rc && n == UID_CHUNK);
    return rc;
}

enum tm_status tm_store_message_delete_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                           int *deleted, struct tm_error *err)
{
    if (deleted)
        *deleted = 0;
    if (uid <= 0) /* would be every local message of the mailbox */
        return TM_OK;
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_DELETE_UID,
                                 "DELETE FROM messages WHERE mailbox_id = ?1 AND uid = ?2", err);
    if (!s)
        return TM_ESTORE;
    store_watch_changed(st, mailbox_id);
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_int64(s, 2, uid);
    enum tm_status rc = store_step_done(st, s, _("cannot delete a message"), err);
    if (!rc && deleted) /* direct changes only: the cascaded body does not count */
        *deleted = sqlite3_changes(st->db) > 0;
    return rc;
}

enum tm_status tm_store_message_max_uid(struct tm_store *st, int64_t mailbox_id, int64_t *uid_out,
                                        struct tm_error *err)
{
    /* the last entry of the mailbox's index range: one seek */
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_MAX_UID,
                                 "SELECT uid FROM messages WHERE mailbox_id = ?1 "
                                 "ORDER BY uid DESC LIMIT 1",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    *uid_out = 0;
    int r = sqlite3_step(s);
    enum tm_status rc = TM_OK;
    if (r == SQLITE_ROW)
        *uid_out = sqlite3_column_int64(s, 0);
    else if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read message UIDs"));
    store_release(s);
    return rc;
}
