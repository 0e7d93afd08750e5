/* body.c - cached raw messages (RFC 5322 bytes as the server sent them), one per message row,
 * deleted with it by the bodies -> messages cascade; and messages cached in parts (a skeleton,
 * the parts left out of it, their downloaded chunks), which a whole body replaces. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- Messages cached in parts (schema 10) ----
 * Used once per big message opened and once per chunk downloaded, so the statements are
 * prepared per call rather than kept with the connection's others. */

static sqlite3_stmt *part_stmt(struct tm_store *st, const char *sql, struct tm_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        store_error(st, err, _("cannot use the parts of a cached message"));
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

/* Steps s once (a write, or a read whose row is ignored) and finalizes it. */
static enum tm_status part_exec(struct tm_store *st, sqlite3_stmt *s, const char *what,
                                struct tm_error *err)
{
    if (!s)
        return TM_ESTORE;
    int r = sqlite3_step(s);
    enum tm_status rc = r == SQLITE_DONE || r == SQLITE_ROW ? TM_OK : store_error(st, err, what);
    sqlite3_finalize(s);
    return rc;
}

/* A blob or text binding that is never SQL NULL; TM_ELIMIT past SQLite's limit. */
static enum tm_status bind_blob(struct tm_store *st, sqlite3_stmt *s, int i, const void *data,
                                size_t len, struct tm_error *err)
{
    if (sqlite3_bind_blob64(s, i, data ? data : "", len, SQLITE_STATIC) == SQLITE_TOOBIG)
        return tm_error_set(err, TM_ELIMIT, _("%s: %zu bytes are too many to cache at once"),
                            st->path, len);
    return TM_OK;
}

static enum tm_status insert_skeleton(struct tm_store *st, int64_t message_id, const void *skeleton,
                                      size_t len, struct tm_error *err)
{
    sqlite3_stmt *s = part_stmt(st,
                                "INSERT INTO partial_bodies(message_id, skeleton, fetched_at) "
                                "VALUES(?1, ?2, ?3)",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_int64(s, 3, (int64_t)time(NULL));
    enum tm_status rc = bind_blob(st, s, 2, skeleton, len, err);
    int r = rc ? SQLITE_DONE : sqlite3_step(s);
    if (!rc && r == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)message_id);
    else if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot cache a message"));
    sqlite3_finalize(s);
    return rc;
}

static enum tm_status insert_part(struct tm_store *st, int64_t message_id,
                                  const struct tm_store_part *p, struct tm_error *err)
{
    sqlite3_stmt *s = part_stmt(st,
                                "INSERT INTO body_parts(message_id, section, path, octets, "
                                "encoding) VALUES(?1, ?2, ?3, ?4, ?5)",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_text(s, 2, p->section, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, p->path ? p->path : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, p->octets);
    if (p->encoding)
        sqlite3_bind_text(s, 5, p->encoding, -1, SQLITE_STATIC);
    return part_exec(st, s, _("cannot cache a message"), err);
}

enum tm_status tm_store_partial_put(struct tm_store *st, int64_t message_id, const void *skeleton,
                                    size_t len, const struct tm_store_part *parts, size_t n,
                                    struct tm_error *err)
{
    bool own;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    sqlite3_stmt *s = part_stmt(st, "DELETE FROM partial_bodies WHERE message_id = ?1", err);
    if (s)
        sqlite3_bind_int64(s, 1, message_id);
    rc = part_exec(st, s, _("cannot cache a message"), err);
    if (!rc)
        rc = insert_skeleton(st, message_id, skeleton, len, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = insert_part(st, message_id, &parts[i], err);
    return store_atomic_end(st, own, rc, err);
}

enum tm_status tm_store_partial_get(struct tm_store *st, int64_t message_id, struct tm_buf *out,
                                    struct tm_error *err)
{
    sqlite3_stmt *s =
        part_stmt(st, "SELECT skeleton FROM partial_bodies WHERE message_id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    char missing[128];
    snprintf(missing, sizeof(missing), _("message %lld is not cached"), (long long)message_id);
    enum tm_status rc = store_blob_append(st, s, out, _("a cached message"), missing, err);
    sqlite3_finalize(s);
    return rc;
}

/* One row of body_parts, owned while the walk runs its callbacks. */
struct part_copy {
    struct tm_store_part p;
    char *section, *path, *encoding;
};

static void part_copies_free(struct part_copy *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].section);
        free(rows[i].path);
        free(rows[i].encoding);
    }
    free(rows);
}

/* Reads every part row of message_id into *rows (owned by the caller). */
static enum tm_status part_rows(struct tm_store *st, int64_t message_id, struct part_copy **rows,
                                size_t *n, struct tm_error *err)
{
    size_t cap = 0;
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *s = part_stmt(st,
                                "SELECT section, path, octets, encoding, decoded, total, have, "
                                "complete FROM body_parts WHERE message_id = ?1 ORDER BY section",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    enum tm_status rc = TM_OK;
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t grown = cap ? cap * 2 : 8;
            struct part_copy *more = realloc(*rows, grown * sizeof(**rows));
            if (!more) {
                rc = tm_error_set(err, TM_ENOMEM, _("out of memory"));
                break;
            }
            *rows = more;
            cap = grown;
        }
        struct part_copy *c = &(*rows)[*n];
        memset(c, 0, sizeof(*c));
        (*n)++;
        if (!store_column_dup(s, 0, &c->section) || !store_column_dup(s, 1, &c->path) ||
            !store_column_dup(s, 3, &c->encoding)) {
            rc = tm_error_set(err, TM_ENOMEM, _("out of memory"));
            break;
        }
        c->p = (struct tm_store_part){c->section ? c->section : "",  c->path ? c->path : "",
                                      sqlite3_column_int64(s, 2),    c->encoding,
                                      sqlite3_column_int(s, 4) != 0, sqlite3_column_int64(s, 5),
                                      sqlite3_column_int64(s, 6),    sqlite3_column_int(s, 7) != 0};
    }
    if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read the parts of a cached message"));
    sqlite3_finalize(s);
    return rc;
}

enum tm_status tm_store_part_each(struct tm_store *st, int64_t message_id, tm_store_part_cb cb,
                                  void *ctx, struct tm_error *err)
{
    struct part_copy *rows;
    size_t n;
    enum tm_status rc = part_rows(st, message_id, &rows, &n, err);
    for (size_t i = 0; !rc && i < n; i++)
        if (cb(ctx, &rows[i].p))
            break;
    part_copies_free(rows, n);
    return rc;
}

/* The download state of a part: TM_ENOENT when it is not a left-out part of message_id. */
static enum tm_status part_state(struct tm_store *st, int64_t message_id, const char *section,
                                 bool *decoded, int64_t *have, bool *complete, struct tm_error *err)
{
    sqlite3_stmt *s = part_stmt(st,
                                "SELECT decoded, have, complete FROM body_parts "
                                "WHERE message_id = ?1 AND section = ?2",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *decoded = sqlite3_column_int(s, 0) != 0;
        *have = sqlite3_column_int64(s, 1);
        *complete = sqlite3_column_int(s, 2) != 0;
    } else if (r == SQLITE_DONE) {
        rc = tm_error_set(err, TM_ENOENT, _("part %s of message %lld is not in the cache"), section,
                          (long long)message_id);
    } else {
        rc = store_error(st, err, _("cannot read the parts of a cached message"));
    }
    sqlite3_finalize(s);
    return rc;
}

static enum tm_status part_restart(struct tm_store *st, int64_t message_id, const char *section,
                                   bool decoded, struct tm_error *err)
{
    sqlite3_stmt *s =
        part_stmt(st, "DELETE FROM part_chunks WHERE message_id = ?1 AND section = ?2", err);
    if (s) {
        sqlite3_bind_int64(s, 1, message_id);
        sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
    }
    enum tm_status rc = part_exec(st, s, _("cannot cache a message part"), err);
    if (rc)
        return rc;
    s = part_stmt(st,
                  "UPDATE body_parts SET decoded = ?3, have = 0, total = -1, complete = 0 "
                  "WHERE message_id = ?1 AND section = ?2",
                  err);
    if (s) {
        sqlite3_bind_int64(s, 1, message_id);
        sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, decoded);
    }
    return part_exec(st, s, _("cannot cache a message part"), err);
}

enum tm_status tm_store_part_begin(struct tm_store *st, int64_t message_id, const char *section,
                                   bool decoded, int64_t total, int64_t *have, struct tm_error *err)
{
    bool own, was_decoded, complete;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    rc = part_state(st, message_id, section, &was_decoded, have, &complete, err);
    if (!rc && was_decoded != decoded) {
        rc = part_restart(st, message_id, section, decoded, err);
        *have = 0;
    }
    if (!rc && total >= 0) {
        sqlite3_stmt *s = part_stmt(st,
                                    "UPDATE body_parts SET total = ?3 "
                                    "WHERE message_id = ?1 AND section = ?2",
                                    err);
        if (s) {
            sqlite3_bind_int64(s, 1, message_id);
            sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 3, total);
        }
        rc = part_exec(st, s, _("cannot cache a message part"), err);
    }
    return store_atomic_end(st, own, rc, err);
}

static enum tm_status insert_chunk(struct tm_store *st, int64_t message_id, const char *section,
                                   int64_t offset, const void *data, size_t len, bool last,
                                   struct tm_error *err)
{
    sqlite3_stmt *s = part_stmt(st,
                                "INSERT INTO part_chunks(message_id, section, byte_offset, data) "
                                "VALUES(?1, ?2, ?3, ?4)",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, offset);
    enum tm_status rc = bind_blob(st, s, 4, data, len, err);
    if (rc) {
        sqlite3_finalize(s);
        return rc;
    }
    if ((rc = part_exec(st, s, _("cannot cache a message part"), err)))
        return rc;
    s = part_stmt(st,
                  "UPDATE body_parts SET have = have + ?3, complete = ?4, "
                  "total = CASE WHEN ?4 THEN have + ?3 ELSE total END "
                  "WHERE message_id = ?1 AND section = ?2",
                  err);
    if (s) {
        sqlite3_bind_int64(s, 1, message_id);
        sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, (int64_t)len);
        sqlite3_bind_int(s, 4, last);
    }
    return part_exec(st, s, _("cannot cache a message part"), err);
}

enum tm_status tm_store_part_add(struct tm_store *st, int64_t message_id, const char *section,
                                 int64_t offset, const void *data, size_t len, bool last,
                                 struct tm_error *err)
{
    bool own, decoded, complete;
    int64_t have = 0;
    enum tm_status rc = store_atomic_begin(st, &own, err);
    if (rc)
        return rc;
    rc = part_state(st, message_id, section, &decoded, &have, &complete, err);
    if (!rc && (have != offset || complete))
        rc = tm_error_set(err, TM_ESTORE,
                          _("%s: part %s of message %lld: a chunk at %lld, but %lld bytes are "
                            "held%s"),
                          st->path, section, (long long)message_id, (long long)offset,
                          (long long)have, complete ? _(" and it is complete") : "");
    if (!rc)
        rc = insert_chunk(st, message_id, section, offset, data, len, last, err);
    return store_atomic_end(st, own, rc, err);
}

enum tm_status tm_store_part_content(struct tm_store *st, int64_t message_id, const char *section,
                                     struct tm_buf *out, bool *decoded, struct tm_error *err)
{
    bool complete;
    int64_t have;
    enum tm_status rc = part_state(st, message_id, section, decoded, &have, &complete, err);
    if (!rc && !complete)
        rc = tm_error_set(err, TM_ENOENT, _("part %s is not downloaded yet"), section);
    if (rc)
        return rc;
    sqlite3_stmt *s = part_stmt(st,
                                "SELECT data FROM part_chunks WHERE message_id = ?1 AND "
                                "section = ?2 ORDER BY byte_offset",
                                err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, message_id);
    sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
    size_t before = out->len;
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(s)) == SQLITE_ROW) {
        int len = sqlite3_column_bytes(s, 0);
        const void *data = sqlite3_column_blob(s, 0);
        if (len > 0 && !data)
            rc = store_error(st, err, _("cannot read a message part"));
        else if ((rc = tm_buf_append(out, data, (size_t)len)) == TM_ELIMIT)
            tm_error_set(err, rc, _("part %s is larger than %zu bytes"), section, out->limit);
        else if (rc)
            tm_error_set(err, rc, _("out of memory reading part %s"), section);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read a message part"));
    sqlite3_finalize(s);
    if (rc && out->data) { /* out as it was */
        out->len = before;
        out->data[before] = 0;
    }
    return rc;
}
