/* private.h - the SMTP module's session record and the helpers its files share: replies and
 * commands on the stream (smtp_io.c), the EHLO argument (smtp_ehlo.c), the handshake
 * (smtp_session.c) and login (smtp_auth.c). */
#ifndef TM_SMTP_PRIVATE_H
#define TM_SMTP_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/sasl.h"
#include "tmail/smtp.h"

/* A reply's joined text: every line at its longest, plus the '\n' between them. */
#define SMTP_REPLY_TEXT_MAX ((size_t)TM_SMTP_LINE_MAX * TM_SMTP_LINES_MAX + TM_SMTP_LINES_MAX)
/* RFC 5321 4.5.3.1.4: a command line, CRLF included. An AUTH line with its initial response
 * longer than this goes without it (RFC 4954 4). */
#define SMTP_COMMAND_LINE_MAX 512
/* RFC 5321 4.5.3.2.6: the reply to the final dot may take 10 minutes. */
#define SMTP_FINAL_DOT_TIMEOUT_MS (10 * 60 * 1000)
#define SMTP_QUIT_TIMEOUT_MS      5000
/* Longest EHLO argument we make: a domain (255) or an IPv6 literal, with room to spare. */
#define SMTP_EHLO_NAME_MAX 300

struct tm_smtp {
    struct tm_stream *stream; /* owned; NULL once dropped */
    struct tm_smtp_caps caps; /* of the last EHLO; all zero after HELO */
    char peer[300];           /* "host:port" for messages */
    int io_timeout_ms;        /* the configured one, restored after the final dot */
    const volatile int *cancel;
    /* The connection is gone or out of step (a failure, a cancel, a refusal during the
     * handshake): no more commands, and no QUIT on close. */
    bool dead;
    struct tm_buf line; /* the reply line being read */
    /* Tests: called on each new SCRAM exchange before its first message, to fix the nonce
     * (net_scram_set_nonce). NULL otherwise. */
    enum tm_status (*scram_prepare)(struct tm_scram *scram, struct tm_error *err);
};

/* smtp_reply.c */

/* Empties r for the next reply, keeping its allocation. */
void smtp_reply_reset(struct tm_smtp_reply *r);

/* smtp_ehlo.c */

/* The EHLO argument (RFC 5321 4.1.4): configured when set (TM_ECONFIG when it holds a space or a
 * control character), else fqdn when it is a domain with a dot, else local_addr as an address
 * literal ("[192.0.2.7]", "[IPv6:2001:db8::7]"; RFC 5321 4.1.3). fqdn and local_addr may be NULL
 * or "". TM_ENOTSUP when none can be used, TM_ELIMIT when out is too small ("" then). */
enum tm_status smtp_ehlo_name(const char *configured, const char *fqdn, const char *local_addr,
                              char *out, size_t size, struct tm_error *err);

/* smtp_io.c: every failure here marks the session dead. */

/* Reads one complete reply into r (reset first). TM_ENET (connection lost, timed out),
 * TM_EPROTO (malformed, too long), TM_ECANCELED. A 421 reply (the server is closing) is
 * returned as TM_OK, but the session is marked dead. */
enum tm_status smtp_read_reply(struct tm_smtp *s, struct tm_smtp_reply *r, struct tm_error *err);
/* Writes data[0..len), through tm_stream_write_secret when secret (the trace hides it). Checks
 * the cancel flag first. */
enum tm_status smtp_write(struct tm_smtp *s, const void *data, size_t len, bool secret,
                          struct tm_error *err);
/* Sends one command (fmt, without CRLF) and reads its reply into r. */
enum tm_status smtp_command(struct tm_smtp *s, struct tm_smtp_reply *r, struct tm_error *err,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Marks the session dead and returns st (err is left as the caller filled it). */
enum tm_status smtp_kill(struct tm_smtp *s, enum tm_status st);
/* Sets err to st with the message fmt followed by ": " and r as a person should see it; r also
 * goes to err->server_reply. Returns st. */
enum tm_status smtp_reply_error(struct tm_error *err, enum tm_status st,
                                const struct tm_smtp_reply *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* smtp_session.c: tm_smtp_open in two steps, so that tests can set scram_prepare in between and
 * look at the stream after a failure. */

/* A session over o->stream (taken over) or, without one, not yet connected. */
enum tm_status smtp_session_new(const struct tm_smtp_opts *o, struct tm_smtp **out,
                                struct tm_error *err);
/* Connects when there is no stream, then greeting, EHLO, STARTTLS and AUTH. On failure the
 * session is dead (its stream kept for inspection); free it with tm_smtp_close. */
enum tm_status smtp_handshake(struct tm_smtp *s, const struct tm_smtp_opts *o,
                              struct tm_error *err);
/* Sends EHLO name (HELO when EHLO is refused and fallback is allowed) and records the
 * extensions in s->caps. */
enum tm_status smtp_ehlo(struct tm_smtp *s, const char *name, bool helo_allowed,
                         struct tm_error *err);

/* smtp_auth.c */

/* AUTH with the best mechanism both sides know (RFC 4954); requires TLS unless o allows plain
 * text. TM_EAUTH (refused: secret_forget is called for 530, 534 and 535; or no common
 * mechanism), TM_ENET (4xx, connection lost), TM_EPROTO, TM_ETLS, TM_ECANCELED. */
enum tm_status smtp_authenticate(struct tm_smtp *s, const struct tm_smtp_opts *o,
                                 struct tm_error *err);

#endif
