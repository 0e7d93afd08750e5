/* commands.c - bind, macro, color, source, alias, and account ... end blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tmail/alias.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

static struct tm_binding *new_binding(struct tm_config *cfg)
{
    if (TM_ARRAY_RESERVE(cfg->bindings, cfg->n_bindings, cfg->cap_bindings, 64))
        return NULL;
    struct tm_binding *b = &cfg->bindings[cfg->n_bindings];
    memset(b, 0, sizeof(*b));
    return b;
}

/* Parses "index,pager" into a bit set of maps; reports and returns 0 on an unknown map. */
static unsigned parse_maps(struct cfg_loader *ld, char *list, enum tm_status *st)
{
    unsigned maps = 0;
    for (char *name = list, *comma; name; name = comma ? comma + 1 : NULL) {
        comma = strchr(name, ',');
        if (comma)
            *comma = 0;
        int m = cfg_map_find(name);
        if (m >= 0) {
            maps |= 1u << m;
            continue;
        }
        const char *hint = cfg_map_suggest(name);
        if (hint)
            *st = cmd_error(ld, _("unknown key map \"%s\" (did you mean \"%s\"?)"), name, hint);
        else
            *st = cmd_error(ld,
                            _("unknown key map \"%s\" (generic, index, pager, compose, "
                              "attach, browser or editor)"),
                            name);
        return 0;
    }
    return maps;
}

static enum tm_status bind_op(struct cfg_loader *ld, unsigned maps, const struct tm_keyseq *keys,
                              const char *fn)
{
    enum tm_op op = cfg_op_find(fn);
    if (op == TM_OP_NONE && strcmp(fn, "noop") != 0) {
        const char *hint = cfg_diags_full(ld->cfg) ? NULL : cfg_op_suggest(fn);
        if (hint)
            return cmd_error(ld, _("unknown function \"%s\" (did you mean \"%s\"?)"), fn, hint);
        return cmd_error(ld, _("unknown function \"%s\""), fn);
    }
    for (int m = 0; m < TM_MAP_COUNT; m++) {
        if (!(maps & (1u << m)))
            continue;
        if (op != TM_OP_NONE && !cfg_op_valid_in(op, (enum tm_keymap)m))
            return cmd_error(ld, _("function %s is not available in the %s map"), fn,
                             tm_config_map_name((enum tm_keymap)m));
        struct tm_binding *b = new_binding(ld->cfg);
        if (!b)
            return TM_ENOMEM;
        b->map = (enum tm_keymap)m;
        b->keys = *keys;
        b->op = op;
        ld->cfg->n_bindings++;
    }
    return TM_OK;
}

enum tm_status cmd_bind(struct cfg_loader *ld, struct cfg_words *w)
{
    enum tm_status st = TM_OK;
    char msg[512];
    struct tm_keyseq keys;
    if (w->n != 4)
        return cmd_error(ld, _("usage: bind MAP KEY FUNCTION"));
    unsigned maps = parse_maps(ld, w->w[1].text, &st);
    if (!maps)
        return st;
    if (!cfg_key_parse(w->w[2].text, &keys, msg, sizeof(msg)))
        return cmd_error(ld, "%s", msg);
    return bind_op(ld, maps, &keys, w->w[3].text);
}

static enum tm_status add_macro(struct cfg_loader *ld, enum tm_keymap map,
                                const struct tm_keyseq *keys, struct cfg_words *w)
{
    char msg[512];
    int32_t *seq;
    int n;
    if (!cfg_macro_parse(w->w[3].text, map, !cfg_diags_full(ld->cfg), &seq, &n, msg, sizeof(msg)))
        return cmd_error(ld, "%s", msg);
    struct tm_binding *b = new_binding(ld->cfg);
    if (!b) {
        free(seq);
        return TM_ENOMEM;
    }
    b->map = map;
    b->keys = *keys;
    b->op = TM_OP_NONE;
    b->macro_keys = seq;
    b->macro_len = n;
    b->macro_text = strdup(w->w[3].text);
    b->description = w->n == 5 ? strdup(w->w[4].text) : NULL;
    ld->cfg->n_bindings++;
    if (!b->macro_text || (w->n == 5 && !b->description))
        return TM_ENOMEM;
    return TM_OK;
}

enum tm_status cmd_macro(struct cfg_loader *ld, struct cfg_words *w)
{
    enum tm_status st = TM_OK;
    char msg[512];
    struct tm_keyseq keys;
    if (w->n != 4 && w->n != 5)
        return cmd_error(ld, _("usage: macro MAP KEY \"KEYS\" [\"DESCRIPTION\"]"));
    unsigned maps = parse_maps(ld, w->w[1].text, &st);
    if (!maps)
        return st;
    if (!cfg_key_parse(w->w[2].text, &keys, msg, sizeof(msg)))
        return cmd_error(ld, "%s", msg);
    if (!*w->w[3].text)
        return cmd_error(ld, _("empty macro"));
    for (int m = 0; m < TM_MAP_COUNT && st == TM_OK; m++)
        if (maps & (1u << m))
            st = add_macro(ld, (enum tm_keymap)m, &keys, w);
    return st;
}

enum tm_status cmd_color(struct cfg_loader *ld, struct cfg_words *w)
{
    struct tm_config *cfg = ld->cfg;
    char msg[512];
    struct tm_color_rule rule;
    if (!cfg_color_parse(w->w + 1, w->n - 1, ld->env, &rule, msg, sizeof(msg)))
        return cmd_error(ld, "%s", msg);
    if (cfg->n_colors == cfg->cap_colors) {
        size_t cap = cfg->cap_colors ? cfg->cap_colors * 2 : 16;
        struct tm_color_rule *c = realloc(cfg->colors, cap * sizeof(*c));
        if (!c) {
            free(rule.pattern);
            return TM_ENOMEM;
        }
        cfg->colors = c;
        cfg->cap_colors = cap;
    }
    cfg->colors[cfg->n_colors++] = rule;
    return TM_OK;
}

enum tm_status cmd_source(struct cfg_loader *ld, struct cfg_words *w)
{
    if (w->n != 2)
        return cmd_error(ld, _("usage: source FILE"));
    if (!ld->source)
        return cmd_error(ld, _("source is not available here"));
    return ld->source(ld, w->w[1].text);
}

enum tm_status cmd_account(struct cfg_loader *ld, struct cfg_words *w)
{
    struct tm_config *cfg = ld->cfg;
    if (w->n != 2 || !*w->w[1].text)
        return cmd_error(ld, _("usage: account NAME (then settings, then end)"));
    if (ld->account >= 0)
        return cmd_error(ld, _("account %s starts inside account %s: missing \"end\""),
                         w->w[1].text, cfg->accounts[ld->account].name);
    const struct tm_account *old = tm_config_account(cfg, w->w[1].text);
    if (old)
        return cmd_error(ld, _("account %s is already defined at %s:%d"), old->name, old->file,
                         old->line);
    struct tm_account *a = realloc(cfg->accounts, (cfg->n_accounts + 1) * sizeof(*a));
    if (!a)
        return TM_ENOMEM;
    cfg->accounts = a;
    a += cfg->n_accounts;
    if (cfg_account_init(a, w->w[1].text, ld->file, ld->line) != TM_OK)
        return TM_ENOMEM;
    ld->account = (long)cfg->n_accounts++;
    ld->account_depth = ld->depth;
    return TM_OK;
}

enum tm_status cmd_end(struct cfg_loader *ld, struct cfg_words *w)
{
    if (w->n != 1)
        return cmd_error(ld, _("usage: end"));
    if (ld->account < 0)
        return cmd_error(ld, _("end without account"));
    ld->account = -1;
    return TM_OK;
}

enum tm_status cmd_alias(struct cfg_loader *ld, const char *line, size_t len)
{
    struct tm_error err;
    enum tm_status st = tm_alias_parse_line(&ld->cfg->aliases, line, len, false, &err);
    return st == TM_EPARSE ? cmd_error(ld, "%s", err.message) : st;
}
