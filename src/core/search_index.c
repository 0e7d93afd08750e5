/* search_index.c - the account worker keeps the searchable text of messages in the store: right
 * after a body is fetched, for the cached bodies a sync brought (prefetch_bodies), and for local
 * folders on the first body search (search_run.c). The store holds SQL only and the MIME layer
 * is pure, so the text is made here. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "search.h"
#include "tmail/array.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

/* What is kept of one message: enough for any real header and any readable text. */
#define TEXT_HEADERS_MAX ((size_t)256 * 1024)
#define TEXT_BODY_MAX    ((size_t)4 * 1024 * 1024)
/* Messages per transaction in batch mode. */
#define INDEX_BATCH 1000

struct search_indexer {
    struct worker_ctx *c;
    struct tm_store_text_writer *writer;
    struct tm_buf raw, headers, body;
    bool batch;
    int in_transaction; /* messages written since the batch's BEGIN */
};

enum tm_status search_indexer_new(struct worker_ctx *c, bool batch, struct search_indexer **out,
                                  struct tm_error *err)
{
    struct search_indexer *ix = calloc(1, sizeof(*ix));
    *out = NULL;
    if (!ix)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    ix->c = c;
    ix->batch = batch;
    tm_buf_init(&ix->raw, 0);
    tm_buf_init(&ix->headers, TEXT_HEADERS_MAX);
    tm_buf_init(&ix->body, TEXT_BODY_MAX);
    enum tm_status st = tm_store_text_writer_new(c->store, &ix->writer, err);
    if (st) {
        search_indexer_free(&ix);
        return st;
    }
    *out = ix;
    return TM_OK;
}

static enum tm_status commit(struct search_indexer *ix, struct tm_error *err)
{
    if (!ix->in_transaction)
        return TM_OK;
    ix->in_transaction = 0;
    return tm_store_commit(ix->c->store, err); /* a failed commit rolls back itself */
}

void search_indexer_free(struct search_indexer **pp)
{
    struct search_indexer *ix = pp ? *pp : NULL;
    if (!ix)
        return;
    struct tm_error err;
    if (commit(ix, &err))
        tm_log(TM_LOG_WARN, "search index: %s", err.message);
    tm_store_text_writer_free(&ix->writer);
    tm_buf_cleanup(&ix->raw);
    tm_buf_cleanup(&ix->headers);
    tm_buf_cleanup(&ix->body);
    free(ix);
    *pp = NULL;
}

enum tm_status search_index_raw(struct search_indexer *ix, int64_t id, const char *raw, size_t len,
                                struct tm_error *err)
{
    struct tm_store *store = ix->c->store;
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    enum tm_status st = tm_store_message_get(store, id, &row, err);
    int64_t stamp = row.size;
    tm_message_row_cleanup(&row);
    if (st)
        return st;
    tm_buf_reset(&ix->headers);
    tm_buf_reset(&ix->body);
    if (search_text_extract(raw, len, ix->c->w->charset_fallback, &ix->headers, &ix->body))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (ix->batch && !ix->in_transaction && (st = tm_store_begin(store, err)))
        return st;
    if (ix->batch)
        ix->in_transaction++;
    st = tm_store_text_put(ix->writer, id, stamp, ix->headers.data, ix->headers.len, ix->body.data,
                           ix->body.len, err);
    if (st && ix->batch) { /* the batch so far is lost: roll back rather than half-commit */
        ix->in_transaction = 0;
        tm_store_rollback(store);
        return st;
    }
    if (ix->in_transaction >= INDEX_BATCH)
        st = commit(ix, err);
    return st;
}

enum tm_status search_index_fetch(struct search_indexer *ix, int64_t id, struct tm_error *err)
{
    tm_buf_reset(&ix->raw);
    enum tm_status st = backend_fetch(ix->c->w->ops, ix->c->session, id, &ix->raw, err);
    return st ? st : search_index_raw(ix, id, ix->raw.data ? ix->raw.data : "", ix->raw.len, err);
}

enum tm_status search_index_cached(struct search_indexer *ix, int64_t id, struct tm_error *err)
{
    tm_buf_reset(&ix->raw);
    enum tm_status st = tm_store_body_get(ix->c->store, id, &ix->raw, err);
    return st ? st : search_index_raw(ix, id, ix->raw.data ? ix->raw.data : "", ix->raw.len, err);
}

const struct tm_buf *search_indexer_headers(const struct search_indexer *ix)
{
    return &ix->headers;
}

const struct tm_buf *search_indexer_body(const struct search_indexer *ix)
{
    return &ix->body;
}

bool search_job_waiting(struct worker_ctx *c)
{
    pthread_mutex_lock(&c->w->lock);
    bool waiting = c->w->head != NULL;
    pthread_mutex_unlock(&c->w->lock);
    return waiting;
}

void worker_index_message(struct worker_ctx *c, int64_t message_id, const char *raw, size_t len)
{
    struct search_indexer *ix = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    if (search_indexer_new(c, false, &ix, &err) || search_index_raw(ix, message_id, raw, len, &err))
        tm_log(TM_LOG_WARN, "search index: message %lld: %s", (long long)message_id, err.message);
    search_indexer_free(&ix);
}

struct id_list {
    int64_t *ids;
    size_t n, cap;
    bool failed;
};

static int add_id(void *ctx, int64_t id)
{
    struct id_list *l = ctx;
    if (TM_ARRAY_RESERVE(l->ids, l->n, l->cap, 256)) {
        l->failed = true;
        return 1;
    }
    l->ids[l->n++] = id;
    return 0;
}

void worker_index_pending(struct worker_ctx *c)
{
    struct id_list pending = {0};
    struct search_indexer *ix = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = tm_store_text_each_missing(c->store, c->w->mailbox_id, TM_TEXT_PENDING,
                                                   add_id, &pending, &err);
    if (!st && pending.n)
        st = search_indexer_new(c, true, &ix, &err);
    size_t done = 0;
    for (; !st && done < pending.n; done++) {
        if (c->w->job_cancel || c->w->cancel || search_job_waiting(c))
            break; /* the rest waits for the next sync or search */
        st = search_index_cached(ix, pending.ids[done], &err);
        if (st == TM_ENOENT || st == TM_ENOMEM) { /* gone meanwhile; or one too big: go on */
            tm_error_clear(&err);
            st = TM_OK;
        }
    }
    search_indexer_free(&ix);
    if (st)
        tm_log(TM_LOG_WARN, "search index of %s: %s", c->w->account_name, err.message);
    else if (done)
        tm_log(TM_LOG_INFO, "search index of %s: %zu cached bodies indexed, %zu left",
               c->w->account_name, done, pending.n - done);
    free(pending.ids);
}
