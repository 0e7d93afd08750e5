/* smtp_io.c - commands and replies on the session's stream: reading one whole reply, writing
 * (secrets through the redacting path), the cancel flag, and errors that quote the server. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

enum tm_status smtp_kill(struct tm_smtp *s, enum tm_status st)
{
    s->dead = true;
    return st;
}

static enum tm_status check_usable(struct tm_smtp *s, struct tm_error *err)
{
    if (s->cancel && *s->cancel)
        return smtp_kill(s, tm_error_set(err, TM_ECANCELED, _("canceled")));
    if (s->dead || !s->stream)
        return tm_error_set(err, TM_ENET, _("the connection to the SMTP server %s is closed"),
                            s->peer);
    return TM_OK;
}

enum tm_status smtp_read_reply(struct tm_smtp *s, struct tm_smtp_reply *r, struct tm_error *err)
{
    smtp_reply_reset(r);
    enum tm_status st = check_usable(s, err);
    while (st == TM_OK && !r->complete) {
        tm_buf_reset(&s->line);
        st = tm_stream_read_line(s->stream, &s->line, TM_SMTP_LINE_MAX, err);
        if (st == TM_ELIMIT)
            st = tm_error_set(err, TM_EPROTO,
                              _("malformed reply from the SMTP server %s: a line longer than %d "
                                "bytes"),
                              s->peer, TM_SMTP_LINE_MAX);
        if (st == TM_OK)
            st = tm_smtp_reply_add_line(r, s->line.data ? s->line.data : "", s->line.len, err);
    }
    if (st)
        return smtp_kill(s, st);
    if (r->code == 421) /* the server is closing the connection (RFC 5321 3.8) */
        smtp_kill(s, TM_ENET);
    return TM_OK;
}

enum tm_status smtp_write(struct tm_smtp *s, const void *data, size_t len, bool secret,
                          struct tm_error *err)
{
    enum tm_status st = check_usable(s, err);
    if (st == TM_OK)
        st = secret ? tm_stream_write_secret(s->stream, data, len, err)
                    : tm_stream_write(s->stream, data, len, err);
    return st ? smtp_kill(s, st) : TM_OK;
}

enum tm_status smtp_command(struct tm_smtp *s, struct tm_smtp_reply *r, struct tm_error *err,
                            const char *fmt, ...)
{
    char line[SMTP_COMMAND_LINE_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line) - 2)
        return tm_error_set(err, TM_ELIMIT, _("SMTP command too long"));
    memcpy(line + n, "\r\n", 3);
    enum tm_status st = smtp_write(s, line, (size_t)n + 2, false, err);
    return st ? st : smtp_read_reply(s, r, err);
}

enum tm_status smtp_reply_error(struct tm_error *err, enum tm_status st,
                                const struct tm_smtp_reply *r, const char *fmt, ...)
{
    if (!err)
        return st;
    char shown[sizeof(err->server_reply)];
    tm_smtp_reply_format(r, shown, sizeof(shown));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    size_t used = strlen(err->message);
    snprintf(err->message + used, sizeof(err->message) - used, ": %s", shown);
    memcpy(err->server_reply, shown, sizeof(shown));
    err->status = st;
    return st;
}
