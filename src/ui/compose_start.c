/* compose_start.c - starting a message the mutt way: m asks To and Subject (after offering a
 * postponed message, as recall says); r, g, L, f, e and <Esc>e start from the raw original
 * (loaded first unless the pager holds it); R recalls a postponed message from the drafts
 * mailbox; tmail mailto:URL fills a new one from the URL. Then the editor runs and the compose
 * screen shows the result. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parts_view.h"
#include "private.h"
#include "tmail/alias.h"
#include "tmail/compose.h"
#include "tmail/draft.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"

#define SIGNATURE_MAX ((size_t)64 * 1024)

const struct tm_alias_set *compose_aliases(const struct app *app)
{
    static const struct tm_alias_set none;
    return app->cfg ? &app->cfg->aliases : &none;
}

/* The account that sends; for a folder opened with -f, the first configured one gives From. */
static const struct tm_account *sending_account(struct app *app)
{
    const struct tm_account *acct = tm_core_account(app->core);
    if (!acct && app->cfg && app->cfg->n_accounts)
        acct = &app->cfg->accounts[0];
    return acct;
}

/* The draft setup the configuration gives (account, settings, the signature read into sig). */
static void compose_setup(struct app *app, struct tm_draft_setup *setup, struct tm_buf *sig)
{
    struct tm_error err;
    char path[4096];
    const struct tm_account *acct = sending_account(app);
    memset(setup, 0, sizeof(*setup));
    setup->account = acct;
    setup->settings = app->cfg ? &app->cfg->settings : NULL;
    tm_buf_init(sig, SIGNATURE_MAX);
    tm_error_clear(&err);
    if (!acct || !acct->signature || !acct->signature[0])
        return;
    file_expand_home(acct->signature, path, sizeof(path));
    if (tm_fs_read_file(path, SIGNATURE_MAX, 1, sig, &err) == TM_OK)
        setup->signature_text = sig->data ? sig->data : "";
    else
        app_set_message(app, "%s", err.message);
}

bool compose_set_string(struct app *app, char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy) {
        app_set_message(app, "%s", _("out of memory"));
        return false;
    }
    free(*field);
    *field = copy;
    return true;
}

/* Shows the compose screen for d (owned from now on), coming back to the current view later. */
static void compose_enter(struct app *app, struct tm_draft *d, int kind)
{
    struct compose_state *c = &app->compose;
    tm_draft_free(&c->draft);
    c->draft = d;
    c->kind = kind;
    if (app->view == VIEW_INDEX || app->view == VIEW_PAGER) {
        c->return_view = app->view;
        c->return_id = app->view == VIEW_PAGER ? app->pager_id : 0;
    }
    c->cursor = c->top = 0;
    c->preview = false;
    app->view = VIEW_COMPOSE;
    app->dirty = true;
}

void compose_leave(struct app *app)
{
    struct compose_state *c = &app->compose;
    tm_draft_free(&c->draft);
    c->preview = false;
    if (c->return_view == VIEW_PAGER && c->return_id) {
        if (app->pager_id == c->return_id && app->n_lines) /* the pager still shows it */
            app->view = VIEW_PAGER;
        else
            pager_open(app, c->return_id);
    } else {
        app->view = VIEW_INDEX;
    }
    app->dirty = true;
}

static bool is_reply(int kind)
{
    return kind == TM_DRAFT_REPLY || kind == TM_DRAFT_GROUP_REPLY || kind == TM_DRAFT_LIST_REPLY;
}

/* A draft of kind from raw (NULL for a new message), a skeleton when left lists the parts it
 * leaves out (NULL: whole). */
static struct tm_draft *start_draft(struct app *app, int kind, const char *raw, size_t len,
                                    int64_t id, bool quote, const struct tm_core_parts *left)
{
    struct tm_draft_setup setup;
    struct tm_buf sig;
    struct tm_error err;
    struct tm_draft *d = NULL;
    struct tm_mime_omitted *om = parts_omitted(left);
    struct tm_compose_omitted omitted = {om, om ? left->n : 0};
    compose_setup(app, &setup, &sig);
    setup.include_quote = quote;
    setup.omitted = left ? &omitted : NULL;
    tm_error_clear(&err);
    enum tm_status st = tm_draft_start(&setup, (enum tm_draft_kind)kind, raw, len, id, &d, &err);
    tm_buf_cleanup(&sig);
    free(om);
    if (st == TM_ENOENT && kind == TM_DRAFT_LIST_REPLY)
        app_set_message(app, "%s", _("No mailing lists found."));
    else if (st)
        app_set_message(app, "%s", err.message[0] ? err.message : _("out of memory"));
    if (st)
        tm_draft_free(&d);
    return d;
}

static bool blank(const char *s)
{
    s += strspn(s, " \t");
    return !*s;
}

/* One envelope prompt on a field, unless the field is too long for the line editor (it is kept
 * then: E edits it with the headers). */
static bool ask_field(struct app *app, const char *prompt, char **field, bool address)
{
    char buf[1024];
    if (strlen(*field) >= sizeof(buf) - 1)
        return true;
    snprintf(buf, sizeof(buf), "%s", *field);
    bool ok = address ? address_prompt(app, prompt, buf, sizeof(buf))
                      : prompt_line(app, prompt, buf, sizeof(buf));
    return ok && compose_set_string(app, field, buf);
}

/* mutt's edit_envelope: To (empty cancels), Cc and Bcc as askcc / askbcc say, Subject (empty:
 * abort_nosubject decides). false when the message is abandoned. */
static bool envelope_prompts(struct app *app, struct tm_draft *d)
{
    const struct tm_settings *s = app->cfg ? &app->cfg->settings : NULL;
    if (!ask_field(app, _("To: "), &d->to, true))
        return false;
    if (blank(d->to)) {
        app_set_message(app, "%s", _("No recipients specified."));
        return false;
    }
    if (s && s->askcc && !ask_field(app, _("Cc: "), &d->cc, true))
        return false;
    if (s && s->askbcc && !ask_field(app, _("Bcc: "), &d->bcc, true))
        return false;
    if (!ask_field(app, _("Subject: "), &d->subject, false))
        return false;
    if (blank(d->subject) &&
        prompt_quad(app, _("No subject, abort?"), s ? s->abort_nosubject : TM_QUAD_ASK_YES) != 0) {
        app_set_message(app, "%s", _("No subject, aborting."));
        return false;
    }
    return true;
}

/* The first edit; abort_unmodified drops a new message or reply whose text was not changed. */
static void edit_and_show(struct app *app, struct tm_draft *d, int kind)
{
    const struct tm_settings *s = app->cfg ? &app->cfg->settings : NULL;
    enum editor_result r = editor_edit_draft(app, d, s && s->edit_headers);
    if (r == EDITOR_OK && kind != TM_DRAFT_RESEND && !d->body_edited &&
        prompt_quad(app, _("Abort unmodified message?"), s ? s->abort_unmodified : TM_QUAD_YES) ==
            1) {
        tm_draft_free(&d);
        app_set_message(app, "%s", _("Aborted unmodified message."));
        return;
    }
    compose_enter(app, d, kind);
}

/* Starts a draft of kind from message id's raw text (a skeleton when left is not NULL). */
static void start_from_original(struct app *app, int kind, int64_t id, const char *raw, size_t len,
                                const struct tm_core_parts *left)
{
    bool quote = false;
    char *list = kind == TM_DRAFT_LIST_REPLY ? tm_mime_header_get(raw, len, "List-Post") : NULL;
    if (kind == TM_DRAFT_LIST_REPLY && !list) { /* before asking about quoting it */
        app_set_message(app, "%s", _("No mailing lists found."));
        return;
    }
    free(list);
    if (is_reply(kind)) {
        int include = app->cfg ? app->cfg->settings.include : TM_QUAD_ASK_YES;
        int answer = prompt_quad(app, _("Include message in reply?"), include);
        if (answer < 0)
            return;
        quote = answer == 1;
    }
    struct tm_draft *d = start_draft(app, kind, raw, len, id, quote, left);
    if (!d)
        return;
    if (kind == TM_DRAFT_RECALL) { /* as mutt: straight to the compose screen */
        compose_enter(app, d, kind);
        return;
    }
    if (kind != TM_DRAFT_RESEND && !envelope_prompts(app, d)) {
        tm_draft_free(&d);
        return;
    }
    edit_and_show(app, d, kind);
}

/* Whether a draft of kind takes only the original's text, so that a skeleton will do: a reply
 * quotes the text, an inline forward includes it, neither takes the attachments. */
static bool text_only(int kind)
{
    return is_reply(kind) || kind == TM_DRAFT_FORWARD;
}

void compose_original_arrived(struct app *app, enum body_purpose purpose, int64_t message_id,
                              const char *raw, size_t len)
{
    if (app->view != VIEW_INDEX && app->view != VIEW_PAGER)
        return; /* the person went elsewhere meanwhile */
    int kind = app->compose.pending_kind;
    if (purpose == BODY_COMPOSE_VIEW) {
        if (!parts_take_view(app, message_id, raw, len, BODY_COMPOSE_VIEW))
            return; /* asked again: the whole message came meanwhile */
        start_from_original(app, kind, message_id, app->raw.data ? app->raw.data : "", app->raw.len,
                            attach_partial_parts());
        return;
    }
    if (attach_raw_message(app) == message_id) /* the pager's skeleton: the whole one is here */
        app_keep_raw(app, message_id, raw, len);
    start_from_original(app, kind, message_id, raw, len, NULL);
}

/* Starts from message_id's raw text: at once when app->raw holds it (or its skeleton will do),
 * else once it is loaded. */
static void start_with(struct app *app, int kind, int64_t message_id)
{
    if (app->raw_id == message_id && app->raw.data) {
        start_from_original(app, kind, message_id, app->raw.data, app->raw.len, NULL);
        return;
    }
    if (text_only(kind) && attach_raw_message(app) == message_id && app->raw.data) {
        start_from_original(app, kind, message_id, app->raw.data, app->raw.len,
                            attach_partial_parts());
        return;
    }
    app->compose.pending_kind = kind;
    app_set_message(app, "%s", _("Loading the message..."));
    if (text_only(kind))
        parts_request_view(app, message_id, BODY_COMPOSE_VIEW);
    else
        app_request_body(app, message_id, BODY_COMPOSE);
}

void compose_from_message(struct app *app, enum ui_fn fn, int64_t message_id)
{
    int kind;
    switch (fn) {
    case FN_REPLY:
        kind = TM_DRAFT_REPLY;
        break;
    case FN_GROUP_REPLY:
        kind = TM_DRAFT_GROUP_REPLY;
        break;
    case FN_LIST_REPLY:
        kind = TM_DRAFT_LIST_REPLY;
        break;
    case FN_FORWARD: {
        int quad = app->cfg ? app->cfg->settings.mime_forward : TM_QUAD_NO;
        int answer = prompt_quad(app, _("Forward as attachment?"), quad);
        if (answer < 0)
            return;
        kind = answer ? TM_DRAFT_FORWARD_ATTACH : TM_DRAFT_FORWARD;
        break;
    }
    default:
        kind = TM_DRAFT_RESEND;
        break;
    }
    start_with(app, kind, message_id);
}

/* The drafts mailbox's name into out; false (message set) when the account has none. */
static bool drafts_mailbox(struct app *app, char *out, size_t size)
{
    if (tm_core_role_mailbox(app->core, TM_ROLE_DRAFTS, out, size, NULL) == TM_OK && out[0])
        return true;
    app_set_message(app, "%s", _("No postponed messages: the account has no drafts mailbox."));
    return false;
}

void compose_recall(struct app *app, int64_t message_id)
{
    char drafts[512];
    if (!drafts_mailbox(app, drafts, sizeof(drafts)))
        return;
    if (strcmp(drafts, tm_core_mailbox_name(app->core)) != 0) {
        folder_open(app, drafts);
        if (strcmp(drafts, tm_core_mailbox_name(app->core)) == 0)
            app_set_message(app, "%s", _("Postponed messages: press R on one to recall it."));
        return;
    }
    if (!message_id) {
        app_set_message(app, "%s", _("No postponed messages."));
        return;
    }
    start_with(app, TM_DRAFT_RECALL, message_id);
}

struct drafts_count {
    const char *name;
    int64_t total;
};

static int on_mailbox(void *ctx, const struct tm_mailbox_listing *mb)
{
    struct drafts_count *c = ctx;
    if (strcmp(mb->name, c->name) != 0)
        return 0;
    c->total = mb->server_total >= 0 ? mb->server_total : mb->total;
    return 1;
}

/* recall: when the drafts mailbox (not the open one) is known to hold messages, offer them.
 * 1: the drafts mailbox was opened instead; -1: cancelled; 0: go on with a new message. */
static int offer_recall(struct app *app)
{
    char drafts[512];
    int quad = app->cfg ? app->cfg->settings.recall : TM_QUAD_ASK_YES;
    if (quad == TM_QUAD_NO ||
        tm_core_role_mailbox(app->core, TM_ROLE_DRAFTS, drafts, sizeof(drafts), NULL) != TM_OK ||
        strcmp(drafts, tm_core_mailbox_name(app->core)) == 0)
        return 0;
    struct drafts_count c = {drafts, 0};
    tm_core_mailboxes(app->core, on_mailbox, &c, NULL);
    if (c.total <= 0)
        return 0;
    int answer = prompt_quad(app, _("Recall postponed message?"), quad);
    if (answer <= 0)
        return answer;
    compose_recall(app, 0);
    return 1;
}

void compose_new(struct app *app)
{
    if (offer_recall(app) != 0)
        return;
    struct tm_draft *d = start_draft(app, TM_DRAFT_NEW, NULL, 0, 0, false, NULL);
    if (!d)
        return;
    if (!envelope_prompts(app, d)) {
        tm_draft_free(&d);
        return;
    }
    edit_and_show(app, d, TM_DRAFT_NEW);
}

void compose_mailto(struct app *app, const char *url)
{
    struct tm_error err;
    struct tm_draft *d = start_draft(app, TM_DRAFT_NEW, NULL, 0, 0, false, NULL);
    tm_error_clear(&err);
    if (!d)
        return;
    if (tm_draft_apply_mailto(d, url, &err)) {
        app_set_message(app, "%s", err.message);
        tm_draft_free(&d);
        return;
    }
    if (!envelope_prompts(app, d)) {
        tm_draft_free(&d);
        return;
    }
    edit_and_show(app, d, TM_DRAFT_NEW);
}
