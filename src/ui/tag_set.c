/* tag_set.c - the tagged messages of the open mailbox as a sorted array of store ids: a lookup
 * per drawn row is a binary search, and tagging by pattern merges a whole batch at once. */
#include "tag_set.h"

#include <stdlib.h>
#include <string.h>

#include "tmail/array.h"

/* The first index whose id is >= id. */
static size_t lower_bound(const struct tag_set *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool tag_set_has(const struct tag_set *s, int64_t id)
{
    size_t i = lower_bound(s, id);
    return i < s->n && s->ids[i] == id;
}

enum tm_status tag_set_add(struct tag_set *s, int64_t id)
{
    size_t i = lower_bound(s, id);
    if (i < s->n && s->ids[i] == id)
        return TM_OK;
    enum tm_status st = TM_ARRAY_RESERVE(s->ids, s->n, s->cap, 16);
    if (st)
        return st;
    memmove(s->ids + i + 1, s->ids + i, (s->n - i) * sizeof(*s->ids));
    s->ids[i] = id;
    s->n++;
    return TM_OK;
}

void tag_set_remove(struct tag_set *s, int64_t id)
{
    size_t i = lower_bound(s, id);
    if (i < s->n && s->ids[i] == id) {
        memmove(s->ids + i, s->ids + i + 1, (s->n - i - 1) * sizeof(*s->ids));
        s->n--;
    }
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

enum tm_status tag_set_add_many(struct tag_set *s, const int64_t *ids, size_t n)
{
    if (n == 0)
        return TM_OK;
    if (n > SIZE_MAX / sizeof(int64_t) - s->n)
        return TM_ELIMIT;
    int64_t *add = malloc(n * sizeof(*add));
    int64_t *merged = malloc((s->n + n) * sizeof(*merged));
    if (!add || !merged) {
        free(add);
        free(merged);
        return TM_ENOMEM;
    }
    memcpy(add, ids, n * sizeof(*add));
    qsort(add, n, sizeof(*add), compare_ids);
    size_t i = 0, j = 0, o = 0;
    while (i < s->n || j < n) {
        int64_t next = j >= n || (i < s->n && s->ids[i] <= add[j]) ? s->ids[i++] : add[j++];
        if (o == 0 || merged[o - 1] != next)
            merged[o++] = next;
    }
    free(add);
    free(s->ids);
    s->ids = merged;
    s->n = o;
    s->cap = s->n + n;
    return TM_OK;
}

size_t tag_set_remove_many(struct tag_set *s, const int64_t *ids, size_t n)
{
    size_t before = s->n;
    int64_t *del = n ? malloc(n * sizeof(*del)) : NULL;
    if (!del) { /* one at a time then: slower, but it needs no memory */
        for (size_t i = 0; i < n && s->n > 0; i++)
            tag_set_remove(s, ids[i]);
        return before - s->n;
    }
    memcpy(del, ids, n * sizeof(*del));
    qsort(del, n, sizeof(*del), compare_ids);
    size_t o = 0, j = 0;
    for (size_t i = 0; i < s->n; i++) {
        while (j < n && del[j] < s->ids[i])
            j++;
        if (j >= n || del[j] != s->ids[i])
            s->ids[o++] = s->ids[i];
    }
    free(del);
    s->n = o;
    return before - o;
}

size_t tag_set_keep_if(struct tag_set *s, bool (*keep)(void *ctx, int64_t id), void *ctx)
{
    size_t o = 0, before = s->n;
    for (size_t i = 0; i < s->n; i++)
        if (keep(ctx, s->ids[i]))
            s->ids[o++] = s->ids[i];
    s->n = o;
    return before - o;
}

void tag_set_clear(struct tag_set *s)
{
    s->n = 0;
}

void tag_set_cleanup(struct tag_set *s)
{
    free(s->ids);
    memset(s, 0, sizeof(*s));
}
