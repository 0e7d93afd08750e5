/* account.c - the configuration object: defaults from the settings table, accounts completed
 * from the settings outside any block, and the checks on accounts (reading URL, from, sending
 * URL, TLS and credentials). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

/* Sets every setting of scope to its default in g or a. */
static enum tm_status apply_defaults(enum tm_setting_scope scope, struct tm_settings *g,
                                     struct tm_account *a)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    char msg[256];
    for (size_t i = 0; i < n; i++) {
        if (t[i].scope != scope || t[i].alias_of)
            continue;
        if (!cfg_value_set(&t[i], cfg_setting_ptr(&t[i], g, a), t[i].def, msg, sizeof(msg)))
            return TM_ENOMEM; /* defaults are valid (unit-tested): only memory can fail */
    }
    return TM_OK;
}

static void free_fields(enum tm_setting_scope scope, struct tm_settings *g, struct tm_account *a)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    for (size_t i = 0; i < n; i++)
        if (t[i].scope == scope && !t[i].alias_of)
            cfg_value_free(&t[i], cfg_setting_ptr(&t[i], g, a));
}

enum tm_status cfg_account_init(struct tm_account *a, const char *name, const char *file, int line)
{
    memset(a, 0, sizeof(*a));
    a->name = strdup(name);
    a->file = strdup(file ? file : "");
    a->line = line;
    if (!a->name || !a->file || apply_defaults(TM_SCOPE_ACCOUNT, NULL, a) != TM_OK) {
        cfg_account_cleanup(a);
        return TM_ENOMEM;
    }
    return TM_OK;
}

void cfg_account_cleanup(struct tm_account *a)
{
    free_fields(TM_SCOPE_ACCOUNT, NULL, a);
    cfg_url_cleanup(&a->read);
    cfg_url_cleanup(&a->send);
    free(a->name);
    free(a->file);
    memset(a, 0, sizeof(*a));
}

struct tm_config *tm_config_new(void)
{
    struct tm_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    if (apply_defaults(TM_SCOPE_GLOBAL, &cfg->settings, NULL) != TM_OK ||
        cfg_account_init(&cfg->defaults, "default", "", 0) != TM_OK ||
        cfg_bindings_add_defaults(cfg) != TM_OK)
        tm_config_free(&cfg);
    return cfg;
}

void tm_config_free(struct tm_config **pp)
{
    struct tm_config *cfg = pp ? *pp : NULL;
    if (!cfg)
        return;
    free_fields(TM_SCOPE_GLOBAL, &cfg->settings, NULL);
    cfg_account_cleanup(&cfg->defaults);
    for (size_t i = 0; i < cfg->n_accounts; i++)
        cfg_account_cleanup(&cfg->accounts[i]);
    free(cfg->accounts);
    for (size_t i = 0; i < cfg->n_bindings; i++) {
        free(cfg->bindings[i].macro_keys);
        free(cfg->bindings[i].macro_text);
        free(cfg->bindings[i].description);
    }
    free(cfg->bindings);
    for (size_t i = 0; i < cfg->n_colors; i++)
        free(cfg->colors[i].pattern);
    free(cfg->colors);
    tm_alias_set_cleanup(&cfg->aliases);
    for (size_t i = 0; i < cfg->n_diags; i++) {
        free(cfg->diags[i].file);
        free(cfg->diags[i].message);
    }
    free(cfg->diags);
    free(cfg);
    *pp = NULL;
}

const struct tm_account *tm_config_account(const struct tm_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_accounts; i++)
        if (strcmp(cfg->accounts[i].name, name) == 0)
            return &cfg->accounts[i];
    return NULL;
}

/* Fills the settings the block did not set from those given outside any block. */
static enum tm_status inherit(struct tm_account *a, const struct tm_account *defaults)
{
    size_t n;
    const struct tm_setting_info *t = tm_config_settings(&n);
    for (size_t i = 0; i < n; i++) {
        if (t[i].scope != TM_SCOPE_ACCOUNT || t[i].alias_of)
            continue;
        int bit = cfg_setting_index(&t[i]);
        if (bit >= 0 && (a->set_mask >> bit) & 1)
            continue;
        const void *src = cfg_setting_ptr(&t[i], NULL, (struct tm_account *)defaults);
        if (!cfg_value_copy(&t[i], cfg_setting_ptr(&t[i], NULL, a), src))
            return TM_ENOMEM;
    }
    return TM_OK;
}

#define ACCOUNT_DIAG(sev, ...) cfg_diag(cfg, sev, a->file, a->line, __VA_ARGS__)

static enum tm_status check_urls(struct tm_config *cfg, struct tm_account *a)
{
    char msg[512];
    enum tm_status st = TM_OK;
    if (!a->read_url)
        st = ACCOUNT_DIAG(TM_CONFIG_ERROR,
                          _("account %s has no reading URL: set imap, pop or maildir"), a->name);
    else if (!cfg_url_parse(a->read_url, ~0u, &a->read, msg, sizeof(msg)))
        st = ACCOUNT_DIAG(TM_CONFIG_ERROR, "%s", msg);
    if (st == TM_OK && !a->from)
        st = ACCOUNT_DIAG(TM_CONFIG_ERROR, _("account %s has no from address: set from"), a->name);
    if (st == TM_OK && !a->smtp_url)
        st = ACCOUNT_DIAG(TM_CONFIG_WARNING,
                          _("account %s has no smtp URL: it can read mail but not send it"),
                          a->name);
    else if (st == TM_OK && !cfg_url_parse(a->smtp_url, ~0u, &a->send, msg, sizeof(msg)))
        st = ACCOUNT_DIAG(TM_CONFIG_ERROR, "%s", msg);
    return st;
}

static enum tm_status check_account(struct tm_config *cfg, struct tm_account *a)
{
    enum tm_status st = check_urls(cfg, a);
    bool secret = a->password || a->password_cmd || a->oauth_token_cmd;
    bool remote = a->read.scheme != TM_URL_MAILDIR || a->send.scheme != TM_URL_NONE;
    if (st == TM_OK && a->tls == TM_TLS_OFF && secret && remote && !a->allow_plaintext_auth)
        st = ACCOUNT_DIAG(TM_CONFIG_ERROR,
                          _("account %s: tls = off would send the password in plain text; set "
                            "allow_plaintext_auth = yes to allow it"),
                          a->name);
    if (st == TM_OK && a->tls == TM_TLS_OFF && !secret && remote)
        st = ACCOUNT_DIAG(TM_CONFIG_WARNING, _("account %s: tls = off, mail travels in plain text"),
                          a->name);
    return st;
}

enum tm_status tm_config_finish(struct tm_config *cfg)
{
    enum tm_status st = TM_OK;
    if (cfg->n_accounts == 0 && cfg->defaults.read_url) {
        cfg->accounts = calloc(1, sizeof(*cfg->accounts));
        if (!cfg->accounts ||
            cfg_account_init(&cfg->accounts[0], "default", cfg->defaults.file, 0) != TM_OK)
            return TM_ENOMEM;
        cfg->n_accounts = 1;
    }
    for (size_t i = 0; i < cfg->n_accounts && st == TM_OK; i++) {
        st = inherit(&cfg->accounts[i], &cfg->defaults);
        if (st == TM_OK)
            st = check_account(cfg, &cfg->accounts[i]);
    }
    return st;
}
