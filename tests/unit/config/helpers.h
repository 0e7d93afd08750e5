/* helpers.h - shared helpers of the configuration tests: parse a text, look for a diagnostic. */
#ifndef TM_CONFIG_TEST_HELPERS_H
#define TM_CONFIG_TEST_HELPERS_H

#include <stdbool.h>

#include "tmail/config.h"

/* A fake environment: HOME=/home/alice, MAILROOT=/srv/mail, EMPTY="". */
extern const struct tm_config_env test_env;

/* Parses text as "test.rc" and finishes; never NULL (aborts when out of memory). */
struct tm_config *parse_text(const char *text);

/* True when a diagnostic of severity sev at line (0: any line) contains needle. */
bool has_diag(const struct tm_config *cfg, enum tm_config_severity sev, int line,
              const char *needle);

/* Writes text to dir/name with mode and returns the path (static storage, one at a time). */
const char *write_rc(const char *dir, const char *name, const char *text, int mode);

/* Prints all diagnostics (for failing tests). */
void dump_diags(const struct tm_config *cfg);

#endif
