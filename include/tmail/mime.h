/* mime.h - the MIME layer's contract: header access, RFC 2047 words, addresses, dates, the
 * envelope the index needs, and the text rendering the pager shows. Pure: bytes in, owned
 * structures out; no I/O, no globals. (RFC 5322, RFC 2045-2047, RFC 2231) */
#ifndef TMAIL_MIME_H
#define TMAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* One raw header field as it appears in the message: pointers into the caller's bytes, the
 * value still folded (CRLF/LF + WSP continuations inside). */
struct tm_header_field {
    const char *name;
    size_t name_len;
    const char *value; /* first byte after the colon (leading blanks skipped) */
    size_t value_len;  /* up to, not including, the final line break */
};

/* Offset of the first body byte: just after the blank line ending the header, or len when the
 * message has no body (or no blank line). */
size_t tm_mime_header_end(const char *msg, size_t len);

/* Iterates the header fields of msg[0..hdr_len): start with *pos = 0; returns true and fills f
 * for each field, false at the end. Lines without a colon are skipped (obsolete junk). */
bool tm_mime_header_next(const char *msg, size_t hdr_len, size_t *pos, struct tm_header_field *f);

/* The first field called name (case-insensitive) in msg's header, unfolded (line breaks removed,
 * each fold's whitespace kept as one space) and trimmed, as a malloc'd string the caller frees;
 * NULL when absent or on allocation failure. */
char *tm_mime_header_get(const char *msg, size_t len, const char *name);

/* Decodes RFC 2047 encoded words in text into malloc'd UTF-8 (caller frees). Raw 8-bit bytes
 * that are not valid UTF-8 are taken as fallback_charset (NULL: windows-1252). Whitespace
 * between adjacent encoded words is dropped. NULL only on allocation failure. */
char *tm_mime_decode_header_text(const char *text, const char *fallback_charset);

/* First mailbox of an address list header value: *name (decoded display name, or NULL) and
 * *addr (addr-spec, or NULL), both malloc'd for the caller. */
enum tm_status tm_mime_first_address(const char *value, char **name, char **addr);

/* Parses an RFC 5322 date (and common broken forms) to a UTC time; false when unparseable. */
bool tm_mime_parse_date(const char *s, time_t *out);

/* What the index needs of a message, all malloc'd UTF-8 (NULL when absent), owned by the
 * struct and released with tm_mime_envelope_cleanup. */
struct tm_envelope {
    char *subject;     /* decoded */
    char *from_name;   /* decoded display name */
    char *from_addr;   /* addr-spec */
    char *to;          /* decoded, as a display string */
    char *cc;          /* decoded, as a display string */
    char *message_id;  /* without angle brackets */
    char *in_reply_to; /* the last msg-id in In-Reply-To, without angle brackets */
    char *references;  /* msg-ids without brackets, separated by single spaces, oldest first */
    time_t date;       /* from Date:, else 0 */
};

/* Parses the header of msg[0..len) (the body is not needed). On TM_ENOMEM env is cleaned. */
enum tm_status tm_mime_envelope_parse(const char *msg, size_t len, struct tm_envelope *env,
                                      struct tm_error *err);
void tm_mime_envelope_cleanup(struct tm_envelope *env);

/* Renders the readable text of a whole message for the pager into out, as UTF-8 (not yet made
 * terminal-safe: the UI does that): the primary text part (text/plain preferred, text/html
 * converted to plain text if it is the only text), transfer-decoded and converted from its
 * charset, followed by a list of the other parts as "[-- Attachment #N: name (type, size) --]".
 * Never fails the whole message for one bad part: a part that cannot be decoded shows a note. */
enum tm_status tm_mime_render_text(const char *msg, size_t len, struct tm_buf *out,
                                   struct tm_error *err);

/* Decodes format=flowed text (RFC 3676) from text[0..len), appending to out one line per
 * paragraph, each prefixed by ">" per quote level plus a space when quoted. delsp is the DelSp
 * parameter. Fixed (non-flowed) lines pass through unchanged apart from space-stuffing. */
enum tm_status tm_mime_flowed_decode(const char *text, size_t len, bool delsp, struct tm_buf *out);

#endif
