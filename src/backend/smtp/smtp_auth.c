/* smtp_auth.c - AUTH (RFC 4954): SCRAM-SHA-256 (RFC 7677, the server's proof checked), PLAIN
 * (RFC 4616) or LOGIN for a password; OAUTHBEARER (RFC 7628) or XOAUTH2 for a token. An initial
 * response rides on the AUTH line when the line stays within 512 bytes (RFC 4954 4), else it
 * answers the first 334. Secrets go out only through tm_stream_write_secret, and every buffer
 * that held one is wiped. */
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

#define SASL_ROUNDS_MAX  8 /* 334 challenges in one exchange; SCRAM needs 2 */
#define SASL_BUF_MAX     ((size_t)64 * 1024)
#define SASL_ANSWER_ROOM ((size_t)8 * 1024) /* a SCRAM or LOGIN answer fits */

/* Answers one 334 challenge (its base64 text) with base64 in out (may stay empty). */
typedef enum tm_status (*sasl_step_fn)(void *ctx, const char *challenge, struct tm_buf *out,
                                       struct tm_error *err);

struct mechanism {
    const char *name;    /* "PLAIN" */
    const char *initial; /* base64 initial response; NULL: none */
    sasl_step_fn step;   /* answers the challenges after the initial response; NULL: none */
    void *ctx;
    bool verified; /* set by step when the server proved itself; see needs_proof */
    bool needs_proof;
};

static void wipe(struct tm_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->cap);
    tm_buf_cleanup(b);
}

struct scram_ctx {
    struct tm_scram *scram;
    struct mechanism *m;
    int step;
};

static enum tm_status scram_step(void *ctx, const char *challenge, struct tm_buf *out,
                                 struct tm_error *err)
{
    struct scram_ctx *c = ctx;
    enum tm_status st;
    switch (c->step++) {
    case 0:
        return tm_scram_client_final(c->scram, challenge, out, err);
    case 1: /* the server-final-message, answered with an empty line */
        st = tm_scram_verify_server(c->scram, challenge, err);
        c->m->verified = st == TM_OK;
        return st;
    default:
        return tm_error_set(err, TM_EPROTO, _("the SMTP server continued SCRAM after its end"));
    }
}

struct login_ctx {
    const char *user, *pass;
    int step;
};

/* LOGIN's two prompts, answered in order whatever they say. */
static enum tm_status login_step(void *ctx, const char *challenge, struct tm_buf *out,
                                 struct tm_error *err)
{
    struct login_ctx *c = ctx;
    (void)challenge;
    if (c->step > 1)
        return tm_error_set(err, TM_EPROTO, _("the SMTP server asked for more than LOGIN has"));
    enum tm_status st = tm_sasl_login_step(c->step++ == 0 ? c->user : c->pass, out, err);
    return st ? tm_error_set(err, st, _("out of memory")) : TM_OK;
}

/* A 334 after a token carries the server's error (JSON): it gets the answer in ctx ("AQ==" for
 * OAUTHBEARER, RFC 7628 3.2.3; an empty line for XOAUTH2) so that the 535 follows. */
static enum tm_status error_ack_step(void *ctx, const char *challenge, struct tm_buf *out,
                                     struct tm_error *err)
{
    (void)challenge;
    return tm_buf_append_str(out, ctx) ? tm_error_set(err, TM_ENOMEM, _("out of memory")) : TM_OK;
}

/* Sends "AUTH name [initial]", inline when it fits in a command line. */
static enum tm_status send_auth_line(struct tm_smtp *s, const struct mechanism *m, bool *inline_ir,
                                     struct tm_error *err)
{
    struct tm_buf cmd;
    size_t ir_len = m->initial ? strlen(m->initial) : 0;
    tm_buf_init(&cmd, SASL_BUF_MAX);
    *inline_ir =
        m->initial && 5 + strlen(m->name) + 1 + (ir_len ? ir_len : 1) + 2 <= SMTP_COMMAND_LINE_MAX;
    /* Reserved first so that no copy of the secret is left behind by a realloc. */
    enum tm_status st = tm_buf_reserve(&cmd, 5 + strlen(m->name) + 1 + ir_len + 3);
    if (st == TM_OK)
        st = tm_buf_appendf(&cmd, "AUTH %s", m->name);
    if (st == TM_OK && *inline_ir)
        st = tm_buf_appendf(&cmd, " %s", ir_len ? m->initial : "="); /* "=": empty (RFC 4954 4) */
    if (st == TM_OK)
        st = tm_buf_append(&cmd, "\r\n", 2);
    if (st)
        st = tm_error_set(err, st, _("out of memory"));
    else
        st = smtp_write(s, cmd.data, cmd.len, *inline_ir, err);
    wipe(&cmd);
    return st;
}

/* Answers one 334: the pending initial response, the mechanism's step, or "*" (cancel, RFC 4954
 * 4) once a step failed; the step's failure goes to *failure. */
static enum tm_status answer_challenge(struct tm_smtp *s, struct mechanism *m,
                                       const struct tm_smtp_reply *r, bool *initial_pending,
                                       struct tm_error *failure, struct tm_error *err)
{
    struct tm_buf answer;
    tm_buf_init(&answer, SASL_BUF_MAX);
    /* Room for any answer and its CRLF first, so that no realloc leaves a copy behind. */
    size_t room = SASL_ANSWER_ROOM + (*initial_pending ? strlen(m->initial) : 0);
    enum tm_status st = tm_buf_reserve(&answer, room);
    if (st) {
        tm_error_set(failure, st, _("out of memory"));
    } else if (*initial_pending) {
        *initial_pending = false;
        st = tm_buf_append_str(&answer, m->initial);
        if (st)
            tm_error_set(failure, st, _("out of memory"));
    } else if (!failure->status && !m->step) {
        st = tm_error_set(failure, TM_EPROTO, _("the SMTP server asked for more than AUTH %s has"),
                          m->name);
    } else if (!failure->status) {
        st = m->step(m->ctx, r->text.data ? r->text.data : "", &answer, failure);
        failure->status = st;
    }
    if (failure->status)
        st = smtp_write(s, "*\r\n", 3, false, err);
    else if ((st = tm_buf_append(&answer, "\r\n", 2)) == TM_OK)
        st = smtp_write(s, answer.data, answer.len, true, err);
    else
        st = smtp_kill(s, tm_error_set(err, st, _("out of memory")));
    wipe(&answer);
    return st;
}

/* Runs one AUTH exchange to its final reply. *refused: the server refused the credentials (530,
 * 534, 535), so the secret should be forgotten. */
static enum tm_status run_auth(struct tm_smtp *s, struct mechanism *m, const char *user,
                               bool *refused, struct tm_error *err)
{
    struct tm_smtp_reply r;
    struct tm_error failure;
    bool inline_ir = false;
    tm_error_clear(&failure);
    tm_smtp_reply_init(&r);
    enum tm_status st = send_auth_line(s, m, &inline_ir, err);
    bool initial_pending = m->initial && !inline_ir;
    for (int rounds = 0; st == TM_OK; rounds++) {
        if ((st = smtp_read_reply(s, &r, err)) || r.code != 334)
            break;
        if (rounds == SASL_ROUNDS_MAX) {
            st = smtp_kill(s, tm_error_set(err, TM_EPROTO,
                                           _("the SMTP server's AUTH %s does not end"), m->name));
            break;
        }
        st = answer_challenge(s, m, &r, &initial_pending, &failure, err);
    }
    if (st == TM_OK && failure.status) {
        if (err)
            *err = failure;
        st = failure.status;
        if (r.code == 235) /* accepted after "*": nothing is in step any more */
            smtp_kill(s, st);
    } else if (st == TM_OK && r.code == 235 && m->needs_proof && !m->verified) {
        st = smtp_kill(s, smtp_reply_error(err, TM_EAUTH, &r,
                                           _("the SMTP server %s accepted AUTH %s without proving "
                                             "that it knows the password"),
                                           s->peer, m->name));
    } else if (st == TM_OK && r.code != 235) {
        *refused = r.code == 530 || r.code == 534 || r.code == 535;
        st = r.code >= 400 && r.code < 500
                 ? smtp_reply_error(err, TM_ENET, &r, _("the SMTP server %s cannot log in %s now"),
                                    s->peer, user)
                 : smtp_reply_error(err, TM_EAUTH, &r,
                                    _("the SMTP server %s refused the login of %s"), s->peer, user);
    }
    tm_smtp_reply_cleanup(&r);
    return st;
}

static enum tm_status with_password(struct tm_smtp *s, const struct tm_smtp_opts *o,
                                    const char *password, bool *refused, struct tm_error *err)
{
    unsigned auth = s->caps.auth;
    struct tm_buf ir;
    struct mechanism m = {0};
    enum tm_status st;
    tm_buf_init(&ir, SASL_BUF_MAX);
    if (auth & TM_SMTP_AUTH_SCRAM_SHA_256) {
        struct scram_ctx c = {.m = &m};
        st = tm_scram_new(o->user, password, &c.scram, err);
        if (st == TM_OK && s->scram_prepare)
            st = s->scram_prepare(c.scram, err);
        if (st == TM_OK)
            st = tm_scram_client_first(c.scram, &ir, err);
        m = (struct mechanism){"SCRAM-SHA-256", ir.data, scram_step, &c, false, true};
        if (st == TM_OK)
            st = run_auth(s, &m, o->user, refused, err);
        tm_scram_free(&c.scram);
    } else if (auth & TM_SMTP_AUTH_PLAIN) {
        st = tm_buf_reserve(&ir, 2 * (strlen(o->user) + strlen(password)) + 16);
        if (st)
            st = tm_error_set(err, st, _("the user name or password is too long"));
        else
            st = tm_sasl_plain(NULL, o->user, password, &ir, err);
        m = (struct mechanism){.name = "PLAIN", .initial = ir.data};
        if (st == TM_OK)
            st = run_auth(s, &m, o->user, refused, err);
    } else {
        struct login_ctx c = {o->user, password, 0};
        m = (struct mechanism){.name = "LOGIN", .step = login_step, .ctx = &c};
        st = run_auth(s, &m, o->user, refused, err);
    }
    wipe(&ir);
    return st;
}

static enum tm_status with_token(struct tm_smtp *s, const struct tm_smtp_opts *o, const char *token,
                                 bool *refused, struct tm_error *err)
{
    struct tm_buf ir;
    struct mechanism m;
    bool bearer = s->caps.auth & TM_SMTP_AUTH_OAUTHBEARER;
    tm_buf_init(&ir, SASL_BUF_MAX);
    size_t host_len = o->host ? strlen(o->host) : 0;
    enum tm_status st = tm_buf_reserve(&ir, 2 * (strlen(o->user) + strlen(token) + host_len) + 128);
    if (st)
        st = tm_error_set(err, st, _("the OAuth token is too long"));
    else if (bearer)
        st = tm_sasl_oauthbearer(o->user, o->host, o->port, token, &ir, err);
    else
        st = tm_sasl_xoauth2(o->user, token, &ir, err);
    m = (struct mechanism){bearer ? "OAUTHBEARER" : "XOAUTH2",
                           ir.data,
                           error_ack_step,
                           bearer ? "AQ==" : "",
                           false,
                           false};
    if (st == TM_OK)
        st = run_auth(s, &m, o->user, refused, err);
    wipe(&ir);
    return st;
}

enum tm_status smtp_authenticate(struct tm_smtp *s, const struct tm_smtp_opts *o,
                                 struct tm_error *err)
{
    const unsigned for_password =
        TM_SMTP_AUTH_SCRAM_SHA_256 | TM_SMTP_AUTH_PLAIN | TM_SMTP_AUTH_LOGIN;
    const unsigned for_token = TM_SMTP_AUTH_OAUTHBEARER | TM_SMTP_AUTH_XOAUTH2;
    if (!tm_stream_is_tls(s->stream) && !(o->allow_plaintext_auth && !o->require_tls))
        return tm_error_set(err, TM_ETLS,
                            _("refusing to log in to the SMTP server %s without TLS "
                              "(allow_plaintext_auth is off)"),
                            s->peer);
    if (!(s->caps.ext & TM_SMTP_EXT_AUTH) ||
        !(s->caps.auth & (o->oauth ? for_token : for_password)))
        return tm_error_set(err, TM_EAUTH,
                            o->oauth ? _("the SMTP server %s offers neither OAUTHBEARER nor "
                                         "XOAUTH2 for a token")
                                     : _("the SMTP server %s offers no password login tmail "
                                         "knows (SCRAM-SHA-256, PLAIN, LOGIN)"),
                            s->peer);
    if (!o->secret)
        return tm_error_set(err, TM_ECONFIG, _("no password or token for %s at %s"), o->user,
                            s->peer);
    enum tm_secret kind = o->oauth ? TM_SECRET_OAUTH_TOKEN : TM_SECRET_PASSWORD;
    const char *secret = NULL;
    bool refused = false;
    enum tm_status st = o->secret(o->secret_ctx, kind, &secret, err);
    if (st == TM_OK && !secret)
        st = tm_error_set(err, TM_EAUTH, _("no password or token for %s at %s"), o->user, s->peer);
    if (st)
        return st;
    st = o->oauth ? with_token(s, o, secret, &refused, err)
                  : with_password(s, o, secret, &refused, err);
    if (refused && o->secret_forget)
        o->secret_forget(o->secret_ctx, kind);
    return st;
}
