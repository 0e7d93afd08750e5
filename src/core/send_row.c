/* send_row.c - one outbox row through SMTP: connect when needed, encode down for a server without
 * 8BITMIME, submit, and record the outcome in the store (sent, retry later, held for the person),
 * then the Sent copy and the flag on the original. Shared by the worker and `tmail -s`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "tmail/array.h"
#include "tmail/config.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/mime.h"
#include "tmail/smtp.h"

#define RETRY_FIRST_S 60
#define RETRY_MAX_S   3600
#define MESSAGE_MAX   ((size_t)1024 * 1024 * 1024)

int64_t core_send_backoff(int attempts)
{
    int64_t s = RETRY_FIRST_S;
    for (int i = 1; i < attempts && s < RETRY_MAX_S; i++)
        s *= 2;
    return s < RETRY_MAX_S ? s : RETRY_MAX_S;
}

void core_send_close(struct core_send *cs)
{
    tm_smtp_close(&cs->smtp);
}

/* The SMTP options of the account's smtp URL. A tls_fingerprint pins the reading server's
 * certificate: it applies to the SMTP server only when that is the same host. */
static void smtp_options(const struct core_send *cs, struct tm_smtp_opts *o)
{
    const struct tm_account *a = cs->account;
    memset(o, 0, sizeof(*o));
    o->host = a->send.host;
    o->port = a->send.port;
    o->implicit_tls = a->send.scheme == TM_URL_SMTPS;
    o->require_tls = a->tls != TM_TLS_OFF;
    o->tls.ca_file = a->tls_ca_file;
    if (a->tls_fingerprint && a->read.host && a->send.host &&
        strcmp(a->read.host, a->send.host) == 0)
        o->tls.fingerprint = a->tls_fingerprint;
    o->connect_timeout_ms = a->connect_timeout > 0 ? (int)a->connect_timeout * 1000 : 0;
    o->io_timeout_ms = o->connect_timeout_ms;
    o->cancel = cs->cancel;
    o->helo_name = cs->hostname;
    o->user = a->send.user;
    o->oauth = a->oauth_token_cmd != NULL;
    o->allow_plaintext_auth = a->allow_plaintext_auth;
    o->secret = worker_secret;
    o->secret_forget = worker_secret_forget;
    o->secret_ctx = cs->secrets;
}

/* The recipients of a row, one per line, as an array pointing into lines (modified). */
static enum tm_status split_rcpts(char *lines, const char ***out, size_t *n, struct tm_error *err)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    for (char *line = lines; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end++ = 0;
        if (*line && TM_ARRAY_RESERVE(*out, *n, cap, 8)) {
            free(*out);
            *out = NULL;
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
        if (*line)
            (*out)[(*n)++] = line;
        line = end;
    }
    return TM_OK;
}

static bool mark_sending(void *ctx)
{
    struct core_send *cs = ctx;
    struct tm_error err;
    tm_error_clear(&err);
    if (tm_store_outbox_set_state(cs->store, cs->row_id, TM_OUTBOX_SENDING, &err)) {
        tm_log(TM_LOG_ERROR, "outbox: cannot record a send in progress: %s", err.message);
        return false;
    }
    return true;
}

/* "bob@x: 550 5.1.1 unknown" lines for the refused recipients. */
static void refused_text(const char *const *rcpts, size_t n, const struct tm_smtp_rcpt_status *rs,
                         char *out, size_t size)
{
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        if (rs[i].accepted)
            continue;
        int k = snprintf(out + used, size - used, "%s%s: %s", used ? "\n" : "", rcpts[i],
                         rs[i].code ? rs[i].reply : _("no reply"));
        if (k < 0)
            break;
        used += (size_t)k < size - used ? (size_t)k : size - used - 1;
    }
}

/* Records a failed try: state QUEUED (retried after the backoff) or HELD. */
static enum tm_status record_failure(struct core_send *cs, const struct tm_outbox_row *row,
                                     bool hold, const char *reply, struct core_send_report *rep,
                                     struct tm_error *err)
{
    int64_t next = 0;
    if (!hold) {
        next = (int64_t)time(NULL) + core_send_backoff(row->e.attempts + 1);
        rep->retry_in = next - (int64_t)time(NULL);
    }
    rep->held = hold;
    snprintf(rep->reply, sizeof(rep->reply), "%s", reply);
    return tm_store_outbox_failed(cs->store, cs->row_id, hold ? TM_OUTBOX_HELD : TM_OUTBOX_QUEUED,
                                  reply, next, err);
}

/* Opens the SMTP session when there is none. A failure is recorded on the row (and
 * rep->connect_failed set): TM_OK then too, unless the store failed or the open was cancelled. */
static enum tm_status ensure_session(struct core_send *cs, const struct tm_outbox_row *row,
                                     struct core_send_report *rep, struct tm_error *err)
{
    if (cs->smtp)
        return TM_OK;
    struct tm_smtp_opts o;
    struct tm_error why;
    tm_error_clear(&why);
    smtp_options(cs, &o);
    enum tm_status st = tm_smtp_open(&o, &cs->smtp, &why);
    if (!st)
        return TM_OK;
    if (st == TM_ECANCELED) {
        *err = why;
        return st;
    }
    /* the network comes back by itself; refused credentials, TLS and configuration need the
     * person, so those rows wait for them instead of asking again every few minutes */
    bool hold = st != TM_ENET;
    rep->connect_failed = true;
    return record_failure(cs, row, hold, why.message, rep, err);
}

/* The message as it goes to this server: 8-bit text encoded down when it lacks 8BITMIME. */
static enum tm_status wire_form(struct core_send *cs, struct tm_buf *msg, struct tm_error *err)
{
    const struct tm_smtp_caps *caps = tm_smtp_caps(cs->smtp);
    if ((caps->ext & TM_SMTP_EXT_8BITMIME) || !tm_smtp_has_8bit(msg->data, msg->len))
        return TM_OK;
    struct tm_buf down;
    tm_buf_init(&down, MESSAGE_MAX);
    enum tm_status st = tm_mime_downgrade_7bit(msg->data, msg->len, &down, err);
    if (!st) {
        tm_buf_cleanup(msg);
        *msg = down;
    } else {
        tm_buf_cleanup(&down);
    }
    return st;
}

/* After the server took the message: the copy to Sent and the flag on the original, then the row
 * goes. A failing copy keeps the row (state SENT) for the next run. */
static enum tm_status finish_sent(struct core_send *cs, const struct tm_outbox_row *row,
                                  const struct tm_buf *msg, struct core_send_report *rep,
                                  struct tm_error *err)
{
    struct tm_error why;
    tm_error_clear(&why);
    if (row->e.sent_mailbox && cs->append) {
        struct tm_buf copy;
        tm_buf_init(&copy, MESSAGE_MAX);
        enum tm_status st =
            msg ? TM_OK : tm_store_outbox_message(cs->store, cs->row_id, &copy, &why);
        const struct tm_buf *m = msg ? msg : &copy;
        if (!st)
            st = cs->append(cs->backend_ctx, row->e.sent_mailbox, m->data ? m->data : "", m->len,
                            &why);
        tm_buf_cleanup(&copy);
        if (st) {
            rep->copy_failed = true;
            snprintf(rep->reply, sizeof(rep->reply), "%s", why.message);
            tm_log(TM_LOG_WARN, "outbox: the copy to %s failed: %s", row->e.sent_mailbox,
                   why.message);
            return TM_OK; /* kept as SENT; not an error of the send */
        }
        rep->copied = true;
    }
    if (row->e.orig_message_id && row->e.orig_flag && cs->set_flags &&
        cs->set_flags(cs->backend_ctx, row->e.orig_message_id, row->e.orig_flag, &why))
        tm_log(TM_LOG_INFO, "outbox: cannot flag the original message: %s", why.message);
    return tm_store_outbox_delete(cs->store, cs->row_id, err);
}

enum tm_status core_send_row(struct core_send *cs, int64_t id, struct core_send_report *rep,
                             struct tm_error *err)
{
    struct tm_outbox_row row = {0};
    struct tm_buf msg;
    const char **rcpts = NULL;
    size_t nrcpts = 0;
    struct tm_smtp_rcpt_status *rs = NULL;
    memset(rep, 0, sizeof(*rep));
    tm_buf_init(&msg, MESSAGE_MAX);
    cs->row_id = id;
    enum tm_status st = tm_store_outbox_get(cs->store, id, &row, err);
    if (st)
        return st;
    snprintf(rep->subject, sizeof(rep->subject), "%s", row.e.subject ? row.e.subject : "");
    if (row.e.state == TM_OUTBOX_SENT) { /* sent earlier; its copy is missing */
        rep->sent = true;
        st = finish_sent(cs, &row, NULL, rep, err);
        goto out;
    }
    if (row.e.state == TM_OUTBOX_SENDING) { /* a tmail died after the dot: counted, sent again */
        if ((st = tm_store_outbox_set_state(cs->store, id, TM_OUTBOX_QUEUED, err)))
            goto out;
        row.e.maybe_sent++;
    }
    rep->maybe_sent = row.e.maybe_sent;
    if ((st = ensure_session(cs, &row, rep, err)) || rep->connect_failed)
        goto out;
    if ((st = tm_store_outbox_message(cs->store, id, &msg, err)) ||
        (st = split_rcpts(row.rcpts, &rcpts, &nrcpts, err)))
        goto out;
    struct tm_error why;
    tm_error_clear(&why);
    if (wire_form(cs, &msg, &why)) {
        st = record_failure(cs, &row, true, why.message, rep, err);
        goto out;
    }
    if (!(rs = calloc(nrcpts ? nrcpts : 1, sizeof(*rs)))) {
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        goto out;
    }
    struct tm_smtp_envelope env = {
        .from = row.env_from ? row.env_from : "",
        .rcpts = rcpts,
        .nrcpts = nrcpts,
        .data = msg.data ? msg.data : "",
        .len = msg.len,
        .before_final_dot = mark_sending,
        .ctx = cs,
    };
    struct tm_smtp_result res = {.rcpts = rs};
    st = tm_smtp_send(cs->smtp, &env, &res, &why);
    if (st == TM_ECANCELED && res.outcome != TM_SMTP_MAYBE_SENT) {
        *err = why;
        core_send_close(cs);
        goto out;
    }
    if (st && st != TM_ECANCELED) { /* an envelope no server would take */
        st = record_failure(cs, &row, true, why.message, rep, err);
        goto out;
    }
    rep->outcome = (int)res.outcome;
    switch (res.outcome) {
    case TM_SMTP_SENT:
        rep->sent = true;
        snprintf(rep->reply, sizeof(rep->reply), "%s", res.reply);
        tm_log(TM_LOG_INFO, "outbox: sent message %lld: %s", (long long)id, res.reply);
        if (!(st = tm_store_outbox_set_state(cs->store, id, TM_OUTBOX_SENT, err)))
            st = finish_sent(cs, &row, &msg, rep, err);
        break;
    case TM_SMTP_TEMPORARY:
        core_send_close(cs); /* a network failure leaves it dead; a 4xx may too */
        st = record_failure(cs, &row, false, res.reply, rep, err);
        break;
    case TM_SMTP_PERMANENT:
        st = record_failure(cs, &row, true, res.reply, rep, err);
        break;
    case TM_SMTP_RECIPIENTS: {
        char text[2048];
        refused_text(rcpts, nrcpts, rs, text, sizeof(text));
        rep->refused = true;
        st = record_failure(cs, &row, true, text, rep, err);
        break;
    }
    case TM_SMTP_MAYBE_SENT:
        core_send_close(cs);
        rep->maybe_sent++;
        /* the row is SENDING: back to QUEUED counts it, and it is sent again after the backoff */
        if (!(st = tm_store_outbox_set_state(cs->store, id, TM_OUTBOX_QUEUED, err)))
            st = record_failure(cs, &row, false, res.reply, rep, err);
        break;
    }
    if (!st && res.outcome == TM_SMTP_MAYBE_SENT && cs->cancel && *cs->cancel)
        st = tm_error_set(err, TM_ECANCELED, _("stopped"));
out:
    free(rs);
    free(rcpts);
    tm_buf_cleanup(&msg);
    tm_outbox_row_cleanup(&row);
    return st;
}

void core_send_describe(const struct core_send_report *rep, char *out, size_t size)
{
    const char *subject = rep->subject[0] ? rep->subject : _("(no subject)");
    if (rep->sent && rep->copy_failed)
        snprintf(out, size, _("Sent \"%s\", but the copy to the sent folder failed: %s"), subject,
                 rep->reply);
    else if (rep->sent && rep->maybe_sent)
        snprintf(out, size,
                 _("Sent \"%s\". The connection had dropped after an earlier try handed it over: "
                   "recipients may get it twice."),
                 subject);
    else if (rep->sent)
        snprintf(out, size, _("Sent \"%s\"."), subject);
    else if (rep->refused)
        snprintf(out, size, _("Not sent: the server refused recipients (see the outbox): %s"),
                 rep->reply);
    else if (rep->held)
        snprintf(out, size, _("Not sent (kept in the outbox): %s"), rep->reply);
    else if (rep->maybe_sent && rep->outcome == TM_SMTP_MAYBE_SENT)
        snprintf(out, size,
                 _("The connection dropped after the message was handed over; it may have been "
                   "delivered. Sending again in %lld s (recipients may get it twice)."),
                 (long long)rep->retry_in);
    else
        snprintf(out, size, _("Not sent yet (retrying in %lld s): %s"), (long long)rep->retry_in,
                 rep->reply);
}

enum tm_status core_send_due(struct core_send *cs, const char *account, int64_t now,
                             core_send_done_fn done, void *ctx, int64_t *wait_s,
                             struct tm_error *err)
{
    int64_t *tried = NULL, id;
    size_t ntried = 0, cap = 0;
    enum tm_status st;
    *wait_s = -1;
    for (;;) {
        if ((st = tm_store_outbox_next(cs->store, account, now, &id, wait_s, err))) {
            if (st == TM_ENOENT)
                st = TM_OK;
            break;
        }
        bool again = false; /* a row left as it was (a Sent copy that keeps failing) */
        for (size_t i = 0; i < ntried; i++)
            again |= tried[i] == id;
        if (again || ntried >= CORE_SEND_ROWS_MAX) {
            *wait_s = 0;
            break;
        }
        if (TM_ARRAY_RESERVE(tried, ntried, cap, 16)) {
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
            break;
        }
        tried[ntried++] = id;
        struct core_send_report rep;
        struct tm_error one;
        tm_error_clear(&one);
        enum tm_status s1 = core_send_row(cs, id, &rep, &one);
        if (s1 == TM_ECANCELED) {
            *err = one;
            st = s1;
            break;
        }
        if (!done(ctx, id, s1, &rep, &one))
            break;
    }
    free(tried);
    core_send_close(cs);
    return st;
}
