/* keys.c - the default key maps (mutt's defaults where mutt has one) and key names. */
#include <curses.h>
#include <stdio.h>

#include "private.h"
#include "tmail/i18n.h"

#define FK(k) (UI_KEY_FN | (k))

static const struct ui_binding index_map[] = {
    {'q', FN_QUIT},
    {'j', FN_NEXT_ENTRY},
    {FK(KEY_DOWN), FN_NEXT_ENTRY},
    {'k', FN_PREV_ENTRY},
    {FK(KEY_UP), FN_PREV_ENTRY},
    {FK(KEY_NPAGE), FN_NEXT_PAGE},
    {FK(KEY_RIGHT), FN_NEXT_PAGE},
    {'z', FN_NEXT_PAGE},
    {FK(KEY_PPAGE), FN_PREV_PAGE},
    {FK(KEY_LEFT), FN_PREV_PAGE},
    {'Z', FN_PREV_PAGE},
    {FK(KEY_HOME), FN_FIRST_ENTRY},
    {'=', FN_FIRST_ENTRY},
    {FK(KEY_END), FN_LAST_ENTRY},
    {'*', FN_LAST_ENTRY},
    {'\r', FN_DISPLAY},
    {'\n', FN_DISPLAY},
    {FK(KEY_ENTER), FN_DISPLAY},
    {' ', FN_DISPLAY},
    {'|', FN_PIPE},
    {'F', FN_FLAG},
    {'N', FN_TOGGLE_NEW},
    {'$', FN_SYNC},
    {'v', FN_VIEW_ATTACH},
};

static const struct ui_binding pager_map[] = {
    {'q', FN_EXIT},
    {'i', FN_EXIT},
    {FK(KEY_DOWN), FN_NEXT_LINE},
    {'\r', FN_NEXT_LINE},
    {'\n', FN_NEXT_LINE},
    {FK(KEY_ENTER), FN_NEXT_LINE},
    {FK(KEY_UP), FN_PREV_LINE},
    {FK(KEY_BACKSPACE), FN_PREV_LINE},
    {' ', FN_NEXT_PAGE},
    {FK(KEY_NPAGE), FN_NEXT_PAGE},
    {'-', FN_PREV_PAGE},
    {FK(KEY_PPAGE), FN_PREV_PAGE},
    {FK(KEY_HOME), FN_TOP},
    {'^', FN_TOP},
    {FK(KEY_END), FN_BOTTOM},
    {'j', FN_NEXT_MESSAGE},
    {'k', FN_PREV_MESSAGE},
    {'|', FN_PIPE},
    {'F', FN_FLAG},
    {'N', FN_TOGGLE_NEW},
    {'v', FN_VIEW_ATTACH},
};

static const struct ui_binding help_map[] = {
    {'q', FN_EXIT},
    {FK(KEY_DOWN), FN_NEXT_LINE},
    {'j', FN_NEXT_LINE},
    {FK(KEY_UP), FN_PREV_LINE},
    {'k', FN_PREV_LINE},
    {' ', FN_NEXT_PAGE},
    {FK(KEY_NPAGE), FN_NEXT_PAGE},
    {'-', FN_PREV_PAGE},
    {FK(KEY_PPAGE), FN_PREV_PAGE},
    {FK(KEY_HOME), FN_TOP},
    {FK(KEY_END), FN_BOTTOM},
};

static const struct ui_binding attach_map[] = {
    {'q', FN_EXIT},
    {'j', FN_NEXT_ENTRY},
    {FK(KEY_DOWN), FN_NEXT_ENTRY},
    {'k', FN_PREV_ENTRY},
    {FK(KEY_UP), FN_PREV_ENTRY},
    {FK(KEY_HOME), FN_FIRST_ENTRY},
    {FK(KEY_END), FN_LAST_ENTRY},
    {'\r', FN_DISPLAY},
    {'\n', FN_DISPLAY},
    {FK(KEY_ENTER), FN_DISPLAY},
    {'s', FN_SAVE},
    {'|', FN_PIPE},
};

static const struct ui_binding generic_map[] = {
    {'?', FN_HELP},
    {UI_KEY_CTRL('l'), FN_REDRAW},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const struct ui_binding *keys_map(enum ui_map map, size_t *n)
{
    switch (map) {
    case MAP_INDEX:
        *n = N_OF(index_map);
        return index_map;
    case MAP_PAGER:
        *n = N_OF(pager_map);
        return pager_map;
    case MAP_HELP:
        *n = N_OF(help_map);
        return help_map;
    case MAP_ATTACH:
        *n = N_OF(attach_map);
        return attach_map;
    default:
        *n = N_OF(generic_map);
        return generic_map;
    }
}

static enum ui_fn lookup_in(const struct ui_binding *b, size_t n, int key)
{
    for (size_t i = 0; i < n; i++)
        if (b[i].key == key)
            return b[i].fn;
    return FN_NONE;
}

enum ui_fn keys_lookup(enum ui_map map, int key)
{
    size_t n;
    const struct ui_binding *b = keys_map(map, &n);
    enum ui_fn fn = lookup_in(b, n, key);
    if (fn == FN_NONE)
        fn = lookup_in(generic_map, N_OF(generic_map), key);
    return fn;
}

static const struct {
    const char *name;
    const char *help;
} fn_info[] = {
    [FN_NONE] = {"noop", N_("do nothing")},
    [FN_QUIT] = {"quit", N_("leave tmail")},
    [FN_EXIT] = {"exit", N_("go back to the previous screen")},
    [FN_NEXT_ENTRY] = {"next-entry", N_("move to the next message")},
    [FN_PREV_ENTRY] = {"previous-entry", N_("move to the previous message")},
    [FN_NEXT_PAGE] = {"next-page", N_("move to the next page")},
    [FN_PREV_PAGE] = {"previous-page", N_("move to the previous page")},
    [FN_FIRST_ENTRY] = {"first-entry", N_("move to the first message")},
    [FN_LAST_ENTRY] = {"last-entry", N_("move to the last message")},
    [FN_DISPLAY] = {"display-message", N_("show the message")},
    [FN_PIPE] = {"pipe-message", N_("pipe the message to a shell command")},
    [FN_HELP] = {"help", N_("show the key bindings")},
    [FN_REDRAW] = {"redraw-screen", N_("clear and redraw the screen")},
    [FN_NEXT_LINE] = {"next-line", N_("scroll down one line")},
    [FN_PREV_LINE] = {"previous-line", N_("scroll up one line")},
    [FN_TOP] = {"top", N_("jump to the top")},
    [FN_BOTTOM] = {"bottom", N_("jump to the bottom")},
    [FN_NEXT_MESSAGE] = {"next-entry", N_("show the next message")},
    [FN_PREV_MESSAGE] = {"previous-entry", N_("show the previous message")},
    [FN_FLAG] = {"flag-message", N_("toggle the message's important flag")},
    [FN_TOGGLE_NEW] = {"toggle-new", N_("toggle the message's new (unread) state")},
    [FN_SYNC] = {"sync-mailbox", N_("rescan the mailbox now")},
    [FN_VIEW_ATTACH] = {"view-attachments", N_("list the message's parts (attachments)")},
    [FN_SAVE] = {"save-entry", N_("save the part to a file")},
};

const char *keys_fn_name(enum ui_fn fn)
{
    return fn_info[fn].name;
}

const char *keys_fn_help(enum ui_fn fn)
{
    return _(fn_info[fn].help);
}

void keys_name(int key, char *out, size_t size)
{
    if (UI_KEY_IS_FN(key)) {
        static const struct {
            int code;
            const char *name;
        } names[] = {
            {KEY_DOWN, "<Down>"},           {KEY_UP, "<Up>"},          {KEY_LEFT, "<Left>"},
            {KEY_RIGHT, "<Right>"},         {KEY_NPAGE, "<PageDown>"}, {KEY_PPAGE, "<PageUp>"},
            {KEY_HOME, "<Home>"},           {KEY_END, "<End>"},        {KEY_ENTER, "<Enter>"},
            {KEY_BACKSPACE, "<Backspace>"},
        };
        for (size_t i = 0; i < N_OF(names); i++) {
            if (names[i].code == (key & ~UI_KEY_FN)) {
                snprintf(out, size, "%s", names[i].name);
                return;
            }
        }
        snprintf(out, size, "<F?%d>", key & ~UI_KEY_FN);
    } else if (key == '\r' || key == '\n') {
        snprintf(out, size, "%s", key == '\r' ? "<Return>" : "^J");
    } else if (key == ' ') {
        snprintf(out, size, "<Space>");
    } else if (key < 0x20) {
        snprintf(out, size, "^%c", '@' + key);
    } else {
        snprintf(out, size, "%lc", (wint_t)key);
    }
}
