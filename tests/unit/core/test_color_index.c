/* test_color_index.c - `color index` rules with text atoms (~b ~B ~h =b =B =h) are refused at
 * their file and line when the configuration is read with core's pattern check, as tmail reads
 * it (startup, :source, a typed :color line, --check-config). */
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/config.h"
#include "tmail/pattern.h"

/* What main.c and ui/command.c pass, without the process environment. */
static const struct tm_config_env check_env = {NULL, NULL, tm_pattern_check_index_color};

/* Every diagnostic of cfg as tm_config_format_diag writes it, one per line (malloc'd). */
static char *all_diags(const struct tm_config *cfg)
{
    struct tm_buf out;
    tm_buf_init(&out, 0);
    for (size_t i = 0; i < cfg->n_diags; i++)
        if (tm_config_format_diag(&cfg->diags[i], &out) != TM_OK)
            abort();
    char *text = strdup(out.data ? out.data : "");
    tm_buf_cleanup(&out);
    return text;
}

TM_TEST(color_index_text_atoms_are_errors_at_file_and_line)
{
    static const char rc[] = "color index brightyellow default \"~N\"\n"
                             "color index red default \"~b invoice\"\n"
                             "# a comment\n"
                             "color index red default \"~N | !(~s x ~h List-Id)\"\n"
                             "color index bold red default \"=B 'on call'\"\n"
                             "color index red default \"~s \\\"~b\\\"\"\n" /* ~b as a subject */
                             "color index red default \"~z <<\"\n";
    struct tm_config *cfg = tm_config_new();
    TM_CHECK(cfg != NULL);
    TM_CHECK_INT(tm_config_parse_buffer(cfg, "home.rc", rc, sizeof(rc) - 1, &check_env), TM_OK);
    static const char want[] =
        "home.rc:2: color index: ~b needs the message text and cannot color the index\n"
        "home.rc:4: color index: ~h needs the message text and cannot color the index\n"
        "home.rc:5: color index: =B needs the message text and cannot color the index\n"
        "home.rc:7: color index: pattern error at column 6: bad size (like <10K, >1M, 1K-10K)\n";
    char *diags = all_diags(cfg);
    bool same = strcmp(diags, want) == 0;
    if (!same)
        fprintf(stderr, "diagnostics:\n%s", diags);
    /* the refused rules are not kept: they would color nothing */
    bool kept = cfg->n_colors == 2 && strcmp(cfg->colors[0].pattern, "~N") == 0 &&
                strcmp(cfg->colors[1].pattern, "~s \"~b\"") == 0;
    size_t errors = cfg->n_errors;
    free(diags);
    tm_config_free(&cfg);
    TM_CHECK(same);
    TM_CHECK_INT(errors, 4);
    TM_CHECK(kept);
}

TM_TEST(color_index_check_names_each_text_atom)
{
    static const struct {
        const char *pattern, *atom;
    } cases[] = {{"~b x", "~b"},
                 {"~B x", "~B"},
                 {"~h x", "~h"},
                 {"=b x", "=b"},
                 {"=B x", "=B"},
                 {"=h 'X-Spam: yes'", "=h"},
                 {"~F (~s a | =h b)", "=h"},
                 {"!~B x ~b y", "~B"}};
    char msg[256], want[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        msg[0] = 0;
        TM_CHECK(!tm_pattern_check_index_color(cases[i].pattern, msg, sizeof(msg)));
        snprintf(want, sizeof(want), "%s needs the message text and cannot color the index",
                 cases[i].atom);
        TM_CHECK_STR(msg, want);
    }
    TM_CHECK(tm_pattern_check_index_color("~N ~F | ~s 'b' ~d <2w", msg, sizeof(msg)));
    TM_CHECK(tm_pattern_check_index_color("~f =b", msg, sizeof(msg))); /* =b as a sender */
}

TM_TEST(color_index_check_config_reports_the_line)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tmailrc", tm_test_tmpdir());
    FILE *f = fopen(path, "w");
    TM_CHECK(f != NULL);
    fputs("set sort = threads\n\ncolor index red default \"~h '^X-Spam: yes'\"\n", f);
    fclose(f);
    struct tm_buf report;
    tm_buf_init(&report, 0);
    TM_CHECK_INT(tm_config_check_file(path, &check_env, &report), 1);
    char want[4200];
    snprintf(want, sizeof(want),
             "%s:3: color index: ~h needs the message text and cannot color the index\n", path);
    bool found = report.data && strstr(report.data, want);
    if (!found)
        fprintf(stderr, "report:\n%s", report.data ? report.data : "");
    tm_buf_cleanup(&report);
    TM_CHECK(found);
}
