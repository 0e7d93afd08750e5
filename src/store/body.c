/* body.c - cached raw messages (RFC 5322 bytes as the server sent them), one per message row,
 * deleted with it by the bodies -> messages cascade. */
#include <stdio.h>
#include <time.h>

#include "private.h"
#include "tmail/buf.h"
#include "tmail/i18n.h"

enum tm_status tm_store_body_put(struct tm_store *st, int64_t message_id, const void *raw,
                                 size_t len, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_BODY_PUT,
                                 "INSERT INTO bodies(message_id, raw, fetched_at) "
                                 "VALUES(?1, ?2, ?3) ON CONFLICT(message_id) DO UPDATE SET "
                                 "raw = excluded.raw, fetched_at = excluded.fetched_at",
                                 err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
    /* a NULL pointer would bind SQL NULL: an empty message is an empty blob */
    if (sqlite3_bind_blob64(s, 2, raw ? raw : "", len, SQLITE_STATIC) == SQLITE_TOOBIG) {
        store_release(s);
        return tm_error_set(err, TM_ELIMIT, _("%s: a message of %zu bytes is too large to cache"),
                            st->path, len);
    }
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)message_id);
    else if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot cache a message"));
    store_release(s);
    return rc;
}

enum tm_status tm_store_body_get(struct tm_store *st, int64_t message_id, struct tm_buf *out,
                                 struct tm_error *err)
{
    sqlite3_stmt *s =
        store_stmt(st, STMT_BODY_GET, "SELECT raw FROM bodies WHERE message_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    char missing[128];
    snprintf(missing, sizeof(missing), _("message %lld is not cached"), (long long)message_id);
    return store_blob_append(st, s, out, _("a cached message"), missing, err);
}

enum tm_status tm_store_body_has(struct tm_store *st, int64_t message_id, bool *has,
                                 struct tm_error *err)
{
    /* the primary key alone answers: the blob's pages are never read */
    sqlite3_stmt *s =
        store_stmt(st, STMT_BODY_HAS, "SELECT 1 FROM bodies WHERE message_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW || r == SQLITE_DONE)
        *has = r == SQLITE_ROW;
    else
        rc = store_error(st, err, _("cannot read a cached message"));
    store_release(s);
    return rc;
}
