/* imap_test_util.h - helpers for the IMAP unit tests: a canonical text form of parsed responses,
 * so a test compares one string byte by byte, and reading a whole transcript. */
#ifndef TM_IMAP_TEST_UTIL_H
#define TM_IMAP_TEST_UTIL_H

#include "src/backend/imap/imap_proto.h"

/* Appends r in canonical form: "T a1 OK", "* OK", "* 3 EXISTS", "+"; then " [CODE args]",
 * " text=\"...\"" and the args. Values: atoms as is, numbers as #123, strings quoted (L"..." for
 * literals; \", \\ and \xNN escaped), NIL, lists in parentheses. */
void dump_response(const struct imap_response *r, struct tm_buf *out);
void dump_value(const struct imap_value *v, struct tm_buf *out);

/* Parses data[0..len) read chunk bytes at a time (0: all at once) with limits lim (NULL:
 * defaults), one dumped response per line; the final status (TM_ENET at a clean end) goes to *end
 * and its message into err (may be NULL). Returns a malloc'd string. */
char *read_all(const char *data, size_t len, size_t chunk, const struct imap_limits *lim,
               enum tm_status *end, struct tm_error *err);

/* Parses one response from s (NUL-terminated) into *r with *p, made when NULL (the caller frees
 * it); read_one_len takes s[0..len) instead, for NUL bytes. */
enum tm_status read_one(const char *s, struct imap_parser **p, struct imap_response *r,
                        struct tm_error *err);
enum tm_status read_one_len(const char *s, size_t len, struct imap_parser **p,
                            struct imap_response *r, struct tm_error *err);

#endif
