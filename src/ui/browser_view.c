/* browser_view.c - the mailbox browser (mutt's y, or '?' at a mailbox prompt): one line per
 * mailbox of the account, children indented under their parents, with unread/total counts, what
 * the mailbox is for (Sent, Drafts, Trash, Junk), and keys to open, create, rename, delete and
 * subscribe. Names come from the server: every one is drawn through the sanitizer. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

void browser_cleanup(struct app *app)
{
    for (size_t i = 0; i < app->n_mailboxes; i++)
        free(app->mailboxes[i].name);
    free(app->mailboxes);
    app->mailboxes = NULL;
    app->n_mailboxes = app->cap_mailboxes = 0;
}

static bool add_row(struct app *app, const struct browser_row *row)
{
    if (TM_ARRAY_RESERVE(app->mailboxes, app->n_mailboxes, app->cap_mailboxes, 16))
        return false;
    struct browser_row *r = &app->mailboxes[app->n_mailboxes];
    *r = *row;
    if (!(r->name = strdup(row->name)))
        return false;
    app->n_mailboxes++;
    return true;
}

struct collect {
    struct app *app;
    int64_t open_id;
    bool oom;
};

static int on_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct collect *c = ctx;
    bool inbox = strcasecmp(mb->name, "INBOX") == 0;
    if (c->app->subscribed_only && !mb->subscribed && !inbox && mb->id != c->open_id)
        return 0;
    /* the open mailbox's cache is current; for the others STATUS knows better */
    bool server = mb->id != c->open_id && mb->server_total >= 0;
    struct browser_row row = {
        .id = mb->id,
        .name = (char *)mb->name,
        .delimiter = mb->delimiter ? mb->delimiter[0] : 0,
        .noselect = (mb->attrs & TM_MAILBOX_NOSELECT) != 0,
        .subscribed = mb->subscribed,
        .role = (int)tm_core_mailbox_role(c->app->core, mb),
        .total = server ? mb->server_total : mb->total,
        .unread = server && mb->server_unseen >= 0 ? mb->server_unseen : mb->unread,
    };
    if (!add_row(c->app, &row))
        return c->oom = true;
    return 0;
}

static bool have_name(const struct app *app, const char *name, size_t len)
{
    for (size_t i = 0; i < app->n_mailboxes; i++)
        if (strlen(app->mailboxes[i].name) == len && memcmp(app->mailboxes[i].name, name, len) == 0)
            return true;
    return false;
}

/* Every level above a mailbox gets a line, dimmed when the account does not list it. */
static bool add_parents(struct app *app)
{
    size_t n = app->n_mailboxes;
    for (size_t i = 0; i < n; i++) {
        char delim = app->mailboxes[i].delimiter;
        for (size_t p = 1; delim && app->mailboxes[i].name[p]; p++) {
            const char *name = app->mailboxes[i].name;
            if (name[p] != delim || have_name(app, name, p))
                continue;
            char *parent = tm_strndup(name, p);
            struct browser_row row = {
                .name = parent, .delimiter = delim, .noselect = true, .total = -1, .unread = -1};
            bool ok = parent && add_row(app, &row);
            free(parent);
            if (!ok)
                return false;
        }
    }
    return true;
}

/* Hierarchy order: INBOX first, then by name with the delimiter sorting before any other
 * character, so that children follow their parent. */
static int compare_rows(const void *pa, const void *pb)
{
    const struct browser_row *a = pa, *b = pb;
    bool ia = strcasecmp(a->name, "INBOX") == 0, ib = strcasecmp(b->name, "INBOX") == 0;
    if (ia != ib)
        return ia ? -1 : 1;
    const unsigned char *x = (const unsigned char *)a->name, *y = (const unsigned char *)b->name;
    for (; *x && *y; x++, y++) {
        unsigned cx = *x == (unsigned char)a->delimiter ? 1u : *x + 1u;
        unsigned cy = *y == (unsigned char)b->delimiter ? 1u : *y + 1u;
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    return *x ? 1 : *y ? -1 : 0;
}

static void place_levels(struct app *app)
{
    for (size_t i = 0; i < app->n_mailboxes; i++) {
        struct browser_row *r = &app->mailboxes[i];
        r->depth = 0;
        r->leaf = 0;
        for (size_t p = 0; r->delimiter && r->name[p]; p++)
            if (r->name[p] == r->delimiter && r->name[p + 1]) {
                r->depth++;
                r->leaf = p + 1;
            }
    }
}

static void select_name(struct app *app, const char *name)
{
    for (size_t i = 0; name && i < app->n_mailboxes; i++)
        if (strcmp(app->mailboxes[i].name, name) == 0)
            app->browser_cursor = i;
}

/* Mail waiting to be sent gets a line of its own at the top: Enter shows the outbox. */
static void add_outbox(struct app *app)
{
    int64_t rows = app->browse_purpose == BROWSE_OPEN ? outbox_rows(app) : 0;
    if (rows <= 0)
        return;
    struct browser_row row = {
        .name = (char *)_("Outbox"), .outbox = true, .total = rows, .unread = app->unsent};
    if (!add_row(app, &row))
        return;
    struct browser_row added = app->mailboxes[app->n_mailboxes - 1];
    memmove(app->mailboxes + 1, app->mailboxes, (app->n_mailboxes - 1) * sizeof(app->mailboxes[0]));
    app->mailboxes[0] = added;
}

void browser_reload(struct app *app)
{
    struct tm_error err;
    char *current = app->browser_cursor < app->n_mailboxes
                        ? strdup(app->mailboxes[app->browser_cursor].name)
                        : NULL;
    struct collect c = {app, tm_core_mailbox_id(app->core), false};
    tm_error_clear(&err);
    browser_cleanup(app);
    if (tm_core_mailboxes(app->core, on_mailbox, &c, &err))
        app_set_message(app, "%s", err.message);
    if (c.oom || !add_parents(app))
        app_set_message(app, "%s", _("out of memory"));
    if (app->n_mailboxes > 1)
        qsort(app->mailboxes, app->n_mailboxes, sizeof(app->mailboxes[0]), compare_rows);
    place_levels(app);
    add_outbox(app);
    select_name(app, current);
    free(current);
    if (app->browser_cursor >= app->n_mailboxes)
        app->browser_cursor = app->n_mailboxes ? app->n_mailboxes - 1 : 0;
    app->dirty = true;
}

void browser_open(struct app *app, enum browse_purpose purpose, int64_t message_id)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (app->view != VIEW_BROWSER)
        app->browser_return = app->view;
    app->view = VIEW_BROWSER;
    app->browse_purpose = purpose;
    app->browse_message_id = message_id;
    app->browser_cursor = app->browser_top = 0;
    browser_cleanup(app);
    browser_reload(app);
    select_name(app, purpose == BROWSE_OPEN ? tm_core_mailbox_name(app->core) : app->last_mailbox);
    if (tm_core_refresh_mailboxes(app->core, &err)) /* fresh counts follow */
        app_set_message(app, "%s", err.message);
}

static const char *role_tag(int role)
{
    switch (role) {
    case TM_ROLE_SENT:
        return _("[Sent]");
    case TM_ROLE_DRAFTS:
        return _("[Drafts]");
    case TM_ROLE_TRASH:
        return _("[Trash]");
    case TM_ROLE_JUNK:
        return _("[Junk]");
    case TM_ROLE_ARCHIVE:
        return _("[Archive]");
    default:
        return "";
    }
}

static void draw_row(struct app *app, int y, size_t i, bool current)
{
    const struct browser_row *r = &app->mailboxes[i];
    char counts[48] = "", head[96];
    if (r->outbox)
        snprintf(counts, sizeof(counts), _("%lld unsent"), (long long)r->unread);
    else if (!r->noselect && r->total >= 0)
        snprintf(counts, sizeof(counts), "%lld/%lld", (long long)(r->unread > 0 ? r->unread : 0),
                 (long long)r->total);
    bool open = r->id && r->id == tm_core_mailbox_id(app->core);
    snprintf(head, sizeof(head), "%4zu %c%c %13s %-9s ", i + 1, open ? '*' : ' ',
             !r->noselect && !r->outbox && r->unread > 0 ? 'N' : ' ', counts, role_tag(r->role));
    int attr = current       ? colors_attr(app, TM_COLOR_INDICATOR, A_REVERSE)
               : r->noselect ? colors_attr(app, TM_COLOR_NORMAL, A_NORMAL) | (int)A_DIM
                             : colors_attr(app, TM_COLOR_NORMAL, A_NORMAL) |
                                   (r->unread > 0 ? (int)A_BOLD : 0);
    int x = 34, indent = 2 * r->depth;
    draw_text(y, 0, x, head, attr);
    if (indent > COLS - x)
        indent = COLS - x;
    draw_text(y, x, indent, "", attr);
    draw_untrusted(y, x + indent, COLS - x - indent, r->name + r->leaf, attr);
}

void browser_draw(struct app *app)
{
    struct ui_layout lay = ui_layout(app);
    size_t h = (size_t)lay.body_h;
    char what[96];
    if (app->browser_cursor < app->browser_top)
        app->browser_top = app->browser_cursor;
    if (app->browser_cursor >= app->browser_top + h)
        app->browser_top = app->browser_cursor - h + 1;
    draw_help_bar(app, _("q:Exit  Enter:Open  C:Create  r:Rename  D:Delete  s/u:(Un)subscribe  "
                         "T:Subscribed  ?:Help"));
    for (size_t i = 0; i < h; i++) {
        size_t idx = app->browser_top + i;
        if (idx < app->n_mailboxes) {
            draw_row(app, lay.body_y + (int)i, idx, idx == app->browser_cursor);
        } else {
            move(lay.body_y + (int)i, 0);
            clrtoeol();
        }
    }
    snprintf(what, sizeof(what),
             app->subscribed_only ? _("Subscribed mailboxes:%zu") : _("Mailboxes:%zu"),
             app->n_mailboxes);
    draw_status_bar(app, what);
    draw_message_line(app);
}

static const struct browser_row *current_mailbox(struct app *app, bool selectable)
{
    if (app->browser_cursor >= app->n_mailboxes) {
        app_set_message(app, "%s", _("No mailboxes."));
        return NULL;
    }
    const struct browser_row *r = &app->mailboxes[app->browser_cursor];
    if (r->outbox) {
        app_set_message(app, "%s", _("The outbox is not a mailbox: Enter shows it."));
        return NULL;
    }
    if (selectable && r->noselect) {
        char safe[512];
        draw_safe_copy(r->name, safe, sizeof(safe));
        app_set_message(app, _("%s holds only other mailboxes."), safe);
        return NULL;
    }
    return r;
}

/* Enter: open the mailbox, or save or copy the message there. */
static void choose(struct app *app)
{
    if (app->browser_cursor < app->n_mailboxes && app->mailboxes[app->browser_cursor].outbox &&
        app->browse_purpose == BROWSE_OPEN) {
        outbox_open(app);
        return;
    }
    const struct browser_row *r = current_mailbox(app, true);
    if (!r)
        return;
    char *name = strdup(r->name); /* the rows go when the view changes */
    if (!name)
        return;
    if (app->browse_purpose == BROWSE_OPEN) {
        folder_open(app, name);
    } else {
        app->view = app->browser_return;
        folder_transfer(app, app->browse_message_id, name, app->browse_purpose == BROWSE_SAVE);
    }
    free(name);
}

static void create_mailbox(struct app *app)
{
    struct tm_error err;
    char typed[512] = "", name[512];
    tm_error_clear(&err);
    if (!prompt_line(app, _("Create mailbox: "), typed, sizeof(typed)))
        return;
    folder_normalize(typed, name, sizeof(name));
    if (name[0] && tm_core_create_mailbox(app->core, name, &err))
        app_set_message(app, "%s", err.message);
}

static void rename_mailbox(struct app *app)
{
    struct tm_error err;
    char prompt[640], typed[512], name[512], safe[512];
    const struct browser_row *r = current_mailbox(app, true);
    if (!r)
        return;
    tm_error_clear(&err);
    draw_safe_copy(r->name, safe, sizeof(safe));
    snprintf(prompt, sizeof(prompt), _("Rename %s to: "), safe);
    snprintf(typed, sizeof(typed), "%s", strcmp(safe, r->name) == 0 ? safe : "");
    char *from = strdup(r->name);
    if (from && prompt_line(app, prompt, typed, sizeof(typed))) {
        folder_normalize(typed, name, sizeof(name));
        if (name[0] && strcmp(name, from) != 0 &&
            tm_core_rename_mailbox(app->core, from, name, &err))
            app_set_message(app, "%s", err.message);
    }
    free(from);
}

static void delete_mailbox(struct app *app)
{
    struct tm_error err;
    char question[640], safe[512];
    const struct browser_row *r = current_mailbox(app, false);
    if (!r || !r->id)
        return;
    tm_error_clear(&err);
    draw_safe_copy(r->name, safe, sizeof(safe));
    snprintf(question, sizeof(question), _("Really delete mailbox \"%s\"?"), safe);
    char *name = strdup(r->name);
    if (name && prompt_quad(app, question, TM_QUAD_ASK_NO) == 1 &&
        tm_core_delete_mailbox(app->core, name, &err))
        app_set_message(app, "%s", err.message);
    free(name);
}

static void subscribe(struct app *app, bool on)
{
    struct tm_error err;
    const struct browser_row *r = current_mailbox(app, false);
    tm_error_clear(&err);
    if (r && r->id && tm_core_subscribe(app->core, r->name, on, &err))
        app_set_message(app, "%s", err.message);
}

static void move_to(struct app *app, long long to)
{
    long long last = (long long)app->n_mailboxes - 1;
    if (to > last)
        to = last;
    if (to < 0)
        to = 0;
    app->browser_cursor = (size_t)to;
}

void browser_handle(struct app *app, enum ui_fn fn)
{
    long long cur = (long long)app->browser_cursor, page = ui_layout(app).body_h;
    switch (fn) {
    case FN_EXIT:
        app->view = app->browser_return;
        break;
    case FN_NEXT_ENTRY:
        move_to(app, cur + 1);
        break;
    case FN_PREV_ENTRY:
        move_to(app, cur - 1);
        break;
    case FN_NEXT_PAGE:
        move_to(app, cur + page);
        break;
    case FN_PREV_PAGE:
        move_to(app, cur - page);
        break;
    case FN_FIRST_ENTRY:
        move_to(app, 0);
        break;
    case FN_LAST_ENTRY:
        move_to(app, (long long)app->n_mailboxes);
        break;
    case FN_DISPLAY:
        choose(app);
        break;
    case FN_CHANGE_FOLDER:
        folder_change_prompt(app);
        break;
    case FN_CREATE_MAILBOX:
        create_mailbox(app);
        break;
    case FN_RENAME_MAILBOX:
        rename_mailbox(app);
        break;
    case FN_DELETE_MAILBOX:
        delete_mailbox(app);
        break;
    case FN_SUBSCRIBE:
    case FN_UNSUBSCRIBE:
        subscribe(app, fn == FN_SUBSCRIBE);
        break;
    case FN_TOGGLE_SUBSCRIBED:
        app->subscribed_only = !app->subscribed_only;
        browser_reload(app);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
    app->dirty = true;
}
