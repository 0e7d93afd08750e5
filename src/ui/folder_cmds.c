/* folder_cmds.c - changing folders the mutt way: c opens a mailbox (Tab completes its name, '?'
 * lists them), s saves and C copies a message to a mailbox, and deleted messages go to the trash
 * or are expunged when the folder is left or synced ($), as the delete setting says. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/backend.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

void folder_normalize(const char *typed, char *out, size_t size)
{
    while (*typed == ' ')
        typed++;
    if (strcmp(typed, "!") == 0)
        typed = "INBOX";
    else if (*typed == '=' || *typed == '+')
        typed++;
    snprintf(out, size, "%s", typed);
    size_t n = strlen(out);
    while (n && out[n - 1] == ' ')
        out[--n] = 0;
}

/* What Tab has seen of the names starting with what was typed. */
struct completion {
    const char *typed;
    size_t typed_len;
    char common[512]; /* the longest prefix all matches share */
    size_t matches;
    char *choices;
    size_t choices_size, used;
};

/* Names a terminal would interpret are never offered (they would be typed into the prompt). */
static bool printable(const char *name)
{
    char safe[512];
    draw_safe_copy(name, safe, sizeof(safe));
    return strcmp(safe, name) == 0;
}

static int on_name(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct completion *c = ctx;
    if (strncmp(mb->name, c->typed, c->typed_len) != 0 || (mb->attrs & TM_MAILBOX_NOSELECT) ||
        strlen(mb->name) >= sizeof(c->common) || !printable(mb->name))
        return 0;
    if (c->matches++ == 0) {
        snprintf(c->common, sizeof(c->common), "%s", mb->name);
    } else {
        size_t n = 0;
        while (c->common[n] && c->common[n] == mb->name[n])
            n++;
        while (n > 0 && ((unsigned char)c->common[n] & 0xC0) == 0x80)
            n--; /* never half a character */
        c->common[n] = 0;
    }
    size_t len = strlen(mb->name);
    if (c->used + len + 3 < c->choices_size) {
        memcpy(c->choices + c->used, mb->name, len);
        memcpy(c->choices + c->used + len, "  ", 3);
        c->used += len + 2;
    }
    return 0;
}

void folder_complete(void *ctx, char *text, size_t size, char *choices, size_t choices_size)
{
    struct app *app = ctx;
    size_t skip = text[0] == '=' || text[0] == '+' ? 1 : 0; /* mutt's =name stays as typed */
    struct completion c = {text + skip, strlen(text + skip), "", 0, choices, choices_size, 0};
    choices[0] = 0;
    if (tm_core_mailboxes(app->core, on_name, &c, NULL) != TM_OK || c.matches == 0)
        return;
    if (strlen(c.common) > c.typed_len && skip + strlen(c.common) < size)
        snprintf(text + skip, size - skip, "%s", c.common);
    if (c.matches == 1)
        choices[0] = 0;
}

enum leave_result folder_leave(struct app *app)
{
    struct tm_error err;
    int64_t n = 0;
    char question[640], trash[512] = "";
    tm_error_clear(&err);
    if (tm_core_count_deleted(app->core, &n, &err) || n <= 0)
        return LEAVE_KEPT;
    const char *t = tm_core_trash(app->core);
    if (t && strcmp(t, tm_core_mailbox_name(app->core)) != 0) {
        draw_safe_copy(t, trash, sizeof(trash));
        snprintf(question, sizeof(question),
                 ngettext("Move %lld deleted message to %s?", "Move %lld deleted messages to %s?",
                          (unsigned long)n),
                 (long long)n, trash);
    } else {
        snprintf(question, sizeof(question),
                 ngettext("Purge %lld deleted message?", "Purge %lld deleted messages?",
                          (unsigned long)n),
                 (long long)n);
    }
    int answer =
        prompt_quad(app, question, app->cfg ? app->cfg->settings.delete_ : TM_QUAD_ASK_YES);
    if (answer < 0)
        return LEAVE_ABORT;
    if (answer == 0)
        return LEAVE_KEPT;
    if (tm_core_expunge(app->core, &err)) {
        app_set_message(app, "%s", err.message);
        return LEAVE_KEPT;
    }
    return LEAVE_EXPUNGED;
}

/* The index starts afresh on another mailbox: its cached rows at once, the sync behind them. */
static void reset_index(struct app *app)
{
    pager_cleanup(app);
    app->body_purpose = BODY_NONE;
    app->count = app->unread = app->deleted = 0;
    app->cursor = app->top = app->cursor_id = 0;
    app->cursor_placed = app->user_moved = false;
    app->syncing = false;
    app->progress[0] = 0;
    index_tag_clear(app);
    app->view = VIEW_INDEX;
    index_reload(app);
    if (app->count > 0)
        index_place_cursor(app);
}

void folder_open(struct app *app, const char *name)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (strcmp(name, tm_core_mailbox_name(app->core)) == 0) {
        app->view = VIEW_INDEX;
        if (tm_core_sync(app->core, &err))
            app_set_message(app, "%s", err.message);
        return;
    }
    if (folder_leave(app) == LEAVE_ABORT)
        return;
    if (tm_core_open_mailbox(app->core, name, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    reset_index(app);
}

void folder_change_prompt(struct app *app)
{
    char typed[512] = "", name[512];
    if (!(tm_core_caps(app->core) & TM_CAP_FOLDERS)) {
        app_set_message(app, "%s", _("This folder has no other mailboxes."));
        return;
    }
    enum prompt_result r = prompt_line_list(app, _("Open mailbox: "), typed, sizeof(typed),
                                            folder_complete, app, true);
    if (r == PROMPT_LIST) {
        browser_open(app, BROWSE_OPEN, 0);
        return;
    }
    folder_normalize(typed, name, sizeof(name));
    if (r == PROMPT_OK && name[0])
        folder_open(app, name);
}

void folder_transfer(struct app *app, int64_t message_id, const char *name, bool move)
{
    struct tm_error err;
    char safe[512], question[640];
    tm_error_clear(&err);
    if (!name[0])
        return;
    if (!tm_core_mailbox_exists(app->core, name)) { /* mutt's confirmcreate */
        draw_safe_copy(name, safe, sizeof(safe));
        snprintf(question, sizeof(question), _("Create %s?"), safe);
        if (!prompt_yes_no(app, question))
            return;
        if (tm_core_create_mailbox(app->core, name, &err)) {
            app_set_message(app, "%s", err.message);
            return;
        }
    }
    snprintf(app->last_mailbox, sizeof(app->last_mailbox), "%s", name);
    if (message_id == UI_TAGGED)
        index_tag_transfer(app, name, move);
    else if (move ? tm_core_move(app->core, message_id, name, &err)
                  : tm_core_copy(app->core, message_id, name, &err))
        app_set_message(app, "%s", err.message);
}

void folder_save_prompt(struct app *app, int64_t message_id, bool move)
{
    char typed[512], name[512];
    if (!(tm_core_caps(app->core) & TM_CAP_FOLDERS)) {
        app_set_message(app, "%s", _("This folder has no other mailboxes."));
        return;
    }
    snprintf(typed, sizeof(typed), "%s", app->last_mailbox);
    if (!printable(typed))
        typed[0] = 0;
    enum prompt_result r =
        prompt_line_list(app, move ? _("Save to mailbox: ") : _("Copy to mailbox: "), typed,
                         sizeof(typed), folder_complete, app, true);
    if (r == PROMPT_LIST) {
        browser_open(app, move ? BROWSE_SAVE : BROWSE_COPY, message_id);
        return;
    }
    folder_normalize(typed, name, sizeof(name));
    if (r == PROMPT_OK)
        folder_transfer(app, message_id, name, move);
}
