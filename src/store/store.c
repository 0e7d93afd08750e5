/* store.c - opening the SQLite cache (0600, WAL), the statement cache, transactions and
 * accounts. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/str.h"

#define STORE_BUSY_TIMEOUT_MS 5000

enum tm_status store_error(struct tm_store *st, struct tm_error *err, const char *what)
{
    int code = st->db ? sqlite3_errcode(st->db) : SQLITE_NOMEM;
    const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(code);
    enum tm_status rc = code == SQLITE_NOMEM ? TM_ENOMEM : TM_ESTORE;
    return tm_error_set(err, rc, _("%s: %s: %s"), st->path ? st->path : "?", what, msg);
}

sqlite3_stmt *store_stmt(struct tm_store *st, enum store_stmt id, const char *sql,
                         struct tm_error *err)
{
    sqlite3_stmt *s = st->stmts[id];
    if (s) {
        if (sqlite3_stmt_busy(s)) {
            /* a walk's callback re-entered the same walk: refuse rather than reset it */
            tm_error_set(err, TM_ESTORE, _("%s: statement already in use: %s"), st->path, sql);
            return NULL;
        }
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return s;
    }
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        store_error(st, err, _("cannot prepare a query"));
        return NULL;
    }
    st->stmts[id] = s;
    return s;
}

void store_release(sqlite3_stmt *s)
{
    /* ends the statement's read transaction at once, so a WAL reader never pins old data */
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

enum tm_status store_step_done(struct tm_store *st, sqlite3_stmt *s, const char *what,
                               struct tm_error *err)
{
    int r = sqlite3_step(s);
    enum tm_status rc = TM_OK;
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        rc = store_error(st, err, what);
    store_release(s);
    return rc;
}

enum tm_status store_query_int64(struct tm_store *st, sqlite3_stmt *s, int64_t *out,
                                 const char *what, const char *missing, struct tm_error *err)
{
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else if (r == SQLITE_DONE)
        rc = tm_error_set(err, TM_ENOENT, "%s", missing);
    else
        rc = store_error(st, err, what);
    store_release(s);
    return rc;
}

bool store_column_dup(sqlite3_stmt *s, int i, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, i) == SQLITE_NULL)
        return true;
    const char *text = (const char *)sqlite3_column_text(s, i);
    if (!text)
        return false;
    *out = tm_strndup(text, (size_t)sqlite3_column_bytes(s, i));
    return *out != NULL;
}

enum tm_status store_user_version(struct tm_store *st, int *version, struct tm_error *err)
{
    sqlite3_stmt *s = NULL;
    enum tm_status rc = TM_OK;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        rc = store_error(st, err, _("cannot read the schema version"));
        goto out;
    }
    *version = sqlite3_column_int(s, 0);
out:
    sqlite3_finalize(s);
    return rc;
}

/* Creates the file 0600 (and its directory 0700) before SQLite sees it: SQLite gives its -wal
 * and -shm files the database file's permissions, so none of them is ever world-readable. */
static enum tm_status store_create_file(const char *path, struct tm_error *err)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        char dir[4096];
        size_t len = (size_t)(slash - path);
        if (len >= sizeof(dir))
            return tm_error_set(err, TM_ELIMIT, _("path too long: %s"), path);
        memcpy(dir, path, len);
        dir[len] = 0;
        enum tm_status rc = tm_fs_mkdirs(dir, 0700, err);
        if (rc)
            return rc;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return tm_error_errno(err, TM_EIO, errno, _("cannot create %s"), path);
    close(fd);
    return TM_OK;
}

/* SQLite's memory statistics (on by default) take a global mutex around every allocation and
 * free, which the reader and writer threads of a sync then contend for; tmail reads none of
 * them (no sqlite3_memory_used, no soft heap limit). Configured once, before SQLite is used. */
static void store_configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum tm_status store_connect(struct tm_store *st, struct tm_error *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, store_configure_sqlite);
    /* each connection is used by one thread only: no per-connection mutex needed */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(st->path, &st->db, flags, NULL) != SQLITE_OK)
        return store_error(st, err, _("cannot open the cache"));
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
    return TM_OK;
}

/* Refuses a newer file before anything (even the journal mode) is written to it. */
static enum tm_status store_check_not_newer(struct tm_store *st, struct tm_error *err)
{
    int version = 0;
    enum tm_status rc = store_user_version(st, &version, err);
    if (rc)
        return rc;
    return store_refuse_newer(st, version, TM_STORE_SCHEMA_VERSION, err);
}

static enum tm_status store_configure(struct tm_store *st, struct tm_error *err)
{
    sqlite3_stmt *s = NULL;
    enum tm_status rc = TM_OK;
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        rc = store_error(st, err, _("cannot switch to WAL mode"));
        goto out;
    }
    const char *mode = (const char *)sqlite3_column_text(s, 0);
    if (!mode || strcmp(mode, "wal") != 0) /* e.g. a network file system: works, but slower */
        tm_log(TM_LOG_WARN, "%s: journal mode is %s, not wal", st->path, mode ? mode : "?");
    /* An 8 MiB page cache keeps a 100,000-message sync from re-reading the same index pages.
     * (No mmap: its pages would count as tmail's memory.) Checkpoints run on a thread of their
     * own (checkpoint.c) instead of inside the commit that fills the WAL. */
    if (sqlite3_exec(st->db,
                     "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                     "PRAGMA cache_size=-8192;",
                     NULL, NULL, NULL) != SQLITE_OK)
        rc = store_error(st, err, _("cannot configure the cache"));
    else
        store_checkpoint_in_background(st);
out:
    sqlite3_finalize(s);
    return rc;
}

enum tm_status tm_store_open(const char *path, struct tm_store **out, struct tm_error *err)
{
    enum tm_status rc = TM_ENOMEM;
    *out = NULL;
    struct tm_store *st = calloc(1, sizeof(*st));
    if (!st || !(st->path = strdup(path))) {
        tm_error_set(err, rc, _("out of memory opening %s"), path);
        goto out;
    }
    rc = store_create_file(path, err);
    if (!rc)
        rc = store_connect(st, err);
    if (!rc)
        rc = store_check_not_newer(st, err);
    if (!rc)
        rc = store_configure(st, err);
    if (!rc)
        rc = store_migrate(st, err);
    if (!rc)
        rc = store_user_version(st, &st->schema_version, err);
out:
    if (rc)
        tm_store_free(&st);
    *out = st;
    return rc;
}

void tm_store_free(struct tm_store **pp)
{
    struct tm_store *st = pp ? *pp : NULL;
    if (!st)
        return;
    /* first, so that closing st->db finds itself the last connection: it then checkpoints and
     * removes the WAL */
    store_checkpoint_stop(st);
    for (int i = 0; i < STMT__COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
    *pp = NULL;
}

void tm_store_release_memory(struct tm_store *st)
{
    sqlite3_db_release_memory(st->db);
}

int tm_store_schema_version(struct tm_store *st)
{
    return st->schema_version;
}

enum tm_status tm_store_begin(struct tm_store *st, struct tm_error *err)
{
    /* IMMEDIATE takes the write lock now (waiting up to the busy timeout) instead of failing
     * with SQLITE_BUSY halfway through a batch when a read lock cannot be upgraded */
    sqlite3_stmt *s = store_stmt(st, STMT_BEGIN, "BEGIN IMMEDIATE", err);
    return s ? store_step_done(st, s, _("cannot begin a transaction"), err) : TM_ESTORE;
}

enum tm_status tm_store_commit(struct tm_store *st, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_COMMIT, "COMMIT", err);
    enum tm_status rc =
        s ? store_step_done(st, s, _("cannot commit a transaction"), err) : TM_ESTORE;
    if (rc) {
        /* Some failed commits (a deferred constraint, a lock) leave the transaction open. Every
         * later write of this connection would then join it, unseen by other connections, and
         * be lost when the connection closes: what it holds is lost either way. */
        tm_store_rollback(st);
        return rc;
    }
    if (st->sync_on_commit) {
        st->sync_on_commit = false;
        rc = store_sync_wal(st, err);
    }
    return rc;
}

void tm_store_rollback(struct tm_store *st)
{
    st->sync_on_commit = false;
    store_watch_changed(st, 0); /* rows it was told of may be gone */
    if (sqlite3_get_autocommit(st->db))
        return; /* nothing open (SQLite may have rolled back already after an error) */
    sqlite3_stmt *s = store_stmt(st, STMT_ROLLBACK, "ROLLBACK", NULL);
    if (s)
        store_step_done(st, s, "rollback", NULL);
}

bool tm_store_commit_left_open(struct tm_store *st, struct tm_error *err)
{
    if (sqlite3_get_autocommit(st->db))
        return false;
    tm_store_commit(st, err);
    return true;
}

/* The cache runs synchronous=NORMAL: in WAL mode a commit then reaches the WAL file but is
 * fsynced only at the next checkpoint, so a power loss can take the last transactions back.
 * That is fine for a cache, not for the outbox. Raising synchronous to FULL around outbox
 * writes would not do: SQLite refuses to change it inside a transaction, so it could not cover
 * an outbox row written inside a caller's transaction, and a checkpoint syncs nothing when a
 * reader pins the WAL. Syncing the WAL file after the commit is what FULL itself does at
 * commit, works for both cases, and costs one fsync per outbox write. Without WAL (a file
 * system where WAL could not be enabled) the rollback journal's commit has already synced the
 * database file, and the journal handle is closed: nothing to do. */
enum tm_status store_sync_wal(struct tm_store *st, struct tm_error *err)
{
    sqlite3_file *wal = NULL;
    if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK)
        return store_error(st, err, _("cannot make the write durable"));
    if (!wal || !wal->pMethods)
        return TM_OK;
    int r = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    if (r != SQLITE_OK)
        return tm_error_set(err, TM_EIO, _("%s: cannot make the write durable: %s"), st->path,
                            sqlite3_errstr(r));
    return TM_OK;
}

/* TM_OK with *id (and *url_same) when the account exists, TM_ENOENT when not. */
static enum tm_status account_find(struct tm_store *st, const char *name, const char *url,
                                   int64_t *id, int *url_same, struct tm_error *err)
{
    sqlite3_stmt *s = store_stmt(st, STMT_ACCOUNT_FIND,
                                 "SELECT id, url IS ?2 FROM accounts WHERE name = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
    enum tm_status rc = TM_OK;
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *url_same = sqlite3_column_int(s, 1);
    } else if (r == SQLITE_DONE) {
        rc = TM_ENOENT;
    } else {
        rc = store_error(st, err, _("cannot read accounts"));
    }
    store_release(s);
    return rc;
}

enum tm_status tm_store_account_ensure(struct tm_store *st, const char *name, const char *url,
                                       int64_t *id_out, struct tm_error *err)
{
    int url_same = 1;
    enum tm_status rc = account_find(st, name, url, id_out, &url_same, err);
    if (rc == TM_ENOENT) {
        /* DO NOTHING: another connection may have added it since we looked */
        sqlite3_stmt *s = store_stmt(
            st, STMT_ACCOUNT_INSERT,
            "INSERT INTO accounts(name, url) VALUES(?1, ?2) ON CONFLICT(name) DO NOTHING", err);
        if (!s)
            return TM_ESTORE;
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
        rc = store_step_done(st, s, _("cannot add an account"), err);
        if (!rc)
            rc = account_find(st, name, url, id_out, &url_same, err);
        if (rc == TM_ENOENT)
            rc = tm_error_set(err, TM_ESTORE, _("%s: account %s vanished"), st->path, name);
    }
    if (rc || url_same || !url)
        return rc;
    sqlite3_stmt *s =
        store_stmt(st, STMT_ACCOUNT_SET_URL, "UPDATE accounts SET url = ?2 WHERE id = ?1", err);
    if (!s)
        return TM_ESTORE;
    sqlite3_bind_int64(s, 1, *id_out);
    sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
    return store_step_done(st, s, _("cannot update an account"), err);
}

enum tm_status store_atomic_begin(struct tm_store *st, bool *own, struct tm_error *err)
{
    *own = sqlite3_get_autocommit(st->db) != 0;
    if (*own)
        return tm_store_begin(st, err);
    sqlite3_stmt *s = store_stmt(st, STMT_SAVEPOINT, "SAVEPOINT store_atomic", err);
    return s ? store_step_done(st, s, _("cannot begin a transaction"), err) : TM_ESTORE;
}

enum tm_status store_atomic_end(struct tm_store *st, bool own, enum tm_status rc,
                                struct tm_error *err)
{
    if (own) {
        if (!rc)
            rc = tm_store_commit(st, err);
        if (rc)
            tm_store_rollback(st);
        return rc;
    }
    sqlite3_stmt *s;
    /* ROLLBACK TO undoes the group but keeps the savepoint open: RELEASE it either way. A
     * failure here (SQLite may already have rolled the caller's transaction back) is reported
     * only when nothing else failed before. */
    if (rc)
        store_watch_changed(st, 0);
    if (rc && (s = store_stmt(st, STMT_ROLLBACK_TO, "ROLLBACK TO store_atomic", NULL)))
        store_step_done(st, s, "rollback", NULL);
    s = store_stmt(st, STMT_RELEASE, "RELEASE store_atomic", rc ? NULL : err);
    if (!s)
        return rc ? rc : TM_ESTORE;
    enum tm_status released =
        store_step_done(st, s, _("cannot commit a transaction"), rc ? NULL : err);
    return rc ? rc : released;
}

enum tm_status store_blob_append(struct tm_store *st, sqlite3_stmt *s, struct tm_buf *out,
                                 const char *what, const char *missing, struct tm_error *err)
{
    enum tm_status rc = TM_OK;
    char cannot[256];
    snprintf(cannot, sizeof(cannot), _("cannot read %s"), what);
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) {
        int len = sqlite3_column_bytes(s, 0);
        const void *raw = sqlite3_column_blob(s, 0); /* NULL for an empty blob */
        if (len > 0 && !raw)
            rc = store_error(st, err, cannot);
        else if ((rc = tm_buf_append(out, raw, (size_t)len)) == TM_ELIMIT)
            tm_error_set(err, rc, _("%s is larger than %zu bytes"), what, out->limit);
        else if (rc)
            tm_error_set(err, rc, _("out of memory reading %s"), what);
    } else if (r == SQLITE_DONE) {
        rc = tm_error_set(err, TM_ENOENT, "%s", missing);
    } else {
        rc = store_error(st, err, cannot);
    }
    store_release(s);
    return rc;
}
