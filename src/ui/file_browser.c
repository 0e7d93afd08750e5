/* file_browser.c - choosing files to attach: Tab completion of file names at the attach prompt,
 * and a directory listing (mutt's file browser) where Enter enters a directory or attaches a
 * file. File names are any bytes: each one is drawn through the sanitizer. */
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

void file_expand_home(const char *path, char *out, size_t size)
{
    const char *home = getenv("HOME");
    if (home && *home && path[0] == '~' && (path[1] == '/' || !path[1]))
        snprintf(out, size, "%s%s", home, path + 1);
    else
        snprintf(out, size, "%s", path);
}

/* Names a terminal would interpret are not offered (they would be typed into the prompt). */
static bool printable(const char *name)
{
    char safe[1024];
    draw_safe_copy(name, safe, sizeof(safe));
    return strcmp(safe, name) == 0;
}

static bool is_dir(const char *dir, const char *name)
{
    char path[PATH_MAX + 256];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

void file_complete(void *ctx, char *text, size_t size, char *choices, size_t cs)
{
    (void)ctx;
    char dir[PATH_MAX], common[NAME_MAX + 2] = "";
    char *slash = strrchr(text, '/');
    const char *prefix = slash ? slash + 1 : text;
    size_t plen = strlen(prefix), matches = 0, used = 0;
    bool common_dir = false;
    choices[0] = 0;
    if (slash) {
        char typed[PATH_MAX];
        snprintf(typed, sizeof(typed), "%.*s", (int)(slash - text) + 1, text);
        file_expand_home(typed, dir, sizeof(dir));
    } else {
        snprintf(dir, sizeof(dir), ".");
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strncmp(name, prefix, plen) != 0 ||
            (name[0] == '.' && prefix[0] != '.') || !printable(name))
            continue;
        bool sub = is_dir(dir, name);
        if (matches++ == 0) {
            snprintf(common, sizeof(common), "%s", name);
            common_dir = sub;
        } else {
            size_t k = 0;
            while (common[k] && common[k] == name[k])
                k++;
            while (k > 0 && ((unsigned char)common[k] & 0xC0) == 0x80)
                k--;
            common[k] = 0;
        }
        if (used + strlen(name) + 4 < cs)
            used += (size_t)snprintf(choices + used, cs - used, "%s%s  ", name, sub ? "/" : "");
    }
    if (d)
        closedir(d);
    size_t at = (size_t)(prefix - text);
    if (matches == 1) {
        choices[0] = 0;
        if (at + strlen(common) + 1 < size)
            snprintf(text + at, size - at, "%s%s", common, common_dir ? "/" : "");
    } else if (strlen(common) > plen && at + strlen(common) < size) {
        snprintf(text + at, size - at, "%s", common);
    }
}

void files_cleanup(struct app *app)
{
    struct files_state *f = &app->files;
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i].name);
    free(f->items);
    f->items = NULL;
    f->n = f->cap = 0;
}

static int compare_entries(const void *pa, const void *pb)
{
    const struct file_entry *a = pa, *b = pb;
    if (strcmp(a->name, "..") == 0 || strcmp(b->name, "..") == 0)
        return strcmp(a->name, "..") == 0 ? -1 : 1;
    return strcmp(a->name, b->name);
}

static bool add_entry(struct files_state *f, const char *name, const struct stat *sb)
{
    if (TM_ARRAY_RESERVE(f->items, f->n, f->cap, 64))
        return false;
    struct file_entry *e = &f->items[f->n];
    if (!(e->name = strdup(name)))
        return false;
    e->dir = S_ISDIR(sb->st_mode);
    e->size = (int64_t)sb->st_size;
    e->mtime = (int64_t)sb->st_mtime;
    f->n++;
    return true;
}

/* Reads f->dir; false (message set) when it cannot be listed. */
static bool read_dir(struct app *app)
{
    struct files_state *f = &app->files;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char path[PATH_MAX + 256];
    if (!d) {
        app_set_message(app, _("Cannot open the directory: %s"), strerror(errno));
        return false;
    }
    files_cleanup(app);
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || (strcmp(e->d_name, "..") == 0 && !strcmp(f->dir, "/")))
            continue;
        snprintf(path, sizeof(path), "%s/%s", f->dir, e->d_name);
        if (stat(path, &sb) != 0 && lstat(path, &sb) != 0)
            continue;
        if (!add_entry(f, e->d_name, &sb)) {
            app_set_message(app, "%s", _("out of memory"));
            break;
        }
    }
    closedir(d);
    if (f->n > 1)
        qsort(f->items, f->n, sizeof(f->items[0]), compare_entries);
    f->cursor = f->top = 0;
    return true;
}

/* Shows directory dir (made absolute); false when it cannot be read (the old one stays). */
static bool change_dir(struct app *app, const char *dir)
{
    struct files_state *f = &app->files;
    char resolved[PATH_MAX], old[sizeof(f->dir)];
    if (!realpath(dir, resolved)) {
        app_set_message(app, _("Cannot open the directory: %s"), strerror(errno));
        return false;
    }
    snprintf(old, sizeof(old), "%s", f->dir);
    snprintf(f->dir, sizeof(f->dir), "%s", resolved);
    if (!read_dir(app)) {
        snprintf(f->dir, sizeof(f->dir), "%s", old);
        return false;
    }
    return true;
}

void files_open(struct app *app, const char *dir)
{
    struct files_state *f = &app->files;
    char start[PATH_MAX];
    if (dir)
        file_expand_home(dir, start, sizeof(start));
    else if (f->dir[0])
        snprintf(start, sizeof(start), "%s", f->dir);
    else if (!getcwd(start, sizeof(start)))
        snprintf(start, sizeof(start), "%s", getenv("HOME") ? getenv("HOME") : "/");
    if (!change_dir(app, start))
        return;
    if (app->view != VIEW_FILES)
        f->return_view = app->view;
    app->view = VIEW_FILES;
    app->dirty = true;
}

static void draw_entry(struct app *app, int y, size_t i, bool current)
{
    const struct file_entry *e = &app->files.items[i];
    char head[96], size[32], date[32] = "", name[NAME_MAX + 2];
    time_t t = (time_t)e->mtime;
    struct tm tmv;
    if (localtime_r(&t, &tmv))
        strftime(date, sizeof(date), "%b %d %H:%M", &tmv);
    ui_format_size(e->size, size, sizeof(size));
    snprintf(head, sizeof(head), "%4zu %c %7s %-12s ", i + 1, e->dir ? 'd' : ' ',
             e->dir ? "" : size, date);
    snprintf(name, sizeof(name), "%s%s", e->name, e->dir ? "/" : "");
    int attr = current ? colors_attr(app, TM_COLOR_INDICATOR, A_REVERSE)
                       : colors_attr(app, TM_COLOR_NORMAL, A_NORMAL);
    int x = (int)strlen(head);
    draw_text(y, 0, x, head, attr);
    draw_untrusted(y, x, COLS - x, name, attr);
}

void files_draw(struct app *app)
{
    struct files_state *f = &app->files;
    struct ui_layout lay = ui_layout(app);
    size_t h = (size_t)lay.body_h;
    char dir[1024], left[1200];
    if (f->cursor < f->top)
        f->top = f->cursor;
    if (f->cursor >= f->top + h)
        f->top = f->cursor - h + 1;
    draw_help_bar(app, _("q:Exit  Enter:Attach/Open  c:Chdir  ?:Help"));
    for (size_t i = 0; i < h; i++) {
        size_t idx = f->top + i;
        if (idx < f->n) {
            draw_entry(app, lay.body_y + (int)i, idx, idx == f->cursor);
        } else {
            move(lay.body_y + (int)i, 0);
            clrtoeol();
        }
    }
    draw_safe_copy(f->dir, dir, sizeof(dir));
    snprintf(left, sizeof(left), _("-*-tmail: Attach file: %s [%zu]"), dir, f->n);
    draw_bar(app, lay.status_y, left, "");
    draw_message_line(app);
}

/* Enter: a directory is entered, a file attached (then back to the compose screen). */
static void choose(struct app *app)
{
    struct files_state *f = &app->files;
    char path[PATH_MAX + 256];
    if (f->cursor >= f->n)
        return;
    const struct file_entry *e = &f->items[f->cursor];
    snprintf(path, sizeof(path), "%s%s%s", f->dir, strcmp(f->dir, "/") ? "/" : "", e->name);
    if (e->dir) {
        change_dir(app, path);
        return;
    }
    if (compose_attach_path(app, path)) {
        app->view = f->return_view;
        files_cleanup(app);
    }
}

static void chdir_prompt(struct app *app)
{
    char typed[1024];
    int n = snprintf(typed, sizeof(typed), "%s/", app->files.dir);
    if (n < 0 || (size_t)n >= sizeof(typed) || !printable(typed))
        typed[0] = 0;
    if (prompt_line_complete(app, _("Chdir to: "), typed, sizeof(typed), file_complete, NULL) &&
        typed[0]) {
        char dir[PATH_MAX];
        file_expand_home(typed, dir, sizeof(dir));
        change_dir(app, dir);
    }
}

void files_handle(struct app *app, enum ui_fn fn)
{
    struct files_state *f = &app->files;
    size_t last = f->n ? f->n - 1 : 0, page = (size_t)ui_layout(app).body_h;
    switch (fn) {
    case FN_EXIT:
        app->view = f->return_view;
        files_cleanup(app);
        break;
    case FN_NEXT_ENTRY:
        f->cursor += f->cursor < last;
        break;
    case FN_PREV_ENTRY:
        f->cursor -= f->cursor > 0;
        break;
    case FN_NEXT_PAGE:
        f->cursor = f->cursor + page < last ? f->cursor + page : last;
        break;
    case FN_PREV_PAGE:
        f->cursor = f->cursor > page ? f->cursor - page : 0;
        break;
    case FN_FIRST_ENTRY:
        f->cursor = 0;
        break;
    case FN_LAST_ENTRY:
        f->cursor = last;
        break;
    case FN_DISPLAY:
        choose(app);
        break;
    case FN_CHANGE_FOLDER:
        chdir_prompt(app);
        break;
    default:
        app_set_message(app, "%s", _("Key is not bound.  Press '?' for help."));
        break;
    }
    app->dirty = true;
}
