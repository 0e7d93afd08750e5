/* parser.c - tmailrc lines to commands: splits the buffer into lines (with \ continuation and
 * size limits), lexes each, and runs set/unset/reset here; the other commands are in
 * commands.c. Every problem becomes a FILE:LINE diagnostic and parsing goes on. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "private.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

bool cfg_diags_full(const struct tm_config *cfg)
{
    return cfg->n_diags >= TM_CONFIG_MAX_DIAGS;
}

enum tm_status cfg_diag(struct tm_config *cfg, enum tm_config_severity sev, const char *file,
                        int line, const char *fmt, ...)
{
    if (sev == TM_CONFIG_ERROR)
        cfg->n_errors++;
    else
        cfg->n_warnings++;
    if (cfg->n_diags >= TM_CONFIG_MAX_DIAGS)
        return TM_OK;
    if (TM_ARRAY_RESERVE(cfg->diags, cfg->n_diags, cfg->cap_diags, 16))
        return TM_ENOMEM;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct tm_config_diag *d = &cfg->diags[cfg->n_diags];
    d->severity = sev;
    d->line = line;
    d->file = strdup(file ? file : "");
    d->message = strdup(msg);
    if (!d->file || !d->message) {
        free(d->file);
        free(d->message);
        return TM_ENOMEM;
    }
    cfg->n_diags++;
    return TM_OK;
}

enum tm_status cmd_error(struct cfg_loader *ld, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return cfg_diag(ld->cfg, TM_CONFIG_ERROR, ld->file, ld->line, "%s", msg);
}

/* alias and unalias have no run function: they read the raw line (see run_line). */
static const struct command commands[] = {
    {"account", cmd_account}, {"alias", NULL},      {"bind", cmd_bind},   {"color", cmd_color},
    {"end", cmd_end},         {"macro", cmd_macro}, {"reset", cmd_reset}, {"set", cmd_set},
    {"source", cmd_source},   {"unalias", NULL},    {"unset", cmd_unset},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Whether the line's first word, as written, is alias or unalias. */
static bool alias_line(const char *text, size_t len)
{
    size_t a = 0;
    while (a < len && (text[a] == ' ' || text[a] == '\t'))
        a++;
    size_t b = a;
    while (b < len && text[b] != ' ' && text[b] != '\t' && text[b] != '#')
        b++;
    return (b - a == 5 && memcmp(text + a, "alias", 5) == 0) ||
           (b - a == 7 && memcmp(text + a, "unalias", 7) == 0);
}

static enum tm_status run_line(struct cfg_loader *ld, const char *text, size_t len)
{
    struct cfg_words w;
    char msg[512];
    /* An address list is not tmailrc words: its quotes belong to display names ("Smith,
     * Bob" <bob@x>) and a lone ' is a letter (O'Brien). The alias reader takes the raw line,
     * as mutt's does. */
    if (alias_line(text, len))
        return cmd_alias(ld, text, len);
    if (cfg_lex_line(text, len, ld->env, &w, msg, sizeof(msg)) != TM_OK)
        return cmd_error(ld, "%s", msg);
    enum tm_status st = TM_OK;
    if (w.n == 0)
        goto out;
    size_t i = 0;
    while (i < N_COMMANDS && strcmp(commands[i].name, w.w[0].text) != 0)
        i++;
    if (i < N_COMMANDS) { /* alias written with quotes or escapes reaches here */
        st = commands[i].run ? commands[i].run(ld, &w) : cmd_alias(ld, text, len);
        goto out;
    }
    const char *hint = cfg_did_you_mean(w.w[0].text, commands, N_COMMANDS, sizeof(commands[0]));
    if (hint)
        st = cmd_error(ld, _("unknown command \"%s\" (did you mean \"%s\"?)"), w.w[0].text, hint);
    else
        st = cmd_error(ld, _("unknown command \"%s\""), w.w[0].text);
out:
    cfg_words_cleanup(&w);
    return st;
}

bool cfg_line_continues(const char *s, size_t len)
{
    size_t n = 0;
    while (n < len && s[len - 1 - n] == '\\')
        n++;
    return n % 2 == 1;
}

static enum tm_status refuse(struct cfg_loader *ld, const char *name, const char *data, size_t len)
{
    const char *nul = memchr(data, 0, len);
    int line = 1;
    if (len > TM_CONFIG_MAX_FILE) {
        cfg_diag(ld->cfg, TM_CONFIG_ERROR, name, 0, _("file larger than %zu bytes"),
                 TM_CONFIG_MAX_FILE);
        return TM_ECONFIG;
    }
    if (!nul)
        return TM_OK;
    for (const char *p = data; p < nul; p++)
        line += *p == '\n';
    cfg_diag(ld->cfg, TM_CONFIG_ERROR, name, line, _("binary data (NUL byte): not a tmailrc"));
    return TM_ECONFIG;
}

/* Joins continuation lines into logical; returns the offset after the consumed lines. */
static size_t next_logical(const char *data, size_t len, size_t pos, struct tm_buf *logical,
                           int *lines, bool *too_long)
{
    *lines = 0;
    *too_long = false;
    tm_buf_reset(logical);
    while (pos < len || *lines == 0) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        (*lines)++;
        if (n && data[pos + n - 1] == '\r')
            n--;
        bool more = cfg_line_continues(data + pos, n) && nl;
        if (n > TM_CONFIG_MAX_LINE || tm_buf_append(logical, data + pos, n - more) != TM_OK)
            *too_long = true;
        pos = nl ? end + 1 : len;
        if (!more)
            break;
    }
    return pos;
}

enum tm_status cfg_parse(struct cfg_loader *ld, const char *name, const char *data, size_t len)
{
    enum tm_status st = refuse(ld, name, data, len);
    const char *saved_file = ld->file;
    int saved_line = ld->line;
    struct tm_buf logical;
    tm_buf_init(&logical, TM_CONFIG_MAX_LINE);
    ld->file = name;
    for (size_t pos = 0, line = 1; st == TM_OK && pos < len;) {
        int n;
        bool too_long;
        pos = next_logical(data, len, pos, &logical, &n, &too_long);
        ld->line = (int)line;
        if (too_long)
            st = cmd_error(ld, _("line longer than %d bytes"), TM_CONFIG_MAX_LINE);
        else
            st = run_line(ld, logical.data ? logical.data : "", logical.len);
        line += (size_t)n;
    }
    if (st == TM_OK && ld->account >= 0 && ld->account_depth == ld->depth) {
        struct tm_account *a = &ld->cfg->accounts[ld->account];
        st = cfg_diag(ld->cfg, TM_CONFIG_ERROR, a->file, a->line, _("account %s has no \"end\""),
                      a->name);
        ld->account = -1;
    }
    tm_buf_cleanup(&logical);
    ld->file = saved_file;
    ld->line = saved_line;
    return st;
}

enum tm_status tm_config_parse_buffer(struct tm_config *cfg, const char *name, const char *data,
                                      size_t len, const struct tm_config_env *env)
{
    struct cfg_loader ld = {.cfg = cfg, .env = env, .account = -1};
    if (!*cfg->defaults.file) {
        char *copy = strdup(name);
        if (!copy)
            return TM_ENOMEM;
        free(cfg->defaults.file);
        cfg->defaults.file = copy;
    }
    enum tm_status st = cfg_parse(&ld, name, data, len);
    if (st == TM_ECONFIG) {
        cfg->unusable = true;
        st = TM_OK;
    }
    return st;
}
