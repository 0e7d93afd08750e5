/* test_check.c - reading files: source (relative, loops, depth, missing), caps, binary data,
 * file modes, and tmail --check-config on good and bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "tm_test.h"

#define DATA TM_TEST_SRCDIR "/tests/data/config/"

static struct tm_config *load(const char *path, enum tm_status want)
{
    struct tm_config *cfg = NULL;
    struct tm_error err;
    enum tm_status st = tm_config_load_file(path, &test_env, &cfg, &err);
    if (st != want || !cfg) {
        fprintf(stderr, "load %s: %d: %s\n", path, (int)st, err.message);
        tm_config_free(&cfg);
        return NULL;
    }
    return cfg;
}

TM_TEST(check_good_file_with_source)
{
    struct tm_config *cfg = load(DATA "good.tmailrc", TM_OK);
    TM_CHECK(cfg != NULL);
    if (cfg->n_errors)
        dump_diags(cfg);
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->n_warnings, 1); /* archive has no smtp */
    TM_CHECK_INT(cfg->n_accounts, 2);
    TM_CHECK_INT(cfg->n_colors, 6);
    TM_CHECK_STR(cfg->settings.editor, "vim +/^$");
    tm_config_free(&cfg);
    struct tm_buf report;
    tm_buf_init(&report, 1 << 20);
    TM_CHECK_INT(tm_config_check_file(DATA "good.tmailrc", NULL, &report), 0);
    TM_CHECK(strstr(report.data, "0 error(s), 1 warning(s)") != NULL);
    tm_buf_cleanup(&report);
}

TM_TEST(check_bad_file_reports_every_error)
{
    struct tm_buf report;
    tm_buf_init(&report, 1 << 20);
    TM_CHECK_INT(tm_config_check_file(DATA "bad.tmailrc", NULL, &report), 1);
    const char *r = report.data;
    TM_CHECK(strstr(r, "bad.tmailrc:2: unknown setting \"srot\" (did you mean \"sort\"?)\n"));
    TM_CHECK(strstr(r, "bad.tmailrc:3: beep needs yes or no"));
    TM_CHECK(strstr(r, "bad.tmailrc:4: account work has no from address"));
    TM_CHECK(strstr(r, "bad.tmailrc:7: unknown function \"next-entyr\" (did you mean "
                       "\"next-entry\"?)"));
    TM_CHECK(strstr(r, "bad.tmailrc:8: unknown colour object"));
    TM_CHECK(strstr(r, "bad.tmailrc:9: cannot read "));
    TM_CHECK(strstr(r, "missing-file.rc: No such file"));
    TM_CHECK(strstr(r, "6 error(s)"));
    tm_buf_cleanup(&report);
}

TM_TEST(check_missing_main_file_is_unusable)
{
    struct tm_config *cfg = load("/nonexistent/tmailrc", TM_ECONFIG);
    TM_CHECK(cfg != NULL);
    TM_CHECK(cfg->unusable);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 0, "cannot read"));
    tm_config_free(&cfg);
}

TM_TEST(check_source_loop)
{
    struct tm_config *cfg = load(DATA "loop-a.rc", TM_OK);
    TM_CHECK(cfg != NULL);
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "source loop"));
    TM_CHECK(strstr(cfg->diags[0].file, "loop-b.rc") != NULL);
    tm_config_free(&cfg);
}

TM_TEST(check_source_depth_limit)
{
    const char *dir = tm_test_tmpdir();
    char name[32], text[64];
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "d%d.rc", i);
        snprintf(text, sizeof(text), "set wrap = %d\nsource d%d.rc\n", i, i + 1);
        write_rc(dir, name, text, 0600);
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/d0.rc", dir);
    struct tm_config *cfg = load(path, TM_OK);
    TM_CHECK(cfg != NULL);
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "nested too deep"));
    TM_CHECK_INT(cfg->settings.wrap, 15);
    tm_config_free(&cfg);
}

TM_TEST(check_sourced_file_relative_to_includer)
{
    const char *dir = tm_test_tmpdir();
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    TM_CHECK(mkdir(sub, 0700) == 0);
    write_rc(dir, "main.rc", "source sub/inner.rc\n", 0600);
    write_rc(sub, "inner.rc", "source leaf.rc\n", 0600);
    write_rc(sub, "leaf.rc", "set sort = size\n", 0600);
    char path[4096];
    snprintf(path, sizeof(path), "%s/main.rc", dir);
    struct tm_config *cfg = load(path, TM_OK);
    TM_CHECK(cfg != NULL);
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(cfg->settings.sort, TM_SORT_SIZE);
    tm_config_free(&cfg);
}

TM_TEST(check_huge_file_is_unusable)
{
    const char *dir = tm_test_tmpdir();
    size_t n = TM_CONFIG_MAX_FILE + 10;
    char *text = malloc(n + 1);
    TM_CHECK(text != NULL);
    for (size_t i = 0; i < n; i++)
        text[i] = i % 64 == 63 ? '\n' : '#';
    text[n] = 0;
    const char *path = write_rc(dir, "huge.rc", text, 0600);
    free(text);
    struct tm_config *cfg = load(path, TM_ECONFIG);
    TM_CHECK(cfg != NULL);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 0, "file larger than"));
    tm_config_free(&cfg);
}

TM_TEST(check_binary_file_is_unusable_but_sourced_one_is_an_error)
{
    const char *dir = tm_test_tmpdir();
    const char *bin = write_rc(dir, "bin.rc", "set x\n\x01\x02", 0600);
    /* write_rc takes C strings: append the NUL byte by hand. */
    FILE *f = fopen(bin, "ab");
    TM_CHECK(f != NULL);
    fputc(0, f);
    fclose(f);
    char path[4096];
    snprintf(path, sizeof(path), "%s/bin.rc", dir);
    struct tm_config *cfg = load(path, TM_ECONFIG);
    TM_CHECK(cfg != NULL);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "binary data"));
    tm_config_free(&cfg);
    const char *main_rc = write_rc(dir, "main.rc", "source bin.rc\nset wrap = 9\n", 0600);
    cfg = load(main_rc, TM_OK);
    TM_CHECK(cfg != NULL);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "binary data"));
    TM_CHECK_INT(cfg->settings.wrap, 9);
    tm_config_free(&cfg);
}

static const char password_rc[] = "account a\n"
                                  "set from = a@b.org\n"
                                  "set imap = imaps://a@h.org\n"
                                  "set password = hunter2\n"
                                  "end\n";

TM_TEST(check_password_in_readable_file_warns)
{
    const char *dir = tm_test_tmpdir();
    const char *path = write_rc(dir, "open.rc", password_rc, 0644);
    struct tm_config *cfg = load(path, TM_OK);
    TM_CHECK(cfg != NULL);
    TM_CHECK(has_diag(cfg, TM_CONFIG_WARNING, 4, "others can read"));
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_STR(cfg->accounts[0].password, "hunter2");
    tm_config_free(&cfg);
    path = write_rc(dir, "closed.rc", password_rc, 0600);
    cfg = load(path, TM_OK);
    TM_CHECK(cfg != NULL);
    for (size_t i = 0; i < cfg->n_diags; i++)
        TM_CHECK(strstr(cfg->diags[i].message, "others can read") == NULL);
    tm_config_free(&cfg);
}

TM_TEST(check_diag_format)
{
    struct tm_config_diag d = {TM_CONFIG_WARNING, "f.rc", 3, "m"};
    struct tm_buf b;
    tm_buf_init(&b, 1024);
    TM_CHECK_INT(tm_config_format_diag(&d, &b), TM_OK);
    d.severity = TM_CONFIG_ERROR;
    d.line = 0;
    TM_CHECK_INT(tm_config_format_diag(&d, &b), TM_OK);
    TM_CHECK_STR(b.data, "f.rc:3: warning: m\nf.rc: m\n");
    tm_buf_cleanup(&b);
}
