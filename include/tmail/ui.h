/* ui.h - the terminal UI's entry point, called by main once arguments are understood. */
#ifndef TMAIL_UI_H
#define TMAIL_UI_H

#include "tmail/core.h"
#include "tmail/status.h"

struct tm_config;

struct tm_ui_options {
    struct tm_core_options core; /* what to open */
    struct tm_config **cfg;      /* settings, key bindings, colours: the caller frees *cfg after the
                                  * UI returns; `:source` may have replaced it meanwhile */
    const char *notice;          /* shown in the message line at start, or NULL */
    const char *mailto;          /* tmail mailto:URL: start composing to it, or NULL */
};

/* Runs the UI until the user quits. Returns 0 on a normal exit; on a start-up failure
 * returns 1 with err filled (the terminal is restored first). */
int tm_ui_run(const struct tm_ui_options *opt, struct tm_error *err);

#endif
