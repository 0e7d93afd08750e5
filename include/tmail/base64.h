/* base64.h - base64 (RFC 4648 section 4, standard alphabet, padded) for SASL and protocols. */
#ifndef TMAIL_BASE64_H
#define TMAIL_BASE64_H

#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* Appends the padded base64 of data[0..len) to out (no line breaks). TM_ENOMEM or TM_ELIMIT (out's
 * limit) on failure, leaving out as it was. */
enum tm_status tm_base64_encode(const void *data, size_t len, struct tm_buf *out);

/* Appends the bytes encoded by text[0..len) to out. Strict: len must be a multiple of 4, only the
 * 64 alphabet characters and one or two final '=' are allowed (no whitespace, no URL-safe
 * alphabet), and the unused bits before the padding must be zero. Empty input decodes to nothing.
 * TM_EPARSE (err names the offset) or TM_ENOMEM/TM_ELIMIT on failure, leaving out as it was. */
enum tm_status tm_base64_decode(const char *text, size_t len, struct tm_buf *out,
                                struct tm_error *err);

/* The 6-bit value of base64 character c (standard alphabet), or -1 for any other byte. */
int tm_base64_sextet(unsigned char c);

#endif
