/* index_search.c - mutt's search and limit in the index: / and <Esc>/ ask for a pattern (~s, ~f,
 * ~N, a bare word for sender or subject, ...), n repeats it and search-opposite turns it around; a
 * search that reaches the end wraps, saying so. The cache answers, so it works offline. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

/* Asks for a new pattern (the last one offered for editing); false when cancelled or bad. */
static bool ask_pattern(struct app *app, bool reverse)
{
    char text[sizeof(app->search_text)];
    snprintf(text, sizeof(text), "%s", app->search_text);
    if (!prompt_line(app, reverse ? _("Reverse search for: ") : _("Search for: "), text,
                     sizeof(text)) ||
        !text[0])
        return false;
    struct tm_pattern *p = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_pattern_compile(text, &p, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        return false;
    }
    tm_pattern_free(&app->search);
    app->search = p;
    app->search_reverse = reverse;
    snprintf(app->search_text, sizeof(app->search_text), "%s", text);
    return true;
}

void index_search(struct app *app, enum ui_fn fn)
{
    if (fn == FN_SEARCH || fn == FN_SEARCH_REVERSE) {
        if (!ask_pattern(app, fn == FN_SEARCH_REVERSE))
            return;
    } else if (!app->search) {
        app_set_message(app, "%s", _("No search pattern."));
        return;
    }
    if (app->count <= 0) {
        app_set_message(app, "%s", _("No messages."));
        return;
    }
    bool reverse = app->search_reverse != (fn == FN_SEARCH_OPPOSITE);
    int64_t from = reverse ? app->cursor - 1 : app->cursor + 1;
    int64_t pos;
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = tm_core_find(app->core, app->search, from, reverse, &pos, &err);
    if (st == TM_ENOENT) { /* wrap around, as mutt does */
        tm_error_clear(&err);
        st =
            tm_core_find(app->core, app->search, reverse ? app->count - 1 : 0, reverse, &pos, &err);
        if (!st && pos == app->cursor) {
            app_set_message(app, "%s", _("No more matches."));
            return;
        }
        if (!st)
            app_set_message(app, "%s",
                            reverse ? _("Search wrapped to bottom.") : _("Search wrapped to top."));
    }
    if (st) {
        app_set_message(app, "%s", err.message);
        return;
    }
    index_move_cursor(app, pos);
}

void index_limit(struct app *app)
{
    const char *current = tm_core_limit_text(app->core);
    char text[sizeof(app->search_text)];
    snprintf(text, sizeof(text), "%s", current ? current : "");
    if (!prompt_line(app, _("Limit to messages matching: "), text, sizeof(text)))
        return;
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_set_limit(app->core, text, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        return;
    }
    int64_t keep = app->cursor_id;
    index_reload(app);
    int64_t pos;
    if (keep && tm_core_position(app->core, keep, &pos, NULL) == TM_OK)
        index_move_cursor(app, pos);
    else if (app->count > 0)
        index_move_cursor(app, 0);
    if (app->count == 0 && tm_core_limit_text(app->core))
        app_set_message(app, "%s", _("No messages matched the limit."));
}
