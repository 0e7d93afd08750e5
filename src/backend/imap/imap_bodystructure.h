/* imap_bodystructure.h - a message's MIME structure as the server describes it in FETCH
 * BODYSTRUCTURE (RFC 3501 7.4.2 and 9, RFC 9051 7.5.2 and 9), parsed from the response's value
 * tree (imap_parse.c), with the part numbers FETCH BODY[n] takes (RFC 3501 6.4.5). Pure: no I/O,
 * fuzzed by tests/fuzz/fuzz_bodystructure.c. Module-internal: only backend/imap includes it. */
#ifndef TMAIL_IMAP_BODYSTRUCTURE_H
#define TMAIL_IMAP_BODYSTRUCTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap_proto.h"
#include "tmail/status.h"

/* The MIME layer's limits (tmail/mime.h): a structure past them is refused, not cut. */
#define IMAP_BODY_DEPTH_MAX 32    /* nested multiparts and messages below the top level */
#define IMAP_BODY_PARTS_MAX 10000 /* nodes of one structure, the top one included */

/* One attribute = value pair of body-fld-param or of a disposition, as the server sent it: an
 * RFC 2231 name such as "filename*0*" and its encoded value are left for the MIME layer. */
struct imap_body_param {
    char *name; /* owned, never NULL */
    char *value;
};

/* The ENVELOPE of an attached message/rfc822 (RFC 3501 7.4.2): raw nstrings (RFC 2047 words
 * still encoded), NULL for NIL; owned. Untrusted text. */
struct imap_envelope {
    char *date, *subject, *in_reply_to, *message_id;
    char *from_name;    /* of the first From address */
    char *from_address; /* "mailbox@host" of it */
};

enum imap_body_kind {
    IMAP_BODY_BASIC,     /* body-type-basic: any leaf that is neither of the next two */
    IMAP_BODY_TEXT,      /* text/...: has lines */
    IMAP_BODY_MESSAGE,   /* message/rfc822 or message/global: envelope, body, lines */
    IMAP_BODY_MULTIPART, /* children and a subtype */
};

/* One node. Strings are owned, NUL-terminated, NULL for NIL; type, subtype and encoding are lower
 * case. Values are untrusted: sanitize before showing them. */
struct imap_body {
    enum imap_body_kind kind;
    char *type, *subtype;
    struct imap_body_param *params; /* body-fld-param (for a multipart: its extension data) */
    size_t n_params;
    char *id, *description, *encoding; /* leaves only */
    uint64_t octets;                   /* leaves: size as transferred (<= 2^32-1) */
    uint64_t lines;                    /* TEXT and MESSAGE: body-fld-lines */
    struct imap_envelope *envelope;    /* MESSAGE; owned */
    /* MULTIPART: its parts (at least one); MESSAGE: one, the attached message's body. */
    struct imap_body *children;
    size_t n_children;
    /* Extension data (BODYSTRUCTURE, not BODY), each NULL/0 when absent. */
    char *md5;
    char *disposition; /* lower case: "inline", "attachment" */
    struct imap_body_param *disp_params;
    size_t n_disp_params;
    char **languages;
    size_t n_languages;
    char *location;
    size_t n_extensions; /* further body-extension values (skipped) */
    /* Where FETCH finds this node: its part number ("1", "2.1"; "" for a multipart that is a
     * whole message's body, the top one or an attached message's). message_body: the node is a
     * message's body (the top node, or the child of a MESSAGE), whose header is BODY[HEADER]
     * or BODY[<part of the MESSAGE>.HEADER]; any other node's header is BODY[section.MIME]. */
    char *section;
    bool message_body;
    unsigned depth; /* 0 for the top node; a MESSAGE's body is one below it, as in tmail/mime.h */
};

struct imap_bodystructure {
    struct imap_body root;
    size_t n_parts; /* nodes, the top one included */
};

/* Parses v (the value after BODYSTRUCTURE or BODY in a FETCH response) into *out (owned: free it
 * with imap_bodystructure_free). message_size, when nonzero (RFC822.SIZE), bounds every part's
 * octets: a part claiming more than the message is refused. TM_EPARSE names the part and what is
 * wrong (a wrong type, a number past 2^32-1, a missing field); TM_ELIMIT for more than
 * IMAP_BODY_DEPTH_MAX levels or IMAP_BODY_PARTS_MAX nodes; TM_ENOMEM. Leniencies: "()" is taken
 * as an empty parameter list, and a message/rfc822 without envelope and body (as some servers
 * send for broken attachments) as a basic leaf. */
enum tm_status imap_bodystructure_parse(const struct imap_value *v, uint64_t message_size,
                                        struct imap_bodystructure **out, struct tm_error *err);
void imap_bodystructure_free(struct imap_bodystructure **pp);

/* The value of parameter name (ASCII case-insensitive) of b's body-fld-param, or NULL. */
const char *imap_body_param(const struct imap_body *b, const char *name);
/* Whether b has type/subtype (case-insensitive; subtype NULL: any). */
bool imap_body_is(const struct imap_body *b, const char *type, const char *subtype);

/* Calls fn for every node depth-first, the top one first; stops at the first nonzero return. */
typedef int (*imap_body_fn)(void *ctx, const struct imap_body *b);
int imap_body_walk(const struct imap_body *b, imap_body_fn fn, void *ctx);

#endif
