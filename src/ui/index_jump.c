/* index_jump.c - mutt's jump: a digit typed in the index asks "Jump to message:" with that digit
 * already there, and the cursor goes to the message of that number (as the index numbers it). */
#include <stdio.h>
#include <stdlib.h>

#include "private.h"
#include "tmail/i18n.h"

void index_jump(struct app *app)
{
    char text[32] = "";
    if (app->last_key >= '1' && app->last_key <= '9')
        snprintf(text, sizeof(text), "%c", (char)app->last_key);
    if (!prompt_line(app, _("Jump to message: "), text, sizeof(text)) || !text[0])
        return;
    char *end = NULL;
    long long n = strtoll(text, &end, 10);
    if (*end || n < 1 || n > app->count) {
        app_set_message(app, "%s", _("Invalid message number."));
        return;
    }
    index_move_cursor(app, n - 1);
}
