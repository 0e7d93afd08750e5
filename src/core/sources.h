/* sources.h - the thread sources of a mailbox copied out of the store for one order (internal
 * to core/): read back from the store (rethread.c), or collected while a first load writes them
 * (a load watch), so that the order after a 100,000-message load needs no second read. */
#ifndef TM_CORE_SOURCES_H
#define TM_CORE_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thread.h"
#include "tmail/store.h"

/* Strings are packed into 1 MiB blocks: 100,000 messages have half a million of them and a
 * malloc each would double the memory. */
struct core_string_pool {
    char **blocks;
    size_t n, cap;
    char *next; /* free space in the last block */
    size_t left;
};

/* Sort keys a flat (unthreaded) order needs besides msgs[i]'s subject and date. */
struct core_flat_keys {
    char *from, *to;
    int64_t size;
};

struct core_sources {
    struct tm_thread_msg *msgs;  /* strings in pool */
    struct core_flat_keys *keys; /* parallel to msgs */
    size_t n, cap, cap_keys;
    int failed;   /* out of memory: the copy is incomplete */
    bool threads; /* the thread fields are needed; else only the flat sort keys */
    struct core_string_pool pool;
    /* A load's threads, built as the messages came (msgs in order), or NULL: thread msgs from
     * scratch. core_sources_add does not feed it; the load watch does. */
    struct tm_thread_incr *threader;
};

/* A tm_store_thread_cb: copies src into ctx (a struct core_sources); nonzero when out of
 * memory (then failed is set). */
int core_sources_add(void *ctx, const struct tm_thread_source *src);
/* Frees what c holds, the threader too, and empties it (threads is kept). */
void core_sources_free(struct core_sources *c);

/* A first load watched as it is written (tm_store_watch). For sort = threads every message also
 * goes to sources.threader as it comes; when that fails, or the load breaks, the threader is
 * dropped and the order threads the sources (or the rows read back) from scratch. */
struct core_load {
    struct tm_store *store;
    bool watching;
    int64_t mailbox_id;
    struct core_sources sources; /* every message inserted, in insert (id) order */
    bool broken;                 /* some other change came: the copy is not to be trusted */
    bool versioned;              /* data_version below was read */
    int64_t data_version;        /* tm_store_data_version when the watch began */
};

/* Starts watching mailbox_id on st when it has no messages yet (a first load); NULL when it has
 * some, or when out of memory (the order then reads the rows back, as for any sync). Call
 * core_load_unwatch when the load is over. */
struct core_load *core_load_watch(struct tm_store *st, int64_t mailbox_id, int sort);
/* Stops the store's watch (NULL: nothing). */
void core_load_unwatch(struct core_load *load);
/* Hands over the collected sources (with a live threader, if any) when they are whole and fit
 * sort: nothing else changed the mailbox through the watch, and the store holds exactly as many
 * messages. true: *out holds them (the load keeps none), and *exact says that no other connection
 * committed anything since the watch began (tm_store_data_version), so they are exactly the store's
 * rows, ids and dates. */
bool core_load_take(struct core_load *load, int sort, struct core_sources *out, bool *exact);
/* Stops watching if still on, frees the load and sets *pp to NULL. Accepts NULL. */
void core_load_free(struct core_load **pp);

#endif
