/* index_thread_ops.c - mutt's thread functions in the index and the pager: delete-thread (^D),
 * delete-subthread (<Esc>d), undelete-thread (^U), undelete-subthread (<Esc>u), read-thread (^R)
 * and read-subthread (<Esc>r) change a flag of every message of the thread under the cursor, in
 * one job, then move past it as mutt does. */
#include <stdlib.h>

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
