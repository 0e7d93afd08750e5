/* parts_view.h - a big IMAP message held in app->raw as a skeleton (core.h "Big messages read in
 * parts"): the pager shows its text, the attachment list its parts and downloads the left-out
 * ones on demand. The state lives in attach_view.c (one UI per process). A skeleton is kept with
 * app->raw_id 0, so that whoever needs the whole message (compose's reply, forward, resend)
 * fetches it instead of taking the skeleton. */
#ifndef TM_UI_PARTS_VIEW_H
#define TM_UI_PARTS_VIEW_H

#include <stdint.h>

#include "tmail/core.h"

struct app;

/* Records that app->raw is message_id's skeleton whose left-out parts are *parts (taken over:
 * *parts is left empty). app_keep_raw forgets it (the raw kept is then whole). */
void attach_set_partial(struct app *app, int64_t message_id, struct tm_core_parts *parts);
/* The message whose text app->raw holds (app->raw_id, or the skeleton's message); 0: none. */
int64_t attach_raw_message(const struct app *app);
/* The left-out parts of the skeleton in app->raw; NULL when app->raw is whole. */
const struct tm_core_parts *attach_partial_parts(void);

#endif
