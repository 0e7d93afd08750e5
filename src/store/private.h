/* private.h - store internals shared by the files of src/store (and the store tests). */
#ifndef TMAIL_STORE_PRIVATE_H
#define TMAIL_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "tmail/store.h"

/* Statements prepared once per connection on first use and reset/rebound on every later use:
 * the sync loop and the UI's redraw call these thousands of times. */
enum store_stmt {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_ACCOUNT_FIND,
    STMT_ACCOUNT_INSERT,
    STMT_ACCOUNT_SET_URL,
    STMT_MAILBOX_FIND,
    STMT_MAILBOX_INSERT,
    STMT_MSG_UPSERT,
    STMT_MSG_ID_BY_KEY,
    STMT_MSG_COUNT_UNREAD,
    STMT_MSG_COUNT_DELETED,
    STMT_MSG_SET_FLAGS,
    STMT_MSG_SET_DATE,
    STMT_MSG_DELETE,
    STMT_MSG_GET,
    STMT_MSG_COUNT,
    STMT_MSG_WINDOW,
    STMT_WINDOW_SHAPE,
    STMT_WINDOW_FIRST,
    STMT_READ_BEGIN,
    STMT_MSG_POSITION,
    STMT_MSG_FIRST_FLAGS,
    STMT_MSG_COUNT_FLAGS,
    STMT_MAILBOX_GET_SORT,
    STMT_MAILBOX_SET_SORT,
    STMT_MSG_EACH_KEY,
    STMT_MSG_EACH_THREAD,
    STMT_MSG_SET_THREAD,
    STMT_MSG_SET_THREAD_GAP,
    STMT_MSG_SET_THREAD_PLACE,
    STMT_DISPLAY_CLEAR,
    STMT_DISPLAY_DENSE,
    STMT_DISPLAY_READ,
    STMT_DISPLAY_INSERT,
    STMT_DISPLAY_INSERT_BATCH,
    STMT_DISPLAY_PLACE,
    STMT_DISPLAY_PLACE_BATCH,
    STMT_DISPLAY_NEW_ROW,
    STMT_DISPLAY_NEW_PLACE,
    STMT_DISPLAY_DEFER,
    STMT_DISPLAY_PUBLISH_ROWS,
    STMT_DISPLAY_PUBLISH_PLACES,
    STMT_DISPLAY_MISSING,
    STMT_DISPLAY_READ_MESSAGES,
    STMT_DISPLAY_COMPLETE,
    STMT_DISPLAY_COUNT,
    STMT_DATA_VERSION,
    STMT_SAVEPOINT,
    STMT_RELEASE,
    STMT_ROLLBACK_TO,
    STMT_MAILBOX_GET_STATE,
    STMT_MAILBOX_SET_STATE,
    STMT_MAILBOX_FORGET_STATE,
    STMT_MAILBOX_DELETE_MSGS,
    STMT_MAILBOX_DELETE_PENDING,
    STMT_MAILBOX_UPSERT_META,
    STMT_MAILBOX_SET_COUNTS,
    STMT_MAILBOX_EACH_FIRST,
    STMT_MAILBOX_EACH_NEXT,
    STMT_MAILBOX_FIND_SPECIAL,
    STMT_MAILBOX_DELETE,
    STMT_MAILBOX_RENAME,
    STMT_MSG_FIND_UID,
    STMT_MSG_EACH_UID,
    STMT_MSG_DELETE_UID,
    STMT_MSG_MAX_UID,
    STMT_BODY_PUT,
    STMT_BODY_GET,
    STMT_BODY_HAS,
    STMT_PENDING_ADD,
    STMT_PENDING_MAX,
    STMT_PENDING_NEXT,
    STMT_PENDING_DONE,
    STMT_PENDING_FAILED,
    STMT_PENDING_COUNT,
    STMT_OUTBOX_ADD,
    STMT_OUTBOX_MAX,
    STMT_OUTBOX_NEXT_ROW,
    STMT_OUTBOX_GET,
    STMT_OUTBOX_MESSAGE,
    STMT_OUTBOX_SET_STATE,
    STMT_OUTBOX_FAILED,
    STMT_OUTBOX_SET_RCPTS,
    STMT_OUTBOX_DELETE,
    STMT_OUTBOX_COUNT_UNSENT,
    STMT_OUTBOX_OLDEST,
    STMT_OUTBOX_EARLIEST,
    STMT_ADDRESS_COMPLETE,
    STMT__COUNT
};

struct tm_store {
    sqlite3 *db;
    char *path; /* for error messages */
    int schema_version;
    sqlite3_stmt *stmts[STMT__COUNT];
    bool sync_on_commit;      /* the open transaction wrote the outbox: commit it durably */
    int64_t display_deferred; /* new messages of this mailbox get no display rows; 0: none */
    struct store_checkpointer *checkpointer; /* checkpoint.c; NULL until the WAL first fills */
    int wal_pages;       /* the WAL's size in pages after the last commit (checkpoint.c) */
    struct store_watch { /* watch.c; ops NULL: no watch */
        int64_t mailbox_id;
        const struct tm_store_watch_ops *ops;
        void *ctx;
    } watch;
};

/* One numbered migration: applying sql takes user_version from version - 1 to version. */
struct store_migration {
    int version;
    const char *sql;
};

/* The columns of a message row with its display place (from messages AS m and display AS d,
 * the latter possibly outer-joined: a row without one reads as unordered), in the order
 * store_row_read expects. */
#define STORE_ROW_COLUMNS                                                                          \
    "m.id, m.mailbox_id, m.uid, m.local_key, m.location, m.flags, m.date, m.size, m.from_name, "   \
    "m.from_addr, m.to_addrs, m.subject, m.message_id, m.in_reply_to, m.refs, "                    \
    "coalesce(d.pos, -1), coalesce(d.depth, 0), d.tree"

/* Fills row from the current row of s (STORE_ROW_COLUMNS); TM_ENOMEM (row cleaned) when a
 * string cannot be copied. */
enum tm_status store_row_read(sqlite3_stmt *s, struct tm_message_row *row);

/* Deletes every display row of a mailbox in one range: before a new order is written, or before
 * all its messages are deleted (the delete trigger then finds no row to remove). */
enum tm_status store_display_clear(struct tm_store *st, int64_t mailbox_id, struct tm_error *err);
/* Gives a message just inserted its display rows (unordered, place -1), unless its mailbox's
 * display rows are deferred (tm_store_display_defer). */
enum tm_status store_display_add_new(struct tm_store *st, int64_t message_id, int64_t mailbox_id,
                                     int64_t date, struct tm_error *err);
/* Records that the mailbox's ordered display rows hold places 0..n-1 exactly (display_gaps 0):
 * after a new order, or once its messages are all gone. */
enum tm_status store_display_dense(struct tm_store *st, int64_t mailbox_id, struct tm_error *err);

/* checkpoint.c */
/* Makes every commit on st that leaves the WAL over its threshold wake a checkpointer thread
 * (started then, with its own connection) instead of checkpointing inside the commit. */
void store_checkpoint_in_background(struct tm_store *st);
/* Waits for a running checkpoint, stops the thread and closes its connection; nothing when none
 * was started. */
void store_checkpoint_stop(struct tm_store *st);

/* watch.c: what the writing functions tell the watch (tm_store_watch) */
/* row (with its new id) was inserted. */
void store_watch_inserted(struct tm_store *st, const struct tm_message_row *row);
/* Message id's date was set to date. */
void store_watch_dated(struct tm_store *st, int64_t id, int64_t date);
/* Some other change to the messages of mailbox_id (0: of any mailbox, or unknown). */
void store_watch_changed(struct tm_store *st, int64_t mailbox_id);

/* Fills err with TM_ESTORE naming the file, what failed and sqlite's message; returns
 * TM_ESTORE (or TM_ENOMEM when sqlite ran out of memory). */
enum tm_status store_error(struct tm_store *st, struct tm_error *err, const char *what);
/* Steps s (a SELECT of one blob column, bound by the caller) and appends that blob to out.
 * TM_ENOENT with missing when there is no row; TM_ELIMIT when out's limit is too small; errors
 * name what (e.g. "a cached message"). Releases s. */
enum tm_status store_blob_append(struct tm_store *st, sqlite3_stmt *s, struct tm_buf *out,
                                 const char *what, const char *missing, struct tm_error *err);

/* The cached statement id (prepared from sql on first use; a given id always comes with the
 * same sql), reset with its bindings cleared, ready to bind. NULL (err filled) when it cannot
 * be prepared, or when it is still running (a walk's callback re-entering the same walk). */
sqlite3_stmt *store_stmt(struct tm_store *st, enum store_stmt id, const char *sql,
                         struct tm_error *err);

/* Resets s and clears its bindings: call when done with a cached statement, so it neither keeps
 * a WAL read snapshot open nor points at the caller's strings. */
void store_release(sqlite3_stmt *s);

/* Steps a statement that returns no rows (or whose rows are ignored) and resets it. */
enum tm_status store_step_done(struct tm_store *st, sqlite3_stmt *s, const char *what,
                               struct tm_error *err);

/* Steps s (bound, from store_stmt) once and releases it: *out gets column 0 of the row.
 * TM_ENOENT (err says missing) when there is no row, TM_ESTORE (err says what) on failure. */
enum tm_status store_query_int64(struct tm_store *st, sqlite3_stmt *s, int64_t *out,
                                 const char *what, const char *missing, struct tm_error *err);

/* Copies text column i of s into *out (malloc'd; NULL for SQL NULL); false when out of memory. */
bool store_column_dup(sqlite3_stmt *s, int i, char **out);
/* Whether uid can be a message's uid: 1 .. 2^32 - 1 (uid.c). */
bool store_uid_valid(int64_t uid);

/* Makes a group of writes atomic: BEGIN IMMEDIATE when no transaction is open (*own = true),
 * else a savepoint inside the caller's transaction, so the group fits in a sync's batch. */
enum tm_status store_atomic_begin(struct tm_store *st, bool *own, struct tm_error *err);
/* Ends what store_atomic_begin started: commits (or releases the savepoint) when rc is TM_OK,
 * else rolls the group back, leaving err as the failure filled it. Returns rc, or the commit's
 * failure. */
enum tm_status store_atomic_end(struct tm_store *st, bool own, enum tm_status rc,
                                struct tm_error *err);

/* Makes what this connection committed so far survive a power loss: fsyncs the WAL (see
 * store.c for why this rather than synchronous=FULL). */
enum tm_status store_sync_wal(struct tm_store *st, struct tm_error *err);

/* Reads PRAGMA user_version into *version. */
enum tm_status store_user_version(struct tm_store *st, int *version, struct tm_error *err);

/* TM_ESTORE ("written by a newer tmail") when version is above known, else TM_OK. */
enum tm_status store_refuse_newer(struct tm_store *st, int version, int known,
                                  struct tm_error *err);

/* Applies, in order, each migration of list[0..n) whose version is above the file's
 * user_version, each in its own IMMEDIATE transaction that also sets user_version; a file whose
 * user_version is above the last one is refused with TM_ESTORE. Exposed for tests. */
enum tm_status store_migrate_list(struct tm_store *st, const struct store_migration *list, int n,
                                  struct tm_error *err);
/* The same with tmail's own migrations (migrate.c). */
enum tm_status store_migrate(struct tm_store *st, struct tm_error *err);
/* tmail's own migrations, in order; *n gets their number. For tests that build an old file. */
const struct store_migration *store_migrations(int *n);

#endif
