/* check.c - reading tmailrc files: size caps, `source` relative to the including file with a
 * depth limit and loop detection by (device, inode), the file mode for the password warning,
 * the alias_file, and tmail --check-config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "private.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"

struct open_files {
    dev_t dev[TM_CONFIG_MAX_DEPTH + 1];
    ino_t ino[TM_CONFIG_MAX_DEPTH + 1];
    int n;
};

const char *tm_config_process_env(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

/* Reports a problem with path at the line that sourced it (or the whole file for the main). */
static enum tm_status file_error(struct cfg_loader *ld, const char *path, const char *what, int e)
{
    char reason[256] = "", text[200];
    if (e)
        snprintf(reason, sizeof(reason), ": %s", strerror_r(e, text, sizeof(text)));
    if (ld->file)
        return cfg_diag(ld->cfg, TM_CONFIG_ERROR, ld->file, ld->line, "%s %s%s", what, path,
                        reason);
    return cfg_diag(ld->cfg, TM_CONFIG_ERROR, path, 0, "%s%s", what, reason);
}

static bool in_stack(const struct open_files *of, const struct stat *sb)
{
    for (int i = 0; i < of->n; i++)
        if (of->dev[i] == sb->st_dev && of->ino[i] == sb->st_ino)
            return true;
    return false;
}

/* Reads and parses path; TM_ECONFIG when it could not be used at all. */
static enum tm_status load_path(struct cfg_loader *ld, const char *path)
{
    struct open_files *of = ld->source_ctx;
    struct stat sb;
    struct tm_buf data;
    struct tm_error err;
    if (stat(path, &sb) != 0)
        return file_error(ld, path, _("cannot read"), errno) == TM_OK ? TM_ECONFIG : TM_ENOMEM;
    if (!S_ISREG(sb.st_mode))
        return file_error(ld, path, _("not a regular file:"), 0) == TM_OK ? TM_ECONFIG : TM_ENOMEM;
    if (in_stack(of, &sb))
        return file_error(ld, path, _("source loop: already reading"), 0);
    if (of->n >= TM_CONFIG_MAX_DEPTH)
        return file_error(ld, path, _("source nested too deep (limit 16) at"), 0);
    tm_buf_init(&data, TM_CONFIG_MAX_FILE + 1);
    enum tm_status st = tm_fs_read_file(path, TM_CONFIG_MAX_FILE + 1, 1, &data, &err);
    if (st != TM_OK) {
        tm_buf_cleanup(&data);
        return file_error(ld, path, _("cannot read"), errno) == TM_OK ? TM_ECONFIG : TM_ENOMEM;
    }
    of->dev[of->n] = sb.st_dev;
    of->ino[of->n++] = sb.st_ino;
    mode_t saved_mode = ld->file_mode;
    ld->file_mode = sb.st_mode;
    ld->depth++;
    st = cfg_parse(ld, path, data.data ? data.data : "", data.len);
    ld->depth--;
    ld->file_mode = saved_mode;
    of->n--;
    tm_buf_cleanup(&data);
    return st;
}

/* `source FILE`: relative names are relative to the including file's directory. */
static enum tm_status source_file(struct cfg_loader *ld, const char *path)
{
    char full[4096];
    const char *slash = strrchr(ld->file, '/');
    if (path[0] == '/' || !slash)
        snprintf(full, sizeof(full), "%s", path);
    else if (snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - ld->file), ld->file, path) >=
             (int)sizeof(full))
        return file_error(ld, path, _("path too long:"), 0);
    enum tm_status st = load_path(ld, full);
    return st == TM_ECONFIG ? TM_OK : st; /* a bad sourced file is one error, not fatal */
}

struct alias_file_ctx {
    struct tm_config *cfg;
    const char *path;
};

static enum tm_status alias_file_bad(void *ctx, int line, const char *message)
{
    struct alias_file_ctx *c = ctx;
    return cfg_diag(c->cfg, TM_CONFIG_ERROR, c->path, line, "%s", message);
}

/* Reads the alias_file setting's file into cfg->aliases, when it exists: a missing one is only
 * where the first alias will be saved. Its aliases come after (and replace) those of alias
 * lines, as in a muttrc that ends with `source $alias_file`. */
static enum tm_status load_alias_file(struct cfg_loader *ld)
{
    const char *set = ld->cfg->settings.alias_file;
    const char *home = ld->env && ld->env->get ? ld->env->get(ld->env->ctx, "HOME") : NULL;
    char path[4096];
    struct stat sb;
    if (!set || !*set)
        return TM_OK;
    /* `set alias_file=~/x` keeps its ~ (the lexer expands one only at the start of a word) */
    if (set[0] == '~' && set[1] == '/' && home)
        snprintf(path, sizeof(path), "%s%s", home, set + 1);
    else
        snprintf(path, sizeof(path), "%s", set);
    if (stat(path, &sb) != 0)
        return errno == ENOENT ? TM_OK : file_error(ld, path, _("cannot read"), errno);
    if (!S_ISREG(sb.st_mode))
        return file_error(ld, path, _("not a regular file:"), 0);
    struct tm_buf data;
    struct tm_error err;
    tm_buf_init(&data, TM_ALIAS_MAX_FILE);
    enum tm_status st = tm_fs_read_file(path, TM_ALIAS_MAX_FILE, 0, &data, &err);
    if (st == TM_ELIMIT)
        st = cfg_diag(ld->cfg, TM_CONFIG_ERROR, path, 0, _("file larger than %zu bytes"),
                      TM_ALIAS_MAX_FILE);
    else if (st)
        st = file_error(ld, path, _("cannot read"), errno);
    else {
        struct alias_file_ctx ctx = {.cfg = ld->cfg, .path = path};
        st = cfg_alias_parse(&ld->cfg->aliases, data.data ? data.data : "", data.len,
                             alias_file_bad, &ctx);
    }
    tm_buf_cleanup(&data);
    return st;
}

enum tm_status tm_config_load_file(const char *path, const struct tm_config_env *env,
                                   struct tm_config **out, struct tm_error *err)
{
    static const struct tm_config_env default_env = {tm_config_process_env, NULL, NULL};
    struct open_files of = {.n = 0};
    struct tm_config *cfg = tm_config_new();
    *out = cfg;
    if (!cfg)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    free(cfg->defaults.file);
    if (!(cfg->defaults.file = strdup(path)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    struct cfg_loader ld = {.cfg = cfg,
                            .env = env ? env : &default_env,
                            .source = source_file,
                            .source_ctx = &of,
                            .account = -1};
    enum tm_status st = load_path(&ld, path);
    if (st == TM_OK)
        st = load_alias_file(&ld);
    if (st == TM_OK)
        st = tm_config_finish(cfg);
    if (st == TM_ENOMEM)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (st == TM_ECONFIG) {
        cfg->unusable = true;
        return tm_error_set(err, TM_ECONFIG, _("configuration %s is unusable"), path);
    }
    return TM_OK;
}

enum tm_status tm_config_format_diag(const struct tm_config_diag *d, struct tm_buf *out)
{
    const char *sev = d->severity == TM_CONFIG_WARNING ? _("warning: ") : "";
    if (d->line > 0)
        return tm_buf_appendf(out, "%s:%d: %s%s\n", d->file, d->line, sev, d->message);
    return tm_buf_appendf(out, "%s: %s%s\n", d->file, sev, d->message);
}

int tm_config_check_file(const char *path, const struct tm_config_env *env, struct tm_buf *report)
{
    struct tm_config *cfg = NULL;
    struct tm_error err;
    enum tm_status st = tm_config_load_file(path, env, &cfg, &err);
    if (!cfg) {
        tm_buf_appendf(report, "%s: %s\n", path, err.message);
        return 1;
    }
    for (size_t i = 0; i < cfg->n_diags; i++)
        tm_config_format_diag(&cfg->diags[i], report);
    size_t shown = cfg->n_diags, total = cfg->n_errors + cfg->n_warnings;
    if (total > shown)
        tm_buf_appendf(report, _("%s: %zu more not shown\n"), path, total - shown);
    if (st == TM_ECONFIG)
        tm_buf_appendf(report, _("%s: unusable\n"), path);
    tm_buf_appendf(report, _("%s: %zu error(s), %zu warning(s)\n"), path, cfg->n_errors,
                   cfg->n_warnings);
    int code = cfg->n_errors || st != TM_OK ? 1 : 0;
    tm_config_free(&cfg);
    return code;
}
