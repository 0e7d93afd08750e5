/* index_sort.c - mutt's sort-mailbox (o) and sort-reverse (O): one key chooses the order, the
 * folder is reordered in the background, and the status line names the new order. The choice
 * is the session's `sort` and `sort_reverse` setting, as `:set sort=...` would make it. */
#include "private.h"
#include "tmail/config.h"
#include "tmail/i18n.h"

void index_sort_prompt(struct app *app, bool reverse)
{
    int key = prompt_key(app, reverse ? _("Rev-Sort (d)ate/(f)rm/(r)ecv/(s)ubj/t(o)/(t)hread/"
                                          "(u)nsort/si(z)e?: ")
                                      : _("Sort (d)ate/(f)rm/(r)ecv/(s)ubj/t(o)/(t)hread/"
                                          "(u)nsort/si(z)e?: "));
    int sort;
    switch (key) {
    case 'd':
        sort = TM_SORT_DATE;
        break;
    case 'f':
        sort = TM_SORT_FROM;
        break;
    case 'r':
        sort = TM_SORT_DATE_RECEIVED;
        break;
    case 's':
        sort = TM_SORT_SUBJECT;
        break;
    case 'o':
        sort = TM_SORT_TO;
        break;
    case 't':
        sort = TM_SORT_THREADS;
        break;
    case 'u':
        sort = TM_SORT_MAILBOX_ORDER;
        break;
    case 'z':
        sort = TM_SORT_SIZE;
        break;
    default: /* Esc, ^G or another key: nothing changes, as in mutt */
        return;
    }
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_set_sort(app->core, sort, reverse, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    if (app->cfg) {
        app->cfg->settings.sort = sort;
        app->cfg->settings.sort_reverse = reverse;
    }
    app->dirty = true;
}
