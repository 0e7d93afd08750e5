/* helpers.c - shared helpers of the configuration tests. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static const char *fake_env(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "HOME") == 0)
        return "/home/alice";
    if (strcmp(name, "MAILROOT") == 0)
        return "/srv/mail";
    if (strcmp(name, "EMPTY") == 0)
        return "";
    return NULL;
}

const struct tm_config_env test_env = {fake_env, NULL, NULL};

struct tm_config *parse_text(const char *text)
{
    struct tm_config *cfg = tm_config_new();
    if (!cfg || tm_config_parse_buffer(cfg, "test.rc", text, strlen(text), &test_env) != TM_OK ||
        tm_config_finish(cfg) != TM_OK)
        abort();
    return cfg;
}

bool has_diag(const struct tm_config *cfg, enum tm_config_severity sev, int line,
              const char *needle)
{
    for (size_t i = 0; i < cfg->n_diags; i++) {
        const struct tm_config_diag *d = &cfg->diags[i];
        if (d->severity == sev && (line == 0 || d->line == line) && strstr(d->message, needle))
            return true;
    }
    dump_diags(cfg);
    return false;
}

void dump_diags(const struct tm_config *cfg)
{
    for (size_t i = 0; i < cfg->n_diags; i++)
        fprintf(stderr, "  diag %s:%d: %s%s\n", cfg->diags[i].file, cfg->diags[i].line,
                cfg->diags[i].severity == TM_CONFIG_WARNING ? "warning: " : "",
                cfg->diags[i].message);
}

const char *write_rc(const char *dir, const char *name, const char *text, int mode)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        abort();
    close(fd);
    chmod(path, (mode_t)mode);
    return path;
}
