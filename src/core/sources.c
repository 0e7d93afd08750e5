/* sources.c - thread sources copied out of the store (sources.h): the string pool, the copy of
 * one message, and the load watch that collects them while a first load writes its rows. */
#include <stdlib.h>
#include <string.h>

#include "sources.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/log.h"

#define POOL_BLOCK ((size_t)1 << 20)

static const char *pool_keep(struct core_string_pool *p, const char *s, int *failed)
{
    if (!s)
        return NULL;
    size_t len = strlen(s) + 1;
    if (len > p->left) {
        size_t size = len > POOL_BLOCK ? len : POOL_BLOCK;
        char *block = malloc(size);
        if (!block || TM_ARRAY_RESERVE(p->blocks, p->n, p->cap, 16)) {
            free(block);
            *failed = 1;
            return NULL;
        }
        p->blocks[p->n++] = block;
        p->next = block;
        p->left = size;
    }
    char *copy = p->next;
    memcpy(copy, s, len);
    p->next += len;
    p->left -= len;
    return copy;
}

int core_sources_add(void *ctx, const struct tm_thread_source *src)
{
    struct core_sources *c = ctx;
    size_t cap_keys = c->cap_keys;
    if (TM_ARRAY_RESERVE(c->msgs, c->n, c->cap, 1024) ||
        TM_ARRAY_RESERVE(c->keys, c->n, cap_keys, 1024)) {
        c->failed = 1;
        return 1;
    }
    c->cap_keys = cap_keys;
    struct tm_thread_msg *m = &c->msgs[c->n];
    struct core_string_pool *p = &c->pool;
    memset(m, 0, sizeof(*m));
    m->id = src->id;
    m->date = src->date;
    m->subject = pool_keep(p, src->subject, &c->failed);
    if (c->threads) {
        m->message_id = pool_keep(p, src->message_id, &c->failed);
        m->in_reply_to = pool_keep(p, src->in_reply_to, &c->failed);
        m->references = pool_keep(p, src->references, &c->failed);
        c->keys[c->n++] = (struct core_flat_keys){NULL, NULL, src->size};
    } else {
        c->keys[c->n++] =
            (struct core_flat_keys){(char *)pool_keep(p, src->from, &c->failed),
                                    (char *)pool_keep(p, src->to, &c->failed), src->size};
    }
    return c->failed;
}

void core_sources_free(struct core_sources *c)
{
    for (size_t i = 0; i < c->pool.n; i++)
        free(c->pool.blocks[i]);
    free(c->pool.blocks);
    free(c->msgs);
    free(c->keys);
    tm_thread_incr_free(&c->threader);
    *c = (struct core_sources){.threads = c->threads};
}

/* ---- the load watch ---- */

static void on_date(void *ctx, int64_t id, int64_t date)
{
    struct core_load *load = ctx;
    const struct core_sources *c = &load->sources;
    /* inserted in id order: a binary search finds it */
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->msgs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n && c->msgs[lo].id == id)
        c->msgs[lo].date = date;
}

static void on_broken(void *ctx)
{
    struct core_load *load = ctx;
    if (!load->broken)
        tm_log(TM_LOG_DEBUG,
               "load of mailbox %lld: changed while watched; the order will read "
               "the rows back",
               (long long)load->mailbox_id);
    load->broken = true;
    tm_thread_incr_free(&load->sources.threader);
}

/* Threads the message just collected. Its strings are in the pool, which keeps them in place;
 * msgs moves as it grows, so the threader copies what it needs of the entry. */
static void thread_newest(struct core_load *load)
{
    struct core_sources *c = &load->sources;
    enum tm_status st = tm_thread_incr_add(c->threader, &c->msgs[c->n - 1]);
    if (st) {
        tm_log(TM_LOG_DEBUG, "load of mailbox %lld: threading as it loads failed (%s)",
               (long long)load->mailbox_id, tm_status_name(st));
        tm_thread_incr_free(&c->threader); /* the order threads the sources from scratch */
    }
}

static int on_new(void *ctx, const struct tm_thread_source *src)
{
    struct core_load *load = ctx;
    if (load->broken)
        return 0;
    if (load->sources.n && load->sources.msgs[load->sources.n - 1].id >= src->id) {
        on_broken(load); /* not in id order: on_date's search would miss */
        return 0;
    }
    int failed = core_sources_add(&load->sources, src);
    if (!failed && load->sources.threader)
        thread_newest(load);
    return failed;
}

static const struct tm_store_watch_ops watch_ops = {on_new, on_date, on_broken};

struct core_load *core_load_watch(struct tm_store *st, int64_t mailbox_id, int sort)
{
    int64_t count = -1;
    if (tm_store_message_count(st, mailbox_id, &count, NULL) || count != 0)
        return NULL;
    struct core_load *load = calloc(1, sizeof(*load));
    if (!load)
        return NULL;
    load->store = st;
    load->watching = true;
    load->versioned = tm_store_data_version(st, &load->data_version, NULL) == TM_OK;
    load->mailbox_id = mailbox_id;
    load->sources.threads = sort == TM_SORT_THREADS;
    if (load->sources.threads) /* NULL when out of memory: threaded from scratch at the end */
        load->sources.threader = tm_thread_incr_new(0);
    tm_store_watch(st, mailbox_id, &watch_ops, load);
    return load;
}

void core_load_unwatch(struct core_load *load)
{
    if (load && load->watching) {
        tm_store_unwatch(load->store);
        load->watching = false;
    }
}

bool core_load_take(struct core_load *load, int sort, struct core_sources *out, bool *exact)
{
    *exact = false;
    if (!load)
        return false;
    int64_t count = -1;
    if (load->broken || load->sources.failed ||
        load->sources.threads != (sort == TM_SORT_THREADS) ||
        tm_store_message_count(load->store, load->mailbox_id, &count, NULL) ||
        count != (int64_t)load->sources.n) {
        tm_thread_incr_free(&load->sources.threader); /* the rows are read back */
        return false;
    }
    int64_t version = 0;
    *exact = load->versioned && tm_store_data_version(load->store, &version, NULL) == TM_OK &&
             version == load->data_version;
    *out = load->sources;
    load->sources = (struct core_sources){.threads = out->threads};
    return true;
}

void core_load_free(struct core_load **pp)
{
    struct core_load *load = pp ? *pp : NULL;
    if (!load)
        return;
    core_load_unwatch(load);
    core_sources_free(&load->sources);
    free(load);
    *pp = NULL;
}
