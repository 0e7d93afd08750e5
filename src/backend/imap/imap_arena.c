/* imap_arena.c - the bump allocator behind parsed IMAP responses: one kept block for the common
 * case, separate blocks for big literals, everything released per response. */
#include <stdint.h>
#include <stdlib.h>

#include "imap_proto.h"

#define ARENA_BLOCK    ((size_t)64 * 1024)
#define ARENA_BIG      (ARENA_BLOCK / 4) /* bigger allocations get a block of their own */
#define ARENA_KEEP_MAX ((size_t)1 << 20) /* the kept block grows up to this */

struct imap_arena_block {
    struct imap_arena_block *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
};

static struct imap_arena_block *block_new(size_t cap)
{
    if (cap > SIZE_MAX - sizeof(struct imap_arena_block))
        return NULL;
    struct imap_arena_block *b = malloc(sizeof(*b) + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

enum tm_status imap_arena_init(struct imap_arena *a)
{
    a->extra = NULL;
    a->used = 0;
    a->first = a->cur = block_new(ARENA_BLOCK);
    return a->first ? TM_OK : TM_ENOMEM;
}

void *imap_arena_alloc(struct imap_arena *a, size_t size, size_t align)
{
    struct imap_arena_block *b = a->cur;
    size_t at = (b->used + align - 1) & ~(align - 1);
    if (at <= b->cap && size <= b->cap - at) {
        b->used = at + size;
        a->used += size;
        return b->data + at;
    }
    b = block_new(size > ARENA_BIG ? size : ARENA_BLOCK);
    if (!b)
        return NULL;
    b->next = a->extra;
    a->extra = b;
    if (size <= ARENA_BIG)
        a->cur = b;
    b->used = size;
    a->used += size;
    return b->data;
}

static void free_extra(struct imap_arena *a)
{
    while (a->extra) {
        struct imap_arena_block *b = a->extra;
        a->extra = b->next;
        free(b);
    }
}

void imap_arena_reset(struct imap_arena *a)
{
    size_t want = a->used + 64;
    free_extra(a);
    if (want > a->first->cap && want <= ARENA_KEEP_MAX) {
        size_t cap = a->first->cap;
        while (cap < want)
            cap *= 2;
        struct imap_arena_block *b = block_new(cap);
        if (b) {
            free(a->first);
            a->first = b;
        }
    }
    a->first->used = 0;
    a->cur = a->first;
    a->used = 0;
}

void imap_arena_cleanup(struct imap_arena *a)
{
    free_extra(a);
    free(a->first);
    a->first = a->cur = NULL;
}
