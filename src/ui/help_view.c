/* help_view.c - the '?' screen: every key binding of the current view's map (the user's own
 * first, then mutt's defaults, generic ones included), what it does, and which functions are
 * still to come. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

/* The keys of a binding as tmailrc writes them, e.g. "<Esc>v". */
static void seq_name(const struct tm_keyseq *k, char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < k->len && used + 1 < size; i++) {
        tm_config_key_name(k->keys[i], out + used, size - used);
        used += strlen(out + used);
    }
}

static bool same_keys(const struct tm_keyseq *a, const struct tm_keyseq *b)
{
    return a->len == b->len && memcmp(a->keys, b->keys, (size_t)a->len * sizeof(a->keys[0])) == 0;
}

/* True when binding i is the one in force in map: active in its own map, and for a generic one,
 * not shadowed by a binding of the same keys in map. */
static bool in_force(const struct tm_config *cfg, size_t i, enum tm_keymap map)
{
    const struct tm_binding *b = &cfg->bindings[i];
    if (!tm_config_binding_active(cfg, i))
        return false;
    for (size_t j = 0; b->map == TM_MAP_GENERIC && j < cfg->n_bindings; j++)
        if (j != i && cfg->bindings[j].map == map && same_keys(&cfg->bindings[j].keys, &b->keys))
            return false;
    return true;
}

static void add_line(struct tm_buf *out, const char *keys, const char *what, const char *desc)
{
    tm_buf_appendf(out, "%-14s %-22s %s\n", keys, what, desc);
}

/* How many bindings a configuration starts with (mutt's defaults): the file's come after. */
static size_t default_bindings(void)
{
    static size_t n;
    if (!n) {
        struct tm_config *fresh = tm_config_new();
        n = fresh ? fresh->n_bindings : 0;
        tm_config_free(&fresh);
    }
    return n;
}

/* Writes the help text of view into app->pager_text's sibling buffer help. */
static void build_help(struct app *app, struct tm_buf *out)
{
    const struct tm_config *cfg = app->cfg;
    enum tm_keymap map = ui_keymap(app->help_return);
    char keys[128];
    if (app->help_return == VIEW_OUTBOX) { /* keys of its own, not bindings */
        add_line(out, "r", "retry", _("try to send the message again now"));
        add_line(out, "D", "remove", _("give the message up (after a question)"));
        add_line(out, "s", "send-accepted",
                 _("send a held message to the recipients the server accepted"));
    }
    /* This map's bindings from the configuration file (the person's own, so first), its
     * default ones, the generic ones, then those that do nothing yet. */
    size_t defaults = default_bindings();
    for (int pass = 0; pass < 4; pass++) {
        if (pass == 3)
            tm_buf_appendf(out, "\n%s\n\n", _("Bound, but not available in tmail yet:"));
        for (size_t i = 0; i < cfg->n_bindings; i++) {
            const struct tm_binding *b = &cfg->bindings[i];
            if ((b->map != map && b->map != TM_MAP_GENERIC) || !in_force(cfg, i, map))
                continue;
            bool works = b->macro_keys || ui_fn_for(app->help_return, b->op) != FN_NONE;
            bool generic = b->map == TM_MAP_GENERIC && map != TM_MAP_GENERIC;
            int want = !works ? 3 : generic ? 2 : i >= defaults ? 0 : 1;
            if (pass != want)
                continue;
            seq_name(&b->keys, keys, sizeof(keys));
            if (b->macro_keys)
                add_line(out, keys, "macro",
                         b->description  ? b->description
                         : b->macro_text ? b->macro_text
                                         : "");
            else
                add_line(out, keys, tm_config_op_name(b->op), _(tm_config_op_description(b->op)));
        }
    }
}

static size_t count_lines(const struct tm_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

void help_draw(struct app *app)
{
    struct tm_buf text;
    struct ui_layout lay = ui_layout(app);
    int h = lay.body_h;
    tm_buf_init(&text, 1 << 20);
    build_help(app, &text);
    app->help_total = count_lines(&text);
    draw_help_bar(app, _("q:Exit  -:PrevPg  <Space>:NextPg"));
    const char *line = text.data ? text.data : "";
    for (size_t skip = 0; skip < app->help_top && *line; skip++)
        line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line);
    for (int i = 0; i < h; i++) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
        draw_text(lay.body_y + i, 0, COLS, buf, A_NORMAL);
        line = nl ? nl + 1 : line + len;
    }
    tm_buf_cleanup(&text);
    const char *what = app->help_return == VIEW_PAGER     ? _("Help for pager")
                       : app->help_return == VIEW_ATTACH  ? _("Help for attachments")
                       : app->help_return == VIEW_BROWSER ? _("Help for the mailbox browser")
                       : app->help_return == VIEW_COMPOSE ? _("Help for compose")
                       : app->help_return == VIEW_FILES   ? _("Help for the file browser")
                       : app->help_return == VIEW_OUTBOX  ? _("Help for the outbox")
                                                          : _("Help for index");
    draw_status_bar(app, what);
    draw_message_line(app);
}

void help_handle(struct app *app, enum ui_fn fn)
{
    long long total = (long long)app->help_total, top = (long long)app->help_top;
    long long page = ui_layout(app).body_h;
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
