/* store.h - the SQLite cache, the local truth the UI reads: accounts, mailboxes, messages and
 * their thread order, IMAP sync state, cached bodies and pending offline operations. Only
 * src/store includes sqlite3.h. One tm_store per thread: open one connection for the UI thread
 * and one for each worker (WAL lets them run side by side). */
#ifndef TMAIL_STORE_H
#define TMAIL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/status.h"

struct tm_store;
struct tm_buf;

/* The schema version a freshly migrated store has (PRAGMA user_version). */
#define TM_STORE_SCHEMA_VERSION 11

/* Opens (creating with mode 0600, and its parent directory 0700) the database at path, sets WAL
 * and a busy timeout, and runs every pending numbered migration in one transaction each. A file
 * from a newer tmail (user_version above ours) is refused with TM_ESTORE, never changed. */
enum tm_status tm_store_open(const char *path, struct tm_store **out, struct tm_error *err);
void tm_store_free(struct tm_store **pp);
int tm_store_schema_version(struct tm_store *st);
/* Gives the connection's unused page cache back to the system (before a big in-memory job such
 * as threading 100,000 messages, so the two do not add up). */
void tm_store_release_memory(struct tm_store *st);

/* Explicit transactions for batches (a sync writes thousands of rows in one). Not nestable. */
enum tm_status tm_store_begin(struct tm_store *st, struct tm_error *err);
enum tm_status tm_store_commit(struct tm_store *st, struct tm_error *err);
void tm_store_rollback(struct tm_store *st);
/* For the end of a unit of work (a worker job): commits a transaction that is still open, which
 * is a bug of whoever began it (later writes of the connection joined it, unseen by others, and
 * would be lost at close). True when there was one; *err says whether its commit failed. */
bool tm_store_commit_left_open(struct tm_store *st, struct tm_error *err);

/* Finds or creates the account called name; url is updated when it changed. */
enum tm_status tm_store_account_ensure(struct tm_store *st, const char *name, const char *url,
                                       int64_t *id_out, struct tm_error *err);
/* Finds or creates mailbox name (e.g. "INBOX") of an account. */
enum tm_status tm_store_mailbox_ensure(struct tm_store *st, int64_t account_id, const char *name,
                                       int64_t *id_out, struct tm_error *err);

/* The sort the mailbox's display order was last computed for (malloc'd into *sort, NULL when
 * never, or when messages lack display rows: tm_store_display_defer), and recording it. */
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
    char *local_key; /* the backend's stable key, e.g. the Maildir unique name; a message with a
                      * uid is keyed by it: NULL (the store fills in tm_store_uid_key) or that */
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
    int64_t thread_order; /* stored place in the display order, -1 until ordered */
    int thread_depth;
    char *thread_tree; /* UTF-8 tree prefix drawn before the subject, e.g. "├─>" */
};

void tm_message_row_cleanup(struct tm_message_row *row);

/* Inserts or updates the message with (mailbox_id, local_key); sets row->id. Thread fields are
 * kept on update and set to "unthreaded" on insert. A row with a uid needs no key (it is
 * tm_store_uid_key's); one with another key, or a uid beyond 32 bits, is refused (TM_ESTORE). */
enum tm_status tm_store_message_upsert(struct tm_store *st, struct tm_message_row *row,
                                       struct tm_error *err);
/* Replaces flags and location (location may be NULL to keep it). */
enum tm_status tm_store_message_set_flags(struct tm_store *st, int64_t id, unsigned flags,
                                          const char *location, struct tm_error *err);
/* Replaces the date (when the header had none, the server's arrival time comes later). */
enum tm_status tm_store_message_set_date(struct tm_store *st, int64_t id, int64_t date,
                                         struct tm_error *err);
enum tm_status tm_store_message_delete(struct tm_store *st, int64_t id, struct tm_error *err);
/* Fills row (cleaned first by the caller's responsibility: pass a zeroed row). TM_ENOENT if
 * there is no such id. */
enum tm_status tm_store_message_get(struct tm_store *st, int64_t id, struct tm_message_row *row,
                                    struct tm_error *err);
enum tm_status tm_store_message_count(struct tm_store *st, int64_t mailbox_id, int64_t *count,
                                      struct tm_error *err);

/* Reads at most limit rows of a mailbox in display order, starting at offset, into rows[]
 * (zeroed by the caller; clean each after use). *n_out gets the number read. This is how the UI
 * reads only the visible window. Display order: first the messages never ordered (inserted since
 * the order was last written; thread_order -1) by date, then id; then the ordered ones by
 * thread_order (ties, which only tm_store_message_set_thread can make, by date, then id). Rows
 * deleted since the order was written leave no hole: offsets count the rows that are there. */
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
/* Calls cb for every message of the mailbox, in no particular order (callers sort). */
enum tm_status tm_store_message_each_thread_source(struct tm_store *st, int64_t mailbox_id,
                                                   tm_store_thread_cb cb, void *ctx,
                                                   struct tm_error *err);
/* Watching a load as it is written (at most one watch per connection). From tm_store_watch to
 * tm_store_unwatch, every message this connection inserts into mailbox_id goes to on_new as its
 * thread source (strings valid during the call; nonzero: the watcher failed, on_broken follows);
 * every date set goes to on_date (of any mailbox: the watcher ignores ids it does not hold);
 * anything else that could make the watcher's copy differ from the rows (a message of the mailbox
 * updated by an upsert or deleted, a mailbox's messages deleted, a rollback) calls on_broken.
 * Changes made through other connections are not seen: compare counts before trusting a copy. */
struct tm_store_watch_ops {
    tm_store_thread_cb on_new;
    void (*on_date)(void *ctx, int64_t id, int64_t date);
    void (*on_broken)(void *ctx);
};
void tm_store_watch(struct tm_store *st, int64_t mailbox_id, const struct tm_store_watch_ops *ops,
                    void *ctx);
void tm_store_unwatch(struct tm_store *st);

/* Stores the display place (order; negative: unordered), depth and tree prefix of one message;
 * a message that is not there is not an error. Writing a whole order this way is slow, and
 * leaves window reads of the mailbox counting rows until the next tm_store_display_replace:
 * that is what a new order should use. */
enum tm_status tm_store_message_set_thread(struct tm_store *st, int64_t id, int64_t order,
                                           int depth, const char *tree, struct tm_error *err);

/* One row of a display order. tree is the UTF-8 prefix drawn before the subject, borrowed for
 * the call; it may be NULL. */
struct tm_display_entry {
    int64_t message_id;
    int depth; /* 0 for a thread's root */
    const char *tree;
};
/* Replaces a mailbox's display order with rows[0..n) (in display order): the rows naming
 * messages of the mailbox get places 0, 1, 2, ... with their depth and tree; ids of other
 * mailboxes, unknown or repeated ones are skipped without leaving a hole. Messages of the
 * mailbox that rows does not name become unordered (shown first, as new messages are). All or
 * nothing: its own transaction, or a savepoint inside the caller's. */
enum tm_status tm_store_display_replace(struct tm_store *st, int64_t mailbox_id,
                                        const struct tm_display_entry *rows, size_t n,
                                        struct tm_error *err);
/* A message of a mailbox and its date, as the store holds them. */
struct tm_message_date {
    int64_t message_id;
    int64_t date;
};
/* tm_store_display_replace for a caller that knows every message of the mailbox with its date:
 * known[0..n_known), exactly the store's rows (e.g. a first load watched as it was written, with
 * tm_store_data_version unchanged since). When the mailbox's display rows are missing (a
 * deferred first load), the messages are then not read back; otherwise known is not used. */
enum tm_status tm_store_display_replace_known(struct tm_store *st, int64_t mailbox_id,
                                              const struct tm_display_entry *rows, size_t n,
                                              const struct tm_message_date *known, size_t n_known,
                                              struct tm_error *err);
/* PRAGMA data_version of this connection: two equal values mean that no other connection
 * committed a change to the cache in between (checkpoints do not count). */
enum tm_status tm_store_data_version(struct tm_store *st, int64_t *out, struct tm_error *err);

/* A bulk load (schema 8): from now on, messages this connection inserts into the mailbox get no
 * display rows, so readers do not see them, until tm_store_display_publish shows them unordered
 * or tm_store_display_replace writes the whole order (which also ends the deferral). Cheaper
 * than writing each row twice; the mark is stored (in the caller's transaction, if any), so a
 * load cut short is made whole by the next replace. */
enum tm_status tm_store_display_defer(struct tm_store *st, int64_t mailbox_id,
                                      struct tm_error *err);
/* Shows the deferred messages of the mailbox inserted so far: they get unordered display rows,
 * as any new message does. The deferral goes on for later inserts. */
enum tm_status tm_store_display_publish(struct tm_store *st, int64_t mailbox_id,
                                        struct tm_error *err);
/* How many messages of the mailbox readers see (those with display rows): what the index
 * shows, while tm_store_message_count counts every stored one. */
enum tm_status tm_store_display_count(struct tm_store *st, int64_t mailbox_id, int64_t *count,
                                      struct tm_error *err);
/* Whether the mailbox has messages without display rows (a deferral not yet replaced). */
enum tm_status tm_store_display_missing(struct tm_store *st, int64_t mailbox_id, bool *missing,
                                        struct tm_error *err);

/* ---- Mailboxes of a server: sync state, LIST metadata, STATUS counts (schema 4) ----
 * Walks below (tm_store_*_each) never hold a statement open while their callback runs, so the
 * callback may call any store function on the same connection, changing or deleting rows too. */

/* What the last sync of a mailbox saw. 0 in a field means unknown (never synced, or reset). */
struct tm_mailbox_state {
    int64_t uidvalidity;
    int64_t uidnext;
    int64_t highest_modseq;
};

/* Fills *out; TM_ENOENT when there is no such mailbox. */
enum tm_status tm_store_mailbox_get_state(struct tm_store *st, int64_t mailbox_id,
                                          struct tm_mailbox_state *out, struct tm_error *err);
/* Records *state (0 fields as unknown) and stamps the mailbox as synced now (synced_at).
 * TM_ENOENT when there is no such mailbox. */
enum tm_status tm_store_mailbox_set_state(struct tm_store *st, int64_t mailbox_id,
                                          const struct tm_mailbox_state *state,
                                          struct tm_error *err);
/* UIDVALIDITY changed: deletes every message of the mailbox with its cached body, and its
 * pending operations (their UIDs name other messages now, RFC 4549), and forgets its state and
 * synced_at. Keeps the mailbox row, its id, display_sort, LIST metadata and STATUS counts.
 * All or nothing (its own transaction, or a savepoint inside the caller's). TM_ENOENT when
 * there is no such mailbox. */
enum tm_status tm_store_mailbox_reset(struct tm_store *st, int64_t mailbox_id,
                                      struct tm_error *err);

/* What a LIST (or LSUB / LIST-EXTENDED) gives; strings borrowed for the call. */
struct tm_mailbox_meta {
    const char *name;        /* required */
    const char *delimiter;   /* one char, or NULL for a flat namespace (NIL) */
    const char *special_use; /* RFC 6154 "\\Sent", "\\Drafts", ... or NULL */
    unsigned attrs;          /* the backend's attribute bits; opaque to the store */
    bool subscribed;
};
/* Finds or creates the mailbox meta->name of an account and replaces its metadata with meta;
 * *id_out gets its id. Messages, state and counts of an existing mailbox are kept. TM_ESTORE
 * when there is no such account. */
enum tm_status tm_store_mailbox_upsert_meta(struct tm_store *st, int64_t account_id,
                                            const struct tm_mailbox_meta *meta, int64_t *id_out,
                                            struct tm_error *err);
/* Records the server's counts from STATUS (MESSAGES, UNSEEN); a negative value means unknown.
 * TM_ENOENT when there is no such mailbox. */
enum tm_status tm_store_mailbox_set_counts(struct tm_store *st, int64_t mailbox_id,
                                           int64_t server_total, int64_t server_unseen,
                                           struct tm_error *err);

/* One mailbox for the folder browser. */
struct tm_mailbox_listing {
    int64_t id;
    const char *name;
    const char *delimiter;   /* or NULL */
    const char *special_use; /* or NULL */
    unsigned attrs;
    bool subscribed;
    int64_t total;         /* messages in the cache */
    int64_t unread;        /* of those, the ones without TM_FLAG_SEEN */
    int64_t server_total;  /* from STATUS; -1 when unknown */
    int64_t server_unseen; /* from STATUS; -1 when unknown */
};
/* Strings are valid only during the call; a nonzero return stops the walk. */
typedef int (*tm_store_mailbox_cb)(void *ctx, const struct tm_mailbox_listing *mb);
/* Calls cb for each mailbox of an account in name order (bytewise), with local counts and the
 * metadata. Each row is read (and copied) when the walk reaches it: a mailbox the callback
 * deletes is not reported afterwards, one it renames may be reported again. */
enum tm_status tm_store_mailbox_each(struct tm_store *st, int64_t account_id,
                                     tm_store_mailbox_cb cb, void *ctx, struct tm_error *err);
/* The mailbox of an account whose special_use is special (e.g. "\\Sent", compared ASCII
 * case-insensitively); the first by name when several are. TM_ENOENT when there is none. */
enum tm_status tm_store_mailbox_find_special(struct tm_store *st, int64_t account_id,
                                             const char *special, int64_t *id_out,
                                             struct tm_error *err);
/* The mailbox called name of an account (never creates it); TM_ENOENT when there is none. */
enum tm_status tm_store_mailbox_find(struct tm_store *st, int64_t account_id, const char *name,
                                     int64_t *id_out, struct tm_error *err);
/* Deletes the mailbox with its messages, their cached bodies and its pending operations, all
 * or nothing. Deleting a mailbox that is not there is not an error. */
enum tm_status tm_store_mailbox_delete(struct tm_store *st, int64_t mailbox_id,
                                       struct tm_error *err);
/* Renames one mailbox row, keeping its id, messages and state. Inferior mailboxes ("A/x" when
 * renaming "A") and the targets of pending COPY/MOVE operations are not touched: that is the
 * caller's (or the next LIST's) business. TM_ENOENT when there is no such mailbox, TM_ESTORE
 * when the account already has a mailbox called new_name. */
enum tm_status tm_store_mailbox_rename(struct tm_store *st, int64_t mailbox_id,
                                       const char *new_name, struct tm_error *err);

/* ---- Messages by IMAP UID ----
 * UIDs are positive (and 32-bit); local mail has uid 0, which these look-ups never match. A
 * message with a uid is keyed by it, in ten digits, so that the (mailbox_id, local_key) index
 * that keeps keys unique also serves these look-ups and walks in uid order: one index less to
 * write for every message of a sync. */
#define TM_STORE_UID_KEY_SIZE 11 /* ten digits and the NUL */
/* The local_key of the message with that uid: "%010u" (uid must be 1 .. 4294967295). */
void tm_store_uid_key(int64_t uid, char key[TM_STORE_UID_KEY_SIZE]);

/* The message with that uid in the mailbox: *id_out, and its flags when flags_out is not NULL.
 * TM_ENOENT when absent. */
enum tm_status tm_store_message_find_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                         int64_t *id_out, unsigned *flags_out,
                                         struct tm_error *err);
/* A nonzero return stops the walk. */
typedef int (*tm_store_uid_cb)(void *ctx, int64_t id, int64_t uid, unsigned flags);
/* Calls cb with the (id, uid, flags) of every message that has a uid, in ascending uid order
 * (local mail is not walked), for flag resyncs and expunge detection without QRESYNC. Rows are
 * read in chunks of a few hundred with no statement open during the callbacks: the callback may
 * delete or change messages; one it deletes may still be reported if its chunk was already read. */
enum tm_status tm_store_message_each_uid(struct tm_store *st, int64_t mailbox_id,
                                         tm_store_uid_cb cb, void *ctx, struct tm_error *err);
/* Deletes the message with that uid (and its cached body) if present; *deleted (may be NULL)
 * gets 1 when a message was deleted, else 0. */
enum tm_status tm_store_message_delete_uid(struct tm_store *st, int64_t mailbox_id, int64_t uid,
                                           int *deleted, struct tm_error *err);
/* The largest uid stored in the mailbox; 0 when it has none. */
enum tm_status tm_store_message_max_uid(struct tm_store *st, int64_t mailbox_id, int64_t *uid_out,
                                        struct tm_error *err);

/* ---- Cached raw messages (deleted with their message) ---- */

/* Stores (or replaces) the raw message of message_id; raw is copied. TM_ENOENT when there is no
 * such message, TM_ELIMIT when len is beyond SQLite's blob limit. */
enum tm_status tm_store_body_put(struct tm_store *st, int64_t message_id, const void *raw,
                                 size_t len, struct tm_error *err);
/* Appends the cached raw message to out (caller-owned, initialised). TM_ENOENT when not cached;
 * TM_ELIMIT when it would take out beyond its limit (out is then unchanged). */
enum tm_status tm_store_body_get(struct tm_store *st, int64_t message_id, struct tm_buf *out,
                                 struct tm_error *err);
/* *has gets whether message_id's body is cached; cheap (the blob is not read). */
enum tm_status tm_store_body_has(struct tm_store *st, int64_t message_id, bool *has,
                                 struct tm_error *err);

/* ---- Messages cached in parts (schema 10): a big IMAP message read before it is all here ----
 * The skeleton is the raw message with the content of some leaf parts left out (empty). Each part
 * left out has a row (its IMAP part number, its path in the skeleton's MIME tree, its size and
 * transfer encoding) and, once downloaded, its content in chunks written in order. The bodies
 * table above always holds whole messages only: tm_store_body_put (a full fetch) drops the
 * skeleton, its rows and chunks. All of it goes with the message row. */

/* A part left out of a skeleton. In tm_store_partial_put the strings are borrowed; in the
 * callback of tm_store_part_each they are valid only during the call. */
struct tm_store_part {
    const char *section;  /* IMAP part number: "2", "1.3" */
    const char *path;     /* its path in the skeleton's MIME tree ("" for the whole message) */
    int64_t octets;       /* size as the server stores it (transfer-encoded) */
    const char *encoding; /* Content-Transfer-Encoding, lower case, or NULL */
    /* The download (ignored by tm_store_partial_put): */
    bool decoded;  /* the chunks hold the decoded content (IMAP BINARY), else the encoded one */
    int64_t total; /* bytes the chunks will hold, -1 while unknown */
    int64_t have;  /* bytes held so far */
    bool complete; /* all of it is here */
};

/* Stores (or replaces) message_id's skeleton with its parts left out (parts[0..n), copied), all
 * or nothing. TM_ENOENT when there is no such message. */
enum tm_status tm_store_partial_put(struct tm_store *st, int64_t message_id, const void *skeleton,
                                    size_t len, const struct tm_store_part *parts, size_t n,
                                    struct tm_error *err);
/* Appends the skeleton to out. TM_ENOENT when message_id has none (never stored, or replaced by
 * the whole message). */
enum tm_status tm_store_partial_get(struct tm_store *st, int64_t message_id, struct tm_buf *out,
                                    struct tm_error *err);
/* A nonzero return stops the walk. */
typedef int (*tm_store_part_cb)(void *ctx, const struct tm_store_part *part);
/* Calls cb for each part left out of message_id's skeleton, in section order (none when it has
 * no skeleton). No statement stays open during the calls. */
enum tm_status tm_store_part_each(struct tm_store *st, int64_t message_id, tm_store_part_cb cb,
                                  void *ctx, struct tm_error *err);
/* Starts or resumes the download of a part: when decoded differs from what the chunks held so
 * far hold (a BINARY fetch refused, say), they are dropped and it starts again. total (-1:
 * unknown) is recorded when known. *have gets the bytes already held: the next chunk's offset.
 * TM_ENOENT when the part is not a left-out part of message_id. */
enum tm_status tm_store_part_begin(struct tm_store *st, int64_t message_id, const char *section,
                                   bool decoded, int64_t total, int64_t *have,
                                   struct tm_error *err);
/* Adds the next chunk data[0..len) at offset (which must be the bytes held: a chunk out of order
 * is TM_ESTORE and nothing changes); last marks the part complete. Atomic: a chunk is whole or
 * absent, so a download cut anywhere resumes where it stopped. */
enum tm_status tm_store_part_add(struct tm_store *st, int64_t message_id, const char *section,
                                 int64_t offset, const void *data, size_t len, bool last,
                                 struct tm_error *err);
/* Appends a complete part's content to out (within its limit: TM_ELIMIT); *decoded tells
 * whether it is decoded already. TM_ENOENT when the part is not (completely) downloaded. */
enum tm_status tm_store_part_content(struct tm_store *st, int64_t message_id, const char *section,
                                     struct tm_buf *out, bool *decoded, struct tm_error *err);

/* ---- Offline operations, replayed on reconnect in id (= creation) order ---- */

enum tm_pending_kind { TM_PENDING_FLAGS = 1, TM_PENDING_COPY, TM_PENDING_MOVE, TM_PENDING_EXPUNGE };

struct tm_pending_op {
    int64_t id;
    int64_t account_id;
    int64_t mailbox_id;
    int64_t uid;
    int kind;               /* enum tm_pending_kind */
    unsigned flags_add;     /* TM_PENDING_FLAGS: tm_flag bits to set */
    unsigned flags_clear;   /* ... and to clear */
    const char *target;     /* mailbox name for COPY/MOVE, else NULL */
    int64_t created;        /* seconds since the epoch */
    int attempts;           /* failed replays so far */
    const char *last_error; /* the last replay's failure, or NULL */
};

/* Queues op (id, attempts and last_error are ignored: a new op has none; created 0 means now);
 * *id_out (may be NULL) gets its id. TM_ESTORE for an unknown kind, a COPY/MOVE without a
 * target, or no such account. */
enum tm_status tm_store_pending_add(struct tm_store *st, const struct tm_pending_op *op,
                                    int64_t *id_out, struct tm_error *err);
/* Strings are valid only during the call; a nonzero return stops the walk. */
typedef int (*tm_store_pending_cb)(void *ctx, const struct tm_pending_op *op);
/* Calls cb for each pending operation of an account in id order. Each row is read (and copied)
 * when the walk reaches it, with no statement open during the call: the callback may mark ops
 * done or failed, delete later ones (they are then skipped) or add new ones (they are left for
 * the next walk). */
enum tm_status tm_store_pending_each(struct tm_store *st, int64_t account_id,
                                     tm_store_pending_cb cb, void *ctx, struct tm_error *err);
/* The op was replayed: deletes it. An id that is not there is not an error. */
enum tm_status tm_store_pending_done(struct tm_store *st, int64_t id, struct tm_error *err);
/* A replay failed: counts the attempt and records error_text (may be NULL). TM_ENOENT when there
 * is no such op. */
enum tm_status tm_store_pending_failed(struct tm_store *st, int64_t id, const char *error_text,
                                       struct tm_error *err);
/* How many operations of an account are pending. */
enum tm_status tm_store_pending_count(struct tm_store *st, int64_t account_id, int64_t *count,
                                      struct tm_error *err);

/* ---- The outbox (schema 7): messages to send, durable until the server's final 250 ----
 * A row is committed before the first byte of its message goes out and deleted only when the
 * message is sent and its Sent copy stored. Rows belong to the account that sends them (by
 * name: the outbox outlives the cache's account rows). */

enum tm_outbox_state {
    TM_OUTBOX_QUEUED = 0,  /* waiting for its next try (next_try) */
    TM_OUTBOX_SENDING = 1, /* the content went out up to the final dot: if tmail dies now, the
                              server may have taken it (the next try counts it in maybe_sent) */
    TM_OUTBOX_HELD = 2,    /* a permanent failure or refused recipients: waits for the person */
    TM_OUTBOX_SENT = 3,    /* the server took it; only the Sent copy (or the flag on the
                              original) is still to be done */
};

/* One outbox row without its message. In tm_store_outbox_add the strings are borrowed; in the
 * callback of tm_store_outbox_each they are valid only during the call; tm_store_outbox_get
 * fills a struct tm_outbox_row that owns them. */
struct tm_outbox_entry {
    int64_t id;
    const char *account;      /* required: the sending account's name */
    int64_t created;          /* seconds since the epoch; 0 in add: now */
    const char *env_from;     /* MAIL FROM addr-spec, required ("" allowed) */
    const char *rcpts;        /* RCPT TO addr-specs, one per line ('\n'), at least one, required */
    const char *subject;      /* decoded, for the listing; may be NULL */
    const char *to_display;   /* "Bob <bob@x>, carol@y", for the listing; may be NULL */
    int state;                /* enum tm_outbox_state; add always stores QUEUED */
    int attempts;             /* tries that failed */
    int maybe_sent;           /* tries that ended after the final dot without a reply */
    int64_t next_try;         /* seconds since the epoch; 0: at once */
    const char *last_reply;   /* the server's reply (or the failure) of the last try, or NULL */
    int64_t orig_message_id;  /* the store id of the message replied to or forwarded, or 0 */
    unsigned orig_flag;       /* enum tm_flag bit to set on it after sending (ANSWERED, PASSED) */
    const char *sent_mailbox; /* where the Sent copy goes (resolved when queued), or NULL: none */
};

/* An owned copy of a row: tm_outbox_row_cleanup frees it. */
struct tm_outbox_row {
    struct tm_outbox_entry e; /* its strings point into the fields below */
    char *account, *env_from, *rcpts, *subject, *to_display, *last_reply, *sent_mailbox;
};
void tm_outbox_row_cleanup(struct tm_outbox_row *row);

/* Inserts e with the message msg[0..len) (copied) and commits it (its own transaction, or the
 * caller's when one is open: then the caller's commit is what makes it durable). *id_out (may be
 * NULL) gets the id. TM_ESTORE when a required field is missing or rcpts is empty. */
enum tm_status tm_store_outbox_add(struct tm_store *st, const struct tm_outbox_entry *e,
                                   const void *msg, size_t len, int64_t *id_out,
                                   struct tm_error *err);
/* A nonzero return stops the walk. */
typedef int (*tm_store_outbox_cb)(void *ctx, const struct tm_outbox_entry *e);
/* Calls cb for each row of account (NULL: every account) in id order, with no statement open
 * during the call (the callback may change or delete rows). */
enum tm_status tm_store_outbox_each(struct tm_store *st, const char *account, tm_store_outbox_cb cb,
                                    void *ctx, struct tm_error *err);
/* Fills row (zeroed by the caller); TM_ENOENT when there is no such row. */
enum tm_status tm_store_outbox_get(struct tm_store *st, int64_t id, struct tm_outbox_row *row,
                                   struct tm_error *err);
/* Appends the row's message to out. TM_ENOENT when there is no such row. */
enum tm_status tm_store_outbox_message(struct tm_store *st, int64_t id, struct tm_buf *out,
                                       struct tm_error *err);
/* Sets the state (SENDING right before the final dot, SENT after the 250, QUEUED to retry a held
 * row now: that also sets next_try to 0). A row found in SENDING when set to SENDING again, or
 * set back to QUEUED from SENDING, counts one in maybe_sent. TM_ENOENT when there is no such
 * row. */
enum tm_status tm_store_outbox_set_state(struct tm_store *st, int64_t id, int state,
                                         struct tm_error *err);
/* A try failed: state becomes state (QUEUED or HELD), attempts grows by one, last_reply and
 * next_try are recorded. TM_ENOENT when there is no such row. */
enum tm_status tm_store_outbox_failed(struct tm_store *st, int64_t id, int state,
                                      const char *last_reply, int64_t next_try,
                                      struct tm_error *err);
/* Replaces the recipients (one per line; the person dropped a refused one). TM_ESTORE when
 * empty, TM_ENOENT when there is no such row. */
enum tm_status tm_store_outbox_set_rcpts(struct tm_store *st, int64_t id, const char *rcpts,
                                         struct tm_error *err);
/* Deletes the row. A row that is not there is not an error. */
enum tm_status tm_store_outbox_delete(struct tm_store *st, int64_t id, struct tm_error *err);
/* How many rows of account (NULL: all) are not yet sent (QUEUED, SENDING or HELD). */
enum tm_status tm_store_outbox_count_unsent(struct tm_store *st, const char *account,
                                            int64_t *count, struct tm_error *err);
/* The row of account to work on next at time now: the oldest QUEUED row with next_try <= now,
 * else the oldest SENDING row (left by a tmail that died mid-send), else the oldest SENT row
 * (its Sent copy is missing); TM_ENOENT when there is none. *wait_s (may be NULL) gets the
 * seconds until the earliest QUEUED row becomes due, or -1 when there is none. */
enum tm_status tm_store_outbox_next(struct tm_store *st, const char *account, int64_t now,
                                    int64_t *id_out, int64_t *wait_s, struct tm_error *err);

/* ---- Searchable text of messages (schema 9, fts.c): body and header search ----
 * core extracts the decoded header lines and text of a message (the store never parses mail)
 * and keeps them here, with a full-text index (FTS5 trigram) used as a prefilter. A message's
 * text goes with the message (cascade: expunge, UIDVALIDITY reset, mailbox delete). */

/* Writes many texts with statements prepared once (an indexing pass). Owned by the caller:
 * tm_store_text_writer_free; it must not outlive st. */
struct tm_store_text_writer;
enum tm_status tm_store_text_writer_new(struct tm_store *st, struct tm_store_text_writer **out,
                                        struct tm_error *err);
void tm_store_text_writer_free(struct tm_store_text_writer **pp);
/* Stores (or replaces) the text of message_id: headers[0..headers_len) and body[0..body_len)
 * are UTF-8 (copied); stamp says which version of the message it is of (the size, for local
 * mail). The message leaves the pending list. TM_ENOENT when there is no such message. All or
 * nothing in its own transaction; inside the caller's, a failure must be rolled back by the
 * caller (a savepoint per message would make the index flush each time). */
enum tm_status tm_store_text_put(struct tm_store_text_writer *w, int64_t message_id, int64_t stamp,
                                 const char *headers, size_t headers_len, const char *body,
                                 size_t body_len, struct tm_error *err);

/* Which messages of a mailbox tm_store_text_each_missing reports. */
enum tm_text_missing {
    TM_TEXT_STALE,   /* no text, or a stamp other than the message's size (local folders) */
    TM_TEXT_PENDING, /* a cached raw body (tm_store_body_put) not turned into text yet */
    TM_TEXT_ABSENT,  /* no text at all (IMAP: what only the server can search) */
};
/* A nonzero return stops the walk. */
typedef int (*tm_store_text_id_cb)(void *ctx, int64_t message_id);
/* Calls cb with each such message of the mailbox in id order. The ids are all read first (no
 * statement is open during the calls), so cb may write the store. */
enum tm_status tm_store_text_each_missing(struct tm_store *st, int64_t mailbox_id,
                                          enum tm_text_missing which, tm_store_text_id_cb cb,
                                          void *ctx, struct tm_error *err);
/* How many messages the mailbox has, and how many of them have text. */
enum tm_status tm_store_text_counts(struct tm_store *st, int64_t mailbox_id, int64_t *total,
                                    int64_t *with_text, struct tm_error *err);

/* A prefilter: messages whose text contains every literal of at least one group (ASCII and
 * Unicode case folded; literals are bytes, usually UTF-8). A literal shorter than three
 * characters cannot be looked up and is ignored; a group left with none (or no group at all)
 * means every message with text is a candidate. */
struct tm_text_group {
    const char *const *literals;
    size_t n;
};
struct tm_text_query {
    const struct tm_text_group *groups; /* or: any of them */
    size_t n_groups;
};
/* Called for each candidate with its texts, NUL-terminated at their lengths and valid only
 * during the call. A statement is open: cb must not use the store. A nonzero return stops. */
typedef int (*tm_store_text_cb)(void *ctx, int64_t message_id, const char *headers,
                                size_t headers_len, const char *body, size_t body_len);
/* Calls cb for the candidates of mailbox_id, in no particular order. *filtered (may be NULL)
 * gets whether the index narrowed them (false: every message with text was read). */
enum tm_status tm_store_text_search(struct tm_store *st, int64_t mailbox_id,
                                    const struct tm_text_query *q, tm_store_text_cb cb, void *ctx,
                                    bool *filtered, struct tm_error *err);

/* ---- Addresses for completing recipients ---- */

/* Calls cb with each distinct sender address (and the latest display name seen with it, or NULL)
 * of every cached message whose address or display name starts with prefix (ASCII
 * case-insensitive; "" matches all), most recently seen first, at most limit of them. The
 * strings are valid only during the call; a nonzero return stops the walk. */
typedef int (*tm_store_address_cb)(void *ctx, const char *name, const char *addr);
enum tm_status tm_store_address_complete(struct tm_store *st, const char *prefix, int limit,
                                         tm_store_address_cb cb, void *ctx, struct tm_error *err);

/* A load was just committed: when it left the WAL big (a first load's commits do not start
 * checkpoints), the checkpointer copies it into the database now, on its own thread and
 * blocking no one, while the caller computes the order. */
void tm_store_checkpoint_now(struct tm_store *st);

#endif
