/* find.c - mutt's index search (/, <Esc>/, n): the next message of the open folder, in display
 * order, that a pattern matches, read from the cache (so it works offline). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

#define FIND_WINDOW 256

enum tm_status tm_core_find(struct tm_core *core, const struct tm_pattern *p, int64_t from,
                            bool reverse, int64_t *pos_out, struct tm_error *err)
{
    int64_t count = 0;
    enum tm_status st = tm_core_count(core, &count, err);
    if (st)
        return st;
    struct tm_message_row rows[FIND_WINDOW];
    time_t now = time(NULL);
    int64_t pos = from;
    while (pos >= 0 && pos < count) {
        /* the window that holds pos, read in display order */
        int64_t start = reverse ? (pos - FIND_WINDOW + 1 > 0 ? pos - FIND_WINDOW + 1 : 0) : pos;
        int n = 0;
        memset(rows, 0, sizeof(rows));
        if ((st = tm_core_window(core, start, FIND_WINDOW, rows, &n, err)))
            return st;
        if (n == 0)
            break;
        int64_t found = -1;
        for (int k = 0; k < n; k++) {
            int i = reverse ? n - 1 - k : k;
            int64_t at = start + i;
            if (found < 0 && (reverse ? at <= pos : at >= pos) &&
                tm_pattern_match(p, &rows[i], now))
                found = at;
        }
        for (int i = 0; i < n; i++)
            tm_message_row_cleanup(&rows[i]);
        if (found >= 0) {
            *pos_out = found;
            return TM_OK;
        }
        pos = reverse ? start - 1 : start + n;
    }
    return tm_error_set(err, TM_ENOENT, _("Not found."));
}
