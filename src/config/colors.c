/* colors.c - `color OBJECT [ATTR...] FG BG [PATTERN]`: objects, the 8 named colours with bright
 * variants, colorNNN (0-255), default, and attributes. Header and body regexes are compiled here
 * to validate them; index patterns are kept as text for core to compile, and checked through the
 * caller's check_index_pattern (struct tm_config_env). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static const char *const object_names[TM_COLOR_OBJECT_COUNT] = {
    [TM_COLOR_NORMAL] = "normal",         [TM_COLOR_INDICATOR] = "indicator",
    [TM_COLOR_STATUS] = "status",         [TM_COLOR_TREE] = "tree",
    [TM_COLOR_INDEX] = "index",           [TM_COLOR_HEADER] = "header",
    [TM_COLOR_HDRDEFAULT] = "hdrdefault", [TM_COLOR_BODY] = "body",
    [TM_COLOR_QUOTED] = "quoted",         [TM_COLOR_QUOTED + 1] = "quoted1",
    [TM_COLOR_QUOTED + 2] = "quoted2",    [TM_COLOR_QUOTED + 3] = "quoted3",
    [TM_COLOR_QUOTED + 4] = "quoted4",    [TM_COLOR_QUOTED + 5] = "quoted5",
    [TM_COLOR_QUOTED + 6] = "quoted6",    [TM_COLOR_QUOTED + 7] = "quoted7",
    [TM_COLOR_QUOTED + 8] = "quoted8",    [TM_COLOR_QUOTED9] = "quoted9",
    [TM_COLOR_ATTACHMENT] = "attachment", [TM_COLOR_SIGNATURE] = "signature",
    [TM_COLOR_ERROR] = "error",           [TM_COLOR_MESSAGE] = "message",
    [TM_COLOR_MARKERS] = "markers",       [TM_COLOR_SEARCH] = "search",
    [TM_COLOR_TILDE] = "tilde",
};

static const char *const color_names[] = {"black",   "red",  "green", "yellow", "blue",
                                          "magenta", "cyan", "white", "default"};

static const struct {
    const char *name;
    unsigned attr;
} attr_names[] = {
    {"bold", TM_ATTR_BOLD},
    {"underline", TM_ATTR_UNDERLINE},
    {"reverse", TM_ATTR_REVERSE},
    {"standout", TM_ATTR_STANDOUT},
    {"blink", TM_ATTR_BLINK},
    {"italic", TM_ATTR_ITALIC},
    {"none", 0},
    {"normal", 0},
};

const char *tm_config_color_object_name(enum tm_color_object obj)
{
    return obj < TM_COLOR_OBJECT_COUNT ? object_names[obj] : "?";
}

static bool parse_color(const char *t, short *out, char *msg, size_t size)
{
    bool bright = strncasecmp(t, "bright", 6) == 0 && t[6];
    const char *name = bright ? t + 6 : t;
    for (int i = 0; i < 9; i++) {
        if (strcasecmp(name, color_names[i]) == 0 && !(bright && i == 8)) {
            *out = (short)(i == 8 ? TM_COLOR_DEFAULT : i + (bright ? 8 : 0));
            return true;
        }
    }
    int64_t n;
    if (strncasecmp(t, "color", 5) == 0 && tm_str_to_i64(t + 5, &n) && n >= 0 && n <= 255) {
        *out = (short)n;
        return true;
    }
    const char *hint = cfg_did_you_mean(name, color_names, 9, sizeof(char *));
    if (hint)
        snprintf(msg, size, _("unknown colour \"%s\" (did you mean \"%s%s\"?)"), t,
                 bright ? "bright" : "", hint);
    else
        snprintf(msg, size, _("unknown colour \"%s\" (a name, brightNAME, colorNNN or default)"),
                 t);
    return false;
}

static int find_object(const char *name)
{
    for (int i = 0; i < TM_COLOR_OBJECT_COUNT; i++)
        if (strcmp(object_names[i], name) == 0)
            return i;
    return -1;
}

static bool parse_attr(const char *t, unsigned *attrs)
{
    for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
        if (strcasecmp(t, attr_names[i].name) == 0) {
            *attrs |= attr_names[i].attr;
            return true;
        }
    }
    return false;
}

static bool check_pattern(struct tm_color_rule *r, const char *pattern,
                          const struct tm_config_env *env, char *msg, size_t size)
{
    bool needs = r->object == TM_COLOR_HEADER || r->object == TM_COLOR_BODY;
    bool takes = needs || r->object == TM_COLOR_INDEX;
    char why[400];
    if (needs && !pattern)
        return snprintf(msg, size, _("color %s needs a regular expression"),
                        object_names[r->object]),
               false;
    if (!takes && pattern)
        return snprintf(msg, size, _("color %s takes no pattern"), object_names[r->object]), false;
    if (needs && !cfg_regex_check(pattern, msg, size))
        return false;
    /* an index pattern that cannot be used would otherwise color nothing, silently */
    if (r->object == TM_COLOR_INDEX && pattern && env && env->check_index_pattern &&
        !env->check_index_pattern(pattern, why, sizeof(why)))
        return snprintf(msg, size, _("color index: %s"), why), false;
    if (pattern && !(r->pattern = strdup(pattern)))
        return snprintf(msg, size, _("out of memory")), false;
    return true;
}

/* w[0] is the object; attributes, fg, bg and the pattern follow. */
bool cfg_color_parse(struct cfg_word *w, size_t n, const struct tm_config_env *env,
                     struct tm_color_rule *r, char *msg, size_t size)
{
    memset(r, 0, sizeof(*r));
    int obj = n ? find_object(w[0].text) : -1;
    if (obj < 0) {
        const char *hint =
            n ? cfg_did_you_mean(w[0].text, object_names, TM_COLOR_OBJECT_COUNT, sizeof(char *))
              : NULL;
        if (!n)
            snprintf(msg, size, _("usage: color OBJECT FG BG [PATTERN]"));
        else if (hint)
            snprintf(msg, size, _("unknown colour object \"%s\" (did you mean \"%s\"?)"), w[0].text,
                     hint);
        else
            snprintf(msg, size, _("unknown colour object \"%s\""), w[0].text);
        return false;
    }
    r->object = (enum tm_color_object)obj;
    size_t i = 1;
    while (i < n && parse_attr(w[i].text, &r->attrs))
        i++;
    if (n - i < 2 || n - i > 3)
        return snprintf(msg, size, _("usage: color OBJECT FG BG [PATTERN]")), false;
    if (!parse_color(w[i].text, &r->fg, msg, size) ||
        !parse_color(w[i + 1].text, &r->bg, msg, size))
        return false;
    return check_pattern(r, n - i == 3 ? w[i + 2].text : NULL, env, msg, size);
}
