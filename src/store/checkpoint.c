/* checkpoint.c - WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses its threshold, so the writer that committed (the sync loop, or
 * the order written after a first load) waits while the WAL is copied into the database and
 * both files are synced: about 75 ms after a 100,000-message load. Here the commit only wakes a
 * checkpointer, which copies the WAL on its own connection (PASSIVE: it never blocks a reader
 * or a writer) while the writer goes on. The store's last connection still checkpoints and
 * removes the WAL when it closes, as before.
 * During a first load (its display order deferred) commits do not wake the checkpointer: on two
 * cores the copy competed with the load itself (the server, the reader and the writer), and a
 * 100,000-message load took 25-45 ms longer for it. The caller asks for the copy when the load
 * is over (tm_store_checkpoint_now), and it runs while the order is computed. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/log.h"

/* WAL pages (4 KiB each) that wake the checkpointer. Measured on a 100,000-message first sync
 * (34 MB) before first loads waited for their end: at 8192 the only checkpoint came at the end,
 * where closing waited for it; at 1024 the pages the load keeps changing were copied too often;
 * 2048 kept the copying and syncing inside the load. It now serves the other big writes (the
 * order of a big mailbox, a resync with many changes). */
#define CHECKPOINT_PAGES 2048
/* WAL pages (128 MiB) past which a first load's commits wake the checkpointer after all: the
 * WAL of a very big load must not grow without bound. */
#define LOAD_WAL_PAGES 32768

struct store_checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool wanted; /* a checkpoint is due */
    bool quit;   /* tm_store_free is waiting for the thread */
    sqlite3 *db; /* the thread's own connection, opened on its first checkpoint */
    char *path;  /* copy of the store's */
};

static void run_checkpoint(struct store_checkpointer *c)
{
    if (!c->db) {
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
        if (sqlite3_open_v2(c->path, &c->db, flags, NULL) != SQLITE_OK) {
            tm_log(TM_LOG_WARN, "%s: cannot open a connection for checkpoints: %s", c->path,
                   c->db ? sqlite3_errmsg(c->db) : "out of memory");
            sqlite3_close(c->db);
            c->db = NULL;
            return;
        }
        /* It reads and writes pages straight between the files: no cache worth keeping. */
        sqlite3_exec(c->db, "PRAGMA cache_size=16", NULL, NULL, NULL);
    }
    int log_pages = 0, done_pages = 0;
    int r =
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &done_pages);
    if (r == SQLITE_OK)
        tm_log(TM_LOG_DEBUG, "%s: checkpoint: %d of %d WAL pages copied", c->path, done_pages,
               log_pages);
    else if (r != SQLITE_BUSY) /* busy: another connection is checkpointing; it will do */
        tm_log(TM_LOG_WARN, "%s: checkpoint failed: %s", c->path, sqlite3_errmsg(c->db));
}

static void *checkpointer_main(void *arg)
{
    struct store_checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->wanted && !c->quit)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->quit)
            break;
        c->wanted = false;
        pthread_mutex_unlock(&c->lock);
        run_checkpoint(c);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    sqlite3_close(c->db);
    c->db = NULL;
    return NULL;
}

static void checkpointer_free(struct store_checkpointer *c)
{
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c->path);
    free(c);
}

/* Starts the thread; NULL when it cannot (the caller then checkpoints in place). */
static struct store_checkpointer *checkpointer_start(const char *path)
{
    struct store_checkpointer *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    if (!(c->path = strdup(path)) || pthread_mutex_init(&c->lock, NULL)) {
        free(c->path);
        free(c);
        return NULL;
    }
    if (pthread_cond_init(&c->wake, NULL)) {
        pthread_mutex_destroy(&c->lock);
        free(c->path);
        free(c);
        return NULL;
    }
    if (pthread_create(&c->thread, NULL, checkpointer_main, c)) {
        checkpointer_free(c);
        return NULL;
    }
    return c;
}

/* Wakes st's checkpointer, starting it first; false when no thread can be started. */
static bool wake_checkpointer(struct tm_store *st)
{
    if (!st->checkpointer && !(st->checkpointer = checkpointer_start(st->path)))
        return false;
    struct store_checkpointer *c = st->checkpointer;
    pthread_mutex_lock(&c->lock);
    c->wanted = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    return true;
}

/* sqlite3_wal_hook: after every commit, with the WAL's size in pages. */
static int on_commit(void *ctx, sqlite3 *db, const char *schema, int pages)
{
    struct tm_store *st = ctx;
    st->wal_pages = pages;
    if (pages < CHECKPOINT_PAGES || (st->display_deferred && pages < LOAD_WAL_PAGES))
        return SQLITE_OK;
    if (!wake_checkpointer(st)) /* no thread: what SQLite's own automatic checkpoint would do */
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

void tm_store_checkpoint_now(struct tm_store *st)
{
    if (st->wal_pages >= CHECKPOINT_PAGES)
        wake_checkpointer(st); /* no thread: closing the store copies the WAL */
}

void store_checkpoint_in_background(struct tm_store *st)
{
    sqlite3_wal_hook(st->db, on_commit, st);
}

void store_checkpoint_stop(struct tm_store *st)
{
    struct store_checkpointer *c = st->checkpointer;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->quit = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    checkpointer_free(c);
    st->checkpointer = NULL;
}
