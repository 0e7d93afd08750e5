/* thread_ids.c - the messages of a thread or a subthread (mutt's tag-thread, tag-subthread), read
 * from the display order the threading stored: a thread is a root (depth 0) and the deeper rows
 * after it, a subthread a message and the deeper rows after it. A limit hides none of them. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/core.h"
#include "tmail/i18n.h"

#define SPAN_WINDOW 64

/* Ids and depths of up to SPAN_WINDOW rows of the full display order from offset. */
struct span_rows {
    int64_t id[SPAN_WINDOW];
    int depth[SPAN_WINDOW];
    int n;
};

static enum tm_status read_rows(struct tm_core *core, int64_t offset, struct span_rows *out,
                                struct tm_error *err)
{
    struct tm_message_row rows[SPAN_WINDOW];
    int n = 0;
    memset(rows, 0, sizeof(rows));
    enum tm_status st =
        tm_store_message_window(core->store, core->mailbox_id, offset, SPAN_WINDOW, rows, &n, err);
    for (int i = 0; i < n; i++) {
        out->id[i] = rows[i].id;
        out->depth[i] = rows[i].thread_depth;
        tm_message_row_cleanup(&rows[i]);
    }
    out->n = st ? 0 : n;
    return st;
}

/* The position of the root of the thread holding the (non-root) row at pos: the nearest row
 * above it with depth 0. */
static enum tm_status find_root(struct tm_core *core, int64_t pos, int64_t *root,
                                struct tm_error *err)
{
    struct span_rows r;
    for (int64_t end = pos; end > 0;) {
        int64_t start = end > SPAN_WINDOW ? end - SPAN_WINDOW : 0;
        enum tm_status st = read_rows(core, start, &r, err);
        if (st)
            return st;
        for (int i = (int)(end - start) - 1; i >= 0; i--) {
            if (i < r.n && r.depth[i] == 0) {
                *root = start + i;
                return TM_OK;
            }
        }
        end = start;
    }
    *root = 0;
    return TM_OK;
}

/* Appends the row at start and the rows after it deeper than base to ids. */
static enum tm_status collect_below(struct tm_core *core, int64_t start, int base, int64_t **ids,
                                    size_t *n, struct tm_error *err)
{
    struct span_rows r;
    size_t cap = 0;
    for (int64_t off = start;; off += r.n) {
        enum tm_status st = read_rows(core, off, &r, err);
        if (st)
            return st;
        for (int i = 0; i < r.n; i++) {
            if (off + i > start && r.depth[i] <= base)
                return TM_OK;
            if (TM_ARRAY_RESERVE(*ids, *n, cap, 16))
                return tm_error_set(err, TM_ENOMEM, _("out of memory"));
            (*ids)[(*n)++] = r.id[i];
        }
        if (r.n < SPAN_WINDOW)
            return TM_OK;
    }
}

enum tm_status tm_core_thread_ids(struct tm_core *core, int64_t message_id, bool subthread,
                                  int64_t **ids_out, size_t *n_out, struct tm_error *err)
{
    struct span_rows r;
    int64_t pos, start;
    int64_t *ids = NULL;
    size_t n = 0;
    *ids_out = NULL;
    *n_out = 0;
    enum tm_status st = tm_store_message_position(core->store, message_id, &pos, err);
    if (!st)
        st = read_rows(core, pos, &r, err);
    if (!st && (r.n == 0 || r.id[0] != message_id))
        st = tm_error_set(err, TM_ENOENT, _("no such message in the open mailbox"));
    if (st)
        return st;
    start = pos;
    if (!subthread && r.depth[0] > 0)
        st = find_root(core, pos, &start, err);
    if (!st)
        st = collect_below(core, start, subthread ? r.depth[0] : 0, &ids, &n, err);
    if (st) {
        free(ids);
        return st;
    }
    *ids_out = ids;
    *n_out = n;
    return TM_OK;
}
