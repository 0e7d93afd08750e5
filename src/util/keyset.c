/* keyset.c - the hash set of message keys used to diff a mailbox against the cache. */
#include <stdlib.h>
#include <string.h>

#include "tmail/keyset.h"

#define KEYSET_INITIAL_SLOTS 1024

static uint64_t key_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    return h;
}

static struct tm_keyset_entry *keyset_slot(struct tm_keyset *set, const char *key, size_t len)
{
    size_t mask = set->n_slots - 1;
    for (size_t i = key_hash(key, len) & mask;; i = (i + 1) & mask) {
        struct tm_keyset_entry *e = &set->slots[i];
        if (!e->key || (strncmp(e->key, key, len) == 0 && e->key[len] == 0))
            return e;
    }
}

struct tm_keyset_entry *tm_keyset_find(struct tm_keyset *set, const char *key, size_t len)
{
    if (set->n_slots == 0)
        return NULL;
    struct tm_keyset_entry *e = keyset_slot(set, key, len);
    return e->key ? e : NULL;
}

static enum tm_status keyset_grow(struct tm_keyset *set)
{
    size_t n = set->n_slots ? set->n_slots * 2 : KEYSET_INITIAL_SLOTS;
    struct tm_keyset_entry *old = set->slots;
    size_t old_n = set->n_slots;
    set->slots = calloc(n, sizeof(*set->slots));
    if (!set->slots) {
        set->slots = old;
        return TM_ENOMEM;
    }
    set->n_slots = n;
    for (size_t i = 0; i < old_n; i++) {
        if (old[i].key)
            *keyset_slot(set, old[i].key, strlen(old[i].key)) = old[i];
    }
    free(old);
    return TM_OK;
}

/* Adds key[0..len) (not present yet) with a copy of location (may be NULL). */
enum tm_status tm_keyset_add(struct tm_keyset *set, const char *key, size_t len,
                             const char *location, int64_t id, unsigned flags, int state)
{
    if ((set->used + 1) * 10 > set->n_slots * 7 && keyset_grow(set))
        return TM_ENOMEM;
    size_t loc_len = location ? strlen(location) : 0;
    char *mem = malloc(len + 1 + loc_len + 1);
    if (!mem)
        return TM_ENOMEM;
    memcpy(mem, key, len);
    mem[len] = 0;
    if (location)
        memcpy(mem + len + 1, location, loc_len + 1);
    struct tm_keyset_entry *e = keyset_slot(set, key, len);
    *e = (struct tm_keyset_entry){mem, location ? mem + len + 1 : NULL, id, flags, state};
    set->used++;
    return TM_OK;
}

void tm_keyset_cleanup(struct tm_keyset *set)
{
    for (size_t i = 0; i < set->n_slots; i++)
        free(set->slots[i].key);
    free(set->slots);
    *set = (struct tm_keyset){0};
}
