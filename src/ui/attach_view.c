/* attach_view.c - the attachment list ('v'): every MIME part of a message, each one viewable
 * (text in the pager), savable and pipable. An attachment's name is only a suggestion: it is
 * reduced to a plain file name in the current directory and the user confirms it. Of a big IMAP
 * message read in parts (parts_view.h), the parts left out are listed with their size as not
 * downloaded; viewing, saving or piping one downloads it on the account's worker (progress in
 * the status line) and then does what was asked, if the list is still open. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parts_view.h"
#include "private.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"
#include "tmail/str.h"

#define PART_DECODE_LIMIT ((size_t)256 * 1024 * 1024)

/* The skeleton in app->raw, when it is one (one UI per process, as app.c's g_app). */
static struct {
    int64_t message_id; /* 0: app->raw is whole */
    struct tm_core_parts parts;
} partial;

/* What the list does once a download ends (message_id 0: nothing). */
static struct {
    int64_t message_id;
    char section[256];
    char path[256];    /* of the part in the tree */
    enum ui_fn action; /* FN_DISPLAY, FN_SAVE, FN_PIPE */
    char arg[1024];    /* the file or the command */
    bool overwrite;    /* FN_SAVE: the file existed and the person said to overwrite it */
} waiting;

void app_keep_raw(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    partial.message_id = 0;
    tm_core_parts_cleanup(&partial.parts);
    if (raw == app->raw.data && len == app->raw.len) { /* the pager showing it again */
        app->raw_id = message_id;
        return;
    }
    tm_buf_cleanup(&app->raw);
    tm_buf_init(&app->raw, 0);
    app->raw_id = 0;
    if (tm_buf_append(&app->raw, raw, len) == TM_OK)
        app->raw_id = message_id;
}

void attach_set_partial(struct app *app, int64_t message_id, struct tm_core_parts *parts)
{
    tm_core_parts_cleanup(&partial.parts);
    partial.parts = *parts;
    memset(parts, 0, sizeof(*parts));
    partial.message_id = app->raw_id == message_id ? message_id : 0;
    app->raw_id = 0; /* compose must not take a skeleton for the message */
}

int64_t attach_raw_message(const struct app *app)
{
    return app->raw_id ? app->raw_id : partial.message_id;
}

const struct tm_core_parts *attach_partial_parts(void)
{
    return partial.message_id ? &partial.parts : NULL;
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

/* The left-out part p is, or NULL when its content is in app->raw. */
static const struct tm_core_part *left_out(const struct tm_mime_part *p)
{
    return partial.message_id ? tm_core_parts_find(&partial.parts, p->path) : NULL;
}

void attach_open(struct app *app, enum ui_view return_to)
{
    struct tm_error err;
    tm_error_clear(&err);
    attach_cleanup(app);
    if (!attach_raw_message(app)) {
        app_set_message(app, "%s", _("The message is not loaded."));
        return;
    }
    /* what was downloaded since the skeleton came */
    if (partial.message_id &&
        tm_core_parts_load(app->core, partial.message_id, &partial.parts, &err) != TM_OK)
        app_set_message(app, "%s", err.message);
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

/* ", not downloaded" and the like for a left-out part (lo), "" for the others. */
static const char *download_state(const struct tm_core_part *lo)
{
    if (!lo)
        return "";
    if (lo->complete)
        return _(", downloaded");
    if (waiting.message_id && strcmp(waiting.section, lo->section) == 0)
        return _(", downloading");
    return lo->have > 0 ? _(", partly downloaded") : _(", not downloaded");
}

static void draw_part(int y, const struct tm_mime_part *p, size_t number, bool current)
{
    char head[64], tail[512], size[32];
    int attr = current ? A_REVERSE : A_NORMAL;
    const struct tm_core_part *lo = left_out(p);
    format_size(lo ? (size_t)lo->octets : p->body_len, size, sizeof(size));
    snprintf(head, sizeof(head), "%4zu %*s", number, (int)(p->depth * 2), "");
    snprintf(tail, sizeof(tail), " [%s/%s, %s%s%s, %s%s]", p->type, p->subtype,
             p->cte ? p->cte : "7bit", p->charset ? ", " : "", p->charset ? p->charset : "", size,
             download_state(lo));
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

/* ---- Content ---- */

/* The decoded content of p into out (initialised here; cleaned by the caller on success): from
 * the message, or for a left-out part from the cache. false with a message when it cannot be. */
static bool part_payload(struct app *app, const struct tm_mime_part *p, struct tm_buf *out)
{
    struct tm_error err;
    tm_error_clear(&err);
    tm_buf_init(out, PART_DECODE_LIMIT);
    const struct tm_core_part *lo = left_out(p);
    enum tm_status st =
        lo ? tm_core_part_payload(app->core, partial.message_id, lo->section, out, &err)
           : tm_mime_part_decode(app->tree, p, out, &err);
    if (st) {
        app_set_message(app, "%s", err.message);
        tm_buf_cleanup(out);
        return false;
    }
    return true;
}

/* The text of a downloaded left-out part: its Content-Type over the decoded payload, read by
 * the MIME layer as any text part. */
static enum tm_status downloaded_text(struct app *app, const struct tm_mime_part *p,
                                      struct tm_buf *text, struct tm_error *err)
{
    struct tm_buf msg, payload;
    struct tm_mime_tree *tree = NULL;
    if (!part_payload(app, p, &payload))
        return tm_error_set(err, TM_EIO, "%s", app->message);
    char *type = tm_mime_header_get(p->base + p->header_start, p->header_len, "Content-Type");
    tm_buf_init(&msg, PART_DECODE_LIMIT);
    enum tm_status st =
        tm_buf_appendf(&msg, "Content-Type: %s\r\nContent-Transfer-Encoding: binary\r\n\r\n",
                       type ? type : "text/plain");
    if (!st)
        st = tm_buf_append(&msg, payload.data ? payload.data : "", payload.len);
    if (st)
        tm_error_set(err, st, "%s", _("the part is too large to show"));
    if (!st)
        st = tm_mime_parse(msg.data, msg.len, &tree, err);
    if (!st)
        st = tm_mime_part_text(tree, &tree->root, text, err);
    tm_mime_tree_free(&tree);
    free(type);
    tm_buf_cleanup(&msg);
    tm_buf_cleanup(&payload);
    return st;
}

static void show_text(struct app *app, const struct tm_mime_part *p)
{
    struct tm_buf text;
    struct tm_error err;
    tm_error_clear(&err);
    tm_buf_init(&text, PART_DECODE_LIMIT);
    enum tm_status st = left_out(p) ? downloaded_text(app, p, &text, &err)
                                    : tm_mime_part_text(app->tree, p, &text, &err);
    if (st == TM_OK) {
        pager_show_text(app, text.data ? text.data : "", text.len);
        app->pager_part = true;
        app->view = VIEW_PAGER;
    } else if (st == TM_ENOTSUP) {
        app_set_message(app, _("Cannot show %s/%s here: save it (s) or pipe it (|)."), p->type,
                        p->subtype);
    } else {
        app_set_message(app, "%s", err.message);
    }
    tm_buf_cleanup(&text);
}

/* ---- Downloads ---- */

/* Asks the worker for left-out part p (lo); action runs with arg when it is here. */
static void start_download(struct app *app, const struct tm_mime_part *p,
                           const struct tm_core_part *lo, enum ui_fn action, const char *arg,
                           bool overwrite)
{
    struct tm_error err;
    char size[32];
    tm_error_clear(&err);
    if (tm_core_request_part(app->core, partial.message_id, lo->section, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    waiting.message_id = partial.message_id;
    snprintf(waiting.section, sizeof(waiting.section), "%s", lo->section);
    snprintf(waiting.path, sizeof(waiting.path), "%s", p->path);
    snprintf(waiting.arg, sizeof(waiting.arg), "%s", arg ? arg : "");
    waiting.action = action;
    waiting.overwrite = overwrite;
    ui_format_size(lo->octets, size, sizeof(size));
    app_set_message(app, _("Downloading part %s (%s)..."), lo->section, size);
}

/* Whether p can be acted on now; otherwise starts its download for action (true: started). */
static bool needs_download(struct app *app, const struct tm_mime_part *p, enum ui_fn action,
                           const char *arg, bool overwrite)
{
    const struct tm_core_part *lo = left_out(p);
    if (!lo || lo->complete)
        return false;
    start_download(app, p, lo, action, arg, overwrite);
    return true;
}

static void view_part(struct app *app)
{
    const struct tm_mime_part *p = app->parts[app->attach_cursor];
    if (!p->leaf || strcmp(p->type, "text") != 0) {
        app_set_message(app, _("Cannot show %s/%s here: save it (s) or pipe it (|)."), p->type,
                        p->subtype);
        return;
    }
    if (!needs_download(app, p, FN_DISPLAY, NULL, false))
        show_text(app, p);
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

/* Writes data to path: a new file, or (asked, or confirmed already) over an existing one. */
static void write_file(struct app *app, const char *path, const struct tm_buf *data,
                       bool overwrite_confirmed)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST &&
        (overwrite_confirmed || prompt_yes_no(app, _("File exists, overwrite?"))))
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

static void save_to(struct app *app, const struct tm_mime_part *p, const char *path,
                    bool overwrite_confirmed)
{
    struct tm_buf data;
    if (part_payload(app, p, &data)) {
        write_file(app, path, &data, overwrite_confirmed);
        tm_buf_cleanup(&data);
    }
}

static void save_part(struct app *app)
{
    char path[1024];
    const struct tm_mime_part *p = app->parts[app->attach_cursor];
    suggest_name(p, path, sizeof(path));
    if (!prompt_line(app, _("Save to file: "), path, sizeof(path)) || !path[0])
        return;
    const struct tm_core_part *lo = left_out(p);
    if (lo && !lo->complete) { /* asked now: the answer may come long after */
        if (access(path, F_OK) == 0 && !prompt_yes_no(app, _("File exists, overwrite?")))
            return;
        needs_download(app, p, FN_SAVE, path, access(path, F_OK) == 0);
        return;
    }
    save_to(app, p, path, false);
}

static void pipe_to(struct app *app, const struct tm_mime_part *p, const char *command)
{
    struct tm_buf data;
    if (part_payload(app, p, &data)) {
        pipe_run(app, command, data.data ? data.data : "", data.len);
        tm_buf_cleanup(&data);
    }
}

static void pipe_part(struct app *app)
{
    const struct tm_mime_part *p = app->parts[app->attach_cursor];
    app->pipe_command[0] = 0;
    if (!prompt_line(app, _("Pipe to command: "), app->pipe_command, sizeof(app->pipe_command)) ||
        !app->pipe_command[0])
        return;
    if (!needs_download(app, p, FN_PIPE, app->pipe_command, false))
        pipe_to(app, p, app->pipe_command);
}

/* Runs what waited for a download that has ended with the list still showing its message;
 * true when the view changed to the pager (drawn here). */
static bool finish_download(struct app *app, int64_t message_id)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (partial.message_id == message_id &&
        tm_core_parts_load(app->core, message_id, &partial.parts, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        return false;
    }
    const struct tm_mime_part *p = NULL;
    for (size_t i = 0; i < app->n_parts && !p; i++)
        if (strcmp(app->parts[i]->path, waiting.path) == 0)
            p = app->parts[i];
    if (!p || app->view != VIEW_ATTACH || attach_raw_message(app) != message_id) {
        app_set_message(app, _("Part %s is downloaded."), waiting.section);
        return false;
    }
    if (waiting.action == FN_SAVE)
        save_to(app, p, waiting.arg, waiting.overwrite);
    else if (waiting.action == FN_PIPE)
        pipe_to(app, p, waiting.arg);
    else
        show_text(app, p);
    if (app->view != VIEW_PAGER)
        return false;
    pager_draw(app);
    return true;
}

/* Follows the download the list waits for: *what gets its progress for the status bar; at its
 * end the action runs. True when the view changed (and was drawn). */
static bool poll_download(struct app *app, char *what, size_t size)
{
    struct tm_core_part_job job;
    if (!waiting.message_id)
        return false;
    tm_core_part_job(app->core, &job);
    if (job.message_id != waiting.message_id || strcmp(job.section, waiting.section) != 0) {
        waiting.message_id = 0; /* another download was asked for since */
        return false;
    }
    if (job.running) {
        char done[32], total[32];
        ui_format_size(job.done > 0 ? job.done : 0, done, sizeof(done));
        ui_format_size(job.total, total, sizeof(total));
        if (job.total > 0)
            snprintf(what, size, _("Attachments: downloading part %s, %s of %s"), job.section, done,
                     total);
        else
            snprintf(what, size, _("Attachments: downloading part %s, %s"), job.section, done);
        return false;
    }
    int64_t id = waiting.message_id;
    waiting.message_id = 0;
    if (job.status) /* the worker's TM_EV_ERROR has said why */
        return false;
    return finish_download(app, id);
}

void attach_draw(struct app *app)
{
    char what[160];
    snprintf(what, sizeof(what), "%s", _("Attachments"));
    if (poll_download(app, what, sizeof(what)))
        return;
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
    draw_status_bar(app, what);
    draw_message_line(app);
}

void attach_handle(struct app *app, enum ui_fn fn)
{
    size_t last = app->n_parts ? app->n_parts - 1 : 0;
    app->dirty = true;
    if (app->n_parts == 0 && fn != FN_EXIT)
        return;
    switch (fn) {
    case FN_EXIT: {
        int64_t id = attach_raw_message(app);
        app->view = app->attach_return;
        waiting.message_id = 0; /* the download goes on into the cache; nothing runs after */
        attach_cleanup(app);
        if (app->view == VIEW_PAGER && partial.message_id && id == app->pager_id) {
            size_t top = app->pager_top; /* shown again: what was downloaded says so */
            pager_show(app, id, app->raw.data ? app->raw.data : "", app->raw.len);
            app->pager_top = top < app->n_lines ? top : 0;
        }
        break;
    }
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
