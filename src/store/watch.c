/* watch.c - a load watched as it is written: the store hands each message inserted into one
 * mailbox to the watcher as its thread source, so that the order computed after a first load of
 * 100,000 messages needs no second read of the rows just written. Any other change to that
 * mailbox's messages made through this connection (a row updated or deleted, a transaction
 * rolled back) tells the watcher that its copy is no longer whole; a date set is passed on. */
#include <string.h>

#include "private.h"

void tm_store_watch(struct tm_store *st, int64_t mailbox_id, const struct tm_store_watch_ops *ops,
                    void *ctx)
{
    st->watch = (struct store_watch){mailbox_id, ops, ctx};
}

void tm_store_unwatch(struct tm_store *st)
{
    memset(&st->watch, 0, sizeof(st->watch));
}

void store_watch_inserted(struct tm_store *st, const struct tm_message_row *row)
{
    const struct store_watch *w = &st->watch;
    if (!w->ops || row->mailbox_id != w->mailbox_id)
        return;
    /* the same fields tm_store_message_each_thread_source reads back */
    struct tm_thread_source src = {
        .id = row->id,
        .message_id = row->message_id,
        .in_reply_to = row->in_reply_to,
        .references = row->references,
        .subject = row->subject,
        .date = row->date,
        .from = row->from_name && *row->from_name ? row->from_name : row->from_addr,
        .to = row->to_addrs,
        .size = row->size,
    };
    if (w->ops->on_new(w->ctx, &src))
        w->ops->on_broken(w->ctx);
}

void store_watch_dated(struct tm_store *st, int64_t id, int64_t date)
{
    if (st->watch.ops)
        st->watch.ops->on_date(st->watch.ctx, id, date);
}

void store_watch_changed(struct tm_store *st, int64_t mailbox_id)
{
    const struct store_watch *w = &st->watch;
    if (w->ops && (mailbox_id == 0 || mailbox_id == w->mailbox_id))
        w->ops->on_broken(w->ctx);
}
