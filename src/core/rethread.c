/* rethread.c - recomputes a mailbox's thread order from the store and writes it back, so the
 * UI can read any window of rows already in display order. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "thread.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

struct collect {
    struct tm_thread_msg *msgs;
    size_t n, cap;
    int failed;
};

static const char *keep(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int collect_one(void *ctx, const struct tm_thread_source *src)
{
    struct collect *c = ctx;
    if (TM_ARRAY_RESERVE(c->msgs, c->n, c->cap, 1024)) {
        c->failed = 1;
        return 1;
    }
    struct tm_thread_msg *m = &c->msgs[c->n++];
    m->id = src->id;
    m->date = src->date;
    m->message_id = keep(src->message_id);
    m->in_reply_to = keep(src->in_reply_to);
    m->references = keep(src->references);
    m->subject = keep(src->subject);
    return 0;
}

static void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free((char *)c->msgs[i].message_id);
        free((char *)c->msgs[i].in_reply_to);
        free((char *)c->msgs[i].references);
        free((char *)c->msgs[i].subject);
    }
    free(c->msgs);
}

static enum tm_status store_order(struct tm_store *st, const struct tm_thread_out *out, size_t n,
                                  struct tm_error *err)
{
    enum tm_status s = tm_store_begin(st, err);
    for (size_t i = 0; !s && i < n; i++)
        s = tm_store_message_set_thread(st, out[i].id, (int64_t)i, out[i].depth, out[i].tree, err);
    if (s) {
        tm_store_rollback(st);
        return s;
    }
    return tm_store_commit(st, err);
}

enum tm_status core_rethread(struct tm_store *st, int64_t mailbox_id, struct tm_error *err)
{
    struct collect c = {0};
    struct tm_thread_out *out = NULL;
    enum tm_status s = tm_store_message_each_thread_source(st, mailbox_id, collect_one, &c, err);
    if (!s && c.failed)
        s = tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    if (!s)
        s = tm_thread_compute(c.msgs, c.n, &out, err);
    if (!s)
        s = store_order(st, out, c.n, err);
    if (out)
        tm_thread_out_free(out, c.n);
    collect_free(&c);
    return s;
}
