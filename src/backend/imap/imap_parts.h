/* imap_parts.h - reading a big message in parts (imap_parts.c, imap_skeleton.c): from its
 * BODYSTRUCTURE, which parts to fetch at once (the text the pager shows, bounded), the FETCH
 * items that brings, and the skeleton built from the answers: the raw message with the content
 * of the other parts left out, checked against the MIME layer's reading of it. */
#ifndef TM_IMAP_PARTS_H
#define TM_IMAP_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap_bodystructure.h"
#include "tmail/buf.h"
#include "tmail/status.h"

/* Text fetched with the structure: at least this much, or fetch_whole_max when bigger. */
#define IMAP_INLINE_BUDGET ((uint64_t)2 * 1024 * 1024)
/* A part not shown in the pager still comes along when it is text this small (another
 * alternative, a delivery status). */
#define IMAP_INLINE_EXTRA_MAX ((uint64_t)64 * 1024)
/* A FETCH command for the skeleton stays under this many bytes (servers limit lines; RFC 7162
 * 4 asks clients to keep to 8192); more items take more commands. */
#define IMAP_SKELETON_CMD_MAX 8000

/* One section to fetch: a header (BODY[HEADER] of an attached message, BODY[n.MIME] of a part)
 * or a part's content (BODY[n]). */
struct skel_item {
    char *key;  /* owned: the section as FETCH gives it back ("2.MIME", "3.HEADER", "1") */
    char *data; /* owned once received */
    size_t len;
    bool got;
};

/* One node of the structure, in depth-first order. */
struct skel_node {
    const struct imap_body *b; /* borrowed from the skeleton's structure */
    int header;                /* item of its header; -1 for the top node (comes with round 1) */
    int content;               /* item of its content; -1 when left out or not a leaf */
    bool leaf;                 /* its content is one piece: a leaf, or an encoded message/rfc822 */
    bool shown;                /* the pager shows it inline */
    char *path;                /* owned: its path in the skeleton's MIME tree, once checked */
};

struct imap_skeleton {
    struct imap_bodystructure *bs; /* owned */
    char *top_header;              /* owned: BODY[HEADER] */
    size_t top_header_len;
    struct skel_node *nodes;
    size_t n_nodes;
    struct skel_item *items;
    size_t n_items;
    struct skel_item **by_key; /* the items sorted by key, for answers */
    size_t left_out;           /* leaves left out with content (octets > 0) */
};

void imap_skeleton_cleanup(struct imap_skeleton *sk);

/* Decides, for sk->bs, what to fetch now: every header, the content of the parts the pager shows
 * (alternatives chosen by alternative_order, NULL: text/plain first) up to budget bytes, then
 * small text parts while the budget lasts. TM_ENOTSUP (err says why) when the structure cannot
 * be rebuilt (a multipart without a boundary of 1 to 70 printable characters); sk->left_out 0
 * means nothing big would be left out: fetching it whole is better. */
enum tm_status imap_skeleton_plan(struct imap_skeleton *sk, const char *alternative_order,
                                  uint64_t budget, struct tm_error *err);

/* Appends to cmd, from item *next on, " BODY.PEEK[key]" items while cmd and a closing ")" stay
 * within max bytes (at least one item); *next moves past them. */
enum tm_status imap_skeleton_items(struct imap_skeleton *sk, size_t *next, size_t max,
                                   struct tm_buf *cmd);

/* Records the data of the item with that key (a copy); false when no item has it. */
bool imap_skeleton_answer(struct imap_skeleton *sk, const char *key, size_t key_len,
                          const char *data, size_t len, struct tm_error *err, enum tm_status *st);

/* Builds the skeleton into out from the top header and the answers, then parses it with the
 * MIME layer and checks that its tree is the structure's (types, nesting, counts), recording
 * each node's path. TM_EPROTO (err says where) when an answer is missing or the trees differ:
 * the caller fetches the whole message instead. */
enum tm_status imap_skeleton_build(struct imap_skeleton *sk, struct tm_buf *out,
                                   struct tm_error *err);

#endif
