/* index_view.c - the message index: one line per message in thread order, read from the store a
 * screenful at a time, with mutt's movement keys. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "parts_view.h"
#include "private.h"
#include "tm_build_config.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define MAX_PAGE_ROWS 512

int index_page_rows(const struct app *app)
{
    int h = ui_layout(app).body_h;
    return h > MAX_PAGE_ROWS ? MAX_PAGE_ROWS : h;
}

/* The number, mutt's status flags (N r D, then * tagged before ! flagged) and the date. */
static void format_line_head(const struct tm_message_row *r, int64_t number, bool tagged, char *out,
                             size_t size)
{
    char date[32] = "";
    time_t t = (time_t)r->date;
    struct tm tmv;
    if (t > 0 && localtime_r(&t, &tmv))
        strftime(date, sizeof(date), "%b %d", &tmv);
    char state = (r->flags & TM_FLAG_DELETED)    ? 'D'
                 : !(r->flags & TM_FLAG_SEEN)    ? 'N'
                 : (r->flags & TM_FLAG_ANSWERED) ? 'r'
                                                 : ' ';
    char flag = tagged ? '*' : (r->flags & TM_FLAG_FLAGGED) ? '!' : ' ';
    snprintf(out, size, "%5lld %c%c %-6s", (long long)number, state, flag, date);
}

static void draw_row(const struct app *app, int y, const struct tm_message_row *r, int64_t number,
                     bool current)
{
    char head[64], bytes[32], sizecol[48];
    int attr = current ? colors_attr(app, TM_COLOR_INDICATOR, A_REVERSE)
                       : colors_index_attr(app, r,
                                           colors_attr(app, TM_COLOR_NORMAL, A_NORMAL) |
                                               (!(r->flags & TM_FLAG_SEEN) ? (int)A_BOLD : 0));
    int tree_attr = current ? attr : colors_attr(app, TM_COLOR_TREE, attr);
    format_line_head(r, number, tag_set_has(&app->tags, r->id), head, sizeof(head));
    ui_format_size(r->size, bytes, sizeof(bytes));
    snprintf(sizecol, sizeof(sizecol), " (%5s) ", bytes);
    const char *from = r->from_name && *r->from_name ? r->from_name
                       : r->from_addr                ? r->from_addr
                                                     : "";
    int x = 0, from_w = COLS >= 100 ? 22 : 18;
    draw_text(y, x, 16, head, attr);
    x += 16;
    draw_text(y, x, 1, " ", attr);
    draw_untrusted(y, x + 1, from_w, from, attr);
    x += 1 + from_w;
    draw_text(y, x, 9, sizecol, attr);
    x += 9;
    int tree_w = r->thread_tree ? (int)tm_str_width(r->thread_tree) : 0;
    if (tree_w > COLS - x)
        tree_w = COLS - x;
    if (tree_w > 0) {
        draw_text(y, x, tree_w, r->thread_tree, tree_attr);
        x += tree_w;
    }
    draw_untrusted(y, x, COLS - x, r->subject ? r->subject : "", attr);
}

/* Re-reads the row count and puts the cursor back on the same message when it still exists. */
void index_reload(struct app *app)
{
    struct tm_error err;
    int64_t count = 0, pos;
    tm_error_clear(&err);
    if (tm_core_count(app->core, &count, &err))
        app_set_message(app, "%s", err.message);
    app->count = count;
    if (tm_core_count_unread(app->core, &app->unread, &err))
        app->unread = 0;
    if (tm_core_count_deleted(app->core, &app->deleted, &err))
        app->deleted = 0;
    if (app->cursor_id && tm_core_position(app->core, app->cursor_id, &pos, &err) == TM_OK)
        app->cursor = pos;
    else if (!app->cursor_id && !app->user_moved && !app->cursor_placed)
        app->cursor = count - 1; /* like mutt: start at the newest message */
    if (app->cursor >= count)
        app->cursor = count - 1;
    if (app->cursor < 0)
        app->cursor = 0;
    app->dirty = true;
}

/* Pages like mutt: the window moves a page at a time when the cursor leaves it, and the last
 * page is kept full so a resize or End never shows a nearly empty screen. */
void index_place_cursor(struct app *app)
{
    struct tm_error err;
    int64_t id = 0;
    tm_error_clear(&err);
    app->cursor_placed = true;
    if (app->user_moved)
        return;
    int64_t pos;
    if (tm_core_first_unread(app->core, &id, &err) == TM_OK &&
        tm_core_position(app->core, id, &pos, &err) == TM_OK) {
        app->cursor_id = id;
        app->cursor = pos;
    } else {
        app->cursor_id = 0;
        app->cursor = app->count > 0 ? app->count - 1 : 0;
    }
    app->dirty = true;
}

void index_reload_count(struct app *app)
{
    int64_t count = 0;
    if (tm_core_count(app->core, &count, NULL) != TM_OK)
        return;
    app->count = count;
    if (!app->user_moved && !app->cursor_placed) { /* follow the scan at the end, like mutt */
        app->cursor = count > 0 ? count - 1 : 0;
        app->cursor_id = 0;
    } else if (app->cursor >= count) {
        app->cursor = count > 0 ? count - 1 : 0;
    }
    app->dirty = true;
}

static void keep_cursor_visible(struct app *app)
{
    int64_t h = index_page_rows(app);
    if (app->cursor < app->top || app->cursor >= app->top + h)
        app->top = (app->cursor / h) * h;
    if (app->top + h > app->count)
        app->top = app->count > h ? app->count - h : 0;
}

void index_draw(struct app *app)
{
    struct tm_message_row rows[MAX_PAGE_ROWS];
    struct tm_error err;
    int h = index_page_rows(app), n = 0, y0 = ui_layout(app).body_y;
    char what[200];
    keep_cursor_visible(app);
    index_tag_refresh(app);
    memset(rows, 0, sizeof(rows));
    tm_error_clear(&err);
    if (app->count > 0 && tm_core_window(app->core, app->top, h, rows, &n, &err))
        app_set_message(app, "%s", err.message);
    draw_help_bar(app, _("q:Quit  j/k:Move  Enter:Display  |:Pipe  F:Flag  N:New  ?:Help"));
    for (int i = 0; i < h; i++) {
        if (i < n) {
            bool current = app->top + i == app->cursor;
            if (current)
                app->cursor_id = rows[i].id;
            draw_row(app, y0 + i, &rows[i], app->top + i + 1, current);
        } else {
            move(y0 + i, 0);
            clrtoeol();
        }
    }
    for (int i = 0; i < n; i++)
        tm_message_row_cleanup(&rows[i]);
    int used = snprintf(what, sizeof(what), _("Msgs:%lld"), (long long)app->count);
    if (app->unread && used > 0 && (size_t)used < sizeof(what))
        used += snprintf(what + used, sizeof(what) - (size_t)used, _(" New:%lld"),
                         (long long)app->unread);
    if (app->deleted && used > 0 && (size_t)used < sizeof(what))
        used += snprintf(what + used, sizeof(what) - (size_t)used, _(" Del:%lld"),
                         (long long)app->deleted);
    if (app->tags.n && used > 0 && (size_t)used < sizeof(what))
        used += snprintf(what + used, sizeof(what) - (size_t)used, _(" Tag:%lld"),
                         (long long)app->tags.n);
    if (app->unsent > 0 && used > 0 && (size_t)used < sizeof(what))
        used += snprintf(what + used, sizeof(what) - (size_t)used, _(" %lld unsent"),
                         (long long)app->unsent);
    const char *limit = tm_core_limit_text(app->core);
    if (limit && used > 0 && (size_t)used < sizeof(what)) { /* typed by the person: shown as is */
        struct tm_buf shown;
        tm_buf_init(&shown, 200);
        tm_str_visible(&shown, limit, strlen(limit), false);
        snprintf(what + used, sizeof(what) - (size_t)used, _(" Lim:%s"),
                 shown.data ? shown.data : "");
        tm_buf_cleanup(&shown);
    }
    draw_status_bar(app, what);
    draw_message_line(app);
}

/* Reads the row under the cursor into *row (zeroed by the caller); false if there is none. */
static bool current_row(struct app *app, struct tm_message_row *row)
{
    struct tm_error err;
    int n = 0;
    tm_error_clear(&err);
    if (app->count <= 0 || tm_core_window(app->core, app->cursor, 1, row, &n, &err) || n != 1) {
        app_set_message(app, "%s", _("No messages."));
        return false;
    }
    app->cursor_id = row->id;
    return true;
}

bool index_current_id(struct app *app, int64_t *id)
{
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    bool ok = current_row(app, &row);
    *id = row.id;
    tm_message_row_cleanup(&row);
    return ok;
}

bool index_id_at(struct app *app, int64_t pos, int64_t *id)
{
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    struct tm_error err;
    tm_error_clear(&err);
    int n = 0;
    bool ok = tm_core_window(app->core, pos, 1, &row, &n, &err) == TM_OK && n == 1;
    *id = ok ? row.id : 0;
    tm_message_row_cleanup(&row);
    return ok;
}

void index_move_cursor(struct app *app, int64_t to)
{
    if (app->count <= 0) {
        app_set_message(app, "%s", _("No messages."));
        return;
    }
    if (to < 0) {
        if (app->cursor == 0)
            app_set_message(app, "%s", _("You are on the first message."));
        to = 0;
    } else if (to >= app->count) {
        if (app->cursor == app->count - 1)
            app_set_message(app, "%s", _("You are on the last message."));
        to = app->count - 1;
    }
    app->cursor = to;
    app->user_moved = true;
    app->dirty = true;
    /* Learned now, not at the next draw: an event handled before that (a flag change, new
     * mail) re-reads the index and must find the cursor's message, not send it to the end. */
    index_id_at(app, to, &app->cursor_id);
}

static void toggle_flag(struct app *app, unsigned flag)
{
    struct tm_message_row row;
    struct tm_error err;
    memset(&row, 0, sizeof(row));
    if (!current_row(app, &row))
        return;
    bool set = (row.flags & flag) == 0;
    tm_error_clear(&err);
    if (tm_core_set_flags(app->core, row.id, set ? flag : 0, set ? 0 : flag, &err))
        app_set_message(app, "%s", err.message);
    tm_message_row_cleanup(&row);
}

/* d / u: mark or unmark the message deleted, then on to the next one (mutt's resolve). */
static void mark_deleted(struct app *app, bool deleted)
{
    struct tm_message_row row;
    struct tm_error err;
    memset(&row, 0, sizeof(row));
    if (!current_row(app, &row))
        return;
    tm_error_clear(&err);
    bool has = (row.flags & TM_FLAG_DELETED) != 0;
    if (has != deleted && tm_core_set_flags(app->core, row.id, deleted ? TM_FLAG_DELETED : 0,
                                            deleted ? 0 : TM_FLAG_DELETED, &err))
        app_set_message(app, "%s", err.message);
    tm_message_row_cleanup(&row);
    if (app->cursor + 1 < app->count)
        index_move_cursor(app, app->cursor + 1);
}

/* s / C on the message under the cursor. */
static void save_current(struct app *app, bool move)
{
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    if (!current_row(app, &row))
        return;
    int64_t id = row.id;
    tm_message_row_cleanup(&row);
    folder_save_prompt(app, id, move);
}

/* $: deleted messages go (per the delete setting), then the folder is synced. */
static void sync_mailbox(struct app *app)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (folder_leave(app) == LEAVE_ABORT)
        return;
    if (tm_core_sync(app->core, &err))
        app_set_message(app, "%s", err.message);
}

static void start_pipe(struct app *app)
{
    struct tm_message_row row;
    memset(&row, 0, sizeof(row));
    if (!current_row(app, &row))
        return;
    app->pipe_command[0] = 0;
    if (prompt_line(app, _("Pipe to command: "), app->pipe_command, sizeof(app->pipe_command)) &&
        app->pipe_command[0])
        app_request_body(app, row.id, BODY_PIPE);
    tm_message_row_cleanup(&row);
    app->dirty = true;
}

void index_handle(struct app *app, enum ui_fn fn)
{
    int h = index_page_rows(app);
    struct tm_message_row row;
    struct tm_error err;
    memset(&row, 0, sizeof(row));
    tm_error_clear(&err);
    if (ui_fn_thread_flags(fn)) {
        index_thread_flags(app, fn);
        return;
    }
    switch (fn) {
    case FN_NEXT_ENTRY:
        index_move_cursor(app, app->cursor + 1);
        break;
    case FN_PREV_ENTRY:
        index_move_cursor(app, app->cursor - 1);
        break;
    case FN_NEXT_PAGE:
        index_move_cursor(app, app->top + h < app->count ? app->top + h : app->count - 1);
        break;
    case FN_PREV_PAGE:
        index_move_cursor(app, app->top - h >= 0 ? app->top - h : 0);
        break;
    case FN_FIRST_ENTRY:
        index_move_cursor(app, 0);
        break;
    case FN_LAST_ENTRY:
        index_move_cursor(app, app->count - 1);
        break;
    case FN_DISPLAY:
        if (current_row(app, &row))
            pager_open(app, row.id);
        tm_message_row_cleanup(&row);
        break;
    case FN_PIPE:
        start_pipe(app);
        break;
    case FN_FLAG:
        toggle_flag(app, TM_FLAG_FLAGGED);
        break;
    case FN_TOGGLE_NEW:
        toggle_flag(app, TM_FLAG_SEEN);
        break;
    case FN_SET_FLAG:
    case FN_CLEAR_FLAG:
        index_flag_current(app, fn == FN_SET_FLAG);
        break;
    case FN_NEXT_UNREAD:
    case FN_PREV_UNREAD:
        index_next_unread(app, fn == FN_PREV_UNREAD);
        break;
    case FN_JUMP:
        index_jump(app);
        break;
    case FN_NEXT_THREAD:
    case FN_PREV_THREAD:
    case FN_NEXT_SUBTHREAD:
        index_thread_move(app, fn);
        break;
    case FN_PARENT:
        index_parent(app);
        break;
    case FN_TOP_PAGE:
    case FN_MIDDLE_PAGE:
    case FN_BOTTOM_PAGE: {
        int64_t shown = app->count - app->top < h ? app->count - app->top : h;
        if (shown > 0)
            index_move_cursor(app, app->top + (fn == FN_TOP_PAGE      ? 0
                                               : fn == FN_MIDDLE_PAGE ? (shown - 1) / 2
                                                                      : shown - 1));
        break;
    }
    case FN_TOGGLE_WEED: /* as mutt: shows the message, with the other choice of headers */
        app->pager_all_headers = !app->pager_all_headers;
        if (current_row(app, &row))
            pager_open(app, row.id);
        tm_message_row_cleanup(&row);
        break;
    case FN_SHOW_VERSION:
        app_set_message(app, "tmail %s", TM_VERSION);
        break;
    case FN_SHELL:
        pipe_shell(app);
        break;
    case FN_SORT:
    case FN_SORT_REVERSE:
        index_sort_prompt(app, fn == FN_SORT_REVERSE);
        break;

    case FN_VIEW_ATTACH: /* as opening it: a big message's skeleton lists its parts */
        if (current_row(app, &row))
            parts_request_view(app, row.id, BODY_ATTACH);
        tm_message_row_cleanup(&row);
        break;
    case FN_SYNC:
        sync_mailbox(app);
        break;
    case FN_DELETE:
    case FN_UNDELETE:
        mark_deleted(app, fn == FN_DELETE);
        break;
    case FN_SAVE_MESSAGE:
    case FN_COPY_MESSAGE:
        save_current(app, fn == FN_SAVE_MESSAGE);
        break;
    case FN_CHANGE_FOLDER:
        folder_change_prompt(app);
        break;
    case FN_BROWSE:
        browser_open(app, BROWSE_OPEN, 0);
        break;
    case FN_BROWSE_OUTBOX:
        outbox_open(app);
        break;
    case FN_MAIL:
        compose_new(app);
        break;
    case FN_REPLY:
    case FN_GROUP_REPLY:
    case FN_LIST_REPLY:
    case FN_FORWARD:
    case FN_RESEND:
        if (current_row(app, &row))
            compose_from_message(app, fn, row.id);
        tm_message_row_cleanup(&row);
        break;
    case FN_RECALL:
        compose_recall(app, app->count > 0 && current_row(app, &row) ? row.id : 0);
        tm_message_row_cleanup(&row);
        break;
    case FN_QUIT: {
        if (!outbox_confirm_quit(app))
            break;
        enum leave_result r = folder_leave(app);
        app->quit = r != LEAVE_ABORT;
        if (r == LEAVE_EXPUNGED) {
            app->quit_wait = true;
            app_set_message(app, "%s", _("Removing deleted messages..."));
        }
        break;
    }
    case FN_LIMIT:
        index_limit(app);
        break;
    case FN_TAG:
        index_tag_toggle(app);
        break;
    case FN_TAG_THREAD:
    case FN_TAG_SUBTHREAD:
        index_tag_thread(app, fn == FN_TAG_SUBTHREAD);
        break;
    case FN_TAG_PATTERN:
        index_tag_pattern(app, UI_SEARCH_TAG);
        break;
    case FN_UNTAG_PATTERN:
        index_tag_pattern(app, UI_SEARCH_UNTAG);
        break;
    case FN_DELETE_PATTERN:
        index_tag_pattern(app, UI_SEARCH_DELETE);
        break;
    case FN_UNDELETE_PATTERN:
        index_tag_pattern(app, UI_SEARCH_UNDELETE);
        break;
    case FN_TAG_PREFIX:
        index_tag_prefix(app);
        break;
    case FN_SEARCH:
    case FN_SEARCH_REVERSE:
    case FN_SEARCH_NEXT:
    case FN_SEARCH_OPPOSITE:
        index_search(app, fn);
        break;
    case FN_EXIT: /* x: leave without touching deleted messages */
        app->quit = outbox_confirm_quit(app);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
}
