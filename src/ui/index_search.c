/* index_search.c - mutt's search and limit in the index: / and <Esc>/ ask for a pattern (~s, ~f,
 * ~N, a bare word for sender or subject, ...), n repeats it and search-opposite turns it around; a
 * search that reaches the end wraps, saying so. The cache answers, so it works offline. Patterns
 * with text atoms (~b ~B ~h =b =B =h) first run a body search on the account worker: the status
 * line shows its progress, keys keep working, Ctrl-G stops it, and the search or limit happens
 * when it ends, with a word about the messages that could not be searched. T and ^T (index_tag.c)
 * tag by such patterns through the same search. */
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
    if (!prompt_pattern(app, reverse ? _("Reverse search for: ") : _("Search for: "), text,
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

/* The next message p matches from the cursor, wrapping around as mutt does: true with *pos (and
 * a word on the message line when it wrapped); false with the message line saying why: only_here
 * when the cursor's message is the only match, nothing (NULL: the core's "Not found.") when
 * there is none. */
static bool find_wrapping(struct app *app, const struct tm_pattern *p, bool reverse,
                          const char *only_here, const char *nothing, int64_t *pos)
{
    if (app->count <= 0) {
        app_set_message(app, "%s", _("No messages."));
        return false;
    }
    int64_t from = reverse ? app->cursor - 1 : app->cursor + 1;
    struct tm_error err;
    tm_error_clear(&err);
    enum tm_status st = tm_core_find(app->core, p, from, reverse, pos, &err);
    if (st == TM_ENOENT) { /* wrap around, as mutt does */
        tm_error_clear(&err);
        st = tm_core_find(app->core, p, reverse ? app->count - 1 : 0, reverse, pos, &err);
        if (!st && *pos == app->cursor) {
            app_set_message(app, "%s", only_here);
            return false;
        }
        if (!st)
            app_set_message(app, "%s",
                            reverse ? _("Search wrapped to bottom.") : _("Search wrapped to top."));
    }
    if (st == TM_ENOENT && nothing) {
        app_set_message(app, "%s", nothing);
        return false;
    }
    if (st) {
        app_set_message(app, "%s", err.message);
        return false;
    }
    return true;
}

/* The next match of app->search from the cursor. */
static void find_next(struct app *app, bool reverse)
{
    int64_t pos;
    if (find_wrapping(app, app->search, reverse, _("No more matches."), NULL, &pos))
        index_move_cursor(app, pos);
}

bool index_next_unread(struct app *app, bool reverse)
{
    struct tm_pattern *unread = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    int64_t pos;
    bool found = tm_pattern_compile("~U", &unread, &err) == TM_OK &&
                 find_wrapping(app, unread, reverse, _("No more unread messages."),
                               _("No unread messages."), &pos);
    tm_pattern_free(&unread);
    if (found)
        index_move_cursor(app, pos);
    return found;
}

/* A body search for what was typed; the find (or limit) follows when it ends. */
static void start_body_search(struct app *app, const char *text, enum tm_search_purpose purpose,
                              int tag)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_search_start(app->core, text, purpose, tag, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        return;
    }
    snprintf(app->progress, sizeof(app->progress), "%s", _("Searching..."));
    app_set_message(app, "%s", _("Searching message text... (Ctrl-G stops)"));
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
    if (tm_core_search_needed(app->core, app->search)) /* ~b and friends: ask the worker */
        start_body_search(app, app->search_text, TM_SEARCH_FIND, reverse ? UI_SEARCH_REVERSE : 0);
    else
        find_next(app, reverse);
}

/* After a limit changed: the cursor stays on its message when it is still shown. */
static void limit_changed(struct app *app)
{
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

void index_limit(struct app *app)
{
    const char *current = tm_core_limit_text(app->core);
    char text[sizeof(app->search_text)];
    snprintf(text, sizeof(text), "%s", current ? current : "");
    if (!prompt_pattern(app, _("Limit to messages matching: "), text, sizeof(text)))
        return;
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_set_limit(app->core, text, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        return;
    }
    if (tm_core_limit_pending(app->core)) { /* a body search first: the limit comes after */
        snprintf(app->progress, sizeof(app->progress), "%s", _("Searching..."));
        app_set_message(app, "%s", _("Searching message text... (Ctrl-G stops)"));
        return;
    }
    if (!tm_core_search_running(app->core)) /* a limit's search it replaced is over */
        app->progress[0] = 0;
    limit_changed(app);
}

/* The message line after a body search: what happened, and how many were not searched. */
static void report(struct app *app, const struct tm_search_done *d)
{
    if (d->unsearched <= 0)
        return;
    char done[640], n[32], why[400];
    snprintf(done, sizeof(done), "%s", app->message);
    ui_format_count(d->unsearched, n, sizeof(n));
    draw_safe_copy(d->text, why, sizeof(why)); /* may hold a server's words */
    app_set_message(app,
                    ngettext("%s%s%s message could not be searched (%s).",
                             "%s%s%s messages could not be searched (%s).",
                             (unsigned long)d->unsearched),
                    done, done[0] ? "  " : "", n, why[0] ? why : _("not cached"));
}

void index_search_event(struct app *app, const struct tm_event *ev);
bool index_search_stop(struct app *app);

void index_search_event(struct app *app, const struct tm_event *ev)
{
    if (ev->type == TM_EV_SEARCH_PROGRESS) {
        if (!tm_core_search_running(app->core) || ev->mailbox_id != tm_core_mailbox_id(app->core))
            return;
        char what[80], done[32], total[32];
        draw_safe_copy(ev->text, what, sizeof(what));
        ui_format_count(ev->done, done, sizeof(done));
        ui_format_count(ev->total, total, sizeof(total));
        snprintf(app->progress, sizeof(app->progress), "%s %s/%s", what, done, total);
        return;
    }
    struct tm_search_done d;
    if (!tm_core_search_done(app->core, ev, &d))
        return; /* an older search's, or another mailbox's */
    if (!tm_core_search_running(app->core))
        app->progress[0] = 0;
    if (d.tag < 0) { /* a limit searched again after a sync (core's tag): quietly */
        if (!d.status)
            limit_changed(app);
        return;
    }
    if (d.status == TM_ECANCELED) {
        app_set_message(app, "%s", _("Search stopped."));
        tm_pattern_free(&d.found);
        return;
    }
    if (d.status) {
        char why[640];
        draw_safe_copy(d.text, why, sizeof(why));
        app_set_message(app, "%s", why);
        tm_pattern_free(&d.found);
        return;
    }
    app->message[0] = 0;
    if (d.purpose == TM_SEARCH_LIMIT) {
        limit_changed(app);
    } else if (d.tag & UI_SEARCH_ACTIONS) { /* T, ^T, D, U */
        index_tag_matching(app, d.found, d.tag & UI_SEARCH_ACTIONS);
        tm_pattern_free(&d.found);
    } else {
        tm_pattern_free(&app->search);
        app->search = d.found;
        find_next(app, (d.tag & UI_SEARCH_REVERSE) != 0);
    }
    report(app, &d);
}

bool index_search_stop(struct app *app)
{
    if (!tm_core_search_cancel(app->core))
        return false;
    app_set_message(app, "%s", _("Stopping the search..."));
    return true;
}
