/* limit.c - mutt's limit (l): the index shows only the messages a pattern matches, in display
 * order. The matching ids are computed from the cache when the limit is set and again after each
 * sync (new mail is judged too; a message that stops matching because it was read stays until
 * then, as in mutt). A pattern with text atoms (~b ...) is set once the worker's body search
 * (search.c) has found their matches, and searched again in the background after a sync. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

#define LIMIT_WINDOW 512

void core_limit_clear(struct tm_core *core)
{
    free(core->limit.text);
    tm_pattern_free(&core->limit.pattern);
    free(core->limit.ids);
    memset(&core->limit, 0, sizeof(core->limit));
}

/* The ids of the open mailbox that the pattern matches, in display order (malloc'd). */
static enum tm_status collect(struct tm_core *core, const struct tm_pattern *p, int64_t **ids,
                              size_t *n, struct tm_error *err)
{
    struct tm_message_row rows[LIMIT_WINDOW];
    size_t cap = 0;
    time_t now = time(NULL);
    *ids = NULL;
    *n = 0;
    for (int64_t offset = 0;; offset += LIMIT_WINDOW) {
        int got = 0;
        memset(rows, 0, sizeof(rows));
        enum tm_status st = tm_store_message_window(core->store, core->mailbox_id, offset,
                                                    LIMIT_WINDOW, rows, &got, err);
        for (int i = 0; i < got; i++) {
            if (!st && tm_pattern_match(p, &rows[i], now)) {
                if (TM_ARRAY_RESERVE(*ids, *n, cap, 256))
                    st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
                else
                    (*ids)[(*n)++] = rows[i].id;
            }
            tm_message_row_cleanup(&rows[i]);
        }
        if (st) {
            free(*ids);
            *ids = NULL;
            *n = 0;
            return st;
        }
        if (got < LIMIT_WINDOW)
            return TM_OK;
    }
}

enum tm_status core_limit_apply(struct tm_core *core, const char *text, struct tm_pattern *p,
                                struct tm_error *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    char *copy = strdup(text);
    enum tm_status st =
        copy ? collect(core, p, &ids, &n, err) : tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (st) {
        free(copy);
        tm_pattern_free(&p);
        return st;
    }
    core_limit_clear(core);
    core->limit = (struct core_limit){copy, p, ids, n};
    return TM_OK;
}

enum tm_status tm_core_set_limit(struct tm_core *core, const char *text, struct tm_error *err)
{
    bool all = !text || !text[0] || strcmp(text, "all") == 0 || strcmp(text, "~A") == 0;
    core_search_drop_limit(core); /* a limit being searched is replaced */
    if (all) {
        core_limit_clear(core);
        return TM_OK;
    }
    struct tm_pattern *p = NULL;
    enum tm_status st = tm_pattern_compile(text, &p, err);
    if (!st && tm_core_search_needed(core, p)) { /* set when the worker has searched */
        tm_pattern_free(&p);
        return tm_core_search_start(core, text, TM_SEARCH_LIMIT, 0, err);
    }
    return st ? st : core_limit_apply(core, text, p, err);
}

enum tm_status tm_core_refresh_limit(struct tm_core *core, struct tm_error *err)
{
    core_search_after_sync(core);
    if (!core->limit.pattern)
        return TM_OK;
    int64_t *ids = NULL;
    size_t n = 0;
    enum tm_status st = collect(core, core->limit.pattern, &ids, &n, err);
    if (st)
        return st;
    free(core->limit.ids);
    core->limit.ids = ids;
    core->limit.n = n;
    return TM_OK;
}

const char *tm_core_limit_text(struct tm_core *core)
{
    return core->limit.text;
}

enum tm_status core_limit_window(struct tm_core *core, int64_t offset, int limit,
                                 struct tm_message_row *rows, int *n_out, struct tm_error *err)
{
    int n = 0;
    for (int64_t i = offset < 0 ? 0 : offset; n < limit && i < (int64_t)core->limit.n; i++) {
        memset(&rows[n], 0, sizeof(rows[n]));
        enum tm_status st = tm_store_message_get(core->store, core->limit.ids[i], &rows[n], err);
        if (st == TM_ENOENT) /* gone since the limit was computed: shown at the next refresh */
            continue;
        if (st) {
            for (int k = 0; k < n; k++)
                tm_message_row_cleanup(&rows[k]);
            return st;
        }
        n++;
    }
    *n_out = n;
    return TM_OK;
}

enum tm_status core_limit_position(struct tm_core *core, int64_t message_id, int64_t *pos,
                                   struct tm_error *err)
{
    for (size_t i = 0; i < core->limit.n; i++) {
        if (core->limit.ids[i] == message_id) {
            *pos = (int64_t)i;
            return TM_OK;
        }
    }
    return tm_error_set(err, TM_ENOENT, _("the message is not in the limited view"));
}
