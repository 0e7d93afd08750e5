/* index_flags.c - mutt's set-flag (w) and clear-flag (W): a one-key prompt for D N O r * !, here
 * for the message under the index cursor (the one the pager shows); ;w and ;W on the tagged
 * messages are in index_tag.c. tmail does not tell old unread mail from new, so O is N. */
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

bool flag_prompt(struct app *app, bool set, struct flag_change *out)
{
    char name[32];
    int key =
        prompt_key(app, set ? _("Set flag? (D/N/O/r/*/!): ") : _("Clear flag? (D/N/O/r/*/!): "));
    switch (key) {
    case UI_KEY_CANCEL:
        return false;
    case 'D':
    case 'd':
        *out = (struct flag_change){TM_FLAG_DELETED, set};
        return true;
    case 'N':
    case 'n':
    case 'O': /* mutt's old mail is unread mail that was there before */
    case 'o':
        *out = (struct flag_change){TM_FLAG_SEEN, !set};
        return true;
    case 'R':
    case 'r':
        *out = (struct flag_change){TM_FLAG_ANSWERED, set};
        return true;
    case '!':
        *out = (struct flag_change){TM_FLAG_FLAGGED, set};
        return true;
    case '*':
        *out = (struct flag_change){0, set};
        return true;
    default:
        tm_config_key_name(key, name, sizeof(name));
        app_set_message(app, _("%s is not a flag: D, N, O, r, * or !."), name);
        return false;
    }
}

void index_flag_current(struct app *app, bool set)
{
    struct flag_change c;
    struct tm_message_row row;
    struct tm_error err;
    int64_t id;
    enum tm_status st = TM_OK;
    memset(&row, 0, sizeof(row));
    tm_error_clear(&err);
    if (!index_current_id(app, &id) || !flag_prompt(app, set, &c))
        return;
    if (!c.bit && !c.on) {
        tag_set_remove(&app->tags, id);
    } else if (!c.bit) {
        st =
            tag_set_add(&app->tags, id) ? tm_error_set(&err, TM_ENOMEM, _("out of memory")) : TM_OK;
    } else if (!(st = tm_core_message(app->core, id, &row, &err)) &&
               !(row.flags & c.bit) == c.on) { /* only a change is queued */
        st = tm_core_set_flags(app->core, id, c.on ? c.bit : 0, c.on ? 0 : c.bit, &err);
    }
    tm_message_row_cleanup(&row);
    app->dirty = true;
    if (st)
        app_set_message(app, "%s", err.message);
    else if (app->cursor + 1 < app->count) /* mutt's resolve, as for d and t */
        index_move_cursor(app, app->cursor + 1);
}
