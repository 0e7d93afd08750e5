/* cmd_set.c - `set NAME = VALUE` (also NAME=VALUE, set NAME / noNAME / invNAME for yes-or-no
 * settings, several per line), `unset NAME` and `reset NAME`, checked against the settings
 * table and its scope (global, or allowed inside an account block). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "tmail/i18n.h"

static enum tm_status unknown_setting(struct cfg_loader *ld, const char *name)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    const char *hint = cfg_diags_full(ld->cfg) ? NULL : cfg_did_you_mean(name, t, n, sizeof(*t));
    if (hint)
        return cmd_error(ld, _("unknown setting \"%s\" (did you mean \"%s\"?)"), name, hint);
    return cmd_error(ld, _("unknown setting \"%s\""), name);
}

/* Where s lives for this line, or NULL after reporting that it may not be set here. */
static void *target(struct cfg_loader *ld, const struct tm_setting_info *s, const char *name,
                    enum tm_status *st)
{
    struct tm_config *cfg = ld->cfg;
    struct tm_account *a = ld->account >= 0 ? &cfg->accounts[ld->account] : &cfg->defaults;
    if (s->scope == TM_SCOPE_GLOBAL && ld->account >= 0) {
        *st = cmd_error(ld, _("%s is a global setting: it cannot be set inside account %s"), name,
                        a->name);
        return NULL;
    }
    if (s->scope == TM_SCOPE_ACCOUNT) {
        int bit = cfg_setting_index(s);
        if (bit >= 0 && bit < 64)
            a->set_mask |= (uint64_t)1 << bit;
    }
    return cfg_setting_ptr(s, &cfg->settings, a);
}

static enum tm_status warn_password(struct cfg_loader *ld, const struct tm_setting_info *s,
                                    const char *value)
{
    if (s->scope != TM_SCOPE_ACCOUNT || s->offset != offsetof(struct tm_account, password) ||
        !*value || !(ld->file_mode & (S_IRGRP | S_IROTH)))
        return TM_OK;
    return cfg_diag(ld->cfg, TM_CONFIG_WARNING, ld->file, ld->line,
                    _("password stored in a file others can read: use password_cmd, or chmod "
                      "600 %s"),
                    ld->file);
}

/* value NULL: the bare `set NAME` form (noNAME / invNAME for yes-or-no settings). */
static enum tm_status assign(struct cfg_loader *ld, const char *name, const char *value)
{
    const struct tm_setting_info *s = cfg_setting_find(name);
    enum tm_status st = TM_OK;
    bool no = !s && !value && strncmp(name, "no", 2) == 0;
    bool inv = !s && !value && strncmp(name, "inv", 3) == 0;
    if (no || inv)
        s = cfg_setting_find(name + (no ? 2 : 3));
    if (!s || ((no || inv) && s->type != TM_SET_BOOL))
        return unknown_setting(ld, name);
    if (!value && s->type != TM_SET_BOOL)
        return cmd_error(ld, _("%s needs a value: set %s = VALUE"), name, name);
    void *dst = target(ld, s, name, &st);
    if (!dst)
        return st;
    if (!value) {
        *(bool *)dst = inv ? !*(bool *)dst : !no;
        return TM_OK;
    }
    char msg[512];
    if (!cfg_value_set(s, dst, value, msg, sizeof(msg)))
        return cmd_error(ld, "%s", msg);
    return warn_password(ld, s, value);
}

enum tm_status cmd_set(struct cfg_loader *ld, struct cfg_words *w)
{
    enum tm_status st = TM_OK;
    if (w->n < 2)
        return cmd_error(ld, _("usage: set NAME = VALUE"));
    for (size_t i = 1; i < w->n && st == TM_OK;) {
        struct cfg_word *cur = &w->w[i], *vw;
        const char *name = cur->text, *value;
        if (cur->eq >= 0) {
            cur->text[cur->eq] = 0;
            vw = cur;
            value = cur->text + cur->eq + 1;
            i++;
        } else if (i + 1 < w->n && w->w[i + 1].eq == 0) {
            vw = &w->w[i + 1];
            value = vw->text + 1;
            i += 2;
        } else {
            st = assign(ld, name, NULL);
            i++;
            continue;
        }
        if (!*value && !vw->eq_tail_quoted && i < w->n)
            value = w->w[i++].text;
        st = *name ? assign(ld, name, value) : cmd_error(ld, _("missing setting name before ="));
    }
    return st;
}

static enum tm_status unset_or_reset(struct cfg_loader *ld, struct cfg_words *w, bool reset)
{
    enum tm_status st = TM_OK;
    if (w->n < 2)
        return cmd_error(ld, reset ? _("usage: reset NAME...") : _("usage: unset NAME..."));
    for (size_t i = 1; i < w->n && st == TM_OK; i++) {
        const struct tm_setting_info *s = cfg_setting_find(w->w[i].text);
        if (!s) {
            st = unknown_setting(ld, w->w[i].text);
            continue;
        }
        void *dst = target(ld, s, w->w[i].text, &st);
        if (!dst)
            continue;
        char msg[256];
        if (reset) {
            cfg_value_free(s, dst);
            cfg_value_set(s, dst, s->def, msg, sizeof(msg)); /* defaults are valid */
        } else {
            cfg_value_unset(s, dst);
        }
    }
    return st;
}

enum tm_status cmd_unset(struct cfg_loader *ld, struct cfg_words *w)
{
    return unset_or_reset(ld, w, false);
}

enum tm_status cmd_reset(struct cfg_loader *ld, struct cfg_words *w)
{
    return unset_or_reset(ld, w, true);
}
