/* pattern.h - mutt's message patterns (~N, ~F, ~s REGEX, ~f, ~t, ~z <10K, ~d <2w, !, |, ( )),
 * compiled once and matched against cached rows: index colours now, search and limit later. */
#ifndef TMAIL_PATTERN_H
#define TMAIL_PATTERN_H

#include <stdbool.h>
#include <time.h>

#include "tmail/status.h"
#include "tmail/store.h"

struct tm_pattern;

/* Compiles text. A bare word (no ~) means "~f WORD | ~s WORD", as mutt's simple search.
 * Regexes are case-insensitive unless they contain an upper-case letter (mutt's smart case).
 * *out is released with tm_pattern_free. TM_EPARSE with err saying what and where. */
enum tm_status tm_pattern_compile(const char *text, struct tm_pattern **out, struct tm_error *err);
void tm_pattern_free(struct tm_pattern **pp);

/* Whether row matches; now is the time relative dates (~d <2w) count from. */
bool tm_pattern_match(const struct tm_pattern *p, const struct tm_message_row *row, time_t now);

#endif
