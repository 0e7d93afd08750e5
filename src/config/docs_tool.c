/* docs_tool.c - tmail-config-docs: regenerates the settings section of doc/tmailrc.5
 * (`man FILE`) or the whole share/tmailrc.example (`example FILE`) from the settings table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/fsutil.h"

static int write_file(const char *path, const struct tm_buf *b)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
        if (f)
            fclose(f);
        return 1;
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    struct tm_buf gen, old, out;
    struct tm_error err;
    int rc = 1;
    tm_buf_init(&gen, TM_BUF_DEFAULT_LIMIT);
    tm_buf_init(&old, TM_BUF_DEFAULT_LIMIT);
    tm_buf_init(&out, TM_BUF_DEFAULT_LIMIT);
    if (argc != 3 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "example") != 0)) {
        fprintf(stderr, "usage: tmail-config-docs man|example FILE\n");
        goto out;
    }
    bool man = strcmp(argv[1], "man") == 0;
    if (tm_config_write_docs(&gen, man ? TM_DOC_MAN : TM_DOC_EXAMPLE) != TM_OK)
        goto out;
    if (man && (tm_fs_read_file(argv[2], 1 << 20, 0, &old, &err) != TM_OK ||
                cfg_docs_splice(old.data, gen.data, &out) != TM_OK)) {
        fprintf(stderr, "%s: cannot read, or no generated-settings markers\n", argv[2]);
        goto out;
    }
    rc = write_file(argv[2], man ? &out : &gen);
    if (rc)
        fprintf(stderr, "%s: cannot write\n", argv[2]);
out:
    tm_buf_cleanup(&gen);
    tm_buf_cleanup(&old);
    tm_buf_cleanup(&out);
    return rc;
}
