/* keyset.h - a hash set of message keys (Maildir unique names, mbox offsets, POP3 UIDLs) with
 * the store id, flags and location of each, for diffing a mailbox against the cache during a
 * sync. About 40 bytes a slot plus the strings, so 100,000 keys stay small. */
#ifndef TMAIL_KEYSET_H
#define TMAIL_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "tmail/status.h"

struct tm_keyset_entry {
    char *key;            /* NULL: an empty slot; owned (key and location share one block) */
    const char *location; /* may be NULL */
    int64_t id;
    unsigned flags;
    int state; /* the caller's marker, e.g. "in the store", "seen on disk", "added" */
};

/* Open addressing with linear probing; iterate with slots[0..n_slots) skipping NULL keys. */
struct tm_keyset {
    struct tm_keyset_entry *slots;
    size_t n_slots; /* 0 or a power of two */
    size_t used;
};

/* The entry for key[0..len), or NULL. */
struct tm_keyset_entry *tm_keyset_find(struct tm_keyset *set, const char *key, size_t len);
/* Adds key[0..len) (which must not be present) with a copy of location (may be NULL). */
enum tm_status tm_keyset_add(struct tm_keyset *set, const char *key, size_t len,
                             const char *location, int64_t id, unsigned flags, int state);
/* Frees every entry; the set is empty (and reusable) afterwards. */
void tm_keyset_cleanup(struct tm_keyset *set);

#endif
