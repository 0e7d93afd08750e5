/* prompt.c - a one-line editor on the bottom row (UTF-8 input, Backspace, ^U, ^W, Esc/^G). */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "private.h"
#include "tmail/str.h"

/* Removes the last UTF-8 character of s. */
static void drop_last_char(char *s)
{
    size_t len = strlen(s);
    while (len > 0) {
        len--;
        if (((unsigned char)s[len] & 0xC0) != 0x80)
            break;
    }
    s[len] = 0;
}

static void drop_last_word(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == ' ')
        len--;
    while (len > 0 && s[len - 1] != ' ')
        len--;
    s[len] = 0;
}

static void redraw_prompt(const char *prompt, const char *text)
{
    int pw = (int)tm_str_width(prompt);
    int avail = COLS - pw - 1;
    const char *shown = text;
    /* Keep the end of a long input visible. */
    while (avail > 0 && (int)tm_str_width(shown) > avail && *shown)
        shown++;
    while (((unsigned char)*shown & 0xC0) == 0x80)
        shown++;
    draw_text(LINES - 1, 0, pw, prompt, A_NORMAL);
    draw_text(LINES - 1, pw, COLS - pw, shown, A_NORMAL);
    move(LINES - 1, pw + (int)tm_str_width(shown));
    refresh();
}

bool prompt_line(struct app *app, const char *prompt, char *out, size_t size)
{
    return prompt_line_complete(app, prompt, out, size, NULL);
}

bool prompt_line_complete(struct app *app, const char *prompt, char *out, size_t size,
                          prompt_complete_fn complete)
{
    char text[1024], choices[1024] = "";
    snprintf(text, sizeof(text), "%s", out); /* the caller's suggestion, editable */
    curs_set(1);
    for (;;) {
        if (choices[0]) /* what Tab could not decide between, shown above the prompt */
            draw_text(LINES - 2, 0, COLS, choices, A_REVERSE);
        redraw_prompt(prompt, text);
        int key;
        nodelay(stdscr, FALSE);
        int got = app_read_key(&key);
        nodelay(stdscr, TRUE);
        if (!got)
            continue;
        if (choices[0]) {
            choices[0] = 0;
            app->dirty = true;
        }
        if (key == '\t' && complete) {
            complete(text, size < sizeof(text) ? size : sizeof(text), choices, sizeof(choices));
        } else if (key == '\r' || key == '\n' || key == TM_KEY_KEYPAD_ENTER) {
            break;
        } else if (key == 27 || key == UI_KEY_CTRL('g')) {
            curs_set(0);
            app->message[0] = 0;
            app->dirty = true;
            return false;
        } else if (key == TM_KEY_BACKSPACE) {
            drop_last_char(text);
        } else if (key == UI_KEY_CTRL('u')) {
            text[0] = 0;
        } else if (key == UI_KEY_CTRL('w')) {
            drop_last_word(text);
        } else if (key == UI_KEY_RESIZE) {
            clear();
        } else if (key >= 0x20 && key < TM_KEY_SPECIAL) {
            char mb[8];
            mbstate_t ps;
            memset(&ps, 0, sizeof(ps));
            size_t n = wcrtomb(mb, (wchar_t)key, &ps);
            size_t used = strlen(text);
            if (n != (size_t)-1 && used + n < sizeof(text) && used + n < size) {
                memcpy(text + used, mb, n);
                text[used + n] = 0;
            }
        }
    }
    curs_set(0);
    snprintf(out, size, "%s", text);
    app->message[0] = 0;
    app->dirty = true;
    return true;
}

bool prompt_yes_no(struct app *app, const char *question)
{
    char line[512];
    snprintf(line, sizeof(line), "%s ([y]/n): ", question);
    for (;;) {
        draw_text(LINES - 1, 0, COLS, line, A_NORMAL);
        refresh();
        int key;
        nodelay(stdscr, FALSE);
        int got = app_read_key(&key);
        nodelay(stdscr, TRUE);
        if (!got)
            continue;
        app->message[0] = 0;
        app->dirty = true;
        if (key == 'y' || key == 'Y' || key == '\r' || key == '\n')
            return true;
        if (key == 'n' || key == 'N' || key == 27 || key == UI_KEY_CTRL('g'))
            return false;
    }
}
