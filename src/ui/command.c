/* command.c - ':' (enter-command): a tmailrc line typed at the bottom of the screen, applied to
 * the running configuration at once. `source FILE` re-reads a whole file, so `:source
 * ~/.tmailrc` picks up an edited configuration without a restart. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"

/* As main.c reads the configuration: `color index` patterns checked by core. A typed line gets no
 * $VAR expansion. */
static const struct tm_config_env file_env = {tm_config_process_env, NULL,
                                              tm_pattern_check_index_color};
static const struct tm_config_env line_env = {NULL, NULL, tm_pattern_check_index_color};

/* The newest diagnostic after index from, formatted, or NULL. */
static void report_new_diags(struct app *app, size_t from)
{
    struct tm_buf line;
    size_t errors = 0;
    tm_buf_init(&line, 0);
    for (size_t i = from; i < app->cfg->n_diags; i++) {
        errors += app->cfg->diags[i].severity == TM_CONFIG_ERROR;
        tm_buf_reset(&line);
        tm_config_format_diag(&app->cfg->diags[i], &line);
    }
    if (line.data && line.len)
        app_set_message(app, "%s", line.data);
    else if (!errors)
        app->message[0] = 0;
    tm_buf_cleanup(&line);
}

/* Replaces the configuration with path's (mutt's defaults plus that file). */
static void source_file(struct app *app, const char *path)
{
    struct tm_config *fresh = NULL;
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_config_load_file(path, &file_env, &fresh, &err) == TM_ECONFIG || !fresh) {
        app_set_message(app, "%s", err.status ? err.message : _("out of memory"));
        tm_config_free(&fresh);
        return;
    }
    colors_free(app);
    tm_config_free(app->cfg_slot);
    *app->cfg_slot = app->cfg = fresh;
    colors_init(app);
    app_load_mailcap(app);
    clearok(curscr, TRUE);
    if (fresh->n_errors)
        report_new_diags(app, 0);
    else
        app_set_message(app, _("Read %s."), path);
}

/* Completes the last word of text from names (NULL-terminated), or lists the choices. */
static void complete_word(char *text, size_t size, const char *const *names, size_t n,
                          char *choices, size_t choices_size)
{
    char *word = strrchr(text, ' ');
    word = word ? word + 1 : text;
    size_t wlen = strlen(word), common = 0, matches = 0, used = 0;
    const char *first = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(names[i], word, wlen) != 0)
            continue;
        if (!first) {
            first = names[i];
            common = strlen(first);
        }
        while (common > wlen && strncmp(names[i], first, common) != 0)
            common--;
        matches++;
        if (used + strlen(names[i]) + 2 < choices_size)
            used += (size_t)snprintf(choices + used, choices_size - used, "%s ", names[i]);
    }
    if (!first)
        return;
    size_t base = (size_t)(word - text);
    if (common > wlen && base + common + 2 < size) {
        memcpy(word, first, common);
        word[common] = 0;
        if (matches == 1)
            memcpy(word + common, " ", 2);
        choices[0] = 0;
    } else if (matches == 1) {
        choices[0] = 0;
    }
}

/* Tab at the ':' prompt: a command name first, then a setting name
 * from the settings table (the same table that writes tmailrc(5)). After set/unset/reset. */
static void command_complete(void *ctx, char *text, size_t size, char *choices, size_t choices_size)
{
    (void)ctx;
    static const char *const commands[] = {"bind",   "color",  "macro", "set",
                                           "source", "toggle", "unset"};
    const char *names[1024];
    size_t n = 0, nsettings;
    const struct tm_setting_info *table = tm_config_settings(&nsettings);
    choices[0] = 0;
    if (!strchr(text, ' ')) {
        complete_word(text, size, commands, sizeof(commands) / sizeof(commands[0]), choices,
                      choices_size);
        return;
    }
    if (strncmp(text, "set ", 4) && strncmp(text, "unset ", 6) && strncmp(text, "reset ", 6))
        return;
    if (strchr(strchr(text, ' ') + 1, ' '))
        return; /* past the name: a value, nothing to complete */
    for (size_t i = 0; i < nsettings && n < 1024; i++)
        names[n++] = table[i].name;
    complete_word(text, size, names, n, choices, choices_size);
}

/* A changed sort or sort_reverse reorders the folder (in the background). */
static void apply_sort(struct app *app, int old_sort, bool old_reverse)
{
    struct tm_error err;
    const struct tm_settings *s = &app->cfg->settings;
    tm_error_clear(&err);
    if ((s->sort != old_sort || s->sort_reverse != old_reverse) &&
        tm_core_set_sort(app->core, s->sort, s->sort_reverse, &err))
        app_set_message(app, "%s", err.message);
}

void command_run(struct app *app)
{
    int old_sort = app->cfg->settings.sort;
    bool old_reverse = app->cfg->settings.sort_reverse;
    char line[TM_CONFIG_MAX_LINE] = "";
    if (!prompt_line_complete(app, ":", line, sizeof(line), command_complete, NULL) || !line[0])
        return;
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "source", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
        char *path = strdup(p);
        size_t n = path ? strlen(path) : 0;
        while (n && (path[n - 1] == ' ' || path[n - 1] == '\t'))
            path[--n] = 0;
        const char *home = getenv("HOME");
        if (path && path[0] == '~' && path[1] == '/' && home) {
            size_t size = strlen(home) + n + 1;
            char *full = malloc(size);
            if (full)
                snprintf(full, size, "%s%s", home, path + 1);
            free(path);
            path = full;
        }
        if (path)
            source_file(app, path);
        free(path);
        apply_sort(app, old_sort, old_reverse);
        return;
    }
    size_t before = app->cfg->n_diags;
    if (tm_config_parse_buffer(app->cfg, _("command line"), p, strlen(p), &line_env) != TM_OK) {
        app_set_message(app, "%s", _("out of memory"));
        return;
    }
    colors_free(app); /* a `color` command takes effect now */
    colors_init(app);
    report_new_diags(app, before);
    apply_sort(app, old_sort, old_reverse);
    clearok(curscr, TRUE);
}
