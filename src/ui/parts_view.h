/* parts_view.h - a big IMAP message held in app->raw as a skeleton (core.h "Big messages read in
 * parts"): the pager shows its text, the attachment list its parts and downloads the left-out
 * ones on demand, a reply quotes it and an inline forward includes its text. The state lives in
 * parts_view.c (one UI per process). A skeleton is kept with app->raw_id 0, so that whoever
 * needs the whole message (pipe, forward as an attachment, resend) fetches it instead of taking
 * the skeleton. */
#ifndef TM_UI_PARTS_VIEW_H
#define TM_UI_PARTS_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "private.h"
#include "tmail/core.h"

struct tm_mime_omitted;

/* Records that app->raw is message_id's skeleton whose left-out parts are *parts (taken over:
 * *parts is left empty). app_keep_raw forgets it (the raw kept is then whole). */
void attach_set_partial(struct app *app, int64_t message_id, struct tm_core_parts *parts);
/* The message whose text app->raw holds (app->raw_id, or the skeleton's message); 0: none. */
int64_t attach_raw_message(const struct app *app);
/* The left-out parts of the skeleton in app->raw; NULL when app->raw is whole. */
const struct tm_core_parts *attach_partial_parts(void);
/* Re-reads the skeleton's left-out parts (what was downloaded since); a message on failure. */
void parts_reload(struct app *app);
/* What the renderer is told of parts (paths borrowed from it): an array of parts->n, freed by
 * the caller; NULL when none (or no memory: they then show as empty). */
struct tm_mime_omitted *parts_omitted(const struct tm_core_parts *parts);

/* Asks for message_id for reading (a skeleton will do for a big one): a TM_EV_BODY for purpose
 * brings it. false (message set) when it cannot be asked. */
bool parts_request_view(struct app *app, int64_t message_id, enum body_purpose purpose);
/* Takes raw, the answer for message_id, into app->raw: the whole message, or the skeleton with
 * its left-out parts as the cache says. false when it is out of date (the whole message came
 * since) and was asked for again for purpose: its answer follows. */
bool parts_take_view(struct app *app, int64_t message_id, const char *raw, size_t len,
                     enum body_purpose purpose);

#endif
