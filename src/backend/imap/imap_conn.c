/* imap_conn.c - opening an IMAP connection: TCP, implicit TLS or STARTTLS (RFC 9051 6.2.1,
 * RFC 8314), the greeting, capabilities, login, COMPRESS=DEFLATE (RFC 4978) and ENABLE (RFC 5161:
 * QRESYNC RFC 7162, UTF8=ACCEPT RFC 6855); reconnecting with backoff after a failure. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

#define BACKOFF_FIRST_S 2
#define BACKOFF_MAX_S   300

static enum tm_status read_greeting(struct tm_session *s, bool *preauth, struct tm_error *err)
{
    struct imap_response r;
    enum tm_status st = imap_read(s, &r, err);
    if (st)
        return st;
    if (r.kind != IMAP_UNTAGGED ||
        (r.cond != IMAP_COND_OK && r.cond != IMAP_COND_PREAUTH && r.cond != IMAP_COND_BYE)) {
        imap_disconnect(s);
        return tm_error_set(err, TM_EPROTO, _("%s:%d does not greet like an IMAP server"),
                            s->srv.host, s->srv.port);
    }
    if (r.cond == IMAP_COND_BYE) {
        imap_reply_to_error(&r, err);
        imap_disconnect(s);
        return tm_error_set(err, TM_ENET, _("%s refused the connection: %s"), s->srv.host,
                            err ? err->server_reply : "");
    }
    *preauth = r.cond == IMAP_COND_PREAUTH;
    if (r.code && strcmp(r.code, "CAPABILITY") == 0)
        imap_caps_parse(r.code_args, r.n_code_args, &s->caps);
    return TM_OK;
}

static enum tm_status capability(struct tm_session *s, struct tm_error *err)
{
    memset(&s->caps, 0, sizeof(s->caps));
    return imap_simple(s, NULL, NULL, err, "CAPABILITY");
}

/* STARTTLS: the upgrade must succeed before anything else is said. tm_stream_starttls refuses
 * when the server sent more after its OK (response injection, CVE-2020-14954), and the
 * capabilities seen before TLS are forgotten (RFC 9051 6.2.1). */
static enum tm_status starttls(struct tm_session *s, struct tm_error *err)
{
    enum tm_status st;
    if (!s->caps.bits && (st = capability(s, err)))
        return st;
    if (!imap_caps_has(&s->caps, IMAP_CAP_STARTTLS)) {
        imap_disconnect(s);
        return tm_error_set(err, TM_ETLS,
                            _("%s does not offer STARTTLS; refusing to continue without TLS"),
                            s->srv.host);
    }
    st = imap_simple(s, NULL, NULL, err, "STARTTLS");
    if (st == TM_OK && s->stream)
        st = tm_stream_starttls(s->stream, err);
    if (st) {
        imap_disconnect(s);
        if (st == TM_EPROTO)
            tm_error_set(err, TM_ETLS, _("%s refused STARTTLS: %s"), s->srv.host,
                         err->server_reply);
        return err->status;
    }
    memset(&s->caps, 0, sizeof(s->caps));
    return TM_OK;
}

/* COMPRESS DEFLATE once logged in, when offered and imap_deflate allows it. The server compresses
 * from the byte after its OK, so the stream switches before anything else is read. A NO or BAD
 * (e.g. [COMPRESSIONACTIVE]) leaves the connection as it was. */
static enum tm_status start_compression(struct tm_session *s, struct tm_error *err)
{
    if (!s->srv.use_deflate || !imap_caps_has(&s->caps, IMAP_CAP_COMPRESS_DEFLATE) ||
        tm_stream_is_compressed(s->stream))
        return TM_OK;
    struct tm_error local;
    tm_error_clear(&local);
    enum tm_status st = imap_simple(s, NULL, NULL, &local, "COMPRESS DEFLATE");
    if (st == TM_EPROTO && s->stream) {
        tm_log(TM_LOG_INFO, "imap %s: %s refused COMPRESS DEFLATE (%s); going on uncompressed",
               s->account_name, s->srv.host, local.server_reply);
        return TM_OK;
    }
    if (st == TM_OK)
        st = tm_stream_compress(s->stream, &local);
    if (st) {
        imap_disconnect(s);
        if (err)
            *err = local;
    }
    return st;
}

static enum tm_status on_enabled(struct tm_session *s, void *ctx, const struct imap_response *r,
                                 struct tm_error *err)
{
    (void)ctx, (void)err;
    if (!r->keyword || strcmp(r->keyword, "ENABLED") != 0)
        return TM_OK;
    for (size_t i = 0; i < r->n_args; i++) {
        const struct imap_value *v = &r->args[i];
        if (v->type != IMAP_V_ATOM)
            continue;
        if (strcasecmp(v->str, "QRESYNC") == 0)
            s->qresync_enabled = s->condstore_enabled = true;
        else if (strcasecmp(v->str, "CONDSTORE") == 0)
            s->condstore_enabled = true;
        else if (strcasecmp(v->str, "UTF8=ACCEPT") == 0)
            s->utf8_enabled = true;
    }
    return TM_OK;
}

static enum tm_status enable_extensions(struct tm_session *s, struct tm_error *err)
{
    s->qresync_enabled = s->condstore_enabled = s->utf8_enabled = false;
    if (!imap_caps_has(&s->caps, IMAP_CAP_ENABLE))
        return TM_OK;
    bool qresync = imap_caps_has(&s->caps, IMAP_CAP_QRESYNC);
    bool condstore = imap_caps_has(&s->caps, IMAP_CAP_CONDSTORE);
    bool utf8 = imap_caps_has(&s->caps, IMAP_CAP_UTF8_ACCEPT);
    if (!qresync && !condstore && !utf8)
        return TM_OK;
    return imap_simple(s, on_enabled, NULL, err, "ENABLE%s%s",
                       qresync     ? " QRESYNC"
                       : condstore ? " CONDSTORE"
                                   : "",
                       utf8 ? " UTF8=ACCEPT" : "");
}

enum tm_status imap_connect(struct tm_session *s, struct tm_error *err)
{
    imap_disconnect(s);
    memset(&s->caps, 0, sizeof(s->caps));
    char label[64];
    snprintf(label, sizeof(label), "imap %s", s->account_name);
    struct tm_stream_opts o = {
        .host = s->srv.host,
        .port = s->srv.port,
        .connect_timeout_ms = s->srv.connect_timeout_ms,
        .io_timeout_ms = s->srv.io_timeout_ms,
        .cancel = s->env->cancel,
        .implicit_tls = s->srv.implicit_tls,
        .tls = {.ca_file = s->srv.ca_file, .fingerprint = s->srv.fingerprint},
        .trace_label = label,
    };
    enum tm_status st = tm_stream_connect(&o, &s->stream, err);
    return st ? st : imap_handshake(s, err);
}

enum tm_status imap_handshake(struct tm_session *s, struct tm_error *err)
{
    enum tm_status st;
    s->next_tag = 0; /* tags count per connection: t1, t2, ... */
    bool preauth = false;
    if ((st = read_greeting(s, &preauth, err)))
        return st;
    if (s->srv.starttls && !tm_stream_is_tls(s->stream)) {
        if (preauth) { /* CVE-2020-14093: logged in before TLS, so STARTTLS is impossible */
            imap_disconnect(s);
            return tm_error_set(err, TM_ETLS,
                                _("%s sent PREAUTH on a connection that must switch to TLS; "
                                  "refusing it (possible attack)"),
                                s->srv.host);
        }
        if ((st = starttls(s, err)))
            return st;
    }
    if (!s->caps.bits && (st = capability(s, err)))
        return st;
    unsigned gen = s->caps_gen;
    if (!preauth && (st = imap_authenticate(s, err)))
        return st;
    if ((s->caps_gen == gen || !s->caps.bits) && (st = capability(s, err)))
        return st;
    if ((st = start_compression(s, err)))
        return st;
    if ((st = enable_extensions(s, err)))
        return st;
    tm_log(TM_LOG_INFO, "imap %s: connected to %s:%d%s%s%s", s->account_name, s->srv.host,
           s->srv.port, tm_stream_is_tls(s->stream) ? " with TLS" : " WITHOUT TLS",
           s->qresync_enabled     ? ", QRESYNC"
           : s->condstore_enabled ? ", CONDSTORE"
                                  : "",
           tm_stream_is_compressed(s->stream) ? ", COMPRESS=DEFLATE" : "");
    return TM_OK;
}

static bool after(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

enum tm_status imap_ensure_connected(struct tm_session *s, struct tm_error *err)
{
    if (s->stream)
        return TM_OK;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (s->failures && !after(&now, &s->retry_at)) {
        if (err)
            *err = s->last_failure;
        return s->last_failure.status;
    }
    struct tm_error local;
    tm_error_clear(&local);
    enum tm_status st = imap_connect(s, &local);
    if (st == TM_OK) {
        s->failures = 0;
        return TM_OK;
    }
    imap_disconnect(s);
    if (imap_is_offline_error(st)) {
        int delay = BACKOFF_FIRST_S << (s->failures < 8 ? s->failures : 8);
        if (delay > BACKOFF_MAX_S)
            delay = BACKOFF_MAX_S;
        s->failures++;
        s->retry_at = now;
        s->retry_at.tv_sec += delay;
        s->last_failure = local;
        tm_log(TM_LOG_WARN, "imap %s: %s (retrying in %d s)", s->account_name, local.message,
               delay);
    }
    if (err)
        *err = local;
    return st;
}

bool imap_is_offline_error(enum tm_status st)
{
    return st == TM_ENET;
}
