/* thread.h - JWZ message threading over an array of envelopes, with mutt-style tree prefixes
 * (internal to core/). Pure: no store, no I/O, no globals. */
#ifndef TMAIL_CORE_THREAD_H
#define TMAIL_CORE_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/status.h"

/* Ancestor columns drawn in a tree prefix at most; a deeper message shows the nearest ones, so a
 * hostile 100,000-deep chain cannot make the prefixes quadratic in size. */
#define TM_THREAD_TREE_MAX_COLUMNS 63

/* One message to thread. All strings are borrowed for the duration of tm_thread_compute (or from
 * tm_thread_incr_add until the context is finished or freed) and may be NULL or empty. Ids may be
 * given with or without angle brackets. */
struct tm_thread_msg {
    int64_t id;              /* store id, copied to the output */
    const char *message_id;  /* may be NULL, or a duplicate of another message's */
    const char *in_reply_to; /* the first id in it is used */
    const char *references;  /* whitespace-separated ids, oldest first */
    const char *subject;     /* decoded */
    int64_t date;            /* sort key: threads by root date, siblings by date, then id */
};

/* One output row, in display order. The tree strings of all rows of one result live in one
 * block that the result owns: valid until tm_thread_out_free, never freed one by one. */
struct tm_thread_out {
    int64_t id;
    int depth;  /* 0 for a thread's root */
    char *tree; /* UTF-8 prefix: "" for roots, "├─>", "│ └─>", "  ├─>", ... */
};

/* Threads msgs[0..n) and writes n rows in display order to *out: a malloc'd array (NULL when n is
 * 0) the caller releases with tm_thread_out_free (the rows may be reordered meanwhile). Every input
 * message appears exactly once, whatever loops, self-references or duplicate ids the headers hold.
 * Threads are ordered by their root's date, siblings by date; ties by store id. Beyond JWZ: a
 * message's parent is In-Reply-To when References lacks that id, else the last reference; the
 * children of a missing parent show as one thread under the earliest of them; subject grouping
 * hangs a reply root ("Re:", "Fwd:", ...) under the latest earlier non-reply root with the same
 * subject (or the earliest such, or else the earliest reply), and never merges two non-reply roots.
 * Returns TM_OK, TM_ENOMEM, or TM_ELIMIT when n exceeds INT_MAX; err (may be NULL) is filled. */
enum tm_status tm_thread_compute(const struct tm_thread_msg *msgs, size_t n,
                                 struct tm_thread_out **out, struct tm_error *err);

/* Frees out, a result of n rows, with its prefixes. Accepts NULL. */
void tm_thread_out_free(struct tm_thread_out *out, size_t n);

/* The same threading built one message at a time, e.g. while a load writes the messages: most of
 * the work is done as each is added, the rest (what needs them all) at the end. Not thread-safe;
 * one context threads one set of messages. tm_thread_compute is new, add each, finish. */
struct tm_thread_incr;

/* An empty context; expect (0 when unknown) is how many messages will come, to size the tables
 * once. NULL when out of memory. Release with tm_thread_incr_finish or tm_thread_incr_free. */
struct tm_thread_incr *tm_thread_incr_new(size_t expect);

/* Adds the next message. m itself need not stay valid, but its strings must until the context is
 * finished or freed; its date is not read (it may still change). TM_OK, TM_ENOMEM or TM_ELIMIT
 * (INT_MAX messages); after a failure every add and the finish fail with the same status. */
enum tm_status tm_thread_incr_add(struct tm_thread_incr *t, const struct tm_thread_msg *m);

/* Threads the added messages and frees the context (*pp becomes NULL). msgs[0..n) are the
 * messages added, in add order, with their final dates (n other than the number added:
 * TM_EPARSE). by_date false: the result is tm_thread_compute(msgs, n); true: it is
 * tm_thread_compute over msgs sorted by date, then store id, then add order (as when messages come
 * by store id and are threaded in date order). *out, the statuses and err as tm_thread_compute. */
enum tm_status tm_thread_incr_finish(struct tm_thread_incr **pp, const struct tm_thread_msg *msgs,
                                     size_t n, bool by_date, struct tm_thread_out **out,
                                     struct tm_error *err);

/* Frees an unfinished context and sets *pp to NULL. Accepts NULL and *pp NULL. */
void tm_thread_incr_free(struct tm_thread_incr **pp);

#endif
