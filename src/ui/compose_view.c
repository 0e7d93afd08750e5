/* compose_view.c - the compose screen, as mutt's: the header fields (From, To, Cc, Bcc, Subject,
 * Reply-To, and where the copy goes), then the attachment list with the text first; its keys
 * come from the compose key map. Everything drawn is sanitized: fields may come from the mail
 * replied to. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/draft.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

enum { HEADER_ROWS = 8 }; /* seven fields and the "-- Attachments" line */

size_t compose_entries(const struct app *app)
{
    const struct tm_draft *d = app->compose.draft;
    return d ? 1 + d->nattachments : 0;
}

/* Where the copy of a sent message goes, as the Fcc line shows it. */
static void copy_target(struct app *app, char *out, size_t size)
{
    char sent[512];
    int copy = app->cfg ? app->cfg->settings.copy : TM_QUAD_YES;
    if (copy == TM_QUAD_NO)
        snprintf(out, size, "%s", _("(no copy: copy is off)"));
    else if (tm_core_role_mailbox(app->core, TM_ROLE_SENT, sent, sizeof(sent), NULL) != TM_OK)
        snprintf(out, size, "%s", _("(no copy: the account has no sent mailbox)"));
    else
        snprintf(out, size, "%s", sent);
}

static void draw_field(struct app *app, int y, const char *label, const char *value)
{
    int attr = colors_attr(app, TM_COLOR_HDRDEFAULT, A_BOLD);
    char head[32];
    snprintf(head, sizeof(head), "%10s: ", label);
    draw_text(y, 0, 12, head, attr);
    draw_untrusted(y, 12, COLS - 12, value ? value : "", colors_attr(app, TM_COLOR_NORMAL, 0));
}

/* The fields from row y on, no further than row end (a small window shows what fits). */
static void draw_headers(struct app *app, int y, int end)
{
    const struct tm_draft *d = app->compose.draft;
    char fcc[600];
    copy_target(app, fcc, sizeof(fcc));
    const struct {
        const char *label, *value;
    } fields[] = {
        {_("From"), d->from}, {_("To"), d->to},           {_("Cc"), d->cc},
        {_("Bcc"), d->bcc},   {_("Subject"), d->subject}, {_("Reply-To"), d->reply_to},
        {_("Fcc"), fcc},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && y < end; i++, y++)
        draw_field(app, y, fields[i].label, fields[i].value);
    if (y < end)
        draw_text(y, 0, COLS, _("-- Attachments"), colors_attr(app, TM_COLOR_STATUS, A_BOLD));
}

/* One line of the attachment list: number, name, [type, size], description. */
static void draw_entry(struct app *app, int y, size_t i, bool current)
{
    const struct tm_draft *d = app->compose.draft;
    char size[32], line[2048];
    int attr = current ? colors_attr(app, TM_COLOR_INDICATOR, A_REVERSE)
                       : colors_attr(app, TM_COLOR_NORMAL, A_NORMAL);
    if (i == 0) {
        snprintf(line, sizeof(line), _("%4zu %-24s [text/plain, %zu bytes]"), i + 1,
                 _("<the message text>"), d->body.len);
        draw_text(y, 0, COLS, line, attr);
        return;
    }
    const struct tm_draft_attachment *a = &d->attachments[i - 1];
    ui_format_size(a->data.len, size, sizeof(size));
    snprintf(line, sizeof(line), "%4zu %-24s [%s, %s]  %s", i + 1,
             a->filename && *a->filename ? a->filename : _("<no name>"),
             a->content_type ? a->content_type : "application/octet-stream", size,
             a->description ? a->description : "");
    draw_untrusted(y, 0, COLS, line, attr);
}

static void draw_status(struct app *app)
{
    const struct tm_draft *d = app->compose.draft;
    size_t total = d->body.len;
    char size[32], left[200];
    for (size_t i = 0; i < d->nattachments; i++)
        total += d->attachments[i].data.len;
    ui_format_size(total, size, sizeof(size));
    snprintf(left, sizeof(left), _("-*-tmail: Compose  [Approx. msg size: %s   Atts: %zu]"), size,
             d->nattachments);
    draw_bar(app, ui_layout(app).status_y, left, "---");
}

void compose_draw(struct app *app)
{
    struct compose_state *c = &app->compose;
    struct ui_layout lay = ui_layout(app);
    draw_help_bar(app, _("y:Send  q:Abort  t:To  c:CC  s:Subj  a:Attach file  d:Descrip  ?:Help"));
    if (!c->draft) {
        erase();
        return;
    }
    draw_headers(app, lay.body_y, lay.body_y + lay.body_h);
    int list_y = lay.body_y + HEADER_ROWS, rows = lay.body_h - HEADER_ROWS;
    size_t n = compose_entries(app);
    if (rows < 1)
        rows = 1;
    if (c->cursor >= n)
        c->cursor = n ? n - 1 : 0;
    if (c->cursor < c->top)
        c->top = c->cursor;
    if (c->cursor >= c->top + (size_t)rows)
        c->top = c->cursor - (size_t)rows + 1;
    for (int i = 0; i < rows && list_y + i < lay.body_y + lay.body_h; i++) {
        size_t idx = c->top + (size_t)i;
        if (idx < n) {
            draw_entry(app, list_y + i, idx, idx == c->cursor);
        } else {
            move(list_y + i, 0);
            clrtoeol();
        }
    }
    draw_status(app);
    draw_message_line(app);
}

static void move_cursor(struct app *app, long long to)
{
    long long last = (long long)compose_entries(app) - 1;
    if (to > last)
        to = last;
    if (to < 0)
        to = 0;
    app->compose.cursor = (size_t)to;
}

void compose_handle(struct app *app, enum ui_fn fn)
{
    long long cur = (long long)app->compose.cursor;
    long long page = ui_layout(app).body_h - HEADER_ROWS;
    app->dirty = true;
    if (!app->compose.draft) {
        compose_leave(app);
        return;
    }
    switch (fn) {
    case FN_NEXT_ENTRY:
        move_cursor(app, cur + 1);
        break;
    case FN_PREV_ENTRY:
        move_cursor(app, cur - 1);
        break;
    case FN_NEXT_PAGE:
        move_cursor(app, cur + (page > 0 ? page : 1));
        break;
    case FN_PREV_PAGE:
        move_cursor(app, cur - (page > 0 ? page : 1));
        break;
    case FN_FIRST_ENTRY:
        move_cursor(app, 0);
        break;
    case FN_LAST_ENTRY:
        move_cursor(app, (long long)compose_entries(app));
        break;
    case FN_EDIT_FROM:
    case FN_EDIT_TO:
    case FN_EDIT_CC:
    case FN_EDIT_BCC:
    case FN_EDIT_SUBJECT:
    case FN_EDIT_REPLY_TO:
        compose_edit_field(app, fn);
        break;
    case FN_EDIT_MESSAGE:
    case FN_EDIT_HEADERS:
        editor_edit_draft(app, app->compose.draft,
                          fn == FN_EDIT_HEADERS || (app->cfg && app->cfg->settings.edit_headers));
        break;
    case FN_ATTACH_FILE:
        compose_attach_prompt(app);
        break;
    case FN_DETACH:
        compose_detach(app);
        break;
    case FN_EDIT_DESCRIPTION:
        compose_edit_description(app);
        break;
    case FN_EDIT_TYPE:
        compose_edit_type(app);
        break;
    case FN_DISPLAY:
        compose_preview(app);
        break;
    case FN_SEND:
        compose_send(app);
        break;
    case FN_POSTPONE:
        compose_postpone(app);
        break;
    case FN_EXIT:
        compose_quit(app);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
}
