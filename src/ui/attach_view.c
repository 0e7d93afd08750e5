/* attach_view.c - the attachment list ('v'): every MIME part of a message, each one viewable
 * (text in the pager), savable and pipable. An attachment's name is only a suggestion: it is
 * reduced to a plain file name in the current directory and the user confirms it. Of a big IMAP
 * message read in parts (parts_view.h), the parts left out are listed with their size as not
 * downloaded; viewing, saving or piping one downloads it on the account's worker (progress in
 * the status line, Ctrl-G stops it and keeps what came) and then does what was asked, if the
 * list is still open. */
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

/* The download the list waits for, and what it does once it ends (message_id 0: none). */
static struct {
    int64_t message_id;
    char section[256];
    char path[256];      /* of the part in the tree */
    enum ui_fn action;   /* FN_DISPLAY, FN_SAVE, FN_PIPE */
    char arg[1024];      /* the file or the command */
    bool overwrite;      /* FN_SAVE: the file existed and the person said to overwrite it */
    int64_t done, total; /* its progress (total -1: unknown) */
} waiting;

/* The message whose skeleton app->raw holds; 0 when app->raw is whole. */
static int64_t skeleton_id(const struct app *app)
{
    return attach_partial_parts() ? attach_raw_message(app) : 0;
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
    return tm_core_parts_find(attach_partial_parts(), p->path);
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
    parts_reload(app); /* what was downloaded since the skeleton came */
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
        lo ? tm_core_part_payload(app->core, skeleton_id(app), lo->section, out, &err)
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

/* Asks the worker for left-out part p (lo), unless the list waits for it already; action runs
 * with arg when it is here. */
static void start_download(struct app *app, const struct tm_mime_part *p,
                           const struct tm_core_part *lo, enum ui_fn action, const char *arg,
                           bool overwrite)
{
    struct tm_error err;
    char size[32];
    tm_error_clear(&err);
    int64_t id = skeleton_id(app);
    bool asked = waiting.message_id == id && strcmp(waiting.section, lo->section) == 0;
    if (!asked && tm_core_request_part(app->core, id, lo->section, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    if (!asked) {
        waiting.message_id = id;
        snprintf(waiting.section, sizeof(waiting.section), "%s", lo->section);
        waiting.done = lo->have;
        waiting.total = -1;
    }
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

/* Runs what waited for the download of part section of message_id, now here, when the list
 * still shows that message. */
static void finish_download(struct app *app, int64_t message_id, const char *section)
{
    const struct tm_mime_part *p = NULL;
    for (size_t i = 0; i < app->n_parts && !p; i++)
        if (strcmp(app->parts[i]->path, waiting.path) == 0)
            p = app->parts[i];
    if (!p || app->view != VIEW_ATTACH || attach_raw_message(app) != message_id) {
        app_set_message(app, _("Part %s is downloaded."), section);
        return;
    }
    if (waiting.action == FN_SAVE)
        save_to(app, p, waiting.arg, waiting.overwrite);
    else if (waiting.action == FN_PIPE)
        pipe_to(app, p, waiting.arg);
    else
        show_text(app, p);
}

/* The message line for a download stopped with done of total bytes held. */
static void say_stopped(struct app *app, const char *section, int64_t done, int64_t total)
{
    char have[32], all[32];
    ui_format_size(done > 0 ? done : 0, have, sizeof(have));
    ui_format_size(total, all, sizeof(all));
    if (total > 0)
        app_set_message(app, _("Download of part %s stopped at %s of %s: asking again resumes it."),
                        section, have, all);
    else
        app_set_message(app, _("Download of part %s stopped at %s: asking again resumes it."),
                        section, have);
}

void attach_part_event(struct app *app, const struct tm_event *ev)
{
    bool ours = waiting.message_id && waiting.message_id == ev->message_id &&
                strcmp(waiting.section, ev->part) == 0;
    if (ev->type == TM_EV_PART_PROGRESS) {
        if (ours) {
            waiting.done = ev->done;
            waiting.total = ev->total;
        }
        return;
    }
    if (skeleton_id(app) == ev->message_id)
        parts_reload(app); /* the list says what is here now */
    if (ours)
        waiting.message_id = 0;
    if (ev->status == TM_ECANCELED)
        say_stopped(app, ev->part, ev->done, ev->total);
    else if (ev->status)
        app_set_message(app, "%s", ev->text);
    else if (ours)
        finish_download(app, ev->message_id, ev->part);
    else
        app_set_message(app, _("Part %s is downloaded."), ev->part);
}

bool attach_stop_download(struct app *app)
{
    if (!tm_core_part_cancel(app->core))
        return false;
    app_set_message(app, "%s", _("Stopping the download..."));
    return true;
}

/* The status bar's word for the list: the download it waits for, as far as it went. */
static void download_progress(char *what, size_t size)
{
    char done[32], total[32];
    if (!waiting.message_id) {
        snprintf(what, size, "%s", _("Attachments"));
        return;
    }
    ui_format_size(waiting.done > 0 ? waiting.done : 0, done, sizeof(done));
    ui_format_size(waiting.total, total, sizeof(total));
    if (waiting.total > 0)
        snprintf(what, size, _("Attachments: downloading part %s, %s of %s"), waiting.section, done,
                 total);
    else
        snprintf(what, size, _("Attachments: downloading part %s, %s"), waiting.section, done);
}

void attach_draw(struct app *app)
{
    char what[160];
    download_progress(what, sizeof(what));
    struct ui_layout lay = ui_layout(app);
    int h = lay.body_h;
    if (app->attach_cursor < app->attach_top)
        app->attach_top = app->attach_cursor;
    if (app->attach_cursor >= app->attach_top + (size_t)h)
        app->attach_top = app->attach_cursor - (size_t)h + 1;
    draw_help_bar(app, waiting.message_id
                           ? _("q:Exit  Enter:View  s:Save  |:Pipe  ^G:Stop download  ?:Help")
                           : _("q:Exit  Enter:View  s:Save  |:Pipe  ?:Help"));
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
        /* shown again: what was downloaded says so */
        pager_show_again(app, id, app->raw.data ? app->raw.data : "", app->raw.len);
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
