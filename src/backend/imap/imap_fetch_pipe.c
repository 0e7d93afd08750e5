/* imap_fetch_pipe.c - the header FETCH of a big sync on two cores: a reader thread takes the
 * responses off the connection and parses each new message's header (TLS, IMAP grammar, RFC 5322
 * envelope) while the calling thread writes the rows to the store. Any other response (the tagged
 * reply, EXISTS, VANISHED, a flag change) is handed over whole, and the reader waits until the
 * caller has handled it, so the session's state and the store are only ever touched by the
 * caller. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"

#define QUEUE_ITEMS   512
#define ROWS_PER_PUSH 16  /* rows parsed before they are queued together */
#define WAKE_ROWS     256 /* rows queued before a waiting caller is woken */
#define STRAY_WAIT_MS 20  /* how long queued rows may wait when the reader stalls mid-response */

enum item_kind { ITEM_ROW, ITEM_RESPONSE, ITEM_END };

struct item {
    enum item_kind kind;
    uint32_t uid;
    unsigned flags;
    int64_t date, size;
    struct tm_envelope env; /* owned by the item */
};

struct pipe {
    struct tm_session *s;
    uint32_t min_uid;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct item items[QUEUE_ITEMS];
    size_t head, count;
    struct imap_response resp; /* ITEM_RESPONSE: valid until handled is set */
    bool handled;
    bool caller_waits; /* the caller sleeps on an empty queue */
    bool drop_rows;    /* the caller failed to store a row: later rows are dropped */
    enum tm_status st; /* ITEM_END: why the reader stopped */
    struct tm_error err;
};

/* Queues items[0..n) under one lock (rows are handed over in small batches: a lock round per
 * row cost the two threads more in contention than the parsing it overlaps). A sleeping caller
 * is woken for WAKE_ROWS rows, for any other item, or on flush (the reader is about to wait for
 * the server), not for every batch: each wake-up is a futex call and a context switch on both
 * sides, and a 100,000-message FETCH made 27,000 of them. */
static void push(struct pipe *p, struct item *items, size_t n, bool flush)
{
    pthread_mutex_lock(&p->lock);
    bool wake = flush;
    for (size_t i = 0; i < n; i++) {
        struct item *it = &items[i];
        while (p->count == QUEUE_ITEMS && !(p->drop_rows && it->kind == ITEM_ROW))
            pthread_cond_wait(&p->changed, &p->lock);
        if (p->drop_rows && it->kind == ITEM_ROW) {
            tm_mime_envelope_cleanup(&it->env);
            continue;
        }
        p->items[(p->head + p->count) % QUEUE_ITEMS] = *it;
        p->count++;
        wake = wake || it->kind != ITEM_ROW || p->count >= WAKE_ROWS;
    }
    if (wake && p->caller_waits && p->count)
        pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* A new message's FETCH made into a row item; false for anything else. */
static bool as_row(struct pipe *p, const struct imap_response *r, struct item *it)
{
    if (r->kind != IMAP_UNTAGGED || !r->keyword || strcmp(r->keyword, "FETCH") != 0)
        return false;
    struct imap_fetch f;
    if (imap_fetch_decode(r, &f, NULL) || !f.has_uid || f.uid < p->min_uid || !f.header)
        return false; /* the caller's handler decides (and reports a bad one) */
    memset(it, 0, sizeof(*it));
    if (tm_mime_envelope_parse_fb(f.header, f.header_len, p->s->env->charset_fallback, &it->env,
                                  NULL) == TM_ENOMEM)
        return false;
    it->kind = ITEM_ROW;
    it->uid = f.uid;
    it->flags = f.flags;
    it->date = it->env.date ? it->env.date : f.has_internaldate ? f.internaldate : 0;
    it->size = f.has_size ? (int64_t)f.size : 0;
    return true;
}

static void *reader_main(void *arg)
{
    struct pipe *p = arg;
    struct tm_session *s = p->s;
    struct item rows[ROWS_PER_PUSH];
    size_t n_rows = 0;
    for (;;) {
        struct imap_response r;
        struct tm_error err;
        tm_error_clear(&err);
        if (!tm_stream_input_ready(s->stream)) { /* the read may wait: hand over what is parsed */
            push(p, rows, n_rows, true);
            n_rows = 0;
        }
        enum tm_status st = imap_read_raw(s, &r, &err);
        struct item it;
        if (!st && as_row(p, &r, &rows[n_rows])) {
            if (++n_rows == ROWS_PER_PUSH) {
                push(p, rows, n_rows, false);
                n_rows = 0;
            }
            continue;
        }
        push(p, rows, n_rows, false); /* the rows before it go first */
        n_rows = 0;
        if (st) {
            pthread_mutex_lock(&p->lock);
            p->st = st;
            p->err = err;
            pthread_mutex_unlock(&p->lock);
            it.kind = ITEM_END;
            push(p, &it, 1, true);
            return NULL;
        }
        /* Hand the response over and wait: its memory is the parser's until the next read. */
        pthread_mutex_lock(&p->lock);
        p->resp = r;
        p->handled = false;
        pthread_mutex_unlock(&p->lock);
        it.kind = ITEM_RESPONSE;
        push(p, &it, 1, true);
        pthread_mutex_lock(&p->lock);
        while (!p->handled)
            pthread_cond_wait(&p->changed, &p->lock);
        pthread_mutex_unlock(&p->lock);
        if (r.kind != IMAP_UNTAGGED) /* the command ended (or went wrong): nothing more to read */
            return NULL;
    }
}

/* Takes up to max queued items (at least one, waiting for it) into out; returns how many. */
static size_t pop_some(struct pipe *p, struct item *out, size_t max)
{
    pthread_mutex_lock(&p->lock);
    while (p->count == 0) {
        /* Bounded: rows queued short of WAKE_ROWS while the reader waits in the middle of a
         * response are taken after STRAY_WAIT_MS at the latest. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += STRAY_WAIT_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        p->caller_waits = true;
        pthread_cond_timedwait(&p->changed, &p->lock, &until);
        p->caller_waits = false;
    }
    bool was_full = p->count == QUEUE_ITEMS;
    size_t n = 0;
    while (n < max && p->count) {
        out[n++] = p->items[p->head];
        p->head = (p->head + 1) % QUEUE_ITEMS;
        p->count--;
    }
    if (was_full)
        pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return n;
}

static void mark_handled(struct pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->handled = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

enum tm_status imap_fetch_pipelined(struct tm_session *s, const char *tag, uint32_t min_uid,
                                    imap_row_fn row_fn, imap_untagged_fn fn, void *ctx,
                                    struct tm_error *err)
{
    struct imap_cmd_state cs;
    struct pipe *p = calloc(1, sizeof(*p));
    if (!p)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    p->s = s;
    p->min_uid = min_uid;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    imap_cmd_state_init(&cs, tag, fn, ctx, TM_OK);
    pthread_t reader;
    enum tm_status st = imap_cmd_send(s, false, err);
    if (!st && pthread_create(&reader, NULL, reader_main, p) != 0)
        st = tm_error_set(err, TM_ENOMEM, _("cannot start the reading thread"));
    if (st) {
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return st;
    }
    enum tm_status row_failure = TM_OK, result = TM_OK;
    struct tm_error row_err;
    tm_error_clear(&row_err);
    struct item batch[64];
    size_t n = 0, at = 0;
    for (bool done = false; !done;) {
        if (at == n) {
            n = pop_some(p, batch, sizeof(batch) / sizeof(batch[0]));
            at = 0;
        }
        struct item *it = &batch[at++];
        switch (it->kind) {
        case ITEM_ROW:
            if (!row_failure && (row_failure = row_fn(s, ctx, it->uid, it->flags, it->date,
                                                      it->size, &it->env, &row_err)) != TM_OK) {
                pthread_mutex_lock(&p->lock);
                p->drop_rows = true; /* the rest is still read, to keep the connection in step */
                pthread_cond_broadcast(&p->changed);
                pthread_mutex_unlock(&p->lock);
            }
            tm_mime_envelope_cleanup(&it->env);
            break;
        case ITEM_RESPONSE:
            result = imap_cmd_response(s, &cs, &p->resp, err);
            done = cs.done;
            mark_handled(p);
            break;
        case ITEM_END:
            done = true;
            result = p->st;
            if (err)
                *err = p->err;
            break;
        }
    }
    while (at < n) { /* rows taken behind the end */
        if (batch[at].kind == ITEM_ROW)
            tm_mime_envelope_cleanup(&batch[at].env);
        at++;
    }
    pthread_join(reader, NULL);
    while (p->count) { /* rows queued behind an error */
        struct item *it = &p->items[p->head];
        if (it->kind == ITEM_ROW)
            tm_mime_envelope_cleanup(&it->env);
        p->head = (p->head + 1) % QUEUE_ITEMS;
        p->count--;
    }
    if (p->st) /* framing is lost after a read error: start again on a new connection */
        imap_disconnect(s);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p);
    if (!result && row_failure) {
        if (err)
            *err = row_err;
        result = row_failure;
    }
    return result;
}
