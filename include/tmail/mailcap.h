/* mailcap.h - mailcap files (RFC 1524): which external command shows, prints or edits a MIME
 * type. Parsing and command expansion are pure (text in, structures out); running a command is
 * the caller's business. */
#ifndef TMAIL_MAILCAP_H
#define TMAIL_MAILCAP_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/status.h"

enum tm_mailcap_flag {
    TM_MAILCAP_COPIOUSOUTPUT = 1u << 0, /* output is text to page through */
    TM_MAILCAP_NEEDSTERMINAL = 1u << 1, /* interactive: needs the terminal */
    TM_MAILCAP_TEXTUALNEWLINES = 1u << 2,
};

struct tm_mailcap_entry {
    char *type;         /* lower case "type/subtype" or "type/ *" (no space) */
    char *view;         /* the view command, may be empty */
    char *test;         /* test= command or NULL */
    char *print;        /* print= command or NULL */
    char *compose;      /* compose= command or NULL */
    char *nametemplate; /* nametemplate= or NULL */
    char *description;  /* description= or NULL */
    unsigned flags;     /* enum tm_mailcap_flag */
    int line;           /* where it was read, for messages */
};

struct tm_mailcap {
    struct tm_mailcap_entry *entries;
    size_t n, cap;
};

/* Parses mailcap text (comments, "\" continuations, "\;" escapes) and appends its entries to
 * mc (zero it before the first call), so several files can be read in order. Malformed lines are
 * skipped; *bad_lines (may be NULL) counts them. Only TM_ENOMEM is an error. */
enum tm_status tm_mailcap_parse(struct tm_mailcap *mc, const char *text, size_t len,
                                int *bad_lines);
void tm_mailcap_cleanup(struct tm_mailcap *mc);

/* The first entry after *from (start with 0) for type/subtype (case-insensitive; "type/ *" and a
 * bare "type" match any subtype) that has all flags in required; *from is advanced so the
 * caller can try the next one when an entry's test fails. NULL when there is none. */
const struct tm_mailcap_entry *tm_mailcap_find(const struct tm_mailcap *mc, const char *type,
                                               unsigned required, size_t *from);

/* Expands a mailcap command into out: %s becomes file, %t the content type, %{name} the value of
 * parameter name from param(name, ctx) (may return NULL), %% a percent sign. Values from the
 * message (type, parameters) are reduced to [A-Za-z0-9._+/=@:-] (anything else becomes '_'),
 * so no quoting in the command can be broken out of and no shell syntax reaches sh. *uses_file
 * (may be NULL) tells whether %s appeared; if not, the caller feeds the data on stdin. */
typedef const char *(*tm_mailcap_param_fn)(const char *name, void *ctx);
enum tm_status tm_mailcap_expand(const char *command, const char *file, const char *type,
                                 tm_mailcap_param_fn param, void *ctx, struct tm_buf *out,
                                 bool *uses_file);

#endif
