/* editor.c - the person's editor on a draft: the draft goes to a 0600 file in a private 0700
 * directory made with mkdtemp, the editor (the editor setting, else $VISUAL, else $EDITOR, else
 * vi) runs through /bin/sh with the file's path as its argument, never pasted into the command
 * line, with curses suspended; the file is read back, a bad header line is shown and the editor
 * offered again, and the file and the directory are removed. */
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "private.h"
#include "tmail/draft.h"
#include "tmail/i18n.h"

static const char *editor_command(const struct app *app)
{
    const char *e = app->cfg ? app->cfg->settings.editor : NULL;
    if (!e || !*e)
        e = getenv("VISUAL");
    if (!e || !*e)
        e = getenv("EDITOR");
    return e && *e ? e : "vi";
}

/* A new 0700 directory under $TMPDIR (else /tmp) into dir. */
static bool make_private_dir(char *dir, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    int n = snprintf(dir, size, "%s/tmail-XXXXXX", base);
    return n > 0 && (size_t)n < size && mkdtemp(dir) != NULL;
}

/* Removes the directory and whatever the editor left in it (backup and swap files). */
static void remove_private_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4200];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (n > 0 && (size_t)n < sizeof(path))
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* Runs the editor on path with curses suspended: false when it could not run at all. problem
 * gets what went wrong, or "". */
static bool run_editor(struct app *app, const char *path, char *problem, size_t size)
{
    char command[2048];
    int n = snprintf(command, sizeof(command), "%s \"$1\"", editor_command(app));
    problem[0] = 0;
    if (n < 0 || (size_t)n >= sizeof(command)) {
        snprintf(problem, size, "%s", _("The editor command is too long."));
        return false;
    }
    def_prog_mode();
    endwin();
    fflush(stdout);
    int status = pipe_spawn(command, path, -1);
    reset_prog_mode();
    clearok(curscr, TRUE);
    app->dirty = true;
    if (status < 0) {
        snprintf(problem, size, "%s", _("Cannot run the editor."));
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(problem, size, _("Cannot run the editor \"%s\"."), editor_command(app));
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(problem, size, _("The editor exited with status %d."), WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(problem, size, _("The editor was killed by signal %d."), WTERMSIG(status));
    return true; /* like mutt: what the editor wrote is read even when it complained */
}

/* Shows why the file could not be read on the line above the question; true to edit again. */
static bool offer_again(struct app *app, const char *why)
{
    app_draw(app);
    draw_untrusted(LINES - 2, 0, COLS, why, A_REVERSE);
    return prompt_quad(app, _("Edit the message again?"), TM_QUAD_ASK_YES) == 1;
}

enum editor_result editor_edit_draft(struct app *app, struct tm_draft *d, bool with_headers)
{
    struct tm_error err;
    char dir[4096], path[4200], problem[300];
    enum editor_result result = EDITOR_FAILED;
    tm_error_clear(&err);
    if (!make_private_dir(dir, sizeof(dir))) {
        app_set_message(app, _("Cannot make a temporary directory: %s"), strerror(errno));
        return EDITOR_FAILED;
    }
    snprintf(path, sizeof(path), "%s/tmail-message.eml", dir);
    if (tm_draft_write_file(d, with_headers, path, &err)) {
        app_set_message(app, "%s", err.message);
        goto out;
    }
    for (;;) {
        if (!run_editor(app, path, problem, sizeof(problem))) {
            app_set_message(app, "%s", problem);
            goto out;
        }
        tm_error_clear(&err);
        if (tm_draft_read_file(d, with_headers, path, &err) == TM_OK) {
            result = EDITOR_OK;
            if (problem[0])
                app_set_message(app, "%s", problem);
            break;
        }
        if (!offer_again(app, err.message)) {
            app_set_message(app, "%s", err.message);
            result = EDITOR_DROPPED;
            break;
        }
    }
out:
    remove_private_dir(dir);
    app->dirty = true;
    return result;
}
