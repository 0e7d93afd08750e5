/* fts.c - the searchable text of messages (schema 9): decoded header lines and body text that
 * core extracted, their FTS5 index (trigram tokenizer, detail=none) as a prefilter for body and
 * header search, and the walks that find what is still to be indexed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/buf.h"
#include "tmail/i18n.h"

/* Trigrams asked for per group: enough to make a long literal selective, few enough that the
 * query stays cheap (each is one doclist to merge). */
#define TRIGRAMS_MAX 24

/* The statements of one put, in the order they run. */
enum writer_stmt { W_OLD, W_UNINDEX, W_UPDATE, W_INSERT, W_INDEX, W_UNPEND, W__COUNT };

static const char *const writer_sql[W__COUNT] = {
    [W_OLD] = "SELECT headers, body FROM message_text WHERE message_id = ?1",
    /* an external-content index forgets a row given exactly the values it indexed */
    [W_UNINDEX] = "INSERT INTO message_text_index(message_text_index, rowid, headers, body) "
                  "VALUES('delete', ?1, ?2, ?3)",
    [W_UPDATE] = "UPDATE message_text SET stamp = ?2, headers = ?3, body = ?4 "
                 "WHERE message_id = ?1",
    [W_INSERT] = "INSERT INTO message_text(message_id, stamp, headers, body) "
                 "VALUES(?1, ?2, ?3, ?4)",
    [W_INDEX] = "INSERT INTO message_text_index(rowid, headers, body) VALUES(?1, ?3, ?4)",
    [W_UNPEND] = "DELETE FROM message_text_pending WHERE message_id = ?1",
};

struct tm_store_text_writer {
    struct tm_store *st;
    sqlite3_stmt *s[W__COUNT];
};

static sqlite3_stmt *prepare(struct tm_store *st, const char *sql, struct tm_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        store_error(st, err, _("cannot prepare a query"));
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

enum tm_status tm_store_text_writer_new(struct tm_store *st, struct tm_store_text_writer **out,
                                        struct tm_error *err)
{
    struct tm_store_text_writer *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    w->st = st;
    for (int i = 0; i < W__COUNT; i++) {
        if (!(w->s[i] = prepare(st, writer_sql[i], err))) {
            tm_store_text_writer_free(&w);
            return TM_ESTORE;
        }
    }
    *out = w;
    return TM_OK;
}

void tm_store_text_writer_free(struct tm_store_text_writer **pp)
{
    struct tm_store_text_writer *w = pp ? *pp : NULL;
    if (!w)
        return;
    for (int i = 0; i < W__COUNT; i++)
        sqlite3_finalize(w->s[i]);
    free(w);
    *pp = NULL;
}

/* Steps statement i of w, bound with id and (for 2..4) stamp and the texts. */
static int step(struct tm_store_text_writer *w, enum writer_stmt i, int64_t id, int64_t stamp,
                const char *h, size_t hlen, const char *b, size_t blen)
{
    sqlite3_stmt *s = w->s[i];
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, id);
    if (i == W_UNINDEX) { /* the old texts, as ?2 and ?3 */
        sqlite3_bind_text64(s, 2, h, hlen, SQLITE_STATIC, SQLITE_UTF8);
        sqlite3_bind_text64(s, 3, b, blen, SQLITE_STATIC, SQLITE_UTF8);
    } else if (i != W_OLD && i != W_UNPEND) {
        sqlite3_bind_int64(s, 2, stamp);
        if (sqlite3_bind_text64(s, 3, h, hlen, SQLITE_STATIC, SQLITE_UTF8) == SQLITE_TOOBIG ||
            sqlite3_bind_text64(s, 4, b, blen, SQLITE_STATIC, SQLITE_UTF8) == SQLITE_TOOBIG)
            return SQLITE_TOOBIG;
    }
    int r = sqlite3_step(s);
    if (i != W_OLD)
        store_release(s);
    return r;
}

/* Replaces the text of id (known to exist) and its index entries: the old values leave the
 * index first. */
static int replace(struct tm_store_text_writer *w, int64_t id, int64_t stamp, const char *h,
                   size_t hlen, const char *b, size_t blen)
{
    sqlite3_stmt *old = w->s[W_OLD];
    const char *oh = (const char *)sqlite3_column_text(old, 0);
    size_t ohlen = (size_t)sqlite3_column_bytes(old, 0);
    const char *ob = (const char *)sqlite3_column_text(old, 1);
    size_t oblen = (size_t)sqlite3_column_bytes(old, 1);
    int r = !oh || !ob ? SQLITE_NOMEM : step(w, W_UNINDEX, id, 0, oh, ohlen, ob, oblen);
    store_release(old); /* the old texts are not needed past the delete */
    if (r == SQLITE_DONE)
        r = step(w, W_UPDATE, id, stamp, h, hlen, b, blen);
    return r;
}

enum tm_status tm_store_text_put(struct tm_store_text_writer *w, int64_t message_id, int64_t stamp,
                                 const char *headers, size_t headers_len, const char *body,
                                 size_t body_len, struct tm_error *err)
{
    struct tm_store *st = w->st;
    const char *h = headers ? headers : "", *b = body ? body : ""; /* never SQL NULL */
    /* All or nothing: its own transaction, or the caller's (which a failure must roll back;
     * a savepoint here would make FTS5 flush at every message) */
    bool own = sqlite3_get_autocommit(st->db) != 0;
    enum tm_status rc = own ? tm_store_begin(st, err) : TM_OK;
    if (rc)
        return rc;
    int r = step(w, W_OLD, message_id, 0, NULL, 0, NULL, 0);
    if (r == SQLITE_ROW)
        r = replace(w, message_id, stamp, h, headers_len, b, body_len);
    else if (r == SQLITE_DONE)
        r = step(w, W_INSERT, message_id, stamp, h, headers_len, b, body_len);
    store_release(w->s[W_OLD]);
    if (r == SQLITE_DONE)
        r = step(w, W_INDEX, message_id, stamp, h, headers_len, b, body_len);
    if (r == SQLITE_DONE)
        r = step(w, W_UNPEND, message_id, 0, NULL, 0, NULL, 0);
    if (r == SQLITE_TOOBIG)
        rc = tm_error_set(err, TM_ELIMIT, _("%s: the text of message %lld is too large"), st->path,
                          (long long)message_id);
    else if (r == SQLITE_CONSTRAINT_FOREIGNKEY)
        rc = tm_error_set(err, TM_ENOENT, _("no message %lld in the cache"), (long long)message_id);
    else if (r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot store the text of a message"));
    if (own && !rc)
        rc = tm_store_commit(st, err);
    if (own && rc)
        tm_store_rollback(st);
    return rc;
}

/* The ids (and nothing else) a walk reports. */
static const char *const missing_sql[] = {
    [TM_TEXT_STALE] = "SELECT m.id FROM messages m LEFT JOIN message_text t ON "
                      "t.message_id = m.id WHERE m.mailbox_id = ?1 AND (t.message_id IS NULL "
                      "OR t.stamp IS NOT m.size) ORDER BY m.id",
    [TM_TEXT_PENDING] = "SELECT p.message_id FROM message_text_pending p JOIN messages m ON "
                        "m.id = p.message_id WHERE m.mailbox_id = ?1 ORDER BY p.message_id",
    [TM_TEXT_ABSENT] = "SELECT m.id FROM messages m WHERE m.mailbox_id = ?1 AND NOT EXISTS "
                       "(SELECT 1 FROM message_text t WHERE t.message_id = m.id) ORDER BY m.id",
};

enum tm_status tm_store_text_each_missing(struct tm_store *st, int64_t mailbox_id,
                                          enum tm_text_missing which, tm_store_text_id_cb cb,
                                          void *ctx, struct tm_error *err)
{
    if ((unsigned)which >= sizeof(missing_sql) / sizeof(missing_sql[0]))
        return tm_error_set(err, TM_ESTORE, _("%s: unknown text walk"), st->path);
    sqlite3_stmt *s = prepare(st, missing_sql[which], err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    enum tm_status rc = TM_OK;
    int r;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        if (TM_ARRAY_RESERVE(ids, n, cap, 256)) {
            rc = tm_error_set(err, TM_ENOMEM, _("out of memory"));
            break;
        }
        ids[n++] = sqlite3_column_int64(s, 0);
    }
    if (!rc && r != SQLITE_DONE)
        rc = store_error(st, err, _("cannot read which messages have text"));
    sqlite3_finalize(s); /* before the callbacks: they may write */
    for (size_t i = 0; !rc && i < n; i++)
        if (cb(ctx, ids[i]))
            break;
    free(ids);
    return rc;
}

enum tm_status tm_store_text_counts(struct tm_store *st, int64_t mailbox_id, int64_t *total,
                                    int64_t *with_text, struct tm_error *err)
{
    sqlite3_stmt *s = prepare(st,
                              "SELECT count(*), count(t.message_id) FROM messages m LEFT JOIN "
                              "message_text t ON t.message_id = m.id WHERE m.mailbox_id = ?1",
                              err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, mailbox_id);
    enum tm_status rc = TM_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *total = sqlite3_column_int64(s, 0);
        *with_text = sqlite3_column_int64(s, 1);
    } else {
        rc = store_error(st, err, _("cannot count messages with text"));
    }
    sqlite3_finalize(s);
    return rc;
}

/* Length of the UTF-8 character at s (1 for a stray byte), within n bytes. */
static size_t char_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0xc0 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (len > n)
        return 1;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return len;
}

/* Appends to q, joined by " AND ", each distinct trigram of lit as a quoted FTS5 string (quotes
 * doubled), until *count reaches TRIGRAMS_MAX. With detail=none a phrase of several trigrams
 * cannot be asked for, so a literal becomes the conjunction of its trigrams: a superset of the
 * messages that contain it, which the caller confirms. */
static enum tm_status add_trigrams(struct tm_buf *q, const char *lit, int *count)
{
    size_t n = strlen(lit), nchars = 0;
    size_t *at = malloc((n + 1) * sizeof(*at)); /* where each character starts */
    if (!at)
        return TM_ENOMEM;
    for (size_t i = 0; i < n; i += char_len((const unsigned char *)lit + i, n - i))
        at[nchars++] = i;
    at[nchars] = n;
    enum tm_status st = TM_OK;
    for (size_t k = 0; k + 3 <= nchars && !st && *count < TRIGRAMS_MAX; k++) {
        const char *gram = lit + at[k];
        size_t len = at[k + 3] - at[k];
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = at[j + 3] - at[j] == len && memcmp(lit + at[j], gram, len) == 0;
        if (dup)
            continue;
        st = tm_buf_append_str(q, *count ? " AND \"" : "\"");
        for (size_t i = 0; i < len && !st; i++)
            st = gram[i] == '"' ? tm_buf_append_str(q, "\"\"") : tm_buf_append_char(q, gram[i]);
        if (!st)
            st = tm_buf_append_char(q, '"');
        (*count)++;
    }
    free(at);
    return st;
}

/* The MATCH expression of q into out: "(a AND b) OR (c)"; left empty when some group has no
 * literal of three characters or more (nothing can narrow it down). */
static enum tm_status match_expr(const struct tm_text_query *q, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    for (size_t g = 0; g < q->n_groups && !st; g++) {
        int count = 0;
        st = tm_buf_append_str(out, g ? " OR (" : "(");
        for (size_t i = 0; i < q->groups[g].n && !st; i++)
            st = add_trigrams(out, q->groups[g].literals[i], &count);
        if (!st && count == 0) { /* this group matches anything: so does the query */
            tm_buf_reset(out);
            return TM_OK;
        }
        if (!st)
            st = tm_buf_append_char(out, ')');
    }
    return st;
}

enum tm_status tm_store_text_search(struct tm_store *st, int64_t mailbox_id,
                                    const struct tm_text_query *q, tm_store_text_cb cb, void *ctx,
                                    bool *filtered, struct tm_error *err)
{
    struct tm_buf match;
    tm_buf_init(&match, 64 * 1024);
    if (match_expr(q, &match)) {
        tm_buf_cleanup(&match);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    bool narrowed = match.len > 0;
    if (filtered)
        *filtered = narrowed;
    /* Narrowed: the index gives the candidates' ids, each is checked for its mailbox and only
     * then its text read (CROSS JOIN fixes that order: left to itself, SQLite reads every text
     * of the mailbox and probes the index with each). Not: the mailbox's messages by their
     * index, each text by its key. */
    sqlite3_stmt *s = prepare(
        st,
        narrowed ? "SELECT t.message_id, t.headers, t.body FROM message_text_index i "
                   "CROSS JOIN messages m ON m.id = i.rowid CROSS JOIN message_text t ON "
                   "t.message_id = m.id WHERE message_text_index MATCH ?2 AND m.mailbox_id = ?1"
                 : "SELECT t.message_id, t.headers, t.body FROM messages m JOIN message_text t "
                   "ON t.message_id = m.id WHERE m.mailbox_id = ?1",
        err);
    enum tm_status rc = s ? TM_OK : TM_ESTORE;
    if (s) {
        sqlite3_bind_int64(s, 1, mailbox_id);
        if (narrowed)
            sqlite3_bind_text(s, 2, match.data, (int)match.len, SQLITE_STATIC);
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            const char *h = (const char *)sqlite3_column_text(s, 1);
            size_t hlen = (size_t)sqlite3_column_bytes(s, 1);
            const char *b = (const char *)sqlite3_column_text(s, 2);
            size_t blen = (size_t)sqlite3_column_bytes(s, 2);
            if ((!h && hlen) || (!b && blen)) {
                r = SQLITE_NOMEM;
                break;
            }
            if (cb(ctx, sqlite3_column_int64(s, 0), h ? h : "", hlen, b ? b : "", blen)) {
                r = SQLITE_DONE;
                break;
            }
        }
        if (r != SQLITE_DONE)
            rc = store_error(st, err, _("cannot search the text of messages"));
        sqlite3_finalize(s);
    }
    tm_buf_cleanup(&match);
    return rc;
}
