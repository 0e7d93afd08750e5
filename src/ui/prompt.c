/* prompt.c - the line editor on the bottom row: UTF-8 text with a cursor, driven by the editor
 * key map of the configuration (mutt's defaults: ^A ^E ^B ^F ^D ^K ^U ^W, <Esc>b, <Esc>f ...),
 * Tab completion where the caller offers it, Up / Down (^P / ^N) through what was typed before
 * at the same prompt in this session (one history for all pattern prompts), Enter to accept, ^G
 * or a lone Esc to cancel; and the one-key prompts (set-flag's). */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "private.h"
#include "tmail/str.h"

#define LINE_MAX_BYTES 1024

struct line {
    char text[LINE_MAX_BYTES];
    size_t len, cur; /* bytes; cur is always on a character boundary */
    size_t cap;      /* the caller's buffer size: text never grows past it */
};

static size_t prev_char(const struct line *l, size_t pos)
{
    while (pos > 0 && ((unsigned char)l->text[--pos] & 0xC0) == 0x80)
        ;
    return pos;
}

static size_t next_char(const struct line *l, size_t pos)
{
    if (pos < l->len)
        pos++;
    while (pos < l->len && ((unsigned char)l->text[pos] & 0xC0) == 0x80)
        pos++;
    return pos;
}

static size_t word_start(const struct line *l, size_t pos)
{
    while (pos > 0 && l->text[pos - 1] == ' ')
        pos--;
    while (pos > 0 && l->text[pos - 1] != ' ')
        pos--;
    return pos;
}

static size_t word_end(const struct line *l, size_t pos)
{
    while (pos < l->len && l->text[pos] == ' ')
        pos++;
    while (pos < l->len && l->text[pos] != ' ')
        pos++;
    return pos;
}

/* Removes text[from..to). */
static void cut(struct line *l, size_t from, size_t to)
{
    memmove(l->text + from, l->text + to, l->len - to + 1);
    l->len -= to - from;
    if (l->cur > to)
        l->cur -= to - from;
    else if (l->cur > from)
        l->cur = from;
}

static void insert_key(struct line *l, int key)
{
    char mb[8];
    mbstate_t ps;
    memset(&ps, 0, sizeof(ps));
    size_t n = wcrtomb(mb, (wchar_t)key, &ps);
    if (n == (size_t)-1 || l->len + n >= sizeof(l->text) || l->len + n >= l->cap)
        return;
    memmove(l->text + l->cur + n, l->text + l->cur, l->len - l->cur + 1);
    memcpy(l->text + l->cur, mb, n);
    l->len += n;
    l->cur += n;
}

/* upcase-word, downcase-word, capitalize-word on the word at or after the cursor (ASCII). */
static void change_case(struct line *l, int how)
{
    size_t pos = l->cur, end = word_end(l, pos);
    bool first = true;
    for (; pos < end; pos++) {
        unsigned char c = (unsigned char)l->text[pos];
        if (c == ' ')
            continue;
        l->text[pos] = (char)(how > 0 || (how == 0 && first) ? toupper(c) : tolower(c));
        first = false;
    }
    l->cur = end;
}

/* Applies an editor function; false for functions that do nothing here. */
static bool edit_op(struct line *l, enum tm_op op)
{
    switch (op) {
    case TM_OP_BACKSPACE:
        cut(l, prev_char(l, l->cur), l->cur);
        return true;
    case TM_OP_DELETE_CHAR:
        cut(l, l->cur, next_char(l, l->cur));
        return true;
    case TM_OP_BACKWARD_CHAR:
        l->cur = prev_char(l, l->cur);
        return true;
    case TM_OP_FORWARD_CHAR:
        l->cur = next_char(l, l->cur);
        return true;
    case TM_OP_BACKWARD_WORD:
        l->cur = word_start(l, l->cur);
        return true;
    case TM_OP_FORWARD_WORD:
        l->cur = word_end(l, l->cur);
        return true;
    case TM_OP_BOL:
        l->cur = 0;
        return true;
    case TM_OP_EOL:
        l->cur = l->len;
        return true;
    case TM_OP_KILL_LINE:
        cut(l, 0, l->len);
        return true;
    case TM_OP_KILL_EOL:
        cut(l, l->cur, l->len);
        return true;
    case TM_OP_KILL_WORD:
        cut(l, word_start(l, l->cur), l->cur);
        return true;
    case TM_OP_KILL_EOW:
        cut(l, l->cur, word_end(l, l->cur));
        return true;
    case TM_OP_TRANSPOSE_CHARS: {
        if (l->cur == 0 || l->len < 2)
            return true;
        size_t b = l->cur == l->len ? prev_char(l, l->cur) : l->cur;
        size_t a = prev_char(l, b), e = next_char(l, b);
        char tmp[8];
        size_t na = b - a, nb = e - b;
        memcpy(tmp, l->text + a, na);
        memmove(l->text + a, l->text + b, nb);
        memcpy(l->text + a + nb, tmp, na);
        l->cur = e;
        return true;
    }
    case TM_OP_UPCASE_WORD:
        change_case(l, 1);
        return true;
    case TM_OP_DOWNCASE_WORD:
        change_case(l, -1);
        return true;
    case TM_OP_CAPITALIZE_WORD:
        change_case(l, 0);
        return true;
    default:
        return false;
    }
}

/* ---- History: per prompt text, the last HISTORY_MAX lines accepted (never a password) ---- */

#define HISTORY_PROMPTS 32
#define HISTORY_MAX     50

struct history {
    char *prompt;             /* owned; NULL: a free slot */
    char *lines[HISTORY_MAX]; /* owned, oldest first */
    size_t n;
};

static struct history histories[HISTORY_PROMPTS];

/* The history of prompt, made when new (NULL when the table is full or memory is short). */
static struct history *history_of(const char *prompt)
{
    for (size_t i = 0; i < HISTORY_PROMPTS; i++)
        if (histories[i].prompt && strcmp(histories[i].prompt, prompt) == 0)
            return &histories[i];
    for (size_t i = 0; i < HISTORY_PROMPTS; i++)
        if (!histories[i].prompt)
            return (histories[i].prompt = strdup(prompt)) ? &histories[i] : NULL;
    return NULL;
}

/* Keeps text as the newest line of h, unless empty or the same as the newest. */
static void history_add(struct history *h, const char *text)
{
    if (!h || !text[0] || (h->n && strcmp(h->lines[h->n - 1], text) == 0))
        return;
    char *copy = strdup(text);
    if (!copy)
        return;
    if (h->n == HISTORY_MAX) {
        free(h->lines[0]);
        memmove(h->lines, h->lines + 1, (HISTORY_MAX - 1) * sizeof(h->lines[0]));
        h->n--;
    }
    h->lines[h->n++] = copy;
}

void prompt_history_free(void)
{
    for (size_t i = 0; i < HISTORY_PROMPTS; i++) {
        for (size_t k = 0; k < histories[i].n; k++)
            free(histories[i].lines[k]);
        free(histories[i].prompt);
        memset(&histories[i], 0, sizeof(histories[i]));
    }
}

/* Replaces the line with text (cut to the line's capacity), the cursor at its end. */
static void line_set(struct line *l, const char *text)
{
    snprintf(l->text, l->cap, "%s", text);
    l->len = strlen(l->text);
    if (l->len < strlen(text)) { /* cut: the last character may be partial, so it goes */
        l->len = prev_char(l, l->len);
        l->text[l->len] = 0;
    }
    l->cur = l->len;
}

/* The history the next prompt_line_list uses instead of its prompt's own (prompt_pattern). */
static const char *history_name;

bool prompt_pattern(struct app *app, const char *prompt, char *out, size_t size)
{
    history_name = "\x01pattern"; /* cannot be a prompt's text */
    bool ok = prompt_line(app, prompt, out, size);
    history_name = NULL;
    return ok;
}

/* Set while a password is typed: nothing of it is drawn (as mutt: no echo, no stars). */
static bool hide_input;

/* Shows the prompt and the part of the text around the cursor; puts the terminal cursor there. */
static void redraw_prompt(const char *prompt, const struct line *l)
{
    if (hide_input) {
        int pw = (int)tm_str_width(prompt);
        draw_text(LINES - 1, 0, COLS, prompt, A_NORMAL);
        move(LINES - 1, pw < COLS ? pw : COLS - 1);
        refresh();
        return;
    }
    int pw = (int)tm_str_width(prompt);
    int avail = COLS - pw - 1 > 1 ? COLS - pw - 1 : 1;
    char before[LINE_MAX_BYTES];
    memcpy(before, l->text, l->cur);
    before[l->cur] = 0;
    const char *shown = before; /* scroll so the cursor stays visible */
    while (*shown && (int)tm_str_width(shown) > avail - 1)
        shown++;
    while (((unsigned char)*shown & 0xC0) == 0x80)
        shown++;
    size_t offset = (size_t)(shown - before);
    draw_text(LINES - 1, 0, pw, prompt, A_NORMAL);
    draw_text(LINES - 1, pw, COLS - pw, l->text + offset, A_NORMAL);
    move(LINES - 1, pw + (int)tm_str_width(shown));
    refresh();
}

/* The next key. Esc followed within 50 ms by a key that makes an editor binding (<Esc>b) is
 * that binding's first key; a lone Esc, or one followed by anything else, cancels, and the other
 * key is kept for whatever comes next. */
static int read_key(struct app *app, bool *got)
{
    int key = 0;
    *got = app_wait_key(&key);
    if (*got && key == 27) {
        int next;
        timeout(50);
        bool more = app_read_key(&next);
        nodelay(stdscr, TRUE);
        if (!more)
            return UI_KEY_CANCEL;
        int32_t seq[2] = {27, next};
        bool prefix = false;
        const struct tm_binding *b =
            app->cfg ? tm_config_binding_find(app->cfg, TM_MAP_EDITOR, seq, 2, &prefix) : NULL;
        app_unread_key(next);
        if (!b && !prefix)
            return UI_KEY_CANCEL;
    }
    return key;
}

bool prompt_line(struct app *app, const char *prompt, char *out, size_t size)
{
    return prompt_line_list(app, prompt, out, size, NULL, NULL, false) == PROMPT_OK;
}

bool prompt_line_complete(struct app *app, const char *prompt, char *out, size_t size,
                          prompt_complete_fn complete, void *ctx)
{
    return prompt_line_list(app, prompt, out, size, complete, ctx, false) == PROMPT_OK;
}

enum prompt_result prompt_line_list(struct app *app, const char *prompt, char *out, size_t size,
                                    prompt_complete_fn complete, void *ctx, bool list)
{
    struct line l = {.cap = size < LINE_MAX_BYTES ? size : LINE_MAX_BYTES};
    char choices[1024] = "", editing[LINE_MAX_BYTES] = "";
    struct history *h = hide_input ? NULL : history_of(history_name ? history_name : prompt);
    size_t back = 0; /* how far up the history the line is; 0: the line being edited */
    int32_t seq[TM_KEYSEQ_MAX];
    int nseq = 0;
    bool quote_next = false, accepted = false, first = true;
    enum prompt_result result = PROMPT_CANCEL;
    snprintf(l.text, l.cap, "%s", out); /* the caller's suggestion, editable */
    l.len = l.cur = strlen(l.text);
    curs_set(1);
    for (;;) {
        if (choices[0]) /* what Tab could not decide between, shown above the prompt */
            draw_untrusted(LINES - 2, 0, COLS, choices, A_REVERSE);
        redraw_prompt(prompt, &l);
        bool got;
        int key = read_key(app, &got);
        if (!got)
            continue;
        if (list && key == '?' && nseq == 0 && (first || l.len == 0)) {
            result = PROMPT_LIST; /* mutt's "'?' for list": the first key, or on an empty line */
            break;
        }
        first = false;
        if (choices[0]) {
            choices[0] = 0;
            app->dirty = true;
        }
        if (quote_next) { /* quote-char: the key itself, whatever it is bound to */
            quote_next = false;
            if (key > 0 && key < TM_KEY_SPECIAL)
                insert_key(&l, key);
            continue;
        }
        if (nseq == 0 && (key == '\r' || key == '\n' || key == TM_KEY_KEYPAD_ENTER)) {
            accepted = true;
            break;
        }
        if (nseq == 0 && (key == UI_KEY_CANCEL || key == UI_KEY_CTRL('g')))
            break;
        if (key == UI_KEY_RESIZE) {
            clear();
            continue;
        }
        seq[nseq++] = key;
        bool prefix = false;
        const struct tm_binding *b =
            app->cfg ? tm_config_binding_find(app->cfg, TM_MAP_EDITOR, seq, nseq, &prefix) : NULL;
        if (prefix && nseq < TM_KEYSEQ_MAX)
            continue;
        int n = nseq;
        nseq = 0;
        if (b && b->op == TM_OP_COMPLETE && complete) {
            snprintf(out, size, "%s", l.text);
            complete(ctx, l.text, l.cap, choices, sizeof(choices));
            l.len = l.cur = strlen(l.text);
        } else if (b && b->op == TM_OP_QUOTE_CHAR) {
            quote_next = true;
        } else if (b && (b->op == TM_OP_HISTORY_UP || b->op == TM_OP_HISTORY_DOWN)) {
            bool up = b->op == TM_OP_HISTORY_UP;
            if (h && (up ? back < h->n : back > 0)) {
                if (back == 0)
                    snprintf(editing, sizeof(editing), "%s", l.text);
                back = up ? back + 1 : back - 1;
                line_set(&l, back ? h->lines[h->n - back] : editing);
            }
        } else if (b && edit_op(&l, b->op)) {
            /* done */
        } else if (!b && n == 1 && key >= 0x20 && key < TM_KEY_SPECIAL) {
            insert_key(&l, key);
        }
    }
    curs_set(0);
    if (accepted) {
        snprintf(out, size, "%s", l.text);
        history_add(h, l.text);
        result = PROMPT_OK;
    }
    explicit_bzero(l.text, sizeof(l.text)); /* it may have been a password */
    app->message[0] = 0;
    app->dirty = true;
    return result;
}

bool prompt_secret(struct app *app, const char *prompt, char *out, size_t size)
{
    out[0] = 0;
    hide_input = true;
    bool ok = prompt_line_list(app, prompt, out, size, NULL, NULL, false) == PROMPT_OK;
    hide_input = false;
    return ok;
}

bool prompt_yes_no(struct app *app, const char *question)
{
    return prompt_quad(app, question, TM_QUAD_ASK_YES) == 1;
}

int prompt_quad(struct app *app, const char *question, int quad)
{
    if (quad == TM_QUAD_YES || quad == TM_QUAD_NO)
        return quad == TM_QUAD_YES;
    bool yes_default = quad != TM_QUAD_ASK_NO;
    char line[1024];
    snprintf(line, sizeof(line), "%s %s: ", question, yes_default ? "([y]/n)" : "(y/[n])");
    for (;;) {
        draw_untrusted(LINES - 1, 0, COLS, line, A_NORMAL);
        refresh();
        int key;
        int got = app_wait_key(&key);
        if (!got)
            continue;
        app->message[0] = 0;
        app->dirty = true;
        if (key == 'y' || key == 'Y')
            return 1;
        if (key == 'n' || key == 'N')
            return 0;
        if (key == '\r' || key == '\n' || key == TM_KEY_KEYPAD_ENTER)
            return yes_default;
        if (key == 27 || key == UI_KEY_CANCEL || key == UI_KEY_CTRL('g'))
            return -1;
    }
}

int prompt_key(struct app *app, const char *prompt)
{
    int pw = (int)tm_str_width(prompt), key = 0;
    curs_set(1);
    for (;;) {
        draw_text(LINES - 1, 0, COLS, prompt, A_NORMAL);
        move(LINES - 1, pw < COLS ? pw : COLS - 1);
        refresh();
        int got = app_wait_key(&key);
        if (got && key != UI_KEY_RESIZE)
            break;
        if (got)
            clear(); /* the new size: the screen is redrawn after the answer */
    }
    curs_set(0);
    app->message[0] = 0;
    app->dirty = true;
    return key == 27 || key == UI_KEY_CTRL('g') ? UI_KEY_CANCEL : key;
}
