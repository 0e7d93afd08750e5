/* functions.c - the named functions of each key map (mutt's names) and mutt's default key
 * bindings, which every configuration starts with. */
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define G (1u << TM_MAP_GENERIC)
#define I (1u << TM_MAP_INDEX)
#define P (1u << TM_MAP_PAGER)
#define C (1u << TM_MAP_COMPOSE)
#define A (1u << TM_MAP_ATTACH)
#define B (1u << TM_MAP_BROWSER)
#define E (1u << TM_MAP_EDITOR)

struct op_info {
    const char *name;
    unsigned maps;
    const char *description;
};

#define TM_OP_INFO_(id, name, maps, desc) {name, maps, desc},
static const struct op_info ops[TM_OP_COUNT] = {TM_OPS(TM_OP_INFO_)};
#undef TM_OP_INFO_

static const char *const map_names[TM_MAP_COUNT] = {
    "generic", "index", "pager", "compose", "attach", "browser", "editor",
};

const char *tm_config_op_name(enum tm_op op)
{
    return op >= 0 && op < TM_OP_COUNT ? ops[op].name : "noop";
}

const char *tm_config_op_description(enum tm_op op)
{
    return op >= 0 && op < TM_OP_COUNT ? ops[op].description : "";
}

const char *tm_config_map_name(enum tm_keymap map)
{
    return map < TM_MAP_COUNT ? map_names[map] : "?";
}

enum tm_op cfg_op_find(const char *name)
{
    for (int i = 0; i < TM_OP_COUNT; i++)
        if (strcmp(ops[i].name, name) == 0)
            return (enum tm_op)i;
    return TM_OP_NONE;
}

bool cfg_op_valid_in(enum tm_op op, enum tm_keymap map)
{
    if (op < 0 || op >= TM_OP_COUNT)
        return false;
    if (ops[op].maps & (1u << map))
        return true;
    return map != TM_MAP_EDITOR && (ops[op].maps & G);
}

const char *cfg_op_suggest(const char *name)
{
    return cfg_did_you_mean(name, ops, TM_OP_COUNT, sizeof(ops[0]));
}

int cfg_map_find(const char *name)
{
    for (int i = 0; i < TM_MAP_COUNT; i++)
        if (strcmp(map_names[i], name) == 0)
            return i;
    return -1;
}

const char *cfg_map_suggest(const char *name)
{
    return cfg_did_you_mean(name, map_names, TM_MAP_COUNT, sizeof(map_names[0]));
}

/* mutt's defaults, in key-spec syntax, parsed like a user's bind lines. */
struct default_binding {
    enum tm_keymap map;
    const char *key;
    const char *op;
};

#include "keys_default.h"

size_t cfg_default_binding_count(void)
{
    return sizeof(default_bindings) / sizeof(default_bindings[0]);
}

enum tm_status cfg_bindings_add_defaults(struct tm_config *cfg)
{
    size_t n = cfg_default_binding_count();
    char msg[256];
    cfg->bindings = calloc(n + 64, sizeof(*cfg->bindings));
    if (!cfg->bindings)
        return TM_ENOMEM;
    cfg->cap_bindings = n + 64;
    for (size_t i = 0; i < n; i++) {
        struct tm_binding *b = &cfg->bindings[cfg->n_bindings];
        b->map = default_bindings[i].map;
        b->op = cfg_op_find(default_bindings[i].op);
        /* A typo here is caught by the unit test that checks every default parses. */
        if (b->op == TM_OP_NONE ||
            !cfg_key_parse(default_bindings[i].key, &b->keys, msg, sizeof(msg)))
            continue;
        cfg->n_bindings++;
    }
    return TM_OK;
}

bool tm_config_binding_active(const struct tm_config *cfg, size_t i)
{
    const struct tm_binding *b = &cfg->bindings[i];
    if (b->op == TM_OP_NONE && !b->macro_keys)
        return false;
    for (size_t j = i + 1; j < cfg->n_bindings; j++) {
        const struct tm_binding *o = &cfg->bindings[j];
        if (o->map == b->map && o->keys.len == b->keys.len &&
            memcmp(o->keys.keys, b->keys.keys, sizeof(int32_t) * (size_t)b->keys.len) == 0)
            return false;
    }
    return true;
}

static bool seq_starts(const struct tm_keyseq *s, const int32_t *keys, int n)
{
    if (s->len < n)
        return false;
    for (int i = 0; i < n; i++)
        if (s->keys[i] != keys[i])
            return false;
    return true;
}

static const struct tm_binding *find_in(const struct tm_config *cfg, enum tm_keymap map,
                                        const int32_t *keys, int n, bool *prefix)
{
    for (size_t i = cfg->n_bindings; i-- > 0;) {
        const struct tm_binding *b = &cfg->bindings[i];
        if (b->map != map || !seq_starts(&b->keys, keys, n))
            continue;
        if (b->keys.len > n) {
            *prefix = *prefix || b->op != TM_OP_NONE || b->macro_keys;
            continue;
        }
        return b;
    }
    return NULL;
}

const struct tm_binding *tm_config_binding_find(const struct tm_config *cfg, enum tm_keymap map,
                                                const int32_t *keys, int n, bool *is_prefix)
{
    bool prefix = false;
    const struct tm_binding *b = find_in(cfg, map, keys, n, &prefix);
    if (!b && !prefix && map != TM_MAP_EDITOR && map != TM_MAP_GENERIC)
        b = find_in(cfg, TM_MAP_GENERIC, keys, n, &prefix);
    if (b && b->op == TM_OP_NONE && !b->macro_keys)
        b = NULL; /* unbound with noop */
    if (is_prefix)
        *is_prefix = prefix;
    return b;
}
