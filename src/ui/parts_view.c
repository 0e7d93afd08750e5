/* parts_view.c - the raw message the pager, the attachment list and compose share (app->raw):
 * whole, or a big IMAP message's skeleton with the parts it leaves out (parts_view.h); and
 * asking for a message for reading, where a skeleton will do. */
#include <stdlib.h>
#include <string.h>

#include "parts_view.h"
#include "private.h"
#include "tmail/mime.h"

/* The skeleton in app->raw, when it is one (one UI per process, as app.c's g_app). */
static struct {
    int64_t message_id; /* 0: app->raw is whole */
    struct tm_core_parts parts;
} partial;

/* The message asked again after a stale skeleton (once per request, so it cannot loop). */
static int64_t asked_again;

void app_keep_raw(struct app *app, int64_t message_id, const char *raw, size_t len)
{
    partial.message_id = 0;
    tm_core_parts_cleanup(&partial.parts);
    if (raw == app->raw.data && len == app->raw.len) { /* the pager showing it again */
        app->raw_id = message_id;
        return;
    }
    tm_buf_cleanup(&app->raw);
    tm_buf_init(&app->raw, 0);
    app->raw_id = 0;
    if (tm_buf_append(&app->raw, raw, len) == TM_OK)
        app->raw_id = message_id;
}

void attach_set_partial(struct app *app, int64_t message_id, struct tm_core_parts *parts)
{
    tm_core_parts_cleanup(&partial.parts);
    partial.parts = *parts;
    memset(parts, 0, sizeof(*parts));
    partial.message_id = app->raw_id == message_id ? message_id : 0;
    app->raw_id = 0; /* whoever needs the whole message must not take a skeleton for it */
}

int64_t attach_raw_message(const struct app *app)
{
    return app->raw_id ? app->raw_id : partial.message_id;
}

const struct tm_core_parts *attach_partial_parts(void)
{
    return partial.message_id ? &partial.parts : NULL;
}

void parts_reload(struct app *app)
{
    struct tm_error err;
    tm_error_clear(&err);
    if (partial.message_id &&
        tm_core_parts_load(app->core, partial.message_id, &partial.parts, &err) != TM_OK)
        app_set_message(app, "%s", err.message);
}

struct tm_mime_omitted *parts_omitted(const struct tm_core_parts *parts)
{
    struct tm_mime_omitted *om = parts && parts->n ? calloc(parts->n, sizeof(*om)) : NULL;
    for (size_t i = 0; om && i < parts->n; i++)
        om[i] = (struct tm_mime_omitted){parts->items[i].path, (uint64_t)parts->items[i].octets,
                                         parts->items[i].complete};
    return om;
}

static bool ask(struct app *app, int64_t message_id, enum body_purpose purpose)
{
    struct tm_error err;
    tm_error_clear(&err);
    app->body_purpose = purpose;
    app->body_id = message_id;
    if (tm_core_request_view(app->core, message_id,
                             app->cfg ? app->cfg->settings.alternative_order : NULL, &err)) {
        app->body_purpose = BODY_NONE;
        app_set_message(app, "%s", err.message);
        return false;
    }
    return true;
}

bool parts_request_view(struct app *app, int64_t message_id, enum body_purpose purpose)
{
    asked_again = 0;
    return ask(app, message_id, purpose);
}

bool parts_take_view(struct app *app, int64_t message_id, const char *raw, size_t len,
                     enum body_purpose purpose)
{
    struct tm_error err;
    struct tm_core_parts parts = {0};
    enum tm_core_body_kind kind;
    tm_error_clear(&err);
    if (tm_core_body_kind(app->core, message_id, raw, len, &kind, &parts, &err) != TM_OK) {
        app_set_message(app, "%s", err.message);
        kind = TM_BODY_STALE; /* not known to be whole: never handed to compose as such */
    }
    if (kind == TM_BODY_STALE && asked_again != message_id) {
        asked_again = message_id; /* the whole message came meanwhile: it follows */
        if (ask(app, message_id, purpose)) {
            tm_core_parts_cleanup(&parts);
            return false;
        }
    }
    app_keep_raw(app, message_id, raw, len);
    if (kind != TM_BODY_WHOLE)
        attach_set_partial(app, message_id, &parts);
    tm_core_parts_cleanup(&parts);
    return true;
}
