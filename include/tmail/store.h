/* store.h - the SQLite cache, the local truth the UI reads: accounts, mailboxes, messages and
 * their thread order. Only src/store includes sqlite3.h. One tm_store per thread: open one
 * connection for the UI thread and one for each worker (WAL lets them run side by side). */
#ifndef TMAIL_STORE_H
#define TMAIL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "tmail/status.h"

struct tm_store;

/* The schema version a freshly migrated store has (PRAGMA user_version). */
#define TM_STORE_SCHEMA_VERSION 3

/* Opens (creating with mode 0600, and its parent directory 0700) the database at path, sets WAL
 * and a busy timeout, and runs every pending numbered migration in one transaction each. A file
 * from a newer tmail (user_version above ours) is refused with TM_ESTORE, never changed. */
enum tm_status tm_store_open(const char *path, struct tm_store **out, struct tm_error *err);
void tm_store_free(struct tm_store **pp);
int tm_store_schema_version(struct tm_store *st);

/* Explicit transactions for batches (a sync writes thousands of rows in one). Not nestable. */
enum tm_status tm_store_begin(struct tm_store *st, struct tm_error *err);
enum tm_status tm_store_commit(struct tm_store *st, struct tm_error *err);
void tm_store_rollback(struct tm_store *st);

/* Finds or creates the account called name; url is updated when it changed. */
enum tm_status tm_store_account_ensure(struct tm_store *st, const char *name, const char *url,
                                       int64_t *id_out, struct tm_error *err);
/* Finds or creates mailbox name (e.g. "INBOX") of an account. */
enum tm_status tm_store_mailbox_ensure(struct tm_store *st, int64_t account_id, const char *name,
                                       int64_t *id_out, struct tm_error *err);

/* The sort the mailbox's display order was last computed for (malloc'd into *sort, NULL when
 * never), and recording it. */
enum tm_status tm_store_mailbox_get_sort(struct tm_store *st, int64_t mailbox_id, char **sort,
                                         struct tm_error *err);
enum tm_status tm_store_mailbox_set_sort(struct tm_store *st, int64_t mailbox_id, const char *sort,
                                         struct tm_error *err);

/* One cached message. Strings are malloc'd and owned by the row (tm_message_row_cleanup frees
 * them); any may be NULL. */
struct tm_message_row {
    int64_t id; /* store rowid; 0 before the first upsert */
    int64_t mailbox_id;
    int64_t uid;     /* IMAP UID, 0 for local mail */
    char *local_key; /* the backend's stable key: Maildir unique name, or the UID as text */
    char *location;  /* backend-specific locator, e.g. "cur/1763.M1.host:2,S" */
    unsigned flags;  /* enum tm_flag bits */
    int64_t date;    /* seconds since the epoch (UTC) */
    int64_t size;    /* bytes */
    char *from_name;
    char *from_addr;
    char *to_addrs;
    char *subject;
    char *message_id;
    char *in_reply_to;
    char *references;     /* space-separated msg-ids */
    int64_t thread_order; /* position in thread display order, -1 until threaded */
    int thread_depth;
    char *thread_tree; /* UTF-8 tree prefix drawn before the subject, e.g. "├─>" */
};

void tm_message_row_cleanup(struct tm_message_row *row);

/* Inserts or updates the message with (mailbox_id, local_key); sets row->id. Thread fields are
 * kept on update and set to "unthreaded" on insert. */
enum tm_status tm_store_message_upsert(struct tm_store *st, struct tm_message_row *row,
                                       struct tm_error *err);
/* Replaces flags and location (location may be NULL to keep it). */
enum tm_status tm_store_message_set_flags(struct tm_store *st, int64_t id, unsigned flags,
                                          const char *location, struct tm_error *err);
enum tm_status tm_store_message_delete(struct tm_store *st, int64_t id, struct tm_error *err);
/* Fills row (cleaned first by the caller's responsibility: pass a zeroed row). TM_ENOENT if
 * there is no such id. */
enum tm_status tm_store_message_get(struct tm_store *st, int64_t id, struct tm_message_row *row,
                                    struct tm_error *err);
enum tm_status tm_store_message_count(struct tm_store *st, int64_t mailbox_id, int64_t *count,
                                      struct tm_error *err);

/* Reads at most limit rows of a mailbox in display order (thread_order, then date, then id),
 * starting at offset, into rows[] (zeroed by the caller; clean each after use). *n_out gets the
 * number read. This is how the UI reads only the visible window. */
enum tm_status tm_store_message_window(struct tm_store *st, int64_t mailbox_id, int64_t offset,
                                       int limit, struct tm_message_row *rows, int *n_out,
                                       struct tm_error *err);
/* Position (0-based, in display order) of message id in its mailbox; TM_ENOENT if absent. */
enum tm_status tm_store_message_position(struct tm_store *st, int64_t id, int64_t *pos_out,
                                         struct tm_error *err);

/* How many messages of a mailbox have (flags & mask) == want (e.g. unread ones). */
enum tm_status tm_store_message_count_with_flags(struct tm_store *st, int64_t mailbox_id,
                                                 unsigned mask, unsigned want, int64_t *count,
                                                 struct tm_error *err);

/* The first message of a mailbox in display order with (flags & mask) == want, e.g. the first
 * unread one (mask TM_FLAG_SEEN, want 0); TM_ENOENT when there is none. */
enum tm_status tm_store_message_first_with_flags(struct tm_store *st, int64_t mailbox_id,
                                                 unsigned mask, unsigned want, int64_t *id_out,
                                                 struct tm_error *err);

/* Calls cb for every message of a mailbox with just its key fields (for sync diffs). The
 * strings are valid only during the call. A nonzero return from cb stops the walk. */
typedef int (*tm_store_key_cb)(void *ctx, int64_t id, const char *local_key, const char *location,
                               unsigned flags);
enum tm_status tm_store_message_each_key(struct tm_store *st, int64_t mailbox_id,
                                         tm_store_key_cb cb, void *ctx, struct tm_error *err);

/* What threading reads: strings valid only during the call. */
struct tm_thread_source {
    int64_t id;
    const char *message_id;
    const char *in_reply_to;
    const char *references;
    const char *subject;
    int64_t date;
    const char *from; /* display name, else address: for sorting by sender */
    const char *to;
    int64_t size;
};
typedef int (*tm_store_thread_cb)(void *ctx, const struct tm_thread_source *src);
enum tm_status tm_store_message_each_thread_source(struct tm_store *st, int64_t mailbox_id,
                                                   tm_store_thread_cb cb, void *ctx,
                                                   struct tm_error *err);
/* Stores the computed display position and tree prefix of one message. */
enum tm_status tm_store_message_set_thread(struct tm_store *st, int64_t id, int64_t order,
                                           int depth, const char *tree, struct tm_error *err);

#endif
