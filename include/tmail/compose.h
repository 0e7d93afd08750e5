/* compose.h - building outgoing messages (headers, text body, attachments) and the reply and
 * forward helpers; pure apart from the "I/O edge" section at the end. (RFC 5322, RFC 2045-2047,
 * RFC 2183, RFC 2231, RFC 6152) */
#ifndef TMAIL_COMPOSE_H
#define TMAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* One mailbox: display name (UTF-8, may be NULL) and addr-spec. In tm_compose_msg the strings
 * are borrowed from the caller; in a tm_compose_addr_list they are owned by the list. */
struct tm_compose_addr {
    const char *name;
    const char *addr;
};

/* An owned list of mailboxes, released with tm_compose_addr_list_cleanup. */
struct tm_compose_addr_list {
    struct tm_compose_addr *items;
    size_t count, cap;
};
void tm_compose_addr_list_cleanup(struct tm_compose_addr_list *list);

/* One attachment, borrowed: the content bytes, not a file (see tm_compose_file_load).
 * content_type is "type/subtype" with optional parameters ("text/plain; charset=utf-8"), NULL for
 * application/octet-stream. filename is UTF-8 or NULL. */
struct tm_compose_attachment {
    const char *filename;
    const char *content_type;
    const char *data;
    size_t len;
};

/* A message to build. Everything is borrowed and UTF-8. Bcc is never written into the message:
 * the transport gets it as a recipient. body is the text with LF (or CRLF) line ends. */
struct tm_compose_msg {
    struct tm_compose_addr from;
    const struct tm_compose_addr *to, *cc, *reply_to;
    size_t nto, ncc, nreply_to;
    const char *subject;     /* may be NULL */
    const char *message_id;  /* without brackets; NULL: generated from opts */
    const char *in_reply_to; /* msg-id without brackets, or NULL */
    const char *references;  /* msg-ids without brackets separated by spaces, or NULL */
    const char *body;
    size_t body_len;
    const struct tm_compose_attachment *attachments;
    size_t nattachments;
};

/* Fills buf[0..len) with random bytes; false on failure. */
typedef bool (*tm_compose_random_fn)(void *ctx, unsigned char *buf, size_t len);

/* What the build needs from outside, passed in so tests are deterministic. */
struct tm_compose_opts {
    bool server_8bitmime;        /* the server announced 8BITMIME (RFC 6152) */
    bool crlf;                   /* wire form with CRLF line ends; otherwise LF */
    time_t now;                  /* for Date: */
    int utc_offset;              /* seconds east of UTC for Date: (local time zone) */
    tm_compose_random_fn random; /* for the Message-ID and the boundary */
    void *random_ctx;
    const char *hostname; /* Message-ID domain when From has none; NULL: "localhost" */
};

/* Builds msg into out (appended), with LF line ends unless opts->crlf. Line breaks in the
 * subject or a display name become spaces. Fails with TM_EPARSE for unusable input (no From
 * address, an address or message id that is not a plain ASCII addr-spec, a line break in a
 * content type), TM_EIO when the random source fails, TM_ENOMEM, or TM_ELIMIT (out's cap, or a
 * header line that cannot be folded under 998 characters). out's contents are unspecified on
 * failure. */
enum tm_status tm_compose_build(const struct tm_compose_msg *msg,
                                const struct tm_compose_opts *opts, struct tm_buf *out,
                                struct tm_error *err);

/* A new unique Message-ID (without brackets) for the mailbox from_addr (may be NULL): 16 random
 * bytes in hex and the domain of from_addr, else opts->hostname. malloc'd into *id. */
enum tm_status tm_compose_message_id_new(const struct tm_compose_opts *opts, const char *from_addr,
                                         char **id, struct tm_error *err);

/* ---- replies and forwards (compose_reply.c, compose_quote.c) ---- */

/* "Re: subject" with existing Re:/Re[N]:/Aw:/Sv: prefixes removed; malloc'd, NULL on ENOMEM. */
char *tm_compose_reply_subject(const char *subject);
/* "Fwd: subject" unless it already starts with Fwd:/Fw:; malloc'd, NULL on ENOMEM. */
char *tm_compose_forward_subject(const char *subject);

/* In-Reply-To (the original's Message-ID, NULL when it has none) and References (its References,
 * else In-Reply-To, plus its Message-ID; at most TM_COMPOSE_REFERENCES_MAX ids, keeping the first
 * and dropping from the middle), without brackets, ids separated by spaces; both malloc'd. */
#define TM_COMPOSE_REFERENCES_MAX 20
enum tm_status tm_compose_reply_headers(const char *orig, size_t len, char **in_reply_to,
                                        char **references, struct tm_error *err);

enum tm_reply_mode {
    TM_REPLY_SENDER, /* Reply-To, else From */
    TM_REPLY_ALL,    /* that, plus the original To and Cc in Cc */
    TM_REPLY_LIST,   /* the List-Post address */
};

/* Recipients of a reply to orig: to and cc are initialised here and owned by the caller. No
 * address appears twice (addr-specs compared case-insensitively) and none of mine[0..nmine) ever
 * appears. Replying to one's own message goes to its original recipients. TM_ENOENT when
 * TM_REPLY_LIST and orig has no usable List-Post. */
enum tm_status tm_compose_reply_recipients(const char *orig, size_t len, const char *const *mine,
                                           size_t nmine, enum tm_reply_mode mode,
                                           struct tm_compose_addr_list *to,
                                           struct tm_compose_addr_list *cc, struct tm_error *err);

/* Appends to out the attribution line "On DATE, NAME wrote:" and orig's text quoted with "> "
 * (quoted lines become ">>"). */
enum tm_status tm_compose_quote_body(const char *orig, size_t len, struct tm_buf *out,
                                     struct tm_error *err);
/* The same with attribution (one line, without its line break; the caller expands settings
 * such as mutt's attribution) in place of the default line; "" writes none, NULL the default. */
enum tm_status tm_compose_quote_body_attr(const char *orig, size_t len, const char *attribution,
                                          struct tm_buf *out, struct tm_error *err);

/* Appends to out orig forwarded inline: "----- Forwarded message from NAME -----", its main
 * headers, its text, "----- End forwarded message -----". */
enum tm_status tm_compose_forward_body(const char *orig, size_t len, struct tm_buf *out,
                                       struct tm_error *err);

/* The parts whose content an original leaves out (an IMAP message read in parts: its
 * skeleton), parts[0..n) borrowed: a quote or an inline forward lists them with their real size,
 * as it lists the attachments of a whole message, and says a text among them is not
 * downloaded. */
struct tm_mime_omitted; /* tmail/mime.h */
struct tm_compose_omitted {
    const struct tm_mime_omitted *parts;
    size_t n;
};
/* tm_compose_quote_body_attr of such an original (omitted may be NULL: a whole message). */
enum tm_status tm_compose_quote_body_omitted(const char *orig, size_t len,
                                             const struct tm_compose_omitted *omitted,
                                             const char *attribution, struct tm_buf *out,
                                             struct tm_error *err);
/* tm_compose_forward_body of such an original (omitted may be NULL). */
enum tm_status tm_compose_forward_body_omitted(const char *orig, size_t len,
                                               const struct tm_compose_omitted *omitted,
                                               struct tm_buf *out, struct tm_error *err);

/* Describes orig[0..len) (borrowed) as a message/rfc822 attachment for forwarding. */
void tm_compose_forward_attachment(const char *orig, size_t len, struct tm_compose_attachment *att);

/* ---- I/O edge: libmagic and files (magic.c, attach_file.c); not pure ---- */

/* A libmagic handle. A handle is not thread-safe: use one per thread (or per call). */
struct tm_magic;
enum tm_status tm_magic_new(struct tm_magic **out, struct tm_error *err);
void tm_magic_free(struct tm_magic **pp);

/* The MIME type of data[0..len) as "type/subtype" plus "; charset=X" for text; malloc'd. */
enum tm_status tm_magic_content_type(struct tm_magic *m, const void *data, size_t len,
                                     char **content_type, struct tm_error *err);

/* A file read for attaching: att points into the owned fields. */
struct tm_compose_file {
    struct tm_compose_attachment att;
    struct tm_buf data;
    char *filename;     /* the path's last component, as UTF-8 */
    char *content_type; /* from libmagic */
};

/* Reads path (at most max bytes, else TM_ELIMIT) into f (initialised here) and types it with m
 * (NULL: a handle is opened for this call). Errors name the file. Clean f with
 * tm_compose_file_cleanup, also after a failure. */
enum tm_status tm_compose_file_load(struct tm_compose_file *f, const char *path, size_t max,
                                    struct tm_magic *m, struct tm_error *err);
void tm_compose_file_cleanup(struct tm_compose_file *f);

/* A tm_compose_random_fn reading the kernel's random source (getrandom); ctx is unused. */
bool tm_compose_random_system(void *ctx, unsigned char *buf, size_t len);

#endif
