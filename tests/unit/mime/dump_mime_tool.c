/* dump_mime_tool.c - test helper: prints tm_mime_dump_json of one message file, for the
 * cross-check against Python's email package (crosscheck_email.py). */
#include <stdio.h>
#include <stdlib.h>

#include "tmail/mime.h"

/* Reads all of path into a malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n;
    char *data = f ? malloc(cap) : NULL;
    *len = 0;
    while (data && (n = fread(data + *len, 1, cap - *len, f)) > 0) {
        *len += n;
        if (*len == cap) {
            char *p = realloc(data, cap * 2);
            if (!p) {
                free(data);
                data = NULL;
                break;
            }
            data = p;
            cap *= 2;
        }
    }
    if (f)
        fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    size_t len;
    struct tm_buf out;
    struct tm_error err;
    if (argc != 2) {
        fprintf(stderr, "usage: dump_mime_tool FILE\n");
        return 2;
    }
    char *msg = slurp(argv[1], &len);
    if (!msg) {
        fprintf(stderr, "dump_mime_tool: cannot read %s\n", argv[1]);
        return 1;
    }
    tm_buf_init(&out, 0);
    enum tm_status st = tm_mime_dump_json(msg, len, &out, &err);
    if (st == TM_OK)
        fwrite(out.data, 1, out.len, stdout);
    else
        fprintf(stderr, "dump_mime_tool: %s\n", err.message);
    tm_buf_cleanup(&out);
    free(msg);
    return st == TM_OK ? 0 : 1;
}
