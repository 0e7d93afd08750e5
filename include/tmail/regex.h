/* regex.h - compiling POSIX extended regular expressions from untrusted or user text safely:
 * glibc's regcomp expands counted repeats, so (a{1,3000}){1,3000} would take minutes; such
 * expressions are refused before regcomp sees them. */
#ifndef TMAIL_REGEX_H
#define TMAIL_REGEX_H

#include <regex.h>

#include "tmail/status.h"

/* Compiles text into *re with REG_EXTENDED | flags (e.g. REG_ICASE | REG_NOSUB). On failure
 * *re needs no regfree and err says why (TM_EPARSE). */
enum tm_status tm_regex_compile(regex_t *re, const char *text, int flags, struct tm_error *err);

#endif
