/* outbox_view.c - the outbox: messages committed for sending and not yet gone, each with its
 * state, tries, recipients, subject and the server's last reply (and a warning when a try ended
 * after the message went out without an answer, so it may have arrived twice); r tries again
 * now, D gives a message up, s sends a held one to the recipients the server accepted. Also the
 * unsent count of the status line and the question before quitting with unsent mail. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

void outbox_cleanup(struct app *app)
{
    struct outbox_state *o = &app->outbox;
    for (size_t i = 0; i < o->n; i++) {
        free(o->items[i].to);
        free(o->items[i].subject);
        free(o->items[i].last_reply);
    }
    free(o->items);
    o->items = NULL;
    o->n = o->cap = 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A copy with line breaks (one refused recipient a line) shown as "; ". */
static char *one_line(const char *s)
{
    if (!s)
        return NULL;
    char *copy = malloc(2 * strlen(s) + 1), *o = copy;
    if (!copy)
        return NULL;
    for (; *s; s++) {
        if (*s == '\r')
            continue;
        if (*s == '\n') {
            *o++ = ';';
            *o++ = ' ';
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
    return copy;
}

static int on_row(void *ctx, const struct tm_outbox_entry *e)
{
    struct outbox_state *o = ctx;
    if (TM_ARRAY_RESERVE(o->items, o->n, o->cap, 16))
        return 1;
    struct outbox_item *it = &o->items[o->n++];
    *it = (struct outbox_item){
        .id = e->id,
        .state = e->state,
        .attempts = e->attempts,
        .maybe_sent = e->maybe_sent,
        .to = dup_or_null(e->to_display ? e->to_display : e->rcpts),
        .subject = dup_or_null(e->subject),
        .last_reply = one_line(e->last_reply),
    };
    return 0;
}

void outbox_reload(struct app *app)
{
    struct outbox_state *o = &app->outbox;
    struct tm_error err;
    int64_t keep = o->cursor < o->n ? o->items[o->cursor].id : 0;
    tm_error_clear(&err);
    outbox_cleanup(app);
    if (tm_core_outbox_each(app->core, on_row, o, &err))
        app_set_message(app, "%s", err.message);
    for (size_t i = 0; keep && i < o->n; i++)
        if (o->items[i].id == keep)
            o->cursor = i;
    if (o->cursor >= o->n)
        o->cursor = o->n ? o->n - 1 : 0;
    outbox_count(app);
    app->dirty = true;
}

void outbox_open(struct app *app)
{
    if (app->view != VIEW_OUTBOX)
        app->outbox.return_view = app->view;
    app->outbox.cursor = app->outbox.top = 0;
    app->view = VIEW_OUTBOX;
    outbox_reload(app);
}

void outbox_count(struct app *app)
{
    int64_t n = 0;
    if (tm_core_outbox_unsent(app->core, &n, NULL) == TM_OK)
        app->unsent = n;
}

static int count_row(void *ctx, const struct tm_outbox_entry *e)
{
    (void)e;
    ++*(int64_t *)ctx;
    return 0;
}

int64_t outbox_rows(struct app *app)
{
    int64_t n = 0;
    if (tm_core_outbox_each(app->core, count_row, &n, NULL) != TM_OK)
        return 0;
    return n;
}

bool outbox_confirm_quit(struct app *app)
{
    char question[300];
    outbox_count(app);
    if (app->unsent <= 0)
        return true;
    snprintf(question, sizeof(question),
             ngettext("%lld unsent message will be sent when tmail runs again. Quit anyway?",
                      "%lld unsent messages will be sent when tmail runs again. Quit anyway?",
                      (unsigned long)app->unsent),
             (long long)app->unsent);
    return prompt_quad(app, question, TM_QUAD_ASK_NO) == 1;
}

static const char *state_name(int state)
{
    switch (state) {
    case TM_OUTBOX_QUEUED:
        return _("queued");
    case TM_OUTBOX_SENDING:
        return _("sending");
    case TM_OUTBOX_HELD:
        return _("held");
    case TM_OUTBOX_SENT:
        return _("sent");
    default:
        return "?";
    }
}

/* Two lines an entry: state, tries, recipients, subject; then the last reply. */
static void draw_item(struct app *app, int y, size_t i, bool current, int max_y)
{
    const struct outbox_item *it = &app->outbox.items[i];
    char line[2048];
    int attr = current ? colors_attr(app, TM_COLOR_INDICATOR, A_REVERSE)
                       : colors_attr(app, TM_COLOR_NORMAL, A_NORMAL);
    snprintf(line, sizeof(line), _("%4zu %-8s tries:%-2d %s  %s"), i + 1, state_name(it->state),
             it->attempts, it->to ? it->to : "", it->subject ? it->subject : _("(no subject)"));
    draw_untrusted(y, 0, COLS, line, attr);
    if (y + 1 >= max_y)
        return;
    snprintf(line, sizeof(line), "       %s%s%s", it->last_reply ? it->last_reply : "",
             it->last_reply && it->maybe_sent ? "  " : "",
             it->maybe_sent ? _("(may have been sent twice)") : "");
    draw_untrusted(y + 1, 0, COLS, line,
                   current ? attr : colors_attr(app, TM_COLOR_NORMAL, A_NORMAL) | (int)A_DIM);
}

void outbox_draw(struct app *app)
{
    struct outbox_state *o = &app->outbox;
    struct ui_layout lay = ui_layout(app);
    size_t per_page = lay.body_h >= 2 ? (size_t)lay.body_h / 2 : 1;
    char left[200];
    if (o->cursor < o->top)
        o->top = o->cursor;
    if (o->cursor >= o->top + per_page)
        o->top = o->cursor - per_page + 1;
    draw_help_bar(app, _("q:Exit  r:Retry now  D:Remove  s:Send to accepted only  ?:Help"));
    for (int y = lay.body_y; y < lay.body_y + lay.body_h; y++) {
        move(y, 0);
        clrtoeol();
    }
    for (size_t i = 0; i < per_page && o->top + i < o->n; i++)
        draw_item(app, lay.body_y + 2 * (int)i, o->top + i, o->top + i == o->cursor,
                  lay.body_y + lay.body_h);
    if (o->n == 0)
        draw_text(lay.body_y, 0, COLS, _("The outbox is empty."), A_NORMAL);
    snprintf(left, sizeof(left), _("-*-tmail: Outbox [%lld unsent]"), (long long)app->unsent);
    draw_bar(app, lay.status_y, left, "---");
    draw_message_line(app);
}

enum ui_fn outbox_key_fn(int key)
{
    switch (key) {
    case 'r':
        return FN_OUTBOX_RETRY;
    case 'D':
        return FN_OUTBOX_REMOVE;
    case 's':
        return FN_OUTBOX_DROP_REFUSED;
    default:
        return FN_NONE;
    }
}

static const struct outbox_item *current(struct app *app)
{
    if (app->outbox.cursor >= app->outbox.n) {
        app_set_message(app, "%s", _("The outbox is empty."));
        return NULL;
    }
    return &app->outbox.items[app->outbox.cursor];
}

static void act(struct app *app, enum ui_fn fn)
{
    const struct outbox_item *it = current(app);
    struct tm_error err;
    enum tm_status st = TM_OK;
    tm_error_clear(&err);
    if (!it)
        return;
    if (fn == FN_OUTBOX_RETRY) {
        if (!(st = tm_core_outbox_retry(app->core, it->id, &err)))
            app_set_message(app, "%s", _("Sending again..."));
    } else if (fn == FN_OUTBOX_REMOVE) {
        if (it->state == TM_OUTBOX_SENT) {
            app_set_message(app, "%s", _("This message was sent: only its copy is still to do."));
            return;
        }
        if (prompt_quad(app, _("Remove this unsent message?"), TM_QUAD_ASK_NO) != 1)
            return;
        if (!(st = tm_core_outbox_remove(app->core, it->id, &err)))
            app_set_message(app, "%s", _("Message removed from the outbox."));
    } else {
        if (it->state != TM_OUTBOX_HELD) {
            app_set_message(app, "%s", _("Only a held message can go to the accepted recipients."));
            return;
        }
        st = tm_core_outbox_drop_refused(app->core, it->id, &err);
        if (st == TM_ENOENT)
            app_set_message(app, "%s", _("No recipient was refused."));
        else if (!st)
            app_set_message(app, "%s", _("Sending to the accepted recipients..."));
    }
    if (st && st != TM_ENOENT)
        app_set_message(app, "%s", err.message);
    outbox_reload(app);
}

void outbox_handle(struct app *app, enum ui_fn fn)
{
    struct outbox_state *o = &app->outbox;
    size_t last = o->n ? o->n - 1 : 0;
    size_t page = ui_layout(app).body_h >= 2 ? (size_t)ui_layout(app).body_h / 2 : 1;
    app->dirty = true;
    switch (fn) {
    case FN_EXIT:
        app->view = o->return_view;
        outbox_cleanup(app);
        if (app->view == VIEW_BROWSER)
            browser_reload(app);
        break;
    case FN_NEXT_ENTRY:
        o->cursor += o->cursor < last;
        break;
    case FN_PREV_ENTRY:
        o->cursor -= o->cursor > 0;
        break;
    case FN_NEXT_PAGE:
        o->cursor = o->cursor + page < last ? o->cursor + page : last;
        break;
    case FN_PREV_PAGE:
        o->cursor = o->cursor > page ? o->cursor - page : 0;
        break;
    case FN_FIRST_ENTRY:
        o->cursor = 0;
        break;
    case FN_LAST_ENTRY:
        o->cursor = last;
        break;
    case FN_DISPLAY: /* the whole last reply, which the list may cut */
        if (current(app))
            app_set_message(app, "%s",
                            o->items[o->cursor].last_reply ? o->items[o->cursor].last_reply
                                                           : _("No reply from a server yet."));
        break;
    case FN_OUTBOX_RETRY:
    case FN_OUTBOX_REMOVE:
    case FN_OUTBOX_DROP_REFUSED:
        act(app, fn);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
}
