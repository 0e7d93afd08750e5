/* fuzz_mailcap.c - libFuzzer target for mailcap parsing, look-up and command expansion. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/mailcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *echo_param(const char *name, void *ctx)
{
    (void)ctx;
    return name;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tm_mailcap mc = {0};
    struct tm_buf out;
    tm_buf_init(&out, 1 << 20);
    if (tm_mailcap_parse(&mc, (const char *)data, size, NULL) == TM_OK) {
        for (size_t i = 0; i < mc.n; i++) {
            size_t from = 0;
            tm_mailcap_find(&mc, mc.entries[i].type, mc.entries[i].flags, &from);
            tm_buf_reset(&out);
            tm_mailcap_expand(mc.entries[i].view, "/tmp/f", "text/plain", echo_param, NULL, &out,
                              NULL);
            for (const char *c = out.data; c && *c; c++)
                if (*c == '\'' && strstr(mc.entries[i].view, "'") == NULL)
                    abort(); /* a quote that was not in the command came from a value */
        }
    }
    tm_mailcap_cleanup(&mc);
    tm_buf_cleanup(&out);
    return 0;
}
