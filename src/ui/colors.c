/* colors.c - the `color` rules of the configuration as curses attributes: one colour pair per
 * (foreground, background) in use, an attribute per object, and header lines coloured by regex.
 * Index lines are coloured by mutt patterns (~N, ~F, ~s ...), compiled once here; not by ~b ~B ~h
 * (=b =B =h), which need the message text. */
#include <curses.h>
#include <regex.h>
#include <stdlib.h>
#include <time.h>

#include "private.h"
#include "tmail/pattern.h"

struct header_rule {
    regex_t re;
    int attr;
};

struct index_rule {
    struct tm_pattern *pattern;
    int attr;
};

struct ui_colors {
    int attr[TM_COLOR_OBJECT_COUNT]; /* -1: not set by the user */
    struct header_rule *headers;
    size_t n_headers;
    struct index_rule *index; /* `color index FG BG PATTERN`, matched per row */
    size_t n_index;
    short next_pair;
};

static short color_value(short c)
{
    if (c == TM_COLOR_DEFAULT || c < 0)
        return -1;
    if (c >= COLORS) /* a 256-colour name on a smaller terminal: its base colour */
        return (short)(c % 8);
    return c;
}

/* A colour pair for fg/bg, reusing an earlier one with the same colours. */
static int pair_for(struct ui_colors *uc, short fg, short bg)
{
    short f, b;
    for (short p = 1; p < uc->next_pair; p++)
        if (pair_content(p, &f, &b) == OK && f == fg && b == bg)
            return COLOR_PAIR(p);
    if (uc->next_pair >= COLOR_PAIRS || init_pair(uc->next_pair, fg, bg) != OK)
        return 0;
    return COLOR_PAIR(uc->next_pair++);
}

static int rule_attr(struct ui_colors *uc, const struct tm_color_rule *r)
{
    int attr = has_colors() ? pair_for(uc, color_value(r->fg), color_value(r->bg)) : 0;
    attr |= (r->attrs & TM_ATTR_BOLD) ? A_BOLD : 0;
    attr |= (r->attrs & TM_ATTR_UNDERLINE) ? A_UNDERLINE : 0;
    attr |= (r->attrs & TM_ATTR_REVERSE) ? A_REVERSE : 0;
    attr |= (r->attrs & TM_ATTR_STANDOUT) ? A_STANDOUT : 0;
    attr |= (r->attrs & TM_ATTR_BLINK) ? A_BLINK : 0;
    return attr;
}

static void add_header_rule(struct ui_colors *uc, const char *pattern, int attr)
{
    struct header_rule *p = realloc(uc->headers, (uc->n_headers + 1) * sizeof(*p));
    if (!p)
        return;
    uc->headers = p;
    /* Checked by the configuration already; case-insensitive like mutt's default. */
    if (regcomp(&p[uc->n_headers].re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) == 0)
        p[uc->n_headers++].attr = attr;
}

/* The configuration refused bad patterns at their line already (tm_pattern_check_index_color);
 * checked again so that a rule that could only match nothing is never used. */
static void add_index_rule(struct app *app, struct ui_colors *uc, const char *pattern, int attr)
{
    char why[400];
    struct tm_error err;
    struct index_rule *p = realloc(uc->index, (uc->n_index + 1) * sizeof(*p));
    if (!p)
        return;
    uc->index = p;
    if (!tm_pattern_check_index_color(pattern, why, sizeof(why))) {
        app_set_message(app, "color index %s: %s", pattern, why);
        return;
    }
    if (tm_pattern_compile(pattern, &p[uc->n_index].pattern, &err) != TM_OK) {
        app_set_message(app, "color index %s: %s", pattern, err.message);
        return;
    }
    p[uc->n_index++].attr = attr;
}

void colors_init(struct app *app)
{
    struct ui_colors *uc = calloc(1, sizeof(*uc));
    if (!uc)
        return;
    uc->next_pair = 1;
    for (int i = 0; i < TM_COLOR_OBJECT_COUNT; i++)
        uc->attr[i] = -1;
    for (size_t i = 0; app->cfg && i < app->cfg->n_colors; i++) {
        const struct tm_color_rule *r = &app->cfg->colors[i];
        if (r->object == TM_COLOR_HEADER && r->pattern)
            add_header_rule(uc, r->pattern, rule_attr(uc, r));
        else if (r->object == TM_COLOR_INDEX && r->pattern)
            add_index_rule(app, uc, r->pattern, rule_attr(uc, r));
        else if (!r->pattern && r->object < TM_COLOR_OBJECT_COUNT)
            uc->attr[r->object] = rule_attr(uc, r); /* later rules win */
    }
    app->colors = uc;
}

void colors_free(struct app *app)
{
    struct ui_colors *uc = app->colors;
    if (!uc)
        return;
    for (size_t i = 0; i < uc->n_headers; i++)
        regfree(&uc->headers[i].re);
    free(uc->headers);
    for (size_t i = 0; i < uc->n_index; i++)
        tm_pattern_free(&uc->index[i].pattern);
    free(uc->index);
    free(uc);
    app->colors = NULL;
}

int colors_attr(const struct app *app, enum tm_color_object object, int fallback)
{
    const struct ui_colors *uc = app->colors;
    if (!uc || object >= TM_COLOR_OBJECT_COUNT || uc->attr[object] < 0)
        return fallback;
    return uc->attr[object];
}

int colors_header_attr(const struct app *app, const char *line, int fallback)
{
    const struct ui_colors *uc = app->colors;
    int attr = colors_attr(app, TM_COLOR_HDRDEFAULT, fallback);
    for (size_t i = 0; uc && i < uc->n_headers; i++) /* the last matching rule wins */
        if (regexec(&uc->headers[i].re, line, 0, NULL, 0) == 0)
            attr = uc->headers[i].attr;
    return attr;
}

int colors_quote_attr(const struct app *app, int level, int fallback)
{
    if (level > 9)
        level = 9;
    int attr = colors_attr(app, TM_COLOR_QUOTED + level, -1);
    return attr >= 0 ? attr : colors_attr(app, TM_COLOR_QUOTED, fallback);
}

int colors_index_attr(const struct app *app, const struct tm_message_row *row, int fallback)
{
    const struct ui_colors *uc = app->colors;
    int attr = fallback;
    time_t now = time(NULL);
    for (size_t i = 0; uc && i < uc->n_index; i++) /* the last matching rule wins */
        if (tm_pattern_match(uc->index[i].pattern, row, now))
            attr = uc->index[i].attr;
    return attr;
}
