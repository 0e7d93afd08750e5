/* help_view.c - the '?' screen: every key of the current map with its function and purpose. */
#include <curses.h>
#include <stdio.h>

#include "private.h"
#include "tmail/i18n.h"

static size_t help_lines(struct app *app, enum ui_map *map)
{
    size_t n;
    *map = app->help_return == VIEW_PAGER    ? MAP_PAGER
           : app->help_return == VIEW_ATTACH ? MAP_ATTACH
                                             : MAP_INDEX;
    keys_map(*map, &n);
    return n + 3; /* + the generic bindings (2) and a blank separator */
}

static void help_line(enum ui_map map, size_t i, char *out, size_t size)
{
    size_t n_map, n_gen;
    const struct ui_binding *b = keys_map(map, &n_map);
    const struct ui_binding *g = keys_map(MAP_COUNT, &n_gen);
    char key[32];
    if (i < n_map) {
        keys_name(b[i].key, key, sizeof(key));
        snprintf(out, size, "%-12s %-18s %s", key, keys_fn_name(b[i].fn), keys_fn_help(b[i].fn));
    } else if (i == n_map) {
        out[0] = 0;
    } else if (i - n_map - 1 < n_gen) {
        const struct ui_binding *x = &g[i - n_map - 1];
        keys_name(x->key, key, sizeof(key));
        snprintf(out, size, "%-12s %-18s %s", key, keys_fn_name(x->fn), keys_fn_help(x->fn));
    } else {
        out[0] = 0;
    }
}

void help_draw(struct app *app)
{
    enum ui_map map;
    size_t total = help_lines(app, &map);
    int h = LINES - 3;
    char line[256];
    draw_bar(0, _("q:Exit  -:PrevPg  <Space>:NextPg"), "");
    for (int i = 0; i < h; i++) {
        size_t idx = app->help_top + (size_t)i;
        if (idx < total) {
            help_line(map, idx, line, sizeof(line));
            draw_text(1 + i, 0, COLS, line, A_NORMAL);
        } else {
            move(1 + i, 0);
            clrtoeol();
        }
    }
    draw_status_bar(app, map == MAP_PAGER    ? _("Help for pager")
                         : map == MAP_ATTACH ? _("Help for attachments")
                                             : _("Help for index"));
    draw_message_line(app);
}

void help_handle(struct app *app, enum ui_fn fn)
{
    enum ui_map map;
    long long total = (long long)help_lines(app, &map), top = (long long)app->help_top;
    long long page = LINES - 3 > 1 ? LINES - 3 : 1;
    switch (fn) {
    case FN_EXIT:
    case FN_HELP:
        app->view = app->help_return;
        break;
    case FN_NEXT_LINE:
        top++;
        break;
    case FN_PREV_LINE:
        top--;
        break;
    case FN_NEXT_PAGE:
        top += page;
        break;
    case FN_PREV_PAGE:
        top -= page;
        break;
    case FN_TOP:
        top = 0;
        break;
    case FN_BOTTOM:
        top = total;
        break;
    default:
        break;
    }
    if (top > total - page)
        top = total - page;
    if (top < 0)
        top = 0;
    app->help_top = (size_t)top;
    app->dirty = true;
}
