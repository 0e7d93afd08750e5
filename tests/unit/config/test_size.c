/* test_size.c - size settings (src/config/values.c, e.g. fetch_whole_max): digits with an
 * optional K, M or G (powers of 1024, either case), the table's bounds, and bad values refused
 * with a message naming the setting, the value, the file and the line, the old value kept. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "src/config/private.h"
#include "tm_test.h"
#include "tmail/buf.h"

#define KIB 1024L
#define MIB (1024L * 1024)
#define GIB (1024L * 1024 * 1024)

/* The value "set fetch_whole_max = text" gives, or -1 when it is refused (msg says why). */
static long size_of(const char *text, char *msg, size_t size)
{
    const struct tm_setting_info *s = cfg_setting_find("fetch_whole_max");
    struct tm_settings g = {0};
    struct tm_account a = {0};
    msg[0] = 0;
    if (!s || s->type != TM_SET_SIZE)
        return -2;
    long *dst = cfg_setting_ptr(s, &g, &a);
    *dst = -1;
    if (!cfg_value_set(s, dst, text, msg, size))
        return *dst == -1 ? -1 : -3; /* a refused value must not be half set */
    return *dst;
}

TM_TEST(size_units_multiply_by_powers_of_1024)
{
    char msg[256];
    TM_CHECK_INT(size_of("0", msg, sizeof(msg)), 0);
    TM_CHECK_INT(size_of("1", msg, sizeof(msg)), 1);
    TM_CHECK_INT(size_of("1000", msg, sizeof(msg)), 1000);
    TM_CHECK_INT(size_of("256K", msg, sizeof(msg)), 256 * KIB);
    TM_CHECK_INT(size_of("256k", msg, sizeof(msg)), 256 * KIB);
    TM_CHECK_INT(size_of("1M", msg, sizeof(msg)), MIB);
    TM_CHECK_INT(size_of("5m", msg, sizeof(msg)), 5 * MIB);
    TM_CHECK_INT(size_of("1024M", msg, sizeof(msg)), GIB);
    TM_CHECK_INT(size_of("1G", msg, sizeof(msg)), GIB); /* the table's maximum */
    TM_CHECK_INT(size_of("0K", msg, sizeof(msg)), 0);
    TM_CHECK_INT(size_of("007K", msg, sizeof(msg)), 7 * KIB);
    TM_CHECK_STR(msg, "");
}

TM_TEST(size_bad_values_say_what_is_wanted)
{
    static const char *const bad[] = {"",    "K",   "M",   "12X",  "1.5M", "-1", "-1K",
                                      "1KB", "1 K", " 1K", "0x10", "KM",   "1T", "ten"};
    char msg[256], want[256];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long got = size_of(bad[i], msg, sizeof(msg));
        snprintf(want, sizeof(want), "fetch_whole_max needs a size such as 256K, not \"%s\"",
                 bad[i]);
        if (got != -1 || strcmp(msg, want) != 0)
            tm_test_fail(__FILE__, __LINE__, "\"%s\": %ld, \"%s\"", bad[i], got, msg);
    }
}

TM_TEST(size_out_of_bounds_or_overflowing_is_refused)
{
    char msg[256];
    TM_CHECK_INT(size_of("2G", msg, sizeof(msg)), -1);
    TM_CHECK_STR(msg, "fetch_whole_max must be between 0 and 1073741824 bytes, not 2G");
    TM_CHECK_INT(size_of("1073741825", msg, sizeof(msg)), -1);
    TM_CHECK(strstr(msg, "must be between 0 and 1073741824 bytes") != NULL);
    /* digits that would overflow once multiplied, and digits too many for any size */
    TM_CHECK_INT(size_of("9223372036854775807K", msg, sizeof(msg)), -1);
    TM_CHECK(strstr(msg, "needs a size such as 256K") != NULL);
    TM_CHECK_INT(size_of("99999999999999999999999999999999999999G", msg, sizeof(msg)), -1);
    TM_CHECK(strstr(msg, "needs a size such as 256K") != NULL);
}

TM_TEST(size_in_a_file_globally_and_per_account)
{
    struct tm_config *cfg = parse_text("set fetch_whole_max = 1M\n"
                                       "account big\n"
                                       "  set from = alice@example.org\n"
                                       "  set imap = imaps://alice@imap.example.org\n"
                                       "  set fetch_whole_max = 0\n"
                                       "end\n"
                                       "account usual\n"
                                       "  set from = bob@example.org\n"
                                       "  set imap = imaps://bob@imap.example.org\n"
                                       "end\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    TM_CHECK_INT(tm_config_account(cfg, "big")->fetch_whole_max, 0);
    TM_CHECK_INT(tm_config_account(cfg, "usual")->fetch_whole_max, MIB);
    tm_config_free(&cfg);
    cfg = parse_text("");
    TM_CHECK_INT(cfg->defaults.fetch_whole_max, 256 * KIB); /* the documented default */
    tm_config_free(&cfg);
}

TM_TEST(size_bad_value_in_a_file_names_the_file_and_line_and_keeps_the_default)
{
    struct tm_config *cfg = parse_text("set fetch_whole_max = 512K\n"
                                       "\n"
                                       "set fetch_whole_max = lots\n");
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3,
                      "fetch_whole_max needs a size such as 256K, not \"lots\""));
    TM_CHECK_INT(cfg->defaults.fetch_whole_max, 512 * KIB); /* the line before holds */
    struct tm_buf line;
    tm_buf_init(&line, 4096);
    TM_CHECK_INT(tm_config_format_diag(&cfg->diags[0], &line), TM_OK);
    TM_CHECK_STR(line.data, "test.rc:3: fetch_whole_max needs a size such as 256K, not \"lots\"\n");
    tm_buf_cleanup(&line);
    tm_config_free(&cfg);
}

TM_TEST(size_error_of_a_loaded_file_names_its_path_and_line)
{
    const char *path = write_rc(tm_test_tmpdir(), "tmailrc",
                                "account a\n"
                                "  set from = alice@example.org\n"
                                "  set fetch_whole_max = 3G\n"
                                "  set imap = imaps://alice@imap.example.org\n"
                                "end\n",
                                0600);
    char want[4200];
    struct tm_config *cfg = NULL;
    struct tm_error err;
    struct tm_buf line;
    snprintf(want, sizeof(want),
             "%s:3: fetch_whole_max must be between 0 and 1073741824 bytes, not 3G\n", path);
    tm_buf_init(&line, 1 << 16);
    TM_CHECK_INT(tm_config_load_file(path, &test_env, &cfg, &err), TM_OK);
    TM_CHECK_INT(cfg->n_errors, 1);
    TM_CHECK_INT(tm_config_format_diag(&cfg->diags[0], &line), TM_OK);
    TM_CHECK_STR(line.data, want);
    TM_CHECK_INT(tm_config_account(cfg, "a")->fetch_whole_max, 256 * KIB);
    tm_buf_cleanup(&line);
    tm_config_free(&cfg);
}
