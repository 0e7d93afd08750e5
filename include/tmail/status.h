/* status.h - status codes and the caller-owned error record that every layer fills on failure. */
#ifndef TMAIL_STATUS_H
#define TMAIL_STATUS_H

#include <stddef.h>

enum tm_status {
    TM_OK = 0,
    TM_ENOMEM,    /* allocation failed */
    TM_EIO,       /* local file or device error */
    TM_ENET,      /* connection failed or dropped */
    TM_ETLS,      /* TLS handshake or verification failed */
    TM_EAUTH,     /* credentials refused */
    TM_EPROTO,    /* peer broke the protocol */
    TM_ENOTSUP,   /* backend or server cannot do this */
    TM_ESTORE,    /* SQLite cache error */
    TM_ECANCELED, /* stopped on request */
    TM_ECONFIG,   /* configuration error */
    TM_EPARSE,    /* malformed input data */
    TM_ENOENT,    /* no such message, mailbox or file */
    TM_ELIMIT,    /* a size or count limit was hit */
};

/* Filled by a failing function; owned by the caller, usually on its stack. */
struct tm_error {
    enum tm_status status;
    char message[512];      /* translated, for a person; never contains secrets */
    char server_reply[512]; /* the server's last reply line, when there is one */
};

/* Resets err to TM_OK with empty texts. Accepts NULL. */
void tm_error_clear(struct tm_error *err);

/* Sets err (may be NULL) to st with a formatted message and returns st, so callers can write
 * `return tm_error_set(err, TM_EIO, _("cannot open %s"), path);`. */
enum tm_status tm_error_set(struct tm_error *err, enum tm_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like tm_error_set, appending ": strerror(errnum)" (thread-safe). */
enum tm_status tm_error_errno(struct tm_error *err, enum tm_status st, int errnum, const char *fmt,
                              ...) __attribute__((format(printf, 4, 5)));

/* A short untranslated name such as "TM_EIO", for logs and tests. */
const char *tm_status_name(enum tm_status st);

#endif
