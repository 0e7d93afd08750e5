/* rethread.c - recomputes a mailbox's display order from the store and writes it back, so the
 * UI can read any window of rows already in order: JWZ threads (sort = threads), or a flat
 * order by date, sender, recipient, subject or size; sort_reverse turns it around. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "sources.h"
#include "thread.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

static int by_date_then_id(const void *a, const void *b, void *ctx)
{
    const struct tm_thread_msg *msgs = ctx;
    const struct tm_thread_msg *x = &msgs[*(const size_t *)a], *y = &msgs[*(const size_t *)b];
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The store gives rows in its own order; threading and flat sorts start from date order (then
 * id), as they always have. Sorting here is much cheaper than SQLite's sorter over whole rows. */
static int sort_collected(struct core_sources *c)
{
    size_t *order = malloc((c->n ? c->n : 1) * sizeof(*order));
    struct tm_thread_msg *msgs = malloc((c->n ? c->n : 1) * sizeof(*msgs));
    struct core_flat_keys *keys = malloc((c->n ? c->n : 1) * sizeof(*keys));
    if (!order || !msgs || !keys) {
        free(order);
        free(msgs);
        free(keys);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++)
        order[i] = i;
    qsort_r(order, c->n, sizeof(*order), by_date_then_id, c->msgs);
    for (size_t i = 0; i < c->n; i++) {
        msgs[i] = c->msgs[order[i]];
        keys[i] = c->keys[order[i]];
    }
    free(order);
    free(c->msgs);
    free(c->keys);
    c->msgs = msgs;
    c->keys = keys;
    c->cap = c->cap_keys = c->n;
    return 0;
}

/* Writes out[0..n) as the mailbox's display order in one bulk replace (all or nothing). exact:
 * c holds every message of the mailbox as the store does (a watched load), so the store need
 * not read them back. */
static enum tm_status store_order(struct tm_store *st, int64_t mailbox_id,
                                  const struct tm_thread_out *out, size_t n,
                                  const struct core_sources *c, bool exact, struct tm_error *err)
{
    struct tm_display_entry *rows = malloc((n ? n : 1) * sizeof(*rows));
    struct tm_message_date *known = exact ? malloc((c->n ? c->n : 1) * sizeof(*known)) : NULL;
    if (!rows || (exact && !known)) {
        free(rows);
        free(known);
        return tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = (struct tm_display_entry){out[i].id, out[i].depth, out[i].tree};
    for (size_t i = 0; known && i < c->n; i++)
        known[i] = (struct tm_message_date){c->msgs[i].id, c->msgs[i].date};
    enum tm_status s =
        known ? tm_store_display_replace_known(st, mailbox_id, rows, n, known, c->n, err)
              : tm_store_display_replace(st, mailbox_id, rows, n, err);
    free(rows);
    free(known);
    return s;
}

/* Newest threads first: whole threads (a root and the rows below it) change places. */
static enum tm_status reverse_threads(struct tm_thread_out *out, size_t n)
{
    struct tm_thread_out *copy = malloc(n * sizeof(*copy));
    if (!copy && n)
        return TM_ENOMEM;
    size_t end = n, o = 0;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && out[start].depth > 0)
            start--;
        memcpy(copy + o, out + start, (end - start) * sizeof(*copy));
        o += end - start;
        end = start;
    }
    memcpy(out, copy, n * sizeof(*copy));
    free(copy);
    return TM_OK;
}

/* A subject without its Re:/Fwd: prefixes, for sorting. */
static const char *base_subject(const char *s)
{
    while (s) {
        while (*s == ' ')
            s++;
        size_t n = strncasecmp(s, "re:", 3) == 0 ? 3 : strncasecmp(s, "fwd:", 4) == 0 ? 4 : 0;
        if (!n)
            break;
        s += n;
    }
    return s ? s : "";
}

struct flat_row {
    const struct tm_thread_msg *m;
    const struct core_flat_keys *k;
};

static int compare_flat(const void *pa, const void *pb, void *field)
{
    const struct flat_row *a = pa, *b = pb;
    int c = 0;
    switch (*(const int *)field) {
    case TM_SORT_FROM:
        c = strcasecmp(a->k->from ? a->k->from : "", b->k->from ? b->k->from : "");
        break;
    case TM_SORT_TO:
        c = strcasecmp(a->k->to ? a->k->to : "", b->k->to ? b->k->to : "");
        break;
    case TM_SORT_SUBJECT:
        c = strcasecmp(base_subject(a->m->subject), base_subject(b->m->subject));
        break;
    case TM_SORT_SIZE:
        c = (a->k->size > b->k->size) - (a->k->size < b->k->size);
        break;
    case TM_SORT_MAILBOX_ORDER:
        c = (a->m->id > b->m->id) - (a->m->id < b->m->id);
        break;
    default:
        break;
    }
    if (c == 0)
        c = (a->m->date > b->m->date) - (a->m->date < b->m->date);
    return c ? c : (a->m->id > b->m->id) - (a->m->id < b->m->id);
}

/* A flat order: depth 0, no tree. */
static enum tm_status flat_order(const struct core_sources *c, int sort, bool reverse,
                                 struct tm_thread_out **out, struct tm_error *err)
{
    struct flat_row *rows = malloc((c->n ? c->n : 1) * sizeof(*rows));
    *out = calloc(c->n ? c->n : 1, sizeof(**out));
    if (!rows || !*out) {
        free(rows);
        free(*out);
        *out = NULL;
        return tm_error_set(err, TM_ENOMEM, _("out of memory while sorting"));
    }
    for (size_t i = 0; i < c->n; i++)
        rows[i] = (struct flat_row){&c->msgs[i], &c->keys[i]};
    qsort_r(rows, c->n, sizeof(*rows), compare_flat, &sort);
    for (size_t i = 0; i < c->n; i++)
        (*out)[reverse ? c->n - 1 - i : i].id = rows[i].m->id;
    free(rows);
    return TM_OK;
}

/* Threads c: finishes the threader that followed a load (c->msgs in id order, threaded by date
 * as below), or sorts c by date and threads it from scratch. Out of memory in the finish falls
 * back to the latter, which needs less at once. */
static enum tm_status thread_collected(struct core_sources *c, struct tm_thread_out **out,
                                       struct tm_error *err)
{
    if (c->threader) {
        enum tm_status s = tm_thread_incr_finish(&c->threader, c->msgs, c->n, true, out, err);
        if (s != TM_ENOMEM)
            return s;
        tm_log(TM_LOG_DEBUG, "threading as loaded failed (%s); threading again", tm_status_name(s));
    }
    if (sort_collected(c))
        return tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    return tm_thread_compute(c->msgs, c->n, out, err);
}

void core_sort_name(int sort, bool reverse, char *out, size_t size)
{
    static const char *const names[] = {
        [TM_SORT_DATE] = "date",       [TM_SORT_DATE_RECEIVED] = "date",
        [TM_SORT_FROM] = "from",       [TM_SORT_MAILBOX_ORDER] = "mailbox-order",
        [TM_SORT_SCORE] = "date",      [TM_SORT_SIZE] = "size",
        [TM_SORT_SUBJECT] = "subject", [TM_SORT_THREADS] = "threads",
        [TM_SORT_TO] = "to",
    };
    const char *name = sort >= 0 && sort <= TM_SORT_TO ? names[sort] : "threads";
    snprintf(out, size, "%s%s", name, reverse ? "-reverse" : "");
}

enum tm_status core_rethread(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                             struct core_load *load, struct tm_error *err)
{
    struct tm_thread_out *out = NULL;
    bool threads = sort == TM_SORT_THREADS;
    struct core_sources c = {.threads = threads};
    tm_store_release_memory(st);
    enum tm_status s = TM_OK;
    bool exact = false;
    if (!core_load_take(load, sort, &c, &exact))
        s = tm_store_message_each_thread_source(st, mailbox_id, core_sources_add, &c, err);
    if (!s && c.failed)
        s = tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    if (!s && threads)
        s = thread_collected(&c, &out, err);
    else if (!s && sort_collected(&c))
        s = tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    else if (!s)
        s = flat_order(&c, sort, reverse, &out, err);
    if (!s && threads && reverse && reverse_threads(out, c.n))
        s = tm_error_set(err, TM_ENOMEM, _("out of memory while threading"));
    if (!s)
        s = store_order(st, mailbox_id, out, c.n, &c, exact, err);
    char name[32];
    core_sort_name(sort, reverse, name, sizeof(name));
    if (!s)
        s = tm_store_mailbox_set_sort(st, mailbox_id, name, err);
    if (out && threads)
        tm_thread_out_free(out, c.n);
    else
        free(out);
    core_sources_free(&c);
    return s;
}

enum tm_status core_order_if_needed(struct tm_store *st, int64_t mailbox_id, int sort, bool reverse,
                                    bool rows_changed, struct core_load *load, struct tm_error *err)
{
    char want[32], *have = NULL;
    core_sort_name(sort, reverse, want, sizeof(want));
    enum tm_status s = tm_store_mailbox_get_sort(st, mailbox_id, &have, err);
    bool same = !s && have && strcmp(have, want) == 0;
    free(have);
    if (s || (same && !rows_changed))
        return s;
    return core_rethread(st, mailbox_id, sort, reverse, load, err);
}
