/* attach_view.c - the attachment list ('v'): every MIME part of a message, each one viewable
 * (text in the pager), savable and pipable. An attachment's name is only a suggestion: it is
 * reduced to a plain file name in the current directory and the user confirms it. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"
#include "tmail/str.h"

#define PART_DECODE_LIMIT ((size_t)256 * 1024 * 1024)

void app_keep_raw(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    tm_buf_cleanup(&app->raw);
    tm_buf_init(&app->raw, 0);
    app->raw_id = 0;
    if (tm_buf_append(&app->raw, raw, len) == TM_OK)
        app->raw_id = message_id;
}

void attach_cleanup(struct app *app)
{
    tm_mime_tree_free(&app->tree);
    free(app->parts);
    app->parts = NULL;
    app->n_parts = 0;
}

static enum tm_status collect_part(const struct tm_mime_part *part, void *ctx)
{
    struct app *app = ctx;
    app->parts[app->n_parts++] = part;
    return TM_OK;
}

void attach_open(struct app *app, enum ui_view return_to)
{
    struct tm_error err;
    tm_error_clear(&err);
    attach_cleanup(app);
    if (!app->raw_id) {
        app_set_message(app, "%s", _("The message is not loaded."));
        return;
    }
    if (tm_mime_parse(app->raw.data ? app->raw.data : "", app->raw.len, &app->tree, &err) ||
        !(app->parts = calloc(app->tree->nparts, sizeof(*app->parts)))) {
        app_set_message(app, "%s", err.status ? err.message : _("out of memory"));
        attach_cleanup(app);
        return;
    }
    tm_mime_tree_walk(app->tree, collect_part, app);
    app->attach_cursor = app->n_parts > 1 ? 1 : 0; /* the first real part, like mutt */
    app->attach_top = 0;
    app->attach_return = return_to;
    app->view = VIEW_ATTACH;
    app->dirty = true;
}

static void format_size(size_t n, char *out, size_t size)
{
    if (n < 1024)
        snprintf(out, size, "%zu", n);
    else if (n < 1024 * 1024)
        snprintf(out, size, "%.1fK", (double)n / 1024.0);
    else
        snprintf(out, size, "%.1fM", (double)n / (1024.0 * 1024.0));
}

static void draw_part(int y, const struct tm_mime_part *p, size_t number, bool current)
{
    char head[64], tail[512], size[32];
    int attr = current ? A_REVERSE : A_NORMAL;
    format_size(p->body_len, size, sizeof(size));
    snprintf(head, sizeof(head), "%4zu %*s", number, (int)(p->depth * 2), "");
    snprintf(tail, sizeof(tail), " [%s/%s, %s%s%s, %s]", p->type, p->subtype,
             p->cte ? p->cte : "7bit", p->charset ? ", " : "", p->charset ? p->charset : "", size);
    const char *name = p->filename     ? p->filename
                       : p->depth == 0 ? _("<the whole message>")
                                       : _("<no description>");
    int hw = (int)tm_str_width(head), tw = (int)tm_str_width(tail);
    draw_text(y, 0, hw, head, attr);
    int name_w = COLS - hw - tw > 10 ? COLS - hw - tw : 10;
    draw_untrusted(y, hw, name_w, name, attr);
    /* type, encoding and charset come from the message too */
    draw_untrusted(y, hw + name_w, COLS - hw - name_w, tail, attr);
}

void attach_draw(struct app *app)
{
    struct ui_layout lay = ui_layout(app);
    int h = lay.body_h;
    if (app->attach_cursor < app->attach_top)
        app->attach_top = app->attach_cursor;
    if (app->attach_cursor >= app->attach_top + (size_t)h)
        app->attach_top = app->attach_cursor - (size_t)h + 1;
    draw_help_bar(app, _("q:Exit  Enter:View  s:Save  |:Pipe  ?:Help"));
    for (int i = 0; i < h; i++) {
        size_t idx = app->attach_top + (size_t)i;
        if (idx < app->n_parts) {
            draw_part(lay.body_y + i, app->parts[idx], idx, idx == app->attach_cursor);
        } else {
            move(lay.body_y + i, 0);
            clrtoeol();
        }
    }
    draw_status_bar(app, _("Attachments"));
    draw_message_line(app);
}

/* Decodes the current part into out; false (message set) when it cannot be. */
static bool decode_current(struct app *app, struct tm_buf *out)
{
    struct tm_error err;
    tm_error_clear(&err);
    tm_buf_init(out, PART_DECODE_LIMIT);
    if (tm_mime_part_decode(app->tree, app->parts[app->attach_cursor], out, &err)) {
        app_set_message(app, "%s", err.message);
        tm_buf_cleanup(out);
        return false;
    }
    return true;
}

static void view_part(struct app *app)
{
    const struct tm_mime_part *p = app->parts[app->attach_cursor];
    struct tm_buf text;
    struct tm_error err;
    tm_error_clear(&err);
    tm_buf_init(&text, PART_DECODE_LIMIT);
    if (tm_mime_part_text(app->tree, p, &text, &err) == TM_OK) {
        pager_show_text(app, text.data ? text.data : "", text.len);
        app->pager_part = true;
        app->view = VIEW_PAGER;
    } else {
        app_set_message(app, _("Cannot show %s/%s here: save it (s) or pipe it (|)."), p->type,
                        p->subtype);
    }
    tm_buf_cleanup(&text);
}

/* A file name for saving: the attachment's name reduced to its last path component with no
 * control characters or leading dots, so the message cannot choose a directory or hide the file. */
static void suggest_name(const struct tm_mime_part *p, char *out, size_t size)
{
    const char *name = p->filename ? p->filename : "";
    for (const char *c = name; *c; c++)
        if (*c == '/' || *c == '\\')
            name = c + 1;
    size_t o = 0;
    for (const char *c = name; *c && o + 1 < size && o < 200; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch < 0x20 || ch == 0x7f || (o == 0 && (ch == '.' || ch == ' ' || ch == '-')))
            continue;
        out[o++] = (char)ch;
    }
    out[o] = 0;
    if (o == 0)
        snprintf(out, size, "attachment-%s.%s", p->path[0] ? p->path : "0",
                 strcmp(p->type, "text") == 0 ? "txt" : "bin");
}

static void write_file(struct app *app, const char *path, const struct tm_buf *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && prompt_yes_no(app, _("File exists, overwrite?")))
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        app_set_message(app, _("Cannot save %s: %s"), path, strerror(errno));
        return;
    }
    size_t off = 0;
    while (off < data->len) {
        ssize_t n = write(fd, data->data + off, data->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (close(fd) != 0 || off < data->len)
        app_set_message(app, _("Cannot save %s: %s"), path, strerror(errno));
    else
        app_set_message(app, _("Saved %zu bytes to %s"), data->len, path);
}

static void save_part(struct app *app)
{
    char path[1024];
    struct tm_buf data;
    suggest_name(app->parts[app->attach_cursor], path, sizeof(path));
    if (!prompt_line(app, _("Save to file: "), path, sizeof(path)) || !path[0])
        return;
    if (decode_current(app, &data)) {
        write_file(app, path, &data);
        tm_buf_cleanup(&data);
    }
}

static void pipe_part(struct app *app)
{
    struct tm_buf data;
    app->pipe_command[0] = 0;
    if (!prompt_line(app, _("Pipe to command: "), app->pipe_command, sizeof(app->pipe_command)) ||
        !app->pipe_command[0] || !decode_current(app, &data))
        return;
    pipe_run(app, app->pipe_command, data.data ? data.data : "", data.len);
    tm_buf_cleanup(&data);
}

void attach_handle(struct app *app, enum ui_fn fn)
{
    size_t last = app->n_parts ? app->n_parts - 1 : 0;
    app->dirty = true;
    if (app->n_parts == 0 && fn != FN_EXIT)
        return;
    switch (fn) {
    case FN_EXIT:
        app->view = app->attach_return;
        attach_cleanup(app);
        break;
    case FN_NEXT_ENTRY:
        app->attach_cursor += app->attach_cursor < last;
        break;
    case FN_PREV_ENTRY:
        app->attach_cursor -= app->attach_cursor > 0;
        break;
    case FN_FIRST_ENTRY:
        app->attach_cursor = 0;
        break;
    case FN_LAST_ENTRY:
        app->attach_cursor = last;
        break;
    case FN_DISPLAY:
        view_part(app);
        break;
    case FN_SAVE:
        save_part(app);
        break;
    case FN_PIPE:
        pipe_part(app);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
}
