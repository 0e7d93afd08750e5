/* pager_search.c - mutt's search in the pager: / and <Esc>/ ask for a regular expression
 * (case-insensitive unless it has a capital letter, as mutt's smart case), the page moves to
 * the next line that matches, wrapping around and saying so; n repeats, matches are shown in
 * reverse video until \ turns that off. The text searched is the pager's terminal-safe text,
 * one visual line at a time. */
#include <curses.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

/* The pattern of the last search, for n and the highlighting (one pager per process). */
static regex_t re;
static bool have_re, reverse_search, highlight = true;
static char last_text[256];
/* The line the last search stopped on: n goes on from it while the page still shows it (at the
 * end of a message the page cannot scroll the match to its top). */
static size_t last_found = (size_t)-1;

void pager_search_cleanup(void)
{
    if (have_re)
        regfree(&re);
    have_re = false;
}

/* Visual line i as a NUL-terminated copy (malloc'd, the caller frees); NULL without memory. */
static char *line_text(const struct app *app, size_t i)
{
    const struct pager_line *l = &app->lines[i];
    char *s = malloc(l->len + 1);
    if (s) {
        memcpy(s, app->pager_text.data + l->off, l->len);
        s[l->len] = 0;
    }
    return s;
}

static bool line_matches(const struct app *app, size_t i)
{
    char *s = line_text(app, i);
    bool hit = s && regexec(&re, s, 0, NULL, 0) == 0;
    free(s);
    return hit;
}

/* The next matching line after (before) from, wrapping around; false when none matches. */
static bool find(struct app *app, size_t from, bool reverse, size_t *found)
{
    size_t n = app->n_lines;
    for (size_t step = 1; step <= n; step++) {
        size_t i = reverse ? (from + n - step) % n : (from + step) % n;
        if (line_matches(app, i)) {
            if (reverse ? i >= from : i <= from)
                app_set_message(app, "%s",
                                reverse ? _("Search wrapped to bottom.")
                                        : _("Search wrapped to top."));
            *found = i;
            return true;
        }
    }
    app_set_message(app, "%s", _("Not found."));
    return false;
}

bool pager_search(struct app *app, enum ui_fn fn, size_t *line)
{
    if (fn == FN_SEARCH || fn == FN_SEARCH_REVERSE) {
        char text[sizeof(last_text)];
        snprintf(text, sizeof(text), "%s", last_text);
        if (!prompt_pattern(app,
                            fn == FN_SEARCH_REVERSE ? _("Reverse search for: ") : _("Search for: "),
                            text, sizeof(text)) ||
            !text[0])
            return false;
        bool caps = false;
        for (const char *p = text; *p; p++)
            caps |= *p >= 'A' && *p <= 'Z';
        regex_t fresh;
        int rc = regcomp(&fresh, text, REG_EXTENDED | (caps ? 0 : REG_ICASE));
        if (rc) {
            char why[200];
            regerror(rc, &fresh, why, sizeof(why));
            app_set_message(app, _("Bad regular expression: %s"), why);
            return false;
        }
        pager_search_cleanup();
        re = fresh;
        have_re = true;
        highlight = true;
        reverse_search = fn == FN_SEARCH_REVERSE;
        snprintf(last_text, sizeof(last_text), "%s", text);
    } else if (!have_re) {
        app_set_message(app, "%s", _("No search pattern."));
        return false;
    }
    bool reverse = reverse_search != (fn == FN_SEARCH_OPPOSITE);
    size_t from = app->pager_top, rows = (size_t)ui_layout(app).body_h;
    if (last_found != (size_t)-1 && last_found >= from && last_found < from + rows &&
        last_found < app->n_lines && fn != FN_SEARCH && fn != FN_SEARCH_REVERSE)
        from = last_found;
    if (app->n_lines == 0 || !find(app, from, reverse, line))
        return false;
    last_found = *line;
    return true;
}

void pager_search_toggle(struct app *app)
{
    highlight = !highlight;
    app->dirty = true;
}

void pager_search_highlight(const struct app *app, int y, int x0, size_t i)
{
    if (!have_re || !highlight)
        return;
    char *s = line_text(app, i);
    if (!s)
        return;
    regmatch_t m;
    size_t off = 0, len = strlen(s);
    while (off <= len && regexec(&re, s + off, 1, &m, off ? REG_NOTBOL : 0) == 0) {
        size_t start = off + (size_t)m.rm_so, end = off + (size_t)m.rm_eo;
        if (end == start) { /* an empty match shows nothing; step past it */
            off = end + 1;
            continue;
        }
        char saved = s[start];
        s[start] = 0;
        int col = x0 + (int)tm_str_width(s);
        s[start] = saved;
        saved = s[end];
        s[end] = 0;
        if (col < COLS) {
            size_t cols = 0, bytes = tm_str_fit(s + start, (size_t)(COLS - col), &cols);
            attron(A_REVERSE);
            mvaddnstr(y, col, s + start, (int)bytes);
            attroff(A_REVERSE);
        }
        s[end] = saved;
        off = end;
    }
    free(s);
}
