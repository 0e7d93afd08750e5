/* str.h - small string helpers: checked number parsing, case-insensitive compare, and making
 * untrusted text safe for a terminal. */
#ifndef TMAIL_STR_H
#define TMAIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/buf.h"

/* Parses a whole decimal string into *out; false on junk, empty input or overflow. */
bool tm_str_to_i64(const char *s, int64_t *out);

/* Returns a malloc'd copy of s[0..len) with a NUL; NULL on allocation failure. */
char *tm_strndup(const char *s, size_t len);

/* ASCII case-insensitive prefix test. */
bool tm_str_has_prefix_ci(const char *s, const char *prefix);

/* Decodes one UTF-8 sequence at s[0..len) (len > 0): returns its length and sets *cp, or returns
 * 0 for an invalid, overlong, surrogate or truncated sequence. */
size_t tm_utf8_decode(const unsigned char *s, size_t len, unsigned *cp);

/* Appends s[0..len) to out as valid UTF-8 safe to print: C0 controls (except TAB and LF when
 * keep_newlines), DEL, C1 controls and ESC become visible (^[, ^G, <U+009B>), and invalid UTF-8
 * bytes become U+FFFD. The result never contains a byte that a terminal interprets. */
enum tm_status tm_str_visible(struct tm_buf *out, const char *s, size_t len, bool keep_newlines);

/* Display width in terminal columns of valid UTF-8 s (wide CJK characters count 2). Needs a
 * UTF-8 LC_CTYPE. Non-printable characters count as 1. */
size_t tm_str_width(const char *s);

/* Byte length of the longest prefix of UTF-8 s that fits in max_cols columns; *cols_out (may be
 * NULL) receives its width. Never splits a character. */
size_t tm_str_fit(const char *s, size_t max_cols, size_t *cols_out);

#endif
