/* draw.c - drawing helpers: width-aware clipped text (CJK takes two columns), terminal-safe
 * rendering of untrusted text, the status bar and the message line. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

void draw_text(int y, int x, int width, const char *text, int attr)
{
    if (width <= 0 || y < 0 || y >= LINES)
        return;
    size_t cols = 0;
    size_t bytes = tm_str_fit(text, (size_t)width, &cols);
    attron(attr);
    mvaddnstr(y, x, text, (int)bytes);
    for (size_t c = cols; c < (size_t)width; c++)
        addch(' ');
    attroff(attr);
}

void draw_untrusted(int y, int x, int width, const char *text, int attr)
{
    struct tm_buf safe;
    tm_buf_init(&safe, 64 * 1024);
    /* A subject longer than the cap is cut: only a screen's width is shown anyway. */
    size_t len = strlen(text);
    if (len > 4096)
        len = 4096;
    if (tm_str_visible(&safe, text, len, false) == TM_OK && safe.data)
        draw_text(y, x, width, safe.data, attr);
    else
        draw_text(y, x, width, "", attr);
    tm_buf_cleanup(&safe);
}

void draw_safe_copy(const char *text, char *out, size_t size)
{
    struct tm_buf safe;
    tm_buf_init(&safe, 64 * 1024);
    size_t len = strlen(text);
    if (len > 4096)
        len = 4096;
    if (tm_str_visible(&safe, text, len, false) == TM_OK && safe.data)
        snprintf(out, size, "%s", safe.data);
    else if (size)
        out[0] = 0;
    tm_buf_cleanup(&safe);
}

void draw_bar(const struct app *app, int y, const char *left, const char *right)
{
    int width = COLS, attr = colors_attr(app, TM_COLOR_STATUS, A_REVERSE);
    size_t rcols = tm_str_width(right);
    draw_text(y, 0, width, left, attr);
    if ((int)rcols < width)
        draw_text(y, width - (int)rcols, (int)rcols, right, attr);
}

struct ui_layout ui_layout(const struct app *app)
{
    bool help = !app->cfg || app->cfg->settings.help;
    bool on_top = app->cfg && app->cfg->settings.status_on_top;
    struct ui_layout l;
    l.status_y = on_top ? 0 : LINES - 2;
    l.help_y = !help ? -1 : on_top ? 1 : 0;
    l.body_y = (on_top ? 1 : 0) + (help ? 1 : 0);
    l.body_h = (on_top ? LINES - 1 : LINES - 2) - l.body_y;
    if (l.body_h < 1)
        l.body_h = 1;
    return l;
}

void draw_help_bar(const struct app *app, const char *text)
{
    int y = ui_layout(app).help_y;
    if (y >= 0)
        draw_bar(app, y, text, "");
}

void draw_message_line(struct app *app)
{
    draw_untrusted(LINES - 1, 0, COLS, app->message, A_NORMAL);
}

/* The folder as the status bar shows it: ~ for $HOME, and when it does not fit in max_cols
 * its tail after "…", since the end of a path says the most. */
static void folder_label(const char *folder, size_t max_cols, struct tm_buf *out)
{
    struct tm_buf full;
    const char *home = getenv("HOME");
    size_t hl = home ? strlen(home) : 0;
    tm_buf_init(&full, 16384);
    if (hl > 1 && strncmp(folder, home, hl) == 0 && (folder[hl] == '/' || !folder[hl])) {
        tm_buf_append_char(&full, '~');
        folder += hl;
    }
    if (tm_str_visible(&full, folder, strlen(folder), false) != TM_OK || !full.data) {
        tm_buf_append_str(out, "?");
    } else if (tm_str_width(full.data) <= max_cols || max_cols < 2) {
        tm_buf_append_str(out, full.data);
    } else {
        const char *tail = full.data;
        while (*tail && tm_str_width(tail) > max_cols - 1)
            tail++;
        while (((unsigned char)*tail & 0xC0) == 0x80)
            tail++;
        tm_buf_append_str(out, "\u2026");
        tm_buf_append_str(out, tail);
    }
    tm_buf_cleanup(&full);
}

/* The sort setting's name as a tmailrc writes it ("threads", "date"), from the settings table. */
static const char *sort_label(const struct app *app)
{
    size_t n;
    const struct tm_setting_info *table = tm_config_settings(&n);
    int sort = app->cfg ? app->cfg->settings.sort : TM_SORT_THREADS;
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].name, "sort") == 0 && table[i].values)
            for (int v = 0; table[i].values[v]; v++)
                if (v == sort)
                    return table[i].values[v];
    return "threads";
}

void draw_status_bar(struct app *app, const char *what)
{
    char head[64], tail[256], right[200], left[16384 + 400];
    struct tm_buf label;
    snprintf(head, sizeof(head), "-*-tmail: ");
    snprintf(tail, sizeof(tail), " [%s] ---(%s%s)", what, sort_label(app),
             app->cfg && app->cfg->settings.sort_reverse ? "/reverse" : "");
    snprintf(right, sizeof(right), "%s%s", app->progress, app->progress[0] ? " --" : "---");
    size_t fixed = tm_str_width(head) + tm_str_width(tail) + tm_str_width(right) + 1;
    size_t room = (size_t)COLS > fixed + 8 ? (size_t)COLS - fixed : 8;
    tm_buf_init(&label, 16384);
    folder_label(tm_core_folder_label(app->core), room, &label);
    snprintf(left, sizeof(left), "%s%s%s", head, label.data ? label.data : "", tail);
    draw_bar(app, ui_layout(app).status_y, left, right);
    tm_buf_cleanup(&label);
}

void app_set_message(struct app *app, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(app->message, sizeof(app->message), fmt, ap);
    va_end(ap);
    app->dirty = true;
}

void ui_format_size(int64_t bytes, char *out, size_t size)
{
    if (bytes < 1000)
        snprintf(out, size, "%lld", (long long)bytes);
    else if (bytes < 10 * 1024)
        snprintf(out, size, "%.1fK", (double)bytes / 1024.0);
    else if (bytes < 1000 * 1024)
        snprintf(out, size, "%lldK", (long long)((bytes + 512) / 1024));
    else
        snprintf(out, size, "%.1fM", (double)bytes / (1024.0 * 1024.0));
}

void ui_format_count(int64_t n, char *out, size_t size)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%lld", (long long)(n < 0 ? 0 : n));
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
}
