/* tag_set.h - the tagged messages of the open mailbox: a sorted set of store ids (pure, no
 * curses, so the unit tests link it alone). A zeroed struct is an empty set. */
#ifndef TM_UI_TAG_SET_H
#define TM_UI_TAG_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/status.h"

struct tag_set {
    int64_t *ids; /* owned; ascending, no repeats */
    size_t n, cap;
};

bool tag_set_has(const struct tag_set *s, int64_t id);
/* Adds id (no-op when present); TM_ENOMEM leaves the set as it was. */
enum tm_status tag_set_add(struct tag_set *s, int64_t id);
void tag_set_remove(struct tag_set *s, int64_t id);
/* Adds ids[0..n) (any order, repeats allowed) in one merge; TM_ENOMEM leaves the set as it
 * was. ids is only read. */
enum tm_status tag_set_add_many(struct tag_set *s, const int64_t *ids, size_t n);
/* Removes ids[0..n) (any order); returns how many were in the set. */
size_t tag_set_remove_many(struct tag_set *s, const int64_t *ids, size_t n);
/* Keeps only the ids keep(ctx, id) says true for, in order; returns how many went. */
size_t tag_set_keep_if(struct tag_set *s, bool (*keep)(void *ctx, int64_t id), void *ctx);
/* Empties the set, keeping its allocation. */
void tag_set_clear(struct tag_set *s);
/* Frees the set's memory; it is empty and reusable afterwards. */
void tag_set_cleanup(struct tag_set *s);

#endif
