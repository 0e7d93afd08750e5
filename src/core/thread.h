/* thread.h - JWZ message threading over an array of envelopes, with mutt-style tree prefixes
 * (internal to core/). Pure: no store, no I/O, no globals. */
#ifndef TMAIL_CORE_THREAD_H
#define TMAIL_CORE_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "tmail/status.h"

/* Ancestor columns drawn in a tree prefix at most; a deeper message shows the nearest ones, so a
 * hostile 100,000-deep chain cannot make the prefixes quadratic in size. */
#define TM_THREAD_TREE_MAX_COLUMNS 63

/* One message to thread. All strings are borrowed for the duration of tm_thread_compute and may
 * be NULL or empty. Ids may be given with or without angle brackets. */
struct tm_thread_msg {
    int64_t id;              /* store id, copied to the output */
    const char *message_id;  /* may be NULL, or a duplicate of another message's */
    const char *in_reply_to; /* the first id in it is used */
    const char *references;  /* whitespace-separated ids, oldest first */
    const char *subject;     /* decoded */
    int64_t date;            /* sort key: threads by root date, siblings by date, then id */
};

/* One output row, in display order. */
struct tm_thread_out {
    int64_t id;
    int depth;  /* 0 for a thread's root */
    char *tree; /* owned UTF-8 prefix: "" for roots, "├─>", "│ └─>", "  ├─>", ... */
};

/* Threads msgs[0..n) and writes n rows in display order to *out: a malloc'd array (NULL when n is
 * 0) the caller releases with tm_thread_out_free. Every input message appears exactly once,
 * whatever loops, self-references or duplicate ids the headers hold. Threads are ordered by their
 * root's date, siblings by date; ties by store id.
 * Beyond JWZ: a message's parent is In-Reply-To when References lacks that id, else the last
 * reference; the children of a missing parent show as one thread under the earliest of them;
 * subject grouping hangs a reply root ("Re:", "Fwd:", ...) under the latest earlier non-reply
 * root with the same subject (or the earliest such, or else the earliest reply), and never
 * merges two non-reply roots.
 * Returns TM_OK, TM_ENOMEM, or TM_ELIMIT when n exceeds INT_MAX; err (may be NULL) is filled. */
enum tm_status tm_thread_compute(const struct tm_thread_msg *msgs, size_t n,
                                 struct tm_thread_out **out, struct tm_error *err);

/* Frees the n rows of out and out itself. Accepts NULL. */
void tm_thread_out_free(struct tm_thread_out *out, size_t n);

#endif
