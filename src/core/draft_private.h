/* draft_private.h - declarations shared between the draft files of core/ (not a contract). */
#ifndef TM_CORE_DRAFT_PRIVATE_H
#define TM_CORE_DRAFT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/draft.h"
#include "tmail/status.h"

/* ---- draft.c ---- */

/* Replaces *field by a copy of value (NULL: ""); *field is unchanged on TM_ENOMEM. */
enum tm_status draft_set(char **field, const char *value);
/* The same for a field that may be NULL (in_reply_to, references): NULL or "" gives NULL. */
enum tm_status draft_set_opt(char **field, const char *value);
/* Appends item to the comma-separated list *field ("a" + "b" gives "a, b"). */
enum tm_status draft_list_add(char **field, const char *item);

/* ---- draft_addr.c ---- */

/* One entry of a typed address list or of a header value: text is the entry as written
 * (trimmed); name (may be NULL) and addr (NULL when the entry has no address) are what the MIME
 * address parser read from it. All malloc'd. */
struct draft_mailbox {
    char *text;
    char *name;
    char *addr;
};
struct draft_mailboxes {
    struct draft_mailbox *items;
    size_t count, cap;
};

/* Splits list (may be NULL) at the commas and semicolons outside quotes, comments and angle
 * brackets, drops group names ("friends: a@x, b@y;"), and reads each entry. *out is initialised
 * here; TM_ENOMEM only. */
enum tm_status draft_mailboxes_parse(const char *list, struct draft_mailboxes *out);
void draft_mailboxes_cleanup(struct draft_mailboxes *m);

/* True for an ASCII addr-spec with a local part and a domain that compose can write. */
bool draft_addr_usable(const char *addr);

/* Appends "Name <addr>" (the name quoted when the list splitter or the parser would misread it)
 * or addr alone to out, in the form a person types. */
enum tm_status draft_format_mailbox(struct tm_buf *out, const char *name, const char *addr);

/* Reads the mailboxes of header field name of msg[0..len) (decoded) into the typed form
 * "Name <addr>, addr2" (*out malloc'd, "" when absent). */
enum tm_status draft_header_addresses(const char *msg, size_t len, const char *name, char **out);

/* ---- draft_format.c ---- */

struct tm_envelope;
/* Appends fmt with mutt's expandos replaced from the message msg[0..len) whose envelope is
 * env: %d its Date in date_format (NULL: tmail's default; a leading '!' means the C locale) in
 * the sender's time zone, %n the author's name (else address), %a the address, %s the subject,
 * %% a percent sign; any other % sequence is kept as written. */
enum tm_status draft_expand_format(struct tm_buf *out, const char *fmt, const char *msg, size_t len,
                                   const struct tm_envelope *env, const char *date_format);

/* ---- draft_template.c ---- */

/* Fills d from the message msg[0..len) as a template (edit as new, recalled draft): To, Cc,
 * Bcc, Reply-To and Subject, the first text part as the body, the other parts as attachments;
 * with keep_thread also From, In-Reply-To and References. */
enum tm_status draft_from_template(struct tm_draft *d, const char *msg, size_t len,
                                   bool keep_thread, struct tm_error *err);

#endif
