/* draft.h - a message being written: the fields the compose screen edits (From, To, Cc, Bcc,
 * Subject, Reply-To, body, attachments), how a draft starts (new, reply, group reply, list reply,
 * forward, edit as new, a recalled postponed message, mailto: URL), the file $EDITOR edits, and
 * the built message with its envelope. Owned by core/ (src/core/draft*.c); the UI and main use
 * it. No I/O except the functions that say they read or write a file. */
#ifndef TMAIL_DRAFT_H
#define TMAIL_DRAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tmail/buf.h"
#include "tmail/status.h"

struct tm_account;
struct tm_settings;
struct tm_alias_set;
struct tm_compose_omitted; /* tmail/compose.h */

/* One attachment: its bytes are read when attached (a file changed later does not change the
 * message). */
struct tm_draft_attachment {
    char *path;         /* the file as the person gave it, for the compose screen; NULL for a
                           forwarded or recalled part */
    char *filename;     /* the name in the message (the path's last component), UTF-8; may be
                           NULL */
    char *content_type; /* "type/subtype" plus parameters ("text/plain; charset=utf-8") */
    char *description;  /* Content-Description, or NULL */
    struct tm_buf data;
};

/* Every string is malloc'd, UTF-8, owned by the draft, and never NULL ("" when empty) unless the
 * comment says otherwise. Address fields hold what a person typed: a comma-separated list of
 * "Name <addr>", addr or alias keys. */
struct tm_draft {
    char *from;
    char *to, *cc, *bcc, *reply_to;
    char *subject;
    char *in_reply_to;  /* msg-id without brackets, or NULL */
    char *references;   /* msg-ids without brackets separated by spaces, or NULL */
    char *message_id;   /* NULL until the first build, then kept (retries, postponing) */
    struct tm_buf body; /* the text, LF line ends */
    struct tm_draft_attachment *attachments;
    size_t nattachments, cap_attachments;
    int64_t orig_message_id;     /* store id of the message replied to or forwarded, or 0 */
    unsigned orig_flag;          /* TM_FLAG_ANSWERED or TM_FLAG_PASSED for it after sending */
    int64_t recalled_message_id; /* store id of the postponed message this came from, or 0 */
    bool body_edited;            /* the editor changed the body (abort_unmodified) */
};

enum tm_draft_kind {
    TM_DRAFT_NEW,
    TM_DRAFT_REPLY,          /* Reply-To, else From */
    TM_DRAFT_GROUP_REPLY,    /* plus the original To and Cc */
    TM_DRAFT_LIST_REPLY,     /* List-Post; TM_ENOENT when the original has none */
    TM_DRAFT_FORWARD,        /* inline: the original's text in the body */
    TM_DRAFT_FORWARD_ATTACH, /* the original as a message/rfc822 attachment */
    TM_DRAFT_RESEND,         /* edit as new ("e"/resend-message): headers, text and attachments
                                of the original, no In-Reply-To */
    TM_DRAFT_RECALL,         /* a postponed message (its Bcc too) */
};

/* What starting a draft needs from the configuration, borrowed for the call. */
struct tm_draft_setup {
    const struct tm_account *account;   /* from, realname, signature */
    const struct tm_settings *settings; /* attribution, forward_format, sig_dashes, alternates,
                                           reverse_name, include (decided by the caller: see
                                           include_quote) */
    bool include_quote;                 /* quote the original in a reply */
    const char *signature_text;         /* the signature file's text (the caller reads it), or
                                           NULL */
    /* A reply or an inline forward may start from a big IMAP message's skeleton (core.h "Big
     * messages read in parts"): the parts it leaves out, so that the quote names them with their
     * real size. NULL for a whole original. */
    const struct tm_compose_omitted *omitted;
};

struct tm_draft *tm_draft_new(void); /* empty fields; NULL when out of memory */
void tm_draft_free(struct tm_draft **pp);

/* Starts a draft of kind. orig[0..len) is the raw original message (NULL/0 for TM_DRAFT_NEW);
 * orig_id its store id (recorded for the Answered/Forwarded flag, or as recalled_message_id).
 * From is the account's, or with reverse_name the original's recipient address matching
 * alternates. The body gets the quote (reply), the forwarded text (inline forward) and the
 * signature (after "-- " with sig_dashes). *out is the new draft. */
enum tm_status tm_draft_start(const struct tm_draft_setup *setup, enum tm_draft_kind kind,
                              const char *orig, size_t len, int64_t orig_id, struct tm_draft **out,
                              struct tm_error *err);

/* Fills a new draft's fields from a mailto: URL (RFC 6068: to, cc, bcc, subject, body,
 * in-reply-to; other headers ignored; %-escapes decoded). TM_EPARSE for a malformed URL. */
enum tm_status tm_draft_apply_mailto(struct tm_draft *d, const char *url, struct tm_error *err);

/* The largest file an "Attach:" line of the editor's file attaches. */
#define TM_DRAFT_ATTACH_MAX ((size_t)64 * 1024 * 1024)

/* Attaches the file at path: read whole (at most max bytes, else TM_ELIMIT naming the file),
 * typed with libmagic. Errors name the file. */
enum tm_status tm_draft_attach_file(struct tm_draft *d, const char *path, size_t max,
                                    struct tm_error *err);
/* Adds an attachment from memory (data copied; filename/content_type/description may be NULL:
 * application/octet-stream). */
enum tm_status tm_draft_attach_data(struct tm_draft *d, const char *filename,
                                    const char *content_type, const char *description,
                                    const void *data, size_t len, struct tm_error *err);
/* Removes attachment i (i < nattachments). */
void tm_draft_detach(struct tm_draft *d, size_t i);

/* Writes the file the editor opens (mode 0600, replacing path): with headers, first the header
 * block ("From:", "To:", "Cc:", "Bcc:", "Subject:", "Reply-To:", then a blank line), then the
 * body. */
enum tm_status tm_draft_write_file(const struct tm_draft *d, bool with_headers, const char *path,
                                   struct tm_error *err);
/* Reads the edited file back: the body (and with headers, the header block: known fields
 * replace the draft's, one left out becomes empty except From; "Attach: PATH [DESCRIPTION]"
 * lines attach files as mutt does, at most TM_DRAFT_ATTACH_MAX bytes each; other fields are
 * TM_EPARSE naming the line). Sets body_edited when the body differs. On failure d is
 * unchanged. */
enum tm_status tm_draft_read_file(struct tm_draft *d, bool with_headers, const char *path,
                                  struct tm_error *err);

/* A built message and who gets it. */
struct tm_draft_output {
    struct tm_buf message; /* LF line ends; 8-bit text parts as 8bit (the send path encodes
                              down when the server lacks 8BITMIME) */
    char *env_from;        /* the From addr-spec */
    char **rcpts;          /* To, Cc and Bcc addr-specs, each once (case-insensitive) */
    size_t nrcpts;
    char *to_display; /* "Bob <bob@x>, carol@y": To then Cc, for listings */
    char *subject;    /* for listings */
};
void tm_draft_output_cleanup(struct tm_draft_output *o);

struct tm_draft_build_opts {
    const struct tm_alias_set *aliases; /* expanded in To, Cc, Bcc; may be NULL */
    bool postponed;                     /* for Drafts: keep the Bcc header, no recipient required */
    time_t now;                         /* 0: the current time */
    const char *hostname; /* Message-ID domain when From has none; NULL: "localhost" */
};

/* Builds the message of d (out zeroed by the caller; cleaned by it also on failure): aliases
 * expanded, addresses checked, a Message-ID made once and stored in d, Date now, Bcc left out
 * (unless postponed). TM_EPARSE with the field and the address that cannot be read ("To: cannot
 * read bob@"), or "no recipients" (also TM_EPARSE) when To, Cc and Bcc are all empty (not for
 * postponed). An address in more than one of To, Cc and Bcc stays only in the first. */
enum tm_status tm_draft_build(struct tm_draft *d, const struct tm_draft_build_opts *opts,
                              struct tm_draft_output *out, struct tm_error *err);

#endif
