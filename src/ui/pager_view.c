/* pager_view.c - shows one message: decoded headers, then the rendered text, made
 * terminal-safe and wrapped to the window; scrolls like mutt's pager. A big IMAP message comes
 * as a skeleton (parts_view.h): its text shows at once, its attachments are listed as not
 * downloaded. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "parts_view.h"
#include "private.h"
#include "tmail/array.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"
#include "tmail/str.h"

#define PAGER_TEXT_LIMIT ((size_t)64 * 1024 * 1024)

/* What a line is, for its colour; quoted lines carry their level in the bits above 4. */
enum { ATTR_BODY, ATTR_HEADER, ATTR_QUOTE, ATTR_SIGNATURE, ATTR_ATTACHMENT };
#define ATTR_KIND(a)  ((a)&15)
#define ATTR_LEVEL(a) ((a) >> 4)

static int body_rows(const struct app *app)
{
    return ui_layout(app).body_h;
}

void pager_cleanup(struct app *app)
{
    tm_buf_cleanup(&app->pager_text);
    free(app->lines);
    app->lines = NULL;
    app->n_lines = app->cap_lines = 0;
    app->pager_width = 0;
}

static bool add_line(struct app *app, size_t off, size_t len, int attr, size_t prefix_off,
                     size_t prefix_len)
{
    if (TM_ARRAY_RESERVE(app->lines, app->n_lines, app->cap_lines, 256))
        return false;
    app->lines[app->n_lines++] = (struct pager_line){
        off, len, prefix_off, prefix_len, attr, app->wrap_line_off, off != app->wrap_line_off};
    return true;
}

/* Columns of one UTF-8 character at s (1 for anything odd). */
static int char_cols(const char *s, size_t len, size_t *bytes)
{
    mbstate_t ps;
    wchar_t wc;
    memset(&ps, 0, sizeof(ps));
    size_t n = mbrtowc(&wc, s, len, &ps);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *bytes = 1;
        return 1;
    }
    *bytes = n;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

/* Columns of text[from..to). */
static int span_cols(const char *text, size_t from, size_t to)
{
    int cols = 0;
    for (size_t i = from; i < to;) {
        size_t n;
        cols += char_cols(text + i, to - i, &n);
        i += n;
    }
    return cols;
}

/* Length of a quote prefix (">", "> >", ">> ") at the start of a line, spaces included. */
static size_t quote_prefix(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == '>' || (s[i] == ' ' && i + 1 < len && s[i + 1] == '>')))
        i++;
    if (i > 0 && i < len && s[i] == ' ')
        i++;
    return i;
}

/* Splits one logical line (no LF) into visual lines of at most width columns, breaking after
 * the last space that fits when there is one (mutt's smart_wrap), and repeating a quote
 * prefix on continuation lines so wrapped quotes still read as quotes. */
static bool wrap_line(struct app *app, size_t off, size_t len, int width, int attr)
{
    const char *text = app->pager_text.data;
    size_t start = off, end = off + len, space = 0;
    size_t plen = ATTR_KIND(attr) == ATTR_QUOTE ? quote_prefix(text + off, len) : 0;
    app->wrap_line_off = off;
    bool smart = !app->cfg || app->cfg->settings.smart_wrap;
    int marker = app->cfg && app->cfg->settings.markers ? 1 : 0; /* the + of a continuation */
    int pcols = 0, cols = 0;
    if (len == 0)
        return add_line(app, off, 0, attr, 0, 0);
    if (plen * 2 >= (size_t)width)
        plen = 0; /* a prefix eating half the screen is not worth repeating */
    for (size_t i = off; i < end;) {
        size_t n;
        int w = char_cols(text + i, end - i, &n);
        if (cols + w > width && i > start) {
            size_t brk = smart && space > start ? space : i;
            if (!add_line(app, start, brk - start, attr, start == off ? 0 : off,
                          start == off ? 0 : plen))
                return false;
            start = brk;
            pcols = (int)plen + marker;
            cols = pcols + span_cols(text, start, i);
            space = 0;
        }
        if (text[i] == ' ' && i + 1 > start + plen)
            space = i + 1;
        cols += w;
        i += n;
    }
    return add_line(app, start, end - start, attr, start == off ? 0 : off, start == off ? 0 : plen);
}

/* The kind of a body line (and its quote level), given whether a signature has begun. */
static int body_line_attr(const char *s, size_t len, bool in_sig)
{
    if (in_sig)
        return ATTR_SIGNATURE;
    if (len >= 4 && memcmp(s, "[-- ", 4) == 0)
        return ATTR_ATTACHMENT;
    if (len == 0 || s[0] != '>')
        return ATTR_BODY;
    int level = 0;
    for (size_t i = 0; i < len && (s[i] == '>' || s[i] == ' '); i++)
        level += s[i] == '>';
    return ATTR_QUOTE | ((level - 1) << 4);
}

/* Columns to wrap at: `set wrap` (negative: that many from the right edge), else the window. */
static int pager_width(const struct app *app)
{
    long wrap = app->cfg ? app->cfg->settings.wrap : 0;
    long w = wrap > 0 && wrap < COLS ? wrap : wrap < 0 ? COLS + wrap : COLS;
    return w < 10 ? (COLS < 10 ? COLS : 10) : (int)w;
}

static void rewrap(struct app *app)
{
    const char *text = app->pager_text.data;
    size_t len = app->pager_text.len, pos = 0;
    bool in_header = !app->pager_part, in_sig = false; /* a part on its own has no header */
    app->n_lines = 0;
    app->pager_width = COLS;
    while (text && pos <= len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (line_len == 0)
            in_header = false;
        int attr = in_header ? ATTR_HEADER : body_line_attr(text + pos, line_len, in_sig);
        if (!in_header && line_len == 3 && memcmp(text + pos, "-- ", 3) == 0)
            in_sig = true, attr = ATTR_SIGNATURE;
        bool hidden = app->pager_hide_quotes && ATTR_KIND(attr) == ATTR_QUOTE; /* T */
        if (!hidden && !wrap_line(app, pos, line_len, pager_width(app), attr))
            break;
        if (!nl)
            break;
        pos += line_len + 1;
    }
}

/* The colour of a visual line, from the configuration or tmail's defaults. */
static int line_color(const struct app *app, const struct pager_line *l)
{
    switch (ATTR_KIND(l->attr)) {
    case ATTR_HEADER: {
        const char *start = app->pager_text.data + l->line_off;
        const char *nl = memchr(start, '\n', app->pager_text.len - l->line_off);
        char *line = tm_strndup(start, nl ? (size_t)(nl - start) : strlen(start));
        int attr = colors_header_attr(app, line ? line : "", A_BOLD);
        free(line);
        return attr;
    }
    case ATTR_QUOTE:
        return colors_quote_attr(app, ATTR_LEVEL(l->attr), A_DIM);
    case ATTR_SIGNATURE:
        return colors_attr(app, TM_COLOR_SIGNATURE, A_DIM);
    case ATTR_ATTACHMENT:
        return colors_attr(app, TM_COLOR_ATTACHMENT, A_BOLD);
    default:
        return colors_attr(app, TM_COLOR_NORMAL, A_NORMAL);
    }
}

/* Appends text with TABs expanded to 8-column stops (for lines already terminal-safe). */
static enum tm_status append_expanded(struct tm_buf *out, const char *s, size_t len)
{
    int col = 0;
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < len && !st;) {
        size_t n;
        if (s[i] == '\t') {
            do
                st = tm_buf_append_char(out, ' ');
            while (!st && ++col % 8);
            i++;
        } else if (s[i] == '\n') {
            st = tm_buf_append_char(out, '\n');
            col = 0;
            i++;
        } else {
            col += char_cols(s + i, len - i, &n);
            st = tm_buf_append(out, s + i, n);
            i += n;
        }
    }
    return st;
}

/* Every header field, unfolded and decoded, in the message's order (h). */
static enum tm_status append_all_headers(struct tm_buf *out, const char *raw, size_t len,
                                         const char *fallback)
{
    size_t end = tm_mime_header_end(raw, len), pos = 0;
    struct tm_header_field f;
    enum tm_status st = TM_OK;
    struct tm_buf value;
    tm_buf_init(&value, 0);
    while (!st && tm_mime_header_next(raw, end, &pos, &f)) {
        tm_buf_reset(&value);
        for (size_t i = 0; i < f.value_len && !st; i++)
            if (f.value[i] != '\r' && f.value[i] != '\n')
                st = tm_buf_append_char(&value, f.value[i]);
        char *decoded =
            st ? NULL : tm_mime_decode_header_text(value.data ? value.data : "", fallback);
        if (!st)
            st = tm_buf_appendf(out, "%.*s: %s\n", (int)f.name_len, f.name,
                                decoded ? decoded : (value.data ? value.data : ""));
        free(decoded);
    }
    tm_buf_cleanup(&value);
    if (!st)
        st = tm_buf_append_char(out, '\n');
    return st;
}

/* The decoded header lines the pager shows above the body: the usual few, or all of them. */
static enum tm_status append_headers(struct tm_buf *out, const char *raw, size_t len,
                                     const char *fallback, bool all)
{
    static const char *const fields[] = {"Date", "From", "To", "Cc", "Subject"};
    if (all)
        return append_all_headers(out, raw, len, fallback);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && !st; i++) {
        char *value = tm_mime_header_get(raw, len, fields[i]);
        if (!value)
            continue;
        char *decoded = tm_mime_decode_header_text(value, fallback);
        st = tm_buf_appendf(out, "%s: %s\n", fields[i], decoded ? decoded : value);
        free(decoded);
        free(value);
    }
    if (!st)
        st = tm_buf_append_char(out, '\n');
    return st;
}

/* Makes plain (UTF-8 from the message) terminal-safe, expands TABs and lays it out. */
static void pager_set_text(struct app *app, const char *plain, size_t len)
{
    struct tm_buf safe;
    tm_buf_init(&safe, PAGER_TEXT_LIMIT);
    pager_cleanup(app);
    tm_buf_init(&app->pager_text, PAGER_TEXT_LIMIT);
    /* Everything from the message goes through tm_str_visible before it reaches the screen. */
    enum tm_status st = tm_str_visible(&safe, plain, len, true);
    if (!st && safe.data)
        st = append_expanded(&app->pager_text, safe.data, safe.len);
    if (st)
        app_set_message(app, "%s", _("The message is too large to show in full."));
    tm_buf_cleanup(&safe);
    app->pager_top = 0;
    app->pager_loading = false;
    rewrap(app);
    app->dirty = true;
}

void pager_show(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    struct tm_buf plain;
    struct tm_error err;
    tm_error_clear(&err);
    if (!parts_take_view(app, message_id, raw, len, BODY_VIEW))
        return; /* asked again: the whole message came meanwhile */
    tm_buf_init(&plain, PAGER_TEXT_LIMIT);
    const struct tm_core_parts *left = attach_partial_parts();
    struct tm_mime_omitted *omitted = parts_omitted(left);
    app->pager_part = false;
    const char *fallback = app->cfg ? app->cfg->settings.charset_fallback : NULL;
    enum tm_status st = append_headers(&plain, raw, len, fallback, app->pager_all_headers);
    struct tm_render_opts opts = {
        .alternative_order = app->cfg ? app->cfg->settings.alternative_order : NULL,
        .charset_fallback = fallback,
        .viewer = tm_core_mailcap_viewer,
        .viewer_ctx = &app->viewer,
        .omitted = omitted,
        .n_omitted = omitted ? left->n : 0,
    };
    if (!st && tm_mime_render_text_opts(raw, len, &opts, &plain, &err) != TM_OK)
        app_set_message(app, "%s", err.message);
    pager_set_text(app, plain.data ? plain.data : "", plain.len);
    tm_buf_cleanup(&plain);
    free(omitted);
    app->pager_id = message_id;
}

void pager_show_again(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    if (app->view != VIEW_PAGER || app->pager_part || app->pager_id != message_id ||
        !attach_partial_parts() || attach_raw_message(app) != message_id)
        return;
    size_t top = app->pager_top;
    pager_show(app, message_id, raw, len);
    app->pager_top = top < app->n_lines ? top : 0;
}

void pager_show_text(struct app *app, const char *text, size_t len)
{
    app->pager_part = true;
    pager_set_text(app, text, len);
}

void pager_open(struct app *app, int64_t message_id)
{
    struct tm_message_row row;
    struct tm_error err;
    memset(&row, 0, sizeof(row));
    tm_error_clear(&err);
    pager_cleanup(app);
    app->view = VIEW_PAGER;
    app->pager_id = message_id;
    app->pager_top = 0;
    app->pager_loading = true;
    app->pager_hide_quotes = false; /* T is for the message it was pressed on */
    app->cursor_id = message_id;
    parts_request_view(app, message_id, BODY_VIEW);
    /* Opening a message marks it read, as in every mail client; new/ moves to cur/. */
    if (tm_core_message(app->core, message_id, &row, &err) == TM_OK &&
        !(row.flags & TM_FLAG_SEEN) &&
        tm_core_set_flags(app->core, message_id, TM_FLAG_SEEN, 0, &err))
        app_set_message(app, "%s", err.message);
    tm_message_row_cleanup(&row);
    app->dirty = true;
}

void pager_draw(struct app *app)
{
    int h = body_rows(app);
    char what[64];
    if (app->pager_width != COLS && !app->pager_loading)
        rewrap(app);
    draw_help_bar(app, _("q:Exit  -:PrevPg  <Space>:NextPg  j/k:Next/Prev  |:Pipe  ?:Help"));
    int y0 = ui_layout(app).body_y;
    for (int i = 0; i < h; i++) {
        size_t idx = app->pager_top + (size_t)i;
        if (app->pager_loading && i == 0) {
            draw_text(y0, 0, COLS, _("Loading message..."), A_NORMAL);
        } else if (!app->pager_loading && idx < app->n_lines) {
            const struct pager_line *l = &app->lines[idx];
            size_t mark = l->continued && app->cfg && app->cfg->settings.markers ? 1 : 0;
            char *line = malloc(mark + l->prefix_len + l->len + 1);
            if (line) {
                memcpy(line, "+", mark);
                memcpy(line + mark, app->pager_text.data + l->prefix_off, l->prefix_len);
                memcpy(line + mark + l->prefix_len, app->pager_text.data + l->off, l->len);
                line[mark + l->prefix_len + l->len] = 0;
            }
            draw_text(y0 + i, 0, COLS, line ? line : "", line_color(app, l));
            if (line) { /* the matches of a search, after the marker and the quote prefix */
                line[mark + l->prefix_len] = 0;
                pager_search_highlight(app, y0 + i, (int)tm_str_width(line), idx);
            }
            free(line);
        } else {
            move(y0 + i, 0);
            clrtoeol();
        }
    }
    size_t end = app->pager_top + (size_t)h;
    if (app->n_lines == 0 || end >= app->n_lines)
        snprintf(what, sizeof(what), "%s", _("end"));
    else
        snprintf(what, sizeof(what), "%d%%", (int)(end * 100 / app->n_lines));
    draw_status_bar(app, what);
    draw_message_line(app);
}

/* The largest top line: the last page is kept full. */
static long long max_top(const struct app *app)
{
    long long max = (long long)app->n_lines - body_rows(app);
    return max < 0 ? 0 : max;
}

static void scroll_to(struct app *app, long long top)
{
    long long max = max_top(app);
    if (top > max) {
        if ((long long)app->pager_top == max)
            app_set_message(app, "%s", _("Bottom of message is shown."));
        top = max;
    }
    if (top < 0) {
        if (app->pager_top == 0)
            app_set_message(app, "%s", _("Top of message is shown."));
        top = 0;
    }
    app->pager_top = (size_t)top;
    app->dirty = true;
}

/* Opens the message delta rows away from the current one in index order. */
static void step_message(struct app *app, int delta)
{
    struct tm_error err;
    int64_t pos;
    tm_error_clear(&err);
    if (tm_core_position(app->core, app->pager_id, &pos, &err))
        return;
    if (pos + delta < 0 || pos + delta >= app->count) {
        app_set_message(app, "%s",
                        delta > 0 ? _("You are on the last message.")
                                  : _("You are on the first message."));
        return;
    }
    int64_t id;
    if (index_id_at(app, pos + delta, &id)) {
        app->cursor = pos + delta;
        pager_open(app, id);
    }
}

/* Shows the message under the index cursor, after a function moved it (Tab, a thread's ^D). */
static void open_at_cursor(struct app *app)
{
    int64_t id;
    if (index_id_at(app, app->cursor, &id) && id != app->pager_id)
        pager_open(app, id);
}

/* S: the first line after the next quoted block below the top of the page. */
static void skip_quoted(struct app *app)
{
    size_t i = app->pager_top;
    while (i < app->n_lines && ATTR_KIND(app->lines[i].attr) != ATTR_QUOTE)
        i++;
    if (i == app->n_lines) {
        app_set_message(app, "%s", _("No more quoted text."));
        return;
    }
    while (i < app->n_lines && ATTR_KIND(app->lines[i].attr) == ATTR_QUOTE)
        i++;
    if (i == app->n_lines) {
        app_set_message(app, "%s", _("No more unquoted text after quoted text."));
        return;
    }
    scroll_to(app, (long long)i);
}

/* The pager shows the message being written (compose's preview): q goes back to the compose
 * screen, and only scrolling works. True when fn was handled here. */
static bool preview_handle(struct app *app, enum ui_fn fn)
{
    if (!app->compose.preview)
        return false;
    if (fn == FN_EXIT) {
        app->compose.preview = false;
        app->pager_part = false;
        app->view = VIEW_COMPOSE;
        pager_cleanup(app);
        app->dirty = true;
        return true;
    }
    if (fn == FN_NEXT_LINE || fn == FN_PREV_LINE || fn == FN_NEXT_PAGE || fn == FN_PREV_PAGE ||
        fn == FN_TOP || fn == FN_BOTTOM)
        return false;
    app_set_message(app, "%s", _("This is the message being written: q goes back to it."));
    return true;
}

/* r, g, L, f, e, m and R on the message shown. */
static void start_message(struct app *app, enum ui_fn fn)
{
    if (app->pager_part) {
        app_set_message(app, "%s", _("Press q to go back to the attachments."));
    } else if (fn == FN_MAIL) {
        compose_new(app);
    } else if (fn == FN_RECALL) {
        compose_recall(app, app->pager_id);
    } else if (!app->pager_loading) {
        compose_from_message(app, fn, app->pager_id);
    }
}

void pager_handle(struct app *app, enum ui_fn fn)
{
    long long top = (long long)app->pager_top, page = body_rows(app);
    if (preview_handle(app, fn))
        return;
    if (fn == FN_NEXT_UNREAD || fn == FN_PREV_UNREAD || fn == FN_NEXT_THREAD ||
        fn == FN_PREV_THREAD || fn == FN_NEXT_SUBTHREAD || fn == FN_PARENT ||
        ui_fn_thread_flags(fn)) {
        if (app->pager_part) {
            app_set_message(app, "%s", _("Press q to go back to the attachments."));
            return;
        }
        index_handle(app, fn); /* moves the index cursor: show the message it is on now */
        if (app->view == VIEW_PAGER)
            open_at_cursor(app);
        return;
    }
    switch (fn) {
    case FN_EXIT:
        if (app->pager_part) { /* back to the attachment list, then to the message */
            app->pager_part = false;
            app->view = VIEW_ATTACH;
            if (app->attach_return == VIEW_PAGER)
                pager_show(app, attach_raw_message(app), app->raw.data ? app->raw.data : "",
                           app->raw.len);
        } else {
            app->view = VIEW_INDEX;
            pager_cleanup(app);
        }
        app->dirty = true;
        break;
    case FN_VIEW_ATTACH:
        if (!app->pager_part && !app->pager_loading)
            attach_open(app, VIEW_PAGER);
        break;
    case FN_NEXT_LINE:
        scroll_to(app, top + 1);
        break;
    case FN_PREV_LINE:
        scroll_to(app, top - 1);
        break;
    case FN_NEXT_PAGE:
        scroll_to(app, top + page);
        break;
    case FN_PREV_PAGE:
        scroll_to(app, top - page);
        break;
    case FN_TOP:
        scroll_to(app, 0);
        break;
    case FN_BOTTOM:
        scroll_to(app, (long long)app->n_lines);
        break;
    case FN_NEXT_MESSAGE:
    case FN_PREV_MESSAGE:
        if (app->pager_part)
            app_set_message(app, "%s", _("Press q to go back to the attachments."));
        else
            step_message(app, fn == FN_NEXT_MESSAGE ? 1 : -1);
        break;
    case FN_SEARCH:
    case FN_SEARCH_REVERSE:
    case FN_SEARCH_NEXT:
    case FN_SEARCH_OPPOSITE: {
        size_t line;
        if (!app->pager_loading && pager_search(app, fn, &line)) { /* at the top if it can be */
            /* not scroll_to: at the end it would say "Bottom..." over the search's own word */
            app->pager_top = (long long)line < max_top(app) ? line : (size_t)max_top(app);
            app->dirty = true;
        }
        break;
    }
    case FN_SEARCH_TOGGLE:
        pager_search_toggle(app);
        break;
    case FN_TOGGLE_QUOTED:
        app->pager_hide_quotes = !app->pager_hide_quotes;
        app->pager_top = 0;
        rewrap(app);
        break;
    case FN_SKIP_QUOTED:
        skip_quoted(app);
        break;
    case FN_TOGGLE_WEED:
        if (app->pager_part || app->pager_loading || attach_raw_message(app) != app->pager_id)
            break;
        app->pager_all_headers = !app->pager_all_headers;
        pager_show(app, app->pager_id, app->raw.data ? app->raw.data : "", app->raw.len);
        break;
    case FN_SHOW_VERSION:
    case FN_SHELL:
    case FN_PIPE:
    case FN_FLAG:
    case FN_TOGGLE_NEW:
    case FN_SAVE_MESSAGE:
    case FN_COPY_MESSAGE:
        index_handle(app, fn); /* these act on the message under the index cursor */
        break;
    case FN_DELETE:
    case FN_UNDELETE:
    case FN_TAG:
    case FN_SET_FLAG:
    case FN_CLEAR_FLAG: {
        int64_t before = app->cursor;
        index_handle(app, fn); /* marks it and moves the cursor on: show that one (resolve) */
        if (app->view == VIEW_PAGER && app->cursor != before)
            step_message(app, 1);
        break;
    }
    case FN_MAIL:
    case FN_REPLY:
    case FN_GROUP_REPLY:
    case FN_LIST_REPLY:
    case FN_FORWARD:
    case FN_RESEND:
    case FN_RECALL:
        start_message(app, fn);
        break;
    case FN_CHANGE_FOLDER:
    case FN_BROWSE:
    case FN_BROWSE_OUTBOX:
    case FN_SYNC:
        app->view = VIEW_INDEX; /* the folder changes under the pager: back to the index */
        pager_cleanup(app);
        index_handle(app, fn);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
}
