/* smtp_send.c - one submission (RFC 5321 3.3, 4.1.1.2-4.1.1.5): the envelope checked, MAIL FROM
 * with SIZE (RFC 1870), BODY=8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531), the RCPTs pipelined
 * with it (RFC 2920), RSET when any is refused, DATA, the content, and the reply to the final
 * dot, classified as OpenSMTPD does: sent, temporary, permanent, refused recipients, or maybe
 * sent when the connection died after the dot. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

#define PIPELINE_GROUP 50                  /* commands per write, so replies never pile up */
#define CONTENT_CHUNK  ((size_t)64 * 1024) /* per write, so cancel is seen between them */

/* An addr-spec as it can go between '<' and '>' on a command line. */
static bool address_usable(const char *a, bool may_be_empty)
{
    if (!a)
        return false;
    if (!a[0])
        return may_be_empty;
    for (const unsigned char *c = (const unsigned char *)a; *c; c++)
        if (*c <= ' ' || *c == 0x7f || *c == '<' || *c == '>')
            return false;
    return true;
}

static enum tm_status check_envelope(const struct tm_smtp_envelope *env, struct tm_error *err)
{
    if (!env->rcpts || env->nrcpts == 0)
        return tm_error_set(err, TM_EPARSE, _("the message has no recipient"));
    if (!address_usable(env->from, true))
        return tm_error_set(err, TM_EPARSE,
                            _("the sender address cannot be used in SMTP (a space, '<', '>' or a "
                              "control character)"));
    for (size_t i = 0; i < env->nrcpts; i++)
        if (!address_usable(env->rcpts[i], false))
            return tm_error_set(err, TM_EPARSE,
                                _("recipient %zu of %zu cannot be used in SMTP (empty, or a "
                                  "space, '<', '>' or a control character)"),
                                i + 1, env->nrcpts);
    if (!env->data && env->len)
        return tm_error_set(err, TM_EPARSE, _("the message has no data"));
    return TM_OK;
}

/* Sets the outcome and its reply text. */
__attribute__((format(printf, 3, 4))) static void
decide(struct tm_smtp_result *res, enum tm_smtp_outcome outcome, const char *fmt, ...)
{
    va_list ap;
    res->outcome = outcome;
    va_start(ap, fmt);
    vsnprintf(res->reply, sizeof(res->reply), fmt, ap);
    va_end(ap);
}

static void decide_by_reply(struct tm_smtp_result *res, enum tm_smtp_outcome outcome,
                            const struct tm_smtp_reply *r)
{
    res->outcome = outcome;
    tm_smtp_reply_format(r, res->reply, sizeof(res->reply));
}

/* 4xx: TEMPORARY, 5xx: PERMANENT, anything else (a reply that makes no sense here):
 * TEMPORARY, and the session is given up. */
static void decide_refusal(struct tm_smtp *s, struct tm_smtp_result *res,
                           const struct tm_smtp_reply *r)
{
    decide_by_reply(res, r->code >= 500 ? TM_SMTP_PERMANENT : TM_SMTP_TEMPORARY, r);
    if (r->code < 400)
        smtp_kill(s, TM_EPROTO);
}

/* RSET (RFC 5321 4.1.1.5) after a refused transaction, so the session can take the next one; a
 * session that cannot be reset is given up. */
static void reset(struct tm_smtp *s)
{
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    if (!s->dead && (smtp_command(s, &r, NULL, "RSET") || r.code / 100 != 2))
        smtp_kill(s, TM_EPROTO);
    tm_smtp_reply_cleanup(&r);
}

/* The length of the header block of msg[0..len): up to its first empty line (or all). */
static size_t header_block_len(const char *msg, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (msg[i] == '\n' &&
            (msg[i + 1] == '\n' || (msg[i + 1] == '\r' && i + 2 < len && msg[i + 2] == '\n')))
            return i + 1;
    return len;
}

/* Checks what must hold before MAIL: 8-bit data and addresses, the size. False with res
 * decided (PERMANENT) when the server cannot take the message. */
static bool server_can_take(const struct tm_smtp *s, const struct tm_smtp_envelope *env,
                            size_t size, struct tm_smtp_result *res, bool *body8, bool *addr8)
{
    const char *data = env->data ? env->data : "";
    *body8 = tm_smtp_has_8bit(data, env->len);
    /* RFC 6531: UTF-8 in an address or in the header block (RFC 6532 addresses there) */
    *addr8 = tm_smtp_has_8bit(env->from, strlen(env->from)) ||
             (*body8 && tm_smtp_has_8bit(data, header_block_len(data, env->len)));
    for (size_t i = 0; i < env->nrcpts && !*addr8; i++)
        *addr8 = tm_smtp_has_8bit(env->rcpts[i], strlen(env->rcpts[i]));
    if (*body8 && !(s->caps.ext & TM_SMTP_EXT_8BITMIME))
        decide(res, TM_SMTP_PERMANENT,
               _("the message has 8-bit data, but the SMTP server %s does not accept it (no "
                 "8BITMIME): it must be encoded to 7 bits first"),
               s->peer);
    else if (*addr8 && !(s->caps.ext & TM_SMTP_EXT_SMTPUTF8))
        decide(res, TM_SMTP_PERMANENT,
               _("an address or header field has non-ASCII characters, but the SMTP server %s "
                 "does not accept them (no SMTPUTF8)"),
               s->peer);
    else if (s->caps.size_limit && size > s->caps.size_limit)
        decide(res, TM_SMTP_PERMANENT,
               _("the message is %zu bytes; the server accepts at most %zu"), size,
               s->caps.size_limit);
    else
        return true;
    return false;
}

/* Appends command i of the envelope (0: MAIL FROM, then one RCPT TO per recipient). */
static enum tm_status append_command(const struct tm_smtp *s, const struct tm_smtp_envelope *env,
                                     size_t i, size_t size, bool body8, bool addr8,
                                     struct tm_buf *cmds)
{
    if (i > 0)
        return tm_buf_appendf(cmds, "RCPT TO:<%s>\r\n", env->rcpts[i - 1]);
    enum tm_status st = tm_buf_appendf(cmds, "MAIL FROM:<%s>", env->from);
    if (st == TM_OK && (s->caps.ext & TM_SMTP_EXT_SIZE))
        st = tm_buf_appendf(cmds, " SIZE=%zu", size);
    if (st == TM_OK && body8)
        st = tm_buf_append_str(cmds, " BODY=8BITMIME");
    if (st == TM_OK && addr8)
        st = tm_buf_append_str(cmds, " SMTPUTF8");
    return st ? st : tm_buf_append(cmds, "\r\n", 2);
}

/* What the MAIL and RCPT replies said. */
struct envelope_state {
    struct tm_smtp_reply mail;
    bool mail_read;
    size_t refused, refused_5xx;
    size_t first_refused, first_refused_5xx; /* indexes into rcpts */
};

static void record_rcpt(struct envelope_state *es, const struct tm_smtp_reply *r, size_t k,
                        struct tm_smtp_result *res)
{
    struct tm_smtp_rcpt_status *rs = res->rcpts ? &res->rcpts[k] : NULL;
    bool accepted = r->code >= 200 && r->code < 300;
    if (rs) {
        rs->accepted = accepted;
        rs->code = r->code;
        tm_smtp_reply_format(r, rs->reply, sizeof(rs->reply));
    }
    if (!accepted && es->refused++ == 0)
        es->first_refused = k;
    if (r->code >= 500 && es->refused_5xx++ == 0)
        es->first_refused_5xx = k;
}

/* A 421 as a network failure whose text is the reply. */
static enum tm_status closing(const struct tm_smtp_reply *r, struct tm_error *err)
{
    char shown[sizeof(err->server_reply)];
    tm_smtp_reply_format(r, shown, sizeof(shown));
    if (err)
        memcpy(err->server_reply, shown, sizeof(shown));
    return tm_error_set(err, TM_ENET, "%s", shown);
}

/* Sends MAIL and the RCPTs, in groups of PIPELINE_GROUP with PIPELINING or one by one without,
 * and reads every reply. After a refused MAIL no further group goes out. */
static enum tm_status send_envelope(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                                    size_t size, bool body8, bool addr8, struct envelope_state *es,
                                    struct tm_smtp_result *res, struct tm_error *err)
{
    size_t group = (s->caps.ext & TM_SMTP_EXT_PIPELINING) ? PIPELINE_GROUP : 1;
    size_t total = env->nrcpts + 1;
    struct tm_buf cmds;
    struct tm_smtp_reply r;
    enum tm_status st = TM_OK;
    tm_buf_init(&cmds, 0);
    tm_smtp_reply_init(&r);
    for (size_t first = 0; st == TM_OK && first < total; first += group) {
        size_t end = first + group < total ? first + group : total;
        if (es->mail_read && es->mail.code / 100 != 2)
            break;
        tm_buf_reset(&cmds);
        for (size_t i = first; st == TM_OK && i < end; i++)
            st = append_command(s, env, i, size, body8, addr8, &cmds);
        if (st) {
            st = tm_error_set(err, st, _("out of memory"));
            break;
        }
        st = smtp_write(s, cmds.data, cmds.len, false, err);
        for (size_t i = first; st == TM_OK && i < end; i++) {
            struct tm_smtp_reply *reply = i == 0 ? &es->mail : &r;
            if ((st = smtp_read_reply(s, reply, err)))
                break;
            if (i == 0)
                es->mail_read = true;
            else
                record_rcpt(es, reply, i - 1, res);
            if (s->dead) /* 421: the server is closing, no later reply will come */
                st = closing(reply, err);
        }
    }
    tm_smtp_reply_cleanup(&r);
    tm_buf_cleanup(&cmds);
    return st;
}

/* Classifies refused recipients: RECIPIENTS when one was refused for good (5xx); when every
 * refusal was temporary (4xx), nothing is wrong with the addresses and the whole message is
 * retried later: TEMPORARY. Either way rcpts says who was refused. */
static void decide_recipients(const struct envelope_state *es, struct tm_smtp_result *res)
{
    bool permanent = es->refused_5xx > 0;
    size_t k = permanent ? es->first_refused_5xx : es->first_refused;
    res->outcome = permanent ? TM_SMTP_RECIPIENTS : TM_SMTP_TEMPORARY;
    snprintf(res->reply, sizeof(res->reply), "%s",
             res->rcpts ? res->rcpts[k].reply : _("a recipient was refused"));
}

/* Writes the content in chunks, then the final dot after before_final_dot agreed, and reads the
 * reply with at least SMTP_FINAL_DOT_TIMEOUT_MS. */
static enum tm_status send_content(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                                   const struct tm_buf *content, struct tm_smtp_result *res,
                                   struct tm_error *err)
{
    enum tm_status st = TM_OK;
    for (size_t off = 0; st == TM_OK && off < content->len; off += CONTENT_CHUNK) {
        size_t n = content->len - off < CONTENT_CHUNK ? content->len - off : CONTENT_CHUNK;
        st = smtp_write(s, content->data + off, n, false, err);
    }
    if (st == TM_OK && env->before_final_dot && !env->before_final_dot(env->ctx)) {
        tm_stream_close(&s->stream); /* dropped: the server never sees the dot */
        smtp_kill(s, TM_ECANCELED);
        decide(res, TM_SMTP_TEMPORARY, "%s",
               _("the submission was stopped before the final dot: nothing was sent"));
        return TM_OK;
    }
    /* A failed write means the kernel did not take the whole dot line, so the server cannot
     * have seen the end of the data: still TEMPORARY. */
    if (st == TM_OK)
        st = smtp_write(s, ".\r\n", 3, false, err);
    if (st) {
        decide(res, TM_SMTP_TEMPORARY, "%s", err->message);
        return st;
    }
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    int wait_ms =
        s->io_timeout_ms > SMTP_FINAL_DOT_TIMEOUT_MS ? s->io_timeout_ms : SMTP_FINAL_DOT_TIMEOUT_MS;
    tm_stream_set_io_timeout(s->stream, wait_ms);
    st = smtp_read_reply(s, &r, err);
    tm_stream_set_io_timeout(s->stream, s->io_timeout_ms);
    if (st)
        decide(res, TM_SMTP_MAYBE_SENT, "%s", err->message);
    else if (r.code >= 200 && r.code < 300)
        decide_by_reply(res, TM_SMTP_SENT, &r);
    else if (r.code >= 400)
        decide_by_reply(res, r.code >= 500 ? TM_SMTP_PERMANENT : TM_SMTP_TEMPORARY, &r);
    else /* 1xx or 3xx: out of step, and whether the message went is unknown */
        decide_by_reply(res, TM_SMTP_MAYBE_SENT, &r);
    if (st == TM_OK && r.code < 400 && r.code / 100 != 2)
        smtp_kill(s, TM_EPROTO);
    tm_smtp_reply_cleanup(&r);
    return st;
}

/* DATA, then the content unless the server refuses it. */
static enum tm_status send_data(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                                const struct tm_buf *content, struct tm_smtp_result *res,
                                struct tm_error *err)
{
    struct tm_smtp_reply r;
    tm_smtp_reply_init(&r);
    enum tm_status st = smtp_command(s, &r, err, "DATA");
    if (st) {
        decide(res, TM_SMTP_TEMPORARY, "%s", err->message);
    } else if (r.code != 354) {
        decide_refusal(s, res, &r);
        reset(s);
    } else {
        st = send_content(s, env, content, res, err);
    }
    tm_smtp_reply_cleanup(&r);
    return st;
}

/* MAIL, RCPT, then DATA when every recipient was accepted, else RSET. */
static enum tm_status transaction(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                                  const struct tm_buf *content, bool body8, bool addr8,
                                  struct tm_smtp_result *res, struct tm_error *err)
{
    struct envelope_state es = {0};
    tm_smtp_reply_init(&es.mail);
    enum tm_status st = send_envelope(s, env, content->len, body8, addr8, &es, res, err);
    if (st) {
        decide(res, TM_SMTP_TEMPORARY, "%s", err->message);
    } else if (es.mail.code / 100 != 2) {
        decide_refusal(s, res, &es.mail);
        reset(s);
    } else if (es.refused) {
        decide_recipients(&es, res);
        reset(s);
    } else {
        st = send_data(s, env, content, res, err);
    }
    tm_smtp_reply_cleanup(&es.mail);
    return st;
}

enum tm_status tm_smtp_send(struct tm_smtp *s, const struct tm_smtp_envelope *env,
                            struct tm_smtp_result *res, struct tm_error *err)
{
    struct tm_error local;
    struct tm_buf content;
    bool body8 = false, addr8 = false;
    tm_error_clear(&local);
    decide(res, TM_SMTP_TEMPORARY, "%s", "");
    for (size_t i = 0; res->rcpts && i < env->nrcpts; i++)
        memset(&res->rcpts[i], 0, sizeof(res->rcpts[i]));
    enum tm_status st = check_envelope(env, &local);
    if (st)
        goto out;
    if (s->dead || !s->stream) {
        decide(res, TM_SMTP_TEMPORARY, _("the connection to the SMTP server %s is closed"),
               s->peer);
        return TM_OK;
    }
    tm_buf_init(&content, 0);
    st = tm_smtp_dot_stuff(env->data ? env->data : "", env->len, &content, &local);
    if (st == TM_ELIMIT) {
        decide(res, TM_SMTP_PERMANENT, "%s", local.message);
        st = TM_OK;
    } else if (st == TM_OK && server_can_take(s, env, content.len, res, &body8, &addr8)) {
        st = transaction(s, env, &content, body8, addr8, res, &local);
        tm_log(TM_LOG_INFO, "smtp: %s: %zu bytes to %zu recipients: %s", s->peer, content.len,
               env->nrcpts, res->outcome == TM_SMTP_SENT ? "sent" : res->reply);
        if (st != TM_ECANCELED)
            st = TM_OK; /* a network failure is an outcome, in res */
    }
    tm_buf_cleanup(&content);
out:
    if (st && err)
        *err = local;
    return st;
}
