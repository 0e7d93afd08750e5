/* imap_auth.c - logging in: AUTHENTICATE (RFC 9051 6.2.2) with SASL-IR (RFC 4959) for PLAIN,
 * SCRAM-SHA-256 (RFC 7677), OAUTHBEARER (RFC 7628) and XOAUTH2, else LOGIN unless the server
 * says LOGINDISABLED. Secrets go to the wire only, through tm_stream_write_secret. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/sasl.h"

/* Produces the answer (base64, may be empty) to a continuation's challenge text. */
typedef enum tm_status (*sasl_step_fn)(void *ctx, const char *challenge, struct tm_buf *out,
                                       struct tm_error *err);

struct scram_ctx {
    struct tm_scram *scram;
    int step;
};

static enum tm_status scram_step(void *ctx, const char *challenge, struct tm_buf *out,
                                 struct tm_error *err)
{
    struct scram_ctx *c = ctx;
    switch (c->step++) {
    case 0:
        return tm_scram_client_final(c->scram, challenge, out, err);
    case 1:
        return tm_scram_verify_server(c->scram, challenge, err); /* answered with "" */
    default:
        return tm_error_set(err, TM_EPROTO, _("the server continued SCRAM after it ended"));
    }
}

/* A continuation with an error text (XOAUTH2, OAUTHBEARER): answered with an empty line (or
 * "AQ==" for OAUTHBEARER) so that the server sends its NO. */
static enum tm_status empty_step(void *ctx, const char *challenge, struct tm_buf *out,
                                 struct tm_error *err)
{
    (void)challenge, (void)err;
    return ctx ? tm_buf_append_str(out, ctx) : TM_OK;
}

/* Without SASL-IR the initial response answers the first continuation; the mechanism's own
 * steps answer the rest. */
struct chained {
    const char *initial;
    bool sent;
    sasl_step_fn next;
    void *next_ctx;
};

static enum tm_status chained_step(void *ctx, const char *challenge, struct tm_buf *out,
                                   struct tm_error *err)
{
    struct chained *c = ctx;
    if (!c->sent) {
        c->sent = true;
        return tm_buf_append_str(out, c->initial);
    }
    return c->next(c->next_ctx, challenge, out, err);
}

/* Sends the prepared command in s->cmd and answers continuations with step until the tagged
 * reply. A refusal is TM_EAUTH with the server's words. */
static enum tm_status run_sasl(struct tm_session *s, const char *tag, sasl_step_fn step, void *ctx,
                               struct tm_error *err)
{
    enum tm_status st = tm_buf_append(&s->cmd, "\r\n", 2);
    if (!st)
        st = tm_stream_write_secret(s->stream, s->cmd.data, s->cmd.len, err);
    explicit_bzero(s->cmd.data, s->cmd.len);
    if (st) {
        imap_disconnect(s);
        return st;
    }
    struct tm_buf answer;
    tm_buf_init(&answer, 64 * 1024);
    enum tm_status step_failure = TM_OK;
    for (;;) {
        struct imap_response r;
        if ((st = imap_read(s, &r, err)))
            break;
        if (r.kind == IMAP_CONTINUATION) {
            tm_buf_reset(&answer);
            struct tm_error local;
            tm_error_clear(&local);
            if (!step_failure && step(ctx, r.text ? r.text : "", &answer, &local)) {
                step_failure = local.status;
                if (err)
                    *err = local;
            }
            if (step_failure) /* "*" cancels the exchange (RFC 9051 6.2.2) */
                st = tm_stream_write(s->stream, "*\r\n", 3, err);
            else if (!(st = tm_buf_append(&answer, "\r\n", 2)))
                st = tm_stream_write_secret(s->stream, answer.data, answer.len, err);
            if (answer.data)
                explicit_bzero(answer.data, answer.cap);
            if (st) {
                imap_disconnect(s);
                break;
            }
        } else if (r.kind == IMAP_TAGGED && strcmp(r.tag, tag) == 0) {
            if (r.code && strcmp(r.code, "CAPABILITY") == 0) {
                memset(&s->caps, 0, sizeof(s->caps));
                imap_caps_parse(r.code_args, r.n_code_args, &s->caps);
                s->caps_gen++;
            }
            if (r.cond == IMAP_COND_OK) {
                st = step_failure;
            } else if (!step_failure) {
                imap_reply_to_error(&r, err);
                st = tm_error_set(err, TM_EAUTH, _("%s refused the login of %s: %s"), s->srv.host,
                                  s->srv.user, err ? err->server_reply : "");
            } else {
                st = step_failure;
            }
            break;
        } else if (r.kind == IMAP_UNTAGGED) {
            bool consumed;
            imap_untagged_common(s, &r, &consumed, NULL);
        } else {
            imap_disconnect(s);
            st = tm_error_set(err, TM_EPROTO, _("%s answered an unknown command tag"), s->srv.host);
            break;
        }
    }
    tm_buf_cleanup(&answer);
    return st;
}

/* AUTHENTICATE mech [initial]: with SASL-IR the initial response rides on the command line,
 * otherwise it answers the first continuation. */
static enum tm_status authenticate(struct tm_session *s, const char *mech, const char *initial,
                                   sasl_step_fn step, void *ctx, struct tm_error *err)
{
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    bool ir = initial && imap_caps_has(&s->caps, IMAP_CAP_SASL_IR);
    enum tm_status st = tm_buf_appendf(&s->cmd, "AUTHENTICATE %s%s%s", mech, ir ? " " : "",
                                       ir ? (initial[0] ? initial : "=") : "");
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    if (initial && !ir) {
        struct chained c = {initial, false, step, ctx};
        return run_sasl(s, tag, chained_step, &c, err);
    }
    return run_sasl(s, tag, step, ctx, err);
}

static enum tm_status login_command(struct tm_session *s, const char *password,
                                    struct tm_error *err)
{
    if (imap_caps_has(&s->caps, IMAP_CAP_LOGINDISABLED))
        return tm_error_set(
            err, TM_EAUTH,
            _("%s offers no login method tmail knows (LOGINDISABLED, no AUTH=PLAIN)"), s->srv.host);
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    bool sync = false;
    bool lplus = imap_caps_has(&s->caps, IMAP_CAP_LITERALPLUS);
    enum tm_status st = tm_buf_append_str(&s->cmd, "LOGIN ");
    if (!st)
        st = imap_append_astring(&s->cmd, s->srv.user, strlen(s->srv.user), lplus, &sync);
    if (!st)
        st = tm_buf_append_char(&s->cmd, ' ');
    if (!st)
        st = imap_append_astring(&s->cmd, password, strlen(password), lplus, &sync);
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    if (sync)
        return tm_error_set(err, TM_ENOTSUP,
                            _("the user name or password cannot be sent to %s with LOGIN"),
                            s->srv.host);
    return imap_cmd_run(s, tag, true, NULL, NULL, TM_EAUTH, err);
}

static enum tm_status with_password(struct tm_session *s, const char *password,
                                    struct tm_error *err)
{
    unsigned auth = s->caps.auth;
    struct tm_buf ir;
    tm_buf_init(&ir, 0);
    enum tm_status st;
    if (auth & IMAP_AUTH_SCRAM_SHA_256) {
        struct scram_ctx c = {0};
        st = tm_scram_new(s->srv.user, password, &c.scram, err);
        if (!st)
            st = tm_scram_client_first(c.scram, &ir, err);
        if (!st)
            st = authenticate(s, "SCRAM-SHA-256", ir.data ? ir.data : "", scram_step, &c, err);
        tm_scram_free(&c.scram);
    } else if (auth & IMAP_AUTH_PLAIN) {
        st = tm_sasl_plain(NULL, s->srv.user, password, &ir, err);
        if (!st)
            st = authenticate(s, "PLAIN", ir.data ? ir.data : "", empty_step, NULL, err);
    } else {
        st = login_command(s, password, err);
    }
    if (ir.data)
        explicit_bzero(ir.data, ir.cap);
    tm_buf_cleanup(&ir);
    return st;
}

static enum tm_status with_token(struct tm_session *s, const char *token, struct tm_error *err)
{
    struct tm_buf ir;
    tm_buf_init(&ir, 0);
    enum tm_status st;
    if (s->caps.auth & IMAP_AUTH_OAUTHBEARER) {
        st = tm_sasl_oauthbearer(s->srv.user, s->srv.host, s->srv.port, token, &ir, err);
        if (!st)
            st = authenticate(s, "OAUTHBEARER", ir.data, empty_step, "AQ==", err);
    } else if (s->caps.auth & IMAP_AUTH_XOAUTH2) {
        st = tm_sasl_xoauth2(s->srv.user, token, &ir, err);
        if (!st)
            st = authenticate(s, "XOAUTH2", ir.data, empty_step, NULL, err);
    } else {
        st = tm_error_set(err, TM_EAUTH,
                          _("oauth_token_cmd is set but %s offers neither OAUTHBEARER nor XOAUTH2"),
                          s->srv.host);
    }
    if (ir.data)
        explicit_bzero(ir.data, ir.cap);
    tm_buf_cleanup(&ir);
    return st;
}

enum tm_status imap_authenticate(struct tm_session *s, struct tm_error *err)
{
    if (!tm_stream_is_tls(s->stream) && !s->srv.allow_plain_auth) {
        imap_disconnect(s);
        return tm_error_set(err, TM_ETLS,
                            _("refusing to log in to %s without TLS (allow_plaintext_auth is "
                              "off)"),
                            s->srv.host);
    }
    if (!s->srv.user || !s->env->secret)
        return tm_error_set(err, TM_EAUTH, _("account %s has no user name for %s"), s->account_name,
                            s->srv.host);
    if (!s->caps.bits) {
        memset(&s->caps, 0, sizeof(s->caps));
        enum tm_status st = imap_simple(s, NULL, NULL, err, "CAPABILITY");
        if (st)
            return st;
    }
    struct tm_error local;
    tm_error_clear(&local);
    const char *secret = NULL;
    enum tm_secret kind = s->srv.use_oauth ? TM_SECRET_OAUTH_TOKEN : TM_SECRET_PASSWORD;
    enum tm_status st = s->env->secret(s->env->secret_ctx, kind, &secret, &local);
    if (st) {
        if (err)
            *err = local;
        return st == TM_ENET ? TM_EAUTH : st;
    }
    st = kind == TM_SECRET_OAUTH_TOKEN ? with_token(s, secret, err) : with_password(s, secret, err);
    if (st == TM_EAUTH && s->env->secret_forget)
        s->env->secret_forget(s->env->secret_ctx, kind);
    return st;
}
