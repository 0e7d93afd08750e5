/* compose_send.c - leaving the compose screen: y sends (after abort_nosubject for an empty
 * subject) by committing the message to the outbox, P postpones it to the drafts mailbox, and q
 * asks whether to postpone (the postpone setting) and else whether to abandon the message. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/draft.h"
#include "tmail/i18n.h"

static bool blank(const char *s)
{
    return s[strspn(s, " \t")] == 0;
}

void compose_send(struct app *app)
{
    struct tm_draft *d = app->compose.draft;
    struct tm_error err;
    int nosubject = app->cfg ? app->cfg->settings.abort_nosubject : TM_QUAD_ASK_YES;
    if (blank(d->subject) && prompt_quad(app, _("No subject, abort?"), nosubject) != 0)
        return; /* as mutt: back to the compose screen */
    int copy = app->cfg ? app->cfg->settings.copy : TM_QUAD_YES;
    int save = prompt_quad(app, _("Save a copy of this message?"), copy);
    if (save < 0)
        return; /* cancelled: back to the compose screen */
    tm_error_clear(&err);
    if (tm_core_send(app->core, d, compose_aliases(app), save == 1, &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    compose_leave(app);
    outbox_count(app);
    app_set_message(app, "%s", _("Sending..."));
}

void compose_postpone(struct app *app)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_core_postpone(app->core, app->compose.draft, compose_aliases(app), &err)) {
        app_set_message(app, "%s", err.message);
        return;
    }
    tm_core_refresh_mailboxes(app->core, NULL); /* the drafts count, for recall on the next m */
    compose_leave(app);
    app_set_message(app, "%s", _("Postponing..."));
}

void compose_quit(struct app *app)
{
    int postpone = app->cfg ? app->cfg->settings.postpone : TM_QUAD_ASK_YES;
    int answer = prompt_quad(app, _("Postpone this message?"), postpone);
    if (answer < 0)
        return;
    if (answer == 1) {
        compose_postpone(app);
        return;
    }
    if (prompt_quad(app, _("Abort unsent message?"), TM_QUAD_ASK_YES) != 1)
        return;
    compose_leave(app);
    app_set_message(app, "%s", _("Mail not sent."));
}
