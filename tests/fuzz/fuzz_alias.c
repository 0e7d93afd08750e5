/* fuzz_alias.c - libFuzzer target for mutt alias files: the input read as an alias file, every
 * alias checked (key rules, no control character in a value, one alias per key), looked up and
 * completed, and the input (up to its first NUL) expanded as a recipient list. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tmail/alias.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_alias(void *ctx, const struct tm_alias *a)
{
    (void)a;
    (*(size_t *)ctx)++;
    return 0;
}

static void check_alias(const struct tm_alias_set *set, size_t i)
{
    const struct tm_alias *a = &set->items[i];
    if (!*a->key || !*a->value)
        abort();
    for (const unsigned char *p = (const unsigned char *)a->key; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            abort();
    for (const unsigned char *p = (const unsigned char *)a->value; *p; p++)
        if ((*p < ' ' && *p != '\t') || *p == 0x7f)
            abort();
    for (size_t j = 0; j < i; j++)
        if (strcasecmp(set->items[j].key, a->key) == 0)
            abort();
    if (tm_alias_lookup(set, a->key) != a->value)
        abort();
    /* an alias always completes from its whole key */
    size_t n = 0;
    tm_alias_complete(set, a->key, count_alias, &n);
    if (n == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tm_alias_set set = {0};
    struct tm_error err;
    tm_alias_parse_buffer(&set, "fuzz", (const char *)data, size, &err);
    for (size_t i = 0; i < set.count; i++)
        check_alias(&set, i);
    tm_alias_parse_line(&set, (const char *)data, size, false, &err);

    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = 0;
        size_t n = 0, all = 0;
        tm_alias_complete(&set, "", count_alias, &all);
        if (all != set.count)
            abort();
        tm_alias_complete(&set, strlen(text) > 8 ? text + strlen(text) - 8 : text, count_alias, &n);
        char *out = NULL;
        if (tm_alias_expand_list(&set, text, &out, &err) == TM_OK && !out)
            abort();
        free(out);
        free(text);
    }
    tm_alias_set_cleanup(&set);
    return 0;
}
