/* test_colors.c - colour rules: objects, colours, attributes, patterns and their errors. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "tm_test.h"

TM_TEST(colors_rules)
{
    struct tm_config *cfg = parse_text("color normal default default\n"
                                       "color indicator black cyan\n"
                                       "color index brightyellow default \"~N\"\n"
                                       "color header color208 color16 \"^(From|Subject):\"\n"
                                       "color quoted3 bold underline green default\n"
                                       "color body red default \"https?://[^ ]+\"\n"
                                       "color status BrightWhite blue\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_colors, 7);
    TM_CHECK_INT(cfg->colors[0].fg, TM_COLOR_DEFAULT);
    TM_CHECK_INT(cfg->colors[1].fg, 0);
    TM_CHECK_INT(cfg->colors[1].bg, 6);
    TM_CHECK_INT(cfg->colors[2].object, TM_COLOR_INDEX);
    TM_CHECK_INT(cfg->colors[2].fg, 11);
    TM_CHECK_STR(cfg->colors[2].pattern, "~N");
    TM_CHECK_INT(cfg->colors[3].fg, 208);
    TM_CHECK_INT(cfg->colors[3].bg, 16);
    TM_CHECK_INT(cfg->colors[4].object, TM_COLOR_QUOTED + 3);
    TM_CHECK_INT(cfg->colors[4].attrs, TM_ATTR_BOLD | TM_ATTR_UNDERLINE);
    TM_CHECK(cfg->colors[4].pattern == NULL);
    TM_CHECK_INT(cfg->colors[6].fg, 15);
    TM_CHECK_STR(tm_config_color_object_name(TM_COLOR_QUOTED9), "quoted9");
    tm_config_free(&cfg);
}

TM_TEST(colors_errors)
{
    struct tm_config *cfg = parse_text("color indicatr black cyan\n"
                                       "color index rde default ~N\n"
                                       "color index color256 default\n"
                                       "color header red default \"([\"\n"
                                       "color header red default\n"
                                       "color status red default ~N\n"
                                       "color status red\n"
                                       "color wibblewobble red blue\n"
                                       "color normal brightmagneta default\n");
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 1, "did you mean \"indicator\"?"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "unknown colour \"rde\" (did you mean \"red\"?)"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "unknown colour \"color256\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "bad regular expression"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "needs a regular expression"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 6, "takes no pattern"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 7, "usage: color"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 8, "unknown colour object \"wibblewobble\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 9, "did you mean \"brightmagenta\"?"));
    TM_CHECK_INT(cfg->n_errors, 9);
    TM_CHECK_INT(cfg->n_colors, 0);
    tm_config_free(&cfg);
}

/* Refuses patterns holding "body"; counts its calls. */
static int checked;
static bool fake_check(const char *pattern, char *msg, size_t size)
{
    checked++;
    if (!strstr(pattern, "body"))
        return true;
    snprintf(msg, size, "%s is not for the index", pattern);
    return false;
}

TM_TEST(colors_index_pattern_checked_by_the_callers_check)
{
    static const struct tm_config_env env = {NULL, NULL, fake_check};
    static const char rc[] = "color index red default \"~N\"\n"
                             "color header red default \"body\"\n"
                             "color index red default \"body\"\n"
                             "color index red default\n";
    struct tm_config *cfg = tm_config_new();
    TM_CHECK(cfg != NULL);
    checked = 0;
    TM_CHECK_INT(tm_config_parse_buffer(cfg, "test.rc", rc, sizeof(rc) - 1, &env), TM_OK);
    TM_CHECK_INT(checked, 2); /* index patterns only */
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "color index: body is not for the index"));
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK_INT(cfg->n_colors, 3);
    tm_config_free(&cfg);
    /* without a check (the pure parser, fuzzing) every pattern is kept as text */
    cfg = parse_text("color index red default \"body\"\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_colors, 1);
    tm_config_free(&cfg);
}
