/* test_keyset.c - the sync key set: add, find by length-bounded key, growth, cleanup. */
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/keyset.h"

TM_TEST(keyset_finds_what_was_added_by_exact_key)
{
    struct tm_keyset set = {0};
    TM_CHECK(tm_keyset_find(&set, "a", 1) == NULL);
    TM_CHECK_INT(tm_keyset_add(&set, "abc:2,S", 3, "cur/abc:2,S", 7, 5, 1), TM_OK);
    struct tm_keyset_entry *e = tm_keyset_find(&set, "abcdef", 3);
    TM_CHECK(e != NULL);
    TM_CHECK_STR(e->key, "abc");
    TM_CHECK_STR(e->location, "cur/abc:2,S");
    TM_CHECK_INT(e->id, 7);
    TM_CHECK_INT(e->flags, 5);
    TM_CHECK_INT(e->state, 1);
    TM_CHECK(tm_keyset_find(&set, "ab", 2) == NULL);
    TM_CHECK(tm_keyset_find(&set, "abcd", 4) == NULL);
    tm_keyset_cleanup(&set);
    TM_CHECK(set.n_slots == 0 && set.used == 0);
}

TM_TEST(keyset_grows_and_keeps_every_key)
{
    struct tm_keyset set = {0};
    char key[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        TM_CHECK_INT(tm_keyset_add(&set, key, strlen(key), i % 2 ? NULL : key, i, 0, 0), TM_OK);
    }
    TM_CHECK_INT(set.used, 20000);
    size_t live = 0;
    for (size_t i = 0; i < set.n_slots; i++)
        live += set.slots[i].key != NULL;
    TM_CHECK_INT(live, 20000);
    for (int i = 0; i < 20000; i += 997) {
        snprintf(key, sizeof(key), "k%d", i);
        struct tm_keyset_entry *e = tm_keyset_find(&set, key, strlen(key));
        TM_CHECK(e && e->id == i && (i % 2 ? e->location == NULL : strcmp(e->location, key) == 0));
    }
    tm_keyset_cleanup(&set);
}

#include "tmail/array.h"

TM_TEST(array_reserve_doubles_and_keeps_contents)
{
    int *items = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        TM_CHECK_INT(TM_ARRAY_RESERVE(items, n, cap, 4), TM_OK);
        TM_CHECK(cap > n);
        items[n++] = i;
    }
    TM_CHECK_INT(cap, 1024); /* 4, 8, ... 1024 */
    for (int i = 0; i < 1000; i++)
        TM_CHECK_INT(items[i], i);
    size_t huge = (size_t)-1 / 2;
    TM_CHECK_INT(tm_array_reserve_one((void **)&items, huge, &huge, 8, 4), TM_ELIMIT);
    free(items);
}
