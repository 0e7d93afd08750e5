/* mime.h - the MIME layer's contract: header access, RFC 2047 words, addresses, dates, the
 * envelope the index needs, the tree of MIME parts and their decoding, the text rendering the
 * pager shows, and the --dump-mime JSON. Pure: bytes in, owned structures out; no I/O, no
 * globals. (RFC 5322, RFC 2045-2047, RFC 2183, RFC 2231, RFC 8259) */
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
/* The same, reading raw 8-bit header bytes that are not UTF-8 as fallback (the charset_fallback
 * setting; NULL: windows-1252). */
enum tm_status tm_mime_envelope_parse_fb(const char *msg, size_t len, const char *fallback,
                                         struct tm_envelope *env, struct tm_error *err);
void tm_mime_envelope_cleanup(struct tm_envelope *env);

/* Renders the readable text of a whole message for the pager into out, as UTF-8 (not yet made
 * terminal-safe: the UI does that): the primary text part (text/plain preferred, text/html
 * converted to plain text if it is the only text), transfer-decoded and converted from its
 * charset, followed by a list of the other parts as "[-- Attachment #N: name (type, size) --]".
 * Never fails the whole message for one bad part: a part that cannot be decoded shows a note. */
enum tm_status tm_mime_render_text(const char *msg, size_t len, struct tm_buf *out,
                                   struct tm_error *err);

/* One message of an mbox: byte offsets into the caller's buffer. */
struct tm_mbox_entry {
    size_t from_line; /* the "From " separator line */
    size_t start;     /* first header byte */
    size_t end;       /* one past the last content byte (the separating blank line excluded) */
};

/* Finds the next message of the mbox data[0..len) at or after *pos (start with 0) and advances
 * *pos; false at the end. A From_ line separates only at the start or after a blank line, when
 * it looks like one ("From SENDER" and a date or nothing) and a header line follows; a valid
 * Content-Length is honoured. Content is still ">From "-quoted: see tm_mbox_unquote. */
bool tm_mbox_next(const char *data, size_t len, size_t *pos, struct tm_mbox_entry *e);

/* Appends msg[0..len) to out with one '>' removed from every ">From " / ">>From " line
 * (mboxrd; also right for mboxo's single level). */
enum tm_status tm_mbox_unquote(const char *msg, size_t len, struct tm_buf *out);

/* A part whose content the message handed to the renderer leaves out (an IMAP message read in
 * parts: its skeleton), by its path in the MIME tree. */
struct tm_mime_omitted {
    const char *path; /* "2", "1.3" */
    uint64_t size;    /* its size as transferred (transfer-encoded) */
    bool cached;      /* downloaded since (shown from the attachment list) */
};

/* Options of tm_mime_render_text_opts; all may be NULL. */
struct tm_render_opts {
    /* Preferred types among alternatives, best first, separated by blanks, ':' or ',': exact
     * "type/subtype", "type/ *" (no blank) or "type". NULL: text/plain, then text/html. */
    const char *alternative_order;
    /* The charset of unlabelled or mislabelled 8-bit text (NULL: windows-1252). */
    const char *charset_fallback;
    /* Shows a text part other than text/plain through an outside viewer (a mailcap
     * copiousoutput entry): payload[0..len) is transfer-decoded, charset as labelled (may be
     * NULL); the viewer's output is appended to out as UTF-8. TM_ENOTSUP (no viewer) or any
     * failure falls back to tmail's own rendering. */
    enum tm_status (*viewer)(void *ctx, const char *type, const char *charset, const char *payload,
                             size_t len, struct tm_buf *out);
    void *viewer_ctx;
    /* Parts left out of the message (omitted[0..n_omitted), borrowed): listed with their real
     * size as "not downloaded" (or "downloaded"), and a text part among them gets a note in
     * place of its text. */
    const struct tm_mime_omitted *omitted;
    size_t n_omitted;
    /* For a reply's quote or a forward: the omitted parts are listed as a whole message lists
     * them (their size, no download state), and a text part among them as not downloaded. */
    bool omitted_plain;
};

/* How much alternative_order (as in struct tm_render_opts; NULL: text/plain, then text/html)
 * wants a part of type/subtype among the parts of a multipart/alternative: a higher number is
 * better; 0 for a type the order does not list (1 for a multipart, which may hold one). */
int tm_mime_alternative_rank(const char *order, const char *type, const char *subtype);

/* Appends in[0..len) decoded from the Content-Transfer-Encoding cte (base64, quoted-printable,
 * x-uuencode; NULL, 7bit, 8bit, binary and unknown ones as they are) to out, within its cap. */
enum tm_status tm_mime_transfer_decode(const char *cte, const char *in, size_t len,
                                       struct tm_buf *out);

/* tm_mime_render_text with options. */
enum tm_status tm_mime_render_text_opts(const char *msg, size_t len,
                                        const struct tm_render_opts *opts, struct tm_buf *out,
                                        struct tm_error *err);

/* Decodes format=flowed text (RFC 3676) from text[0..len), appending to out one line per
 * paragraph, each prefixed by ">" per quote level plus a space when quoted. delsp is the DelSp
 * parameter. Fixed (non-flowed) lines pass through unchanged apart from space-stuffing. */
enum tm_status tm_mime_flowed_decode(const char *text, size_t len, bool delsp, struct tm_buf *out);

/* ---- the MIME tree (tree.c, tree_walk.c; RFC 2045, RFC 2046 5, RFC 2183, RFC 2231) ---- */

#define TM_MIME_DEPTH_MAX 32    /* nested multiparts and messages below the top level */
#define TM_MIME_PARTS_MAX 10000 /* parts in one tree, the whole message included */

/* One MIME entity. Its header and body are offsets into base, so nothing is copied until a part
 * is decoded. All strings are malloc'd and owned by the tree; NULL when absent. */
struct tm_mime_part {
    char *path;       /* "" for the whole message, then "1", "2", "1.2", ... */
    unsigned depth;   /* 0 for the whole message */
    const char *base; /* the bytes given to tm_mime_parse, or (inside a base64 or
                       * quoted-printable message/rfc822 part) a decoded copy owned by the tree */
    size_t header_start, header_len, body_start, body_len; /* offsets into base */
    char type[64], subtype[128]; /* lower case; text/plain by default (message/rfc822 in a
                                  * multipart/digest) */
    char *charset;               /* Content-Type charset, lower case */
    char *boundary;              /* as given (or found in the body when the parameter is missing) */
    char *filename;    /* decoded UTF-8: Content-Disposition filename, else Content-Type name */
    char *disposition; /* lower case: "inline", "attachment", ... */
    char *cte;         /* Content-Transfer-Encoding mechanism, lower case */
    bool leaf;         /* false for multiparts with delimiters and for message/rfc822|global */
    struct tm_mime_part *children;
    size_t nchildren;
    /* message/rfc822 and message/global: the embedded message's bytes (the body, or its
     * decoded copy); inner_status is TM_ELIMIT, and there is no child, when decoding it would
     * pass the tree's budget of twice the message size plus 1 MiB for decoded copies. */
    const char *inner;
    size_t inner_len;
    enum tm_status inner_status;
    size_t deep_dropped; /* children not parsed because of TM_MIME_DEPTH_MAX */
    bool parts_dropped;  /* TM_MIME_PARTS_MAX was reached while adding this part's children */
};

struct tm_mime_tree {
    const char *msg; /* borrowed: the caller's bytes, which must outlive the tree */
    size_t len;
    struct tm_mime_part root;
    size_t nparts;  /* parts in the tree */
    bool truncated; /* some parts were dropped by the limits */
    char **decoded; /* decoded copies of encoded embedded messages (owned) */
    size_t ndecoded;
};

/* Parses msg[0..len) into a tree of parts (*out, released with tm_mime_tree_free). msg is
 * borrowed and must stay valid and unchanged while the tree lives. Malformed structure never
 * fails: it yields leaves (see doc/VIOLATIONS.md); only TM_ENOMEM is an error. */
enum tm_status tm_mime_parse(const char *msg, size_t len, struct tm_mime_tree **out,
                             struct tm_error *err);
void tm_mime_tree_free(struct tm_mime_tree **pp);

/* Calls fn for every part depth-first, the whole message first; stops at the first non-OK
 * status fn returns and returns it. */
typedef enum tm_status (*tm_mime_part_fn)(const struct tm_mime_part *part, void *ctx);
enum tm_status tm_mime_tree_walk(const struct tm_mime_tree *tree, tm_mime_part_fn fn, void *ctx);

/* The part at path ("" is the whole message), or NULL. Borrowed from tree. */
const struct tm_mime_part *tm_mime_tree_find(const struct tm_mime_tree *tree, const char *path);

/* Appends part's transfer-decoded payload bytes (base64, quoted-printable, x-uuencode; 7bit,
 * 8bit, binary and unknown encodings as they are) to out, within out's cap (TM_ELIMIT). For a
 * non-leaf the raw body is decoded the same way. */
enum tm_status tm_mime_part_decode(const struct tm_mime_tree *tree, const struct tm_mime_part *part,
                                   struct tm_buf *out, struct tm_error *err);

/* Appends a text/... leaf as UTF-8 text to out: transfer-decoded, converted from its charset, and
 * for text/html turned into plain text. Other parts are TM_ENOTSUP; TM_ELIMIT past out's cap. */
enum tm_status tm_mime_part_text(const struct tm_mime_tree *tree, const struct tm_mime_part *part,
                                 struct tm_buf *out, struct tm_error *err);

/* A "begin MODE NAME" ... "end" uuencoded block found inside a text body (how attachments were
 * sent before MIME, and still are by a few tools). */
struct tm_mime_uu_block {
    size_t start, len; /* the whole block, "begin" line through "end" line */
    char name[256];    /* the file name from the begin line, truncated to fit */
};

/* Finds the next uuencoded block in text[0..len) at or after *pos; advances *pos past it. */
bool tm_mime_uu_next(const char *text, size_t len, size_t *pos, struct tm_mime_uu_block *block);

/* Decodes uuencoded data (a "begin" line is optional; decoding stops at "end") onto out. */
enum tm_status tm_mime_uu_decode(const char *in, size_t len, struct tm_buf *out);

/* Writes msg's structure as one JSON object (RFC 8259, UTF-8) plus a newline to out: "headers"
 * (subject, from, to, cc, message_id, date) and "parts" (every part depth-first with path,
 * content_type, charset, filename, disposition, cte, leaf, size and sha256 of the decoded
 * payload). message_id and date are the first top-level field's value unfolded and trimmed,
 * exactly as written (message_id with its angle brackets). See doc/tmail.1, --dump-mime. */
enum tm_status tm_mime_dump_json(const char *msg, size_t len, struct tm_buf *out,
                                 struct tm_error *err);

/* For a submission server without 8BITMIME (RFC 6152): appends to out msg[0..len) with every
 * part whose body has bytes above 0x7f (or NULs, or lines over 998 bytes) re-encoded, text/... as
 * quoted-printable and everything else (message/rfc822 included) as base64, and its
 * Content-Transfer-Encoding field rewritten (a single-part message without MIME-Version also
 * gets "MIME-Version: 1.0"); all other bytes, boundaries and headers stay as they were. A
 * message already 7-bit is copied unchanged. Line ends follow the input (CRLF when
 * its first line ends so). TM_ENOTSUP when a header field has 8-bit bytes (only SMTPUTF8 could
 * carry it), TM_EPARSE when the MIME structure cannot be read. */
enum tm_status tm_mime_downgrade_7bit(const char *msg, size_t len, struct tm_buf *out,
                                      struct tm_error *err);

#endif
