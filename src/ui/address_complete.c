/* address_complete.c - recipient prompts: Tab completes the last comma-separated item of the line
 * from the aliases and the senders of cached mail (several matches: their common start, then a
 * list to choose from), and aliases are expanded on Enter, as mutt does. Cached names come from
 * mail headers: one a terminal would interpret is never offered. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/alias.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

#define MAX_CANDIDATES     200
#define CACHE_CANDIDATES   100
#define MAX_CANDIDATE_TEXT 1000

/* What Tab found: items replace the typed item, labels are what the list shows. */
struct candidates {
    char *items[MAX_CANDIDATES];
    char *labels[MAX_CANDIDATES];
    size_t n;
};

static void candidates_free(struct candidates *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i]);
        free(c->labels[i]);
    }
    c->n = 0;
}

static bool printable(const char *s)
{
    char safe[MAX_CANDIDATE_TEXT + 200];
    draw_safe_copy(s, safe, sizeof(safe));
    return strcmp(safe, s) == 0;
}

static void add(struct candidates *c, const char *item, const char *label)
{
    if (c->n >= MAX_CANDIDATES || strlen(item) > MAX_CANDIDATE_TEXT || !printable(item))
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strcasecmp(c->items[i], item) == 0)
            return;
    char *a = strdup(item), *b = strdup(label);
    if (!a || !b) {
        free(a);
        free(b);
        return;
    }
    c->items[c->n] = a;
    c->labels[c->n++] = b;
}

static int on_alias(void *ctx, const struct tm_alias *alias)
{
    struct candidates *c = ctx;
    char label[MAX_CANDIDATE_TEXT + 100];
    snprintf(label, sizeof(label), "%-12s %s", alias->key, alias->value);
    add(c, alias->value, label);
    return c->n >= MAX_CANDIDATES;
}

/* "Name <addr>", the name quoted when it holds RFC 5322 specials. */
static void format_mailbox(const char *name, const char *addr, char *out, size_t size)
{
    if (!name || !*name) {
        snprintf(out, size, "%s", addr);
        return;
    }
    if (!strpbrk(name, "()<>[]:;@\\,.\"")) {
        snprintf(out, size, "%s <%s>", name, addr);
        return;
    }
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = name; *p && o + 4 < size; p++) {
        if (*p == '"' || *p == '\\')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o] = 0;
    snprintf(out + o, size - o, "\" <%s>", addr);
}

static int on_address(void *ctx, const char *name, const char *addr)
{
    struct candidates *c = ctx;
    char text[MAX_CANDIDATE_TEXT + 1];
    if (!addr || !*addr)
        return 0;
    format_mailbox(name, addr, text, sizeof(text));
    add(c, text, text);
    return c->n >= MAX_CANDIDATES;
}

/* Where the last comma-separated item of text starts (after its leading blanks). */
static char *last_item(char *text)
{
    char *item = strrchr(text, ',');
    item = item ? item + 1 : text;
    return item + strspn(item, " \t");
}

static void replace_item(char *text, size_t size, char *item, const char *with)
{
    size_t at = (size_t)(item - text);
    if (at + strlen(with) < size)
        snprintf(item, size - at, "%s", with);
}

/* The longest start all items share (never half a UTF-8 character). */
static size_t common_start(const struct candidates *c)
{
    size_t n = strlen(c->items[0]);
    for (size_t i = 1; i < c->n; i++) {
        size_t k = 0;
        while (k < n && c->items[i][k] == c->items[0][k])
            k++;
        n = k;
    }
    while (n > 0 && ((unsigned char)c->items[0][n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void address_complete(void *ctx, char *text, size_t size, char *choices, size_t cs)
{
    struct app *app = ctx;
    struct candidates c = {.n = 0};
    char *item = last_item(text);
    size_t typed = strlen(item);
    choices[0] = 0;
    tm_alias_complete(compose_aliases(app), item, on_alias, &c);
    tm_core_complete_address(app->core, item, CACHE_CANDIDATES, on_address, &c, NULL);
    if (c.n == 0) {
        snprintf(choices, cs, "%s", _("No matching addresses."));
    } else if (c.n == 1) {
        replace_item(text, size, item, c.items[0]);
    } else {
        size_t common = common_start(&c);
        if (common > typed && strncasecmp(c.items[0], item, typed) == 0) {
            char *start = tm_strndup(c.items[0], common);
            if (start)
                replace_item(text, size, item, start);
            free(start);
            size_t used = 0;
            for (size_t i = 0; i < c.n && used + 4 < cs; i++)
                used +=
                    (size_t)snprintf(choices + used, cs - used, "%s%s", i ? " | " : "", c.items[i]);
        } else {
            long chosen = choose_from_list(app, _("Addresses"), c.labels, c.n);
            if (chosen >= 0)
                replace_item(text, size, item, c.items[chosen]);
            app_draw(app);
        }
    }
    candidates_free(&c);
}

bool address_prompt(struct app *app, const char *prompt, char *out, size_t size)
{
    struct tm_error err;
    char *expanded = NULL;
    tm_error_clear(&err);
    if (!prompt_line_complete(app, prompt, out, size, address_complete, app))
        return false;
    if (tm_alias_expand_list(compose_aliases(app), out, &expanded, &err) == TM_OK && expanded &&
        strlen(expanded) < size) /* else the aliases are expanded when the message is built */
        snprintf(out, size, "%s", expanded);
    free(expanded);
    return true;
}

/* What a key does in the list: the generic map's movement, Enter and q. */
static enum tm_op list_op(struct app *app, int key)
{
    int32_t k = key;
    const struct tm_binding *b =
        app->cfg ? tm_config_binding_find(app->cfg, TM_MAP_GENERIC, &k, 1, NULL) : NULL;
    if (key == '\r' || key == '\n' || key == TM_KEY_KEYPAD_ENTER)
        return TM_OP_SELECT_ENTRY;
    if (key == 27 || key == UI_KEY_CANCEL || key == UI_KEY_CTRL('g') || key == 'q')
        return TM_OP_EXIT;
    if (key == TM_KEY_DOWN)
        return TM_OP_NEXT_ENTRY;
    if (key == TM_KEY_UP)
        return TM_OP_PREVIOUS_ENTRY;
    return b && !b->macro_keys ? b->op : TM_OP_NONE;
}

static void draw_list(struct app *app, const char *title, char *const *items, size_t n, size_t cur,
                      size_t top)
{
    struct ui_layout lay = ui_layout(app);
    char row[MAX_CANDIDATE_TEXT + 200], what[200];
    draw_help_bar(app, _("Enter:Select  q:Cancel  j/k:Move"));
    for (int i = 0; i < lay.body_h; i++) {
        size_t idx = top + (size_t)i;
        if (idx >= n) {
            move(lay.body_y + i, 0);
            clrtoeol();
            continue;
        }
        snprintf(row, sizeof(row), "%4zu %s", idx + 1, items[idx]);
        draw_untrusted(lay.body_y + i, 0, COLS, row, idx == cur ? (int)A_REVERSE : A_NORMAL);
    }
    snprintf(what, sizeof(what), "-*-tmail: %s [%zu]", title, n);
    draw_bar(app, lay.status_y, what, "");
    move(LINES - 1, 0);
    clrtoeol();
    refresh();
}

long choose_from_list(struct app *app, const char *title, char *const *items, size_t n)
{
    size_t cur = 0, top = 0;
    if (n == 0)
        return -1;
    for (;;) {
        size_t h = (size_t)ui_layout(app).body_h;
        if (cur < top)
            top = cur;
        if (cur >= top + h)
            top = cur - h + 1;
        draw_list(app, title, items, n, cur, top);
        int key;
        int got = app_wait_key(&key);
        if (!got)
            continue;
        if (key == UI_KEY_RESIZE) {
            clear();
            continue;
        }
        switch (list_op(app, key)) {
        case TM_OP_SELECT_ENTRY:
            app->dirty = true;
            return (long)cur;
        case TM_OP_EXIT:
            app->dirty = true;
            return -1;
        case TM_OP_NEXT_ENTRY:
            cur += cur + 1 < n;
            break;
        case TM_OP_PREVIOUS_ENTRY:
            cur -= cur > 0;
            break;
        case TM_OP_NEXT_PAGE:
            cur = cur + h < n ? cur + h : n - 1;
            break;
        case TM_OP_PREVIOUS_PAGE:
            cur = cur > h ? cur - h : 0;
            break;
        case TM_OP_FIRST_ENTRY:
            cur = 0;
            break;
        case TM_OP_LAST_ENTRY:
            cur = n - 1;
            break;
        default:
            break;
        }
    }
}
