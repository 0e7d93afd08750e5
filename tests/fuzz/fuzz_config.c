/* fuzz_config.c - libFuzzer target for the pure tmailrc parser: a buffer in, a configuration
 * and its diagnostics out, then the account checks and the diagnostic formatting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_env(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "HOME") == 0 ? "/home/fuzz" : "x";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct tm_config_env env = {fuzz_env, NULL, NULL};
    struct tm_config *cfg = tm_config_new();
    if (!cfg)
        return 0;
    if (tm_config_parse_buffer(cfg, "fuzz.rc", (const char *)data, size, &env) == TM_OK &&
        tm_config_finish(cfg) == TM_OK) {
        struct tm_buf out;
        tm_buf_init(&out, 1 << 20);
        for (size_t i = 0; i < cfg->n_diags; i++)
            tm_config_format_diag(&cfg->diags[i], &out);
        tm_buf_cleanup(&out);
        if (cfg->n_diags > TM_CONFIG_MAX_DIAGS || cfg->n_diags > cfg->n_errors + cfg->n_warnings)
            abort();
        for (size_t i = 0; i < cfg->n_bindings; i++) {
            bool prefix;
            char name[32];
            const struct tm_binding *b = &cfg->bindings[i];
            tm_config_binding_find(cfg, b->map, b->keys.keys, b->keys.len, &prefix);
            tm_config_key_name(b->keys.keys[0], name, sizeof(name));
        }
    }
    tm_config_free(&cfg);
    return 0;
}
