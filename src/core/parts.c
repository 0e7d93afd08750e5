/* parts.c - big messages read in parts: the view request and the part downloads (core.h "Big
 * messages read in parts"), on the UI thread (requests, stopping downloads, the cache's answers)
 * and on the worker (JOB_BODY with view, JOB_PART with its progress and end as events). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"

#define PROGRESS_EVERY_MS 100

/* ---- A download's state and its end, told by either thread ---- */

/* Queues the TM_EV_PART_DONE of a part download (err NULL: it ended well). */
static void post_part_done(struct worker *w, int64_t message_id, const char *section, int64_t done,
                           int64_t total, const struct tm_error *err)
{
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_PART_DONE;
    ev.account_id = w->account_id;
    ev.message_id = message_id;
    ev.done = done;
    ev.total = total;
    ev.status = err ? err->status : TM_OK;
    snprintf(ev.part, sizeof(ev.part), "%s", section);
    if (ev.status)
        snprintf(ev.text, sizeof(ev.text), "%s", err->message);
    event_queue_push(w->events, &ev);
}

/* Bytes of part section of message_id held in the cache, and expected (-1: unknown). */
struct held {
    const char *section;
    int64_t have, total;
};

static int find_held(void *ctx, const struct tm_store_part *p)
{
    struct held *h = ctx;
    if (strcmp(p->section, h->section) != 0)
        return 0;
    h->have = p->have;
    h->total = p->complete ? p->have : p->total;
    return 1;
}

static struct held part_held(struct tm_store *store, int64_t message_id, const char *section)
{
    struct held h = {section, 0, -1};
    struct tm_error err;
    tm_error_clear(&err);
    if (store)
        tm_store_part_each(store, message_id, find_held, &h, &err);
    return h;
}

/* ---- UI thread ---- */

enum tm_status tm_core_request_view(struct tm_core *core, int64_t message_id,
                                    const char *alternative_order, struct tm_error *err)
{
    struct job job = {.type = JOB_BODY,
                      .message_id = message_id,
                      .view = true,
                      .name = (char *)alternative_order};
    return worker_submit(&core->worker, &job, err);
}

void tm_core_parts_cleanup(struct tm_core_parts *parts)
{
    for (size_t i = 0; i < parts->n; i++) {
        free(parts->items[i].section);
        free(parts->items[i].path);
        free(parts->items[i].encoding);
    }
    free(parts->items);
    parts->items = NULL;
    parts->n = 0;
}

const struct tm_core_part *tm_core_parts_find(const struct tm_core_parts *parts, const char *path)
{
    for (size_t i = 0; parts && i < parts->n; i++)
        if (strcmp(parts->items[i].path, path) == 0)
            return &parts->items[i];
    return NULL;
}

struct parts_copy {
    struct tm_core_parts *parts;
    size_t cap;
    enum tm_status st;
};

static int copy_part(void *ctx, const struct tm_store_part *p)
{
    struct parts_copy *c = ctx;
    struct tm_core_parts *parts = c->parts;
    if (parts->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct tm_core_part *items = realloc(parts->items, cap * sizeof(*items));
        if (!items) {
            c->st = TM_ENOMEM;
            return 1;
        }
        parts->items = items;
        c->cap = cap;
    }
    struct tm_core_part *d = &parts->items[parts->n];
    *d = (struct tm_core_part){
        strdup(p->section), strdup(p->path), p->encoding ? strdup(p->encoding) : NULL,
        p->octets,          p->have,         p->total,
        p->decoded,         p->complete};
    parts->n++;
    if (!d->section || !d->path || (p->encoding && !d->encoding)) {
        c->st = TM_ENOMEM;
        return 1;
    }
    return 0;
}

enum tm_status tm_core_parts_load(struct tm_core *core, int64_t message_id,
                                  struct tm_core_parts *parts, struct tm_error *err)
{
    struct parts_copy c = {parts, 0, TM_OK};
    tm_core_parts_cleanup(parts);
    enum tm_status st = tm_store_part_each(core->store, message_id, copy_part, &c, err);
    if (!st && c.st)
        st = tm_error_set(err, c.st, _("out of memory"));
    if (st)
        tm_core_parts_cleanup(parts);
    return st;
}

/* Whether the cache holds exactly raw[0..len) in what get reads. */
static enum tm_status
cache_holds(struct tm_core *core, int64_t message_id,
            enum tm_status (*get)(struct tm_store *, int64_t, struct tm_buf *, struct tm_error *),
            const char *raw, size_t len, bool *cached, bool *same, struct tm_error *err)
{
    struct tm_buf copy;
    tm_buf_init(&copy, len + 1); /* anything longer differs: no need to read it all */
    enum tm_status st = get(core->store, message_id, &copy, err);
    *cached = st == TM_OK || st == TM_ELIMIT;
    *same = st == TM_OK && copy.len == len && (len == 0 || memcmp(copy.data, raw, len) == 0);
    tm_buf_cleanup(&copy);
    if (st == TM_ENOENT || st == TM_ELIMIT) {
        tm_error_clear(err);
        st = TM_OK;
    }
    return st;
}

enum tm_status tm_core_body_kind(struct tm_core *core, int64_t message_id, const char *raw,
                                 size_t len, enum tm_core_body_kind *kind,
                                 struct tm_core_parts *parts, struct tm_error *err)
{
    bool cached, same;
    tm_core_parts_cleanup(parts);
    *kind = TM_BODY_STALE;
    enum tm_status st =
        cache_holds(core, message_id, tm_store_partial_get, raw, len, &cached, &same, err);
    if (st)
        return st;
    if (same) {
        *kind = TM_BODY_PARTIAL;
        return tm_core_parts_load(core, message_id, parts, err);
    }
    bool skeleton = cached;
    if ((st = cache_holds(core, message_id, tm_store_body_get, raw, len, &cached, &same, err)))
        return st;
    /* Local mail is read from its files, never cached: what came is the message. */
    if (same || (!cached && !skeleton && !core->ops->fetch_part))
        *kind = TM_BODY_WHOLE;
    return TM_OK;
}

enum tm_status tm_core_request_part(struct tm_core *core, int64_t message_id, const char *section,
                                    struct tm_error *err)
{
    /* the section must fit the events that follow the download */
    if (strlen(section) >= sizeof(((struct tm_event *)NULL)->part))
        return tm_error_set(err, TM_ELIMIT, _("part %.40s... is nested too deeply"), section);
    struct job job = {.type = JOB_PART, .message_id = message_id, .name = (char *)section};
    return worker_submit(&core->worker, &job, err);
}

/* The downloads tm_core_part_cancel took off the queue, to be told they stopped. */
struct dropped_part {
    int64_t message_id;
    char *section;
};
struct dropped_parts {
    struct dropped_part *items;
    size_t n, cap;
};

static void part_dropped(void *ctx, const struct job *job)
{
    struct dropped_parts *d = ctx;
    char *section = strdup(job->name);
    if (!section || TM_ARRAY_RESERVE(d->items, d->n, d->cap, 4)) {
        free(section); /* out of memory: that download ends unannounced */
        return;
    }
    d->items[d->n++] = (struct dropped_part){job->message_id, section};
}

bool tm_core_part_cancel(struct tm_core *core)
{
    struct dropped_parts d = {0};
    struct tm_error err;
    bool any = worker_cancel_jobs(&core->worker, JOB_PART, part_dropped, &d);
    tm_error_set(&err, TM_ECANCELED, "%s", _("download stopped"));
    for (size_t i = 0; i < d.n; i++) {
        struct held h = part_held(core->store, d.items[i].message_id, d.items[i].section);
        post_part_done(&core->worker, d.items[i].message_id, d.items[i].section, h.have, h.total,
                       &err);
        free(d.items[i].section);
    }
    free(d.items);
    return any;
}

enum tm_status tm_core_part_payload(struct tm_core *core, int64_t message_id, const char *section,
                                    struct tm_buf *out, struct tm_error *err)
{
    struct tm_core_parts parts = {0};
    enum tm_status st = tm_core_parts_load(core, message_id, &parts, err);
    const struct tm_core_part *part = NULL;
    for (size_t i = 0; !st && i < parts.n; i++)
        if (strcmp(parts.items[i].section, section) == 0)
            part = &parts.items[i];
    if (!st && !part)
        st = tm_error_set(err, TM_ENOENT, _("part %s is not in the cache"), section);
    struct tm_buf content;
    bool decoded = false;
    tm_buf_init(&content, out->limit);
    if (!st)
        st = tm_store_part_content(core->store, message_id, section, &content, &decoded, err);
    if (!st && decoded)
        st = tm_buf_append(out, content.data ? content.data : "", content.len);
    else if (!st)
        st = tm_mime_transfer_decode(part->encoding, content.data ? content.data : "", content.len,
                                     out);
    if (st && !err->message[0])
        tm_error_set(err, st, _("part %s is too large to hold"), section);
    tm_buf_cleanup(&content);
    tm_core_parts_cleanup(&parts);
    return st;
}

/* ---- Worker thread ---- */

/* Queues a TM_EV_BODY of the worker's open mailbox; body (may be NULL) is taken over. */
static void post_body(struct worker *w, int64_t message_id, const struct tm_error *err,
                      struct tm_buf *body)
{
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_BODY;
    ev.account_id = w->account_id;
    ev.mailbox_id = w->mailbox_id;
    ev.message_id = message_id;
    ev.status = err ? err->status : TM_OK;
    if (ev.status)
        snprintf(ev.text, sizeof(ev.text), "%s", err->message);
    if (body && !ev.status)
        ev.body = *body; /* the event owns it now */
    else if (body)
        tm_buf_cleanup(body);
    event_queue_push(w->events, &ev);
}

void worker_run_view(struct worker_ctx *c, const struct job *job)
{
    struct tm_error err;
    struct tm_buf body;
    bool partial;
    struct tm_fetch_view_opts opts = {job->name};
    tm_error_clear(&err);
    tm_buf_init(&body, 0);
    err.status =
        backend_fetch_view(c->w->ops, c->session, job->message_id, &opts, &body, &partial, &err);
    if (!err.status && !partial) /* as run_body: a whole message is searchable from now on */
        worker_index_message(c, job->message_id, body.data ? body.data : "", body.len);
    post_body(c->w, job->message_id, &err, &body);
}

struct part_progress {
    struct worker *w;
    int64_t message_id;
    struct timespec last;
};

static void on_part_progress(void *ctx, const char *section, int64_t done, int64_t total)
{
    struct part_progress *pp = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - pp->last.tv_sec) * 1000 + (now.tv_nsec - pp->last.tv_nsec) / 1000000;
    if (ms < PROGRESS_EVERY_MS) /* the end is reported by worker_run_part */
        return;
    pp->last = now;
    struct tm_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = TM_EV_PART_PROGRESS;
    ev.account_id = pp->w->account_id;
    ev.message_id = pp->message_id;
    ev.done = done;
    ev.total = total;
    snprintf(ev.part, sizeof(ev.part), "%s", section);
    event_queue_push(pp->w->events, &ev);
}

void worker_run_part(struct worker_ctx *c, const struct job *job)
{
    struct worker *w = c->w;
    struct tm_error err;
    struct part_progress pp = {w, job->message_id, {0, 0}};
    tm_error_clear(&err);
    enum tm_status st = TM_OK;
    if (!c->session) {
        err = c->open_err;
        st = err.status ? err.status : TM_ENET;
    } else {
        st = backend_fetch_part(w->ops, c->session, job->message_id, job->name, on_part_progress,
                                &pp, &err);
    }
    if (st && !err.message[0])
        tm_error_set(&err, st, "%s", _("the part could not be downloaded"));
    err.status = st;
    struct held h = part_held(c->store, job->message_id, job->name);
    post_part_done(w, job->message_id, job->name, h.have, h.total, st ? &err : NULL);
}
