/* smtp_session.c - opening and closing a submission session (RFC 6409; RFC 5321 3.1, 4.1.1.1,
 * 4.1.1.10): connect with implicit TLS (RFC 8314) or STARTTLS (RFC 3207, never a fallback to
 * plain text), the greeting, EHLO (HELO only when nothing is needed from extensions), AUTH, and
 * QUIT. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

#define ADDR_TEXT_MAX 64 /* a numeric IPv6 address fits */

enum tm_status smtp_session_new(const struct tm_smtp_opts *o, struct tm_smtp **out,
                                struct tm_error *err)
{
    struct tm_smtp *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (!s) {
        struct tm_stream *given = o->stream;
        tm_stream_close(&given);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    const char *host = o->host ? o->host : "(none)";
    snprintf(s->peer, sizeof(s->peer), strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, o->port);
    s->io_timeout_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : 60000;
    s->cancel = o->cancel;
    tm_buf_init(&s->line, TM_SMTP_LINE_MAX + 16);
    s->stream = o->stream;
    if (s->stream)
        tm_stream_set_io_timeout(s->stream, s->io_timeout_ms);
    *out = s;
    return TM_OK;
}

static enum tm_status connect_stream(struct tm_smtp *s, const struct tm_smtp_opts *o,
                                     struct tm_error *err)
{
    struct tm_stream_opts so = {
        .host = o->host,
        .port = o->port,
        .bind_addr = o->bind_addr,
        .connect_timeout_ms = o->connect_timeout_ms,
        .io_timeout_ms = s->io_timeout_ms,
        .cancel = o->cancel,
        .implicit_tls = o->implicit_tls,
        .tls = o->tls,
        .trace_label = "smtp",
    };
    if (!o->host || !o->host[0])
        return tm_error_set(err, TM_ECONFIG, _("no SMTP server is set"));
    return tm_stream_connect(&so, &s->stream, err);
}

static enum tm_status read_greeting(struct tm_smtp *s, struct tm_smtp_reply *r,
                                    struct tm_error *err)
{
    enum tm_status st = smtp_read_reply(s, r, err);
    if (st || r->code == 220)
        return st;
    if (r->code >= 400 && r->code < 500)
        return smtp_reply_error(err, TM_ENET, r, _("the SMTP server %s said"), s->peer);
    if (r->code >= 500)
        return smtp_reply_error(err, TM_ENET, r, _("the SMTP server %s refused the connection"),
                                s->peer);
    return smtp_reply_error(err, TM_EPROTO, r, _("%s does not greet like an SMTP server"), s->peer);
}

/* The host's fully qualified name when the system knows one with a dot, else "". May ask the
 * resolver (usually /etc/hosts answers). */
static void local_fqdn(char *out, size_t size)
{
    char host[256];
    out[0] = 0;
    if (gethostname(host, sizeof(host)) != 0)
        return;
    host[sizeof(host) - 1] = 0;
    if (strchr(host, '.')) {
        snprintf(out, size, "%s", host);
        return;
    }
    struct addrinfo hints = {.ai_flags = AI_CANONNAME, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) == 0 && res && res->ai_canonname &&
        strchr(res->ai_canonname, '.'))
        snprintf(out, size, "%s", res->ai_canonname);
    if (res)
        freeaddrinfo(res);
}

static enum tm_status ehlo_name(struct tm_smtp *s, const struct tm_smtp_opts *o, char *out,
                                size_t size, struct tm_error *err)
{
    char fqdn[256] = "", addr[ADDR_TEXT_MAX] = "";
    if (!o->helo_name || !o->helo_name[0]) {
        local_fqdn(fqdn, sizeof(fqdn));
        tm_stream_local_address(s->stream, addr, sizeof(addr));
    }
    return smtp_ehlo_name(o->helo_name, fqdn, addr, out, size, err);
}

enum tm_status smtp_ehlo(struct tm_smtp *s, const char *name, bool helo_allowed,
                         struct tm_error *err)
{
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    memset(&s->caps, 0, sizeof(s->caps));
    enum tm_status st = smtp_command(s, &r, err, "EHLO %s", name);
    if (st == TM_OK && r.code == 250) {
        st = tm_smtp_parse_ehlo(&r, &s->caps, err);
    } else if (st == TM_OK && r.code >= 400 && r.code < 500) {
        st = smtp_reply_error(err, TM_ENET, &r, _("the SMTP server %s said"), s->peer);
    } else if (st == TM_OK && r.code >= 500 && helo_allowed) {
        tm_log(TM_LOG_INFO, "smtp: %s refused EHLO; trying HELO", s->peer);
        st = smtp_command(s, &r, err, "HELO %s", name);
        if (st == TM_OK && r.code != 250)
            st = smtp_reply_error(err, r.code < 500 ? TM_ENET : TM_EPROTO, &r,
                                  _("the SMTP server %s refused HELO"), s->peer);
    } else if (st == TM_OK && r.code >= 500) {
        /* No extensions: the check for STARTTLS or AUTH that made HELO useless says why. */
        tm_log(TM_LOG_INFO, "smtp: %s refused EHLO", s->peer);
    } else if (st == TM_OK) {
        st = smtp_reply_error(err, TM_EPROTO, &r, _("the SMTP server %s answered EHLO with"),
                              s->peer);
    }
    tm_smtp_reply_cleanup(&r);
    return st;
}

/* STARTTLS (RFC 3207): the upgrade must succeed before anything else is said; the extensions
 * seen before it are forgotten and asked for again over TLS (RFC 3207 4.2). tm_stream_starttls
 * refuses bytes the server sent after its 220 (response injection). */
static enum tm_status starttls(struct tm_smtp *s, const char *name, bool helo_allowed,
                               struct tm_error *err)
{
    if (!(s->caps.ext & TM_SMTP_EXT_STARTTLS))
        return tm_error_set(err, TM_ETLS,
                            _("the SMTP server %s does not offer STARTTLS; refusing to send in "
                              "plain text"),
                            s->peer);
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    enum tm_status st = smtp_command(s, &r, err, "STARTTLS");
    if (st == TM_OK && r.code != 220)
        st = smtp_reply_error(err, TM_ETLS, &r, _("the SMTP server %s refused STARTTLS"), s->peer);
    tm_smtp_reply_cleanup(&r);
    if (st == TM_OK)
        st = tm_stream_starttls(s->stream, err);
    return st ? st : smtp_ehlo(s, name, helo_allowed, err); /* starts from no extensions */
}

enum tm_status smtp_handshake(struct tm_smtp *s, const struct tm_smtp_opts *o, struct tm_error *err)
{
    struct tm_smtp_reply r;
    char name[SMTP_EHLO_NAME_MAX];
    enum tm_status st = TM_OK;
    bool need_starttls = o->require_tls && !o->implicit_tls;
    bool need_auth = o->user != NULL;
    tm_smtp_reply_init(&r);
    if (!s->stream && (st = connect_stream(s, o, err)))
        goto out;
    if ((st = read_greeting(s, &r, err)) || (st = ehlo_name(s, o, name, sizeof(name), err)))
        goto out;
    if ((st = smtp_ehlo(s, name, !need_starttls && !need_auth, err)))
        goto out;
    if (need_starttls && (st = starttls(s, name, !need_auth, err)))
        goto out;
    if (need_auth && (st = smtp_authenticate(s, o, err)))
        goto out;
    tm_log(TM_LOG_INFO, "smtp: connected to %s%s as %s%s%s", s->peer,
           tm_stream_is_tls(s->stream) ? " with TLS" : " WITHOUT TLS", name,
           need_auth ? ", logged in as " : "", need_auth ? o->user : "");
out:
    tm_smtp_reply_cleanup(&r);
    return st ? smtp_kill(s, st) : TM_OK;
}

enum tm_status tm_smtp_open(const struct tm_smtp_opts *o, struct tm_smtp **out,
                            struct tm_error *err)
{
    struct tm_smtp *s = NULL;
    *out = NULL;
    enum tm_status st = smtp_session_new(o, &s, err);
    if (st == TM_OK)
        st = smtp_handshake(s, o, err);
    if (st) {
        tm_smtp_close(&s); /* dead: dropped without QUIT */
        return st;
    }
    *out = s;
    return TM_OK;
}

const struct tm_smtp_caps *tm_smtp_caps(const struct tm_smtp *s)
{
    return &s->caps;
}

void tm_smtp_close(struct tm_smtp **pp)
{
    if (!pp || !*pp)
        return;
    struct tm_smtp *s = *pp;
    if (s->stream && !s->dead) {
        struct tm_smtp_reply r;
        tm_smtp_reply_init(&r);
        tm_stream_set_io_timeout(s->stream, SMTP_QUIT_TIMEOUT_MS);
        smtp_command(s, &r, NULL, "QUIT"); /* best effort: the reply does not matter */
        tm_smtp_reply_cleanup(&r);
    }
    tm_stream_close(&s->stream);
    tm_buf_cleanup(&s->line);
    free(s);
    *pp = NULL;
}
