/* uid.c - messages by IMAP UID (RFC 3501 2.3.1.1): the key of a message with a uid, look-up,
 * the ordered walk for flag resyncs and expunge detection, deletion and the highest UID. A
 * message with a uid is keyed by it in ten digits, which sort like the numbers, so the unique
 * (mailbox_id, local_key) index serves all of these. */
#include "private.h"
#include "tmail/i18n.h"

/* Rows of one each_uid chunk: small enough for the stack, large enough that restarting the
 * index range scan per chunk costs nothing next to the callbacks. */
#define UID_CHUNK 256
/* The keys of uids 1 and 2^32 - 1: the range of the key index the walks read. A local message
 * whose key happens to fall in it has uid 0, which the queries leave out. */
#define UID_KEY_FIRST "0000000001"
#define UID_KEY_LAST  "4294967295"

struct uid_entry {
    int64_t id;
    int64_t uid;
    unsigned flags;
};

void tm_store_uid_key(int64_t uid, char key[TM_STORE_UID_KEY_SIZE])
{
    /* no printf: a first sync keys every message */
    uint64_t v = (uint64_t)uid;
    for (int i = TM_STORE_UID_KEY_SIZE - 2; i >= 0; i--, v /= 10)
        key[i] = (char)('0' + v % 10);
    key[TM_STORE_UID_KEY_SIZE - 1] = 0;
}

bool store_uid_valid(int64_t uid)
{
    return uid > 0 && uid <= UINT32_MAX;
}

enum tm_status tm_store_message_find_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                         int64_t *id_out, unsigned *flags_out, struct tm_error *err)
{
    if (!store_uid_valid(uid)) /* local mail has uid 0: it is never "the" message of a uid */
        return tm_error_set(err, TM_ENOENT, _("no message with UID %lld in the cache"),
                            (long long)uid);
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_FIND_UID,
                                 "SELECT id, flags FROM messages WHERE mailbox_id = ?1 AND "
                                 "local_key = ?2 AND uid = ?3",
                                 err);
    if (!s)
        return TM_ESTORE;
    char key[TM_STORE_UID_KEY_SIZE];
    tm_store_uid_key(uid, key);
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_text(s, 2, key, TM_STORE_UID_KEY_SIZE - 1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, uid);
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

/* Reads up to UID_CHUNK rows with a uid above after_uid, in uid order, into e; *n gets how
 * many. */
static enum tm_status uid_chunk(struct tm_store *st, int64_t mailbox_id, int64_t after_uid,
                                struct uid_entry *e, int *n, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_EACH_UID,
                                 "SELECT id, uid, flags FROM messages WHERE mailbox_id = ?1 AND "
                                 "local_key > ?2 AND local_key <= '" UID_KEY_LAST "' AND uid > 0 "
                                 "ORDER BY local_key LIMIT ?3",
                                 err);
    if (!s)
        return TM_ESTORE;
    char key[TM_STORE_UID_KEY_SIZE];
    tm_store_uid_key(after_uid, key); /* uid 0: "0000000000", before every uid's key */
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_text(s, 2, key, TM_STORE_UID_KEY_SIZE - 1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, UID_CHUNK);
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
    int64_t uid = 0; /* before every uid */
    enum tm_status rc;
    int n = 0;
    do {
        rc = uid_chunk(st, mailbox_id, uid, e, &n, err);
        for (int i = 0; !rc && i < n; i++) {
            if (cb(ctx, e[i].id, e[i].uid, e[i].flags))
                return TM_OK;
        }
        if (n > 0)
            uid = e[n - 1].uid;
    } while (!rc && n == UID_CHUNK);
    return rc;
}

enum tm_status tm_store_message_delete_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                           int *deleted, struct tm_error *err)
{
    if (deleted)
        *deleted = 0;
    if (!store_uid_valid(uid)) /* uid 0 would be every local message of the mailbox */
        return TM_OK;
    sqlite3_stmt *s = store_stmt(
        st, STMT_MSG_DELETE_UID,
        "DELETE FROM messages WHERE mailbox_id = ?1 AND local_key = ?2 AND uid = ?3", err);
    if (!s)
        return TM_ESTORE;
    store_watch_changed(st, mailbox_id);
    char key[TM_STORE_UID_KEY_SIZE];
    tm_store_uid_key(uid, key);
    sqlite3_bind_int64(s, 1, mailbox_id);
    sqlite3_bind_text(s, 2, key, TM_STORE_UID_KEY_SIZE - 1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, uid);
    enum tm_status rc = store_step_done(st, s, _("cannot delete a message"), err);
    if (!rc && deleted) /* direct changes only: the cascaded body does not count */
        *deleted = sqlite3_changes(st->db) > 0;
    return rc;
}

enum tm_status tm_store_message_max_uid(struct tm_store *st, int64_t mailbox_id, int64_t *uid_out,
                                        struct tm_error *err)
{
    /* the last uid key of the mailbox's index range: one seek */
    sqlite3_stmt *s = store_stmt(st, STMT_MSG_MAX_UID,
                                 "SELECT uid FROM messages WHERE mailbox_id = ?1 AND local_key "
                                 "BETWEEN '" UID_KEY_FIRST "' AND '" UID_KEY_LAST "' AND uid > 0 "
                                 "ORDER BY local_key DESC LIMIT 1",
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
