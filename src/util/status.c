/* status.c - status names and the tm_error record helpers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tmail/status.h"

void tm_error_clear(struct tm_error *err)
{
    if (!err)
        return;
    err->status = TM_OK;
    err->message[0] = 0;
    err->server_reply[0] = 0;
}

__attribute__((format(printf, 3, 0))) static enum tm_status
error_vset(struct tm_error *err, enum tm_status st, const char *fmt, va_list ap)
{
    if (!err)
        return st;
    err->status = st;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return st;
}

enum tm_status tm_error_set(struct tm_error *err, enum tm_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_vset(err, st, fmt, ap);
    va_end(ap);
    return st;
}

enum tm_status tm_error_errno(struct tm_error *err, enum tm_status st, int errnum, const char *fmt,
                              ...)
{
    va_list ap;
    char reason[256];
    if (!err)
        return st;
    va_start(ap, fmt);
    error_vset(err, st, fmt, ap);
    va_end(ap);
    /* GNU strerror_r may return a static string instead of filling the buffer. */
    const char *text = strerror_r(errnum, reason, sizeof(reason));
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof(err->message) - used, ": %s", text);
    return st;
}

const char *tm_status_name(enum tm_status st)
{
    static const char *const names[] = {
        [TM_OK] = "TM_OK",           [TM_ENOMEM] = "TM_ENOMEM",
        [TM_EIO] = "TM_EIO",         [TM_ENET] = "TM_ENET",
        [TM_ETLS] = "TM_ETLS",       [TM_EAUTH] = "TM_EAUTH",
        [TM_EPROTO] = "TM_EPROTO",   [TM_ENOTSUP] = "TM_ENOTSUP",
        [TM_ESTORE] = "TM_ESTORE",   [TM_ECANCELED] = "TM_ECANCELED",
        [TM_ECONFIG] = "TM_ECONFIG", [TM_EPARSE] = "TM_EPARSE",
        [TM_ENOENT] = "TM_ENOENT",   [TM_ELIMIT] = "TM_ELIMIT",
    };
    if ((unsigned)st < sizeof(names) / sizeof(names[0]) && names[st])
        return names[st];
    return "TM_E?";
}
