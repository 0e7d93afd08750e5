/* compose_private.h - declarations shared between the composer's files (not a contract). */
#ifndef TMAIL_MIME_COMPOSE_PRIVATE_H
#define TMAIL_MIME_COMPOSE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/compose.h"
#include "tmail/status.h"

/* Header lines are folded to this width when they have whitespace to fold at. */
#define COMPOSE_FOLD_WIDTH 78
/* RFC 5322 2.1.1: no line of a message is longer (without its line break). */
#define COMPOSE_LINE_MAX 998
/* The longest encoded word we write, so "Subject: " plus one word still fits in 78 columns. */
#define COMPOSE_EW_MAX 67

/* ---- compose_headers.c ---- */

enum compose_words {
    COMPOSE_WORDS_TEXT,   /* unstructured text (Subject): encode words with 8-bit or controls */
    COMPOSE_WORDS_PHRASE, /* a display name: also encode words with characters outside atext */
};

/* Appends text with RFC 2047 encoded words (UTF-8, Q or B whichever is shorter) where needed,
 * on one line: line breaks in text become spaces. */
enum tm_status compose_encode_words(struct tm_buf *out, const char *text, enum compose_words mode);

/* Appends the mailboxes a[0..n) as an address list, "Name <addr>, addr2". TM_EPARSE names an
 * unusable address. */
enum tm_status compose_format_addrs(struct tm_buf *out, const struct tm_compose_addr *a, size_t n,
                                    struct tm_error *err);

/* Appends the header line line[0..len) ("Name: value", no line break) folded at whitespace to
 * COMPOSE_FOLD_WIDTH columns where possible, each line ending in LF. */
enum tm_status compose_fold(struct tm_buf *out, const char *line, size_t len);

/* Appends "; name=value" for a Content-Type or Content-Disposition parameter: a token, a
 * quoted-string, or RFC 2231 UTF-8 percent-encoding (with continuations) when value is not
 * ASCII or is long. */
enum tm_status compose_param(struct tm_buf *out, const char *name, const char *value);

/* ---- compose_body.c ---- */

/* Appends a text/plain part (its Content-Type and Content-Transfer-Encoding fields, a blank
 * line and the encoded text): 7bit, 8bit when allowed, else quoted-printable. */
enum tm_status compose_text_part(struct tm_buf *out, const char *text, size_t len, bool eightbit);

/* Appends an attachment part (fields, blank line, encoded content). */
enum tm_status compose_attachment_part(struct tm_buf *out, const struct tm_compose_attachment *att,
                                       bool eightbit, struct tm_error *err);

/* Quoted-printable (RFC 2045 6.7) of in[0..len), LF line ends, lines of at most 76 columns;
 * "From " at a line start and a lone "." are encoded so that mbox and SMTP leave them alone. */
enum tm_status compose_qp_encode(struct tm_buf *out, const char *in, size_t len);

/* Quoted-printable of one line of content line[0..n) (every byte but the line break, which the
 * caller writes: a CR or LF inside becomes =0D or =0A), soft breaks ("=" LF) keeping output
 * lines to 76 columns, with compose_qp_encode's care for "From " and a lone ".". */
enum tm_status compose_qp_line(struct tm_buf *out, const char *line, size_t n);

/* Base64 (RFC 2045 6.8) in lines of 76 characters, each ending in LF. */
enum tm_status compose_base64_encode(struct tm_buf *out, const unsigned char *in, size_t len);

/* Writes into boundary (cap >= 48) a multipart boundary that occurs in none of parts[0..n). */
enum tm_status compose_boundary(const struct tm_compose_opts *opts, const struct tm_buf *parts,
                                size_t n, char *boundary, size_t cap, struct tm_error *err);

#endif
