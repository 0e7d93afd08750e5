/* smtp.h - the SMTP submission client (RFC 6409 over RFC 5321): port 587 with STARTTLS required or
 * 465 with implicit TLS, EHLO, AUTH (RFC 4954), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8
 * (RFC 6531), PIPELINING (RFC 2920) and dot-stuffing. It submits one message to a list of
 * recipients and reports, per recipient, accepted or rejected with the server's reply, plus one
 * failure class for the attempt (DESIGN.md "The backend interface"). The outbox around it belongs
 * to core/. Runs on a worker thread; blocks only on its stream. */
#ifndef TMAIL_SMTP_H
#define TMAIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/backend.h"
#include "tmail/buf.h"
#include "tmail/net.h"
#include "tmail/status.h"

/* ---- Pure protocol pieces (no I/O; fuzzed by tests/fuzz/fuzz_smtp.c) ---- */

/* Longest reply line accepted (RFC 5321 4.5.3.1.5 says 512 with the CRLF; servers exceed it) and
 * most lines in one reply: beyond either the reply is TM_EPROTO, never a hang or a huge buffer. */
#define TM_SMTP_LINE_MAX  4096
#define TM_SMTP_LINES_MAX 200

/* One reply, possibly of several lines ("250-..." then "250 ..."). */
struct tm_smtp_reply {
    int code;           /* 200..599 */
    struct tm_buf text; /* the lines' texts after "NNN-"/"NNN ", joined with '\n'; owned */
    int lines;
    bool complete; /* the last line ("NNN " or a bare "NNN") has been added */
};

/* An empty reply to feed; tm_smtp_reply_cleanup frees it. */
void tm_smtp_reply_init(struct tm_smtp_reply *r);
void tm_smtp_reply_cleanup(struct tm_smtp_reply *r);
/* Adds one line (without CRLF) to r. TM_EPROTO ("malformed reply from the SMTP server: ...", with
 * a sanitised excerpt) when the line has no 3-digit code in 200..599 followed by ' ', '-' or the
 * end, when its code differs from the earlier lines', when r is already complete, or when the
 * reply passes TM_SMTP_LINES_MAX lines. Control characters (C0, DEL, C1) and bytes that are not
 * UTF-8 in the text become '?'. */
enum tm_status tm_smtp_reply_add_line(struct tm_smtp_reply *r, const char *line, size_t len,
                                      struct tm_error *err);
/* The reply as a person should see it, verbatim apart from control characters: "550 5.1.1 <x>:
 * Recipient address rejected" (lines joined with " / "), into out (truncated, always
 * terminated). */
void tm_smtp_reply_format(const struct tm_smtp_reply *r, char *out, size_t size);

/* Service extensions of an EHLO reply. */
enum tm_smtp_ext {
    TM_SMTP_EXT_STARTTLS = 1u << 0,
    TM_SMTP_EXT_AUTH = 1u << 1,
    TM_SMTP_EXT_SIZE = 1u << 2,
    TM_SMTP_EXT_8BITMIME = 1u << 3,
    TM_SMTP_EXT_SMTPUTF8 = 1u << 4,
    TM_SMTP_EXT_PIPELINING = 1u << 5,
    TM_SMTP_EXT_ENHANCEDSTATUSCODES = 1u << 6,
};
/* SASL mechanisms offered after AUTH (also the obsolete "AUTH=" form). */
enum tm_smtp_auth_mech {
    TM_SMTP_AUTH_PLAIN = 1u << 0,
    TM_SMTP_AUTH_LOGIN = 1u << 1,
    TM_SMTP_AUTH_XOAUTH2 = 1u << 2,
    TM_SMTP_AUTH_OAUTHBEARER = 1u << 3,
    TM_SMTP_AUTH_SCRAM_SHA_256 = 1u << 4,
};
struct tm_smtp_caps {
    unsigned ext;      /* enum tm_smtp_ext bits */
    unsigned auth;     /* enum tm_smtp_auth_mech bits */
    size_t size_limit; /* SIZE's number; 0: none announced (or "SIZE 0", no limit) */
};
/* Reads the extension lines of a complete 250 EHLO reply (the first line is the greeting);
 * keywords are case-insensitive, unknown ones are ignored. A SIZE value that is not a number is
 * treated as no limit. TM_EPROTO when r is not a complete 250 reply. */
enum tm_status tm_smtp_parse_ehlo(const struct tm_smtp_reply *r, struct tm_smtp_caps *caps,
                                  struct tm_error *err);

/* Appends msg[0..len) to out as DATA content: every line end becomes CRLF (a bare LF or a bare
 * CR too), a line starting with '.' gets another '.', and the content ends with CRLF (added when
 * missing); the terminating ".\r\n" is NOT added. */
enum tm_status tm_smtp_dot_stuff(const char *msg, size_t len, struct tm_buf *out,
                                 struct tm_error *err);

/* Whether s[0..len) has a byte above 0x7f (the body needs 8BITMIME, an address SMTPUTF8). */
bool tm_smtp_has_8bit(const char *s, size_t len);

/* ---- The session ---- */

struct tm_smtp;

struct tm_smtp_opts {
    const char *host;
    int port;
    bool implicit_tls; /* smtps:// (465): TLS from the first byte */
    bool require_tls;  /* false only with `tls = off`; otherwise a server without STARTTLS, or a
                          failing STARTTLS, ends the attempt with TM_ETLS (never plain text) */
    struct tm_tls_opts tls;
    const char *bind_addr;  /* local source address or NULL */
    int connect_timeout_ms; /* <= 0: 30000 */
    int io_timeout_ms;      /* <= 0: 60000; the reply to the final dot gets at least 10 min
                               (RFC 5321 4.5.3.2.6) */
    const volatile int *cancel;
    const char *helo_name; /* EHLO argument; NULL: the host's FQDN when it has a dot, else the
                              local address as a literal ("[127.0.0.1]", "[IPv6:::1]") */
    const char *user;      /* NULL: no AUTH (the server must accept mail without it) */
    bool oauth;            /* AUTH with a token (OAUTHBEARER, else XOAUTH2) instead of a password */
    bool allow_plaintext_auth; /* AUTH without TLS (only with tls = off) */
    tm_secret_fn secret;       /* the password or token; required when user is set */
    tm_secret_forget_fn secret_forget;
    void *secret_ctx;
    struct tm_stream *stream; /* tests: a ready stream (scripted) used instead of connecting; the
                                 session takes it over */
};

/* Connects, reads the greeting, EHLO (HELO when EHLO is refused and no TLS or AUTH is needed),
 * STARTTLS unless implicit_tls (then EHLO again), and authenticates when user is set: the best
 * offered of SCRAM-SHA-256, PLAIN, LOGIN (or OAUTHBEARER, XOAUTH2 with oauth). Errors: TM_ENET
 * (cannot connect, connection lost, 4xx greeting: "the SMTP server said: 421 ..."), TM_ETLS
 * (STARTTLS missing or failing, certificate), TM_EAUTH (credentials refused, with the server's
 * reply; the secret is forgotten through secret_forget; or no common mechanism), TM_EPROTO
 * (malformed replies), TM_ECANCELED. *out is the session (tm_smtp_close it). */
enum tm_status tm_smtp_open(const struct tm_smtp_opts *o, struct tm_smtp **out,
                            struct tm_error *err);
/* What the server offered in its last EHLO (after STARTTLS: the second one). */
const struct tm_smtp_caps *tm_smtp_caps(const struct tm_smtp *s);
/* Sends QUIT (best effort, without waiting long), closes and frees *pp. Accepts NULL. */
void tm_smtp_close(struct tm_smtp **pp);

/* What happened to one submission. */
enum tm_smtp_outcome {
    TM_SMTP_SENT,       /* the final 250 came: the server took responsibility */
    TM_SMTP_TEMPORARY,  /* 4xx or a network failure before the final dot: retry later */
    TM_SMTP_PERMANENT,  /* 5xx to MAIL, DATA or the content (or the SIZE limit): the person
                           must change something; retrying the same will fail the same way */
    TM_SMTP_RECIPIENTS, /* at least one RCPT was refused for good (5xx): nothing was sent
                           (RSET); see rcpts. When every refusal was a 4xx the outcome is
                           TEMPORARY instead (rcpts filled the same way). */
    TM_SMTP_MAYBE_SENT, /* the connection died after the final dot, before the reply: the
                           server may have sent it */
};

struct tm_smtp_rcpt_status {
    bool accepted;
    int code;        /* the reply code to RCPT, 0 when it never came */
    char reply[512]; /* tm_smtp_reply_format of it */
};

struct tm_smtp_envelope {
    const char *from;         /* MAIL FROM addr-spec ("" for the null sender) */
    const char *const *rcpts; /* RCPT TO addr-specs */
    size_t nrcpts;
    const char *data; /* the message with LF or CRLF line ends, not dot-stuffed */
    size_t len;
    /* Called after the content went out and right before the final ".\r\n": the outbox records
     * that from now on the message may have been sent. Returning false aborts the attempt
     * (TM_SMTP_TEMPORARY; the connection is dropped, so nothing is sent). May be NULL. */
    bool (*before_final_dot)(void *ctx);
    void *ctx;
};

struct tm_smtp_result {
    enum tm_smtp_outcome outcome;
    struct tm_smtp_rcpt_status *rcpts; /* caller's array of env->nrcpts entries, filled */
    char reply[1024]; /* the reply that decided the outcome (the final 250 too), verbatim;
                         for network failures what failed */
};

/* Submits one message: MAIL FROM (SIZE=n when offered; BODY=8BITMIME when data has 8-bit bytes
 * and the server offers it; SMTPUTF8 when an address or the header block has 8-bit bytes and it is
 * offered), every RCPT TO (pipelined with MAIL when PIPELINING is offered), then DATA only when
 * every recipient was accepted, else RSET. Before MAIL: a message larger than the server's SIZE is
 * PERMANENT; 8-bit data without 8BITMIME, or 8-bit addresses or header fields without SMTPUTF8, is
 * PERMANENT too (callers encode 8-bit bodies down first; see tm_mime_downgrade_7bit). Returns TM_OK
 * whenever the outcome is known (res filled; the session stays usable after SENT, PERMANENT and
 * RECIPIENTS); TM_ECANCELED when cancelled (an outcome of MAYBE_SENT is still filled in when the
 * dot had gone); TM_EPARSE for an unusable envelope (no recipients; an address that is empty where
 * it must not be, or holds a control character (CR, LF, ...), '<', '>' or a space), before anything
 * is sent. After TEMPORARY or MAYBE_SENT from
 * a network failure the session is dead: close it. */
enum tm_status tm_smtp_send(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                            struct tm_smtp_result *res, struct tm_error *err);

#endif
