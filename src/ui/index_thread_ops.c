/* index_thread_ops.c - mutt's thread functions in the index and the pager: delete-thread (^D),
 * delete-subthread (<Esc>d), undelete-thread (^U), undelete-subthread (<Esc>u), read-thread (^R)
 * and read-subthread (<Esc>r) change a flag of every message of the thread under the cursor, in
 * one job, then move past it as mutt does; next-thread (^N), previous-thread (^P) and
 * next-subthread (<Esc>n) move between threads, parent-message (P) up one level. */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

void index_thread_flags(struct app *app, enum ui_fn fn)
{
    bool sub = fn == FN_DELETE_SUBTHREAD || fn == FN_UNDELETE_SUBTHREAD || fn == FN_READ_SUBTHREAD;
    unsigned add = 0, clear = 0;
    if (fn == FN_DELETE_THREAD || fn == FN_DELETE_SUBTHREAD)
        add = TM_FLAG_DELETED;
    else if (fn == FN_UNDELETE_THREAD || fn == FN_UNDELETE_SUBTHREAD)
        clear = TM_FLAG_DELETED;
    else
        add = TM_FLAG_SEEN;
    int64_t id, *ids = NULL;
    size_t n = 0;
    struct tm_error err;
    tm_error_clear(&err);
    if (!index_current_thread(app, sub, &id, &ids, &n))
        return;
    if (tm_core_set_flags_many(app->core, ids, n, add, clear, &err))
        app_set_message(app, "%s", err.message);
    else
        index_move_past(app, ids, n);
    app->dirty = true;
    free(ids);
}

/* The display position of the first of ids[0..n) the index shows; false when it shows none. */
static bool first_shown(struct app *app, const int64_t *ids, size_t n, int64_t *first)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        int64_t pos;
        if (tm_core_position(app->core, ids[i], &pos, NULL) == TM_OK && (!found || pos < *first)) {
            *first = pos;
            found = true;
        }
    }
    return found;
}

/* The root (first shown message) of the thread before the one of ids. */
static void to_previous_thread(struct app *app, const int64_t *ids, size_t n)
{
    int64_t first = 0, *prev = NULL, above;
    size_t n_prev = 0;
    struct tm_error err;
    tm_error_clear(&err);
    if (!first_shown(app, ids, n, &first) || first == 0) {
        app_set_message(app, "%s", _("You are on the first thread."));
        return;
    }
    if (index_id_at(app, first - 1, &above) &&
        tm_core_thread_ids(app->core, above, false, &prev, &n_prev, &err) == TM_OK &&
        first_shown(app, prev, n_prev, &first))
        index_move_cursor(app, first);
    else if (err.status)
        app_set_message(app, "%s", err.message);
    free(prev);
}

void index_thread_move(struct app *app, enum ui_fn fn)
{
    int64_t id, *ids = NULL, before = app->cursor;
    size_t n = 0;
    if (!index_current_thread(app, fn == FN_NEXT_SUBTHREAD, &id, &ids, &n))
        return;
    if (fn == FN_PREV_THREAD) {
        to_previous_thread(app, ids, n);
    } else {
        index_move_past(app, ids, n);
        if (app->cursor == before)
            app_set_message(app, "%s",
                            fn == FN_NEXT_THREAD ? _("You are on the last thread.")
                                                 : _("No more subthreads."));
    }
    free(ids);
}

/* True when want is among ids[0..n). */
static bool has_id(const int64_t *ids, size_t n, int64_t want)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == want)
            return true;
    return false;
}

void index_parent(struct app *app)
{
    int64_t id, *ids = NULL, parent = 0, pos;
    size_t n = 0, k = 0;
    if (!index_current_thread(app, false, &id, &ids, &n))
        return;
    while (k < n && ids[k] != id)
        k++;
    /* ids are in display order: the parent is the nearest message above whose subthread holds
     * this one (a sibling's subthread never does) */
    for (size_t j = k; j-- > 0 && !parent;) {
        int64_t *sub = NULL;
        size_t n_sub = 0;
        if (tm_core_thread_ids(app->core, ids[j], true, &sub, &n_sub, NULL) == TM_OK &&
            has_id(sub, n_sub, id))
            parent = ids[j];
        free(sub);
    }
    free(ids);
    if (!parent)
        app_set_message(app, "%s", _("Parent message is not available."));
    else if (tm_core_position(app->core, parent, &pos, NULL) != TM_OK)
        app_set_message(app, "%s", _("Parent message is not visible in this limited view."));
    else
        index_move_cursor(app, pos);
}
