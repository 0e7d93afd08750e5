/* test_docs.c - doc/tmailrc.5 and share/tmailrc.example match the settings table, and every
 * line of the example parses when uncommented. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/config/private.h"
#include "tm_test.h"
#include "tmail/fsutil.h"

static char *read_all(const char *path)
{
    struct tm_buf b;
    struct tm_error err;
    tm_buf_init(&b, 1 << 20);
    if (tm_fs_read_file(path, 1 << 20, 0, &b, &err) != TM_OK) {
        tm_buf_cleanup(&b);
        return NULL;
    }
    return tm_buf_steal(&b);
}

TM_TEST(docs_man_page_matches_table)
{
    char *man = read_all(TM_TEST_SRCDIR "/doc/tmailrc.5");
    TM_CHECK(man != NULL);
    struct tm_buf gen, want;
    tm_buf_init(&gen, 1 << 20);
    tm_buf_init(&want, 1 << 20);
    TM_CHECK_INT(tm_config_write_docs(&gen, TM_DOC_MAN), TM_OK);
    TM_CHECK_INT(cfg_docs_splice(man, gen.data, &want), TM_OK);
    bool same = strcmp(want.data, man) == 0;
    free(man);
    tm_buf_cleanup(&gen);
    tm_buf_cleanup(&want);
    /* Regenerate: build/src/config/tmail-config-docs man doc/tmailrc.5 */
    TM_CHECK(same);
}

TM_TEST(docs_example_matches_table_and_parses)
{
    char *ex = read_all(TM_TEST_SRCDIR "/share/tmailrc.example");
    TM_CHECK(ex != NULL);
    struct tm_buf gen, sets;
    tm_buf_init(&gen, 1 << 20);
    tm_buf_init(&sets, 1 << 20);
    TM_CHECK_INT(tm_config_write_docs(&gen, TM_DOC_EXAMPLE), TM_OK);
    bool same = strcmp(gen.data, ex) == 0;
    /* Regenerate: build/src/config/tmail-config-docs example share/tmailrc.example */
    for (char *line = ex, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        if (strncmp(line, "# set ", 6) == 0)
            tm_buf_append(&sets, line + 2, nl ? (size_t)(nl - line + 1) - 2 : strlen(line + 2));
    }
    free(ex);
    tm_buf_cleanup(&gen);
    struct tm_config *cfg = parse_text(sets.data);
    tm_buf_cleanup(&sets);
    size_t errors = cfg->n_errors;
    if (errors)
        dump_diags(cfg);
    tm_config_free(&cfg);
    TM_CHECK(same);
    TM_CHECK_INT(errors, 0);
}
