/* search.h - core-internal parts of body and header search (~b ~B ~h, =b =B =h): the literal
 * text a regular expression needs (search_literal.c), the searchable text of a message
 * (search_text.c) and the IMAP criteria built from a pattern (search_criteria.c). */
#ifndef TM_CORE_SEARCH_H
#define TM_CORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/status.h"
#include "tmail/store.h"

/* What every match of a POSIX extended regular expression must contain: any one group (the
 * expression's top-level alternatives), each the conjunction of its literals. No group at all
 * means nothing is known (some alternative has no literal text). Owned by the struct. */
struct search_literals {
    struct tm_text_group *groups; /* literals of each are malloc'd strings */
    size_t n_groups;
    bool plain; /* the expression is one literal string, nothing else: groups[0].literals[0] */
};

/* Fills *out (zeroed by the caller) from re, an expression regcomp accepted. Sound rather than
 * complete: a literal is reported only when every match contains it; what the scanner does not
 * understand (groups, brackets, backreferences) just gives fewer literals. TM_ENOMEM only. */
enum tm_status search_literals_extract(const char *re, struct search_literals *out);
void search_literals_cleanup(struct search_literals *l);

/* The searchable text of a raw message: its header lines "Name: value\n" (unfolded, RFC 2047
 * decoded to UTF-8) into headers, and the text of its text/... parts (transfer-decoded,
 * converted to UTF-8, HTML made plain text; embedded messages' header lines too; attachment
 * names never) into body. NULs become spaces. Each is cut (at a character boundary) at its
 * buffer's limit rather than failing. TM_ENOMEM only. */
enum tm_status search_text_extract(const char *raw, size_t len, const char *fallback_charset,
                                   struct tm_buf *headers, struct tm_buf *body);

/* IMAP SEARCH criteria for one literal group of a text atom: key is "BODY", "TEXT" or a
 * "HEADER name" prefix; out gets e.g. `BODY "a" BODY "b"` (quoted, \ and " escaped). false
 * when a literal cannot be sent (a line break). */
bool search_criteria_group(struct tm_buf *out, const char *key, const struct tm_text_group *g);

/* ---- on the account worker (search_index.c) ----
 * Turning messages into stored text. An indexer in batch mode holds a transaction over many
 * local messages (cheaper); without, each text is committed at once (a network fetch must not
 * keep the cache locked). */
struct worker_ctx;
struct search_indexer;
enum tm_status search_indexer_new(struct worker_ctx *c, bool batch, struct search_indexer **out,
                                  struct tm_error *err);
/* Commits what a batch holds (a failure is logged) and frees. Accepts NULL. */
void search_indexer_free(struct search_indexer **pp);
/* Keeps the text of raw[0..len), the message id (stamp: its size in the store). */
enum tm_status search_index_raw(struct search_indexer *ix, int64_t id, const char *raw, size_t len,
                                struct tm_error *err);
/* The same for a message read through the backend (a Maildir file; an IMAP body, fetched and
 * cached when it is not yet), or from the cached raw body only (TM_ENOENT when none). */
enum tm_status search_index_fetch(struct search_indexer *ix, int64_t id, struct tm_error *err);
enum tm_status search_index_cached(struct search_indexer *ix, int64_t id, struct tm_error *err);
/* The texts of the message indexed last, NUL-terminated, borrowed until the next call. */
const struct tm_buf *search_indexer_headers(const struct search_indexer *ix);
const struct tm_buf *search_indexer_body(const struct search_indexer *ix);
/* Whether the worker has a job waiting (a long background pass gives way to it). */
bool search_job_waiting(struct worker_ctx *c);

#endif
